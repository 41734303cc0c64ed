//! `dongbo backup`, `dongbo restore` and `dongbo check` as an operator runs them, on SQLite and
//! on PostgreSQL: a round trip through the binary, damaged backups and occupied targets
//! refused, and broken data named with a non-zero exit.

use std::path::Path;
use std::process::{Command, Output};

use dongbo_store::{Backend, Db};
use dongbo_testkit::activity::{self, Site};

/// Runs `dongbo` on the data folder `data_dir` and, when given, the database `url`.
fn dongbo(data_dir: &Path, url: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dongbo"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DONGBO_DATABASE_URL")
        .env("DONGBO_LOG", "warn");
    if let Some(url) = url {
        command.args(["--database-url", url]);
    }
    command.output().expect("run dongbo")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn ok(output: &Output) -> String {
    assert!(output.status.success(), "dongbo failed: {}", text(output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn fails(output: &Output) -> String {
    assert!(
        !output.status.success(),
        "dongbo succeeded: {}",
        text(output)
    );
    text(output)
}

/// A site at work, its database closed so the binary has it alone. The data folder is the
/// site's folder (the SQLite file and `files/` are where `--data-dir` puts them).
async fn at_work(backend: Backend) -> Option<(Site, Option<String>, activity::Activity)> {
    let site = Site::new(backend).await?;
    let work = activity::record(&site.db, &site.files_dir).await;
    site.db.close().await;
    let url = (backend == Backend::Postgres).then(|| site.url.clone());
    Some((site, url, work))
}

async fn round_trip_through_the_binary(backend: Backend) {
    let Some((site, url, work)) = at_work(backend).await else {
        return;
    };
    let data = site.dir.path();
    let out = ok(&dongbo(data, url.as_deref(), &["check"]));
    assert!(out.contains("the data holds together"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&dongbo(data, url.as_deref(), &["check", "--json"]))).unwrap();
    // database, audit, reports, agency reports, progress, versions, library, files.
    assert_eq!(json["checks"].as_array().unwrap().len(), 8, "{json}");

    let holder = tempfile::tempdir().unwrap();
    let dest = holder.path().join("backup");
    let out = ok(&dongbo(
        data,
        url.as_deref(),
        &["backup", dest.to_str().unwrap()],
    ));
    assert!(
        out.contains(&format!("{} files", work.files.len())),
        "{out}"
    );

    let (target_url, target) = Site::blank(backend).unwrap();
    let target_url = (backend == Backend::Postgres).then_some(target_url);
    let out = ok(&dongbo(
        target.path(),
        target_url.as_deref(),
        &["restore", dest.to_str().unwrap()],
    ));
    assert!(out.contains("restored"), "{out}");
    ok(&dongbo(target.path(), target_url.as_deref(), &["check"]));
    let source = Db::connect(&site.url).await.unwrap();
    let restored = Db::connect(
        &target_url
            .clone()
            .unwrap_or_else(|| Db::default_url(target.path())),
    )
    .await
    .unwrap();
    assert_eq!(
        activity::table_rows(&restored).await,
        activity::table_rows(&source).await
    );
    restored.close().await;
    assert_eq!(
        activity::stored_files(&target.path().join("files")),
        activity::stored_files(&site.files_dir)
    );

    // The same backup again: the target holds data now.
    let out = fails(&dongbo(
        target.path(),
        target_url.as_deref(),
        &["restore", dest.to_str().unwrap()],
    ));
    assert!(
        out.contains("already holds data") && out.contains("--force"),
        "{out}"
    );
    ok(&dongbo(
        target.path(),
        target_url.as_deref(),
        &["restore", dest.to_str().unwrap(), "--force"],
    ));

    // A changed byte in the backup: refused, naming the file.
    let sha = &work.files[0];
    let file = dest.join("files").join(&sha[..2]).join(sha);
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[0] ^= 0x20;
    std::fs::write(&file, bytes).unwrap();
    let (blank_url, blank) = Site::blank(backend).unwrap();
    let blank_url = (backend == Backend::Postgres).then_some(blank_url);
    let out = fails(&dongbo(
        blank.path(),
        blank_url.as_deref(),
        &["restore", dest.to_str().unwrap()],
    ));
    assert!(
        out.contains("damaged") && out.contains(sha.as_str()),
        "{out}"
    );
    assert!(!blank.path().join("files").exists(), "no file was restored");

    // Broken data in the source: `check` exits non-zero, naming it.
    std::fs::remove_file(site.files_dir.join(&sha[..2]).join(sha)).unwrap();
    let output = dongbo(data, url.as_deref(), &["check"]);
    let out = fails(&output);
    assert!(
        out.contains("files") && out.contains(&format!("evidence file {sha} is missing")),
        "{out}"
    );
    source.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_restore_and_check_round_trip_through_the_binary_on_sqlite() {
    round_trip_through_the_binary(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_restore_and_check_round_trip_through_the_binary_on_postgres() {
    round_trip_through_the_binary(Backend::Postgres).await;
}

#[test]
fn check_and_backup_of_a_data_folder_without_a_database_say_so_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for args in [
        &["check"][..],
        &["backup", dir.path().join("b").to_str().unwrap()][..],
    ] {
        let out = fails(&dongbo(&data, None, args));
        assert!(out.contains("there is no database"), "{out}");
    }
    assert!(!data.exists());
    assert!(!dir.path().join("b").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_of_a_database_with_an_older_schema_says_to_migrate_first() {
    let Some(site) = Site::new(Backend::Sqlite).await else {
        return;
    };
    let last: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(site.db.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1")
        .bind(last)
        .execute(site.db.pool())
        .await
        .unwrap();
    site.db.close().await;
    let out = fails(&dongbo(site.dir.path(), None, &["check"]));
    assert!(
        out.contains(&format!("migrations not applied: {last})")) && out.contains("dongbo migrate"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_backup_without_pg_dump_names_the_missing_tool() {
    let Some(site) = Site::new(Backend::Postgres).await else {
        return;
    };
    site.db.close().await;
    let holder = tempfile::tempdir().unwrap();
    let dest = holder.path().join("backup");
    let output = Command::new(env!("CARGO_BIN_EXE_dongbo"))
        .arg("--data-dir")
        .arg(site.dir.path())
        .args([
            "--database-url",
            &site.url,
            "backup",
            dest.to_str().unwrap(),
        ])
        .env("PATH", holder.path())
        .env("DONGBO_LOG", "warn")
        .output()
        .unwrap();
    let out = fails(&output);
    assert!(out.contains("pg_dump was not found on PATH"), "{out}");
    assert!(!dest.exists(), "a failed backup leaves nothing behind");
}
