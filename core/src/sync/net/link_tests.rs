//! The link classifier and "since" as pure functions over addresses and paths.

use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("an address")
}

#[test]
fn addresses_of_this_network_are_told_from_the_internet() {
    for local in [
        "10.1.2.3",
        "172.16.0.9",
        "172.31.255.1",
        "192.168.1.20",
        "127.0.0.1",
        "169.254.10.1",
        "::1",
        "fe80::1",
        "fd12:3456::1",
        "::ffff:192.168.1.20",
    ] {
        assert!(on_this_network(ip(local)), "{local} is on this network");
    }
    for far in [
        "8.8.8.8",
        "172.32.0.1",
        "100.64.0.1",
        "203.0.113.7",
        "2001:db8::1",
        "2a00:1450::1",
        "::ffff:8.8.8.8",
    ] {
        assert!(!on_this_network(ip(far)), "{far} is across the internet");
    }
}

#[test]
fn a_path_is_lan_direct_or_the_relay_by_its_host() {
    let lan = TransportAddr::Ip("192.168.1.20:4433".parse().expect("addr"));
    let far = TransportAddr::Ip("[2a00:1450::1]:4433".parse().expect("addr"));
    let relay: RelayUrl = "https://relay.example.com:8443/path".parse().expect("url");
    assert_eq!(path_kind(&lan), PathKind::Lan);
    assert_eq!(path_kind(&far), PathKind::Direct);
    assert_eq!(
        path_kind(&TransportAddr::Relay(relay)),
        PathKind::Relay("relay.example.com".into())
    );
}

#[test]
fn since_is_kept_while_the_kind_stays_and_restarts_when_it_changes() {
    let path = |kind, rtt| LinkPath {
        kind,
        rtt_ms: Some(rtt),
    };
    let relay = |h: &str| PathKind::Relay(h.into());
    let offline = PeerLink::Offline { since_ms: 5 };
    let a = offline.on_path(path(relay("r1.example"), 80), 100);
    assert_eq!(
        a,
        PeerLink::Relay {
            relay: "r1.example".into(),
            rtt_ms: Some(80),
            since_ms: 100
        }
    );
    let b = a.on_path(path(relay("r1.example"), 60), 200);
    assert_eq!(b.since_ms(), 100, "same relay, new RTT: since stays");
    assert_eq!(b.rtt_ms(), Some(60));
    assert!(b.same_kind(&a));
    let c = b.on_path(path(relay("r2.example"), 60), 300);
    assert_eq!(c.since_ms(), 300, "another relay is a new state");
    assert!(!c.same_kind(&b));
    let d = c.on_path(path(PathKind::Lan, 2), 400);
    assert_eq!(
        d,
        PeerLink::Lan {
            rtt_ms: Some(2),
            since_ms: 400
        }
    );
    assert_eq!(d.on_path(path(PathKind::Lan, 1), 500).since_ms(), 400);
    let e = d.on_path(path(PathKind::Direct, 30), 600);
    assert_eq!(e.since_ms(), 600);
}

#[test]
fn round_trip_times_round_up_to_whole_milliseconds() {
    assert_eq!(rtt_ms(Duration::from_micros(60)), Some(1));
    assert_eq!(rtt_ms(Duration::from_micros(84_000)), Some(84));
    assert_eq!(rtt_ms(Duration::from_micros(84_001)), Some(85));
    assert_eq!(rtt_ms(Duration::ZERO), None);
}
