//! Sync over real iroh endpoints on loopback (relays off, direct addresses), and once
//! through an in-process relay: the phone and desktop replicas reach identical digests
//! through disconnects, restarts, mistreated frames and a day offline, and no reply is
//! ever sent twice or lost.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;
use ringback_core::oplog::op::Field;
use ringback_core::store::{ConversationId, ReplyDraft};
use ringback_core::sync::net::{NetworkMode, PeerLink};
use ringback_core::sync::node::PairError;
use ringback_core::sync::replica::DesktopReplica;
use ringback_core::sync::session::Faults;
use ringback_core::sync::ticket::PairingTicket;
use support::{DesktopRig, PhoneRig, converge, pair_accepting};

const LOOP: NetworkMode = NetworkMode::Loopback;

async fn paired(faults: Faults) -> (tempfile::TempDir, PhoneRig, DesktopRig, DesktopReplica) {
    let dir = tempfile::tempdir().expect("dir");
    let pdir = dir.path().join("phone");
    let ddir = dir.path().join("desktop");
    std::fs::create_dir_all(&pdir).expect("mkdir");
    std::fs::create_dir_all(&ddir).expect("mkdir");
    let desktop = DesktopRig::start(&ddir, &LOOP, faults, None).await;
    let phone = PhoneRig::new(&pdir, &LOOP, faults).await;
    let ticket = PairingTicket::parse(&desktop.ticket().to_qr_payload()).expect("ticket");
    pair_accepting(&desktop.node, &phone.node, &ticket)
        .await
        .expect("pair");
    let replica = desktop.replica(phone.node.id());
    (dir, phone, desktop, replica)
}

/// Every reply request on the desktop became exactly one message on the phone, and went out
/// at most once.
async fn assert_replies_once(phone: &PhoneRig, replica: &DesktopReplica) {
    let requests: Vec<String> = replica.with(|s| {
        let mut stmt = s
            .connection()
            .prepare("SELECT key FROM requests")
            .expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    });
    let messages = phone
        .count("SELECT count(*) FROM messages WHERE source_id IN (SELECT key FROM requests)")
        .await;
    assert_eq!(
        messages,
        requests.len() as i64,
        "every reply has its message"
    );
    let mut sent: HashMap<String, usize> = HashMap::new();
    for s in phone.telephony.sent() {
        *sent.entry(s.body.clone()).or_default() += 1;
    }
    for (body, n) in &sent {
        if body.starts_with("reply ") {
            assert_eq!(*n, 1, "“{body}” was sent {n} times");
        }
    }
    let replies_sent = sent.keys().filter(|b| b.starts_with("reply ")).count();
    // The phone's outbound policy lets at most 25 parts leave in any 30 minutes: the rest
    // wait in its outbox, in line, each with the reason the desktop shows.
    let waiting = phone
        .count(
            "SELECT count(*) FROM messages WHERE source_id IN (SELECT key FROM requests)
             AND status = 'queued' AND hold = 'volume_limit'",
        )
        .await;
    assert_eq!(
        replies_sent + usize::try_from(waiting).unwrap_or(0),
        requests.len(),
        "no reply lost: each sent once, or held with its reason"
    );
}

/// Asks for replies `reply {i}` to conversations 1 to `spread`, in turn.
fn request_replies(replica: &DesktopReplica, range: std::ops::Range<usize>, spread: i64) {
    for i in range {
        replica
            .request_reply(
                Some(ConversationId(1 + i as i64 % spread)),
                None,
                &format!("reply {i}"),
            )
            .expect("reply");
    }
}

/// The replica converges with the phone within `secs`, and every reply went out once.
async fn settle(phone: &PhoneRig, replica: &DesktopReplica, secs: u64) {
    converge(
        phone,
        std::slice::from_ref(replica),
        Duration::from_secs(secs),
    )
    .await;
    assert_replies_once(phone, replica).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairing_then_live_sync_and_a_reply_sent_once() {
    let (_dir, phone, desktop, replica) = paired(Faults::default()).await;
    phone.missed_call(1).await;
    phone.text_in(1).await;
    converge(
        &phone,
        std::slice::from_ref(&replica),
        Duration::from_secs(20),
    )
    .await;
    let id = replica
        .request_reply(Some(ConversationId(1)), None, "reply 1: on our way")
        .expect("reply");
    settle(&phone, &replica, 20).await;
    let status: String = replica.with(|s| {
        s.connection()
            .query_row(
                "SELECT m.status FROM messages m JOIN requests r ON r.key = m.source_id WHERE r.id = ?1",
                [&id],
                |r| r.get(0),
            )
            .expect("status")
    });
    assert_eq!(status, "sending", "the desktop sees the reply's status");
    let peers = desktop.node.peers().borrow().clone();
    let link = peers.values().next().expect("one phone").link.clone();
    // Loopback is this machine's own network: a direct path on the LAN, with its RTT.
    assert!(
        matches!(
            link,
            PeerLink::Lan {
                rtt_ms: Some(_),
                ..
            }
        ),
        "{link:?}"
    );
    let phone_peers = phone.node.peers().borrow().clone();
    let link = phone_peers
        .values()
        .next()
        .expect("one desktop")
        .link
        .clone();
    assert!(
        matches!(
            link,
            PeerLink::Lan {
                rtt_ms: Some(_),
                ..
            }
        ),
        "{link:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_disconnects_while_ten_thousand_ops_flow_both_ways() {
    let (_dir, phone, desktop, replica) = paired(Faults::default()).await;
    phone.text_in(0).await;
    converge(
        &phone,
        std::slice::from_ref(&replica),
        Duration::from_secs(20),
    )
    .await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The network drops every 50–200 ms, on either side.
    let chaos = {
        let stop = stop.clone();
        let phone_links = phone.node.disconnector();
        let desktop_links = desktop.node.disconnector();
        tokio::spawn(async move {
            let (mut i, mut dropped) = (0u64, 0usize);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                i += 1;
                tokio::time::sleep(Duration::from_millis(50 + (i * 37) % 151)).await;
                dropped += if i % 2 == 0 {
                    phone_links.disconnect_all()
                } else {
                    desktop_links.disconnect_all()
                };
            }
            dropped
        })
    };
    let phone_side = async {
        for i in 1..=5000 {
            phone.text_in(i).await;
        }
    };
    let desktop_side = {
        let replica = replica.clone();
        tokio::task::spawn_blocking(move || {
            for i in 0..5000u32 {
                let conversation = ConversationId(1);
                if i % 100 == 0 {
                    replica
                        .request_reply(Some(conversation), None, &format!("reply {i}"))
                        .expect("reply");
                } else {
                    replica
                        .set_field(conversation, Field::Note(format!("note {i}")))
                        .expect("note");
                }
            }
        })
    };
    let (_, d) = tokio::join!(phone_side, desktop_side);
    d.expect("desktop writes");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let dropped = chaos.await.expect("chaos");
    assert!(dropped >= 5, "the network dropped only {dropped} times");
    settle(&phone, &replica, 60).await;
    let held = replica.with(|s| s.op_count().expect("ops"));
    assert!(held >= 10_000, "only {held} ops flowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_killed_and_restarted_mid_stream() {
    let (dir, phone, _desktop, replica) = paired(Faults::default()).await;
    for i in 0..300 {
        phone.text_in(i).await;
    }
    request_replies(&replica, 0..20, 5);
    // Killed while the stream is flowing both ways.
    tokio::time::sleep(Duration::from_millis(30)).await;
    let (telephony, call_log) = phone.kill().await;
    request_replies(&replica, 20..40, 5);
    let phone = PhoneRig::start(
        &dir.path().join("phone"),
        &LOOP,
        Faults::default(),
        telephony,
        call_log,
    )
    .await;
    for i in 300..400 {
        phone.text_in(i).await;
    }
    settle(&phone, &replica, 30).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_killed_and_restarted_mid_stream() {
    let (_dir, phone, desktop, _replica) = paired(Faults::default()).await;
    let id = phone.node.id();
    for i in 0..2000 {
        phone.text_in(i).await;
    }
    let desktop = desktop.restart(&LOOP, Faults::default()).await;
    let replica = desktop.replica(id);
    request_replies(&replica, 0..10, 5);
    for i in 2000..2100 {
        phone.text_in(i).await;
    }
    settle(&phone, &replica, 30).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicated_and_reordered_frames() {
    let faults = Faults {
        duplicate_every: Some(2),
        swap_every: Some(3),
        ..Faults::default()
    };
    let (_dir, phone, _desktop, replica) = paired(faults).await;
    for i in 0..3000 {
        phone.text_in(i).await;
    }
    for i in 0..30 {
        replica
            .request_reply(Some(ConversationId(1 + i % 7)), None, &format!("reply {i}"))
            .expect("reply");
        replica
            .set_field(ConversationId(1 + i % 7), Field::Archived(i % 2 == 0))
            .expect("field");
    }
    settle(&phone, &replica, 60).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desktop_offline_for_a_day_catches_up() {
    let (_dir, phone, desktop, replica) = paired(Faults::default()).await;
    let (ddir, port) = (desktop.dir.clone(), desktop.port);
    desktop.node.shutdown().await;
    // A busy day: 400 calls and 1,500 texts while the office is closed.
    for i in 0..400 {
        phone.missed_call(i).await;
    }
    for i in 0..1500 {
        phone.text_in(i).await;
    }
    // Written offline on the desktop: a reply and a lead marked booked.
    replica
        .request_reply(Some(ConversationId(2)), None, "reply written offline")
        .expect("reply");
    drop(replica);
    let desktop = DesktopRig::start(&ddir, &LOOP, Faults::default(), Some(port)).await;
    let replica = desktop.replica(phone.node.id());
    settle(&phone, &replica, 60).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_that_arrives_after_its_expiry_fails_as_expired() {
    let (_dir, phone, _desktop, replica) = paired(Faults::default()).await;
    phone.text_in(1).await;
    converge(
        &phone,
        std::slice::from_ref(&replica),
        Duration::from_secs(20),
    )
    .await;
    let written = Timestamp::now() - jiff::SignedDuration::from_hours(25);
    replica.with(|s| {
        s.write(Timestamp::now(), "reply_requested", |tx| {
            tx.request_reply(&ReplyDraft {
                id: "late-1",
                conversation: Some(1),
                to: None,
                line: None,
                body: "reply too late",
                requested_at: written.as_millisecond(),
            })
        })
        .expect("write")
    });
    converge(
        &phone,
        std::slice::from_ref(&replica),
        Duration::from_secs(20),
    )
    .await;
    let (status, failure): (String, String) = replica.with(|s| {
        s.connection()
            .query_row(
                "SELECT m.status, m.failure FROM messages m JOIN requests r ON r.key = m.source_id
                 WHERE r.id = 'late-1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("the phone's verdict reached the desktop")
    });
    assert_eq!(status, "failed");
    assert!(failure.starts_with("expired"), "{failure}");
    assert!(
        phone.telephony.sent().is_empty(),
        "an expired reply never goes out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_serves_two_desktops_and_relays_between_them() {
    let (dir, phone, _d1, r1) = paired(Faults::default()).await;
    let d2dir = dir.path().join("desktop2");
    std::fs::create_dir_all(&d2dir).expect("mkdir");
    let d2 = DesktopRig::start(&d2dir, &LOOP, Faults::default(), None).await;
    d2.pair(&phone).await;
    let r2 = d2.replica(phone.node.id());
    phone.text_in(1).await;
    r1.set_field(ConversationId(1), Field::Note("from desk one".into()))
        .expect("note");
    r2.request_reply(Some(ConversationId(1)), None, "reply from desk two")
        .expect("reply");
    converge(&phone, &[r1.clone(), r2.clone()], Duration::from_secs(20)).await;
    let note: String = r2.with(|s| {
        s.connection()
            .query_row("SELECT note FROM conversations WHERE id = 1", [], |r| {
                r.get(0)
            })
            .expect("note")
    });
    assert_eq!(
        note, "from desk one",
        "desktop one's change reached desktop two"
    );
    assert_replies_once(&phone, &r2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_an_in_process_relay() {
    // Kept to the end of the test: the relay stops when it is dropped.
    let (_server, url) = support::loopback_relay().await;
    let relay_host = url.host_str().expect("a host").to_string();
    let mode = NetworkMode::RelayOnly(url);
    let dir = tempfile::tempdir().expect("dir");
    let pdir = dir.path().join("phone");
    let ddir = dir.path().join("desktop");
    std::fs::create_dir_all(&pdir).expect("mkdir");
    std::fs::create_dir_all(&ddir).expect("mkdir");
    let desktop = DesktopRig::start(&ddir, &mode, Faults::default(), None).await;
    let phone = PhoneRig::new(&pdir, &mode, Faults::default()).await;
    desktop.node.online().await;
    desktop.pair(&phone).await;
    let replica = desktop.replica(phone.node.id());
    for i in 0..200 {
        phone.text_in(i).await;
    }
    replica
        .request_reply(Some(ConversationId(1)), None, "reply via relay")
        .expect("reply");
    settle(&phone, &replica, 30).await;
    let link = desktop
        .node
        .peers()
        .borrow()
        .values()
        .next()
        .expect("phone")
        .link
        .clone();
    // The link names the in-process relay by its host, with a measured RTT, since it began.
    match link {
        PeerLink::Relay {
            relay,
            rtt_ms,
            since_ms,
        } => {
            assert_eq!(relay, relay_host, "the relay named is the one in use");
            assert!(rtt_ms.is_some(), "an RTT is measured through the relay");
            assert!(since_ms > 0 && since_ms <= jiff::Timestamp::now().as_millisecond());
        }
        other => panic!("expected a relayed link, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_replayed_and_expired_pairing_codes_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let desktop = DesktopRig::start(dir.path(), &LOOP, Faults::default(), None).await;
    let p1 = tempfile::tempdir().expect("dir");
    let phone = PhoneRig::new(p1.path(), &LOOP, Faults::default()).await;
    let mut wrong = desktop.ticket();
    wrong.secret[0] ^= 1;
    let err = phone.node.pair(&wrong).await.expect_err("wrong secret");
    assert!(
        matches!(err, PairError::Refused(ref r) if r.contains("wrong")),
        "{err}"
    );
    let ticket = desktop.ticket();
    pair_accepting(&desktop.node, &phone.node, &ticket)
        .await
        .expect("first use");
    let p2 = tempfile::tempdir().expect("dir");
    let other = PhoneRig::new(p2.path(), &LOOP, Faults::default()).await;
    let err = other.node.pair(&ticket).await.expect_err("replayed");
    assert!(
        matches!(err, PairError::Refused(ref r) if r.contains("used already")),
        "{err}"
    );
    let expired = desktop
        .node
        .ticket_expiring_at(Timestamp::now() - jiff::SignedDuration::from_secs(1));
    let err = other.node.pair(&expired).await.expect_err("expired");
    assert!(
        matches!(err, PairError::Refused(ref r) if r.contains("expired")),
        "{err}"
    );
    assert_eq!(
        desktop.node.phones().len(),
        1,
        "only the first phone was paired"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desktop_holds_two_phones_each_in_its_own_replica() {
    let (dir, p1, desktop, r1) = paired(Faults::default()).await;
    let p2dir = dir.path().join("phone2");
    std::fs::create_dir_all(&p2dir).expect("mkdir");
    let p2 = PhoneRig::new(&p2dir, &LOOP, Faults::default()).await;
    desktop.pair(&p2).await;
    let r2 = desktop.replica(p2.node.id());
    p1.text_in(1).await;
    p2.missed_call(2).await;
    converge(&p1, std::slice::from_ref(&r1), Duration::from_secs(20)).await;
    converge(&p2, std::slice::from_ref(&r2), Duration::from_secs(20)).await;
    assert_ne!(p1.digest().await, p2.digest().await);
    assert_eq!(desktop.node.phones().len(), 2);
    r2.request_reply(
        Some(ConversationId(1)),
        None,
        "reply from the second phone's line",
    )
    .expect("reply");
    settle(&p2, &r2, 20).await;
    assert!(
        p1.telephony
            .sent()
            .iter()
            .all(|s| !s.body.starts_with("reply ")),
        "a reply goes out on its own phone only"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_assistants_lead_card_booking_and_hand_off_reach_the_desktop() {
    use ringback_core::assistant::AssistantStatus;
    use ringback_core::conversation::LeadStatus;
    use ringback_core::ports::memory::{MemoryCallLog, MemoryTelephony, ScriptedModel};
    use ringback_core::{InboundSms, Line, PlatformEvent, Settings};

    let dir = tempfile::tempdir().expect("dir");
    let (pdir, ddir) = (dir.path().join("phone"), dir.path().join("desktop"));
    std::fs::create_dir_all(&pdir).expect("mkdir");
    std::fs::create_dir_all(&ddir).expect("mkdir");
    let settings = Settings::from_value(&serde_json::json!({
        "business_name": "Acme Plumbing",
        "business_hours": {"mon": [], "tue": [], "wed": [], "thu": [], "fri": [], "sat": [], "sun": []},
        "assistant": {"mode": "auto", "base_url": "http://127.0.0.1:9/v1", "model": "scripted",
                      "availability": {"mon": ["08:00-18:00"], "tue": ["08:00-18:00"],
                          "wed": ["08:00-18:00"], "thu": ["08:00-18:00"], "fri": ["08:00-18:00"],
                          "sat": ["08:00-18:00"], "sun": ["08:00-18:00"]}}
    }))
    .expect("settings");
    // The model: books the first slot the prompt offers, exactly as offered.
    let model = ScriptedModel::new(|job| {
        let system = &job.messages[0].content;
        let slots = system
            .lines()
            .find_map(|l| l.strip_prefix("Free appointment slots: "))
            .ok_or("no slots offered")?;
        let first = slots.split("; ").next().ok_or("no slot")?.to_string();
        Ok(
            serde_json::json!({"reply": format!("Booked you for {first}."),
            "problem": "Leak", "postcode": "10001", "book_slot": first})
            .to_string(),
        )
    });
    let desktop = DesktopRig::start(&ddir, &LOOP, Faults::default(), None).await;
    let phone = PhoneRig::start_with(
        &pdir,
        &LOOP,
        Faults::default(),
        (MemoryTelephony::new(), MemoryCallLog::new()),
        &settings,
        model,
    )
    .await;
    let ticket = PairingTicket::parse(&desktop.ticket().to_qr_payload()).expect("ticket");
    pair_accepting(&desktop.node, &phone.node, &ticket)
        .await
        .expect("pair");
    let replica = desktop.replica(phone.node.id());
    phone
        .engine
        .event(PlatformEvent::SmsReceived(InboundSms {
            source_id: Some("sms-1".into()),
            from: "+12125550123".into(),
            body: "Leak in my kitchen, 10001".into(),
            line: Line::default(),
            at: Timestamp::now(),
        }))
        .await
        .expect("engine")
        .expect("event");
    // The answer comes on its own task: wait for it on the phone, then for the desktop.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while phone
        .count("SELECT count(*) FROM messages WHERE kind = 'assistant'")
        .await
        == 0
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the assistant never answered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    converge(
        &phone,
        std::slice::from_ref(&replica),
        Duration::from_secs(20),
    )
    .await;
    let (detail, appointments) = replica.with(|s| {
        (
            s.conversation(ConversationId(1))
                .expect("read")
                .expect("conversation"),
            s.appointments(Timestamp::now(), 10).expect("appointments"),
        )
    });
    assert_eq!(detail.lead_card, "Leak · 10001");
    assert_eq!(detail.lead_status, LeadStatus::Booked);
    assert_eq!(
        detail.assistant.as_ref().map(|s| s.status),
        Some(AssistantStatus::Answered)
    );
    assert_eq!(appointments.len(), 1);
    assert_eq!(appointments[0].summary, "Leak · 10001");
    assert_eq!(phone.telephony.sent().len(), 1);
    assert!(
        phone.telephony.sent()[0]
            .body
            .starts_with("Booked you for ")
    );

    // A person answers from the desktop: the phone hands the conversation off.
    replica
        .request_reply(Some(ConversationId(1)), None, "reply 1: see you then")
        .expect("reply");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        converge(
            &phone,
            std::slice::from_ref(&replica),
            Duration::from_secs(20),
        )
        .await;
        let state = replica.with(|s| {
            s.conversation(ConversationId(1))
                .expect("read")
                .and_then(|c| c.assistant)
        });
        if state.as_ref().map(|s| s.status) == Some(AssistantStatus::HandedOff) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no hand-off: {state:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
