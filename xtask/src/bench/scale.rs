//! The loads at a generated scale: `dongbo gen --scale province|national` into a new
//! database, then `dongbo serve` on it (its start-up timed), a viewer and a writer logged in,
//! and on the largest program: every main page and API read at once by 64 clients; the
//! dashboard read by 16 clients while the writer submits and accepts reports, then checked;
//! a storm of report submissions; the server's peak memory.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::{
    CLIENTS, DASHBOARD_TARGET_MS, MEASURE, MIX_CLIENTS, MIX_TARGET_MS, PASSWORD, REVIEWER,
    RSS_TARGET_MIB, SUBMISSIONS_TARGET, SUBMITTERS, Server, VIEWER, WARM_UP, WRITER,
};
use super::{
    ProgramWork, dongbo, drive_mix, healthz_ok, http, mix_summary, peak_rss_kib, program_work,
    shown_done, shown_done_cells, storm, verdict,
};

/// The scale every `cargo xtask bench` generates; [`NATIONAL`] takes its own command.
pub const PROVINCE: &str = "province";
pub const NATIONAL: &str = "national";
/// Start-up target at scale (issue 5).
const STARTUP_TARGET_MS: f64 = 1000.0;

/// What one backend gave at a generated scale.
pub struct ScaleFigures {
    /// `dongbo gen`'s wall time.
    pub generated_in: Duration,
    /// The rows it wrote, by table, as it reported them.
    pub rows: Vec<(String, u64)>,
    /// The SQLite file's size, when on SQLite.
    pub database_bytes: Option<u64>,
    /// From starting `dongbo serve` to its first `200` on `/healthz`.
    pub startup: Duration,
    /// The reminders the server plans and sends when it first starts on the data.
    pub first_day: FirstDay,
    /// The program loaded: its number and task count.
    pub program: (String, i64),
    /// Every main page and API read at once, by route.
    pub mix: Vec<(String, http::LoadRun)>,
    /// The program's dashboard read by [`CLIENTS`] clients while the writer submits and
    /// accepts reports.
    pub dashboard: http::LoadRun,
    /// Tasks the writer completed that the dashboard then showed as done, and those it did not.
    pub shown_done: usize,
    pub not_shown_done: Vec<String>,
    pub submissions: http::SubmitRun,
    pub peak_rss_kib: Option<u64>,
}

/// What a server does in the background when it first starts on a dataset: it plans the day's
/// reminders (every overdue task, every report owed) and sends their digests.
pub struct FirstDay {
    pub reminders: u64,
    pub digests: u64,
    /// The plan's own time, as the server logs it.
    pub planned_in: Duration,
    /// From the server's start until the plan was done and no job was queued.
    pub settled_after: Duration,
    /// On PostgreSQL, the `VACUUM` of the tables the first day churned, run by the bench.
    pub vacuumed_in: Option<Duration>,
}

/// How long the loads wait at most for the first day's reminders to be sent.
const SETTLE_LIMIT: Duration = Duration::from_secs(45 * 60);

/// Waits until the server logging to `log` (JSON lines) has planned the day's reminders and
/// its admin listener on `admin` shows an empty job queue: the loads measure the server as it
/// runs every day, not the one-off first start (whose figures are returned).
fn settle(log: &Path, admin: u16, started: Instant) -> Result<FirstDay> {
    let planned = loop {
        if started.elapsed() > SETTLE_LIMIT {
            bail!("the server had not planned the day's reminders after {SETTLE_LIMIT:?}");
        }
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let planned = text.lines().find_map(|line| {
            let entry: serde_json::Value = serde_json::from_str(line).ok()?;
            let fields = &entry["fields"];
            (fields["message"] == "the day's reminders planned").then(|| fields.clone())
        });
        if let Some(fields) = planned {
            break fields;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    // tracing writes a u128 (elapsed_ms) as a string.
    let number = |name: &str| {
        let value = &planned[name];
        value
            .as_u64()
            .or_else(|| value.as_str().and_then(|v| v.parse().ok()))
            .unwrap_or(0)
    };
    loop {
        if started.elapsed() > SETTLE_LIMIT {
            bail!("the server's job queue was not empty after {SETTLE_LIMIT:?}");
        }
        let metrics = http::Connection::new(admin)
            .send("GET", "/metrics", &[], None)
            .map(|r| r.text())
            .unwrap_or_default();
        let depth = metrics.lines().find_map(|line| {
            line.strip_prefix("dongbo_job_queue_depth ")
                .and_then(|v| v.trim().parse::<i64>().ok())
        });
        if depth == Some(0) {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    Ok(FirstDay {
        reminders: number("reminders"),
        digests: number("digests"),
        planned_in: Duration::from_millis(number("elapsed_ms")),
        settled_after: started.elapsed(),
        vacuumed_in: None,
    })
}

/// The vacuum after the first day, as the bench's output and table say it.
fn vacuumed(first: &FirstDay) -> String {
    first.vacuumed_in.map_or(String::new(), |took| {
        format!(
            "; then `VACUUM` of the reminders, notifications and jobs by the bench, {:.1} s",
            took.as_secs_f64()
        )
    })
}

/// Generates `scale` into `data` (and the database at `database_url`, when given), then
/// serves it and loads it.
pub fn run(
    binary: &Path,
    data: &Path,
    database_url: Option<&str>,
    scale: &str,
) -> Result<ScaleFigures> {
    std::fs::create_dir_all(data)?;
    let started = Instant::now();
    let generated = dongbo(binary, data, database_url)
        .args(["gen", "--scale", scale])
        .env("DONGBO_LOG", "warn")
        .stdout(std::fs::File::create(data.join("gen.out"))?)
        .stderr(std::fs::File::create(data.join("gen.log"))?)
        .status()
        .context("could not run dongbo gen")?;
    if !generated.success() {
        bail!(
            "dongbo gen --scale {scale} failed (see {})",
            data.join("gen.log").display()
        );
    }
    let generated_in = started.elapsed();
    let rows = generated_rows(&std::fs::read_to_string(data.join("gen.out"))?);
    let database_bytes = database_url
        .is_none()
        .then(|| {
            std::fs::metadata(data.join("dongbo.db"))
                .map(|m| m.len())
                .ok()
        })
        .flatten();
    println!("generated in {:.1} s", generated_in.as_secs_f64());

    for (username, role) in [
        (VIEWER, "viewer"),
        (WRITER, "approver"),
        (REVIEWER, "approver"),
    ] {
        super::add_user(
            dongbo(binary, data, database_url),
            username,
            role,
            "CP",
            PASSWORD,
        )?;
    }

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let admin = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let started = Instant::now();
    let child = dongbo(binary, data, database_url)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--admin-listen", &format!("127.0.0.1:{admin}")])
        .args(["--log-format", "json"])
        .env("DONGBO_LOG", "warn,dongbo_remind=info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(data.join("serve.log"))?)
        .spawn()
        .context("could not start dongbo serve")?;
    let server = Server { child, port };
    while !healthz_ok(port) {
        if started.elapsed() > Duration::from_secs(120) {
            bail!("dongbo serve did not answer /healthz within 120 s");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let startup = started.elapsed();
    println!("start-up {:.0} ms", startup.as_secs_f64() * 1000.0);
    let mut first_day = settle(&data.join("serve.log"), admin, started)?;
    if let Some(url) = database_url {
        // The first day inserts and then marks sent a reminder for every task owed: on
        // PostgreSQL, dead rows that autovacuum then works through for minutes, at some moment
        // of the loads. The bench vacuums them at once, as autovacuum would, so that the loads
        // measure the server as it runs every day, then and after.
        let vacuum = Instant::now();
        crate::services::psql(url, "VACUUM (ANALYZE) reminders, notifications, jobs")?;
        first_day.vacuumed_in = Some(vacuum.elapsed());
    }
    println!(
        "the first day's reminders: {} planned in {:.1} s, {} digests; all sent {:.1} s after start{}",
        first_day.reminders,
        first_day.planned_in.as_secs_f64(),
        first_day.digests,
        first_day.settled_after.as_secs_f64(),
        vacuumed(&first_day)
    );

    let viewer = http::login(port, VIEWER, PASSWORD)?;
    let mut api = http::Connection::new(port);
    let mut json = |path: &str| api.get_json(path, Some(&viewer.cookie));
    // The program with the most tasks.
    let programs = json("/api/v1/programs")?;
    let largest = programs
        .as_array()
        .into_iter()
        .flatten()
        .max_by_key(|p| p["task_count"].as_i64().unwrap_or(0))
        .context("no program was generated")?;
    let program = largest["id"].as_i64().context("a program without an id")?;
    let number = largest["number"].as_str().unwrap_or("?").to_owned();
    let tasks = largest["task_count"].as_i64().unwrap_or(0);
    let detail = json(&format!("/api/v1/programs/{program}"))?;
    let first_task = detail["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["tasks"].as_array().into_iter().flatten())
        .find_map(|t| t["code"].as_str().map(str::to_owned))
        .context("the program has no task")?;
    let about = format!("{number} ({tasks} tasks)");
    let mix = drive_mix(
        port,
        program,
        &http::encode(&first_task),
        &viewer.cookie,
        &about,
    )?;

    let work = program_work(&mut json, program)?;
    let writer = http::Writer {
        port,
        session: http::login(port, WRITER, PASSWORD)?,
        reviewer: http::login(port, REVIEWER, PASSWORD)?,
        plan: std::sync::Mutex::new(writer_plan(&work)),
    };
    let WithWriter {
        dashboard,
        shown,
        not_shown,
    } = dashboard_with_writer(port, program, &viewer.cookie, &writer)?;
    let submissions = storm(port, &writer.session, &work.assignments)?;
    let peak_rss_kib = peak_rss_kib(server.child.id());
    drop(server);
    Ok(ScaleFigures {
        first_day,
        generated_in,
        rows,
        dashboard,
        shown_done: shown,
        not_shown_done: not_shown,
        submissions,
        database_bytes,
        startup,
        program: (number, tasks),
        mix,
        peak_rss_kib,
    })
}

/// What the writer does on generated data: months of 2026 (the data has every period up to the
/// end of 2025), each recurring task first on its current period (the year's report, as an
/// official files it); tasks with the fewest leads first.
pub fn writer_plan(work: &ProgramWork) -> http::WriterPlan {
    let mut leads = work.leads.clone();
    leads.sort_by_key(|(_, leads)| leads.len());
    http::WriterPlan::from_year(leads, 2026, work.recurring.clone())
}

/// The dashboard under load while a writer reports, and the check right after.
pub struct WithWriter {
    pub dashboard: http::LoadRun,
    pub shown: usize,
    pub not_shown: Vec<String>,
}

/// [`CLIENTS`] clients read program `program`'s dashboard as `cookie` while `writer` submits
/// and accepts reports; then one more read must show each task the writer completed as done.
pub fn dashboard_with_writer(
    port: u16,
    program: i64,
    cookie: &str,
    writer: &http::Writer,
) -> Result<WithWriter> {
    let path = format!("/programs/{program}/dashboard");
    let dashboard = http::drive(port, &path, cookie, CLIENTS, WARM_UP, MEASURE, Some(writer))?;
    let page = http::Connection::new(port)
        .send("GET", &path, &[("Cookie", cookie)], None)?
        .text();
    let (shown, not_shown) = shown_done(&page, dashboard.writer.iter().flat_map(|w| &w.completed));
    println!(
        "dashboard, {CLIENTS} clients + writer: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms; {} \
         reports accepted; {shown} completed tasks shown done, {} not{}",
        dashboard.per_second(),
        dashboard.quantile_ms(0.5),
        dashboard.quantile_ms(0.99),
        dashboard.writer.as_ref().map_or(0, |w| w.accepted),
        not_shown.len(),
        if not_shown.is_empty() {
            String::new()
        } else {
            format!(" ({})", not_shown.join(", "))
        }
    );
    Ok(WithWriter {
        dashboard,
        shown,
        not_shown,
    })
}

/// The rows `dongbo gen` reports having written, by table in the order it names them first
/// (a table named twice, as tasks are for programs and then plans, summed).
fn generated_rows(report: &str) -> Vec<(String, u64)> {
    let mut rows: Vec<(String, u64)> = Vec::new();
    let table = report
        .lines()
        .skip_while(|line| !line.starts_with("table "))
        .skip(1)
        .take_while(|line| !line.starts_with("total time"));
    for line in table {
        let mut words = line.split_whitespace();
        let (Some(name), Some(Ok(count))) = (words.next(), words.next().map(str::parse::<u64>))
        else {
            continue;
        };
        match rows.iter_mut().find(|(seen, _)| seen == name) {
            Some((_, total)) => *total += count,
            None => rows.push((name.to_owned(), count)),
        }
    }
    rows
}

/// The section of `BENCHMARKS.md` for the backends measured at `scale`.
pub fn report(scale: &str, measured: &[(&str, Result<&ScaleFigures, String>)]) -> Result<String> {
    let mut out = String::new();
    writeln!(out, "## At {scale} scale (`dongbo gen --scale {scale}`)")?;
    writeln!(out)?;
    writeln!(
        out,
        "The generated dataset (seed 1) is served as is: the server starts on it, a viewer \
         and a writer (an approver on CP) log in, and on the program with the most tasks: \
         {MIX_CLIENTS} clients read every main page and API route at once; {CLIENTS} clients \
         read its dashboard while the writer submits and accepts reports at 100% for months \
         of 2026, then the dashboard is read once more and each task the writer completed \
         must show as done; {SUBMITTERS} clients submit reports through the API as fast as \
         they are acknowledged. Each load: {}s warm-up, {}s measured, one run.{}",
        WARM_UP.as_secs(),
        MEASURE.as_secs(),
        if scale == NATIONAL {
            " `cargo xtask bench national` measures this scale and rewrites only this \
             section; `cargo xtask bench` keeps it as it was."
        } else {
            ""
        }
    )?;
    writeln!(out)?;
    writeln!(out, "| Backend | Measure | Result | Target | Verdict |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for (backend, figures) in measured {
        let figures = match figures {
            Ok(figures) => figures,
            Err(why) => {
                writeln!(out, "| {backend} | everything | not measured: {why} | | |")?;
                continue;
            }
        };
        let rows: Vec<String> = figures
            .rows
            .iter()
            .map(|(table, count)| format!("{table} {count}"))
            .collect();
        writeln!(
            out,
            "| {backend} | `dongbo gen --scale {scale}` | {:.1} s{}; rows: {} | — | — |",
            figures.generated_in.as_secs_f64(),
            figures.database_bytes.map_or(String::new(), |b| format!(
                ", database file {} MB",
                b / 1_000_000
            )),
            rows.join(", ")
        )?;
        let first = &figures.first_day;
        writeln!(
            out,
            "| {backend} | the first start's background work: the day's reminders planned, their digests sent (the loads below wait for it to end) | {} reminders in {} digests; planned in {:.1} s; all sent {:.1} s after the start{} | — | — |",
            first.reminders,
            first.digests,
            first.planned_in.as_secs_f64(),
            first.settled_after.as_secs_f64(),
            vacuumed(first)
        )?;
        let startup = figures.startup.as_secs_f64() * 1000.0;
        writeln!(
            out,
            "| {backend} | start-up on the generated data, to the first `200` on `/healthz` | {startup:.0} ms | < {STARTUP_TARGET_MS} ms | {} |",
            verdict(startup, STARTUP_TARGET_MS)
        )?;
        let (all, slowest, by_route) = mix_summary(&figures.mix, 0);
        writeln!(
            out,
            "| {backend} | every main page and API read at once, {MIX_CLIENTS} clients, program {} ({} tasks) | {:.0} req/s; all together p50 {:.1} ms, p99 {:.1} ms; **slowest route's p99 {slowest:.1} ms**{}; p99 by route (ms): {} | < {MIX_TARGET_MS} ms p99 | {} |",
            figures.program.0,
            figures.program.1,
            all.per_second(),
            all.quantile_ms(0.5),
            all.quantile_ms(0.99),
            if all.errors > 0 {
                format!("; **{} failed requests**", all.errors)
            } else {
                String::new()
            },
            by_route,
            verdict(slowest, MIX_TARGET_MS)
        )?;
        let dashboard = &figures.dashboard;
        let accepted = dashboard.writer.as_ref().map_or(0, |w| w.accepted);
        writeln!(
            out,
            "| {backend} | the program's dashboard, {CLIENTS} clients, while the writer submits and accepts reports | {:.0} req/s; p50 {:.1} ms, **p99 {:.1} ms**; {accepted} reports accepted meanwhile{} | < {DASHBOARD_TARGET_MS} ms p99 | {} |",
            dashboard.per_second(),
            dashboard.quantile_ms(0.5),
            dashboard.quantile_ms(0.99),
            if dashboard.errors > 0 {
                format!("; **{} failed requests**", dashboard.errors)
            } else {
                String::new()
            },
            if dashboard.errors > 0 {
                "**not met**"
            } else {
                verdict(dashboard.quantile_ms(0.99), DASHBOARD_TARGET_MS)
            }
        )?;
        let (shown, judged) = shown_done_cells(figures.shown_done, &figures.not_shown_done);
        writeln!(
            out,
            "| {backend} | the dashboard right after shows each task the writer completed as done | {shown} | all | {judged} |",
        )?;
        let submitted = &figures.submissions;
        writeln!(
            out,
            "| {backend} | report submissions through the API, {} clients at once, each answered once committed | **{:.0} durable submissions/s**; each p50 {:.1} ms, p99 {:.1} ms | ≥ {SUBMISSIONS_TARGET} /s | {} |",
            submitted.clients,
            submitted.load.per_second(),
            submitted.load.quantile_ms(0.5),
            submitted.load.quantile_ms(0.99),
            if submitted.load.per_second() >= SUBMISSIONS_TARGET {
                "met"
            } else {
                "**not met**"
            }
        )?;
        writeln!(
            out,
            "| {backend} | the server's peak resident memory after the loads | {} | < {RSS_TARGET_MIB} MiB | {} |",
            figures.peak_rss_kib.map_or_else(
                || "not measured".to_owned(),
                |kib| format!("{:.0} MiB", kib as f64 / 1024.0)
            ),
            figures.peak_rss_kib.map_or("not measured", |kib| verdict(
                kib as f64 / 1024.0,
                RSS_TARGET_MIB
            ))
        )?;
    }
    writeln!(out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rows_generated_are_read_from_dongbo_gens_report_and_summed_by_table() {
        let report = "generated the small dataset (seed 1)\n\
            table                        rows    seconds       rows/s\n\
            units                          17        0.0         1700\n\
            tasks                          30        0.1          300\n\
            tasks                          12        0.2           60\n\
            total time 0.4 s\n";
        assert_eq!(
            generated_rows(report),
            vec![("units".to_owned(), 17), ("tasks".to_owned(), 42)]
        );
        assert!(generated_rows("no table here").is_empty());
    }
}
