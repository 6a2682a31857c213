-- The review: clerks' decisions (append-only apart from the undo mark and the batch) and
-- supervisors' approval batches.
CREATE TABLE batches (
    id          INTEGER PRIMARY KEY,
    approved_by INTEGER NOT NULL REFERENCES users (id),
    approved_at TEXT NOT NULL
);

CREATE TABLE decisions (
    id               INTEGER PRIMARY KEY,
    record_id        INTEGER NOT NULL REFERENCES records (id),
    decision         INTEGER NOT NULL,            -- review::Decision
    letter           TEXT,                        -- 'A' / 'B' for 本人へ文書送付
    memo             TEXT NOT NULL,
    decided_by       INTEGER NOT NULL REFERENCES users (id),
    decided_at       TEXT NOT NULL,
    overrode         TEXT NOT NULL,               -- JSON array: contradictions the clerk confirmed
    undone           INTEGER NOT NULL DEFAULT 0,
    batch_id         INTEGER REFERENCES batches (id),
    prev_state       INTEGER NOT NULL,            -- the record's state before, for the undo
    prev_decision_id INTEGER,
    prev_sent_back   TEXT
);
CREATE INDEX decisions_record ON decisions (record_id);
CREATE INDEX decisions_by ON decisions (decided_by, id);

-- Where each record stands (review::ReviewState), its current decision, and a supervisor's
-- reason when sent back.
ALTER TABLE records ADD COLUMN state INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN decision_id INTEGER;
ALTER TABLE records ADD COLUMN sent_back TEXT;
CREATE INDEX records_state ON records (state) WHERE state <> 0;
