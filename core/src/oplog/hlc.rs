//! A hybrid logical clock: wall-clock milliseconds plus a counter, so that every change a
//! device makes is ordered after everything it has seen, even when clocks disagree.
//!
//! The clock never moves beyond the wall clock plus [`MAX_DRIFT_MILLIS`]: a peer's point
//! further ahead is not taken in (its change is ordered as of the moment it arrived), and a
//! clock found standing further still (the wall clock was set back, or the device's date
//! was wrong when it last ran) starts again from the present. One wrong date on one device
//! therefore costs minutes of ordering at most, never a stall until real time catches up.

use serde::{Deserialize, Serialize};

/// A point on the hybrid logical clock. Ties between devices are broken by the origin,
/// which the op carries beside it.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch (the larger of the wall clock and what was seen).
    pub millis: i64,
    /// Orders changes within one millisecond.
    pub counter: u32,
}

/// How far ahead of this device's wall clock its hybrid clock may move: a peer's point less
/// than this far ahead is taken in (ordinary disagreement between clocks set automatically);
/// a point further ahead is clamped. Minutes, so that a device whose clock is wrong outranks
/// the others' later edits for minutes at most.
pub const MAX_DRIFT_MILLIS: i64 = 5 * 60 * 1000;

/// How far the wall clock may step back under a clock at the edge of its drift before the
/// clock starts again from the present: a small correction (network time) keeps the order
/// of changes; a date set back by hours or years does not leave the device in the future.
pub const STEP_BACK_MILLIS: i64 = MAX_DRIFT_MILLIS;

/// A peer's op stamped further ahead than this is quarantined (recorded and reported): its
/// device's date is wrong, not merely drifting.
pub const FAR_AHEAD_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// How a peer's point was taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observed {
    /// The point the peer's changes are ordered by: its own, or, when it runs beyond this
    /// clock's drift, this clock's present (as if the change was made when it arrived).
    pub order_by: Hlc,
    /// How far the peer's point runs ahead of this device's wall clock (negative: behind).
    pub ahead_millis: i64,
}

impl Observed {
    /// The peer's point was beyond the drift and was not taken in.
    pub fn clamped(&self) -> bool {
        self.ahead_millis >= MAX_DRIFT_MILLIS
    }

    /// The peer's point was so far ahead that its op is quarantined.
    pub fn far_ahead(&self) -> bool {
        self.ahead_millis > FAR_AHEAD_MILLIS
    }
}

/// The local clock: hands out increasing points, and never moves beyond the wall clock plus
/// [`MAX_DRIFT_MILLIS`].
#[derive(Debug, Clone, Copy, Default)]
pub struct HlcClock {
    last: Hlc,
}

impl HlcClock {
    /// A clock that continues after `last` (the highest point stored). If `last` lies far
    /// beyond the wall clock at the next tick, the clock starts again from the present then
    /// (see [`HlcClock::runs_ahead`]).
    pub fn new(last: Hlc) -> HlcClock {
        HlcClock { last }
    }

    /// The last point handed out or observed.
    pub fn last(&self) -> Hlc {
        self.last
    }

    /// Whether the clock stands so far beyond `now_millis` (more than the drift and a step
    /// back) that it starts again from the present at its next tick: the wall clock was set
    /// back, or the points it continues from were made while the date was wrong. The store
    /// brings its own stamps back to the present first.
    pub fn runs_ahead(&self, now_millis: i64) -> bool {
        self.last.millis > restart_limit(now_millis)
    }

    /// A new point for a local change, given the wall clock. Points increase strictly as
    /// long as the wall clock does not go back by more than [`STEP_BACK_MILLIS`]; when it
    /// does, the clock starts again from the wall clock rather than stay in the future.
    pub fn tick(&mut self, now_millis: i64) -> Hlc {
        let next = if now_millis > self.last.millis {
            Hlc {
                millis: now_millis,
                counter: 0,
            }
        } else {
            self.next_in_same_millisecond()
        };
        self.last = if next.millis > restart_limit(now_millis) {
            Hlc {
                millis: now_millis,
                counter: 0,
            }
        } else {
            next
        };
        self.last
    }

    /// Takes in a point seen on a peer's change, so that later local changes order after
    /// it. A point at or beyond the wall clock plus the drift is not taken in: the change
    /// is ordered by a new local point instead (see [`Observed::order_by`]).
    pub fn observe(&mut self, remote: Hlc, now_millis: i64) -> Observed {
        let seen = Observed {
            order_by: remote,
            ahead_millis: remote.millis.saturating_sub(now_millis),
        };
        if seen.clamped() {
            return Observed {
                order_by: self.tick(now_millis),
                ..seen
            };
        }
        if self.runs_ahead(now_millis) {
            self.tick(now_millis);
        }
        if remote > self.last {
            self.last = remote;
        }
        seen
    }

    fn next_in_same_millisecond(&self) -> Hlc {
        match self.last.counter.checked_add(1) {
            Some(counter) => Hlc {
                millis: self.last.millis,
                counter,
            },
            // Four billion changes in one millisecond: borrow the next millisecond.
            None => Hlc {
                millis: self.last.millis.saturating_add(1),
                counter: 0,
            },
        }
    }
}

/// The latest millisecond the clock may stand at, given the wall clock, before it starts
/// again from the present.
fn restart_limit(now_millis: i64) -> i64 {
    now_millis
        .saturating_add(MAX_DRIFT_MILLIS)
        .saturating_add(STEP_BACK_MILLIS)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const YEAR: i64 = 365 * 24 * 60 * 60 * 1000;

    #[test]
    fn ticks_increase_even_when_the_wall_clock_goes_back() {
        let mut c = HlcClock::default();
        let a = c.tick(1_000);
        let b = c.tick(900);
        let d = c.tick(1_000);
        assert!(a < b && b < d);
        assert_eq!(
            b,
            Hlc {
                millis: 1_000,
                counter: 1
            }
        );
        assert_eq!(
            c.tick(2_000),
            Hlc {
                millis: 2_000,
                counter: 0
            }
        );
    }

    #[test]
    fn observing_a_peer_orders_later_changes_after_it() {
        let mut c = HlcClock::default();
        c.tick(1_000);
        let remote = Hlc {
            millis: 5_000,
            counter: 7,
        };
        let seen = c.observe(remote, 1_500);
        assert_eq!(seen.order_by, remote, "within the drift: its own point");
        assert!(!seen.clamped());
        assert!(c.tick(1_600) > remote);
    }

    #[test]
    fn a_point_beyond_the_drift_is_clamped_never_taken_in() {
        let now = 1_000_000;
        let mut c = HlcClock::default();
        let before = c.tick(now);
        let remote = Hlc {
            millis: now + YEAR,
            counter: 0,
        };
        let seen = c.observe(remote, now);
        assert!(seen.clamped() && seen.far_ahead());
        assert_eq!(seen.ahead_millis, YEAR);
        assert!(seen.order_by > before, "ordered after what was seen before");
        assert!(seen.order_by.millis <= now + MAX_DRIFT_MILLIS);
        assert!(c.last().millis <= now + MAX_DRIFT_MILLIS, "not taken in");
        let again = c.observe(remote, now);
        assert!(
            again.order_by > seen.order_by,
            "the next one orders after it"
        );
        assert!(c.tick(now + 1) > again.order_by);
        // Ten minutes ahead: clamped, not quarantined.
        let near = c.observe(
            Hlc {
                millis: now + 10 * 60 * 1000,
                counter: 0,
            },
            now,
        );
        assert!(near.clamped() && !near.far_ahead());
        assert!(c.last().millis <= now + MAX_DRIFT_MILLIS);
    }

    #[test]
    fn a_clock_reloaded_from_a_year_ahead_starts_again_from_the_present() {
        let now = 1_000_000;
        let mut c = HlcClock::new(Hlc {
            millis: now + YEAR,
            counter: 3,
        });
        assert!(c.runs_ahead(now));
        assert_eq!(
            c.tick(now),
            Hlc {
                millis: now,
                counter: 0
            }
        );
        assert!(!c.runs_ahead(now));
        let a = c.tick(now - 1);
        assert!(c.tick(now) > a, "and increases from there");
    }

    #[test]
    fn a_small_step_back_at_the_edge_of_the_drift_keeps_the_order() {
        let now = 1_000_000;
        let mut c = HlcClock::default();
        let edge = Hlc {
            millis: now + MAX_DRIFT_MILLIS - 1,
            counter: 9,
        };
        c.observe(edge, now);
        // Network time corrects the wall clock by ten seconds.
        assert!(!c.runs_ahead(now - 10_000));
        assert!(c.tick(now - 10_000) > edge);
    }

    proptest! {
        /// With the wall clock jittering (less than a step back), every point handed out is
        /// after every point handed out or taken in before, whatever the peers send.
        #[test]
        fn strictly_increasing(steps in prop::collection::vec((any::<bool>(), -5_000i64..5_000, 0i64..1_000_000, 0u32..5), 1..200)) {
            let mut c = HlcClock::default();
            let mut prev = c.last();
            for (remote, now, rmillis, rcounter) in steps {
                if remote {
                    let seen = c.observe(Hlc { millis: rmillis, counter: rcounter }, now);
                    if seen.clamped() {
                        prop_assert!(seen.order_by > prev);
                        prev = seen.order_by;
                    } else {
                        prev = prev.max(seen.order_by);
                    }
                } else {
                    let next = c.tick(now);
                    prop_assert!(next > prev);
                    prev = next;
                }
            }
        }

        /// Whatever the wall clock does (jumps of a year either way) and whatever the peers
        /// send, the clock never moves beyond the wall clock plus the drift, and never stands
        /// beyond it by more than a step back.
        #[test]
        fn never_beyond_the_drift(steps in prop::collection::vec((any::<bool>(), -2 * YEAR..2 * YEAR, -2 * YEAR..2 * YEAR, any::<u32>()), 1..200)) {
            let mut c = HlcClock::default();
            for (remote, now, rmillis, rcounter) in steps {
                let before = c.last();
                if remote {
                    c.observe(Hlc { millis: rmillis, counter: rcounter }, now);
                } else {
                    c.tick(now);
                }
                let last = c.last();
                prop_assert!(last.millis <= now + MAX_DRIFT_MILLIS + STEP_BACK_MILLIS, "{last:?} at {now}");
                // It moved (beyond where it stood) no further than the drift allows; a
                // counter that overflows borrows one millisecond.
                prop_assert!(last.millis <= (now + MAX_DRIFT_MILLIS).max(before.millis + 1), "{before:?} → {last:?} at {now}");
            }
        }
    }
}
