//! Operating a deployment: `dongbo backup`, `dongbo restore` and `dongbo check`, thin over
//! `dongbo_store::backup` and `dongbo_store::check`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use dongbo_store::{Db, EvidenceStore, backup, check};

#[derive(Debug, Subcommand)]
pub enum OpsCommand {
    /// Back up the database and the evidence files into the folder DEST (new or empty). The
    /// server may keep running: the database is copied as of one moment (SQLite VACUUM INTO,
    /// PostgreSQL pg_dump), then every file it names.
    Backup { dest: PathBuf },
    /// Restore the backup in SRC into the configured database and data folder, after checking
    /// every file of it against its manifest. Stop the server first.
    Restore {
        src: PathBuf,
        /// Replace a database and files that already hold data.
        #[arg(long)]
        force: bool,
    },
    /// Check the data: the database's integrity, the audit chain, and every stored figure
    /// (report states, dashboard progress and roll-ups, versions, evidence files) against a
    /// recomputation from the base rows. Exits non-zero naming the first problems.
    Check {
        /// Print the findings as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(
    data_dir: &Path,
    database_url: Option<&str>,
    command: OpsCommand,
) -> Result<ExitCode> {
    let url = database_url.map_or_else(|| Db::default_url(data_dir), str::to_owned);
    let files_dir = EvidenceStore::default_dir(data_dir);
    match command {
        OpsCommand::Backup { dest } => {
            let started = Instant::now();
            let db = open_existing(&url, data_dir).await?;
            let manifest = backup::create(&db, &url, &files_dir, &dest, env!("CARGO_PKG_VERSION"))
                .await
                .with_context(|| format!("backing up into {}", dest.display()))?;
            db.close().await;
            println!(
                "backup written to {}: {} database (schema {}), {} files, {}, in {:.1} s",
                dest.display(),
                manifest.backend,
                manifest.schema_version,
                manifest.evidence_files(),
                size_text(manifest.total_bytes()),
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        OpsCommand::Restore { src, force } => {
            if database_url.is_none() {
                std::fs::create_dir_all(data_dir)
                    .with_context(|| format!("creating the data folder {}", data_dir.display()))?;
            }
            let restored = backup::restore(&src, &url, &files_dir, force)
                .await
                .with_context(|| format!("restoring {}", src.display()))?;
            println!(
                "restored {} ({} database, schema {}, made {}): {} files{}",
                src.display(),
                restored.manifest.backend,
                restored.manifest.schema_version,
                restored.manifest.created_at,
                restored.manifest.evidence_files(),
                if restored.replaced {
                    "; the data held before was replaced"
                } else {
                    ""
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        OpsCommand::Check { json } => {
            let db = open_existing(&url, data_dir).await?;
            // The checks read this build's schema: an older one would fail on a missing column.
            let unapplied = db
                .unapplied_migrations()
                .await
                .context("reading the database's schema version")?;
            if !unapplied.is_empty() {
                db.close().await;
                let versions: Vec<String> = unapplied.iter().map(i64::to_string).collect();
                bail!(
                    "the database's schema is older than this version of dongbo (migrations not \
                     applied: {}): run `dongbo migrate` (or start `dongbo serve`) first, then \
                     check",
                    versions.join(", ")
                );
            }
            let report = check::run(&db, &files_dir)
                .await
                .context("checking the data")?;
            db.close().await;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print_report(&report);
            }
            if report.is_clean() {
                Ok(ExitCode::SUCCESS)
            } else {
                let (name, first) = report.problems().next().unwrap_or_default();
                eprintln!("dongbo: the check found problems; the first ({name}): {first}");
                Ok(ExitCode::FAILURE)
            }
        }
    }
}

/// Opens the database without creating or migrating it: backing up or checking a database
/// that is not there is a mistake to name, not a new empty database to make.
async fn open_existing(url: &str, data_dir: &Path) -> Result<Db> {
    if url.starts_with("sqlite:") {
        let path = url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:")
            .split('?')
            .next()
            .unwrap_or_default();
        if !Path::new(path).exists() {
            bail!(
                "there is no database at {path} (data folder {}): nothing to back up or check",
                data_dir.display()
            );
        }
    }
    Db::connect(url).await.context("opening the database")
}

fn print_report(report: &check::CheckReport) {
    for check in &report.checks {
        let found = check.problems.len() as u64 + check.more;
        if found == 0 {
            println!("{:<9} ok ({} checked)", check.name, check.checked);
        } else {
            println!(
                "{:<9} {found} problems ({} checked)",
                check.name, check.checked
            );
            for problem in &check.problems {
                println!("  - {problem}");
            }
            if check.more > 0 {
                println!("  … and {} more", check.more);
            }
        }
    }
    let problems: u64 = report
        .checks
        .iter()
        .map(|c| c.problems.len() as u64 + c.more)
        .sum();
    if problems == 0 {
        println!("{}: the data holds together", report.backend);
    } else {
        println!("{}: {problems} problems found", report.backend);
    }
}

fn size_text(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / MIB)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}
