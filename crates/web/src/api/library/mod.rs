//! The library through the API: search (anyone; what the caller may read), an item, the push
//! of an agency's system (idempotent by its `system` and `external_id`), and the change feed
//! another Đồng Bộ follows, and the pull sources (`sources`). Every call goes through
//! `dongbo_library`, as the pages do.

mod sources;

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use dongbo_library::search::SearchParams;
use dongbo_library::{ItemInput, Outcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

mod duplicates;

use super::work::ApiCaller;
use super::{ApiError, ApiResult, JsonBody, Problem};
use crate::AppState;
use crate::auth::MaybeCaller;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(create_item))
        .routes(routes!(get_item))
        .routes(routes!(get_file))
        .routes(routes!(put_pushed, delete_pushed))
        .routes(routes!(changes))
        .routes(routes!(sources::list_sources, sources::add_source))
        .routes(routes!(sources::enable_source))
        .routes(routes!(sources::poll_source))
        .routes(routes!(sources::set_source_visibility))
        .merge(duplicates::router())
}

/// The search's parameters (all optional; `q` empty lists the newest items).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "the fields document the parameters; `SearchParams` reads them"
)]
pub struct LibrarySearch {
    /// What to find; with or without diacritics; "…" for a phrase.
    q: Option<String>,
    /// An item kind (`article`, `white_paper`…).
    kind: Option<String>,
    /// ISO 639-1 language code.
    lang: Option<String>,
    /// A topic code.
    topic: Option<String>,
    /// ISO 3166-1 alpha-2 code.
    country: Option<String>,
    /// Owner agency code.
    agency: Option<String>,
    /// Published on or after (YYYY-MM-DD).
    from: Option<NaiveDate>,
    /// Published on or before (YYYY-MM-DD).
    to: Option<NaiveDate>,
    /// 1-based page (at most 100).
    page: Option<usize>,
    /// Hits a page (1–100, default 20).
    per_page: Option<usize>,
    /// `relevance` (default) or `newest`.
    sort: Option<String>,
    /// The last word is still being typed (search-as-you-type).
    prefix: Option<bool>,
    /// ISO 639-1 code of the language whose items rank first among matches as good
    /// (default `vi`: "da nang" finds the Vietnamese items on Đà Nẵng before English ones on
    /// "Da Nang"); `none` for no preference.
    prefer_lang: Option<String>,
}

/// One hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitView {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub language: String,
    pub published_on: Option<NaiveDate>,
    /// A passage around the words found, as plain text.
    pub snippet: String,
    /// Byte ranges of `snippet` that matched, `[start, end)`.
    pub highlights: Vec<[usize; 2]>,
    pub score: f32,
    /// Where the item came from: a file name, a feed entry's URL, or "system:external_id".
    pub source: String,
}

/// What a search found: the total and facets count only items the caller may read.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchAnswer {
    pub total: u64,
    pub hits: Vec<HitView>,
    /// Per facet (kind, language, topic, country, agency, year, visibility): value → count.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
    /// The accented words found nothing as typed; the results ignore diacritics.
    pub folded: bool,
    /// For words typed without diacritics, how the hits write them with diacritics, most
    /// often first ("Đà Nẵng", "đa năng" for "da nang"): search one of them to mean exactly it.
    pub readings: Vec<String>,
}

/// The answer the CLI prints too (`dongbo library search --json`).
pub fn answer(results: dongbo_search::Results) -> SearchAnswer {
    SearchAnswer {
        total: results.total,
        hits: results
            .hits
            .into_iter()
            .map(|hit| HitView {
                id: hit.id,
                title: hit.title,
                kind: hit.kind,
                language: hit.language,
                published_on: hit.published_on,
                highlights: hit
                    .snippet
                    .highlights
                    .iter()
                    .map(|r| [r.start, r.end])
                    .collect(),
                snippet: hit.snippet.text,
                score: hit.score,
                source: hit.source,
            })
            .collect(),
        facets: results
            .facets
            .into_iter()
            .map(|(facet, values)| (facet, values.into_iter().collect()))
            .collect(),
        folded: results.folded,
        readings: results.readings,
    }
}

/// Search the library. Without credentials only public items are searched; with them, what
/// the caller's grants let them read. Visibility is applied inside the search: no hit, total
/// or facet counts an item the caller may not read.
#[utoipa::path(get, path = "/api/v1/library/search", params(LibrarySearch),
    responses((status = 200, body = SearchAnswer), (status = 422, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    caller: MaybeCaller,
    Query(params): Query<SearchParams>,
) -> ApiResult<SearchAnswer> {
    let caller = caller.0.as_ref().map(|c| &c.who);
    let results = state.library.search(caller, &params).await?;
    Ok(Json(answer(results)))
}

/// An item as the API shows it (its fields as stored, with provenances and attachments).
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    pub id: i64,
    #[schema(value_type = Object)]
    #[serde(flatten)]
    pub item: serde_json::Value,
}

/// One item, if the caller may read it (else 404, as an unknown id).
#[utoipa::path(get, path = "/api/v1/library/items/{id}",
    params(("id" = i64, Path, description = "Item id")),
    responses((status = 200, body = ItemView), (status = 404, body = Problem)))]
pub async fn get_item(
    State(state): State<AppState>,
    caller: MaybeCaller,
    Path(id): Path<i64>,
) -> ApiResult<ItemView> {
    let caller = caller.0.as_ref().map(|c| &c.who);
    let item = state.library.get(caller, id).await?;
    Ok(Json(ItemView {
        id: item.id,
        item: serde_json::to_value(&item).map_err(|e| crate::Error::Internal(e.to_string()))?,
    }))
}

/// File `position` (from 0, in the item's `attachments` order) of an item the caller may read
/// (else 404, as an unknown id), as it was stored.
#[utoipa::path(get, path = "/api/v1/library/items/{id}/files/{position}",
    params(("id" = i64, Path, description = "Item id"),
           ("position" = usize, Path, description = "The file's place among the item's attachments, from 0")),
    responses((status = 200, description = "The file's bytes, with its media type", content_type = "application/octet-stream"),
              (status = 404, body = Problem)))]
pub async fn get_file(
    State(state): State<AppState>,
    caller: MaybeCaller,
    Path((id, position)): Path<(i64, usize)>,
) -> Result<Response, ApiError> {
    let caller = caller.0.as_ref().map(|c| &c.who);
    let file = state.library.file(caller, id, position).await?;
    Ok(crate::pages::stored_file(
        &file.attachment.media_type,
        &file.attachment.name,
        file.bytes,
    ))
}

/// An item pushed by an agency's system.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pushed {
    /// The sending system: an agency's code (the caller must work for it) or a system name.
    pub system: String,
    /// The item's id in that system: sending it again updates the same item.
    pub external_id: Option<String>,
    /// The item: title, summary, body, language, kind, topics, countries, audiences, owner,
    /// author, published_on, event_on, rights, licence, visibility, visible_to, url.
    #[schema(value_type = Object)]
    pub item: ItemInput,
}

/// What a push did.
#[derive(Debug, Serialize, ToSchema)]
pub struct PushAnswer {
    pub id: i64,
    /// created, updated, unchanged or merged (the same text was already an item: this one's
    /// provenance was added to it).
    pub outcome: String,
}

fn pushed(written: dongbo_library::Written) -> Response {
    let status = match written.outcome {
        Outcome::Created => StatusCode::CREATED,
        _ => StatusCode::OK,
    };
    let outcome = serde_json::to_value(written.outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    (
        status,
        Json(PushAnswer {
            id: written.id,
            outcome,
        }),
    )
        .into_response()
}

/// Add an item (a librarian's or an admin's, on the owner agency). With an `external_id`, a
/// retry or a second sending of the same (`system`, `external_id`) updates the same item:
/// 201 when created, 200 when updated or unchanged.
#[utoipa::path(post, path = "/api/v1/library/items", security(("bearer" = [])),
    request_body = Pushed,
    responses((status = 201, body = PushAnswer), (status = 200, body = PushAnswer),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create_item(
    State(state): State<AppState>,
    who: ApiCaller,
    JsonBody(body): JsonBody<Pushed>,
) -> Result<Response, ApiError> {
    let caller = &who.caller().who;
    let written = match &body.external_id {
        Some(external_id) => {
            state
                .library
                .push(caller, &body.system, external_id, &body.item)
                .await?
        }
        None => state.library.create(caller, &body.item).await?,
    };
    state.library.catch_up().await.ok();
    Ok(pushed(written))
}

/// Create or update the item a system sent under `external_id`.
#[utoipa::path(put, path = "/api/v1/library/items/{system}/{external_id}",
    security(("bearer" = [])),
    params(("system" = String, Path, description = "The sending system or agency code"),
        ("external_id" = String, Path, description = "The item's id in that system")),
    request_body(content = Object, description = "The item (the fields of `Pushed.item`)"),
    responses((status = 201, body = PushAnswer), (status = 200, body = PushAnswer),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn put_pushed(
    State(state): State<AppState>,
    who: ApiCaller,
    Path((system, external_id)): Path<(String, String)>,
    JsonBody(item): JsonBody<ItemInput>,
) -> Result<Response, ApiError> {
    let written = state
        .library
        .push(&who.caller().who, &system, &external_id, &item)
        .await?;
    state.library.catch_up().await.ok();
    Ok(pushed(written))
}

/// Remove the item a system sent under `external_id`.
#[utoipa::path(delete, path = "/api/v1/library/items/{system}/{external_id}",
    security(("bearer" = [])),
    params(("system" = String, Path, description = "The sending system or agency code"),
        ("external_id" = String, Path, description = "The item's id in that system")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn delete_pushed(
    State(state): State<AppState>,
    who: ApiCaller,
    Path((system, external_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .library
        .delete_pushed(&who.caller().who, &system, &external_id)
        .await?;
    state.library.catch_up().await.ok();
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesAfter {
    /// The last sequence number already applied (0 for the start).
    #[serde(default)]
    after: i64,
    /// Changes at most (1–1000, default 1000).
    limit: Option<i64>,
}

/// Every change after `after`, in order, as JSON Lines (`application/x-ndjson`): one
/// `{"seq", "item_id", "op", "at", "item"}` a line, `item` the item as it is now for an upsert.
/// Only the items the caller may read are given; another Đồng Bộ follows this with an
/// administrator's token.
#[utoipa::path(get, path = "/api/v1/library/changes", security(("bearer" = [])),
    params(ChangesAfter),
    responses((status = 200, content_type = "application/x-ndjson", body = String),
        (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn changes(
    State(state): State<AppState>,
    who: ApiCaller,
    Query(query): Query<ChangesAfter>,
) -> Result<Response, ApiError> {
    let limit = query.limit.unwrap_or(1_000);
    if !(1..=1_000).contains(&limit) || query.after < 0 {
        return Err(crate::Error::field("limit", "limit from 1 to 1000, after from 0").into());
    }
    let reader = state.library.readership(Some(&who.caller().who));
    let changes = state
        .library
        .changes_after(&reader, query.after, limit)
        .await?;
    let mut body = Vec::new();
    for change in &changes {
        serde_json::to_writer(&mut body, change)
            .map_err(|e| crate::Error::Internal(e.to_string()))?;
        body.push(b'\n');
    }
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8")],
        Body::from(body),
    )
        .into_response())
}
