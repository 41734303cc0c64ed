//! Đánh giá theo giai đoạn — a program's scorecard over a phase (3, 5 or 10 years from its
//! first year, or any range): the program's figures, one line per agency, the course over time
//! as charts, and the same as DOCX or XLSX.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use dongbo_domain::scorecard::Score;
use maud::{Markup, html};

use super::{Page, chart};
use crate::AppState;
use crate::error::{Error, Result};
use dongbo_programs::evaluation::{PRESET_YEARS, Phase, PhaseQuery, program_start, scorecard};

fn percent(value: Option<f64>) -> String {
    value.map_or_else(
        || "—".to_owned(),
        |v| dongbo_publish::Cell::Percent(v).display(),
    )
}

/// The phase of the query string, and the query to keep in links.
fn query_of(query: &PhaseQuery, phase: &Phase) -> String {
    match query.years {
        Some(years) if query.from.is_none() => format!("years={years}"),
        _ => format!("from={}&to={}", phase.from, phase.to),
    }
}

/// `GET /programs/{id}/evaluation`.
pub async fn page(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<PhaseQuery>,
) -> Result<Markup> {
    page.caller()?;
    let stored = state.programs.stored_now(id).await?;
    let stored = Option::as_ref(&stored).ok_or(Error::NotFound)?;
    let today = state.today();
    let start = program_start(&stored.program, today);
    let phase = query.phase(start, page.lang)?;
    let (card, names) = scorecard(&state.programs, id, &phase, today, page.lang).await?;
    let kept = query_of(&query, &phase);
    let title = page.t("Đánh giá theo giai đoạn", "Evaluation by phase");
    let program_name = stored
        .program
        .document
        .number
        .clone()
        .unwrap_or_else(|| stored.program.document.title.clone());
    let mut agencies: Vec<(&String, &Score)> = card
        .agencies
        .iter()
        .map(|a| {
            (
                names.get(&a.agency_code).unwrap_or(&a.agency_code),
                &a.score,
            )
        })
        .collect();
    agencies.sort_by_cached_key(|(name, _)| dongbo_domain::text::fold(name));
    let points = |pick: fn(&dongbo_domain::scorecard::Point) -> Option<f64>| -> Vec<chart::Point> {
        card.series
            .iter()
            .filter_map(|p| {
                pick(p).map(|value| chart::Point {
                    label: page.lang.short_date(p.date),
                    value,
                })
            })
            .collect()
    };
    let done = points(|p| p.done_percent);
    let on_time = points(|p| p.reports_on_time_percent);
    let draw = |id: &str, title: &str, points: &[chart::Point]| {
        if points.is_empty() {
            chart::empty(page.t(
                "Chưa có số liệu trong giai đoạn.",
                "No figures in the phase yet.",
            ))
        } else {
            chart::svg(&chart::Chart {
                id,
                title,
                kind: chart::Kind::Line,
                points,
                reference: None,
                unit: "%",
            })
        }
    };
    let p = &card.program;
    let body = html! {
        p.crumbs { a href={ "/programs/" (id) } { (program_name) } " › " (title) }
        h1 { (title) }
        nav.phases aria-label=(page.t("Giai đoạn", "Phase")) {
            @for years in PRESET_YEARS {
                a.phase href={ "/programs/" (id) "/evaluation?years=" (years) } aria-current=[(query.from.is_none() && query.years.unwrap_or(3) == years).then_some("page")] {
                    (years) " " (page.t("năm", "years"))
                }
                " "
            }
        }
        form.filters method="get" action={ "/programs/" (id) "/evaluation" } {
            label for="from" { (page.t("Từ ngày", "From")) }
            input #from type="date" name="from" value=(phase.from);
            label for="to" { (page.t("Đến ngày", "To")) }
            input #to type="date" name="to" value=(phase.to);
            button type="submit" { (page.t("Xem", "Show")) }
        }
        p #phase-summary {
            (page.t("Giai đoạn", "Phase")) " " (page.lang.short_date(card.from)) " – " (page.lang.short_date(card.to))
            "; " (page.t("số liệu tính đến", "figures as of")) " " (page.lang.short_date(card.as_of)) "."
        }
        p.exports {
            a #export-docx href={ "/programs/" (id) "/evaluation/export/docx?" (kept) } { (page.t("Tải DOCX", "Download DOCX")) }
            " · "
            a #export-xlsx href={ "/programs/" (id) "/evaluation/export/xlsx?" (kept) } { (page.t("Tải XLSX", "Download XLSX")) }
        }
        div.cards #program-score {
            div.card { strong { (percent(p.work.done_on_time_percent())) } br; (page.t("nhiệm vụ hoàn thành đúng hạn", "of work done on time")) " (" (p.work.due) ")" }
            div.card { strong { (percent(p.work.done_late_percent())) } br; (page.t("hoàn thành quá hạn", "done late")) }
            div.card { strong { (percent(p.work.not_done_percent())) } br; (page.t("chưa hoàn thành", "not done")) }
            div.card { strong { (percent(p.reports.on_time_percent())) } br; (page.t("báo cáo đúng hạn", "of reports on time")) " (" (p.reports.expected) ")" }
            div.card { strong { (percent(p.indicators.met_percent())) } br; (page.t("chỉ tiêu đạt", "of indicators met")) " (" (p.indicators.tracked) ")" }
        }
        h2 { (page.t("Diễn biến theo thời gian", "Over time")) }
        div.charts {
            figure {
                figcaption { (page.t("Tỷ lệ nhiệm vụ đã hoàn thành", "Share of the work done")) }
                (draw("chart-done", page.t("Tỷ lệ nhiệm vụ đã hoàn thành", "Share of the work done"), &done))
            }
            figure {
                figcaption { (page.t("Tỷ lệ báo cáo gửi đúng hạn", "Share of reports on time")) }
                (draw("chart-on-time", page.t("Tỷ lệ báo cáo gửi đúng hạn", "Share of reports on time"), &on_time))
            }
        }
        h2 { (page.t("Theo cơ quan", "By agency")) }
        div.table-wrap {
            table #scorecard {
                thead { tr {
                    th { (page.t("Cơ quan", "Agency")) }
                    th { (page.t("Nhiệm vụ đến hạn", "Work due")) }
                    th { (page.t("Đúng hạn", "On time")) }
                    th { (page.t("Quá hạn", "Late")) }
                    th { (page.t("Chưa xong", "Not done")) }
                    th { (page.t("Báo cáo phải gửi", "Reports due")) }
                    th { (page.t("Đúng hạn", "On time")) }
                    th { (page.t("Muộn", "Late")) }
                    th { (page.t("Thiếu", "Missing")) }
                    th { (page.t("Chỉ tiêu", "Indicators")) }
                    th { (page.t("Đạt", "Met")) }
                } }
                tbody {
                    tr.total {
                        th { (page.t("Toàn chương trình", "Whole program")) }
                        (row(p))
                    }
                    @for (name, score) in &agencies {
                        tr { th { (name) } (row(score)) }
                    }
                }
            }
        }
    };
    Ok(page.render(title, body))
}

fn row(score: &Score) -> Markup {
    html! {
        td.num { (score.work.due) }
        td.num { (percent(score.work.done_on_time_percent())) }
        td.num { (percent(score.work.done_late_percent())) }
        td.num { (percent(score.work.not_done_percent())) }
        td.num { (score.reports.expected) }
        td.num { (percent(score.reports.on_time_percent())) }
        td.num { (percent(score.reports.late_percent())) }
        td.num { (percent(score.reports.missing_percent())) }
        td.num { (score.indicators.tracked) }
        td.num { (percent(score.indicators.met_percent())) }
    }
}

/// `GET /programs/{id}/evaluation/export/{format}`: the scorecard as DOCX or XLSX.
pub async fn export(
    page: Page,
    State(state): State<AppState>,
    Path((id, format)): Path<(i64, String)>,
    Query(query): Query<PhaseQuery>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let (phase, media, bytes) = dongbo_programs::evaluation::export(&actor, id, &query, &format)
        .await?
        .ok_or(Error::NotFound)?;
    let name = format!(
        "danh-gia-{}-{}.{}",
        phase.from,
        phase.to,
        if media == dongbo_programs::reports::MediaType::Docx {
            "docx"
        } else {
            "xlsx"
        }
    );
    Ok(super::attachment(media, &name, bytes))
}
