//! Pages for the agency directory: the list by kind, and one agency with every task it leads
//! or coordinates, directly, through agency sets and as a successor.

use axum::extract::{Path, Query, State};
use maud::{Markup, html};

use axum::Form;
use axum::response::{IntoResponse, Redirect, Response};

use super::Page;
use super::form::{self, Refusal};
use crate::AppState;
use crate::error::Result;
use dongbo_programs::focal_points::{self, FocalPoints};
use dongbo_programs::views::{AgencyDetail, AgencyProgram, AgencyTask};

fn kind_label(page: &Page, kind: &str) -> &'static str {
    let (vi, en) = match kind {
        "government" => ("Chính phủ", "Government"),
        "ministry" => ("Bộ", "Ministries"),
        "ministerial_agency" => ("Cơ quan ngang bộ", "Ministerial-level agencies"),
        "government_agency" => ("Cơ quan thuộc Chính phủ", "Government agencies"),
        "central_city" => ("Thành phố trực thuộc trung ương", "Centrally-run cities"),
        "province" => ("Tỉnh", "Provinces"),
        "party_body" => ("Cơ quan của Đảng", "Party bodies"),
        "press" => ("Cơ quan báo chí", "Press agencies"),
        "national_assembly" => ("Quốc hội", "National Assembly"),
        "front" => ("Mặt trận Tổ quốc", "Fatherland Front"),
        "unit" => ("Đơn vị", "Units"),
        _ => ("Cơ quan khác", "Other bodies"),
    };
    match page.lang {
        crate::i18n::Lang::Vi => vi,
        crate::i18n::Lang::En => en,
    }
}

const KIND_ORDER: &[&str] = &[
    "government",
    "ministry",
    "ministerial_agency",
    "government_agency",
    "central_city",
    "province",
    "party_body",
    "press",
    "national_assembly",
    "front",
    "other",
    "unit",
];

pub async fn list(page: Page, State(state): State<AppState>) -> Result<Markup> {
    let agencies = dongbo_programs::views::agency_list(&state.programs.directory);
    let title = page.t("Cơ quan", "Agencies");
    Ok(page.render(
        title,
        html! {
            h1 { (title) }
            @for kind in KIND_ORDER {
                @let members: Vec<_> = agencies.iter().filter(|a| a.kind == *kind).collect();
                @if !members.is_empty() {
                    section {
                        h2 { (kind_label(&page, kind)) " (" (members.len()) ")" }
                        ul.columns {
                            @for a in members {
                                li class=[a.valid_until.map(|_| "ended")] {
                                    a href={ "/agencies/" (a.code) } { (page.lang.pick(&a.name_vi, &a.name_en)) }
                                    @if let Some(until) = a.valid_until { " " small.muted { "(" (page.t("đến", "until")) " " (page.date(until)) ")" } }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// Which program's tasks an agency's page lists, when it has too many to list at once.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DetailQuery {
    program: Option<i64>,
}

/// An agency's page lists every task it answers for up to this many; beyond, a table of its
/// programs, and the tasks of one program at a time (a ministry answers for tens of thousands
/// at national scale).
const LIST_ALL_UP_TO: usize = 500;

pub async fn detail(
    page: Page,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<DetailQuery>,
) -> Result<Markup> {
    detail_markup(&page, &state, &code, &query, None).await
}

async fn detail_markup(
    page: &Page,
    state: &AppState,
    code: &str,
    query: &DetailQuery,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let agency = state.programs.agency_detail(code).await?;
    let focal = match page.actor(state) {
        Ok(actor) => focal_points::read(&actor, code).await?,
        Err(_) => None,
    };
    let name = page.lang.pick(&agency.name_vi, &agency.name_en);
    let by_program = agency.task_count > LIST_ALL_UP_TO;
    let Listed {
        shown,
        lead,
        coordinating,
    } = listed(&agency, by_program.then_some(query.program));
    Ok(page.render(
        name,
        html! {
            p.kicker { a href="/agencies" { (page.t("Cơ quan", "Agencies")) } " › " (kind_label(page, &agency.kind)) }
            h1 { (name) }
            p.muted { (page.lang.pick(&agency.name_en, &agency.name_vi)) }
            dl.meta {
                @if !agency.aliases.is_empty() { dt { (page.t("Tên gọi khác", "Also known as")) } dd { (agency.aliases.join("; ")) } }
                @if let Some(from) = agency.valid_from { dt { (page.t("Từ", "From")) } dd { (page.lang.date(from)) } }
                @if let Some(until) = agency.valid_until { dt { (page.t("Đến", "Until")) } dd { (page.lang.date(until)) } }
                @if !agency.successors.is_empty() {
                    dt { (page.t("Cơ quan kế nhiệm", "Successors")) }
                    dd { ul { @for s in &agency.successors {
                        li { a href={ "/agencies/" (s.code) } { (page.lang.pick(&s.name_vi, &s.name_en)) }
                             @if !s.functions.is_empty() { " — " small { (page.lang.functions(&s.functions)) } } }
                    } } }
                }
                @if !agency.predecessors.is_empty() {
                    dt { (page.t("Kế thừa từ", "Carries on the work of")) }
                    dd { ul { @for p in &agency.predecessors { li { a href={ "/agencies/" (p.code) } { (page.agency_name(p)) } } } } }
                }
                @if let Some(source) = &agency.source {
                    dt { (page.t("Nguồn", "Source")) }
                    dd.muted.source { (page.lang.pick(agency.source_vi.as_deref().unwrap_or(source), source)) }
                }
            }
            @if let Some(focal) = &focal { (focal_section(page, &agency.code, focal, refusal)) }
            @if by_program {
                section #programs {
                    h2 { (page.t("Chương trình", "Programs")) " (" (agency.programs.len()) ")" }
                    p.muted {
                        (page.t("Cơ quan thực hiện ", "The agency answers for ")) (agency.task_count)
                        (page.t(" nhiệm vụ; chọn một chương trình để xem các nhiệm vụ của chương trình đó.", " tasks; choose a program to see its tasks."))
                    }
                    table.programs {
                        thead { tr {
                            th { (page.t("Chương trình", "Program")) }
                            th.num { (page.t("Chủ trì", "Leads")) }
                            th.num { (page.t("Phối hợp", "Coordinates")) }
                        } }
                        tbody { @for p in &agency.programs {
                            tr aria-current=[shown.is_some_and(|s| s.program_id == p.program_id).then_some("true")] {
                                td { a href={ "/agencies/" (agency.code) "?program=" (p.program_id) "#tasks" } { (page.doc_number(p.program_number.as_deref().unwrap_or("—"))) } }
                                td.num { (p.lead) }
                                td.num { (p.coordinating) }
                            }
                        } }
                    }
                }
            }
            @if let Some(p) = shown {
                h2 #tasks { (page.t("Nhiệm vụ trong ", "Tasks in ")) a href={ "/programs/" (p.program_id) } { (page.doc_number(p.program_number.as_deref().unwrap_or("—"))) } }
            }
            section {
                h2 { (page.t("Nhiệm vụ chủ trì", "Tasks it leads")) " (" (lead.len()) ")" }
                (agency_tasks(page, &lead))
            }
            section {
                h2 { (page.t("Nhiệm vụ phối hợp", "Tasks it coordinates")) " (" (coordinating.len()) ")" }
                (agency_tasks(page, &coordinating))
            }
        },
    ))
}

/// The tasks an agency's page lists.
struct Listed<'a> {
    /// The one program whose tasks are listed, when they are listed a program at a time.
    shown: Option<&'a AgencyProgram>,
    lead: Vec<&'a AgencyTask>,
    coordinating: Vec<&'a AgencyTask>,
}

/// Every task of `agency` (`by_program` is `None`), or a program's at a time: the one asked
/// for when the agency has tasks in it, else the first.
fn listed(agency: &AgencyDetail, by_program: Option<Option<i64>>) -> Listed<'_> {
    let shown = by_program.and_then(|asked| {
        asked
            .and_then(|id| agency.programs.iter().find(|p| p.program_id == id))
            .or_else(|| agency.programs.first())
    });
    let (lead, coordinating) = agency
        .tasks
        .iter()
        .filter(|t| shown.is_none_or(|p| p.program_id == t.task.program_id))
        .partition(|t| t.role == "lead");
    Listed {
        shown,
        lead,
        coordinating,
    }
}

fn agency_tasks(page: &Page, tasks: &[&AgencyTask]) -> Markup {
    html! {
        @if tasks.is_empty() { p.muted { "—" } } @else {
            table.tasks {
                thead { tr {
                    th { (page.t("Chương trình", "Program")) }
                    th { (page.t("STT", "No.")) }
                    th { (page.t("Tên nhiệm vụ", "Task")) }
                    th { (page.t("Qua", "Through")) }
                    th { (page.t("Thời gian thực hiện", "Time frame")) }
                } }
                tbody { @for t in tasks {
                    tr {
                        td { a href={ "/programs/" (t.task.program_id) } { (page.doc_number(t.program_number.as_deref().unwrap_or("—"))) } }
                        td.code { a href={ "/programs/" (t.task.program_id) "/tasks/" (t.task.code) } { (t.task.code) } }
                        td { a href={ "/programs/" (t.task.program_id) "/tasks/" (t.task.code) } { (t.task.title) } }
                        td { @match t.via.kind.as_str() {
                            "direct" => { (page.t("trực tiếp", "named")) },
                            "set" => { (page.lang.pick(&t.via.name_vi, &t.via.name_en)) },
                            _ => { (page.t("kế nhiệm ", "successor of ")) a href={ "/agencies/" (t.via.code) } { (page.lang.pick(&t.via.name_vi, &t.via.name_en)) } },
                        } }
                        td { (page.time_frame(&t.task.time_frame)) }
                    }
                } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dongbo_programs::views::{AgencyCell, TaskView, TimeFrameView, Via};

    fn task(program_id: i64, code: &str, role: &str) -> AgencyTask {
        let cell = AgencyCell {
            text: String::new(),
            agencies: Vec::new(),
            sets: Vec::new(),
            unresolved: Vec::new(),
            participants: Vec::new(),
        };
        AgencyTask {
            program_number: Some(format!("{program_id}/NQ-CP")),
            role: role.to_owned(),
            via: Via {
                kind: "direct".to_owned(),
                code: "BVHTTDL".to_owned(),
                name_vi: String::new(),
                name_en: String::new(),
            },
            task: TaskView {
                program_id,
                code: code.to_owned(),
                group: "I".to_owned(),
                title: format!("Nhiệm vụ {code}"),
                expected_output: None,
                lead: cell.clone(),
                coordinating: cell,
                time_frame: TimeFrameView {
                    text: "2026".to_owned(),
                    kind: "year".to_owned(),
                    start: None,
                    due: None,
                    recurrence: "none".to_owned(),
                },
                draft: false,
                language: None,
            },
        }
    }

    fn agency(tasks: Vec<AgencyTask>, programs: &[(i64, usize, usize)]) -> AgencyDetail {
        AgencyDetail {
            code: "BVHTTDL".to_owned(),
            kind: "ministry".to_owned(),
            name_vi: "Bộ Văn hóa, Thể thao và Du lịch".to_owned(),
            name_en: String::new(),
            aliases: Vec::new(),
            valid_from: None,
            valid_until: None,
            successors: Vec::new(),
            predecessors: Vec::new(),
            source: None,
            source_vi: None,
            programs: programs
                .iter()
                .map(|&(program_id, lead, coordinating)| AgencyProgram {
                    program_id,
                    program_number: Some(format!("{program_id}/NQ-CP")),
                    lead,
                    coordinating,
                })
                .collect(),
            task_count: tasks.len(),
            tasks,
        }
    }

    fn codes(tasks: &[&AgencyTask]) -> Vec<String> {
        tasks
            .iter()
            .map(|t| format!("{}:{}", t.task.program_id, t.task.code))
            .collect()
    }

    #[test]
    fn an_agency_page_lists_every_task_or_one_programs_at_a_time() {
        let agency = agency(
            vec![
                task(3, "1.1", "lead"),
                task(3, "1.2", "coordinating"),
                task(7, "2.1", "lead"),
                task(7, "2.2", "lead"),
            ],
            &[(3, 1, 1), (7, 2, 0)],
        );
        let all = listed(&agency, None);
        assert!(all.shown.is_none());
        assert_eq!(codes(&all.lead), ["3:1.1", "7:2.1", "7:2.2"]);
        assert_eq!(codes(&all.coordinating), ["3:1.2"]);

        let first = listed(&agency, Some(None));
        assert_eq!(first.shown.map(|p| p.program_id), Some(3));
        assert_eq!(codes(&first.lead), ["3:1.1"]);
        assert_eq!(codes(&first.coordinating), ["3:1.2"]);

        let asked = listed(&agency, Some(Some(7)));
        assert_eq!(asked.shown.map(|p| p.program_id), Some(7));
        assert_eq!(codes(&asked.lead), ["7:2.1", "7:2.2"]);
        assert!(asked.coordinating.is_empty());

        // A program the agency has no task in shows the first.
        let unknown = listed(&agency, Some(Some(99)));
        assert_eq!(unknown.shown.map(|p| p.program_id), Some(3));
    }
}

/// The agency's focal points, for its administrators: who its reminders go to, why the system
/// may show them (the purpose and the legal basis in force; this showing is logged), and the
/// form that changes them.
fn focal_section(
    page: &Page,
    code: &str,
    focal: &FocalPoints,
    refusal: Option<&Refusal>,
) -> Markup {
    let stored: String = focal
        .points
        .iter()
        .map(|p| {
            if p.name.is_empty() {
                p.email.clone()
            } else {
                format!("{} <{}>", p.name, p.email)
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let typed = form::typed(refusal, "focal_points", &stored);
    html! {
        section #focal-points {
            h2 { (page.t("Đầu mối nhận thông báo, đôn đốc", "Focal points for notices and reminders")) }
            @if focal.points.is_empty() {
                p.muted #no-focal-points { (page.t("Chưa có đầu mối nào: thông báo chỉ đến những người dùng của cơ quan đã đặt địa chỉ.", "No focal point yet: notices reach only the agency's users who set an address.")) }
            } @else {
                ul #focal-point-list {
                    @for p in &focal.points {
                        li { @if !p.name.is_empty() { (p.name) " — " } a href={ "mailto:" (p.email) } { (p.email) } }
                    }
                }
            }
            p.muted #legal-basis {
                (page.t("Dữ liệu cá nhân, chỉ quản trị viên của cơ quan được xem; mỗi lần xem được ghi nhật ký. Mục đích: ", "Personal data, shown only to the agency's administrators; every showing is logged. Purpose: "))
                (page.t(&focal.purpose.name_vi, &focal.purpose.name_en)) ". "
                (page.t("Căn cứ: ", "Legal basis: ")) (focal.basis.citation()) " — "
                (page.t(&focal.basis.summary_vi, &focal.basis.summary_en)) "."
            }
            (form::summary(page, refusal))
            form #focal-points-form method="post" action={ "/agencies/" (code) "/focal-points" } {
                (page.csrf_field())
                label for="focal_points" { (page.t("Mỗi dòng một người: Họ và tên <địa chỉ thư điện tử>", "One person a line: Full name <e-mail address>")) }
                textarea #focal_points name="focal_points" rows="4"
                    aria-invalid=[form::invalid(refusal, "focal_points")] aria-describedby=[form::described_by(refusal, "focal_points")] { (typed) }
                (form::error(refusal, "focal_points"))
                button type="submit" { (page.t("Lưu đầu mối", "Save the focal points")) }
            }
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct FocalPointsForm {
    #[serde(default)]
    focal_points: String,
}

/// `POST /agencies/{code}/focal-points`: the agency's administrators replace its focal
/// points; a line without a valid address is refused beside the field, and nothing changes.
pub async fn set_focal_points(
    page: Page,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Form(form): Form<FocalPointsForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    match focal_points::set(&actor, &code, &form.focal_points).await {
        Ok(_) => Ok(Redirect::to(&format!("/agencies/{code}#focal-points")).into_response()),
        Err(error) => {
            let refusal = Refusal::of(
                "focal-points-form",
                vec![("focal_points".to_owned(), form.focal_points)],
                error,
            )?
            .placed_at("focal_points");
            let shown = page.showing(format!("/agencies/{code}"), String::new());
            let query = DetailQuery::default();
            Ok(Refusal::answer(
                detail_markup(&shown, &state, &code, &query, Some(&refusal)).await?,
            ))
        }
    }
}
