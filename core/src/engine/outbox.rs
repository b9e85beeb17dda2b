//! The outbox and its timers: what is due is handed to the platform when the outbound
//! policy allows, held or withdrawn when not; the platform's sent and delivery reports.

use jiff::Timestamp;

use super::opt_out;
use super::{DeliveryStatus, Engine, EngineError, Outcome};
use crate::message::{Direction, Failure, MessageKind, MessageStatus};
use crate::outbound::{self, HoldReason, RefusalReason, Verdict};
use crate::phone::{PhoneNumber, Sender, classify};
use crate::ports::{SendError, SendRequest};
use crate::rules::{self, SkipReason};
use crate::store::{ConversationId, MessageId, NewMessage, OutboxEntry, StoreError, WriteTx};

/// How many waiting texts one transaction marks as held by the volume window, so a long
/// line never makes one op too large to sync.
const MARK_AT_ONCE: usize = 64;

impl Engine {
    pub(super) fn hand_to_platform(
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
        let attachments = self.store.reader().attachments(request.message_id)?;
        let handed = if attachments.is_empty() {
            self.ports.telephony.send(&request)
        } else {
            self.hand_mms_to_platform(&request, &attachments)
        };
        match handed {
            Ok(()) => {
                self.retries.forget(request.message_id);
                Ok(Outcome::Sent {
                    at: now,
                    message_id: request.message_id,
                    to: request.to,
                    body: request.body,
                    kind,
                    line: request.line,
                })
            }
            // Refused at hand-over: no part of it left.
            Err(error) => self.send_failed(request.message_id, error, false, now),
        }
    }

    pub(super) fn sent_report(
        &mut self,
        id: MessageId,
        result: Result<(), SendError>,
        any_part_left: bool,
    ) -> Result<Vec<Outcome>, EngineError> {
        let now = self.now();
        match result {
            Ok(()) => {
                self.retries.forget(id);
                self.store.write(now, "sms_sent_report", |tx| {
                    tx.advance_status(id, MessageStatus::Sent, None, None)
                })?;
                Ok(Vec::new())
            }
            Err(error) => {
                let current = self.store.reader().message(id)?.map(|m| m.status);
                if current == Some(MessageStatus::Retrying) && !any_part_left {
                    // A repeated report of the attempt that already failed.
                    return Ok(Vec::new());
                }
                Ok(vec![self.send_failed(id, error, any_part_left, now)?])
            }
        }
    }

    pub(super) fn delivery_report(
        &mut self,
        id: MessageId,
        status: DeliveryStatus,
    ) -> Result<(), EngineError> {
        let next = match status {
            DeliveryStatus::Delivered => MessageStatus::Delivered,
            DeliveryStatus::Failed => MessageStatus::Failed,
            DeliveryStatus::Pending => return Ok(()),
        };
        let failure = (next == MessageStatus::Failed).then_some(&Failure::NotDelivered);
        let now = self.now();
        self.store.write(now, "sms_delivery_report", |tx| {
            tx.advance_status(id, next, failure, None)
        })?;
        Ok(())
    }

    /// When the engine next has something to do (a text due, the volume window freeing
    /// up for the first in line, a retry), if anything is waiting.
    pub fn next_wake(&self) -> Result<Option<Timestamp>, EngineError> {
        let queued = self.next_queued_wake()?;
        Ok(match (queued, self.next_retry()?) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    fn next_queued_wake(&self) -> Result<Option<Timestamp>, EngineError> {
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
    pub(super) fn verdict(
        &self,
        head: &OutboxEntry,
        now: Timestamp,
    ) -> Result<Verdict, EngineError> {
        let limits = self.limits();
        let reader = self.store.reader();
        let parts = match outbound::check_body(&head.body) {
            Ok(parts) => parts,
            // A reply of photos only is one picture message.
            Err(RefusalReason::EmptyBody)
                if head.kind == MessageKind::Reply && !reader.attachments(head.id)?.is_empty() =>
            {
                1
            }
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
        // Texts waiting to be retried are older than anything queued: they go first.
        let mut outcomes = self.run_retries()?;
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
    pub(super) fn withdraw(
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
        let why = Failure::Refused(reason);
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
                tx.set_call_skipped_for_message(head.id, skip)?;
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

pub(super) fn queue_message(
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
pub(super) fn queue_message_with_source(
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
pub(super) fn cancel_queued(
    tx: &WriteTx<'_>,
    number: &PhoneNumber,
    kinds: &[MessageKind],
    reason: SkipReason,
    at: Timestamp,
) -> Result<Vec<Outcome>, StoreError> {
    let mut out = Vec::new();
    for (id, kind) in tx.queued_to(number.as_str(), kinds)? {
        tx.advance_status(
            id,
            MessageStatus::Cancelled,
            Some(&Failure::Cancelled(reason)),
            None,
        )?;
        if kind == MessageKind::TextBack {
            tx.set_call_skipped_for_message(id, reason)?;
            out.push(Outcome::Skipped {
                at,
                from: number.as_str().to_string(),
                reason,
            });
        }
    }
    Ok(out)
}
