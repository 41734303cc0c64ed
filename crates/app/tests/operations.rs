//! What an operator sees of `dongbo serve`, through the real binary: the admin listener
//! (`--admin-listen`) with Prometheus metrics by route template, `/healthz` and `/readyz`;
//! request ids echoed and carried by JSON log lines (`--log-format json`); readiness lost
//! when the database goes away; slow clients cut off while others are answered.

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
        Server::start_with(database_url, &[])
    }

    /// A server started with `args` after the usual ones.
    fn start_with(database_url: Option<&str>, args: &[&str]) -> Server {
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
        command.args(args);
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

/// Reads from `stream` until the server closes it (end of stream or reset), within `limit`:
/// whatever it answered before closing.
fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Result<String, String> {
    let deadline = Instant::now() + limit;
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!("still open after {limit:?}"));
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buffer) {
            Ok(0) => return Ok(String::from_utf8_lossy(&answer).into_owned()),
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Ok(String::from_utf8_lossy(&answer).into_owned());
            }
            Err(e) => return Err(format!("{e} after {:?}", limit - left)),
        }
    }
}

#[test]
fn slow_clients_are_cut_off_and_the_others_are_still_answered() {
    let server = Server::start_with(
        None,
        &[
            "--max-connections",
            "20",
            "--header-timeout",
            "1",
            "--body-timeout",
            "1",
        ],
    );
    // 50 clients that send half their headers and wait: more than the server serves at once.
    let mut slow: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut stream = TcpStream::connect(&server.app).unwrap();
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: slow\r\n")
                .unwrap();
            stream
        })
        .collect();
    // One that sends its headers and a tenth of its body.
    let mut stalled = TcpStream::connect(&server.app).unwrap();
    stalled
        .write_all(
            b"POST /login HTTP/1.1\r\nHost: slow\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\nusername=a",
        )
        .unwrap();
    // A normal client is answered meanwhile: the slow ones are closed in turns of a second.
    let started = Instant::now();
    let (status, _, body) = get(&server.app, "/healthz", None);
    assert_eq!((status, body.as_str()), (200, "ok"));
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "answered after {:?}",
        started.elapsed()
    );
    for (i, stream) in slow.iter_mut().enumerate() {
        let answer = read_until_closed(stream, Duration::from_secs(20))
            .unwrap_or_else(|e| panic!("slow client {i}: {e}"));
        assert!(
            !answer.contains(" 200 "),
            "slow client {i} was served: {answer}"
        );
    }
    let answer = read_until_closed(&mut stalled, Duration::from_secs(20))
        .unwrap_or_else(|e| panic!("the stalled body: {e}"));
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "the stalled body: {answer}"
    );
    // And the server goes on answering.
    assert_eq!(get(&server.app, "/healthz", None).0, 200);
}

/// The value of the sample `name` with `label` in a scrape (0 when absent).
fn value_of(text: &str, name: &str, label: Option<(&str, &str)>) -> f64 {
    samples(text)
        .into_iter()
        .filter(|(n, labels, _)| {
            n == name && label.is_none_or(|(k, v)| labels.contains(&(k.to_owned(), v.to_owned())))
        })
        .map(|(_, _, value)| value)
        .sum()
}

#[test]
fn the_metrics_show_reminders_sent_jobs_queued_and_requests_in_flight_as_they_are() {
    // Reminders are planned and sent once at start (47/NQ-CP has overdue tasks), then not
    // again for an hour: the counts hold still while the test reads them.
    let server = Server::start_with(None, &["--remind-every", "3600"]);
    let scrape = || get(&server.admin, "/metrics", None).2;
    let in_app = |text: &str| {
        value_of(
            text,
            "dongbo_reminders_sent_total",
            Some(("channel", "in_app")),
        )
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut sent = 0.0;
    loop {
        let now = in_app(&scrape());
        if now > 0.0 && now == sent {
            break;
        }
        assert!(Instant::now() < deadline, "no reminders counted: {now}");
        sent = now;
        std::thread::sleep(Duration::from_millis(500));
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = format!(
        "sqlite://{}",
        server._dir.path().join("data/dongbo.db").display()
    );
    let db = runtime.block_on(dongbo_store::Db::connect(&url)).unwrap();
    let stored: i64 = runtime.block_on(async {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM notifications")
            .fetch_one(db.pool())
            .await
            .unwrap();
        sqlx::Row::get::<i64, _>(&row, "n")
    });
    assert_eq!(sent, stored as f64, "in-app reminders counted as stored");
    let scraped = scrape();
    assert_eq!(
        value_of(
            &scraped,
            "dongbo_reminders_sent_total",
            Some(("channel", "email"))
        ),
        0.0,
        "no e-mail without --smtp"
    );

    // Jobs queued for later show in the queue depth, as the store counts them.
    runtime.block_on(async {
        let later = dongbo_domain::clock::now() + chrono::Duration::days(365);
        for i in 0..3 {
            dongbo_store::jobs::enqueue(
                &db,
                "ops.test",
                &format!("ops-test-{i}"),
                &serde_json::json!({}),
                later,
            )
            .await
            .unwrap();
        }
    });
    let depth = runtime
        .block_on(dongbo_store::jobs::queue_depth(&db))
        .unwrap();
    assert!(depth >= 3);
    assert_eq!(
        value_of(&scrape(), "dongbo_job_queue_depth", None),
        depth as f64
    );

    // A request whose body is still coming is in flight; once it is gone, it is not.
    assert_eq!(
        value_of(&scrape(), "dongbo_http_requests_in_flight", None),
        0.0
    );
    let mut waiting = TcpStream::connect(&server.app).unwrap();
    waiting
        .write_all(
            b"POST /login HTTP/1.1\r\nHost: ops\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\nusername=a",
        )
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while value_of(&scrape(), "dongbo_http_requests_in_flight", None) < 1.0 {
        assert!(
            Instant::now() < deadline,
            "the waiting request is never in flight"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(waiting);
    let deadline = Instant::now() + Duration::from_secs(10);
    while value_of(&scrape(), "dongbo_http_requests_in_flight", None) > 0.0 {
        assert!(
            Instant::now() < deadline,
            "the closed request stays in flight"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    runtime.block_on(db.close());
}
