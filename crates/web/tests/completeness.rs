//! Completeness and timeliness of reports (tình hình gửi báo cáo) and the program's reporting
//! regimes over real HTTP, on every backend: the page and the API count the reports of an
//! agency for the year 2025 as computed by hand, the agencies holding the report back are
//! listed, the dashboard shows the figures with a link, and the coordinator sets the
//! program's regimes — bad input refused next to its field, changing nothing; a later
//! deadline turns a late report on time.

mod common;

use dongbo_store::accounts;
use dongbo_store::reports::{self, ReportPeriod};
use reqwest::Method;
use serde_json::{Value, json};

use common::{TestApp, apps, location};

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
    .expect("an API token")
    .token
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Submits a report for 2025 and moves its first submission to `at` (RFC 3339, UTC): the
/// test cannot wait for December 2025.
async fn submitted_2025(app: &TestApp, assignment_id: i64, at: &str) -> (i64, i64) {
    let period = ReportPeriod::Period("2025-Y".parse().unwrap());
    let (report, version) = app
        .submitted(assignment_id, period, 40, "Đã triển khai", "bao.cao")
        .await;
    sqlx::query(
        "UPDATE report_versions SET saved_at = $1 WHERE report_id = $2 AND action = 'submit'",
    )
    .bind(at)
    .bind(report)
    .execute(app.db.pool())
    .await
    .unwrap();
    (report, version)
}

/// An agency's counts in the API's answer.
fn line<'a>(answer: &'a Value, agency: &str) -> &'a Value {
    answer["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agency_code"] == agency)
        .unwrap_or_else(|| panic!("a line for {agency}"))
}

fn counts(line: &Value) -> [u64; 6] {
    [
        "expected",
        "submitted",
        "on_time",
        "late",
        "missing",
        "accepted",
    ]
    .map(|k| line[k].as_u64().unwrap_or_else(|| panic!("{k} in {line}")))
}

const YEAR_2025: &str = "/completeness?regime=annual&period=2025-Y&on=2026-01-10";

#[tokio::test]
async fn the_page_and_the_api_count_an_agencys_reports_as_computed_by_hand() {
    for app in apps().await {
        let coordinator = token_for(&app, "dieu.phoi", "coordinator", "CP").await;
        let api = format!("/api/v1/programs/{}{YEAR_2025}", app.program_id);
        let (status, before) = call(&app, Method::GET, &api, &coordinator, None).await;
        assert_eq!(status, 200, "{before} on {}", app.backend);
        assert_eq!(before["deadline"], "2025-12-15");
        assert_eq!(before["window_start"], "2024-12-15");
        let [expected, submitted, ..] = counts(line(&before, "BVHTTDL"));
        assert!(expected >= 2, "1.2 and 2.1 at least");
        assert_eq!(submitted, 0);

        // By hand: 1.2 sent on 10 December and accepted; 2.1 sent at 00:30 on 16 December in
        // Vietnam (17:30 UTC the day before), a day late, and still waiting.
        let yearly = app.lead_of(app.program_id, "1.2", "BVHTTDL").await;
        let (report, version) = submitted_2025(&app, yearly, "2025-12-10T03:00:00Z").await;
        reports::accept(&app.db, report, version, "lanh.dao", None)
            .await
            .unwrap();
        let overdue = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        submitted_2025(&app, overdue, "2025-12-15T17:30:00Z").await;

        let (_, after) = call(&app, Method::GET, &api, &coordinator, None).await;
        let culture = line(&after, "BVHTTDL");
        assert_eq!(
            counts(culture),
            [expected, 2, 1, 1, expected - 2, 1],
            "on {}",
            app.backend
        );
        assert_eq!(culture["complete"], false);
        assert!(
            after["holding_back"]
                .as_array()
                .unwrap()
                .contains(&json!("BVHTTDL"))
        );
        let record = after["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| {
                r["agency_code"] == "BVHTTDL" && r["task_code"] == "2.1" && r["role"] == "lead"
            })
            .unwrap();
        assert_eq!(record["first_submitted_on"], "2025-12-16");
        assert_eq!(record["accepted"], false);
        let total_before = &before["total"];
        let total_after = &after["total"];
        assert_eq!(
            total_after["submitted"].as_u64(),
            total_before["submitted"].as_u64().map(|n| n + 2)
        );

        // The page says the same, and the agency's name links to what it still owes.
        app.user("xem", "viewer", "CP", false).await;
        let mut viewer = app.logged_in("xem").await;
        let page = viewer
            .text(&format!("/programs/{}{YEAR_2025}", app.program_id))
            .await;
        let row_start = page
            .find("<tr data-agency=\"BVHTTDL\"")
            .expect("a line for BVHTTDL");
        let row = &page[row_start..row_start + page[row_start..].find("</tr>").unwrap()];
        for (class, n) in [
            ("expected", expected),
            ("submitted", 2),
            ("on-time", 1),
            ("late", 1),
            ("missing", expected - 2),
            ("accepted", 1),
        ] {
            assert!(
                row.contains(&format!("class=\"num {class}\">{n}<")),
                "{class} {n} in {row}"
            );
        }
        assert!(row.contains(&format!(
            "href=\"/programs/{}/dashboard?agency=BVHTTDL&amp;period=2025-Y&amp;missing=1#tasks\"",
            app.program_id
        )));
        let holding = &page[page.find("id=\"holding-back\"").unwrap()..];
        assert!(holding[..holding.find("</section>").unwrap()].contains("data-agency=\"BVHTTDL\""));
        assert!(page.contains("Cơ quan chưa hoàn thành báo cáo kỳ này"));
        // Only the agencies not complete: BVHTTDL stays.
        let incomplete = viewer
            .text(&format!(
                "/programs/{}{YEAR_2025}&incomplete=1",
                app.program_id
            ))
            .await;
        assert!(!incomplete.contains("data-complete=\"true\""));
        assert!(incomplete.contains("<tr data-agency=\"BVHTTDL\""));

        // A period of another regime or a regime the program does not have is refused.
        let (status, problem) = call(
            &app,
            Method::GET,
            &format!(
                "/api/v1/programs/{}/completeness?regime=quarterly",
                app.program_id
            ),
            &coordinator,
            None,
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(problem["errors"][0]["field"], "regime");
        let response = viewer
            .get(&format!(
                "/programs/{}/completeness?period=2025-Q1",
                app.program_id
            ))
            .await;
        assert_eq!(response.status(), 400);
        assert_eq!(
            viewer.get("/programs/999999/completeness").await.status(),
            404
        );
    }
}

#[tokio::test]
async fn the_dashboard_shows_the_current_periods_completeness_with_a_link() {
    for app in apps().await {
        app.user("xem", "viewer", "CP", false).await;
        let mut viewer = app.logged_in("xem").await;
        let page = viewer
            .text(&format!("/programs/{}/dashboard", app.program_id))
            .await;
        let section = &page[page.find("id=\"completeness\"").expect("the section")..];
        let section = &section[..section.find("</section>").unwrap()];
        assert!(section.contains("id=\"completeness-link\""), "{section}");
        assert!(section.contains(&format!(
            "href=\"/programs/{}/completeness?regime=annual&amp;period=",
            app.program_id
        )));
        assert!(section.contains("class=\"expected\""));
    }
}

#[tokio::test]
async fn the_coordinator_sets_the_regimes_and_bad_input_is_refused_next_to_the_field() {
    for app in apps().await {
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        let path = format!("/programs/{}/regimes", app.program_id);
        let mut coordinator = app.logged_in("dieu.phoi").await;
        let page = coordinator
            .text(&format!("/programs/{}/completeness", app.program_id))
            .await;
        assert!(page.contains("id=\"regime-form\""));
        assert!(page.contains("Mặc định theo Nghị định 09/2019/NĐ-CP"));

        // Bad input: every fault next to its field, what was typed kept, nothing changed.
        let before = app.fingerprint().await;
        let refused = coordinator
            .post(
                &path,
                &[
                    ("kind", "phase"),
                    ("reporters", "every"),
                    ("working_days", "0"),
                    ("phase_label", "Giai đoạn 2024–2026"),
                    ("phase_start", "2026-12-31"),
                    ("phase_end", "2024-01-01"),
                ],
            )
            .await;
        assert_eq!(refused.status(), 422, "on {}", app.backend);
        let html = refused.text().await.unwrap();
        assert!(html.contains("data-field=\"working_days\""), "{html}");
        assert!(html.contains("data-field=\"phase_end\""));
        assert!(html.contains("value=\"Giai đoạn 2024–2026\""));
        assert!(html.contains("id=\"error-summary\""));
        let refused = coordinator
            .post(
                &path,
                &[
                    ("kind", "weekly"),
                    ("reporters", "some"),
                    ("working_days", "x"),
                ],
            )
            .await;
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        for field in ["kind", "reporters", "working_days"] {
            assert!(html.contains(&format!("data-field=\"{field}\"")), "{field}");
        }
        assert_eq!(
            app.fingerprint().await.changed(&before),
            Vec::<String>::new()
        );

        // A reporter may not.
        let mut reporter = app.logged_in("bao.cao").await;
        let forbidden = reporter
            .post(
                &path,
                &[
                    ("kind", "quarterly"),
                    ("reporters", "leads"),
                    ("working_days", "3"),
                ],
            )
            .await;
        assert_eq!(forbidden.status(), 403);

        // A quarterly report from the leads, and a phase, set by the coordinator.
        let saved = coordinator
            .post(
                &path,
                &[
                    ("kind", "quarterly"),
                    ("reporters", "leads"),
                    ("working_days", "3"),
                ],
            )
            .await;
        assert_eq!(saved.status(), 303);
        assert!(location(&saved).ends_with("/completeness?regime=quarterly"));
        let saved = coordinator
            .post(
                &path,
                &[
                    ("kind", "phase"),
                    ("reporters", "every"),
                    ("working_days", "10"),
                    ("phase_label", " Giai đoạn 2024–2026 "),
                    ("phase_start", "2024-01-01"),
                    ("phase_end", "2026-12-31"),
                ],
            )
            .await;
        assert_eq!(saved.status(), 303);
        let token = accounts::create_api_token(
            &app.db,
            "test",
            "dieu.phoi",
            "t",
            dongbo_domain::clock::now(),
        )
        .await
        .unwrap()
        .token;
        let api = format!("/api/v1/programs/{}/regimes", app.program_id);
        let (status, regimes) = call(&app, Method::GET, &api, &token, None).await;
        assert_eq!(status, 200);
        let keys: Vec<&str> = regimes
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["annual", "quarterly", "2024-01-01..2026-12-31"]);
        assert_eq!(regimes[2]["phase_label"], "Giai đoạn 2024–2026");
        assert_eq!(regimes[0]["overridden"], false);
        let (status, phase) = call(
            &app,
            Method::GET,
            &format!(
                "/api/v1/programs/{}/completeness?regime=2024-01-01..2026-12-31",
                app.program_id
            ),
            &token,
            None,
        )
        .await;
        assert_eq!(status, 200, "{phase}");
        // Ten working days after Thursday 31 December 2026: Thursday 14 January 2027.
        assert_eq!(phase["deadline"], "2027-01-14");

        // Through the API: five working days for the annual report move its deadline to
        // Friday 19 December 2025, and a report sent on the 18th is on time.
        let culture = app.lead_of(app.program_id, "1.2", "BVHTTDL").await;
        submitted_2025(&app, culture, "2025-12-18T03:00:00Z").await;
        let completeness = format!("/api/v1/programs/{}{YEAR_2025}", app.program_id);
        let (_, before) = call(&app, Method::GET, &completeness, &token, None).await;
        assert_eq!(counts(line(&before, "BVHTTDL"))[2..4], [0, 1]);
        let (status, set) = call(
            &app,
            Method::PUT,
            &api,
            &token,
            Some(&json!({"kind": "annual", "reporters": "every", "working_days": 5})),
        )
        .await;
        assert_eq!(status, 200, "{set}");
        assert_eq!(set["working_days"], 5);
        let (_, after) = call(&app, Method::GET, &completeness, &token, None).await;
        assert_eq!(after["deadline"], "2025-12-19");
        assert_eq!(counts(line(&after, "BVHTTDL"))[2..4], [1, 0]);
        // The dashboard's deadline for the year follows too.
        let dashboard = coordinator
            .text(&format!(
                "/programs/{}/dashboard?period=2025-Y",
                app.program_id
            ))
            .await;
        assert!(dashboard.contains("hạn gửi 19/12/2025"));

        // A bad body is a 422 naming the field; removing brings the default back.
        let (status, problem) = call(
            &app,
            Method::PUT,
            &api,
            &token,
            Some(&json!({"kind": "annual", "reporters": "every", "working_days": 61})),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(problem["errors"][0]["field"], "working_days");
        let (status, _) = call(&app, Method::DELETE, &format!("{api}/annual"), &token, None).await;
        assert_eq!(status, 204);
        let (_, back) = call(&app, Method::GET, &completeness, &token, None).await;
        assert_eq!(back["deadline"], "2025-12-15");
        let (status, _) = call(&app, Method::DELETE, &format!("{api}/annual"), &token, None).await;
        assert_eq!(status, 404);
        let reporter_token = accounts::create_api_token(
            &app.db,
            "test",
            "bao.cao",
            "t",
            dongbo_domain::clock::now(),
        )
        .await
        .unwrap()
        .token;
        let (status, _) = call(
            &app,
            Method::DELETE,
            &format!("{api}/quarterly"),
            &reporter_token,
            None,
        )
        .await;
        assert_eq!(status, 403);

        // The page removes one of the program's own regimes.
        let removed = coordinator
            .post(
                &format!("/programs/{}/regimes/remove", app.program_id),
                &[("key", "quarterly")],
            )
            .await;
        assert_eq!(removed.status(), 303);
        let (_, regimes) = call(&app, Method::GET, &api, &token, None).await;
        assert_eq!(regimes.as_array().unwrap().len(), 2);
    }
}

#[tokio::test]
async fn the_report_page_shows_deadlines_under_the_programs_regime() {
    use dongbo_domain::regime::{Reporters, ReportingRegime};
    use dongbo_domain::{DeadlineRule, PeriodKind};
    for app in apps().await {
        let assignment = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        app.user("bcv", "reporter", "BVHTTDL", false).await;
        let (mut browser, _) = app.session("bcv").await;
        let path = format!("/assignments/{assignment}/report?period=2026-Y");
        let page = browser.text(&path).await;
        // The Decree 09 default: one working day after the 14 December cut-off.
        assert!(
            page.contains("15/12/2025 – 14/12/2026 (hạn gửi 15/12/2026)"),
            "{page}"
        );
        dongbo_store::regimes::set(
            &app.db,
            app.program_id,
            &ReportingRegime::periodic(
                PeriodKind::Annual,
                Reporters::Every,
                DeadlineRule::new(10).unwrap(),
            ),
            "test",
        )
        .await
        .unwrap();
        // Ten working days after Monday 14 December 2026.
        let page = browser.text(&path).await;
        assert!(
            page.contains("15/12/2025 – 14/12/2026 (hạn gửi 28/12/2026)"),
            "{page}"
        );
        assert!(
            !page.contains("15/12/2025 – 14/12/2026 (hạn gửi 15/12/2026)"),
            "the annual report's default deadline is gone"
        );
    }
}

#[tokio::test]
async fn the_dashboard_shows_a_changed_regime_at_once() {
    use dongbo_domain::regime::{Reporters, ReportingRegime};
    use dongbo_domain::{DeadlineRule, PeriodKind};
    for app in apps().await {
        app.user("xem", "viewer", "CP", false).await;
        let (mut browser, _) = app.session("xem").await;
        let path = format!("/programs/{}/dashboard?period=2026-Y", app.program_id);
        // Read once, so that the server keeps what it read for this version.
        let page = browser.text(&path).await;
        assert!(page.contains("14/12/2026 (hạn gửi 15/12/2026)"), "{page}");
        dongbo_store::regimes::set(
            &app.db,
            app.program_id,
            &ReportingRegime::periodic(
                PeriodKind::Annual,
                Reporters::Every,
                DeadlineRule::new(10).unwrap(),
            ),
            "test",
        )
        .await
        .unwrap();
        let page = browser.text(&path).await;
        assert!(page.contains("14/12/2026 (hạn gửi 28/12/2026)"), "{page}");
    }
}

/// The periods a program's pages offer start at its first reporting period: 47/NQ-CP was
/// issued on 15/04/2024, so neither the completeness page nor the synthesis form offers a year
/// before 2024 (they offered the eight years back from today, to 2019), and both still offer
/// the current one.
#[tokio::test]
async fn period_lists_start_at_the_programs_first_reporting_period() {
    let years = |page: &str, select: &str| -> Vec<i32> {
        let start = page
            .find(select)
            .unwrap_or_else(|| panic!("{select} on the page"));
        let list = &page[start..];
        let list = &list[..list.find("</select>").unwrap()];
        list.split("value=\"")
            .skip(1)
            .filter_map(|rest| rest.get(..4)?.parse().ok())
            .collect()
    };
    let this_year = dongbo_domain::clock::today().format("%Y").to_string();
    let this_year: i32 = this_year.parse().unwrap();
    for app in apps().await {
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        let mut coordinator = app.logged_in("dieu.phoi").await;
        let page = coordinator
            .text(&format!(
                "/programs/{}/completeness?regime=annual",
                app.program_id
            ))
            .await;
        let offered = years(&page, "name=\"period\"");
        assert!(!offered.is_empty());
        assert_eq!(
            offered.iter().min(),
            Some(&2024),
            "{offered:?} on {}",
            app.backend
        );
        assert!(offered.contains(&this_year), "{offered:?}");
        let form = coordinator
            .text(&format!("/programs/{}/synthesis", app.program_id))
            .await;
        let offered = years(&form, "id=\"period\"");
        assert!(
            offered.iter().all(|year| *year >= 2024),
            "{offered:?} on {}",
            app.backend
        );
        assert!(offered.contains(&this_year), "{offered:?}");
    }
}
