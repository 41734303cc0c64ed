//! `library_changes`: the outbox and change feed. Every item write inserts its change row in
//! its own transaction (`record`); the search index drains it and a syncing instance follows
//! it ([`changes_after`]).
//!
//! Sequence numbers come from the one row of `library_head`, which every item writer updates
//! first: the row's lock is held until the writer commits, so numbers are given in commit
//! order and without gaps, on PostgreSQL as on SQLite (where `BEGIN IMMEDIATE` already admits
//! one writer). A reader that has seen `seq` N has therefore seen every change up to N, and
//! may safely resume after it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::AnyConnection;

use super::items::{self, Item};
use crate::audit::{timestamp, timestamp_from};
use crate::codec::{col, corrupt};
use crate::{Context, Db, Result};

/// What happened to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    /// Created or changed: read the item again.
    Upsert,
    /// Removed.
    Delete,
}

impl ChangeOp {
    fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Upsert => "upsert",
            ChangeOp::Delete => "delete",
        }
    }
}

/// One change, with the item as it is now for an upsert (`None` when it was deleted since: its
/// delete change follows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub seq: i64,
    pub item_id: i64,
    pub op: ChangeOp,
    pub at: DateTime<Utc>,
    pub item: Option<Item>,
}

/// Records a change of `item_id` on `conn`, inside the item's write transaction; returns its
/// sequence number.
pub(crate) async fn record(
    conn: &mut AnyConnection,
    item_id: i64,
    op: ChangeOp,
    at: DateTime<Utc>,
) -> Result<i64> {
    let doing = || format!("recording the change of library item {item_id}");
    let seq: i64 = sqlx::query_scalar(
        "UPDATE library_head SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq",
    )
    .fetch_one(&mut *conn)
    .await
    .context(doing)?;
    sqlx::query("INSERT INTO library_changes (seq, item_id, op, at) VALUES ($1, $2, $3, $4)")
        .bind(seq)
        .bind(item_id)
        .bind(op.as_str())
        .bind(timestamp(at))
        .execute(&mut *conn)
        .await
        .context(doing)?;
    Ok(seq)
}

/// The changes after `after`, in order, at most `limit` of them, each upsert with its item's
/// full data. All read in one snapshot, so an item is never newer than the last change given.
pub async fn changes_after(db: &Db, after: i64, limit: i64) -> Result<Vec<Change>> {
    let doing = format!("reading the library changes after {after}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT seq, item_id, op, at FROM library_changes WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after)
    .bind(limit.max(0))
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    let mut changes = Vec::with_capacity(rows.len());
    for row in &rows {
        let op = match col::<String>(row, "op", &doing)?.as_str() {
            "upsert" => ChangeOp::Upsert,
            "delete" => ChangeOp::Delete,
            other => return Err(corrupt(&doing, format!("unknown change «{other}»"))),
        };
        let item_id = col::<i64>(row, "item_id", &doing)?;
        let item = match op {
            ChangeOp::Upsert => items::load(&mut tx, item_id).await?,
            ChangeOp::Delete => None,
        };
        changes.push(Change {
            seq: col(row, "seq", &doing)?,
            item_id,
            op,
            at: timestamp_from(&col::<String>(row, "at", &doing)?, &doing)?,
            item,
        });
    }
    Ok(changes)
}

/// The sequence number of the last change (0 when there is none).
pub async fn last_seq(db: &Db) -> Result<i64> {
    let doing = "reading the last library change";
    let mut conn = db.read_one(doing).await?;
    sqlx::query_scalar("SELECT last_seq FROM library_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await
        .context(|| doing.to_owned())
}
