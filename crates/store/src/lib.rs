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
pub mod agency_reports;
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
pub mod library;
pub mod login_attempts;
pub mod notifications;
pub mod personal_data;
pub mod plans;
pub mod programs;
pub mod regimes;
pub mod reimport;
pub mod reports;
pub mod sign_in_settings;
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
pub use programs::{
    Assigning, Preview, ProgramSummary, SaveOutcome, Saved, SourceInfo, StoredProgram,
};
pub use reimport::{Conflict, FileWins, Settled};
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
    /// The database or the files folder refuses writes: a read-only SQLite file or file
    /// system, a PostgreSQL session or standby that is read-only. Nothing was written; reads
    /// still work. Not the caller's fault: the web layer answers 503.
    #[error("{context}: the database refuses writes (it is read-only): {cause}")]
    ReadOnly { context: String, cause: String },
    /// The disk or the database is full (`SQLITE_FULL`, PostgreSQL's `disk_full`, `ENOSPC`).
    /// Nothing was written: the transaction rolled back, a file being stored was removed.
    #[error("{context}: no space is left to write (the disk or the database is full): {cause}")]
    Full { context: String, cause: String },
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

    /// Whether the storage refused to write at all ([`StoreError::ReadOnly`] or
    /// [`StoreError::Full`]): an operator's matter, and nothing was written.
    pub fn refuses_writes(&self) -> bool {
        matches!(self, StoreError::ReadOnly { .. } | StoreError::Full { .. })
    }

    /// A database error with what was being done; a read-only or full database becomes
    /// [`StoreError::ReadOnly`] or [`StoreError::Full`], so that callers and users are told
    /// what is wrong instead of "storage failed".
    pub(crate) fn database(context: String, source: sqlx::Error) -> StoreError {
        match storage_refusal(&source) {
            Some(Refusal::ReadOnly) => StoreError::ReadOnly {
                context,
                cause: source.to_string(),
            },
            Some(Refusal::Full) => StoreError::Full {
                context,
                cause: source.to_string(),
            },
            None => StoreError::Database { context, source },
        }
    }

    /// A file-system error with what was being done, classified like [`StoreError::database`]
    /// (`ENOSPC`, `EDQUOT`, `EROFS`).
    pub(crate) fn io(context: String, source: std::io::Error) -> StoreError {
        use std::io::ErrorKind;
        match source.kind() {
            ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge => {
                StoreError::Full {
                    context,
                    cause: source.to_string(),
                }
            }
            ErrorKind::ReadOnlyFilesystem => StoreError::ReadOnly {
                context,
                cause: source.to_string(),
            },
            _ => StoreError::Io { context, source },
        }
    }
}

/// Whether `conn` is a PostgreSQL connection: for the few statements written apart for it,
/// where a round trip made while holding a lock that other writers wait for can be saved.
pub(crate) fn on_postgres(conn: &sqlx::AnyConnection) -> bool {
    conn.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME
}

/// Why a database refused a write as a whole, whatever was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    ReadOnly,
    Full,
}

/// Reads the refusal from the driver's code: SQLite's primary result codes `SQLITE_READONLY`
/// (8) and `SQLITE_FULL` (13) — sqlx gives the extended code, whose low byte is the primary —
/// and PostgreSQL's SQLSTATEs `25006` (read_only_sql_transaction) and `53100` (disk_full).
fn storage_refusal(error: &sqlx::Error) -> Option<Refusal> {
    let sqlx::Error::Database(error) = error else {
        return None;
    };
    let code = error.code()?;
    match code.as_ref() {
        "25006" => return Some(Refusal::ReadOnly),
        "53100" => return Some(Refusal::Full),
        _ => {}
    }
    // SQLSTATEs are five characters and may be all digits: only a short number is SQLite's.
    if code.len() >= 5 {
        return None;
    }
    match code.parse::<i32>().ok()? & 0xff {
        8 => Some(Refusal::ReadOnly),
        13 => Some(Refusal::Full),
        _ => None,
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Attaches "what was being done" to sqlx errors.
pub(crate) trait Context<T> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, sqlx::Error> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| StoreError::database(context(), source))
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
    /// Connects to `sqlite://PATH` (creating the file and its folders when missing; with
    /// `?mode=ro`, read-only and never created) or
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
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        // `?mode=ro` opens the file read-only (an operator serving a copy for reading): every
        // write is refused with `StoreError::ReadOnly`, and the file is never created.
        let read_only = query.split('&').any(|pair| pair == "mode=ro");
        if path.is_empty() || path.starts_with(":memory:") {
            // An in-memory database would vanish with its connection: not a store.
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        }
        let path = std::path::absolute(path).map_err(|source| StoreError::Io {
            context: format!("resolving the database path {path}"),
            source,
        })?;
        if let Some(parent) = path.parent().filter(|_| !read_only) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                context: format!("creating the database folder {}", parent.display()),
                source,
            })?;
        }
        // Let sqlx write the URL the Any driver will parse back (it percent-encodes the path).
        let any_url = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(!read_only)
            .read_only(read_only)
            .to_url_lossy();
        let options =
            AnyConnectOptions::from_url(&any_url).context(|| format!("reading the URL {url}"))?;
        let open = |connections: u32| {
            AnyPoolOptions::new()
                .max_connections(connections)
                .acquire_timeout(Duration::from_secs(30))
                // A ping before every use is a round trip to the connection's worker thread
                // for nothing: an SQLite file does not drop a connection.
                .test_before_acquire(false)
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
            // No ping before every use (a round trip to the server on each of a page's reads):
            // a connection the server dropped fails the one statement that finds it, and the
            // pool then replaces it.
            .test_before_acquire(false)
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
        let ran = migrator.run(&self.pool).await;
        let refused = match &ran {
            Err(
                sqlx::migrate::MigrateError::Execute(e)
                | sqlx::migrate::MigrateError::ExecuteMigration(e, _),
            ) => storage_refusal(e).is_some(),
            _ => false,
        };
        if !refused {
            return ran.map_err(|source| StoreError::Migrate {
                backend: self.backend,
                source,
            });
        }
        // A database that refuses writes (a read-only file or session, a standby) can still be
        // served for reading when its schema is already this version's: say so and go on.
        let doing = format!("migrating the {} database", self.backend);
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await
                .context(|| format!("{doing}: reading the migrations applied"))?;
        let missing = migrator
            .iter()
            .filter(|m| m.migration_type.is_up_migration() && !applied.contains(&m.version))
            .count();
        let cause = ran.err().map(|e| e.to_string()).unwrap_or_default();
        if missing > 0 {
            return Err(StoreError::ReadOnly {
                context: format!("{doing}: {missing} migrations are not applied"),
                cause,
            });
        }
        tracing::warn!(db.backend = %self.backend, %cause,
            "the database refuses writes: its schema is current, reads only");
        Ok(())
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
            Backend::Sqlite => match self.writer.begin_with("BEGIN IMMEDIATE").await {
                // SQLite rolls a transaction back by itself on some failures (SQLITE_FULL, an
                // I/O error); the driver's ROLLBACK when the transaction is dropped then fails,
                // and the connection stays marked as inside a transaction, refusing every later
                // BEGIN. Without this, one full disk would stop all writes until a restart.
                Err(sqlx::Error::InvalidSavePointStatement) => {
                    tracing::warn!("reopening the SQLite writer after a transaction SQLite ended");
                    if let Ok(stuck) = self.writer.acquire().await {
                        let _ = stuck.close().await;
                    }
                    self.writer.begin_with("BEGIN IMMEDIATE").await
                }
                other => other,
            },
            Backend::Postgres => self.writer.begin().await,
        };
        tx.context(|| format!("starting a transaction for {doing}"))
    }

    /// A connection for one statement that reads: no transaction around it, which on
    /// PostgreSQL saves the `BEGIN` and `ROLLBACK` round trips of [`Db::read`]. Only for a
    /// single statement (one statement sees one state of the data by itself); reads that must
    /// agree with each other take [`Db::read`].
    pub(crate) async fn read_one(
        &self,
        doing: &str,
    ) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        self.pool
            .acquire()
            .await
            .context(|| format!("connecting for {doing}"))
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
