//! The near-duplicates through the API, as on `/library/duplicates`: the open proposals whose
//! two items the caller may edit, a merge (keep one) and a dismissal. Every check is
//! `dongbo_library`'s.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::super::work::ApiCaller;
use super::super::{ApiError, ApiResult, JsonBody, Problem};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(merge))
        .routes(routes!(dismiss))
}

/// One side of a proposal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposedItem {
    pub id: i64,
    pub title: String,
    pub owner: Option<String>,
    pub published_on: Option<chrono::NaiveDate>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// How many sources (provenances) it has.
    pub sources: usize,
    /// Its first passage that differs from the other's ("" where its text has ended).
    pub differing_passage: Option<String>,
}

/// Two items proposed as near-duplicates.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalAnswer {
    pub id: i64,
    /// The estimated share of their 3-syllable runs in common, in percent.
    pub similarity: i64,
    pub proposed_at: chrono::DateTime<chrono::Utc>,
    pub a: ProposedItem,
    pub b: ProposedItem,
}

fn side(item: &dongbo_library::Item, passage: Option<&String>) -> ProposedItem {
    ProposedItem {
        id: item.id,
        title: item.data.title.clone(),
        owner: item.data.owner.clone(),
        published_on: item.data.published_on,
        updated_at: item.updated_at,
        sources: item.provenances.len(),
        differing_passage: passage.cloned(),
    }
}

/// The open near-duplicate proposals whose two items the caller may edit (a librarian's or an
/// administrator's), the most similar first.
#[utoipa::path(get, path = "/api/v1/library/duplicates", operation_id = "list_near_duplicates", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProposalAnswer>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn list(State(state): State<AppState>, who: ApiCaller) -> ApiResult<Vec<ProposalAnswer>> {
    let views = state.library.duplicate_proposals(&who.caller().who).await?;
    Ok(Json(
        views
            .iter()
            .map(|view| ProposalAnswer {
                id: view.proposal.id,
                similarity: view.proposal.similarity,
                proposed_at: view.proposal.proposed_at,
                a: side(&view.a, view.difference.as_ref().map(|d| &d.0)),
                b: side(&view.b, view.difference.as_ref().map(|d| &d.1)),
            })
            .collect(),
    ))
}

/// Which item of the pair a merge keeps.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    pub keep: i64,
}

/// Merge a proposal's pair: `keep` stays, the other's sources, topics, countries and citing
/// reports move to it, and the other is removed (its delete is in the change feed).
#[utoipa::path(post, path = "/api/v1/library/duplicates/{id}/merge", operation_id = "merge_near_duplicate",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Proposal id")),
    request_body = MergeRequest,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn merge(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<MergeRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .library
        .merge_duplicates(&who.caller().who, id, body.keep)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Dismiss a proposal: its pair is never proposed again.
#[utoipa::path(post, path = "/api/v1/library/duplicates/{id}/dismiss", operation_id = "dismiss_near_duplicate",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Proposal id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn dismiss(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state
        .library
        .dismiss_duplicates(&who.caller().who, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
