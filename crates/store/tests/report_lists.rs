//! The report reads of dashboards, on SQLite and on PostgreSQL: the reports of a program sent
//! for a period (what "reports missing" is judged on) and the drafts and returned reports
//! waiting for an agency.

use chrono::NaiveDate;
use dongbo_domain::{Directory, Period, PeriodKind, Role};
use dongbo_store::reports::{self, SentReport};
use dongbo_store::{Db, Edit, ReportContent, ReportPeriod, ReportStatus, assignments};

dongbo_testkit::backend_tests!(
    only_submitted_and_accepted_reports_of_the_period_or_once_are_sent_for_it,
    an_agency_sees_its_drafts_and_returned_reports_with_the_comment_newest_first,
);

/// The lead (or coordinating) assignment of `task` held by `agency` in 47/NQ-CP.
async fn assignment(db: &Db, program_id: i64, task: &str, agency: &str, role: Role) -> i64 {
    assignments::for_task(db, program_id, task)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.agency_code == agency && a.role == role)
        .unwrap_or_else(|| panic!("{agency} holds {task}"))
        .id
}

fn content(progress: u8) -> ReportContent {
    ReportContent {
        results: "Đã triển khai".to_owned(),
        progress,
        ..ReportContent::default()
    }
}

async fn write(db: &Db, assignment_id: i64, period: ReportPeriod, submit: bool) -> i64 {
    let content = content(50);
    let edit = Edit {
        assignment_id,
        period,
        content: &content,
        author: "can-bo",
        based_on: None,
        idempotency_key: None,
    };
    let outcome = if submit {
        reports::submit(db, &edit).await.unwrap()
    } else {
        reports::save_draft(db, &edit).await.unwrap()
    };
    outcome.report_id
}

fn year(y: i32) -> Period {
    Period::new(PeriodKind::Annual, y, 1).unwrap()
}

async fn only_submitted_and_accepted_reports_of_the_period_or_once_are_sent_for_it(db: &Db) {
    let program_id = dongbo_testkit::load_47_assigned(&db.clone(), &Directory::bundled()).await;
    let a = assignment(db, program_id, "2.1", "BVHTTDL", Role::Lead).await;
    let b = assignment(db, program_id, "1.1", "BVHTTDL", Role::Lead).await;
    let c = assignment(db, program_id, "1.2", "BNV", Role::Lead).await;
    // Submitted for 2026, and accepted.
    let sent = write(db, a, year(2026).into(), true).await;
    reports::accept(db, sent, 1, "lanh-dao", None)
        .await
        .unwrap();
    // A one-off report, submitted.
    write(db, b, ReportPeriod::Once, true).await;
    // A draft for 2026, and a report for another period.
    write(db, c, year(2026).into(), false).await;
    write(db, c, year(2025).into(), true).await;
    // A returned report for 2026.
    let returned = write(db, b, year(2026).into(), true).await;
    reports::return_report(db, returned, 1, "lanh-dao", "Bổ sung", None)
        .await
        .unwrap();

    let mut found = reports::sent_for_period(db, program_id, year(2026))
        .await
        .unwrap();
    found.sort_by_key(|r| r.assignment_id);
    let today = chrono::Utc::now().date_naive();
    let near_today = |r: &SentReport| {
        r.submitted_on
            .is_some_and(|d: NaiveDate| (d - today).num_days().abs() <= 1)
    };
    let mut expected = vec![(a, ReportPeriod::from(year(2026))), (b, ReportPeriod::Once)];
    expected.sort_by_key(|(id, _)| *id);
    assert_eq!(
        found
            .iter()
            .map(|r| (r.assignment_id, r.period))
            .collect::<Vec<_>>(),
        expected
    );
    assert!(found.iter().all(near_today), "{found:?}");
    let first = found.iter().find(|r| r.assignment_id == a).unwrap();
    assert_eq!(
        (
            first.agency_code.as_str(),
            first.task_code.as_str(),
            first.role
        ),
        ("BVHTTDL", "2.1", Role::Lead)
    );
    // Another period sees only its own report and the one-off one.
    let y2025 = reports::sent_for_period(db, program_id, year(2025))
        .await
        .unwrap();
    let mut ids: Vec<i64> = y2025.iter().map(|r| r.assignment_id).collect();
    ids.sort_unstable();
    let mut want = vec![b, c];
    want.sort_unstable();
    assert_eq!(ids, want);
}

async fn an_agency_sees_its_drafts_and_returned_reports_with_the_comment_newest_first(db: &Db) {
    let program_id = dongbo_testkit::load_47_assigned(&db.clone(), &Directory::bundled()).await;
    let a = assignment(db, program_id, "2.1", "BVHTTDL", Role::Lead).await;
    let b = assignment(db, program_id, "1.1", "BVHTTDL", Role::Lead).await;
    let other = assignment(db, program_id, "1.2", "BNV", Role::Lead).await;
    let draft = write(db, a, ReportPeriod::Once, false).await;
    let returned = write(db, b, year(2026).into(), true).await;
    reports::return_report(db, returned, 1, "lanh-dao", "Bổ sung số liệu", None)
        .await
        .unwrap();
    // Submitted, accepted and other agencies' reports do not wait for the agency.
    write(db, b, year(2025).into(), true).await;
    write(db, other, ReportPeriod::Once, false).await;

    let waiting = reports::waiting_for_agency(db, "BVHTTDL").await.unwrap();
    let seen: Vec<(i64, ReportStatus, Option<&str>)> = waiting
        .iter()
        .map(|r| (r.id, r.status, r.comment.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            (returned, ReportStatus::Returned, Some("Bổ sung số liệu")),
            (draft, ReportStatus::Draft, None),
        ]
    );
    let first = &waiting[0];
    assert_eq!(first.assignment_id, b);
    assert_eq!(first.program_id, program_id);
    assert_eq!(first.program_number.as_deref(), Some("47/NQ-CP"));
    assert_eq!(first.task_code, "1.1");
    assert_eq!(first.period, ReportPeriod::from(year(2026)));
    assert!(!first.task_title.is_empty());

    // Fixed and submitted again, it no longer waits.
    let content = content(80);
    reports::submit(
        db,
        &Edit {
            assignment_id: b,
            period: year(2026).into(),
            content: &content,
            author: "can-bo",
            based_on: Some(2),
            idempotency_key: None,
        },
    )
    .await
    .unwrap();
    let waiting = reports::waiting_for_agency(db, "BVHTTDL").await.unwrap();
    assert_eq!(
        waiting.iter().map(|r| r.id).collect::<Vec<_>>(),
        [draft],
        "only the draft"
    );
}
