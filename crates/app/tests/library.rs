//! `dongbo library import` as a user runs it: a folder of documents, then again (nothing
//! changes), a dry run of a catalogue, and a bad catalogue named by row and column.

use std::path::Path;
use std::process::{Command, Output};

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
fn a_folder_imports_once_a_catalogue_dry_runs_and_a_bad_row_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let folder = dir.path().join("tai-lieu");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("tin.html"),
        "<title>Tin đối ngoại</title><p>Việt Nam đăng cai hội nghị quốc tế.</p>",
    )
    .unwrap();
    std::fs::write(folder.join("ghi-chu.txt"), "Ghi chú cuộc họp giao ban.").unwrap();
    let folder_arg = folder.to_str().unwrap();

    let first = ok(&dongbo(&data, &["library", "import", folder_arg]));
    assert!(
        first.contains("created    tin.html: Tin đối ngoại"),
        "{first}"
    );
    assert!(
        first.contains("2 created, 0 updated, 0 unchanged, 0 duplicates merged"),
        "{first}"
    );
    let second = ok(&dongbo(&data, &["library", "import", folder_arg, "--json"]));
    let report: serde_json::Value = serde_json::from_str(&second).unwrap();
    assert_eq!(report["unchanged"], 2, "{report}");
    assert_eq!(report["created"], 0);

    let catalogue = dir.path().join("danh-muc.csv");
    std::fs::write(
        &catalogue,
        "title,kind,agency\nSách trắng,white_paper,BQP\nBài viết,article,KHONG-CO\n",
    )
    .unwrap();
    let bad = dongbo(
        &data,
        &[
            "library",
            "import",
            catalogue.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("danh-muc.csv: row 3, column «agency»: «KHONG-CO» is not an agency code"),
        "{stderr}"
    );
    std::fs::write(
        &catalogue,
        "title,kind,agency\nSách trắng,white_paper,BQP\n",
    )
    .unwrap();
    let dry = ok(&dongbo(
        &data,
        &[
            "library",
            "import",
            catalogue.to_str().unwrap(),
            "--dry-run",
        ],
    ));
    assert!(dry.contains("dry run, nothing stored: 1 created"), "{dry}");
    let real = ok(&dongbo(
        &data,
        &["library", "import", catalogue.to_str().unwrap()],
    ));
    assert!(real.contains("1 created"), "{real}");
    let check = ok(&dongbo(&data, &["check", "--json"]));
    assert!(check.contains("\"library\""), "{check}");
}
