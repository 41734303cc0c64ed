//! A database that refuses writes — a SQLite file opened read-only, a PostgreSQL database whose
//! sessions are read-only — and a full disk: reads still answer, every write is refused with
//! 503 and a message that says why (problem details on the API, a Vietnamese page on forms),
//! and nothing is changed or half-written: the tables are as before and the audit chain holds.

mod common;

use common::TestApp;
use dongbo_store::{Backend, Db, accounts, audit};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn token_for(app: &TestApp, username: &str, role: &str) -> String {
    app.user(username, role, "BVHTTDL", false).await;
    accounts::create_api_token(
        &app.db,
        "test",
        username,
        "test",
        dongbo_domain::clock::now(),
    )
    .await
    .expect("an API token")
    .token
}

/// Opens the app's database a second time, read-only: SQLite with `?mode=ro`; PostgreSQL after
/// `ALTER DATABASE … SET default_transaction_read_only = on`, which every new session obeys.
async fn read_only(app: &TestApp, url: &str) -> Db {
    let url = match app.db.backend() {
        Backend::Sqlite => format!("{url}?mode=ro"),
        Backend::Postgres => {
            let name: String = sqlx::query_scalar("SELECT current_database()::text")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
            let sql = format!("ALTER DATABASE \"{name}\" SET default_transaction_read_only = on");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(app.db.pool())
                .await
                .unwrap();
            url.to_owned()
        }
    };
    let db = Db::connect(&url)
        .await
        .expect("open the database read-only");
    // The schema is current: a read-only database is served for reading.
    db.migrate()
        .await
        .expect("migrate accepts a current read-only database");
    db
}

/// A submission's body with results `results`.
fn submission(period: &str, results: &str) -> Value {
    json!({"period": period, "results": results, "progress": 30})
}

async fn post(
    app: &TestApp,
    base: &str,
    path: &str,
    token: &str,
    body: &Value,
) -> reqwest::Response {
    app.client
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("a request")
}

/// A 503 with problem details whose detail says `says`.
async fn assert_refused(response: reqwest::Response, says: &str, backend: &str) {
    assert_eq!(
        response.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "on {backend}"
    );
    let problem: Value = response.json().await.expect("problem details");
    assert_eq!(
        problem["type"], "urn:dongbo:problem:unavailable",
        "{problem}"
    );
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(says), "on {backend}: {detail}");
    assert!(
        detail.contains("không bị thay đổi"),
        "nothing changed, said: {detail}"
    );
}

#[tokio::test]
async fn a_read_only_database_answers_reads_and_refuses_writes_with_503_changing_nothing() {
    for test_db in dongbo_testkit::all_backends().await {
        let url = test_db.url.clone();
        let app = TestApp::start(test_db).await;
        let reporter = token_for(&app, "bao.cao", "reporter").await;
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        let assignment = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        let submit = format!("/api/v1/assignments/{assignment}/reports/submit");
        let sent = post(
            &app,
            &app.base,
            &submit,
            &reporter,
            &submission("2025-M01", "Đã làm"),
        )
        .await;
        assert_eq!(sent.status(), 200, "on {}", app.backend);
        let (mut leader, csrf) = app.session("lanh.dao").await;
        let before = app.fingerprint().await;

        let db = read_only(&app, &url).await;
        let base = common::serve(
            db.clone(),
            dongbo_domain::Directory::bundled(),
            app.files.clone(),
        )
        .await;
        leader.base = base.clone();

        // Reads answer, through a token and a session whose last use cannot be recorded.
        let mine = app
            .client
            .get(format!("{base}/api/v1/my/assignments"))
            .bearer_auth(&reporter)
            .send()
            .await
            .unwrap();
        assert_eq!(mine.status(), 200, "on {}", app.backend);
        let page = leader
            .get(&format!("/assignments/{assignment}/report?period=2025-M01"))
            .await;
        assert_eq!(page.status(), 200, "on {}", app.backend);
        let page = page.text().await.unwrap();
        assert!(page.contains("Đã làm"), "the report reads");

        // Writes are refused, on the API and on the form.
        let refused = post(
            &app,
            &base,
            &submit,
            &reporter,
            &submission("2025-M02", "Mới"),
        )
        .await;
        assert_refused(refused, "chỉ cho đọc", &app.backend).await;
        let report_id: i64 = sqlx::query_scalar("SELECT id FROM progress_reports")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let response = leader
            .post_raw(
                &format!("/reports/{report_id}/review"),
                &[("csrf", &csrf), ("seen_version", "1"), ("action", "accept")],
            )
            .await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(
            status,
            StatusCode::SERVICE_UNAVAILABLE,
            "on {}: {text}",
            app.backend
        );
        assert!(text.contains("chỉ cho đọc"), "{text}");

        // Nothing changed, and the chain holds.
        db.close().await;
        if app.db.backend() == Backend::Postgres {
            // One session, made writable first: a new session of a read-only database is not.
            let mut session = app.db.pool().acquire().await.unwrap();
            sqlx::query("SET default_transaction_read_only = off")
                .execute(&mut *session)
                .await
                .unwrap();
            let name: String = sqlx::query_scalar("SELECT current_database()::text")
                .fetch_one(&mut *session)
                .await
                .unwrap();
            let sql = format!("ALTER DATABASE \"{name}\" RESET default_transaction_read_only");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *session)
                .await
                .unwrap();
        }
        assert_eq!(
            app.fingerprint().await.changed(&before),
            Vec::<String>::new()
        );
        assert!(audit::verify(&app.db).await.unwrap().is_intact());
    }
}

/// A small tmpfs mounted for the test, unmounted when dropped.
struct SmallDisk {
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    /// Mounts a tmpfs of `size` (as mount reads it, "48m"); `None`, loudly, when this process
    /// may not mount (not root) outside CI. Under CI, or as root, a failed mount fails the test.
    fn mount(size: &str) -> Option<SmallDisk> {
        let root = std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        });
        if !root {
            dongbo_testkit::skip::skip("the full-disk test mounts a small tmpfs, which needs root");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk");
        std::fs::create_dir(&path).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .status();
        assert!(
            mounted.as_ref().is_ok_and(|s| s.success()),
            "the full-disk test needs to mount a tmpfs (root and `mount`): {mounted:?}"
        );
        Some(SmallDisk { path, _dir: dir })
    }

    /// Fills the disk with one file until it is full; its path.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let filler = self.path.join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        let small = vec![0u8; 512];
        while file.write_all(&small).is_ok() {}
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.path)
            .status();
    }
}

/// The names of files in `folder` and its subfolders.
fn files_in(folder: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
        if entry.path().is_dir() {
            found.extend(files_in(&entry.path()));
        } else {
            found.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    found
}

#[tokio::test]
async fn a_full_disk_refuses_files_and_reports_with_503_and_leaves_nothing_half_written() {
    let Some(disk) = SmallDisk::mount("64m") else {
        return;
    };
    let folder = disk.path.join("data");
    let files = disk.path.join("files");
    let test_db = dongbo_testkit::TestDb::sqlite_in(&folder).await;
    let app = TestApp::start_in(test_db, files.clone()).await;
    let reporter = token_for(&app, "bao.cao", "reporter").await;
    let assignment = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
    let submit = format!("/api/v1/assignments/{assignment}/reports/submit");
    // An empty write-ahead log: the next write must grow it, on a disk with no room left.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(app.db.pool())
        .await
        .unwrap();
    let before = app.fingerprint().await;
    let filler = disk.fill();

    // A file upload: the evidence folder is full.
    let pdf = [
        b"%PDF-1.4\n".as_slice(),
        &vec![b'x'; 256 * 1024],
        b"\n%%EOF\n",
    ]
    .concat();
    let upload = app
        .client
        .post(format!(
            "{}/api/v1/assignments/{assignment}/files?name=bien-ban.pdf",
            app.base
        ))
        .bearer_auth(&reporter)
        .header("content-type", "application/pdf")
        .body(pdf.clone())
        .send()
        .await
        .unwrap();
    assert_refused(upload, "Hết chỗ lưu trữ", &app.backend).await;
    assert_eq!(
        files_in(&files),
        Vec::<String>::new(),
        "no partial file is left"
    );

    // A report: the database cannot grow.
    let long = "Kết quả thực hiện chi tiết. ".repeat(20_000);
    let refused = post(
        &app,
        &app.base,
        &submit,
        &reporter,
        &submission("2025-M01", &long),
    )
    .await;
    assert_refused(refused, "Hết chỗ lưu trữ", &app.backend).await;

    // Reads still answer on the full disk.
    let mine = app
        .client
        .get(format!("{}/api/v1/my/assignments", app.base))
        .bearer_auth(&reporter)
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status(), 200);

    // Room again: nothing was half-written, and the same writes now succeed on the same
    // server (its writer connection was left inside a transaction SQLite had ended).
    std::fs::remove_file(filler).unwrap();
    assert_eq!(
        app.fingerprint().await.changed(&before),
        Vec::<String>::new()
    );
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    let sent = post(
        &app,
        &app.base,
        &submit,
        &reporter,
        &submission("2025-M01", &long),
    )
    .await;
    assert_eq!(sent.status(), 200);
    assert!(audit::verify(&app.db).await.unwrap().is_intact());
    app.db.close().await;
}
