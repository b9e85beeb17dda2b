//! Why a message did not go, or went no further: a closed set of kinds, each with its words
//! for people. The kind is stored and synced beside the words that earlier versions kept
//! alone (`failure_kind` next to `failure`); words without a kind, from an earlier version,
//! are read back into a kind by [`Failure::from_words`], which knows every sentence those
//! versions wrote and nothing else.

use serde::{Deserialize, Serialize};

use crate::call::SkipReason;
use crate::outbound::RefusalReason;

/// Why the platform could not send a text, in words the owner can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SendError {
    /// No mobile service.
    #[error("no mobile service; the text will need resending once the phone has signal")]
    NoService,
    /// Airplane mode or the radio is off.
    #[error("the phone's radio is off (airplane mode?); turn it on and resend")]
    RadioOff,
    /// The carrier refused it (no credit, barred, or a network fault).
    #[error(
        "the carrier refused the text (no credit or a network fault); check the phone's plan and resend"
    )]
    GenericFailure,
    /// Android refused to send more texts without the owner's confirmation.
    #[error("Android is holding texts until the owner allows this app to send many texts")]
    LimitExceeded,
    /// The line (SIM) is gone.
    #[error("the SIM this conversation uses is not in the phone")]
    NoSuchLine,
    /// Android could not encode the text (`RESULT_ERROR_NULL_PDU`), with the radio's code
    /// when it gave one.
    #[error("the phone could not send the text: Android could not encode the text{}", radio_code(.code))]
    NotEncoded {
        /// The radio's error code, when it gave one.
        code: Option<i32>,
    },
    /// The SIM's fixed dialling list does not allow the number.
    #[error(
        "the phone could not send the text: the phone's fixed dialling list blocks this number; allow it in the SIM settings"
    )]
    FixedDialling,
    /// Android does not let apps text short codes.
    #[error(
        "the phone could not send the text: Android does not let Ringback text short codes; answer this one from the messaging app"
    )]
    ShortCode,
    /// A result Android reported that names no known cause: its result code, and the
    /// radio's error code when it gave one.
    #[error(
        "the phone could not send the text: Android reported error {result}{}; resend, and restart the phone if it keeps happening",
        radio_code(.code)
    )]
    Radio {
        /// The "sent" report's result code.
        result: i32,
        /// The radio's error code, when it gave one.
        code: Option<i32>,
    },
    /// Something else, described.
    #[error("the phone could not send the text: {0}")]
    Other(String),
}

impl SendError {
    /// Whether the cause passes by itself (service returns, the radio is turned on, the
    /// owner answers the limit prompt, the carrier's fault clears), so a text that failed
    /// for it before any part left is sent again while it is still timely. The others
    /// fail the same way every time until a person changes something (the SIM, the fixed
    /// dialling list, the text), and an error Android did not name is not guessed at.
    pub fn is_passing(&self) -> bool {
        matches!(
            self,
            SendError::NoService
                | SendError::RadioOff
                | SendError::LimitExceeded
                | SendError::GenericFailure
        )
    }

    /// The cause in a few words, for "retrying since 14:02 (no service)".
    pub fn brief(&self) -> String {
        match self {
            SendError::NoService => "no service".into(),
            SendError::RadioOff => "radio off".into(),
            SendError::GenericFailure => "carrier refused".into(),
            SendError::LimitExceeded => "many-texts prompt not allowed".into(),
            SendError::NoSuchLine => "SIM missing".into(),
            SendError::NotEncoded { .. } => "not encodable".into(),
            SendError::FixedDialling => "fixed dialling".into(),
            SendError::ShortCode => "short code".into(),
            SendError::Radio { result, .. } => format!("Android error {result}"),
            SendError::Other(_) => "phone error".into(),
        }
    }
}

/// " (radio code 7)", or nothing when the radio gave no code.
fn radio_code(code: &Option<i32>) -> String {
    code.map(|c| format!(" (radio code {c})"))
        .unwrap_or_default()
}

/// Why a message did not go, or went no further. The message's status says what became of
/// it (failed, cancelled, unconfirmed); this says why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// A desktop's reply reached the phone more than `hours` after it was written
    /// (`sync.reply_expiry_hours`), so it was not sent.
    Expired {
        /// The expiry in force.
        hours: u32,
    },
    /// The outbound policy refused it: a person's reply fails, an automated text is
    /// withdrawn.
    Refused(RefusalReason),
    /// The platform could not send it.
    NotSent(SendError),
    /// The network could not deliver it.
    NotDelivered,
    /// The phone stopped while it was being sent: it may or may not have left.
    Unconfirmed,
    /// It failed for a passing reason and was tried again until it was no longer timely
    /// (`text_back.late_window_minutes` after the call for an automated text,
    /// `sync.reply_expiry_hours` after it was written for a reply), so it was not sent.
    NoLongerTimely(SendError),
    /// Withdrawn before it left (the caller called, opted out, or was in touch already).
    Cancelled(SkipReason),
    /// Words an earlier version stored that name no kind this version knows.
    Other(String),
}

impl Failure {
    /// Why, in words for people: the phone, the desktop and the window all say it so.
    pub fn describe(&self) -> String {
        match self {
            Failure::Expired { hours } => format!(
                "expired: this reply reached the phone more than {hours} hours after it was written, so it was not sent; send it again if it still applies"
            ),
            Failure::Refused(reason) => reason.describe(),
            Failure::NotSent(error) => error.to_string(),
            Failure::NotDelivered => {
                "the network could not deliver the text; the number may be a landline or switched off".into()
            }
            Failure::Unconfirmed => {
                "the phone stopped while this text was being sent; check with the caller before sending it again".into()
            }
            Failure::NoLongerTimely(error) => format!(
                "not sent: the phone kept trying ({}) until it was too late for this text; send it again if it still applies",
                error.brief()
            ),
            Failure::Cancelled(reason) => reason.describe().into(),
            Failure::Other(words) => words.clone(),
        }
    }

    /// The kind of a failure that an earlier version stored only in words: each sentence
    /// those versions wrote, matched whole (an expiry with its hours), and anything else
    /// kept as [`Failure::Other`]. Words that merely start like one of them are not it.
    pub fn from_words(words: &str) -> Failure {
        legacy(words).unwrap_or_else(|| Failure::Other(words.to_string()))
    }

    /// The kind stored in the `failure_kind` column, or why it is not one.
    pub fn from_stored(kind: &str) -> Result<Failure, serde_json::Error> {
        serde_json::from_str(kind)
    }

    /// The kind as the `failure_kind` column stores it.
    pub fn to_stored(&self) -> String {
        // A closed enum of strings and numbers always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The sentences earlier versions stored as a message's failure, frozen here as they were
/// written (the words of today's kinds may change; these must not).
fn legacy(words: &str) -> Option<Failure> {
    if let Some(hours) = words
        .strip_prefix("expired: this reply reached the phone more than ")
        .and_then(|rest| rest.strip_suffix(LEGACY_EXPIRED_TAIL))
        .filter(|hours| !hours.is_empty() && hours.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|hours| hours.parse().ok())
    {
        return Some(Failure::Expired { hours });
    }
    if let Some((_, kind)) = LEGACY_SENTENCES.iter().find(|(w, _)| *w == words) {
        return Some(kind.clone());
    }
    // A cancelled text kept its skip reason's stored name.
    if let Some(reason) = SkipReason::from_name(words) {
        return Some(Failure::Cancelled(reason));
    }
    if let Some(detail) = words.strip_prefix("the phone could not send the text: ") {
        return Some(Failure::NotSent(SendError::Other(detail.to_string())));
    }
    None
}

/// How an earlier version's expiry sentence ended, after its hours.
const LEGACY_EXPIRED_TAIL: &str =
    " hours after it was written, so it was not sent; send it again if it still applies";

/// Every fixed sentence earlier versions stored, with its kind.
static LEGACY_SENTENCES: std::sync::LazyLock<Vec<(&'static str, Failure)>> =
    std::sync::LazyLock::new(|| {
        vec![
            (
                "the network could not deliver the text; the number may be a landline or switched off",
                Failure::NotDelivered,
            ),
            (
                "the phone stopped while this text was being sent; check with the caller before sending it again",
                Failure::Unconfirmed,
            ),
            (
                "the caller was already in touch",
                Failure::Cancelled(SkipReason::InConversation),
            ),
            (
                "not sent: this number texted STOP; it can be texted again after it texts START",
                Failure::Refused(RefusalReason::OptedOut),
            ),
            (
                "not sent: this is not a number a text can go to",
                Failure::Refused(RefusalReason::InvalidNumber),
            ),
            (
                "not sent: the reply was empty",
                Failure::Refused(RefusalReason::EmptyBody),
            ),
            (
                "not sent: the business has never had a call or a text from this number, and the phone only texts people who got in touch",
                Failure::Refused(RefusalReason::NoConversation),
            ),
            (
                "not sent: this number is in another country; the owner can allow its country under Settings → Limits",
                Failure::Refused(RefusalReason::International),
            ),
            (
                "not sent: this is a premium-rate number, which costs the owner money to text",
                Failure::Refused(RefusalReason::PremiumRate),
            ),
            (
                "not sent: the text is longer than 10 SMS parts; shorten it",
                Failure::Refused(RefusalReason::TooLong),
            ),
            (
                "no mobile service; the text will need resending once the phone has signal",
                Failure::NotSent(SendError::NoService),
            ),
            (
                "the phone's radio is off (airplane mode?); turn it on and resend",
                Failure::NotSent(SendError::RadioOff),
            ),
            (
                "the carrier refused the text (no credit or a network fault); check the phone's plan and resend",
                Failure::NotSent(SendError::GenericFailure),
            ),
            (
                "Android is holding texts until the owner allows this app to send many texts",
                Failure::NotSent(SendError::LimitExceeded),
            ),
            (
                "the SIM this conversation uses is not in the phone",
                Failure::NotSent(SendError::NoSuchLine),
            ),
        ]
    });

#[cfg(test)]
mod tests;
