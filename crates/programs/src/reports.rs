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
    actor.require_on_record(
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
    actor.require_on_record(
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
    check_citable(actor, draft.content).await?;
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

/// Adds library item `item_id` to the evidence of the caller's report on assignment `id` for
/// `period` (the assignment's current period when `None`): the report's draft is saved with it
/// (a new draft if there is none). A report sent for review or accepted is not changed (its
/// status refuses the draft), and an item the caller may not read is not found.
pub async fn cite_library_item(
    actor: &Actor<'_>,
    id: i64,
    period: Option<&str>,
    item_id: i64,
) -> Result<Outcome> {
    let target = report_to_write(actor, id, period).await?;
    let current = reports::for_period(&actor.programs.db, id, target.period).await?;
    let mut content = current
        .as_ref()
        .map(|r| r.content().clone())
        .unwrap_or_default();
    if !content.library_items.contains(&item_id) {
        content.library_items.push(item_id);
    }
    let draft = ReportDraft {
        content: &content,
        based_on: current.as_ref().map(|r| r.summary.current_version),
        idempotency_key: None,
        submit: false,
    };
    write_report(actor, &target, &draft).await
}

/// Refuses a file the caller may not cite: one cites a file only after uploading it, or when
/// they may read a report that already cites it (a colleague's upload, an earlier version).
/// Citing by hash alone would let anyone borrow, then download, another agency's file (and
/// the file's existence would show): a file not citable is answered exactly as a file never
/// uploaded is.
///
/// A library item is cited only if it exists and the caller may read it: an item they may not
/// read is answered as one that does not exist.
async fn check_citable(actor: &Actor<'_>, content: &ReportContent) -> Result<()> {
    if content.files.is_empty() && content.library_items.is_empty() {
        return Ok(());
    }
    let (db, evidence) = (&actor.programs.db, &actor.programs.evidence);
    let directory = actor.programs.directory_with_units().await?;
    let mut errors = Vec::new();
    let readership = dongbo_domain::library::Readership::of(&actor.caller.grants, &directory);
    for (i, &item_id) in content.library_items.iter().enumerate() {
        let readable = dongbo_store::library::items::get(db, item_id)
            .await?
            .is_some_and(|item| {
                readership.may_read(&item.data.visibility, item.data.owner.as_deref())
            });
        if !readable {
            errors.push(FieldError {
                field: format!("library_items[{i}]"),
                message: format!(
                    "Không có tài liệu thư viện số {item_id} (no library item {item_id})"
                ),
            });
        }
    }
    for (i, file) in content.files.iter().enumerate() {
        if evidence
            .uploaded_by(db, &file.sha256, actor.username())
            .await?
        {
            continue;
        }
        let citing = evidence.citing_agencies(db, &file.sha256).await?;
        if citing
            .iter()
            .any(|agency| actor.caller.can(Action::ViewProgram, agency, &directory))
        {
            continue;
        }
        errors.push(FieldError {
            field: format!("files[{i}].sha256"),
            message: format!(
                "Tệp «{}» chưa được tải lên (the file was not uploaded)",
                file.name
            ),
        });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
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
            library_items: Vec::new(),
            progress: content.progress,
            ..ReportContent::default()
        },
    );
    for (i, document) in content.documents.iter().enumerate() {
        check(
            format!("documents[{i}].number"),
            ReportContent {
                library_items: Vec::new(),
                documents: vec![document.clone()],
                ..ReportContent::default()
            },
        );
    }
    for (i, link) in content.links.iter().enumerate() {
        check(
            format!("links[{i}].url"),
            ReportContent {
                library_items: Vec::new(),
                links: vec![link.clone()],
                ..ReportContent::default()
            },
        );
    }
    for (i, file) in content.files.iter().enumerate() {
        check(
            format!("files[{i}].sha256"),
            ReportContent {
                library_items: Vec::new(),
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
    /// Duyệt — accepted and locked, with the reviewer's comment kept on the acceptance (an
    /// empty one is none).
    AcceptWithComment { comment: &'a str },
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

/// Returns, accepts or reopens report `report_id`, seen by the caller at `seen_version`. The
/// agency is told at once (`dongbo_store::notifications::raise_in`, in the review's
/// transaction): in the application, and for a return by e-mail at the reminder runner's next
/// tick.
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
        Review::Return { .. } | Review::Accept | Review::AcceptWithComment { .. } => {
            Action::ReviewReport
        }
    };
    actor.require_on_record(needed, agency, &directory)?;
    if !matches!(review, Review::Reopen { .. }) {
        refuse_own_work(actor, &report).await?;
    }
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
        // The agency is told at once, in the review's transaction (the store raises the
        // notice, and for a return the e-mail of the runner's next tick).
        Review::Return { comment } => {
            reports::return_report(db, report_id, seen_version, by, comment, key).await?
        }
        Review::Accept => reports::accept(db, report_id, seen_version, by, key).await?,
        Review::AcceptWithComment { comment } => {
            reports::accept_with_comment(db, report_id, seen_version, by, Some(comment), key)
                .await?
        }
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

/// What changed in a report since the version its reviewer returned: what the reviewer
/// judges a resubmission by.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChangesSinceReturn {
    /// The version that was returned (or reopened).
    pub returned_version: i64,
    /// The comment it was returned with.
    pub comment: Option<String>,
    /// Each text or figure that changed: (field, as returned, now). Fields: `results`,
    /// `progress`, `difficulties`, `recommendations`, `documents`, `links` (one per line).
    pub fields: Vec<(&'static str, String, String)>,
    pub files_added: Vec<AttachedFile>,
    pub files_removed: Vec<AttachedFile>,
}

/// What changed since `report` was last returned (or reopened), when it has been sent again
/// since; `None` for a report never returned, or returned and not sent again yet.
pub fn changes_since_return(report: &Report) -> Option<ChangesSinceReturn> {
    use dongbo_domain::report::Step;
    let at = report
        .versions
        .iter()
        .rposition(|v| matches!(v.action, Step::Return | Step::Reopen))?;
    let returned = &report.versions[at];
    if !report.versions[at + 1..]
        .iter()
        .any(|v| v.action == Step::Submit)
    {
        return None;
    }
    let (before, now) = (&returned.content, report.content());
    let documents = |c: &ReportContent| {
        c.documents
            .iter()
            .map(|d| {
                let on = d.issued_on.map(|on| format!(" ({on})")).unwrap_or_default();
                format!("{}{on} {}", d.number, d.title)
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let links = |c: &ReportContent| {
        c.links
            .iter()
            .map(|l| format!("{} {}", l.url, l.title).trim().to_owned())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let pairs = [
        ("results", before.results.clone(), now.results.clone()),
        (
            "progress",
            format!("{}%", before.progress),
            format!("{}%", now.progress),
        ),
        (
            "difficulties",
            before.difficulties.clone(),
            now.difficulties.clone(),
        ),
        (
            "recommendations",
            before.recommendations.clone(),
            now.recommendations.clone(),
        ),
        ("documents", documents(before), documents(now)),
        ("links", links(before), links(now)),
    ];
    let has = |files: &[AttachedFile], f: &AttachedFile| files.iter().any(|g| g.sha256 == f.sha256);
    Some(ChangesSinceReturn {
        returned_version: returned.version,
        comment: returned.comment.clone(),
        fields: pairs.into_iter().filter(|(_, a, b)| a != b).collect(),
        files_added: now
            .files
            .iter()
            .filter(|f| !has(&before.files, f))
            .cloned()
            .collect(),
        files_removed: before
            .files
            .iter()
            .filter(|f| !has(&now.files, f))
            .cloned()
            .collect(),
    })
}

/// Whether `username` wrote any of the content of `report` that a review would decide on
/// (separation of duties: then they may not return or accept it).
pub fn wrote_under_review(report: &Report, username: &str) -> bool {
    let history = report
        .versions
        .iter()
        .map(|v| (v.action, v.author.as_str()));
    dongbo_domain::report::authors_under_review(history).contains(&username)
}

/// Separation of duties: refuses (and audits the attempt) when the caller wrote any of the
/// content under review (see `dongbo_domain::report::authors_under_review`), whatever their
/// roles. The versions read are those up to the one the reviewer saw: the store refuses the
/// review as a conflict if another was written since.
async fn refuse_own_work(actor: &Actor<'_>, report: &Report) -> Result<()> {
    if !wrote_under_review(report, actor.username()) {
        return Ok(());
    }
    dongbo_store::audit::append_alone(
        &actor.programs.db,
        actor.clock.now(),
        &dongbo_store::audit::AuditEntry {
            actor: actor.username().to_owned(),
            action: "report.review_refused".to_owned(),
            entity: "report".to_owned(),
            entity_id: report.summary.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "version": report.summary.current_version,
                "reason": "separation_of_duties",
            })),
        },
    )
    .await?;
    Err(Error::Denied(
        actor
            .t(
                "Bạn đã viết báo cáo này nên không thể tự trả lại hay duyệt nó; cần một người \
                 khác duyệt (phân tách nhiệm vụ).",
                "You wrote this report, so you cannot return or accept it yourself; someone \
                 else must review it (separation of duties).",
            )
            .to_owned(),
    ))
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
    actor.require_on_record(
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

/// Drafts belong to their agency until sent: a report never submitted is read only by those
/// who may write the agency's reports (its reporters, approvers and administrators), not by
/// viewers, coordinators or the agencies above it. Once submitted, whoever may read the
/// agency's reports reads it, with its whole history.
pub fn may_read(
    caller: &crate::Caller,
    report: &Report,
    agency_code: &str,
    directory: &dongbo_domain::Directory,
) -> bool {
    let sent = report
        .versions
        .iter()
        .any(|v| v.action == reports::Action::Submit);
    sent || caller.can(Action::SubmitReport, agency_code, directory)
}

/// Report `report_id` if the caller may read it (its agency's reports, and [`may_read`]);
/// any other is not found, as an unknown id is.
pub async fn readable_report(actor: &Actor<'_>, report_id: i64) -> Result<Report> {
    let report = reports::get(&actor.programs.db, report_id).await?;
    let assigned = readable_assignment(actor, report.summary.assignment_id).await?;
    let directory = actor.programs.directory_with_units().await?;
    if !may_read(
        actor.caller,
        &report,
        &assigned.assignment.agency_code,
        &directory,
    ) {
        return Err(Error::NotFound);
    }
    Ok(report)
}

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
/// and type), for a report the caller may write (`_target`: held only after that check) to
/// cite; the caller is recorded as its uploader, so may cite it.
pub async fn keep_file(
    actor: &Actor<'_>,
    _target: &ReportToWrite,
    bytes: &[u8],
    name: &str,
    declared_type: Option<&str>,
) -> Result<StoredFile> {
    let programs = actor.programs;
    Ok(programs
        .evidence
        .put_as(
            &programs.db,
            bytes,
            name,
            declared_type,
            Some(actor.username()),
        )
        .await?)
}

/// Refuses an uploaded file the evidence store would not keep (empty, too large, a kind not
/// allowed, not the kind declared), storing nothing: a form sends every file checked first,
/// so that one refused file leaves none of the others behind.
pub fn check_file(
    actor: &Actor<'_>,
    _target: &ReportToWrite,
    bytes: &[u8],
    name: &str,
    declared_type: Option<&str>,
) -> Result<()> {
    actor
        .programs
        .evidence
        .accepts(bytes, name, declared_type)
        .map(|_| ())
        .map_err(Error::from)
}

/// The bytes of a kept file (evidence or a generated report) whose reading was allowed.
pub async fn file_bytes(programs: &Programs, sha256: &str) -> Result<Vec<u8>> {
    Ok(programs.evidence.open(sha256).await?)
}

/// A library item a report cites, as its reader sees it: the title when they may read the
/// item, `None` when it is gone or restricted from them (only its number is shown then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitedItem {
    pub id: i64,
    pub title: Option<String>,
}

/// The library items `ids` as `caller` may see them, in the order given.
pub async fn cited_items(
    programs: &Programs,
    caller: &crate::Caller,
    ids: &[i64],
) -> Result<Vec<CitedItem>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let directory = programs.directory_with_units().await?;
    let readership = dongbo_domain::library::Readership::of(&caller.grants, &directory);
    let mut cited = Vec::with_capacity(ids.len());
    for &id in ids {
        let title = dongbo_store::library::items::get(&programs.db, id)
            .await?
            .filter(|item| readership.may_read(&item.data.visibility, item.data.owner.as_deref()))
            .map(|item| item.data.title);
        cited.push(CitedItem { id, title });
    }
    Ok(cited)
}

/// A library item cited for a task, as a reader of the task's page sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitedForTask {
    pub item: CitedItem,
    /// The agencies whose reports cite it (those the reader may read), in code order.
    pub agencies: Vec<String>,
}

/// The library items cited by the current reports on task `task_code` of program
/// `program_id`: only citations in reports `caller` may read (their agency's), each item with
/// its title when `caller` may read the item. Visitors who are not signed in see none.
pub async fn items_cited_for_task(
    programs: &Programs,
    caller: Option<&crate::Caller>,
    program_id: i64,
    task_code: &str,
) -> Result<Vec<CitedForTask>> {
    let Some(caller) = caller else {
        return Ok(Vec::new());
    };
    let directory = programs.directory_with_units().await?;
    let mut by_item: std::collections::BTreeMap<i64, std::collections::BTreeSet<String>> =
        Default::default();
    for citation in reports::library_citations_of_task(&programs.db, program_id, task_code).await? {
        if caller.can(Action::ViewProgram, &citation.agency_code, &directory) {
            by_item
                .entry(citation.item_id)
                .or_default()
                .insert(citation.agency_code);
        }
    }
    let ids: Vec<i64> = by_item.keys().copied().collect();
    let items = cited_items(programs, caller, &ids).await?;
    Ok(items
        .into_iter()
        .map(|item| CitedForTask {
            agencies: by_item
                .remove(&item.id)
                .map(|a| a.into_iter().collect())
                .unwrap_or_default(),
            item,
        })
        .collect())
}

/// The reports citing library item `item_id` that `caller` may read (those of agencies their
/// grants cover), for the item's page.
pub async fn citing_library_item(
    programs: &Programs,
    caller: Option<&crate::Caller>,
    item_id: i64,
) -> Result<Vec<reports::LibraryCitation>> {
    let Some(caller) = caller else {
        return Ok(Vec::new());
    };
    let directory = programs.directory_with_units().await?;
    Ok(reports::citing_library_item(&programs.db, item_id)
        .await?
        .into_iter()
        .filter(|c| caller.can(Action::ViewProgram, &c.agency_code, &directory))
        .collect())
}
