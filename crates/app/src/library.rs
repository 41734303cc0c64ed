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
    /// Search the library as an anonymous visitor (public items only), with or without
    /// diacritics; `--json` prints what `GET /api/v1/library/search` answers.
    Search {
        query: String,
        #[arg(long)]
        json: bool,
        /// An item kind (article, white_paper…).
        #[arg(long)]
        kind: Option<String>,
        /// An ISO 639-1 language code.
        #[arg(long)]
        lang: Option<String>,
        #[arg(long, default_value_t = 1)]
        page: usize,
    },
    /// Rebuild this data folder's search index from the database, from scratch.
    Reindex,
    /// The pull sources: feeds and sitemaps `dongbo serve` polls.
    Source {
        #[command(subcommand)]
        command: crate::library_sources::SourceCommand,
    },
    /// Follow another Đồng Bộ's library: copy every item its change feed gives (what the
    /// token's user may read there), from this database's cursor. Once by default.
    Sync {
        /// The other instance's base address (http://host:port or https://host).
        url: String,
        /// An API token of a user of the other instance (`dongbo user token` there).
        #[arg(long)]
        token: String,
        /// The provenance system the copies are kept under (default: dongbo:HOST, or dongbo:HOST:PORT).
        #[arg(long)]
        system: Option<String>,
        /// Run once to the feed's end, then stop (the default).
        #[arg(long, conflicts_with = "every")]
        once: bool,
        /// Keep following: run again every SECONDS.
        #[arg(long, value_name = "SECONDS")]
        every: Option<u64>,
        /// Changes asked for per page (1–1000).
        #[arg(long, default_value_t = 200)]
        page_size: i64,
        /// Print each run's report as JSON.
        #[arg(long)]
        json: bool,
        /// A PEM file of certificate authorities trusted for https besides the operating
        /// system's store (a ministry's own CA).
        #[arg(long, env = "DONGBO_LIBRARY_CA_FILE", value_name = "PATH")]
        library_ca_file: Option<PathBuf>,
    },
    /// The instances this one follows: cursor, last run, last error, counts.
    Followed,
    /// Compute the near-duplicate signatures of items stored before they were kept (and
    /// propose the pairs found).
    Fingerprint,
}

/// The library of this data folder with its search index.
async fn with_index(data_dir: &Path, database_url: Option<&str>) -> Result<Library> {
    let db = bootstrap::open(data_dir, database_url).await?;
    let directory = bootstrap::load_directory(&db).await?;
    let files = EvidenceStore::default_dir(data_dir);
    let folder = dongbo_web::AppState::index_dir(&files);
    let index = dongbo_search::TantivyIndex::open(&folder)
        .map_err(|e| anyhow!("opening the search index in {}: {e}", folder.display()))?;
    Ok(Library::new(db, directory, files, Clock::system()).with_index(std::sync::Arc::new(index)))
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
        LibraryCommand::Search {
            query,
            json,
            kind,
            lang,
            page,
        } => {
            let library = with_index(data_dir, database_url).await?;
            // Bring the index up to the database (an import just made); a server running on
            // this folder keeps it current itself and holds its lock.
            if let Err(error) = library.catch_up().await {
                tracing::debug!(%error, "the index is kept by a running server");
            }
            let params = dongbo_library::search::SearchParams {
                q: query,
                kind,
                lang,
                page: Some(page),
                ..Default::default()
            };
            let results = library
                .search(None, &params)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            let answer = dongbo_web::api::library::answer(results);
            if json {
                println!("{}", serde_json::to_string_pretty(&answer)?);
            } else {
                println!("{} result(s)", answer.total);
                for hit in &answer.hits {
                    let date = hit.published_on.map(|d| d.to_string()).unwrap_or_default();
                    println!("{:>8}  {}  {}  {}", hit.id, date, hit.title, hit.source);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        LibraryCommand::Source { command } => {
            crate::library_sources::run(data_dir, database_url, command).await
        }
        LibraryCommand::Sync {
            url,
            token,
            system,
            once: _,
            every,
            page_size,
            json,
            library_ca_file,
        } => {
            if !(1..=1_000).contains(&page_size) {
                return Err(anyhow!("--page-size: from 1 to 1000"));
            }
            // The CA file is read before the database is opened: a bad one changes nothing.
            let trust = dongbo_library::http::Trust::load(library_ca_file.as_deref())
                .map_err(|e| anyhow!("--library-ca-file: {e}"))?;
            let library = with_index(data_dir, database_url).await?.with_trust(trust);
            let limits = dongbo_library::sync::Limits {
                page_size,
                ..Default::default()
            };
            sync(
                &library,
                &url,
                &token,
                system.as_deref(),
                &limits,
                every,
                json,
            )
            .await
        }
        LibraryCommand::Followed => {
            let library = with_index(data_dir, database_url).await?;
            for followed in library.followed().await.map_err(|e| anyhow!("{e}"))? {
                let last = followed
                    .last_sync_at
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_else(|| "never".to_owned());
                println!(
                    "{}  system {}  cursor {}  last run {last}  {} upserts, {} deletes{}",
                    followed.url,
                    followed.system,
                    followed.cursor,
                    followed.upserts_applied,
                    followed.deletes_applied,
                    followed
                        .last_error
                        .map(|e| format!("  last error: {e}"))
                        .unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        LibraryCommand::Fingerprint => {
            let library = with_index(data_dir, database_url).await?;
            let mut done = 0;
            loop {
                let batch = library
                    .fingerprint_missing(1_000)
                    .await
                    .map_err(|e| anyhow!("{e}"))?;
                done += batch;
                if batch == 0 {
                    break;
                }
            }
            println!("{done} item(s) fingerprinted");
            Ok(ExitCode::SUCCESS)
        }
        LibraryCommand::Reindex => {
            let library = with_index(data_dir, database_url).await?;
            let indexer = library
                .indexer()
                .ok_or_else(|| anyhow!("this library has no index"))?;
            let applied = indexer
                .rebuild()
                .await
                .map_err(|e| anyhow!("rebuilding the index (is a server running on this data folder? stop it first): {e}"))?;
            println!("index rebuilt: {applied} change(s) applied");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs the sync once, or every `every` seconds for ever (a failed run is printed and the
/// next one tries again from the same cursor).
async fn sync(
    library: &Library,
    url: &str,
    token: &str,
    system: Option<&str>,
    limits: &dongbo_library::sync::Limits,
    every: Option<u64>,
    json: bool,
) -> Result<ExitCode> {
    loop {
        match library.sync(url, token, system, limits).await {
            Ok(report) => {
                if json {
                    println!("{}", serde_json::to_string(&report)?);
                } else {
                    println!(
                        "{}: cursor {} → {}, {} page(s): {} created, {} updated, {} unchanged, \
                         {} deleted{}{}",
                        report.url,
                        report.from,
                        report.to,
                        report.pages,
                        report.counts.created,
                        report.counts.updated,
                        report.counts.unchanged,
                        report.counts.deleted,
                        if report.skipped.is_empty() {
                            String::new()
                        } else {
                            format!(
                                ", not copied (restricted to agencies unknown here): {:?}",
                                report.skipped
                            )
                        },
                        if report.stopped_early {
                            " (stopped at the time limit; run again)"
                        } else {
                            ""
                        }
                    );
                }
            }
            Err(error) => {
                let Some(_) = every else {
                    return Err(anyhow!("library sync: {error}"));
                };
                eprintln!("library sync: {error}");
            }
        }
        let Some(seconds) = every else {
            return Ok(ExitCode::SUCCESS);
        };
        tokio::time::sleep(std::time::Duration::from_secs(seconds.max(1))).await;
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
