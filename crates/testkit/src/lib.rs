//! Test helpers: temporary databases on both backends (`db`) and the bundled test data loaded
//! into them (`programs`), a program at work (`activity`), and certificates with a TLS proxy
//! on loopback (`tls`).
#![forbid(unsafe_code)]

pub mod activity;
pub mod db;
pub mod documents;
pub mod ldap;
pub mod oidc;
pub mod programs;
pub mod skip;
pub mod smtp;
pub mod tls;

pub use db::{TestDb, all_backends, in_ci, postgres_database_url};
pub use programs::{load_47, load_47_assigned, load_47_with};

/// Generates, for each listed `async fn(&Db)`, one `#[tokio::test]` on SQLite (in a module
/// `sqlite`) and one on PostgreSQL (in `postgres`; skipped loudly outside CI without a server,
/// a failure under `CI=true`). The calling crate needs `tokio` as a dev-dependency.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let test_db = $crate::TestDb::sqlite().await;
                    super::$name(&test_db.db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(test_db) = $crate::TestDb::postgres().await else { return };
                    super::$name(&test_db.db).await;
                }
            )*
        }
    };
}
