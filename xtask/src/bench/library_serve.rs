//! `cargo xtask bench library serve [--items N]`: the library's search as users reach it, through
//! the HTTP API of two release `dongbo serve` on one PostgreSQL, each with its own index:
//! - `dongbo gen --scale small --library-items N` writes the generated corpus (the one
//!   `crates/search/benches/library.rs` measures engine against engine);
//! - both servers index it from the change feed; then 1 and 16 clients of a government reader
//!   search server A through `GET /api/v1/library/search` (ten hits, snippets, every facet);
//! - an item pushed to server A (`POST /api/v1/library/items`, a real API token) is looked for
//!   on server B until found: the time from A's acknowledgement to B finding it.
//!
//! Written over its own section of `BENCHMARKS.md`, after the library's.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::http::{self, Connection, LoadRun};
use super::{
    BenchPostgres, add_user, create_database, dongbo, drop_database, merged, release_build,
    start_serve, today,
};
use crate::run as run_command;
use crate::services::workspace_root;

/// Items when `--items` is not given.
const DEFAULT_ITEMS: u64 = 50_000;
/// Targets of issue 20 (at 1,000,000 items on 2 cores).
const P99_TARGET_MS: f64 = 20.0;
const FOUND_TARGET_MS: f64 = 1000.0;
/// Items pushed to A and looked for on B.
const ROUNDS: usize = 30;
const CLIENTS: usize = 16;
const WARM_UP: Duration = Duration::from_secs(2);
const MEASURE: Duration = Duration::from_secs(10);

/// Where the section begins and ends in `BENCHMARKS.md`.
const BEGIN: &str = "<!-- cargo xtask bench library serve: begin -->";
const END: &str = "<!-- cargo xtask bench library serve: end -->";

const READER: &str = "bench-reader";
const PUSHER: &str = "bench-pusher";
const PASSWORD: &str = "Bench-library-2026-pw";

/// What an official types: the generated corpus's topic names (`dongbo_gen::library::TOPICS`)
/// with their diacritics, the same folded, and a few in English.
const QUERIES: [&str; 36] = [
    "thông tin đối ngoại",
    "thong tin doi ngoai",
    "ngoại giao văn hóa",
    "ngoai giao van hoa",
    "ngoại giao nhân dân",
    "ngoai giao nhan dan",
    "người Việt Nam ở nước ngoài",
    "nguoi viet nam o nuoc ngoai",
    "chủ quyền biển đảo",
    "chu quyen bien dao",
    "biên giới",
    "bien gioi",
    "hội nhập quốc tế",
    "hoi nhap quoc te",
    "du lịch",
    "du lich",
    "giáo dục",
    "giao duc",
    "chuyển đổi số",
    "chuyen doi so",
    "đầu tư nước ngoài",
    "dau tu nuoc ngoai",
    "biến đổi khí hậu",
    "bien doi khi hau",
    "quyền con người",
    "quyen con nguoi",
    "Đà Nẵng",
    "da nang",
    "phòng chống thiên tai",
    "phong chong thien tai",
    "\"hợp tác kinh tế\"",
    "external information",
    "cultural diplomacy",
    "climate change",
    "digital transformation",
    "tourism",
];

pub fn run(args: &[String]) -> Result<()> {
    let items = super::library::items_arg(
        args,
        DEFAULT_ITEMS,
        "cargo xtask bench library serve [--items N]",
    )?;
    let root = workspace_root();
    let started = Instant::now();
    let load_before = super::library::load_average();
    let postgres = BenchPostgres::find()?;
    let Some(server) = postgres.url() else {
        bail!(
            "two servers on one database need PostgreSQL: {}",
            postgres.why_not()
        );
    };
    let database = format!("dongbo_bench_library_serve_{}", std::process::id());
    let url = create_database(server, &database)?;
    let outcome = measure(root, items, &url);
    drop_database(server, &database);
    let figures = outcome?;
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    let block = section(&figures, items, minutes, &load_before);
    let path = root.join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
    std::fs::write(&path, with_section(&old, &block))
        .with_context(|| path.display().to_string())?;
    println!("{block}");
    println!("wrote the library serve section of {}", path.display());
    Ok(())
}

struct Figures {
    indexed: Duration,
    single: LoadRun,
    loaded: LoadRun,
    found: Vec<Duration>,
}

fn measure(root: &Path, items: u64, url: &str) -> Result<Figures> {
    let (binary, scratch) = release_build(root)?;
    let (a_dir, b_dir) = (scratch.join("a"), scratch.join("b"));
    std::fs::create_dir_all(&a_dir)?;
    std::fs::create_dir_all(&b_dir)?;
    println!("== dongbo gen --scale small --library-items {items}");
    run_command(
        dongbo(&binary, &a_dir, Some(url))
            .args(["gen", "--scale", "small", "--library-items"])
            .arg(items.to_string())
            .env("DONGBO_LOG", "warn"),
    )?;
    for (username, role, agency) in [(READER, "viewer", "BNG"), (PUSHER, "admin", "CP")] {
        add_user(
            dongbo(&binary, &a_dir, Some(url)),
            username,
            role,
            agency,
            PASSWORD,
        )?;
    }
    let output = dongbo(&binary, &a_dir, Some(url))
        .args(["user", "token", PUSHER, "--name", "bench"])
        .env("DONGBO_LOG", "warn")
        .output()
        .context("could not run dongbo user token")?;
    let token = String::from_utf8_lossy(&output.stdout)
        .lines()
        .last()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .context("dongbo user token printed no token")?
        .to_owned();

    println!("== two servers on one database, each indexing the {items} items");
    let started = Instant::now();
    let a = start_serve(&binary, &a_dir, Some(url))?;
    let b = start_serve(&binary, &b_dir, Some(url))?;
    let admin = http::login(a.port, PUSHER, PASSWORD)?;
    for server in [&a, &b] {
        let mut connection = Connection::new(server.port);
        loop {
            let answer =
                connection.get_json("/api/v1/library/search?q=&per_page=1", Some(&admin.cookie))?;
            if answer["total"].as_u64() >= Some(items) {
                break;
            }
            if started.elapsed() > Duration::from_secs(3600) {
                bail!(
                    "server on port {} had not indexed {items} items in an hour",
                    server.port
                );
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    let indexed = started.elapsed();
    println!("both indexes caught up in {:.1} s", indexed.as_secs_f64());

    let reader = http::login(a.port, READER, PASSWORD)?;
    let cookie = reader.cookie;
    let paths: Vec<(String, String)> = QUERIES
        .iter()
        .map(|q| {
            (
                (*q).to_owned(),
                format!("/api/v1/library/search?q={}", http::encode(q)),
            )
        })
        .collect();
    let single = merged(http::drive_mix(a.port, &paths, &cookie, 1, WARM_UP, MEASURE)?.iter());
    println!(
        "1 client: p50 {:.1} ms, p99 {:.1} ms, {:.0} queries/s, {} errors",
        single.quantile_ms(0.5),
        single.quantile_ms(0.99),
        single.per_second(),
        single.errors
    );
    let loaded =
        merged(http::drive_mix(a.port, &paths, &cookie, CLIENTS, WARM_UP, MEASURE)?.iter());
    println!(
        "{CLIENTS} clients: p50 {:.1} ms, p99 {:.1} ms, {:.0} queries/s, {} errors",
        loaded.quantile_ms(0.5),
        loaded.quantile_ms(0.99),
        loaded.per_second(),
        loaded.errors
    );
    if single.errors + loaded.errors > 0 {
        bail!(
            "searches failed under load: see the servers' logs in {}",
            scratch.display()
        );
    }

    println!("== pushed to A, looked for on B");
    let bearer = format!("Bearer {token}");
    let mut to_a = Connection::new(a.port);
    let mut on_b = Connection::new(b.port);
    let mut found = Vec::new();
    for round in 0..ROUNDS {
        let word = format!("timthay{}x{round}", std::process::id());
        let body = serde_json::json!({
            "system": "bench-push",
            "external_id": format!("round-{round}"),
            "item": {
                "title": format!("Tin thử {round}"),
                "body": format!("Bản tin {word} về thông tin đối ngoại, lần {round}."),
                "kind": "article",
                "owner": "BNG",
                "visibility": "public",
            },
        })
        .to_string();
        let answer = to_a.send(
            "POST",
            "/api/v1/library/items",
            &[("Authorization", &bearer)],
            Some(("application/json", body.as_bytes())),
        )?;
        if answer.status != 201 {
            bail!("pushing to A answered {}: {}", answer.status, answer.text());
        }
        let acknowledged = Instant::now();
        let path = format!("/api/v1/library/search?q={word}");
        loop {
            if on_b.get_json(&path, None)?["total"].as_u64() >= Some(1) {
                break;
            }
            if acknowledged.elapsed() > Duration::from_secs(30) {
                bail!("B had not found item {round} 30 s after A acknowledged it");
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        found.push(acknowledged.elapsed());
        // Pushes land at every point of the indexers' turns.
        std::thread::sleep(Duration::from_millis(37 * (round as u64 % 7)));
    }
    found.sort();
    println!(
        "found on B after: median {:.0} ms, slowest {:.0} ms",
        super::quantile_ms(&found, 0.5),
        super::quantile_ms(&found, 1.0)
    );
    drop((a, b));
    Ok(Figures {
        indexed,
        single,
        loaded,
        found,
    })
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**not met**" }
}

fn section(f: &Figures, items: u64, minutes: f64, load_before: &str) -> String {
    let p99 = f.loaded.quantile_ms(0.99);
    let slowest = super::quantile_ms(&f.found, 1.0);
    format!(
        "{BEGIN}\n## Library search through the server (issue 20)\n\n\
         - Method: `cargo xtask bench library serve --items {items}` builds `dongbo` (release), \
         writes {items} items of the generated corpus with `dongbo gen --scale small \
         --library-items {items}` into a new database of the PostgreSQL cluster `cargo xtask` \
         starts, and starts two `dongbo serve` on it, A and B, each indexing into its own \
         folder from the change feed. Then, on A: {n} queries (the corpus's topic names with \
         diacritics and folded, a phrase, English names), each `GET \
         /api/v1/library/search?q=…` as a signed-in government reader (ten hits with snippets, \
         the total and every facet counted over what the reader may read), by 1 client and then \
         by {CLIENTS} at once (keep-alive connections, {warm} s warm-up, {measure} s measured, \
         the clients in this process on the same 2 CPUs as both servers). Last, {ROUNDS} times: \
         an item pushed to A through the API with a real token (`POST /api/v1/library/items`), \
         then B searched for its one word every 2 ms; the delay runs from A's `201` to B's first \
         hit.\n\n\
         | What | Measured | Target | |\n|---|---|---|---|\n\
         | Both servers' indexes caught up with {items} items | {indexed:.0} s | | |\n\
         | Search with facets through the API, 1 client | p50 {s50:.1} ms, p99 {s99:.1} ms; {sq:.0} queries/s | | |\n\
         | Search with facets through the API, {CLIENTS} clients | p50 {l50:.1} ms, **p99 {p99:.1} ms**; {lq:.0} queries/s | < {P99_TARGET_MS:.0} ms p99 at 1,000,000 items | {v1} at {items} items |\n\
         | A new item found on the second server after its write was acknowledged | median {f50:.0} ms, **slowest {slowest:.0} ms** of {ROUNDS} | < {FOUND_TARGET_MS:.0} ms | {v2} |\n\n\
         Measured on {today} by `cargo xtask bench library serve --items {items}` in {minutes:.0} \
         min, on the machine described above (load average {load_before} at the start).\n{END}\n",
        n = QUERIES.len(),
        warm = WARM_UP.as_secs(),
        measure = MEASURE.as_secs(),
        indexed = f.indexed.as_secs_f64(),
        s50 = f.single.quantile_ms(0.5),
        s99 = f.single.quantile_ms(0.99),
        sq = f.single.per_second(),
        l50 = f.loaded.quantile_ms(0.5),
        lq = f.loaded.per_second(),
        v1 = verdict(p99 < P99_TARGET_MS),
        f50 = super::quantile_ms(&f.found, 0.5),
        v2 = verdict(slowest < FOUND_TARGET_MS),
        today = today(),
    )
}

/// `old` with the section replaced, or added after the library's section (else at the end).
fn with_section(old: &str, block: &str) -> String {
    if let (Some(begin), Some(end)) = (old.find(BEGIN), old.find(END))
        && end > begin
    {
        let after = old[end + END.len()..].trim_start_matches('\n');
        return format!("{}{}\n{}", &old[..begin], block.trim_end(), with_gap(after));
    }
    if let Some(at) = old.find(super::library::END) {
        let cut = at + super::library::END.len();
        let after = old[cut..].trim_start_matches('\n');
        return format!(
            "{}\n\n{}\n{}",
            &old[..cut],
            block.trim_end(),
            with_gap(after)
        );
    }
    format!("{}\n\n{}\n", old.trim_end(), block.trim_end())
}

fn with_gap(after: &str) -> String {
    if after.is_empty() {
        String::new()
    } else {
        format!("\n{after}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_is_replaced_in_place_or_added_after_the_librarys() {
        let library = format!(
            "# B\n\n{}\nx\n{}\n\n## Next\n",
            super::super::library::BEGIN,
            super::super::library::END
        );
        let first = with_section(&library, &format!("{BEGIN}\none\n{END}\n"));
        assert!(
            first.contains(&format!(
                "{}\n\n{BEGIN}\none\n{END}\n\n## Next",
                super::super::library::END
            )),
            "{first}"
        );
        let second = with_section(&first, &format!("{BEGIN}\ntwo\n{END}\n"));
        assert!(
            !second.contains("one") && second.contains("two") && second.ends_with("## Next\n"),
            "{second}"
        );
        let bare = with_section("# B\n", &format!("{BEGIN}\nthree\n{END}\n"));
        assert!(
            bare.ends_with(&format!("{BEGIN}\nthree\n{END}\n")),
            "{bare}"
        );
    }
}
