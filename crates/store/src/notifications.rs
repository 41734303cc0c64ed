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
    /// What it is about ("report:12", "change:4"), for a notice raised by an event.
    pub subject: Option<String>,
    /// When a later event on the same subject made it no longer apply (a returned report
    /// since accepted): shown as resolved, not as news.
    pub resolved_at: Option<DateTime<Utc>>,
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
         dedupe_key, subject, resolved_at FROM notifications WHERE agency_code = $1{unread} \
         ORDER BY id DESC"
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
        subject: col(row, "subject", doing)?,
        resolved_at: col::<Option<String>>(row, "resolved_at", doing)?
            .map(|t| parse_timestamp(&t, doing))
            .transpose()?,
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
    /// The one user it is kept for (an urgent notice waiting for that user's daily digest);
    /// `None` for the agency's.
    pub user_id: Option<i64>,
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

/// Which waiting reminders a gathering takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Gathering {
    /// The day's digest (the reminder plan): every waiting reminder of the agency's, one job
    /// per agency, and those kept for one user before `day_start` (the start of the day the
    /// digest is for: what was kept during the day waits for the next day's), one job per
    /// such user.
    Daily { day_start: DateTime<Utc> },
    /// Between plans (every tick of the runner): the agency's waiting reminders only — urgent
    /// ones (a report returned, a change request decided, a coordinator's đôn đốc), which
    /// should not wait for tomorrow; those kept for a user wait for the daily digest.
    Urgent,
}

/// Gathers the reminders waiting for a digest: for each agency that has some, one job of
/// `job_kind` (payload `{"agency_code": …, "user_id": null, "daily": true}`, run at `now`)
/// takes them all. Returns the agencies and their new jobs. A reminder recorded while this
/// runs waits for the next call. The day's gathering: [`gather_reminders`] with
/// [`Gathering::Daily`] (what was kept for one user before `now` included).
pub async fn batch_reminders(
    db: &Db,
    job_kind: &str,
    now: DateTime<Utc>,
) -> Result<Vec<(String, i64)>> {
    gather_reminders(db, job_kind, now, Gathering::Daily { day_start: now }).await
}

/// Gathers the waiting reminders `gathering` takes into one digest job per agency (and, for
/// the daily one, per user a reminder is kept for). The job's payload names the agency, the
/// user (or null) and whether it is the daily digest.
pub async fn gather_reminders(
    db: &Db,
    job_kind: &str,
    now: DateTime<Utc>,
    gathering: Gathering,
) -> Result<Vec<(String, i64)>> {
    let doing = "gathering waiting reminders into digests";
    let mut tx = db.begin_write(doing).await?;
    let (which, day_start) = match gathering {
        Gathering::Daily { day_start } => (
            " AND (user_id IS NULL OR created_at < $1)",
            Some(timestamp(day_start)),
        ),
        Gathering::Urgent => (" AND user_id IS NULL", None),
    };
    let mut select = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT agency_code, user_id, MAX(id) AS last_id FROM reminders \
         WHERE digest_job_id IS NULL{which} GROUP BY agency_code, user_id"
    )));
    if let Some(day_start) = &day_start {
        select = select.bind(day_start.clone());
    }
    let rows = select
        .fetch_all(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    let mut waiting: Vec<(String, Option<i64>, i64)> = rows
        .iter()
        .map(|row| {
            Ok((
                col(row, "agency_code", doing)?,
                col(row, "user_id", doing)?,
                col(row, "last_id", doing)?,
            ))
        })
        .collect::<Result<_>>()?;
    waiting.sort();
    let daily = matches!(gathering, Gathering::Daily { .. });
    let mut batched = Vec::with_capacity(waiting.len());
    for (agency_code, user_id, last_id) in waiting {
        // The newest reminder id names the digest: gathering again after a crash between
        // the job and the update finds the same job.
        let whom = user_id.map_or_else(|| "-".to_owned(), |id| id.to_string());
        let job = NewJob::new(
            job_kind,
            format!("{job_kind}:{agency_code}:{whom}:{last_id}"),
            serde_json::json!({ "agency_code": agency_code, "user_id": user_id, "daily": daily }),
            now,
        );
        let job_id = match jobs::enqueue_in(&mut tx, &job, doing).await? {
            Enqueued::New(id) | Enqueued::Existing(id) => id,
        };
        let same_user = if user_id.is_some() {
            "user_id = $4"
        } else {
            "user_id IS NULL"
        };
        let mut update = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE reminders SET digest_job_id = $1 \
             WHERE agency_code = $2 AND digest_job_id IS NULL AND id <= $3 AND {same_user}"
        )))
        .bind(job_id)
        .bind(&agency_code)
        .bind(last_id);
        if let Some(user_id) = user_id {
            update = update.bind(user_id);
        }
        update
            .execute(&mut *tx)
            .await
            .context(|| format!("{doing}: agency {agency_code}"))?;
        batched.push((agency_code, job_id));
    }
    tx.commit().await.context(|| doing.to_owned())?;
    Ok(batched)
}

/// Keeps a copy of each of `reminders` for user `user_id` (who reads their e-mail once a
/// day), to wait for the next daily gathering. A copy is kept once per reminder and user.
/// Returns how many were new.
pub async fn keep_for_daily_digest(
    db: &Db,
    reminders: &[Reminder],
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<usize> {
    let doing = format!("keeping {} reminder(s) for user {user_id}", reminders.len());
    let mut tx = db.begin_write(&doing).await?;
    let mut new = 0;
    for reminder in reminders {
        let inserted = sqlx::query(
            "INSERT INTO reminders (dedupe_key, agency_code, kind, program_id, task_code, \
             task_title, due_on, message, created_at, user_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(format!("{}:user:{user_id}", reminder.dedupe_key))
        .bind(&reminder.agency_code)
        .bind(&reminder.kind)
        .bind(reminder.program_id)
        .bind(reminder.task_code.clone())
        .bind(reminder.task_title.clone())
        .bind(date_text(reminder.due_on))
        .bind(reminder.message.clone())
        .bind(timestamp(now))
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
        new += usize::try_from(inserted.rows_affected()).unwrap_or_default();
    }
    tx.commit().await.context(|| doing.clone())?;
    Ok(new)
}

/// Of `dedupe_keys`, those whose notice is resolved (a later event on its subject made it no
/// longer apply): an e-mail does not tell what the application already shows as settled.
pub async fn resolved_keys(
    db: &Db,
    dedupe_keys: &[String],
) -> Result<std::collections::BTreeSet<String>> {
    let doing = "reading which notices are resolved";
    let mut tx = db.read(doing).await?;
    let mut resolved = std::collections::BTreeSet::new();
    for key in dedupe_keys {
        // A user's copy ("…:user:7") is resolved when the agency's notice is.
        let base = key.split(":user:").next().unwrap_or(key);
        let row = sqlx::query(
            "SELECT resolved_at FROM notifications WHERE dedupe_key = $1 AND resolved_at IS NOT NULL",
        )
        .bind(base)
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
        if row.is_some() {
            resolved.insert(key.clone());
        }
    }
    Ok(resolved)
}

/// The reminders a digest job sends, in the order they were recorded.
pub async fn reminders_of_digest(db: &Db, job_id: i64) -> Result<Vec<Reminder>> {
    let doing = format!("reading the reminders of digest job {job_id}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT id, dedupe_key, agency_code, kind, program_id, task_code, task_title, due_on, \
         message, created_at, digest_job_id, user_id FROM reminders WHERE digest_job_id = $1 \
         ORDER BY id",
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
                user_id: col(row, "user_id", &doing)?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Notices raised by events: at once, in the event's transaction

/// The kind of a notice raised by an event, as stored (`notifications.kind`, and the reminder
/// kind of those e-mailed).
pub mod kinds {
    /// A report sent for review: for the agency's approvers.
    pub const REPORT_SENT: &str = "report_sent";
    /// A report returned to its authors (the reminder kind `remind` has always used).
    pub const REPORT_RETURNED: &str = "returned";
    pub const REPORT_ACCEPTED: &str = "report_accepted";
    pub const REPORT_REOPENED: &str = "report_reopened";
    /// A change request approved or rejected: for the agency that proposed it.
    pub const CHANGE_DECIDED: &str = "change_decided";
}

/// What happened to a report or a change request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EventKind {
    Sent,
    Returned,
    Accepted,
    Reopened,
    ChangeApproved,
    ChangeRejected,
}

impl EventKind {
    /// The notice's stored kind ([`kinds`]).
    pub fn kind(self) -> &'static str {
        match self {
            EventKind::Sent => kinds::REPORT_SENT,
            EventKind::Returned => kinds::REPORT_RETURNED,
            EventKind::Accepted => kinds::REPORT_ACCEPTED,
            EventKind::Reopened => kinds::REPORT_REOPENED,
            EventKind::ChangeApproved | EventKind::ChangeRejected => kinds::CHANGE_DECIDED,
        }
    }

    /// Whether the event is also e-mailed at the reminder runner's next tick: what someone
    /// must act on now (a report to fix, a decision on one's proposal). The others are shown
    /// in the application only.
    pub fn urgent(self) -> bool {
        matches!(
            self,
            EventKind::Returned | EventKind::ChangeApproved | EventKind::ChangeRejected
        )
    }
}

/// An event that raises a notice: a report (per assignment, or an agency's whole report) sent,
/// returned, accepted or reopened, or a change request decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub kind: EventKind,
    /// What it is about: "report:12" (an assignment's report), "agency_report:3", "change:4".
    /// The event resolves every earlier notice on the same subject: a report returned, then
    /// accepted, has its "returned" notice marked resolved.
    pub subject: String,
    /// The agency told: the report's (its approvers for a sent report, its reporters
    /// otherwise), the change request's proposer.
    pub agency_code: String,
    pub program_id: i64,
    pub task_code: Option<String>,
    pub task_title: Option<String>,
    /// What makes the event one of its kind on its subject (the report's version written).
    pub sequence: i64,
    /// The reviewer's comment, the reason of a reopening, the decision's note.
    pub comment: Option<String>,
    /// The page to open.
    pub link: String,
}

impl Event {
    /// The key its notice and its e-mail reminder share: the digest finds the notice already
    /// there and records it once.
    pub fn dedupe_key(&self) -> String {
        format!("{}:{}:{}", self.kind.kind(), self.subject, self.sequence)
    }

    /// The notice's title and body, in Vietnamese.
    pub fn text(&self) -> (String, String) {
        // "Báo cáo nhiệm vụ 2.1" for an assignment's report; an agency's whole report (no
        // task) is "Báo cáo của cơ quan".
        let (report, proposal) = match self.task_code.as_deref() {
            Some(code) => (
                format!("Báo cáo nhiệm vụ {code}"),
                format!("Đề xuất điều chỉnh nhiệm vụ {code}"),
            ),
            None => (
                "Báo cáo của cơ quan".to_owned(),
                "Đề xuất điều chỉnh".to_owned(),
            ),
        };
        let task = match (&self.task_code, &self.task_title) {
            (Some(code), Some(title)) => format!("Nhiệm vụ {code}: {title}"),
            (Some(code), None) => format!("Nhiệm vụ {code}"),
            // An agency's whole report: its title says which ("Báo cáo quý III/2026").
            (None, Some(title)) => title.clone(),
            (None, None) => "Báo cáo của cơ quan".to_owned(),
        };
        let comment = self.comment.as_deref().filter(|c| !c.is_empty());
        let with = |label: &str| {
            comment.map_or_else(String::new, |comment| format!("\n{label}: {comment}"))
        };
        match self.kind {
            EventKind::Sent => (format!("{report} đã được gửi, chờ xem xét"), task),
            EventKind::Returned => (
                format!("{report} bị trả lại"),
                format!("{task}{}", with("Ý kiến của người xem xét")),
            ),
            EventKind::Accepted => (
                format!("{report} đã được duyệt"),
                format!("{task}{}", with("Ý kiến của người duyệt")),
            ),
            EventKind::Reopened => (
                format!("{report} được mở lại để sửa"),
                format!("{task}{}", with("Lý do")),
            ),
            EventKind::ChangeApproved => (
                format!("{proposal} đã được chấp thuận"),
                format!("{task}{}", with("Ý kiến")),
            ),
            EventKind::ChangeRejected => (
                format!("{proposal} bị từ chối"),
                format!("{task}{}", with("Lý do")),
            ),
        }
    }
}

/// Raises the notice of `event` inside the caller's write transaction (the event's own, so the
/// notice is there the moment the event is): marks every earlier notice on its subject
/// resolved, records the new one, and, for an urgent event ([`EventKind::urgent`]), a reminder
/// for the agency's next digest, which the reminder runner gathers and e-mails at its next
/// tick. Raising the same event twice records it once. The one function every workflow calls
/// to tell people what happened.
pub async fn raise_in(
    conn: &mut sqlx::AnyConnection,
    event: &Event,
    now: DateTime<Utc>,
    doing: &str,
) -> Result<()> {
    let key = event.dedupe_key();
    sqlx::query(
        "UPDATE notifications SET resolved_at = $1 \
         WHERE subject = $2 AND resolved_at IS NULL AND dedupe_key <> $3",
    )
    .bind(timestamp(now))
    .bind(&event.subject)
    .bind(&key)
    .execute(&mut *conn)
    .await
    .context(|| format!("{doing}: resolving the notices on {}", event.subject))?;
    let (title, body) = event.text();
    sqlx::query(
        "INSERT INTO notifications (agency_code, user_id, kind, title, body, link, created_at, \
         dedupe_key, subject) VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(&event.agency_code)
    .bind(event.kind.kind())
    .bind(title)
    .bind(body)
    .bind(&event.link)
    .bind(timestamp(now))
    .bind(&key)
    .bind(&event.subject)
    .execute(&mut *conn)
    .await
    .context(|| format!("{doing}: the notice {key}"))?;
    if event.kind.urgent() {
        sqlx::query(
            "INSERT INTO reminders (dedupe_key, agency_code, kind, program_id, task_code, \
             task_title, due_on, message, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(&key)
        .bind(&event.agency_code)
        .bind(event.kind.kind())
        .bind(event.program_id)
        .bind(event.task_code.clone())
        .bind(event.task_title.clone())
        .bind(event_message(event))
        .bind(timestamp(now))
        .execute(&mut *conn)
        .await
        .context(|| format!("{doing}: the e-mail of {key}"))?;
    }
    Ok(())
}

/// [`raise_in`] in a write transaction of its own, for an event already committed (or one
/// written elsewhere).
pub async fn raise(db: &Db, event: &Event, now: DateTime<Utc>) -> Result<()> {
    let doing = format!("raising the notice {}", event.dedupe_key());
    let mut tx = db.begin_write(&doing).await?;
    raise_in(&mut tx, event, now, &doing).await?;
    tx.commit().await.context(|| doing.clone())
}

/// The e-mail line of an urgent event: the comment, with the decision for a change request.
fn event_message(event: &Event) -> Option<String> {
    let comment = event.comment.clone().filter(|c| !c.is_empty());
    match event.kind {
        EventKind::ChangeApproved => Some(match comment {
            Some(c) => format!("Đã chấp thuận. {c}"),
            None => "Đã chấp thuận.".to_owned(),
        }),
        EventKind::ChangeRejected => Some(match comment {
            Some(c) => format!("Bị từ chối. {c}"),
            None => "Bị từ chối.".to_owned(),
        }),
        _ => comment,
    }
}

/// The event of a report (of assignment `assignment_id`) written at `version`, its notice
/// raised in the caller's transaction: the assignment's agency, program and task read there.
#[expect(
    clippy::too_many_arguments,
    reason = "what a report's writer knows of the event, passed on once"
)]
pub(crate) async fn raise_report_event_in(
    conn: &mut sqlx::AnyConnection,
    kind: EventKind,
    report_id: i64,
    assignment_id: i64,
    period: &str,
    version: i64,
    comment: Option<&str>,
    doing: &str,
) -> Result<()> {
    let row = sqlx::query(
        "SELECT a.agency_code, a.program_id, t.code, t.title FROM assignments a \
         JOIN tasks t ON t.id = a.task_id WHERE a.id = $1",
    )
    .bind(assignment_id)
    .fetch_one(&mut *conn)
    .await
    .context(|| format!("{doing}: the report's assignment"))?;
    let program_id: i64 = col(&row, "program_id", doing)?;
    let task_code: String = col(&row, "code", doing)?;
    let event = Event {
        kind,
        subject: format!("report:{report_id}"),
        agency_code: col(&row, "agency_code", doing)?,
        program_id,
        link: format!("/assignments/{assignment_id}/report?period={period}"),
        task_code: Some(task_code),
        task_title: Some(col(&row, "title", doing)?),
        sequence: version,
        comment: comment.map(str::to_owned),
    };
    raise_in(conn, &event, dongbo_domain::clock::now(), doing).await
}

// ---------------------------------------------------------------------------------------------
// Each user's e-mail: where, and how often

/// How often a user is e-mailed their agency's notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Urgent events (a report returned, a change request decided, a đôn đốc) at the reminder
    /// runner's next tick; due-soon and overdue in the daily digest.
    Immediate,
    /// Everything in the daily digest.
    Daily,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Immediate => "immediate",
            Cadence::Daily => "daily",
        }
    }

    pub fn parse(text: &str) -> Option<Cadence> {
        match text {
            "immediate" => Some(Cadence::Immediate),
            "daily" => Some(Cadence::Daily),
            _ => None,
        }
    }
}

/// A user's e-mail setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailSetting {
    pub email: String,
    pub cadence: Cadence,
}

/// A user e-mailed an agency's notices: one with a grant on that agency and an address set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    pub user_id: i64,
    pub email: String,
    pub cadence: Cadence,
}

/// Every user's e-mail address, by user id (the administrators' list of users).
pub async fn all_email_addresses(db: &Db) -> Result<std::collections::HashMap<i64, String>> {
    let doing = "reading the users' e-mail addresses";
    let mut tx = db.read(doing).await?;
    let rows = sqlx::query("SELECT user_id, email FROM user_email_settings")
        .fetch_all(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    rows.iter()
        .map(|row| Ok((col(row, "user_id", doing)?, col(row, "email", doing)?)))
        .collect()
}

/// User `user_id`'s e-mail setting, if they set one.
pub async fn email_setting(db: &Db, user_id: i64) -> Result<Option<EmailSetting>> {
    let doing = format!("reading the e-mail setting of user {user_id}");
    let mut tx = db.read(&doing).await?;
    let row = sqlx::query("SELECT email, cadence FROM user_email_settings WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.clone())?;
    row.map(|row| setting_from(&row, &doing)).transpose()
}

fn setting_from(row: &AnyRow, doing: &str) -> Result<EmailSetting> {
    let cadence: String = col(row, "cadence", doing)?;
    Ok(EmailSetting {
        email: col(row, "email", doing)?,
        cadence: Cadence::parse(&cadence).ok_or_else(|| StoreError::Corrupt {
            context: doing.to_owned(),
            message: format!("unknown cadence «{cadence}»"),
        })?,
    })
}

/// `email` as stored (NFC, trimmed) when it is an address: something, "@", a domain with a
/// dot, no spaces; else [`StoreError::Invalid`] naming it in both languages.
pub fn normalize_email(email: &str) -> Result<String> {
    let email = dongbo_domain::text::nfc(email.trim());
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.contains('@')
    }) && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(StoreError::Invalid(format!(
            "«{email}» không phải địa chỉ thư điện tử («{email}» is not an e-mail address)"
        )))
    }
}

/// Sets (or, with `None`, clears) user `user_id`'s e-mail setting, audited in the same
/// transaction as `actor`'s act. An address without "@" is refused and nothing changes.
pub async fn set_email_setting(
    db: &Db,
    actor: &str,
    user_id: i64,
    setting: Option<&EmailSetting>,
    now: DateTime<Utc>,
) -> Result<()> {
    let doing = format!("setting the e-mail of user {user_id}");
    let setting = match setting {
        Some(s) => Some(EmailSetting {
            email: normalize_email(&s.email)?,
            cadence: s.cadence,
        }),
        None => None,
    };
    let mut tx = db.begin_write(&doing).await?;
    let before = sqlx::query("SELECT email, cadence FROM user_email_settings WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.clone())?
        .map(|row| setting_from(&row, &doing))
        .transpose()?;
    sqlx::query("DELETE FROM user_email_settings WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
    if let Some(setting) = &setting {
        sqlx::query(
            "INSERT INTO user_email_settings (user_id, email, cadence, updated_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(user_id)
        .bind(&setting.email)
        .bind(setting.cadence.as_str())
        .bind(timestamp(now))
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
    }
    crate::audit::append(
        &mut tx,
        now,
        &crate::audit::AuditEntry {
            actor: actor.to_owned(),
            action: "user.email_setting".to_owned(),
            entity: "user".to_owned(),
            entity_id: user_id.to_string(),
            before: before.map(|b| serde_json::json!(b)),
            after: setting.map(|a| serde_json::json!(a)),
        },
    )
    .await?;
    tx.commit().await.context(|| doing.clone())
}

/// The users e-mailed agency `agency_code`'s notices: those holding a grant on that agency
/// (not on an agency above it: a ministry's administrator is not mailed every department's
/// news), not disabled, with an address set. Ordered by address.
pub async fn email_recipients(db: &Db, agency_code: &str) -> Result<Vec<Recipient>> {
    let doing = format!("reading who is e-mailed the notices of agency {agency_code}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT DISTINCT s.user_id, s.email, s.cadence FROM user_email_settings s \
         JOIN users u ON u.id = s.user_id JOIN user_grants g ON g.user_id = s.user_id \
         WHERE g.agency_code = $1 AND u.disabled = 0 ORDER BY s.email",
    )
    .bind(agency_code)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter()
        .map(|row| {
            let setting = setting_from(row, &doing)?;
            Ok(Recipient {
                user_id: col(row, "user_id", &doing)?,
                email: setting.email,
                cadence: setting.cadence,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind, task_code: Option<&str>) -> Event {
        Event {
            kind,
            subject: "agency_report:3".to_owned(),
            agency_code: "BVHTTDL".to_owned(),
            program_id: 1,
            task_code: task_code.map(str::to_owned),
            task_title: Some("Báo cáo quý III/2026 — 47/NQ-CP".to_owned()),
            sequence: 2,
            comment: Some("Bổ sung số liệu".to_owned()),
            link: "/agency-reports/3".to_owned(),
        }
    }

    #[test]
    fn an_agencys_whole_report_and_an_assignments_are_worded_apart() {
        let (title, body) = event(EventKind::Returned, None).text();
        assert_eq!(title, "Báo cáo của cơ quan bị trả lại");
        assert_eq!(
            body,
            "Báo cáo quý III/2026 — 47/NQ-CP\nÝ kiến của người xem xét: Bổ sung số liệu"
        );
        let (title, _) = event(EventKind::Accepted, Some("2.1")).text();
        assert_eq!(title, "Báo cáo nhiệm vụ 2.1 đã được duyệt");
        let (title, body) = event(EventKind::ChangeRejected, Some("3.21")).text();
        assert_eq!(title, "Đề xuất điều chỉnh nhiệm vụ 3.21 bị từ chối");
        assert!(body.ends_with("Lý do: Bổ sung số liệu"), "{body}");
        assert_eq!(
            event(EventKind::Sent, None).dedupe_key(),
            "report_sent:agency_report:3:2"
        );
        assert!(EventKind::Returned.urgent() && EventKind::ChangeApproved.urgent());
        assert!(!EventKind::Accepted.urgent() && !EventKind::Sent.urgent());
    }
}
