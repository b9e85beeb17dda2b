//! The rules: pure, total decisions. Settings, history and the time come in; a decision
//! comes out. No I/O, no clock, so every case is a unit test.

use jiff::{SignedDuration, Timestamp};

pub use crate::call::SkipReason;
use crate::call::{CallDecision, CallOutcome};
use crate::opt_out::{self, Consent};
use crate::outbound::{self, RefusalReason};
use crate::phone::Sender;
use crate::settings::{Audience, Config, HELP_WORDS, normalize_keyword};

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

/// What the rules say to do about one ended call: the decision the store keeps
/// ([`CallDecision`]), with when and how a text-back goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallPlan {
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

impl CallPlan {
    /// The decision stored with the call: none for a call that needs none.
    pub fn decision(self) -> Option<CallDecision> {
        match self {
            CallPlan::NotApplicable => None,
            CallPlan::Skip(reason) => Some(CallDecision::Skipped(reason)),
            CallPlan::TextBack { .. } => Some(CallDecision::TextBack),
        }
    }
}

/// Decides what to do about a call that ended at `at`: the contract of the text-back rules,
/// applied in order, the first that applies decides.
pub fn decide_call(
    config: &Config,
    outcome: CallOutcome,
    caller: &Sender,
    at: Timestamp,
    history: &NumberHistory,
) -> CallPlan {
    if !outcome.is_trigger_outcome() {
        return CallPlan::NotApplicable;
    }
    let tb = &config.settings.text_back;
    if !tb.enabled {
        return CallPlan::Skip(SkipReason::Disabled);
    }
    if !tb.triggers.contains(&outcome) {
        return CallPlan::Skip(SkipReason::NotATrigger);
    }
    let number = match caller {
        Sender::Number(n) => n,
        Sender::Withheld => return CallPlan::Skip(SkipReason::WithheldNumber),
        Sender::ShortCode(_) | Sender::Alphanumeric(_) | Sender::Invalid(_) => {
            return CallPlan::Skip(SkipReason::InvalidNumber);
        }
    };
    match outbound::check_recipient(&config.limits, number) {
        Err(RefusalReason::PremiumRate) => return CallPlan::Skip(SkipReason::PremiumRate),
        Err(_) => return CallPlan::Skip(SkipReason::International),
        Ok(()) => {}
    }
    if config.block_list.contains(number) {
        return CallPlan::Skip(SkipReason::Blocked);
    }
    if history.opted_out {
        return CallPlan::Skip(SkipReason::OptedOut);
    }
    if history.paused {
        return CallPlan::Skip(SkipReason::Paused);
    }
    let is_contact = history.contact_name.is_some();
    match tb.audience {
        Audience::UnknownOnly if is_contact => return CallPlan::Skip(SkipReason::Contact),
        Audience::ContactsOnly if !is_contact => {
            return CallPlan::Skip(SkipReason::NotContact);
        }
        _ => {}
    }
    let cooldown = SignedDuration::from_hours(i64::from(tb.cooldown_hours));
    let recent_text_back = history
        .last_text_back_at
        .is_some_and(|last| at.duration_since(last) < cooldown);
    if history.text_back_pending || recent_text_back {
        return CallPlan::Skip(SkipReason::Cooldown);
    }
    let quiet = SignedDuration::from_mins(i64::from(tb.quiet_if_texting_minutes));
    if history
        .last_exchange_at
        .is_some_and(|last| at.duration_since(last) < quiet)
    {
        return CallPlan::Skip(SkipReason::InConversation);
    }
    let template = text_back_template(config, at);
    let delay = SignedDuration::from_secs(i64::from(tb.delay_seconds));
    CallPlan::TextBack {
        due: at.saturating_add(delay).unwrap_or(at),
        template,
    }
}

/// Which text-back template a call that ended at `at` gets: the business's hours decide.
pub fn text_back_template(config: &Config, at: Timestamp) -> TextBackTemplate {
    if config.hours.is_open(at, &config.timezone) {
        TextBackTemplate::BusinessHours
    } else {
        TextBackTemplate::AfterHours
    }
}

/// The text-back a call that ended at `at` gets, for a caller named `contact_name` (if a
/// contact): what the phone sends, and what "Text them now" sends for a call it could not.
pub fn text_back_body(config: &Config, at: Timestamp, contact_name: Option<&str>) -> String {
    let template = match text_back_template(config, at) {
        TextBackTemplate::BusinessHours => &config.business_hours_template,
        TextBackTemplate::AfterHours => &config.after_hours_template,
    };
    template.render(config.business_name(), contact_name)
}

/// A text-back decided for a call that ended long before `now` (read late from the call
/// log, after the app was not running) becomes a skip: every other rule keeps its order.
pub fn too_late(
    config: &Config,
    decision: CallPlan,
    ended_at: Timestamp,
    now: Timestamp,
) -> CallPlan {
    let window =
        SignedDuration::from_mins(i64::from(config.settings.text_back.late_window_minutes));
    match decision {
        CallPlan::TextBack { .. } if now.duration_since(ended_at) > window => {
            CallPlan::Skip(SkipReason::TooLate)
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
