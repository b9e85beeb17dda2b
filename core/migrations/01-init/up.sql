-- Ringback store, version 1. Instants are UTC milliseconds since the Unix epoch.

-- The settings document in force (the last good one), as JSON.
CREATE TABLE settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    document TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Small named values: the call-log cursor and the like.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Every state change, written in the same transaction as the change it caused.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);

-- The phone's contacts that the engine has seen (numbers in E.164).
CREATE TABLE contacts (
    number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Numbers that texted STOP (and not START since).
CREATE TABLE opt_outs (
    number TEXT PRIMARY KEY,
    since INTEGER NOT NULL
) WITHOUT ROWID;

-- One conversation per (line, number). `number` is E.164, or the sender as given for
-- short codes and alphanumeric senders.
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    line TEXT NOT NULL,
    number TEXT NOT NULL,
    unread INTEGER NOT NULL DEFAULT 0 CHECK (unread >= 0),
    lead_status TEXT NOT NULL DEFAULT 'new'
        CHECK (lead_status IN ('new', 'engaged', 'booked', 'lost')),
    archived INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    last_activity_at INTEGER NOT NULL,
    last_message_id INTEGER,
    UNIQUE (line, number)
);
CREATE INDEX conversations_by_activity ON conversations (last_activity_at DESC, id DESC);
CREATE INDEX conversations_by_number ON conversations (number);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    failure TEXT,
    -- When it was created (for a text-back: the call's end).
    created_at INTEGER NOT NULL,
    -- When a queued message is due to leave.
    due_at INTEGER,
    -- When it was handed to the platform.
    left_at INTEGER,
    -- The platform's id of an inbound text, or a desktop's request id: makes both idempotent.
    source_id TEXT UNIQUE
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at, id);
CREATE INDEX messages_queued ON messages (due_at, id) WHERE status = 'queued';
CREATE INDEX messages_by_left ON messages (left_at) WHERE left_at IS NOT NULL;

CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    -- The platform's call-log id: a call is recorded once however often the log is read.
    log_id INTEGER UNIQUE,
    conversation_id INTEGER REFERENCES conversations (id),
    -- The caller as the platform gave it, and its E.164 form when it has one.
    caller TEXT NOT NULL,
    number TEXT,
    line TEXT NOT NULL,
    outcome TEXT NOT NULL,
    ended_at INTEGER NOT NULL,
    -- 'text_back', 'skipped', or NULL for calls that need no decision.
    decision TEXT,
    skip_reason TEXT,
    message_id INTEGER REFERENCES messages (id)
);
CREATE INDEX calls_by_time ON calls (ended_at DESC, id DESC);
CREATE INDEX calls_by_number ON calls (number, ended_at);

-- Full-text search over message bodies and contact names.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    body, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;

CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    name, content = 'contacts', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, name) VALUES (new.rowid, new.name);
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, name) VALUES ('delete', old.rowid, old.name);
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, name) VALUES ('delete', old.rowid, old.name);
    INSERT INTO contacts_fts (rowid, name) VALUES (new.rowid, new.name);
END;
