-- Chế độ báo cáo (sqlite): a program's own reporting regimes, laid over the Decree 09 default
-- (an annual report from every assignee, one working day after the cut-off), which needs no
-- row. One row per regime key: a period kind ("quarterly") or a phase's range
-- ("2024-01-01..2026-12-31"). The other backend's migration of the same number does the same.
CREATE TABLE program_regimes (
    program_id   INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    regime_key   TEXT NOT NULL,
    kind         TEXT NOT NULL
                 CHECK (kind IN ('monthly', 'quarterly', 'six_monthly', 'nine_monthly', 'annual', 'phase')),
    reporters    TEXT NOT NULL CHECK (reporters IN ('every', 'leads')),
    working_days INTEGER NOT NULL CHECK (working_days BETWEEN 1 AND 60),
    -- A phase's name and range (ISO dates); NULL for a periodic regime.
    phase_label  TEXT,
    phase_start  TEXT,
    phase_end    TEXT,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    PRIMARY KEY (program_id, regime_key)
);
