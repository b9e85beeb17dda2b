//! Likely opt-outs under review: one last-writer-wins state per number (see
//! [`ReviewState`]), kept in `opt_out_reviews` with its stamp in `lww`.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use super::{Stamp, WriteTx, lww_claim};
use crate::oplog::op::Change;
use crate::opt_out::ReviewState;
use crate::store::{Reader, StoreError, from_ms, ms};

/// Where the review of a likely opt-out stands for a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OptOutReview {
    /// Its state.
    pub state: ReviewState,
    /// When the state was set.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub since: Timestamp,
}

impl WriteTx<'_> {
    /// Sets the review state of `number` as of this transaction's clock; returns the state
    /// it had.
    pub fn set_opt_out_review(
        &self,
        number: &str,
        state: ReviewState,
        at: Timestamp,
    ) -> Result<Option<ReviewState>, StoreError> {
        let before = self.reader().opt_out_review(number)?.map(|r| r.state);
        let stamp = Stamp {
            hlc: self.hlc,
            origin: self.origin,
        };
        if write_review(self.tx, number, state, ms(at), stamp)? {
            self.record(Change::OptOutReview {
                number: number.to_string(),
                state,
                at: ms(at),
            });
        }
        Ok(before)
    }

    /// Settles a review that still pauses `number` (it texted an opt-out or opt-in word
    /// itself, or its opt-out was recorded).
    pub fn settle_opt_out_review(&self, number: &str, at: Timestamp) -> Result<(), StoreError> {
        if self
            .reader()
            .opt_out_review(number)?
            .is_some_and(|r| r.state.pauses())
        {
            self.set_opt_out_review(number, ReviewState::Settled, at)?;
        }
        Ok(())
    }
}

impl Reader<'_> {
    /// The review of a likely opt-out for `number`, if it ever had one.
    pub fn opt_out_review(&self, number: &str) -> Result<Option<OptOutReview>, StoreError> {
        let row: Option<(String, i64)> = self
            .conn
            .prepare_cached("SELECT state, since FROM opt_out_reviews WHERE number = ?1")?
            .query_row([number], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(state, since)| {
            Ok(OptOutReview {
                state: ReviewState::from_name(&state)
                    .ok_or_else(|| StoreError::Corrupt(format!("opt-out review “{state}”")))?,
                since: from_ms(since)?,
            })
        })
        .transpose()
    }

    /// Whether automated texts to `number` wait for a person (a likely opt-out under
    /// review, or an opt-out decided on a desktop that the phone has not recorded yet).
    pub fn automation_paused(&self, number: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT 1 FROM opt_out_reviews
                 WHERE number = ?1 AND state IN ('pending', 'opt_out')",
            )?
            .exists([number])?)
    }

    /// Numbers a person opted out on a desktop that the phone has not recorded yet.
    pub fn opt_out_decisions(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT number FROM opt_out_reviews WHERE state = 'opt_out' ORDER BY number",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Whether `number` looks like E.164 ("+" and at most 15 digits): the only numbers
/// reviewed, and a bound on what a peer may write.
pub(crate) fn is_e164(number: &str) -> bool {
    number
        .strip_prefix('+')
        .is_some_and(|d| (1..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Applies a review state from another device. A decision counts only for a number under
/// review (a desktop decides what the phone paused), so a peer cannot fill the table.
pub(crate) fn apply_review(
    tx: &Transaction<'_>,
    number: &str,
    state: ReviewState,
    at: i64,
    stamp: Stamp<'_>,
) -> Result<(), StoreError> {
    if state.is_decision()
        && !tx
            .prepare_cached("SELECT 1 FROM opt_out_reviews WHERE number = ?1")?
            .exists([number])?
    {
        tracing::debug!("an opt-out decision for a number not under review was ignored");
        return Ok(());
    }
    write_review(tx, number, state, at, stamp)?;
    Ok(())
}

/// Writes a review state if `stamp` wins its slot; returns whether it did.
fn write_review(
    tx: &Transaction<'_>,
    number: &str,
    state: ReviewState,
    at: i64,
    stamp: Stamp<'_>,
) -> Result<bool, StoreError> {
    if !lww_claim(tx, &format!("review/{number}"), stamp, state.as_str())? {
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT INTO opt_out_reviews (number, state, since) VALUES (?1, ?2, ?3)
         ON CONFLICT (number) DO UPDATE SET state = excluded.state, since = excluded.since",
    )?
    .execute(params![number, state.as_str(), at])?;
    Ok(true)
}
