//! The scenario's input: one event a line, checked (JSON, kind, fields, time order), every
//! error naming its line and field.

use std::io::BufRead;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use super::ScenarioError;
use super::mms::{MmsFile, MmsInput, parse_mms, parse_photo};
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
    /// An inbound picture message (MMS), its files read.
    Mms(MmsInput),
    /// A desktop reply.
    Reply {
        /// Recipient.
        to: String,
        /// Text.
        body: String,
        /// A photo sent with it, as a picture message.
        photo: Option<MmsFile>,
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

const EVENT_KINDS: [&str; 7] = [
    "call", "sms", "reply", "contact", "settings", "review", "mms",
];

pub(super) fn input_error(line: usize, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Input {
        line,
        message: message.into(),
    }
}

/// A text field as written: a string, or whatever else was there (reported as "must be a
/// string" when the field is checked, so a wrong type never hides an unknown field).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Text {
    /// A string.
    Str(String),
    /// Anything else.
    Other(Value),
}

/// The fields of a `call` event.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CallFields {
    #[serde(default)]
    from: Option<Text>,
    #[serde(default)]
    outcome: Option<Text>,
    #[serde(default)]
    line: Option<Text>,
}

/// The fields of an `sms` event.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SmsFields {
    #[serde(default)]
    from: Option<Text>,
    #[serde(default)]
    body: Option<Text>,
    #[serde(default)]
    line: Option<Text>,
}

/// The fields of a `reply` event.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyFields {
    #[serde(default)]
    to: Option<Text>,
    #[serde(default)]
    body: Option<Text>,
    #[serde(default)]
    photo: Option<Value>,
}

/// The fields of a `contact` event.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactFields {
    #[serde(default)]
    number: Option<Text>,
    #[serde(default)]
    name: Option<Text>,
}

/// The fields of a `review` event.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewFields {
    #[serde(default)]
    number: Option<Text>,
    #[serde(default)]
    decision: Option<Text>,
}

/// One event as written, by kind (externally tagged: `{"call": {…}}`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Fields {
    Call(CallFields),
    Sms(SmsFields),
    Reply(ReplyFields),
    Contact(ContactFields),
    Review(ReviewFields),
    Settings(Value),
    Mms(Value),
}

impl Fields {
    /// The fields a kind takes, in the order the error messages name them.
    fn allowed(kind: &str) -> &'static [&'static str] {
        match kind {
            "call" => &["from", "outcome", "line"],
            "sms" => &["from", "body", "line"],
            "reply" => &["to", "body", "photo"],
            "contact" => &["number", "name"],
            "review" => &["number", "decision"],
            _ => &[],
        }
    }
}

/// Checks one text field: a string, or `None` when it may be left out.
fn text(
    value: Option<Text>,
    kind: &str,
    field: &str,
    line: usize,
    required: bool,
) -> Result<Option<String>, ScenarioError> {
    match value {
        Some(Text::Str(s)) => Ok(Some(s)),
        None if !required => Ok(None),
        None => Err(input_error(
            line,
            format!("{kind}.{field}: missing; add \"{field}\": \"…\""),
        )),
        Some(Text::Other(other)) => Err(input_error(
            line,
            format!("{kind}.{field}: must be a string, not {other}"),
        )),
    }
}

/// Parses one input line (already known to be non-blank).
pub fn parse_event(text_line: &str, line: usize) -> Result<Event, ScenarioError> {
    let value: Value = serde_json::from_str(text_line)
        .map_err(|e| input_error(line, format!("not valid JSON ({e})")))?;
    let Value::Object(mut obj) = value else {
        return Err(input_error(
            line,
            "each line must be a JSON object such as {\"at\": \"…\", \"call\": {…}}",
        ));
    };
    let at = match obj.remove("at") {
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
    if obj.len() != 1 {
        return Err(input_error(
            line,
            format!(
                "event: each line needs exactly one of {} besides at",
                EVENT_KINDS.join(", ")
            ),
        ));
    }
    let Some(kind) = obj.keys().next().cloned() else {
        return Err(input_error(line, "event: missing"));
    };
    if !EVENT_KINDS.contains(&kind.as_str()) {
        return Err(input_error(
            line,
            format!(
                "event: unknown event “{kind}”; use one of {}",
                EVENT_KINDS.join(", ")
            ),
        ));
    }
    if !obj[&kind].is_object() {
        return Err(input_error(line, format!("{kind}: must be a JSON object")));
    }
    // The path names the field serde stopped at: with every field read as written
    // (`Text`), that is an unknown field.
    let fields: Fields = serde_path_to_error::deserialize(Value::Object(obj)).map_err(|e| {
        let unknown = e
            .path()
            .iter()
            .next_back()
            .map(|segment| segment.to_string())
            .unwrap_or_default();
        input_error(
            line,
            format!(
                "{kind}.{unknown}: unknown field; {kind} takes {}",
                Fields::allowed(&kind).join(", ")
            ),
        )
    })?;
    let kind = match fields {
        Fields::Call(f) => {
            let outcome_name = text(f.outcome, "call", "outcome", line, true)?.unwrap_or_default();
            let outcome = CallOutcome::from_name(&outcome_name).ok_or_else(|| {
                input_error(line, format!(
                    "call.outcome: “{outcome_name}” is not an outcome; use one of missed, rejected, voicemail, answered, blocked, outgoing"
                ))
            })?;
            EventKind::Call {
                from: text(f.from, "call", "from", line, true)?.unwrap_or_default(),
                outcome,
                line: text(f.line, "call", "line", line, false)?,
            }
        }
        Fields::Sms(f) => EventKind::Sms {
            from: text(f.from, "sms", "from", line, true)?.unwrap_or_default(),
            body: text(f.body, "sms", "body", line, true)?.unwrap_or_default(),
            line: text(f.line, "sms", "line", line, false)?,
        },
        Fields::Reply(f) => {
            let photo = f
                .photo
                .map(|p| parse_photo(&p, std::path::Path::new("."), "reply.photo"))
                .transpose()
                .map_err(|e| input_error(line, e))?;
            EventKind::Reply {
                to: text(f.to, "reply", "to", line, true)?.unwrap_or_default(),
                // A photo may go without words.
                body: text(f.body, "reply", "body", line, photo.is_none())?.unwrap_or_default(),
                photo,
            }
        }
        Fields::Contact(f) => EventKind::Contact {
            number: text(f.number, "contact", "number", line, true)?.unwrap_or_default(),
            name: text(f.name, "contact", "name", line, true)?.unwrap_or_default(),
        },
        Fields::Review(f) => {
            let decision = match text(f.decision, "review", "decision", line, true)?
                .unwrap_or_default()
                .as_str()
            {
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
                number: text(f.number, "review", "number", line, true)?.unwrap_or_default(),
                decision,
            }
        }
        Fields::Settings(document) => EventKind::Settings(document),
        // File names are relative to the folder the run started in.
        Fields::Mms(value) => EventKind::Mms(
            parse_mms(&value, std::path::Path::new(".")).map_err(|e| input_error(line, e))?,
        ),
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
