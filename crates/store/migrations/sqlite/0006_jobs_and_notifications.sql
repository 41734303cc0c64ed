-- Background jobs, in-app notifications, agency e-mail contacts and the reminder outbox
-- (sqlite). The other backend's migration of the same number creates the same tables and
-- columns; `tests/schema.rs` checks that they agree. See `src/jobs.rs` and
-- `src/notifications.rs`.

-- A persistent job queue. `unique_key` makes enqueuing the same job twice a no-op; a worker
-- claims a job by moving it from 'queued' to 'running' with a lease (`locked_until`), and a
-- running job whose lease expired (its worker crashed) can be claimed again. Timestamps are
-- RFC 3339 text in UTC to the second, so they compare as text.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    unique_key   TEXT NOT NULL UNIQUE,
    payload      TEXT NOT NULL,
    run_at       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    last_error   TEXT,
    locked_until TEXT,
    created_at   TEXT NOT NULL,
    finished_at  TEXT
);

CREATE INDEX jobs_by_status_and_time ON jobs (status, run_at);

-- In-app notifications for an agency, and optionally one of its users (no foreign key: the
-- accounts live in another module). `dedupe_key` keeps the same notice from being shown twice.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    agency_code TEXT NOT NULL,
    user_id     INTEGER,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    link        TEXT,
    created_at  TEXT NOT NULL,
    read_at     TEXT,
    dedupe_key  TEXT NOT NULL UNIQUE
);

CREATE INDEX notifications_by_agency ON notifications (agency_code, id);

-- Where an agency's reminders are e-mailed.
CREATE TABLE agency_contacts (
    agency_code TEXT NOT NULL,
    email       TEXT NOT NULL,
    PRIMARY KEY (agency_code, email)
);

-- Đôn đốc — reminders owed to an agency, one row per reminder (`dedupe_key`: rule, assignment,
-- lead time or date), waiting to be sent in the agency's next digest; `digest_job_id` is the
-- job that sends them, NULL while they wait.
CREATE TABLE reminders (
    id            INTEGER PRIMARY KEY,
    dedupe_key    TEXT NOT NULL UNIQUE,
    agency_code   TEXT NOT NULL,
    kind          TEXT NOT NULL,
    program_id    INTEGER,
    task_code     TEXT,
    task_title    TEXT,
    due_on        TEXT,
    message       TEXT,
    created_at    TEXT NOT NULL,
    digest_job_id INTEGER REFERENCES jobs (id) ON DELETE SET NULL
);

CREATE INDEX reminders_waiting ON reminders (agency_code, digest_job_id);
CREATE INDEX reminders_by_digest ON reminders (digest_job_id);
