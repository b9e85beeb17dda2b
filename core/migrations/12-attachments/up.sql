-- Ringback store, version 12: attachments of picture messages (issue 16).

-- A message's attachments, in order: metadata only. The bytes are in the content-addressed
-- blob store beside this file, named by `hash` (BLAKE3, 64 hex digits); `hash` is NULL
-- while the phone's default app has not downloaded the message (`state` 'not_downloaded').
-- A thumbnail is a blob of its own. Content types are stored lower-cased, without
-- parameters.
CREATE TABLE attachments (
    message_id INTEGER NOT NULL REFERENCES messages (id),
    position INTEGER NOT NULL CHECK (position >= 0),
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    hash TEXT CHECK (hash IS NULL OR length(hash) = 64),
    name TEXT,
    thumbnail_hash TEXT CHECK (thumbnail_hash IS NULL OR length(thumbnail_hash) = 64),
    thumbnail_size INTEGER,
    state TEXT NOT NULL CHECK (state IN ('downloaded', 'not_downloaded')),
    PRIMARY KEY (message_id, position)
) WITHOUT ROWID;
-- Whether a blob is still referenced (eviction, and serving only blobs a message names).
CREATE INDEX attachments_by_hash ON attachments (hash) WHERE hash IS NOT NULL;
CREATE INDEX attachments_by_thumbnail ON attachments (thumbnail_hash)
    WHERE thumbnail_hash IS NOT NULL;

-- The other recipients of a group picture message, as a JSON array of numbers; NULL for a
-- one-to-one message. The message sits in the sender's conversation with a note of these.
ALTER TABLE messages ADD COLUMN others TEXT;

-- The attachments a desktop's reply request carries (a JSON array of attachment metadata;
-- the phone fetches the bytes from that desktop by hash). NULL for a text-only reply.
ALTER TABLE requests ADD COLUMN attachments TEXT;
-- The requests that carry photos, which the phone fetches before sending (few among many).
CREATE INDEX requests_with_attachments ON requests (origin) WHERE attachments IS NOT NULL;
