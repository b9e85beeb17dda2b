//! A hybrid logical clock: wall-clock milliseconds plus a counter, so that every change a
//! device makes is ordered after everything it has seen, even when clocks disagree.

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

/// How far ahead of our own clock a peer's clock may run before its changes are refused:
/// a phone whose clock is a day off would otherwise win every later edit.
pub const MAX_DRIFT_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// A peer's clock runs too far ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "a device's clock is {ahead_millis} ms ahead of this one; set the date and time automatically on both devices"
)]
pub struct ClockSkew {
    /// By how much.
    pub ahead_millis: i64,
}

/// The local clock: hands out strictly increasing points.
#[derive(Debug, Clone, Copy, Default)]
pub struct HlcClock {
    last: Hlc,
}

impl HlcClock {
    /// A clock that continues after `last` (the highest point stored).
    pub fn new(last: Hlc) -> HlcClock {
        HlcClock { last }
    }

    /// The last point handed out or observed.
    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A new point for a local change, given the wall clock.
    pub fn tick(&mut self, now_millis: i64) -> Hlc {
        self.last = if now_millis > self.last.millis {
            Hlc {
                millis: now_millis,
                counter: 0,
            }
        } else {
            self.next_in_same_millisecond()
        };
        self.last
    }

    /// Takes in a point seen on a peer's change, so that later local changes order after it.
    pub fn observe(&mut self, remote: Hlc, now_millis: i64) -> Result<Hlc, ClockSkew> {
        let ahead = remote.millis.saturating_sub(now_millis);
        if ahead > MAX_DRIFT_MILLIS {
            return Err(ClockSkew {
                ahead_millis: ahead,
            });
        }
        if remote > self.last {
            self.last = remote;
        }
        Ok(self.tick(now_millis))
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

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
        let seen = c.observe(remote, 1_500).expect("within drift");
        assert!(seen > remote);
        assert!(c.tick(1_600) > remote);
        let err = c
            .observe(
                Hlc {
                    millis: 1_600 + MAX_DRIFT_MILLIS + 1,
                    counter: 0,
                },
                1_600,
            )
            .expect_err("skew");
        assert_eq!(err.ahead_millis, MAX_DRIFT_MILLIS + 1);
        assert!(
            c.last()
                < Hlc {
                    millis: 1_600 + MAX_DRIFT_MILLIS,
                    counter: 0
                },
            "a refused point is not taken in"
        );
    }

    proptest! {
        #[test]
        fn strictly_increasing(steps in prop::collection::vec((any::<bool>(), -5_000i64..5_000, 0i64..10_000, 0u32..5), 1..200)) {
            let mut c = HlcClock::default();
            let mut prev = c.last();
            for (remote, now, rmillis, rcounter) in steps {
                let next = if remote {
                    match c.observe(Hlc { millis: rmillis, counter: rcounter }, now) {
                        Ok(p) => p,
                        Err(_) => continue,
                    }
                } else {
                    c.tick(now)
                };
                prop_assert!(next > prev);
                prev = next;
            }
        }
    }
}
