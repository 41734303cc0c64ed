//! Đánh giá theo giai đoạn — the scorecard of a program over a phase (3, 5 or 10 years, or any
//! range of days), per agency and for the whole program, with its course over time.
//!
//! Three measures, each a plain count with its share:
//!
//! - **Work**: the assignments due within the phase (their due date between its first and last
//!   day). As of the evaluation day — the phase's last day, or today while the phase runs — each
//!   is *done on time* (done on or before its due date), *done late* (done after it, but by the
//!   evaluation day) or *not done*. Recurring and open-ended work has no due date and is judged
//!   by its reports instead.
//! - **Reports**: the reports the program's regimes expected within the phase
//!   ([`crate::completeness::Timeliness`], one per assignment and period) whose deadline fell by
//!   the evaluation day: *on time*, *late* or *missing*, by their first submission.
//! - **Indicators**: the indicators each agency tracks, by the verdict on their latest value:
//!   *met*, *not met*, or *pending* (no value yet, a qualitative target not yet judged, or a
//!   direction no person has confirmed — counted apart as well, and never judged).
//!
//! The program's line counts every assignment, report and indicator once, so it is the sum of
//! the agencies' lines. [`Scorecard::series`] gives, at the end of every quarter of the phase
//! (Decree 09 quarters) and on the evaluation day, the share of the phase's work done so far
//! and the share of the reports due so far that came on time — what the charts draw.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::completeness::Timeliness;
use crate::dashboard::Fact;
use crate::period::{Period, PeriodKind, periods_overlapping};

/// The verdict on one indicator an agency tracks: `Some(true)` met, `Some(false)` not met,
/// `None` pending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorResult {
    pub agency_code: String,
    pub indicator_code: String,
    pub met: Option<bool>,
    /// Pending because its direction is a guess no person has confirmed (so never judged).
    pub direction_unconfirmed: bool,
}

/// A count and its share of a whole, in percent with one decimal.
fn percent(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0)
}

/// The work due within the phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Work {
    pub due: u32,
    pub done_on_time: u32,
    pub done_late: u32,
    pub not_done: u32,
}

impl Work {
    pub fn done_on_time_percent(&self) -> Option<f64> {
        percent(self.done_on_time, self.due)
    }

    pub fn done_late_percent(&self) -> Option<f64> {
        percent(self.done_late, self.due)
    }

    pub fn not_done_percent(&self) -> Option<f64> {
        percent(self.not_done, self.due)
    }
}

/// The reports expected within the phase whose deadline has passed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Reports {
    pub expected: u32,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
}

impl Reports {
    pub fn on_time_percent(&self) -> Option<f64> {
        percent(self.on_time, self.expected)
    }

    pub fn late_percent(&self) -> Option<f64> {
        percent(self.late, self.expected)
    }

    pub fn missing_percent(&self) -> Option<f64> {
        percent(self.missing, self.expected)
    }
}

/// The indicators tracked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Indicators {
    pub tracked: u32,
    pub met: u32,
    pub not_met: u32,
    pub pending: u32,
    /// Of the pending, those whose direction waits for a person to confirm it.
    pub direction_unconfirmed: u32,
}

impl Indicators {
    /// Share of the judged indicators that are met; `None` while none is judged.
    pub fn met_percent(&self) -> Option<f64> {
        percent(self.met, self.met + self.not_met)
    }
}

/// One line of the scorecard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Score {
    pub work: Work,
    pub reports: Reports,
    pub indicators: Indicators,
}

/// An agency's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyScore {
    pub agency_code: String,
    #[serde(flatten)]
    pub score: Score,
}

/// One point of the course over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub date: NaiveDate,
    /// Share of the phase's work done by `date`.
    pub done_percent: Option<f64>,
    /// Share of the reports due by `date` that came on time.
    pub reports_on_time_percent: Option<f64>,
}

/// The scorecard of a program over a phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day everything is judged on: the phase's end, or `today` while the phase runs.
    pub as_of: NaiveDate,
    /// Every agency with work, reports or indicators in the phase, by code.
    pub agencies: Vec<AgencyScore>,
    /// The whole program: the sum of the agencies.
    pub program: Score,
    pub series: Vec<Point>,
}

/// Evaluates a program over the phase `from`–`to` (both included) on `today`, from its
/// assignments' `facts`, the `timeliness` of the reports its regimes expected in the phase, and
/// the verdicts on the `indicators` its agencies track.
pub fn evaluate(
    facts: &[Fact],
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    timeliness: &[Timeliness],
    indicators: &[IndicatorResult],
) -> Scorecard {
    let as_of = today.min(to);
    let in_phase: Vec<(&Fact, NaiveDate)> = facts
        .iter()
        .filter_map(|f| f.due.filter(|d| (from..=to).contains(d)).map(|d| (f, d)))
        .collect();
    let reports: Vec<&Timeliness> = timeliness
        .iter()
        .filter(|t| t.deadline >= from && t.deadline <= as_of)
        .collect();

    let mut agencies: BTreeMap<&str, Score> = BTreeMap::new();
    for (fact, due) in &in_phase {
        let work = &mut agencies.entry(&fact.agency_code).or_default().work;
        work.due += 1;
        match fact.done_on.filter(|done| *done <= as_of) {
            Some(done) if done <= *due => work.done_on_time += 1,
            Some(_) => work.done_late += 1,
            None => work.not_done += 1,
        }
    }
    for record in &reports {
        let counts = &mut agencies.entry(&record.agency_code).or_default().reports;
        counts.expected += 1;
        match record.first_submitted_on.filter(|day| *day <= as_of) {
            Some(day) if day <= record.deadline => counts.on_time += 1,
            Some(_) => counts.late += 1,
            None => counts.missing += 1,
        }
    }
    for result in indicators {
        let counts = &mut agencies.entry(&result.agency_code).or_default().indicators;
        counts.tracked += 1;
        match result.met {
            Some(true) => counts.met += 1,
            Some(false) => counts.not_met += 1,
            None => counts.pending += 1,
        }
        if result.direction_unconfirmed {
            counts.direction_unconfirmed += 1;
        }
    }
    let mut program = Score::default();
    for score in agencies.values() {
        add(&mut program, score);
    }

    let mut dates: Vec<NaiveDate> = periods_overlapping(PeriodKind::Quarterly, from, as_of)
        .into_iter()
        .map(Period::end)
        .filter(|end| *end >= from && *end < as_of)
        .collect();
    dates.push(as_of);
    let due = u32::try_from(in_phase.len()).unwrap_or(u32::MAX);
    let series = dates
        .into_iter()
        .map(|date| {
            let done = in_phase
                .iter()
                .filter(|(f, _)| f.done_on.is_some_and(|d| d <= date))
                .count();
            let expected: Vec<&&Timeliness> =
                reports.iter().filter(|t| t.deadline <= date).collect();
            let on_time = expected
                .iter()
                .filter(|t| t.first_submitted_on.is_some_and(|d| d <= t.deadline))
                .count();
            Point {
                date,
                done_percent: percent(u32::try_from(done).unwrap_or(u32::MAX), due),
                reports_on_time_percent: percent(
                    u32::try_from(on_time).unwrap_or(u32::MAX),
                    u32::try_from(expected.len()).unwrap_or(u32::MAX),
                ),
            }
        })
        .collect();

    Scorecard {
        from,
        to,
        as_of,
        agencies: agencies
            .into_iter()
            .map(|(code, score)| AgencyScore {
                agency_code: code.to_owned(),
                score,
            })
            .collect(),
        program,
        series,
    }
}

fn add(total: &mut Score, score: &Score) {
    total.work.due += score.work.due;
    total.work.done_on_time += score.work.done_on_time;
    total.work.done_late += score.work.done_late;
    total.work.not_done += score.work.not_done;
    total.reports.expected += score.reports.expected;
    total.reports.on_time += score.reports.on_time;
    total.reports.late += score.reports.late;
    total.reports.missing += score.reports.missing;
    total.indicators.tracked += score.indicators.tracked;
    total.indicators.met += score.indicators.met;
    total.indicators.not_met += score.indicators.not_met;
    total.indicators.pending += score.indicators.pending;
    total.indicators.direction_unconfirmed += score.indicators.direction_unconfirmed;
}
