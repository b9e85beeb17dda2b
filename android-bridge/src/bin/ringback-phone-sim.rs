//! `ringback-phone-sim`: the phone runtime on a simulated platform.
//!
//! `ringback-phone-sim scenario [--settings FILE.json] < events.jsonl > outcomes.jsonl`
//! dry-runs a scripted day through the real engine and store on a virtual clock.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use ringback_bridge::scenario;

const USAGE: &str =
    "usage: ringback-phone-sim scenario [--settings FILE.json] < events.jsonl > outcomes.jsonl";

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RINGBACK_LOG")
                .unwrap_or_else(|_| "error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ringback-phone-sim: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("scenario") => scenario_command(&args[1..]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command “{other}”\n{USAGE}")),
        None => Err(USAGE.to_string()),
    }
}

fn scenario_command(args: &[String]) -> Result<(), String> {
    let mut settings_path = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--settings" => {
                settings_path = Some(rest.next().ok_or("--settings needs a file name")?.clone());
            }
            other => return Err(format!("unknown option “{other}”\n{USAGE}")),
        }
    }
    let file_text = match &settings_path {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| format!("settings file {path} could not be read: {e}"))?,
        ),
        None => None,
    };
    let file = settings_path.as_deref().zip(file_text.as_deref());
    let settings = scenario::starting_settings(file).map_err(|e| e.to_string())?;
    let events = scenario::read_events(std::io::stdin().lock()).map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    scenario::run(settings, &events, &mut out).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())
}
