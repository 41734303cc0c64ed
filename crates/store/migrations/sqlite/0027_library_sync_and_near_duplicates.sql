-- The library's sync between instances and its near-duplicates (issue 20) (sqlite). The other
-- backend's migration of the same number creates the same tables and columns; `tests/schema.rs`
-- checks that they agree. See `src/library/sync.rs` and `src/library/duplicates.rs`.

-- Another Đồng Bộ whose change feed this instance follows (`dongbo library sync URL`). Its
-- items are kept under provenance (`system`, the remote item's id). `cursor` is the last
-- remote change applied: it moves in the same transaction as the changes it covers.
CREATE TABLE library_followed (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL UNIQUE,
    system          TEXT NOT NULL UNIQUE,
    cursor          INTEGER NOT NULL,
    last_sync_at    TEXT,
    last_error      TEXT,
    upserts_applied INTEGER NOT NULL,
    deletes_applied INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);

-- An item's near-duplicate signature (`dongbo_domain::near_duplicate`: MinHash over the
-- 3-syllable shingles of its folded title and body, hexadecimal), written in the item's
-- transaction; an item without text has none. Its band keys are rows of
-- `library_fingerprint_bands`, so the items sharing a band are found by index.
CREATE TABLE library_fingerprints (
    item_id   INTEGER PRIMARY KEY REFERENCES library_items (id) ON DELETE CASCADE,
    signature TEXT NOT NULL
);

CREATE TABLE library_fingerprint_bands (
    item_id  INTEGER NOT NULL REFERENCES library_items (id) ON DELETE CASCADE,
    band     INTEGER NOT NULL,
    band_key INTEGER NOT NULL,
    PRIMARY KEY (item_id, band)
);
CREATE INDEX library_fingerprint_bands_key ON library_fingerprint_bands (band, band_key);

-- A pair of items proposed as near-duplicates (`item_a` < `item_b`), for a person to merge or
-- dismiss, with its estimated share of shingles in common (percent). A decided pair stays (a
-- dismissed pair is never proposed again); an open proposal is removed with either item.
CREATE TABLE library_duplicate_proposals (
    id          INTEGER PRIMARY KEY,
    item_a      INTEGER NOT NULL,
    item_b      INTEGER NOT NULL,
    similarity  INTEGER NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('proposed', 'merged', 'dismissed')),
    proposed_at TEXT NOT NULL,
    decided_by  TEXT,
    decided_at  TEXT,
    kept_item   INTEGER,
    CHECK (item_a < item_b),
    UNIQUE (item_a, item_b)
);
CREATE INDEX library_duplicate_proposals_state ON library_duplicate_proposals (state);
CREATE INDEX library_duplicate_proposals_b ON library_duplicate_proposals (item_b);
