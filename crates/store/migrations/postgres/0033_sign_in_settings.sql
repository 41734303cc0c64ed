-- How people sign in, as an administrator set it on the page (issue 21, point 3: requiring
-- the organisation's account without a server flag). PostgreSQL; the SQLite migration of the
-- same number makes the same table. One row at most; none until the page is first saved. The
-- server's flags still hold: `--require-sso` requires it whatever the row says, and the local
-- list is the flag's and the row's together.
CREATE TABLE sign_in_settings (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    -- 1: only the accounts of local_users keep a local password.
    require_sso SMALLINT NOT NULL CHECK (require_sso IN (0, 1)),
    -- The accounts that keep their local password, normalised, one per line.
    local_users TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
