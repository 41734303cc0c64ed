-- Failed logins counted in the database (issue 17), so that every server on one database sees
-- the same counts: a throttle per client address, and a lockout per (account, address) with
-- exponential back-off, so a stranger failing on an account from their own address does not
-- lock its owner out from theirs. The PostgreSQL migration of the same number is the same.
-- See `src/login_attempts.rs`.

-- Failed logins from one source (an IPv4 address, or an IPv6 /64) in the current window.
CREATE TABLE login_throttle (
    source       TEXT PRIMARY KEY NOT NULL,
    window_start TEXT NOT NULL,
    failures     INTEGER NOT NULL
);
CREATE INDEX login_throttle_window ON login_throttle (window_start);

-- Failed logins in a row on one account from one source, and its lock.
CREATE TABLE login_lockouts (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source       TEXT NOT NULL,
    -- Failures since the last success or the last lock.
    failures     INTEGER NOT NULL,
    -- Locks in a row: the next lock lasts twice as long (up to a cap).
    locks        INTEGER NOT NULL,
    locked_until TEXT,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, source)
);
CREATE INDEX login_lockouts_updated ON login_lockouts (updated_at);

-- The account-wide count and lock are replaced by the tables above: anyone could lock any
-- account with them.
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
