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
    #[error("storage failed")]
    Store(#[from] dongbo_store::StoreError),
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

impl IntoResponse for Error {
    fn into_response(self) -> Response {
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
