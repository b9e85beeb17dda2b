//! Calls: how a call ended, on which line, and what the engine decided about it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// How a call ended, as the phone's call log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// Rang out unanswered.
    Missed,
    /// Declined by the owner.
    Rejected,
    /// Went to voicemail.
    Voicemail,
    /// Answered.
    Answered,
    /// Blocked by the phone.
    Blocked,
    /// Placed by the owner.
    Outgoing,
}

impl CallOutcome {
    /// Every outcome, in a fixed order.
    pub const ALL: [CallOutcome; 6] = [
        CallOutcome::Missed,
        CallOutcome::Rejected,
        CallOutcome::Voicemail,
        CallOutcome::Answered,
        CallOutcome::Blocked,
        CallOutcome::Outgoing,
    ];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Missed => "missed",
            CallOutcome::Rejected => "rejected",
            CallOutcome::Voicemail => "voicemail",
            CallOutcome::Answered => "answered",
            CallOutcome::Blocked => "blocked",
            CallOutcome::Outgoing => "outgoing",
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<CallOutcome> {
        CallOutcome::ALL.into_iter().find(|o| o.as_str() == name)
    }

    /// Missed, rejected and voicemail calls may get a text-back; the others never do.
    pub fn is_trigger_outcome(self) -> bool {
        matches!(
            self,
            CallOutcome::Missed | CallOutcome::Rejected | CallOutcome::Voicemail
        )
    }

    /// Answered and outgoing calls mean the owner and the caller have spoken.
    pub fn is_conversation(self) -> bool {
        matches!(self, CallOutcome::Answered | CallOutcome::Outgoing)
    }
}

/// A line (SIM or phone account) a call came in on; empty when the platform did not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct Line(pub String);

impl Line {
    /// The line as an option: `None` when the platform did not name one.
    pub fn name(&self) -> Option<&str> {
        (!self.0.is_empty()).then_some(self.0.as_str())
    }

    /// A line from an optional name.
    pub fn from_option(name: Option<&str>) -> Line {
        Line(name.unwrap_or_default().trim().to_string())
    }
}

/// A call that has ended, as read from the call log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndedCall {
    /// The platform's id for the entry (Android: `CallLog.Calls._ID`); makes ingest idempotent.
    pub log_id: i64,
    /// The other party as the platform gave it (caller, or number dialled).
    pub number: String,
    /// How it ended.
    pub outcome: CallOutcome,
    /// The line it was on.
    pub line: Line,
    /// When it ended.
    pub ended_at: Timestamp,
}
