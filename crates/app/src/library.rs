//! `dongbo library …`: the external-information library from the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, anyhow};
use clap::Subcommand;
use dongbo_domain::Clock;
use dongbo_library::Library;
use dongbo_library::catalogue::{self, Format, ImportError, Options};
use dongbo_store::EvidenceStore;

use crate::bootstrap;

#[derive(Debug, Subcommand)]
pub enum LibraryCommand {
    /// Import a catalogue (CSV, XLSX or JSON Lines, one item per row, columns in
    /// docs/LIBRARY.md) or a folder of documents (PDF, DOCX, HTML, TXT, Markdown: each file an
    /// item). All or nothing; importing the same source again changes nothing.
    Import {
        path: PathBuf,
        /// auto, csv, xlsx, jsonl or files.
        #[arg(long, default_value = "auto")]
        format: String,
        /// Show what would happen, store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the report (or the errors) as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(
    data_dir: &Path,
    database_url: Option<&str>,
    command: LibraryCommand,
) -> Result<ExitCode> {
    match command {
        LibraryCommand::Import {
            path,
            format,
            dry_run,
            json,
        } => {
            let format: Format = format.parse().map_err(|e: String| anyhow!(e))?;
            let db = bootstrap::open(data_dir, database_url).await?;
            let directory = bootstrap::load_directory(&db).await?;
            let library = Library::new(
                db,
                directory,
                EvidenceStore::default_dir(data_dir),
                Clock::system(),
            );
            let options = Options {
                format,
                dry_run,
                ..Options::default()
            };
            import(&library, &path, &options, json).await
        }
    }
}

async fn import(library: &Library, path: &Path, options: &Options, json: bool) -> Result<ExitCode> {
    match catalogue::import(library, path, options).await {
        Ok(report) => {
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                for item in &report.items {
                    let mut notes = Vec::new();
                    if let Some(legacy) = &item.converted_from {
                        notes.push(format!("converted from {legacy}"));
                    }
                    if item.no_text {
                        notes.push("no text".to_owned());
                    }
                    let notes = if notes.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", notes.join(", "))
                    };
                    println!(
                        "{:<10} {}: {}{notes}",
                        outcome_word(item.outcome),
                        item.source,
                        item.title
                    );
                }
                for skipped in &report.skipped {
                    println!("skipped    {skipped}");
                }
                println!(
                    "{}{} created, {} updated, {} unchanged, {} duplicates merged",
                    if report.dry_run {
                        "dry run, nothing stored: "
                    } else {
                        ""
                    },
                    report.created,
                    report.updated,
                    report.unchanged,
                    report.duplicates_merged
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::Rows(errors)) => {
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "errors": errors }))?
                );
            }
            for error in &errors {
                eprintln!("{error}");
            }
            eprintln!("{} error(s); nothing was imported", errors.len());
            Ok(ExitCode::FAILURE)
        }
        Err(ImportError::Library(error)) => Err(anyhow!("{error}")),
    }
}

fn outcome_word(outcome: dongbo_store::library::Outcome) -> &'static str {
    use dongbo_store::library::Outcome;
    match outcome {
        Outcome::Created => "created",
        Outcome::Updated => "updated",
        Outcome::Unchanged => "unchanged",
        Outcome::Merged => "merged",
    }
}
