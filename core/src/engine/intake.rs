//! What the phone takes in from each desktop: every op a desktop sends is kept on the phone
//! (it relays them to the other desktops), so a desktop that goes wrong could fill the
//! phone's storage or keep its engine busy. Each desktop origin gets a budget of ops and
//! bytes per hour; a batch past it is refused whole (the session ends and the desktop
//! keeps its ops and offers them again later, so nothing is lost).

use std::collections::{HashMap, VecDeque};

use jiff::{SignedDuration, Timestamp};

use crate::oplog::op::Op;

/// Most ops one desktop may send the phone in any hour: far above what people do (a read
/// marker per conversation opened, a reply, a note), far below what fills a phone.
pub const OPS_PER_HOUR: usize = 10_000;

/// Most bytes of ops one desktop may send the phone in any hour.
pub const BYTES_PER_HOUR: usize = 16 * 1024 * 1024;

const WINDOW: SignedDuration = SignedDuration::from_hours(1);

/// A desktop sent more than its budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverBudget {
    /// In words, with when it clears.
    pub why: String,
}

/// Per-origin intake over the last hour.
#[derive(Debug, Default)]
pub(crate) struct Intake {
    seen: HashMap<String, VecDeque<(Timestamp, usize, usize)>>,
}

impl Intake {
    /// Counts a batch from desktop `origin` in, or refuses it whole when it would take the
    /// desktop past its budget for the hour.
    pub(crate) fn admit(
        &mut self,
        origin: &str,
        ops: &[Op],
        now: Timestamp,
    ) -> Result<(), OverBudget> {
        let since = now.saturating_sub(WINDOW).unwrap_or(now);
        // Forget origins that went quiet, so the map stays as small as the active desktops.
        self.seen.retain(|_, batches| {
            while batches.front().is_some_and(|(at, _, _)| *at <= since) {
                batches.pop_front();
            }
            !batches.is_empty()
        });
        let count = ops.len();
        let bytes: usize = ops
            .iter()
            .map(|op| serde_json::to_vec(&op.changes).map_or(0, |v| v.len()))
            .sum();
        let batches = self.seen.entry(origin.to_string()).or_default();
        let (used_ops, used_bytes) = batches
            .iter()
            .fold((0, 0), |(o, b), (_, ops, bytes)| (o + ops, b + bytes));
        if used_ops + count > OPS_PER_HOUR || used_bytes + bytes > BYTES_PER_HOUR {
            let clears = batches
                .front()
                .and_then(|(at, _, _)| at.checked_add(WINDOW).ok())
                .unwrap_or(now);
            return Err(OverBudget {
                why: format!(
                    "this desktop sent the phone more than {OPS_PER_HOUR} changes or {} MB in an hour; the phone takes more from it after {clears}",
                    BYTES_PER_HOUR / (1024 * 1024)
                ),
            });
        }
        batches.push_back((now, count, bytes));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oplog::hlc::Hlc;
    use crate::oplog::op::{Change, Field};

    fn ops(origin: &str, n: usize, note: &str) -> Vec<Op> {
        (1..=n)
            .map(|seq| Op {
                origin: origin.into(),
                seq: seq as u64,
                hlc: Hlc::default(),
                changes: vec![Change::Field {
                    conversation: 1,
                    field: Field::Note(note.into()),
                }],
            })
            .collect()
    }

    #[test]
    fn a_desktop_past_its_hourly_ops_is_refused_until_the_hour_passes_and_others_go_on() {
        let mut intake = Intake::default();
        let t0: Timestamp = "2026-11-02T15:00:00Z".parse().expect("t");
        intake
            .admit("a", &ops("a", OPS_PER_HOUR - 1, "x"), t0)
            .expect("within budget");
        let over = intake
            .admit("a", &ops("a", 2, "x"), t0)
            .expect_err("over budget");
        assert!(over.why.contains("10000 changes"), "{}", over.why);
        intake
            .admit("b", &ops("b", 100, "x"), t0)
            .expect("another desktop has its own budget");
        let later = t0.checked_add(WINDOW).expect("t");
        intake
            .admit("a", &ops("a", 2, "x"), later)
            .expect("an hour later the budget is back");
    }

    #[test]
    fn bytes_count_too() {
        let mut intake = Intake::default();
        let t0: Timestamp = "2026-11-02T15:00:00Z".parse().expect("t");
        let big = "x".repeat(60 * 1024);
        let batch = ops("a", 256, &big);
        intake.admit("a", &batch, t0).expect("15 MB is within");
        intake
            .admit("a", &batch, t0)
            .expect_err("another 15 MB is not");
    }
}
