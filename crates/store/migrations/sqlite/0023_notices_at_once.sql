-- Notices at once, and review you can trust (issue 19, points 3 and 4) (sqlite). The other
-- backend's migration of the same number does the same; `tests/schema.rs` checks that they
-- agree. See `src/notifications.rs`.

-- What a notice is about ("report:12", "change:4"): a later event on the same subject (a
-- report returned, then accepted) marks the earlier notices `resolved_at`, so a notice that
-- no longer applies is shown as such instead of as news.
ALTER TABLE notifications ADD COLUMN subject TEXT;
ALTER TABLE notifications ADD COLUMN resolved_at TEXT;
CREATE INDEX notifications_by_subject ON notifications (subject);

-- A reminder kept for one user (who reads their e-mail once a day) rather than for the whole
-- agency: an urgent notice already e-mailed to the agency waits for that user's daily digest.
ALTER TABLE reminders ADD COLUMN user_id INTEGER;

-- Where a user wants their agency's notices e-mailed, and how often: 'immediate' (urgent
-- events within a minute, the rest in the daily digest) or 'daily' (everything in the daily
-- digest).
CREATE TABLE user_email_settings (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    cadence    TEXT NOT NULL CHECK (cadence IN ('immediate', 'daily')),
    updated_at TEXT NOT NULL
);
