//! The `dongbo` binary: a thin command line over the library crates.
#![forbid(unsafe_code)]

mod bootstrap;
mod commands;
mod generate;
mod library;
mod library_sources;
mod ops;
mod sso;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Đồng Bộ — carrying out government action programs in unison.
#[derive(Debug, Parser)]
#[command(name = "dongbo", version, about)]
pub struct Cli {
    /// Folder for the embedded SQLite database and files.
    #[arg(
        long,
        global = true,
        env = "DONGBO_DATA_DIR",
        default_value = "dongbo-data"
    )]
    pub data_dir: PathBuf,
    /// Database to use instead of the embedded SQLite one (postgres://… or sqlite://…).
    #[arg(long, global = true, env = "DONGBO_DATABASE_URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the pages and the API (first run: creates the data folder, migrates, loads the
    /// agency directory and the 47/NQ-CP program).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "DONGBO_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// A reverse proxy whose `X-Forwarded-For` names the client (an address or a network,
        /// `10.0.0.5` or `10.0.0.0/8`; repeat for several; the environment variable takes
        /// them comma-separated). None by default: the client is the socket's address, and
        /// `X-Forwarded-For` is ignored.
        #[arg(
            long = "trusted-proxy",
            env = "DONGBO_TRUSTED_PROXIES",
            value_name = "ADDR_OR_CIDR",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<dongbo_web::client_address::TrustedProxy>,
        /// SMTP server (HOST:PORT, plain SMTP on a trusted network) for reminder e-mails;
        /// without it reminders are shown in the application only.
        #[arg(long, env = "DONGBO_SMTP")]
        smtp: Option<String>,
        /// Sender address of reminder e-mails.
        #[arg(long, env = "DONGBO_SMTP_FROM", default_value = "dongbo@localhost")]
        smtp_from: String,
        /// The address users reach the server at, for links in e-mails (`https://dongbo.example`).
        #[arg(long, env = "DONGBO_BASE_URL")]
        base_url: Option<String>,
        /// Days before a due date when a "due soon" reminder is sent, separated by commas
        /// (0 is the due date itself; at most 366). Each is sent once per task and due date.
        #[arg(
            long,
            env = "DONGBO_REMIND_BEFORE",
            value_name = "DAYS",
            default_value = "30,7"
        )]
        remind_before: dongbo_remind::LeadDays,
        /// Seconds between two runs of the reminder sender (1 to 86400); the planner runs at
        /// start and then once a day (Vietnam time).
        #[arg(
            long,
            env = "DONGBO_REMIND_EVERY",
            value_name = "SECONDS",
            default_value = "60",
            value_parser = clap::value_parser!(u64).range(1..=86_400)
        )]
        remind_every: u64,
        /// Address of the admin listener serving `/metrics` (Prometheus), `/healthz` and
        /// `/readyz`, e.g. 127.0.0.1:9091; none when absent. Keep it off the public network.
        #[arg(long, env = "DONGBO_ADMIN_LISTEN", value_name = "ADDR")]
        admin_listen: Option<String>,
        /// How log lines are written to standard error: `text` for people, `json` (one object
        /// a line, with the request's id and span) for a log collector.
        #[arg(
            long,
            env = "DONGBO_LOG_FORMAT",
            value_enum,
            default_value_t = LogFormat::Text
        )]
        log_format: LogFormat,
        /// Connections served at once; further ones wait until one closes.
        #[arg(
            long,
            env = "DONGBO_MAX_CONNECTIONS",
            default_value = "1024",
            value_parser = clap::value_parser!(u32).range(1..=1_000_000)
        )]
        max_connections: u32,
        /// Seconds a client has to send a request's headers (and an idle kept-alive connection
        /// stays open).
        #[arg(
            long,
            env = "DONGBO_HEADER_TIMEOUT",
            value_name = "SECONDS",
            default_value = "10",
            value_parser = clap::value_parser!(u64).range(1..=3600)
        )]
        header_timeout: u64,
        /// The longest pause, in seconds, while a request's body arrives.
        #[arg(
            long,
            env = "DONGBO_BODY_TIMEOUT",
            value_name = "SECONDS",
            default_value = "30",
            value_parser = clap::value_parser!(u64).range(1..=3600)
        )]
        body_timeout: u64,
        /// A network the library's pull sources may reach although it is loopback, private,
        /// link-local or otherwise not public (an address or a network, `10.1.2.0/24`; repeat
        /// for several; the environment variable takes them comma-separated). None by
        /// default: a source on the intranet is refused.
        #[arg(
            long = "library-allow-net",
            env = "DONGBO_LIBRARY_ALLOW_NET",
            value_name = "ADDR_OR_CIDR",
            value_delimiter = ','
        )]
        library_allow_net: Vec<dongbo_library::feeds::address::Cidr>,
        /// The least time, in milliseconds, between two requests of the pull sources to one
        /// host (a site's feed and its pages).
        #[arg(
            long,
            env = "DONGBO_LIBRARY_HOST_PAUSE_MS",
            value_name = "MILLISECONDS",
            default_value = "1000",
            value_parser = clap::value_parser!(u64).range(0..=600_000)
        )]
        library_host_pause_ms: u64,
        /// A PEM file of certificate authorities the library's https pull sources are trusted
        /// by, besides the operating system's store (a ministry's own CA). An unreadable file,
        /// or one without a certificate, stops the server at start.
        #[arg(long, env = "DONGBO_LIBRARY_CA_FILE", value_name = "PATH")]
        library_ca_file: Option<PathBuf>,
        /// Signing in with the organisation's account (LDAP) and requiring it (boxed: the
        /// other commands need not be as large).
        #[command(flatten)]
        sso: Box<sso::SsoArgs>,
    },
    /// Create or update the database schema, and load the agency directory.
    Migrate,
    /// Import a document's program (text, Markdown, HTML, CSV, XLSX, DOCX or prose).
    Import {
        file: PathBuf,
        /// auto, text, md, html, csv, xlsx, docx or prose.
        #[arg(long, default_value = "auto")]
        format: String,
        /// The document's number, where the file leaves it blank or does not give it
        /// ("03/NQ-CP"); a number the file gives cannot be replaced.
        #[arg(long)]
        number: Option<String>,
        /// Parse and report; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print JSON instead of a summary.
        #[arg(long)]
        json: bool,
        /// Where the file disagrees with an approved change request (a task it added,
        /// amended, dropped or re-timed), take the file's value instead of keeping the
        /// approved change; each such override is written to the audit log.
        #[arg(long)]
        accept_file: bool,
    },
    /// Export a program's tasks (by document number, e.g. 47/NQ-CP, or id).
    Export {
        program: String,
        /// md, csv or xlsx.
        #[arg(long)]
        format: String,
        /// File to write; standard output when omitted (not for xlsx).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Import a program's indicators (chỉ tiêu).
    Indicators {
        #[command(subcommand)]
        command: IndicatorCommand,
    },
    /// The external-information library: import catalogues and folders of documents.
    Library {
        #[command(subcommand)]
        command: library::LibraryCommand,
    },
    /// Manage users and their roles.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check or export the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Generate a deterministic synthetic dataset (agencies' units, programs, plans, reports
    /// over 2020–2025, indicator values) into a new database, for load tests and demos.
    Gen {
        /// small (seconds, for tests), province (one province's share and the ministries) or
        /// national (10,000 agencies and units, 300,000 tasks, 3 million reports, 10 million
        /// indicator values).
        #[arg(long, value_parser = ["small", "province", "national"])]
        scale: String,
        /// The same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Generate even though the database holds other programs or generated data.
        #[arg(long)]
        force: bool,
        /// Library items instead of the scale's (3,000 small, 50,000 province, 1,000,000
        /// national).
        #[arg(long, value_name = "N")]
        library_items: Option<u64>,
    },
    // `backup`, `restore` and `check` (crates/app/src/ops.rs).
    #[command(flatten)]
    Ops(ops::OpsCommand),
}

#[derive(Debug, Subcommand)]
pub enum IndicatorCommand {
    /// Import the indicator appendix of PROGRAM (a number like 47/NQ-CP, or an id) from a
    /// Markdown, HTML, CSV, XLSX or DOCX table. Importing the same file again changes nothing;
    /// a bad row stores nothing and names the row and cell.
    Import {
        program: String,
        file: PathBuf,
        /// auto, md, html, csv, xlsx or docx.
        #[arg(long, default_value = "auto")]
        format: String,
        /// Show what would be stored, store nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. Without --password-stdin a strong password is generated, printed once,
    /// and must be changed at first login.
    Add {
        username: String,
        /// Full name, as shown to others.
        #[arg(long)]
        name: String,
        /// Give a role at once: viewer, reporter, approver, coordinator, librarian or admin (with --agency).
        #[arg(long, requires = "agency")]
        role: Option<String>,
        /// Agency code the role covers, with its subtree ("CP" for everything).
        #[arg(long, requires = "role")]
        agency: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password. Without --password-stdin a strong password is generated,
    /// printed once, and must be changed at first login.
    Passwd {
        username: String,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Make the user change the password at the next login.
        #[arg(long)]
        must_change: bool,
    },
    /// Grant or revoke a role on an agency's subtree.
    Role {
        username: String,
        action: RoleAction,
        /// viewer, reporter, approver, coordinator, librarian or admin.
        role: String,
        /// Agency code ("CP" for everything).
        agency: String,
    },
    /// Disable a user: no login, sessions and API tokens stop working.
    Disable { username: String },
    /// Enable a disabled user again.
    Enable { username: String },
    /// List users with their roles.
    List,
    /// Create an API token for another system to act as the user (`Authorization: Bearer …`).
    /// The token is printed once; only its hash is kept.
    Token {
        username: String,
        /// What the token is for ("hệ thống báo cáo của Bộ").
        #[arg(long, default_value = "api")]
        name: String,
    },
    /// List a user's API tokens: id, name, when made and last used, revoked (never the token).
    Tokens { username: String },
    /// Revoke an API token by the id `user tokens` shows.
    RevokeToken { id: i64 },
    /// Log a user out everywhere (a password or token that may be known to someone else):
    /// end every session and revoke every API token.
    LogoutEverywhere { username: String },
}

/// The form of the log lines of `dongbo serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleAction {
    Grant,
    Revoke,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; exits non-zero and names the first broken entry when it is broken.
    Verify,
    /// Write the whole audit log as CSV.
    Export {
        /// File to write; standard output when omitted.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// mimalloc: see the workspace's `Cargo.toml`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("DONGBO_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match &cli.command {
        Command::Serve {
            log_format: LogFormat::Json,
            ..
        } => subscriber.json().init(),
        _ => subscriber.init(),
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("dongbo: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("dongbo: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
