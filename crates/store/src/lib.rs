//! Persistence of Đồng Bộ on SQLite (the default, a file under `./dongbo-data/`) and
//! PostgreSQL (shared deployments), behind domain-shaped functions: [`directory`], [`programs`],
//! [`tasks`], [`assignments`], [`plans`], [`reports`] (progress reports and their review),
//! [`regimes`] (a program's reporting regimes and the records completeness reads),
//! [`evidence`] (evidence files, stored by content), [`indicators`] (chỉ tiêu and their values),
//! [`synthesis`] (generated synthesis reports and the wording templates),
//! [`dashboard`] (the facts dashboards are
//! computed from), [`accounts`] (users, roles, sessions, API tokens) and [`audit`] (the
//! hash-chained audit log changes are written to, in the same transaction); [`check`]
//! recomputes what is stored derived from base rows and compares, [`backup`] copies the
//! database and its files consistently and restores them, and [`bulk`] writes large generated
//! datasets in multi-row batches.
//!
//! # SQL conventions
//!
//! - **One code path for both backends.** Every query runs through sqlx's `Any` driver on an
//!   [`sqlx::AnyPool`], as a runtime query (`sqlx::query`, never the `query!` macros, so the
//!   build needs no database). Placeholders are `$1`, `$2`…, which SQLite accepts as well as
//!   PostgreSQL. SQL that is the same on both is the rule; the only per-backend texts are the
//!   migrations and the statement that opens a write transaction.
//! - **Types the `Any` driver carries alike on both**: text, 64-bit integers, NULL. Dates are
//!   ISO-8601 `TEXT` (`2024-04-15`; they sort as text), timestamps RFC 3339 `TEXT` in UTC,
//!   booleans `0`/`1` integers (`Any` refuses to decode SQLite's integers as `bool`), ids
//!   `INTEGER` rowids on SQLite and `BIGINT` identities on PostgreSQL, lists that are never
//!   queried by element (a document's `implements`, a program's warnings) JSON `TEXT`. Enums are
//!   stored by their serde (snake_case) names.
//! - **Ordering** is by integer `position` columns, never by text: PostgreSQL's collation
//!   differs from SQLite's byte order. Text ordering, where wanted, is done in Rust.
//! - **Migrations** live in `migrations/sqlite/` and `migrations/postgres/`, embedded with
//!   `sqlx::migrate!`; the two sets create the same tables and columns (a test checks).
//! - **Transactions.** Every write that touches more than one row runs in one transaction,
//!   all-or-nothing. On SQLite a write transaction starts with `BEGIN IMMEDIATE`, taking the
//!   write lock at once: a deferred transaction that reads first and then writes can fail with
//!   `SQLITE_BUSY` when another connection wrote in between, and `busy_timeout` does not help
//!   there. Write transactions take the one connection of a separate pool, so a server's
//!   writers queue in order rather than retry on `SQLITE_BUSY` (other processes still meet
//!   `busy_timeout`). PostgreSQL uses ordinary `BEGIN` (read committed; uniqueness is enforced by
//!   constraints, so a racing duplicate import fails instead of duplicating).
//! - **SQLite durability.** WAL journal, `synchronous=FULL`, `foreign_keys=ON`,
//!   `busy_timeout=5000`. Under WAL, `synchronous=NORMAL` keeps the database consistent but a
//!   commit acknowledged just before a power loss can be rolled back; FULL syncs the WAL on every
//!   commit, which is what "an acknowledged write survives a crash" needs. Imports are rare and
//!   large, so the cost (one fsync per transaction) does not matter.
//! - **Errors**: one [`StoreError`]; each carries what was being done. Bad stored data gives
//!   [`StoreError::Corrupt`], never a panic.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod assignments;
pub mod audit;
pub mod backup;
pub mod bulk;
pub mod changes;
pub mod check;
pub mod dashboard;
pub mod diff;
pub mod directory;
pub mod evidence;
pub mod indicators;
pub mod jobs;
pub mod notifications;
pub mod plans;
pub mod programs;
pub mod regimes;
pub mod reports;
pub mod synthesis;
pub mod tasks;

mod codec;

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};

pub use accounts::{AccountError, LoginPolicy, SessionPolicy, User};
pub use audit::{AuditEntry, AuditFilter, AuditRecord, VerifyReport};
pub use diff::{FieldChange, GroupChange, ProgramDiff, TaskChange};
pub use evidence::{EvidenceFile, EvidenceLimits, EvidenceStore, MediaType, StoredFile};
pub use programs::{ProgramSummary, SaveOutcome, SourceInfo, StoredProgram};
pub use reports::{
    AcceptedProgress, AttachedFile, Edit, EvidenceLink, IssuedDocument, Report, ReportContent,
    ReportPeriod, ReportStatus, ReportSummary, ReportVersion,
};
pub use tasks::{NamedTask, Role, TaskRef};

/// What went wrong in the store, with what was being done.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL «{0}»: expected sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{context}: {source}")]
    Database {
        context: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("migrating the {backend} database: {source}")]
    Migrate {
        backend: Backend,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    /// Stored data that does not make sense (an unknown enum name, a bad date…).
    #[error("{context}: stored data is not valid: {message}")]
    Corrupt { context: String, message: String },
    /// What the caller asked for does not exist.
    #[error("{0} does not exist")]
    NotFound(String),
    /// The caller's request cannot be carried out as asked.
    #[error("{0}")]
    Invalid(String),
    /// The thing is not in a state that allows the request (accepting a draft, editing an
    /// accepted report, deciding a request already decided): asking again will not help until
    /// someone moves it on. The web layer answers 409.
    #[error("{0}")]
    WrongState(String),
    /// Someone else changed the same thing first (two reviewers acting on one report): the
    /// caller's request was right when made, and is refused so that no update is lost. A user
    /// reloads and decides again; the web layer answers 409.
    #[error("{0}")]
    Conflict(String),
}

impl StoreError {
    /// Whether the database refused the write because of a unique constraint (a task code
    /// twice in one program, a document number taken): the caller's data, not the system.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database {
                source: sqlx::Error::Database(e),
                ..
            } => e.is_unique_violation(),
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Attaches "what was being done" to sqlx errors.
pub(crate) trait Context<T> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, sqlx::Error> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| StoreError::Database {
            context: context(),
            source,
        })
    }
}

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A connection pool to the store. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    /// Where write transactions run. On SQLite, a pool of one connection: SQLite takes one
    /// writer at a time anyway, and writers queued here wait their turn in order instead of
    /// sleeping and retrying on `SQLITE_BUSY`. On PostgreSQL, the same pool as reads.
    writer: AnyPool,
    backend: Backend,
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Set on every SQLite connection (see the module documentation for why).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 5000;";

impl Db {
    /// Connects to `sqlite://PATH` (creating the file and its folders when missing) or
    /// `postgres://…` / `postgresql://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            Self::connect_sqlite(url, path).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::connect_postgres(url).await
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    async fn connect_sqlite(url: &str, path: &str) -> Result<Db> {
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() || path.starts_with(":memory:") {
            // An in-memory database would vanish with its connection: not a store.
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        }
        let path = std::path::absolute(path).map_err(|source| StoreError::Io {
            context: format!("resolving the database path {path}"),
            source,
        })?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                context: format!("creating the database folder {}", parent.display()),
                source,
            })?;
        }
        // Let sqlx write the URL the Any driver will parse back (it percent-encodes the path).
        let any_url = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .to_url_lossy();
        let options =
            AnyConnectOptions::from_url(&any_url).context(|| format!("reading the URL {url}"))?;
        let open = |connections: u32| {
            AnyPoolOptions::new()
                .max_connections(connections)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        conn.execute(SQLITE_PRAGMAS).await?;
                        Ok(())
                    })
                })
                .connect_with(options.clone())
        };
        let context = || format!("opening the SQLite database {}", path.display());
        let pool = open(8).await.context(context)?;
        let writer = open(1).await.context(context)?;
        tracing::debug!(db.path = %path.display(), "SQLite database open");
        Ok(Db {
            pool,
            writer,
            backend: Backend::Sqlite,
        })
    }

    async fn connect_postgres(url: &str) -> Result<Db> {
        let options = url
            .parse::<AnyConnectOptions>()
            .context(|| "reading the PostgreSQL URL".to_owned())?;
        // The URL may hold a password: errors name the backend, never the URL.
        let context = || "connecting to PostgreSQL".to_owned();
        // One plain attempt first: a pool retries a refused connection until its acquire
        // timeout, and a command line pointed at a server that is down should say so at once.
        options
            .connect()
            .await
            .context(context)?
            .close()
            .await
            .context(context)?;
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .context(context)?;
        Ok(Db {
            writer: pool.clone(),
            pool,
            backend: Backend::Postgres,
        })
    }

    /// `sqlite://DATA_DIR/dongbo.db`, the default database inside the data folder.
    pub fn default_url(data_dir: &Path) -> String {
        format!("sqlite://{}", data_dir.join("dongbo.db").display())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for crates that add their own tables (through this crate's migrations).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Runs the pending migrations of this backend.
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|source| StoreError::Migrate {
                backend: self.backend,
                source,
            })
    }

    /// The migrations of this build not (successfully) applied to the database, by version:
    /// empty when the schema is the one this build expects. An error when the database does
    /// not answer. For the server's readiness check.
    pub async fn unapplied_migrations(&self) -> Result<Vec<i64>> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        let doing = "reading the applied migrations";
        let rows = sqlx::query("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&self.pool)
            .await
            .context(|| doing.to_owned())?;
        let applied = rows
            .iter()
            .map(|row| codec::col::<i64>(row, "version", doing))
            .collect::<Result<std::collections::HashSet<i64>>>()?;
        Ok(migrator
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .map(|m| m.version)
            .filter(|version| !applied.contains(version))
            .collect())
    }

    /// Closes every connection (waiting for the ones in use to be returned).
    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite, `BEGIN` on PostgreSQL.
    pub(crate) async fn begin_write(
        &self,
        doing: &str,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let tx = match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.writer.begin().await,
        };
        tx.context(|| format!("starting a transaction for {doing}"))
    }

    /// A read-only transaction for a group of reads that must see one state of the data (a
    /// program and its tasks, never half of a re-import): SQLite's deferred `BEGIN` reads one
    /// WAL snapshot; PostgreSQL needs `REPEATABLE READ` for that. Dropped, it rolls back.
    pub(crate) async fn read(&self, doing: &str) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin().await,
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
        };
        tx.context(|| format!("starting a read for {doing}"))
    }
}
