-- The library's pull sources (issue 20, "Pull") (sqlite). The other backend's migration of the
-- same number creates the same tables and columns; `tests/schema.rs` checks that they agree.
-- See `src/library/sources.rs`.

-- A source: an agency's site feed (RSS, Atom, JSON Feed) or sitemap, polled on a schedule.
-- `etag` and `last_modified` are the validators of the last answer (a conditional GET sends
-- them back); `failures` counts failed polls in a row, each doubling the wait to
-- `next_poll_at` up to a cap, and past the limit the source is disabled (`disabled_at`,
-- `disabled_reason`) until an administrator enables it again. A server claims a due source by
-- moving `next_poll_at` forward in a conditional update, so two servers never poll one source
-- at once. Times are RFC 3339 UTC text of one width (they compare as text).
CREATE TABLE library_sources (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_code      TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('feed', 'sitemap')),
    url             TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    poll_minutes    INTEGER NOT NULL CHECK (poll_minutes > 0),
    etag            TEXT,
    last_modified   TEXT,
    last_polled_at  TEXT,
    last_status     INTEGER,
    last_error      TEXT,
    failures        INTEGER NOT NULL,
    next_poll_at    TEXT NOT NULL,
    disabled_at     TEXT,
    disabled_reason TEXT,
    items_created   INTEGER NOT NULL,
    items_updated   INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL
);
CREATE INDEX library_sources_due ON library_sources (next_poll_at) WHERE disabled_at IS NULL;

-- What a source's entry looked like when it was last stored (a digest of its id, link, title,
-- dates and text): an entry seen again unchanged is neither fetched nor written again; an
-- edited one is. Written in the entry's item's transaction.
CREATE TABLE library_source_entries (
    source_id   INTEGER NOT NULL REFERENCES library_sources (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    item_id     INTEGER NOT NULL,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (source_id, external_id)
);
