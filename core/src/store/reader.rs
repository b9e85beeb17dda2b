// Over 600 lines, one concept: the reads over committed state, one query a function.
//! Reads over the store: the questions the engine, sync and the desktop ask of committed
//! state (and of a write transaction's own, through [`super::WriteTx::reader`]).

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

use super::{
    ConversationId, Message, MessageHold, MessageId, OutboxEntry, PeerRecord, StoreError, from_ms,
    ms, opt_ms, parse_name,
};
use crate::call::{CallDecision, DecisionName, Line, SkipReason};
use crate::message::{Direction, Failure, MessageKind, MessageStatus};
use crate::outbound::{HoldReason, RefusalReason};
use crate::phone::PhoneNumber;
use crate::rules::NumberHistory;
use crate::settings::Settings;

/// The columns every outbox read starts with (0–6), before its due time (7) and a column
/// of its own (8); read by [`read_outbox_row`]. Macros, so that each query stays one
/// literal (no string built per read on the outbox's path).
macro_rules! outbox_select {
    () => {
        "SELECT m.id, m.conversation_id, c.number, c.line, m.kind, m.body, r.origin"
    };
}

/// A message with its conversation's address and the request that wrote it, if any.
macro_rules! outbox_from {
    () => {
        "FROM messages m JOIN conversations c ON c.id = m.conversation_id
         LEFT JOIN requests r ON r.key = m.source_id"
    };
}

/// The texts waiting for a retry (asked after every event, so through their partial index,
/// `messages_retrying`, never a walk through every message).
pub(super) const RETRYING: &str = concat!(
    outbox_select!(),
    ", coalesce(m.due_at, m.created_at), r.requested_at ",
    outbox_from!(),
    " WHERE m.status = 'retrying' ORDER BY m.id LIMIT ?1"
);

/// Reads over the store, usable outside and inside a write transaction.
#[derive(Clone, Copy)]
pub struct Reader<'c> {
    pub(super) conn: &'c Connection,
}

impl Reader<'_> {
    /// The settings document in force, if one was ever saved.
    pub fn settings(&self) -> Result<Option<Settings>, StoreError> {
        let doc: Option<String> = self
            .conn
            .query_row("SELECT document FROM settings WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        doc.map(|d| {
            Settings::from_json(&d).map_err(|e| StoreError::Corrupt(format!("saved settings: {e}")))
        })
        .transpose()
    }

    /// The call-log id up to which calls were handled.
    pub fn call_log_cursor(&self) -> Result<Option<i64>, StoreError> {
        let v: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'call_log_cursor'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        v.map(|v| {
            v.parse::<i64>()
                .map_err(|e| StoreError::Corrupt(format!("call-log cursor: {e}")))
        })
        .transpose()
    }

    /// What the rules need to know about `number`, as of now.
    pub fn number_history(&self, number: &PhoneNumber) -> Result<NumberHistory, StoreError> {
        let n = number.as_str();
        let opted_out = self
            .conn
            .prepare_cached("SELECT 1 FROM opt_outs WHERE number = ?1")?
            .exists([n])?;
        let paused = self.automation_paused(n)?;
        let contact_name = self.contact_name(n)?;
        let last_tb: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT m.created_at FROM messages m
                 JOIN conversations c ON c.id = m.conversation_id
                 WHERE c.number = ?1 AND m.kind = 'text_back' AND m.status != 'cancelled'
                 ORDER BY m.created_at DESC, m.id DESC LIMIT 1",
            )?
            .query_row([n], |r| r.get(0))
            .optional()?;
        let text_back_pending = self
            .conn
            .prepare_cached(
                "SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id
                 WHERE c.number = ?1 AND m.kind = 'text_back' AND m.status = 'queued'",
            )?
            .exists([n])?;
        let last_exchange: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT max(m.created_at) FROM messages m
                 JOIN conversations c ON c.id = m.conversation_id
                 WHERE c.number = ?1 AND (m.direction = 'inbound' OR m.kind = 'reply')",
            )?
            .query_row([n], |r| r.get(0))?;
        Ok(NumberHistory {
            opted_out,
            paused,
            contact_name,
            text_back_pending,
            last_text_back_at: opt_ms(last_tb)?,
            last_exchange_at: opt_ms(last_exchange)?,
        })
    }

    /// The contact name stored for a number.
    pub fn contact_name(&self, number: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT name FROM contacts WHERE number = ?1")?
            .query_row([number], |r| r.get(0))
            .optional()?)
    }

    /// Whether `number` is opted out.
    pub fn is_opted_out(&self, number: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM opt_outs WHERE number = ?1")?
            .exists([number])?)
    }

    /// Whether, since `since`, the number texted in, was sent a reply, or spoke with the owner
    /// on the phone: any of which means a follow-up would be out of place.
    pub fn heard_from_since(&self, number: &str, since: Timestamp) -> Result<bool, StoreError> {
        let texted = self
            .conn
            .prepare_cached(
                "SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id
                 WHERE c.number = ?1 AND m.created_at >= ?2
                   AND (m.direction = 'inbound' OR m.kind = 'reply')",
            )?
            .exists(params![number, ms(since)])?;
        if texted {
            return Ok(true);
        }
        Ok(self
            .conn
            .prepare_cached(
                "SELECT 1 FROM calls WHERE number = ?1 AND ended_at >= ?2
                   AND outcome IN ('answered', 'outgoing')",
            )?
            .exists(params![number, ms(since)])?)
    }

    /// The queued message that is due first (by due time, then creation order).
    pub fn outbox_head(&self) -> Result<Option<OutboxEntry>, StoreError> {
        let row = self
            .conn
            .prepare_cached(concat!(
                outbox_select!(),
                ", m.due_at, m.hold ",
                outbox_from!(),
                " WHERE m.status = 'queued' ORDER BY m.due_at, m.id LIMIT 1"
            ))?
            .query_row([], |r| {
                Ok((read_outbox_row(r)?, r.get::<_, Option<String>>(8)?))
            })
            .optional()?;
        row.map(|(row, hold)| {
            let hold = hold
                .map(|h| parse_name(&h, "hold reason", HoldReason::from_name))
                .transpose()?;
            outbox_entry(row, hold)
        })
        .transpose()
    }

    /// Texts waiting to be retried (status `retrying`), oldest first, at most `limit`,
    /// each with when its reply was written on a desktop (for a reply from one).
    pub fn retrying(
        &self,
        limit: usize,
    ) -> Result<Vec<(OutboxEntry, Option<Timestamp>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(RETRYING)?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok((read_outbox_row(r)?, r.get::<_, Option<i64>>(8)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (row, written) = row?;
            out.push((outbox_entry(row, None)?, written.map(from_ms).transpose()?));
        }
        Ok(out)
    }

    /// Whether a queued text due by `at` waits with no reason recorded yet.
    pub fn any_waiting_unmarked(&self, at: Timestamp) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM messages
                 WHERE status = 'queued' AND due_at <= ?1 AND hold IS NULL)",
            )?
            .query_row([ms(at)], |r| r.get(0))?)
    }

    /// Every queued text due by `at`, in line order: its recipient, text, and whether a
    /// reason it waits is recorded.
    pub fn waiting_in_line(
        &self,
        at: Timestamp,
    ) -> Result<Vec<(MessageId, String, String, bool)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.id, c.number, m.body, m.hold IS NOT NULL FROM messages m
             JOIN conversations c ON c.id = m.conversation_id
             WHERE m.status = 'queued' AND m.due_at <= ?1
             ORDER BY m.due_at, m.id",
        )?;
        let rows = stmt.query_map(params![ms(at)], |r| {
            Ok((MessageId(r.get(0)?), r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        rows.collect::<Result<_, _>>().map_err(StoreError::from)
    }

    /// When texts Ringback sent left since `since` (exclusive), with their SMS parts,
    /// ascending: what the volume window counts. Texts the owner typed in the phone's own
    /// messaging app are that app's, not Ringback's.
    pub fn sent_parts_since(
        &self,
        since: Timestamp,
    ) -> Result<Vec<(Timestamp, usize)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT left_at, body FROM messages
             WHERE left_at > ?1 AND kind <> 'from_phone' ORDER BY left_at",
        )?;
        let rows = stmt.query_map([ms(since)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|r| {
            let (at, body) = r?;
            Ok((from_ms(at)?, crate::sms::count(&body).segments.max(1)))
        })
        .collect()
    }

    /// When replies written on the desktop `origin` left since `since` (exclusive),
    /// ascending: what its reply budget counts.
    pub fn replies_left_since(
        &self,
        origin: &str,
        since: Timestamp,
    ) -> Result<Vec<Timestamp>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.left_at FROM requests r JOIN messages m ON m.source_id = r.key
             WHERE r.origin = ?1 AND m.left_at > ?2 ORDER BY m.left_at",
        )?;
        let rows = stmt.query_map(params![origin, ms(since)], |r| r.get::<_, i64>(0))?;
        rows.map(|r| from_ms(r?)).collect()
    }

    /// Whether the business ever heard from `number`: a call from it, or a text.
    pub fn heard_from(&self, number: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM calls WHERE number = ?1)
                     OR EXISTS (SELECT 1 FROM messages m
                                JOIN conversations c ON c.id = m.conversation_id
                                WHERE c.number = ?1 AND m.direction = 'inbound')",
            )?
            .query_row([number], |r| r.get(0))?)
    }

    /// One message.
    pub fn message(&self, id: MessageId) -> Result<Option<Message>, StoreError> {
        let row = self
            .conn
            .prepare_cached(&format!("{MESSAGE_COLUMNS} WHERE id = ?1"))?
            .query_row([id.0], read_message_row)
            .optional()?;
        row.map(Message::try_from).transpose()
    }

    /// The conversation's number and line.
    pub fn conversation_address(
        &self,
        id: ConversationId,
    ) -> Result<Option<(String, Line)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT number, line FROM conversations WHERE id = ?1")?
            .query_row([id.0], |r| Ok((r.get(0)?, Line(r.get(1)?))))
            .optional()?)
    }

    /// Whether Ringback itself sent `body` to `number` since `since` (any line, any kind but
    /// texts typed on the phone).
    pub fn sent_by_ringback(
        &self,
        number: &str,
        body: &str,
        since: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id
                 WHERE c.number = ?1 AND m.direction = 'outbound' AND m.kind <> 'from_phone'
                   AND m.body = ?2 AND m.created_at >= ?3)",
            )?
            .query_row(params![number, body, ms(since)], |r| r.get(0))?)
    }

    /// Whether there is a conversation with `number` on `line`.
    pub fn has_conversation(&self, line: &Line, number: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM conversations WHERE line = ?1 AND number = ?2)",
            )?
            .query_row(params![line.0, number], |r| r.get(0))?)
    }

    /// The most recently active conversation with `number`, on any line, and its line.
    pub fn latest_conversation(
        &self,
        number: &str,
    ) -> Result<Option<(ConversationId, Line)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, line FROM conversations WHERE number = ?1
                 ORDER BY last_activity_at DESC, id DESC LIMIT 1",
            )?
            .query_row([number], |r| {
                Ok((ConversationId(r.get(0)?), Line(r.get(1)?)))
            })
            .optional()?)
    }

    /// Every message with the given status, oldest first (recovery views and tests).
    pub fn messages_with_status(&self, status: MessageStatus) -> Result<Vec<Message>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{MESSAGE_COLUMNS} WHERE status = ?1 ORDER BY id"))?;
        let rows = stmt.query_map([status.as_str()], read_message_row)?;
        rows.map(|r| Message::try_from(r?)).collect()
    }

    /// All messages, oldest first (tests, export).
    pub fn all_messages(&self) -> Result<Vec<Message>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{MESSAGE_COLUMNS} ORDER BY id"))?;
        let rows = stmt.query_map([], read_message_row)?;
        rows.map(|r| Message::try_from(r?)).collect()
    }

    /// The number of recorded calls.
    pub fn call_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM calls", [], |r| r.get(0))?)
    }

    /// Whether a call-log entry was recorded (with its decision, or none needed).
    pub fn is_call_recorded(&self, log_id: i64) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM calls WHERE log_id = ?1")?
            .query_row([log_id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The decision stored for a call-log entry: none when it is not recorded or needed
    /// none.
    pub fn call_decision(&self, log_id: i64) -> Result<Option<CallDecision>, StoreError> {
        let row: Option<(Option<String>, Option<String>)> = self
            .conn
            .prepare_cached("SELECT decision, skip_reason FROM calls WHERE log_id = ?1")?
            .query_row([log_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            Some((decision, reason)) => read_decision(decision.as_deref(), reason.as_deref()),
            None => Ok(None),
        }
    }
}

/// A desktop reply the phone has not acted on yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    /// The request id, as the desktop that wrote it named it.
    pub id: String,
    /// What the message it becomes carries as its source id (see [`request_key`]).
    pub key: String,
    /// The desktop that wrote it.
    pub origin: String,
    /// The conversation answered.
    pub conversation: Option<ConversationId>,
    /// The recipient, when not a conversation's.
    pub to: Option<String>,
    /// The line, when not the conversation's.
    pub line: Option<Line>,
    /// The text.
    pub body: String,
    /// When it was written.
    pub requested_at: Timestamp,
}

/// A reply request the phone refused, with no conversation to show it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedRequest {
    /// The desktop that wrote it.
    pub origin: String,
    /// Its id there.
    pub id: String,
    /// The recipient it named.
    pub to: Option<String>,
    /// The text.
    pub body: String,
    /// When it was written.
    pub requested_at: Timestamp,
    /// Why the phone refused it.
    pub reason: RefusalReason,
}

impl Reader<'_> {
    /// Reply requests with no message yet, oldest first.
    pub fn pending_requests(&self) -> Result<Vec<PendingRequest>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.origin, r.conversation_id, r.recipient, r.line, r.body, r.requested_at,
                    r.key
             FROM requests r
             WHERE r.refused IS NULL
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.source_id = r.key)
             ORDER BY r.requested_at, r.origin, r.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                (
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ),
                (
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, String>(7)?,
                ),
            ))
        })?;
        rows.map(|row| {
            let ((id, origin, conversation, to), (line, body, at, key)) = row?;
            Ok(PendingRequest {
                id,
                key,
                origin,
                conversation: conversation.map(ConversationId),
                to,
                line: line.map(Line),
                body,
                requested_at: from_ms(at)?,
            })
        })
        .collect()
    }

    /// Reply requests the phone refused because they named no conversation it has, newest
    /// first (those with a conversation fail as a message in it instead).
    pub fn refused_requests(&self, limit: u32) -> Result<Vec<RefusedRequest>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT origin, id, recipient, body, requested_at, refused FROM requests
             WHERE refused IS NOT NULL ORDER BY requested_at DESC, origin, id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                (
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                ),
            ))
        })?;
        rows.map(|row| {
            let ((origin, id), (to, body, at, reason)) = row?;
            Ok(RefusedRequest {
                origin,
                id,
                to,
                body,
                requested_at: from_ms(at)?,
                reason: parse_name(&reason, "refusal reason", RefusalReason::from_name)?,
            })
        })
        .collect()
    }

    /// Unread texts across the inbox (archived conversations left out).
    pub fn unread_total(&self) -> Result<u32, StoreError> {
        let total: i64 = self
            .conn
            .prepare_cached(
                "SELECT COALESCE(SUM(unread), 0) FROM conversations WHERE archived = 0",
            )?
            .query_row([], |r| r.get(0))?;
        Ok(u32::try_from(total).unwrap_or(u32::MAX))
    }

    /// The conversation's read marker: inbound messages with a larger id are unread.
    pub fn read_up_to(&self, conversation: ConversationId) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT read_up_to FROM conversations WHERE id = ?1")?
            .query_row([conversation.0], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    /// The newest message id (0 in an empty store).
    pub fn last_message_id(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM messages")?
            .query_row([], |r| r.get(0))?)
    }

    /// Inbound texts with an id above `after`, oldest first (what arrived since the last look).
    pub fn inbound_after(&self, after: i64, limit: u32) -> Result<Vec<Message>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, conversation_id, direction, kind, body, status, failure, created_at, due_at,
                    left_at, hold, hold_until, failure_kind
             FROM messages WHERE id > ?1 AND direction = 'inbound' ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![after, limit], read_message_row)?;
        rows.map(|r| Message::try_from(r?)).collect()
    }

    /// Every device ever paired, with whether it still is.
    pub fn peers(&self) -> Result<Vec<PeerRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT endpoint, origin, role, name, paired, changed_at FROM peers ORDER BY endpoint",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (endpoint, origin, role, name, paired, changed_at) = row?;
            let role = match role.as_str() {
                "phone" => crate::oplog::op::Role::Phone,
                _ => crate::oplog::op::Role::Desktop,
            };
            Ok(PeerRecord {
                endpoint,
                origin,
                role,
                name,
                paired,
                changed_at,
            })
        })
        .collect()
    }
}

pub(super) const MESSAGE_COLUMNS: &str = "SELECT id, conversation_id, direction, kind, body, status, failure, \
     created_at, due_at, left_at, hold, hold_until, failure_kind FROM messages";

pub(super) type MessageRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

/// Columns 0–7 of an outbox read: id, conversation, number, line, kind, body, requester,
/// due time.
type OutboxRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
);

fn read_outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn outbox_entry(row: OutboxRow, hold: Option<HoldReason>) -> Result<OutboxEntry, StoreError> {
    let (id, conversation, to, line, kind, body, requested_by, due) = row;
    Ok(OutboxEntry {
        id: MessageId(id),
        conversation_id: ConversationId(conversation),
        to,
        line: Line(line),
        kind: parse_name(&kind, "message kind", MessageKind::from_name)?,
        body,
        due_at: from_ms(due.unwrap_or(0))?,
        requested_by,
        hold,
    })
}

pub(super) fn read_message_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
    ))
}

/// A message's why from its columns: the kind when the row has one, else the words an
/// earlier version stored, read back into a kind.
pub(super) fn read_failure(
    words: Option<&str>,
    kind: Option<&str>,
) -> Result<Option<Failure>, StoreError> {
    match (kind, words) {
        (Some(kind), _) => Failure::from_stored(kind)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("“{kind}” is not a failure: {e}"))),
        (None, Some(words)) => Ok(Some(Failure::from_words(words))),
        (None, None) => Ok(None),
    }
}

/// A call's decision from its `decision` and `skip_reason` columns.
pub(super) fn read_decision(
    decision: Option<&str>,
    reason: Option<&str>,
) -> Result<Option<CallDecision>, StoreError> {
    let name = decision
        .map(|d| parse_name(d, "call decision", DecisionName::from_name))
        .transpose()?;
    let reason = reason
        .map(|r| parse_name(r, "skip reason", SkipReason::from_name))
        .transpose()?;
    CallDecision::from_parts(name, reason).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;
    fn try_from(row: MessageRow) -> Result<Message, StoreError> {
        let (
            id,
            conv,
            direction,
            kind,
            body,
            status,
            words,
            created,
            due,
            left,
            hold,
            until,
            kind_of,
        ) = row;
        let failure = read_failure(words.as_deref(), kind_of.as_deref())?;
        let hold = match (hold, until) {
            (Some(reason), Some(until)) => Some(MessageHold {
                reason: parse_name(&reason, "hold reason", HoldReason::from_name)?,
                until: from_ms(until)?,
            }),
            _ => None,
        };
        Ok(Message {
            id: MessageId(id),
            conversation_id: ConversationId(conv),
            direction: parse_name(&direction, "direction", Direction::from_name)?,
            kind: parse_name(&kind, "message kind", MessageKind::from_name)?,
            body,
            status: parse_name(&status, "message status", MessageStatus::from_name)?,
            failure,
            created_at: from_ms(created)?,
            due_at: opt_ms(due)?,
            left_at: opt_ms(left)?,
            hold,
        })
    }
}
