//! The phone's runtime: the engine, sync and the platform's reports, behind plain methods
//! that the uniffi API ([`crate::api`]) forwards to. Generic over the platform so that the
//! same code runs on Android ([`AndroidPlatform`]) and in tests (memory ports).
//!
//! The types it takes and returns are the ones the Kotlin app sees ([`PhoneState`],
//! [`BridgeStatus`], [`BridgeError`], …, and core's [`PeerState`]): they carry the uniffi
//! derives themselves, so nothing is copied field for field on the way out.
//!
//! Every entry point is idempotent: Android repeats broadcasts, observers fire in bursts,
//! and the call log and SMS provider are read since persisted cursors, so a repeated or
//! late trigger never handles anything twice.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};
use ringback_core::blobs::BlobStore;
use ringback_core::engine::service::{self, EngineHandle, EngineTask};
use ringback_core::engine::{InboundSms, OwnerSms, ServiceState};
use ringback_core::ports::memory::SystemClock;
use ringback_core::ports::{CallLog, Contacts, PortError, Telephony};
use ringback_core::store::MessageId;
use ringback_core::sync::net::{self, NetworkMode};
use ringback_core::sync::node::{self, PeerState, PhoneNode};
use ringback_core::sync::ticket::PairingTicket;
use ringback_core::{CallDecision, Engine, Line, PlatformEvent, Ports, Settings, Store};
use serde_json::json;

use crate::mms::MmsWatch;
use crate::platform::android::{AndroidPlatform, ProviderBox, ProviderMms, ProviderSms};
use crate::report::{self, PartTally};

/// What the runtime needs from a phone beyond the engine's ports: the SMS provider.
pub trait PhonePlatform: Telephony + CallLog + Contacts + 'static {
    /// Provider rows with `_id` above `after`, in id order.
    fn sms_since(&self, after: Option<i64>) -> Result<Vec<ProviderSms>, PortError>;
    /// The provider's highest `_id`.
    fn sms_last_id(&self) -> Result<Option<i64>, PortError>;
    /// MMS provider rows with `_id` above `after`, in id order, with addresses and parts
    /// (a platform without one has none).
    fn mms_since(&self, after: Option<i64>) -> Result<Vec<ProviderMms>, PortError> {
        let _ = after;
        Ok(Vec::new())
    }
    /// One MMS provider row, `None` when gone.
    fn mms_row(&self, id: i64) -> Result<Option<ProviderMms>, PortError> {
        let _ = id;
        Ok(None)
    }
    /// The MMS provider's highest `_id`.
    fn mms_last_id(&self) -> Result<Option<i64>, PortError> {
        Ok(None)
    }
}

impl PhonePlatform for AndroidPlatform {
    fn sms_since(&self, after: Option<i64>) -> Result<Vec<ProviderSms>, PortError> {
        AndroidPlatform::sms_since(self, after)
    }

    fn sms_last_id(&self) -> Result<Option<i64>, PortError> {
        AndroidPlatform::sms_last_id(self)
    }

    fn mms_since(&self, after: Option<i64>) -> Result<Vec<ProviderMms>, PortError> {
        AndroidPlatform::mms_since(self, after, crate::mms::MAX_PART_BYTES)
    }

    fn mms_row(&self, id: i64) -> Result<Option<ProviderMms>, PortError> {
        AndroidPlatform::mms_row(self, id, crate::mms::MAX_PART_BYTES)
    }

    fn mms_last_id(&self) -> Result<Option<i64>, PortError> {
        AndroidPlatform::mms_last_id(self)
    }
}

/// What went wrong, for the app to show (`e.message` is a sentence that says what to do).
/// One set for the runtime and the app: flat to Kotlin (`BridgeException.InvalidInput`, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum BridgeError {
    /// `NativeInit.init(context)` did not run before `Bridge.start`.
    #[error("Ringback's Android connection is not set up; restart the app")]
    NotInitialized,
    /// The data folder could not be used.
    #[error(
        "Ringback could not use its data folder ({0}); free some space on the phone and reopen the app"
    )]
    DataFolder(String),
    /// The network could not be started.
    #[error(
        "Ringback could not start its connection to the desktops ({0}); check the phone's internet and reopen the app"
    )]
    Network(String),
    /// Something typed or scanned is not valid.
    #[error("{0}")]
    InvalidInput(String),
    /// Pairing failed.
    #[error("{0}")]
    Pairing(String),
    /// Ringback was stopped, or its engine is stopping.
    #[error("Ringback is not running; open the app")]
    NotRunning,
    /// A failure inside Ringback, described.
    #[error("{0}")]
    Internal(String),
}

/// How the runtime starts.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Where the store, keys and cursors live.
    pub data_dir: PathBuf,
    /// The phone's name on desktops.
    pub device_name: String,
    /// The network; `None` follows the settings.
    pub network: Option<NetworkMode>,
    /// Settings used while the store has none.
    pub initial: Settings,
    /// The assistant's API key from the starting settings, kept while the phone has never
    /// had one (it is no setting: it stays in the phone's secret store).
    pub api_key: Option<ringback_core::secret::Secret>,
}

/// The state of a phone call: `TelephonyManager.EXTRA_STATE` (`EXTRA_STATE_RINGING`,
/// `_OFFHOOK`, `_IDLE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PhoneState {
    /// The phone rings.
    Ringing,
    /// A call is in progress.
    OffHook,
    /// No call.
    Idle,
}

/// The last missed call and what was done about it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LastMissedCall {
    /// The caller: contact name or number.
    pub caller: String,
    /// When the call ended (UTC ms).
    pub at_millis: i64,
    /// What Ringback did, in words.
    pub action: String,
}

/// Everything the status screen shows.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BridgeStatus {
    /// Whether Ringback runs.
    pub running: bool,
    /// The text-back switch.
    pub enabled: bool,
    /// The phone's endpoint id.
    pub endpoint: String,
    /// Its pairing fingerprint ("K7QD-M2XA-PL4F"): the desktop shows the same beside the
    /// phone's name before a person accepts it there.
    pub fingerprint: String,
    /// Paired desktops, each with how it is reached now (core's own view of a peer).
    pub desktops: Vec<PeerState>,
    /// The last missed call.
    pub last_missed_call: Option<LastMissedCall>,
    /// What needs the owner's attention, in words.
    pub problems: Vec<String>,
}

/// The desktop a pairing ended with.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PairedDesktop {
    /// Its name.
    pub name: String,
    /// Its endpoint id.
    pub endpoint: String,
}

/// The running phone.
pub struct Runtime {
    rt: tokio::runtime::Runtime,
    /// Cleared by [`Runtime::stop`]: every entry point then refuses (or ignores) its call.
    running: AtomicBool,
    engine: EngineHandle,
    task: Mutex<Option<EngineTask>>,
    /// Shared, so that a pairing (which waits minutes for a person at the desktop) does
    /// not hold the lock that the status screen needs.
    node: Mutex<Option<Arc<PhoneNode>>>,
    endpoint: String,
    fingerprint: String,
    platform: Arc<dyn PhonePlatform>,
    data_dir: PathBuf,
    tally: Mutex<PartTally>,
    /// Serialises provider reads so two observers firing together read once each in turn.
    sms_cursor: tokio::sync::Mutex<Option<i64>>,
    /// The MMS provider's cursor and the messages not downloaded yet, likewise.
    mms_watch: tokio::sync::Mutex<MmsWatch>,
    problems: Mutex<BTreeMap<&'static str, String>>,
    call_state: Mutex<Option<PhoneState>>,
    /// The phone's health, reported to the desktops.
    health: crate::health::HealthTracker,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// The file that keeps the SMS provider cursor.
const SMS_CURSOR_FILE: &str = "sms-provider.cursor";

impl Runtime {
    /// Opens the store in the data folder, starts the engine and sync, and catches up on
    /// what happened while the app was not running.
    pub fn start(
        config: RuntimeConfig,
        platform: Arc<dyn PhonePlatform>,
    ) -> Result<Runtime, BridgeError> {
        let data = &config.data_dir;
        std::fs::create_dir_all(data).map_err(|e| BridgeError::DataFolder(e.to_string()))?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ringback")
            .enable_all()
            .build()
            .map_err(|e| BridgeError::Internal(format!("could not start: {e}")))?;
        let store = Store::open_lean(&data.join("phone.db"))
            .map_err(|e| BridgeError::DataFolder(e.to_string()))?;
        let ports = Ports {
            telephony: platform.clone(),
            call_log: platform.clone(),
            contacts: platform.clone(),
            clock: Arc::new(SystemClock),
        };
        let mut engine = Engine::open(store, ports, &config.initial)
            .map_err(|e| BridgeError::DataFolder(e.to_string()))?;
        // Photos are kept on disk beside the store (`data/blobs`), not in memory, so they
        // survive a restart and desktops can fetch them.
        engine.set_blobs(
            BlobStore::beside(&data.join("phone.db"))
                .map_err(|e| BridgeError::DataFolder(e.to_string()))?,
        );
        if let Some(key) = &config.api_key {
            engine
                .start_with_key(key)
                .map_err(|e| BridgeError::InvalidInput(e.to_string()))?;
        }
        let mut problems = BTreeMap::new();
        if let Err(e) = skip_history(&mut engine, platform.as_ref()) {
            problems.insert("call_log", call_log_problem(&e));
        }
        let settings = engine.config().map(|c| c.settings.clone());
        let _guard = rt.enter();
        let (engine, task) = service::spawn(engine);
        let network = match config.network.clone() {
            Some(mode) => mode,
            None => settings
                .as_ref()
                .map(|s| NetworkMode::from_settings(&s.sync))
                .transpose()
                .map_err(|e| BridgeError::Network(e.to_string()))?
                .unwrap_or(NetworkMode::Default),
        };
        let node = rt.block_on(start_node(
            data,
            &network,
            &config.device_name,
            engine.clone(),
        ))?;
        let endpoint = node.id().to_string();
        let fingerprint = node.fingerprint();
        let sms_cursor = read_cursor(&data.join(SMS_CURSOR_FILE));
        let runtime = Runtime {
            rt,
            running: AtomicBool::new(true),
            engine: engine.clone(),
            task: Mutex::new(Some(task)),
            node: Mutex::new(Some(Arc::new(node))),
            endpoint,
            fingerprint,
            platform,
            data_dir: data.clone(),
            tally: Mutex::new(PartTally::default()),
            sms_cursor: tokio::sync::Mutex::new(sms_cursor),
            mms_watch: tokio::sync::Mutex::new(MmsWatch::load(&MmsWatch::path(data))),
            problems: Mutex::new(problems),
            call_state: Mutex::new(None),
            health: crate::health::HealthTracker::new(engine.clone()),
        };
        tracing::info!("ringback started");
        // Catch up: calls that ended and texts that arrived while the app was dead.
        runtime.call_log_changed();
        runtime.sms_provider_changed();
        runtime.mms_provider_changed();
        Ok(runtime)
    }

    /// Whether Ringback runs (not yet stopped).
    pub fn running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }

    /// `NotRunning` once stopped.
    fn check(&self) -> Result<(), BridgeError> {
        if self.running() {
            Ok(())
        } else {
            Err(BridgeError::NotRunning)
        }
    }

    /// Hands an event to the engine and waits for it to be handled.
    fn event(&self, event: PlatformEvent) -> Result<(), BridgeError> {
        self.check()?;
        match self.rt.block_on(self.engine.event(event)) {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(BridgeError::Internal(e.to_string())),
            Err(_) => Err(BridgeError::NotRunning),
        }
    }

    fn problem(&self, key: &'static str, problem: Option<String>) {
        if let Ok(mut problems) = self.problems.lock() {
            match problem {
                Some(p) => problems.insert(key, p),
                None => problems.remove(key),
            };
        }
    }

    /// The phone-state broadcast. Ringing then idle without off-hook is a missed call, but
    /// the call log decides: idle reads it (the broadcast arrives twice, with and without
    /// the number; reading twice is harmless).
    pub fn phone_state(&self, state: PhoneState) {
        if !self.running() {
            return;
        }
        let previous = self
            .call_state
            .lock()
            .map(|mut s| s.replace(state))
            .unwrap_or(None);
        tracing::debug!(?previous, ?state, "phone state");
        if state == PhoneState::Idle {
            self.call_log_changed();
        }
    }

    /// The call log changed (observer, idle, boot): read it since the cursor.
    pub fn call_log_changed(&self) {
        if !self.running() {
            return;
        }
        let result = self.event(PlatformEvent::CallLogChanged);
        if result.is_ok() {
            self.health.call_log_read(Timestamp::now().as_millisecond());
        }
        self.problem(
            "call_log",
            result.err().map(|e| call_log_problem(&e.to_string())),
        );
    }

    /// A text arrived (`SMS_RECEIVED`).
    pub fn sms_received(
        &self,
        from: &str,
        body: &str,
        subscription_id: Option<i32>,
        sent_at_ms: i64,
    ) -> Result<(), BridgeError> {
        let at = Timestamp::now();
        let sms = InboundSms {
            source_id: Some(inbound_source_id(from, sent_at_ms, body)),
            from: from.to_string(),
            body: body.to_string(),
            line: line_of(subscription_id),
            at,
        };
        self.event(PlatformEvent::SmsReceived(sms))
    }

    /// The SMS provider changed: texts a carrier service kept from the broadcast, and texts
    /// the owner sent from the messaging app.
    pub fn sms_provider_changed(&self) {
        if !self.running() {
            return;
        }
        let result = self.rt.block_on(self.read_provider());
        self.problem("sms_provider", result.err());
    }

    async fn read_provider(&self) -> Result<(), String> {
        let mut cursor = self.sms_cursor.lock().await;
        let platform = self.platform.clone();
        let Some(after) = *cursor else {
            // First start: texts from before Ringback are not its business.
            let last = platform
                .sms_last_id()
                .map_err(|e| provider_problem(&e.to_string()))?;
            let last = last.unwrap_or(0);
            *cursor = Some(last);
            write_cursor(&self.data_dir.join(SMS_CURSOR_FILE), last)?;
            return Ok(());
        };
        let rows = platform
            .sms_since(Some(after))
            .map_err(|e| provider_problem(&e.to_string()))?;
        let mut last = after;
        for row in rows {
            let id = row.id;
            let at = Timestamp::from_millisecond(row.date_ms).unwrap_or_else(|_| Timestamp::now());
            let line = line_of(row.subscription_id);
            let event = match row.kind {
                ProviderBox::Inbox => Some(PlatformEvent::SmsReceived(InboundSms {
                    source_id: Some(inbound_source_id(&row.address, row.date_sent_ms, &row.body)),
                    from: row.address,
                    body: row.body,
                    line,
                    at,
                })),
                ProviderBox::Sent => Some(PlatformEvent::OwnerTexted(OwnerSms {
                    source_id: format!("provider-sms-{id}"),
                    to: row.address,
                    body: row.body,
                    line,
                    at,
                })),
                ProviderBox::Other => None,
            };
            if let Some(event) = event {
                match self.engine.event(event).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => {
                        // Keep the cursor before this row: it is read again next time.
                        self.save_cursor(&mut cursor, last)?;
                        return Err(format!(
                            "a text could not be stored ({e}); Ringback will try again"
                        ));
                    }
                    Err(_) => return Err("Ringback is stopping".into()),
                }
            }
            last = last.max(id);
        }
        self.save_cursor(&mut cursor, last)
    }

    /// The MMS provider changed (`content://mms` or `content://mms-sms/`): picture
    /// messages the default app received, and ones it has downloaded since.
    pub fn mms_provider_changed(&self) {
        if !self.running() {
            return;
        }
        let result = self.rt.block_on(self.read_mms_provider());
        self.problem("mms_provider", result.err());
    }

    async fn read_mms_provider(&self) -> Result<(), String> {
        let mut watch = self.mms_watch.lock().await;
        let path = MmsWatch::path(&self.data_dir);
        let platform = self.platform.clone();
        let Some(after) = watch.cursor else {
            // First start: picture messages from before Ringback are not its business.
            let last = platform
                .mms_last_id()
                .map_err(|e| mms_problem(&e.to_string()))?;
            watch.cursor = Some(last.unwrap_or(0));
            return watch.save(&path);
        };
        let rows = platform
            .mms_since(Some(after))
            .map_err(|e| mms_problem(&e.to_string()))?;
        let mut last = after;
        for row in rows {
            if let Some(mms) = crate::mms::inbound_of(&row, &[]) {
                if !mms.downloaded {
                    watch.watch(row.id, row.date_ms);
                }
                if let Err(e) = self.mms_event(mms).await {
                    // Keep the cursor before this row: it is read again next time.
                    watch.cursor = Some(last);
                    watch.save(&path)?;
                    return Err(e);
                }
            }
            last = last.max(row.id);
        }
        watch.cursor = Some(last);
        // The ones not downloaded yet: downloaded in place, or gone (the download came as
        // a new row above, under the same content location).
        for (id, _) in watch.pending.clone() {
            match platform.mms_row(id) {
                Ok(None) => watch.forget(id),
                Ok(Some(row)) if row.message_type != crate::mms::TYPE_NOTIFICATION => {
                    if let Some(mms) = crate::mms::inbound_of(&row, &[])
                        && let Err(e) = self.mms_event(mms).await
                    {
                        watch.save(&path)?;
                        return Err(e);
                    }
                    watch.forget(id);
                }
                Ok(Some(_)) => {}
                Err(e) => {
                    watch.save(&path)?;
                    return Err(mms_problem(&e.to_string()));
                }
            }
        }
        watch.expire(Timestamp::now().as_millisecond());
        watch.save(&path)
    }

    async fn mms_event(&self, mms: ringback_core::engine::InboundMms) -> Result<(), String> {
        match self.engine.event(PlatformEvent::MmsReceived(mms)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(format!(
                "a picture message could not be stored ({e}); Ringback will try again"
            )),
            Err(_) => Err("Ringback is stopping".into()),
        }
    }

    fn save_cursor(&self, cursor: &mut Option<i64>, last: i64) -> Result<(), String> {
        if *cursor != Some(last) {
            write_cursor(&self.data_dir.join(SMS_CURSOR_FILE), last)?;
            *cursor = Some(last);
        }
        Ok(())
    }

    /// One part's "sent" report.
    pub fn sms_sent(
        &self,
        message_id: i64,
        part: u32,
        parts: u32,
        result_code: i32,
        error_code: Option<i32>,
    ) -> Result<(), BridgeError> {
        self.check()?;
        let result = report::send_result(result_code, error_code);
        let verdict = self.tally()?.sent(message_id, part, parts, result);
        if let Some((result, _)) = &verdict {
            self.health.text_result(crate::health::last_text(result));
        }
        match verdict {
            Some((result, any_part_left)) => self.event(PlatformEvent::SmsSent {
                message_id: MessageId(message_id),
                result,
                any_part_left,
            }),
            None => Ok(()),
        }
    }

    /// A picture message's "sent" report: SmsManager's result code and the MMSC's
    /// m-send-conf (`EXTRA_MMS_DATA`, empty when absent). A picture message leaves whole or
    /// not at all.
    pub fn mms_sent(
        &self,
        message_id: i64,
        result_code: i32,
        send_conf: &[u8],
    ) -> Result<(), BridgeError> {
        self.check()?;
        let result = crate::mms::send_result(result_code, send_conf);
        if let Err(error) = &result {
            tracing::info!(
                message = message_id,
                "a picture message did not leave: {error}"
            );
        }
        self.event(PlatformEvent::SmsSent {
            message_id: MessageId(message_id),
            result,
            any_part_left: false,
        })
    }

    /// One part's delivery report.
    pub fn sms_delivered(
        &self,
        message_id: i64,
        part: u32,
        parts: u32,
        pdu: &[u8],
        format: &str,
    ) -> Result<(), BridgeError> {
        self.check()?;
        let status = report::delivery_status(pdu, format)
            .map_err(|e| BridgeError::InvalidInput(e.to_string()))?;
        let verdict = self.tally()?.delivered(message_id, part, parts, status);
        match verdict {
            Some(status) => self.event(PlatformEvent::Delivered {
                message_id: MessageId(message_id),
                status,
            }),
            None => Ok(()),
        }
    }

    /// A subscription's service state changed (`ServiceState.getState()`). Back in service,
    /// the texts waiting to be retried on that line go at once.
    pub fn service_state(
        &self,
        subscription_id: Option<i32>,
        state: i32,
    ) -> Result<(), BridgeError> {
        let state = service_state_of(state)?;
        self.event(PlatformEvent::ServiceChanged {
            line: line_of(subscription_id),
            state,
        })
    }

    /// The platform gathered the phone's health (the app does on start, on a permission
    /// or battery change, on service and airplane-mode changes, and every few minutes).
    pub fn health_gathered(&self, health: ringback_core::health::PhoneHealth) {
        if self.running() {
            self.health.gathered(health);
        }
    }

    /// The phone's health as reported last.
    pub fn health(&self) -> Option<ringback_core::health::PhoneHealth> {
        self.health.current()
    }

    /// The phone booted: catch up on the call log and the provider.
    pub fn boot(&self) {
        self.call_log_changed();
        self.sms_provider_changed();
        self.mms_provider_changed();
    }

    /// Pairs with a desktop's QR payload or short code. Waits until a person at the desktop
    /// accepts or rejects this phone (minutes at most). The pairing runs on the runtime's
    /// own threads, where the endpoint lives: a caller that stops waiting (a closed screen,
    /// a cancelled coroutine) leaves it to finish there, as the person at the desktop may
    /// still accept.
    pub async fn pair(&self, code: &str) -> Result<PairedDesktop, BridgeError> {
        self.check()?;
        let ticket =
            PairingTicket::parse(code).map_err(|e| BridgeError::InvalidInput(e.to_string()))?;
        let node = self.node_guard()?.clone().ok_or(BridgeError::NotRunning)?;
        let peer = self
            .rt
            .spawn(async move { node.pair(&ticket).await })
            .await
            .map_err(|_| BridgeError::NotRunning)?
            .map_err(|e| BridgeError::Pairing(e.to_string()))?;
        Ok(PairedDesktop {
            name: peer.name,
            endpoint: peer.endpoint,
        })
    }

    /// Unpairs a desktop.
    pub fn unpair(&self, endpoint: &str) -> Result<(), BridgeError> {
        self.check()?;
        let node = self.node_guard()?;
        let Some(node) = node.as_ref() else {
            return Err(BridgeError::NotRunning);
        };
        self.rt
            .block_on(node.unpair(endpoint))
            .map_err(|e| BridgeError::Pairing(e.to_string()))
    }

    fn tally(&self) -> Result<std::sync::MutexGuard<'_, PartTally>, BridgeError> {
        self.tally
            .lock()
            .map_err(|_| BridgeError::Internal("the report tally is broken".into()))
    }

    /// This phone's pairing fingerprint: the desktop shows the same beside the phone's name.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    fn node_guard(&self) -> Result<std::sync::MutexGuard<'_, Option<Arc<PhoneNode>>>, BridgeError> {
        self.node
            .lock()
            .map_err(|_| BridgeError::Internal("the sync node is broken".into()))
    }

    /// The text-back switch (synced: every desktop shows it).
    pub fn set_enabled(&self, on: bool) -> Result<(), BridgeError> {
        self.check()?;
        match self.rt.block_on(
            self.engine
                .update_settings(json!({"text_back": {"enabled": on}})),
        ) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(BridgeError::InvalidInput(format!(
                "{e}; finish the settings on the desktop first"
            ))),
            Err(_) => Err(BridgeError::NotRunning),
        }
    }

    /// What the status screen shows.
    pub fn status(&self) -> Result<BridgeStatus, BridgeError> {
        self.check()?;
        let desktops = self
            .node_guard()?
            .as_ref()
            .map(|node| node.peers().borrow().values().cloned().collect::<Vec<_>>())
            .unwrap_or_default();
        let (enabled, settings_problems, last) = self
            .rt
            .block_on(self.engine.with(|engine| {
                let (enabled, problems) = match engine.config() {
                    Some(config) => (config.settings.text_back.enabled, Vec::new()),
                    None => (
                        false,
                        vec!["Ringback has no settings yet, so it texts no one: pair a desktop and set the business name there".to_string()],
                    ),
                };
                let reader = engine.store().reader();
                let last = engine
                    .store()
                    .missed_calls_page(None, 1)
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .next()
                    .map(|call| {
                        let caller = call
                            .number
                            .as_deref()
                            .and_then(|n| reader.contact_name(n).ok().flatten())
                            .or(call.number.clone())
                            .unwrap_or_else(|| call.caller.clone());
                        LastMissedCall {
                            caller: if caller.trim().is_empty() { "A private number".into() } else { caller },
                            at_millis: call.ended_at.as_millisecond(),
                            action: last_call_action(call.decision, call.texted_at),
                        }
                    });
                Ok::<_, String>((enabled, problems, last))
            }))
            .map_err(|_| BridgeError::NotRunning)?
            .map_err(BridgeError::Internal)?;
        let mut problems = settings_problems;
        if desktops.is_empty() {
            problems.push("No desktop is paired: open Ringback on the office computer, choose Devices → Pair a phone, and scan the code".into());
        }
        if let Ok(p) = self.problems.lock() {
            problems.extend(p.values().cloned());
        }
        if let Some(health) = self.health.current() {
            problems.extend(crate::health::problem_lines(&health));
        }
        Ok(BridgeStatus {
            running: self.running(),
            enabled,
            endpoint: self.endpoint.clone(),
            fingerprint: self.fingerprint.clone(),
            desktops,
            last_missed_call: last,
            problems,
        })
    }

    /// Stops sync and the engine; the store is closed cleanly. Waits for the endpoint to
    /// close (its connections are told), which runs on the runtime's own threads. Every
    /// entry point answers `NotRunning` (or does nothing) afterwards; stopping twice is
    /// harmless.
    pub async fn stop(&self) {
        if let Some(shutdown) = self.begin_stop() {
            let _ = self.rt.spawn(shutdown).await;
            tracing::info!("ringback stopped");
        }
    }

    /// [`Runtime::stop`] for a caller that cannot wait asynchronously (a drop).
    fn stop_now(&self) {
        if let Some(shutdown) = self.begin_stop() {
            self.rt.block_on(shutdown);
            tracing::info!("ringback stopped");
        }
    }

    /// Marks the runtime stopped and hands back the work that shuts it down; `None` when it
    /// was already stopped.
    fn begin_stop(&self) -> Option<impl Future<Output = ()> + Send + 'static> {
        if !self.running.swap(false, Ordering::SeqCst) {
            return None;
        }
        let node = self.node.lock().ok().and_then(|mut n| n.take());
        let task = self.task.lock().ok().and_then(|mut t| t.take());
        Some(async move {
            match node.map(Arc::try_unwrap) {
                Some(Ok(node)) => node.shutdown().await,
                // A pairing still waits for the desktop: the node closes when it ends.
                Some(Err(_)) => tracing::info!("sync stops once the pairing under way ends"),
                None => {}
            }
            if let Some(task) = task {
                task.abort();
            }
        })
    }

    /// The tokio runtime (tests wait on it).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The engine (tests read the store through it).
    pub fn engine(&self) -> &EngineHandle {
        &self.engine
    }
}

/// Binds the phone's endpoint (its key kept in `data/phone.key`) and starts sync for the
/// running engine. `ringback-phone-sim serve` starts its node the same way.
pub async fn start_node(
    data: &Path,
    network: &NetworkMode,
    name: &str,
    engine: EngineHandle,
) -> Result<PhoneNode, BridgeError> {
    let key = net::load_or_create_key(&data.join("phone.key"))
        .map_err(|e| BridgeError::DataFolder(e.to_string()))?;
    let endpoint = net::bind(network, key, node::alpns(), None)
        .await
        .map_err(|e| BridgeError::Network(e.to_string()))?;
    PhoneNode::start(endpoint, engine, name)
        .await
        .map_err(|e| BridgeError::Network(e.to_string()))
}

/// On the very first start the call log holds the phone's history: only calls still
/// inside the late window are Ringback's business; older ones are passed over.
fn skip_history(engine: &mut Engine, platform: &dyn PhonePlatform) -> Result<(), String> {
    if engine
        .store()
        .reader()
        .call_log_cursor()
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Ok(());
    }
    let window = engine
        .config()
        .map(|c| i64::from(c.settings.text_back.late_window_minutes))
        .unwrap_or(15);
    let horizon = Timestamp::now() - SignedDuration::from_mins(window);
    let entries = platform.entries_since(None).map_err(|e| e.to_string())?;
    let old = entries
        .iter()
        .filter(|c| c.ended_at < horizon)
        .map(|c| c.log_id)
        .max();
    if let Some(last) = old {
        engine
            .start_call_log_after(last)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn call_log_problem(e: &str) -> String {
    format!(
        "Ringback cannot read the call log ({e}), so it cannot see missed calls: allow “Call logs” for Ringback in Android settings"
    )
}

fn provider_problem(e: &str) -> String {
    format!(
        "Ringback cannot read the phone's texts ({e}); replies still arrive, but texts typed in the messaging app will not show on the desktop: allow “SMS” for Ringback in Android settings"
    )
}

fn mms_problem(e: &str) -> String {
    format!(
        "Ringback cannot read the phone's picture messages ({e}); photos callers send will not reach the desktop: allow “SMS” for Ringback in Android settings"
    )
}

/// The same id for a text whether the broadcast or the provider reports it: the sender's
/// digits, the sender's timestamp and a hash of the body.
pub fn inbound_source_id(from: &str, sent_at_ms: i64, body: &str) -> String {
    let digits: String = from.chars().filter(char::is_ascii_digit).collect();
    // FNV-1a: stable across versions and platforms, unlike the std hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in body.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("sms:{digits}:{sent_at_ms}:{hash:016x}")
}

fn line_of(subscription_id: Option<i32>) -> Line {
    match subscription_id {
        Some(id) if id >= 0 => Line(id.to_string()),
        _ => Line::default(),
    }
}

/// Core's service state for Android's `ServiceState.getState()`. Emergency calls only is no
/// service for texts.
fn service_state_of(state: i32) -> Result<ServiceState, BridgeError> {
    match state {
        0 => Ok(ServiceState::InService),     // STATE_IN_SERVICE
        1 | 2 => Ok(ServiceState::NoService), // STATE_OUT_OF_SERVICE, STATE_EMERGENCY_ONLY
        3 => Ok(ServiceState::RadioOff),      // STATE_POWER_OFF
        other => Err(BridgeError::InvalidInput(format!(
            "service state {other} is not one of Android's (0 to 3); the change was ignored"
        ))),
    }
}

/// What was done about the last call, in core's words, with when a text-back left.
fn last_call_action(decision: Option<CallDecision>, texted: Option<Timestamp>) -> String {
    let words = decision.map_or_else(
        || "no decision yet".to_string(),
        |d| d.describe(texted.is_some()),
    );
    let mut chars = words.chars();
    let words: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    match texted {
        Some(at) => format!("{words} at {}", local_time(at)),
        None => words,
    }
}

fn local_time(at: Timestamp) -> String {
    let zoned = at.to_zoned_datetime(jiff::tz::TimeZone::system());
    zoned.strftime("%H:%M").to_string()
}

fn read_cursor(path: &Path) -> Option<i64> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.trim().parse().ok())
}

/// Writes the cursor atomically (a crash leaves the old value or the new, never half).
fn write_cursor(path: &Path, value: i64) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, value.to_string())
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("Ringback could not save its place in the texts ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_broadcast_and_the_provider_name_a_text_alike() {
        let a = inbound_source_id("+1 (212) 555-0123", 1_790_000_000_000, "Hi 👋");
        let b = inbound_source_id("+12125550123", 1_790_000_000_000, "Hi 👋");
        assert_eq!(a, b);
        assert_ne!(
            a,
            inbound_source_id("+12125550123", 1_790_000_000_001, "Hi 👋")
        );
        assert_ne!(
            a,
            inbound_source_id("+12125550123", 1_790_000_000_000, "Hi")
        );
    }

    #[test]
    fn android_service_states_in_core_words() {
        assert_eq!(service_state_of(0).ok(), Some(ServiceState::InService));
        assert_eq!(service_state_of(1).ok(), Some(ServiceState::NoService));
        assert_eq!(service_state_of(2).ok(), Some(ServiceState::NoService));
        assert_eq!(service_state_of(3).ok(), Some(ServiceState::RadioOff));
        let Err(BridgeError::InvalidInput(words)) = service_state_of(7) else {
            panic!("an unknown state is refused");
        };
        assert!(words.contains("service state 7"), "{words}");
    }

    #[test]
    fn actions_in_words() {
        use ringback_core::SkipReason;
        assert_eq!(
            last_call_action(Some(CallDecision::Skipped(SkipReason::Cooldown)), None),
            "Not texted: they were texted recently"
        );
        assert_eq!(
            last_call_action(Some(CallDecision::TextBack), None),
            "Text-back waiting to be sent"
        );
        assert!(
            last_call_action(Some(CallDecision::TextBack), Some(Timestamp::UNIX_EPOCH))
                .starts_with("Texted back at ")
        );
    }
}
