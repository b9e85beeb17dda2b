//! The scenario runner: the real engine and store, on a virtual clock, over a scripted day.
//!
//! Input is JSON lines of events (`call`, `sms`, `reply`, `contact`, `settings`, and
//! `review`: a person's decision about a likely opt-out), each with an RFC 3339 `at`, in
//! non-decreasing order; output is JSON lines of what the phone texted (`sms_out`),
//! decided not to (`skipped`), refused (`refused`) and paused for the team (`paused`), in
//! time order.

use std::io::{BufRead, Write};
use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::engine::service::http_model;
use crate::engine::{AssistantJob, DeliveryStatus};
use crate::opt_out::ReviewDecision;
use crate::phone::classify;
use crate::ports::memory::{ScriptedModel, SimPlatform};
use crate::ports::{ChatModel, SendRequest};
use crate::secret::{KeyChange, Secret, take_api_key};
use crate::{
    CallOutcome, EndedCall, Engine, EngineError, InboundSms, Line, Outcome, PlatformEvent,
    ReplyRequest, Settings, SettingsError, Store,
};

/// Why a scenario could not run: the line and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// An input line is not a valid event.
    #[error("line {line}: {message}")]
    Input {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The starting settings are not valid.
    #[error("settings{source_name}: {error}")]
    Settings {
        /// " (FILE)" when they came from a file.
        source_name: String,
        /// The field and the problem.
        error: SettingsError,
    },
    /// Reading input or writing output failed.
    #[error("could not read or write: {0}")]
    Io(#[from] std::io::Error),
    /// The engine failed.
    #[error("the engine failed: {0}")]
    Engine(#[from] EngineError),
    /// The in-memory store could not be made.
    #[error("could not create the dry run's database: {0}")]
    Store(String),
}

/// One parsed input event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Its line in the input (1-based).
    pub line: usize,
    /// When.
    pub at: Timestamp,
    /// What.
    pub kind: EventKind,
}

/// What an input event says.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// A call that ended.
    Call {
        /// Caller (or number dialled).
        from: String,
        /// How it ended.
        outcome: CallOutcome,
        /// The line, if given.
        line: Option<String>,
    },
    /// An inbound text.
    Sms {
        /// Sender.
        from: String,
        /// Text.
        body: String,
        /// The line, if given.
        line: Option<String>,
    },
    /// A desktop reply.
    Reply {
        /// Recipient.
        to: String,
        /// Text.
        body: String,
    },
    /// A contact in the phone's book.
    Contact {
        /// Number.
        number: String,
        /// Name.
        name: String,
    },
    /// A partial settings change.
    Settings(Value),
    /// A person's decision about a likely opt-out (as made on a desktop).
    Review {
        /// The number whose automated texts are paused.
        number: String,
        /// Opt it out, or resume its automated texts.
        decision: ReviewDecision,
    },
}

const EVENT_KINDS: [&str; 6] = ["call", "sms", "reply", "contact", "settings", "review"];

fn input_error(line: usize, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Input {
        line,
        message: message.into(),
    }
}

fn string_field(
    obj: &Map<String, Value>,
    kind: &str,
    field: &str,
    line: usize,
    required: bool,
) -> Result<Option<String>, ScenarioError> {
    match obj.get(field) {
        Some(Value::String(s)) => Ok(Some(s.clone())),
        None | Some(Value::Null) if !required => Ok(None),
        None | Some(Value::Null) => Err(input_error(
            line,
            format!("{kind}.{field}: missing; add \"{field}\": \"…\""),
        )),
        Some(other) => Err(input_error(
            line,
            format!("{kind}.{field}: must be a string, not {other}"),
        )),
    }
}

/// Parses one input line (already known to be non-blank).
pub fn parse_event(text: &str, line: usize) -> Result<Event, ScenarioError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| input_error(line, format!("not valid JSON ({e})")))?;
    let Value::Object(obj) = value else {
        return Err(input_error(
            line,
            "each line must be a JSON object such as {\"at\": \"…\", \"call\": {…}}",
        ));
    };
    let at = match obj.get("at") {
        Some(Value::String(s)) => s.parse::<Timestamp>().map_err(|_| {
            input_error(
                line,
                format!("at: “{s}” is not an RFC 3339 time such as 2026-11-02T09:30:00-05:00"),
            )
        })?,
        Some(other) => {
            return Err(input_error(
                line,
                format!("at: must be an RFC 3339 time string, not {other}"),
            ));
        }
        None => {
            return Err(input_error(
                line,
                "at: missing; every event needs the time it happened",
            ));
        }
    };
    let kinds: Vec<&String> = obj.keys().filter(|k| k.as_str() != "at").collect();
    let [kind] = kinds.as_slice() else {
        return Err(input_error(
            line,
            format!(
                "event: each line needs exactly one of {} besides at",
                EVENT_KINDS.join(", ")
            ),
        ));
    };
    let kind = kind.as_str();
    let body = &obj[kind];
    if !EVENT_KINDS.contains(&kind) {
        return Err(input_error(
            line,
            format!(
                "event: unknown event “{kind}”; use one of {}",
                EVENT_KINDS.join(", ")
            ),
        ));
    }
    let Value::Object(fields) = body else {
        return Err(input_error(line, format!("{kind}: must be a JSON object")));
    };
    let allowed: &[&str] = match kind {
        "call" => &["from", "outcome", "line"],
        "sms" => &["from", "body", "line"],
        "reply" => &["to", "body"],
        "contact" => &["number", "name"],
        "review" => &["number", "decision"],
        _ => &[],
    };
    if kind != "settings"
        && let Some(unknown) = fields.keys().find(|k| !allowed.contains(&k.as_str()))
    {
        return Err(input_error(
            line,
            format!(
                "{kind}.{unknown}: unknown field; {kind} takes {}",
                allowed.join(", ")
            ),
        ));
    }
    let s = |field: &str, required: bool| string_field(fields, kind, field, line, required);
    let kind = match kind {
        "call" => {
            let outcome_name = s("outcome", true)?.unwrap_or_default();
            let outcome = CallOutcome::from_name(&outcome_name).ok_or_else(|| {
                input_error(line, format!(
                    "call.outcome: “{outcome_name}” is not an outcome; use one of missed, rejected, voicemail, answered, blocked, outgoing"
                ))
            })?;
            EventKind::Call {
                from: s("from", true)?.unwrap_or_default(),
                outcome,
                line: s("line", false)?,
            }
        }
        "sms" => EventKind::Sms {
            from: s("from", true)?.unwrap_or_default(),
            body: s("body", true)?.unwrap_or_default(),
            line: s("line", false)?,
        },
        "reply" => EventKind::Reply {
            to: s("to", true)?.unwrap_or_default(),
            body: s("body", true)?.unwrap_or_default(),
        },
        "contact" => EventKind::Contact {
            number: s("number", true)?.unwrap_or_default(),
            name: s("name", true)?.unwrap_or_default(),
        },
        "review" => {
            let decision = match s("decision", true)?.unwrap_or_default().as_str() {
                "opt_out" => ReviewDecision::OptOut,
                "resume" => ReviewDecision::Resume,
                other => {
                    return Err(input_error(
                        line,
                        format!(
                            "review.decision: “{other}” is not a decision; use opt_out or resume"
                        ),
                    ));
                }
            };
            EventKind::Review {
                number: s("number", true)?.unwrap_or_default(),
                decision,
            }
        }
        _ => EventKind::Settings(body.clone()),
    };
    Ok(Event { line, at, kind })
}

/// Reads and checks every event: JSON, kinds, fields, times in non-decreasing order.
pub fn read_events(input: impl BufRead) -> Result<Vec<Event>, ScenarioError> {
    let mut events: Vec<Event> = Vec::new();
    for (i, text) in input.lines().enumerate() {
        let text = text?;
        let line = i + 1;
        if text.trim().is_empty() {
            continue;
        }
        let event = parse_event(&text, line)?;
        if let Some(prev) = events.last()
            && event.at < prev.at
        {
            return Err(input_error(
                line,
                format!(
                    "at: {} is earlier than {} on line {}; events must be in time order",
                    event.at, prev.at, prev.line
                ),
            ));
        }
        events.push(event);
    }
    Ok(events)
}

/// What a scenario starts with: the settings, and the assistant's API key when the settings
/// file holds one (`assistant.api_key`). The key is no setting: the run keeps it on its own
/// in-memory phone, as a real phone does, for the owner's own dry runs on the command line.
#[derive(Debug, Clone, Default)]
pub struct Start {
    /// The settings.
    pub settings: Settings,
    /// The assistant's API key, if the file gave one.
    pub api_key: Option<Secret>,
}

/// The starting settings: the defaults with `file_text` merged in, checked at once when a
/// file was given. Without a file, a missing business name may still come from a
/// `settings` event before the first call.
pub fn starting_settings(file: Option<(&str, &str)>) -> Result<Start, ScenarioError> {
    let Some((name, text)) = file else {
        return Ok(Start::default());
    };
    let source_name = format!(" ({name})");
    let error = |error| ScenarioError::Settings {
        source_name: source_name.clone(),
        error,
    };
    let mut document: Value = serde_json::from_str(text).map_err(|e| {
        error(SettingsError {
            field: "settings".into(),
            problem: format!("is not valid JSON ({e}); check for a missing comma or quote"),
        })
    })?;
    let api_key = match take_api_key(&mut document).map_err(error)? {
        Some(KeyChange::Set(key)) => Some(key),
        _ => None,
    };
    let settings = Settings::from_value(&document).map_err(error)?;
    settings.validate().map_err(error)?;
    Ok(Start { settings, api_key })
}

/// Runs the events and writes the outcome lines to `out`. With the assistant on, it asks
/// the server the settings name, with `api_key` when given.
pub fn run(
    settings: Settings,
    api_key: Option<&Secret>,
    events: &[Event],
    out: &mut impl Write,
) -> Result<(), ScenarioError> {
    let mut sink = |outcome: &Outcome| {
        if let Some(line) = outcome_line(outcome) {
            writeln!(out, "{line}")?;
        }
        Ok(())
    };
    run_with_model(settings, api_key, events, &mut sink, &*http_model())
}

/// Asks `model` a job's question and waits for the answer (bounded by the job's timeout):
/// on a virtual clock the answer arrives at the instant of the text it answers. The wait
/// runs on a runtime of its own, on a thread of its own, so a run works inside an async
/// host (the desktop's dry run) as well as outside one.
fn answer_now(model: &dyn ChatModel, job: &AssistantJob) -> Result<String, String> {
    let asked = model.ask(job);
    let limit = job.timeout;
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("could not start the network client: {e}"))?;
                runtime.block_on(async {
                    tokio::time::timeout(limit, asked)
                        .await
                        .unwrap_or_else(|_| {
                            Err(format!(
                                "The assistant's server did not answer within {} s.",
                                limit.as_secs()
                            ))
                        })
                })
            })
            .join()
            .unwrap_or_else(|_| Err("the assistant's client stopped unexpectedly".to_string()))
    })
}

/// Runs the events and hands every outcome to `sink` in the order it happened (the phone's
/// sent and delivered reports included). With the assistant on in the settings, it asks
/// the endpoint they name, without a key.
pub fn run_with(
    settings: Settings,
    events: &[Event],
    sink: &mut dyn FnMut(&Outcome) -> Result<(), ScenarioError>,
) -> Result<(), ScenarioError> {
    run_with_model(settings, None, events, sink, &*http_model())
}

/// [`run`], every outcome handed to `sink` and the assistant's questions answered by
/// `model`. `api_key` is kept on the run's phone, for the server the settings name, and
/// reaches the model in the job.
pub fn run_with_model(
    settings: Settings,
    api_key: Option<&Secret>,
    events: &[Event],
    sink: &mut dyn FnMut(&Outcome) -> Result<(), ScenarioError>,
    model: &dyn ChatModel,
) -> Result<(), ScenarioError> {
    let start = events.first().map_or_else(Timestamp::now, |e| e.at);
    let store = Store::open_in_memory().map_err(|e| ScenarioError::Store(e.to_string()))?;
    let sim = SimPlatform::new(start);
    let mut engine = Engine::open(store, sim.ports(), &settings)?;
    // The key waits, like settings that are not yet valid (no business name), for a
    // settings event that makes them valid.
    let mut key: Option<KeyChange> = api_key.cloned().map(KeyChange::Set);
    if let (Some(config), Some(_)) = (engine.config(), &key) {
        let settings = config.settings.clone();
        engine
            .replace_settings_and_key(settings, key.take())
            .map_err(|e| ScenarioError::Settings {
                source_name: String::new(),
                error: match e {
                    EngineError::Settings(e) => e,
                    other => crate::settings::SettingsError {
                        field: "settings".into(),
                        problem: other.to_string(),
                    },
                },
            })?;
    }
    let mut pending: Option<Settings> = engine.config().is_none().then_some(settings);
    let mut runner = Runner {
        sim: &sim,
        sink,
        model,
    };

    for event in events {
        runner.advance_to(&mut engine, event.at)?;
        if let EventKind::Settings(patch) = &event.kind {
            let mut patch = patch.clone();
            if let Some(change) =
                take_api_key(&mut patch).map_err(|e| settings_error(event.line, e))?
            {
                key = Some(change);
            }
            match pending.take() {
                Some(base) => {
                    let next = base
                        .patched(&patch)
                        .map_err(|e| settings_error(event.line, e))?;
                    match next.validate() {
                        Ok(_) => engine
                            .replace_settings_and_key(next, key.take())
                            .map_err(|e| engine_settings_error(event.line, e))?,
                        Err(e) if e.field == "business_name" => pending = Some(next),
                        Err(e) => return Err(settings_error(event.line, e)),
                    }
                }
                None => {
                    let base = engine
                        .config()
                        .map(|c| c.settings.clone())
                        .unwrap_or_default();
                    let next = base
                        .patched(&patch)
                        .map_err(|e| settings_error(event.line, e))?;
                    engine
                        .replace_settings_and_key(next, key.take())
                        .map_err(|e| engine_settings_error(event.line, e))?;
                }
            }
            continue;
        }
        if let Some(incomplete) = pending.take()
            && let Err(e) = incomplete.validate()
        {
            return Err(settings_error(event.line, e));
        }
        let outcomes = match &event.kind {
            EventKind::Call {
                from,
                outcome,
                line,
            } => {
                sim.call_log.push(EndedCall {
                    log_id: 0,
                    number: from.clone(),
                    outcome: *outcome,
                    line: Line::from_option(line.as_deref()),
                    ended_at: event.at,
                });
                engine.handle(PlatformEvent::CallLogChanged)?
            }
            EventKind::Sms { from, body, line } => {
                engine.handle(PlatformEvent::SmsReceived(InboundSms {
                    source_id: Some(format!("scenario-line-{}", event.line)),
                    from: from.clone(),
                    body: body.clone(),
                    line: Line::from_option(line.as_deref()),
                    at: event.at,
                }))?
            }
            EventKind::Reply { to, body } => engine.reply(ReplyRequest {
                request_id: Some(format!("scenario-line-{}", event.line)),
                to: to.clone(),
                body: body.clone(),
            })?,
            EventKind::Contact { number, name } => {
                let region = engine.config().map(|c| c.region).unwrap_or_default();
                if let Some(n) = classify(number, region).number() {
                    sim.contacts.set(n.clone(), name);
                }
                engine.handle(PlatformEvent::ContactChanged {
                    number: number.clone(),
                    name: Some(name.clone()),
                })?
            }
            EventKind::Review { number, decision } => {
                engine.decide_opt_out_review(number, *decision)?
            }
            EventKind::Settings(_) => Vec::new(),
        };
        runner.emit(&mut engine, &outcomes)?;
    }
    runner.drain(&mut engine)?;
    Ok(())
}

fn settings_error(line: usize, error: SettingsError) -> ScenarioError {
    input_error(line, format!("settings.{error}"))
}

fn engine_settings_error(line: usize, error: EngineError) -> ScenarioError {
    match error {
        EngineError::Settings(e) => settings_error(line, e),
        other => ScenarioError::Engine(other),
    }
}

struct Runner<'a> {
    sim: &'a SimPlatform,
    sink: &'a mut dyn FnMut(&Outcome) -> Result<(), ScenarioError>,
    model: &'a dyn ChatModel,
}

impl Runner<'_> {
    /// Fires every timer due up to `at`, in order, then stands the clock at `at`.
    fn advance_to(&mut self, engine: &mut Engine, at: Timestamp) -> Result<(), ScenarioError> {
        self.fire_timers(engine, Some(at))?;
        self.sim.clock.set(at);
        Ok(())
    }

    /// Runs the clock on until no timer is left.
    fn drain(&mut self, engine: &mut Engine) -> Result<(), ScenarioError> {
        self.fire_timers(engine, None)
    }

    /// Moves the clock from timer to timer, up to `until` when given, printing what each does.
    fn fire_timers(
        &mut self,
        engine: &mut Engine,
        until: Option<Timestamp>,
    ) -> Result<(), ScenarioError> {
        while let Some(wake) = engine.next_wake()? {
            if until.is_some_and(|until| wake > until) {
                break;
            }
            self.sim.clock.set(wake);
            let outcomes = engine.run_due()?;
            if outcomes.is_empty() && engine.next_wake()? == Some(wake) {
                break; // Nothing could move; never spin.
            }
            self.emit(engine, &outcomes)?;
        }
        Ok(())
    }

    /// Prints outcomes, then lets the simulated network report each text sent and delivered,
    /// and the assistant answer what it was asked.
    fn emit(&mut self, engine: &mut Engine, outcomes: &[Outcome]) -> Result<(), ScenarioError> {
        for outcome in outcomes {
            (self.sink)(outcome)?;
        }
        self.report_sent(engine)?;
        for job in engine.take_assistant_jobs() {
            let answer = answer_now(self.model, &job);
            let more = engine.assistant_answered(job.id, job.conversation, answer)?;
            for o in &more {
                (self.sink)(o)?;
            }
            self.report_sent(engine)?;
        }
        Ok(())
    }

    fn report_sent(&mut self, engine: &mut Engine) -> Result<(), ScenarioError> {
        let sent: Vec<SendRequest> = self.sim.take_sent();
        for request in sent {
            let more = engine.handle(PlatformEvent::SmsSent {
                message_id: request.message_id,
                result: Ok(()),
            })?;
            let more2 = engine.handle(PlatformEvent::Delivered {
                message_id: request.message_id,
                status: DeliveryStatus::Delivered,
            })?;
            for o in more.iter().chain(more2.iter()) {
                (self.sink)(o)?;
            }
        }
        Ok(())
    }
}

/// The JSON line for an outcome (failures are not part of a dry run's output).
pub fn outcome_line(outcome: &Outcome) -> Option<Value> {
    Some(match outcome {
        Outcome::Sent {
            at,
            to,
            body,
            kind,
            line,
            ..
        } => {
            let mut sms = json!({"to": to, "body": body, "kind": kind});
            if let Some(name) = line.name() {
                sms["line"] = json!(name);
            }
            json!({"at": at.to_string(), "sms_out": sms})
        }
        Outcome::Skipped { at, from, reason } => {
            json!({"at": at.to_string(), "skipped": {"from": from, "reason": reason}})
        }
        Outcome::Refused { at, to, reason } => {
            json!({"at": at.to_string(), "refused": {"to": to, "reason": reason}})
        }
        Outcome::Held {
            at,
            to,
            reason,
            until,
            ..
        } => {
            json!({"at": at.to_string(), "held": {"to": to, "reason": reason, "until": until.to_string()}})
        }
        Outcome::Paused { at, from } => {
            json!({"at": at.to_string(), "paused": {"from": from}})
        }
        Outcome::Assistant {
            at,
            to,
            status,
            reason,
            draft,
            booked,
        } => {
            let mut a = json!({"to": to, "status": status, "reason": reason});
            if let Some(draft) = draft {
                a["draft"] = json!(draft);
            }
            if let Some(slot) = booked {
                a["booked"] = json!(slot);
            }
            json!({"at": at.to_string(), "assistant": a})
        }
        Outcome::Failed { .. } => return None,
    })
}

/// A realistic day for the settings screen's dry run: calls in and out of hours, a
/// repeat caller, a contact, a withheld number, a reply, a STOP.
pub const SAMPLE_DAY: &str = r#"{"at": "2026-11-02T07:40:00-05:00", "call": {"from": "(212) 555-0101", "outcome": "missed", "line": "sim1"}}
{"at": "2026-11-02T09:02:00-05:00", "call": {"from": "(212) 555-0142", "outcome": "missed", "line": "sim1"}}
{"at": "2026-11-02T09:05:30-05:00", "sms": {"from": "+12125550142", "body": "Hi, our kitchen sink is leaking. Can someone come today?", "line": "sim1"}}
{"at": "2026-11-02T09:20:00-05:00", "reply": {"to": "+12125550142", "body": "Yes, we can be there at 1pm. What's the address?"}}
{"at": "2026-11-02T10:15:00-05:00", "call": {"from": "(212) 555-0142", "outcome": "missed", "line": "sim1"}}
{"at": "2026-11-02T11:00:00-05:00", "contact": {"number": "(212) 555-0177", "name": "Dana Whitfield"}}
{"at": "2026-11-02T11:30:00-05:00", "call": {"from": "(212) 555-0177", "outcome": "voicemail", "line": "sim2"}}
{"at": "2026-11-02T12:10:00-05:00", "call": {"from": "private", "outcome": "missed", "line": "sim1"}}
{"at": "2026-11-02T13:45:00-05:00", "call": {"from": "(212) 555-0199", "outcome": "rejected", "line": "sim1"}}
{"at": "2026-11-02T13:50:00-05:00", "sms": {"from": "+12125550199", "body": "STOP", "line": "sim1"}}
{"at": "2026-11-02T14:30:00-05:00", "call": {"from": "(212) 555-0199", "outcome": "missed", "line": "sim1"}}
{"at": "2026-11-02T18:40:00-05:00", "call": {"from": "(718) 555-0123", "outcome": "missed", "line": "sim1"}}
"#;

/// What a dry run would do, in time order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DryRun {
    /// One line per text, skip and refusal.
    pub lines: Vec<DryRunLine>,
    /// With the assistant on: that its answers here are scripted, not the model's.
    pub assistant_note: Option<String>,
}

/// What the desktop's dry run says about the assistant's answers.
pub const SCRIPTED_NOTE: &str = "The assistant's answers in this dry run are scripted, not the model's: the API key stays on the phone, so a dry run on the desktop asks no server.";

/// The text of the dry run's scripted assistant (what the model would write instead).
pub const SCRIPTED_REPLY: &str = "[Scripted assistant answer] Thanks for your message! What's the address, and what seems to be the problem?";

/// The dry run's model: the same scripted answer to every question. No server is asked, so
/// no key is needed and none is sent.
pub fn scripted_model() -> Arc<ScriptedModel> {
    ScriptedModel::new(|_job| Ok(json!({ "reply": SCRIPTED_REPLY }).to_string()))
}

/// Whether a dry-run line is a text, a skip or a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DryRunKind {
    /// A text the phone would send.
    Texted,
    /// A call that would get no text.
    Skipped,
    /// A reply the phone would refuse.
    Refused,
    /// A text the phone would hold back for a while (the volume limit).
    Held,
}

/// One thing the phone would do.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DryRunLine {
    /// When (Unix milliseconds).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub at_ms: i64,
    /// What.
    pub kind: DryRunKind,
    /// The other party.
    pub to: String,
    /// The text, when texted.
    pub body: Option<String>,
    /// Why not, when skipped or refused.
    pub reason: Option<String>,
    /// SMS parts, when texted.
    pub segments: Option<u32>,
}

impl DryRunLine {
    /// The line for an outcome; failures are not part of a dry run (the simulated network
    /// sends everything).
    fn from_outcome(outcome: &Outcome) -> Option<DryRunLine> {
        Some(match outcome {
            Outcome::Sent { at, to, body, .. } => DryRunLine {
                at_ms: at.as_millisecond(),
                kind: DryRunKind::Texted,
                to: to.clone(),
                body: Some(body.clone()),
                reason: None,
                segments: Some(u32::try_from(crate::sms::count(body).segments).unwrap_or(u32::MAX)),
            },
            Outcome::Skipped { at, from, reason } => DryRunLine {
                at_ms: at.as_millisecond(),
                kind: DryRunKind::Skipped,
                to: from.clone(),
                body: None,
                reason: Some(reason.as_str().replace('_', " ")),
                segments: None,
            },
            Outcome::Refused { at, to, reason } => DryRunLine {
                at_ms: at.as_millisecond(),
                kind: DryRunKind::Refused,
                to: to.clone(),
                body: None,
                reason: Some(reason.describe()),
                segments: None,
            },
            Outcome::Held {
                at,
                to,
                reason,
                until,
                ..
            } => DryRunLine {
                at_ms: at.as_millisecond(),
                kind: DryRunKind::Held,
                to: to.clone(),
                body: None,
                reason: Some(format!("{} (until {until})", reason.describe())),
                segments: None,
            },
            // The assistant's texts are `Sent` lines; its drafts and hand-offs are not texts,
            // and a pause is no text either (the texts it holds back are `Skipped`).
            Outcome::Failed { .. } | Outcome::Assistant { .. } | Outcome::Paused { .. } => {
                return None;
            }
        })
    }
}

/// Runs `day` (scenario JSON lines) on a virtual clock with `settings` and says what the
/// phone would do; bad input is an error naming the line. The desktop's dry run: the
/// assistant answers from a script ([`scripted_model`]), so no request leaves, with a key
/// or without, and the result says so.
pub fn dry_run(settings: Settings, day: &str) -> Result<DryRun, ScenarioError> {
    let events = read_events(day.as_bytes())?;
    let mut lines = Vec::new();
    let mut assistant_on = settings.assistant.mode != crate::settings::AssistantMode::Off;
    let mut saw = |outcome: &Outcome| {
        assistant_on |= matches!(outcome, Outcome::Assistant { .. });
        lines.extend(DryRunLine::from_outcome(outcome));
        Ok(())
    };
    run_with_model(settings, None, &events, &mut saw, &*scripted_model())?;
    Ok(DryRun {
        lines,
        assistant_note: assistant_on.then(|| SCRIPTED_NOTE.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_errors_name_line_and_field() {
        let cases = [
            (
                "{\"at\": \"2026-11-02T10:00:00Z\", \"call\": {\"from\": \"+12125550123\"}}",
                "call.outcome",
            ),
            ("{\"at\": \"yesterday\", \"call\": {}}", "at"),
            (
                "{\"at\": \"2026-11-02T10:00:00Z\", \"fax\": {}}",
                "unknown event",
            ),
            ("{\"at\": \"2026-11-02T10:00:00Z\"", "not valid JSON"),
            (
                "{\"at\": \"2026-11-02T10:00:00Z\", \"sms\": {\"from\": 5, \"body\": \"x\"}}",
                "sms.from",
            ),
        ];
        for (text, needle) in cases {
            let err = parse_event(text, 7).expect_err(text).to_string();
            assert!(err.starts_with("line 7: "), "{err}");
            assert!(err.contains(needle), "{err} lacks {needle}");
        }
    }

    #[test]
    fn time_going_backwards_is_refused() {
        let input = "{\"at\": \"2026-11-02T10:00:00Z\", \"contact\": {\"number\": \"+12125550123\", \"name\": \"A\"}}\n\n{\"at\": \"2026-11-02T04:59:00-05:00\", \"contact\": {\"number\": \"+12125550123\", \"name\": \"A\"}}\n";
        let err = read_events(input.as_bytes())
            .expect_err("backwards")
            .to_string();
        assert!(err.starts_with("line 3: at:"), "{err}");
    }

    fn acme() -> Settings {
        Settings {
            business_name: "Acme Plumbing".into(),
            ..Settings::default()
        }
    }

    #[test]
    fn the_sample_day_texts_some_callers_and_skips_others_for_reasons() {
        let run = dry_run(acme(), SAMPLE_DAY).expect("dry run");
        let texted: Vec<&DryRunLine> = run
            .lines
            .iter()
            .filter(|l| l.kind == DryRunKind::Texted)
            .collect();
        let skipped: Vec<&str> = run
            .lines
            .iter()
            .filter(|l| l.kind == DryRunKind::Skipped)
            .filter_map(|l| l.reason.as_deref())
            .collect();
        assert!(texted.iter().any(|l| {
            l.to == "+12125550142"
                && l.body
                    .as_deref()
                    .is_some_and(|b| b.contains("Acme Plumbing"))
        }));
        assert!(texted.iter().all(|l| l.segments.is_some_and(|s| s >= 1)));
        for reason in ["withheld number", "opted out"] {
            assert!(skipped.contains(&reason), "{reason} in {skipped:?}");
        }
        // Times are in order.
        assert!(run.lines.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
        // Other settings, other outcome: switched off, nothing is texted.
        let mut off = acme();
        off.text_back.enabled = false;
        let quiet = dry_run(off, SAMPLE_DAY).expect("dry run");
        assert!(quiet.lines.iter().all(|l| {
            l.kind != DryRunKind::Texted
                || l.body
                    .as_deref()
                    .is_some_and(|b| !b.contains("missed your call"))
        }));
    }

    #[test]
    fn a_bad_pasted_day_names_its_line_and_odd_texts_do_not_break_it() {
        let bad = format!(
            "{}\n{{\"at\": \"2026-11-02T09:00:00Z\", \"call\": {{}}}}\n",
            SAMPLE_DAY.lines().next().expect("line")
        );
        let e = dry_run(acme(), &bad).expect_err("bad").to_string();
        assert!(e.starts_with("line 2: "), "{e}");
        let backwards = "{\"at\": \"2026-11-02T10:00:00Z\", \"call\": {\"from\": \"+12125550101\", \"outcome\": \"missed\"}}\n{\"at\": \"2026-11-02T09:00:00Z\", \"call\": {\"from\": \"+12125550102\", \"outcome\": \"missed\"}}";
        assert!(
            dry_run(acme(), backwards)
                .expect_err("backwards")
                .to_string()
                .starts_with("line 2: ")
        );
        let long = format!(
            "{{\"at\": \"2026-11-02T10:00:00Z\", \"sms\": {{\"from\": \"+12125550101\", \"body\": \"{}\"}}}}",
            "🔧".repeat(10_000)
        );
        dry_run(acme(), &long).expect("a long emoji text is just a text");
        assert!(dry_run(acme(), "").expect("empty").lines.is_empty());
    }

    /// A day of pasted text: a good first line, then `bad` as line 2.
    fn day_with_second_line(bad: &str) -> String {
        format!(
            "{{\"at\": \"2026-11-02T09:00:00Z\", \"call\": {{\"from\": \"+12125550101\", \"outcome\": \"missed\"}}}}\n{bad}\n"
        )
    }

    #[test]
    fn every_kind_of_bad_line_is_an_error_naming_it() {
        let long_word = "x".repeat(10_000);
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let cases = [
            (
                "{\"at\": \"2026-11-02T10:00:00Z\", \"call\": ",
                "not valid JSON",
            ),
            ("[1, 2]", "JSON object"),
            (deep.as_str(), "not valid JSON"),
            ("{\"at\": \"🕘\", \"call\": {}}", "at:"),
            (
                "{\"at\": \"2026-11-02T08:59:00Z\", \"call\": {\"from\": \"+12125550102\", \"outcome\": \"missed\"}}",
                "time order",
            ),
            (
                "{\"at\": \"2026-11-02T10:00:00Z\", \"call\": {\"from\": \"+12125550102\", \"outcome\": \"🔔\"}}",
                "call.outcome",
            ),
            (
                "{\"at\": \"2026-11-02T10:00:00Z\", \"sms\": {\"from\": \"+12125550102\", \"body\": 7}}",
                "sms.body",
            ),
            (
                "{\"at\": \"2026-11-02T10:00:00Z\", \"call\": {\"from\": \"+12125550102\", \"outcome\": \"missed\", \"📞\": 1}}",
                "unknown field",
            ),
            (
                "{\"at\": \"2026-11-02T10:00:00Z\", \"settings\": {\"text_back\": {\"delay_seconds\": \"soon\"}}}",
                "settings.",
            ),
        ];
        for (bad, needle) in cases {
            let err = dry_run(acme(), &day_with_second_line(bad))
                .expect_err(needle)
                .to_string();
            assert!(err.starts_with("line 2: "), "{needle}: {err}");
            assert!(err.contains(needle), "{err} lacks {needle}");
        }
        // A 10,000-character field value in an unknown event is refused by the event name.
        let err = dry_run(
            acme(),
            &day_with_second_line(&format!(
                "{{\"at\": \"2026-11-02T10:00:00Z\", \"{long_word}\": {{}}}}"
            )),
        )
        .expect_err("unknown event");
        assert!(err.to_string().starts_with("line 2: "), "{err}");
    }

    #[test]
    fn long_and_odd_texts_are_run_and_over_long_replies_refused() {
        // A 10,000-character text in, and replies at and past the phone's cap of ten SMS
        // parts, in plain letters (GSM 7-bit, 153 a part) and in emoji (UCS-2, 33 a part).
        for (unit, per_part) in [("a", 153), ("🔧", 33)] {
            let longest = unit.repeat(per_part * crate::outbound::MAX_PARTS);
            let too_long = unit.repeat(per_part * crate::outbound::MAX_PARTS + 1);
            let inbound = unit.repeat(10_000);
            let day = format!(
                "{{\"at\": \"2026-11-02T15:00:00Z\", \"sms\": {{\"from\": \"+12125550101\", \"body\": \"{inbound}\"}}}}\n{{\"at\": \"2026-11-02T15:01:00Z\", \"reply\": {{\"to\": \"+12125550101\", \"body\": \"{longest}\"}}}}\n{{\"at\": \"2026-11-02T15:02:00Z\", \"reply\": {{\"to\": \"+12125550101\", \"body\": \"{too_long}\"}}}}"
            );
            let run = dry_run(acme(), &day).expect("a long text is just a text");
            let reply = run
                .lines
                .iter()
                .find(|l| {
                    l.kind == DryRunKind::Texted && l.body.as_deref() == Some(longest.as_str())
                })
                .expect("the longest reply allowed is sent");
            assert_eq!(
                reply.segments,
                Some(u32::try_from(crate::outbound::MAX_PARTS).unwrap_or(0))
            );
            let refused = run
                .lines
                .iter()
                .find(|l| l.kind == DryRunKind::Refused)
                .expect("one part more is refused");
            assert!(
                refused
                    .reason
                    .as_deref()
                    .is_some_and(|r| r.contains("10 SMS parts")),
                "{refused:?}"
            );
        }
        // An emoji where a number belongs is a caller that cannot be texted, not an error.
        let run = dry_run(
            acme(),
            "{\"at\": \"2026-11-02T15:00:00Z\", \"call\": {\"from\": \"📞📞📞\", \"outcome\": \"missed\"}}",
        )
        .expect("odd caller");
        assert_eq!(run.lines.len(), 1);
        assert_eq!(run.lines[0].kind, DryRunKind::Skipped);
        // The edge of representable time (jiff stops late on 9999-12-30) overflows no timer.
        dry_run(
            acme(),
            "{\"at\": \"9999-12-30T21:59:00Z\", \"call\": {\"from\": \"+12125550101\", \"outcome\": \"missed\"}}",
        )
        .expect("the last minute jiff can hold");
    }

    #[test]
    fn the_sample_day_texts_skips_a_repeat_caller_and_matches_the_printed_lines() {
        let dry = dry_run(acme(), SAMPLE_DAY).expect("dry run");
        let count = |kind| dry.lines.iter().filter(|l| l.kind == kind).count();
        assert!(count(DryRunKind::Texted) >= 2, "{:?}", dry.lines);
        assert!(count(DryRunKind::Skipped) >= 2, "{:?}", dry.lines);
        assert_eq!(count(DryRunKind::Refused), 0, "{:?}", dry.lines);
        // The caller who rings again within the day is inside the cooldown.
        assert!(
            dry.lines
                .iter()
                .any(|l| l.to == "+12125550142" && l.reason.as_deref() == Some("cooldown")),
            "{:?}",
            dry.lines
        );
        // The reply typed on the desktop goes out as typed.
        assert!(dry.lines.iter().any(|l| {
            l.kind == DryRunKind::Texted && l.body.as_deref().is_some_and(|b| b.contains("1pm"))
        }));
        // The typed lines are the lines the scenario runner prints, one for one.
        let events = read_events(SAMPLE_DAY.as_bytes()).expect("events");
        let mut printed = Vec::new();
        run(acme(), None, &events, &mut printed).expect("run");
        let printed = String::from_utf8(printed).expect("utf-8");
        assert_eq!(printed.lines().count(), dry.lines.len());
        for (text, line) in printed.lines().zip(&dry.lines) {
            let value: Value = serde_json::from_str(text).expect("json");
            let at: Timestamp = value["at"].as_str().expect("at").parse().expect("instant");
            assert_eq!(at.as_millisecond(), line.at_ms, "{text}");
        }
    }
    /// The runner waits for the model on a runtime and thread of its own, so a host may run
    /// it from inside its own async runtime without a nested `block_on`.
    #[tokio::test]
    async fn a_dry_run_with_the_assistant_runs_inside_an_async_host() {
        let mut settings = acme();
        settings.assistant = Settings::from_value(&json!({"assistant": {
            "mode": "auto", "base_url": "http://127.0.0.1:9/v1", "model": "m"}}))
        .expect("settings")
        .assistant;
        let day = r#"{"at": "2026-11-02T19:02:00-05:00", "sms": {"from": "+12125550142", "body": "Leak under the sink"}}"#;
        let dry = dry_run(settings, day).expect("dry run");
        assert!(
            dry.lines
                .iter()
                .any(|l| l.body.as_deref() == Some(SCRIPTED_REPLY)),
            "{:?}",
            dry.lines
        );
    }

    #[test]
    fn a_day_runs_with_the_assistant_in_the_loop() {
        let mut settings = acme();
        settings.assistant = Settings::from_value(&json!({"assistant": {
            "mode": "auto", "base_url": "http://127.0.0.1:9/v1", "model": "m",
            "service_area": ["10001"]}}))
        .expect("settings")
        .assistant;
        let day = r#"{"at": "2026-11-02T19:00:00-05:00", "call": {"from": "(212) 555-0142", "outcome": "missed"}}
{"at": "2026-11-02T19:02:00-05:00", "sms": {"from": "+12125550142", "body": "Leak under the sink, 10001"}}
{"at": "2026-11-02T19:05:00-05:00", "sms": {"from": "+12125550142", "body": "Can someone call me?"}}
"#;
        let events = read_events(day.as_bytes()).expect("events");
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let questions = asked.clone();
        let mut lines = Vec::new();
        run_with_model(
            settings,
            None,
            &events,
            &mut |o| {
                lines.extend(outcome_line(o));
                Ok(())
            },
            &*ScriptedModel::new(move |job| {
                questions
                    .lock()
                    .expect("questions")
                    .push(job.messages.last().map(|m| m.content.clone()));
                let slot = job.messages[0]
                    .content
                    .lines()
                    .find_map(|l| l.strip_prefix("Free appointment slots: "))
                    .and_then(|l| l.split("; ").next())
                    .map(str::to_string);
                Ok(
                    json!({"reply": "Sorry to hear! Tomorrow 8am?", "problem": "Leak",
                          "postcode": "10001", "book_slot": slot})
                    .to_string(),
                )
            }),
        )
        .expect("run");
        // Asked once (the hand-off request is not a question for the model).
        assert_eq!(
            *asked.lock().expect("asked"),
            vec![Some("Leak under the sink, 10001".to_string())]
        );
        let kinds: Vec<String> = lines
            .iter()
            .map(|l| {
                l.get("sms_out")
                    .map(|s| format!("sms_out:{}", s["kind"].as_str().unwrap_or("")))
                    .or_else(|| {
                        l.get("assistant")
                            .map(|a| format!("assistant:{}", a["status"].as_str().unwrap_or("")))
                    })
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                "sms_out:text_back",
                "assistant:answered",
                "sms_out:assistant",
                "assistant:handed_off",
                "sms_out:assistant"
            ]
        );
        assert_eq!(
            lines[1]["assistant"]["booked"],
            json!("Tue 2026-11-03 08:00")
        );
    }
}
