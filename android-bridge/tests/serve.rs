//! `ringback-phone-sim serve` as a real process: it pairs with a desktop over loopback,
//! syncs, sends a desktop's reply once, and comes back after being killed mid-send without
//! sending anything twice; run under `faketime` a year ahead, then at the true time, it
//! syncs again within seconds.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ringback_core::store::ConversationId;
use ringback_core::sync::net::{self, NetworkMode};
use ringback_core::sync::node::{self, DesktopNode};
use ringback_core::sync::replica::DesktopReplica;
use serde_json::{Value, json};

struct Sim {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<Value>,
    /// Its endpoint id and pairing fingerprint, from its `ready` line.
    endpoint: String,
    fingerprint: String,
}

impl Sim {
    fn start(data: &Path) -> Sim {
        Sim::spawn(Command::new(env!("CARGO_BIN_EXE_ringback-phone-sim")), data)
    }

    /// The simulator under Debian's `faketime`, its wall clock moved by `offset`
    /// (`+365d`); its monotonic clock is left alone, so timers and QUIC run as usual.
    fn start_faked(data: &Path, offset: &str) -> Sim {
        let mut command = Command::new("faketime");
        command
            .args(["-m", "--exclude-monotonic", "-f", offset])
            .arg(env!("CARGO_BIN_EXE_ringback-phone-sim"));
        Sim::spawn(command, data)
    }

    fn spawn(mut command: Command, data: &Path) -> Sim {
        let mut child = command
            .args([
                "serve",
                "--network",
                "loopback",
                "--name",
                "Test phone",
                "--data",
            ])
            .arg(data)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let value: Value = serde_json::from_str(&line).expect("every output line is JSON");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        let mut sim = Sim {
            child,
            stdin,
            lines,
            endpoint: String::new(),
            fingerprint: String::new(),
        };
        let ready = sim.expect_key("ready");
        sim.endpoint = ready["endpoint"].as_str().expect("endpoint").to_string();
        sim.fingerprint = ready["fingerprint"]
            .as_str()
            .expect("fingerprint")
            .to_string();
        sim
    }

    /// Waits for the answer to a `pair` command (a `paired` or an `error` line), pressing
    /// Accept on `desktop` for this phone, and only it, once it waits there with the
    /// fingerprint this phone printed.
    async fn paired_or_error(&mut self, desktop: &DesktopNode) -> Value {
        let mut said_waiting = false;
        for _ in 0..1_500 {
            let waiting = desktop
                .pairing_requests()
                .borrow()
                .iter()
                .find(|r| r.endpoint.to_string() == self.endpoint)
                .cloned();
            if let Some(request) = waiting {
                assert_eq!(
                    request.fingerprint, self.fingerprint,
                    "the same on both ends"
                );
                assert_eq!(request.name, "Test phone");
                desktop.accept_pairing(&request.endpoint).expect("accept");
            }
            match self.lines.try_recv() {
                Ok(line) if line.get("paired").is_some() => {
                    assert!(said_waiting, "the phone said it waited for the person");
                    return line;
                }
                Ok(line) if line.get("error").is_some() => return line,
                Ok(line) => {
                    if let Some(p) = line.get("pairing") {
                        assert_eq!(p["fingerprint"], self.fingerprint.as_str());
                        said_waiting = true;
                    }
                }
                Err(mpsc::TryRecvError::Empty) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(mpsc::TryRecvError::Disconnected) => panic!("the simulator stopped"),
            }
        }
        panic!("no answer to the pair command within 30 s");
    }

    fn send(&mut self, command: Value) {
        writeln!(self.stdin, "{command}").expect("write");
        self.stdin.flush().expect("flush");
    }

    fn expect_key(&mut self, key: &str) -> Value {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("no “{key}” line"));
            if let Some(v) = line.get(key) {
                return v.clone();
            }
            assert!(line.get("error").is_none(), "unexpected error: {line}");
        }
    }

    /// Every line up to the first with `key`, that one included.
    fn lines_until(&mut self, key: &str) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("no “{key}” line after {seen:?}"));
            let done = line.get(key).is_some();
            seen.push(line);
            if done {
                return seen;
            }
        }
    }

    fn digest(&mut self) -> String {
        self.send(json!({"status": {}}));
        self.expect_key("status")["digest"]
            .as_str()
            .expect("digest")
            .to_string()
    }

    /// Waits for the process to end (it was told to crash), at most 30 s.
    fn wait_for_exit(mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Ok(None) => panic!("the simulated phone did not exit within 30 s"),
                Err(e) => panic!("waiting for the simulated phone: {e}"),
            }
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn converge(sim: &mut Sim, replica: &DesktopReplica) {
    for _ in 0..200 {
        if sim.digest() == replica.with(|s| s.digest().expect("digest")) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the simulated phone and the desktop did not converge");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_pairs_syncs_and_survives_a_crash_mid_send() {
    let dir = tempfile::tempdir().expect("dir");
    let (pdir, ddir) = (dir.path().join("phone"), dir.path().join("desktop"));
    std::fs::create_dir_all(&ddir).expect("mkdir");
    let key = net::load_or_create_key(&ddir.join("desktop.key")).expect("key");
    let endpoint = net::bind(&NetworkMode::Loopback, key, node::alpns(), None)
        .await
        .expect("bind");
    let desktop = DesktopNode::start(endpoint, &ddir, "Front desk")
        .await
        .expect("desktop");

    let mut sim = Sim::start(&pdir);
    sim.send(json!({"settings": {"business_name": "Acme Plumbing"}}));
    sim.expect_key("settings");
    sim.send(json!({"pair": desktop.ticket().to_short_text()}));
    // The short code has no addresses: the simulator is told them only by the QR form.
    let err_or_paired = sim.paired_or_error(&desktop).await;
    if err_or_paired.get("paired").is_none() {
        sim.send(json!({"pair": desktop.ticket().to_qr_payload()}));
        let paired = sim.paired_or_error(&desktop).await;
        assert!(paired.get("paired").is_some(), "{paired}");
    }
    let (phone_id, replica) = desktop.phones().into_iter().next().expect("paired phone");

    sim.send(json!({"call": {"from": "+12125550123", "outcome": "missed"}}));
    let text_back = sim.expect_key("sms_out");
    assert_eq!(text_back["kind"], "text_back");
    sim.send(json!({"sms": {"from": "+12125550123", "body": "Can you come today? 💧"}}));
    converge(&mut sim, &replica).await;

    replica
        .request_reply(Some(ConversationId(1)), None, "On our way")
        .expect("reply");
    let out = sim.expect_key("sms_out");
    assert_eq!(out["body"], "On our way");
    assert_eq!(out["kind"], "reply");
    converge(&mut sim, &replica).await;

    // The phone dies inside the next send: the reply is marked sending, never reported.
    sim.send(json!({"crash": "next_send"}));
    // Armed before the reply can reach it: else the reply may go out first and nothing dies.
    sim.expect_key("crash");
    replica
        .request_reply(Some(ConversationId(1)), None, "Second reply")
        .expect("reply");
    sim.wait_for_exit();
    let mut sim = Sim::start(&pdir);
    converge(&mut sim, &replica).await;
    let status: String = replica.with(|s| {
        s.connection()
            .query_row(
                "SELECT status FROM messages WHERE body = 'Second reply'",
                [],
                |r| r.get(0),
            )
            .expect("the reply's message")
    });
    assert_eq!(
        status, "unconfirmed",
        "shown to the owner, never re-sent on its own"
    );
    sim.send(json!({"sms": {"from": "+12125550123", "body": "thanks"}}));
    converge(&mut sim, &replica).await;
    while let Ok(line) = sim.lines.try_recv() {
        assert!(
            line.get("sms_out").is_none(),
            "nothing was sent again: {line}"
        );
    }
    assert_eq!(desktop.phones()[0].0, phone_id);
    desktop.shutdown().await;
}

/// Pairs the simulated phone with `desktop` and returns the desktop's replica of it. (The
/// only place this file pairs a new phone: adapt it here when pairing asks more.)
async fn pair(sim: &mut Sim, desktop: &DesktopNode) -> DesktopReplica {
    sim.send(json!({"pair": desktop.ticket().to_qr_payload()}));
    let paired = sim.paired_or_error(desktop).await;
    assert!(paired.get("paired").is_some(), "{paired}");
    let (_, replica) = desktop.phones().into_iter().next().expect("paired phone");
    replica
}

/// Waits until the desktop holds a message with `body` (a deadline for a test that would
/// otherwise hang, not a measure of speed).
async fn wait_for_message(replica: &DesktopReplica, body: &str, within: Duration) {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        let body = body.to_string();
        let found = replica.with(move |s| {
            s.connection()
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM messages WHERE body = ?1)",
                    [body],
                    |r| r.get::<_, bool>(0),
                )
                .expect("query")
        });
        if found {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the desktop did not receive “{body}” within {within:?}");
}

/// Whether Debian's `faketime` runs here.
fn faketime_works() -> bool {
    Command::new("faketime")
        .args(["-f", "+365d", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_whose_date_was_a_year_ahead_syncs_again_once_it_is_fixed() {
    if !faketime_works() {
        eprintln!(
            "skipped: Debian's `faketime` is not installed (scripts/setup --test installs it)"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let (pdir, ddir) = (dir.path().join("phone"), dir.path().join("desktop"));
    std::fs::create_dir_all(&ddir).expect("mkdir");
    let key = net::load_or_create_key(&ddir.join("desktop.key")).expect("key");
    let endpoint = net::bind(&NetworkMode::Loopback, key, node::alpns(), None)
        .await
        .expect("bind");
    let desktop = DesktopNode::start(endpoint, &ddir, "Front desk")
        .await
        .expect("desktop");

    // The phone's date is set a year ahead: every op it makes is stamped a year ahead.
    let mut sim = Sim::start_faked(&pdir, "+365d");
    sim.send(json!({"settings": {"business_name": "Acme Plumbing"}}));
    sim.expect_key("settings");
    let replica = pair(&mut sim, &desktop).await;
    sim.send(json!({"call": {"from": "+12125550123", "outcome": "missed"}}));
    assert_eq!(sim.expect_key("sms_out")["kind"], "text_back");
    sim.send(json!({"sms": {"from": "+12125550123", "body": "Can you come today?"}}));
    // The desktop takes them (quarantined and reported, not refused).
    wait_for_message(&replica, "Can you come today?", Duration::from_secs(30)).await;
    let phone_origin = replica.with(|s| s.phone_origin().expect("origin").expect("phone"));
    let quarantined = replica.with(|s| s.reader().quarantined(100).expect("quarantine"));
    assert!(
        !quarantined.is_empty(),
        "the ops from a year ahead are reported"
    );
    assert!(quarantined.iter().all(|q| q.origin == phone_origin));

    // The date is fixed: the same phone, on the same data, at the true time.
    drop(sim);
    let mut sim = Sim::start(&pdir);
    sim.send(json!({"sms": {"from": "+12125550123", "body": "Back on time"}}));
    wait_for_message(&replica, "Back on time", Duration::from_secs(30)).await;
    let again = replica.with(|s| s.reader().quarantined(100).expect("quarantine"));
    assert_eq!(again.len(), quarantined.len(), "nothing new is quarantined");
    // A desktop edit made now wins over what the phone stamped a year ahead, on both.
    replica
        .change_settings(&json!({"business_name": "Acme Plumbing & Heating"}))
        .expect("settings");
    converge(&mut sim, &replica).await;

    desktop.shutdown().await;
}

/// Every file under `dir` whose bytes hold `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(here) = stack.pop() {
        for entry in std::fs::read_dir(&here).into_iter().flatten().flatten() {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_given_to_the_simulated_phone_stays_on_it() {
    const SECRET: &str = "SECRETSECRET";
    let dir = tempfile::tempdir().expect("dir");
    let (pdir, ddir) = (dir.path().join("phone"), dir.path().join("desktop"));
    std::fs::create_dir_all(&ddir).expect("mkdir");
    let key = net::load_or_create_key(&ddir.join("desktop.key")).expect("key");
    let endpoint = net::bind(&NetworkMode::Loopback, key, node::alpns(), None)
        .await
        .expect("bind");
    let desktop = DesktopNode::start(endpoint, &ddir, "Front desk")
        .await
        .expect("desktop");
    let mut sim = Sim::start(&pdir);
    sim.send(
        json!({"settings": {"business_name": "Acme Plumbing", "assistant": {
        "mode": "suggest", "base_url": "https://api.example.com/v1", "model": "m",
        "api_key": "sk-live-SECRETSECRET-0123456789"}}}),
    );
    sim.expect_key("settings");
    // Plain http to the open internet is refused, naming the field.
    sim.send(json!({"settings": {"assistant": {"base_url": "http://api.example.com/v1"}}}));
    let line = sim
        .lines
        .recv_timeout(Duration::from_secs(20))
        .expect("an answer");
    let error = line["error"].as_str().expect("an error line").to_string();
    assert!(error.contains("assistant.base_url"), "{error}");
    let replica = pair(&mut sim, &desktop).await;
    converge(&mut sim, &replica).await;
    let state = replica
        .with(|s| s.reader().assistant_key_state())
        .expect("read")
        .expect("the phone says it has a key");
    assert_eq!(state.mask, "sk-…6789");
    assert_eq!(
        files_holding(&ddir, SECRET),
        Vec::<std::path::PathBuf>::new()
    );
    drop(sim);
    // On the phone: in its secret store, in none of the ops it sends.
    let phone = ringback_core::Store::open(&pdir.join("phone.db")).expect("phone store");
    let carrying: i64 = phone
        .connection()
        .query_row(
            "SELECT count(*) FROM ops WHERE instr(body, 'SECRETSECRET')",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(carrying, 0);
    let kept = phone
        .reader()
        .assistant_key_for("https://api.example.com/v1")
        .expect("read")
        .map(|k| k.expose().to_string());
    assert_eq!(kept.as_deref(), Some("sk-live-SECRETSECRET-0123456789"));

    desktop.shutdown().await;
}

/// The desktop's status of the message with `body`.
fn status_of(replica: &DesktopReplica, body: &str) -> String {
    let body = body.to_string();
    replica.with(move |s| {
        s.connection()
            .query_row("SELECT status FROM messages WHERE body = ?1", [body], |r| {
                r.get(0)
            })
            .expect("the message")
    })
}

/// Syncs until the desktop shows the message with `body` as `status` (a deadline for a test
/// that would otherwise hang: the simulated radio's report arrives on a task of its own).
async fn converge_to_status(sim: &mut Sim, replica: &DesktopReplica, body: &str, status: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        converge(sim, replica).await;
        let now = status_of(replica, body);
        if now == status {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "“{body}” stayed {now}, not {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn a_text_back_that_failed_for_no_service_is_sent_once_when_service_returns() {
    let dir = tempfile::tempdir().expect("dir");
    let mut sim = Sim::start(&dir.path().join("phone"));
    sim.send(json!({"settings": {"business_name": "Acme Plumbing"}}));
    sim.expect_key("settings");
    sim.send(json!({"radio": {"line": "sim1", "state": "no_service"}}));
    sim.expect_key("radio");
    sim.send(json!({"call": {"from": "+12125550123", "outcome": "missed", "line": "sim1"}}));
    let retrying = sim.expect_key("retrying");
    assert!(
        retrying["reason"]
            .as_str()
            .is_some_and(|r| r.contains("no mobile service")),
        "{retrying}"
    );
    sim.send(json!({"radio": {"line": "sim1", "state": "in_service"}}));
    sim.expect_key("radio");
    let out = sim.expect_key("sms_out");
    assert_eq!(out["kind"], "text_back");
    assert_eq!(out["message"], retrying["message"]);
    // Service comes and goes again: the text-back left, it is not sent again.
    sim.send(json!({"radio": {"line": "sim1", "state": "radio_off"}}));
    sim.send(json!({"radio": {"line": "sim1", "state": "in_service"}}));
    sim.send(json!({"status": {}}));
    for line in sim.lines_until("status") {
        assert!(line.get("sms_out").is_none(), "sent again: {line}");
    }
    // A declined limit prompt: the next text waits too, and goes when allowed again.
    sim.send(json!({"limit_prompt": "decline"}));
    sim.expect_key("limit_prompt");
    sim.send(json!({"call": {"from": "+12125550199", "outcome": "missed", "line": "sim1"}}));
    let retrying = sim.expect_key("retrying");
    assert!(
        retrying["reason"]
            .as_str()
            .is_some_and(|r| r.contains("many texts")),
        "{retrying}"
    );
    sim.send(json!({"radio": {"line": "sim1", "state": "in_service"}}));
    let out = sim.expect_key("sms_out");
    assert_eq!(out["message"], retrying["message"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_reply_is_retried_when_service_returns_and_never_sent_twice_across_a_kill() {
    let dir = tempfile::tempdir().expect("dir");
    let (pdir, ddir) = (dir.path().join("phone"), dir.path().join("desktop"));
    std::fs::create_dir_all(&ddir).expect("mkdir");
    let key = net::load_or_create_key(&ddir.join("desktop.key")).expect("key");
    let endpoint = net::bind(&NetworkMode::Loopback, key, node::alpns(), None)
        .await
        .expect("bind");
    let desktop = DesktopNode::start(endpoint, &ddir, "Front desk")
        .await
        .expect("desktop");
    let mut sim = Sim::start(&pdir);
    sim.send(json!({"settings": {"business_name": "Acme Plumbing"}}));
    sim.expect_key("settings");
    let replica = pair(&mut sim, &desktop).await;
    sim.send(
        json!({"sms": {"from": "+12125550123", "body": "Can you come today?", "line": "sim1"}}),
    );
    converge(&mut sim, &replica).await;

    // No service: the reply waits, and every desktop sees it waiting.
    sim.send(json!({"radio": {"state": "no_service"}}));
    sim.expect_key("radio");
    replica
        .request_reply(Some(ConversationId(1)), None, "On our way")
        .expect("reply");
    sim.expect_key("retrying");
    converge(&mut sim, &replica).await;
    assert_eq!(status_of(&replica, "On our way"), "retrying");
    // Service returns: it is sent, once.
    sim.send(json!({"radio": {"state": "in_service"}}));
    sim.expect_key("radio");
    let out = sim.expect_key("sms_out");
    assert_eq!(out["body"], "On our way");
    converge_to_status(&mut sim, &replica, "On our way", "sent").await;

    // Another reply waits; the phone dies inside its retry, and again at once after.
    sim.send(json!({"radio": {"state": "no_service"}}));
    sim.expect_key("radio");
    replica
        .request_reply(Some(ConversationId(1)), None, "Second reply")
        .expect("reply");
    sim.expect_key("retrying");
    sim.send(json!({"crash": "next_send"}));
    // Armed before the reply can reach it: else the reply may go out first and nothing dies.
    sim.expect_key("crash");
    sim.send(json!({"radio": {"state": "in_service"}}));
    sim.wait_for_exit();
    let mut sim = Sim::start(&pdir);
    converge(&mut sim, &replica).await;
    assert_eq!(
        status_of(&replica, "Second reply"),
        "unconfirmed",
        "it may have left: shown to the owner, never sent again on its own"
    );
    assert_eq!(status_of(&replica, "On our way"), "sent");
    sim.send(json!({"sms": {"from": "+12125550123", "body": "thanks", "line": "sim1"}}));
    converge(&mut sim, &replica).await;
    while let Ok(line) = sim.lines.try_recv() {
        assert!(line.get("sms_out").is_none(), "sent again: {line}");
        assert!(line.get("retrying").is_none(), "retried again: {line}");
    }
    desktop.shutdown().await;
}

/// Waits until the desktop's record of the phone's health passes `check`.
async fn wait_for_health(
    replica: &DesktopReplica,
    what: &str,
    check: impl Fn(&ringback_core::health::PhoneHealth) -> bool,
) {
    for _ in 0..600 {
        let kept = replica.with(|s| s.phone_health().expect("read"));
        if kept.as_ref().is_some_and(|r| check(&r.health)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the desktop never saw {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_permission_reaches_the_desktop_and_clears_when_granted_again() {
    use ringback_core::health::{HealthProblem, Permission};
    let dir = tempfile::tempdir().expect("dir");
    let (pdir, ddir) = (dir.path().join("phone"), dir.path().join("desktop"));
    std::fs::create_dir_all(&ddir).expect("mkdir");
    let key = net::load_or_create_key(&ddir.join("desktop.key")).expect("key");
    let endpoint = net::bind(&NetworkMode::Loopback, key, node::alpns(), None)
        .await
        .expect("bind");
    let desktop = DesktopNode::start(endpoint, &ddir, "Front desk")
        .await
        .expect("desktop");
    let mut sim = Sim::start(&pdir);
    let replica = pair(&mut sim, &desktop).await;
    wait_for_health(&replica, "a healthy phone", |h| h.problems().is_empty()).await;

    sim.send(json!({"permission": {"name": "read_call_log", "granted": false}}));
    let said = sim.expect_key("health");
    assert_eq!(
        said["problems"],
        json!(["permission_missing:read_call_log"])
    );
    wait_for_health(&replica, "the revoked permission", |h| {
        h.problems() == vec![HealthProblem::PermissionMissing(Permission::ReadCallLog)]
    })
    .await;

    sim.send(json!({"permission": {"name": "read_call_log", "granted": true}}));
    sim.expect_key("health");
    wait_for_health(&replica, "the permission granted again", |h| {
        h.problems().is_empty()
    })
    .await;

    sim.send(json!({"permission": {"name": "camera", "granted": false}}));
    let err = sim.expect_key("error");
    assert!(
        err.as_str().is_some_and(|e| e.contains("read_call_log")),
        "the error names the permissions there are: {err}"
    );
    desktop.shutdown().await;
}
