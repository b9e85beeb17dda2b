//! The engine's ports on Android, through jni against the Android framework.
//!
//! The app calls `NativeInit.init(applicationContext)` once ([`Java_app_ringback_NativeInit_init`]),
//! which stores the `JavaVM` and a global reference to the application context
//! ([`init`]); [`AndroidPlatform::global`] then hands the platform to the runtime. Every port
//! call attaches the calling thread to the VM (any thread works) and runs a few framework
//! calls, each cited with the API level it needs next to it (the app's minSdk is 26).
//!
//! Failure rules, everywhere: a Java exception is described (class and message), cleared and
//! returned as a typed error; nothing unwraps, panics or aborts; a cursor is closed on every
//! path. Privacy: numbers and bodies are never logged above debug, and then masked.
//!
//! - `java`: one JNI call at a time, exceptions caught;
//! - `cursor`: `ContentResolver.query` and the `Cursor` walk;
//! - `send`: `SmsManager`; `call_log`, `contacts`, `sms_provider`, `subscriptions`: the
//!   providers and the SIMs.

mod call_log;
mod contacts;
mod cursor;
mod java;
mod mms_provider;
mod send;
mod send_mms;
mod sms_provider;
mod subscriptions;

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, OnceLock};

use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JClass, JObject};
use jni::refs::Global;
use jni::strings::JNIString;
use jni::{Env, EnvUnowned, JavaVM, jni_sig, jni_str};
use ringback_core::call::{EndedCall, Line};
use ringback_core::phone::PhoneNumber;
use ringback_core::ports::{
    CallLog, Contacts, MmsRequest, PortError, SendError, SendRequest, Telephony,
};

use self::java::JavaFailure;
use self::send::SendFailure;
use self::subscriptions::Subscription;

/// The report `PendingIntent` actions, named once in [`crate::report`].
pub use crate::report::{ACTION_SMS_DELIVERED, ACTION_SMS_SENT};

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

/// An address of a picture message (`content://mms/ID/addr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MmsAddress {
    /// `address`, as the provider has it (a number, or `insert-address-token` for the
    /// owner's own on a message sent).
    pub address: String,
    /// `type`, as PduHeaders numbers it: 137 from, 151 to, 130 cc, 129 bcc.
    pub kind: i32,
}

/// A part of a picture message (`content://mms/ID/part`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderMmsPart {
    /// `_id`: its bytes are `content://mms/part/ID`.
    pub id: i64,
    /// `ct`, lower-cased (`image/jpeg`, `text/plain`, `application/smil`).
    pub content_type: String,
    /// `name`, else `fn`, else `cl`.
    pub name: Option<String>,
    /// `chset`, the IANA MIBenum of a text part's charset.
    pub charset: Option<i32>,
    /// `text`, for text parts (the provider keeps their text in the row).
    pub text: Option<String>,
    /// The bytes, for a part [`ProviderMmsPart::wants_bytes`] says is an attachment.
    pub data: Option<Vec<u8>>,
    /// The part was larger than Ringback keeps, and was not read.
    pub too_large: bool,
}

impl ProviderMmsPart {
    /// Whether the part is an attachment Ringback keeps: an image, a video, a sound or a
    /// contact card (text goes into the message's text; SMIL only lays the parts out).
    pub fn wants_bytes(&self) -> bool {
        let media = self.content_type.as_str();
        media.starts_with("image/")
            || media.starts_with("video/")
            || media.starts_with("audio/")
            || matches!(media, "text/x-vcard" | "text/vcard" | "text/directory")
    }
}

/// A row of `content://mms`, with its addresses and parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderMms {
    /// `_id`.
    pub id: i64,
    /// `msg_box`: inbox (received), sent, or other (drafts, outbox, failed).
    pub kind: ProviderBox,
    /// `m_type`: 130 m-notification-ind (not downloaded yet), 132 m-retrieve-conf
    /// (downloaded), 128 m-send-req (sent).
    pub message_type: i32,
    /// `date` (the provider keeps seconds), in UTC milliseconds.
    pub date_ms: i64,
    /// `sub_id`, when the provider has it.
    pub subscription_id: Option<i32>,
    /// `ct_l`: where the message waits on the carrier's server; the same on the
    /// notification and on the message downloaded for it.
    pub content_location: Option<String>,
    /// `tr_id`.
    pub transaction_id: Option<String>,
    /// `m_size`: the size the notification announced.
    pub size: u64,
    /// Its addresses.
    pub addresses: Vec<MmsAddress>,
    /// Its parts, in order (none while not downloaded).
    pub parts: Vec<ProviderMmsPart>,
}

/// Why [`init`] could not set the platform up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InitError {
    /// The context passed was null.
    #[error("NativeInit.init was given no context (null); pass the application context")]
    NoContext,
    /// A JNI call failed while keeping the context.
    #[error("Ringback could not keep the application context: {0}")]
    Java(String),
}

/// The Android framework, reached through jni.
pub struct AndroidPlatform {
    vm: JavaVM,
    /// The application context (never an Activity), held for the process's life.
    context: Global<JObject<'static>>,
}

impl fmt::Debug for AndroidPlatform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AndroidPlatform").finish_non_exhaustive()
    }
}

static PLATFORM: OnceLock<Arc<AndroidPlatform>> = OnceLock::new();

/// Sets the platform up from the app's context: stores the `JavaVM` and a global reference
/// to `context.getApplicationContext()` (API 1; `context` itself when that is null). Only the
/// first successful call does anything; later calls return the same platform. A null
/// `context` is always refused.
pub fn init(env: &mut Env<'_>, context: &JObject<'_>) -> Result<Arc<AndroidPlatform>, InitError> {
    if context.is_null() {
        return Err(InitError::NoContext);
    }
    if let Some(platform) = PLATFORM.get() {
        return Ok(Arc::clone(platform));
    }
    let platform = AndroidPlatform::for_context(env, context)?;
    java::keep_class_loader(env, platform.context.as_obj())
        .map_err(|failure| InitError::Java(failure.to_string()))?;
    let platform = Arc::new(platform);
    Ok(Arc::clone(PLATFORM.get_or_init(|| platform)))
}

impl AndroidPlatform {
    /// A platform on `context`'s application context, not the process's global one: for
    /// tests that get a fresh application per test (Robolectric). The app uses [`init`].
    pub fn for_context(env: &mut Env<'_>, context: &JObject<'_>) -> Result<Self, InitError> {
        if context.is_null() {
            return Err(InitError::NoContext);
        }
        let failed = |failure: JavaFailure| InitError::Java(failure.to_string());
        let vm = env.get_java_vm();
        let vm = java::caught(env, vm).map_err(failed)?;
        let application = java::call_object(
            env,
            context,
            jni_str!("getApplicationContext"),
            &jni_sig!(() -> android.content.Context),
            &[],
        )
        .map_err(failed)?;
        let global = if application.is_null() {
            env.new_global_ref(context)
        } else {
            env.new_global_ref(&application)
        };
        let context = java::caught(env, global).map_err(failed)?;
        Ok(AndroidPlatform { vm, context })
    }
}

/// `app.ringback.NativeInit.init(Context)`: runs [`init`] and, on Android, hands the VM and
/// the context to iroh for its DNS configuration. Never unwinds into the JVM: a failure is
/// thrown to Kotlin as an `IllegalStateException`, and a panic (caught by
/// [`EnvUnowned::with_env`], which wraps the body in `std::panic::catch_unwind`) as a
/// `RuntimeException`.
#[allow(unsafe_code)]
// SAFETY: `no_mangle` exports this function under its JNI name so that the JVM binds
// `NativeInit.init` to it; the name is unique in the library and the signature is the one JNI
// uses for a static native method taking one object, `(Landroid/content/Context;)V`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_app_ringback_NativeInit_init<'caller>(
    mut unowned_env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    context: JObject<'caller>,
) {
    unowned_env
        .with_env(|env| -> jni::errors::Result<()> {
            // The process's first native call: from here on the logs reach logcat.
            crate::logging::install();
            match init(env, &context) {
                Ok(platform) => {
                    #[cfg(target_os = "android")]
                    install_iroh_context(env, &platform);
                    let _ = platform;
                }
                Err(error) => {
                    tracing::error!("NativeInit.init failed: {error}");
                    // Leaves the exception pending for Kotlin; the `Err` it returns only says so.
                    let _ = env.throw_new(
                        jni_str!("java/lang/IllegalStateException"),
                        JNIString::new(error.to_string()),
                    );
                }
            }
            Ok(())
        })
        .resolve::<ThrowRuntimeExAndDefault>()
}

/// iroh reads Android's DNS servers through JNI: it needs the VM and a context for the whole
/// process, so a global reference is made once and deliberately leaked for it.
#[cfg(target_os = "android")]
#[allow(unsafe_code)]
fn install_iroh_context(env: &mut Env<'_>, platform: &AndroidPlatform) {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let global = env.new_global_ref(platform.context.as_obj());
        let context = match java::caught(env, global) {
            Ok(global) => global.into_raw(),
            Err(failure) => {
                tracing::warn!("iroh gets no Android context, DNS falls back: {failure}");
                return;
            }
        };
        let vm = platform.vm.get_raw();
        // SAFETY: `vm` is the process's JavaVM, valid until the process exits; `context` is a
        // global reference leaked by `into_raw` (never deleted), so it stays valid as long.
        // Both outliving the process is what `install_android_jni_context` requires.
        unsafe { iroh::dns::install_android_jni_context(vm.cast(), context.cast()) };
    });
}

impl AndroidPlatform {
    /// The platform set up by the app's JNI init, if it ran.
    pub fn global() -> Option<Arc<AndroidPlatform>> {
        PLATFORM.get().cloned()
    }

    /// Runs `f` on this thread, attached to the VM (permanently; cheap when it already is),
    /// with the application context, inside a local reference frame. A panic inside is
    /// caught and reported as a failure.
    fn java<T, E>(&self, f: impl FnOnce(&mut Env<'_>, &JObject<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<jni::errors::Error> + From<JavaFailure>,
    {
        let context = self.context.as_obj();
        catch_unwind(AssertUnwindSafe(|| {
            self.vm.attach_current_thread(|env| f(env, context))
        }))
        .unwrap_or_else(|_| {
            Err(E::from(JavaFailure::Jni(
                "a panic inside a JNI call was caught".to_owned(),
            )))
        })
    }

    /// The SIMs in the phone (needs READ_PHONE_STATE).
    pub fn lines(&self) -> Result<Vec<SimLine>, PortError> {
        Ok(self
            .subscriptions()?
            .into_iter()
            .map(|subscription| subscription.line)
            .collect())
    }

    fn subscriptions(&self) -> Result<Vec<Subscription>, PortError> {
        self.java(subscriptions::active).map_err(|failure| {
            port_error(
                &failure,
                "read the phone's SIMs",
                "Phone",
                "READ_PHONE_STATE",
            )
        })
    }

    /// Rows of the SMS provider with `_id` above `after` (all when `None`), in id order.
    pub fn sms_since(&self, after: Option<i64>) -> Result<Vec<ProviderSms>, PortError> {
        match self.java(|env, context| sms_provider::rows_since(env, context, after)) {
            Ok(Some(rows)) => Ok(rows),
            Ok(None) => Err(no_provider("texts", "content://sms")),
            Err(failure) => Err(port_error(&failure, "read texts", "SMS", "READ_SMS")),
        }
    }

    /// The highest `_id` of the SMS provider (where to start watching on first start).
    pub fn sms_last_id(&self) -> Result<Option<i64>, PortError> {
        match self.java(sms_provider::last_id) {
            Ok(Some(id)) => Ok(id),
            Ok(None) => Err(no_provider("texts", "content://sms")),
            Err(failure) => Err(port_error(&failure, "read texts", "SMS", "READ_SMS")),
        }
    }

    /// Picture messages with `_id` above `after` (all when `None`), in id order, at most
    /// 100 a read, with their addresses and parts (attachments' bytes up to
    /// `max_part_bytes` each).
    pub fn mms_since(
        &self,
        after: Option<i64>,
        max_part_bytes: u64,
    ) -> Result<Vec<ProviderMms>, PortError> {
        match self
            .java(|env, context| mms_provider::rows_since(env, context, after, max_part_bytes))
        {
            Ok(Some(rows)) => Ok(rows),
            Ok(None) => Err(no_provider("picture messages", "content://mms")),
            Err(failure) => Err(port_error(
                &failure,
                "read picture messages",
                "SMS",
                "READ_SMS",
            )),
        }
    }

    /// One picture message by `_id`, or `None` when the provider no longer has it.
    pub fn mms_row(&self, id: i64, max_part_bytes: u64) -> Result<Option<ProviderMms>, PortError> {
        self.java(|env, context| mms_provider::row(env, context, id, max_part_bytes))
            .map_err(|failure| port_error(&failure, "read picture messages", "SMS", "READ_SMS"))
    }

    /// The highest `_id` of the MMS provider (where to start watching on first start).
    pub fn mms_last_id(&self) -> Result<Option<i64>, PortError> {
        match self.java(mms_provider::last_id) {
            Ok(Some(id)) => Ok(id),
            Ok(None) => Err(no_provider("picture messages", "content://mms")),
            Err(failure) => Err(port_error(
                &failure,
                "read picture messages",
                "SMS",
                "READ_SMS",
            )),
        }
    }

    /// The subscription a line names: `None` for the default SIM (an empty line). A line is
    /// the subscription id in decimal (or an ICCID from the call log); when the SIM list can
    /// be read, it must name an active SIM.
    fn subscription_for(&self, line: &Line) -> Result<Option<i32>, SendError> {
        let Some(name) = line.name() else {
            return Ok(None);
        };
        match self.subscriptions() {
            Ok(active) => subscriptions::subscription_for_line(name, &active)
                .map(Some)
                .ok_or(SendError::NoSuchLine),
            Err(error) => {
                tracing::debug!("the SIM list is unreadable ({error}); sending on line {name}");
                name.trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|id| *id >= 0)
                    .map(Some)
                    .ok_or(SendError::NoSuchLine)
            }
        }
    }
}

/// A port failure in words: a missing permission names the Android setting.
fn port_error(failure: &JavaFailure, what: &str, setting: &str, permission: &str) -> PortError {
    if failure.is_security() {
        PortError(format!(
            "Ringback may not {what}: allow “{setting}” for Ringback in Android settings ({permission})"
        ))
    } else {
        PortError(format!("Ringback could not {what}: {failure}"))
    }
}

fn no_provider(what: &str, uri: &str) -> PortError {
    PortError(format!(
        "this phone has no provider for {what} ({uri} answered nothing), so Ringback cannot read them"
    ))
}

impl Telephony for AndroidPlatform {
    fn send(&self, request: &SendRequest) -> Result<(), SendError> {
        let subscription = self.subscription_for(&request.line)?;
        let sent = self.java(|env, context| send::send(env, context, subscription, request));
        match sent {
            Ok(parts) => {
                tracing::debug!(
                    "text {} handed to Android in {parts} part(s) on {}",
                    request.message_id.0,
                    subscription.map_or("the default SIM".to_owned(), |id| format!("SIM {id}"))
                );
                Ok(())
            }
            Err(SendFailure::NoSuchLine(failure)) => {
                tracing::debug!("no SmsManager for line {:?}: {failure}", request.line.0);
                Err(SendError::NoSuchLine)
            }
            Err(SendFailure::TooLong(parts)) => Err(SendError::Other(format!(
                "the text is too long: it needs {parts} parts and a text can have at most {}",
                send::MAX_PARTS
            ))),
            Err(SendFailure::Java(failure)) if failure.is_security() => Err(SendError::Other(
                "Ringback may not send texts: allow the SMS permission in Android settings"
                    .to_owned(),
            )),
            Err(SendFailure::Java(failure)) if failure.is_illegal_argument() => Err(
                SendError::Other(format!("Android refused the text ({failure})")),
            ),
            Err(SendFailure::Java(failure)) => Err(SendError::Other(failure.to_string())),
        }
    }

    fn send_mms(&self, request: &MmsRequest) -> Result<(), SendError> {
        let pdu = crate::mms::compose(request).map_err(|e| SendError::Other(e.to_string()))?;
        let subscription = self.subscription_for(&request.line)?;
        let message_id = request.message_id.0;
        let sent = self.java(|env, context| -> Result<(), SendFailure> {
            let folder = send_mms::out_folder(env, context)?;
            crate::mms::write_pdu(&folder, &send_mms::pdu_file_name(message_id), &pdu)
                .map_err(|e| SendFailure::Java(JavaFailure::Jni(e)))?;
            send_mms::send(env, context, subscription, message_id)
        });
        match sent {
            Ok(()) => {
                tracing::debug!(
                    "picture message {message_id} ({} bytes) handed to Android",
                    pdu.len()
                );
                Ok(())
            }
            Err(SendFailure::NoSuchLine(failure)) => {
                tracing::debug!("no SmsManager for line {:?}: {failure}", request.line.0);
                Err(SendError::NoSuchLine)
            }
            Err(SendFailure::TooLong(_)) => Err(SendError::Other(
                "the picture message is too large to send".to_owned(),
            )),
            Err(SendFailure::Java(failure)) if failure.is_security() => Err(SendError::Other(
                "Ringback may not send picture messages: allow the SMS permission in Android settings"
                    .to_owned(),
            )),
            Err(SendFailure::Java(failure)) => Err(SendError::Other(format!(
                "Android could not send the picture message ({failure})"
            ))),
        }
    }
}

impl CallLog for AndroidPlatform {
    fn entries_since(&self, after: Option<i64>) -> Result<Vec<EndedCall>, PortError> {
        let rows = match self.java(|env, context| call_log::rows_since(env, context, after)) {
            Ok(Some(rows)) => rows,
            Ok(None) => return Err(no_provider("the call log", "content://call_log/calls")),
            Err(failure) => {
                return Err(port_error(
                    &failure,
                    "read the call log",
                    "Call logs",
                    "READ_CALL_LOG",
                ));
            }
        };
        let active = if call_log::needs_subscriptions(&rows) {
            self.subscriptions().unwrap_or_else(|error| {
                tracing::debug!("call log lines stay as Android wrote them: {error}");
                Vec::new()
            })
        } else {
            Vec::new()
        };
        Ok(rows
            .iter()
            .filter_map(|row| call_log::ended_call(row, &active))
            .collect())
    }
}

impl Contacts for AndroidPlatform {
    fn lookup(&self, number: &PhoneNumber) -> Result<Option<String>, PortError> {
        match self.java(|env, context| contacts::display_name(env, context, number.as_str())) {
            Ok(Some(name)) => Ok(name.filter(|name| !name.trim().is_empty())),
            Ok(None) => Err(no_provider("contacts", "content://com.android.contacts")),
            Err(failure) if failure.is_security() => {
                tracing::debug!(
                    "no contacts permission; {} stays unnamed: {failure}",
                    number.masked()
                );
                Ok(None)
            }
            Err(failure) => Err(port_error(
                &failure,
                "read contacts",
                "Contacts",
                "READ_CONTACTS",
            )),
        }
    }
}
