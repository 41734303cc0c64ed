-- Roll-up of progress along the cascade (postgres); see `crate::dashboard`. The other backend's
-- migration of the same number makes the same columns; `tests/schema.rs` checks.

-- How a program rolls its tasks' progress up from plan tasks: 'weighted' or 'average'
-- (`dongbo_domain::rollup::RollupRule`).
ALTER TABLE programs ADD COLUMN rollup_rule TEXT NOT NULL DEFAULT 'weighted';
-- The weight of a plan task in its parent task's roll-up.
ALTER TABLE task_links ADD COLUMN weight BIGINT NOT NULL DEFAULT 1;
-- The progress rolled up from the agency's plan tasks carrying this assignment's task out,
-- and a person's override of the assignment's progress, with who and why.
ALTER TABLE assignment_progress ADD COLUMN rolled_progress BIGINT;
ALTER TABLE assignment_progress ADD COLUMN manual_progress BIGINT;
ALTER TABLE assignment_progress ADD COLUMN manual_by TEXT;
ALTER TABLE assignment_progress ADD COLUMN manual_reason TEXT;
