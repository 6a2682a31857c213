-- Item 2-1 of the count report is a decision with a date: the person was qualified at the
-- match date and has lost the qualification since (seed 002: 「現時点では資格を喪失している
-- ことから、確認の対象外」). YYYYMMDD, set only for that decision.
ALTER TABLE decisions ADD COLUMN lost_on INTEGER;
