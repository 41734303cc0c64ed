//! The library's pull sources through the API: the sources the caller keeps with their health,
//! registering one, enabling a disabled one again, asking for a poll now. The same operations
//! as the page's (`dongbo_library::feeds`), the same checks: a librarian of the owner agency
//! or an admin above it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use dongbo_library::feeds::{Source, SourceInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::work::ApiCaller;
use super::super::{ApiError, ApiResult, JsonBody, Problem};
use crate::AppState;

/// A source with its health.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceView {
    pub id: i64,
    /// The owner agency: its entries become the agency's items.
    pub owner: String,
    /// `feed` (RSS, Atom, JSON Feed) or `sitemap`.
    pub kind: String,
    pub url: String,
    pub name: String,
    pub poll_minutes: i64,
    /// Who may read its items: `public`, `government` or `agencies` (those of `visible_to`).
    pub visibility: String,
    pub visible_to: Vec<String>,
    pub last_polled_at: Option<DateTime<Utc>>,
    /// The HTTP status of the last answer (304: nothing new).
    pub last_status: Option<i64>,
    /// Why the last poll failed (none after a success).
    pub last_error: Option<String>,
    /// Failed polls in a row; each doubles the wait to the next poll.
    pub failures: i64,
    pub next_poll_at: DateTime<Utc>,
    /// Set when the failures reached the limit; an administrator enables it again.
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    /// The provenance `system` of its items (`source:<id>`).
    pub system: String,
    pub items_created: i64,
    pub items_updated: i64,
}

impl From<Source> for SourceView {
    fn from(source: Source) -> Self {
        SourceView {
            system: source.system(),
            id: source.id,
            owner: source.owner,
            kind: source.kind.as_str().to_owned(),
            url: source.url,
            name: source.name,
            poll_minutes: source.poll_minutes,
            visibility: source.visibility.scope().to_owned(),
            visible_to: source.visibility.agencies().to_vec(),
            last_polled_at: source.last_polled_at,
            last_status: source.last_status,
            last_error: source.last_error,
            failures: source.failures,
            next_poll_at: source.next_poll_at,
            disabled_at: source.disabled_at,
            disabled_reason: source.disabled_reason,
            items_created: source.items_created,
            items_updated: source.items_updated,
        }
    }
}

/// A source to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSourceBody {
    /// The owner agency's code.
    pub owner: String,
    /// `feed` or `sitemap`.
    pub kind: String,
    /// http(s); an address in a loopback, private, link-local… range is refused unless the
    /// server's administrator allows that range.
    pub url: String,
    pub name: String,
    /// Minutes between two polls (5–10080, default 60).
    pub poll_minutes: Option<i64>,
    /// Who may read its items: `public` (an agency's website), `government` (the default: a
    /// feed on an intranet) or `agencies` (only those of `visible_to`, and the owner's).
    pub visibility: Option<String>,
    /// The agencies' codes an `agencies` source's items are visible to.
    #[serde(default)]
    pub visible_to: Vec<String>,
}

/// A source's new visibility.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceVisibilityBody {
    /// `public`, `government` or `agencies`.
    pub visibility: String,
    /// The agencies' codes of an `agencies` visibility.
    #[serde(default)]
    pub visible_to: Vec<String>,
}

/// What changing a source's visibility did to the items its entries made.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceVisibilityChange {
    /// Items given the new visibility.
    pub changed: usize,
    /// Items that had it already.
    pub unchanged: usize,
    /// Items that came from elsewhere too (another source, a push, a file): they keep theirs.
    pub kept: usize,
}

/// The sources the caller keeps (those of the agencies whose library items they may edit),
/// with their health.
#[utoipa::path(get, path = "/api/v1/library/sources", security(("bearer" = [])),
    responses((status = 200, body = Vec<SourceView>), (status = 401, body = Problem)))]
pub async fn list_sources(
    State(state): State<AppState>,
    who: ApiCaller,
) -> ApiResult<Vec<SourceView>> {
    let sources = state.library.sources(&who.caller().who).await?;
    Ok(Json(sources.into_iter().map(SourceView::from).collect()))
}

/// Register a feed or sitemap as a source of the owner agency's items (a librarian's of the
/// agency, or an admin's). It is polled at once, then every `poll_minutes`.
#[utoipa::path(post, path = "/api/v1/library/sources", security(("bearer" = [])),
    request_body = NewSourceBody,
    responses((status = 201, body = SourceView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn add_source(
    State(state): State<AppState>,
    who: ApiCaller,
    JsonBody(body): JsonBody<NewSourceBody>,
) -> Result<Response, ApiError> {
    let input = SourceInput {
        owner: body.owner,
        kind: body.kind,
        url: body.url,
        name: body.name,
        poll_minutes: body.poll_minutes,
        visibility: body.visibility,
        visible_to: body.visible_to,
    };
    let source = state.library.add_source(&who.caller().who, &input).await?;
    Ok((StatusCode::CREATED, Json(SourceView::from(source))).into_response())
}

/// Give a source another visibility, and every item its entries made alone the same, in one
/// transaction (a feed found to be an intranet's is hidden at once, items and all). New entries
/// take it too.
#[utoipa::path(put, path = "/api/v1/library/sources/{id}/visibility", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Source id")),
    request_body = SourceVisibilityBody,
    responses((status = 200, body = SourceVisibilityChange), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_source_visibility(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<SourceVisibilityBody>,
) -> ApiResult<SourceVisibilityChange> {
    let change = state
        .library
        .set_source_visibility(
            &who.caller().who,
            id,
            &Some(body.visibility),
            &body.visible_to,
        )
        .await?;
    Ok(Json(SourceVisibilityChange {
        changed: change.changed,
        unchanged: change.unchanged,
        kept: change.kept,
    }))
}

/// Enable a disabled source again: its failures are forgotten and it is polled at once.
#[utoipa::path(post, path = "/api/v1/library/sources/{id}/enable", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Source id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn enable_source(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.library.enable_source(&who.caller().who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ask for a poll now: the source is due at once, and a server's poller takes it at its next
/// turn (within its interval). 409 for a disabled source (enable it first).
#[utoipa::path(post, path = "/api/v1/library/sources/{id}/poll", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Source id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn poll_source(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state
        .library
        .poll_source_soon(&who.caller().who, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
