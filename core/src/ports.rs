//! The platform ports: everything the engine needs from the phone, as traits, and the
//! assistant's model ([`ChatModel`]). Android implements the phone's with jni, the
//! simulator and tests with the in-memory versions in [`memory`]; the model's real
//! implementation is the HTTP client in `assistant::endpoint`.

pub mod memory;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use crate::assistant::ChatMessage;
use crate::call::{EndedCall, Line};
pub use crate::message::SendError;
use crate::phone::PhoneNumber;
use crate::store::{ConversationId, MessageId};

/// A future the ports hand back; boxed so the traits stay object-safe.
pub type PortFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Time, replaceable: the engine never reads the system clock itself.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
    /// Completes once `now() >= at`.
    fn sleep_until(&self, at: Timestamp) -> PortFuture<'_>;
}

/// A text for the platform to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendRequest {
    /// The id the platform's sent and delivered reports carry back.
    pub message_id: MessageId,
    /// The line (SIM) to send on; empty for the default.
    pub line: Line,
    /// The recipient, E.164.
    pub to: String,
    /// The text.
    pub body: String,
}

/// A part of a picture message to send: the bytes, read from the phone's blob store.
#[derive(Clone, PartialEq, Eq)]
pub struct MmsPart {
    /// The MIME type (`image/jpeg`).
    pub content_type: String,
    /// The file name to give the part, when there is one.
    pub name: Option<String>,
    /// The bytes (already resized to the carrier's size by the desktop that attached it).
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for MmsPart {
    /// Without the bytes: a request may be logged.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MmsPart")
            .field("content_type", &self.content_type)
            .field("name", &self.name)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// A picture message for the platform to send (an m-send-req it composes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MmsRequest {
    /// The id the platform's sent report (`PlatformEvent::SmsSent`) carries back.
    pub message_id: MessageId,
    /// The line (SIM) to send on; empty for the default.
    pub line: Line,
    /// The recipient, E.164.
    pub to: String,
    /// The text part (may be empty).
    pub text: String,
    /// The attachments, in order.
    pub attachments: Vec<MmsPart>,
}

/// Sends texts from the owner's own number.
pub trait Telephony: Send + Sync {
    /// Hands a text to the platform. The result of the actual send arrives later as an
    /// engine event; an error here means it never left.
    fn send(&self, request: &SendRequest) -> Result<(), SendError>;

    /// Hands a picture message to the platform; like [`Telephony::send`], the result
    /// arrives later as `PlatformEvent::SmsSent` for `request.message_id`. A platform that
    /// cannot send picture messages refuses it here, in words.
    fn send_mms(&self, request: &MmsRequest) -> Result<(), SendError> {
        let _ = request;
        Err(SendError::Other(
            "this phone cannot send picture messages yet; send the text without the photo".into(),
        ))
    }
}

/// A port that could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PortError(pub String);

/// The phone's call log, the truth about calls.
pub trait CallLog: Send + Sync {
    /// Entries with an id above `after` (all when `None`), in id order.
    fn entries_since(&self, after: Option<i64>) -> Result<Vec<EndedCall>, PortError>;
}

/// The phone's contacts.
pub trait Contacts: Send + Sync {
    /// The contact's display name for a number.
    fn lookup(&self, number: &PhoneNumber) -> Result<Option<String>, PortError>;
}

/// The platform services the engine acts through.
#[derive(Clone)]
pub struct Ports {
    /// Sends texts.
    pub telephony: Arc<dyn Telephony>,
    /// Reads the call log.
    pub call_log: Arc<dyn CallLog>,
    /// Looks up contacts.
    pub contacts: Arc<dyn Contacts>,
    /// Tells the time.
    pub clock: Arc<dyn Clock>,
}

/// A future the chat model hands back: the model's message content, or why there is none
/// in a sentence for the team. Owned (`'static`), so the engine service can run it on a
/// task of its own.
pub type ChatAnswer = Pin<Box<dyn Future<Output = Result<String, String>> + Send>>;

/// The assistant's model: asked one question (a job), answers it or says why not. The
/// HTTP client (`assistant::endpoint::HttpChatModel`) is the real one; the in-memory
/// [`memory::ScriptedModel`] answers from a script. The engine service bounds every answer
/// by the job's timeout.
pub trait ChatModel: Send + Sync {
    /// Asks the model the job's question.
    fn ask(&self, job: &AssistantJob) -> ChatAnswer;
}

/// One question for the model.
#[derive(Clone, PartialEq, Eq)]
pub struct AssistantJob {
    /// Names the job when its answer comes back.
    pub id: u64,
    /// The conversation it answers.
    pub conversation: ConversationId,
    /// The chat-completions messages.
    pub messages: Vec<ChatMessage>,
    /// The answer's JSON schema (the offered slots included), for endpoints that take one.
    pub schema: serde_json::Value,
    /// The endpoint's base URL.
    pub base_url: String,
    /// The model.
    pub model: String,
    /// The API key (never logged).
    pub api_key: String,
    /// How long the answer may take.
    pub timeout: Duration,
}

impl std::fmt::Debug for AssistantJob {
    /// Without the key and the thread: a job may be logged.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssistantJob")
            .field("id", &self.id)
            .field("conversation", &self.conversation)
            .field("messages", &self.messages.len())
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field(
                "api_key",
                &if self.api_key.is_empty() { "" } else { "(set)" },
            )
            .field("timeout", &self.timeout)
            .finish()
    }
}
