-- Indicators with a target per year, and a direction a person may have to confirm (sqlite).
-- The other backend's migration of the same number does the same; `tests/schema.rs` checks
-- that they agree. See `src/indicators.rs` and `dongbo_domain::indicator`.

-- One target of an indicator for one year: an appendix split into sections by year ("I. Đến
-- năm 2025", "II. Đến năm 2030") gives the same indicator a target in each. `position` orders
-- them by year (a target without a year last); a heading row has none.
CREATE TABLE indicator_targets (
    id           INTEGER PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    year         INTEGER,
    target_text  TEXT NOT NULL,
    UNIQUE (indicator_id, position)
);

-- The one target each indicator had until now becomes its first.
INSERT INTO indicator_targets (indicator_id, position, year, target_text)
SELECT id, 0, target_year, target_text FROM indicators WHERE target_text <> '';

ALTER TABLE indicators DROP COLUMN target_text;
ALTER TABLE indicators DROP COLUMN target_year;

-- Whether the direction is sure (1) or a guess a person must confirm (0), and who confirmed
-- it (NULL when the importer inferred it). The directions stored so far were inferred from
-- words in the name, which judged a rate "lower is better" because its name said "vị trí":
-- every one of them but a qualitative one is a guess until confirmed or re-imported.
ALTER TABLE indicators ADD COLUMN direction_confirmed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE indicators ADD COLUMN direction_confirmed_by TEXT;
UPDATE indicators SET direction_confirmed = 1 WHERE direction = 'qualitative';
