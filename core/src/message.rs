//! Messages: direction, kind, the outbound status machine, and why a message did not go
//! ([`failure`]).

mod failure;

use serde::{Deserialize, Serialize};

pub use failure::{Failure, SendError};

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the caller to the business.
    Inbound,
    /// From the business to the caller.
    Outbound,
}

impl Direction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<Direction> {
        match name {
            "inbound" => Some(Direction::Inbound),
            "outbound" => Some(Direction::Outbound),
            _ => None,
        }
    }
}

/// What a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// The automatic text after a missed call.
    TextBack,
    /// Typed by a person on a desktop.
    Reply,
    /// Sent hours after a text-back when the caller stayed silent.
    FollowUp,
    /// The automatic answer to a keyword.
    Keyword,
    /// Confirms STOP.
    OptOutConfirmation,
    /// Confirms START.
    OptInConfirmation,
    /// Answers HELP.
    Help,
    /// A text the caller sent.
    Inbound,
    /// Typed by the owner in the phone's own messaging app (read from the SMS provider), so
    /// the desktop's thread is never half a conversation.
    FromPhone,
    /// Written and sent by the assistant (marked as such in the thread).
    Assistant,
}

impl MessageKind {
    const ALL: [MessageKind; 10] = [
        MessageKind::TextBack,
        MessageKind::Reply,
        MessageKind::FollowUp,
        MessageKind::Keyword,
        MessageKind::OptOutConfirmation,
        MessageKind::OptInConfirmation,
        MessageKind::Help,
        MessageKind::Inbound,
        MessageKind::FromPhone,
        MessageKind::Assistant,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::TextBack => "text_back",
            MessageKind::Reply => "reply",
            MessageKind::FollowUp => "follow_up",
            MessageKind::Keyword => "keyword",
            MessageKind::OptOutConfirmation => "opt_out_confirmation",
            MessageKind::OptInConfirmation => "opt_in_confirmation",
            MessageKind::Help => "help",
            MessageKind::Inbound => "inbound",
            MessageKind::FromPhone => "from_phone",
            MessageKind::Assistant => "assistant",
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Sent by the engine on its own (held back by the volume limit), as opposed to typed by a person.
    pub fn is_automated(self) -> bool {
        !matches!(
            self,
            MessageKind::Reply | MessageKind::Inbound | MessageKind::FromPhone
        )
    }
}

/// Where an outbound message stands. Inbound messages are `Received`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Waiting for its time (delay, follow-up, or the volume limit).
    Queued,
    /// Handed to the platform; no report yet.
    Sending,
    /// The platform reported every part sent.
    Sent,
    /// The network reported it delivered.
    Delivered,
    /// Not sent or not delivered; the reason is kept with it.
    Failed,
    /// Was being sent when the phone stopped; it may or may not have left, so it is shown to
    /// the owner and never re-sent on its own.
    Unconfirmed,
    /// Withdrawn before it left (the caller called back, opted out, or replied).
    Cancelled,
    /// A text that arrived.
    Received,
    /// The platform could not send any part of it for a passing reason (no service, radio
    /// off, the limit prompt, a generic failure); it is sent again while it is still
    /// timely. The reason is kept with it, and `left_at` says since when it has been tried.
    Retrying,
}

impl MessageStatus {
    const ALL: [MessageStatus; 9] = [
        MessageStatus::Queued,
        MessageStatus::Sending,
        MessageStatus::Sent,
        MessageStatus::Delivered,
        MessageStatus::Failed,
        MessageStatus::Unconfirmed,
        MessageStatus::Cancelled,
        MessageStatus::Received,
        MessageStatus::Retrying,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Queued => "queued",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Failed => "failed",
            MessageStatus::Unconfirmed => "unconfirmed",
            MessageStatus::Cancelled => "cancelled",
            MessageStatus::Received => "received",
            MessageStatus::Retrying => "retrying",
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<MessageStatus> {
        MessageStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether a report may move a message from `self` to `next`. Status only moves
    /// forward, so a late or repeated report never undoes a later one. The one loop,
    /// sending → retrying → sending, is taken only when no part of the text left: nothing
    /// that was sent, delivered or unconfirmed ever becomes retrying.
    pub fn may_become(self, next: MessageStatus) -> bool {
        use MessageStatus::*;
        matches!(
            (self, next),
            (Queued, Sending | Cancelled | Failed)
                | (Sending, Sent | Delivered | Failed | Unconfirmed | Retrying)
                | (Retrying, Sending | Sent | Delivered | Failed | Cancelled)
                | (Unconfirmed, Sent | Delivered | Failed)
                | (Sent, Delivered | Failed)
        )
    }
}
