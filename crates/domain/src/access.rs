//! Roles scoped to an agency subtree and what each may do (issue 3).
