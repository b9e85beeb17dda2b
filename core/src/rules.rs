//! The rules: pure, total decisions. Settings, history and the time come in; a decision
//! comes out. No I/O, no clock, so every case is a unit test.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::call::CallOutcome;
use crate::opt_out::{self, Consent};
use crate::outbound::{self, RefusalReason};
use crate::phone::Sender;
use crate::settings::{Audience, Config, HELP_WORDS, normalize_keyword};

/// Why an ended call got no text: a closed set, stored with the call so the UI can say why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
}

/// What the store knows about a number that the rules need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberHistory {
    /// The number texted STOP and not START since.
    pub opted_out: bool,
    /// The number probably asked not to be texted and no person has decided yet.
    pub paused: bool,
    /// The contact's name, when the number is in the phone's contacts.
    pub contact_name: Option<String>,
    /// A text-back to this number is waiting to leave.
    pub text_back_pending: bool,
    /// When the latest text-back that was not cancelled was scheduled (its call's time).
    pub last_text_back_at: Option<Timestamp>,
    /// The latest inbound text from, or desktop reply to, this number.
    pub last_exchange_at: Option<Timestamp>,
}

/// Which text-back template a call gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextBackTemplate {
    /// The call ended inside business hours.
    BusinessHours,
    /// The call ended outside business hours.
    AfterHours,
}

/// The decision for one ended call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallDecision {
    /// Not a trigger outcome (answered, blocked, outgoing): nothing to decide.
    NotApplicable,
    /// No text, for this reason.
    Skip(SkipReason),
    /// Text back at `due` with this template.
    TextBack {
        /// When the text should leave (the call's end plus the delay).
        due: Timestamp,
        /// Which template.
        template: TextBackTemplate,
    },
}

/// Decides what to do about a call that ended at `at`: the contract of the text-back rules,
/// applied in order, the first that applies decides.
pub fn decide_call(
    config: &Config,
    outcome: CallOutcome,
    caller: &Sender,
    at: Timestamp,
    history: &NumberHistory,
) -> CallDecision {
    if !outcome.is_trigger_outcome() {
        return CallDecision::NotApplicable;
    }
    let tb = &config.settings.text_back;
    if !tb.enabled {
        return CallDecision::Skip(SkipReason::Disabled);
    }
    if !tb.triggers.contains(&outcome) {
        return CallDecision::Skip(SkipReason::NotATrigger);
    }
    let number = match caller {
        Sender::Number(n) => n,
        Sender::Withheld => return CallDecision::Skip(SkipReason::WithheldNumber),
        Sender::ShortCode(_) | Sender::Alphanumeric(_) | Sender::Invalid(_) => {
            return CallDecision::Skip(SkipReason::InvalidNumber);
        }
    };
    match outbound::check_recipient(&config.limits, number) {
        Err(RefusalReason::PremiumRate) => return CallDecision::Skip(SkipReason::PremiumRate),
        Err(_) => return CallDecision::Skip(SkipReason::International),
        Ok(()) => {}
    }
    if config.block_list.contains(number) {
        return CallDecision::Skip(SkipReason::Blocked);
    }
    if history.opted_out {
        return CallDecision::Skip(SkipReason::OptedOut);
    }
    if history.paused {
        return CallDecision::Skip(SkipReason::Paused);
    }
    let is_contact = history.contact_name.is_some();
    match tb.audience {
        Audience::UnknownOnly if is_contact => return CallDecision::Skip(SkipReason::Contact),
        Audience::ContactsOnly if !is_contact => {
            return CallDecision::Skip(SkipReason::NotContact);
        }
        _ => {}
    }
    let cooldown = SignedDuration::from_hours(i64::from(tb.cooldown_hours));
    let recent_text_back = history
        .last_text_back_at
        .is_some_and(|last| at.duration_since(last) < cooldown);
    if history.text_back_pending || recent_text_back {
        return CallDecision::Skip(SkipReason::Cooldown);
    }
    let quiet = SignedDuration::from_mins(i64::from(tb.quiet_if_texting_minutes));
    if history
        .last_exchange_at
        .is_some_and(|last| at.duration_since(last) < quiet)
    {
        return CallDecision::Skip(SkipReason::InConversation);
    }
    let template = if config.hours.is_open(at, &config.timezone) {
        TextBackTemplate::BusinessHours
    } else {
        TextBackTemplate::AfterHours
    };
    let delay = SignedDuration::from_secs(i64::from(tb.delay_seconds));
    CallDecision::TextBack {
        due: at.saturating_add(delay).unwrap_or(at),
        template,
    }
}

/// A text-back decided for a call that ended long before `now` (read late from the call
/// log, after the app was not running) becomes a skip: every other rule keeps its order.
pub fn too_late(
    config: &Config,
    decision: CallDecision,
    ended_at: Timestamp,
    now: Timestamp,
) -> CallDecision {
    let window =
        SignedDuration::from_mins(i64::from(config.settings.text_back.late_window_minutes));
    match decision {
        CallDecision::TextBack { .. } if now.duration_since(ended_at) > window => {
            CallDecision::Skip(SkipReason::TooLate)
        }
        other => other,
    }
}

/// What an inbound text asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundIntent {
    /// STOP and its synonyms.
    OptOut,
    /// START or UNSTOP.
    OptIn,
    /// Probably "stop texting me" in other words: automated texts pause for a person.
    LikelyOptOut,
    /// HELP or INFO.
    Help,
    /// A configured keyword (upper case).
    Keyword(String),
    /// Anything else: a conversation.
    Conversation,
}

/// Reads an inbound text: opt-out and opt-in as [`opt_out::read`] reads them; help and
/// keywords as the whole body, trimmed of white space and trailing punctuation, compared
/// ignoring case.
pub fn read_inbound(config: &Config, body: &str) -> InboundIntent {
    match opt_out::read(body) {
        Consent::OptOut => return InboundIntent::OptOut,
        Consent::OptIn => return InboundIntent::OptIn,
        Consent::LikelyOptOut => return InboundIntent::LikelyOptOut,
        Consent::Silent => {}
    }
    let word = normalize_keyword(body);
    if HELP_WORDS.contains(&word.as_str()) {
        InboundIntent::Help
    } else if config.keyword(&word).is_some() {
        InboundIntent::Keyword(word)
    } else {
        InboundIntent::Conversation
    }
}

/// Whether an inbound text opts its sender out (STOP and its synonyms), compared as
/// [`read_inbound`] does. Needs no settings: STOP is honoured even before any are given.
pub fn is_opt_out(body: &str) -> bool {
    opt_out::read(body) == Consent::OptOut
}

/// When a follow-up `delay` after a text-back that left at `left_at` goes: then, or at the
/// next opening time when that falls outside business hours. A week without opening hours
/// has no opening to wait for, so the follow-up goes at its time.
pub fn follow_up_due(config: &Config, left_at: Timestamp, delay: SignedDuration) -> Timestamp {
    let at = left_at.saturating_add(delay).unwrap_or(left_at);
    config.hours.next_open(at, &config.timezone).unwrap_or(at)
}

#[cfg(test)]
mod tests;
