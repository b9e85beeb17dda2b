//! Who may sync, and what a bad frame does: unpaired endpoints are refused before a frame
//! is read, unpairing stops a desktop's ops at once, and malformed, unknown-version or
//! oversize frames close the connection and leave both stores as they were.

mod support;

use std::time::Duration;

use iroh::Endpoint;
use ringback_core::oplog::op::Field;
use ringback_core::store::ConversationId;
use ringback_core::sync::frame::{self, MAX_FRAME};
use ringback_core::sync::net::{self, NetworkMode};
use ringback_core::sync::node;
use ringback_core::sync::session::{self, Faults};
use support::{DesktopRig, PhoneRig, converge};

const LOOP: NetworkMode = NetworkMode::Loopback;

async fn raw_endpoint(key: iroh::SecretKey) -> Endpoint {
    net::bind(&LOOP, key, node::alpns(), None)
        .await
        .expect("bind")
}

fn desktop_addr(desktop: &DesktopRig) -> iroh::EndpointAddr {
    desktop.node.addr()
}

/// Sends `bytes` on a sync stream and waits for the other side to close; returns whether
/// it closed the connection.
async fn push_bytes(ep: &Endpoint, to: iroh::EndpointAddr, bytes: &[u8]) -> bool {
    let conn = ep.connect(to, session::ALPN).await.expect("connect");
    if let Ok((mut send, mut recv)) = conn.open_bi().await {
        let _ = send.write_all(bytes).await;
        // Read whatever comes back (a hello, perhaps) until the connection closes.
        let mut buf = vec![0u8; 64 * 1024];
        let read = async { while let Ok(Some(_)) = recv.read(&mut buf).await {} };
        let _ = tokio::time::timeout(Duration::from_secs(5), read).await;
    }
    tokio::time::timeout(Duration::from_secs(5), conn.closed())
        .await
        .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpaired_endpoint_is_refused_with_nothing_read_or_written() {
    let dir = tempfile::tempdir().expect("dir");
    let desktop = DesktopRig::start(dir.path(), &LOOP, Faults::default(), None).await;
    let stranger = raw_endpoint(iroh::SecretKey::from_bytes(&[9; 32])).await;
    let conn = stranger
        .connect(desktop_addr(&desktop), session::ALPN)
        .await
        .expect("the handshake itself completes");
    let reason = tokio::time::timeout(Duration::from_secs(5), conn.closed())
        .await
        .expect("closed at once");
    assert!(
        reason.to_string().contains("not paired"),
        "the stranger is told why: {reason}"
    );
    assert!(desktop.node.phones().is_empty(), "nothing was created");
    let entries = std::fs::read_dir(dir.path().join("phones"))
        .expect("phones dir")
        .count();
    assert_eq!(entries, 0, "no store was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_answers_no_one() {
    let dir = tempfile::tempdir().expect("dir");
    let phone = PhoneRig::new(dir.path(), &LOOP, Faults::default()).await;
    let before = phone.digest().await;
    let stranger = raw_endpoint(iroh::SecretKey::from_bytes(&[8; 32])).await;
    let addr = phone.node.addr();
    assert!(
        addr.ip_addrs().next().is_some(),
        "the attempt below must really reach the phone: {addr:?}"
    );
    let attempt = tokio::time::timeout(
        Duration::from_secs(5),
        stranger.connect(addr, session::ALPN),
    )
    .await
    .expect("answered promptly");
    assert!(
        attempt.is_err(),
        "the phone dials its desktops and accepts no one"
    );
    assert_eq!(phone.digest().await, before);
}

/// A phone paired with two desktops, on loopback.
async fn phone_and_two_desktops() -> (tempfile::TempDir, PhoneRig, DesktopRig, DesktopRig) {
    let dir = tempfile::tempdir().expect("dir");
    let (pdir, d1dir, d2dir) = (
        dir.path().join("p"),
        dir.path().join("d1"),
        dir.path().join("d2"),
    );
    for d in [&pdir, &d1dir, &d2dir] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let d1 = DesktopRig::start(&d1dir, &LOOP, Faults::default(), None).await;
    let d2 = DesktopRig::start(&d2dir, &LOOP, Faults::default(), None).await;
    let phone = PhoneRig::new(&pdir, &LOOP, Faults::default()).await;
    d1.pair(&phone).await;
    d2.pair(&phone).await;
    (dir, phone, d1, d2)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpaired_desktops_ops_stop_at_once() {
    let (_dir, phone, d1, d2) = phone_and_two_desktops().await;
    let (r1, r2) = (d1.replica(phone.node.id()), d2.replica(phone.node.id()));
    phone.text_in(1).await;
    converge(&phone, &[r1.clone(), r2.clone()], Duration::from_secs(20)).await;
    // Desktop two unpairs desktop one (the op travels through the phone).
    let d1_endpoint = d1.node.id().to_string();
    let d1_origin = r1.with(|s| s.origin().to_string());
    r2.with(|s| {
        s.write(jiff::Timestamp::now(), "unpaired", |tx| {
            tx.set_peer(&ringback_core::store::PeerRecord {
                endpoint: d1_endpoint.clone(),
                origin: d1_origin.clone(),
                role: ringback_core::oplog::op::Role::Desktop,
                name: "Front desk".into(),
                paired: false,
                changed_at: 0,
            })
        })
        .expect("unpair")
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let paired = phone
            .count("SELECT count(*) FROM peers WHERE paired = 1")
            .await;
        if paired == 1 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "unpairing never arrived"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // From now on nothing desktop one writes reaches the phone.
    r1.set_field(
        ConversationId(1),
        Field::Note("written after unpairing".into()),
    )
    .expect("note");
    r1.request_reply(Some(ConversationId(1)), None, "reply after unpairing")
        .expect("reply");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let from_d1 = phone.count("SELECT count(*) FROM requests").await;
    assert_eq!(
        from_d1, 0,
        "the unpaired desktop's reply never reached the phone"
    );
    assert!(phone.telephony.sent().is_empty());
    let note: String = phone
        .engine
        .with(|e| {
            e.store()
                .connection()
                .query_row("SELECT note FROM conversations WHERE id = 1", [], |r| {
                    r.get(0)
                })
                .expect("note")
        })
        .await
        .expect("engine");
    assert_eq!(note, "");
    let link = phone
        .node
        .peers()
        .borrow()
        .get(&d1.node.id().to_string())
        .cloned();
    assert!(
        link.is_none(),
        "the phone stopped dialing desktop one: {link:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_frames_close_the_connection_and_change_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let (pdir, ddir) = (dir.path().join("p"), dir.path().join("d"));
    std::fs::create_dir_all(&pdir).expect("mkdir");
    std::fs::create_dir_all(&ddir).expect("mkdir");
    let desktop = DesktopRig::start(&ddir, &LOOP, Faults::default(), None).await;
    let phone = PhoneRig::new(&pdir, &LOOP, Faults::default()).await;
    desktop.pair(&phone).await;
    let replica = desktop.replica(phone.node.id());
    phone.text_in(1).await;
    converge(
        &phone,
        std::slice::from_ref(&replica),
        Duration::from_secs(20),
    )
    .await;
    let (telephony, call_log) = phone.kill().await;
    let before = replica.with(|s| s.digest().expect("digest"));
    // The paired phone's own key, speaking garbage.
    let key = net::load_or_create_key(&pdir.join("phone.key")).expect("key");
    let imposter = raw_endpoint(key.clone()).await;
    let mut oversize = ((MAX_FRAME + 1) as u32).to_be_bytes().to_vec();
    oversize.push(1);
    let mut unknown_version = 3u32.to_be_bytes().to_vec();
    unknown_version.extend_from_slice(&[9, b'{', b'}']);
    let mut malformed = 6u32.to_be_bytes().to_vec();
    malformed.extend_from_slice(&[1, b'{', b'"', b'o', 0xff, b'}']);
    let hello_then_bad_op = {
        let hello = frame::encode(&session::Message::Hello {
            origin: "imposter".into(),
            role: ringback_core::oplog::op::Role::Phone,
            name: "x".into(),
            held: Default::default(),
        })
        .expect("encode");
        let mut b = hello;
        let mut bad = 10u32.to_be_bytes().to_vec();
        bad.extend_from_slice(&[1, b'{', b'"', b't', b'y', b'p', b'e', b'"', b':', b'1']);
        b.extend_from_slice(&bad);
        b
    };
    for (what, bytes) in [
        ("oversize", oversize),
        ("unknown version", unknown_version),
        ("malformed", malformed),
        (
            "hello from another phone, then a broken frame",
            hello_then_bad_op,
        ),
    ] {
        assert!(
            push_bytes(&imposter, desktop_addr(&desktop), &bytes).await,
            "{what}: the desktop closed the connection"
        );
        assert_eq!(
            replica.with(|s| s.digest().expect("digest")),
            before,
            "{what}: the desktop's store is untouched"
        );
    }
    imposter.close().await;
    // The real phone comes back and syncs as before.
    let phone = PhoneRig::start(&pdir, &LOOP, Faults::default(), telephony, call_log).await;
    phone.text_in(2).await;
    converge(
        &phone,
        std::slice::from_ref(&replica),
        Duration::from_secs(20),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desktop_that_unpairs_the_phone_is_left_alone_and_the_others_learn_it() {
    let (_dir, phone, d1, d2) = phone_and_two_desktops().await;
    let r2 = d2.replica(phone.node.id());
    phone.text_in(1).await;
    converge(
        &phone,
        &[d1.replica(phone.node.id()), r2.clone()],
        Duration::from_secs(20),
    )
    .await;

    d1.node.unpair(&phone.node.id()).expect("unpair");
    assert!(
        d1.node.phones().is_empty(),
        "revoked at once on the desktop"
    );
    let d1_endpoint = d1.node.id().to_string();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let on_d2: i64 = r2.with(|s| {
            s.connection()
                .query_row(
                    "SELECT count(*) FROM peers WHERE endpoint = ?1 AND paired = 0",
                    [&d1_endpoint],
                    |r| r.get(0),
                )
                .expect("peers")
        });
        if on_d2 == 1 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the other desktop never learned of the unpairing"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        !phone.node.peers().borrow().contains_key(&d1_endpoint),
        "the phone stopped dialing the desktop that unpaired it"
    );
}
