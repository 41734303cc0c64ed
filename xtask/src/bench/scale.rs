//! The reads at a generated scale: `dongbo gen --scale province` into a new database, then
//! `dongbo serve` on it (its start-up timed), a viewer logged in, and every main page and API
//! read at once by 64 clients on the largest program, with the server's peak memory.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::{
    MEASURE, MIX_CLIENTS, MIX_TARGET_MS, PASSWORD, RSS_TARGET_MIB, Server, VIEWER, WARM_UP,
};
use super::{dongbo, drive_mix, healthz_ok, http, merged, peak_rss_kib, verdict};

/// The scale generated.
pub const SCALE: &str = "province";
/// Start-up target at scale (issue 5).
const STARTUP_TARGET_MS: f64 = 1000.0;

/// What one backend gave at [`SCALE`].
pub struct ScaleFigures {
    /// `dongbo gen`'s wall time.
    pub generated_in: Duration,
    /// The SQLite file's size, when on SQLite.
    pub database_bytes: Option<u64>,
    /// From starting `dongbo serve` to its first `200` on `/healthz`.
    pub startup: Duration,
    /// The program loaded: its number and task count.
    pub program: (String, i64),
    /// Every main page and API read at once, by route.
    pub mix: Vec<(String, http::LoadRun)>,
    pub peak_rss_kib: Option<u64>,
}

/// Generates [`SCALE`] into `data` (and the database at `database_url`, when given), then
/// serves it and loads it.
pub fn run(binary: &Path, data: &Path, database_url: Option<&str>) -> Result<ScaleFigures> {
    std::fs::create_dir_all(data)?;
    let started = Instant::now();
    let generated = dongbo(binary, data, database_url)
        .args(["gen", "--scale", SCALE])
        .env("DONGBO_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(data.join("gen.log"))?)
        .status()
        .context("could not run dongbo gen")?;
    if !generated.success() {
        bail!(
            "dongbo gen --scale {SCALE} failed (see {})",
            data.join("gen.log").display()
        );
    }
    let generated_in = started.elapsed();
    let database_bytes = database_url
        .is_none()
        .then(|| {
            std::fs::metadata(data.join("dongbo.db"))
                .map(|m| m.len())
                .ok()
        })
        .flatten();
    println!("generated in {:.1} s", generated_in.as_secs_f64());

    let mut add = dongbo(binary, data, database_url)
        .args(["user", "add", VIEWER, "--name", VIEWER, "--role", "viewer"])
        .args(["--agency", "CP", "--password-stdin"])
        .env("DONGBO_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("could not run dongbo user add")?;
    add.stdin
        .take()
        .context("no stdin")?
        .write_all(format!("{PASSWORD}\n").as_bytes())?;
    if !add.wait()?.success() {
        bail!("dongbo user add {VIEWER} failed");
    }

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let started = Instant::now();
    let child = dongbo(binary, data, database_url)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("DONGBO_LOG", "warn")
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

    let viewer = http::login(port, VIEWER, PASSWORD)?;
    let mut api = http::Connection::new(port);
    let mut json = |path: &str| -> Result<serde_json::Value> {
        let response = api.send("GET", path, &[("Cookie", &viewer.cookie)], None)?;
        if response.status != 200 {
            bail!("GET {path} gave {}", response.status);
        }
        serde_json::from_slice(&response.body).with_context(|| format!("GET {path}: not JSON"))
    };
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
    let peak_rss_kib = peak_rss_kib(server.child.id());
    drop(server);
    Ok(ScaleFigures {
        generated_in,
        database_bytes,
        startup,
        program: (number, tasks),
        mix,
        peak_rss_kib,
    })
}

/// The section of `BENCHMARKS.md` for the backends measured at [`SCALE`].
pub fn report(measured: &[(&str, Result<&ScaleFigures, String>)]) -> Result<String> {
    let mut out = String::new();
    writeln!(out, "## At {SCALE} scale (`dongbo gen --scale {SCALE}`)")?;
    writeln!(out)?;
    writeln!(
        out,
        "The generated dataset (seed 1) is served as is: the server starts on it, a viewer \
         logs in, and {MIX_CLIENTS} clients read every main page and API route of the program \
         with the most tasks at once ({}s warm-up, {}s measured, one run). The national scale \
         is not run by the bench (it takes about an hour to generate on this machine).",
        WARM_UP.as_secs(),
        MEASURE.as_secs()
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
        writeln!(
            out,
            "| {backend} | `dongbo gen --scale {SCALE}` | {:.1} s{} | — | — |",
            figures.generated_in.as_secs_f64(),
            figures.database_bytes.map_or(String::new(), |b| format!(
                ", database file {} MB",
                b / 1_000_000
            ))
        )?;
        let startup = figures.startup.as_secs_f64() * 1000.0;
        writeln!(
            out,
            "| {backend} | start-up on the generated data, to the first `200` on `/healthz` | {startup:.0} ms | < {STARTUP_TARGET_MS} ms | {} |",
            verdict(startup, STARTUP_TARGET_MS)
        )?;
        let all = merged(figures.mix.iter().map(|(_, run)| run));
        let slowest = figures
            .mix
            .iter()
            .map(|(_, run)| run.quantile_ms(0.99))
            .fold(0.0, f64::max);
        let by_route: Vec<String> = figures
            .mix
            .iter()
            .map(|(label, run)| format!("`{label}` {:.0}", run.quantile_ms(0.99)))
            .collect();
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
            by_route.join(", "),
            verdict(slowest, MIX_TARGET_MS)
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
