//! Inbound text → applied on the desktop, through the self-hosted relay between network
//! namespaces, beside a bare relayed iroh stream in the same run (the floor the network
//! and iroh set). Run it with `cargo bench -p ringback-tests --bench relay_latency` as
//! root (it builds the network lab's namespaces; without them it says so and stops).
//!
//! Both paths cross the same NATs and the same `iroh-relay --dev` with UDP dropped at
//! both routers, so nothing goes direct; both are timed the same way, from the line
//! written to the sending process's stdin to the line read from the receiving process's
//! stdout, so the pipes cost both the same.
//!
//! - Ringback: `{"sms": …}` into `ringback-phone-sim serve` (mobile) until
//!   `ringback-desk-sim serve` (office) prints the commit holding it.
//! - Raw: a line into `ringback-desk-sim raw-send` (mobile) until `raw-serve` (office)
//!   prints it.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ringback_tests::netlab::{Code, Lab, PATIENCE, nat_lab, run_prefix, start_pair, tools};
use serde_json::json;

const WARMUP: usize = 5;
const SAMPLES: usize = 100;

fn main() -> Result<()> {
    let Some(tools) = tools(Path::new(env!("CARGO_BIN_EXE_ringback-desk-sim")))? else {
        return Ok(());
    };
    let mut lab = Lab::new(&run_prefix());
    let result = run(&mut lab, &tools);
    lab.teardown();
    result
}

fn run(lab: &mut Lab, tools: &ringback_tests::netlab::Tools) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let net = nat_lab(lab, tools)?;
    for router in [&net.office_router, &net.wifi_router] {
        lab.exec(
            router,
            &["iptables", "-I", "FORWARD", "-p", "udp", "-j", "DROP"],
        )?;
    }
    let network = format!("relay={}", net.relay_url);

    // Ringback: the phone's inbound text until the desktop's replica holds it.
    let pair = start_pair(
        lab,
        tools,
        dir.path(),
        (&net.office, &network),
        (&net.mobile, &network),
        Code::Qr,
    )?;
    let mut ringback = Vec::new();
    for i in 0..WARMUP + SAMPLES {
        let desk = &mut lab.processes[pair.desk];
        desk.drain();
        let from = desk.seen.len();
        let sent = Instant::now();
        lab.processes[pair.phone].send(&json!({"sms": {
            "from": format!("+1212555{:04}", i % 97),
            "body": format!("bench text {i}"),
        }}))?;
        let want = (i + 1) as i64;
        let desk = &mut lab.processes[pair.desk];
        let at = desk.wait_from(from, "the text applied", PATIENCE, |v| {
            v["changed"]["messages"]["inbound"].as_i64() == Some(want)
        })?;
        if i >= WARMUP {
            ringback.push(desk.seen[at].0 - sent);
        }
    }

    // Raw: a bare iroh stream over the same relay, between the same namespaces.
    let raw_dir = dir.path().join("raw");
    let server_dir = raw_dir.join("server").display().to_string();
    let server = lab.spawn(
        "raw-serve",
        &net.office,
        &tools.desk,
        &["raw-serve", "--data", &server_dir, "--network", &network],
    )?;
    let at = lab.processes[server].wait_from(0, "ready", PATIENCE, |v| v.get("ready").is_some())?;
    let target = lab.processes[server].seen[at].1["ready"].to_string();
    let client_dir = raw_dir.join("client").display().to_string();
    let client = lab.spawn(
        "raw-send",
        &net.mobile,
        &tools.desk,
        &[
            "raw-send",
            "--data",
            &client_dir,
            "--network",
            &network,
            "--to",
            &target,
        ],
    )?;
    lab.processes[client].wait_from(0, "connected", PATIENCE, |v| v.get("connected").is_some())?;
    let mut raw = Vec::new();
    for i in 0..WARMUP + SAMPLES {
        let server_proc = &mut lab.processes[server];
        server_proc.drain();
        let from = server_proc.seen.len();
        let text = format!("bench line {i}");
        let sent = Instant::now();
        // Written raw (not as JSON): raw-send sends the line as it is.
        let stdin = lab.processes[client]
            .stdin
            .as_mut()
            .context("raw-send's stdin")?;
        std::io::Write::write_all(stdin, format!("{text}\n").as_bytes())?;
        std::io::Write::flush(stdin)?;
        let server_proc = &mut lab.processes[server];
        let at = server_proc.wait_from(from, "the raw line", PATIENCE, |v| {
            v["got"].as_str() == Some(text.as_str())
        })?;
        if i >= WARMUP {
            raw.push(server_proc.seen[at].0 - sent);
        }
    }

    let (r50, r99) = percentiles(&mut ringback);
    let (w50, w99) = percentiles(&mut raw);
    println!(
        "inbound text on the phone → applied on the desktop, through iroh-relay between NATed namespaces ({SAMPLES} texts):"
    );
    println!(
        "  Ringback   p50 {:>7.2} ms   p99 {:>7.2} ms",
        ms(r50),
        ms(r99)
    );
    println!(
        "  raw iroh   p50 {:>7.2} ms   p99 {:>7.2} ms",
        ms(w50),
        ms(w99)
    );
    println!(
        "  ratio      p50 {:>7.1}×     p99 {:>7.1}×",
        ms(r50) / ms(w50).max(0.001),
        ms(r99) / ms(w99).max(0.001)
    );
    Ok(())
}

fn percentiles(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort_unstable();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(i).copied().unwrap_or_default()
    };
    (at(0.50), at(0.99))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
