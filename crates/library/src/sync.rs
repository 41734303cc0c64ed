//! `dongbo library sync URL`: this instance follows another Đồng Bộ's change feed
//! (`GET /api/v1/library/changes?after=CURSOR`, JSON Lines) page by page and keeps a copy of
//! every item the token's user may read there.
//!
//! - The cursor is this database's (`library_followed`); each page is applied in one
//!   transaction with the cursor that covers it (`store::sync::apply_page`), so a crash
//!   repeats at most the page it interrupted, and repeating one is harmless.
//! - An upsert is written as a push keyed by (the instance's system name, the remote item's
//!   id); a delete removes the copy (a change the token's user may no longer read comes as a
//!   delete, so a copy of an item restricted since goes too).
//! - What is read is bounded ([`Limits`]): page size, line length, a page's bytes, the time a
//!   run may take; a line that does not parse stops the run, named with the cursor it came
//!   after, and nothing of its page is applied.
//! - Attachments' files stay at the source: an item's metadata and text are copied, and its
//!   provenance links to its page there.
//! - The owner travels with the item when this instance's directory knows it; otherwise the
//!   copy has no owner (it is the Government's: only an administrator on the root edits it).
//!   Topics this vocabulary lacks are dropped; a restricted item none of whose agencies this
//!   directory knows is not copied (nobody here could be given it) and is counted as skipped.
//!
//! The HTTP client is made in one place ([`client`]), through [`crate::http::client_builder`]:
//! https with the library's [`crate::http::Trust`] (the system's store and
//! `--library-ca-file`); a certificate refused is a transport error saying why.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use dongbo_domain::library::{ItemKind, Visibility};
use dongbo_store::library::sync::{self as store_sync, Applied, Followed, PageCounts};
use dongbo_store::library::{Incoming, Provenance};
use serde::{Deserialize, Serialize};

use crate::http::{Trust, client_builder, tls_refusal};
use crate::{ItemInput, Library};

/// What a run may read from the remote instance.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Changes asked for per page (the remote gives at most 1,000).
    pub page_size: i64,
    /// The longest line (one change with its item): a 10-million-character body, escaped.
    pub max_line_bytes: usize,
    /// The most bytes of one page.
    pub max_page_bytes: usize,
    /// How long one request may take.
    pub request_timeout: Duration,
    /// How long a whole run may take; it stops between pages past it (what was applied stays).
    pub max_run: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            page_size: 200,
            max_line_bytes: 64 * 1024 * 1024,
            max_page_bytes: 256 * 1024 * 1024,
            request_timeout: Duration::from_secs(120),
            max_run: Duration::from_secs(30 * 60),
        }
    }
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The URL or the system name given cannot be used.
    #[error("{0}")]
    Setup(String),
    /// The remote refused the token (401/403).
    #[error("{url} refused the token ({status}): check --token (an API token of a user there)")]
    Refused { url: String, status: u16 },
    /// The remote answered, but not as a Đồng Bộ change feed.
    #[error("{url} is not a Đồng Bộ instance (or not this version): {why}")]
    NotDongBo { url: String, why: String },
    /// The remote could not be reached or did not finish its answer.
    #[error("{url}: {why}")]
    Transport { url: String, why: String },
    /// A line of the feed is not a change, named with the cursor it came after.
    #[error(
        "{url}: the change after cursor {after} (line {line} of the page) does not parse: {why}"
    )]
    BadLine {
        url: String,
        after: i64,
        line: usize,
        why: String,
    },
    /// A limit on what is read was reached.
    #[error("{url}: {why}")]
    Limit { url: String, why: String },
    /// Storing a page failed: nothing of it was applied.
    #[error("{0}")]
    Store(#[from] crate::Error),
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    pub url: String,
    pub system: String,
    /// The cursor before and after the run.
    pub from: i64,
    pub to: i64,
    pub pages: u64,
    #[serde(flatten)]
    pub counts: PageCounts,
    /// Remote items not copied (restricted to agencies this directory does not know).
    pub skipped: Vec<i64>,
    /// The run stopped at its time limit before the feed's end.
    pub stopped_early: bool,
}

/// The HTTP client every sync uses: http or https (trusting `trust`), the given timeout, no
/// redirect followed.
pub fn client(limits: &Limits, trust: &Trust) -> Result<reqwest::Client, SyncError> {
    client_builder(trust)
        .timeout(limits.request_timeout)
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "dongbo/",
            env!("CARGO_PKG_VERSION"),
            " library-sync"
        ))
        .build()
        .map_err(|e| SyncError::Setup(format!("making the HTTP client: {e}")))
}

/// The base URL as kept: `http(s)://host[:port][/path]` without a trailing slash.
pub fn base_url(url: &str) -> Result<String, SyncError> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| SyncError::Setup(format!("«{url}» is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(SyncError::Setup(format!(
            "«{url}» is not an http:// or https:// address"
        )));
    }
    if parsed.query().is_some() || !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(SyncError::Setup(format!(
            "«{url}»: give the instance's base address, without a query or credentials"
        )));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// The system name an instance's items are kept under by default: `dongbo:` and its host
/// (with the port when one is given).
pub fn default_system(base: &str) -> Result<String, SyncError> {
    let parsed = reqwest::Url::parse(base)
        .map_err(|e| SyncError::Setup(format!("«{base}» is not a URL: {e}")))?;
    let host = parsed.host_str().unwrap_or_default();
    Ok(match parsed.port() {
        Some(port) => format!("dongbo:{host}:{port}"),
        None => format!("dongbo:{host}"),
    })
}

/// One line of the remote feed.
#[derive(Debug, Deserialize)]
struct RemoteChange {
    seq: i64,
    item_id: i64,
    op: String,
    item: Option<RemoteItem>,
}

/// The fields of a remote item this instance copies (the rest — its id there, provenances,
/// attachments, who wrote it when — stays at the source).
#[derive(Debug, Deserialize)]
struct RemoteItem {
    title: String,
    summary: String,
    body: String,
    language: String,
    language_overridden: bool,
    kind: ItemKind,
    owner: Option<String>,
    author: Option<String>,
    published_on: Option<NaiveDate>,
    event_on: Option<NaiveDate>,
    rights: Option<String>,
    licence: Option<String>,
    visibility: Visibility,
    topics: Vec<String>,
    countries: Vec<String>,
    audiences: Vec<String>,
    link_url: Option<String>,
}

impl Library {
    /// Follows `url`'s change feed with `token` from this database's cursor to its end (or the
    /// run's time limit); the run's outcome, or why it stopped (also kept as the instance's
    /// last error once it is registered: at its first run that reached the feed).
    pub async fn sync(
        &self,
        url: &str,
        token: &str,
        system: Option<&str>,
        limits: &Limits,
    ) -> Result<SyncReport, SyncError> {
        let base = base_url(url)?;
        let system = match system {
            Some(name) => {
                let name = dongbo_domain::text::clean(name);
                if name.is_empty() || name.chars().count() > 200 {
                    return Err(SyncError::Setup(
                        "--system: a name of 1 to 200 characters".to_owned(),
                    ));
                }
                name
            }
            None => default_system(&base)?,
        };
        let actor = format!("sync:{system}");
        if store_sync::find(self.db(), &base)
            .await
            .map_err(crate::Error::from)?
            .is_none()
        {
            // A first run registers the instance only once it answers as a Đồng Bộ that takes
            // the token: a mistyped address or token leaves nothing behind.
            let probe = Limits {
                page_size: 1,
                ..*limits
            };
            fetch_page(&client(limits, &self.trust)?, &base, token, 0, &probe).await?;
        }
        let followed = store_sync::follow(self.db(), &base, &system, &actor, self.now())
            .await
            .map_err(crate::Error::from)?;
        let result = self.follow_feed(&followed, token, limits, &actor).await;
        if let Err(error) = &result {
            // Best effort: the run's own error is what the caller must see.
            if let Err(store) =
                store_sync::record_error(self.db(), &followed, &error.to_string(), self.now()).await
            {
                tracing::warn!(%store, "could not record the sync error");
            }
        }
        result
    }

    /// The instances this one follows, with their cursors and last runs.
    pub async fn followed(&self) -> crate::Result<Vec<Followed>> {
        Ok(store_sync::all(self.db()).await?)
    }

    async fn follow_feed(
        &self,
        followed: &Followed,
        token: &str,
        limits: &Limits,
        actor: &str,
    ) -> Result<SyncReport, SyncError> {
        let started = Instant::now();
        let client = client(limits, &self.trust)?;
        let topics = self.topic_codes().await?;
        let mut report = SyncReport {
            url: followed.url.clone(),
            system: followed.system.clone(),
            from: followed.cursor,
            to: followed.cursor,
            ..SyncReport::default()
        };
        loop {
            if started.elapsed() > limits.max_run {
                report.stopped_early = true;
                break;
            }
            let after = report.to;
            let lines = fetch_page(&client, &followed.url, token, after, limits).await?;
            if lines.is_empty() {
                break;
            }
            let full = i64::try_from(lines.len()).unwrap_or(i64::MAX) >= limits.page_size;
            let mut page = Vec::with_capacity(lines.len());
            let mut last = after;
            for (index, change) in lines.into_iter().enumerate() {
                if change.seq <= last {
                    return Err(SyncError::BadLine {
                        url: followed.url.clone(),
                        after: last,
                        line: index + 1,
                        why: format!("its number {} is not after {last}", change.seq),
                    });
                }
                last = change.seq;
                let remote_id = change.item_id;
                let (applied, copied) =
                    self.applied(followed, change, &topics, &followed.url, index + 1)?;
                if !copied {
                    report.skipped.push(remote_id);
                }
                page.push(applied);
            }
            let counts =
                store_sync::apply_page(self.db(), followed, after, last, &page, actor, self.now())
                    .await
                    .map_err(crate::Error::from)?;
            report.counts.add(counts);
            report.pages += 1;
            report.to = last;
            if counts.changed() {
                self.catch_up().await.ok();
            }
            if !full {
                break;
            }
        }
        Ok(report)
    }

    /// The change to apply here for a remote one, and whether its item is copied (an item
    /// that cannot be is applied as a delete, so an earlier copy of it goes).
    fn applied(
        &self,
        followed: &Followed,
        change: RemoteChange,
        topics: &[String],
        url: &str,
        line: usize,
    ) -> Result<(Applied, bool), SyncError> {
        let external_id = change.item_id.to_string();
        let bad = |why: String| SyncError::BadLine {
            url: url.to_owned(),
            after: change.seq - 1,
            line,
            why,
        };
        match (change.op.as_str(), change.item) {
            ("delete", _) | ("upsert", None) => Ok((
                Applied::Delete {
                    seq: change.seq,
                    external_id,
                },
                true,
            )),
            ("upsert", Some(item)) => {
                let Some(input) = self.copy_input(item, topics) else {
                    let delete = Applied::Delete {
                        seq: change.seq,
                        external_id,
                    };
                    return Ok((delete, false));
                };
                let mut data = input
                    .0
                    .validate(self.directory(), topics)
                    .map_err(|e| bad(format!("remote item {}: {e}", change.item_id)))?;
                data.language_overridden = input.1;
                let incoming = Incoming {
                    data,
                    provenance: Some(Provenance {
                        system: followed.system.clone(),
                        external_id: Some(external_id.clone()),
                        url: Some(format!("{}/library/items/{}", followed.url, change.item_id)),
                        file_name: None,
                        received_at: self.now(),
                    }),
                };
                let upsert = Applied::Upsert {
                    seq: change.seq,
                    external_id,
                    incoming: Box::new(incoming),
                };
                Ok((upsert, true))
            }
            (other, _) => Err(bad(format!("unknown operation «{other}»"))),
        }
    }

    /// A remote item as this instance's input (with whether its language was set by a
    /// person), its owner, agencies and topics kept only where this instance knows them;
    /// `None` for a restricted item none of whose agencies is known here.
    fn copy_input(&self, item: RemoteItem, topics: &[String]) -> Option<(ItemInput, bool)> {
        let known = |code: &String| self.directory().agency(code).is_some();
        let (visibility, visible_to) = match &item.visibility {
            Visibility::Agencies(codes) => {
                let kept: Vec<String> = codes.iter().filter(|c| known(c)).cloned().collect();
                if kept.is_empty() {
                    return None;
                }
                ("agencies", kept)
            }
            other => (other.scope(), Vec::new()),
        };
        let input = ItemInput {
            title: item.title,
            summary: Some(item.summary),
            body: Some(item.body),
            language: Some(item.language),
            kind: item.kind.as_str().to_owned(),
            topics: item
                .topics
                .into_iter()
                .filter(|t| topics.contains(t))
                .collect(),
            countries: item.countries,
            audiences: item.audiences,
            owner: item.owner.filter(known),
            author: item.author,
            published_on: item.published_on.map(|d| d.to_string()),
            event_on: item.event_on.map(|d| d.to_string()),
            rights: item.rights,
            licence: item.licence,
            visibility: Some(visibility.to_owned()),
            visible_to,
            url: item.link_url,
            work_id: None,
        };
        Some((input, item.language_overridden))
    }
}

/// One page of the feed after `after`, read within the limits and parsed line by line.
async fn fetch_page(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    after: i64,
    limits: &Limits,
) -> Result<Vec<RemoteChange>, SyncError> {
    let url = format!(
        "{base}/api/v1/library/changes?after={after}&limit={}",
        limits.page_size
    );
    let transport = |why: String| SyncError::Transport {
        url: base.to_owned(),
        why,
    };
    let mut response = client
        .get(&url)
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "application/x-ndjson")
        .send()
        .await
        .map_err(|e| transport(format!("asking for the changes after {after}: {}", why(&e))))?;
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        return Err(SyncError::Refused {
            url: base.to_owned(),
            status: status.as_u16(),
        });
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if !status.is_success() || !content_type.starts_with("application/x-ndjson") {
        return Err(SyncError::NotDongBo {
            url: base.to_owned(),
            why: format!(
                "GET /api/v1/library/changes answered {status} with «{content_type}», not a \
                 JSON Lines change feed"
            ),
        });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport(format!("reading the changes after {after}: {}", why(&e))))?
    {
        if body.len() + chunk.len() > limits.max_page_bytes {
            return Err(SyncError::Limit {
                url: base.to_owned(),
                why: format!(
                    "the page after cursor {after} is larger than {} bytes (lower --page-size)",
                    limits.max_page_bytes
                ),
            });
        }
        body.extend_from_slice(&chunk);
    }
    parse_page(&body, base, after, limits)
}

/// What a person is told of a transport error: a refused certificate says why.
fn why(error: &reqwest::Error) -> String {
    match tls_refusal(error) {
        Some(tls) => format!("{error}: {tls}"),
        None => error.to_string(),
    }
}

/// The changes of a page's body: one JSON object a line (an empty last line is the end).
fn parse_page(
    body: &[u8],
    base: &str,
    after: i64,
    limits: &Limits,
) -> Result<Vec<RemoteChange>, SyncError> {
    let mut changes = Vec::new();
    let mut cursor = after;
    for (index, line) in body.split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let bad = |why: String| SyncError::BadLine {
            url: base.to_owned(),
            after: cursor,
            line: index + 1,
            why,
        };
        if line.len() > limits.max_line_bytes {
            return Err(bad(format!(
                "a line of {} bytes, past the limit of {}",
                line.len(),
                limits.max_line_bytes
            )));
        }
        let change: RemoteChange = serde_json::from_slice(line).map_err(|e| bad(e.to_string()))?;
        cursor = change.seq;
        changes.push(change);
    }
    if i64::try_from(changes.len()).unwrap_or(i64::MAX) > limits.page_size {
        return Err(SyncError::Limit {
            url: base.to_owned(),
            why: format!(
                "the page after cursor {after} has {} changes, more than the {} asked for",
                changes.len(),
                limits.page_size
            ),
        });
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_give_a_system_name() {
        assert_eq!(
            base_url("http://127.0.0.1:8080/").expect("a URL"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            default_system("http://127.0.0.1:8080").expect("a name"),
            "dongbo:127.0.0.1:8080"
        );
        assert_eq!(
            default_system("https://dongbo.mofa.gov.vn").expect("a name"),
            "dongbo:dongbo.mofa.gov.vn"
        );
        for bad in [
            "ftp://x",
            "not a url",
            "http://u:p@host",
            "http://host/?a=1",
        ] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_line_that_does_not_parse_is_named_with_the_cursor_before_it() {
        let limits = Limits::default();
        let body = b"{\"seq\":5,\"item_id\":1,\"op\":\"delete\",\"at\":\"x\",\"item\":null}\n{\"seq\":6,\n";
        let error = parse_page(body, "http://a", 4, &limits).expect_err("refused");
        let message = error.to_string();
        assert!(
            message.contains("after cursor 5") && message.contains("line 2"),
            "{message}"
        );
        let long = Limits {
            max_line_bytes: 10,
            ..limits
        };
        let error =
            parse_page(b"{\"seq\":5,\"item_id\":1}\n", "http://a", 4, &long).expect_err("refused");
        assert!(
            error.to_string().contains("past the limit of 10"),
            "{error}"
        );
    }
}
