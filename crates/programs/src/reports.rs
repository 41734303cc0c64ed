//! Progress reports (báo cáo tiến độ): who may read and write an assignment's reports, a
//! report saved or submitted, its review (returned, accepted, reopened) and a progress set by
//! hand. The workflow's rules are the domain's, its records the store's.

use chrono::NaiveDate;
use dongbo_domain::access::Action;
use dongbo_domain::period::default_report_period;
pub use dongbo_store::MediaType;
use dongbo_store::assignments::AgencyAssignment;
pub use dongbo_store::evidence::{EvidenceFile, StoredFile};
use dongbo_store::reports::{self, Edit};
pub use dongbo_store::reports::{
    AttachedFile, EvidenceLink, IssuedDocument, Outcome, Report, ReportContent, ReportPeriod,
    ReportStatus, ReportSummary, WaitingReport,
};

use crate::Programs;
use crate::context::{Actor, Error, FieldError, Result};

/// The period a report is for: the one asked for, else the default of the task's kind on
/// `today` ("once" for work done once, the current annual period for recurring work; see
/// `dongbo_domain::period::default_report_period`). A code that names no period is refused.
pub fn period_of(
    asked: Option<&str>,
    time_frame: &dongbo_domain::TimeFrame,
    today: NaiveDate,
) -> Result<ReportPeriod> {
    match asked.map(str::trim).filter(|code| !code.is_empty()) {
        Some(code) => code.parse::<ReportPeriod>().map_err(|e| {
            Error::field(
                "period",
                format!(
                    "Kỳ báo cáo «{code}» không hợp lệ (ví dụ: once, 2026-M07, 2026-Q3, 2026-H1, \
                     2026-N9, 2026-Y) — {e}"
                ),
            )
        }),
        None => Ok(default_report_period(time_frame, today)
            .map_or(ReportPeriod::Once, ReportPeriod::Period)),
    }
}

/// An assignment whose reports the caller may read.
pub async fn readable_assignment(actor: &Actor<'_>, id: i64) -> Result<AgencyAssignment> {
    let directory = actor.programs.directory_with_units().await?;
    let assigned = actor
        .programs
        .placed_assignment(id)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(
        Action::ViewProgram,
        &assigned.assignment.agency_code,
        &directory,
    )?;
    Ok(assigned)
}

/// An evidence file the caller may download: one cited by a report of an agency whose reports
/// they may read. Any other file, stored or not, is not found (its existence is not told).
pub async fn readable_file(actor: &Actor<'_>, sha256: &str) -> Result<EvidenceFile> {
    let evidence = &actor.programs.evidence;
    let citing = evidence.citing_agencies(&actor.programs.db, sha256).await?;
    let directory = actor.programs.directory_with_units().await?;
    if !citing
        .iter()
        .any(|agency| actor.caller.can(Action::ViewProgram, agency, &directory))
    {
        return Err(Error::NotFound);
    }
    evidence
        .info(&actor.programs.db, sha256)
        .await?
        .ok_or(Error::NotFound)
}

/// A report the caller may write: an assignment of an agency they report for, and the period.
/// Only [`report_to_write`] makes one, so holding one means the check was made (the page
/// makes it before it reads and stores the uploaded files).
#[derive(Debug)]
pub struct ReportToWrite {
    assigned: AgencyAssignment,
    period: ReportPeriod,
}

impl ReportToWrite {
    pub fn period(&self) -> ReportPeriod {
        self.period
    }

    pub fn assignment_id(&self) -> i64 {
        self.assigned.assignment.id
    }
}

/// Checks that the caller may write the reports of assignment `id` and finds the period.
pub async fn report_to_write(
    actor: &Actor<'_>,
    id: i64,
    period: Option<&str>,
) -> Result<ReportToWrite> {
    let directory = actor.programs.directory_with_units().await?;
    let assigned = actor
        .programs
        .placed_assignment(id)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(
        Action::SubmitReport,
        &assigned.assignment.agency_code,
        &directory,
    )?;
    let period = period_of(period, &assigned.task.time_frame, actor.today())?;
    Ok(ReportToWrite { assigned, period })
}

/// What an author sends: the content, the version it was filled from, and whether to submit.
#[derive(Debug, Clone)]
pub struct ReportDraft<'a> {
    pub content: &'a ReportContent,
    pub based_on: Option<i64>,
    pub idempotency_key: Option<&'a str>,
    pub submit: bool,
}

/// Saves or submits a report. A retried request with the same idempotency key writes nothing
/// and answers with the first attempt's outcome.
pub async fn write_report(
    actor: &Actor<'_>,
    target: &ReportToWrite,
    draft: &ReportDraft<'_>,
) -> Result<Outcome> {
    checked_content(draft.content)?;
    let edit = Edit {
        assignment_id: target.assignment_id(),
        period: target.period,
        content: draft.content,
        author: actor.username(),
        based_on: draft.based_on,
        idempotency_key: draft.idempotency_key.filter(|k| !k.is_empty()),
    };
    let outcome = if draft.submit {
        reports::submit(&actor.programs.db, &edit).await?
    } else {
        reports::save_draft(&actor.programs.db, &edit).await?
    };
    Ok(outcome)
}

/// The report's content as the store will keep it, or every fault in it, each named by its
/// field (`progress`, `documents[0].number`, `links[1].url`, `files[0].sha256`) so that a form
/// can show it next to the field and the API can name it. The rules are the store's
/// ([`ReportContent::normalised`]): each part is put to them alone to find the fields at fault.
pub fn checked_content(content: &ReportContent) -> Result<ReportContent> {
    let whole = match content.normalised() {
        Ok(normalised) => return Ok(normalised),
        Err(dongbo_store::StoreError::Invalid(message)) => message,
        Err(other) => return Err(other.into()),
    };
    let mut errors = Vec::new();
    let mut check = |field: String, part: ReportContent| {
        if let Err(dongbo_store::StoreError::Invalid(message)) = part.normalised() {
            errors.push(FieldError { field, message });
        }
    };
    check(
        "progress".to_owned(),
        ReportContent {
            progress: content.progress,
            ..ReportContent::default()
        },
    );
    for (i, document) in content.documents.iter().enumerate() {
        check(
            format!("documents[{i}].number"),
            ReportContent {
                documents: vec![document.clone()],
                ..ReportContent::default()
            },
        );
    }
    for (i, link) in content.links.iter().enumerate() {
        check(
            format!("links[{i}].url"),
            ReportContent {
                links: vec![link.clone()],
                ..ReportContent::default()
            },
        );
    }
    for (i, file) in content.files.iter().enumerate() {
        check(
            format!("files[{i}].sha256"),
            ReportContent {
                files: vec![file.clone()],
                ..ReportContent::default()
            },
        );
    }
    if errors.is_empty() {
        // A fault of the whole that no part has alone: told as the store tells it.
        return Err(Error::Refused(whole));
    }
    Err(Error::Invalid(errors))
}

/// A reviewer's decision on a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review<'a> {
    /// Trả lại — back to its author, with the comment (required).
    Return { comment: &'a str },
    /// Duyệt — accepted, and locked.
    Accept,
    /// Mở lại — an accepted report unlocked, with the reason (required).
    Reopen { reason: &'a str },
}

/// What a review did, and where the report is.
#[derive(Debug, Clone)]
pub struct Reviewed {
    pub outcome: Outcome,
    pub assignment_id: i64,
    pub period: ReportPeriod,
}

/// Returns, accepts or reopens report `report_id`, seen by the caller at `seen_version`. A
/// returned report's agency is told (in the application and its next e-mail digest).
pub async fn review_report(
    actor: &Actor<'_>,
    report_id: i64,
    seen_version: i64,
    review: Review<'_>,
    idempotency_key: Option<&str>,
) -> Result<Reviewed> {
    let db = &actor.programs.db;
    let directory = actor.programs.directory_with_units().await?;
    let report = reports::get(db, report_id).await?;
    let assigned = actor
        .programs
        .placed_assignment(report.summary.assignment_id)
        .await?
        .ok_or(Error::NotFound)?;
    let agency = &assigned.assignment.agency_code;
    let needed = match review {
        Review::Reopen { .. } => Action::ReopenReport,
        Review::Return { .. } | Review::Accept => Action::ReviewReport,
    };
    actor.require(needed, agency, &directory)?;
    match review {
        Review::Return { comment } if comment.trim().is_empty() => {
            return Err(Error::field(
                "comment",
                actor.t(
                    "Cần ghi ý kiến khi trả lại báo cáo.",
                    "Say why the report is returned.",
                ),
            ));
        }
        Review::Reopen { reason } if reason.trim().is_empty() => {
            return Err(Error::field(
                "reason",
                actor.t(
                    "Cần nêu lý do mở lại báo cáo đã duyệt.",
                    "Say why the accepted report is reopened.",
                ),
            ));
        }
        _ => {}
    }
    let key = idempotency_key.filter(|k| !k.is_empty());
    let by = actor.username();
    let outcome = match review {
        Review::Return { comment } => {
            let outcome =
                reports::return_report(db, report_id, seen_version, by, comment, key).await?;
            if !outcome.replayed {
                dongbo_remind::report_returned(
                    db,
                    &dongbo_remind::ReturnedReport {
                        agency_code: agency.clone(),
                        program_id: assigned.assignment.program_id,
                        task_code: assigned.assignment.task_code.clone(),
                        comment: comment.to_owned(),
                    },
                    actor.clock.now(),
                )
                .await
                .map_err(|e| Error::Refused(e.to_string()))?;
            }
            outcome
        }
        Review::Accept => reports::accept(db, report_id, seen_version, by, key).await?,
        Review::Reopen { reason } => {
            reports::reopen(db, report_id, seen_version, by, reason, key).await?
        }
    };
    Ok(Reviewed {
        outcome,
        assignment_id: assigned.assignment.id,
        period: report.summary.period,
    })
}

/// Sets or (with `None`) clears a person's override of an assignment's progress, with the
/// reason. Returns the assignment.
pub async fn override_progress(
    actor: &Actor<'_>,
    id: i64,
    progress: Option<u8>,
    reason: &str,
) -> Result<AgencyAssignment> {
    let directory = actor.programs.directory_with_units().await?;
    let assigned = actor
        .programs
        .placed_assignment(id)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(
        Action::ReviewReport,
        &assigned.assignment.agency_code,
        &directory,
    )?;
    if progress.is_some() && reason.trim().is_empty() {
        return Err(Error::field(
            "reason",
            actor.t(
                "Cần nêu lý do điều chỉnh tiến độ.",
                "Say why the progress is set by hand.",
            ),
        ));
    }
    dongbo_store::dashboard::set_manual(&actor.programs.db, id, progress, actor.username(), reason)
        .await?;
    Ok(assigned)
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Reads (the caller's right to read them is checked by the operation that finds the report's
// assignment: `readable_assignment`)

/// Report `report_id` with its versions.
pub async fn report(programs: &Programs, report_id: i64) -> Result<Report> {
    Ok(reports::get(&programs.db, report_id).await?)
}

/// The report of assignment `assignment_id` for `period`, when there is one.
pub async fn for_period(
    programs: &Programs,
    assignment_id: i64,
    period: ReportPeriod,
) -> Result<Option<Report>> {
    Ok(reports::for_period(&programs.db, assignment_id, period).await?)
}

/// Every report of assignment `assignment_id`, newest period first.
pub async fn of_assignment(programs: &Programs, assignment_id: i64) -> Result<Vec<ReportSummary>> {
    Ok(reports::for_assignment(&programs.db, assignment_id).await?)
}

/// The drafts and returned reports of agency `agency_code`.
pub async fn waiting_for_agency(
    programs: &Programs,
    agency_code: &str,
) -> Result<Vec<WaitingReport>> {
    Ok(reports::waiting_for_agency(&programs.db, agency_code).await?)
}

/// Keeps an uploaded evidence file by its content (within the evidence store's limits on size
/// and type), for a report the caller may write to cite.
pub async fn keep_file(
    programs: &Programs,
    bytes: &[u8],
    name: &str,
    declared_type: Option<&str>,
) -> Result<StoredFile> {
    Ok(programs
        .evidence
        .put(&programs.db, bytes, name, declared_type)
        .await?)
}

/// The bytes of a kept file (evidence or a generated report) whose reading was allowed.
pub async fn file_bytes(programs: &Programs, sha256: &str) -> Result<Vec<u8>> {
    Ok(programs.evidence.open(sha256).await?)
}
