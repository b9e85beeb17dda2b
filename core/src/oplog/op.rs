//! Ops: what one device's committed transaction changed, in a form every other device can
//! apply. The phone's ops carry rows with the phone's own ids (calls, messages and
//! conversations exist only where the phone created them); a desktop's ops are intents:
//! last-writer-wins fields, settings, replies to send, unpairing.

use serde::{Deserialize, Serialize};

use super::hlc::Hlc;
use crate::assistant::{AssistantState, LeadFields};
use crate::attachment::Attachment;
use crate::call::{DecisionName, SkipReason};
use crate::conversation::LeadStatus;
use crate::message::Failure;
use crate::opt_out::ReviewState;
use crate::secret::{KeyChange, KeyState};

/// One op: a device's transaction, named everywhere by `(origin, seq)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Op {
    /// The device that made it.
    pub origin: String,
    /// Its place in that device's log, from 1 without gaps.
    pub seq: u64,
    /// When it was made, on the hybrid logical clock: orders last-writer-wins fields.
    pub hlc: Hlc,
    /// What it changed.
    pub changes: Vec<Change>,
}

/// A conversation field that any device may set; the latest write (by clock) wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Inbound messages with a larger id are unread.
    ReadUpTo(i64),
    /// Where the lead stands.
    LeadStatus(LeadStatus),
    /// Hidden from the inbox.
    Archived(bool),
    /// The team's note.
    Note(String),
    /// What the assistant learned about the job (the lead card).
    Lead(LeadFields),
    /// The assistant's draft for the composer; empty when there is none.
    Draft(String),
    /// Whether the assistant is taking part, and why not.
    Assistant(AssistantState),
}

impl Field {
    /// The field's name, part of its last-writer-wins key.
    pub fn name(&self) -> &'static str {
        match self {
            Field::ReadUpTo(_) => "read_up_to",
            Field::LeadStatus(_) => "lead_status",
            Field::Archived(_) => "archived",
            Field::Note(_) => "note",
            Field::Lead(_) => "lead",
            Field::Draft(_) => "draft",
            Field::Assistant(_) => "assistant",
        }
    }
}

/// Which kind of device a peer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The business mobile: runs the engine, the authority for calls and texts.
    Phone,
    /// A replica that shows the inbox and writes intents.
    Desktop,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Phone => "phone",
            Role::Desktop => "desktop",
        }
    }
}

/// One change within an op. Instants are UTC milliseconds. Externally tagged
/// (`{"message": {…}}`): a catch-up decodes a hundred thousand of these, and an internal
/// tag would make serde buffer each one before reading it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// A conversation exists and was active at `at` (phone only).
    Conversation {
        /// Its id on the phone.
        id: i64,
        /// The line (SIM).
        line: String,
        /// The other party.
        number: String,
        /// Activity time; the latest wins.
        at: i64,
    },
    /// A call was recorded (phone only).
    Call {
        /// Its id on the phone.
        id: i64,
        /// The platform's call-log id.
        log_id: i64,
        /// Its conversation, when the caller has a number.
        conversation: Option<i64>,
        /// The caller as given.
        caller: String,
        /// The caller in E.164.
        number: Option<String>,
        /// The line.
        line: String,
        /// How the call ended.
        outcome: String,
        /// When.
        ended_at: i64,
        /// `text_back` or `skipped`; none for a call that needs no decision.
        decision: Option<DecisionName>,
        /// Why it was skipped.
        skip_reason: Option<SkipReason>,
    },
    /// A call's text-back (phone only).
    CallLinked {
        /// The call.
        call: i64,
        /// The message.
        message: i64,
    },
    /// The call whose text-back this was is now skipped (phone only).
    CallSkipped {
        /// The text-back.
        message: i64,
        /// Why.
        reason: SkipReason,
    },
    /// A message was created (phone only).
    Message {
        /// Its id on the phone.
        id: i64,
        /// Its conversation.
        conversation: i64,
        /// `inbound` or `outbound`.
        direction: String,
        /// What it is for.
        kind: String,
        /// The text.
        body: String,
        /// Its first status.
        status: String,
        /// Why it failed, if it was born failed, in words.
        failure: Option<String>,
        /// Why it failed, as a kind. Absent from ops of earlier versions, which said it in
        /// words only, and from messages that did not fail.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        failure_kind: Option<Failure>,
        /// When.
        created_at: i64,
        /// When due, if queued.
        due_at: Option<i64>,
        /// When it left.
        left_at: Option<i64>,
        /// The platform's id or the desktop request it answers.
        source_id: Option<String>,
    },
    /// A message's attachments, whole (phone only): recorded with an inbound picture
    /// message or a reply that carried a photo, and again when a picture message the
    /// default app had not downloaded is completed (then with its text). Metadata only: the
    /// bytes travel by hash over the blob protocol, when a desktop asks for them.
    Attachments {
        /// The message.
        message: i64,
        /// The message's text, when completing changed it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
        /// The other recipients of a group message (empty for one-to-one).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        others: Vec<String>,
        /// The attachments, in order.
        attachments: Vec<Attachment>,
    },
    /// The attachments of a desktop's reply request, in the same op as its
    /// [`Change::Reply`]: the phone fetches each from that desktop by hash before sending
    /// the reply as a picture message.
    ReplyAttachments {
        /// The request's id.
        request: String,
        /// The attachments, in order (downloaded, with hashes).
        attachments: Vec<Attachment>,
    },
    /// A message's status moved on (phone only; only ever forward).
    Status {
        /// The message.
        id: i64,
        /// The new status.
        status: String,
        /// Why, for failures and cancellations, in words.
        failure: Option<String>,
        /// Why, as a kind (absent from ops of earlier versions, and when there is no why).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        failure_kind: Option<Failure>,
        /// When it left.
        left_at: Option<i64>,
    },
    /// A number texted STOP (phone only).
    OptOut {
        /// E.164.
        number: String,
        /// Since when.
        at: i64,
    },
    /// A number texted START (phone only).
    OptIn {
        /// E.164.
        number: String,
    },
    /// Where the review of a likely opt-out stands for a number; last writer wins. The
    /// phone pauses and settles; a desktop may only decide (resume, or opt out).
    OptOutReview {
        /// E.164.
        number: String,
        /// The new state.
        state: ReviewState,
        /// When it was set.
        at: i64,
    },
    /// A contact's name; empty removes it (phone only).
    Contact {
        /// E.164.
        number: String,
        /// The name.
        name: String,
        /// When it changed.
        at: i64,
    },
    /// A conversation field (any device; last writer wins).
    Field {
        /// The conversation.
        conversation: i64,
        /// The field and its value.
        field: Field,
    },
    /// The whole settings document (any device; last writer wins; checked on apply).
    Settings {
        /// The document.
        document: serde_json::Value,
    },
    /// A desktop asks the phone to send a reply.
    Reply {
        /// The request's id: the phone sends each request once.
        request: String,
        /// The conversation answered, if any.
        conversation: Option<i64>,
        /// The recipient, when not a conversation's.
        to: Option<String>,
        /// The line, when not the conversation's.
        line: Option<String>,
        /// The text.
        body: String,
        /// When it was written (the expiry counts from here).
        requested_at: i64,
    },
    /// A queued message waits, and why (phone only). A reply held by its desktop's budget
    /// is due again at `until`.
    Held {
        /// The message.
        id: i64,
        /// Why (`volume_limit`, `reply_budget`).
        reason: String,
        /// The earliest it may leave.
        until: i64,
    },
    /// The phone will not send a reply request that names no conversation it has (phone
    /// only); one that does fails as a message in that conversation instead.
    RequestRefused {
        /// The desktop that wrote it.
        origin: String,
        /// Its id there.
        request: String,
        /// Why (a refusal reason's name).
        reason: String,
    },
    /// An appointment was booked (phone only).
    Appointment {
        /// Its id on the phone.
        id: i64,
        /// The conversation it was booked in.
        conversation: i64,
        /// When it starts.
        start: i64,
        /// When it ends.
        end: i64,
        /// The lead card at booking time.
        summary: String,
        /// When it was booked.
        created_at: i64,
    },
    /// A desktop hands the phone the assistant's API key, or takes it away: write-only.
    /// The phone keeps the key in its secret store and relays this with the key blanked;
    /// it answers with [`Change::AssistantKeyState`].
    AssistantKey {
        /// The key to keep, or its removal (blanked in every stored and relayed copy).
        key: KeyChange,
        /// The server (`scheme://host:port`) the key was typed for: the phone refuses it
        /// when its assistant uses another.
        server: String,
    },
    /// What the phone keeps for the assistant's key: a mask and when, never the key (phone
    /// only; last writer wins).
    AssistantKeyState {
        /// Set, removed or refused, with the mask, the server and why.
        state: KeyState,
    },
    /// A device was paired (phone only) or unpaired (any device); last writer wins.
    Peer {
        /// Its endpoint id.
        endpoint: String,
        /// Its op-log origin.
        origin: String,
        /// What it is.
        role: Role,
        /// Its name, for lists.
        name: String,
        /// Paired or revoked.
        paired: bool,
    },
}

impl Change {
    /// Whether a desktop may make this change (everything else is the phone's alone).
    pub fn desktop_may_make(&self) -> bool {
        matches!(
            self,
            Change::Field { .. }
                | Change::Settings { .. }
                | Change::Reply { .. }
                | Change::ReplyAttachments { .. }
                | Change::AssistantKey { .. }
                | Change::Peer { paired: false, .. }
        ) || matches!(self, Change::OptOutReview { state, .. } if state.is_decision())
    }
}
