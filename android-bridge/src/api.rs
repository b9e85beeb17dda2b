//! The uniffi API the Kotlin app calls (package `app.ringback.bridge`).
//!
//! One [`Bridge`] per process, started by the foreground service (or by a receiver that
//! woke the process), after `NativeInit.init(context)` has handed the JavaVM and the
//! application context to [`crate::platform::android`]. Every entry point returns quickly
//! except [`Bridge::pair`], which waits for the desktop: call it off the main thread.
//! Nothing here panics on what a broadcast or a user can send; errors are a small typed set
//! whose message is a sentence to show.

use std::sync::Arc;

use ringback_core::Settings;
use ringback_core::sync::net::NetworkMode;

use crate::platform::android::AndroidPlatform;
use crate::runtime::{
    CallState, DesktopView, MissedCallView, PhonePlatform, Runtime, RuntimeConfig, RuntimeError,
    StatusView,
};

/// What went wrong, for the app to show (`e.message` is a sentence that says what to do).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum BridgeError {
    /// `NativeInit.init(context)` did not run before `Bridge.start`.
    #[error("Ringback's Android connection is not set up; restart the app")]
    NotInitialized,
    /// The data folder could not be used.
    #[error("{0}")]
    DataFolder(String),
    /// The network could not be started.
    #[error("{0}")]
    Network(String),
    /// Something typed or scanned is not valid.
    #[error("{0}")]
    InvalidInput(String),
    /// Pairing with the desktop failed.
    #[error("{0}")]
    Pairing(String),
    /// Ringback is stopping or stopped.
    #[error("Ringback is not running; open the app")]
    NotRunning,
    /// A failure inside Ringback.
    #[error("{0}")]
    Internal(String),
}

impl From<RuntimeError> for BridgeError {
    fn from(e: RuntimeError) -> Self {
        let text = e.to_string();
        match e {
            RuntimeError::DataFolder(_) => BridgeError::DataFolder(text),
            RuntimeError::Network(_) => BridgeError::Network(text),
            RuntimeError::InvalidInput(_) => BridgeError::InvalidInput(text),
            RuntimeError::Pairing(_) => BridgeError::Pairing(text),
            RuntimeError::Stopped => BridgeError::NotRunning,
            RuntimeError::Internal(_) => BridgeError::Internal(text),
        }
    }
}

/// How to start.
#[derive(Debug, Clone, uniffi::Record)]
pub struct BridgeConfig {
    /// The app's private files folder (`context.filesDir`).
    pub data_dir: String,
    /// The phone's name on the desktops (e.g. "Pixel 8 — Acme").
    pub device_name: String,
    /// `None` follows the settings; "loopback" is for tests on one machine.
    pub network: Option<String>,
    /// Settings to start with while the phone has none yet (a partial JSON document over
    /// the defaults, e.g. the business name typed during onboarding). Once a desktop has
    /// edited the settings, the phone keeps those.
    pub settings_json: Option<String>,
}

/// `TelephonyManager.EXTRA_STATE`: `EXTRA_STATE_RINGING`, `_OFFHOOK`, `_IDLE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PhoneState {
    /// Ringing.
    Ringing,
    /// In a call.
    OffHook,
    /// No call.
    Idle,
}

/// A text from `SMS_RECEIVED`, its parts joined.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ReceivedSms {
    /// The originating address.
    pub from: String,
    /// The whole text.
    pub body: String,
    /// The subscription it arrived on, when the intent says.
    pub subscription_id: Option<i32>,
    /// The sender's timestamp (`SmsMessage.getTimestampMillis()`).
    pub sent_at_millis: i64,
}

/// A paired desktop.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PairedDesktop {
    /// Its name.
    pub name: String,
    /// Its endpoint id.
    pub endpoint: String,
}

/// A desktop on the status screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DesktopStatus {
    /// Its name.
    pub name: String,
    /// Its endpoint id.
    pub endpoint: String,
    /// Connected now.
    pub connected: bool,
    /// Connected through a relay (still end-to-end encrypted).
    pub via_relay: bool,
    /// When it went offline (UTC ms), if it is.
    pub offline_since_millis: Option<i64>,
}

/// The last missed call and what was done.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LastMissedCall {
    /// Contact name or number.
    pub caller: String,
    /// When the call ended (UTC ms).
    pub at_millis: i64,
    /// What Ringback did, in words.
    pub action: String,
}

/// The status screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BridgeStatus {
    /// Whether the bridge runs.
    pub running: bool,
    /// The text-back switch.
    pub enabled: bool,
    /// This phone's endpoint id.
    pub endpoint: String,
    /// This phone's pairing fingerprint ("K7QD-M2XA-PL4F"): the desktop shows the same
    /// beside the phone's name before a person accepts it there.
    pub fingerprint: String,
    /// Paired desktops.
    pub desktops: Vec<DesktopStatus>,
    /// The last missed call.
    pub last_missed_call: Option<LastMissedCall>,
    /// What needs attention, in words.
    pub problems: Vec<String>,
}

/// The phone's Ringback.
#[derive(Debug, uniffi::Object)]
pub struct Bridge {
    runtime: Runtime,
    running: std::sync::atomic::AtomicBool,
}

#[uniffi::export]
impl Bridge {
    /// Starts Ringback on the Android framework set up by `NativeInit.init(context)`.
    #[uniffi::constructor]
    pub fn start(config: BridgeConfig) -> Result<Arc<Bridge>, BridgeError> {
        let platform = AndroidPlatform::global().ok_or(BridgeError::NotInitialized)?;
        Bridge::start_on(config, platform)
    }

    /// Stops sync and the engine. The bridge answers `NotRunning` afterwards.
    pub fn stop(&self) {
        if self
            .running
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            self.runtime.stop();
        }
    }

    /// `android.intent.action.PHONE_STATE`, each delivery (with and without the number).
    pub fn on_phone_state(&self, state: PhoneState, number: Option<String>) {
        let _ = number; // The call log decides; the number here is never needed.
        if self.running() {
            self.runtime.phone_state(match state {
                PhoneState::Ringing => CallState::Ringing,
                PhoneState::OffHook => CallState::OffHook,
                PhoneState::Idle => CallState::Idle,
            });
        }
    }

    /// The call log's `ContentObserver` fired.
    pub fn on_call_log_changed(&self) {
        if self.running() {
            self.runtime.call_log_changed();
        }
    }

    /// `SMS_RECEIVED`.
    pub fn on_sms_received(&self, sms: ReceivedSms) -> Result<(), BridgeError> {
        self.check()?;
        Ok(self.runtime.sms_received(
            &sms.from,
            &sms.body,
            sms.subscription_id,
            sms.sent_at_millis,
        )?)
    }

    /// The SMS provider's `ContentObserver` fired.
    pub fn on_sms_provider_changed(&self) {
        if self.running() {
            self.runtime.sms_provider_changed();
        }
    }

    /// A part's "sent" `PendingIntent`: the receiver's `resultCode` and the intent's
    /// "errorCode" extra.
    pub fn on_sms_sent(
        &self,
        message_id: i64,
        part: i32,
        parts: i32,
        result_code: i32,
        error_code: Option<i32>,
    ) -> Result<(), BridgeError> {
        self.check()?;
        let (part, parts) = part_numbers(part, parts)?;
        Ok(self
            .runtime
            .sms_sent(message_id, part, parts, result_code, error_code)?)
    }

    /// A part's delivery report: the intent's "pdu" and "format" extras.
    pub fn on_sms_delivered(
        &self,
        message_id: i64,
        part: i32,
        parts: i32,
        pdu: Vec<u8>,
        format: String,
    ) -> Result<(), BridgeError> {
        self.check()?;
        let (part, parts) = part_numbers(part, parts)?;
        Ok(self
            .runtime
            .sms_delivered(message_id, part, parts, &pdu, &format)?)
    }

    /// `BOOT_COMPLETED`: catch up on what happened while the phone was off.
    pub fn on_boot(&self) {
        if self.running() {
            self.runtime.boot();
        }
    }

    /// Pairs with a desktop: the QR payload or the typed short code. Blocks until a person
    /// at the desktop accepts this phone (its name and the fingerprint in `status()`) or
    /// rejects it, at most a few minutes: call it off the main thread.
    pub fn pair(&self, code: String) -> Result<PairedDesktop, BridgeError> {
        self.check()?;
        let (name, endpoint) = self.runtime.pair(&code)?;
        Ok(PairedDesktop { name, endpoint })
    }

    /// Unpairs a desktop (synced to every device at once).
    pub fn unpair(&self, endpoint: String) -> Result<(), BridgeError> {
        self.check()?;
        Ok(self.runtime.unpair(&endpoint)?)
    }

    /// The text-back on/off switch.
    pub fn set_enabled(&self, on: bool) -> Result<(), BridgeError> {
        self.check()?;
        Ok(self.runtime.set_enabled(on)?)
    }

    /// What the status screen shows.
    pub fn status(&self) -> Result<BridgeStatus, BridgeError> {
        self.check()?;
        let view = self.runtime.status()?;
        Ok(status_record(view, self.running()))
    }
}

impl Bridge {
    /// Starts on any platform (tests use memory ports).
    pub fn start_on(
        config: BridgeConfig,
        platform: Arc<dyn PhonePlatform>,
    ) -> Result<Arc<Bridge>, BridgeError> {
        init_logging();
        let network = match config.network.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("loopback") => Some(NetworkMode::Loopback),
            Some("lan") => Some(NetworkMode::LanOnly),
            Some("default") => Some(NetworkMode::Default),
            Some(other) => Some(NetworkMode::relay(other).map_err(|e| {
                BridgeError::InvalidInput(format!(
                    "network: “{}” is not loopback, lan, default or a relay URL ({e})",
                    other.chars().take(40).collect::<String>()
                ))
            })?),
        };
        if config.data_dir.trim().is_empty() {
            return Err(BridgeError::InvalidInput(
                "data_dir is empty; pass the app's files folder".into(),
            ));
        }
        let (initial, api_key) = match config.settings_json.as_deref().map(str::trim) {
            None | Some("") => (Settings::default(), None),
            Some(text) => {
                let mut patch: serde_json::Value = serde_json::from_str(text).map_err(|e| {
                    BridgeError::InvalidInput(format!("settings_json is not JSON: {e}"))
                })?;
                // The key is no setting: the phone keeps it in its secret store.
                let api_key = match ringback_core::secret::take_api_key(&mut patch)
                    .map_err(|e| BridgeError::InvalidInput(format!("settings_json: {e}")))?
                {
                    Some(ringback_core::secret::KeyChange::Set(key)) => Some(key),
                    _ => None,
                };
                let initial = Settings::default()
                    .patched(&patch)
                    .map_err(|e| BridgeError::InvalidInput(format!("settings_json: {e}")))?;
                (initial, api_key)
            }
        };
        let runtime = Runtime::start(
            RuntimeConfig {
                data_dir: config.data_dir.into(),
                device_name: config.device_name,
                network,
                initial,
                api_key,
            },
            platform,
        )?;
        Ok(Arc::new(Bridge {
            runtime,
            running: std::sync::atomic::AtomicBool::new(true),
        }))
    }

    fn running(&self) -> bool {
        self.running.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn check(&self) -> Result<(), BridgeError> {
        if self.running() {
            Ok(())
        } else {
            Err(BridgeError::NotRunning)
        }
    }

    /// The runtime (tests).
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.stop();
    }
}

fn part_numbers(part: i32, parts: i32) -> Result<(u32, u32), BridgeError> {
    match (u32::try_from(part), u32::try_from(parts)) {
        (Ok(part), Ok(parts)) if parts >= 1 && part < parts => Ok((part, parts)),
        _ => Err(BridgeError::InvalidInput(format!(
            "part {part} of {parts} is not a part of a text; the report was ignored"
        ))),
    }
}

fn status_record(view: StatusView, running: bool) -> BridgeStatus {
    BridgeStatus {
        running,
        enabled: view.enabled,
        endpoint: view.endpoint,
        fingerprint: view.fingerprint,
        desktops: view.desktops.into_iter().map(desktop_record).collect(),
        last_missed_call: view.last_missed_call.map(
            |MissedCallView {
                 caller,
                 at_ms,
                 action,
             }| {
                LastMissedCall {
                    caller,
                    at_millis: at_ms,
                    action,
                }
            },
        ),
        problems: view.problems,
    }
}

fn desktop_record(d: DesktopView) -> DesktopStatus {
    DesktopStatus {
        name: d.name,
        endpoint: d.endpoint,
        connected: d.connected,
        via_relay: d.via_relay,
        offline_since_millis: d.offline_since_ms,
    }
}

/// Logs to stderr (logcat shows it on Android) at info: never bodies or full numbers.
fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RINGBACK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
}
