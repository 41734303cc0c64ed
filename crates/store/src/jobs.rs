//! A persistent job queue for background work (reminders, e-mail): jobs survive a restart,
//! each is run by one worker at a time, and a failed run is retried with back-off.
//!
//! - **Enqueue once.** Every job has a `unique_key`; enqueuing a key that exists is a no-op
//!   that returns the existing job ([`Enqueued::Existing`]), whatever its status. Callers build
//!   keys from what makes the work unique (rule, assignment, lead time), so planning the same
//!   work twice never does it twice.
//! - **Claim by compare-and-set.** [`claim`] picks a due job and takes it with an `UPDATE …
//!   WHERE id = $1 AND <still claimable>`, checking that one row changed. Two workers that pick
//!   the same job race on that update: PostgreSQL re-checks the condition on the row the
//!   winner wrote, SQLite serialises the writes, and the loser sees no row changed and picks
//!   again. No `SELECT … FOR UPDATE SKIP LOCKED` (SQLite has none), so one code path.
//! - **Leases.** A claimed job is `running` until `locked_until`. A worker that crashes leaves
//!   it running; once the lease has expired the job is claimable again (handlers must be
//!   idempotent: a job may run more than once). Each claim counts an attempt, so a job that
//!   crashes its worker every time ends `failed` instead of looping.
//! - **Fencing.** [`complete`] and [`fail`] take the claimed [`Job`] and only change the row
//!   while it is still that claim (same status and attempt): a worker whose lease expired and
//!   whose job was claimed again cannot overwrite the new worker's result.
//! - **Time is passed in.** Every function that compares times takes `now`, so tests run a
//!   queue at any instant without waiting.

use chrono::{DateTime, SecondsFormat, Utc};
use dongbo_domain::clock;
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::codec::col;
use crate::{Context, Db, Result, StoreError};

/// How many times a job runs before it is given up, unless the caller says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for `run_at`.
    Queued,
    /// Claimed by a worker until `locked_until`.
    Running,
    /// Done; never runs again.
    Done,
    /// Given up after `max_attempts`; never runs again.
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    fn parse(text: &str, context: &str) -> Result<Self> {
        Ok(match text {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "failed" => JobStatus::Failed,
            other => {
                return Err(StoreError::Corrupt {
                    context: context.to_owned(),
                    message: format!("unknown job status {other}"),
                });
            }
        })
    }
}

/// A stored job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    pub id: i64,
    /// What handles it ("remind.digest").
    pub kind: String,
    pub unique_key: String,
    pub payload: serde_json::Value,
    /// Not before this instant.
    pub run_at: DateTime<Utc>,
    /// Claims so far, this one included when the job is running.
    pub attempts: u32,
    pub max_attempts: u32,
    pub status: JobStatus,
    pub last_error: Option<String>,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// What [`enqueue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Enqueued {
    /// A new job with this id.
    New(i64),
    /// A job with the same unique key already existed (in any status); nothing was written.
    Existing(i64),
}

impl Enqueued {
    pub fn id(self) -> i64 {
        match self {
            Enqueued::New(id) | Enqueued::Existing(id) => id,
        }
    }

    pub fn is_new(self) -> bool {
        matches!(self, Enqueued::New(_))
    }
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: String,
    pub unique_key: String,
    pub payload: serde_json::Value,
    pub run_at: DateTime<Utc>,
    pub max_attempts: u32,
}

impl NewJob {
    /// A job with [`DEFAULT_MAX_ATTEMPTS`].
    pub fn new(
        kind: impl Into<String>,
        unique_key: impl Into<String>,
        payload: serde_json::Value,
        run_at: DateTime<Utc>,
    ) -> Self {
        NewJob {
            kind: kind.into(),
            unique_key: unique_key.into(),
            payload,
            run_at,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }
}

/// What [`fail`] did with the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FailOutcome {
    /// Queued again for this instant.
    Retrying(DateTime<Utc>),
    /// Out of attempts: given up.
    Failed,
    /// The claim was no longer the job's (its lease expired and another worker took it, or it
    /// finished): nothing changed.
    Stale,
}

/// Enqueues a job with [`DEFAULT_MAX_ATTEMPTS`], unless one with the same unique key exists.
pub async fn enqueue(
    db: &Db,
    kind: &str,
    unique_key: &str,
    payload: &serde_json::Value,
    run_at: DateTime<Utc>,
) -> Result<Enqueued> {
    let job = NewJob::new(kind, unique_key, payload.clone(), run_at);
    let mut outcome = enqueue_many(db, std::slice::from_ref(&job)).await?;
    outcome.pop().ok_or_else(|| StoreError::Corrupt {
        context: format!("enqueuing job {unique_key}"),
        message: "no outcome for the job".to_owned(),
    })
}

/// Enqueues each job unless one with its unique key exists, in one transaction; the outcomes
/// are in the order of `jobs`.
pub async fn enqueue_many(db: &Db, jobs: &[NewJob]) -> Result<Vec<Enqueued>> {
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let doing = format!("enqueuing {} job(s)", jobs.len());
    let mut tx = db.begin_write(&doing).await?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        outcomes.push(enqueue_in(&mut tx, job, &doing).await?);
    }
    tx.commit().await.context(|| doing.clone())?;
    Ok(outcomes)
}

/// [`enqueue`] inside the caller's write transaction.
pub(crate) async fn enqueue_in(
    conn: &mut AnyConnection,
    job: &NewJob,
    doing: &str,
) -> Result<Enqueued> {
    // ON CONFLICT DO NOTHING: on PostgreSQL a concurrent insert of the same key waits for the
    // other transaction and then does nothing, instead of failing the whole transaction.
    let inserted = sqlx::query(
        "INSERT INTO jobs (kind, unique_key, payload, run_at, attempts, max_attempts, status, \
         created_at) VALUES ($1, $2, $3, $4, 0, $5, 'queued', $6) \
         ON CONFLICT (unique_key) DO NOTHING RETURNING id",
    )
    .bind(&job.kind)
    .bind(&job.unique_key)
    .bind(job.payload.to_string())
    .bind(timestamp(job.run_at))
    .bind(i64::from(job.max_attempts.max(1)))
    .bind(timestamp(clock::now()))
    .fetch_optional(&mut *conn)
    .await
    .context(|| format!("{doing}: {}", job.unique_key))?;
    if let Some(row) = inserted {
        return Ok(Enqueued::New(col(&row, "id", doing)?));
    }
    let row = sqlx::query("SELECT id FROM jobs WHERE unique_key = $1")
        .bind(&job.unique_key)
        .fetch_one(&mut *conn)
        .await
        .context(|| format!("{doing}: finding {}", job.unique_key))?;
    Ok(Enqueued::Existing(col(&row, "id", doing)?))
}

const COLUMNS: &str = "id, kind, unique_key, payload, run_at, attempts, max_attempts, status, \
                       last_error, locked_until, created_at, finished_at";

/// A job that can be claimed at `$1`: queued and due, or running with an expired lease.
const CLAIMABLE: &str = "((status = 'queued' AND run_at <= $1) \
                         OR (status = 'running' AND locked_until <= $1))";

/// Claims the job that has waited longest among those due at `now` (queued with `run_at <=
/// now`, or running with an expired lease), for `lease`; `None` when none is due. The
/// returned job is `running`, with its attempt counted. A job whose lease expired on its last
/// attempt is marked failed instead of being claimed.
pub async fn claim(db: &Db, now: DateTime<Utc>, lease: chrono::Duration) -> Result<Option<Job>> {
    claim_of(db, &[], now, lease).await
}

/// [`claim`] among the jobs of the given kinds only (every kind when `kinds` is empty): a
/// worker claims only what it has handlers for.
pub async fn claim_of(
    db: &Db,
    kinds: &[&str],
    now: DateTime<Utc>,
    lease: chrono::Duration,
) -> Result<Option<Job>> {
    let doing = "claiming a job";
    // The kinds are bound as $2, $3…: `$1` is the time.
    let of_kinds = if kinds.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 2)).collect();
        format!(" AND kind IN ({})", list.join(", "))
    };
    let now_text = timestamp(now);
    let locked_until = timestamp(now + lease);
    // Each pass either claims, or sees that another worker changed the candidate first; a
    // loser tries the next candidate. Bounded so a pathological race cannot spin forever.
    for _ in 0..32 {
        let mut tx = db.begin_write(doing).await?;
        let mut select = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM jobs WHERE {CLAIMABLE}{of_kinds} ORDER BY run_at, id LIMIT 1"
        )))
        .bind(&now_text);
        for kind in kinds {
            select = select.bind(*kind);
        }
        let candidate = select
            .fetch_optional(&mut *tx)
            .await
            .context(|| doing.to_owned())?;
        let Some(row) = candidate else {
            return Ok(None);
        };
        let job = job_from(&row, doing)?;
        if job.status == JobStatus::Running && job.attempts >= job.max_attempts {
            // Its worker died on the last attempt: give up rather than run it again.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE jobs SET status = 'failed', locked_until = NULL, finished_at = $1, \
                 last_error = $2 WHERE id = $3 AND {CLAIMABLE}"
            )))
            .bind(&now_text)
            .bind(format!(
                "the worker stopped during attempt {} of {} (lease expired)",
                job.attempts, job.max_attempts
            ))
            .bind(job.id)
            .execute(&mut *tx)
            .await
            .context(|| format!("{doing}: giving up job {}", job.id))?;
            tx.commit().await.context(|| doing.to_owned())?;
            tracing::warn!(job.id = job.id, job.kind = %job.kind, "job given up: lease expired on its last attempt");
            continue;
        }
        let claimed = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2 \
             WHERE id = $3 AND {CLAIMABLE}"
        )))
        .bind(&now_text)
        .bind(&locked_until)
        .bind(job.id)
        .execute(&mut *tx)
        .await
        .context(|| format!("{doing}: taking job {}", job.id))?;
        tx.commit().await.context(|| doing.to_owned())?;
        if claimed.rows_affected() == 1 {
            return Ok(Some(Job {
                status: JobStatus::Running,
                attempts: job.attempts + 1,
                locked_until: Some(parse_timestamp(&locked_until, doing)?),
                ..job
            }));
        }
    }
    Ok(None)
}

/// Marks a claimed job done. `false` when the claim was no longer the job's (see the module
/// documentation on fencing): another worker owns the job now, and nothing changed.
pub async fn complete(db: &Db, job: &Job, now: DateTime<Utc>) -> Result<bool> {
    let doing = format!("completing job {}", job.id);
    let mut tx = db.begin_write(&doing).await?;
    let done = sqlx::query(
        "UPDATE jobs SET status = 'done', locked_until = NULL, finished_at = $1 \
         WHERE id = $2 AND status = 'running' AND attempts = $3",
    )
    .bind(timestamp(now))
    .bind(job.id)
    .bind(i64::from(job.attempts))
    .execute(&mut *tx)
    .await
    .context(|| doing.clone())?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(done.rows_affected() == 1)
}

/// Records that a claimed job's attempt failed with `error`: queued again for `retry_at`
/// (see [`backoff`]), or failed for good when it has used its attempts.
pub async fn fail(
    db: &Db,
    job: &Job,
    error: &str,
    retry_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<FailOutcome> {
    let doing = format!("recording the failure of job {}", job.id);
    let give_up = job.attempts >= job.max_attempts;
    let mut tx = db.begin_write(&doing).await?;
    let query = if give_up {
        sqlx::query(
            "UPDATE jobs SET status = 'failed', locked_until = NULL, last_error = $1, \
             finished_at = $2 WHERE id = $3 AND status = 'running' AND attempts = $4",
        )
        .bind(error)
        .bind(timestamp(now))
    } else {
        sqlx::query(
            "UPDATE jobs SET status = 'queued', locked_until = NULL, last_error = $1, \
             run_at = $2 WHERE id = $3 AND status = 'running' AND attempts = $4",
        )
        .bind(error)
        .bind(timestamp(retry_at))
    };
    let changed = query
        .bind(job.id)
        .bind(i64::from(job.attempts))
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(match (changed.rows_affected(), give_up) {
        (0, _) => FailOutcome::Stale,
        (_, true) => FailOutcome::Failed,
        (_, false) => FailOutcome::Retrying(retry_at),
    })
}

/// How long to wait before retrying after the `attempt`-th attempt failed: one minute,
/// doubling each time, at most six hours.
pub fn backoff(attempt: u32) -> chrono::Duration {
    let minutes = 1_i64 << attempt.saturating_sub(1).min(9);
    chrono::Duration::minutes(minutes.min(6 * 60))
}

/// How many jobs are still to run: queued or running.
pub async fn queue_depth(db: &Db) -> Result<u64> {
    let doing = "counting queued jobs";
    let mut tx = db.read(doing).await?;
    let row =
        sqlx::query("SELECT COUNT(*) AS depth FROM jobs WHERE status IN ('queued', 'running')")
            .fetch_one(&mut *tx)
            .await
            .context(|| doing.to_owned())?;
    let depth: i64 = col(&row, "depth", doing)?;
    Ok(u64::try_from(depth).unwrap_or_default())
}

/// The job with id `id`.
pub async fn get(db: &Db, id: i64) -> Result<Option<Job>> {
    let doing = format!("reading job {id}");
    let mut tx = db.read(&doing).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM jobs WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
    .context(|| doing.clone())?;
    row.map(|row| job_from(&row, &doing)).transpose()
}

/// The jobs of a kind, oldest first.
pub async fn of_kind(db: &Db, kind: &str) -> Result<Vec<Job>> {
    let doing = format!("reading the jobs of kind {kind}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM jobs WHERE kind = $1 ORDER BY id"
    )))
    .bind(kind)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter().map(|row| job_from(row, &doing)).collect()
}

fn job_from(row: &AnyRow, doing: &str) -> Result<Job> {
    let payload: String = col(row, "payload", doing)?;
    let optional_time = |column: &str| -> Result<Option<DateTime<Utc>>> {
        col::<Option<String>>(row, column, doing)?
            .map(|t| parse_timestamp(&t, doing))
            .transpose()
    };
    Ok(Job {
        id: col(row, "id", doing)?,
        kind: col(row, "kind", doing)?,
        unique_key: col(row, "unique_key", doing)?,
        payload: serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt {
            context: doing.to_owned(),
            message: format!("bad job payload: {e}"),
        })?,
        run_at: parse_timestamp(&col::<String>(row, "run_at", doing)?, doing)?,
        attempts: count(col(row, "attempts", doing)?),
        max_attempts: count(col(row, "max_attempts", doing)?),
        status: JobStatus::parse(&col::<String>(row, "status", doing)?, doing)?,
        last_error: col(row, "last_error", doing)?,
        locked_until: optional_time("locked_until")?,
        created_at: parse_timestamp(&col::<String>(row, "created_at", doing)?, doing)?,
        finished_at: optional_time("finished_at")?,
    })
}

fn count(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

/// An instant as stored: RFC 3339 in UTC to the second (`2026-11-23T12:00:00Z`), a fixed
/// width so that text order is time order on both backends.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(crate) fn parse_timestamp(text: &str, context: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt {
            context: context.to_owned(),
            message: format!("bad timestamp «{text}»: {e}"),
        })
}
