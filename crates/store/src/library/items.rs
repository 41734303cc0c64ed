//! Library items with their provenances and attachments.
//!
//! Every write goes through one path (`write_one`) inside a write transaction, which decides
//! what an incoming item is:
//! 1. a provenance with an external id names the item: a re-send of the same (system,
//!    external id) updates that item (or changes nothing when it is the same), never makes a
//!    second one;
//! 2. otherwise the same normalised text ([`content_hash`]) is the same item: the incoming
//!    provenance is added to it instead of a second item;
//! 3. otherwise it is a new item.
//!
//! Each write that changes something records its change row (`changes::record`) and
//! its audit entry in the same transaction. A batch ([`write_batch`]) is one transaction: all
//! or nothing.

use chrono::{DateTime, NaiveDate, Utc};
use dongbo_domain::library::{ItemKind, Visibility};
use dongbo_domain::text;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use super::changes::{self, ChangeOp};
use crate::audit::{self, AuditEntry, timestamp, timestamp_from};
use crate::codec::{
    col, corrupt, date_from_text, date_text, enum_from_text, enum_text, flag, flag_from,
    list_from_json, list_json, position,
};
use crate::{Context, Db, Result, StoreError};

/// Whether text could be read from an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextStatus {
    Text,
    /// Kept, but no text could be read (an image-only PDF, a video).
    NoText,
}

/// A file of an item, kept by content with the evidence files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    pub sha256: String,
    pub name: String,
    /// The IANA media type.
    pub media_type: String,
    pub text_status: TextStatus,
}

/// What an item says: everything a writer gives (NFC, checked by the `library` crate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemData {
    pub title: String,
    pub summary: String,
    pub body: String,
    /// An ISO 639-1 code ("vi", "en").
    pub language: String,
    /// Whether a person set the language (else it was detected).
    pub language_overridden: bool,
    pub kind: ItemKind,
    /// The agency that owns it (its people always read it, its librarians edit it).
    pub owner: Option<String>,
    pub author: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub event_on: Option<NaiveDate>,
    pub rights: Option<String>,
    pub licence: Option<String>,
    pub visibility: Visibility,
    /// Topic codes.
    pub topics: Vec<String>,
    /// ISO 3166 codes.
    pub countries: Vec<String>,
    pub audiences: Vec<String>,
    /// Where the item is (a media product kept as a link, an article's page).
    pub link_url: Option<String>,
    /// The work the item belongs to, shared by its translations.
    pub work_id: Option<i64>,
    pub attachments: Vec<Attachment>,
}

/// Where an item came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// An agency's code or a system's name.
    pub system: String,
    /// The item's id in that system: with `system`, the key a re-send updates by.
    pub external_id: Option<String>,
    pub url: Option<String>,
    pub file_name: Option<String>,
    pub received_at: DateTime<Utc>,
}

/// An item as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: i64,
    #[serde(flatten)]
    pub data: ItemData,
    pub content_hash: Option<String>,
    pub provenances: Vec<Provenance>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// An item to write, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub data: ItemData,
    pub provenance: Option<Provenance>,
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    /// The same data again: nothing was written.
    Unchanged,
    /// The same text as an existing item: its provenance was added to that item.
    Merged,
}

/// The item a write landed on and what it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Written {
    pub id: i64,
    pub outcome: Outcome,
}

/// The SHA-256 (hex) of a body's normalised text — NFC, lower case, white space runs made one
/// space —, or `None` for an empty body (a video kept as a link has no text to compare).
/// Diacritics are kept: "đường" and "dương" are different texts.
pub fn content_hash(body: &str) -> Option<String> {
    let normal = text::nfc(body)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!normal.is_empty()).then(|| hex::encode(Sha256::digest(normal.as_bytes())))
}

/// Writes `incoming` as `write_one` decides (see the module documentation), in a transaction of its own.
pub async fn upsert(
    db: &Db,
    incoming: &Incoming,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Written> {
    let doing = format!("writing library item «{}»", incoming.data.title);
    let mut tx = db.begin_write(&doing).await?;
    let written = write_one(&mut tx, incoming, actor, at).await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(written)
}

/// Writes every item of `batch` in one transaction: all of them or, on any error, none.
pub async fn write_batch(
    db: &Db,
    batch: &[Incoming],
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Vec<Written>> {
    let doing = format!("writing {} library items", batch.len());
    let mut tx = db.begin_write(&doing).await?;
    let mut written = Vec::with_capacity(batch.len());
    for (index, incoming) in batch.iter().enumerate() {
        let one = write_one(&mut tx, incoming, actor, at)
            .await
            .map_err(|e| in_batch(e, index, &incoming.data.title))?;
        written.push(one);
    }
    tx.commit().await.context(|| doing.clone())?;
    Ok(written)
}

/// A file a batch's attachments name that is not stored yet (a dry run stores no file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingFile {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub name: String,
}

/// What [`write_batch`] would do, without doing it: the batch is written in a transaction
/// that is rolled back (with `pending` files recorded in it as if stored), so the outcomes
/// are exactly those a real run would have at this moment.
pub async fn preview_batch(
    db: &Db,
    batch: &[Incoming],
    pending: &[PendingFile],
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Vec<Written>> {
    let doing = format!("previewing {} library items", batch.len());
    let mut tx = db.begin_write(&doing).await?;
    for file in pending {
        sqlx::query(
            "INSERT INTO evidence_files (sha256, size, media_type, original_name, stored_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(file.sha256.clone())
        .bind(i64::try_from(file.size).unwrap_or(i64::MAX))
        .bind(file.media_type.clone())
        .bind(file.name.clone())
        .bind(timestamp(at))
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
    }
    let mut written = Vec::with_capacity(batch.len());
    for (index, incoming) in batch.iter().enumerate() {
        let one = write_one(&mut tx, incoming, actor, at)
            .await
            .map_err(|e| in_batch(e, index, &incoming.data.title))?;
        written.push(one);
    }
    tx.rollback().await.context(|| doing.clone())?;
    Ok(written)
}

/// Says which entry of a batch failed, keeping the error's kind.
fn in_batch(error: StoreError, index: usize, title: &str) -> StoreError {
    let at = format!("item {} of the batch («{title}»)", index + 1);
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

/// Replaces what item `id` says with `data` (its provenances stay); `NotFound` when there is
/// no such item.
pub async fn update(
    db: &Db,
    id: i64,
    data: &ItemData,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Written> {
    let doing = format!("changing library item {id}");
    let mut tx = db.begin_write(&doing).await?;
    let current = load(&mut tx, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("library item {id}")))?;
    let outcome = if current.data == *data {
        Outcome::Unchanged
    } else {
        rewrite(&mut tx, &current, data, actor, at).await?;
        Outcome::Updated
    };
    tx.commit().await.context(|| doing.clone())?;
    Ok(Written { id, outcome })
}

/// Removes item `id` with its provenances and attachment rows (the files stay, kept by
/// content); its delete change and audit entry are written with it.
pub async fn delete(db: &Db, id: i64, actor: &str, at: DateTime<Utc>) -> Result<()> {
    let doing = format!("removing library item {id}");
    let mut tx = db.begin_write(&doing).await?;
    delete_in(&mut tx, id, actor, at).await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(())
}

/// [`delete`] on `conn`, inside a write transaction (a merge of near-duplicates, a sync).
pub(crate) async fn delete_in(
    conn: &mut AnyConnection,
    id: i64,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let doing = format!("removing library item {id}");
    let current = load(conn, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("library item {id}")))?;
    super::duplicates::forget(conn, id).await?;
    for table in ["library_attachments", "library_provenances"] {
        let sql = format!("DELETE FROM {table} WHERE item_id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .execute(&mut *conn)
            .await
            .context(|| doing.clone())?;
    }
    sqlx::query("DELETE FROM library_items WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .context(|| doing.clone())?;
    changes::record(conn, id, ChangeOp::Delete, at).await?;
    audit::append(
        conn,
        at,
        &entry(
            actor,
            "library_item.delete",
            id,
            Some(audit_view(&current)),
            None,
        ),
    )
    .await?;
    Ok(())
}

/// The item `id`, or `None`.
pub async fn get(db: &Db, id: i64) -> Result<Option<Item>> {
    let mut tx = db.read(&format!("reading library item {id}")).await?;
    load(&mut tx, id).await
}

/// The item a (system, external id) pair names.
pub async fn find_by_key(db: &Db, system: &str, external_id: &str) -> Result<Option<i64>> {
    let mut conn = db.read_one("finding a library item by its key").await?;
    by_key(&mut conn, system, external_id).await
}

/// The item whose normalised text has this [`content_hash`].
pub async fn by_content_hash(db: &Db, hash: &str) -> Result<Option<i64>> {
    let mut conn = db.read_one("finding a library item by its text").await?;
    by_hash(&mut conn, hash).await
}

/// How many items there are.
pub async fn count(db: &Db) -> Result<i64> {
    let doing = "counting library items";
    let mut conn = db.read_one(doing).await?;
    sqlx::query_scalar("SELECT COUNT(*) FROM library_items")
        .fetch_one(&mut *conn)
        .await
        .context(|| doing.to_owned())
}

/// Decides what `incoming` is (see the module documentation) and writes it on `conn`, inside
/// a write transaction.
pub(crate) async fn write_one(
    conn: &mut AnyConnection,
    incoming: &Incoming,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Written> {
    let keyed = incoming
        .provenance
        .as_ref()
        .and_then(|p| p.external_id.as_deref().map(|e| (p, e)));
    if let Some((provenance, external_id)) = keyed
        && let Some(id) = by_key(conn, &provenance.system, external_id).await?
    {
        let current = load(conn, id)
            .await?
            .ok_or_else(|| corrupt("reading a keyed library item", format!("item {id} is gone")))?;
        let same_source = current.provenances.iter().any(|p| {
            p.system == provenance.system
                && p.external_id == provenance.external_id
                && p.url == provenance.url
                && p.file_name == provenance.file_name
        });
        // A source whose copy was merged into an item does not own the item's data: its
        // re-send of the same text changes nothing (else two sources of one text would undo
        // each other's metadata at every import).
        let owns = current.provenances.first().is_some_and(|p| {
            p.system == provenance.system && p.external_id.as_deref() == Some(external_id)
        });
        let same_text = content_hash(&incoming.data.body)
            .is_some_and(|hash| current.content_hash.as_deref() == Some(hash.as_str()));
        if (current.data == incoming.data && same_source) || (!owns && same_text) {
            return Ok(Written {
                id,
                outcome: Outcome::Unchanged,
            });
        }
        update_provenance(conn, provenance, external_id).await?;
        rewrite(conn, &current, &incoming.data, actor, at).await?;
        return Ok(Written {
            id,
            outcome: Outcome::Updated,
        });
    }
    if let Some(hash) = content_hash(&incoming.data.body)
        && let Some(id) = by_hash(conn, &hash).await?
    {
        return merge(conn, id, incoming.provenance.as_ref(), actor, at).await;
    }
    let id = insert(conn, &incoming.data, actor, at).await?;
    super::duplicates::fingerprint(conn, id, &incoming.data.title, &incoming.data.body, at).await?;
    if let Some(provenance) = &incoming.provenance {
        insert_provenance(conn, id, provenance).await?;
    }
    let item = load(conn, id)
        .await?
        .ok_or_else(|| corrupt("reading a new library item", format!("item {id} is gone")))?;
    changes::record(conn, id, ChangeOp::Upsert, at).await?;
    audit::append(
        conn,
        at,
        &entry(
            actor,
            "library_item.create",
            id,
            None,
            Some(audit_view(&item)),
        ),
    )
    .await?;
    Ok(Written {
        id,
        outcome: Outcome::Created,
    })
}

/// Adds `provenance` to item `id`, which has the same text; nothing when it already has it.
async fn merge(
    conn: &mut AnyConnection,
    id: i64,
    provenance: Option<&Provenance>,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Written> {
    let unchanged = Written {
        id,
        outcome: Outcome::Unchanged,
    };
    let Some(provenance) = provenance else {
        return Ok(unchanged);
    };
    let current = load(conn, id)
        .await?
        .ok_or_else(|| corrupt("merging into a library item", format!("item {id} is gone")))?;
    let known = current.provenances.iter().any(|p| {
        p.system == provenance.system
            && p.external_id == provenance.external_id
            && p.url == provenance.url
            && p.file_name == provenance.file_name
    });
    if known {
        return Ok(unchanged);
    }
    insert_provenance(conn, id, provenance).await?;
    changes::record(conn, id, ChangeOp::Upsert, at).await?;
    let after = json!({ "provenance": provenance });
    audit::append(
        conn,
        at,
        &entry(actor, "library_item.merge", id, None, Some(after)),
    )
    .await?;
    Ok(Written {
        id,
        outcome: Outcome::Merged,
    })
}

pub(crate) fn entry(
    actor: &str,
    action: &str,
    id: i64,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AuditEntry {
    AuditEntry {
        actor: actor.to_owned(),
        action: action.to_owned(),
        entity: "library_item".to_owned(),
        entity_id: id.to_string(),
        before,
        after,
    }
}

/// What the audit log keeps of an item: its metadata, and its body by hash (a body may be a
/// whole book).
pub(crate) fn audit_view(item: &Item) -> serde_json::Value {
    let data = &item.data;
    json!({
        "title": data.title,
        "kind": data.kind,
        "owner": data.owner,
        "language": data.language,
        "visibility": data.visibility,
        "topics": data.topics,
        "published_on": data.published_on,
        "content_hash": item.content_hash,
        "attachments": data.attachments.iter().map(|a| &a.sha256).collect::<Vec<_>>(),
    })
}

/// Binds what `data` says to $1 … $20, in the column order both the insert and the update
/// of an item name them (`title` … `work_id`, the content hash computed here).
fn bind_data<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    data: &ItemData,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    query
        .bind(data.title.clone())
        .bind(data.summary.clone())
        .bind(data.body.clone())
        .bind(data.language.clone())
        .bind(flag(data.language_overridden))
        .bind(enum_text(&data.kind))
        .bind(data.owner.clone())
        .bind(data.author.clone())
        .bind(date_text(data.published_on))
        .bind(date_text(data.event_on))
        .bind(data.rights.clone())
        .bind(data.licence.clone())
        .bind(data.visibility.scope())
        .bind(list_json(data.visibility.agencies()))
        .bind(list_json(&data.topics))
        .bind(list_json(&data.countries))
        .bind(list_json(&data.audiences))
        .bind(data.link_url.clone())
        .bind(content_hash(&data.body))
        .bind(data.work_id)
}

/// Writes `data` over `current` and records the change.
pub(crate) async fn rewrite(
    conn: &mut AnyConnection,
    current: &Item,
    data: &ItemData,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let id = current.id;
    let doing = || format!("changing library item {id}");
    let hash = content_hash(&data.body);
    if let Some(hash) = &hash
        && let Some(other) = by_hash(conn, hash).await?
        && other != id
    {
        return Err(StoreError::Conflict(format!(
            "mục thư viện {other} đã có đúng nội dung này (library item {other} already has \
             this text)"
        )));
    }
    bind_data(
        sqlx::query(
            "UPDATE library_items SET title = $1, summary = $2, body = $3, language = $4, \
             language_overridden = $5, kind = $6, owner_code = $7, author = $8, \
             published_on = $9, event_on = $10, rights = $11, licence = $12, visibility = $13, \
             visible_to = $14, topics = $15, countries = $16, audiences = $17, link_url = $18, \
             content_hash = $19, work_id = $20, updated_at = $21, updated_by = $22 WHERE id = $23",
        ),
        data,
    )
    .bind(timestamp(at))
    .bind(actor.to_owned())
    .bind(id)
    .execute(&mut *conn)
    .await
    .context(doing)?;
    write_attachments(conn, id, &data.attachments).await?;
    if current.data.title != data.title || current.data.body != data.body {
        super::duplicates::fingerprint(conn, id, &data.title, &data.body, at).await?;
    }
    let after = load(conn, id).await?.ok_or_else(|| {
        corrupt(
            "reading a changed library item",
            format!("item {id} is gone"),
        )
    })?;
    changes::record(conn, id, ChangeOp::Upsert, at).await?;
    audit::append(
        conn,
        at,
        &entry(
            actor,
            "library_item.update",
            id,
            Some(audit_view(current)),
            Some(audit_view(&after)),
        ),
    )
    .await?;
    Ok(())
}

async fn insert(
    conn: &mut AnyConnection,
    data: &ItemData,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<i64> {
    let doing = || format!("adding library item «{}»", data.title);
    let row = bind_data(
        sqlx::query(
            "INSERT INTO library_items (title, summary, body, language, language_overridden, \
             kind, owner_code, author, published_on, event_on, rights, licence, visibility, \
             visible_to, topics, countries, audiences, link_url, content_hash, work_id, \
             created_at, created_by, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20, $21, $22, $21, $22) RETURNING id",
        ),
        data,
    )
    .bind(timestamp(at))
    .bind(actor.to_owned())
    .fetch_one(&mut *conn)
    .await
    .context(doing)?;
    let id: i64 = col(&row, "id", &doing())?;
    write_attachments(conn, id, &data.attachments).await?;
    Ok(id)
}

async fn write_attachments(
    conn: &mut AnyConnection,
    id: i64,
    attachments: &[Attachment],
) -> Result<()> {
    let doing = || format!("writing the files of library item {id}");
    sqlx::query("DELETE FROM library_attachments WHERE item_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .context(doing)?;
    for (index, attachment) in attachments.iter().enumerate() {
        sqlx::query(
            "INSERT INTO library_attachments (item_id, position, sha256, name, media_type, \
             text_status) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(position(index))
        .bind(attachment.sha256.clone())
        .bind(attachment.name.clone())
        .bind(attachment.media_type.clone())
        .bind(enum_text(&attachment.text_status))
        .execute(&mut *conn)
        .await
        .context(doing)?;
    }
    Ok(())
}

async fn insert_provenance(
    conn: &mut AnyConnection,
    id: i64,
    provenance: &Provenance,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO library_provenances (item_id, system, external_id, url, file_name, \
         received_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(provenance.system.clone())
    .bind(provenance.external_id.clone())
    .bind(provenance.url.clone())
    .bind(provenance.file_name.clone())
    .bind(timestamp(provenance.received_at))
    .execute(&mut *conn)
    .await
    .context(|| format!("recording where library item {id} came from"))?;
    Ok(())
}

/// A re-send's URL, file name and time replace the key's earlier ones.
async fn update_provenance(
    conn: &mut AnyConnection,
    provenance: &Provenance,
    external_id: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE library_provenances SET url = $3, file_name = $4, received_at = $5 \
         WHERE system = $1 AND external_id = $2",
    )
    .bind(provenance.system.clone())
    .bind(external_id.to_owned())
    .bind(provenance.url.clone())
    .bind(provenance.file_name.clone())
    .bind(timestamp(provenance.received_at))
    .execute(&mut *conn)
    .await
    .context(|| {
        format!(
            "updating the provenance {}:{external_id}",
            provenance.system
        )
    })?;
    Ok(())
}

pub(crate) async fn by_key(
    conn: &mut AnyConnection,
    system: &str,
    external_id: &str,
) -> Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT item_id FROM library_provenances WHERE system = $1 AND external_id = $2",
    )
    .bind(system.to_owned())
    .bind(external_id.to_owned())
    .fetch_optional(&mut *conn)
    .await
    .context(|| format!("finding the library item {system}:{external_id}"))
}

async fn by_hash(conn: &mut AnyConnection, hash: &str) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM library_items WHERE content_hash = $1")
        .bind(hash.to_owned())
        .fetch_optional(&mut *conn)
        .await
        .context(|| "finding a library item by its text".to_owned())
}

/// Item `id` with its provenances and attachments, on `conn`.
pub(crate) async fn load(conn: &mut AnyConnection, id: i64) -> Result<Option<Item>> {
    let doing = format!("reading library item {id}");
    let Some(row) = sqlx::query("SELECT * FROM library_items WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.clone())?
    else {
        return Ok(None);
    };
    let attachments = sqlx::query(
        "SELECT sha256, name, media_type, text_status FROM library_attachments \
         WHERE item_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.clone())?
    .iter()
    .map(|row| attachment_from(row, &doing))
    .collect::<Result<Vec<_>>>()?;
    let provenances = sqlx::query(
        "SELECT system, external_id, url, file_name, received_at FROM library_provenances \
         WHERE item_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.clone())?
    .iter()
    .map(|row| provenance_from(row, &doing))
    .collect::<Result<Vec<_>>>()?;
    item_from(&row, attachments, provenances, &doing).map(Some)
}

fn item_from(
    row: &AnyRow,
    attachments: Vec<Attachment>,
    provenances: Vec<Provenance>,
    doing: &str,
) -> Result<Item> {
    let text = |name: &str| col::<String>(row, name, doing);
    let optional = |name: &str| col::<Option<String>>(row, name, doing);
    let scope = text("visibility")?;
    let visible_to = list_from_json(&text("visible_to")?, doing)?;
    let visibility = Visibility::from_parts(&scope, visible_to)
        .ok_or_else(|| corrupt(doing, format!("bad visibility «{scope}»")))?;
    let data = ItemData {
        title: text("title")?,
        summary: text("summary")?,
        body: text("body")?,
        language: text("language")?,
        language_overridden: flag_from(col(row, "language_overridden", doing)?, doing)?,
        kind: enum_from_text(&text("kind")?, doing)?,
        owner: optional("owner_code")?,
        author: optional("author")?,
        published_on: date_from_text(optional("published_on")?, doing)?,
        event_on: date_from_text(optional("event_on")?, doing)?,
        rights: optional("rights")?,
        licence: optional("licence")?,
        visibility,
        topics: list_from_json(&text("topics")?, doing)?,
        countries: list_from_json(&text("countries")?, doing)?,
        audiences: list_from_json(&text("audiences")?, doing)?,
        link_url: optional("link_url")?,
        work_id: col(row, "work_id", doing)?,
        attachments,
    };
    Ok(Item {
        id: col(row, "id", doing)?,
        data,
        content_hash: optional("content_hash")?,
        provenances,
        created_at: timestamp_from(&text("created_at")?, doing)?,
        created_by: text("created_by")?,
        updated_at: timestamp_from(&text("updated_at")?, doing)?,
        updated_by: text("updated_by")?,
    })
}

fn attachment_from(row: &AnyRow, doing: &str) -> Result<Attachment> {
    Ok(Attachment {
        sha256: col(row, "sha256", doing)?,
        name: col(row, "name", doing)?,
        media_type: col(row, "media_type", doing)?,
        text_status: enum_from_text(&col::<String>(row, "text_status", doing)?, doing)?,
    })
}

fn provenance_from(row: &AnyRow, doing: &str) -> Result<Provenance> {
    Ok(Provenance {
        system: col(row, "system", doing)?,
        external_id: col(row, "external_id", doing)?,
        url: col(row, "url", doing)?,
        file_name: col(row, "file_name", doing)?,
        received_at: timestamp_from(&col::<String>(row, "received_at", doing)?, doing)?,
    })
}
