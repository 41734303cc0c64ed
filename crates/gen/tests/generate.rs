//! `dongbo_gen::generate` at the small scale on both backends: deterministic, refused twice,
//! and consistent as read back through the store's ordinary read functions.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use dongbo_domain::period::obligations;
use dongbo_domain::{Directory, Role};
use dongbo_gen::{GenError, Options, Quiet, Scale};
use dongbo_store::reports::{self, ReportPeriod, ReportStatus, ReportSummary};
use dongbo_store::{Db, assignments, audit, bulk, dashboard, indicators, plans, programs};
use dongbo_testkit::TestDb;
use sqlx::Row;

fn options(seed: u64) -> Options {
    Options {
        scale: Scale::Small,
        seed,
        force: false,
        library_items: None,
    }
}

/// A database as the first run leaves it (directory, 47/NQ-CP), then the small dataset.
async fn generated(test_db: &TestDb, seed: u64) -> Directory {
    let directory = Directory::bundled();
    dongbo_testkit::load_47_assigned(&test_db.db, &directory).await;
    dongbo_gen::generate(&test_db.db, &directory, &options(seed), &Quiet)
        .await
        .unwrap_or_else(|e| panic!("generating on {}: {e}", test_db.backend()));
    directory
}

/// Columns the ordinary write paths stamp with the wall clock (and the audit chain, whose
/// hashes cover its times), and one id they number in no fixed order: everything else must
/// be equal for the same seed.
const WALL_CLOCK: &[(&str, &str)] = &[
    ("documents", "imported_at"),
    ("documents", "issued_on"),
    ("assignments", "created_at"),
    ("plans", "created_at"),
    ("program_regimes", "updated_at"),
    // `assignments::sync` inserts a program's open sets in a hash map's order.
    ("pending_choices", "id"),
    ("audit_log", "at"),
    ("audit_log", "hash"),
    ("audit_log", "prev_hash"),
    ("audit_head", "hash"),
    ("library_items", "created_at"),
    ("library_items", "updated_at"),
    ("library_provenances", "received_at"),
    ("library_changes", "at"),
];

/// A digest of every table's rows (SQLite), sorted, without the wall-clock columns.
async fn digest(db: &Db) -> BTreeMap<String, (usize, u64)> {
    let tables: Vec<String> = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_sqlx%' \
         AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(db.pool())
    .await
    .expect("list tables")
    .iter()
    .map(|row| row.get::<String, _>("name"))
    .collect();
    let mut digests = BTreeMap::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{table}')"
        )))
        .fetch_all(db.pool())
        .await
        .expect("list columns")
        .iter()
        .map(|row| row.get::<String, _>("name"))
        .filter(|column| !WALL_CLOCK.contains(&(table.as_str(), column.as_str())))
        .collect();
        let select = columns
            .iter()
            .map(|c| format!("COALESCE(CAST({c} AS TEXT), '∅')"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let mut rows: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {select} AS line FROM {table}"
        )))
        .fetch_all(db.pool())
        .await
        .expect("read a table")
        .iter()
        .map(|row| row.get::<String, _>("line"))
        .collect();
        rows.sort();
        let mut hash = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&rows, &mut hash);
        digests.insert(table, (rows.len(), std::hash::Hasher::finish(&hash)));
    }
    digests
}

#[tokio::test]
async fn the_same_seed_gives_the_same_dataset_and_another_seed_another() {
    let first = TestDb::sqlite().await;
    let second = TestDb::sqlite().await;
    let other = TestDb::sqlite().await;
    generated(&first, 7).await;
    generated(&second, 7).await;
    generated(&other, 8).await;
    let (a, b, c) = (
        digest(&first.db).await,
        digest(&second.db).await,
        digest(&other.db).await,
    );
    assert!(a["progress_reports"].0 > 0, "reports were generated: {a:?}");
    assert_eq!(a, b, "two runs with seed 7 differ");
    let differing: Vec<&String> = a.keys().filter(|t| a[*t] != c[*t]).collect();
    assert!(
        differing.contains(&&"report_versions".to_owned()),
        "seed 8 gave the same reports as seed 7"
    );
}

#[tokio::test]
async fn a_database_with_a_generated_dataset_is_refused_and_left_unchanged() {
    for test_db in dongbo_testkit::all_backends().await {
        let directory = generated(&test_db, 3).await;
        let before = programs::list(&test_db.db).await.expect("list programs");
        let refused = dongbo_gen::generate(&test_db.db, &directory, &options(3), &Quiet).await;
        assert!(
            matches!(&refused, Err(GenError::NotEmpty(what)) if what.contains("generated")),
            "on {}: {refused:?}",
            test_db.backend()
        );
        assert_eq!(
            programs::list(&test_db.db).await.expect("list programs"),
            before
        );
        assert!(
            bulk::generated(&test_db.db)
                .await
                .expect("look for the marker")
        );
    }
}

#[tokio::test]
async fn a_database_with_another_program_is_refused() {
    let test_db = TestDb::sqlite().await;
    let directory = Directory::bundled();
    dongbo_testkit::load_47_assigned(&test_db.db, &directory).await;
    let program = dongbo_domain::ImportedProgram {
        document: dongbo_domain::DocumentMeta {
            number: Some("12/QĐ-UBND".to_owned()),
            kind: dongbo_domain::DocumentKind::Decision,
            issued_on: None,
            issuer: None,
            issuer_text: None,
            signer: None,
            title: "Quyết định khác".to_owned(),
            implements: Vec::new(),
            language: "vi".to_owned(),
        },
        groups: Vec::new(),
        tasks: Vec::new(),
        warnings: Vec::new(),
    };
    let source = dongbo_store::SourceInfo {
        file_name: "other.txt".to_owned(),
        format: "text".to_owned(),
        sha256: "0".repeat(64),
    };
    programs::save_with_assignments(
        &test_db.db,
        &program,
        &source,
        dongbo_store::Assigning::new(&directory),
    )
    .await
    .expect("store another program");
    let refused = dongbo_gen::generate(&test_db.db, &directory, &options(1), &Quiet).await;
    let message = refused.expect_err("refused").to_string();
    assert!(
        message.contains("12/QĐ-UBND") && message.contains("--force"),
        "{message}"
    );
    assert!(plans::units(&test_db.db).await.expect("units").is_empty());
}

/// Progress, started, done on, and whether any report is accepted.
type OwnFacts = (u8, bool, Option<NaiveDate>, bool);

/// The latest accepted report's progress, whether any was submitted, and the day it reached
/// 100 (cleared by a later acceptance below 100): the rules of `dashboard::record_*`.
fn own_facts(reports: &[ReportSummary]) -> OwnFacts {
    let started = reports.iter().any(|r| r.submitted_at.is_some());
    let mut accepted: Vec<&ReportSummary> = reports
        .iter()
        .filter(|r| r.status == ReportStatus::Accepted)
        .collect();
    accepted.sort_by(|a, b| a.accepted_at.cmp(&b.accepted_at));
    let mut done_on = None;
    for report in &accepted {
        done_on = if report.progress >= 100 {
            done_on.or_else(|| {
                report.accepted_at.as_deref().map(|at| {
                    dongbo_domain::period::vietnam_day(
                        chrono::DateTime::parse_from_rfc3339(at)
                            .expect("a stored time")
                            .to_utc(),
                    )
                })
            })
        } else {
            None
        };
    }
    let progress = accepted.last().map_or(0, |r| r.progress);
    (progress, started, done_on, !accepted.is_empty())
}

#[tokio::test]
async fn the_generated_dataset_reads_back_consistent_through_the_store() {
    for test_db in dongbo_testkit::all_backends().await {
        let db = &test_db.db;
        let backend = test_db.backend();
        let directory = generated(&test_db, 5).await;
        let shape = Scale::Small.shape();

        let verify = audit::verify(db).await.expect("verify the audit chain");
        assert!(verify.is_intact(), "on {backend}: {verify:?}");

        let units = plans::units(db).await.expect("units");
        assert!(
            units.len() >= shape.communes,
            "on {backend}: {} units",
            units.len()
        );
        assert!(
            units
                .iter()
                .all(|u| dongbo_domain::text::nfc(&u.name_vi) == u.name_vi)
        );

        let mut statuses = BTreeMap::new();
        let mut late_or_returned = 0;
        let mut checked_facts = 0;
        for summary in programs::list(db).await.expect("programs") {
            let stored = programs::get(db, summary.id)
                .await
                .expect("read")
                .expect("exists");
            let issued = stored.program.document.issued_on.unwrap_or(NaiveDate::MIN);
            let frames: BTreeMap<String, dongbo_domain::TimeFrame> = stored
                .program
                .tasks
                .iter()
                .map(|t| (t.code.clone(), t.time_frame.clone()))
                .collect();
            let end = NaiveDate::from_ymd_opt(2025, 12, 31).expect("a date");
            let mut own = BTreeMap::new();
            for assignment in assignments::for_program(db, summary.id)
                .await
                .expect("assignments")
            {
                let reports = reports::for_assignment(db, assignment.id)
                    .await
                    .expect("reports");
                for report in &reports {
                    *statuses.entry(report.status.as_str()).or_insert(0) += 1;
                    if report.current_version > 2 {
                        late_or_returned += 1;
                    }
                    let ReportPeriod::Period(period) = report.period else {
                        panic!("on {backend}: a generated report is for a period");
                    };
                    // Plans are dated the day they are made: their tasks report from the
                    // parent's date, so only the end of the range is checked for them.
                    let from = if summary.kind == dongbo_domain::DocumentKind::Plan {
                        NaiveDate::from_ymd_opt(2020, 1, 1).expect("a date")
                    } else {
                        issued
                    };
                    assert!(
                        obligations(&frames[&assignment.task_code], period.kind(), from..=end)
                            .contains(&period),
                        "on {backend}: report {} of assignment {} is for {period}, outside its task's range",
                        report.id,
                        assignment.id
                    );
                }
                own.insert(assignment.id, (assignment.clone(), own_facts(&reports)));
            }
            // The roll-up: an agency's plan task carries its national task out.
            let facts = dashboard::facts(db, summary.id).await.expect("facts");
            let mut by_key: BTreeMap<(String, String, Role), (i64, OwnFacts)> = BTreeMap::new();
            for (id, (assignment, facts)) in &own {
                by_key.insert(
                    (
                        assignment.agency_code.clone(),
                        assignment.task_code.clone(),
                        assignment.role,
                    ),
                    (*id, *facts),
                );
            }
            for fact in &facts {
                let (_, (progress, started, done_on, _)) =
                    by_key[&(fact.agency_code.clone(), fact.task_code.clone(), fact.role)];
                let mut effective = progress;
                if let Some(plan) = plans::find(db, summary.id, &fact.agency_code)
                    .await
                    .expect("find a plan")
                {
                    // Any accepted child report rolls the furthest child progress up.
                    let children = assignments::for_task(db, plan, &fact.task_code)
                        .await
                        .expect("plan assignments");
                    let mut any = false;
                    let mut max = 0;
                    for child in children {
                        let reports = reports::for_assignment(db, child.id)
                            .await
                            .expect("reports");
                        let (p, _, _, accepted) = own_facts(&reports);
                        any |= accepted;
                        max = max.max(p);
                    }
                    // Into the agency's lead assignment on the task, or its coordinating one.
                    let parent = fact.role == Role::Lead
                        || !by_key.contains_key(&(
                            fact.agency_code.clone(),
                            fact.task_code.clone(),
                            Role::Lead,
                        ));
                    if any && parent {
                        effective = effective.max(max);
                    }
                }
                assert_eq!(
                    (fact.progress, fact.started, fact.done_on),
                    (effective, started, done_on),
                    "on {backend}: the facts of {} on task {} of program {} differ from a \
                     recomputation from its reports",
                    fact.agency_code,
                    fact.task_code,
                    summary.id
                );
                checked_facts += 1;
            }
        }
        assert!(
            checked_facts > 100,
            "on {backend}: only {checked_facts} facts"
        );
        for status in ["draft", "submitted", "returned", "accepted"] {
            assert!(
                statuses.get(status).copied().unwrap_or(0) > 0,
                "on {backend}: no {status} report among {statuses:?}"
            );
        }
        assert!(
            late_or_returned > 0,
            "on {backend}: no report was returned and sent again"
        );

        // Indicators and their values read back, with a verdict.
        let generated_program = programs::list(db)
            .await
            .expect("programs")
            .into_iter()
            .find(|p| {
                p.number.as_deref() != Some("47/NQ-CP")
                    && p.kind != dongbo_domain::DocumentKind::Plan
            })
            .expect("a generated program");
        let series = indicators::for_program(db, generated_program.id)
            .await
            .expect("indicators");
        assert_eq!(series.len(), shape.indicators_per_program, "on {backend}");
        assert!(series.iter().all(|s| !s.values.is_empty()), "on {backend}");

        // The library's items, each with its change for the indexes to take up.
        let items = dongbo_store::library::items::count(db)
            .await
            .expect("items");
        assert_eq!(items, shape.library_items as i64, "on {backend}");
        let last = dongbo_store::library::changes::last_seq(db)
            .await
            .expect("changes");
        assert_eq!(last, items, "on {backend}");
        let first = dongbo_store::library::items::get(db, 1)
            .await
            .expect("an item")
            .expect("item 1");
        assert!(
            first.data.body.split(' ').count() >= 200,
            "on {backend}: a body of real length"
        );
        let _ = directory;
    }
}
