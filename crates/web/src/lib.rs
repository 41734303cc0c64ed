//! The HTTP side of Đồng Bộ, and only that: the server-rendered pages (`pages`), the JSON API
//! under `/api/v1` with its OpenAPI document (`api`), `/healthz` and `/readyz`. Both read and
//! write through `dongbo_programs` (its operations and its read model), so a user sees and
//! changes the same things through either; this crate reads requests, checks who asks
//! (`auth`), and writes answers. Around every request: its id, span and metrics (`observe`),
//! the size limits (`limits`) and errors in the form the client reads (`error::uniform_errors`).
//!
//! Architecture invariant: `web` never calls the store; only [`AppState::new`] names it.
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod client_address;
mod error;
mod headers;
mod i18n;
pub mod limits;
pub mod observe;
mod pages;
pub mod server;

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Router, routing::get};
use dongbo_domain::{Clock, Directory};
use dongbo_programs::Programs;
use dongbo_programs::reads::ByVersion;

pub use error::Error;

/// What every handler shares: the core loop's operations and read model ([`Programs`]), the
/// trusted proxies (who the client is), the metrics, the clock, and the dashboard pages
/// rendered once per version.
#[derive(Debug, Clone)]
pub struct AppState {
    pub programs: Arc<Programs>,
    /// The external-information library, with this server's search index.
    pub library: Arc<dongbo_library::Library>,
    /// The one clock every "now" and "today" of the server is read from (pinned in tests).
    pub clock: Clock,
    /// The reverse proxies whose `X-Forwarded-For` names the client (none by default).
    pub trusted_proxies: Arc<client_address::TrustedProxies>,
    /// The metrics the admin listener serves.
    pub metrics: Arc<observe::Metrics>,
    /// A program's dashboard page as every viewer who may not send reminders sees it (its
    /// heading and body, without the site's frame), by program, language, filters and day, at
    /// the program's version: the viewers of one version share one rendering.
    pub(crate) dashboard_pages: Arc<ByVersion<DashboardPageKey, (String, String)>>,
    /// How people sign in: local passwords, the organisation's directory, SSO required.
    pub sign_in: Arc<dongbo_programs::sso::SignIn>,
}

/// A dashboard page as shared: program, language, filters (as their query) and day.
type DashboardPageKey = (i64, i18n::Lang, String, chrono::NaiveDate);

/// At most this many dashboard pages are kept: a national program's is a few hundred
/// kilobytes, and the pages in use are those of the programs being read now.
const DASHBOARD_PAGES_MAX: usize = 64;

impl AppState {
    /// The state of a server on `db` whose evidence files live in `evidence_dir`: the one place
    /// `web` names the store.
    pub fn new(
        db: dongbo_store::Db,
        directory: Directory,
        evidence_dir: std::path::PathBuf,
    ) -> AppState {
        // The library over the same database, searching the index in the data folder. An
        // index that cannot be opened (its folder unwritable) leaves the library without
        // search, said in the log and answered as unavailable, not the server without pages.
        let library = dongbo_library::Library::new(
            db.clone(),
            directory.clone(),
            &evidence_dir,
            Clock::system(),
        );
        let folder = AppState::index_dir(&evidence_dir);
        let library = match dongbo_search::TantivyIndex::open(&folder) {
            Ok(index) => library.with_index(Arc::new(index)),
            Err(error) => {
                tracing::error!(%error, folder = %folder.display(), "the library's search index could not be opened");
                library
            }
        };
        AppState {
            programs: Arc::new(Programs::new(db, directory, evidence_dir)),
            library: Arc::new(library),
            clock: Clock::system(),
            trusted_proxies: Arc::default(),
            metrics: Arc::default(),
            dashboard_pages: Arc::new(ByVersion::holding(DASHBOARD_PAGES_MAX)),
            sign_in: Arc::default(),
        }
    }

    /// The same state reading the time from `clock` (a test pins it).
    pub fn with_clock(self, clock: Clock) -> AppState {
        let library = Arc::new((*self.library).clone().with_clock(clock));
        AppState {
            clock,
            library,
            ..self
        }
    }

    /// The folder of a server's search index: `library-index` beside the evidence files in
    /// the data folder (`DATA/files` → `DATA/library-index`); inside an evidence folder named
    /// otherwise (a test's), so that no two servers' files share one index.
    pub fn index_dir(evidence_dir: &std::path::Path) -> std::path::PathBuf {
        if evidence_dir.file_name().is_some_and(|name| name == "files") {
            evidence_dir.with_file_name("library-index")
        } else {
            evidence_dir.join("library-index")
        }
    }

    /// What keeps this server's search index in step with the database (run by `serve`);
    /// `None` when the index could not be opened.
    pub fn indexer(&self) -> Option<dongbo_library::search::Indexer> {
        self.library.indexer()
    }

    /// The same state believing `X-Forwarded-For` from `proxies` (`--trusted-proxy`).
    pub fn with_trusted_proxies(self, proxies: client_address::TrustedProxies) -> AppState {
        AppState {
            trusted_proxies: Arc::new(proxies),
            ..self
        }
    }

    /// The same state signing people in as `sign_in` says (`--ldap-url`, `--require-sso`…).
    pub fn with_sign_in(self, sign_in: dongbo_programs::sso::SignIn) -> AppState {
        AppState {
            sign_in: Arc::new(sign_in),
            ..self
        }
    }

    /// Today in Vietnam, the day every state is judged on.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }
}

const STYLE: &str = include_str!("../assets/style.css");

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    // Layers run from the last added to the first: the request's id, span and metrics around
    // everything, then the security headers on every answer, then errors made uniform, then
    // the size limits, before anything reads the body. `Router::layer` wraps each route, so they see its template (`MatchedPath`).
    Router::new()
        .route("/healthz", get(observe::healthz))
        .route("/readyz", get(observe::readyz))
        .route("/assets/style.css", get(style))
        .merge(pages::router())
        .merge(api::router())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(middleware::from_fn(remember_language))
        .layer(middleware::from_fn(limits::refuse_oversized))
        .layer(middleware::from_fn(error::uniform_errors))
        .layer(middleware::from_fn(headers::secure))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            observe::track,
        ))
        .with_state(state)
}

/// No route: a 404 page, or problem details under `/api/` (see `error::uniform_errors`).
async fn not_found() -> Response {
    (
        axum::http::StatusCode::NOT_FOUND,
        "Không tìm thấy — Not found",
    )
        .into_response()
}

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}

/// A `?lang=` switch is remembered in a cookie so the next pages keep the language.
async fn remember_language(request: Request, next: Next) -> Response {
    let chosen = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lang=")))
        .and_then(i18n::Lang::parse);
    let mut response = next.run(request).await;
    if let Some(lang) = chosen {
        let cookie = format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
            lang.code()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// Serves the application on `listener` until `shutdown` completes, within the default
/// [`server::ServeLimits`] (see [`server::serve`] to choose them).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve(listener, state, shutdown, server::ServeLimits::default()).await
}
