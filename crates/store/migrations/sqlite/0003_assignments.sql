-- Assignments (phân công): one agency's responsibility for one task, and where it came from
-- (sqlite). The other backend's migration of the same number creates the same tables and
-- columns; `tests/schema.rs` checks that they agree. See `dongbo_domain::assignment`.

-- The function of a program's work that successions follow ("external_information" sends a
-- 2024 task of the Ministry of Information and Communications to Culture, Sports and Tourism);
-- "*" follows each ended agency's catch-all successor.
ALTER TABLE programs ADD COLUMN successor_function TEXT NOT NULL DEFAULT '*';

CREATE TABLE assignments (
    id          INTEGER PRIMARY KEY,
    program_id  INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    task_id     INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    agency_code TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('lead', 'coordinating')),
    created_at  TEXT NOT NULL,
    UNIQUE (task_id, agency_code, role)
);

CREATE INDEX assignments_by_agency ON assignments (agency_code);
CREATE INDEX assignments_by_program ON assignments (program_id);

-- Every way a task reached the assignment's agency: the cell (role), the agency set it came
-- through, and the agency the document meant on its date (another one after a succession).
CREATE TABLE assignment_origins (
    assignment_id INTEGER NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('lead', 'coordinating')),
    via_set       TEXT,
    original      TEXT NOT NULL,
    PRIMARY KEY (assignment_id, position)
);

-- Open agency sets ("các bộ, ngành liên quan") named by a task, waiting for the program's
-- coordinator to choose their members; `chosen_at` is set once they are chosen.
CREATE TABLE pending_choices (
    id        INTEGER PRIMARY KEY,
    task_id   INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    role      TEXT NOT NULL CHECK (role IN ('lead', 'coordinating')),
    set_code  TEXT NOT NULL,
    chosen_at TEXT,
    UNIQUE (task_id, role, set_code)
);
