//! Pull sources (issue 20, "Pull"): an agency's site feed (RSS, Atom, JSON Feed) or sitemap,
//! registered as a source and polled on a schedule; each entry becomes an item whose text is
//! extracted from its page.
//!
//! - [`address`]: which addresses a source may reach (no loopback, private, link-local… unless
//!   an administrator allows the range);
//! - [`fetch`]: the HTTP client (limits, redirects checked hop by hop, conditional GET, a pause
//!   between two requests to one host);
//! - [`parse`]: feeds and sitemaps into entries, newest first, bounded;
//! - [`Poller`]: the worker `dongbo serve` runs — it claims due sources in the database (two
//!   servers never poll one source at once), polls each and records the outcome: validators,
//!   status, the error, failures in a row (each doubling the wait up to a cap; after
//!   [`PollSettings::failures_to_disable`] the source is disabled with its reason until an
//!   administrator enables it again).
//!
//! An entry is stored alone, in one transaction with its fingerprint
//! (`dongbo_store::library::sources::store_entry`): one entry that cannot be stored (its text
//! is another item's after an edit, say) is logged and the others are kept; never half an
//! entry. Its provenance is (`source:<id>`, the entry's id, its link), so a re-poll updates
//! the item, never a second one; the same text as an existing item merges into it.
//!
//! Registering a source, enabling it again and asking for a poll now are the operations on
//! [`Library`], allowed to who may edit the owner agency's items (a librarian of it, or an
//! admin above it: [`dongbo_domain::access::Action::EditLibrary`]).

pub mod address;
pub mod fetch;
pub mod parse;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use dongbo_store::accounts::Caller;
pub use dongbo_store::library::sources::VisibilityChange;
use dongbo_store::library::sources::{self as store, NewSource, PollRecord};
pub use dongbo_store::library::sources::{Source, SourceKind};
use dongbo_store::library::{Incoming, Outcome, Provenance};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use self::address::AddressPolicy;
use self::fetch::{Answer, FetchError, FetchLimits, Fetcher, Validators};
use self::parse::{Entry, Format};
use crate::extract::{ExtractLimits, extract};
use crate::{Error, FieldError, ItemInput, Library, Result};

/// How sources are polled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollSettings {
    /// What one fetch may take.
    pub limits: FetchLimits,
    /// Entries read per poll, the newest (past them, the rest are logged as skipped).
    /// Default 200.
    pub entries: usize,
    /// Sitemaps of a sitemap index read per poll, the newest. Default 10.
    pub sitemaps: usize,
    /// Failed polls in a row after which a source is disabled. Default 10.
    pub failures_to_disable: i64,
    /// The longest wait after failures. Default one day.
    pub backoff_cap: Duration,
    /// How long a claimed source is held by the server polling it (another server takes it
    /// after, should this one stop mid-poll). Default 30 minutes.
    pub lease: Duration,
    /// The time one poll may spend on its entries' pages; the entries left are stored at a
    /// later poll. Default 10 minutes.
    pub budget: Duration,
    /// Sources claimed per turn. Default 10.
    pub per_turn: i64,
}

impl Default for PollSettings {
    fn default() -> Self {
        PollSettings {
            limits: FetchLimits::default(),
            entries: 200,
            sitemaps: 10,
            failures_to_disable: 10,
            backoff_cap: Duration::from_secs(24 * 3600),
            lease: Duration::from_secs(30 * 60),
            budget: Duration::from_secs(10 * 60),
            per_turn: 10,
        }
    }
}

/// A source as typed on the form or sent to the API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SourceInput {
    /// The owner agency's code: its items are the agency's.
    pub owner: String,
    /// `feed` (RSS, Atom, JSON Feed) or `sitemap`.
    pub kind: String,
    /// The feed's or sitemap's address (http or https).
    pub url: String,
    /// A name for people ("Cổng thông tin Bộ Ngoại giao — Tin tức").
    pub name: String,
    /// Minutes between two polls (5 to 10,080; 60 when not given).
    pub poll_minutes: Option<i64>,
    /// Who may read its items: `public` (an agency's website), `government` (the default: an
    /// intranet's feed) or `agencies`, listed in `visible_to`.
    pub visibility: Option<String>,
    pub visible_to: Vec<String>,
}

/// The fewest and most minutes between two polls.
const POLL_MINUTES: std::ops::RangeInclusive<i64> = 5..=10_080;

impl Library {
    /// The address policy sources are held to.
    pub fn address_policy(&self) -> &Arc<AddressPolicy> {
        &self.address_policy
    }

    /// This library holding sources to `policy` (the ranges an administrator allows).
    pub fn with_address_policy(self, policy: AddressPolicy) -> Self {
        Library {
            address_policy: Arc::new(policy),
            ..self
        }
    }

    /// The sources `caller` keeps (those of the agencies whose items they may edit), with
    /// their health.
    pub async fn sources(&self, caller: &Caller) -> Result<Vec<Source>> {
        Ok(store::list(&self.db)
            .await?
            .into_iter()
            .filter(|s| self.require_edit(caller, Some(s.owner.as_str())).is_ok())
            .collect())
    }

    /// Source `id`, when `caller` keeps it (like an item's owner, a source's is no secret:
    /// another agency's source is forbidden, not hidden).
    pub async fn source(&self, caller: &Caller, id: i64) -> Result<Source> {
        let source = store::get(&self.db, id).await?.ok_or(Error::NotFound)?;
        self.require_edit(caller, Some(source.owner.as_str()))?;
        Ok(source)
    }

    /// Registers a source, due at once. Its address must be http(s) and must not reach a
    /// range the policy refuses (a name is resolved now, and again at every fetch).
    pub async fn add_source(&self, caller: &Caller, input: &SourceInput) -> Result<Source> {
        let new = self.validate_source(input)?;
        self.require_edit(caller, Some(new.owner.as_str()))?;
        let url = fetch::parse_url(&new.url).map_err(|e| url_error(&e))?;
        match fetch::check_url(&self.address_policy, &url).await {
            // A name that does not resolve now may later: the polls will say.
            Ok(()) | Err(FetchError::Unresolved { .. }) => {}
            Err(error) => return Err(url_error(&error)),
        }
        let id = store::create(&self.db, &new, &caller.user.username, self.now()).await?;
        store::get(&self.db, id).await?.ok_or(Error::NotFound)
    }

    /// Enables source `id` again after it was disabled: its failures forgotten, due at once.
    pub async fn enable_source(&self, caller: &Caller, id: i64) -> Result<()> {
        self.source(caller, id).await?;
        Ok(store::enable(&self.db, id, &caller.user.username, self.now()).await?)
    }

    /// Gives source `id` the visibility `scope` (with the agencies `visible_to` of an
    /// `agencies` one) and every item its entries made alone the same, in one transaction.
    pub async fn set_source_visibility(
        &self,
        caller: &Caller,
        id: i64,
        scope: &Option<String>,
        visible_to: &[String],
    ) -> Result<VisibilityChange> {
        self.source(caller, id).await?;
        let mut errors = Vec::new();
        let visibility = crate::input::visibility(&mut errors, scope, visible_to, &self.directory);
        let Some(visibility) = visibility.filter(|_| errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        Ok(
            store::set_visibility(&self.db, id, &visibility, &caller.user.username, self.now())
                .await?,
        )
    }

    /// Makes source `id` due now: a poller takes it at its next turn.
    pub async fn poll_source_soon(&self, caller: &Caller, id: i64) -> Result<()> {
        self.source(caller, id).await?;
        Ok(store::poll_soon(&self.db, id, &caller.user.username, self.now()).await?)
    }

    fn validate_source(&self, input: &SourceInput) -> Result<NewSource> {
        let mut errors = Vec::new();
        let owner = dongbo_domain::text::clean(&input.owner).to_uppercase();
        if owner.is_empty() {
            errors.push(FieldError::new(
                "owner",
                "Cần có cơ quan sở hữu (an owner agency is required)",
            ));
        } else if self.directory.agency(&owner).is_none() {
            errors.push(FieldError::new(
                "owner",
                format!("không có cơ quan «{owner}» (no agency «{owner}»)"),
            ));
        }
        let kind = SourceKind::parse(input.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new(
                "kind",
                "Loại nguồn là feed hoặc sitemap (the kind is feed or sitemap)",
            ));
        }
        let url = input.url.trim().to_owned();
        if let Err(e) = fetch::parse_url(&url) {
            errors.push(FieldError::new("url", e.to_string()));
        } else if url.chars().count() > 2_000 {
            errors.push(FieldError::new("url", "over 2,000 characters"));
        }
        let name = dongbo_domain::text::clean(&input.name);
        if name.is_empty() {
            errors.push(FieldError::new("name", "Cần có tên (a name is required)"));
        } else if name.chars().count() > 300 {
            errors.push(FieldError::new("name", "over 300 characters"));
        }
        let poll_minutes = input.poll_minutes.unwrap_or(60);
        if !POLL_MINUTES.contains(&poll_minutes) {
            errors.push(FieldError::new(
                "poll_minutes",
                format!(
                    "từ {} đến {} phút (from {} to {} minutes)",
                    POLL_MINUTES.start(),
                    POLL_MINUTES.end(),
                    POLL_MINUTES.start(),
                    POLL_MINUTES.end()
                ),
            ));
        }
        let visibility = crate::input::visibility(
            &mut errors,
            &input.visibility,
            &input.visible_to,
            &self.directory,
        );
        match (errors.is_empty(), kind, visibility) {
            (true, Some(kind), Some(visibility)) => Ok(NewSource {
                owner,
                kind,
                url,
                name,
                poll_minutes,
                visibility,
            }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

fn url_error(error: &FetchError) -> Error {
    Error::Invalid(vec![FieldError::new("url", error.to_string())])
}

/// What one poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PollOutcome {
    pub source: i64,
    /// The status of the source's answer (304: nothing new), when one came.
    pub status: Option<u16>,
    pub created: usize,
    pub updated: usize,
    pub merged: usize,
    /// Entries seen before, unchanged: neither fetched nor written.
    pub unchanged: usize,
    /// Entries past the bound of one poll, not read.
    pub skipped: usize,
    /// Entries that could not be stored (each logged).
    pub failed: usize,
    /// Why the poll failed.
    pub error: Option<String>,
    /// Whether this poll disabled the source.
    pub disabled: bool,
}

/// The worker that polls due sources (one per server; several servers share the sources).
#[derive(Debug)]
pub struct Poller {
    library: Library,
    fetcher: Fetcher,
    settings: PollSettings,
}

/// The audit actor of what polls write.
const ACTOR: &str = "system";

impl Poller {
    /// A poller over `library`, reaching what its address policy allows.
    pub fn new(library: Library, settings: PollSettings) -> std::result::Result<Poller, String> {
        let fetcher = Fetcher::new(
            library.address_policy.clone(),
            settings.limits.clone(),
            &library.trust,
        )?;
        Ok(Poller {
            library,
            fetcher,
            settings,
        })
    }

    /// Claims and polls the sources due now; their outcomes.
    pub async fn poll_due(&self) -> Result<Vec<PollOutcome>> {
        let now = self.library.now();
        let due = store::due(&self.library.db, now, self.settings.per_turn).await?;
        let mut outcomes = Vec::new();
        for source in due {
            let until = now + chrono_duration(self.settings.lease);
            if store::claim(&self.library.db, &source, until).await? {
                outcomes.push(self.poll_claimed(&source).await?);
            }
        }
        Ok(outcomes)
    }

    /// Polls source `id` now, whether due or not (tests; an operator's command).
    pub async fn poll(&self, id: i64) -> Result<PollOutcome> {
        let source = store::get(&self.library.db, id)
            .await?
            .ok_or(Error::NotFound)?;
        self.poll_claimed(&source).await
    }

    /// Polls due sources every `every` until `shutdown` resolves; a failure is logged and the
    /// next turn tries again.
    pub async fn run(self, every: Duration, shutdown: impl Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = &mut shutdown => return,
                _ = ticker.tick() => {
                    if let Err(error) = self.poll_due().await {
                        tracing::warn!(%error, "library sources: a polling turn failed");
                    }
                }
            }
        }
    }

    async fn poll_claimed(&self, source: &Source) -> Result<PollOutcome> {
        let mut outcome = PollOutcome {
            source: source.id,
            ..PollOutcome::default()
        };
        let result = self.fetch_and_store(source, &mut outcome).await;
        let now = self.library.now();
        let record = match result {
            Ok(validators) => {
                tracing::info!(
                    source = source.id, url = %source.url, status = ?outcome.status,
                    created = outcome.created, updated = outcome.updated,
                    unchanged = outcome.unchanged, skipped = outcome.skipped,
                    failed = outcome.failed, "library source polled"
                );
                PollRecord {
                    status: outcome.status.map(i64::from),
                    etag: validators.etag,
                    last_modified: validators.last_modified,
                    error: None,
                    failures: 0,
                    next_poll_at: Some(now + chrono::Duration::minutes(source.poll_minutes)),
                    disabled_reason: None,
                    created: count(outcome.created),
                    updated: count(outcome.updated + outcome.merged),
                }
            }
            Err(failure) => self.failed(source, &mut outcome, &failure, now),
        };
        store::record_poll(&self.library.db, source.id, &record, ACTOR, now).await?;
        Ok(outcome)
    }

    /// The record of a failed poll: the failures one more, the wait doubled (up to the cap),
    /// the source disabled when the failures reach the limit.
    fn failed(
        &self,
        source: &Source,
        outcome: &mut PollOutcome,
        failure: &Failure,
        now: DateTime<Utc>,
    ) -> PollRecord {
        let failures = source.failures + 1;
        let wait = backoff(source.poll_minutes, failures, self.settings.backoff_cap);
        let message = format!("{}: {}", source.name, failure.message);
        let disabled_reason = (failures >= self.settings.failures_to_disable).then(|| {
            format!(
                "{failures} lần thất bại liên tiếp (failed {failures} times in a row); lần cuối \
                 (last): {}",
                failure.message
            )
        });
        tracing::warn!(
            source = source.id, url = %source.url, failures,
            disabled = disabled_reason.is_some(), error = %failure.message,
            "library source poll failed"
        );
        outcome.status = failure.status;
        outcome.error = Some(message.clone());
        outcome.disabled = disabled_reason.is_some();
        PollRecord {
            status: failure.status.map(i64::from),
            etag: source.etag.clone(),
            last_modified: source.last_modified.clone(),
            error: Some(message),
            failures,
            next_poll_at: Some(now + wait),
            disabled_reason,
            created: count(outcome.created),
            updated: count(outcome.updated + outcome.merged),
        }
    }

    /// Fetches the source's document and stores its entries; the validators to keep.
    async fn fetch_and_store(
        &self,
        source: &Source,
        outcome: &mut PollOutcome,
    ) -> std::result::Result<Validators, Failure> {
        let known = Validators {
            etag: source.etag.clone(),
            last_modified: source.last_modified.clone(),
        };
        let body = match self.fetcher.fetch(&source.url, &known).await? {
            Answer::NotModified => {
                outcome.status = Some(304);
                return Ok(known);
            }
            Answer::Body(body) => body,
        };
        outcome.status = Some(body.status);
        let parsed = parse::parse(&body.bytes, self.settings.entries)?;
        match (source.kind, parsed.format.is_sitemap()) {
            (SourceKind::Feed, true) | (SourceKind::Sitemap, false) => {
                return Err(Failure::new(format!(
                    "nguồn đăng ký là {} nhưng địa chỉ trả về {} (the source is registered as \
                     a {} but the address serves a {})",
                    source.kind.as_str(),
                    parsed.format.name(),
                    source.kind.as_str(),
                    parsed.format.name()
                )));
            }
            _ => {}
        }
        let (entries, total) = if parsed.format == Format::SitemapIndex {
            self.sitemap_pages(&parsed.entries).await
        } else {
            (parsed.entries, parsed.total)
        };
        outcome.skipped = total.saturating_sub(entries.len());
        if outcome.skipped > 0 || parsed.without_id > 0 {
            tracing::info!(
                source = source.id,
                total,
                kept = entries.len(),
                skipped = outcome.skipped,
                without_id = parsed.without_id,
                "library source: entries past the bound of one poll are not read"
            );
        }
        let complete = self.store_entries(source, &entries, outcome).await;
        // Entries left for lack of time are read at the next poll: the document must be
        // fetched again, not answered 304.
        Ok(if complete {
            body.validators
        } else {
            Validators::default()
        })
    }

    /// The pages of a sitemap index's newest sitemaps (each fetched and checked like the
    /// index), the newest first and bounded, and how many they listed.
    async fn sitemap_pages(&self, sitemaps: &[Entry]) -> (Vec<Entry>, usize) {
        let mut pages = Vec::new();
        for sitemap in sitemaps.iter().take(self.settings.sitemaps) {
            let Some(url) = &sitemap.link else { continue };
            match self.fetcher.fetch(url, &Validators::default()).await {
                Ok(Answer::Body(body)) => match parse::parse(&body.bytes, usize::MAX) {
                    Ok(parsed) if parsed.format == Format::Sitemap => {
                        pages.extend(parsed.entries);
                    }
                    Ok(parsed) => {
                        tracing::warn!(%url, format = parsed.format.name(), "a sitemap index lists a document that is not a sitemap");
                    }
                    Err(error) => {
                        tracing::warn!(%url, %error, "a sitemap of the index is not read")
                    }
                },
                Ok(Answer::NotModified) => {}
                Err(error) => tracing::warn!(%url, %error, "a sitemap of the index is not fetched"),
            }
        }
        let total = pages.len();
        pages.sort_by_key(|entry| std::cmp::Reverse(entry.date()));
        pages.truncate(self.settings.entries);
        (pages, total)
    }

    /// Stores each entry alone; `false` when the time budget ran out before the last.
    async fn store_entries(
        &self,
        source: &Source,
        entries: &[Entry],
        outcome: &mut PollOutcome,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + self.settings.budget;
        for (index, entry) in entries.iter().enumerate() {
            if tokio::time::Instant::now() >= deadline {
                tracing::warn!(
                    source = source.id,
                    left = entries.len() - index,
                    "library source: the poll's time is spent; the entries left are read next time"
                );
                return false;
            }
            match self.store_entry(source, entry).await {
                Ok(Some(Outcome::Created)) => outcome.created += 1,
                Ok(Some(Outcome::Updated)) => outcome.updated += 1,
                Ok(Some(Outcome::Merged)) => outcome.merged += 1,
                Ok(Some(Outcome::Unchanged) | None) => outcome.unchanged += 1,
                Err(error) => {
                    outcome.failed += 1;
                    tracing::warn!(
                        source = source.id, entry = %entry.id, %error,
                        "library source: an entry is not stored"
                    );
                }
            }
        }
        true
    }

    /// Stores one entry as an item; `None` when it is as it was last stored.
    async fn store_entry(&self, source: &Source, entry: &Entry) -> Result<Option<Outcome>> {
        let external_id = external_id(&entry.id);
        let fingerprint = fingerprint(entry);
        let db = &self.library.db;
        if store::entry_fingerprint(db, source.id, &external_id)
            .await?
            .as_deref()
            == Some(fingerprint.as_str())
        {
            return Ok(None);
        }
        let page = match &entry.link {
            Some(link) => self.page_text(link).await,
            None => None,
        };
        let input = item_input(source, entry, page);
        let topics = self.library.topic_codes().await?;
        let data = input.validate(&self.library.directory, &topics)?;
        let now = self.library.now();
        let incoming = Incoming {
            data,
            provenance: Some(Provenance {
                system: source.system(),
                external_id: Some(external_id),
                url: entry.link.clone(),
                file_name: None,
                received_at: now,
            }),
        };
        let written =
            store::store_entry(db, source.id, &fingerprint, &incoming, ACTOR, now).await?;
        Ok(Some(written.outcome))
    }

    /// The text and title of an entry's page, or `None` when it cannot be had (refused,
    /// failed, not a document): the entry's own text is used instead.
    async fn page_text(&self, link: &str) -> Option<PageText> {
        let body = match self.fetcher.fetch(link, &Validators::default()).await {
            Ok(Answer::Body(body)) => body,
            Ok(Answer::NotModified) => return None,
            Err(error) => {
                tracing::info!(%link, %error, "an entry's page is not fetched; its feed text is used");
                return None;
            }
        };
        let name = page_file_name(body.content_type.as_deref());
        let limits = ExtractLimits {
            file_bytes: self.settings.limits.bytes,
            ..ExtractLimits::default()
        };
        let bytes = body.bytes;
        let extracted = tokio::task::spawn_blocking(move || extract(&bytes, name, &limits))
            .await
            .ok()?;
        match extracted {
            Ok(extracted) if !extracted.text.is_empty() => Some(PageText {
                text: extracted.text,
                title: extracted.title,
            }),
            Ok(_) => None,
            Err(error) => {
                tracing::info!(%link, %error, "an entry's page has no text read; its feed text is used");
                None
            }
        }
    }
}

/// Why a poll failed, with the status the server answered.
#[derive(Debug)]
struct Failure {
    message: String,
    status: Option<u16>,
}

impl Failure {
    fn new(message: String) -> Failure {
        Failure {
            message,
            status: None,
        }
    }
}

impl From<FetchError> for Failure {
    fn from(error: FetchError) -> Failure {
        Failure {
            status: error.status(),
            message: error.to_string(),
        }
    }
}

impl From<parse::ParseError> for Failure {
    fn from(error: parse::ParseError) -> Failure {
        Failure::new(error.to_string())
    }
}

struct PageText {
    text: String,
    title: Option<String>,
}

/// The wait after `failures` failed polls in a row: the interval doubled per failure, at most
/// `cap`.
pub fn backoff(poll_minutes: i64, failures: i64, cap: Duration) -> chrono::Duration {
    let cap = chrono_duration(cap);
    let base = chrono::Duration::minutes(poll_minutes.max(1));
    let doublings = u32::try_from(failures.clamp(0, 30)).unwrap_or(30);
    base.checked_mul(1 << doublings)
        .map_or(cap, |wait| wait.min(cap))
}

fn chrono_duration(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// An entry's id as kept (an id longer than a key allows is kept as its digest).
fn external_id(id: &str) -> String {
    let id = dongbo_domain::text::clean(id);
    if id.chars().count() <= 400 {
        id
    } else {
        format!("sha256:{}", hex::encode(Sha256::digest(id.as_bytes())))
    }
}

/// A digest of what an entry says: an entry seen again with the same is not read again.
fn fingerprint(entry: &Entry) -> String {
    let mut digest = Sha256::new();
    for part in [
        Some(entry.id.as_str()),
        entry.link.as_deref(),
        entry.title.as_deref(),
        entry.summary.as_deref(),
        entry.content.as_deref(),
    ] {
        digest.update(part.unwrap_or_default().as_bytes());
        digest.update([0]);
    }
    digest.update(
        entry
            .date()
            .map(|d| d.to_rfc3339())
            .unwrap_or_default()
            .as_bytes(),
    );
    hex::encode(digest.finalize())
}

/// The name an entry's page is read as, by its media type (HTML unless it says otherwise).
fn page_file_name(content_type: Option<&str>) -> &'static str {
    let media = content_type
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media.as_str() {
        "application/pdf" => "page.pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "page.docx",
        "text/plain" => "page.txt",
        "text/markdown" => "page.md",
        _ => "page.html",
    }
}

/// Text of a feed's HTML fragment (a summary, a content), as the library reads HTML.
fn fragment_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return html.trim().to_owned();
    }
    extract(html.as_bytes(), "entry.html", &ExtractLimits::default())
        .map(|e| e.text)
        .unwrap_or_else(|_| html.trim().to_owned())
}

/// The longest summary kept from a feed.
const SUMMARY_CHARS: usize = 2_000;

/// The item an entry becomes: its page's text (else its own content, else its summary), its
/// title (else the page's, else its link), visible as the source says (public for an agency's
/// website, the government's or some agencies' for an intranet's feed), owned by the source's
/// agency.
fn item_input(source: &Source, entry: &Entry, page: Option<PageText>) -> ItemInput {
    let summary = entry
        .summary
        .as_deref()
        .map(fragment_text)
        .map(|s| s.chars().take(SUMMARY_CHARS).collect::<String>());
    let own_text = entry
        .content
        .as_deref()
        .map(fragment_text)
        .filter(|t| !t.is_empty())
        .or_else(|| summary.clone());
    let (body, page_title) = match page {
        Some(page) => (Some(page.text), page.title),
        None => (own_text, None),
    };
    let title = entry
        .title
        .as_deref()
        .map(fragment_text)
        .filter(|t| !t.is_empty())
        .or(page_title)
        .or_else(|| entry.link.clone())
        .unwrap_or_else(|| entry.id.clone());
    ItemInput {
        title: title.chars().take(1_000).collect(),
        summary,
        body,
        kind: "article".to_owned(),
        owner: Some(source.owner.clone()),
        visibility: Some(source.visibility.scope().to_owned()),
        visible_to: source.visibility.agencies().to_vec(),
        published_on: entry
            .published
            .or(entry.updated)
            .map(|d| d.format("%Y-%m-%d").to_string()),
        url: entry.link.clone(),
        ..ItemInput::default()
    }
}
