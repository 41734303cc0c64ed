//! `dongbo library source add|list`: the library's pull sources from the command line, as the
//! operator (an administrator of the whole government tree, audited as `cli`).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, anyhow};
use clap::Subcommand;
use dongbo_domain::Clock;
use dongbo_domain::access::{Grant, ROOT_AGENCY, Role};
use dongbo_library::Library;
use dongbo_library::feeds::address::{AddressPolicy, Cidr};
use dongbo_library::feeds::{Source, SourceInput};
use dongbo_store::EvidenceStore;
use dongbo_store::accounts::{Caller, User};

use crate::bootstrap;

#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// Register a feed (RSS, Atom, JSON Feed) or a sitemap as a source of the owner agency's
    /// items; `dongbo serve` polls it at once, then every `--every` minutes.
    Add {
        /// Its address (http or https).
        url: String,
        /// The owner agency's code: the entries become its items.
        #[arg(long)]
        owner: String,
        /// A name for people.
        #[arg(long)]
        name: String,
        /// feed or sitemap.
        #[arg(long, default_value = "feed")]
        kind: String,
        /// Minutes between two polls (5 to 10080).
        #[arg(long, default_value_t = 60)]
        every: i64,
        /// Who may read its items: public (an agency's website), government (an intranet's
        /// feed) or agencies (those of --visible-to).
        #[arg(long, default_value = "government")]
        visibility: String,
        /// The agencies (codes) an `agencies` source's items are visible to.
        #[arg(long = "visible-to", value_name = "CODES", value_delimiter = ',')]
        visible_to: Vec<String>,
        /// A network the source may be on although it is not public (as `serve` takes it).
        #[arg(
            long = "allow-net",
            env = "DONGBO_LIBRARY_ALLOW_NET",
            value_name = "ADDR_OR_CIDR",
            value_delimiter = ','
        )]
        allow_net: Vec<Cidr>,
    },
    /// Give a source another visibility, and every item its entries made alone the same, at
    /// once (a feed found to be an intranet's is hidden, items and all).
    Visibility {
        /// The source's number (`dongbo library source list`).
        id: i64,
        /// public, government or agencies.
        visibility: String,
        /// The agencies (codes) an `agencies` source's items are visible to.
        #[arg(long = "visible-to", value_name = "CODES", value_delimiter = ',')]
        visible_to: Vec<String>,
    },
    /// The sources with their health: status, last poll, failures, next poll, items made.
    List {
        /// Print them as the API does.
        #[arg(long)]
        json: bool,
    },
}

/// The operator at the command line: may do what an administrator of the whole tree may.
fn operator() -> Caller {
    let at = dongbo_domain::clock::now();
    Caller {
        user: User {
            id: 0,
            username: "cli".to_owned(),
            display_name: "command line".to_owned(),
            must_change_password: false,
            disabled: false,
            created_at: at,
            updated_at: at,
        },
        grants: vec![Grant::new(Role::Admin, ROOT_AGENCY)],
    }
}

pub async fn run(
    data_dir: &Path,
    database_url: Option<&str>,
    command: SourceCommand,
) -> Result<ExitCode> {
    let db = bootstrap::open(data_dir, database_url).await?;
    let directory = bootstrap::load_directory(&db).await?;
    let library = Library::new(
        db,
        directory,
        EvidenceStore::default_dir(data_dir),
        Clock::system(),
    );
    match command {
        SourceCommand::Add {
            url,
            owner,
            name,
            kind,
            every,
            visibility,
            visible_to,
            allow_net,
        } => {
            let library = library.with_address_policy(AddressPolicy::allowing(allow_net));
            let input = SourceInput {
                owner,
                kind,
                url,
                name,
                poll_minutes: Some(every),
                visibility: Some(visibility),
                visible_to,
            };
            let source = library
                .add_source(&operator(), &input)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            println!(
                "source {} registered: {} ({})",
                source.id,
                source.url,
                source.visibility.scope()
            );
            Ok(ExitCode::SUCCESS)
        }
        SourceCommand::Visibility {
            id,
            visibility,
            visible_to,
        } => {
            let change = library
                .set_source_visibility(&operator(), id, &Some(visibility), &visible_to)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            println!(
                "source {id}: {} item(s) changed, {} already so, {} kept (they came from \
                 elsewhere too)",
                change.changed, change.unchanged, change.kept
            );
            Ok(ExitCode::SUCCESS)
        }
        SourceCommand::List { json } => {
            let sources = library
                .sources(&operator())
                .await
                .map_err(|e| anyhow!("{e}"))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&sources)?);
            } else {
                for source in &sources {
                    println!("{}", line(source));
                }
                println!("{} source(s)", sources.len());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn line(source: &Source) -> String {
    let health = match (&source.disabled_reason, &source.last_error) {
        (Some(reason), _) => format!("disabled: {reason}"),
        (None, Some(error)) => format!("failing ({}): {error}", source.failures),
        (None, None) if source.last_polled_at.is_none() => "not polled yet".to_owned(),
        (None, None) => "working".to_owned(),
    };
    format!(
        "{:>5}  {:<8} {:<7} {:<10} {}  next {}  items {}/{}  {}",
        source.id,
        source.owner,
        source.kind.as_str(),
        source.visibility.scope(),
        source.url,
        source.next_poll_at.format("%Y-%m-%d %H:%M UTC"),
        source.items_created,
        source.items_updated,
        health
    )
}
