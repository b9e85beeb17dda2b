//! The store: one SQLite file (bundled SQLite, WAL, foreign keys on) with versioned
//! migrations from `core/migrations/`, run at open.
//!
//! Every state change goes through [`Store::write`]: one transaction that records the event
//! that caused the change together with the change itself.

mod apply;
mod assistant;
mod attachments;
pub mod attention;
mod clock;
mod dashboard;
mod digest;
mod health;
mod notices;
mod pages;
mod reader;
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
use crate::message::{Direction, Failure, MessageKind, MessageStatus};
use crate::oplog::hlc::{Hlc, HlcClock};
use crate::oplog::op::{Change, Op};
use crate::oplog::version::VersionVector;
use crate::outbound::HoldReason;

pub use apply::{ApplyError, ApplyReport, MAX_TEXT, Source};
pub use assistant::DraftSlot;
pub use clock::QuarantinedOp;
pub use dashboard::{Dashboard, DayFigures};
pub use pages::{
    AppointmentRow, CallRecord, ConversationDetail, ConversationSummary, InboxCursor, InboxFilter,
    SearchHit,
};
pub use reader::{PendingRequest, Reader, RefusedRequest};
use reader::{read_decision, read_message_row};
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
    /// Why it failed or was cancelled (read from the words alone for rows of earlier
    /// versions; see [`Failure::from_words`]).
    pub failure: Option<Failure>,
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
    /// What commits tell those who wait on the store.
    notices: notices::Notices,
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
        let mut store = Store {
            conn,
            #[cfg(feature = "test-hooks")]
            crash: None,
            origin,
            held,
            clock: HlcClock::new(last),
            notices: notices::Notices::default(),
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
        self.notices.committed.subscribe()
    }

    /// A receiver that changes after every commit that paired or unpaired a device.
    pub fn subscribe_pairings(&self) -> tokio::sync::watch::Receiver<u64> {
        self.notices.pairings.subscribe()
    }

    /// A receiver that changes after every commit that added or changed attachments.
    pub fn subscribe_photos(&self) -> tokio::sync::watch::Receiver<u64> {
        self.notices.photos.subscribe()
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
            self.notices.committed(&notices::Touched::of(&changes));
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
