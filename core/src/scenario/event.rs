//! The scenario's input: one event a line, checked (JSON, kind, fields, time order), every
//! error naming its line and field.

use std::io::BufRead;

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::ScenarioError;
use crate::CallOutcome;
use crate::opt_out::ReviewDecision;

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

pub(super) fn input_error(line: usize, message: impl Into<String>) -> ScenarioError {
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
