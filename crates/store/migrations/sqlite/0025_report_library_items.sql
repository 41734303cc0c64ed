-- Library items a progress report cites as its evidence (issue 20, point 4): per version, in
-- the order the author gave them, like its links. The item may be deleted from the library
-- later; the report keeps what it cited (no foreign key: a version never changes).
CREATE TABLE report_library_items (
    report_id INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    item_id   INTEGER NOT NULL,
    PRIMARY KEY (report_id, version, position),
    FOREIGN KEY (report_id, version) REFERENCES report_versions (report_id, version)
        ON DELETE CASCADE
);

-- An item's page lists the reports that cite it.
CREATE INDEX report_library_items_by_item ON report_library_items (item_id);
