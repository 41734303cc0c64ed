//! Who is asking, and whether the request may change anything.
//!
//! - **Sessions.** A browser holds the session token in the `dongbo_session` cookie (HttpOnly,
//!   SameSite=Lax, `Secure` when the request came over HTTPS, as a TLS proxy says with
//!   `X-Forwarded-Proto: https`); the store keeps only its hash and enforces the idle and
//!   absolute timeouts. Other systems send `Authorization: Bearer <API token>`.
//! - **CSRF.** Every state-changing request (any method but GET, HEAD and OPTIONS) made with
//!   a session cookie must carry the session's CSRF token: the `csrf` field of a form, or an
//!   `X-CSRF-Token` header, or a `csrf` query parameter (for file uploads). Requests with an
//!   API token carry no cookie, so they need none. The login form, before any session, uses a
//!   double-submit cookie (`dongbo_login_csrf`).
//! - **First password.** A user whose password someone else chose is sent to
//!   `/account/password` until they choose their own.
//! - **Failed logins** are throttled per client address and lock an account per (account,
//!   address), in the database, so that every server on it shares the counts (the store's
//!   `login_attempts`). The address is [`client_address`]: the socket's, or behind a trusted
//!   proxy the one it forwards for ([`crate::client_address`]).
//!
//! Reading the published programs and the agency directory needs no login; everything about
//! carrying a program out does, and is checked against the caller's grants
//! ([`dongbo_programs::Caller::can`]).

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use dongbo_programs::accounts::{self, SessionPolicy};

use crate::AppState;

pub const SESSION_COOKIE: &str = "dongbo_session";
pub const LOGIN_CSRF_COOKIE: &str = "dongbo_login_csrf";
/// A sign-in begun at the OpenID Connect provider: its state, nonce, PKCE verifier and where
/// to go (`dongbo_programs::sso::oidc::Pending`), until the browser comes back.
pub const OIDC_COOKIE: &str = "dongbo_oidc";
/// The largest form body the CSRF check reads (file uploads use the query parameter).
const MAX_FORM_BYTES: usize = crate::limits::MAX_BODY_BYTES;

/// The authenticated caller of a request: the user with their grants, as operations take them
/// (it derefs to [`dongbo_programs::Caller`]), and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub who: dongbo_programs::Caller,
    /// The session's CSRF token, for the forms of a page; `None` for an API token.
    pub csrf: Option<String>,
}

impl std::ops::Deref for Caller {
    type Target = dongbo_programs::Caller;

    fn deref(&self) -> &Self::Target {
        &self.who
    }
}

/// The caller, when the request is authenticated (set by [`authenticate`]).
#[derive(Debug, Clone, Default)]
pub struct MaybeCaller(pub Option<Arc<Caller>>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeCaller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<MaybeCaller>()
            .cloned()
            .unwrap_or_default())
    }
}

/// The client's address: the socket peer's, or behind one of `state`'s trusted proxies the
/// address it forwards for (see [`crate::client_address`]).
pub fn client_address(
    state: &AppState,
    extensions: &axum::http::Extensions,
    headers: &HeaderMap,
) -> IpAddr {
    state
        .trusted_proxies
        .client(crate::client_address::peer(extensions), headers)
}

/// Finds the caller, refuses state-changing requests without the CSRF token, and sends a
/// user who must change their password to the page for it.
pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let now = state.clock.now();
    let (mut parts, body) = request.into_parts();
    let mut from_cookie = false;
    let mut caller: Option<Caller> = None;
    if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
        match accounts::session(&state.programs, &token, &SessionPolicy::default(), now).await {
            Ok(Some(session)) => {
                from_cookie = true;
                caller = Some(Caller {
                    who: dongbo_programs::Caller {
                        user: session.user,
                        grants: session.grants,
                    },
                    csrf: Some(session.csrf_token),
                });
            }
            Ok(None) => {}
            Err(error) => {
                tracing::error!(%error, "reading a session failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
    } else if let Some(token) = bearer(&parts.headers) {
        match accounts::token_user(&state.programs, &token, now).await {
            Ok(Some(found)) => {
                caller = Some(Caller {
                    who: dongbo_programs::Caller {
                        user: found.user,
                        grants: found.grants,
                    },
                    csrf: None,
                });
            }
            Ok(None) => return api_refusal(StatusCode::UNAUTHORIZED, "unknown or revoked token"),
            Err(error) => {
                tracing::error!(%error, "checking an API token failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
    }

    let mut body = body;
    let changes_state = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state
        && from_cookie
        && let Some(expected) = caller.as_ref().and_then(|c| c.csrf.clone())
    {
        let (token, rebuilt) = csrf_token(&parts, body, &expected).await;
        body = rebuilt;
        match token {
            CsrfToken::Matches => {}
            CsrfToken::Missing => {
                return refusal(
                    &parts,
                    StatusCode::FORBIDDEN,
                    "Yêu cầu thiếu mã chống giả mạo (CSRF) — tải lại trang rồi thử lại. \
                     The request lacks its CSRF token: reload the page and try again.",
                );
            }
            CsrfToken::Unreadable => {
                return refusal(
                    &parts,
                    StatusCode::BAD_REQUEST,
                    "Biểu mẫu gửi lên không đọc được: nội dung không phải UTF-8 hợp lệ. \
                     The form could not be read: it is not valid UTF-8.",
                );
            }
        }
    }

    if let Some(caller) = &caller
        && caller.user.must_change_password
        && !matches!(
            parts.uri.path(),
            "/account/password" | "/logout" | "/assets/style.css" | "/healthz" | "/readyz"
        )
    {
        if parts.uri.path().starts_with("/api/") {
            return api_refusal(
                StatusCode::FORBIDDEN,
                "the account must choose its own password first",
            );
        }
        return Redirect::to("/account/password").into_response();
    }

    parts.extensions.insert(MaybeCaller(caller.map(Arc::new)));
    next.run(Request::from_parts(parts, body)).await
}

/// What a state-changing request carries as its CSRF token.
enum CsrfToken {
    /// The session's token.
    Matches,
    /// None, or another.
    Missing,
    /// A form body that cannot be read (not UTF-8 once decoded): a bad request, not a forgery.
    Unreadable,
}

/// Whether the request carries `expected` as its CSRF token; returns the body to pass on.
async fn csrf_token(parts: &Parts, body: Body, expected: &str) -> (CsrfToken, Body) {
    let judge = |given: Option<String>| {
        if given.is_some_and(|given| constant_time_eq(&given, expected)) {
            CsrfToken::Matches
        } else {
            CsrfToken::Missing
        }
    };
    let given_header = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let given_query = parts.uri.query().and_then(|q| form_value(q, "csrf"));
    if let Some(given) = given_header.or(given_query) {
        return (judge(Some(given)), body);
    }
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (CsrfToken::Missing, body);
    }
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return (CsrfToken::Missing, Body::empty());
    };
    let pairs = std::str::from_utf8(&bytes).ok().and_then(strict_form_pairs);
    let token = match pairs {
        None => CsrfToken::Unreadable,
        Some(pairs) => judge(
            pairs
                .into_iter()
                .find_map(|(k, v)| (k == "csrf").then_some(v)),
        ),
    };
    (token, Body::from(bytes))
}

/// The decoded value of `key` in an `a=b&c=d` string.
fn form_value(encoded: &str, key: &str) -> Option<String> {
    form_pairs(encoded)
        .into_iter()
        .find_map(|(k, v)| (k == key).then_some(v))
}

/// The decoded pairs of an `a=b&c=d` string, in order, repeated keys kept (a multiple select
/// sends one `agency=` per choice); empty when it cannot be read.
pub fn form_pairs(encoded: &str) -> Vec<(String, String)> {
    strict_form_pairs(encoded).unwrap_or_default()
}

/// The decoded pairs of an `a=b&c=d` string, or `None` when it cannot be read (bytes a URI
/// cannot hold, or a value that is not UTF-8 once its `%XX` are decoded).
fn strict_form_pairs(encoded: &str) -> Option<Vec<(String, String)>> {
    // The usual decoders replace bytes that are not UTF-8 with U+FFFD: this one refuses them.
    let decode = |part: &str| {
        percent_encoding::percent_decode_str(&part.replace('+', " "))
            .decode_utf8()
            .ok()
            .map(std::borrow::Cow::into_owned)
    };
    encoded
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((decode(key)?, decode(value)?))
        })
        .collect()
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A refusal: JSON for the API, a short page otherwise.
fn refusal(parts: &Parts, status: StatusCode, message: &str) -> Response {
    if parts.uri.path().starts_with("/api/") {
        api_refusal(status, message)
    } else {
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            maud::html! {
                (maud::DOCTYPE)
                html lang="vi" { head { meta charset="utf-8"; title { (status.as_u16()) " — Đồng Bộ" } link rel="stylesheet" href="/assets/style.css"; }
                body { main { h1 { (status.as_u16()) } p.error { (message) } p { a href="/" { "Đồng Bộ" } } } } }
            }
            .into_string(),
        )
            .into_response()
    }
}

fn api_refusal(status: StatusCode, message: &str) -> Response {
    crate::error::problem(status, message, Vec::new())
}

/// The value of cookie `name`.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(k, v)| (k == name && !v.is_empty()).then(|| v.to_owned()))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_owned())
}

/// Whether the request reached us over HTTPS (directly or through a TLS proxy).
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value for an HttpOnly, SameSite=Lax cookie; `max_age` 0 deletes it.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `next` when it is a path of this site ("/my"), else `/my`: a login never sends the user
/// to another site. The path is read as a browser reads it (the WHATWG URL parser, which drops
/// tabs and line breaks: `/\t/evil.example` is `//evil.example`, another host), and refused
/// outright when it holds a control character or a backslash; what is sent back in `Location`
/// is the parser's own writing of the path, percent-encoded.
pub fn safe_next(next: Option<&str>) -> String {
    const HOME: &str = "/my";
    let Some(path) = next else {
        return HOME.to_owned();
    };
    if !path.starts_with('/') || path.chars().any(|c| c.is_control() || c == '\\') {
        return HOME.to_owned();
    }
    let Ok(base) = url::Url::parse("http://this.site/") else {
        return HOME.to_owned();
    };
    match base.join(path) {
        // Sent back as the parser wrote it: percent-encoded, dot segments resolved.
        Ok(target) if target.origin() == base.origin() && !path.starts_with("//") => {
            target[url::Position::BeforePath..].to_owned()
        }
        _ => HOME.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_only_returns_to_this_site() {
        assert_eq!(safe_next(Some("/programs/1")), "/programs/1");
        assert_eq!(safe_next(Some("//evil.example")), "/my");
        assert_eq!(safe_next(Some("https://evil.example")), "/my");
        assert_eq!(safe_next(Some("/\\evil.example")), "/my");
        assert_eq!(safe_next(None), "/my");
        // What browsers read as another host once they drop tabs and line breaks.
        assert_eq!(safe_next(Some("/\t/evil.example")), "/my");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/my");
        assert_eq!(safe_next(Some("/\x0b/evil.example")), "/my");
        assert_eq!(safe_next(Some("/\r\n/evil.example")), "/my");
        assert_eq!(
            safe_next(Some("/programs/1?tab=tasks#t2")),
            "/programs/1?tab=tasks#t2"
        );
        assert_eq!(
            safe_next(Some("/search?q=đối ngoại")),
            "/search?q=%C4%91%E1%BB%91i%20ngo%E1%BA%A1i"
        );
        assert_eq!(safe_next(Some("/programs/../my")), "/my");
    }

    #[test]
    fn form_values_are_decoded() {
        assert_eq!(
            form_value("a=1&csrf=ab%2Bc&x=", "csrf").as_deref(),
            Some("ab+c")
        );
        assert_eq!(form_value("a=1", "csrf"), None);
        assert_eq!(strict_form_pairs("a=%FF&csrf=x"), None);
        assert_eq!(
            strict_form_pairs("a=%C4%91&csrf=x"),
            Some(vec![("a".into(), "đ".into()), ("csrf".into(), "x".into())])
        );
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("lang=en; dongbo_session=abc"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "other"), None);
    }
}
