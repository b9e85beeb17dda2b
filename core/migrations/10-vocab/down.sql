-- Undoes version 10 (tests that rewind a store to an earlier version use it).
ALTER TABLE messages DROP COLUMN failure_kind;
