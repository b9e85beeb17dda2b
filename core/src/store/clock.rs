//! The store's side of the hybrid clock. A device whose date was wrong brings its clock, and
//! the last-writer-wins values it stamped in the future, back to the present by itself; an
//! op that arrives stamped far in the future is quarantined: applied (nothing of it is
//! lost, and later ops from its device flow), its last-writer-wins changes ordered as of
//! its arrival, recorded here and reported.

use jiff::Timestamp;
use rusqlite::{Transaction, params};
use serde::Serialize;

use super::{Reader, Store, StoreError, from_ms, highest_stamp, ms};
use crate::oplog::hlc::{Hlc, HlcClock, MAX_DRIFT_MILLIS, Observed};
use crate::oplog::op::Op;

/// How many quarantined ops are remembered (the newest): enough to tell the owner which
/// device's date is wrong and since when, bounded however long it stays wrong.
const KEEP: i64 = 1000;

/// An op that arrived stamped far ahead of this device's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarantinedOp {
    /// The device that made it.
    pub origin: String,
    /// Its sequence number.
    pub seq: u64,
    /// Its stamp, as it came.
    pub hlc: Hlc,
    /// When it arrived (this device's clock).
    pub at: Timestamp,
    /// Why it was quarantined, for the owner.
    pub why: String,
}

impl Store {
    /// If the clock stands far beyond `at` (the date was wrong when this device last ran,
    /// or it was set back since), restarts it from the present and writes again, as of
    /// now, every last-writer-wins value stamped beyond the drift: otherwise this device's
    /// own later edits, and everyone else's, would lose to them until real time caught up.
    /// Writing them again as an op gives every device the same value and stamp.
    pub(super) fn recover_clock(&mut self, at: Timestamp) -> Result<(), StoreError> {
        let now = ms(at);
        if !self.clock.runs_ahead(now) {
            return Ok(());
        }
        let ahead_millis = self.clock.last().millis.saturating_sub(now);
        let up_to = now.saturating_add(MAX_DRIFT_MILLIS);
        let values: Vec<(String, String)> = self
            .conn
            .prepare("SELECT key, value FROM lww WHERE hlc_ms > ?1 ORDER BY key")?
            .query_map([up_to], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        self.clock = HlcClock::new(highest_stamp(&self.conn, &self.origin, up_to)?);
        tracing::warn!(
            ahead_millis,
            values = values.len(),
            "this device's clock had run ahead (its date was wrong); it starts again from the present"
        );
        if values.is_empty() {
            return Ok(());
        }
        let phone = self.phone_origin()?.as_deref() == Some(self.origin.as_str());
        self.write(at, "clock_recovered", |tx| {
            for (key, value) in &values {
                tx.restamp(key, value, phone)?;
            }
            Ok(())
        })
    }
}

/// Records an op that arrived stamped far ahead of this device's clock (`seen`).
pub(super) fn quarantine(
    tx: &Transaction<'_>,
    op: &Op,
    seen: &Observed,
    now: i64,
) -> Result<(), StoreError> {
    let days = seen.ahead_millis / (24 * 60 * 60 * 1000);
    let why = format!(
        "its device's clock was {days} days ahead of this one's, so its changes were ordered as of their arrival; set the date and time automatically on that device"
    );
    tx.prepare_cached(
        "INSERT INTO quarantine (origin, seq, hlc_ms, hlc_counter, at, why)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (origin, seq) DO NOTHING",
    )?
    .execute(params![
        op.origin,
        i64::try_from(op.seq).unwrap_or(i64::MAX),
        op.hlc.millis,
        i64::from(op.hlc.counter),
        now,
        why
    ])?;
    Ok(())
}

/// Forgets all but the newest quarantined ops.
pub(super) fn prune_quarantine(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM quarantine WHERE id <= (SELECT max(id) FROM quarantine) - ?1")?
        .execute([KEEP])?;
    Ok(())
}

impl Reader<'_> {
    /// The newest `limit` ops that arrived stamped far ahead of this device's clock, newest
    /// first.
    pub fn quarantined(&self, limit: u32) -> Result<Vec<QuarantinedOp>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT origin, seq, hlc_ms, hlc_counter, at, why FROM quarantine
             ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (origin, seq, millis, counter, at, why) = row?;
            Ok(QuarantinedOp {
                origin,
                seq: u64::try_from(seq).unwrap_or(0),
                hlc: Hlc {
                    millis,
                    counter: u32::try_from(counter).unwrap_or(u32::MAX),
                },
                at: from_ms(at)?,
                why,
            })
        })
        .collect()
    }
}

#[cfg(test)]
mod tests;
