-- People and trust: users, settings, and the append-only audit trail.
CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    login                TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    roles                INTEGER NOT NULL,          -- bit set: 1 担当者, 2 責任者, 4 管理者
    may_reveal_my_number INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL,
    disabled_at          TEXT                       -- users are disabled, never deleted
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Each entry holds the SHA-256 of the previous one (audit::entry_hash): editing or deleting
-- a row breaks the chain, and `totsugo audit verify` names the first broken entry.
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    user_id    INTEGER,                             -- NULL before anyone logged in
    user_login TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_at ON audit (at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END;
