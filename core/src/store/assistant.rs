//! The assistant's own bookkeeping on the phone (issue 13): questions asked of the model per
//! conversation per day, appointments booked per conversation since a time, and the slot a
//! draft proposes. None of it is synced: these writes record no [`crate::oplog::op::Change`],
//! so a transaction that only counts a question appends no op.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::{ConversationId, Reader, StoreError, WriteTx, from_ms, ms};
use crate::assistant::Slot;

/// The slot an assistant's draft proposes, with the draft's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftSlot {
    /// The draft as written.
    pub draft: String,
    /// The slot it proposes.
    pub slot: Slot,
}

impl Reader<'_> {
    /// How many questions the model was asked in `conversation` on the day that starts at
    /// `day_start`.
    pub fn assistant_questions(
        &self,
        conversation: ConversationId,
        day_start: Timestamp,
    ) -> Result<u32, StoreError> {
        let n: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT questions FROM assistant_days WHERE conversation_id = ?1 AND day_start = ?2",
            )?
            .query_row(params![conversation.0, ms(day_start)], |r| r.get(0))
            .optional()?;
        Ok(u32::try_from(n.unwrap_or(0)).unwrap_or(u32::MAX))
    }

    /// How many appointments were booked in `conversation` since `since`.
    pub fn appointments_booked_since(
        &self,
        conversation: ConversationId,
        since: Timestamp,
    ) -> Result<u32, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM appointments WHERE conversation_id = ?1 AND created_at >= ?2",
            )?
            .query_row(params![conversation.0, ms(since)], |r| r.get(0))?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The slot the assistant's draft in `conversation` proposes, if it proposes one.
    pub fn assistant_draft_slot(
        &self,
        conversation: ConversationId,
    ) -> Result<Option<DraftSlot>, StoreError> {
        let row: Option<(String, i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT draft, start_at, end_at FROM assistant_draft_slots WHERE conversation_id = ?1",
            )?
            .query_row([conversation.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        row.map(|(draft, start, end)| {
            Ok(DraftSlot {
                draft,
                slot: Slot {
                    start: from_ms(start)?,
                    end: from_ms(end)?,
                },
            })
        })
        .transpose()
    }
}

impl WriteTx<'_> {
    /// Counts one question to the model in `conversation` on the day that starts at
    /// `day_start`; earlier days' counts go.
    pub fn count_assistant_question(
        &self,
        conversation: ConversationId,
        day_start: Timestamp,
    ) -> Result<(), StoreError> {
        let conn = self.reader().conn;
        conn.prepare_cached("DELETE FROM assistant_days WHERE day_start < ?1")?
            .execute([ms(day_start)])?;
        conn.prepare_cached(
            "INSERT INTO assistant_days (conversation_id, day_start, questions) VALUES (?1, ?2, 1)
             ON CONFLICT (conversation_id, day_start) DO UPDATE SET questions = questions + 1",
        )?
        .execute(params![conversation.0, ms(day_start)])?;
        Ok(())
    }

    /// Keeps the slot the draft in `conversation` proposes, replacing any older one; `None`
    /// forgets it.
    pub fn set_assistant_draft_slot(
        &self,
        conversation: ConversationId,
        proposed: Option<&DraftSlot>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let conn = self.reader().conn;
        match proposed {
            None => {
                conn.prepare_cached(
                    "DELETE FROM assistant_draft_slots WHERE conversation_id = ?1",
                )?
                .execute([conversation.0])?;
            }
            Some(p) => {
                conn.prepare_cached(
                    "INSERT INTO assistant_draft_slots (conversation_id, draft, start_at, end_at, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (conversation_id) DO UPDATE SET draft = excluded.draft,
                       start_at = excluded.start_at, end_at = excluded.end_at,
                       created_at = excluded.created_at",
                )?
                .execute(params![
                    conversation.0,
                    p.draft,
                    ms(p.slot.start),
                    ms(p.slot.end),
                    ms(at)
                ])?;
            }
        }
        Ok(())
    }
}
