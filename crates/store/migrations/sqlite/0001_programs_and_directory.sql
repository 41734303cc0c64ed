-- The agency directory and imported programs (SQLite). The PostgreSQL migration of the same
-- number creates the same tables and columns; `tests/schema.rs` checks that they agree.
-- Dates are ISO-8601 TEXT, booleans INTEGER 0/1, ids INTEGER (SQLite's 64-bit rowid).

CREATE TABLE agencies (
    code        TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    valid_from  TEXT,
    valid_until TEXT,
    parent      TEXT,
    source      TEXT
);

CREATE TABLE agency_aliases (
    agency_code TEXT NOT NULL REFERENCES agencies (code) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    alias       TEXT NOT NULL,
    PRIMARY KEY (agency_code, position)
);

-- One row per (successor, function); `function` is NULL for a successor named with no
-- functions, so that such a successor still round-trips.
CREATE TABLE agency_successors (
    agency_code       TEXT NOT NULL REFERENCES agencies (code) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    successor         TEXT NOT NULL,
    function_position INTEGER NOT NULL,
    function          TEXT,
    PRIMARY KEY (agency_code, position, function_position)
);

CREATE TABLE agency_sets (
    code    TEXT PRIMARY KEY NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    open    INTEGER NOT NULL CHECK (open IN (0, 1))
);

CREATE TABLE agency_set_phrases (
    set_code TEXT NOT NULL REFERENCES agency_sets (code) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    phrase   TEXT NOT NULL,
    PRIMARY KEY (set_code, position)
);

CREATE TABLE agency_set_members (
    set_code    TEXT NOT NULL REFERENCES agency_sets (code) ON DELETE CASCADE,
    member_type TEXT NOT NULL CHECK (member_type IN ('kind', 'code')),
    position    INTEGER NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (set_code, member_type, position)
);

CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    number        TEXT UNIQUE,
    kind          TEXT NOT NULL,
    issued_on     TEXT,
    issuer        TEXT,
    issuer_text   TEXT,
    signer        TEXT,
    title         TEXT NOT NULL,
    language      TEXT NOT NULL,
    implements    TEXT NOT NULL,
    source_file   TEXT NOT NULL,
    source_format TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    imported_at   TEXT NOT NULL
);

CREATE INDEX documents_by_sha256 ON documents (source_sha256);

CREATE TABLE programs (
    id                INTEGER PRIMARY KEY,
    document_id       INTEGER NOT NULL UNIQUE REFERENCES documents (id) ON DELETE CASCADE,
    title             TEXT NOT NULL,
    parent_program_id INTEGER REFERENCES programs (id),
    warnings          TEXT NOT NULL
);

CREATE TABLE task_groups (
    program_id INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    code       TEXT NOT NULL,
    title      TEXT NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (program_id, code)
);

CREATE TABLE tasks (
    id                INTEGER PRIMARY KEY,
    program_id        INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    group_code        TEXT NOT NULL,
    code              TEXT NOT NULL,
    title             TEXT NOT NULL,
    expected_output   TEXT,
    lead_text         TEXT NOT NULL,
    coordinating_text TEXT NOT NULL,
    time_frame_text   TEXT NOT NULL,
    time_frame_kind   TEXT NOT NULL,
    start_on          TEXT,
    due_on            TEXT,
    recurrence        TEXT NOT NULL,
    draft             INTEGER NOT NULL CHECK (draft IN (0, 1)),
    language          TEXT,
    source            TEXT,
    position          INTEGER NOT NULL,
    search_text       TEXT NOT NULL,
    UNIQUE (program_id, code)
);

CREATE INDEX tasks_by_program_position ON tasks (program_id, position);

CREATE TABLE task_agencies (
    task_id      INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('lead', 'coordinating')),
    target       TEXT NOT NULL CHECK (target IN ('agency', 'set', 'unresolved')),
    position     INTEGER NOT NULL,
    code_or_text TEXT NOT NULL,
    PRIMARY KEY (task_id, role, target, position)
);

CREATE INDEX task_agencies_by_code ON task_agencies (code_or_text, target);
