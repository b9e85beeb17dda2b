//! Ringback's shared core: the domain types, settings, rules, templates and SMS encoding,
//! the SQLite store and the engine that runs on the owner's phone.
//!
//! - [`rules`] decides, purely, what an ended call or an inbound text deserves.
//! - [`store`] keeps calls, conversations, messages and settings in one SQLite file.
//! - [`engine`] runs the rules on platform events and acts through the [`ports`].

// The uniffi scaffolding for the core types the phone's Kotlin app sees (feature `uniffi`).
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub mod assistant;
pub mod attachment;
pub mod blobs;
pub mod call;
pub mod conversation;
pub mod engine;
#[cfg(feature = "test-hooks")]
pub mod fuzzing;
pub mod health;
pub mod message;
pub mod mms;
pub mod oplog;
pub mod opt_out;
pub mod outbound;
pub mod phone;
pub mod ports;
pub mod rules;
pub mod scenario;
pub mod secret;
pub mod server_address;
pub mod settings;
pub mod sms;
pub mod store;
pub mod sync;
pub mod template;
pub mod thumbnail;

pub use attachment::{Attachment, AttachmentState, BlobHash, NewAttachment};
pub use call::{CallDecision, CallOutcome, EndedCall, Line, SkipReason};
pub use engine::{
    Engine, EngineError, InboundMms, InboundSms, Outcome, OwnerSms, PlatformEvent, ReplyRequest,
};
pub use message::{Direction, Failure, MessageKind, MessageStatus};
pub use phone::{PhoneNumber, Region, Sender};
pub use ports::Ports;
pub use settings::{Config, Settings, SettingsError};
pub use store::{Store, StoreError};
