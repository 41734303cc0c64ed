//! Pages for the agency directory: the list by kind, and one agency with every task it leads
//! or coordinates, directly, through agency sets and as a successor.

use axum::extract::{Path, State};
use maud::{Markup, html};

use super::Page;
use crate::error::Result;
use crate::model::AgencyTask;
use crate::{AppState, load};

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
    let agencies = load::agency_list(&state.directory);
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
                                    @if let Some(until) = a.valid_until { " " small.muted { "(" (page.t("đến", "until")) " " (page.lang.short_date(until)) ")" } }
                                }
                            }
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
    Path(code): Path<String>,
) -> Result<Markup> {
    let agency = state.agency_detail(&code).await?;
    let name = page.lang.pick(&agency.name_vi, &agency.name_en);
    let (lead, coordinating): (Vec<&AgencyTask>, Vec<&AgencyTask>) =
        agency.tasks.iter().partition(|t| t.role == "lead");
    Ok(page.render(
        name,
        html! {
            p.kicker { a href="/agencies" { (page.t("Cơ quan", "Agencies")) } " › " (kind_label(&page, &agency.kind)) }
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
                @if let Some(source) = &agency.source { dt { (page.t("Nguồn", "Source")) } dd.muted { (source) } }
            }
            section {
                h2 { (page.t("Nhiệm vụ chủ trì", "Tasks it leads")) " (" (lead.len()) ")" }
                (agency_tasks(&page, &lead))
            }
            section {
                h2 { (page.t("Nhiệm vụ phối hợp", "Tasks it coordinates")) " (" (coordinating.len()) ")" }
                (agency_tasks(&page, &coordinating))
            }
        },
    ))
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
                        td { a href={ "/programs/" (t.task.program_id) } { (t.program_number.as_deref().unwrap_or("—")) } }
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
