//! A program's reporting regimes (chế độ báo cáo) and the completeness and timeliness of its
//! reports, through the API: the same figures as the page `/programs/{id}/completeness`
//! (`dongbo_programs::views::completeness`), and the coordinator's writes through `crate::actions`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use dongbo_domain::completeness::Counts;
use dongbo_domain::regime::RegimeKind;
use dongbo_domain::{Regimes, ReportingRegime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::work::ApiCaller;
use super::{ApiError, ApiResult, JsonBody, Problem};
use crate::AppState;
use dongbo_programs::regimes::RegimeInput;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_regimes, set_regime))
        .routes(routes!(remove_regime))
        .routes(routes!(completeness))
}

/// One reporting regime of a program.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegimeView {
    /// What names it: its period kind ("annual") or its phase's range
    /// ("2024-01-01..2026-12-31").
    pub key: String,
    /// monthly, quarterly, six_monthly, nine_monthly, annual or phase.
    pub kind: String,
    /// every (lead and coordinating agencies) or leads.
    pub reporters: String,
    /// Working days after the cut-off the report is due.
    pub working_days: u32,
    pub phase_label: Option<String>,
    pub phase_start: Option<NaiveDate>,
    pub phase_end: Option<NaiveDate>,
    /// Set by the program; false for the Decree 09 default.
    pub overridden: bool,
    /// The Vietnamese name of the report.
    pub label: String,
}

impl RegimeView {
    fn of(regime: &ReportingRegime, regimes: Option<&Regimes>) -> Self {
        let (kind, phase) = match &regime.kind {
            RegimeKind::Periodic { period } => (period.as_str().to_owned(), None),
            RegimeKind::Phase(phase) => ("phase".to_owned(), Some(phase)),
        };
        RegimeView {
            key: regime.key(),
            kind,
            reporters: regime.reporters.as_str().to_owned(),
            working_days: regime.rule.working_days_after_cutoff(),
            phase_label: phase.map(|p| p.label().to_owned()),
            phase_start: phase.map(|p| p.start()),
            phase_end: phase.map(|p| p.end()),
            overridden: regimes.is_none_or(|r| r.is_overridden(&regime.key())),
            label: regime.label_vi(),
        }
    }
}

/// The reporting regimes of a program: the Decree 09 default (an annual report from every
/// assignee, one working day after the cut-off) with the program's own.
#[utoipa::path(get, path = "/api/v1/programs/{id}/regimes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    responses((status = 200, body = [RegimeView]), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn list_regimes(
    State(state): State<AppState>,
    _who: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Vec<RegimeView>> {
    dongbo_programs::views::coordinating_agency_of(&state.programs, id).await?;
    let regimes = dongbo_programs::regimes::of_program(&state.programs, id).await?;
    Ok(Json(
        regimes
            .iter()
            .map(|r| RegimeView::of(r, Some(&regimes)))
            .collect(),
    ))
}

/// A regime to set: it replaces the program's regime of the same kind (or phase range).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegimeBody {
    /// monthly, quarterly, six_monthly, nine_monthly, annual or phase.
    pub kind: String,
    /// every or leads.
    pub reporters: String,
    /// 1–60.
    pub working_days: u32,
    /// For a phase: its name and range (YYYY-MM-DD).
    #[serde(default)]
    pub phase_label: Option<String>,
    #[serde(default)]
    pub phase_start: Option<String>,
    #[serde(default)]
    pub phase_end: Option<String>,
}

/// Sets a reporting regime of a program (the coordinator or an admin over the program's
/// coordinating agency).
#[utoipa::path(put, path = "/api/v1/programs/{id}/regimes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    request_body = RegimeBody,
    responses((status = 200, body = RegimeView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_regime(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<RegimeBody>,
) -> ApiResult<RegimeView> {
    let input = RegimeInput {
        kind: body.kind,
        reporters: body.reporters,
        working_days: body.working_days.to_string(),
        phase_label: body.phase_label.unwrap_or_default(),
        phase_start: body.phase_start.unwrap_or_default(),
        phase_end: body.phase_end.unwrap_or_default(),
    };
    let regime = dongbo_programs::regimes::set_regime(&who.actor(&state), id, &input).await?;
    Ok(Json(RegimeView::of(&regime, None)))
}

/// Removes one of the program's own regimes (an annual one falls back to the default).
#[utoipa::path(delete, path = "/api/v1/programs/{id}/regimes/{key}", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id"),
        ("key" = String, Path, description = "The regime's key: annual, quarterly…, or a phase's 2024-01-01..2026-12-31")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn remove_regime(
    State(state): State<AppState>,
    who: ApiCaller,
    Path((id, key)): Path<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    dongbo_programs::regimes::remove_regime(&who.actor(&state), id, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompletenessQuery {
    /// The regime's key; the program's default (annual) regime when absent.
    pub regime: Option<String>,
    /// A period code of the regime ("2025-Y", "2026-Q1", a phase's range); its current period
    /// when absent.
    pub period: Option<String>,
    /// Judge as of this day (YYYY-MM-DD); today when absent.
    pub on: Option<String>,
}

/// Expected, submitted, on time, late, missing and accepted reports.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct CountsView {
    pub expected: u32,
    pub submitted: u32,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
    pub accepted: u32,
}

impl From<&Counts> for CountsView {
    fn from(c: &Counts) -> Self {
        CountsView {
            expected: c.expected,
            submitted: c.submitted,
            on_time: c.on_time,
            late: c.late,
            missing: c.missing,
            accepted: c.accepted,
        }
    }
}

/// One agency's reports for the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyCompletenessView {
    pub agency_code: String,
    #[serde(flatten)]
    pub counts: CountsView,
    /// Every assignment due has an accepted report.
    pub complete: bool,
}

/// One assignment expected to report: when it first submitted, and whether it is accepted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelinessView {
    pub agency_code: String,
    pub task_code: String,
    /// lead or coordinating.
    pub role: String,
    pub period: String,
    pub deadline: NaiveDate,
    /// Null: missing.
    pub first_submitted_on: Option<NaiveDate>,
    pub accepted: bool,
}

/// One period of the series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesPointView {
    pub period: String,
    pub deadline: NaiveDate,
    #[serde(flatten)]
    pub total: CountsView,
}

/// The completeness and timeliness of a program's reports for one regime and period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompletenessJson {
    pub program_id: i64,
    pub regime: RegimeView,
    pub period: String,
    /// The period's name ("Năm 2025", or the phase's).
    pub period_label: String,
    pub window_start: NaiveDate,
    pub window_end: NaiveDate,
    pub deadline: NaiveDate,
    pub total: CountsView,
    pub agencies: Vec<AgencyCompletenessView>,
    /// The agencies whose report is not complete (holding the program's report back).
    pub holding_back: Vec<String>,
    /// Every expected report.
    pub records: Vec<TimelinessView>,
    /// The program's counts over the regime's recent periods, oldest first.
    pub series: Vec<SeriesPointView>,
}

/// Completeness and timeliness of a program's reports for a regime and period (any logged-in
/// caller, as the dashboard).
#[utoipa::path(get, path = "/api/v1/programs/{id}/completeness", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id"), CompletenessQuery),
    responses((status = 200, body = CompletenessJson), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn completeness(
    State(state): State<AppState>,
    _who: ApiCaller,
    Path(id): Path<i64>,
    Query(query): Query<CompletenessQuery>,
) -> ApiResult<CompletenessJson> {
    let today = dongbo_programs::input::parse_date("on", query.on.as_deref().unwrap_or(""))?
        .unwrap_or_else(|| state.today());
    let view = dongbo_programs::views::completeness(
        &state.programs,
        id,
        query.regime.as_deref(),
        query.period.as_deref(),
        today,
    )
    .await?;
    let figures = &view.computed.figures;
    Ok(Json(CompletenessJson {
        program_id: id,
        regime: RegimeView::of(&view.regime, Some(&view.regimes)),
        period: figures.period.clone(),
        period_label: view.period.label_vi(),
        window_start: figures.window.0,
        window_end: figures.window.1,
        deadline: figures.deadline,
        total: CountsView::from(&figures.total),
        agencies: figures
            .agencies
            .iter()
            .map(|a| AgencyCompletenessView {
                agency_code: a.agency_code.clone(),
                counts: CountsView::from(&a.counts),
                complete: a.complete,
            })
            .collect(),
        holding_back: figures
            .holding_back()
            .map(|a| a.agency_code.clone())
            .collect(),
        records: figures
            .records
            .iter()
            .map(|r| TimelinessView {
                agency_code: r.agency_code.clone(),
                task_code: r.task_code.clone(),
                role: r.role.as_str().to_owned(),
                period: r.period.clone(),
                deadline: r.deadline,
                first_submitted_on: r.first_submitted_on,
                accepted: r.accepted,
            })
            .collect(),
        series: view
            .computed
            .series
            .iter()
            .map(|p| SeriesPointView {
                period: p.period.clone(),
                deadline: p.deadline,
                total: CountsView::from(&p.total),
            })
            .collect(),
    }))
}
