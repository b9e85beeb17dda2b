//! Sessions over in-memory byte streams: the protocol alone, without a network. The iroh
//! tests (`sync_iroh.rs`) run the same sessions over real endpoints.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use ringback_core::engine::replica::PhoneReplica;
use ringback_core::engine::service::{self, EngineHandle};
use ringback_core::oplog::op::{Field, Role};
use ringback_core::ports::memory::{MemoryCallLog, MemoryContacts, MemoryTelephony, SystemClock};
use ringback_core::store::{ConversationId, PeerRecord};
use ringback_core::sync::replica::DesktopReplica;
use ringback_core::sync::session::{self, Faults, Hello, SessionStats};
use ringback_core::{InboundSms, Line, PlatformEvent, Ports, Settings, Store};
use serde_json::json;

struct Phone {
    engine: EngineHandle,
    telephony: Arc<MemoryTelephony>,
    _dir: tempfile::TempDir,
}

fn settings() -> Settings {
    Settings::from_value(&json!({"business_name": "Acme Plumbing"})).expect("settings")
}

async fn phone() -> Phone {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(&dir.path().join("phone.db")).expect("store");
    store.set_phone_origin(store.origin()).expect("origin");
    let telephony = MemoryTelephony::new();
    let ports = Ports {
        telephony: telephony.clone(),
        call_log: MemoryCallLog::new(),
        contacts: MemoryContacts::new(),
        clock: Arc::new(SystemClock),
    };
    let engine = ringback_core::Engine::open(store, ports, &settings()).expect("engine");
    let (engine, _task) = service::spawn(engine);
    Phone {
        engine,
        telephony,
        _dir: dir,
    }
}

fn desktop(dir: &tempfile::TempDir, name: &str) -> DesktopReplica {
    DesktopReplica::open(&dir.path().join(format!("{name}.db"))).expect("desktop")
}

/// Runs a session between the phone and a desktop over an in-memory pipe until dropped.
fn connect(phone: &Phone, desktop: &DesktopReplica, faults: Faults) -> tokio::task::JoinHandle<()> {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let (ar, aw) = tokio::io::split(a);
    let (br, bw) = tokio::io::split(b);
    let phone_replica = PhoneReplica::new(phone.engine.clone());
    let desktop = desktop.clone();
    let engine = phone.engine.clone();
    tokio::spawn(async move {
        let phone_origin = engine
            .with(|e| e.store().origin().to_string())
            .await
            .expect("origin");
        let desktop_origin = desktop.with(|s| s.origin().to_string());
        let peer = PeerRecord {
            endpoint: format!("desk-{desktop_origin}"),
            origin: desktop_origin.clone(),
            role: Role::Desktop,
            name: "desk".into(),
            paired: true,
            changed_at: 0,
        };
        engine
            .with(move |e| {
                e.store_mut()
                    .write(Timestamp::now(), "paired", |tx| tx.set_peer(&peer))
            })
            .await
            .expect("engine")
            .expect("peer");
        let stats = Arc::new(Mutex::new(SessionStats::default()));
        let p = session::run_with_faults(
            phone_replica,
            Hello {
                origin: phone_origin,
                role: Role::Phone,
                name: "phone".into(),
            },
            ar,
            aw,
            |_| Ok(()),
            faults,
            stats.clone(),
        );
        let d = session::run_with_faults(
            desktop,
            Hello {
                origin: desktop_origin,
                role: Role::Desktop,
                name: "desk".into(),
            },
            br,
            bw,
            |_| Ok(()),
            faults,
            stats,
        );
        let _ = tokio::join!(p, d);
    })
}

async fn phone_digest(phone: &Phone) -> String {
    phone
        .engine
        .with(|e| e.store().digest().expect("digest"))
        .await
        .expect("engine")
}

async fn converge(phone: &Phone, desktops: &[&DesktopReplica]) {
    for _ in 0..500 {
        let p = phone_digest(phone).await;
        if desktops
            .iter()
            .all(|d| d.with(|s| s.digest().expect("digest")) == p)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let p = phone
        .engine
        .with(|e| e.store().version_vector().clone())
        .await
        .expect("engine");
    let d: Vec<_> = desktops
        .iter()
        .map(|d| d.with(|s| s.version_vector().clone()))
        .collect();
    panic!("replicas did not converge: phone holds {p:?}, desktops {d:?}");
}

async fn text_in(phone: &Phone, i: usize) {
    phone
        .engine
        .event(PlatformEvent::SmsReceived(InboundSms {
            source_id: Some(format!("sms-{i}")),
            from: format!("+1212555{:04}", i % 50),
            body: format!("message {i} 💧"),
            line: Line::default(),
            at: Timestamp::now(),
        }))
        .await
        .expect("engine")
        .expect("event");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_catches_up_then_follows_live_and_replies_go_out_once() {
    let phone = phone().await;
    let dir = tempfile::tempdir().expect("dir");
    let desk = desktop(&dir, "desk");
    for i in 0..40 {
        text_in(&phone, i).await;
    }
    let link = connect(&phone, &desk, Faults::default());
    converge(&phone, &[&desk]).await;
    for i in 40..60 {
        text_in(&phone, i).await;
    }
    converge(&phone, &[&desk]).await;
    let conversation = ConversationId(1);
    let request = desk
        .request_reply(Some(conversation), None, "On our way 🚐")
        .expect("request");
    desk.set_field(conversation, Field::Note("gate code 1234".into()))
        .expect("note");
    converge(&phone, &[&desk]).await;
    let sent = phone.telephony.sent();
    assert_eq!(sent.len(), 1, "the reply is sent once: {sent:?}");
    assert_eq!(sent[0].body, "On our way 🚐");
    let status = desk.with(|s| {
        s.connection()
            .query_row(
                "SELECT m.status FROM messages m JOIN requests r ON r.key = m.source_id WHERE r.id = ?1",
                [&request],
                |r| r.get::<_, String>(0),
            )
            .expect("message on the desktop")
    });
    assert_eq!(status, "sending");
    link.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicated_and_reordered_frames_converge() {
    let phone = phone().await;
    let dir = tempfile::tempdir().expect("dir");
    let desk = desktop(&dir, "desk");
    for i in 0..2000 {
        text_in(&phone, i).await;
    }
    let faults = Faults {
        duplicate_every: Some(3),
        swap_every: Some(4),
        ..Faults::default()
    };
    let link = connect(&phone, &desk, faults);
    converge(&phone, &[&desk]).await;
    // A catch-up indexes its messages for search once the stream pauses.
    let mut found = Vec::new();
    for _ in 0..100 {
        found = desk.with(|s| s.search("message 1999", 5).expect("search"));
        if !found.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        found.len(),
        1,
        "the last message is searchable on the desktop"
    );
    link.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_settings_from_a_desktop_are_refused_with_the_field_named() {
    let dir = tempfile::tempdir().expect("dir");
    let desk = desktop(&dir, "desk");
    let err = desk
        .change_settings(&json!({"text_back": {"delay_seconds": 99999}}))
        .expect_err("invalid");
    assert!(err.to_string().contains("text_back.delay_seconds"), "{err}");
    assert_eq!(desk.with(|s| s.op_count().expect("count")), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_refuses_invalid_settings_from_a_desktop_too() {
    use ringback_core::oplog::hlc::Hlc;
    use ringback_core::oplog::op::{Change, Op};
    let phone = phone().await;
    let origin = "desk-origin".to_string();
    let peer = PeerRecord {
        endpoint: "desk".into(),
        origin: origin.clone(),
        role: Role::Desktop,
        name: "desk".into(),
        paired: true,
        changed_at: 0,
    };
    phone
        .engine
        .with(move |e| {
            e.store_mut()
                .write(Timestamp::now(), "paired", |tx| tx.set_peer(&peer))
        })
        .await
        .expect("engine")
        .expect("peer");
    let settings = |doc: serde_json::Value, seq: u64| Op {
        origin: origin.clone(),
        seq,
        hlc: Hlc {
            millis: Timestamp::now().as_millisecond(),
            counter: seq as u32,
        },
        changes: vec![Change::Settings { document: doc }],
    };
    let delay = |phone: &Phone| {
        let engine = phone.engine.clone();
        async move {
            engine
                .with(|e| e.config().map(|c| c.settings.text_back.delay_seconds))
                .await
                .expect("engine")
        }
    };
    let invalid = json!({"business_name": "Acme Plumbing", "text_back": {"delay_seconds": 99999}});
    phone
        .engine
        .apply_remote(vec![settings(invalid, 1)], origin.clone(), Role::Desktop)
        .await
        .expect("engine")
        .expect("the op is taken, its settings are not");
    assert_eq!(
        delay(&phone).await,
        Some(0),
        "the invalid settings were refused"
    );
    let valid = json!({"business_name": "Acme Plumbing", "text_back": {"delay_seconds": 45}});
    phone
        .engine
        .apply_remote(vec![settings(valid, 2)], origin, Role::Desktop)
        .await
        .expect("engine")
        .expect("apply");
    assert_eq!(
        delay(&phone).await,
        Some(45),
        "valid settings from a desktop take force"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_to_a_number_that_texted_stop_fails_with_the_reason_on_the_desktop() {
    let phone = phone().await;
    let dir = tempfile::tempdir().expect("dir");
    let desk = desktop(&dir, "desk");
    phone
        .engine
        .event(PlatformEvent::SmsReceived(InboundSms {
            source_id: Some("stop-1".into()),
            from: "+12125550177".into(),
            body: "STOP".into(),
            line: Line::default(),
            at: Timestamp::now(),
        }))
        .await
        .expect("engine")
        .expect("event");
    let link = connect(&phone, &desk, Faults::default());
    converge(&phone, &[&desk]).await;
    let before = phone.telephony.sent().len();
    let id = desk
        .request_reply(Some(ConversationId(1)), None, "Are you still there?")
        .expect("request");
    converge(&phone, &[&desk]).await;
    assert_eq!(
        phone.telephony.sent().len(),
        before,
        "nothing went to an opted-out number"
    );
    let (status, failure): (String, String) = desk.with(|s| {
        s.connection()
            .query_row(
                "SELECT m.status, m.failure FROM messages m JOIN requests r ON r.key = m.source_id WHERE r.id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("the verdict reached the desktop")
    });
    assert_eq!(status, "failed");
    assert!(failure.contains("STOP"), "{failure}");
    link.abort();
}

/// Runs one session with each side's own faults; returns each side's result and stats.
async fn session_pair(
    phone: &Phone,
    desktop: &DesktopReplica,
    phone_faults: Faults,
    desktop_faults: Faults,
    within: Duration,
) -> (
    Option<Result<(), session::SyncError>>,
    Option<Result<(), session::SyncError>>,
    SessionStats,
    SessionStats,
) {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let (ar, aw) = tokio::io::split(a);
    let (br, bw) = tokio::io::split(b);
    let phone_stats = Arc::new(Mutex::new(SessionStats::default()));
    let desk_stats = Arc::new(Mutex::new(SessionStats::default()));
    let hello = |origin: String, role, name: &str| Hello {
        origin,
        role,
        name: name.into(),
    };
    let phone_origin = phone
        .engine
        .with(|e| e.store().origin().to_string())
        .await
        .expect("origin");
    let desk_origin = desktop.with(|s| s.origin().to_string());
    let p = tokio::time::timeout(
        within,
        session::run_with_faults(
            PhoneReplica::new(phone.engine.clone()),
            hello(phone_origin, Role::Phone, "phone"),
            ar,
            aw,
            |_| Ok(()),
            phone_faults,
            phone_stats.clone(),
        ),
    );
    let d = tokio::time::timeout(
        within,
        session::run_with_faults(
            desktop.clone(),
            hello(desk_origin, Role::Desktop, "desk"),
            br,
            bw,
            |_| Ok(()),
            desktop_faults,
            desk_stats.clone(),
        ),
    );
    let (p, d) = tokio::join!(p, d);
    let phone_stats = phone_stats.lock().expect("stats").clone();
    let desk_stats = desk_stats.lock().expect("stats").clone();
    (p.ok(), d.ok(), phone_stats, desk_stats)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_keep_an_idle_session_and_a_silent_phone_is_noticed() {
    let beat = Faults {
        heartbeat_every: Some(Duration::from_millis(40)),
        ..Faults::default()
    };
    let dir = tempfile::tempdir().expect("dir");
    let desk = desktop(&dir, "desk");
    // Nothing to sync for a while: both sides stay, hearing each other's heartbeats.
    let idle = phone().await;
    let (p, d, ps, ds) = session_pair(&idle, &desk, beat, beat, Duration::from_millis(600)).await;
    // The first side whose time is up drops its end of the pipe; neither went silent.
    for side in [&p, &d] {
        assert!(
            !matches!(side, Some(Err(session::SyncError::Silent))),
            "{p:?} {d:?}"
        );
    }
    assert!(p.is_none() || d.is_none(), "{p:?} {d:?}");
    assert!(ps.heartbeats >= 5 && ds.heartbeats >= 5, "{ps:?} {ds:?}");
    assert!(ds.last_heard_ms.is_some());

    // A phone that hangs without closing (the system froze the app): the desktop gives up
    // after three missed heartbeats and says the phone went silent.
    let frozen = phone().await;
    let desk2 = desktop(&dir, "desk2");
    let mute = Faults { mute: true, ..beat };
    let started = Timestamp::now();
    let (_, d, _, ds) = session_pair(&frozen, &desk2, mute, beat, Duration::from_secs(5)).await;
    let err = d
        .expect("the desktop ended the session")
        .expect_err("silent");
    assert!(matches!(err, session::SyncError::Silent), "{err}");
    assert!(err.to_string().contains("went silent"));
    assert_eq!(ds.heartbeats, 0);
    let heard = ds.last_heard_ms.expect("the hello was heard");
    assert!(heard >= started.as_millisecond());
}

/// A peer that says it holds everything, then asks again and again for "everything after
/// nothing": the phone resends nothing it already knows the peer holds, however often it
/// is asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_need_claiming_nothing_makes_the_phone_resend_nothing() {
    use ringback_core::sync::session::{FrameReader, Message, write_message};
    let phone = phone().await;
    for i in 0..300 {
        text_in(&phone, i).await;
    }
    let desk_origin = "d35c0000000000000000000000000009".to_string();
    let peer = PeerRecord {
        endpoint: "desk-need".into(),
        origin: desk_origin.clone(),
        role: Role::Desktop,
        name: "desk".into(),
        paired: true,
        changed_at: 0,
    };
    phone
        .engine
        .with(move |e| {
            e.store_mut()
                .write(Timestamp::now(), "paired", |tx| tx.set_peer(&peer))
        })
        .await
        .expect("engine")
        .expect("peer");
    let held = phone
        .engine
        .with(|e| e.store().version_vector().clone())
        .await
        .expect("engine");
    let (a, b) = tokio::io::duplex(64 * 1024);
    let (ar, aw) = tokio::io::split(a);
    let (br, mut bw) = tokio::io::split(b);
    let replica = PhoneReplica::new(phone.engine.clone());
    let origin = phone
        .engine
        .with(|e| e.store().origin().to_string())
        .await
        .expect("engine");
    let session = tokio::spawn(session::run_with_faults(
        replica,
        Hello {
            origin,
            role: Role::Phone,
            name: "phone".into(),
        },
        ar,
        aw,
        |_| Ok(()),
        Faults::default(),
        Arc::new(Mutex::new(SessionStats::default())),
    ));
    write_message(
        &mut bw,
        &Message::Hello {
            origin: desk_origin,
            role: Role::Desktop,
            name: "desk".into(),
            held,
        },
    )
    .await
    .expect("hello");
    let mut reader = FrameReader::new(br);
    let first = reader.next().await.expect("frame");
    assert!(matches!(first, Some(Message::Hello { .. })), "{first:?}");
    for _ in 0..20 {
        write_message(
            &mut bw,
            &Message::Need {
                held: Default::default(),
            },
        )
        .await
        .expect("need");
    }
    let mut resent = 0;
    let read = async {
        while let Ok(Some(message)) = reader.next().await {
            if let Message::Ops { ops } = message {
                resent += ops.len();
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(3), read).await;
    assert_eq!(resent, 0, "ops the peer said it holds were sent again");
    session.abort();
}
