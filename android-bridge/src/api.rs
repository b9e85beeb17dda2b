//! The uniffi API the Kotlin app calls (package `app.ringback.bridge`; core's types it shows
//! are in `app.ringback.core`).
//!
//! One [`Bridge`] per process, started by the foreground service (or by a receiver that
//! woke the process), after `NativeInit.init(context)` has handed the JavaVM and the
//! application context to [`crate::platform::android`]. A thin layer: each method forwards
//! to the [`Runtime`], whose own types ([`BridgeStatus`], [`PhoneState`], [`BridgeError`],
//! …) and core's ([`PeerState`], [`PeerLink`]) carry the uniffi derives, so none is copied
//! here. What is left is what only the FFI has: the start configuration as the app sends
//! it, a received text as the broadcast gives it, and Kotlin's signed part numbers.
//!
//! Every entry point returns quickly except the two that wait on the network or a person,
//! which are `suspend` in Kotlin: [`Bridge::pair`] (until the desktop's person decides) and
//! [`Bridge::stop`] (until the endpoint has closed). Nothing here panics on what a
//! broadcast or a user can send; errors are one flat set whose message is a sentence to
//! show.

use std::sync::Arc;

use ringback_core::Settings;
use ringback_core::sync::net::NetworkMode;

use crate::platform::android::AndroidPlatform;
pub use crate::runtime::{BridgeError, BridgeStatus, LastMissedCall, PairedDesktop, PhoneState};
use crate::runtime::{PhonePlatform, Runtime, RuntimeConfig};
pub use ringback_core::sync::net::PeerLink;
pub use ringback_core::sync::node::PeerState;

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

/// The phone's Ringback.
#[derive(Debug, uniffi::Object)]
pub struct Bridge {
    runtime: Runtime,
}

#[uniffi::export]
impl Bridge {
    /// Starts Ringback on the Android framework set up by `NativeInit.init(context)`. Waits
    /// only on the phone itself (the store, binding a socket, the catch-up read of the call
    /// log), never on the network: a plain call, made off the main thread.
    #[uniffi::constructor]
    pub fn start(config: BridgeConfig) -> Result<Arc<Bridge>, BridgeError> {
        let platform = AndroidPlatform::global().ok_or(BridgeError::NotInitialized)?;
        Bridge::start_on(config, platform)
    }

    /// Stops sync and the engine, waiting until the endpoint has closed. The bridge answers
    /// `NotRunning` afterwards.
    pub async fn stop(&self) {
        self.runtime.stop().await;
    }

    /// `android.intent.action.PHONE_STATE`, each delivery (with and without the number).
    pub fn on_phone_state(&self, state: PhoneState, number: Option<String>) {
        let _ = number; // The call log decides; the number here is never needed.
        self.runtime.phone_state(state);
    }

    /// The call log's `ContentObserver` fired.
    pub fn on_call_log_changed(&self) {
        self.runtime.call_log_changed();
    }

    /// `SMS_RECEIVED`.
    pub fn on_sms_received(&self, sms: ReceivedSms) -> Result<(), BridgeError> {
        self.runtime.sms_received(
            &sms.from,
            &sms.body,
            sms.subscription_id,
            sms.sent_at_millis,
        )
    }

    /// The SMS provider's `ContentObserver` fired.
    pub fn on_sms_provider_changed(&self) {
        self.runtime.sms_provider_changed();
    }

    /// The MMS provider's `ContentObserver` fired (`content://mms` or `content://mms-sms/`).
    pub fn on_mms_provider_changed(&self) {
        self.runtime.mms_provider_changed();
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
        let (part, parts) = part_numbers(part, parts)?;
        self.runtime
            .sms_sent(message_id, part, parts, result_code, error_code)
    }

    /// A picture message's "sent" `PendingIntent`: the receiver's `resultCode` and the
    /// intent's `SmsManager.EXTRA_MMS_DATA` (the carrier's m-send-conf; empty when absent).
    pub fn on_mms_sent(
        &self,
        message_id: i64,
        result_code: i32,
        send_conf: Vec<u8>,
    ) -> Result<(), BridgeError> {
        self.runtime.mms_sent(message_id, result_code, &send_conf)
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
        let (part, parts) = part_numbers(part, parts)?;
        self.runtime
            .sms_delivered(message_id, part, parts, &pdu, &format)
    }

    /// A subscription's service changed (`TelephonyCallback.ServiceStateListener`, or
    /// `PhoneStateListener.LISTEN_SERVICE_STATE` before API 31): the subscription id (null
    /// for the default line) and `ServiceState.getState()`. Back in service, texts waiting
    /// on that line are retried at once.
    pub fn on_service_state(
        &self,
        subscription_id: Option<i32>,
        state: i32,
    ) -> Result<(), BridgeError> {
        self.runtime.service_state(subscription_id, state)
    }

    /// `BOOT_COMPLETED`: catch up on what happened while the phone was off.
    pub fn on_boot(&self) {
        self.runtime.boot();
    }

    /// Pairs with a desktop: the QR payload or the typed short code. Suspends until a
    /// person at the desktop accepts this phone (its name and the fingerprint in
    /// `status()`) or rejects it, at most a few minutes.
    pub async fn pair(&self, code: String) -> Result<PairedDesktop, BridgeError> {
        self.runtime.pair(&code).await
    }

    /// Unpairs a desktop (synced to every device at once).
    pub fn unpair(&self, endpoint: String) -> Result<(), BridgeError> {
        self.runtime.unpair(&endpoint)
    }

    /// The text-back on/off switch.
    pub fn set_enabled(&self, on: bool) -> Result<(), BridgeError> {
        self.runtime.set_enabled(on)
    }

    /// The phone's health as the app gathered it through the framework (permissions,
    /// battery exemption, service, SIMs, airplane mode, default SMS app). Only a change is
    /// sent to the desktops; the problems show in [`Bridge::status`].
    pub fn on_health(&self, health: ringback_core::health::PhoneHealth) {
        self.runtime.health_gathered(health);
    }

    /// What the status screen shows.
    pub fn status(&self) -> Result<BridgeStatus, BridgeError> {
        self.runtime.status()
    }
}

impl Bridge {
    /// Starts on any platform (tests use memory ports).
    pub fn start_on(
        config: BridgeConfig,
        platform: Arc<dyn PhonePlatform>,
    ) -> Result<Arc<Bridge>, BridgeError> {
        crate::logging::install();
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
        Ok(Arc::new(Bridge { runtime }))
    }

    /// The runtime (tests).
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
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
