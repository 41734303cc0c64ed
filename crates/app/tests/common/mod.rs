//! The real `dongbo` binary for tests that need a whole server: started on a fixed loopback
//! port with a data folder (and a PostgreSQL database when given), killed with SIGKILL,
//! started again on the same port and database; users and API tokens made through the
//! command line as an operator makes them.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of these helpers"
)]

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The database a server runs on: SQLite in its data folder, or a PostgreSQL URL.
#[derive(Debug, Clone)]
pub struct Setup {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
}

impl Setup {
    /// The URL a test opens the same database with, through the store.
    pub fn store_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| dongbo_store::Db::default_url(&self.data_dir))
    }

    /// "SQLite" or "PostgreSQL", for messages.
    pub fn backend(&self) -> &'static str {
        if self.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    /// `dongbo` with this data folder and database, without a terminal's environment.
    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dongbo"));
        command
            .arg("--data-dir")
            .arg(&self.data_dir)
            .env_remove("DONGBO_DATABASE_URL")
            .env_remove("DONGBO_REMIND_BEFORE")
            .env_remove("DONGBO_REMIND_EVERY")
            .env_remove("DONGBO_LIBRARY_CA_FILE")
            .env("DONGBO_LOG", "warn");
        if let Some(url) = &self.database_url {
            command.args(["--database-url", url]);
        }
        command
    }

    /// Runs a command of the command line to its end.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run dongbo")
    }

    /// Runs a command that must succeed; its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "dongbo {args:?} failed on {}: {}\n{}",
            self.backend(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    /// Creates `username` with `role` on `agency` (with a password of their own, so the
    /// account is not waiting for a first change) and returns a new API token of it.
    pub fn user_with_token(&self, username: &str, role: &str, agency: &str) -> String {
        use std::io::Write;
        let mut child = self
            .command()
            .args([
                "user",
                "add",
                username,
                "--name",
                &format!("Cán bộ {username}"),
            ])
            .args(["--role", role, "--agency", agency, "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run dongbo user add");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all("Mật khẩu đủ dài 2025\n".as_bytes())
            .expect("write the password");
        drop(stdin);
        let added = child.wait_with_output().expect("dongbo user add ends");
        assert!(
            added.status.success(),
            "dongbo user add on {}: {}",
            self.backend(),
            String::from_utf8_lossy(&added.stderr)
        );
        let printed = self.ok(&["user", "token", username, "--name", "thử nghiệm"]);
        token_in(&printed)
    }
}

/// The token `dongbo user token` prints: its last line.
fn token_in(printed: &str) -> String {
    printed
        .lines()
        .last()
        .expect("a token is printed")
        .trim()
        .to_owned()
}

/// A free loopback port (free when asked; the server binds it a moment later).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// A `dongbo serve` process, killed with SIGKILL when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// Starts `dongbo serve` on `port` and waits until `/healthz` answers (the first start
    /// migrates and loads 47/NQ-CP, which takes a few seconds in a debug build).
    pub fn start(setup: &Setup, port: u16) -> Server {
        let child = setup
            .command()
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            // The reminder runner plans once at start; it must not write during the test's
            // storm more than a real server would.
            .args(["--remind-every", "86400"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dongbo serve");
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        server.wait_until_healthy(port, setup.backend());
        server
    }

    fn wait_until_healthy(&mut self, port: u16, backend: &str) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Some(status) = self.child.try_wait().expect("check the server") {
                panic!("dongbo serve on {backend} exited at start: {status}");
            }
            if healthz_answers(port) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("dongbo serve on {backend} did not answer /healthz within 60 s");
    }

    /// SIGKILL: no shutdown, no flush, like a power cut to the process.
    pub fn kill(mut self) {
        self.kill_now();
    }

    fn kill_now(&mut self) {
        // `Child::kill` sends SIGKILL on Unix.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill_now();
    }
}

/// Whether `GET /healthz` on `port` answers 200.
fn healthz_answers(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let asked = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut answer = String::new();
    asked.is_ok()
        && stream.read_to_string(&mut answer).is_ok()
        && answer.starts_with("HTTP/1.1 200")
}

/// A crash run's seed: `DONGBO_CRASH_SEED` or the test's fixed `default`, so that every run is
/// reproducible and a failing one can be repeated.
pub fn seed(default: u64) -> u64 {
    std::env::var("DONGBO_CRASH_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

/// A seeded pseudo-random generator (SplitMix64): the same seed gives the same kill moments
/// and choices, so a failing run can be repeated with `DONGBO_CRASH_SEED`.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `range` (half-open).
    pub fn below(&mut self, range: std::ops::Range<u64>) -> u64 {
        range.start + self.next_u64() % (range.end - range.start).max(1)
    }
}

/// A fresh temporary data folder (kept as long as the value).
pub fn data_folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("data");
    (dir, data)
}
