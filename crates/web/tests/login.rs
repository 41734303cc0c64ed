//! Logging in under attack (issue 17, findings 8 and 9), on every backend: the throttle and
//! the lockout are kept in the database, so servers sharing it share the counts; the client is
//! named by `X-Forwarded-For` only when a trusted proxy says so; a stranger's failures lock
//! their own address out of an account, not its owner's; every refused login reads and takes
//! the same; a lock is audited and notified.

mod common;

use std::time::{Duration, Instant};

use common::{PASSWORD, TestApp, apps};
use dongbo_domain::Directory;
use dongbo_web::client_address::{TrustedProxies, TrustedProxy};

/// Failed logins one address may make per window before it is throttled
/// (`LoginPolicy::default().source_failures`).
const THROTTLE: usize = 20;
/// Failures in a row on one account from one address that lock it there
/// (`LoginPolicy::default().max_failures`).
const LOCK_AFTER: usize = 5;
const WRONG: &str = "Sai tên đăng nhập hoặc mật khẩu.";

/// Another server on `app`'s database and files, believing `X-Forwarded-For` from `proxies`.
async fn server(app: &TestApp, proxies: &[&str]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let proxies = TrustedProxies::new(
        proxies
            .iter()
            .map(|p| p.parse::<TrustedProxy>().unwrap())
            .collect(),
    );
    let state = dongbo_web::AppState::new(app.db.clone(), Directory::bundled(), app.files.clone())
        .with_trusted_proxies(proxies);
    tokio::spawn(dongbo_web::serve(listener, state, std::future::pending()));
    base
}

/// The answer to one login through the form at `base`, sent as if forwarded for `forwarded`:
/// its status, its page, and how long it took.
async fn attempt(
    base: &str,
    username: &str,
    password: &str,
    forwarded: Option<&str>,
) -> (u16, String, Duration) {
    let client = dongbo_library::http::client_builder(&dongbo_library::http::Trust::system())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The login form's token is a double-submit cookie: any value sent both ways will do.
    let body = format!(
        "csrf=t0k3n&next=%2Fmy&username={}&password={}",
        common::urlencode(username),
        common::urlencode(password)
    );
    let mut request = client
        .post(format!("{base}/login"))
        .header(reqwest::header::COOKIE, "dongbo_login_csrf=t0k3n")
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body);
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    let started = Instant::now();
    let response = request.send().await.expect("a login request");
    let status = response.status().as_u16();
    let page = response.text().await.unwrap();
    (status, page, started.elapsed())
}

#[tokio::test]
async fn two_servers_on_one_database_share_the_login_throttle() {
    for app in apps().await {
        let other = server(&app, &[]).await;
        for i in 0..THROTTLE {
            let base = if i % 2 == 0 { &app.base } else { &other };
            let (status, page, _) = attempt(base, &format!("ai.do.{i}"), "đoán thử", None).await;
            assert_eq!(status, 401, "attempt {i} on {}", app.backend);
            assert!(page.contains(WRONG), "attempt {i} on {}", app.backend);
        }
        for base in [&app.base, &other] {
            let (status, page, _) = attempt(base, "ai.do", "đoán thử", None).await;
            assert_eq!(status, 429, "one more on either server, on {}", app.backend);
            assert!(page.contains("Quá nhiều lần đăng nhập"), "{page}");
        }
    }
}

#[tokio::test]
async fn forwarded_for_is_believed_from_a_trusted_proxy_and_ignored_from_anyone_else() {
    for app in apps().await {
        // The tests' client connects from 127.0.0.1: here that is the trusted proxy.
        let behind_proxy = server(&app, &["127.0.0.0/8"]).await;
        for i in 0..THROTTLE {
            let (status, ..) = attempt(
                &behind_proxy,
                &format!("ai.do.{i}"),
                "đoán thử",
                Some("198.51.100.7, 203.0.113.1"),
            )
            .await;
            assert_eq!(status, 401, "attempt {i} on {}", app.backend);
        }
        let (status, ..) = attempt(&behind_proxy, "ai.do", "x", Some("203.0.113.1")).await;
        assert_eq!(
            status, 429,
            "the forwarded address is throttled, on {}",
            app.backend
        );
        // Another client behind the same proxy is not, even one that forges the first's
        // address to the left of its own.
        let (status, ..) = attempt(
            &behind_proxy,
            "ai.do",
            "x",
            Some("203.0.113.1, 203.0.113.2"),
        )
        .await;
        assert_eq!(
            status, 401,
            "another client behind the proxy, on {}",
            app.backend
        );

        // From a peer that is not a trusted proxy, a forged header changes nothing: every
        // attempt counts against the peer itself.
        // (The test app's own server trusts no proxy.)
        for i in 0..THROTTLE {
            let forged = format!("192.0.2.{i}");
            let (status, ..) = attempt(&app.base, &format!("ai.do.{i}"), "x", Some(&forged)).await;
            assert_eq!(status, 401, "attempt {i} on {}", app.backend);
        }
        let (status, ..) = attempt(&app.base, "ai.do", "x", Some("192.0.2.250")).await;
        assert_eq!(
            status, 429,
            "a forged X-Forwarded-For is ignored, on {}",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_strangers_failures_lock_their_address_out_of_an_account_not_its_owner() {
    for app in apps().await {
        app.user("lan", "reporter", "BVHTTDL", false).await;
        let base = server(&app, &["127.0.0.0/8"]).await;
        let stranger = Some("198.51.100.66");
        for i in 0..LOCK_AFTER + 2 {
            let (status, page, _) = attempt(&base, "lan", "đoán thử", stranger).await;
            assert_eq!(status, 401, "attempt {i} on {}", app.backend);
            assert!(page.contains(WRONG));
        }
        // The stranger's address is locked out of the account, even with the right password.
        let (status, page, _) = attempt(&base, "lan", PASSWORD, stranger).await;
        assert_eq!(
            status, 401,
            "locked from the stranger's address, on {}",
            app.backend
        );
        assert!(page.contains(WRONG), "{page}");
        // The owner, from their own address, logs in.
        let (status, ..) = attempt(&base, "lan", PASSWORD, Some("192.0.2.10")).await;
        assert_eq!(status, 303, "the owner logs in, on {}", app.backend);
    }
}

#[tokio::test]
async fn every_refused_login_reads_the_same_and_takes_about_as_long() {
    const ROUNDS: usize = 7;
    for app in apps().await {
        app.user("lan", "reporter", "BVHTTDL", false).await;
        app.user("khoa", "reporter", "BVHTTDL", false).await;
        app.user("tat", "reporter", "BVHTTDL", false).await;
        dongbo_store::accounts::set_disabled(&app.db, "test", "tat", true)
            .await
            .unwrap();
        let base = server(&app, &["127.0.0.0/8"]).await;
        let locker = "198.51.100.66";
        for _ in 0..LOCK_AFTER {
            attempt(&base, "khoa", "đoán thử", Some(locker)).await;
        }
        // Each kind of refusal, in turns, so that a slow moment of the machine falls on all.
        // Wrong passwords come from a new address each time, so they never lock.
        let kinds = ["wrong password", "unknown user", "locked", "disabled"];
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); kinds.len()];
        let mut answers: Vec<(u16, String)> = Vec::new();
        for round in 0..ROUNDS {
            let wrong_from = format!("203.0.113.{round}");
            let unknown_from = format!("203.0.114.{round}");
            let disabled_from = format!("203.0.115.{round}");
            let tries = [
                ("lan", "đoán thử", wrong_from.as_str()),
                ("khong.co.ai", PASSWORD, unknown_from.as_str()),
                ("khoa", PASSWORD, locker),
                ("tat", PASSWORD, disabled_from.as_str()),
            ];
            for (kind, (username, password, from)) in tries.into_iter().enumerate() {
                let (status, page, took) = attempt(&base, username, password, Some(from)).await;
                times[kind].push(took);
                // The page keeps what was typed as the username: that aside, all alike.
                let page = page.replace(&format!("value=\"{username}\""), "value=\"…\"");
                answers.push((status, page));
            }
        }
        let (status, page) = &answers[0];
        assert_eq!(*status, 401, "on {}", app.backend);
        assert!(page.contains(WRONG), "{page}");
        for (i, answer) in answers.iter().enumerate() {
            assert!(
                answer == &answers[0],
                "the {} answer differs from a wrong password's on {}:\n{}",
                kinds[i % kinds.len()],
                app.backend,
                answer.1
            );
        }
        let median = |times: &mut Vec<Duration>| {
            times.sort();
            times[times.len() / 2]
        };
        let medians: Vec<Duration> = times.iter_mut().map(median).collect();
        for (kind, took) in kinds.iter().zip(&medians) {
            // Generous bounds: the point is one password verification each, not the last
            // millisecond.
            assert!(
                *took * 3 >= medians[0] && *took <= medians[0] * 3,
                "{kind} takes {took:?}, a wrong password {:?}, on {}",
                medians[0],
                app.backend
            );
        }
    }
}

#[tokio::test]
async fn a_lock_is_audited_and_notified_to_the_accounts_agencies() {
    for app in apps().await {
        app.user("lan", "reporter", "BVHTTDL", false).await;
        let base = server(&app, &["127.0.0.0/8"]).await;
        for _ in 0..LOCK_AFTER {
            attempt(&base, "lan", "đoán thử", Some("198.51.100.66")).await;
        }
        let locks = dongbo_store::audit::list(
            &app.db,
            &dongbo_store::AuditFilter {
                action: Some("user.locked".to_owned()),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
        assert_eq!(locks.len(), 1, "one lock audited, on {}", app.backend);
        assert_eq!(locks[0].entity_id, "lan");
        let notices = dongbo_store::notifications::for_agency(&app.db, "BVHTTDL", false)
            .await
            .unwrap();
        let notice = notices
            .iter()
            .find(|n| n.kind == "account_locked")
            .unwrap_or_else(|| panic!("no lock notice on {}: {notices:?}", app.backend));
        assert!(notice.title.contains("lan"), "{notice:?}");
        assert!(
            !notice.body.contains("198.51.100.66"),
            "the agency's notice does not show the address: {notice:?}"
        );
    }
}
