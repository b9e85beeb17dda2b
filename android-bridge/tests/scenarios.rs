//! Runs every scenario in `tests/scenarios/` through the real `ringback-phone-sim` binary
//! and compares its output with the expected lines.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use jiff::Timestamp;
use serde_json::Value;

const MIN_SCENARIOS: usize = 30;

fn scenario_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios")
}

/// A line with its `at` turned into an instant, so any offset compares equal.
fn normalize(line: &str) -> Result<Value, String> {
    let mut value: Value =
        serde_json::from_str(line).map_err(|e| format!("not JSON ({e}): {line}"))?;
    if let Some(at) = value.get("at").and_then(Value::as_str) {
        let t: Timestamp = at.parse().map_err(|e| format!("bad at {at}: {e}"))?;
        value["at"] = Value::String(t.to_string());
    }
    Ok(value)
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.trim().is_empty()).collect()
}

fn run(events: &Path, settings: Option<&Path>) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ringback-phone-sim"));
    cmd.arg("scenario");
    if let Some(s) = settings {
        cmd.arg("--settings").arg(s);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ringback-phone-sim");
    let input = std::fs::read(events).expect("events");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("write");
    child.wait_with_output().expect("wait")
}

fn check(name: &str, dir: &Path) -> Result<(), String> {
    let events = dir.join(format!("{name}.events.jsonl"));
    let settings = dir.join(format!("{name}.settings.json"));
    let expected = dir.join(format!("{name}.expected.jsonl"));
    let error = dir.join(format!("{name}.error.txt"));
    let output = run(&events, settings.exists().then_some(settings.as_path()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if error.exists() {
        if output.status.success() {
            return Err(format!("expected a failure, got success with:\n{stdout}"));
        }
        let wanted = std::fs::read_to_string(&error).expect("error file");
        for needle in lines(&wanted) {
            if !stderr
                .to_lowercase()
                .contains(&needle.trim().to_lowercase())
            {
                return Err(format!("stderr lacks “{}”: {stderr}", needle.trim()));
            }
        }
        return Ok(());
    }
    if !expected.exists() {
        return Err("has neither .expected.jsonl nor .error.txt".into());
    }
    if !output.status.success() {
        return Err(format!("failed: {stderr}"));
    }
    let want = std::fs::read_to_string(&expected).expect("expected");
    let want = lines(&want);
    let got = lines(&stdout);
    let mut problems = Vec::new();
    for i in 0..want.len().max(got.len()) {
        let w = want.get(i).map(|l| normalize(l));
        let g = got.get(i).map(|l| normalize(l));
        match (w, g) {
            (Some(Ok(w)), Some(Ok(g))) if w == g => {}
            (w, g) => problems.push(format!(
                "  line {}:\n    expected {}\n    actual   {}",
                i + 1,
                w.map_or("(nothing)".into(), |v| v
                    .map_or_else(|e| e, |v| v.to_string())),
                g.map_or("(nothing)".into(), |v| v
                    .map_or_else(|e| e, |v| v.to_string())),
            )),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn every_scenario_matches_its_expected_outcomes() {
    let dir = scenario_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/scenarios")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".events.jsonl"))
                .map(str::to_string)
        })
        .collect();
    names.sort();
    assert!(
        names.len() >= MIN_SCENARIOS,
        "only {} scenarios found in {}",
        names.len(),
        dir.display()
    );
    let failures: Vec<String> = names
        .iter()
        .filter_map(|name| check(name, &dir).err().map(|e| format!("{name}:\n{e}")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}
