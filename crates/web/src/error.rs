//! The one error type of the web layer. Internal causes are logged once, here, and never shown
//! to users; pages get a plain HTML page with the status (API handlers wrap it as JSON).

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

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
    /// The storage refuses writes (read-only or full): 503, nothing was written, reads work.
    #[error("storage refuses writes")]
    Unavailable(dongbo_store::StoreError),
    #[error("storage failed")]
    Store(dongbo_store::StoreError),
    /// Our own failure, not the caller's (logged; the caller sees "internal error").
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What is wrong with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field's name in the JSON body (and the form): `progress`, `reason`, `documents[0].number`.
    pub field: String,
    pub message: String,
}

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
                let message = if matches!(cause, dongbo_store::StoreError::Full { .. }) {
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

impl From<dongbo_store::StoreError> for Error {
    /// What the caller asked for wrongly is theirs to fix (404, 409, 422); storage that
    /// refuses writes is the operator's (503); the rest is ours (500).
    fn from(error: dongbo_store::StoreError) -> Self {
        match error {
            dongbo_store::StoreError::NotFound(_) => Error::NotFound,
            dongbo_store::StoreError::Invalid(why) => Error::Refused(why),
            dongbo_store::StoreError::Conflict(why) => Error::Conflict(why),
            dongbo_store::StoreError::WrongState(why) => Error::WrongState(why),
            other if other.refuses_writes() => Error::Unavailable(other),
            other => Error::Store(other),
        }
    }
}

impl From<dongbo_store::accounts::AccountError> for Error {
    fn from(error: dongbo_store::accounts::AccountError) -> Self {
        match error {
            dongbo_store::accounts::AccountError::Store(store) => Error::from(store),
            other => Error::Refused(other.to_string()),
        }
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
