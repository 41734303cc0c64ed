-- Which dashboard facts changed since a version (sqlite). `structure` is raised with `version`
-- by writes that add, remove or re-time assignments (a server re-reads every fact then);
-- writes that only move an assignment's figures raise `version` alone and stamp the figures'
-- row with it in `changed_at`, so a server holding the facts of version V reads only the rows
-- with `changed_at > V`. The other backend's migration of the same number does the same.
ALTER TABLE program_versions ADD COLUMN structure INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assignment_progress ADD COLUMN changed_at INTEGER NOT NULL DEFAULT 0;
