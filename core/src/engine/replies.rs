//! Replies a person wrote, on the phone's own desktop requests (ops) and from the scenario
//! runner: checked by the outbound policy, queued for the outbox or refused with a reason.

use jiff::Timestamp;

use super::outbox::{cancel_queued, queue_message_with_source};
use super::{Engine, EngineError, Outcome, ReplyRequest};
use crate::message::{Direction, Failure, MessageKind, MessageStatus};
use crate::outbound::{self, RefusalReason};
use crate::phone::{Sender, classify};
use crate::rules::SkipReason;
use crate::settings::Settings;
use crate::store::{ConversationId, MessageId, NewMessage, PendingRequest};

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
    /// The photos a desktop attached (their bytes fetched by hash before it is sent).
    attachments: &'a [crate::attachment::Attachment],
}

impl Engine {
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
            return self.fail_request(&r, &to, Failure::Expired { hours }, now);
        }
        let attachments = self.store.reader().request_attachments(&r.origin, &r.id)?;
        // Its photos come from the desktop over the blob link, after the request itself:
        // the reply waits for them (until it expires) rather than going without them.
        if attachments
            .iter()
            .any(|a| a.hash.is_some_and(|h| !self.blobs.has(&h)))
        {
            tracing::debug!(request = %r.id, "reply waits for its photos to reach the phone");
            return Ok(Vec::new());
        }
        let intent = ReplyIntent {
            key: Some(&r.key),
            conversation: r.conversation,
            to: &to,
            body: &r.body,
            attachments: &attachments,
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
            Some(to) => self.fail_request(r, to, Failure::Refused(reason), now)?,
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
        why: Failure,
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
                failure: Some(why.clone()),
            })
        })?;
        Ok(id
            .map(|message_id| Outcome::Failed {
                at: now,
                message_id,
                reason: why.clone(),
            })
            .into_iter()
            .collect())
    }

    /// The outbound policy's settings in force (the defaults' until settings are given).
    pub(super) fn limits(&self) -> outbound::Limits {
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
        // A photo may go without text (a picture message); text, when there is any, is
        // checked as a text's.
        let photo_only = !intent.attachments.is_empty() && intent.body.trim().is_empty();
        if !photo_only && let Err(reason) = outbound::check_body(intent.body) {
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
            if let Some(id) = id
                && !intent.attachments.is_empty()
            {
                // In the same transaction: a reply never leaves without its photos.
                tx.set_attachments(id, None, &[], intent.attachments)?;
            }
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

    /// Sends a reply a person wrote (the scenario runner's desktop replies), through the
    /// same outbound policy as every text: refused when the number cannot or may not be
    /// texted, else queued and sent when the volume window allows.
    pub fn reply(&mut self, request: ReplyRequest) -> Result<Vec<Outcome>, EngineError> {
        self.reply_with_photos(request, &[])
    }

    /// [`Engine::reply`] with photos already in the blob store, sent as a picture message
    /// (the scenario runner's replies with a `photo`).
    pub fn reply_with_photos(
        &mut self,
        request: ReplyRequest,
        attachments: &[crate::attachment::Attachment],
    ) -> Result<Vec<Outcome>, EngineError> {
        let now = self.now();
        let intent = ReplyIntent {
            key: request.request_id.as_deref(),
            conversation: None,
            to: &request.to,
            body: &request.body,
            attachments,
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
}
