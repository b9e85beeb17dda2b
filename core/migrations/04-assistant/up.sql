-- Ringback store, version 4: the assistant (issue 6).

-- Per conversation: the lead card the assistant filled in (JSON, `{}` when nothing is
-- known), its draft for the composer (suggest mode), and its state (JSON: status, reason,
-- when), all last-writer-wins fields like the note.
ALTER TABLE conversations ADD COLUMN lead TEXT NOT NULL DEFAULT '{}';
ALTER TABLE conversations ADD COLUMN draft TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN assistant TEXT NOT NULL DEFAULT '';

-- Appointments booked in a conversation: the phone creates them (phone ids, like
-- messages); a slot is booked at most once.
CREATE TABLE appointments (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL,
    start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL CHECK (end_at > start_at),
    summary TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX appointments_by_start ON appointments (start_at);
CREATE INDEX appointments_by_conversation ON appointments (conversation_id);

-- The daily cap counts the assistant's texts in one conversation.
CREATE INDEX messages_assistant_by_conversation ON messages (conversation_id, created_at)
    WHERE kind = 'assistant';
