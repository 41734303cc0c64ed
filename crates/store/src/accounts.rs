//! Users, their roles and their sessions (issue 3).
