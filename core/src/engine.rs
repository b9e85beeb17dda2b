//! The engine: platform events in, decisions stored, texts sent through the ports.
//!
//! [`Engine`] is synchronous and owns the store; every method runs to completion against
//! the clock port's `now()`. [`service`] runs it as an async task that sleeps until the next
//! timer, so the same engine runs on Android, in the simulator and on a virtual clock.

mod assistant;
mod intake;
mod opt_out;
pub mod replica;
pub mod service;

pub use assistant::{AssistantJob, facts};

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::call::{EndedCall, Line};
use crate::message::{Direction, MessageKind, MessageStatus};
use crate::oplog::op::{Op, Role};
pub use crate::outbound::RefusalReason;
use crate::outbound::{self, HoldReason, Verdict};
use crate::phone::{PhoneNumber, Sender, classify};
use crate::ports::{PortError, Ports, SendError, SendRequest};
use crate::rules::{
    self, CallDecision, InboundIntent, SkipReason, TextBackTemplate, decide_call, read_inbound,
};
use crate::settings::{CheckedTemplate, Config, Settings, SettingsError};
use crate::store::{
    ApplyError, ApplyReport, ConversationId, MessageId, NewMessage, OutboxEntry, PendingRequest,
    Source, Store, StoreError, WriteTx,
};

/// An inbound text as the platform reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundSms {
    /// The platform's id for it, when it has one (makes a repeated broadcast harmless).
    pub source_id: Option<String>,
    /// The sender as given.
    pub from: String,
    /// The text.
    pub body: String,
    /// The line it arrived on.
    pub line: Line,
    /// When it arrived.
    pub at: Timestamp,
}

/// A text the owner sent from the phone's own messaging app, as the SMS provider has it.
/// Ringback's own texts are in the provider too (Android writes them there); those are
/// recognised and not recorded twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerSms {
    /// The provider's id for it (makes a repeated read harmless).
    pub source_id: String,
    /// The recipient as given.
    pub to: String,
    /// The text.
    pub body: String,
    /// The line it left on.
    pub line: Line,
    /// When it left.
    pub at: Timestamp,
}

/// A reply a person wrote, handed to the engine directly (the scenario runner's desktop
/// replies; a real desktop's arrive as ops). It goes on the line of the latest
/// conversation with the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyRequest {
    /// The requester's id, so a request delivered twice is sent once.
    pub request_id: Option<String>,
    /// The recipient as typed or as shown in the inbox.
    pub to: String,
    /// The text.
    pub body: String,
}

/// A reply the outbound policy let into the outbox: its message (`None` when the same
/// request was queued before), and what sending the assistant's draft booked.
type Accepted = (Option<MessageId>, Vec<Outcome>);

/// A person's reply on its way into the outbox.
struct ReplyIntent<'a> {
    /// The source id its message carries (a request's key), so it is sent once.
    key: Option<&'a str>,
    /// The conversation it answers, when named.
    conversation: Option<ConversationId>,
    /// The recipient as given.
    to: &'a str,
    /// The text.
    body: &'a str,
}

/// What a delivery report said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Delivered to the handset.
    Delivered,
    /// The network is still trying.
    Pending,
    /// The network gave up.
    Failed,
}

/// Something that happened on the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformEvent {
    /// The call log changed (or the phone state went idle): read it since the cursor.
    CallLogChanged,
    /// A call-log entry the platform read itself. Recorded once per log id, like the
    /// entries the engine reads.
    CallEnded(EndedCall),
    /// A text arrived.
    SmsReceived(InboundSms),
    /// The platform's report on handing a text to the network.
    SmsSent {
        /// The message.
        message_id: MessageId,
        /// Every part sent, or why not.
        result: Result<(), SendError>,
    },
    /// The network's delivery report.
    Delivered {
        /// The message.
        message_id: MessageId,
        /// What it said.
        status: DeliveryStatus,
    },
    /// The owner texted someone from the phone's own messaging app. Recorded only in a
    /// conversation Ringback already has with that number.
    OwnerTexted(OwnerSms),
    /// A contact was added, renamed (a name) or removed (`None`).
    ContactChanged {
        /// The number as stored in the contact.
        number: String,
        /// The new name.
        name: Option<String>,
    },
}

/// What the engine did that the owner would want to know, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A text was handed to the platform.
    Sent {
        /// When it left.
        at: Timestamp,
        /// Its id.
        message_id: MessageId,
        /// The recipient.
        to: String,
        /// The text.
        body: String,
        /// What it is for.
        kind: MessageKind,
        /// The line, when one was named.
        line: Line,
    },
    /// A call got no text, or a pending text-back was withdrawn.
    Skipped {
        /// When it was decided.
        at: Timestamp,
        /// The caller, E.164 when it parses, else as given.
        from: String,
        /// Why.
        reason: SkipReason,
    },
    /// The outbound policy holds a text back for now (it is sent when it allows).
    Held {
        /// When it was held.
        at: Timestamp,
        /// The message.
        message_id: MessageId,
        /// The recipient.
        to: String,
        /// Why.
        reason: HoldReason,
        /// The earliest it may leave.
        until: Timestamp,
    },
    /// A text probably asked not to be texted: automated texts to the number wait until a
    /// person decides on a desktop (the conversation is the team's).
    Paused {
        /// When.
        at: Timestamp,
        /// The number.
        from: String,
    },
    /// A text the phone will not send: a reply refused, or a queued text withdrawn by the
    /// outbound policy.
    Refused {
        /// When.
        at: Timestamp,
        /// The recipient as given or E.164.
        to: String,
        /// Why.
        reason: RefusalReason,
    },
    /// The assistant drafted, handed off, or could not answer (its texts are `Sent` with
    /// kind `assistant`).
    Assistant {
        /// When.
        at: Timestamp,
        /// The caller.
        to: String,
        /// Where it stands now.
        status: crate::assistant::AssistantStatus,
        /// Why, in words for the team.
        reason: String,
        /// The draft it wrote (suggest mode).
        draft: Option<String>,
        /// The slot it booked, as offered ("Tue 2026-11-03 08:00").
        booked: Option<String>,
    },
    /// The platform refused a text.
    Failed {
        /// When.
        at: Timestamp,
        /// The message.
        message_id: MessageId,
        /// Why, in words.
        reason: String,
    },
}

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

/// How many waiting texts one transaction marks as held by the volume window, so a long
/// line never makes one op too large to sync.
const MARK_AT_ONCE: usize = 64;

/// How many call-log entries one transaction takes.
const INGEST_BATCH: usize = 512;

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
}

/// How many classified callers the engine remembers before starting afresh.
const CALLER_CACHE: usize = 32_768;

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

    /// The store, for test hooks.
    #[doc(hidden)]
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
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

    /// Acts on every desktop reply not yet acted on: queues it for the outbox (which sends
    /// it when the outbound policy allows), or records why not. Run after ops arrive and
    /// when the engine starts, so a reply that arrived just before a crash is still sent
    /// once.
    pub fn process_requests(&mut self) -> Result<Vec<Outcome>, EngineError> {
        let mut outcomes = Vec::new();
        for request in self.store.reader().pending_requests()? {
            outcomes.extend(self.process_request(request)?);
        }
        outcomes.extend(self.run_due()?);
        Ok(outcomes)
    }

    fn process_request(&mut self, r: PendingRequest) -> Result<Vec<Outcome>, EngineError> {
        let now = self.now();
        let to = match (r.conversation, r.to.as_deref()) {
            (Some(c), _) => self.store.reader().conversation_address(c)?.map(|(n, _)| n),
            (None, Some(to)) => Some(to.to_string()),
            (None, None) => None,
        };
        let Some(to) = to else {
            return self.refuse_request(&r, None, RefusalReason::NoConversation, now);
        };
        let hours = self
            .config
            .as_ref()
            .map_or(24, |c| c.settings.sync.reply_expiry_hours);
        // A desktop's clock may run ahead; a reply is never younger than it can be here.
        let written = r.requested_at.min(now);
        let expires = written
            .saturating_add(jiff::SignedDuration::from_hours(i64::from(hours)))
            .unwrap_or(written);
        if now > expires {
            tracing::warn!(request = %r.id, "reply reached the phone too late; not sent");
            let why = format!(
                "expired: this reply reached the phone more than {hours} hours after it was written, so it was not sent; send it again if it still applies"
            );
            return self.fail_request(&r, &to, &why, now);
        }
        let intent = ReplyIntent {
            key: Some(&r.key),
            conversation: r.conversation,
            to: &to,
            body: &r.body,
        };
        match self.accept_reply(&intent, now)? {
            Err(reason) => self.refuse_request(&r, Some(&to), reason, now),
            Ok((_, booked)) => Ok(booked),
        }
    }

    /// Records why a desktop reply was refused, so every desktop sees it: as a failed
    /// message in the conversation it answers, or, when the phone has no conversation with
    /// that number, on the request itself (a desktop cannot make the phone start a
    /// conversation, not even a failed one).
    fn refuse_request(
        &mut self,
        r: &PendingRequest,
        to: Option<&str>,
        reason: RefusalReason,
        now: Timestamp,
    ) -> Result<Vec<Outcome>, EngineError> {
        tracing::info!(request = %r.id, reason = reason.as_str(), "reply refused");
        let refused = Outcome::Refused {
            at: now,
            to: to.or(r.to.as_deref()).unwrap_or_default().to_string(),
            reason,
        };
        let mut out = match to {
            Some(to) => self.fail_request(r, to, &reason.describe(), now)?,
            None => Vec::new(),
        };
        if out.is_empty() {
            self.store.write(now, "reply_refused", |tx| {
                tx.refuse_request(&r.origin, &r.id, reason)
            })?;
        }
        out.insert(0, refused);
        Ok(out)
    }

    /// Records a desktop reply as failed in the conversation it belongs to (so every
    /// desktop sees why), without sending it. Returns nothing when the phone has no
    /// conversation with `to`.
    fn fail_request(
        &mut self,
        r: &PendingRequest,
        to: &str,
        why: &str,
        now: Timestamp,
    ) -> Result<Vec<Outcome>, EngineError> {
        let conversation = match r.conversation {
            Some(c) if self.store.reader().conversation_address(c)?.is_some() => Some(c),
            _ => {
                let region = self.limits().region;
                match classify(to, region) {
                    Sender::Number(n) => self
                        .store
                        .reader()
                        .latest_conversation(n.as_str())?
                        .map(|(c, _)| c),
                    _ => None,
                }
            }
        };
        let Some(conversation) = conversation else {
            return Ok(Vec::new());
        };
        let id = self.store.write(now, "reply_failed", |tx| {
            tx.insert_message(&NewMessage {
                conversation_id: conversation,
                direction: Direction::Outbound,
                kind: MessageKind::Reply,
                body: &r.body,
                status: MessageStatus::Failed,
                created_at: now,
                due_at: None,
                left_at: None,
                source_id: Some(&r.key),
                failure: Some(why),
            })
        })?;
        Ok(id
            .map(|message_id| Outcome::Failed {
                at: now,
                message_id,
                reason: why.to_string(),
            })
            .into_iter()
            .collect())
    }

    /// The outbound policy's settings in force (the defaults' until settings are given).
    fn limits(&self) -> outbound::Limits {
        match &self.config {
            Some(c) => c.limits.clone(),
            None => outbound::Limits {
                region: Default::default(),
                allowed_countries: Vec::new(),
                parts_per_window: Settings::default().limits.max_per_30_minutes,
                replies_per_hour: Settings::default().limits.replies_per_desktop_per_hour,
            },
        }
    }

    /// Checks a person's reply against the outbound policy and, when it may go, queues it
    /// in its conversation (the outbox sends it when the volume window and its desktop's
    /// budget allow). Returns the queued message (`None` when the same request was queued
    /// before) with what sending the assistant's draft booked, or why it may not be sent.
    fn accept_reply(
        &mut self,
        intent: &ReplyIntent<'_>,
        now: Timestamp,
    ) -> Result<Result<Accepted, RefusalReason>, EngineError> {
        let limits = self.limits();
        let Sender::Number(number) = classify(intent.to, limits.region) else {
            return Ok(Err(RefusalReason::InvalidNumber));
        };
        if let Err(reason) = outbound::check_body(intent.body) {
            return Ok(Err(reason));
        }
        let reader = self.store.reader();
        if reader.is_opted_out(number.as_str())? {
            return Ok(Err(RefusalReason::OptedOut));
        }
        if let Err(reason) = outbound::check_recipient(&limits, &number) {
            return Ok(Err(reason));
        }
        if !reader.heard_from(number.as_str())? {
            return Ok(Err(RefusalReason::NoConversation));
        }
        // The line is the conversation's: a desktop never picks the SIM.
        let line = match intent.conversation {
            Some(c) => reader.conversation_address(c)?.map(|(_, line)| line),
            None => reader
                .latest_conversation(number.as_str())?
                .map(|(_, line)| line),
        }
        .unwrap_or_default();
        let queued = self.store.write(now, "reply_requested", |tx| {
            let conversation = tx.touch_conversation(&line, number.as_str(), now)?;
            let id = queue_message_with_source(
                tx,
                conversation,
                MessageKind::Reply,
                intent.body,
                now,
                now,
                intent.key,
            )?;
            if id.is_some() {
                cancel_queued(
                    tx,
                    &number,
                    &[MessageKind::FollowUp],
                    SkipReason::InConversation,
                    now,
                )?;
            }
            Ok(id.map(|id| (id, conversation)))
        })?;
        let Some((id, conversation)) = queued else {
            return Ok(Ok((None, Vec::new()))); // Already handled: a request is sent once.
        };
        // A person sending the assistant's draft as written books the slot it proposed.
        let booked = self.draft_sent(conversation, intent.body, now)?;
        self.person_took_over(conversation, now)?;
        Ok(Ok((Some(id), booked)))
    }

    /// On a first start, passes over the call log's history up to `log_id`: those calls
    /// ended before Ringback ran and are not recorded. Does nothing once a cursor exists;
    /// returns whether it moved the cursor.
    pub fn start_call_log_after(&mut self, log_id: i64) -> Result<bool, EngineError> {
        if self.store.reader().call_log_cursor()?.is_some() {
            return Ok(false);
        }
        let now = self.ports.clock.now();
        self.store
            .write(now, "call_log_started", |tx| tx.set_call_log_cursor(log_id))?;
        Ok(true)
    }

    /// Handles a platform event, then sends whatever has become due.
    pub fn handle(&mut self, event: PlatformEvent) -> Result<Vec<Outcome>, EngineError> {
        let mut outcomes = match event {
            PlatformEvent::CallLogChanged => self.read_call_log()?,
            PlatformEvent::CallEnded(call) => self.record_calls(&[call])?,
            PlatformEvent::SmsReceived(sms) => self.receive(sms)?,
            PlatformEvent::OwnerTexted(sms) => {
                self.owner_texted(sms)?;
                Vec::new()
            }
            PlatformEvent::SmsSent { message_id, result } => {
                self.sent_report(message_id, result)?
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

    fn read_call_log(&mut self) -> Result<Vec<Outcome>, EngineError> {
        let cursor = self.store.reader().call_log_cursor()?;
        let mut entries = self
            .ports
            .call_log
            .entries_since(cursor)
            .map_err(EngineError::CallLog)?;
        entries.sort_by_key(|c| c.log_id);
        entries.retain(|c| cursor.is_none_or(|cur| c.log_id > cur));
        self.record_calls(&entries)
    }

    /// Records calls in batches, one transaction each, and moves the cursor past them.
    fn record_calls(&mut self, calls: &[EndedCall]) -> Result<Vec<Outcome>, EngineError> {
        let mut outcomes = Vec::new();
        let now = self.now();
        for batch in calls.chunks(INGEST_BATCH) {
            let last = batch.iter().map(|c| c.log_id).max().unwrap_or(0);
            let config = self.config.as_ref();
            let region = config.map(|c| c.region).unwrap_or_default();
            if self.callers.len() > CALLER_CACHE {
                self.callers.clear();
            }
            let callers = &mut self.callers;
            // The contacts port (a query through JNI on Android) is asked before the write
            // transaction, never inside it, so the store is not held for as long as the
            // platform takes; only calls not recorded before are looked up, once a number.
            let mut names: HashMap<PhoneNumber, Option<String>> = HashMap::new();
            let reader = self.store.reader();
            for call in batch {
                let caller = callers
                    .entry(call.number.clone())
                    .or_insert_with(|| classify(&call.number, region));
                if let Some(number) = caller.number()
                    && !names.contains_key(number)
                    && reader.call_decision(call.log_id)?.is_none()
                {
                    let name = self.ports.contacts.lookup(number).ok().flatten();
                    names.insert(number.clone(), name);
                }
            }
            let callers = &self.callers;
            let mut produced = self.store.write(now, "calls_recorded", |tx| {
                let mut out = Vec::new();
                for call in batch {
                    let caller = callers
                        .get(&call.number)
                        .cloned()
                        .unwrap_or_else(|| classify(&call.number, region));
                    let name = caller
                        .number()
                        .and_then(|n| names.get(n))
                        .and_then(Option::as_deref);
                    out.extend(record_call(tx, config, name, call, &caller, now)?);
                }
                if tx
                    .reader()
                    .call_log_cursor()?
                    .is_none_or(|cursor| last > cursor)
                {
                    tx.set_call_log_cursor(last)?;
                }
                Ok(out)
            })?;
            outcomes.append(&mut produced);
        }
        Ok(outcomes)
    }

    /// How far apart Ringback's own send and the provider's copy of it may be.
    const OWN_COPY_WINDOW: SignedDuration = SignedDuration::from_hours(24);

    fn owner_texted(&mut self, sms: OwnerSms) -> Result<(), EngineError> {
        let region = self.config.as_ref().map(|c| c.region).unwrap_or_default();
        let Sender::Number(number) = classify(&sms.to, region) else {
            return Ok(()); // Short codes and the like are no lead's conversation.
        };
        let took_over = self.store.write(sms.at, "owner_texted", |tx| {
            let reader = tx.reader();
            // Only a number Ringback already talks with: the owner's private texts stay private.
            let Some((_, known_line)) = reader.latest_conversation(number.as_str())? else {
                return Ok(None);
            };
            let since = sms.at - Self::OWN_COPY_WINDOW;
            if reader.sent_by_ringback(number.as_str(), &sms.body, since)? {
                return Ok(None); // The provider's copy of a text Ringback sent.
            }
            let line = if reader.has_conversation(&sms.line, number.as_str())? {
                sms.line.clone()
            } else {
                known_line
            };
            let conversation = tx.touch_conversation(&line, number.as_str(), sms.at)?;
            let inserted = tx.insert_message(&NewMessage {
                conversation_id: conversation,
                direction: Direction::Outbound,
                kind: MessageKind::FromPhone,
                body: &sms.body,
                status: MessageStatus::Sent,
                created_at: sms.at,
                due_at: None,
                left_at: Some(sms.at),
                source_id: Some(&sms.source_id),
                failure: None,
            })?;
            if inserted.is_some() {
                tracing::info!(to = %number.masked(), "owner texted from the phone's messaging app");
                // The owner is talking with them: no automatic follow-up on top.
                cancel_queued(
                    tx,
                    &number,
                    &[MessageKind::FollowUp],
                    SkipReason::InConversation,
                    sms.at,
                )?;
                return Ok(Some(conversation));
            }
            Ok(None)
        })?;
        if let Some(conversation) = took_over {
            self.person_took_over(conversation, sms.at)?;
        }
        Ok(())
    }

    fn receive(&mut self, sms: InboundSms) -> Result<Vec<Outcome>, EngineError> {
        let region = self.config.as_ref().map(|c| c.region).unwrap_or_default();
        let sender = classify(&sms.from, region);
        let key = match &sender {
            Sender::Number(n) => n.as_str().to_string(),
            Sender::Withheld => "withheld".to_string(),
            other => other.shown(sms.from.trim()),
        };
        let config = self.config.as_ref();
        let mut ask = None;
        let mut paused = None;
        let mut outcomes = self.store.write(sms.at, "sms_received", |tx| {
            let conversation = tx.touch_conversation(&sms.line, &key, sms.at)?;
            let inserted = tx.insert_message(&NewMessage {
                conversation_id: conversation,
                direction: Direction::Inbound,
                kind: MessageKind::Inbound,
                body: &sms.body,
                status: MessageStatus::Received,
                created_at: sms.at,
                due_at: None,
                left_at: None,
                source_id: sms.source_id.as_deref(),
                failure: None,
            })?;
            if inserted.is_none() {
                return Ok(Vec::new()); // The same text reported twice.
            }
            tx.mark_engaged(conversation)?;
            let Sender::Number(number) = &sender else {
                return Ok(Vec::new()); // Short codes and the like are never answered.
            };
            tracing::info!(from = %number.masked(), "text received");
            cancel_queued(
                tx,
                number,
                &[MessageKind::FollowUp],
                SkipReason::InConversation,
                sms.at,
            )?;
            let Some(config) = config else {
                return opt_out::without_settings(tx, number, &sms.body, sms.at);
            };
            let name = tx.reader().contact_name(number.as_str())?;
            let queue = |kind: MessageKind, template: &CheckedTemplate| {
                queue_message(
                    tx,
                    conversation,
                    kind,
                    &template.render(config.business_name(), name.as_deref()),
                    sms.at,
                    sms.at,
                )
            };
            let mut out = Vec::new();
            match read_inbound(config, &sms.body) {
                InboundIntent::OptOut => {
                    if tx.opt_out(number.as_str(), sms.at)? {
                        tracing::info!(from = %number.masked(), "opted out");
                        out = cancel_queued(
                            tx,
                            number,
                            &opt_out::AUTOMATED,
                            SkipReason::OptedOut,
                            sms.at,
                        )?;
                        tx.settle_opt_out_review(number.as_str(), sms.at)?;
                        queue(MessageKind::OptOutConfirmation, &config.opt_out_template)?;
                    }
                }
                InboundIntent::LikelyOptOut => {
                    out = opt_out::pause_for_review(tx, number, sms.at)?;
                    paused = Some(conversation);
                }
                InboundIntent::OptIn => {
                    // The number's own START settles a pause too.
                    tx.settle_opt_out_review(number.as_str(), sms.at)?;
                    if tx.opt_in(number.as_str())? {
                        tracing::info!(from = %number.masked(), "opted back in");
                        queue(MessageKind::OptInConfirmation, &config.opt_in_template)?;
                    }
                }
                InboundIntent::Help => {
                    queue(MessageKind::Help, &config.help_template)?;
                }
                InboundIntent::Keyword(word) => {
                    if let (false, false, Some(template)) = (
                        tx.reader().is_opted_out(number.as_str())?,
                        tx.reader().automation_paused(number.as_str())?,
                        config.keyword(&word),
                    ) {
                        queue(MessageKind::Keyword, template)?;
                    }
                }
                InboundIntent::Conversation => ask = Some((conversation, number.clone())),
            }
            Ok(out)
        })?;
        if let Some(conversation) = paused {
            self.assistant_paused(conversation, sms.at)?;
        }
        if let Some((conversation, number)) = ask {
            outcomes.extend(self.assistant_after_inbound(
                conversation,
                &number,
                &sms.body,
                sms.at,
            )?);
        }
        Ok(outcomes)
    }

    /// Sends a reply a person wrote (the scenario runner's desktop replies), through the
    /// same outbound policy as every text: refused when the number cannot or may not be
    /// texted, else queued and sent when the volume window allows.
    pub fn reply(&mut self, request: ReplyRequest) -> Result<Vec<Outcome>, EngineError> {
        let now = self.now();
        let intent = ReplyIntent {
            key: request.request_id.as_deref(),
            conversation: None,
            to: &request.to,
            body: &request.body,
        };
        match self.accept_reply(&intent, now)? {
            Err(reason) => {
                let shown = classify(&request.to, self.limits().region).shown(&request.to);
                Ok(vec![Outcome::Refused {
                    at: now,
                    to: shown,
                    reason,
                }])
            }
            Ok((_, booked)) => {
                let mut outcomes = self.run_due()?;
                outcomes.extend(booked);
                Ok(outcomes)
            }
        }
    }

    fn hand_to_platform(
        &mut self,
        request: SendRequest,
        kind: MessageKind,
        now: Timestamp,
    ) -> Result<Outcome, EngineError> {
        tracing::info!(
            message = request.message_id.0,
            kind = kind.as_str(),
            "sending text"
        );
        match self.ports.telephony.send(&request) {
            Ok(()) => Ok(Outcome::Sent {
                at: now,
                message_id: request.message_id,
                to: request.to,
                body: request.body,
                kind,
                line: request.line,
            }),
            Err(error) => {
                let reason = error.to_string();
                tracing::warn!(message = request.message_id.0, %reason, "text not sent");
                self.store.write(now, "send_failed", |tx| {
                    tx.advance_status(
                        request.message_id,
                        MessageStatus::Failed,
                        Some(&reason),
                        None,
                    )
                })?;
                Ok(Outcome::Failed {
                    at: now,
                    message_id: request.message_id,
                    reason,
                })
            }
        }
    }

    fn sent_report(
        &mut self,
        id: MessageId,
        result: Result<(), SendError>,
    ) -> Result<Vec<Outcome>, EngineError> {
        let now = self.now();
        let (status, failure) = match &result {
            Ok(()) => (MessageStatus::Sent, None),
            Err(e) => (MessageStatus::Failed, Some(e.to_string())),
        };
        self.store.write(now, "sms_sent_report", |tx| {
            tx.advance_status(id, status, failure.as_deref(), None)
        })?;
        Ok(match failure {
            Some(reason) => vec![Outcome::Failed {
                at: now,
                message_id: id,
                reason,
            }],
            None => Vec::new(),
        })
    }

    fn delivery_report(
        &mut self,
        id: MessageId,
        status: DeliveryStatus,
    ) -> Result<(), EngineError> {
        let next = match status {
            DeliveryStatus::Delivered => MessageStatus::Delivered,
            DeliveryStatus::Failed => MessageStatus::Failed,
            DeliveryStatus::Pending => return Ok(()),
        };
        let failure = (next == MessageStatus::Failed).then_some(
            "the network could not deliver the text; the number may be a landline or switched off",
        );
        let now = self.now();
        self.store.write(now, "sms_delivery_report", |tx| {
            tx.advance_status(id, next, failure, None)
        })?;
        Ok(())
    }

    fn contact_changed(&mut self, number: &str, name: Option<&str>) -> Result<(), EngineError> {
        let region = self.config.as_ref().map(|c| c.region).unwrap_or_default();
        let Sender::Number(number) = classify(number, region) else {
            return Ok(()); // A contact without a textable number changes nothing here.
        };
        let now = self.now();
        self.store.write(now, "contact_changed", |tx| {
            tx.set_contact(number.as_str(), name.unwrap_or_default(), now)
        })?;
        Ok(())
    }

    /// When the engine next has something to do (a text due, or the volume window freeing
    /// up for the first in line), if anything is waiting.
    pub fn next_wake(&self) -> Result<Option<Timestamp>, EngineError> {
        let reader = self.store.reader();
        let Some(head) = reader.outbox_head()? else {
            return Ok(None);
        };
        let at = head.due_at.max(self.now());
        if self.config.is_none() {
            return Ok(Some(at));
        }
        let parts = outbound::check_body(&head.body).unwrap_or(1);
        let since = at.saturating_sub(outbound::VOLUME_WINDOW).unwrap_or(at);
        Ok(Some(outbound::volume_slot(
            at,
            &reader.sent_parts_since(since)?,
            self.limits().parts_per_window,
            parts,
        )))
    }

    /// What the outbound policy says about the first text in line, now.
    fn verdict(&self, head: &OutboxEntry, now: Timestamp) -> Result<Verdict, EngineError> {
        let limits = self.limits();
        let reader = self.store.reader();
        let parts = match outbound::check_body(&head.body) {
            Ok(parts) => parts,
            Err(reason) => return Ok(Verdict::Refuse(reason)),
        };
        let Sender::Number(number) = classify(&head.to, limits.region) else {
            return Ok(Verdict::Refuse(RefusalReason::InvalidNumber));
        };
        if let Err(reason) = outbound::check_recipient(&limits, &number) {
            return Ok(Verdict::Refuse(reason));
        }
        if let (MessageKind::Reply, Some(origin)) = (head.kind, head.requested_by.as_deref()) {
            let since = now
                .saturating_sub(outbound::REPLY_BUDGET_WINDOW)
                .unwrap_or(now);
            let until = outbound::budget_slot(
                now,
                &reader.replies_left_since(origin, since)?,
                limits.replies_per_hour,
            );
            if until > now {
                return Ok(Verdict::Hold {
                    reason: HoldReason::ReplyBudget,
                    until,
                });
            }
        }
        let since = now.saturating_sub(outbound::VOLUME_WINDOW).unwrap_or(now);
        let until = outbound::volume_slot(
            now,
            &reader.sent_parts_since(since)?,
            limits.parts_per_window,
            parts,
        );
        if until > now {
            return Ok(Verdict::Hold {
                reason: HoldReason::VolumeLimit,
                until,
            });
        }
        Ok(Verdict::Send)
    }

    /// Sends every queued text that is due and that the outbound policy lets go, oldest
    /// first. A text held by the volume window holds everything behind it; a reply held by
    /// its desktop's budget steps out of line until the budget allows; a text the policy
    /// refuses fails (a reply) or is withdrawn (an automated text), with the reason.
    pub fn run_due(&mut self) -> Result<Vec<Outcome>, EngineError> {
        let mut outcomes = Vec::new();
        loop {
            let now = self.now();
            let Some(head) = self.store.reader().outbox_head()? else {
                break;
            };
            if head.due_at > now {
                break;
            }
            let Some(config) = self.config.as_ref() else {
                break;
            };
            // Opted out, paused after a likely opt-out, or (a follow-up) already in touch.
            if let Some(reason) = self.withheld(&head, now)? {
                self.store.write(now, "outbox_fired", |tx| {
                    opt_out::withhold(tx, &head, reason)
                })?;
                if head.kind == MessageKind::TextBack {
                    outcomes.push(Outcome::Skipped {
                        at: now,
                        from: head.to,
                        reason,
                    });
                }
                continue;
            }
            match self.verdict(&head, now)? {
                Verdict::Send => {}
                Verdict::Hold { reason, until } => {
                    let held = match reason {
                        HoldReason::VolumeLimit => self.hold_the_line(&head, until, now)?,
                        HoldReason::ReplyBudget => {
                            let newly = self.store.write(now, "outbox_held", |tx| {
                                tx.hold_message(head.id, reason, until)
                            })?;
                            if newly {
                                vec![(head.id, head.to.clone(), until)]
                            } else {
                                Vec::new()
                            }
                        }
                    };
                    for (message_id, to, until) in held {
                        tracing::info!(
                            message = message_id.0,
                            reason = reason.as_str(),
                            %until,
                            "text held by the outbound policy"
                        );
                        outcomes.push(Outcome::Held {
                            at: now,
                            message_id,
                            to,
                            reason,
                            until,
                        });
                    }
                    match reason {
                        // Everything behind it waits for the same window.
                        HoldReason::VolumeLimit => break,
                        // Due again when its budget allows; the rest go on.
                        HoldReason::ReplyBudget => continue,
                    }
                }
                Verdict::Refuse(reason) => {
                    outcomes.extend(self.withdraw(&head, reason, now)?);
                    continue;
                }
            }
            let follow_ups: Vec<(Timestamp, String)> = if head.kind == MessageKind::TextBack {
                let name = self.store.reader().contact_name(&head.to)?;
                config
                    .follow_ups
                    .iter()
                    .map(|(delay, template)| {
                        (
                            rules::follow_up_due(config, now, *delay),
                            template.render(config.business_name(), name.as_deref()),
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            };
            self.store.write(now, "outbox_fired", |tx| {
                // Committed before the platform is called: after a crash this text shows
                // as unconfirmed and is never sent again on its own.
                tx.advance_status(head.id, MessageStatus::Sending, None, Some(now))?;
                for (due, body) in &follow_ups {
                    queue_message(
                        tx,
                        head.conversation_id,
                        MessageKind::FollowUp,
                        body,
                        now,
                        *due,
                    )?;
                }
                Ok(())
            })?;
            let request = SendRequest {
                message_id: head.id,
                line: head.line,
                to: head.to,
                body: head.body,
            };
            outcomes.push(self.hand_to_platform(request, head.kind, now)?);
        }
        Ok(outcomes)
    }

    /// The volume window holds the first text in line, so every text due behind it waits
    /// too. Each is marked once, so every desktop shows why it has not left, with when it
    /// leaves if nothing else changes (the window projected forward, the texts before it
    /// sent at their turn). Marks go in transactions of a bounded size, so a long line
    /// never makes an op too large to sync. Returns the texts newly marked.
    fn hold_the_line(
        &mut self,
        head: &OutboxEntry,
        until: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<(MessageId, String, Timestamp)>, EngineError> {
        if !self.store.reader().any_waiting_unmarked(now)? {
            return Ok(Vec::new());
        }
        let since = now.saturating_sub(outbound::VOLUME_WINDOW).unwrap_or(now);
        let mut recent = self.store.reader().sent_parts_since(since)?;
        let max = self.limits().parts_per_window;
        let parts = |body: &str| outbound::check_body(body).unwrap_or(1);
        let mut at = now;
        let mut unmarked = Vec::new();
        for (id, to, body, marked) in self.store.reader().waiting_in_line(now)? {
            at = if id == head.id {
                until
            } else {
                outbound::volume_slot(at, &recent, max, parts(&body))
            };
            recent.push((at, parts(&body)));
            if !marked {
                unmarked.push((id, to, at));
            }
        }
        let mut newly = Vec::new();
        for chunk in unmarked.chunks(MARK_AT_ONCE) {
            newly.extend(self.store.write(now, "outbox_held", |tx| {
                let mut newly = Vec::new();
                for (id, to, until) in chunk {
                    if tx.hold_message(*id, HoldReason::VolumeLimit, *until)? {
                        newly.push((*id, to.clone(), *until));
                    }
                }
                Ok(newly)
            })?);
        }
        Ok(newly)
    }

    /// Takes a queued text the policy refuses out of line: a person's reply fails with the
    /// reason (every desktop shows it); an automated text is withdrawn, and a withdrawn
    /// text-back turns its call's decision into a skip.
    fn withdraw(
        &mut self,
        head: &OutboxEntry,
        reason: RefusalReason,
        now: Timestamp,
    ) -> Result<Vec<Outcome>, EngineError> {
        tracing::warn!(
            message = head.id.0,
            reason = reason.as_str(),
            "text refused by the outbound policy"
        );
        let why = reason.describe();
        let (status, skip) = match (head.kind, reason) {
            (MessageKind::Reply, _) => (MessageStatus::Failed, None),
            (MessageKind::TextBack, RefusalReason::PremiumRate) => {
                (MessageStatus::Cancelled, Some(SkipReason::PremiumRate))
            }
            (MessageKind::TextBack, RefusalReason::International) => {
                (MessageStatus::Cancelled, Some(SkipReason::International))
            }
            (MessageKind::TextBack, RefusalReason::InvalidNumber) => {
                (MessageStatus::Cancelled, Some(SkipReason::InvalidNumber))
            }
            _ => (MessageStatus::Cancelled, None),
        };
        self.store.write(now, "outbox_refused", |tx| {
            tx.advance_status(head.id, status, Some(&why), None)?;
            if let Some(skip) = skip {
                tx.set_call_skipped_for_message(head.id, skip.as_str())?;
            }
            Ok(())
        })?;
        let mut out = vec![Outcome::Refused {
            at: now,
            to: head.to.clone(),
            reason,
        }];
        if status == MessageStatus::Failed {
            out.push(Outcome::Failed {
                at: now,
                message_id: head.id,
                reason: why,
            });
        }
        Ok(out)
    }
}

fn queue_message(
    tx: &WriteTx<'_>,
    conversation: ConversationId,
    kind: MessageKind,
    body: &str,
    created_at: Timestamp,
    due_at: Timestamp,
) -> Result<Option<MessageId>, StoreError> {
    queue_message_with_source(tx, conversation, kind, body, created_at, due_at, None)
}

/// Queues a message that carries a source id (a request's key): `None` when a message
/// with that id exists already.
fn queue_message_with_source(
    tx: &WriteTx<'_>,
    conversation: ConversationId,
    kind: MessageKind,
    body: &str,
    created_at: Timestamp,
    due_at: Timestamp,
    source_id: Option<&str>,
) -> Result<Option<MessageId>, StoreError> {
    tx.insert_message(&NewMessage {
        conversation_id: conversation,
        direction: Direction::Outbound,
        kind,
        body,
        status: MessageStatus::Queued,
        created_at,
        due_at: Some(due_at),
        left_at: None,
        source_id,
        failure: None,
    })
}

/// Cancels queued texts of `kinds` to `number`; a cancelled text-back is reported as
/// skipped (with `reason`) and its call's decision changes with it.
fn cancel_queued(
    tx: &WriteTx<'_>,
    number: &PhoneNumber,
    kinds: &[MessageKind],
    reason: SkipReason,
    at: Timestamp,
) -> Result<Vec<Outcome>, StoreError> {
    let mut out = Vec::new();
    for (id, kind) in tx.queued_to(number.as_str(), kinds)? {
        tx.advance_status(id, MessageStatus::Cancelled, Some(reason.as_str()), None)?;
        if kind == MessageKind::TextBack {
            tx.set_call_skipped_for_message(id, reason.as_str())?;
            out.push(Outcome::Skipped {
                at,
                from: number.as_str().to_string(),
                reason,
            });
        }
    }
    Ok(out)
}

/// Decides about one call-log entry and records the decision (and a queued text-back) in
/// the open transaction; `contact` is the caller's name in the phone's contacts, looked up
/// before. A call recorded before is ignored.
fn record_call(
    tx: &WriteTx<'_>,
    config: Option<&Config>,
    contact: Option<&str>,
    call: &EndedCall,
    caller: &Sender,
    now: Timestamp,
) -> Result<Vec<Outcome>, StoreError> {
    if tx.reader().call_decision(call.log_id)?.is_some() {
        return Ok(Vec::new());
    }
    let number = caller.number();
    let conversation = match number {
        Some(n) => {
            if let Some(name) = contact {
                tx.set_contact(n.as_str(), name, call.ended_at)?;
            }
            Some(tx.touch_conversation(&call.line, n.as_str(), call.ended_at)?)
        }
        None => None,
    };
    // Only a trigger outcome needs the number's history.
    let history = match number {
        Some(n) if call.outcome.is_trigger_outcome() => tx.reader().number_history(n)?,
        _ => Default::default(),
    };
    let decision = match config {
        Some(config) => rules::too_late(
            config,
            decide_call(config, call.outcome, caller, call.ended_at, &history),
            call.ended_at,
            now,
        ),
        None if call.outcome.is_trigger_outcome() => CallDecision::Skip(SkipReason::Disabled),
        None => CallDecision::NotApplicable,
    };
    let number_str = number.map(PhoneNumber::as_str);
    let mut out = Vec::new();
    match decision {
        CallDecision::NotApplicable => {
            tx.insert_call(call, number_str, conversation, None, None)?;
            if let (Some(n), true) = (number, call.outcome.is_conversation()) {
                out = cancel_queued(
                    tx,
                    n,
                    &[MessageKind::TextBack, MessageKind::FollowUp],
                    SkipReason::ResolvedByCall,
                    call.ended_at,
                )?;
            }
        }
        CallDecision::Skip(reason) => {
            tx.insert_call(
                call,
                number_str,
                conversation,
                Some("skipped"),
                Some(reason.as_str()),
            )?;
            tracing::info!(reason = reason.as_str(), "missed call: no text");
            out.push(Outcome::Skipped {
                at: call.ended_at,
                from: caller.shown(&call.number),
                reason,
            });
        }
        CallDecision::TextBack { due, template } => {
            let (Some(config), Some(conversation)) = (config, conversation) else {
                return Ok(out);
            };
            let call_id = tx.insert_call(
                call,
                number_str,
                conversation.into(),
                Some("text_back"),
                None,
            )?;
            let template = match template {
                TextBackTemplate::BusinessHours => &config.business_hours_template,
                TextBackTemplate::AfterHours => &config.after_hours_template,
            };
            let body = template.render(config.business_name(), history.contact_name.as_deref());
            let id = queue_message(
                tx,
                conversation,
                MessageKind::TextBack,
                &body,
                call.ended_at,
                due,
            )?;
            if let Some(id) = id {
                tx.link_call_message(call_id, id)?;
            }
            tracing::info!(due = %due, "missed call: text-back scheduled");
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
