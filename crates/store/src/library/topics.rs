//! `library_topics`: the topic vocabulary, a tree. The shipped list (`data/library/topics.toml`,
//! read by `dongbo_domain::library::bundled_topics`) seeds an empty table; admins add and
//! rename topics after that, each change audited.
//!
//! `task_topics`: the topics a task is about, as its program's coordinator tagged it (a task
//! without a row is about its group's shipped topics; the `programs` crate decides that).

use chrono::{DateTime, Utc};
use dongbo_domain::library::Topic;
use serde::Serialize;
use serde_json::json;
use sqlx::AnyConnection;

use crate::audit::timestamp;
use crate::audit::{self, AuditEntry};
use crate::codec::{col, list_from_json, list_json, position};
use crate::{Context, Db, Result, StoreError};

/// A topic as stored, with its place among its siblings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredTopic {
    #[serde(flatten)]
    pub topic: Topic,
    pub position: i64,
}

/// Every topic, parents before children, in their order.
pub async fn all(db: &Db) -> Result<Vec<StoredTopic>> {
    let doing = "reading the library topics";
    let mut conn = db.read_one(doing).await?;
    let rows = sqlx::query(
        "SELECT code, parent_code, name_vi, name_en, position FROM library_topics \
         ORDER BY position",
    )
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    rows.iter()
        .map(|row| {
            Ok(StoredTopic {
                topic: Topic {
                    code: col(row, "code", doing)?,
                    parent: col(row, "parent_code", doing)?,
                    name_vi: col(row, "name_vi", doing)?,
                    name_en: col(row, "name_en", doing)?,
                },
                position: col(row, "position", doing)?,
            })
        })
        .collect()
}

/// Fills an empty vocabulary with `topics` (the shipped list), in one transaction; a
/// vocabulary that has any topic is left as its admins made it. Returns how many were added.
/// Like the agency directory, the shipped list is first-run data, not a person's change: it
/// is not audited (`actor` and `at` are for the log line).
pub async fn seed(db: &Db, topics: &[Topic], actor: &str, at: DateTime<Utc>) -> Result<usize> {
    let doing = "seeding the library topics";
    // Read first: a database that refuses writes, already seeded, is served as it is.
    let mut conn = db.read_one(doing).await?;
    let present: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM library_topics")
        .fetch_one(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    drop(conn);
    if present > 0 {
        return Ok(0);
    }
    let mut tx = db.begin_write(doing).await?;
    let present: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM library_topics")
        .fetch_one(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    if present > 0 {
        return Ok(0);
    }
    for (index, topic) in topics.iter().enumerate() {
        insert(&mut tx, topic, position(index)).await?;
    }
    tx.commit().await.context(|| doing.to_owned())?;
    tracing::info!(topics = topics.len(), actor, at = %at, "library topics seeded");
    Ok(topics.len())
}

/// Adds `topic` (last among all) or renames and moves the topic of its code. A parent must
/// exist and must not be the topic itself or under it.
pub async fn save(db: &Db, topic: &Topic, actor: &str, at: DateTime<Utc>) -> Result<()> {
    let doing = format!("saving library topic {}", topic.code);
    let mut tx = db.begin_write(&doing).await?;
    let existing = read_one(&mut tx, &topic.code).await?;
    if let Some(parent) = &topic.parent {
        let mut current = Some(parent.clone());
        // Walk up from the parent: reaching the topic itself would make a cycle.
        for _ in 0..10_000 {
            let Some(code) = current else { break };
            if code == topic.code {
                return Err(StoreError::Invalid(format!(
                    "chủ đề «{}» không thể nằm dưới chính nó (a topic cannot be under itself)",
                    topic.code
                )));
            }
            current = match read_one(&mut tx, &code).await? {
                Some(found) => found.parent,
                None if code == *parent => {
                    return Err(StoreError::Invalid(format!(
                        "không có chủ đề cha «{parent}» (no parent topic «{parent}»)"
                    )));
                }
                None => None,
            };
        }
    }
    match &existing {
        Some(_) => {
            sqlx::query(
                "UPDATE library_topics SET parent_code = $2, name_vi = $3, name_en = $4 \
                 WHERE code = $1",
            )
            .bind(topic.code.clone())
            .bind(topic.parent.clone())
            .bind(topic.name_vi.clone())
            .bind(topic.name_en.clone())
            .execute(&mut *tx)
            .await
            .context(|| doing.clone())?;
        }
        None => {
            let last: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(position), -1) FROM library_topics")
                    .fetch_one(&mut *tx)
                    .await
                    .context(|| doing.clone())?;
            insert(&mut tx, topic, last + 1).await?;
        }
    }
    audit::append(
        &mut tx,
        at,
        &AuditEntry {
            actor: actor.to_owned(),
            action: if existing.is_some() {
                "library_topic.update"
            } else {
                "library_topic.create"
            }
            .to_owned(),
            entity: "library_topic".to_owned(),
            entity_id: topic.code.clone(),
            before: existing.map(|t| json!(t)),
            after: Some(json!(topic)),
        },
    )
    .await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(())
}

async fn read_one(conn: &mut AnyConnection, code: &str) -> Result<Option<Topic>> {
    let doing = format!("reading library topic {code}");
    let row = sqlx::query(
        "SELECT code, parent_code, name_vi, name_en FROM library_topics WHERE code = $1",
    )
    .bind(code.to_owned())
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.clone())?;
    row.map(|row| {
        Ok(Topic {
            code: col(&row, "code", &doing)?,
            parent: col(&row, "parent_code", &doing)?,
            name_vi: col(&row, "name_vi", &doing)?,
            name_en: col(&row, "name_en", &doing)?,
        })
    })
    .transpose()
}

async fn insert(conn: &mut AnyConnection, topic: &Topic, position: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO library_topics (code, parent_code, name_vi, name_en, position) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(topic.code.clone())
    .bind(topic.parent.clone())
    .bind(topic.name_vi.clone())
    .bind(topic.name_en.clone())
    .bind(position)
    .execute(&mut *conn)
    .await
    .context(|| format!("adding library topic {}", topic.code))?;
    Ok(())
}

/// The topics task `task_code` of program `program_id` was tagged with, or `None` when it never
/// was.
pub async fn of_task(db: &Db, program_id: i64, task_code: &str) -> Result<Option<Vec<String>>> {
    let doing = format!("reading the topics of task {task_code} of program {program_id}");
    let mut conn = db.read_one(&doing).await?;
    let stored: Option<String> = sqlx::query_scalar(
        "SELECT topics FROM task_topics WHERE program_id = $1 AND task_code = $2",
    )
    .bind(program_id)
    .bind(task_code.to_owned())
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.clone())?;
    stored.map(|text| list_from_json(&text, &doing)).transpose()
}

/// Tags task `task_code` of program `program_id` with `topics` (each a topic of the
/// vocabulary, else nothing is written), replacing what it had, audited.
pub async fn set_for_task(
    db: &Db,
    program_id: i64,
    task_code: &str,
    topics: &[String],
    actor: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let doing = format!("tagging task {task_code} of program {program_id} with topics");
    let mut tx = db.begin_write(&doing).await?;
    for code in topics {
        if read_one(&mut tx, code).await?.is_none() {
            return Err(StoreError::Invalid(format!(
                "không có chủ đề «{code}» (no topic «{code}»)"
            )));
        }
    }
    let before: Option<String> = sqlx::query_scalar(
        "SELECT topics FROM task_topics WHERE program_id = $1 AND task_code = $2",
    )
    .bind(program_id)
    .bind(task_code.to_owned())
    .fetch_optional(&mut *tx)
    .await
    .context(|| doing.clone())?;
    sqlx::query(
        "INSERT INTO task_topics (program_id, task_code, topics, set_at, set_by) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (program_id, task_code) DO UPDATE \
         SET topics = excluded.topics, set_at = excluded.set_at, set_by = excluded.set_by",
    )
    .bind(program_id)
    .bind(task_code.to_owned())
    .bind(list_json(topics))
    .bind(timestamp(at))
    .bind(actor.to_owned())
    .execute(&mut *tx)
    .await
    .context(|| doing.clone())?;
    let before = before
        .map(|text| list_from_json(&text, &doing))
        .transpose()?;
    audit::append(
        &mut tx,
        at,
        &AuditEntry {
            actor: actor.to_owned(),
            action: "task.topics".to_owned(),
            entity: "task".to_owned(),
            entity_id: format!("{program_id}/{task_code}"),
            before: before.map(|topics| json!({ "topics": topics })),
            after: Some(json!({ "topics": topics })),
        },
    )
    .await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(())
}
