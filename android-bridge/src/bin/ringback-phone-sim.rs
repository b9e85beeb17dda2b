//! `ringback-phone-sim`: the phone runtime on a simulated platform.
//!
//! `ringback-phone-sim scenario [--settings FILE.json] < events.jsonl > outcomes.jsonl`
//! dry-runs a scripted day through the real engine and store on a virtual clock.
//!
//! `ringback-phone-sim serve --data DIR [--settings FILE.json] [--network MODE]
//! [--pair TICKET] [--name NAME] [--relay-ca FILE]` runs a live simulated phone with sync; it takes JSON
//! commands on stdin (see `ringback_bridge::serve`).
//!
//! `ringback-phone-sim assistant-eval --base-url URL --model NAME [--api-key-env VAR]
//! [--cases DIR] [--timeout-seconds N] [--max-tokens N] [--show-replies]` scores a chat
//! model on the assistant's evaluation set (`tests/assistant-eval`).

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use ringback_bridge::{scenario, serve};
use ringback_core::sync::net::NetworkMode;

const USAGE: &str = "usage:
  ringback-phone-sim scenario [--settings FILE.json] < events.jsonl > outcomes.jsonl
  ringback-phone-sim serve --data DIR [--settings FILE.json] [--network MODE] [--pair TICKET] [--name NAME] [--relay-ca FILE]
  ringback-phone-sim assistant-eval --base-url URL --model NAME [--api-key-env VAR] [--cases DIR]
      [--timeout-seconds N] [--max-tokens N] [--show-replies]

serve runs a live simulated phone with sync. MODE is default (iroh's public relays),
lan, loopback (this machine only, for tests) or relay=URL; --relay-ca FILE trusts FILE's
PEM certificates, beside the public roots, for the relay's TLS. It reads one JSON command
per line on stdin and prints one JSON line per thing it does:
  {\"call\": {\"from\": \"+12125550123\", \"outcome\": \"missed\"}}
  {\"sms\": {\"from\": \"+12125550123\", \"body\": \"Can you come today?\"}}
  {\"delivered\": {\"message\": 12, \"status\": \"delivered\"}}
  {\"contact\": {\"number\": \"+12125550123\", \"name\": \"Dana\"}}
  {\"settings\": {\"business_name\": \"Acme Plumbing\"}}
  {\"pair\": \"<ticket>\"}   {\"unpair\": \"<desktop endpoint id>\"}
  {\"crash\": \"now\"}   {\"crash\": \"next_send\"}   {\"status\": {}}

assistant-eval sends each scripted thread in DIR (default tests/assistant-eval) to the
OpenAI-compatible endpoint at URL and prints PASS or FAIL per thread with the failed checks,
then the score. The API key, if any, is read from the environment variable VAR, never from
the command line. Defaults: 60 s per answer, 300 tokens (as the app asks).";

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
        Some("assistant-eval") => assistant_eval_command(&args[1..]),
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
    let start = read_settings(settings_path.as_deref())?;
    let events = scenario::read_events(std::io::stdin().lock()).map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    scenario::run(start.settings, start.api_key.as_ref(), &events, &mut out)
        .map_err(|e| e.to_string())?;
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
            "--relay-ca" => trust_relay_ca(&value("--relay-ca")?)?,
            other => return Err(format!("unknown option “{other}”\n{USAGE}")),
        }
    }
    let data = data.ok_or_else(|| format!("serve needs --data DIR\n{USAGE}"))?;
    let start = read_settings(settings_path.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("could not start: {e}"))?;
    runtime
        .block_on(serve::serve(serve::ServeOptions {
            data: data.into(),
            settings: start.settings,
            api_key: start.api_key,
            network,
            pair,
            name,
        }))
        .map_err(|e| e.to_string())
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

/// The starting settings (the defaults, with the file's merged in when one is named) and
/// the assistant's API key when the file holds one.
fn read_settings(path: Option<&str>) -> Result<scenario::Start, String> {
    let text = match path {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| format!("settings file {path} could not be read: {e}"))?,
        ),
        None => None,
    };
    scenario::starting_settings(path.zip(text.as_deref())).map_err(|e| e.to_string())
}

/// Scores a model on the evaluation set; a low score is still a success (exit 0).
fn assistant_eval_command(args: &[String]) -> Result<(), String> {
    use ringback_core::assistant::{endpoint, eval};
    let mut base_url = None;
    let mut model = None;
    let mut key_var = None;
    let mut cases_dir = None;
    let mut timeout = std::time::Duration::from_secs(60);
    let mut max_tokens = endpoint::MAX_TOKENS;
    let mut show_replies = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = |name: &str| {
            rest.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        let number = |name: &str, text: String| {
            text.parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} takes a whole number above 0, not “{text}”"))
        };
        match arg.as_str() {
            "--base-url" => base_url = Some(value("--base-url")?),
            "--model" => model = Some(value("--model")?),
            "--api-key-env" => key_var = Some(value("--api-key-env")?),
            "--cases" => cases_dir = Some(std::path::PathBuf::from(value("--cases")?)),
            "--timeout-seconds" => {
                let n = number("--timeout-seconds", value("--timeout-seconds")?)?;
                timeout = std::time::Duration::from_secs(u64::from(n));
            }
            "--max-tokens" => max_tokens = number("--max-tokens", value("--max-tokens")?)?,
            "--show-replies" => show_replies = true,
            "--api-key" => {
                return Err(
                    "the API key is never taken on the command line (it would stay in the shell's \
                     history); put it in an environment variable and pass its name with \
                     --api-key-env VAR"
                        .into(),
                );
            }
            other => return Err(format!("unknown option “{other}”\n{USAGE}")),
        }
    }
    let base_url = base_url.ok_or_else(|| format!("--base-url is required\n{USAGE}"))?;
    let model = model.ok_or_else(|| format!("--model is required\n{USAGE}"))?;
    let api_key = match key_var {
        None => String::new(),
        Some(var) => match std::env::var(&var) {
            Ok(key) if !key.trim().is_empty() => key,
            _ => {
                return Err(format!(
                    "the environment variable {var} (--api-key-env) is not set"
                ));
            }
        },
    };
    let cases_dir = cases_dir.unwrap_or_else(|| {
        let here = std::path::PathBuf::from("tests/assistant-eval");
        if here.is_dir() {
            here
        } else {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/assistant-eval")
        }
    });
    let cases = eval::load(&cases_dir).map_err(|e| e.to_string())?;
    let config = endpoint::EndpointConfig {
        base_url,
        model,
        api_key,
        timeout,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the async runtime: {e}"))?;
    let report = runtime.block_on(eval::run_with(&cases, &config, max_tokens, |case| {
        println!("{case}");
        if let Some(content) = case.content.as_ref().filter(|_| show_replies) {
            println!("    reply: {}", content.replace('\n', " "));
        }
    }));
    println!("{}", report.summary());
    Ok(())
}
