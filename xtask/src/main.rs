//! Project tasks, run as `cargo xtask <task>`:
//!
//! - `test`: installs and starts what the tests need when it is missing (a throwaway PostgreSQL
//!   cluster and an SMTP server writing to a maildir, both on loopback, Debian's Chromium and
//!   ChromeDriver, Debian's LibreOffice Writer, `openapi-spec-validator` from PyPI), then checks
//!   formatting and lints and runs every test. Under `CI=true` a service that cannot be had is
//!   an error, never a skip.
//! - `bench`: builds in release mode and measures the figures `BENCHMARKS.md` records.
#![forbid(unsafe_code)]

mod bench;
mod services;

use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <test|bench> [args passed to the test runner]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether we run under CI, where a missing service fails the run instead of skipping tests.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn test(extra: &[String]) -> Result<()> {
    let postgres = services::Postgres::start_or_skip()?;
    let smtp = services::Smtp::start_or_skip()?;
    let ldap = services::Ldap::start_or_skip()?;
    let oidc = services::Oidc::start_or_skip()?;
    let browser = services::ensure_browser()?;
    let soffice = services::ensure_soffice()?;
    services::ensure_poppler()?;
    let openapi_validator = services::ensure_openapi_validator()?;

    run(Command::new("cargo").args(["fmt", "--all", "--", "--check"]))
        .context("formatting differs: run `cargo fmt --all`")?;
    run(Command::new("cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))
    .context("clippy found problems")?;
    run(Command::new("cargo")
        .args(["doc", "--workspace", "--no-deps", "--locked"])
        .env("RUSTDOCFLAGS", "-D warnings"))
    .context("the API documentation has broken links or other rustdoc warnings")?;

    let mut tests = if services::have_nextest() {
        let mut c = Command::new("cargo");
        c.args([
            "nextest",
            "run",
            "--workspace",
            "--locked",
            "--no-fail-fast",
        ]);
        c
    } else {
        let mut c = Command::new("cargo");
        c.args(["test", "--workspace", "--locked", "--no-fail-fast"]);
        c
    };
    tests.args(extra);
    if let Some(pg) = &postgres {
        tests.env("DONGBO_TEST_POSTGRES_URL", pg.url());
    }
    if let Some(smtp) = &smtp {
        tests.env("DONGBO_TEST_SMTP", smtp.address());
        tests.env("DONGBO_TEST_SMTP_MAILDIR", smtp.maildir());
    }
    if let Some(ldap) = &ldap {
        tests.env("DONGBO_TEST_LDAP_URL", ldap.url());
        tests.env("DONGBO_TEST_LDAP_BASE", services::LDAP_BASE);
    }
    if let Some(oidc) = &oidc {
        tests.env("DONGBO_TEST_OIDC_ISSUER", oidc.issuer());
    }
    if let Some(browser) = &browser {
        tests.env("DONGBO_TEST_CHROMEDRIVER", &browser.chromedriver);
        tests.env("DONGBO_TEST_CHROMIUM", &browser.chromium);
    }
    if let Some(soffice) = &soffice {
        tests.env("DONGBO_TEST_SOFFICE", soffice);
    }
    if let Some(validator) = &openapi_validator {
        tests.env("DONGBO_TEST_OPENAPI_VALIDATOR", validator);
    }
    // Each test that skips for a missing service writes a line here (dongbo_testkit::skip):
    // said at the end, since the test runner shows only failing tests' output.
    let skip_log = std::env::current_dir()?.join("target/test-skips.log");
    std::fs::create_dir_all(skip_log.parent().unwrap_or(&skip_log))?;
    let _ = std::fs::remove_file(&skip_log);
    tests.env("DONGBO_TEST_SKIP_LOG", &skip_log);
    let outcome = run(&mut tests).context("tests failed");
    report_skips(&skip_log);
    drop(ldap);
    drop(smtp);
    drop(postgres);
    outcome
}

/// Says how many tests skipped part or all of what they check, and why (grouped by reason).
fn report_skips(log: &std::path::Path) {
    let Ok(text) = std::fs::read_to_string(log) else {
        println!("xtask: no test skipped");
        return;
    };
    let mut by_reason: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for line in text.lines() {
        let (test, reason) = line.split_once('\t').unwrap_or((line, ""));
        by_reason.entry(reason).or_default().push(test);
    }
    let count: usize = by_reason.values().map(Vec::len).sum();
    println!("xtask: {count} tests skipped part or all of what they check:");
    for (reason, tests) in &by_reason {
        println!("  {} × {reason}", tests.len());
        for test in tests.iter().take(5) {
            println!("      {test}");
        }
        if tests.len() > 5 {
            println!("      … and {} more", tests.len() - 5);
        }
    }
}

/// Runs a command with inherited output and fails when it fails.
pub fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("could not start {command:?}"))?;
    if !status.success() {
        bail!("{command:?} exited with {status}");
    }
    Ok(())
}
