-- Counters servers read on every page to know whether what they keep still holds: how many
-- units there are, and how often any program's structure changed. Kept by the writes that
-- change them, in the same transaction; counting rows instead cost a scan per page (over a
-- millisecond on PostgreSQL with 10,000 units).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) SELECT 'units', COUNT(*) FROM units;
INSERT INTO counters (name, value)
    SELECT 'structures', COALESCE(SUM(structure), 0) FROM program_versions;
