//! The phone runtime's memory with 100,000 ops stored (goal: under 30 MB RSS), measured on
//! the real `ringback-phone-sim serve` process while a fresh desktop catches up on all of
//! them, against the same process with an empty store, in the same run.
//!
//! `cargo bench -p ringback-bridge --bench phone_memory` (release; about a minute).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use ringback_core::ports::memory::{MemoryCallLog, MemoryContacts, MemoryTelephony, SystemClock};
use ringback_core::sync::net::{self, NetworkMode};
use ringback_core::sync::node::{self, DesktopNode};
use ringback_core::{Engine, InboundSms, Line, PlatformEvent, Ports, Settings, Store};
use serde_json::json;

const OPS: u64 = 100_000;

fn prepare(dir: &Path) {
    let store = Store::open(&dir.join("phone.db")).expect("store");
    let ports = Ports {
        telephony: MemoryTelephony::new(),
        call_log: MemoryCallLog::new(),
        contacts: MemoryContacts::new(),
        clock: Arc::new(SystemClock),
    };
    let settings =
        Settings::from_value(&json!({"business_name": "Acme Plumbing"})).expect("settings");
    let mut engine = Engine::open(store, ports, &settings).expect("engine");
    let mut i = 0u64;
    while engine.store().op_count().expect("count") < OPS {
        engine
            .handle(PlatformEvent::SmsReceived(InboundSms {
                source_id: Some(format!("sms-{i}")),
                from: format!("+1212555{:04}", i % 5000),
                body: format!(
                    "Hi, this is message {i}: can you come by today? The sink is leaking."
                ),
                line: Line::default(),
                at: Timestamp::now(),
            }))
            .expect("event");
        i += 1;
    }
}

/// (VmRSS, VmHWM, RssAnon) in kB.
fn memory(pid: u32) -> (u64, u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"), field("RssAnon:"))
}

struct Sim {
    child: Child,
    lines: std::sync::mpsc::Receiver<serde_json::Value>,
}

fn start_sim(data: &Path, ticket: &str) -> Sim {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ringback-phone-sim"))
        .args(["serve", "--network", "loopback", "--data"])
        .arg(data)
        .arg("--pair")
        .arg(ticket)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str(&line)
                && tx.send(v).is_err()
            {
                return;
            }
        }
    });
    Sim { child, lines }
}

async fn measure(data: &Path, desk_dir: &Path, expect_ops: u64) -> ((u64, u64, u64), Duration) {
    std::fs::create_dir_all(desk_dir).expect("mkdir");
    let key = net::load_or_create_key(&desk_dir.join("desktop.key")).expect("key");
    let ep = net::bind(&NetworkMode::Loopback, key, node::alpns(), None)
        .await
        .expect("bind");
    let desk = DesktopNode::start(ep, desk_dir, "desk")
        .await
        .expect("desktop");
    let mut sim = start_sim(data, &desk.ticket().to_qr_payload());
    let started = Instant::now();
    // Accepted on the desktop as a person would, once the phone that started waits there.
    let mut phone: Option<String> = None;
    loop {
        let line = match sim.lines.recv_timeout(Duration::from_millis(20)) {
            Ok(line) => line,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                assert!(started.elapsed() < Duration::from_secs(60), "no answer");
                let waiting = desk
                    .pairing_requests()
                    .borrow()
                    .iter()
                    .find(|r| Some(r.endpoint.to_string()) == phone)
                    .map(|r| r.endpoint);
                if let Some(id) = waiting {
                    desk.accept_pairing(&id).expect("accept");
                }
                continue;
            }
            Err(e) => panic!("the simulator stopped: {e}"),
        };
        if let Some(id) = line.pointer("/ready/endpoint").and_then(|v| v.as_str()) {
            phone = Some(id.to_string());
        }
        if line.get("paired").is_some() {
            break;
        }
        assert!(line.get("error").is_none(), "{line}");
    }
    let replica = desk.phones().into_iter().next().expect("paired").1;
    loop {
        let held = replica.with(|s| s.op_count().expect("count"));
        if held >= expect_ops {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let m = memory(sim.child.id());
    if let Some(stdin) = sim.child.stdin.as_mut() {
        let _ = writeln!(stdin, "{}", json!({"status": {}}));
    }
    let _ = sim.child.kill();
    let _ = sim.child.wait();
    desk.shutdown().await;
    (m, took)
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let full = dir.path().join("full");
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&full).expect("mkdir");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let t = Instant::now();
    prepare(&full);
    println!("prepared {OPS} ops in {:?}", t.elapsed());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let ((rss0, hwm0, anon0), _) =
        runtime.block_on(measure(&empty, &dir.path().join("desk-empty"), 1));
    let ((rss, hwm, anon), took) =
        runtime.block_on(measure(&full, &dir.path().join("desk-full"), OPS));
    let mb = |kb: u64| kb as f64 / 1024.0;
    println!(
        "\n== Ringback phone memory (limit measured in this run)\nphone process with {OPS} ops, after a fresh desktop caught up on all of them ({took:?}): RSS {:.1} MB (peak {:.1} MB, anonymous {:.1} MB); the same process with an empty store: RSS {:.1} MB (peak {:.1} MB, anonymous {:.1} MB); ratio {:.2}x; goal < 30 MB: {}",
        mb(rss),
        mb(hwm),
        mb(anon),
        mb(rss0),
        mb(hwm0),
        mb(anon0),
        rss as f64 / rss0.max(1) as f64,
        if mb(hwm) < 30.0 { "met" } else { "MISSED" }
    );
}
