-- Non-state participants of a task (businesses, associations, schools, experts…, issue 18) are
-- kept beside its agencies, sets and unresolved fragments: a `task_agencies` row with target
-- 'participant', whose `code_or_text` is "kind:text" ("business:Tập đoàn Viettel"). The CHECK
-- on `target` is widened (the name PostgreSQL gave the column's CHECK in 0001). The other
-- backend's migration of the same number does the same by rebuilding the table.
ALTER TABLE task_agencies DROP CONSTRAINT task_agencies_target_check;
ALTER TABLE task_agencies ADD CONSTRAINT task_agencies_target_check
    CHECK (target IN ('agency', 'set', 'unresolved', 'participant'));
