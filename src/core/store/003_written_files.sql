-- Files totsugo wrote outside the store (exports), so that a purge can remove them too.
CREATE TABLE written_files (
    id         INTEGER PRIMARY KEY,
    path       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    written_at TEXT NOT NULL
);
