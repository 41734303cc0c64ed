//! A program's reporting regimes and the report records completeness reads, on SQLite and on
//! PostgreSQL: the Decree 09 default when the program sets none, overrides added, changed and
//! removed (audited), and completeness of six assignments of 47/NQ-CP against figures computed
//! by hand — first submissions kept across a return and a resubmission, the Vietnamese day.

use chrono::NaiveDate;
use dongbo_domain::completeness::{Counts, completeness};
use dongbo_domain::dashboard::{Fact, due_to_report};
use dongbo_domain::{
    DeadlineRule, Directory, Period, PeriodKind, Phase, RegimePeriod, Reporters, ReportingRegime,
};
use dongbo_store::reports::{self, Edit, ReportContent, ReportPeriod};
use dongbo_store::{Db, StoreError, assignments, audit, dashboard, regimes};

dongbo_testkit::backend_tests!(
    a_program_without_overrides_has_the_decree_09_default,
    overrides_are_added_changed_and_removed_and_audited,
    completeness_through_the_store_agrees_with_the_hand_computed_figures,
);

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a real date in the test")
}

fn rule(days: u32) -> DeadlineRule {
    DeadlineRule::new(days).expect("a valid rule")
}

async fn a_program_without_overrides_has_the_decree_09_default(db: &Db) {
    let program = dongbo_testkit::load_47_assigned(db, &Directory::bundled()).await;
    assert!(regimes::overrides(db, program).await.unwrap().is_empty());
    let regimes = regimes::for_program(db, program).await.unwrap();
    assert_eq!(regimes, dongbo_domain::Regimes::decree_09());
}

async fn overrides_are_added_changed_and_removed_and_audited(db: &Db) {
    let program = dongbo_testkit::load_47_assigned(db, &Directory::bundled()).await;
    let quarterly = ReportingRegime::periodic(PeriodKind::Quarterly, Reporters::Leads, rule(3));
    let phase = ReportingRegime::phase(
        Phase::new(
            "Giai đoạn 2024–2026",
            date("2024-01-01"),
            date("2026-12-31"),
        )
        .unwrap(),
        Reporters::Every,
        rule(10),
    );
    regimes::set(db, program, &quarterly, "dieu.phoi")
        .await
        .unwrap();
    regimes::set(db, program, &phase, "dieu.phoi")
        .await
        .unwrap();
    let read = regimes::for_program(db, program).await.unwrap();
    let keys: Vec<String> = read.iter().map(ReportingRegime::key).collect();
    assert_eq!(keys, ["annual", "quarterly", "2024-01-01..2026-12-31"]);
    assert_eq!(read.get("2024-01-01..2026-12-31"), Some(&phase));
    assert_eq!(read.get("quarterly"), Some(&quarterly));

    // Changing the annual one replaces the default; changing the quarterly one keeps one row.
    let annual = ReportingRegime::periodic(PeriodKind::Annual, Reporters::Every, rule(5));
    regimes::set(db, program, &annual, "dieu.phoi")
        .await
        .unwrap();
    let quarterly_5 = ReportingRegime::periodic(PeriodKind::Quarterly, Reporters::Every, rule(5));
    regimes::set(db, program, &quarterly_5, "dieu.phoi")
        .await
        .unwrap();
    let read = regimes::for_program(db, program).await.unwrap();
    assert_eq!(read.default_regime(), &annual);
    assert_eq!(read.get("quarterly"), Some(&quarterly_5));
    assert_eq!(regimes::overrides(db, program).await.unwrap().len(), 3);

    // Removing the annual one brings the default back.
    regimes::remove(db, program, "annual", "dieu.phoi")
        .await
        .unwrap();
    let read = regimes::for_program(db, program).await.unwrap();
    assert_eq!(read.default_regime().rule, DeadlineRule::default());
    assert!(matches!(
        regimes::remove(db, program, "annual", "dieu.phoi").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        regimes::set(db, program + 1000, &annual, "dieu.phoi").await,
        Err(StoreError::NotFound(_))
    ));

    let log = audit::list(
        db,
        &audit::AuditFilter {
            entity: Some("program".into()),
            ..audit::AuditFilter::default()
        },
        100,
        0,
    )
    .await
    .unwrap();
    let acts: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        acts.iter().filter(|a| **a == "program.regime_set").count(),
        4,
        "{acts:?}"
    );
    assert_eq!(
        acts.iter()
            .filter(|a| **a == "program.regime_remove")
            .count(),
        1
    );
    let removal = log
        .iter()
        .find(|r| r.action == "program.regime_remove")
        .unwrap();
    assert_eq!(removal.actor, "dieu.phoi");
    assert!(
        removal
            .before_json
            .as_deref()
            .unwrap()
            .contains("\"annual\"")
    );
    assert_eq!(removal.after_json, None);
    assert!(audit::verify(db).await.unwrap().is_intact());
}

/// Moves the first submission of report `report_id` to `at` (RFC 3339, UTC): the test cannot
/// wait for December.
async fn first_submitted_at(db: &Db, report_id: i64, at: &str) {
    sqlx::query(
        "UPDATE report_versions SET saved_at = $1 WHERE report_id = $2 AND action = 'submit' \
         AND version = (SELECT MIN(version) FROM report_versions \
                        WHERE report_id = $2 AND action = 'submit')",
    )
    .bind(at)
    .bind(report_id)
    .execute(db.pool())
    .await
    .expect("move the first submission");
}

async fn completeness_through_the_store_agrees_with_the_hand_computed_figures(db: &Db) {
    let program = dongbo_testkit::load_47_assigned(db, &Directory::bundled()).await;
    let year = RegimePeriod::Decree09(Period::new(PeriodKind::Annual, 2025, 1).unwrap());
    // Six assignments due to report for 2025, of four agencies: two of A, two of B, one of C
    // and one of D.
    let facts = dashboard::facts(db, program).await.unwrap();
    let mut chosen: Vec<Fact> = Vec::new();
    let mut agencies: Vec<String> = Vec::new();
    for fact in facts.iter().filter(|f| due_to_report(f, year.window())) {
        let position = agencies.iter().position(|a| *a == fact.agency_code);
        let wanted = match position {
            Some(i) => {
                i < 2
                    && chosen
                        .iter()
                        .filter(|c| c.agency_code == fact.agency_code)
                        .count()
                        < 2
            }
            None => agencies.len() < 4,
        };
        if wanted {
            if position.is_none() {
                agencies.push(fact.agency_code.clone());
            }
            chosen.push(fact.clone());
        }
        if chosen.len() == 6 {
            break;
        }
    }
    chosen.sort_by_key(|f| agencies.iter().position(|a| *a == f.agency_code));
    assert_eq!(chosen.len(), 6);
    let mut ids = Vec::new();
    for fact in &chosen {
        let assignment = assignments::for_task(db, program, &fact.task_code)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.agency_code == fact.agency_code && a.role == fact.role)
            .unwrap();
        ids.push(assignment.id);
    }
    let content = ReportContent {
        library_items: Vec::new(),
        results: "Đã triển khai".into(),
        progress: 50,
        ..ReportContent::default()
    };
    let edit = |assignment_id| Edit {
        assignment_id,
        period: ReportPeriod::Period(Period::new(PeriodKind::Annual, 2025, 1).unwrap()),
        content: &content,
        author: "bao.cao",
        based_on: None,
        idempotency_key: None,
    };
    // A: sent on 10 December and accepted; sent on 18 December (late) and accepted later.
    let sent = reports::submit(db, &edit(ids[0])).await.unwrap();
    first_submitted_at(db, sent.report_id, "2025-12-10T03:00:00Z").await;
    reports::accept(db, sent.report_id, sent.version, "lanh.dao", None)
        .await
        .unwrap();
    let sent = reports::submit(db, &edit(ids[1])).await.unwrap();
    first_submitted_at(db, sent.report_id, "2025-12-18T03:00:00Z").await;
    reports::accept(db, sent.report_id, sent.version, "lanh.dao", None)
        .await
        .unwrap();
    // B: sent at 23:30 on the deadline day in Vietnam (16:30 UTC), returned and sent again
    // now (on time: the first submission counts); sent at 00:30 the day after and returned.
    let sent = reports::submit(db, &edit(ids[2])).await.unwrap();
    first_submitted_at(db, sent.report_id, "2025-12-15T16:30:00Z").await;
    let back = reports::return_report(
        db,
        sent.report_id,
        sent.version,
        "lanh.dao",
        "Bổ sung",
        None,
    )
    .await
    .unwrap();
    let mut again = edit(ids[2]);
    again.based_on = Some(back.version);
    reports::submit(db, &again).await.unwrap();
    let sent = reports::submit(db, &edit(ids[3])).await.unwrap();
    first_submitted_at(db, sent.report_id, "2025-12-15T17:30:00Z").await;
    reports::return_report(
        db,
        sent.report_id,
        sent.version,
        "lanh.dao",
        "Bổ sung",
        None,
    )
    .await
    .unwrap();
    // C: a draft never sent. D: nothing.
    reports::save_draft(db, &edit(ids[4])).await.unwrap();

    let records = regimes::report_records(db, program, Some(&year))
        .await
        .unwrap();
    assert_eq!(
        records.len(),
        4,
        "a draft never sent counts as no report: it is no record"
    );
    let every = regimes::report_records(db, program, None).await.unwrap();
    assert_eq!(every.len(), 4);
    let facts = dashboard::facts(db, program).await.unwrap();
    let chosen: Vec<Fact> = facts
        .into_iter()
        .filter(|f| {
            chosen.iter().any(|c| {
                (&c.agency_code, &c.task_code, c.role) == (&f.agency_code, &f.task_code, f.role)
            })
        })
        .collect();
    let regime = regimes::for_program(db, program).await.unwrap();
    let figures = completeness(regime.default_regime(), &year, &chosen, &records, &[]);
    assert_eq!(figures.deadline, date("2025-12-15"));
    let counts = |expected, submitted, on_time, late, missing, accepted| Counts {
        expected,
        submitted,
        on_time,
        late,
        missing,
        accepted,
    };
    let lines: Vec<(Counts, bool)> = agencies
        .iter()
        .map(|code| {
            let line = figures
                .agencies
                .iter()
                .find(|a| a.agency_code == *code)
                .unwrap();
            (line.counts, line.complete)
        })
        .collect();
    assert_eq!(
        lines,
        [
            (counts(2, 2, 1, 1, 0, 2), true),
            (counts(2, 2, 1, 1, 0, 0), false),
            (counts(1, 0, 0, 0, 1, 0), false),
            (counts(1, 0, 0, 0, 1, 0), false),
        ]
    );
    assert_eq!(figures.total, counts(6, 4, 2, 2, 2, 2));
    assert_eq!(figures.holding_back().count(), 3);
}
