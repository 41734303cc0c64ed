//! Skipping a test whose service is missing, so that it shows: under CI (`CI=true`) a missing
//! service fails the test instead; elsewhere the skip is written to standard error (not
//! through the harness's captured output) and, when `cargo xtask test` runs the tests, to the
//! file named by [`SKIP_LOG_VAR`], which it reads back to say how many tests skipped and why.

use std::io::Write;

/// The file `cargo xtask test` has each skip written to (one line: the test, then the reason).
pub const SKIP_LOG_VAR: &str = "DONGBO_TEST_SKIP_LOG";

/// Records that the running test skips (part of) what it checks for `reason`; panics with
/// the reason under CI. Call it, then return (or go on without the service).
pub fn skip(reason: &str) {
    assert!(
        !crate::in_ci(),
        "CI=true, so this test may not skip: {reason}. Run the tests with `cargo xtask test`, \
         which installs and starts what they need."
    );
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let _ = writeln!(std::io::stderr(), "\n!!! SKIPPED {test}: {reason}\n");
    if let Ok(path) = std::env::var(SKIP_LOG_VAR) {
        let line = format!("{test}\t{}\n", reason.replace(['\n', '\t'], " "));
        // Appends of one short line are whole even with other test processes appending.
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = file.write_all(line.as_bytes());
        }
    }
}
