-- Where an agency's facts come from, in Vietnamese (issue 21, rough edges: the agency page's
-- «Nguồn» line was English on the Vietnamese page). PostgreSQL; the SQLite migration of the
-- same number makes the same column. NULL where the directory gives none; the page then shows
-- the English `source`.
ALTER TABLE agencies ADD COLUMN source_vi TEXT;
