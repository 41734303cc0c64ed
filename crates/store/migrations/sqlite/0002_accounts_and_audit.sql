-- Users, their scoped roles, sessions, API tokens and the hash-chained audit log (SQLite).
-- The PostgreSQL migration of the same number creates the same tables and columns.
-- Timestamps are RFC 3339 TEXT in UTC with a fixed width (they sort and compare as text),
-- booleans INTEGER 0/1. Secrets are never stored: passwords as argon2id PHC strings, session
-- and API tokens as the hex SHA-256 of the token.

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    -- NFC, lower case: the one spelling a login is compared with.
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL CHECK (must_change_password IN (0, 1)),
    disabled             INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

-- No foreign key to agencies: loading a new directory replaces that table, and a grant on an
-- agency that left the directory simply covers nothing.
CREATE TABLE user_grants (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    PRIMARY KEY (user_id, role, agency_code)
);

CREATE TABLE sessions (
    -- Hex SHA-256 of the session token; the token itself lives only in the browser.
    id                  TEXT PRIMARY KEY NOT NULL,
    user_id             INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    last_seen_at        TEXT NOT NULL,
    idle_expires_at     TEXT NOT NULL,
    absolute_expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    -- Hex SHA-256 of the token.
    hash         TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked      INTEGER NOT NULL CHECK (revoked IN (0, 1))
);

-- hash = SHA-256(prev_hash || canonical JSON of the entry); see `src/audit.rs`.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

-- The chain's head, one row: every append updates it first, which serialises appends (on
-- SQLite the write transaction already does; on PostgreSQL the row lock does).
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
