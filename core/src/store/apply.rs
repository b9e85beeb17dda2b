// Over 600 lines, one concept: applying other devices' ops, each change checked alike.
//! Applying ops from other devices. Apply is idempotent and order-independent where it
//! must be: an op already held is skipped, an op whose predecessor from the same origin is
//! missing stops the batch (the session asks for it again), rows the phone made are
//! inserted with the phone's ids once, statuses only move forward, and last-writer-wins
//! fields keep the write with the latest clock. A batch is one transaction: an op that is
//! not allowed or not valid leaves the store exactly as it was.

use jiff::Timestamp;
use rusqlite::{ErrorCode, OptionalExtension, Transaction, params};

use super::clock::{prune_quarantine, quarantine};
use super::tx::{
    PeerRecord, ReplyDraft, Stamp, apply_pending_fields, count_new_message, lww_claim, set_status,
    write_contact, write_field, write_hold, write_peer, write_request, write_request_refused,
    write_settings,
};
use super::{Store, StoreError, append_op, index_pending, ms};
use crate::call::{CallDecision, CallOutcome, DecisionName, SkipReason};
use crate::message::{Direction, Failure, MessageKind, MessageStatus};
use crate::oplog::hlc::MAX_DRIFT_MILLIS;
use crate::oplog::op::{Change, Op, Role};
use crate::outbound::{HoldReason, RefusalReason};
use crate::settings::Settings;

/// A batch of at most this many ops (live traffic) is indexed for search in its own
/// transaction; a larger one (a catch-up) waits for [`Store::index_pending`].
const INDEX_AT_ONCE: usize = 32;

/// The largest text accepted in an op: far above any SMS, far below the frame limit.
pub const MAX_TEXT: usize = 64 * 1024;

/// What a batch of remote ops did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Ops applied.
    pub applied: usize,
    /// Ops already held, skipped.
    pub duplicates: usize,
    /// An op came before its predecessor: it and the rest of the batch were left for the
    /// sender to send again.
    pub gap: bool,
    /// The settings in force changed.
    pub settings_changed: bool,
    /// New reply requests arrived.
    pub requests: usize,
    /// Endpoints whose pairing changed.
    pub peers_changed: Vec<String>,
    /// Attachments of messages or of reply requests arrived (what desktops prefetch and
    /// the phone fetches for replies may have changed).
    pub photos: bool,
    /// Ops stamped far ahead of this device's clock: applied, their last-writer-wins
    /// changes ordered as of their arrival, and recorded (see `Reader::quarantined`).
    pub quarantined: usize,
}

/// Why a batch of remote ops was refused; nothing of it was stored.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The sending device may not make this change.
    #[error("op {origin}/{seq} was refused: {why}")]
    NotAllowed {
        /// The op's origin.
        origin: String,
        /// Its sequence number.
        seq: u64,
        /// Why.
        why: String,
    },
    /// The op does not describe a valid change.
    #[error("op {origin}/{seq} is not valid: {why}")]
    Invalid {
        /// The op's origin.
        origin: String,
        /// Its sequence number.
        seq: u64,
        /// What is wrong.
        why: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for ApplyError {
    fn from(e: rusqlite::Error) -> Self {
        ApplyError::Store(StoreError::Sqlite(e))
    }
}

/// The device a batch came from over a session.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// Its op-log origin.
    pub origin: &'a str,
    /// What it is.
    pub role: Role,
}

impl Store {
    /// The origin of the phone this store belongs to (its own origin on the phone).
    pub fn phone_origin(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'phone_origin'",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// A local value (never replicated): addresses of peers and the like.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Sets a local value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Records which origin is the phone's: the only one whose calls and texts are taken.
    pub fn set_phone_origin(&self, origin: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('phone_origin', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [origin],
        )?;
        Ok(())
    }

    /// Applies ops received from `sender`, in order, in one transaction. `now` is this
    /// device's clock, against which the ops' clocks are checked: a stamp from the future
    /// is clamped for ordering, never taken into this device's clock, and never a reason to
    /// refuse a batch.
    pub fn apply_remote(
        &mut self,
        ops: &[Op],
        sender: Source<'_>,
        now: Timestamp,
    ) -> Result<ApplyReport, ApplyError> {
        self.recover_clock(now)?;
        let phone = self.phone_origin()?;
        // The phone keeps every op to relay it; a desktop keeps only what it holds.
        let relays = phone.as_deref() == Some(self.origin.as_str());
        let mut held = self.held.clone();
        let mut clock = self.clock;
        let mut report = ApplyReport::default();
        let mut keys = super::secrets::KeyWork::default();
        let tx = self.conn.transaction()?;
        for op in ops {
            let refuse = |why: &str| ApplyError::NotAllowed {
                origin: op.origin.clone(),
                seq: op.seq,
                why: why.to_string(),
            };
            if op.seq == 0 || op.origin.is_empty() || op.origin.len() > 128 {
                return Err(invalid(op, "it has no origin or sequence number"));
            }
            if held.contains(&op.origin, op.seq) {
                report.duplicates += 1;
                continue;
            }
            if op.origin == self.origin {
                return Err(refuse("it claims to come from this device"));
            }
            if op.seq != held.get(&op.origin) + 1 {
                report.gap = true;
                break;
            }
            if sender.role == Role::Desktop && op.origin != sender.origin {
                return Err(refuse("a desktop may only send its own changes"));
            }
            // On the phone, a desktop's changes count only while it is paired: an unpairing
            // (from any device, even earlier in this batch) stops them at once.
            if sender.role == Role::Desktop
                && phone.as_deref() == Some(self.origin.as_str())
                && !is_paired(&tx, &op.origin)?
            {
                return Err(refuse("this desktop is not paired with the phone"));
            }
            let from_phone = phone.as_deref() == Some(op.origin.as_str());
            if !from_phone && let Some(change) = op.changes.iter().find(|c| !c.desktop_may_make()) {
                return Err(refuse(&format!(
                    "only the phone may record {}",
                    change_name(change)
                )));
            }
            // A stamp beyond this device's clock plus the drift is ordered as of now; far
            // beyond, the op is also quarantined (recorded and reported). Either way it is
            // applied, so that the ops after it flow.
            let seen = clock.observe(op.hlc, ms(now));
            if seen.far_ahead() {
                quarantine(&tx, op, &seen, ms(now))?;
                report.quarantined += 1;
            }
            let stamp = Stamp {
                hlc: seen.order_by,
                origin: &op.origin,
            };
            for change in &op.changes {
                apply_change(&tx, op, change, stamp, ms(now), &mut report)?;
                super::secrets::apply(&tx, op, change, &self.origin, relays, &mut keys)?;
            }
            if relays {
                // Relayed without any API key: that stays on the phone.
                let kept = super::secrets::redacted(&op.changes);
                append_op(&tx, &op.origin, op.seq, op.hlc, &kept)?;
            }
            held.observe(&op.origin, op.seq);
            report.applied += 1;
        }
        if relays && let Some(state) = keys.take_answer() {
            // The phone answers a hand-over (or says the key went) in the same transaction.
            let hlc = clock.tick(ms(now));
            let seq = held.get(&self.origin) + 1;
            let change = super::secrets::answer_change(&tx, &self.origin, hlc, state)?;
            append_op(&tx, &self.origin, seq, hlc, std::slice::from_ref(&change))?;
            held.observe(&self.origin, seq);
        }
        if !relays && report.applied > 0 {
            for (origin, seq) in held.iter() {
                if seq > self.held.get(origin) {
                    tx.prepare_cached(
                        "INSERT INTO held (origin, seq) VALUES (?1, ?2)
                         ON CONFLICT (origin) DO UPDATE SET seq = excluded.seq",
                    )?
                    .execute(params![origin, i64::try_from(seq).unwrap_or(i64::MAX)])?;
                }
            }
        }
        if report.quarantined > 0 {
            prune_quarantine(&tx)?;
            // Names only: which device, which ops, by how much.
            tracing::warn!(
                sender = sender.origin,
                ops = report.quarantined,
                "ops stamped more than a day ahead of this device's clock were quarantined; their device's date is wrong"
            );
        }
        if ops.len() <= INDEX_AT_ONCE {
            index_pending(&tx)?;
        }
        tx.commit()?;
        if keys.blanked {
            self.flush_freed();
        }
        if report.applied > 0 {
            self.held = held;
            self.clock = clock;
            self.notices.committed(&super::notices::Touched {
                pairings: !report.peers_changed.is_empty(),
                photos: report.photos,
            });
        }
        Ok(report)
    }
}

fn is_paired(tx: &Transaction<'_>, origin: &str) -> Result<bool, ApplyError> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM peers WHERE origin = ?1 AND paired = 1")?
        .exists([origin])?)
}

fn invalid(op: &Op, why: &str) -> ApplyError {
    ApplyError::Invalid {
        origin: op.origin.clone(),
        seq: op.seq,
        why: why.to_string(),
    }
}

fn change_name(change: &Change) -> &'static str {
    match change {
        Change::Conversation { .. } => "conversations",
        Change::Call { .. } | Change::CallLinked { .. } | Change::CallSkipped { .. } => "calls",
        Change::Message { .. } | Change::Status { .. } => "messages",
        Change::Attachments { .. } | Change::ReplyAttachments { .. } => "attachments",
        Change::OptOut { .. } | Change::OptIn { .. } => "opt-outs",
        Change::OptOutReview { .. } => "opt-out reviews",
        Change::Contact { .. } => "contacts",
        Change::Field { .. } => "conversation fields",
        Change::Settings { .. } => "settings",
        Change::Reply { .. } => "replies",
        Change::Peer { .. } => "pairings",
        Change::Held { .. } => "held texts",
        Change::RequestRefused { .. } => "refused replies",
        Change::Appointment { .. } => "appointments",
        Change::AssistantKey { .. } | Change::AssistantKeyState { .. } => "the assistant's key",
    }
}

/// Turns a constraint failure (a row that contradicts the store) into an invalid op.
fn constrained(op: &Op, result: rusqlite::Result<usize>) -> Result<usize, ApplyError> {
    match result {
        Err(rusqlite::Error::SqliteFailure(e, msg)) if e.code == ErrorCode::ConstraintViolation => {
            Err(invalid(
                op,
                &format!(
                    "it contradicts what this device holds ({})",
                    msg.unwrap_or_default()
                ),
            ))
        }
        other => Ok(other?),
    }
}

fn check_text(op: &Op, what: &str, text: &str) -> Result<(), ApplyError> {
    if text.len() > MAX_TEXT {
        return Err(invalid(
            op,
            &format!("its {what} is longer than {MAX_TEXT} bytes"),
        ));
    }
    Ok(())
}

/// A message's why as an op carries it: its words bounded, and its kind (when the op has
/// one: earlier versions sent words only) only beside words, as the column it is stored in.
fn check_failure(
    op: &Op,
    words: Option<&str>,
    kind: Option<&Failure>,
) -> Result<Option<String>, ApplyError> {
    if let Some(words) = words {
        check_text(op, "failure", words)?;
    }
    match (words, kind) {
        (_, None) => Ok(None),
        (None, Some(_)) => Err(invalid(
            op,
            "it names why a message failed without saying it",
        )),
        (Some(_), Some(kind)) => {
            check_text(op, "failure", &kind.describe())?;
            Ok(Some(kind.to_stored()))
        }
    }
}

fn check_name<T>(
    op: &Op,
    what: &str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, ApplyError> {
    parse(value).ok_or_else(|| invalid(op, &format!("“{value}” is not a {what}")))
}

/// Applies one change of `op`; `stamp` orders its last-writer-wins values (the op's own, or
/// clamped), `now` is this device's clock.
fn apply_change(
    tx: &Transaction<'_>,
    op: &Op,
    change: &Change,
    stamp: Stamp<'_>,
    now: i64,
    report: &mut ApplyReport,
) -> Result<(), ApplyError> {
    match change {
        Change::Conversation {
            id,
            line,
            number,
            at,
        } => {
            check_text(op, "number", number)?;
            check_text(op, "line", line)?;
            // Nearly always the conversation exists: one statement then.
            let touched = tx
                .prepare_cached(
                    "UPDATE conversations SET last_activity_at = max(last_activity_at, ?4)
                     WHERE id = ?1 AND line = ?2 AND number = ?3",
                )?
                .execute(params![id, line, number, at])?;
            if touched == 0 {
                constrained(
                    op,
                    tx.prepare_cached(
                        "INSERT INTO conversations (id, line, number, last_activity_at)
                         VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![id, line, number, at]),
                )
                .map_err(|e| match e {
                    ApplyError::Invalid { .. } => invalid(
                        op,
                        &format!("conversation {id} is held with another number or line"),
                    ),
                    other => other,
                })?;
                apply_pending_fields(tx, *id)?;
            }
        }
        Change::Call {
            id,
            log_id,
            conversation,
            caller,
            number,
            line,
            outcome,
            ended_at,
            decision,
            skip_reason,
        } => {
            check_name(op, "call outcome", outcome, CallOutcome::from_name)?;
            CallDecision::from_parts(*decision, *skip_reason)
                .map_err(|e| invalid(op, &e.to_string()))?;
            check_text(op, "caller", caller)?;
            constrained(
                op,
                tx.prepare_cached(
                    "INSERT INTO calls (id, log_id, conversation_id, caller, number, line,
                                        outcome, ended_at, decision, skip_reason)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![
                    id,
                    log_id,
                    conversation,
                    caller,
                    number,
                    line,
                    outcome,
                    ended_at,
                    decision.map(DecisionName::as_str),
                    skip_reason.map(SkipReason::as_str)
                ]),
            )?;
        }
        Change::CallLinked { call, message } => {
            constrained(
                op,
                tx.prepare_cached("UPDATE calls SET message_id = ?2 WHERE id = ?1")?
                    .execute(params![call, message]),
            )?;
        }
        Change::CallSkipped { message, reason } => {
            tx.prepare_cached(
                "UPDATE calls SET decision = 'skipped', skip_reason = ?2 WHERE message_id = ?1",
            )?
            .execute(params![message, reason.as_str()])?;
        }
        Change::Message {
            id,
            conversation,
            direction,
            kind,
            body,
            status,
            failure,
            failure_kind,
            created_at,
            due_at,
            left_at,
            source_id,
        } => {
            let direction = check_name(op, "direction", direction, Direction::from_name)?;
            check_name(op, "message kind", kind, MessageKind::from_name)?;
            check_name(op, "message status", status, MessageStatus::from_name)?;
            check_text(op, "text", body)?;
            let failure_kind = check_failure(op, failure.as_deref(), failure_kind.as_ref())?;
            let inserted = constrained(
                op,
                tx.prepare_cached(
                    "INSERT INTO messages (id, conversation_id, direction, kind, body, status,
                                           failure, created_at, due_at, left_at, source_id,
                                           failure_kind)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                     ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![
                    id,
                    conversation,
                    direction.as_str(),
                    kind,
                    body,
                    status,
                    failure,
                    created_at,
                    due_at,
                    left_at,
                    source_id,
                    failure_kind
                ]),
            )?;
            if inserted > 0 {
                count_new_message(tx, *conversation, *id, direction, *created_at)?;
            }
        }
        Change::Attachments {
            message,
            text,
            others,
            attachments,
        } => {
            crate::attachment::check_synced(attachments)
                .map_err(|e| invalid(op, &e.to_string()))?;
            if others.len() > crate::attachment::MAX_OTHERS {
                return Err(invalid(
                    op,
                    &crate::attachment::AttachmentError::TooManyOthers {
                        count: others.len(),
                    }
                    .to_string(),
                ));
            }
            for other in others {
                check_text(op, "other recipient", other)?;
            }
            if let Some(text) = text {
                check_text(op, "text", text)?;
            }
            if !super::attachments::write(tx, *message, text.as_deref(), others, attachments)? {
                return Err(invalid(
                    op,
                    &format!(
                        "it gives attachments to message {message}, which this device does not hold"
                    ),
                ));
            }
            report.photos = true;
        }
        Change::ReplyAttachments {
            request,
            attachments,
        } => {
            crate::attachment::check_synced(attachments)
                .map_err(|e| invalid(op, &e.to_string()))?;
            if attachments
                .iter()
                .any(|a| a.state != crate::attachment::AttachmentState::Downloaded)
            {
                return Err(invalid(
                    op,
                    "its reply carries an attachment without its bytes",
                ));
            }
            // The request is in the same op, before this change; one that is not held was
            // never written, so there is nothing to attach to.
            if !super::attachments::write_for_request(tx, &op.origin, request, attachments)? {
                return Err(invalid(
                    op,
                    "it gives attachments to a reply request that is not in the same op",
                ));
            }
            report.photos = true;
        }
        Change::Status {
            id,
            status,
            failure,
            failure_kind,
            left_at,
        } => {
            let next = check_name(op, "message status", status, MessageStatus::from_name)?;
            let failure_kind = check_failure(op, failure.as_deref(), failure_kind.as_ref())?;
            let current: Option<String> = tx
                .prepare_cached("SELECT status FROM messages WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            let current = current.as_deref().and_then(MessageStatus::from_name);
            if current.is_some_and(|c| c.may_become(next)) {
                set_status(
                    tx,
                    *id,
                    next,
                    failure.as_deref(),
                    failure_kind.as_deref(),
                    *left_at,
                )?;
            }
        }
        Change::OptOut { number, at } => {
            tx.prepare_cached(
                "INSERT INTO opt_outs (number, since) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?
            .execute(params![number, at])?;
        }
        Change::OptIn { number } => {
            tx.prepare_cached("DELETE FROM opt_outs WHERE number = ?1")?
                .execute([number])?;
        }
        Change::OptOutReview { number, state, at } => {
            if !super::tx::is_e164(number) {
                return Err(invalid(op, "its opt-out review names no phone number"));
            }
            super::tx::apply_review(tx, number, *state, *at, stamp)?;
        }
        Change::Contact { number, name, at } => {
            check_text(op, "contact name", name)?;
            write_contact(tx, number, name, *at)?;
        }
        Change::Field {
            conversation,
            field,
        } => {
            match field {
                crate::oplog::op::Field::Note(note) => check_text(op, "note", note)?,
                crate::oplog::op::Field::Draft(draft) => check_text(op, "draft", draft)?,
                crate::oplog::op::Field::Lead(lead) => {
                    for value in [
                        &lead.problem,
                        &lead.postcode,
                        &lead.urgency,
                        &lead.preferred_time,
                    ]
                    .into_iter()
                    .flatten()
                    {
                        check_text(op, "lead card", value)?;
                    }
                }
                crate::oplog::op::Field::Assistant(state) => {
                    check_text(op, "assistant state", &state.reason)?;
                }
                _ => {}
            }
            write_field(tx, *conversation, field, stamp)?;
        }
        Change::Held { id, reason, until } => {
            let reason = check_name(op, "hold reason", reason, HoldReason::from_name)?;
            write_hold(tx, *id, reason, *until)?;
        }
        Change::RequestRefused {
            origin,
            request,
            reason,
        } => {
            check_name(op, "refusal reason", reason, RefusalReason::from_name)?;
            write_request_refused(tx, origin, request, reason)?;
        }
        Change::Appointment {
            id,
            conversation,
            start,
            end,
            summary,
            created_at,
        } => {
            check_text(op, "appointment", summary)?;
            if end <= start {
                return Err(invalid(op, "its appointment ends before it starts"));
            }
            tx.prepare_cached(
                "INSERT INTO appointments (id, conversation_id, start_at, end_at, summary, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
            )?
            .execute(params![id, conversation, start, end, summary, created_at])?;
        }
        Change::Settings { document } => {
            // Checked by the same code as a local change; a document the phone would refuse
            // is refused everywhere, so every replica keeps the same settings. An API key in
            // it (from a device older than this one) is dropped: keys travel only as
            // hand-overs.
            let document = crate::secret::without_api_key(document);
            match Settings::from_value(&document).and_then(|s| s.validate().map(|_| s)) {
                Ok(settings) => {
                    let document = settings.to_value();
                    if lww_claim(tx, "settings", stamp, &document.to_string())? {
                        write_settings(tx, &document, stamp.hlc.millis)?;
                        report.settings_changed = true;
                    }
                }
                Err(e) => {
                    // The field only: a problem may quote a value (a blocked number).
                    tracing::warn!(origin = %op.origin, seq = op.seq, field = %e.field, "settings change refused");
                }
            }
        }
        Change::Reply {
            request,
            conversation,
            to,
            line,
            body,
            requested_at,
        } => {
            check_text(op, "reply", body)?;
            if request.is_empty() || request.len() > 128 {
                return Err(invalid(op, "its reply has no usable request id"));
            }
            let draft = ReplyDraft {
                id: request,
                conversation: *conversation,
                to: to.as_deref(),
                line: line.as_deref(),
                body,
                // The phone lets a reply expire a day after it was written: a desktop whose
                // clock runs ahead must not make its replies live for ever.
                requested_at: (*requested_at).min(now.saturating_add(MAX_DRIFT_MILLIS)),
            };
            if write_request(tx, &op.origin, &draft)? {
                report.requests += 1;
            }
        }
        // The key's side is `secrets::apply`.
        Change::AssistantKey { .. } | Change::AssistantKeyState { .. } => {}
        Change::Peer {
            endpoint,
            origin,
            role,
            name,
            paired,
        } => {
            check_text(op, "device name", name)?;
            let peer = PeerRecord {
                endpoint: endpoint.clone(),
                origin: origin.clone(),
                role: *role,
                name: name.clone(),
                paired: *paired,
                changed_at: stamp.hlc.millis,
            };
            if write_peer(tx, &peer, stamp)? {
                report.peers_changed.push(endpoint.clone());
            }
        }
    }
    Ok(())
}
