-- Which dashboard facts of a program changed since a version, found by index (sqlite). A
-- server refreshing a program's facts after a write asks for the figures rows with
-- `changed_at > V`; through `assignments` that meant a look-up for each of the program's
-- assignments (3,000–4,000 at national scale, several queries a version). Each row now carries
-- its assignment's program, and the index finds the few rows stamped since. An assignment
-- never moves between programs. (SQLite adds a NOT NULL column only with a default; every
-- insert gives the program.) The other backend's migration of the same number does the same.
ALTER TABLE assignment_progress ADD COLUMN program_id INTEGER NOT NULL DEFAULT 0;
UPDATE assignment_progress SET program_id = (
    SELECT a.program_id FROM assignments a WHERE a.id = assignment_progress.assignment_id
);
CREATE INDEX assignment_progress_changes ON assignment_progress (program_id, changed_at);
