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
    /// A request the store refused as it was asked (a wrong state, a bad value).
    #[error("{0}")]
    Refused(String),
    /// Someone else changed the record since the caller read it.
    #[error("{0}")]
    Conflict(String),
    #[error("storage failed")]
    Store(dongbo_store::StoreError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

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
            Error::Conflict(why) => (StatusCode::CONFLICT, why.clone()),
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
    /// What the caller asked for wrongly is theirs to fix (404, 422); the rest is ours (500).
    fn from(error: dongbo_store::StoreError) -> Self {
        match error {
            dongbo_store::StoreError::NotFound(_) => Error::NotFound,
            dongbo_store::StoreError::Invalid(why) => Error::Refused(why),
            dongbo_store::StoreError::Conflict(why) => Error::Conflict(why),
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
