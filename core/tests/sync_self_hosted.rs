//! The self-hosted and LAN modes with no third party: endpoints that use no n0 service,
//! and pairing by QR and by short code that finds the desktop through what the code carries
//! (the self-hosted relay, here an in-process one, or a LAN address), with sync after the
//! desktop restarts on another port. Nothing here reaches beyond this machine; the Default
//! mode (n0's relays and lookup) cannot run offline and is covered by the ticket's tests.
//! Each test runs in a network namespace of its own (`support::in_own_network`): these modes
//! probe the router and announce by mDNS, which must reach nothing beyond the test.

mod support;

use std::path::Path;
use std::time::Duration;

use ringback_core::sync::net::{self, NetworkMode};
use ringback_core::sync::node;
use ringback_core::sync::replica::DesktopReplica;
use ringback_core::sync::session::Faults;
use ringback_core::sync::ticket::PairingTicket;
use support::{DesktopRig, PhoneRig, converge, pair_accepting};

fn dirs() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("dir");
    let pdir = dir.path().join("phone");
    let ddir = dir.path().join("desktop");
    std::fs::create_dir_all(&pdir).expect("mkdir");
    std::fs::create_dir_all(&ddir).expect("mkdir");
    (dir, pdir, ddir)
}

/// Texts `range` in on the phone and waits until the desktop holds them all.
async fn texts_reach(phone: &PhoneRig, replica: &DesktopReplica, range: std::ops::Range<usize>) {
    for i in range {
        phone.text_in(i).await;
    }
    converge(
        phone,
        std::slice::from_ref(replica),
        Duration::from_secs(30),
    )
    .await;
}

/// The phone stops and starts again: a fresh endpoint that knows the desktop only by what
/// pairing stored, not by the paths of its last connection.
async fn restart_phone(phone: PhoneRig, pdir: &Path, mode: &NetworkMode) -> PhoneRig {
    let (telephony, call_log) = phone.kill().await;
    PhoneRig::start(pdir, mode, Faults::default(), telephony, call_log).await
}

/// The desktop stops and starts again with the same key on a new port: whatever IP
/// addresses the phone kept from pairing are stale.
async fn restart_elsewhere(desktop: DesktopRig, ddir: &Path, mode: &NetworkMode) -> DesktopRig {
    let old = desktop.port;
    desktop.node.shutdown().await;
    let desktop = DesktopRig::start(ddir, mode, Faults::default(), None).await;
    assert_ne!(desktop.port, old, "the desktop came back on another port");
    desktop
}

/// Texts `before` reach the desktop; then both restart, the desktop on another port, and
/// texts `after` reach it too, with nothing but what pairing stored to find each other by.
/// Shuts the desktop down at the end.
async fn texts_reach_across_restarts(
    (desktop, ddir): (DesktopRig, &Path),
    (phone, pdir): (PhoneRig, &Path),
    mode: &NetworkMode,
    before: std::ops::Range<usize>,
    after: std::ops::Range<usize>,
) {
    texts_reach(&phone, &desktop.replica(phone.node.id()), before).await;
    let desktop = restart_elsewhere(desktop, ddir, mode).await;
    let phone = restart_phone(phone, pdir, mode).await;
    texts_reach(&phone, &desktop.replica(phone.node.id()), after).await;
    desktop.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_hosted_endpoint_uses_no_lookup_service_of_n0() {
    if !support::in_own_network("a_self_hosted_endpoint_uses_no_lookup_service_of_n0") {
        return;
    }
    let (server, url) = support::loopback_relay().await;
    let key = iroh::SecretKey::from_bytes(&[9; 32]);
    let endpoint = net::bind(&NetworkMode::SelfHostedRelay(url), key, node::alpns(), None)
        .await
        .expect("bind");
    let services = format!("{:?}", endpoint.address_lookup().expect("open"));
    for n0 in ["Pkarr", "DnsAddressLookup", "iroh.link"] {
        assert!(
            !services.contains(n0),
            "a self-hosted endpoint looks up or publishes through n0 ({n0}): {services}"
        );
    }
    endpoint.close().await;
    server.shutdown().await.expect("relay stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_code_names_the_self_hosted_relay_and_sync_needs_nothing_else() {
    if !support::in_own_network(
        "a_short_code_names_the_self_hosted_relay_and_sync_needs_nothing_else",
    ) {
        return;
    }
    let (server, url) = support::loopback_relay().await;
    let mode = NetworkMode::SelfHostedRelay(url.clone());
    let (_dir, pdir, ddir) = dirs();
    let desktop = DesktopRig::start(&ddir, &mode, Faults::default(), None).await;
    let phone = PhoneRig::new(&pdir, &mode, Faults::default()).await;
    desktop.node.online().await;
    // What a person types: the short code only, which names the relay and no address.
    let code = desktop.ticket().to_short_text();
    assert!(code.contains('@'), "the code names the relay: {code}");
    let ticket = PairingTicket::parse(&code).expect("code");
    assert_eq!((ticket.relay.as_ref(), ticket.addrs.len()), (Some(&url), 0));
    pair_accepting(&desktop.node, &phone.node, &ticket)
        .await
        .expect("paired through the relay the code names");
    texts_reach_across_restarts((desktop, &ddir), (phone, &pdir), &mode, 0..20, 20..40).await;
    server.shutdown().await.expect("relay stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_paired_by_qr_finds_the_desktop_again_through_its_relay() {
    if !support::in_own_network("a_phone_paired_by_qr_finds_the_desktop_again_through_its_relay") {
        return;
    }
    let (server, url) = support::loopback_relay().await;
    let mode = NetworkMode::SelfHostedRelay(url.clone());
    let (_dir, pdir, ddir) = dirs();
    let desktop = DesktopRig::start(&ddir, &mode, Faults::default(), None).await;
    let phone = PhoneRig::new(&pdir, &mode, Faults::default()).await;
    desktop.node.online().await;
    let ticket = PairingTicket::parse(&desktop.ticket().to_qr_payload()).expect("qr");
    assert_eq!(ticket.relay.as_ref(), Some(&url));
    pair_accepting(&desktop.node, &phone.node, &ticket)
        .await
        .expect("paired");
    // After the restarts the addresses in the QR code are stale; the relay the phone kept is not.
    texts_reach_across_restarts((desktop, &ddir), (phone, &pdir), &mode, 0..20, 20..40).await;
    server.shutdown().await.expect("relay stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_without_relay_or_address_meets_at_the_phones_own_relay() {
    if !support::in_own_network("a_code_without_relay_or_address_meets_at_the_phones_own_relay") {
        return;
    }
    // A short code from a desktop whose relay was not yet connected, or from an older
    // version: endpoint id and secret only. Both devices are set to the same relay.
    let (server, url) = support::loopback_relay().await;
    let mode = NetworkMode::SelfHostedRelay(url);
    let (_dir, pdir, ddir) = dirs();
    let desktop = DesktopRig::start(&ddir, &mode, Faults::default(), None).await;
    let phone = PhoneRig::new(&pdir, &mode, Faults::default()).await;
    desktop.node.online().await;
    // The phone's relay is known once it connected there.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while phone.node.addr().relay_urls().next().is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the phone reached its relay"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut ticket = desktop.ticket();
    ticket.relay = None;
    ticket.addrs.clear();
    pair_accepting(&desktop.node, &phone.node, &ticket)
        .await
        .expect("paired at the relay both use");
    texts_reach_across_restarts((desktop, &ddir), (phone, &pdir), &mode, 0..10, 10..20).await;
    server.shutdown().await.expect("relay stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lan_only_pairs_by_a_short_code_that_carries_the_lan_address() {
    if !support::in_own_network("lan_only_pairs_by_a_short_code_that_carries_the_lan_address") {
        return;
    }
    let mode = NetworkMode::LanOnly;
    let (_dir, pdir, ddir) = dirs();
    let desktop = DesktopRig::start(&ddir, &mode, Faults::default(), None).await;
    let phone = PhoneRig::new(&pdir, &mode, Faults::default()).await;
    let code = desktop.ticket().to_short_text();
    let ticket = PairingTicket::parse(&code).expect("code");
    assert_eq!(
        ticket.addrs.len(),
        1,
        "the code carries one LAN address: {code}"
    );
    assert_eq!(ticket.addrs[0].port(), desktop.port);
    pair_accepting(&desktop.node, &phone.node, &ticket)
        .await
        .expect("paired on the LAN");
    let replica = desktop.replica(phone.node.id());
    texts_reach(&phone, &replica, 0..10).await;
    desktop.node.shutdown().await;
}
