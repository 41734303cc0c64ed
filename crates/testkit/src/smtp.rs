//! A real SMTP server on loopback for e-mail tests, and the messages it received.
//!
//! `cargo xtask test` starts Debian's aiosmtpd with its `Mailbox` handler and passes
//! `DONGBO_TEST_SMTP=127.0.0.1:PORT` and `DONGBO_TEST_SMTP_MAILDIR=/path`: every message
//! accepted is a file in that maildir by the time the server answers the end of the data, so
//! a test reads what was delivered right after sending, without waiting. Without the variables,
//! [`TestSmtp::get`] starts a server of its own when `python3-aiosmtpd` is installed, skips
//! loudly when it is not, and panics under `CI=true`.
//!
//! Tests that run in parallel share one server: give each test its own recipient addresses
//! ([`TestSmtp::unique_address`]) and read with [`TestSmtp::messages_to`].

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::db::in_ci;

/// `127.0.0.1:PORT` of the test SMTP server.
pub const SMTP_VAR: &str = "DONGBO_TEST_SMTP";
/// The maildir the test SMTP server writes to.
pub const MAILDIR_VAR: &str = "DONGBO_TEST_SMTP_MAILDIR";

/// Debian's Python, where `python3-aiosmtpd` is installed.
const SYSTEM_PYTHON: &str = "/usr/bin/python3";

/// An SMTP server for a test: the shared one, or one of its own (stopped on drop).
#[derive(Debug)]
pub struct TestSmtp {
    pub host: String,
    pub port: u16,
    maildir: PathBuf,
    own: Option<(Child, tempfile::TempDir)>,
}

/// A message as the server stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The envelope's recipients (aiosmtpd's `X-RcptTo`).
    pub recipients: Vec<String>,
    /// The `From` address.
    pub from: String,
    /// The `To` addresses.
    pub to: Vec<String>,
    /// Decoded.
    pub subject: String,
    /// The decoded text of the plain-text part.
    pub body: String,
    /// The file as stored.
    pub raw: String,
}

impl TestSmtp {
    /// The server named by the environment, or one started for this test; `None` (loudly)
    /// when there is none outside CI. Panics under CI without one.
    pub fn get() -> Option<TestSmtp> {
        if let (Ok(address), Ok(maildir)) = (std::env::var(SMTP_VAR), std::env::var(MAILDIR_VAR))
            && !address.trim().is_empty()
        {
            let (host, port) = address
                .rsplit_once(':')
                .and_then(|(host, port)| Some((host.to_owned(), port.parse().ok()?)))
                .unwrap_or_else(|| panic!("{SMTP_VAR}={address} is not HOST:PORT"));
            return Some(TestSmtp {
                host,
                port,
                maildir: PathBuf::from(maildir),
                own: None,
            });
        }
        if have_aiosmtpd() {
            return Some(Self::start_own());
        }
        if in_ci() {
            panic!(
                "{SMTP_VAR} is not set and python3-aiosmtpd is not installed, and CI=true: the \
                 e-mail tests cannot run. Run the tests with `cargo xtask test`, which starts an \
                 SMTP server, or `apt-get install python3-aiosmtpd`."
            );
        }
        crate::skip::skip(&format!(
            "SMTP: {SMTP_VAR} is not set and python3-aiosmtpd is not installed, so the e-mail \
             checks did not run (`cargo xtask test` installs and starts one)"
        ));
        None
    }

    fn start_own() -> TestSmtp {
        let dir = tempfile::tempdir().expect("creating a folder for the SMTP server");
        let maildir = dir.path().join("maildir");
        let port = free_port();
        let address = format!("127.0.0.1:{port}");
        let mut child = Command::new(SYSTEM_PYTHON)
            .args(["-m", "aiosmtpd", "-n", "-l", &address])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting aiosmtpd");
        // Python needs a moment before it listens: wait for the port, not for a time.
        let mut listening = false;
        for _ in 0..400 {
            if std::net::TcpStream::connect(&address).is_ok() {
                listening = true;
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("aiosmtpd exited with {status} before listening");
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        assert!(listening, "aiosmtpd did not listen on {address}");
        TestSmtp {
            host: "127.0.0.1".to_owned(),
            port,
            maildir,
            own: Some((child, dir)),
        }
    }

    pub fn maildir(&self) -> &Path {
        &self.maildir
    }

    /// An address no other test uses (`name+RANDOM@example.test`).
    pub fn unique_address(name: &str) -> String {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        format!(
            "{name}+{:x}{nanos:x}{count}@example.test",
            std::process::id()
        )
    }

    /// Every message in the maildir, oldest file first.
    pub fn messages(&self) -> Vec<Delivered> {
        let mut files: Vec<PathBuf> = ["new", "cur"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(self.maildir.join(sub)).ok())
            .flatten()
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        // Maildir names start with the delivery time in seconds; ties keep name order.
        files.sort();
        files
            .iter()
            .map(|path| {
                let raw = std::fs::read(path)
                    .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
                parse(&raw)
            })
            .collect()
    }

    /// The messages whose envelope names `address` among its recipients.
    pub fn messages_to(&self, address: &str) -> Vec<Delivered> {
        self.messages()
            .into_iter()
            .filter(|m| m.recipients.iter().any(|r| r.eq_ignore_ascii_case(address)))
            .collect()
    }
}

impl Drop for TestSmtp {
    fn drop(&mut self) {
        if let Some((child, _dir)) = &mut self.own {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A stored message, decoded.
pub fn parse(raw: &[u8]) -> Delivered {
    let message = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("a delivered message parses");
    let addresses = |address: Option<&mail_parser::Address<'_>>| -> Vec<String> {
        address
            .map(|a| {
                a.iter()
                    .filter_map(|addr| addr.address().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let recipients = message
        .header_raw("X-RcptTo")
        .map(|r| {
            r.split(',')
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Delivered {
        recipients,
        from: addresses(message.from())
            .into_iter()
            .next()
            .unwrap_or_default(),
        to: addresses(message.to()),
        subject: message.subject().unwrap_or_default().to_owned(),
        body: message
            .body_text(0)
            .map(|b| b.into_owned())
            .unwrap_or_default(),
        raw: String::from_utf8_lossy(raw).into_owned(),
    }
}

fn have_aiosmtpd() -> bool {
    Command::new(SYSTEM_PYTHON)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("finding a free port")
}
