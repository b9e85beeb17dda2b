//! The scenario runner: the real engine and store, on a virtual clock, over a scripted day.
//!
//! Input is JSON lines of events (`call`, `sms`, `mms` (a picture message, see [`mms`]),
//! `reply`, `contact`, `settings`, and `review`: a person's decision about a likely
//! opt-out), each with an RFC 3339 `at`, in
//! non-decreasing order; output is JSON lines of what the phone texted (`sms_out`),
//! decided not to (`skipped`), refused (`refused`) and paused for the team (`paused`), in
//! time order.

mod dry_run;
mod event;
pub mod mms;
mod output;
mod sample;

pub use dry_run::{
    DryRun, DryRunKind, DryRunLine, SCRIPTED_NOTE, SCRIPTED_REPLY, dry_run, scripted_model,
};
use event::input_error;
pub use event::{Event, EventKind, parse_event, read_events};
pub use output::{mms_out_line, outcome_line};
pub use sample::SAMPLE_DAY;

use std::io::Write;

use jiff::Timestamp;
use serde_json::Value;

use crate::attachment::{Attachment, AttachmentState};
use crate::engine::service::http_model;
use crate::engine::{AssistantJob, DeliveryStatus};
use crate::phone::classify;
use crate::ports::memory::SimPlatform;
use crate::ports::{ChatModel, MmsRequest, SendRequest};
use crate::secret::{KeyChange, Secret, take_api_key};
use crate::{
    EndedCall, Engine, EngineError, InboundSms, Line, Outcome, PlatformEvent, ReplyRequest,
    Settings, SettingsError, Store,
};
use mms::MmsFile;

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
    // Both sinks write to `out`, one after the other, never at once.
    let out = std::cell::RefCell::new(out);
    let mut sink = |outcome: &Outcome| {
        if let Some(line) = outcome_line(outcome) {
            writeln!(out.borrow_mut(), "{line}")?;
        }
        Ok(())
    };
    let mut mms_sink = |request: &MmsRequest, at: Timestamp| {
        writeln!(out.borrow_mut(), "{}", mms_out_line(request, at))?;
        Ok(())
    };
    run_inner(
        settings,
        api_key,
        events,
        &mut sink,
        Some(&mut mms_sink),
        &*http_model(),
    )
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
    run_inner(settings, api_key, events, sink, None, model)
}

/// A picture message the phone sent, with the time it left.
type MmsSink<'a> = &'a mut dyn FnMut(&MmsRequest, Timestamp) -> Result<(), ScenarioError>;

/// [`run_with_model`]; with `mms_sink`, a reply sent as a picture message goes to it (the
/// `mms_out` line) instead of to `sink` as a text.
fn run_inner(
    settings: Settings,
    api_key: Option<&Secret>,
    events: &[Event],
    sink: &mut dyn FnMut(&Outcome) -> Result<(), ScenarioError>,
    mms_sink: Option<MmsSink<'_>>,
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
        // Re-borrowed, so the sink may live as briefly as the runner does.
        mms_sink: match mms_sink {
            Some(s) => Some(s),
            None => None,
        },
        sent_mms: Vec::new(),
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
            EventKind::Reply { to, body, photo } => {
                let request = ReplyRequest {
                    request_id: Some(format!("scenario-line-{}", event.line)),
                    to: to.clone(),
                    body: body.clone(),
                };
                match photo {
                    None => engine.reply(request)?,
                    Some(photo) => {
                        let attached = keep_photo(&engine, photo)?;
                        engine.reply_with_photos(request, &[attached])?
                    }
                }
            }
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
            EventKind::Mms(mms) => engine.handle(PlatformEvent::MmsReceived(
                mms.clone()
                    .into_inbound(format!("scenario-line-{}", event.line), event.at),
            ))?,
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

/// Puts a reply's photo in the phone's blob store, as a desktop's photo arrives there
/// before its reply is sent.
fn keep_photo(engine: &Engine, photo: &MmsFile) -> Result<Attachment, ScenarioError> {
    let hash = engine
        .blobs()
        .put(&photo.bytes)
        .map_err(|e| ScenarioError::Store(e.to_string()))?;
    Ok(Attachment {
        content_type: photo.content_type.clone(),
        size: photo.bytes.len() as u64,
        hash: Some(hash),
        name: photo.name.clone(),
        thumbnail: None,
        state: AttachmentState::Downloaded,
    })
}

struct Runner<'a> {
    sim: &'a SimPlatform,
    sink: &'a mut dyn FnMut(&Outcome) -> Result<(), ScenarioError>,
    mms_sink: Option<MmsSink<'a>>,
    /// Picture messages handed to the simulated radio, not yet reported sent.
    sent_mms: Vec<MmsRequest>,
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
        self.print(outcomes)?;
        self.report_sent(engine)?;
        for job in engine.take_assistant_jobs() {
            let answer = answer_now(self.model, &job);
            let more = engine.assistant_answered(job.id, job.conversation, answer)?;
            self.print(&more)?;
            self.report_sent(engine)?;
        }
        Ok(())
    }

    /// Hands each outcome to the sink; a text that left as a picture message goes to the
    /// picture-message sink when there is one.
    fn print(&mut self, outcomes: &[Outcome]) -> Result<(), ScenarioError> {
        self.sent_mms.extend(self.sim.telephony.take_sent_mms());
        for outcome in outcomes {
            let mms = match outcome {
                Outcome::Sent { message_id, at, .. } => self
                    .sent_mms
                    .iter()
                    .find(|m| m.message_id == *message_id)
                    .map(|m| (m, *at)),
                _ => None,
            };
            match (mms, self.mms_sink.as_mut()) {
                (Some((request, at)), Some(mms_sink)) => mms_sink(request, at)?,
                _ => (self.sink)(outcome)?,
            }
        }
        Ok(())
    }

    fn report_sent(&mut self, engine: &mut Engine) -> Result<(), ScenarioError> {
        let mut sent: Vec<SendRequest> = self.sim.take_sent();
        // A picture message's reports are a text's (`SmsSent`, `Delivered`).
        self.sent_mms.extend(self.sim.telephony.take_sent_mms());
        for mms in std::mem::take(&mut self.sent_mms) {
            sent.push(SendRequest {
                message_id: mms.message_id,
                line: mms.line,
                to: mms.to,
                body: mms.text,
            });
        }
        for request in sent {
            let more = engine.handle(PlatformEvent::SmsSent {
                message_id: request.message_id,
                result: Ok(()),
                any_part_left: false,
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

#[cfg(test)]
mod tests;
