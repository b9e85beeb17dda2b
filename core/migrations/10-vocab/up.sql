-- Ringback store, version 10: what happened to a message, typed (issue 14).

-- Why a message failed or was withdrawn, as a kind (`Failure`, JSON: `"unconfirmed"`,
-- `{"expired": {"hours": 24}}`, `{"refused": "opted_out"}`…) beside the words in
-- `failure`. Rows written before this version have words only; they are read back into a
-- kind by the words (`Failure::from_words`), so nothing here rewrites them, and a row keeps
-- what its op carried on every device.
ALTER TABLE messages ADD COLUMN failure_kind TEXT;
