//! Dashboard facts on 47/NQ-CP, on SQLite and on PostgreSQL: one per assignment, kept up to
//! date by report writes, and the figures computed from them right after each write.

use chrono::NaiveDate;
use dongbo_domain::dashboard::program_figures;
use dongbo_domain::{Directory, WorkState};
use dongbo_store::reports::{self, Edit, ReportContent, ReportPeriod};
use dongbo_store::{Db, assignments, audit, dashboard};

dongbo_testkit::backend_tests!(
    every_assignment_has_a_fact_with_its_due_date,
    accepted_reports_move_the_figures_at_once,
    the_report_workflow_keeps_the_figures_and_appends_every_act_to_the_audit_log,
    plan_tasks_roll_up_into_the_agencys_assignment_and_a_person_may_override_it,
    a_kept_snapshot_brought_up_to_date_equals_a_fresh_read_after_every_kind_of_write,
    yearly_work_done_last_year_is_done_again_by_this_years_report,
);

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

async fn every_assignment_has_a_fact_with_its_due_date(db: &Db) {
    let directory = Directory::bundled();
    let program = dongbo_testkit::load_47_assigned(db, &directory).await;
    let facts = dashboard::facts(db, program).await.unwrap();
    assert_eq!(
        facts.len(),
        assignments::for_program(db, program).await.unwrap().len()
    );
    let lead = facts
        .iter()
        .find(|f| f.task_code == "2.1" && f.agency_code == "BVHTTDL")
        .unwrap();
    assert_eq!(lead.due, Some(date("2024-12-31")));
    assert!(!lead.recurring && !lead.started && lead.progress == 0);
    let yearly = facts.iter().find(|f| f.task_code == "1.2").unwrap();
    assert!(yearly.recurring);
    assert_eq!(yearly.start, Some(date("2024-04-15")), "the program's date");

    let figures = program_figures(&facts, date("2025-06-01"));
    assert_eq!(figures.tasks.total(), 56);
    assert_eq!(figures.groups.len(), 5);
    assert_eq!(figures.tasks.done(), 0);
}

async fn accepted_reports_move_the_figures_at_once(db: &Db) {
    let directory = Directory::bundled();
    let program = dongbo_testkit::load_47_assigned(db, &directory).await;
    let lead = assignments::for_task(db, program, "2.1")
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.agency_code == "BVHTTDL")
        .unwrap();
    let today = date("2025-06-01");
    let state_of = |figures: &dongbo_domain::dashboard::ProgramFigures| {
        figures
            .task_lines
            .iter()
            .find(|t| t.task_code == "2.1")
            .unwrap()
            .state
    };
    let before = program_figures(&dashboard::facts(db, program).await.unwrap(), today);
    assert_eq!(state_of(&before), WorkState::OverdueNotDone);

    let mut conn = db.pool().acquire().await.unwrap();
    dashboard::record_submitted(&mut conn, lead.id)
        .await
        .unwrap();
    dashboard::record_accepted(&mut conn, lead.id, 60, date("2024-10-01"))
        .await
        .unwrap();
    let figures = program_figures(
        &dashboard::facts(db, program).await.unwrap(),
        date("2024-11-01"),
    );
    let line = figures
        .task_lines
        .iter()
        .find(|t| t.task_code == "2.1")
        .unwrap();
    assert_eq!((line.state, line.progress), (WorkState::InProgress, 60));

    dashboard::record_accepted(&mut conn, lead.id, 100, date("2024-12-20"))
        .await
        .unwrap();
    let after = program_figures(&dashboard::facts(db, program).await.unwrap(), today);
    assert_eq!(state_of(&after), WorkState::DoneOnTime);
    assert_eq!(after.tasks.done(), before.tasks.done() + 1);
    let culture = after
        .agencies
        .iter()
        .find(|a| a.agency_code == "BVHTTDL")
        .unwrap();
    assert_eq!(culture.on_time_percent, Some(100));

    // Accepted again at 100 later: still done on the first day it got there.
    dashboard::record_accepted(&mut conn, lead.id, 100, date("2025-02-01"))
        .await
        .unwrap();
    let again = program_figures(&dashboard::facts(db, program).await.unwrap(), today);
    assert_eq!(state_of(&again), WorkState::DoneOnTime);
}

async fn the_report_workflow_keeps_the_figures_and_appends_every_act_to_the_audit_log(db: &Db) {
    let directory = Directory::bundled();
    let program = dongbo_testkit::load_47_assigned(db, &directory).await;
    let lead = assignments::for_task(db, program, "2.1")
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.agency_code == "BVHTTDL")
        .unwrap();
    let fact = |facts: Vec<dongbo_domain::dashboard::Fact>| {
        facts
            .into_iter()
            .find(|f| f.task_code == "2.1" && f.agency_code == "BVHTTDL")
            .unwrap()
    };
    let content = ReportContent {
        library_items: Vec::new(),
        results: "Đã tổng kết Nghị định 72/2015/NĐ-CP".into(),
        progress: 100,
        ..ReportContent::default()
    };
    let edit = Edit {
        assignment_id: lead.id,
        period: ReportPeriod::Once,
        content: &content,
        author: "bao.cao",
        based_on: None,
        idempotency_key: None,
    };
    let before = dashboard::version(db, program).await.unwrap();
    let submitted = reports::submit(db, &edit).await.unwrap();
    let after = dashboard::version(db, program).await.unwrap();
    assert!(
        after > before,
        "a write raises the dashboard version ({before} → {after})"
    );
    let after_submit = fact(dashboard::facts(db, program).await.unwrap());
    assert!(after_submit.started);
    assert_eq!(after_submit.progress, 0, "submitted is not accepted");

    let accepted = reports::accept(db, submitted.report_id, submitted.version, "lanh.dao", None)
        .await
        .unwrap();
    let after_accept = fact(dashboard::facts(db, program).await.unwrap());
    assert_eq!(after_accept.progress, 100);
    assert!(after_accept.done_on.is_some());

    reports::reopen(
        db,
        accepted.report_id,
        accepted.version,
        "dieu.phoi",
        "Số liệu cần sửa",
        None,
    )
    .await
    .unwrap();
    assert!(dashboard::version(db, program).await.unwrap() > after);
    let after_reopen = fact(dashboard::facts(db, program).await.unwrap());
    assert_eq!((after_reopen.progress, after_reopen.done_on), (0, None));

    let log = audit::list(db, &audit::AuditFilter::default(), 100, 0)
        .await
        .unwrap();
    let acts: Vec<&str> = log
        .iter()
        .filter(|r| r.entity == "report")
        .map(|r| r.action.as_str())
        .collect();
    for act in ["report.submit", "report.accept", "report.reopen"] {
        assert!(acts.contains(&act), "{act} in {acts:?}");
    }
    assert!(audit::verify(db).await.unwrap().is_intact());
}

async fn accept_at(db: &Db, assignment_id: i64, progress: u8) {
    let content = ReportContent {
        library_items: Vec::new(),
        results: "Kết quả".into(),
        progress,
        ..ReportContent::default()
    };
    let edit = Edit {
        assignment_id,
        period: ReportPeriod::Once,
        content: &content,
        author: "bao.cao",
        based_on: None,
        idempotency_key: None,
    };
    let submitted = reports::submit(db, &edit).await.unwrap();
    reports::accept(db, submitted.report_id, submitted.version, "lanh.dao", None)
        .await
        .unwrap();
}

async fn plan_tasks_roll_up_into_the_agencys_assignment_and_a_person_may_override_it(db: &Db) {
    use dongbo_store::plans;
    let directory = Directory::bundled();
    let program = dongbo_testkit::load_47_assigned(db, &directory).await;
    let plan = plans::create(db, &directory, program, "BVHTTDL")
        .await
        .unwrap()
        .program_id();
    for title in ["Tuần văn hóa", "Ấn phẩm"] {
        plans::add_task(
            db,
            &directory,
            plan,
            &plans::NewTask {
                parent_task_code: "3.4".into(),
                title: title.into(),
                expected_output: None,
                time_frame: "2025".into(),
            },
        )
        .await
        .unwrap();
    }
    let own = |code: &'static str| async move {
        assignments::for_task(db, plan, code)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.agency_code == "BVHTTDL")
            .unwrap()
            .id
    };
    // Three plan tasks carry 3.4 out: the plan's own 3.4 at 50%, 3.4.1 done, 3.4.2 not begun.
    accept_at(db, own("3.4").await, 50).await;
    accept_at(db, own("3.4.1").await, 100).await;

    let national = assignments::for_task(db, program, "3.4")
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.agency_code == "BVHTTDL")
        .unwrap();
    let detail = |details: std::collections::HashMap<i64, dashboard::ProgressDetail>| {
        details.get(&national.id).cloned().unwrap()
    };
    let rolled = detail(
        dashboard::progress_of_task(db, program, "3.4")
            .await
            .unwrap(),
    );
    assert_eq!(rolled.rolled, Some(50), "(50 + 100 + 0) / 3");
    assert_eq!((rolled.own, rolled.effective), (0, 50));
    let fact = dashboard::facts(db, program)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.task_code == "3.4" && f.agency_code == "BVHTTDL")
        .unwrap();
    assert_eq!(
        fact.progress, 50,
        "the dashboard counts the rolled-up progress"
    );

    dashboard::set_manual(
        db,
        national.id,
        Some(80),
        "dieu.phoi",
        "Đã kiểm tra thực tế",
    )
    .await
    .unwrap();
    let manual = detail(
        dashboard::progress_of_task(db, program, "3.4")
            .await
            .unwrap(),
    );
    assert_eq!(manual.effective, 80);
    assert_eq!(
        manual.manual,
        Some((80, "dieu.phoi".to_owned(), "Đã kiểm tra thực tế".to_owned()))
    );
    let error = dashboard::set_manual(db, national.id, Some(90), "dieu.phoi", " ")
        .await
        .unwrap_err();
    assert!(
        matches!(error, dongbo_store::StoreError::Invalid(_)),
        "{error}"
    );
    dashboard::set_manual(db, national.id, None, "dieu.phoi", "")
        .await
        .unwrap();
    let cleared = detail(
        dashboard::progress_of_task(db, program, "3.4")
            .await
            .unwrap(),
    );
    assert_eq!((cleared.manual, cleared.effective), (None, 50));
    assert!(audit::verify(db).await.unwrap().is_intact());
}

/// Brings `kept` up to date and checks it against every fact read afresh; returns it.
async fn refreshed(db: &Db, program: i64, kept: &dashboard::Snapshot) -> dashboard::Snapshot {
    let refreshed = kept.refresh(db).await.unwrap();
    let fresh = dashboard::Snapshot::read(db, program).await.unwrap();
    assert_eq!(refreshed.version(), fresh.version());
    assert_eq!(refreshed.facts(), fresh.facts());
    refreshed
}

async fn a_kept_snapshot_brought_up_to_date_equals_a_fresh_read_after_every_kind_of_write(db: &Db) {
    use dongbo_store::plans;
    let directory = Directory::bundled();
    let program = dongbo_testkit::load_47_assigned(db, &directory).await;
    let fact_of = |snapshot: &dashboard::Snapshot, task: &str, agency: &str| {
        snapshot
            .facts()
            .iter()
            .find(|f| f.task_code == task && f.agency_code == agency)
            .cloned()
            .unwrap()
    };
    let national = |task: &'static str| async move {
        assignments::for_task(db, program, task)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.agency_code == "BVHTTDL")
            .unwrap()
            .id
    };
    let kept = dashboard::Snapshot::read(db, program).await.unwrap();
    let same = kept.refresh(db).await.unwrap();
    assert!(
        std::sync::Arc::ptr_eq(kept.facts(), same.facts()),
        "nothing changed: the same facts"
    );

    // A report submitted, then accepted: only figures move.
    let content = ReportContent {
        library_items: Vec::new(),
        results: "Đã tổng kết".into(),
        progress: 100,
        ..ReportContent::default()
    };
    let edit = Edit {
        assignment_id: national("2.1").await,
        period: ReportPeriod::Once,
        content: &content,
        author: "bao.cao",
        based_on: None,
        idempotency_key: None,
    };
    let submitted = reports::submit(db, &edit).await.unwrap();
    let kept = refreshed(db, program, &kept).await;
    assert!(fact_of(&kept, "2.1", "BVHTTDL").started);
    // A return changes no figure but what is missing for the period: the version moves.
    let returned = reports::return_report(
        db,
        submitted.report_id,
        submitted.version,
        "lanh.dao",
        "Bổ sung số liệu",
        None,
    )
    .await
    .unwrap();
    let before = kept.version();
    let kept = refreshed(db, program, &kept).await;
    assert!(kept.version() > before, "a return raises the version");
    let submitted = reports::submit(
        db,
        &Edit {
            based_on: Some(returned.version),
            ..edit
        },
    )
    .await
    .unwrap();
    let kept = refreshed(db, program, &kept).await;
    let accepted = reports::accept(db, submitted.report_id, submitted.version, "lanh.dao", None)
        .await
        .unwrap();
    let kept = refreshed(db, program, &kept).await;
    assert_eq!(fact_of(&kept, "2.1", "BVHTTDL").progress, 100);

    // A plan task's accepted report rolls up into the national assignment on 3.4.
    let plan = plans::create(db, &directory, program, "BVHTTDL")
        .await
        .unwrap()
        .program_id();
    let own = assignments::for_task(db, plan, "3.4")
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.agency_code == "BVHTTDL")
        .unwrap()
        .id;
    accept_at(db, own, 60).await;
    let kept = refreshed(db, program, &kept).await;
    assert_eq!(fact_of(&kept, "3.4", "BVHTTDL").progress, 60);

    // An override, then a reopened report.
    dashboard::set_manual(
        db,
        national("3.4").await,
        Some(90),
        "dieu.phoi",
        "Đã kiểm tra",
    )
    .await
    .unwrap();
    let kept = refreshed(db, program, &kept).await;
    assert_eq!(fact_of(&kept, "3.4", "BVHTTDL").progress, 90);
    reports::reopen(
        db,
        accepted.report_id,
        accepted.version,
        "dieu.phoi",
        "Số liệu cần sửa",
        None,
    )
    .await
    .unwrap();
    let kept = refreshed(db, program, &kept).await;
    assert_eq!(fact_of(&kept, "2.1", "BVHTTDL").progress, 0);

    // New assignments: the coordinator chooses the members of 5.7's open set.
    let before = kept.facts().len();
    let pending = assignments::pending_for_task(db, program, "5.7")
        .await
        .unwrap();
    let chosen = ["BTC".to_owned()];
    assignments::choose(db, pending[0].id, &chosen, &directory)
        .await
        .unwrap();
    let kept = refreshed(db, program, &kept).await;
    assert_eq!(kept.facts().len(), before + 1);
    fact_of(&kept, "5.7", "BTC");
}

/// Yearly work is judged year by year: done last year, it is in progress this year until this
/// year's report at 100% is accepted, which completes it (it did not when the day it was first
/// done stayed for good); a re-acceptance within the year keeps that year's day.
async fn yearly_work_done_last_year_is_done_again_by_this_years_report(db: &Db) {
    let directory = Directory::bundled();
    let program = dongbo_testkit::load_47_assigned(db, &directory).await;
    let lead = assignments::for_task(db, program, "1.2")
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.role == dongbo_domain::Role::Lead)
        .unwrap();
    let fact = async || {
        dashboard::facts(db, program)
            .await
            .unwrap()
            .into_iter()
            .find(|f| f.task_code == "1.2" && f.agency_code == lead.agency_code)
            .unwrap()
    };
    assert!(fact().await.recurring);
    let mut conn = db.pool().acquire().await.unwrap();
    dashboard::record_submitted(&mut conn, lead.id)
        .await
        .unwrap();
    // Last year's report (the reporting year 2025 ends on 14 December 2025).
    dashboard::record_accepted(&mut conn, lead.id, 100, date("2025-12-10"))
        .await
        .unwrap();
    let summer = date("2026-06-01");
    let state = dongbo_domain::dashboard::assignment_state(&fact().await, summer);
    assert_eq!(
        state,
        WorkState::InProgress,
        "this year's report is not in yet"
    );

    dashboard::record_accepted(&mut conn, lead.id, 100, date("2026-05-20"))
        .await
        .unwrap();
    let done = fact().await;
    assert_eq!(done.done_on, Some(date("2026-05-20")));
    assert!(dongbo_domain::dashboard::assignment_state(&done, summer).is_done());

    dashboard::record_accepted(&mut conn, lead.id, 100, date("2026-07-01"))
        .await
        .unwrap();
    assert_eq!(fact().await.done_on, Some(date("2026-05-20")));
}
