//! Opt-outs beyond the keywords: a likely opt-out pauses every automated text to its
//! number until a person decides on a desktop, and the phone carries out that decision.
//! The checks that keep automated texts from opted-out and paused numbers when they are
//! due live here too, so every kind of automated text is held by the same rule.

use jiff::Timestamp;

use super::outbox::cancel_queued;
use super::{Engine, EngineError, Outcome};
use crate::message::{Failure, MessageKind, MessageStatus};
use crate::opt_out::{Consent, ReviewDecision, ReviewState};
use crate::phone::{PhoneNumber, Sender, classify};
use crate::rules::SkipReason;
use crate::store::{OutboxEntry, StoreError, WriteTx};

/// The texts Ringback sends by itself: what an opt-out stops and a likely opt-out pauses.
/// (The opt-out and opt-in confirmations and the help text answer the number's own
/// request and are sent once each.)
pub(super) const AUTOMATED: [MessageKind; 4] = [
    MessageKind::TextBack,
    MessageKind::FollowUp,
    MessageKind::Keyword,
    MessageKind::Assistant,
];

/// A likely opt-out from `number`: its automated texts wait for a person (those queued
/// are cancelled as `paused`). Nothing changes for a number that opted out already.
pub(super) fn pause_for_review(
    tx: &WriteTx<'_>,
    number: &PhoneNumber,
    at: Timestamp,
) -> Result<Vec<Outcome>, StoreError> {
    if tx.reader().is_opted_out(number.as_str())? {
        return Ok(Vec::new());
    }
    // Set again even when already pending: a newer text outweighs a decision made at the
    // same time on a desktop that had not seen it.
    let before = tx.set_opt_out_review(number.as_str(), ReviewState::Pending, at)?;
    let mut out = cancel_queued(tx, number, &AUTOMATED, SkipReason::Paused, at)?;
    if !before.is_some_and(ReviewState::pauses) {
        tracing::info!(from = %number.masked(), "likely opt-out: automated texts paused for the team");
        out.push(Outcome::Paused {
            at,
            from: number.as_str().to_string(),
        });
    }
    Ok(out)
}

/// An inbound text before any valid settings: nothing is sent, but an opt-out is recorded
/// and a likely opt-out pauses, so both hold once settings arrive.
pub(super) fn without_settings(
    tx: &WriteTx<'_>,
    number: &PhoneNumber,
    body: &str,
    at: Timestamp,
) -> Result<Vec<Outcome>, StoreError> {
    match crate::opt_out::read(body) {
        Consent::OptOut => {
            tx.opt_out(number.as_str(), at)?;
            tx.settle_opt_out_review(number.as_str(), at)?;
        }
        Consent::LikelyOptOut => {
            pause_for_review(tx, number, at)?;
        }
        Consent::OptIn | Consent::Silent => {}
    }
    Ok(Vec::new())
}

/// Cancels a due text that must not leave; a text-back's call is skipped with it.
pub(super) fn withhold(
    tx: &WriteTx<'_>,
    head: &OutboxEntry,
    reason: SkipReason,
) -> Result<(), StoreError> {
    tx.advance_status(
        head.id,
        MessageStatus::Cancelled,
        Some(&Failure::Cancelled(reason)),
        None,
    )?;
    if head.kind == MessageKind::TextBack {
        tx.set_call_skipped_for_message(head.id, reason)?;
    }
    Ok(())
}

/// Records the opt-out a person decided on: no confirmation is sent (the number did not
/// text an opt-out word, and the one confirmation the rules allow must follow within
/// minutes of the request).
fn opt_out_by_team(
    tx: &WriteTx<'_>,
    number: &str,
    parsed: Option<&PhoneNumber>,
    at: Timestamp,
) -> Result<Vec<Outcome>, StoreError> {
    tx.opt_out(number, at)?;
    let out = match parsed {
        Some(n) => cancel_queued(tx, n, &AUTOMATED, SkipReason::OptedOut, at)?,
        None => Vec::new(), // Held when due: the number is opted out.
    };
    tx.set_opt_out_review(number, ReviewState::Settled, at)?;
    Ok(out)
}

impl Engine {
    /// Why a due automated text must not leave now, if it must not: the number opted
    /// out, its texts are paused, or (a follow-up) it was in touch since.
    pub(super) fn withheld(
        &self,
        head: &OutboxEntry,
        now: Timestamp,
    ) -> Result<Option<SkipReason>, EngineError> {
        if !AUTOMATED.contains(&head.kind) {
            return Ok(None);
        }
        let reader = self.store.reader();
        if reader.is_opted_out(&head.to)? {
            return Ok(Some(SkipReason::OptedOut));
        }
        if reader.automation_paused(&head.to)? {
            return Ok(Some(SkipReason::Paused));
        }
        if head.kind == MessageKind::FollowUp {
            let since = reader.message(head.id)?.map_or(now, |m| m.created_at);
            if reader.heard_from_since(&head.to, since)? {
                return Ok(Some(SkipReason::InConversation));
            }
        }
        Ok(None)
    }

    /// Records every opt-out a person decided on a desktop that the phone has not recorded
    /// yet. Run after ops arrive and when the engine starts.
    pub(super) fn carry_out_opt_out_decisions(&mut self) -> Result<Vec<Outcome>, EngineError> {
        let numbers = self.store.reader().opt_out_decisions()?;
        let mut out = Vec::new();
        if numbers.is_empty() {
            return Ok(out);
        }
        let now = self.now();
        let region = self.config.as_ref().map(|c| c.region).unwrap_or_default();
        for number in numbers {
            let parsed = PhoneNumber::parse(&number, region).ok();
            out.extend(self.store.write(now, "opted_out_by_team", |tx| {
                opt_out_by_team(tx, &number, parsed.as_ref(), now)
            })?);
            tracing::info!("a number was opted out by the team");
        }
        Ok(out)
    }

    /// A person's decision about a likely opt-out from `number`, made on the phone (a
    /// desktop's arrives as an op and is carried out by [`Engine::apply_remote`]). Nothing
    /// happens unless the number's texts are paused for review.
    pub fn decide_opt_out_review(
        &mut self,
        number: &str,
        decision: ReviewDecision,
    ) -> Result<Vec<Outcome>, EngineError> {
        let region = self.config.as_ref().map(|c| c.region).unwrap_or_default();
        let Sender::Number(number) = classify(number, region) else {
            return Ok(Vec::new());
        };
        let pending = self
            .store
            .reader()
            .opt_out_review(number.as_str())?
            .is_some_and(|r| r.state == ReviewState::Pending);
        if !pending {
            return Ok(Vec::new());
        }
        let now = self.now();
        let outcomes = match decision {
            ReviewDecision::Resume => {
                self.store.write(now, "opt_out_review_resumed", |tx| {
                    tx.set_opt_out_review(number.as_str(), ReviewState::Resumed, now)
                })?;
                tracing::info!(to = %number.masked(), "automated texts resumed by the team");
                Vec::new()
            }
            ReviewDecision::OptOut => {
                let outcomes = self.store.write(now, "opted_out_by_team", |tx| {
                    opt_out_by_team(tx, number.as_str(), Some(&number), now)
                })?;
                tracing::info!(to = %number.masked(), "opted out by the team");
                outcomes
            }
        };
        let mut outcomes = outcomes;
        outcomes.extend(self.run_due()?);
        Ok(outcomes)
    }
}

#[cfg(test)]
mod tests;
