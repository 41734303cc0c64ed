//! Temporary databases for tests, migrated and empty: SQLite in a temp dir, and a fresh
//! PostgreSQL database per test on the server named by `DONGBO_TEST_POSTGRES_URL`.
//!
//! Without that variable the PostgreSQL half is skipped loudly — unless `CI` is set, where a
//! test that needs a service and cannot get one fails.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

use dongbo_store::{Backend, Db};

/// The variable that names a PostgreSQL server for tests
/// (`postgres://postgres@127.0.0.1:55432/postgres`).
pub const POSTGRES_URL_VAR: &str = "DONGBO_TEST_POSTGRES_URL";

/// A migrated, empty database that lives as long as this value.
#[derive(Debug)]
pub struct TestDb {
    pub db: Db,
    /// The URL the database was opened with, for tests that open it a second way (read-only,
    /// from the `dongbo` binary).
    pub url: String,
    /// Keeps the SQLite file's folder alive.
    _dir: Option<tempfile::TempDir>,
    /// For PostgreSQL: the server URL and the database to drop at the end.
    drop_database: Option<(String, String)>,
}

impl TestDb {
    /// SQLite in a fresh temporary folder.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("creating a temporary folder for SQLite");
        let url = Db::default_url(dir.path());
        let db = Db::connect(&url)
            .await
            .expect("opening a temporary SQLite database");
        db.migrate()
            .await
            .expect("migrating a temporary SQLite database");
        TestDb {
            db,
            url,
            _dir: Some(dir),
            drop_database: None,
        }
    }

    /// A fresh database on the test PostgreSQL server, or `None` (with a loud message) when no
    /// server is configured outside CI. Panics in CI without one.
    pub async fn postgres() -> Option<TestDb> {
        let server = postgres_server_url()?;
        let name = create_database(&server).await;
        let url = with_database(&server, &name);
        let db = Db::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("connecting to the test database {name}: {e}"));
        db.migrate()
            .await
            .unwrap_or_else(|e| panic!("migrating the test database {name}: {e}"));
        Some(TestDb {
            db,
            url,
            _dir: None,
            drop_database: Some((server, name)),
        })
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// SQLite in `folder` (a file system the test prepared, a small one to fill up); the
    /// folder is the caller's to remove.
    pub async fn sqlite_in(folder: &std::path::Path) -> TestDb {
        let url = Db::default_url(folder);
        let db = Db::connect(&url)
            .await
            .expect("opening a SQLite database in the given folder");
        db.migrate()
            .await
            .expect("migrating a SQLite database in the given folder");
        TestDb {
            db,
            url,
            _dir: None,
            drop_database: None,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((server, name)) = self.drop_database.take() else {
            return;
        };
        // Drop cannot await, and the test's runtime may be shutting down: drop the database
        // from a thread with its own runtime. `WITH (FORCE)` ends this test's connections.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let admin = Db::connect(&server).await.ok()?;
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                let result = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(admin.pool())
                    .await;
                admin.close().await;
                result.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            // Leaving a database behind on a throwaway test server is harmless; say so once.
            eprintln!("testkit: could not drop a test PostgreSQL database (left behind)");
        }
    }
}

/// Every backend this test run has: SQLite always, PostgreSQL when configured.
pub async fn all_backends() -> Vec<TestDb> {
    let mut dbs = vec![TestDb::sqlite().await];
    dbs.extend(TestDb::postgres().await);
    dbs
}

/// The URL of a fresh, empty (unmigrated) database on the test PostgreSQL server, for tests
/// that run the `dongbo` binary against it; `None` (loudly) when no server is configured
/// outside CI. The database is not dropped: the test server is throwaway. Callable from
/// synchronous tests and from inside a runtime alike.
pub fn postgres_database_url() -> Option<String> {
    let server = postgres_server_url()?;
    let url = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("building a runtime to create a test database");
        let name = runtime.block_on(create_database(&server));
        with_database(&server, &name)
    })
    .join()
    .expect("creating a test PostgreSQL database");
    Some(url)
}

/// Whether this run is under CI, where missing services fail instead of skipping.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The test server's URL; `None` with a loud message, or a panic under CI, when unset.
fn postgres_server_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if in_ci() => panic!(
            "{POSTGRES_URL_VAR} is not set, and CI=true: the PostgreSQL half of the storage tests \
             cannot run. Run the tests with `cargo xtask test`, which starts a server, or set \
             {POSTGRES_URL_VAR}=postgres://USER@HOST:PORT/postgres"
        ),
        _ => {
            crate::skip::skip(&format!(
                "PostgreSQL: {POSTGRES_URL_VAR} is not set, so this test ran on SQLite only \
                 (`cargo xtask test` starts a PostgreSQL server and runs both)"
            ));
            None
        }
    }
}

/// Creates a database with a fresh random name on `server`; returns the name.
async fn create_database(server: &str) -> String {
    let name = random_name();
    let admin = Db::connect(server).await.unwrap_or_else(|e| {
        panic!("connecting to the test PostgreSQL server ({POSTGRES_URL_VAR}): {e}")
    });
    // The name is ours (letters, digits, underscores), never input: safe to splice.
    let sql = format!("CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(admin.pool())
        .await
        .unwrap_or_else(|e| panic!("creating the test database {name}: {e}"));
    admin.close().await;
    name
}

/// `dongbo_test_<random>`: unique across parallel tests and test processes.
fn random_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    // RandomState is seeded randomly per process: mixing it in makes clashes between
    // processes started in the same nanosecond vanishingly unlikely.
    let random = RandomState::new().hash_one((std::process::id(), count, nanos));
    format!("dongbo_test_{random:016x}_{count}")
}

/// `server` with its database part replaced by `database`.
fn with_database(server: &str, database: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_part_of_a_server_url_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:55432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:55432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@host:5432", "t1"),
            "postgres://u:p@host:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u@host/db?sslmode=disable", "t1"),
            "postgres://u@host/t1?sslmode=disable"
        );
    }

    #[test]
    fn random_database_names_differ_and_are_plain_identifiers() {
        let a = random_name();
        let b = random_name();
        assert_ne!(a, b);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        );
    }
}
