//! Alerts that reach a person: a phone silent for longer than the threshold (only while
//! this desktop could hear it), a problem in a phone's health that stops it texting back
//! (a permission revoked, its service stopped, airplane mode, a SIM without service), a
//! text that failed (the phone's last send, and each text-back in the replica that failed
//! and that nobody followed up), texts the volume limit is holding, and a conversation the
//! assistant handed to the team. Each is raised once (one notification, the tray's tooltip), listed
//! while it lasts, and cleared when it is resolved. The rules here are pure: the watcher
//! feeds them what it observed, with the time.

use std::collections::{BTreeMap, HashMap};

use ringback_core::health::{HealthProblem, PhoneHealth};
use ringback_core::store::attention::Attention;
use serde::{Deserialize, Serialize};
use specta::Type;

/// The default silence before a phone is called silent: 10 minutes.
pub const DEFAULT_SILENT_AFTER_SECONDS: u64 = 10 * 60;

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Nothing heard from the phone for longer than the threshold.
    PhoneSilent,
    /// A permission Ringback needs is missing.
    PermissionMissing,
    /// Something else in the phone's health stops it texting back.
    PhoneProblem,
    /// A text the phone sent failed.
    TextFailed,
    /// The volume limit is holding texts.
    VolumeLimit,
    /// The assistant handed a conversation to the team.
    HandedToTeam,
}

/// One alert, for the window's "Needs attention" strip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AlertRow {
    /// Stable while the alert lasts (phone and problem).
    pub key: String,
    /// The phone's endpoint id.
    pub phone: String,
    /// What it is about.
    pub kind: AlertKind,
    /// One line: what is wrong.
    pub title: String,
    /// How to fix it, in words.
    pub fix: String,
    /// Since when (the last frame heard, for a silent phone; when it was raised otherwise).
    #[specta(type = specta_typescript::Number)]
    pub since_ms: i64,
    /// The conversation it is about, if one (the strip opens it).
    #[specta(type = Option<specta_typescript::Number>)]
    pub conversation: Option<i64>,
}

/// What the watcher saw of one phone.
#[derive(Debug, Clone)]
pub struct PhoneSeen {
    /// Its endpoint id.
    pub phone: String,
    /// Its name.
    pub name: String,
    /// `None` while connected; otherwise when the last frame was heard.
    pub silent_since_ms: Option<i64>,
    /// The last health record it reported.
    pub health: Option<PhoneHealth>,
    /// What its replica holds that needs a person.
    pub attention: Attention,
    /// Who each number in `attention` is (a contact's name or the number written out).
    pub who: HashMap<String, String>,
}

/// The alerts in force, and the desktop's own connectivity.
#[derive(Debug, Default)]
pub struct AlertBook {
    active: BTreeMap<String, AlertRow>,
    /// Since when this desktop could hear phones (`None` while it cannot).
    online_since_ms: Option<i64>,
}

/// What changed in one update.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Raised now: notify once each.
    pub raised: Vec<AlertRow>,
    /// Resolved now.
    pub cleared: Vec<String>,
    /// Still in force, with new words (more texts held): redraw, do not notify again.
    pub updated: Vec<String>,
}

impl Changes {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.raised.is_empty() && self.cleared.is_empty() && self.updated.is_empty()
    }
}

impl AlertBook {
    /// No alerts.
    pub fn new() -> AlertBook {
        AlertBook::default()
    }

    /// The alerts in force, oldest first.
    pub fn active(&self) -> Vec<AlertRow> {
        let mut rows: Vec<AlertRow> = self.active.values().cloned().collect();
        rows.sort_by(|a, b| a.since_ms.cmp(&b.since_ms).then(a.key.cmp(&b.key)));
        rows
    }

    /// Takes what the watcher saw at `now_ms`: `online` says whether this desktop could
    /// hear a phone now (its relay connected, or its local network up); `silent_after_ms`
    /// is the threshold.
    pub fn update(
        &mut self,
        phones: &[PhoneSeen],
        online: bool,
        now_ms: i64,
        silent_after_ms: i64,
    ) -> Changes {
        let online = online || phones.iter().any(|p| p.silent_since_ms.is_none());
        self.online_since_ms = match (online, self.online_since_ms) {
            (false, _) => None,
            (true, None) => Some(now_ms),
            (true, Some(since)) => Some(since),
        };
        let mut seen: BTreeMap<String, AlertRow> = BTreeMap::new();
        for phone in phones {
            for row in observe(phone, self.online_since_ms, now_ms, silent_after_ms) {
                seen.insert(row.key.clone(), row);
            }
        }
        let mut changes = Changes::default();
        self.active.retain(|key, _| {
            let keep = seen.contains_key(key);
            if !keep {
                changes.cleared.push(key.clone());
            }
            keep
        });
        for (key, mut row) in seen {
            match self.active.entry(key) {
                std::collections::btree_map::Entry::Vacant(slot) => {
                    changes.raised.push(row.clone());
                    slot.insert(row);
                }
                std::collections::btree_map::Entry::Occupied(mut slot) => {
                    // Raised once: it keeps the moment it was raised, and takes new words.
                    row.since_ms = slot.get().since_ms;
                    if *slot.get() != row {
                        changes.updated.push(row.key.clone());
                        slot.insert(row);
                    }
                }
            }
        }
        changes
    }
}

/// The alerts one phone deserves now.
fn observe(
    phone: &PhoneSeen,
    online_since_ms: Option<i64>,
    now_ms: i64,
    silent_after_ms: i64,
) -> Vec<AlertRow> {
    let mut out = Vec::new();
    // Silence counts only from when this desktop could hear the phone: a desktop that
    // was offline itself does not accuse the phone of what it could not have heard.
    if let (Some(silent_since), Some(online_since)) = (phone.silent_since_ms, online_since_ms)
        && now_ms - silent_since.max(online_since) >= silent_after_ms
    {
        out.push(AlertRow {
            key: format!("{}:phone_silent", phone.phone),
            phone: phone.phone.clone(),
            kind: AlertKind::PhoneSilent,
            title: format!(
                "{} has been silent for more than {}: missed calls may not be texted back",
                phone.name,
                minutes(silent_after_ms)
            ),
            fix: "Check that the phone is on, has a connection and that Ringback runs on it (open the app once); if Android stopped it, allow Ringback to run in the background.".into(),
            since_ms: silent_since,
            conversation: None,
        });
    }
    if let Some(health) = &phone.health {
        for problem in health.problems() {
            let kind = match &problem {
                HealthProblem::PermissionMissing(_) => AlertKind::PermissionMissing,
                // The replica's own failed text-back says it with the caller's name.
                HealthProblem::LastTextFailed { .. }
                    if !phone.attention.failed_text_backs.is_empty() =>
                {
                    continue;
                }
                HealthProblem::LastTextFailed { .. } => AlertKind::TextFailed,
                p if p.stops_texting() => AlertKind::PhoneProblem,
                _ => continue,
            };
            out.push(AlertRow {
                key: format!("{}:{}", phone.phone, problem.key()),
                phone: phone.phone.clone(),
                kind,
                title: format!("{}: {}", phone.name, problem.describe()),
                fix: problem.fix(),
                since_ms: now_ms,
                conversation: None,
            });
        }
    }
    out.extend(attention(phone, now_ms));
    out
}

/// The alerts for what the phone's replica holds.
fn attention(phone: &PhoneSeen, now_ms: i64) -> Vec<AlertRow> {
    let who = |number: &str| {
        phone
            .who
            .get(number)
            .cloned()
            .unwrap_or_else(|| "a caller".into())
    };
    let mut out = Vec::new();
    for failed in &phone.attention.failed_text_backs {
        let why = failed
            .message
            .failure
            .as_ref()
            .map(|f| f.describe())
            .unwrap_or_else(|| "the phone gave no reason".into());
        out.push(AlertRow {
            key: format!("{}:text_back_failed:{}", phone.phone, failed.message.id.0),
            phone: phone.phone.clone(),
            kind: AlertKind::TextFailed,
            title: format!("The text-back to {} failed: {why}", who(&failed.number)),
            fix: "Open the conversation and reply, or call them back; the alert clears when a text reaches them or the conversation is archived.".into(),
            since_ms: failed.message.created_at.as_millisecond(),
            conversation: Some(failed.message.conversation_id.0),
        });
    }
    if let Some(hold) = phone.attention.volume_hold {
        let texts = if hold.count == 1 {
            "1 text".to_string()
        } else {
            format!("{} texts", hold.count)
        };
        out.push(AlertRow {
            key: format!("{}:volume_limit", phone.phone),
            phone: phone.phone.clone(),
            kind: AlertKind::VolumeLimit,
            title: format!(
                "{}: the volume limit is holding {texts}; they leave when the 30-minute window allows",
                phone.name
            ),
            fix: "Wait for the window, or raise the limit in Settings → Limits if this volume is expected.".into(),
            since_ms: now_ms,
            conversation: None,
        });
    }
    for handoff in &phone.attention.handed_to_team {
        out.push(AlertRow {
            key: format!("{}:handed_to_team:{}", phone.phone, handoff.conversation.0),
            phone: phone.phone.clone(),
            kind: AlertKind::HandedToTeam,
            title: format!(
                "The assistant handed {} to the team: {}",
                who(&handoff.number),
                handoff.state.reason
            ),
            fix: "Open the conversation and answer them; the alert clears when someone replies."
                .into(),
            since_ms: handoff.state.at_ms,
            conversation: Some(handoff.conversation.0),
        });
    }
    out
}

fn minutes(ms: i64) -> String {
    let seconds = ms / 1000;
    if seconds < 120 {
        format!("{seconds} seconds")
    } else {
        format!("{} minutes", seconds / 60)
    }
}

#[cfg(test)]
mod tests {
    use ringback_core::health::Permission;

    use super::*;

    const MIN: i64 = 60_000;
    const THRESHOLD: i64 = 10 * MIN;

    fn phone(silent_since_ms: Option<i64>, health: Option<PhoneHealth>) -> PhoneSeen {
        PhoneSeen {
            phone: "p1".into(),
            name: "Owner's phone".into(),
            silent_since_ms,
            health,
            attention: Attention::default(),
            who: HashMap::new(),
        }
    }

    fn failed_text_back(
        id: i64,
        conversation: i64,
    ) -> ringback_core::store::attention::FailedTextBack {
        use ringback_core::message::{Direction, Failure, MessageKind, MessageStatus, SendError};
        use ringback_core::store::{ConversationId, Message, MessageId};
        ringback_core::store::attention::FailedTextBack {
            message: Message {
                id: MessageId(id),
                conversation_id: ConversationId(conversation),
                direction: Direction::Outbound,
                kind: MessageKind::TextBack,
                body: "Sorry we missed you".into(),
                status: MessageStatus::Failed,
                failure: Some(Failure::NotSent(SendError::NoService)),
                created_at: jiff::Timestamp::from_millisecond(3).expect("time"),
                due_at: None,
                left_at: None,
                hold: None,
            },
            number: "+12125550101".into(),
        }
    }

    #[test]
    fn a_failed_text_back_in_the_replica_is_raised_once_and_cleared_when_followed_up() {
        let mut book = AlertBook::new();
        let mut seen = phone(None, None);
        seen.attention.failed_text_backs = vec![failed_text_back(7, 3)];
        seen.who
            .insert("+12125550101".into(), "Dana (plumbing)".into());
        let raised = book.update(&[seen.clone()], true, 10, THRESHOLD).raised;
        assert_eq!(raised.len(), 1, "{raised:?}");
        let alert = &raised[0];
        assert_eq!(alert.kind, AlertKind::TextFailed);
        assert_eq!(alert.conversation, Some(3));
        assert!(alert.title.contains("Dana (plumbing)"), "{}", alert.title);
        assert!(alert.title.contains("no mobile service"), "{}", alert.title);
        assert_eq!(alert.since_ms, 3, "since the text-back was written");
        assert!(book.update(&[seen.clone()], true, 20, THRESHOLD).is_empty());
        let changes = book.update(&[phone(None, None)], true, 30, THRESHOLD);
        assert_eq!(changes.cleared, vec!["p1:text_back_failed:7".to_string()]);
    }

    #[test]
    fn the_phones_last_text_failing_is_not_said_twice_beside_the_replicas_failed_text_back() {
        let mut book = AlertBook::new();
        let mut health = PhoneHealth::new(1, "1");
        health.last_text = Some(ringback_core::health::LastText {
            at_ms: 1,
            result: ringback_core::health::TextResult::Failed,
            failure: Some("no service".into()),
        });
        let mut seen = phone(None, Some(health));
        seen.attention.failed_text_backs = vec![failed_text_back(7, 3)];
        let raised = book.update(&[seen], true, 10, THRESHOLD).raised;
        assert_eq!(raised.len(), 1, "{raised:?}");
        assert_eq!(raised[0].key, "p1:text_back_failed:7");
    }

    #[test]
    fn texts_held_by_the_volume_limit_are_raised_once_redrawn_as_more_wait_and_cleared() {
        let mut book = AlertBook::new();
        let mut seen = phone(None, None);
        seen.attention.volume_hold = Some(ringback_core::store::attention::VolumeHold {
            count: 2,
            until_ms: Some(5 * MIN),
        });
        let raised = book.update(&[seen.clone()], true, 10, THRESHOLD).raised;
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].kind, AlertKind::VolumeLimit);
        assert!(raised[0].title.contains("2 texts"), "{}", raised[0].title);
        seen.attention.volume_hold = Some(ringback_core::store::attention::VolumeHold {
            count: 3,
            until_ms: Some(6 * MIN),
        });
        let changes = book.update(&[seen], true, 20, THRESHOLD);
        assert!(changes.raised.is_empty(), "not notified again");
        assert_eq!(changes.updated, vec!["p1:volume_limit".to_string()]);
        assert!(book.active()[0].title.contains("3 texts"));
        assert_eq!(book.active()[0].since_ms, 10, "since it was raised");
        let changes = book.update(&[phone(None, None)], true, 30, THRESHOLD);
        assert_eq!(changes.cleared, vec!["p1:volume_limit".to_string()]);
    }

    #[test]
    fn a_conversation_handed_to_the_team_is_raised_once_and_cleared_when_answered() {
        use ringback_core::assistant::{AssistantState, AssistantStatus};
        let mut book = AlertBook::new();
        let mut seen = phone(None, None);
        seen.attention.handed_to_team = vec![ringback_core::store::attention::TeamHandoff {
            conversation: ringback_core::store::ConversationId(4),
            number: "+12125550101".into(),
            state: AssistantState {
                status: AssistantStatus::HandedOff,
                reason: "the caller asked for a person".into(),
                at_ms: 8,
            },
        }];
        let raised = book.update(&[seen.clone()], true, 10, THRESHOLD).raised;
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].kind, AlertKind::HandedToTeam);
        assert_eq!(raised[0].conversation, Some(4));
        assert!(
            raised[0].title.contains("the caller asked for a person"),
            "{}",
            raised[0].title
        );
        assert!(book.update(&[seen], true, 20, THRESHOLD).is_empty());
        let changes = book.update(&[phone(None, None)], true, 30, THRESHOLD);
        assert_eq!(changes.cleared, vec!["p1:handed_to_team:4".to_string()]);
    }

    #[test]
    fn a_silent_phone_is_raised_once_after_the_threshold_and_cleared_when_it_speaks() {
        let mut book = AlertBook::new();
        let silent = [phone(Some(0), None)];
        assert!(book.update(&silent, true, 0, THRESHOLD).is_empty());
        assert!(book.update(&silent, true, 9 * MIN, THRESHOLD).is_empty());
        let changes = book.update(&silent, true, 10 * MIN, THRESHOLD);
        assert_eq!(changes.raised.len(), 1);
        let alert = &changes.raised[0];
        assert_eq!(alert.kind, AlertKind::PhoneSilent);
        assert_eq!(alert.since_ms, 0, "silent since the last frame heard");
        assert!(alert.title.contains("10 minutes"), "{}", alert.title);
        assert!(
            book.update(&silent, true, 20 * MIN, THRESHOLD).is_empty(),
            "raised once"
        );
        assert_eq!(book.active().len(), 1);
        let back = book.update(&[phone(None, None)], true, 21 * MIN, THRESHOLD);
        assert_eq!(back.cleared, vec!["p1:phone_silent".to_string()]);
        assert!(book.active().is_empty());
    }

    #[test]
    fn an_offline_desktop_does_not_accuse_the_phone() {
        let mut book = AlertBook::new();
        let silent = [phone(Some(0), None)];
        // This desktop lost its own network: however long, no alert.
        for t in [0, 10 * MIN, 60 * MIN] {
            assert!(book.update(&silent, false, t, THRESHOLD).is_empty());
        }
        // Back online at 60 minutes: silence counts from then, not from the last frame.
        assert!(book.update(&silent, true, 60 * MIN, THRESHOLD).is_empty());
        assert!(book.update(&silent, true, 69 * MIN, THRESHOLD).is_empty());
        let raised = book.update(&silent, true, 70 * MIN, THRESHOLD).raised;
        assert_eq!(raised.len(), 1);
        assert_eq!(
            raised[0].since_ms, 0,
            "still shown as silent since its last frame"
        );
        // Offline again: the alert is withdrawn, not held against the phone.
        let changes = book.update(&silent, false, 71 * MIN, THRESHOLD);
        assert_eq!(changes.cleared.len(), 1);
    }

    #[test]
    fn a_connected_phone_proves_the_desktop_online() {
        let mut book = AlertBook::new();
        let mut other = phone(Some(0), None);
        other.phone = "p2".into();
        let phones = [phone(None, None), other];
        book.update(&phones, false, 0, THRESHOLD);
        assert_eq!(
            book.update(&phones, false, THRESHOLD, THRESHOLD)
                .raised
                .len(),
            1
        );
    }

    #[test]
    fn a_revoked_permission_is_raised_once_with_its_fix_and_cleared_when_granted() {
        let mut book = AlertBook::new();
        let mut health = PhoneHealth::new(1, "1");
        health.set_granted(Permission::ReadCallLog, false);
        // Advice-only problems raise nothing.
        health.battery_exempt = Some(false);
        let seen = [phone(None, Some(health.clone()))];
        let raised = book.update(&seen, true, 5, THRESHOLD).raised;
        assert_eq!(raised.len(), 1, "{raised:?}");
        assert_eq!(raised[0].kind, AlertKind::PermissionMissing);
        assert!(raised[0].fix.contains("Call logs"));
        assert!(book.update(&seen, true, 6, THRESHOLD).is_empty());
        health.set_granted(Permission::ReadCallLog, true);
        let changes = book.update(&[phone(None, Some(health))], true, 7, THRESHOLD);
        assert_eq!(
            changes.cleared,
            vec!["p1:permission_missing:read_call_log".to_string()]
        );
    }

    #[test]
    fn a_failed_text_is_an_alert() {
        let mut book = AlertBook::new();
        let mut health = PhoneHealth::new(1, "1");
        health.last_text = Some(ringback_core::health::LastText {
            at_ms: 1,
            result: ringback_core::health::TextResult::Failed,
            failure: Some("no service".into()),
        });
        let raised = book
            .update(&[phone(None, Some(health))], true, 1, THRESHOLD)
            .raised;
        assert_eq!(raised[0].kind, AlertKind::TextFailed);
        assert!(raised[0].title.contains("no service"));
    }
}
