//! An agency's one report for a period (báo cáo của cơ quan) on 47/NQ-CP, on SQLite and on
//! PostgreSQL: its tasks' reports move with it in one transaction, a return carries a comment
//! per task, an acceptance keeps its comment, a stale form is a conflict, and a refused
//! request changes nothing.

use dongbo_domain::{Directory, Period, PeriodKind, Role};
use dongbo_store::agency_reports::{self, AgencyEdit, AgencyReview, ItemComment, ItemEdit, Key};
use dongbo_store::reports::{self, Action};
use dongbo_store::{Db, ReportContent, ReportPeriod, ReportStatus, StoreError, assignments, audit};

dongbo_testkit::backend_tests!(
    an_agency_report_moves_every_task_report_with_it,
    a_stale_or_refused_agency_report_changes_nothing,
    coordinators_contributions_are_found_for_the_lead,
);

const AGENCY: &str = "BVHTTDL";

fn year() -> ReportPeriod {
    Period::new(PeriodKind::Annual, 2026, 1).unwrap().into()
}

/// The first `n` assignments of the Ministry of Culture on 47/NQ-CP.
async fn assigned(db: &Db, n: usize) -> (i64, Vec<i64>) {
    let directory = Directory::bundled();
    let program_id = dongbo_testkit::load_47_assigned(db, &directory).await;
    let ids: Vec<i64> = assignments::for_agency(db, AGENCY)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.assignment.program_id == program_id)
        .map(|a| a.assignment.id)
        .take(n)
        .collect();
    assert_eq!(ids.len(), n, "the ministry has {n} assignments");
    (program_id, ids)
}

fn content(results: &str, progress: u8) -> ReportContent {
    ReportContent {
        library_items: Vec::new(),
        results: results.to_owned(),
        progress,
        ..ReportContent::default()
    }
}

fn key(program_id: i64, period: &str) -> Key<'_> {
    Key {
        program_id,
        agency_code: AGENCY,
        period,
    }
}

async fn statuses(db: &Db, ids: &[i64]) -> Vec<Option<ReportStatus>> {
    let mut found = Vec::new();
    for id in ids {
        found.push(
            reports::for_period(db, *id, year())
                .await
                .unwrap()
                .map(|r| r.summary.status),
        );
    }
    found
}

async fn an_agency_report_moves_every_task_report_with_it(db: &Db) {
    let (program_id, ids) = assigned(db, 3).await;
    let period = year().code();
    let contents = [
        content("Đã tổ chức hội nghị", 40),
        content("Đã xuất bản ấn phẩm", 60),
        content("Phối hợp cung cấp thông tin", 0),
    ];
    let items: Vec<ItemEdit<'_>> = ids
        .iter()
        .zip(&contents)
        .map(|(id, content)| ItemEdit {
            assignment_id: *id,
            period: year(),
            content,
            based_on: None,
        })
        .collect();
    let draft = agency_reports::save_draft(
        db,
        &AgencyEdit {
            key: key(program_id, &period),
            items: &items,
            author: "can-bo",
            based_on: None,
        },
    )
    .await
    .unwrap();
    assert_eq!((draft.version, draft.status), (1, ReportStatus::Draft));
    assert_eq!(statuses(db, &ids).await, vec![Some(ReportStatus::Draft); 3]);

    // Sent as one: every task's report is submitted, based on the version the draft made.
    let items: Vec<ItemEdit<'_>> = items
        .iter()
        .map(|i| ItemEdit {
            based_on: Some(1),
            ..*i
        })
        .collect();
    let sent = agency_reports::submit(
        db,
        &AgencyEdit {
            key: key(program_id, &period),
            items: &items,
            author: "can-bo",
            based_on: Some(draft.version),
        },
    )
    .await
    .unwrap();
    assert_eq!(sent.status, ReportStatus::Submitted);
    assert_eq!(
        statuses(db, &ids).await,
        vec![Some(ReportStatus::Submitted); 3]
    );

    // Returned as one, with a comment on the second task and one overall.
    let returned = agency_reports::return_report(
        db,
        &AgencyReview {
            id: sent.id,
            seen_version: sent.version,
            by: "lanh-dao",
            comment: Some("Bổ sung số liệu"),
            items: &[ItemComment {
                assignment_id: ids[1],
                comment: "Nêu số ấn phẩm",
            }],
        },
    )
    .await
    .unwrap();
    assert_eq!(returned.status, ReportStatus::Returned);
    assert_eq!(
        statuses(db, &ids).await,
        vec![Some(ReportStatus::Returned); 3]
    );
    let second = reports::for_period(db, ids[1], year())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.open_comment(), Some("Nêu số ấn phẩm"));
    let first = reports::for_period(db, ids[0], year())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.open_comment(), Some("Bổ sung số liệu"));
    let stored = agency_reports::get(db, sent.id).await.unwrap();
    assert_eq!(stored.open_comment(), Some("Bổ sung số liệu"));
    assert_eq!(
        stored.current().items[1].comment.as_deref(),
        Some("Nêu số ấn phẩm")
    );

    // Fixed and sent again, then accepted with a comment that is kept.
    let fixed = content("Đã xuất bản 12 ấn phẩm", 80);
    let mut items = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let current = reports::for_period(db, *id, year()).await.unwrap().unwrap();
        items.push(ItemEdit {
            assignment_id: *id,
            period: year(),
            content: if i == 1 { &fixed } else { &contents[i] },
            based_on: Some(current.summary.current_version),
        });
    }
    let resent = agency_reports::submit(
        db,
        &AgencyEdit {
            key: key(program_id, &period),
            items: &items,
            author: "can-bo",
            based_on: Some(returned.version),
        },
    )
    .await
    .unwrap();
    let accepted = agency_reports::accept(
        db,
        &AgencyReview {
            id: resent.id,
            seen_version: resent.version,
            by: "lanh-dao",
            comment: Some("Đạt yêu cầu"),
            items: &[],
        },
    )
    .await
    .unwrap();
    assert_eq!(accepted.status, ReportStatus::Accepted);
    assert_eq!(
        statuses(db, &ids).await,
        vec![Some(ReportStatus::Accepted); 3]
    );
    let stored = agency_reports::get(db, accepted.id).await.unwrap();
    assert_eq!(stored.current().comment.as_deref(), Some("Đạt yêu cầu"));
    assert_eq!(
        stored.versions.iter().map(|v| v.action).collect::<Vec<_>>(),
        [
            Action::Save,
            Action::Submit,
            Action::Return,
            Action::Submit,
            Action::Accept
        ]
    );
    assert!(stored.first_submitted_at.is_some());
    assert_eq!(stored.last_returned().map(|v| v.version), Some(3));
    // The accepted progress is the dashboard's: the second task's figure is the fixed one.
    let progress = reports::latest_accepted(db, ids[1]).await.unwrap().unwrap();
    assert_eq!(progress.progress, 80);
    // Every act is in the audit log, the agency report's beside its tasks'.
    let verified = audit::verify(db).await.unwrap();
    assert!(verified.is_intact(), "{verified:?}");
    let filter = audit::AuditFilter {
        entity: Some("agency_report".to_owned()),
        entity_id: Some(accepted.id.to_string()),
        ..audit::AuditFilter::default()
    };
    let acts: Vec<String> = audit::list(db, &filter, 100, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(acts.len(), 5, "{acts:?}");
    assert!(
        acts.contains(&"agency_report.accept".to_owned()),
        "{acts:?}"
    );
}

async fn a_stale_or_refused_agency_report_changes_nothing(db: &Db) {
    let (program_id, ids) = assigned(db, 2).await;
    let period = year().code();
    let good = content("Đã thực hiện", 50);
    let empty = content("", 0);
    // Sent with the second task's results empty: refused, naming that task, nothing written.
    let items = [
        ItemEdit {
            assignment_id: ids[0],
            period: year(),
            content: &good,
            based_on: None,
        },
        ItemEdit {
            assignment_id: ids[1],
            period: year(),
            content: &empty,
            based_on: None,
        },
    ];
    let edit = AgencyEdit {
        key: key(program_id, &period),
        items: &items,
        author: "can-bo",
        based_on: None,
    };
    let refused = agency_reports::submit(db, &edit).await.unwrap_err();
    match refused {
        StoreError::Invalid(message) => {
            assert!(message.contains(&ids[1].to_string()), "{message}")
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    assert_eq!(statuses(db, &ids).await, vec![None, None]);
    assert!(
        agency_reports::find(db, key(program_id, &period))
            .await
            .unwrap()
            .is_none()
    );

    // A task's report changed on its own meanwhile: the whole agency report is refused.
    let saved = agency_reports::save_draft(db, &edit).await.unwrap();
    let alone = content("Sửa riêng", 55);
    reports::save_draft(
        db,
        &reports::Edit {
            assignment_id: ids[0],
            period: year(),
            content: &alone,
            author: "dong-nghiep",
            based_on: Some(1),
            idempotency_key: None,
        },
    )
    .await
    .unwrap();
    let stale_items = [
        ItemEdit {
            based_on: Some(1),
            ..items[0]
        },
        ItemEdit {
            based_on: Some(1),
            content: &good,
            ..items[1]
        },
    ];
    let stale = agency_reports::submit(
        db,
        &AgencyEdit {
            key: key(program_id, &period),
            items: &stale_items,
            author: "can-bo",
            based_on: Some(saved.version),
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict(_)), "{stale:?}");
    assert_eq!(
        statuses(db, &ids).await,
        vec![Some(ReportStatus::Draft), Some(ReportStatus::Draft)]
    );
    let kept = agency_reports::get(db, saved.id).await.unwrap();
    assert_eq!(
        (kept.current_version, kept.status),
        (1, ReportStatus::Draft)
    );

    // A form of an older agency-report version is a conflict too.
    let old = agency_reports::save_draft(
        db,
        &AgencyEdit {
            key: key(program_id, &period),
            items: &items,
            author: "can-bo",
            based_on: None,
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(old, StoreError::Conflict(_)), "{old:?}");

    // A review of a draft is refused by the workflow.
    let early = agency_reports::accept(
        db,
        &AgencyReview {
            id: saved.id,
            seen_version: saved.version,
            by: "lanh-dao",
            comment: None,
            items: &[],
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(early, StoreError::WrongState(_)), "{early:?}");
}

async fn coordinators_contributions_are_found_for_the_lead(db: &Db) {
    let directory = Directory::bundled();
    let program_id = dongbo_testkit::load_47_assigned(db, &directory).await;
    let coordinating = assignments::for_task(db, program_id, "2.1")
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.role == Role::Coordinating)
        .expect("2.1 has coordinating agencies");
    let period = year().code();
    let contribution = content("Cung cấp tư liệu cho Bộ chủ trì", 0);
    let items = [ItemEdit {
        assignment_id: coordinating.id,
        period: year(),
        content: &contribution,
        based_on: None,
    }];
    let edit = AgencyEdit {
        key: Key {
            program_id,
            agency_code: &coordinating.agency_code,
            period: &period,
        },
        items: &items,
        author: "can-bo-phoi-hop",
        based_on: None,
    };
    agency_reports::save_draft(db, &edit).await.unwrap();
    // A draft is the coordinator's own: the lead does not see it.
    let drafts = agency_reports::contributions(db, program_id, &period)
        .await
        .unwrap();
    assert!(drafts.is_empty(), "{drafts:?}");
    let items = [ItemEdit {
        based_on: Some(1),
        ..items[0]
    }];
    agency_reports::submit(
        db,
        &AgencyEdit {
            items: &items,
            based_on: Some(1),
            ..edit
        },
    )
    .await
    .unwrap();
    let sent = agency_reports::contributions(db, program_id, &period)
        .await
        .unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].task_code, "2.1");
    assert_eq!(sent[0].agency_code, coordinating.agency_code);
    assert_eq!(sent[0].results, "Cung cấp tư liệu cho Bộ chủ trì");
}
