-- Issue 16 §5: the follow-up outcome that makes a record releasable (the person's reply
-- "number correct", the employer's answer) is approved by a supervisor other than the one who
-- recorded it before the record can go into a release request. A follow-up recorded again
-- (INSERT OR REPLACE) starts unapproved. Follow-ups recorded before this version start
-- unapproved too: they wait in the approval screen.
ALTER TABLE follow_ups ADD COLUMN approved_by INTEGER REFERENCES users (id);
ALTER TABLE follow_ups ADD COLUMN approved_at TEXT;
