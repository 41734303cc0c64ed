//! Pull sources against a real feed server on loopback (an axum server in the test), on SQLite
//! and PostgreSQL: RSS, Atom, JSON Feed and a sitemap index become items found by their pages'
//! text; a second poll is conditional and a 304 changes nothing; an edited entry updates its
//! item; failures back off and disable the source; a slow source times out within its bound
//! while another poll goes on; HTML served as a feed, 100,000 entries, a loopback address
//! without the allow list and a redirect to a private address each end as they must.
//!
//! A source's visibility is its items': an intranet feed's entries are the government's, never
//! public; changing it changes the items it made alone, at once, and those that came from
//! elsewhere too keep theirs.
//!
//! Over https (the same site behind a TLS proxy on loopback, its certificates made at test
//! time, the client trusting the test's CA through the CA file): a feed is polled and its
//! entries stored; a certificate for another host, a self-signed one, an expired one and one
//! not valid yet are refused saying why, nothing stored, the failure counted; a redirect from https to http is
//! refused; a CA file that cannot be used is an error naming it.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use dongbo_domain::access::{ROOT_AGENCY, Role};
use dongbo_domain::library::Visibility;
use dongbo_library::feeds::address::AddressPolicy;
use dongbo_library::feeds::fetch::FetchLimits;
use dongbo_library::feeds::{PollSettings, Poller, SourceInput};
use dongbo_library::http::{Trust, TrustError};
use dongbo_library::search::SearchParams;
use dongbo_library::{Error, Library};
use dongbo_store::Db;
use dongbo_store::library::items;
use dongbo_store::library::sources;

dongbo_testkit::backend_tests!(
    entries_of_rss_atom_json_feed_and_a_sitemap_become_items_found_by_their_pages_text,
    a_second_poll_is_conditional_a_304_changes_nothing_and_an_edited_entry_updates_its_item,
    failures_back_off_disable_the_source_and_an_admin_enables_it_again,
    a_slow_source_times_out_within_its_bound_while_another_poll_goes_on,
    html_served_as_a_feed_is_a_clear_error_naming_the_source,
    a_feed_of_100000_entries_is_read_up_to_the_bound_and_the_rest_logged_as_skipped,
    a_loopback_source_is_refused_without_the_allow_list_and_polled_with_it,
    a_redirect_to_a_private_address_is_refused_before_any_connection,
    of_two_servers_only_one_claims_a_due_source,
    a_feed_over_https_is_polled_and_its_entries_stored,
    a_certificate_for_another_host_is_refused_nothing_stored_and_the_failure_counted,
    self_signed_expired_and_not_yet_valid_certificates_are_refused_saying_why,
    a_redirect_from_https_to_http_is_refused,
    an_intranet_source_makes_no_public_item_and_a_changed_visibility_follows_its_items,
);

/// What the feed server serves and what it was asked.
#[derive(Default)]
struct Site {
    /// Path → (body, content type, ETag).
    documents: HashMap<String, (String, &'static str, String)>,
    /// The conditional headers of each request for a path: (If-None-Match, If-Modified-Since).
    asked: Vec<(String, Option<String>, Option<String>)>,
}

type Shared = Arc<Mutex<Site>>;

/// The "content type" of a document that is a redirect to the address its body holds.
const REDIRECT: &str = "redirect";

const LAST_MODIFIED: &str = "Mon, 07 Dec 2026 01:00:00 GMT";

async fn serve_site(State(site): State<Shared>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().to_owned();
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    site.lock().unwrap().asked.push((
        path.clone(),
        text(header::IF_NONE_MATCH),
        text(header::IF_MODIFIED_SINCE),
    ));
    match path.as_str() {
        "/slow.xml" => {
            tokio::time::sleep(Duration::from_secs(20)).await;
            return (StatusCode::OK, "<rss/>").into_response();
        }
        "/broken.xml" => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        "/to-private.xml" => {
            return (
                StatusCode::FOUND,
                [(header::LOCATION, "http://10.0.0.1/feed.xml")],
            )
                .into_response();
        }
        _ => {}
    }
    if let Some(n) = path.strip_prefix("/pages/") {
        let html = format!(
            "<!doctype html><html><head><title>Trang {n}</title></head><body><nav>Menu</nav>\
             <article><p>Bài {n}: Bộ Ngoại giao thông tin về hợp tác kinh tế, từ khoá \
             trang{n}riêng.</p></article></body></html>"
        );
        return ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    }
    let found = site.lock().unwrap().documents.get(&path).cloned();
    let Some((body, content_type, etag)) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if content_type == REDIRECT {
        return (StatusCode::FOUND, [(header::LOCATION, body)]).into_response();
    }
    if text(header::IF_NONE_MATCH).as_deref() == Some(etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::ETAG, etag),
            (header::LAST_MODIFIED, LAST_MODIFIED.to_owned()),
        ],
        body,
    )
        .into_response()
}

/// A feed server on a loopback port, its documents as given.
async fn site(documents: &[(&str, String, &'static str)]) -> (SocketAddr, Shared) {
    let shared: Shared = Arc::default();
    {
        let mut site = shared.lock().unwrap();
        for (path, body, content_type) in documents {
            site.documents.insert(
                (*path).to_owned(),
                (body.clone(), *content_type, "\"v1\"".to_owned()),
            );
        }
    }
    let app = Router::new()
        .fallback(serve_site)
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (address, shared)
}

fn rss(base: &str, items: &[(u32, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(n, title)| {
            format!(
                "<item><title>{title}</title><link>{base}/pages/{n}</link><guid>rss-{n}</guid>\
                 <pubDate>0{n} Dec 2026 08:00:00 +0700</pubDate>\
                 <description>&lt;p&gt;Tóm tắt {n}&lt;/p&gt;</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>\
         <title>Tin tức</title>{items}</channel></rss>"
    )
}

fn loopback() -> AddressPolicy {
    AddressPolicy::allowing(vec!["127.0.0.0/8".parse().unwrap()])
}

fn settings() -> PollSettings {
    PollSettings {
        limits: FetchLimits {
            total: Duration::from_secs(2),
            connect: Duration::from_secs(1),
            host_pause: Duration::from_millis(5),
            ..FetchLimits::default()
        },
        entries: 50,
        failures_to_disable: 3,
        ..PollSettings::default()
    }
}

struct Setup {
    library: Library,
    poller: Poller,
    _files: tempfile::TempDir,
}

async fn setup(db: &Db, policy: AddressPolicy) -> Setup {
    setup_trusting(db, policy, Trust::system()).await
}

/// A setup whose https client trusts `trust`.
async fn setup_trusting(db: &Db, policy: AddressPolicy, trust: Trust) -> Setup {
    let files = tempfile::tempdir().unwrap();
    let index = dongbo_search::TantivyIndex::open(&files.path().join("index")).unwrap();
    let library = common::library(db, files.path())
        .with_index(Arc::new(index))
        .with_address_policy(policy)
        .with_trust(trust);
    library.seed_topics().await.unwrap();
    let poller = Poller::new(library.clone(), settings()).unwrap();
    Setup {
        library,
        poller,
        _files: files,
    }
}

fn librarian() -> dongbo_store::accounts::Caller {
    common::caller("thu.thu", &[(Role::Librarian, "BNG")])
}

async fn add(library: &Library, kind: &str, url: String, name: &str) -> i64 {
    library
        .add_source(
            &librarian(),
            &SourceInput {
                owner: "BNG".to_owned(),
                kind: kind.to_owned(),
                url,
                name: name.to_owned(),
                poll_minutes: Some(30),
                visibility: Some("public".to_owned()),
                visible_to: Vec::new(),
            },
        )
        .await
        .unwrap()
        .id
}

async fn source(db: &Db, id: i64) -> sources::Source {
    sources::get(db, id).await.unwrap().unwrap()
}

async fn entries_of_rss_atom_json_feed_and_a_sitemap_become_items_found_by_their_pages_text(
    db: &Db,
) {
    let (address, shared) = site(&[]).await;
    let base = format!("http://{address}");
    let atom = format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>A</title>\
         <entry><id>urn:atom:4</id><title>Tin Atom</title><link href=\"{base}/pages/4\"/>\
         <updated>2026-12-04T01:00:00Z</updated></entry></feed>"
    );
    let json = format!(
        "{{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"J\",\"items\":[\
         {{\"id\":\"j5\",\"url\":\"{base}/pages/5\",\"title\":\"Tin JSON\",\
         \"content_text\":\"Văn bản riêng của mục JSON\"}},\
         {{\"id\":\"j6\",\"url\":\"{base}/missing/6\",\"title\":\"Trang không còn\",\
         \"content_html\":\"<p>Nội dung dự phòng jsonduphong</p>\"}}]}}"
    );
    let index = format!(
        "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
         <sitemap><loc>{base}/sitemap-1.xml</loc></sitemap></sitemapindex>"
    );
    let sitemap = format!(
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
         <url><loc>{base}/pages/7</loc><lastmod>2026-12-05</lastmod></url>\
         <url><loc>{base}/pages/8</loc></url></urlset>"
    );
    {
        let mut site = shared.lock().unwrap();
        for (path, body, content_type) in [
            (
                "/rss.xml",
                rss(&base, &[(1, "Tin một"), (2, "Tin hai"), (3, "Tin ba")]),
                "application/rss+xml",
            ),
            ("/atom.xml", atom, "application/atom+xml"),
            ("/feed.json", json, "application/feed+json"),
            ("/sitemap.xml", index, "application/xml"),
            ("/sitemap-1.xml", sitemap, "application/xml"),
        ] {
            site.documents
                .insert(path.to_owned(), (body, content_type, "\"v1\"".to_owned()));
        }
    }
    let setup = setup(db, loopback()).await;
    let library = &setup.library;
    let rss_id = add(library, "feed", format!("{base}/rss.xml"), "RSS").await;
    let atom_id = add(library, "feed", format!("{base}/atom.xml"), "Atom").await;
    let json_id = add(library, "feed", format!("{base}/feed.json"), "JSON").await;
    let map_id = add(library, "sitemap", format!("{base}/sitemap.xml"), "Sơ đồ").await;

    let outcomes = setup.poller.poll_due().await.unwrap();
    let created: HashMap<i64, usize> = outcomes.iter().map(|o| (o.source, o.created)).collect();
    assert_eq!(
        created,
        HashMap::from([(rss_id, 3), (atom_id, 1), (json_id, 2), (map_id, 2)]),
        "{outcomes:?}"
    );
    assert!(outcomes.iter().all(|o| o.error.is_none() && o.failed == 0));
    assert_eq!(items::count(db).await.unwrap(), 8);

    // Each item: the entry's page text (menu left out), its provenance, public, the owner's.
    let id = items::find_by_key(db, &format!("source:{rss_id}"), "rss-2")
        .await
        .unwrap()
        .expect("the RSS entry's item");
    let item = library.get(None, id).await.unwrap();
    assert_eq!(item.data.title, "Tin hai");
    assert!(item.data.body.contains("trang2riêng"), "{}", item.data.body);
    assert!(!item.data.body.contains("Menu"), "{}", item.data.body);
    assert_eq!(item.data.summary, "Tóm tắt 2");
    assert_eq!(item.data.owner.as_deref(), Some("BNG"));
    assert_eq!(item.data.language, "vi");
    assert_eq!(
        item.data.published_on,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
    );
    assert_eq!(
        item.provenances[0].url.as_deref(),
        Some(format!("{base}/pages/2").as_str())
    );
    // A page that cannot be fetched: the entry's own content is the text.
    let fallback = items::find_by_key(db, &format!("source:{json_id}"), "j6")
        .await
        .unwrap()
        .unwrap();
    let fallback = library.get(None, fallback).await.unwrap();
    assert!(fallback.data.body.contains("jsonduphong"));
    // A sitemap's page has no title of its own in the sitemap: the page's title.
    let page = items::find_by_key(db, &format!("source:{map_id}"), &format!("{base}/pages/7"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(library.get(None, page).await.unwrap().data.title, "Trang 7");

    // Found by search, as anyone finds a public item.
    library.catch_up().await.unwrap();
    for (word, expected) in [("trang4riêng", "Tin Atom"), ("trang8riêng", "Trang 8")] {
        let found = library
            .search(
                None,
                &SearchParams {
                    q: word.to_owned(),
                    ..SearchParams::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(found.total, 1, "{word}");
        assert_eq!(found.hits[0].title, expected);
    }
    let health = source(db, rss_id).await;
    assert_eq!(
        (health.items_created, health.failures, health.last_status),
        (3, 0, Some(200))
    );
}

async fn a_second_poll_is_conditional_a_304_changes_nothing_and_an_edited_entry_updates_its_item(
    db: &Db,
) {
    let (address, shared) = site(&[]).await;
    let base = format!("http://{address}");
    shared.lock().unwrap().documents.insert(
        "/rss.xml".to_owned(),
        (
            rss(&base, &[(1, "Tin một"), (2, "Tin hai")]),
            "application/rss+xml",
            "\"v1\"".to_owned(),
        ),
    );
    let setup = setup(db, loopback()).await;
    let id = add(&setup.library, "feed", format!("{base}/rss.xml"), "RSS").await;
    let first = setup.poller.poll(id).await.unwrap();
    assert_eq!((first.created, first.status), (2, Some(200)));
    let health = source(db, id).await;
    assert_eq!(health.etag.as_deref(), Some("\"v1\""));
    assert_eq!(health.last_modified.as_deref(), Some(LAST_MODIFIED));
    let seq = setup.library.last_seq().await.unwrap();

    let second = setup.poller.poll(id).await.unwrap();
    assert_eq!(second.status, Some(304), "{second:?}");
    assert_eq!((second.created, second.updated), (0, 0));
    let asked = shared.lock().unwrap().asked.clone();
    let feed_requests: Vec<_> = asked.iter().filter(|(p, ..)| p == "/rss.xml").collect();
    assert_eq!(feed_requests.len(), 2);
    assert_eq!(
        feed_requests[0].1, None,
        "the first poll is not conditional"
    );
    assert_eq!(feed_requests[1].1.as_deref(), Some("\"v1\""));
    assert_eq!(feed_requests[1].2.as_deref(), Some(LAST_MODIFIED));
    assert_eq!(
        setup.library.last_seq().await.unwrap(),
        seq,
        "a 304 writes no item"
    );
    assert_eq!(items::count(db).await.unwrap(), 2);

    // The site edits entry 2 (a new title and summary): its item is updated, not doubled;
    // entry 1, unchanged, is not fetched again.
    let pages_before = asked
        .iter()
        .filter(|(p, ..)| p.starts_with("/pages/"))
        .count();
    shared.lock().unwrap().documents.insert(
        "/rss.xml".to_owned(),
        (
            rss(&base, &[(1, "Tin một"), (2, "Tin hai (đã sửa)")]),
            "application/rss+xml",
            "\"v2\"".to_owned(),
        ),
    );
    let third = setup.poller.poll(id).await.unwrap();
    assert_eq!(
        (third.status, third.created, third.updated, third.unchanged),
        (Some(200), 0, 1, 1),
        "{third:?}"
    );
    let pages_after = shared
        .lock()
        .unwrap()
        .asked
        .iter()
        .filter(|(p, ..)| p.starts_with("/pages/"))
        .count();
    assert_eq!(
        pages_after,
        pages_before + 1,
        "only the edited entry's page"
    );
    assert_eq!(items::count(db).await.unwrap(), 2);
    let item = items::find_by_key(db, &format!("source:{id}"), "rss-2")
        .await
        .unwrap()
        .unwrap();
    let item = setup.library.get(None, item).await.unwrap();
    assert_eq!(item.data.title, "Tin hai (đã sửa)");
    let health = source(db, id).await;
    assert_eq!(
        (health.etag.as_deref(), health.items_updated),
        (Some("\"v2\""), 1)
    );
}

async fn failures_back_off_disable_the_source_and_an_admin_enables_it_again(db: &Db) {
    let (address, _shared) = site(&[]).await;
    let setup = setup(db, loopback()).await;
    let id = add(
        &setup.library,
        "feed",
        format!("http://{address}/broken.xml"),
        "Hỏng",
    )
    .await;
    let now = source(db, id).await.created_at;
    // 30 minutes between polls: after n failures in a row, 30 × 2ⁿ minutes.
    for (failures, wait_minutes) in [(1, 60), (2, 120)] {
        let outcome = setup.poller.poll(id).await.unwrap();
        assert_eq!(outcome.status, Some(500));
        assert!(!outcome.disabled);
        let health = source(db, id).await;
        assert_eq!(health.failures, failures);
        assert_eq!(
            health.next_poll_at,
            now + chrono::Duration::minutes(wait_minutes)
        );
        let error = health.last_error.unwrap();
        assert!(
            error.contains("Hỏng") && error.contains("HTTP 500"),
            "{error}"
        );
        assert!(health.disabled_at.is_none());
    }
    let third = setup.poller.poll(id).await.unwrap();
    assert!(third.disabled, "{third:?}");
    let health = source(db, id).await;
    assert_eq!(health.failures, 3);
    assert!(health.disabled_at.is_some());
    let reason = health.disabled_reason.unwrap();
    assert!(
        reason.contains("3") && reason.contains("HTTP 500"),
        "{reason}"
    );
    // A disabled source is not due, whenever it is asked.
    let later = now + chrono::Duration::days(30);
    assert!(sources::due(db, later, 10).await.unwrap().is_empty());
    // "Poll now" is refused for it; another agency's librarian may not enable it; the
    // owner's librarian (or an admin) enables it again: due at once, its failures forgotten.
    let poll_now = setup
        .library
        .poll_source_soon(&librarian(), id)
        .await
        .unwrap_err();
    assert!(matches!(poll_now, Error::Conflict(_)), "{poll_now:?}");
    let stranger = common::caller("khac", &[(Role::Librarian, "BQP")]);
    assert!(matches!(
        setup.library.enable_source(&stranger, id).await,
        Err(Error::Forbidden)
    ));
    let admin = common::caller("admin", &[(Role::Admin, ROOT_AGENCY)]);
    setup.library.enable_source(&admin, id).await.unwrap();
    let health = source(db, id).await;
    assert_eq!(
        (health.failures, health.disabled_at, health.next_poll_at),
        (0, None, now)
    );
    assert_eq!(sources::due(db, now, 10).await.unwrap().len(), 1);
    // Each of these writes is in the audit log.
    let verified = dongbo_store::audit::verify(db).await.unwrap();
    assert!(verified.is_intact());
}

async fn a_slow_source_times_out_within_its_bound_while_another_poll_goes_on(db: &Db) {
    let (address, shared) = site(&[]).await;
    let base = format!("http://{address}");
    shared.lock().unwrap().documents.insert(
        "/rss.xml".to_owned(),
        (
            rss(&base, &[(1, "Tin một")]),
            "application/rss+xml",
            "\"v1\"".to_owned(),
        ),
    );
    let setup = setup(db, loopback()).await;
    let slow = add(&setup.library, "feed", format!("{base}/slow.xml"), "Chậm").await;
    let fast = add(&setup.library, "feed", format!("{base}/rss.xml"), "Nhanh").await;
    let other = Poller::new(setup.library.clone(), settings()).unwrap();
    let started = Instant::now();
    let slow_poll = async {
        let outcome = setup.poller.poll(slow).await.unwrap();
        (outcome, started.elapsed())
    };
    let fast_poll = async {
        let outcome = other.poll(fast).await.unwrap();
        (outcome, started.elapsed())
    };
    let ((slow_outcome, slow_took), (fast_outcome, fast_took)) = tokio::join!(slow_poll, fast_poll);
    // The fetch's bound is 2 s (the server would answer after 20).
    assert!(
        slow_took < Duration::from_secs(5),
        "the slow source took {slow_took:?}"
    );
    let error = slow_outcome.error.unwrap();
    assert!(error.contains("Chậm") && error.contains("2 s"), "{error}");
    assert_eq!(fast_outcome.created, 1);
    assert!(
        fast_took < slow_took,
        "{fast_took:?} vs {slow_took:?}: the fast source waited for the slow one"
    );
    assert_eq!(source(db, slow).await.failures, 1);
}

async fn html_served_as_a_feed_is_a_clear_error_naming_the_source(db: &Db) {
    let (address, _shared) = site(&[(
        "/index.html",
        "<!DOCTYPE html><html><head><title>Cổng</title></head><body>Trang chủ</body></html>"
            .to_owned(),
        "text/html",
    )])
    .await;
    let setup = setup(db, loopback()).await;
    let id = add(
        &setup.library,
        "feed",
        format!("http://{address}/index.html"),
        "Cổng thông tin",
    )
    .await;
    let outcome = setup.poller.poll(id).await.unwrap();
    let error = outcome.error.unwrap();
    assert!(
        error.starts_with("Cổng thông tin: ") && error.contains("HTML page, not a feed"),
        "{error}"
    );
    assert_eq!(items::count(db).await.unwrap(), 0, "nothing stored");
}

async fn a_feed_of_100000_entries_is_read_up_to_the_bound_and_the_rest_logged_as_skipped(db: &Db) {
    let (address, shared) = site(&[]).await;
    let base = format!("http://{address}");
    let mut big = String::from("<rss version=\"2.0\"><channel><title>Lớn</title>");
    for n in 0..100_000 {
        big.push_str(&format!(
            "<item><guid>g{n}</guid><link>{base}/missing/{n}</link><title>Mục {n}</title>\
             <description>Nội dung số {n}</description></item>"
        ));
    }
    big.push_str("</channel></rss>");
    shared.lock().unwrap().documents.insert(
        "/big.xml".to_owned(),
        (big, "application/rss+xml", "\"big\"".to_owned()),
    );
    let setup = setup(db, loopback()).await;
    let id = add(&setup.library, "feed", format!("{base}/big.xml"), "Lớn").await;
    let started = Instant::now();
    let outcome = setup.poller.poll(id).await.unwrap();
    assert!(outcome.error.is_none(), "{outcome:?}");
    assert_eq!(
        (outcome.created, outcome.skipped),
        (50, 99_950),
        "{outcome:?}"
    );
    assert_eq!(items::count(db).await.unwrap(), 50);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

async fn a_loopback_source_is_refused_without_the_allow_list_and_polled_with_it(db: &Db) {
    let (address, shared) = site(&[]).await;
    let base = format!("http://{address}");
    shared.lock().unwrap().documents.insert(
        "/rss.xml".to_owned(),
        (
            rss(&base, &[(1, "Tin một")]),
            "application/rss+xml",
            "\"v1\"".to_owned(),
        ),
    );
    let strict = setup(db, AddressPolicy::default()).await;
    for url in [
        format!("{base}/rss.xml"),
        format!("http://localhost:{}/rss.xml", address.port()),
        "http://[::1]/feed".to_owned(),
        "http://169.254.169.254/latest/meta-data".to_owned(),
    ] {
        let refused = strict
            .library
            .add_source(
                &librarian(),
                &SourceInput {
                    owner: "BNG".to_owned(),
                    kind: "feed".to_owned(),
                    url: url.clone(),
                    name: "Nội bộ".to_owned(),
                    poll_minutes: None,
                    ..SourceInput::default()
                },
            )
            .await
            .unwrap_err();
        let Error::Invalid(fields) = &refused else {
            panic!("{url}: {refused:?}")
        };
        assert_eq!(fields[0].field, "url");
        assert!(
            fields[0].message.contains("--library-allow-net")
                && (fields[0].message.contains("loopback")
                    || fields[0].message.contains("link-local")),
            "{url}: {}",
            fields[0].message
        );
    }
    assert!(
        sources::list(db).await.unwrap().is_empty(),
        "nothing stored"
    );

    // Registered while loopback was allowed, then polled by a server that does not allow it:
    // refused at the fetch, nothing fetched.
    let allowing = setup(db, loopback()).await;
    let id = add(&allowing.library, "feed", format!("{base}/rss.xml"), "Tin").await;
    let asked_before = shared.lock().unwrap().asked.len();
    let refused = strict.poller.poll(id).await.unwrap();
    assert!(
        refused.error.as_deref().unwrap().contains("loopback"),
        "{refused:?}"
    );
    assert_eq!(shared.lock().unwrap().asked.len(), asked_before);
    let polled = allowing.poller.poll(id).await.unwrap();
    assert_eq!(polled.created, 1, "{polled:?}");
}

async fn a_redirect_to_a_private_address_is_refused_before_any_connection(db: &Db) {
    let (address, _shared) = site(&[]).await;
    let setup = setup(db, loopback()).await;
    let id = add(
        &setup.library,
        "feed",
        format!("http://{address}/to-private.xml"),
        "Chuyển hướng",
    )
    .await;
    let outcome = setup.poller.poll(id).await.unwrap();
    let error = outcome.error.unwrap();
    assert!(
        error.contains("10.0.0.1") && error.contains("private"),
        "{error}"
    );
    assert_eq!(source(db, id).await.failures, 1);
}

async fn of_two_servers_only_one_claims_a_due_source(db: &Db) {
    let (address, shared) = site(&[]).await;
    let base = format!("http://{address}");
    shared.lock().unwrap().documents.insert(
        "/rss.xml".to_owned(),
        (
            rss(&base, &[(1, "Tin một")]),
            "application/rss+xml",
            "\"v1\"".to_owned(),
        ),
    );
    let setup = setup(db, loopback()).await;
    add(&setup.library, "feed", format!("{base}/rss.xml"), "Tin").await;
    let second_server = Poller::new(setup.library.clone(), settings()).unwrap();
    let (a, b) = tokio::join!(setup.poller.poll_due(), second_server.poll_due());
    let polls = a.unwrap().len() + b.unwrap().len();
    assert_eq!(polls, 1, "one server polls it, the other finds it claimed");
    let feed_requests = shared
        .lock()
        .unwrap()
        .asked
        .iter()
        .filter(|(p, ..)| p == "/rss.xml")
        .count();
    assert_eq!(feed_requests, 1);
}

/// The test's CA, its certificate in a CA file, and a client setup trusting it.
struct Https {
    pki: dongbo_testkit::tls::Pki,
    setup: Setup,
    _ca_folder: tempfile::TempDir,
}

async fn https(db: &Db) -> Https {
    let pki = dongbo_testkit::tls::Pki::new("Cơ quan cấp chứng chỉ thử nghiệm");
    let folder = tempfile::tempdir().unwrap();
    let trust = Trust::with_ca_file(&pki.write_ca(folder.path())).unwrap();
    let setup = setup_trusting(db, loopback(), trust).await;
    Https {
        pki,
        setup,
        _ca_folder: folder,
    }
}

/// The feed site behind a TLS proxy presenting `identity`; the https base (`localhost`: the
/// name is resolved by the guarded resolver and checked against the certificate) and the site.
async fn https_site(
    identity: dongbo_testkit::tls::Identity,
) -> (String, Shared, dongbo_testkit::tls::Proxy) {
    let (plain, shared) = site(&[]).await;
    let proxy = dongbo_testkit::tls::terminate(identity, plain).await;
    let base = format!("https://localhost:{}", proxy.address.port());
    shared.lock().unwrap().documents.insert(
        "/rss.xml".to_owned(),
        (
            rss(&base, &[(1, "Tin một"), (2, "Tin hai")]),
            "application/rss+xml",
            "\"v1\"".to_owned(),
        ),
    );
    (base, shared, proxy)
}

async fn a_feed_over_https_is_polled_and_its_entries_stored(db: &Db) {
    let Https { pki, setup, .. } = https(db).await;
    let (base, shared, proxy) = https_site(pki.server(&["localhost"])).await;
    let id = add(
        &setup.library,
        "feed",
        format!("{base}/rss.xml"),
        "Tin https",
    )
    .await;
    let outcome = setup.poller.poll(id).await.unwrap();
    assert_eq!(
        (outcome.status, outcome.created, outcome.error.as_deref()),
        (Some(200), 2, None),
        "{outcome:?}"
    );
    assert!(proxy.handshakes() >= 1);
    // The entries' pages were fetched over https too: their text is the items'.
    let item = items::find_by_key(db, &format!("source:{id}"), "rss-2")
        .await
        .unwrap()
        .expect("the entry's item");
    let item = setup.library.get(None, item).await.unwrap();
    assert!(item.data.body.contains("trang2riêng"), "{}", item.data.body);
    assert_eq!(
        item.provenances[0].url.as_deref(),
        Some(format!("{base}/pages/2").as_str())
    );
    let asked: Vec<String> = shared
        .lock()
        .unwrap()
        .asked
        .iter()
        .map(|a| a.0.clone())
        .collect();
    assert!(asked.contains(&"/pages/1".to_owned()), "{asked:?}");
    // The next poll is conditional over https as over http.
    let again = setup.poller.poll(id).await.unwrap();
    assert_eq!((again.status, again.created), (Some(304), 0), "{again:?}");
    let health = source(db, id).await;
    assert_eq!(
        (health.items_created, health.failures, health.last_status),
        (2, 0, Some(304))
    );
}

/// Registers `base`'s feed (at `query`, one address per source) and polls it once with
/// `setup`, expecting a refusal: nothing reached the site, nothing stored, one failure
/// counted. The error.
async fn refused_once(setup: &Setup, db: &Db, base: &str, query: &str, shared: &Shared) -> String {
    let id = add(
        &setup.library,
        "feed",
        format!("{base}/rss.xml?{query}"),
        "Từ chối",
    )
    .await;
    let outcome = setup.poller.poll(id).await.unwrap();
    assert_eq!((outcome.status, outcome.created), (None, 0), "{outcome:?}");
    assert!(
        shared.lock().unwrap().asked.is_empty(),
        "nothing reached the site"
    );
    assert_eq!(items::count(db).await.unwrap(), 0);
    let health = source(db, id).await;
    assert_eq!(health.failures, 1);
    let error = health.last_error.expect("the failure is kept");
    assert_eq!(outcome.error.as_deref(), Some(error.as_str()));
    error
}

async fn a_certificate_for_another_host_is_refused_nothing_stored_and_the_failure_counted(db: &Db) {
    let Https { pki, setup, .. } = https(db).await;
    let (base, shared, proxy) = https_site(pki.server(&["www.mofa.gov.vn"])).await;
    let error = refused_once(&setup, db, &base, "host", &shared).await;
    assert!(
        error.contains("cấp cho tên máy khác") && error.contains("another host name"),
        "{error}"
    );
    assert!(error.contains(&base), "the address is named: {error}");
    assert_eq!(proxy.handshakes(), 0);
}

async fn self_signed_expired_and_not_yet_valid_certificates_are_refused_saying_why(db: &Db) {
    let Https { pki, setup, .. } = https(db).await;
    // Self-signed: not in the system's store, not in the CA file.
    let (base, shared, _proxy) = https_site(dongbo_testkit::tls::self_signed(&["localhost"])).await;
    let error = refused_once(&setup, db, &base, "ca-file", &shared).await;
    assert!(
        error.contains("không được tin cậy") && error.contains("unknown issuer"),
        "{error}"
    );
    // The same self-signed server is refused by a client trusting the system's store alone.
    let system = setup_trusting(db, loopback(), Trust::system()).await;
    let error = refused_once(&system, db, &base, "system", &shared).await;
    assert!(error.contains("unknown issuer"), "{error}");
    // Issued by the trusted CA, but expired in 2021.
    let (base, shared, _proxy) = https_site(pki.expired_server(&["localhost"])).await;
    let error = refused_once(&setup, db, &base, "expired", &shared).await;
    assert!(
        error.contains("đã hết hạn") && error.contains("expired"),
        "{error}"
    );
    // Issued by the trusted CA, valid only from 2099.
    let (base, shared, _proxy) = https_site(pki.future_server(&["localhost"])).await;
    let error = refused_once(&setup, db, &base, "future", &shared).await;
    assert!(
        error.contains("chưa có hiệu lực") && error.contains("not valid yet"),
        "{error}"
    );
    // A CA file that cannot be used is an error naming it.
    let folder = tempfile::tempdir().unwrap();
    let missing = folder.path().join("khong-co.pem");
    let refused = Trust::with_ca_file(&missing).unwrap_err();
    assert!(
        matches!(&refused, TrustError::Unreadable { file, .. } if file.contains("khong-co.pem")),
        "{refused:?}"
    );
    let empty = folder.path().join("rong.pem");
    std::fs::write(&empty, "không phải chứng chỉ\n").unwrap();
    let refused = Trust::with_ca_file(&empty).unwrap_err();
    assert!(
        matches!(&refused, TrustError::NoCertificate { file } if file.contains("rong.pem")),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("no PEM certificate"));
    // A file far larger than any bundle (a disk image given by mistake) is refused unread.
    let huge = folder.path().join("lon.pem");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(64 * 1024 * 1024)
        .unwrap();
    let refused = Trust::with_ca_file(&huge).unwrap_err();
    assert!(
        matches!(&refused, TrustError::Unreadable { file, why } if file.contains("lon.pem") && why.contains("KiB")),
        "{refused:?}"
    );
}

async fn a_redirect_from_https_to_http_is_refused(db: &Db) {
    let Https { pki, setup, .. } = https(db).await;
    let (base, shared, _proxy) = https_site(pki.server(&["localhost"])).await;
    // The plain site itself: the redirect leads to the same feed over http.
    let (plain, plain_shared) = site(&[]).await;
    let downgrade = format!("http://{plain}/rss.xml");
    shared.lock().unwrap().documents.insert(
        "/to-http.xml".to_owned(),
        (downgrade.clone(), REDIRECT, String::new()),
    );
    let id = add(
        &setup.library,
        "feed",
        format!("{base}/to-http.xml"),
        "Hạ cấp",
    )
    .await;
    let outcome = setup.poller.poll(id).await.unwrap();
    let error = outcome.error.expect("refused");
    assert!(
        error.contains("https sang http") && error.contains(&downgrade),
        "{error}"
    );
    assert!(plain_shared.lock().unwrap().asked.is_empty(), "never asked");
    assert_eq!(items::count(db).await.unwrap(), 0);
    assert_eq!(source(db, id).await.failures, 1);
}

/// What `caller` finds of the word `word`.
async fn found(
    library: &Library,
    caller: Option<&dongbo_store::accounts::Caller>,
    word: &str,
) -> u64 {
    library
        .search(
            caller,
            &SearchParams {
                q: word.to_owned(),
                ..SearchParams::default()
            },
        )
        .await
        .unwrap()
        .total
}

async fn an_intranet_source_makes_no_public_item_and_a_changed_visibility_follows_its_items(
    db: &Db,
) {
    let (address, shared) = site(&[]).await;
    let base = format!("http://{address}");
    shared.lock().unwrap().documents.insert(
        "/noi-bo.xml".to_owned(),
        (
            rss(&base, &[(3, "Tin nội bộ ba"), (4, "Tin nội bộ bốn")]),
            "application/rss+xml",
            "\"v1\"".to_owned(),
        ),
    );
    let setup = setup(db, loopback()).await;
    let library = &setup.library;
    // Registered without saying: the government's, the safe side.
    let intranet = library
        .add_source(
            &librarian(),
            &SourceInput {
                owner: "BNG".to_owned(),
                kind: "feed".to_owned(),
                url: format!("{base}/noi-bo.xml"),
                name: "Mạng nội bộ".to_owned(),
                ..SourceInput::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(intranet.visibility, Visibility::Government);
    let outcomes = setup.poller.poll_due().await.unwrap();
    assert_eq!(outcomes[0].created, 2, "{outcomes:?}");
    library.catch_up().await.unwrap();

    let official = common::caller("can.bo", &[(Role::Viewer, "BTC")]);
    let other = common::caller("ngoai", &[(Role::Viewer, "BCT")]);
    let item_of = |n: u32| {
        let system = format!("source:{}", intranet.id);
        async move {
            items::find_by_key(db, &system, &format!("rss-{n}"))
                .await
                .unwrap()
                .unwrap()
        }
    };
    let three = item_of(3).await;
    assert_eq!(found(library, None, "trang3riêng").await, 0, "public");
    assert!(matches!(
        library.get(None, three).await,
        Err(Error::NotFound)
    ));
    assert_eq!(found(library, Some(&official), "trang3riêng").await, 1);
    assert_eq!(
        library
            .get(Some(&official), three)
            .await
            .unwrap()
            .data
            .visibility,
        Visibility::Government
    );

    // Item 4 also came from the agency's own system: not this source's alone.
    let four = library.get(None, item_of(4).await).await.err();
    assert!(matches!(four, Some(Error::NotFound)));
    let four = items::get(db, item_of(4).await).await.unwrap().unwrap();
    let merged = items::upsert(
        db,
        &items::Incoming {
            data: four.data.clone(),
            provenance: Some(items::Provenance {
                system: "BNG-CMS".to_owned(),
                external_id: Some("cms-4".to_owned()),
                url: None,
                file_name: None,
                received_at: dongbo_domain::clock::now(),
            }),
        },
        "test",
        dongbo_domain::clock::now(),
    )
    .await
    .unwrap();
    assert_eq!(merged.outcome, items::Outcome::Merged);

    // Bad visibilities and another agency's librarian: refused, nothing changed.
    let before = source(db, intranet.id).await;
    for (scope, agencies, field) in [
        ("agencies", vec![], "visibility"),
        ("agencies", vec!["KHONGCO".to_owned()], "visible_to"),
        ("moi nguoi", vec![], "visibility"),
    ] {
        let refused = library
            .set_source_visibility(
                &librarian(),
                intranet.id,
                &Some(scope.to_owned()),
                &agencies,
            )
            .await
            .unwrap_err();
        let Error::Invalid(fields) = &refused else {
            panic!("{scope}: {refused:?}")
        };
        assert!(
            fields.iter().any(|f| f.field == field),
            "{scope}: {fields:?}"
        );
    }
    let outsider = common::caller("thu.thu.btc", &[(Role::Librarian, "BTC")]);
    let refused = library
        .set_source_visibility(&outsider, intranet.id, &Some("public".to_owned()), &[])
        .await;
    assert!(matches!(refused, Err(Error::Forbidden)), "{refused:?}");
    assert_eq!(source(db, intranet.id).await, before);

    // Only the Ministry of Finance (and the owner): its items at once, not item 4.
    let change = library
        .set_source_visibility(
            &librarian(),
            intranet.id,
            &Some("agencies".to_owned()),
            &["btc".to_owned()],
        )
        .await
        .unwrap();
    assert_eq!((change.changed, change.unchanged, change.kept), (1, 0, 1));
    library.catch_up().await.unwrap();
    assert_eq!(found(library, Some(&official), "trang3riêng").await, 1);
    assert_eq!(found(library, Some(&other), "trang3riêng").await, 0);
    assert_eq!(found(library, Some(&other), "trang4riêng").await, 1, "kept");
    assert_eq!(
        source(db, intranet.id).await.visibility,
        Visibility::Agencies(vec!["BTC".to_owned()])
    );

    // A new entry takes the source's visibility too.
    shared.lock().unwrap().documents.insert(
        "/noi-bo.xml".to_owned(),
        (
            rss(
                &base,
                &[(3, "Tin nội bộ ba"), (4, "Tin nội bộ bốn"), (5, "Tin năm")],
            ),
            "application/rss+xml",
            "\"v2\"".to_owned(),
        ),
    );
    library
        .poll_source_soon(&librarian(), intranet.id)
        .await
        .unwrap();
    let outcomes = setup.poller.poll_due().await.unwrap();
    assert_eq!(outcomes[0].created, 1, "{outcomes:?}");
    library.catch_up().await.unwrap();
    assert_eq!(found(library, Some(&official), "trang5riêng").await, 1);
    assert_eq!(found(library, Some(&other), "trang5riêng").await, 0);

    // Found to be a public website after all: public, all it made alone.
    let change = library
        .set_source_visibility(&librarian(), intranet.id, &Some("public".to_owned()), &[])
        .await
        .unwrap();
    assert_eq!((change.changed, change.unchanged, change.kept), (2, 0, 1));
    library.catch_up().await.unwrap();
    assert_eq!(found(library, None, "trang3riêng").await, 1);
    assert_eq!(found(library, None, "trang5riêng").await, 1);
    assert_eq!(found(library, None, "trang4riêng").await, 0, "kept");
    let again = library
        .set_source_visibility(&librarian(), intranet.id, &Some("public".to_owned()), &[])
        .await
        .unwrap();
    assert_eq!((again.changed, again.unchanged, again.kept), (0, 2, 1));
}
