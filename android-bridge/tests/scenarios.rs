//! Runs every scenario in `tests/scenarios/` through the real `ringback-phone-sim scenario`
//! binary and compares what it prints with the expected lines.
//!
//! A scenario is `NAME.events.jsonl` (stdin) plus an optional `NAME.settings.json`
//! (passed as `--settings`) plus exactly one of:
//! - `NAME.expected.jsonl`: the run must exit 0 and print the same lines, each equal as a
//!   JSON value once its `at` has been parsed as an instant (so any RFC 3339 offset works);
//! - `NAME.error.txt`: the run must exit non-zero and stderr must contain every non-blank
//!   line of the file (case-insensitive).
//!
//! Every scenario is run; all failures are collected and reported together at the end.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use jiff::Timestamp;
use serde_json::Value;

/// Fewer than this means the directory or the glob is broken, not that all is well.
const MIN_SCENARIOS: usize = 40;
/// A run still going after this long is reported as hung (the virtual clock should make
/// every scenario finish in well under a second).
const TIMEOUT: Duration = Duration::from_secs(60);

const EVENTS: &str = ".events.jsonl";
const EXPECTED: &str = ".expected.jsonl";
const ERROR: &str = ".error.txt";
const SETTINGS: &str = ".settings.json";
/// The folder of the photos picture messages attach.
const PHOTOS: &str = "photos";

fn scenario_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/scenarios"))
}

struct RunOutput {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

fn read_pipe<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            // A read error just truncates what we compare; the comparison then reports it.
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

fn run(events: &Path, settings: Option<&Path>) -> Result<RunOutput> {
    let input = std::fs::read(events).with_context(|| format!("reading {}", events.display()))?;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ringback-phone-sim"));
    // Picture messages name their files relative to the scenario folder (`photos/…`).
    cmd.arg("scenario").current_dir(scenario_dir());
    if let Some(s) = settings {
        cmd.arg("--settings").arg(s);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("spawning ringback-phone-sim")?;
    let stdin = child.stdin.take();
    let writer = thread::spawn(move || {
        if let Some(mut s) = stdin {
            // The binary may stop reading early on bad input; a broken pipe is fine.
            let _ = s.write_all(&input);
        }
    });
    let out = read_pipe(child.stdout.take());
    let err = read_pipe(child.stderr.take());

    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().context("waiting for ringback-phone-sim")? {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "still running after {TIMEOUT:?}; killed (does the clock ever run out of timers?)"
            );
        }
        thread::sleep(Duration::from_millis(5));
    };
    let _ = writer.join();
    let stdout = out.join().map_err(|_| anyhow!("stdout reader panicked"))?;
    let stderr = err.join().map_err(|_| anyhow!("stderr reader panicked"))?;
    Ok(RunOutput {
        status,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

fn non_blank_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.trim().is_empty()).collect()
}

/// A line as a JSON value with its `at` replaced by the instant it names.
fn normalize(line: &str) -> Result<Value, String> {
    let mut value: Value =
        serde_json::from_str(line).map_err(|e| format!("not JSON ({e}): {line}"))?;
    let at = match value.get("at") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(format!("`at` is not a string ({other}): {line}")),
        None => return Err(format!("no `at`: {line}")),
    };
    let ts: Timestamp = at
        .parse()
        .map_err(|e| format!("`at` {at:?} is not an RFC 3339 instant ({e}): {line}"))?;
    value["at"] = Value::String(ts.to_string());
    Ok(value)
}

fn indent(text: &str) -> String {
    if text.trim().is_empty() {
        return "    (nothing)\n".to_owned();
    }
    text.lines().map(|l| format!("    {l}\n")).collect()
}

fn check_expected(run: &RunOutput, expected_text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if !run.status.success() {
        problems.push(format!(
            "exit status {} (expected success); stderr:\n{}",
            run.status,
            indent(&run.stderr)
        ));
    }
    let expected = non_blank_lines(expected_text);
    let actual = non_blank_lines(&run.stdout);
    let n = expected.len().max(actual.len());
    let mut line_problems = Vec::new();
    for i in 0..n {
        let e = expected.get(i).copied();
        let a = actual.get(i).copied();
        match (e, a) {
            (Some(e), Some(a)) => match (normalize(e), normalize(a)) {
                (Ok(ev), Ok(av)) if ev == av => {}
                (Err(err), _) => {
                    line_problems.push(format!("  line {}: bad expected line: {err}", i + 1))
                }
                (_, Err(err)) => line_problems.push(format!(
                    "  line {}:\n    expected: {e}\n    actual (unparseable): {err}",
                    i + 1
                )),
                _ => line_problems.push(format!(
                    "  line {}:\n    expected: {e}\n    actual:   {a}",
                    i + 1
                )),
            },
            (Some(e), None) => line_problems.push(format!(
                "  line {}:\n    expected: {e}\n    actual:   (missing)",
                i + 1
            )),
            (None, Some(a)) => line_problems.push(format!(
                "  line {}:\n    expected: (nothing)\n    actual:   {a}",
                i + 1
            )),
            (None, None) => {}
        }
    }
    if expected.len() != actual.len() {
        problems.push(format!(
            "{} output line(s) expected, {} printed",
            expected.len(),
            actual.len()
        ));
    }
    if !line_problems.is_empty() {
        problems.push(format!(
            "output differs:\n{}\n  full actual output:\n{}",
            line_problems.join("\n"),
            indent(&run.stdout)
        ));
    }
    problems
}

fn check_error(run: &RunOutput, error_text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if run.status.success() {
        problems.push(format!(
            "exited successfully but a failure was expected; stdout:\n{}",
            indent(&run.stdout)
        ));
    }
    let stderr = run.stderr.to_lowercase();
    let wanted = non_blank_lines(error_text);
    if wanted.is_empty() {
        problems.push("error file lists no substrings".to_owned());
    }
    for w in wanted {
        let w = w.trim();
        if !stderr.contains(&w.to_lowercase()) {
            problems.push(format!("stderr lacks {w:?}"));
        }
    }
    if problems.iter().any(|p| p.starts_with("stderr lacks")) {
        problems.push(format!("stderr was:\n{}", indent(&run.stderr)));
    }
    problems
}

fn check_scenario(dir: &Path, name: &str) -> Vec<String> {
    let events = dir.join(format!("{name}{EVENTS}"));
    let settings = dir.join(format!("{name}{SETTINGS}"));
    let expected = dir.join(format!("{name}{EXPECTED}"));
    let error = dir.join(format!("{name}{ERROR}"));
    let want = match (expected.is_file(), error.is_file()) {
        (true, false) => std::fs::read_to_string(&expected).map(|t| (true, t)),
        (false, true) => std::fs::read_to_string(&error).map(|t| (false, t)),
        (false, false) => return vec![format!("has neither {name}{EXPECTED} nor {name}{ERROR}")],
        (true, true) => return vec![format!("has both {name}{EXPECTED} and {name}{ERROR}")],
    };
    let (is_expected, want_text) = match want {
        Ok(w) => w,
        Err(e) => return vec![format!("cannot read the expected/error file: {e}")],
    };
    let output = match run(&events, settings.is_file().then_some(settings.as_path())) {
        Ok(o) => o,
        Err(e) => return vec![format!("run failed: {e:#}")],
    };
    if is_expected {
        check_expected(&output, &want_text)
    } else {
        check_error(&output, &want_text)
    }
}

#[test]
fn scenarios() -> Result<()> {
    let dir = scenario_dir();
    let mut names = BTreeSet::new();
    let mut others = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
        let file_name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(name) = file_name.strip_suffix(EVENTS) {
            names.insert(name.to_owned());
        } else {
            others.push(file_name);
        }
    }

    let mut failures = Vec::new();
    // Files that belong to no scenario (a typo in a name would otherwise go unnoticed).
    for file in &others {
        let owner = [EXPECTED, ERROR, SETTINGS]
            .iter()
            .find_map(|suffix| file.strip_suffix(suffix));
        match owner {
            Some(name) if names.contains(name) => {}
            Some(name) => failures.push(format!("{name}: {file} has no {name}{EVENTS}")),
            None if file == "README.md" || file == PHOTOS => {}
            None => failures.push(format!("{file}: not a scenario file")),
        }
    }
    if names.len() < MIN_SCENARIOS {
        failures.push(format!(
            "only {} scenario(s) found in {} (at least {MIN_SCENARIOS} expected)",
            names.len(),
            dir.display()
        ));
    }
    for name in &names {
        for problem in check_scenario(&dir, name) {
            failures.push(format!("{name}: {problem}"));
        }
    }

    if failures.is_empty() {
        eprintln!("{} scenarios passed", names.len());
        return Ok(());
    }
    let failed = names
        .iter()
        .filter(|n| failures.iter().any(|f| f.starts_with(&format!("{n}: "))))
        .count();
    bail!(
        "{} of {} scenario(s) failed; {} problem(s) in all:\n\n{}",
        failed,
        names.len(),
        failures.len(),
        failures.join("\n\n")
    )
}
