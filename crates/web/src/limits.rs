//! How large a request may be. A body over its route's limit is refused before it is read
//! when `Content-Length` says so, and cut off while it is read otherwise (every reader of the
//! body sees the limit); a URI over [`MAX_URI_BYTES`] or with a NUL is refused at once. The refusals are
//! plain text here and made problem details (API) or an error page (pages) by
//! `error::uniform_errors`.

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest body of a form or a JSON request.
pub const MAX_BODY_BYTES: usize = 2 << 20;

/// The largest body of a file upload: evidence files are at most 20 MiB, and a multipart
/// form carries the other fields too.
pub const MAX_UPLOAD_BYTES: usize = 21 << 20;

/// The routes that take file uploads, with [`MAX_UPLOAD_BYTES`].
const UPLOAD_ROUTES: &[&str] = &[
    "/api/v1/assignments/{id}/files",
    "/assignments/{id}/report",
    "/programs/{id}/import",
    "/programs/{id}/agencies/{code}/report.xlsx",
];

/// The upload routes of pages, whose oversized body is read up to the limit and answered with
/// the form again (its fields kept, the file field named) rather than refused at once.
const FORMS_KEPT: &[&str] = &["/assignments/{id}/report"];

/// The longest URI (path and query) served; hyper refuses far longer ones itself.
pub const MAX_URI_BYTES: usize = 8 << 10;

/// The body limit of the route `matched` (none: no route, the small limit).
pub fn body_limit(matched: Option<&str>) -> usize {
    match matched {
        Some(route) if UPLOAD_ROUTES.contains(&route) => MAX_UPLOAD_BYTES,
        _ => MAX_BODY_BYTES,
    }
}

/// "At most N MiB" for messages.
fn mib(bytes: usize) -> usize {
    bytes >> 20
}

/// Refuses a too-long URI (414), a URI holding a NUL (400) and a body over its route's limit
/// (413), and limits the body of the others.
pub async fn refuse_oversized(request: Request, next: Next) -> Response {
    let uri_length = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri_length > MAX_URI_BYTES {
        return (
            StatusCode::URI_TOO_LONG,
            format!(
                "Địa chỉ quá dài (tối đa {MAX_URI_BYTES} byte) — The address is too long (at most {MAX_URI_BYTES} bytes)"
            ),
        )
            .into_response();
    }
    // No text may hold a NUL (PostgreSQL refuses it in a query, as a store error): refused
    // here for every path and query parameter at once.
    if request
        .uri()
        .path_and_query()
        .is_some_and(|p| p.as_str().contains("%00"))
    {
        return (
            StatusCode::BAD_REQUEST,
            "Địa chỉ chứa ký tự NUL (%00) — The address holds a NUL character (%00)",
        )
            .into_response();
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let limit = body_limit(route);
    let early = !route.is_some_and(|r| FORMS_KEPT.contains(&r));
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if early && declared.is_some_and(|length| length > limit as u64) {
        return too_large(limit);
    }
    let (parts, body) = request.into_parts();
    let body = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// The answer to a body over `limit` bytes.
pub fn too_large(limit: usize) -> Response {
    (StatusCode::PAYLOAD_TOO_LARGE, too_large_message(limit)).into_response()
}

pub fn too_large_message(limit: usize) -> String {
    let mib = mib(limit);
    format!("Yêu cầu quá lớn (tối đa {mib} MiB) — The request is too large (at most {mib} MiB)")
}

/// Whether reading a body failed because it was over its limit.
pub fn is_over_limit(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_have_the_larger_limit() {
        assert_eq!(
            body_limit(Some("/api/v1/assignments/{id}/files")),
            MAX_UPLOAD_BYTES
        );
        assert_eq!(
            body_limit(Some("/assignments/{id}/report")),
            MAX_UPLOAD_BYTES
        );
        assert_eq!(
            body_limit(Some("/api/v1/reports/{id}/accept")),
            MAX_BODY_BYTES
        );
        assert_eq!(body_limit(None), MAX_BODY_BYTES);
    }

    #[test]
    fn the_message_names_the_limit_in_both_languages() {
        let message = too_large_message(MAX_BODY_BYTES);
        assert!(message.contains("tối đa 2 MiB"), "{message}");
        assert!(message.contains("at most 2 MiB"), "{message}");
    }
}
