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
            reports::accept(&app.db, outcome.report_id, outcome.version, "lanh-dao", None)
                .await
                .unwrap();
        }
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
        .get(&format!("/programs/{program}/synthesis/{}/{}/{format}", r.0, r.1))
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

async fn national_report(app: &TestApp) {
    let agencies = accepted_reports(app, 24).await;
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
    let accepted_lines = input.assignments.iter().filter(|a| a.report.is_some()).count();
    assert_eq!(accepted_lines, 24, "only accepted reports, one per agency");
    assert_eq!(document.number, "125/BC-BVHTTDL");
    assert_eq!(
        document.title,
        format!("Tình hình thực hiện {} năm 2026", input.program.title)
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
