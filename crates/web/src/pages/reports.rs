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
use dongbo_domain::regime::Regimes;
use dongbo_domain::{DeadlineRule, Period, PeriodKind};
use dongbo_programs::reports::AttachedFile;
use dongbo_programs::reports::{
    self, EvidenceLink, IssuedDocument, Report, ReportContent, ReportPeriod, ReportStatus,
    ReportSummary,
};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{self, Refusal};
use crate::AppState;
use crate::error::{Error, FieldError, Result};
use dongbo_programs::views::agency_ref;

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

/// A period's name in the page's language: "Quý III/2026" / "Q3 2026"; "Báo cáo một lần" /
/// "One-off report".
fn period_name(page: &Page, period: ReportPeriod) -> String {
    match period {
        ReportPeriod::Once => page.t("Báo cáo một lần", "One-off report").to_owned(),
        ReportPeriod::Period(p) => page.lang.period(p),
    }
}

/// A period with its Decree 09 data window and submission deadline under the program's
/// `regimes`: "Quý III/2026: 15/06/2026 – 14/09/2026 (hạn gửi 15/09/2026)".
pub(super) fn period_with_window(page: &Page, period: Period, regimes: &Regimes) -> String {
    period_with_window_under(page, period, &regimes.rule_for(period.kind()))
}

/// [`period_with_window`] with the deadline under `rule` (a program's reporting regime).
pub(super) fn period_with_window_under(page: &Page, period: Period, rule: &DeadlineRule) -> String {
    let (start, end) = period.window();
    format!(
        "{}: {} – {} ({} {})",
        period_name(page, period.into()),
        page.lang.short_date(start),
        page.lang.short_date(end),
        page.t("hạn gửi", "due"),
        page.lang.short_date(period.deadline(rule, &[])),
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
    regimes: &Regimes,
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
                            option value=(p.code()) selected[chosen == ReportPeriod::Period(*p)] { (period_with_window(page, *p, regimes)) }
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
    regimes: &Regimes,
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
                                        ReportPeriod::Period(p) => (period_with_window(page, p, regimes)),
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
    show_report(&page, &state, id, q.period.as_deref(), None).await
}

/// The report page of assignment `id` for the period asked (`None`: the task's default), with
/// a refused form (the report's, the review's or the reopening's) filled as it was sent.
async fn show_report(
    page: &Page,
    state: &AppState,
    id: i64,
    asked_period: Option<&str>,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let caller = page.caller()?.clone();
    let directory = state.programs.directory_with_units().await?;
    let assigned = state
        .programs
        .placed_assignment(id)
        .await?
        .ok_or(Error::NotFound)?;
    let agency_code = assigned.assignment.agency_code.clone();
    if !caller.can(Action::ViewProgram, &agency_code, &directory) {
        // Another agency's reports are not found, as an unknown id is.
        return Err(Error::NotFound);
    }
    let today = state.today();
    let period = reports::period_of(asked_period, &assigned.task.time_frame, today)?;
    let regimes =
        dongbo_programs::regimes::of_program(&state.programs, assigned.assignment.program_id)
            .await?;
    let regimes = &regimes;
    // A draft never sent is its agency's own: to others the report is not there yet.
    let report = reports::for_period(&state.programs, id, period)
        .await?
        .filter(|r| reports::may_read(&caller, r, &agency_code, &directory));
    let all_reports = reports::of_assignment(&state.programs, id).await?;
    let names = dongbo_programs::accounts::display_names(&state.programs).await?;
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
        ReportPeriod::Period(p) => Some((p.window(), p.deadline(&regimes.rule_for(p.kind()), &[]))),
        ReportPeriod::Once => None,
    };
    let empty = ReportContent::default();
    let content = report.as_ref().map_or(&empty, Report::content);
    // The titles of the library items cited, in the report and in a form sent back.
    let mut cited_ids = content.library_items.clone();
    if let Some(refusal) = Refusal::of_form(refusal, "report-form") {
        cited_ids.extend(ReportFormInput::read(refusal.pairs()).library_items);
    }
    let cited = reports::cited_items(&state.programs, &caller, &cited_ids).await?;
    let title = format!("{} — {}", period_label, assigned.assignment.task_code);
    Ok(page.render(
        &title,
        html! {
            p.kicker {
                a href={ "/programs/" (assigned.assignment.program_id) } { (page.doc_number(assigned.program_number.as_deref().unwrap_or(""))) }
                " › " a href={ "/programs/" (assigned.assignment.program_id) "/tasks/" (assigned.assignment.task_code) } { (page.t("Nhiệm vụ", "Task")) " " (assigned.assignment.task_code) }
            }
            h1 { (period_label) }
            p.title { (assigned.task.title) }
            dl.meta {
                dt { (page.t("Cơ quan", "Agency")) } dd { (page.agency_name(&agency)) }
                dt { (page.t("Vai trò", "Role")) } dd { @if assigned.assignment.role == dongbo_domain::Role::Lead { (page.t("Chủ trì", "Lead")) } @else { (page.t("Phối hợp", "Coordinating")) } }
                dt { (page.t("Thời gian thực hiện", "Time frame")) } dd { (assigned.task.time_frame.text) }
                dt { (page.t("Kỳ báo cáo", "Reporting period")) } dd #report-period data-period=(period.code()) { (period_name(page, period)) }
                @if let Some(((start, end), deadline)) = window {
                    dt { (page.t("Thời gian chốt số liệu", "Data window")) }
                    dd #report-window { (page.date(start)) " – " (page.date(end)) }
                    dt { (page.t("Hạn gửi báo cáo", "Submission deadline")) }
                    dd #report-deadline { (page.date(deadline)) }
                }
                dt { (page.t("Tình trạng báo cáo", "Report status")) }
                dd #report-status data-status=(status.map_or("none", |s| s.as_str())) {
                    @match status { Some(s) => (status_label(page, s)), None => (page.t("Chưa lập", "Not started")) }
                }
            }
            (period_chooser(page, &assigned.task.time_frame, period, today, regimes))
            @if let Some(comment) = report.as_ref().and_then(|r| r.open_comment()) {
                div.returned role="alert" {
                    strong { (page.t("Ý kiến của người duyệt: ", "Reviewer's comment: ")) }
                    span #review-comment { (comment) }
                }
            }
            @if let Some(comment) = report.as_ref().filter(|r| r.summary.status == ReportStatus::Accepted).and_then(|r| r.current().comment.as_deref()) {
                div.accepted-comment {
                    strong { (page.t("Ý kiến khi duyệt: ", "Comment on acceptance: ")) }
                    span #accept-comment { (comment) }
                }
            }
            (form::summary(page, refusal))
            @if let Some(changes) = report.as_ref().and_then(reports::changes_since_return) {
                (changes_view(page, &changes))
            }
            @if editable {
                (report_form(page, id, period, &csrf, report.as_ref(), Refusal::of_form(refusal, "report-form"), &cited))
            } @else if let Some(report) = &report {
                (report_view(page, report, &cited))
            } @else {
                p.muted { (page.t("Chưa có báo cáo.", "No report yet.")) }
            }
            @if let Some(report) = &report {
                @let own_work = reports::wrote_under_review(report, &caller.user.username);
                @if can_review && report.summary.status == ReportStatus::Submitted && own_work {
                    p.muted #own-report {
                        (page.t(
                            "Bạn đã viết báo cáo này nên không tự duyệt được: một người khác có quyền duyệt sẽ trả lại hoặc duyệt nó.",
                            "You wrote this report, so you cannot review it yourself: someone else who may review will return or accept it.",
                        ))
                    }
                }
                @if can_review && report.summary.status == ReportStatus::Submitted && !own_work {
                    // Two decisions, worded and coloured apart, each behind its own
                    // confirmation: a `details` opens it, no script needed.
                    form #review-form method="post" action={ "/reports/" (report.summary.id) "/review" } {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="seen_version" value=(report.summary.current_version);
                        input type="hidden" name="idempotency_key" value=(dongbo_programs::accounts::random_token().unwrap_or_default());
                        @let kept = Refusal::of_form(refusal, "review-form");
                        label for="comment" { (page.t("Ý kiến (bắt buộc khi trả lại; khi duyệt, được lưu cùng quyết định)", "Comment (required to return; kept with an acceptance)")) }
                        textarea #comment name="comment" rows="3" aria-invalid=[form::invalid(kept, "comment")] aria-describedby=[form::described_by(kept, "comment")] { (form::typed(kept, "comment", "")) }
                        (form::error(kept, "comment"))
                        div.decisions {
                            details.decision.decision-return {
                                summary #return-report-open { (page.t("Trả lại để sửa…", "Return for changes…")) }
                                p { (page.t("Báo cáo sẽ trở về cơ quan để sửa, kèm ý kiến ở trên. Cơ quan được báo ngay.", "The report goes back to its agency to fix, with the comment above. The agency is told at once.")) }
                                button #return-report.danger type="submit" name="action" value="return" { (page.t("Xác nhận trả lại", "Confirm return")) }
                            }
                            details.decision.decision-accept {
                                summary #accept-report-open { (page.t("Duyệt báo cáo…", "Accept the report…")) }
                                p { (page.t("Báo cáo được duyệt sẽ bị khoá; chỉ mở lại được khi nêu lý do.", "An accepted report is locked; it can be reopened only with a reason.")) }
                                button #accept-report.primary type="submit" name="action" value="accept" { (page.t("Xác nhận duyệt", "Confirm acceptance")) }
                            }
                        }
                    }
                }
                @if can_reopen && report.summary.status == ReportStatus::Accepted {
                    form #reopen-form method="post" action={ "/reports/" (report.summary.id) "/review" } {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="seen_version" value=(report.summary.current_version);
                        input type="hidden" name="action" value="reopen";
                        @let kept = Refusal::of_form(refusal, "reopen-form");
                        label for="reason" { (page.t("Lý do mở lại", "Reason for reopening")) }
                        textarea #reason name="comment" rows="2" required aria-invalid=[form::invalid(kept, "reason")] aria-describedby=[form::described_by(kept, "reason")] { (form::typed(kept, "comment", "")) }
                        (form::error(kept, "reason"))
                        button type="submit" { (page.t("Mở lại báo cáo đã duyệt", "Reopen the accepted report")) }
                    }
                }
                (history(page, report, &names))
            }
            (reports_of_assignment(page, id, &all_reports, period, regimes))
        },
    ))
}

/// The library items a report cites, each linked to its page when the reader may read it.
fn cited_view(page: &Page, ids: &[i64], cited: &[reports::CitedItem]) -> Markup {
    html! {
        @if !ids.is_empty() {
            h3 { (page.t("Tài liệu thư viện", "Library items")) }
            ul #report-library-items { @for id in ids {
                li data-item=(id) {
                    @match cited.iter().find(|c| c.id == *id).and_then(|c| c.title.as_deref()) {
                        Some(title) => a href={ "/library/items/" (id) } { (title) },
                        None => { (page.t("Tài liệu thư viện số", "Library item")) " " (id) " " em { (page.t("(không xem được)", "(not readable)")) } }
                    }
                }
            } }
        }
    }
}

fn report_view(page: &Page, report: &Report, cited: &[reports::CitedItem]) -> Markup {
    let content = report.content();
    html! {
        section.report {
            h2 { (page.t("Kết quả thực hiện", "Results achieved")) }
            p #report-results { (content.results) }
            p { (page.t("Tiến độ", "Progress")) ": " strong #report-progress { (content.progress) "%" } }
            @if !content.documents.is_empty() {
                h3 { (page.t("Văn bản đã ban hành", "Documents issued")) }
                ul { @for d in &content.documents { li { (page.doc_number(&d.number)) " " @if let Some(on) = d.issued_on { "(" (page.date(on)) ") " } (d.title) } } }
            }
            @if !content.links.is_empty() {
                h3 { (page.t("Đường dẫn", "Links")) }
                ul { @for l in &content.links { li { a href=(l.url) rel="noopener noreferrer" { (if l.title.is_empty() { &l.url } else { &l.title }) } } } }
            }
            @if !content.files.is_empty() {
                h3 { (page.t("Tệp minh chứng", "Evidence files")) }
                ul #report-files { @for f in &content.files { li { a href={ "/files/" (f.sha256) } { (f.name) } } } }
            }
            (cited_view(page, &content.library_items, cited))
            @if !content.difficulties.is_empty() { h3 { (page.t("Khó khăn, vướng mắc", "Difficulties")) } p { (content.difficulties) } }
            @if !content.recommendations.is_empty() { h3 { (page.t("Kiến nghị, đề xuất", "Recommendations")) } p { (content.recommendations) } }
        }
    }
}

/// What changed since the version returned, side by side, and the files added and removed.
fn changes_view(page: &Page, changes: &reports::ChangesSinceReturn) -> Markup {
    let label = |field: &str| match field {
        "results" => page.t("Kết quả thực hiện", "Results achieved"),
        "progress" => page.t("Tiến độ", "Progress"),
        "difficulties" => page.t("Khó khăn, vướng mắc", "Difficulties"),
        "recommendations" => page.t("Kiến nghị, đề xuất", "Recommendations"),
        "documents" => page.t("Văn bản đã ban hành", "Documents issued"),
        _ => page.t("Đường dẫn", "Links"),
    };
    html! {
        section #changes-since-return {
            h2 { (page.t("Thay đổi so với bản bị trả lại", "Changes since the version returned")) " (" (page.t("phiên bản", "version")) " " (changes.returned_version) ")" }
            @if let Some(comment) = &changes.comment { p.muted { (page.t("Ý kiến khi trả lại: ", "Comment when returned: ")) "«" (comment) "»" } }
            @if changes.fields.is_empty() && changes.files_added.is_empty() && changes.files_removed.is_empty() {
                p #no-changes { (page.t("Không có thay đổi nào.", "Nothing changed.")) }
            }
            @if !changes.fields.is_empty() {
                table.changes {
                    thead { tr { th { (page.t("Mục", "Field")) } th { (page.t("Bản bị trả lại", "As returned")) } th { (page.t("Bản gửi lại", "As sent again")) } } }
                    tbody {
                        @for (field, before, after) in &changes.fields {
                            tr data-field=(field) { th scope="row" { (label(field)) } td.before { (before) } td.after { (after) } }
                        }
                    }
                }
            }
            @if !changes.files_added.is_empty() {
                h3 { (page.t("Tệp thêm mới", "Files added")) }
                ul #files-added { @for f in &changes.files_added { li { a href={ "/files/" (f.sha256) } { (f.name) } } } }
            }
            @if !changes.files_removed.is_empty() {
                h3 { (page.t("Tệp đã gỡ", "Files removed")) }
                ul #files-removed { @for f in &changes.files_removed { li { (f.name) } } }
            }
        }
    }
}

/// The report's versions, newest first: when (Vietnam's time), who (by full name), what in
/// words and the state it left, the progress, and the comment.
fn history(
    page: &Page,
    report: &Report,
    names: &std::collections::HashMap<String, String>,
) -> Markup {
    html! {
        section #history {
            h2 { (page.t("Lịch sử", "History")) }
            ol {
                @for v in report.versions.iter().rev() {
                    li data-step=(v.action.as_str()) {
                        span.when { (super::moment(page, &v.saved_at)) } " — " (super::person(names, &v.author)) " — "
                        span.step { (page.t(v.action.label_vi(), v.action.label_en())) } " → " (status_label(page, v.status_after))
                        " (" (v.content.progress) "%)"
                        @if let Some(c) = &v.comment { ": «" (c) "»" }
                    }
                }
            }
        }
    }
}

/// The report form as it was sent: its fields by name, read the same way to write the report
/// and to show a refused form again. Document and link rows are in the order of their
/// numbers, so that `documents[0]` is the first row shown.
#[derive(Debug, Default)]
struct ReportFormInput {
    results: String,
    progress: String,
    /// Số, ký hiệu; ngày ban hành; trích yếu — as typed.
    documents: Vec<[String; 3]>,
    /// Address and title, as typed.
    links: Vec<[String; 2]>,
    /// Files already attached, kept by the form.
    kept: Vec<AttachedFile>,
    /// Library items cited, kept by the form (those whose "remove" box is ticked left out).
    library_items: Vec<i64>,
    /// A library item's number (or its page's address) typed to add it.
    library_add: String,
    difficulties: String,
    recommendations: String,
    based_on: String,
}

impl ReportFormInput {
    fn read(pairs: &[(String, String)]) -> ReportFormInput {
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map_or("", |(_, v)| v.as_str())
                .to_owned()
        };
        let indexed = |prefix: &str| -> Vec<usize> {
            let mut found: Vec<usize> = pairs
                .iter()
                .filter_map(|(k, _)| k.strip_prefix(prefix)?.parse().ok())
                .collect();
            found.sort_unstable();
            found.dedup();
            found
        };
        ReportFormInput {
            results: get("results"),
            progress: get("progress"),
            documents: indexed("doc_number_")
                .into_iter()
                .map(|i| {
                    [
                        get(&format!("doc_number_{i}")),
                        get(&format!("doc_date_{i}")),
                        get(&format!("doc_title_{i}")),
                    ]
                })
                .collect(),
            links: indexed("link_url_")
                .into_iter()
                .map(|i| {
                    [
                        get(&format!("link_url_{i}")),
                        get(&format!("link_title_{i}")),
                    ]
                })
                .collect(),
            // A kept file whose "remove" box is ticked leaves the draft.
            kept: indexed("keep_file_")
                .into_iter()
                .filter(|i| !pairs.iter().any(|(k, _)| *k == format!("remove_file_{i}")))
                .filter_map(|i| {
                    let value = get(&format!("keep_file_{i}"));
                    let (sha, name) = value.split_once(':')?;
                    Some(AttachedFile {
                        sha256: sha.to_owned(),
                        name: name.to_owned(),
                    })
                })
                .collect(),
            library_items: indexed("library_item_")
                .into_iter()
                .filter(|i| {
                    !pairs
                        .iter()
                        .any(|(k, _)| *k == format!("remove_library_{i}"))
                })
                .filter_map(|i| get(&format!("library_item_{i}")).trim().parse().ok())
                .collect(),
            library_add: get("library_add"),
            difficulties: get("difficulties"),
            recommendations: get("recommendations"),
            based_on: get("based_on"),
        }
    }

    /// What a stored report's content looks like in the form.
    fn of(report: Option<&Report>, content: &ReportContent) -> ReportFormInput {
        ReportFormInput {
            results: content.results.clone(),
            progress: content.progress.to_string(),
            documents: content
                .documents
                .iter()
                .map(|d| {
                    [
                        d.number.clone(),
                        d.issued_on.map(|d| d.to_string()).unwrap_or_default(),
                        d.title.clone(),
                    ]
                })
                .collect(),
            links: content
                .links
                .iter()
                .map(|l| [l.url.clone(), l.title.clone()])
                .collect(),
            kept: content.files.clone(),
            library_items: content.library_items.clone(),
            library_add: String::new(),
            difficulties: content.difficulties.clone(),
            recommendations: content.recommendations.clone(),
            based_on: report.map_or(String::new(), |r| r.summary.current_version.to_string()),
        }
    }

    /// The content the form says, or every field at fault (checked by `actions`).
    fn content(&self) -> Result<ReportContent> {
        let mut errors = Vec::new();
        let mut progress = 0;
        match dongbo_programs::input::parse_progress(&self.progress).map_err(Error::from) {
            Ok(Some(value)) => progress = value,
            Ok(None) => errors.push(FieldError {
                field: "progress".to_owned(),
                message: "Tiến độ là một số từ 0 đến 100 — progress is a number from 0 to 100"
                    .to_owned(),
            }),
            Err(Error::Invalid(found)) => errors.extend(found),
            Err(other) => return Err(other),
        }
        let mut documents = Vec::new();
        for (i, [number, date, title]) in self.documents.iter().enumerate() {
            let issued_on = match dongbo_programs::input::parse_date(
                &format!("documents[{i}].issued_on"),
                date,
            )
            .map_err(Error::from)
            {
                Ok(date) => date,
                Err(Error::Invalid(found)) => {
                    errors.extend(found);
                    None
                }
                Err(other) => return Err(other),
            };
            documents.push(IssuedDocument {
                number: number.clone(),
                issued_on,
                title: title.clone(),
            });
        }
        let mut library_items = self.library_items.clone();
        let typed = self.library_add.trim();
        if !typed.is_empty() {
            // "42", "#42" or the item page's address ".../library/items/42".
            let number = typed
                .rsplit('/')
                .next()
                .unwrap_or(typed)
                .trim_start_matches('#');
            match number.parse::<i64>() {
                Ok(id) if id > 0 => library_items.push(id),
                _ => errors.push(FieldError {
                    field: "library_add".to_owned(),
                    message: format!(
                        "«{typed}» không phải số của một tài liệu thư viện — not a library item's number"
                    ),
                }),
            }
        }
        let content = ReportContent {
            library_items,
            results: self.results.clone(),
            progress,
            difficulties: self.difficulties.clone(),
            recommendations: self.recommendations.clone(),
            documents,
            links: self
                .links
                .iter()
                .map(|[url, title]| EvidenceLink {
                    url: url.clone(),
                    title: title.clone(),
                })
                .collect(),
            files: self.kept.clone(),
        };
        match reports::checked_content(&content).map_err(Error::from) {
            Ok(_) if errors.is_empty() => Ok(content),
            Ok(_) => Err(Error::Invalid(errors)),
            Err(Error::Invalid(found)) => {
                errors.extend(found);
                Err(Error::Invalid(errors))
            }
            Err(other) if errors.is_empty() => Err(other),
            Err(_) => Err(Error::Invalid(errors)),
        }
    }
}

/// The reporter's form, filled with the stored report or, after a refusal, with what was sent.
fn report_form(
    page: &Page,
    id: i64,
    period: ReportPeriod,
    csrf: &str,
    report: Option<&Report>,
    refusal: Option<&Refusal>,
    cited: &[reports::CitedItem],
) -> Markup {
    let empty = ReportContent::default();
    let content = report.map_or(&empty, Report::content);
    let input = match refusal {
        Some(r) => ReportFormInput::read(r.pairs()),
        None => ReportFormInput::of(report, content),
    };
    let blank_document = [String::new(), String::new(), String::new()];
    let blank_link = [String::new(), String::new()];
    // One empty row to add a document or a link, unless the form sent back has one.
    let documents: Vec<&[String; 3]> = input
        .documents
        .iter()
        .chain(
            (!input
                .documents
                .iter()
                .any(|d| d.iter().all(String::is_empty)))
            .then_some(&blank_document),
        )
        .collect();
    let links: Vec<&[String; 2]> = input
        .links
        .iter()
        .chain((!input.links.iter().any(|l| l.iter().all(String::is_empty))).then_some(&blank_link))
        .collect();
    // Files the browser sent with the refused form: it cannot send them again by itself.
    let dropped: Vec<&str> = refusal
        .map(|r| r.values("file").filter(|name| !name.is_empty()).collect())
        .unwrap_or_default();
    let attrs = |field: &str| {
        (
            form::invalid(refusal, field),
            form::described_by(refusal, field),
        )
    };
    html! {
        form #report-form method="post" enctype="multipart/form-data"
            action={ "/assignments/" (id) "/report?period=" (period.code()) "&csrf=" (csrf) } {
            input type="hidden" name="based_on" value=(input.based_on);
            input type="hidden" name="idempotency_key" value=(dongbo_programs::accounts::random_token().unwrap_or_default());
            label for="results" { (page.t("Kết quả thực hiện", "Results achieved")) }
            @let (bad, about) = attrs("results");
            textarea #results name="results" rows="6" aria-invalid=[bad] aria-describedby=[about] { (input.results) }
            (form::error(refusal, "results"))
            label for="progress" { (page.t("Tiến độ (%)", "Progress (%)")) }
            @let (bad, about) = attrs("progress");
            input #progress type="number" name="progress" min="0" max="100" value=(input.progress) required aria-invalid=[bad] aria-describedby=[about];
            (form::error(refusal, "progress"))
            fieldset #documents {
                legend { (page.t("Văn bản đã ban hành", "Documents issued")) }
                @for (i, [number, date, title]) in documents.iter().map(|d| (*d).clone()).enumerate() {
                    @let number_field = format!("documents[{i}].number");
                    @let date_field = format!("documents[{i}].issued_on");
                    div.row {
                        @let (bad, about) = attrs(&number_field);
                        input type="text" name={ "doc_number_" (i) } value=(number) placeholder=(page.t("Số, ký hiệu", "Number"))
                            aria-label=(page.t("Số, ký hiệu", "Number")) aria-invalid=[bad] aria-describedby=[about];
                        @let (bad, about) = attrs(&date_field);
                        input type="date" name={ "doc_date_" (i) } value=(date) aria-label=(page.t("Ngày ban hành", "Issued on"))
                            aria-invalid=[bad] aria-describedby=[about];
                        input type="text" name={ "doc_title_" (i) } value=(title) placeholder=(page.t("Trích yếu", "Title"))
                            aria-label=(page.t("Trích yếu", "Title"));
                    }
                    (form::error(refusal, &number_field))
                    (form::error(refusal, &date_field))
                }
            }
            fieldset #links {
                legend { (page.t("Đường dẫn", "Links")) }
                @for (i, [url, title]) in links.iter().map(|l| (*l).clone()).enumerate() {
                    @let url_field = format!("links[{i}].url");
                    div.row {
                        @let (bad, about) = attrs(&url_field);
                        input type="url" name={ "link_url_" (i) } value=(url) placeholder="https://…"
                            aria-label=(page.t("Địa chỉ", "Address")) aria-invalid=[bad] aria-describedby=[about];
                        input type="text" name={ "link_title_" (i) } value=(title) placeholder=(page.t("Tiêu đề", "Title"))
                            aria-label=(page.t("Tiêu đề", "Title"));
                    }
                    (form::error(refusal, &url_field))
                }
            }
            fieldset #library-items {
                legend { (page.t("Tài liệu thư viện", "Library items")) }
                @for (i, id) in input.library_items.iter().enumerate() {
                    div.row.cited-item data-item=(id) {
                        input type="hidden" name={ "library_item_" (i) } value=(id);
                        @match cited.iter().find(|c| c.id == *id).and_then(|c| c.title.as_deref()) {
                            Some(title) => a href={ "/library/items/" (id) } { (title) },
                            None => { (page.t("Tài liệu thư viện số", "Library item")) " " (id) }
                        }
                        label.remove-file {
                            input type="checkbox" name={ "remove_library_" (i) } value="1";
                            " " (page.t("Bỏ trích dẫn khi lưu", "Remove on saving"))
                        }
                    }
                    (form::error(refusal, &format!("library_items[{i}]")))
                }
                @let (bad, about) = attrs("library_add");
                input #library_add type="text" name="library_add" value=(input.library_add)
                    placeholder=(page.t("Số tài liệu hoặc địa chỉ trang tài liệu", "The item's number or page address"))
                    aria-label=(page.t("Thêm tài liệu thư viện", "Add a library item")) aria-invalid=[bad] aria-describedby=[about];
                (form::error(refusal, "library_add"))
                p.hint {
                    (page.t("Tìm tài liệu trong ", "Find items in the "))
                    a href="/library" { (page.t("thư viện", "library")) }
                    (page.t("; trên trang tài liệu, chọn «Trích dẫn vào báo cáo».", "; on an item's page, choose «Cite in a report»."))
                }
            }
            label for="difficulties" { (page.t("Khó khăn, vướng mắc", "Difficulties")) }
            textarea #difficulties name="difficulties" rows="3" { (input.difficulties) }
            label for="recommendations" { (page.t("Kiến nghị, đề xuất", "Recommendations")) }
            textarea #recommendations name="recommendations" rows="3" { (input.recommendations) }
            // Last of the fields: a file too large for the server to read whole cuts the form
            // there, and the fields above are still read and kept.
            fieldset #files {
                legend { (page.t("Tệp minh chứng", "Evidence files")) }
                @for (i, f) in input.kept.iter().enumerate() {
                    div.row.kept-file {
                        input type="hidden" name={ "keep_file_" (i) } value={ (f.sha256) ":" (f.name) };
                        a href={ "/files/" (f.sha256) } { (f.name) }
                        label.remove-file {
                            input type="checkbox" name={ "remove_file_" (i) } value="1";
                            " " (page.t("Gỡ tệp này khi lưu", "Remove this file on saving"))
                        }
                    }
                    (form::error(refusal, &format!("files[{i}].sha256")))
                }
                @let (bad, about) = attrs("file");
                input #file type="file" name="file" multiple accept=".pdf,.docx,.xlsx,.png,.jpg,.jpeg,.txt"
                    aria-label=(page.t("Chọn một hoặc nhiều tệp", "Choose one or more files")) aria-invalid=[bad] aria-describedby=[about];
                (form::error(refusal, "file"))
                @for name in &dropped {
                    p.field-error.choose-again data-file=(name) {
                        (page.t("Tệp", "The file")) " «" (name) "» "
                        (page.t("chưa được lưu: hãy chọn lại tệp trước khi gửi.", "was not saved: choose it again before sending."))
                    }
                }
                p.hint { (page.t("Chọn được nhiều tệp một lần. PDF, DOCX, XLSX, PNG, JPEG hoặc TXT, tối đa 20 MB mỗi lần gửi; một tệp không hợp lệ thì không tệp nào được lưu.", "Several files may be chosen at once. PDF, DOCX, XLSX, PNG, JPEG or TXT, at most 20 MB per sending; if one file is refused, none is kept.")) }
            }
            div.actions {
                button #save-draft type="submit" name="action" value="save" { (page.t("Lưu nháp", "Save draft")) }
                button #submit-report type="submit" name="action" value="submit" { (page.t("Gửi báo cáo", "Submit report")) }
            }
        }
    }
}

/// Saves or submits the reporter's form (multipart: fields and an optional file). A refused
/// form is shown again, filled as it was sent (422).
pub async fn write_report(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
    mut form: Multipart,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let target = reports::report_to_write(&actor, id, q.period.as_deref()).await?;
    let period = target.period();
    let page = page.showing(
        format!("/assignments/{id}/report"),
        format!("period={}", period.code()),
    );
    let refused = |pairs: Vec<(String, String)>, error: Error| async {
        let refusal = Refusal::of("report-form", pairs, error)?;
        let markup = show_report(&page, &state, id, Some(&period.code()), Some(&refusal)).await?;
        Ok(Refusal::answer(markup))
    };

    let mut pairs: Vec<(String, String)> = Vec::new();
    // Uploaded files are stored only once the rest of the form is known to be right: a
    // refused form leaves nothing behind.
    let mut uploads: Vec<(String, Option<String>, axum::body::Bytes)> = Vec::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                let error = Error::Refused(format!("the form could not be read: {e}"));
                return refused(pairs, error).await;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let declared = field.content_type().map(str::to_owned);
            let Ok(bytes) = field.bytes().await else {
                pairs.push(("file".to_owned(), file_name));
                let error = Error::field(
                    "file",
                    "Tệp quá lớn hoặc bị gián đoạn (tối đa 20 MB) — the file is too large or was cut off (at most 20 MB)",
                );
                return refused(pairs, error).await;
            };
            if bytes.is_empty() && file_name.is_empty() {
                continue;
            }
            pairs.push(("file".to_owned(), file_name.clone()));
            uploads.push((file_name, declared, bytes));
        } else {
            match field.text().await {
                Ok(value) => pairs.push((name, value)),
                Err(e) => {
                    let error = Error::Refused(format!("the form could not be read: {e}"));
                    return refused(pairs, error).await;
                }
            }
        }
    }
    let input = ReportFormInput::read(&pairs);
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map_or(String::new(), |(_, v)| v.clone())
    };
    let key = get("idempotency_key");
    let submit = get("action") == "submit";
    let based_on = match input.based_on.trim() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| Error::BadRequest("based_on".into()))?,
        ),
    };
    // Checked before any file is stored: a form the store would refuse stores none of them.
    let mut content = match input.content() {
        Ok(content) => content,
        Err(error) => return refused(pairs, error).await,
    };
    // Every file checked before any is kept: one refused file leaves none of the others.
    for (file_name, declared, bytes) in &uploads {
        if let Err(error) =
            reports::check_file(&actor, &target, bytes, file_name, declared.as_deref())
        {
            let refusal = Refusal::of("report-form", pairs, error)?.placed_at("file");
            let markup =
                show_report(&page, &state, id, Some(&period.code()), Some(&refusal)).await?;
            return Ok(Refusal::answer(markup));
        }
    }
    for (kept_index, (file_name, declared, bytes)) in (input.kept.len()..).zip(uploads) {
        let stored = match reports::keep_file(
            &actor,
            &target,
            &bytes,
            &file_name,
            declared.as_deref(),
        )
        .await
        {
            Ok(stored) => stored,
            Err(error) => {
                let refusal = Refusal::of("report-form", pairs, error)?.placed_at("file");
                let markup =
                    show_report(&page, &state, id, Some(&period.code()), Some(&refusal)).await?;
                return Ok(Refusal::answer(markup));
            }
        };
        // Stored now: if the report is still refused, the form shows it attached.
        pairs.retain(|(k, v)| !(k == "file" && *v == file_name));
        pairs.push((
            format!("keep_file_{kept_index}"),
            format!("{}:{file_name}", stored.sha256),
        ));
        content.files.push(AttachedFile {
            sha256: stored.sha256,
            name: file_name,
        });
    }
    let draft = reports::ReportDraft {
        content: &content,
        based_on,
        idempotency_key: Some(&key),
        submit,
    };
    if let Err(error) = reports::write_report(&actor, &target, &draft).await {
        return refused(pairs, error.into()).await;
    }
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

/// Returns, accepts or reopens a report. A refused review shows the report page again with
/// the comment kept.
pub async fn review(
    page: Page,
    State(state): State<AppState>,
    Path(report_id): Path<i64>,
    Form(form): Form<ReviewForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let review = review_of(&form.action, &form.comment)?;
    let result = reports::review_report(
        &actor,
        report_id,
        form.seen_version,
        review,
        Some(form.idempotency_key.as_str()),
    )
    .await;
    let error = match result {
        Ok(reviewed) => {
            return Ok(Redirect::to(&format!(
                "/assignments/{}/report?period={}",
                reviewed.assignment_id,
                reviewed.period.code()
            ))
            .into_response());
        }
        Err(error) => error,
    };
    let form_id = match review {
        reports::Review::Reopen { .. } => "reopen-form",
        _ => "review-form",
    };
    let refusal = Refusal::of(
        form_id,
        vec![("comment".to_owned(), form.comment.clone())],
        error,
    )?;
    let summary = reports::report(&state.programs, report_id).await?.summary;
    let period = summary.period.code();
    let page = page.showing(
        format!("/assignments/{}/report", summary.assignment_id),
        format!("period={period}"),
    );
    let markup = show_report(
        &page,
        &state,
        summary.assignment_id,
        Some(&period),
        Some(&refusal),
    )
    .await?;
    Ok(Refusal::answer(markup))
}

/// An evidence file, for whoever may see the report that cites it (any logged-in user for
/// now: the file's hash is only known from a report page).
pub async fn file(
    page: Page,
    State(state): State<AppState>,
    Path(sha256): Path<String>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let info = reports::readable_file(&actor, &sha256).await?;
    let bytes = reports::file_bytes(&state.programs, &sha256).await?;
    Ok(super::stored_file(
        &info.media_type,
        &info.original_name,
        bytes,
    ))
}

#[derive(Debug, Deserialize)]
pub struct OverrideForm {
    #[serde(default)]
    progress: String,
    #[serde(default)]
    reason: String,
}

/// Sets or (with an empty progress) clears a person's override of an assignment's progress;
/// a refused one shows the task again with the form filled.
pub async fn override_progress(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(form): Form<OverrideForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let overridden = match dongbo_programs::input::parse_progress(&form.progress) {
        Ok(progress) => reports::override_progress(&actor, id, progress, &form.reason).await,
        Err(error) => Err(error),
    };
    let error = match overridden {
        Ok(assigned) => {
            return Ok(Redirect::to(&format!(
                "/programs/{}/tasks/{}",
                assigned.assignment.program_id, assigned.assignment.task_code
            ))
            .into_response());
        }
        Err(error) => error,
    };
    let values = vec![
        ("progress".to_owned(), form.progress),
        ("reason".to_owned(), form.reason),
    ];
    let refusal = Refusal::of(format!("override-{id}"), values, error)?;
    // The refusal may come before the caller's right to the assignment is checked (a bad
    // number): the task is shown only to whoever may see the assignment.
    let assigned = reports::readable_assignment(&actor, id).await?;
    let (program_id, code) = (
        assigned.assignment.program_id,
        assigned.assignment.task_code,
    );
    let page = page.showing(
        format!("/programs/{program_id}/tasks/{code}"),
        String::new(),
    );
    let markup =
        super::programs::show_task(&page, &state, program_id, &code, Some(&refusal)).await?;
    Ok(Refusal::answer(markup))
}

/// The review a page form asks for: its `action` ("return", "accept", "reopen") with its
/// comment.
fn review_of<'a>(action: &str, comment: &'a str) -> Result<reports::Review<'a>> {
    match action {
        "return" => Ok(reports::Review::Return { comment }),
        "accept" => Ok(reports::Review::AcceptWithComment { comment }),
        "reopen" => Ok(reports::Review::Reopen { reason: comment }),
        other => Err(Error::BadRequest(format!("unknown action {other}"))),
    }
}
