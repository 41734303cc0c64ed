//! Every form of time frame that documents write, in Vietnamese and English, with the dates it
//! means; and the nonsense that must stay unparsed rather than be guessed at.

use chrono::NaiveDate;
use dongbo_domain::{Recurrence, TimeFrame, TimeFrameKind};

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a real date in the test")
}

/// Assert that each text parses to `kind` with exactly these dates and recurrence.
fn assert_each(
    texts: &[&str],
    kind: TimeFrameKind,
    start: Option<NaiveDate>,
    due: Option<NaiveDate>,
    recurrence: Recurrence,
) {
    for text in texts {
        let frame = TimeFrame::parse(text);
        assert_eq!(
            (frame.kind, frame.start, frame.due, frame.recurrence),
            (kind, start, due, recurrence),
            "parsing {text:?}"
        );
    }
}

#[test]
fn a_bare_year_covers_the_whole_year() {
    assert_each(
        &[
            "2024",
            " 2024 ",
            "2024.",
            "Năm 2024",
            "năm 2024",
            "trong năm 2024",
            "in 2024",
        ],
        TimeFrameKind::Year,
        Some(date(2024, 1, 1)),
        Some(date(2024, 12, 31)),
        Recurrence::None,
    );
}

#[test]
fn a_year_range_runs_from_the_first_year_to_the_end_of_the_last() {
    assert_each(
        &[
            "2024 - 2026",
            "2024–2026",
            "2024 — 2026",
            "2024-2026",
            "giai đoạn 2024 - 2026",
            "Giai đoạn 2024-2026",
            "từ năm 2024 đến năm 2026",
            "2024 đến 2026",
            "2024 to 2026",
            "from 2024 to 2026",
            "between 2024 and 2026",
        ],
        TimeFrameKind::YearRange,
        Some(date(2024, 1, 1)),
        Some(date(2026, 12, 31)),
        Recurrence::None,
    );
}

#[test]
fn a_month_is_due_on_its_last_day() {
    assert_each(
        &[
            "06/2025",
            "6/2025",
            "6-2025",
            "Tháng 6/2025",
            "tháng 6 năm 2025",
            "THÁNG 06/2025",
            "June 2025",
            "Jun 2025",
            "in June 2025",
            "2025-06",
        ],
        TimeFrameKind::Month,
        Some(date(2025, 6, 1)),
        Some(date(2025, 6, 30)),
        Recurrence::None,
    );
    assert_each(
        &["Tháng 10/2025", "10/2025", "October 2025"],
        TimeFrameKind::Month,
        Some(date(2025, 10, 1)),
        Some(date(2025, 10, 31)),
        Recurrence::None,
    );
}

#[test]
fn february_of_a_leap_year_is_due_on_the_twenty_ninth() {
    assert_each(
        &["02/2028", "February 2028"],
        TimeFrameKind::Month,
        Some(date(2028, 2, 1)),
        Some(date(2028, 2, 29)),
        Recurrence::None,
    );
}

#[test]
fn a_quarter_is_due_on_the_last_day_of_its_third_month() {
    assert_each(
        &[
            "Quý II/2025",
            "Quý 2/2025",
            "quý 2 năm 2025",
            "Quý II năm 2025",
            "QUÝ II/2025",
            "Quy II/2025",
            "Q2 2025",
            "Q2/2025",
            "q2-2025",
            "2025 Q2",
            "second quarter of 2025",
            "the second quarter of 2025",
            "2nd quarter 2025",
        ],
        TimeFrameKind::Quarter,
        Some(date(2025, 4, 1)),
        Some(date(2025, 6, 30)),
        Recurrence::None,
    );
    assert_each(
        &["Quý IV/2025", "Q4 2025", "fourth quarter of 2025"],
        TimeFrameKind::Quarter,
        Some(date(2025, 10, 1)),
        Some(date(2025, 12, 31)),
        Recurrence::None,
    );
    assert_each(
        &["Quý I/2026"],
        TimeFrameKind::Quarter,
        Some(date(2026, 1, 1)),
        Some(date(2026, 3, 31)),
        Recurrence::None,
    );
}

#[test]
fn a_deadline_year_is_due_at_its_end_with_no_start() {
    assert_each(
        &[
            "Đến năm 2030",
            "đến 2030",
            "đến hết năm 2030",
            "trước năm 2030",
            "DEN NAM 2030",
            "by 2030",
            "By the end of 2030",
            "until 2030",
        ],
        TimeFrameKind::ByYear,
        None,
        Some(date(2030, 12, 31)),
        Recurrence::None,
    );
}

#[test]
fn every_spelling_of_annually_recurs_each_year_without_a_due_date() {
    assert_each(
        &[
            "Hằng năm",
            "Hàng năm",
            "hằng năm",
            "HẰNG NĂM",
            "Hằng năm.",
            "annually",
            "Annually",
            "every year",
            "yearly",
        ],
        TimeFrameKind::Annual,
        None,
        None,
        Recurrence::Annual,
    );
}

#[test]
fn work_from_a_year_onwards_starts_then_and_recurs_each_year() {
    assert_each(
        &[
            "2025 và những năm tiếp theo",
            "Năm 2025 và các năm tiếp theo",
            "từ năm 2025",
            "Từ năm 2025 trở đi",
            "2025 and following years",
            "2025 and the following years",
            "from 2025 onwards",
            "from 2025",
        ],
        TimeFrameKind::FromYear,
        Some(date(2025, 1, 1)),
        None,
        Recurrence::Annual,
    );
}

#[test]
fn ongoing_work_recurs_continuously() {
    assert_each(
        &[
            "Thường xuyên",
            "thường xuyên",
            "Nhiệm vụ thường xuyên",
            "Thường xuyên, hằng năm",
            "thường xuyên hằng năm",
            "Thường xuyên, liên tục",
            "ongoing",
            "Ongoing",
            "continuous",
            "regularly",
        ],
        TimeFrameKind::Ongoing,
        None,
        None,
        Recurrence::Continuous,
    );
}

#[test]
fn a_date_is_due_on_that_day() {
    assert_each(
        &[
            "15/4/2025",
            "15/04/2025",
            "15-4-2025",
            "15.4.2025",
            "ngày 15/4/2025",
            "Trước ngày 15/4/2025",
            "ngày 15 tháng 4 năm 2025",
            "Ngày 15 tháng 04 năm 2025",
            "2025-04-15",
            "April 15, 2025",
            "April 15th, 2025",
            "15 April 2025",
            "the 15th of April 2025",
        ],
        TimeFrameKind::Date,
        None,
        Some(date(2025, 4, 15)),
        Recurrence::None,
    );
}

#[test]
fn the_text_is_kept_in_nfc_without_trailing_punctuation() {
    let decomposed = "Quy\u{301} II/2025.";
    let frame = TimeFrame::parse(decomposed);
    assert_eq!(frame.text, "Quý II/2025");
    assert_eq!(frame.kind, TimeFrameKind::Quarter);

    let frame = TimeFrame::parse("  Hằng năm;  ");
    assert_eq!(frame.text, "Hằng năm");
}

#[test]
fn nonsense_and_impossible_values_stay_unparsed_with_their_text() {
    for text in [
        "",
        "   ",
        "Sớm",
        "as soon as possible",
        "13/2025",
        "0/2025",
        "Quý V/2025",
        "Q5 2025",
        "Quý 0/2025",
        "1899",
        "2201",
        "20245",
        "31/02/2025",
        "29/02/2025",
        "32/1/2025",
        "2026 - 2024",
        "từ năm 2026 đến năm 2024",
        "2024, 2025",
        "Smarch 2025",
        "Đến năm",
        "2024 - 2026 - 2028",
        "trong tháng",
    ] {
        let frame = TimeFrame::parse(text);
        assert_eq!(frame.kind, TimeFrameKind::Unparsed, "parsing {text:?}");
        assert_eq!((frame.start, frame.due), (None, None), "parsing {text:?}");
        assert_eq!(frame.recurrence, Recurrence::None, "parsing {text:?}");
        assert_eq!(frame.text, text.trim(), "parsing {text:?}");
        assert!(!frame.is_parsed());
    }
}

#[test]
fn the_twenty_ninth_of_february_parses_in_a_leap_year() {
    let frame = TimeFrame::parse("29/02/2028");
    assert_eq!(frame.kind, TimeFrameKind::Date);
    assert_eq!(frame.due, Some(date(2028, 2, 29)));
}

#[test]
fn a_time_frame_serialises_to_the_import_contract() {
    let frame = TimeFrame::parse("Quý II/2025");
    let json = serde_json::to_value(&frame).expect("serialises");
    assert_eq!(
        json,
        serde_json::json!({
            "text": "Quý II/2025",
            "kind": "quarter",
            "start": "2025-04-01",
            "due": "2025-06-30",
            "recurrence": "none",
        })
    );
    let back: TimeFrame = serde_json::from_value(json).expect("deserialises");
    assert_eq!(back, frame);
}
