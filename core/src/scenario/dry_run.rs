//! The desktop's dry run: a day of events on the settings being edited, what the phone
//! would do as typed lines, the assistant's answers scripted (no server is asked).

use std::sync::Arc;

use serde_json::json;

use super::{ScenarioError, read_events, run_with_model};
use crate::ports::memory::ScriptedModel;
use crate::{Outcome, Settings};

/// What a dry run would do, in time order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DryRun {
    /// One line per text, skip and refusal.
    pub lines: Vec<DryRunLine>,
    /// With the assistant on: that its answers here are scripted, not the model's.
    pub assistant_note: Option<String>,
}

/// What the desktop's dry run says about the assistant's answers.
pub const SCRIPTED_NOTE: &str = "The assistant's answers in this dry run are scripted, not the model's: the API key stays on the phone, so a dry run on the desktop asks no server.";

/// The text of the dry run's scripted assistant (what the model would write instead).
pub const SCRIPTED_REPLY: &str = "[Scripted assistant answer] Thanks for your message! What's the address, and what seems to be the problem?";

/// The dry run's model: the same scripted answer to every question. No server is asked, so
/// no key is needed and none is sent.
pub fn scripted_model() -> Arc<ScriptedModel> {
    ScriptedModel::new(|_job| Ok(json!({ "reply": SCRIPTED_REPLY }).to_string()))
}

/// Whether a dry-run line is a text, a skip or a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DryRunKind {
    /// A text the phone would send.
    Texted,
    /// A call that would get no text.
    Skipped,
    /// A reply the phone would refuse.
    Refused,
    /// A text the phone would hold back for a while (the volume limit).
    Held,
}

/// One thing the phone would do.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DryRunLine {
    /// When (Unix milliseconds).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub at_ms: i64,
    /// What.
    pub kind: DryRunKind,
    /// The other party.
    pub to: String,
    /// The text, when texted.
    pub body: Option<String>,
    /// Why not, when skipped or refused.
    pub reason: Option<String>,
    /// SMS parts, when texted.
    pub segments: Option<u32>,
}

impl DryRunLine {
    /// The line for an outcome; failures are not part of a dry run (the simulated network
    /// sends everything).
    fn from_outcome(outcome: &Outcome) -> Option<DryRunLine> {
        Some(match outcome {
            Outcome::Sent { at, to, body, .. } => DryRunLine {
                at_ms: at.as_millisecond(),
                kind: DryRunKind::Texted,
                to: to.clone(),
                body: Some(body.clone()),
                reason: None,
                segments: Some(u32::try_from(crate::sms::count(body).segments).unwrap_or(u32::MAX)),
            },
            Outcome::Skipped { at, from, reason } => DryRunLine {
                at_ms: at.as_millisecond(),
                kind: DryRunKind::Skipped,
                to: from.clone(),
                body: None,
                reason: Some(reason.describe().to_string()),
                segments: None,
            },
            Outcome::Refused { at, to, reason } => DryRunLine {
                at_ms: at.as_millisecond(),
                kind: DryRunKind::Refused,
                to: to.clone(),
                body: None,
                reason: Some(reason.describe()),
                segments: None,
            },
            Outcome::Held {
                at,
                to,
                reason,
                until,
                ..
            } => DryRunLine {
                at_ms: at.as_millisecond(),
                kind: DryRunKind::Held,
                to: to.clone(),
                body: None,
                reason: Some(format!("{} (until {until})", reason.describe())),
                segments: None,
            },
            // The assistant's texts are `Sent` lines; its drafts and hand-offs are not texts,
            // and a pause is no text either (the texts it holds back are `Skipped`).
            Outcome::Failed { .. }
            | Outcome::Retrying { .. }
            | Outcome::Assistant { .. }
            | Outcome::Paused { .. } => {
                return None;
            }
        })
    }
}

/// Runs `day` (scenario JSON lines) on a virtual clock with `settings` and says what the
/// phone would do; bad input is an error naming the line. The desktop's dry run: the
/// assistant answers from a script ([`scripted_model`]), so no request leaves, with a key
/// or without, and the result says so.
pub fn dry_run(settings: Settings, day: &str) -> Result<DryRun, ScenarioError> {
    let events = read_events(day.as_bytes())?;
    let mut lines = Vec::new();
    let mut assistant_on = settings.assistant.mode != crate::settings::AssistantMode::Off;
    let mut saw = |outcome: &Outcome| {
        assistant_on |= matches!(outcome, Outcome::Assistant { .. });
        lines.extend(DryRunLine::from_outcome(outcome));
        Ok(())
    };
    run_with_model(settings, None, &events, &mut saw, &*scripted_model())?;
    Ok(DryRun {
        lines,
        assistant_note: assistant_on.then(|| SCRIPTED_NOTE.to_string()),
    })
}
