//! What in a store needs a person's attention, for the desktop's alerts: text-backs that
//! failed and that nobody followed up, texts the volume limit is holding, and conversations
//! the assistant left for the team. Each question is answered from a partial index, so it
//! costs the same in a store of a million messages (migration 11).

use jiff::Timestamp;
use rusqlite::params;

use super::reader::MESSAGE_COLUMNS;
use super::{ConversationId, Message, Reader, StoreError, read_message_row};
use crate::assistant::AssistantState;

/// How far back a failed text-back is still news (older ones are history, not alerts).
pub const FAILED_TEXT_BACK_WINDOW_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Most rows of each kind reported (the newest): a flood is summed up by the inbox, not by
/// a wall of alerts.
pub const MAX_ATTENTION_ROWS: u32 = 10;

/// What in one store needs a person's attention now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attention {
    /// Text-backs that failed in the last week and were not followed by a text that went,
    /// in conversations that are not archived; newest first.
    pub failed_text_backs: Vec<FailedTextBack>,
    /// Texts the volume limit holds, if any.
    pub volume_hold: Option<VolumeHold>,
    /// Conversations the assistant left for the team and no person has answered since.
    pub handed_to_team: Vec<TeamHandoff>,
}

/// A failed text-back and who it was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedTextBack {
    /// The message (its failure says why).
    pub message: Message,
    /// The caller's number (E.164), empty when unknown.
    pub number: String,
}

/// Texts held by the volume limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VolumeHold {
    /// How many.
    pub count: u32,
    /// When the last of them may leave (UTC milliseconds).
    pub until_ms: Option<i64>,
}

/// A conversation the assistant handed to the team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamHandoff {
    /// The conversation.
    pub conversation: ConversationId,
    /// The caller's number (E.164).
    pub number: String,
    /// The assistant's state (why, and when).
    pub state: AssistantState,
}

impl Reader<'_> {
    /// What needs a person's attention at `now`.
    pub fn attention(&self, now: Timestamp) -> Result<Attention, StoreError> {
        Ok(Attention {
            failed_text_backs: self.failed_text_backs(now)?,
            volume_hold: self.volume_hold()?,
            handed_to_team: self.handed_to_team()?,
        })
    }

    fn failed_text_backs(&self, now: Timestamp) -> Result<Vec<FailedTextBack>, StoreError> {
        // Followed up: a later outbound text in the conversation that did not fail (a
        // person's reply, or the phone's own resend).
        let sql = format!(
            "{MESSAGE_COLUMNS}
             WHERE kind = 'text_back' AND status = 'failed' AND created_at >= ?1
               AND NOT EXISTS (SELECT 1 FROM messages later
                   WHERE later.conversation_id = messages.conversation_id
                     AND later.created_at > messages.created_at
                     AND later.direction = 'outbound'
                     AND later.status NOT IN ('failed', 'cancelled'))
               AND NOT EXISTS (SELECT 1 FROM conversations c
                   WHERE c.id = messages.conversation_id AND c.archived <> 0)
             ORDER BY created_at DESC LIMIT ?2"
        );
        let since = now.as_millisecond() - FAILED_TEXT_BACK_WINDOW_MS;
        let rows: Vec<_> = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params![since, MAX_ATTENTION_ROWS], read_message_row)?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|row| {
                let message = Message::try_from(row)?;
                let number = self
                    .conversation_address(message.conversation_id)?
                    .map(|(number, _)| number)
                    .unwrap_or_default();
                Ok(FailedTextBack { message, number })
            })
            .collect()
    }

    fn volume_hold(&self) -> Result<Option<VolumeHold>, StoreError> {
        let (count, until): (i64, Option<i64>) = self
            .conn
            .prepare_cached(
                "SELECT count(*), max(hold_until) FROM messages
                 WHERE status = 'queued' AND hold = 'volume_limit'",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok((count > 0).then(|| VolumeHold {
            count: u32::try_from(count).unwrap_or(u32::MAX),
            until_ms: until,
        }))
    }

    fn handed_to_team(&self) -> Result<Vec<TeamHandoff>, StoreError> {
        // The condition repeats migration 11's index word for word, so the index answers it.
        let rows: Vec<(i64, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT id, number, assistant FROM conversations
                 WHERE (CASE WHEN json_valid(assistant) AND json_extract(assistant, '$.reason') <> 'a person replied'
                             THEN json_extract(assistant, '$.status') END) IN ('needs_team', 'handed_off')
                   AND archived = 0
                 ORDER BY id DESC",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (id, number, json) in rows {
            // A state this version cannot read is no alert (it is shown as it is elsewhere).
            let Ok(state) = serde_json::from_str::<AssistantState>(&json) else {
                continue;
            };
            if !state.awaits_team() || self.replied_since(ConversationId(id), state.at_ms)? {
                continue;
            }
            out.push(TeamHandoff {
                conversation: ConversationId(id),
                number,
                state,
            });
            if out.len() >= MAX_ATTENTION_ROWS as usize {
                break;
            }
        }
        Ok(out)
    }

    /// Whether a person replied in `conversation` at or after `since_ms` (in suggest mode a
    /// reply leaves the assistant's state as it was, so the reply itself answers).
    fn replied_since(
        &self,
        conversation: ConversationId,
        since_ms: i64,
    ) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM messages
                 WHERE conversation_id = ?1 AND kind = 'reply' AND created_at >= ?2)",
            )?
            .query_row(params![conversation.0, since_ms], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests;
