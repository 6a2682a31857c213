-- The data spine: imports and their records.
CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    file_name     TEXT NOT NULL,
    file_hash     TEXT NOT NULL UNIQUE,   -- SHA-256 of the file's bytes: the same file is refused
    file_size     INTEGER NOT NULL,
    imported_at   TEXT NOT NULL,
    encoding      TEXT NOT NULL,
    profile       TEXT NOT NULL,
    extra_headers TEXT NOT NULL,          -- JSON array of the headers of unknown columns
    counts        TEXT NOT NULL           -- JSON of summary::Counts
);
CREATE INDEX imports_size ON imports (file_size);

-- One row per row of a match-result file. Dates are INTEGER YYYYMMDD, sex 1/2/3,
-- verdicts packed 2 bits each (record::Verdicts::pack), warnings a bit set (classify::Warnings).
CREATE TABLE records (
    id              INTEGER PRIMARY KEY,
    import_id       INTEGER NOT NULL REFERENCES imports (id),
    line            INTEGER NOT NULL,
    insurer_number  TEXT NOT NULL,
    card_symbol     TEXT NOT NULL,
    card_number     TEXT NOT NULL,
    branch          TEXT NOT NULL,
    relation        INTEGER,
    my_number       TEXT NOT NULL,
    qual_start      INTEGER,
    qual_end        INTEGER,
    ins_kanji       TEXT NOT NULL,
    ins_kana        TEXT NOT NULL,
    ins_birth       INTEGER,
    ins_sex         INTEGER,
    ins_address     TEXT NOT NULL,
    registry_result INTEGER NOT NULL,
    reg_kanji       TEXT NOT NULL,
    reg_kana        TEXT NOT NULL,
    reg_birth       INTEGER,
    reg_sex         INTEGER,
    reg_address     TEXT NOT NULL,
    verdicts        INTEGER NOT NULL,
    stop_flag       INTEGER,
    multi_qual      INTEGER NOT NULL,
    base_date       INTEGER,
    mismatch        INTEGER NOT NULL,
    lost            INTEGER NOT NULL,
    stop_case       INTEGER NOT NULL,
    priority        INTEGER NOT NULL,
    warnings        INTEGER NOT NULL,
    extra           TEXT                  -- JSON array of extra column values, or NULL
);
-- Work order over mismatches only (a small part of the file): index-backed paging.
CREATE INDEX records_mismatch_order ON records (priority, id) WHERE mismatch = 1;
