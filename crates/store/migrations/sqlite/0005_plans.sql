-- Agency plans (the cascade) and units (sqlite). The other backend's migration of the same
-- number creates the same tables and columns; `tests/schema.rs` checks that they agree.

-- A plan is a program derived from a parent program and owned by one agency: "Kế hoạch của
-- Bộ Văn hóa, Thể thao và Du lịch thực hiện Nghị quyết 47/NQ-CP". Its program row carries its
-- document, groups and tasks like any program.
CREATE TABLE plans (
    program_id        INTEGER PRIMARY KEY REFERENCES programs (id) ON DELETE CASCADE,
    parent_program_id INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    agency_code       TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    UNIQUE (parent_program_id, agency_code)
);

-- The parent task a plan's task carries out; progress rolls up along it.
CREATE TABLE task_links (
    task_id        INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    parent_task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE
);

CREATE INDEX task_links_by_parent ON task_links (parent_task_id);

-- Units (đơn vị) an agency creates under itself to hand tasks to.
CREATE TABLE units (
    code        TEXT PRIMARY KEY NOT NULL,
    agency_code TEXT NOT NULL,
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- An assignment a person made (a unit given a plan task, a member chosen for an open set)
-- rather than one the task's cells call for: `sync` keeps it. `due_on` is the date the
-- assigning agency set, when it set one.
ALTER TABLE assignments ADD COLUMN manual INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assignments ADD COLUMN due_on TEXT;
