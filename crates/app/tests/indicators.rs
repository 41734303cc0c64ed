//! `dongbo indicators import` as a user runs it: dry run, import, re-import, a bad file.

use std::path::Path;
use std::process::{Command, Output};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../import/tests/fixtures/indicators.md"
);

fn dongbo(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dongbo"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DONGBO_DATABASE_URL")
        .env("DONGBO_LOG", "warn")
        .output()
        .expect("run dongbo")
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "dongbo failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn indicators_import_into_47_once_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let dry = ok(&dongbo(
        &data,
        &["indicators", "import", "47/NQ-CP", FIXTURE, "--dry-run"],
    ));
    assert!(
        dry.contains(
            "5.2 Chỉ số Thương hiệu quốc gia — ≤ 3 Đông Nam Á; ≤ 50 Thế giới (2030) [lower]"
        ),
        "{dry}"
    );
    assert!(
        dry.contains("8 indicators (dry run: nothing stored)"),
        "{dry}"
    );

    // The dry run stored nothing: the first import adds all eight.
    let first = ok(&dongbo(
        &data,
        &["indicators", "import", "47/NQ-CP", FIXTURE],
    ));
    assert!(
        first.contains(": 8 added, 0 changed, 0 unchanged"),
        "{first}"
    );
    let second = ok(&dongbo(
        &data,
        &["indicators", "import", "47/NQ-CP", FIXTURE],
    ));
    assert!(
        second.contains(": 0 added, 0 changed, 8 unchanged"),
        "{second}"
    );
}

#[test]
fn a_bad_indicator_file_names_the_row_and_cell_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bad = dir.path().join("chi-tieu.md");
    let text = std::fs::read_to_string(FIXTURE)
        .unwrap()
        .replace("| > 0,7 |", "| > abc |");
    std::fs::write(&bad, text).unwrap();
    let output = dongbo(
        &data,
        &["indicators", "import", "47/NQ-CP", bad.to_str().unwrap()],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("chi-tieu.md: line 8, column 6 «Kết quả / Mục tiêu»"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was stored"), "{stderr}");
    // Rows before the bad one were not stored either.
    let good = ok(&dongbo(
        &data,
        &["indicators", "import", "47/NQ-CP", FIXTURE],
    ));
    assert!(good.contains(": 8 added"), "{good}");

    let unknown = dongbo(&data, &["indicators", "import", "99/NQ-CP", FIXTURE]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("99/NQ-CP"));
}
