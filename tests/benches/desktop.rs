//! The desktop app's budgets, measured on the real release build under Xvfb (run it with
//! `scripts/bench-desktop`, which builds, seeds and starts the display and driver):
//!
//! - cold start to the inbox visible, from the app's own startup markers (goal < 1.5 s),
//!   beside the floor the platform imposes in the same run: the window's script starting;
//! - idle memory of every process of the app (goal < 150 MB, proportional set size, so
//!   shared libraries count once);
//! - opening a 5,000-message thread, timed in the page through WebDriver from the click
//!   to the frame that shows it (goal < 100 ms), beside a 3-message thread in the same run.
//!
//! Environment: `RINGBACK_E2E_APP` (the release app), `RINGBACK_E2E_DRIVER`,
//! `RINGBACK_BENCH_DATA` (a folder seeded by the `seed_inbox` example).

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use ringback_tests::webdriver::Session;
use serde_json::json;

const RUNS: usize = 7;

fn main() -> Result<()> {
    let app = PathBuf::from(std::env::var("RINGBACK_E2E_APP").context("set RINGBACK_E2E_APP")?);
    let data =
        PathBuf::from(std::env::var("RINGBACK_BENCH_DATA").context("set RINGBACK_BENCH_DATA")?);
    let driver =
        std::env::var("RINGBACK_E2E_DRIVER").unwrap_or_else(|_| "http://127.0.0.1:4444".into());

    // Cold start: each run a new process on the seeded data.
    let mut inbox = Vec::new();
    let mut script = Vec::new();
    let mut memory = Vec::new();
    for run in 0..RUNS {
        let marks = std::env::temp_dir().join(format!("ringback-bench-marks-{run}"));
        let _ = std::fs::remove_file(&marks);
        let started = jiff::Timestamp::now().as_millisecond();
        let mut child = Command::new(&app)
            .args(["--data", &data.display().to_string()])
            .env("RINGBACK_STARTUP_MARK", &marks)
            .env("RUST_LOG", "warn")
            .spawn()
            .context("starting the app")?;
        let seen = wait_marks(&marks, Duration::from_secs(30))?;
        script.push(seen.0 - started);
        inbox.push(seen.1 - started);
        if run == 0 {
            // Idle memory: the inbox is up and nothing happens for ten seconds.
            std::thread::sleep(Duration::from_secs(10));
            memory.push(tree_pss_kib(child.id())?);
        }
        stop(&mut child);
        std::thread::sleep(Duration::from_millis(500));
    }
    inbox.sort_unstable();
    script.sort_unstable();
    let inbox_median = inbox[RUNS / 2];
    let script_median = script[RUNS / 2];
    println!(
        "cold start to inbox visible: median {inbox_median} ms (min {}, max {}) over {RUNS} runs; goal 1500 ms: {:.2}x the goal",
        inbox[0],
        inbox[RUNS - 1],
        inbox_median as f64 / 1500.0
    );
    println!(
        "  floor in the same runs, window script started: median {script_median} ms; the inbox adds {} ms ({:.2}x the floor)",
        inbox_median - script_median,
        inbox_median as f64 / script_median.max(1) as f64
    );
    let mib = memory[0] as f64 / 1024.0;
    println!(
        "idle memory of all the app's processes (PSS): {mib:.1} MB; goal 150 MB: {:.2}x the goal",
        mib / 150.0
    );
    // The floor in the same run: Tauri and WebKitGTK with a blank page and nothing else.
    if let Ok(blank) = std::env::var("RINGBACK_BENCH_BLANK") {
        let mut child = Command::new(&blank)
            .env("RUST_LOG", "warn")
            .spawn()
            .context("starting the blank window")?;
        std::thread::sleep(Duration::from_secs(10));
        if let Some(status) = child.try_wait()? {
            bail!("the blank window exited ({status}) before its memory was read");
        }
        let floor = tree_pss_kib(child.id())? as f64 / 1024.0;
        stop(&mut child);
        println!(
            "  floor in the same run, a blank Tauri/WebKitGTK window: {floor:.1} MB; the app adds {:.1} MB ({:.2}x the floor)",
            mib - floor,
            mib / floor
        );
    }

    // Thread opening, through WebDriver.
    let session = Session::start(
        &driver,
        &app,
        &["--data".into(), data.display().to_string()],
    )?;
    let result = thread_timings(&session);
    let _ = session.quit();
    let (big, small) = result?;
    println!(
        "open a 5,000-message thread: median {:.1} ms (max {:.1}) over {} opens; goal 100 ms: {:.2}x the goal",
        median(&big),
        big.iter().copied().fold(0.0, f64::max),
        big.len(),
        median(&big) / 100.0
    );
    println!(
        "  a 3-message thread in the same run: median {:.1} ms ({:.2}x: the thread's length costs {:.1} ms)",
        median(&small),
        median(&big) / median(&small).max(0.1),
        median(&big) - median(&small)
    );
    Ok(())
}

fn median(samples: &[f64]) -> f64 {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

/// Waits for the "script" and "inbox" marks; returns their Unix ms.
fn wait_marks(path: &Path, timeout: Duration) -> Result<(i64, i64)> {
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            let find = |phase: &str| {
                text.lines()
                    .filter_map(|l| l.split_once(' '))
                    .find(|(p, _)| *p == phase)
                    .and_then(|(_, t)| t.trim().parse::<i64>().ok())
            };
            if let (Some(s), Some(i)) = (find("script"), find("inbox")) {
                return Ok((s, i));
            }
        }
        if start.elapsed() > timeout {
            bail!("the app did not show its inbox within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn stop(child: &mut Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The proportional set size of a process and all its descendants (WebKit's web and
/// network processes), in KiB.
fn tree_pss_kib(root: u32) -> Result<u64> {
    let mut pids = vec![root];
    let mut i = 0;
    while i < pids.len() {
        let parent = pids[i];
        for entry in std::fs::read_dir("/proc")?.flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // The parent pid is the second field after the parenthesised command.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if ppid == Some(parent) && !pids.contains(&pid) {
                pids.push(pid);
            }
        }
        i += 1;
    }
    let mut total = 0;
    for pid in &pids {
        let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            continue;
        };
        let field = |name: &str| {
            rollup
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or(0)
        };
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        println!(
            "  {:<16} PSS {:>6.1} MB (anonymous {:>5.1} MB, files and libraries {:>5.1} MB)",
            name.trim(),
            field("Pss:") as f64 / 1024.0,
            field("Pss_Anon:") as f64 / 1024.0,
            field("Pss_File:") as f64 / 1024.0
        );
        total += field("Pss:");
    }
    Ok(total)
}

/// Opens the big thread and a small one alternately; each open is timed in the page from
/// the click to the frame after its messages render.
fn thread_timings(s: &Session) -> Result<(Vec<f64>, Vec<f64>)> {
    s.wait(
        "[data-testid=conv-row][data-number='+12125550000']",
        Duration::from_secs(30),
    )?;
    let open = r#"
        const [number, done] = [arguments[0], arguments[arguments.length - 1]];
        const row = document.querySelector(`[data-testid=conv-row][data-number='${number}']`);
        if (!row) { done(-1); return; }
        const t0 = performance.now();
        row.click();
        const check = () => {
            const header = document.querySelector('[data-testid=conv-header]');
            const shown = header && header.getAttribute('data-number') === number
                && document.querySelector('[data-testid=message]');
            if (shown) requestAnimationFrame(() => done(performance.now() - t0));
            else requestAnimationFrame(check);
        };
        check();
    "#;
    let rows = s.find_all("[data-testid=conv-row]")?;
    let mut small_number = None;
    for r in rows {
        if let Some(n) = s.attr(&r, "data-number")?
            && n != "+12125550000"
        {
            small_number = Some(n);
            break;
        }
    }
    let small_number = small_number.context("a second conversation in the inbox")?;
    let mut big = Vec::new();
    let mut small = Vec::new();
    for _ in 0..10 {
        let ms = s
            .script_async(open, json!([small_number]))?
            .as_f64()
            .unwrap_or(-1.0);
        if ms < 0.0 {
            bail!("the small conversation was not in the inbox");
        }
        small.push(ms);
        let ms = s
            .script_async(open, json!(["+12125550000"]))?
            .as_f64()
            .unwrap_or(-1.0);
        if ms < 0.0 {
            bail!("the 5,000-message conversation was not in the inbox");
        }
        big.push(ms);
    }
    Ok((big, small))
}
