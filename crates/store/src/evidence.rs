//! Evidence files, stored by content (issue 3).
