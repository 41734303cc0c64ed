//! Reminders of periodic reports ("báo cáo kỳ … hạn …") on Resolution 47/NQ-CP, on SQLite and
//! on PostgreSQL: an agency whose reports for the regime's period are missing is reminded at
//! the nearest lead time before the regime's deadline and once when a deadline has passed;
//! nothing twice; an agency that sent every report is not reminded; a program's own deadline
//! moves the reminder. The runner's clock is pinned: nothing waits for the clock.

use chrono::{DateTime, TimeZone, Utc};
use dongbo_domain::completeness::timeliness;
use dongbo_domain::{Clock, DeadlineRule, Directory, Period, PeriodKind, RegimePeriod, Regimes};
use dongbo_domain::{Reporters, ReportingRegime};
use dongbo_remind::{RemindConfig, Runner};
use dongbo_store::reports::{self, Edit, ReportContent, ReportPeriod};
use dongbo_store::{Db, assignments, dashboard, notifications, regimes};

dongbo_testkit::backend_tests!(
    agencies_missing_the_years_report_are_reminded_before_the_regimes_deadline_once_per_lead_time,
    a_program_deadline_moves_the_reminder_and_an_agency_that_sent_everything_is_not_reminded,
);

/// 10 December 2025, 15:00 in Vietnam: the 2025 report is due on Monday 15 December.
fn december_10() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 10, 8, 0, 0).unwrap()
}

/// The runner as it runs at `now`: the same runner on a clock pinned there.
fn at(runner: &Runner, now: DateTime<Utc>) -> Runner {
    runner.clone().with_clock(Clock::pinned(now))
}

fn config(lead_days: &[u32]) -> RemindConfig {
    RemindConfig {
        lead_days: lead_days.to_vec(),
        ..RemindConfig::default()
    }
}

/// The dedupe keys of the agency's in-app notices of periodic reports.
async fn report_notices(db: &Db, agency: &str) -> Vec<(String, String, String)> {
    let mut found: Vec<(String, String, String)> = notifications::for_agency(db, agency, false)
        .await
        .unwrap()
        .into_iter()
        // The periodic reports' reminders, not the notices of reports sent (issue 19).
        .filter(|n| matches!(n.kind.as_str(), "report_due_soon" | "report_overdue"))
        .map(|n| (n.dedupe_key, n.title, n.body))
        .collect();
    found.sort();
    found
}

async fn agencies_missing_the_years_report_are_reminded_before_the_regimes_deadline_once_per_lead_time(
    db: &Db,
) {
    let program = dongbo_testkit::load_47_assigned(db, &Directory::bundled()).await;
    let runner = Runner::new(db.clone(), config(&[30, 7]));
    let report = at(&runner, december_10()).drain().await.unwrap();
    assert!(report.reminders > 0, "{report:?}");
    let notices = report_notices(db, "BVHTTDL").await;
    let keys: Vec<&str> = notices.iter().map(|(k, _, _)| k.as_str()).collect();
    // Five days before the 2025 deadline: the 7-day lead time; the 2024 report's deadline
    // (Monday 16 December 2024) has passed.
    assert_eq!(
        keys,
        [
            format!("report_due_soon:{program}:BVHTTDL:annual:2025-Y:7:2025-12-15"),
            format!("report_overdue:{program}:BVHTTDL:annual:2024-Y:2024-12-16"),
        ]
    );
    let (_, title, body) = &notices[0];
    assert_eq!(title, "Báo cáo định kỳ sắp đến hạn");
    assert!(
        body.starts_with("Báo cáo kỳ Năm 2025 hạn 15/12/2025: còn thiếu báo cáo của "),
        "{body}"
    );
    assert!(
        body.contains("1.2") && body.ends_with("(còn 5 ngày)"),
        "{body}"
    );
    assert_eq!(notices[1].1, "Báo cáo định kỳ đã quá hạn");

    // Running again reminds nothing new; a nearer lead time reminds once more.
    let again = at(&runner, december_10()).drain().await.unwrap();
    assert_eq!(again.reminders, 0, "{again:?}");
    let december_14 = Utc.with_ymd_and_hms(2025, 12, 14, 8, 0, 0).unwrap();
    assert_eq!(at(&runner, december_14).drain().await.unwrap().reminders, 0);
    Runner::new(db.clone(), config(&[30, 7, 1]))
        .with_clock(Clock::pinned(december_14))
        .drain()
        .await
        .unwrap();
    let keys: Vec<String> = report_notices(db, "BVHTTDL")
        .await
        .into_iter()
        .map(|(k, _, _)| k)
        .collect();
    assert!(keys.contains(&format!(
        "report_due_soon:{program}:BVHTTDL:annual:2025-Y:1:2025-12-15"
    )));
    assert_eq!(keys.len(), 3);

    // Off, nothing of the kind is planned.
    let off = RemindConfig {
        report_deadlines: false,
        ..config(&[30, 7, 1, 0])
    };
    let december_15 = Utc.with_ymd_and_hms(2025, 12, 15, 1, 0, 0).unwrap();
    Runner::new(db.clone(), off)
        .with_clock(Clock::pinned(december_15))
        .drain()
        .await
        .unwrap();
    assert_eq!(report_notices(db, "BVHTTDL").await.len(), 3);
}

async fn a_program_deadline_moves_the_reminder_and_an_agency_that_sent_everything_is_not_reminded(
    db: &Db,
) {
    let program = dongbo_testkit::load_47_assigned(db, &Directory::bundled()).await;
    // Ten working days after Sunday 14 December 2025: Friday 26 December, 16 days after the
    // 10th — the 30-day lead time.
    let annual = ReportingRegime::periodic(
        PeriodKind::Annual,
        Reporters::Every,
        DeadlineRule::new(10).unwrap(),
    );
    regimes::set(db, program, &annual, "dieu.phoi")
        .await
        .unwrap();

    // Culture, Sports and Tourism sends every report due for 2025.
    let year = RegimePeriod::Decree09(Period::new(PeriodKind::Annual, 2025, 1).unwrap());
    let facts = dashboard::facts(db, program).await.unwrap();
    let owed = timeliness(&annual, &year, &facts, &[], &[]);
    let content = ReportContent {
        library_items: Vec::new(),
        results: "Đã triển khai".to_owned(),
        progress: 30,
        ..ReportContent::default()
    };
    let mut sent = 0;
    for record in owed.iter().filter(|r| r.agency_code == "BVHTTDL") {
        let assignment = assignments::for_task(db, program, &record.task_code)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.agency_code == "BVHTTDL" && a.role == record.role)
            .unwrap();
        reports::submit(
            db,
            &Edit {
                assignment_id: assignment.id,
                period: ReportPeriod::Period(Period::new(PeriodKind::Annual, 2025, 1).unwrap()),
                content: &content,
                author: "bao.cao",
                based_on: None,
                idempotency_key: None,
            },
        )
        .await
        .unwrap();
        sent += 1;
    }
    assert!(sent >= 2);

    Runner::new(db.clone(), config(&[30, 7]))
        .with_clock(Clock::pinned(december_10()))
        .drain()
        .await
        .unwrap();
    let culture: Vec<String> = report_notices(db, "BVHTTDL")
        .await
        .into_iter()
        .map(|(k, _, _)| k)
        .collect();
    assert_eq!(
        culture,
        [format!(
            "report_overdue:{program}:BVHTTDL:annual:2024-Y:2024-12-27"
        )],
        "only last year's report, due ten working days after Saturday 14 December 2024: Friday 27 December"
    );
    let foreign: Vec<String> = report_notices(db, "BNG")
        .await
        .into_iter()
        .map(|(k, _, _)| k)
        .collect();
    assert!(
        foreign.contains(&format!(
            "report_due_soon:{program}:BNG:annual:2025-Y:30:2025-12-26"
        )),
        "{foreign:?}"
    );
    // The regimes are what the program set.
    assert_ne!(
        regimes::for_program(db, program).await.unwrap(),
        Regimes::decree_09()
    );
}
