-- Ringback store, version 9: secrets stay on the phone (issue 13).

-- Phone-local secrets: the assistant's API key, with the server (scheme://host:port) it was
-- given for. No op writes this table and no session reads it, so nothing in it ever leaves
-- the phone; on a desktop it stays empty.
--
-- The rest of this step is in Rust (`store/secrets.rs`, `migrate`): on the phone the key
-- moves here out of the settings document; on every device it leaves the settings
-- document, its last-writer-wins copy and every stored op body.
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    server TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
