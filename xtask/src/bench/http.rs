//! Just enough HTTP/1.1 for the dashboard bench, on std `TcpStream`: keep-alive connections to
//! our own server on loopback, logging in, a fixed-duration load of concurrent clients, and a
//! writer that submits and accepts reports through the pages while the load runs. Written here
//! rather than taken from a crate or `wrk` so that `cargo xtask bench` needs nothing but std and
//! no network.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// One keep-alive connection to `127.0.0.1:port`, opened again when the server closes it.
pub struct Connection {
    port: u16,
    reader: Option<BufReader<TcpStream>>,
}

pub struct Response {
    pub status: u16,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value a `Set-Cookie` header gives cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .find_map(|(_, v)| {
                let (pair, _) = v.split_once(';').unwrap_or((v, ""));
                let (n, value) = pair.split_once('=')?;
                (n.trim() == name && !value.is_empty()).then(|| value.trim().to_owned())
            })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Connection {
    pub fn new(port: u16) -> Connection {
        Connection { port, reader: None }
    }

    /// `GET path` (with the session `cookie`, when given), which must answer `200` with JSON.
    pub fn get_json(&mut self, path: &str, cookie: Option<&str>) -> Result<serde_json::Value> {
        let headers: Vec<(&str, &str)> = cookie.map(|c| ("Cookie", c)).into_iter().collect();
        let response = self.send("GET", path, &headers, None)?;
        if response.status != 200 {
            bail!("GET {path} gave {}", response.status);
        }
        serde_json::from_slice(&response.body).with_context(|| format!("GET {path}: not JSON"))
    }

    /// Sends one request and reads the whole response. `body` is `(content type, bytes)`.
    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
    ) -> Result<Response> {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n",
            self.port
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some((content_type, bytes)) = body {
            request.push_str(&format!(
                "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
                bytes.len()
            ));
        }
        request.push_str("\r\n");
        let mut bytes = request.into_bytes();
        if let Some((_, body)) = body {
            bytes.extend_from_slice(body);
        }
        // A kept-alive connection the server has closed fails on first use: open it again once.
        match self.exchange(&bytes) {
            Ok(response) => Ok(response),
            Err(_) => {
                self.reader = None;
                self.exchange(&bytes)
            }
        }
        .with_context(|| format!("{method} {path}"))
    }

    fn exchange(&mut self, request: &[u8]) -> Result<Response> {
        if self.reader.is_none() {
            let stream = TcpStream::connect(("127.0.0.1", self.port))?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(Duration::from_secs(60)))?;
            self.reader = Some(BufReader::with_capacity(64 * 1024, stream));
        }
        let reader = self.reader.as_mut().context("no connection")?;
        reader.get_mut().write_all(request)?;
        let response = read_response(reader)?;
        if response
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
        {
            self.reader = None;
        }
        Ok(response)
    }
}

fn read_response(reader: &mut BufReader<TcpStream>) -> Result<Response> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        bail!("the server closed the connection");
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not an HTTP status line: {line:?}"))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    if let Some(length) = response.header("content-length") {
        let length: usize = length.parse().context("a bad Content-Length")?;
        response.body.resize(length, 0);
        reader.read_exact(&mut response.body)?;
    } else if response
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .context("a bad chunk size")?;
            if size == 0 {
                // Trailers, then the empty line.
                loop {
                    line.clear();
                    reader.read_line(&mut line)?;
                    if line.trim_end().is_empty() {
                        break;
                    }
                }
                break;
            }
            let start = response.body.len();
            response.body.resize(start + size, 0);
            reader.read_exact(&mut response.body[start..])?;
            line.clear();
            reader.read_line(&mut line)?;
        }
    } else if !(status == 204 || status == 304 || (100..200).contains(&status)) {
        reader.read_to_end(&mut response.body)?;
    }
    Ok(response)
}

/// The value of the first `name="NAME" value="…"` attribute pair in a page.
pub fn hidden_field(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker)? + marker.len();
    let end = page[start..].find('"')?;
    Some(page[start..start + end].to_owned())
}

/// Percent-encodes everything but unreserved characters (for form bodies and URL paths).
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A logged-in browser: its session cookie and the session's CSRF token.
#[derive(Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// Logs in through the login form (its double-submit cookie and hidden field), then reads the
/// session's CSRF token from a page.
pub fn login(port: u16, username: &str, password: &str) -> Result<Session> {
    let mut connection = Connection::new(port);
    let form = connection.send("GET", "/login", &[], None)?;
    let login_csrf = form
        .cookie("dongbo_login_csrf")
        .context("GET /login set no dongbo_login_csrf cookie")?;
    let field = hidden_field(&form.text(), "csrf").context("the login form has no csrf field")?;
    let body = format!(
        "csrf={}&username={}&password={}&next=",
        encode(&field),
        encode(username),
        encode(password)
    );
    let cookie_header = format!("dongbo_login_csrf={login_csrf}");
    let done = connection.send(
        "POST",
        "/login",
        &[("Cookie", &cookie_header)],
        Some(("application/x-www-form-urlencoded", body.as_bytes())),
    )?;
    let session = done
        .cookie("dongbo_session")
        .with_context(|| format!("logging in as {username} gave {}", done.status))?;
    let cookie = format!("dongbo_session={session}");
    let page = connection.send("GET", "/my", &[("Cookie", &cookie)], None)?;
    if page.status != 200 {
        bail!("GET /my as {username} gave {}", page.status);
    }
    let csrf = hidden_field(&page.text(), "csrf").context("a logged-in page has no csrf field")?;
    Ok(Session { cookie, csrf })
}

/// What a fixed-duration load measured.
pub struct LoadRun {
    /// Latencies of the requests started in the measured window, sorted.
    pub latencies: Vec<Duration>,
    pub seconds: f64,
    /// Requests that failed or did not answer `200`.
    pub errors: usize,
    /// Of the writer running beside the load, when there was one.
    pub writer: Option<WriterRun>,
}

impl LoadRun {
    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.seconds
    }

    /// The latency at quantile `q`, in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() as f64 * q) as usize).min(self.latencies.len() - 1);
        self.latencies[i].as_secs_f64() * 1000.0
    }
}

/// `clients` connections each sending `GET path` with `cookie` back to back, for `warm_up`
/// and then `measure`; only requests started in the measured window count. With a `writer`,
/// it runs for the whole time beside them.
pub fn drive(
    port: u16,
    path: &str,
    cookie: &str,
    clients: usize,
    warm_up: Duration,
    measure: Duration,
    writer: Option<&Writer>,
) -> Result<LoadRun> {
    let start = Instant::now();
    let measured_from = start + warm_up;
    let end = measured_from + measure;
    let stop = AtomicBool::new(false);
    let (results, writer_run) = std::thread::scope(|scope| {
        let writer_thread = writer.map(|writer| scope.spawn(|| writer.run(&stop)));
        let readers: Vec<_> = (0..clients)
            .map(|_| {
                scope.spawn(|| {
                    let mut connection = Connection::new(port);
                    let mut latencies = Vec::new();
                    let mut errors = 0;
                    loop {
                        let started = Instant::now();
                        if started >= end {
                            break;
                        }
                        let ok = connection
                            .send("GET", path, &[("Cookie", cookie)], None)
                            .is_ok_and(|r| r.status == 200);
                        if started >= measured_from {
                            latencies.push(started.elapsed());
                            if !ok {
                                errors += 1;
                            }
                        }
                    }
                    (latencies, errors)
                })
            })
            .collect();
        let results: Vec<_> = readers.into_iter().map(|r| r.join()).collect();
        stop.store(true, Ordering::SeqCst);
        let writer_run = writer_thread.map(|w| w.join());
        (results, writer_run)
    });
    let mut latencies = Vec::new();
    let mut errors = 0;
    for result in results {
        let (l, e) = result.map_err(|_| anyhow::anyhow!("a load client panicked"))?;
        latencies.extend(l);
        errors += e;
    }
    latencies.sort();
    let writer = match writer_run {
        Some(run) => Some(run.map_err(|_| anyhow::anyhow!("the writer panicked"))??),
        None => None,
    };
    Ok(LoadRun {
        latencies,
        seconds: measure.as_secs_f64(),
        errors,
        writer,
    })
}

/// The tasks the writer will complete, each with its lead assignments: a task is done when
/// every lead's report is accepted at 100%.
pub struct Writer {
    pub port: u16,
    /// Who writes and submits the reports.
    pub session: Session,
    /// Who accepts them: another approver, since the author of a report never reviews it.
    pub reviewer: Session,
    /// Tasks still to do, the next first, and the round they are in: shared across runs so no
    /// report is written twice. Round 0 reports once on each task (completing it); when every
    /// task is done, each later round goes through them again with a report for a month
    /// (round 1 is January 2025, and so on), so the writer never runs out of writes.
    pub plan: Mutex<WriterPlan>,
}

/// What the writer does next.
pub struct WriterPlan {
    pub todo: Vec<(String, Vec<i64>)>,
    pub done: Vec<(String, Vec<i64>)>,
    pub round: u32,
    /// Recurring tasks not yet reported on for their current period (the default one): an
    /// official reports yearly work in the year's report first.
    pub recurring: BTreeSet<String>,
}

impl WriterPlan {
    pub fn new(todo: Vec<(String, Vec<i64>)>) -> WriterPlan {
        WriterPlan {
            todo,
            done: Vec::new(),
            round: 0,
            recurring: BTreeSet::new(),
        }
    }

    /// A plan that starts with the months of `year` (a generated dataset has reports for every
    /// period up to the end of 2025, so its writer starts in 2026), except that each of the
    /// `recurring` tasks is first reported on for its current period.
    pub fn from_year(
        todo: Vec<(String, Vec<i64>)>,
        year: u32,
        recurring: BTreeSet<String>,
    ) -> WriterPlan {
        WriterPlan {
            todo,
            done: Vec::new(),
            round: (year.saturating_sub(2025)) * 12 + 1,
            recurring,
        }
    }

    /// The next task with its leads and the period to report for (`None`: the default).
    fn next(&mut self) -> Option<(String, Vec<i64>, Option<String>)> {
        if self.todo.is_empty() {
            if self.done.is_empty() {
                return None;
            }
            self.todo = std::mem::take(&mut self.done);
            self.round += 1;
        }
        let (code, leads) = self.todo.remove(0);
        self.done.push((code.clone(), leads.clone()));
        if self.recurring.remove(&code) {
            return Some((code, leads, None));
        }
        let period = (self.round > 0).then(|| {
            let month = self.round - 1;
            format!("{}-M{:02}", 2025 + month / 12, month % 12 + 1)
        });
        Some((code, leads, period))
    }
}

/// What the writer did during one load.
pub struct WriterRun {
    /// Reports submitted and then accepted.
    pub accepted: usize,
    /// Latencies of each submission and each acceptance (one HTTP request each), sorted.
    pub latencies: Vec<Duration>,
    /// Tasks whose every lead had a report at 100% accepted, which completes them.
    pub completed: Vec<String>,
}

impl Writer {
    /// Submits and accepts reports, one after the other, until `stop`.
    fn run(&self, stop: &AtomicBool) -> Result<WriterRun> {
        let mut connection = Connection::new(self.port);
        let mut run = WriterRun {
            accepted: 0,
            latencies: Vec::new(),
            completed: Vec::new(),
        };
        while !stop.load(Ordering::SeqCst) {
            let next = {
                let mut plan = self.plan.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
                plan.next()
            };
            let Some((code, leads, period)) = next else {
                bail!("the writer has no task to report on");
            };
            for assignment in &leads {
                self.submit_and_accept(
                    &mut connection,
                    *assignment,
                    period.as_deref(),
                    &mut run.latencies,
                )
                .with_context(|| format!("reporting on assignment {assignment}"))?;
                run.accepted += 1;
            }
            if !run.completed.contains(&code) {
                run.completed.push(code);
            }
        }
        run.latencies.sort();
        Ok(run)
    }

    /// Submits a report at 100% through the report form, then accepts it through the review
    /// form, as a browser does (the session's CSRF token in the `X-CSRF-Token` header).
    fn submit_and_accept(
        &self,
        connection: &mut Connection,
        assignment: i64,
        period: Option<&str>,
        latencies: &mut Vec<Duration>,
    ) -> Result<()> {
        let boundary = "dongbo-bench-boundary";
        let mut body = String::new();
        for (name, value) in [
            ("results", "Đã hoàn thành (báo cáo của cargo xtask bench)."),
            ("progress", "100"),
            ("action", "submit"),
        ] {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let headers = [
            ("Cookie", self.session.cookie.as_str()),
            ("X-CSRF-Token", self.session.csrf.as_str()),
        ];
        let started = Instant::now();
        let submitted = connection.send(
            "POST",
            &match period {
                Some(period) => format!("/assignments/{assignment}/report?period={period}"),
                None => format!("/assignments/{assignment}/report"),
            },
            &headers,
            Some((&content_type, body.as_bytes())),
        )?;
        latencies.push(started.elapsed());
        let location = match (submitted.status, submitted.header("location")) {
            (303, Some(location)) => location.to_owned(),
            (status, _) => bail!("submitting gave {status}: {}", submitted.text()),
        };
        // The reviewer's view of the report page has the review form.
        let reviewer_headers = [("Cookie", self.reviewer.cookie.as_str())];
        let page = connection.send("GET", &location, &reviewer_headers, None)?;
        let page = page.text();
        let report = page
            .split("action=\"/reports/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .context("the report page has no review form")?
            .to_owned();
        let seen = hidden_field(&page, "seen_version").context("no seen_version")?;
        let form = format!(
            "action=accept&seen_version={seen}&csrf={}",
            encode(&self.reviewer.csrf)
        );
        let reviewer = [
            ("Cookie", self.reviewer.cookie.as_str()),
            ("X-CSRF-Token", self.reviewer.csrf.as_str()),
        ];
        let started = Instant::now();
        let accepted = connection.send(
            "POST",
            &format!("/reports/{report}/review"),
            &reviewer,
            Some(("application/x-www-form-urlencoded", form.as_bytes())),
        )?;
        latencies.push(started.elapsed());
        if accepted.status != 303 {
            bail!("accepting gave {}: {}", accepted.status, accepted.text());
        }
        Ok(())
    }
}

/// `clients` connections each sending the `GET` requests of `paths` (label, path) in turn,
/// each client starting at another one, with `cookie`, for `warm_up` and then `measure`; only
/// requests started in the measured window count. The latencies come back per path, in the
/// order of `paths`.
pub fn drive_mix(
    port: u16,
    paths: &[(String, String)],
    cookie: &str,
    clients: usize,
    warm_up: Duration,
    measure: Duration,
) -> Result<Vec<LoadRun>> {
    if paths.is_empty() {
        bail!("no path to load");
    }
    let start = Instant::now();
    let measured_from = start + warm_up;
    let end = measured_from + measure;
    let results: Vec<_> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..clients)
            .map(|client| {
                scope.spawn(move || {
                    let mut connection = Connection::new(port);
                    let mut seen: Vec<(Vec<Duration>, usize)> = vec![(Vec::new(), 0); paths.len()];
                    let mut next = client % paths.len();
                    loop {
                        let started = Instant::now();
                        if started >= end {
                            break;
                        }
                        let ok = connection
                            .send("GET", &paths[next].1, &[("Cookie", cookie)], None)
                            .is_ok_and(|r| r.status == 200);
                        if started >= measured_from {
                            seen[next].0.push(started.elapsed());
                            if !ok {
                                seen[next].1 += 1;
                            }
                        }
                        next = (next + 1) % paths.len();
                    }
                    seen
                })
            })
            .collect();
        clients.into_iter().map(|c| c.join()).collect()
    });
    let mut runs: Vec<LoadRun> = paths
        .iter()
        .map(|_| LoadRun {
            latencies: Vec::new(),
            seconds: measure.as_secs_f64(),
            errors: 0,
            writer: None,
        })
        .collect();
    for result in results {
        let seen = result.map_err(|_| anyhow::anyhow!("a load client panicked"))?;
        for (run, (latencies, errors)) in runs.iter_mut().zip(seen) {
            run.latencies.extend(latencies);
            run.errors += errors;
        }
    }
    for run in &mut runs {
        run.latencies.sort();
    }
    Ok(runs)
}

/// What a storm of report submissions gave.
pub struct SubmitRun {
    /// The submissions acknowledged (`200`) that started in the measured window.
    pub load: LoadRun,
    /// The submitters.
    pub clients: usize,
}

/// `clients` connections each submitting reports back to back through the API
/// (`POST /api/v1/assignments/{id}/reports/submit`, as the session), each on the next
/// (assignment, period) of `work` not yet taken, for `warm_up` and then `measure`: an answer is
/// given once the report is committed, so every `200` counted is durable. Any other answer is
/// an error: the storm stops and says which.
pub fn submit_storm(
    port: u16,
    session: &Session,
    work: &[(i64, String)],
    clients: usize,
    warm_up: Duration,
    measure: Duration,
) -> Result<SubmitRun> {
    let start = Instant::now();
    let measured_from = start + warm_up;
    let end = measured_from + measure;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<_> = std::thread::scope(|scope| {
        let submitters: Vec<_> = (0..clients)
            .map(|_| {
                scope.spawn(|| -> Result<Vec<Duration>> {
                    let mut connection = Connection::new(port);
                    let mut latencies = Vec::new();
                    let headers = [
                        ("Cookie", session.cookie.as_str()),
                        ("X-CSRF-Token", session.csrf.as_str()),
                    ];
                    loop {
                        let started = Instant::now();
                        if started >= end {
                            return Ok(latencies);
                        }
                        let Some((assignment, period)) =
                            work.get(next.fetch_add(1, Ordering::SeqCst))
                        else {
                            bail!("the storm ran out of (assignment, period) pairs");
                        };
                        let body = serde_json::json!({
                            "period": period,
                            "results": "Đã triển khai (báo cáo của cargo xtask bench).",
                            "progress": 50,
                        })
                        .to_string();
                        let answer = connection.send(
                            "POST",
                            &format!("/api/v1/assignments/{assignment}/reports/submit"),
                            &headers,
                            Some(("application/json", body.as_bytes())),
                        )?;
                        if answer.status != 200 {
                            bail!(
                                "submitting on assignment {assignment} for {period} gave {}: {}",
                                answer.status,
                                answer.text()
                            );
                        }
                        if started >= measured_from {
                            latencies.push(started.elapsed());
                        }
                    }
                })
            })
            .collect();
        submitters.into_iter().map(|s| s.join()).collect()
    });
    let mut load = LoadRun {
        latencies: Vec::new(),
        seconds: measure.as_secs_f64(),
        errors: 0,
        writer: None,
    };
    for result in results {
        let latencies = result.map_err(|_| anyhow::anyhow!("a submitter panicked"))??;
        load.latencies.extend(latencies);
    }
    load.latencies.sort();
    Ok(SubmitRun { load, clients })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_goes_round_again_with_a_report_per_month_once_every_task_is_done() {
        let mut plan = WriterPlan::new(vec![("1.1".into(), vec![1]), ("1.2".into(), vec![2, 3])]);
        let periods: Vec<(String, Option<String>)> = (0..6)
            .map(|_| plan.next().map(|(code, _, period)| (code, period)).unwrap())
            .collect();
        let expected = [
            ("1.1", None),
            ("1.2", None),
            ("1.1", Some("2025-M01")),
            ("1.2", Some("2025-M01")),
            ("1.1", Some("2025-M02")),
            ("1.2", Some("2025-M02")),
        ];
        for ((code, period), (want_code, want_period)) in periods.iter().zip(expected) {
            assert_eq!(code, want_code);
            assert_eq!(period.as_deref(), want_period);
        }
        assert!(WriterPlan::new(Vec::new()).next().is_none());
        let mut later = WriterPlan::from_year(vec![("1.1".into(), vec![1])], 2026, BTreeSet::new());
        assert_eq!(later.next().unwrap().2.as_deref(), Some("2026-M01"));
        assert_eq!(later.next().unwrap().2.as_deref(), Some("2026-M02"));
        // A recurring task reports on its current period first, then months like the others.
        let tasks = vec![("1.1".into(), vec![1]), ("1.2".into(), vec![2])];
        let mut mixed = WriterPlan::from_year(tasks, 2026, BTreeSet::from(["1.2".to_owned()]));
        let periods: Vec<(String, Option<String>)> = (0..4)
            .map(|_| {
                let (code, _, period) = mixed.next().unwrap();
                (code, period)
            })
            .collect();
        assert_eq!(
            periods,
            [
                ("1.1".to_owned(), Some("2026-M01".to_owned())),
                ("1.2".to_owned(), None),
                ("1.1".to_owned(), Some("2026-M02".to_owned())),
                ("1.2".to_owned(), Some("2026-M02".to_owned())),
            ]
        );
    }

    #[test]
    fn hidden_fields_are_read_from_a_page() {
        let page = r#"<form><input type="hidden" name="csrf" value="abc123"><input type="hidden" name="seen_version" value="2"></form>"#;
        assert_eq!(hidden_field(page, "csrf").as_deref(), Some("abc123"));
        assert_eq!(hidden_field(page, "seen_version").as_deref(), Some("2"));
        assert_eq!(hidden_field(page, "missing"), None);
    }

    #[test]
    fn form_values_are_percent_encoded_except_unreserved_characters() {
        assert_eq!(encode("Bench-pw_2026.~"), "Bench-pw_2026.~");
        assert_eq!(encode("a b&c=đ"), "a%20b%26c%3D%C4%91");
    }

    #[test]
    fn a_cookie_is_read_from_its_set_cookie_header_and_a_deleted_one_is_not() {
        let response = Response {
            status: 303,
            headers: vec![
                (
                    "set-cookie".into(),
                    "dongbo_session=tok; Path=/; HttpOnly".into(),
                ),
                (
                    "Set-Cookie".into(),
                    "dongbo_login_csrf=; Path=/; Max-Age=0".into(),
                ),
            ],
            body: Vec::new(),
        };
        assert_eq!(response.cookie("dongbo_session").as_deref(), Some("tok"));
        assert_eq!(response.cookie("dongbo_login_csrf"), None);
    }
}
