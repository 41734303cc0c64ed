//! A program's indicators (chỉ tiêu) through the API: reading them with their values and what
//! those achieve (no login, as the program itself), and recording a value (an API token of
//! someone who may, the same check as the page: `dongbo_programs::indicators::record_indicator_value`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Datelike;
use dongbo_domain::Indicator;
use dongbo_domain::indicator::Achievement;
use dongbo_programs::indicators::{IndicatorLatest, RecordedValue};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::work::ApiCaller;
use super::{ApiError, ApiResult, JsonBody, Problem};
use crate::AppState;
use crate::error::Error;
use dongbo_programs::indicators::IndicatorValueInput;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_indicators))
        .routes(routes!(get_indicator))
        .routes(routes!(record_value))
}

/// An indicator with the latest value of each scope and its verdict.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorView {
    /// "11", "11.1"
    pub code: String,
    /// The code of the row this one is numbered under.
    pub parent: Option<String>,
    pub name: String,
    pub unit: String,
    /// `higher`, `lower` (rankings) or `qualitative`.
    pub direction: String,
    /// Whether the direction is sure (inferred without doubt from the unit and targets, or
    /// confirmed by a person). While it is not, no value is judged: the verdict is
    /// `direction_unconfirmed`.
    pub direction_confirmed: bool,
    pub baseline: Option<f64>,
    pub baseline_year: Option<i32>,
    /// The last target as written ("≤ 3 Đông Nam Á; ≤ 50 Thế giới"); empty for a heading row.
    /// `targets` has every year's.
    pub target: String,
    /// The target as parsed: `{"kind": "quantitative", "value": [goals]}` (each goal with its
    /// `comparison`, `value`, `upper`, `percent`, `scope`) or `{"kind": "qualitative",
    /// "value": "text"}`.
    #[schema(value_type = Object)]
    pub target_parsed: serde_json::Value,
    /// The year of the last target.
    pub target_year: Option<i32>,
    /// Every target, earliest year first: an appendix split into sections by year gives one
    /// per section.
    pub targets: Vec<YearTargetView>,
    /// The tracking agency's code (Cơ quan chủ trì theo dõi, đánh giá), when resolved.
    pub tracking_agency: Option<String>,
    pub tracking_text: String,
    /// Where values come from: the international index of a ranking.
    pub source: String,
    /// `met`, `not_met`, `needs_judgement`, `pending` or `direction_unconfirmed` (no verdict
    /// from a direction no person confirmed), against the target of the latest value's year;
    /// null for a heading row.
    pub verdict: Option<String>,
    /// The latest value of each scope.
    pub latest: Vec<IndicatorValueView>,
}

/// One target of an indicator and its year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearTargetView {
    /// The year the target is for (the end year of a period "2026–2030"), when written.
    pub year: Option<i32>,
    /// The target as written.
    pub target: String,
    /// The target as parsed (see `IndicatorView::target_parsed`).
    #[schema(value_type = Object)]
    pub target_parsed: serde_json::Value,
}

/// A recorded value and what it achieves.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorValueView {
    pub id: i64,
    pub agency: String,
    /// A period code: "2025-Y", "2025-Q2".
    pub period: String,
    pub scope: Option<String>,
    /// A number, or text for a qualitative target.
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
    /// `achieved` or `not_achieved`: a person's judgement of a qualitative target.
    pub judgement: Option<String>,
    /// Computed from the value and the target of its period's year: `{"kind": "measured",
    /// "met": …, "percent": …, "distance": …, "progress": …}`, `{"kind": "judged", "met": …}`,
    /// `needs_judgement`, `pending`, or `direction_unconfirmed` (not judged while the
    /// indicator's direction is a guess).
    #[schema(value_type = Object)]
    pub achievement: serde_json::Value,
    pub source: String,
    pub note: String,
    pub author: String,
    pub recorded_at: String,
}

/// An indicator with every value recorded for it, oldest period first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorDetailView {
    pub indicator: IndicatorView,
    pub values: Vec<IndicatorValueView>,
}

fn verdict_name(verdict: dongbo_domain::Verdict) -> String {
    serde_json::to_value(verdict)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn value_view(indicator: &Indicator, value: &RecordedValue) -> IndicatorValueView {
    let achievement: Achievement = indicator.assess(
        Some(value.period.end().year()),
        value.scope.as_deref(),
        Some(&value.value),
        value.judgement,
    );
    IndicatorValueView {
        id: value.id,
        agency: value.agency_code.clone(),
        period: value.period.code(),
        scope: value.scope.clone(),
        value: serde_json::to_value(&value.value).unwrap_or_default(),
        judgement: value.judgement.map(|j| j.as_str().to_owned()),
        achievement: serde_json::to_value(achievement).unwrap_or_default(),
        source: value.source.clone(),
        note: value.note.clone(),
        author: value.author.clone(),
        recorded_at: value.recorded_at.clone(),
    }
}

fn indicator_view(series: &IndicatorLatest) -> IndicatorView {
    let indicator = &series.stored.indicator;
    let last = indicator.final_target();
    IndicatorView {
        code: indicator.code.clone(),
        parent: indicator.parent.clone(),
        name: indicator.name.clone(),
        unit: indicator.unit.clone(),
        direction: indicator.direction.as_str().to_owned(),
        direction_confirmed: indicator.direction_confirmed,
        baseline: indicator.baseline,
        baseline_year: indicator.baseline_year,
        target: last.map_or_else(String::new, |t| t.text.clone()),
        target_parsed: last.map_or_else(
            || serde_json::json!({"kind": "qualitative", "value": ""}),
            |t| serde_json::to_value(&t.target).unwrap_or_default(),
        ),
        target_year: last.and_then(|t| t.year),
        targets: indicator
            .targets
            .iter()
            .map(|t| YearTargetView {
                year: t.year,
                target: t.text.clone(),
                target_parsed: serde_json::to_value(&t.target).unwrap_or_default(),
            })
            .collect(),
        tracking_agency: indicator.tracking_agency.clone(),
        tracking_text: indicator.tracking_text.clone(),
        source: indicator.source.clone(),
        verdict: (!indicator.is_heading()).then(|| verdict_name(series.verdict())),
        latest: series
            .latest
            .iter()
            .map(|v| value_view(indicator, v))
            .collect(),
    }
}

/// A program's indicators in appendix order.
#[utoipa::path(get, path = "/api/v1/programs/{id}/indicators",
    params(("id" = i64, Path, description = "Program id")),
    responses((status = 200, body = [IndicatorView]), (status = 404, body = Problem)))]
async fn list_indicators(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<Vec<IndicatorView>> {
    // A program that does not exist is a 404, not an empty list.
    let stamp = state.programs.dashboard_stamp(id).await?;
    state.programs.program_detail(id, stamp).await?;
    let series = state.programs.indicators(id, stamp.version).await?;
    Ok(Json(series.iter().map(indicator_view).collect()))
}

/// One indicator with its values and what each achieves.
#[utoipa::path(get, path = "/api/v1/programs/{id}/indicators/{code}",
    params(("id" = i64, Path, description = "Program id"),
        ("code" = String, Path, description = "Indicator code, e.g. 5.1")),
    responses((status = 200, body = IndicatorDetailView), (status = 404, body = Problem)))]
async fn get_indicator(
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
) -> ApiResult<IndicatorDetailView> {
    let series = state
        .programs
        .indicator(id, &code)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(IndicatorDetailView {
        indicator: indicator_view(&series.latest()),
        values: series
            .values
            .iter()
            .map(|v| value_view(&series.stored.indicator, v))
            .collect(),
    }))
}

/// A value as sent: a number, or text (for a qualitative target; "0,7" is read as 0.7).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum IndicatorValueInputJson {
    Number(f64),
    Text(String),
}

/// A value to record. What it achieves is computed; `judgement` only for a qualitative target.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorValueBody {
    /// A year ("2025") or a period code ("2025-Q2").
    pub period: String,
    pub value: IndicatorValueInputJson,
    /// The scope of a scoped target ("Đông Nam Á").
    #[serde(default)]
    pub scope: Option<String>,
    /// The agency the value is for; the tracking agency when omitted.
    #[serde(default)]
    pub agency: Option<String>,
    /// `achieved` or `not_achieved`.
    #[serde(default)]
    pub judgement: Option<String>,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ValueRecorded {
    pub id: i64,
    /// The indicator's verdict after this value.
    pub verdict: String,
}

/// Records a value of an indicator (the tracking agency's reporters and approvers within their
/// subtree, coordinators covering it, admins).
#[utoipa::path(post, path = "/api/v1/programs/{id}/indicators/{code}/values", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id"),
        ("code" = String, Path, description = "Indicator code")),
    request_body = IndicatorValueBody,
    responses((status = 201, body = ValueRecorded), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn record_value(
    State(state): State<AppState>,
    who: ApiCaller,
    Path((id, code)): Path<(i64, String)>,
    JsonBody(body): JsonBody<IndicatorValueBody>,
) -> Result<(StatusCode, Json<ValueRecorded>), ApiError> {
    let value = match &body.value {
        // Every digit, with the decimal comma the value reader expects ("1.234" would be a
        // thousand two hundred and thirty-four).
        IndicatorValueInputJson::Number(n) => n.to_string().replace('.', ","),
        IndicatorValueInputJson::Text(text) => text.clone(),
    };
    let input = IndicatorValueInput {
        agency: body.agency.as_deref().unwrap_or(""),
        period: &body.period,
        scope: body.scope.as_deref().unwrap_or(""),
        value: &value,
        judgement: body.judgement.as_deref().unwrap_or(""),
        source: &body.source,
        note: &body.note,
    };
    let recorded =
        dongbo_programs::indicators::record_indicator_value(&who.actor(&state), id, &code, &input)
            .await?;
    let series = state
        .programs
        .indicator(id, &code)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(ValueRecorded {
            id: recorded,
            verdict: verdict_name(series.verdict()),
        }),
    ))
}
