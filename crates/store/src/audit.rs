//! The append-only, hash-chained audit log (issue 3): who did what to which record, with the
//! record before and after.
//!
//! Each entry's `hash` is the hex SHA-256 of its `prev_hash` (the previous entry's hash; 64
//! zeros for the first) followed by the canonical JSON of the entry: an object with the keys
//! `seq, at, actor, action, entity, entity_id, before, after` in that order, where `before` and
//! `after` are the stored JSON texts (or `null`). Changing, removing or reordering any entry
//! breaks the chain from there on, and [`verify`] names the first entry that does not fit.
//!
//! [`append`] runs inside the caller's write transaction, so an entry exists exactly when the
//! change it records does. Appends are serialised through the one-row `audit_head` table:
//! the append begins with `UPDATE audit_head … RETURNING`, which on PostgreSQL holds that
//! row's lock until the transaction ends (a concurrent append waits, then sees the new head),
//! and on SQLite runs inside `BEGIN IMMEDIATE`, which already admits one writer at a time. The
//! same SQL on both; no advisory lock needed. The head's hash follows each inserted entry by a
//! trigger (migration 0016). On SQLite an append is two statements; on PostgreSQL, where each
//! is a round trip made while holding the head, it is one: the head is taken in a `WITH` and
//! PostgreSQL hashes the entry itself.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::codec::col;
use crate::{Context, Db, Result, StoreError};

/// `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, as a caller describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Who did it: a username, or `system` / `cli` for the program itself.
    pub actor: String,
    /// What was done, `entity.verb` ("user.create", "user.grant").
    pub action: String,
    /// The kind of record ("user", "session", "api_token").
    pub entity: String,
    /// Which record (a username, a token id).
    pub entity_id: String,
    /// The record before the change; never secrets.
    pub before: Option<serde_json::Value>,
    /// The record after the change; never secrets.
    pub after: Option<serde_json::Value>,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// How many entries were read.
    pub entries: i64,
    /// The first entry that does not fit the chain (changed, or after a gap); `None` when the
    /// whole chain holds.
    pub first_broken: Option<i64>,
    /// Why it does not fit.
    pub problem: Option<String>,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none()
    }
}

/// Which entries [`list`] returns; `None` fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
}

/// Timestamps as stored: RFC 3339 in UTC with microseconds, fixed width, so that they sort
/// and compare as text on both backends.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn timestamp_from(text: &str, context: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt {
            context: context.to_owned(),
            message: format!("bad timestamp «{text}»: {e}"),
        })
}

/// Appends `entry` at time `at` on `conn`, which must be inside a write transaction (from
/// `Db::begin_write`); returns its `seq`. The entry is committed or rolled back with the
/// caller's change.
pub async fn append(
    conn: &mut AnyConnection,
    at: DateTime<Utc>,
    entry: &AuditEntry,
) -> Result<i64> {
    append_after(conn, at, entry, None).await
}

/// Records `entry` at time `at` on its own, in a write transaction of its own: for what is
/// audited although nothing else is written (a refused review). Returns its `seq`.
pub async fn append_alone(db: &Db, at: DateTime<Utc>, entry: &AuditEntry) -> Result<i64> {
    let doing = format!(
        "recording {} on {} {}",
        entry.action, entry.entity, entry.entity_id
    );
    let mut tx = db.begin_write(&doing).await?;
    let seq = append(&mut tx, at, entry).await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(seq)
}

/// The placeholder of [`Preceding::id`] in [`Preceding::ctes`]: the entry's own values take
/// the ones before it.
pub(crate) const PRECEDING_ID: &str = "$10";

/// Writes that must come just before an audit entry and, on PostgreSQL, go in the entry's
/// own statement, saving the round trip between them: `ctes` are `WITH` queries (without the
/// `WITH`) whose [`PRECEDING_ID`] is `id` and whose last, named `last`, runs the others; they
/// run before the head is taken, so locks are taken in the same order as when they run apart.
pub(crate) struct Preceding {
    pub ctes: String,
    pub last: &'static str,
    pub id: i64,
}

/// [`append`] after `preceding`, which on SQLite (one writer at a time, no round trips) the
/// caller has run itself.
pub(crate) async fn append_after(
    conn: &mut AnyConnection,
    at: DateTime<Utc>,
    entry: &AuditEntry,
    preceding: Option<Preceding>,
) -> Result<i64> {
    let doing = || format!("appending «{}» to the audit log", entry.action);
    let at = timestamp(at);
    let before = entry.before.as_ref().map(serde_json::Value::to_string);
    let after = entry.after.as_ref().map(serde_json::Value::to_string);
    let canonical = |seq| Canonical {
        seq,
        at: &at,
        actor: &entry.actor,
        action: &entry.action,
        entity: &entry.entity,
        entity_id: &entry.entity_id,
        before: before.as_deref(),
        after: after.as_deref(),
    };
    if crate::on_postgres(conn) {
        // One statement, one round trip inside the head's lock: PostgreSQL takes the head and
        // hashes the entry itself (`sha256`, built in since PostgreSQL 11), over the same bytes
        // as [`chain_hash`]: the previous hash, then the canonical JSON, whose `seq` only the
        // head knows and which is spliced in before the rest.
        let rest = canonical_json(&canonical(0));
        let rest = rest
            .strip_prefix(SEQ_PREFIX)
            .and_then(|r| r.strip_prefix('0'));
        let Some(rest) = rest else {
            return Err(StoreError::Corrupt {
                context: doing(),
                message: "the canonical form of an entry does not start with its seq".to_owned(),
            });
        };
        // The head's row is locked only once its scan yields it, after the condition that
        // waits for `preceding`: its locks come first.
        let (with, wait) = match &preceding {
            Some(preceding) => (
                format!("{}, ", preceding.ctes),
                format!(" AND (SELECT count(*) FROM {}) >= 0", preceding.last),
            ),
            None => (String::new(), String::new()),
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "WITH {with}head AS (UPDATE audit_head SET seq = seq + 1 WHERE id = 1{wait} \
                RETURNING seq, hash) \
             INSERT INTO audit_log \
                (seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, \
                 hash) \
             SELECT seq, $1, $2, $3, $4, $5, $6, $7, hash, \
                encode(sha256(convert_to(hash || $8 || seq || $9, 'UTF8')), 'hex') FROM head \
             RETURNING seq"
        )))
        .bind(&at)
        .bind(&entry.actor)
        .bind(&entry.action)
        .bind(&entry.entity)
        .bind(&entry.entity_id)
        .bind(before.clone())
        .bind(after.clone())
        .bind(SEQ_PREFIX)
        .bind(rest.to_owned());
        if let Some(preceding) = preceding {
            query = query.bind(preceding.id);
        }
        let row = query.fetch_one(&mut *conn).await.context(doing)?;
        // The head takes the entry's hash by trigger (migration 0016).
        return col(&row, "seq", &doing());
    }
    // Taking the head first serialises appends (see the module documentation).
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await
        .context(doing)?;
    let seq: i64 = col(&head, "seq", &doing())?;
    let prev_hash: String = col(&head, "hash", &doing())?;
    let hash = chain_hash(&prev_hash, &canonical(seq));
    sqlx::query(
        "INSERT INTO audit_log \
            (seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(seq)
    .bind(&at)
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(&entry.entity)
    .bind(&entry.entity_id)
    .bind(before)
    .bind(after)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await
    .context(doing)?;
    // The head takes the entry's hash by trigger (migration 0016), in the insert's statement.
    Ok(seq)
}

/// The hashed form of an entry; field order is part of the format.
#[derive(Serialize)]
struct Canonical<'a> {
    seq: i64,
    at: &'a str,
    actor: &'a str,
    action: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
}

fn chain_hash(prev_hash: &str, entry: &Canonical<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical_json(entry).as_bytes());
    hex::encode(hasher.finalize())
}

/// How the canonical JSON of every entry begins, before its `seq`.
const SEQ_PREFIX: &str = "{\"seq\":";

fn canonical_json(entry: &Canonical<'_>) -> String {
    // Serialising a struct of strings and integers cannot fail.
    serde_json::to_string(entry).unwrap_or_default()
}

const COLUMNS: &str =
    "seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash";

/// Rows are read in pages: the log grows without bound.
const PAGE: i64 = 1000;

fn record_of(row: &AnyRow, doing: &str) -> Result<AuditRecord> {
    Ok(AuditRecord {
        seq: col(row, "seq", doing)?,
        at: col(row, "at", doing)?,
        actor: col(row, "actor", doing)?,
        action: col(row, "action", doing)?,
        entity: col(row, "entity", doing)?,
        entity_id: col(row, "entity_id", doing)?,
        before_json: col(row, "before_json", doing)?,
        after_json: col(row, "after_json", doing)?,
        prev_hash: col(row, "prev_hash", doing)?,
        hash: col(row, "hash", doing)?,
    })
}

/// Reads the whole log in order and checks every link: consecutive `seq` from 1, each
/// `prev_hash` equal to the previous `hash`, each `hash` recomputed from the entry, and the
/// head equal to the last entry (so removing the newest entries is found too).
pub async fn verify(db: &Db) -> Result<VerifyReport> {
    let doing = "verifying the audit log";
    let mut tx = db.read(doing).await?;
    let mut entries = 0;
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let broken = |seq: i64, entries: i64, problem: String| VerifyReport {
        entries,
        first_broken: Some(seq),
        problem: Some(problem),
    };
    loop {
        let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(expected_seq)
            .bind(PAGE)
            .fetch_all(&mut *tx)
            .await
            .context(|| doing.to_owned())?;
        let page_len = rows.len();
        for row in &rows {
            let entry = record_of(row, doing)?;
            entries += 1;
            if entry.seq != expected_seq {
                return Ok(broken(
                    expected_seq,
                    entries,
                    format!("entry {expected_seq} is missing (next is {})", entry.seq),
                ));
            }
            if entry.prev_hash != prev_hash {
                return Ok(broken(
                    entry.seq,
                    entries,
                    format!("entry {} does not follow the entry before it", entry.seq),
                ));
            }
            let recomputed = chain_hash(
                &entry.prev_hash,
                &Canonical {
                    seq: entry.seq,
                    at: &entry.at,
                    actor: &entry.actor,
                    action: &entry.action,
                    entity: &entry.entity,
                    entity_id: &entry.entity_id,
                    before: entry.before_json.as_deref(),
                    after: entry.after_json.as_deref(),
                },
            );
            if recomputed != entry.hash {
                return Ok(broken(
                    entry.seq,
                    entries,
                    format!("entry {} was changed after it was written", entry.seq),
                ));
            }
            prev_hash = entry.hash;
            expected_seq += 1;
        }
        if i64::try_from(page_len).unwrap_or(i64::MAX) < PAGE {
            break;
        }
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    let head_seq: i64 = col(&head, "seq", doing)?;
    let head_hash: String = col(&head, "hash", doing)?;
    if head_seq != expected_seq - 1 || head_hash != prev_hash {
        return Ok(broken(
            expected_seq,
            entries,
            format!(
                "the log ends at entry {} but {head_seq} entries were written",
                expected_seq - 1
            ),
        ));
    }
    Ok(VerifyReport {
        entries,
        first_broken: None,
        problem: None,
    })
}

/// Entries matching `filter`, newest first, `limit` of them after skipping `offset`.
pub async fn list(
    db: &Db,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<AuditRecord>> {
    let doing = "listing the audit log";
    let mut tx = db.read(doing).await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log \
         WHERE ($1 IS NULL OR actor = $2) AND ($3 IS NULL OR action = $4) \
           AND ($5 IS NULL OR entity = $6) AND ($7 IS NULL OR entity_id = $8) \
         ORDER BY seq DESC LIMIT $9 OFFSET $10"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for value in [
        &filter.actor,
        &filter.action,
        &filter.entity,
        &filter.entity_id,
    ] {
        query = query.bind(value.clone()).bind(value.clone());
    }
    let rows = query
        .bind(limit.max(0))
        .bind(offset.max(0))
        .fetch_all(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    rows.iter().map(|row| record_of(row, doing)).collect()
}

/// Writes the whole log, oldest first, as CSV with a header row (the stored columns); returns
/// the number of entries written. A cell a spreadsheet would run as a formula (one starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return: a username may start with `-` or `@`)
/// is written behind an apostrophe, which spreadsheets show as text (OWASP, "CSV injection").
/// The hashes are of the stored values, so verify the chain with `dongbo audit verify`.
pub async fn export_csv<W: std::io::Write>(db: &Db, out: W) -> Result<i64> {
    let doing = "exporting the audit log";
    let io_error = |source: std::io::Error| StoreError::Io {
        context: doing.to_owned(),
        source,
    };
    let mut tx = db.read(doing).await?;
    let mut writer = csv::Writer::from_writer(out);
    writer
        .write_record(COLUMNS.split(", "))
        .map_err(|e| io_error(e.into()))?;
    let mut after = 0;
    let mut written = 0;
    loop {
        let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after)
            .bind(PAGE)
            .fetch_all(&mut *tx)
            .await
            .context(|| doing.to_owned())?;
        for row in &rows {
            let r = record_of(row, doing)?;
            let seq = r.seq.to_string();
            writer
                .write_record(
                    [
                        seq.as_str(),
                        &r.at,
                        &r.actor,
                        &r.action,
                        &r.entity,
                        &r.entity_id,
                        r.before_json.as_deref().unwrap_or_default(),
                        r.after_json.as_deref().unwrap_or_default(),
                        &r.prev_hash,
                        &r.hash,
                    ]
                    .map(|cell| dongbo_domain::text::csv_cell(cell).into_owned()),
                )
                .map_err(|e| io_error(e.into()))?;
            after = r.seq;
            written += 1;
        }
        if i64::try_from(rows.len()).unwrap_or(i64::MAX) < PAGE {
            break;
        }
    }
    writer.flush().map_err(io_error)?;
    Ok(written)
}
