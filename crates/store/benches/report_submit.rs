//! Benchmark: how long a progress report takes to be durable. Each `reports::submit` returns
//! only after its transaction has committed (SQLite: a database file in WAL mode with
//! `synchronous = FULL`, as `Db::connect` opens it, so the commit waits for the WAL's fsync).
//! Target: < 20 ms at p99. Also: the same with 8 concurrent submitters (throughput), and, to
//! see where a dashboard request spends its time, the dashboard's facts query and the figures
//! computed from them.
//!
//! On SQLite always; on PostgreSQL too when `DONGBO_BENCH_POSTGRES_URL` names a server (a
//! database is created on it for the run and dropped after). Prints `RESULT` lines read by
//! `cargo xtask bench`, which writes BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use dongbo_domain::Directory;
use dongbo_domain::dashboard::program_figures;
use dongbo_store::reports::{self, Edit, ReportContent, ReportPeriod};
use dongbo_store::{Db, assignments, dashboard};

/// Sequential submissions, each on its own assignment.
const SEQUENTIAL: usize = 500;
/// Concurrent submitters, and submissions each.
const SUBMITTERS: usize = 8;
const PER_SUBMITTER: usize = 100;
/// Timed reads of the dashboard's facts (after 5 warm-up reads).
const FACT_READS: usize = 50;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let db = Db::connect(&Db::default_url(dir.path()))
            .await
            .expect("opening the SQLite file");
        db.migrate().await.expect("migrating SQLite");
        run("sqlite", &db).await;
        db.close().await;

        match std::env::var("DONGBO_BENCH_POSTGRES_URL") {
            Ok(server) if !server.trim().is_empty() => {
                let name = format!("dongbo_bench_{}", std::process::id());
                let admin = Db::connect(&server)
                    .await
                    .expect("connecting to PostgreSQL");
                execute(&admin, &format!("DROP DATABASE IF EXISTS \"{name}\"")).await;
                execute(
                    &admin,
                    &format!("CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"),
                )
                .await;
                let db = Db::connect(&with_database(&server, &name))
                    .await
                    .expect("connecting to the bench database");
                db.migrate().await.expect("migrating PostgreSQL");
                let fsync = sqlx::query_scalar::<_, String>("SHOW fsync")
                    .fetch_one(db.pool())
                    .await
                    .unwrap_or_else(|_| "unknown".to_owned());
                let synchronous_commit = sqlx::query_scalar::<_, String>("SHOW synchronous_commit")
                    .fetch_one(db.pool())
                    .await
                    .unwrap_or_else(|_| "unknown".to_owned());
                println!(
                    "postgres: fsync={fsync} synchronous_commit={synchronous_commit} \
                     (durability is only real with both on)"
                );
                println!(
                    "RESULT postgres_settings fsync={} synchronous_commit={}",
                    u8::from(fsync == "on"),
                    u8::from(synchronous_commit == "on")
                );
                run("postgres", &db).await;
                db.close().await;
                execute(
                    &admin,
                    &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                )
                .await;
                admin.close().await;
            }
            _ => println!("postgres: not measured (DONGBO_BENCH_POSTGRES_URL is not set)"),
        }
    });
}

/// Loads 47/NQ-CP with every assignment into `db`, then times the submissions and the
/// dashboard's parts.
async fn run(backend: &str, db: &Db) {
    let directory = Directory::bundled();
    let program_id = dongbo_testkit::load_47_assigned(db, &directory).await;
    let all = assignments::for_program(db, program_id)
        .await
        .expect("the assignments of 47/NQ-CP");
    let needed = SEQUENTIAL + SUBMITTERS * PER_SUBMITTER + 10;
    assert!(
        all.len() >= needed,
        "47/NQ-CP has {} assignments; the bench needs {needed}",
        all.len()
    );
    let ids: Vec<i64> = all.iter().map(|a| a.id).collect();
    println!("{backend}: 47/NQ-CP loaded with {} assignments", ids.len());

    // Warm-up: the pool's connections opened, the statements prepared.
    for &id in &ids[..10] {
        submit(db, id).await;
    }

    let mut times: Vec<Duration> = Vec::with_capacity(SEQUENTIAL);
    for &id in &ids[10..10 + SEQUENTIAL] {
        let started = Instant::now();
        submit(db, id).await;
        times.push(started.elapsed());
    }
    let sequential = Summary::of(times);
    println!(
        "{backend}: {SEQUENTIAL} sequential submissions: {}",
        sequential.text()
    );
    println!(
        "RESULT report_submit_{backend} runs={SEQUENTIAL} {}",
        sequential.pairs()
    );

    let rest = &ids[10 + SEQUENTIAL..];
    let started = Instant::now();
    let mut submitters = tokio::task::JoinSet::new();
    for submitter in 0..SUBMITTERS {
        let db = db.clone();
        let mine: Vec<i64> =
            rest[submitter * PER_SUBMITTER..(submitter + 1) * PER_SUBMITTER].to_vec();
        submitters.spawn(async move {
            let mut times = Vec::with_capacity(mine.len());
            for id in mine {
                let started = Instant::now();
                submit(&db, id).await;
                times.push(started.elapsed());
            }
            times
        });
    }
    let mut times = Vec::new();
    while let Some(done) = submitters.join_next().await {
        times.extend(done.expect("a submitter finished"));
    }
    let wall = started.elapsed().as_secs_f64();
    let total = SUBMITTERS * PER_SUBMITTER;
    let concurrent = Summary::of(times);
    let per_second = total as f64 / wall;
    println!(
        "{backend}: {SUBMITTERS} concurrent submitters, {total} submissions in {wall:.2} s \
         ({per_second:.0}/s); each: {}",
        concurrent.text()
    );
    println!(
        "RESULT report_submit_concurrent_{backend} submitters={SUBMITTERS} runs={total} \
         per_second={per_second:.1} {}",
        concurrent.pairs()
    );

    // Where a dashboard request spends its time: reading the facts, computing the figures.
    let today = dongbo_domain::clock::today();
    for _ in 0..5 {
        black_box(dashboard::facts(db, program_id).await.expect("facts"));
    }
    let mut reads = Vec::with_capacity(FACT_READS);
    let mut fetches = Vec::with_capacity(FACT_READS);
    let mut computes = Vec::with_capacity(FACT_READS);
    let mut facts_count = 0;
    for _ in 0..FACT_READS {
        // The same query fetched through sqlx's `Any` driver, rows not decoded into facts: the
        // database and the driver, without the decoding.
        let started = Instant::now();
        black_box(
            sqlx::query(FACTS_SQL)
                .bind(program_id)
                .fetch_all(db.pool())
                .await
                .expect("the facts query"),
        );
        fetches.push(started.elapsed());
        let started = Instant::now();
        let facts = dashboard::facts(db, program_id).await.expect("facts");
        reads.push(started.elapsed());
        let started = Instant::now();
        black_box(program_figures(black_box(&facts), today));
        computes.push(started.elapsed());
        facts_count = facts.len();
    }
    let reads = Summary::of(reads);
    let fetches = Summary::of(fetches);
    let computes = Summary::of(computes);
    println!(
        "{backend}: dashboard::facts ({facts_count} facts): {}; its query alone, rows not \
         decoded: {}; figures: {}",
        reads.text(),
        fetches.text(),
        computes.text()
    );
    println!(
        "RESULT dashboard_parts_{backend} facts={facts_count} facts_median_ms={:.3} \
         facts_p95_ms={:.3} fetch_median_ms={:.3} fetch_p95_ms={:.3} figures_median_ms={:.3} \
         figures_p95_ms={:.3}",
        reads.median, reads.p95, fetches.median, fetches.p95, computes.median, computes.p95
    );
}

/// The query of `dashboard::facts` (kept in step by hand: it only splits the time of that
/// function into fetching and decoding).
const FACTS_SQL: &str = "SELECT a.agency_code, a.role, a.due_on AS assigned_due, t.code, \
    t.group_code, t.due_on AS task_due, t.start_on, t.recurrence, d.issued_on, \
    COALESCE(p.progress, 0) AS progress, COALESCE(p.started, 0) AS started, p.done_on \
    FROM assignments a \
    JOIN tasks t ON t.id = a.task_id \
    JOIN programs g ON g.id = a.program_id \
    JOIN documents d ON d.id = g.document_id \
    LEFT JOIN assignment_progress p ON p.assignment_id = a.id \
    WHERE a.program_id = $1 \
    ORDER BY t.position, a.role DESC, a.agency_code";

/// Submits a first report on the assignment; returns once it is committed.
async fn submit(db: &Db, assignment_id: i64) {
    let content = ReportContent {
        library_items: Vec::new(),
        results: "Đã ban hành kế hoạch triển khai và tổ chức thực hiện.".to_owned(),
        progress: 50,
        ..ReportContent::default()
    };
    let edit = Edit {
        assignment_id,
        period: ReportPeriod::Once,
        content: &content,
        author: "bench",
        based_on: None,
        idempotency_key: None,
    };
    reports::submit(db, &edit)
        .await
        .unwrap_or_else(|e| panic!("submitting a report on assignment {assignment_id}: {e}"));
}

/// Latencies in milliseconds.
struct Summary {
    min: f64,
    median: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

impl Summary {
    fn of(mut times: Vec<Duration>) -> Summary {
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let at = |q: f64| ms(times[((times.len() as f64 * q) as usize).min(times.len() - 1)]);
        Summary {
            min: ms(times[0]),
            median: at(0.5),
            p95: at(0.95),
            p99: at(0.99),
            max: ms(times[times.len() - 1]),
        }
    }

    fn text(&self) -> String {
        format!(
            "min {:.2} ms, median {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            self.min, self.median, self.p95, self.p99, self.max
        )
    }

    fn pairs(&self) -> String {
        format!(
            "min_ms={:.3} median_ms={:.3} p95_ms={:.3} p99_ms={:.3} max_ms={:.3}",
            self.min, self.median, self.p95, self.p99, self.max
        )
    }
}

async fn execute(db: &Db, sql: &str) {
    // The statements are ours (a database name made of letters, digits and `_`), never input.
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// `server` with its database part replaced by `database`.
fn with_database(server: &str, database: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}
