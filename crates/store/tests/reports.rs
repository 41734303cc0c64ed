//! Progress reports on assignments of 47/NQ-CP, on SQLite and on PostgreSQL: the review
//! workflow, versions, idempotent retries, racing reviewers, reports per period, NFC, and
//! refused requests that change nothing.

use dongbo_domain::{Directory, Period, PeriodKind, Role};
use dongbo_store::reports::{self, Action, Outcome};
use dongbo_store::{
    Db, Edit, EvidenceLink, IssuedDocument, ReportContent, ReportPeriod, ReportStatus, StoreError,
    assignments,
};

dongbo_testkit::backend_tests!(
    a_report_goes_from_draft_to_accepted_through_a_return_and_keeps_every_version,
    an_accepted_report_is_locked_until_it_is_reopened_with_a_reason,
    a_retried_submission_with_the_same_key_writes_nothing_new,
    a_key_reused_for_another_request_is_refused,
    two_reviewers_acting_at_once_on_one_version_one_wins_and_the_other_gets_a_conflict,
    two_concurrent_accepts_of_one_version_accept_it_once,
    two_first_saves_at_once_create_one_report_and_the_other_is_a_conflict,
    a_submission_sent_twice_at_once_with_one_key_is_carried_out_once,
    an_edit_based_on_an_old_version_is_a_conflict,
    recurring_work_has_one_report_per_period,
    text_is_stored_in_nfc_and_trimmed,
    refused_requests_change_nothing,
    unknown_assignments_and_reports_are_not_found,
    an_acceptance_keeps_the_reviewers_comment_and_tells_the_agency_at_once,
);

/// The lead assignment of task 2.1 of 47/NQ-CP (Culture, Sports and Tourism).
async fn assignment(db: &Db) -> i64 {
    let directory = Directory::bundled();
    let program_id = dongbo_testkit::load_47_assigned(db, &directory).await;
    assignments::for_task(db, program_id, "2.1")
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.role == Role::Lead)
        .expect("2.1 has a lead")
        .id
}

fn content(results: &str, progress: u8) -> ReportContent {
    ReportContent {
        library_items: Vec::new(),
        results: results.to_owned(),
        progress,
        difficulties: "Thiếu kinh phí".to_owned(),
        recommendations: "Bổ sung kinh phí năm 2026".to_owned(),
        ..ReportContent::default()
    }
}

fn edit<'a>(
    assignment_id: i64,
    period: ReportPeriod,
    content: &'a ReportContent,
    based_on: Option<i64>,
) -> Edit<'a> {
    Edit {
        assignment_id,
        period,
        content,
        author: "can-bo-bvhttdl",
        based_on,
        idempotency_key: None,
    }
}

fn quarter(year: i32, index: u32) -> ReportPeriod {
    Period::new(PeriodKind::Quarterly, year, index)
        .unwrap()
        .into()
}

fn is_invalid(error: &StoreError) -> bool {
    matches!(error, StoreError::Invalid(_))
}

fn is_wrong_state(error: &StoreError) -> bool {
    matches!(error, StoreError::WrongState(_))
}

fn is_conflict(error: &StoreError) -> bool {
    matches!(error, StoreError::Conflict(_))
}

fn outcome(report_id: i64, version: i64, status: ReportStatus) -> Outcome {
    Outcome {
        report_id,
        version,
        status,
        replayed: false,
    }
}

async fn a_report_goes_from_draft_to_accepted_through_a_return_and_keeps_every_version(db: &Db) {
    let assignment_id = assignment(db).await;
    let once = ReportPeriod::Once;

    let mut first = content("", 10);
    first.documents.push(IssuedDocument {
        number: "12/KH-BVHTTDL".to_owned(),
        issued_on: chrono::NaiveDate::from_ymd_opt(2024, 6, 3),
        title: "Kế hoạch thực hiện Nghị quyết 47/NQ-CP".to_owned(),
    });
    let draft = reports::save_draft(db, &edit(assignment_id, once, &first, None))
        .await
        .unwrap();
    assert_eq!(draft.version, 1);
    assert_eq!(draft.status, ReportStatus::Draft);
    let id = draft.report_id;

    let mut second = content("Đã ban hành kế hoạch", 40);
    second.documents = first.documents.clone();
    second.links.push(EvidenceLink {
        url: "https://bvhttdl.gov.vn/ke-hoach-47".to_owned(),
        title: "Tin trên cổng thông tin".to_owned(),
    });
    let saved = reports::save_draft(db, &edit(assignment_id, once, &second, Some(1)))
        .await
        .unwrap();
    assert_eq!(saved, outcome(id, 2, ReportStatus::Draft));

    let submitted = reports::submit(db, &edit(assignment_id, once, &second, Some(2)))
        .await
        .unwrap();
    assert_eq!(submitted, outcome(id, 3, ReportStatus::Submitted));

    let returned = reports::return_report(
        db,
        id,
        3,
        "lanh-dao-vu",
        "Cần nêu rõ số lượng tin bài",
        None,
    )
    .await
    .unwrap();
    assert_eq!(returned, outcome(id, 4, ReportStatus::Returned));
    let report = reports::get(db, id).await.unwrap();
    assert_eq!(report.open_comment(), Some("Cần nêu rõ số lượng tin bài"));
    assert_eq!(report.summary.reviewed_by.as_deref(), Some("lanh-dao-vu"));

    // The author edits the returned report; it stays returned until submitted again.
    let third = ReportContent {
        library_items: Vec::new(),
        results: "Đã ban hành kế hoạch; đăng 35 tin bài".to_owned(),
        progress: 100,
        ..second.clone()
    };
    let edited = reports::save_draft(db, &edit(assignment_id, once, &third, Some(4)))
        .await
        .unwrap();
    assert_eq!(edited, outcome(id, 5, ReportStatus::Returned));
    let resubmitted = reports::submit(db, &edit(assignment_id, once, &third, Some(5)))
        .await
        .unwrap();
    assert_eq!(resubmitted, outcome(id, 6, ReportStatus::Submitted));
    assert_eq!(
        reports::latest_accepted(db, assignment_id).await.unwrap(),
        None
    );

    let accepted = reports::accept(db, id, 6, "lanh-dao-vu", None)
        .await
        .unwrap();
    assert_eq!(accepted, outcome(id, 7, ReportStatus::Accepted));

    let report = reports::get(db, id).await.unwrap();
    assert_eq!(report.summary.status, ReportStatus::Accepted);
    assert_eq!(report.summary.current_version, 7);
    assert!(report.summary.accepted_at.is_some());
    assert_eq!(report.content(), &third);
    let actions: Vec<(Action, ReportStatus)> = report
        .versions
        .iter()
        .map(|v| (v.action, v.status_after))
        .collect();
    assert_eq!(
        actions,
        [
            (Action::Save, ReportStatus::Draft),
            (Action::Save, ReportStatus::Draft),
            (Action::Submit, ReportStatus::Submitted),
            (Action::Return, ReportStatus::Returned),
            (Action::Save, ReportStatus::Returned),
            (Action::Submit, ReportStatus::Submitted),
            (Action::Accept, ReportStatus::Accepted),
        ]
    );
    // Nothing was overwritten: each version still says what it said.
    assert_eq!(report.versions[0].content, first);
    assert_eq!(report.versions[1].content, second);
    assert_eq!(report.versions[2].content, second);
    assert_eq!(
        report.versions[3].content, second,
        "a return copies what it judged"
    );
    assert_eq!(
        report.versions[3].comment.as_deref(),
        Some("Cần nêu rõ số lượng tin bài")
    );
    assert_eq!(report.versions[3].author, "lanh-dao-vu");
    assert_eq!(report.versions[6].content, third);

    let accepted = reports::latest_accepted(db, assignment_id)
        .await
        .unwrap()
        .expect("an accepted report");
    assert_eq!(accepted.report_id, id);
    assert_eq!(accepted.progress, 100);
    assert_eq!(accepted.period, ReportPeriod::Once);
    let accepted_at =
        chrono::DateTime::parse_from_rfc3339(report.summary.accepted_at.as_deref().unwrap())
            .unwrap();
    let hanoi = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    assert_eq!(
        accepted.accepted_on,
        accepted_at.with_timezone(&hanoi).date_naive()
    );

    let listed = reports::for_assignment(db, assignment_id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0], report.summary);
    let found = reports::for_period(db, assignment_id, once).await.unwrap();
    assert_eq!(found.as_ref(), Some(&report));
}

/// A submitted report of `assignment_id` for "once", accepted: (report id, its version).
async fn accepted_report(db: &Db, assignment_id: i64) -> (i64, i64) {
    let body = content("Hoàn thành", 100);
    let submitted = reports::submit(db, &edit(assignment_id, ReportPeriod::Once, &body, None))
        .await
        .unwrap();
    let accepted = reports::accept(db, submitted.report_id, 1, "lanh-dao-vu", None)
        .await
        .unwrap();
    (accepted.report_id, accepted.version)
}

async fn an_accepted_report_is_locked_until_it_is_reopened_with_a_reason(db: &Db) {
    let assignment_id = assignment(db).await;
    let (id, version) = accepted_report(db, assignment_id).await;
    assert_eq!(version, 2);
    let before = reports::get(db, id).await.unwrap();

    let changed = content("Sửa sau khi đã chấp nhận", 50);
    let once = ReportPeriod::Once;
    let error = reports::save_draft(db, &edit(assignment_id, once, &changed, Some(2)))
        .await
        .unwrap_err();
    assert!(is_wrong_state(&error), "{error}");
    assert!(error.to_string().contains("locked"), "{error}");
    let error = reports::submit(db, &edit(assignment_id, once, &changed, Some(2)))
        .await
        .unwrap_err();
    assert!(is_wrong_state(&error), "{error}");
    let error = reports::return_report(db, id, 2, "lanh-dao-vu", "Sai số liệu", None)
        .await
        .unwrap_err();
    assert!(is_wrong_state(&error), "{error}");
    let error = reports::accept(db, id, 2, "lanh-dao-vu", None)
        .await
        .unwrap_err();
    assert!(is_wrong_state(&error), "{error}");
    assert_eq!(reports::get(db, id).await.unwrap(), before);

    // Reopening needs a reason.
    let error = reports::reopen(db, id, 2, "lanh-dao-vu", "  ", None)
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");
    assert_eq!(reports::get(db, id).await.unwrap(), before);

    let reopened = reports::reopen(db, id, 2, "lanh-dao-vu", "Số liệu chưa khớp", None)
        .await
        .unwrap();
    assert_eq!(reopened, outcome(id, 3, ReportStatus::Returned));
    let report = reports::get(db, id).await.unwrap();
    assert_eq!(report.current().action, Action::Reopen);
    assert_eq!(report.open_comment(), Some("Số liệu chưa khớp"));
    assert_eq!(report.summary.accepted_at, None);
    assert_eq!(
        reports::latest_accepted(db, assignment_id).await.unwrap(),
        None,
        "a reopened report no longer counts as accepted"
    );

    let submitted = reports::submit(db, &edit(assignment_id, once, &changed, Some(3)))
        .await
        .unwrap();
    assert_eq!(submitted, outcome(id, 4, ReportStatus::Submitted));
    reports::accept(db, id, 4, "lanh-dao-vu", None)
        .await
        .unwrap();
    let accepted = reports::latest_accepted(db, assignment_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(accepted.progress, 50);
    assert_eq!(reports::get(db, id).await.unwrap().versions.len(), 5);
}

async fn a_retried_submission_with_the_same_key_writes_nothing_new(db: &Db) {
    let assignment_id = assignment(db).await;
    let body = content("Đã tổ chức hội nghị quán triệt", 30);
    let request = Edit {
        idempotency_key: Some("form-7f3a"),
        ..edit(assignment_id, ReportPeriod::Once, &body, None)
    };
    let first = reports::submit(db, &request).await.unwrap();
    assert!(!first.replayed);
    let again = reports::submit(db, &request).await.unwrap();
    assert_eq!(
        again,
        Outcome {
            replayed: true,
            ..first
        }
    );
    let listed = reports::for_assignment(db, assignment_id).await.unwrap();
    assert_eq!(listed.len(), 1, "one report");
    let report = reports::get(db, first.report_id).await.unwrap();
    assert_eq!(report.versions.len(), 1, "one version");

    // A retried review too.
    let accept = || reports::accept(db, first.report_id, 1, "lanh-dao-vu", Some("review-1"));
    let accepted = accept().await.unwrap();
    let retried = accept().await.unwrap();
    assert!(retried.replayed);
    assert_eq!(
        (retried.version, retried.status),
        (2, ReportStatus::Accepted)
    );
    assert_eq!(accepted.version, 2);
    assert_eq!(
        reports::get(db, first.report_id)
            .await
            .unwrap()
            .versions
            .len(),
        2
    );
    // The retry is answered even though the report has moved on since (it is now locked).
    let late = reports::submit(db, &request).await.unwrap();
    assert_eq!((late.version, late.replayed), (1, true));
}

async fn a_key_reused_for_another_request_is_refused(db: &Db) {
    let assignment_id = assignment(db).await;
    let body = content("Đã tổ chức hội nghị", 30);
    let request = Edit {
        idempotency_key: Some("form-1"),
        ..edit(assignment_id, ReportPeriod::Once, &body, None)
    };
    reports::save_draft(db, &request).await.unwrap();
    let other = content("Một nội dung khác", 60);
    let error = reports::save_draft(
        db,
        &Edit {
            content: &other,
            ..request
        },
    )
    .await
    .unwrap_err();
    assert!(is_invalid(&error), "{error}");
    // Saving and submitting are different requests.
    let error = reports::submit(db, &request).await.unwrap_err();
    assert!(is_invalid(&error), "{error}");
    let listed = reports::for_assignment(db, assignment_id).await.unwrap();
    assert_eq!(listed[0].current_version, 1);
}

async fn two_reviewers_acting_at_once_on_one_version_one_wins_and_the_other_gets_a_conflict(
    db: &Db,
) {
    let assignment_id = assignment(db).await;
    let body = content("Hoàn thành 80%", 80);
    let submitted = reports::submit(db, &edit(assignment_id, ReportPeriod::Once, &body, None))
        .await
        .unwrap();
    let id = submitted.report_id;
    let (accepted, returned) = tokio::join!(
        reports::accept(db, id, 1, "reviewer-a", None),
        reports::return_report(db, id, 1, "reviewer-b", "Thiếu minh chứng", None),
    );
    let report = reports::get(db, id).await.unwrap();
    assert_eq!(report.versions.len(), 2, "exactly one review was written");
    match (accepted, returned) {
        (Ok(won), Err(lost)) => {
            assert_eq!(won, outcome(id, 2, ReportStatus::Accepted));
            assert!(is_conflict(&lost), "{lost}");
            assert_eq!(report.summary.status, ReportStatus::Accepted);
        }
        (Err(lost), Ok(won)) => {
            assert_eq!(won, outcome(id, 2, ReportStatus::Returned));
            assert!(is_conflict(&lost), "{lost}");
            assert_eq!(report.summary.status, ReportStatus::Returned);
        }
        other => panic!("exactly one review must win: {other:?}"),
    }
}

async fn two_concurrent_accepts_of_one_version_accept_it_once(db: &Db) {
    let assignment_id = assignment(db).await;
    let body = content("Hoàn thành", 100);
    let submitted = reports::submit(db, &edit(assignment_id, ReportPeriod::Once, &body, None))
        .await
        .unwrap();
    let id = submitted.report_id;
    let (a, b) = tokio::join!(
        reports::accept(db, id, 1, "reviewer-a", None),
        reports::accept(db, id, 1, "reviewer-b", None),
    );
    let (won, lost) = match (a, b) {
        (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
        other => panic!("exactly one accept must win: {other:?}"),
    };
    assert!(is_conflict(&lost), "{lost}");
    assert_eq!(won, outcome(id, 2, ReportStatus::Accepted));
    let report = reports::get(db, id).await.unwrap();
    assert_eq!(report.versions.len(), 2);
    assert_eq!(
        report.summary.reviewed_by.as_deref(),
        Some(report.current().author.as_str())
    );
}

async fn two_first_saves_at_once_create_one_report_and_the_other_is_a_conflict(db: &Db) {
    let assignment_id = assignment(db).await;
    let (one, two) = (content("Người thứ nhất", 10), content("Người thứ hai", 20));
    let (first, second) = (
        edit(assignment_id, ReportPeriod::Once, &one, None),
        edit(assignment_id, ReportPeriod::Once, &two, None),
    );
    let (a, b) = tokio::join!(
        reports::save_draft(db, &first),
        reports::save_draft(db, &second),
    );
    let (won, lost) = match (a, b) {
        (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
        other => panic!("exactly one first save must win: {other:?}"),
    };
    assert!(is_conflict(&lost), "{lost}");
    let listed = reports::for_assignment(db, assignment_id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, won.report_id);
    assert_eq!(
        reports::get(db, won.report_id)
            .await
            .unwrap()
            .versions
            .len(),
        1
    );
}

async fn a_submission_sent_twice_at_once_with_one_key_is_carried_out_once(db: &Db) {
    let assignment_id = assignment(db).await;
    let body = content("Đã hoàn thành", 100);
    let request = Edit {
        idempotency_key: Some("double-click"),
        ..edit(assignment_id, ReportPeriod::Once, &body, None)
    };
    let (a, b) = tokio::join!(reports::submit(db, &request), reports::submit(db, &request));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.report_id, a.version), (b.report_id, b.version));
    assert!(
        a.replayed != b.replayed,
        "one wrote, one was answered: {a:?} {b:?}"
    );
    assert_eq!(
        reports::get(db, a.report_id).await.unwrap().versions.len(),
        1
    );
}

async fn an_edit_based_on_an_old_version_is_a_conflict(db: &Db) {
    let assignment_id = assignment(db).await;
    let once = ReportPeriod::Once;
    let body = content("Bản đầu", 10);
    reports::save_draft(db, &edit(assignment_id, once, &body, None))
        .await
        .unwrap();
    let tab_one = content("Sửa ở thẻ thứ nhất", 20);
    reports::save_draft(db, &edit(assignment_id, once, &tab_one, Some(1)))
        .await
        .unwrap();
    // A second tab, filled from version 1, must not silently overwrite the first tab's work.
    let tab_two = content("Sửa ở thẻ thứ hai", 30);
    let error = reports::save_draft(db, &edit(assignment_id, once, &tab_two, Some(1)))
        .await
        .unwrap_err();
    assert!(is_conflict(&error), "{error}");
    // Nor may a form for a new report replace the existing one.
    let error = reports::submit(db, &edit(assignment_id, once, &tab_two, None))
        .await
        .unwrap_err();
    assert!(is_conflict(&error), "{error}");
    // Nor a reviewer act on a version they did not see.
    let submitted = reports::submit(db, &edit(assignment_id, once, &tab_one, Some(2)))
        .await
        .unwrap();
    let error = reports::accept(db, submitted.report_id, 2, "lanh-dao-vu", None)
        .await
        .unwrap_err();
    assert!(is_conflict(&error), "{error}");
    let report = reports::get(db, submitted.report_id).await.unwrap();
    assert_eq!(report.versions.len(), 3);
    assert_eq!(report.content(), &tab_one);
}

async fn recurring_work_has_one_report_per_period(db: &Db) {
    let assignment_id = assignment(db).await;
    let (q1, q2, year) = (
        quarter(2025, 1),
        quarter(2025, 2),
        ReportPeriod::Period(Period::new(PeriodKind::Annual, 2025, 1).unwrap()),
    );
    let first = content("Quý I: 10 tin bài", 25);
    let second = content("Quý II: 20 tin bài", 50);
    // Reported in a different order than the periods run.
    let r2 = reports::submit(db, &edit(assignment_id, q2, &second, None))
        .await
        .unwrap();
    let r1 = reports::submit(db, &edit(assignment_id, q1, &first, None))
        .await
        .unwrap();
    let ry = reports::save_draft(db, &edit(assignment_id, year, &first, None))
        .await
        .unwrap();
    assert_ne!(r1.report_id, r2.report_id);
    assert_eq!((r1.version, r2.version), (1, 1));

    let listed = reports::for_assignment(db, assignment_id).await.unwrap();
    let periods: Vec<String> = listed.iter().map(|s| s.period.code()).collect();
    assert_eq!(periods, ["2025-Q1", "2025-Q2", "2025-Y"]);
    assert_eq!(listed[1].progress, 50);
    assert_eq!(listed[2].status, ReportStatus::Draft);
    assert_eq!(ry.status, ReportStatus::Draft);

    // The latest accepted report is the one accepted last, whatever its period.
    reports::accept(db, r2.report_id, 1, "lanh-dao-vu", None)
        .await
        .unwrap();
    let latest = reports::latest_accepted(db, assignment_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((latest.period, latest.progress), (q2, 50));
    reports::accept(db, r1.report_id, 1, "lanh-dao-vu", None)
        .await
        .unwrap();
    let latest = reports::latest_accepted(db, assignment_id)
        .await
        .unwrap()
        .unwrap();
    // Both were accepted within the same second on a fast machine: the later report id wins
    // the tie, and here that is also the later acceptance.
    assert_eq!((latest.period, latest.progress), (q1, 25));

    let q1_report = reports::for_period(db, assignment_id, q1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(q1_report.content(), &first);
    assert!(
        reports::for_period(db, assignment_id, quarter(2025, 3))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!("2025-q2".parse::<ReportPeriod>().unwrap(), q2);
    assert_eq!("once".parse::<ReportPeriod>().unwrap(), ReportPeriod::Once);
    assert!("2025-Q5".parse::<ReportPeriod>().is_err());
}

async fn text_is_stored_in_nfc_and_trimmed(db: &Db) {
    let assignment_id = assignment(db).await;
    // "Hoàn thành kế hoạch" with combining marks (NFD), as some Mac and Word copies give it.
    let decomposed = "  Hoa\u{300}n tha\u{300}nh ke\u{302}\u{301} hoa\u{323}ch  ";
    let mut body = content(decomposed, 60);
    body.documents.push(IssuedDocument {
        number: "5/KH-BVHTTDL".to_owned(),
        issued_on: None,
        title: "Ke\u{302}\u{301} hoa\u{323}ch".to_owned(),
    });
    // A form's empty evidence rows are dropped.
    body.documents.push(IssuedDocument::default());
    body.links.push(EvidenceLink::default());
    let saved = reports::submit(
        db,
        &Edit {
            author: "Nguye\u{302}\u{303}n Va\u{306}n A",
            ..edit(assignment_id, ReportPeriod::Once, &body, None)
        },
    )
    .await
    .unwrap();
    let report = reports::get(db, saved.report_id).await.unwrap();
    let stored = report.content();
    assert_eq!(stored.results, "Hoàn thành kế hoạch");
    assert_eq!(stored.results, dongbo_domain::text::nfc(&stored.results));
    assert_eq!(stored.documents.len(), 1);
    assert_eq!(stored.documents[0].title, "Kế hoạch");
    assert!(stored.links.is_empty());
    assert_eq!(report.current().author, "Nguyễn Văn A");

    let returned = reports::return_report(
        db,
        saved.report_id,
        1,
        "lanh-dao",
        "Bo\u{302}\u{309} sung so\u{302}\u{301} lie\u{323}\u{302}u",
        None,
    )
    .await
    .unwrap();
    assert_eq!(returned.version, 2);
    let report = reports::get(db, saved.report_id).await.unwrap();
    assert_eq!(report.open_comment(), Some("Bổ sung số liệu"));
}

async fn refused_requests_change_nothing(db: &Db) {
    let assignment_id = assignment(db).await;
    let once = ReportPeriod::Once;

    // Nothing stored yet: refused requests create nothing.
    let too_much = content("Vượt kế hoạch", 120);
    let error = reports::save_draft(db, &edit(assignment_id, once, &too_much, None))
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");
    let empty = content(" \n\t ", 0);
    let error = reports::submit(db, &edit(assignment_id, once, &empty, None))
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");
    assert!(
        reports::for_assignment(db, assignment_id)
            .await
            .unwrap()
            .is_empty()
    );

    // An empty draft may be saved, not submitted.
    let draft = reports::save_draft(db, &edit(assignment_id, once, &empty, None))
        .await
        .unwrap();
    let id = draft.report_id;
    let before = reports::get(db, id).await.unwrap();
    let error = reports::submit(db, &edit(assignment_id, once, &empty, Some(1)))
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");

    let mut bad_link = content("Có đường dẫn", 10);
    bad_link.links.push(EvidenceLink {
        url: "javascript:alert(1)".to_owned(),
        title: "Trang".to_owned(),
    });
    let error = reports::save_draft(db, &edit(assignment_id, once, &bad_link, Some(1)))
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");

    let mut unnumbered = content("Có văn bản", 10);
    unnumbered.documents.push(IssuedDocument {
        number: " ".to_owned(),
        issued_on: None,
        title: "Kế hoạch".to_owned(),
    });
    let error = reports::save_draft(db, &edit(assignment_id, once, &unnumbered, Some(1)))
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");

    let mut missing_file = content("Có tệp", 10);
    missing_file.files.push(dongbo_store::AttachedFile {
        sha256: "ab".repeat(32),
        name: "bien-ban.pdf".to_owned(),
    });
    let error = reports::save_draft(db, &edit(assignment_id, once, &missing_file, Some(1)))
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");

    let error = reports::save_draft(
        db,
        &Edit {
            author: "  ",
            ..edit(assignment_id, once, &bad_link, Some(1))
        },
    )
    .await
    .unwrap_err();
    assert!(is_invalid(&error), "{error}");

    // Reviewing a draft, reopening what is not accepted.
    let error = reports::accept(db, id, 1, "lanh-dao", None)
        .await
        .unwrap_err();
    assert!(is_wrong_state(&error), "{error}");
    let error = reports::return_report(db, id, 1, "lanh-dao", "Sửa lại", None)
        .await
        .unwrap_err();
    assert!(is_wrong_state(&error), "{error}");
    let error = reports::reopen(db, id, 1, "lanh-dao", "Lý do", None)
        .await
        .unwrap_err();
    assert!(is_wrong_state(&error), "{error}");

    // A return needs a comment.
    let body = content("Đã làm", 20);
    reports::submit(db, &edit(assignment_id, once, &body, Some(1)))
        .await
        .unwrap();
    let submitted = reports::get(db, id).await.unwrap();
    let error = reports::return_report(db, id, 2, "lanh-dao", "   ", None)
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");
    // A submitted report waits for review: its author cannot edit or resubmit it.
    let error = reports::save_draft(db, &edit(assignment_id, once, &body, Some(2)))
        .await
        .unwrap_err();
    assert!(is_wrong_state(&error), "{error}");
    let error = reports::submit(db, &edit(assignment_id, once, &body, Some(2)))
        .await
        .unwrap_err();
    assert!(is_wrong_state(&error), "{error}");
    assert_eq!(reports::get(db, id).await.unwrap(), submitted);
    assert_eq!(submitted.versions[..1], before.versions[..]);
}

async fn unknown_assignments_and_reports_are_not_found(db: &Db) {
    let body = content("Đã làm", 20);
    let error = reports::save_draft(db, &edit(999_999, ReportPeriod::Once, &body, None))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error}");
    let error = reports::get(db, 999_999).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error}");
    let error = reports::accept(db, 999_999, 1, "lanh-dao", None)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error}");
    assert!(
        reports::for_assignment(db, 999_999)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(reports::latest_accepted(db, 999_999).await.unwrap(), None);
}

async fn an_acceptance_keeps_the_reviewers_comment_and_tells_the_agency_at_once(db: &Db) {
    use dongbo_store::notifications;
    let id = assignment(db).await;
    let body = content("Đã hoàn thành", 100);
    let sent = reports::submit(db, &edit(id, ReportPeriod::Once, &body, None))
        .await
        .unwrap();
    let accepted = reports::accept_with_comment(
        db,
        sent.report_id,
        sent.version,
        "lanh-dao-bvhttdl",
        Some("  Tốt; đề nghị gửi kèm ảnh. "),
        None,
    )
    .await
    .unwrap();
    assert_eq!(accepted.status, ReportStatus::Accepted);
    let report = reports::get(db, sent.report_id).await.unwrap();
    let last = report.current();
    assert_eq!(last.action, Action::Accept);
    assert_eq!(last.comment.as_deref(), Some("Tốt; đề nghị gửi kèm ảnh."));
    // An acceptance without a comment keeps none.
    let other = reports::submit(db, &edit(id, quarter(2025, 3), &body, None))
        .await
        .unwrap();
    reports::accept_with_comment(
        db,
        other.report_id,
        other.version,
        "lanh-dao",
        Some("  "),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        reports::get(db, other.report_id)
            .await
            .unwrap()
            .current()
            .comment,
        None
    );

    let shown = notifications::for_agency(db, "BVHTTDL", false)
        .await
        .unwrap();
    let subject = format!("report:{}", sent.report_id);
    let of = |kind: &str| {
        shown
            .iter()
            .find(|n| n.kind == kind && n.subject.as_deref() == Some(subject.as_str()))
            .unwrap_or_else(|| panic!("no {kind}: {shown:#?}"))
    };
    assert!(of(notifications::kinds::REPORT_SENT).resolved_at.is_some());
    let notice = of(notifications::kinds::REPORT_ACCEPTED);
    assert!(
        notice
            .body
            .ends_with("Ý kiến của người duyệt: Tốt; đề nghị gửi kèm ảnh.")
    );
    assert_eq!(
        notice.link.as_deref(),
        Some(format!("/assignments/{id}/report?period=once").as_str())
    );
}
