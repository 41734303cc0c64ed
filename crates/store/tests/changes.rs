//! Change requests on 47/NQ-CP — propose, approve each kind, reject, withdraw, races — on
//! SQLite and on PostgreSQL.

use dongbo_domain::{Directory, Role, TimeFrameKind};
use dongbo_store::changes::{self, ChangeKind, ChangeStatus, NewChange, Proposal};
use dongbo_store::{Backend, Db, StoreError, assignments, audit, plans, programs, tasks};

dongbo_testkit::backend_tests!(
    an_approved_retime_changes_the_time_frame_and_the_task_keeps_its_history,
    an_approved_amend_changes_the_title_and_expected_output,
    an_approved_add_creates_the_next_task_of_the_group_led_by_the_proposer,
    an_approved_drop_removes_the_task_and_its_assignments,
    a_drop_is_refused_while_plan_tasks_carry_the_task_out,
    a_rejection_needs_a_note_and_changes_no_task,
    a_withdrawn_request_can_no_longer_be_decided,
    deciding_a_request_that_is_not_pending_is_refused,
    two_approvals_at_once_one_wins_and_the_other_gets_a_conflict,
    invalid_proposals_are_refused_and_change_nothing,
    requests_of_a_program_are_listed_pending_first_and_filtered_by_status,
);

async fn setup(db: &Db) -> (i64, Directory) {
    let directory = Directory::bundled();
    let program_id = dongbo_testkit::load_47_assigned(db, &directory).await;
    (program_id, directory)
}

fn request(program_id: i64, code: Option<&str>, kind: ChangeKind, proposal: Proposal) -> NewChange {
    NewChange {
        program_id,
        task_code: code.map(str::to_owned),
        kind,
        proposed_by_agency: "BNG".to_owned(),
        proposed_by: "bng.approver".to_owned(),
        reason: "Cần thêm thời gian để phối hợp với các cơ quan".to_owned(),
        proposal,
    }
}

fn retime(program_id: i64, code: &str, time_frame: &str) -> NewChange {
    request(
        program_id,
        Some(code),
        ChangeKind::Retime,
        Proposal {
            time_frame: Some(time_frame.to_owned()),
            ..Proposal::default()
        },
    )
}

async fn audit_count(db: &Db) -> usize {
    audit::list(db, &audit::AuditFilter::default(), 10_000, 0)
        .await
        .unwrap()
        .len()
}

async fn an_approved_retime_changes_the_time_frame_and_the_task_keeps_its_history(db: &Db) {
    let (program, directory) = setup(db).await;
    let old = tasks::get(db, program, "3.21").await.unwrap().unwrap();
    let audit_before = audit_count(db).await;
    let id = changes::propose(db, &retime(program, "3.21", "Quý II/2027"))
        .await
        .unwrap();
    let pending = changes::get(db, id).await.unwrap().unwrap();
    assert_eq!(pending.status, ChangeStatus::Pending);
    // Proposing changes nothing yet.
    assert_eq!(tasks::get(db, program, "3.21").await.unwrap().unwrap(), old);

    let approved = changes::approve(db, id, "cp.coordinator", "Đồng ý", &directory)
        .await
        .unwrap();
    assert_eq!(approved.status, ChangeStatus::Approved);
    assert_eq!(approved.decided_by.as_deref(), Some("cp.coordinator"));
    assert_eq!(approved.decision_note.as_deref(), Some("Đồng ý"));
    assert!(approved.decided_at.is_some());

    let new = tasks::get(db, program, "3.21").await.unwrap().unwrap();
    assert_eq!(new.time_frame.text, "Quý II/2027");
    assert_eq!(new.time_frame.kind, TimeFrameKind::Quarter);
    assert_eq!(
        new.time_frame.due,
        chrono::NaiveDate::from_ymd_opt(2027, 6, 30)
    );
    assert_eq!(new.title, old.title);
    assert_eq!(new.lead, old.lead);
    // The task keeps its place in the program.
    let stored = programs::get(db, program).await.unwrap().unwrap().program;
    let codes: Vec<&str> = stored.tasks.iter().map(|t| t.code.as_str()).collect();
    assert!(codes.windows(2).any(|w| w == ["3.20", "3.21"]), "{codes:?}");

    let history = changes::for_task(db, program, "3.21").await.unwrap();
    assert_eq!(history.requests, std::slice::from_ref(&approved));
    assert_eq!(history.history.len(), 1);
    let entry = &history.history[0];
    assert_eq!(entry.change_request_id, id);
    assert_eq!(entry.before.as_ref(), Some(&old));
    assert_eq!(entry.after.as_ref(), Some(&new));

    // Proposal and decision are both in the audit log, and the chain holds.
    assert_eq!(audit_count(db).await, audit_before + 2);
    let entries = audit::list(
        db,
        &audit::AuditFilter {
            entity: Some("change_request".to_owned()),
            entity_id: Some(id.to_string()),
            ..audit::AuditFilter::default()
        },
        10,
        0,
    )
    .await
    .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["change_request.approve", "change_request.propose"]
    );
    assert!(audit::verify(db).await.unwrap().is_intact());
}

async fn an_approved_amend_changes_the_title_and_expected_output(db: &Db) {
    let (program, directory) = setup(db).await;
    let old = tasks::get(db, program, "1.1").await.unwrap().unwrap();
    let leads_before: Vec<_> = assignments::for_task(db, program, "1.1")
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.agency_code, a.role))
        .collect();
    let id = changes::propose(
        db,
        &request(
            program,
            Some("1.1"),
            ChangeKind::Amend,
            Proposal {
                title: Some("  Tên mới của nhiệm vụ  ".to_owned()),
                expected_output: Some("Kế hoạch".to_owned()),
                ..Proposal::default()
            },
        ),
    )
    .await
    .unwrap();
    changes::approve(db, id, "cp.coordinator", "", &directory)
        .await
        .unwrap();
    let new = tasks::get(db, program, "1.1").await.unwrap().unwrap();
    assert_eq!(new.title, "Tên mới của nhiệm vụ");
    assert_eq!(new.expected_output.as_deref(), Some("Kế hoạch"));
    assert_eq!(new.time_frame, old.time_frame);
    let leads_after: Vec<_> = assignments::for_task(db, program, "1.1")
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.agency_code, a.role))
        .collect();
    assert_eq!(leads_after, leads_before);
    let found = tasks::search(db, "ten moi cua nhiem vu", 5).await.unwrap();
    assert_eq!(found.len(), 1, "search follows the new title");
    assert!(audit::verify(db).await.unwrap().is_intact());
}

async fn an_approved_add_creates_the_next_task_of_the_group_led_by_the_proposer(db: &Db) {
    let (program, directory) = setup(db).await;
    let before = programs::get(db, program).await.unwrap().unwrap().program;
    let group = before
        .tasks
        .iter()
        .find(|t| t.code == "3.21")
        .unwrap()
        .group
        .clone();
    let last_of_group = before
        .tasks
        .iter()
        .rfind(|t| t.group == group)
        .unwrap()
        .code
        .clone();
    let id = changes::propose(
        db,
        &NewChange {
            proposed_by_agency: "BVHTTDL".to_owned(),
            ..request(
                program,
                None,
                ChangeKind::Add,
                Proposal {
                    title: Some("Xây dựng bộ nhận diện quốc gia".to_owned()),
                    expected_output: Some("Bộ nhận diện".to_owned()),
                    time_frame: Some("2026".to_owned()),
                    group: Some(group.clone()),
                },
            )
        },
    )
    .await
    .unwrap();
    assert_eq!(changes::get(db, id).await.unwrap().unwrap().task_code, None);
    let approved = changes::approve(db, id, "cp.coordinator", "Đồng ý bổ sung", &directory)
        .await
        .unwrap();
    let (prefix, number) = last_of_group.rsplit_once('.').unwrap();
    let expected = format!("{prefix}.{}", number.parse::<u32>().unwrap() + 1);
    assert_eq!(approved.task_code.as_deref(), Some(expected.as_str()));

    let after = programs::get(db, program).await.unwrap().unwrap().program;
    assert_eq!(after.tasks.len(), before.tasks.len() + 1);
    let at = after.tasks.iter().position(|t| t.code == expected).unwrap();
    assert_eq!(
        after.tasks[at - 1].code,
        last_of_group,
        "after the group's last"
    );
    let task = &after.tasks[at];
    assert_eq!(task.title, "Xây dựng bộ nhận diện quốc gia");
    assert_eq!(task.group, group);
    assert_eq!(task.lead.agencies, ["BVHTTDL"]);
    assert_eq!(task.time_frame.kind, TimeFrameKind::Year);
    let assigned: Vec<_> = assignments::for_task(db, program, &expected)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.agency_code, a.role))
        .collect();
    assert_eq!(assigned, [("BVHTTDL".to_owned(), Role::Lead)]);
    let history = changes::for_task(db, program, &expected).await.unwrap();
    assert_eq!(history.history.len(), 1);
    assert_eq!(history.history[0].before, None);
    assert_eq!(history.history[0].after.as_ref(), Some(task));
    assert!(audit::verify(db).await.unwrap().is_intact());
}

async fn an_approved_drop_removes_the_task_and_its_assignments(db: &Db) {
    let (program, directory) = setup(db).await;
    let old = tasks::get(db, program, "5.2").await.unwrap().unwrap();
    assert!(
        !assignments::for_task(db, program, "5.2")
            .await
            .unwrap()
            .is_empty()
    );
    let id = changes::propose(
        db,
        &request(program, Some("5.2"), ChangeKind::Drop, Proposal::default()),
    )
    .await
    .unwrap();
    changes::approve(db, id, "cp.coordinator", "Đã có hệ thống khác", &directory)
        .await
        .unwrap();
    assert_eq!(tasks::get(db, program, "5.2").await.unwrap(), None);
    assert!(
        assignments::for_task(db, program, "5.2")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        assignments::for_program(db, program)
            .await
            .unwrap()
            .iter()
            .all(|a| a.task_code != "5.2")
    );
    // The dropped task lives on in its history.
    let history = changes::for_task(db, program, "5.2").await.unwrap();
    assert_eq!(history.history.len(), 1);
    assert_eq!(history.history[0].before.as_ref(), Some(&old));
    assert_eq!(history.history[0].after, None);
    assert!(audit::verify(db).await.unwrap().is_intact());
}

async fn a_drop_is_refused_while_plan_tasks_carry_the_task_out(db: &Db) {
    let (program, directory) = setup(db).await;
    plans::create(db, &directory, program, "BVHTTDL")
        .await
        .unwrap();
    let id = changes::propose(
        db,
        &request(program, Some("3.4"), ChangeKind::Drop, Proposal::default()),
    )
    .await
    .unwrap();
    let error = changes::approve(db, id, "cp.coordinator", "", &directory)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
    // All or nothing: the task, its request and the log are as they were.
    assert!(tasks::get(db, program, "3.4").await.unwrap().is_some());
    let request = changes::get(db, id).await.unwrap().unwrap();
    assert_eq!(request.status, ChangeStatus::Pending);
    assert!(
        changes::for_task(db, program, "3.4")
            .await
            .unwrap()
            .history
            .is_empty()
    );
    assert_eq!(
        plans::derived_tasks(db, program, "3.4")
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn a_rejection_needs_a_note_and_changes_no_task(db: &Db) {
    let (program, _) = setup(db).await;
    let old = tasks::get(db, program, "3.21").await.unwrap().unwrap();
    let id = changes::propose(db, &retime(program, "3.21", "2030"))
        .await
        .unwrap();
    let error = changes::reject(db, id, "cp.coordinator", "  ")
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
    assert_eq!(
        changes::get(db, id).await.unwrap().unwrap().status,
        ChangeStatus::Pending
    );
    let rejected = changes::reject(db, id, "cp.coordinator", "Không có căn cứ")
        .await
        .unwrap();
    assert_eq!(rejected.status, ChangeStatus::Rejected);
    assert_eq!(rejected.decision_note.as_deref(), Some("Không có căn cứ"));
    assert_eq!(tasks::get(db, program, "3.21").await.unwrap().unwrap(), old);
    let history = changes::for_task(db, program, "3.21").await.unwrap();
    assert_eq!(history.requests, [rejected]);
    assert!(history.history.is_empty());
    assert!(audit::verify(db).await.unwrap().is_intact());
}

async fn a_withdrawn_request_can_no_longer_be_decided(db: &Db) {
    let (program, directory) = setup(db).await;
    let id = changes::propose(db, &retime(program, "3.21", "2030"))
        .await
        .unwrap();
    let withdrawn = changes::withdraw(db, id, "bng.approver").await.unwrap();
    assert_eq!(withdrawn.status, ChangeStatus::Withdrawn);
    let error = changes::approve(db, id, "cp.coordinator", "", &directory)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::WrongState(_)), "{error:?}");
    assert_ne!(
        tasks::get(db, program, "3.21")
            .await
            .unwrap()
            .unwrap()
            .time_frame
            .text,
        "2030"
    );
}

async fn deciding_a_request_that_is_not_pending_is_refused(db: &Db) {
    let (program, directory) = setup(db).await;
    let id = changes::propose(db, &retime(program, "3.21", "2030"))
        .await
        .unwrap();
    changes::approve(db, id, "cp.coordinator", "", &directory)
        .await
        .unwrap();
    let audit_before = audit_count(db).await;
    for error in [
        changes::approve(db, id, "cp.coordinator", "", &directory)
            .await
            .unwrap_err(),
        changes::reject(db, id, "cp.coordinator", "Không")
            .await
            .unwrap_err(),
        changes::withdraw(db, id, "bng.approver").await.unwrap_err(),
    ] {
        let StoreError::WrongState(message) = &error else {
            panic!("not pending is WrongState: {error:?}")
        };
        assert!(message.contains("approved"), "{message}");
    }
    assert_eq!(
        changes::for_task(db, program, "3.21")
            .await
            .unwrap()
            .history
            .len(),
        1
    );
    assert_eq!(audit_count(db).await, audit_before);
    assert!(matches!(
        changes::approve(db, 999_999, "cp.coordinator", "", &directory).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn two_approvals_at_once_one_wins_and_the_other_gets_a_conflict(db: &Db) {
    let (program, directory) = setup(db).await;
    let id = changes::propose(db, &retime(program, "3.21", "2030"))
        .await
        .unwrap();
    // Both deciders must read the request while it is pending and write after: another
    // connection holds the write lock (SQLite) or the request's row (PostgreSQL) meanwhile.
    let hold = match db.backend() {
        Backend::Sqlite => db.pool().begin_with("BEGIN IMMEDIATE").await.unwrap(),
        Backend::Postgres => {
            let mut tx = db.pool().begin().await.unwrap();
            sqlx::query("SELECT id FROM change_requests WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            tx
        }
    };
    let release = async {
        both_waiting(db).await;
        hold.commit().await.unwrap();
    };
    let (first, second, ()) = tokio::join!(
        changes::approve(db, id, "cp.one", "Đồng ý", &directory),
        changes::reject(db, id, "cp.two", "Không đồng ý"),
        release,
    );
    let (winner, loser) = match (first, second) {
        (Ok(won), Err(lost)) => (won, lost),
        (Err(lost), Ok(won)) => (won, lost),
        other => panic!("exactly one decision wins: {other:?}"),
    };
    assert!(matches!(loser, StoreError::Conflict(_)), "{loser:?}");
    let stored = changes::get(db, id).await.unwrap().unwrap();
    assert_eq!(stored, winner);
    // The loser left no trace: one history entry at most, and only the winner's audit entry.
    let history = changes::for_task(db, program, "3.21")
        .await
        .unwrap()
        .history;
    let frame = tasks::get(db, program, "3.21")
        .await
        .unwrap()
        .unwrap()
        .time_frame
        .text;
    match winner.status {
        ChangeStatus::Approved => {
            assert_eq!(history.len(), 1);
            assert_eq!(frame, "2030");
        }
        _ => {
            assert!(history.is_empty());
            assert_ne!(frame, "2030");
        }
    }
    let decisions = audit::list(
        db,
        &audit::AuditFilter {
            entity_id: Some(id.to_string()),
            entity: Some("change_request".to_owned()),
            ..audit::AuditFilter::default()
        },
        10,
        0,
    )
    .await
    .unwrap();
    assert_eq!(decisions.len(), 2, "the proposal and one decision");
    assert!(audit::verify(db).await.unwrap().is_intact());
}

/// Until both deciders wait for the held lock. PostgreSQL shows its waiting sessions; SQLite
/// does not, so there the deciders get a moment to read (their reads do not wait for the lock).
async fn both_waiting(db: &Db) {
    match db.backend() {
        Backend::Sqlite => tokio::time::sleep(std::time::Duration::from_millis(500)).await,
        Backend::Postgres => {
            for _ in 0..500 {
                let waiting: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM pg_stat_activity \
                     WHERE datname = current_database() AND wait_event_type = 'Lock'",
                )
                .fetch_one(db.pool())
                .await
                .unwrap();
                if waiting >= 2 {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            panic!("the two deciders never waited for the lock");
        }
    }
}

async fn invalid_proposals_are_refused_and_change_nothing(db: &Db) {
    let (program, _) = setup(db).await;
    let audit_before = audit_count(db).await;
    let no_reason = NewChange {
        reason: "   ".to_owned(),
        ..retime(program, "3.21", "2030")
    };
    let add_without_group = request(
        program,
        None,
        ChangeKind::Add,
        Proposal {
            title: Some("Nhiệm vụ mới".to_owned()),
            time_frame: Some("2026".to_owned()),
            group: Some("99".to_owned()),
            ..Proposal::default()
        },
    );
    let amend_without_values =
        request(program, Some("1.1"), ChangeKind::Amend, Proposal::default());
    for (new, says) in [
        (retime(program, "3.21", "sớm nhất có thể"), "time frame"),
        (retime(program, "3.21", ""), "time frame"),
        (retime(program, "9.99", "2030"), "no task 9.99"),
        (no_reason, "reason"),
        (add_without_group, "no task group 99"),
        (amend_without_values, "new title"),
    ] {
        let error = changes::propose(db, &new).await.unwrap_err();
        let StoreError::Invalid(message) = &error else {
            panic!("{new:?} is Invalid: {error:?}")
        };
        assert!(message.contains(says), "«{message}» should say {says}");
    }
    assert!(
        changes::for_program(db, program, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(audit_count(db).await, audit_before);
    assert!(matches!(
        changes::propose(db, &retime(999_999, "3.21", "2030")).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn requests_of_a_program_are_listed_pending_first_and_filtered_by_status(db: &Db) {
    let (program, _) = setup(db).await;
    let first = changes::propose(db, &retime(program, "3.21", "2030"))
        .await
        .unwrap();
    let second = changes::propose(db, &retime(program, "1.1", "2026"))
        .await
        .unwrap();
    let third = changes::propose(db, &retime(program, "1.2", "2027"))
        .await
        .unwrap();
    changes::reject(db, second, "cp.coordinator", "Không")
        .await
        .unwrap();
    let ids: Vec<i64> = changes::for_program(db, program, None)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, [third, first, second]);
    let rejected: Vec<i64> = changes::for_program(db, program, Some(ChangeStatus::Rejected))
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(rejected, [second]);
    let pending = changes::for_program(db, program, Some(ChangeStatus::Pending))
        .await
        .unwrap();
    assert_eq!(pending.len(), 2);
    assert_eq!(
        pending[1].reason,
        "Cần thêm thời gian để phối hợp với các cơ quan"
    );
    assert_eq!(pending[1].proposal.time_frame.as_deref(), Some("2030"));
}
