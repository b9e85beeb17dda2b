//! Calls: how a call ended, on which line, and what the engine decided about it (and why
//! not, in words for people).

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

/// Why an ended call got no text: a closed set, stored with the call so the UI can say why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Text-back is switched off.
    Disabled,
    /// This outcome is not one of the configured triggers.
    NotATrigger,
    /// The caller hid their number.
    WithheldNumber,
    /// A short code, an alphanumeric sender or an impossible number.
    InvalidNumber,
    /// The number is on the block list.
    Blocked,
    /// The number opted out (STOP).
    OptedOut,
    /// The caller is a contact and only unknown callers get texts.
    Contact,
    /// The caller is not a contact and only contacts get texts.
    NotContact,
    /// The number got a text-back recently (or one is waiting).
    Cooldown,
    /// The number is texting with the business already.
    InConversation,
    /// The owner spoke with the caller before the text left.
    ResolvedByCall,
    /// The call was handled too long after it ended (the app was not running then).
    TooLate,
    /// The number is in a country the owner has not allowed texts to.
    International,
    /// The number is a premium-rate or shared-cost line.
    PremiumRate,
    /// The number texted something that probably means "stop texting me": automated texts
    /// wait until a person decides.
    Paused,
}

/// How a call the phone could not answer in time is shown (the calls screen, the thread).
pub const MISSED_WHILE_NOT_RUNNING: &str = "missed while Ringback was not running";

impl SkipReason {
    /// Every reason, in rule order.
    pub const ALL: [SkipReason; 15] = [
        SkipReason::Disabled,
        SkipReason::NotATrigger,
        SkipReason::WithheldNumber,
        SkipReason::InvalidNumber,
        SkipReason::International,
        SkipReason::PremiumRate,
        SkipReason::Blocked,
        SkipReason::OptedOut,
        SkipReason::Contact,
        SkipReason::NotContact,
        SkipReason::Cooldown,
        SkipReason::InConversation,
        SkipReason::ResolvedByCall,
        SkipReason::TooLate,
        SkipReason::Paused,
    ];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Disabled => "disabled",
            SkipReason::NotATrigger => "not_a_trigger",
            SkipReason::WithheldNumber => "withheld_number",
            SkipReason::InvalidNumber => "invalid_number",
            SkipReason::Blocked => "blocked",
            SkipReason::OptedOut => "opted_out",
            SkipReason::Contact => "contact",
            SkipReason::NotContact => "not_contact",
            SkipReason::Cooldown => "cooldown",
            SkipReason::InConversation => "in_conversation",
            SkipReason::ResolvedByCall => "resolved_by_call",
            SkipReason::TooLate => "too_late",
            SkipReason::International => "international",
            SkipReason::PremiumRate => "premium_rate",
            SkipReason::Paused => "paused",
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<SkipReason> {
        SkipReason::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// Why, in words for people: the phone's status, the desktop, the dry run and the
    /// window all say it so.
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Disabled => "text-back is switched off",
            SkipReason::NotATrigger => "this kind of call gets no text",
            SkipReason::WithheldNumber => "the number was withheld",
            SkipReason::InvalidNumber => "not a number a text can go to",
            SkipReason::Blocked => "the number is on the block list",
            SkipReason::OptedOut => "they asked not to be texted (STOP)",
            SkipReason::Contact => "they are in your contacts",
            SkipReason::NotContact => "they are not in your contacts",
            SkipReason::Cooldown => "they were texted recently",
            SkipReason::InConversation => "you are already texting with them",
            SkipReason::ResolvedByCall => "you spoke before the text left",
            SkipReason::TooLate => MISSED_WHILE_NOT_RUNNING,
            SkipReason::International => "the number is in a country you have not allowed",
            SkipReason::PremiumRate => "the number is a premium-rate line",
            SkipReason::Paused => {
                "they may have asked not to be texted; automatic texts wait until someone decides"
            }
        }
    }
}

/// What the phone decided about an ended call that could get a text (missed, declined,
/// voicemail); a call that needs no decision has none. Stored and synced as two names
/// that earlier versions used too: `decision` (`text_back`, `skipped`) and, beside it,
/// `skip_reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CallDecision {
    /// The caller is texted back.
    TextBack,
    /// No text, for this reason.
    Skipped(SkipReason),
}

/// The name a [`CallDecision`] is stored and synced under (the `decision` column and op
/// field); a skip's reason goes beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionName {
    /// `text_back`.
    TextBack,
    /// `skipped`.
    Skipped,
}

impl DecisionName {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionName::TextBack => "text_back",
            DecisionName::Skipped => "skipped",
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<DecisionName> {
        [DecisionName::TextBack, DecisionName::Skipped]
            .into_iter()
            .find(|d| d.as_str() == name)
    }
}

/// A stored decision and reason that do not make one decision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// A skip names no reason.
    #[error("the call is skipped without a reason")]
    SkippedWithoutReason,
    /// A reason comes without a skip.
    #[error("the call has a skip reason but was not skipped")]
    ReasonWithoutSkip,
}

impl CallDecision {
    /// The decision's stored name and the skip reason beside it.
    pub fn parts(self) -> (DecisionName, Option<SkipReason>) {
        match self {
            CallDecision::TextBack => (DecisionName::TextBack, None),
            CallDecision::Skipped(reason) => (DecisionName::Skipped, Some(reason)),
        }
    }

    /// The decision from its stored name and the skip reason beside it (`None` when the
    /// call needs no decision).
    pub fn from_parts(
        name: Option<DecisionName>,
        reason: Option<SkipReason>,
    ) -> Result<Option<CallDecision>, DecisionError> {
        match (name, reason) {
            (None, None) => Ok(None),
            (Some(DecisionName::TextBack), None) => Ok(Some(CallDecision::TextBack)),
            (Some(DecisionName::Skipped), Some(reason)) => Ok(Some(CallDecision::Skipped(reason))),
            (Some(DecisionName::Skipped), None) => Err(DecisionError::SkippedWithoutReason),
            (_, Some(_)) => Err(DecisionError::ReasonWithoutSkip),
        }
    }

    /// The skip reason, when skipped.
    pub fn skip_reason(self) -> Option<SkipReason> {
        match self {
            CallDecision::TextBack => None,
            CallDecision::Skipped(reason) => Some(reason),
        }
    }

    /// What was done, in words for people ("texted back", "not texted: they were texted
    /// recently"); `texted` says whether a text-back has left. Lower case, so it reads on
    /// its own line (capitalised there) and after a call's time alike.
    pub fn describe(self, texted: bool) -> String {
        match self {
            CallDecision::TextBack if texted => "texted back".into(),
            CallDecision::TextBack => "text-back waiting to be sent".into(),
            // Said as it is: the phone never saw this call in time to decide on a text.
            CallDecision::Skipped(SkipReason::TooLate) => MISSED_WHILE_NOT_RUNNING.into(),
            CallDecision::Skipped(reason) => format!("not texted: {}", reason.describe()),
        }
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
