-- A counter per program, raised in the same transaction as every write that changes what its
-- dashboard shows (postgres). A server may keep a program's dashboard facts in memory and reuse
-- them while the counter is unchanged: one indexed read instead of thousands of rows, and
-- never stale. The other backend's migration of the same number makes the same table.
CREATE TABLE program_versions (
    program_id BIGINT PRIMARY KEY REFERENCES programs (id) ON DELETE CASCADE,
    version    BIGINT NOT NULL
);
