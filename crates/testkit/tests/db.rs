//! The test databases themselves: fresh, migrated, separate, and cleaned up.

use dongbo_store::{Backend, Db, directory};
use dongbo_testkit::{TestDb, all_backends, postgres_database_url};

async fn current_database(db: &Db) -> String {
    let (name,): (String,) = sqlx::query_as("SELECT current_database()::text")
        .fetch_one(db.pool())
        .await
        .unwrap();
    name
}

#[tokio::test]
async fn every_backend_gives_a_migrated_empty_database() {
    let dbs = all_backends().await;
    assert_eq!(dbs[0].backend(), Backend::Sqlite);
    for test_db in &dbs {
        assert!(
            directory::is_empty(&test_db.db).await.unwrap(),
            "{}",
            test_db.backend()
        );
    }
}

#[tokio::test]
async fn two_sqlite_test_databases_are_separate() {
    let a = TestDb::sqlite().await;
    let b = TestDb::sqlite().await;
    sqlx::query(
        "INSERT INTO agencies (code, kind, name_vi, name_en) VALUES ('X', 'other', 'x', 'x')",
    )
    .execute(a.db.pool())
    .await
    .unwrap();
    assert!(!directory::is_empty(&a.db).await.unwrap());
    assert!(directory::is_empty(&b.db).await.unwrap());
}

#[tokio::test]
async fn a_postgres_test_database_is_dropped_at_the_end() {
    let Some(test_db) = TestDb::postgres().await else {
        return;
    };
    let name = current_database(&test_db.db).await;
    assert!(name.starts_with("dongbo_test_"), "{name}");
    drop(test_db);

    let server = std::env::var(dongbo_testkit::db::POSTGRES_URL_VAR).unwrap();
    let admin = Db::connect(&server).await.unwrap();
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_one(admin.pool())
        .await
        .unwrap();
    assert_eq!(left, 0, "{name} still exists");
}

#[test]
fn postgres_database_urls_name_fresh_unmigrated_databases() {
    let Some(first) = postgres_database_url() else {
        return;
    };
    let second = postgres_database_url().expect("a second URL");
    assert_ne!(first, second);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let db = Db::connect(&first).await.expect("the database exists");
        let (tables,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(tables, 0);
        db.close().await;
        // Tidy up here; the helper itself leaves them to the throwaway server.
        let server = std::env::var(dongbo_testkit::db::POSTGRES_URL_VAR).unwrap();
        let admin = Db::connect(&server).await.unwrap();
        for url in [&first, &second] {
            let name = url.rsplit('/').next().unwrap();
            let sql = format!("DROP DATABASE \"{name}\" WITH (FORCE)");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(admin.pool())
                .await
                .unwrap();
        }
    });
}
