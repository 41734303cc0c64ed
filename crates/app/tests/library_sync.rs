//! `dongbo library sync` between two real instances, on SQLite and on PostgreSQL: instance A
//! is a running `dongbo serve`, instance B a data folder of its own (its own database) that
//! follows A's change feed from the command line. Items written on A appear on B; an edit and
//! a delete follow; a second sync changes nothing; an item the token's user may not read never
//! reaches B; a bad token and an address that is not Đồng Bộ are clear errors changing nothing;
//! a page that cannot be applied is applied not at all (its cursor with it); a sync killed
//! mid-way and run again converges.
//!
//! Over https: instance A behind a TLS-terminating proxy on loopback (a certificate from a CA
//! made by the test): B follows it with `--library-ca-file`; without it, or with a certificate
//! for another host, the sync is refused saying why and stores nothing; a CA file that cannot
//! be read stops `sync` and `serve` naming it.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Server, Setup, data_folder, free_port};
use dongbo_store::Db;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_sqlite_stay_in_step() {
    let (_a, a_data) = data_folder();
    let (_b, b_data) = data_folder();
    two_instances_stay_in_step(
        Setup {
            data_dir: a_data,
            database_url: None,
        },
        Setup {
            data_dir: b_data,
            database_url: None,
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_postgresql_stay_in_step() {
    let (Some(a_url), Some(b_url)) = (
        dongbo_testkit::postgres_database_url(),
        dongbo_testkit::postgres_database_url(),
    ) else {
        return;
    };
    let (_a, a_data) = data_folder();
    let (_b, b_data) = data_folder();
    two_instances_stay_in_step(
        Setup {
            data_dir: a_data,
            database_url: Some(a_url),
        },
        Setup {
            data_dir: b_data,
            database_url: Some(b_url),
        },
    )
    .await;
}

/// Pushes (or re-sends) an item on A.
async fn put(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    key: &str,
    item: serde_json::Value,
) {
    let answer = client
        .put(format!("{base}/api/v1/library/items/{key}"))
        .bearer_auth(token)
        .json(&item)
        .send()
        .await
        .expect("a push answer");
    assert!(
        answer.status().is_success(),
        "{key}: {:?}",
        answer.text().await
    );
}

fn article(title: &str, body: &str, owner: &str, visibility: &str) -> serde_json::Value {
    let mut item = serde_json::json!({
        "title": title,
        "kind": "article",
        "owner": owner,
        "visibility": visibility,
        "body": body,
        "countries": ["VN", "NO"],
    });
    if visibility == "agencies" {
        item["visible_to"] = serde_json::json!([owner]);
    }
    item
}

/// B's items as (title, body), sorted.
async fn items(db: &Db) -> Vec<(String, String)> {
    sqlx::query_as("SELECT title, body FROM library_items ORDER BY title, body")
        .fetch_all(db.pool())
        .await
        .expect("B's items")
}

/// B's followed instance: (cursor, last error).
async fn followed(db: &Db) -> (i64, Option<String>) {
    sqlx::query_as("SELECT cursor, last_error FROM library_followed")
        .fetch_one(db.pool())
        .await
        .expect("the followed instance")
}

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(db.pool())
        .await
        .expect("a count")
}

async fn two_instances_stay_in_step(a: Setup, b: Setup) {
    let backend = b.backend();
    let server = Server::start(&a, free_port());
    let base = server.base.clone();
    let bng = a.user_with_token("thuvien.bng", "librarian", "BNG");
    let btc = a.user_with_token("thuvien.btc", "librarian", "BTC");
    // The follower's token: a viewer at the Ministry of Foreign Affairs.
    let follower = a.user_with_token("dongbo.b", "viewer", "BNG");
    let client = dongbo_library::http::client();
    put(
        &client,
        &base,
        &bng,
        "BNG/tin-1",
        article(
            "Hội thảo Việt Nam – Na Uy",
            "Hội thảo hữu nghị tại Hà Nội.",
            "BNG",
            "public",
        ),
    )
    .await;
    put(
        &client,
        &base,
        &bng,
        "BNG/tin-2",
        article(
            "Triển lãm ảnh Trường Sa",
            "Triển lãm ảnh về biển đảo ở Oslo.",
            "BNG",
            "government",
        ),
    )
    .await;
    put(
        &client,
        &base,
        &btc,
        "BTC/mat-1",
        article(
            "Dự toán ngân sách mật",
            "Số liệu dự toán chỉ Bộ Tài chính được đọc.",
            "BTC",
            "agencies",
        ),
    )
    .await;

    let sync = |token: &str, extra: &[&str]| {
        let mut args = vec!["library", "sync", base.as_str(), "--token", token];
        args.extend_from_slice(extra);
        b.run(&args)
    };
    // A wrong token: a clear error, nothing stored.
    let refused = sync("dongbo_not_a_token", &["--once"]);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("refused the token"), "{backend}: {said}");
    let b_db = Db::connect(&b.store_url()).await.expect("B's database");
    assert_eq!(count(&b_db, "library_items").await, 0);
    assert_eq!(
        count(&b_db, "library_followed").await,
        0,
        "nothing registered"
    );
    // An address that is not a Đồng Bộ change feed (A's HTML pages under /library).
    let elsewhere = b.run(&[
        "library",
        "sync",
        &format!("{base}/library"),
        "--token",
        &follower,
    ]);
    assert!(!elsewhere.status.success());
    let said = String::from_utf8_lossy(&elsewhere.stderr);
    assert!(
        said.contains("is not a Đồng Bộ instance"),
        "{backend}: {said}"
    );
    assert_eq!(count(&b_db, "library_items").await, 0);
    assert_eq!(count(&b_db, "library_followed").await, 0);

    // The first sync copies what the follower may read, never the restricted item.
    let printed = String::from_utf8(sync(&follower, &["--once"]).stdout).expect("UTF-8");
    assert!(printed.contains("2 created"), "{backend}: {printed}");
    assert_eq!(
        items(&b_db).await,
        [
            (
                "Hội thảo Việt Nam – Na Uy".to_owned(),
                "Hội thảo hữu nghị tại Hà Nội.".to_owned()
            ),
            (
                "Triển lãm ảnh Trường Sa".to_owned(),
                "Triển lãm ảnh về biển đảo ở Oslo.".to_owned()
            ),
        ]
    );
    let system = format!("dongbo:{}", base.trim_start_matches("http://"));
    let owner: Option<String> = sqlx::query_scalar(
        "SELECT i.owner_code FROM library_items i JOIN library_provenances p ON p.item_id = i.id \
         WHERE p.system = $1 AND i.title = $2",
    )
    .bind(system.clone())
    .bind("Hội thảo Việt Nam – Na Uy")
    .fetch_one(b_db.pool())
    .await
    .expect("the copy, keyed by A's system name");
    assert_eq!(owner.as_deref(), Some("BNG"), "the owner travels");

    // A second sync with nothing new changes nothing.
    let before = (
        count(&b_db, "library_changes").await,
        count(&b_db, "audit_log").await,
        followed(&b_db).await,
    );
    let printed = String::from_utf8(sync(&follower, &["--once"]).stdout).expect("UTF-8");
    assert!(
        printed.contains("0 created, 0 updated, 0 unchanged, 0 deleted"),
        "{backend}: {printed}"
    );
    assert_eq!(
        (
            count(&b_db, "library_changes").await,
            count(&b_db, "audit_log").await,
            followed(&b_db).await,
        ),
        before
    );

    // An edit and a delete follow.
    put(
        &client,
        &base,
        &bng,
        "BNG/tin-1",
        article(
            "Hội thảo Việt Nam – Na Uy tại Huế",
            "Địa điểm đổi sang Huế.",
            "BNG",
            "public",
        ),
    )
    .await;
    let deleted = client
        .delete(format!("{base}/api/v1/library/items/BNG/tin-2"))
        .bearer_auth(&bng)
        .send()
        .await
        .expect("a delete answer");
    assert_eq!(deleted.status(), reqwest::StatusCode::NO_CONTENT);
    let printed = String::from_utf8(sync(&follower, &["--once"]).stdout).expect("UTF-8");
    assert!(
        printed.contains("1 updated") && printed.contains("1 deleted"),
        "{backend}: {printed}"
    );
    assert_eq!(
        items(&b_db).await,
        [(
            "Hội thảo Việt Nam – Na Uy tại Huế".to_owned(),
            "Địa điểm đổi sang Huế.".to_owned()
        )]
    );

    // A page that cannot be applied is applied not at all: B holds a text of its own, which A's
    // item tin-3 then takes, in the same page as an edit of tin-1.
    put(
        &client,
        &base,
        &bng,
        "BNG/tin-3",
        article("Bản tin", "Bản tin số 3.", "BNG", "public"),
    )
    .await;
    assert!(sync(&follower, &["--once"]).status.success());
    let local = dongbo_store::library::Incoming {
        data: dongbo_store::library::items::get(
            &b_db,
            sqlx::query_scalar::<_, i64>("SELECT MIN(id) FROM library_items")
                .fetch_one(b_db.pool())
                .await
                .expect("an id"),
        )
        .await
        .expect("read")
        .expect("an item")
        .data,
        provenance: None,
    };
    let mut local = local;
    local.data.title = "Bản tin nội bộ của B".to_owned();
    local.data.body = "Văn bản riêng của cơ quan B.".to_owned();
    dongbo_store::library::items::upsert(&b_db, &local, "b.local", dongbo_domain::clock::now())
        .await
        .expect("B's own item");
    put(
        &client,
        &base,
        &bng,
        "BNG/tin-1",
        article(
            "Hội thảo tại Huế",
            "Hội thảo dời sang tháng Năm.",
            "BNG",
            "public",
        ),
    )
    .await;
    put(
        &client,
        &base,
        &bng,
        "BNG/tin-3",
        article("Bản tin", "Văn bản riêng của cơ quan B.", "BNG", "public"),
    )
    .await;
    let cursor = followed(&b_db).await.0;
    let stuck = sync(&follower, &["--once"]);
    assert!(!stuck.status.success());
    let said = String::from_utf8_lossy(&stuck.stderr);
    assert!(
        said.contains("change "),
        "{backend}: the change is named: {said}"
    );
    let (after, error) = followed(&b_db).await;
    assert_eq!(after, cursor, "the cursor stays with its page");
    assert!(error.is_some_and(|e| e.contains("already has this text")));
    assert!(
        items(&b_db)
            .await
            .iter()
            .any(|(t, _)| t == "Hội thảo Việt Nam – Na Uy tại Huế"),
        "the edit in the refused page was not applied either"
    );
    // Once B's own copy is gone, the same page applies whole.
    let own: i64 = sqlx::query_scalar("SELECT id FROM library_items WHERE title = $1")
        .bind("Bản tin nội bộ của B")
        .fetch_one(b_db.pool())
        .await
        .expect("B's own item");
    dongbo_store::library::items::delete(&b_db, own, "b.local", dongbo_domain::clock::now())
        .await
        .expect("removed");
    assert!(sync(&follower, &["--once"]).status.success());
    assert_eq!(
        items(&b_db).await,
        [
            (
                "Bản tin".to_owned(),
                "Văn bản riêng của cơ quan B.".to_owned()
            ),
            (
                "Hội thảo tại Huế".to_owned(),
                "Hội thảo dời sang tháng Năm.".to_owned()
            ),
        ]
    );

    // Killed mid-way, then run again: it converges, nothing doubled.
    for n in 0..40 {
        put(
            &client,
            &base,
            &bng,
            &format!("BNG/loat-{n}"),
            article(
                &format!("Tin số {n}"),
                &format!("Nội dung tin số {n} về hợp tác."),
                "BNG",
                "public",
            ),
        )
        .await;
    }
    let start = followed(&b_db).await.0;
    let mut running = b
        .command()
        .args([
            "library",
            "sync",
            &base,
            "--token",
            &follower,
            "--every",
            "1",
            "--page-size",
            "1",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("a sync that keeps running");
    let waited = Instant::now();
    while followed(&b_db).await.0 < start + 10 {
        assert!(
            waited.elapsed() < Duration::from_secs(120),
            "{backend}: the sync did not move"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    running.kill().expect("SIGKILL");
    running.wait().expect("ended");
    let mid = count(&b_db, "library_items").await;
    assert!(mid < 42, "{backend}: killed mid-way ({mid} items)");
    assert!(sync(&follower, &["--once"]).status.success());
    assert_eq!(count(&b_db, "library_items").await, 42, "{backend}");
    let titles: Vec<String> = items(&b_db).await.into_iter().map(|(t, _)| t).collect();
    for n in 0..40 {
        assert!(
            titles.contains(&format!("Tin số {n}")),
            "{backend}: Tin số {n}"
        );
    }
    assert!(
        !titles.iter().any(|t| t.contains("mật")),
        "{backend}: the restricted item stayed on A"
    );
    let printed = String::from_utf8(sync(&follower, &["--once"]).stdout).expect("UTF-8");
    assert!(
        printed.contains("0 created, 0 updated"),
        "{backend}: {printed}"
    );
    b_db.close().await;
    drop(server);
}

/// Runs `b`'s command line off the runtime's threads (the TLS proxy runs on them).
async fn run_b(b: &Setup, args: Vec<String>) -> std::process::Output {
    let b = b.clone();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        b.run(&args)
    })
    .await
    .expect("the command ran")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_instance_is_followed_trusting_the_ca_file_and_refused_otherwise() {
    let (_a, a_data) = data_folder();
    let (_b, b_data) = data_folder();
    let a = Setup {
        data_dir: a_data,
        database_url: None,
    };
    let b = Setup {
        data_dir: b_data,
        database_url: None,
    };
    let port = free_port();
    let server = Server::start(&a, port);
    let bng = a.user_with_token("thuvien.bng", "librarian", "BNG");
    let follower = a.user_with_token("dongbo.b", "viewer", "BNG");
    put(
        &dongbo_library::http::client(),
        &server.base,
        &bng,
        "BNG/tin-https",
        article(
            "Hội nghị ngoại giao kinh tế",
            "Hội nghị tổ chức tại Đà Nẵng.",
            "BNG",
            "public",
        ),
    )
    .await;
    let pki = dongbo_testkit::tls::Pki::new("CA thử nghiệm của Bộ");
    let ca_folder = tempfile::tempdir().expect("a folder");
    let ca_file = pki.write_ca(ca_folder.path()).display().to_string();
    let backend: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().expect("A's address");
    let proxy = dongbo_testkit::tls::terminate(pki.server(&["localhost"]), backend).await;
    let https = format!("https://localhost:{}", proxy.address.port());
    let sync = |url: &str, extra: &[&str]| {
        let mut args: Vec<String> = ["library", "sync", url, "--token", &follower, "--once"]
            .iter()
            .map(|a| (*a).to_owned())
            .collect();
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        run_b(&b, args)
    };

    // Without the CA file: the system's store does not know the test's CA.
    let refused = sync(&https, &[]).await;
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("unknown issuer") && said.contains(&https),
        "{said}"
    );
    let b_db = Db::connect(&b.store_url()).await.expect("B's database");
    assert_eq!(count(&b_db, "library_items").await, 0);
    assert_eq!(count(&b_db, "library_followed").await, 0);

    // A trust store with no certificate (SSL_CERT_FILE and SSL_CERT_DIR point at empty ones):
    // said in the log, no panic, the address refused the same way.
    let empty_file = ca_folder.path().join("empty.pem");
    std::fs::write(&empty_file, "").expect("an empty store");
    let empty_dir = tempfile::tempdir().expect("an empty folder");
    let mut bare = b.command();
    bare.args(["library", "sync", &https, "--token", &follower, "--once"])
        .env("SSL_CERT_FILE", &empty_file)
        .env("SSL_CERT_DIR", empty_dir.path())
        .stdin(Stdio::null());
    let bare = tokio::task::spawn_blocking(move || bare.output().expect("run dongbo"))
        .await
        .expect("the command ran");
    assert!(!bare.status.success());
    let said = String::from_utf8_lossy(&bare.stderr);
    assert!(
        said.contains("trust store has no usable certificate") && said.contains("unknown issuer"),
        "{said}"
    );

    // A CA file that cannot be read: named, nothing done.
    let missing = format!("{}/khong-co.pem", ca_folder.path().display());
    let refused = sync(&https, &["--library-ca-file", &missing]).await;
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("--library-ca-file") && said.contains("khong-co.pem"),
        "{said}"
    );
    // `serve` reads it at start and stops there.
    let serve = run_b(
        &b,
        vec![
            "serve".to_owned(),
            "--listen".to_owned(),
            format!("127.0.0.1:{}", free_port()),
            "--library-ca-file".to_owned(),
            missing.clone(),
        ],
    )
    .await;
    assert!(!serve.status.success());
    let said = String::from_utf8_lossy(&serve.stderr);
    assert!(said.contains("khong-co.pem"), "{said}");

    // With it: followed over https.
    let followed_ok = sync(&https, &["--library-ca-file", &ca_file]).await;
    let printed = String::from_utf8_lossy(&followed_ok.stdout);
    assert!(
        followed_ok.status.success() && printed.contains("1 created"),
        "{printed}\n{}",
        String::from_utf8_lossy(&followed_ok.stderr)
    );
    assert_eq!(
        items(&b_db).await,
        [(
            "Hội nghị ngoại giao kinh tế".to_owned(),
            "Hội nghị tổ chức tại Đà Nẵng.".to_owned()
        )]
    );
    assert!(proxy.handshakes() >= 1);

    // A certificate for another host, from the same trusted CA: refused, nothing changes.
    let elsewhere =
        dongbo_testkit::tls::terminate(pki.server(&["thuvien.mofa.gov.vn"]), backend).await;
    let other = format!("https://localhost:{}", elsewhere.address.port());
    let refused = sync(&other, &["--library-ca-file", &ca_file]).await;
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("another host name"), "{said}");
    assert_eq!(elsewhere.handshakes(), 0);
    assert_eq!(count(&b_db, "library_items").await, 1);
    b_db.close().await;
    drop(server);
}
