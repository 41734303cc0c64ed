//! Completeness and timeliness (tình hình gửi báo cáo) against figures computed by hand: a small
//! program of five agencies and eight assignments reporting for the year 2025 — reports sent
//! before and after the deadline, one returned, one accepted late, one missing, a one-off
//! report, work that began after the cut-off and work finished the year before.

use chrono::NaiveDate;
use dongbo_domain::completeness::{Counts, ReportRecord, completeness, series, timeliness};
use dongbo_domain::dashboard::Fact;
use dongbo_domain::{
    DeadlineRule, Period, PeriodKind, RegimePeriod, Reporters, ReportingRegime, Role,
};

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a real date in the test")
}

fn fact(agency: &str, role: Role, task: &str) -> Fact {
    Fact {
        agency_code: agency.into(),
        role,
        task_code: task.into(),
        group_code: task.split('.').next().unwrap_or_default().into(),
        due: Some(date("2026-12-31")),
        recurring: false,
        start: Some(date("2024-01-01")),
        progress: 0,
        started: false,
        done_on: None,
    }
}

fn report(
    agency: &str,
    role: Role,
    task: &str,
    period: Option<&str>,
    first_submitted_on: Option<&str>,
    accepted: bool,
) -> ReportRecord {
    ReportRecord {
        agency_code: agency.into(),
        task_code: task.into(),
        role,
        period: period.map(|p| p.parse().expect("a period code")),
        first_submitted_on: first_submitted_on.map(date),
        accepted,
    }
}

fn year_2025() -> RegimePeriod {
    RegimePeriod::Decree09(Period::new(PeriodKind::Annual, 2025, 1).expect("a period"))
}

fn annual(reporters: Reporters) -> ReportingRegime {
    ReportingRegime::periodic(PeriodKind::Annual, reporters, DeadlineRule::default())
}

/// The program. The 2025 report's window is 15 Dec 2024 – Sunday 14 Dec 2025, due Monday
/// 15 December 2025.
fn program() -> (Vec<Fact>, Vec<ReportRecord>) {
    let mut late_starter = fact("D", Role::Coordinating, "2.2");
    late_starter.start = Some(date("2026-01-01"));
    let mut finished_2024 = fact("D", Role::Lead, "3.1");
    finished_2024.progress = 100;
    finished_2024.done_on = Some(date("2024-11-01"));
    let mut yearly = fact("E", Role::Lead, "3.2");
    yearly.recurring = true;
    yearly.due = None;
    yearly.progress = 100;
    yearly.done_on = Some(date("2024-06-01"));
    let facts = vec![
        fact("A", Role::Lead, "1.1"),
        fact("A", Role::Coordinating, "1.1"),
        fact("B", Role::Lead, "1.2"),
        fact("B", Role::Lead, "2.1"),
        fact("C", Role::Lead, "2.2"),
        late_starter,
        finished_2024,
        yearly,
    ];
    let reports = vec![
        // A: on time and accepted; the coordinator's sent three days late, accepted later.
        report(
            "A",
            Role::Lead,
            "1.1",
            Some("2025-Y"),
            Some("2025-12-10"),
            true,
        ),
        report(
            "A",
            Role::Coordinating,
            "1.1",
            Some("2025-Y"),
            Some("2025-12-18"),
            true,
        ),
        // B: sent on the deadline day and returned; a one-off report sent in June, accepted.
        report(
            "B",
            Role::Lead,
            "1.2",
            Some("2025-Y"),
            Some("2025-12-15"),
            false,
        ),
        report("B", Role::Lead, "2.1", None, Some("2025-06-01"), true),
        // C: only last year's report.
        report(
            "C",
            Role::Lead,
            "2.2",
            Some("2024-Y"),
            Some("2024-12-01"),
            true,
        ),
        // E: a draft never sent.
        report("E", Role::Lead, "3.2", Some("2025-Y"), None, false),
    ];
    (facts, reports)
}

fn counts(
    expected: u32,
    submitted: u32,
    on_time: u32,
    late: u32,
    missing: u32,
    accepted: u32,
) -> Counts {
    Counts {
        expected,
        submitted,
        on_time,
        late,
        missing,
        accepted,
    }
}

#[test]
fn completeness_of_every_assignee_agrees_with_the_hand_computed_figures() {
    let (facts, reports) = program();
    let figures = completeness(
        &annual(Reporters::Every),
        &year_2025(),
        &facts,
        &reports,
        &[],
    );
    assert_eq!(figures.regime, "annual");
    assert_eq!(figures.period, "2025-Y");
    assert_eq!(figures.window, (date("2024-12-15"), date("2025-12-14")));
    assert_eq!(figures.deadline, date("2025-12-15"));
    let lines: Vec<(&str, Counts, bool)> = figures
        .agencies
        .iter()
        .map(|a| (a.agency_code.as_str(), a.counts, a.complete))
        .collect();
    // By hand: D owes nothing (one task began after the cut-off, the other was finished
    // before the window opened); E's recurring work owes every year.
    assert_eq!(
        lines,
        [
            ("A", counts(2, 2, 1, 1, 0, 2), true),
            ("B", counts(2, 2, 2, 0, 0, 1), false),
            ("C", counts(1, 0, 0, 0, 1, 0), false),
            ("E", counts(1, 0, 0, 0, 1, 0), false),
        ]
    );
    assert_eq!(figures.total, counts(6, 4, 3, 1, 2, 3));
    assert_eq!(figures.total.on_time_percent(), Some(50));
    assert!(!figures.complete());
    let holding_back: Vec<&str> = figures
        .holding_back()
        .map(|a| a.agency_code.as_str())
        .collect();
    assert_eq!(holding_back, ["B", "C", "E"]);
}

#[test]
fn agency_reports_are_counted_one_per_agency_by_their_last_task_sent() {
    let (facts, reports) = program();
    let figures = completeness(
        &annual(Reporters::Every),
        &year_2025(),
        &facts,
        &reports,
        &[],
    );
    // By hand: A's report was whole on 18 Dec (its coordinating part was sent last): late,
    // though its lead part was on time; B's on the deadline day (its one-off part in June);
    // C and E sent nothing for 2025.
    let sent: Vec<(&str, Option<NaiveDate>, bool)> = figures
        .agencies
        .iter()
        .map(|a| {
            (
                a.agency_code.as_str(),
                a.sent_on,
                a.on_time(figures.deadline),
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            ("A", Some(date("2025-12-18")), false),
            ("B", Some(date("2025-12-15")), true),
            ("C", None, false),
            ("E", None, false),
        ]
    );
    assert_eq!(figures.agency_reports, counts(4, 2, 1, 1, 2, 1));
    // Through the lead, A's coordinating part is not owed upward: its report is on time.
    let through_lead = completeness(
        &annual(Reporters::ThroughLead),
        &year_2025(),
        &facts,
        &reports,
        &[],
    );
    assert_eq!(through_lead.agencies[0].sent_on, Some(date("2025-12-10")));
    assert_eq!(through_lead.agency_reports, counts(4, 2, 2, 0, 2, 1));
    assert!(Reporters::ThroughLead.on_agency_report(Role::Coordinating));
    assert!(!Reporters::Leads.on_agency_report(Role::Coordinating));
    assert!(!Reporters::ThroughLead.include(Role::Coordinating));
}

#[test]
fn completeness_of_the_leads_only_leaves_coordinators_out() {
    let (facts, reports) = program();
    let figures = completeness(
        &annual(Reporters::Leads),
        &year_2025(),
        &facts,
        &reports,
        &[],
    );
    let a = &figures.agencies[0];
    assert_eq!(
        (a.agency_code.as_str(), a.counts),
        ("A", counts(1, 1, 1, 0, 0, 1))
    );
    assert_eq!(figures.total, counts(5, 3, 3, 0, 2, 2));
}

#[test]
fn more_working_days_turn_the_late_report_on_time() {
    let (facts, reports) = program();
    // Five working days: due Friday 19 December 2025, after the coordinator's 18 December.
    let regime = ReportingRegime::periodic(
        PeriodKind::Annual,
        Reporters::Every,
        DeadlineRule::new(5).expect("a valid rule"),
    );
    let figures = completeness(&regime, &year_2025(), &facts, &reports, &[]);
    assert_eq!(figures.deadline, date("2025-12-19"));
    assert_eq!(figures.total, counts(6, 4, 4, 0, 2, 3));
}

#[test]
fn the_timeliness_records_name_each_assignment_its_deadline_and_first_submission() {
    let (facts, reports) = program();
    let records = timeliness(
        &annual(Reporters::Every),
        &year_2025(),
        &facts,
        &reports,
        &[],
    );
    let late = records
        .iter()
        .find(|r| r.agency_code == "A" && r.role == Role::Coordinating)
        .expect("A's coordinating assignment");
    assert_eq!(late.task_code, "1.1");
    assert_eq!(late.period, "2025-Y");
    assert_eq!(late.deadline, date("2025-12-15"));
    assert_eq!(late.first_submitted_on, Some(date("2025-12-18")));
    assert!(late.late() && late.accepted && !late.on_time());
    assert_eq!(records.len(), 6);
}

#[test]
fn the_series_counts_each_period_in_turn() {
    let (facts, reports) = program();
    let periods = [
        RegimePeriod::Decree09(Period::new(PeriodKind::Annual, 2024, 1).expect("a period")),
        year_2025(),
    ];
    let points = series(&annual(Reporters::Every), &periods, &facts, &reports, &[]);
    let codes: Vec<&str> = points.iter().map(|p| p.period.as_str()).collect();
    assert_eq!(codes, ["2024-Y", "2025-Y"]);
    // 2024 (15 Dec 2023 – 14 Dec 2024): every fact but the late starter was under way; D's 3.1
    // was finished within it. Only C sent a report, on time and accepted.
    assert_eq!(points[0].total, counts(7, 1, 1, 0, 6, 1));
    assert_eq!(points[1].total, counts(6, 4, 3, 1, 2, 3));
}
