//! The library's full-text index, behind one narrow interface: documents in ([`Change`]s
//! applied up to a cursor), a [`Query`] in our own terms, [`Results`] out. The one engine today
//! is [`TantivyIndex`] (tantivy, embedded, its files under the data folder); a deployment that
//! outgrows one machine implements [`Engine`] over a cluster engine instead, and nothing above
//! this crate changes (`docs/SEARCH.md`).
//!
//! # Vietnamese
//!
//! Every text is indexed twice: **exactly** (NFC, lower case, one token per syllable, with
//! positions) and **folded** (the same syllables without diacritics, đ → d). A query word typed
//! without diacritics matches the folded form, so "da nang" finds "Đà Nẵng"; a word typed with
//! them matches only the exact form, so *đường*, *dương* and *đương* stay apart and "Đà Nẵng"
//! finds only itself. Where both forms match, the exact one scores higher. A query whose
//! accented words find nothing is run again folded, and says so ([`Results::folded`]), for the
//! user who put a tone mark on the wrong syllable. Texts in the languages tantivy stems (English,
//! Norwegian, French, German, Russian…) are also indexed stemmed, so "agreements" finds
//! "agreement"; other languages (Polish, Chinese…) are found by their words as written.
//!
//! # Who may read
//!
//! Every document carries its [`Visibility`]; every query carries its [`Reader`], and the
//! engine turns the reader into a filter **inside** the query: a document the reader may not
//! read is never a hit, never counted in the total and never counted in a facet.
#![forbid(unsafe_code)]

mod analysis;
mod query;
mod tantivy_index;

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::NaiveDate;
use serde::Serialize;

pub use tantivy_index::TantivyIndex;

/// What the index holds of one library item: its texts for matching and snippets, and the
/// fields it is filtered, counted and sorted by.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The item's id in the database.
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub body: String,
    /// ISO 639-1 ("vi", "en", "no"…).
    pub language: String,
    /// The item's kind as stored ("article", "white_paper"…).
    pub kind: String,
    /// Topic codes.
    pub topics: Vec<String>,
    /// ISO 3166 codes of the countries and regions it is about.
    pub countries: Vec<String>,
    /// The owner agency's code.
    pub agency: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub visibility: Visibility,
    /// Where the item came from, as shown with a hit: a file name, a URL, "system:external_id".
    pub source: String,
}

/// Who may read a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Anyone, signed in or not.
    Public,
    /// Anyone working in government (a signed-in user with a role).
    Government,
    /// Only the named agencies (by code, each covering what the [`Reader`] lists for it) and the
    /// owner agency.
    Agencies(Vec<String>),
}

/// Who is searching, as the caller's grants resolve: which documents they may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reader {
    /// Public documents only (an anonymous visitor, the CLI without an account).
    Public,
    /// Public and government documents, and those restricted to (or owned by) one of these
    /// agency codes — every agency the caller's grants cover, units included.
    Government { agencies: Vec<String> },
    /// Everything (a root administrator, the index's own checks).
    Everything,
}

/// A change to apply to the index, in the order the database recorded it.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Add the document, or replace the one with its id.
    Upsert(Box<Document>),
    /// Remove the document with this id (nothing if there is none).
    Delete(i64),
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Relevance,
    /// The most recently published first (undated last).
    Newest,
}

/// Filters: each one given narrows the hits to documents with that value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub kind: Option<String>,
    pub language: Option<String>,
    pub topic: Option<String>,
    pub country: Option<String>,
    pub agency: Option<String>,
    /// Published on or after.
    pub from: Option<NaiveDate>,
    /// Published on or before.
    pub to: Option<NaiveDate>,
}

/// A search in our own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// What the user typed. Words in double quotes are a phrase; empty text matches every
    /// document the reader may read (the filters and facets still apply).
    pub text: String,
    /// The last word is a beginning ("thông t" while the user is still typing).
    pub prefix: bool,
    pub filters: Filters,
    pub reader: Reader,
    pub sort: Sort,
    /// Hits skipped (paging).
    pub offset: usize,
    /// Hits returned at most.
    pub limit: usize,
    /// Count the facets of the matching documents.
    pub facets: bool,
    /// The reader's language (ISO 639-1): among hits by relevance, documents in it rank first
    /// where the match is as good ("Vietnamese first" on the Vietnamese page). `None`: no
    /// language is preferred.
    pub language_first: Option<String>,
}

impl Query {
    /// The first page of ten hits for `text`, with facets, for `reader`.
    pub fn new(text: impl Into<String>, reader: Reader) -> Query {
        Query {
            text: text.into(),
            prefix: false,
            filters: Filters::default(),
            reader,
            sort: Sort::Relevance,
            offset: 0,
            limit: 10,
            facets: true,
            language_first: None,
        }
    }
}

/// The facets counted over every matching document the reader may read.
pub const FACETS: [&str; 7] = [
    "kind",
    "language",
    "topic",
    "country",
    "agency",
    "year",
    "visibility",
];

/// What a search found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Results {
    /// Matching documents the reader may read (all of them, not only this page).
    pub total: u64,
    pub hits: Vec<Hit>,
    /// Per facet in [`FACETS`], each value with its number of matching documents, most first.
    pub facets: BTreeMap<String, Vec<(String, u64)>>,
    /// The accented words found nothing as typed, so the query was run without diacritics.
    pub folded: bool,
    /// For words typed without diacritics, how the hits write them with diacritics ("Đà
    /// Nẵng", "đa năng" for "da nang"), most often first: one click away from searching
    /// exactly what was meant. Read from this page's snippets; empty when the words were typed
    /// with diacritics or no hit writes them otherwise.
    pub readings: Vec<String>,
}

/// One matching document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: i64,
    pub score: f32,
    pub title: String,
    pub kind: String,
    pub language: String,
    pub published_on: Option<NaiveDate>,
    pub source: String,
    pub snippet: Snippet,
}

/// A passage of the document around the words found, with where they are in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges of `text` to highlight, in order, not overlapping.
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// The passage as pieces, each marked whether it is highlighted, for a page to escape and
    /// wrap (never HTML built here).
    pub fn pieces(&self) -> Vec<(&str, bool)> {
        let mut pieces = Vec::new();
        let mut at = 0;
        for range in &self.highlights {
            if range.start > at {
                pieces.push((&self.text[at..range.start], false));
            }
            pieces.push((&self.text[range.clone()], true));
            at = range.end;
        }
        if at < self.text.len() {
            pieces.push((&self.text[at..], false));
        }
        pieces
    }
}

/// What went wrong in the index; each says what was being done.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search index, {doing}: {source}")]
    Engine {
        doing: &'static str,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("the search index folder {path}: {source}")]
    Folder {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// The one interface the rest of Đồng Bộ uses: a full-text engine that applies changes in the
/// database's order, remembers how far it has applied them, and answers queries.
pub trait Engine: Send + Sync {
    /// Applies `changes` and records `cursor` (the last change's sequence number) with them,
    /// atomically: after a crash the index holds every change up to the cursor it reports, or
    /// none of this batch. The changes are visible to searches when this returns.
    fn apply(&self, changes: &[Change], cursor: u64) -> Result<()>;
    /// The cursor of the last batch applied; `None` for an empty or new index.
    fn cursor(&self) -> Result<Option<u64>>;
    /// Removes every document and the cursor (before a rebuild).
    fn clear(&self) -> Result<()>;
    /// Documents held, whoever may read them.
    fn len(&self) -> u64;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn search(&self, query: &Query) -> Result<Results>;
}
