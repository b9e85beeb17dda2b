-- Ringback store, version 5: the outbound policy (issue 13).

-- Reply requests are keyed by the desktop that wrote them and its id for them, so that no
-- desktop can take another's ids. `key` is what the message a request becomes carries as
-- its source id: `req/<origin>/<id>` for new requests, the bare id for those written
-- before, whose messages already carry it. `refused` names why the phone would not send a
-- request that has no conversation to show its failure in.
CREATE TABLE requests_v5 (
    origin TEXT NOT NULL,
    id TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    conversation_id INTEGER,
    recipient TEXT,
    line TEXT,
    body TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    refused TEXT,
    PRIMARY KEY (origin, id)
) WITHOUT ROWID;
INSERT INTO requests_v5 (origin, id, key, conversation_id, recipient, line, body, requested_at)
    SELECT origin, id, id, conversation_id, recipient, line, body, requested_at FROM requests;
DROP TABLE requests;
ALTER TABLE requests_v5 RENAME TO requests;

-- Why a queued text waits (`volume_limit`, `reply_budget`) and until when, shown on every
-- desktop.
ALTER TABLE messages ADD COLUMN hold TEXT;
ALTER TABLE messages ADD COLUMN hold_until INTEGER;
