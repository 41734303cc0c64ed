//! Pages for programs: the list, one program by group, one task.

use axum::extract::{Path, Query, State};
use maud::{Markup, html};

use super::Page;
use super::form::{self, Refusal};
use crate::AppState;
use crate::error::Result;
use dongbo_programs::views::{OriginView, TaskDetail, TaskView};

/// Which programs the list shows.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ListQuery {
    /// Agencies' implementation plans too.
    #[serde(default)]
    plans: bool,
}

/// The action programs; with `?plans=true`, agencies' implementation plans too (each agency
/// finds its own on Công việc của tôi, and there are thousands at national scale).
pub async fn list(
    page: Page,
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Markup> {
    let all = state.programs.program_list().await?;
    let plan_count = all.iter().filter(|p| p.kind == "plan").count();
    let programs: Vec<&dongbo_programs::views::ProgramSummary> = all
        .iter()
        .filter(|p| query.plans || p.kind != "plan")
        .collect();
    let title = page.t("Chương trình hành động", "Action programs");
    // How things stand: the caller's week when signed in, every program's progress otherwise.
    let board = match page.caller() {
        Ok(_) => {
            let home = dongbo_programs::home::for_caller(&page.actor(&state)?).await?;
            super::home::signed_in(&page, &home)
        }
        Err(_) => {
            let progress =
                dongbo_programs::home::public_progress(&state.programs, state.today()).await?;
            super::home::public(&page, &progress)
        }
    };
    Ok(page.render(
        title,
        html! {
            (board)
            h1 { (title) }
            table.programs {
                thead { tr {
                    th { (page.t("Số, ký hiệu", "Number")) }
                    th { (page.t("Tên", "Title")) }
                    th { (page.t("Ngày ban hành", "Issued")) }
                    th.num { (page.t("Nhiệm vụ", "Tasks")) }
                } }
                tbody {
                    @for p in &programs {
                        tr {
                            td { a href={ "/programs/" (p.id) } { (p.number.as_deref().unwrap_or("—")) } }
                            td { a href={ "/programs/" (p.id) } { (p.title) } }
                            td { @if let Some(d) = p.issued_on { (page.date(d)) } }
                            td.num { (p.task_count) }
                        }
                    }
                }
            }
            @if programs.is_empty() { p.muted { (page.t("Chưa có chương trình nào.", "No programs yet.")) } }
            @if plan_count > 0 {
                p #plans-link {
                    @if query.plans {
                        a href="/" { (page.t("Chỉ xem các chương trình hành động", "Show the action programs alone")) }
                    } @else {
                        a href="/?plans=true" {
                            (page.t("Xem cả ", "Show the ")) (plan_count)
                            (page.t(" kế hoạch thực hiện của các cơ quan", " implementation plans of agencies too"))
                        }
                    }
                }
            }
        },
    ))
}

pub async fn detail(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Markup> {
    show_program(&page, &state, id, None).await
}

/// Program (or plan) `id`, with a refused form of its page (the plan's new task) filled as it
/// was sent.
pub(super) async fn show_program(
    page: &Page,
    state: &AppState,
    id: i64,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let directory = state.programs.directory_with_units().await?;
    let stamp = state.programs.dashboard_stamp(id).await?;
    let program = state.programs.program_detail(id, stamp).await?;
    let tools = super::work::plan_tools(page, state, &directory, id, stamp, refusal).await?;
    let heading = program
        .number
        .clone()
        .unwrap_or_else(|| program.title.clone());
    Ok(page.render(
        &heading,
        html! {
            p.kicker {
                @if program.kind == "plan" { (page.t("Kế hoạch thực hiện", "Implementation plan")) }
                @else { (page.t("Chương trình hành động", "Action program")) }
            }
            h1 { (program.number.as_deref().unwrap_or("")) }
            p.title { (program.title) }
            dl.meta {
                @if let Some(d) = program.issued_on { dt { (page.t("Ngày ban hành", "Issued on")) } dd { (page.lang.date(d)) } }
                @if let Some(issuer) = &program.issuer {
                    dt { (page.t("Cơ quan ban hành", "Issued by")) }
                    dd { a href={ "/agencies/" (issuer.code) } { (page.agency_name(issuer)) } }
                }
                @if let Some(signer) = &program.signer { dt { (page.t("Người ký", "Signed by")) } dd { (signer) } }
                @if !program.implements.is_empty() {
                    dt { (page.t("Thực hiện", "Implements")) } dd { (program.implements.join(", ")) }
                }
                dt { (page.t("Số nhiệm vụ", "Tasks")) }
                dd { (program.groups.iter().map(|g| g.tasks.len()).sum::<usize>()) " / " (program.groups.len()) " " (page.t("nhóm", "groups")) }
            }
            p { a #indicators-link href={ "/programs/" (id) "/indicators" } { (page.t("Chỉ tiêu", "Indicators")) } }
            p { a #timeline-link href={ "/programs/" (id) "/timeline" } { (page.t("Tiến độ theo thời gian", "Timeline")) } }
            @if page.caller.is_some() {
                p { a #dashboard-link href={ "/programs/" (id) "/dashboard" } { (page.t("Bảng theo dõi thực hiện", "Implementation dashboard")) } }
                p { a #completeness-page-link href={ "/programs/" (id) "/completeness" } { (page.t("Tình hình gửi báo cáo", "Report completeness")) } }
                p { a #changes-link href={ "/programs/" (id) "/changes" } { (page.t("Đề xuất điều chỉnh", "Change requests")) } }
                p { a #synthesis-link href={ "/programs/" (id) "/synthesis" } { (page.t("Báo cáo tổng hợp", "Synthesis reports")) } }
                p { a #evaluation-link href={ "/programs/" (id) "/evaluation" } { (page.t("Đánh giá theo giai đoạn", "Evaluation by phase")) } }
            }
            (form::summary(page, refusal))
            (tools)
            @for group in &program.groups {
                section.group id={ "group-" (group.code) } {
                    h2 { (group_heading(&group.code, &group.title)) }
                    (task_table(page, &group.tasks))
                }
            }
        },
    ))
}

/// "I. THỂ CHẾ": a group's number and title, or the title alone for the tasks of a table
/// without group rows (code "").
pub fn group_heading(code: &str, title: &str) -> String {
    if code.is_empty() {
        title.to_owned()
    } else {
        format!("{code}. {title}")
    }
}

pub fn task_table(page: &Page, tasks: &[TaskView]) -> Markup {
    html! {
        table.tasks {
            thead { tr {
                th { (page.t("STT", "No.")) }
                th { (page.t("Tên nhiệm vụ", "Task")) }
                th { (page.t("Cơ quan chủ trì", "Lead agency")) }
                th { (page.t("Cơ quan phối hợp", "Coordinating agencies")) }
                th { (page.t("Thời gian thực hiện", "Time frame")) }
            } }
            tbody {
                @for task in tasks {
                    tr id={ "task-" (task.code) } {
                        td.code { a href={ "/programs/" (task.program_id) "/tasks/" (task.code) } { (task.code) } }
                        td {
                            a href={ "/programs/" (task.program_id) "/tasks/" (task.code) } { (task.title) }
                            @if task.draft { " " span.badge { (page.t("bản nháp", "draft")) } }
                        }
                        td { (page.agency_cell(&task.lead)) }
                        td { (page.agency_cell(&task.coordinating)) }
                        td { (page.time_frame(&task.time_frame)) }
                    }
                }
            }
        }
    }
}

pub async fn task(
    page: Page,
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
) -> Result<Markup> {
    show_task(&page, &state, id, &code, None).await
}

/// Task `code` of program `id`, with a refused form of its page (a progress override, an open
/// set's choice, a hand-over to a unit) filled as it was sent.
pub(super) async fn show_task(
    page: &Page,
    state: &AppState,
    id: i64,
    code: &str,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let directory = state.programs.directory_with_units().await?;
    let stamp = state.programs.dashboard_stamp(id).await?;
    let detail = dongbo_programs::views::task(&state.programs, &directory, id, code, stamp).await?;
    let task = &detail.task;
    let program = state.programs.program_detail(id, stamp).await?;
    let unit_tools =
        super::work::unit_tools(page, state, &directory, (id, stamp), code, refusal).await?;
    let changes = super::changes::task_section(page, state, &directory, (id, stamp), code).await?;
    let progress = state
        .programs
        .task_progress(id, code, stamp.version)
        .await?;
    let cited = dongbo_programs::reports::items_cited_for_task(
        &state.programs,
        page.caller.as_ref().map(|c| &c.who),
        id,
        code,
    )
    .await?;
    // The program's coordinator chooses the members of its open sets (and tags its tasks).
    let can_choose = page.caller.as_ref().is_some_and(|caller| {
        caller.can(
            dongbo_domain::access::Action::DecideChangeRequest,
            &dongbo_programs::views::coordinating_agency(&program),
            &directory,
        )
    });
    let on_topics = topic_items(page, state, id, code, can_choose).await?;
    let choices: Vec<(String, String)> = if can_choose {
        directory
            .valid_on(state.today())
            .filter(|a| a.kind != dongbo_domain::AgencyKind::Unit)
            .map(|a| {
                (
                    a.code.clone(),
                    page.lang.pick(&a.name_vi, &a.name_en).to_owned(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let can_override: std::collections::HashSet<i64> = match &page.caller {
        Some(caller) => detail
            .assignments
            .iter()
            .filter(|a| {
                caller.can(
                    dongbo_domain::access::Action::ReviewReport,
                    &a.agency.code,
                    &directory,
                )
            })
            .map(|a| a.id)
            .collect(),
        None => Default::default(),
    };
    Ok(page.render(
        &format!("{} {}", page.t("Nhiệm vụ", "Task"), task.code),
        html! {
            p.kicker {
                a href={ "/programs/" (id) } { (program.number.as_deref().unwrap_or(&program.title)) }
                " › " (page.t("Nhiệm vụ", "Task")) " " (task.code)
            }
            h1 { (task.code) ". " (task.title) }
            @if task.draft { p.badge { (page.t("Bản nháp cần rà soát", "Draft awaiting review")) } }
            dl.meta {
                dt { (page.t("Cơ quan chủ trì", "Lead agency")) } dd { (page.agency_cell(&task.lead)) }
                dt { (page.t("Cơ quan phối hợp", "Coordinating agencies")) } dd { (page.agency_cell(&task.coordinating)) }
                dt { (page.t("Thời gian thực hiện", "Time frame")) } dd { (page.time_frame(&task.time_frame)) }
                @if let Some(output) = &task.expected_output { dt { (page.t("Kết quả / Sản phẩm", "Expected output")) } dd { (output) } }
                @if let Some(lang) = &task.language { dt { (page.t("Ngôn ngữ", "Language")) } dd { (lang) } }
            }
            (form::summary(page, refusal))
            (assignment_section(page, &detail, &progress, &can_override, &choices, refusal))
            (unit_tools)
            (changes)
            (cited_section(page, &cited))
            (topic_section(page, id, code, &on_topics, refusal))
        },
    ))
}

/// A task's topics with their names, the newest items on them (and on the topics under them)
/// that the reader may read, and, for who may tag the task, every topic to choose from.
struct OnTopics {
    topics: dongbo_programs::topics::TaskTopics,
    /// (code, name) of the task's topics.
    named: Vec<(String, String)>,
    items: Vec<dongbo_search::Hit>,
    /// Every topic, (code, name, depth), when the reader may tag the task.
    choices: Option<Vec<(String, String, usize)>>,
}

/// The most items the task page lists on its topics.
const TOPIC_ITEMS: usize = 8;

/// `may_tag`: the reader is the program's coordinator (`dongbo_programs::topics::may_tag`,
/// worked out once by the page).
async fn topic_items(
    page: &Page,
    state: &AppState,
    id: i64,
    code: &str,
    may_tag: bool,
) -> Result<OnTopics> {
    let topics = dongbo_programs::topics::of_task(&state.programs, id, code).await?;
    let vocabulary = state.library.topics().await?;
    let name = |c: &str| {
        vocabulary
            .iter()
            .find(|t| t.topic.code == c)
            .map(|t| page.t(&t.topic.name_vi, &t.topic.name_en).to_owned())
    };
    let named: Vec<(String, String)> = topics
        .codes
        .iter()
        .filter_map(|c| name(c).map(|n| (c.clone(), n)))
        .collect();
    // The task's topics and every topic under them.
    let mut wanted: Vec<String> = named.iter().map(|(c, _)| c.clone()).collect();
    let mut i = 0;
    while i < wanted.len() {
        for t in &vocabulary {
            if t.topic.parent.as_deref() == Some(wanted[i].as_str())
                && !wanted.contains(&t.topic.code)
            {
                wanted.push(t.topic.code.clone());
            }
        }
        i += 1;
    }
    let reader = page.caller.as_ref().map(|c| &c.who);
    let mut items: Vec<dongbo_search::Hit> = Vec::new();
    for topic in &wanted {
        let params = dongbo_library::search::SearchParams {
            topic: Some(topic.clone()),
            sort: Some("newest".to_owned()),
            per_page: Some(TOPIC_ITEMS),
            ..Default::default()
        };
        for hit in state.library.search(reader, &params).await?.hits {
            if !items.iter().any(|h| h.id == hit.id) {
                items.push(hit);
            }
        }
    }
    items.sort_by(|a, b| b.published_on.cmp(&a.published_on).then(b.id.cmp(&a.id)));
    items.truncate(TOPIC_ITEMS);
    let choices = may_tag.then(|| {
        vocabulary
            .iter()
            .map(|t| {
                let mut depth = 0;
                let mut parent = t.topic.parent.clone();
                while let Some(p) = parent.filter(|_| depth < 10) {
                    depth += 1;
                    parent = vocabulary
                        .iter()
                        .find(|v| v.topic.code == p)
                        .and_then(|v| v.topic.parent.clone());
                }
                (
                    t.topic.code.clone(),
                    page.t(&t.topic.name_vi, &t.topic.name_en).to_owned(),
                    depth,
                )
            })
            .collect()
    });
    Ok(OnTopics {
        topics,
        named,
        items,
        choices,
    })
}

/// Tài liệu cùng chủ đề: the library's newest items on the task's topics, and the coordinator's
/// form that tags the task.
fn topic_section(
    page: &Page,
    id: i64,
    code: &str,
    on: &OnTopics,
    refusal: Option<&Refusal>,
) -> Markup {
    let refusal = Refusal::of_form(refusal, "task-topics");
    html! {
        section #topic-items {
            h2 { (page.t("Tài liệu thư viện cùng chủ đề", "Library items on its topics")) }
            @if on.named.is_empty() {
                p.muted { (page.t("Nhiệm vụ chưa gắn chủ đề nào.", "The task is tagged with no topic.")) }
            } @else {
                p.topics {
                    (page.t("Chủ đề", "Topics")) ": "
                    @for (i, (topic, name)) in on.named.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href={ "/library?topic=" (topic) } { (name) }
                    }
                    @if on.topics.from_group {
                        " " small.muted { (page.t("(theo nhóm nhiệm vụ)", "(its group's)")) }
                    }
                }
                @if on.items.is_empty() {
                    p.muted #no-topic-items { (page.t("Thư viện chưa có tài liệu nào về các chủ đề này mà bạn được xem.", "The library has no item on these topics that you may read.")) }
                } @else {
                    ul { @for hit in &on.items {
                        li {
                            a href={ "/library/items/" (hit.id) } { (hit.title) }
                            @if let Some(on) = hit.published_on { " — " (on.format("%d/%m/%Y")) }
                        }
                    } }
                }
            }
            @if let Some(choices) = &on.choices {
                details open[refusal.is_some()] {
                    summary { (page.t("Gắn chủ đề cho nhiệm vụ", "Tag the task with topics")) }
                    form #task-topics method="post" action={ "/programs/" (id) "/tasks/" (code) "/topics" } {
                        (page.csrf_field())
                        (form::error(refusal, "topics"))
                        @for (topic, name, depth) in choices {
                            label class={ "check depth-" ((*depth).min(2)) } {
                                input type="checkbox" name="topics" value=(topic) checked[on.topics.codes.contains(topic)];
                                (name)
                            }
                        }
                        button type="submit" { (page.t("Lưu chủ đề", "Save the topics")) }
                    }
                }
            }
        }
    }
}

/// Tags a task with the topics ticked on its page (its program's coordinator).
pub async fn set_topics(
    page: Page,
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> Result<axum::response::Response> {
    use axum::response::IntoResponse;
    let actor = page.actor(&state)?;
    let pairs = crate::auth::form_pairs(&String::from_utf8_lossy(&body));
    let topics: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "topics")
        .map(|(_, v)| v.clone())
        .collect();
    match dongbo_programs::topics::set_for_task(&actor, id, &code, &topics).await {
        Ok(_) => Ok(axum::response::Redirect::to(&format!(
            "/programs/{id}/tasks/{}#topic-items",
            crate::error::urlencode(&code)
        ))
        .into_response()),
        Err(error) => {
            let values = pairs.into_iter().filter(|(k, _)| k != "csrf").collect();
            let refusal = Refusal::of("task-topics", values, error)?;
            let markup = show_task(&page, &state, id, &code, Some(&refusal)).await?;
            Ok(Refusal::answer(markup))
        }
    }
}

/// Tài liệu được trích dẫn: the library items the task's reports cite as evidence.
fn cited_section(page: &Page, cited: &[dongbo_programs::reports::CitedForTask]) -> Markup {
    html! {
        @if !cited.is_empty() {
            section #cited-items {
                h2 { (page.t("Tài liệu thư viện được trích dẫn", "Library items cited")) }
                ul { @for c in cited {
                    li {
                        a href={ "/library/items/" (c.item.id) } {
                            @match &c.item.title {
                                Some(title) => { (title) }
                                None => { (page.t("Tài liệu số", "Item no.")) " " (c.item.id) }
                            }
                        }
                        " — " (page.t("trong báo cáo của", "in the reports of")) " " (c.agencies.join(", "))
                    }
                } }
            }
        }
    }
}

/// Phân công: who carries the task out, and how the task reached each agency.
fn assignment_section(
    page: &Page,
    detail: &TaskDetail,
    progress: &std::collections::HashMap<i64, dongbo_programs::reads::ProgressDetail>,
    can_override: &std::collections::HashSet<i64>,
    choices: &[(String, String)],
    refusal: Option<&Refusal>,
) -> Markup {
    let leads = detail
        .assignments
        .iter()
        .filter(|a| a.role == "lead")
        .count();
    let coordinating = detail.assignments.len() - leads;
    html! {
        section #assignments {
            h2 { (page.t("Phân công", "Assignments")) }
            p.muted {
                (leads) " " (page.t("cơ quan chủ trì", "lead agencies")) ", "
                (coordinating) " " (page.t("cơ quan phối hợp", "coordinating agencies"))
            }
            @if !detail.open_sets.is_empty() {
                ul.open-sets {
                    @for open in &detail.open_sets {
                        li {
                            (page.lang.pick(&open.set.name_vi, &open.set.name_en)) " "
                            @if open.chosen {
                                span.badge { (page.t("đã chọn", "chosen")) }
                            } @else {
                                span.badge { (page.t("chờ cơ quan điều phối chọn", "waiting for the coordinator to choose")) }
                            }
                            @if !choices.is_empty() {
                                @let form_id = format!("open-set-{}", open.id);
                                @let kept = Refusal::of_form(refusal, &form_id);
                                @let chosen: Vec<&str> = kept.map(|k| k.values("agency").collect()).unwrap_or_default();
                                form.choose id=(form_id) method="post" action={ "/open-sets/" (open.id) } {
                                    (page.csrf_field())
                                    label for={ "choose-" (open.id) } { (page.t("Chọn cơ quan", "Choose agencies")) }
                                    select id={ "choose-" (open.id) } name="agency" multiple size="6" required
                                        aria-invalid=[form::invalid(kept, "agencies")] aria-describedby=[form::described_by(kept, "agencies")] {
                                        @for (code, name) in choices { option value=(code) selected[chosen.contains(&code.as_str())] { (name) } }
                                    }
                                    (form::error(kept, "agencies"))
                                    button type="submit" { (page.t("Giao", "Assign")) }
                                }
                            }
                        }
                    }
                }
            }
            @if !detail.assignments.is_empty() {
                table.assignments {
                    thead { tr {
                        th { (page.t("Cơ quan", "Agency")) }
                        th { (page.t("Vai trò", "Role")) }
                        th { (page.t("Nguồn giao", "Assigned through")) }
                        th { (page.t("Tiến độ", "Progress")) }
                    } }
                    tbody {
                        @for assignment in &detail.assignments {
                            tr data-agency=(assignment.agency.code) data-role=(assignment.role) {
                                td { a href={ "/agencies/" (assignment.agency.code) } { (page.agency_name(&assignment.agency)) } }
                                td { (role_label(page, &assignment.role)) }
                                td { ul.origins {
                                    @for origin in &assignment.origins {
                                        li { (origin_text(page, origin)) }
                                    }
                                } }
                                td.progress {
                                    @let p = progress.get(&assignment.id).cloned().unwrap_or_default();
                                    strong.effective { (p.effective) "%" }
                                    @if let Some(rolled) = p.rolled {
                                        br; small.rolled { (page.t("từ kế hoạch của cơ quan", "from the agency's plan")) ": " (rolled) "%" }
                                    }
                                    @if let Some((value, by, reason)) = &p.manual {
                                        br; small.manual { (page.t("điều chỉnh thủ công", "set by hand")) " " (value) "% — " (by) ": " (reason) }
                                    }
                                    @if page.caller.is_some() {
                                        br; a href={ "/assignments/" (assignment.id) "/report" } { (page.t("Báo cáo", "Report")) }
                                    }
                                    @if can_override.contains(&assignment.id) {
                                        @let form_id = format!("override-{}", assignment.id);
                                        @let kept = Refusal::of_form(refusal, &form_id);
                                        details.override open[kept.is_some()] {
                                            summary { (page.t("Điều chỉnh tiến độ", "Override progress")) }
                                            form id=(form_id) method="post" action={ "/assignments/" (assignment.id) "/progress" } {
                                                (page.csrf_field())
                                                input type="number" name="progress" min="0" max="100" placeholder="%" aria-label=(page.t("Tiến độ", "Progress"))
                                                    value=(form::typed(kept, "progress", "")) aria-invalid=[form::invalid(kept, "progress")] aria-describedby=[form::described_by(kept, "progress")];
                                                (form::error(kept, "progress"))
                                                input type="text" name="reason" placeholder=(page.t("Lý do", "Reason")) aria-label=(page.t("Lý do", "Reason"))
                                                    value=(form::typed(kept, "reason", "")) aria-invalid=[form::invalid(kept, "reason")] aria-describedby=[form::described_by(kept, "reason")];
                                                (form::error(kept, "reason"))
                                                button type="submit" { (page.t("Lưu", "Save")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn role_label<'a>(page: &Page, role: &str) -> &'a str {
    if role == "lead" {
        page.t("Chủ trì", "Lead")
    } else {
        page.t("Phối hợp", "Coordinating")
    }
}

/// "thuộc «Các bộ, ngành, địa phương», kế nhiệm Tỉnh Hà Giang" and the like.
fn origin_text(page: &Page, origin: &OriginView) -> Markup {
    html! {
        @match &origin.via_set {
            Some(set) => { (page.t("thuộc", "member of")) " «" (page.lang.pick(&set.name_vi, &set.name_en)) "»" }
            None => { (page.t("được nêu tên", "named")) }
        }
        @if origin.role == "coordinating" { " (" (page.t("cột phối hợp", "coordinating column")) ")" }
        @if origin.succeeded {
            ", " (page.t("kế nhiệm", "successor of")) " "
            a href={ "/agencies/" (origin.original.code) } { (page.agency_name(&origin.original)) }
        }
    }
}
