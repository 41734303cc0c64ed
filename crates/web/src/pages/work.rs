//! The work of a logged-in official: "Công việc của tôi" — each of their agencies' dashboard
//! (to-do, due soon, overdue, returned reports, drafts), the tasks it leads or coordinates, its
//! plans (the cascade) and its units — and the forms that create a plan, add the agency's own
//! tasks to it, create units and hand tasks to them.

use std::collections::{BTreeMap, HashMap};

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use dongbo_domain::access::{Action, ROOT_AGENCY};
use dongbo_domain::dashboard::{AgencyLine, agency_work};
use dongbo_domain::{Directory, Role, WorkState};
use dongbo_programs::reads::Stamp;
use dongbo_programs::work::{AgencyAssignment, AgencyWork};
use dongbo_programs::{plans, reports};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{self, Refusal};
use crate::AppState;
use crate::error::Result;
use dongbo_programs::views::agency_ref;

/// How many notices an agency's section of "my work" lists.
const SHOWN_NOTICES: usize = 20;

/// The filters of the agency dashboards on `/my`; each narrows the to-do, due soon and
/// overdue lists, and program and group also the returned reports and drafts.
#[derive(Debug, Default, Deserialize)]
pub struct WorkFilters {
    /// Only this program (its id).
    program: Option<String>,
    /// Only this task group.
    group: Option<String>,
    /// Only work in this state (`overdue_not_done`…).
    state: Option<String>,
    /// Only the tasks it leads (`lead`) or those it coordinates (`coordinating`).
    role: Option<String>,
    /// `all`: every notice, not only the first [`SHOWN_NOTICES`].
    notices: Option<String>,
}

impl WorkFilters {
    fn program(&self) -> Option<i64> {
        self.program.as_deref().and_then(|p| p.trim().parse().ok())
    }

    fn group(&self) -> Option<&str> {
        self.group
            .as_deref()
            .map(str::trim)
            .filter(|g| !g.is_empty())
    }

    fn state(&self) -> Option<WorkState> {
        self.state.as_deref().and_then(|s| s.parse().ok())
    }

    fn role(&self) -> Option<Role> {
        match self.role.as_deref().map(str::trim) {
            Some("lead") => Some(Role::Lead),
            Some("coordinating") => Some(Role::Coordinating),
            _ => None,
        }
    }

    /// Whether work of `program_id` and `group` passes the program and group filters.
    fn keeps(&self, program_id: i64, group: &str) -> bool {
        self.program().is_none_or(|p| p == program_id) && self.group().is_none_or(|g| g == group)
    }

    /// The query of these filters with `notices=all`, for the link to every notice.
    fn with_all_notices(&self) -> String {
        let mut query = vec!["notices=all".to_owned()];
        for (name, value) in [
            ("program", &self.program),
            ("group", &self.group),
            ("state", &self.state),
            ("role", &self.role),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
                query.push(format!("{name}={}", crate::error::urlencode(value)));
            }
        }
        query.join("&")
    }
}

pub async fn my_work(
    page: Page,
    State(state): State<AppState>,
    Query(filters): Query<WorkFilters>,
) -> Result<Markup> {
    show_my_work(&page, &state, &filters, None).await
}

/// "Công việc của tôi", with a refused form of the page (a new unit) filled as it was sent.
async fn show_my_work(
    page: &Page,
    state: &AppState,
    filters: &WorkFilters,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let caller = page.caller()?.clone();
    let directory = state.programs.directory_with_units().await?;
    let mut sections = Vec::new();
    for code in caller.agencies() {
        if code == ROOT_AGENCY {
            continue;
        }
        sections.push(agency_section(page, state, &directory, &code, filters, refusal).await?);
    }
    let title = page.t("Công việc của tôi", "My work");
    Ok(page.render(
        title,
        html! {
            h1 { (title) }
            (form::summary(page, refusal))
            p { (caller.user.display_name) " (" (caller.user.username) ")" }
            ul.grants {
                @for grant in &caller.grants {
                    li {
                        (page.t(grant.role.label_vi(), grant.role.label_en())) " — "
                        @if grant.agency_code == ROOT_AGENCY {
                            (page.t("toàn hệ thống", "the whole system"))
                        } @else {
                            a href={ "/agencies/" (grant.agency_code) } { (page.agency_name(&agency_ref(&directory, &grant.agency_code))) }
                        }
                    }
                }
            }
            @for section in sections { (section) }
        },
    ))
}

/// One agency's dashboard, then its tasks by program, its plans and its units.
async fn agency_section(
    page: &Page,
    state: &AppState,
    directory: &Directory,
    code: &str,
    filters: &WorkFilters,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let caller = page.caller()?;
    let can_plan = caller.can(Action::EditPlan, code, directory);
    let work = dongbo_programs::work::for_agency(&state.programs, code).await?;
    let assigned = &work.assigned;
    let mut by_program: BTreeMap<i64, Vec<&AgencyAssignment>> = BTreeMap::new();
    for a in assigned {
        by_program
            .entry(a.assignment.program_id)
            .or_default()
            .push(a);
    }
    let wanted_role = filters.role();
    let dashboard = agency_dashboard(page, state, code, &work, &by_program, filters).await?;
    let mut programs_html = Vec::new();
    for (program_id, tasks) in &by_program {
        let plan = state.programs.plan_now(*program_id).await?;
        let own_plan = if plan.is_none() {
            plans::plan_of(&state.programs, *program_id, code).await?
        } else {
            None
        };
        let label = tasks[0]
            .program_number
            .clone()
            .unwrap_or_else(|| format!("#{program_id}"));
        programs_html.push(html! {
            section.program-work data-program=(program_id) {
                h3 {
                    a href={ "/programs/" (program_id) } {
                        @if plan.is_some() { (page.t("Kế hoạch", "Plan")) " #" (program_id) } @else { (label) }
                    }
                }
                @if plan.is_none() {
                    p.agency-report-link {
                        a.agency-report href={ "/programs/" (program_id) "/agencies/" (code) "/report" } {
                            (page.t("Báo cáo của cơ quan kỳ này (mọi nhiệm vụ trên một trang)", "The agency's report for this period (every task on one page)"))
                        }
                    }
                    @match own_plan {
                        Some(plan_id) => p { a.plan-link href={ "/programs/" (plan_id) } { (page.t("Kế hoạch thực hiện của cơ quan", "The agency's implementation plan")) } }
                        None => @if can_plan {
                            form.create-plan method="post" action={ "/agencies/" (code) "/plans" } {
                                (page.csrf_field())
                                input type="hidden" name="program_id" value=(program_id);
                                button type="submit" { (page.t("Lập kế hoạch thực hiện", "Create the implementation plan")) }
                            }
                        }
                    }
                }
                table.work {
                    thead { tr {
                        th { (page.t("STT", "No.")) }
                        th { (page.t("Nhiệm vụ", "Task")) }
                        th { (page.t("Vai trò", "Role")) }
                        th { (page.t("Thời gian thực hiện", "Time frame")) }
                        th { (page.t("Báo cáo", "Report")) }
                    } }
                    tbody {
                        @for a in tasks.iter().filter(|a| wanted_role.is_none_or(|r| r == a.assignment.role)) {
                            tr {
                                td.code { a href={ "/programs/" (program_id) "/tasks/" (a.assignment.task_code) } { (a.assignment.task_code) } }
                                td { (a.task.title) }
                                td { @if a.assignment.role == Role::Lead { (page.t("Chủ trì", "Lead")) } @else { (page.t("Phối hợp", "Coordinating")) } }
                                td {
                                    (a.task.time_frame.text)
                                    @if let Some(due) = a.assignment.due_on.or(a.task.time_frame.due) {
                                        br; small.muted { (page.t("hạn", "due")) " " (page.date(due)) }
                                    }
                                }
                                td { a.report-link href={ "/assignments/" (a.assignment.id) "/report" } { (page.t("Báo cáo", "Report")) } }
                            }
                        }
                    }
                }
            }
        });
    }
    let units: Vec<plans::Unit> = plans::units(&state.programs)
        .await?
        .into_iter()
        .filter(|u| u.agency_code == code)
        .collect();
    let agency = agency_ref(directory, code);
    let mut notices = dongbo_programs::reminders::notices(&state.programs, code).await?;
    // What people sent (a coordinator's reminder, a returned report) first, newest first; the
    // automatic reminders after: near a deadline there are dozens of them, and they must not
    // push a coordinator's message off the list.
    // Among them, a notice a later event made moot (a returned report since accepted) comes
    // after the open ones, shown as resolved.
    notices.sort_by_key(|n| {
        (
            !(n.subject.is_some() || matches!(n.kind.as_str(), "manual" | "returned")),
            n.resolved_at.is_some(),
        )
    });
    let shown = if filters.notices.as_deref() == Some("all") {
        notices.len()
    } else {
        SHOWN_NOTICES
    };
    let more_notices = notices.len().saturating_sub(shown);
    let notice_groups = group_notices(page, &notices[..notices.len().min(shown)], &by_program);
    let all_notices = format!("/my?{}#notices-{code}", filters.with_all_notices());
    let notices_html = html! {
        @if !notices.is_empty() {
            section.notices id={ "notices-" (code) } {
                h3 { (page.t("Thông báo", "Notices")) " (" (notices.len()) ")" }
                @for (label, list) in &notice_groups {
                    details.notice-group open {
                        summary { (label) " — " (list.len()) }
                        ul.notices {
                            @for n in list {
                                li.notice data-kind=(n.kind) data-resolved=[n.resolved_at.map(|_| "true")] {
                                    @match &n.link { Some(link) => a href=(link) { (n.title) }, None => (n.title) }
                                    @if n.resolved_at.is_some() {
                                        " " span.resolved { (page.t("Đã giải quyết", "Resolved")) }
                                    }
                                    @if !n.body.is_empty() { br; small { (n.body) } }
                                }
                            }
                        }
                    }
                }
                @if more_notices > 0 {
                    p.more-notices { a href=(all_notices) { (page.t(&format!("… và {more_notices} thông báo khác."), &format!("… and {more_notices} more notices."))) } }
                }
            }
        }
    };
    Ok(html! {
        section.agency-work id={ "work-" (code) } {
            h2 { (page.agency_name(&agency)) }
            @if assigned.is_empty() { p.muted { (page.t("Chưa có nhiệm vụ được giao.", "No task assigned yet.")) } }
            @else { (dashboard) }
            @for p in programs_html { (p) }
            (notices_html)
            h3 { (page.t("Đơn vị", "Units")) }
            @if units.is_empty() { p.muted { (page.t("Chưa có đơn vị.", "No unit yet.")) } }
            ul.units { @for u in &units { li { (page.lang.pick(&u.name_vi, &u.name_en)) " " small.muted { (u.code) } } } }
            @if can_plan {
                @let form_id = format!("unit-{code}");
                @let kept = Refusal::of_form(refusal, &form_id);
                form.create-unit id=(form_id) method="post" action={ "/agencies/" (code) "/units" } {
                    (page.csrf_field())
                    label { (page.t("Mã đơn vị", "Unit code")) " " input type="text" name="code" required pattern="[A-Za-z0-9_-]+"
                        value=(form::typed(kept, "code", "")) aria-invalid=[form::invalid(kept, "code")] aria-describedby=[form::described_by(kept, "code")]; }
                    (form::error(kept, "code"))
                    label { (page.t("Tên đơn vị", "Unit name")) " " input type="text" name="name_vi" required
                        value=(form::typed(kept, "name_vi", "")) aria-invalid=[form::invalid(kept, "name_vi")] aria-describedby=[form::described_by(kept, "name_vi")]; }
                    (form::error(kept, "name_vi"))
                    label { (page.t("Tên tiếng Anh", "English name")) " " input type="text" name="name_en" value=(form::typed(kept, "name_en", "")); }
                    button type="submit" { (page.t("Thêm đơn vị", "Add unit")) }
                }
            }
        }
    })
}

/// `notices` (in their order) grouped by the program they are about, known from their link
/// (a task's report of one of the agency's assignments, or a program's page); those about no
/// program (a coordinator's message, an account's lock) together last.
fn group_notices<'n>(
    page: &Page,
    notices: &'n [dongbo_programs::reminders::Notification],
    by_program: &BTreeMap<i64, Vec<&AgencyAssignment>>,
) -> Vec<(String, Vec<&'n dongbo_programs::reminders::Notification>)> {
    let program_of_assignment: HashMap<i64, i64> = by_program
        .values()
        .flatten()
        .map(|a| (a.assignment.id, a.assignment.program_id))
        .collect();
    let program_of = |link: &str| -> Option<i64> {
        let number =
            |rest: &str| -> Option<i64> { rest.split(['/', '?', '#']).next()?.parse().ok() };
        if let Some(rest) = link.strip_prefix("/assignments/") {
            return program_of_assignment.get(&number(rest)?).copied();
        }
        link.strip_prefix("/programs/").and_then(number)
    };
    let mut groups: Vec<(Option<i64>, Vec<&dongbo_programs::reminders::Notification>)> = Vec::new();
    for notice in notices {
        let program = notice.link.as_deref().and_then(program_of);
        match groups.iter_mut().find(|(p, _)| *p == program) {
            Some((_, list)) => list.push(notice),
            None => groups.push((program, vec![notice])),
        }
    }
    groups.sort_by_key(|(program, _)| program.is_none());
    groups
        .into_iter()
        .map(|(program, list)| {
            let label = match program {
                Some(id) => match by_program.get(&id) {
                    Some(tasks) => program_label(tasks, id),
                    None => format!("{} #{id}", page.t("Chương trình", "Program")),
                },
                None => page.t("Thông báo chung", "General notices").to_owned(),
            };
            (label, list)
        })
        .collect()
}

/// The program's label on `/my`: its document number, else its id.
fn program_label(tasks: &[&AgencyAssignment], program_id: i64) -> String {
    tasks
        .first()
        .and_then(|a| a.program_number.clone())
        .unwrap_or_else(|| format!("#{program_id}"))
}

/// Bảng theo dõi của cơ quan — an agency's dashboard: its to-do (open assignments with their
/// state), what is due within `DUE_SOON_DAYS`, what is overdue, its returned reports with the
/// reviewer's comment and its drafts, filtered by program, group and state. Reads the
/// programs' cached dashboard facts (`AppState::dashboard_facts`) and one query for the
/// reports.
async fn agency_dashboard(
    page: &Page,
    state: &AppState,
    code: &str,
    work: &AgencyWork,
    by_program: &BTreeMap<i64, Vec<&AgencyAssignment>>,
    filters: &WorkFilters,
) -> Result<Markup> {
    let today = state.today();
    let facts = &work.facts;
    // The assignment of each (program, task, role), for the report links.
    let ids: HashMap<(i64, &str, Role), i64> = by_program
        .values()
        .flatten()
        .map(|a| {
            (
                (
                    a.assignment.program_id,
                    a.assignment.task_code.as_str(),
                    a.assignment.role,
                ),
                a.assignment.id,
            )
        })
        .collect();
    let wanted_state = filters.state();
    let mut groups: Vec<&str> = Vec::new();
    let mut to_do = Vec::new();
    let mut due_soon = Vec::new();
    let mut overdue = Vec::new();
    for (program_id, facts) in facts {
        let work = agency_work(facts, code, today);
        for line in &work.to_do {
            if !groups.contains(&line.fact.group_code.as_str()) {
                groups.push(&line.fact.group_code);
            }
        }
        let keep = |l: &AgencyLine| {
            filters.keeps(*program_id, &l.fact.group_code)
                && wanted_state.is_none_or(|s| s == l.state)
                && filters.role().is_none_or(|r| r == l.fact.role)
        };
        let program_id = *program_id;
        to_do.extend(work.to_do.into_iter().filter(keep).map(|l| (program_id, l)));
        due_soon.extend(
            work.due_soon
                .into_iter()
                .filter(keep)
                .map(|l| (program_id, l)),
        );
        overdue.extend(
            work.overdue
                .into_iter()
                .filter(keep)
                .map(|l| (program_id, l)),
        );
    }
    due_soon.sort_by_key(|(_, l)| l.due);
    overdue.sort_by_key(|(_, l)| l.due);
    groups.sort_unstable();
    let waiting: Vec<reports::WaitingReport> = reports::waiting_for_agency(&state.programs, code)
        .await?
        .into_iter()
        .filter(|r| filters.keeps(r.program_id, &r.group_code))
        .collect();
    let returned: Vec<&reports::WaitingReport> = waiting
        .iter()
        .filter(|r| r.status == reports::ReportStatus::Returned)
        .collect();
    let drafts: Vec<&reports::WaitingReport> = waiting
        .iter()
        .filter(|r| r.status == reports::ReportStatus::Draft)
        .collect();
    // The task's name beside its number.
    let titles: HashMap<(i64, &str), &str> = by_program
        .values()
        .flatten()
        .map(|a| {
            (
                (a.assignment.program_id, a.assignment.task_code.as_str()),
                a.task.title.as_str(),
            )
        })
        .collect();
    let labels: BTreeMap<i64, String> = by_program
        .iter()
        .map(|(id, tasks)| (*id, program_label(tasks, *id)))
        .collect();
    let work_table = |id: &str, lines: &[(i64, AgencyLine)]| -> Markup {
        html! {
            @if lines.is_empty() {
                p.muted id=(id) { (page.t("Không có.", "None.")) }
            } @else {
                table.work.tasks id=(id) {
                    thead { tr {
                        th { (page.t("Chương trình", "Program")) }
                        th { (page.t("STT", "No.")) }
                        th { (page.t("Nhiệm vụ", "Task")) }
                        th { (page.t("Vai trò", "Role")) }
                        th { (page.t("Tình trạng", "State")) }
                        th { (page.t("Tiến độ", "Progress")) }
                        th { (page.t("Hạn", "Due")) }
                        th { (page.t("Báo cáo", "Report")) }
                    } }
                    tbody {
                        @for (program_id, l) in lines {
                            tr data-task=(l.fact.task_code) data-state=(l.state.as_str()) {
                                td { (labels.get(program_id).map_or("", String::as_str)) }
                                td.code { a href={ "/programs/" (program_id) "/tasks/" (l.fact.task_code) } { (l.fact.task_code) } }
                                td.task-title { (titles.get(&(*program_id, l.fact.task_code.as_str())).copied().unwrap_or("")) }
                                td { @if l.fact.role == Role::Lead { (page.t("Chủ trì", "Lead")) } @else { (page.t("Phối hợp", "Coordinating")) } }
                                td { (page.t(l.state.label_vi(), l.state.label_en())) }
                                td.num { (l.fact.progress) "%" }
                                td { @if let Some(d) = l.due { (page.date(d)) } }
                                td { @if let Some(id) = ids.get(&(*program_id, l.fact.task_code.as_str(), l.fact.role)) {
                                    a href={ "/assignments/" (id) "/report" } { (page.t("Báo cáo", "Report")) }
                                } }
                            }
                        }
                    }
                }
            }
        }
    };
    let report_list = |id: &str, list: &[&reports::WaitingReport], action: &str| -> Markup {
        html! {
            @if list.is_empty() {
                p.muted id=(id) { (page.t("Không có.", "None.")) }
            } @else {
                ul id=(id) {
                    @for r in list {
                        li data-report=(r.id) {
                            (page.doc_number(r.program_number.as_deref().unwrap_or(""))) " — " (page.t("Nhiệm vụ", "Task")) " " (r.task_code) ": " (r.task_title)
                            " (" @match r.period { reports::ReportPeriod::Once => (page.t("báo cáo một lần", "one-off report")), reports::ReportPeriod::Period(p) => @match page.lang { crate::i18n::Lang::Vi => (p), crate::i18n::Lang::En => (p.label_en()) } } ")"
                            @if let Some(comment) = &r.comment {
                                br; small { (page.t("Ý kiến của người duyệt: ", "Reviewer's comment: ")) span.review-comment { (comment) } }
                            }
                            " " a.fix-report href={ "/assignments/" (r.assignment_id) "/report?period=" (r.period.code()) } { (action) }
                        }
                    }
                }
            }
        }
    };
    Ok(html! {
        section.agency-dashboard id={ "dashboard-" (code) } {
            h3 { (page.t("Bảng theo dõi của cơ quan", "The agency's dashboard")) }
            ul.counts {
                li { (page.t("Việc cần làm", "To do")) ": " strong.to-do-count { (to_do.len()) } }
                li { (page.t("Sắp đến hạn", "Due soon")) ": " strong.due-soon-count { (due_soon.len()) } }
                li { (page.t("Quá hạn", "Overdue")) ": " strong.overdue-count { (overdue.len()) } }
                li { (page.t("Báo cáo bị trả lại", "Returned reports")) ": " strong.returned-count { (returned.len()) } }
                li { (page.t("Bản nháp chưa gửi", "Drafts not submitted")) ": " strong.draft-count { (drafts.len()) } }
            }
            form.filters method="get" action={ "/my#dashboard-" (code) } {
                label { (page.t("Chương trình", "Program")) " "
                    select name="program" {
                        option value="" { (page.t("Tất cả", "All")) }
                        @for (id, label) in &labels {
                            option value=(id) selected[filters.program() == Some(*id)] { (label) }
                        }
                    }
                }
                label { (page.t("Nhóm", "Group")) " "
                    select name="group" {
                        option value="" { (page.t("Tất cả", "All")) }
                        @for g in &groups { option value=(g) selected[filters.group() == Some(*g)] { (g) } }
                    }
                }
                label { (page.t("Vai trò", "Role")) " "
                    select name="role" {
                        option value="" { (page.t("Tất cả", "All")) }
                        option value="lead" selected[filters.role() == Some(Role::Lead)] { (page.t("Chủ trì", "Lead")) }
                        option value="coordinating" selected[filters.role() == Some(Role::Coordinating)] { (page.t("Phối hợp", "Coordinating")) }
                    }
                }
                label { (page.t("Tình trạng", "State")) " "
                    select name="state" {
                        option value="" { (page.t("Tất cả", "All")) }
                        @for s in WorkState::ALL {
                            option value=(s.as_str()) selected[wanted_state == Some(s)] { (page.t(s.label_vi(), s.label_en())) }
                        }
                    }
                }
                button type="submit" { (page.t("Lọc", "Filter")) }
            }
            h4 { (page.t("Báo cáo bị trả lại", "Returned reports")) }
            (report_list(&format!("returned-{code}"), &returned, page.t("Sửa và gửi lại", "Fix and resubmit")))
            h4 { (page.t("Sắp đến hạn (30 ngày tới)", "Due soon (next 30 days)")) }
            (work_table(&format!("due-soon-{code}"), &due_soon))
            h4 { (page.t("Quá hạn", "Overdue")) }
            (work_table(&format!("overdue-{code}"), &overdue))
            h4 { (page.t("Bản nháp chưa gửi", "Drafts not submitted")) }
            (report_list(&format!("drafts-{code}"), &drafts, page.t("Tiếp tục", "Continue")))
            h4 { (page.t("Việc cần làm", "To do")) }
            (work_table(&format!("to-do-{code}"), &to_do))
        }
    })
}

#[derive(Debug, Deserialize)]
pub struct CreatePlan {
    program_id: i64,
}

pub async fn create_plan(
    page: Page,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Form(form): Form<CreatePlan>,
) -> Result<Response> {
    let created = plans::create_plan(&page.actor(&state)?, &code, form.program_id).await?;
    Ok(Redirect::to(&format!("/programs/{}", created.program_id())).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CreateUnit {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name_vi: String,
    #[serde(default)]
    name_en: String,
}

/// Creates a unit of the agency; a refused one shows "Công việc của tôi" again with the form
/// filled.
pub async fn create_unit(
    page: Page,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Form(form): Form<CreateUnit>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let Err(error) =
        plans::create_unit(&actor, &code, &form.code, &form.name_vi, &form.name_en).await
    else {
        return Ok(Redirect::to(&format!("/my#work-{code}")).into_response());
    };
    let values = vec![
        ("code".to_owned(), form.code),
        ("name_vi".to_owned(), form.name_vi),
        ("name_en".to_owned(), form.name_en),
    ];
    let refusal = Refusal::of(format!("unit-{code}"), values, error)?;
    let page = page.showing("/my".to_owned(), String::new());
    let markup = show_my_work(&page, &state, &WorkFilters::default(), Some(&refusal)).await?;
    Ok(Refusal::answer(markup))
}

#[derive(Debug, Deserialize)]
pub struct AddTask {
    #[serde(default)]
    parent_task_code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    expected_output: String,
    #[serde(default)]
    time_frame: String,
}

/// Adds the agency's own task to its plan; a refused one shows the plan again with the form
/// filled.
pub async fn add_task(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(form): Form<AddTask>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let task = plans::NewTask {
        parent_task_code: form.parent_task_code.clone(),
        title: form.title.clone(),
        expected_output: Some(form.expected_output.clone()),
        time_frame: form.time_frame.clone(),
    };
    let error = match plans::add_plan_task(&actor, id, &task).await {
        Ok(code) => {
            return Ok(Redirect::to(&format!("/programs/{id}/tasks/{code}")).into_response());
        }
        Err(error) => error,
    };
    let values = vec![
        ("parent_task_code".to_owned(), form.parent_task_code),
        ("title".to_owned(), form.title),
        ("expected_output".to_owned(), form.expected_output),
        ("time_frame".to_owned(), form.time_frame),
    ];
    let refusal = Refusal::of("add-task", values, error)?;
    let page = page.showing(format!("/programs/{id}"), String::new());
    let markup = super::programs::show_program(&page, &state, id, Some(&refusal)).await?;
    Ok(Refusal::answer(markup))
}

#[derive(Debug, Deserialize)]
pub struct AssignUnit {
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    due_on: String,
}

/// Hands a plan's task to a unit; a refused hand-over shows the task again with the form
/// filled.
pub async fn assign_unit(
    page: Page,
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
    Form(form): Form<AssignUnit>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    plans::editable_plan(&actor, id).await?;
    let assigned = match dongbo_programs::input::parse_date("due_on", &form.due_on) {
        Ok(due_on) => plans::assign_unit(&actor, id, &code, &form.unit_code, due_on).await,
        Err(error) => Err(error),
    };
    let Err(error) = assigned else {
        return Ok(Redirect::to(&format!("/programs/{id}/tasks/{code}")).into_response());
    };
    let values = vec![
        ("unit_code".to_owned(), form.unit_code),
        ("due_on".to_owned(), form.due_on),
    ];
    let refusal = Refusal::of("assign-unit", values, error)?;
    let page = page.showing(format!("/programs/{id}/tasks/{code}"), String::new());
    let markup = super::programs::show_task(&page, &state, id, &code, Some(&refusal)).await?;
    Ok(Refusal::answer(markup))
}

/// On a plan's page, for whoever may edit it: the form to add the agency's own task.
pub async fn plan_tools(
    page: &Page,
    state: &AppState,
    directory: &Directory,
    program_id: i64,
    stamp: Stamp,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let kept = Refusal::of_form(refusal, "add-task");
    let Some(caller) = &page.caller else {
        return Ok(html! {});
    };
    let Some(plan) = state.programs.plan(program_id, stamp).await? else {
        return Ok(html! {});
    };
    if !caller.can(Action::EditPlan, &plan.agency_code, directory) {
        return Ok(html! {});
    }
    let parent = state.programs.program_now(plan.parent_program_id).await?;
    let own: Vec<String> = Option::as_ref(&*state.programs.stored_now(program_id).await?)
        .map(|p| p.program.tasks.iter().map(|t| t.code.clone()).collect())
        .unwrap_or_default();
    Ok(html! {
        section #plan-tools {
            h2 { (page.t("Thêm nhiệm vụ của cơ quan", "Add a task of the agency")) }
            form.add-task #add-task method="post" action={ "/plans/" (program_id) "/tasks" } {
                (page.csrf_field())
                label for="parent_task_code" { (page.t("Thực hiện nhiệm vụ", "Carries out task")) }
                @let parent_code = form::typed(kept, "parent_task_code", "");
                select #parent_task_code name="parent_task_code" required {
                    @for group in &parent.groups {
                        @for task in &group.tasks {
                            @if own.contains(&task.code) {
                                option value=(task.code) selected[task.code == parent_code] { (task.code) ". " (task.title) }
                            }
                        }
                    }
                }
                (form::error(kept, "parent_task_code"))
                label for="title" { (page.t("Tên nhiệm vụ", "Task")) }
                input #title type="text" name="title" required value=(form::typed(kept, "title", ""))
                    aria-invalid=[form::invalid(kept, "title")] aria-describedby=[form::described_by(kept, "title")];
                (form::error(kept, "title"))
                label for="expected_output" { (page.t("Kết quả / Sản phẩm", "Expected output")) }
                input #expected_output type="text" name="expected_output" value=(form::typed(kept, "expected_output", ""));
                label for="time_frame" { (page.t("Thời gian thực hiện", "Time frame")) }
                input #time_frame type="text" name="time_frame" placeholder=(page.t("ví dụ: Quý III/2025", "e.g. Q3 2025")) required
                    value=(form::typed(kept, "time_frame", ""))
                    aria-invalid=[form::invalid(kept, "time_frame")] aria-describedby=[form::described_by(kept, "time_frame")];
                (form::error(kept, "time_frame"))
                button type="submit" { (page.t("Thêm nhiệm vụ", "Add task")) }
            }
        }
    })
}

/// On a plan task's page, for whoever may edit the plan: hand the task to a unit.
pub async fn unit_tools(
    page: &Page,
    state: &AppState,
    directory: &Directory,
    (program_id, stamp): (i64, Stamp),
    task_code: &str,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let kept = Refusal::of_form(refusal, "assign-unit");
    let Some(caller) = &page.caller else {
        return Ok(html! {});
    };
    let Some(plan) = state.programs.plan(program_id, stamp).await? else {
        return Ok(html! {});
    };
    if !caller.can(Action::EditPlan, &plan.agency_code, directory) {
        return Ok(html! {});
    }
    let units: Vec<plans::Unit> = plans::units(&state.programs)
        .await?
        .into_iter()
        .filter(|u| u.agency_code == plan.agency_code)
        .collect();
    Ok(html! {
        section #unit-tools {
            h2 { (page.t("Giao cho đơn vị", "Hand to a unit")) }
            @if units.is_empty() {
                p.muted { (page.t("Cơ quan chưa có đơn vị: thêm đơn vị ở trang Công việc của tôi.", "The agency has no unit yet: add one on the My work page.")) }
            } @else {
                form.assign-unit #assign-unit method="post" action={ "/plans/" (program_id) "/tasks/" (task_code) "/units" } {
                    (page.csrf_field())
                    label for="unit_code" { (page.t("Đơn vị", "Unit")) }
                    @let unit_code = form::typed(kept, "unit_code", "");
                    select #unit_code name="unit_code" required {
                        @for u in &units { option value=(u.code) selected[u.code == unit_code] { (page.lang.pick(&u.name_vi, &u.name_en)) } }
                    }
                    (form::error(kept, "unit_code"))
                    label for="due_on" { (page.t("Hạn hoàn thành", "Due date")) }
                    input #due_on type="date" name="due_on" value=(form::typed(kept, "due_on", ""))
                        aria-invalid=[form::invalid(kept, "due_on")] aria-describedby=[form::described_by(kept, "due_on")];
                    (form::error(kept, "due_on"))
                    button type="submit" { (page.t("Giao", "Hand over")) }
                }
            }
        }
    })
}

/// The coordinator's choice of members for an open set ("các bộ, ngành liên quan") of a task:
/// each chosen agency is assigned the task through that set.
pub async fn choose_open_set(
    page: Page,
    State(state): State<AppState>,
    Path(pending_id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let pairs = crate::auth::form_pairs(&String::from_utf8_lossy(&body));
    let agencies: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "agency")
        .map(|(_, v)| v)
        .collect();
    let error = match plans::choose_open_set(&actor, pending_id, &agencies).await {
        Ok((program_id, task_code)) => {
            return Ok(
                Redirect::to(&format!("/programs/{program_id}/tasks/{task_code}")).into_response(),
            );
        }
        Err(error) => error,
    };
    let values = agencies
        .into_iter()
        .map(|code| ("agency".to_owned(), code))
        .collect();
    let refusal = Refusal::of(format!("open-set-{pending_id}"), values, error)?;
    let (program_id, task_code) = plans::open_set_task(&state.programs, pending_id)
        .await?
        .ok_or(crate::error::Error::NotFound)?;
    let page = page.showing(
        format!("/programs/{program_id}/tasks/{task_code}"),
        String::new(),
    );
    let markup =
        super::programs::show_task(&page, &state, program_id, &task_code, Some(&refusal)).await?;
    Ok(Refusal::answer(markup))
}
