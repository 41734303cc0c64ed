//! Reporting regimes (chế độ báo cáo): the window and deadline of every kind of period under a
//! regime, across year boundaries, weekends and holidays, with a program's own working days;
//! phases; the Decree 09 defaults and a program's overrides; and bad regimes refused.

use chrono::NaiveDate;
use dongbo_domain::regime::{RegimeKind, parse_phase_code};
use dongbo_domain::{
    DeadlineRule, Period, PeriodError, PeriodKind, Phase, RegimeError, RegimePeriod, Regimes,
    Reporters, ReportingRegime,
};

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a real date in the test")
}

fn decree_09(code: &str) -> RegimePeriod {
    RegimePeriod::Decree09(code.parse::<Period>().expect("a valid period code"))
}

fn rule(days: u32) -> DeadlineRule {
    DeadlineRule::new(days).expect("a valid rule")
}

fn phase_2024_2026() -> Phase {
    Phase::new(
        "Giai đoạn 2024–2026",
        date("2024-01-01"),
        date("2026-12-31"),
    )
    .expect("a valid phase")
}

#[test]
fn every_period_kind_has_its_decree_09_window_and_a_deadline_one_working_day_after() {
    // (period, window start, cut-off, deadline under the default rule)
    let cases = [
        // Sunday 14 December 2025: due Monday the 15th.
        ("2025-M12", "2025-11-15", "2025-12-14", "2025-12-15"),
        // Saturday 14 March 2026: due Monday the 16th.
        ("2026-Q1", "2025-12-15", "2026-03-14", "2026-03-16"),
        // Saturday 14 June 2025.
        ("2025-H1", "2024-12-15", "2025-06-14", "2025-06-16"),
        // Monday 14 December 2026: due Tuesday the 15th.
        ("2026-H2", "2026-06-15", "2026-12-14", "2026-12-15"),
        // Sunday 14 September 2025.
        ("2025-N9", "2024-12-15", "2025-09-14", "2025-09-15"),
        // Sunday 14 December 2025.
        ("2025-Y", "2024-12-15", "2025-12-14", "2025-12-15"),
        // Wednesday 14 January 2026: the next day.
        ("2026-M01", "2025-12-15", "2026-01-14", "2026-01-15"),
    ];
    for (code, start, end, deadline) in cases {
        let period = decree_09(code);
        assert_eq!(period.window(), (date(start), date(end)), "{code}");
        assert_eq!(
            period.deadline(&DeadlineRule::default(), &[]),
            date(deadline),
            "{code}"
        );
    }
}

#[test]
fn the_year_and_its_first_quarter_and_january_start_on_the_fifteenth_of_december() {
    for code in ["2026-Y", "2026-Q1", "2026-H1", "2026-N9", "2026-M01"] {
        assert_eq!(decree_09(code).window().0, date("2025-12-15"), "{code}");
    }
    // A December monthly ends where the year does; the next day opens the next year.
    assert_eq!(decree_09("2025-M12").end(), decree_09("2025-Y").end());
    let regime = ReportingRegime::periodic(PeriodKind::Annual, Reporters::Every, rule(1));
    assert_eq!(
        regime.current_period(date("2025-12-15")),
        Some(decree_09("2026-Y"))
    );
    assert_eq!(
        regime.current_period(date("2025-12-14")),
        Some(decree_09("2025-Y"))
    );
}

#[test]
fn a_deadline_on_a_weekend_or_holiday_moves_to_the_next_working_day() {
    // Friday 14 March 2025 with one working day: Monday 17 March, not Saturday 15.
    assert_eq!(
        decree_09("2025-Q1").deadline(&DeadlineRule::default(), &[]),
        date("2025-03-17")
    );
    // A holiday on that Monday makes it Tuesday.
    assert_eq!(
        decree_09("2025-Q1").deadline(&DeadlineRule::default(), &[date("2025-03-17")]),
        date("2025-03-18")
    );
}

#[test]
fn a_program_may_give_more_working_days() {
    // Five working days after Sunday 14 December 2025: Friday 19 December.
    assert_eq!(
        decree_09("2025-Y").deadline(&rule(5), &[]),
        date("2025-12-19")
    );
    // Ten working days after Saturday 14 March 2026: Friday 27 March.
    assert_eq!(
        decree_09("2026-Q1").deadline(&rule(10), &[]),
        date("2026-03-27")
    );
}

#[test]
fn a_phase_reports_on_its_range_and_is_due_working_days_after_its_end() {
    let phase = RegimePeriod::Phase(phase_2024_2026());
    assert_eq!(phase.window(), (date("2024-01-01"), date("2026-12-31")));
    assert_eq!(phase.code(), "2024-01-01..2026-12-31");
    assert_eq!(phase.label_vi(), "Giai đoạn 2024–2026");
    // Thursday 31 December 2026: Friday 1 January 2027, or Monday 4 January when New Year's
    // Day is a holiday.
    assert_eq!(
        phase.deadline(&DeadlineRule::default(), &[]),
        date("2027-01-01")
    );
    assert_eq!(
        phase.deadline(&DeadlineRule::default(), &[date("2027-01-01")]),
        date("2027-01-04")
    );
    assert_eq!(phase.deadline(&rule(3), &[]), date("2027-01-05"));
    assert_eq!(
        parse_phase_code("2024-01-01..2026-12-31"),
        Ok((date("2024-01-01"), date("2026-12-31")))
    );
    let regime = ReportingRegime::phase(phase_2024_2026(), Reporters::Leads, rule(1));
    assert_eq!(regime.key(), "2024-01-01..2026-12-31");
    assert_eq!(
        regime.current_period(date("2030-01-01")),
        Some(phase.clone())
    );
    assert_eq!(regime.period("2024-01-01..2026-12-31"), Some(phase));
    assert_eq!(regime.period("2025-Y"), None);
}

#[test]
fn the_decree_09_default_is_an_annual_report_from_every_assignee_one_working_day_after_cutoff() {
    let regimes = Regimes::decree_09();
    let only: Vec<&ReportingRegime> = regimes.iter().collect();
    assert_eq!(only.len(), 1);
    let annual = regimes.default_regime();
    assert_eq!(annual.key(), "annual");
    assert_eq!(annual.reporters, Reporters::Every);
    assert_eq!(annual.rule.working_days_after_cutoff(), 1);
    assert!(!regimes.is_overridden("annual"));
    assert_eq!(Regimes::default(), regimes);
}

#[test]
fn overrides_replace_the_annual_default_and_add_other_regimes() {
    let regimes = Regimes::with_overrides(vec![
        ReportingRegime::phase(phase_2024_2026(), Reporters::Leads, rule(10)),
        ReportingRegime::periodic(PeriodKind::Quarterly, Reporters::Leads, rule(3)),
        ReportingRegime::periodic(PeriodKind::Annual, Reporters::Every, rule(5)),
    ])
    .expect("valid overrides");
    let keys: Vec<String> = regimes.iter().map(ReportingRegime::key).collect();
    assert_eq!(keys, ["annual", "quarterly", "2024-01-01..2026-12-31"]);
    assert_eq!(regimes.default_regime().rule.working_days_after_cutoff(), 5);
    assert!(regimes.is_overridden("annual") && regimes.is_overridden("quarterly"));
    let quarterly = regimes.get("quarterly").expect("the quarterly regime");
    assert_eq!(
        quarterly.kind,
        RegimeKind::Periodic {
            period: PeriodKind::Quarterly
        }
    );
    // Without an annual override the default one stays.
    let added = Regimes::with_overrides(vec![ReportingRegime::periodic(
        PeriodKind::Monthly,
        Reporters::Every,
        rule(2),
    )])
    .expect("valid overrides");
    assert_eq!(
        added.iter().map(ReportingRegime::key).collect::<Vec<_>>(),
        ["annual", "monthly"]
    );
    assert!(!added.is_overridden("annual"));
}

#[test]
fn recent_periods_run_oldest_first_to_the_current_one() {
    let regime = ReportingRegime::periodic(PeriodKind::Quarterly, Reporters::Every, rule(1));
    let codes: Vec<String> = regime
        .recent_periods(date("2026-01-05"), 3)
        .iter()
        .map(RegimePeriod::code)
        .collect();
    assert_eq!(codes, ["2025-Q3", "2025-Q4", "2026-Q1"]);
    assert_eq!(regime.period("2025-Q4"), Some(decree_09("2025-Q4")));
    assert_eq!(regime.period("2025-Y"), None, "another kind's period");
    // Outside the nine-month window the last nine-month period is the current one.
    let nine = ReportingRegime::periodic(PeriodKind::NineMonthly, Reporters::Every, rule(1));
    assert_eq!(
        nine.current_period(date("2025-11-01")),
        Some(decree_09("2025-N9"))
    );
}

#[test]
fn bad_regimes_are_refused_with_a_clear_error() {
    assert_eq!(
        Phase::new("Giai đoạn", date("2026-12-31"), date("2024-01-01")),
        Err(RegimeError::PhaseEndsBeforeStart {
            start: date("2026-12-31"),
            end: date("2024-01-01")
        })
    );
    assert_eq!(
        Phase::new("   ", date("2024-01-01"), date("2026-12-31")),
        Err(RegimeError::EmptyPhaseLabel)
    );
    assert_eq!(
        Phase::new(&"x".repeat(201), date("2024-01-01"), date("2026-12-31")),
        Err(RegimeError::PhaseLabelTooLong)
    );
    assert_eq!(
        Phase::new("Xa", date("1800-01-01"), date("2026-12-31")),
        Err(RegimeError::YearOutOfRange(1800))
    );
    assert_eq!(
        DeadlineRule::new(0),
        Err(PeriodError::WorkingDaysOutOfRange(0))
    );
    assert_eq!(
        Regimes::with_overrides(vec![
            ReportingRegime::periodic(PeriodKind::Monthly, Reporters::Every, rule(1)),
            ReportingRegime::periodic(PeriodKind::Monthly, Reporters::Leads, rule(2)),
        ]),
        Err(RegimeError::Repeated("monthly".into()))
    );
    assert_eq!(
        Reporters::parse("some"),
        Err(RegimeError::UnknownReporters("some".into()))
    );
    assert!(matches!(
        parse_phase_code("2024..2026"),
        Err(RegimeError::UnknownPhaseCode(_))
    ));
    let message = Phase::new("Giai đoạn", date("2026-12-31"), date("2024-01-01"))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("ends (2024-01-01) before it starts (2026-12-31)"),
        "{message}"
    );
}
