//! Kỳ báo cáo — the reporting periods of Decree 09/2019/NĐ-CP and their submission deadlines.
//!
//! Decree 09 (Art. 12) fixes the data cut-off window (*thời gian chốt số liệu*) of every
//! periodic report: a month's data runs from the 15th of the previous month to the 14th of
//! the month, and longer periods run from the 15th of the month before their first month to
//! the 14th of their last month. The year therefore starts on 15 December of the previous
//! year: data of 20 December 2025 belongs to January 2026 and to the year 2026.
//!
//! A [`Period`] is one such window ("Quý II/2025"). It is written in URLs and storage as a
//! short code ("2025-Q2", see [`Period::code`]) and shown with [`Display`](fmt::Display) in
//! Vietnamese or with [`Period::label_en`] in English. [`Period::deadline`] gives the
//! submission deadline (*thời hạn gửi báo cáo*) under a program's [`DeadlineRule`], and
//! [`obligations`] the periods a task with a given [`TimeFrame`] must report in.

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::TimeFrame;

/// Years a period may belong to. The same window as time frames accept: a year outside it is
/// a typing mistake, and keeping it bounded lets every window and deadline be a real date.
pub const YEARS: RangeInclusive<i32> = 1900..=2200;

/// The most working days a program may allow between cut-off and submission: about three
/// months, already longer than any period it could follow but the annual one.
pub const MAX_WORKING_DAYS_AFTER_CUTOFF: u32 = 60;

/// A period was named wrongly, or a deadline rule is out of bounds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("unknown kind of reporting period {0:?}")]
    UnknownKind(String),
    #[error(
        "{0:?} is not a reporting period code (expected e.g. 2025-M01, 2025-Q2, 2025-H1, 2025-N9, 2025-Y)"
    )]
    UnknownCode(String),
    #[error("a {kind} period has no number {index}")]
    IndexOutOfRange { kind: PeriodKind, index: u32 },
    #[error("year {0} is outside the supported years 1900–2200")]
    YearOutOfRange(i32),
    #[error("a report is due 1 to 60 working days after the cut-off, not {0}")]
    WorkingDaysOutOfRange(u32),
}

/// Loại kỳ báo cáo — how long a reporting period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// Báo cáo tháng — numbered 1–12.
    Monthly,
    /// Báo cáo quý — numbered 1–4.
    Quarterly,
    /// Báo cáo 6 tháng — the first (1) and the second (2) half of the year.
    SixMonthly,
    /// Báo cáo 9 tháng — one per year (number 1). Its windows leave 15 September to
    /// 14 December uncovered: those days belong to no nine-month period.
    NineMonthly,
    /// Báo cáo năm — one per year (number 1).
    Annual,
}

impl PeriodKind {
    pub const ALL: [Self; 5] = [
        Self::Monthly,
        Self::Quarterly,
        Self::SixMonthly,
        Self::NineMonthly,
        Self::Annual,
    ];

    /// The serde name, also used in query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Monthly => "monthly",
            Self::Quarterly => "quarterly",
            Self::SixMonthly => "six_monthly",
            Self::NineMonthly => "nine_monthly",
            Self::Annual => "annual",
        }
    }

    /// The Vietnamese name of the report: "Báo cáo tháng", "Báo cáo quý", …
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Monthly => "Báo cáo tháng",
            Self::Quarterly => "Báo cáo quý",
            Self::SixMonthly => "Báo cáo 6 tháng",
            Self::NineMonthly => "Báo cáo 9 tháng",
            Self::Annual => "Báo cáo năm",
        }
    }

    /// The English name of the report: "monthly report", …
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Monthly => "monthly report",
            Self::Quarterly => "quarterly report",
            Self::SixMonthly => "six-monthly report",
            Self::NineMonthly => "nine-monthly report",
            Self::Annual => "annual report",
        }
    }

    /// How many periods of this kind a year has; they are numbered from 1.
    pub fn periods_per_year(self) -> u32 {
        match self {
            Self::Monthly => 12,
            Self::Quarterly => 4,
            Self::SixMonthly => 2,
            Self::NineMonthly | Self::Annual => 1,
        }
    }

    /// Whether the windows of consecutive periods cover every day exactly once. All kinds but
    /// the nine-month report do.
    pub fn tiles_the_calendar(self) -> bool {
        self != Self::NineMonthly
    }

    /// The letter after the year in a period code.
    fn code_letter(self) -> &'static str {
        match self {
            Self::Monthly => "M",
            Self::Quarterly => "Q",
            Self::SixMonthly => "H",
            Self::NineMonthly => "N",
            Self::Annual => "Y",
        }
    }
}

impl fmt::Display for PeriodKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PeriodKind {
    type Err = PeriodError;

    /// Reads the serde name ("quarterly").
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| PeriodError::UnknownKind(s.to_owned()))
    }
}

/// Kỳ báo cáo — one reporting period: its kind, its year and its number within the year.
///
/// Built only through [`Period::new`], [`Period::containing`] or by parsing a code, so the
/// year is in [`YEARS`] and the number exists for the kind. Serialises as its code
/// ("2025-Q2"). The order sorts periods of one kind by time; different kinds group by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    kind: PeriodKind,
    year: i32,
    index: u32,
}

impl Period {
    /// The period `index` (month 1–12, quarter 1–4, half 1–2, or 1 for nine-month and annual
    /// periods) of `year`.
    pub fn new(kind: PeriodKind, year: i32, index: u32) -> Result<Self, PeriodError> {
        if !YEARS.contains(&year) {
            return Err(PeriodError::YearOutOfRange(year));
        }
        if !(1..=kind.periods_per_year()).contains(&index) {
            return Err(PeriodError::IndexOutOfRange { kind, index });
        }
        Ok(Self { kind, year, index })
    }

    pub fn kind(self) -> PeriodKind {
        self.kind
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// The number within the year: the month, the quarter, the half, or 1.
    pub fn index(self) -> u32 {
        self.index
    }

    /// The period of `kind` whose window holds `date`. `None` when no period does: a date
    /// between 15 September and 14 December for [`PeriodKind::NineMonthly`], or a date whose
    /// period would fall outside [`YEARS`].
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Option<Self> {
        // From the 15th on, a day's data belongs to the next month's report.
        let (year, month) = if date.day() >= 15 {
            if date.month() == 12 {
                (date.year() + 1, 1)
            } else {
                (date.year(), date.month() + 1)
            }
        } else {
            (date.year(), date.month())
        };
        let index = match kind {
            PeriodKind::Monthly => month,
            PeriodKind::Quarterly => (month - 1) / 3 + 1,
            PeriodKind::SixMonthly => (month - 1) / 6 + 1,
            PeriodKind::NineMonthly if month > 9 => return None,
            PeriodKind::NineMonthly | PeriodKind::Annual => 1,
        };
        Self::new(kind, year, index).ok()
    }

    /// The first and last month (1–12) of the period's year that the period reports on.
    fn months(self) -> (u32, u32) {
        match self.kind {
            PeriodKind::Monthly => (self.index, self.index),
            PeriodKind::Quarterly => (self.index * 3 - 2, self.index * 3),
            PeriodKind::SixMonthly => (self.index * 6 - 5, self.index * 6),
            PeriodKind::NineMonthly => (1, 9),
            PeriodKind::Annual => (1, 12),
        }
    }

    /// Thời gian chốt số liệu — the first and last day (both included) of the data the period
    /// reports: from the 15th of the month before its first month to the 14th of its last
    /// month. January, the first quarter, the first half, the nine months and the year all
    /// start on 15 December of the previous year.
    pub fn window(self) -> (NaiveDate, NaiveDate) {
        let (first, last) = self.months();
        let (start_year, start_month) = if first == 1 {
            (self.year - 1, 12)
        } else {
            (self.year, first - 1)
        };
        let start = NaiveDate::from_ymd_opt(start_year, start_month, 15)
            .expect("the 15th exists in every month of a year in YEARS");
        let end = NaiveDate::from_ymd_opt(self.year, last, 14)
            .expect("the 14th exists in every month of a year in YEARS");
        (start, end)
    }

    /// The first day of the window.
    pub fn start(self) -> NaiveDate {
        self.window().0
    }

    /// The last day of the window: the cut-off.
    pub fn end(self) -> NaiveDate {
        self.window().1
    }

    /// Whether `date` falls in the window.
    pub fn contains(self, date: NaiveDate) -> bool {
        let (start, end) = self.window();
        (start..=end).contains(&date)
    }

    /// The period of the same kind that follows, or `None` after the last year in [`YEARS`].
    pub fn next(self) -> Option<Self> {
        if self.index < self.kind.periods_per_year() {
            Self::new(self.kind, self.year, self.index + 1).ok()
        } else {
            Self::new(self.kind, self.year + 1, 1).ok()
        }
    }

    /// The period of the same kind before this one, or `None` before the first year in
    /// [`YEARS`].
    pub fn previous(self) -> Option<Self> {
        if self.index > 1 {
            Self::new(self.kind, self.year, self.index - 1).ok()
        } else {
            Self::new(self.kind, self.year - 1, self.kind.periods_per_year()).ok()
        }
    }

    /// Thời hạn gửi báo cáo — the day the report is due: the `rule`'s number of working days
    /// after the cut-off, where Saturdays, Sundays and `holidays` are not working days.
    /// A cut-off on Friday the 14th with one working day gives Monday the 17th.
    ///
    /// Working Saturdays that make up for a bridged holiday (*làm bù*) are not modelled: such
    /// a Saturday does not count, which only ever moves a deadline later.
    pub fn deadline(self, rule: &DeadlineRule, holidays: &[NaiveDate]) -> NaiveDate {
        working_days_after(self.end(), rule, holidays)
    }

    /// The form used in URLs and storage: "2025-M01", "2025-Q2", "2025-H1", "2025-N9",
    /// "2025-Y". [`FromStr`] reads it back.
    pub fn code(self) -> String {
        let (year, letter) = (self.year, self.kind.code_letter());
        match self.kind {
            PeriodKind::Monthly => format!("{year}-{letter}{:02}", self.index),
            PeriodKind::Quarterly | PeriodKind::SixMonthly => {
                format!("{year}-{letter}{}", self.index)
            }
            PeriodKind::NineMonthly => format!("{year}-{letter}9"),
            PeriodKind::Annual => format!("{year}-{letter}"),
        }
    }

    /// The English label: "January 2026", "Q2 2025", "first half of 2025",
    /// "first nine months of 2025", "year 2025".
    pub fn label_en(self) -> String {
        let year = self.year;
        match self.kind {
            PeriodKind::Monthly => format!("{} {year}", MONTHS_EN[self.index as usize - 1]),
            PeriodKind::Quarterly => format!("Q{} {year}", self.index),
            PeriodKind::SixMonthly if self.index == 1 => format!("first half of {year}"),
            PeriodKind::SixMonthly => format!("second half of {year}"),
            PeriodKind::NineMonthly => format!("first nine months of {year}"),
            PeriodKind::Annual => format!("year {year}"),
        }
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const QUARTERS_ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

/// The Vietnamese label, as reports title their period: "Tháng 1/2026", "Quý II/2025",
/// "6 tháng đầu năm 2025", "6 tháng cuối năm 2025", "9 tháng năm 2025", "Năm 2025".
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let year = self.year;
        match self.kind {
            PeriodKind::Monthly => write!(f, "Tháng {}/{year}", self.index),
            PeriodKind::Quarterly => {
                write!(f, "Quý {}/{year}", QUARTERS_ROMAN[self.index as usize - 1])
            }
            PeriodKind::SixMonthly if self.index == 1 => write!(f, "6 tháng đầu năm {year}"),
            PeriodKind::SixMonthly => write!(f, "6 tháng cuối năm {year}"),
            PeriodKind::NineMonthly => write!(f, "9 tháng năm {year}"),
            PeriodKind::Annual => write!(f, "Năm {year}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    /// Reads a code written by [`Period::code`]. The letter may be lower case ("2025-q2");
    /// the digits must be as written: "2025-M1" is not a month.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || PeriodError::UnknownCode(s.to_owned());
        let (year, rest) = s.split_once('-').ok_or_else(unknown)?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(unknown());
        }
        let year: i32 = year.parse().map_err(|_| unknown())?;
        let rest = rest.to_ascii_uppercase();
        let (kind, index) = if rest == "Y" {
            (PeriodKind::Annual, 1)
        } else if rest == "N9" {
            (PeriodKind::NineMonthly, 1)
        } else {
            let split = rest.char_indices().nth(1).map_or(rest.len(), |(i, _)| i);
            let (letter, digits) = rest.split_at(split);
            let kind = match letter {
                "M" => PeriodKind::Monthly,
                "Q" => PeriodKind::Quarterly,
                "H" => PeriodKind::SixMonthly,
                _ => return Err(unknown()),
            };
            let width = if kind == PeriodKind::Monthly { 2 } else { 1 };
            if digits.len() != width || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(unknown());
            }
            (kind, digits.parse().map_err(|_| unknown())?)
        };
        Self::new(kind, year, index)
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        code.parse()
    }
}

impl From<Period> for String {
    fn from(period: Period) -> Self {
        period.code()
    }
}

/// When a periodic report is due: a number of working days after the cut-off.
///
/// Decree 09 lets the body that sets a reporting regime choose the deadline; Đồng Bộ counts it
/// in working days after the window ends, one by default, and between 1 and
/// [`MAX_WORKING_DAYS_AFTER_CUTOFF`] — a report cannot be due on the cut-off day itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "DeadlineRuleFields")]
pub struct DeadlineRule {
    working_days_after_cutoff: u32,
}

impl DeadlineRule {
    pub fn new(working_days_after_cutoff: u32) -> Result<Self, PeriodError> {
        if !(1..=MAX_WORKING_DAYS_AFTER_CUTOFF).contains(&working_days_after_cutoff) {
            return Err(PeriodError::WorkingDaysOutOfRange(
                working_days_after_cutoff,
            ));
        }
        Ok(Self {
            working_days_after_cutoff,
        })
    }

    pub fn working_days_after_cutoff(self) -> u32 {
        self.working_days_after_cutoff
    }
}

impl Default for DeadlineRule {
    fn default() -> Self {
        Self {
            working_days_after_cutoff: 1,
        }
    }
}

/// The serialised form of a [`DeadlineRule`], checked by [`DeadlineRule::new`] on the way in.
#[derive(Deserialize)]
struct DeadlineRuleFields {
    working_days_after_cutoff: u32,
}

impl TryFrom<DeadlineRuleFields> for DeadlineRule {
    type Error = PeriodError;

    fn try_from(fields: DeadlineRuleFields) -> Result<Self, Self::Error> {
        Self::new(fields.working_days_after_cutoff)
    }
}

/// The day `rule`'s number of working days after `cutoff`, where Saturdays, Sundays and
/// `holidays` are not working days: the deadline of a report whose data ends on `cutoff`.
pub fn working_days_after(
    cutoff: NaiveDate,
    rule: &DeadlineRule,
    holidays: &[NaiveDate],
) -> NaiveDate {
    let mut day = cutoff;
    let mut remaining = rule.working_days_after_cutoff();
    while remaining > 0 {
        // A period ends by 2200 and chrono counts days to the year 262143: only a holiday
        // list of millions of consecutive days could run past it, and then we stop there.
        let Some(next) = day.succ_opt() else {
            return day;
        };
        day = next;
        if is_working_day(day, holidays) {
            remaining -= 1;
        }
    }
    day
}

/// Whether public servants work on `day`: not a Saturday, Sunday or one of `holidays`.
pub fn is_working_day(day: NaiveDate, holidays: &[NaiveDate]) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&day)
}

/// Every period of `kind` whose window shares at least one day with `from..=to`, in order.
/// Empty when `to` is before `from`. Periods outside [`YEARS`] are left out.
pub fn periods_overlapping(kind: PeriodKind, from: NaiveDate, to: NaiveDate) -> Vec<Period> {
    let mut periods = Vec::new();
    if to < from {
        return periods;
    }
    // The first period of `from`'s year starts on 15 December before it, so no period that
    // overlaps the range starts earlier than this one; walk on until windows start after `to`.
    let first_year = from.year().max(*YEARS.start());
    let Ok(mut period) = Period::new(kind, first_year, 1) else {
        return periods;
    };
    loop {
        let (start, end) = period.window();
        if start > to {
            break;
        }
        if end >= from {
            periods.push(period);
        }
        match period.next() {
            Some(next) => period = next,
            None => break,
        }
    }
    periods
}

/// Kỳ báo cáo phải báo cáo — the periods of `kind` in which a task with `time_frame` reports,
/// within `horizon` (the stretch of calendar the caller asks about: usually the program's
/// span, or up to today for a dashboard).
///
/// The task is under way from its time frame's start to its due date, each bounded by the
/// horizon; it reports in every period whose window overlaps that stretch:
/// - "2024 - 2026", "Quý II/2025": start and due are both known.
/// - "Đến năm 2030", "15/4/2025": no start, so from the start of the horizon to the due date.
/// - "2025 và những năm tiếp theo": from 1 January 2025 to the end of the horizon.
/// - "Hằng năm", "Thường xuyên": neither, so every period of the horizon.
/// - Text that did not parse: every period of the horizon too, so an unreadable time frame
///   keeps the task visible until a person fixes it rather than silencing it.
///
/// Windows run from the 15th, so a task for the year 2024 also overlaps the January 2025
/// month and the 2025 year: its last half-month is 2025's data. A task that is done stops
/// owing reports; that is for the caller, which knows the reports.
pub fn obligations(
    time_frame: &TimeFrame,
    kind: PeriodKind,
    horizon: RangeInclusive<NaiveDate>,
) -> Vec<Period> {
    let (horizon_start, horizon_end) = horizon.into_inner();
    let from = time_frame
        .start
        .map_or(horizon_start, |start| start.max(horizon_start));
    let to = time_frame
        .due
        .map_or(horizon_end, |due| due.min(horizon_end));
    periods_overlapping(kind, from, to)
}

// The day periods are counted in; it lives with the clock, which is where "today" comes from.
pub use crate::clock::vietnam_day;

/// How far back [`report_choices`] offers periods: two years, so a reporter can still catch
/// up on a missed report while a monthly list stays short (at most 25 months).
pub const REPORT_LOOK_BACK_DAYS: i64 = 731;

/// The period a progress report is for by default on `today`: the current annual period for
/// recurring work ("Hằng năm", "Thường xuyên"), which is how dashboards judge such work; `None`
/// for work reported once.
pub fn default_report_period(time_frame: &TimeFrame, today: NaiveDate) -> Option<Period> {
    if time_frame.recurrence == crate::Recurrence::None {
        return None;
    }
    Period::containing(PeriodKind::Annual, today)
}

/// The periods of `kind` a reporter may choose for a task with `time_frame` on `today`, newest
/// first: the task's [`obligations`] over the last [`REPORT_LOOK_BACK_DAYS`], and the current
/// period (work past its due date and not done still reports).
pub fn report_choices(time_frame: &TimeFrame, kind: PeriodKind, today: NaiveDate) -> Vec<Period> {
    let look_back = today - chrono::Duration::days(REPORT_LOOK_BACK_DAYS);
    let mut periods = obligations(time_frame, kind, look_back..=today);
    if let Some(current) = Period::containing(kind, today)
        && !periods.contains(&current)
    {
        periods.push(current);
    }
    periods.sort_unstable();
    periods.reverse();
    periods
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a real date in the test")
    }

    #[test]
    fn every_kind_has_one_code_letter() {
        let letters: Vec<_> = PeriodKind::ALL.iter().map(|k| k.code_letter()).collect();
        assert_eq!(letters, ["M", "Q", "H", "N", "Y"]);
    }

    #[test]
    fn the_first_and_last_supported_periods_have_no_neighbour_beyond_them() {
        let first = Period::new(PeriodKind::Monthly, 1900, 1).expect("a supported period");
        let last = Period::new(PeriodKind::Monthly, 2200, 12).expect("a supported period");
        assert_eq!(first.previous(), None);
        assert_eq!(last.next(), None);
        assert_eq!(first.window().0, date(1899, 12, 15));
        assert_eq!(
            Period::containing(PeriodKind::Monthly, date(2200, 12, 15)),
            None
        );
    }

    #[test]
    fn recurring_work_reports_for_the_current_year_by_default_and_one_off_work_once() {
        let today = date(2026, 7, 1);
        let yearly = TimeFrame::parse("Hằng năm");
        let ongoing = TimeFrame::parse("Thường xuyên");
        let once = TimeFrame::parse("Quý II/2026");
        let year_2026 = Period::new(PeriodKind::Annual, 2026, 1).ok();
        assert_eq!(default_report_period(&yearly, today), year_2026);
        assert_eq!(default_report_period(&ongoing, today), year_2026);
        assert_eq!(default_report_period(&once, today), None);
        // From 15 December the next year's period runs.
        assert_eq!(
            default_report_period(&yearly, date(2026, 12, 15)),
            Period::new(PeriodKind::Annual, 2027, 1).ok()
        );
    }

    #[test]
    fn report_choices_run_from_the_task_start_to_the_current_period_newest_first() {
        let today = date(2026, 7, 20);
        let codes = |tf: &str, kind| -> Vec<String> {
            report_choices(&TimeFrame::parse(tf), kind, today)
                .into_iter()
                .map(Period::code)
                .collect()
        };
        // Quarter II of 2026 is due on 30 June; its windows reach 14 June and 14 September,
        // and the current third quarter is offered too.
        assert_eq!(
            codes("Quý II/2026", PeriodKind::Quarterly),
            ["2026-Q3", "2026-Q2"]
        );
        assert_eq!(
            codes("Quý II/2026", PeriodKind::Monthly),
            ["2026-M08", "2026-M07", "2026-M06", "2026-M05", "2026-M04"]
        );
        // Work with no start looks back two years at most.
        let months = codes("Hằng năm", PeriodKind::Monthly);
        assert_eq!(months.first().map(String::as_str), Some("2026-M08"));
        assert_eq!(months.last().map(String::as_str), Some("2024-M08"));
        assert_eq!(months.len(), 25);
        // Work that starts later still offers the current period.
        assert_eq!(codes("2027", PeriodKind::Annual), ["2026-Y"]);
    }

    #[test]
    fn deadline_counts_only_working_days() {
        // Friday 14 November 2025.
        let november = Period::new(PeriodKind::Monthly, 2025, 11).expect("a supported period");
        let rule = DeadlineRule::new(5).expect("a valid rule");
        assert_eq!(november.deadline(&rule, &[]), date(2025, 11, 21));
    }
}
