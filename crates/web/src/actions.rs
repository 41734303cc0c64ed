//! Every change a signed-in user can make, written once for the pages and the JSON API: each
//! action checks the caller's role on the agency concerned ([`Caller::can`]), checks what was
//! sent, and calls the store. The page handlers (`pages::{work, reports, changes, dashboard}`)
//! and the API handlers (`api`) only read their request and show the result, so a user sees
//! and changes the same things through either.
//!
//! Order matters and is the same everywhere: the thing acted on is found (404), then the
//! caller's right to act on it is checked (403), then the input (400/422), then the store
//! decides what its state allows (409).

use chrono::NaiveDate;
use dongbo_domain::Directory;
use dongbo_domain::access::{Action, ROOT_AGENCY};
use dongbo_domain::period::{default_report_period, vietnam_day};
use dongbo_store::assignments::{self, AgencyAssignment};
use dongbo_store::changes::{self, ChangeKind, ChangeRequest, NewChange, Proposal};
use dongbo_store::plans;
use dongbo_store::reports::{self, Edit, Outcome, ReportContent, ReportPeriod};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{Error, FieldError, Result};
use crate::i18n::Lang;
use crate::load;

/// Who acts, on which server, in which language the messages are written.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub state: &'a AppState,
    pub caller: &'a Caller,
    pub lang: Lang,
}

impl Actor<'_> {
    fn t<'s>(&self, vi: &'s str, en: &'s str) -> &'s str {
        self.lang.pick(vi, en)
    }

    fn username(&self) -> &str {
        &self.caller.user.username
    }

    /// Refuses unless the caller may do `action` on `agency_code`.
    fn require(&self, action: Action, agency_code: &str, directory: &Directory) -> Result<()> {
        if self.caller.can(action, agency_code, directory) {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reports

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

/// Today in Vietnam, the day reporting periods are counted in.
pub fn today() -> NaiveDate {
    vietnam_day(chrono::Utc::now())
}

/// An assignment whose reports the caller may read.
pub async fn readable_assignment(actor: &Actor<'_>, id: i64) -> Result<AgencyAssignment> {
    let directory = actor.state.directory_with_units().await?;
    let assigned = actor
        .state
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
pub async fn readable_file(
    actor: &Actor<'_>,
    sha256: &str,
) -> Result<dongbo_store::evidence::EvidenceFile> {
    let evidence = &actor.state.evidence;
    let citing = evidence.citing_agencies(&actor.state.db, sha256).await?;
    let directory = actor.state.directory_with_units().await?;
    if !citing
        .iter()
        .any(|agency| actor.caller.can(Action::ViewProgram, agency, &directory))
    {
        return Err(Error::NotFound);
    }
    evidence
        .info(&actor.state.db, sha256)
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
    let directory = actor.state.directory_with_units().await?;
    let assigned = actor
        .state
        .placed_assignment(id)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(
        Action::SubmitReport,
        &assigned.assignment.agency_code,
        &directory,
    )?;
    let period = period_of(period, &assigned.task.time_frame, today())?;
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
        reports::submit(&actor.state.db, &edit).await?
    } else {
        reports::save_draft(&actor.state.db, &edit).await?
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

impl<'a> Review<'a> {
    /// The page form's `action` ("return", "accept", "reopen") with its comment.
    pub fn parse(action: &str, comment: &'a str) -> Result<Review<'a>> {
        match action {
            "return" => Ok(Review::Return { comment }),
            "accept" => Ok(Review::Accept),
            "reopen" => Ok(Review::Reopen { reason: comment }),
            other => Err(Error::BadRequest(format!("unknown action {other}"))),
        }
    }
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
    let db = &actor.state.db;
    let directory = actor.state.directory_with_units().await?;
    let report = reports::get(db, report_id).await?;
    let assigned = actor
        .state
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
                    chrono::Utc::now(),
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

/// The progress percentage typed in a form: empty for none, else 0–100.
pub fn parse_progress(text: &str) -> Result<Option<u8>> {
    match text.trim() {
        "" => Ok(None),
        text => text.parse::<u8>().map(Some).map_err(|_| {
            Error::field(
                "progress",
                "Tiến độ là một số từ 0 đến 100 — progress is a number from 0 to 100",
            )
        }),
    }
}

/// Sets or (with `None`) clears a person's override of an assignment's progress, with the
/// reason. Returns the assignment.
pub async fn override_progress(
    actor: &Actor<'_>,
    id: i64,
    progress: Option<u8>,
    reason: &str,
) -> Result<AgencyAssignment> {
    let directory = actor.state.directory_with_units().await?;
    let assigned = actor
        .state
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
    dongbo_store::dashboard::set_manual(&actor.state.db, id, progress, actor.username(), reason)
        .await?;
    Ok(assigned)
}

// ---------------------------------------------------------------------------------------------
// Plans and units

/// Refuses an empty `value` as field `field`'s fault, with the message in the caller's
/// language (the store refuses it too, but without naming the field).
fn required(actor: &Actor<'_>, field: &str, value: &str, vi: &str, en: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::field(field, actor.t(vi, en)));
    }
    Ok(())
}

/// Creates the plan of `agency_code` for program `program_id` (or finds the one it has).
pub async fn create_plan(
    actor: &Actor<'_>,
    agency_code: &str,
    program_id: i64,
) -> Result<plans::Created> {
    let directory = actor.state.directory_with_units().await?;
    actor.require(Action::EditPlan, agency_code, &directory)?;
    Ok(plans::create(&actor.state.db, &directory, program_id, agency_code).await?)
}

/// Creates a unit of `agency_code`.
pub async fn create_unit(
    actor: &Actor<'_>,
    agency_code: &str,
    code: &str,
    name_vi: &str,
    name_en: &str,
) -> Result<plans::Unit> {
    let directory = actor.state.directory_with_units().await?;
    actor.require(Action::EditPlan, agency_code, &directory)?;
    required(
        actor,
        "name_vi",
        name_vi,
        "Cần nhập tên đơn vị.",
        "The unit needs a name.",
    )?;
    Ok(plans::create_unit(
        &actor.state.db,
        &directory,
        agency_code,
        code,
        name_vi,
        name_en,
    )
    .await?)
}

/// The plan `id` if the caller may edit it, with the directory it was checked against.
pub async fn editable_plan(
    actor: &Actor<'_>,
    id: i64,
) -> Result<(plans::Plan, std::sync::Arc<Directory>)> {
    let plan = plans::get(&actor.state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let directory = actor.state.directory_with_units().await?;
    actor.require(Action::EditPlan, &plan.agency_code, &directory)?;
    Ok((plan, directory))
}

/// Adds the agency's own task to plan `plan_id`; returns its code.
pub async fn add_plan_task(
    actor: &Actor<'_>,
    plan_id: i64,
    task: &plans::NewTask,
) -> Result<String> {
    let (_, directory) = editable_plan(actor, plan_id).await?;
    required(
        actor,
        "title",
        &task.title,
        "Cần nhập tên nhiệm vụ.",
        "The task needs a title.",
    )?;
    Ok(plans::add_task(&actor.state.db, &directory, plan_id, task).await?)
}

/// A date typed in a form: empty for none, else YYYY-MM-DD.
pub fn parse_date(field: &str, text: &str) -> Result<Option<NaiveDate>> {
    match text.trim() {
        "" => Ok(None),
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                Error::field(
                    field,
                    format!(
                        "«{text}» không phải một ngày (năm-tháng-ngày, YYYY-MM-DD) — is not a \
                         date (YYYY-MM-DD)"
                    ),
                )
            }),
    }
}

/// Hands task `task_code` of plan `plan_id` to a unit, with an optional due date.
pub async fn assign_unit(
    actor: &Actor<'_>,
    plan_id: i64,
    task_code: &str,
    unit_code: &str,
    due_on: Option<NaiveDate>,
) -> Result<()> {
    editable_plan(actor, plan_id).await?;
    plans::assign_unit(&actor.state.db, plan_id, task_code, unit_code, due_on).await?;
    Ok(())
}

/// The coordinator's choice of members for an open set of a task; returns the program and
/// task it belongs to.
pub async fn choose_open_set(
    actor: &Actor<'_>,
    pending_id: i64,
    agencies: &[String],
) -> Result<(i64, String)> {
    let directory = actor.state.directory_with_units().await?;
    let (program_id, task_code) = assignments::open_set_task(&actor.state.db, pending_id)
        .await?
        .ok_or(Error::NotFound)?;
    let coordinator = load::coordinating_agency_of(actor.state, program_id).await?;
    actor.require(Action::DecideChangeRequest, &coordinator, &directory)?;
    if agencies.is_empty() {
        return Err(Error::field(
            "agencies",
            actor.t("Chọn ít nhất một cơ quan.", "Choose at least one agency."),
        ));
    }
    assignments::choose(&actor.state.db, pending_id, agencies, &directory).await?;
    Ok((program_id, task_code))
}

// ---------------------------------------------------------------------------------------------
// Change requests

/// Of the agencies `assigned` to a task, those on whose behalf the caller may propose a change
/// to it.
pub fn proposing_agencies(
    caller: &Caller,
    directory: &Directory,
    assigned: &[assignments::Assignment],
) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for a in assigned {
        if !codes.contains(&a.agency_code)
            && caller.can(Action::EditPlan, &a.agency_code, directory)
        {
            codes.push(a.agency_code.clone());
        }
    }
    codes
}

/// The agencies on whose behalf the caller may propose a new task in any program.
pub fn adding_agencies(caller: &Caller, directory: &Directory) -> Vec<String> {
    caller
        .agencies()
        .into_iter()
        .filter(|code| code != ROOT_AGENCY && caller.can(Action::EditPlan, code, directory))
        .collect()
}

/// Whether the caller may withdraw `request`: its proposer, or whoever plans for its agency.
pub fn may_withdraw(caller: &Caller, request: &ChangeRequest, directory: &Directory) -> bool {
    caller.user.username == request.proposed_by
        || caller.can(Action::EditPlan, &request.proposed_by_agency, directory)
}

/// What a proposer sends; which values count depends on the kind.
#[derive(Debug, Clone, Default)]
pub struct ProposalInput {
    pub kind: String,
    pub agency: String,
    pub title: String,
    pub expected_output: String,
    pub time_frame: String,
    pub group: String,
    pub reason: String,
}

/// The name a change request's field has in the form and the JSON body.
pub fn change_field_name(field: changes::Field) -> &'static str {
    match field {
        changes::Field::Task => "task",
        changes::Field::Title => "title",
        changes::Field::ExpectedOutput => "expected_output",
        changes::Field::TimeFrame => "time_frame",
        changes::Field::Group => "group",
        changes::Field::Reason => "reason",
    }
}

fn new_change(
    program_id: i64,
    task_code: Option<String>,
    kind: ChangeKind,
    username: &str,
    input: &ProposalInput,
) -> NewChange {
    let some = |text: &str| Some(text.to_owned()).filter(|t| !t.trim().is_empty());
    NewChange {
        program_id,
        task_code,
        kind,
        proposed_by_agency: input.agency.clone(),
        proposed_by: username.to_owned(),
        reason: input.reason.clone(),
        proposal: Proposal {
            title: some(&input.title)
                .filter(|_| matches!(kind, ChangeKind::Add | ChangeKind::Amend)),
            expected_output: some(&input.expected_output)
                .filter(|_| matches!(kind, ChangeKind::Add | ChangeKind::Amend)),
            time_frame: some(&input.time_frame)
                .filter(|_| matches!(kind, ChangeKind::Add | ChangeKind::Retime)),
            group: some(&input.group).filter(|_| kind == ChangeKind::Add),
        },
    }
}

fn field_errors(list: Vec<changes::FieldError>) -> Vec<FieldError> {
    list.into_iter()
        .map(|e| FieldError {
            field: change_field_name(e.field).to_owned(),
            message: e.message,
        })
        .collect()
}

/// Proposes to amend, re-time or drop task `code` on behalf of `input.agency`, which must be
/// assigned to it; returns the request's id.
pub async fn propose_task_change(
    actor: &Actor<'_>,
    program_id: i64,
    code: &str,
    input: &ProposalInput,
) -> Result<i64> {
    let directory = actor.state.directory_with_units().await?;
    dongbo_store::tasks::get(&actor.state.db, program_id, code)
        .await?
        .ok_or(Error::NotFound)?;
    let assigned = actor.state.task_assignments(program_id, code).await?;
    let agencies = proposing_agencies(actor.caller, &directory, &assigned);
    if !agencies.contains(&input.agency) {
        return Err(Error::Forbidden);
    }
    let kind = match ChangeKind::parse(&input.kind) {
        Some(kind @ (ChangeKind::Amend | ChangeKind::Retime | ChangeKind::Drop)) => kind,
        _ => return Err(Error::BadRequest(format!("unknown kind «{}»", input.kind))),
    };
    let new = new_change(
        program_id,
        Some(code.to_owned()),
        kind,
        actor.username(),
        input,
    );
    let errors = field_errors(changes::validate(&new));
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Ok(changes::propose(&actor.state.db, &new).await?)
}

/// Proposes a new task in group `input.group` of program `program_id`, on behalf of
/// `input.agency`; returns the request's id.
pub async fn propose_new_task(
    actor: &Actor<'_>,
    program_id: i64,
    input: &ProposalInput,
) -> Result<i64> {
    let directory = actor.state.directory_with_units().await?;
    if !adding_agencies(actor.caller, &directory).contains(&input.agency) {
        return Err(Error::Forbidden);
    }
    let new = new_change(program_id, None, ChangeKind::Add, actor.username(), input);
    let mut errors = field_errors(changes::validate(&new));
    let program = actor.state.program_now(program_id).await?;
    if !input.group.is_empty() && !program.groups.iter().any(|g| g.code == input.group) {
        errors.retain(|e| e.field != "group");
        errors.push(FieldError {
            field: "group".to_owned(),
            message: actor
                .t(
                    "Chương trình không có nhóm này.",
                    "The program has no such group.",
                )
                .to_owned(),
        });
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Ok(changes::propose(&actor.state.db, &new).await?)
}

/// The coordinator's decision on a change request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    /// "approve" or "reject".
    pub fn parse(text: &str) -> Result<Decision> {
        match text {
            "approve" => Ok(Decision::Approve),
            "reject" => Ok(Decision::Reject),
            other => Err(Error::BadRequest(format!("unknown decision «{other}»"))),
        }
    }
}

/// The change request `request_id` of program `program_id`.
async fn request_of(actor: &Actor<'_>, program_id: i64, request_id: i64) -> Result<ChangeRequest> {
    changes::get(&actor.state.db, request_id)
        .await?
        .filter(|r| r.program_id == program_id)
        .ok_or(Error::NotFound)
}

/// Approves or rejects a change request (a rejection says why, in `note`).
pub async fn decide_change(
    actor: &Actor<'_>,
    program_id: i64,
    request_id: i64,
    decision: &str,
    note: &str,
) -> Result<ChangeRequest> {
    let directory = actor.state.directory_with_units().await?;
    let request = request_of(actor, program_id, request_id).await?;
    let decider = load::coordinating_agency_of(actor.state, program_id).await?;
    actor.require(Action::DecideChangeRequest, &decider, &directory)?;
    let db = &actor.state.db;
    let username = actor.username();
    let decided = match Decision::parse(decision)? {
        Decision::Approve => changes::approve(db, request.id, username, note, &directory).await?,
        Decision::Reject => {
            if note.trim().is_empty() {
                return Err(Error::field(
                    "note",
                    actor.t("Cần nêu lý do từ chối.", "Say why the request is rejected."),
                ));
            }
            changes::reject(db, request.id, username, note).await?
        }
    };
    Ok(decided)
}

/// The proposer (or whoever plans for the proposing agency) takes a request back.
pub async fn withdraw_change(
    actor: &Actor<'_>,
    program_id: i64,
    request_id: i64,
) -> Result<ChangeRequest> {
    let directory = actor.state.directory_with_units().await?;
    let request = request_of(actor, program_id, request_id).await?;
    if !may_withdraw(actor.caller, &request, &directory) {
        return Err(Error::Forbidden);
    }
    Ok(changes::withdraw(&actor.state.db, request_id, actor.username()).await?)
}

// ---------------------------------------------------------------------------------------------
// Reminders

/// A coordinator's reminder (đôn đốc) with `message` to `agencies` (codes not in the
/// directory are left out); returns how many were queued.
pub async fn send_reminder(
    actor: &Actor<'_>,
    program_id: i64,
    agencies: &[String],
    message: &str,
) -> Result<usize> {
    let directory = actor.state.directory_with_units().await?;
    let coordinator = load::coordinating_agency_of(actor.state, program_id).await?;
    actor.require(Action::SendReminder, &coordinator, &directory)?;
    let agencies: Vec<String> = agencies
        .iter()
        .filter(|code| directory.agency(code).is_some())
        .cloned()
        .collect();
    let message = dongbo_domain::text::nfc(message.trim());
    if agencies.is_empty() || message.is_empty() {
        return Err(Error::field(
            if agencies.is_empty() {
                "agencies"
            } else {
                "message"
            },
            actor.t(
                "Chọn ít nhất một cơ quan và nhập nội dung đôn đốc.",
                "Tick at least one agency and write the message.",
            ),
        ));
    }
    let sent =
        dongbo_remind::remind_manually(&actor.state.db, &agencies, &message, chrono::Utc::now())
            .await
            .map_err(|e| Error::Refused(e.to_string()))?;
    tracing::info!(
        program.id = program_id,
        agencies = sent,
        "manual reminder queued"
    );
    Ok(sent)
}

// ---------------------------------------------------------------------------------------------
// Reporting regimes

/// A reporting regime as a form or the API sends it, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegimeInput {
    /// `monthly`, `quarterly`, `six_monthly`, `nine_monthly`, `annual` or `phase`.
    pub kind: String,
    /// `every` or `leads`.
    pub reporters: String,
    /// Working days after the cut-off, 1–60.
    pub working_days: String,
    /// A phase's name and range (YYYY-MM-DD); ignored for the other kinds.
    pub phase_label: String,
    pub phase_start: String,
    pub phase_end: String,
}

/// Whether the caller may change the reporting regimes of a program coordinated by
/// `coordinator`: whoever decides its change requests (coordinators and admins over it).
pub fn may_set_regimes(caller: &Caller, coordinator: &str, directory: &Directory) -> bool {
    caller.can(Action::DecideChangeRequest, coordinator, directory)
}

/// Checks `input` into a regime: every field at fault is told, next to it.
pub fn parse_regime(
    actor: &Actor<'_>,
    input: &RegimeInput,
) -> Result<dongbo_domain::ReportingRegime> {
    use dongbo_domain::{DeadlineRule, PeriodKind, Phase, Reporters, ReportingRegime};
    let mut errors = Vec::new();
    let mut wrong = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_owned(),
            message,
        })
    };
    let kind = input.kind.trim();
    let period = match kind {
        "phase" => None,
        other => match other.parse::<PeriodKind>() {
            Ok(kind) => Some(kind),
            Err(_) => {
                wrong(
                    "kind",
                    actor
                        .t(
                            "Chọn loại kỳ báo cáo: tháng, quý, 6 tháng, 9 tháng, năm hoặc giai đoạn.",
                            "Choose the kind of period: monthly, quarterly, six-monthly, nine-monthly, annual or a phase.",
                        )
                        .to_owned(),
                );
                None
            }
        },
    };
    let reporters = Reporters::parse(input.reporters.trim())
        .map_err(|_| {
            wrong(
                "reporters",
                actor
                    .t(
                        "Chọn cơ quan phải báo cáo: mọi cơ quan được giao hoặc chỉ cơ quan chủ trì.",
                        "Choose who reports: every assignee or the lead agencies only.",
                    )
                    .to_owned(),
            )
        })
        .ok();
    let rule = input
        .working_days
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|days| DeadlineRule::new(days).ok())
        .or_else(|| {
            wrong(
                "working_days",
                actor
                    .t(
                        "Thời hạn gửi báo cáo là từ 1 đến 60 ngày làm việc sau ngày chốt số liệu.",
                        "A report is due 1 to 60 working days after the cut-off.",
                    )
                    .to_owned(),
            );
            None
        });
    let mut phase = None;
    if kind == "phase" {
        let start = parse_date("phase_start", &input.phase_start);
        let end = parse_date("phase_end", &input.phase_end);
        let label = dongbo_domain::text::nfc(input.phase_label.trim());
        let mut day = |field: &str, parsed: Result<Option<NaiveDate>>| match parsed {
            Ok(Some(day)) => Some(day),
            Ok(None) => {
                wrong(
                    field,
                    actor
                        .t(
                            "Cần nhập ngày (YYYY-MM-DD).",
                            "A date is needed (YYYY-MM-DD).",
                        )
                        .to_owned(),
                );
                None
            }
            Err(Error::Invalid(mut found)) => {
                wrong(field, found.pop().map(|e| e.message).unwrap_or_default());
                None
            }
            Err(other) => {
                wrong(field, other.to_string());
                None
            }
        };
        let (start, end) = (day("phase_start", start), day("phase_end", end));
        if label.is_empty() {
            wrong(
                "phase_label",
                actor
                    .t(
                        "Cần nhập tên giai đoạn (ví dụ: Giai đoạn 2024–2026).",
                        "The phase needs a name (e.g. Giai đoạn 2024–2026).",
                    )
                    .to_owned(),
            );
        } else if let (Some(start), Some(end)) = (start, end) {
            match Phase::new(&label, start, end) {
                Ok(found) => phase = Some(found),
                Err(dongbo_domain::RegimeError::PhaseEndsBeforeStart { .. }) => wrong(
                    "phase_end",
                    actor
                        .t(
                            "Ngày kết thúc giai đoạn phải sau ngày bắt đầu.",
                            "The phase must end after it starts.",
                        )
                        .to_owned(),
                ),
                Err(dongbo_domain::RegimeError::YearOutOfRange(_)) => wrong(
                    "phase_start",
                    actor
                        .t(
                            "Năm của giai đoạn phải trong khoảng 1900–2200.",
                            "The phase's years must be within 1900–2200.",
                        )
                        .to_owned(),
                ),
                Err(other) => wrong("phase_label", other.to_string()),
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    match (period, phase, reporters, rule) {
        (Some(period), _, Some(reporters), Some(rule)) => {
            Ok(ReportingRegime::periodic(period, reporters, rule))
        }
        (None, Some(phase), Some(reporters), Some(rule)) => {
            Ok(ReportingRegime::phase(phase, reporters, rule))
        }
        _ => Err(Error::field("kind", "incomplete regime")),
    }
}

/// Sets (adds or changes) a reporting regime of program `program_id`.
pub async fn set_regime(
    actor: &Actor<'_>,
    program_id: i64,
    input: &RegimeInput,
) -> Result<dongbo_domain::ReportingRegime> {
    let directory = actor.state.directory_with_units().await?;
    let coordinator = load::coordinating_agency_of(actor.state, program_id).await?;
    actor.require(Action::DecideChangeRequest, &coordinator, &directory)?;
    let regime = parse_regime(actor, input)?;
    dongbo_store::regimes::set(&actor.state.db, program_id, &regime, actor.username()).await?;
    tracing::info!(
        program.id = program_id,
        regime.key = %regime.key(),
        "reporting regime set"
    );
    Ok(regime)
}

/// Removes program `program_id`'s own regime `key` (an annual one falls back to the Decree 09
/// default).
pub async fn remove_regime(actor: &Actor<'_>, program_id: i64, key: &str) -> Result<()> {
    let directory = actor.state.directory_with_units().await?;
    let coordinator = load::coordinating_agency_of(actor.state, program_id).await?;
    actor.require(Action::DecideChangeRequest, &coordinator, &directory)?;
    dongbo_store::regimes::remove(&actor.state.db, program_id, key, actor.username()).await?;
    tracing::info!(program.id = program_id, regime.key = %key, "reporting regime removed");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Indicators

/// A value for an indicator as typed in the form or sent to the API; every field as text, to
/// be checked here. Empty `agency` is the indicator's tracking agency.
#[derive(Debug, Clone, Default)]
pub struct IndicatorValueInput<'a> {
    pub agency: &'a str,
    pub period: &'a str,
    pub scope: &'a str,
    pub value: &'a str,
    pub judgement: &'a str,
    pub source: &'a str,
    pub note: &'a str,
}

/// The longest source or note kept with a value.
const MAX_VALUE_TEXT_CHARS: usize = 2000;

/// Whether the caller may record values for `agency_code`: a reporter or approver of it (or
/// of an agency above it), a coordinator covering it, an admin.
pub fn may_record_indicator(caller: &Caller, agency_code: &str, directory: &Directory) -> bool {
    caller.can(Action::SubmitReport, agency_code, directory)
        || caller.can(Action::ReviewReport, agency_code, directory)
}

/// The agency that answers for an indicator's values: its tracking agency, else the
/// Government (so only those covering every agency record values of an untracked one).
pub fn indicator_agency(indicator: &dongbo_domain::Indicator) -> &str {
    indicator.tracking_agency.as_deref().unwrap_or(ROOT_AGENCY)
}

/// Records a value of indicator `code` of program `program_id`. What it achieves is computed
/// from the target, never typed: a judgement is taken only where a person must give one (a
/// qualitative target, or text against a numeric one). Every fault is told by its field.
pub async fn record_indicator_value(
    actor: &Actor<'_>,
    program_id: i64,
    code: &str,
    input: &IndicatorValueInput<'_>,
) -> Result<i64> {
    use dongbo_domain::indicator::{Judgement, Value, value_period};
    use dongbo_domain::text::nfc;
    use dongbo_store::indicators;

    let db = &actor.state.db;
    let directory = actor.state.directory_with_units().await?;
    let series = indicators::get(db, program_id, code)
        .await?
        .ok_or(Error::NotFound)?;
    let indicator = &series.stored.indicator;
    let tracking = indicator_agency(indicator);
    if !may_record_indicator(actor.caller, tracking, &directory) {
        return Err(Error::Forbidden);
    }
    if indicator.is_heading() {
        return Err(Error::Refused(
            actor
                .t(
                    "Đây là dòng tiêu đề: số liệu được ghi ở các chỉ tiêu con.",
                    "This is a heading: values are recorded on its sub-indicators.",
                )
                .to_owned(),
        ));
    }
    let mut errors = Vec::new();
    let mut fault = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_owned(),
            message,
        })
    };

    let agency = match nfc(input.agency.trim()) {
        typed if typed.is_empty() => tracking.to_owned(),
        typed => {
            let code = if directory.agency(&typed).is_some() {
                typed.clone()
            } else {
                typed.to_uppercase()
            };
            if directory.agency(&code).is_none() {
                fault(
                    "agency",
                    format!(
                        "{} «{typed}»",
                        actor.t("Không có cơ quan mã", "No agency has the code")
                    ),
                );
            } else if !may_record_indicator(actor.caller, &code, &directory) {
                fault(
                    "agency",
                    actor
                        .t(
                            "Bạn không ghi số liệu thay cho cơ quan này được.",
                            "You cannot record values for this agency.",
                        )
                        .to_owned(),
                );
            }
            code
        }
    };
    let period = match value_period(input.period) {
        Ok(period) => Some(period),
        Err(e) => {
            fault(
                "period",
                format!(
                    "{} «{}» — {e}",
                    actor.t(
                        "Kỳ không hợp lệ (ví dụ: 2025, 2025-Y, 2025-Q2)",
                        "Not a period (e.g. 2025, 2025-Y, 2025-Q2)"
                    ),
                    input.period.trim()
                ),
            );
            None
        }
    };
    let value = Value::parse(input.value);
    let numeric_target = !indicator.target.goals().is_empty();
    match &value {
        None => fault(
            "value",
            actor
                .t("Cần nhập giá trị.", "Enter the value.")
                .to_owned(),
        ),
        Some(Value::Text(text)) if numeric_target => fault(
            "value",
            format!(
                "{} «{text}»",
                actor.t(
                    "Mục tiêu là một con số: hãy nhập số (dấu phẩy thập phân, ví dụ 0,7), không phải",
                    "The target is a number: enter a number (decimal comma, e.g. 0,7), not"
                )
            ),
        ),
        Some(_) => {}
    }
    let scopes = indicator.target.scopes();
    let scope = nfc(input.scope.trim());
    let scope = if scopes.is_empty() {
        None
    } else if indicator.target.goal_for(Some(&scope)).is_none() {
        fault(
            "scope",
            format!(
                "{} {}",
                actor.t(
                    "Chọn phạm vi so sánh:",
                    "Choose what the value is measured against:"
                ),
                scopes.join(", ")
            ),
        );
        None
    } else {
        Some(scope)
    };
    let judgement = match input.judgement.trim() {
        "" => None,
        name => match Judgement::from_name(name) {
            Some(_) if numeric_target && matches!(value, Some(Value::Number(_))) => {
                fault(
                    "judgement",
                    actor
                        .t(
                            "Mức độ đạt của chỉ tiêu định lượng được tính từ giá trị, không nhập tay.",
                            "A numeric target's achievement is computed from the value, not typed.",
                        )
                        .to_owned(),
                );
                None
            }
            Some(judgement) => Some(judgement),
            None => {
                fault(
                    "judgement",
                    format!(
                        "{} «{name}» (achieved, not_achieved)",
                        actor.t("Không rõ đánh giá", "Unknown judgement")
                    ),
                );
                None
            }
        },
    };
    let source = nfc(input.source.trim());
    let note = nfc(input.note.trim());
    for (field, text) in [("source", &source), ("note", &note)] {
        if text.chars().count() > MAX_VALUE_TEXT_CHARS {
            fault(
                field,
                format!(
                    "{} {MAX_VALUE_TEXT_CHARS} {}",
                    actor.t("Tối đa", "At most"),
                    actor.t("ký tự.", "characters.")
                ),
            );
        }
    }
    let (Some(period), Some(value), true) = (period, value, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let new = indicators::NewValue {
        agency_code: agency,
        period,
        scope,
        value,
        judgement,
        source,
        note,
        author: actor.username().to_owned(),
    };
    Ok(indicators::record_value(db, program_id, code, &new).await?)
}

// ---------------------------------------------------------------------------------------------
// Synthesis reports and their wording

/// The wording template of synthesis reports in force: the one an administrator saved, else
/// the one shipped with the program.
pub async fn synthesis_template(state: &AppState) -> Result<String> {
    let saved =
        dongbo_store::synthesis::template(&state.db, dongbo_publish::template::SYNTHESIS).await?;
    Ok(saved.map_or_else(
        || dongbo_publish::template::SHIPPED_SYNTHESIS.to_owned(),
        |t| t.body,
    ))
}

/// Generates a synthesis report of program `program_id` as `request` asks, in the issuing
/// agency's name, and records it as a new version of its series: gathers the data, builds and
/// renders the DOCX, XLSX and PDF, keeps the files by content, then records the version with
/// the data it was built from. The caller must be allowed to publish for the issuing agency.
pub async fn generate_synthesis(
    actor: &Actor<'_>,
    program_id: i64,
    request: &crate::synthesis::Request,
) -> Result<dongbo_store::synthesis::Version> {
    let state = actor.state;
    dongbo_store::programs::get(&state.db, program_id)
        .await?
        .ok_or(Error::NotFound)?;
    let directory = &state.directory;
    let regimes = dongbo_store::regimes::for_program(&state.db, program_id).await?;
    let checked = crate::synthesis::check(request, directory, &regimes, today(), actor.lang)?;
    actor.require(Action::PublishReport, &checked.issuer_code, directory)?;
    let template = synthesis_template(state).await?;
    let input = crate::synthesis::gather(state, program_id, &checked, template).await?;
    let json = serde_json::to_string(&input)
        .map_err(|e| Error::Internal(format!("writing the report's input: {e}")))?;
    let rendered = crate::synthesis::render(input).await?;
    let stem = format!(
        "BC-{}-{}-{}",
        checked.issuer_code,
        checked.period.code(),
        checked.level.as_str()
    );
    let mut hashes = Vec::with_capacity(3);
    for (bytes, extension, mime) in [
        (&rendered.docx, "docx", dongbo_store::MediaType::Docx),
        (&rendered.xlsx, "xlsx", dongbo_store::MediaType::Xlsx),
        (&rendered.pdf, "pdf", dongbo_store::MediaType::Pdf),
    ] {
        let stored = state
            .evidence
            .put(
                &state.db,
                bytes,
                &format!("{stem}.{extension}"),
                Some(mime.mime()),
            )
            .await?;
        hashes.push(stored.sha256);
    }
    let [docx_sha256, xlsx_sha256, pdf_sha256]: [String; 3] = hashes
        .try_into()
        .map_err(|_| Error::Internal("three files were stored".to_owned()))?;
    let version = dongbo_store::synthesis::record(
        &state.db,
        &dongbo_store::synthesis::NewVersion {
            program_id,
            level: checked.level,
            issuer_code: &checked.issuer_code,
            period: &checked.period.code(),
            number: &rendered.document.number,
            title: &rendered.document.title,
            input: &json,
            files: dongbo_store::synthesis::Files {
                docx_sha256,
                xlsx_sha256,
                pdf_sha256,
            },
            created_by: actor.username(),
        },
    )
    .await?;
    Ok(version)
}

/// Whether each file of a stored version comes out the same when built again from the data
/// the version keeps: (DOCX, XLSX, PDF).
pub async fn rebuild_synthesis(
    state: &AppState,
    report_id: i64,
    version: i64,
) -> Result<(dongbo_store::synthesis::Version, [bool; 3])> {
    let (found, input) = dongbo_store::synthesis::get(&state.db, report_id, version)
        .await?
        .ok_or(Error::NotFound)?;
    let input: dongbo_publish::synthesis::SynthesisInput = serde_json::from_str(&input)
        .map_err(|e| Error::Internal(format!("reading the stored input: {e}")))?;
    let rendered = crate::synthesis::render(input).await?;
    let same = |bytes: &[u8], sha: &str| dongbo_store::evidence::sha256_hex(bytes) == sha;
    let checks = [
        same(&rendered.docx, &found.files.docx_sha256),
        same(&rendered.xlsx, &found.files.xlsx_sha256),
        same(&rendered.pdf, &found.files.pdf_sha256),
    ];
    Ok((found, checks))
}

/// Saves the wording template of synthesis reports (administrators on the root only), after
/// checking that it parses and renders; `None` goes back to the shipped wording.
pub async fn save_synthesis_template(actor: &Actor<'_>, body: Option<&str>) -> Result<()> {
    actor.require(Action::EditTemplates, ROOT_AGENCY, &actor.state.directory)?;
    if let Some(body) = body {
        dongbo_publish::template::SynthesisTemplate::parse(body)
            .map_err(|e| Error::field("body", e.to_string()))?;
    }
    dongbo_store::synthesis::save_template(
        &actor.state.db,
        dongbo_publish::template::SYNTHESIS,
        body,
        actor.username(),
    )
    .await?;
    Ok(())
}
