//! Near-duplicates: each item's signature (`library_fingerprints`, its band keys in
//! `library_fingerprint_bands`), written in the item's transaction (`fingerprint`), and the
//! pairs proposed for a person to merge or dismiss (`library_duplicate_proposals`).
//!
//! A write finds its candidates by index (the items sharing a band key with it), compares their
//! signatures and proposes those past `near_duplicate::THRESHOLD_PERCENT`. A pair already
//! decided (merged or dismissed) is never proposed again. A merge ([`merge`]) moves the other
//! item's provenances, topics, countries and citations to the kept item and removes the other
//! through the normal delete, so the change feed and the search index follow; all in one
//! transaction with its audit entry.

use chrono::{DateTime, Utc};
use dongbo_domain::near_duplicate::Signature;
use serde::Serialize;
use serde_json::json;
use sqlx::AnyConnection;

use super::changes::{self, ChangeOp};
use super::items::{self, Item};
use crate::audit::{self, timestamp, timestamp_from};
use crate::codec::{col, corrupt};
use crate::{Context, Db, Result, StoreError};

/// The most candidates one write compares (a boilerplate text shared by thousands of items
/// must not make a write slow): the nearest are not guaranteed beyond it.
const MAX_CANDIDATES: i64 = 200;

/// A proposal's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    Proposed,
    Merged,
    Dismissed,
}

impl ProposalState {
    fn as_str(self) -> &'static str {
        match self {
            ProposalState::Proposed => "proposed",
            ProposalState::Merged => "merged",
            ProposalState::Dismissed => "dismissed",
        }
    }

    fn parse(text: &str, doing: &str) -> Result<ProposalState> {
        match text {
            "proposed" => Ok(ProposalState::Proposed),
            "merged" => Ok(ProposalState::Merged),
            "dismissed" => Ok(ProposalState::Dismissed),
            other => Err(corrupt(doing, format!("unknown proposal state «{other}»"))),
        }
    }
}

/// Two items proposed as near-duplicates (`item_a` < `item_b`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub id: i64,
    pub item_a: i64,
    pub item_b: i64,
    /// The estimated share of their shingles in common, in percent.
    pub similarity: i64,
    pub state: ProposalState,
    pub proposed_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The item a merge kept.
    pub kept_item: Option<i64>,
}

/// Writes item `id`'s signature of `title` and `body` (replacing its earlier one) and proposes
/// the items near it; inside the item's write transaction.
pub(crate) async fn fingerprint(
    conn: &mut AnyConnection,
    id: i64,
    title: &str,
    body: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let doing = || format!("fingerprinting library item {id}");
    forget(conn, id).await?;
    let Some(signature) = Signature::of(title, body) else {
        return Ok(());
    };
    sqlx::query("INSERT INTO library_fingerprints (item_id, signature) VALUES ($1, $2)")
        .bind(id)
        .bind(signature.to_hex())
        .execute(&mut *conn)
        .await
        .context(doing)?;
    let bands = signature.bands();
    for (band, key) in bands.iter().enumerate() {
        sqlx::query(
            "INSERT INTO library_fingerprint_bands (item_id, band, band_key) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(band as i64)
        .bind(*key)
        .execute(&mut *conn)
        .await
        .context(doing)?;
    }
    for (other, other_signature) in candidates(conn, id, &bands).await? {
        if !signature.near(&other_signature) {
            continue;
        }
        let (a, b) = (id.min(other), id.max(other));
        // A pair decided before (dismissed, or merged and still both there) stays decided.
        sqlx::query(
            "INSERT INTO library_duplicate_proposals (item_a, item_b, similarity, state, \
             proposed_at) VALUES ($1, $2, $3, 'proposed', $4) \
             ON CONFLICT (item_a, item_b) DO NOTHING",
        )
        .bind(a)
        .bind(b)
        .bind(i64::from(signature.similarity(&other_signature)))
        .bind(timestamp(at))
        .execute(&mut *conn)
        .await
        .context(doing)?;
    }
    Ok(())
}

/// The items sharing a band key with `bands` (but `id`), with their signatures.
async fn candidates(
    conn: &mut AnyConnection,
    id: i64,
    bands: &[i64],
) -> Result<Vec<(i64, Signature)>> {
    let doing = format!("finding the near-duplicates of library item {id}");
    let terms: Vec<String> = (0..bands.len())
        .map(|band| format!("(band = {band} AND band_key = ${})", band + 2))
        .collect();
    let sql = format!(
        "SELECT f.item_id, f.signature FROM library_fingerprints f WHERE f.item_id IN \
         (SELECT item_id FROM library_fingerprint_bands WHERE item_id <> $1 AND ({})) \
         ORDER BY f.item_id LIMIT {MAX_CANDIDATES}",
        terms.join(" OR ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id);
    for key in bands {
        query = query.bind(*key);
    }
    let rows = query
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.clone())?;
    rows.iter()
        .map(|row| {
            let item = col::<i64>(row, "item_id", &doing)?;
            let hex = col::<String>(row, "signature", &doing)?;
            let signature = Signature::from_hex(&hex)
                .ok_or_else(|| corrupt(&doing, format!("bad signature of item {item}")))?;
            Ok((item, signature))
        })
        .collect()
}

async fn forget_signature(conn: &mut AnyConnection, id: i64) -> Result<()> {
    for table in ["library_fingerprint_bands", "library_fingerprints"] {
        let sql = format!("DELETE FROM {table} WHERE item_id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .execute(&mut *conn)
            .await
            .context(|| format!("removing the signature of library item {id}"))?;
    }
    Ok(())
}

/// Removes item `id`'s signature and its open proposals (it is being deleted); decided pairs
/// stay as the record of what a person decided.
pub(crate) async fn forget(conn: &mut AnyConnection, id: i64) -> Result<()> {
    forget_signature(conn, id).await?;
    sqlx::query(
        "DELETE FROM library_duplicate_proposals WHERE state = 'proposed' \
         AND (item_a = $1 OR item_b = $1)",
    )
    .bind(id)
    .execute(&mut *conn)
    .await
    .context(|| format!("removing the proposals of library item {id}"))?;
    Ok(())
}

/// Fingerprints every item that has no signature yet (items written before migration 0027),
/// at most `limit` of them, each in its own transaction; returns how many were done.
pub async fn backfill(db: &Db, limit: i64, at: DateTime<Utc>) -> Result<usize> {
    let doing = "finding library items without a signature";
    let ids: Vec<i64> = {
        let mut conn = db.read_one(doing).await?;
        sqlx::query_scalar(
            "SELECT id FROM library_items i WHERE NOT EXISTS \
             (SELECT 1 FROM library_fingerprints f WHERE f.item_id = i.id) \
             AND (i.body <> '' OR i.title <> '') ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.to_owned())?
    };
    for id in &ids {
        let doing = format!("fingerprinting library item {id}");
        let mut tx = db.begin_write(&doing).await?;
        if let Some(item) = items::load(&mut tx, *id).await? {
            fingerprint(&mut tx, *id, &item.data.title, &item.data.body, at).await?;
        }
        tx.commit().await.context(|| doing.clone())?;
    }
    Ok(ids.len())
}

const PROPOSAL_COLUMNS: &str = "id, item_a, item_b, similarity, state, proposed_at, \
     decided_by, decided_at, kept_item";

/// The open proposals, the most similar first, at most `limit`.
pub async fn open(db: &Db, limit: i64) -> Result<Vec<Proposal>> {
    let doing = "reading the proposed near-duplicates";
    let mut conn = db.read_one(doing).await?;
    let sql = format!(
        "SELECT {PROPOSAL_COLUMNS} FROM library_duplicate_proposals WHERE state = 'proposed' \
         ORDER BY similarity DESC, id LIMIT $1"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    rows.iter().map(|row| proposal_from(row, doing)).collect()
}

/// Proposal `id`, or `None`.
pub async fn get(db: &Db, id: i64) -> Result<Option<Proposal>> {
    let doing = format!("reading near-duplicate proposal {id}");
    let mut conn = db.read_one(&doing).await?;
    load(&mut conn, id).await
}

/// The proposal of the pair (`a`, `b`) in either order, or `None`.
pub async fn of_pair(db: &Db, a: i64, b: i64) -> Result<Option<Proposal>> {
    let doing = format!("reading the near-duplicate proposal of items {a} and {b}");
    let mut conn = db.read_one(&doing).await?;
    let sql = format!(
        "SELECT {PROPOSAL_COLUMNS} FROM library_duplicate_proposals \
         WHERE item_a = $1 AND item_b = $2"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(a.min(b))
        .bind(a.max(b))
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.clone())?
        .map(|row| proposal_from(&row, &doing))
        .transpose()
}

async fn load(conn: &mut AnyConnection, id: i64) -> Result<Option<Proposal>> {
    let doing = format!("reading near-duplicate proposal {id}");
    let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM library_duplicate_proposals WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.clone())?
        .map(|row| proposal_from(&row, &doing))
        .transpose()
}

fn proposal_from(row: &sqlx::any::AnyRow, doing: &str) -> Result<Proposal> {
    let decided_at = col::<Option<String>>(row, "decided_at", doing)?
        .map(|t| timestamp_from(&t, doing))
        .transpose()?;
    Ok(Proposal {
        id: col(row, "id", doing)?,
        item_a: col(row, "item_a", doing)?,
        item_b: col(row, "item_b", doing)?,
        similarity: col(row, "similarity", doing)?,
        state: ProposalState::parse(&col::<String>(row, "state", doing)?, doing)?,
        proposed_at: timestamp_from(&col::<String>(row, "proposed_at", doing)?, doing)?,
        decided_by: col(row, "decided_by", doing)?,
        decided_at,
        kept_item: col(row, "kept_item", doing)?,
    })
}

/// Proposal `id` as it must be to be decided: open.
async fn open_proposal(conn: &mut AnyConnection, id: i64) -> Result<Proposal> {
    let proposal = load(conn, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("near-duplicate proposal {id}")))?;
    if proposal.state != ProposalState::Proposed {
        return Err(StoreError::WrongState(format!(
            "đề xuất {id} đã được xử lý (proposal {id} was already {})",
            proposal.state.as_str()
        )));
    }
    Ok(proposal)
}

async fn decide(
    conn: &mut AnyConnection,
    id: i64,
    state: ProposalState,
    kept: Option<i64>,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE library_duplicate_proposals SET state = $2, decided_by = $3, decided_at = $4, \
         kept_item = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(state.as_str())
    .bind(actor.to_owned())
    .bind(timestamp(at))
    .bind(kept)
    .execute(&mut *conn)
    .await
    .context(|| format!("deciding near-duplicate proposal {id}"))?;
    Ok(())
}

fn proposal_entry(
    actor: &str,
    action: &str,
    proposal: &Proposal,
    after: serde_json::Value,
) -> audit::AuditEntry {
    audit::AuditEntry {
        actor: actor.to_owned(),
        action: action.to_owned(),
        entity: "library_duplicate_proposal".to_owned(),
        entity_id: proposal.id.to_string(),
        before: Some(json!({
            "item_a": proposal.item_a,
            "item_b": proposal.item_b,
            "similarity": proposal.similarity,
            "state": proposal.state,
        })),
        after: Some(after),
    }
}

/// Dismisses proposal `id`: the pair is never proposed again.
pub async fn dismiss(db: &Db, id: i64, actor: &str, at: DateTime<Utc>) -> Result<()> {
    let doing = format!("dismissing near-duplicate proposal {id}");
    let mut tx = db.begin_write(&doing).await?;
    let proposal = open_proposal(&mut tx, id).await?;
    decide(&mut tx, id, ProposalState::Dismissed, None, actor, at).await?;
    audit::append(
        &mut tx,
        at,
        &proposal_entry(
            actor,
            "library_duplicate.dismiss",
            &proposal,
            json!({ "state": "dismissed" }),
        ),
    )
    .await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(())
}

/// Merges the pair of proposal `id` into `keep` (one of its two items): the other's
/// provenances move to it, its topics and countries are added to the kept item's, the reports
/// citing it cite the kept item instead, and it is removed through the normal delete (its
/// change row tells the index and followers). One transaction, audited.
pub async fn merge(db: &Db, id: i64, keep: i64, actor: &str, at: DateTime<Utc>) -> Result<()> {
    let doing = format!("merging near-duplicate proposal {id}");
    let mut tx = db.begin_write(&doing).await?;
    let proposal = open_proposal(&mut tx, id).await?;
    let gone = if keep == proposal.item_a {
        proposal.item_b
    } else if keep == proposal.item_b {
        proposal.item_a
    } else {
        return Err(StoreError::Invalid(format!(
            "item {keep} is not one of the pair of proposal {id}"
        )));
    };
    let missing = |item: i64| StoreError::NotFound(format!("library item {item}"));
    let kept = items::load(&mut tx, keep)
        .await?
        .ok_or_else(|| missing(keep))?;
    let other = items::load(&mut tx, gone)
        .await?
        .ok_or_else(|| missing(gone))?;
    let moved_citations = move_citations(&mut tx, gone, keep).await?;
    sqlx::query("UPDATE library_provenances SET item_id = $2 WHERE item_id = $1")
        .bind(gone)
        .bind(keep)
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
    // Close the proposal before the delete, which removes only open ones.
    decide(&mut tx, id, ProposalState::Merged, Some(keep), actor, at).await?;
    items::delete_in(&mut tx, gone, actor, at).await?;
    let data = united(&kept, &other);
    if data == kept.data {
        // Its provenances changed: followers and the index read it again.
        changes::record(&mut tx, keep, ChangeOp::Upsert, at).await?;
    } else {
        items::rewrite(&mut tx, &kept, &data, actor, at).await?;
    }
    audit::append(
        &mut tx,
        at,
        &proposal_entry(
            actor,
            "library_duplicate.merge",
            &proposal,
            json!({
                "state": "merged",
                "kept": keep,
                "removed": gone,
                "provenances_moved": other.provenances.len(),
                "citations_moved": moved_citations,
            }),
        ),
    )
    .await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(())
}

/// The kept item's data with the other's topics and countries added.
fn united(kept: &Item, other: &Item) -> super::ItemData {
    let mut data = kept.data.clone();
    for topic in &other.data.topics {
        if !data.topics.contains(topic) {
            data.topics.push(topic.clone());
        }
    }
    for country in &other.data.countries {
        if !data.countries.contains(country) {
            data.countries.push(country.clone());
        }
    }
    data
}

/// Makes the report versions citing `gone` cite `keep` (a version already citing both keeps
/// one citation); returns how many citations moved.
async fn move_citations(conn: &mut AnyConnection, gone: i64, keep: i64) -> Result<u64> {
    let doing = || format!("moving the citations of library item {gone} to {keep}");
    sqlx::query(
        "DELETE FROM report_library_items WHERE item_id = $1 AND EXISTS \
         (SELECT 1 FROM report_library_items k WHERE k.item_id = $2 \
          AND k.report_id = report_library_items.report_id \
          AND k.version = report_library_items.version)",
    )
    .bind(gone)
    .bind(keep)
    .execute(&mut *conn)
    .await
    .context(doing)?;
    let moved = sqlx::query("UPDATE report_library_items SET item_id = $2 WHERE item_id = $1")
        .bind(gone)
        .bind(keep)
        .execute(&mut *conn)
        .await
        .context(doing)?
        .rows_affected();
    Ok(moved)
}
