//! The `dongbo` binary as a user runs it: import, re-import, diffs, bad files, export round
//! trips and `serve`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SEED_47: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/programs/47-NQ-CP.txt"
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

fn dry_run_json(data_dir: &Path, file: &Path) -> serde_json::Value {
    let out = ok(&dongbo(
        data_dir,
        &["import", file.to_str().unwrap(), "--dry-run", "--json"],
    ));
    serde_json::from_str(&out).expect("JSON on stdout")
}

const SMALL_PLAN: &str = "\
# Kế hoạch số 12/KH-UBND

| STT | Tên nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian thực hiện |
|---|---|---|---|---|
| I | Tuyên truyền | | | |
| 1 | Phổ biến Nghị quyết 47/NQ-CP | Bộ Văn hóa, Thể thao và Du lịch | Bộ Ngoại giao | 2025 |
| 2 | Tổ chức hội nghị thông tin đối ngoại | Bộ Ngoại giao | các bộ, ngành, địa phương | Hằng năm |
";

#[test]
fn dry_run_json_prints_the_contract_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let json = dry_run_json(&data, Path::new(SEED_47));
    assert_eq!(json["document"]["number"], "47/NQ-CP");
    assert_eq!(json["document"]["kind"], "resolution");
    assert_eq!(json["document"]["issued_on"], "2024-04-15");
    assert_eq!(json["document"]["issuer"], "CP");
    let counts: Vec<u64> = json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["task_count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [2, 13, 21, 5, 15]);
    let tasks = json["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 56);
    let task = |code: &str| {
        tasks
            .iter()
            .find(|t| t["code"] == code)
            .unwrap_or_else(|| panic!("task {code}"))
    };
    assert_eq!(task("1.1")["time_frame"]["text"], "2024");
    assert_eq!(task("1.1")["coordinating"]["text"], "");
    assert_eq!(task("5.2")["time_frame"]["due"], "2030-12-31");
    assert_eq!(task("3.21")["group"], "3");
    for t in tasks {
        assert_eq!(
            t["lead"]["unresolved"],
            serde_json::json!([]),
            "task {}",
            t["code"]
        );
        assert_eq!(
            t["coordinating"]["unresolved"],
            serde_json::json!([]),
            "task {}",
            t["code"]
        );
        assert_ne!(t["time_frame"]["kind"], "unparsed", "task {}", t["code"]);
    }
    assert!(!data.exists(), "a dry run creates no data folder");
}

#[test]
fn importing_the_same_file_twice_changes_nothing_and_a_changed_file_shows_its_diff() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let plan = dir.path().join("ke-hoach.md");
    std::fs::write(&plan, SMALL_PLAN).unwrap();

    let first = ok(&dongbo(&data, &["import", plan.to_str().unwrap()]));
    assert!(first.starts_with("imported"), "{first}");
    let second = ok(&dongbo(&data, &["import", plan.to_str().unwrap()]));
    assert!(second.starts_with("unchanged"), "{second}");

    std::fs::write(
        &plan,
        SMALL_PLAN.replace("Tổ chức hội nghị", "Tổ chức diễn đàn"),
    )
    .unwrap();
    let third = ok(&dongbo(&data, &["import", plan.to_str().unwrap()]));
    assert!(third.contains("changes to program"), "{third}");
    assert!(
        third.contains("Tổ chức diễn đàn thông tin đối ngoại"),
        "{third}"
    );

    let exported = ok(&dongbo(&data, &["export", "12/KH-UBND", "--format", "md"]));
    assert!(exported.contains("Tổ chức diễn đàn thông tin đối ngoại"));
    assert!(!exported.contains("Tổ chức hội nghị"));
}

#[test]
fn a_bad_file_names_the_row_and_column_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "STT,Tên nhiệm vụ,Cơ quan chủ trì,Cơ quan phối hợp,Thời gian thực hiện\n1,Nhóm một,,,\n1.1,,Bộ Ngoại giao,,2025\n",
    )
    .unwrap();
    let output = dongbo(&data, &["import", bad.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.csv"), "{stderr}");
    assert!(stderr.contains("row 3"), "{stderr}");
    assert!(stderr.contains("nothing was stored"), "{stderr}");
    assert!(!data.exists(), "a failed import creates nothing");
}

/// A workbook of 1.6 KB whose two cells are A1 and XFD1048576: read as a dense range it would
/// be 17 billion cells.
fn tiny_far_cell_xlsx() -> Vec<u8> {
    use std::io::Write;
    let parts = [
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        (
            "xl/worksheets/sheet1.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData></worksheet>"#,
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn a_tiny_workbook_with_a_far_cell_is_refused_with_a_message_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("tiny-far-cell.xlsx");
    std::fs::write(&file, tiny_far_cell_xlsx()).unwrap();
    let output = dongbo(&data, &["import", file.to_str().unwrap(), "--dry-run"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "tiny-far-cell.xlsx: sheet «Sheet1», cell XFD1048576: past the limit of 10,000 rows"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was stored"), "{stderr}");
}

#[test]
fn a_file_past_the_size_limit_is_refused_from_its_size_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("huge.csv");
    // A sparse file: 1 GiB long, no disk blocks, never read.
    std::fs::File::create(&file)
        .unwrap()
        .set_len(1024 * 1024 * 1024)
        .unwrap();
    let output = dongbo(&data, &["import", file.to_str().unwrap(), "--dry-run"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("huge.csv: the file has 1024 MiB"),
        "{stderr}"
    );
    assert!(stderr.contains("the limit of 20 MiB"), "{stderr}");
    assert!(stderr.contains("nothing was stored"), "{stderr}");
}

#[test]
fn exporting_47_to_markdown_csv_and_xlsx_and_importing_again_gives_the_same_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let original = dry_run_json(&data, Path::new(SEED_47));
    for format in ["md", "csv", "xlsx"] {
        let file: PathBuf = dir.path().join(format!("47.{format}"));
        ok(&dongbo(
            &data,
            &[
                "export",
                "47/NQ-CP",
                "--format",
                format,
                "--output",
                file.to_str().unwrap(),
            ],
        ));
        let again = dry_run_json(&data, &file);
        assert_eq!(
            without_sources(&again["tasks"]),
            without_sources(&original["tasks"]),
            "tasks after a {format} round trip"
        );
        assert_eq!(
            again["groups"], original["groups"],
            "groups after a {format} round trip"
        );
        assert_eq!(again["document"]["number"], "47/NQ-CP");
    }
}

/// The tasks with their `source` (the line or row they came from) left out: an exported file
/// lays the table out differently, so only the positions may change in a round trip.
fn without_sources(tasks: &serde_json::Value) -> Vec<serde_json::Value> {
    let tasks = tasks.as_array().expect("tasks is an array");
    assert!(!tasks.is_empty(), "the import found tasks");
    tasks
        .iter()
        .map(|task| {
            let mut task = task.clone();
            let source = task.as_object_mut().unwrap().remove("source");
            assert!(source.is_some(), "every task says where it came from");
            task
        })
        .collect()
}

#[test]
fn serve_creates_the_data_folder_and_answers_healthz() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dongbo"))
        .arg("--data-dir")
        .arg(&data)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env_remove("DONGBO_DATABASE_URL")
        .spawn()
        .unwrap();
    let mut answer = String::new();
    for _ in 0..600 {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            stream
                .write_all(b"GET /api/v1/programs/1/tasks/2.1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            stream.read_to_string(&mut answer).unwrap();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("Tổng kết, đánh giá Nghị định số 72/2015/NĐ-CP"),
        "bundled program loaded on first run"
    );
    // Its tasks are assigned, and 47/NQ-CP's external information follows the ended
    // Ministry of Information and Communications to Culture, Sports and Tourism.
    assert!(
        answer.contains(
            r#""role":"lead","origins":[{"role":"lead","via_set":null,"original":{"code":"BTTTT""#
        ),
        "{answer}"
    );
    assert!(answer.contains(r#""agency":{"code":"BVHTTDL""#), "{answer}");
    assert!(data.join("dongbo.db").exists());
}

#[test]
fn cli_imports_into_postgresql_when_given_a_database_url() {
    let Some(url) = dongbo_testkit::postgres_database_url() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("ke-hoach.md");
    std::fs::write(&plan, SMALL_PLAN).unwrap();
    let run = |args: &[&str]| {
        ok(&Command::new(env!("CARGO_BIN_EXE_dongbo"))
            .arg("--data-dir")
            .arg(dir.path().join("unused"))
            .args(["--database-url", &url])
            .args(args)
            .env("DONGBO_LOG", "warn")
            .output()
            .unwrap())
    };
    assert!(run(&["import", plan.to_str().unwrap()]).starts_with("imported"));
    assert!(run(&["import", plan.to_str().unwrap()]).starts_with("unchanged"));
    assert!(
        !dir.path().join("unused").exists(),
        "no SQLite folder when PostgreSQL is used"
    );
}

const DRAFT_APPENDIX: &str = "\
PHỤ LỤC

CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ THỰC HIỆN NGHỊ QUYẾT SỐ 66-NQ/TW NGÀY 30 THÁNG 4 NĂM 2025 CỦA BỘ CHÍNH TRỊ

(Kèm theo Nghị quyết số        /NQ-CP ngày     tháng     năm 2025 của Chính phủ)

| STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |
|---|---|---|---|---|
| I | HOÀN THIỆN THỂ CHẾ | | | |
| 1. | Rà soát hệ thống pháp luật | Bộ Tư pháp | Các bộ, ngành, địa phương | Năm 2025 |
| II | TỔ CHỨC THI HÀNH | | | |
| 2. | Tăng cường kiểm tra việc thi hành pháp luật | Bộ Tư pháp | Bộ Nội vụ | Hằng năm |
";

#[test]
fn a_draft_with_a_blank_number_is_stored_only_with_the_number_the_user_gives() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("du-thao.md");
    std::fs::write(&file, DRAFT_APPENDIX).unwrap();
    let path = file.to_str().unwrap();

    let json = dry_run_json(&data, &file);
    assert_eq!(json["document"]["number"], serde_json::Value::Null);
    assert_eq!(json["document"]["implements"][0], "66-NQ/TW");
    assert_eq!(json["number_left_blank"], true);
    let codes: Vec<(&str, &str)> = json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["code"].as_str().unwrap(), t["group"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, [("1", "I"), ("2", "II")]);
    assert!(
        json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("--number"))
    );

    let refused = dongbo(&data, &["import", path]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("du-thao.md"), "{stderr}");
    assert!(stderr.contains("--number"), "{stderr}");
    assert!(stderr.contains("nothing was stored"), "{stderr}");
    let implemented = dongbo(&data, &["export", "66-NQ/TW", "--format", "md"]);
    assert!(
        !implemented.status.success(),
        "the implemented number names no program"
    );

    let not_a_number = dongbo(&data, &["import", path, "--number", "ba"]);
    assert!(!not_a_number.status.success());
    assert!(String::from_utf8_lossy(&not_a_number.stderr).contains("not a document number"));

    let stored = ok(&dongbo(&data, &["import", path, "--number", "71/NQ-CP"]));
    assert!(
        stored.starts_with("imported 71/NQ-CP: 2 tasks in 2 groups"),
        "{stored}"
    );
    let again = ok(&dongbo(&data, &["import", path, "--number", "71/NQ-CP"]));
    assert!(again.starts_with("unchanged"), "{again}");
}

/// Approves, straight in the data folder's database, a retime of 3.21, a drop of 5.2 and an
/// amend of 1.1's title, as the coordinating ministry would on the change-request pages.
fn approve_changes_to_47(data_dir: &Path) {
    use dongbo_store::changes::{self, ChangeKind, NewChange, Proposal};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let db = dongbo_store::Db::connect(&dongbo_store::Db::default_url(data_dir))
            .await
            .unwrap();
        let program = dongbo_store::programs::find_by_number(&db, "47/NQ-CP")
            .await
            .unwrap()
            .unwrap();
        let directory = dongbo_domain::Directory::bundled();
        let proposals = [
            (
                "3.21",
                ChangeKind::Retime,
                Proposal {
                    time_frame: Some("Quý II/2027".into()),
                    ..Proposal::default()
                },
            ),
            ("5.2", ChangeKind::Drop, Proposal::default()),
            (
                "1.1",
                ChangeKind::Amend,
                Proposal {
                    title: Some("Quán triệt Chương trình hành động (đã điều chỉnh)".into()),
                    ..Proposal::default()
                },
            ),
        ];
        for (code, kind, proposal) in proposals {
            let id = changes::propose(
                &db,
                &NewChange {
                    program_id: program,
                    task_code: Some(code.to_owned()),
                    kind,
                    proposed_by_agency: "BNG".to_owned(),
                    proposed_by: "bng.planner".to_owned(),
                    reason: "Điều chỉnh theo tình hình thực tế".to_owned(),
                    proposal,
                },
            )
            .await
            .unwrap();
            changes::approve(
                &db,
                id,
                "cp.coordinator",
                "Quyết định số 12/QĐ-BVHTTDL",
                &directory,
            )
            .await
            .unwrap();
        }
        db.close().await;
    });
}

/// 3.21's time frame, whether 5.2 is in the program, 1.1's title, and the audited overrides.
fn stored_47(data_dir: &Path) -> (String, bool, String, Vec<(String, String)>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let db = dongbo_store::Db::connect(&dongbo_store::Db::default_url(data_dir))
            .await
            .unwrap();
        let program = dongbo_store::programs::find_by_number(&db, "47/NQ-CP")
            .await
            .unwrap()
            .unwrap();
        let task = |code: &'static str| {
            let db = db.clone();
            async move { dongbo_store::tasks::get(&db, program, code).await.unwrap() }
        };
        let retimed = task("3.21").await.unwrap().time_frame.text;
        let dropped_is_there = task("5.2").await.is_some();
        let title = task("1.1").await.unwrap().title;
        let overrides = dongbo_store::audit::list(
            &db,
            &dongbo_store::AuditFilter {
                action: Some("program.reimport_override".to_owned()),
                ..dongbo_store::AuditFilter::default()
            },
            100,
            0,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.actor, e.before_json.unwrap_or_default()))
        .collect();
        db.close().await;
        (retimed, dropped_is_there, title, overrides)
    })
}

#[test]
fn a_reimport_lists_its_conflicts_keeps_approved_changes_and_accept_file_overrides_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let seed = Path::new(SEED_47);
    let file = seed.to_str().unwrap();
    assert!(ok(&dongbo(&data, &["import", file])).starts_with("imported"));
    let (original_time_frame, _, original_title, _) = stored_47(&data);
    approve_changes_to_47(&data);

    // The dry run lists each conflict with both values, its decision and its date; the
    // contract's fields are the file's.
    let json = dry_run_json(&data, seed);
    assert_eq!(json["tasks"].as_array().unwrap().len(), 56);
    let conflicts = json["conflicts"].as_array().expect("a conflicts field");
    let listed: Vec<(&str, &str, &str, &str)> = conflicts
        .iter()
        .map(|c| {
            (
                c["task_code"].as_str().unwrap(),
                c["field"].as_str().unwrap(),
                c["kind"].as_str().unwrap(),
                c["settled"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("1.1", "title", "amend", "kept_decision"),
            ("3.21", "time_frame", "retime", "kept_decision"),
            ("5.2", "task", "drop", "kept_decision"),
        ]
    );
    let retime = &conflicts[1];
    assert_eq!(retime["file"], original_time_frame.as_str());
    assert_eq!(retime["decided"], "Quý II/2027");
    assert_eq!(retime["decision_note"], "Quyết định số 12/QĐ-BVHTTDL");
    assert!(retime["change_request_id"].as_i64().is_some());
    assert!(retime["decided_on"].as_str().is_some(), "{retime}");

    let text = ok(&dongbo(&data, &["import", file, "--dry-run"]));
    let line = text
        .lines()
        .find(|l| l.starts_with("! task 3.21 time_frame:"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains(&format!("the file says «{original_time_frame}»"))
            && line.contains("(retime), approved on ")
            && line.contains("by cp.coordinator («Quyết định số 12/QĐ-BVHTTDL»)")
            && line.contains("made it «Quý II/2027»: kept the approved change"),
        "{line}"
    );

    // Importing the file again keeps every approved change.
    let again = ok(&dongbo(&data, &["import", file]));
    assert!(again.starts_with("unchanged"), "{again}");
    assert_eq!(
        again.matches("kept the approved change").count(),
        3,
        "{again}"
    );
    let (time_frame, dropped_is_there, title, overrides) = stored_47(&data);
    assert_eq!(time_frame, "Quý II/2027");
    assert!(!dropped_is_there);
    assert_eq!(title, "Quán triệt Chương trình hành động (đã điều chỉnh)");
    assert!(overrides.is_empty());

    // --accept-file takes the file's values, each override audited.
    let answer: serde_json::Value = serde_json::from_str(&ok(&dongbo(
        &data,
        &["import", file, "--accept-file", "--json"],
    )))
    .unwrap();
    assert_eq!(answer["outcome"], "updated");
    let settled: Vec<&str> = answer["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["settled"].as_str().unwrap())
        .collect();
    assert_eq!(settled, ["took_file", "took_file", "took_file"]);
    let (time_frame, dropped_is_there, title, overrides) = stored_47(&data);
    assert_eq!(time_frame, original_time_frame);
    assert!(dropped_is_there);
    assert_eq!(title, original_title);
    assert_eq!(overrides.len(), 3, "{overrides:?}");
    assert!(overrides.iter().all(|(actor, _)| actor == "cli"));
    assert!(
        overrides
            .iter()
            .any(|(_, before)| before.contains(r#""task_code":"3.21""#)
                && before.contains(r#""field":"time_frame""#)),
        "{overrides:?}"
    );
}
