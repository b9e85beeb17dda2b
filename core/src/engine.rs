//! The engine: platform events in, decisions stored, texts sent through the ports.
//!
//! [`Engine`] is synchronous and owns the store; every method runs to completion against
//! the clock port's `now()`. [`service`] runs it as an async task that sleeps until the next
//! timer, so the same engine runs on Android, in the simulator and on a virtual clock.

mod assistant;
pub mod service;

pub use assistant::{AssistantJob, facts};

use std::collections::HashMap;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::call::{EndedCall, Line};
use crate::message::{Direction, MessageKind, MessageStatus};
use crate::phone::{PhoneNumber, Sender, classify};
use crate::ports::{CallLog, Clock, Contacts, PortError, SendError, SendRequest, Telephony};
use crate::rules::{
    self, CallDecision, InboundIntent, SkipReason, TextBackTemplate, VOLUME_WINDOW, decide_call,
    read_inbound,
};
use crate::settings::{CheckedTemplate, Config, Settings, SettingsError};
use crate::store::{
    ApplyError, ApplyReport, ConversationId, MessageId, NewMessage, PendingRequest, Source, Store,
    StoreError, WriteTx,
};
use crate::sync::op::Op;

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

/// A desktop's request to send a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyRequest {
    /// The requester's id, so a request delivered twice is sent once.
    pub request_id: Option<String>,
    /// The recipient as typed or as shown in the inbox.
    pub to: String,
    /// The text.
    pub body: String,
    /// The line to send on; the conversation's latest when `None`.
    pub line: Option<Line>,
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

/// Why a desktop reply was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// The number texted STOP.
    OptedOut,
    /// Not a number a text can go to.
    InvalidNumber,
    /// Nothing to send.
    EmptyBody,
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
    /// A desktop reply was not sent.
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
            Some(saved) => saved.validate().ok(),
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
        };
        engine.assistant_restarted(now)?;
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
    pub fn update_settings(&mut self, patch: &serde_json::Value) -> Result<(), EngineError> {
        let base = self
            .config
            .as_ref()
            .map(|c| c.settings.clone())
            .unwrap_or_default();
        let next = base.patched(patch)?;
        self.replace_settings(next)
    }

    /// Replaces the whole settings document after checking it.
    pub fn replace_settings(&mut self, settings: Settings) -> Result<(), EngineError> {
        let config = settings.validate()?;
        let now = self.now();
        self.store.write(now, "settings_changed", |tx| {
            tx.save_settings(&settings, now)
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
        let mut outcomes = if report.requests > 0 {
            self.process_requests()?
        } else {
            Vec::new()
        };
        outcomes.extend(self.run_due()?);
        Ok((report, outcomes))
    }

    /// Acts on every desktop reply not yet acted on: sends it, or records why not. Run after
    /// ops arrive and when the engine starts, so a reply that arrived just before a crash is
    /// still sent once.
    pub fn process_requests(&mut self) -> Result<Vec<Outcome>, EngineError> {
        let mut outcomes = Vec::new();
        for request in self.store.reader().pending_requests()? {
            outcomes.extend(self.process_request(request)?);
        }
        Ok(outcomes)
    }

    fn process_request(&mut self, r: PendingRequest) -> Result<Vec<Outcome>, EngineError> {
        let now = self.now();
        let address = match r.conversation {
            Some(c) => self.store.reader().conversation_address(c)?,
            None => None,
        };
        let (to, line) = match (address, r.to.clone()) {
            (Some((number, line)), _) => (number, Some(r.line.clone().unwrap_or(line))),
            (None, Some(to)) => (to, r.line.clone()),
            (None, None) => {
                return self.fail_request(
                    &r,
                    "unknown",
                    None,
                    "the conversation this reply answers is not on the phone; write it again from the inbox",
                );
            }
        };
        let hours = self
            .config
            .as_ref()
            .map_or(24, |c| c.settings.sync.reply_expiry_hours);
        let expires = r
            .requested_at
            .saturating_add(jiff::SignedDuration::from_hours(i64::from(hours)))
            .unwrap_or(r.requested_at);
        if now > expires {
            tracing::warn!(request = %r.id, "reply reached the phone too late; not sent");
            let why = format!(
                "expired: this reply reached the phone more than {hours} hours after it was written, so it was not sent; send it again if it still applies"
            );
            return self.fail_request(&r, &to, line, &why);
        }
        let outcomes = self.reply(ReplyRequest {
            request_id: Some(r.id.clone()),
            to: to.clone(),
            body: r.body.clone(),
            line: line.clone(),
        })?;
        if let Some(Outcome::Refused { reason, .. }) = outcomes.first() {
            let why = match reason {
                RefusalReason::OptedOut => {
                    "not sent: this number texted STOP; it can be texted again after it texts START"
                }
                RefusalReason::InvalidNumber => "not sent: this is not a number a text can go to",
                RefusalReason::EmptyBody => "not sent: the reply was empty",
            };
            let mut failed = self.fail_request(&r, &to, line, why)?;
            failed.splice(0..0, outcomes);
            return Ok(failed);
        }
        Ok(outcomes)
    }

    /// Records a desktop reply as failed (so every desktop sees why), without sending it.
    fn fail_request(
        &mut self,
        r: &PendingRequest,
        to: &str,
        line: Option<Line>,
        why: &str,
    ) -> Result<Vec<Outcome>, EngineError> {
        let now = self.now();
        let region = self.config.as_ref().map(|c| c.region).unwrap_or_default();
        let key = match classify(to, region) {
            Sender::Number(n) => n.as_str().to_string(),
            other => other.shown(to.trim()),
        };
        let line = line.unwrap_or_default();
        let id = self.store.write(now, "reply_failed", |tx| {
            let conversation = tx.touch_conversation(&line, &key, now)?;
            tx.insert_message(&NewMessage {
                conversation_id: conversation,
                direction: Direction::Outbound,
                kind: MessageKind::Reply,
                body: &r.body,
                status: MessageStatus::Failed,
                created_at: now,
                due_at: None,
                left_at: None,
                source_id: Some(&r.id),
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
            let contacts = self.ports.contacts.as_ref();
            let region = config.map(|c| c.region).unwrap_or_default();
            if self.callers.len() > CALLER_CACHE {
                self.callers.clear();
            }
            let callers = &mut self.callers;
            let mut produced = self.store.write(now, "calls_recorded", |tx| {
                let mut out = Vec::new();
                for call in batch {
                    let caller = callers
                        .entry(call.number.clone())
                        .or_insert_with(|| classify(&call.number, region));
                    out.extend(record_call(tx, config, contacts, call, caller, now)?);
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
            let Some(known_line) = reader.latest_line(number.as_str())? else {
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
                if rules::is_opt_out(&sms.body) {
                    tx.opt_out(number.as_str(), sms.at)?;
                }
                return Ok(Vec::new());
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
                            &[
                                MessageKind::TextBack,
                                MessageKind::FollowUp,
                                MessageKind::Keyword,
                            ],
                            SkipReason::OptedOut,
                            sms.at,
                        )?;
                        queue(MessageKind::OptOutConfirmation, &config.opt_out_template)?;
                    }
                }
                InboundIntent::OptIn => {
                    if tx.opt_in(number.as_str())? {
                        tracing::info!(from = %number.masked(), "opted back in");
                        queue(MessageKind::OptInConfirmation, &config.opt_in_template)?;
                    }
                }
                InboundIntent::Help => {
                    queue(MessageKind::Help, &config.help_template)?;
                }
                InboundIntent::Keyword(word) => {
                    if let (false, Some(template)) = (
                        tx.reader().is_opted_out(number.as_str())?,
                        config.keyword(&word),
                    ) {
                        queue(MessageKind::Keyword, template)?;
                    }
                }
                InboundIntent::Conversation => ask = Some((conversation, number.clone())),
            }
            Ok(out)
        })?;
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

    /// Sends a desktop reply at once (never held by the volume limit), unless the number
    /// opted out or cannot take a text.
    pub fn reply(&mut self, request: ReplyRequest) -> Result<Vec<Outcome>, EngineError> {
        let now = self.now();
        let region = self.config.as_ref().map(|c| c.region).unwrap_or_default();
        let sender = classify(&request.to, region);
        let refuse = |reason| {
            Ok(vec![Outcome::Refused {
                at: now,
                to: sender.shown(&request.to),
                reason,
            }])
        };
        let Sender::Number(number) = &sender else {
            return refuse(RefusalReason::InvalidNumber);
        };
        if request.body.trim().is_empty() {
            return refuse(RefusalReason::EmptyBody);
        }
        if self.store.reader().is_opted_out(number.as_str())? {
            return refuse(RefusalReason::OptedOut);
        }
        let line = match request.line {
            Some(line) => line,
            None => self
                .store
                .reader()
                .latest_line(number.as_str())?
                .unwrap_or_default(),
        };
        let id = self.store.write(now, "reply_requested", |tx| {
            let conversation = tx.touch_conversation(&line, number.as_str(), now)?;
            let id = tx.insert_message(&NewMessage {
                conversation_id: conversation,
                direction: Direction::Outbound,
                kind: MessageKind::Reply,
                body: &request.body,
                status: MessageStatus::Sending,
                created_at: now,
                due_at: None,
                left_at: Some(now),
                source_id: request.request_id.as_deref(),
                failure: None,
            })?;
            if id.is_some() {
                cancel_queued(
                    tx,
                    number,
                    &[MessageKind::FollowUp],
                    SkipReason::InConversation,
                    now,
                )?;
            }
            Ok(id.map(|id| (id, conversation)))
        })?;
        let Some((id, conversation)) = id else {
            return Ok(Vec::new()); // Already handled: a request is sent once.
        };
        let booked = self.draft_sent(conversation, &request.body, now)?;
        self.person_took_over(conversation, now)?;
        let mut outcomes = vec![self.hand_to_platform(
            SendRequest {
                message_id: id,
                line,
                to: number.as_str().to_string(),
                body: request.body,
            },
            MessageKind::Reply,
            now,
        )?];
        outcomes.extend(booked);
        outcomes.extend(self.run_due()?);
        Ok(outcomes)
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

    /// When the engine next has something to do (a text due, or the volume limit freeing
    /// up), if anything is waiting.
    pub fn next_wake(&self) -> Result<Option<Timestamp>, EngineError> {
        let reader = self.store.reader();
        let Some(head) = reader.outbox_head()? else {
            return Ok(None);
        };
        let at = head.due_at.max(self.now());
        let max = self
            .config
            .as_ref()
            .map_or(1, |c| c.settings.limits.max_per_30_minutes);
        let since = at.saturating_sub(VOLUME_WINDOW).unwrap_or(at);
        Ok(Some(rules::earliest_slot(
            at,
            &reader.left_since(since)?,
            max,
        )))
    }

    /// Sends every queued text that is due and fits the volume limit, oldest first.
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
            let since = now.saturating_sub(VOLUME_WINDOW).unwrap_or(now);
            let recent = self.store.reader().left_since(since)?;
            if rules::earliest_slot(now, &recent, config.settings.limits.max_per_30_minutes) > now {
                break; // Held by the volume limit, and everything behind it waits its turn.
            }
            let cancel = match head.kind {
                MessageKind::FollowUp => {
                    let reader = self.store.reader();
                    let since = reader.message(head.id)?.map_or(now, |m| m.created_at);
                    reader.is_opted_out(&head.to)? || reader.heard_from_since(&head.to, since)?
                }
                MessageKind::TextBack | MessageKind::Keyword | MessageKind::Assistant => {
                    self.store.reader().is_opted_out(&head.to)?
                }
                _ => false,
            };
            let follow_ups: Vec<(Timestamp, String)> =
                if head.kind == MessageKind::TextBack && !cancel {
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
                if cancel {
                    tx.advance_status(
                        head.id,
                        MessageStatus::Cancelled,
                        Some("the caller was already in touch"),
                        None,
                    )?;
                    return Ok(());
                }
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
            if cancel {
                continue;
            }
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
}

fn queue_message(
    tx: &WriteTx<'_>,
    conversation: ConversationId,
    kind: MessageKind,
    body: &str,
    created_at: Timestamp,
    due_at: Timestamp,
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
        source_id: None,
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
/// the open transaction. A call recorded before is ignored.
fn record_call(
    tx: &WriteTx<'_>,
    config: Option<&Config>,
    contacts: &dyn Contacts,
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
            if let Ok(Some(name)) = contacts.lookup(n) {
                tx.set_contact(n.as_str(), &name, call.ended_at)?;
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
