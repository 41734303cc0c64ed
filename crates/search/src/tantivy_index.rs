//! The [`Engine`] on tantivy: one index in a folder, one writer, searchers reloaded after each
//! commit. The cursor of the last change applied is the commit's payload, so the documents
//! and the cursor are saved together or not at all.

use std::path::Path;
use std::sync::Mutex;

use chrono::{Datelike, NaiveDate};
use tantivy::aggregation::AggregationCollector;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::{AggregationResult, AggregationResults, BucketResult};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, INDEXED, IndexRecordOption, NumericOptions, STORED,
    STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{
    DateTime, DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument,
    Term,
};

use crate::analysis::{self, EXACT, FOLDED, PAIRS, PREFIXES, STEMMED};
use crate::query::Built;
use crate::{
    Change, Document, Engine, FACETS, Hit, Query, Result, Results, SearchError, Sort, Visibility,
};

/// The writer's memory: tantivy flushes a segment when it fills (two threads share it).
const WRITER_MEMORY: usize = 128 * 1024 * 1024;
/// A facet shows at most this many values.
const FACET_VALUES: u32 = 50;
/// A snippet's length in bytes of UTF-8.
const SNIPPET_BYTES: usize = 240;

/// The fields of the index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub(crate) id: Field,
    pub(crate) title: Field,
    pub(crate) title_folded: Field,
    pub(crate) title_prefixes: Field,
    /// Title, summary and body, exactly.
    pub(crate) text: Field,
    pub(crate) text_folded: Field,
    /// Title, summary and body as pairs of folded words side by side.
    pub(crate) text_pairs: Field,
    pub(crate) stemmed: Field,
    summary: Field,
    body: Field,
    pub(crate) language: Field,
    pub(crate) kind: Field,
    pub(crate) topic: Field,
    pub(crate) country: Field,
    pub(crate) agency: Field,
    /// "public", "government", "agency:CODE" per named agency, "owner:CODE".
    pub(crate) readers: Field,
    /// "public", "government" or "agencies", for the facet.
    visibility: Field,
    year: Field,
    pub(crate) published: Field,
    source: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |analyzer: &str, stored: bool| {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let keyword = STRING | STORED;
    let facet = || STRING.set_fast("raw");
    let fields = Fields {
        id: builder.add_i64_field(
            "id",
            NumericOptions::default()
                .set_indexed()
                .set_stored()
                .set_fast(),
        ),
        title: builder.add_text_field("title", text(EXACT, true)),
        title_folded: builder.add_text_field("title_folded", text(FOLDED, false)),
        title_prefixes: builder.add_text_field(
            "title_prefixes",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(PREFIXES)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
        text: builder.add_text_field("text", text(EXACT, false)),
        text_folded: builder.add_text_field("text_folded", text(FOLDED, false)),
        // Counted, without positions: a pair is already two words side by side.
        text_pairs: builder.add_text_field(
            "text_pairs",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(PAIRS)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        stemmed: builder.add_text_field("stemmed", text(STEMMED, false)),
        summary: builder.add_text_field("summary", STORED),
        body: builder.add_text_field("body", STORED),
        language: builder.add_text_field("language", facet().set_stored()),
        kind: builder.add_text_field("kind", facet().set_stored()),
        topic: builder.add_text_field("topic", facet()),
        country: builder.add_text_field("country", facet()),
        agency: builder.add_text_field("agency", facet()),
        readers: builder.add_text_field("readers", STRING),
        visibility: builder.add_text_field("visibility", facet()),
        year: builder.add_u64_field("year", INDEXED | tantivy::schema::FAST),
        published: builder.add_date_field(
            "published",
            DateOptions::default()
                .set_indexed()
                .set_stored()
                .set_fast()
                .set_precision(DateTimePrecision::Seconds),
        ),
        source: builder.add_text_field("source", keyword),
    };
    (builder.build(), fields)
}

/// What one pass over the matches gives: their number, the hits by `T` and the facets.
type Collected<T> = (usize, Vec<(T, DocAddress)>, Option<AggregationResults>);

/// The full-text index of the library in a folder of its own.
pub struct TantivyIndex {
    index: Index,
    fields: Fields,
    /// Taken at the first write: a process that only searches (the command line beside a
    /// running server) never holds the folder's write lock.
    writer: Mutex<Option<IndexWriter>>,
    reader: IndexReader,
}

impl std::fmt::Debug for TantivyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TantivyIndex")
            .field("documents", &self.len())
            .finish_non_exhaustive()
    }
}

fn engine(doing: &'static str) -> impl FnOnce(tantivy::TantivyError) -> SearchError {
    move |source| SearchError::Engine { doing, source }
}

impl TantivyIndex {
    /// Opens the index in `folder`, creating it if there is none. An index made by another
    /// version of this schema is removed and created empty: its cursor is then `None`, and the
    /// caller rebuilds it from the database.
    pub fn open(folder: &Path) -> Result<TantivyIndex> {
        let folder_error = |source| SearchError::Folder {
            path: folder.display().to_string(),
            source,
        };
        std::fs::create_dir_all(folder).map_err(folder_error)?;
        let (schema, fields) = schema();
        let index = match Index::open_in_dir(folder) {
            Ok(index) if index.schema() == schema => index,
            Ok(_) | Err(tantivy::TantivyError::OpenDirectoryError(_)) | Err(_) => {
                if folder.join("meta.json").exists() {
                    tracing::warn!(
                        folder = %folder.display(),
                        "the search index was made by another version or is damaged; it is made again"
                    );
                    std::fs::remove_dir_all(folder).map_err(folder_error)?;
                    std::fs::create_dir_all(folder).map_err(folder_error)?;
                }
                Index::create_in_dir(folder, schema).map_err(engine("creating the index"))?
            }
        };
        Self::with_index(index, fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<TantivyIndex> {
        for (name, analyzer) in analysis::analyzers() {
            index.tokenizers().register(name, analyzer);
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(engine("opening its reader"))?;
        Ok(TantivyIndex {
            index,
            fields,
            writer: Mutex::new(None),
            reader,
        })
    }

    /// The writer, opened on first use. Another process writing the same folder is an error
    /// (tantivy's lock file), never two writers.
    fn writer(&self) -> Result<std::sync::MutexGuard<'_, Option<IndexWriter>>> {
        let mut guard = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.is_none() {
            *guard = Some(
                self.index
                    .writer_with_num_threads(2, WRITER_MEMORY)
                    .map_err(engine("opening its writer"))?,
            );
        }
        Ok(guard)
    }

    /// Reads again what another process committed to the folder (a process that only
    /// searches calls this before searching; the writing process's own commits are read at once).
    pub fn refresh(&self) -> Result<()> {
        self.reader.reload().map_err(engine("reloading"))
    }

    fn document(&self, document: &Document) -> TantivyDocument {
        let f = &self.fields;
        let nfc = dongbo_domain::text::nfc;
        let title = nfc(&document.title);
        let text = nfc(&format!("{}\n{}", document.summary, document.body));
        let mut doc = TantivyDocument::new();
        doc.add_i64(f.id, document.id);
        doc.add_text(f.title, &title);
        doc.add_text(f.title_folded, &title);
        doc.add_text(f.title_prefixes, &title);
        // The texts hold the title too (a value of its own, so that no phrase or pair runs
        // from the title into the summary): a word is then matched in one field.
        for value in [&title, &text] {
            doc.add_text(f.text, value);
            doc.add_text(f.text_folded, value);
            doc.add_text(f.text_pairs, value);
        }
        if let Some(value) =
            analysis::stemmed_value(&document.language, &format!("{title}\n{text}"))
        {
            doc.add_text(f.stemmed, value);
        }
        doc.add_text(f.summary, nfc(&document.summary));
        doc.add_text(f.body, nfc(&document.body));
        doc.add_text(f.language, &document.language);
        doc.add_text(f.kind, &document.kind);
        for topic in &document.topics {
            doc.add_text(f.topic, topic);
        }
        for country in &document.countries {
            doc.add_text(f.country, country);
        }
        if let Some(agency) = &document.agency {
            doc.add_text(f.agency, agency);
            doc.add_text(f.readers, format!("owner:{agency}"));
        }
        match &document.visibility {
            Visibility::Public => {
                doc.add_text(f.readers, "public");
                doc.add_text(f.visibility, "public");
            }
            Visibility::Government => {
                doc.add_text(f.readers, "government");
                doc.add_text(f.visibility, "government");
            }
            Visibility::Agencies(codes) => {
                for code in codes {
                    doc.add_text(f.readers, format!("agency:{code}"));
                }
                doc.add_text(f.visibility, "agencies");
            }
        }
        if let Some(date) = document.published_on {
            doc.add_u64(f.year, u64::try_from(date.year()).unwrap_or_default());
            doc.add_date(f.published, date_time(date));
        }
        doc.add_text(f.source, &document.source);
        doc
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        score: f32,
        built: &Built,
    ) -> Result<Hit> {
        let f = &self.fields;
        let doc: TantivyDocument = searcher.doc(address).map_err(engine("reading a hit"))?;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let body = text(f.body);
        let summary = text(f.summary);
        let snippet = built.snippet(&summary, &body, SNIPPET_BYTES);
        Ok(Hit {
            id: doc
                .get_first(f.id)
                .and_then(|v| v.as_i64())
                .unwrap_or_default(),
            score,
            title: text(f.title),
            kind: text(f.kind),
            language: text(f.language),
            published_on: doc
                .get_first(f.published)
                .and_then(|v| v.as_datetime())
                .and_then(|d| chrono::DateTime::from_timestamp(d.into_timestamp_secs(), 0))
                .map(|d| d.date_naive()),
            source: text(f.source),
            snippet,
        })
    }

    /// Runs the query with `top` choosing the hits, counting every match and, if asked, the
    /// facets over them, in one pass.
    fn collect<T: Send + 'static>(
        &self,
        searcher: &tantivy::Searcher,
        built: &Built,
        facets: bool,
        top: impl tantivy::collector::Collector<Fruit = Vec<(T, DocAddress)>>,
    ) -> Result<Collected<T>> {
        let aggregations =
            facets.then(|| AggregationCollector::from_aggs(facet_request(), Default::default()));
        searcher
            .search(built.query.as_ref(), &(Count, top, aggregations))
            .map_err(engine("searching"))
    }

    fn run(&self, query: &Query, fold_all: bool) -> Result<Results> {
        let searcher = self.reader.searcher();
        let built = crate::query::build(&self.fields, query, fold_all);
        let limit = query.limit.max(1);
        let top = TopDocs::with_limit(limit).and_offset(query.offset);
        let facets = query.facets;
        let collected = if query.sort == Sort::Newest || built.matches_everything {
            let newest = top.order_by_fast_field::<DateTime>("published", Order::Desc);
            let (total, top, facets) = self.collect(&searcher, &built, facets, newest)?;
            let top = top.into_iter().map(|(_, address)| (0.0, address));
            (total, top.collect(), facets)
        } else if let Some(language) = &query.language_first {
            self.collect(&searcher, &built, facets, language_first(top, language))?
        } else {
            self.collect(&searcher, &built, facets, top.order_by_score())?
        };
        let (total, top, facets) = collected;
        let hits = top
            .into_iter()
            .map(|(score, address)| self.hit(&searcher, address, score, &built))
            .collect::<Result<Vec<_>>>()?;
        let facets = match facets {
            Some(results) => facet_counts(results),
            None => Default::default(),
        };
        let readings = built.readings(&hits);
        Ok(Results {
            total: total as u64,
            hits,
            facets,
            folded: fold_all,
            readings,
        })
    }
}

/// Midnight UTC of a date, as the index stores dates.
pub(crate) fn date_time(date: NaiveDate) -> DateTime {
    DateTime::from_timestamp_secs(
        date.and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc()
            .timestamp(),
    )
}

/// How much more a document in the reader's language scores than one in another language that
/// matches as well: enough that "da nang" typed on the Vietnamese page shows the Vietnamese
/// items on Đà Nẵng before the English ones on "Da Nang", too little to lift a poor match in
/// the reader's language over a good one in another.
const LANGUAGE_FIRST: f32 = 2.0;

/// Hits by relevance, documents in `language` scored [`LANGUAGE_FIRST`] times higher.
fn language_first(
    top: TopDocs,
    language: &str,
) -> impl tantivy::collector::Collector<Fruit = Vec<(f32, DocAddress)>> {
    let language = language.to_owned();
    top.tweak_score(move |segment: &tantivy::SegmentReader| {
        let column = segment.fast_fields().str("language").ok().flatten();
        // The language's number in this segment's dictionary of the column, if it holds it.
        let ordinal = column
            .as_ref()
            .and_then(|c| c.dictionary().term_ord(language.as_bytes()).ok().flatten());
        move |doc: tantivy::DocId, score: tantivy::Score| match (&column, ordinal) {
            (Some(column), Some(ordinal)) if column.term_ords(doc).next() == Some(ordinal) => {
                score * LANGUAGE_FIRST
            }
            _ => score,
        }
    })
}

/// One terms aggregation per facet.
fn facet_request() -> Aggregations {
    let request: serde_json::Map<String, serde_json::Value> = FACETS
        .iter()
        .map(|facet| {
            (
                (*facet).to_owned(),
                // Each facet is counted over the fast field of its name.
                serde_json::json!({ "terms": { "field": facet, "size": FACET_VALUES } }),
            )
        })
        .collect();
    serde_json::from_value(serde_json::Value::Object(request))
        .expect("the facet request is a valid terms aggregation")
}

fn facet_counts(
    results: AggregationResults,
) -> std::collections::BTreeMap<String, Vec<(String, u64)>> {
    use tantivy::aggregation::Key;
    let mut facets = std::collections::BTreeMap::new();
    for (name, result) in results.0 {
        let AggregationResult::BucketResult(BucketResult::Terms { buckets, .. }) = result else {
            continue;
        };
        let values = buckets
            .into_iter()
            .filter(|b| b.doc_count > 0)
            .map(|bucket| {
                let key = match bucket.key {
                    Key::Str(s) => s,
                    Key::U64(n) => n.to_string(),
                    Key::I64(n) => n.to_string(),
                    Key::F64(n) => n.to_string(),
                };
                (key, bucket.doc_count)
            })
            .collect();
        facets.insert(name, values);
    }
    facets
}

impl Engine for TantivyIndex {
    fn apply(&self, changes: &[Change], cursor: u64) -> Result<()> {
        let mut guard = self.writer()?;
        let writer = guard.as_mut().expect("the writer was just opened");
        for change in changes {
            match change {
                Change::Upsert(document) => {
                    writer.delete_term(Term::from_field_i64(self.fields.id, document.id));
                    writer
                        .add_document(self.document(document))
                        .map_err(engine("adding a document"))?;
                }
                Change::Delete(id) => {
                    writer.delete_term(Term::from_field_i64(self.fields.id, *id));
                }
            }
        }
        let mut commit = writer.prepare_commit().map_err(engine("saving changes"))?;
        commit.set_payload(&cursor.to_string());
        commit.commit().map_err(engine("saving changes"))?;
        drop(guard);
        self.reader
            .reload()
            .map_err(engine("reloading after a commit"))
    }

    fn cursor(&self) -> Result<Option<u64>> {
        let metas = self
            .index
            .load_metas()
            .map_err(engine("reading its cursor"))?;
        Ok(metas.payload.and_then(|p| p.parse().ok()))
    }

    fn clear(&self) -> Result<()> {
        let mut guard = self.writer()?;
        let writer = guard.as_mut().expect("the writer was just opened");
        writer
            .delete_all_documents()
            .map_err(engine("removing every document"))?;
        writer.commit().map_err(engine("removing every document"))?;
        drop(guard);
        self.reader
            .reload()
            .map_err(engine("reloading after a commit"))
    }

    fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn search(&self, query: &Query) -> Result<Results> {
        let results = self.run(query, false)?;
        if results.total == 0 && crate::query::has_accented_words(&query.text) {
            return self.run(query, true);
        }
        Ok(results)
    }
}
