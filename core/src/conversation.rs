//! Conversations: one per (line, number), with the lead's standing.

use serde::{Deserialize, Serialize};

/// Where a lead stands with the business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    /// Called; no answer from them yet.
    New,
    /// They texted back.
    Engaged,
    /// A job was booked.
    Booked,
    /// They went elsewhere.
    Lost,
}

impl LeadStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Engaged => "engaged",
            LeadStatus::Booked => "booked",
            LeadStatus::Lost => "lost",
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<LeadStatus> {
        [
            LeadStatus::New,
            LeadStatus::Engaged,
            LeadStatus::Booked,
            LeadStatus::Lost,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}
