//! Đánh giá theo giai đoạn — a program's scorecard over a phase (3, 5 or 10 years from its
//! first year, or any range): the program's figures, one line per agency, the course over time
//! as charts, and the same as a Decree 30 report in DOCX, XLSX or PDF, issued by the agency
//! the export form chooses (the program's coordinating ministry unless another is chosen).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use dongbo_domain::scorecard::Score;
use maud::{Markup, html};

use super::{Page, chart};
use crate::AppState;
use crate::error::{Error, Result};
use dongbo_programs::evaluation::{
    DocumentQuery, PRESET_YEARS, Phase, PhaseQuery, program_start, scorecard,
};

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
    let defaults = dongbo_programs::synthesis::issuer_defaults(&state.programs, id).await?;
    let default_issuer = defaults.issuer_code.clone().unwrap_or_default();
    let signature = defaults
        .signature
        .clone()
        .unwrap_or(dongbo_publish::Signature {
            authority: Some(dongbo_publish::Authority::Kt),
            on_behalf_of: "BỘ TRƯỞNG".to_owned(),
            position: "THỨ TRƯỞNG".to_owned(),
            name: String::new(),
        });
    let issuers: Vec<&dongbo_domain::Agency> = state
        .programs
        .directory
        .agencies
        .iter()
        .filter(|a| a.code != dongbo_domain::access::ROOT_AGENCY && a.valid_on(today))
        .collect();
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
            (page.t("Giai đoạn", "Phase")) " " (page.date(card.from)) " – " (page.date(card.to))
            "; " (page.t("số liệu tính đến", "figures as of")) " " (page.date(card.as_of)) "."
        }
        p.exports {
            a #export-docx href={ "/programs/" (id) "/evaluation/export/docx?" (kept) } { (page.t("Tải DOCX", "Download DOCX")) }
            " · "
            a #export-xlsx href={ "/programs/" (id) "/evaluation/export/xlsx?" (kept) } { (page.t("Tải XLSX", "Download XLSX")) }
            " · "
            a #export-pdf href={ "/programs/" (id) "/evaluation/export/pdf?" (kept) } { (page.t("Tải PDF", "Download PDF")) }
        }
        // The report as the issuing agency signs it: issuer, number, place, date, signer.
        details #export-document {
            summary { (page.t("Ban hành báo cáo đánh giá (cơ quan, số, ngày, người ký)", "Issue the evaluation report (agency, number, date, signer)")) }
            form.stack method="get" action={ "/programs/" (id) "/evaluation/export/docx" } {
                @if let Some(years) = query.years.filter(|_| query.from.is_none()) {
                    input type="hidden" name="years" value=(years);
                } @else {
                    input type="hidden" name="from" value=(phase.from);
                    input type="hidden" name="to" value=(phase.to);
                }
                label for="eval-issuer" { (page.t("Cơ quan ban hành", "Issuing agency")) }
                select #eval-issuer name="issuer" {
                    @for a in &issuers {
                        option value=(a.code) selected[a.code == default_issuer] { (page.t(&a.name_vi, &a.name_en)) }
                    }
                }
                label for="eval-number" { (page.t("Số, ký hiệu (để trống: số chờ cấp)", "Number (blank: to be given)")) }
                input #eval-number name="number" placeholder="15/BC-BVHTTDL";
                label for="eval-place" { (page.t("Địa danh (để trống: theo cơ quan ban hành)", "Place (blank: the issuer's)")) }
                input #eval-place name="place" placeholder="Hà Nội";
                label for="eval-date" { (page.t("Ngày ban hành", "Date")) }
                input #eval-date type="date" name="date" value=(today);
                label for="eval-authority" { (page.t("Thẩm quyền ký", "Signing authority")) }
                select #eval-authority name="authority" {
                    @for (value, label) in [("", "—"), ("TM", "TM."), ("KT", "KT."), ("TL", "TL."), ("Q", "Q."), ("TUQ", "TUQ.")] {
                        option value=(value) selected[signature.authority.map_or("", |a| a.abbreviation().trim_end_matches('.')) == value] { (label) }
                    }
                }
                label for="eval-on-behalf-of" { (page.t("Ký thay cho", "Signs for")) }
                input #eval-on-behalf-of name="on_behalf_of" value=(signature.on_behalf_of);
                label for="eval-position" { (page.t("Chức vụ người ký", "Signer's position")) }
                input #eval-position name="position" value=(signature.position);
                label for="eval-signer" { (page.t("Họ và tên người ký", "Signer's full name")) }
                input #eval-signer name="signer" value=(signature.name);
                div.actions {
                    button type="submit" formaction={ "/programs/" (id) "/evaluation/export/docx" } { "DOCX" }
                    button type="submit" formaction={ "/programs/" (id) "/evaluation/export/pdf" } { "PDF" }
                    button type="submit" formaction={ "/programs/" (id) "/evaluation/export/xlsx" } { "XLSX" }
                }
            }
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

/// `GET /programs/{id}/evaluation/export/{format}`: the evaluation report as DOCX, XLSX or
/// PDF, issued as the query says (by default by the program's coordinating ministry).
pub async fn export(
    page: Page,
    State(state): State<AppState>,
    Path((id, format)): Path<(i64, String)>,
    Query(query): Query<PhaseQuery>,
    Query(chosen): Query<DocumentQuery>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let (phase, media, bytes) =
        dongbo_programs::evaluation::export(&actor, id, &query, &chosen, &format)
            .await?
            .ok_or(Error::NotFound)?;
    let name = format!(
        "danh-gia-{}-{}.{}",
        phase.from,
        phase.to,
        match media {
            dongbo_programs::reports::MediaType::Docx => "docx",
            dongbo_programs::reports::MediaType::Pdf => "pdf",
            _ => "xlsx",
        }
    );
    Ok(super::attachment(media, &name, bytes))
}
