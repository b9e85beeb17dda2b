//! Every timed sample a benchmark records, by name, for the summary that quotes p50, p99
//! and the ratio to the limit measured in the same run (criterion's own report gives means).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Duration;

thread_local! {
    static SAMPLES: RefCell<BTreeMap<&'static str, Vec<Duration>>> = const { RefCell::new(BTreeMap::new()) };
}

/// Keeps one sample of `name`.
pub fn record(name: &'static str, d: Duration) {
    SAMPLES.with(|s| s.borrow_mut().entry(name).or_default().push(d));
}

/// The `p` quantile (0–1) of sorted samples; zero when there are none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// p50, p99 and the count of the samples of `key`.
pub fn stats(key: &str) -> (Duration, Duration, usize) {
    let mut v = SAMPLES.with(|s| s.borrow().get(key).cloned().unwrap_or_default());
    v.sort();
    (percentile(&v, 0.5), percentile(&v, 0.99), v.len())
}
