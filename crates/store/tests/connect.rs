//! Opening a database: URLs, the SQLite file and its settings, durability across reopening.

use std::path::Path;

use dongbo_domain::{Agency, AgencyKind, Directory};
use dongbo_store::{Backend, Db, StoreError, directory};

fn one_agency() -> Directory {
    Directory {
        agencies: vec![Agency {
            code: "BNG".to_owned(),
            kind: AgencyKind::Ministry,
            name_vi: "Bộ Ngoại giao".to_owned(),
            name_en: "Ministry of Foreign Affairs".to_owned(),
            aliases: vec!["MOFA".to_owned()],
            valid_from: None,
            valid_until: None,
            parent: None,
            successors: Vec::new(),
            source: None,
            source_vi: None,
        }],
        sets: Vec::new(),
    }
}

#[test]
fn the_default_url_is_a_file_in_the_data_folder() {
    assert_eq!(
        Db::default_url(Path::new("dongbo-data")),
        "sqlite://dongbo-data/dongbo.db"
    );
}

#[tokio::test]
async fn connecting_to_sqlite_creates_the_file_and_its_folders() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("dữ liệu");
    let db = Db::connect(&Db::default_url(&data))
        .await
        .expect("connecting");
    assert_eq!(db.backend(), Backend::Sqlite);
    db.migrate().await.expect("migrating");
    assert!(data.join("dongbo.db").is_file());
}

#[tokio::test]
async fn sqlite_connections_use_wal_full_sync_foreign_keys_and_a_busy_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&Db::default_url(dir.path())).await.unwrap();
    // Ask on several connections at once, so more than the first one is checked.
    let mut connections = Vec::new();
    for _ in 0..3 {
        connections.push(db.pool().acquire().await.unwrap());
    }
    for conn in &mut connections {
        let (journal,): (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        let (synchronous,): (i64,) = sqlx::query_as("PRAGMA synchronous")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        let (foreign_keys,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        let (busy_timeout,): (i64,) = sqlx::query_as("PRAGMA busy_timeout")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        assert_eq!(journal, "wal");
        assert_eq!(synchronous, 2, "FULL");
        assert_eq!(foreign_keys, 1);
        assert_eq!(busy_timeout, 5000);
    }
}

#[tokio::test]
async fn committed_data_is_there_after_reopening_the_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = Db::default_url(dir.path());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    directory::save(&db, &one_agency()).await.unwrap();
    db.close().await;

    let reopened = Db::connect(&url).await.unwrap();
    reopened.migrate().await.unwrap();
    assert_eq!(directory::load(&reopened).await.unwrap(), one_agency());
}

#[tokio::test]
async fn urls_of_other_databases_and_in_memory_sqlite_are_refused() {
    for url in [
        "mysql://root@localhost/dongbo",
        "sqlite::memory:",
        "dongbo.db",
    ] {
        match Db::connect(url).await {
            Err(StoreError::UnsupportedUrl(refused)) => assert_eq!(refused, url),
            other => panic!("{url}: expected UnsupportedUrl, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_unreachable_postgresql_server_is_an_error_that_hides_the_url() {
    // Port 9 (discard) on loopback: nothing listens there in a test environment.
    let url = "postgres://user:secret@127.0.0.1:9/dongbo?connect_timeout=2";
    let error = Db::connect(url).await.expect_err("nothing listens there");
    let message = error.to_string();
    assert!(message.starts_with("connecting to PostgreSQL"), "{message}");
    assert!(!message.contains("secret"), "{message}");
}
