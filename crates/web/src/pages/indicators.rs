//! Chỉ tiêu in pages: a program's indicators at `/programs/{id}/indicators` (target as
//! written, latest value, what it achieves, tracking agency), and one indicator's page with
//! its values over time as a chart, its history, and — for those who may record values — the
//! form to record one. What a value achieves is computed (`dongbo_domain::indicator`), never
//! typed.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use dongbo_domain::indicator::{Achievement, Judgement, Verdict};
use dongbo_domain::{Directory, Period};
use dongbo_programs::indicators::{IndicatorSeries, RecordedValue};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::chart::{self, Chart, Kind, Point, Reference};
use super::form::{self, Refusal};
use crate::AppState;
use crate::error::{Error, Result};
use dongbo_programs::indicators::IndicatorValueInput;
use dongbo_programs::views::agency_ref;

/// The id of the form that records a value.
const FORM: &str = "indicator-value-form";

pub fn verdict_label(page: &Page, verdict: Verdict) -> &'static str {
    page.t(verdict.label_vi(), verdict.label_en())
}

fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Met => "verdict met",
        Verdict::NotMet => "verdict not-met",
        Verdict::NeedsJudgement => "verdict needs-judgement",
        Verdict::Pending => "verdict pending",
        Verdict::DirectionUnconfirmed => "verdict direction-unconfirmed",
    }
}

fn period_label(page: &Page, period: Period) -> String {
    match page.lang {
        crate::i18n::Lang::Vi => period.to_string(),
        crate::i18n::Lang::En => period.label_en(),
    }
}

/// "Năm 2025" for an annual period, "2025-Q2" elsewhere: short enough for a chart's axis.
fn axis_label(period: Period) -> String {
    match period.kind() {
        dongbo_domain::PeriodKind::Annual => period.year().to_string(),
        _ => period.code(),
    }
}

fn value_text(value: &RecordedValue, unit: &str) -> String {
    match &value.value {
        dongbo_domain::IndicatorValue::Number(_) if !unit.is_empty() => {
            format!("{} {unit}", value.value)
        }
        other => other.to_string(),
    }
}

fn agency_name(page: &Page, directory: &Directory, code: &str) -> String {
    page.agency_name(&agency_ref(directory, code)).to_owned()
}

/// `/programs/{id}/indicators`
pub async fn list(
    page: Page,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Markup> {
    let stamp = state.programs.dashboard_stamp(id).await?;
    let program = state.programs.program_detail(id, stamp).await?;
    let series = state.programs.indicators(id, stamp.version).await?;
    let series = series.as_slice();
    let directory = state.programs.directory_with_units().await?;
    let heading = program
        .number
        .clone()
        .unwrap_or_else(|| program.title.clone());
    Ok(page.render(
        &format!("{} — {heading}", page.t("Chỉ tiêu", "Indicators")),
        html! {
            p.kicker { a href={ "/programs/" (id) } { (heading) } }
            h1 { (page.t("Chỉ tiêu", "Indicators")) }
            @if series.is_empty() {
                p.muted #no-indicators { (page.t(
                    "Chương trình chưa có chỉ tiêu (nhập bằng lệnh dongbo indicators import).",
                    "The program has no indicators yet (import them with dongbo indicators import).")) }
            } @else {
                table.indicators {
                    thead { tr {
                        th { (page.t("STT", "No.")) }
                        th { (page.t("Chỉ tiêu", "Indicator")) }
                        th { (page.t("Đơn vị", "Unit")) }
                        th { (page.t("Mục tiêu", "Target")) }
                        th { (page.t("Giá trị mới nhất", "Latest value")) }
                        th { (page.t("Đánh giá", "Achievement")) }
                        th { (page.t("Cơ quan chủ trì theo dõi, đánh giá", "Tracking agency")) }
                    } }
                    tbody {
                        @for s in series {
                            @let indicator = &s.stored.indicator;
                            tr id={ "indicator-" (indicator.code) } class=[indicator.parent.as_ref().map(|_| "sub-row")] {
                                td.code { (indicator.code) }
                                td { a href={ "/programs/" (id) "/indicators/" (indicator.code) } { (indicator.name) } }
                                td { (indicator.unit) }
                                td.target { (targets(&page, indicator)) }
                                td.latest {
                                    @for v in &s.latest {
                                        div {
                                            @if let Some(scope) = &v.scope { (scope) ": " }
                                            (value_text(v, &indicator.unit))
                                            small.muted { " (" (period_label(&page, v.period)) ")" }
                                        }
                                    }
                                }
                                td {
                                    @if !indicator.is_heading() {
                                        @let verdict = s.verdict();
                                        span class=(verdict_class(verdict)) data-verdict=(format!("{verdict:?}")) { (verdict_label(&page, verdict)) }
                                    }
                                }
                                td { @if let Some(code) = &indicator.tracking_agency {
                                    a href={ "/agencies/" (code) } { (agency_name(&page, &directory, code)) }
                                } @else { (indicator.tracking_text) } }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// Each target with its year, earliest first.
fn targets(page: &Page, indicator: &dongbo_domain::Indicator) -> Markup {
    html! {
        @for target in &indicator.targets {
            div.year-target data-year=[target.year] {
                (target.text)
                @if let Some(year) = target.year { " " small.muted { "(" (page.t("năm", "by")) " " (year) ")" } }
            }
        }
    }
}

/// The direction and, while it is a guess, that it waits for a person.
fn direction(page: &Page, indicator: &dongbo_domain::Indicator) -> Markup {
    html! {
        (page.t(indicator.direction.label_vi(), indicator.direction.label_en()))
        @if !indicator.direction_confirmed {
            " " strong #direction-unconfirmed { (page.t(
                "(dự đoán, chưa xác nhận — chưa đánh giá số liệu)",
                "(a guess, not confirmed — values are not judged yet)")) }
        }
    }
}

/// `/programs/{id}/indicators/{code}`
pub async fn detail(
    page: Page,
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
) -> Result<Markup> {
    show(&page, &state, id, &code, None).await
}

/// One indicator's page, with a refused value form filled as it was sent.
async fn show(
    page: &Page,
    state: &AppState,
    id: i64,
    code: &str,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let stamp = state.programs.dashboard_stamp(id).await?;
    let program = state.programs.program_detail(id, stamp).await?;
    let series = state
        .programs
        .indicator(id, code)
        .await?
        .ok_or(Error::NotFound)?;
    let directory = state.programs.directory_with_units().await?;
    let indicator = &series.stored.indicator;
    let heading = program
        .number
        .clone()
        .unwrap_or_else(|| program.title.clone());
    let may_record = page.caller.as_ref().is_some_and(|caller| {
        !indicator.is_heading()
            && dongbo_programs::indicators::may_record_indicator(
                caller,
                dongbo_programs::indicators::indicator_agency(indicator),
                &directory,
            )
    });
    let may_confirm = page.caller.as_ref().is_some_and(|caller| {
        indicator.is_quantitative()
            && dongbo_programs::indicators::may_confirm_direction(
                caller,
                dongbo_programs::indicators::indicator_agency(indicator),
                &directory,
            )
    });
    Ok(page.render(
        &format!("{} {} — {heading}", indicator.code, indicator.name),
        html! {
            p.kicker {
                a href={ "/programs/" (id) } { (heading) } " › "
                a href={ "/programs/" (id) "/indicators" } { (page.t("Chỉ tiêu", "Indicators")) }
            }
            h1 { (indicator.code) ". " (indicator.name) }
            dl.meta {
                dt { (page.t("Đơn vị tính", "Unit")) } dd { (indicator.unit) }
                dt { (page.t("Mục tiêu", "Target")) } dd #target { (targets(page, indicator)) }
                dt { (page.t("Chiều đánh giá", "Direction")) } dd #direction { (direction(page, indicator)) }
                @if let Some(baseline) = indicator.baseline {
                    dt { (page.t("Giá trị cơ sở", "Baseline")) }
                    dd { (dongbo_domain::indicator::number(baseline))
                        @if let Some(year) = indicator.baseline_year { " (" (year) ")" } }
                }
                @if !indicator.source.is_empty() {
                    dt { (page.t("Nguồn / chỉ số quốc tế", "Source / international index")) } dd { (indicator.source) }
                }
                dt { (page.t("Cơ quan chủ trì theo dõi, đánh giá", "Tracking agency")) }
                dd { @if let Some(code) = &indicator.tracking_agency {
                    a href={ "/agencies/" (code) } { (agency_name(page, &directory, code)) }
                } @else { (indicator.tracking_text) } }
                @if !indicator.is_heading() {
                    dt { (page.t("Đánh giá", "Achievement")) }
                    dd { @let verdict = series.verdict();
                        span #verdict class=(verdict_class(verdict)) { (verdict_label(page, verdict)) } }
                }
            }
            @if may_confirm {
                (direction_form(page, id, indicator, refusal))
            }
            (charts(page, &series))
            (history(page, &series, &directory))
            @if may_record {
                (value_form(page, id, &series, refusal))
            }
        },
    ))
}

/// One chart per scope (one for an unscoped target), with its goal as the reference.
fn charts(page: &Page, series: &IndicatorSeries) -> Markup {
    let indicator = &series.stored.indicator;
    // The chart's reference lines are the last target's goals.
    let Some(last) = indicator
        .final_target()
        .filter(|t| !t.target.goals().is_empty())
    else {
        return html! {};
    };
    let goals = last.target.goals();
    html! {
        section.charts {
            h2 { (page.t("Diễn biến theo thời gian", "Over time")) }
            @for (i, goal) in goals.iter().enumerate() {
                @let points: Vec<Point> = series.values.iter()
                    .filter(|v| v.scope == goal.scope)
                    .filter_map(|v| v.value.as_number().map(|n| (v.period, n)))
                    .fold(Vec::<(Period, f64)>::new(), |mut latest, (period, n)| {
                        // The latest value of each period: a correction replaces the figure.
                        match latest.iter_mut().find(|(p, _)| *p == period) {
                            Some(slot) => slot.1 = n,
                            None => latest.push((period, n)),
                        }
                        latest
                    })
                    .into_iter()
                    .map(|(period, value)| Point { label: axis_label(period), value })
                    .collect();
                @let title = match &goal.scope {
                    Some(scope) => format!("{} — {scope}", indicator.name),
                    None => indicator.name.clone(),
                };
                @if points.is_empty() {
                    (chart::empty(page.t("Chưa có số liệu để vẽ biểu đồ.", "No values to chart yet.")))
                } @else {
                    (chart::svg(&Chart {
                        id: &format!("chart-{i}"),
                        title: &title,
                        // One period alone reads better as a bar than as a lone dot.
                        kind: if points.len() == 1 { Kind::Bar } else { Kind::Line },
                        points: &points,
                        reference: Some(Reference {
                            value: goal.upper.unwrap_or(goal.value),
                            label: format!("{} {goal}", page.t("Mục tiêu", "Target")),
                        }),
                        unit: &indicator.unit,
                    }))
                }
            }
        }
    }
}

fn achievement_text(page: &Page, achievement: Achievement) -> String {
    match achievement {
        Achievement::Pending => page.t("Chưa có số liệu", "No value yet").to_owned(),
        Achievement::NeedsJudgement => page.t("Chờ đánh giá", "Awaiting judgement").to_owned(),
        Achievement::DirectionUnconfirmed => {
            verdict_label(page, Verdict::DirectionUnconfirmed).to_owned()
        }
        Achievement::Judged { met } => {
            let verdict = if met { Verdict::Met } else { Verdict::NotMet };
            format!(
                "{} ({})",
                verdict_label(page, verdict),
                page.t("người đánh giá", "judged")
            )
        }
        Achievement::Measured(m) => {
            let verdict = if m.met { Verdict::Met } else { Verdict::NotMet };
            let mut text = verdict_label(page, verdict).to_owned();
            if let Some(percent) = m.percent {
                text.push_str(&format!(
                    " — {}% {}",
                    dongbo_domain::indicator::number((percent * 10.0).round() / 10.0),
                    page.t("mục tiêu", "of target")
                ));
            }
            if let Some(progress) = m.progress {
                text.push_str(&format!(
                    "; {}% {}",
                    dongbo_domain::indicator::number((progress * 10.0).round() / 10.0),
                    page.t(
                        "chặng đường từ giá trị cơ sở",
                        "of the way from the baseline"
                    )
                ));
            }
            text
        }
    }
}

fn history(page: &Page, series: &IndicatorSeries, directory: &Directory) -> Markup {
    let indicator = &series.stored.indicator;
    html! {
        section.history {
            h2 { (page.t("Số liệu đã ghi", "Recorded values")) }
            @if series.values.is_empty() {
                p.muted #no-values { (page.t("Chưa có số liệu.", "No values yet.")) }
            } @else {
                table.indicator-values {
                    thead { tr {
                        th { (page.t("Kỳ", "Period")) }
                        @if !indicator.scopes().is_empty() { th { (page.t("Phạm vi", "Scope")) } }
                        th { (page.t("Giá trị", "Value")) }
                        th { (page.t("Mức độ đạt", "Achievement")) }
                        th { (page.t("Cơ quan", "Agency")) }
                        th { (page.t("Nguồn", "Source")) }
                        th { (page.t("Ghi chú", "Note")) }
                        th { (page.t("Người ghi", "Recorded by")) }
                    } }
                    tbody {
                        @for v in series.values.iter().rev() {
                            @let achievement = indicator.assess(Some(v.period.end().year()), v.scope.as_deref(), Some(&v.value), v.judgement);
                            tr.value {
                                td { (period_label(page, v.period)) }
                                @if !indicator.scopes().is_empty() { td { (v.scope.as_deref().unwrap_or("")) } }
                                td { (value_text(v, &indicator.unit)) }
                                td { (achievement_text(page, achievement)) }
                                td { (agency_name(page, directory, &v.agency_code)) }
                                td { (v.source) }
                                td { (v.note) }
                                td { (v.author) br; small.muted { (v.recorded_at) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn value_form(page: &Page, id: i64, series: &IndicatorSeries, refusal: Option<&Refusal>) -> Markup {
    let indicator = &series.stored.indicator;
    let kept = Refusal::of_form(refusal, FORM);
    let scopes = indicator.scopes();
    let qualitative = !indicator.is_quantitative();
    let field = |name: &str, label: &str, placeholder: &str| {
        html! {
            label for={ "indicator-" (name) } { (label) }
            input id={ "indicator-" (name) } type="text" name=(name) value=(form::typed(kept, name, ""))
                placeholder=(placeholder)
                aria-invalid=[form::invalid(kept, name)] aria-describedby=[form::described_by(kept, name)];
            (form::error(kept, name))
        }
    };
    html! {
        section.record-value {
            h2 { (page.t("Ghi số liệu", "Record a value")) }
            (form::summary(page, kept))
            form #indicator-value-form method="post" action={ "/programs/" (id) "/indicators/" (indicator.code) "/values" } {
                (page.csrf_field())
                (field("period", page.t("Kỳ (năm hoặc mã kỳ)", "Period (a year or a period code)"), "2025"))
                @if !scopes.is_empty() {
                    label for="indicator-scope" { (page.t("Phạm vi so sánh", "Measured against")) }
                    select #indicator-scope name="scope" aria-invalid=[form::invalid(kept, "scope")] aria-describedby=[form::described_by(kept, "scope")] {
                        @for scope in &scopes {
                            option value=(scope) selected[form::typed(kept, "scope", "") == *scope] { (scope) }
                        }
                    }
                    (form::error(kept, "scope"))
                }
                (field("value", page.t("Giá trị", "Value"), if qualitative { "" } else { "0,7" }))
                @if qualitative {
                    label for="indicator-judgement" { (page.t("Đánh giá của người có thẩm quyền", "Judgement")) }
                    select #indicator-judgement name="judgement" aria-invalid=[form::invalid(kept, "judgement")] {
                        @let chosen = form::typed(kept, "judgement", "");
                        option value="" selected[chosen.is_empty()] { (page.t("Chưa đánh giá", "Not judged yet")) }
                        option value=(Judgement::Achieved.as_str()) selected[chosen == Judgement::Achieved.as_str()] { (page.t("Đạt", "Achieved")) }
                        option value=(Judgement::NotAchieved.as_str()) selected[chosen == Judgement::NotAchieved.as_str()] { (page.t("Chưa đạt", "Not achieved")) }
                    }
                    (form::error(kept, "judgement"))
                } @else {
                    // A judgement sent for a number (by hand or a stale form) is refused here.
                    (form::error(kept, "judgement"))
                }
                (field("agency", page.t("Mã cơ quan (để trống: cơ quan theo dõi)", "Agency code (empty: the tracking agency)"), indicator.tracking_agency.as_deref().unwrap_or("")))
                (field("source", page.t("Nguồn số liệu", "Source"), ""))
                (field("note", page.t("Ghi chú", "Note"), ""))
                button type="submit" { (page.t("Ghi số liệu", "Record")) }
            }
        }
    }
}

/// What the value form sends.
#[derive(Debug, Default, Deserialize)]
pub struct ValueForm {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    judgement: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    note: String,
}

/// `POST /programs/{id}/indicators/{code}/values`: records the value and shows the indicator;
/// a refused value shows the page again (422) with what was typed and the messages.
pub async fn record_value(
    page: Page,
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
    Form(sent): Form<ValueForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let input = IndicatorValueInput {
        agency: &sent.agency,
        period: &sent.period,
        scope: &sent.scope,
        value: &sent.value,
        judgement: &sent.judgement,
        source: &sent.source,
        note: &sent.note,
    };
    let error = match dongbo_programs::indicators::record_indicator_value(&actor, id, &code, &input)
        .await
    {
        Ok(_) => {
            return Ok(Redirect::to(&format!("/programs/{id}/indicators/{code}")).into_response());
        }
        Err(error) => error,
    };
    let values = vec![
        ("agency".to_owned(), sent.agency),
        ("period".to_owned(), sent.period),
        ("scope".to_owned(), sent.scope),
        ("value".to_owned(), sent.value),
        ("judgement".to_owned(), sent.judgement),
        ("source".to_owned(), sent.source),
        ("note".to_owned(), sent.note),
    ];
    let refusal = Refusal::of(FORM, values, error)?;
    let page = page.showing(format!("/programs/{id}/indicators/{code}"), String::new());
    let markup = show(&page, &state, id, &code, Some(&refusal)).await?;
    Ok(Refusal::answer(markup))
}

/// The id of the form that confirms a direction.
const DIRECTION_FORM: &str = "indicator-direction-form";

/// The form a coordinator or an admin confirms (or corrects) the direction with.
fn direction_form(
    page: &Page,
    id: i64,
    indicator: &dongbo_domain::Indicator,
    refusal: Option<&Refusal>,
) -> Markup {
    use dongbo_domain::Direction;
    let kept = Refusal::of_form(refusal, DIRECTION_FORM);
    let chosen = indicator.direction;
    html! {
        section.confirm-direction {
            h2 { (page.t("Xác nhận chiều đánh giá", "Confirm the direction")) }
            (form::summary(page, kept))
            form #indicator-direction-form method="post" action={ "/programs/" (id) "/indicators/" (indicator.code) "/direction" } {
                (page.csrf_field())
                label for="indicator-direction" { (page.t("Chiều đánh giá", "Direction")) }
                select #indicator-direction name="direction" {
                    @for option in [Direction::HigherIsBetter, Direction::LowerIsBetter] {
                        option value=(option.as_str()) selected[option == chosen] { (page.t(option.label_vi(), option.label_en())) }
                    }
                }
                button type="submit" { (page.t("Xác nhận", "Confirm")) }
            }
        }
    }
}

/// What the direction form sends.
#[derive(Debug, Default, Deserialize)]
pub struct DirectionForm {
    #[serde(default)]
    direction: String,
}

/// `POST /programs/{id}/indicators/{code}/direction`: confirms the direction (audited) and
/// shows the indicator; a refused one shows the page again with the message.
pub async fn confirm_direction(
    page: Page,
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
    Form(sent): Form<DirectionForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let error = match dongbo_programs::indicators::confirm_indicator_direction(
        &actor,
        id,
        &code,
        &sent.direction,
    )
    .await
    {
        Ok(()) => {
            return Ok(Redirect::to(&format!("/programs/{id}/indicators/{code}")).into_response());
        }
        Err(error) => error,
    };
    let refusal = Refusal::of(
        DIRECTION_FORM,
        vec![("direction".to_owned(), sent.direction)],
        error,
    )?;
    let page = page.showing(format!("/programs/{id}/indicators/{code}"), String::new());
    let markup = show(&page, &state, id, &code, Some(&refusal)).await?;
    Ok(Refusal::answer(markup))
}
