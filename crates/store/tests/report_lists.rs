//! The report reads of dashboards, on SQLite and on PostgreSQL: the reports of a program sent
//! for a period (what "reports missing" is judged on) and the drafts and returned reports
//! waiting for an agency.

use chrono::NaiveDate;
use dongbo_domain::{Directory, Period, PeriodKind, RegimePeriod, Role};
use dongbo_store::dashboard::PerAssignment;
use dongbo_store::regimes;
use dongbo_store::reports::{self, SentReport};
use dongbo_store::{Db, Edit, ReportContent, ReportPeriod, ReportStatus, assignments};

dongbo_testkit::backend_tests!(
    only_submitted_and_accepted_reports_of_the_period_or_once_are_sent_for_it,
    an_agency_sees_its_drafts_and_returned_reports_with_the_comment_newest_first,
    reports_kept_from_an_earlier_read_follow_every_write_and_review,
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
        library_items: Vec::new(),
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

    let mut found = reports::sent_for_period(db, program_id, year(2026), None)
        .await
        .unwrap()
        .rows()
        .to_vec();
    found.sort_by_key(|r| r.assignment_id);
    let today = dongbo_domain::clock::today();
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
    let y2025 = reports::sent_for_period(db, program_id, year(2025), None)
        .await
        .unwrap();
    let y2025 = y2025.rows();
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

/// A server keeps the reports its dashboard reads and, after each write, reads only what the
/// write changed: what it then holds is exactly what a fresh read gives, whatever the write.
async fn reports_kept_from_an_earlier_read_follow_every_write_and_review(db: &Db) {
    let program_id = dongbo_testkit::load_47_assigned(&db.clone(), &Directory::bundled()).await;
    let a = assignment(db, program_id, "2.1", "BVHTTDL", Role::Lead).await;
    let b = assignment(db, program_id, "1.1", "BNG", Role::Lead).await;
    let c = assignment(db, program_id, "1.2", "BNV", Role::Lead).await;
    let period = year(2026);
    let regime_period = RegimePeriod::Decree09(period);
    let mut sent = reports::sent_for_period(db, program_id, period, None)
        .await
        .unwrap();
    let mut records = regimes::report_records_kept(db, program_id, Some(&regime_period), None)
        .await
        .unwrap();
    assert!(sent.rows().is_empty() && records.rows().is_empty());

    // Brings both up to date from what they hold, and checks them against fresh reads.
    async fn follow(
        db: &Db,
        program_id: i64,
        period: Period,
        sent: &mut PerAssignment<SentReport>,
        records: &mut PerAssignment<dongbo_domain::completeness::ReportRecord>,
        step: &str,
    ) {
        let regime_period = RegimePeriod::Decree09(period);
        *sent = reports::sent_for_period(db, program_id, period, Some(sent))
            .await
            .unwrap();
        *records =
            regimes::report_records_kept(db, program_id, Some(&regime_period), Some(records))
                .await
                .unwrap();
        let fresh_sent = reports::sent_for_period(db, program_id, period, None)
            .await
            .unwrap();
        let fresh_records = regimes::report_records(db, program_id, Some(&regime_period))
            .await
            .unwrap();
        assert_eq!(sent.stamp(), fresh_sent.stamp(), "{step}");
        assert_eq!(sent.rows(), fresh_sent.rows(), "{step}: sent reports");
        let mut kept_records = records.rows().to_vec();
        let mut fresh_records = fresh_records;
        let key = |r: &dongbo_domain::completeness::ReportRecord| {
            (r.agency_code.clone(), r.task_code.clone(), r.period)
        };
        kept_records.sort_by_key(key);
        fresh_records.sort_by_key(key);
        assert_eq!(kept_records, fresh_records, "{step}: report records");
    }

    let first = write(db, a, period.into(), true).await;
    follow(
        db,
        program_id,
        period,
        &mut sent,
        &mut records,
        "a submitted",
    )
    .await;
    assert_eq!(sent.rows().len(), 1);
    let once = write(db, b, ReportPeriod::Once, true).await;
    follow(db, program_id, period, &mut sent, &mut records, "b once").await;
    write(db, c, period.into(), false).await;
    follow(db, program_id, period, &mut sent, &mut records, "c draft").await;
    let accepted = reports::accept(db, first, 1, "lanh-dao", None)
        .await
        .unwrap();
    follow(
        db,
        program_id,
        period,
        &mut sent,
        &mut records,
        "a accepted",
    )
    .await;
    assert!(records.rows().iter().any(|r| r.accepted));
    reports::return_report(db, once, 1, "lanh-dao", "Bổ sung", None)
        .await
        .unwrap();
    follow(
        db,
        program_id,
        period,
        &mut sent,
        &mut records,
        "b returned",
    )
    .await;
    assert_eq!(sent.rows().len(), 1, "a returned report is not sent");
    reports::reopen(db, first, accepted.version, "lanh-dao", "Sai số liệu", None)
        .await
        .unwrap();
    follow(
        db,
        program_id,
        period,
        &mut sent,
        &mut records,
        "a reopened",
    )
    .await;
    assert!(records.rows().iter().all(|r| !r.accepted));
    let draft = content(50);
    reports::submit(
        db,
        &Edit {
            assignment_id: c,
            period: period.into(),
            content: &draft,
            author: "can-bo",
            based_on: Some(1),
            idempotency_key: None,
        },
    )
    .await
    .unwrap();
    follow(
        db,
        program_id,
        period,
        &mut sent,
        &mut records,
        "c submitted",
    )
    .await;
    // The reopened report went back to its agency: only c's is sent now.
    assert_eq!(
        sent.rows()
            .iter()
            .map(|r| r.assignment_id)
            .collect::<Vec<_>>(),
        vec![c]
    );
    // Nothing moved: the kept reports are given back as they are.
    let again = reports::sent_for_period(db, program_id, period, Some(&sent))
        .await
        .unwrap();
    assert_eq!(again.stamp(), sent.stamp());
}
