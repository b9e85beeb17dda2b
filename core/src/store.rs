//! The store: one SQLite file (bundled SQLite, WAL, foreign keys on) with versioned
//! migrations from `core/migrations/`, run at open.
//!
//! Every state change goes through [`Store::write`]: one transaction that records the event
//! that caused the change together with the change itself.

mod apply;
mod assistant;
mod clock;
mod dashboard;
mod digest;
mod pages;
mod secrets;
mod tx;

use std::path::Path;
use std::sync::LazyLock;

use include_dir::{Dir, include_dir};
use jiff::Timestamp;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use rusqlite_migration::Migrations;
use serde::Serialize;

use crate::call::{CallOutcome, Line};
use crate::message::{Direction, MessageKind, MessageStatus};
use crate::oplog::hlc::{Hlc, HlcClock};
use crate::oplog::op::{Change, Op};
use crate::oplog::version::VersionVector;
use crate::outbound::{HoldReason, RefusalReason};
use crate::phone::PhoneNumber;
use crate::rules::NumberHistory;
use crate::settings::Settings;

pub use apply::{ApplyError, ApplyReport, MAX_TEXT, Source};
pub use assistant::DraftSlot;
pub use clock::QuarantinedOp;
pub use dashboard::{Dashboard, DayFigures};
pub use pages::{
    AppointmentRow, CallRecord, ConversationDetail, ConversationSummary, InboxCursor, InboxFilter,
    SearchHit,
};
pub use tx::{NewMessage, OptOutReview, PeerRecord, ReplyDraft, WriteTx, request_key};

static MIGRATIONS_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/migrations");
static MIGRATIONS: LazyLock<Result<Migrations<'static>, String>> = LazyLock::new(|| {
    let builder = rusqlite_migration::MigrationsBuilder::from_directory(&MIGRATIONS_DIR)
        .map_err(|e| e.to_string())?;
    // The secrets migration's step in Rust (moving the key, scrubbing documents and ops).
    let secrets = secrets::migration_id(&MIGRATIONS_DIR)
        .ok_or("the secrets migration (NN-secrets) is missing from this build")?;
    Ok(builder
        .edit(secrets, |m| m.set_up_hook(secrets::migrate))
        .finalize())
});

/// Row id of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MessageId(#[cfg_attr(feature = "specta", specta(type = f64))] pub i64);

/// Row id of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConversationId(#[cfg_attr(feature = "specta", specta(type = f64))] pub i64);

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened or read.
    #[error(
        "the Ringback database could not be used ({0}); check that the data folder exists and is writable"
    )]
    Sqlite(#[from] rusqlite::Error),
    /// The schema could not be brought up to date.
    #[error(
        "the Ringback database could not be upgraded ({0}); it may come from a newer version of Ringback, so update this app"
    )]
    Migration(String),
    /// A stored value is not one this version understands.
    #[error(
        "the Ringback database holds a value this version does not understand ({0}); update this app"
    )]
    Corrupt(String),
    /// A simulated crash, injected by a test.
    #[cfg(feature = "test-hooks")]
    #[error("the store was stopped on purpose by a crash test")]
    Interrupted,
}

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Message {
    /// Row id.
    pub id: MessageId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// Which way it went.
    pub direction: Direction,
    /// What it is for.
    pub kind: MessageKind,
    /// The text.
    pub body: String,
    /// Where it stands.
    pub status: MessageStatus,
    /// Why it failed or was cancelled.
    pub failure: Option<String>,
    /// When it was created.
    // specta's `jiff` support is for jiff 0.2; a jiff 1 instant is an RFC 3339 string on
    // the wire, so that is its type here and wherever a specta type holds one.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub created_at: Timestamp,
    /// When a queued message is due.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub due_at: Option<Timestamp>,
    /// When it was handed to the platform.
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub left_at: Option<Timestamp>,
    /// Why a queued message waits, if the outbound policy holds it.
    pub hold: Option<MessageHold>,
}

/// Why a queued message waits, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MessageHold {
    /// Why.
    pub reason: HoldReason,
    /// The earliest it may leave.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub until: Timestamp,
}

/// A queued outbound message with what is needed to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Row id.
    pub id: MessageId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// The recipient (E.164).
    pub to: String,
    /// The line to send on.
    pub line: Line,
    /// What it is for.
    pub kind: MessageKind,
    /// The text.
    pub body: String,
    /// When it is due.
    pub due_at: Timestamp,
    /// For a reply, the desktop that wrote it (its origin), when known.
    pub requested_by: Option<String>,
    /// Why it waits, if the policy held it already.
    pub hold: Option<HoldReason>,
}

/// Crash injection for tests: stop at the given commit, committing it or not.
#[cfg(feature = "test-hooks")]
#[derive(Debug, Clone, Copy)]
struct CrashPlan {
    commits_left: u64,
    commit_last: bool,
}

/// How much memory the store may use for speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Memory {
    /// The desktop: an 8 MB page cache and a 256 MB memory map (large inboxes, fast pages).
    Roomy,
    /// The phone: a 2 MB page cache and no memory map, so that its memory stays flat
    /// however many ops it holds and serves.
    Lean,
}

/// The SQLite store.
pub struct Store {
    conn: Connection,
    #[cfg(feature = "test-hooks")]
    crash: Option<CrashPlan>,
    /// This device's op-log origin.
    origin: String,
    /// What this replica holds, per origin (kept in step with the `ops` table).
    held: VersionVector,
    clock: HlcClock,
    /// Bumped after every commit that added ops, for the sync sessions that stream them.
    committed: tokio::sync::watch::Sender<u64>,
    /// Bumped after every commit that changed a pairing.
    pairings: tokio::sync::watch::Sender<u64>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

pub(crate) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub(crate) fn from_ms(v: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(v).map_err(|e| StoreError::Corrupt(format!("instant {v}: {e}")))
}

fn opt_ms(v: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    v.map(from_ms).transpose()
}

fn parse_name<T>(
    value: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, StoreError> {
    parse(value).ok_or_else(|| StoreError::Corrupt(format!("{what} “{value}”")))
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    /// The file is made readable by its owner only.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, Memory::Roomy)
    }

    /// Opens the store at `path` for the phone: see [`Memory::Lean`].
    pub fn open_lean(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, Memory::Lean)
    }

    fn open_with(path: &Path, memory: Memory) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        restrict_to_owner(path);
        Store::init(conn, memory)
    }

    /// A store that lives in memory only (tests and dry runs).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::init(Connection::open_in_memory()?, Memory::Roomy)
    }

    fn init(mut conn: Connection, memory: Memory) -> Result<Store, StoreError> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted and rewritten rows are zeroed, so a removed API key is not left in the
        // file's free space.
        conn.pragma_update(None, "secure_delete", "ON")?;
        // Every hot statement stays prepared; the default 16 would evict them in turn.
        conn.set_prepared_statement_cache_capacity(128);
        conn.pragma_update(None, "busy_timeout", 5000)?;
        match memory {
            Memory::Roomy => {
                // Reads through the page cache and a memory map instead of a read() per page.
                conn.pragma_update(None, "cache_size", -8000)?;
                conn.pragma_update(None, "mmap_size", 256 * 1024 * 1024)?;
            }
            Memory::Lean => {
                // No map: pages read for a catch-up would count against the phone's memory.
                conn.pragma_update(None, "cache_size", -2000)?;
                conn.pragma_update(None, "mmap_size", 0)?;
            }
        }
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Checkpoints cost a burst of writes; take them rarely on the write path, and in
        // idle moments through `checkpoint()` (the engine service does).
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        let migrations = MIGRATIONS
            .as_ref()
            .map_err(|e| StoreError::Migration(e.clone()))?;
        let before: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        migrations
            .to_latest(&mut conn)
            .map_err(|e| StoreError::Migration(e.to_string()))?;
        let after: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if after != before {
            // A migration may have rewritten rows that held a secret: their old pages leave
            // the write-ahead log too.
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        let origin = device_origin(&conn)?;
        let mut held = VersionVector::new();
        {
            let mut stmt = conn.prepare(
                "SELECT origin, max(seq) FROM ops GROUP BY origin
                 UNION ALL SELECT origin, seq FROM held",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (o, seq) = row?;
                held.observe(&o, u64::try_from(seq).unwrap_or(0));
            }
        }
        // The clock continues after everything stored; if that lies in the future (the date
        // was wrong when the device last ran), the first write or apply brings it back.
        let last = highest_stamp(&conn, &origin, i64::MAX)?;
        let (committed, _) = tokio::sync::watch::channel(0);
        let (pairings, _) = tokio::sync::watch::channel(0);
        let mut store = Store {
            conn,
            #[cfg(feature = "test-hooks")]
            crash: None,
            origin,
            held,
            clock: HlcClock::new(last),
            committed,
            pairings,
        };
        // Messages that arrived just before the app stopped are indexed now.
        store.index_pending()?;
        Ok(store)
    }

    /// This device's op-log origin: a random id made when the store was created.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Every op held, per origin.
    pub fn version_vector(&self) -> &VersionVector {
        &self.held
    }

    /// A receiver that changes after every commit that added ops.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.committed.subscribe()
    }

    /// A receiver that changes after every commit that paired or unpaired a device.
    pub fn subscribe_pairings(&self) -> tokio::sync::watch::Receiver<u64> {
        self.pairings.subscribe()
    }

    /// Up to `limit` ops that a replica holding `theirs` lacks, in the order they were
    /// committed here (so an op never comes before one it was made after).
    pub fn ops_after(&self, theirs: &VersionVector, limit: usize) -> Result<Vec<Op>, StoreError> {
        // Start at the first op they lack from any origin.
        let mut start: Option<i64> = None;
        for (origin, first, _) in self.held.ahead_of(theirs) {
            let pos: Option<i64> = self
                .conn
                .prepare_cached(
                    "SELECT pos FROM ops WHERE origin = ?1 AND seq >= ?2 ORDER BY seq LIMIT 1",
                )?
                .query_row(
                    params![origin, i64::try_from(first).unwrap_or(i64::MAX)],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(pos) = pos {
                start = Some(start.map_or(pos, |s| s.min(pos)));
            }
        }
        let Some(start) = start else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT origin, seq, hlc_ms, hlc_counter, body FROM ops WHERE pos >= ?1 ORDER BY pos",
        )?;
        let mut rows = stmt.query([start])?;
        while let Some(row) = rows.next()? {
            let origin: String = row.get(0)?;
            let seq = u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0);
            if theirs.contains(&origin, seq) {
                continue;
            }
            let body: String = row.get(4)?;
            let changes: Vec<Change> = serde_json::from_str(&body)
                .map_err(|e| StoreError::Corrupt(format!("op {origin}/{seq}: {e}")))?;
            out.push(Op {
                origin,
                seq,
                hlc: Hlc {
                    millis: row.get(2)?,
                    counter: u32::try_from(row.get::<_, i64>(3)?).unwrap_or(0),
                },
                changes,
            });
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Indexes for search the messages that arrived in large batches (see `apply_remote`);
    /// the sync session calls it when the stream pauses.
    pub fn index_pending(&mut self) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let n = index_pending(&tx)?;
        tx.commit()?;
        Ok(n)
    }

    /// The number of ops held, all origins (a desktop holds others' ops without keeping
    /// their bodies).
    pub fn op_count(&self) -> Result<u64, StoreError> {
        Ok(self.held.iter().map(|(_, seq)| seq).sum())
    }

    /// The schema version this code writes.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Test hook: after `commits` more commits the store reports [`StoreError::Interrupted`]
    /// as if the process died, either just before that commit (`commit_last = false`) or just
    /// after it.
    #[cfg(feature = "test-hooks")]
    pub fn inject_crash(&mut self, commits: u64, commit_last: bool) {
        self.crash = Some(CrashPlan {
            commits_left: commits,
            commit_last,
        });
    }

    /// Runs `change` in one transaction that also appends the op recording what it changed
    /// (`cause` names what happened, for the logs). Nothing is written unless all of it is.
    pub fn write<T>(
        &mut self,
        at: Timestamp,
        cause: &str,
        change: impl FnOnce(&WriteTx<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.recover_clock(at)?;
        let hlc = self.clock.tick(ms(at));
        let tx = self.conn.transaction()?;
        let wtx = WriteTx::new(&tx, &self.origin, hlc);
        let value = change(&wtx)?;
        let changes = wtx.into_changes();
        index_pending(&tx)?;
        let seq = self.held.get(&self.origin) + 1;
        if !changes.is_empty() {
            append_op(&tx, &self.origin, seq, hlc, &changes)?;
            tracing::trace!(cause, seq, changes = changes.len(), "op committed");
        }
        #[cfg(feature = "test-hooks")]
        if let Some(plan) = self.crash.as_mut() {
            if plan.commits_left == 0 {
                if plan.commit_last {
                    tx.commit()?;
                }
                return Err(StoreError::Interrupted);
            }
            plan.commits_left -= 1;
        }
        tx.commit()?;
        if !changes.is_empty() {
            let origin = self.origin.clone();
            self.held.observe(&origin, seq);
            self.committed.send_modify(|n| *n += 1);
            if changes.iter().any(|c| matches!(c, Change::Peer { .. })) {
                self.pairings.send_modify(|n| *n += 1);
            }
        }
        Ok(value)
    }

    /// Copies the write-ahead log into the database without waiting for readers; called
    /// when the engine is idle so that checkpoints stay off the path of a call.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Read access to the committed state.
    pub fn reader(&self) -> Reader<'_> {
        Reader { conn: &self.conn }
    }

    /// Direct access for benchmarks and tests that compare with raw SQLite.
    #[doc(hidden)]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Reads over the store, usable outside and inside a write transaction.
#[derive(Clone, Copy)]
pub struct Reader<'c> {
    conn: &'c Connection,
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
            .prepare_cached(
                "SELECT m.id, m.conversation_id, c.number, c.line, m.kind, m.body, m.due_at,
                        r.origin, m.hold
                 FROM messages m JOIN conversations c ON c.id = m.conversation_id
                 LEFT JOIN requests r ON r.key = m.source_id
                 WHERE m.status = 'queued' ORDER BY m.due_at, m.id LIMIT 1",
            )?
            .query_row([], |r| {
                Ok((
                    (
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ),
                    (
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, Option<i64>>(6)?,
                        r.get::<_, Option<String>>(7)?,
                        r.get::<_, Option<String>>(8)?,
                    ),
                ))
            })
            .optional()?;
        row.map(
            |((id, conv, to, line), (kind, body, due, requested_by, hold))| {
                Ok(OutboxEntry {
                    id: MessageId(id),
                    conversation_id: ConversationId(conv),
                    to,
                    line: Line(line),
                    kind: parse_name(&kind, "message kind", MessageKind::from_name)?,
                    body,
                    due_at: from_ms(due.unwrap_or(0))?,
                    requested_by,
                    hold: hold
                        .map(|h| parse_name(&h, "hold reason", HoldReason::from_name))
                        .transpose()?,
                })
            },
        )
        .transpose()
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

    /// The decision stored for a call-log entry: `("text_back" | "skipped", reason)`.
    pub fn call_decision(&self, log_id: i64) -> Result<Option<CallDecisionRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT decision, skip_reason FROM calls WHERE log_id = ?1")?
            .query_row([log_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
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
                    left_at, hold, hold_until
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

/// A stored call decision: `("text_back" | "skipped", skip reason)`.
pub type CallDecisionRow = (Option<String>, Option<String>);

const MESSAGE_COLUMNS: &str = "SELECT id, conversation_id, direction, kind, body, status, failure, \
     created_at, due_at, left_at, hold, hold_until FROM messages";

type MessageRow = (
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
);

fn read_message_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageRow> {
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
    ))
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;
    fn try_from(row: MessageRow) -> Result<Message, StoreError> {
        let (id, conv, direction, kind, body, status, failure, created, due, left, hold, until) =
            row;
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

pub(crate) fn parse_outcome(name: &str) -> Result<CallOutcome, StoreError> {
    parse_name(name, "call outcome", CallOutcome::from_name)
}

/// Indexes for search every message still waiting; returns how many.
pub(crate) fn index_pending(tx: &rusqlite::Transaction<'_>) -> Result<usize, StoreError> {
    let waiting = tx
        .prepare_cached("SELECT 1 FROM fts_pending LIMIT 1")?
        .exists([])?;
    if !waiting {
        return Ok(0);
    }
    tx.prepare_cached(
        "INSERT INTO messages_fts (rowid, body)
         SELECT m.id, m.body FROM fts_pending p JOIN messages m ON m.id = p.id",
    )?
    .execute([])?;
    Ok(tx.prepare_cached("DELETE FROM fts_pending")?.execute([])?)
}

/// The highest stamp at or below `up_to` milliseconds among this device's own ops and the
/// last-writer-wins values in force. Other devices' ops are left out: the phone relays them
/// with their own stamps, which may lie in the future (their values were ordered by a
/// clamped stamp, which is what `lww` holds).
fn highest_stamp(conn: &Connection, origin: &str, up_to: i64) -> Result<Hlc, StoreError> {
    let mut highest = Hlc::default();
    for sql in [
        "SELECT hlc_ms, hlc_counter FROM ops WHERE origin = ?1 AND hlc_ms <= ?2
         ORDER BY hlc_ms DESC, hlc_counter DESC LIMIT 1",
        "SELECT hlc_ms, hlc_counter FROM lww WHERE hlc_ms <= ?2
         ORDER BY hlc_ms DESC, hlc_counter DESC LIMIT 1",
    ] {
        let found = conn
            .query_row(sql, params![origin, up_to], |r| {
                Ok(Hlc {
                    millis: r.get(0)?,
                    counter: u32::try_from(r.get::<_, i64>(1)?).unwrap_or(u32::MAX),
                })
            })
            .optional()?;
        highest = highest.max(found.unwrap_or_default());
    }
    Ok(highest)
}

/// Appends an op to the log.
fn append_op(
    tx: &rusqlite::Transaction<'_>,
    origin: &str,
    seq: u64,
    hlc: Hlc,
    changes: &[Change],
) -> Result<(), StoreError> {
    let body = serde_json::to_string(changes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO ops (origin, seq, hlc_ms, hlc_counter, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        origin,
        i64::try_from(seq).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        hlc.millis,
        i64::from(hlc.counter),
        body
    ])?;
    Ok(())
}

/// The store's origin, made at first open: 128 random bits in hex.
fn device_origin(conn: &Connection) -> Result<String, StoreError> {
    let existing: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'origin'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(origin) = existing {
        return Ok(origin);
    }
    let origin = format!("{:016x}{:016x}", random_u64(), random_u64());
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('origin', ?1)",
        [&origin],
    )?;
    Ok(origin)
}

/// 64 bits from the standard library's randomly keyed hasher (an id, not a secret).
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    h.finish()
}

#[cfg(unix)]
fn restrict_to_owner(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    // Best effort: on a file system without modes there is nothing to tighten.
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn restrict_to_owner(_path: &Path) {}

#[cfg(test)]
mod tests;
