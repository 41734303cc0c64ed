//! Progress reports with their versions and review (issue 3).
