//! Finding items: the full-text index kept in step with the database, and the search that
//! pages, the API and the command line share.
//!
//! The database is the truth. Every item write records a row in `library_changes` in its
//! transaction; an [`Indexer`] reads that feed from the index's cursor and applies it, so
//! each server's index catches up by itself — after a restart, after another server's write
//! on the same PostgreSQL, after a restore. The index never holds what the database does not.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use dongbo_domain::library::{Readership, Visibility};
use dongbo_search::{
    Change as IndexChange, Document, Engine, Filters, Query, Reader, Results, Sort,
};
use dongbo_store::Db;
use dongbo_store::accounts::Caller;
use dongbo_store::library::{self as store, ChangeOp, Item};

use crate::input::FieldError;
use crate::{Error, Library, Result};

/// Changes applied to the index in one commit at most.
const BATCH: i64 = 1_000;
/// Hits on a page at most.
pub const MAX_PAGE_SIZE: usize = 100;
/// Pages a search may go to: deep paging costs the engine the whole prefix of hits.
pub const MAX_PAGES: usize = 100;

/// What the index holds of an item.
pub fn document(item: &Item) -> Document {
    let data = &item.data;
    Document {
        id: item.id,
        title: data.title.clone(),
        summary: data.summary.clone(),
        body: data.body.clone(),
        language: data.language.clone(),
        kind: data.kind.as_str().to_owned(),
        topics: data.topics.clone(),
        countries: data.countries.clone(),
        agency: data.owner.clone(),
        published_on: data.published_on,
        visibility: match &data.visibility {
            Visibility::Public => dongbo_search::Visibility::Public,
            Visibility::Government => dongbo_search::Visibility::Government,
            Visibility::Agencies(codes) => dongbo_search::Visibility::Agencies(codes.clone()),
        },
        source: source(item),
    }
}

/// Where an item came from, as a hit shows it: the file name of an imported file, the URL of
/// a feed entry, "system:external_id" of a pushed item; its first provenance.
pub fn source(item: &Item) -> String {
    let Some(first) = item.provenances.first() else {
        return String::new();
    };
    if let Some(name) = &first.file_name {
        name.clone()
    } else if let Some(url) = &first.url {
        url.clone()
    } else if let Some(id) = &first.external_id {
        format!("{}:{id}", first.system)
    } else {
        first.system.clone()
    }
}

/// The index's reader for a caller's readership: the same rule, put inside the query.
pub fn reader(readership: &Readership) -> Reader {
    match readership {
        Readership::Public => Reader::Public,
        Readership::Government { agencies } => Reader::Government {
            agencies: agencies.clone(),
        },
        Readership::Everything => Reader::Everything,
    }
}

/// A search as a page or the API asks it, its values as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct SearchParams {
    pub q: String,
    pub kind: Option<String>,
    pub lang: Option<String>,
    pub topic: Option<String>,
    pub country: Option<String>,
    pub agency: Option<String>,
    /// `YYYY-MM-DD`.
    pub from: Option<String>,
    pub to: Option<String>,
    /// 1-based.
    pub page: Option<usize>,
    pub per_page: Option<usize>,
    /// `relevance` (the default) or `newest`.
    pub sort: Option<String>,
    /// The last word is still being typed.
    pub prefix: Option<bool>,
    /// The language whose items rank first among matches as good: an ISO 639-1 code, `none`
    /// for no preference; Vietnamese if not given (the page gives its own language).
    pub prefer_lang: Option<String>,
}

/// The language preferred when a search names none: the library is Vietnamese first.
pub const PREFERRED_LANGUAGE: &str = "vi";

impl SearchParams {
    /// The index's query for `reader`, or every value that does not hold.
    pub fn query(&self, reader: Reader) -> Result<Query> {
        let mut errors = Vec::new();
        let blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let mut date = |field: &str, value: &Option<String>| -> Option<NaiveDate> {
            let value = blank(value)?;
            match NaiveDate::parse_from_str(&value, "%Y-%m-%d") {
                Ok(date) => Some(date),
                Err(_) => {
                    errors.push(FieldError::new(
                        field,
                        format!("«{value}» is not a date (YYYY-MM-DD)"),
                    ));
                    None
                }
            }
        };
        let from = date("from", &self.from);
        let to = date("to", &self.to);
        let per_page = self.per_page.unwrap_or(20);
        if per_page == 0 || per_page > MAX_PAGE_SIZE {
            errors.push(FieldError::new(
                "per_page",
                format!("from 1 to {MAX_PAGE_SIZE} hits a page"),
            ));
        }
        let page = self.page.unwrap_or(1);
        if page == 0 || page > MAX_PAGES {
            errors.push(FieldError::new(
                "page",
                format!("pages are numbered from 1 to {MAX_PAGES}"),
            ));
        }
        let sort = match self.sort.as_deref().map(str::trim) {
            None | Some("") | Some("relevance") => Sort::Relevance,
            Some("newest") => Sort::Newest,
            Some(other) => {
                errors.push(FieldError::new(
                    "sort",
                    format!("«{other}» is neither relevance nor newest"),
                ));
                Sort::Relevance
            }
        };
        let language_first = match self.prefer_lang.as_deref().map(str::trim) {
            None | Some("") => Some(PREFERRED_LANGUAGE.to_owned()),
            Some("none") => None,
            Some(code)
                if (2..=3).contains(&code.len())
                    && code.bytes().all(|b| b.is_ascii_lowercase()) =>
            {
                Some(code.to_owned())
            }
            Some(other) => {
                errors.push(FieldError::new(
                    "prefer_lang",
                    format!("«{other}» is not a language code (vi, en…) or none"),
                ));
                None
            }
        };
        if self.q.chars().count() > 500 {
            errors.push(FieldError::new("q", "at most 500 characters"));
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        Ok(Query {
            text: dongbo_domain::text::nfc(&self.q),
            prefix: self.prefix.unwrap_or(false),
            filters: Filters {
                kind: blank(&self.kind),
                language: blank(&self.lang),
                topic: blank(&self.topic),
                country: blank(&self.country).map(|c| c.to_uppercase()),
                agency: blank(&self.agency),
                from,
                to,
            },
            reader,
            sort,
            offset: (page.max(1) - 1) * per_page,
            limit: per_page,
            facets: true,
            language_first,
        })
    }
}

impl Library {
    /// The items `caller` may read that match `params`: a page of hits, the total and the
    /// facets, none of which counts an item the caller may not read.
    pub async fn search(&self, caller: Option<&Caller>, params: &SearchParams) -> Result<Results> {
        let query = params.query(reader(&self.readership(caller)))?;
        let engine = self.engine()?;
        tokio::task::spawn_blocking(move || engine.search(&query))
            .await
            .map_err(|e| Error::Unavailable(dongbo_store::StoreError::Invalid(e.to_string())))?
            .map_err(search_failed)
    }

    fn engine(&self) -> Result<Arc<dyn Engine>> {
        self.index.clone().ok_or_else(|| {
            Error::Unavailable(dongbo_store::StoreError::Invalid(
                "this server has no search index".to_owned(),
            ))
        })
    }

    /// What keeps this library's index in step with the database; `None` without an index.
    pub fn indexer(&self) -> Option<Indexer> {
        Some(Indexer::new(self.db.clone(), self.index.clone()?))
    }

    /// Brings the index up to the database's last change (a write's own page shows it at
    /// once); the worker does the same on its schedule.
    pub async fn catch_up(&self) -> Result<u64> {
        Indexer::new(self.db.clone(), self.engine()?)
            .catch_up()
            .await
    }
}

fn search_failed(error: dongbo_search::SearchError) -> Error {
    Error::Unavailable(dongbo_store::StoreError::Invalid(error.to_string()))
}

/// Keeps one index in step with the database's change feed.
#[derive(Clone)]
pub struct Indexer {
    db: Db,
    engine: Arc<dyn Engine>,
}

impl std::fmt::Debug for Indexer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Indexer").finish_non_exhaustive()
    }
}

impl Indexer {
    pub fn new(db: Db, engine: Arc<dyn Engine>) -> Indexer {
        Indexer { db, engine }
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&dyn Engine) -> dongbo_search::Result<T> + Send + 'static,
    ) -> Result<T> {
        let engine = self.engine.clone();
        tokio::task::spawn_blocking(move || work(engine.as_ref()))
            .await
            .map_err(|e| Error::Unavailable(dongbo_store::StoreError::Invalid(e.to_string())))?
            .map_err(search_failed)
    }

    /// Applies every change after the index's cursor, in batches; returns how many. An index
    /// ahead of the database (a restored backup, another database) is emptied and rebuilt.
    pub async fn catch_up(&self) -> Result<u64> {
        let last = store::changes::last_seq(&self.db).await?;
        let mut cursor = self.blocking(|e| e.cursor()).await?;
        if cursor.is_some_and(|c| c > u64::try_from(last).unwrap_or_default())
            || (cursor.is_none() && self.blocking(|e| Ok(e.len())).await? > 0)
        {
            tracing::warn!(
                index = ?cursor,
                database = last,
                "the search index does not match the database; it is rebuilt"
            );
            self.blocking(|e| e.clear()).await?;
            cursor = None;
        }
        let mut after = cursor.map_or(0, |c| i64::try_from(c).unwrap_or(i64::MAX));
        // Up to date (every turn of the worker, mostly): no read of the feed.
        if after == last {
            return Ok(0);
        }
        let mut applied = 0u64;
        loop {
            let changes = store::changes::changes_after(&self.db, after, BATCH).await?;
            let Some(last) = changes.last().map(|c| c.seq) else {
                return Ok(applied);
            };
            let batch: Vec<IndexChange> = changes
                .iter()
                .map(|change| match (&change.op, &change.item) {
                    (ChangeOp::Upsert, Some(item)) => IndexChange::Upsert(Box::new(document(item))),
                    // An upsert whose item is gone since: its delete follows; remove it now.
                    _ => IndexChange::Delete(change.item_id),
                })
                .collect();
            applied += batch.len() as u64;
            let cursor = u64::try_from(last).unwrap_or_default();
            self.blocking(move |e| e.apply(&batch, cursor)).await?;
            after = last;
        }
    }

    /// Empties the index and applies the whole feed again.
    pub async fn rebuild(&self) -> Result<u64> {
        self.blocking(|e| e.clear()).await?;
        self.catch_up().await
    }

    /// Catches up every `every` until `shutdown` resolves; a failure is logged and tried
    /// again at the next turn (the server keeps serving, searches answer what is indexed).
    pub async fn run(self, every: Duration, shutdown: impl Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = &mut shutdown => return,
                _ = ticker.tick() => {
                    match self.catch_up().await {
                        Ok(0) => {}
                        Ok(applied) => tracing::debug!(applied, "library index caught up"),
                        Err(error) => tracing::warn!(%error, "library index: catching up failed"),
                    }
                }
            }
        }
    }
}
