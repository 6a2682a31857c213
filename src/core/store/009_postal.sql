-- A postal code the clerk confirmed or corrected for a letter (when the town list gave none
-- or several); the insurer's mailing list still takes precedence.
CREATE TABLE postal_overrides (
    record_id   INTEGER PRIMARY KEY REFERENCES records (id),
    postal_code TEXT NOT NULL,
    set_by      INTEGER NOT NULL REFERENCES users (id),
    set_at      TEXT NOT NULL
);
