//! The write side: what one transaction may change.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Transaction, params};

use super::{ConversationId, MessageId, StoreError, ms};
use crate::call::{EndedCall, Line};
use crate::message::{Direction, MessageKind, MessageStatus};
use crate::settings::Settings;

/// A message to insert.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// Which way it went.
    pub direction: Direction,
    /// What it is for.
    pub kind: MessageKind,
    /// The text.
    pub body: &'a str,
    /// Its first status.
    pub status: MessageStatus,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it is due, if queued.
    pub due_at: Option<Timestamp>,
    /// When it left, if it left at once.
    pub left_at: Option<Timestamp>,
    /// The platform's or the requester's id, for idempotence.
    pub source_id: Option<&'a str>,
}

/// An open write transaction. Created by [`super::Store::write`].
pub struct WriteTx<'c> {
    tx: &'c Transaction<'c>,
}

impl<'c> WriteTx<'c> {
    pub(super) fn new(tx: &'c Transaction<'c>) -> Self {
        WriteTx { tx }
    }

    /// Reads that see this transaction's own writes.
    pub fn reader(&self) -> super::Reader<'_> {
        super::Reader { conn: self.tx }
    }

    /// The conversation for (line, number), created if new; its activity moves to `at`.
    pub fn touch_conversation(
        &self,
        line: &Line,
        number: &str,
        at: Timestamp,
    ) -> Result<ConversationId, StoreError> {
        // A lookup and a plain update cost less than an upsert, and a conversation is
        // touched far more often than it is created.
        let existing: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM conversations WHERE line = ?1 AND number = ?2")?
            .query_row(params![line.0, number], |r| r.get(0))
            .optional()?;
        let id = match existing {
            Some(id) => {
                self.tx
                    .prepare_cached(
                        "UPDATE conversations SET last_activity_at = ?2
                         WHERE id = ?1 AND last_activity_at < ?2",
                    )?
                    .execute(params![id, ms(at)])?;
                id
            }
            None => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO conversations (line, number, last_activity_at) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![line.0, number, ms(at)])?;
                self.tx.last_insert_rowid()
            }
        };
        Ok(ConversationId(id))
    }

    /// Records a call. The caller checks first that its log id is new (a repeated id is
    /// refused by the unique index).
    pub fn insert_call(
        &self,
        call: &EndedCall,
        number: Option<&str>,
        conversation: Option<ConversationId>,
        decision: Option<&str>,
        skip_reason: Option<&str>,
    ) -> Result<i64, StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO calls (log_id, conversation_id, caller, number, line, outcome,
                                    ended_at, decision, skip_reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                call.log_id,
                conversation.map(|c| c.0),
                call.number,
                number,
                call.line.0,
                call.outcome.as_str(),
                ms(call.ended_at),
                decision,
                skip_reason
            ])?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Links a call to the text-back it produced.
    pub fn link_call_message(&self, call_id: i64, message: MessageId) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE calls SET message_id = ?2 WHERE id = ?1")?
            .execute(params![call_id, message.0])?;
        Ok(())
    }

    /// Changes a call's decision (a pending text-back cancelled).
    pub fn set_call_skipped_for_message(
        &self,
        message: MessageId,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE calls SET decision = 'skipped', skip_reason = ?2 WHERE message_id = ?1",
            )?
            .execute(params![message.0, reason])?;
        Ok(())
    }

    /// Inserts a message; returns `None` when its source id was seen before.
    pub fn insert_message(&self, m: &NewMessage<'_>) -> Result<Option<MessageId>, StoreError> {
        let id: Option<i64> = self
            .tx
            .prepare_cached(
                "INSERT INTO messages (conversation_id, direction, kind, body, status,
                                       created_at, due_at, left_at, source_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (source_id) DO NOTHING RETURNING id",
            )?
            .query_row(
                params![
                    m.conversation_id.0,
                    m.direction.as_str(),
                    m.kind.as_str(),
                    m.body,
                    m.status.as_str(),
                    ms(m.created_at),
                    m.due_at.map(ms),
                    m.left_at.map(ms),
                    m.source_id
                ],
                |r| r.get(0),
            )
            .optional()?;
        let Some(id) = id else { return Ok(None) };
        let unread = i64::from(m.direction == Direction::Inbound);
        self.tx
            .prepare_cached(
                "UPDATE conversations SET last_message_id = ?2, unread = unread + ?3,
                        last_activity_at = max(last_activity_at, ?4)
                 WHERE id = ?1",
            )?
            .execute(params![m.conversation_id.0, id, unread, ms(m.created_at)])?;
        Ok(Some(MessageId(id)))
    }

    /// Moves a message to `next` if the status machine allows it from where it is; returns
    /// whether it moved. `left_at` is set when given and not yet set.
    pub fn advance_status(
        &self,
        id: MessageId,
        next: MessageStatus,
        failure: Option<&str>,
        left_at: Option<Timestamp>,
    ) -> Result<bool, StoreError> {
        let current: Option<String> = self
            .tx
            .prepare_cached("SELECT status FROM messages WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))
            .optional()?;
        let Some(current) = current.as_deref().and_then(MessageStatus::from_name) else {
            return Ok(false);
        };
        if !current.may_become(next) {
            return Ok(false);
        }
        self.tx
            .prepare_cached(
                "UPDATE messages SET status = ?2, failure = coalesce(?3, failure),
                        left_at = coalesce(left_at, ?4)
                 WHERE id = ?1",
            )?
            .execute(params![id.0, next.as_str(), failure, left_at.map(ms)])?;
        Ok(true)
    }

    /// Queued messages of the given kinds to `number` (on any line), oldest first.
    pub fn queued_to(
        &self,
        number: &str,
        kinds: &[MessageKind],
    ) -> Result<Vec<(MessageId, MessageKind)>, StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT m.id, m.kind FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE c.number = ?1 AND m.status = 'queued' ORDER BY m.due_at, m.id",
        )?;
        let rows = stmt.query_map([number], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind) = row?;
            if let Some(kind) = MessageKind::from_name(&kind).filter(|k| kinds.contains(k)) {
                out.push((MessageId(id), kind));
            }
        }
        Ok(out)
    }

    /// Marks every message found in `sending` as `unconfirmed` (after a restart: it may or
    /// may not have left, so it is never re-sent on its own). Returns how many.
    pub fn mark_sending_unconfirmed(&self) -> Result<usize, StoreError> {
        Ok(self
            .tx
            .prepare_cached(
                "UPDATE messages SET status = 'unconfirmed',
                    failure = 'the phone stopped while this text was being sent; check with the caller before sending it again'
                 WHERE status = 'sending'",
            )?
            .execute([])?)
    }

    /// Opts a number out; returns false if it already was.
    pub fn opt_out(&self, number: &str, at: Timestamp) -> Result<bool, StoreError> {
        Ok(self
            .tx
            .prepare_cached(
                "INSERT INTO opt_outs (number, since) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?
            .execute(params![number, ms(at)])?
            > 0)
    }

    /// Opts a number back in; returns false if it was not opted out.
    pub fn opt_in(&self, number: &str) -> Result<bool, StoreError> {
        Ok(self
            .tx
            .prepare_cached("DELETE FROM opt_outs WHERE number = ?1")?
            .execute([number])?
            > 0)
    }

    /// Records or renames a contact; an empty name removes it.
    pub fn set_contact(&self, number: &str, name: &str, at: Timestamp) -> Result<(), StoreError> {
        let name = name.trim();
        if name.is_empty() {
            self.tx
                .prepare_cached("DELETE FROM contacts WHERE number = ?1")?
                .execute([number])?;
        } else {
            self.tx
                .prepare_cached(
                    "INSERT INTO contacts (number, name, updated_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (number) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at
                     WHERE name != excluded.name",
                )?
                .execute(params![number, name, ms(at)])?;
        }
        Ok(())
    }

    /// Moves a conversation's lead status (only forward from `new` to `engaged` on its own).
    pub fn mark_engaged(&self, conversation: ConversationId) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE conversations SET lead_status = 'engaged' WHERE id = ?1 AND lead_status = 'new'")?
            .execute([conversation.0])?;
        Ok(())
    }

    /// Stores the settings document in force.
    pub fn save_settings(&self, settings: &Settings, at: Timestamp) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO settings (id, document, updated_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
            )?
            .execute(params![settings.to_value().to_string(), ms(at)])?;
        Ok(())
    }

    /// Stores the call-log id up to which calls were handled.
    pub fn set_call_log_cursor(&self, log_id: i64) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES ('call_log_cursor', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute([log_id.to_string()])?;
        Ok(())
    }
}
