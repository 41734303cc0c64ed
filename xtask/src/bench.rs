//! `cargo xtask bench`: measures, on a release build, the figures `BENCHMARKS.md` records, and
//! rewrites that file with them, the method and the machine.
//!
//! 1. Importing seed 002 (Resolution 47/NQ-CP) in process: the `import` crate's bench, which
//!    prints one `RESULT` line read here.
//! 2. `dongbo serve`: time from process start to the first `200 OK` from `/healthz`, on a first
//!    run (empty data folder: create, migrate, load the directory and the bundled program) and
//!    over repeated starts on the existing data folder.
//! 3. Report submissions until committed, and the dashboard's parts, in process: the `store`
//!    crate's `report_submit` bench (SQLite, and PostgreSQL when a server can be had).
//! 4. The program dashboard of 47/NQ-CP under 16 concurrent clients over HTTP, with and
//!    without a writer submitting and accepting reports meanwhile (`http`), on SQLite and on
//!    PostgreSQL.

mod http;
mod library;
mod library_serve;
mod scale;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::run as run_command;
use crate::services::workspace_root;

/// Targets of the foundation issue.
const IMPORT_TARGET_MS: f64 = 50.0;
const HEALTHZ_TARGET_MS: f64 = 1000.0;
/// The national synthesis report for 64 agencies × 56 tasks, DOCX + XLSX + PDF (issue 4).
const SYNTHESIS_TARGET_MS: f64 = 2000.0;
/// The phase scorecard for every agency (issue 4).
const SCORECARD_TARGET_MS: f64 = 200.0;
/// Targets of issue 3: the dashboard's p99 under 16 clients, and a durable report's p99.
const DASHBOARD_TARGET_MS: f64 = 50.0;
const SUBMIT_TARGET_MS: f64 = 20.0;
/// Issue 5: every page and API read, p99 at 64 clients; the server's peak resident memory.
const MIX_TARGET_MS: f64 = 100.0;
const RSS_TARGET_MIB: f64 = 300.0;
/// Starts of `dongbo serve` on an existing data folder.
const STARTS: usize = 20;
/// First runs, each on a new empty data folder.
const FIRST_RUNS: usize = 5;
/// Runs of the store bench; each figure is the median over them.
const STORE_RUNS: usize = 3;
/// The dashboard load: concurrent clients, warm-up and measured time, and runs of each kind.
const CLIENTS: usize = 16;
const WARM_UP: Duration = Duration::from_secs(2);
const MEASURE: Duration = Duration::from_secs(10);
const LOAD_RUNS: usize = 3;
/// Clients of the load on every main page and API read at once (issue 5's read target).
const MIX_CLIENTS: usize = 64;
/// Clients submitting reports at once, and the durable submissions per second they must reach
/// together (issue 5).
const SUBMITTERS: usize = 32;
const SUBMISSIONS_TARGET: f64 = 1000.0;
/// The viewer and the writer the dashboard bench creates.
const VIEWER: &str = "bench-viewer";
const WRITER: &str = "bench-writer";
/// The approver who accepts the writer's reports: the author of a report never reviews it.
const REVIEWER: &str = "bench-reviewer";
const PASSWORD: &str = "Bench-dashboard-2026-pw";
const PROGRAM: &str = "47/NQ-CP";

pub fn run(args: &[String]) -> Result<()> {
    match args {
        [] => {}
        [only] if only == "serve" => return serve_only(false),
        [only] if only == "scale" => return serve_only(true),
        [only] if only == "national" => return national(),
        [only] if only == "documents" => return documents_only(),
        [library, serve, rest @ ..] if library == "library" && serve == "serve" => {
            return library_serve::run(rest);
        }
        [library, rest @ ..] if library == "library" => return library::run(rest),
        [mix, port, program, task] if mix == "mix" => {
            return mix_only(
                port.parse().context("PORT: a port number")?,
                program.parse().context("PROGRAM: a program id")?,
                task,
            );
        }
        [dashboard, port, program] if dashboard == "dashboard" => {
            return dashboard_only(
                port.parse().context("PORT: a port number")?,
                program.parse().context("PROGRAM: a program id")?,
            );
        }
        [submit, port, program] if submit == "submit" => {
            return submit_only(
                port.parse().context("PORT: a port number")?,
                program.parse().context("PROGRAM: a program id")?,
            );
        }
        _ => bail!(
            "usage: cargo xtask bench [serve|scale|national|documents|library [--items N]|library serve [--items N]|mix PORT PROGRAM TASK|dashboard PORT \
             PROGRAM|submit PORT PROGRAM]\n  library: the library's search on N generated \
             items (default 20000), tantivy beside PostgreSQL FTS and SQLite FTS5, written over \
             the library section of BENCHMARKS.md (the tables of other scales kept)\n  library serve: the same corpus (default 50000 items) searched through the HTTP API of two release servers on one PostgreSQL, 1 and 16 clients, and the delay before an item pushed to one is found on the other, written over its own section of BENCHMARKS.md\n  documents: only the synthesis reports and the \
             phase scorecard (crates/publish/benches/documents.rs), written over their rows of \
             BENCHMARKS.md, the other rows kept as they are\n  serve: only the \
             HTTP loads against dongbo serve on 47/NQ-CP, printed, BENCHMARKS.md left as it \
             is\n  scale: only the loads on generated data (dongbo gen --scale province), \
             printed\n  national: the same loads at national scale (generating it takes tens of \
             minutes per backend), written over the national section of BENCHMARKS.md\n  \
             mix: the 64-client load on every main page and API read against a server already running on 127.0.0.1:PORT, for program PROGRAM and its task TASK, \
             printed (the server needs the user {VIEWER} with the bench's password; for \
             profiling)\n  dashboard: the \
             dashboard of PROGRAM read by 16 clients while a writer reports on generated data \
             (months of 2026), against a server already running (users {VIEWER}, {WRITER} and {REVIEWER})\n  \
             submit: the report submission storm against a server already \
             running, on every assignment of PROGRAM for months of 2027-2029 (the server \
             needs the user {WRITER}, an approver on CP, with the bench's password)"
        ),
    }
    let root = workspace_root();

    println!("== import bench (release)");
    let stdout = cargo_bench(root, "dongbo-import", "import", None)?;
    let import = result_line(&stdout, "import_seed_002")?;

    let documents = documents_bench(root)?;

    println!("== dongbo serve start-up (release)");
    let (binary, scratch) = release_build(root)?;

    let mut first: Vec<Duration> = Vec::new();
    for run in 0..FIRST_RUNS {
        let data = scratch.join(format!("first-{run}"));
        first.push(time_to_healthz(&binary, &data)?);
    }
    first.sort();
    let data = scratch.join(format!("first-{}", FIRST_RUNS - 1));
    let mut starts: Vec<Duration> = (0..STARTS)
        .map(|_| time_to_healthz(&binary, &data))
        .collect::<Result<_>>()?;
    starts.sort();

    let serve = Serve {
        first_median: ms(first[FIRST_RUNS / 2]),
        first_max: ms(first[FIRST_RUNS - 1]),
        existing_min: ms(starts[0]),
        existing_median: ms(starts[STARTS / 2]),
        existing_max: ms(starts[STARTS - 1]),
    };
    println!(
        "first run: median {:.1} ms; existing data folder: median {:.1} ms, max {:.1} ms",
        serve.first_median, serve.existing_median, serve.existing_max
    );

    let postgres = BenchPostgres::find()?;
    let postgres_url = postgres.url().map(str::to_owned);

    println!("== report submissions and dashboard parts, in process (release, {STORE_RUNS} runs)");
    let mut store_runs = Vec::new();
    for _ in 0..STORE_RUNS {
        store_runs.push(cargo_bench(
            root,
            "dongbo-store",
            "report_submit",
            postgres_url.as_deref(),
        )?);
    }
    let store = StoreFigures::from_runs(&store_runs)?;

    println!("== dashboard of {PROGRAM} over HTTP, SQLite");
    let sqlite = dashboard_bench(&binary, &scratch.join("dashboard-sqlite"), None)?;
    let postgres_dashboard = match (&postgres_url, postgres.why_not()) {
        (Some(server), _) => {
            println!("== dashboard of {PROGRAM} over HTTP, PostgreSQL");
            let name = format!("dongbo_bench_dashboard_{}", std::process::id());
            match create_database(server, &name) {
                Ok(url) => {
                    let outcome =
                        dashboard_bench(&binary, &scratch.join("dashboard-postgres"), Some(&url));
                    drop_database(server, &name);
                    Measured::Yes(outcome?)
                }
                Err(error) => Measured::No(format!("{error:#}")),
            }
        }
        (None, why) => Measured::No(why.to_owned()),
    };
    drop(postgres);
    let (sqlite_scale, postgres_scale) = scale_benches(&binary, &scratch, scale::PROVINCE)?;
    std::fs::remove_dir_all(&scratch).ok();

    let mut report = report(
        &import,
        &documents,
        &serve,
        &store,
        &sqlite,
        &postgres_dashboard,
    )?;
    report.push('\n');
    report.push_str(&scale::report(
        scale::PROVINCE,
        &[
            ("SQLite", sqlite_scale.as_ref().map_err(Clone::clone)),
            ("PostgreSQL", postgres_scale.as_ref().map_err(Clone::clone)),
        ],
    )?);
    let path = root.join("BENCHMARKS.md");
    // The national section, which takes its own command, stays as it was.
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let national = national_section(&old).map_or_else(
        || {
            format!(
                "{NATIONAL_BEGIN}\n## At national scale\n\nNot measured yet: `cargo xtask \
                 bench national` measures it.\n{NATIONAL_END}\n"
            )
        },
        str::to_owned,
    );
    report.push('\n');
    report.push_str(&national);
    // So does the library section (`cargo xtask bench library`).
    if let (Some(begin), Some(end)) = (old.find(library::BEGIN), old.find(library::END))
        && end > begin
    {
        report.push('\n');
        report.push_str(&old[begin..end + library::END.len()]);
        report.push('\n');
    }
    std::fs::write(&path, report).with_context(|| format!("could not write {path:?}"))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// Where the national section of `BENCHMARKS.md` begins and ends.
const NATIONAL_BEGIN: &str = "<!-- cargo xtask bench national: begin -->";
const NATIONAL_END: &str = "<!-- cargo xtask bench national: end -->";

/// The national section of `BENCHMARKS.md` (`text`), its markers included, with the newline
/// after them.
fn national_section(text: &str) -> Option<&str> {
    let begin = text.find(NATIONAL_BEGIN)?;
    let end = text[begin..].find(NATIONAL_END)? + begin + NATIONAL_END.len();
    let end = if text[end..].starts_with('\n') {
        end + 1
    } else {
        end
    };
    Some(&text[begin..end])
}

/// `cargo xtask bench national`: the loads of [`scale::run`] at national scale, on SQLite and
/// on PostgreSQL, written over the national section of `BENCHMARKS.md` alone (generating the
/// dataset takes tens of minutes per backend, too long for every bench run).
fn national() -> Result<()> {
    let root = workspace_root();
    let (binary, scratch) = release_build(root)?;
    let started = Instant::now();
    let (sqlite, postgres) = scale_benches(&binary, &scratch, scale::NATIONAL)?;
    std::fs::remove_dir_all(&scratch).ok();
    let mut section = format!("{NATIONAL_BEGIN}\n");
    section.push_str(&scale::report(
        scale::NATIONAL,
        &[
            ("SQLite", sqlite.as_ref().map_err(Clone::clone)),
            ("PostgreSQL", postgres.as_ref().map_err(Clone::clone)),
        ],
    )?);
    writeln!(
        section,
        "Measured on {} by `cargo xtask bench national` in {:.0} min, on the machine described \
         above.\n{NATIONAL_END}",
        today(),
        started.elapsed().as_secs_f64() / 60.0
    )?;
    let path = root.join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let new = match national_section(&old) {
        Some(found) => old.replacen(found, &section, 1),
        None => format!("{old}\n{section}"),
    };
    std::fs::write(&path, new).with_context(|| format!("could not write {path:?}"))?;
    println!("wrote the national section of {}", path.display());
    Ok(())
}

/// `cargo xtask bench serve`: the HTTP loads only (dashboard with and without a writer, every
/// route at once), on SQLite and on PostgreSQL when a server is found, printed as they run;
/// for checking a change to the serving path without the whole bench. With `generated`
/// (`cargo xtask bench scale`), the loads on generated data instead. Writes nothing.
fn serve_only(generated: bool) -> Result<()> {
    let root = workspace_root();
    let (binary, scratch) = release_build(root)?;
    if generated {
        let (sqlite, postgres) = scale_benches(&binary, &scratch, scale::PROVINCE)?;
        if let Err(why) = sqlite.and(postgres) {
            bail!("{why}");
        }
        std::fs::remove_dir_all(&scratch).ok();
        return Ok(());
    }
    println!("== dashboard of {PROGRAM} over HTTP, SQLite");
    dashboard_bench(&binary, &scratch.join("dashboard-sqlite"), None)?;
    let postgres = BenchPostgres::find()?;
    match (postgres.url(), postgres.why_not()) {
        (Some(server), _) => {
            println!("== dashboard of {PROGRAM} over HTTP, PostgreSQL");
            let name = format!("dongbo_bench_dashboard_{}", std::process::id());
            let url = create_database(server, &name)?;
            let outcome = dashboard_bench(&binary, &scratch.join("dashboard-postgres"), Some(&url));
            drop_database(server, &name);
            outcome?;
        }
        (None, why) => println!("PostgreSQL not measured: {why}"),
    }
    std::fs::remove_dir_all(&scratch).ok();
    Ok(())
}

/// [`drive_mix`] against a server already running on `port`, logged in as [`VIEWER`].
fn mix_only(port: u16, program: i64, task: &str) -> Result<()> {
    let viewer = http::login(port, VIEWER, PASSWORD)?;
    let about = format!("program {program}, task {task}");
    drive_mix(port, program, &http::encode(task), &viewer.cookie, &about)?;
    Ok(())
}

/// [`scale::dashboard_with_writer`] against a server already running on `port` with generated
/// data, as [`VIEWER`] and [`WRITER`], on program `program`.
fn dashboard_only(port: u16, program: i64) -> Result<()> {
    let viewer = http::login(port, VIEWER, PASSWORD)?;
    let session = http::login(port, WRITER, PASSWORD)?;
    let mut api = http::Connection::new(port);
    let mut json = |path: &str| api.get_json(path, Some(&viewer.cookie));
    let work = program_work(&mut json, program)?;
    let writer = http::Writer {
        port,
        session,
        reviewer: http::login(port, REVIEWER, PASSWORD)?,
        plan: std::sync::Mutex::new(scale::writer_plan(&work)),
    };
    scale::dashboard_with_writer(port, program, &viewer.cookie, &writer)?;
    Ok(())
}

/// [`http::submit_storm`] against a server already running on `port`, logged in as
/// [`WRITER`], on every assignment of program `program`.
fn submit_only(port: u16, program: i64) -> Result<()> {
    let writer = http::login(port, WRITER, PASSWORD)?;
    let mut api = http::Connection::new(port);
    let mut json = |path: &str| api.get_json(path, Some(&writer.cookie));
    let assignments = program_work(&mut json, program)?.assignments;
    storm(port, &writer, &assignments)?;
    Ok(())
}

/// [`http::submit_storm`] by [`SUBMITTERS`] clients as `session` on `assignments`, printed.
fn storm(port: u16, session: &http::Session, assignments: &[i64]) -> Result<http::SubmitRun> {
    let run = http::submit_storm(
        port,
        session,
        &storm_work(assignments),
        SUBMITTERS,
        WARM_UP,
        MEASURE,
    )?;
    println!(
        "{SUBMITTERS} submitters: {:.0} durable submissions/s, p50 {:.1} ms, p99 {:.1} ms",
        run.load.per_second(),
        run.load.quantile_ms(0.5),
        run.load.quantile_ms(0.99)
    );
    Ok(run)
}

/// The result and verdict cells of the check that the dashboard shows as done each task the
/// writer completed.
fn shown_done_cells(shown: usize, not_shown: &[String]) -> (String, &'static str) {
    let result = format!(
        "{shown} of {} tasks shown done{}",
        shown + not_shown.len(),
        if not_shown.is_empty() {
            String::new()
        } else {
            format!(" (not: {})", not_shown.join(", "))
        }
    );
    let verdict = if not_shown.is_empty() && shown > 0 {
        "met"
    } else {
        "**not met**"
    };
    (result, verdict)
}

/// The (assignment, month) pairs a submission storm takes, for months of 2027-2029 (the
/// dashboard's writer reports for 2025 onwards and never reaches them), month by month.
fn storm_work(assignments: &[i64]) -> Vec<(i64, String)> {
    (2027..=2029)
        .flat_map(|year| (1..=12).map(move |month| format!("{year}-M{month:02}")))
        .flat_map(|period| assignments.iter().map(move |a| (*a, period.clone())))
        .collect()
}

/// The loads at a generated scale on SQLite and on PostgreSQL (a new database on the bench's
/// server, when there is one): each the figures or why not.
type ScaleOutcome = std::result::Result<scale::ScaleFigures, String>;

fn scale_benches(
    binary: &Path,
    scratch: &Path,
    scale: &str,
) -> Result<(ScaleOutcome, ScaleOutcome)> {
    println!("== {scale} scale over HTTP, SQLite");
    let sqlite = scale::run(binary, &scratch.join("scale-sqlite"), None, scale)
        .map_err(|e| format!("{e:#}"));
    let postgres = BenchPostgres::find()?;
    let on_postgres = match postgres.url() {
        Some(server) => {
            println!("== {scale} scale over HTTP, PostgreSQL");
            let name = format!("dongbo_bench_scale_{}", std::process::id());
            match create_database(server, &name) {
                Ok(url) => {
                    let outcome =
                        scale::run(binary, &scratch.join("scale-postgres"), Some(&url), scale)
                            .map_err(|e| format!("{e:#}"));
                    drop_database(server, &name);
                    outcome
                }
                Err(error) => Err(format!("{error:#}")),
            }
        }
        None => Err(postgres.why_not().to_owned()),
    };
    Ok((sqlite, on_postgres))
}

/// Runs `cargo bench -p package --bench bench` (with the PostgreSQL server for benches that
/// take one) and returns its standard output, echoed.
fn cargo_bench(root: &Path, package: &str, bench: &str, postgres: Option<&str>) -> Result<String> {
    let mut command = Command::new("cargo");
    command
        .current_dir(root)
        .args(["bench", "--locked", "-p", package, "--bench", bench])
        .env_remove("DONGBO_BENCH_POSTGRES_URL")
        .stderr(Stdio::inherit());
    if let Some(url) = postgres {
        command.env("DONGBO_BENCH_POSTGRES_URL", url);
    }
    let output = command.output().context("could not run cargo bench")?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    print!("{stdout}");
    if !output.status.success() {
        bail!("the {bench} bench failed");
    }
    Ok(stdout)
}

/// A figure that was measured, or why not.
enum Measured<T> {
    Yes(T),
    No(String),
}

/// The PostgreSQL server the benches use: `DONGBO_BENCH_POSTGRES_URL`, else the one `cargo
/// xtask test` would use (`DONGBO_TEST_POSTGRES_URL` or a throwaway cluster), else none.
enum BenchPostgres {
    Given(String),
    Started(crate::services::Postgres),
    Missing(String),
}

impl BenchPostgres {
    fn find() -> Result<BenchPostgres> {
        if let Ok(url) = std::env::var("DONGBO_BENCH_POSTGRES_URL")
            && !url.trim().is_empty()
        {
            return Ok(BenchPostgres::Given(url));
        }
        // A cluster of its own, durable, whatever the tests use.
        Ok(match crate::services::Postgres::start_durable() {
            Ok(pg) => BenchPostgres::Started(pg),
            Err(error) => BenchPostgres::Missing(format!(
                "no PostgreSQL server (DONGBO_BENCH_POSTGRES_URL unset and none could be \
                 started: {error:#})"
            )),
        })
    }

    fn url(&self) -> Option<&str> {
        match self {
            BenchPostgres::Given(url) => Some(url),
            BenchPostgres::Started(pg) => Some(pg.url()),
            BenchPostgres::Missing(_) => None,
        }
    }

    fn why_not(&self) -> &str {
        match self {
            BenchPostgres::Missing(why) => why,
            _ => "",
        }
    }
}

/// Creates database `name` on `server` with `psql`; returns its URL.
fn create_database(server: &str, name: &str) -> Result<String> {
    drop_database(server, name);
    let status = Command::new("psql")
        .args([server, "-q", "-v", "ON_ERROR_STOP=1", "-c"])
        .arg(format!(
            "CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"
        ))
        .status()
        .context("psql is needed to create the bench database")?;
    if !status.success() {
        bail!("psql could not create the database {name}");
    }
    Ok(with_database(server, name))
}

fn drop_database(server: &str, name: &str) {
    let _ = Command::new("psql")
        .args([server, "-q", "-c"])
        .arg(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .stderr(Stdio::null())
        .status();
}

/// `server` with its database part replaced by `database`.
fn with_database(server: &str, database: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

/// The store bench's figures, each the median over its runs.
struct StoreFigures {
    /// By `RESULT` name, then key.
    results: BTreeMap<String, BTreeMap<String, f64>>,
}

impl StoreFigures {
    fn from_runs(runs: &[String]) -> Result<StoreFigures> {
        let mut all: BTreeMap<String, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
        for stdout in runs {
            for line in stdout.lines() {
                let Some(rest) = line.strip_prefix("RESULT ") else {
                    continue;
                };
                let Some((name, _)) = rest.split_once(' ') else {
                    continue;
                };
                for (key, value) in result_line(stdout, name)? {
                    all.entry(name.to_owned())
                        .or_default()
                        .entry(key)
                        .or_default()
                        .push(value);
                }
            }
        }
        let results = all
            .into_iter()
            .map(|(name, keys)| {
                let keys = keys
                    .into_iter()
                    .map(|(key, mut values)| {
                        values.sort_by(f64::total_cmp);
                        (key, values[values.len() / 2])
                    })
                    .collect();
                (name, keys)
            })
            .collect();
        Ok(StoreFigures { results })
    }

    fn get(&self, name: &str) -> Option<&BTreeMap<String, f64>> {
        self.results.get(name)
    }
}

/// The dashboard under load on one backend.
struct DashboardFigures {
    /// One client, one request at a time: the service time of a request.
    single: http::LoadRun,
    /// 16 clients, reads only.
    reads: Vec<http::LoadRun>,
    /// 16 clients while the writer submits and accepts reports.
    writes: Vec<http::LoadRun>,
    /// Tasks the writer completed and the dashboard showed as done, and those it did not.
    shown_done: usize,
    not_shown_done: Vec<String>,
    /// The dashboard page's size.
    page_bytes: usize,
    /// Every main page and API read at once, by route: (route, load).
    mix: Vec<(String, http::LoadRun)>,
    /// [`SUBMITTERS`] submitting reports through the API at once, as fast as acknowledged.
    submissions: http::SubmitRun,
    /// The server's peak resident memory at the end, in KiB (Linux `VmHWM`).
    peak_rss_kib: Option<u64>,
}

/// A running `dongbo serve`, killed on drop.
struct Server {
    child: std::process::Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// `cargo build --release -p dongbo`: the binary, and a new scratch folder for the benches.
fn release_build(root: &Path) -> Result<(PathBuf, PathBuf)> {
    run_command(Command::new("cargo").current_dir(root).args([
        "build",
        "--locked",
        "--release",
        "-p",
        "dongbo",
    ]))?;
    let scratch = std::env::temp_dir().join(format!("dongbo-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    // Where cargo put it: `CARGO_TARGET_DIR` (relative to the workspace) when set.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|dir| !dir.is_empty())
        .map_or_else(|| root.join("target"), |dir| root.join(dir));
    Ok((target.join("release/dongbo"), scratch))
}

/// Every main page and API read at once by [`MIX_CLIENTS`] clients (see [`mix_routes`]) on
/// the server at `port`, printed; the load of each route, by route template. `about` names
/// the data in what is printed.
fn drive_mix(
    port: u16,
    program: i64,
    sample_task: &str,
    cookie: &str,
    about: &str,
) -> Result<Vec<(String, http::LoadRun)>> {
    let routes = mix_routes(program, sample_task);
    let runs = http::drive_mix(port, &routes, cookie, MIX_CLIENTS, WARM_UP, MEASURE)?;
    let mix: Vec<(String, http::LoadRun)> = routes
        .into_iter()
        .map(|(label, _)| label)
        .zip(runs)
        .collect();
    let all = merged(mix.iter().map(|(_, run)| run));
    println!(
        "{MIX_CLIENTS} clients on {} routes of {about}: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, {} errors",
        mix.len(),
        all.per_second(),
        all.quantile_ms(0.5),
        all.quantile_ms(0.99),
        all.errors
    );
    for (label, run) in &mix {
        println!(
            "  {label}: p50 {:.1} ms, p99 {:.1} ms",
            run.quantile_ms(0.5),
            run.quantile_ms(0.99)
        );
    }
    Ok(mix)
}

/// Every main page and API read of the mix, as (route template, path): program `program`,
/// its task `sample_task` (URL-encoded), the agency BVHTTDL and a search.
fn mix_routes(program: i64, sample_task: &str) -> Vec<(String, String)> {
    [
        ("/", "/".to_owned()),
        ("/programs/{id}", format!("/programs/{program}")),
        (
            "/programs/{id}/tasks/{code}",
            format!("/programs/{program}/tasks/{sample_task}"),
        ),
        (
            "/programs/{id}/dashboard",
            format!("/programs/{program}/dashboard"),
        ),
        (
            "/programs/{id}/completeness",
            format!("/programs/{program}/completeness"),
        ),
        (
            "/programs/{id}/indicators",
            format!("/programs/{program}/indicators"),
        ),
        ("/agencies", "/agencies".to_owned()),
        ("/agencies/{code}", "/agencies/BVHTTDL".to_owned()),
        ("/search", "/search?q=van+hoa".to_owned()),
        ("/my", "/my".to_owned()),
        ("/api/v1/programs", "/api/v1/programs".to_owned()),
        (
            "/api/v1/programs/{id}",
            format!("/api/v1/programs/{program}"),
        ),
        (
            "/api/v1/programs/{id}/tasks/{code}",
            format!("/api/v1/programs/{program}/tasks/{sample_task}"),
        ),
        (
            "/api/v1/programs/{id}/dashboard",
            format!("/api/v1/programs/{program}/dashboard"),
        ),
        (
            "/api/v1/programs/{id}/completeness",
            format!("/api/v1/programs/{program}/completeness"),
        ),
        (
            "/api/v1/agencies/{code}",
            "/api/v1/agencies/BVHTTDL".to_owned(),
        ),
        ("/api/v1/search", "/api/v1/search?q=van+hoa".to_owned()),
    ]
    .into_iter()
    .map(|(label, path)| (label.to_owned(), path))
    .collect()
}

/// `dongbo [--database-url URL] --data-dir DATA` with the given arguments.
fn dongbo(binary: &Path, data: &Path, database_url: Option<&str>) -> Command {
    let mut command = Command::new(binary);
    command.arg("--data-dir").arg(data);
    command.env_remove("DONGBO_DATABASE_URL");
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    command
}

/// `dongbo serve` on a free port of loopback (its log in `serve.log` of `data`), once it
/// answers `/healthz`.
fn start_serve(binary: &Path, data: &Path, database_url: Option<&str>) -> Result<Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let log = std::fs::File::create(data.join("serve.log"))?;
    let child = dongbo(binary, data, database_url)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("DONGBO_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .context("could not start dongbo serve")?;
    let server = Server { child, port };
    let started = Instant::now();
    while !healthz_ok(server.port) {
        if started.elapsed() > Duration::from_secs(120) {
            bail!("dongbo serve did not answer /healthz within 120 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(server)
}

/// `dongbo user add USERNAME --role ROLE --agency AGENCY` with `password` on standard input,
/// run as `dongbo` (a command from [`dongbo`]).
fn add_user(
    mut dongbo: Command,
    username: &str,
    role: &str,
    agency: &str,
    password: &str,
) -> Result<()> {
    let mut child = dongbo
        .args(["user", "add", username, "--name", username, "--role", role])
        .args(["--agency", agency, "--password-stdin"])
        .env("DONGBO_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("could not run dongbo user add")?;
    child
        .stdin
        .take()
        .context("no stdin")?
        .write_all(format!("{password}\n").as_bytes())?;
    if !child.wait()?.success() {
        bail!("dongbo user add {username} failed");
    }
    Ok(())
}

/// First run of `dongbo serve` (loads 47/NQ-CP and assigns its tasks), a viewer and a writer
/// made with the command line, then the loads.
fn dashboard_bench(
    binary: &Path,
    data: &Path,
    database_url: Option<&str>,
) -> Result<DashboardFigures> {
    std::fs::create_dir_all(data)?;
    let server = start_serve(binary, data, database_url)?;
    let port = server.port;

    for (username, role) in [
        (VIEWER, "viewer"),
        (WRITER, "approver"),
        (REVIEWER, "approver"),
    ] {
        add_user(
            dongbo(binary, data, database_url),
            username,
            role,
            "CP",
            PASSWORD,
        )?;
    }
    let viewer = http::login(port, VIEWER, PASSWORD)?;
    let writer_session = http::login(port, WRITER, PASSWORD)?;

    let mut api = http::Connection::new(port);
    let mut json = |path: &str| api.get_json(path, None);
    let program = json("/api/v1/programs")?
        .as_array()
        .and_then(|programs| {
            programs
                .iter()
                .find(|p| p["number"] == PROGRAM)
                .and_then(|p| p["id"].as_i64())
        })
        .with_context(|| format!("{PROGRAM} is not among the programs"))?;
    let work = program_work(&mut json, program)?;
    let sample_task = http::encode(work.codes.first().context("the program has no task")?);
    let every_assignment = work.assignments;
    let mut plan = work.leads;
    // Tasks with the fewest leads first: the writer completes many tasks in a run.
    plan.sort_by_key(|(_, leads)| leads.len());
    let writer = http::Writer {
        port,
        session: writer_session,
        reviewer: http::login(port, REVIEWER, PASSWORD)?,
        plan: std::sync::Mutex::new(http::WriterPlan::new(plan)),
    };

    let path = format!("/programs/{program}/dashboard");
    let cookie = viewer.cookie.as_str();
    let single = http::drive(
        port,
        &path,
        cookie,
        1,
        Duration::from_secs(1),
        Duration::from_secs(3),
        None,
    )?;
    println!(
        "1 client: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms",
        single.per_second(),
        single.quantile_ms(0.5),
        single.quantile_ms(0.99)
    );
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    for _ in 0..LOAD_RUNS {
        for with_writer in [false, true] {
            let run = http::drive(
                port,
                &path,
                cookie,
                CLIENTS,
                WARM_UP,
                MEASURE,
                with_writer.then_some(&writer),
            )?;
            println!(
                "{CLIENTS} clients{}: {:.0} req/s, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} errors{}",
                if with_writer { " + writer" } else { "" },
                run.per_second(),
                run.quantile_ms(0.5),
                run.quantile_ms(0.95),
                run.quantile_ms(0.99),
                run.quantile_ms(1.0),
                run.errors,
                run.writer.as_ref().map_or(String::new(), |w| format!(
                    "; writer: {} reports accepted, {} tasks completed",
                    w.accepted,
                    w.completed.len()
                )),
            );
            if with_writer {
                writes.push(run);
            } else {
                reads.push(run);
            }
        }
    }

    // The dashboard right after the writes: every task the writer completed shows as done.
    let page = http::Connection::new(port)
        .send("GET", &path, &[("Cookie", cookie)], None)?
        .text();
    let page_bytes = page.len();
    let (shown_done, not_shown_done) = shown_done(
        &page,
        writes
            .iter()
            .filter_map(|w| w.writer.as_ref())
            .flat_map(|w| &w.completed),
    );
    println!(
        "after the writes: {shown_done} completed tasks shown as done, {} not",
        not_shown_done.len()
    );

    // Every main page and API read at once, on the data the writer left.
    let mix = drive_mix(port, program, &sample_task, cookie, PROGRAM)?;

    // Report submissions as fast as they are acknowledged, on months the writer never reached.
    let submissions = storm(port, &writer.session, &every_assignment)?;
    let peak_rss_kib = peak_rss_kib(server.child.id());
    drop(server);
    Ok(DashboardFigures {
        single,
        reads,
        writes,
        shown_done,
        not_shown_done,
        page_bytes,
        mix,
        submissions,
        peak_rss_kib,
    })
}

/// What a writer can do on a program: its task codes in order, each task's leads, every
/// assignment, and the recurring tasks (annual or continuous).
pub(crate) struct ProgramWork {
    codes: Vec<String>,
    leads: Vec<(String, Vec<i64>)>,
    assignments: Vec<i64>,
    recurring: std::collections::BTreeSet<String>,
}

/// [`ProgramWork`] of program `program`, read through the API with `json`.
fn program_work(
    json: &mut impl FnMut(&str) -> Result<serde_json::Value>,
    program: i64,
) -> Result<ProgramWork> {
    let detail = json(&format!("/api/v1/programs/{program}"))?;
    let codes: Vec<String> = detail["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["tasks"].as_array().into_iter().flatten())
        .filter_map(|t| t["code"].as_str().map(str::to_owned))
        .collect();
    let mut leads = Vec::new();
    let mut assignments = Vec::new();
    let mut recurring = std::collections::BTreeSet::new();
    for code in &codes {
        let task = json(&format!(
            "/api/v1/programs/{program}/tasks/{}",
            http::encode(code)
        ))?;
        if task["time_frame"]["recurrence"].as_str().unwrap_or("none") != "none" {
            recurring.insert(code.clone());
        }
        let assigned = task["assignments"].as_array().into_iter().flatten();
        assignments.extend(assigned.clone().filter_map(|a| a["id"].as_i64()));
        let these: Vec<i64> = assigned
            .filter(|a| a["role"] == "lead")
            .filter_map(|a| a["id"].as_i64())
            .collect();
        if !these.is_empty() {
            leads.push((code.clone(), these));
        }
    }
    Ok(ProgramWork {
        codes,
        leads,
        assignments,
        recurring,
    })
}

/// Of the tasks the writer `completed`, those the dashboard `page` shows as done and those it
/// does not (each task once).
fn shown_done<'a>(page: &str, completed: impl Iterator<Item = &'a String>) -> (usize, Vec<String>) {
    let mut seen = std::collections::BTreeSet::new();
    let mut shown = 0;
    let mut not_shown = Vec::new();
    for code in completed.filter(|code| seen.insert(*code)) {
        let marker = format!("data-task=\"{code}\" data-state=\"done_");
        if page.contains(&marker) {
            shown += 1;
        } else {
            not_shown.push(code.clone());
        }
    }
    (shown, not_shown)
}

/// A mix's routes taken together, its slowest route's p99, and each route's p99 as a
/// "`route` ms" cell part with `decimals` digits.
fn mix_summary(mix: &[(String, http::LoadRun)], decimals: usize) -> (http::LoadRun, f64, String) {
    let all = merged(mix.iter().map(|(_, run)| run));
    let slowest = mix
        .iter()
        .map(|(_, run)| run.quantile_ms(0.99))
        .fold(0.0, f64::max);
    let by_route: Vec<String> = mix
        .iter()
        .map(|(route, run)| format!("`{route}` {:.*}", decimals, run.quantile_ms(0.99)))
        .collect();
    (all, slowest, by_route.join(", "))
}

/// The loads of several routes taken together.
fn merged<'a>(runs: impl Iterator<Item = &'a http::LoadRun>) -> http::LoadRun {
    let mut all = http::LoadRun {
        latencies: Vec::new(),
        seconds: 0.0,
        errors: 0,
        writer: None,
    };
    for run in runs {
        all.latencies.extend_from_slice(&run.latencies);
        all.seconds = run.seconds;
        all.errors += run.errors;
    }
    all.latencies.sort();
    all
}

/// A process's peak resident memory in KiB (`VmHWM` in `/proc/PID/status`; Linux only).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

struct Serve {
    first_median: f64,
    first_max: f64,
    existing_min: f64,
    existing_median: f64,
    existing_max: f64,
}

/// The `key=value` pairs of the bench's `RESULT <name> …` line.
fn result_line(stdout: &str, name: &str) -> Result<BTreeMap<String, f64>> {
    let prefix = format!("RESULT {name} ");
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .with_context(|| format!("the bench printed no `{prefix}` line"))?;
    line.split_whitespace()
        .map(|pair| {
            let (key, value) = pair
                .split_once('=')
                .with_context(|| format!("`{pair}` is not key=value"))?;
            let value: f64 = value
                .parse()
                .with_context(|| format!("`{pair}` has no number"))?;
            Ok((key.to_owned(), value))
        })
        .collect()
}

/// The figures of `crates/publish/benches/documents.rs`.
struct Documents {
    synthesis: BTreeMap<String, f64>,
    synthesis_47: BTreeMap<String, f64>,
    scorecard: BTreeMap<String, f64>,
}

/// Runs `crates/publish/benches/documents.rs` (release).
fn documents_bench(root: &Path) -> Result<Documents> {
    println!("== synthesis report and phase scorecard (release)");
    let stdout = cargo_bench(root, "dongbo-publish", "documents", None)?;
    Ok(Documents {
        synthesis: result_line(&stdout, "synthesis")?,
        synthesis_47: result_line(&stdout, "synthesis_47")?,
        scorecard: result_line(&stdout, "scorecard")?,
    })
}

/// Where a row of the documents bench begins in `BENCHMARKS.md`.
const DOCUMENT_ROWS: [&str; 3] = [
    "| National synthesis report of 47/NQ-CP",
    "| National synthesis report, ",
    "| Phase scorecard for every agency",
];

/// `cargo xtask bench documents`: the documents bench alone, its rows of `BENCHMARKS.md`
/// written over (marked re-measured, with the day), every other line kept as it was.
fn documents_only() -> Result<()> {
    let root = workspace_root();
    let documents = documents_bench(root)?;
    let rows = documents_rows(&documents)?;
    let marked: Vec<String> = rows
        .lines()
        .map(|row| {
            row.replacen(
                " | ",
                &format!(
                    " (re-measured on {} by `cargo xtask bench documents`) | ",
                    today()
                ),
                1,
            )
        })
        .collect();
    let path = root.join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
    let mut out = String::new();
    let mut written = false;
    for line in old.lines() {
        if line.starts_with("- Synthesis report and scorecard:") {
            writeln!(out, "{}", documents_method())?;
            continue;
        }
        if DOCUMENT_ROWS.iter().any(|start| line.starts_with(start)) {
            if !written {
                for row in &marked {
                    writeln!(out, "{row}")?;
                }
                written = true;
            }
            continue;
        }
        writeln!(out, "{line}")?;
    }
    if !written {
        bail!("{} has no documents rows to write over", path.display());
    }
    std::fs::write(&path, out).with_context(|| path.display().to_string())?;
    println!("{rows}");
    println!("wrote the documents rows of {}", path.display());
    Ok(())
}

/// How the documents bench measures, as `BENCHMARKS.md`'s method line says it.
fn documents_method() -> String {
    "- Synthesis report and scorecard: `crates/publish/benches/documents.rs` builds a \
         national report input in memory twice: 47/NQ-CP with every agency reporting \
         (`crates/publish/tests/common/national.rs`: the shipped resolution imported, every \
         assignment its cells give on its date, each with an accepted report; the page-count test \
         uses the same input) and a synthetic one (64 agencies on each of 56 tasks); both with 12 \
         indicators and the shipped wording template. It first does what `dongbo serve` does at start on a thread of its own \
         (`pdf::warm_up`: fonts read, a one-page document typeset), then times what a request \
         does: `synthesis::build` and `render_all` (the PDF typeset on one thread while the DOCX \
         and XLSX are written on the other) for the first report of 47/NQ-CP (its PDF's pages \
         counted outside the timing), and for 5 more whose figures \
         and report texts differ, as other periods' reports do, so that Typst's memoised layout \
         of one run does not serve the next; then the same for the synthetic report, one more of \
         which is timed part by part. Each target is judged on the slowest of its six. \
         `cargo xtask bench documents` runs this bench alone and writes over its rows only. The \
         scorecard is \
         `scorecard::evaluate` over the synthetic report's assignments with three annual reports each: one \
         warm-up, 50 runs, judged on the slowest. The data is gathered from the store by the \
         server in a few queries before this (not timed here).".to_owned()
}

/// The rows of the documents bench: the national report of 47/NQ-CP, the synthetic 64 × 56
/// report, the phase scorecard.
fn documents_rows(documents: &Documents) -> Result<String> {
    let mut out = String::new();
    let figure = |set: &BTreeMap<String, f64>, key: &str| {
        set.get(key)
            .copied()
            .with_context(|| format!("the documents bench gave no {key}"))
    };
    let national = &documents.synthesis_47;
    writeln!(
        out,
        "| National synthesis report of 47/NQ-CP with every agency reporting ({} agencies, {} tasks, {} assignments with a report each): build + DOCX + XLSX + PDF, in process | first report after the start-up warm-up {:.0} ms; then other periods' reports median {:.0} ms, max {:.0} ms ({} runs); PDF {} pages; files {:.0} / {:.0} / {:.0} KiB | < {SYNTHESIS_TARGET_MS} ms, ≤ 40 pages (issue 19) | {} |",
        figure(national, "agencies")?,
        figure(national, "tasks")?,
        figure(national, "assignments")?,
        figure(national, "first_ms")?,
        figure(national, "median_ms")?,
        figure(national, "max_ms")?,
        figure(national, "runs")?,
        figure(national, "pages")?,
        figure(national, "docx_bytes")? / 1024.0,
        figure(national, "xlsx_bytes")? / 1024.0,
        figure(national, "pdf_bytes")? / 1024.0,
        if figure(national, "max_ms")? < SYNTHESIS_TARGET_MS && figure(national, "pages")? <= 40.0 {
            "met"
        } else {
            "**not met**"
        },
    )?;
    let synthesis = &documents.synthesis;
    writeln!(
        out,
        "| National synthesis report, {} agencies × {} tasks ({} assignments with a report each): build + DOCX + XLSX + PDF, in process | first of these reports {:.0} ms; then other periods' reports median {:.0} ms, max {:.0} ms ({} runs); parts one after the other: build {:.0} ms, DOCX {:.0} ms, XLSX {:.0} ms, PDF {:.0} ms; warm-up at start {:.0} ms (off the request path); files {:.0} / {:.0} / {:.0} KiB | < {SYNTHESIS_TARGET_MS} ms | {} |",
        figure(synthesis, "agencies")?,
        figure(synthesis, "tasks")?,
        figure(synthesis, "agencies")? * figure(synthesis, "tasks")?,
        figure(synthesis, "first_ms")?,
        figure(synthesis, "median_ms")?,
        figure(synthesis, "max_ms")?,
        figure(synthesis, "runs")?,
        figure(synthesis, "build_ms")?,
        figure(synthesis, "docx_ms")?,
        figure(synthesis, "xlsx_ms")?,
        figure(synthesis, "pdf_ms")?,
        figure(synthesis, "warm_up_ms")?,
        figure(synthesis, "docx_bytes")? / 1024.0,
        figure(synthesis, "xlsx_bytes")? / 1024.0,
        figure(synthesis, "pdf_bytes")? / 1024.0,
        verdict(figure(synthesis, "max_ms")?, SYNTHESIS_TARGET_MS),
    )?;
    let scorecard = &documents.scorecard;
    writeln!(
        out,
        "| Phase scorecard for every agency: {} assignments, {} expected reports, 3 years, in process | median {:.2} ms, max {:.2} ms ({} runs) | < {SCORECARD_TARGET_MS} ms | {} |",
        figure(scorecard, "assignments")?,
        figure(scorecard, "reports")?,
        figure(scorecard, "median_ms")?,
        figure(scorecard, "max_ms")?,
        figure(scorecard, "runs")?,
        verdict(figure(scorecard, "max_ms")?, SCORECARD_TARGET_MS),
    )?;
    Ok(out)
}

fn report(
    import: &BTreeMap<String, f64>,
    documents: &Documents,
    serve: &Serve,
    store: &StoreFigures,
    sqlite: &DashboardFigures,
    postgres: &Measured<DashboardFigures>,
) -> Result<String> {
    let get = |key: &str| {
        import
            .get(key)
            .copied()
            .with_context(|| format!("the import bench gave no {key}"))
    };
    let mut out = String::new();
    writeln!(out, "# Benchmarks")?;
    writeln!(out)?;
    writeln!(
        out,
        "Written by `cargo xtask bench` on {} — do not edit by hand; run it again.",
        today()
    )?;
    writeln!(out)?;
    writeln!(out, "## Machine")?;
    writeln!(out)?;
    for line in machine() {
        writeln!(out, "- {line}")?;
    }
    writeln!(out)?;
    writeln!(out, "## Results")?;
    writeln!(out)?;
    writeln!(out, "| What | Figure | Target | |")?;
    writeln!(out, "|---|---|---|---|")?;
    let median = get("median_ms")?;
    let p95 = get("p95_ms")?;
    writeln!(
        out,
        "| Import seed 002 (47/NQ-CP, {} bytes, 56 tasks), in process | median {median:.2} ms, p95 {p95:.2} ms, max {:.2} ms ({} runs) | < {IMPORT_TARGET_MS} ms | {} |",
        get("bytes")?,
        get("max_ms")?,
        get("runs")?,
        verdict(p95, IMPORT_TARGET_MS),
    )?;
    writeln!(
        out,
        "| Same, cold: load the bundled directory, then import once | {:.2} ms | | |",
        get("cold_ms")?
    )?;
    out.push_str(&documents_rows(documents)?);
    writeln!(
        out,
        "| `dongbo serve` to first `200` from `/healthz`, existing data folder | median {:.1} ms, min {:.1} ms, max {:.1} ms ({STARTS} starts) | < {HEALTHZ_TARGET_MS} ms | {} |",
        serve.existing_median,
        serve.existing_min,
        serve.existing_max,
        verdict(serve.existing_max, HEALTHZ_TARGET_MS),
    )?;
    writeln!(
        out,
        "| `dongbo serve` first run on an empty folder (create, migrate, load directory and 47/NQ-CP) | median {:.1} ms, max {:.1} ms ({FIRST_RUNS} runs) | | |",
        serve.first_median, serve.first_max,
    )?;

    let assignments = store
        .get("dashboard_parts_sqlite")
        .and_then(|p| p.get("facts"))
        .map_or("every".to_owned(), |n| format!("{n}"));
    for (backend, figures) in [
        ("SQLite", Measured::Yes(sqlite)),
        (
            "PostgreSQL",
            match postgres {
                Measured::Yes(f) => Measured::Yes(f),
                Measured::No(why) => Measured::No(why.clone()),
            },
        ),
    ] {
        let what = format!(
            "Dashboard of {PROGRAM} ({assignments} assignments), {backend}, {CLIENTS} concurrent clients"
        );
        let figures = match figures {
            Measured::Yes(figures) => figures,
            Measured::No(why) => {
                writeln!(
                    out,
                    "| {what} | not measured: {why} | < {DASHBOARD_TARGET_MS} ms p99 | not measured |"
                )?;
                continue;
            }
        };
        for (kind, runs) in [
            ("reads only", &figures.reads),
            (
                "while a writer submits and accepts reports",
                &figures.writes,
            ),
        ] {
            let middle = median_run(runs);
            let p99s: Vec<String> = runs
                .iter()
                .map(|r| format!("{:.1}", r.quantile_ms(0.99)))
                .collect();
            let errors: usize = runs.iter().map(|r| r.errors).sum();
            writeln!(
                out,
                "| {what}, {kind} | {:.0} req/s; p50 {:.1} ms, p95 {:.1} ms, **p99 {:.1} ms**, max {:.1} ms (the median of {} runs by p99; p99 of each: {} ms){} | < {DASHBOARD_TARGET_MS} ms p99 | {} |",
                middle.per_second(),
                middle.quantile_ms(0.5),
                middle.quantile_ms(0.95),
                middle.quantile_ms(0.99),
                middle.quantile_ms(1.0),
                runs.len(),
                p99s.join(", "),
                if errors > 0 {
                    format!("; **{errors} failed requests**")
                } else {
                    String::new()
                },
                if errors > 0 {
                    "**not met**"
                } else {
                    verdict(middle.quantile_ms(0.99), DASHBOARD_TARGET_MS)
                },
            )?;
        }
        let writer: Vec<&http::WriterRun> = figures
            .writes
            .iter()
            .filter_map(|r| r.writer.as_ref())
            .collect();
        let accepted: usize = writer.iter().map(|w| w.accepted).sum();
        let mut writes: Vec<Duration> = writer.iter().flat_map(|w| w.latencies.clone()).collect();
        writes.sort();
        writeln!(
            out,
            "| {backend}: the writer's requests meanwhile (one submission and one acceptance per report) | {accepted} reports submitted and accepted; each request p50 {:.1} ms, p99 {:.1} ms | | |",
            quantile_ms(&writes, 0.5),
            quantile_ms(&writes, 0.99),
        )?;
        let (shown, judged) = shown_done_cells(figures.shown_done, &figures.not_shown_done);
        writeln!(
            out,
            "| {backend}: dashboard right after the writes shows each task the writer completed as done | {shown} | all | {judged} |",
        )?;
        writeln!(
            out,
            "| {backend}: one client, one request at a time | {:.0} req/s; p50 {:.1} ms, p99 {:.1} ms; page {} KiB | | |",
            figures.single.per_second(),
            figures.single.quantile_ms(0.5),
            figures.single.quantile_ms(0.99),
            figures.page_bytes / 1024,
        )?;
        let (all, slowest, by_route) = mix_summary(&figures.mix, 1);
        writeln!(
            out,
            "| {backend}: every main page and API read at once ({} routes, each client going through them in turn), {MIX_CLIENTS} concurrent clients, on the {PROGRAM} data after the writes | {:.0} req/s; all together p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms; **slowest route's p99 {:.1} ms**{}; p99 by route (ms): {} | < {MIX_TARGET_MS} ms p99 (issue 5, there at national scale) | {} |",
            figures.mix.len(),
            all.per_second(),
            all.quantile_ms(0.5),
            all.quantile_ms(0.95),
            all.quantile_ms(0.99),
            slowest,
            if all.errors > 0 {
                format!("; **{} failed requests**", all.errors)
            } else {
                String::new()
            },
            by_route,
            if all.errors > 0 {
                "**not met**"
            } else {
                verdict(slowest, MIX_TARGET_MS)
            },
        )?;
        let submitted = &figures.submissions;
        let higher = |rate: f64, target: f64| if rate >= target { "met" } else { "**not met**" };
        writeln!(
            out,
            "| {backend}: report submissions through the API (`POST /api/v1/assignments/{{id}}/reports/submit`), {} submitters at once, each answered once committed | **{:.0} durable submissions/s**; each p50 {:.1} ms, p99 {:.1} ms | ≥ {SUBMISSIONS_TARGET} /s (issue 5) | {} |",
            submitted.clients,
            submitted.load.per_second(),
            submitted.load.quantile_ms(0.5),
            submitted.load.quantile_ms(0.99),
            higher(submitted.load.per_second(), SUBMISSIONS_TARGET),
        )?;
        writeln!(
            out,
            "| {backend}: the server's peak resident memory after all of the above | {} | < {RSS_TARGET_MIB} MiB (issue 5) | {} |",
            figures.peak_rss_kib.map_or_else(
                || "not measured".to_owned(),
                |kib| format!("{:.1} MiB", kib as f64 / 1024.0)
            ),
            figures.peak_rss_kib.map_or("not measured", |kib| verdict(
                kib as f64 / 1024.0,
                RSS_TARGET_MIB
            )),
        )?;
    }

    for (backend, key) in [("SQLite", "sqlite"), ("PostgreSQL", "postgres")] {
        let durability = if key == "sqlite" {
            "database file, WAL, `synchronous = FULL`".to_owned()
        } else {
            match store.get("postgres_settings") {
                Some(s) if s.get("fsync") == Some(&1.0) && s.get("synchronous_commit") == Some(&1.0) => {
                    "`fsync` and `synchronous_commit` on".to_owned()
                }
                Some(_) => "**server runs with `fsync = off`: commits do not wait for the disk, so this is not a durability figure**".to_owned(),
                None => String::new(),
            }
        };
        let Some(sequential) = store.get(&format!("report_submit_{key}")) else {
            writeln!(
                out,
                "| Report submission committed, {backend} | not measured: {} | < {SUBMIT_TARGET_MS} ms p99 | not measured |",
                postgres_why(postgres)
            )?;
            continue;
        };
        let g = |m: &BTreeMap<String, f64>, k: &str| m.get(k).copied().unwrap_or(f64::NAN);
        writeln!(
            out,
            "| Report submission committed (`reports::submit`), {backend} ({durability}), one after another | min {:.2} ms, median {:.2} ms, p95 {:.2} ms, **p99 {:.2} ms**, max {:.2} ms ({} submissions; medians of {STORE_RUNS} runs) | < {SUBMIT_TARGET_MS} ms p99 | {} |",
            g(sequential, "min_ms"),
            g(sequential, "median_ms"),
            g(sequential, "p95_ms"),
            g(sequential, "p99_ms"),
            g(sequential, "max_ms"),
            g(sequential, "runs"),
            verdict(g(sequential, "p99_ms"), SUBMIT_TARGET_MS),
        )?;
        if let Some(concurrent) = store.get(&format!("report_submit_concurrent_{key}")) {
            writeln!(
                out,
                "| Same, {} concurrent submitters | {:.0} submissions/s; each: median {:.2} ms, p95 {:.2} ms, **p99 {:.2} ms**, max {:.2} ms ({} submissions; medians of {STORE_RUNS} runs) | < {SUBMIT_TARGET_MS} ms p99 | {} |",
                g(concurrent, "submitters"),
                g(concurrent, "per_second"),
                g(concurrent, "median_ms"),
                g(concurrent, "p95_ms"),
                g(concurrent, "p99_ms"),
                g(concurrent, "max_ms"),
                g(concurrent, "runs"),
                verdict(g(concurrent, "p99_ms"), SUBMIT_TARGET_MS),
            )?;
        }
        if let Some(parts) = store.get(&format!("dashboard_parts_{key}")) {
            writeln!(
                out,
                "| Dashboard parts in process, {backend}, one at a time: the facts query ({} rows) / the figures computed from them | median {:.2} ms, p95 {:.2} ms / median {:.2} ms, p95 {:.2} ms | | |",
                g(parts, "facts"),
                g(parts, "facts_median_ms"),
                g(parts, "facts_p95_ms"),
                g(parts, "figures_median_ms"),
                g(parts, "figures_p95_ms"),
            )?;
        }
    }
    writeln!(out)?;

    writeln!(out, "## Method")?;
    writeln!(out)?;
    writeln!(
        out,
        "- Release builds (`cargo bench`, `cargo build --release`), SQLite default storage."
    )?;
    writeln!(
        out,
        "- Import: `crates/import/benches/import.rs` reads seed 002 from the test fixtures and \
         calls `dongbo_import::import` with format detection, agency resolution as of the \
         document date and time-frame parsing: 10 warm-up runs, then 200 timed runs; the target \
         is judged on the p95."
    )?;
    writeln!(out, "{}", documents_method())?;
    writeln!(
        out,
        "- Every main page and API read: after the dashboard loads, on the same server and the \
         data the writer left, {MIX_CLIENTS} keep-alive clients each go through the program \
         list, program, task, dashboard, completeness, indicators, agencies, agency, search and \
         \"my work\" pages and the API reads of the same as the viewer, in turn (each client \
         starting at another route) for 2 s of warm-up and 10 s measured; the target is judged \
         on the slowest route's p99. Peak memory is the server's `VmHWM` at the end."
    )?;
    writeln!(
        out,
        "- Start-up: `xtask/src/bench.rs` starts `target/release/dongbo --data-dir D serve` on a \
         free loopback port and polls `GET /healthz` every 2 ms from the moment of `spawn` until \
         it answers `200`; the process is then killed. {FIRST_RUNS} first runs each on a new \
         empty folder, then {STARTS} starts on the last of them; the target is judged on the \
         slowest start."
    )?;
    writeln!(
        out,
        "- Dashboard: `xtask/src/bench.rs` starts `target/release/dongbo serve` for the first \
         time on an empty data folder (SQLite; for PostgreSQL with `--database-url` on a new \
         database), which loads {PROGRAM} and assigns every task (\"các bộ, ngành, địa phương\" \
         becomes every ministry and the 34 provinces). `dongbo user add --password-stdin` makes \
         a viewer and an approver on `CP`; both log in through the login form over HTTP. The \
         load generator (`xtask/src/bench/http.rs`, std threads and `TcpStream`, no dependency) \
         keeps {CLIENTS} HTTP/1.1 keep-alive connections each sending `GET \
         /programs/ID/dashboard` back to back with the viewer's session cookie: {} s of warm-up, \
         then {} s measured (only requests started in that window count; requests/s is their \
         number over the window). {LOAD_RUNS} runs reading only and {LOAD_RUNS} runs with the \
         writer, alternated; the row shows the run with the median p99 and the p99 of every \
         run; the target is judged on that median p99. The load generator runs on the same \
         machine as the server and takes CPU from it.",
        WARM_UP.as_secs(),
        MEASURE.as_secs()
    )?;
    writeln!(
        out,
        "- The writer, during the whole of each writes run (warm-up included), takes the tasks \
         with the fewest lead agencies first and, for every lead assignment, submits a report at \
         100% through the report form (multipart `POST /assignments/ID/report`), reads the \
         report page for its review form, and accepts it (`POST /reports/ID/review`), one \
         request after another without pause, as the approver. Once every task is done it \
         goes round again, reporting for a month each round (2025-M01, then 2025-M02…), so \
         it writes for the whole of every run. After the last run one \
         more `GET` of the dashboard must show every task whose every lead report was accepted \
         as done (`data-state=\"done_…\"`)."
    )?;
    writeln!(
        out,
        "- Report submission: `crates/store/benches/report_submit.rs` opens a SQLite database \
         file in a temporary folder with `Db::connect` (WAL, `synchronous = FULL`), loads \
         {PROGRAM} with its assignments (`dongbo_testkit::load_47_assigned`), submits 10 \
         reports to warm up, then times 500 `reports::submit` calls one after another, each a \
         first report on its own assignment (each returns after its `COMMIT`); then 8 tasks \
         submit 100 reports each at once. The same on PostgreSQL when a server can be had. It \
         also times `dashboard::facts` and `program_figures` alone, to see where a dashboard \
         request spends its time. The bench runs {STORE_RUNS} times and each figure is the \
         median of its runs."
    )?;
    writeln!(
        out,
        "- The machines are shared (here: {} CPUs, with other work running) and timings are \
         noisy: read these as orders of magnitude against the targets, not as exact figures.",
        std::thread::available_parallelism().map_or(0, usize::from)
    )?;
    writeln!(out)?;
    writeln!(out, "## Where the dashboard's time goes")?;
    writeln!(out)?;
    for (backend, key, figures) in [
        ("SQLite", "sqlite", Some(sqlite)),
        (
            "PostgreSQL",
            "postgres",
            match postgres {
                Measured::Yes(f) => Some(f),
                Measured::No(_) => None,
            },
        ),
    ] {
        let (Some(figures), Some(parts)) = (figures, store.get(&format!("dashboard_parts_{key}")))
        else {
            continue;
        };
        let alone = figures.single.quantile_ms(0.5);
        let part = |key: &str| parts.get(key).copied().unwrap_or(f64::NAN);
        let (facts, fetch, compute) = (
            part("facts_median_ms"),
            part("fetch_median_ms"),
            part("figures_median_ms"),
        );
        let loaded = median_run(&figures.reads);
        let mean_wait = CLIENTS as f64 / loaded.per_second() * 1000.0;
        let writes = median_run(&figures.writes);
        writeln!(
            out,
            "- {backend}: one request alone takes {alone:.1} ms (median). Between two writes \
             a request reads only its session with its user and grants (one statement), the program's stamp and the \
             number of units; the program, its regimes, the facts and what the page computes \
             from them (figures, completeness, reports missing) are kept by the server per \
             program structure or version. After a report write, the first request reads \
             again only the facts and reports of the assignments the write stamped, and \
             computes the figures once for everyone. Reading every fact again, as after a \
             change to the program's structure, takes {facts:.1} ms ({} rows, one per \
             assignment; {fetch:.1} ms of it fetching rows through sqlx's `Any` driver, the rest \
             decoding them), and computing the figures {compute:.2} ms. Under {CLIENTS} \
             clients the server completes {:.0} requests/s, so by Little's law a request \
             spends {CLIENTS} ÷ {:.0}/s ≈ {mean_wait:.0} ms in the server on average: the \
             requests queue for the 2 CPUs, which the load generator shares. With the writer \
             the rate falls to {:.0} requests/s: each write makes the next request read what \
             changed and compute the figures again.",
            part("facts"),
            loaded.per_second(),
            loaded.per_second(),
            writes.per_second(),
        )?;
    }
    Ok(out)
}

fn verdict(value: f64, target: f64) -> &'static str {
    if value < target { "met" } else { "**not met**" }
}

fn postgres_why(postgres: &Measured<DashboardFigures>) -> String {
    match postgres {
        Measured::No(why) => why.clone(),
        Measured::Yes(_) => "the store bench printed no PostgreSQL figures".to_owned(),
    }
}

/// The run with the median p99.
fn median_run(runs: &[http::LoadRun]) -> &http::LoadRun {
    let mut sorted: Vec<&http::LoadRun> = runs.iter().collect();
    sorted.sort_by(|a, b| a.quantile_ms(0.99).total_cmp(&b.quantile_ms(0.99)));
    sorted[sorted.len() / 2]
}

fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * q) as usize).min(sorted.len() - 1);
    ms(sorted[i])
}

/// What the report says about the machine: CPUs, memory, OS and toolchain.
fn machine() -> Vec<String> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        })
        .map_or("unknown".to_owned(), |kib| {
            format!("{:.1} GiB", kib / 1024.0 / 1024.0)
        });
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|o| {
            o.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|n| n.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| "unknown OS".to_owned());
    vec![
        format!("{cores} CPUs available ({model}), {memory} memory"),
        os,
        command_line("rustc", &["--version"]),
    ]
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| format!("{program}: not found"))
}

fn today() -> String {
    let date = command_line("date", &["-u", "+%Y-%m-%d"]);
    if date.is_empty() {
        "an unknown date".to_owned()
    } else {
        date
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn time_to_healthz(binary: &Path, data: &PathBuf) -> Result<Duration> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let started = Instant::now();
    let mut child = Command::new(binary)
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env_remove("DONGBO_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("could not start dongbo serve")?;
    let outcome = loop {
        if started.elapsed() > Duration::from_secs(30) {
            break Err(anyhow::anyhow!("no answer from /healthz within 30 s"));
        }
        if healthz_ok(port) {
            break Ok(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    child.kill().ok();
    child.wait().ok();
    outcome
}

fn healthz_ok(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let request =
        format!("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    stream.read_to_string(&mut response).is_ok() && response.starts_with("HTTP/1.1 200")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_part_of_a_server_url_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:55432/postgres", "b1"),
            "postgres://postgres@127.0.0.1:55432/b1"
        );
        assert_eq!(
            with_database("postgres://u@host/db?sslmode=disable", "b1"),
            "postgres://u@host/b1?sslmode=disable"
        );
    }

    #[test]
    fn the_national_section_is_found_between_its_markers_with_its_last_newline() {
        let text =
            format!("# Benchmarks\n\n{NATIONAL_BEGIN}\n## national\n{NATIONAL_END}\nafter\n");
        assert_eq!(
            national_section(&text),
            Some(format!("{NATIONAL_BEGIN}\n## national\n{NATIONAL_END}\n").as_str())
        );
        assert_eq!(national_section("# Benchmarks\n"), None);
        assert_eq!(
            national_section(&format!("{NATIONAL_BEGIN}\nunfinished")),
            None
        );
    }

    #[test]
    fn the_submission_storm_takes_every_assignment_month_by_month_from_2027() {
        let work = storm_work(&[7, 9]);
        assert_eq!(work.len(), 2 * 36);
        assert_eq!(work[0], (7, "2027-M01".to_owned()));
        assert_eq!(work[1], (9, "2027-M01".to_owned()));
        assert_eq!(work[2], (7, "2027-M02".to_owned()));
        assert_eq!(work[71], (9, "2029-M12".to_owned()));
    }

    #[test]
    fn a_mix_is_summed_up_by_its_slowest_route_and_each_routes_p99() {
        let run = |ms: &[u64]| http::LoadRun {
            latencies: ms.iter().map(|m| Duration::from_millis(*m)).collect(),
            seconds: 1.0,
            errors: 0,
            writer: None,
        };
        let mix = vec![
            ("/".to_owned(), run(&[1, 2, 3])),
            ("/a".to_owned(), run(&[5, 9])),
        ];
        let (all, slowest, by_route) = mix_summary(&mix, 1);
        assert_eq!(all.latencies.len(), 5);
        assert_eq!(slowest, 9.0);
        assert_eq!(by_route, "`/` 3.0, `/a` 9.0");
    }

    #[test]
    fn store_figures_are_the_median_of_the_runs() {
        let runs: Vec<String> = [3.0, 1.0, 2.0]
            .iter()
            .map(|p99| format!("noise\nRESULT report_submit_sqlite runs=500 p99_ms={p99}\n"))
            .collect();
        let figures = StoreFigures::from_runs(&runs).unwrap();
        let sqlite = figures.get("report_submit_sqlite").unwrap();
        assert_eq!(sqlite["p99_ms"], 2.0);
        assert_eq!(sqlite["runs"], 500.0);
        assert!(figures.get("report_submit_postgres").is_none());
    }
}
