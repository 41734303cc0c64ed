//! How progress rolls up the cascade of plans (issue 3).
