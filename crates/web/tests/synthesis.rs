//! Báo cáo tổng hợp end to end, on SQLite and PostgreSQL: the national annual report of
//! 47/NQ-CP built from the accepted reports of two dozen agencies, checked as a Word reader,
//! a spreadsheet reader and a PDF reader see it; its text snapshotted; built again from its
//! stored data to the same files; the wording changed by an administrator; and who may
//! generate what.

mod common;

use common::{TestApp, location};
use dongbo_domain::{Period, PeriodKind, Role};
use dongbo_store::reports::{self, Edit, ReportContent};

const NATIONAL: &[(&str, &str)] = &[
    ("level", "national"),
    ("period", "2026-Y"),
    ("issuer", "BVHTTDL"),
    ("number", "125/BC-BVHTTDL"),
    ("place", ""),
    ("date", "2026-12-20"),
    ("authority", "KT"),
    ("on_behalf_of", "BỘ TRƯỞNG"),
    ("position", "THỨ TRƯỞNG"),
    ("signer", "Nguyễn Văn Hùng"),
];

/// Accepted annual reports for 2026 from the lead assignments of `count` agencies (one task
/// each), with a difficulty several of them share; and one more agency's report that is
/// submitted but not accepted, which the synthesis must leave out. Returns the agencies whose
/// reports were accepted, with the task each reported on.
async fn accepted_reports(app: &TestApp, count: usize) -> Vec<(String, String)> {
    accepted_citing(app, count, &[]).await
}

/// [`accepted_reports`], the first one citing library items `cited` as its evidence.
async fn accepted_citing(app: &TestApp, count: usize, cited: &[i64]) -> Vec<(String, String)> {
    let assignments = dongbo_store::assignments::for_program(&app.db, app.program_id)
        .await
        .unwrap();
    let mut chosen: Vec<(String, String, i64)> = Vec::new();
    for a in assignments.iter().filter(|a| a.role == Role::Lead) {
        if chosen.len() > count {
            break;
        }
        if !chosen.iter().any(|(agency, _, _)| *agency == a.agency_code) {
            chosen.push((a.agency_code.clone(), a.task_code.clone(), a.id));
        }
    }
    assert_eq!(chosen.len(), count + 1, "47/NQ-CP has enough lead agencies");
    let year = Period::new(PeriodKind::Annual, 2026, 1).unwrap();
    for (i, (agency, task, assignment_id)) in chosen.iter().enumerate() {
        let content = ReportContent {
            library_items: if i == 0 { cited.to_vec() } else { Vec::new() },
            results: format!("Kết quả năm 2026 của {agency} về nhiệm vụ {task}."),
            // Never 100%: what the report shows must not depend on the day the test runs.
            progress: 60,
            difficulties: if i % 3 == 0 {
                "Thiếu kinh phí cho hoạt động thông tin đối ngoại.".to_owned()
            } else {
                String::new()
            },
            recommendations: if i % 4 == 0 {
                format!("Đề nghị bổ sung biên chế cho {agency}.")
            } else {
                String::new()
            },
            ..ReportContent::default()
        };
        let outcome = reports::submit(
            &app.db,
            &Edit {
                assignment_id: *assignment_id,
                period: year.into(),
                content: &content,
                author: "can-bo",
                based_on: None,
                idempotency_key: None,
            },
        )
        .await
        .unwrap();
        if i < count {
            reports::accept(
                &app.db,
                outcome.report_id,
                outcome.version,
                "lanh-dao",
                None,
            )
            .await
            .unwrap();
        }
    }
    // Filed on 10 December 2026, before the annual deadline, whatever day the test runs: the
    // report's figures and text must not depend on it.
    let filed = "2026-12-10T03:00:00.000000Z";
    for sql in [
        "UPDATE report_versions SET saved_at = $1",
        "UPDATE progress_reports SET submitted_at = $1, updated_at = $1, \
         accepted_at = CASE WHEN accepted_at IS NULL THEN NULL ELSE $1 END",
    ] {
        sqlx::query(sql)
            .bind(filed)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    chosen
        .into_iter()
        .take(count)
        .map(|(agency, task, _)| (agency, task))
        .collect()
}

/// Generates with `form` as `browser`; the redirect's "report-version".
async fn generate(
    browser: &mut common::Browser,
    program_id: i64,
    form: &[(&str, &str)],
) -> (i64, i64) {
    let response = browser
        .post(&format!("/programs/{program_id}/synthesis"), form)
        .await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let target = location(&response);
    let generated = target.split("generated=").nth(1).expect("the new version");
    let (report, version) = generated.split_once('-').unwrap();
    (report.parse().unwrap(), version.parse().unwrap())
}

async fn file(browser: &mut common::Browser, program: i64, r: (i64, i64), format: &str) -> Vec<u8> {
    let response = browser
        .get(&format!(
            "/programs/{program}/synthesis/{}/{}/{format}",
            r.0, r.1
        ))
        .await;
    assert_eq!(response.status(), 200, "{format}");
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn the_national_annual_report_of_47_gathers_the_accepted_reports_of_twenty_four_agencies() {
    for app in common::apps().await {
        national_report(&app).await;
    }
}

/// Library items of BNG, one public and one only its own people read; their ids.
async fn library_items(app: &TestApp) -> [i64; 2] {
    app.user("quantri.cp", "admin", "CP", false).await;
    let (admin, library) = app.library_as_admin("quantri.cp").await;
    let mut ids = [0; 2];
    for (i, (title, visibility)) in [
        ("Sách trắng ngoại giao văn hóa 2026", "public"),
        ("Đánh giá nội bộ về dư luận", "agencies"),
    ]
    .into_iter()
    .enumerate()
    {
        let input = dongbo_library::ItemInput {
            title: title.to_owned(),
            kind: "white_paper".to_owned(),
            owner: Some("BNG".to_owned()),
            visibility: Some(visibility.to_owned()),
            visible_to: if visibility == "agencies" {
                vec!["BNG".to_owned()]
            } else {
                Vec::new()
            },
            published_on: Some("2026-03-01".to_owned()),
            body: Some(format!("Nội dung: {title}.")),
            ..Default::default()
        };
        ids[i] = library.create(&admin, &input).await.unwrap().id;
    }
    ids
}

async fn national_report(app: &TestApp) {
    let cited = library_items(app).await;
    let agencies = accepted_citing(app, 24, &cited).await;
    app.user("tonghop", "coordinator", "BVHTTDL", false).await;
    let (mut browser, csrf) = app.session("tonghop").await;
    let mut form = NATIONAL.to_vec();
    form.push(("csrf", &csrf));
    let first = generate(&mut browser, app.program_id, &form).await;
    assert_eq!(first.1, 1);

    let docx = file(&mut browser, app.program_id, first, "docx").await;
    let xlsx = file(&mut browser, app.program_id, first, "xlsx").await;
    let pdf = file(&mut browser, app.program_id, first, "pdf").await;
    let directory = dongbo_domain::Directory::bundled();
    let names: Vec<String> = agencies
        .iter()
        .map(|(code, _)| directory.agency(code).unwrap().name_vi.clone())
        .collect();

    // The document as the store kept it: its input builds the same text.
    let detail = browser
        .get(&format!("/api/v1/synthesis/{}/{}", first.0, first.1))
        .await;
    assert_eq!(detail.status(), 200);
    let detail: serde_json::Value = detail.json().await.unwrap();
    let input: dongbo_publish::synthesis::SynthesisInput =
        serde_json::from_value(detail["input"].clone()).unwrap();
    let document = dongbo_publish::synthesis::build(&input).unwrap();
    let accepted_lines = input
        .assignments
        .iter()
        .filter(|a| a.report.is_some())
        .count();
    assert_eq!(accepted_lines, 24, "only accepted reports, one per agency");
    // The evidence the first report cites, the restricted item by its number only.
    let evidence = document.annexes.last().unwrap();
    assert_eq!(
        evidence.title,
        "Phụ lục IV. TÀI LIỆU MINH CHỨNG TỪ THƯ VIỆN THÔNG TIN ĐỐI NGOẠI"
    );
    let titles: Vec<&dongbo_publish::Cell> =
        evidence.tables[0].rows.iter().map(|r| &r[3]).collect();
    assert_eq!(
        titles,
        [
            &dongbo_publish::Cell::Text("Sách trắng ngoại giao văn hóa 2026".into()),
            &dongbo_publish::Cell::Text(format!("Tài liệu số {} (hạn chế hoặc đã gỡ)", cited[1])),
        ],
        "{}",
        app.backend
    );
    assert_eq!(document.number, "125/BC-BVHTTDL");
    assert_eq!(
        document.title,
        format!(
            "Tình hình thực hiện Nghị quyết số 47/NQ-CP ngày {} của Chính phủ năm 2026",
            input.program.issued_on.unwrap().format("%-d/%-m/%Y")
        )
    );

    common::documents::check_docx(&docx, &document, &names);
    common::documents::check_xlsx(&xlsx, &document, &names);
    common::documents::check_pdf(&pdf, &document, &names);
    if app.backend == "Sqlite" {
        common::documents::snapshot_text("national_annual_report_47", &document);
    }

    // Built again from the stored data, every file is the same.
    let page = browser
        .text(&format!(
            "/programs/{}/synthesis/{}/{}/check",
            app.program_id, first.0, first.1
        ))
        .await;
    assert_eq!(page.matches("data-same=\"true\"").count(), 3, "{page}");

    // The office generates again: a new version, the first one untouched.
    let second = generate(&mut browser, app.program_id, &form).await;
    assert_eq!(second, (first.0, 2));
    assert_eq!(
        file(&mut browser, app.program_id, first, "docx").await,
        docx,
        "a version's files never change"
    );
}

#[tokio::test]
async fn only_the_issuing_agencys_approver_or_coordinator_may_generate_and_a_refusal_changes_nothing()
 {
    for app in common::apps().await {
        app.user("bng-bcv", "reporter", "BNG", false).await;
        app.user("bng-ld", "approver", "BNG", false).await;
        let (mut reporter, csrf) = app.session("bng-bcv").await;
        let (mut approver, approver_csrf) = app.session("bng-ld").await;
        let before = app.fingerprint().await;
        let mut form = NATIONAL.to_vec();
        form.push(("csrf", &csrf));
        let refused = reporter
            .post(&format!("/programs/{}/synthesis", app.program_id), &form)
            .await;
        assert_eq!(refused.status(), 403, "a reporter issues nothing");

        let mut form = NATIONAL.to_vec();
        form.push(("csrf", &approver_csrf));
        let refused = approver
            .post(&format!("/programs/{}/synthesis", app.program_id), &form)
            .await;
        assert_eq!(refused.status(), 403, "not in another agency's name");

        // A form with a mistake comes back with what was typed and nothing stored.
        let mut bad: Vec<(&str, &str)> = form
            .iter()
            .map(|(k, v)| match *k {
                "issuer" => (*k, "BNG"),
                "level" => (*k, "agency"),
                "signer" => (*k, "  "),
                "number" => (*k, "07/BC-BNG"),
                _ => (*k, *v),
            })
            .collect();
        let response = approver
            .post(&format!("/programs/{}/synthesis", app.program_id), &bad)
            .await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains("Nhập họ và tên người ký."), "{page}");
        assert!(
            page.contains("value=\"07/BC-BNG\""),
            "what was typed is kept"
        );
        assert_eq!(
            app.fingerprint().await.changed(&before),
            Vec::<String>::new()
        );

        // The agency's own report, in its own name.
        for pair in &mut bad {
            if pair.0 == "signer" {
                pair.1 = "Lê Thị Mai";
            }
        }
        let (report, version) = generate(&mut approver, app.program_id, &bad).await;
        let detail: serde_json::Value = approver
            .get(&format!("/api/v1/synthesis/{report}/{version}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(detail["level"], "agency");
        assert_eq!(detail["issuer_code"], "BNG");
        assert_eq!(detail["number"], "07/BC-BNG");
        let input = &detail["input"];
        assert!(
            input["assignments"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["agency_code"] == "BNG"),
            "an agency's report covers its own work only"
        );
        assert_eq!(input["coordinator"], "Chính phủ");
    }
}

#[tokio::test]
async fn an_administrator_changes_the_wording_and_each_version_keeps_the_wording_it_used() {
    for app in common::apps().await {
        app.user("quantri", "admin", "CP", false).await;
        app.user("tonghop", "coordinator", "BVHTTDL", false).await;
        let (mut coordinator, csrf) = app.session("tonghop").await;
        assert_eq!(
            coordinator.get("/admin/templates/synthesis").await.status(),
            403,
            "only administrators change the wording"
        );
        let mut form = NATIONAL.to_vec();
        form.push(("csrf", &csrf));
        let first = generate(&mut coordinator, app.program_id, &form).await;

        let (mut admin, admin_csrf) = app.session("quantri").await;
        let page = admin.text("/admin/templates/synthesis").await;
        assert!(page.contains("[national]"), "the shipped wording is shown");
        let shipped = dongbo_publish::template::SHIPPED_SYNTHESIS;
        // A mistake is refused with the key it is in, and nothing is saved.
        let before = app.fingerprint().await;
        let broken = shipped.replace("{{ period.label }}\"", "{{ period.nam }}\"");
        let response = admin
            .post(
                "/admin/templates/synthesis",
                &[("csrf", &admin_csrf), ("body", &broken)],
            )
            .await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains("national.title"), "{page}");
        assert_eq!(
            app.fingerprint().await.changed(&before),
            Vec::<String>::new()
        );

        let changed = shipped.replace(
            "title = \"Tình hình thực hiện {{ program.reference }} {{ period.label }}\"",
            "title = \"Báo cáo nhanh về {{ program.reference }} {{ period.label }}\"",
        );
        assert_ne!(changed, shipped);
        let response = admin
            .post(
                "/admin/templates/synthesis",
                &[("csrf", &admin_csrf), ("body", &changed)],
            )
            .await;
        assert_eq!(response.status(), 303);
        let second = generate(&mut coordinator, app.program_id, &form).await;
        let mut title = async |v: (i64, i64)| -> String {
            let detail: serde_json::Value = coordinator
                .get(&format!("/api/v1/synthesis/{}/{}", v.0, v.1))
                .await
                .json()
                .await
                .unwrap();
            detail["title"].as_str().unwrap().to_owned()
        };
        assert!(title(second).await.starts_with("Báo cáo nhanh về"));
        assert!(title(first).await.starts_with("Tình hình thực hiện"));
        // The first version still builds to its own files with the wording it kept.
        let page = coordinator
            .text(&format!(
                "/programs/{}/synthesis/{}/{}/check",
                app.program_id, first.0, first.1
            ))
            .await;
        assert_eq!(page.matches("data-same=\"true\"").count(), 3, "{page}");

        // Back to the shipped wording.
        let response = admin
            .post(
                "/admin/templates/synthesis",
                &[("csrf", &admin_csrf), ("body", ""), ("reset", "1")],
            )
            .await;
        assert_eq!(response.status(), 303);
        assert!(
            dongbo_store::synthesis::template(&app.db, "synthesis")
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn the_phase_scorecard_shows_every_agency_and_exports_as_docx_and_xlsx() {
    for app in common::apps().await {
        accepted_reports(&app, 4).await;
        app.user("tonghop", "coordinator", "BVHTTDL", false).await;
        let (mut browser, _) = app.session("tonghop").await;
        let page = browser
            .text(&format!("/programs/{}/evaluation?years=3", app.program_id))
            .await;
        assert!(page.contains("id=\"scorecard\""), "{page}");
        assert!(page.contains("Bộ Ngoại giao"));
        assert!(page.contains("<svg"), "charts over time");
        let bad = browser
            .get(&format!("/programs/{}/evaluation?years=4", app.program_id))
            .await;
        assert_eq!(bad.status(), 422);
        for (format, mime) in [
            (
                "docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            (
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            ("pdf", "application/pdf"),
        ] {
            let response = browser
                .get(&format!(
                    "/programs/{}/evaluation/export/{format}?years=3",
                    app.program_id
                ))
                .await;
            assert_eq!(response.status(), 200, "{format}");
            assert_eq!(response.headers()["content-type"], mime);
            let bytes = response.bytes().await.unwrap();
            if format == "pdf" {
                assert!(bytes.starts_with(b"%PDF-"));
                continue;
            }
            assert_eq!(&bytes[..2], b"PK", "{format} is a zip package");
            if format == "docx" {
                // Issued by a ministry (the coordinating one by default), never by the
                // Government with an empty "Số: /BC-CP".
                let xml = dongbo_testkit::documents::zip_entry(&bytes, "word/document.xml");
                let text = dongbo_testkit::documents::docx_text(&xml);
                assert!(!text.contains("/BC-CP"), "{text}");
                assert!(text.contains("Nơi nhận:"), "{text}");
            }
        }
        // The issuer, number, date and signer chosen on the export form.
        let response = browser
            .get(&format!(
                "/programs/{}/evaluation/export/docx?years=3&issuer=BNG&number=7%2FBC-BNG&date=2026-11-30&authority=KT&on_behalf_of=B%E1%BB%98%20TR%C6%AF%E1%BB%9ENG&position=TH%E1%BB%A8%20TR%C6%AF%E1%BB%9ENG&signer=L%C3%AA%20V%C4%83n%20B",
                app.program_id
            ))
            .await;
        assert_eq!(response.status(), 200);
        let bytes = response.bytes().await.unwrap();
        let xml = dongbo_testkit::documents::zip_entry(&bytes, "word/document.xml");
        let text = dongbo_testkit::documents::docx_text(&xml);
        for wanted in [
            "BỘ NGOẠI GIAO",
            "Số: 7/BC-BNG",
            "Hà Nội, ngày 30 tháng 11 năm 2026",
            "KT. BỘ TRƯỞNG",
            "Lê Văn B",
        ] {
            assert!(text.contains(wanted), "«{wanted}» in {text}");
        }
        let json: serde_json::Value = browser
            .get(&format!(
                "/api/v1/programs/{}/evaluation?from=2024-01-01&to=2026-12-31",
                app.program_id
            ))
            .await
            .json()
            .await
            .unwrap();
        let agencies = json["agencies"].as_array().unwrap();
        let sum: u64 = agencies
            .iter()
            .map(|a| a["work"]["due"].as_u64().unwrap())
            .sum();
        assert_eq!(json["program"]["work"]["due"].as_u64().unwrap(), sum);
        assert!(sum > 0);
    }
}

/// Checking a version builds it again (a second of a core): who may not see the version is
/// told it is not found before anything is built.
#[tokio::test]
async fn a_check_by_someone_who_may_not_see_the_version_builds_nothing() {
    let app = TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    app.user("bng-ld", "approver", "BNG", false).await;
    app.user("vh-xem", "viewer", "BVHTTDL", false).await;
    let (mut approver, csrf) = app.session("bng-ld").await;
    let mut form: Vec<(&str, &str)> = NATIONAL
        .iter()
        .map(|(k, v)| match *k {
            "issuer" => (*k, "BNG"),
            "level" => (*k, "agency"),
            "number" => (*k, "08/BC-BNG"),
            _ => (*k, *v),
        })
        .collect();
    form.push(("csrf", &csrf));
    let (report, version) = generate(&mut approver, app.program_id, &form).await;
    let check = format!(
        "/programs/{}/synthesis/{report}/{version}/check",
        app.program_id
    );

    let (mut outsider, _) = app.session("vh-xem").await;
    let before = dongbo_programs::synthesis::builds_started();
    let refused = outsider.get(&check).await;
    assert_eq!(refused.status(), 404);
    assert_eq!(
        dongbo_programs::synthesis::builds_started(),
        before,
        "nothing was built for a caller who may not see the version"
    );
    let checked = approver.get(&check).await;
    assert_eq!(checked.status(), 200);
    assert_eq!(dongbo_programs::synthesis::builds_started(), before + 1);
}
