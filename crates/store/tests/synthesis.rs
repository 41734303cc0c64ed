//! Synthesis reports on SQLite and PostgreSQL: versions are appended, never changed, and read
//! back with the input they were built from; templates are saved and reset with an audit
//! entry; and what a synthesis is built from is the accepted reports covering the period.

use dongbo_domain::regime::RegimePeriod;
use dongbo_domain::{DeadlineRule, Directory, Period, PeriodKind, Role};
use dongbo_store::synthesis::{self, Files, Level, NewVersion};
use dongbo_store::{
    Db, Edit, EvidenceLimits, EvidenceStore, ReportContent, ReportPeriod, assignments, audit,
    reports,
};

dongbo_testkit::backend_tests!(
    versions_are_appended_to_their_series_and_keep_their_input,
    a_saved_template_replaces_the_shipped_one_until_reset_and_both_are_audited,
    a_synthesis_reads_the_accepted_reports_covering_the_period,
);

async fn stored_files(db: &Db, dir: &tempfile::TempDir, seed: &str) -> Files {
    let store = EvidenceStore::new(
        EvidenceStore::default_dir(dir.path()),
        EvidenceLimits::default(),
    );
    let put = |text: String| {
        let store = store.clone();
        async move {
            store
                .put(db, text.as_bytes(), "r.txt", Some("text/plain"))
                .await
                .unwrap()
                .sha256
        }
    };
    Files {
        docx_sha256: put(format!("{seed} docx")).await,
        xlsx_sha256: put(format!("{seed} xlsx")).await,
        pdf_sha256: put(format!("{seed} pdf")).await,
    }
}

async fn versions_are_appended_to_their_series_and_keep_their_input(db: &Db) {
    let program_id = dongbo_testkit::load_47(db, &Directory::bundled()).await;
    let dir = tempfile::tempdir().unwrap();
    let first_files = stored_files(db, &dir, "first").await;
    let new = |input: &'static str, files: Files| NewVersion {
        program_id,
        level: Level::National,
        issuer_code: "BVHTTDL",
        period: "2026-Y",
        number: "12/BC-BVHTTDL",
        title: "Tình hình thực hiện năm 2026",
        input,
        files,
        created_by: "dieu-phoi",
    };
    let first = synthesis::record(db, &new("{\"a\":1}", first_files.clone()))
        .await
        .unwrap();
    assert_eq!(first.version, 1);
    let second_files = stored_files(db, &dir, "second").await;
    let second = synthesis::record(db, &new("{\"a\":2}", second_files.clone()))
        .await
        .unwrap();
    assert_eq!((second.report_id, second.version), (first.report_id, 2));
    // Another level is another series.
    let agency = synthesis::record(
        db,
        &NewVersion {
            level: Level::Agency,
            ..new("{}", first_files.clone())
        },
    )
    .await
    .unwrap();
    assert_ne!(agency.report_id, first.report_id);
    assert_eq!(agency.version, 1);

    let (read, input) = synthesis::get(db, first.report_id, 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(input, "{\"a\":1}");
    assert_eq!(read, first);
    let (_, input) = synthesis::get(db, first.report_id, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(input, "{\"a\":2}");
    assert!(
        synthesis::get(db, first.report_id, 3)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(synthesis::list(db, program_id).await.unwrap().len(), 3);
    assert_eq!(
        synthesis::program_of_file(db, &second_files.pdf_sha256)
            .await
            .unwrap(),
        Some(program_id)
    );
    assert_eq!(
        synthesis::program_of_file(db, &"0".repeat(64))
            .await
            .unwrap(),
        None
    );
    let log = audit::list(db, &dongbo_store::AuditFilter::default(), 100, 0)
        .await
        .unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action == "synthesis.generate")
            .count(),
        3
    );
    assert!(audit::verify(db).await.unwrap().is_intact());
}

async fn a_saved_template_replaces_the_shipped_one_until_reset_and_both_are_audited(db: &Db) {
    assert!(
        synthesis::template(db, "synthesis")
            .await
            .unwrap()
            .is_none()
    );
    synthesis::save_template(db, "synthesis", Some("a = \"Hoa\u{300}\""), "quan-tri")
        .await
        .unwrap();
    let saved = synthesis::template(db, "synthesis").await.unwrap().unwrap();
    assert_eq!(saved.body, "a = \"Hoà\"", "stored in NFC");
    assert_eq!(saved.updated_by, "quan-tri");
    synthesis::save_template(db, "synthesis", Some("a = \"2\""), "quan-tri")
        .await
        .unwrap();
    assert_eq!(
        synthesis::template(db, "synthesis")
            .await
            .unwrap()
            .unwrap()
            .body,
        "a = \"2\""
    );
    synthesis::save_template(db, "synthesis", None, "quan-tri")
        .await
        .unwrap();
    assert!(
        synthesis::template(db, "synthesis")
            .await
            .unwrap()
            .is_none()
    );
    let log = audit::list(db, &dongbo_store::AuditFilter::default(), 100, 0)
        .await
        .unwrap();
    let actions: Vec<&str> = log
        .iter()
        .filter(|e| e.entity == "template")
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(actions.len(), 3);
    assert!(actions.contains(&"template.reset"));
}

async fn a_synthesis_reads_the_accepted_reports_covering_the_period(db: &Db) {
    let program_id = dongbo_testkit::load_47_assigned(db, &Directory::bundled()).await;
    let lead = |task: &'static str, agency: &'static str| async move {
        assignments::for_task(db, program_id, task)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.agency_code == agency && a.role == Role::Lead)
            .unwrap()
            .id
    };
    let year = Period::new(PeriodKind::Annual, 2026, 1).unwrap();
    let submit = |assignment_id: i64, period: ReportPeriod, results: &'static str| async move {
        let content = ReportContent {
            library_items: Vec::new(),
            results: results.to_owned(),
            progress: 60,
            difficulties: "Thiếu kinh phí".to_owned(),
            ..ReportContent::default()
        };
        reports::submit(
            db,
            &Edit {
                assignment_id,
                period,
                content: &content,
                author: "can-bo",
                based_on: None,
                idempotency_key: None,
            },
        )
        .await
        .unwrap()
    };
    let accepted = submit(lead("2.1", "BVHTTDL").await, year.into(), "Đã làm năm 2026").await;
    reports::accept(db, accepted.report_id, accepted.version, "duyet", None)
        .await
        .unwrap();
    // Submitted but not accepted: not in the synthesis.
    submit(lead("1.1", "BVHTTDL").await, year.into(), "Chờ duyệt").await;
    // Accepted, but for another year.
    let other = submit(
        lead("1.2", "BNV").await,
        Period::new(PeriodKind::Annual, 2025, 1).unwrap().into(),
        "Năm 2025",
    )
    .await;
    reports::accept(db, other.report_id, other.version, "duyet", None)
        .await
        .unwrap();

    let found = synthesis::accepted_for_period(
        db,
        program_id,
        &RegimePeriod::Decree09(year),
        &DeadlineRule::default(),
    )
    .await
    .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].task_code, "2.1");
    assert_eq!(found[0].agency_code, "BVHTTDL");
    assert_eq!(found[0].results, "Đã làm năm 2026");
    assert_eq!(found[0].difficulties, "Thiếu kinh phí");
    assert_eq!(found[0].progress, 60);
    assert!(found[0].accepted_on.is_some());
}
