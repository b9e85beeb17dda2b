//! `ringback-phone-sim`: the phone runtime on a simulated platform.
//!
//! `ringback-phone-sim scenario [--settings FILE.json] < events.jsonl > outcomes.jsonl`
//! dry-runs a scripted day through the real engine and store on a virtual clock.
//!
//! `ringback-phone-sim serve --data DIR [--settings FILE.json] [--network MODE]
//! [--pair TICKET] [--name NAME]` runs a live simulated phone with sync; it takes JSON
//! commands on stdin (see `ringback_bridge::serve`).

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use ringback_bridge::{scenario, serve};
use ringback_core::sync::net::NetworkMode;

const USAGE: &str = "usage:
  ringback-phone-sim scenario [--settings FILE.json] < events.jsonl > outcomes.jsonl
  ringback-phone-sim serve --data DIR [--settings FILE.json] [--network MODE] [--pair TICKET] [--name NAME]

serve runs a live simulated phone with sync. MODE is default (iroh's public relays),
lan, loopback (this machine only, for tests) or relay=URL. It reads one JSON command
per line on stdin and prints one JSON line per thing it does:
  {\"call\": {\"from\": \"+12125550123\", \"outcome\": \"missed\"}}
  {\"sms\": {\"from\": \"+12125550123\", \"body\": \"Can you come today?\"}}
  {\"delivered\": {\"message\": 12, \"status\": \"delivered\"}}
  {\"contact\": {\"number\": \"+12125550123\", \"name\": \"Dana\"}}
  {\"settings\": {\"business_name\": \"Acme Plumbing\"}}
  {\"pair\": \"<ticket>\"}   {\"unpair\": \"<desktop endpoint id>\"}
  {\"crash\": \"now\"}   {\"crash\": \"next_send\"}   {\"status\": {}}";

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
        Some("serve") => serve_command(&args[1..]),
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
    let settings = read_settings(settings_path.as_deref())?;
    let events = scenario::read_events(std::io::stdin().lock()).map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    scenario::run(settings, &events, &mut out).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())
}

fn serve_command(args: &[String]) -> Result<(), String> {
    let mut data = None;
    let mut settings_path = None;
    let mut network = None;
    let mut pair = None;
    let mut name = "Simulated phone".to_string();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = |flag: &str| {
            rest.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--data" => data = Some(value("--data")?),
            "--settings" => settings_path = Some(value("--settings")?),
            "--network" => network = Some(parse_network(&value("--network")?)?),
            "--pair" => pair = Some(value("--pair")?),
            "--name" => name = value("--name")?,
            other => return Err(format!("unknown option “{other}”\n{USAGE}")),
        }
    }
    let data = data.ok_or_else(|| format!("serve needs --data DIR\n{USAGE}"))?;
    let settings = read_settings(settings_path.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("could not start: {e}"))?;
    runtime
        .block_on(serve::serve(serve::ServeOptions {
            data: data.into(),
            settings,
            network,
            pair,
            name,
        }))
        .map_err(|e| e.to_string())
}

fn parse_network(text: &str) -> Result<NetworkMode, String> {
    match text {
        "default" => Ok(NetworkMode::Default),
        "lan" => Ok(NetworkMode::LanOnly),
        "loopback" => Ok(NetworkMode::Loopback),
        other => match other.strip_prefix("relay=") {
            Some(url) => NetworkMode::relay(url).map_err(|e| e.to_string()),
            None => Err(format!(
                "--network: “{other}” is not a mode; use default, lan, loopback or relay=URL"
            )),
        },
    }
}

/// The starting settings: the defaults, with the file's merged in when one is named.
fn read_settings(path: Option<&str>) -> Result<ringback_core::Settings, String> {
    let text = match path {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| format!("settings file {path} could not be read: {e}"))?,
        ),
        None => None,
    };
    scenario::starting_settings(path.zip(text.as_deref())).map_err(|e| e.to_string())
}
