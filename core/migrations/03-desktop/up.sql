-- Ringback store, version 3: what the desktop's dashboard needs.

-- A call's caller texting back, and the team answering: for every call of a period the
-- dashboard asks for the first inbound text, and the first reply, after a moment in one
-- conversation. `messages_by_conversation` holds every message, so each question walked
-- the conversation's messages one table row at a time (a second a month on a busy phone's
-- million messages); these partial indexes answer each with one seek. Partial, so that
-- only the inbound texts and the replies pay for them.
CREATE INDEX messages_inbound_by_conversation ON messages (conversation_id, created_at)
    WHERE direction = 'inbound';
CREATE INDEX messages_replies_by_conversation ON messages (conversation_id, created_at)
    WHERE kind = 'reply';
