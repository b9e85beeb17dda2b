-- Ringback store, version 8: the assistant's guardrails (issue 13). Both tables are the
-- phone's own bookkeeping: written in the engine's transactions but never synced (no op
-- records them), so counting every question to the model costs the op log nothing.

-- Questions asked of the model per conversation per business day (the day's local
-- midnight, UTC milliseconds): the daily cap holds across a restart. Only today's rows
-- are kept.
CREATE TABLE assistant_days (
    conversation_id INTEGER NOT NULL,
    day_start INTEGER NOT NULL,
    questions INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, day_start)
) WITHOUT ROWID;

-- The slot the assistant's draft proposes (suggest mode), kept with the draft's words: it
-- is booked only when a person sends that draft.
CREATE TABLE assistant_draft_slots (
    conversation_id INTEGER PRIMARY KEY,
    draft TEXT NOT NULL,
    start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL CHECK (end_at > start_at),
    created_at INTEGER NOT NULL
);

-- The daily cap on bookings counts a conversation's appointments made since midnight.
CREATE INDEX appointments_by_conversation_created ON appointments (conversation_id, created_at);
