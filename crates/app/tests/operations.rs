//! What an operator sees of `dongbo serve`, through the real binary: the admin listener
//! (`--admin-listen`) with Prometheus metrics by route template, `/healthz` and `/readyz`;
//! request ids echoed and carried by JSON log lines (`--log-format json`); readiness lost
//! when the database goes away.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `dongbo serve` with its log lines (JSON) coming in on a channel.
struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
    app: String,
    admin: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(database_url: Option<&str>) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_dongbo"));
        command
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(["--admin-listen", "127.0.0.1:0", "--log-format", "json"])
            .env_remove("DONGBO_DATABASE_URL")
            .env("DONGBO_LOG", "info,sqlx=warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(url) = database_url {
            command.args(["--database-url", url]);
        }
        let mut child = command.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            lines,
            app: String::new(),
            admin: String::new(),
            _dir: dir,
        };
        server.app = server.address_logged("serving Đồng Bộ on");
        server.admin = server.address_logged("serving metrics on");
        server
    }

    /// The next log line (JSON) that `matches`, within 60 s.
    fn log_line(&self, matches: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .expect("the expected log line before the deadline");
            // The first run's password notice is printed, not logged.
            if !line.starts_with('{') {
                continue;
            }
            let value: serde_json::Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("a log line that is not JSON ({e}): {line}"));
            if matches(&value) {
                return value;
            }
        }
    }

    fn address_logged(&self, message: &str) -> String {
        let line = self.log_line(|v| {
            v["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(message))
        });
        line["fields"]["address"].as_str().unwrap().to_owned()
    }
}

/// A plain HTTP/1.1 GET: status, headers (lower-case names) and body.
fn get(
    address: &str,
    path: &str,
    request_id: Option<&str>,
) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let id = request_id.map_or(String::new(), |id| format!("X-Request-Id: {id}\r\n"));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\n{id}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// One sample of the text format: metric name, labels, value.
type Sample = (String, Vec<(String, String)>, f64);

/// The samples of the text format.
fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap();
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let labels = labels
                .split("\",")
                .filter(|l| !l.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap();
                    (k.to_owned(), v.trim_matches('"').to_owned())
                })
                .collect();
            (name.to_owned(), labels, value.parse().unwrap())
        })
        .collect()
}

/// The request count of `route` (GET, 2xx) in a scrape.
fn count_of(text: &str, route: &str) -> f64 {
    samples(text)
        .into_iter()
        .filter(|(name, labels, _)| {
            name == "dongbo_http_request_duration_seconds_count"
                && labels.contains(&("route".to_owned(), route.to_owned()))
                && labels.contains(&("method".to_owned(), "GET".to_owned()))
                && labels.contains(&("status".to_owned(), "2xx".to_owned()))
        })
        .map(|(_, _, value)| value)
        .sum()
}

#[test]
fn the_admin_listener_serves_metrics_by_route_template_health_and_readiness() {
    let server = Server::start(None);
    let (status, _, before) = get(&server.admin, "/metrics", None);
    assert_eq!(status, 200);
    let program_route = "/api/v1/programs/{id}";
    let already = count_of(&before, program_route);
    for _ in 0..3 {
        assert_eq!(get(&server.app, "/api/v1/programs/1", None).0, 200);
    }
    assert_eq!(get(&server.app, "/api/v1/programs/987654", None).0, 404);
    let (status, headers, metrics) = get(&server.admin, "/metrics", None);
    assert_eq!(status, 200);
    assert!(
        header(&headers, "content-type")
            .is_some_and(|t| t.starts_with("application/openmetrics-text")),
        "{headers:?}"
    );
    assert_eq!(
        count_of(&metrics, program_route),
        already + 3.0,
        "{metrics}"
    );
    let samples = samples(&metrics);
    // Route labels are templates, never a raw path with an id.
    for (_, labels, _) in &samples {
        for (key, value) in labels {
            if key == "route" {
                assert!(
                    value == "unmatched" || !value.split('/').any(|s| s.parse::<i64>().is_ok()),
                    "a raw path in a label: {value}"
                );
            }
        }
    }
    assert!(
        metrics.contains("route=\"/api/v1/programs/{id}\",method=\"GET\",status=\"4xx\""),
        "{metrics}"
    );
    for name in ["dongbo_job_queue_depth", "dongbo_http_requests_in_flight"] {
        assert!(
            samples.iter().any(|(n, _, _)| n == name),
            "{name} in {metrics}"
        );
    }
    for channel in ["in_app", "email"] {
        assert!(
            samples
                .iter()
                .any(|(n, labels, _)| n == "dongbo_reminders_sent_total"
                    && labels.contains(&("channel".to_owned(), channel.to_owned()))),
            "reminders sent by {channel} in {metrics}"
        );
    }
    // Health and readiness on both listeners; the admin one serves nothing else.
    for address in [&server.app, &server.admin] {
        let (status, _, body) = get(address, "/healthz", None);
        assert_eq!((status, body.as_str()), (200, "ok"));
        let (status, _, body) = get(address, "/readyz", None);
        assert_eq!((status, body.as_str()), (200, "ready"));
    }
    assert_eq!(get(&server.admin, "/api/v1/programs", None).0, 404);
}

#[test]
fn request_ids_are_echoed_and_carried_by_json_log_lines() {
    let server = Server::start(None);
    let (status, headers, body) = get(&server.app, "/api/v1/khong-co", Some("ops-test-404"));
    assert_eq!(status, 404);
    assert_eq!(header(&headers, "x-request-id"), Some("ops-test-404"));
    assert!(body.contains("\"request_id\":\"ops-test-404\""), "{body}");
    let line = server.log_line(|v| v["span"]["id"] == "ops-test-404");
    assert_eq!(line["fields"]["message"], "request answered", "{line}");
    assert_eq!(line["fields"]["status"], 404, "{line}");
    assert_eq!(line["span"]["route"], "unmatched", "{line}");
    // Without one, the server makes one and echoes it.
    let (_, headers, _) = get(&server.app, "/healthz", None);
    assert!(
        header(&headers, "x-request-id").is_some_and(|id| id.len() >= 15),
        "{headers:?}"
    );
}

#[test]
fn readyz_turns_503_when_the_postgresql_database_goes_away() {
    let Some(url) = dongbo_testkit::postgres_database_url() else {
        return;
    };
    let server = Server::start(Some(&url));
    assert_eq!(get(&server.admin, "/readyz", None).0, 200);
    let name = url.rsplit('/').next().unwrap().split('?').next().unwrap();
    let test_server = std::env::var(dongbo_testkit::db::POSTGRES_URL_VAR).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let admin = dongbo_store::Db::connect(&test_server).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE \"{name}\" WITH (FORCE)"
        )))
        .execute(admin.pool())
        .await
        .unwrap();
        admin.close().await;
    });
    for address in [&server.admin, &server.app] {
        let (status, _, body) = get(address, "/readyz", None);
        assert_eq!(status, 503, "{body}");
        assert!(body.starts_with("not ready: the database"), "{body}");
        // Liveness stays: the process is up.
        assert_eq!(get(address, "/healthz", None).0, 200);
    }
}
