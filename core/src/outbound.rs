//! The outbound policy: the one gate every text the phone sends passes, whoever asked for
//! it — a text-back, a follow-up, a keyword or help answer, the assistant, or a person on a
//! desktop. The line is the owner's own number, which a carrier suspends for floods,
//! premium-rate or international traffic, so the phone decides here, never the asker.
//!
//! The checks are pure: the engine gathers what they need from the store and the clock.
//! - A recipient must be a number in the business's country (or a country the owner
//!   allowed), and never a premium-rate or shared-cost line.
//! - A text is at most [`MAX_PARTS`] SMS parts.
//! - A person's reply goes only to a number the business has heard from (a call or a
//!   text).
//! - The volume window counts SMS parts that left in any 30 minutes (Android prompts the
//!   owner past 30); every text waits its turn in it.
//! - Replies from one desktop have a budget per hour of their own, so a desktop that goes
//!   wrong cannot use the whole line.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::phone::{NumberCost, PhoneNumber, Region};
use crate::sms;

/// The most SMS parts one text may take (about 1,530 plain characters, or 670 with emoji
/// or accents outside the GSM alphabet).
pub const MAX_PARTS: usize = 10;

/// The length of the volume window.
pub const VOLUME_WINDOW: SignedDuration = SignedDuration::from_mins(30);

/// The most parts `limits.max_per_30_minutes` may allow: Android asks the owner to approve
/// an app that sends more than this in its window, and a prompt on a phone in a pocket holds
/// every text behind it.
pub const MAX_PARTS_PER_WINDOW: u32 = 30;

/// The window of a desktop's reply budget.
pub const REPLY_BUDGET_WINDOW: SignedDuration = SignedDuration::from_hours(1);

/// The most replies per hour `limits.replies_per_desktop_per_hour` may allow.
pub const MAX_REPLIES_PER_HOUR: u32 = 120;

/// What an opt-out means, in the one wording every place uses: the phone's refusal, the
/// desktop's composer and the conversation's banner.
pub const OPTED_OUT: &str = "this person texted STOP, so Ringback will not text them and replies are off until they text START";

/// Why the phone refused to send a text. Stored with the message (or the request) and
/// shown on every desktop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// The number texted STOP.
    OptedOut,
    /// Not a number a text can go to.
    InvalidNumber,
    /// Nothing to send.
    EmptyBody,
    /// The business has never heard from this number (no call, no text).
    NoConversation,
    /// A number in a country the owner has not allowed.
    International,
    /// A premium-rate or shared-cost number.
    PremiumRate,
    /// Longer than [`MAX_PARTS`] SMS parts.
    TooLong,
}

impl RefusalReason {
    /// Every reason.
    pub const ALL: [RefusalReason; 7] = [
        RefusalReason::OptedOut,
        RefusalReason::InvalidNumber,
        RefusalReason::EmptyBody,
        RefusalReason::NoConversation,
        RefusalReason::International,
        RefusalReason::PremiumRate,
        RefusalReason::TooLong,
    ];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalReason::OptedOut => "opted_out",
            RefusalReason::InvalidNumber => "invalid_number",
            RefusalReason::EmptyBody => "empty_body",
            RefusalReason::NoConversation => "no_conversation",
            RefusalReason::International => "international",
            RefusalReason::PremiumRate => "premium_rate",
            RefusalReason::TooLong => "too_long",
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<RefusalReason> {
        RefusalReason::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// Why, in words for the team, with what to do.
    pub fn describe(self) -> String {
        match self {
            RefusalReason::OptedOut => format!("not sent: {OPTED_OUT}"),
            RefusalReason::InvalidNumber => "not sent: this is not a number a text can go to".into(),
            RefusalReason::EmptyBody => "not sent: the reply was empty".into(),
            RefusalReason::NoConversation => {
                "not sent: the business has never had a call or a text from this number, and the phone only texts people who got in touch".into()
            }
            RefusalReason::International => {
                "not sent: this number is in another country; the owner can allow its country under Settings → Limits".into()
            }
            RefusalReason::PremiumRate => {
                "not sent: this is a premium-rate number, which costs the owner money to text".into()
            }
            RefusalReason::TooLong => format!(
                "not sent: the text is longer than {MAX_PARTS} SMS parts; shorten it"
            ),
        }
    }
}

/// Why a text waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    /// The phone sent its most parts for any 30 minutes.
    VolumeLimit,
    /// The desktop that wrote this reply used its budget for the hour.
    ReplyBudget,
}

impl HoldReason {
    /// Every reason.
    pub const ALL: [HoldReason; 2] = [HoldReason::VolumeLimit, HoldReason::ReplyBudget];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            HoldReason::VolumeLimit => "volume_limit",
            HoldReason::ReplyBudget => "reply_budget",
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<HoldReason> {
        HoldReason::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// Why, in words for the team (the time it leaves is shown beside it).
    pub fn describe(self) -> &'static str {
        match self {
            HoldReason::VolumeLimit => {
                "held: the phone sent as many texts as it may in 30 minutes (Settings → Limits); it leaves when the window allows"
            }
            HoldReason::ReplyBudget => {
                "held: replies from this desktop reached their hourly budget (Settings → Limits); it leaves when the budget allows"
            }
        }
    }
}

/// What the policy says about one text now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Send it.
    Send,
    /// Not now: it may leave at `until`, not before.
    Hold {
        /// Why.
        reason: HoldReason,
        /// The earliest it may leave.
        until: Timestamp,
    },
    /// Never.
    Refuse(RefusalReason),
}

/// The part of the settings the policy needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The business's country.
    pub region: Region,
    /// Other countries whose numbers may be texted.
    pub allowed_countries: Vec<Region>,
    /// Most parts in any 30 minutes.
    pub parts_per_window: u32,
    /// Most replies from one desktop in any hour.
    pub replies_per_hour: u32,
}

/// Whether a number may be texted at all: refuses premium-rate and shared-cost lines, and
/// numbers outside the business's country unless the owner allowed theirs.
pub fn check_recipient(limits: &Limits, number: &PhoneNumber) -> Result<(), RefusalReason> {
    let line = number.line_info();
    if line.cost == NumberCost::Premium {
        return Err(RefusalReason::PremiumRate);
    }
    let home = |r: &Region| Some(*r) == line.region;
    if !(home(&limits.region) || limits.allowed_countries.iter().any(home)) {
        return Err(RefusalReason::International);
    }
    Ok(())
}

/// The parts a text takes, or why it may not be sent.
pub fn check_body(body: &str) -> Result<usize, RefusalReason> {
    if body.trim().is_empty() {
        return Err(RefusalReason::EmptyBody);
    }
    let parts = sms::count(body).segments;
    if parts > MAX_PARTS {
        return Err(RefusalReason::TooLong);
    }
    Ok(parts)
}

/// The earliest instant at or after `at` when a text of `parts` parts fits the volume
/// window: a text leaving at `t` counts every part that left in `(t − 30 min, t]`.
/// `recent` holds when texts left and their parts, ascending by time, none after `at`.
/// A text larger than the whole window goes alone, once the window is empty.
pub fn volume_slot(
    at: Timestamp,
    recent: &[(Timestamp, usize)],
    max: u32,
    parts: usize,
) -> Timestamp {
    let max = usize::try_from(max.max(1)).unwrap_or(usize::MAX);
    let need = parts.clamp(1, max);
    let window_start = at.saturating_sub(VOLUME_WINDOW).unwrap_or(at);
    let first_inside = recent.partition_point(|(t, _)| *t <= window_start);
    let inside = &recent[first_inside..];
    let mut used: usize = inside.iter().map(|(_, p)| *p).sum();
    if used + need <= max {
        return at;
    }
    // The oldest texts fall out of the window one by one until this one fits.
    for (t, p) in inside {
        used -= *p;
        if used + need <= max {
            return t.saturating_add(VOLUME_WINDOW).unwrap_or(at).max(at);
        }
    }
    at
}

/// The earliest instant at or after `at` when one more reply fits a desktop's hourly
/// budget. `recent` holds when that desktop's replies left, ascending, none after `at`.
pub fn budget_slot(at: Timestamp, recent: &[Timestamp], per_hour: u32) -> Timestamp {
    let max = usize::try_from(per_hour.max(1)).unwrap_or(usize::MAX);
    let window_start = at.saturating_sub(REPLY_BUDGET_WINDOW).unwrap_or(at);
    let first_inside = recent.partition_point(|t| *t <= window_start);
    let inside = &recent[first_inside..];
    if inside.len() < max {
        return at;
    }
    inside[inside.len() - max]
        .saturating_add(REPLY_BUDGET_WINDOW)
        .unwrap_or(at)
        .max(at)
}

#[cfg(test)]
mod tests;
