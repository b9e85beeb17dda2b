//! `ringback-desk-sim`: a headless desktop for the network lab. It runs the real
//! `DesktopNode` (the desktop app's sync, without its window) on a data folder and a
//! network mode, and is driven like `ringback-phone-sim serve`: one JSON command per line
//! on stdin, one JSON line per thing it does on stdout.
//!
//! `ringback-desk-sim serve --data DIR [--network MODE] [--port PORT] [--name NAME] [--relay-ca FILE]`
//!
//! `ringback-desk-sim raw-serve --data DIR [--network MODE]` and
//! `ringback-desk-sim raw-send --data DIR [--network MODE] --to TICKET`: a bare iroh
//! stream with nothing of Ringback on it (the lab's baseline for the relayed latency).

use std::process::ExitCode;

use ringback_core::sync::net::NetworkMode;

mod lines;
mod raw;
mod serve;

const USAGE: &str = "usage:
  ringback-desk-sim serve --data DIR [--network MODE] [--port PORT] [--name NAME] [--relay-ca FILE]
  ringback-desk-sim raw-serve --data DIR [--network MODE]
  ringback-desk-sim raw-send --data DIR [--network MODE] --to TICKET

serve runs a headless desktop (the app's sync without its window). MODE is default (iroh's
public relays), lan, loopback (this machine only), relay=URL (a self-hosted relay) or
relay-only=URL (through that relay only, no direct paths); --relay-ca FILE trusts FILE's PEM
certificates, beside the public roots, for the relay's TLS. It reads one JSON command per
line on stdin (at most 64 KiB a line) and prints one JSON line per thing it does:
  {\"ticket\": {}}                       a new pairing code (QR payload and short code)
  {\"accept\": \"<phone endpoint>\"}      accept a phone that waits (as the person would)
  {\"reject\": \"<phone endpoint>\"}
  {\"reply\": {\"to\": \"+12125550123\", \"body\": \"On my way\"}}   ask the phone to text
  {\"status\": {}}                       each phone: its link, its replica's digest
  {\"quit\": {}}
It prints `ready`, `ticket`, `pairing` (a phone waits for acceptance), `accepted`,
`requested`, `link` (a phone's link changed), `changed` (a phone's replica committed: its
message count and digest), `status` and `error` (a command not understood or not carried
out; the desktop goes on).

raw-serve prints a ticket and then `got` for each line a raw-send peer sends; raw-send
sends each line of its stdin to the ticket's endpoint on one stream.";

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
            eprintln!("ringback-desk-sim: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The options every command takes.
pub(crate) struct Options {
    pub(crate) data: std::path::PathBuf,
    pub(crate) network: NetworkMode,
    pub(crate) port: Option<u16>,
    pub(crate) name: String,
    pub(crate) to: Option<String>,
}

fn run(args: &[String]) -> Result<(), String> {
    let command = match args.first().map(String::as_str) {
        Some("-h" | "--help") => {
            println!("{USAGE}");
            return Ok(());
        }
        Some(c @ ("serve" | "raw-serve" | "raw-send")) => c,
        Some(other) => return Err(format!("unknown command “{other}”\n{USAGE}")),
        None => return Err(USAGE.to_string()),
    };
    let options = parse_options(&args[1..])?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("could not start: {e}"))?;
    runtime.block_on(async move {
        match command {
            "serve" => serve::serve(options).await,
            "raw-serve" => raw::serve(options).await,
            _ => raw::send(options).await,
        }
    })
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut data = None;
    let mut network = NetworkMode::Default;
    let mut port = None;
    let mut name = "Lab desktop".to_string();
    let mut to = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = |flag: &str| {
            rest.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--data" => data = Some(value("--data")?),
            "--network" => network = parse_network(&value("--network")?)?,
            "--port" => {
                let text = value("--port")?;
                port = Some(
                    text.parse::<u16>()
                        .map_err(|_| format!("--port: “{text}” is not a port (0–65535)"))?,
                );
            }
            "--name" => name = value("--name")?,
            "--to" => to = Some(value("--to")?),
            "--relay-ca" => trust_relay_ca(&value("--relay-ca")?)?,
            other => return Err(format!("unknown option “{other}”\n{USAGE}")),
        }
    }
    let data = data.ok_or_else(|| format!("--data DIR is needed\n{USAGE}"))?;
    Ok(Options {
        data: data.into(),
        network,
        port,
        name,
        to,
    })
}

/// `--relay-ca FILE`: trusts the PEM certificates in FILE, beside the public roots, for a
/// self-hosted relay's TLS (the network lab's relay has a certificate of its own).
fn trust_relay_ca(path: &str) -> Result<(), String> {
    let pem = std::fs::read(path).map_err(|e| format!("--relay-ca: cannot read {path}: {e}"))?;
    ringback_core::sync::net::trust_relay_roots_pem(&pem)
        .map(|_| ())
        .map_err(|e| format!("--relay-ca {path}: {e}"))
}

fn parse_network(text: &str) -> Result<NetworkMode, String> {
    let bad_url = |e: String| format!("--network: {e}");
    match text {
        "default" => Ok(NetworkMode::Default),
        "lan" => Ok(NetworkMode::LanOnly),
        "loopback" => Ok(NetworkMode::Loopback),
        other => {
            if let Some(url) = other.strip_prefix("relay=") {
                NetworkMode::relay(url).map_err(|e| bad_url(e.to_string()))
            } else if let Some(url) = other.strip_prefix("relay-only=") {
                let url = url
                    .trim()
                    .parse()
                    .map_err(|e| bad_url(format!("“{url}” is not a relay address ({e})")))?;
                Ok(NetworkMode::RelayOnly(url))
            } else {
                Err(format!(
                    "--network: “{other}” is not a mode; use default, lan, loopback, relay=URL or relay-only=URL"
                ))
            }
        }
    }
}
