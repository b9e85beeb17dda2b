//! A newer peer talking to this version: frames of a kind it does not know and fields it
//! does not know are skipped, so the session goes on and ops still arrive; a flood of
//! unknown frames closes it with words that say what to update.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ringback_core::oplog::op::Role;
use ringback_core::oplog::version::VersionVector;
use ringback_core::sync::frame::{FrameError, PROTOCOL_VERSION};
use ringback_core::sync::replica::DesktopReplica;
use ringback_core::sync::session::{
    self, FrameReader, Hello, Message, SessionStats, SyncError, UNKNOWN_BURST,
};
use tokio::io::AsyncWriteExt;

/// A frame as a newer peer would write it: any JSON.
fn raw_frame(json: &serde_json::Value) -> Vec<u8> {
    let payload = serde_json::to_vec(json).expect("json");
    let mut out = ((payload.len() + 1) as u32).to_be_bytes().to_vec();
    out.push(PROTOCOL_VERSION);
    out.extend(payload);
    out
}

struct NewerPhone {
    writer: tokio::io::WriteHalf<tokio::io::DuplexStream>,
    _reader: FrameReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>,
    ended: tokio::task::JoinHandle<Result<(), SyncError>>,
    stats: Arc<Mutex<SessionStats>>,
}

async fn newer_phone(desktop: &DesktopReplica) -> NewerPhone {
    let (a, b) = tokio::io::duplex(1 << 20);
    let (ar, mut aw) = tokio::io::split(a);
    let (br, bw) = tokio::io::split(b);
    let stats = Arc::new(Mutex::new(SessionStats::default()));
    let ended = tokio::spawn(session::run(
        desktop.clone(),
        Hello {
            origin: "desk".into(),
            role: Role::Desktop,
            name: "desk".into(),
        },
        br,
        bw,
        |_| Ok(()),
        stats.clone(),
    ));
    // Its hello carries a field this version has never heard of.
    let hello = serde_json::json!({"hello": {
        "origin": "newphone", "role": "phone", "name": "newer", "held": VersionVector::new(),
        "features": ["health", "teleport"]
    }});
    aw.write_all(&raw_frame(&hello)).await.expect("hello");
    let mut reader = FrameReader::new(ar);
    assert!(matches!(
        reader.next().await.expect("frame"),
        Some(Message::Hello { .. })
    ));
    NewerPhone {
        writer: aw,
        _reader: reader,
        ended,
        stats,
    }
}

async fn until(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..500 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_and_fields_of_a_newer_version_are_skipped_and_the_session_goes_on() {
    let dir = tempfile::tempdir().expect("dir");
    let desktop = DesktopReplica::open(&dir.path().join("desk.db")).expect("desktop");
    let mut phone = newer_phone(&desktop).await;
    let unknown = serde_json::json!({"weather": {"sunny": true}});
    phone
        .writer
        .write_all(&raw_frame(&unknown))
        .await
        .expect("write");
    // A known frame with a field added: read as this version knows it.
    let beat = serde_json::json!({"heartbeat": {"at_ms": 1, "battery": 80}});
    phone
        .writer
        .write_all(&raw_frame(&beat))
        .await
        .expect("write");
    let stats = phone.stats.clone();
    until("the heartbeat after the unknown frame", || {
        stats.lock().expect("stats").heartbeats == 1
    })
    .await;
    assert_eq!(stats.lock().expect("stats").unknown_skipped, 1);
    assert!(!phone.ended.is_finished(), "the session goes on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_unknown_frames_closes_the_session_saying_what_to_update() {
    let dir = tempfile::tempdir().expect("dir");
    let desktop = DesktopReplica::open(&dir.path().join("desk.db")).expect("desktop");
    let mut phone = newer_phone(&desktop).await;
    let unknown = serde_json::json!({"weather": {"sunny": true}});
    for _ in 0..(UNKNOWN_BURST * 5) {
        if phone.writer.write_all(&raw_frame(&unknown)).await.is_err() {
            break;
        }
    }
    let err = tokio::time::timeout(Duration::from_secs(10), phone.ended)
        .await
        .expect("ended")
        .expect("task")
        .expect_err("closed");
    assert!(
        matches!(&err, SyncError::Frame(FrameError::UnknownKind(kind)) if kind == "weather"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("update Ringback on this device"),
        "{err}"
    );
    assert_eq!(
        phone.stats.lock().expect("stats").unknown_skipped,
        u64::from(UNKNOWN_BURST)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_op_of_a_kind_this_version_does_not_know_is_not_skipped_silently() {
    let dir = tempfile::tempdir().expect("dir");
    let desktop = DesktopReplica::open(&dir.path().join("desk.db")).expect("desktop");
    let mut phone = newer_phone(&desktop).await;
    // A known frame whose content is unknown: skipping it would lose an op, so the
    // session ends (and resumes from the version vectors after an update).
    let ops = serde_json::json!({"ops": {"ops": [{"weird": 1}]}});
    phone
        .writer
        .write_all(&raw_frame(&ops))
        .await
        .expect("write");
    let err = tokio::time::timeout(Duration::from_secs(10), phone.ended)
        .await
        .expect("ended")
        .expect("task")
        .expect_err("closed");
    assert!(
        matches!(err, SyncError::Frame(FrameError::Malformed(_))),
        "{err:?}"
    );
}
