-- An agency's focal points (đầu mối) edited on its page by its administrators (issue 21, point
-- 2), and the log of every read of personal data (sqlite). The other backend's migration of the
-- same number makes the same tables; `tests/schema.rs` checks that they agree.

-- A focal point is a person's name beside the address reminders go to; rows written before
-- this migration keep an empty name (the address alone).
ALTER TABLE agency_contacts ADD COLUMN name TEXT NOT NULL DEFAULT '';

-- Each read of personal data shown to someone: who read whose data, when, for which purpose
-- and under which legal basis (`data/law/personal_data.toml`). Never the data itself.
CREATE TABLE personal_data_reads (
    id          INTEGER PRIMARY KEY,
    read_at     TEXT NOT NULL,
    reader      TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    subject     TEXT NOT NULL
);
CREATE INDEX personal_data_reads_read_at ON personal_data_reads (read_at);
CREATE INDEX personal_data_reads_subject ON personal_data_reads (subject);
