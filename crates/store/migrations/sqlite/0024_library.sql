-- The external-information library (issue 20) (sqlite). The other backend's migration of the
-- same number creates the same tables and columns; `tests/schema.rs` checks that they agree.
-- See `src/library/`.

-- The topic vocabulary: a tree, shipped from `data/library/topics.toml`, edited by admins.
CREATE TABLE library_topics (
    code        TEXT PRIMARY KEY,
    parent_code TEXT REFERENCES library_topics (code),
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    position    INTEGER NOT NULL
);

-- An item: a document, an article, a media product or a dataset. Lists (topics, countries,
-- audiences, the agencies a restricted item is visible to) are JSON text: the search index
-- filters by them, the database never does. `content_hash` is the SHA-256 of the normalised
-- body (NFC, lower case, one space): the same text is one item (unique when present).
-- `work_id` links translations: the items of one work share it (the first item's id).
-- AUTOINCREMENT: an id is never given again after its item is removed (reports cite items by
-- id, and a follower of the change feed must not mistake a new item for an old one).
CREATE TABLE library_items (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    title               TEXT NOT NULL,
    summary             TEXT NOT NULL,
    body                TEXT NOT NULL,
    language            TEXT NOT NULL,
    language_overridden INTEGER NOT NULL CHECK (language_overridden IN (0, 1)),
    kind                TEXT NOT NULL,
    owner_code          TEXT,
    author              TEXT,
    published_on        TEXT,
    event_on            TEXT,
    rights              TEXT,
    licence             TEXT,
    visibility          TEXT NOT NULL CHECK (visibility IN ('public', 'government', 'agencies')),
    visible_to          TEXT NOT NULL,
    topics              TEXT NOT NULL,
    countries           TEXT NOT NULL,
    audiences           TEXT NOT NULL,
    link_url            TEXT,
    content_hash        TEXT,
    work_id             INTEGER,
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    updated_by          TEXT NOT NULL
);
CREATE UNIQUE INDEX library_items_content_hash ON library_items (content_hash)
    WHERE content_hash IS NOT NULL;
CREATE INDEX library_items_work ON library_items (work_id) WHERE work_id IS NOT NULL;

-- Where an item came from: a system (an agency's code or a system's name) and its id there.
-- A re-send of the same (system, external_id) updates the same item.
CREATE TABLE library_provenances (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES library_items (id) ON DELETE CASCADE,
    system      TEXT NOT NULL,
    external_id TEXT,
    url         TEXT,
    file_name   TEXT,
    received_at TEXT NOT NULL,
    UNIQUE (system, external_id)
);
CREATE INDEX library_provenances_item ON library_provenances (item_id);

-- An item's files, kept by content with the evidence files (`src/evidence.rs`).
CREATE TABLE library_attachments (
    item_id     INTEGER NOT NULL REFERENCES library_items (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    sha256      TEXT NOT NULL REFERENCES evidence_files (sha256),
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    text_status TEXT NOT NULL CHECK (text_status IN ('text', 'no_text')),
    PRIMARY KEY (item_id, position)
);

-- The outbox and change feed: one row per item write, in the write's transaction. `seq` is
-- taken from `library_head`, whose row every writer locks first, so sequence numbers are
-- given in commit order, without gaps: a reader that has seen `seq` N has seen every change
-- up to N (an identity column alone could commit N+1 before N on PostgreSQL).
CREATE TABLE library_changes (
    seq     INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL,
    op      TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    at      TEXT NOT NULL
);

CREATE TABLE library_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL
);
INSERT INTO library_head (id, last_seq) VALUES (1, 0);
