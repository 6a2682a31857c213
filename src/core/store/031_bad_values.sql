-- Issue 15: the file's values that a content warning set aside (a date that does not exist, a
-- code or verdict outside its list), as [[field key, value], …] JSON, for the review screen.
ALTER TABLE records ADD COLUMN bad_values TEXT;
