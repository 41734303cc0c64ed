//! The work of a logged-in official: "Công việc của tôi" — the tasks each of their agencies
//! leads or coordinates, its plans (the cascade) and its units — and the forms that create a
//! plan, add the agency's own tasks to it, create units and hand tasks to them.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use dongbo_domain::Directory;
use dongbo_domain::access::{Action, ROOT_AGENCY};
use dongbo_store::{assignments, plans, programs};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use crate::error::Result;
use crate::model::agency_ref;
use crate::{AppState, actions, load};

pub async fn my_work(page: Page, State(state): State<AppState>) -> Result<Markup> {
    let caller = page.caller()?.clone();
    let directory = state.directory_with_units().await?;
    let mut sections = Vec::new();
    for code in caller.agencies() {
        if code == ROOT_AGENCY {
            continue;
        }
        sections.push(agency_section(&page, &state, &directory, &code).await?);
    }
    let title = page.t("Công việc của tôi", "My work");
    Ok(page.render(
        title,
        html! {
            h1 { (title) }
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

/// One agency's tasks by program, its plans and its units.
async fn agency_section(
    page: &Page,
    state: &AppState,
    directory: &Directory,
    code: &str,
) -> Result<Markup> {
    let caller = page.caller()?;
    let can_plan = caller.can(Action::EditPlan, code, directory);
    let assigned = assignments::for_agency(&state.db, code).await?;
    let mut by_program: BTreeMap<i64, Vec<&assignments::AgencyAssignment>> = BTreeMap::new();
    for a in &assigned {
        by_program
            .entry(a.assignment.program_id)
            .or_default()
            .push(a);
    }
    let mut programs_html = Vec::new();
    for (program_id, tasks) in &by_program {
        let plan = plans::get(&state.db, *program_id).await?;
        let own_plan = if plan.is_none() {
            plans::find(&state.db, *program_id, code).await?
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
                        @for a in tasks {
                            tr {
                                td.code { a href={ "/programs/" (program_id) "/tasks/" (a.assignment.task_code) } { (a.assignment.task_code) } }
                                td { (a.task.title) }
                                td { @if a.assignment.role == dongbo_domain::Role::Lead { (page.t("Chủ trì", "Lead")) } @else { (page.t("Phối hợp", "Coordinating")) } }
                                td {
                                    (a.task.time_frame.text)
                                    @if let Some(due) = a.assignment.due_on.or(a.task.time_frame.due) {
                                        br; small.muted { (page.t("hạn", "due")) " " (page.lang.short_date(due)) }
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
    let units: Vec<plans::Unit> = plans::units(&state.db)
        .await?
        .into_iter()
        .filter(|u| u.agency_code == code)
        .collect();
    let agency = agency_ref(directory, code);
    let notices = dongbo_store::notifications::for_agency(&state.db, code, false).await?;
    Ok(html! {
        section.agency-work id={ "work-" (code) } {
            h2 { (page.agency_name(&agency)) }
            @if !notices.is_empty() {
                section.notices {
                    h3 { (page.t("Thông báo", "Notices")) }
                    ul #notices {
                        @for n in notices.iter().take(20) {
                            li.notice data-kind=(n.kind) {
                                @match &n.link { Some(link) => a href=(link) { (n.title) }, None => (n.title) }
                                @if !n.body.is_empty() { br; small { (n.body) } }
                            }
                        }
                    }
                }
            }
            @if assigned.is_empty() { p.muted { (page.t("Chưa có nhiệm vụ được giao.", "No task assigned yet.")) } }
            @for p in programs_html { (p) }
            h3 { (page.t("Đơn vị", "Units")) }
            @if units.is_empty() { p.muted { (page.t("Chưa có đơn vị.", "No unit yet.")) } }
            ul.units { @for u in &units { li { (page.lang.pick(&u.name_vi, &u.name_en)) " " small.muted { (u.code) } } } }
            @if can_plan {
                form.create-unit method="post" action={ "/agencies/" (code) "/units" } {
                    (page.csrf_field())
                    label { (page.t("Mã đơn vị", "Unit code")) " " input type="text" name="code" required pattern="[A-Za-z0-9_-]+"; }
                    label { (page.t("Tên đơn vị", "Unit name")) " " input type="text" name="name_vi" required; }
                    label { (page.t("Tên tiếng Anh", "English name")) " " input type="text" name="name_en"; }
                    button type="submit" { (page.t("Thêm đơn vị", "Add unit")) }
                }
            }
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
    let created = actions::create_plan(&page.actor(&state)?, &code, form.program_id).await?;
    Ok(Redirect::to(&format!("/programs/{}", created.program_id())).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CreateUnit {
    code: String,
    name_vi: String,
    #[serde(default)]
    name_en: String,
}

pub async fn create_unit(
    page: Page,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Form(form): Form<CreateUnit>,
) -> Result<Response> {
    actions::create_unit(
        &page.actor(&state)?,
        &code,
        &form.code,
        &form.name_vi,
        &form.name_en,
    )
    .await?;
    Ok(Redirect::to(&format!("/my#work-{code}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct AddTask {
    parent_task_code: String,
    title: String,
    #[serde(default)]
    expected_output: String,
    time_frame: String,
}

pub async fn add_task(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(form): Form<AddTask>,
) -> Result<Response> {
    let code = actions::add_plan_task(
        &page.actor(&state)?,
        id,
        &plans::NewTask {
            parent_task_code: form.parent_task_code,
            title: form.title,
            expected_output: Some(form.expected_output),
            time_frame: form.time_frame,
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/programs/{id}/tasks/{code}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct AssignUnit {
    unit_code: String,
    #[serde(default)]
    due_on: String,
}

pub async fn assign_unit(
    page: Page,
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
    Form(form): Form<AssignUnit>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    actions::editable_plan(&actor, id).await?;
    let due_on = actions::parse_date("due_on", &form.due_on)?;
    actions::assign_unit(&actor, id, &code, &form.unit_code, due_on).await?;
    Ok(Redirect::to(&format!("/programs/{id}/tasks/{code}")).into_response())
}

/// On a plan's page, for whoever may edit it: the form to add the agency's own task.
pub async fn plan_tools(
    page: &Page,
    state: &AppState,
    directory: &Directory,
    program_id: i64,
) -> Result<Markup> {
    let Some(caller) = &page.caller else {
        return Ok(html! {});
    };
    let Some(plan) = plans::get(&state.db, program_id).await? else {
        return Ok(html! {});
    };
    if !caller.can(Action::EditPlan, &plan.agency_code, directory) {
        return Ok(html! {});
    }
    let parent = load::program_detail(&state.db, directory, plan.parent_program_id).await?;
    let own: Vec<String> = programs::get(&state.db, program_id)
        .await?
        .map(|p| p.program.tasks.into_iter().map(|t| t.code).collect())
        .unwrap_or_default();
    Ok(html! {
        section #plan-tools {
            h2 { (page.t("Thêm nhiệm vụ của cơ quan", "Add a task of the agency")) }
            form.add-task method="post" action={ "/plans/" (program_id) "/tasks" } {
                (page.csrf_field())
                label for="parent_task_code" { (page.t("Thực hiện nhiệm vụ", "Carries out task")) }
                select #parent_task_code name="parent_task_code" required {
                    @for group in &parent.groups {
                        @for task in &group.tasks {
                            @if own.contains(&task.code) {
                                option value=(task.code) { (task.code) ". " (task.title) }
                            }
                        }
                    }
                }
                label for="title" { (page.t("Tên nhiệm vụ", "Task")) }
                input #title type="text" name="title" required;
                label for="expected_output" { (page.t("Kết quả / Sản phẩm", "Expected output")) }
                input #expected_output type="text" name="expected_output";
                label for="time_frame" { (page.t("Thời gian thực hiện", "Time frame")) }
                input #time_frame type="text" name="time_frame" placeholder=(page.t("ví dụ: Quý III/2025", "e.g. Q3 2025")) required;
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
    program_id: i64,
    task_code: &str,
) -> Result<Markup> {
    let Some(caller) = &page.caller else {
        return Ok(html! {});
    };
    let Some(plan) = plans::get(&state.db, program_id).await? else {
        return Ok(html! {});
    };
    if !caller.can(Action::EditPlan, &plan.agency_code, directory) {
        return Ok(html! {});
    }
    let units: Vec<plans::Unit> = plans::units(&state.db)
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
                form.assign-unit method="post" action={ "/plans/" (program_id) "/tasks/" (task_code) "/units" } {
                    (page.csrf_field())
                    label for="unit_code" { (page.t("Đơn vị", "Unit")) }
                    select #unit_code name="unit_code" required {
                        @for u in &units { option value=(u.code) { (page.lang.pick(&u.name_vi, &u.name_en)) } }
                    }
                    label for="due_on" { (page.t("Hạn hoàn thành", "Due date")) }
                    input #due_on type="date" name="due_on";
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
    let (program_id, task_code) = actions::choose_open_set(&actor, pending_id, &agencies).await?;
    Ok(Redirect::to(&format!("/programs/{program_id}/tasks/{task_code}")).into_response())
}
