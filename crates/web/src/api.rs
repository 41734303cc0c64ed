//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get};
use serde::Deserialize;
use utoipa::OpenApi;

use crate::error::Error;
use crate::model::*;
use crate::{AppState, load};

/// JSON errors for API clients (pages render HTML errors instead).
#[derive(Debug)]
pub struct ApiError(Error);

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        Self(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = self.0.status_and_message();
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Đồng Bộ API",
        version = "1",
        description = "Action programs, tasks and agencies."
    ),
    paths(
        list_programs,
        get_program,
        get_task,
        list_agencies,
        get_agency,
        search_tasks
    ),
    components(schemas(
        ProgramSummary,
        ProgramDetail,
        GroupView,
        TaskView,
        TaskDetail,
        AssignmentView,
        OriginView,
        OpenSetView,
        AgencyCell,
        AgencyRef,
        SuccessorRef,
        SetRef,
        TimeFrameView,
        AgencyListItem,
        AgencyDetail,
        AgencyTask,
        Via,
        SearchHit
    ))
)]
struct ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/programs", get(list_programs))
        .route("/api/v1/programs/{id}", get(get_program))
        .route("/api/v1/programs/{id}/tasks/{code}", get(get_task))
        .route("/api/v1/agencies", get(list_agencies))
        .route("/api/v1/agencies/{code}", get(get_agency))
        .route("/api/v1/search", get(search_tasks))
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Every program, newest document first.
#[utoipa::path(get, path = "/api/v1/programs", responses((status = 200, body = [ProgramSummary])))]
async fn list_programs(State(state): State<AppState>) -> ApiResult<Vec<ProgramSummary>> {
    Ok(Json(load::program_list(&state.db).await?))
}

/// One program with its groups and tasks, agencies resolved.
#[utoipa::path(get, path = "/api/v1/programs/{id}",
    params(("id" = i64, Path, description = "Program id")),
    responses((status = 200, body = ProgramDetail), (status = 404)))]
async fn get_program(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<ProgramDetail> {
    Ok(Json(
        load::program_detail(&state.db, &state.directory, id).await?,
    ))
}

/// One task, with its assignments (one per responsible agency and role) and the open agency
/// sets waiting for the coordinator to choose their members.
#[utoipa::path(get, path = "/api/v1/programs/{id}/tasks/{code}",
    params(("id" = i64, Path, description = "Program id"), ("code" = String, Path, description = "Task code, e.g. 3.21")),
    responses((status = 200, body = TaskDetail), (status = 404)))]
async fn get_task(
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
) -> ApiResult<TaskDetail> {
    Ok(Json(
        load::task(&state.db, &state.directory, id, &code).await?,
    ))
}

/// The agency directory, current and former agencies.
#[utoipa::path(get, path = "/api/v1/agencies", responses((status = 200, body = [AgencyListItem])))]
async fn list_agencies(State(state): State<AppState>) -> Json<Vec<AgencyListItem>> {
    Json(load::agency_list(&state.directory))
}

/// One agency with every task it leads or coordinates, directly, through agency sets or as a successor.
#[utoipa::path(get, path = "/api/v1/agencies/{code}",
    params(("code" = String, Path, description = "Agency code, e.g. BVHTTDL")),
    responses((status = 200, body = AgencyDetail), (status = 404)))]
async fn get_agency(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<AgencyDetail> {
    Ok(Json(
        load::agency_detail(&state.db, &state.directory, &code).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// Words to find in task titles, codes and agencies; diacritics optional.
    pub q: String,
}

/// Diacritic-insensitive search over tasks.
#[utoipa::path(get, path = "/api/v1/search", params(SearchQuery),
    responses((status = 200, body = [SearchHit]), (status = 400)))]
async fn search_tasks(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> ApiResult<Vec<SearchHit>> {
    Ok(Json(
        load::search(&state.db, &state.directory, &query.q).await?,
    ))
}
