-- Search in the mismatch list: by card number, or by the insurer's kana name folded as the
-- explanation engine folds it (compare::kana::key: full-width, large kana, no spaces), so
-- that ﾔﾏﾀﾞ, やまだ and ヤマダ find the same rows.
ALTER TABLE records ADD COLUMN kana_key TEXT;
CREATE INDEX records_kana ON records (kana_key) WHERE mismatch = 1;
CREATE INDEX records_card ON records (card_number) WHERE mismatch = 1;

-- The record's history on the review screen reads the audit trail by target.
CREATE INDEX audit_target ON audit (target);
