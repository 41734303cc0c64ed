//! Carrying a program out through the API: the caller's assignments and notices, progress
//! reports and their review, plans and units, change requests, reminders, progress overrides
//! and the dashboard. Every write calls [`crate::actions`], as the pages do.

use std::sync::Arc;

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use dongbo_domain::access::ROOT_AGENCY;
use dongbo_domain::state::StateCounts;
use dongbo_programs::changes::ChangeRequest;
use dongbo_programs::reports::{self, AttachedFile, EvidenceLink, IssuedDocument, ReportContent};
use dongbo_programs::work::{self, MyAssignment};
use dongbo_programs::{Actor, plans};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use super::{ApiError, ApiResult, JsonBody, Problem};
use crate::AppState;
use crate::auth::{Caller, MaybeCaller};
use crate::error::Error;
use crate::i18n::Lang;
use dongbo_programs::changes::ProposalInput;
use dongbo_programs::reports::{ReportDraft, Review};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_assignments))
        .routes(routes!(my_notifications))
        .routes(routes!(list_reports))
        .routes(routes!(save_draft))
        .routes(routes!(submit_report))
        .routes(
            routes!(upload_file).layer(axum::extract::DefaultBodyLimit::max(
                crate::limits::MAX_UPLOAD_BYTES,
            )),
        )
        .routes(routes!(override_progress))
        .routes(routes!(get_report))
        .routes(routes!(return_report))
        .routes(routes!(accept_report))
        .routes(routes!(reopen_report))
        .routes(routes!(create_plan))
        .routes(routes!(create_unit))
        .routes(routes!(add_plan_task))
        .routes(routes!(assign_unit))
        .routes(routes!(propose_new_task))
        .routes(routes!(propose_task_change))
        .routes(routes!(decide_change))
        .routes(routes!(withdraw_change))
        .routes(routes!(send_reminder))
        .routes(routes!(dashboard))
}

/// The authenticated caller of an API request, with the language of its messages (`?lang=`
/// or the `lang` cookie; Vietnamese by default). Without credentials: 401.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    caller: Arc<Caller>,
    lang: Lang,
}

impl ApiCaller {
    /// The signed-in caller.
    pub(crate) fn caller(&self) -> &Arc<Caller> {
        &self.caller
    }

    pub(crate) fn actor<'a>(&'a self, state: &'a AppState) -> Actor<'a> {
        Actor {
            programs: &state.programs,
            caller: &self.caller.who,
            lang: self.lang,
            clock: state.clock,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ApiCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let caller = parts
            .extensions
            .get::<MaybeCaller>()
            .and_then(|c| c.0.clone())
            .ok_or_else(|| {
                super::problem(
                    StatusCode::UNAUTHORIZED,
                    "Cần đăng nhập: gửi mã API (Authorization: Bearer …) — credentials required: \
                     send an API token (Authorization: Bearer …)",
                    Vec::new(),
                )
            })?;
        let query = parts.uri.query().and_then(|q| {
            q.split('&')
                .find_map(|pair| pair.strip_prefix("lang="))
                .map(str::to_owned)
        });
        Ok(ApiCaller {
            caller,
            lang: crate::i18n::lang_of(query.as_deref(), &parts.headers),
        })
    }
}

/// The `Idempotency-Key` header: a retried request with the same key is answered with the
/// first attempt's result and writes nothing.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(value) => value.to_str().map(Some).map_err(|_| {
            ApiError::from(Error::BadRequest(
                "the Idempotency-Key header must be visible ASCII".into(),
            ))
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// My work

/// The assignments of every agency the caller has a role on (not the whole government).
#[utoipa::path(get, path = "/api/v1/my/assignments", security(("bearer" = [])),
    responses((status = 200, body = [MyAssignment]), (status = 401, body = Problem)))]
pub async fn my_assignments(
    State(state): State<AppState>,
    who: ApiCaller,
) -> ApiResult<Vec<MyAssignment>> {
    Ok(Json(work::my_assignments(&who.actor(&state)).await?))
}

/// A notice to one of the caller's agencies (a reminder, a returned report).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    pub agency_code: String,
    /// due_soon, overdue, report_due_soon, report_overdue, manual; the events: report_sent,
    /// returned, report_accepted, report_reopened, change_decided.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// A page of the application to open.
    pub link: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub read_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When a later event made it no longer apply (a returned report since accepted).
    pub resolved_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The notices of the caller's agencies, newest first per agency.
#[utoipa::path(get, path = "/api/v1/my/notifications", security(("bearer" = [])),
    responses((status = 200, body = [NotificationView]), (status = 401, body = Problem)))]
pub async fn my_notifications(
    State(state): State<AppState>,
    who: ApiCaller,
) -> ApiResult<Vec<NotificationView>> {
    let mut found = Vec::new();
    for code in who.caller.agencies() {
        if code == ROOT_AGENCY {
            continue;
        }
        for n in dongbo_programs::reminders::notices(&state.programs, &code).await? {
            found.push(NotificationView {
                id: n.id,
                agency_code: n.agency_code,
                kind: n.kind,
                title: n.title,
                body: n.body,
                link: n.link,
                created_at: n.created_at,
                read_at: n.read_at,
                resolved_at: n.resolved_at,
            });
        }
    }
    Ok(Json(found))
}

// ---------------------------------------------------------------------------------------------
// Reports

/// A document issued as evidence: "Kế hoạch số 12/KH-UBND".
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentJson {
    /// Số, ký hiệu — "12/KH-UBND" (required).
    pub number: String,
    #[serde(default)]
    pub issued_on: Option<NaiveDate>,
    /// Trích yếu — what it is about.
    #[serde(default)]
    pub title: String,
}

/// A link given as evidence (http or https).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkJson {
    pub url: String,
    #[serde(default)]
    pub title: String,
}

/// An evidence file already stored, by its SHA-256: uploaded on the report page or with
/// `POST /api/v1/assignments/{id}/files`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileJson {
    pub sha256: String,
    #[serde(default)]
    pub name: String,
}

/// What a report says.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ReportContentJson {
    /// Kết quả thực hiện — results achieved.
    pub results: String,
    /// Tiến độ — percent done, 0–100.
    pub progress: u8,
    /// Khó khăn, vướng mắc — difficulties.
    pub difficulties: String,
    /// Kiến nghị, đề xuất — recommendations.
    pub recommendations: String,
    pub documents: Vec<DocumentJson>,
    pub links: Vec<LinkJson>,
    pub files: Vec<FileJson>,
    /// Library items cited as evidence, by id.
    pub library_items: Vec<i64>,
}

impl From<&ReportContent> for ReportContentJson {
    fn from(content: &ReportContent) -> Self {
        ReportContentJson {
            results: content.results.clone(),
            progress: content.progress,
            difficulties: content.difficulties.clone(),
            recommendations: content.recommendations.clone(),
            documents: content
                .documents
                .iter()
                .map(|d| DocumentJson {
                    number: d.number.clone(),
                    issued_on: d.issued_on,
                    title: d.title.clone(),
                })
                .collect(),
            links: content
                .links
                .iter()
                .map(|l| LinkJson {
                    url: l.url.clone(),
                    title: l.title.clone(),
                })
                .collect(),
            files: content
                .files
                .iter()
                .map(|f| FileJson {
                    sha256: f.sha256.clone(),
                    name: f.name.clone(),
                })
                .collect(),
            library_items: content.library_items.clone(),
        }
    }
}

/// A report's save or submission: the whole content each time (every version keeps all of it).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportWrite {
    /// "once" or a Decree 09 period ("2025", "2025-H1", "2025-Q2", "2025-M05"). Default: "once"
    /// for work done once, the current year for recurring work.
    #[serde(default)]
    pub period: Option<String>,
    /// The version the content was read from; absent for a new report. A report that moved on
    /// since is a 409.
    #[serde(default)]
    pub based_on: Option<i64>,
    #[serde(default)]
    pub results: String,
    pub progress: u8,
    #[serde(default)]
    pub difficulties: String,
    #[serde(default)]
    pub recommendations: String,
    #[serde(default)]
    pub documents: Vec<DocumentJson>,
    #[serde(default)]
    pub links: Vec<LinkJson>,
    #[serde(default)]
    pub files: Vec<FileJson>,
    /// Library items cited as evidence, by id (each one the caller may read).
    #[serde(default)]
    pub library_items: Vec<i64>,
}

impl ReportWrite {
    fn content(&self) -> ReportContent {
        ReportContent {
            library_items: self.library_items.clone(),
            results: self.results.clone(),
            progress: self.progress,
            difficulties: self.difficulties.clone(),
            recommendations: self.recommendations.clone(),
            documents: self
                .documents
                .iter()
                .map(|d| IssuedDocument {
                    number: d.number.clone(),
                    issued_on: d.issued_on,
                    title: d.title.clone(),
                })
                .collect(),
            links: self
                .links
                .iter()
                .map(|l| EvidenceLink {
                    url: l.url.clone(),
                    title: l.title.clone(),
                })
                .collect(),
            files: self
                .files
                .iter()
                .map(|f| AttachedFile {
                    sha256: f.sha256.clone(),
                    name: f.name.clone(),
                })
                .collect(),
        }
    }
}

/// What a write to a report did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportOutcome {
    pub report_id: i64,
    /// The version the report is now at: send it back as `based_on` or `seen_version`.
    pub version: i64,
    /// draft, submitted, returned or accepted.
    pub status: String,
    /// True when the Idempotency-Key was seen before: nothing was written, this is the first
    /// attempt's result.
    pub replayed: bool,
}

impl From<reports::Outcome> for ReportOutcome {
    fn from(outcome: reports::Outcome) -> Self {
        ReportOutcome {
            report_id: outcome.report_id,
            version: outcome.version,
            status: outcome.status.as_str().to_owned(),
            replayed: outcome.replayed,
        }
    }
}

/// A report without its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportSummaryView {
    pub id: i64,
    pub assignment_id: i64,
    /// "once" or the period's code.
    pub period: String,
    /// draft, submitted, returned or accepted.
    pub status: String,
    pub current_version: i64,
    pub progress: u8,
    pub created_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub accepted_at: Option<String>,
    pub reviewed_by: Option<String>,
}

impl From<&reports::ReportSummary> for ReportSummaryView {
    fn from(s: &reports::ReportSummary) -> Self {
        ReportSummaryView {
            id: s.id,
            assignment_id: s.assignment_id,
            period: s.period.code(),
            status: s.status.as_str().to_owned(),
            current_version: s.current_version,
            progress: s.progress,
            created_at: s.created_at.clone(),
            updated_at: s.updated_at.clone(),
            submitted_at: s.submitted_at.clone(),
            accepted_at: s.accepted_at.clone(),
            reviewed_by: s.reviewed_by.clone(),
        }
    }
}

/// One version of a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportVersionView {
    pub version: i64,
    /// save, submit, return, accept or reopen.
    pub action: String,
    pub status_after: String,
    pub content: ReportContentJson,
    pub author: String,
    pub saved_at: String,
    /// The reviewer's comment of a return or an acceptance, the reason of a reopening.
    pub comment: Option<String>,
}

/// A report with its current content and every version, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportView {
    pub summary: ReportSummaryView,
    pub content: ReportContentJson,
    /// What the author has to fix, while the report is returned.
    pub open_comment: Option<String>,
    pub versions: Vec<ReportVersionView>,
}

/// The reports of an assignment, one per period.
#[utoipa::path(get, path = "/api/v1/assignments/{id}/reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Assignment id")),
    responses((status = 200, body = [ReportSummaryView]), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_reports(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Vec<ReportSummaryView>> {
    reports::readable_assignment(&who.actor(&state), id).await?;
    let found = reports::of_assignment(&state.programs, id).await?;
    Ok(Json(found.iter().map(ReportSummaryView::from).collect()))
}

/// One report with its versions.
#[utoipa::path(get, path = "/api/v1/reports/{id}", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, body = ReportView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_report(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<ReportView> {
    let report = reports::readable_report(&who.actor(&state), id).await?;
    Ok(Json(ReportView {
        summary: ReportSummaryView::from(&report.summary),
        content: ReportContentJson::from(report.content()),
        open_comment: report.open_comment().map(str::to_owned),
        versions: report
            .versions
            .iter()
            .map(|v| ReportVersionView {
                version: v.version,
                action: v.action.as_str().to_owned(),
                status_after: v.status_after.as_str().to_owned(),
                content: ReportContentJson::from(&v.content),
                author: v.author.clone(),
                saved_at: v.saved_at.clone(),
                comment: v.comment.clone(),
            })
            .collect(),
    }))
}

async fn write_report(
    state: &AppState,
    who: &ApiCaller,
    id: i64,
    headers: &HeaderMap,
    body: &ReportWrite,
    submit: bool,
) -> ApiResult<ReportOutcome> {
    let actor = who.actor(state);
    let target = reports::report_to_write(&actor, id, body.period.as_deref()).await?;
    let content = body.content();
    let draft = ReportDraft {
        content: &content,
        based_on: body.based_on,
        idempotency_key: idempotency_key(headers)?,
        submit,
    };
    Ok(Json(
        reports::write_report(&actor, &target, &draft).await?.into(),
    ))
}

/// Where an uploaded file's name is given.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name, as the report will show it ("bien-ban.pdf").
    pub name: String,
}

/// A stored evidence file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StoredFileJson {
    pub sha256: String,
    pub name: String,
    pub size: u64,
    pub media_type: String,
}

/// Stores an evidence file for the reports of an assignment (the body is the file's bytes,
/// with its `Content-Type`), under the same size and type limits as the report page; cite it
/// in a report by the SHA-256 returned. Storing the same bytes again stores nothing new.
#[utoipa::path(post, path = "/api/v1/assignments/{id}/files", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Assignment id"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = StoredFileJson), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_file(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<StoredFileJson> {
    let actor = who.actor(&state);
    let target = reports::report_to_write(&actor, id, None).await?;
    let name = dongbo_domain::text::nfc(query.name.trim());
    if name.is_empty() {
        return Err(Error::field("name", "Cần tên tệp — the file needs a name").into());
    }
    let declared = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let stored = reports::keep_file(&actor, &target, &body, &name, declared).await?;
    Ok(Json(StoredFileJson {
        sha256: stored.sha256,
        name,
        size: stored.size,
        media_type: stored.media_type.mime().to_owned(),
    }))
}

/// Saves a draft of the assignment's report for a period (creating the report when new).
#[utoipa::path(post, path = "/api/v1/assignments/{id}/reports/draft", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Assignment id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = ReportWrite,
    responses((status = 200, body = ReportOutcome), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn save_draft(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ReportWrite>,
) -> ApiResult<ReportOutcome> {
    write_report(&state, &who, id, &headers, &body, false).await
}

/// Submits the assignment's report for a period for review. With an `Idempotency-Key`, a
/// retried submission never makes a second report or version.
#[utoipa::path(post, path = "/api/v1/assignments/{id}/reports/submit", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Assignment id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = ReportWrite,
    responses((status = 200, body = ReportOutcome), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn submit_report(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ReportWrite>,
) -> ApiResult<ReportOutcome> {
    write_report(&state, &who, id, &headers, &body, true).await
}

/// A return: the version reviewed and the comment for the author.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnBody {
    pub seen_version: i64,
    pub comment: String,
}

/// An acceptance of the version reviewed.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    pub seen_version: i64,
    /// The reviewer's comment, kept with the acceptance (optional).
    #[serde(default)]
    pub comment: Option<String>,
}

/// A reopening of an accepted report, with the reason.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenBody {
    pub seen_version: i64,
    pub reason: String,
}

async fn review(
    state: &AppState,
    who: &ApiCaller,
    id: i64,
    headers: &HeaderMap,
    seen_version: i64,
    review: Review<'_>,
) -> ApiResult<ReportOutcome> {
    let reviewed = reports::review_report(
        &who.actor(state),
        id,
        seen_version,
        review,
        idempotency_key(headers)?,
    )
    .await?;
    Ok(Json(reviewed.outcome.into()))
}

/// Returns a submitted report to its author with a comment.
#[utoipa::path(post, path = "/api/v1/reports/{id}/return", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = ReturnBody,
    responses((status = 200, body = ReportOutcome), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn return_report(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ReturnBody>,
) -> ApiResult<ReportOutcome> {
    let decision = Review::Return {
        comment: &body.comment,
    };
    review(&state, &who, id, &headers, body.seen_version, decision).await
}

/// Accepts a submitted report, which locks it.
#[utoipa::path(post, path = "/api/v1/reports/{id}/accept", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = AcceptBody,
    responses((status = 200, body = ReportOutcome), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn accept_report(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<AcceptBody>,
) -> ApiResult<ReportOutcome> {
    review(
        &state,
        &who,
        id,
        &headers,
        body.seen_version,
        Review::AcceptWithComment {
            comment: body.comment.as_deref().unwrap_or(""),
        },
    )
    .await
}

/// Reopens an accepted report, with the reason; it becomes returned.
#[utoipa::path(post, path = "/api/v1/reports/{id}/reopen", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = ReopenBody,
    responses((status = 200, body = ReportOutcome), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reopen_report(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ReopenBody>,
) -> ApiResult<ReportOutcome> {
    let decision = Review::Reopen {
        reason: &body.reason,
    };
    review(&state, &who, id, &headers, body.seen_version, decision).await
}

/// A person's override of an assignment's progress; `progress` null clears it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideBody {
    pub progress: Option<u8>,
    #[serde(default)]
    pub reason: String,
}

/// Sets or clears the override of an assignment's progress (visible on the task).
#[utoipa::path(put, path = "/api/v1/assignments/{id}/progress", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Assignment id")),
    request_body = OverrideBody,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn override_progress(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<OverrideBody>,
) -> Result<StatusCode, ApiError> {
    reports::override_progress(&who.actor(&state), id, body.progress, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Plans and units

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlanBody {
    /// The program the plan carries out.
    pub program_id: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanCreated {
    /// The plan's own program id.
    pub program_id: i64,
    /// False when the agency already had a plan for that program.
    pub created: bool,
}

/// Creates the agency's plan for a program, pre-filled with every task it is assigned (or
/// finds the one it has: 200 instead of 201).
#[utoipa::path(post, path = "/api/v1/agencies/{code}/plans", security(("bearer" = [])),
    params(("code" = String, Path, description = "Agency code")),
    request_body = CreatePlanBody,
    responses((status = 201, body = PlanCreated), (status = 200, body = PlanCreated),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_plan(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<CreatePlanBody>,
) -> Result<Response, ApiError> {
    let created = plans::create_plan(&who.actor(&state), &code, body.program_id).await?;
    let new = matches!(created, plans::Created::New { .. });
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let body = PlanCreated {
        program_id: created.program_id(),
        created: new,
    };
    Ok((status, Json(body)).into_response())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlanTaskBody {
    /// The parent program's task it carries out ("3.21").
    pub parent_task_code: String,
    pub title: String,
    #[serde(default)]
    pub expected_output: Option<String>,
    /// As a person writes it ("Quý III/2025").
    pub time_frame: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskCreated {
    /// The new task's code ("3.21.1").
    pub code: String,
}

/// Adds the agency's own task to its plan, linked to the parent task it carries out.
#[utoipa::path(post, path = "/api/v1/plans/{id}/tasks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The plan's program id")),
    request_body = NewPlanTaskBody,
    responses((status = 201, body = TaskCreated), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn add_plan_task(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<NewPlanTaskBody>,
) -> Result<Response, ApiError> {
    let code = plans::add_plan_task(
        &who.actor(&state),
        id,
        &plans::NewTask {
            parent_task_code: body.parent_task_code,
            title: body.title,
            expected_output: body.expected_output,
            time_frame: body.time_frame,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(TaskCreated { code })).into_response())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnitBody {
    /// The unit's own short code ("HTQT"); it is stored under the agency's ("BVHTTDL/HTQT").
    pub code: String,
    pub name_vi: String,
    #[serde(default)]
    pub name_en: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitView {
    pub code: String,
    pub agency_code: String,
    pub name_vi: String,
    pub name_en: String,
}

/// Creates a unit of the agency.
#[utoipa::path(post, path = "/api/v1/agencies/{code}/units", security(("bearer" = [])),
    params(("code" = String, Path, description = "Agency code")),
    request_body = NewUnitBody,
    responses((status = 201, body = UnitView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_unit(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<NewUnitBody>,
) -> Result<Response, ApiError> {
    let unit = plans::create_unit(
        &who.actor(&state),
        &code,
        &body.code,
        &body.name_vi,
        &body.name_en,
    )
    .await?;
    let view = UnitView {
        code: unit.code,
        agency_code: unit.agency_code,
        name_vi: unit.name_vi,
        name_en: unit.name_en,
    };
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignUnitBody {
    /// The unit's full code ("BVHTTDL/HTQT").
    pub unit_code: String,
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
}

/// Hands a plan task to one of the agency's units, with an optional due date.
#[utoipa::path(post, path = "/api/v1/plans/{id}/tasks/{code}/units", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The plan's program id"),
        ("code" = String, Path, description = "Task code")),
    request_body = AssignUnitBody,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn assign_unit(
    State(state): State<AppState>,
    who: ApiCaller,
    Path((id, code)): Path<(i64, String)>,
    JsonBody(body): JsonBody<AssignUnitBody>,
) -> Result<StatusCode, ApiError> {
    plans::assign_unit(&who.actor(&state), id, &code, &body.unit_code, body.due_on).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Change requests

/// A proposal of a new task.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTaskProposalBody {
    /// The proposing agency, which will lead the task.
    pub agency: String,
    /// The task group it goes in.
    pub group: String,
    pub title: String,
    #[serde(default)]
    pub expected_output: String,
    pub time_frame: String,
    pub reason: String,
}

/// A proposal to amend, re-time or drop a task.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskChangeBody {
    /// amend, retime or drop.
    pub kind: String,
    /// The proposing agency, assigned to the task.
    pub agency: String,
    /// New title (amend).
    #[serde(default)]
    pub title: String,
    /// New expected output (amend).
    #[serde(default)]
    pub expected_output: String,
    /// New time frame (retime).
    #[serde(default)]
    pub time_frame: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeCreated {
    /// The change request's id.
    pub id: i64,
}

/// Proposes a new task in a group of the program.
#[utoipa::path(post, path = "/api/v1/programs/{id}/changes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    request_body = NewTaskProposalBody,
    responses((status = 201, body = ChangeCreated), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn propose_new_task(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<NewTaskProposalBody>,
) -> Result<Response, ApiError> {
    let input = ProposalInput {
        kind: "add".to_owned(),
        agency: body.agency,
        title: body.title,
        expected_output: body.expected_output,
        time_frame: body.time_frame,
        group: body.group,
        reason: body.reason,
    };
    let request =
        dongbo_programs::changes::propose_new_task(&who.actor(&state), id, &input).await?;
    Ok((StatusCode::CREATED, Json(ChangeCreated { id: request })).into_response())
}

/// Proposes to amend, re-time or drop a task.
#[utoipa::path(post, path = "/api/v1/programs/{id}/tasks/{code}/changes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id"),
        ("code" = String, Path, description = "Task code")),
    request_body = TaskChangeBody,
    responses((status = 201, body = ChangeCreated), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn propose_task_change(
    State(state): State<AppState>,
    who: ApiCaller,
    Path((id, code)): Path<(i64, String)>,
    JsonBody(body): JsonBody<TaskChangeBody>,
) -> Result<Response, ApiError> {
    let input = ProposalInput {
        kind: body.kind,
        agency: body.agency,
        title: body.title,
        expected_output: body.expected_output,
        time_frame: body.time_frame,
        group: String::new(),
        reason: body.reason,
    };
    let request =
        dongbo_programs::changes::propose_task_change(&who.actor(&state), id, &code, &input)
            .await?;
    Ok((StatusCode::CREATED, Json(ChangeCreated { id: request })).into_response())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// approve or reject.
    pub decision: String,
    /// Required to reject.
    #[serde(default)]
    pub note: String,
}

/// A change request as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeRequestView {
    pub id: i64,
    pub program_id: i64,
    /// The task concerned; for an add, its code once approved.
    pub task_code: Option<String>,
    /// add, amend, drop or retime.
    pub kind: String,
    pub proposed_by_agency: String,
    pub proposed_by: String,
    pub reason: String,
    pub title: Option<String>,
    pub expected_output: Option<String>,
    pub time_frame: Option<String>,
    pub group: Option<String>,
    /// pending, approved, rejected or withdrawn.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
    pub created_at: String,
}

impl From<ChangeRequest> for ChangeRequestView {
    fn from(r: ChangeRequest) -> Self {
        ChangeRequestView {
            id: r.id,
            program_id: r.program_id,
            task_code: r.task_code,
            kind: r.kind.as_str().to_owned(),
            proposed_by_agency: r.proposed_by_agency,
            proposed_by: r.proposed_by,
            reason: r.reason,
            title: r.proposal.title,
            expected_output: r.proposal.expected_output,
            time_frame: r.proposal.time_frame,
            group: r.proposal.group,
            status: r.status.as_str().to_owned(),
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            decision_note: r.decision_note,
            created_at: r.created_at,
        }
    }
}

/// The coordinator approves or rejects a pending change request.
#[utoipa::path(post, path = "/api/v1/programs/{id}/changes/{request}/decision", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id"),
        ("request" = i64, Path, description = "Change request id")),
    request_body = DecisionBody,
    responses((status = 200, body = ChangeRequestView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn decide_change(
    State(state): State<AppState>,
    who: ApiCaller,
    Path((id, request)): Path<(i64, i64)>,
    JsonBody(body): JsonBody<DecisionBody>,
) -> ApiResult<ChangeRequestView> {
    let decided = dongbo_programs::changes::decide_change(
        &who.actor(&state),
        id,
        request,
        &body.decision,
        &body.note,
    )
    .await?;
    Ok(Json(decided.into()))
}

/// The proposer takes a pending change request back.
#[utoipa::path(post, path = "/api/v1/programs/{id}/changes/{request}/withdraw", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id"),
        ("request" = i64, Path, description = "Change request id")),
    responses((status = 200, body = ChangeRequestView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn withdraw_change(
    State(state): State<AppState>,
    who: ApiCaller,
    Path((id, request)): Path<(i64, i64)>,
) -> ApiResult<ChangeRequestView> {
    let withdrawn =
        dongbo_programs::changes::withdraw_change(&who.actor(&state), id, request).await?;
    Ok(Json(withdrawn.into()))
}

// ---------------------------------------------------------------------------------------------
// Reminders and the dashboard

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderBody {
    /// The agencies to remind, by code.
    pub agencies: Vec<String>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemindersQueued {
    /// How many agencies' reminders were queued for their next digest.
    pub queued: usize,
}

/// A coordinator's reminder (đôn đốc) to chosen agencies: in-app, and by e-mail in their next
/// digest.
#[utoipa::path(post, path = "/api/v1/programs/{id}/reminders", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    request_body = ReminderBody,
    responses((status = 200, body = RemindersQueued), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn send_reminder(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<ReminderBody>,
) -> ApiResult<RemindersQueued> {
    let queued = dongbo_programs::reminders::send_reminder(
        &who.actor(&state),
        id,
        &body.agencies,
        &body.message,
    )
    .await?;
    Ok(Json(RemindersQueued { queued }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// Judge the figures as of this day (YYYY-MM-DD); today when absent.
    pub on: Option<String>,
}

/// How many tasks are in each state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StateCountsView {
    pub not_started: u64,
    pub in_progress: u64,
    pub done_on_time: u64,
    pub done_late: u64,
    pub overdue_not_done: u64,
}

impl From<&StateCounts> for StateCountsView {
    fn from(c: &StateCounts) -> Self {
        StateCountsView {
            not_started: c.not_started,
            in_progress: c.in_progress,
            done_on_time: c.done_on_time,
            done_late: c.done_late,
            overdue_not_done: c.overdue_not_done,
        }
    }
}

/// One task's line on the dashboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskStateView {
    pub task_code: String,
    pub group_code: String,
    pub state: String,
    /// Mean progress of its leads.
    pub progress: u8,
    pub due: Option<NaiveDate>,
}

/// A program's dashboard figures on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashboardView {
    pub program_id: i64,
    pub as_of: NaiveDate,
    /// Share of tasks done, in percent.
    pub percent_done: Option<u8>,
    pub tasks: StateCountsView,
    pub task_lines: Vec<TaskStateView>,
}

/// A program's dashboard: tasks by state, % done, each task's state (as the dashboard page).
#[utoipa::path(get, path = "/api/v1/programs/{id}/dashboard", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id"), DashboardQuery),
    responses((status = 200, body = DashboardView), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn dashboard(
    State(state): State<AppState>,
    _who: ApiCaller,
    Path(id): Path<i64>,
    Query(query): Query<DashboardQuery>,
) -> ApiResult<DashboardView> {
    let stamp = state.programs.dashboard_stamp(id).await?;
    state.programs.program_detail(id, stamp).await?;
    let today = dongbo_programs::input::parse_date("on", query.on.as_deref().unwrap_or(""))?
        .unwrap_or_else(|| state.today());
    let period = work::missing_period(None, today)?;
    let computed = work::dashboard(&state.programs, id, stamp, None, today, period).await?;
    let figures = &computed.figures;
    Ok(Json(DashboardView {
        program_id: id,
        as_of: today,
        percent_done: figures.tasks.percent_done(),
        tasks: StateCountsView::from(&figures.tasks),
        task_lines: figures
            .task_lines
            .iter()
            .map(|t| TaskStateView {
                task_code: t.task_code.clone(),
                group_code: t.group_code.clone(),
                state: t.state.as_str().to_owned(),
                progress: t.progress,
                due: t.due,
            })
            .collect(),
    }))
}
