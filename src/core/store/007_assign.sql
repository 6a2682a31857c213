-- Who a mismatch is assigned to (a supervisor shares the work out among the clerks). NULL:
-- nobody yet. The index serves "my records" and "unassigned" in work order.
ALTER TABLE records ADD COLUMN assignee INTEGER REFERENCES users (id);
CREATE INDEX records_assignee ON records (assignee, priority, id) WHERE mismatch = 1;
