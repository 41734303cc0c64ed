//! Báo cáo của cơ quan — an agency's one report for a program and a period: every task it
//! answers for in the period on one page (lead tasks first with every field, coordinating
//! tasks with a short contribution, and under each lead task what its coordinating agencies
//! sent), saved as a draft as the official goes, sent as one, reviewed as one (accept with a
//! comment, or return with a comment per task and one overall). Operations and rules are
//! `dongbo_programs::agency_reports`'.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use dongbo_programs::agency_reports::{
    self, AgencyDecision, AgencyReportView, PartDraft, TaskPart,
};
use dongbo_programs::reports::{EvidenceLink, IssuedDocument, ReportStatus};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{self, Refusal};
use crate::AppState;
use crate::error::{Error, Result};
use dongbo_programs::views::agency_ref;

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

fn status_label(page: &Page, status: Option<ReportStatus>) -> &'static str {
    match status {
        None => page.t("Chưa lập", "Not started"),
        Some(ReportStatus::Draft) => page.t("Bản nháp", "Draft"),
        Some(ReportStatus::Submitted) => page.t("Đã gửi, chờ duyệt", "Sent, awaiting review"),
        Some(ReportStatus::Returned) => page.t("Bị trả lại", "Returned"),
        Some(ReportStatus::Accepted) => page.t("Đã duyệt", "Accepted"),
    }
}

/// The page's address for a report.
fn address(program_id: i64, agency_code: &str, period: &str) -> String {
    format!("/programs/{program_id}/agencies/{agency_code}/report?period={period}")
}

pub async fn page(
    page: Page,
    State(state): State<AppState>,
    Path((program_id, agency_code)): Path<(i64, String)>,
    Query(q): Query<PeriodQuery>,
) -> Result<Markup> {
    show(
        &page,
        &state,
        program_id,
        &agency_code,
        q.period.as_deref(),
        None,
    )
    .await
}

async fn show(
    page: &Page,
    state: &AppState,
    program_id: i64,
    agency_code: &str,
    period: Option<&str>,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let actor = page.actor(state)?;
    let view = agency_reports::view(&actor, program_id, agency_code, period).await?;
    let caller = page.caller()?;
    let directory = state.programs.directory_with_units().await?;
    let names = dongbo_programs::accounts::display_names(&state.programs).await?;
    let csrf = caller.csrf.clone().unwrap_or_default();
    let period_code = view.period_code();
    let period_label = match page.lang {
        crate::i18n::Lang::Vi => view.period.label_vi(),
        crate::i18n::Lang::En => view.period.label_en(),
    };
    let title = format!(
        "{} — {}",
        page.t("Báo cáo của cơ quan", "Agency report"),
        view.agency_name
    );
    let status = view.status();
    let leads = view.parts.iter().filter(|p| p.is_lead()).count();
    Ok(page.render(
        &title,
        html! {
            p.kicker {
                a href={ "/programs/" (view.program_id) } { (page.doc_number(view.program_number.as_deref().unwrap_or(""))) }
                " › " (page.t("Báo cáo của cơ quan", "Agency report"))
            }
            h1 { (view.agency_name) " — " (period_label) }
            dl.meta {
                dt { (page.t("Chế độ báo cáo", "Reporting regime")) }
                dd { (match page.lang { crate::i18n::Lang::Vi => view.regime.reporters.label_vi(), crate::i18n::Lang::En => view.regime.reporters.label_en() }) }
                dt { (page.t("Hạn gửi báo cáo", "Deadline")) }
                dd #agency-report-deadline { (page.date(view.deadline)) }
                dt { (page.t("Nhiệm vụ trong báo cáo", "Tasks on the report")) }
                dd #agency-report-tasks { (leads) " " (page.t("chủ trì", "lead")) ", " (view.parts.len() - leads) " " (page.t("phối hợp", "coordinating")) }
                dt { (page.t("Tình trạng", "Status")) }
                dd #agency-report-status data-status=(status.map_or("none", |s| s.as_str())) { (status_label(page, status)) }
            }
            p {
                a #agency-report-xlsx href={ "/programs/" (view.program_id) "/agencies/" (view.agency_code) "/report.xlsx?period=" (period_code) } {
                    (page.t("Tải mẫu Excel của kỳ này", "Download this period's Excel template"))
                }
            }
            @if let Some(comment) = view.report.as_ref().and_then(|r| r.open_comment()) {
                div.returned role="alert" {
                    strong { (page.t("Ý kiến chung của người duyệt: ", "Reviewer's overall comment: ")) }
                    span #agency-review-comment { (comment) }
                }
            }
            @if let Some(comment) = view.report.as_ref().filter(|r| r.status == ReportStatus::Accepted).and_then(|r| r.current().comment.as_deref()) {
                div.accepted {
                    strong { (page.t("Ý kiến khi duyệt: ", "Comment on acceptance: ")) }
                    span #agency-accept-comment { (comment) }
                }
            }
            (form::summary(page, refusal))
            @if view.may_write {
                form #agency-upload-form method="post" enctype="multipart/form-data"
                    action={ "/programs/" (view.program_id) "/agencies/" (view.agency_code) "/report.xlsx?period=" (period_code) "&csrf=" (csrf) } {
                    label for="agency-file" { (page.t("Tải lên tệp Excel đã điền (thành bản nháp)", "Upload the filled Excel file (as the draft)")) }
                    input #agency-file type="file" name="file" accept=".xlsx" aria-invalid=[form::invalid(Refusal::of_form(refusal, "agency-upload-form"), "file")];
                    (form::error(Refusal::of_form(refusal, "agency-upload-form"), "file"))
                    button #agency-upload type="submit" { (page.t("Tải lên", "Upload")) }
                }
                (write_form(page, &view, &directory, &csrf, Refusal::of_form(refusal, "agency-report-form")))
            } @else {
                (read_only(page, &view, &directory))
            }
            @if view.may_review {
                (review_form(page, &view, &csrf, Refusal::of_form(refusal, "agency-review-form")))
            }
            @if view.may_reopen {
                @let report = view.report.as_ref().expect("may reopen an existing report");
                form #agency-reopen-form method="post" action={ "/agency-reports/" (report.id) "/review" } {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="seen_version" value=(report.current_version);
                    input type="hidden" name="action" value="reopen";
                    label for="reason" { (page.t("Lý do mở lại", "Reason for reopening")) }
                    textarea #reason name="comment" rows="2" required {}
                    button type="submit" { (page.t("Mở lại báo cáo đã duyệt", "Reopen the accepted report")) }
                }
            }
            @if let Some(report) = &view.report {
                section #agency-report-history {
                    h2 { (page.t("Các phiên bản", "Versions")) }
                    ol {
                        @for v in &report.versions {
                            li {
                                (v.version) ". " span.step { (page.t(v.action.label_vi(), v.action.label_en())) } " — " (super::person(&names, &v.author)) " — " span.when { (super::moment(page, &v.saved_at)) }
                                @if let Some(c) = &v.comment { " — «" (c) "»" }
                            }
                        }
                    }
                }
            }
        },
    ))
}

fn task_heading(page: &Page, part: &TaskPart) -> Markup {
    let a = &part.assignment;
    html! {
        h3 {
            a href={ "/assignments/" (a.assignment.id) "/report" } { (page.t("Nhiệm vụ", "Task")) " " (a.assignment.task_code) }
            " — "
            @if part.is_lead() { (page.t("chủ trì", "lead")) }
            @else if part.to_lead { (page.t("phối hợp, gửi cơ quan chủ trì", "coordinating, sent to the lead")) }
            @else { (page.t("phối hợp", "coordinating")) }
        }
        p.title { (a.task.title) }
        @if let Some(comment) = &part.comment {
            p.returned.task-comment { strong { (page.t("Ý kiến: ", "Comment: ")) } (comment) }
        }
    }
}

fn contributions(page: &Page, part: &TaskPart, directory: &dongbo_domain::Directory) -> Markup {
    html! {
        @if !part.contributions.is_empty() {
            details.contributions open {
                summary { (page.t("Phần phối hợp đã gửi", "Contributions sent")) " (" (part.contributions.len()) ")" }
                ul {
                    @for c in &part.contributions {
                        li data-agency=(c.agency_code) {
                            strong {
                                (page.agency_name(&agency_ref(directory, &c.agency_code)))
                            }
                            ": " (c.results)
                        }
                    }
                }
            }
        }
    }
}

fn write_form(
    page: &Page,
    view: &AgencyReportView,
    directory: &dongbo_domain::Directory,
    csrf: &str,
    refusal: Option<&Refusal>,
) -> Markup {
    let typed = |field: String, stored: String| -> String {
        refusal
            .and_then(|r| r.value(&field))
            .map_or(stored, str::to_owned)
    };
    html! {
        form #agency-report-form method="post"
            action=(address(view.program_id, &view.agency_code, &view.period_code())) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="based_on" value=(view.report.as_ref().map(|r| r.current_version.to_string()).unwrap_or_default());
            @for part in &view.parts {
                @let id = part.assignment.assignment.id;
                section.task-part id={ "task-" (id) } data-task=(part.assignment.assignment.task_code) {
                    (task_heading(page, part))
                    @if !part.in_report {
                        p.muted { (page.t("Đã gửi riêng theo nhiệm vụ: ", "Sent on its own: ")) (status_label(page, part.report.as_ref().map(|r| r.summary.status))) }
                    } @else {
                        @let content = part.content();
                        input type="hidden" name={ "t" (id) "_based_on" } value=(part.report.as_ref().map(|r| r.summary.current_version.to_string()).unwrap_or_default());
                        @let results_field = format!("tasks[{id}].results");
                        @if part.is_lead() {
                            label for={ "t" (id) "_results" } { (page.t("Kết quả thực hiện", "Results achieved")) }
                            textarea id={ "t" (id) "_results" } name={ "t" (id) "_results" } rows="4"
                                aria-invalid=[form::invalid(refusal, &results_field)] { (typed(format!("t{id}_results"), content.results.clone())) }
                            (form::error(refusal, &results_field))
                            label for={ "t" (id) "_progress" } { (page.t("Tiến độ (%)", "Progress (%)")) }
                            input id={ "t" (id) "_progress" } type="number" min="0" max="100" name={ "t" (id) "_progress" }
                                value=(typed(format!("t{id}_progress"), content.progress.to_string()));
                            (form::error(refusal, &format!("tasks[{id}].progress")))
                            label for={ "t" (id) "_difficulties" } { (page.t("Khó khăn, vướng mắc", "Difficulties")) }
                            textarea id={ "t" (id) "_difficulties" } name={ "t" (id) "_difficulties" } rows="2" { (typed(format!("t{id}_difficulties"), content.difficulties.clone())) }
                            label for={ "t" (id) "_recommendations" } { (page.t("Kiến nghị, đề xuất", "Recommendations")) }
                            textarea id={ "t" (id) "_recommendations" } name={ "t" (id) "_recommendations" } rows="2" { (typed(format!("t{id}_recommendations"), content.recommendations.clone())) }
                            details.evidence open[!content.documents.is_empty() || !content.links.is_empty() || !content.files.is_empty()] {
                                summary {
                                    (page.t("Minh chứng", "Evidence")) " ("
                                    (content.documents.len() + content.links.len() + content.files.len()) ")"
                                }
                                (evidence_list(page, &content))
                                div.row {
                                    input type="text" name={ "t" (id) "_doc_number" } value=(typed(format!("t{id}_doc_number"), String::new()))
                                        placeholder=(page.t("Số, ký hiệu văn bản", "Document number")) aria-label=(page.t("Số, ký hiệu văn bản", "Document number"));
                                    input type="date" name={ "t" (id) "_doc_date" } value=(typed(format!("t{id}_doc_date"), String::new()))
                                        aria-label=(page.t("Ngày ban hành", "Issued on"));
                                    input type="text" name={ "t" (id) "_doc_title" } value=(typed(format!("t{id}_doc_title"), String::new()))
                                        placeholder=(page.t("Trích yếu", "Title")) aria-label=(page.t("Trích yếu", "Title"));
                                }
                                (form::error(refusal, &format!("tasks[{id}].documents[{}].number", content.documents.len())))
                                (form::error(refusal, &format!("tasks[{id}].documents[{}].issued_on", content.documents.len())))
                                div.row {
                                    input type="url" name={ "t" (id) "_link_url" } value=(typed(format!("t{id}_link_url"), String::new()))
                                        placeholder="https://…" aria-label=(page.t("Đường dẫn", "Link"));
                                    input type="text" name={ "t" (id) "_link_title" } value=(typed(format!("t{id}_link_title"), String::new()))
                                        placeholder=(page.t("Tiêu đề", "Title")) aria-label=(page.t("Tiêu đề", "Title"));
                                }
                                (form::error(refusal, &format!("tasks[{id}].links[{}].url", content.links.len())))
                                p.hint {
                                    a href={ "/assignments/" (id) "/report?period=" (view.period_code()) } { (page.t("Tệp minh chứng: tải lên ở trang nhiệm vụ", "Evidence files: upload them on the task's page")) }
                                }
                            }
                            (contributions(page, part, directory))
                        } @else {
                            label for={ "t" (id) "_results" } { (page.t("Phần phối hợp", "Contribution")) }
                            textarea id={ "t" (id) "_results" } name={ "t" (id) "_results" } rows="2"
                                aria-invalid=[form::invalid(refusal, &results_field)] { (typed(format!("t{id}_results"), content.results.clone())) }
                            (form::error(refusal, &results_field))
                        }
                    }
                }
            }
            div.actions {
                button #agency-save type="submit" name="action" value="save" { (page.t("Lưu nháp", "Save draft")) }
                button #agency-submit type="submit" name="action" value="submit" { (page.t("Gửi báo cáo của cơ quan", "Send the agency's report")) }
            }
        }
    }
}

/// The documents, links and files a task's report cites.
fn evidence_list(page: &Page, content: &dongbo_programs::reports::ReportContent) -> Markup {
    html! {
        ul.evidence-list {
            @for d in &content.documents {
                li.document { (page.doc_number(&d.number)) @if let Some(day) = d.issued_on { " (" (page.date(day)) ")" } @if !d.title.is_empty() { " — " (d.title) } }
            }
            @for l in &content.links {
                li.link { a href=(l.url) rel="noopener noreferrer" { @if l.title.is_empty() { (l.url) } @else { (l.title) } } }
            }
            @for f in &content.files {
                li.file { a href={ "/files/" (f.sha256) } { (f.name) } }
            }
        }
    }
}

fn read_only(page: &Page, view: &AgencyReportView, directory: &dongbo_domain::Directory) -> Markup {
    let changed = view
        .parts
        .iter()
        .filter(|p| !p.changes().is_empty())
        .count();
    html! {
        @if view.parts.iter().any(|p| p.as_returned.is_some()) {
            p #changes-since-return {
                (page.t("Sau lần trả lại, đã sửa ", "Since the return, changed in ")) strong { (changed) } " / " (view.parts.len()) " " (page.t("nhiệm vụ", "tasks"))
            }
        }
        @for part in &view.parts {
            @let content = part.content();
            section.task-part id={ "task-" (part.assignment.assignment.id) } data-task=(part.assignment.assignment.task_code) {
                (task_heading(page, part))
                @let changes = part.changes();
                @if !changes.is_empty() {
                    table.changes {
                        thead { tr { th { (page.t("Mục", "Field")) } th { (page.t("Khi trả lại", "As returned")) } th { (page.t("Nay", "Now")) } } }
                        tbody {
                            @for (vi, en, old, new) in &changes {
                                tr { th scope="row" { (page.t(vi, en)) } td.before { del { (old) } } td.after { ins { (new) } } }
                            }
                        }
                    }
                }
                @if content.results.is_empty() {
                    p.muted { (page.t("Chưa có nội dung.", "Nothing written yet.")) }
                } @else {
                    p.results { (content.results) }
                    @if part.is_lead() {
                        p { (page.t("Tiến độ: ", "Progress: ")) (content.progress) "%" }
                        @if !content.difficulties.is_empty() { p { strong { (page.t("Khó khăn: ", "Difficulties: ")) } (content.difficulties) } }
                        @if !content.recommendations.is_empty() { p { strong { (page.t("Kiến nghị: ", "Recommendations: ")) } (content.recommendations) } }
                        (evidence_list(page, &content))
                    }
                }
                (contributions(page, part, directory))
            }
        }
    }
}

fn review_form(
    page: &Page,
    view: &AgencyReportView,
    csrf: &str,
    refusal: Option<&Refusal>,
) -> Markup {
    let report = view.report.as_ref().expect("a report under review exists");
    html! {
        form #agency-review-form method="post" action={ "/agency-reports/" (report.id) "/review" } {
            h2 { (page.t("Duyệt báo cáo của cơ quan", "Review the agency's report")) }
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="seen_version" value=(report.current_version);
            @for part in view.written_parts() {
                @let id = part.assignment.assignment.id;
                label for={ "c" (id) } { (page.t("Ý kiến về nhiệm vụ", "Comment on task")) " " (part.assignment.assignment.task_code) }
                input type="text" id={ "c" (id) } name={ "c" (id) } value=(form::typed(refusal, &format!("c{id}"), ""));
            }
            label for="agency-comment" { (page.t("Ý kiến chung (bắt buộc khi trả lại)", "Overall comment (required to return)")) }
            textarea #agency-comment name="comment" rows="3" aria-invalid=[form::invalid(refusal, "comment")] { (form::typed(refusal, "comment", "")) }
            (form::error(refusal, "comment"))
            div.actions {
                button.return #agency-return type="submit" name="action" value="return" { (page.t("Trả lại để sửa", "Return for changes")) }
                button.accept #agency-accept type="submit" name="action" value="accept" { (page.t("Duyệt báo cáo", "Accept the report")) }
            }
        }
    }
}

/// Saves or sends the agency's report. A refused form is shown again as it was sent (422).
pub async fn write(
    page: Page,
    State(state): State<AppState>,
    Path((program_id, agency_code)): Path<(i64, String)>,
    Query(q): Query<PeriodQuery>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
    };
    let view = agency_reports::view(&actor, program_id, &agency_code, q.period.as_deref()).await?;
    let period = view.period_code();
    let mut drafts = Vec::new();
    let mut errors = Vec::new();
    for part in view.written_parts() {
        let id = part.assignment.assignment.id;
        let Some(results) = get(&format!("t{id}_results")) else {
            continue;
        };
        let mut content = part.content();
        content.results = results;
        if part.is_lead() {
            let progress = get(&format!("t{id}_progress")).unwrap_or_default();
            match progress.parse::<u8>() {
                Ok(p) => content.progress = p,
                Err(_) => errors.push(crate::error::FieldError {
                    field: format!("tasks[{id}].progress"),
                    message: format!(
                        "{} {}: {}",
                        page.t("Nhiệm vụ", "Task"),
                        part.assignment.assignment.task_code,
                        page.t(
                            "tiến độ là một số từ 0 đến 100.",
                            "progress is a number from 0 to 100."
                        )
                    ),
                }),
            }
            content.difficulties = get(&format!("t{id}_difficulties")).unwrap_or_default();
            content.recommendations = get(&format!("t{id}_recommendations")).unwrap_or_default();
            // One more document and one more link per save, kept with those already cited;
            // empty rows are a form's blank and are dropped by the content's rules.
            let number = get(&format!("t{id}_doc_number")).unwrap_or_default();
            let date = get(&format!("t{id}_doc_date")).unwrap_or_default();
            let title = get(&format!("t{id}_doc_title")).unwrap_or_default();
            if !(number.is_empty() && date.is_empty() && title.is_empty()) {
                let field = format!(
                    "tasks[{id}].documents[{}].issued_on",
                    content.documents.len()
                );
                match dongbo_programs::input::parse_date(&field, &date) {
                    Ok(issued_on) => content.documents.push(IssuedDocument {
                        number,
                        issued_on,
                        title,
                    }),
                    Err(dongbo_programs::Error::Invalid(faults)) => {
                        errors.extend(faults.into_iter().map(|f| crate::error::FieldError {
                            field: f.field,
                            message: format!(
                                "{} {}: {}",
                                page.t("Nhiệm vụ", "Task"),
                                part.assignment.assignment.task_code,
                                f.message
                            ),
                        }));
                    }
                    Err(other) => return Err(other.into()),
                }
            }
            let url = get(&format!("t{id}_link_url")).unwrap_or_default();
            let link_title = get(&format!("t{id}_link_title")).unwrap_or_default();
            if !(url.is_empty() && link_title.is_empty()) {
                content.links.push(EvidenceLink {
                    url,
                    title: link_title,
                });
            }
        }
        let based_on = get(&format!("t{id}_based_on")).and_then(|v| v.parse().ok());
        drafts.push(PartDraft {
            assignment_id: id,
            content,
            based_on,
        });
    }
    let page = page.showing(
        format!("/programs/{program_id}/agencies/{agency_code}/report"),
        format!("period={period}"),
    );
    let refuse = |error: Error| async {
        let refusal = Refusal::of("agency-report-form", pairs.clone(), error)?;
        let markup = show(
            &page,
            &state,
            program_id,
            &agency_code,
            Some(&period),
            Some(&refusal),
        )
        .await?;
        Ok::<_, Error>(Refusal::answer(markup))
    };
    if !errors.is_empty() {
        return refuse(Error::Invalid(errors)).await;
    }
    let based_on = get("based_on").and_then(|v| v.parse().ok());
    let submit = get("action").as_deref() == Some("submit");
    match agency_reports::write(
        &actor,
        program_id,
        &agency_code,
        Some(&period),
        &drafts,
        based_on,
        submit,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&address(program_id, &agency_code, &period)).into_response()),
        Err(error) => refuse(error.into()).await,
    }
}

/// The period's Excel form, filled with what is stored so far.
pub async fn template(
    page: Page,
    State(state): State<AppState>,
    Path((program_id, agency_code)): Path<(i64, String)>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let (name, bytes) =
        agency_reports::template(&actor, program_id, &agency_code, q.period.as_deref()).await?;
    Ok(super::attachment(
        dongbo_programs::reports::MediaType::Xlsx,
        &name,
        bytes,
    ))
}

/// An uploaded Excel form becomes the report's draft; a refused file is shown on the page with
/// its row and cell (422), and nothing is written.
pub async fn upload(
    page: Page,
    State(state): State<AppState>,
    Path((program_id, agency_code)): Path<(i64, String)>,
    Query(q): Query<PeriodQuery>,
    mut form: axum::extract::Multipart,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let view = agency_reports::view(&actor, program_id, &agency_code, q.period.as_deref()).await?;
    let period = view.period_code();
    let page = page.showing(
        format!("/programs/{program_id}/agencies/{agency_code}/report"),
        format!("period={period}"),
    );
    let mut file: Option<(String, axum::body::Bytes)> = None;
    let mut problem: Option<Error> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("bao-cao.xlsx").to_owned();
                match field.bytes().await {
                    Ok(bytes) if !bytes.is_empty() => file = Some((name, bytes)),
                    Ok(_) => {}
                    Err(_) => {
                        problem = Some(Error::field(
                            "file",
                            "Tệp quá lớn hoặc bị gián đoạn (the file is too large or was cut off)",
                        ));
                        break;
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                problem = Some(Error::Refused(format!("the form could not be read: {e}")));
                break;
            }
        }
    }
    let result = match (problem, file) {
        (Some(problem), _) => Err(problem),
        (None, None) => Err(Error::field(
            "file",
            page.t(
                "Hãy chọn tệp Excel đã điền.",
                "Choose the filled Excel file.",
            ),
        )),
        (None, Some((name, bytes))) => agency_reports::upload(
            &actor,
            program_id,
            &agency_code,
            Some(&period),
            &bytes,
            &name,
        )
        .await
        .map_err(Error::from),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&address(program_id, &agency_code, &period)).into_response()),
        Err(error) => {
            let refusal = Refusal::of("agency-upload-form", Vec::new(), error)?;
            let markup = show(
                &page,
                &state,
                program_id,
                &agency_code,
                Some(&period),
                Some(&refusal),
            )
            .await?;
            Ok(Refusal::answer(markup))
        }
    }
}

/// Returns, accepts or reopens an agency report.
pub async fn review(
    page: Page,
    State(state): State<AppState>,
    Path(report_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let seen_version: i64 = get("seen_version")
        .parse()
        .map_err(|_| Error::BadRequest("seen_version".into()))?;
    let comment = get("comment");
    let decision = match get("action").as_str() {
        "return" => AgencyDecision::Return {
            comment: comment.clone(),
            tasks: pairs
                .iter()
                .filter_map(|(k, v)| {
                    let id = k.strip_prefix('c')?.parse::<i64>().ok()?;
                    (!v.trim().is_empty()).then(|| (id, v.trim().to_owned()))
                })
                .collect(),
        },
        "accept" => AgencyDecision::Accept {
            comment: (!comment.is_empty()).then_some(comment.clone()),
        },
        "reopen" => AgencyDecision::Reopen {
            reason: comment.clone(),
        },
        other => return Err(Error::BadRequest(format!("unknown action «{other}»"))),
    };
    let stored = agency_reports::report(&actor, report_id).await?;
    let there = address(stored.program_id, &stored.agency_code, &stored.period);
    match agency_reports::review(&actor, report_id, seen_version, &decision).await {
        Ok(_) => Ok(Redirect::to(&there).into_response()),
        Err(error) => {
            let form_id = match decision {
                AgencyDecision::Reopen { .. } => "agency-reopen-form",
                _ => "agency-review-form",
            };
            let refusal = Refusal::of(form_id, pairs.clone(), error)?;
            let page = page.showing(
                format!(
                    "/programs/{}/agencies/{}/report",
                    stored.program_id, stored.agency_code
                ),
                format!("period={}", stored.period),
            );
            let markup = show(
                &page,
                &state,
                stored.program_id,
                &stored.agency_code,
                Some(&stored.period),
                Some(&refusal),
            )
            .await?;
            Ok(Refusal::answer(markup))
        }
    }
}
