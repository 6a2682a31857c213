-- The periodic reviews the privacy assessment promises (issue 16 §7): the access log monthly,
-- the users half-yearly, each signed off by an administrator or a supervisor with the audit
-- chain head they saw.
CREATE TABLE review_sign_offs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,      -- 'access_log' | 'user_list'
    period      TEXT NOT NULL,      -- '2026-11' (access log) or the day '2026-12-01' (users)
    signed_by   INTEGER NOT NULL REFERENCES users (id),
    signed_at   TEXT NOT NULL,
    head_count  INTEGER NOT NULL,
    head_hash   TEXT NOT NULL,
    reviewed    INTEGER NOT NULL,   -- entries (access log) or users (user list) reviewed
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX review_sign_offs_kind ON review_sign_offs (kind, period);
