-- Synthesis reports (báo cáo tổng hợp) and the templates of their wording (sqlite). The other
-- backend's migration of the same number creates the same tables and columns;
-- `tests/schema.rs` checks that they agree. See `src/synthesis.rs`.

-- One series per program, level, issuing agency and period: "the national annual report of
-- 47/NQ-CP for 2026". Each generation adds a version to its series; none is ever changed.
CREATE TABLE synthesis_reports (
    id          INTEGER PRIMARY KEY,
    program_id  INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    level       TEXT NOT NULL CHECK (level IN ('national', 'agency')),
    issuer_code TEXT NOT NULL,
    period      TEXT NOT NULL,
    UNIQUE (program_id, level, issuer_code, period)
);

-- A generated version: the data it was built from (`input`, JSON, with the template text it
-- used), so it can be built again byte for byte, and the SHA-256 of each file it produced
-- (the files are kept by content with the evidence files, see `src/evidence.rs`).
CREATE TABLE synthesis_versions (
    report_id    INTEGER NOT NULL REFERENCES synthesis_reports (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    number       TEXT NOT NULL,
    title        TEXT NOT NULL,
    input        TEXT NOT NULL,
    input_sha256 TEXT NOT NULL,
    docx_sha256  TEXT NOT NULL REFERENCES evidence_files (sha256),
    xlsx_sha256  TEXT NOT NULL REFERENCES evidence_files (sha256),
    pdf_sha256   TEXT NOT NULL REFERENCES evidence_files (sha256),
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (report_id, version)
);

-- The wording of generated documents, as an administrator last saved it. A template that has
-- no row here is the one shipped with the program (`data/templates/`).
CREATE TABLE document_templates (
    name       TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
