//! Synthesis reports and the phase scorecard through the API: list a program's versions,
//! generate one, read a version with the data it was built from, download its files; the
//! scorecard of a phase. Generating calls
//! [`dongbo_programs::synthesis::generate_synthesis`], as the page does.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use dongbo_programs::synthesis::{self as stored, Version};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::work::ApiCaller;
use super::{ApiError, ApiResult, JsonBody, Problem};
use crate::AppState;
use crate::error::Error;
use dongbo_programs::synthesis::Request;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, generate))
        .routes(routes!(evaluation))
        .routes(routes!(get_version))
        .routes(routes!(download))
}

/// A generated version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SynthesisVersionView {
    pub report_id: i64,
    pub version: i64,
    pub program_id: i64,
    /// "national" or "agency".
    pub level: String,
    pub issuer_code: String,
    pub period: String,
    pub number: String,
    pub title: String,
    pub created_by: String,
    pub created_at: String,
    /// SHA-256 of the data it was built from.
    pub input_sha256: String,
    pub docx_sha256: String,
    pub xlsx_sha256: String,
    pub pdf_sha256: String,
    /// Where its files are: `…/docx`, `…/xlsx`, `…/pdf`.
    pub files: String,
}

impl From<Version> for SynthesisVersionView {
    fn from(v: Version) -> Self {
        SynthesisVersionView {
            files: format!("/api/v1/synthesis/{}/{}/", v.report_id, v.version),
            report_id: v.report_id,
            version: v.version,
            program_id: v.program_id,
            level: v.level.as_str().to_owned(),
            issuer_code: v.issuer_code,
            period: v.period,
            number: v.number,
            title: v.title,
            created_by: v.created_by,
            created_at: v.created_at,
            input_sha256: v.input_sha256,
            docx_sha256: v.files.docx_sha256,
            xlsx_sha256: v.files.xlsx_sha256,
            pdf_sha256: v.files.pdf_sha256,
        }
    }
}

/// A version with the data it was built from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SynthesisDetail {
    #[serde(flatten)]
    pub version: SynthesisVersionView,
    /// The `SynthesisInput` the report was built from (program, period, signer, every
    /// assignment with its accepted report, the wording template).
    #[schema(value_type = Object)]
    pub input: serde_json::Value,
}

fn may_see(who: &ApiCaller, state: &AppState, version: &Version) -> bool {
    dongbo_programs::synthesis::may_see(who.actor(state).caller, &state.programs.directory, version)
}

/// The synthesis reports of a program the caller may see (national reports, and those of
/// agencies the caller may view), newest first.
#[utoipa::path(get, path = "/api/v1/programs/{id}/synthesis", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    responses((status = 200, body = [SynthesisVersionView]), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Vec<SynthesisVersionView>> {
    let versions = stored::versions(&state.programs, id).await?;
    Ok(Json(
        versions
            .into_iter()
            .filter(|v| may_see(&who, &state, v))
            .map(SynthesisVersionView::from)
            .collect(),
    ))
}

/// Generates a synthesis report (DOCX in the format of Decree 30/2020, XLSX annexes, PDF) from
/// the reports accepted for the period, as a new immutable version of its series.
#[utoipa::path(post, path = "/api/v1/programs/{id}/synthesis", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    request_body = Request,
    responses((status = 201, body = SynthesisVersionView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn generate(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<Request>,
) -> Result<Response, ApiError> {
    let version =
        dongbo_programs::synthesis::generate_synthesis(&who.actor(&state), id, &body).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(SynthesisVersionView::from(version)),
    )
        .into_response())
}

/// One version with the data it was built from.
#[utoipa::path(get, path = "/api/v1/synthesis/{report}/{version}", security(("bearer" = [])),
    params(("report" = i64, Path, description = "Series id"),
        ("version" = i64, Path, description = "Version number, from 1")),
    responses((status = 200, body = SynthesisDetail), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn get_version(
    State(state): State<AppState>,
    who: ApiCaller,
    Path((report, version)): Path<(i64, i64)>,
) -> ApiResult<SynthesisDetail> {
    let (found, input) = stored::version(&state.programs, report, version)
        .await?
        .ok_or(Error::NotFound)?;
    if !may_see(&who, &state, &found) {
        return Err(Error::NotFound.into());
    }
    let input = serde_json::from_str(&input)
        .map_err(|e| Error::Internal(format!("reading the stored input: {e}")))?;
    Ok(Json(SynthesisDetail {
        version: found.into(),
        input,
    }))
}

/// A version's file: `docx`, `xlsx` or `pdf`.
#[utoipa::path(get, path = "/api/v1/synthesis/{report}/{version}/{file}", security(("bearer" = [])),
    params(("report" = i64, Path, description = "Series id"),
        ("version" = i64, Path, description = "Version number"),
        ("file" = String, Path, description = "docx, xlsx or pdf")),
    responses((status = 200, description = "The file"), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn download(
    State(state): State<AppState>,
    who: ApiCaller,
    Path((report, version, file)): Path<(i64, i64, String)>,
) -> Result<Response, ApiError> {
    let (found, _) = stored::version(&state.programs, report, version)
        .await?
        .ok_or(Error::NotFound)?;
    if !may_see(&who, &state, &found) {
        return Err(Error::NotFound.into());
    }
    let (sha256, media) =
        dongbo_programs::synthesis::file_of(&found, &file).ok_or(Error::NotFound)?;
    let bytes = dongbo_programs::reports::file_bytes(&state.programs, sha256).await?;
    Ok(([(header::CONTENT_TYPE, media.mime())], bytes).into_response())
}

/// The phase scorecard of a program (see `dongbo_domain::scorecard`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScorecardView {
    /// The phase's first and last day, and the day it is judged on.
    #[schema(value_type = String)]
    pub from: chrono::NaiveDate,
    #[schema(value_type = String)]
    pub to: chrono::NaiveDate,
    #[schema(value_type = String)]
    pub as_of: chrono::NaiveDate,
    /// The whole program: `work` (due, done_on_time, done_late, not_done), `reports`
    /// (expected, on_time, late, missing), `indicators` (tracked, met, not_met, pending).
    #[schema(value_type = Object)]
    pub program: dongbo_domain::scorecard::Score,
    /// One line per agency: `agency_code`, `name` and the same three counts.
    #[schema(value_type = Vec<Object>)]
    pub agencies: Vec<serde_json::Value>,
    /// The share of work done and of reports on time at each quarter's end.
    #[schema(value_type = Vec<Object>)]
    pub series: Vec<dongbo_domain::scorecard::Point>,
}

/// Đánh giá theo giai đoạn: the program's scorecard over a phase — `years` (3, 5 or 10 from
/// the program's first year) or `from` and `to`.
#[utoipa::path(get, path = "/api/v1/programs/{id}/evaluation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id"), dongbo_programs::evaluation::PhaseQuery),
    responses((status = 200, body = ScorecardView), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn evaluation(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    axum::extract::Query(query): axum::extract::Query<dongbo_programs::evaluation::PhaseQuery>,
) -> ApiResult<ScorecardView> {
    let lang = who.actor(&state).lang;
    let stored = state.programs.stored_now(id).await?;
    let stored = Option::as_ref(&stored).ok_or(Error::NotFound)?;
    let today = state.today();
    let phase = query.phase(
        dongbo_programs::evaluation::program_start(&stored.program, today),
        lang,
    )?;
    let (card, names) =
        dongbo_programs::evaluation::scorecard(&state.programs, id, &phase, today, lang).await?;
    let agencies = card
        .agencies
        .iter()
        .map(|a| {
            let mut line = serde_json::to_value(a).unwrap_or_default();
            if let Some(object) = line.as_object_mut() {
                object.insert(
                    "name".to_owned(),
                    names
                        .get(&a.agency_code)
                        .cloned()
                        .unwrap_or_default()
                        .into(),
                );
            }
            line
        })
        .collect();
    Ok(Json(ScorecardView {
        from: card.from,
        to: card.to,
        as_of: card.as_of,
        program: card.program,
        agencies,
        series: card.series,
    }))
}
