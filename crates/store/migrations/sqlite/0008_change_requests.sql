-- Change requests (đề xuất điều chỉnh) and the history of a program's tasks (sqlite). The other
-- backend's migration of the same number creates the same tables and columns;
-- `tests/schema.rs` checks that they agree. See `src/changes.rs`.

-- An agency proposes to add, amend, drop or re-time a task of a program, with a reason; the
-- coordinator decides. `task_code` is NULL for an "add" until it is approved, then the code
-- the new task got. `proposal` is JSON: the new values the proposer asked for.
CREATE TABLE change_requests (
    id                 INTEGER PRIMARY KEY,
    program_id         INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    task_code          TEXT,
    kind               TEXT NOT NULL CHECK (kind IN ('add', 'amend', 'drop', 'retime')),
    proposed_by_agency TEXT NOT NULL,
    proposed_by        TEXT NOT NULL,
    reason             TEXT NOT NULL,
    proposal           TEXT NOT NULL,
    status             TEXT NOT NULL
                       CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    decided_by         TEXT,
    decided_at         TEXT,
    decision_note      TEXT,
    created_at         TEXT NOT NULL
);

CREATE INDEX change_requests_by_program ON change_requests (program_id, status);

-- What an approved change did to a task: the task before and after, as JSON (NULL before an
-- add, NULL after a drop). Not tied to the task row, which a drop removes.
CREATE TABLE task_history (
    id                INTEGER PRIMARY KEY,
    program_id        INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    task_code         TEXT NOT NULL,
    at                TEXT NOT NULL,
    change_request_id INTEGER NOT NULL REFERENCES change_requests (id) ON DELETE CASCADE,
    before_json       TEXT,
    after_json        TEXT
);

CREATE INDEX task_history_by_task ON task_history (program_id, task_code);
