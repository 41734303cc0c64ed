//! Two approvers acting on the same submitted report at the same moment, over real HTTP, on
//! every backend: one wins, the other is told of the conflict (problem details on the API, a
//! Vietnamese message on the page), and no update is lost — the report holds exactly the
//! submission and the winner's decision, each audited once.

mod common;

use std::sync::Arc;

use common::{Browser, TestApp, apps, hidden_value};
use dongbo_store::audit::{self, AuditFilter};
use dongbo_store::{ReportStatus, accounts, reports};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Barrier;

/// Rounds per test: each is one fresh report decided by two approvers at once.
const ROUNDS: usize = 4;

async fn token_for(app: &TestApp, username: &str, role: &str) -> String {
    app.user(username, role, "BVHTTDL", false).await;
    accounts::create_api_token(
        &app.db,
        "test",
        username,
        "test",
        dongbo_domain::clock::now(),
    )
    .await
    .expect("an API token")
    .token
}

/// A fresh submitted report of 2.1 for `period`; its id.
async fn submitted_report(app: &TestApp, token: &str, assignment: i64, period: &str) -> i64 {
    let response = app
        .client
        .post(format!(
            "{}/api/v1/assignments/{assignment}/reports/submit",
            app.base
        ))
        .bearer_auth(token)
        .json(&json!({"period": period, "results": "Đã tổ chức hội nghị", "progress": 40}))
        .send()
        .await
        .expect("submit");
    assert_eq!(response.status(), 200, "on {}", app.backend);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["version"], 1);
    outcome["report_id"].as_i64().unwrap()
}

/// The report after the race: the submission and exactly one decision, each with its one
/// audit entry; the decision is the winner's.
async fn check_one_decision(app: &TestApp, report_id: i64, winner: &str, status: ReportStatus) {
    let report = reports::get(&app.db, report_id).await.unwrap();
    let written: Vec<(i64, &str, &str)> = report
        .versions
        .iter()
        .map(|v| (v.version, v.action.as_str(), v.author.as_str()))
        .collect();
    let decision = if status == ReportStatus::Accepted {
        "accept"
    } else {
        "return"
    };
    assert_eq!(
        written,
        [(1, "submit", "bao.cao"), (2, decision, winner)],
        "on {}",
        app.backend
    );
    assert_eq!(report.summary.status, status);
    let filter = AuditFilter {
        entity: Some("report".to_owned()),
        entity_id: Some(report_id.to_string()),
        ..AuditFilter::default()
    };
    let audited = audit::list(&app.db, &filter, 10, 0).await.unwrap();
    assert_eq!(audited.len(), 2, "one entry per version on {}", app.backend);
}

#[tokio::test]
async fn two_approvers_deciding_one_report_at_once_over_the_api_one_wins_and_one_gets_a_conflict() {
    for app in apps().await {
        let reporter = token_for(&app, "bao.cao", "reporter").await;
        let approvers = [
            (
                "lanh.dao.mot",
                token_for(&app, "lanh.dao.mot", "approver").await,
            ),
            (
                "lanh.dao.hai",
                token_for(&app, "lanh.dao.hai", "approver").await,
            ),
        ];
        let assignment = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        for round in 0..ROUNDS {
            let period = format!("2025-M{:02}", round + 1);
            let report_id = submitted_report(&app, &reporter, assignment, &period).await;
            // The first accepts, the second returns — both on version 1, released together.
            let barrier = Arc::new(Barrier::new(2));
            let mut racers = Vec::new();
            for (index, (name, token)) in approvers.iter().enumerate() {
                let (client, barrier, token) = (app.client.clone(), barrier.clone(), token.clone());
                let (path, body) = if index == 0 {
                    ("accept", json!({"seen_version": 1}))
                } else {
                    (
                        "return",
                        json!({"seen_version": 1, "comment": "Bổ sung số liệu"}),
                    )
                };
                let url = format!("{}/api/v1/reports/{report_id}/{path}", app.base);
                let name = name.to_string();
                racers.push(tokio::spawn(async move {
                    barrier.wait().await;
                    let response = client
                        .post(url)
                        .bearer_auth(token)
                        .json(&body)
                        .send()
                        .await
                        .expect("a decision");
                    let status = response.status();
                    let kind = response
                        .headers()
                        .get(reqwest::header::CONTENT_TYPE)
                        .map(|v| v.to_str().unwrap().to_owned());
                    let body: Value = response.json().await.unwrap_or(Value::Null);
                    (name, status, kind, body)
                }));
            }
            let mut results = Vec::new();
            for racer in racers {
                results.push(racer.await.unwrap());
            }
            let winners: Vec<_> = results.iter().filter(|r| r.1 == StatusCode::OK).collect();
            let losers: Vec<_> = results
                .iter()
                .filter(|r| r.1 == StatusCode::CONFLICT)
                .collect();
            assert_eq!(
                (winners.len(), losers.len()),
                (1, 1),
                "round {round} on {}: {results:?}",
                app.backend
            );
            let (_, _, kind, problem) = losers[0];
            assert_eq!(kind.as_deref(), Some("application/problem+json"));
            assert_eq!(problem["type"], "urn:dongbo:problem:conflict", "{problem}");
            let detail = problem["detail"].as_str().unwrap();
            assert!(detail.contains("tải lại"), "a Vietnamese reason: {detail}");
            let (winner, _, _, outcome) = winners[0];
            let status = if outcome["status"] == "accepted" {
                ReportStatus::Accepted
            } else {
                ReportStatus::Returned
            };
            check_one_decision(&app, report_id, winner, status).await;
        }
    }
}

/// Posts the review form of `report_page` as `browser` (session CSRF `csrf`) once `barrier`
/// lets every racer go.
async fn race_review_form(
    mut browser: Browser,
    csrf: String,
    report_page: String,
    decision: &'static str,
    barrier: Arc<Barrier>,
) -> (StatusCode, String) {
    let page = browser.text(&report_page).await;
    let seen = hidden_value(&page, "seen_version").expect("the review form's version");
    let action = Browser::form_action(&page, "review-form");
    barrier.wait().await;
    let response = browser
        .post_raw(
            &action,
            &[
                ("csrf", &csrf),
                ("seen_version", &seen),
                ("action", decision),
                ("comment", "Bổ sung số liệu"),
            ],
        )
        .await;
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn two_approvers_deciding_one_report_at_once_on_its_page_one_wins_and_one_is_told_in_vietnamese()
 {
    for app in apps().await {
        let reporter = token_for(&app, "bao.cao", "reporter").await;
        app.user("lanh.dao.mot", "approver", "BVHTTDL", false).await;
        app.user("lanh.dao.hai", "approver", "BVHTTDL", false).await;
        let assignment = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        for round in 0..ROUNDS {
            let period = format!("2025-M{:02}", round + 1);
            let report_id = submitted_report(&app, &reporter, assignment, &period).await;
            let report_page = format!("/assignments/{assignment}/report?period={period}");
            let barrier = Arc::new(Barrier::new(2));
            let (first, first_csrf) = app.session("lanh.dao.mot").await;
            let (second, second_csrf) = app.session("lanh.dao.hai").await;
            let accepting = tokio::spawn(race_review_form(
                first,
                first_csrf,
                report_page.clone(),
                "accept",
                barrier.clone(),
            ));
            let returning = tokio::spawn(race_review_form(
                second,
                second_csrf,
                report_page.clone(),
                "return",
                barrier,
            ));
            let accepted = accepting.await.unwrap();
            let returned = returning.await.unwrap();
            let statuses = [accepted.0, returned.0];
            assert!(
                statuses.contains(&StatusCode::SEE_OTHER)
                    && statuses.contains(&StatusCode::CONFLICT),
                "round {round} on {}: {statuses:?}",
                app.backend
            );
            let (winner, status, lost_page) = if accepted.0 == StatusCode::SEE_OTHER {
                ("lanh.dao.mot", ReportStatus::Accepted, returned.1)
            } else {
                ("lanh.dao.hai", ReportStatus::Returned, accepted.1)
            };
            assert!(
                lost_page.contains("người khác") && lost_page.contains("tải lại"),
                "the loser is told in Vietnamese: {lost_page}"
            );
            check_one_decision(&app, report_id, winner, status).await;
        }
    }
}
