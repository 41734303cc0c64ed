//! Báo cáo của cơ quan — an agency's one report for a program and a period: every task it
//! answers for in the period on one form (lead tasks first with every field, coordinating
//! tasks with a short contribution), saved as a draft, sent, reviewed and versioned as one.
//!
//! The tasks' parts are the per-assignment reports (`crate::reports`), written by the store
//! in the agency report's transaction (`dongbo_store::agency_reports`), so every figure read
//! from them stays right. A task whose report was sent on its own (through the per-assignment
//! page or the API) is shown, not written: it moves on its own.
//!
//! Which tasks are on the form: the agency's assignments due to report in the period
//! (`dongbo_domain::dashboard::due_to_report`) whose role the period's regime puts on an
//! agency report (`Reporters::on_agency_report`: under "through the lead", a coordinating
//! task is the contribution the lead sees on its own form, under that task).

use chrono::NaiveDate;
use dongbo_domain::access::Action;
use dongbo_domain::dashboard::due_to_report;
use dongbo_domain::regime::{RegimePeriod, Reporters, ReportingRegime};
use dongbo_domain::{Role, report};
use dongbo_store::agency_reports::{
    self as store, AgencyEdit, AgencyReview, ItemComment, ItemEdit, Key,
};
pub use dongbo_store::agency_reports::{
    AgencyOutcome, AgencyReport, AgencyReportSummary, Contribution,
};
use dongbo_store::assignments::{self, AgencyAssignment};
use dongbo_store::reports::{Report, ReportContent, ReportPeriod, ReportStatus};
use serde::Serialize;

use crate::context::{Actor, Error, FieldError, Result};

/// One task on an agency's report form.
#[derive(Debug, Clone, Serialize)]
pub struct TaskPart {
    pub assignment: AgencyAssignment,
    /// Its report for the period, if one was started.
    pub report: Option<Report>,
    /// Written with the agency report (its report is absent, a draft or returned, or is held
    /// by the agency report); `false` when it was sent on its own and moves on its own.
    pub in_report: bool,
    /// A coordinating task whose contribution goes to the lead, not upward.
    pub to_lead: bool,
    /// Under a lead task: the contributions its coordinating agencies sent for the period.
    pub contributions: Vec<Contribution>,
    /// The reviewer's comment on this task in the return still open.
    pub comment: Option<String>,
    /// When the report is sent again after a return: this task's content as it was returned,
    /// for the reviewer to see what changed.
    pub as_returned: Option<ReportContent>,
}

impl TaskPart {
    /// What changed since the return, field by field: (field name in Vietnamese and English,
    /// as returned, now). Empty when nothing changed or there was no return.
    pub fn changes(&self) -> Vec<(&'static str, &'static str, String, String)> {
        let Some(before) = &self.as_returned else {
            return Vec::new();
        };
        let now = self.content();
        let mut changes = Vec::new();
        let mut compare = |vi, en, old: String, new: String| {
            if old != new {
                changes.push((vi, en, old, new));
            }
        };
        compare(
            "Kết quả",
            "Results",
            before.results.clone(),
            now.results.clone(),
        );
        compare(
            "Tiến độ (%)",
            "Progress (%)",
            before.progress.to_string(),
            now.progress.to_string(),
        );
        compare(
            "Khó khăn",
            "Difficulties",
            before.difficulties.clone(),
            now.difficulties.clone(),
        );
        compare(
            "Kiến nghị",
            "Recommendations",
            before.recommendations.clone(),
            now.recommendations.clone(),
        );
        let names = |c: &ReportContent| {
            c.files
                .iter()
                .map(|f| f.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        };
        compare(
            "Tệp minh chứng",
            "Evidence files",
            names(before),
            names(&now),
        );
        changes
    }
}

impl TaskPart {
    pub fn is_lead(&self) -> bool {
        self.assignment.assignment.role == Role::Lead
    }

    /// The content to fill the form with: the report's current one, else empty.
    pub fn content(&self) -> ReportContent {
        self.report
            .as_ref()
            .map(|r| r.content().clone())
            .unwrap_or_default()
    }
}

/// An agency's report for a period as its form and its review page show it.
#[derive(Debug, Clone, Serialize)]
pub struct AgencyReportView {
    pub program_id: i64,
    pub program_number: Option<String>,
    pub agency_code: String,
    pub agency_name: String,
    pub regime: ReportingRegime,
    pub period: RegimePeriod,
    pub deadline: NaiveDate,
    /// The agency report, once written.
    pub report: Option<AgencyReport>,
    /// Lead tasks first, then coordinating ones, each in the program's task order.
    pub parts: Vec<TaskPart>,
    /// The caller may write it now (its state allows and they report for the agency).
    pub may_write: bool,
    /// The caller may return or accept it now (it is sent, they review the agency's
    /// reports, and wrote none of it).
    pub may_review: bool,
    /// The caller may reopen it (it is accepted, they may reopen the agency's reports).
    pub may_reopen: bool,
}

impl AgencyReportView {
    pub fn status(&self) -> Option<ReportStatus> {
        self.report.as_ref().map(|r| r.status)
    }

    /// The period's code, as URLs and the store name it ("2026-Y").
    pub fn period_code(&self) -> String {
        self.period.code()
    }

    /// The parts written with the agency report.
    pub fn written_parts(&self) -> impl Iterator<Item = &TaskPart> {
        self.parts.iter().filter(|p| p.in_report)
    }
}

/// The regime and period an agency report is for: the period asked for by its code, found
/// among the program's periodic regimes, else the current period of the program's default
/// regime. A phase regime's report is sent task by task.
pub async fn regime_period(
    actor: &Actor<'_>,
    program_id: i64,
    asked: Option<&str>,
) -> Result<(ReportingRegime, RegimePeriod)> {
    let programs = actor.programs;
    let stamp = programs.dashboard_stamp(program_id).await?;
    let regimes = programs.regimes(program_id, stamp).await?;
    let asked = asked.map(str::trim).filter(|c| !c.is_empty());
    let found = match asked {
        Some(code) => regimes
            .iter()
            .find_map(|regime| regime.period(code).map(|p| (regime.clone(), p))),
        None => {
            let regime = regimes.default_regime().clone();
            regime
                .current_period(actor.today())
                .map(|period| (regime, period))
        }
    };
    let Some((regime, period)) = found else {
        return Err(Error::field(
            "period",
            format!(
                "{} «{}»",
                actor.t(
                    "Chương trình không có kỳ báo cáo",
                    "The program has no reporting period"
                ),
                asked.unwrap_or("-")
            ),
        ));
    };
    if !matches!(period, RegimePeriod::Decree09(_)) {
        return Err(Error::field(
            "period",
            actor.t(
                "Báo cáo giai đoạn được gửi theo từng nhiệm vụ.",
                "A phase report is sent task by task.",
            ),
        ));
    }
    Ok((regime, period))
}

/// The task reports' period of an agency report's period.
fn task_period(period: &RegimePeriod) -> Result<ReportPeriod> {
    match period {
        RegimePeriod::Decree09(p) => Ok(ReportPeriod::Period(*p)),
        RegimePeriod::Phase(_) => Err(Error::Refused(
            "a phase report is sent task by task".to_owned(),
        )),
    }
}

/// The agency report of `agency_code` for program `program_id` and the period asked for (the
/// current one by default), with every task on it. Readable by whoever may see the agency's
/// records; anyone else gets "not found".
pub async fn view(
    actor: &Actor<'_>,
    program_id: i64,
    agency_code: &str,
    period: Option<&str>,
) -> Result<AgencyReportView> {
    let programs = actor.programs;
    let directory = programs.directory_with_units().await?;
    let agency = directory.agency(agency_code).ok_or(Error::NotFound)?;
    actor.require_on_record(Action::ViewProgram, agency_code, &directory)?;
    let (regime, period) = regime_period(actor, program_id, period).await?;
    let deadline = period.deadline(&regime.rule, &[]);
    let task_period = task_period(&period)?;
    let facts = programs.dashboard_facts(program_id).await?;
    let window = period.window();
    let mut assigned: Vec<AgencyAssignment> = assignments::for_agency(&programs.db, agency_code)
        .await?
        .into_iter()
        .filter(|a| a.assignment.program_id == program_id)
        .filter(|a| regime.reporters.on_agency_report(a.assignment.role))
        .filter(|a| {
            facts
                .iter()
                .find(|f| {
                    f.agency_code == a.assignment.agency_code
                        && f.task_code == a.assignment.task_code
                        && f.role == a.assignment.role
                })
                .is_some_and(|f| due_to_report(f, window))
        })
        .collect();
    if assigned.is_empty() {
        // An agency with nothing to report in the program is not one of its reporters.
        return Err(Error::NotFound);
    }
    // Lead tasks first; the store's order (the program's task order) within each.
    assigned.sort_by_key(|a| a.assignment.role != Role::Lead);
    let key = Key {
        program_id,
        agency_code,
        period: &period.code(),
    };
    let report = store::find(&programs.db, key).await?;
    let held = report.as_ref().map(|r| r.current().items.clone());
    let contributions = store::contributions(&programs.db, program_id, &task_period.code()).await?;
    let open_comments = report
        .as_ref()
        .filter(|r| r.status == ReportStatus::Returned)
        .map(|r| r.current().items.clone())
        .unwrap_or_default();
    // After a return, each task's content as it was returned (the items of the return's
    // version point at the task versions the return wrote, copies of what was judged).
    let returned_items = report
        .as_ref()
        .filter(|r| r.status == ReportStatus::Submitted)
        .and_then(|r| r.last_returned())
        .map(|v| v.items.clone())
        .unwrap_or_default();
    let mut parts = Vec::with_capacity(assigned.len());
    for a in assigned {
        let task_report =
            dongbo_store::reports::for_period(&programs.db, a.assignment.id, task_period).await?;
        let held_here = held
            .as_ref()
            .is_some_and(|items| items.iter().any(|i| i.assignment_id == a.assignment.id));
        let moves_alone = task_report.as_ref().is_some_and(|r| {
            matches!(
                r.summary.status,
                ReportStatus::Submitted | ReportStatus::Accepted
            )
        }) && !matches!(
            report.as_ref().map(|r| r.status),
            Some(ReportStatus::Submitted | ReportStatus::Accepted)
        );
        let in_report = if report
            .as_ref()
            .is_some_and(|r| matches!(r.status, ReportStatus::Submitted | ReportStatus::Accepted))
        {
            held_here
        } else {
            !moves_alone
        };
        let lead = a.assignment.role == Role::Lead;
        let as_returned = returned_items
            .iter()
            .find(|i| i.assignment_id == a.assignment.id)
            .and_then(|i| {
                task_report
                    .as_ref()?
                    .versions
                    .iter()
                    .find(|v| v.version == i.report_version)
            })
            .map(|v| v.content.clone());
        parts.push(TaskPart {
            as_returned,
            contributions: if lead {
                contributions
                    .iter()
                    .filter(|c| c.task_code == a.assignment.task_code)
                    .cloned()
                    .collect()
            } else {
                Vec::new()
            },
            to_lead: !lead && regime.reporters == Reporters::ThroughLead,
            comment: open_comments
                .iter()
                .find(|i| i.assignment_id == a.assignment.id)
                .and_then(|i| i.comment.clone()),
            report: task_report,
            in_report,
            assignment: a,
        });
    }
    let status = report.as_ref().map(|r| r.status);
    let may_write = actor
        .caller
        .can(Action::SubmitReport, agency_code, &directory)
        && matches!(
            status,
            None | Some(ReportStatus::Draft | ReportStatus::Returned)
        );
    let may_review = status == Some(ReportStatus::Submitted)
        && actor
            .caller
            .can(Action::ReviewReport, agency_code, &directory)
        && !report
            .as_ref()
            .is_some_and(|r| wrote_under_review(r, actor.caller.user.username.as_str()));
    let may_reopen = status == Some(ReportStatus::Accepted)
        && actor
            .caller
            .can(Action::ReopenReport, agency_code, &directory);
    Ok(AgencyReportView {
        program_id,
        program_number: parts
            .first()
            .and_then(|p| p.assignment.program_number.clone()),
        agency_code: agency_code.to_owned(),
        agency_name: actor.t(&agency.name_vi, &agency.name_en).to_owned(),
        regime,
        period,
        deadline,
        report,
        parts,
        may_write,
        may_review,
        may_reopen,
    })
}

/// Whether `username` wrote any of the content a review of `report` would decide on.
pub fn wrote_under_review(report: &AgencyReport, username: &str) -> bool {
    let history = report
        .versions
        .iter()
        .map(|v| (v.action, v.author.as_str()));
    report::authors_under_review(history).contains(&username)
}

/// One task's content as an author sends it.
#[derive(Debug, Clone)]
pub struct PartDraft {
    pub assignment_id: i64,
    pub content: ReportContent,
    /// The version of the task's report the form was filled from.
    pub based_on: Option<i64>,
}

/// Saves or sends the agency report. `parts` names the tasks' contents; a task of the form not
/// named keeps its current content. Every task must be one of the form's, written with it.
pub async fn write(
    actor: &Actor<'_>,
    program_id: i64,
    agency_code: &str,
    period: Option<&str>,
    parts: &[PartDraft],
    based_on: Option<i64>,
    submit: bool,
) -> Result<AgencyOutcome> {
    let view = view(actor, program_id, agency_code, period).await?;
    let directory = actor.programs.directory_with_units().await?;
    actor.require_on_record(Action::SubmitReport, agency_code, &directory)?;
    let mut errors = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if !view
            .written_parts()
            .any(|p| p.assignment.assignment.id == part.assignment_id)
        {
            errors.push(FieldError {
                field: format!("tasks[{i}].assignment_id"),
                message: format!(
                    "{} ({})",
                    actor.t(
                        "Nhiệm vụ không thuộc báo cáo này của cơ quan",
                        "The task is not on this report of the agency"
                    ),
                    part.assignment_id
                ),
            });
        }
    }
    let task_period = task_period(&view.period)?;
    let mut drafts: Vec<(i64, ReportContent, Option<i64>, String)> = Vec::new();
    for p in view.written_parts() {
        let id = p.assignment.assignment.id;
        let (content, based_on) = match parts.iter().find(|d| d.assignment_id == id) {
            Some(d) => (d.content.clone(), d.based_on),
            None => (
                p.content(),
                p.report.as_ref().map(|r| r.summary.current_version),
            ),
        };
        let content = match crate::reports::checked_content(&content) {
            Ok(content) => content,
            Err(Error::Invalid(faults)) => {
                errors.extend(faults.into_iter().map(|f| FieldError {
                    field: format!("tasks[{id}].{}", f.field),
                    message: format!(
                        "{} {}: {}",
                        task_word(actor),
                        p.assignment.task.code,
                        f.message
                    ),
                }));
                continue;
            }
            Err(other) => return Err(other),
        };
        if submit && content.results.trim().is_empty() {
            errors.push(FieldError {
                field: format!("tasks[{id}].results"),
                message: format!(
                    "{} {}: {}",
                    task_word(actor),
                    p.assignment.task.code,
                    if p.is_lead() {
                        actor.t(
                            "cần nêu kết quả thực hiện trước khi gửi.",
                            "write the results before sending.",
                        )
                    } else {
                        actor.t(
                            "cần nêu phần phối hợp trước khi gửi.",
                            "write the contribution before sending.",
                        )
                    }
                ),
            });
        }
        drafts.push((id, content, based_on, p.assignment.task.code.clone()));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if drafts.is_empty() {
        return Err(Error::Refused(
            actor
                .t(
                    "Mọi nhiệm vụ của kỳ này đã được gửi riêng; không còn gì để gửi.",
                    "Every task of this period was sent on its own; nothing is left to send.",
                )
                .to_owned(),
        ));
    }
    let items: Vec<ItemEdit<'_>> = drafts
        .iter()
        .map(|(id, content, based_on, _)| ItemEdit {
            assignment_id: *id,
            period: task_period,
            content,
            based_on: *based_on,
        })
        .collect();
    let period_code = view.period_code();
    let edit = AgencyEdit {
        key: Key {
            program_id,
            agency_code,
            period: &period_code,
        },
        items: &items,
        author: actor.username(),
        based_on,
    };
    let outcome = if submit {
        store::submit(&actor.programs.db, &edit).await?
    } else {
        store::save_draft(&actor.programs.db, &edit).await?
    };
    Ok(outcome)
}

fn task_word(actor: &Actor<'_>) -> &'static str {
    actor.t("Nhiệm vụ", "Task")
}

/// Agency report `id`, for whoever may see its agency's records.
pub async fn report(actor: &Actor<'_>, id: i64) -> Result<AgencyReport> {
    let report = match store::get(&actor.programs.db, id).await {
        Err(dongbo_store::StoreError::NotFound(_)) => return Err(Error::NotFound),
        other => other?,
    };
    let directory = actor.programs.directory_with_units().await?;
    actor.require_on_record(Action::ViewProgram, &report.agency_code, &directory)?;
    Ok(report)
}

/// A reviewer's decision on an agency report.
#[derive(Debug, Clone)]
pub enum AgencyDecision {
    /// Trả lại — back to the agency, with the overall comment (required) and a comment per
    /// task (by assignment id).
    Return {
        comment: String,
        tasks: Vec<(i64, String)>,
    },
    /// Duyệt — accepted with an optional comment, kept.
    Accept { comment: Option<String> },
    /// Mở lại — an accepted report unlocked, with the reason.
    Reopen { reason: String },
}

/// Returns, accepts or reopens agency report `id`, seen at `seen_version`.
pub async fn review(
    actor: &Actor<'_>,
    id: i64,
    seen_version: i64,
    decision: &AgencyDecision,
) -> Result<AgencyOutcome> {
    let db = &actor.programs.db;
    let directory = actor.programs.directory_with_units().await?;
    let report = match store::get(db, id).await {
        Err(dongbo_store::StoreError::NotFound(_)) => return Err(Error::NotFound),
        other => other?,
    };
    let needed = match decision {
        AgencyDecision::Reopen { .. } => Action::ReopenReport,
        _ => Action::ReviewReport,
    };
    actor.require_on_record(needed, &report.agency_code, &directory)?;
    if !matches!(decision, AgencyDecision::Reopen { .. })
        && wrote_under_review(&report, actor.username())
    {
        return Err(Error::Denied(
            actor
                .t(
                    "Bạn đã viết báo cáo này nên không thể tự trả lại hay duyệt nó; cần một người \
                     khác duyệt (phân tách nhiệm vụ).",
                    "You wrote this report, so you cannot return or accept it yourself; someone \
                     else must review it (separation of duties).",
                )
                .to_owned(),
        ));
    }
    let (comment, tasks): (Option<&str>, Vec<ItemComment<'_>>) = match decision {
        AgencyDecision::Return { comment, tasks } => {
            if comment.trim().is_empty() {
                return Err(Error::field(
                    "comment",
                    actor.t(
                        "Cần ghi ý kiến chung khi trả lại báo cáo.",
                        "Say why the report is returned.",
                    ),
                ));
            }
            (
                Some(comment.as_str()),
                tasks
                    .iter()
                    .map(|(assignment_id, comment)| ItemComment {
                        assignment_id: *assignment_id,
                        comment,
                    })
                    .collect(),
            )
        }
        AgencyDecision::Accept { comment } => (comment.as_deref(), Vec::new()),
        AgencyDecision::Reopen { reason } => {
            if reason.trim().is_empty() {
                return Err(Error::field(
                    "reason",
                    actor.t(
                        "Cần nêu lý do mở lại báo cáo đã duyệt.",
                        "Say why the accepted report is reopened.",
                    ),
                ));
            }
            (Some(reason.as_str()), Vec::new())
        }
    };
    let review = AgencyReview {
        id,
        seen_version,
        by: actor.username(),
        comment,
        items: &tasks,
    };
    let outcome = match decision {
        AgencyDecision::Return { .. } => store::return_report(db, &review).await?,
        AgencyDecision::Accept { .. } => store::accept(db, &review).await?,
        AgencyDecision::Reopen { .. } => store::reopen(db, &review).await?,
    };
    Ok(outcome)
}

/// Hàng chờ — the agency reports of the caller's agencies (and those under them) in `states`,
/// oldest change first, that the caller may act on with `action`.
pub async fn queue(
    actor: &Actor<'_>,
    states: &[ReportStatus],
    action: Action,
) -> Result<Vec<AgencyReportSummary>> {
    let directory = actor.programs.directory_with_units().await?;
    let mut found: Vec<AgencyReportSummary> = store::in_states(&actor.programs.db, states)
        .await?
        .into_iter()
        .filter(|r| actor.caller.can(action, &r.agency_code, &directory))
        .collect();
    if action == Action::ReviewReport {
        // Not the caller's own work: they may not review it.
        let mut kept = Vec::with_capacity(found.len());
        for summary in found {
            let report = store::get(&actor.programs.db, summary.id).await?;
            if !wrote_under_review(&report, actor.username()) {
                kept.push(summary);
            }
        }
        found = kept;
    }
    Ok(found)
}

/// The key an agency report's Excel form carries.
fn sheet_key(view: &AgencyReportView) -> dongbo_import::report_sheet::SheetKey {
    dongbo_import::report_sheet::SheetKey {
        program_id: view.program_id,
        agency_code: view.agency_code.clone(),
        period: view.period_code(),
    }
}

/// The agency report's Excel form for the period, filled with what is stored so far: its file
/// name and bytes.
pub async fn template(
    actor: &Actor<'_>,
    program_id: i64,
    agency_code: &str,
    period: Option<&str>,
) -> Result<(String, Vec<u8>)> {
    use dongbo_import::report_sheet::{SheetRow, write_template};
    let view = view(actor, program_id, agency_code, period).await?;
    let rows: Vec<SheetRow> = view
        .written_parts()
        .map(|part| {
            let content = part.content();
            SheetRow {
                assignment_id: part.assignment.assignment.id,
                task_code: part.assignment.task.code.clone(),
                task_title: part.assignment.task.title.clone(),
                lead: part.is_lead(),
                progress: part
                    .is_lead()
                    .then_some(content.progress)
                    .filter(|_| part.report.is_some()),
                results: content.results,
                difficulties: content.difficulties,
                recommendations: content.recommendations,
            }
        })
        .collect();
    let heading = format!(
        "{} — {} — {}",
        view.agency_name,
        view.period.label_vi(),
        view.program_number.as_deref().unwrap_or_default()
    );
    let bytes = write_template(&sheet_key(&view), &heading, &rows)
        .map_err(|e| Error::Internal(format!("writing the report template: {e}")))?;
    let name = format!("bao-cao-{}-{}.xlsx", view.agency_code, view.period_code());
    Ok((name, bytes))
}

/// Reads an agency's filled Excel form into its report's draft (all or nothing: a fault names
/// the row and cell, and nothing is written). The draft is then sent as usual.
pub async fn upload(
    actor: &Actor<'_>,
    program_id: i64,
    agency_code: &str,
    period: Option<&str>,
    bytes: &[u8],
    file_name: &str,
) -> Result<AgencyOutcome> {
    let view = view(actor, program_id, agency_code, period).await?;
    let directory = actor.programs.directory_with_units().await?;
    actor.require_on_record(Action::SubmitReport, agency_code, &directory)?;
    if !view.may_write {
        return Err(Error::WrongState(
            actor
                .t(
                    "Báo cáo đã gửi hoặc đã duyệt: không nhận tệp Excel cho đến khi bị trả lại hoặc mở lại.",
                    "The report is sent or accepted: no upload until it is returned or reopened.",
                )
                .to_owned(),
        ));
    }
    let rows = dongbo_import::report_sheet::read_filled(
        bytes,
        file_name,
        &sheet_key(&view),
        &dongbo_import::Limits::default(),
    )
    .map_err(|e| Error::field("file", e.to_string()))?;
    let mut drafts = Vec::with_capacity(rows.len());
    for row in &rows {
        let Some(part) = view
            .written_parts()
            .find(|p| p.assignment.assignment.id == row.assignment_id)
        else {
            return Err(Error::field(
                "file",
                format!(
                    "{file_name}: {} {} ({}) {}",
                    task_word(actor),
                    row.task_code,
                    row.assignment_id,
                    actor.t(
                        "không thuộc báo cáo này hoặc đã được gửi riêng.",
                        "is not on this report or was sent on its own.",
                    )
                ),
            ));
        };
        let mut content = part.content();
        content.results = row.results.clone();
        if part.is_lead() {
            content.progress = row.progress.unwrap_or(content.progress);
            content.difficulties = row.difficulties.clone();
            content.recommendations = row.recommendations.clone();
        }
        drafts.push(PartDraft {
            assignment_id: row.assignment_id,
            content,
            based_on: part.report.as_ref().map(|r| r.summary.current_version),
        });
    }
    let based_on = view.report.as_ref().map(|r| r.current_version);
    write(
        actor,
        program_id,
        agency_code,
        period,
        &drafts,
        based_on,
        false,
    )
    .await
}
