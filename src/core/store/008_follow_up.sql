-- What follows a decision: letters printed (with their batch and reply deadline), the
-- person's reply or the employer's answer, and the release requests sent to the operator.
CREATE TABLE letter_batches (
    id         INTEGER PRIMARY KEY,
    printed_at TEXT NOT NULL,
    printed_by INTEGER NOT NULL REFERENCES users (id),
    deadline   TEXT NOT NULL,                 -- reply deadline, YYYY-MM-DD
    letters    INTEGER NOT NULL
);

CREATE TABLE letters (
    id          INTEGER PRIMARY KEY,
    record_id   INTEGER NOT NULL REFERENCES records (id),
    decision_id INTEGER NOT NULL REFERENCES decisions (id),
    batch_id    INTEGER NOT NULL REFERENCES letter_batches (id),
    letter_type TEXT NOT NULL,                -- 'A' / 'B'
    reprint     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX letters_record ON letters (record_id, decision_id);

-- One current follow-up per record, for the decision it follows (a new decision makes it
-- stale: the joins check decision_id).
CREATE TABLE follow_ups (
    record_id    INTEGER PRIMARY KEY REFERENCES records (id),
    decision_id  INTEGER NOT NULL REFERENCES decisions (id),
    outcome      INTEGER NOT NULL,            -- review::FollowUp
    digits_match INTEGER,                     -- type B: the 4 digits written matched (1) or not (0)
    memo         TEXT NOT NULL,
    recorded_by  INTEGER NOT NULL REFERENCES users (id),
    recorded_at  TEXT NOT NULL
);

CREATE TABLE release_requests (
    id         INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    cutoff     TEXT,                          -- the cut-off it was made for
    records    INTEGER NOT NULL
);
ALTER TABLE records ADD COLUMN release_request_id INTEGER REFERENCES release_requests (id);
