//! Bảng theo dõi — the figures of a program's dashboard, computed from one fact per assignment
//! (its due date and the progress its accepted reports give), which the store keeps up to date
//! on every report written. Nothing here is stored: the figures are a plain function of the
//! facts and the day, so they are right immediately after every write.
//!
//! - A **task's** state is judged on its lead assignments (the lead answers for the task): it
//!   is done when every lead's work is done, on the day the last one was; its progress is the
//!   mean of the leads' ([`crate::rollup`]'s average rule).
//! - An **agency's** figures count every assignment it holds, lead or coordinating.
//! - **Recurring** work ("Hằng năm", "Thường xuyên") is judged by the annual periods of Decree
//!   09/2019: when the work had begun by the end of the previous period, that period's
//!   deadline has passed and no report reached 100% within or after it, the work is overdue;
//!   otherwise it is judged for the current period, due on that period's submission deadline
//!   and done only by a report accepted within the period.
//! - **Reports missing** for a period: open work that had begun by the period's end owes a
//!   report for it until a submitted or accepted report covers it ([`owes_report`],
//!   [`report_covers`], [`missing_reports`]).
//! - An **agency's** own view: its open work, what is due within [`DUE_SOON_DAYS`] and what is
//!   overdue ([`agency_work`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::assignment::Role;
use crate::period::{DeadlineRule, Period, PeriodKind};
use crate::regime::RegimePeriod;
use crate::rollup::{Child, RollupRule, roll_up};
use crate::state::{StateCounts, StateInput, WorkState, compute};

/// What the store knows of one assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub agency_code: String,
    pub role: Role,
    pub task_code: String,
    pub group_code: String,
    /// The assignment's own due date, else its task's; `None` for recurring or open-ended work.
    pub due: Option<NaiveDate>,
    /// Whether the work recurs every year or is ongoing.
    pub recurring: bool,
    /// When the work began: its time frame's start, else its program's date.
    pub start: Option<NaiveDate>,
    /// From the latest accepted report, 0–100.
    pub progress: u8,
    /// Whether any report was submitted.
    pub started: bool,
    /// The day the report that reached 100% was accepted.
    pub done_on: Option<NaiveDate>,
}

/// One agency's line on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyFigures {
    pub agency_code: String,
    pub counts: StateCounts,
    /// Share of its finished assignments finished on time, in percent.
    pub on_time_percent: Option<u8>,
}

/// One task's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskFigures {
    pub task_code: String,
    pub group_code: String,
    pub state: WorkState,
    /// Mean progress of its leads.
    pub progress: u8,
    pub due: Option<NaiveDate>,
}

/// The figures of a program's dashboard on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgramFigures {
    /// One count per task.
    pub tasks: StateCounts,
    /// Per group, in the order groups first appear in the facts.
    pub groups: Vec<(String, StateCounts)>,
    /// Every task, in the order of the facts.
    pub task_lines: Vec<TaskFigures>,
    /// Per agency, by agency code.
    pub agencies: Vec<AgencyFigures>,
}

impl ProgramFigures {
    /// The tasks overdue and not done.
    pub fn overdue(&self) -> impl Iterator<Item = &TaskFigures> {
        self.task_lines
            .iter()
            .filter(|t| t.state == WorkState::OverdueNotDone)
    }
}

/// The state of one assignment on `today`.
pub fn assignment_state(fact: &Fact, today: NaiveDate) -> WorkState {
    compute(&input(fact, today), today)
}

/// Whether work is judged year by year (recurring work without a due date) rather than once.
pub fn judged_by_year(recurring: bool, due: Option<NaiveDate>) -> bool {
    recurring && due.is_none()
}

/// The day an assignment counts as done when a report at 100% is accepted on `accepted_on`,
/// given the day it was done `before`, if it was. Work done once keeps the first day it
/// reached 100 (a re-acceptance does not move it); work judged year by year
/// ([`judged_by_year`]) keeps it only within the same reporting year, so that each year's
/// report completes that year. The store and `dongbo gen` both apply this rule.
pub fn done_on(before: Option<NaiveDate>, accepted_on: NaiveDate, by_year: bool) -> NaiveDate {
    let year_start = || Period::containing(PeriodKind::Annual, accepted_on).map(|p| p.start());
    match before {
        Some(before) if !by_year => before,
        Some(before) if year_start().is_none_or(|start| before >= start) => before,
        _ => accepted_on,
    }
}

/// The state input of a fact on `today`: recurring work is judged by annual periods (see the
/// module documentation).
fn input(fact: &Fact, today: NaiveDate) -> StateInput {
    if !judged_by_year(fact.recurring, fact.due) {
        return StateInput {
            due: fact.due,
            progress: fact.progress,
            done_on: fact.done_on,
            started: fact.started,
        };
    }
    let Some(current) = Period::containing(PeriodKind::Annual, today) else {
        return StateInput::default();
    };
    let rule = DeadlineRule::default();
    if let Some(previous) = current.previous() {
        let (previous_start, previous_end) = previous.window();
        let previous_deadline = previous.deadline(&rule, &[]);
        let ran_then = fact.start.is_none_or(|start| start <= previous_end);
        let done_since = fact.done_on.is_some_and(|d| d >= previous_start);
        if ran_then && today > previous_deadline && !done_since {
            // Overdue for the previous period; the progress shown is the latest reported.
            return StateInput {
                due: Some(previous_deadline),
                progress: fact.progress.min(99),
                done_on: None,
                started: fact.started,
            };
        }
    }
    let (start, _) = current.window();
    let this_period = fact.done_on.is_some_and(|d| d >= start);
    StateInput {
        due: Some(current.deadline(&rule, &[])),
        progress: if this_period {
            fact.progress
        } else {
            fact.progress.min(99)
        },
        done_on: fact.done_on.filter(|_| this_period),
        started: fact.started,
    }
}

/// The dashboard of a program on `today`, from the facts of its assignments.
pub fn program_figures(facts: &[Fact], today: NaiveDate) -> ProgramFigures {
    // Tasks, from their leads, in the order they first appear.
    let mut task_order: Vec<(&str, &str)> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut leads: HashMap<&str, Vec<StateInput>> = HashMap::new();
    for fact in facts {
        if seen.insert(&fact.task_code) {
            task_order.push((&fact.task_code, &fact.group_code));
        }
        if fact.role == Role::Lead {
            leads
                .entry(&fact.task_code)
                .or_default()
                .push(input(fact, today));
        }
    }
    let mut tasks = StateCounts::default();
    let mut groups: Vec<(String, StateCounts)> = Vec::new();
    let mut task_lines = Vec::new();
    for (code, group) in task_order {
        let Some(inputs) = leads.get(code) else {
            continue;
        };
        let children: Vec<Child> = inputs
            .iter()
            .map(|i| Child {
                progress: i.progress.min(100),
                weight: 1,
            })
            .collect();
        let all_done = inputs
            .iter()
            .all(|i| i.progress >= 100 && i.done_on.is_some());
        let progress = roll_up(RollupRule::Average, &children).unwrap_or(0);
        let combined = StateInput {
            due: inputs.iter().filter_map(|i| i.due).max(),
            progress: if all_done { 100 } else { progress.min(99) },
            done_on: if all_done {
                inputs.iter().filter_map(|i| i.done_on).max()
            } else {
                None
            },
            started: inputs.iter().any(|i| i.started),
        };
        let state = compute(&combined, today);
        tasks.add(state);
        match groups.iter_mut().find(|(g, _)| g == group) {
            Some((_, counts)) => counts.add(state),
            None => {
                let mut counts = StateCounts::default();
                counts.add(state);
                groups.push((group.to_owned(), counts));
            }
        }
        task_lines.push(TaskFigures {
            task_code: code.to_owned(),
            group_code: group.to_owned(),
            state,
            progress: combined.progress,
            due: combined.due,
        });
    }

    let mut agencies: BTreeMap<&str, StateCounts> = BTreeMap::new();
    for fact in facts {
        agencies
            .entry(&fact.agency_code)
            .or_default()
            .add(assignment_state(fact, today));
    }
    let agencies = agencies
        .into_iter()
        .map(|(code, counts)| {
            let done = counts.get(WorkState::DoneOnTime) + counts.get(WorkState::DoneLate);
            AgencyFigures {
                agency_code: code.to_owned(),
                on_time_percent: (done > 0).then(|| {
                    u8::try_from(counts.get(WorkState::DoneOnTime) * 100 / done).unwrap_or(100)
                }),
                counts,
            }
        })
        .collect();
    ProgramFigures {
        tasks,
        groups,
        task_lines,
        agencies,
    }
}

/// How many days ahead work counts as due soon on an agency's dashboard.
pub const DUE_SOON_DAYS: i64 = 30;

/// One assignment on its agency's dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyLine<'a> {
    pub fact: &'a Fact,
    pub state: WorkState,
    /// The date the state is judged against: the due date, or for recurring work the
    /// deadline of the period it is judged for (see the module documentation).
    pub due: Option<NaiveDate>,
}

/// An agency's work on `today`, from the facts of one or more programs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgencyWork<'a> {
    /// Việc cần làm — its open (not done) assignments, in the order of the facts.
    pub to_do: Vec<AgencyLine<'a>>,
    /// Sắp đến hạn — open and due within [`DUE_SOON_DAYS`], soonest first.
    pub due_soon: Vec<AgencyLine<'a>>,
    /// Quá hạn — open and past due, longest overdue first.
    pub overdue: Vec<AgencyLine<'a>>,
}

/// Every assignment of the agency `agency_code` among `facts` on `today`, done or not, in
/// the order of the facts.
pub fn agency_lines<'a>(
    facts: &'a [Fact],
    agency_code: &str,
    today: NaiveDate,
) -> Vec<AgencyLine<'a>> {
    facts
        .iter()
        .filter(|f| f.agency_code == agency_code)
        .map(|fact| {
            let judged = input(fact, today);
            AgencyLine {
                fact,
                state: compute(&judged, today),
                due: judged.due,
            }
        })
        .collect()
}

/// The work of the agency `agency_code` among `facts` on `today`.
pub fn agency_work<'a>(facts: &'a [Fact], agency_code: &str, today: NaiveDate) -> AgencyWork<'a> {
    let mut work = AgencyWork::default();
    for line in agency_lines(facts, agency_code, today) {
        if line.state.is_done() {
            continue;
        }
        let state = line.state;
        if state == WorkState::OverdueNotDone {
            work.overdue.push(line.clone());
        } else if line
            .due
            .is_some_and(|due| (due - today).num_days() <= DUE_SOON_DAYS)
        {
            work.due_soon.push(line.clone());
        }
        work.to_do.push(line);
    }
    work.due_soon.sort_by_key(|l| l.due);
    work.overdue.sort_by_key(|l| l.due);
    work
}

/// Báo cáo còn thiếu — whether an assignment still owes a report for `period` on `today`.
///
/// The rule: an assignment owes a report for a period when its work is **open** on `today`
/// (not done, as [`assignment_state`] judges it) and **had begun by the end of the period**
/// (its start, else its program's date, is on or before the period's cut-off). Work past its
/// due date and not done keeps owing reports. It no longer owes it once a report covering the
/// period (see [`report_covers`]) is submitted or accepted — the caller knows the reports.
pub fn owes_report(fact: &Fact, period: Period, today: NaiveDate) -> bool {
    !assignment_state(fact, today).is_done() && begun_by(fact, period.end())
}

/// Whether the work of `fact` had begun by `cutoff`: its start, else its program's date, is on
/// or before it (no start at all counts as begun).
fn begun_by(fact: &Fact, cutoff: NaiveDate) -> bool {
    fact.start.is_none_or(|s| s <= cutoff)
}

/// Whether an assignment was due to report for a period whose data window is `window`,
/// whatever happened since: its work had begun by the cut-off and was not finished before the
/// window opened (recurring work is never finished for good). Unlike [`owes_report`] this does
/// not depend on the day: work finished during or after the period was still due to report on
/// it — what [`crate::completeness`] counts as *expected*.
pub fn due_to_report(fact: &Fact, window: (NaiveDate, NaiveDate)) -> bool {
    let (start, end) = window;
    let finished_before = !fact.recurring && fact.done_on.is_some_and(|done| done < start);
    begun_by(fact, end) && !finished_before
}

/// Whether a report covers `period`, whose deadline follows `rule`: a report for that very
/// period (`report_period`), or the one-off report of work reported once (`report_period` is
/// `None`) submitted (`submitted_on`) within the period's window or by its deadline.
///
/// A phase is covered by the annual report of the year holding the phase's last day (the final
/// year's report doubles as the phase's, *báo cáo năm và giai đoạn*), or by a one-off report
/// submitted within the phase or by its deadline.
pub fn report_covers(
    period: &RegimePeriod,
    rule: &DeadlineRule,
    report_period: Option<Period>,
    submitted_on: Option<NaiveDate>,
) -> bool {
    match (report_period, period) {
        (Some(p), RegimePeriod::Decree09(period)) => p == *period,
        (Some(p), RegimePeriod::Phase(phase)) => {
            Some(p) == Period::containing(PeriodKind::Annual, phase.end())
        }
        (None, _) => submitted_on
            .is_some_and(|day| day >= period.window().0 && day <= period.deadline(rule, &[])),
    }
}

/// The assignments of each agency that owe a report for `period` on `today`: per agency code,
/// the facts still owing, in the order of the facts. `covered` says whether a fact's
/// assignment has a report covering the period.
pub fn missing_reports(
    facts: &[Fact],
    period: Period,
    today: NaiveDate,
    covered: impl Fn(&Fact) -> bool,
) -> BTreeMap<&str, Vec<&Fact>> {
    let mut missing: BTreeMap<&str, Vec<&Fact>> = BTreeMap::new();
    for fact in facts {
        if owes_report(fact, period, today) && !covered(fact) {
            missing.entry(&fact.agency_code).or_default().push(fact);
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn fact(agency: &str, role: Role, task: &str, due: Option<&str>) -> Fact {
        Fact {
            agency_code: agency.into(),
            role,
            task_code: task.into(),
            group_code: task.split('.').next().unwrap().into(),
            due: due.map(date),
            recurring: false,
            start: None,
            progress: 0,
            started: false,
            done_on: None,
        }
    }

    fn done(mut fact: Fact, on: &str) -> Fact {
        fact.progress = 100;
        fact.started = true;
        fact.done_on = Some(date(on));
        fact
    }

    #[test]
    fn a_task_is_done_when_every_lead_is_and_coordinators_do_not_decide_it() {
        let today = date("2025-06-01");
        let facts = vec![
            done(
                fact("A", Role::Lead, "1.1", Some("2025-12-31")),
                "2025-05-01",
            ),
            fact("B", Role::Lead, "1.1", Some("2025-12-31")),
            done(
                fact("A", Role::Lead, "1.2", Some("2025-03-31")),
                "2025-04-02",
            ),
            fact("C", Role::Coordinating, "1.2", Some("2025-03-31")),
            fact("A", Role::Lead, "2.1", Some("2025-01-31")),
        ];
        let figures = program_figures(&facts, today);
        let states: Vec<(&str, WorkState, u8)> = figures
            .task_lines
            .iter()
            .map(|t| (t.task_code.as_str(), t.state, t.progress))
            .collect();
        assert_eq!(
            states,
            [
                ("1.1", WorkState::InProgress, 50),
                ("1.2", WorkState::DoneLate, 100),
                ("2.1", WorkState::OverdueNotDone, 0),
            ]
        );
        assert_eq!(figures.tasks.total(), 3);
        assert_eq!(figures.groups.len(), 2);
        assert_eq!(figures.groups[0].1.total(), 2);
        assert_eq!(
            figures
                .overdue()
                .map(|t| t.task_code.as_str())
                .collect::<Vec<_>>(),
            ["2.1"]
        );
        let a = &figures.agencies[0];
        assert_eq!(a.agency_code, "A");
        assert_eq!(a.counts.total(), 3);
        assert_eq!(a.on_time_percent, Some(50), "one on time, one late");
        let c = figures
            .agencies
            .iter()
            .find(|a| a.agency_code == "C")
            .unwrap();
        assert_eq!(c.counts.get(WorkState::OverdueNotDone), 1);
        assert_eq!(c.on_time_percent, None);
    }

    #[test]
    fn a_day_done_is_kept_for_good_once_and_within_its_reporting_year_for_recurring_work() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // Work done once: the first day it reached 100 stays.
        assert_eq!(
            done_on(Some(day(2025, 3, 1)), day(2026, 6, 1), false),
            day(2025, 3, 1)
        );
        assert_eq!(done_on(None, day(2026, 6, 1), false), day(2026, 6, 1));
        // Yearly work: last year's day gives way to this year's acceptance (the reporting
        // year 2026 runs from 15 December 2025)...
        assert_eq!(
            done_on(Some(day(2025, 12, 12)), day(2026, 1, 5), true),
            day(2026, 1, 5)
        );
        // ...but a re-acceptance in the same reporting year keeps the first day.
        assert_eq!(
            done_on(Some(day(2025, 12, 16)), day(2026, 1, 5), true),
            day(2025, 12, 16)
        );
        assert!(judged_by_year(true, None));
        assert!(!judged_by_year(true, Some(day(2026, 1, 1))));
        assert!(!judged_by_year(false, None));
    }

    #[test]
    fn recurring_work_is_judged_by_annual_periods() {
        let mut yearly = fact("A", Role::Lead, "1.2", None);
        yearly.recurring = true;
        yearly.start = Some(date("2025-01-01"));
        // Done in the 2025 period (15 Dec 2024 – 14 Dec 2025).
        let done_2025 = done(yearly.clone(), "2025-03-01");
        assert_eq!(
            assignment_state(&done_2025, date("2025-06-01")),
            WorkState::DoneOnTime
        );
        // From 15 Dec 2025 the 2026 period runs: 2025's report does not make 2026 done.
        assert_eq!(
            assignment_state(&done_2025, date("2025-12-20")),
            WorkState::InProgress
        );
        // Nothing reported for 2025: within the deadline (Monday 15 Dec 2025, one working day
        // after the Sunday cut-off) it waits; the day after, it is overdue.
        assert_eq!(
            assignment_state(&yearly, date("2025-12-15")),
            WorkState::NotStarted
        );
        assert_eq!(
            assignment_state(&yearly, date("2025-12-16")),
            WorkState::OverdueNotDone
        );
        // A report accepted late for 2025 lifts that.
        let late = done(yearly.clone(), "2025-12-20");
        assert_eq!(
            assignment_state(&late, date("2025-12-21")),
            WorkState::DoneOnTime,
            "done for the 2026 period it fell in"
        );
        // Work that began in 2026 owes nothing for 2025.
        let mut new = yearly.clone();
        new.start = Some(date("2026-01-01"));
        assert_eq!(
            assignment_state(&new, date("2026-01-05")),
            WorkState::NotStarted
        );
    }

    #[test]
    fn an_agency_sees_its_open_work_due_soon_soonest_first_and_overdue() {
        let today = date("2025-06-01");
        let facts = vec![
            fact("A", Role::Lead, "1.1", Some("2025-06-20")),
            fact("A", Role::Coordinating, "1.2", Some("2025-06-10")),
            fact("A", Role::Lead, "1.3", Some("2025-12-31")),
            fact("A", Role::Lead, "2.1", Some("2025-03-31")),
            done(
                fact("A", Role::Lead, "2.2", Some("2025-06-05")),
                "2025-05-01",
            ),
            fact("B", Role::Lead, "1.1", Some("2025-06-20")),
        ];
        let work = agency_work(&facts, "A", today);
        let codes = |lines: &[AgencyLine]| -> Vec<String> {
            lines.iter().map(|l| l.fact.task_code.clone()).collect()
        };
        assert_eq!(codes(&work.to_do), ["1.1", "1.2", "1.3", "2.1"]);
        assert_eq!(codes(&work.due_soon), ["1.2", "1.1"]);
        assert_eq!(codes(&work.overdue), ["2.1"]);
        assert_eq!(work.overdue[0].state, WorkState::OverdueNotDone);
        // Thirty days ahead is still due soon; thirty-one is not.
        let edge = vec![
            fact("A", Role::Lead, "3.1", Some("2025-07-01")),
            fact("A", Role::Lead, "3.2", Some("2025-07-02")),
        ];
        assert_eq!(codes(&agency_work(&edge, "A", today).due_soon), ["3.1"]);
    }

    #[test]
    fn open_work_that_had_begun_owes_a_report_until_one_covers_the_period() {
        let today = date("2026-03-01");
        let year_2026 = Period::new(PeriodKind::Annual, 2026, 1).unwrap();
        let mut late = fact("A", Role::Lead, "1.1", Some("2025-06-30"));
        late.start = Some(date("2025-01-01"));
        let mut future = fact("A", Role::Lead, "1.2", Some("2027-12-31"));
        future.start = Some(date("2027-01-01"));
        let finished = done(
            fact("B", Role::Lead, "1.3", Some("2026-12-31")),
            "2026-02-01",
        );
        let open = fact("B", Role::Coordinating, "1.3", Some("2026-12-31"));
        let facts = vec![late, future, finished, open];
        assert!(
            owes_report(&facts[0], year_2026, today),
            "overdue work reports"
        );
        assert!(!owes_report(&facts[1], year_2026, today), "not begun yet");
        assert!(!owes_report(&facts[2], year_2026, today), "done");
        let missing = missing_reports(&facts, year_2026, today, |_| false);
        let codes: Vec<(&str, Vec<&str>)> = missing
            .iter()
            .map(|(a, f)| (*a, f.iter().map(|f| f.task_code.as_str()).collect()))
            .collect();
        assert_eq!(codes, [("A", vec!["1.1"]), ("B", vec!["1.3"])]);
        let covered = missing_reports(&facts, year_2026, today, |f| f.agency_code == "B");
        assert_eq!(covered.keys().copied().collect::<Vec<_>>(), ["A"]);
    }

    #[test]
    fn a_report_covers_its_own_period_and_a_one_off_report_the_period_it_was_sent_in() {
        let q1 = Period::new(PeriodKind::Quarterly, 2026, 1).unwrap();
        let q2 = q1.next().unwrap();
        let rule = DeadlineRule::default();
        let covers = |report, on: Option<&str>| {
            report_covers(&RegimePeriod::Decree09(q1), &rule, report, on.map(date))
        };
        assert!(covers(Some(q1), None));
        assert!(!covers(Some(q2), Some("2026-01-10")));
        // Q1 2026: 15 Dec 2025 – 14 Mar 2026, due Monday 16 March.
        assert!(covers(None, Some("2025-12-15")));
        assert!(covers(None, Some("2026-03-16")));
        assert!(!covers(None, Some("2026-03-17")));
        assert!(!covers(None, Some("2025-12-14")));
        assert!(!covers(None, None), "never submitted");
        // A rule of three working days moves the deadline to Wednesday 18 March.
        let three = DeadlineRule::new(3).unwrap();
        let q1 = RegimePeriod::Decree09(q1);
        assert!(report_covers(&q1, &three, None, Some(date("2026-03-18"))));
        assert!(!report_covers(&q1, &three, None, Some(date("2026-03-19"))));
    }

    #[test]
    fn no_facts_give_empty_figures() {
        let figures = program_figures(&[], date("2025-01-01"));
        assert_eq!(figures.tasks.total(), 0);
        assert!(figures.groups.is_empty() && figures.agencies.is_empty());
    }
}
