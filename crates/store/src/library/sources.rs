//! `library_sources`: the library's pull sources (issue 20, "Pull") — an agency's site feed or
//! sitemap, polled on a schedule — and `library_source_entries`, what each entry looked like
//! when it was last stored.
//!
//! The poller lives in the `library` crate; this module keeps what the database must:
//! - a source is registered, enabled again, asked to be polled soon and given each poll's
//!   outcome (validators, status, error, failures in a row, the next poll, a disabling) in
//!   transactions of their own, each with its audit entry;
//! - a due source is *claimed* by moving its next poll forward in a conditional update
//!   ([`claim`]): of two servers on one PostgreSQL, only the one whose update matched polls it.
//!   The claim is a lease, not a change of what the source is: it is not audited (the poll's
//!   outcome, written at its end, is);
//! - an entry becomes an item through the items' one write path, with its fingerprint row, in
//!   one transaction ([`store_entry`]): never half an entry.

use chrono::{DateTime, Utc};
use dongbo_domain::library::Visibility;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use super::items::{self, Incoming, Written};
use crate::audit::{self, AuditEntry, timestamp, timestamp_from};
use crate::codec::{col, list_from_json, list_json};
use crate::{Context, Db, Result, StoreError};

/// What a source is: a feed (RSS, Atom, JSON Feed) or a sitemap (`urlset`, `sitemapindex`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Feed,
    Sitemap,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::Sitemap => "sitemap",
        }
    }

    /// The kind named `text` (`feed`, `sitemap`).
    pub fn parse(text: &str) -> Option<SourceKind> {
        match text {
            "feed" => Some(SourceKind::Feed),
            "sitemap" => Some(SourceKind::Sitemap),
            _ => None,
        }
    }
}

/// A source to register (checked by the `library` crate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSource {
    /// The agency whose items its entries become.
    pub owner: String,
    pub kind: SourceKind,
    pub url: String,
    pub name: String,
    pub poll_minutes: i64,
    /// Who may read the items its entries become.
    pub visibility: Visibility,
}

/// A source as stored, with its health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub id: i64,
    pub owner: String,
    pub kind: SourceKind,
    pub url: String,
    pub name: String,
    pub poll_minutes: i64,
    /// Who may read the items its entries become (public for an agency's website; an
    /// intranet feed's are the government's or its agencies').
    pub visibility: Visibility,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_polled_at: Option<DateTime<Utc>>,
    /// The HTTP status of the last answer (304: nothing new); none when none came.
    pub last_status: Option<i64>,
    /// Why the last poll failed; none after a success.
    pub last_error: Option<String>,
    /// Failed polls in a row.
    pub failures: i64,
    pub next_poll_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    /// Items its entries made, and items they changed, over its life.
    pub items_created: i64,
    pub items_updated: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

impl Source {
    /// The provenance system its items carry: `source:<id>`, stable across renames and moves.
    pub fn system(&self) -> String {
        format!("source:{}", self.id)
    }
}

/// A poll's outcome, as the poller worked it out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PollRecord {
    pub status: Option<i64>,
    /// The validators to send next time (a 304 keeps the ones it had).
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub error: Option<String>,
    pub failures: i64,
    pub next_poll_at: Option<DateTime<Utc>>,
    /// Why the source is disabled by this poll (the failures reached the limit).
    pub disabled_reason: Option<String>,
    pub created: i64,
    pub updated: i64,
}

const COLUMNS: &str = "id, owner_code, kind, url, name, poll_minutes, visibility, visible_to, \
     etag, last_modified, \
     last_polled_at, last_status, last_error, failures, next_poll_at, disabled_at, \
     disabled_reason, items_created, items_updated, created_at, created_by";

/// Registers `source`, due at once. A URL registered already is a conflict naming its source.
pub async fn create(db: &Db, source: &NewSource, actor: &str, at: DateTime<Utc>) -> Result<i64> {
    let doing = format!("registering library source {}", source.url);
    let mut tx = db.begin_write(&doing).await?;
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM library_sources WHERE url = $1")
        .bind(source.url.clone())
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.clone())?;
    if let Some(id) = existing {
        return Err(StoreError::Conflict(format!(
            "địa chỉ này đã là nguồn {id} (this address is already source {id}): {}",
            source.url
        )));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO library_sources (owner_code, kind, url, name, poll_minutes, visibility, \
         visible_to, failures, next_poll_at, items_created, items_updated, created_at, \
         created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, 0, 0, $8, $9) RETURNING id",
    )
    .bind(source.owner.clone())
    .bind(source.kind.as_str())
    .bind(source.url.clone())
    .bind(source.name.clone())
    .bind(source.poll_minutes)
    .bind(source.visibility.scope())
    .bind(list_json(source.visibility.agencies()))
    .bind(timestamp(at))
    .bind(actor.to_owned())
    .fetch_one(&mut *tx)
    .await
    .context(|| doing.clone())?;
    let after = json!({
        "owner": source.owner, "kind": source.kind, "url": source.url, "name": source.name,
        "poll_minutes": source.poll_minutes, "visibility": source.visibility,
    });
    audit::append(
        &mut tx,
        at,
        &entry(actor, "library_source.create", id, None, Some(after)),
    )
    .await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(id)
}

/// Source `id`, or `None`.
pub async fn get(db: &Db, id: i64) -> Result<Option<Source>> {
    let doing = format!("reading library source {id}");
    let mut conn = db.read_one(&doing).await?;
    load(&mut conn, id).await
}

/// Every source, by owner then name.
pub async fn list(db: &Db) -> Result<Vec<Source>> {
    let doing = "listing library sources";
    let mut conn = db.read_one(doing).await?;
    let sql = format!("SELECT {COLUMNS} FROM library_sources ORDER BY owner_code, name, id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    rows.iter().map(|row| source(row, doing)).collect()
}

/// Up to `limit` enabled sources due at `now`, the longest waiting first.
pub async fn due(db: &Db, now: DateTime<Utc>, limit: i64) -> Result<Vec<Source>> {
    let doing = "finding the library sources due";
    let mut conn = db.read_one(doing).await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM library_sources WHERE disabled_at IS NULL AND next_poll_at <= $1 \
         ORDER BY next_poll_at, id LIMIT $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(timestamp(now))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    rows.iter().map(|row| source(row, doing)).collect()
}

/// Claims `source` for one poll: moves its next poll to `until` if it is still enabled and
/// still due when `seen` (the next poll this server read). `false`: another server claimed it
/// first, or it changed since (disabled, polled).
pub async fn claim(db: &Db, source: &Source, until: DateTime<Utc>) -> Result<bool> {
    let doing = format!("claiming library source {}", source.id);
    let mut tx = db.begin_write(&doing).await?;
    let claimed = sqlx::query(
        "UPDATE library_sources SET next_poll_at = $3 \
         WHERE id = $1 AND next_poll_at = $2 AND disabled_at IS NULL",
    )
    .bind(source.id)
    .bind(timestamp(source.next_poll_at))
    .bind(timestamp(until))
    .execute(&mut *tx)
    .await
    .context(|| doing.clone())?
    .rows_affected();
    tx.commit().await.context(|| doing.clone())?;
    Ok(claimed == 1)
}

/// Writes a poll's outcome on source `id`, with its audit entry (`library_source.poll`, or
/// `library_source.disable` when the poll disabled it).
pub async fn record_poll(
    db: &Db,
    id: i64,
    record: &PollRecord,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let doing = format!("recording a poll of library source {id}");
    let mut tx = db.begin_write(&doing).await?;
    let before = load(&mut tx, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("library source {id}")))?;
    let next = record.next_poll_at.unwrap_or(at);
    let disabled_at = record
        .disabled_reason
        .as_ref()
        .map(|_| timestamp(at))
        .or(before.disabled_at.map(timestamp));
    let disabled_reason = record
        .disabled_reason
        .clone()
        .or(before.disabled_reason.clone());
    sqlx::query(
        "UPDATE library_sources SET etag = $2, last_modified = $3, last_polled_at = $4, \
         last_status = $5, last_error = $6, failures = $7, next_poll_at = $8, disabled_at = $9, \
         disabled_reason = $10, items_created = items_created + $11, \
         items_updated = items_updated + $12 WHERE id = $1",
    )
    .bind(id)
    .bind(record.etag.clone())
    .bind(record.last_modified.clone())
    .bind(timestamp(at))
    .bind(record.status)
    .bind(record.error.clone())
    .bind(record.failures)
    .bind(timestamp(next))
    .bind(disabled_at)
    .bind(disabled_reason)
    .bind(record.created)
    .bind(record.updated)
    .execute(&mut *tx)
    .await
    .context(|| doing.clone())?;
    let action = if record.disabled_reason.is_some() {
        "library_source.disable"
    } else {
        "library_source.poll"
    };
    let after = json!({
        "status": record.status, "error": record.error, "failures": record.failures,
        "next_poll_at": timestamp(next), "disabled_reason": record.disabled_reason,
        "created": record.created, "updated": record.updated,
    });
    audit::append(
        &mut tx,
        at,
        &entry(actor, action, id, Some(health(&before)), Some(after)),
    )
    .await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(())
}

/// Enables source `id` again (an administrator's decision after it was disabled): its failures
/// forgotten, due at once.
pub async fn enable(db: &Db, id: i64, actor: &str, at: DateTime<Utc>) -> Result<()> {
    set_due(db, id, true, "library_source.enable", actor, at).await
}

/// Makes source `id` due at once ("poll now"): the next turn of a poller polls it.
pub async fn poll_soon(db: &Db, id: i64, actor: &str, at: DateTime<Utc>) -> Result<()> {
    set_due(db, id, false, "library_source.poll_now", actor, at).await
}

async fn set_due(
    db: &Db,
    id: i64,
    enable: bool,
    action: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let doing = format!("{action} of library source {id}");
    let mut tx = db.begin_write(&doing).await?;
    let before = load(&mut tx, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("library source {id}")))?;
    if !enable && before.disabled_at.is_some() {
        return Err(StoreError::WrongState(format!(
            "nguồn {id} đang bị tắt; hãy bật lại trước (source {id} is disabled; enable it first)"
        )));
    }
    let sql = if enable {
        "UPDATE library_sources SET next_poll_at = $2, failures = 0, disabled_at = NULL, \
         disabled_reason = NULL WHERE id = $1"
    } else {
        "UPDATE library_sources SET next_poll_at = $2 WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(id)
        .bind(timestamp(at))
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
    audit::append(
        &mut tx,
        at,
        &entry(
            actor,
            action,
            id,
            Some(health(&before)),
            Some(json!({ "next_poll_at": timestamp(at) })),
        ),
    )
    .await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(())
}

/// What changing a source's visibility did to the items its entries made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VisibilityChange {
    /// Items given the new visibility.
    pub changed: usize,
    /// Items that had it already.
    pub unchanged: usize,
    /// Items that came from elsewhere too (another source, a push, a file): their visibility
    /// is not this source's alone to decide, and stays.
    pub kept: usize,
}

/// Gives source `id` the visibility `visibility`, and every item its entries made alone the
/// same, in one transaction: a feed found to be an intranet's is hidden at once, items and
/// all, or not at all. Each item changed is recorded like any other change (the change feed,
/// the index, the audit log).
pub async fn set_visibility(
    db: &Db,
    id: i64,
    visibility: &Visibility,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<VisibilityChange> {
    let doing = format!("changing the visibility of library source {id}");
    let mut tx = db.begin_write(&doing).await?;
    let before = load(&mut tx, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("library source {id}")))?;
    sqlx::query("UPDATE library_sources SET visibility = $2, visible_to = $3 WHERE id = $1")
        .bind(id)
        .bind(visibility.scope())
        .bind(list_json(visibility.agencies()))
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
    let item_ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT item_id FROM library_source_entries WHERE source_id = $1 ORDER BY item_id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    let system = before.system();
    let mut change = VisibilityChange::default();
    for item_id in item_ids {
        // An entry's item merged away or deleted since: nothing of it to change.
        let Some(item) = items::load(&mut tx, item_id).await? else {
            continue;
        };
        if item.provenances.iter().any(|p| p.system != system) {
            change.kept += 1;
        } else if item.data.visibility == *visibility {
            change.unchanged += 1;
        } else {
            let mut data = item.data.clone();
            data.visibility = visibility.clone();
            items::rewrite(&mut tx, &item, &data, actor, at).await?;
            change.changed += 1;
        }
    }
    audit::append(
        &mut tx,
        at,
        &entry(
            actor,
            "library_source.visibility",
            id,
            Some(json!({ "visibility": before.visibility })),
            Some(json!({ "visibility": visibility, "items": change })),
        ),
    )
    .await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(change)
}

/// The fingerprint of the entry `external_id` of source `source_id` when it was last stored.
pub async fn entry_fingerprint(
    db: &Db,
    source_id: i64,
    external_id: &str,
) -> Result<Option<String>> {
    let doing = format!("reading an entry of library source {source_id}");
    let mut conn = db.read_one(&doing).await?;
    sqlx::query_scalar(
        "SELECT fingerprint FROM library_source_entries WHERE source_id = $1 AND external_id = $2",
    )
    .bind(source_id)
    .bind(external_id.to_owned())
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.clone())
}

/// Writes an entry of source `source_id` as an item (`incoming`, whose provenance names the
/// source and the entry) and its `fingerprint`, in one transaction.
pub async fn store_entry(
    db: &Db,
    source_id: i64,
    fingerprint: &str,
    incoming: &Incoming,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Written> {
    let external_id = incoming
        .provenance
        .as_ref()
        .and_then(|p| p.external_id.clone())
        .ok_or_else(|| StoreError::Invalid("an entry has no id".to_owned()))?;
    let doing = format!("storing entry «{external_id}» of library source {source_id}");
    let mut tx = db.begin_write(&doing).await?;
    let written = items::write_one(&mut tx, incoming, actor, at).await?;
    sqlx::query(
        "INSERT INTO library_source_entries (source_id, external_id, fingerprint, item_id, \
         seen_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source_id, external_id) DO UPDATE \
         SET fingerprint = excluded.fingerprint, item_id = excluded.item_id, \
         seen_at = excluded.seen_at",
    )
    .bind(source_id)
    .bind(external_id)
    .bind(fingerprint.to_owned())
    .bind(written.id)
    .bind(timestamp(at))
    .execute(&mut *tx)
    .await
    .context(|| doing.clone())?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(written)
}

async fn load(conn: &mut AnyConnection, id: i64) -> Result<Option<Source>> {
    let doing = format!("reading library source {id}");
    let sql = format!("SELECT {COLUMNS} FROM library_sources WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.clone())?;
    row.map(|row| source(&row, &doing)).transpose()
}

fn source(row: &AnyRow, doing: &str) -> Result<Source> {
    let time = |column: &str| -> Result<Option<DateTime<Utc>>> {
        col::<Option<String>>(row, column, doing)?
            .map(|text| timestamp_from(&text, doing))
            .transpose()
    };
    let kind: String = col(row, "kind", doing)?;
    let scope: String = col(row, "visibility", doing)?;
    let visible_to = list_from_json(&col::<String>(row, "visible_to", doing)?, doing)?;
    let visibility = Visibility::from_parts(&scope, visible_to)
        .ok_or_else(|| crate::codec::corrupt(doing, format!("bad visibility «{scope}»")))?;
    Ok(Source {
        id: col(row, "id", doing)?,
        owner: col(row, "owner_code", doing)?,
        kind: SourceKind::parse(&kind)
            .ok_or_else(|| crate::codec::corrupt(doing, format!("unknown kind «{kind}»")))?,
        url: col(row, "url", doing)?,
        name: col(row, "name", doing)?,
        poll_minutes: col(row, "poll_minutes", doing)?,
        visibility,
        etag: col(row, "etag", doing)?,
        last_modified: col(row, "last_modified", doing)?,
        last_polled_at: time("last_polled_at")?,
        last_status: col(row, "last_status", doing)?,
        last_error: col(row, "last_error", doing)?,
        failures: col(row, "failures", doing)?,
        next_poll_at: timestamp_from(&col::<String>(row, "next_poll_at", doing)?, doing)?,
        disabled_at: time("disabled_at")?,
        disabled_reason: col(row, "disabled_reason", doing)?,
        items_created: col(row, "items_created", doing)?,
        items_updated: col(row, "items_updated", doing)?,
        created_at: timestamp_from(&col::<String>(row, "created_at", doing)?, doing)?,
        created_by: col(row, "created_by", doing)?,
    })
}

/// What the audit log keeps of a source's health before a change.
fn health(source: &Source) -> serde_json::Value {
    json!({
        "url": source.url,
        "failures": source.failures,
        "next_poll_at": timestamp(source.next_poll_at),
        "disabled_reason": source.disabled_reason,
        "last_status": source.last_status,
    })
}

fn entry(
    actor: &str,
    action: &str,
    id: i64,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AuditEntry {
    AuditEntry {
        actor: actor.to_owned(),
        action: action.to_owned(),
        entity: "library_source".to_owned(),
        entity_id: id.to_string(),
        before,
        after,
    }
}
