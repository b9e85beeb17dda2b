//! Secrets stay on the phone (issue 13): the assistant's API key is in no op the phone
//! sends, in no desktop's files, goes to no server but the one it was given for, travels
//! over plain http only inside the local network, and the desktop's dry run asks no
//! server at all. Real SQLite files, real iroh endpoints on loopback, real HTTP servers on
//! loopback.

mod support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use ringback_core::engine::service;
use ringback_core::oplog::op::Role;
use ringback_core::ports::memory::{MemoryCallLog, MemoryContacts, MemoryTelephony, SystemClock};
use ringback_core::secret::{KeyChange, KeyStatus, check_key};
use ringback_core::store::{PeerRecord, Source};
use ringback_core::sync::net::NetworkMode;
use ringback_core::sync::replica::DesktopReplica;
use ringback_core::sync::session::Faults;
use ringback_core::{Engine, InboundSms, Line, PlatformEvent, Ports, Settings, Store};
use serde_json::json;
use support::{DesktopRig, PhoneRig, converge};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LOOP: NetworkMode = NetworkMode::Loopback;
/// The key; the phone shows it as "sk-…6789".
const KEY: &str = "sk-live-SECRETSECRET-0123456789";
const SECRET: &str = "SECRETSECRET";

/// Every file under `dir` (the SQLite files and their write-ahead logs included) whose
/// bytes hold `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(here) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&here) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path)
                && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            {
                found.push(path);
            }
        }
    }
    found
}

/// A chat-completions server on loopback that answers every request with a short reply
/// and keeps each request's head (its headers).
struct ChatServer {
    base_url: String,
    heads: Arc<Mutex<Vec<String>>>,
}

impl ChatServer {
    async fn start() -> ChatServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let log = heads.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let log = log.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let end = loop {
                        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break at + 4;
                        }
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).to_string();
                    let length: usize = header(&head, "content-length")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    while buf.len() < end + length {
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    log.lock().expect("log").push(head);
                    let content = json!({"reply": "Thanks! What is the address?"}).to_string();
                    let body = json!({"choices": [{"message": {"role": "assistant",
                        "content": content}, "finish_reason": "stop"}]})
                    .to_string();
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        ChatServer {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            heads,
        }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().expect("log").clone()
    }

    /// Waits for the `n`th request.
    async fn wait_for(&self, n: usize) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let heads = self.heads();
            if heads.len() >= n {
                return heads;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the server got {} requests, not {n}",
                heads.len()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

async fn pair(phone: &PhoneRig, desktop: &DesktopRig) -> DesktopReplica {
    desktop.pair(phone).await;
    desktop.replica(phone.node.id())
}

fn dirs(root: &Path, names: &[&str]) -> Vec<PathBuf> {
    names
        .iter()
        .map(|n| {
            let d = root.join(n);
            std::fs::create_dir_all(&d).expect("mkdir");
            d
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_set_on_the_phone_is_in_no_op_it_sends_and_in_no_desktop_file() {
    let root = tempfile::tempdir().expect("dir");
    let d = dirs(root.path(), &["phone", "front", "back"]);
    let front = DesktopRig::start(&d[1], &LOOP, Faults::default(), None).await;
    let back = DesktopRig::start(&d[2], &LOOP, Faults::default(), None).await;
    let phone = PhoneRig::new(&d[0], &LOOP, Faults::default()).await;
    let replicas = [pair(&phone, &front).await, pair(&phone, &back).await];
    // The owner sets the assistant up on the phone itself, key included.
    phone
        .engine
        .update_settings(json!({"assistant": {"mode": "suggest",
            "base_url": "https://api.example.com/v1", "model": "m", "api_key": KEY}}))
        .await
        .expect("engine")
        .expect("settings");
    converge(&phone, &replicas, Duration::from_secs(20)).await;
    for replica in &replicas {
        let base_url = replica.with(|s| {
            s.reader()
                .settings()
                .expect("read")
                .expect("settings")
                .assistant
                .base_url
        });
        assert_eq!(
            base_url, "https://api.example.com/v1",
            "the settings arrived"
        );
    }
    // Not in any op the phone keeps to send, ...
    let bodies: Vec<String> = phone
        .engine
        .with(|e| {
            let mut stmt = e
                .store()
                .connection()
                .prepare("SELECT body FROM ops")
                .expect("prepare");
            stmt.query_map([], |r| r.get(0))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows")
        })
        .await
        .expect("engine");
    assert!(!bodies.is_empty());
    for body in &bodies {
        assert!(!body.contains(SECRET), "an op carries the key: {body}");
    }
    // ... nor in any file of either desktop, the write-ahead logs included.
    for dir in [&d[1], &d[2]] {
        assert_eq!(files_holding(dir, SECRET), Vec::<PathBuf>::new());
    }
    // What the desktops learn is that a key is set, shown masked.
    for replica in &replicas {
        let state = replica
            .with(|s| s.reader().assistant_key_state())
            .expect("read")
            .expect("the phone said");
        assert_eq!(state.status, KeyStatus::Set);
        assert_eq!(state.mask, "sk-…6789");
        assert_eq!(state.server, "https://api.example.com");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desktop_moving_the_assistant_to_another_server_does_not_send_the_key_there() {
    let (first, second) = (ChatServer::start().await, ChatServer::start().await);
    let root = tempfile::tempdir().expect("dir");
    let d = dirs(root.path(), &["phone", "desktop"]);
    let settings = Settings::from_value(&json!({"business_name": "Acme Plumbing",
        "assistant": {"mode": "auto", "base_url": first.base_url, "model": "m"}}))
    .expect("settings");
    let desktop = DesktopRig::start(&d[1], &LOOP, Faults::default(), None).await;
    let phone = PhoneRig::start_with(
        &d[0],
        &LOOP,
        Faults::default(),
        (MemoryTelephony::new(), MemoryCallLog::new()),
        &settings,
        service::http_model(),
    )
    .await;
    let replica = pair(&phone, &desktop).await;
    phone
        .engine
        .update_settings(json!({"assistant": {"api_key": KEY}}))
        .await
        .expect("engine")
        .expect("key");
    converge(
        &phone,
        std::slice::from_ref(&replica),
        Duration::from_secs(20),
    )
    .await;

    // The key as the desktop shows it is no key: sending it back is refused, and nothing
    // is saved or sent.
    let ops_before = replica.with(|s| s.version_vector().clone());
    let masked = replica.change_settings(&json!({"assistant": {
        "base_url": second.base_url, "api_key": "sk-…6789"}}));
    let e = masked.expect_err("a masked key was taken");
    assert!(e.to_string().contains("masked"), "{e}");
    assert_eq!(replica.with(|s| s.version_vector().clone()), ops_before);

    // The desktop moves the assistant to another server (another port on the same host),
    // sending back all it holds.
    replica
        .change_settings(&json!({"assistant": {"base_url": second.base_url}}))
        .expect("saved");
    converge(
        &phone,
        std::slice::from_ref(&replica),
        Duration::from_secs(20),
    )
    .await;
    phone
        .engine
        .event(PlatformEvent::SmsReceived(InboundSms {
            source_id: Some("sms-1".into()),
            from: "+12125550123".into(),
            body: "Leak under the sink".into(),
            line: Line::default(),
            at: Timestamp::now(),
        }))
        .await
        .expect("engine")
        .expect("event");
    let heads = second.wait_for(1).await;
    assert_eq!(
        header(&heads[0], "authorization"),
        None,
        "the key went to a server it was not given for"
    );
    assert!(!heads[0].contains(SECRET));
    assert!(first.heads().is_empty(), "the old server was asked");
    // The desktop is told the key went, and why.
    converge(
        &phone,
        std::slice::from_ref(&replica),
        Duration::from_secs(20),
    )
    .await;
    let state = replica
        .with(|s| s.reader().assistant_key_state())
        .expect("read")
        .expect("state");
    assert_eq!(state.status, KeyStatus::Removed);
    assert_eq!(state.mask, "");
    assert!(
        state.reason.contains("type the key again"),
        "{}",
        state.reason
    );
}

/// A phone engine on a file, with its desktops as plain replica files: ops handed over by
/// hand, so that every step can be looked at.
struct Rig {
    _dir: tempfile::TempDir,
    root: PathBuf,
    phone: Engine,
    desktops: Vec<DesktopReplica>,
}

impl Rig {
    fn new(assistant: serde_json::Value, desktops: usize) -> Rig {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path().to_path_buf();
        let store = Store::open(&root.join("phone.db")).expect("store");
        let origin = store.origin().to_string();
        store.set_phone_origin(&origin).expect("phone origin");
        let ports = Ports {
            telephony: MemoryTelephony::new(),
            call_log: MemoryCallLog::new(),
            contacts: MemoryContacts::new(),
            clock: Arc::new(SystemClock),
        };
        let settings =
            Settings::from_value(&json!({"business_name": "Acme", "assistant": assistant}))
                .expect("settings");
        let mut phone = Engine::open(store, ports, &settings).expect("engine");
        let mut replicas = Vec::new();
        for i in 0..desktops {
            let ddir = root.join(format!("desktop{i}"));
            std::fs::create_dir_all(&ddir).expect("mkdir");
            let replica = DesktopReplica::open(&ddir.join("ringback.db")).expect("replica");
            replica.with(|s| s.set_phone_origin(&origin).expect("phone origin"));
            let peer = PeerRecord {
                endpoint: format!("desktop{i}"),
                origin: replica.with(|s| s.origin().to_string()),
                role: Role::Desktop,
                name: format!("Desktop {i}"),
                paired: true,
                changed_at: 0,
            };
            phone
                .store_mut()
                .write(Timestamp::now(), "paired", |tx| tx.set_peer(&peer))
                .expect("pair");
            replicas.push(replica);
        }
        let mut rig = Rig {
            _dir: dir,
            root,
            phone,
            desktops: replicas,
        };
        for i in 0..desktops {
            rig.sync_desktop(i);
        }
        rig
    }

    fn desktop_dir(&self, i: usize) -> PathBuf {
        self.root.join(format!("desktop{i}"))
    }

    /// The phone's ops desktop `i` lacks, applied there.
    fn sync_desktop(&mut self, i: usize) {
        let theirs = self.desktops[i].with(|s| s.version_vector().clone());
        let ops = self.phone.store().ops_after(&theirs, 100_000).expect("ops");
        let phone = self.phone.store().origin().to_string();
        self.desktops[i].with(|s| {
            s.apply_remote(
                &ops,
                Source {
                    origin: &phone,
                    role: Role::Phone,
                },
                Timestamp::now(),
            )
            .expect("applied on the desktop")
        });
    }

    /// Desktop `i`'s ops the phone lacks, applied there.
    fn sync_phone(&mut self, i: usize) {
        let theirs = self.phone.store().version_vector().clone();
        let (ops, origin) = self.desktops[i].with(|s| {
            (
                s.ops_after(&theirs, 100_000).expect("ops"),
                s.origin().to_string(),
            )
        });
        self.phone
            .apply_remote(
                &ops,
                Source {
                    origin: &origin,
                    role: Role::Desktop,
                },
            )
            .expect("applied on the phone");
    }

    fn key_for(&self, base_url: &str) -> Option<String> {
        self.phone
            .store()
            .reader()
            .assistant_key_for(base_url)
            .expect("read")
            .map(|k| k.expose().to_string())
    }

    fn phone_bodies(&self) -> Vec<String> {
        let mut stmt = self
            .phone
            .store()
            .connection()
            .prepare("SELECT body FROM ops")
            .expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }
}

const FIRST: &str = "http://127.0.0.1:8080/v1";

#[test]
fn a_key_typed_on_a_desktop_reaches_the_phone_once_and_then_leaves_the_desktop() {
    let mut rig = Rig::new(
        json!({"mode": "suggest", "base_url": FIRST, "model": "m"}),
        2,
    );
    // A settings change and a key, saved together: one op.
    rig.desktops[0]
        .change_settings_and_key(
            &json!({"assistant": {"model": "bigger"}}),
            Some(KeyChange::Set(check_key(KEY).expect("key"))),
        )
        .expect("saved");
    assert!(rig.desktops[0].with(|s| s.assistant_key_pending().expect("read")));
    // Until the phone has it, the desktop keeps it to send (that op is all).
    assert!(!files_holding(&rig.desktop_dir(0), SECRET).is_empty());
    assert!(rig.desktops[0].with(|s| {
        s.reader()
            .settings()
            .expect("read")
            .is_some_and(|st| !st.to_value().to_string().contains(SECRET))
    }));

    rig.sync_phone(0);
    // Both took force on the phone, at once.
    let config = rig.phone.config().expect("config");
    assert_eq!(config.settings.assistant.model, "bigger");
    assert_eq!(rig.key_for(FIRST).as_deref(), Some(KEY));
    // The phone relays the hand-over blanked: no op it holds carries the key.
    for body in rig.phone_bodies() {
        assert!(!body.contains(SECRET), "{body}");
    }

    // The other desktop gets the settings, the relayed hand-over and the answer: no key.
    rig.sync_desktop(1);
    assert_eq!(
        files_holding(&rig.desktop_dir(1), SECRET),
        Vec::<PathBuf>::new()
    );
    // The desktop that typed it gets the answer, and its copy goes.
    rig.sync_desktop(0);
    assert!(!rig.desktops[0].with(|s| s.assistant_key_pending().expect("read")));
    assert_eq!(
        files_holding(&rig.desktop_dir(0), SECRET),
        Vec::<PathBuf>::new()
    );
    for desktop in &rig.desktops {
        let state = desktop
            .with(|s| s.reader().assistant_key_state())
            .expect("read")
            .expect("state");
        assert_eq!(state.status, KeyStatus::Set);
        assert_eq!(state.mask, "sk-…6789");
        assert_eq!(state.server, "http://127.0.0.1:8080");
        assert!(state.at_ms > 0);
    }
    // The replicas agree with the phone (the secret store is the phone's alone).
    let digest = rig.phone.store().digest().expect("digest");
    for desktop in &rig.desktops {
        assert_eq!(desktop.with(|s| s.digest().expect("digest")), digest);
    }

    // Another desktop removes it.
    rig.desktops[1]
        .hand_over_assistant_key(KeyChange::Remove)
        .expect("removal");
    rig.sync_phone(1);
    assert_eq!(rig.key_for(FIRST), None);
    rig.sync_desktop(0);
    let state = rig.desktops[0]
        .with(|s| s.reader().assistant_key_state())
        .expect("read")
        .expect("state");
    assert_eq!(state.status, KeyStatus::Removed);
}

#[test]
fn moving_the_assistant_to_another_server_removes_the_key_unless_one_comes_with_the_move() {
    const OTHER_PORT: &str = "http://127.0.0.1:8081/v1";
    const HOSTED: &str = "https://api.example.com/v1";
    let mut rig = Rig::new(json!({"mode": "auto", "base_url": FIRST, "model": "m"}), 2);
    rig.desktops[0]
        .hand_over_assistant_key(KeyChange::Set(check_key(KEY).expect("key")))
        .expect("hand-over");
    rig.sync_phone(0);
    assert_eq!(rig.key_for(FIRST).as_deref(), Some(KEY));

    // Same server, another path: the key stays.
    rig.desktops[0]
        .change_settings(&json!({"assistant": {"base_url": "http://127.0.0.1:8080/v2"}}))
        .expect("saved");
    rig.sync_phone(0);
    assert_eq!(
        rig.key_for("http://127.0.0.1:8080/v2").as_deref(),
        Some(KEY)
    );

    // Another port is another server: the key goes.
    rig.desktops[0]
        .change_settings(&json!({"assistant": {"base_url": OTHER_PORT}}))
        .expect("saved");
    rig.sync_phone(0);
    assert_eq!(rig.key_for(OTHER_PORT), None);
    assert_eq!(rig.key_for(FIRST), None);
    let state = rig
        .phone
        .store()
        .reader()
        .assistant_key_state()
        .expect("read")
        .expect("state");
    assert_eq!(state.status, KeyStatus::Removed);
    assert!(state.reason.contains("8081"), "{}", state.reason);

    // A new key with the move: kept for the new server.
    let second = "sk-other-0000000000004321";
    rig.desktops[0]
        .change_settings(&json!({"assistant": {"base_url": HOSTED, "api_key": second}}))
        .expect("saved");
    rig.sync_phone(0);
    assert_eq!(rig.key_for(HOSTED).as_deref(), Some(second));

    // A key typed for a server the phone has meanwhile left is refused, and the typing
    // desktop's copy still goes when the phone answers.
    rig.sync_desktop(1);
    rig.desktops[1]
        .change_settings(&json!({"assistant": {"base_url": OTHER_PORT}}))
        .expect("saved");
    rig.desktops[0]
        .hand_over_assistant_key(KeyChange::Set(
            check_key("sk-late-00000000000000SECRETSECRET").expect("key"),
        ))
        .expect("hand-over");
    rig.sync_phone(1);
    rig.sync_phone(0);
    assert_eq!(rig.key_for(OTHER_PORT), None);
    assert_eq!(rig.key_for(HOSTED), None);
    let state = rig
        .phone
        .store()
        .reader()
        .assistant_key_state()
        .expect("read")
        .expect("state");
    assert_eq!(state.status, KeyStatus::Refused);
    assert!(state.reason.contains("again"), "{}", state.reason);
    rig.sync_desktop(0);
    assert!(!rig.desktops[0].with(|s| s.assistant_key_pending().expect("read")));
    assert_eq!(
        files_holding(&rig.desktop_dir(0), SECRET),
        Vec::<PathBuf>::new()
    );

    // A key and then a move elsewhere reach the phone in one batch: the key goes again,
    // and the answer still lets the desktop drop its copy.
    rig.sync_desktop(0);
    rig.desktops[0]
        .hand_over_assistant_key(KeyChange::Set(check_key(KEY).expect("key")))
        .expect("hand-over");
    rig.desktops[0]
        .change_settings(&json!({"assistant": {"base_url": FIRST}}))
        .expect("saved");
    rig.sync_phone(0);
    assert_eq!(rig.key_for(FIRST), None);
    assert_eq!(rig.key_for(OTHER_PORT), None);
    rig.sync_desktop(0);
    assert!(!rig.desktops[0].with(|s| s.assistant_key_pending().expect("read")));
    assert_eq!(
        files_holding(&rig.desktop_dir(0), SECRET),
        Vec::<PathBuf>::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_the_open_internet_is_refused_in_settings_and_in_the_client() {
    let with = |base_url: &str| {
        Settings::from_value(&json!({"business_name": "Acme",
            "assistant": {"mode": "auto", "base_url": base_url, "model": "m"}}))
        .expect("document")
        .validate()
    };
    for public in [
        "http://203.0.113.9:8080/v1",
        "http://api.example.com/v1",
        "http://8.8.8.8/v1",
    ] {
        let e = with(public).expect_err(public);
        assert_eq!(e.field, "assistant.base_url");
        assert!(e.problem.contains("https://"), "{}", e.problem);
    }
    for local in [
        "http://127.0.0.1:8080/v1",
        "http://localhost:11434/v1",
        "http://192.168.1.20:8080/v1",
        "http://10.1.2.3/v1",
        "https://api.example.com/v1",
    ] {
        with(local).unwrap_or_else(|e| panic!("{local}: {e}"));
    }

    // A desktop cannot save it: the field is named and nothing is written.
    let dir = tempfile::tempdir().expect("dir");
    let replica = DesktopReplica::open(&dir.path().join("ringback.db")).expect("replica");
    replica
        .change_settings(&json!({"business_name": "Acme"}))
        .expect("saved");
    let before = replica.with(|s| s.version_vector().clone());
    let e = replica
        .change_settings(&json!({"assistant": {"mode": "suggest",
            "base_url": "http://api.example.com/v1"}}))
        .expect_err("plain http to the internet");
    assert!(e.to_string().contains("assistant.base_url"), "{e}");
    assert_eq!(replica.with(|s| s.version_vector().clone()), before);

    // And the client refuses it at request time, whatever the settings said: nothing is
    // sent, so the key goes nowhere.
    use ringback_core::assistant::ChatMessage;
    use ringback_core::assistant::endpoint::{EndpointConfig, complete};
    let config = EndpointConfig {
        base_url: "http://api.example.com/v1".into(),
        model: "m".into(),
        api_key: KEY.into(),
        timeout: Duration::from_secs(5),
    };
    let message = ChatMessage {
        role: "user".into(),
        content: "hello".into(),
    };
    let e = complete(&config, std::slice::from_ref(&message), false)
        .await
        .expect_err("refused");
    let text = e.to_string();
    assert!(text.contains("plain http"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    // Plain http on loopback still works.
    let local = ChatServer::start().await;
    let config = EndpointConfig {
        base_url: local.base_url.clone(),
        ..config
    };
    complete(&config, &[message], false)
        .await
        .expect("loopback");
    assert_eq!(
        header(&local.heads()[0], "authorization").as_deref(),
        Some(format!("Bearer {KEY}").as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktops_dry_run_asks_no_server_and_the_owners_command_line_run_still_does() {
    use ringback_core::scenario;
    let server = ChatServer::start().await;
    let settings = Settings::from_value(&json!({"business_name": "Acme Plumbing",
        "assistant": {"mode": "auto", "base_url": server.base_url, "model": "m"}}))
    .expect("settings");
    let day = r#"{"at": "2026-11-02T19:00:00-05:00", "call": {"from": "(212) 555-0142", "outcome": "missed"}}
{"at": "2026-11-02T19:02:00-05:00", "sms": {"from": "+12125550142", "body": "Leak under the sink, 10001"}}
"#;
    let dry = {
        let (settings, day) = (settings.clone(), day.to_string());
        tokio::task::spawn_blocking(move || scenario::dry_run(settings, &day))
            .await
            .expect("task")
            .expect("dry run")
    };
    assert!(server.heads().is_empty(), "the dry run asked a server");
    assert!(
        dry.lines
            .iter()
            .any(|l| l.body.as_deref() == Some(scenario::SCRIPTED_REPLY)),
        "{:?}",
        dry.lines
    );
    let note = dry.assistant_note.expect("the result says it is scripted");
    assert!(note.contains("scripted"), "{note}");

    // The owner's own dry run on the command line: a settings file may hold the key, and
    // the run asks the server with it.
    let file = json!({"business_name": "Acme Plumbing", "assistant": {"mode": "auto",
        "base_url": server.base_url, "model": "m", "api_key": KEY}})
    .to_string();
    let start = scenario::starting_settings(Some(("mine.json", &file))).expect("settings");
    assert!(!start.settings.to_value().to_string().contains(SECRET));
    let printed = tokio::task::spawn_blocking(move || {
        let events = scenario::read_events(day.as_bytes()).expect("events");
        let mut out = Vec::new();
        scenario::run(start.settings, start.api_key.as_ref(), &events, &mut out).expect("run");
        String::from_utf8(out).expect("utf-8")
    })
    .await
    .expect("task");
    assert!(printed.contains("\"assistant\""), "{printed}");
    let heads = server.wait_for(1).await;
    assert_eq!(
        header(&heads[0], "authorization").as_deref(),
        Some(format!("Bearer {KEY}").as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpaired_replicas_keep_no_key() {
    let root = tempfile::tempdir().expect("dir");
    let d = dirs(root.path(), &["phone", "desktop"]);
    // A folder left from before this version: an unpaired phone's replica whose settings
    // document still holds the key (from before the secrets table).
    let left = d[1].join("phones").join("unpaired-oldphone-1700000000000");
    std::fs::create_dir_all(&left).expect("mkdir");
    {
        let store = Store::open(&left.join("ringback.db")).expect("store");
        let conn = store.connection();
        let document = json!({"business_name": "Acme", "assistant": {"mode": "suggest",
            "base_url": "https://api.example.com/v1", "model": "m", "api_key": KEY}});
        // Back to the version before the secrets migration, as a replica from then is.
        let before: i64 = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
            .expect("migrations")
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .find_map(|n| {
                n.strip_suffix("-secrets")
                    .and_then(|v| v.parse::<i64>().ok())
            })
            .expect("the secrets migration")
            - 1;
        // Later versions are undone first, newest first, by their down.sql.
        let mut later: Vec<(i64, PathBuf)> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
                .expect("migrations")
                .flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_str()?.to_string();
                    let version: i64 = name.split('-').next()?.parse().ok()?;
                    (version > before + 1).then(|| (version, e.path()))
                })
                .collect();
        later.sort_by_key(|m| std::cmp::Reverse(m.0));
        for (version, dir) in later {
            let down = std::fs::read_to_string(dir.join("down.sql")).unwrap_or_else(|_| {
                panic!("migration {version} comes after secrets: give it a down.sql for this test")
            });
            conn.execute_batch(&down).expect("undo a later version");
        }
        conn.execute_batch(&format!(
            "DROP TABLE secrets; PRAGMA user_version = {before};"
        ))
        .expect("back to the version before");
        conn.execute(
            "INSERT INTO settings (id, document, updated_at) VALUES (1, ?1, 1)",
            [document.to_string()],
        )
        .expect("settings");
    }
    assert!(!files_holding(&left, SECRET).is_empty());
    let desktop = DesktopRig::start(&d[1], &LOOP, Faults::default(), None).await;
    assert_eq!(files_holding(&left, SECRET), Vec::<PathBuf>::new());

    // A phone unpaired while a key typed on this desktop never reached it.
    let phone = PhoneRig::new(&d[0], &LOOP, Faults::default()).await;
    let replica = pair(&phone, &desktop).await;
    phone
        .engine
        .update_settings(json!({"assistant": {"base_url": "https://api.example.com/v1"}}))
        .await
        .expect("engine")
        .expect("settings");
    converge(
        &phone,
        std::slice::from_ref(&replica),
        Duration::from_secs(20),
    )
    .await;
    let id = phone.node.id();
    phone.kill().await;
    replica
        .hand_over_assistant_key(KeyChange::Set(check_key(KEY).expect("key")))
        .expect("hand-over");
    assert!(!files_holding(&d[1], SECRET).is_empty());
    drop(replica);
    desktop.node.unpair(&id).expect("unpair");
    assert_eq!(files_holding(&d[1], SECRET), Vec::<PathBuf>::new());
}
