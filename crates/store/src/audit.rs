//! The append-only, hash-chained audit log (issue 3).
