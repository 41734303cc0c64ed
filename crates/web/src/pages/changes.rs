//! Change requests (đề xuất điều chỉnh) in pages: the proposal form and change history on a
//! task's page, and a program's requests at `/programs/{id}/changes`, where an agency
//! proposes a new task and the coordinator approves or rejects each request with a note.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dongbo_domain::Directory;
use dongbo_domain::access::Action;
use dongbo_programs::changes::{self, ChangeKind, ChangeRequest, ChangeStatus, Field, TaskChanges};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use crate::AppState;
use crate::error::{Error, FieldError, Result};
use dongbo_programs::views::{agency_ref, time_frame_view};

/// What a proposal form was filled with, kept to show it again when it is refused.
#[derive(Debug, Default, Deserialize)]
pub struct ProposalForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    expected_output: String,
    #[serde(default)]
    time_frame: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    reason: String,
}

/// Validation messages by field.
type Errors = HashMap<Field, String>;

fn field_error(errors: &Errors, field: Field) -> Markup {
    html! { @if let Some(e) = errors.get(&field) { p.field-error role="alert" { (e) } } }
}

/// The agencies assigned to the task on whose behalf the caller may propose a change.
async fn proposing_agencies(
    page: &Page,
    state: &AppState,
    directory: &Directory,
    (program_id, stamp): (i64, dongbo_programs::reads::Stamp),
    code: &str,
) -> Result<Vec<String>> {
    let Some(caller) = &page.caller else {
        return Ok(Vec::new());
    };
    let by_task = state
        .programs
        .program_assignments(program_id, stamp)
        .await?;
    let assigned = by_task.get(code).map_or(&[][..], Vec::as_slice);
    Ok(changes::proposing_agencies(caller, directory, assigned))
}

fn kind_label(page: &Page, kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Add => page.t("Bổ sung nhiệm vụ", "Add a task"),
        ChangeKind::Amend => page.t("Sửa nội dung", "Amend"),
        ChangeKind::Drop => page.t("Bỏ nhiệm vụ", "Drop the task"),
        ChangeKind::Retime => page.t("Điều chỉnh thời gian", "Re-time"),
    }
}

fn status_label(page: &Page, status: ChangeStatus) -> &'static str {
    match status {
        ChangeStatus::Pending => page.t("Chờ quyết định", "Pending"),
        ChangeStatus::Approved => page.t("Đã chấp thuận", "Approved"),
        ChangeStatus::Rejected => page.t("Đã từ chối", "Rejected"),
        ChangeStatus::Withdrawn => page.t("Đã rút", "Withdrawn"),
    }
}

fn agency_select(page: &Page, directory: &Directory, agencies: &[String], chosen: &str) -> Markup {
    html! {
        @if let [only] = agencies {
            input type="hidden" name="agency" value=(only);
        } @else {
            label for="agency" { (page.t("Cơ quan đề xuất", "Proposing agency")) }
            select #agency name="agency" required {
                @for code in agencies {
                    option value=(code) selected[code == chosen] { (page.agency_name(&agency_ref(directory, code))) }
                }
            }
        }
    }
}

/// "Đề xuất điều chỉnh nhiệm vụ": amend, re-time or drop the task.
fn task_form(
    page: &Page,
    directory: &Directory,
    program_id: i64,
    code: &str,
    agencies: &[String],
    form: &ProposalForm,
    errors: &Errors,
) -> Markup {
    let kind = ChangeKind::parse(&form.kind).unwrap_or(ChangeKind::Retime);
    html! {
        form.change-request #propose-change method="post" action={ "/programs/" (program_id) "/tasks/" (code) "/changes" } {
            (page.csrf_field())
            (agency_select(page, directory, agencies, &form.agency))
            fieldset {
                legend { (page.t("Loại đề xuất", "Kind of change")) }
                @for k in [ChangeKind::Retime, ChangeKind::Amend, ChangeKind::Drop] {
                    label { input type="radio" name="kind" value=(k.as_str()) checked[k == kind]; " " (kind_label(page, k)) }
                }
            }
            label for="time_frame" { (page.t("Thời gian mới (điều chỉnh thời gian)", "New time frame (re-time)")) }
            input #time_frame type="text" name="time_frame" value=(form.time_frame) placeholder=(page.t("ví dụ: Quý II/2026", "e.g. Q2 2026"));
            (field_error(errors, Field::TimeFrame))
            label for="title" { (page.t("Tên mới (sửa nội dung)", "New title (amend)")) }
            input #title type="text" name="title" value=(form.title);
            (field_error(errors, Field::Title))
            label for="expected_output" { (page.t("Kết quả / Sản phẩm mới (sửa nội dung)", "New expected output (amend)")) }
            input #expected_output type="text" name="expected_output" value=(form.expected_output);
            (field_error(errors, Field::ExpectedOutput))
            (field_error(errors, Field::Task))
            label for="reason" { (page.t("Lý do", "Reason")) }
            textarea #reason name="reason" required { (form.reason) }
            (field_error(errors, Field::Reason))
            button type="submit" { (page.t("Gửi đề xuất", "Send the proposal")) }
        }
    }
}

/// On a task's page: its change history, its requests and, for an agency assigned to it, the
/// proposal form.
pub async fn task_section(
    page: &Page,
    state: &AppState,
    directory: &Directory,
    (program_id, stamp): (i64, dongbo_programs::reads::Stamp),
    code: &str,
) -> Result<Markup> {
    let agencies = proposing_agencies(page, state, directory, (program_id, stamp), code).await?;
    let changes = state
        .programs
        .task_changes(program_id, code, stamp.version)
        .await?;
    Ok(task_section_with(
        page,
        directory,
        program_id,
        code,
        &changes,
        &agencies,
        &ProposalForm::default(),
        &Errors::new(),
    ))
}

#[expect(
    clippy::too_many_arguments,
    reason = "a view of the task's changes with its form state"
)]
fn task_section_with(
    page: &Page,
    directory: &Directory,
    program_id: i64,
    code: &str,
    changes: &TaskChanges,
    agencies: &[String],
    form: &ProposalForm,
    errors: &Errors,
) -> Markup {
    html! {
        section #changes {
            h2 { (page.t("Đề xuất điều chỉnh", "Change requests")) }
            p { a href={ "/programs/" (program_id) "/changes" } { (page.t("Mọi đề xuất điều chỉnh của chương trình", "Every change request of the program")) } }
            @if !changes.history.is_empty() {
                h3 { (page.t("Lịch sử thay đổi", "History")) }
                ol #task-history {
                    @for entry in &changes.history {
                        li data-request=(entry.change_request_id) {
                            (timestamp(&entry.at)) " — "
                            @match (&entry.before, &entry.after) {
                                (None, Some(_)) => { (page.t("Bổ sung nhiệm vụ", "Task added")) }
                                (Some(_), None) => { (page.t("Bỏ nhiệm vụ", "Task dropped")) }
                                (Some(before), Some(after)) => {
                                    @if before.title != after.title {
                                        (page.t("Tên", "Title")) ": «" (before.title) "» → «" (after.title) "». "
                                    }
                                    @if before.expected_output != after.expected_output {
                                        (page.t("Kết quả", "Expected output")) ": «" (before.expected_output.as_deref().unwrap_or("")) "» → «" (after.expected_output.as_deref().unwrap_or("")) "». "
                                    }
                                    @if before.time_frame != after.time_frame {
                                        (page.t("Thời gian", "Time frame")) ": «" (before.time_frame.text) "» → «" (after.time_frame.text) "». "
                                    }
                                }
                                (None, None) => {}
                            }
                            " (" a href={ "/programs/" (program_id) "/changes#request-" (entry.change_request_id) } { (page.t("đề xuất", "request")) " #" (entry.change_request_id) } ")"
                        }
                    }
                }
            }
            @if !changes.requests.is_empty() {
                table.change-requests {
                    thead { tr {
                        th { "#" }
                        th { (page.t("Loại", "Kind")) }
                        th { (page.t("Cơ quan đề xuất", "Proposed by")) }
                        th { (page.t("Lý do", "Reason")) }
                        th { (page.t("Trạng thái", "Status")) }
                    } }
                    tbody {
                        @for r in &changes.requests {
                            tr data-status=(r.status.as_str()) {
                                td { a href={ "/programs/" (program_id) "/changes#request-" (r.id) } { (r.id) } }
                                td { (kind_label(page, r.kind)) }
                                td { (page.agency_name(&agency_ref(directory, &r.proposed_by_agency))) }
                                td { (r.reason) }
                                td { (status_label(page, r.status)) @if let Some(note) = &r.decision_note { br; small.muted { (note) } } }
                            }
                        }
                    }
                }
            }
            @if !agencies.is_empty() {
                h3 { (page.t("Đề xuất điều chỉnh nhiệm vụ", "Propose a change to the task")) }
                (task_form(page, directory, program_id, code, agencies, form, errors))
            }
        }
    }
}

fn timestamp(at: &str) -> String {
    // "2026-11-23T12:30:51Z" → "2026-11-23 12:30 UTC"; stored text that does not fit is shown
    // as it is.
    match (at.get(..10), at.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => at.to_owned(),
    }
}

/// The field errors of a refused proposal, by the form's fields.
fn errors_of(list: &[FieldError]) -> Errors {
    let mut errors = Errors::new();
    for e in list {
        let Some(field) = FIELDS
            .into_iter()
            .find(|f| changes::change_field_name(*f) == e.field)
        else {
            continue;
        };
        errors
            .entry(field)
            .and_modify(|m| {
                m.push_str("; ");
                m.push_str(&e.message);
            })
            .or_insert_with(|| e.message.clone());
    }
    errors
}

const FIELDS: [Field; 6] = [
    Field::Task,
    Field::Title,
    Field::ExpectedOutput,
    Field::TimeFrame,
    Field::Group,
    Field::Reason,
];

impl ProposalForm {
    fn input(&self) -> changes::ProposalInput {
        changes::ProposalInput {
            kind: self.kind.clone(),
            agency: self.agency.clone(),
            title: self.title.clone(),
            expected_output: self.expected_output.clone(),
            time_frame: self.time_frame.clone(),
            group: self.group.clone(),
            reason: self.reason.clone(),
        }
    }
}

/// `POST /programs/{id}/tasks/{code}/changes`: an agency assigned to the task proposes to
/// amend, re-time or drop it.
pub async fn propose_for_task(
    page: Page,
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
    Form(form): Form<ProposalForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let errors = match changes::propose_task_change(&actor, id, &code, &form.input())
        .await
        .map_err(Error::from)
    {
        Ok(_) => {
            return Ok(
                Redirect::to(&format!("/programs/{id}/tasks/{code}#changes")).into_response(),
            );
        }
        Err(Error::Invalid(errors)) => errors_of(&errors),
        Err(other) => return Err(other),
    };
    let directory = state.programs.directory_with_units().await?;
    let stamp = state.programs.dashboard_stamp(id).await?;
    let agencies = proposing_agencies(&page, &state, &directory, (id, stamp), &code).await?;
    let changes = state
        .programs
        .task_changes(id, &code, stamp.version)
        .await?;
    let title = format!(
        "{} {}",
        page.t("Đề xuất điều chỉnh nhiệm vụ", "Propose a change to task"),
        code
    );
    let body = html! {
        p.kicker { a href={ "/programs/" (id) "/tasks/" (code) } { (page.t("Nhiệm vụ", "Task")) " " (code) } }
        h1 { (title) }
        p.error role="alert" { (page.t("Đề xuất chưa gửi được: xem các ô được đánh dấu.", "The proposal was not sent: see the marked fields.")) }
        (task_section_with(&page, &directory, id, &code, &changes, &agencies, &form, &errors))
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page.render(&title, body)).into_response())
}

/// The agencies on whose behalf the caller may propose a new task in any program.
fn adding_agencies(page: &Page, directory: &Directory) -> Vec<String> {
    let Some(caller) = &page.caller else {
        return Vec::new();
    };
    changes::adding_agencies(caller, directory)
}

/// `GET /programs/{id}/changes`: the program's requests, pending first.
pub async fn list(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Markup> {
    program_page(
        &page,
        &state,
        id,
        &ProposalForm::default(),
        &Errors::new(),
        None,
    )
    .await
}

/// A refused decision: which request, and why.
struct DecisionError {
    request_id: i64,
    note: String,
    message: String,
}

async fn program_page(
    page: &Page,
    state: &AppState,
    id: i64,
    form: &ProposalForm,
    errors: &Errors,
    decision_error: Option<&DecisionError>,
) -> Result<Markup> {
    let directory = state.programs.directory_with_units().await?;
    let program = state.programs.program_now(id).await?;
    let requests = changes::for_program(&state.programs, id).await?;
    let decider = dongbo_programs::views::coordinating_agency_of(&state.programs, id).await?;
    let can_decide = page
        .caller
        .as_ref()
        .is_some_and(|c| c.can(Action::DecideChangeRequest, &decider, &directory));
    let adders = adding_agencies(page, &directory);
    let heading = program
        .number
        .clone()
        .unwrap_or_else(|| program.title.clone());
    let title = format!(
        "{} — {}",
        page.t("Đề xuất điều chỉnh", "Change requests"),
        heading
    );
    Ok(page.render(
        &title,
        html! {
            p.kicker { a href={ "/programs/" (id) } { (heading) } }
            h1 { (page.t("Đề xuất điều chỉnh", "Change requests")) }
            p.muted {
                (page.t("Cơ quan quyết định", "Decided by")) ": "
                (page.agency_name(&agency_ref(&directory, &decider)))
            }
            @if can_decide {
                p { a #reimport-link href={ "/programs/" (id) "/import" } { (page.t("Nhập lại văn bản (tệp đã sửa)", "Re-import the document (a corrected file)")) } }
            }
            @if requests.is_empty() { p.muted { (page.t("Chưa có đề xuất nào.", "No change request yet.")) } }
            @for r in &requests {
                (request_card(page, &directory, id, r, can_decide, decision_error.filter(|e| e.request_id == r.id)))
            }
            @if !adders.is_empty() {
                section #add-task {
                    h2 { (page.t("Đề xuất bổ sung nhiệm vụ", "Propose a new task")) }
                    form.change-request #propose-add method="post" action={ "/programs/" (id) "/changes" } {
                        (page.csrf_field())
                        input type="hidden" name="kind" value="add";
                        (agency_select(page, &directory, &adders, &form.agency))
                        label for="group" { (page.t("Nhóm nhiệm vụ", "Task group")) }
                        select #group name="group" required {
                            @for g in &program.groups {
                                option value=(g.code) selected[g.code == form.group] { (super::programs::group_heading(&g.code, &g.title)) }
                            }
                        }
                        (field_error(errors, Field::Group))
                        label for="add-title" { (page.t("Tên nhiệm vụ", "Task")) }
                        input #add-title type="text" name="title" value=(form.title) required;
                        (field_error(errors, Field::Title))
                        label for="add-output" { (page.t("Kết quả / Sản phẩm", "Expected output")) }
                        input #add-output type="text" name="expected_output" value=(form.expected_output);
                        label for="add-time-frame" { (page.t("Thời gian thực hiện", "Time frame")) }
                        input #add-time-frame type="text" name="time_frame" value=(form.time_frame) placeholder=(page.t("ví dụ: 2026", "e.g. 2026")) required;
                        (field_error(errors, Field::TimeFrame))
                        label for="add-reason" { (page.t("Lý do", "Reason")) }
                        textarea #add-reason name="reason" required { (form.reason) }
                        (field_error(errors, Field::Reason))
                        button type="submit" { (page.t("Gửi đề xuất", "Send the proposal")) }
                    }
                }
            }
        },
    ))
}

fn request_card(
    page: &Page,
    directory: &Directory,
    program_id: i64,
    r: &ChangeRequest,
    can_decide: bool,
    error: Option<&DecisionError>,
) -> Markup {
    let may_withdraw = page
        .caller
        .as_ref()
        .is_some_and(|c| changes::may_withdraw(c, r, directory));
    let p = &r.proposal;
    html! {
        article.change-request id={ "request-" (r.id) } data-status=(r.status.as_str()) {
            h2 {
                "#" (r.id) " " (kind_label(page, r.kind))
                @if let Some(code) = &r.task_code {
                    " — " a href={ "/programs/" (program_id) "/tasks/" (code) } { (page.t("nhiệm vụ", "task")) " " (code) }
                }
                " " span.badge { (status_label(page, r.status)) }
            }
            dl.meta {
                dt { (page.t("Cơ quan đề xuất", "Proposed by")) }
                dd { (page.agency_name(&agency_ref(directory, &r.proposed_by_agency))) " (" (r.proposed_by) ", " (timestamp(&r.created_at)) ")" }
                @if let Some(group) = &p.group { dt { (page.t("Nhóm", "Group")) } dd { (group) } }
                @if let Some(title) = &p.title { dt { (page.t("Tên mới", "New title")) } dd { (title) } }
                @if let Some(output) = &p.expected_output { dt { (page.t("Kết quả mới", "New expected output")) } dd { (output) } }
                @if let Some(tf) = &p.time_frame {
                    dt { (page.t("Thời gian mới", "New time frame")) }
                    dd { (page.time_frame(&time_frame_view(&dongbo_domain::TimeFrame::parse(tf)))) }
                }
                dt { (page.t("Lý do", "Reason")) } dd { (r.reason) }
                @if let Some(by) = &r.decided_by {
                    dt { (page.t("Người quyết định", "Decided by")) }
                    dd { (by) @if let Some(at) = &r.decided_at { ", " (timestamp(at)) } }
                }
                @if let Some(note) = &r.decision_note { dt { (page.t("Ghi chú", "Note")) } dd { (note) } }
            }
            @if r.status == ChangeStatus::Pending {
                @if can_decide {
                    form.decide id={ "decide-" (r.id) } method="post" action={ "/programs/" (program_id) "/changes/" (r.id) "/decision" } {
                        (page.csrf_field())
                        label for={ "note-" (r.id) } { (page.t("Ghi chú quyết định", "Decision note")) }
                        textarea id={ "note-" (r.id) } name="note" { @if let Some(e) = error { (e.note) } }
                        @if let Some(e) = error { p.field-error role="alert" { (e.message) } }
                        button type="submit" name="decision" value="approve" { (page.t("Chấp thuận", "Approve")) }
                        " "
                        button type="submit" name="decision" value="reject" { (page.t("Từ chối", "Reject")) }
                    }
                }
                @if may_withdraw {
                    form.withdraw method="post" action={ "/programs/" (program_id) "/changes/" (r.id) "/withdraw" } {
                        (page.csrf_field())
                        button type="submit" { (page.t("Rút đề xuất", "Withdraw")) }
                    }
                }
            }
        }
    }
}

/// `POST /programs/{id}/changes`: an agency proposes a new task.
pub async fn propose_add(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(form): Form<ProposalForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    match changes::propose_new_task(&actor, id, &form.input())
        .await
        .map_err(Error::from)
    {
        Ok(request) => {
            Ok(Redirect::to(&format!("/programs/{id}/changes#request-{request}")).into_response())
        }
        Err(Error::Invalid(errors)) => {
            let markup = program_page(&page, &state, id, &form, &errors_of(&errors), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    note: String,
}

/// `POST /programs/{id}/changes/{request}/decision`: the coordinator approves or rejects.
pub async fn decide(
    page: Page,
    State(state): State<AppState>,
    Path((id, request_id)): Path<(i64, i64)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    match changes::decide_change(&actor, id, request_id, &form.decision, &form.note)
        .await
        .map_err(Error::from)
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/programs/{id}/changes#request-{request_id}")).into_response(),
        ),
        Err(Error::Invalid(errors)) => {
            let error = DecisionError {
                request_id,
                note: form.note.clone(),
                message: errors
                    .into_iter()
                    .map(|e| e.message)
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            let markup = program_page(
                &page,
                &state,
                id,
                &ProposalForm::default(),
                &Errors::new(),
                Some(&error),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response())
        }
        Err(other) => Err(other),
    }
}

/// `POST /programs/{id}/changes/{request}/withdraw`: the proposer takes the request back.
pub async fn withdraw(
    page: Page,
    State(state): State<AppState>,
    Path((id, request_id)): Path<(i64, i64)>,
) -> Result<Response> {
    changes::withdraw_change(&page.actor(&state)?, id, request_id).await?;
    Ok(Redirect::to(&format!("/programs/{id}/changes#request-{request_id}")).into_response())
}
