-- Search in the mismatch list by the beginning of the 記号 too (the search field promises
-- 「記号・番号の先頭」): digits find the card number or the symbol, 「記号-番号」 both.
CREATE INDEX records_symbol ON records (card_symbol) WHERE mismatch = 1;
