//! `library_followed`: the other Đồng Bộ instances whose change feed this one follows, each
//! with its cursor, and [`apply_page`], which writes a page of their changes.
//!
//! A page is applied in one transaction with the cursor that covers it: after a crash either
//! the whole page and its cursor are stored, or neither, and the next run asks for the same
//! page again. Applying a change twice is harmless as well (an upsert of the same data is
//! unchanged, a delete of a copy already gone does nothing), so a cursor set back — or lost
//! with a restored backup — converges too.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::AnyConnection;

use super::changes::{self, ChangeOp};
use super::items::{self, Incoming, Outcome};
use crate::audit::{self, AuditEntry, timestamp, timestamp_from};
use crate::codec::col;
use crate::{Context, Db, Result, StoreError};

/// An instance this one follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Followed {
    pub id: i64,
    /// Its base URL (`http://host:port`, no trailing slash).
    pub url: String,
    /// The provenance system its items are kept under.
    pub system: String,
    /// The last of its changes applied here.
    pub cursor: i64,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Why the last run stopped, when it failed (cleared by a page applied).
    pub last_error: Option<String>,
    pub upserts_applied: i64,
    pub deletes_applied: i64,
    pub created_at: DateTime<Utc>,
}

/// One remote change to apply.
#[derive(Debug, Clone)]
pub enum Applied {
    /// The remote item `external_id`, as it is now.
    Upsert {
        seq: i64,
        external_id: String,
        incoming: Box<Incoming>,
    },
    /// The remote item `external_id` is gone, or the follower may no longer read it.
    Delete { seq: i64, external_id: String },
}

impl Applied {
    pub fn seq(&self) -> i64 {
        match self {
            Applied::Upsert { seq, .. } | Applied::Delete { seq, .. } => *seq,
        }
    }
}

/// What a page did here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PageCounts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub deleted: u64,
}

impl PageCounts {
    pub fn add(&mut self, other: PageCounts) {
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.deleted += other.deleted;
    }

    /// Whether the page changed anything here.
    pub fn changed(&self) -> bool {
        self.created + self.updated + self.deleted > 0
    }
}

const COLUMNS: &str = "id, url, system, cursor, last_sync_at, last_error, upserts_applied, \
     deletes_applied, created_at";

/// The instance followed at `url`, registered (audited) on first use under `system`. A URL
/// already followed under another system name is refused (its copies are keyed by the name).
pub async fn follow(
    db: &Db,
    url: &str,
    system: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Followed> {
    let doing = format!("following the library of {url}");
    let mut tx = db.begin_write(&doing).await?;
    if let Some(known) = by_url(&mut tx, url).await? {
        if known.system != system {
            return Err(StoreError::Invalid(format!(
                "{url} is followed under the system name «{}», not «{system}»",
                known.system
            )));
        }
        tx.rollback().await.context(|| doing.clone())?;
        return Ok(known);
    }
    let taken: Option<String> =
        sqlx::query_scalar("SELECT url FROM library_followed WHERE system = $1")
            .bind(system.to_owned())
            .fetch_optional(&mut *tx)
            .await
            .context(|| doing.clone())?;
    if let Some(other) = taken {
        return Err(StoreError::Invalid(format!(
            "the system name «{system}» is already the one of {other}"
        )));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO library_followed (url, system, cursor, upserts_applied, deletes_applied, \
         created_at) VALUES ($1, $2, 0, 0, 0, $3) RETURNING id",
    )
    .bind(url.to_owned())
    .bind(system.to_owned())
    .bind(timestamp(at))
    .fetch_one(&mut *tx)
    .await
    .context(|| doing.clone())?;
    audit::append(
        &mut tx,
        at,
        &AuditEntry {
            actor: actor.to_owned(),
            action: "library_followed.create".to_owned(),
            entity: "library_followed".to_owned(),
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({ "url": url, "system": system })),
        },
    )
    .await?;
    let followed = by_url(&mut tx, url)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("the followed instance {url}")))?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(followed)
}

/// Every followed instance.
pub async fn all(db: &Db) -> Result<Vec<Followed>> {
    let doing = "reading the followed instances";
    let mut conn = db.read_one(doing).await?;
    let sql = format!("SELECT {COLUMNS} FROM library_followed ORDER BY id");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.to_owned())?
        .iter()
        .map(|row| followed_from(row, doing))
        .collect()
}

/// The followed instance at `url`, if any.
pub async fn find(db: &Db, url: &str) -> Result<Option<Followed>> {
    let mut conn = db.read_one("reading a followed instance").await?;
    by_url(&mut conn, url).await
}

async fn by_url(conn: &mut AnyConnection, url: &str) -> Result<Option<Followed>> {
    let doing = format!("reading the followed instance {url}");
    let sql = format!("SELECT {COLUMNS} FROM library_followed WHERE url = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(url.to_owned())
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.clone())?
        .map(|row| followed_from(&row, &doing))
        .transpose()
}

fn followed_from(row: &sqlx::any::AnyRow, doing: &str) -> Result<Followed> {
    let time = |name: &str| -> Result<Option<DateTime<Utc>>> {
        col::<Option<String>>(row, name, doing)?
            .map(|t| timestamp_from(&t, doing))
            .transpose()
    };
    Ok(Followed {
        id: col(row, "id", doing)?,
        url: col(row, "url", doing)?,
        system: col(row, "system", doing)?,
        cursor: col(row, "cursor", doing)?,
        last_sync_at: time("last_sync_at")?,
        last_error: col(row, "last_error", doing)?,
        upserts_applied: col(row, "upserts_applied", doing)?,
        deletes_applied: col(row, "deletes_applied", doing)?,
        created_at: timestamp_from(&col::<String>(row, "created_at", doing)?, doing)?,
    })
}

/// Applies `page` (changes of `followed` after its cursor `from`, in order) and moves the
/// cursor to `to`, in one transaction: all of it or, on any error, nothing. Refused when the
/// cursor is no longer `from` (another run applied the page meanwhile).
pub async fn apply_page(
    db: &Db,
    followed: &Followed,
    from: i64,
    to: i64,
    page: &[Applied],
    actor: &str,
    at: DateTime<Utc>,
) -> Result<PageCounts> {
    let doing = format!("applying the changes {}–{to} of {}", from + 1, followed.url);
    let mut tx = db.begin_write(&doing).await?;
    let cursor: i64 = sqlx::query_scalar("SELECT cursor FROM library_followed WHERE id = $1")
        .bind(followed.id)
        .fetch_one(&mut *tx)
        .await
        .context(|| doing.clone())?;
    if cursor != from {
        return Err(StoreError::Conflict(format!(
            "another sync of {} moved its cursor from {from} to {cursor}",
            followed.url
        )));
    }
    let mut counts = PageCounts::default();
    for change in page {
        apply_one(&mut tx, followed, change, &mut counts, actor, at)
            .await
            .map_err(|error| at_change(error, change, &followed.url))?;
    }
    sqlx::query(
        "UPDATE library_followed SET cursor = $2, last_sync_at = $3, last_error = NULL, \
         upserts_applied = upserts_applied + $4, deletes_applied = deletes_applied + $5 \
         WHERE id = $1",
    )
    .bind(followed.id)
    .bind(to)
    .bind(timestamp(at))
    .bind(i64::try_from(counts.created + counts.updated).unwrap_or(i64::MAX))
    .bind(i64::try_from(counts.deleted).unwrap_or(i64::MAX))
    .execute(&mut *tx)
    .await
    .context(|| doing.clone())?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(counts)
}

/// Names the remote change an error happened at, keeping the error's kind.
fn at_change(error: StoreError, change: &Applied, url: &str) -> StoreError {
    let at = format!("change {} of {url}", change.seq());
    match error {
        StoreError::Invalid(why) => StoreError::Invalid(format!("{at}: {why}")),
        StoreError::Conflict(why) => StoreError::Conflict(format!("{at}: {why}")),
        StoreError::Database { context, source } => StoreError::Database {
            context: format!("{at}: {context}"),
            source,
        },
        other => other,
    }
}

async fn apply_one(
    conn: &mut AnyConnection,
    followed: &Followed,
    change: &Applied,
    counts: &mut PageCounts,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    match change {
        Applied::Upsert { incoming, .. } => {
            match items::write_one(conn, incoming, actor, at).await?.outcome {
                Outcome::Created | Outcome::Merged => counts.created += 1,
                Outcome::Updated => counts.updated += 1,
                Outcome::Unchanged => counts.unchanged += 1,
            }
        }
        Applied::Delete { external_id, .. } => {
            if remove_copy(conn, &followed.system, external_id, actor, at).await? {
                counts.deleted += 1;
            } else {
                counts.unchanged += 1;
            }
        }
    }
    Ok(())
}

/// Removes the copy of remote item `external_id`: the item, or only this provenance when the
/// item has others (the same text came from elsewhere too, and stays). `false` when there was
/// no copy.
async fn remove_copy(
    conn: &mut AnyConnection,
    system: &str,
    external_id: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let Some(id) = items::by_key(conn, system, external_id).await? else {
        return Ok(false);
    };
    let item = items::load(conn, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("library item {id}")))?;
    if item.provenances.len() <= 1 {
        items::delete_in(conn, id, actor, at).await?;
        return Ok(true);
    }
    sqlx::query("DELETE FROM library_provenances WHERE system = $1 AND external_id = $2")
        .bind(system.to_owned())
        .bind(external_id.to_owned())
        .execute(&mut *conn)
        .await
        .context(|| format!("removing the provenance {system}:{external_id}"))?;
    changes::record(conn, id, ChangeOp::Upsert, at).await?;
    audit::append(
        conn,
        at,
        &items::entry(
            actor,
            "library_item.unlink",
            id,
            Some(json!({ "provenance": { "system": system, "external_id": external_id } })),
            None,
        ),
    )
    .await?;
    Ok(true)
}

/// Records why a run of `followed` stopped (its status, shown by `dongbo library sync`; not an
/// audited change of the library).
pub async fn record_error(
    db: &Db,
    followed: &Followed,
    error: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let doing = format!("recording the sync error of {}", followed.url);
    let mut tx = db.begin_write(&doing).await?;
    sqlx::query("UPDATE library_followed SET last_error = $2, last_sync_at = $3 WHERE id = $1")
        .bind(followed.id)
        .bind(error.to_owned())
        .bind(timestamp(at))
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(())
}
