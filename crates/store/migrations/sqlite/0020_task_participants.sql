-- Non-state participants of a task (businesses, associations, schools, experts…, issue 18) are
-- kept beside its agencies, sets and unresolved fragments: a `task_agencies` row with target
-- 'participant', whose `code_or_text` is "kind:text" ("business:Tập đoàn Viettel"). The CHECK
-- on `target` is widened; SQLite cannot change a CHECK in place, so the table is rebuilt with
-- its rows (nothing references it). The other backend's migration of the same number widens
-- the same CHECK.
CREATE TABLE task_agencies_new (
    task_id      INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('lead', 'coordinating')),
    target       TEXT NOT NULL CHECK (target IN ('agency', 'set', 'unresolved', 'participant')),
    position     INTEGER NOT NULL,
    code_or_text TEXT NOT NULL,
    PRIMARY KEY (task_id, role, target, position)
);
INSERT INTO task_agencies_new (task_id, role, target, position, code_or_text)
    SELECT task_id, role, target, position, code_or_text FROM task_agencies;
DROP TABLE task_agencies;
ALTER TABLE task_agencies_new RENAME TO task_agencies;
CREATE INDEX task_agencies_by_code ON task_agencies (code_or_text, target);
