-- Indicators (chỉ tiêu) of a program and the values recorded for them (sqlite). The other
-- backend's migration of the same number creates the same tables and columns;
-- `tests/schema.rs` checks that they agree. See `src/indicators.rs`.

-- One indicator of a program, by its code ("11", "11.1"). Numbers (baseline, values) are
-- stored as text (Rust's shortest round-trip form), like every other column the `Any` driver
-- must carry alike on both backends; the target is stored as written and parsed on reading.
CREATE TABLE indicators (
    id              INTEGER PRIMARY KEY,
    program_id      INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    code            TEXT NOT NULL,
    parent_code     TEXT,
    position        INTEGER NOT NULL,
    name            TEXT NOT NULL,
    unit            TEXT NOT NULL,
    direction       TEXT NOT NULL CHECK (direction IN ('higher', 'lower', 'qualitative')),
    baseline        TEXT,
    baseline_year   INTEGER,
    target_text     TEXT NOT NULL,
    target_year     INTEGER,
    tracking_agency TEXT,
    tracking_text   TEXT NOT NULL,
    source          TEXT NOT NULL,
    UNIQUE (program_id, code)
);

-- Every value recorded for an indicator, kept: a correction is a newer row for the same
-- agency, period and scope. `period` is a period code ("2025-Y", "2025-Q2"); `scope` names
-- the goal of a scoped target ("Đông Nam Á"), '' when the target has one goal. A value is a
-- number (`value_number`, as text) or text; `judgement` is a person's for a qualitative one.
CREATE TABLE indicator_values (
    id           INTEGER PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    agency_code  TEXT NOT NULL,
    period       TEXT NOT NULL,
    scope        TEXT NOT NULL,
    value_number TEXT,
    value_text   TEXT,
    judgement    TEXT CHECK (judgement IN ('achieved', 'not_achieved')),
    source       TEXT NOT NULL,
    note         TEXT NOT NULL,
    author       TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);

CREATE INDEX indicator_values_by_indicator ON indicator_values (indicator_id, id);
