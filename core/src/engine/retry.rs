//! Texts that failed for a passing reason (no service, radio off, the "too many texts"
//! prompt, a generic carrier failure) before any part left: they wait as `retrying` and go
//! again at once when a line's service returns, else on a backoff of 1, 2, 4, 8 and then
//! every 15 minutes, while they are still timely (an automated text within
//! `text_back.late_window_minutes` of its call or its due time, a reply within
//! `sync.reply_expiry_hours` of being written). Every attempt passes the outbound policy
//! again. A text that ends up too late fails as [`Failure::NoLongerTimely`].
//!
//! The schedule lives in memory: after a restart every retrying text is tried at once and
//! its backoff starts over. A text is `sending` while the platform has it, so a crash
//! during a retry leaves it `unconfirmed`, never sent twice.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};

use super::event::ServiceState;
use super::opt_out;
use super::{Engine, EngineError, Outcome};
use crate::call::Line;
use crate::message::{Failure, MessageKind, MessageStatus};
use crate::outbound::Verdict;
use crate::ports::{SendError, SendRequest};
use crate::store::{MessageId, OutboxEntry};

/// The waits after the first, second… failed attempt; the last repeats.
const BACKOFF_MINUTES: [i64; 5] = [1, 2, 4, 8, 15];

/// How many retrying texts one pass looks at, so a long outage never makes one pass long.
const AT_ONCE: usize = 256;

/// When each retrying text is tried next, and how many attempts it has had.
#[derive(Debug, Default)]
pub(super) struct Retries {
    next: HashMap<MessageId, (u32, Timestamp)>,
}

impl Retries {
    /// Counts a failed attempt at `now`; returns when the text is tried next.
    fn failed(&mut self, id: MessageId, now: Timestamp) -> Timestamp {
        let attempts = self.next.get(&id).map_or(0, |(a, _)| *a).saturating_add(1);
        let index = usize::try_from(attempts - 1)
            .unwrap_or(usize::MAX)
            .min(BACKOFF_MINUTES.len() - 1);
        let next = now
            .saturating_add(SignedDuration::from_mins(BACKOFF_MINUTES[index]))
            .unwrap_or(now);
        self.next.insert(id, (attempts, next));
        next
    }

    /// Moves a text's next attempt to `at` (the outbound policy holds it until then).
    fn postpone(&mut self, id: MessageId, at: Timestamp) {
        let attempts = self.next.get(&id).map_or(0, |(a, _)| *a);
        self.next.insert(id, (attempts, at));
    }

    /// When a text is tried next; unknown (after a restart) means now.
    fn due(&self, id: MessageId, now: Timestamp) -> Timestamp {
        self.next.get(&id).map_or(now, |(_, at)| *at)
    }

    /// Forgets a text that left or ended.
    pub(super) fn forget(&mut self, id: MessageId) {
        self.next.remove(&id);
    }

    /// A waiting text is due now: service came back on its line.
    fn due_now(&mut self, id: MessageId, now: Timestamp) {
        if let Some((_, at)) = self.next.get_mut(&id) {
            *at = now;
        }
    }
}

impl Engine {
    /// Records that a text could not leave. A passing reason with no part gone makes a
    /// `sending` text wait to be retried; anything else (a permanent cause, a part already
    /// gone, a text that is no longer `sending`) fails it with the reason.
    pub(super) fn send_failed(
        &mut self,
        id: MessageId,
        error: SendError,
        any_part_left: bool,
        now: Timestamp,
    ) -> Result<Outcome, EngineError> {
        let reason = Failure::NotSent(error.clone());
        if error.is_passing() && !any_part_left {
            let moved = self.store.write(now, "send_retrying", |tx| {
                tx.advance_status(id, MessageStatus::Retrying, Some(&reason), None)
            })?;
            if moved {
                let next = self.retries.failed(id, now);
                tracing::warn!(message = id.0, reason = %error.brief(), %next, "text not sent; it will be retried");
                return Ok(Outcome::Retrying {
                    at: now,
                    message_id: id,
                    reason,
                    next,
                });
            }
        }
        self.retries.forget(id);
        tracing::warn!(message = id.0, reason = %reason.describe(), any_part_left, "text not sent");
        self.store.write(now, "send_failed", |tx| {
            tx.advance_status(id, MessageStatus::Failed, Some(&reason), None)
        })?;
        Ok(Outcome::Failed {
            at: now,
            message_id: id,
            reason,
        })
    }

    /// A line's service changed. Back in service, the texts waiting on that line (and those
    /// with no line, which go on the default one) are due at once; texts on another line,
    /// which may still be down, keep their backoff. A change that names no line (a phone
    /// with one line, or a platform that cannot tell) makes every waiting text due: at worst
    /// one more attempt fails and waits again.
    pub(super) fn service_changed(
        &mut self,
        line: &Line,
        state: ServiceState,
    ) -> Result<(), EngineError> {
        tracing::info!(line = %line.0, state = state.as_str(), "mobile service changed");
        if state == ServiceState::InService {
            let now = self.now();
            for (entry, _) in self.store.reader().retrying(AT_ONCE)? {
                if line.0.is_empty() || entry.line == *line || entry.line.0.is_empty() {
                    self.retries.due_now(entry.id, now);
                }
            }
        }
        Ok(())
    }

    /// The instant a retrying text stops being timely.
    fn deadline(
        &self,
        entry: &OutboxEntry,
        written: Option<Timestamp>,
        created: Timestamp,
    ) -> Timestamp {
        let settings = self.config.as_ref().map(|c| &c.settings);
        let (from, window) = match entry.kind {
            MessageKind::Reply => (
                // A desktop's clock may run ahead; a reply is never younger than it can be here.
                written.map_or(created, |w| w.min(created)),
                SignedDuration::from_hours(i64::from(
                    settings.map_or(24, |s| s.sync.reply_expiry_hours),
                )),
            ),
            // The call's end.
            MessageKind::TextBack => (created, self.late_window()),
            // A follow-up or an answer counts from when it was due.
            _ => (entry.due_at.max(created), self.late_window()),
        };
        from.saturating_add(window).unwrap_or(from)
    }

    fn late_window(&self) -> SignedDuration {
        SignedDuration::from_mins(i64::from(
            self.config
                .as_ref()
                .map_or(15, |c| c.settings.text_back.late_window_minutes),
        ))
    }

    /// When the engine next has a retry to make or a retrying text to end, if any.
    pub(super) fn next_retry(&self) -> Result<Option<Timestamp>, EngineError> {
        if self.config.is_none() {
            return Ok(None);
        }
        let now = self.now();
        let mut first: Option<Timestamp> = None;
        for (entry, written) in self.store.reader().retrying(AT_ONCE)? {
            let created = self.created_at(entry.id)?;
            let at = self
                .retries
                .due(entry.id, now)
                .min(self.deadline(&entry, written, created));
            first = Some(first.map_or(at, |f| f.min(at)));
        }
        Ok(first)
    }

    fn created_at(&self, id: MessageId) -> Result<Timestamp, EngineError> {
        let now = self.now();
        Ok(self
            .store
            .reader()
            .message(id)?
            .map_or(now, |m| m.created_at))
    }

    /// Sends again every retrying text whose time has come and that the outbound policy
    /// lets go; ends those no longer timely.
    pub(super) fn run_retries(&mut self) -> Result<Vec<Outcome>, EngineError> {
        let mut outcomes = Vec::new();
        if self.config.is_none() {
            return Ok(outcomes);
        }
        for (entry, written) in self.store.reader().retrying(AT_ONCE)? {
            let now = self.now();
            let Some(message) = self.store.reader().message(entry.id)? else {
                continue;
            };
            if now >= self.deadline(&entry, written, message.created_at) {
                let error = match message.failure {
                    Some(Failure::NotSent(error)) => error,
                    _ => SendError::NoService,
                };
                let reason = Failure::NoLongerTimely(error);
                tracing::warn!(
                    message = entry.id.0,
                    "retried text is no longer timely; not sent"
                );
                self.retries.forget(entry.id);
                self.store.write(now, "retry_ended", |tx| {
                    tx.advance_status(entry.id, MessageStatus::Failed, Some(&reason), None)
                })?;
                outcomes.push(Outcome::Failed {
                    at: now,
                    message_id: entry.id,
                    reason,
                });
                continue;
            }
            if self.retries.due(entry.id, now) > now {
                continue;
            }
            // Opted out or paused meanwhile, or (a follow-up) already in touch.
            if let Some(reason) = self.withheld(&entry, now)? {
                self.retries.forget(entry.id);
                self.store.write(now, "retry_withheld", |tx| {
                    opt_out::withhold(tx, &entry, reason)
                })?;
                if entry.kind == MessageKind::TextBack {
                    outcomes.push(Outcome::Skipped {
                        at: now,
                        from: entry.to.clone(),
                        reason,
                    });
                }
                continue;
            }
            match self.verdict(&entry, now)? {
                Verdict::Send => {}
                Verdict::Hold { until, .. } => {
                    self.retries.postpone(entry.id, until);
                    continue;
                }
                Verdict::Refuse(reason) => {
                    self.retries.forget(entry.id);
                    outcomes.extend(self.withdraw(&entry, reason, now)?);
                    continue;
                }
            }
            let moved = self.store.write(now, "retry_fired", |tx| {
                // Committed before the platform is called, as for a first attempt: after a
                // crash this text shows as unconfirmed and is never sent again on its own.
                tx.advance_status(entry.id, MessageStatus::Sending, None, Some(now))
            })?;
            if !moved {
                continue;
            }
            tracing::info!(message = entry.id.0, "retrying text");
            let request = SendRequest {
                message_id: entry.id,
                line: entry.line,
                to: entry.to,
                body: entry.body,
            };
            outcomes.push(self.hand_to_platform(request, entry.kind, now)?);
        }
        Ok(outcomes)
    }
}

#[cfg(test)]
mod tests;
