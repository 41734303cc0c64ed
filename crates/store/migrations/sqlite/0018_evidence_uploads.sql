-- Who uploaded each evidence file (issue 17): a file may be cited in a report only by someone
-- who uploaded it or who may read a report already citing it. Citing by hash alone let a
-- reporter borrow, then download, another agency's file. Files stored before this migration
-- have no uploader: they stay citable by those who may read a report that cites them.
CREATE TABLE evidence_uploads (
    sha256      TEXT NOT NULL REFERENCES evidence_files (sha256),
    username    TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (sha256, username)
);
