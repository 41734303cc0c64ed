//! The findings of the independent security probe (issue 17) that live in the web layer, each
//! as a test that failed before its fix, on every backend where storage is involved: a login
//! never returns to another site, every answer carries the anti-framing, caching, referrer and
//! permissions headers, and the author of a report never reviews it.

mod common;

use common::{PASSWORD, TestApp, apps, hidden_value, location};
use dongbo_domain::access::Grant;
use dongbo_store::accounts;
use dongbo_store::audit::{self, AuditFilter};
use dongbo_store::reports::{self, ReportStatus};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Logs in through the form with `next` as sent by the login page, and answers the response.
async fn log_in_with_next(app: &TestApp, username: &str, next: &str) -> reqwest::Response {
    let mut browser = app.browser();
    let page = browser.text("/login").await;
    let csrf = hidden_value(&page, "csrf").expect("the login form's token");
    browser
        .post_raw(
            "/login",
            &[
                ("csrf", &csrf),
                ("next", next),
                ("username", username),
                ("password", PASSWORD),
            ],
        )
        .await
}

#[tokio::test]
async fn a_login_never_returns_to_another_site_and_never_fails_on_its_next() {
    let app = TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    app.user("dang.nhap", "viewer", "CP", false).await;
    // Each of these a browser reads as another host (it drops tabs and line breaks), or cannot
    // be sent back in a header at all: the login goes home instead, and never answers 500.
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\x0b/evil.example",
        "/\r\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
    ] {
        let response = log_in_with_next(&app, "dang.nhap", next).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "next {next:?}");
        assert_eq!(location(&response), "/my", "next {next:?}");
    }
    let response = log_in_with_next(&app, "dang.nhap", "/programs/1?tab=tasks").await;
    assert_eq!(location(&response), "/programs/1?tab=tasks");
}

/// The headers every answer must carry, and the one each must have.
const SECURITY_HEADERS: [(&str, &str); 5] = [
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("cache-control", "no-store"),
    ("permissions-policy", "camera=()"),
];

fn assert_secured(response: &reqwest::Response, what: &str) {
    let headers = response.headers();
    let policy = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"));
    for directive in [
        "frame-ancestors 'none'",
        "default-src 'none'",
        "style-src 'self'",
    ] {
        assert!(policy.contains(directive), "{what}: {policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{what}: {policy}");
    for (name, value) in SECURITY_HEADERS {
        let got = headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {name}"));
        assert!(got.contains(value), "{what}: {name} is {got}");
    }
}

#[tokio::test]
async fn every_answer_forbids_framing_caching_and_referrers() {
    let app = TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    app.user("xem.trang", "viewer", "CP", false).await;
    let token = accounts::create_api_token(
        &app.db,
        "test",
        "xem.trang",
        "test",
        dongbo_domain::clock::now(),
    )
    .await
    .unwrap()
    .token;
    let mut browser = app.logged_in("xem.trang").await;
    for path in ["/my", "/", "/login", "/no-such-page"] {
        let response = browser.get(path).await;
        assert_secured(&response, path);
    }
    let program = format!("/programs/{}/dashboard", app.program_id);
    assert_secured(&browser.get(&program).await, &program);
    for path in [
        "/api/v1/my/assignments",
        "/api/v1/programs",
        "/api/v1/nothing",
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_secured(&response, path);
    }
    // The style sheet alone may be kept in a cache, and is still not framed.
    let sheet = app.get("/assets/style.css").await;
    assert_eq!(sheet.headers()["cache-control"], "public, max-age=3600");
    assert_eq!(sheet.headers()["x-frame-options"], "DENY");
    // No page needs an inline style or script to look right: none has one.
    for path in ["/my", "/", &program] {
        let html = browser.text(path).await;
        assert!(!html.contains(" style="), "{path} has an inline style");
        assert!(!html.contains("<script"), "{path} has a script");
    }
}

/// A user who reports for and approves at BVHTTDL (two roles), an approver there, and the
/// lead assignment of task 3.21.
async fn two_hats(app: &TestApp) -> (String, String, i64) {
    app.user("hai.vai", "reporter", "BVHTTDL", false).await;
    accounts::grant(
        &app.db,
        "test",
        "hai.vai",
        &Grant::new("approver".parse().unwrap(), "BVHTTDL"),
    )
    .await
    .unwrap();
    app.user("duyet.khac", "approver", "BVHTTDL", false).await;
    let token = |name: &'static str| async move {
        accounts::create_api_token(&app.db, "test", name, "test", dongbo_domain::clock::now())
            .await
            .unwrap()
            .token
    };
    let assignment = app.lead_of(app.program_id, "3.21", "BVHTTDL").await;
    (
        token("hai.vai").await,
        token("duyet.khac").await,
        assignment,
    )
}

async fn post(app: &TestApp, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
    let response = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_author_of_a_report_never_reviews_it_whatever_their_roles() {
    for app in apps().await {
        let (author, other, assignment) = two_hats(&app).await;
        let body = json!({"results": "Đã tổ chức 3 hội nghị", "progress": 100});
        let (status, sent) = post(
            &app,
            &format!("/api/v1/assignments/{assignment}/reports/submit"),
            &author,
            &body,
        )
        .await;
        assert_eq!(status, 200, "{sent} on {}", app.backend);
        let report = sent["report_id"].as_i64().unwrap();
        let version = sent["version"].as_i64().unwrap();

        // Neither accepting nor returning their own report: 403 with the reason, audited,
        // nothing changed.
        for (step, review) in [
            ("accept", json!({"seen_version": version})),
            (
                "return",
                json!({"seen_version": version, "comment": "Tự trả lại"}),
            ),
        ] {
            let (status, problem) = post(
                &app,
                &format!("/api/v1/reports/{report}/{step}"),
                &author,
                &review,
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{step} on {}", app.backend);
            let detail = problem["detail"].as_str().unwrap_or("");
            assert!(detail.contains("phân tách nhiệm vụ"), "{detail}");
        }
        let stored = reports::get(&app.db, report).await.unwrap();
        assert_eq!(stored.summary.status, ReportStatus::Submitted);
        assert_eq!(stored.summary.current_version, version);
        let refused = audit::list(
            &app.db,
            &AuditFilter {
                actor: Some("hai.vai".into()),
                action: Some("report.review_refused".into()),
                entity: Some("report".into()),
                entity_id: Some(report.to_string()),
            },
            10,
            0,
        )
        .await
        .unwrap();
        assert_eq!(refused.len(), 2, "both refusals audited on {}", app.backend);

        // The page offers them no review form, and says why; posting it anyway is refused.
        let mut browser = app.logged_in("hai.vai").await;
        let page_path = format!(
            "/assignments/{assignment}/report?period={}",
            stored.summary.period.code()
        );
        let page = browser.text(&page_path).await;
        assert!(page.contains("id=\"own-report\""), "{page}");
        assert!(!page.contains("id=\"review-form\""));
        let response = browser
            .post(
                &format!("/reports/{report}/review"),
                &[
                    ("action", "accept"),
                    ("seen_version", &version.to_string()),
                    ("comment", ""),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "on {}",
            app.backend
        );
        let text = response.text().await.unwrap();
        assert!(text.contains("phân tách nhiệm vụ"), "{text}");

        // Another approver of the agency accepts it.
        let (status, accepted) = post(
            &app,
            &format!("/api/v1/reports/{report}/accept"),
            &other,
            &json!({"seen_version": version}),
        )
        .await;
        assert_eq!(status, 200, "{accepted} on {}", app.backend);
        let stored = reports::get(&app.db, report).await.unwrap();
        assert_eq!(stored.summary.status, ReportStatus::Accepted);
    }
}

#[tokio::test]
async fn whoever_saved_a_draft_that_someone_else_submitted_does_not_review_it_either() {
    for app in apps().await {
        let (author, other, assignment) = two_hats(&app).await;
        app.user("gui.di", "reporter", "BVHTTDL", false).await;
        let sender = accounts::create_api_token(
            &app.db,
            "test",
            "gui.di",
            "test",
            dongbo_domain::clock::now(),
        )
        .await
        .unwrap()
        .token;
        let body = json!({"results": "Đã tổ chức 3 hội nghị", "progress": 80});
        let (status, saved) = post(
            &app,
            &format!("/api/v1/assignments/{assignment}/reports/draft"),
            &author,
            &body,
        )
        .await;
        assert_eq!(status, 200, "{saved}");
        let body = json!({"results": "Đã tổ chức 3 hội nghị", "progress": 80,
                          "based_on": saved["version"]});
        let (status, sent) = post(
            &app,
            &format!("/api/v1/assignments/{assignment}/reports/submit"),
            &sender,
            &body,
        )
        .await;
        assert_eq!(status, 200, "{sent}");
        let report = sent["report_id"].as_i64().unwrap();
        let version = sent["version"].as_i64().unwrap();
        let review = json!({"seen_version": version, "comment": "Thiếu số liệu"});
        let path = format!("/api/v1/reports/{report}/return");
        let (status, _) = post(&app, &path, &author, &review).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "on {}", app.backend);
        let (status, returned) = post(&app, &path, &other, &review).await;
        assert_eq!(status, 200, "{returned} on {}", app.backend);
        // Once returned, the next round is judged on who writes it: the first author, who did
        // not write the resubmission, may review it.
        let returned_version = returned["version"].as_i64().unwrap();
        let (status, resent) = post(
            &app,
            &format!("/api/v1/assignments/{assignment}/reports/submit"),
            &sender,
            &json!({"results": "Đã bổ sung số liệu", "progress": 90,
                    "based_on": returned_version}),
        )
        .await;
        assert_eq!(status, 200, "{resent}");
        let resent = resent["version"].as_i64().unwrap();
        let (status, accepted) = post(
            &app,
            &format!("/api/v1/reports/{report}/accept"),
            &author,
            &json!({"seen_version": resent}),
        )
        .await;
        assert_eq!(status, 200, "{accepted} on {}", app.backend);
    }
}

/// A user with `role` on `agency` and an API token.
async fn token_for(app: &TestApp, username: &str, role: &str, agency: &str) -> String {
    app.user(username, role, agency, false).await;
    accounts::create_api_token(
        &app.db,
        "test",
        username,
        "test",
        dongbo_domain::clock::now(),
    )
    .await
    .unwrap()
    .token
}

#[tokio::test]
async fn evidence_cannot_be_borrowed_by_citing_its_hash() {
    for app in apps().await {
        let owner = token_for(&app, "chu.tep", "reporter", "BVHTTDL").await;
        let borrower = token_for(&app, "muon.tep", "reporter", "BNG").await;
        let owners = app.lead_of(app.program_id, "3.21", "BVHTTDL").await;
        let theirs = assignments_of(&app, &borrower).await;

        // The owner uploads and cites a file in a draft of their agency's report.
        let uploaded = app
            .client
            .post(format!(
                "{}/api/v1/assignments/{owners}/files?name=bien-ban-mat.txt",
                app.base
            ))
            .bearer_auth(&owner)
            .header("content-type", "text/plain")
            .body("Biên bản họp nội bộ")
            .send()
            .await
            .unwrap();
        assert_eq!(uploaded.status(), 200, "on {}", app.backend);
        let sha256 = uploaded.json::<Value>().await.unwrap()["sha256"]
            .as_str()
            .unwrap()
            .to_owned();
        let cite = |sha: &str| {
            json!({"results": "Đã họp", "progress": 10,
                   "files": [{"sha256": sha, "name": "tep.txt"}]})
        };
        let (status, saved) = post(
            &app,
            &format!("/api/v1/assignments/{owners}/reports/draft"),
            &owner,
            &cite(&sha256),
        )
        .await;
        assert_eq!(status, 200, "{saved} on {}", app.backend);

        // Another agency's reporter cites it by its hash: refused exactly as a file never
        // uploaded is (nothing tells the file exists), and the file stays unreadable to them.
        let draft = format!("/api/v1/assignments/{theirs}/reports/draft");
        let (status, borrowed) = post(&app, &draft, &borrower, &cite(&sha256)).await;
        let never = "0".repeat(64);
        let (never_status, never_uploaded) = post(&app, &draft, &borrower, &cite(&never)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{borrowed}");
        assert_eq!(
            never_status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{never_uploaded}"
        );
        assert_eq!(borrowed["detail"], never_uploaded["detail"]);
        assert_eq!(borrowed["errors"], never_uploaded["errors"]);
        assert_eq!(borrowed["errors"][0]["field"], "files[0].sha256");
        let mut browser = app.logged_in("muon.tep").await;
        let download = browser.get(&format!("/files/{sha256}")).await;
        assert_eq!(
            download.status(),
            StatusCode::NOT_FOUND,
            "on {}",
            app.backend
        );

        // Their own upload they cite; a colleague of the owner's agency cites the owner's file
        // (they may read the report that holds it).
        let own = app
            .client
            .post(format!(
                "{}/api/v1/assignments/{theirs}/files?name=cua-toi.txt",
                app.base
            ))
            .bearer_auth(&borrower)
            .header("content-type", "text/plain")
            .body("Tệp của Bộ Ngoại giao")
            .send()
            .await
            .unwrap();
        let own_sha = own.json::<Value>().await.unwrap()["sha256"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, saved) = post(&app, &draft, &borrower, &cite(&own_sha)).await;
        assert_eq!(status, 200, "{saved} on {}", app.backend);
        let colleague = token_for(&app, "dong.nghiep", "approver", "BVHTTDL").await;
        let (status, saved) = post(
            &app,
            &format!("/api/v1/assignments/{owners}/reports/draft"),
            &colleague,
            &json!({"results": "Đã họp", "progress": 20, "based_on": saved_version(&app, owners).await,
                    "files": [{"sha256": sha256, "name": "tep.txt"}]}),
        )
        .await;
        assert_eq!(status, 200, "{saved} on {}", app.backend);
    }
}

/// The id of an assignment of the caller's agency (the first of their own).
async fn assignments_of(app: &TestApp, token: &str) -> i64 {
    let mine: Value = app
        .client
        .get(format!("{}/api/v1/my/assignments", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    mine[0]["id"].as_i64().expect("an assignment of my own")
}

/// The current version of the once-report of assignment `id`.
async fn saved_version(app: &TestApp, id: i64) -> i64 {
    reports::for_assignment(&app.db, id)
        .await
        .unwrap()
        .first()
        .map(|r| r.current_version)
        .expect("a report")
}

#[tokio::test]
async fn a_form_that_is_not_utf8_is_a_bad_request_not_a_forgery() {
    let app = TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    app.user("go.sai", "reporter", "BNG", false).await;
    let mut browser = app.logged_in("go.sai").await;
    let page = browser.text("/my").await;
    let csrf = hidden_value(&page, "csrf").unwrap();
    let send = |body: String| {
        browser
            .client
            .post(format!("{}/account/password", browser.base))
            .header(reqwest::header::COOKIE, browser.cookie_header())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
    };
    let unreadable = send(format!("csrf={csrf}&current=%FF%FE&new=x&confirm=x"))
        .await
        .unwrap();
    assert_eq!(unreadable.status(), StatusCode::BAD_REQUEST);
    let text = unreadable.text().await.unwrap();
    assert!(text.contains("not valid UTF-8"), "{text}");
    // A readable form without the token is still refused as one.
    let forged = send("current=a&new=b&confirm=b".to_owned()).await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.text().await.unwrap().contains("CSRF"));
}

#[tokio::test]
async fn another_agencys_reports_are_not_found_and_drafts_stay_with_their_agency() {
    for app in apps().await {
        let reporter = token_for(&app, "viet.nhap", "reporter", "BVHTTDL").await;
        let outsider = token_for(&app, "nguoi.ngoai", "approver", "BNG").await;
        let coordinator = token_for(&app, "dieu.phoi.cp", "coordinator", "CP").await;
        let assignment = app.lead_of(app.program_id, "3.21", "BVHTTDL").await;
        let body = json!({"results": "Bản nháp nội bộ", "progress": 30});
        let (status, saved) = post(
            &app,
            &format!("/api/v1/assignments/{assignment}/reports/draft"),
            &reporter,
            &body,
        )
        .await;
        assert_eq!(status, 200, "{saved}");
        let report = saved["report_id"].as_i64().unwrap();
        let get = |path: String, token: String| {
            let app = &app;
            async move {
                app.client
                    .get(format!("{}{path}", app.base))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        let this = format!("/api/v1/reports/{report}");
        let unknown = "/api/v1/reports/999999".to_owned();
        // An agency outside the caller's: the same answer as an id that does not exist, for a
        // read and for a review.
        assert_eq!(
            get(this.clone(), outsider.clone()).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            get(unknown.clone(), outsider.clone()).await,
            StatusCode::NOT_FOUND
        );
        for path in [format!("{this}/accept"), format!("{unknown}/accept")] {
            let (status, _) = post(&app, &path, &outsider, &json!({"seen_version": 1})).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path} on {}", app.backend);
        }
        let theirs = format!("/api/v1/assignments/{assignment}/reports");
        assert_eq!(get(theirs, outsider.clone()).await, StatusCode::NOT_FOUND);

        // The draft is the agency's: its reporter reads it, the coordinator does not, until
        // it is sent.
        assert_eq!(get(this.clone(), reporter.clone()).await, StatusCode::OK);
        assert_eq!(
            get(this.clone(), coordinator.clone()).await,
            StatusCode::NOT_FOUND
        );
        let (status, _) = post(
            &app,
            &format!("/api/v1/assignments/{assignment}/reports/submit"),
            &reporter,
            &json!({"results": "Đã gửi", "progress": 30, "based_on": saved["version"]}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(get(this.clone(), coordinator.clone()).await, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_reset_by_an_administrator_or_logging_out_everywhere_revokes_api_tokens() {
    for app in apps().await {
        let status_with = |token: String| {
            let app = &app;
            async move {
                app.client
                    .get(format!("{}/api/v1/my/assignments", app.base))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        // Users changing their own password keep their tokens (as the README says).
        let kept = token_for(&app, "tu.doi", "reporter", "BNG").await;
        accounts::set_password(
            &app.db,
            "tu.doi",
            "tu.doi",
            "Mật khẩu mới của tôi 2026",
            false,
            &Default::default(),
        )
        .await
        .unwrap();
        assert_eq!(
            status_with(kept).await,
            StatusCode::OK,
            "on {}",
            app.backend
        );

        // A reset by an administrator revokes them.
        let reset = token_for(&app, "bi.dat.lai", "reporter", "BNG").await;
        assert_eq!(status_with(reset.clone()).await, StatusCode::OK);
        accounts::set_password(
            &app.db,
            "quan.tri",
            "bi.dat.lai",
            "Mật khẩu tạm thời 2026",
            true,
            &Default::default(),
        )
        .await
        .unwrap();
        assert_eq!(
            status_with(reset).await,
            StatusCode::UNAUTHORIZED,
            "on {}",
            app.backend
        );

        // Logging out everywhere from the account page ends the session and the tokens.
        let token = token_for(&app, "lo.mat", "reporter", "BNG").await;
        let mut browser = app.logged_in("lo.mat").await;
        let page = browser.text("/account/password").await;
        assert!(page.contains("id=\"logout-everywhere-form\""));
        let session = browser.cookies.clone();
        let response = browser.post("/account/logout-everywhere", &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/login");
        assert_eq!(
            status_with(token).await,
            StatusCode::UNAUTHORIZED,
            "on {}",
            app.backend
        );
        let mut after = app.browser();
        after.cookies = session;
        let my = after.get("/my").await;
        assert_eq!(my.status(), StatusCode::SEE_OTHER, "the session ended");
        assert!(location(&my).starts_with("/login"));
    }
}
