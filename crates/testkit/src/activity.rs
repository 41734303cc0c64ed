//! A program at work, for tests that need realistic data rather than an empty schema:
//! 47/NQ-CP assigned, reports submitted with evidence files, accepted, returned and reopened,
//! an agency's plan whose tasks roll up, and a person's override — every kind of row that
//! `dongbo check` recomputes and a backup must carry.

use std::path::Path;

use dongbo_domain::{Directory, Role};
use dongbo_store::reports::{self, Outcome};
use dongbo_store::{
    AttachedFile, Db, Edit, EvidenceLimits, EvidenceStore, ReportContent, ReportPeriod,
    assignments, dashboard, plans,
};

/// What [`record`] made.
#[derive(Debug, Clone)]
pub struct Activity {
    pub program_id: i64,
    /// The plan of the Ministry of Culture, Sports and Tourism (BVHTTDL) for the program.
    pub plan_id: i64,
    /// The SHA-256 of every evidence file stored.
    pub files: Vec<String>,
    /// Coordinating assignments no report touched, for a test's own writes.
    pub untouched: Vec<i64>,
}

/// Loads 47/NQ-CP into `db` and records a few weeks of its work, keeping evidence files under
/// `files_dir`.
pub async fn record(db: &Db, files_dir: &Path) -> Activity {
    let directory = Directory::bundled();
    let program_id = crate::load_47_assigned(db, &directory).await;
    let evidence = EvidenceStore::new(files_dir, EvidenceLimits::default());
    let all = assignments::for_program(db, program_id)
        .await
        .expect("the assignments of 47/NQ-CP");
    let leads: Vec<_> = all
        .iter()
        .filter(|a| a.role == Role::Lead)
        .take(12)
        .collect();
    let mut files = Vec::new();
    for (i, lead) in leads.iter().enumerate() {
        let text = format!(
            "Biên bản số {i}/BB: đã triển khai nhiệm vụ {} của {}.\n",
            lead.task_code, lead.agency_code
        );
        let sha256 = store_file(db, &evidence, text.as_bytes(), &format!("bien-ban-{i}.txt")).await;
        files.push(sha256.clone());
        let progress = u8::try_from((i * 20 + 20).min(100)).unwrap_or(100);
        let submitted = submit(db, lead.id, progress, Some(sha256)).await;
        match i % 4 {
            0 => {
                accept(db, &submitted).await;
            }
            1 => {
                reports::return_report(
                    db,
                    submitted.report_id,
                    submitted.version,
                    "lanh.dao",
                    "Bổ sung số liệu",
                    None,
                )
                .await
                .expect("return a report");
            }
            2 => {
                let accepted = accept(db, &submitted).await;
                reports::reopen(
                    db,
                    accepted.report_id,
                    accepted.version,
                    "lanh.dao",
                    "Số liệu chưa khớp",
                    None,
                )
                .await
                .expect("reopen a report");
            }
            _ => {}
        }
    }
    let plan_id = plan(db, &directory, program_id).await;
    if let Some(first) = leads.first() {
        dashboard::set_manual(db, first.id, Some(90), "dieu.phoi", "Đã kiểm tra thực tế")
            .await
            .expect("override an assignment's progress");
    }
    let untouched = all
        .iter()
        .filter(|a| a.role == Role::Coordinating)
        .map(|a| a.id)
        .collect();
    Activity {
        program_id,
        plan_id,
        files,
        untouched,
    }
}

/// Stores `bytes` as a text evidence file; returns its SHA-256.
pub async fn store_file(db: &Db, evidence: &EvidenceStore, bytes: &[u8], name: &str) -> String {
    evidence
        .put(db, bytes, name, Some("text/plain"))
        .await
        .expect("store an evidence file")
        .sha256
}

/// Submits a new report on `assignment_id` for a task reported once.
pub async fn submit(db: &Db, assignment_id: i64, progress: u8, file: Option<String>) -> Outcome {
    let content = ReportContent {
        library_items: Vec::new(),
        results: format!("Đã thực hiện {progress}% khối lượng công việc"),
        progress,
        difficulties: "Thiếu kinh phí".to_owned(),
        recommendations: "Bổ sung kinh phí".to_owned(),
        files: file
            .into_iter()
            .map(|sha256| AttachedFile {
                sha256,
                name: "Biên bản.txt".to_owned(),
            })
            .collect(),
        ..ReportContent::default()
    };
    reports::submit(
        db,
        &Edit {
            assignment_id,
            period: ReportPeriod::Once,
            content: &content,
            author: "can.bo",
            based_on: None,
            idempotency_key: None,
        },
    )
    .await
    .expect("submit a report")
}

async fn accept(db: &Db, submitted: &Outcome) -> Outcome {
    reports::accept(db, submitted.report_id, submitted.version, "lanh.dao", None)
        .await
        .expect("accept a report")
}

/// BVHTTDL's plan: its copy of task 3.4 at 50%, an own task done, another not begun.
async fn plan(db: &Db, directory: &Directory, program_id: i64) -> i64 {
    let plan_id = plans::create(db, directory, program_id, "BVHTTDL")
        .await
        .expect("create a plan")
        .program_id();
    for title in ["Tuần văn hóa", "Ấn phẩm"] {
        plans::add_task(
            db,
            directory,
            plan_id,
            &plans::NewTask {
                parent_task_code: "3.4".into(),
                title: title.into(),
                expected_output: None,
                time_frame: "2025".into(),
            },
        )
        .await
        .expect("add a plan task");
    }
    for (code, progress) in [("3.4", 50), ("3.4.1", 100)] {
        let own = assignments::for_task(db, plan_id, code)
            .await
            .expect("the plan task's assignments")
            .into_iter()
            .find(|a| a.agency_code == "BVHTTDL")
            .expect("the plan's agency carries its task out");
        let submitted = submit(db, own.id, progress, None).await;
        accept(db, &submitted).await;
    }
    plan_id
}

/// A deployment's data in a temporary place: a database (with its URL, which backups need)
/// and the folder its evidence files live in.
#[derive(Debug)]
pub struct Site {
    pub db: Db,
    pub url: String,
    pub files_dir: std::path::PathBuf,
    /// Holds the SQLite file and the files folder.
    pub dir: tempfile::TempDir,
}

impl Site {
    /// A migrated, empty site on `backend`; `None` for PostgreSQL when no test server is
    /// configured (outside CI, loudly).
    pub async fn new(backend: dongbo_store::Backend) -> Option<Site> {
        let dir = tempfile::tempdir().expect("creating a temporary folder");
        let url = match backend {
            dongbo_store::Backend::Sqlite => Db::default_url(dir.path()),
            dongbo_store::Backend::Postgres => crate::postgres_database_url()?,
        };
        let db = Db::connect(&url).await.expect("opening a test database");
        db.migrate().await.expect("migrating a test database");
        Some(Site {
            db,
            files_dir: EvidenceStore::default_dir(dir.path()),
            url,
            dir,
        })
    }

    /// A second site on the same backend whose database is not there yet (SQLite: no file;
    /// PostgreSQL: an empty database, never migrated), as a restore finds a new deployment.
    pub fn blank(backend: dongbo_store::Backend) -> Option<(String, tempfile::TempDir)> {
        let dir = tempfile::tempdir().expect("creating a temporary folder");
        let url = match backend {
            dongbo_store::Backend::Sqlite => Db::default_url(dir.path()),
            dongbo_store::Backend::Postgres => crate::postgres_database_url()?,
        };
        Some((url, dir))
    }
}

/// One column value, as the `Any` driver carries it.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Bool(bool),
}

/// Every row of every table of `db` (but sqlx's own `_sqlx_migrations`, whose times differ by
/// machine), each table's rows sorted: two databases holding the same data give equal maps.
pub async fn table_rows(db: &Db) -> std::collections::BTreeMap<String, Vec<Vec<Value>>> {
    use sqlx::{Column, Row};
    let names_sql = match db.backend() {
        dongbo_store::Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> '_sqlx_migrations'"
        }
        dongbo_store::Backend::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations'"
        }
    };
    let names: Vec<String> = sqlx::query(names_sql)
        .fetch_all(db.pool())
        .await
        .expect("listing the tables")
        .iter()
        .map(|row| row.get::<String, _>("name"))
        .collect();
    let mut tables = std::collections::BTreeMap::new();
    for name in names {
        let sql = format!("SELECT * FROM \"{name}\"");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(db.pool())
            .await
            .unwrap_or_else(|e| panic!("reading table {name}: {e}"));
        let mut values: Vec<Vec<Value>> = rows
            .iter()
            .map(|row| {
                (0..row.columns().len())
                    .map(|i| value(row, i, &name, row.columns()[i].name()))
                    .collect()
            })
            .collect();
        values.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        tables.insert(name, values);
    }
    tables
}

fn value(row: &sqlx::any::AnyRow, i: usize, table: &str, column: &str) -> Value {
    use sqlx::Row;
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return v.map_or(Value::Null, Value::Integer);
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return v.map_or(Value::Null, Value::Text);
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return v.map_or(Value::Null, Value::Real);
    }
    if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
        return v.map_or(Value::Null, Value::Bool);
    }
    panic!("column {table}.{column} has a type the test cannot read")
}

/// Every stored file under a files folder: path relative to it → bytes.
pub fn stored_files(files_dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut found = std::collections::BTreeMap::new();
    let Ok(folders) = std::fs::read_dir(files_dir) else {
        return found;
    };
    for folder in folders.flatten() {
        let Ok(entries) = std::fs::read_dir(folder.path()) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                // A file being written (`.incoming-…`), not yet stored.
                continue;
            }
            let relative = format!(
                "{}/{}",
                folder.file_name().to_string_lossy(),
                entry.file_name().to_string_lossy()
            );
            found.insert(
                relative,
                std::fs::read(entry.path()).expect("read a stored file"),
            );
        }
    }
    found
}
