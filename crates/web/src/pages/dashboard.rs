//! Bảng theo dõi — a program's dashboard: tasks by state and group, % done, the overdue list,
//! and per agency completion and timeliness. Computed on each request from the facts the store
//! keeps up to date on every report written, so it is right right after every write. Charts
//! are SVG drawn here: no script, no CDN.

use axum::extract::{Path, Query, State};
use dongbo_domain::WorkState;
use dongbo_domain::dashboard::{ProgramFigures, program_figures};
use dongbo_domain::state::StateCounts;
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::Page;
use crate::AppState;
use crate::error::Result;
use crate::load;
use crate::model::agency_ref;

#[derive(Debug, Deserialize)]
pub struct Filters {
    /// Only this task group.
    group: Option<String>,
    /// Only tasks in this state (`overdue_not_done`…).
    state: Option<String>,
    /// Judge the figures as of this day (YYYY-MM-DD); today when absent.
    on: Option<String>,
}

/// The colour of each state in the charts (also readable without colour: every bar has its
/// number and the table below repeats them).
fn colour(state: WorkState) -> &'static str {
    match state {
        WorkState::NotStarted => "#9aa5b1",
        WorkState::InProgress => "#3b82c4",
        WorkState::DoneOnTime => "#2f855a",
        WorkState::DoneLate => "#b7791f",
        WorkState::OverdueNotDone => "#c53030",
    }
}

fn label(page: &Page, state: WorkState) -> &'static str {
    page.t(state.label_vi(), state.label_en())
}

/// One horizontal bar split by state, with the counts written in it.
fn bar(counts: &StateCounts, width: f64) -> Markup {
    let total = counts.total().max(1) as f64;
    let mut x = 0.0;
    let mut parts = String::new();
    for state in WorkState::ALL {
        let n = counts.get(state);
        if n == 0 {
            continue;
        }
        let w = width * n as f64 / total;
        parts.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"0\" width=\"{w:.1}\" height=\"18\" fill=\"{}\"><title>{}: {n}</title></rect>",
            colour(state),
            state.as_str()
        ));
        if w > 18.0 {
            parts.push_str(&format!(
                "<text x=\"{:.1}\" y=\"13\" font-size=\"11\" fill=\"#fff\" text-anchor=\"middle\">{n}</text>",
                x + w / 2.0
            ));
        }
        x += w;
    }
    html! {
        svg.bar width=(width) height="18" viewBox={ "0 0 " (width) " 18" } role="img" { (PreEscaped(parts)) }
    }
}

pub async fn program_dashboard(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(filters): Query<Filters>,
) -> Result<Markup> {
    let caller = page.caller()?.clone();
    let directory = state.directory_with_units().await?;
    let program = load::program_detail(&state.db, &directory, id).await?;
    let can_remind = caller.can(
        dongbo_domain::access::Action::SendReminder,
        &load::coordinating_agency(&program),
        &directory,
    );
    let today = filters
        .on
        .as_deref()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let facts = state.dashboard_facts(id).await?;
    let figures: ProgramFigures = program_figures(&facts, today);
    let wanted_state = filters
        .state
        .as_deref()
        .and_then(|s| s.parse::<WorkState>().ok());
    let titles: std::collections::HashMap<&str, &str> = program
        .groups
        .iter()
        .flat_map(|g| g.tasks.iter())
        .map(|t| (t.code.as_str(), t.title.as_str()))
        .collect();
    let group_titles: std::collections::HashMap<&str, &str> = program
        .groups
        .iter()
        .map(|g| (g.code.as_str(), g.title.as_str()))
        .collect();
    let lines: Vec<_> = figures
        .task_lines
        .iter()
        .filter(|t| filters.group.as_deref().is_none_or(|g| g == t.group_code))
        .filter(|t| wanted_state.is_none_or(|s| s == t.state))
        .collect();
    let heading = format!(
        "{} — {}",
        page.t("Bảng theo dõi", "Dashboard"),
        program.number.as_deref().unwrap_or(&program.title)
    );
    Ok(page.render(
        &heading,
        html! {
            p.kicker { a href={ "/programs/" (id) } { (program.number.as_deref().unwrap_or(&program.title)) } }
            h1 { (page.t("Bảng theo dõi", "Dashboard")) }
            p.muted { (page.t("Tính đến", "As of")) " " (page.lang.date(today)) }
            section #summary {
                p.big {
                    strong #percent-done { (figures.tasks.percent_done().unwrap_or(0)) "%" }
                    " " (page.t("nhiệm vụ đã hoàn thành", "of tasks done"))
                    " (" (figures.tasks.done()) "/" (figures.tasks.total()) ")"
                }
                (bar(&figures.tasks, 600.0))
                ul.legend {
                    @for s in WorkState::ALL {
                        li data-state=(s.as_str()) {
                            span.swatch style={ "background:" (colour(s)) } {}
                            (label(&page, s)) ": " span.count { (figures.tasks.get(s)) }
                        }
                    }
                }
            }
            form.filters method="get" {
                label { (page.t("Nhóm", "Group")) " "
                    select name="group" {
                        option value="" { (page.t("Tất cả", "All")) }
                        @for g in &program.groups {
                            option value=(g.code) selected[filters.group.as_deref() == Some(g.code.as_str())] { (g.code) ". " (g.title) }
                        }
                    }
                }
                label { (page.t("Tình trạng", "State")) " "
                    select name="state" {
                        option value="" { (page.t("Tất cả", "All")) }
                        @for s in WorkState::ALL {
                            option value=(s.as_str()) selected[wanted_state == Some(s)] { (label(&page, s)) }
                        }
                    }
                }
                label { (page.t("Tính đến ngày", "As of")) " " input type="date" name="on" value=(today.to_string()); }
                button type="submit" { (page.t("Lọc", "Filter")) }
            }
            section #by-group {
                h2 { (page.t("Theo nhóm nhiệm vụ", "By task group")) }
                table {
                    tbody {
                        @for (group, counts) in &figures.groups {
                            tr {
                                td { (group) ". " (group_titles.get(group.as_str()).copied().unwrap_or("")) }
                                td { (bar(counts, 300.0)) }
                                td.num { (counts.percent_done().unwrap_or(0)) "%" }
                            }
                        }
                    }
                }
            }
            section #tasks {
                h2 { (page.t("Nhiệm vụ", "Tasks")) " (" (lines.len()) ")" }
                table.tasks {
                    thead { tr {
                        th { (page.t("STT", "No.")) } th { (page.t("Nhiệm vụ", "Task")) }
                        th { (page.t("Tình trạng", "State")) } th { (page.t("Tiến độ", "Progress")) } th { (page.t("Hạn", "Due")) }
                    } }
                    tbody {
                        @for t in &lines {
                            tr data-task=(t.task_code) data-state=(t.state.as_str()) {
                                td.code { a href={ "/programs/" (id) "/tasks/" (t.task_code) } { (t.task_code) } }
                                td { (titles.get(t.task_code.as_str()).copied().unwrap_or("")) }
                                td { span.state style={ "border-left:4px solid " (colour(t.state)) } { (label(&page, t.state)) } }
                                td.num { (t.progress) "%" }
                                td { @if let Some(d) = t.due { (page.lang.short_date(d)) } }
                            }
                        }
                    }
                }
            }
            section #by-agency {
                h2 { (page.t("Theo cơ quan", "By agency")) }
                table.agencies {
                    thead { tr {
                        th { (page.t("Cơ quan", "Agency")) } th { (page.t("Nhiệm vụ được giao", "Assignments")) }
                        th { (page.t("Hoàn thành", "Done")) } th { (page.t("Đúng hạn", "On time")) } th { (page.t("Quá hạn", "Overdue")) }
                    } }
                    tbody {
                        @for a in &figures.agencies {
                            tr data-agency=(a.agency_code) {
                                td { a href={ "/agencies/" (a.agency_code) } { (page.agency_name(&agency_ref(&directory, &a.agency_code))) } }
                                td { (bar(&a.counts, 200.0)) }
                                td.num { (a.counts.percent_done().unwrap_or(0)) "%" }
                                td.num { @match a.on_time_percent { Some(p) => { (p) "%" }, None => "—" } }
                                td.num { (a.counts.get(WorkState::OverdueNotDone)) }
                                @if can_remind {
                                    td { input type="checkbox" form="remind-form" name="agency" value=(a.agency_code)
                                        checked[a.counts.get(WorkState::OverdueNotDone) > 0]
                                        aria-label=(page.t("Chọn để đôn đốc", "Select to remind")); }
                                }
                            }
                        }
                    }
                }
            }
            @if can_remind {
                section #remind {
                    h2 { (page.t("Đôn đốc", "Send a reminder")) }
                    form #remind-form method="post" action={ "/programs/" (id) "/reminders" } {
                        (page.csrf_field())
                        label for="message" { (page.t("Nội dung đôn đốc gửi các cơ quan đã chọn ở bảng trên", "Message to the agencies ticked above")) }
                        textarea #message name="message" rows="3" required {}
                        button type="submit" { (page.t("Gửi đôn đốc", "Send reminder")) }
                    }
                }
            }
        },
    ))
}

/// A coordinator's reminder to the agencies ticked on the dashboard.
pub async fn send_reminder(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<axum::response::Response> {
    use axum::response::IntoResponse;
    let actor = page.actor(&state)?;
    // Several `agency` fields, one per ticked agency.
    let pairs = crate::auth::form_pairs(&String::from_utf8_lossy(&body));
    let agencies: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "agency")
        .map(|(_, v)| v.clone())
        .collect();
    let message = pairs
        .iter()
        .find(|(k, _)| k == "message")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let sent = crate::actions::send_reminder(&actor, id, &agencies, &message).await?;
    Ok(
        axum::response::Redirect::to(&format!("/programs/{id}/dashboard?reminded={sent}"))
            .into_response(),
    )
}
