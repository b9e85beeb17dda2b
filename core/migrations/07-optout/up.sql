-- Ringback store, version 7: likely opt-outs (issue 13).

-- A text that probably asks not to be texted, in other words than an opt-out keyword,
-- pauses automated texts to its number until a person decides. One row per number, a
-- last-writer-wins value like a conversation field (its stamp is in `lww` under
-- `review/<number>`): `pending` (the phone paused), `resumed` or `opt_out` (a person
-- decided), `settled` (the number texted STOP or START itself, or the phone recorded the
-- opt-out a person decided on). `since` is when the state was set (UTC ms).
CREATE TABLE opt_out_reviews (
    number TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('pending', 'resumed', 'opt_out', 'settled')),
    since INTEGER NOT NULL
);
-- The phone looks for decisions to carry out after every batch from a desktop.
CREATE INDEX opt_out_reviews_to_carry_out ON opt_out_reviews (number) WHERE state = 'opt_out';
