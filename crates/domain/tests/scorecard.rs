//! The phase scorecard against figures worked out by hand: two agencies, six assignments (one
//! due after the phase, one recurring, one finished only after the phase ended), four expected
//! reports (one due after the evaluation day) and three indicators.

use chrono::NaiveDate;
use dongbo_domain::Role;
use dongbo_domain::completeness::Timeliness;
use dongbo_domain::dashboard::Fact;
use dongbo_domain::scorecard::{IndicatorResult, evaluate};

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn fact(agency: &str, task: &str, due: Option<&str>, done: Option<&str>) -> Fact {
    Fact {
        agency_code: agency.into(),
        role: Role::Lead,
        task_code: task.into(),
        group_code: "1".into(),
        due: due.map(day),
        recurring: due.is_none(),
        start: Some(day("2024-01-01")),
        progress: if done.is_some() { 100 } else { 40 },
        started: true,
        done_on: done.map(day),
    }
}

fn report(agency: &str, period: &str, deadline: &str, sent: Option<&str>) -> Timeliness {
    Timeliness {
        agency_code: agency.into(),
        task_code: "1.1".into(),
        role: Role::Lead,
        period: period.into(),
        deadline: day(deadline),
        first_submitted_on: sent.map(day),
        accepted: sent.is_some(),
    }
}

fn indicator(agency: &str, code: &str, met: Option<bool>) -> IndicatorResult {
    IndicatorResult {
        agency_code: agency.into(),
        indicator_code: code.into(),
        met,
        direction_unconfirmed: false,
    }
}

#[test]
fn the_scorecard_of_a_three_year_phase_matches_the_hand_count() {
    let facts = [
        fact("BNG", "1.1", Some("2025-06-30"), Some("2025-06-01")), // on time
        fact("BNG", "1.2", Some("2025-06-30"), Some("2025-08-01")), // late
        fact("HN", "1.3", Some("2026-03-31"), None),                // not done
        fact("HN", "1.4", Some("2027-06-30"), None),                // due after the phase
        fact("HN", "1.5", None, None),                              // recurring
        fact("BNG", "1.6", Some("2026-06-30"), Some("2027-01-05")), // done after the phase
    ];
    let reports = [
        report("BNG", "2024-Y", "2024-12-16", Some("2024-12-10")), // on time
        report("BNG", "2025-Y", "2025-12-15", Some("2025-12-20")), // late
        report("HN", "2025-Y", "2025-12-15", None),                // missing
        report("HN", "2027-Y", "2027-12-15", None),                // not due yet
    ];
    let indicators = [
        indicator("BNG", "1", Some(true)),
        indicator("BNG", "2", None),
        indicator("HN", "3", Some(false)),
    ];
    let card = evaluate(
        &facts,
        day("2024-01-01"),
        day("2026-12-31"),
        day("2027-02-01"),
        &reports,
        &indicators,
    );
    assert_eq!(
        card.as_of,
        day("2026-12-31"),
        "a finished phase is judged at its end"
    );
    let codes: Vec<&str> = card
        .agencies
        .iter()
        .map(|a| a.agency_code.as_str())
        .collect();
    assert_eq!(codes, ["BNG", "HN"]);

    let bng = &card.agencies[0].score;
    assert_eq!(
        (
            bng.work.due,
            bng.work.done_on_time,
            bng.work.done_late,
            bng.work.not_done
        ),
        (3, 1, 1, 1)
    );
    assert_eq!(
        (
            bng.reports.expected,
            bng.reports.on_time,
            bng.reports.late,
            bng.reports.missing
        ),
        (2, 1, 1, 0)
    );
    assert_eq!(
        (
            bng.indicators.tracked,
            bng.indicators.met,
            bng.indicators.pending
        ),
        (2, 1, 1)
    );
    assert_eq!(bng.indicators.met_percent(), Some(100.0));

    let hn = &card.agencies[1].score;
    assert_eq!((hn.work.due, hn.work.not_done), (1, 1));
    assert_eq!((hn.reports.expected, hn.reports.missing), (1, 1));
    assert_eq!(hn.indicators.met_percent(), Some(0.0));

    let all = &card.program;
    assert_eq!(all.work.due, 4);
    assert_eq!(all.work.done_on_time_percent(), Some(25.0));
    assert_eq!(all.work.done_late_percent(), Some(25.0));
    assert_eq!(all.work.not_done_percent(), Some(50.0));
    assert_eq!(all.reports.expected, 3);
    assert_eq!(all.reports.on_time_percent(), Some(33.3));
    assert_eq!(all.reports.missing_percent(), Some(33.3));
    assert_eq!(all.indicators.met_percent(), Some(50.0));

    // Twelve quarter ends (14 March, June, September, December of 2024–2026) and the end.
    assert_eq!(card.series.len(), 13);
    assert_eq!(card.series[0].date, day("2024-03-14"));
    let at = |date: &str| card.series.iter().find(|p| p.date == day(date)).unwrap();
    assert_eq!(at("2025-06-14").done_percent, Some(25.0));
    assert_eq!(at("2025-06-14").reports_on_time_percent, Some(100.0));
    assert_eq!(at("2025-12-14").done_percent, Some(50.0));
    assert_eq!(
        at("2024-09-14").reports_on_time_percent,
        None,
        "nothing due yet"
    );
    let last = card.series.last().unwrap();
    assert_eq!(last.date, day("2026-12-31"));
    assert_eq!(last.done_percent, Some(50.0));
    assert_eq!(last.reports_on_time_percent, Some(33.3));
}

#[test]
fn a_running_phase_is_judged_today_and_later_deadlines_do_not_count() {
    let facts = [fact("BNG", "1.1", Some("2026-06-30"), None)];
    let reports = [report("BNG", "2026-Y", "2026-12-15", None)];
    let card = evaluate(
        &facts,
        day("2024-01-01"),
        day("2028-12-31"),
        day("2026-11-23"),
        &reports,
        &[],
    );
    assert_eq!(card.as_of, day("2026-11-23"));
    assert_eq!(card.program.work.not_done, 1);
    assert_eq!(
        card.program.reports.expected, 0,
        "the 2026 report is not due yet"
    );
    assert_eq!(card.program.indicators.met_percent(), None);
}
