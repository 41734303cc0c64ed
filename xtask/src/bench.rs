//! `cargo xtask bench`: the figures recorded in `BENCHMARKS.md`, measured on a release build.
//!
//! 1. Importing seed 002 (Resolution 47/NQ-CP) in process: the `import` crate's bench.
//! 2. `dongbo serve` on an existing data folder: time from process start to the first
//!    `200 OK` from `/healthz`, over repeated starts.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::run as run_command;
use crate::services::workspace_root;

pub fn run_all(_args: &[String]) -> Result<()> {
    let root = workspace_root();
    run_command(Command::new("cargo").current_dir(root).args([
        "bench",
        "--locked",
        "-p",
        "dongbo-import",
        "--bench",
        "import",
    ]))?;
    run_command(Command::new("cargo").current_dir(root).args([
        "build",
        "--locked",
        "--release",
        "-p",
        "dongbo",
    ]))?;
    let binary = root.join("target/release/dongbo");
    let data = tempfile_dir()?;

    // First run: creates the folder, migrates, loads the directory and the bundled program.
    run_command(
        Command::new(&binary)
            .arg("--data-dir")
            .arg(&data)
            .arg("migrate"),
    )?;
    let first = time_to_healthz(&binary, &data)?;
    println!(
        "serve, first run on an empty data folder: {:.1} ms to /healthz",
        ms(first)
    );

    let runs = 20;
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| time_to_healthz(&binary, &data))
        .collect::<Result<_>>()?;
    times.sort();
    println!(
        "serve on an existing data folder ({runs} starts): median {:.1} ms, max {:.1} ms to /healthz",
        ms(times[runs / 2]),
        ms(times[runs - 1])
    );
    std::fs::remove_dir_all(&data).ok();
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("dongbo-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn time_to_healthz(binary: &std::path::Path, data: &std::path::Path) -> Result<Duration> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let started = Instant::now();
    let mut child = Command::new(binary)
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
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

pub fn run(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("cargo xtask bench takes no arguments");
    }
    run_all(args)
}
