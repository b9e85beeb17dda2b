//! `ringback-phone-sim serve`: a live simulated phone with sync, for demo mode and
//! end-to-end tests. It keeps its data in a folder (so a restart resumes where it
//! stopped), pairs with a desktop's ticket, takes one JSON command per line on stdin and
//! prints one JSON line per thing it does on stdout. Commands:
//!
//! - `{"call": {"from": "+12125550123", "outcome": "missed", "line": "sim1"}}`
//! - `{"sms": {"from": "+12125550123", "body": "Can you come today?", "line": "sim1"}}`
//! - `{"mms": {"from": "+12125550123", "parts": [{"text": "the leak"}, {"type": "image/jpeg",
//!   "file": "leak.jpg"}], "line": "sim1"}}`: a picture message (files relative to the
//!   folder the process started in)
//! - `{"delivered": {"message": 12, "status": "delivered" | "failed" | "pending"}}`
//! - `{"contact": {"number": "+12125550123", "name": "Dana"}}`
//! - `{"settings": {…a partial settings document…}}`
//! - `{"pair": "<ticket text>"}`, `{"unpair": "<desktop endpoint id>"}`
//! - `{"crash": "now"}` (the process dies at once) or `{"crash": "next_send"}` (it dies
//!   inside the next send, after the text is marked sending and before the radio reports)
//! - `{"status": {}}`: this phone's endpoint, its desktops and their links, the digest.
//! - `{"radio": {"line": "sim1", "state": "no_service" | "radio_off" | "in_service"}}`:
//!   while a line has no service or its radio is off, texts on it fail with that error (a
//!   line left out means every line); back in service, the phone is told so
//! - `{"limit_prompt": "decline" | "timeout" | "allow"}`: Android's "too many texts"
//!   prompt, declined or left unanswered, makes the next send fail with the limit error;
//!   `allow` takes that back
//! - `{"permission": {"name": "read_call_log", "granted": false}}`: revokes (or grants) a
//!   permission, as Android's auto-reset or the owner would; the phone's health, sent to
//!   the desktops, says so. Names: read_call_log, read_phone_state, send_sms, receive_sms,
//!   read_sms, read_contacts, post_notifications.
//!
//! Output lines: `ready` (with the endpoint id and the pairing fingerprint), `sms_out`
//! (with `message`, the id a delivery report names), `mms_out` (a picture message handed to
//! the radio: `message`, `to`, `line`, `text` and each attachment's `type`, `size`, BLAKE3
//! `hash` and `name`), `skipped`, `held`, `refused`, `paused`,
//! `assistant`, `retrying` (a text that could not leave for a passing reason, with when it
//! is tried next), `failed`, `pairing` (the desktop took the code and waits for a person to
//! accept this phone, whose fingerprint it shows), `paired`, `unpaired`, `settings`,
//! `status`, `health` (the problems of the phone's health after a `permission`), and `error` for a command that was not understood or not carried out (the phone
//! goes on). A pairing runs beside the other commands: it waits minutes at most for the
//! person at the desktop.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use jiff::Timestamp;
use ringback_core::engine::service::{self, EngineHandle};
use ringback_core::engine::{DeliveryStatus, InboundSms, ServiceState};
use ringback_core::ports::memory::{MemoryCallLog, MemoryContacts, SystemClock};
use ringback_core::ports::{MmsRequest, SendError, SendRequest, Telephony};
use ringback_core::sync::net::NetworkMode;
use ringback_core::sync::node::PhoneNode;
use ringback_core::sync::ticket::PairingTicket;
use ringback_core::{
    CallOutcome, EndedCall, Engine, Line, Outcome, PhoneNumber, PlatformEvent, Ports, Settings,
    Store,
};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;

use crate::scenario::outcome_line;

/// Options of `serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The data folder.
    pub data: PathBuf,
    /// Starting settings (used when the folder has none yet).
    pub settings: Settings,
    /// The assistant's API key from the settings file, kept in the phone's secret store
    /// while it has never had one.
    pub api_key: Option<ringback_core::secret::Secret>,
    /// The network; `None` follows the settings.
    pub network: Option<NetworkMode>,
    /// A ticket to pair with at start.
    pub pair: Option<String>,
    /// The phone's name, shown on desktops.
    pub name: String,
}

/// Why `serve` stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The data folder could not be used.
    #[error("the data folder {0} could not be used: {1}")]
    Data(String, String),
    /// Something at start failed.
    #[error("{0}")]
    Start(String),
}

/// The radio of the simulated phone: every text goes out (and is reported sent at once)
/// unless its line has no service or the limit prompt was declined; it can be told to die
/// in the middle of a send.
#[derive(Debug, Default)]
struct SimRadio {
    crash_on_send: AtomicBool,
    /// Lines without service, and why (`""`: every line).
    down: std::sync::Mutex<std::collections::HashMap<String, SendError>>,
    /// The limit prompt was declined or timed out: the next send fails.
    limit_declined: AtomicBool,
}

impl SimRadio {
    /// Why a send on `line` fails now, if it does.
    fn refusal(&self, line: &str) -> Option<SendError> {
        let down = self.down.lock().ok()?;
        down.get(line).or_else(|| down.get("")).cloned()
    }

    /// Sets a line's service (`""`: every line).
    fn set_service(&self, line: &str, error: Option<SendError>) {
        let Ok(mut down) = self.down.lock() else {
            return;
        };
        match error {
            Some(error) => {
                down.insert(line.to_string(), error);
            }
            None if line.is_empty() => down.clear(),
            None => {
                down.remove(line);
            }
        }
    }
}

impl Telephony for SimRadio {
    fn send(&self, request: &SendRequest) -> Result<(), SendError> {
        if let Some(error) = self.refusal(&request.line.0) {
            return Err(error);
        }
        if self.limit_declined.swap(false, Ordering::SeqCst) {
            return Err(SendError::LimitExceeded);
        }
        if self.crash_on_send.load(Ordering::SeqCst) {
            eprintln!("ringback-phone-sim: crashing inside a send, as asked");
            std::process::abort();
        }
        Ok(())
    }

    /// A picture message goes out like a text (the same service, prompt and crash), and is
    /// printed here, where its parts are: the engine's outcome names the text only.
    fn send_mms(&self, request: &MmsRequest) -> Result<(), SendError> {
        self.send(&SendRequest {
            message_id: request.message_id,
            line: request.line.clone(),
            to: request.to.clone(),
            body: request.text.clone(),
        })?;
        print(&mms_out_line(request, Timestamp::now()));
        Ok(())
    }
}

/// The `mms_out` line for a picture message handed to the radio (the scenario runner's).
pub fn mms_out_line(request: &MmsRequest, at: Timestamp) -> Value {
    ringback_core::scenario::mms_out_line(request, at)
}

/// A line's radio state in a `radio` command.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RadioCommand {
    line: Option<String>,
    state: String,
}

/// A command on stdin.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Command {
    Call {
        from: String,
        outcome: String,
        line: Option<String>,
    },
    Sms {
        from: String,
        body: String,
        line: Option<String>,
    },
    Mms(Value),
    Delivered {
        message: i64,
        status: String,
    },
    Contact {
        number: String,
        name: String,
    },
    Settings(Value),
    Pair(String),
    Unpair(String),
    Crash(String),
    Status(serde::de::IgnoredAny),
    Radio(RadioCommand),
    LimitPrompt(String),
    Permission {
        name: String,
        granted: bool,
    },
}

fn print(value: &Value) {
    let mut out = std::io::stdout().lock();
    // A closed stdout leaves nobody to tell; the phone keeps working.
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

fn error_line(message: impl std::fmt::Display) {
    print(&json!({"error": message.to_string()}));
}

/// Runs the simulated phone until stdin closes.
pub async fn serve(options: ServeOptions) -> Result<(), ServeError> {
    let data = &options.data;
    std::fs::create_dir_all(data)
        .map_err(|e| ServeError::Data(data.display().to_string(), e.to_string()))?;
    let store = Store::open_lean(&data.join("phone.db"))
        .map_err(|e| ServeError::Data(data.display().to_string(), e.to_string()))?;
    let radio = Arc::new(SimRadio::default());
    let call_log = MemoryCallLog::new();
    let contacts = MemoryContacts::new();
    let ports = Ports {
        telephony: radio.clone(),
        call_log: call_log.clone(),
        contacts: contacts.clone(),
        clock: Arc::new(SystemClock),
    };
    let mut engine = Engine::open(store, ports, &options.settings)
        .map_err(|e| ServeError::Start(e.to_string()))?;
    // Photos live beside the store, as on a real phone, so a restart keeps them.
    let blobs = ringback_core::blobs::BlobStore::beside(&data.join("phone.db"))
        .map_err(|e| ServeError::Data(data.display().to_string(), e.to_string()))?;
    engine.set_blobs(blobs);
    if let Some(key) = &options.api_key {
        engine
            .start_with_key(key)
            .map_err(|e| ServeError::Start(e.to_string()))?;
    }
    let settings = engine
        .config()
        .map(|c| c.settings.clone())
        .unwrap_or_else(|| options.settings.clone());
    // The call log's ids continue after the last call the store has seen.
    if let Ok(Some(cursor)) = engine.store().reader().call_log_cursor() {
        call_log.continue_after(cursor);
    }
    let (engine, _task) = service::spawn(engine);
    let network = match options.network.clone() {
        Some(mode) => mode,
        None => NetworkMode::from_settings(&settings.sync)
            .map_err(|e| ServeError::Start(e.to_string()))?,
    };
    let node = crate::runtime::start_node(data, &network, &options.name, engine.clone())
        .await
        .map_err(|e| ServeError::Start(e.to_string()))?;
    tokio::spawn(print_outcomes(engine.clone()));
    print(&json!({"ready": {
        "endpoint": node.id().to_string(),
        "fingerprint": node.fingerprint(),
        "data": data.display().to_string(),
    }}));
    let node = Arc::new(node);
    if let Some(ticket) = &options.pair {
        tokio::spawn(pair(node.clone(), ticket.clone()));
    }
    let health = crate::health::HealthTracker::new(engine.clone());
    health.gathered(sim_health());
    let mut phone = SimPhone {
        health,
        engine,
        node,
        radio,
        call_log,
        contacts,
        region: ringback_core::Region::parse(&settings.region).unwrap_or_default(),
        data: data.clone(),
    };
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut number = 0usize;
    while let Ok(Some(line)) = lines.next_line().await {
        number += 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Command>(&line) {
            Ok(command) => phone.run(command).await,
            Err(e) => error_line(format!(
                "line {number}: {e}; see `ringback-phone-sim --help` for the commands"
            )),
        }
    }
    // While a pairing still waits for the desktop the node is shared; the process ends
    // with it either way.
    if let Ok(node) = Arc::try_unwrap(phone.node) {
        node.shutdown().await;
    }
    Ok(())
}

/// Pairs with the desktop that showed `text`, saying when it waits for a person there.
async fn pair(node: Arc<PhoneNode>, text: String) {
    let fingerprint = node.fingerprint();
    let waiting = move || {
        print(&json!({"pairing": {
            "fingerprint": fingerprint,
            "waiting": "the desktop shows this phone's name and fingerprint: accept it there",
        }}));
    };
    match PairingTicket::parse(&text) {
        Ok(ticket) => match node.pair_then(&ticket, waiting).await {
            Ok(peer) => {
                print(&json!({"paired": {"desktop": peer.name, "endpoint": peer.endpoint}}))
            }
            Err(e) => error_line(e),
        },
        Err(e) => error_line(e),
    }
}

/// Prints what the engine does, and plays the radio's "sent" report for every text.
async fn print_outcomes(engine: EngineHandle) {
    let mut outcomes = engine.subscribe();
    loop {
        let outcome = match outcomes.recv().await {
            Ok(o) => o,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                error_line(format!("{n} outcomes were not printed (output too slow)"));
                continue;
            }
            Err(_) => return,
        };
        match &outcome {
            Outcome::Sent { message_id, .. } => {
                if let Some(mut line) = outcome_line(&outcome) {
                    line["sms_out"]["message"] = json!(message_id.0);
                    print(&line);
                }
                let id = *message_id;
                let engine = engine.clone();
                tokio::spawn(async move {
                    let _ = engine
                        .event(PlatformEvent::SmsSent {
                            message_id: id,
                            result: Ok(()),
                            any_part_left: false,
                        })
                        .await;
                });
            }
            Outcome::Retrying {
                at,
                message_id,
                reason,
                next,
            } => print(
                &json!({"at": at.to_string(), "retrying": {"message": message_id.0, "reason": reason.describe(), "next": next.to_string()}}),
            ),
            Outcome::Failed {
                at,
                message_id,
                reason,
            } => print(
                &json!({"at": at.to_string(), "failed": {"message": message_id.0, "reason": reason.describe()}}),
            ),
            other => {
                if let Some(line) = outcome_line(other) {
                    print(&line);
                }
            }
        }
    }
}

struct SimPhone {
    health: crate::health::HealthTracker,
    engine: EngineHandle,
    node: Arc<PhoneNode>,
    radio: Arc<SimRadio>,
    call_log: Arc<MemoryCallLog>,
    contacts: Arc<MemoryContacts>,
    region: ringback_core::Region,
    data: PathBuf,
}

impl SimPhone {
    async fn event(&self, event: PlatformEvent) {
        match self.engine.event(event).await {
            Ok(Ok(_)) => {} // Outcomes are printed by the subscriber.
            Ok(Err(e)) => error_line(e),
            Err(e) => error_line(e),
        }
    }

    async fn run(&mut self, command: Command) {
        match command {
            Command::Call {
                from,
                outcome,
                line,
            } => {
                let Some(outcome) = CallOutcome::from_name(&outcome) else {
                    return error_line(format!(
                        "call.outcome: “{outcome}” is not an outcome; use one of missed, rejected, voicemail, answered, blocked, outgoing"
                    ));
                };
                self.call_log.push(EndedCall {
                    log_id: 0,
                    number: from,
                    outcome,
                    line: line.map(Line).unwrap_or_default(),
                    ended_at: Timestamp::now(),
                });
                self.event(PlatformEvent::CallLogChanged).await;
            }
            Command::Sms { from, body, line } => {
                let sms = InboundSms {
                    source_id: None,
                    from,
                    body,
                    line: line.map(Line).unwrap_or_default(),
                    at: Timestamp::now(),
                };
                self.event(PlatformEvent::SmsReceived(sms)).await;
            }
            Command::Mms(value) => {
                let mms = match ringback_core::scenario::mms::parse_mms(&value, Path::new(".")) {
                    Ok(mms) => mms,
                    Err(e) => return error_line(e),
                };
                // The provider's id, unique in this phone's life, as Android's `_id` is.
                let source_id = format!("sim-mms-{}", Timestamp::now().as_nanosecond());
                self.event(PlatformEvent::MmsReceived(
                    mms.into_inbound(source_id, Timestamp::now()),
                ))
                .await;
            }
            Command::Delivered { message, status } => {
                let status = match status.as_str() {
                    "delivered" => DeliveryStatus::Delivered,
                    "failed" => DeliveryStatus::Failed,
                    "pending" => DeliveryStatus::Pending,
                    other => {
                        return error_line(format!(
                            "delivered.status: “{other}” is not a report; use delivered, failed or pending"
                        ));
                    }
                };
                self.event(PlatformEvent::Delivered {
                    message_id: ringback_core::store::MessageId(message),
                    status,
                })
                .await;
            }
            Command::Contact { number, name } => {
                if let Ok(n) = PhoneNumber::parse(&number, self.region) {
                    self.contacts.set(n, &name);
                }
                self.event(PlatformEvent::ContactChanged {
                    number,
                    name: Some(name).filter(|n| !n.trim().is_empty()),
                })
                .await;
            }
            Command::Settings(patch) => match self.engine.update_settings(patch).await {
                Ok(Ok(())) => print(&json!({"settings": "changed"})),
                Ok(Err(e)) => error_line(e),
                Err(e) => error_line(e),
            },
            Command::Pair(ticket) => {
                tokio::spawn(pair(self.node.clone(), ticket));
            }
            Command::Unpair(endpoint) => match self.node.unpair(&endpoint).await {
                Ok(()) => print(&json!({"unpaired": endpoint})),
                Err(e) => error_line(e),
            },
            Command::Crash(when) => match when.as_str() {
                "now" => {
                    eprintln!("ringback-phone-sim: crashing now, as asked");
                    std::process::abort();
                }
                "next_send" => {
                    self.radio.crash_on_send.store(true, Ordering::SeqCst);
                    // Said once armed, so a driver can wait for it before the send.
                    print(&json!({"crash": "next_send"}));
                }
                other => error_line(format!(
                    "crash: “{other}” is not a crash; use now or next_send"
                )),
            },
            Command::Status(_) => self.status().await,
            Command::Radio(RadioCommand { line, state }) => {
                let line = line.unwrap_or_default();
                let Some(state) = ServiceState::from_name(&state) else {
                    return error_line(format!(
                        "radio.state: “{state}” is not a radio state; use in_service, no_service or radio_off"
                    ));
                };
                let error = match state {
                    ServiceState::InService => None,
                    ServiceState::NoService => Some(SendError::NoService),
                    ServiceState::RadioOff => Some(SendError::RadioOff),
                };
                self.radio.set_service(&line, error);
                print(&json!({"radio": {"line": line, "state": state.as_str()}}));
                self.event(PlatformEvent::ServiceChanged {
                    line: Line(line),
                    state,
                })
                .await;
            }
            Command::LimitPrompt(answer) => match answer.as_str() {
                "decline" | "timeout" => {
                    self.radio.limit_declined.store(true, Ordering::SeqCst);
                    print(&json!({"limit_prompt": answer}));
                }
                "allow" => {
                    self.radio.limit_declined.store(false, Ordering::SeqCst);
                    print(&json!({"limit_prompt": answer}));
                }
                other => error_line(format!(
                    "limit_prompt: “{other}” is not an answer; use decline, timeout or allow"
                )),
            },
            Command::Permission { name, granted } => {
                let Some(permission) = ringback_core::health::Permission::from_name(&name) else {
                    let names: Vec<&str> = ringback_core::health::Permission::ALL
                        .iter()
                        .map(|p| p.as_str())
                        .collect();
                    return error_line(format!(
                        "permission: “{name}” is not a permission Ringback asks for; use one of {}",
                        names.join(", ")
                    ));
                };
                self.health.change(|h| h.set_granted(permission, granted));
                let problems: Vec<String> = self
                    .health
                    .current()
                    .map(|h| h.problems().iter().map(|p| p.key()).collect())
                    .unwrap_or_default();
                print(&json!({"health": {"problems": problems}}));
            }
        }
    }

    async fn status(&self) {
        let digest = self
            .engine
            .with(|e| e.store().digest().map_err(|e| e.to_string()))
            .await;
        let peers: Vec<Value> = self
            .node
            .peers()
            .borrow()
            .values()
            .map(|p| json!({"endpoint": p.endpoint, "name": p.name, "link": p.link}))
            .collect();
        match digest {
            Ok(Ok(digest)) => print(&json!({"status": {
                "endpoint": self.node.id().to_string(),
                "fingerprint": self.node.fingerprint(),
                "data": path_text(&self.data),
                "desktops": peers,
                "digest": digest,
            }})),
            Ok(Err(e)) => error_line(e),
            Err(e) => error_line(e),
        }
    }
}

/// The simulated phone's health at start: every permission granted, exempt from battery
/// optimisation, one SIM in service.
fn sim_health() -> ringback_core::health::PhoneHealth {
    use ringback_core::health::{PhoneHealth, ServiceState, SimHealth};
    let mut h = PhoneHealth::new(
        Timestamp::now().as_millisecond(),
        crate::health::APP_VERSION,
    );
    h.battery_exempt = Some(true);
    h.sims = vec![SimHealth {
        line: "sim1".into(),
        carrier: "Simulated carrier".into(),
        service: ServiceState::InService,
        signal_level: Some(4),
    }];
    h.default_sms_app = Some("com.android.messaging".into());
    h
}

fn path_text(p: &Path) -> String {
    p.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringback_core::ports::MmsPart;
    use ringback_core::store::MessageId;

    #[test]
    fn mms_out_names_each_part_by_type_size_and_hash_without_its_bytes() {
        let request = MmsRequest {
            message_id: MessageId(7),
            line: Line("sim1".into()),
            to: "+12125550142".into(),
            text: "Here it is".into(),
            attachments: vec![MmsPart {
                content_type: "image/jpeg".into(),
                name: Some("reply.jpg".into()),
                bytes: vec![0xFF, 0xD8, 0xFF, 0xD9],
            }],
        };
        let at: Timestamp = "2026-11-02T15:00:00Z".parse().expect("time");
        let line = mms_out_line(&request, at);
        assert_eq!(
            line,
            json!({"at": "2026-11-02T15:00:00Z", "mms_out": {
                "message": 7,
                "to": "+12125550142",
                "line": "sim1",
                "text": "Here it is",
                "attachments": [{
                    "type": "image/jpeg",
                    "size": 4,
                    "hash": ringback_core::BlobHash::of(&[0xFF, 0xD8, 0xFF, 0xD9]).to_hex(),
                    "name": "reply.jpg",
                }],
            }})
        );
    }
}
