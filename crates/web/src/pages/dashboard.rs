//! Bảng theo dõi — a program's dashboard: tasks by state and group, % done, the overdue list,
//! and per agency completion, timeliness and reports missing for a reporting period (filters
//! by group, agency, state and period work together). Computed on each request from the facts the store
//! keeps up to date on every report written, so it is right right after every write. Charts
//! are SVG drawn here: no script, no CDN.

use std::collections::{HashMap, HashSet};

use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use dongbo_domain::dashboard::agency_lines;
use dongbo_domain::state::StateCounts;
use dongbo_domain::{DeadlineRule, Period, PeriodKind, Role, WorkState};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::Page;
use super::completeness::period_label as regime_period_label;
use super::form::{self, Refusal};
use super::reports::period_with_window_under;
use crate::AppState;
use crate::error::Result;
use dongbo_programs::views::agency_ref;
use dongbo_programs::work::{self, Computed, missing_period};

#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    /// Only this task group: every figure of the page is for its tasks.
    group: Option<String>,
    /// Only this agency: its line of the agency table, and its assignments (with their own
    /// state) in the task table.
    agency: Option<String>,
    /// Only tasks (or, with `agency`, assignments) in this state (`overdue_not_done`…).
    state: Option<String>,
    /// The reporting period whose missing reports are counted: a period code ("2026-Q3") or a
    /// kind ("quarterly": its period as of the day); the current annual period when absent.
    period: Option<String>,
    /// "1": only the tasks (or assignments) still owing a report for the period.
    missing: Option<String>,
    /// Judge the figures as of this day (YYYY-MM-DD); today when absent.
    on: Option<String>,
    /// Which agencies the reminder form ticks: `all`, `overdue` (those with overdue work), or
    /// none when absent: nothing is sent to anyone the coordinator did not choose.
    remind: Option<String>,
}

impl Filters {
    /// The filters as a query string, with `changes` applied (a `None` value removes the key).
    fn query(&self, changes: &[(&str, Option<&str>)]) -> String {
        let mut pairs: Vec<(&str, &str)> = [
            ("group", self.group.as_deref()),
            ("agency", self.agency.as_deref()),
            ("state", self.state.as_deref()),
            ("period", self.period.as_deref()),
            ("missing", self.missing.as_deref()),
            ("on", self.on.as_deref()),
            ("remind", self.remind.as_deref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.filter(|v| !v.is_empty())?)))
        .collect();
        for (key, value) in changes {
            pairs.retain(|(k, _)| k != key);
            if let Some(value) = value {
                pairs.push((key, value));
            }
        }
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::error::urlencode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// The periods the dashboard's period filter offers: the current and the previous period of
/// each kind, and the one chosen.
fn period_options(today: NaiveDate, chosen: Period) -> Vec<Period> {
    let mut options = Vec::new();
    for kind in PeriodKind::ALL.iter().rev() {
        if let Ok(current) = missing_period(Some(kind.as_str()), today) {
            options.push(current);
            options.extend(current.previous());
        }
    }
    if !options.contains(&chosen) {
        options.insert(0, chosen);
    }
    options
}

/// One line of the task table: a task (its leads' state), or with an agency filter one of the
/// agency's assignments (its own state and role).
struct Row<'a> {
    task_code: &'a str,
    state: WorkState,
    progress: u8,
    due: Option<NaiveDate>,
    role: Option<Role>,
    /// Whether it still owes a report for the period.
    missing: bool,
}

/// The colour of each state in the charts (also readable without colour: every bar has its
/// number and the table below repeats them).
/// A state's colour in the bar; the legend's swatches and the table's marks take the same from
/// the style sheet (no inline styles: the pages' Content-Security-Policy forbids them).
pub(crate) fn colour(state: WorkState) -> &'static str {
    match state {
        WorkState::NotStarted => "#9aa5b1",
        WorkState::InProgress => "#3b82c4",
        WorkState::DoneOnTime => "#2f855a",
        WorkState::DoneLate => "#b7791f",
        WorkState::OverdueNotDone => "#c53030",
    }
}

pub(crate) fn label(page: &Page, state: WorkState) -> &'static str {
    page.t(state.label_vi(), state.label_en())
}

/// One horizontal bar split by state, with the counts written in it; each part's tooltip names
/// its state in the page's language ("Chưa bắt đầu: 19").
pub(crate) fn bar(page: &Page, counts: &StateCounts, width: f64) -> Markup {
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
            label(page, state)
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
    show_dashboard(&page, &state, id, &filters, None).await
}

/// The dashboard of program `id`, with a refused reminder filled as it was sent (the agencies
/// ticked, the message).
async fn show_dashboard(
    page: &Page,
    state: &AppState,
    id: i64,
    filters: &Filters,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let caller = page.caller()?.clone();
    let directory = state.programs.directory_with_units().await?;
    // One version for every read of the program below.
    let stamp = state.programs.dashboard_stamp(id).await?;
    let program = state.programs.program_detail(id, stamp).await?;
    let can_remind = caller.can(
        dongbo_domain::access::Action::SendReminder,
        &dongbo_programs::views::coordinating_agency(&program),
        &directory,
    );
    let today = filters
        .on
        .as_deref()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| state.today());
    let shown = Shown {
        directory: &directory,
        stamp,
        program: &program,
        can_remind,
        today,
    };
    // The reminder form holds the caller's CSRF token (and what a refused one typed): pages
    // without it are the same for every viewer of a version, and rendered once for them all.
    if refusal.is_none() && !can_remind {
        let key = (id, page.lang, filters.query(&[]), today);
        let rendered = state
            .dashboard_pages
            .get_or_read(key, stamp.version, async {
                let (heading, body) =
                    dashboard_page(page, state, id, filters, None, &shown).await?;
                Ok::<_, crate::error::Error>((heading, body.into_string()))
            })
            .await?;
        let (heading, body) = &*rendered;
        return Ok(page.render(heading, PreEscaped(body.clone())));
    }
    let (heading, body) = dashboard_page(page, state, id, filters, refusal, &shown).await?;
    Ok(page.render(&heading, body))
}

/// What [`show_dashboard`] read for a request, as of one stamp of the program.
struct Shown<'a> {
    directory: &'a dongbo_domain::Directory,
    stamp: dongbo_programs::reads::Stamp,
    program: &'a dongbo_programs::views::ProgramDetail,
    can_remind: bool,
    today: NaiveDate,
}

/// The dashboard's heading and body, without the site's frame.
async fn dashboard_page(
    page: &Page,
    state: &AppState,
    id: i64,
    filters: &Filters,
    refusal: Option<&Refusal>,
    shown: &Shown<'_>,
) -> Result<(String, Markup)> {
    let Shown {
        directory,
        stamp,
        program,
        can_remind,
        today,
    } = *shown;
    let version = stamp.version;
    let kept = Refusal::of_form(refusal, "remind-form");
    let period = missing_period(filters.period.as_deref(), today)?;
    let facts = state.programs.dashboard_facts_at(id, version).await?;
    let group = filters.group.as_deref().filter(|g| !g.is_empty());
    let agency = filters.agency.as_deref().filter(|a| !a.is_empty());
    let scoped = work::in_group(&facts, group);
    // Deadlines follow the program's regime of the period's kind, else Decree 09's default.
    let regimes = state.programs.regimes(id, stamp).await?;
    let rule_of = |kind: PeriodKind| {
        regimes
            .get(kind.as_str())
            .map_or_else(DeadlineRule::default, |r| r.rule)
    };
    let rule = rule_of(period.kind());
    let regime = regimes.default_regime();
    let computed = work::dashboard(&state.programs, id, stamp, group, today, period).await?;
    let Computed {
        figures,
        completeness,
        missing,
    } = &*computed;
    let is_missing = |agency: &str, task: &str, role: Option<Role>| {
        missing.get(agency).is_some_and(|owed| {
            owed.iter()
                .any(|(code, owing)| code == task && role.is_none_or(|r| r == *owing))
        })
    };
    let tasks_missing: HashSet<&str> = missing
        .values()
        .flatten()
        .map(|(code, _)| code.as_str())
        .collect();
    let wanted_state = filters
        .state
        .as_deref()
        .and_then(|s| s.parse::<WorkState>().ok());
    let only_missing = filters.missing.as_deref() == Some("1");
    let titles: HashMap<&str, &str> = program
        .groups
        .iter()
        .flat_map(|g| g.tasks.iter())
        .map(|t| (t.code.as_str(), t.title.as_str()))
        .collect();
    let group_titles: HashMap<&str, &str> = program
        .groups
        .iter()
        .map(|g| (g.code.as_str(), g.title.as_str()))
        .collect();
    let rows: Vec<Row> = match agency {
        Some(code) => agency_lines(&scoped, code, today)
            .into_iter()
            .map(|l| Row {
                task_code: &l.fact.task_code,
                state: l.state,
                progress: l.fact.progress,
                due: l.due,
                role: Some(l.fact.role),
                missing: is_missing(code, &l.fact.task_code, Some(l.fact.role)),
            })
            .collect(),
        None => figures
            .task_lines
            .iter()
            .map(|t| Row {
                task_code: &t.task_code,
                state: t.state,
                progress: t.progress,
                due: t.due,
                role: None,
                missing: tasks_missing.contains(t.task_code.as_str()),
            })
            .collect(),
    };
    let lines: Vec<&Row> = rows
        .iter()
        .filter(|r| wanted_state.is_none_or(|s| s == r.state))
        .filter(|r| !only_missing || r.missing)
        .collect();
    let agencies: Vec<_> = figures
        .agencies
        .iter()
        .filter(|a| agency.is_none_or(|code| code == a.agency_code))
        .collect();
    let period_label = period_with_window_under(page, period, &rule);
    let heading = format!(
        "{} — {}",
        page.t("Bảng theo dõi", "Dashboard"),
        program.number.as_deref().unwrap_or(&program.title)
    );
    Ok((
        heading,
        html! {
            p.kicker { a href={ "/programs/" (id) } { (program.number.as_deref().unwrap_or(&program.title)) } }
            h1 { (page.t("Bảng theo dõi", "Dashboard")) }
            p.muted { (page.t("Tính đến", "As of")) " " (page.lang.date(today)) }
            (form::summary(page, refusal))
            section #summary {
                p.big {
                    strong #percent-done { (figures.tasks.percent_done().unwrap_or(0)) "%" }
                    " " (page.t("nhiệm vụ đã hoàn thành", "of tasks done"))
                    " (" (figures.tasks.done()) "/" (figures.tasks.total()) ")"
                }
                (bar(page, &figures.tasks, 600.0))
                ul.legend {
                    @for s in WorkState::ALL {
                        li data-state=(s.as_str()) {
                            span.swatch data-state=(s.as_str()) {}
                            (label(page, s)) ": " span.count { (figures.tasks.get(s)) }
                        }
                    }
                }
            }
            @if let Some((current, figures)) = &completeness {
                section #completeness {
                    h2 { (page.t("Tình hình gửi báo cáo", "Report completeness")) }
                    p { (regime_period_label(page, current, &regime.rule)) }
                    p {
                        (page.t("Đã gửi", "Submitted")) " " strong.submitted { (figures.total.submitted) } "/" span.expected { (figures.total.expected) }
                        " · " (page.t("đúng hạn", "on time")) " " strong.on-time { (figures.total.on_time) }
                        " · " (page.t("muộn", "late")) " " strong.late { (figures.total.late) }
                        " · " (page.t("chưa gửi", "missing")) " " strong.missing { (figures.total.missing) }
                        " · " (page.t("đã chấp nhận", "accepted")) " " strong.accepted { (figures.total.accepted) }
                        " · " (page.t("cơ quan chưa hoàn thành", "agencies not complete")) " " strong.holding-back { (figures.holding_back().count()) }
                    }
                    p { a #completeness-link href={ "/programs/" (id) "/completeness?regime=" (crate::error::urlencode(&regime.key())) "&period=" (crate::error::urlencode(&current.code())) } { (page.t("Xem tình hình gửi báo cáo theo cơ quan", "Completeness by agency")) } }
                }
            }
            form.filters method="get" {
                label { (page.t("Nhóm", "Group")) " "
                    select name="group" {
                        option value="" { (page.t("Tất cả", "All")) }
                        @for g in &program.groups {
                            option value=(g.code) selected[filters.group.as_deref() == Some(g.code.as_str())] { (super::programs::group_heading(&g.code, &g.title)) }
                        }
                    }
                }
                label { (page.t("Tình trạng", "State")) " "
                    select name="state" {
                        option value="" { (page.t("Tất cả", "All")) }
                        @for s in WorkState::ALL {
                            option value=(s.as_str()) selected[wanted_state == Some(s)] { (label(page, s)) }
                        }
                    }
                }
                label { (page.t("Cơ quan", "Agency")) " "
                    select name="agency" {
                        option value="" { (page.t("Tất cả", "All")) }
                        @for a in &figures.agencies {
                            option value=(a.agency_code) selected[agency == Some(a.agency_code.as_str())] { (page.agency_name(&agency_ref(directory, &a.agency_code))) }
                        }
                    }
                }
                label { (page.t("Kỳ báo cáo", "Reporting period")) " "
                    select name="period" {
                        @for p in period_options(today, period) {
                            option value=(p.code()) selected[p == period] { (period_with_window_under(page, p, &rule_of(p.kind()))) }
                        }
                    }
                }
                label { input type="checkbox" name="missing" value="1" checked[only_missing]; " " (page.t("Chỉ nhiệm vụ còn thiếu báo cáo kỳ này", "Only work missing this period's report")) }
                label { (page.t("Tính đến ngày", "As of")) " " input type="date" name="on" value=(today.to_string()); }
                button type="submit" { (page.t("Lọc", "Filter")) }
            }
            section #by-group {
                h2 { (page.t("Theo nhóm nhiệm vụ", "By task group")) }
                table {
                    tbody {
                        @for (group, counts) in &figures.groups {
                            tr {
                                td { (super::programs::group_heading(group, group_titles.get(group.as_str()).copied().unwrap_or(""))) }
                                td { (bar(page, counts, 300.0)) }
                                td.num { (counts.percent_done().unwrap_or(0)) "%" }
                            }
                        }
                    }
                }
            }
            section #tasks {
                h2 { (page.t("Nhiệm vụ", "Tasks")) " (" (lines.len()) ")" }
                @if let Some(code) = agency {
                    p.muted #agency-filter { (page.t("Các nhiệm vụ được giao cho", "The assignments of")) " " (page.agency_name(&agency_ref(directory, code))) }
                }
                @if only_missing {
                    p.muted #missing-filter { (page.t("Còn thiếu báo cáo", "Missing the report for")) " " (period_label) }
                }
                table.tasks {
                    thead { tr {
                        th { (page.t("STT", "No.")) } th { (page.t("Nhiệm vụ", "Task")) }
                        @if agency.is_some() { th { (page.t("Vai trò", "Role")) } }
                        th { (page.t("Tình trạng", "State")) } th { (page.t("Tiến độ", "Progress")) } th { (page.t("Hạn", "Due")) }
                        th { (page.t("Báo cáo kỳ này", "This period's report")) }
                    } }
                    tbody {
                        @for t in &lines {
                            tr data-task=(t.task_code) data-state=(t.state.as_str()) data-missing=(t.missing) {
                                td.code { a href={ "/programs/" (id) "/tasks/" (t.task_code) } { (t.task_code) } }
                                td { (titles.get(t.task_code).copied().unwrap_or("")) }
                                @if let Some(role) = t.role {
                                    td { @if role == Role::Lead { (page.t("Chủ trì", "Lead")) } @else { (page.t("Phối hợp", "Coordinating")) } }
                                }
                                td { span.state data-state=(t.state.as_str()) { (label(page, t.state)) } }
                                td.num { (t.progress) "%" }
                                td { @if let Some(d) = t.due { (page.date(d)) } }
                                td { @if t.missing { (page.t("Còn thiếu", "Missing")) } }
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
                        th #missing-heading { (page.t("Thiếu báo cáo ", "Reports missing, ")) (period_label) }
                        @if can_remind { th #remind-heading { (page.t("Đôn đốc", "Remind")) } }
                    } }
                    tbody {
                        @for a in &agencies {
                            tr data-agency=(a.agency_code) {
                                td { a href={ "/agencies/" (a.agency_code) } { (page.agency_name(&agency_ref(directory, &a.agency_code))) } }
                                td { (bar(page, &a.counts, 200.0)) }
                                td.num { (a.counts.percent_done().unwrap_or(0)) "%" }
                                td.num { @match a.on_time_percent { Some(p) => { (p) "%" }, None => "—" } }
                                td.num { (a.counts.get(WorkState::OverdueNotDone)) }
                                td.num.missing {
                                    @let owed = missing.get(a.agency_code.as_str()).map_or(0, Vec::len);
                                    @if owed > 0 {
                                        a href={ "/programs/" (id) "/dashboard?" (filters.query(&[("agency", Some(&a.agency_code)), ("period", Some(&period.code())), ("missing", Some("1")), ("state", None)])) "#tasks" } { (owed) }
                                    } @else { "0" }
                                }
                                @if can_remind {
                                    td { input type="checkbox" form="remind-form" name="agency" value=(a.agency_code)
                                        checked[match kept {
                                            Some(k) => k.values("agency").any(|code| code == a.agency_code),
                                            None => match filters.remind.as_deref() {
                                                Some("all") => true,
                                                Some("overdue") => a.counts.get(WorkState::OverdueNotDone) > 0,
                                                _ => false,
                                            },
                                        }]
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
                    p #remind-choose {
                        (page.t("Chọn ở bảng trên: ", "Tick in the table above: "))
                        a #remind-all href={ "/programs/" (id) "/dashboard?" (filters.query(&[("remind", Some("all"))])) "#by-agency" } { (page.t("tất cả", "all")) }
                        " · "
                        a #remind-overdue href={ "/programs/" (id) "/dashboard?" (filters.query(&[("remind", Some("overdue"))])) "#by-agency" } { (page.t("các cơ quan có việc quá hạn", "the agencies with overdue work")) }
                        " · "
                        a #remind-none href={ "/programs/" (id) "/dashboard?" (filters.query(&[("remind", None)])) "#by-agency" } { (page.t("bỏ chọn", "none")) }
                    }
                    form #remind-form method="post" action={ "/programs/" (id) "/reminders" } {
                        (page.csrf_field())
                        (form::error(kept, "agencies"))
                        label for="message" { (page.t("Nội dung đôn đốc gửi các cơ quan đã chọn ở bảng trên", "Message to the agencies ticked above")) }
                        textarea #message name="message" rows="3" required
                            aria-invalid=[form::invalid(kept, "message")] aria-describedby=[form::described_by(kept, "message")] { (form::typed(kept, "message", "")) }
                        (form::error(kept, "message"))
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
    let error =
        match dongbo_programs::reminders::send_reminder_to(&actor, id, &agencies, &message).await {
            Ok(sent) => {
                // Sent on to the confirmation (a reload sends nothing twice): which agencies,
                // at which addresses.
                let mut query = format!("queued={}", sent.queued);
                for agency in &sent.agencies {
                    query.push_str("&agency=");
                    query.push_str(&crate::error::urlencode(&agency.agency_code));
                }
                return Ok(axum::response::Redirect::to(&format!(
                    "/programs/{id}/reminders/sent?{query}"
                ))
                .into_response());
            }
            Err(error) => error,
        };
    let values = pairs
        .into_iter()
        .filter(|(k, _)| k == "agency" || k == "message")
        .collect();
    let refusal = Refusal::of("remind-form", values, error)?;
    let page = page.showing(format!("/programs/{id}/dashboard"), String::new());
    let markup = show_dashboard(&page, &state, id, &Filters::default(), Some(&refusal)).await?;
    Ok(Refusal::answer(markup))
}

/// `GET /programs/{id}/reminders/sent?queued=N&agency=…`: the confirmation of a đôn đốc —
/// which agencies it went to and at which addresses they are e-mailed.
pub async fn reminders_sent_page(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: axum::http::Uri,
) -> Result<Markup> {
    let actor = page.actor(&state)?;
    let pairs = crate::auth::form_pairs(uri.query().unwrap_or(""));
    let agencies: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "agency")
        .map(|(_, v)| v.clone())
        .collect();
    let queued = pairs
        .iter()
        .find(|(k, _)| k == "queued")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(agencies.len());
    let reached = dongbo_programs::reminders::reminder_recipients(&actor, id, &agencies).await?;
    Ok(reminders_sent(&page, id, queued, &reached))
}

fn reminders_sent(
    page: &Page,
    id: i64,
    queued: usize,
    reached: &[dongbo_programs::reminders::Reminded],
) -> Markup {
    page.render(
        page.t("Đã gửi đôn đốc", "Reminder sent"),
        html! {
            h1 { (page.t("Đã gửi đôn đốc", "Reminder sent")) }
            p #reminder-summary role="status" {
                (page.t(
                    &format!("Đã gửi tới {} cơ quan. Thông báo hiện trong ứng dụng của các cơ quan và thư điện tử được gửi trong vòng một phút.", reached.len()),
                    &format!("Sent to {} agencies. The notice appears in their application and the e-mail goes within a minute.", reached.len()),
                ))
            }
            @if queued < reached.len() {
                p.muted { (page.t(
                    "Một số cơ quan vừa nhận đúng nội dung này trong cùng giây nên không nhận thêm lần nữa.",
                    "Some agencies got this very message in the same second, so they do not get it twice.")) }
            }
            table #reminded {
                thead { tr { th { (page.t("Cơ quan", "Agency")) } th { (page.t("Thư điện tử (ngay)", "E-mail (now)")) } th { (page.t("Thư tổng hợp hằng ngày", "Daily digest")) } } }
                tbody {
                    @for agency in reached {
                        tr data-agency=(agency.agency_code) {
                            td { (agency.agency_name) }
                            td.addresses {
                                @if agency.addresses.is_empty() { span.muted { (page.t("chưa có địa chỉ — chỉ thông báo trong ứng dụng", "no address — in the application only")) } }
                                @else { (agency.addresses.join(", ")) }
                            }
                            td.daily { (agency.daily_addresses.join(", ")) }
                        }
                    }
                }
            }
            p { a href={ "/programs/" (id) "/dashboard" } { (page.t("Về trang tổng hợp", "Back to the dashboard")) } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_style_sheet_colours_each_state_as_the_bar_does() {
        let sheet = include_str!("../../assets/style.css");
        for state in WorkState::ALL {
            let (name, colour) = (state.as_str(), colour(state));
            let swatch = format!(".swatch[data-state=\"{name}\"] {{ background: {colour}; }}");
            let mark =
                format!("span.state[data-state=\"{name}\"] {{ border-left: 4px solid {colour}; }}");
            assert!(sheet.contains(&swatch), "missing: {swatch}");
            assert!(sheet.contains(&mark), "missing: {mark}");
        }
    }
}
