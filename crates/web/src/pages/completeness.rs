//! Tình hình gửi báo cáo — a program's completeness and timeliness for one reporting regime and
//! period: per agency expected, submitted, on time, late, missing and accepted reports, whether
//! its report is complete, the agencies holding the program's report back, the figures over
//! the regime's recent periods, and (for the coordinator) the form that sets the program's
//! reporting regimes (chế độ báo cáo). Figures from `dongbo_programs::views::completeness`, writes through
//! `crate::actions`.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use dongbo_domain::completeness::Counts;
use dongbo_domain::{DeadlineRule, PeriodKind, RegimePeriod, Reporters, ReportingRegime};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::Page;
use super::form::{self, Refusal};
use super::reports::period_with_window_under;
use crate::AppState;
use crate::error::{Error, Result};
use dongbo_programs::regimes::RegimeInput;
use dongbo_programs::views::CompletenessView;
use dongbo_programs::views::agency_ref;

#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    /// The regime's key ("annual", "quarterly", a phase's "2024-01-01..2026-12-31"); the
    /// program's default regime when absent.
    regime: Option<String>,
    /// A period code of the regime; its current period when absent.
    period: Option<String>,
    /// "1": only the agencies whose report is not complete.
    incomplete: Option<String>,
    /// Judge as of this day (YYYY-MM-DD); today when absent.
    on: Option<String>,
}

/// A regime's period with its window and deadline: "Năm 2025: 15/12/2024 – 14/12/2025 (hạn gửi
/// 15/12/2025)", or a phase's name with its range.
pub(super) fn period_label(page: &Page, period: &RegimePeriod, rule: &DeadlineRule) -> String {
    match period {
        RegimePeriod::Decree09(p) => period_with_window_under(page, *p, rule),
        RegimePeriod::Phase(phase) => format!(
            "{}: {} – {} ({} {})",
            phase.label(),
            page.lang.short_date(phase.start()),
            page.lang.short_date(phase.end()),
            page.t("hạn gửi", "due"),
            page.lang.short_date(period.deadline(rule, &[])),
        ),
    }
}

fn regime_label(page: &Page, regime: &ReportingRegime) -> String {
    match page.lang {
        crate::i18n::Lang::Vi => regime.label_vi(),
        crate::i18n::Lang::En => regime.label_en(),
    }
}

/// One bar per period: on time, late and missing reports.
fn series_chart(view: &CompletenessView) -> Markup {
    let width = 60.0;
    let height = 120.0;
    let most = view
        .computed
        .series
        .iter()
        .map(|p| p.total.expected)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut parts = String::new();
    for (i, point) in view.computed.series.iter().enumerate() {
        let x = i as f64 * (width + 10.0);
        let mut y = height;
        for (n, colour, what) in [
            (point.total.on_time, "#2f855a", "on_time"),
            (point.total.late, "#b7791f", "late"),
            (point.total.missing, "#c53030", "missing"),
        ] {
            if n == 0 {
                continue;
            }
            let h = height * f64::from(n) / most;
            y -= h;
            parts.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{width}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{} {what}: {n}</title></rect>",
                point.period
            ));
        }
        parts.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            x + width / 2.0,
            height + 14.0,
            point.period
        ));
    }
    let total_width = view.computed.series.len() as f64 * (width + 10.0);
    html! {
        svg.chart #series-chart width=(total_width) height=(height + 20.0) viewBox={ "0 0 " (total_width) " " (height + 20.0) } role="img" { (PreEscaped(parts)) }
    }
}

pub async fn page(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(filters): Query<Filters>,
) -> Result<Markup> {
    show(&page, &state, id, &filters, None).await
}

async fn show(
    page: &Page,
    state: &AppState,
    id: i64,
    filters: &Filters,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let caller = page.caller()?.clone();
    let directory = state.programs.directory_with_units().await?;
    let today = dongbo_programs::input::parse_date("on", filters.on.as_deref().unwrap_or(""))?
        .unwrap_or_else(|| state.today());
    let view = dongbo_programs::views::completeness(
        &state.programs,
        id,
        filters.regime.as_deref(),
        filters.period.as_deref(),
        today,
    )
    .await
    .map_err(|e| match Error::from(e) {
        Error::Invalid(errors) => Error::BadRequest(
            errors
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => other,
    })?;
    let stamp = state.programs.dashboard_stamp(id).await?;
    let program = state.programs.program_detail(id, stamp).await?;
    let may_set = dongbo_programs::regimes::may_set_regimes(
        &caller,
        &dongbo_programs::views::coordinating_agency(&program),
        &directory,
    );
    let kept = Refusal::of_form(refusal, "regime-form");
    let figures = &view.computed.figures;
    let only_incomplete = filters.incomplete.as_deref() == Some("1");
    let rule = &view.regime.rule;
    let regime_key = view.regime.key();
    let name = program.number.as_deref().unwrap_or(&program.title);
    let heading = format!(
        "{} — {}",
        page.t("Tình hình gửi báo cáo", "Report completeness"),
        name
    );
    // The agency's assignments owing the period's report on the dashboard (a Decree 09 period),
    // else its assignments.
    let agency_link = |code: &str| match &view.period {
        RegimePeriod::Decree09(p) => format!(
            "/programs/{id}/dashboard?agency={code}&period={}&missing=1#tasks",
            p.code()
        ),
        RegimePeriod::Phase(_) => format!("/programs/{id}/dashboard?agency={code}#tasks"),
    };
    let counts_cells = |c: &Counts| {
        html! {
            td.num.expected { (c.expected) }
            td.num.submitted { (c.submitted) }
            td.num.on-time { (c.on_time) }
            td.num.late { (c.late) }
            td.num.missing { (c.missing) }
            td.num.accepted { (c.accepted) }
        }
    };
    Ok(page.render(
        &heading,
        html! {
            p.kicker { a href={ "/programs/" (id) } { (name) } " · " a href={ "/programs/" (id) "/dashboard" } { (page.t("Bảng theo dõi", "Dashboard")) } }
            h1 { (page.t("Tình hình gửi báo cáo", "Report completeness")) }
            (form::summary(page, refusal))
            p #regime-period {
                strong { (regime_label(page, &view.regime)) } " — " (period_label(page, &view.period, rule))
                " · " (page.t(view.regime.reporters.label_vi(), view.regime.reporters.label_en()))
            }
            form.filters method="get" {
                label { (page.t("Chế độ báo cáo", "Reporting regime")) " "
                    select name="regime" {
                        @for r in view.regimes.iter() {
                            option value=(r.key()) selected[r.key() == regime_key] { (regime_label(page, r)) }
                        }
                    }
                }
                label { (page.t("Kỳ báo cáo", "Period")) " "
                    select name="period" {
                        @for p in view.periods.iter().rev() {
                            option value=(p.code()) selected[*p == view.period] { (period_label(page, p, rule)) }
                        }
                    }
                }
                label { input type="checkbox" name="incomplete" value="1" checked[only_incomplete]; " " (page.t("Chỉ cơ quan chưa hoàn thành", "Only agencies not complete")) }
                label { (page.t("Tính đến ngày", "As of")) " " input type="date" name="on" value=(today.to_string()); }
                button type="submit" { (page.t("Lọc", "Filter")) }
            }
            section #totals {
                h2 { (page.t("Toàn chương trình", "Whole program")) }
                p.big {
                    strong #complete-agencies { (figures.agencies.len() - figures.holding_back().count()) "/" (figures.agencies.len()) }
                    " " (page.t("cơ quan đã hoàn thành báo cáo kỳ này", "agencies have completed this period's report"))
                }
                table.totals {
                    thead { tr {
                        th { (page.t("Tính theo", "Counted in")) }
                        th { (page.t("Phải báo cáo", "Expected")) } th { (page.t("Đã gửi", "Submitted")) }
                        th { (page.t("Đúng hạn", "On time")) } th { (page.t("Muộn", "Late")) }
                        th { (page.t("Chưa gửi", "Missing")) } th { (page.t("Đã chấp nhận", "Accepted")) }
                    } }
                    tbody {
                        tr #agency-reports-line { th scope="row" { (page.t("Báo cáo của cơ quan", "Agency reports")) } (counts_cells(&figures.agency_reports)) }
                        tr #total-line { th scope="row" { (page.t("Theo nhiệm vụ", "Task reports")) } (counts_cells(&figures.total)) }
                    }
                }
            }
            section #holding-back {
                h2 { (page.t("Cơ quan chưa hoàn thành báo cáo kỳ này", "Agencies holding this period's report back")) }
                @if figures.holding_back().count() == 0 {
                    p.muted { (page.t("Mọi cơ quan đã hoàn thành.", "Every agency has completed it.")) }
                } @else {
                    ul {
                        @for a in figures.holding_back() {
                            li data-agency=(a.agency_code) {
                                a href=(agency_link(&a.agency_code)) { (page.agency_name(&agency_ref(&directory, &a.agency_code))) }
                                " — " (page.t("chưa gửi", "missing")) " " (a.counts.missing)
                                ", " (page.t("chờ chấp nhận", "awaiting acceptance")) " " (a.counts.submitted.saturating_sub(a.counts.accepted))
                            }
                        }
                    }
                }
            }
            section #by-agency {
                h2 { (page.t("Theo cơ quan", "By agency")) }
                table.agencies {
                    thead { tr {
                        th { (page.t("Cơ quan", "Agency")) }
                        th { (page.t("Phải báo cáo", "Expected")) } th { (page.t("Đã gửi", "Submitted")) }
                        th { (page.t("Đúng hạn", "On time")) } th { (page.t("Muộn", "Late")) }
                        th { (page.t("Chưa gửi", "Missing")) } th { (page.t("Đã chấp nhận", "Accepted")) }
                        th { (page.t("Hoàn thành", "Complete")) }
                        th { (page.t("Báo cáo của cơ quan", "Agency report")) }
                    } }
                    tbody {
                        @for a in figures.agencies.iter().filter(|a| !only_incomplete || !a.complete) {
                            tr data-agency=(a.agency_code) data-complete=(a.complete) {
                                td { a href=(agency_link(&a.agency_code)) { (page.agency_name(&agency_ref(&directory, &a.agency_code))) } }
                                (counts_cells(&a.counts))
                                td { @if a.complete { (page.t("Đã hoàn thành", "Complete")) } @else { (page.t("Chưa", "Not yet")) } }
                                td.agency-report {
                                    @if let RegimePeriod::Decree09(p) = &view.period {
                                        a href={ "/programs/" (id) "/agencies/" (a.agency_code) "/report?period=" (p.code()) } {
                                            @match a.sent_on {
                                                Some(day) if a.on_time(figures.deadline) => { (page.t("Gửi đúng hạn", "Sent on time")) " " (page.date(day)) }
                                                Some(day) => { (page.t("Gửi muộn", "Sent late")) " " (page.date(day)) }
                                                None => (page.t("Chưa gửi đủ", "Not sent whole")),
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section #series {
                h2 { (page.t("Qua các kỳ", "Over the periods")) }
                (series_chart(&view))
                table.series {
                    thead { tr {
                        th { (page.t("Kỳ", "Period")) } th { (page.t("Hạn gửi", "Due")) }
                        th { (page.t("Phải báo cáo", "Expected")) } th { (page.t("Đã gửi", "Submitted")) }
                        th { (page.t("Đúng hạn", "On time")) } th { (page.t("Muộn", "Late")) }
                        th { (page.t("Chưa gửi", "Missing")) } th { (page.t("Đã chấp nhận", "Accepted")) }
                    } }
                    tbody {
                        @for point in &view.computed.series {
                            tr data-period=(point.period) {
                                td { a href={ "/programs/" (id) "/completeness?regime=" (crate::error::urlencode(&regime_key)) "&period=" (crate::error::urlencode(&point.period)) } { (point.period) } }
                                td { (page.date(point.deadline)) }
                                (counts_cells(&point.total))
                            }
                        }
                    }
                }
            }
            section #regimes {
                h2 { (page.t("Chế độ báo cáo của chương trình", "The program's reporting regimes")) }
                table.regimes {
                    thead { tr {
                        th { (page.t("Báo cáo", "Report")) } th { (page.t("Cơ quan báo cáo", "Who reports")) }
                        th { (page.t("Hạn gửi (ngày làm việc sau ngày chốt số liệu)", "Due (working days after the cut-off)")) }
                        th { (page.t("Nguồn", "Source")) }
                        @if may_set { th {} }
                    } }
                    tbody {
                        @for r in view.regimes.iter() {
                            tr data-regime=(r.key()) {
                                td { (regime_label(page, r)) }
                                td { (page.t(r.reporters.label_vi(), r.reporters.label_en())) }
                                td.num { (r.rule.working_days_after_cutoff()) }
                                td { @if view.regimes.is_overridden(&r.key()) { (page.t("Chương trình quy định", "Set by the program")) } @else { (page.t("Mặc định theo Nghị định 09/2019/NĐ-CP", "Decree 09/2019 default")) } }
                                @if may_set {
                                    td { @if view.regimes.is_overridden(&r.key()) {
                                        form method="post" action={ "/programs/" (id) "/regimes/remove" } {
                                            (page.csrf_field())
                                            input type="hidden" name="key" value=(r.key());
                                            button type="submit" { (page.t("Bỏ", "Remove")) }
                                        }
                                    } }
                                }
                            }
                        }
                    }
                }
                @if may_set {
                    (regime_form(page, id, kept))
                }
            }
        },
    ))
}

/// The coordinator's form that sets one regime (adds it, or changes the one of the same kind
/// or phase), filled again as typed when refused.
fn regime_form(page: &Page, id: i64, kept: Option<&Refusal>) -> Markup {
    let typed = |field: &str, stored: &'static str| form::typed(kept, field, stored).to_owned();
    let kind = typed("kind", "quarterly");
    let reporters = typed("reporters", "every");
    html! {
        h3 { (page.t("Đặt chế độ báo cáo", "Set a reporting regime")) }
        form #regime-form method="post" action={ "/programs/" (id) "/regimes" } {
            (page.csrf_field())
            label for="kind" { (page.t("Loại kỳ", "Kind of period")) }
            select #kind name="kind" aria-invalid=[form::invalid(kept, "kind")] aria-describedby=[form::described_by(kept, "kind")] {
                @for k in PeriodKind::ALL {
                    option value=(k.as_str()) selected[kind == k.as_str()] { (page.t(k.label_vi(), k.label_en())) }
                }
                option value="phase" selected[kind == "phase"] { (page.t("Báo cáo giai đoạn", "Phase report")) }
            }
            (form::error(kept, "kind"))
            label for="reporters" { (page.t("Cơ quan báo cáo", "Who reports")) }
            select #reporters name="reporters" aria-invalid=[form::invalid(kept, "reporters")] aria-describedby=[form::described_by(kept, "reporters")] {
                @for r in Reporters::ALL {
                    option value=(r.as_str()) selected[reporters == r.as_str()] { (page.t(r.label_vi(), r.label_en())) }
                }
            }
            (form::error(kept, "reporters"))
            label for="working_days" { (page.t("Hạn gửi: số ngày làm việc sau ngày chốt số liệu (1–60)", "Due: working days after the cut-off (1–60)")) }
            input #working_days name="working_days" inputmode="numeric" value=(form::typed(kept, "working_days", "1"))
                aria-invalid=[form::invalid(kept, "working_days")] aria-describedby=[form::described_by(kept, "working_days")];
            (form::error(kept, "working_days"))
            fieldset {
                legend { (page.t("Giai đoạn (chỉ cho báo cáo giai đoạn)", "Phase (phase reports only)")) }
                label for="phase_label" { (page.t("Tên giai đoạn", "Name")) }
                input #phase_label name="phase_label" value=(form::typed(kept, "phase_label", "")) placeholder="Giai đoạn 2024–2026"
                    aria-invalid=[form::invalid(kept, "phase_label")] aria-describedby=[form::described_by(kept, "phase_label")];
                (form::error(kept, "phase_label"))
                label for="phase_start" { (page.t("Từ ngày", "From")) }
                input #phase_start type="date" name="phase_start" value=(form::typed(kept, "phase_start", ""))
                    aria-invalid=[form::invalid(kept, "phase_start")] aria-describedby=[form::described_by(kept, "phase_start")];
                (form::error(kept, "phase_start"))
                label for="phase_end" { (page.t("Đến ngày", "To")) }
                input #phase_end type="date" name="phase_end" value=(form::typed(kept, "phase_end", ""))
                    aria-invalid=[form::invalid(kept, "phase_end")] aria-describedby=[form::described_by(kept, "phase_end")];
                (form::error(kept, "phase_end"))
            }
            button type="submit" { (page.t("Lưu chế độ báo cáo", "Save the regime")) }
        }
    }
}

/// The form's fields, as sent.
fn regime_input(pairs: &[(String, String)]) -> RegimeInput {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    RegimeInput {
        kind: value("kind"),
        reporters: value("reporters"),
        working_days: value("working_days"),
        phase_label: value("phase_label"),
        phase_start: value("phase_start"),
        phase_end: value("phase_end"),
    }
}

/// Sets a regime from the coordinator's form; refused input is shown again next to its field.
pub async fn set_regime(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let pairs = crate::auth::form_pairs(&String::from_utf8_lossy(&body));
    let input = regime_input(&pairs);
    let error = match dongbo_programs::regimes::set_regime(&actor, id, &input).await {
        Ok(regime) => {
            let key = crate::error::urlencode(&regime.key());
            return Ok(
                Redirect::to(&format!("/programs/{id}/completeness?regime={key}")).into_response(),
            );
        }
        Err(error) => error,
    };
    let values = pairs.into_iter().filter(|(k, _)| k != "csrf").collect();
    let refusal = Refusal::of("regime-form", values, error)?;
    let page = page.showing(format!("/programs/{id}/completeness"), String::new());
    let markup = show(&page, &state, id, &Filters::default(), Some(&refusal)).await?;
    Ok(Refusal::answer(markup))
}

/// Removes one of the program's own regimes.
pub async fn remove_regime(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let pairs = crate::auth::form_pairs(&String::from_utf8_lossy(&body));
    let key = pairs
        .iter()
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    dongbo_programs::regimes::remove_regime(&actor, id, &key).await?;
    Ok(Redirect::to(&format!("/programs/{id}/completeness")).into_response())
}
