//! What the platform tells the engine ([`PlatformEvent`]) and what the engine reports back
//! ([`Outcome`]).

use jiff::Timestamp;
use serde::Serialize;

use crate::attachment::NewAttachment;
use crate::call::{EndedCall, Line};
use crate::message::{Failure, MessageKind};
use crate::outbound::{HoldReason, RefusalReason};
use crate::ports::SendError;
use crate::rules::SkipReason;
use crate::store::MessageId;

/// An inbound text as the platform reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundSms {
    /// The platform's id for it, when it has one (makes a repeated broadcast harmless).
    pub source_id: Option<String>,
    /// The sender as given.
    pub from: String,
    /// The text.
    pub body: String,
    /// The line it arrived on.
    pub line: Line,
    /// When it arrived.
    pub at: Timestamp,
}

/// An inbound picture message (MMS) as the platform reports it, read from the MMS provider
/// once the phone's default messaging app has it.
///
/// A message the default app has not downloaded yet (only its notification is in the
/// provider) comes with `downloaded: false` and no parts: it is stored and shown as "picture
/// message — not downloaded yet on the phone". When the default app has downloaded it, the
/// platform reports it again with the same `source_id` and `downloaded: true`, and the
/// stored message is completed (its text and attachments filled in) instead of a second one
/// being recorded. A report with the same `source_id` after completion changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMms {
    /// The provider's id for it (`content://mms` `_id`): names the message across the
    /// not-downloaded report and the completed one.
    pub source_id: String,
    /// The sender as given (`addr` type 137).
    pub from: String,
    /// The other recipients of a group message, as given (the thread notes them; the
    /// message goes in the sender's conversation). Empty for a one-to-one message.
    pub others: Vec<String>,
    /// The text parts, joined (may be empty).
    pub text: String,
    /// The other parts: images, video, audio, contact cards.
    pub attachments: Vec<NewAttachment>,
    /// The line it arrived on.
    pub line: Line,
    /// When it arrived.
    pub at: Timestamp,
    /// Whether the default app has downloaded it (false: a notification only, no parts).
    pub downloaded: bool,
}

/// A text the owner sent from the phone's own messaging app, as the SMS provider has it.
/// Ringback's own texts are in the provider too (Android writes them there); those are
/// recognised and not recorded twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerSms {
    /// The provider's id for it (makes a repeated read harmless).
    pub source_id: String,
    /// The recipient as given.
    pub to: String,
    /// The text.
    pub body: String,
    /// The line it left on.
    pub line: Line,
    /// When it left.
    pub at: Timestamp,
}

/// A reply a person wrote, handed to the engine directly (the scenario runner's desktop
/// replies; a real desktop's arrive as ops). It goes on the line of the latest
/// conversation with the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyRequest {
    /// The requester's id, so a request delivered twice is sent once.
    pub request_id: Option<String>,
    /// The recipient as typed or as shown in the inbox.
    pub to: String,
    /// The text.
    pub body: String,
}

/// What a delivery report said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Delivered to the handset.
    Delivered,
    /// The network is still trying.
    Pending,
    /// The network gave up.
    Failed,
}

/// A line's mobile service, as the platform reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    /// Registered on a network: texts can leave.
    InService,
    /// No network (out of coverage, or emergency calls only).
    NoService,
    /// The radio is off (airplane mode).
    RadioOff,
}

impl ServiceState {
    /// The name a platform sends (`in_service`, `no_service`, `radio_off`).
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceState::InService => "in_service",
            ServiceState::NoService => "no_service",
            ServiceState::RadioOff => "radio_off",
        }
    }

    /// Parses a name a platform sends.
    pub fn from_name(name: &str) -> Option<ServiceState> {
        [
            ServiceState::InService,
            ServiceState::NoService,
            ServiceState::RadioOff,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// Something that happened on the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformEvent {
    /// The call log changed (or the phone state went idle): read it since the cursor.
    CallLogChanged,
    /// A call-log entry the platform read itself. Recorded once per log id, like the
    /// entries the engine reads.
    CallEnded(EndedCall),
    /// A text arrived.
    SmsReceived(InboundSms),
    /// A picture message arrived, or one reported before as not downloaded was downloaded
    /// (see [`InboundMms`]).
    MmsReceived(InboundMms),
    /// The platform's report on handing a text, or a picture message sent through
    /// `Telephony::send_mms`, to the network.
    SmsSent {
        /// The message.
        message_id: MessageId,
        /// Every part sent, or why not.
        result: Result<(), SendError>,
        /// Whether any part of the text had left when it failed: such a text is never
        /// sent again on its own (the caller has half of it).
        any_part_left: bool,
    },
    /// A line's service changed: back in service, texts waiting to be retried go at once.
    ServiceChanged {
        /// The line; empty for the phone's only or default line.
        line: Line,
        /// What the radio says now.
        state: ServiceState,
    },
    /// The network's delivery report.
    Delivered {
        /// The message.
        message_id: MessageId,
        /// What it said.
        status: DeliveryStatus,
    },
    /// The owner texted someone from the phone's own messaging app. Recorded only in a
    /// conversation Ringback already has with that number.
    OwnerTexted(OwnerSms),
    /// A contact was added, renamed (a name) or removed (`None`).
    ContactChanged {
        /// The number as stored in the contact.
        number: String,
        /// The new name.
        name: Option<String>,
    },
}

/// What the engine did that the owner would want to know, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A text was handed to the platform.
    Sent {
        /// When it left.
        at: Timestamp,
        /// Its id.
        message_id: MessageId,
        /// The recipient.
        to: String,
        /// The text.
        body: String,
        /// What it is for.
        kind: MessageKind,
        /// The line, when one was named.
        line: Line,
    },
    /// A call got no text, or a pending text-back was withdrawn.
    Skipped {
        /// When it was decided.
        at: Timestamp,
        /// The caller, E.164 when it parses, else as given.
        from: String,
        /// Why.
        reason: SkipReason,
    },
    /// The outbound policy holds a text back for now (it is sent when it allows).
    Held {
        /// When it was held.
        at: Timestamp,
        /// The message.
        message_id: MessageId,
        /// The recipient.
        to: String,
        /// Why.
        reason: HoldReason,
        /// The earliest it may leave.
        until: Timestamp,
    },
    /// A text probably asked not to be texted: automated texts to the number wait until a
    /// person decides on a desktop (the conversation is the team's).
    Paused {
        /// When.
        at: Timestamp,
        /// The number.
        from: String,
    },
    /// A text the phone will not send: a reply refused, or a queued text withdrawn by the
    /// outbound policy.
    Refused {
        /// When.
        at: Timestamp,
        /// The recipient as given or E.164.
        to: String,
        /// Why.
        reason: RefusalReason,
    },
    /// The assistant drafted, handed off, or could not answer (its texts are `Sent` with
    /// kind `assistant`).
    Assistant {
        /// When.
        at: Timestamp,
        /// The caller.
        to: String,
        /// Where it stands now.
        status: crate::assistant::AssistantStatus,
        /// Why, in words for the team.
        reason: String,
        /// The draft it wrote (suggest mode).
        draft: Option<String>,
        /// The slot it booked, as offered ("Tue 2026-11-03 08:00").
        booked: Option<String>,
    },
    /// A text could not leave for a passing reason and waits to be sent again (when service
    /// returns, or at `next` at the latest).
    Retrying {
        /// When it failed.
        at: Timestamp,
        /// The message.
        message_id: MessageId,
        /// Why it could not leave.
        reason: Failure,
        /// When it is tried next, unless service returns before.
        next: Timestamp,
    },
    /// A text failed: the platform or the network could not send it, the outbound policy
    /// refused a person's reply, or a reply expired on its way.
    Failed {
        /// When.
        at: Timestamp,
        /// The message.
        message_id: MessageId,
        /// Why.
        reason: Failure,
    },
}
