-- Progress reports (báo cáo tiến độ) with their versions and review, and the evidence files
-- they cite (sqlite). The other backend's migration of the same number creates the same tables
-- and columns; `tests/schema.rs` checks that they agree. See `src/reports.rs` and
-- `src/evidence.rs`.

-- One report per assignment and reporting period: a `Period` code ("2025-Q2") for recurring
-- work, "once" for a task reported once. Its content is the content of `current_version`.
CREATE TABLE progress_reports (
    id              INTEGER PRIMARY KEY,
    assignment_id   INTEGER NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    period          TEXT NOT NULL,
    status          TEXT NOT NULL
                    CHECK (status IN ('draft', 'submitted', 'returned', 'accepted')),
    current_version INTEGER NOT NULL CHECK (current_version >= 1),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    submitted_at    TEXT,
    accepted_at     TEXT,
    reviewed_by     TEXT,
    UNIQUE (assignment_id, period)
);

-- Every save and every transition writes a new version; none is ever changed. The history of
-- a report is the list of its versions.
CREATE TABLE report_versions (
    report_id       INTEGER NOT NULL REFERENCES progress_reports (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL CHECK (version >= 1),
    action          TEXT NOT NULL
                    CHECK (action IN ('save', 'submit', 'return', 'accept', 'reopen')),
    results         TEXT NOT NULL,
    progress        INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
    difficulties    TEXT NOT NULL,
    recommendations TEXT NOT NULL,
    author          TEXT NOT NULL,
    saved_at        TEXT NOT NULL,
    status_after    TEXT NOT NULL
                    CHECK (status_after IN ('draft', 'submitted', 'returned', 'accepted')),
    comment         TEXT,
    PRIMARY KEY (report_id, version)
);

-- Documents issued as evidence (văn bản đã ban hành), per version.
CREATE TABLE report_documents (
    report_id INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    number    TEXT NOT NULL,
    issued_on TEXT,
    title     TEXT NOT NULL,
    PRIMARY KEY (report_id, version, position),
    FOREIGN KEY (report_id, version) REFERENCES report_versions (report_id, version)
        ON DELETE CASCADE
);

-- Links given as evidence, per version.
CREATE TABLE report_links (
    report_id INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    url       TEXT NOT NULL,
    title     TEXT NOT NULL,
    PRIMARY KEY (report_id, version, position),
    FOREIGN KEY (report_id, version) REFERENCES report_versions (report_id, version)
        ON DELETE CASCADE
);

-- Files stored by content (see `evidence_files`); `sha256` is the 64 hex digits of the bytes.
CREATE TABLE evidence_files (
    sha256        TEXT PRIMARY KEY,
    size          INTEGER NOT NULL CHECK (size >= 0),
    media_type    TEXT NOT NULL,
    original_name TEXT NOT NULL,
    stored_at     TEXT NOT NULL
);

-- Files attached as evidence, per version, under the name the reporter gave them.
CREATE TABLE report_files (
    report_id INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    sha256    TEXT NOT NULL REFERENCES evidence_files (sha256),
    name      TEXT NOT NULL,
    PRIMARY KEY (report_id, version, position),
    FOREIGN KEY (report_id, version) REFERENCES report_versions (report_id, version)
        ON DELETE CASCADE
);

CREATE INDEX report_files_by_sha256 ON report_files (sha256);

-- Keys of requests already carried out: a retried request with the same key gets the same
-- report and version back. `fingerprint` is a SHA-256 of the request, so a key reused for a
-- different request is refused rather than answered with the wrong result.
CREATE TABLE idempotency_keys (
    key         TEXT PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES progress_reports (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
