//! The SQLite and PostgreSQL migrations must create the same tables and columns: the store
//! runs one set of SQL statements on both.

use std::collections::BTreeSet;

use dongbo_store::{Backend, Db};
use dongbo_testkit::TestDb;

/// (table, column) pairs of the application's tables, without sqlx's bookkeeping table.
async fn columns(db: &Db) -> BTreeSet<(String, String)> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' \
               AND m.name <> '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'"
        }
    };
    sqlx::query_as::<_, (String, String)>(sql)
        .fetch_all(db.pool())
        .await
        .expect("reading the schema")
        .into_iter()
        .collect()
}

#[tokio::test]
async fn both_migration_sets_create_the_same_tables_and_columns() {
    let sqlite = TestDb::sqlite().await;
    let sqlite_columns = columns(&sqlite.db).await;
    let tables: BTreeSet<&str> = sqlite_columns.iter().map(|(t, _)| t.as_str()).collect();
    assert!(
        tables.contains("tasks") && tables.contains("agencies"),
        "{tables:?}"
    );
    assert!(sqlite_columns.contains(&("tasks".to_owned(), "search_text".to_owned())));

    let Some(postgres) = TestDb::postgres().await else {
        return;
    };
    let postgres_columns = columns(&postgres.db).await;
    let only_sqlite: Vec<_> = sqlite_columns.difference(&postgres_columns).collect();
    let only_postgres: Vec<_> = postgres_columns.difference(&sqlite_columns).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only on SQLite: {only_sqlite:?}\nonly on PostgreSQL: {only_postgres:?}"
    );
}

#[tokio::test]
async fn migrating_again_changes_nothing_on_either_backend() {
    for test_db in dongbo_testkit::all_backends().await {
        let before = columns(&test_db.db).await;
        test_db.db.migrate().await.expect("a second migration run");
        assert_eq!(columns(&test_db.db).await, before, "{}", test_db.backend());
    }
}
