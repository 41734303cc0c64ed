//! The reminder timing flags of `dongbo serve` (`--remind-before`, `--remind-every`): refused
//! with clap's clear errors when wrong, and handed to the reminder runner when right.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// `text` without terminal colour codes (`ESC [ … m`).
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn serve_with(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_dongbo"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("DONGBO_DATABASE_URL")
        .env_remove("DONGBO_REMIND_BEFORE")
        .env_remove("DONGBO_REMIND_EVERY")
        .output()
        .unwrap()
}

#[test]
fn wrong_reminder_timings_are_refused_by_the_command_line_with_the_reason() {
    let cases = [
        (
            &["--remind-before", "7,x"][..],
            "invalid value '7,x' for '--remind-before <DAYS>': «x» is not a number of days",
        ),
        (
            &["--remind-before", "400"][..],
            "400 days is more than the 366 days a lead time may be",
        ),
        (&["--remind-before", "7,1,7"][..], "7 days is given twice"),
        (&["--remind-before", ""][..], "no lead time given"),
        (
            &["--remind-every", "0"][..],
            "invalid value '0' for '--remind-every <SECONDS>'",
        ),
    ];
    for (args, message) in cases {
        let output = serve_with(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(plain(&stderr).contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn serve_hands_the_reminder_lead_times_and_interval_to_the_runner() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dongbo"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(["--remind-before", "7, 1", "--remind-every", "5"])
        .env_remove("DONGBO_DATABASE_URL")
        .env("DONGBO_LOG", "info,sqlx=warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut started = None;
    for line in BufReader::new(stderr).lines() {
        let line = plain(&line.unwrap());
        if line.contains("reminder runner started") {
            started = Some(line);
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let started = started.expect("the reminder runner starts with the server");
    assert!(started.contains("lead_days=[7, 1]"), "{started}");
    assert!(started.contains("interval_s=5"), "{started}");
}
