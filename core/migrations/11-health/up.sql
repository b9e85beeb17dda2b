-- Ringback store, version 11: what the desktop's alerts look for (issue 15).

-- A failed text-back is an alert until someone texts the caller or archives the
-- conversation: the desktop asks after every change, so the failed ones are found with one
-- seek instead of a walk through every message. Partial: only failed text-backs pay.
CREATE INDEX messages_failed_text_backs ON messages (created_at)
    WHERE kind = 'text_back' AND status = 'failed';

-- Conversations the assistant left for the team (it could not answer, or the caller asked
-- for a person), without the many a person's reply took over. The assistant state is JSON
-- or empty; the CASE keeps a value that is not JSON out of the index instead of failing
-- the write. The query repeats this expression word for word, so that it uses the index.
CREATE INDEX conversations_awaiting_team ON conversations (id)
    WHERE (CASE WHEN json_valid(assistant) AND json_extract(assistant, '$.reason') <> 'a person replied'
                THEN json_extract(assistant, '$.status') END) IN ('needs_team', 'handed_off');
