-- The library topics a task is about (issue 20, "a task's page shows … items tagged with its
-- topics") (sqlite). The other backend's migration of the same number creates the same table;
-- `tests/schema.rs` checks that they agree. See `src/library/topics.rs`.

-- Set by the program's coordinator on the task's page; `topics` is the JSON list of topic
-- codes, possibly empty (a task tagged with nothing on purpose). A task without a row is about
-- its group's topics as `data/library/topics.toml` ships them. Keyed by the task's code, so a
-- re-import that keeps the code keeps its topics.
CREATE TABLE task_topics (
    program_id INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    task_code  TEXT NOT NULL,
    topics     TEXT NOT NULL,
    set_at     TEXT NOT NULL,
    set_by     TEXT NOT NULL,
    PRIMARY KEY (program_id, task_code)
);
