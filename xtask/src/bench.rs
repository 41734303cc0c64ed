//! `cargo xtask bench`: measures, on a release build, the figures `BENCHMARKS.md` records, and
//! rewrites that file with them, the method and the machine.
//!
//! 1. Importing seed 002 (Resolution 47/NQ-CP) in process: the `import` crate's bench, which
//!    prints one `RESULT` line read here.
//! 2. `dongbo serve`: time from process start to the first `200 OK` from `/healthz`, on a first
//!    run (empty data folder: create, migrate, load the directory and the bundled program) and
//!    over repeated starts on the existing data folder.

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
/// Starts of `dongbo serve` on an existing data folder.
const STARTS: usize = 20;
/// First runs, each on a new empty data folder.
const FIRST_RUNS: usize = 5;

pub fn run(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("cargo xtask bench takes no arguments");
    }
    let root = workspace_root();

    println!("== import bench (release)");
    let output = Command::new("cargo")
        .current_dir(root)
        .args([
            "bench",
            "--locked",
            "-p",
            "dongbo-import",
            "--bench",
            "import",
        ])
        .stderr(Stdio::inherit())
        .output()
        .context("could not run cargo bench")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    if !output.status.success() {
        bail!("the import bench failed");
    }
    let import = result_line(&stdout, "import_seed_002")?;

    println!("== dongbo serve start-up (release)");
    run_command(Command::new("cargo").current_dir(root).args([
        "build",
        "--locked",
        "--release",
        "-p",
        "dongbo",
    ]))?;
    let binary = root.join("target/release/dongbo");
    let scratch = std::env::temp_dir().join(format!("dongbo-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;

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
    std::fs::remove_dir_all(&scratch).ok();

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

    let report = report(&import, &serve)?;
    let path = root.join("BENCHMARKS.md");
    std::fs::write(&path, report).with_context(|| format!("could not write {path:?}"))?;
    println!("wrote {}", path.display());
    Ok(())
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

fn report(import: &BTreeMap<String, f64>, serve: &Serve) -> Result<String> {
    let get = |key: &str| {
        import
            .get(key)
            .copied()
            .with_context(|| format!("the import bench gave no {key}"))
    };
    let verdict = |value: f64, target: f64| if value < target { "met" } else { "**not met**" };
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
        "- The machines are shared and timings are noisy: read these as orders of magnitude \
         against the targets, not as exact figures."
    )?;
    Ok(out)
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
