-- The explanation engine's result per mismatch (compare::RowSummary::pack: suggestion and
-- the five item verdicts), NULL for rows that match.
ALTER TABLE records ADD COLUMN analysis INTEGER;

-- Cross-record alarms (crosscheck::AlarmKind): on one record, naming another.
CREATE TABLE alarms (
    record_id  INTEGER NOT NULL REFERENCES records (id),
    kind       INTEGER NOT NULL,
    related_id INTEGER NOT NULL REFERENCES records (id)
);
CREATE INDEX alarms_record ON alarms (record_id);

-- Id of the first record of an import: data row n of the file is record first_record_id + n - 1.
ALTER TABLE imports ADD COLUMN first_record_id INTEGER;
