//! Benchmark: the library's search on the generated corpus (`dongbo_gen::library`), three
//! engines side by side in one run, on the same items and the same queries (issue 20):
//!
//! - **tantivy**, ours: [`TantivyIndex`] fed through [`Engine::apply`] in batches;
//! - **PostgreSQL** full-text search: `unaccent` + the `simple` configuration, a stored
//!   `tsvector` (title weighted A, summary and body D) under a GIN index, `websearch_to_tsquery`,
//!   `ts_rank`, `ts_headline` for the snippets;
//! - **SQLite FTS5**: `unicode61 remove_diacritics 2`, đ/Đ folded to d/D before insert and in
//!   queries, `bm25` (title ×10), `snippet()`.
//!
//! Every engine gets the same reader filter (what a public or a government reader may read)
//! and counts the same seven facets over every match; the relational engines do it with one
//! GROUP BY per facet over the matches. Figures per engine: the indexing rate, the size on disk,
//! query p50/p99 with 1 and 16 concurrent clients, nDCG@10 of the labelled queries typed with
//! diacritics, without, and in English.
//!
//! Environment: `DONGBO_BENCH_LIBRARY_ITEMS` (default 20,000), `DONGBO_BENCH_LIBRARY_SEED`,
//! `DONGBO_BENCH_LIBRARY_ENGINES` (e.g. `tantivy,sqlite`), `DONGBO_BENCH_LIBRARY_DETAIL` (set:
//! print each query's nDCG@10 and time), `DONGBO_BENCH_LIBRARY_INDEX` (a folder: tantivy's index
//! is kept there and, when it already holds the items of this size, searched without indexing
//! again — for working on query speed; the indexing figures are then not measured),
//! `DONGBO_BENCH_LIBRARY_SHOW` (a labelled query's text: print its hits with their language,
//! topics, grade and which minimal-pair forms they hold — for working on relevance),
//! `DONGBO_BENCH_POSTGRES_URL` (a
//! database the bench may create its table and the `unaccent` extension in; without it
//! PostgreSQL is skipped and says why). Each engine prints a `RESULT library_<engine>` line that
//! `cargo xtask bench library` writes into `BENCHMARKS.md`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use dongbo_gen::library::{GeneratedItem, ItemVisibility, LabelledQuery, Typed, labelled_queries};
use dongbo_search::{Change, Document, Engine, Query, Reader, TantivyIndex, Visibility};

/// Items written per batch (one `apply`, one transaction).
const BATCH: u64 = 5_000;
/// Concurrent clients of the second load.
const CLIENTS: usize = 16;
/// Each load runs at least this long, and at least once through every query.
const LOAD_TIME: Duration = Duration::from_secs(10);
/// The reader of a government query: an official of one agency.
const GOVERNMENT_AGENCY: &str = "BNG";

type Failure = Box<dyn std::error::Error + Send + Sync>;
type Outcome<T> = Result<T, Failure>;

/// What a search engine under test must answer: the ids of the best `limit` hits for the
/// text, with the facets counted when asked, for the reader.
trait Searcher: Send + Sync {
    fn search(&self, text: &str, reader: &Reader, facets: bool) -> Outcome<Vec<i64>>;
}

fn main() {
    let items: u64 = env_number("DONGBO_BENCH_LIBRARY_ITEMS", 20_000);
    let seed: u64 = env_number("DONGBO_BENCH_LIBRARY_SEED", 2026);
    let engines = std::env::var("DONGBO_BENCH_LIBRARY_ENGINES")
        .unwrap_or_else(|_| "tantivy,postgres,sqlite".to_owned());
    let queries = labelled_queries();
    println!(
        "library bench: {items} items (seed {seed}), {} labelled queries",
        queries.len()
    );
    let started = Instant::now();
    let judgments = Judgments::of(&queries, items, seed);
    println!(
        "judged every item against every query in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "RESULT library items={items} seed={seed} queries={}",
        queries.len()
    );
    for engine in engines.split(',').map(str::trim) {
        let outcome = match engine {
            "tantivy" => tantivy(items, seed, &queries, &judgments),
            "postgres" => match std::env::var("DONGBO_BENCH_POSTGRES_URL") {
                Ok(url) if !url.trim().is_empty() => {
                    postgres::run(&url, items, seed, &queries, &judgments)
                }
                _ => {
                    println!(
                        "SKIPPED library_postgres no PostgreSQL server (DONGBO_BENCH_POSTGRES_URL unset)"
                    );
                    continue;
                }
            },
            "sqlite" => sqlite::run(items, seed, &queries, &judgments),
            other => Err(format!("no engine {other}").into()),
        };
        match outcome {
            Ok(figures) => figures.print(engine),
            Err(error) => {
                println!("SKIPPED library_{engine} {error}");
                std::process::exit(1);
            }
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// The items in batches, generated again for each engine (the same seed gives the same items),
/// so that a million items need not be held in memory.
fn batches(items: u64, seed: u64) -> impl Iterator<Item = Vec<GeneratedItem>> {
    let mut corpus = dongbo_gen::library::library_corpus(items, seed).peekable();
    std::iter::from_fn(move || {
        corpus.peek()?;
        Some(corpus.by_ref().take(BATCH as usize).collect())
    })
}

/// Every query's relevant items, by id, with their grade.
struct Judgments {
    by_query: Vec<HashMap<i64, u8>>,
    items: u64,
    seed: u64,
}

impl Judgments {
    fn of(queries: &[LabelledQuery], items: u64, seed: u64) -> Judgments {
        let mut by_query = vec![HashMap::new(); queries.len()];
        for batch in batches(items, seed) {
            for item in &batch {
                for (query, judged) in queries.iter().zip(by_query.iter_mut()) {
                    let grade = query.relevance(item);
                    if grade > 0 {
                        judged.insert(item.id, grade);
                    }
                }
            }
        }
        Judgments {
            by_query,
            items,
            seed,
        }
    }

    /// nDCG@10 of `hits` for query `index`: gains 2^grade − 1, discounted by log2(rank + 1).
    fn ndcg(&self, index: usize, hits: &[i64]) -> f64 {
        let judged = &self.by_query[index];
        let gain = |grade: u8| f64::from((1u32 << grade) - 1);
        let discount = |rank: usize| (rank as f64 + 2.0).log2();
        let dcg: f64 = hits
            .iter()
            .take(10)
            .enumerate()
            .map(|(rank, id)| gain(judged.get(id).copied().unwrap_or(0)) / discount(rank))
            .sum();
        let mut grades: Vec<u8> = judged.values().copied().collect();
        grades.sort_unstable_by(|a, b| b.cmp(a));
        let ideal: f64 = grades
            .iter()
            .take(10)
            .enumerate()
            .map(|(rank, grade)| gain(*grade) / discount(rank))
            .sum();
        if ideal == 0.0 { 0.0 } else { dcg / ideal }
    }
}

/// One engine's figures.
#[derive(Debug, Default)]
struct Figures {
    items: u64,
    /// From the first item written to the index searchable (and, for PostgreSQL, built).
    indexing: Duration,
    /// Of which building the index after loading (PostgreSQL's GIN).
    index_build: Duration,
    bytes: u64,
    /// Of which the full-text index alone, where the engine tells it apart.
    index_bytes: Option<u64>,
    one: Load,
    many: Load,
    /// One client, facets not counted (where the time goes).
    one_without_facets: Option<Load>,
    ndcg: BTreeMap<&'static str, f64>,
}

impl Figures {
    fn print(&self, engine: &str) {
        let mib = |b: u64| b as f64 / 1024.0 / 1024.0;
        let mut line = format!(
            "RESULT library_{engine} items={} index_s={:.2} build_s={:.2} rate={:.0} size_mib={:.1}",
            self.items,
            self.indexing.as_secs_f64(),
            self.index_build.as_secs_f64(),
            self.items as f64 / self.indexing.as_secs_f64(),
            mib(self.bytes),
        );
        if let Some(index) = self.index_bytes {
            line.push_str(&format!(" index_mib={:.1}", mib(index)));
        }
        for (name, load) in [("1", &self.one), ("16", &self.many)] {
            line.push_str(&format!(
                " p50_{name}={:.2} p99_{name}={:.2} qps_{name}={:.1} queries_{name}={}",
                load.quantile(0.50),
                load.quantile(0.99),
                load.per_second(),
                load.latencies.len()
            ));
        }
        if let Some(load) = &self.one_without_facets {
            line.push_str(&format!(
                " p50_nofacets={:.2} p99_nofacets={:.2}",
                load.quantile(0.50),
                load.quantile(0.99)
            ));
        }
        for (typed, ndcg) in &self.ndcg {
            line.push_str(&format!(" ndcg_{typed}={ndcg:.4}"));
        }
        println!("{line}");
    }
}

/// The latencies of one load.
#[derive(Debug, Default)]
struct Load {
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Load {
    fn quantile(&self, q: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        if sorted.is_empty() {
            return f64::NAN;
        }
        let at = ((sorted.len() as f64 * q) as usize).min(sorted.len() - 1);
        sorted[at].as_secs_f64() * 1000.0
    }

    fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }
}

/// The reader of the `n`th query of a load: public and government in turn.
fn reader(n: usize) -> Reader {
    if n.is_multiple_of(2) {
        Reader::Public
    } else {
        Reader::Government {
            agencies: vec![GOVERNMENT_AGENCY.to_owned()],
        }
    }
}

/// `clients` threads each sending the queries one after another (each starting at another
/// query), until every query was sent at least once and [`LOAD_TIME`] has passed.
fn load(
    searcher: &Arc<dyn Searcher>,
    queries: &[LabelledQuery],
    clients: usize,
    facets: bool,
) -> Outcome<Load> {
    let sent = Arc::new(AtomicUsize::new(0));
    let texts: Arc<Vec<String>> = Arc::new(queries.iter().map(|q| q.text.clone()).collect());
    // One query of the set first, outside the timing, so that nothing is measured cold.
    searcher.search(&texts[0], &Reader::Public, facets)?;
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|client| {
            let searcher = Arc::clone(searcher);
            let sent = Arc::clone(&sent);
            let texts = Arc::clone(&texts);
            std::thread::spawn(move || -> Outcome<Vec<Duration>> {
                let mut latencies = Vec::new();
                let mut n = client * texts.len() / clients;
                loop {
                    let total = sent.fetch_add(1, Ordering::Relaxed);
                    if total >= texts.len() && started.elapsed() >= LOAD_TIME {
                        return Ok(latencies);
                    }
                    let text = &texts[n % texts.len()];
                    let at = Instant::now();
                    searcher.search(text, &reader(n), facets)?;
                    latencies.push(at.elapsed());
                    n += 1;
                }
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for thread in threads {
        let client = thread.join().map_err(|_| "a client panicked")??;
        latencies.extend(client);
    }
    Ok(Load {
        latencies,
        elapsed: started.elapsed(),
    })
}

/// nDCG@10 of each typed class (read as everything may be read: the judgments ignore who may
/// read an item).
fn relevance(
    searcher: &dyn Searcher,
    queries: &[LabelledQuery],
    judgments: &Judgments,
) -> Outcome<BTreeMap<&'static str, f64>> {
    let mut sums: BTreeMap<&'static str, (f64, usize)> = BTreeMap::new();
    for (index, query) in queries.iter().enumerate() {
        let at = Instant::now();
        let hits = searcher.search(&query.text, &Reader::Everything, false)?;
        let took = at.elapsed();
        let typed = match query.typed {
            Typed::Diacritics => "diacritics",
            Typed::Folded => "folded",
            Typed::English => "english",
        };
        let ndcg = judgments.ndcg(index, &hits);
        if std::env::var("DONGBO_BENCH_LIBRARY_SHOW").ok().as_deref() == Some(query.text.as_str()) {
            let wanted: std::collections::HashSet<i64> = hits.iter().copied().collect();
            for item in dongbo_gen::library::library_corpus(judgments.items, judgments.seed) {
                if wanted.contains(&item.id) {
                    let at = hits.iter().position(|h| *h == item.id).unwrap_or(99);
                    let t = format!("{} {} {}", item.title, item.summary, item.body);
                    let t = t.to_lowercase();
                    let forms: Vec<&str> = ["đà nẵng", "đa năng", "da nang", "bão", "bảo"]
                        .into_iter()
                        .filter(|f| t.contains(f))
                        .collect();
                    println!(
                        "SHOW {at} id={} lang={} topics={:?} grade={:?} forms={forms:?} «{}»",
                        item.id,
                        item.language,
                        item.topics,
                        judgments.by_query[index].get(&item.id),
                        item.title
                    );
                }
            }
        }
        if std::env::var_os("DONGBO_BENCH_LIBRARY_DETAIL").is_some() {
            println!(
                "ndcg {typed} {ndcg:.3} {:.1} ms «{}»",
                took.as_secs_f64() * 1000.0,
                query.text
            );
        }
        let entry = sums.entry(typed).or_default();
        entry.0 += ndcg;
        entry.1 += 1;
    }
    Ok(sums
        .into_iter()
        .map(|(typed, (sum, n))| (typed, sum / n as f64))
        .collect())
}

/// Measures the loads and the relevance of a filled engine.
fn measure(
    searcher: Arc<dyn Searcher>,
    queries: &[LabelledQuery],
    judgments: &Judgments,
    figures: &mut Figures,
    without_facets: bool,
) -> Outcome<()> {
    figures.ndcg = relevance(searcher.as_ref(), queries, judgments)?;
    figures.one = load(&searcher, queries, 1, true)?;
    if without_facets {
        figures.one_without_facets = Some(load(&searcher, queries, 1, false)?);
    }
    figures.many = load(&searcher, queries, CLIENTS, true)?;
    Ok(())
}

fn folder_bytes(folder: &Path) -> u64 {
    std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| match entry.metadata() {
                    Ok(meta) if meta.is_dir() => folder_bytes(&entry.path()),
                    Ok(meta) => meta.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn document(item: &GeneratedItem) -> Document {
    Document {
        id: item.id,
        title: item.title.clone(),
        summary: item.summary.clone(),
        body: item.body.clone(),
        language: item.language.to_owned(),
        kind: item.kind.to_owned(),
        topics: item.topics.iter().map(|t| (*t).to_owned()).collect(),
        countries: item.countries.iter().map(|c| (*c).to_owned()).collect(),
        agency: Some(item.agency.to_owned()),
        published_on: Some(item.published_on),
        visibility: match &item.visibility {
            ItemVisibility::Public => Visibility::Public,
            ItemVisibility::Government => Visibility::Government,
            ItemVisibility::Restricted(codes) => {
                Visibility::Agencies(codes.iter().map(|c| (*c).to_owned()).collect())
            }
        },
        source: format!("gen:{}", item.id),
    }
}

/// The reader terms an item carries, as `dongbo_search` writes them: "public", "government",
/// "agency:CODE" per named agency, "owner:CODE".
fn readers_of(item: &GeneratedItem) -> Vec<String> {
    let mut readers = vec![format!("owner:{}", item.agency)];
    match &item.visibility {
        ItemVisibility::Public => readers.push("public".to_owned()),
        ItemVisibility::Government => readers.push("government".to_owned()),
        ItemVisibility::Restricted(codes) => {
            readers.extend(codes.iter().map(|c| format!("agency:{c}")));
        }
    }
    readers
}

/// The reader terms a reader may read; `None` for everything.
fn readable(reader: &Reader) -> Option<Vec<String>> {
    match reader {
        Reader::Everything => None,
        Reader::Public => Some(vec!["public".to_owned()]),
        Reader::Government { agencies } => {
            let mut terms = vec!["public".to_owned(), "government".to_owned()];
            for code in agencies {
                terms.push(format!("agency:{code}"));
                terms.push(format!("owner:{code}"));
            }
            Some(terms)
        }
    }
}

fn visibility_name(item: &GeneratedItem) -> &'static str {
    match item.visibility {
        ItemVisibility::Public => "public",
        ItemVisibility::Government => "government",
        ItemVisibility::Restricted(_) => "agencies",
    }
}

struct Tantivy(TantivyIndex);

impl Searcher for Tantivy {
    fn search(&self, text: &str, reader: &Reader, facets: bool) -> Outcome<Vec<i64>> {
        let mut query = Query::new(text, reader.clone());
        query.facets = facets;
        // As the API asks it from the Vietnamese page (its default).
        query.language_first = Some("vi".to_owned());
        let results = self.0.search(&query)?;
        Ok(results.hits.iter().map(|h| h.id).collect())
    }
}

fn tantivy(
    items: u64,
    seed: u64,
    queries: &[LabelledQuery],
    judgments: &Judgments,
) -> Outcome<Figures> {
    println!("== tantivy");
    let temporary = tempfile::tempdir()?;
    let kept = std::env::var_os("DONGBO_BENCH_LIBRARY_INDEX").map(std::path::PathBuf::from);
    let folder = kept.as_deref().unwrap_or(temporary.path());
    let index = TantivyIndex::open(folder)?;
    let mut figures = Figures {
        items,
        ..Figures::default()
    };
    let reuse = kept.is_some() && index.cursor()? == Some(items) && index.len() == items;
    if !reuse {
        index.clear()?;
    }
    let mut cursor = 0;
    for batch in batches(items, seed).take(if reuse { 0 } else { usize::MAX }) {
        let changes: Vec<Change> = batch
            .iter()
            .map(|item| Change::Upsert(Box::new(document(item))))
            .collect();
        cursor += changes.len() as u64;
        let started = Instant::now();
        index.apply(&changes, cursor)?;
        figures.indexing += started.elapsed();
    }
    if index.len() != items {
        return Err(format!("tantivy holds {} items, not {items}", index.len()).into());
    }
    figures.bytes = folder_bytes(folder);
    println!(
        "indexed {items} items in {:.1} s, {:.0} MiB",
        figures.indexing.as_secs_f64(),
        figures.bytes as f64 / 1048576.0
    );
    measure(
        Arc::new(Tantivy(index)),
        queries,
        judgments,
        &mut figures,
        true,
    )?;
    Ok(figures)
}

mod postgres {
    //! PostgreSQL full-text search as the issue describes it.

    use super::*;
    use sqlx::{Connection, PgConnection, Row};

    const TABLE: &str = "library_bench_items";

    fn runtime() -> Outcome<tokio::runtime::Runtime> {
        Ok(tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?)
    }

    pub(super) fn run(
        url: &str,
        items: u64,
        seed: u64,
        queries: &[LabelledQuery],
        judgments: &Judgments,
    ) -> Outcome<Figures> {
        println!("== PostgreSQL");
        let runtime = runtime()?;
        let mut figures = Figures {
            items,
            ..Figures::default()
        };
        runtime.block_on(fill(url, items, seed, &mut figures))?;
        let searcher: Arc<dyn Searcher> = Arc::new(Pg {
            url: url.to_owned(),
            connections: std::sync::Mutex::new(Vec::new()),
        });
        measure(searcher, queries, judgments, &mut figures, true)?;
        runtime.block_on(async {
            let mut db = PgConnection::connect(url).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP TABLE IF EXISTS {TABLE}")))
                .execute(&mut db)
                .await?;
            Outcome::Ok(())
        })?;
        Ok(figures)
    }

    async fn fill(url: &str, items: u64, seed: u64, figures: &mut Figures) -> Outcome<()> {
        let mut db = PgConnection::connect(url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE EXTENSION IF NOT EXISTS unaccent;
             DROP TABLE IF EXISTS {TABLE};
             CREATE TABLE {TABLE} (
                 id bigint PRIMARY KEY, title text NOT NULL, summary text NOT NULL,
                 body text NOT NULL, language text NOT NULL, kind text NOT NULL,
                 topics text[] NOT NULL, countries text[] NOT NULL, agency text NOT NULL,
                 published_on date NOT NULL, visibility text NOT NULL, readers text[] NOT NULL,
                 tsv tsvector NOT NULL)"
        )))
        .execute(&mut db)
        .await?;
        let folded: String = sqlx::query_scalar("SELECT unaccent('Đà Nẵng, đường, Ưu tiên')")
            .fetch_one(&mut db)
            .await?;
        if folded != "Da Nang, duong, Uu tien" {
            return Err(format!("unaccent folds Vietnamese as «{folded}»").into());
        }
        let insert = format!(
            "INSERT INTO {TABLE} (id, title, summary, body, language, kind, topics, countries,
                 agency, published_on, visibility, readers, tsv)
             SELECT id, title, summary, body, language, kind, string_to_array(topics, ','),
                 string_to_array(countries, ','), agency, published_on::date, visibility,
                 string_to_array(readers, ','),
                 setweight(to_tsvector('simple', unaccent(title)), 'A')
                 || setweight(to_tsvector('simple', unaccent(summary || ' ' || body)), 'D')
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                 $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                 $12::text[])
                 AS t(id, title, summary, body, language, kind, topics, countries, agency,
                 published_on, visibility, readers)"
        );
        for batch in batches(items, seed) {
            let started = Instant::now();
            let column = |f: &dyn Fn(&GeneratedItem) -> String| -> Vec<String> {
                batch.iter().map(f).collect()
            };
            sqlx::query(sqlx::AssertSqlSafe(insert.clone()))
                .bind(batch.iter().map(|i| i.id).collect::<Vec<i64>>())
                .bind(column(&|i| i.title.clone()))
                .bind(column(&|i| i.summary.clone()))
                .bind(column(&|i| i.body.clone()))
                .bind(column(&|i| i.language.to_owned()))
                .bind(column(&|i| i.kind.to_owned()))
                .bind(column(&|i| i.topics.join(",")))
                .bind(column(&|i| i.countries.join(",")))
                .bind(column(&|i| i.agency.to_owned()))
                .bind(column(&|i| i.published_on.to_string()))
                .bind(column(&|i| visibility_name(i).to_owned()))
                .bind(column(&|i| readers_of(i).join(",")))
                .execute(&mut db)
                .await?;
            figures.indexing += started.elapsed();
        }
        // The GIN index built once over the loaded table, as a bulk load is best done.
        let started = Instant::now();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "SET maintenance_work_mem = '512MB';
             CREATE INDEX {TABLE}_tsv ON {TABLE} USING gin (tsv);
             ANALYZE {TABLE};"
        )))
        .execute(&mut db)
        .await?;
        figures.index_build = started.elapsed();
        figures.indexing += figures.index_build;
        let (total, index): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT pg_total_relation_size('{TABLE}'), pg_relation_size('{TABLE}_tsv')"
        )))
        .fetch_one(&mut db)
        .await?;
        figures.bytes = u64::try_from(total).unwrap_or(0);
        figures.index_bytes = Some(u64::try_from(index).unwrap_or(0));
        println!(
            "loaded {items} items in {:.1} s (GIN index {:.1} s), {:.0} MiB",
            figures.indexing.as_secs_f64(),
            figures.index_build.as_secs_f64(),
            figures.bytes as f64 / 1048576.0
        );
        Ok(())
    }

    /// A client per thread: each thread takes a connection of its own and keeps it.
    struct Pg {
        url: String,
        connections: std::sync::Mutex<Vec<(PgConnection, tokio::runtime::Runtime)>>,
    }

    impl Searcher for Pg {
        fn search(&self, text: &str, reader: &Reader, facets: bool) -> Outcome<Vec<i64>> {
            let taken = self
                .connections
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .pop();
            let (mut db, runtime) = match taken {
                Some(pair) => pair,
                None => {
                    let runtime = runtime()?;
                    let db = runtime.block_on(PgConnection::connect(&self.url))?;
                    (db, runtime)
                }
            };
            let hits = runtime.block_on(search(&mut db, text, reader, facets));
            self.connections
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((db, runtime));
            hits
        }
    }

    /// The hits with their snippets, then (if asked) the total and the facets in one statement.
    async fn search(
        db: &mut PgConnection,
        text: &str,
        reader: &Reader,
        facets: bool,
    ) -> Outcome<Vec<i64>> {
        let readers = readable(reader);
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, ts_rank(tsv, q) AS rank,
                 ts_headline('simple', unaccent(summary || ' ' || body), q,
                     'MaxWords=35, MinWords=15') AS snippet
             FROM {TABLE}, websearch_to_tsquery('simple', unaccent($1)) AS q
             WHERE tsv @@ q AND ($2::text[] IS NULL OR readers && $2::text[])
             ORDER BY rank DESC, id LIMIT 10"
        )))
        .bind(text)
        .bind(&readers)
        .fetch_all(&mut *db)
        .await?;
        let hits = rows
            .iter()
            .map(|row| row.try_get::<i64, _>("id"))
            .collect::<Result<Vec<_>, _>>()?;
        if facets {
            let counts = sqlx::query(sqlx::AssertSqlSafe(format!(
                "WITH m AS MATERIALIZED (
                     SELECT kind, language, topics, countries, agency, published_on, visibility
                     FROM {TABLE}
                     WHERE tsv @@ websearch_to_tsquery('simple', unaccent($1))
                       AND ($2::text[] IS NULL OR readers && $2::text[]))
                 SELECT 'total' AS facet, '' AS value, count(*) AS n FROM m
                 UNION ALL SELECT 'kind', kind, count(*) FROM m GROUP BY kind
                 UNION ALL SELECT 'language', language, count(*) FROM m GROUP BY language
                 UNION ALL SELECT 'topic', t, count(*) FROM m, unnest(topics) AS t GROUP BY t
                 UNION ALL SELECT 'country', c, count(*) FROM m, unnest(countries) AS c GROUP BY c
                 UNION ALL SELECT 'agency', agency, count(*) FROM m GROUP BY agency
                 UNION ALL SELECT 'year', extract(year FROM published_on)::text, count(*)
                     FROM m GROUP BY 2
                 UNION ALL SELECT 'visibility', visibility, count(*) FROM m GROUP BY visibility"
            )))
            .bind(text)
            .bind(&readers)
            .fetch_all(&mut *db)
            .await?;
            if counts.is_empty() {
                return Err("PostgreSQL counted no facets".into());
            }
        }
        Ok(hits)
    }
}

mod sqlite {
    //! SQLite FTS5 with `unicode61 remove_diacritics 2`, đ folded by us.

    use super::*;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    use sqlx::{Connection, Row, SqliteConnection};

    fn runtime() -> Outcome<tokio::runtime::Runtime> {
        Ok(tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?)
    }

    /// đ/Đ as d/D: unicode61 removes diacritics but đ is a letter of its own to it.
    fn fold_d(text: &str) -> String {
        text.replace('đ', "d").replace('Đ', "D")
    }

    /// What was typed as an FTS5 query: each word a quoted string (all required), words in
    /// double quotes a phrase — the same reading as tantivy's and `websearch_to_tsquery`'s.
    fn fts5_query(text: &str) -> String {
        let text = fold_d(&dongbo_domain::text::nfc(text));
        let mut parts = Vec::new();
        for (index, piece) in text.split('"').enumerate() {
            let words: Vec<&str> = piece
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            if index % 2 == 1 && words.len() > 1 {
                parts.push(format!("\"{}\"", words.join(" ")));
            } else {
                parts.extend(words.iter().map(|w| format!("\"{w}\"")));
            }
        }
        parts.join(" ")
    }

    fn options(path: &Path) -> SqliteConnectOptions {
        SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
    }

    pub(super) fn run(
        items: u64,
        seed: u64,
        queries: &[LabelledQuery],
        judgments: &Judgments,
    ) -> Outcome<Figures> {
        println!("== SQLite FTS5");
        let folder = tempfile::tempdir()?;
        let path = folder.path().join("library.sqlite");
        let mut figures = Figures {
            items,
            ..Figures::default()
        };
        runtime()?.block_on(fill(&path, items, seed, &mut figures))?;
        let searcher: Arc<dyn Searcher> = Arc::new(Lite {
            path: path.clone(),
            connections: std::sync::Mutex::new(Vec::new()),
        });
        measure(searcher, queries, judgments, &mut figures, true)?;
        Ok(figures)
    }

    async fn fill(path: &Path, items: u64, seed: u64, figures: &mut Figures) -> Outcome<()> {
        let mut db = SqliteConnection::connect_with(&options(path)).await?;
        sqlx::raw_sql(
            "CREATE TABLE items (id INTEGER PRIMARY KEY, language TEXT NOT NULL,
                 kind TEXT NOT NULL, topics TEXT NOT NULL, countries TEXT NOT NULL,
                 agency TEXT NOT NULL, year TEXT NOT NULL, visibility TEXT NOT NULL,
                 readers TEXT NOT NULL);
             CREATE VIRTUAL TABLE items_fts USING fts5(title, body,
                 tokenize = 'unicode61 remove_diacritics 2');",
        )
        .execute(&mut db)
        .await?;
        for batch in batches(items, seed) {
            let started = Instant::now();
            let mut tx = db.begin().await?;
            for item in &batch {
                sqlx::query(
                    "INSERT INTO items (id, language, kind, topics, countries, agency, year,
                         visibility, readers) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .bind(item.id)
                .bind(item.language)
                .bind(item.kind)
                .bind(serde_json::to_string(&item.topics)?)
                .bind(serde_json::to_string(&item.countries)?)
                .bind(item.agency)
                .bind(chrono::Datelike::year(&item.published_on).to_string())
                .bind(visibility_name(item))
                .bind(serde_json::to_string(&readers_of(item))?)
                .execute(&mut *tx)
                .await?;
                sqlx::query("INSERT INTO items_fts (rowid, title, body) VALUES (?1, ?2, ?3)")
                    .bind(item.id)
                    .bind(fold_d(&item.title))
                    .bind(fold_d(&format!("{}\n{}", item.summary, item.body)))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            figures.indexing += started.elapsed();
        }
        sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut db)
            .await?;
        db.close().await?;
        figures.bytes = std::fs::metadata(path)?.len();
        println!(
            "indexed {items} items in {:.1} s, {:.0} MiB",
            figures.indexing.as_secs_f64(),
            figures.bytes as f64 / 1048576.0
        );
        Ok(())
    }

    struct Lite {
        path: std::path::PathBuf,
        connections: std::sync::Mutex<Vec<(SqliteConnection, tokio::runtime::Runtime)>>,
    }

    impl Searcher for Lite {
        fn search(&self, text: &str, reader: &Reader, facets: bool) -> Outcome<Vec<i64>> {
            let taken = self
                .connections
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .pop();
            let (mut db, runtime) = match taken {
                Some(pair) => pair,
                None => {
                    let runtime = runtime()?;
                    let db =
                        runtime.block_on(SqliteConnection::connect_with(&options(&self.path)))?;
                    (db, runtime)
                }
            };
            let hits = runtime.block_on(search(&mut db, text, reader, facets));
            self.connections
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((db, runtime));
            hits
        }
    }

    /// The reader filter over `items AS i`: its readers (a JSON array) meet the reader's.
    const READABLE: &str = "(?2 IS NULL OR EXISTS (SELECT 1 FROM json_each(i.readers) AS r
        WHERE r.value IN (SELECT value FROM json_each(?2))))";

    async fn search(
        db: &mut SqliteConnection,
        text: &str,
        reader: &Reader,
        facets: bool,
    ) -> Outcome<Vec<i64>> {
        let query = fts5_query(text);
        let readers = readable(reader)
            .map(|r| serde_json::to_string(&r))
            .transpose()?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT items_fts.rowid AS id, bm25(items_fts, 10.0, 1.0) AS score,
                 snippet(items_fts, 1, '[', ']', '…', 24) AS snippet
             FROM items_fts JOIN items AS i ON i.id = items_fts.rowid
             WHERE items_fts MATCH ?1 AND {READABLE}
             ORDER BY score, items_fts.rowid LIMIT 10"
        )))
        .bind(&query)
        .bind(&readers)
        .fetch_all(&mut *db)
        .await?;
        let hits = rows
            .iter()
            .map(|row| row.try_get::<i64, _>("id"))
            .collect::<Result<Vec<_>, _>>()?;
        if facets {
            let counts = sqlx::query(sqlx::AssertSqlSafe(format!(
                "WITH m AS MATERIALIZED (
                     SELECT i.* FROM items_fts JOIN items AS i ON i.id = items_fts.rowid
                     WHERE items_fts MATCH ?1 AND {READABLE})
                 SELECT 'total' AS facet, '' AS value, count(*) AS n FROM m
                 UNION ALL SELECT 'kind', kind, count(*) FROM m GROUP BY kind
                 UNION ALL SELECT 'language', language, count(*) FROM m GROUP BY language
                 UNION ALL SELECT 'topic', t.value, count(*) FROM m, json_each(m.topics) AS t
                     GROUP BY t.value
                 UNION ALL SELECT 'country', c.value, count(*)
                     FROM m, json_each(m.countries) AS c GROUP BY c.value
                 UNION ALL SELECT 'agency', agency, count(*) FROM m GROUP BY agency
                 UNION ALL SELECT 'year', year, count(*) FROM m GROUP BY year
                 UNION ALL SELECT 'visibility', visibility, count(*) FROM m GROUP BY visibility"
            )))
            .bind(&query)
            .bind(&readers)
            .fetch_all(&mut *db)
            .await?;
            if counts.is_empty() {
                return Err("SQLite counted no facets".into());
            }
        }
        Ok(hits)
    }
}
