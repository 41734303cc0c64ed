-- Who may read the items a pull source makes (issue 20) (sqlite). The other backend's migration of
-- the same number adds the same columns; `tests/schema.rs` checks that they agree.
-- See `src/library/sources.rs`.

-- Until now every entry of every source became a public item: right for an agency's public
-- website, a leak for a feed on its intranet. A source now carries the visibility its items
-- get, like an item's own (`visible_to` is the JSON list of agency codes of an `agencies`
-- source). The sources registered before keep what they did: public.
ALTER TABLE library_sources ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'
    CHECK (visibility IN ('public', 'government', 'agencies'));
ALTER TABLE library_sources ADD COLUMN visible_to TEXT NOT NULL DEFAULT '[]';
