//! Báo cáo tiến độ — an assignment's progress report for a period: the reporter's form (results,
//! progress, evidence, difficulties, recommendations, files), its review by the agency's
//! leader (return with a comment, or accept), and an audited reopening. Every version is kept
//! and shown.

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use dongbo_domain::access::Action;
use dongbo_domain::period::report_choices;
use dongbo_domain::{DeadlineRule, Period, PeriodKind};
use dongbo_store::reports::{
    self, EvidenceLink, IssuedDocument, Report, ReportContent, ReportPeriod, ReportStatus,
    ReportSummary,
};
use dongbo_store::{AttachedFile, assignments};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use crate::error::{Error, Result};
use crate::model::agency_ref;
use crate::{AppState, actions};

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

/// A period's name in the page's language: "Quý III/2026" / "Q3 2026"; "Báo cáo một lần" /
/// "One-off report".
fn period_name(page: &Page, period: ReportPeriod) -> String {
    match period {
        ReportPeriod::Once => page.t("Báo cáo một lần", "One-off report").to_owned(),
        ReportPeriod::Period(p) => match page.lang {
            crate::i18n::Lang::Vi => p.to_string(),
            crate::i18n::Lang::En => p.label_en(),
        },
    }
}

/// A period with its Decree 09 data window and submission deadline:
/// "Quý III/2026: 15/06/2026 – 14/09/2026 (hạn gửi 15/09/2026)".
pub(super) fn period_with_window(page: &Page, period: Period) -> String {
    let (start, end) = period.window();
    format!(
        "{}: {} – {} ({} {})",
        period_name(page, period.into()),
        page.lang.short_date(start),
        page.lang.short_date(end),
        page.t("hạn gửi", "due"),
        page.lang
            .short_date(period.deadline(&DeadlineRule::default(), &[])),
    )
}

/// The name of a kind of period for the chooser's groups.
fn kind_name(page: &Page, kind: PeriodKind) -> &'static str {
    page.t(kind.label_vi(), kind.label_en())
}

/// The period chooser: "once" for work done once, then every kind of Decree 09 period with the
/// periods the task may report in ([`report_choices`]), the chosen one selected.
fn period_chooser(
    page: &Page,
    time_frame: &dongbo_domain::TimeFrame,
    chosen: ReportPeriod,
    today: NaiveDate,
) -> Markup {
    let once = time_frame.recurrence == dongbo_domain::Recurrence::None;
    html! {
        form #period-form method="get" {
            label for="period" { (page.t("Kỳ báo cáo", "Reporting period")) }
            select #period name="period" {
                @if once || chosen == ReportPeriod::Once {
                    option value="once" selected[chosen == ReportPeriod::Once] { (period_name(page, ReportPeriod::Once)) }
                }
                @for kind in PeriodKind::ALL.iter().rev() {
                    optgroup label=(kind_name(page, *kind)) {
                        @for p in &choices_of_kind(time_frame, *kind, chosen, today) {
                            option value=(p.code()) selected[chosen == ReportPeriod::Period(*p)] { (period_with_window(page, *p)) }
                        }
                    }
                }
            }
            button type="submit" { (page.t("Chọn kỳ", "Choose")) }
        }
    }
}

/// The periods of `kind` offered for a task: [`report_choices`], and the chosen period when
/// it is of that kind but not among them (a period asked for by its code).
fn choices_of_kind(
    time_frame: &dongbo_domain::TimeFrame,
    kind: PeriodKind,
    chosen: ReportPeriod,
    today: NaiveDate,
) -> Vec<Period> {
    let mut choices = report_choices(time_frame, kind, today);
    if let ReportPeriod::Period(p) = chosen
        && p.kind() == kind
        && !choices.contains(&p)
    {
        choices.insert(0, p);
    }
    choices
}

/// Every report of the assignment, one per period, with its status; the one shown is marked.
fn reports_of_assignment(
    page: &Page,
    assignment_id: i64,
    all: &[ReportSummary],
    shown: ReportPeriod,
) -> Markup {
    let mut all: Vec<&ReportSummary> = all.iter().collect();
    // Newest window first; the one-off report, which has none, first of all.
    all.sort_by_key(|r| {
        std::cmp::Reverse(match r.period {
            ReportPeriod::Once => (NaiveDate::MAX, 0),
            ReportPeriod::Period(p) => (p.end(), p.kind().periods_per_year()),
        })
    });
    html! {
        section #period-reports {
            h2 { (page.t("Các kỳ báo cáo", "Reports by period")) }
            @if all.is_empty() {
                p.muted { (page.t("Chưa có báo cáo nào.", "No report yet.")) }
            } @else {
                table.reports {
                    thead { tr {
                        th { (page.t("Kỳ báo cáo", "Period")) }
                        th { (page.t("Tình trạng", "Status")) }
                        th { (page.t("Tiến độ", "Progress")) }
                        th { (page.t("Cập nhật", "Updated")) }
                    } }
                    tbody {
                        @for r in all {
                            tr data-period=(r.period.code()) data-status=(r.status.as_str()) aria-current=[(r.period == shown).then_some("true")] {
                                td { a href={ "/assignments/" (assignment_id) "/report?period=" (r.period.code()) } {
                                    @match r.period {
                                        ReportPeriod::Period(p) => (period_with_window(page, p)),
                                        ReportPeriod::Once => (period_name(page, r.period)),
                                    }
                                } }
                                td { (status_label(page, r.status)) }
                                td.num { (r.progress) "%" }
                                td { (r.updated_at.get(..10).unwrap_or(&r.updated_at)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn status_label(page: &Page, status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Draft => page.t("Bản nháp", "Draft"),
        ReportStatus::Submitted => page.t("Đã gửi, chờ duyệt", "Submitted, awaiting review"),
        ReportStatus::Returned => page.t("Bị trả lại", "Returned"),
        ReportStatus::Accepted => page.t("Đã duyệt", "Accepted"),
    }
}

pub async fn report_page(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> Result<Markup> {
    let caller = page.caller()?.clone();
    let directory = state.directory_with_units().await?;
    let assigned = assignments::get(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let agency_code = assigned.assignment.agency_code.clone();
    if !caller.can(Action::ViewProgram, &agency_code, &directory) {
        return Err(Error::Forbidden);
    }
    let today = actions::today();
    let period = actions::period_of(q.period.as_deref(), &assigned.task.time_frame, today)?;
    let report = reports::for_period(&state.db, id, period).await?;
    let all_reports = reports::for_assignment(&state.db, id).await?;
    let can_write = caller.can(Action::SubmitReport, &agency_code, &directory);
    let can_review = caller.can(Action::ReviewReport, &agency_code, &directory);
    let can_reopen = caller.can(Action::ReopenReport, &agency_code, &directory);
    let status = report.as_ref().map(|r| r.summary.status);
    let editable = can_write
        && matches!(
            status,
            None | Some(ReportStatus::Draft | ReportStatus::Returned)
        );
    let csrf = caller.csrf.clone().unwrap_or_default();
    let agency = agency_ref(&directory, &agency_code);
    let period_label = match period {
        ReportPeriod::Once => page
            .t("Báo cáo kết quả thực hiện", "Implementation report")
            .to_owned(),
        ReportPeriod::Period(p) => match page.lang {
            crate::i18n::Lang::Vi => format!("Báo cáo {p}"),
            crate::i18n::Lang::En => format!("Report for {}", p.label_en()),
        },
    };
    let window = match period {
        ReportPeriod::Period(p) => Some((p.window(), p.deadline(&DeadlineRule::default(), &[]))),
        ReportPeriod::Once => None,
    };
    let empty = ReportContent::default();
    let content = report.as_ref().map_or(&empty, Report::content);
    let title = format!("{} — {}", period_label, assigned.assignment.task_code);
    Ok(page.render(
        &title,
        html! {
            p.kicker {
                a href={ "/programs/" (assigned.assignment.program_id) } { (assigned.program_number.as_deref().unwrap_or("")) }
                " › " a href={ "/programs/" (assigned.assignment.program_id) "/tasks/" (assigned.assignment.task_code) } { (page.t("Nhiệm vụ", "Task")) " " (assigned.assignment.task_code) }
            }
            h1 { (period_label) }
            p.title { (assigned.task.title) }
            dl.meta {
                dt { (page.t("Cơ quan", "Agency")) } dd { (page.agency_name(&agency)) }
                dt { (page.t("Vai trò", "Role")) } dd { @if assigned.assignment.role == dongbo_domain::Role::Lead { (page.t("Chủ trì", "Lead")) } @else { (page.t("Phối hợp", "Coordinating")) } }
                dt { (page.t("Thời gian thực hiện", "Time frame")) } dd { (assigned.task.time_frame.text) }
                dt { (page.t("Kỳ báo cáo", "Reporting period")) } dd #report-period data-period=(period.code()) { (period_name(&page, period)) }
                @if let Some(((start, end), deadline)) = window {
                    dt { (page.t("Thời gian chốt số liệu", "Data window")) }
                    dd #report-window { (page.lang.short_date(start)) " – " (page.lang.short_date(end)) }
                    dt { (page.t("Hạn gửi báo cáo", "Submission deadline")) }
                    dd #report-deadline { (page.lang.short_date(deadline)) }
                }
                dt { (page.t("Tình trạng báo cáo", "Report status")) }
                dd #report-status data-status=(status.map_or("none", |s| s.as_str())) {
                    @match status { Some(s) => (status_label(&page, s)), None => (page.t("Chưa lập", "Not started")) }
                }
            }
            (period_chooser(&page, &assigned.task.time_frame, period, today))
            @if let Some(comment) = report.as_ref().and_then(|r| r.open_comment()) {
                div.returned role="alert" {
                    strong { (page.t("Ý kiến của người duyệt: ", "Reviewer's comment: ")) }
                    span #review-comment { (comment) }
                }
            }
            @if editable {
                form #report-form method="post" enctype="multipart/form-data"
                    action={ "/assignments/" (id) "/report?period=" (period.code()) "&csrf=" (csrf) } {
                    input type="hidden" name="based_on" value=(report.as_ref().map_or(String::new(), |r| r.summary.current_version.to_string()));
                    input type="hidden" name="idempotency_key" value=(dongbo_store::accounts::random_token().unwrap_or_default());
                    label for="results" { (page.t("Kết quả thực hiện", "Results achieved")) }
                    textarea #results name="results" rows="6" { (content.results) }
                    label for="progress" { (page.t("Tiến độ (%)", "Progress (%)")) }
                    input #progress type="number" name="progress" min="0" max="100" value=(content.progress) required;
                    fieldset {
                        legend { (page.t("Văn bản đã ban hành", "Documents issued")) }
                        @for (i, d) in content.documents.iter().chain(std::iter::once(&IssuedDocument::default())).enumerate() {
                            div.row {
                                input type="text" name={ "doc_number_" (i) } value=(d.number) placeholder=(page.t("Số, ký hiệu", "Number"));
                                input type="date" name={ "doc_date_" (i) } value=(d.issued_on.map(|d| d.to_string()).unwrap_or_default());
                                input type="text" name={ "doc_title_" (i) } value=(d.title) placeholder=(page.t("Trích yếu", "Title"));
                            }
                        }
                    }
                    fieldset {
                        legend { (page.t("Đường dẫn", "Links")) }
                        @for (i, l) in content.links.iter().chain(std::iter::once(&EvidenceLink::default())).enumerate() {
                            div.row {
                                input type="url" name={ "link_url_" (i) } value=(l.url) placeholder="https://…";
                                input type="text" name={ "link_title_" (i) } value=(l.title) placeholder=(page.t("Tiêu đề", "Title"));
                            }
                        }
                    }
                    fieldset {
                        legend { (page.t("Tệp minh chứng", "Evidence files")) }
                        @for (i, f) in content.files.iter().enumerate() {
                            div.row {
                                input type="hidden" name={ "keep_file_" (i) } value={ (f.sha256) ":" (f.name) };
                                a href={ "/files/" (f.sha256) } { (f.name) }
                            }
                        }
                        input #file type="file" name="file" accept=".pdf,.docx,.xlsx,.png,.jpg,.jpeg,.txt";
                        p.hint { (page.t("PDF, DOCX, XLSX, PNG, JPEG hoặc TXT, tối đa 20 MB.", "PDF, DOCX, XLSX, PNG, JPEG or TXT, at most 20 MB.")) }
                    }
                    label for="difficulties" { (page.t("Khó khăn, vướng mắc", "Difficulties")) }
                    textarea #difficulties name="difficulties" rows="3" { (content.difficulties) }
                    label for="recommendations" { (page.t("Kiến nghị, đề xuất", "Recommendations")) }
                    textarea #recommendations name="recommendations" rows="3" { (content.recommendations) }
                    div.actions {
                        button #save-draft type="submit" name="action" value="save" { (page.t("Lưu nháp", "Save draft")) }
                        button #submit-report type="submit" name="action" value="submit" { (page.t("Gửi báo cáo", "Submit report")) }
                    }
                }
            } @else if let Some(report) = &report {
                (report_view(&page, report))
            } @else {
                p.muted { (page.t("Chưa có báo cáo.", "No report yet.")) }
            }
            @if let Some(report) = &report {
                @if can_review && report.summary.status == ReportStatus::Submitted {
                    form #review-form method="post" action={ "/reports/" (report.summary.id) "/review" } {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="seen_version" value=(report.summary.current_version);
                        input type="hidden" name="idempotency_key" value=(dongbo_store::accounts::random_token().unwrap_or_default());
                        label for="comment" { (page.t("Ý kiến (bắt buộc khi trả lại)", "Comment (required to return)")) }
                        textarea #comment name="comment" rows="3" {}
                        div.actions {
                            button #return-report type="submit" name="action" value="return" { (page.t("Trả lại", "Return")) }
                            button #accept-report type="submit" name="action" value="accept" { (page.t("Duyệt", "Accept")) }
                        }
                    }
                }
                @if can_reopen && report.summary.status == ReportStatus::Accepted {
                    form #reopen-form method="post" action={ "/reports/" (report.summary.id) "/review" } {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="seen_version" value=(report.summary.current_version);
                        input type="hidden" name="action" value="reopen";
                        label for="reason" { (page.t("Lý do mở lại", "Reason for reopening")) }
                        textarea #reason name="comment" rows="2" required {}
                        button type="submit" { (page.t("Mở lại báo cáo đã duyệt", "Reopen the accepted report")) }
                    }
                }
                (history(&page, report))
            }
            (reports_of_assignment(&page, id, &all_reports, period))
        },
    ))
}

fn report_view(page: &Page, report: &Report) -> Markup {
    let content = report.content();
    html! {
        section.report {
            h2 { (page.t("Kết quả thực hiện", "Results achieved")) }
            p #report-results { (content.results) }
            p { (page.t("Tiến độ", "Progress")) ": " strong #report-progress { (content.progress) "%" } }
            @if !content.documents.is_empty() {
                h3 { (page.t("Văn bản đã ban hành", "Documents issued")) }
                ul { @for d in &content.documents { li { (d.number) " " @if let Some(on) = d.issued_on { "(" (page.lang.short_date(on)) ") " } (d.title) } } }
            }
            @if !content.links.is_empty() {
                h3 { (page.t("Đường dẫn", "Links")) }
                ul { @for l in &content.links { li { a href=(l.url) rel="noopener noreferrer" { (if l.title.is_empty() { &l.url } else { &l.title }) } } } }
            }
            @if !content.files.is_empty() {
                h3 { (page.t("Tệp minh chứng", "Evidence files")) }
                ul #report-files { @for f in &content.files { li { a href={ "/files/" (f.sha256) } { (f.name) } } } }
            }
            @if !content.difficulties.is_empty() { h3 { (page.t("Khó khăn, vướng mắc", "Difficulties")) } p { (content.difficulties) } }
            @if !content.recommendations.is_empty() { h3 { (page.t("Kiến nghị, đề xuất", "Recommendations")) } p { (content.recommendations) } }
        }
    }
}

fn history(page: &Page, report: &Report) -> Markup {
    html! {
        section #history {
            h2 { (page.t("Lịch sử", "History")) }
            ol {
                @for v in report.versions.iter().rev() {
                    li {
                        (v.saved_at) " — " (v.author) " — " (v.action.as_str()) " → " (status_label(page, v.status_after))
                        " (" (v.content.progress) "%)"
                        @if let Some(c) = &v.comment { ": «" (c) "»" }
                    }
                }
            }
        }
    }
}

/// Saves or submits the reporter's form (multipart: fields and an optional file).
pub async fn write_report(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
    mut form: Multipart,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let target = actions::report_to_write(&actor, id, q.period.as_deref()).await?;
    let period = target.period();

    let mut fields: std::collections::BTreeMap<String, String> = Default::default();
    // Uploaded files are stored only once the rest of the form is known to be right: a
    // refused form leaves nothing behind.
    let mut uploads: Vec<(String, Option<String>, axum::body::Bytes)> = Vec::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| Error::Refused(format!("the form could not be read: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let declared = field.content_type().map(str::to_owned);
            let bytes = field.bytes().await.map_err(|_| {
                Error::Refused(
                    "Tệp quá lớn hoặc bị gián đoạn (tối đa 20 MB) — the file is too large or was cut off (at most 20 MB)"
                        .into(),
                )
            })?;
            if bytes.is_empty() && file_name.is_empty() {
                continue;
            }
            uploads.push((file_name, declared, bytes));
        } else {
            let value = field
                .text()
                .await
                .map_err(|e| Error::Refused(format!("the form could not be read: {e}")))?;
            fields.insert(name, value);
        }
    }
    let get = |key: &str| fields.get(key).map(String::as_str).unwrap_or("");
    let kept: Vec<AttachedFile> = fields
        .iter()
        .filter(|(k, _)| k.starts_with("keep_file_"))
        .filter_map(|(_, v)| v.split_once(':'))
        .map(|(sha, name)| AttachedFile {
            sha256: sha.to_owned(),
            name: name.to_owned(),
        })
        .collect();
    let progress: u8 = actions::parse_progress(get("progress"))?.ok_or_else(|| {
        Error::field(
            "progress",
            "Tiến độ là một số từ 0 đến 100 — progress is a number from 0 to 100",
        )
    })?;
    let indexed = |prefix: &str| -> Vec<usize> {
        let mut found: Vec<usize> = fields
            .keys()
            .filter_map(|k| k.strip_prefix(prefix)?.parse().ok())
            .collect();
        found.sort_unstable();
        found
    };
    let mut documents = Vec::new();
    for i in indexed("doc_number_") {
        let date = get(&format!("doc_date_{i}"));
        documents.push(IssuedDocument {
            number: get(&format!("doc_number_{i}")).to_owned(),
            issued_on: actions::parse_date(&format!("documents[{i}].issued_on"), date)?,
            title: get(&format!("doc_title_{i}")).to_owned(),
        });
    }
    let links = indexed("link_url_")
        .into_iter()
        .map(|i| EvidenceLink {
            url: get(&format!("link_url_{i}")).to_owned(),
            title: get(&format!("link_title_{i}")).to_owned(),
        })
        .collect();
    let mut content = ReportContent {
        results: get("results").to_owned(),
        progress,
        difficulties: get("difficulties").to_owned(),
        recommendations: get("recommendations").to_owned(),
        documents,
        links,
        files: kept,
    };
    let based_on = match get("based_on").trim() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| Error::BadRequest("based_on".into()))?,
        ),
    };
    // The store checks the content again when it writes the report; checked here first, a
    // form it would refuse stores none of its files.
    content.normalised()?;
    for (file_name, declared, bytes) in uploads {
        let stored = state
            .evidence
            .put(&state.db, &bytes, &file_name, declared.as_deref())
            .await?;
        content.files.push(AttachedFile {
            sha256: stored.sha256,
            name: file_name,
        });
    }
    let draft = actions::ReportDraft {
        content: &content,
        based_on,
        idempotency_key: Some(get("idempotency_key")),
        submit: get("action") == "submit",
    };
    actions::write_report(&actor, &target, &draft).await?;
    Ok(Redirect::to(&format!(
        "/assignments/{id}/report?period={}",
        period.code()
    ))
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    action: String,
    seen_version: i64,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    idempotency_key: String,
}

/// Returns, accepts or reopens a report.
pub async fn review(
    page: Page,
    State(state): State<AppState>,
    Path(report_id): Path<i64>,
    Form(form): Form<ReviewForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let review = actions::Review::parse(&form.action, &form.comment)?;
    let reviewed = actions::review_report(
        &actor,
        report_id,
        form.seen_version,
        review,
        Some(form.idempotency_key.as_str()),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/assignments/{}/report?period={}",
        reviewed.assignment_id,
        reviewed.period.code()
    ))
    .into_response())
}

/// An evidence file, for whoever may see the report that cites it (any logged-in user for
/// now: the file's hash is only known from a report page).
pub async fn file(
    page: Page,
    State(state): State<AppState>,
    Path(sha256): Path<String>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let info = actions::readable_file(&actor, &sha256).await?;
    let bytes = state.evidence.open(&sha256).await?;
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        crate::error::urlencode(&info.original_name)
    );
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, info.media_type),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (
                axum::http::header::HeaderName::from_static("x-content-type-options"),
                "nosniff".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct OverrideForm {
    #[serde(default)]
    progress: String,
    #[serde(default)]
    reason: String,
}

/// Sets or (with an empty progress) clears a person's override of an assignment's progress.
pub async fn override_progress(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(form): Form<OverrideForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let progress = actions::parse_progress(&form.progress)?;
    let assigned = actions::override_progress(&actor, id, progress, &form.reason).await?;
    Ok(Redirect::to(&format!(
        "/programs/{}/tasks/{}",
        assigned.assignment.program_id, assigned.assignment.task_code
    ))
    .into_response())
}
