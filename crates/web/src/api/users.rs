//! Users and roles through the API (`/api/v1/admin/users…`): what `/admin/users` does in the
//! browser, for a ministry's identity or HR system that keeps its people in step. The rules
//! (who administers whom, what may be given) are `dongbo_programs::users`'s; an administrator
//! outside a user's agency gets 404 for them, as for an unknown username.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::work::ApiCaller;
use super::{ApiError, ApiResult, JsonBody, Problem};
use crate::AppState;
use dongbo_programs::users::{self, NewUserInput, UserRow};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user))
        .routes(routes!(set_disabled))
        .routes(routes!(reset_password))
        .routes(routes!(grant_role, revoke_role))
        .routes(routes!(log_out_everywhere))
        .routes(routes!(end_session))
        .routes(routes!(revoke_token))
        .routes(routes!(unlock))
}

/// A role on an agency (and the units under it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GrantView {
    /// viewer, reporter, approver, coordinator, librarian or admin (or the role's Vietnamese
    /// or English name, when written).
    pub role: String,
    /// The agency's code (or, when written, one of its names).
    pub agency: String,
}

/// A user as an administrator sees them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub disabled: bool,
    /// The password was set by someone else and must be changed at the next login.
    pub must_change_password: bool,
    /// The latest end of a login lock in force (from some address).
    pub locked_until: Option<DateTime<Utc>>,
    pub grants: Vec<GrantView>,
}

impl From<UserRow> for UserView {
    fn from(row: UserRow) -> Self {
        UserView {
            username: row.user.username,
            display_name: row.user.display_name,
            email: row.email,
            disabled: row.user.disabled,
            must_change_password: row.user.must_change_password,
            locked_until: row.locked_until,
            grants: row
                .grants
                .into_iter()
                .map(|g| GrantView {
                    role: g.role.as_str().to_owned(),
                    agency: g.agency_code,
                })
                .collect(),
        }
    }
}

/// A live session (named by the SHA-256 of its token).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// An API token (never the token itself).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

/// One user with their sessions and tokens.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserDetailView {
    #[serde(flatten)]
    pub user: UserView,
    pub sessions: Vec<SessionView>,
    pub tokens: Vec<TokenView>,
}

/// A user just created or given a new password, with the password to hand over once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WithPassword {
    pub user: UserView,
    /// Generated; not stored (only its hash), never shown again; the user must change it.
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsersQuery {
    /// Matches username, name, e-mail or agency, diacritics and case ignored.
    #[serde(default)]
    pub q: String,
}

/// The users the caller administers (all of them for an administrator of the Government;
/// those whose every role lies in its subtree for a ministry's or a province's).
#[utoipa::path(get, path = "/api/v1/admin/users", security(("bearer" = [])), params(UsersQuery),
    responses((status = 200, body = [UserView]), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    who: ApiCaller,
    Query(query): Query<UsersQuery>,
) -> ApiResult<Vec<UserView>> {
    let rows = users::list(&who.actor(&state), &query.q).await?;
    Ok(Json(rows.into_iter().map(UserView::from).collect()))
}

/// A user to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub email: Option<String>,
    /// A first role, with `agency`.
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub agency: Option<String>,
}

/// Creates a user with a generated first password, returned once.
#[utoipa::path(post, path = "/api/v1/admin/users", security(("bearer" = [])),
    request_body = NewUserBody,
    responses((status = 201, body = WithPassword), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    who: ApiCaller,
    JsonBody(body): JsonBody<NewUserBody>,
) -> Result<(StatusCode, Json<WithPassword>), ApiError> {
    let actor = who.actor(&state);
    let input = NewUserInput {
        username: body.username,
        display_name: body.display_name,
        email: body.email,
        role: body.role,
        agency: body.agency,
    };
    let created = users::create(&actor, &input).await?;
    let row = users::detail(&actor, &created.user.username).await?.row;
    Ok((
        StatusCode::CREATED,
        Json(WithPassword {
            user: row.into(),
            password: created.password,
        }),
    ))
}

/// One user, with their live sessions and API tokens.
#[utoipa::path(get, path = "/api/v1/admin/users/{username}", security(("bearer" = [])),
    params(("username" = String, Path)),
    responses((status = 200, body = UserDetailView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_user(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(username): Path<String>,
) -> ApiResult<UserDetailView> {
    let detail = users::detail(&who.actor(&state), &username).await?;
    Ok(Json(UserDetailView {
        user: detail.row.into(),
        sessions: detail
            .sessions
            .into_iter()
            .map(|s| SessionView {
                id: s.id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
            })
            .collect(),
        tokens: detail
            .tokens
            .into_iter()
            .map(|t| TokenView {
                id: t.id,
                name: t.name,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
                revoked: t.revoked,
            })
            .collect(),
    }))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisabledBody {
    pub disabled: bool,
}

/// Whether a call changed anything.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Changed {
    pub changed: bool,
}

/// Disables (its sessions end) or enables a user.
#[utoipa::path(put, path = "/api/v1/admin/users/{username}/disabled", security(("bearer" = [])),
    params(("username" = String, Path)), request_body = DisabledBody,
    responses((status = 200, body = Changed), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_disabled(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(username): Path<String>,
    JsonBody(body): JsonBody<DisabledBody>,
) -> ApiResult<Changed> {
    let changed = users::set_disabled(&who.actor(&state), &username, body.disabled).await?;
    Ok(Json(Changed { changed }))
}

/// A new generated password, which the user must change at the next login; their sessions
/// end, their API tokens are revoked, their login locks lifted.
#[utoipa::path(post, path = "/api/v1/admin/users/{username}/password", security(("bearer" = [])),
    params(("username" = String, Path)),
    responses((status = 200, body = WithPassword), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn reset_password(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(username): Path<String>,
) -> ApiResult<WithPassword> {
    let actor = who.actor(&state);
    let password = users::reset_password(&actor, &username).await?;
    let row = users::detail(&actor, &username).await?.row;
    Ok(Json(WithPassword {
        user: row.into(),
        password,
    }))
}

/// Gives the user a role on an agency inside the caller's administration.
#[utoipa::path(post, path = "/api/v1/admin/users/{username}/grants", security(("bearer" = [])),
    params(("username" = String, Path)), request_body = GrantView,
    responses((status = 200, body = Changed), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn grant_role(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(username): Path<String>,
    JsonBody(body): JsonBody<GrantView>,
) -> ApiResult<Changed> {
    let changed = users::grant(&who.actor(&state), &username, &body.role, &body.agency).await?;
    Ok(Json(Changed { changed }))
}

/// Takes a role away from the user.
#[utoipa::path(delete, path = "/api/v1/admin/users/{username}/grants", security(("bearer" = [])),
    params(("username" = String, Path)), request_body = GrantView,
    responses((status = 200, body = Changed), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn revoke_role(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(username): Path<String>,
    JsonBody(body): JsonBody<GrantView>,
) -> ApiResult<Changed> {
    let changed = users::revoke(&who.actor(&state), &username, &body.role, &body.agency).await?;
    Ok(Json(Changed { changed }))
}

/// How many API tokens a logout everywhere revoked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoggedOut {
    pub api_tokens_revoked: u64,
}

/// Ends every session of the user and revokes every API token they have.
#[utoipa::path(delete, path = "/api/v1/admin/users/{username}/sessions", security(("bearer" = [])),
    params(("username" = String, Path)),
    responses((status = 200, body = LoggedOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn log_out_everywhere(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(username): Path<String>,
) -> ApiResult<LoggedOut> {
    let api_tokens_revoked = users::log_out_everywhere(&who.actor(&state), &username).await?;
    Ok(Json(LoggedOut { api_tokens_revoked }))
}

/// Ends one session of the user.
#[utoipa::path(delete, path = "/api/v1/admin/users/{username}/sessions/{id}",
    security(("bearer" = [])),
    params(("username" = String, Path), ("id" = String, Path, description = "The session's id as listed")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn end_session(
    State(state): State<AppState>,
    who: ApiCaller,
    Path((username, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    if users::end_session(&who.actor(&state), &username, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(dongbo_programs::Error::NotFound.into())
    }
}

/// Revokes one API token of the user.
#[utoipa::path(delete, path = "/api/v1/admin/users/{username}/tokens/{id}",
    security(("bearer" = [])),
    params(("username" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    who: ApiCaller,
    Path((username, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    users::revoke_token(&who.actor(&state), &username, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many addresses' login locks were lifted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Unlocked {
    pub cleared: u64,
}

/// Lifts every login lock on the user's account.
#[utoipa::path(delete, path = "/api/v1/admin/users/{username}/locks", security(("bearer" = [])),
    params(("username" = String, Path)),
    responses((status = 200, body = Unlocked), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn unlock(
    State(state): State<AppState>,
    who: ApiCaller,
    Path(username): Path<String>,
) -> ApiResult<Unlocked> {
    let cleared = users::unlock(&who.actor(&state), &username).await?;
    Ok(Json(Unlocked { cleared }))
}
