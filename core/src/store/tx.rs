// Over 600 lines, one concept: every change a write transaction makes, each with its op.
//! The write side: what one transaction may change.

mod review;

use std::cell::RefCell;

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Transaction, params};

use super::{ConversationId, MessageId, StoreError, ms};
use crate::call::{CallDecision, DecisionName, EndedCall, Line, SkipReason};
use crate::conversation::LeadStatus;
use crate::message::{Direction, Failure, MessageKind, MessageStatus};
use crate::oplog::hlc::Hlc;
use crate::oplog::op::{Change, Field};
use crate::outbound::{HoldReason, RefusalReason};
use crate::settings::Settings;

pub use review::OptOutReview;
pub(crate) use review::{apply_review, is_e164};

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
    /// Why it failed, for a message born failed (an expired desktop reply).
    pub failure: Option<Failure>,
}

/// An open write transaction. Created by [`super::Store::write`]. Every change it makes is
/// also recorded as a [`Change`] of the op that the transaction commits with.
pub struct WriteTx<'c> {
    tx: &'c Transaction<'c>,
    origin: &'c str,
    hlc: Hlc,
    changes: RefCell<Vec<Change>>,
}

impl<'c> WriteTx<'c> {
    pub(super) fn new(tx: &'c Transaction<'c>, origin: &'c str, hlc: Hlc) -> Self {
        WriteTx {
            tx,
            origin,
            hlc,
            changes: RefCell::new(Vec::new()),
        }
    }

    pub(super) fn into_changes(self) -> Vec<Change> {
        self.changes.into_inner()
    }

    fn record(&self, change: Change) {
        self.changes.borrow_mut().push(change);
    }

    /// The transaction, this device's origin and the op's clock, for the store's other
    /// modules (`secrets`).
    pub(super) fn parts(&self) -> (&'c Transaction<'c>, &'c str, Hlc) {
        (self.tx, self.origin, self.hlc)
    }

    /// Records a change made by another of the store's modules.
    pub(super) fn push(&self, change: Change) {
        self.record(change);
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
        self.record(Change::Conversation {
            id,
            line: line.0.clone(),
            number: number.to_string(),
            at: ms(at),
        });
        Ok(ConversationId(id))
    }

    /// Records a call. The caller checks first that its log id is new (a repeated id is
    /// refused by the unique index).
    pub fn insert_call(
        &self,
        call: &EndedCall,
        number: Option<&str>,
        conversation: Option<ConversationId>,
        decision: Option<CallDecision>,
    ) -> Result<i64, StoreError> {
        let (decision, skip_reason) = match decision.map(CallDecision::parts) {
            Some((name, reason)) => (Some(name), reason),
            None => (None, None),
        };
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
                decision.map(DecisionName::as_str),
                skip_reason.map(SkipReason::as_str)
            ])?;
        let id = self.tx.last_insert_rowid();
        self.record(Change::Call {
            id,
            log_id: call.log_id,
            conversation: conversation.map(|c| c.0),
            caller: call.number.clone(),
            number: number.map(str::to_string),
            line: call.line.0.clone(),
            outcome: call.outcome.as_str().to_string(),
            ended_at: ms(call.ended_at),
            decision,
            skip_reason,
        });
        Ok(id)
    }

    /// Links a call to the text-back it produced.
    pub fn link_call_message(&self, call_id: i64, message: MessageId) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE calls SET message_id = ?2 WHERE id = ?1")?
            .execute(params![call_id, message.0])?;
        self.record(Change::CallLinked {
            call: call_id,
            message: message.0,
        });
        Ok(())
    }

    /// Changes a call's decision (a pending text-back cancelled).
    pub fn set_call_skipped_for_message(
        &self,
        message: MessageId,
        reason: SkipReason,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE calls SET decision = 'skipped', skip_reason = ?2 WHERE message_id = ?1",
            )?
            .execute(params![message.0, reason.as_str()])?;
        self.record(Change::CallSkipped {
            message: message.0,
            reason,
        });
        Ok(())
    }

    /// Inserts a message; returns `None` when its source id was seen before.
    pub fn insert_message(&self, m: &NewMessage<'_>) -> Result<Option<MessageId>, StoreError> {
        let words = m.failure.as_ref().map(Failure::describe);
        let kind = m.failure.as_ref().map(Failure::to_stored);
        let id: Option<i64> = self
            .tx
            .prepare_cached(
                "INSERT INTO messages (conversation_id, direction, kind, body, status,
                                       created_at, due_at, left_at, source_id, failure,
                                       failure_kind)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
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
                    m.source_id,
                    words,
                    kind
                ],
                |r| r.get(0),
            )
            .optional()?;
        let Some(id) = id else { return Ok(None) };
        count_new_message(
            self.tx,
            m.conversation_id.0,
            id,
            m.direction,
            ms(m.created_at),
        )?;
        self.record(Change::Message {
            id,
            conversation: m.conversation_id.0,
            direction: m.direction.as_str().to_string(),
            kind: m.kind.as_str().to_string(),
            body: m.body.to_string(),
            status: m.status.as_str().to_string(),
            failure: words,
            failure_kind: m.failure.clone(),
            created_at: ms(m.created_at),
            due_at: m.due_at.map(ms),
            left_at: m.left_at.map(ms),
            source_id: m.source_id.map(str::to_string),
        });
        Ok(Some(MessageId(id)))
    }

    /// Moves a message to `next` if the status machine allows it from where it is; returns
    /// whether it moved. `left_at` is set when given and not yet set.
    pub fn advance_status(
        &self,
        id: MessageId,
        next: MessageStatus,
        failure: Option<&Failure>,
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
        let words = failure.map(Failure::describe);
        let kind = failure.map(Failure::to_stored);
        set_status(
            self.tx,
            id.0,
            next,
            words.as_deref(),
            kind.as_deref(),
            left_at.map(ms),
        )?;
        self.record(Change::Status {
            id: id.0,
            status: next.as_str().to_string(),
            failure: words,
            failure_kind: failure.cloned(),
            left_at: left_at.map(ms),
        });
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
        let ids: Vec<i64> = self
            .tx
            .prepare_cached("SELECT id FROM messages WHERE status = 'sending' ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for &id in &ids {
            self.advance_status(
                MessageId(id),
                MessageStatus::Unconfirmed,
                Some(&Failure::Unconfirmed),
                None,
            )?;
        }
        Ok(ids.len())
    }

    /// Opts a number out; returns false if it already was.
    pub fn opt_out(&self, number: &str, at: Timestamp) -> Result<bool, StoreError> {
        let changed = self
            .tx
            .prepare_cached(
                "INSERT INTO opt_outs (number, since) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?
            .execute(params![number, ms(at)])?
            > 0;
        if changed {
            self.record(Change::OptOut {
                number: number.to_string(),
                at: ms(at),
            });
        }
        Ok(changed)
    }

    /// Opts a number back in; returns false if it was not opted out.
    pub fn opt_in(&self, number: &str) -> Result<bool, StoreError> {
        let changed = self
            .tx
            .prepare_cached("DELETE FROM opt_outs WHERE number = ?1")?
            .execute([number])?
            > 0;
        if changed {
            self.record(Change::OptIn {
                number: number.to_string(),
            });
        }
        Ok(changed)
    }

    /// Records or renames a contact; an empty name removes it.
    pub fn set_contact(&self, number: &str, name: &str, at: Timestamp) -> Result<(), StoreError> {
        if write_contact(self.tx, number, name, ms(at))? {
            self.record(Change::Contact {
                number: number.to_string(),
                name: name.trim().to_string(),
                at: ms(at),
            });
        }
        Ok(())
    }

    /// Moves a conversation's lead status from `new` to `engaged` (a reply came in).
    pub fn mark_engaged(&self, conversation: ConversationId) -> Result<(), StoreError> {
        let status: Option<String> = self
            .tx
            .prepare_cached("SELECT lead_status FROM conversations WHERE id = ?1")?
            .query_row([conversation.0], |r| r.get(0))
            .optional()?;
        if status.as_deref() == Some(LeadStatus::New.as_str()) {
            self.set_field(conversation, Field::LeadStatus(LeadStatus::Engaged))?;
        }
        Ok(())
    }

    /// Sets a conversation field (read marker, lead status, archived, note) as of this
    /// transaction's clock.
    pub fn set_field(&self, conversation: ConversationId, field: Field) -> Result<(), StoreError> {
        let stamp = Stamp {
            hlc: self.hlc,
            origin: self.origin,
        };
        if write_field(self.tx, conversation.0, &field, stamp)? {
            self.record(Change::Field {
                conversation: conversation.0,
                field,
            });
        }
        Ok(())
    }

    /// Stores the settings document in force.
    pub fn save_settings(&self, settings: &Settings, at: Timestamp) -> Result<(), StoreError> {
        let document = settings.to_value();
        let stamp = Stamp {
            hlc: self.hlc,
            origin: self.origin,
        };
        lww_claim(self.tx, "settings", stamp, &document.to_string())?;
        write_settings(self.tx, &document, ms(at))?;
        self.record(Change::Settings { document });
        // On the phone: a key kept for another server than these settings name goes.
        self.key_follows_settings(at)
    }

    /// Books an appointment in a conversation (phone only); returns its id.
    pub fn book_appointment(
        &self,
        conversation: ConversationId,
        slot: &crate::assistant::Slot,
        summary: &str,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        let (start, end, created) = (ms(slot.start), ms(slot.end), ms(at));
        self.tx
            .prepare_cached(
                "INSERT INTO appointments (conversation_id, start_at, end_at, summary, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![conversation.0, start, end, summary, created])?;
        let id = self.tx.last_insert_rowid();
        self.record(Change::Appointment {
            id,
            conversation: conversation.0,
            start,
            end,
            summary: summary.to_string(),
            created_at: created,
        });
        Ok(id)
    }

    /// Records a desktop's request for a reply; the phone sends it once.
    pub fn request_reply(&self, request: &ReplyDraft<'_>) -> Result<bool, StoreError> {
        let inserted = write_request(self.tx, self.origin, request)?;
        if inserted {
            self.record(Change::Reply {
                request: request.id.to_string(),
                conversation: request.conversation,
                to: request.to.map(str::to_string),
                line: request.line.map(str::to_string),
                body: request.body.to_string(),
                requested_at: request.requested_at,
            });
        }
        Ok(inserted)
    }

    /// Records why a queued message waits, and until when (phone only).
    pub fn hold_message(
        &self,
        id: MessageId,
        reason: HoldReason,
        until: Timestamp,
    ) -> Result<bool, StoreError> {
        let changed = write_hold(self.tx, id.0, reason, ms(until))?;
        if changed {
            self.record(Change::Held {
                id: id.0,
                reason: reason.as_str().to_string(),
                until: ms(until),
            });
        }
        Ok(changed)
    }

    /// Refuses a reply request that names no conversation the phone has (phone only).
    pub fn refuse_request(
        &self,
        origin: &str,
        id: &str,
        reason: RefusalReason,
    ) -> Result<bool, StoreError> {
        let changed = write_request_refused(self.tx, origin, id, reason.as_str())?;
        if changed {
            self.record(Change::RequestRefused {
                origin: origin.to_string(),
                request: id.to_string(),
                reason: reason.as_str().to_string(),
            });
        }
        Ok(changed)
    }

    /// Records a device as paired or unpaired, as of this transaction's clock.
    pub fn set_peer(&self, peer: &PeerRecord) -> Result<(), StoreError> {
        let stamp = Stamp {
            hlc: self.hlc,
            origin: self.origin,
        };
        if write_peer(self.tx, peer, stamp)? {
            self.record(Change::Peer {
                endpoint: peer.endpoint.clone(),
                origin: peer.origin.clone(),
                role: peer.role,
                name: peer.name.clone(),
                paired: peer.paired,
            });
        }
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

    /// Writes again, as of this transaction's clock, the last-writer-wins value in slot
    /// `key`, which was stamped in the future while this device's date was wrong: every
    /// device then holds it with the same stamp, and later writes win over it. A desktop
    /// may not record a pairing (`phone` is false), so it only restamps its own copy of one.
    pub(crate) fn restamp(&self, key: &str, value: &str, phone: bool) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("DELETE FROM lww WHERE key = ?1")?
            .execute([key])?;
        let stamp = Stamp {
            hlc: self.hlc,
            origin: self.origin,
        };
        if key == "settings"
            && let Ok(document) = serde_json::from_str::<serde_json::Value>(value)
        {
            lww_claim(self.tx, key, stamp, value)?;
            self.record(Change::Settings { document });
            return Ok(());
        }
        if let Some((conversation, _)) = key
            .strip_prefix("conversation/")
            .and_then(|k| k.split_once('/'))
            && let Ok(conversation) = conversation.parse::<i64>()
            && let Ok(field) = serde_json::from_str::<Field>(value)
        {
            return self.set_field(ConversationId(conversation), field);
        }
        if let Some(endpoint) = key.strip_prefix("peer/")
            && let Some(peer) = self
                .reader()
                .peers()?
                .into_iter()
                .find(|p| p.endpoint == endpoint)
        {
            if phone || !peer.paired {
                return self.set_peer(&peer);
            }
            write_peer(self.tx, &peer, stamp)?;
            return Ok(());
        }
        // A value this version cannot write again: only its stamp comes back.
        lww_claim(self.tx, key, stamp, value)?;
        Ok(())
    }
}

/// A desktop's reply, before it becomes a [`Change::Reply`].
#[derive(Debug, Clone)]
pub struct ReplyDraft<'a> {
    /// The request's id, unique across devices.
    pub id: &'a str,
    /// The conversation answered.
    pub conversation: Option<i64>,
    /// The recipient, when not a conversation's.
    pub to: Option<&'a str>,
    /// The line, when not the conversation's.
    pub line: Option<&'a str>,
    /// The text.
    pub body: &'a str,
    /// When it was written (UTC milliseconds).
    pub requested_at: i64,
}

/// A paired (or unpaired) device.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PeerRecord {
    /// Its endpoint id.
    pub endpoint: String,
    /// Its op-log origin.
    pub origin: String,
    /// Phone or desktop.
    pub role: crate::oplog::op::Role,
    /// Its name.
    pub name: String,
    /// Paired, or revoked.
    pub paired: bool,
    /// When it last changed (UTC milliseconds).
    pub changed_at: i64,
}

/// Who wrote a last-writer-wins value, and when.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamp<'a> {
    pub hlc: Hlc,
    pub origin: &'a str,
}

/// Takes the last-writer-wins slot `key` for a write stamped `stamp` if it is later than
/// the write in force; returns whether it was.
pub(crate) fn lww_claim(
    tx: &Transaction<'_>,
    key: &str,
    stamp: Stamp<'_>,
    value: &str,
) -> Result<bool, StoreError> {
    let current: Option<(i64, i64, String)> = tx
        .prepare_cached("SELECT hlc_ms, hlc_counter, origin FROM lww WHERE key = ?1")?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    if let Some((millis, counter, origin)) = current {
        let held = (
            Hlc {
                millis,
                counter: u32::try_from(counter).unwrap_or(u32::MAX),
            },
            origin,
        );
        if (stamp.hlc, stamp.origin) <= (held.0, held.1.as_str()) {
            return Ok(false);
        }
    }
    tx.prepare_cached(
        "INSERT INTO lww (key, hlc_ms, hlc_counter, origin, value) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (key) DO UPDATE SET hlc_ms = excluded.hlc_ms,
            hlc_counter = excluded.hlc_counter, origin = excluded.origin, value = excluded.value",
    )?
    .execute(params![
        key,
        stamp.hlc.millis,
        i64::from(stamp.hlc.counter),
        stamp.origin,
        value
    ])?;
    Ok(true)
}

fn field_key(conversation: i64, name: &str) -> String {
    format!("conversation/{conversation}/{name}")
}

/// Writes a conversation field if `stamp` wins; returns whether it did.
pub(crate) fn write_field(
    tx: &Transaction<'_>,
    conversation: i64,
    field: &Field,
    stamp: Stamp<'_>,
) -> Result<bool, StoreError> {
    let value = serde_json::to_string(field).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if !lww_claim(tx, &field_key(conversation, field.name()), stamp, &value)? {
        return Ok(false);
    }
    set_field_column(tx, conversation, field)?;
    Ok(true)
}

/// Puts a field's value into the conversation row (if the row exists yet).
pub(crate) fn set_field_column(
    tx: &Transaction<'_>,
    conversation: i64,
    field: &Field,
) -> Result<(), StoreError> {
    match field {
        Field::ReadUpTo(up_to) => {
            tx.prepare_cached(
                "UPDATE conversations SET read_up_to = ?2,
                    unread = (SELECT count(*) FROM messages
                              WHERE conversation_id = ?1 AND direction = 'inbound' AND id > ?2)
                 WHERE id = ?1",
            )?
            .execute(params![conversation, up_to])?;
        }
        Field::LeadStatus(status) => {
            tx.prepare_cached("UPDATE conversations SET lead_status = ?2 WHERE id = ?1")?
                .execute(params![conversation, status.as_str()])?;
        }
        Field::Archived(archived) => {
            tx.prepare_cached("UPDATE conversations SET archived = ?2 WHERE id = ?1")?
                .execute(params![conversation, archived])?;
        }
        Field::Note(note) => {
            tx.prepare_cached("UPDATE conversations SET note = ?2 WHERE id = ?1")?
                .execute(params![conversation, note])?;
        }
        Field::Lead(lead) => {
            let json =
                serde_json::to_string(lead).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            tx.prepare_cached("UPDATE conversations SET lead = ?2 WHERE id = ?1")?
                .execute(params![conversation, json])?;
        }
        Field::Draft(draft) => {
            tx.prepare_cached("UPDATE conversations SET draft = ?2 WHERE id = ?1")?
                .execute(params![conversation, draft])?;
        }
        Field::Assistant(state) => {
            let json =
                serde_json::to_string(state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            tx.prepare_cached("UPDATE conversations SET assistant = ?2 WHERE id = ?1")?
                .execute(params![conversation, json])?;
        }
    }
    Ok(())
}

/// Re-applies the fields written for a conversation before its row existed.
pub(crate) fn apply_pending_fields(
    tx: &Transaction<'_>,
    conversation: i64,
) -> Result<(), StoreError> {
    let prefix = format!("conversation/{conversation}/");
    let values: Vec<String> = tx
        .prepare_cached("SELECT value FROM lww WHERE key > ?1 AND key < ?1 || '~'")?
        .query_map([&prefix], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for value in values {
        let field: Field =
            serde_json::from_str(&value).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        set_field_column(tx, conversation, &field)?;
    }
    Ok(())
}

/// Counts a new message into its conversation: latest message, unread, activity.
pub(crate) fn count_new_message(
    tx: &Transaction<'_>,
    conversation: i64,
    id: i64,
    direction: Direction,
    created_at: i64,
) -> Result<(), StoreError> {
    let inbound = i64::from(direction == Direction::Inbound);
    tx.prepare_cached(
        "UPDATE conversations SET last_message_id = max(coalesce(last_message_id, 0), ?2),
                unread = unread + (?3 AND ?2 > read_up_to),
                last_activity_at = max(last_activity_at, ?4)
         WHERE id = ?1",
    )?
    .execute(params![conversation, id, inbound, created_at])?;
    Ok(())
}

/// Sets a message's status (the caller checked that it may move). A new why (`failure`, in
/// words) replaces the old one with its kind, so words from an op of an earlier version,
/// which carries no kind, are never read with the kind of an older why.
pub(crate) fn set_status(
    tx: &Transaction<'_>,
    id: i64,
    next: MessageStatus,
    failure: Option<&str>,
    failure_kind: Option<&str>,
    left_at: Option<i64>,
) -> Result<(), StoreError> {
    // A text that left carries no failure: the reason an earlier attempt failed (a retried
    // text's "no service") is gone once it is sent or delivered. Here, so that the phone and
    // every replica applying the same status clear it alike.
    tx.prepare_cached(
        "UPDATE messages SET status = ?2,
                failure = CASE WHEN ?2 IN ('sent', 'delivered') THEN NULL
                               ELSE coalesce(?3, failure) END,
                failure_kind = CASE WHEN ?2 IN ('sent', 'delivered') THEN NULL
                                    WHEN ?3 IS NULL THEN failure_kind ELSE ?4 END,
                left_at = coalesce(left_at, ?5)
         WHERE id = ?1",
    )?
    .execute(params![id, next.as_str(), failure, failure_kind, left_at])?;
    Ok(())
}

/// Records or renames a contact; an empty name removes it. Returns whether anything changed.
pub(crate) fn write_contact(
    tx: &Transaction<'_>,
    number: &str,
    name: &str,
    at: i64,
) -> Result<bool, StoreError> {
    let name = name.trim();
    let changed = if name.is_empty() {
        tx.prepare_cached("DELETE FROM contacts WHERE number = ?1")?
            .execute([number])?
    } else {
        tx.prepare_cached(
            "INSERT INTO contacts (number, name, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (number) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at
             WHERE name != excluded.name",
        )?
        .execute(params![number, name, at])?
    };
    Ok(changed > 0)
}

/// Stores the settings document.
pub(crate) fn write_settings(
    tx: &Transaction<'_>,
    document: &serde_json::Value,
    at: i64,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO settings (id, document, updated_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
    )?
    .execute(params![document.to_string(), at])?;
    Ok(())
}

/// The source id of the message a reply request becomes: the id bound to the desktop that
/// wrote it, in a namespace of its own, so no desktop can claim another's ids or the ids
/// the platform gives texts.
pub fn request_key(origin: &str, id: &str) -> String {
    format!("{REQUEST_KEY_PREFIX}{origin}/{id}")
}

/// What every reply request's key starts with (and no platform id does).
pub(crate) const REQUEST_KEY_PREFIX: &str = "req/";

/// Records a reply request; returns false when the same desktop sent that id before.
pub(crate) fn write_request(
    tx: &Transaction<'_>,
    origin: &str,
    r: &ReplyDraft<'_>,
) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached(
            "INSERT INTO requests (origin, id, key, conversation_id, recipient, line, body, requested_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            origin,
            r.id,
            request_key(origin, r.id),
            r.conversation,
            r.to,
            r.line,
            r.body,
            r.requested_at
        ])?
        > 0)
}

/// Marks a reply request refused (it named no conversation the phone has).
pub(crate) fn write_request_refused(
    tx: &Transaction<'_>,
    origin: &str,
    id: &str,
    reason: &str,
) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached(
            "UPDATE requests SET refused = ?3 WHERE origin = ?1 AND id = ?2 AND refused IS NULL",
        )?
        .execute(params![origin, id, reason])?
        > 0)
}

/// Records why a queued message waits. A reply held by its desktop's budget is due again
/// when the budget allows (so its time moves with each hold); a text held by the volume
/// window keeps its place in line and is recorded once, with the earliest it could leave
/// then. Returns whether anything changed.
pub(crate) fn write_hold(
    tx: &Transaction<'_>,
    id: i64,
    reason: HoldReason,
    until: i64,
) -> Result<bool, StoreError> {
    let moves = reason == HoldReason::ReplyBudget;
    Ok(tx
        .prepare_cached(
            "UPDATE messages SET hold = ?2, hold_until = ?3,
                    due_at = CASE WHEN ?4 THEN max(coalesce(due_at, 0), ?3) ELSE due_at END
             WHERE id = ?1 AND status = 'queued'
               AND (hold IS NOT ?2 OR (?4 AND hold_until IS NOT ?3))",
        )?
        .execute(params![id, reason.as_str(), until, moves])?
        > 0)
}

/// Records a peer if `stamp` wins its slot; returns whether it did.
pub(crate) fn write_peer(
    tx: &Transaction<'_>,
    peer: &PeerRecord,
    stamp: Stamp<'_>,
) -> Result<bool, StoreError> {
    let key = format!("peer/{}", peer.endpoint);
    if !lww_claim(
        tx,
        &key,
        stamp,
        if peer.paired { "paired" } else { "unpaired" },
    )? {
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT INTO peers (endpoint, origin, role, name, paired, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (endpoint) DO UPDATE SET origin = excluded.origin, role = excluded.role,
            name = excluded.name, paired = excluded.paired, changed_at = excluded.changed_at",
    )?
    .execute(params![
        peer.endpoint,
        peer.origin,
        peer.role.as_str(),
        peer.name,
        peer.paired,
        stamp.hlc.millis
    ])?;
    Ok(true)
}
