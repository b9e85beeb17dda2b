//! The engine's ports on Android, through jni. PLACEHOLDER: the public items below are the
//! interface the bridge runtime (`crate::api`) uses; the jni implementation replaces the
//! bodies.

use std::sync::Arc;

use ringback_core::call::EndedCall;
use ringback_core::phone::PhoneNumber;
use ringback_core::ports::{CallLog, Contacts, PortError, SendError, SendRequest, Telephony};

/// The PendingIntent action of "sent" reports; extras `message_id` (long), `part`, `parts` (int).
pub const ACTION_SMS_SENT: &str = "app.ringback.SMS_SENT";
/// The PendingIntent action of delivery reports; same extras as [`ACTION_SMS_SENT`].
pub const ACTION_SMS_DELIVERED: &str = "app.ringback.SMS_DELIVERED";

/// A SIM the phone has (`SubscriptionManager`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimLine {
    /// `SubscriptionInfo.getSubscriptionId()`; the engine's line name is its decimal text.
    pub subscription_id: i32,
    /// `getSimSlotIndex()`, 0-based.
    pub slot: i32,
    /// `getDisplayName()`.
    pub display_name: String,
}

/// Which box of the SMS provider a row is in (`Telephony.TextBasedSmsColumns.TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderBox {
    /// `MESSAGE_TYPE_INBOX` (1): received.
    Inbox,
    /// `MESSAGE_TYPE_SENT` (2): sent by the owner (any app, this one included).
    Sent,
    /// Drafts, outbox, failed, queued: not a text that was exchanged.
    Other,
}

/// A row of `content://sms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSms {
    /// `_id`.
    pub id: i64,
    /// `address`: the other party.
    pub address: String,
    /// `body`.
    pub body: String,
    /// `type`.
    pub kind: ProviderBox,
    /// `date`, UTC milliseconds (when the phone received or sent it).
    pub date_ms: i64,
    /// `date_sent`, UTC milliseconds (the sender's timestamp; 0 when unknown).
    pub date_sent_ms: i64,
    /// `sub_id`, when the provider has it.
    pub subscription_id: Option<i32>,
}

/// The Android framework, reached through jni.
#[derive(Debug)]
pub struct AndroidPlatform {
    _private: (),
}

impl AndroidPlatform {
    /// The platform set up by the app's JNI init, if it ran.
    pub fn global() -> Option<Arc<AndroidPlatform>> {
        None
    }

    /// The SIMs in the phone.
    pub fn lines(&self) -> Result<Vec<SimLine>, PortError> {
        Err(PortError("not implemented".into()))
    }

    /// Rows of the SMS provider with `_id` above `after` (all when `None`), in id order.
    pub fn sms_since(&self, _after: Option<i64>) -> Result<Vec<ProviderSms>, PortError> {
        Err(PortError("not implemented".into()))
    }

    /// The highest `_id` of the SMS provider (where to start watching on first start).
    pub fn sms_last_id(&self) -> Result<Option<i64>, PortError> {
        Err(PortError("not implemented".into()))
    }
}

impl Telephony for AndroidPlatform {
    fn send(&self, _request: &SendRequest) -> Result<(), SendError> {
        Err(SendError::Other("not implemented".into()))
    }
}

impl CallLog for AndroidPlatform {
    fn entries_since(&self, _after: Option<i64>) -> Result<Vec<EndedCall>, PortError> {
        Err(PortError("not implemented".into()))
    }
}

impl Contacts for AndroidPlatform {
    fn lookup(&self, _number: &PhoneNumber) -> Result<Option<String>, PortError> {
        Err(PortError("not implemented".into()))
    }
}
