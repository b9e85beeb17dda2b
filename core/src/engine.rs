//! The engine: platform events in, decisions stored, texts sent through the ports.
//!
//! [`Engine`] is synchronous and owns the store; every method runs to completion against
//! the clock port's `now()`. [`service`] runs it as an async task that sleeps until the next
//! timer, so the same engine runs on Android, in the simulator and on a virtual clock.
//!
//! By what happens: [`event`] (platform events in, outcomes out), `calls` (the call log,
//! each ended call decided), `inbound` (a caller's text, the owner's own texts), `replies`
//! (a person's replies through the outbound policy), `outbox` (timers, hand-over to the
//! platform, sent and delivery reports), `opt_out` and `assistant`; this file opens the
//! engine, keeps its settings and dispatches events.

mod assistant;
mod calls;
pub mod event;
mod inbound;
mod intake;
mod mms;
mod opt_out;
mod outbox;
pub mod replica;
mod replies;
mod retry;
pub mod service;

pub use crate::ports::AssistantJob;
pub use assistant::facts;
pub use event::{
    DeliveryStatus, InboundMms, InboundSms, Outcome, OwnerSms, PlatformEvent, ReplyRequest,
    ServiceState,
};

use std::collections::HashMap;

use jiff::Timestamp;

use crate::message::MessageStatus;
use crate::oplog::op::{Op, Role};
pub use crate::outbound::RefusalReason;
use crate::phone::Sender;
use crate::ports::{PortError, Ports};
use crate::settings::{Config, Settings, SettingsError};
use crate::store::{ApplyError, ApplyReport, Source, Store, StoreError};

/// Why the engine could not handle something.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The store failed; the change was not made and the event can be handled again.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A settings change was refused.
    #[error("the settings were not changed: {0}")]
    Settings(#[from] SettingsError),
    /// Ops from another device were refused; nothing of them was stored.
    #[error(transparent)]
    Apply(#[from] ApplyError),
    /// The call log could not be read; it will be read again on the next trigger.
    #[error("the call log could not be read ({0}); Ringback will try again at the next call")]
    CallLog(PortError),
}

/// The engine. See the module docs.
pub struct Engine {
    store: Store,
    config: Option<Config>,
    ports: Ports,
    /// Callers already classified, for the region in force: a call log repeats its callers,
    /// and parsing a number costs more than deciding about it.
    callers: HashMap<String, Sender>,
    /// The assistant's questions in flight.
    jobs: assistant::Jobs,
    /// What each desktop sent in the last hour.
    intake: intake::Intake,
    /// When each text waiting to be retried is tried next.
    retries: retry::Retries,
    /// Attachments' bytes (in memory until [`Engine::set_blobs`] names the phone's store).
    blobs: std::sync::Arc<crate::blobs::BlobStore>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

impl Engine {
    /// Starts the engine on a store. The saved settings are used when there are any, else
    /// `initial` when it is valid; with no valid settings the engine records everything and
    /// texts no one (every trigger call is skipped as `disabled`). Texts found half-sent
    /// after a crash become `unconfirmed`.
    pub fn open(mut store: Store, ports: Ports, initial: &Settings) -> Result<Engine, EngineError> {
        let saved = store.reader().settings()?;
        let now = ports.clock.now();
        let config = match saved {
            Some(saved) => match saved.validate() {
                Ok(config) => Some(config),
                Err(error) => {
                    // Saved by an earlier version with looser bounds: brought within them
                    // (and synced), rather than leaving the phone texting no one.
                    let fixed = saved.within_bounds();
                    let config = fixed.validate().ok();
                    match &config {
                        Some(_) => {
                            tracing::warn!(field = %error.field, "saved settings brought within today's bounds");
                            store.write(now, "settings_changed", |tx| {
                                tx.save_settings(&fixed, now)
                            })?;
                        }
                        None => {
                            tracing::error!(field = %error.field, "the saved settings are not valid; texting no one until they are fixed")
                        }
                    }
                    config
                }
            },
            None => {
                let config = initial.validate().ok();
                // Kept (and synced), so every desktop shows what the phone runs with.
                if config.is_some() {
                    store.write(now, "settings_changed", |tx| tx.save_settings(initial, now))?;
                }
                config
            }
        };
        if !store
            .reader()
            .messages_with_status(MessageStatus::Sending)?
            .is_empty()
        {
            let count = store.write(now, "recovered", |tx| tx.mark_sending_unconfirmed())?;
            tracing::warn!(
                count,
                "texts were being sent when the phone stopped; marked unconfirmed"
            );
        }
        let mut engine = Engine {
            store,
            config,
            ports,
            callers: HashMap::new(),
            jobs: assistant::Jobs::default(),
            intake: intake::Intake::default(),
            retries: retry::Retries::default(),
            blobs: crate::blobs::BlobStore::in_memory(),
        };
        engine.assistant_restarted(now)?;
        // An opt-out decided on a desktop just before the phone stopped.
        engine.carry_out_opt_out_decisions()?;
        Ok(engine)
    }

    /// The store, for reads.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, for writes that are no platform event: pairing records and search
    /// indexing (the sync nodes, on the engine's task).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Keeps attachments' bytes in `blobs` (the phone's: `BlobStore::beside` the store
    /// file). Until this is called they are kept in memory only.
    pub fn set_blobs(&mut self, blobs: std::sync::Arc<crate::blobs::BlobStore>) {
        self.blobs = blobs;
    }

    /// The blob store attachments' bytes are kept in.
    pub fn blobs(&self) -> &std::sync::Arc<crate::blobs::BlobStore> {
        &self.blobs
    }

    /// Gives the store back.
    pub fn into_store(self) -> Store {
        self.store
    }

    /// The settings in force, if valid settings were ever given.
    pub fn config(&self) -> Option<&Config> {
        self.config.as_ref()
    }

    fn now(&self) -> Timestamp {
        self.ports.clock.now()
    }

    /// Replaces the settings with `patch` merged into the ones in force (or the defaults).
    /// Invalid settings are refused whole and the last good ones stay in force.
    /// `assistant.api_key` in the patch is no setting: it goes to the phone's secret store
    /// (an empty one removes the key), in the same transaction as the settings.
    pub fn update_settings(&mut self, patch: &serde_json::Value) -> Result<(), EngineError> {
        let mut patch = patch.clone();
        let key = crate::secret::take_api_key(&mut patch)?;
        let base = self
            .config
            .as_ref()
            .map(|c| c.settings.clone())
            .unwrap_or_default();
        let next = base.patched(&patch)?;
        self.replace_settings_and_key(next, key)
    }

    /// Replaces the whole settings document after checking it.
    pub fn replace_settings(&mut self, settings: Settings) -> Result<(), EngineError> {
        self.replace_settings_and_key(settings, None)
    }

    /// Replaces the settings and, when given, sets or removes the assistant's API key (kept
    /// for the server the new settings name), in one transaction.
    pub fn replace_settings_and_key(
        &mut self,
        settings: Settings,
        key: Option<crate::secret::KeyChange>,
    ) -> Result<(), EngineError> {
        use crate::secret::KeyChange;
        let config = settings.validate()?;
        let key = match key {
            Some(KeyChange::Set(k)) => {
                let server = crate::secret::server_for_key(&settings.assistant.base_url)?;
                Some(Some((k, server)))
            }
            Some(KeyChange::Remove) => Some(None),
            Some(KeyChange::Redacted) | None => None,
        };
        let now = self.now();
        self.store.write(now, "settings_changed", |tx| {
            tx.save_settings(&settings, now)?;
            if let Some(key) = &key {
                tx.set_assistant_key(key.as_ref().map(|(k, s)| (k, s.as_str())), now)?;
            }
            Ok(())
        })?;
        tracing::info!("settings changed");
        self.callers.clear(); // The region may have changed.
        self.config = Some(config);
        Ok(())
    }

    /// Applies ops from another device, then acts on them: new settings take force, and
    /// desktop replies are sent (each once) or fail as expired.
    pub fn apply_remote(
        &mut self,
        ops: &[Op],
        source: Source<'_>,
    ) -> Result<(ApplyReport, Vec<Outcome>), EngineError> {
        let now = self.now();
        if source.role == Role::Desktop
            && let Err(over) = self.intake.admit(source.origin, ops, now)
        {
            tracing::warn!(
                desktop = source.origin,
                "a desktop went over its budget of changes"
            );
            return Err(EngineError::Apply(ApplyError::NotAllowed {
                origin: source.origin.to_string(),
                seq: ops.first().map_or(0, |op| op.seq),
                why: over.why,
            }));
        }
        let report = self.store.apply_remote(ops, source, now)?;
        if report.settings_changed {
            self.config = self
                .store
                .reader()
                .settings()?
                .and_then(|s| s.validate().ok());
            self.callers.clear();
            tracing::info!("settings changed on another device");
        }
        // Before the replies: a reply written after an opt-out decision is refused.
        let mut outcomes = self.carry_out_opt_out_decisions()?;
        if report.requests > 0 {
            outcomes.extend(self.process_requests()?);
        }
        outcomes.extend(self.run_due()?);
        Ok((report, outcomes))
    }

    /// Handles a platform event, then sends whatever has become due.
    pub fn handle(&mut self, event: PlatformEvent) -> Result<Vec<Outcome>, EngineError> {
        let mut outcomes = match event {
            PlatformEvent::CallLogChanged => self.read_call_log()?,
            PlatformEvent::CallEnded(call) => self.record_calls(&[call])?,
            PlatformEvent::SmsReceived(sms) => self.receive(sms)?,
            PlatformEvent::MmsReceived(mms) => self.receive_mms(mms)?,
            PlatformEvent::OwnerTexted(sms) => {
                self.owner_texted(sms)?;
                Vec::new()
            }
            PlatformEvent::SmsSent {
                message_id,
                result,
                any_part_left,
            } => self.sent_report(message_id, result, any_part_left)?,
            PlatformEvent::ServiceChanged { line, state } => {
                self.service_changed(&line, state)?;
                Vec::new()
            }
            PlatformEvent::Delivered { message_id, status } => {
                self.delivery_report(message_id, status)?;
                Vec::new()
            }
            PlatformEvent::ContactChanged { number, name } => {
                self.contact_changed(&number, name.as_deref())?;
                Vec::new()
            }
        };
        outcomes.extend(self.run_due()?);
        Ok(outcomes)
    }
}

#[cfg(test)]
mod tests;
