//! The headers every answer carries, so that no page can be framed, sniffed into a script,
//! kept in a shared cache or leak its address to another site:
//!
//! - `Content-Security-Policy`: nothing but this site's own style sheet, images and forms; no
//!   script at all (the pages have none), no inline style, no framing (`frame-ancestors
//!   'none'`), no `<base>`;
//! - `X-Frame-Options: DENY`, for browsers that predate `frame-ancestors`;
//! - `X-Content-Type-Options: nosniff`: an uploaded file is served as its type, never guessed;
//! - `Referrer-Policy: same-origin`: addresses (which hold report and task ids) never go to
//!   another site;
//! - `Permissions-Policy`: no camera, microphone, location, payment, USB or sensors;
//! - `Cache-Control: no-store` on every answer that does not set its own (only the style
//!   sheet does): pages and API answers hold what a signed-in user may read, and must not stay
//!   in a shared computer's or a proxy's cache.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The Content-Security-Policy of every answer.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The Permissions-Policy of every answer: the browser features no page uses, turned off.
pub const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), \
     usb=(), accelerometer=(), gyroscope=(), magnetometer=()";

/// Adds the headers above to the answer, keeping any the handler set itself.
pub async fn secure(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed: [(HeaderName, &'static str); 6] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("permissions-policy"),
            PERMISSIONS_POLICY,
        ),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in fixed {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}
