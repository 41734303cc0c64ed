//! The one error type of the web layer. Internal causes are logged once, here, and never shown
//! to users; pages get a plain HTML page with the status (API handlers wrap it as JSON).

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The page needs a logged-in user; pages answer with the login form's address.
    #[error("login required")]
    LoginRequired { next: String },
    /// The caller's roles do not allow this on that agency.
    #[error("forbidden")]
    Forbidden,
    /// Refused by a rule about the record, not by the caller's roles (the author of a report
    /// never reviews it): 403 with the reason.
    #[error("{0}")]
    Denied(String),
    /// A request the store refused as it was asked (a bad value).
    #[error("{0}")]
    Refused(String),
    /// Values that do not hold, each with the field it belongs to (named as in the JSON body
    /// and the form).
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Someone else changed the record since the caller read it.
    #[error("{0}")]
    Conflict(String),
    /// The record is not in a state that allows the request (accepting a draft, editing an
    /// accepted report, deciding a decided request): 409 in the API, 422 on pages.
    #[error("{0}")]
    WrongState(String),
    /// The request body is over its limit (the message names the limit).
    #[error("{0}")]
    TooLarge(String),
    /// The request body is not of a media type the endpoint reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The storage refuses writes (read-only or full): 503, nothing was written, reads work.
    /// Holds the operation's error, which says which.
    #[error("storage refuses writes")]
    Unavailable(dongbo_programs::Error),
    /// The storage failed (the operation's error, for the log).
    #[error("storage failed")]
    Store(dongbo_programs::Error),
    /// Our own failure, not the caller's (logged; the caller sees "internal error").
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub use dongbo_programs::FieldError;

impl Error {
    /// One field's error.
    pub fn field(field: &str, message: impl Into<String>) -> Error {
        Error::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }
}

impl Error {
    /// The status and the message a user may see; logs internal causes.
    pub fn status_and_message(&self) -> (StatusCode, String) {
        match self {
            Error::NotFound => (
                StatusCode::NOT_FOUND,
                "Không tìm thấy — Not found".to_owned(),
            ),
            Error::BadRequest(why) => (StatusCode::BAD_REQUEST, why.clone()),
            Error::LoginRequired { .. } => (
                StatusCode::UNAUTHORIZED,
                "Cần đăng nhập — Login required".to_owned(),
            ),
            Error::Forbidden => (
                StatusCode::FORBIDDEN,
                "Vai trò của bạn không cho phép việc này — Your role does not allow this"
                    .to_owned(),
            ),
            Error::Denied(why) => (StatusCode::FORBIDDEN, why.clone()),
            Error::Refused(why) => (StatusCode::UNPROCESSABLE_ENTITY, why.clone()),
            Error::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                errors
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Error::Conflict(why) => (StatusCode::CONFLICT, why.clone()),
            Error::TooLarge(why) => (StatusCode::PAYLOAD_TOO_LARGE, why.clone()),
            Error::UnsupportedMediaType(why) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, why.clone()),
            // Pages have always answered a wrong state as a refused form (422); the API
            // answers 409 (see `api::ApiError`).
            Error::WrongState(why) => (StatusCode::UNPROCESSABLE_ENTITY, why.clone()),
            Error::Internal(cause) => {
                tracing::error!(error = %cause, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Lỗi hệ thống — Internal error".to_owned(),
                )
            }
            Error::Unavailable(cause) => {
                tracing::warn!(error = %cause, "write refused: the storage refuses writes");
                let message = if cause.storage_full() {
                    "Hết chỗ lưu trữ (đĩa hoặc cơ sở dữ liệu đã đầy) nên không ghi được; dữ liệu \
                     không bị thay đổi. Hãy báo quản trị hệ thống — Storage is full (disk or \
                     database); nothing was written"
                } else {
                    "Cơ sở dữ liệu đang chỉ cho đọc, từ chối ghi; dữ liệu không bị thay đổi. \
                     Hãy báo quản trị hệ thống — The database refuses writes (read-only); \
                     nothing was written"
                };
                (StatusCode::SERVICE_UNAVAILABLE, message.to_owned())
            }
            Error::Store(cause) => {
                tracing::error!(error = %cause, "request failed in storage");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Lỗi hệ thống — Internal error".to_owned(),
                )
            }
        }
    }
}

impl From<dongbo_programs::Error> for Error {
    /// An operation's error as the web answers it: each of its kinds has its own here, with
    /// its status (see [`Error::status_and_message`]).
    fn from(error: dongbo_programs::Error) -> Self {
        use dongbo_programs::Error as Op;
        match error {
            Op::NotFound => Error::NotFound,
            Op::BadRequest(why) => Error::BadRequest(why),
            Op::Forbidden => Error::Forbidden,
            Op::Denied(why) => Error::Denied(why),
            Op::Invalid(fields) => Error::Invalid(fields),
            Op::Refused(why) => Error::Refused(why),
            Op::Conflict(why) => Error::Conflict(why),
            Op::WrongState(why) => Error::WrongState(why),
            Op::Internal(why) => Error::Internal(why),
            unavailable @ Op::Unavailable(_) => Error::Unavailable(unavailable),
            store @ Op::Store(_) => Error::Store(store),
        }
    }
}

impl From<dongbo_library::Error> for Error {
    /// The library's operation errors as the web answers them, the same statuses as the
    /// programs' (`Unavailable` a 503, a store failure a 500).
    fn from(error: dongbo_library::Error) -> Self {
        use dongbo_library::Error as Op;
        match error {
            Op::NotFound => Error::NotFound,
            Op::Forbidden => Error::Forbidden,
            Op::Invalid(fields) => Error::Invalid(
                fields
                    .into_iter()
                    .map(|f| FieldError {
                        field: f.field,
                        message: f.message,
                    })
                    .collect(),
            ),
            Op::Conflict(why) => Error::Conflict(why),
            Op::Unavailable(store) => {
                Error::Unavailable(dongbo_programs::Error::Unavailable(store))
            }
            Op::Store(store) => Error::Store(dongbo_programs::Error::Store(store)),
        }
    }
}

impl From<dongbo_programs::accounts::AccountError> for Error {
    fn from(error: dongbo_programs::accounts::AccountError) -> Self {
        Error::from(dongbo_programs::Error::from(error))
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::LoginRequired { next } = &self {
            let target = format!("/login?next={}", urlencode(next));
            return axum::response::Redirect::to(&target).into_response();
        }
        let (status, message) = self.status_and_message();
        let page = maud::html! {
            (maud::DOCTYPE)
            html lang="vi" {
                head { meta charset="utf-8"; title { (status.as_u16()) " — Đồng Bộ" } link rel="stylesheet" href="/assets/style.css"; }
                body { main { h1 { (status.as_u16()) } p { (message) } p { a href="/" { "Đồng Bộ" } } } }
            }
        };
        (status, Html(page.into_string())).into_response()
    }
}

/// `text` percent-encoded for a query value.
pub fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The largest error body [`uniform_errors`] reads to rewrite it.
const MAX_ERROR_BODY_BYTES: usize = 64 << 10;

/// Every error answer in the form its client reads: problem details (RFC 9457) carrying the
/// request id under `/api/`, whatever answered (a handler, an extractor's rejection, a wrong
/// method, no route, a body limit); an HTML page in the site's layout elsewhere, for the
/// plain-text answers of extractors and limits.
pub async fn uniform_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let request_id = request
        .extensions()
        .get::<crate::observe::RequestId>()
        .map(|id| id.0.clone());
    let lang = crate::i18n::lang_of(request.uri().query(), request.headers());
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if status.as_u16() < 400 {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if api {
        as_problem(response, &content_type, request_id.as_deref()).await
    } else if status.is_client_error()
        && (content_type.is_empty() || content_type.starts_with("text/plain"))
    {
        let (parts, body) = response.into_parts();
        let text = read_text(body).await;
        let page = crate::pages::Page::anonymous(lang, path);
        let title = format!(
            "{} — {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        );
        let message = if text.is_empty() { title.clone() } else { text };
        let html = page.render(&title, maud::html! { h1 { (title) } p.error { (message) } });
        let mut page = (status, Html(html.into_string())).into_response();
        copy_headers(&parts.headers, page.headers_mut());
        page
    } else {
        response
    }
}

/// An API error answer as problem details with `request_id`.
async fn as_problem(response: Response, content_type: &str, request_id: Option<&str>) -> Response {
    let status = response.status();
    let (parts, body) = response.into_parts();
    let text = read_text(body).await;
    let mut problem: serde_json::Value = if content_type.starts_with("application/problem+json") {
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    } else {
        serde_json::Value::Null
    };
    if !problem.is_object() {
        let detail = if text.is_empty() {
            status.canonical_reason().unwrap_or("Error").to_owned()
        } else {
            text
        };
        problem =
            serde_json::to_value(problem_body(status, &detail, Vec::new())).unwrap_or_default();
    }
    if let (Some(id), Some(fields)) = (request_id, problem.as_object_mut()) {
        fields.insert("request_id".to_owned(), serde_json::Value::from(id));
    }
    let mut answer = (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        problem.to_string(),
    )
        .into_response();
    copy_headers(&parts.headers, answer.headers_mut());
    answer
}

/// The headers of the answer being replaced that still hold (`Allow`, `Set-Cookie`…): all but
/// the body's type and length.
fn copy_headers(from: &axum::http::HeaderMap, to: &mut axum::http::HeaderMap) {
    for (name, value) in from {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            to.append(name, value.clone());
        }
    }
}

async fn read_text(body: axum::body::Body) -> String {
    axum::body::to_bytes(body, MAX_ERROR_BODY_BYTES)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
        .unwrap_or_default()
}

/// A problem detail (RFC 9457): what every API error answers with.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// What kind of problem: `urn:dongbo:problem:forbidden`, `…:invalid-input`…
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, for a person (Vietnamese and English, or in the caller's language).
    pub detail: String,
    /// The fields at fault, named as in the JSON body; empty when it is not one field's fault.
    pub errors: Vec<FieldError>,
}

/// The problem-details response with `status`.
pub fn problem(status: StatusCode, detail: &str, errors: Vec<FieldError>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        Json(problem_body(status, detail, errors)),
    )
        .into_response()
}

/// The problem details of `status`.
pub fn problem_body(status: StatusCode, detail: &str, errors: Vec<FieldError>) -> Problem {
    let slug = match status {
        StatusCode::BAD_REQUEST => "bad-request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "too-large",
        StatusCode::URI_TOO_LONG => "uri-too-long",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid-input",
        StatusCode::TOO_MANY_REQUESTS => "too-many-requests",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        status if status.is_client_error() => "client-error",
        _ => "internal",
    };
    Problem {
        kind: format!("urn:dongbo:problem:{slug}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: detail.to_owned(),
        errors,
    }
}
