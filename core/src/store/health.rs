//! The last health record the phone reported, kept on a desktop (a local value: health is
//! a session frame, not an op, so it is neither logged nor relayed).

use super::{Store, StoreError};
use crate::health::{PhoneHealth, ReportedHealth};

const KEY: &str = "phone_health";

impl Store {
    /// Keeps `health` as the phone's, reported at `reported_at_ms` (this device's clock),
    /// replacing what was kept. Wakes whoever follows this store's commits, so that a window
    /// showing the phone's health redraws.
    pub fn keep_phone_health(
        &self,
        health: &PhoneHealth,
        reported_at_ms: i64,
    ) -> Result<(), StoreError> {
        let record = ReportedHealth {
            health: health.clone(),
            reported_at_ms,
        };
        let text =
            serde_json::to_string(&record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.set_meta(KEY, &text)?;
        self.notices.committed.send_modify(|n| *n += 1);
        Ok(())
    }

    /// The last health record the phone reported, if any.
    pub fn phone_health(&self) -> Result<Option<ReportedHealth>, StoreError> {
        let Some(text) = self.meta(KEY)? else {
            return Ok(None);
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("the phone's health record: {e}")))
    }
}
