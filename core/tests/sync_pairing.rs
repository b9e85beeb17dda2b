//! Pairing needs a person on both ends: a correct code alone pairs nothing until someone at
//! the desktop accepts the phone's name and fingerprint; a rejected or unanswered phone is
//! told why and nothing is kept; a new code voids the older ones and no code works before
//! one is shown; pairing connections have deadlines and a cap, tried from raw endpoints.

mod support;

use std::future::Future;
use std::time::Duration;

use iroh::Endpoint;
use iroh::endpoint::Connection;
use ringback_core::store::PeerRecord;
use ringback_core::sync::net::{self, NetworkMode};
use ringback_core::sync::node::{self, PAIR_ALPN, PairError};
use ringback_core::sync::pairing::{DecisionError, PairingLimits, PairingRequest};
use ringback_core::sync::session::Faults;
use ringback_core::sync::ticket::PairingTicket;
use support::{DesktopRig, PhoneRig, converge, pair_accepting};

const LOOP: NetworkMode = NetworkMode::Loopback;

struct Rig {
    _dir: tempfile::TempDir,
    desktop: DesktopRig,
    phone: PhoneRig,
}

async fn rig(limits: PairingLimits) -> Rig {
    let dir = tempfile::tempdir().expect("dir");
    let (pdir, ddir) = (dir.path().join("phone"), dir.path().join("desktop"));
    std::fs::create_dir_all(&pdir).expect("mkdir");
    std::fs::create_dir_all(&ddir).expect("mkdir");
    let desktop = DesktopRig::start_with(&ddir, &LOOP, Faults::default(), None, limits).await;
    let phone = PhoneRig::new(&pdir, &LOOP, Faults::default()).await;
    Rig {
        _dir: dir,
        desktop,
        phone,
    }
}

/// Whether the desktop made any replica folder.
fn replica_folders(desktop: &DesktopRig) -> usize {
    std::fs::read_dir(desktop.dir.join("phones"))
        .map(|d| d.count())
        .unwrap_or(0)
}

type Paired = Result<PeerRecord, PairError>;

/// Drives the phone's pairing `pair` until the desktop lists the phone as waiting; panics
/// if the pairing ends first (as it did when a code alone paired).
async fn until_listed(
    rig: &Rig,
    pair: &mut (impl Future<Output = Paired> + Unpin),
) -> PairingRequest {
    let mut requests = rig.desktop.node.pairing_requests();
    let id = rig.phone.node.id();
    let listed = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::select! {
            result = pair => panic!("the pairing ended without a person at the desktop: {result:?}"),
            listed = requests.wait_for(|l| l.iter().any(|r| r.endpoint == id)) => {
                listed.expect("the desktop runs").clone()
            }
        }
    })
    .await
    .expect("listed within 20 s");
    listed
        .into_iter()
        .find(|r| r.endpoint == id)
        .expect("listed")
}

/// The end of a pairing, at most 20 s away.
async fn heard_back(pair: &mut (impl Future<Output = Paired> + Unpin)) -> Paired {
    tokio::time::timeout(Duration::from_secs(20), pair)
        .await
        .expect("the phone heard back")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_code_pairs_nothing_until_a_person_accepts_the_phone() {
    let rig = rig(PairingLimits::default()).await;
    let ticket = rig.desktop.ticket();
    let pair = rig.phone.node.pair(&ticket);
    tokio::pin!(pair);
    let request = until_listed(&rig, &mut pair).await;
    let id = rig.phone.node.id();
    assert_eq!(request.name, "Owner's phone");
    assert_eq!(
        request.fingerprint,
        rig.phone.node.fingerprint(),
        "the desktop shows the fingerprint the phone shows"
    );
    // The code checked out, and still nothing is paired: no replica, no sync.
    assert!(
        tokio::time::timeout(Duration::from_millis(500), &mut pair)
            .await
            .is_err(),
        "the phone waits for the person"
    );
    assert!(rig.desktop.node.phones().is_empty(), "no replica yet");
    assert_eq!(replica_folders(&rig.desktop), 0, "no store was written");
    assert_eq!(
        rig.phone.count("SELECT count(*) FROM peers").await,
        0,
        "the phone records no desktop"
    );
    rig.desktop.node.accept_pairing(&id).expect("accept");
    let record = heard_back(&mut pair).await.expect("paired once accepted");
    assert_eq!(record.name, "Front desk");
    assert!(
        rig.desktop.node.pairing_requests().borrow().is_empty(),
        "off the list"
    );
    let replica = rig.desktop.replica(id);
    rig.phone.text_in(1).await;
    converge(
        &rig.phone,
        std::slice::from_ref(&replica),
        Duration::from_secs(20),
    )
    .await;
    let peer = rig
        .desktop
        .node
        .peers()
        .borrow()
        .get(&id.to_string())
        .cloned()
        .expect("listed as paired");
    assert_eq!(peer.name, "Owner's phone");
    // The name outlives a restart of the desktop.
    let desktop = rig.desktop.restart(&LOOP, Faults::default()).await;
    let peer = desktop
        .node
        .peers()
        .borrow()
        .get(&id.to_string())
        .cloned()
        .expect("still paired");
    assert_eq!(peer.name, "Owner's phone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_phone_is_told_why_and_nothing_is_kept() {
    let rig = rig(PairingLimits::default()).await;
    let ticket = rig.desktop.ticket();
    let pair = rig.phone.node.pair(&ticket);
    tokio::pin!(pair);
    let request = until_listed(&rig, &mut pair).await;
    assert_eq!(
        rig.desktop.node.accept_pairing(&rig.desktop.node.id()),
        Err(DecisionError::NotWaiting),
        "only a waiting phone can be accepted"
    );
    rig.desktop
        .node
        .reject_pairing(&request.endpoint)
        .expect("reject");
    let err = heard_back(&mut pair).await.expect_err("rejected");
    assert!(
        matches!(err, PairError::Refused(ref r) if r.contains("declined")),
        "the phone is told why: {err}"
    );
    assert!(rig.desktop.node.phones().is_empty());
    assert_eq!(replica_folders(&rig.desktop), 0);
    assert_eq!(rig.phone.count("SELECT count(*) FROM peers").await, 0);
    // The code was used: it pairs no one else, not even after the rejection.
    let err = rig.phone.node.pair(&ticket).await.expect_err("used");
    assert!(
        matches!(err, PairError::Refused(ref r) if r.contains("used already")),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_code_voids_the_older_ones_and_none_works_before_one_is_shown() {
    let rig = rig(PairingLimits::default()).await;
    // No code shown yet: a guessed one is refused before a frame is read.
    let addr = rig.desktop.node.addr();
    let guessed = PairingTicket {
        endpoint: rig.desktop.node.id(),
        addrs: addr.ip_addrs().copied().collect(),
        relay: None,
        secret: [7; 16],
        expires_at_ms: 0,
    };
    let err = rig.phone.node.pair(&guessed).await.expect_err("no code");
    assert!(
        matches!(err, PairError::Refused(ref r) if r.contains("not showing a pairing code")),
        "{err}"
    );
    let old = rig.desktop.ticket();
    let new = rig.desktop.ticket();
    let err = rig.phone.node.pair(&old).await.expect_err("voided");
    assert!(
        matches!(err, PairError::Refused(ref r) if r.contains("replaced by a newer one")),
        "{err}"
    );
    assert!(rig.desktop.node.pairing_requests().borrow().is_empty());
    // Cancelled on the desktop: the newest stops working too.
    rig.desktop.node.void_tickets();
    assert!(rig.desktop.node.current_ticket().is_none());
    let err = rig.phone.node.pair(&new).await.expect_err("cancelled");
    assert!(matches!(err, PairError::Refused(_)), "{err}");
    let newest = rig.desktop.ticket();
    assert_eq!(rig.desktop.node.current_ticket(), Some(newest.clone()));
    pair_accepting(&rig.desktop.node, &rig.phone.node, &newest)
        .await
        .expect("the newest code pairs");
    assert_eq!(rig.desktop.node.phones().len(), 1);
    assert!(
        rig.desktop.node.current_ticket().is_none(),
        "a used code is no longer shown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_answering_refuses_the_phone_in_time() {
    let limits = PairingLimits {
        approval: Duration::from_millis(300),
        ..PairingLimits::default()
    };
    let rig = rig(limits).await;
    let ticket = rig.desktop.ticket();
    let pair = rig.phone.node.pair(&ticket);
    tokio::pin!(pair);
    until_listed(&rig, &mut pair).await;
    let err = heard_back(&mut pair).await.expect_err("nobody answered");
    assert!(
        matches!(err, PairError::Refused(ref r) if r.contains("nobody accepted")),
        "{err}"
    );
    assert!(rig.desktop.node.pairing_requests().borrow().is_empty());
    assert!(rig.desktop.node.phones().is_empty());

    // The whole exchange has its own deadline, even while a person could still answer.
    let limits = PairingLimits {
        approval: Duration::from_secs(60),
        exchange: Duration::from_millis(800),
        ..PairingLimits::default()
    };
    let rig = self::rig(limits).await;
    let ticket = rig.desktop.ticket();
    let pair = rig.phone.node.pair(&ticket);
    tokio::pin!(pair);
    until_listed(&rig, &mut pair).await;
    let err = heard_back(&mut pair).await.expect_err("too long");
    assert!(
        matches!(err, PairError::Refused(ref r) if r.contains("took too long")),
        "{err}"
    );
    assert!(rig.desktop.node.pairing_requests().borrow().is_empty());
    assert!(rig.desktop.node.phones().is_empty());
}

async fn raw_endpoint(seed: u8) -> Endpoint {
    net::bind(
        &LOOP,
        iroh::SecretKey::from_bytes(&[seed; 32]),
        node::alpns(),
        None,
    )
    .await
    .expect("bind")
}

/// Waits until `conn` is closed, at most `within`; returns the reason.
async fn closed_within(conn: &Connection, within: Duration) -> Option<String> {
    tokio::time::timeout(within, conn.closed())
        .await
        .ok()
        .map(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairing_connections_time_out_and_are_capped_and_pairing_still_works() {
    let limits = PairingLimits {
        request: Duration::from_secs(3),
        connections: 2,
        ..PairingLimits::default()
    };
    let rig = rig(limits).await;
    let addr = rig.desktop.node.addr();
    // No code shown: closed at once, nothing read.
    let early = raw_endpoint(30).await;
    let conn = early
        .connect(addr.clone(), PAIR_ALPN)
        .await
        .expect("handshake");
    let why = closed_within(&conn, Duration::from_secs(5))
        .await
        .expect("closed at once");
    assert!(why.contains("not showing a pairing code"), "{why}");

    let ticket = rig.desktop.ticket();
    // Two peers hold pairing connections open without a word.
    let (e1, e2, e3) = (
        raw_endpoint(31).await,
        raw_endpoint(32).await,
        raw_endpoint(33).await,
    );
    let c1 = e1.connect(addr.clone(), PAIR_ALPN).await.expect("c1");
    let c2 = e2.connect(addr.clone(), PAIR_ALPN).await.expect("c2");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while rig.desktop.node.pairing_connections() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the desktop took both"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // A third is closed at once: the cap holds.
    let c3 = e3.connect(addr.clone(), PAIR_ALPN).await.expect("c3");
    let why = closed_within(&c3, Duration::from_secs(2))
        .await
        .expect("the third is closed at once");
    assert!(why.contains("busy"), "{why}");
    assert!(
        c1.close_reason().is_none() && c2.close_reason().is_none(),
        "the first two were still open then"
    );
    assert_eq!(rig.desktop.node.pairing_connections(), 2);
    // The silent ones are closed at the request deadline.
    for c in [&c1, &c2] {
        let why = closed_within(c, Duration::from_secs(15))
            .await
            .expect("closed at the deadline");
        assert!(why.contains("no pairing request arrived"), "{why}");
    }
    // One that sends half a request and stalls, and one that announces a huge request,
    // fare no better.
    let c4 = e1.connect(addr.clone(), PAIR_ALPN).await.expect("c4");
    let (mut s4, _r4) = c4.open_bi().await.expect("stream");
    s4.write_all(&200u32.to_be_bytes()).await.expect("header");
    s4.write_all(&[1, b'{']).await.expect("a byte");
    let c5 = e2.connect(addr.clone(), PAIR_ALPN).await.expect("c5");
    let (mut s5, _r5) = c5.open_bi().await.expect("stream");
    s5.write_all(&(1u32 << 20).to_be_bytes())
        .await
        .expect("header");
    let _ = s5.write_all(&vec![b' '; 64 * 1024]).await;
    for c in [&c4, &c5] {
        assert!(
            closed_within(c, Duration::from_secs(15)).await.is_some(),
            "closed"
        );
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while rig.desktop.node.pairing_connections() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "every place was freed"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(rig.desktop.node.phones().is_empty());
    assert_eq!(replica_folders(&rig.desktop), 0);
    // The code survived all that, and a real phone pairs with it.
    pair_accepting(&rig.desktop.node, &rig.phone.node, &ticket)
        .await
        .expect("a legitimate pairing still works");
    assert_eq!(rig.desktop.node.phones().len(), 1);
    for e in [early, e1, e2, e3] {
        e.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paired_phone_that_pairs_again_keeps_its_replica() {
    let rig = rig(PairingLimits::default()).await;
    rig.desktop.pair(&rig.phone).await;
    let id = rig.phone.node.id();
    let replica = rig.desktop.replica(id);
    rig.phone.text_in(1).await;
    converge(
        &rig.phone,
        std::slice::from_ref(&replica),
        Duration::from_secs(20),
    )
    .await;
    rig.desktop.pair(&rig.phone).await;
    assert_eq!(rig.desktop.node.phones().len(), 1);
    rig.phone.text_in(2).await;
    converge(
        &rig.phone,
        &[replica, rig.desktop.replica(id)],
        Duration::from_secs(20),
    )
    .await;
}
