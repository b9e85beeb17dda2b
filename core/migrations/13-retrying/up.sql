-- Ringback store, version 13: the texts waiting for a retry.

-- The engine asks for them each time it looks for its next timer, after every event:
-- without this it walked every message, which on a phone of 100,000 ops cost milliseconds
-- per text. Partial: only texts retrying pay (a handful at most).
CREATE INDEX messages_retrying ON messages (id) WHERE status = 'retrying';
