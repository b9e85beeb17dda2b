//! The phone's health as the bridge reports it: what the platform gathered (the Kotlin
//! shell through the framework on Android, the simulated phone's own state in `serve`),
//! completed with what the runtime knows itself (the last call-log read, the last text's
//! result), handed to the engine, which sends it to the desktops when it changed.

use std::sync::{Mutex, PoisonError};

use ringback_core::engine::service::EngineHandle;
use ringback_core::health::{LastText, PhoneHealth};

/// Ringback's version, as the phone reports it.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The phone's health, kept and reported.
pub struct HealthTracker {
    engine: EngineHandle,
    state: Mutex<Tracked>,
}

impl std::fmt::Debug for HealthTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthTracker").finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct Tracked {
    platform: Option<PhoneHealth>,
    last_call_log_read_ms: Option<i64>,
    last_text: Option<LastText>,
}

impl HealthTracker {
    /// A tracker that reports to `engine`; nothing is reported until the platform has
    /// gathered a first record.
    pub fn new(engine: EngineHandle) -> HealthTracker {
        HealthTracker {
            engine,
            state: Mutex::new(Tracked::default()),
        }
    }

    /// The platform gathered the phone's health.
    pub fn gathered(&self, health: PhoneHealth) {
        self.update(|t| t.platform = Some(health));
    }

    /// Changes the platform's last record (the simulated phone's commands).
    pub fn change(&self, f: impl FnOnce(&mut PhoneHealth)) {
        self.update(|t| {
            if let Some(h) = t.platform.as_mut() {
                f(h);
            }
        });
    }

    /// The call log was read at `at_ms`.
    pub fn call_log_read(&self, at_ms: i64) {
        self.update(|t| t.last_call_log_read_ms = Some(at_ms));
    }

    /// A text was sent (or failed).
    pub fn text_result(&self, text: LastText) {
        self.update(|t| t.last_text = Some(text));
    }

    /// The record as reported last (`None` before the platform gathered one).
    pub fn current(&self) -> Option<PhoneHealth> {
        let t = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        merged(&t)
    }

    fn update(&self, f: impl FnOnce(&mut Tracked)) {
        let record = {
            let mut t = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut t);
            merged(&t)
        };
        if let Some(record) = record
            && self.engine.report_health(record)
        {
            tracing::debug!("phone health changed");
        }
    }
}

fn merged(t: &Tracked) -> Option<PhoneHealth> {
    let mut h = t.platform.clone()?;
    if h.app_version.is_empty() {
        h.app_version = APP_VERSION.to_string();
    }
    h.last_call_log_read_ms = h.last_call_log_read_ms.max(t.last_call_log_read_ms);
    if t.last_text.is_some() {
        h.last_text = t.last_text.clone();
    }
    Some(h)
}

/// The problems of a record in the words the phone's notification shows: what is wrong,
/// then the fix.
pub fn problem_lines(health: &PhoneHealth) -> Vec<String> {
    health
        .problems()
        .iter()
        .map(|p| format!("{} — {}", capitalised(&p.describe()), p.fix()))
        .collect()
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A text's "sent" verdict as the health record's last text (the failure in words, never
/// the text or its number).
pub fn last_text(result: &Result<(), ringback_core::ports::SendError>) -> LastText {
    use ringback_core::health::TextResult;
    LastText {
        at_ms: jiff::Timestamp::now().as_millisecond(),
        result: if result.is_ok() {
            TextResult::Sent
        } else {
            TextResult::Failed
        },
        failure: result.as_ref().err().map(|e| e.to_string()),
    }
}
