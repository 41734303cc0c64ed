//! Báo cáo của cơ quan — an agency's one report for a program and a period, covering every
//! task it answers for in the period, written, sent, reviewed and versioned as one.
//!
//! # How it is kept
//!
//! - **Its tasks are the per-assignment reports.** Each task's part is the progress report of
//!   the agency's assignment for the period ([`crate::reports`]), written through the same
//!   functions and in the same transaction as the agency report's own row. So the dashboard
//!   facts, roll-ups, completeness, synthesis and `dongbo check` — all read from those — stay
//!   right whichever way an agency reports, and the per-assignment report stays available.
//! - **One workflow.** The agency report moves through the same states as a task's report
//!   (`draft → submitted → returned | accepted`, reopened only explicitly; the rules are
//!   [`dongbo_domain::report`]'s), and every one of its tasks' reports moves with it: sent as
//!   one, returned as one (a comment per task and one overall), accepted as one.
//! - **Versioned as one.** Each version records, for each task, which version of the task's
//!   report it holds, with the reviewer's comment on the task; the history of the agency
//!   report is the list of its versions.
//! - **No lost update.** The form names the version of the agency report it was filled from,
//!   and the version of each task's report: a change made meanwhile (by a colleague, or
//!   through the per-assignment page) makes the write a [`StoreError::Conflict`].
//! - A refused write changes nothing: every task's report and the agency report are one
//!   transaction.

use dongbo_domain::clock;
use dongbo_domain::report::{self, Status};
use dongbo_domain::text::clean;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::codec::{col, corrupt, now};
use crate::notifications::{Event, EventKind};
use crate::reports::{
    self as task_reports, Action, Current, Edit, ReportContent, ReportPeriod, Review,
    compare_and_set_in, current_from, stale, status_from,
};
use crate::{Context, Db, Result, StoreError};

/// Which agency report: the program, the agency and the regime period's code ("2026-Y").
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    pub program_id: i64,
    pub agency_code: &'a str,
    pub period: &'a str,
}

/// One task's part of an author's save or submission.
#[derive(Debug, Clone, Copy)]
pub struct ItemEdit<'a> {
    pub assignment_id: i64,
    /// The task report's period (the regime period, or "once" for work done once).
    pub period: ReportPeriod,
    pub content: &'a ReportContent,
    /// The version of the task's report the form was filled from; `None` when it had none.
    pub based_on: Option<i64>,
}

/// An author's save or submission of the agency report.
#[derive(Debug, Clone, Copy)]
pub struct AgencyEdit<'a> {
    pub key: Key<'a>,
    pub items: &'a [ItemEdit<'a>],
    pub author: &'a str,
    /// The version of the agency report the form was filled from; `None` for a new one.
    pub based_on: Option<i64>,
}

/// A reviewer's comment on one task of the report.
#[derive(Debug, Clone, Copy)]
pub struct ItemComment<'a> {
    pub assignment_id: i64,
    pub comment: &'a str,
}

/// A reviewer's act on the agency report.
#[derive(Debug, Clone, Copy)]
pub struct AgencyReview<'a> {
    pub id: i64,
    pub seen_version: i64,
    pub by: &'a str,
    /// The overall comment: required to return or reopen, optional (and kept) on acceptance.
    pub comment: Option<&'a str>,
    /// Comments on single tasks (a return's); tasks not named get none.
    pub items: &'a [ItemComment<'a>],
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgencyOutcome {
    pub id: i64,
    pub version: i64,
    pub status: Status,
}

/// One task of a version: which version of the task's report it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub assignment_id: i64,
    pub report_id: i64,
    pub report_version: i64,
    /// The reviewer's comment on this task (a return's), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// One version of an agency report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyVersion {
    pub version: i64,
    pub action: Action,
    pub status_after: Status,
    pub author: String,
    pub saved_at: String,
    pub comment: Option<String>,
    pub items: Vec<Item>,
}

/// An agency report with every version, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyReport {
    pub id: i64,
    pub program_id: i64,
    pub agency_code: String,
    pub period: String,
    pub status: Status,
    pub current_version: i64,
    pub first_submitted_at: Option<String>,
    pub submitted_at: Option<String>,
    pub accepted_at: Option<String>,
    pub reviewed_by: Option<String>,
    pub versions: Vec<AgencyVersion>,
}

impl AgencyReport {
    pub fn current(&self) -> &AgencyVersion {
        self.versions
            .iter()
            .find(|v| v.version == self.current_version)
            .or(self.versions.last())
            .expect("an agency report has at least one version")
    }

    /// The comment a return left open, with the per-task comments: `None` unless returned.
    pub fn open_comment(&self) -> Option<&str> {
        (self.status == Status::Returned)
            .then(|| self.current().comment.as_deref())
            .flatten()
    }

    /// The latest version written by a return, if any: what a resubmission is compared with.
    pub fn last_returned(&self) -> Option<&AgencyVersion> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.action == Action::Return)
    }
}

/// An agency report as a queue lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyReportSummary {
    pub id: i64,
    pub program_id: i64,
    pub agency_code: String,
    pub period: String,
    pub status: Status,
    pub current_version: i64,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub tasks: usize,
}

/// Saves the author's content as a draft of the agency report (and of each task's report).
pub async fn save_draft(db: &Db, edit: &AgencyEdit<'_>) -> Result<AgencyOutcome> {
    write_edit(db, edit, Action::Save).await
}

/// Sends the agency report: every task's report becomes `submitted` with it. Every task's
/// results must be filled in.
pub async fn submit(db: &Db, edit: &AgencyEdit<'_>) -> Result<AgencyOutcome> {
    write_edit(db, edit, Action::Submit).await
}

/// Returns the agency report, and every task's report with it, with the overall comment
/// (required) and a comment per task.
pub async fn return_report(db: &Db, review: &AgencyReview<'_>) -> Result<AgencyOutcome> {
    write_review(db, review, Action::Return).await
}

/// Accepts the agency report and every task's report with it; a comment is kept.
pub async fn accept(db: &Db, review: &AgencyReview<'_>) -> Result<AgencyOutcome> {
    write_review(db, review, Action::Accept).await
}

/// Reopens an accepted agency report with the reason (required): it and every task's report
/// become `returned`.
pub async fn reopen(db: &Db, review: &AgencyReview<'_>) -> Result<AgencyOutcome> {
    write_review(db, review, Action::Reopen).await
}

async fn write_edit(db: &Db, edit: &AgencyEdit<'_>, action: Action) -> Result<AgencyOutcome> {
    let author = clean(edit.author);
    if author.is_empty() {
        return Err(StoreError::Invalid(
            "Thiếu người viết báo cáo (the author is required)".to_owned(),
        ));
    }
    if edit.items.is_empty() {
        return Err(StoreError::Invalid(
            "Báo cáo không có nhiệm vụ nào (the report has no task)".to_owned(),
        ));
    }
    // Every task's content checked before anything is written, each fault naming its task.
    let mut contents = Vec::with_capacity(edit.items.len());
    for item in edit.items {
        let content = item.content.normalised().map_err(|e| on_task(item, e))?;
        report::check_results(action, &content.results)
            .map_err(|e| on_task(item, StoreError::from(e)))?;
        contents.push(content);
    }
    let key = edit.key;
    let doing = format!(
        "{} the {} report of agency {} on program {}",
        match action {
            Action::Submit => "sending",
            _ => "saving",
        },
        key.period,
        key.agency_code,
        key.program_id
    );
    let mut tx = db.begin_write(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    let now = now();
    let current = current_of(conn, key, &doing).await?;
    let (id, version, status) = match (current, edit.based_on) {
        (None, None) => {
            let status = Status::of_new_report(action)?;
            let row = sqlx::query(
                "INSERT INTO agency_reports (program_id, agency_code, period, status, \
                 current_version, created_at, updated_at, first_submitted_at, submitted_at) \
                 VALUES ($1, $2, $3, $4, 1, $5, $5, $6, $6) RETURNING id",
            )
            .bind(key.program_id)
            .bind(key.agency_code.to_owned())
            .bind(key.period.to_owned())
            .bind(status.as_str())
            .bind(now.clone())
            .bind((action == Action::Submit).then(|| now.clone()))
            .fetch_one(&mut *conn)
            .await
            .context(|| doing.clone())?;
            (col::<i64>(&row, "id", &doing)?, 1, status)
        }
        (None, Some(_)) => {
            return Err(StoreError::Conflict(
                "Báo cáo này không còn tồn tại; hãy tải lại trang (the report no longer \
                 exists; reload the page)"
                    .to_owned(),
            ));
        }
        (Some(current), based_on) => {
            if based_on != Some(current.version) {
                return Err(stale(&current, based_on));
            }
            let status = current.status.after(action)?;
            let version = current.version + 1;
            let sent = (action == Action::Submit).then(|| now.clone());
            compare_and_set_in(
                conn,
                "agency_reports",
                &current,
                version,
                status,
                &now,
                "first_submitted_at = COALESCE(first_submitted_at, $6), \
                 submitted_at = COALESCE($6, submitted_at)",
                sent,
                &doing,
            )
            .await?;
            (current.id, version, status)
        }
    };
    let mut items = Vec::with_capacity(edit.items.len());
    for (item, content) in edit.items.iter().zip(&contents) {
        let task_edit = Edit {
            assignment_id: item.assignment_id,
            period: item.period,
            content,
            author: &author,
            based_on: item.based_on,
            idempotency_key: None,
        };
        let outcome = task_reports::edit_in(
            conn, &task_edit, action, content, &author, &now, false, &doing,
        )
        .await
        .map_err(|e| on_task(item, e))?;
        items.push(Item {
            assignment_id: item.assignment_id,
            report_id: outcome.report_id,
            report_version: outcome.version,
            comment: None,
        });
    }
    insert_version(
        conn,
        id,
        &AgencyVersion {
            version,
            action,
            status_after: status,
            author: author.clone(),
            saved_at: now.clone(),
            comment: None,
            items,
        },
        &doing,
    )
    .await?;
    audit(conn, id, key, version, action, status, &author, None).await?;
    tx.commit().await.context(|| doing.clone())?;
    tracing::info!(
        agency_report.id = id,
        agency_report.version = version,
        agency_report.status = status.as_str(),
        tasks = edit.items.len(),
        "agency report {}",
        match action {
            Action::Submit => "sent",
            _ => "saved",
        }
    );
    Ok(AgencyOutcome {
        id,
        version,
        status,
    })
}

async fn write_review(db: &Db, review: &AgencyReview<'_>, action: Action) -> Result<AgencyOutcome> {
    let by = clean(review.by);
    if by.is_empty() {
        return Err(StoreError::Invalid(
            "Thiếu người duyệt (who acts is required)".to_owned(),
        ));
    }
    let comment = review.comment.map(clean).filter(|c| !c.is_empty());
    if let Some(what) = action.required_note()
        && comment.is_none()
    {
        return Err(StoreError::Invalid(format!(
            "Thiếu thông tin bắt buộc: {what} (required)"
        )));
    }
    let doing = format!(
        "{} agency report {}",
        match action {
            Action::Return => "returning",
            Action::Accept => "accepting",
            _ => "reopening",
        },
        review.id
    );
    let mut tx = db.begin_write(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    let now = now();
    let row = sqlx::query(
        "SELECT id, program_id, agency_code, period, status, current_version \
         FROM agency_reports WHERE id = $1",
    )
    .bind(review.id)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.clone())?
    .ok_or_else(|| StoreError::NotFound(format!("agency report {}", review.id)))?;
    let current = current_from(&row, &doing)?;
    if review.seen_version != current.version {
        return Err(stale(&current, Some(review.seen_version)));
    }
    let status = current.status.after(action)?;
    let version = current.version + 1;
    let (set, extra) = match action {
        Action::Accept => ("accepted_at = $4, reviewed_by = $6", Some(by.clone())),
        Action::Return => ("reviewed_by = $6", Some(by.clone())),
        _ => ("accepted_at = $6", None),
    };
    compare_and_set_in(
        conn,
        "agency_reports",
        &current,
        version,
        status,
        &now,
        set,
        extra,
        &doing,
    )
    .await?;
    let held = version_items(conn, current.id, current.version, &doing).await?;
    let mut items = Vec::with_capacity(held.len());
    for item in held {
        let task_comment = review
            .items
            .iter()
            .find(|c| c.assignment_id == item.assignment_id)
            .map(|c| clean(c.comment))
            .filter(|c| !c.is_empty());
        // A task's report takes the task's comment, else the overall one (a return and a
        // reopening need one).
        let note = task_comment.clone().or_else(|| comment.clone());
        let task_review = Review {
            report_id: item.report_id,
            seen_version: item.report_version,
            by: &by,
            note: note.as_deref(),
            idempotency_key: None,
        };
        let outcome = task_reports::review_in(
            conn,
            &task_review,
            action,
            &by,
            note.as_deref(),
            &now,
            false,
            &doing,
        )
        .await?;
        items.push(Item {
            assignment_id: item.assignment_id,
            report_id: item.report_id,
            report_version: outcome.version,
            comment: task_comment,
        });
    }
    insert_version(
        conn,
        current.id,
        &AgencyVersion {
            version,
            action,
            status_after: status,
            author: by.clone(),
            saved_at: now.clone(),
            comment: comment.clone(),
            items,
        },
        &doing,
    )
    .await?;
    let key = Key {
        program_id: col(&row, "program_id", &doing)?,
        agency_code: &col::<String>(&row, "agency_code", &doing)?,
        period: &col::<String>(&row, "period", &doing)?,
    };
    audit(
        conn,
        current.id,
        key,
        version,
        action,
        status,
        &by,
        comment.as_deref(),
    )
    .await?;
    tx.commit().await.context(|| doing.clone())?;
    tracing::info!(
        agency_report.id = current.id,
        agency_report.version = version,
        agency_report.status = status.as_str(),
        "agency report {}",
        match action {
            Action::Return => "returned",
            Action::Accept => "accepted",
            _ => "reopened",
        }
    );
    Ok(AgencyOutcome {
        id: current.id,
        version,
        status,
    })
}

/// The agency report of `key`, if one was written.
pub async fn find(db: &Db, key: Key<'_>) -> Result<Option<AgencyReport>> {
    let doing = format!(
        "reading the {} report of agency {} on program {}",
        key.period, key.agency_code, key.program_id
    );
    let mut tx = db.read(&doing).await?;
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM agency_reports WHERE program_id = $1 AND agency_code = $2 AND period = $3",
    )
    .bind(key.program_id)
    .bind(key.agency_code.to_owned())
    .bind(key.period.to_owned())
    .fetch_optional(&mut *tx)
    .await
    .context(|| doing.clone())?;
    match id {
        Some(id) => read_in(&mut tx, id, &doing).await.map(Some),
        None => Ok(None),
    }
}

/// The agency report `id` with every version.
pub async fn get(db: &Db, id: i64) -> Result<AgencyReport> {
    let doing = format!("reading agency report {id}");
    let mut tx = db.read(&doing).await?;
    read_in(&mut tx, id, &doing).await
}

/// The agency reports in `states`, oldest change first: what queues are made of (a
/// reviewer's: submitted; an author's: returned), filtered by the caller's rights above.
pub async fn in_states(db: &Db, states: &[Status]) -> Result<Vec<AgencyReportSummary>> {
    let doing = "reading the agency reports of a queue".to_owned();
    if states.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (1..=states.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut tx = db.read(&doing).await?;
    let sql = format!(
        "SELECT r.id, r.program_id, r.agency_code, r.period, r.status, r.current_version, \
         r.updated_at, r.submitted_at, v.items FROM agency_reports r \
         JOIN agency_report_versions v ON v.agency_report_id = r.id \
         AND v.version = r.current_version \
         WHERE r.status IN ({placeholders}) ORDER BY r.updated_at, r.id"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for state in states {
        query = query.bind(state.as_str());
    }
    let rows = query.fetch_all(&mut *tx).await.context(|| doing.clone())?;
    rows.iter()
        .map(|row| {
            let items: Vec<Item> = items_from(&col::<String>(row, "items", &doing)?, &doing)?;
            Ok(AgencyReportSummary {
                id: col(row, "id", &doing)?,
                program_id: col(row, "program_id", &doing)?,
                agency_code: col(row, "agency_code", &doing)?,
                period: col(row, "period", &doing)?,
                status: status_from(&col::<String>(row, "status", &doing)?, &doing)?,
                current_version: col(row, "current_version", &doing)?,
                updated_at: col(row, "updated_at", &doing)?,
                submitted_at: col(row, "submitted_at", &doing)?,
                tasks: items.len(),
            })
        })
        .collect()
}

/// A coordinating agency's contribution to a task, as the lead sees it on its form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contribution {
    pub task_code: String,
    pub agency_code: String,
    pub status: Status,
    pub results: String,
    pub updated_at: String,
}

/// The contributions sent (submitted or accepted) by the coordinating agencies of a program's
/// tasks for a task-report period ("2026-Y"): what the lead's form shows under each task.
pub async fn contributions(db: &Db, program_id: i64, period: &str) -> Result<Vec<Contribution>> {
    let doing = format!("reading the contributions of program {program_id} for {period}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT t.code, a.agency_code, r.status, v.results, r.updated_at          FROM progress_reports r          JOIN assignments a ON a.id = r.assignment_id          JOIN tasks t ON t.id = a.task_id          JOIN report_versions v ON v.report_id = r.id AND v.version = r.current_version          WHERE a.program_id = $1 AND a.role = 'coordinating' AND r.period = $2          AND r.status IN ('submitted', 'accepted')          ORDER BY t.code, a.agency_code",
    )
    .bind(program_id)
    .bind(period.to_owned())
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter()
        .map(|row| {
            Ok(Contribution {
                task_code: col(row, "code", &doing)?,
                agency_code: col(row, "agency_code", &doing)?,
                status: status_from(&col::<String>(row, "status", &doing)?, &doing)?,
                results: col(row, "results", &doing)?,
                updated_at: col(row, "updated_at", &doing)?,
            })
        })
        .collect()
}

async fn read_in(conn: &mut AnyConnection, id: i64, doing: &str) -> Result<AgencyReport> {
    let row = sqlx::query(
        "SELECT id, program_id, agency_code, period, status, current_version, \
         first_submitted_at, submitted_at, accepted_at, reviewed_by FROM agency_reports \
         WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.to_owned())?
    .ok_or_else(|| StoreError::NotFound(format!("agency report {id}")))?;
    let rows = sqlx::query(
        "SELECT version, action, status_after, author, saved_at, comment, items \
         FROM agency_report_versions WHERE agency_report_id = $1 ORDER BY version",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    let versions = rows
        .iter()
        .map(|v| {
            let action: String = col(v, "action", doing)?;
            Ok(AgencyVersion {
                version: col(v, "version", doing)?,
                action: Action::parse(&action)
                    .ok_or_else(|| corrupt(doing, format!("unknown action «{action}»")))?,
                status_after: status_from(&col::<String>(v, "status_after", doing)?, doing)?,
                author: col(v, "author", doing)?,
                saved_at: col(v, "saved_at", doing)?,
                comment: col(v, "comment", doing)?,
                items: items_from(&col::<String>(v, "items", doing)?, doing)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if versions.is_empty() {
        return Err(corrupt(doing, "an agency report without a version"));
    }
    Ok(AgencyReport {
        id,
        program_id: col(&row, "program_id", doing)?,
        agency_code: col(&row, "agency_code", doing)?,
        period: col(&row, "period", doing)?,
        status: status_from(&col::<String>(&row, "status", doing)?, doing)?,
        current_version: col(&row, "current_version", doing)?,
        first_submitted_at: col(&row, "first_submitted_at", doing)?,
        submitted_at: col(&row, "submitted_at", doing)?,
        accepted_at: col(&row, "accepted_at", doing)?,
        reviewed_by: col(&row, "reviewed_by", doing)?,
        versions,
    })
}

/// The agency report of `key` as a write starts from it, if there is one.
async fn current_of(
    conn: &mut AnyConnection,
    key: Key<'_>,
    doing: &str,
) -> Result<Option<Current>> {
    let row = sqlx::query(
        "SELECT id, status, current_version FROM agency_reports \
         WHERE program_id = $1 AND agency_code = $2 AND period = $3",
    )
    .bind(key.program_id)
    .bind(key.agency_code.to_owned())
    .bind(key.period.to_owned())
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    row.map(|row| current_from(&row, doing)).transpose()
}

async fn version_items(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    doing: &str,
) -> Result<Vec<Item>> {
    let items: String = sqlx::query_scalar(
        "SELECT items FROM agency_report_versions WHERE agency_report_id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .fetch_one(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    items_from(&items, doing)
}

fn items_from(text: &str, doing: &str) -> Result<Vec<Item>> {
    serde_json::from_str(text).map_err(|e| corrupt(doing, format!("bad items: {e}")))
}

async fn insert_version(
    conn: &mut AnyConnection,
    id: i64,
    version: &AgencyVersion,
    doing: &str,
) -> Result<()> {
    let items =
        serde_json::to_string(&version.items).map_err(|e| corrupt(doing, format!("items: {e}")))?;
    sqlx::query(
        "INSERT INTO agency_report_versions (agency_report_id, version, action, status_after, \
         author, saved_at, comment, items) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(version.version)
    .bind(version.action.as_str())
    .bind(version.status_after.as_str())
    .bind(version.author.clone())
    .bind(version.saved_at.clone())
    .bind(version.comment.clone())
    .bind(items)
    .execute(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    Ok(())
}

/// Appends the act to the audit log and raises its notice, in the write's transaction.
#[expect(clippy::too_many_arguments, reason = "one act's facts, named")]
async fn audit(
    conn: &mut AnyConnection,
    id: i64,
    key: Key<'_>,
    version: i64,
    action: Action,
    status: Status,
    actor: &str,
    comment: Option<&str>,
) -> Result<()> {
    let entry = crate::audit::AuditEntry {
        actor: actor.to_owned(),
        action: format!("agency_report.{}", action.as_str()),
        entity: "agency_report".to_owned(),
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "program_id": key.program_id,
            "agency_code": key.agency_code,
            "period": key.period,
            "version": version,
            "status": status.as_str(),
        })),
    };
    crate::audit::append(conn, clock::now(), &entry).await?;
    // Who is concerned is told at once, in this transaction, once for the whole report (its
    // tasks' reports are written without a notice of their own).
    let kind = match action {
        Action::Submit => Some(EventKind::Sent),
        Action::Return => Some(EventKind::Returned),
        Action::Accept => Some(EventKind::Accepted),
        Action::Reopen => Some(EventKind::Reopened),
        Action::Save => None,
    };
    if let Some(kind) = kind {
        let event = Event {
            kind,
            subject: format!("agency_report:{id}"),
            agency_code: key.agency_code.to_owned(),
            program_id: key.program_id,
            task_code: None,
            task_title: Some(format!("kỳ {}", key.period)),
            sequence: version,
            comment: comment.map(str::to_owned),
            link: format!(
                "/programs/{}/agencies/{}/report?period={}",
                key.program_id, key.agency_code, key.period
            ),
        };
        crate::notifications::raise_in(conn, &event, clock::now(), "telling of an agency report")
            .await?;
    }
    Ok(())
}

/// A fault of one task's part, named by the task's assignment so a form can show it there.
fn on_task(item: &ItemEdit<'_>, error: StoreError) -> StoreError {
    match error {
        StoreError::Invalid(message) => StoreError::Invalid(format!(
            "Nhiệm vụ (assignment {}): {message}",
            item.assignment_id
        )),
        other => other,
    }
}
