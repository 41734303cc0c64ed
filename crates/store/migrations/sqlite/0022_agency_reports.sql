-- Báo cáo của cơ quan (sqlite): one report per agency, program and period, covering every task
-- the agency answers for in the period. Its tasks' contents are the per-assignment reports
-- (progress_reports and their versions), written in the same transaction, so every figure
-- read from those stays right; this table keeps the report as one: its workflow, its versions
-- and which version of each task's report each of its versions holds. The other backend's
-- migration of the same number does the same.
CREATE TABLE agency_reports (
    id                 INTEGER PRIMARY KEY,
    program_id         INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    agency_code        TEXT NOT NULL,
    -- The regime period's code ("2026-Y", "2026-Q3").
    period             TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'accepted')),
    current_version    INTEGER NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    -- The first time it was sent: what timeliness is judged by.
    first_submitted_at TEXT,
    submitted_at       TEXT,
    accepted_at        TEXT,
    reviewed_by        TEXT,
    UNIQUE (program_id, agency_code, period)
);
CREATE INDEX agency_reports_by_status ON agency_reports (status, updated_at);

CREATE TABLE agency_report_versions (
    agency_report_id INTEGER NOT NULL REFERENCES agency_reports (id) ON DELETE CASCADE,
    version          INTEGER NOT NULL,
    action           TEXT NOT NULL CHECK (action IN ('save', 'submit', 'return', 'accept', 'reopen')),
    status_after     TEXT NOT NULL,
    author           TEXT NOT NULL,
    saved_at         TEXT NOT NULL,
    -- The reviewer's overall comment (a return's, an acceptance's, a reopening's reason).
    comment          TEXT,
    -- JSON: [{"assignment_id", "report_id", "report_version", "comment"}], one per task.
    items            TEXT NOT NULL,
    PRIMARY KEY (agency_report_id, version)
);

-- Đối tượng báo cáo gains "through_lead": lead agencies report upward, coordinating agencies
-- send their contribution to the lead. SQLite cannot alter a CHECK: the table is rebuilt.
CREATE TABLE program_regimes_new (
    program_id   INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    regime_key   TEXT NOT NULL,
    kind         TEXT NOT NULL
                 CHECK (kind IN ('monthly', 'quarterly', 'six_monthly', 'nine_monthly', 'annual', 'phase')),
    reporters    TEXT NOT NULL CHECK (reporters IN ('every', 'leads', 'through_lead')),
    working_days INTEGER NOT NULL CHECK (working_days BETWEEN 1 AND 60),
    phase_label  TEXT,
    phase_start  TEXT,
    phase_end    TEXT,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    PRIMARY KEY (program_id, regime_key)
);
INSERT INTO program_regimes_new SELECT program_id, regime_key, kind, reporters, working_days,
    phase_label, phase_start, phase_end, updated_at, updated_by FROM program_regimes;
DROP TABLE program_regimes;
ALTER TABLE program_regimes_new RENAME TO program_regimes;
