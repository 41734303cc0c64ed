//! Agency plans: programs derived from a parent program (issue 3).
