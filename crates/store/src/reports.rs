//! Progress reports (báo cáo tiến độ) with their versions and review: one report per
//! assignment and reporting period, written as drafts, submitted, returned with a comment or
//! accepted, and reopened only explicitly.
//!
//! # The rules
//!
//! - **States.** `draft → submitted → returned | accepted`; a returned report is edited and
//!   submitted again. An accepted report is locked: saving, submitting or returning it is
//!   refused ([`StoreError::WrongState`], like any act its state does not allow) until someone
//!   [`reopen`]s it (with a reason), which makes it `returned`. Which step each status allows,
//!   the status it leads to and the refusal's wording are the domain's
//!   ([`dongbo_domain::report`]); this module asks it before every write.
//! - **Nothing is overwritten.** Every save and every transition writes a new version with the
//!   whole content (a return or an acceptance copies the content it judged, with the comment);
//!   the history of a report is the list of its versions.
//! - **No lost update.** Every change names the version its author saw (`based_on`,
//!   `seen_version`): the form carries it. The write is a compare-and-set on
//!   `current_version` and `status`, so of two reviewers acting on the same version one wins and
//!   the other gets [`StoreError::Conflict`], on SQLite (where writes queue) as on PostgreSQL
//!   (where they race).
//! - **Idempotent requests.** A request may carry an idempotency key: retried with the same
//!   key, it returns the report and version of the first attempt and writes nothing. A key
//!   reused for a different request is refused.
//! - **Text** is NFC-normalised and trimmed at this boundary; progress is 0–100; a report
//!   cannot be submitted with empty results (the rules of [`dongbo_domain::report`], applied
//!   by [`ReportContent::normalised`]). A refused request changes nothing.
//!
//! Logs carry ids, versions and statuses, never the text of a report.

use chrono::{DateTime, FixedOffset, NaiveDate};
use dongbo_domain::Period;
use dongbo_domain::clock;
use dongbo_domain::report::{self, InvalidContent, Refusal};
use dongbo_domain::text::clean;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::codec::{col, date_from_text, date_text, now, position};
use crate::{Context, Db, Result, StoreError};

// The workflow's values and rules live in the domain (`dongbo_domain::report`); the store
// names them as its callers always have.
pub use dongbo_domain::report::{AttachedFile, EvidenceLink, IssuedDocument, ReportPeriod};

/// Where a report is in its review: the store's name for [`report::Status`].
pub use dongbo_domain::report::Status as ReportStatus;
/// What wrote a version: the store's older name for [`report::Step`], kept for its callers
/// (in the domain, `Action` is what a user may do: `dongbo_domain::access::Action`).
pub use dongbo_domain::report::Step as Action;

/// What a report says: the content of one version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportContent {
    /// Kết quả thực hiện — what was done.
    pub results: String,
    /// Tiến độ — percent done, 0–100.
    pub progress: u8,
    /// Khó khăn, vướng mắc — difficulties and obstacles.
    pub difficulties: String,
    /// Kiến nghị, đề xuất — recommendations.
    pub recommendations: String,
    pub documents: Vec<IssuedDocument>,
    pub links: Vec<EvidenceLink>,
    pub files: Vec<AttachedFile>,
    /// Library items cited as evidence (their ids), in the author's order, without repeats.
    #[serde(default)]
    pub library_items: Vec<i64>,
}

/// Library items one report version may cite at most.
pub const MAX_LIBRARY_ITEMS: usize = 50;

impl ReportContent {
    /// The content as stored: every text NFC and trimmed, checked by the domain's rules
    /// ([`report::check_progress`], [`IssuedDocument::normalised`],
    /// [`EvidenceLink::normalised`], [`AttachedFile::normalised`]), the first fault found
    /// refusing it. Evidence with neither number nor title, or neither URL nor title, is a
    /// form's empty row and is dropped. Public so that a form can be checked before its
    /// uploaded files are stored.
    pub fn normalised(&self) -> Result<ReportContent> {
        // Fields are checked in the order written, so the fault reported first stays the
        // same: progress, then documents, links and files.
        Ok(ReportContent {
            progress: report::check_progress(self.progress)?,
            documents: self
                .documents
                .iter()
                .filter_map(|document| document.normalised().transpose())
                .collect::<Result<_, _>>()?,
            links: self
                .links
                .iter()
                .filter_map(|link| link.normalised().transpose())
                .collect::<Result<_, _>>()?,
            files: self
                .files
                .iter()
                .map(AttachedFile::normalised)
                .collect::<Result<_, _>>()?,
            results: clean(&self.results),
            difficulties: clean(&self.difficulties),
            recommendations: clean(&self.recommendations),
            library_items: library_items(&self.library_items)?,
        })
    }
}

/// The cited items without repeats, in the order first given; refused past the limit.
fn library_items(ids: &[i64]) -> Result<Vec<i64>> {
    let mut kept: Vec<i64> = Vec::with_capacity(ids.len());
    for &id in ids {
        if !kept.contains(&id) {
            kept.push(id);
        }
    }
    if kept.len() > MAX_LIBRARY_ITEMS {
        return Err(StoreError::Invalid(format!(
            "Một báo cáo trích dẫn tối đa {MAX_LIBRARY_ITEMS} tài liệu thư viện \
             (a report cites at most {MAX_LIBRARY_ITEMS} library items)"
        )));
    }
    Ok(kept)
}

/// A step the report's status does not allow is [`StoreError::WrongState`], its message the
/// refusal's in one line ("Vietnamese (English)").
impl From<Refusal> for StoreError {
    fn from(refusal: Refusal) -> Self {
        StoreError::WrongState(refusal.message.to_string())
    }
}

/// Content the domain's rules refuse is [`StoreError::Invalid`], its message in one line.
impl From<InvalidContent> for StoreError {
    fn from(invalid: InvalidContent) -> Self {
        StoreError::Invalid(invalid.message.to_string())
    }
}

/// An author's save or submission of a report.
#[derive(Debug, Clone, Copy)]
pub struct Edit<'a> {
    pub assignment_id: i64,
    pub period: ReportPeriod,
    pub content: &'a ReportContent,
    /// Who writes (an account name); NFC-normalised.
    pub author: &'a str,
    /// The version the author's form was filled from: `None` for a new report. When the
    /// report has moved on since (or was created meanwhile), the edit is a
    /// [`StoreError::Conflict`].
    pub based_on: Option<i64>,
    /// Makes a retried request return the first attempt's result instead of writing again.
    pub idempotency_key: Option<&'a str>,
}

/// What a write did: the report and the version it now is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub report_id: i64,
    pub version: i64,
    pub status: ReportStatus,
    /// `true` when the idempotency key had been seen: nothing was written, and this is the
    /// first attempt's result.
    pub replayed: bool,
}

/// One version of a report, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportVersion {
    pub version: i64,
    pub action: Action,
    pub status_after: ReportStatus,
    pub content: ReportContent,
    /// Who wrote this version: the author of a save or submission, the reviewer of a return
    /// or acceptance, whoever reopened.
    pub author: String,
    /// RFC 3339, UTC.
    pub saved_at: String,
    /// The reviewer's comment of a return or an acceptance (optional there), the reason of a
    /// reopening.
    pub comment: Option<String>,
}

/// A report with its current content and its whole history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub summary: ReportSummary,
    /// Every version, oldest first; the last is the current one.
    pub versions: Vec<ReportVersion>,
}

impl Report {
    /// The current content.
    pub fn content(&self) -> &ReportContent {
        // A stored report always has its current version (written in the same transaction).
        &self.current().content
    }

    /// The current version.
    pub fn current(&self) -> &ReportVersion {
        self.versions
            .last()
            .unwrap_or_else(|| unreachable!("a report is read with at least one version"))
    }

    /// The comment of the latest return or reopening, when the report is returned: what the
    /// author has to fix.
    pub fn open_comment(&self) -> Option<&str> {
        if self.summary.status != ReportStatus::Returned {
            return None;
        }
        self.versions
            .iter()
            .rev()
            .find(|v| matches!(v.action, Action::Return | Action::Reopen))
            .and_then(|v| v.comment.as_deref())
    }
}

/// A report without its history: what lists show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportSummary {
    pub id: i64,
    pub assignment_id: i64,
    pub period: ReportPeriod,
    pub status: ReportStatus,
    pub current_version: i64,
    /// The progress of the current version.
    pub progress: u8,
    pub created_at: String,
    pub updated_at: String,
    /// The latest submission.
    pub submitted_at: Option<String>,
    /// When it was accepted, while it is.
    pub accepted_at: Option<String>,
    /// The reviewer of the latest return or acceptance.
    pub reviewed_by: Option<String>,
}

/// The latest accepted progress of an assignment: what `dongbo_domain::state::compute` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AcceptedProgress {
    pub report_id: i64,
    pub period: ReportPeriod,
    pub progress: u8,
    /// The day it was accepted, in Vietnam (UTC+7): the day deadlines are judged on.
    pub accepted_on: NaiveDate,
}

/// Saves the author's content as a draft, creating the report of that assignment and period
/// when it is new. A draft stays a draft and a returned report stays returned (its comment
/// stays open) until submitted. Refused for a submitted report (waiting for review) and an
/// accepted one (locked).
pub async fn save_draft(db: &Db, edit: &Edit<'_>) -> Result<Outcome> {
    write_edit(db, edit, Action::Save).await
}

/// Submits the author's content for review: a new report, a draft or a returned report
/// becomes `submitted`. The results must not be empty.
pub async fn submit(db: &Db, edit: &Edit<'_>) -> Result<Outcome> {
    write_edit(db, edit, Action::Submit).await
}

/// Sends a submitted report back to its author with the reviewer's comment (required).
pub async fn return_report(
    db: &Db,
    report_id: i64,
    seen_version: i64,
    reviewer: &str,
    comment: &str,
    idempotency_key: Option<&str>,
) -> Result<Outcome> {
    let review = Review {
        report_id,
        seen_version,
        by: reviewer,
        note: Some(comment),
        idempotency_key,
    };
    write_review(db, &review, Action::Return).await
}

/// Accepts a submitted report, which locks it.
pub async fn accept(
    db: &Db,
    report_id: i64,
    seen_version: i64,
    reviewer: &str,
    idempotency_key: Option<&str>,
) -> Result<Outcome> {
    accept_with_comment(db, report_id, seen_version, reviewer, None, idempotency_key).await
}

/// Accepts a submitted report, which locks it, keeping the reviewer's comment (optional: an
/// empty one is none) on the acceptance's version, where the report's history shows it.
pub async fn accept_with_comment(
    db: &Db,
    report_id: i64,
    seen_version: i64,
    reviewer: &str,
    comment: Option<&str>,
    idempotency_key: Option<&str>,
) -> Result<Outcome> {
    let review = Review {
        report_id,
        seen_version,
        by: reviewer,
        note: comment,
        idempotency_key,
    };
    write_review(db, &review, Action::Accept).await
}

/// Reopens an accepted report, with the reason (required): it becomes `returned`, to be edited
/// and submitted again, and no longer counts as accepted. The explicit, recorded way out of
/// the lock.
pub async fn reopen(
    db: &Db,
    report_id: i64,
    seen_version: i64,
    by: &str,
    reason: &str,
    idempotency_key: Option<&str>,
) -> Result<Outcome> {
    let review = Review {
        report_id,
        seen_version,
        by,
        note: Some(reason),
        idempotency_key,
    };
    write_review(db, &review, Action::Reopen).await
}

/// A report with its current content and every version.
pub async fn get(db: &Db, report_id: i64) -> Result<Report> {
    let doing = format!("reading report {report_id}");
    let mut tx = db.read(&doing).await?;
    let summary = summaries(&mut tx, Filter::Report(report_id), &doing)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::NotFound(format!("report {report_id}")))?;
    let versions = versions(&mut tx, report_id, &doing).await?;
    if versions.last().map(|v| v.version) != Some(summary.current_version) {
        return Err(corrupt(
            &doing,
            format!(
                "the current version {} is not the last version stored",
                summary.current_version
            ),
        ));
    }
    Ok(Report { summary, versions })
}

/// The report of an assignment for a period, when one was started.
pub async fn for_period(
    db: &Db,
    assignment_id: i64,
    period: ReportPeriod,
) -> Result<Option<Report>> {
    let doing = format!(
        "finding the {} report of assignment {assignment_id}",
        period.code()
    );
    let id = {
        let mut tx = db.read(&doing).await?;
        sqlx::query("SELECT id FROM progress_reports WHERE assignment_id = $1 AND period = $2")
            .bind(assignment_id)
            .bind(period.code())
            .fetch_optional(&mut *tx)
            .await
            .context(|| doing.clone())?
            .map(|row| col::<i64>(&row, "id", &doing))
            .transpose()?
    };
    match id {
        Some(id) => get(db, id).await.map(Some),
        None => Ok(None),
    }
}

/// The reports of an assignment, one per period, in period order ("once" first).
pub async fn for_assignment(db: &Db, assignment_id: i64) -> Result<Vec<ReportSummary>> {
    let doing = format!("reading the reports of assignment {assignment_id}");
    let mut tx = db.read(&doing).await?;
    let mut found = summaries(&mut tx, Filter::Assignment(assignment_id), &doing).await?;
    found.sort_by_key(|s| (s.period, s.id));
    Ok(found)
}

/// The progress of the most recently accepted report of an assignment that is still accepted
/// (a reopened report no longer counts), with the day it was accepted.
pub async fn latest_accepted(db: &Db, assignment_id: i64) -> Result<Option<AcceptedProgress>> {
    let doing = format!("reading the accepted progress of assignment {assignment_id}");
    let mut tx = db.read(&doing).await?;
    let accepted: Vec<ReportSummary> =
        summaries(&mut tx, Filter::Assignment(assignment_id), &doing)
            .await?
            .into_iter()
            .filter(|s| s.status == ReportStatus::Accepted)
            .collect();
    let mut latest: Option<(DateTime<FixedOffset>, AcceptedProgress)> = None;
    for summary in accepted {
        let text = summary
            .accepted_at
            .as_deref()
            .ok_or_else(|| corrupt(&doing, "an accepted report has no acceptance time"))?;
        let at = DateTime::parse_from_rfc3339(text)
            .map_err(|e| corrupt(&doing, format!("bad time «{text}»: {e}")))?;
        let candidate = AcceptedProgress {
            report_id: summary.id,
            period: summary.period,
            progress: summary.progress,
            accepted_on: clock::vietnam_day(at.to_utc()),
        };
        let later = latest
            .as_ref()
            .is_none_or(|(best_at, best)| (at, candidate.report_id) > (*best_at, best.report_id));
        if later {
            latest = Some((at, candidate));
        }
    }
    Ok(latest.map(|(_, progress)| progress))
}

/// A submitted or accepted report of a program that may cover a reporting period (see
/// [`dongbo_domain::dashboard::report_covers`]): whose assignment it is, and for which period it was sent when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentReport {
    pub assignment_id: i64,
    pub agency_code: String,
    pub task_code: String,
    pub role: dongbo_domain::Role,
    pub period: ReportPeriod,
    /// The day (in Vietnam) of its latest submission.
    pub submitted_on: Option<NaiveDate>,
}

/// The submitted or accepted reports of program `program_id` that are for `period` or are
/// one-off reports ("once"): what decides which reports are missing for the period
/// (`dongbo_domain::dashboard::report_covers`). Given the reports `kept` from an earlier call,
/// reads only what changed since (see [`crate::dashboard::PerAssignment`]). One query, on
/// the reports index.
pub async fn sent_for_period(
    db: &Db,
    program_id: i64,
    period: Period,
    kept: Option<&crate::dashboard::PerAssignment<SentReport>>,
) -> Result<crate::dashboard::PerAssignment<SentReport>> {
    let doing = format!(
        "reading the reports of program {program_id} sent for {}",
        period.code()
    );
    crate::dashboard::per_assignment(db, program_id, kept, &doing, async |conn, since| {
        let changed = match since {
            Some(_) => format!("AND {}", crate::dashboard::stamped_after(1, 3)),
            None => String::new(),
        };
        let sql = format!(
            "SELECT r.assignment_id, a.agency_code, a.role, t.code, r.period, r.submitted_at \
             FROM progress_reports r JOIN assignments a ON a.id = r.assignment_id \
             JOIN tasks t ON t.id = a.task_id \
             WHERE a.program_id = $1 AND r.status IN ('submitted', 'accepted') \
               AND (r.period = $2 OR r.period = 'once') {changed}"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(program_id)
            .bind(period.code());
        if let Some(since) = since {
            query = query.bind(since);
        }
        let rows = query
            .fetch_all(&mut *conn)
            .await
            .context(|| doing.clone())?;
        rows.iter()
            .map(|row| {
                let role: String = col(row, "role", &doing)?;
                let period: String = col(row, "period", &doing)?;
                let submitted: Option<String> = col(row, "submitted_at", &doing)?;
                let assignment_id: i64 = col(row, "assignment_id", &doing)?;
                let report = SentReport {
                    assignment_id,
                    agency_code: col(row, "agency_code", &doing)?,
                    task_code: col(row, "code", &doing)?,
                    role: dongbo_domain::Role::parse(&role)
                        .ok_or_else(|| corrupt(&doing, format!("unknown role «{role}»")))?,
                    period: period
                        .parse()
                        .map_err(|e| corrupt(&doing, format!("bad period «{period}»: {e}")))?,
                    submitted_on: submitted
                        .map(|text| vietnam_day(&text, &doing))
                        .transpose()?,
                };
                Ok((assignment_id, report))
            })
            .collect()
    })
    .await
}

/// A report of an agency that waits for the agency itself: a draft not yet submitted or a
/// report returned to be fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitingReport {
    pub id: i64,
    pub assignment_id: i64,
    pub program_id: i64,
    /// The program's document number ("47/NQ-CP"), when it has one.
    pub program_number: Option<String>,
    pub task_code: String,
    pub task_title: String,
    pub group_code: String,
    pub period: ReportPeriod,
    pub status: ReportStatus,
    pub updated_at: String,
    /// The reviewer's comment of the latest return (or the reason of a reopening).
    pub comment: Option<String>,
}

/// A task report sent and waiting for review, as a reviewer's queue lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwaitingReview {
    pub id: i64,
    pub assignment_id: i64,
    pub program_id: i64,
    pub agency_code: String,
    pub task_code: String,
    pub period: String,
    /// When it was (last) sent.
    pub submitted_at: Option<String>,
}

/// Every task report sent and not yet reviewed, longest waiting first.
pub async fn awaiting_review(db: &Db) -> Result<Vec<AwaitingReview>> {
    let doing = "reading the task reports awaiting review".to_owned();
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT r.id, r.assignment_id, a.program_id, a.agency_code, t.code, r.period, \
            r.submitted_at FROM progress_reports r JOIN assignments a ON a.id = r.assignment_id \
         JOIN tasks t ON t.id = a.task_id WHERE r.status = 'submitted' \
         ORDER BY r.submitted_at, r.id",
    )
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter()
        .map(|row| {
            Ok(AwaitingReview {
                id: col(row, "id", &doing)?,
                assignment_id: col(row, "assignment_id", &doing)?,
                program_id: col(row, "program_id", &doing)?,
                agency_code: col(row, "agency_code", &doing)?,
                task_code: col(row, "code", &doing)?,
                period: col(row, "period", &doing)?,
                submitted_at: col(row, "submitted_at", &doing)?,
            })
        })
        .collect()
}

/// The drafts and returned reports of the agency `agency_code`, most recently changed first.
pub async fn waiting_for_agency(db: &Db, agency_code: &str) -> Result<Vec<WaitingReport>> {
    let doing = format!("reading the drafts and returned reports of agency {agency_code}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT r.id, r.assignment_id, a.program_id, d.number, t.code, t.title, t.group_code, \
            r.period, r.status, r.updated_at, \
            (SELECT v.comment FROM report_versions v WHERE v.report_id = r.id \
               AND v.action IN ('return', 'reopen') ORDER BY v.version DESC LIMIT 1) AS comment \
         FROM progress_reports r JOIN assignments a ON a.id = r.assignment_id \
         JOIN tasks t ON t.id = a.task_id \
         JOIN programs p ON p.id = a.program_id JOIN documents d ON d.id = p.document_id \
         WHERE a.agency_code = $1 AND r.status IN ('draft', 'returned') \
         ORDER BY r.updated_at DESC, r.id DESC",
    )
    .bind(agency_code)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter()
        .map(|row| {
            let period: String = col(row, "period", &doing)?;
            let status = status_from(&col::<String>(row, "status", &doing)?, &doing)?;
            Ok(WaitingReport {
                id: col(row, "id", &doing)?,
                assignment_id: col(row, "assignment_id", &doing)?,
                program_id: col(row, "program_id", &doing)?,
                program_number: col(row, "number", &doing)?,
                task_code: col(row, "code", &doing)?,
                task_title: col(row, "title", &doing)?,
                group_code: col(row, "group_code", &doing)?,
                period: period
                    .parse()
                    .map_err(|e| corrupt(&doing, format!("bad period «{period}»: {e}")))?,
                status,
                updated_at: col(row, "updated_at", &doing)?,
                // A draft's comment is none: only a returned report has one open.
                comment: match status {
                    ReportStatus::Returned => col(row, "comment", &doing)?,
                    _ => None,
                },
            })
        })
        .collect()
}

/// The day in Vietnam of each program's latest task report still accepted, by program id: what
/// the public home page shows as "last accepted report". One query over every program.
pub async fn last_accepted_by_program(
    db: &Db,
) -> Result<std::collections::BTreeMap<i64, NaiveDate>> {
    let doing = "reading each program's latest accepted report".to_owned();
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT a.program_id, MAX(r.accepted_at) AS accepted_at FROM progress_reports r \
         JOIN assignments a ON a.id = r.assignment_id \
         WHERE r.status = 'accepted' AND r.accepted_at IS NOT NULL GROUP BY a.program_id",
    )
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter()
        .map(|row| {
            let program: i64 = col(row, "program_id", &doing)?;
            let at: String = col(row, "accepted_at", &doing)?;
            Ok((program, vietnam_day(&at, &doing)?))
        })
        .collect()
}

/// The day in Vietnam of a stored RFC 3339 time.
pub(crate) fn vietnam_day(text: &str, doing: &str) -> Result<NaiveDate> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| clock::vietnam_day(at.to_utc()))
        .map_err(|e| corrupt(doing, format!("bad time «{text}»: {e}")))
}

/// The progress and acceptance day (in Vietnam) of the assignment's latest report still
/// accepted: the latest acceptance time, then the highest report id.
async fn latest_accepted_in(
    conn: &mut AnyConnection,
    assignment_id: i64,
    doing: &str,
) -> Result<Option<(u8, NaiveDate)>> {
    let latest = sqlx::query(
        "SELECT v.progress, r.accepted_at FROM progress_reports r \
         JOIN report_versions v ON v.report_id = r.id AND v.version = r.current_version \
         WHERE r.assignment_id = $1 AND r.status = 'accepted' \
         ORDER BY r.accepted_at DESC, r.id DESC LIMIT 1",
    )
    .bind(assignment_id)
    .fetch_optional(&mut *conn)
    .await
    .context(|| format!("{doing}: the latest accepted report"))?;
    latest
        .map(|row| {
            let progress: i64 = col(&row, "progress", doing)?;
            let at: String = col(&row, "accepted_at", doing)?;
            let at = DateTime::parse_from_rfc3339(&at)
                .map_err(|e| corrupt(doing, format!("bad time «{at}»: {e}")))?;
            Ok((
                u8::try_from(progress.clamp(0, 100)).unwrap_or(0),
                clock::vietnam_day(at.to_utc()),
            ))
        })
        .transpose()
}

/// What every report write does besides the report itself, in its transaction: keeps the
/// dashboard facts of the assignment up to date and appends the act to the audit log.
#[expect(
    clippy::too_many_arguments,
    reason = "the report's write as its caller made it, passed on once"
)]
async fn after_write(
    conn: &mut AnyConnection,
    report_id: i64,
    version: i64,
    written: Option<Written>,
    action: Action,
    status: ReportStatus,
    actor: &str,
    comment: Option<&str>,
    notify: bool,
    doing: &str,
) -> Result<()> {
    let Written {
        assignment_id,
        period,
        progress,
    } = match written {
        Some(written) => written,
        None => {
            let row = sqlx::query(
                "SELECT r.assignment_id, r.period, v.progress FROM progress_reports r \
                 JOIN report_versions v ON v.report_id = r.id AND v.version = $2 WHERE r.id = $1",
            )
            .bind(report_id)
            .bind(version)
            .fetch_one(&mut *conn)
            .await
            .context(|| format!("{doing}: reading what was written"))?;
            let progress: i64 = col(&row, "progress", doing)?;
            Written {
                assignment_id: col(&row, "assignment_id", doing)?,
                period: col(&row, "period", doing)?,
                progress: u8::try_from(progress.clamp(0, 100)).unwrap_or(0),
            }
        }
    };
    // The people concerned are told at once, in this transaction: a crash loses the event
    // and its notice together or neither.
    let event = match action {
        Action::Submit => Some(crate::notifications::EventKind::Sent),
        Action::Return => Some(crate::notifications::EventKind::Returned),
        Action::Accept => Some(crate::notifications::EventKind::Accepted),
        Action::Reopen => Some(crate::notifications::EventKind::Reopened),
        Action::Save => None,
    };
    // A task written as part of its agency's report is told once, as the agency report
    // (`crate::agency_reports`), not once per task.
    if let Some(kind) = event.filter(|_| notify) {
        crate::notifications::raise_report_event_in(
            conn,
            kind,
            report_id,
            assignment_id,
            &period,
            version,
            comment,
            doing,
        )
        .await?;
    }
    let entry = crate::audit::AuditEntry {
        actor: actor.to_owned(),
        action: format!("report.{}", action.as_str()),
        entity: "report".to_owned(),
        entity_id: report_id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "assignment_id": assignment_id,
            "period": period,
            "version": version,
            "status": status.as_str(),
            "progress": progress,
        })),
    };
    match (action, status) {
        (Action::Accept | Action::Reopen, _) => {
            // The figures take the latest report still accepted, by the one rule that
            // `latest_accepted` and `dongbo check` use too: the latest acceptance time, then
            // the highest report id (times are kept to the second, so two acceptances can
            // tie). It is read after holding the assignment's row, so that an acceptance
            // racing this one on PostgreSQL has committed and is seen.
            crate::dashboard::hold(conn, assignment_id, doing).await?;
            let latest = latest_accepted_in(conn, assignment_id, doing).await?;
            match (action, latest) {
                (Action::Accept, Some((progress, accepted_on))) => {
                    crate::dashboard::record_accepted(conn, assignment_id, progress, accepted_on)
                        .await?;
                }
                (Action::Accept, None) => {
                    return Err(corrupt(
                        doing,
                        "the report just accepted is not among the accepted reports",
                    ));
                }
                _ => crate::dashboard::record_reopened(conn, assignment_id, latest).await?,
            }
            crate::dashboard::roll_up_from(conn, assignment_id).await?;
        }
        // A report sent: its work has started. A report returned no longer counts as sent for
        // its period (reports missing); its figures stay.
        (_, ReportStatus::Submitted | ReportStatus::Returned) => {
            let submitted = status == ReportStatus::Submitted;
            crate::dashboard::record_sent_and_audit(conn, assignment_id, submitted, &entry).await?;
            return Ok(());
        }
        _ => {}
    }
    crate::audit::append(conn, clock::now(), &entry).await?;
    Ok(())
}

/// What a version just written holds, for [`after_write`]: the writer knows it, a review
/// reads it.
struct Written {
    assignment_id: i64,
    period: String,
    progress: u8,
}

// ---------------------------------------------------------------------------------------------
// Writing

/// A reviewer's (or reopener's) act on a report.
pub(crate) struct Review<'a> {
    pub(crate) report_id: i64,
    pub(crate) seen_version: i64,
    pub(crate) by: &'a str,
    pub(crate) note: Option<&'a str>,
    pub(crate) idempotency_key: Option<&'a str>,
}

/// The row of a report (or of an agency report, `crate::agency_reports`) a write starts from.
pub(crate) struct Current {
    pub(crate) id: i64,
    pub(crate) status: ReportStatus,
    pub(crate) version: i64,
}

async fn write_edit(db: &Db, edit: &Edit<'_>, action: Action) -> Result<Outcome> {
    let content = edit.content.normalised()?;
    report::check_results(action, &content.results)?;
    let author = required(edit.author, "Người viết báo cáo (the author)")?;
    let key = key(edit.idempotency_key)?;
    let fingerprint = fingerprint(&serde_json::json!({
        "action": action.as_str(),
        "assignment_id": edit.assignment_id,
        "period": edit.period.code(),
        "content": content,
        "author": author,
        "based_on": edit.based_on,
    }));
    let doing = format!(
        "{} the {} report of assignment {}",
        match action {
            Action::Submit => "submitting",
            _ => "saving",
        },
        edit.period.code(),
        edit.assignment_id
    );
    let attempt = write_edit_once(
        db,
        edit,
        action,
        &content,
        &author,
        key,
        &fingerprint,
        &doing,
    )
    .await;
    settle(db, attempt, key, &fingerprint, &doing).await
}

#[expect(
    clippy::too_many_arguments,
    reason = "the checked parts of one request, passed on once"
)]
async fn write_edit_once(
    db: &Db,
    edit: &Edit<'_>,
    action: Action,
    content: &ReportContent,
    author: &str,
    key: Option<&str>,
    fingerprint: &str,
    doing: &str,
) -> Result<Outcome> {
    let mut tx = db.begin_write(doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    if let Some(key) = key
        && let Some(outcome) = replay(conn, key, fingerprint, doing).await?
    {
        return Ok(outcome);
    }
    let now = now();
    let outcome = edit_in(conn, edit, action, content, author, &now, true, doing).await?;
    if let Some(key) = key {
        remember(
            conn,
            key,
            outcome.report_id,
            outcome.version,
            fingerprint,
            &now,
            doing,
        )
        .await?;
    }
    tx.commit().await.context(|| doing.to_owned())?;
    tracing::info!(
        report.id = outcome.report_id,
        report.version = outcome.version,
        report.status = outcome.status.as_str(),
        assignment.id = edit.assignment_id,
        report.period = %edit.period.code(),
        "progress report {}",
        match action {
            Action::Submit => "submitted",
            _ => "saved",
        }
    );
    Ok(outcome)
}

/// An author's save or submission inside the caller's transaction: the report's row, its new
/// version, the dashboard facts and the audit entry. `content` is already normalised and
/// checked ([`ReportContent::normalised`], [`report::check_results`]). The agency's report
/// (`crate::agency_reports`) writes each of its tasks' reports through this, in its one
/// transaction.
#[expect(
    clippy::too_many_arguments,
    reason = "the checked parts of one write, passed on once"
)]
pub(crate) async fn edit_in(
    conn: &mut AnyConnection,
    edit: &Edit<'_>,
    action: Action,
    content: &ReportContent,
    author: &str,
    now: &str,
    notify: bool,
    doing: &str,
) -> Result<Outcome> {
    check_files(conn, content, doing).await?;
    let now = now.to_owned();
    // A form without a version is a new report: it is written at once, one statement for
    // the usual case; only when the period already has one is that report read (to refuse
    // the form as stale). A form with a version edits the report it was based on.
    let created = match edit.based_on {
        None => create(conn, edit, action, &now, doing).await?,
        Some(_) => None,
    };
    let (report_id, version, status) = match created {
        Some(created) => created,
        None => {
            let row = sqlx::query(
                "SELECT id, status, current_version FROM progress_reports \
                 WHERE assignment_id = $1 AND period = $2",
            )
            .bind(edit.assignment_id)
            .bind(edit.period.code())
            .fetch_optional(&mut *conn)
            .await
            .context(|| doing.to_owned())?;
            let Some(current) = row.map(|row| current_from(&row, doing)).transpose()? else {
                return Err(match edit.based_on {
                    Some(_) => StoreError::Conflict(
                        "Báo cáo này không còn tồn tại; hãy tải lại trang \
                         (the report no longer exists; reload the page)"
                            .to_owned(),
                    ),
                    // Not created, and no report: no such assignment.
                    None => StoreError::NotFound(format!("assignment {}", edit.assignment_id)),
                });
            };
            // A stale form is a conflict whatever the report's state now: its author decided
            // on a version that is no longer the report.
            if edit.based_on != Some(current.version) {
                return Err(stale(&current, edit.based_on));
            }
            let status = current.status.after(action)?;
            let version = current.version + 1;
            let submitted_at = (action == Action::Submit).then(|| now.clone());
            compare_and_set(
                conn,
                &current,
                version,
                status,
                &now,
                "submitted_at = COALESCE($6, submitted_at)",
                submitted_at,
                doing,
            )
            .await?;
            (current.id, version, status)
        }
    };

    insert_version(
        conn,
        &NewVersion {
            report_id,
            version,
            action,
            status_after: status,
            author,
            saved_at: &now,
            comment: None,
        },
        content,
        doing,
    )
    .await?;
    let written = Written {
        assignment_id: edit.assignment_id,
        period: edit.period.code(),
        progress: content.progress,
    };
    after_write(
        conn,
        report_id,
        version,
        Some(written),
        action,
        status,
        author,
        None,
        notify,
        doing,
    )
    .await?;
    Ok(Outcome {
        report_id,
        version,
        status,
        replayed: false,
    })
}

/// Writes the first version's row of a new report, as `(id, version, status)`; `None` when
/// the period has a report already or there is no such assignment. (On PostgreSQL, a racing
/// first report of the same period is waited for, then found.)
async fn create(
    conn: &mut AnyConnection,
    edit: &Edit<'_>,
    action: Action,
    now: &str,
    doing: &str,
) -> Result<Option<(i64, i64, ReportStatus)>> {
    let status = ReportStatus::of_new_report(action)?;
    let submitted_at = (action == Action::Submit).then(|| now.to_owned());
    let row = sqlx::query(
        "INSERT INTO progress_reports (assignment_id, period, status, current_version, \
         created_at, updated_at, submitted_at) \
         SELECT id, $2, $3, 1, $4, $4, $5 FROM assignments WHERE id = $1 \
         ON CONFLICT (assignment_id, period) DO NOTHING RETURNING id",
    )
    .bind(edit.assignment_id)
    .bind(edit.period.code())
    .bind(status.as_str())
    .bind(now.to_owned())
    .bind(submitted_at)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    row.map(|row| Ok((col::<i64>(&row, "id", doing)?, 1, status)))
        .transpose()
}

pub(crate) fn stale(current: &Current, seen: Option<i64>) -> StoreError {
    let (version, status) = (current.version, current.status);
    StoreError::Conflict(match seen {
        Some(seen) => format!(
            "Báo cáo vừa được người khác thay đổi: nay là phiên bản {version} («{}»), bạn đang \
             xem phiên bản {seen}; hãy tải lại trang (someone else changed the report: it is at \
             version {version}, {}, and you saw version {seen}; reload it)",
            status.label_vi(),
            status.as_str()
        ),
        None => format!(
            "Báo cáo của kỳ này đã có (phiên bản {version}); hãy mở báo cáo đó để sửa (a report \
             for this period already exists at version {version}; open it to edit it)"
        ),
    })
}

async fn write_review(db: &Db, review: &Review<'_>, action: Action) -> Result<Outcome> {
    let by = required(review.by, "Người thực hiện (who acts)")?;
    let note = match action.required_note() {
        Some(what) => Some(required(
            review.note.unwrap_or_default(),
            &what.to_string(),
        )?),
        None => review.note.map(clean).filter(|n| !n.is_empty()),
    };
    let key = key(review.idempotency_key)?;
    let fingerprint = fingerprint(&serde_json::json!({
        "action": action.as_str(),
        "report_id": review.report_id,
        "seen_version": review.seen_version,
        "by": by,
        "note": note,
    }));
    let doing = format!(
        "{} report {}",
        match action {
            Action::Return => "returning",
            Action::Accept => "accepting",
            _ => "reopening",
        },
        review.report_id
    );
    let attempt = write_review_once(
        db,
        review,
        action,
        &by,
        note.as_deref(),
        key,
        &fingerprint,
        &doing,
    )
    .await;
    settle(db, attempt, key, &fingerprint, &doing).await
}

#[expect(
    clippy::too_many_arguments,
    reason = "the checked parts of one request, passed on once"
)]
async fn write_review_once(
    db: &Db,
    review: &Review<'_>,
    action: Action,
    by: &str,
    note: Option<&str>,
    key: Option<&str>,
    fingerprint: &str,
    doing: &str,
) -> Result<Outcome> {
    let mut tx = db.begin_write(doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    if let Some(key) = key
        && let Some(outcome) = replay(conn, key, fingerprint, doing).await?
    {
        return Ok(outcome);
    }
    let now = now();
    let outcome = review_in(conn, review, action, by, note, &now, true, doing).await?;
    if let Some(key) = key {
        remember(
            conn,
            key,
            outcome.report_id,
            outcome.version,
            fingerprint,
            &now,
            doing,
        )
        .await?;
    }
    tx.commit().await.context(|| doing.to_owned())?;
    tracing::info!(
        report.id = outcome.report_id,
        report.version = outcome.version,
        report.status = outcome.status.as_str(),
        "progress report {}",
        match action {
            Action::Return => "returned",
            Action::Accept => "accepted",
            _ => "reopened",
        }
    );
    Ok(outcome)
}

/// A review (return, accept, reopen) inside the caller's transaction; `by` and `note` are
/// already checked. The agency's report reviews each of its tasks' reports through this.
#[expect(
    clippy::too_many_arguments,
    reason = "the checked parts of one review, passed on once"
)]
pub(crate) async fn review_in(
    conn: &mut AnyConnection,
    review: &Review<'_>,
    action: Action,
    by: &str,
    note: Option<&str>,
    now: &str,
    notify: bool,
    doing: &str,
) -> Result<Outcome> {
    let row = sqlx::query("SELECT id, status, current_version FROM progress_reports WHERE id = $1")
        .bind(review.report_id)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.to_owned())?
        .ok_or_else(|| StoreError::NotFound(format!("report {}", review.report_id)))?;
    let current = current_from(&row, doing)?;
    // Of two reviewers acting on the same version, the second is told someone else acted
    // first (a conflict), not that the report is now in a state they never saw.
    if review.seen_version != current.version {
        return Err(stale(&current, Some(review.seen_version)));
    }
    let status = current.status.after(action)?;
    let version = current.version + 1;
    let now = now.to_owned();
    match action {
        Action::Accept => {
            compare_and_set(
                conn,
                &current,
                version,
                status,
                &now,
                "accepted_at = $4, reviewed_by = $6",
                Some(by.to_owned()),
                doing,
            )
            .await?
        }
        Action::Return => {
            compare_and_set(
                conn,
                &current,
                version,
                status,
                &now,
                "reviewed_by = $6",
                Some(by.to_owned()),
                doing,
            )
            .await?
        }
        _ => {
            compare_and_set(
                conn,
                &current,
                version,
                status,
                &now,
                "accepted_at = $6",
                None,
                doing,
            )
            .await?
        }
    }
    copy_version(
        conn,
        &NewVersion {
            report_id: current.id,
            version,
            action,
            status_after: status,
            author: by,
            saved_at: &now,
            comment: note,
        },
        current.version,
        doing,
    )
    .await?;
    after_write(
        conn, current.id, version, None, action, status, by, note, notify, doing,
    )
    .await?;
    Ok(Outcome {
        report_id: current.id,
        version,
        status,
        replayed: false,
    })
}

/// Moves the report from `current` to `version`/`status` only if nobody else moved it since
/// it was read: the compare-and-set that makes a racing second writer a conflict rather than a
/// lost update. `set` adds assignments that may use `$4` (now) and `$6` (`extra`).
#[expect(clippy::too_many_arguments, reason = "one UPDATE's parameters, named")]
async fn compare_and_set(
    conn: &mut AnyConnection,
    current: &Current,
    version: i64,
    status: ReportStatus,
    now: &str,
    set: &'static str,
    extra: Option<String>,
    doing: &str,
) -> Result<()> {
    compare_and_set_in(
        conn,
        "progress_reports",
        current,
        version,
        status,
        now,
        set,
        extra,
        doing,
    )
    .await
}

/// [`compare_and_set`] on `table`: `progress_reports`, or `agency_reports`, whose rows keep
/// their workflow in the same columns.
#[expect(clippy::too_many_arguments, reason = "one UPDATE's parameters, named")]
pub(crate) async fn compare_and_set_in(
    conn: &mut AnyConnection,
    table: &'static str,
    current: &Current,
    version: i64,
    status: ReportStatus,
    now: &str,
    set: &'static str,
    extra: Option<String>,
    doing: &str,
) -> Result<()> {
    let updated = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET status = $1, current_version = $2, updated_at = $4, {set} \
         WHERE id = $3 AND current_version = $5 AND status = $7"
    )))
    .bind(status.as_str())
    .bind(version)
    .bind(current.id)
    .bind(now.to_owned())
    .bind(current.version)
    .bind(extra)
    .bind(current.status.as_str())
    .execute(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "Báo cáo vừa được người khác thay đổi cùng lúc; hãy tải lại trang (someone else \
             changed report {} at the same time; reload it)",
            current.id
        )));
    }
    Ok(())
}

/// On a conflict or a racing duplicate, a request whose key was meanwhile carried out (its
/// own earlier attempt, racing) gets that result; anything else stays an error, a racing
/// duplicate becoming a [`StoreError::Conflict`].
async fn settle(
    db: &Db,
    attempt: Result<Outcome>,
    key: Option<&str>,
    fingerprint: &str,
    doing: &str,
) -> Result<Outcome> {
    let error = match attempt {
        Ok(outcome) => return Ok(outcome),
        Err(error) => error,
    };
    let racing = error.is_unique_violation();
    if !racing && !matches!(error, StoreError::Conflict(_)) {
        return Err(error);
    }
    if let Some(key) = key {
        let mut tx = db.read(doing).await?;
        if let Some(outcome) = replay(&mut tx, key, fingerprint, doing).await? {
            return Ok(outcome);
        }
    }
    if racing {
        return Err(StoreError::Conflict(
            "Báo cáo vừa được người khác tạo hoặc thay đổi cùng lúc; hãy tải lại trang \
             (someone else created or changed the report at the same time; reload it)"
                .to_owned(),
        ));
    }
    Err(error)
}

/// The result of an earlier request with this key, or `None` when the key is new.
async fn replay(
    conn: &mut AnyConnection,
    key: &str,
    fingerprint: &str,
    doing: &str,
) -> Result<Option<Outcome>> {
    let row = sqlx::query(
        "SELECT k.report_id, k.version, k.fingerprint, v.status_after \
         FROM idempotency_keys k \
         JOIN report_versions v ON v.report_id = k.report_id AND v.version = k.version \
         WHERE k.key = $1",
    )
    .bind(key)
    .fetch_optional(&mut *conn)
    .await
    .context(|| format!("{doing}: idempotency key"))?;
    let Some(row) = row else { return Ok(None) };
    let stored: String = col(&row, "fingerprint", doing)?;
    if stored != fingerprint {
        return Err(StoreError::Invalid(
            "Mã yêu cầu (idempotency key) này đã được dùng cho một yêu cầu khác (this \
             idempotency key was already used for a different request)"
                .to_owned(),
        ));
    }
    let report_id: i64 = col(&row, "report_id", doing)?;
    let version: i64 = col(&row, "version", doing)?;
    tracing::info!(
        report.id = report_id,
        report.version = version,
        "retried request answered with its first result"
    );
    Ok(Some(Outcome {
        report_id,
        version,
        status: status_from(&col::<String>(&row, "status_after", doing)?, doing)?,
        replayed: true,
    }))
}

async fn remember(
    conn: &mut AnyConnection,
    key: &str,
    report_id: i64,
    version: i64,
    fingerprint: &str,
    now: &str,
    doing: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO idempotency_keys (key, report_id, version, fingerprint, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(key)
    .bind(report_id)
    .bind(version)
    .bind(fingerprint)
    .bind(now)
    .execute(&mut *conn)
    .await
    .context(|| format!("{doing}: idempotency key"))?;
    Ok(())
}

/// Refuses files named as evidence that were never stored.
async fn check_files(conn: &mut AnyConnection, content: &ReportContent, doing: &str) -> Result<()> {
    for file in &content.files {
        let found = sqlx::query("SELECT sha256 FROM evidence_files WHERE sha256 = $1")
            .bind(file.sha256.clone())
            .fetch_optional(&mut *conn)
            .await
            .context(|| format!("{doing}: evidence files"))?;
        if found.is_none() {
            return Err(StoreError::Invalid(format!(
                "Tệp «{}» chưa được tải lên (the file was not uploaded)",
                file.name
            )));
        }
    }
    Ok(())
}

/// A version to write.
struct NewVersion<'a> {
    report_id: i64,
    version: i64,
    action: Action,
    status_after: ReportStatus,
    author: &'a str,
    saved_at: &'a str,
    comment: Option<&'a str>,
}

async fn insert_version(
    conn: &mut AnyConnection,
    new: &NewVersion<'_>,
    content: &ReportContent,
    doing: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO report_versions (report_id, version, action, results, progress, \
         difficulties, recommendations, author, saved_at, status_after, comment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(new.report_id)
    .bind(new.version)
    .bind(new.action.as_str())
    .bind(content.results.clone())
    .bind(i64::from(content.progress))
    .bind(content.difficulties.clone())
    .bind(content.recommendations.clone())
    .bind(new.author.to_owned())
    .bind(new.saved_at.to_owned())
    .bind(new.status_after.as_str())
    .bind(new.comment.map(str::to_owned))
    .execute(&mut *conn)
    .await
    .context(|| format!("{doing}: version"))?;
    for (i, document) in content.documents.iter().enumerate() {
        sqlx::query(
            "INSERT INTO report_documents (report_id, version, position, number, issued_on, \
             title) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new.report_id)
        .bind(new.version)
        .bind(position(i))
        .bind(document.number.clone())
        .bind(date_text(document.issued_on))
        .bind(document.title.clone())
        .execute(&mut *conn)
        .await
        .context(|| format!("{doing}: issued documents"))?;
    }
    for (i, link) in content.links.iter().enumerate() {
        sqlx::query(
            "INSERT INTO report_links (report_id, version, position, url, title) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new.report_id)
        .bind(new.version)
        .bind(position(i))
        .bind(link.url.clone())
        .bind(link.title.clone())
        .execute(&mut *conn)
        .await
        .context(|| format!("{doing}: links"))?;
    }
    for (i, item_id) in content.library_items.iter().enumerate() {
        sqlx::query(
            "INSERT INTO report_library_items (report_id, version, position, item_id) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(new.report_id)
        .bind(new.version)
        .bind(position(i))
        .bind(*item_id)
        .execute(&mut *conn)
        .await
        .context(|| format!("{doing}: library items"))?;
    }
    for (i, file) in content.files.iter().enumerate() {
        sqlx::query(
            "INSERT INTO report_files (report_id, version, position, sha256, name) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new.report_id)
        .bind(new.version)
        .bind(position(i))
        .bind(file.sha256.clone())
        .bind(file.name.clone())
        .execute(&mut *conn)
        .await
        .context(|| format!("{doing}: files"))?;
    }
    Ok(())
}

/// Writes `new` with the content of version `from`: what a review judged, unchanged.
async fn copy_version(
    conn: &mut AnyConnection,
    new: &NewVersion<'_>,
    from: i64,
    doing: &str,
) -> Result<()> {
    let copied = sqlx::query(
        "INSERT INTO report_versions (report_id, version, action, results, progress, \
         difficulties, recommendations, author, saved_at, status_after, comment) \
         SELECT report_id, $1, $2, results, progress, difficulties, recommendations, \
         $3, $4, $5, $6 FROM report_versions WHERE report_id = $7 AND version = $8",
    )
    .bind(new.version)
    .bind(new.action.as_str())
    .bind(new.author.to_owned())
    .bind(new.saved_at.to_owned())
    .bind(new.status_after.as_str())
    .bind(new.comment.map(str::to_owned))
    .bind(new.report_id)
    .bind(from)
    .execute(&mut *conn)
    .await
    .context(|| format!("{doing}: version"))?;
    if copied.rows_affected() != 1 {
        return Err(corrupt(doing, format!("version {from} is missing")));
    }
    for (table, columns) in [
        ("report_documents", "number, issued_on, title"),
        ("report_links", "url, title"),
        ("report_files", "sha256, name"),
        ("report_library_items", "item_id"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} (report_id, version, position, {columns}) \
             SELECT report_id, $1, position, {columns} FROM {table} \
             WHERE report_id = $2 AND version = $3"
        )))
        .bind(new.version)
        .bind(new.report_id)
        .bind(from)
        .execute(&mut *conn)
        .await
        .context(|| format!("{doing}: {table}"))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reading

/// Which reports [`summaries`] reads.
#[derive(Clone, Copy)]
enum Filter {
    Report(i64),
    Assignment(i64),
}

async fn summaries(
    conn: &mut AnyConnection,
    filter: Filter,
    doing: &str,
) -> Result<Vec<ReportSummary>> {
    let (condition, id) = match filter {
        Filter::Report(id) => ("r.id = $1", id),
        Filter::Assignment(id) => ("r.assignment_id = $1", id),
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT r.id, r.assignment_id, r.period, r.status, r.current_version, r.created_at, \
         r.updated_at, r.submitted_at, r.accepted_at, r.reviewed_by, v.progress \
         FROM progress_reports r \
         JOIN report_versions v ON v.report_id = r.id AND v.version = r.current_version \
         WHERE {condition}"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    rows.iter()
        .map(|row| {
            let period: String = col(row, "period", doing)?;
            Ok(ReportSummary {
                id: col(row, "id", doing)?,
                assignment_id: col(row, "assignment_id", doing)?,
                period: period
                    .parse()
                    .map_err(|e| corrupt(doing, format!("bad period «{period}»: {e}")))?,
                status: status_from(&col::<String>(row, "status", doing)?, doing)?,
                current_version: col(row, "current_version", doing)?,
                progress: progress_from(col(row, "progress", doing)?, doing)?,
                created_at: col(row, "created_at", doing)?,
                updated_at: col(row, "updated_at", doing)?,
                submitted_at: col(row, "submitted_at", doing)?,
                accepted_at: col(row, "accepted_at", doing)?,
                reviewed_by: col(row, "reviewed_by", doing)?,
            })
        })
        .collect()
}

async fn versions(
    conn: &mut AnyConnection,
    report_id: i64,
    doing: &str,
) -> Result<Vec<ReportVersion>> {
    let rows = sqlx::query(
        "SELECT version, action, results, progress, difficulties, recommendations, author, \
         saved_at, status_after, comment FROM report_versions WHERE report_id = $1 \
         ORDER BY version",
    )
    .bind(report_id)
    .fetch_all(&mut *conn)
    .await
    .context(|| format!("{doing}: versions"))?;
    let mut versions = Vec::with_capacity(rows.len());
    for row in &rows {
        versions.push(ReportVersion {
            version: col(row, "version", doing)?,
            action: step_from(&col::<String>(row, "action", doing)?, doing)?,
            status_after: status_from(&col::<String>(row, "status_after", doing)?, doing)?,
            content: ReportContent {
                library_items: Vec::new(),
                results: col(row, "results", doing)?,
                progress: progress_from(col(row, "progress", doing)?, doing)?,
                difficulties: col(row, "difficulties", doing)?,
                recommendations: col(row, "recommendations", doing)?,
                ..ReportContent::default()
            },
            author: col(row, "author", doing)?,
            saved_at: col(row, "saved_at", doing)?,
            comment: col(row, "comment", doing)?,
        });
    }
    let index = |version: i64| versions.iter().position(|v| v.version == version);

    let rows = sqlx::query(
        "SELECT version, number, issued_on, title FROM report_documents WHERE report_id = $1 \
         ORDER BY version, position",
    )
    .bind(report_id)
    .fetch_all(&mut *conn)
    .await
    .context(|| format!("{doing}: issued documents"))?;
    let mut documents = Vec::with_capacity(rows.len());
    for row in &rows {
        documents.push((
            col::<i64>(row, "version", doing)?,
            IssuedDocument {
                number: col(row, "number", doing)?,
                issued_on: date_from_text(col(row, "issued_on", doing)?, doing)?,
                title: col(row, "title", doing)?,
            },
        ));
    }
    let rows = sqlx::query(
        "SELECT version, url, title FROM report_links WHERE report_id = $1 \
         ORDER BY version, position",
    )
    .bind(report_id)
    .fetch_all(&mut *conn)
    .await
    .context(|| format!("{doing}: links"))?;
    let mut links = Vec::with_capacity(rows.len());
    for row in &rows {
        links.push((
            col::<i64>(row, "version", doing)?,
            EvidenceLink {
                url: col(row, "url", doing)?,
                title: col(row, "title", doing)?,
            },
        ));
    }
    let rows = sqlx::query(
        "SELECT version, sha256, name FROM report_files WHERE report_id = $1 \
         ORDER BY version, position",
    )
    .bind(report_id)
    .fetch_all(&mut *conn)
    .await
    .context(|| format!("{doing}: files"))?;
    let mut files = Vec::with_capacity(rows.len());
    for row in &rows {
        files.push((
            col::<i64>(row, "version", doing)?,
            AttachedFile {
                sha256: col(row, "sha256", doing)?,
                name: col(row, "name", doing)?,
            },
        ));
    }

    let rows = sqlx::query(
        "SELECT version, item_id FROM report_library_items WHERE report_id = $1 \
         ORDER BY version, position",
    )
    .bind(report_id)
    .fetch_all(&mut *conn)
    .await
    .context(|| format!("{doing}: library items"))?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        items.push((
            col::<i64>(row, "version", doing)?,
            col::<i64>(row, "item_id", doing)?,
        ));
    }

    let orphan = |version| corrupt(doing, format!("evidence of a missing version {version}"));
    let mut by_version_items = Vec::with_capacity(items.len());
    for (version, item_id) in items {
        by_version_items.push((index(version).ok_or_else(|| orphan(version))?, item_id));
    }
    let (mut by_version_documents, mut by_version_links, mut by_version_files) =
        (Vec::new(), Vec::new(), Vec::new());
    for (version, document) in documents {
        by_version_documents.push((index(version).ok_or_else(|| orphan(version))?, document));
    }
    for (version, link) in links {
        by_version_links.push((index(version).ok_or_else(|| orphan(version))?, link));
    }
    for (version, file) in files {
        by_version_files.push((index(version).ok_or_else(|| orphan(version))?, file));
    }
    for (i, document) in by_version_documents {
        versions[i].content.documents.push(document);
    }
    for (i, link) in by_version_links {
        versions[i].content.links.push(link);
    }
    for (i, file) in by_version_files {
        versions[i].content.files.push(file);
    }
    for (i, item_id) in by_version_items {
        versions[i].content.library_items.push(item_id);
    }
    Ok(versions)
}

pub(crate) fn current_from(row: &AnyRow, doing: &str) -> Result<Current> {
    Ok(Current {
        id: col(row, "id", doing)?,
        status: status_from(&col::<String>(row, "status", doing)?, doing)?,
        version: col(row, "current_version", doing)?,
    })
}

pub(crate) fn status_from(name: &str, doing: &str) -> Result<ReportStatus> {
    ReportStatus::parse(name)
        .ok_or_else(|| corrupt(doing, format!("unknown report status «{name}»")))
}

fn step_from(name: &str, doing: &str) -> Result<Action> {
    Action::parse(name).ok_or_else(|| corrupt(doing, format!("unknown report action «{name}»")))
}

fn progress_from(value: i64, doing: &str) -> Result<u8> {
    u8::try_from(value)
        .ok()
        .filter(|p| *p <= 100)
        .ok_or_else(|| corrupt(doing, format!("progress {value} is not 0–100")))
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/// A text that must not be empty, cleaned.
fn required(text: &str, what: &str) -> Result<String> {
    let text = clean(text);
    if text.is_empty() {
        return Err(StoreError::Invalid(format!(
            "Thiếu thông tin bắt buộc: {what} (required)"
        )));
    }
    Ok(text)
}

/// The longest idempotency key accepted: a UUID is 36 characters; leave room for prefixes.
const MAX_KEY_LEN: usize = 200;

fn key(key: Option<&str>) -> Result<Option<&str>> {
    match key.map(str::trim) {
        None => Ok(None),
        Some(k) if k.is_empty() || k.len() > MAX_KEY_LEN => Err(StoreError::Invalid(format!(
            "An idempotency key must be 1 to {MAX_KEY_LEN} bytes"
        ))),
        Some(k) => Ok(Some(k)),
    }
}

/// A SHA-256 of the request in hex: what a retried request must match.
fn fingerprint(request: &serde_json::Value) -> String {
    hex::encode(Sha256::digest(request.to_string().as_bytes()))
}

fn corrupt(context: &str, message: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        context: context.to_owned(),
        message: message.into(),
    }
}

/// A report whose current version cites a library item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LibraryCitation {
    pub item_id: i64,
    pub report_id: i64,
    pub assignment_id: i64,
    pub period: String,
    pub status: ReportStatus,
    pub program_id: i64,
    pub task_code: String,
    pub task_title: String,
    pub agency_code: String,
}

/// The citations of library items by current report versions, `condition` choosing which.
const CITATIONS: &str = "SELECT DISTINCT c.item_id, r.id AS report_id, r.assignment_id, r.period, \
            r.status, a.program_id, t.code AS task_code, t.title AS task_title, a.agency_code, \
            t.id AS task_id \
     FROM report_library_items c \
     JOIN progress_reports r ON r.id = c.report_id AND r.current_version = c.version \
     JOIN assignments a ON a.id = r.assignment_id \
     JOIN tasks t ON t.id = a.task_id \
     WHERE ";

/// The reports whose current version cites library item `item_id`, by program, task and
/// agency (the item's page lists them, each shown only to who may read its agency's reports).
pub async fn citing_library_item(db: &Db, item_id: i64) -> Result<Vec<LibraryCitation>> {
    let doing = format!("reading the reports citing library item {item_id}");
    let sql = format!("{CITATIONS} c.item_id = $1 ORDER BY a.program_id, t.id, r.id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(item_id)
        .fetch_all(db.pool())
        .await
        .context(|| doing.clone())?;
    citations(&rows, &doing)
}

/// The library items the current reports on task `task_code` of program `program_id` cite,
/// by item and agency (the task's page lists them).
pub async fn library_citations_of_task(
    db: &Db,
    program_id: i64,
    task_code: &str,
) -> Result<Vec<LibraryCitation>> {
    let doing =
        format!("reading the library items cited for task {task_code} of program {program_id}");
    let sql = format!(
        "{CITATIONS} a.program_id = $1 AND t.code = $2 ORDER BY c.item_id, a.agency_code, r.id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(program_id)
        .bind(task_code.to_owned())
        .fetch_all(db.pool())
        .await
        .context(|| doing.clone())?;
    citations(&rows, &doing)
}

fn citations(rows: &[AnyRow], doing: &str) -> Result<Vec<LibraryCitation>> {
    rows.iter()
        .map(|row| {
            Ok(LibraryCitation {
                item_id: col(row, "item_id", doing)?,
                report_id: col(row, "report_id", doing)?,
                assignment_id: col(row, "assignment_id", doing)?,
                period: col(row, "period", doing)?,
                status: status_from(&col::<String>(row, "status", doing)?, doing)?,
                program_id: col(row, "program_id", doing)?,
                task_code: col(row, "task_code", doing)?,
                task_title: col(row, "task_title", doing)?,
                agency_code: col(row, "agency_code", doing)?,
            })
        })
        .collect()
}
