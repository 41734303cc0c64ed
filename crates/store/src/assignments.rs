//! Assignments: one agency's responsibility for one task (issue 3).
