//! What an operator sees of a running server: a request id and a tracing span around every
//! request, the Prometheus metrics, and the admin listener that serves them with `/healthz`
//! and `/readyz`.
//!
//! Metrics are labelled by the matched route template (`/api/v1/programs/{id}`), never by the
//! raw path, so that ids in paths cannot make one time series per record.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Router, routing::get};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tracing::Instrument;

use crate::AppState;

/// The header a request id travels in, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The longest request id taken from a client.
const MAX_REQUEST_ID_LEN: usize = 64;

/// How long `/readyz` waits for the database before saying it is not ready.
const READY_TIMEOUT: Duration = Duration::from_secs(3);

/// The id of the request being served (in the request's extensions).
#[derive(Debug, Clone)]
pub struct RequestId(pub Arc<str>);

/// The labels of the request latency histogram.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct HttpLabels {
    /// The route template, or `unmatched` for paths no route serves.
    route: String,
    method: &'static str,
    /// `2xx`, `3xx`, `4xx` or `5xx`.
    status: &'static str,
}

/// The request method's label: the common ones by name, the rest as `OTHER` (a client may
/// send any token as a method).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ChannelLabels {
    channel: &'static str,
}

/// The server's metrics and the registry they are written from.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<HttpLabels, Histogram, fn() -> Histogram>,
    in_flight: Gauge<i64, AtomicI64>,
    queue_depth: Gauge<i64, AtomicI64>,
    reminders_sent: Family<ChannelLabels, Counter>,
}

/// Request latency buckets: 1 ms to about 16 s.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let requests: Family<HttpLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        let in_flight = Gauge::<i64, AtomicI64>::default();
        let queue_depth = Gauge::<i64, AtomicI64>::default();
        let reminders_sent = Family::<ChannelLabels, Counter>::default();
        // Both channels from the start at 0, so that a rate over them is defined at once.
        for channel in [dongbo_remind::Channel::InApp, dongbo_remind::Channel::Email] {
            drop(reminders_sent.get_or_create(&ChannelLabels {
                channel: channel.as_str(),
            }));
        }
        let mut registry = Registry::with_prefix("dongbo");
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route template, method and status class",
            requests.clone(),
        );
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being answered now",
            in_flight.clone(),
        );
        registry.register(
            "job_queue_depth",
            "Background jobs queued or running (read when scraped)",
            queue_depth.clone(),
        );
        registry.register(
            "reminders_sent",
            "Reminders sent, by channel (in_app notices, email digests)",
            reminders_sent.clone(),
        );
        Metrics {
            registry,
            requests,
            in_flight,
            queue_depth,
            reminders_sent,
        }
    }
}

impl Metrics {
    /// The counter the reminder runner tells of the reminders it sends.
    pub fn reminders_counter(self: &Arc<Self>) -> dongbo_remind::SentCounter {
        let metrics = Arc::clone(self);
        dongbo_remind::SentCounter::new(move |channel, count| {
            metrics
                .reminders_sent
                .get_or_create(&ChannelLabels {
                    channel: channel.as_str(),
                })
                .inc_by(count);
        })
    }

    /// Every metric in the Prometheus text format (OpenMetrics), the job queue read now.
    async fn scrape(&self, programs: &dongbo_programs::Programs) -> String {
        match dongbo_programs::accounts::queued_jobs(programs).await {
            Ok(depth) => {
                self.queue_depth
                    .set(i64::try_from(depth).unwrap_or(i64::MAX));
            }
            Err(error) => tracing::warn!(%error, "reading the job queue depth for metrics failed"),
        }
        let mut text = String::new();
        if let Err(error) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!(%error, "writing the metrics failed");
        }
        text
    }
}

/// Counts a request in flight until dropped (also when the client goes away mid-request).
struct InFlight<'a>(&'a Gauge<i64, AtomicI64>);

impl<'a> InFlight<'a> {
    fn start(gauge: &'a Gauge<i64, AtomicI64>) -> Self {
        gauge.inc();
        InFlight(gauge)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The request's id: the client's `x-request-id` when it is sane (1 to 64 letters, digits,
/// `-`, `_`, `.`), else a new one.
fn request_id(request: &Request) -> Arc<str> {
    let given = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            !id.is_empty()
                && id.len() <= MAX_REQUEST_ID_LEN
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        });
    match given {
        Some(id) => Arc::from(id),
        None => Arc::from(new_request_id()),
    }
}

/// A new request id: a random prefix chosen once per process and a counter, so that ids are
/// unique in the process and unlikely to repeat across restarts.
fn new_request_id() -> String {
    static PREFIX: OnceLock<u32> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let prefix = PREFIX.get_or_init(|| {
        // RandomState is seeded from the operating system's randomness.
        let random = RandomState::new().hash_one(std::process::id());
        (random >> 32) as u32
    });
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix:08x}-{n:06x}")
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Around every request: its id (kept in the request, echoed in the `x-request-id` answer
/// header), a tracing span carrying it so that every log line of the request names it, the
/// latency histogram and the in-flight gauge, and one log line when it is answered (debug
/// level when it went well, info for the caller's faults, warn for ours).
pub async fn track(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let id = request_id(&request);
    request.extensions_mut().insert(RequestId(Arc::clone(&id)));
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().clone();
    let span = tracing::info_span!("request", id = %id, method = %method, route = %route);
    let metrics = Arc::clone(&state.metrics);
    let started = Instant::now();
    let mut response = {
        let _in_flight = InFlight::start(&metrics.in_flight);
        next.run(request).instrument(span.clone()).await
    };
    let elapsed = started.elapsed();
    let status = response.status();
    metrics
        .requests
        .get_or_create(&HttpLabels {
            route,
            method: method_label(&method),
            status: status_class(status),
        })
        .observe(elapsed.as_secs_f64());
    let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
    span.in_scope(|| {
        let status = status.as_u16();
        if status >= 500 {
            tracing::warn!(status, elapsed_ms, "request answered");
        } else if status >= 400 {
            tracing::info!(status, elapsed_ms, "request answered");
        } else {
            tracing::debug!(status, elapsed_ms, "request answered");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Whether the server can serve: the database answers and has every migration of this build.
/// `Err` says why not, shortly.
pub async fn readiness(programs: &dongbo_programs::Programs) -> Result<(), String> {
    let unapplied = dongbo_programs::accounts::unapplied_migrations(programs);
    match tokio::time::timeout(READY_TIMEOUT, unapplied).await {
        Err(_) => Err(format!(
            "the database did not answer within {} s",
            READY_TIMEOUT.as_secs()
        )),
        Ok(Err(error)) => Err(format!("the database does not answer: {error}")),
        Ok(Ok(missing)) if missing.is_empty() => Ok(()),
        Ok(Ok(missing)) => Err(format!(
            "migrations not applied: {}",
            missing
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// `/readyz`: 200 `ready`, or 503 with the reason (logged too).
pub async fn readyz(State(state): State<AppState>) -> Response {
    match readiness(&state.programs).await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: {reason}"),
            )
                .into_response()
        }
    }
}

/// `/healthz`: the process is up (no database read).
pub async fn healthz() -> &'static str {
    "ok"
}

async fn metrics(State(state): State<AppState>) -> Response {
    let text = state.metrics.scrape(&state.programs).await;
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// The admin listener's router: `/metrics`, `/healthz`, `/readyz`, nothing else (no pages, no
/// API, no login).
pub fn admin_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state)
}

/// Serves the admin router on `listener` until `shutdown` completes.
pub async fn serve_admin(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, admin_router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_header(value: &str) -> Request {
        Request::builder()
            .header(REQUEST_ID_HEADER, value)
            .body(axum::body::Body::empty())
            .unwrap()
    }

    #[test]
    fn a_sane_request_id_is_kept_and_any_other_replaced() {
        assert_eq!(&*request_id(&with_header("abc-123_x.y")), "abc-123_x.y");
        for bad in ["", "a b", "<script>", &"x".repeat(65), "ý"] {
            let id = request_id(&with_header(bad));
            assert_ne!(&*id, bad);
            assert!(id.contains('-') && id.len() >= 15, "{id}");
        }
    }

    #[test]
    fn new_request_ids_differ() {
        assert_ne!(new_request_id(), new_request_id());
    }

    #[test]
    fn status_classes() {
        assert_eq!(status_class(StatusCode::OK), "2xx");
        assert_eq!(status_class(StatusCode::SEE_OTHER), "3xx");
        assert_eq!(status_class(StatusCode::PAYLOAD_TOO_LARGE), "4xx");
        assert_eq!(status_class(StatusCode::SERVICE_UNAVAILABLE), "5xx");
    }
}
