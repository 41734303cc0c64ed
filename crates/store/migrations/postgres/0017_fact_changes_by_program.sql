-- Which dashboard facts of a program changed since a version, found by index (postgres). A
-- server refreshing a program's facts after a write asks for the figures rows with
-- `changed_at > V`; through `assignments` that meant a look-up for each of the program's
-- assignments (3,000–4,000 at national scale, 3–5 ms a query, several queries a version). Each
-- row now carries its assignment's program, and the index finds the few rows stamped since.
-- An assignment never moves between programs. The other backend's migration of the same number
-- does the same.
ALTER TABLE assignment_progress ADD COLUMN program_id BIGINT;
UPDATE assignment_progress p SET program_id = a.program_id
    FROM assignments a WHERE a.id = p.assignment_id;
ALTER TABLE assignment_progress ALTER COLUMN program_id SET NOT NULL;
CREATE INDEX assignment_progress_changes ON assignment_progress (program_id, changed_at);
