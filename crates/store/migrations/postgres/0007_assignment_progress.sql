-- What the dashboards are computed from (postgres): per assignment, the progress its accepted
-- reports give, kept up to date in the same transaction as every report written, so that a
-- dashboard is right immediately after every write without recounting reports. The other
-- backend's migration of the same number creates the same table; `tests/schema.rs` checks.
CREATE TABLE assignment_progress (
    assignment_id BIGINT PRIMARY KEY REFERENCES assignments (id) ON DELETE CASCADE,
    -- From the latest accepted report, 0–100.
    progress      BIGINT NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    -- Whether any report has been submitted.
    started       BIGINT NOT NULL DEFAULT 0,
    -- The day the report that reached 100% was accepted.
    done_on       TEXT,
    updated_at    TEXT NOT NULL
);
