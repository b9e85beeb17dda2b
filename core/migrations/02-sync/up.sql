-- Ringback store, version 2: replication (DESIGN.md, "Sync").

-- The op log replaces the local event list: every committed change is one op, kept with
-- the ops received from other devices so that the phone can relay them.
DROP TABLE events;

-- `pos` is the order ops were committed here; a session streams in this order, so an op
-- always follows the ops it was made after. `(origin, seq)` names an op everywhere.
CREATE TABLE ops (
    pos INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq > 0),
    hlc_ms INTEGER NOT NULL,
    hlc_counter INTEGER NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (origin, seq)
);

-- Last-writer-wins fields: which write is in force for each (the hybrid logical clock and
-- origin of the op that wrote it). Keys: `settings`, `conversation/<id>/<field>`,
-- `peer/<endpoint>`. Values are kept here too, so that a field written before its
-- conversation arrived is not lost.
CREATE TABLE lww (
    key TEXT PRIMARY KEY,
    hlc_ms INTEGER NOT NULL,
    hlc_counter INTEGER NOT NULL,
    origin TEXT NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Replies written on a desktop, on every device: the phone sends each one once (the
-- message it creates carries the request id as its source id).
CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    conversation_id INTEGER,
    recipient TEXT,
    line TEXT,
    body TEXT NOT NULL,
    requested_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The devices paired with the phone (replicated, so that every desktop knows the others and
-- an unpairing reaches them all).
CREATE TABLE peers (
    endpoint TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('phone', 'desktop')),
    name TEXT NOT NULL,
    paired INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The read marker: inbound messages with a larger id are unread.
ALTER TABLE conversations ADD COLUMN read_up_to INTEGER NOT NULL DEFAULT 0;

-- Messages wait here to be indexed for search: a local write indexes them in its own
-- transaction; a desktop catching up on thousands of ops indexes them in one pass when the
-- stream pauses (one large FTS5 flush costs a tenth of many small ones).
DROP TRIGGER messages_fts_insert;
CREATE TABLE fts_pending (id INTEGER PRIMARY KEY);
CREATE TRIGGER messages_fts_pending AFTER INSERT ON messages BEGIN
    INSERT INTO fts_pending (id) VALUES (new.id);
END;

-- What this replica holds of each origin's log. The phone keeps every op (it relays them);
-- a desktop keeps only its own and needs no more than this line per origin for the rest.
CREATE TABLE held (
    origin TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
) WITHOUT ROWID;
