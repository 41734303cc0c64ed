//! Reporting periods of Decree 09/2019: the data window of every kind of period, which period
//! a day belongs to (the 14th/15th boundary and the second half of December above all),
//! submission deadlines over weekends and holidays, codes, labels, and the periods a task owes
//! reports in.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use dongbo_domain::period::{
    MAX_WORKING_DAYS_AFTER_CUTOFF, YEARS, is_working_day, obligations, periods_overlapping,
};
use dongbo_domain::{DeadlineRule, Period, PeriodError, PeriodKind, TimeFrame};
use proptest::prelude::*;

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a real date in the test")
}

fn period(kind: PeriodKind, year: i32, index: u32) -> Period {
    Period::new(kind, year, index).expect("a valid period in the test")
}

fn month(year: i32, index: u32) -> Period {
    period(PeriodKind::Monthly, year, index)
}

fn code(text: &str) -> Period {
    text.parse().expect("a valid period code in the test")
}

// Windows.

#[test]
fn every_month_runs_from_the_fifteenth_of_the_previous_month_to_the_fourteenth() {
    for index in 2..=12 {
        assert_eq!(
            month(2025, index).window(),
            (date(2025, index - 1, 15), date(2025, index, 14)),
            "month {index}"
        );
    }
}

#[test]
fn january_starts_on_the_fifteenth_of_december_of_the_previous_year() {
    assert_eq!(
        month(2026, 1).window(),
        (date(2025, 12, 15), date(2026, 1, 14))
    );
}

#[test]
fn february_window_follows_the_length_of_january_not_february() {
    // The window is 15 January to 14 February in leap and common years alike.
    assert_eq!(
        month(2024, 2).window(),
        (date(2024, 1, 15), date(2024, 2, 14))
    );
    assert_eq!(
        month(2024, 3).window(),
        (date(2024, 2, 15), date(2024, 3, 14))
    );
}

#[test]
fn each_quarter_runs_from_the_fifteenth_before_it_to_the_fourteenth_of_its_last_month() {
    let expected = [
        (date(2024, 12, 15), date(2025, 3, 14)),
        (date(2025, 3, 15), date(2025, 6, 14)),
        (date(2025, 6, 15), date(2025, 9, 14)),
        (date(2025, 9, 15), date(2025, 12, 14)),
    ];
    for (index, window) in (1..=4).zip(expected) {
        assert_eq!(
            period(PeriodKind::Quarterly, 2025, index).window(),
            window,
            "quarter {index}"
        );
    }
}

#[test]
fn the_halves_split_the_year_on_the_fifteenth_of_june() {
    assert_eq!(
        period(PeriodKind::SixMonthly, 2025, 1).window(),
        (date(2024, 12, 15), date(2025, 6, 14))
    );
    assert_eq!(
        period(PeriodKind::SixMonthly, 2025, 2).window(),
        (date(2025, 6, 15), date(2025, 12, 14))
    );
}

#[test]
fn nine_months_run_from_the_fifteenth_of_december_to_the_fourteenth_of_september() {
    assert_eq!(
        period(PeriodKind::NineMonthly, 2025, 1).window(),
        (date(2024, 12, 15), date(2025, 9, 14))
    );
}

#[test]
fn the_year_runs_from_the_fifteenth_of_december_to_the_fourteenth_of_december() {
    assert_eq!(
        period(PeriodKind::Annual, 2025, 1).window(),
        (date(2024, 12, 15), date(2025, 12, 14))
    );
    assert_eq!(
        period(PeriodKind::Annual, 2025, 1).start(),
        date(2024, 12, 15)
    );
    assert_eq!(
        period(PeriodKind::Annual, 2025, 1).end(),
        date(2025, 12, 14)
    );
}

#[test]
fn periods_that_do_not_exist_are_refused() {
    assert_eq!(
        Period::new(PeriodKind::Monthly, 2025, 13),
        Err(PeriodError::IndexOutOfRange {
            kind: PeriodKind::Monthly,
            index: 13
        })
    );
    assert!(Period::new(PeriodKind::Monthly, 2025, 0).is_err());
    assert!(Period::new(PeriodKind::Quarterly, 2025, 5).is_err());
    assert!(Period::new(PeriodKind::SixMonthly, 2025, 3).is_err());
    assert!(Period::new(PeriodKind::NineMonthly, 2025, 2).is_err());
    assert!(Period::new(PeriodKind::Annual, 2025, 2).is_err());
    assert_eq!(
        Period::new(PeriodKind::Annual, 20224, 1),
        Err(PeriodError::YearOutOfRange(20224))
    );
}

// Which period holds a day.

#[test]
fn the_fourteenth_closes_a_month_and_the_fifteenth_opens_the_next() {
    assert_eq!(
        Period::containing(PeriodKind::Monthly, date(2025, 4, 14)),
        Some(month(2025, 4))
    );
    assert_eq!(
        Period::containing(PeriodKind::Monthly, date(2025, 4, 15)),
        Some(month(2025, 5))
    );
    assert_eq!(
        Period::containing(PeriodKind::Monthly, date(2025, 4, 1)),
        Some(month(2025, 4))
    );
    assert_eq!(
        Period::containing(PeriodKind::Monthly, date(2025, 4, 30)),
        Some(month(2025, 5))
    );
}

#[test]
fn the_second_half_of_december_belongs_to_the_next_year() {
    for day in 15..=31 {
        let day = date(2025, 12, day);
        assert_eq!(
            Period::containing(PeriodKind::Monthly, day),
            Some(month(2026, 1)),
            "{day}"
        );
        assert_eq!(
            Period::containing(PeriodKind::Quarterly, day),
            Some(period(PeriodKind::Quarterly, 2026, 1))
        );
        assert_eq!(
            Period::containing(PeriodKind::SixMonthly, day),
            Some(period(PeriodKind::SixMonthly, 2026, 1))
        );
        assert_eq!(
            Period::containing(PeriodKind::NineMonthly, day),
            Some(period(PeriodKind::NineMonthly, 2026, 1))
        );
        assert_eq!(
            Period::containing(PeriodKind::Annual, day),
            Some(period(PeriodKind::Annual, 2026, 1))
        );
    }
}

#[test]
fn the_fourteenth_of_december_still_belongs_to_its_own_year() {
    let day = date(2025, 12, 14);
    assert_eq!(
        Period::containing(PeriodKind::Monthly, day),
        Some(month(2025, 12))
    );
    assert_eq!(
        Period::containing(PeriodKind::Quarterly, day),
        Some(period(PeriodKind::Quarterly, 2025, 4))
    );
    assert_eq!(
        Period::containing(PeriodKind::SixMonthly, day),
        Some(period(PeriodKind::SixMonthly, 2025, 2))
    );
    assert_eq!(
        Period::containing(PeriodKind::Annual, day),
        Some(period(PeriodKind::Annual, 2025, 1))
    );
}

#[test]
fn quarter_and_half_boundaries_fall_between_the_fourteenth_and_the_fifteenth() {
    let cases = [
        (date(2025, 3, 14), PeriodKind::Quarterly, 1),
        (date(2025, 3, 15), PeriodKind::Quarterly, 2),
        (date(2025, 6, 14), PeriodKind::Quarterly, 2),
        (date(2025, 6, 15), PeriodKind::Quarterly, 3),
        (date(2025, 9, 14), PeriodKind::Quarterly, 3),
        (date(2025, 9, 15), PeriodKind::Quarterly, 4),
        (date(2025, 6, 14), PeriodKind::SixMonthly, 1),
        (date(2025, 6, 15), PeriodKind::SixMonthly, 2),
    ];
    for (day, kind, index) in cases {
        assert_eq!(
            Period::containing(kind, day),
            Some(period(kind, 2025, index)),
            "{kind} on {day}"
        );
    }
}

#[test]
fn days_after_the_nine_month_cut_off_belong_to_no_nine_month_period() {
    assert_eq!(
        Period::containing(PeriodKind::NineMonthly, date(2025, 9, 14)),
        Some(period(PeriodKind::NineMonthly, 2025, 1))
    );
    for day in [date(2025, 9, 15), date(2025, 11, 1), date(2025, 12, 14)] {
        assert_eq!(Period::containing(PeriodKind::NineMonthly, day), None);
    }
}

// Neighbours and ranges.

#[test]
fn next_and_previous_cross_the_year() {
    assert_eq!(month(2025, 12).next(), Some(month(2026, 1)));
    assert_eq!(month(2026, 1).previous(), Some(month(2025, 12)));
    assert_eq!(
        period(PeriodKind::Quarterly, 2025, 4).next(),
        Some(period(PeriodKind::Quarterly, 2026, 1))
    );
    assert_eq!(
        period(PeriodKind::SixMonthly, 2025, 1).previous(),
        Some(period(PeriodKind::SixMonthly, 2024, 2))
    );
    assert_eq!(
        period(PeriodKind::Annual, 2025, 1).next(),
        Some(period(PeriodKind::Annual, 2026, 1))
    );
    assert_eq!(
        period(PeriodKind::NineMonthly, 2025, 1).previous(),
        Some(period(PeriodKind::NineMonthly, 2024, 1))
    );
}

#[test]
fn periods_overlapping_a_range_include_those_touching_either_end() {
    // 14 March closes Q1 and 15 June opens Q3.
    assert_eq!(
        periods_overlapping(PeriodKind::Quarterly, date(2025, 3, 14), date(2025, 6, 15)),
        [
            period(PeriodKind::Quarterly, 2025, 1),
            period(PeriodKind::Quarterly, 2025, 2),
            period(PeriodKind::Quarterly, 2025, 3),
        ]
    );
    assert_eq!(
        periods_overlapping(PeriodKind::Monthly, date(2025, 12, 20), date(2026, 2, 1)),
        [month(2026, 1), month(2026, 2)]
    );
}

#[test]
fn periods_overlapping_a_reversed_range_are_none() {
    assert!(
        periods_overlapping(PeriodKind::Monthly, date(2025, 5, 1), date(2025, 4, 1)).is_empty()
    );
}

#[test]
fn periods_overlapping_skip_the_gap_after_the_nine_month_cut_off() {
    assert!(
        periods_overlapping(
            PeriodKind::NineMonthly,
            date(2025, 9, 15),
            date(2025, 12, 14)
        )
        .is_empty()
    );
    assert_eq!(
        periods_overlapping(PeriodKind::NineMonthly, date(2025, 10, 1), date(2026, 1, 1)),
        [period(PeriodKind::NineMonthly, 2026, 1)]
    );
}

#[test]
fn a_single_day_overlaps_exactly_its_own_month() {
    assert_eq!(
        periods_overlapping(PeriodKind::Monthly, date(2025, 12, 31), date(2025, 12, 31)),
        [month(2026, 1)]
    );
}

// Deadlines.

#[test]
fn a_cut_off_on_friday_is_due_on_monday() {
    // 14 February 2025 is a Friday.
    assert_eq!(date(2025, 2, 14).weekday(), Weekday::Fri);
    assert_eq!(
        month(2025, 2).deadline(&DeadlineRule::default(), &[]),
        date(2025, 2, 17)
    );
}

#[test]
fn a_cut_off_on_saturday_is_due_on_monday() {
    assert_eq!(date(2025, 6, 14).weekday(), Weekday::Sat);
    assert_eq!(
        period(PeriodKind::SixMonthly, 2025, 1).deadline(&DeadlineRule::default(), &[]),
        date(2025, 6, 16)
    );
}

#[test]
fn a_cut_off_midweek_is_due_the_next_day() {
    assert_eq!(date(2025, 5, 14).weekday(), Weekday::Wed);
    assert_eq!(
        month(2025, 5).deadline(&DeadlineRule::default(), &[]),
        date(2025, 5, 15)
    );
}

#[test]
fn the_tet_holiday_pushes_the_february_deadline_past_it() {
    // Tết 2026: Saturday 14 to Sunday 22 February; the weekdays 16–20 are holidays.
    let tet: Vec<_> = (16..=20).map(|day| date(2026, 2, day)).collect();
    assert_eq!(
        month(2026, 2).deadline(&DeadlineRule::default(), &tet),
        date(2026, 2, 23)
    );
    assert_eq!(
        month(2026, 2).deadline(&DeadlineRule::default(), &[]),
        date(2026, 2, 16)
    );
}

#[test]
fn a_holiday_on_the_day_after_the_cut_off_moves_the_deadline_on() {
    // Wednesday 14 May 2025; make Thursday a holiday.
    assert_eq!(
        month(2025, 5).deadline(&DeadlineRule::default(), &[date(2025, 5, 15)]),
        date(2025, 5, 16)
    );
    // A holiday on a weekend changes nothing.
    assert_eq!(
        month(2025, 2).deadline(&DeadlineRule::default(), &[date(2025, 2, 15)]),
        date(2025, 2, 17)
    );
}

#[test]
fn several_working_days_skip_the_weekend_in_between() {
    let rule = DeadlineRule::new(3).expect("a valid rule");
    // Friday 14 February 2025 + 3 working days: Monday, Tuesday, Wednesday.
    assert_eq!(month(2025, 2).deadline(&rule, &[]), date(2025, 2, 19));
}

#[test]
fn a_deadline_rule_allows_one_to_sixty_working_days() {
    assert_eq!(DeadlineRule::default().working_days_after_cutoff(), 1);
    assert_eq!(
        DeadlineRule::new(0),
        Err(PeriodError::WorkingDaysOutOfRange(0))
    );
    assert!(DeadlineRule::new(MAX_WORKING_DAYS_AFTER_CUTOFF).is_ok());
    assert!(DeadlineRule::new(MAX_WORKING_DAYS_AFTER_CUTOFF + 1).is_err());
}

#[test]
fn a_deadline_rule_is_checked_when_read_from_json() {
    let rule: DeadlineRule =
        serde_json::from_str(r#"{"working_days_after_cutoff":5}"#).expect("a valid rule");
    assert_eq!(rule.working_days_after_cutoff(), 5);
    assert!(serde_json::from_str::<DeadlineRule>(r#"{"working_days_after_cutoff":0}"#).is_err());
    assert_eq!(
        serde_json::to_string(&rule).expect("serialisable"),
        r#"{"working_days_after_cutoff":5}"#
    );
}

#[test]
fn weekends_and_holidays_are_not_working_days() {
    assert!(is_working_day(date(2025, 9, 1), &[]));
    assert!(!is_working_day(date(2025, 9, 2), &[date(2025, 9, 2)]));
    assert!(!is_working_day(date(2025, 9, 6), &[]));
    assert!(!is_working_day(date(2025, 9, 7), &[]));
}

// Codes and labels.

#[test]
fn codes_name_the_year_and_the_period() {
    let cases = [
        (month(2026, 1), "2026-M01"),
        (month(2025, 12), "2025-M12"),
        (period(PeriodKind::Quarterly, 2025, 2), "2025-Q2"),
        (period(PeriodKind::SixMonthly, 2025, 1), "2025-H1"),
        (period(PeriodKind::SixMonthly, 2025, 2), "2025-H2"),
        (period(PeriodKind::NineMonthly, 2025, 1), "2025-N9"),
        (period(PeriodKind::Annual, 2025, 1), "2025-Y"),
    ];
    for (period, text) in cases {
        assert_eq!(period.code(), text);
        assert_eq!(code(text), period);
    }
}

#[test]
fn codes_read_in_any_letter_case() {
    assert_eq!(code("2025-q2"), period(PeriodKind::Quarterly, 2025, 2));
    assert_eq!(code("2025-m03"), month(2025, 3));
    assert_eq!(code("2025-y"), period(PeriodKind::Annual, 2025, 1));
}

#[test]
fn malformed_codes_are_refused() {
    for text in [
        "",
        "2025",
        "2025-",
        "2025-M1",
        "2025-M001",
        "2025-M13",
        "2025-M00",
        "2025-Q5",
        "2025-Q",
        "2025-Q02",
        "2025-H3",
        "2025-N8",
        "2025-N",
        "2025-Y1",
        "25-Q2",
        "+2025-Q2",
        "2025-X1",
        "2025-Mư1",
        "Quý II/2025",
        "20250-Y",
        "1899-Y",
        "2201-M01",
    ] {
        assert!(text.parse::<Period>().is_err(), "{text:?} should not parse");
    }
    assert_eq!(
        "2025-Q5".parse::<Period>(),
        Err(PeriodError::IndexOutOfRange {
            kind: PeriodKind::Quarterly,
            index: 5
        })
    );
}

#[test]
fn a_period_serialises_as_its_code() {
    let quarter = period(PeriodKind::Quarterly, 2025, 2);
    assert_eq!(
        serde_json::to_string(&quarter).expect("serialisable"),
        r#""2025-Q2""#
    );
    assert_eq!(
        serde_json::from_str::<Period>(r#""2025-Q2""#).expect("a valid code"),
        quarter
    );
    assert!(serde_json::from_str::<Period>(r#""2025-Q9""#).is_err());
}

#[test]
fn vietnamese_labels_read_as_reports_title_them() {
    let cases = [
        (month(2026, 1), "Tháng 1/2026"),
        (month(2025, 12), "Tháng 12/2025"),
        (period(PeriodKind::Quarterly, 2025, 1), "Quý I/2025"),
        (period(PeriodKind::Quarterly, 2025, 2), "Quý II/2025"),
        (period(PeriodKind::Quarterly, 2025, 3), "Quý III/2025"),
        (period(PeriodKind::Quarterly, 2025, 4), "Quý IV/2025"),
        (
            period(PeriodKind::SixMonthly, 2025, 1),
            "6 tháng đầu năm 2025",
        ),
        (
            period(PeriodKind::SixMonthly, 2025, 2),
            "6 tháng cuối năm 2025",
        ),
        (period(PeriodKind::NineMonthly, 2025, 1), "9 tháng năm 2025"),
        (period(PeriodKind::Annual, 2025, 1), "Năm 2025"),
    ];
    for (period, label) in cases {
        assert_eq!(period.to_string(), label);
    }
}

#[test]
fn english_labels_name_the_month_quarter_half_or_year() {
    let cases = [
        (month(2026, 1), "January 2026"),
        (month(2025, 9), "September 2025"),
        (period(PeriodKind::Quarterly, 2025, 2), "Q2 2025"),
        (
            period(PeriodKind::SixMonthly, 2025, 1),
            "first half of 2025",
        ),
        (
            period(PeriodKind::SixMonthly, 2025, 2),
            "second half of 2025",
        ),
        (
            period(PeriodKind::NineMonthly, 2025, 1),
            "first nine months of 2025",
        ),
        (period(PeriodKind::Annual, 2025, 1), "year 2025"),
    ];
    for (period, label) in cases {
        assert_eq!(period.label_en(), label);
    }
}

#[test]
fn every_kind_reads_back_from_its_name() {
    for kind in PeriodKind::ALL {
        assert_eq!(kind.as_str().parse(), Ok(kind));
        assert_eq!(
            serde_json::to_string(&kind).expect("serialisable"),
            format!("\"{}\"", kind.as_str())
        );
    }
    assert_eq!(PeriodKind::SixMonthly.as_str(), "six_monthly");
    assert!("weekly".parse::<PeriodKind>().is_err());
}

// Obligations of a task.

#[test]
fn a_quarter_task_reports_in_the_quarters_its_months_overlap() {
    // Quý II/2025 runs 1 April – 30 June: the Q2 window and the first half of the Q3 window.
    let frame = TimeFrame::parse("Quý II/2025");
    assert_eq!(
        obligations(
            &frame,
            PeriodKind::Quarterly,
            date(2024, 1, 1)..=date(2030, 12, 31)
        ),
        [
            period(PeriodKind::Quarterly, 2025, 2),
            period(PeriodKind::Quarterly, 2025, 3),
        ]
    );
}

#[test]
fn a_task_for_a_year_also_reports_its_last_half_month_in_the_next_year() {
    let frame = TimeFrame::parse("2024");
    assert_eq!(
        obligations(
            &frame,
            PeriodKind::Annual,
            date(2020, 1, 1)..=date(2030, 12, 31)
        ),
        [
            period(PeriodKind::Annual, 2024, 1),
            period(PeriodKind::Annual, 2025, 1),
        ]
    );
}

#[test]
fn a_range_of_years_reports_every_six_months_of_the_range() {
    let frame = TimeFrame::parse("2024 - 2026");
    let periods = obligations(
        &frame,
        PeriodKind::SixMonthly,
        date(2024, 1, 1)..=date(2030, 12, 31),
    );
    let codes: Vec<_> = periods.iter().map(|period| period.code()).collect();
    assert_eq!(
        codes,
        [
            "2024-H1", "2024-H2", "2025-H1", "2025-H2", "2026-H1", "2026-H2", "2027-H1"
        ]
    );
}

#[test]
fn a_deadline_year_reports_from_the_start_of_the_horizon() {
    let frame = TimeFrame::parse("Đến năm 2030");
    let periods = obligations(
        &frame,
        PeriodKind::Annual,
        date(2025, 1, 1)..=date(2035, 12, 31),
    );
    let years: Vec<_> = periods.iter().map(|period| period.year()).collect();
    assert_eq!(years, [2025, 2026, 2027, 2028, 2029, 2030, 2031]);
}

#[test]
fn recurring_and_ongoing_tasks_report_in_every_period_of_the_horizon() {
    for text in ["Hằng năm", "Thường xuyên"] {
        let frame = TimeFrame::parse(text);
        assert_eq!(
            obligations(
                &frame,
                PeriodKind::Quarterly,
                date(2025, 1, 1)..=date(2025, 12, 14)
            ),
            (1..=4)
                .map(|index| period(PeriodKind::Quarterly, 2025, index))
                .collect::<Vec<_>>(),
            "{text}"
        );
    }
}

#[test]
fn a_task_from_a_year_on_reports_from_that_year_to_the_end_of_the_horizon() {
    let frame = TimeFrame::parse("2025 và những năm tiếp theo");
    let periods = obligations(
        &frame,
        PeriodKind::Annual,
        date(2020, 1, 1)..=date(2027, 12, 14),
    );
    let years: Vec<_> = periods.iter().map(|period| period.year()).collect();
    assert_eq!(years, [2025, 2026, 2027]);
}

#[test]
fn an_unparsed_time_frame_reports_like_ongoing_work_so_it_stays_visible() {
    let frame = TimeFrame::parse("khi có yêu cầu");
    assert!(!frame.is_parsed());
    assert_eq!(
        obligations(
            &frame,
            PeriodKind::Annual,
            date(2025, 1, 1)..=date(2025, 12, 14)
        ),
        [period(PeriodKind::Annual, 2025, 1)]
    );
}

#[test]
fn a_task_outside_the_horizon_owes_nothing_in_it() {
    let frame = TimeFrame::parse("2024");
    assert!(
        obligations(
            &frame,
            PeriodKind::Monthly,
            date(2026, 1, 1)..=date(2026, 12, 31)
        )
        .is_empty()
    );
}

// Properties.

fn any_day() -> impl Strategy<Value = NaiveDate> {
    // From the first day of the first supported period to the last day of the last one.
    let first = date(*YEARS.start() - 1, 12, 15);
    let last = date(*YEARS.end(), 12, 14);
    let span = (last - first).num_days() as u64;
    (0..=span).prop_map(move |offset| first + Days::new(offset))
}

fn any_kind() -> impl Strategy<Value = PeriodKind> {
    proptest::sample::select(PeriodKind::ALL.to_vec())
}

fn any_period() -> impl Strategy<Value = Period> {
    (any_kind(), YEARS, 1u32..=12).prop_map(|(kind, year, index)| {
        let index = (index - 1) % kind.periods_per_year() + 1;
        Period::new(kind, year, index).expect("index reduced into the kind's range")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_day_is_in_exactly_one_period_of_each_tiling_kind(day in any_day(), kind in any_kind()) {
        let containing = Period::containing(kind, day);
        let overlapping = periods_overlapping(kind, day, day);
        if kind.tiles_the_calendar() {
            let found = containing.expect("a tiling kind holds every supported day");
            prop_assert!(found.contains(day));
            prop_assert_eq!(overlapping, vec![found]);
        } else {
            prop_assert!(overlapping.len() <= 1);
            prop_assert_eq!(overlapping.first().copied(), containing);
            if let Some(found) = containing {
                prop_assert!(found.contains(day));
            }
        }
    }

    #[test]
    fn consecutive_windows_tile_the_calendar_without_gaps_or_overlaps(period in any_period()) {
        let (start, end) = period.window();
        prop_assert!(start <= end);
        if let Some(next) = period.next() {
            prop_assert_eq!(next.previous(), Some(period));
            prop_assert!(next.window().0 > end);
            if period.kind().tiles_the_calendar() {
                prop_assert_eq!(next.window().0, end + Days::new(1));
            }
        }
    }

    #[test]
    fn a_period_holds_its_own_first_and_last_day(period in any_period()) {
        let (start, end) = period.window();
        prop_assert_eq!(Period::containing(period.kind(), start), Some(period));
        prop_assert_eq!(Period::containing(period.kind(), end), Some(period));
    }

    #[test]
    fn every_code_reads_back_as_its_period(period in any_period()) {
        prop_assert_eq!(period.code().parse::<Period>(), Ok(period));
    }

    #[test]
    fn a_deadline_is_the_requested_working_day_after_the_cut_off(
        period in any_period(),
        days in 1..=MAX_WORKING_DAYS_AFTER_CUTOFF,
        holiday_offsets in proptest::collection::vec(1u64..40, 0..10),
    ) {
        let rule = DeadlineRule::new(days).expect("days within the allowed range");
        let cut_off = period.end();
        let holidays: Vec<_> = holiday_offsets.iter().map(|offset| cut_off + Days::new(*offset)).collect();
        let deadline = period.deadline(&rule, &holidays);
        prop_assert!(is_working_day(deadline, &holidays));
        let working_days = cut_off
            .iter_days()
            .skip(1)
            .take_while(|day| *day <= deadline)
            .filter(|day| is_working_day(*day, &holidays))
            .count();
        prop_assert_eq!(working_days, days as usize);
    }

    #[test]
    fn periods_overlapping_a_range_are_exactly_those_sharing_a_day(
        a in any_day(),
        length in 0u64..800,
        kind in any_kind(),
    ) {
        let b = a.checked_add_days(Days::new(length)).unwrap_or(a);
        let periods = periods_overlapping(kind, a, b);
        for period in &periods {
            let (start, end) = period.window();
            prop_assert!(start <= b && end >= a);
        }
        for pair in periods.windows(2) {
            prop_assert_eq!(pair[0].next(), Some(pair[1]));
        }
        if let (Some(first), Some(last)) = (periods.first(), periods.last()) {
            if let Some(before) = first.previous() {
                prop_assert!(before.window().1 < a);
            }
            if let Some(after) = last.next() {
                prop_assert!(after.window().0 > b);
            }
        }
    }
}
