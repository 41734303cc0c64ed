//! The command line on a database that refuses writes (a SQLite file opened with `?mode=ro`,
//! a PostgreSQL database whose sessions are read-only): reading commands work, a writing
//! command fails saying the database refuses writes, and nothing is changed.

mod common;

use common::{Setup, data_folder};

/// Runs `dongbo` on `url` instead of the setup's own database.
fn on(setup: &Setup, url: &str) -> Setup {
    Setup {
        data_dir: setup.data_dir.clone(),
        database_url: Some(url.to_owned()),
    }
}

/// Reads work, a write is refused with the reason, and the users are as before.
fn check_refused(writable: &Setup, read_only: &Setup) {
    let users = writable.ok(&["user", "list"]);
    assert_eq!(read_only.ok(&["user", "list"]), users, "reads work");
    read_only.ok(&["audit", "verify"]);
    let refused = read_only.run(&["user", "add", "moi", "--name", "Người mới"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(
        stderr.contains("the database refuses writes (it is read-only)"),
        "{stderr}"
    );
    assert_eq!(
        read_only.ok(&["user", "list"]),
        users,
        "nothing was written"
    );
}

#[test]
fn a_read_only_sqlite_file_is_read_and_a_write_is_refused_saying_why() {
    let (_dir, data_dir) = data_folder();
    let writable = Setup {
        data_dir,
        database_url: None,
    };
    writable.ok(&["user", "add", "bao.cao", "--name", "Cán bộ"]);
    let url = format!("{}?mode=ro", writable.store_url());
    check_refused(&writable, &on(&writable, &url));
}

#[test]
fn a_read_only_postgresql_database_is_read_and_a_write_is_refused_saying_why() {
    let Some(url) = dongbo_testkit::postgres_database_url() else {
        return;
    };
    let (_dir, data_dir) = data_folder();
    let writable = Setup {
        data_dir,
        database_url: Some(url.clone()),
    };
    writable.ok(&["user", "add", "bao.cao", "--name", "Cán bộ"]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let set_read_only = |on: bool| {
        runtime.block_on(async {
            let db = dongbo_store::Db::connect(&url).await.unwrap();
            // One session, made writable first: a new session of a read-only database is not.
            let mut session = db.pool().acquire().await.unwrap();
            sqlx::query("SET default_transaction_read_only = off")
                .execute(&mut *session)
                .await
                .unwrap();
            let name: String = sqlx::query_scalar("SELECT current_database()::text")
                .fetch_one(&mut *session)
                .await
                .unwrap();
            let value = if on { "on" } else { "off" };
            let sql =
                format!("ALTER DATABASE \"{name}\" SET default_transaction_read_only = {value}");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *session)
                .await
                .unwrap();
            drop(session);
            db.close().await;
        });
    };
    let users = writable.ok(&["user", "list"]);
    set_read_only(true);
    assert_eq!(writable.ok(&["user", "list"]), users, "reads work");
    writable.ok(&["audit", "verify"]);
    let refused = writable.run(&["user", "add", "moi", "--name", "Người mới"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(
        stderr.contains("the database refuses writes (it is read-only)"),
        "{stderr}"
    );
    set_read_only(false);
    assert_eq!(writable.ok(&["user", "list"]), users, "nothing was written");
}
