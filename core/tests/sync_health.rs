//! The phone's health over a sync session: reported on connect and on change, kept by the
//! desktop across restarts, and bounded in size and rate against a peer that misbehaves.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ringback_core::engine::replica::PhoneReplica;
use ringback_core::engine::service::{self, EngineHandle};
use ringback_core::health::{MAX_SIMS, Permission, PhoneHealth, ServiceState, SimHealth};
use ringback_core::oplog::op::Role;
use ringback_core::oplog::version::VersionVector;
use ringback_core::ports::memory::{MemoryCallLog, MemoryContacts, MemoryTelephony, SystemClock};
use ringback_core::sync::replica::DesktopReplica;
use ringback_core::sync::session::{
    self, FrameReader, HEALTH_BURST, Hello, Message, SessionStats, SyncError, write_message,
};
use ringback_core::{Ports, Settings, Store};
use serde_json::json;

async fn phone(dir: &tempfile::TempDir) -> EngineHandle {
    let store = Store::open(&dir.path().join("phone.db")).expect("store");
    store.set_phone_origin(store.origin()).expect("origin");
    let ports = Ports {
        telephony: MemoryTelephony::new(),
        call_log: MemoryCallLog::new(),
        contacts: MemoryContacts::new(),
        clock: Arc::new(SystemClock),
    };
    let settings = Settings::from_value(&json!({"business_name": "Acme"})).expect("settings");
    let engine = ringback_core::Engine::open(store, ports, &settings).expect("engine");
    service::spawn(engine).0
}

fn hello(origin: &str, role: Role) -> Hello {
    Hello {
        origin: origin.into(),
        role,
        name: format!("{role:?}"),
    }
}

/// Runs a session between the phone and the desktop until the returned handle is dropped.
fn connect(
    engine: &EngineHandle,
    desktop: &DesktopReplica,
) -> (tokio::task::JoinHandle<()>, Arc<Mutex<SessionStats>>) {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let (ar, aw) = tokio::io::split(a);
    let (br, bw) = tokio::io::split(b);
    let replica = PhoneReplica::new(engine.clone());
    let desktop = desktop.clone();
    let stats = Arc::new(Mutex::new(SessionStats::default()));
    let desk_stats = stats.clone();
    let task = tokio::spawn(async move {
        let p = session::run(
            replica,
            hello("phone", Role::Phone),
            ar,
            aw,
            |_| Ok(()),
            Arc::new(Mutex::new(SessionStats::default())),
        );
        let d = session::run(
            desktop,
            hello("desk", Role::Desktop),
            br,
            bw,
            |_| Ok(()),
            desk_stats,
        );
        let _ = tokio::join!(p, d);
    });
    (task, stats)
}

async fn until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    for _ in 0..500 {
        if let Some(v) = f() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{what} did not happen");
}

fn kept(desktop: &DesktopReplica) -> Option<PhoneHealth> {
    desktop
        .with(|s| s.phone_health())
        .expect("read")
        .map(|r| r.health)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reaches_the_desktop_on_connect_and_on_change_and_survives_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let engine = phone(&dir).await;
    let mut health = PhoneHealth::new(1, "1.2.3");
    assert!(engine.report_health(health.clone()));
    assert!(
        !engine.report_health(PhoneHealth {
            at_ms: 2,
            ..health.clone()
        }),
        "the same record gathered again is no change"
    );

    let path = dir.path().join("desk.db");
    let desktop = DesktopReplica::open(&path).expect("desktop");
    let (session, stats) = connect(&engine, &desktop);
    // Reported before the session started: sent on connect.
    let first = until("the record in force on connect", || kept(&desktop)).await;
    assert_eq!(first.app_version, "1.2.3");

    // A permission revoked: the desktop's record says so, with its time of arrival.
    health.set_granted(Permission::ReadCallLog, false);
    engine.report_health(health.clone());
    until("the revocation", || {
        kept(&desktop).filter(|h| !h.granted(Permission::ReadCallLog))
    })
    .await;
    let reported = desktop
        .with(|s| s.phone_health())
        .expect("read")
        .expect("kept");
    assert!(reported.reported_at_ms > 0);
    assert_eq!(stats.lock().expect("stats").health_refused, 0);
    drop(session);
    drop(desktop);

    // The desktop restarts: the last record is still there, before the phone says anything.
    let desktop = DesktopReplica::open(&path).expect("desktop again");
    let again = kept(&desktop).expect("kept across a restart");
    assert!(!again.granted(Permission::ReadCallLog));
}

/// A "phone" that speaks the protocol by hand, to send what a real phone never would.
struct RawPhone {
    _reader: FrameReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>,
    writer: tokio::io::WriteHalf<tokio::io::DuplexStream>,
    desktop_ended: tokio::task::JoinHandle<Result<(), SyncError>>,
    stats: Arc<Mutex<SessionStats>>,
}

async fn raw_phone(desktop: &DesktopReplica) -> RawPhone {
    let (a, b) = tokio::io::duplex(1 << 20);
    let (ar, mut aw) = tokio::io::split(a);
    let (br, bw) = tokio::io::split(b);
    let stats = Arc::new(Mutex::new(SessionStats::default()));
    let desktop_ended = tokio::spawn(session::run(
        desktop.clone(),
        hello("desk", Role::Desktop),
        br,
        bw,
        |_| Ok(()),
        stats.clone(),
    ));
    write_message(
        &mut aw,
        &Message::Hello {
            origin: "rawphone".into(),
            role: Role::Phone,
            name: "raw".into(),
            held: VersionVector::new(),
        },
    )
    .await
    .expect("hello");
    let mut reader = FrameReader::new(ar);
    assert!(matches!(
        reader.next().await.expect("frame"),
        Some(Message::Hello { .. })
    ));
    RawPhone {
        _reader: reader,
        writer: aw,
        desktop_ended,
        stats,
    }
}

impl RawPhone {
    async fn send(&mut self, health: PhoneHealth) {
        write_message(&mut self.writer, &Message::Health { health })
            .await
            .expect("write");
    }

    /// Sends a heartbeat and waits for the desktop to have read everything before it.
    async fn settle(&mut self, frames: u64) {
        let stats = self.stats.clone();
        until("the desktop read every frame", || {
            let s = stats.lock().expect("stats");
            (s.health_kept + s.health_refused >= frames).then_some(())
        })
        .await;
        assert!(!self.desktop_ended.is_finished(), "the session goes on");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_record_is_refused_and_the_kept_one_stays() {
    let dir = tempfile::tempdir().expect("dir");
    let desktop = DesktopReplica::open(&dir.path().join("desk.db")).expect("desktop");
    let mut raw = raw_phone(&desktop).await;
    raw.send(PhoneHealth::new(1, "good")).await;
    raw.settle(1).await;

    let mut big = PhoneHealth::new(2, "bad");
    big.sims = (0..MAX_SIMS * 1000)
        .map(|i| SimHealth {
            line: format!("sim{i}"),
            carrier: "c".repeat(50),
            service: ServiceState::InService,
            signal_level: Some(1),
        })
        .collect();
    raw.send(big).await;
    raw.send(PhoneHealth::new(3, &"v".repeat(10_000))).await;
    raw.settle(3).await;

    let s = raw.stats.lock().expect("stats").clone();
    assert_eq!((s.health_kept, s.health_refused), (1, 2), "{s:?}");
    assert_eq!(kept(&desktop).expect("kept").app_version, "good");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_sent_too_often_are_refused_without_closing_the_session() {
    let dir = tempfile::tempdir().expect("dir");
    let desktop = DesktopReplica::open(&dir.path().join("desk.db")).expect("desktop");
    let mut raw = raw_phone(&desktop).await;
    let flood = 50u64;
    for i in 0..flood {
        raw.send(PhoneHealth::new(i as i64, &format!("v{i}"))).await;
    }
    raw.settle(flood).await;
    let s = raw.stats.lock().expect("stats").clone();
    assert_eq!(s.health_kept, u64::from(HEALTH_BURST), "{s:?}");
    assert_eq!(s.health_refused, flood - u64::from(HEALTH_BURST));
    assert_eq!(
        kept(&desktop).expect("kept").app_version,
        format!("v{}", HEALTH_BURST - 1),
        "the last record allowed is the one kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desktop_cannot_report_a_phones_health() {
    let dir = tempfile::tempdir().expect("dir");
    let engine = phone(&dir).await;
    let (a, b) = tokio::io::duplex(64 * 1024);
    let (ar, aw) = tokio::io::split(a);
    let (br, mut bw) = tokio::io::split(b);
    let ended = tokio::spawn(session::run(
        PhoneReplica::new(engine.clone()),
        hello("phone", Role::Phone),
        ar,
        aw,
        |_| Ok(()),
        Arc::new(Mutex::new(SessionStats::default())),
    ));
    write_message(
        &mut bw,
        &Message::Hello {
            origin: "desk".into(),
            role: Role::Desktop,
            name: "desk".into(),
            held: VersionVector::new(),
        },
    )
    .await
    .expect("hello");
    write_message(
        &mut bw,
        &Message::Health {
            health: PhoneHealth::new(1, "forged"),
        },
    )
    .await
    .expect("health");
    let _keep_reading = FrameReader::new(br);
    let err = tokio::time::timeout(Duration::from_secs(10), ended)
        .await
        .expect("ended")
        .expect("task")
        .expect_err("refused");
    assert!(matches!(err, SyncError::Protocol(_)), "{err}");
    assert!(engine.health().borrow().is_none(), "nothing taken from it");
}
