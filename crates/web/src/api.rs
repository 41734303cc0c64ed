//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`.
//!
//! Reading programs, tasks, agencies and search needs no login. Everything about carrying a
//! program out (`work`: my assignments and notices, reports and their review, plans and units,
//! change requests, reminders, progress overrides, the dashboard) needs a caller: an API token
//! (`Authorization: Bearer …`, made with `dongbo user token`) or a session cookie with the
//! `X-CSRF-Token` header on writes. Writes go through `crate::actions`, the same checks as
//! the pages. Errors are problem details (RFC 9457, [`Problem`]): 401 without credentials, 403
//! when the role or subtree does not allow it, 400 for a body that is not JSON, 422 for values
//! that do not hold (each with its field), 409 when the record's state does not allow it.

mod indicators;
pub mod library;
mod regimes;
mod synthesis;
mod users;
mod work;

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{Error, FieldError};
pub use crate::error::{Problem, problem, problem_body};
use dongbo_programs::views::*;

/// JSON errors for API clients (pages render HTML errors instead).
#[derive(Debug)]
pub struct ApiError(Error);

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        Self(error)
    }
}

impl From<dongbo_library::Error> for ApiError {
    fn from(error: dongbo_library::Error) -> Self {
        Self(Error::from(error))
    }
}

impl From<dongbo_programs::Error> for ApiError {
    fn from(error: dongbo_programs::Error) -> Self {
        Self(Error::from(error))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = self.0.status_and_message();
        // A client can tell "fix your input" (422) from "the record's state does not allow
        // it" (409).
        let status = match self.0 {
            Error::WrongState(_) => StatusCode::CONFLICT,
            _ => status,
        };
        let errors = match self.0 {
            Error::Invalid(errors) => errors,
            _ => Vec::new(),
        };
        problem(status, &message, errors)
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// A JSON request body whose faults are told as problem details: not JSON at all is a 400;
/// a value of the wrong type, a missing or unknown field is a 422 naming the field by its
/// path in the body (`progress`, `documents[0].issued_on`); a body declared as another media
/// type is a 415 (none declared is read as JSON); one over the body limit a 413.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// Whether `content_type` is JSON (`application/json`, `application/…+json`).
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Whether JSON text `bytes` holds the escape `\u0000` (a NUL in a string, which PostgreSQL
/// cannot store): a `\` that is not itself escaped, then `u0000`.
fn has_escaped_nul(bytes: &[u8]) -> bool {
    let mut backslashes = 0usize;
    for (i, &byte) in bytes.iter().enumerate() {
        if byte == b'\\' {
            backslashes += 1;
            continue;
        }
        if backslashes % 2 == 1 && byte == b'u' && bytes[i..].starts_with(b"u0000") {
            return true;
        }
        backslashes = 0;
    }
    false
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(declared) = request.headers().get(header::CONTENT_TYPE) {
            let declared = declared.to_str().unwrap_or("");
            if !is_json(declared) {
                return Err(Error::UnsupportedMediaType(format!(
                    "the body must be JSON (Content-Type: application/json), not «{declared}»"
                ))
                .into());
            }
        }
        let limit = crate::limits::MAX_BODY_BYTES;
        let bytes = axum::body::to_bytes(request.into_body(), limit)
            .await
            .map_err(|error| {
                if crate::limits::is_over_limit(&error) {
                    Error::TooLarge(crate::limits::too_large_message(limit))
                } else {
                    Error::BadRequest(format!("the body could not be read: {error}"))
                }
            })?;
        if has_escaped_nul(&bytes) {
            return Err(Error::BadRequest(
                "the body holds a NUL character (\\u0000), which no text may hold".to_owned(),
            )
            .into());
        }
        let mut reader = serde_json::Deserializer::from_slice(&bytes);
        let value: Result<T, _> = serde_path_to_error::deserialize(&mut reader);
        match value {
            Ok(value) => {
                reader
                    .end()
                    .map_err(|e| Error::BadRequest(format!("the body is not valid JSON: {e}")))?;
                Ok(JsonBody(value))
            }
            Err(error) if !error.inner().is_data() => Err(Error::BadRequest(format!(
                "the body is not valid JSON: {}",
                error.inner()
            ))
            .into()),
            Err(error) => {
                let message = error.inner().to_string();
                let path = error.path().to_string();
                // serde names a missing field in its message, at the path of the object that
                // lacks it (an unknown field's path already ends with its name).
                let named = message
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split('`').next());
                let field = match (path.as_str(), named) {
                    (".", Some(name)) => name.to_owned(),
                    (parent, Some(name)) => format!("{parent}.{name}"),
                    (path, None) => path.to_owned(),
                };
                Err(Error::Invalid(vec![FieldError { field, message }]).into())
            }
        }
    }
}

/// Adds the bearer token scheme the write endpoints name.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token made with `dongbo user token USERNAME`."))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Đồng Bộ API",
        version = "1",
        description = "Action programs, tasks and agencies; carrying a program out (reports and their review, plans, change requests, reminders) with an API token."
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// The API's routes, each declared once with `routes!`: the OpenAPI document at
/// `/api/v1/openapi.json` is made from their `#[utoipa::path]` annotations (and the schemas
/// those name), so a route added here is documented without a second list.
pub fn router() -> Router<AppState> {
    let (router, document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(list_programs))
        .routes(routes!(get_program))
        .routes(routes!(get_task))
        .routes(routes!(list_agencies))
        .routes(routes!(get_agency))
        .routes(routes!(search_tasks))
        .merge(tagged("work", work::router()))
        .merge(tagged("regimes", regimes::router()))
        .merge(indicators::router())
        .merge(tagged("synthesis", synthesis::router()))
        .merge(tagged("library", library::router()))
        .merge(tagged("admin", users::router()))
        .split_for_parts();
    // Written out once: the document does not change while the server runs.
    let document =
        Bytes::from(serde_json::to_vec(&document).expect("the OpenAPI document is JSON"));
    router.route(
        "/api/v1/openapi.json",
        get(move || openapi(document.clone())),
    )
}

/// `router` with each of its operations under the tag `tag`: clients generated from the
/// document group operations by tag (a `WorkApi`, a `RegimesApi`…), so an area keeps the tag
/// it has always had.
fn tagged(tag: &str, mut router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    for item in router.get_openapi_mut().paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            operation
                .tags
                .get_or_insert_with(Vec::new)
                .push(tag.to_owned());
        }
    }
    router
}

async fn openapi(document: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], document).into_response()
}

/// Which programs the list gives.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgramsQuery {
    /// `true`: agencies' implementation plans too (thousands at national scale). Default: the
    /// action programs alone.
    #[serde(default)]
    pub plans: bool,
}

/// The action programs (with `plans=true`, agencies' implementation plans too), in the order
/// they were stored.
#[utoipa::path(get, path = "/api/v1/programs", params(ProgramsQuery),
    responses((status = 200, body = [ProgramSummary])))]
async fn list_programs(
    State(state): State<AppState>,
    Query(query): Query<ProgramsQuery>,
) -> ApiResult<Vec<ProgramSummary>> {
    let all = state.programs.program_list().await?;
    Ok(Json(
        all.iter()
            .filter(|p| query.plans || p.kind != "plan")
            .cloned()
            .collect(),
    ))
}

/// One program with its groups and tasks, agencies resolved.
#[utoipa::path(get, path = "/api/v1/programs/{id}",
    params(("id" = i64, Path, description = "Program id")),
    responses((status = 200, body = ProgramDetail), (status = 404)))]
async fn get_program(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<ProgramDetail> {
    Ok(Json(ProgramDetail::clone(
        &*state.programs.program_now(id).await?,
    )))
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
    let stamp = state.programs.dashboard_stamp(id).await?;
    Ok(Json(
        task(&state.programs, &state.programs.directory, id, &code, stamp).await?,
    ))
}

/// The agency directory, current and former agencies.
#[utoipa::path(get, path = "/api/v1/agencies", responses((status = 200, body = [AgencyListItem])))]
async fn list_agencies(State(state): State<AppState>) -> Json<Vec<AgencyListItem>> {
    Json(agency_list(&state.programs.directory))
}

/// Which of an agency's tasks to give.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyTasksQuery {
    /// Only the tasks of this program.
    pub program: Option<i64>,
    /// Tasks to skip (of those the program filter leaves), for the next page.
    #[serde(default)]
    pub offset: usize,
    /// At most this many tasks (default 500, at most 5000).
    #[serde(default = "default_task_limit")]
    pub limit: usize,
}

fn default_task_limit() -> usize {
    AGENCY_TASKS_DEFAULT
}

/// An agency's tasks in one answer, unless asked for more: a ministry answers for tens of
/// thousands at national scale.
const AGENCY_TASKS_DEFAULT: usize = 500;
const AGENCY_TASKS_MAX: usize = 5_000;

/// One agency with the programs it has tasks in, and the tasks it leads or coordinates,
/// directly, through agency sets or as a successor, a page at a time (`task_count` tells how
/// many there are in all; `offset` and `limit` page through them, `program` keeps one
/// program's).
#[utoipa::path(get, path = "/api/v1/agencies/{code}",
    params(("code" = String, Path, description = "Agency code, e.g. BVHTTDL"), AgencyTasksQuery),
    responses((status = 200, body = AgencyDetail), (status = 404), (status = 422, body = Problem)))]
async fn get_agency(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<AgencyTasksQuery>,
) -> ApiResult<AgencyDetail> {
    if query.limit == 0 || query.limit > AGENCY_TASKS_MAX {
        return Err(Error::field(
            "limit",
            format!("limit: 1 đến {AGENCY_TASKS_MAX} (from 1 to {AGENCY_TASKS_MAX})"),
        )
        .into());
    }
    let kept = state.programs.agency_detail(&code).await?;
    let tasks = kept
        .tasks
        .iter()
        .filter(|t| query.program.is_none_or(|id| t.task.program_id == id))
        .skip(query.offset)
        .take(query.limit)
        .cloned()
        .collect();
    Ok(Json(AgencyDetail {
        code: kept.code.clone(),
        kind: kept.kind.clone(),
        name_vi: kept.name_vi.clone(),
        name_en: kept.name_en.clone(),
        aliases: kept.aliases.clone(),
        valid_from: kept.valid_from,
        valid_until: kept.valid_until,
        successors: kept.successors.clone(),
        predecessors: kept.predecessors.clone(),
        source: kept.source.clone(),
        source_vi: kept.source_vi.clone(),
        programs: kept.programs.clone(),
        task_count: kept.task_count,
        tasks,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
        search(&state.programs.db, &state.programs.directory, &query.q).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_escaped_nul_is_found_and_an_escaped_backslash_is_not_one() {
        assert!(has_escaped_nul(br#"{"a":"x\u0000y"}"#));
        assert!(has_escaped_nul(br#"{"a":"\\\u0000"}"#));
        assert!(!has_escaped_nul(br#"{"a":"\\u0000"}"#));
        assert!(!has_escaped_nul(br#"{"a":"\u00e0"}"#));
    }

    #[test]
    fn json_media_types() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
    }
}
