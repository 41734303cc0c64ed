//! Tình hình gửi báo cáo — completeness and timeliness of the reports a regime calls for: per
//! agency and for the whole program, how many reports a period expects, how many were
//! submitted, on time or late, how many are missing and how many were accepted.
//!
//! The rules, for one [`ReportingRegime`] and one [`RegimePeriod`]:
//! - **Expected**: the assignments of the regime's reporters ([`crate::regime::Reporters`]) that were due to
//!   report for the period ([`crate::dashboard::due_to_report`]: begun by the cut-off, not finished
//!   before the window opened).
//! - The report **for** an assignment is the one covering the period
//!   ([`crate::dashboard::report_covers`]), judged by its **first** submission: a report returned and
//!   sent again keeps the day it was first sent, so fixing it does not make it late.
//! - **Submitted**: it has been submitted at least once (whatever its status now, a returned
//!   report included — it was sent, it waits to be fixed). **On time**: first submitted on or
//!   before the deadline (the Vietnamese day, [`crate::period::vietnam_day`]); **late**: after.
//!   **Missing**: expected and never submitted. **Accepted**: its status is accepted now.
//! - An agency's report for the period is **complete** when every assignment due in it has an
//!   accepted report. The agencies that are not hold the program's report back
//!   ([`Completeness::holding_back`]).
//!
//! Everything here is a plain function of the facts, the report records and the regime.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::assignment::Role;
use crate::dashboard::{Fact, due_to_report, report_covers};
use crate::period::Period;
use crate::regime::{RegimePeriod, ReportingRegime};

/// What completeness needs of one progress report of a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRecord {
    /// The assignment's agency, task and role (what ties the report to a [`Fact`]).
    pub agency_code: String,
    pub task_code: String,
    pub role: Role,
    /// The period it is for; `None` for a one-off report.
    pub period: Option<Period>,
    /// The Vietnamese day of its first submission; `None` for a draft never submitted.
    pub first_submitted_on: Option<NaiveDate>,
    /// Whether it is accepted now.
    pub accepted: bool,
}

/// Tính kịp thời của báo cáo — one assignment expected to report for a period: when its
/// report was first submitted and whether it is accepted. The per-assignment record the phase
/// scorecard reads; the figures of this module are counts of these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timeliness {
    pub agency_code: String,
    pub task_code: String,
    pub role: Role,
    /// The period's code ("2025-Y", or a phase's "2024-01-01..2026-12-31").
    pub period: String,
    /// The day the report was due.
    pub deadline: NaiveDate,
    /// The Vietnamese day of the report's first submission; `None`: missing.
    pub first_submitted_on: Option<NaiveDate>,
    pub accepted: bool,
}

impl Timeliness {
    pub fn submitted(&self) -> bool {
        self.first_submitted_on.is_some()
    }

    /// First submitted on or before the deadline.
    pub fn on_time(&self) -> bool {
        self.first_submitted_on
            .is_some_and(|day| day <= self.deadline)
    }

    /// First submitted after the deadline.
    pub fn late(&self) -> bool {
        self.first_submitted_on
            .is_some_and(|day| day > self.deadline)
    }

    /// Expected and never submitted.
    pub fn missing(&self) -> bool {
        self.first_submitted_on.is_none()
    }
}

/// The counts of one agency, or of the whole program.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub expected: u32,
    pub submitted: u32,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
    pub accepted: u32,
}

impl Counts {
    fn add(&mut self, record: &Timeliness) {
        self.expected += 1;
        self.submitted += u32::from(record.submitted());
        self.on_time += u32::from(record.on_time());
        self.late += u32::from(record.late());
        self.missing += u32::from(record.missing());
        self.accepted += u32::from(record.accepted);
    }

    /// Every expected report is accepted (true when none is expected).
    pub fn complete(&self) -> bool {
        self.accepted == self.expected
    }

    /// Share of the expected reports submitted on time, in percent; `None` when none is expected.
    pub fn on_time_percent(&self) -> Option<u8> {
        (self.expected > 0).then(|| u8::try_from(self.on_time * 100 / self.expected).unwrap_or(100))
    }
}

/// One agency's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyCompleteness {
    pub agency_code: String,
    #[serde(flatten)]
    pub counts: Counts,
    /// Every assignment due in the period has an accepted report.
    pub complete: bool,
    /// The day the agency's report for the period was whole: the latest first submission of
    /// its expected task reports; `None` while one of them was never sent. An agency sends
    /// one report for the period (báo cáo của cơ quan), judged by this day.
    pub sent_on: Option<NaiveDate>,
}

impl AgencyCompleteness {
    /// The agency's report was sent, whole, by the deadline.
    pub fn on_time(&self, deadline: NaiveDate) -> bool {
        self.sent_on.is_some_and(|day| day <= deadline)
    }
}

/// The completeness of a program's reports for one regime and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completeness {
    /// The regime's key ("annual").
    pub regime: String,
    /// The period's code.
    pub period: String,
    /// The first and last day of the period's data.
    pub window: (NaiveDate, NaiveDate),
    pub deadline: NaiveDate,
    /// Per agency expected to report, by agency code.
    pub agencies: Vec<AgencyCompleteness>,
    /// The whole program, counted in task reports.
    pub total: Counts,
    /// The whole program, counted in agency reports: one expected per agency, sent when all
    /// its task reports were, on time when that day is on or before the deadline, accepted
    /// when complete.
    pub agency_reports: Counts,
    /// Every expected report, in the order of the facts.
    pub records: Vec<Timeliness>,
}

impl Completeness {
    /// Cơ quan chưa hoàn thành báo cáo kỳ này — the agencies whose report for the period is
    /// not complete, holding the program's report back.
    pub fn holding_back(&self) -> impl Iterator<Item = &AgencyCompleteness> {
        self.agencies.iter().filter(|a| !a.complete)
    }

    /// Whether every agency's report is complete.
    pub fn complete(&self) -> bool {
        self.total.complete()
    }
}

/// The per-assignment timeliness of `period` under `regime`: one record per fact due to report
/// (see the module documentation), in the order of the facts.
pub fn timeliness(
    regime: &ReportingRegime,
    period: &RegimePeriod,
    facts: &[Fact],
    reports: &[ReportRecord],
    holidays: &[NaiveDate],
) -> Vec<Timeliness> {
    let window = period.window();
    let deadline = period.deadline(&regime.rule, holidays);
    let code = period.code();
    // The report of each assignment covering the period: its own period's first, else the
    // earliest one-off report that covers it.
    let mut covering: BTreeMap<(&str, &str, Role), &ReportRecord> = BTreeMap::new();
    for report in reports {
        if !report_covers(
            period,
            &regime.rule,
            report.period,
            report.first_submitted_on,
        ) {
            continue;
        }
        let key = (
            report.agency_code.as_str(),
            report.task_code.as_str(),
            report.role,
        );
        let better = covering.get(&key).is_none_or(|held| {
            (held.period.is_none(), held.first_submitted_on)
                > (report.period.is_none(), report.first_submitted_on)
        });
        if better {
            covering.insert(key, report);
        }
    }
    facts
        .iter()
        .filter(|fact| regime.reporters.include(fact.role) && due_to_report(fact, window))
        .map(|fact| {
            let report = covering
                .get(&(
                    fact.agency_code.as_str(),
                    fact.task_code.as_str(),
                    fact.role,
                ))
                .copied();
            Timeliness {
                agency_code: fact.agency_code.clone(),
                task_code: fact.task_code.clone(),
                role: fact.role,
                period: code.clone(),
                deadline,
                first_submitted_on: report.and_then(|r| r.first_submitted_on),
                accepted: report.is_some_and(|r| r.accepted),
            }
        })
        .collect()
}

/// The completeness of `period` under `regime`, per agency and for the program.
pub fn completeness(
    regime: &ReportingRegime,
    period: &RegimePeriod,
    facts: &[Fact],
    reports: &[ReportRecord],
    holidays: &[NaiveDate],
) -> Completeness {
    let records = timeliness(regime, period, facts, reports, holidays);
    let mut per_agency: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut total = Counts::default();
    for record in &records {
        per_agency
            .entry(&record.agency_code)
            .or_default()
            .add(record);
        total.add(record);
    }
    let mut sent_on: BTreeMap<&str, Option<NaiveDate>> = BTreeMap::new();
    for record in &records {
        let day = sent_on
            .entry(&record.agency_code)
            .or_insert(Some(NaiveDate::MIN));
        *day = match (*day, record.first_submitted_on) {
            (Some(held), Some(sent)) => Some(held.max(sent)),
            _ => None,
        };
    }
    let deadline = period.deadline(&regime.rule, holidays);
    let agencies: Vec<AgencyCompleteness> = per_agency
        .into_iter()
        .map(|(code, counts)| AgencyCompleteness {
            agency_code: code.to_owned(),
            complete: counts.complete(),
            counts,
            sent_on: sent_on.get(code).copied().flatten(),
        })
        .collect();
    let mut agency_reports = Counts::default();
    for agency in &agencies {
        agency_reports.expected += 1;
        agency_reports.submitted += u32::from(agency.sent_on.is_some());
        agency_reports.on_time += u32::from(agency.on_time(deadline));
        agency_reports.late += u32::from(agency.sent_on.is_some() && !agency.on_time(deadline));
        agency_reports.missing += u32::from(agency.sent_on.is_none());
        agency_reports.accepted += u32::from(agency.complete);
    }
    Completeness {
        regime: regime.key(),
        period: period.code(),
        window: period.window(),
        deadline,
        agencies,
        total,
        agency_reports,
        records,
    }
}

/// One point of the series over periods: a period's code and the program's counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeriesPoint {
    pub period: String,
    pub deadline: NaiveDate,
    pub total: Counts,
}

/// The program's counts for each of `periods` in turn (for charts over time).
pub fn series(
    regime: &ReportingRegime,
    periods: &[RegimePeriod],
    facts: &[Fact],
    reports: &[ReportRecord],
    holidays: &[NaiveDate],
) -> Vec<SeriesPoint> {
    periods
        .iter()
        .map(|period| {
            let figures = completeness(regime, period, facts, reports, holidays);
            SeriesPoint {
                period: figures.period,
                deadline: figures.deadline,
                total: figures.total,
            }
        })
        .collect()
}
