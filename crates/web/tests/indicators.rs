//! Indicators (chỉ tiêu) in pages and the API, on every backend: the list with computed
//! achievement, an indicator's chart over time, recording values with permission, refused
//! input that changes nothing.

mod common;

use common::{TestApp, apps, location};
use dongbo_domain::Directory;
use dongbo_domain::indicator::{Value, value_period};
use dongbo_store::indicators::{self, NewValue};
use reqwest::StatusCode;
use serde_json::{Value as Json, json};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../import/tests/fixtures/indicators.md"
);

/// The fixture's indicators stored in the app's 47/NQ-CP.
async fn with_indicators(app: &TestApp) {
    let bytes = std::fs::read(FIXTURE).unwrap();
    let imported = dongbo_import::import_indicators(
        &bytes,
        "indicators.md",
        dongbo_import::Format::Auto,
        &Directory::bundled(),
        None,
    )
    .unwrap();
    indicators::upsert(&app.db, app.program_id, &imported.indicators, "test")
        .await
        .unwrap();
}

async fn record(app: &TestApp, code: &str, period: &str, scope: Option<&str>, value: Value) {
    indicators::record_value(
        &app.db,
        app.program_id,
        code,
        &NewValue {
            agency_code: "BNG".into(),
            period: value_period(period).unwrap(),
            scope: scope.map(str::to_owned),
            value,
            judgement: None,
            source: "Brand Finance".into(),
            note: String::new(),
            author: "test".into(),
        },
    )
    .await
    .unwrap();
}

/// The text of the table row with `id`.
fn row<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no row {id}"));
    let end = html[start..].find("</tr>").unwrap() + start;
    &html[start..end]
}

#[tokio::test]
async fn the_indicator_list_shows_targets_latest_values_and_computed_achievement() {
    for app in apps().await {
        with_indicators(&app).await;
        record(&app, "1", "2025", None, Value::Number(100.0)).await;
        record(&app, "5.1", "2024", None, Value::Number(46.0)).await;
        record(&app, "5.2", "2025", Some("Đông Nam Á"), Value::Number(3.0)).await;
        record(&app, "6", "2025", None, Value::Text("Đã triển khai".into())).await;

        let id = app.program_id;
        let html = app.page(&format!("/programs/{id}/indicators")).await;
        let one = row(&html, "indicator-1");
        assert!(one.contains("100%") && one.contains("Đạt"), "{one}");
        assert!(one.contains("Bộ Ngoại giao"), "{one}");
        let ranking = row(&html, "indicator-5.1");
        assert!(
            ranking.contains("≤ 40") && ranking.contains("46 bậc"),
            "{ranking}"
        );
        assert!(ranking.contains("Chưa đạt"), "{ranking}");
        // One scope of two has a value: the verdict waits for the other.
        let brand = row(&html, "indicator-5.2");
        assert!(brand.contains("≤ 3 Đông Nam Á; ≤ 50 Thế giới"), "{brand}");
        assert!(brand.contains("Đông Nam Á: 3 bậc"), "{brand}");
        assert!(brand.contains("Chưa có số liệu"), "{brand}");
        assert!(row(&html, "indicator-6").contains("Chờ đánh giá"));
        assert!(row(&html, "indicator-2").contains("Chưa có số liệu"));
        // The heading row has no verdict of its own.
        assert!(!row(&html, "indicator-5").contains("data-verdict"));

        let english = app
            .page(&format!("/programs/{id}/indicators?lang=en"))
            .await;
        assert!(row(&english, "indicator-1").contains("Met"));
        assert!(english.contains("Tracking agency"));
        // The program page links to its indicators.
        let program = app.page(&format!("/programs/{id}")).await;
        assert!(program.contains(&format!("/programs/{id}/indicators")));
        assert_eq!(app.get("/programs/999999/indicators").await.status(), 404);
        assert_eq!(
            app.get(&format!("/programs/{id}/indicators/99"))
                .await
                .status(),
            404
        );
    }
}

#[tokio::test]
async fn an_indicator_page_draws_its_values_over_time_with_the_target_line() {
    for app in apps().await {
        with_indicators(&app).await;
        record(&app, "5.1", "2025", None, Value::Number(43.0)).await;
        record(&app, "5.1", "2024", None, Value::Number(46.0)).await;
        let html = app
            .page(&format!("/programs/{}/indicators/5.1", app.program_id))
            .await;
        assert!(html.contains("<svg"), "{html}");
        assert!(html.contains(r#"role="img""#));
        assert!(
            html.contains(r#"<title id="chart-0-title">Chỉ số Quyền lực mềm toàn cầu</title>"#)
        );
        // Oldest first, whatever order they were recorded in; the target in words too.
        assert!(
            html.contains("2024: 46 bậc; 2025: 43 bậc. Mục tiêu ≤ 40: 40 bậc."),
            "{html}"
        );
        assert!(html.contains("stroke-dasharray"));
        assert!(!html.contains("<script"));
        assert!(html.contains("Global Soft Power Index (Brand Finance)"));
        // Rank 43 against ≤ 40: 93% of the target, and 50% of the way from 46.
        assert!(html.contains("93% mục tiêu"), "{html}");
        assert!(html.contains("50% chặng đường từ giá trị cơ sở"), "{html}");
        // Not logged in: no form.
        assert!(!html.contains("indicator-value-form"));

        // A scoped target: one chart per scope.
        record(&app, "5.2", "2025", Some("Thế giới"), Value::Number(48.0)).await;
        let scoped = app
            .page(&format!("/programs/{}/indicators/5.2", app.program_id))
            .await;
        assert!(scoped.contains("Chỉ số Thương hiệu quốc gia — Thế giới"));
        assert!(scoped.contains("Chưa có số liệu để vẽ biểu đồ."));
    }
}

#[tokio::test]
async fn a_reporter_of_the_tracking_agency_records_a_value_and_sees_it_judged() {
    for app in apps().await {
        with_indicators(&app).await;
        app.user("bao.cao", "reporter", "BNG", false).await;
        let (mut browser, _) = app.session("bao.cao").await;
        let path = format!("/programs/{}/indicators/5.1", app.program_id);
        let page = browser.text(&path).await;
        assert!(page.contains("indicator-value-form"));
        let response = browser
            .post(
                &format!("{path}/values"),
                &[
                    ("period", "2025"),
                    ("value", " 38 "),
                    ("source", "Brand Finance 2025"),
                    ("note", "Tăng 8 bậc"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        assert_eq!(location(&response), path);
        let page = browser.text(&path).await;
        assert!(page.contains("38 bậc"));
        assert!(
            page.contains(r#"id="verdict" class="verdict met""#),
            "{page}"
        );
        let series = indicators::get(&app.db, app.program_id, "5.1")
            .await
            .unwrap()
            .unwrap();
        let value = &series.values[0];
        assert_eq!(value.value, Value::Number(38.0));
        assert_eq!(value.agency_code, "BNG");
        assert_eq!(value.author, "bao.cao");
        assert_eq!(value.period.code(), "2025-Y");

        // A qualitative indicator takes a person's judgement.
        let path = format!("/programs/{}/indicators/6", app.program_id);
        let response = browser
            .post(
                &format!("{path}/values"),
                &[
                    ("period", "2025"),
                    ("value", "Hình ảnh được quảng bá tại 30 quốc gia"),
                    ("judgement", "achieved"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        let page = browser.text(&path).await;
        assert!(page.contains("Đạt (người đánh giá)"), "{page}");
    }
}

#[tokio::test]
async fn only_the_tracking_agencys_people_coordinators_and_admins_record_values() {
    for app in apps().await {
        with_indicators(&app).await;
        app.user("xem", "viewer", "BNG", false).await;
        app.user("vtv", "reporter", "VTV", false).await;
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        let path = format!("/programs/{}/indicators/5.1", app.program_id);
        let form = [("period", "2025"), ("value", "40")];
        let (xem, _) = app.session("xem").await;
        let (vtv, _) = app.session("vtv").await;
        let before = app.fingerprint().await;
        for (who, mut browser) in [("xem", xem), ("vtv", vtv)] {
            assert!(!browser.text(&path).await.contains("indicator-value-form"));
            let response = browser.post(&format!("{path}/values"), &form).await;
            assert_eq!(response.status(), 403, "{who} on {}", app.backend);
        }
        // Nobody logged in: sent to the login page.
        let response = app
            .browser()
            .post_raw(&format!("{path}/values"), &form)
            .await;
        assert!(
            matches!(response.status().as_u16(), 303 | 401 | 403),
            "{}",
            response.status()
        );
        assert_eq!(
            app.fingerprint().await.changed(&before),
            Vec::<String>::new()
        );

        // A VTV reporter records for VTV's own indicator; a coordinator for any.
        let (mut vtv, _) = app.session("vtv").await;
        let response = vtv
            .post(
                &format!("/programs/{}/indicators/2/values", app.program_id),
                &[("period", "2025"), ("value", "09")],
            )
            .await;
        assert_eq!(response.status(), 303);
        let (mut coordinator, _) = app.session("dieu.phoi").await;
        assert!(
            coordinator
                .text(&path)
                .await
                .contains("indicator-value-form")
        );
        let response = coordinator.post(&format!("{path}/values"), &form).await;
        assert_eq!(response.status(), 303);
        let series = indicators::get(&app.db, app.program_id, "5.1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(series.values.len(), 1);
        assert_eq!(series.values[0].author, "dieu.phoi");
    }
}

#[tokio::test]
async fn refused_values_are_shown_again_next_to_their_fields_and_change_nothing() {
    for app in apps().await {
        with_indicators(&app).await;
        app.user("bao.cao", "reporter", "BNG", false).await;
        app.user("bvh", "reporter", "BVHTTDL", false).await;
        let (mut browser, _) = app.session("bao.cao").await;
        let (mut bvh, _) = app.session("bvh").await;
        let before = app.fingerprint().await;
        let path = format!("/programs/{}/indicators/5.1", app.program_id);
        let response = browser
            .post(
                &format!("{path}/values"),
                &[
                    ("period", "năm ngoái"),
                    ("value", "khoảng bốn mươi"),
                    ("judgement", "achieved"),
                    ("agency", "XYZ"),
                    ("note", "ghi chú giữ lại"),
                ],
            )
            .await;
        assert_eq!(response.status(), 422, "on {}", app.backend);
        let html = response.text().await.unwrap();
        for field in ["period", "value", "agency"] {
            assert!(
                html.contains(&format!(r#"data-field="{field}""#)),
                "{field}: {html}"
            );
        }
        assert!(html.contains("error-summary"));
        assert!(html.contains(r#"value="khoảng bốn mươi""#));
        assert!(html.contains(r#"value="ghi chú giữ lại""#));
        assert!(html.contains(r#"aria-invalid="true""#));

        // A number is judged by the computation, not by a person.
        let response = browser
            .post(
                &format!("{path}/values"),
                &[
                    ("period", "2025"),
                    ("value", "38"),
                    ("judgement", "not_achieved"),
                ],
            )
            .await;
        assert_eq!(response.status(), 422);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains(r#"data-field="judgement""#)
        );

        // A scoped target needs one of its scopes.
        let response = bvh
            .post(
                &format!("/programs/{}/indicators/5.2/values", app.program_id),
                &[("period", "2025"), ("value", "3"), ("scope", "Châu Phi")],
            )
            .await;
        assert_eq!(response.status(), 422);
        let html = response.text().await.unwrap();
        assert!(html.contains(r#"data-field="scope""#), "{html}");
        assert!(html.contains("Đông Nam Á, Thế giới"));

        assert_eq!(
            app.fingerprint().await.changed(&before),
            Vec::<String>::new()
        );
    }
}

async fn token_for(app: &TestApp, username: &str, role: &str, agency: &str) -> String {
    app.user(username, role, agency, false).await;
    dongbo_store::accounts::create_api_token(
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

async fn post_json(app: &TestApp, path: &str, token: &str, body: &Json) -> (StatusCode, Json) {
    let response = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Json::Null))
}

#[tokio::test]
async fn the_api_reads_indicators_and_records_values_with_the_same_checks() {
    for app in apps().await {
        with_indicators(&app).await;
        let id = app.program_id;
        let reporter = token_for(&app, "bao.cao", "reporter", "BNG").await;
        let other = token_for(&app, "vtv", "reporter", "VTV").await;
        let path = format!("/api/v1/programs/{id}/indicators/5.1/values");

        let (status, body) = post_json(
            &app,
            &path,
            &reporter,
            &json!({"period": "2025", "value": 38, "source": "Brand Finance"}),
        )
        .await;
        assert_eq!(status, 201, "{body} on {}", app.backend);
        assert_eq!(body["verdict"], "met");
        let (status, _) =
            post_json(&app, &path, &other, &json!({"period": "2025", "value": 38})).await;
        assert_eq!(status, 403);
        let (status, body) = post_json(
            &app,
            &path,
            &reporter,
            &json!({"period": "2025", "value": "nhiều"}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(body["errors"][0]["field"], "value", "{body}");
        let (status, _) = post_json(
            &app,
            &format!("/api/v1/programs/{id}/indicators/99/values"),
            &reporter,
            &json!({"period": "2025", "value": 1}),
        )
        .await;
        assert_eq!(status, 404);
        // A decimal keeps every digit.
        let (status, _) = post_json(
            &app,
            &format!("/api/v1/programs/{id}/indicators/3/values"),
            &token_for(&app, "ttx", "reporter", "TTXVN").await,
            &json!({"period": "2025-Q2", "value": 1.234}),
        )
        .await;
        assert_eq!(status, 201);

        let list = app.json(&format!("/api/v1/programs/{id}/indicators")).await;
        let codes: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["1", "2", "3", "4", "5", "5.1", "5.2", "6"]);
        let ranking = &list[5];
        assert_eq!(ranking["direction"], "lower");
        assert_eq!(ranking["target"], "≤ 40");
        assert_eq!(ranking["verdict"], "met");
        assert_eq!(ranking["latest"][0]["value"], 38.0);
        assert_eq!(ranking["latest"][0]["achievement"]["met"], true);
        assert_eq!(list[4]["verdict"], Json::Null);
        assert_eq!(list[2]["latest"][0]["value"], 1.234);
        assert_eq!(list[6]["target_parsed"]["kind"], "quantitative");
        assert_eq!(list[6]["target_parsed"]["value"][1]["scope"], "Thế giới");
        assert_eq!(list[7]["target_parsed"]["kind"], "qualitative");

        let detail = app
            .json(&format!("/api/v1/programs/{id}/indicators/5.1"))
            .await;
        assert_eq!(detail["indicator"]["code"], "5.1");
        assert_eq!(detail["values"].as_array().unwrap().len(), 1);
        assert_eq!(detail["values"][0]["author"], "bao.cao");
        assert_eq!(
            app.get("/api/v1/programs/999999/indicators").await.status(),
            404
        );

        let openapi = app.json("/api/v1/openapi.json").await;
        for documented in [
            "/api/v1/programs/{id}/indicators",
            "/api/v1/programs/{id}/indicators/{code}",
            "/api/v1/programs/{id}/indicators/{code}/values",
        ] {
            assert!(openapi["paths"][documented].is_object(), "{documented}");
        }
        assert!(openapi["components"]["schemas"]["IndicatorView"].is_object());
    }
}

/// Imports a Markdown table of "| STT | Chỉ tiêu | Đơn vị tính | Mục tiêu | Năm | Cơ quan
/// chủ trì theo dõi, đánh giá |" rows into the app's 47/NQ-CP.
async fn with_rows(app: &TestApp, rows: &str) {
    let text = format!(
        "| STT | Chỉ tiêu | Đơn vị tính | Mục tiêu | Năm | Cơ quan chủ trì theo dõi, đánh giá |\n\
         |---|---|---|---|---|---|\n{rows}"
    );
    let imported = dongbo_import::import_indicators(
        text.as_bytes(),
        "rows.md",
        dongbo_import::Format::Auto,
        &Directory::bundled(),
        None,
    )
    .unwrap();
    indicators::upsert(&app.db, app.program_id, &imported.indicators, "test")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_rate_whose_name_says_vi_tri_at_60_of_100_percent_is_not_met() {
    // Seen in the browser: "vị trí" in the name made this rate "lower is better", and 60 %
    // against 100 % read "Đạt — 166,7 % mục tiêu", in the page and in the reports.
    for app in apps().await {
        with_rows(
            &app,
            "| 1 | Tỷ lệ cơ quan, tổ chức hoàn thành bố trí vị trí việc làm | % | 100% | 2030 | Bộ Ngoại giao |\n",
        )
        .await;
        record(&app, "1", "2026", None, Value::Number(60.0)).await;
        let id = app.program_id;
        let list = app.page(&format!("/programs/{id}/indicators")).await;
        let one = row(&list, "indicator-1");
        assert!(one.contains(r#"data-verdict="NotMet""#), "{one}");
        let page = app.page(&format!("/programs/{id}/indicators/1")).await;
        assert!(page.contains("Chưa đạt — 60% mục tiêu"), "{page}");
        assert!(!page.contains("166,7"), "{page}");
        assert!(page.contains("Càng cao càng tốt"), "{page}");
        let api = app
            .json(&format!("/api/v1/programs/{id}/indicators/1"))
            .await;
        assert_eq!(api["indicator"]["verdict"], "not_met");
        assert_eq!(api["indicator"]["direction"], "higher");
        assert_eq!(api["values"][0]["achievement"]["met"], false);
    }
}

#[tokio::test]
async fn targets_by_year_and_units_as_written_are_shown() {
    for app in apps().await {
        with_rows(
            &app,
            "| I | Đến năm 2025 | | | | |\n\
             | 1 | Tỷ trọng kinh tế số | % GDP | 20 | | Bộ Ngoại giao |\n\
             | 2 | Nhân lực nghiên cứu | Người/vạn dân | 10 | | Bộ Ngoại giao |\n\
             | II | Giai đoạn 2026–2030 | | | | |\n\
             | 1 | Tỷ trọng kinh tế số | % GDP | 30 | | Bộ Ngoại giao |\n",
        )
        .await;
        record(&app, "1", "2025", None, Value::Number(22.0)).await;
        let id = app.program_id;
        let list = app.page(&format!("/programs/{id}/indicators")).await;
        let share = row(&list, "indicator-1");
        assert!(share.contains("% GDP"), "{share}");
        assert!(share.contains(r#"data-year="2025""#) && share.contains(r#"data-year="2030""#));
        // 22 in 2025 meets the 2025 target of 20 (not yet the 2030 one of 30).
        assert!(share.contains(r#"data-verdict="Met""#), "{share}");
        assert!(row(&list, "indicator-2").contains("Người/vạn dân"));
        let api = app.json(&format!("/api/v1/programs/{id}/indicators")).await;
        assert_eq!(api[0]["unit"], "% GDP");
        assert_eq!(api[0]["targets"][0]["year"], 2025);
        assert_eq!(api[0]["targets"][1]["target"], "30");
        assert_eq!(api[0]["target_year"], 2030);
    }
}

#[tokio::test]
async fn an_unconfirmed_direction_shows_no_verdict_until_a_coordinator_confirms_it() {
    for app in apps().await {
        with_rows(
            &app,
            "| 1 | Thời gian xử lý hồ sơ trực tuyến | ngày | 3 | 2030 | Bộ Ngoại giao |\n",
        )
        .await;
        record(&app, "1", "2026", None, Value::Number(2.0)).await;
        let id = app.program_id;
        let path = format!("/programs/{id}/indicators/1");

        let list = app.page(&format!("/programs/{id}/indicators")).await;
        let one = row(&list, "indicator-1");
        assert!(
            one.contains(r#"data-verdict="DirectionUnconfirmed""#),
            "{one}"
        );
        assert!(
            one.contains("Chưa xác định chiều đánh giá — cần xác nhận"),
            "{one}"
        );
        assert!(!one.contains("Đạt"), "{one}");
        let english = app
            .page(&format!("/programs/{id}/indicators?lang=en"))
            .await;
        assert!(
            row(&english, "indicator-1").contains("Direction not yet set — needs confirmation")
        );
        let page = app.page(&path).await;
        assert!(page.contains(r#"id="direction-unconfirmed""#), "{page}");
        assert!(!page.contains("% mục tiêu"), "{page}");
        assert!(!page.contains("indicator-direction-form"), "not logged in");
        let api = app
            .json(&format!("/api/v1/programs/{id}/indicators/1"))
            .await;
        assert_eq!(api["indicator"]["verdict"], "direction_unconfirmed");
        assert_eq!(api["indicator"]["direction_confirmed"], false);
        assert_eq!(
            api["values"][0]["achievement"]["kind"],
            "direction_unconfirmed"
        );

        // A reporter of the tracking agency records values but does not decide the direction.
        app.user("bao.cao", "reporter", "BNG", false).await;
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        let (mut reporter, _) = app.session("bao.cao").await;
        assert!(
            !reporter
                .text(&path)
                .await
                .contains("indicator-direction-form")
        );
        let before = app.fingerprint().await;
        let refused = reporter
            .post(&format!("{path}/direction"), &[("direction", "lower")])
            .await;
        assert_eq!(refused.status(), 403);
        assert!(app.fingerprint().await.changed(&before).is_empty());

        let (mut coordinator, _) = app.session("dieu.phoi").await;
        assert!(
            coordinator
                .text(&path)
                .await
                .contains("indicator-direction-form")
        );
        let before = app.fingerprint().await;
        let refused = coordinator
            .post(&format!("{path}/direction"), &[("direction", "sideways")])
            .await;
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.unwrap().contains("Càng thấp càng tốt"));
        assert!(app.fingerprint().await.changed(&before).is_empty());

        let response = coordinator
            .post(&format!("{path}/direction"), &[("direction", "lower")])
            .await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), path);
        let page = coordinator.text(&path).await;
        assert!(
            page.contains(r#"id="verdict" class="verdict met""#),
            "{page}"
        );
        assert!(!page.contains(r#"id="direction-unconfirmed""#));
        let series = indicators::get(&app.db, app.program_id, "1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            series.stored.direction_confirmed_by.as_deref(),
            Some("dieu.phoi")
        );
        let audit = dongbo_store::audit::list(
            &app.db,
            &dongbo_store::AuditFilter {
                action: Some("indicator.direction.confirm".into()),
                ..dongbo_store::AuditFilter::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].actor, "dieu.phoi");
    }
}
