-- Ringback store, version 6: clocks cannot poison sync (issue 13).

-- Ops that arrived stamped far ahead of this device's clock (their device's date was
-- wrong). They were applied, their last-writer-wins changes ordered as of their arrival;
-- this list is what the owner is told. Local to each device, never replicated; the newest
-- thousand are kept.
CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hlc_ms INTEGER NOT NULL,
    hlc_counter INTEGER NOT NULL,
    at INTEGER NOT NULL,
    why TEXT NOT NULL,
    UNIQUE (origin, seq)
);

-- The highest stamp in force (the clock continues after it at open) and the stamps a wrong
-- date left in the future (brought back to the present) are found without a scan.
CREATE INDEX lww_by_stamp ON lww (hlc_ms, hlc_counter);
