//! Thông báo — in-app notifications for an agency (and optionally one of its users), the
//! e-mail addresses an agency is reached at, and the reminder outbox: reminders owed to an
//! agency that wait to be sent together in one digest.
//!
//! Every notice and reminder carries a dedupe key (rule + assignment + lead time, or the
//! like): recording it twice is a no-op, so planners can run as often as they like.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::codec::{col, date_from_text, date_text};
use crate::jobs::{self, Enqueued, NewJob, parse_timestamp, timestamp};
use crate::{Context, Db, Result, StoreError};

/// A notification to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub agency_code: String,
    /// One user of the agency, when the notice is for a person rather than the agency.
    pub user_id: Option<i64>,
    /// What it is about ("due_soon", "overdue", "returned", "manual").
    pub kind: String,
    pub title: String,
    pub body: String,
    /// A path in the application to open ("/programs/1/tasks/3.21").
    pub link: Option<String>,
    /// The same key is never notified twice.
    pub dedupe_key: String,
}

/// A stored notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub agency_code: String,
    pub user_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub dedupe_key: String,
}

/// What [`notify`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Notified {
    New(i64),
    /// A notification with the same dedupe key existed; nothing was written.
    Existing(i64),
}

/// Records a notification unless one with the same dedupe key exists.
pub async fn notify(db: &Db, notice: &NewNotification, now: DateTime<Utc>) -> Result<Notified> {
    let mut outcomes = notify_many(db, std::slice::from_ref(notice), now).await?;
    outcomes.pop().ok_or_else(|| StoreError::Corrupt {
        context: format!("notifying agency {}", notice.agency_code),
        message: "no outcome for the notification".to_owned(),
    })
}

/// Records each notification whose dedupe key is new, in one transaction; the outcomes are in
/// the order of `notices`.
pub async fn notify_many(
    db: &Db,
    notices: &[NewNotification],
    now: DateTime<Utc>,
) -> Result<Vec<Notified>> {
    if notices.is_empty() {
        return Ok(Vec::new());
    }
    let doing = format!("recording {} notification(s)", notices.len());
    let mut tx = db.begin_write(&doing).await?;
    let outcomes = notify_in(&mut tx, notices, now, &doing).await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(outcomes)
}

/// [`notify_many`] inside the caller's write transaction (a lock notified with its audit
/// entry).
pub(crate) async fn notify_in(
    tx: &mut sqlx::AnyConnection,
    notices: &[NewNotification],
    now: DateTime<Utc>,
    doing: &str,
) -> Result<Vec<Notified>> {
    let mut outcomes = Vec::with_capacity(notices.len());
    for notice in notices {
        let inserted = sqlx::query(
            "INSERT INTO notifications (agency_code, user_id, kind, title, body, link, \
             created_at, dedupe_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        )
        .bind(&notice.agency_code)
        .bind(notice.user_id)
        .bind(&notice.kind)
        .bind(&notice.title)
        .bind(&notice.body)
        .bind(notice.link.clone())
        .bind(timestamp(now))
        .bind(&notice.dedupe_key)
        .fetch_optional(&mut *tx)
        .await
        .context(|| format!("{doing}: {}", notice.dedupe_key))?;
        outcomes.push(match inserted {
            Some(row) => Notified::New(col(&row, "id", doing)?),
            None => {
                let row = sqlx::query("SELECT id FROM notifications WHERE dedupe_key = $1")
                    .bind(&notice.dedupe_key)
                    .fetch_one(&mut *tx)
                    .await
                    .context(|| doing.to_owned())?;
                Notified::Existing(col(&row, "id", doing)?)
            }
        });
    }
    Ok(outcomes)
}

/// The notifications of an agency, newest first; only the unread ones when `unread_only`.
pub async fn for_agency(
    db: &Db,
    agency_code: &str,
    unread_only: bool,
) -> Result<Vec<Notification>> {
    let doing = format!("reading the notifications of agency {agency_code}");
    let mut tx = db.read(&doing).await?;
    let unread = if unread_only {
        " AND read_at IS NULL"
    } else {
        ""
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, agency_code, user_id, kind, title, body, link, created_at, read_at, \
         dedupe_key FROM notifications WHERE agency_code = $1{unread} ORDER BY id DESC"
    )))
    .bind(agency_code)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter()
        .map(|row| notification_from(row, &doing))
        .collect()
}

/// Marks a notification read (the first reading time is kept). `false` when it does not exist.
pub async fn mark_read(db: &Db, id: i64, now: DateTime<Utc>) -> Result<bool> {
    let doing = format!("marking notification {id} read");
    let mut tx = db.begin_write(&doing).await?;
    sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND read_at IS NULL")
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
    let exists = sqlx::query("SELECT id FROM notifications WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.clone())?
        .is_some();
    tx.commit().await.context(|| doing.clone())?;
    Ok(exists)
}

fn notification_from(row: &AnyRow, doing: &str) -> Result<Notification> {
    Ok(Notification {
        id: col(row, "id", doing)?,
        agency_code: col(row, "agency_code", doing)?,
        user_id: col(row, "user_id", doing)?,
        kind: col(row, "kind", doing)?,
        title: col(row, "title", doing)?,
        body: col(row, "body", doing)?,
        link: col(row, "link", doing)?,
        created_at: parse_timestamp(&col::<String>(row, "created_at", doing)?, doing)?,
        read_at: col::<Option<String>>(row, "read_at", doing)?
            .map(|t| parse_timestamp(&t, doing))
            .transpose()?,
        dedupe_key: col(row, "dedupe_key", doing)?,
    })
}

/// Sets the e-mail addresses of an agency, replacing those it had (trimmed, empty ones and
/// repeats dropped).
pub async fn set_contacts(db: &Db, agency_code: &str, emails: &[String]) -> Result<()> {
    let doing = format!("setting the e-mail contacts of agency {agency_code}");
    let mut tx = db.begin_write(&doing).await?;
    sqlx::query("DELETE FROM agency_contacts WHERE agency_code = $1")
        .bind(agency_code)
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
    let mut seen = std::collections::BTreeSet::new();
    for email in emails.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        if !email.contains('@') {
            return Err(StoreError::Invalid(format!(
                "«{email}» is not an e-mail address"
            )));
        }
        if seen.insert(email) {
            sqlx::query("INSERT INTO agency_contacts (agency_code, email) VALUES ($1, $2)")
                .bind(agency_code)
                .bind(email)
                .execute(&mut *tx)
                .await
                .context(|| doing.clone())?;
        }
    }
    tx.commit().await.context(|| doing.clone())
}

/// Adds one e-mail address of an agency (a no-op when it is there).
pub async fn set_contact(db: &Db, agency_code: &str, email: &str) -> Result<()> {
    let mut emails = contacts(db, agency_code).await?;
    emails.push(email.to_owned());
    set_contacts(db, agency_code, &emails).await
}

/// The e-mail addresses of an agency, in text order.
pub async fn contacts(db: &Db, agency_code: &str) -> Result<Vec<String>> {
    let doing = format!("reading the e-mail contacts of agency {agency_code}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query("SELECT email FROM agency_contacts WHERE agency_code = $1")
        .bind(agency_code)
        .fetch_all(&mut *tx)
        .await
        .context(|| doing.clone())?;
    let mut emails = rows
        .iter()
        .map(|row| col::<String>(row, "email", &doing))
        .collect::<Result<Vec<_>>>()?;
    emails.sort();
    Ok(emails)
}

/// Every agency's e-mail addresses.
pub async fn all_contacts(db: &Db) -> Result<BTreeMap<String, Vec<String>>> {
    let doing = "reading the e-mail contacts of every agency";
    let mut tx = db.read(doing).await?;
    let rows = sqlx::query("SELECT agency_code, email FROM agency_contacts")
        .fetch_all(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    let mut all: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in &rows {
        all.entry(col(row, "agency_code", doing)?)
            .or_default()
            .push(col(row, "email", doing)?);
    }
    all.values_mut().for_each(|emails| emails.sort());
    Ok(all)
}

/// A reminder owed to an agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewReminder {
    /// Rule, assignment and lead time or date: the same key is never reminded twice.
    pub dedupe_key: String,
    pub agency_code: String,
    /// "due_soon", "overdue", "returned", "manual".
    pub kind: String,
    pub program_id: Option<i64>,
    pub task_code: Option<String>,
    pub task_title: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// Free text: a reviewer's comment, a coordinator's message.
    pub message: Option<String>,
}

/// A stored reminder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    pub id: i64,
    pub dedupe_key: String,
    pub agency_code: String,
    pub kind: String,
    pub program_id: Option<i64>,
    pub task_code: Option<String>,
    pub task_title: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub message: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The digest job that sends it; `None` while it waits for one.
    pub digest_job_id: Option<i64>,
}

/// Records the reminders whose dedupe keys are new, a few hundred per transaction; returns how
/// many.
pub async fn record_reminders(
    db: &Db,
    reminders: &[NewReminder],
    now: DateTime<Utc>,
) -> Result<usize> {
    if reminders.is_empty() {
        return Ok(0);
    }
    let doing = format!("recording {} reminder(s)", reminders.len());
    let mut new = 0;
    // A hundred at a time, each its own transaction: a national plan wants hundreds of
    // thousands on its first day, and one long transaction (or one statement each) would keep
    // every report submission waiting for minutes. A reminder already recorded is skipped, so
    // a plan cut short by a crash is finished by the next.
    for chunk in reminders.chunks(REMINDERS_PER_STATEMENT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let n = i * 9;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5,
                    n + 6,
                    n + 7,
                    n + 8,
                    n + 9
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO reminders (dedupe_key, agency_code, kind, program_id, task_code, \
             task_title, due_on, message, created_at) VALUES {} \
             ON CONFLICT (dedupe_key) DO NOTHING",
            values.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for reminder in chunk {
            query = query
                .bind(&reminder.dedupe_key)
                .bind(&reminder.agency_code)
                .bind(&reminder.kind)
                .bind(reminder.program_id)
                .bind(reminder.task_code.clone())
                .bind(reminder.task_title.clone())
                .bind(date_text(reminder.due_on))
                .bind(reminder.message.clone())
                .bind(timestamp(now));
        }
        let mut tx = db.begin_write(&doing).await?;
        let inserted = query.execute(&mut *tx).await.context(|| doing.clone())?;
        tx.commit().await.context(|| doing.clone())?;
        new += usize::try_from(inserted.rows_affected()).unwrap_or_default();
    }
    Ok(new)
}

/// Reminders recorded by one statement: 9 values each, 900 in all (SQLite binds a statement's
/// n values in n² steps, see `bulk`).
const REMINDERS_PER_STATEMENT: usize = 100;

/// Gathers the reminders waiting for a digest: for each agency that has some, one job of
/// `job_kind` (payload `{"agency_code": …}`, run at `now`) takes them all. Returns the
/// agencies and their new jobs. A reminder recorded while this runs waits for the next call.
pub async fn batch_reminders(
    db: &Db,
    job_kind: &str,
    now: DateTime<Utc>,
) -> Result<Vec<(String, i64)>> {
    let doing = "gathering waiting reminders into digests";
    let mut tx = db.begin_write(doing).await?;
    let rows = sqlx::query(
        "SELECT agency_code, MAX(id) AS last_id FROM reminders \
         WHERE digest_job_id IS NULL GROUP BY agency_code",
    )
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.to_owned())?;
    let mut waiting: Vec<(String, i64)> = rows
        .iter()
        .map(|row| Ok((col(row, "agency_code", doing)?, col(row, "last_id", doing)?)))
        .collect::<Result<_>>()?;
    waiting.sort();
    let mut batched = Vec::with_capacity(waiting.len());
    for (agency_code, last_id) in waiting {
        // The newest reminder id names the digest: gathering again after a crash between
        // the job and the update finds the same job.
        let job = NewJob::new(
            job_kind,
            format!("{job_kind}:{agency_code}:{last_id}"),
            serde_json::json!({ "agency_code": agency_code }),
            now,
        );
        let job_id = match jobs::enqueue_in(&mut tx, &job, doing).await? {
            Enqueued::New(id) | Enqueued::Existing(id) => id,
        };
        sqlx::query(
            "UPDATE reminders SET digest_job_id = $1 \
             WHERE agency_code = $2 AND digest_job_id IS NULL AND id <= $3",
        )
        .bind(job_id)
        .bind(&agency_code)
        .bind(last_id)
        .execute(&mut *tx)
        .await
        .context(|| format!("{doing}: agency {agency_code}"))?;
        batched.push((agency_code, job_id));
    }
    tx.commit().await.context(|| doing.to_owned())?;
    Ok(batched)
}

/// The reminders a digest job sends, in the order they were recorded.
pub async fn reminders_of_digest(db: &Db, job_id: i64) -> Result<Vec<Reminder>> {
    let doing = format!("reading the reminders of digest job {job_id}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT id, dedupe_key, agency_code, kind, program_id, task_code, task_title, due_on, \
         message, created_at, digest_job_id FROM reminders WHERE digest_job_id = $1 ORDER BY id",
    )
    .bind(job_id)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter()
        .map(|row| {
            Ok(Reminder {
                id: col(row, "id", &doing)?,
                dedupe_key: col(row, "dedupe_key", &doing)?,
                agency_code: col(row, "agency_code", &doing)?,
                kind: col(row, "kind", &doing)?,
                program_id: col(row, "program_id", &doing)?,
                task_code: col(row, "task_code", &doing)?,
                task_title: col(row, "task_title", &doing)?,
                due_on: date_from_text(col(row, "due_on", &doing)?, &doing)?,
                message: col(row, "message", &doing)?,
                created_at: parse_timestamp(&col::<String>(row, "created_at", &doing)?, &doing)?,
                digest_job_id: col(row, "digest_job_id", &doing)?,
            })
        })
        .collect()
}
