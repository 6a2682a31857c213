-- The wording of the notice letters (通知文の文面) as the insurer's templates: every saved text
-- is a version of its own, never changed afterwards; each letter type has a current version
-- (none: totsugo's default for the kind of insurer); every printed letter notes the version it
-- was printed with, so that a reprint prints the same words.
CREATE TABLE letter_texts (
    id          INTEGER PRIMARY KEY,
    letter_type TEXT NOT NULL,                -- 'A' / 'B'
    body        TEXT NOT NULL,                -- the template: the first line the title
    saved_at    TEXT NOT NULL,
    saved_by    INTEGER NOT NULL REFERENCES users (id),
    is_default  INTEGER NOT NULL DEFAULT 0    -- 1: totsugo's default, kept because letters used it
);
CREATE INDEX letter_texts_type ON letter_texts (letter_type, id);
CREATE TRIGGER letter_texts_are_immutable BEFORE UPDATE ON letter_texts
BEGIN
    SELECT RAISE(ABORT, 'letter texts are never changed: save a new version');
END;

CREATE TABLE letter_text_current (
    letter_type TEXT PRIMARY KEY,             -- 'A' / 'B'
    text_id     INTEGER REFERENCES letter_texts (id)  -- NULL: the default
);

ALTER TABLE letters ADD COLUMN text_id INTEGER REFERENCES letter_texts (id);
