//! `dongbo check` on SQLite and on PostgreSQL: clean data passes, and each kind of stored
//! derived data broken by hand is found and named.

use dongbo_store::{Backend, Db, check};
use dongbo_testkit::activity::{self, Activity, Site};

/// One `#[tokio::test]` per backend for each `async fn(Backend)`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(dongbo_store::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(dongbo_store::Backend::Postgres).await;
                }
            )*
        }
    };
}

on_both_backends!(
    clean_data_passes_every_check,
    an_audit_entry_changed_by_hand_breaks_the_chain_at_that_entry,
    an_audit_head_out_of_step_with_the_log_is_named,
    a_deleted_evidence_file_is_named,
    an_evidence_file_changed_on_disk_is_named,
    progress_changed_by_hand_differs_from_the_accepted_report,
    a_rolled_up_figure_changed_by_hand_differs_from_the_plan_tasks,
    a_report_state_changed_by_hand_differs_from_its_versions,
    figures_stamped_with_a_version_the_program_never_reached_are_named,
    figures_kept_under_another_program_are_named,
    counters_out_of_step_with_the_units_and_structure_changes_are_named,
    a_new_plan_task_and_an_override_of_a_plan_task_roll_the_parent_up_at_once,
    two_reports_accepted_in_one_second_count_by_one_rule_everywhere,
);

async fn at_work(backend: Backend) -> Option<(Site, Activity)> {
    let site = Site::new(backend).await?;
    let work = activity::record(&site.db, &site.files_dir).await;
    Some((site, work))
}

/// The problems of the check `name`, after asserting that every other check passed.
async fn problems(site: &Site, name: &str) -> Vec<String> {
    let report = check::run(&site.db, &site.files_dir).await.unwrap();
    for check in &report.checks {
        if check.name != name {
            assert!(
                check.problems.is_empty(),
                "{}: {:?}",
                check.name,
                check.problems
            );
        }
    }
    let found = report
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check named {name}"))
        .problems
        .clone();
    assert!(
        !report.is_clean() && !found.is_empty(),
        "{name} found nothing"
    );
    found
}

async fn execute(db: &Db, sql: &'static str) {
    let done = sqlx::query(sql).execute(db.pool()).await.unwrap();
    assert!(done.rows_affected() > 0, "{sql} changed nothing");
}

async fn clean_data_passes_every_check(backend: Backend) {
    let Some((site, work)) = at_work(backend).await else {
        return;
    };
    let report = check::run(&site.db, &site.files_dir).await.unwrap();
    assert!(report.is_clean(), "{report:#?}");
    let checked = |name: &str| {
        report
            .checks
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .checked
    };
    // 12 submissions, 6 acceptances, 3 returns, 3 reopenings; the plan's 2 submissions and
    // acceptances; 1 override.
    assert_eq!(checked("audit"), 29);
    assert_eq!(checked("reports"), 14);
    assert_eq!(checked("files"), work.files.len() as u64);
    assert!(checked("progress") >= 14, "{report:#?}");
    assert!(checked("database") > 0);
}

async fn an_audit_entry_changed_by_hand_breaks_the_chain_at_that_entry(backend: Backend) {
    let Some((site, _)) = at_work(backend).await else {
        return;
    };
    execute(
        &site.db,
        "UPDATE audit_log SET actor = 'ke.gian' WHERE seq = 3",
    )
    .await;
    let found = problems(&site, "audit").await;
    assert!(found[0].contains("audit entry 3 "), "{found:?}");
}

async fn an_audit_head_out_of_step_with_the_log_is_named(backend: Backend) {
    let Some((site, _)) = at_work(backend).await else {
        return;
    };
    execute(&site.db, "UPDATE audit_head SET seq = seq - 1").await;
    let found = problems(&site, "audit").await;
    assert!(found[0].contains("head"), "{found:?}");
}

async fn a_deleted_evidence_file_is_named(backend: Backend) {
    let Some((site, work)) = at_work(backend).await else {
        return;
    };
    let sha = &work.files[2];
    std::fs::remove_file(site.files_dir.join(&sha[..2]).join(sha)).unwrap();
    let found = problems(&site, "files").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains(sha.as_str()) && found[0].contains("missing"),
        "{found:?}"
    );
}

async fn an_evidence_file_changed_on_disk_is_named(backend: Backend) {
    let Some((site, work)) = at_work(backend).await else {
        return;
    };
    let sha = &work.files[1];
    let path = site.files_dir.join(&sha[..2]).join(sha);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] ^= 0x20;
    std::fs::write(&path, bytes).unwrap();
    let found = problems(&site, "files").await;
    assert!(
        found[0].contains(sha.as_str()) && found[0].contains("changed"),
        "{found:?}"
    );
}

async fn progress_changed_by_hand_differs_from_the_accepted_report(backend: Backend) {
    let Some((site, _)) = at_work(backend).await else {
        return;
    };
    execute(
        &site.db,
        "UPDATE assignment_progress SET progress = 77 WHERE assignment_id = \
         (SELECT MIN(assignment_id) FROM progress_reports WHERE status = 'accepted')",
    )
    .await;
    let found = problems(&site, "progress").await;
    assert!(found[0].contains("shows progress 77%"), "{found:?}");
}

async fn a_rolled_up_figure_changed_by_hand_differs_from_the_plan_tasks(backend: Backend) {
    let Some((site, _)) = at_work(backend).await else {
        return;
    };
    execute(
        &site.db,
        "UPDATE assignment_progress SET rolled_progress = 10 WHERE rolled_progress = 50",
    )
    .await;
    let found = problems(&site, "progress").await;
    assert!(
        found[0].contains("shows 10% rolled up") && found[0].contains("give 50%"),
        "{found:?}"
    );
}

async fn a_report_state_changed_by_hand_differs_from_its_versions(backend: Backend) {
    let Some((site, _)) = at_work(backend).await else {
        return;
    };
    execute(
        &site.db,
        "UPDATE progress_reports SET status = 'draft' WHERE id = \
         (SELECT MIN(id) FROM progress_reports WHERE status = 'returned')",
    )
    .await;
    let found = problems(&site, "reports").await;
    assert!(
        found[0].contains("is «draft», but its version"),
        "{found:?}"
    );
}

async fn figures_stamped_with_a_version_the_program_never_reached_are_named(backend: Backend) {
    let Some((site, work)) = at_work(backend).await else {
        return;
    };
    let sql = format!(
        "UPDATE program_versions SET version = 1, structure = 1 WHERE program_id = {}",
        work.program_id
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(site.db.pool())
        .await
        .unwrap();
    let found = problems(&site, "versions").await;
    assert!(found[0].contains("but program"), "{found:?}");
}

async fn figures_kept_under_another_program_are_named(backend: Backend) {
    let Some((site, work)) = at_work(backend).await else {
        return;
    };
    let sql = format!(
        "UPDATE assignment_progress SET program_id = {} WHERE assignment_id = \
         (SELECT MIN(assignment_id) FROM progress_reports WHERE status = 'accepted')",
        work.program_id + 1000
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(site.db.pool())
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 1);
    let found = problems(&site, "versions").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains(&format!("kept under program {}", work.program_id + 1000))
            && found[0].contains(&format!("is of program {}", work.program_id)),
        "{found:?}"
    );
}

async fn counters_out_of_step_with_the_units_and_structure_changes_are_named(backend: Backend) {
    let Some((site, _)) = at_work(backend).await else {
        return;
    };
    let units = dongbo_store::plans::unit_count(&site.db).await.unwrap();
    assert!(dongbo_store::dashboard::structures(&site.db).await.unwrap() > 0);
    sqlx::query("UPDATE counters SET value = value + 1 WHERE name = 'units'")
        .execute(site.db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE counters SET value = 0 WHERE name = 'structures'")
        .execute(site.db.pool())
        .await
        .unwrap();
    let found = problems(&site, "versions").await;
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].contains(&format!("says {}, but there are {units} units", units + 1)),
        "{found:?}"
    );
    assert!(
        found[1].contains("the structures counter says 0"),
        "{found:?}"
    );
}

/// SQLite's foreign keys hold only on connections that turn them on: a row written without
/// them is found by `foreign_key_check`. (PostgreSQL always enforces them.)
#[tokio::test]
async fn a_row_naming_a_missing_row_is_found_on_sqlite() {
    let (site, work) = at_work(Backend::Sqlite).await.unwrap();
    let mut conn = site.db.pool().acquire().await.unwrap();
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await
        .unwrap();
    let sql = format!(
        "DELETE FROM evidence_files WHERE sha256 = '{}'",
        work.files[0]
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    let found = problems(&site, "database").await;
    assert!(
        found[0].contains("report_files") && found[0].contains("evidence_files"),
        "{found:?}"
    );
}

/// The rolled-up progress of BVHTTDL's assignment on task 3.4 of 47/NQ-CP.
async fn rolled_3_4(db: &Db, work: &Activity) -> Option<u8> {
    dongbo_store::dashboard::progress_of_task(db, work.program_id, "3.4")
        .await
        .unwrap()
        .into_values()
        .find_map(|detail| detail.rolled)
}

/// Found by the check: both used to leave the parent's figure as it was until the plan's next
/// accepted report.
async fn a_new_plan_task_and_an_override_of_a_plan_task_roll_the_parent_up_at_once(
    backend: Backend,
) {
    use dongbo_store::{assignments, dashboard, plans};
    let Some((site, work)) = at_work(backend).await else {
        return;
    };
    assert_eq!(
        rolled_3_4(&site.db, &work).await,
        Some(50),
        "(50 + 100 + 0) / 3"
    );
    let directory = dongbo_domain::Directory::bundled();
    let code = plans::add_task(
        &site.db,
        &directory,
        work.plan_id,
        &plans::NewTask {
            parent_task_code: "3.4".into(),
            title: "Hội thảo".into(),
            expected_output: None,
            time_frame: "2026".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        rolled_3_4(&site.db, &work).await,
        Some(38),
        "150 / 4, rounded"
    );
    let report = check::run(&site.db, &site.files_dir).await.unwrap();
    assert!(report.is_clean(), "{report:#?}");

    let new_task = assignments::for_task(&site.db, work.plan_id, &code)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    dashboard::set_manual(&site.db, new_task.id, Some(100), "dieu.phoi", "Đã tổ chức")
        .await
        .unwrap();
    assert_eq!(
        rolled_3_4(&site.db, &work).await,
        Some(63),
        "250 / 4, rounded"
    );
    let report = check::run(&site.db, &site.files_dir).await.unwrap();
    assert!(report.is_clean(), "{report:#?}");
}

/// Acceptance times are kept to the second. When two reports of one assignment are accepted
/// in the same second, the dashboard figures, `reports::latest_accepted` and `dongbo check`
/// all take the one with the higher report id, whichever acceptance committed last (the
/// figures used to take the last committed, so `check` named a false problem and the crash
/// harness once failed on it).
async fn two_reports_accepted_in_one_second_count_by_one_rule_everywhere(backend: Backend) {
    use dongbo_domain::{Period, PeriodKind};
    use dongbo_store::{Edit, ReportContent, reports};
    let Some((site, work)) = at_work(backend).await else {
        return;
    };
    let assignment_id = work.untouched[0];
    let mut tied = false;
    // Each attempt uses two new periods; an attempt is a tie unless the clock turns a second
    // between the two acceptances.
    for year in 2026..2031 {
        let mut ids = Vec::new();
        for (quarter, progress) in [(1, 30), (2, 70)] {
            let period = Period::new(PeriodKind::Quarterly, year, quarter).unwrap();
            let content = ReportContent {
                library_items: Vec::new(),
                results: format!("Quý {quarter}/{year}"),
                progress,
                ..ReportContent::default()
            };
            let sent = reports::submit(
                &site.db,
                &Edit {
                    assignment_id,
                    period: period.into(),
                    content: &content,
                    author: "can-bo",
                    based_on: None,
                    idempotency_key: None,
                },
            )
            .await
            .unwrap();
            ids.push(sent.report_id);
        }
        // The higher id (70%) is accepted first, the lower (30%) last.
        for id in ids.iter().rev() {
            reports::accept(&site.db, *id, 1, "lanh-dao", None)
                .await
                .unwrap();
        }
        let times: Vec<Option<String>> = reports::for_assignment(&site.db, assignment_id)
            .await
            .unwrap()
            .into_iter()
            .filter(|s| ids.contains(&s.id))
            .map(|s| s.accepted_at)
            .collect();
        let latest = reports::latest_accepted(&site.db, assignment_id)
            .await
            .unwrap()
            .unwrap();
        let report = check::run(&site.db, &site.files_dir).await.unwrap();
        assert!(report.is_clean(), "{year}: {report:#?}");
        if times[0] == times[1] {
            assert_eq!(latest.report_id, ids[1], "the higher id wins the tie");
            assert_eq!(latest.progress, 70);
            tied = true;
            break;
        }
        assert_eq!(latest.report_id, ids[0], "the later acceptance wins");
    }
    assert!(tied, "no two acceptances fell in one second in 5 attempts");
}
