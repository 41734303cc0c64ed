//! Which reminders the rules call for on a day: a plain function of the assignments, their due
//! dates, what is done, and the lead times. No I/O.
//!
//! - **Due soon** (`due_soon`): the due date is at most `lead` days away, for a configured lead
//!   time. When several lead times apply (the first run happens 5 days before the date, with
//!   leads of 30 and 7 days), only the nearest one is reminded: the 30-day notice would say the
//!   same thing, later than the 7-day one. Its key names the assignment, the lead time and the
//!   due date, so a moved due date is reminded again.
//! - **Overdue** (`overdue`): the due date has passed and the work is not done; once per
//!   assignment and due date.
//!
//! Work with no due date (recurring or ongoing tasks, unparsed time frames) is not reminded
//! by those rules: its reporting deadlines belong to the reporting calendar, below.
//!
//! - **Periodic reports** (`report_due_soon`, `report_overdue`): for each reporting regime of
//!   a program ([`dongbo_domain::regime`]), an agency whose reports for the regime's current
//!   period are missing ([`dongbo_domain::completeness`]: expected, never submitted) is
//!   reminded "báo cáo kỳ … hạn …" at the nearest lead time before the regime's deadline, as
//!   tasks are; once that deadline or the previous period's has passed with reports still
//!   missing, once as overdue. Its key names the program, agency, regime, period, lead time
//!   and deadline, so a changed regime deadline is reminded again.

use std::collections::HashSet;

use chrono::NaiveDate;
use dongbo_domain::completeness::{ReportRecord, timeliness};
use dongbo_domain::dashboard::Fact;
use dongbo_domain::{RegimePeriod, ReportingRegime};
use dongbo_store::assignments::Assignment;
use dongbo_store::notifications::NewReminder;

/// The kind of a reminder, as stored.
pub const DUE_SOON: &str = "due_soon";
pub const OVERDUE: &str = "overdue";
pub const RETURNED: &str = "returned";
pub const MANUAL: &str = "manual";
pub const REPORT_DUE_SOON: &str = "report_due_soon";
pub const REPORT_OVERDUE: &str = "report_overdue";
/// A change request approved or rejected (`notifications::kinds::CHANGE_DECIDED`).
pub const CHANGE_DECIDED: &str = dongbo_store::notifications::kinds::CHANGE_DECIDED;

/// An assignment with what the rules need of its task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub assignment: Assignment,
    pub task_title: String,
    /// The assignment's own due date, else its task's.
    pub due: Option<NaiveDate>,
}

/// The reminders called for on `today`. `done` holds the ids of assignments that are done;
/// `lead_days` need not be sorted.
pub fn reminders(
    candidates: &[Candidate],
    done: &HashSet<i64>,
    today: NaiveDate,
    lead_days: &[u32],
) -> Vec<NewReminder> {
    let leads = sorted(lead_days);
    let mut out = Vec::new();
    for candidate in candidates {
        let assignment = &candidate.assignment;
        let Some(due) = candidate.due else { continue };
        if done.contains(&assignment.id) {
            continue;
        }
        let (kind, key) = match timing(due, today, &leads) {
            None => continue,
            Some(Timing::Overdue) => (OVERDUE, format!("{OVERDUE}:{}:{due}", assignment.id)),
            Some(Timing::DueSoon(lead)) => (
                DUE_SOON,
                format!("{DUE_SOON}:{}:{lead}:{due}", assignment.id),
            ),
        };
        out.push(NewReminder {
            dedupe_key: key,
            agency_code: assignment.agency_code.clone(),
            kind: kind.to_owned(),
            program_id: Some(assignment.program_id),
            task_code: Some(assignment.task_code.clone()),
            task_title: Some(candidate.task_title.clone()),
            due_on: Some(due),
            message: None,
        });
    }
    out
}

/// When a date calls for a reminder on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timing {
    Overdue,
    /// Due within this lead time (the nearest that applies).
    DueSoon(u32),
}

/// The lead times sorted, each once.
fn sorted(lead_days: &[u32]) -> Vec<u32> {
    let mut leads = lead_days.to_vec();
    leads.sort_unstable();
    leads.dedup();
    leads
}

/// Whether `due` is past on `today`, or within one of `leads` (sorted; the nearest is
/// chosen), or neither.
fn timing(due: NaiveDate, today: NaiveDate, leads: &[u32]) -> Option<Timing> {
    let days_left = (due - today).num_days();
    if days_left < 0 {
        return Some(Timing::Overdue);
    }
    leads
        .iter()
        .find(|lead| i64::from(**lead) >= days_left)
        .map(|lead| Timing::DueSoon(*lead))
}

/// An agency's reports still missing for one period of a program's reporting regime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwedReports {
    pub program_id: i64,
    pub agency_code: String,
    /// The regime's key ("annual") and the period's code ("2026-Y").
    pub regime_key: String,
    pub period_code: String,
    /// "Năm 2026", or a phase's name.
    pub period_label: String,
    pub deadline: NaiveDate,
    /// The tasks whose report is missing, in the order of the facts.
    pub task_codes: Vec<String>,
}

/// The agencies of program `program_id` whose reports for `period` under `regime` are
/// missing (expected and never submitted), by agency code.
pub fn owed_reports(
    program_id: i64,
    regime: &ReportingRegime,
    period: &RegimePeriod,
    facts: &[Fact],
    records: &[ReportRecord],
) -> Vec<OwedReports> {
    let mut owed: Vec<OwedReports> = Vec::new();
    for record in timeliness(regime, period, facts, records, &[]) {
        if !record.missing() {
            continue;
        }
        match owed
            .iter_mut()
            .find(|o| o.agency_code == record.agency_code)
        {
            Some(agency) => {
                if !agency.task_codes.contains(&record.task_code) {
                    agency.task_codes.push(record.task_code);
                }
            }
            None => owed.push(OwedReports {
                program_id,
                agency_code: record.agency_code,
                regime_key: regime.key(),
                period_code: record.period,
                period_label: period.label_vi(),
                deadline: record.deadline,
                task_codes: vec![record.task_code],
            }),
        }
    }
    owed.sort_by(|a, b| a.agency_code.cmp(&b.agency_code));
    owed
}

/// The periodic-report reminders called for on `today` (see the module documentation).
pub fn report_reminders(
    owed: &[OwedReports],
    today: NaiveDate,
    lead_days: &[u32],
) -> Vec<NewReminder> {
    let leads = sorted(lead_days);
    let mut out = Vec::new();
    for agency in owed {
        let due = agency.deadline;
        let scope = format!(
            "{}:{}:{}:{}",
            agency.program_id, agency.agency_code, agency.regime_key, agency.period_code
        );
        let (kind, key) = match timing(due, today, &leads) {
            None => continue,
            Some(Timing::Overdue) => (REPORT_OVERDUE, format!("{REPORT_OVERDUE}:{scope}:{due}")),
            Some(Timing::DueSoon(lead)) => (
                REPORT_DUE_SOON,
                format!("{REPORT_DUE_SOON}:{scope}:{lead}:{due}"),
            ),
        };
        out.push(NewReminder {
            dedupe_key: key,
            agency_code: agency.agency_code.clone(),
            kind: kind.to_owned(),
            program_id: Some(agency.program_id),
            task_code: None,
            task_title: None,
            due_on: Some(due),
            message: Some(format!(
                "Báo cáo kỳ {} hạn {}: còn thiếu báo cáo của {} nhiệm vụ ({}).",
                agency.period_label,
                due.format("%d/%m/%Y"),
                agency.task_codes.len(),
                agency.task_codes.join(", ")
            )),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use dongbo_domain::Role;

    use super::*;

    fn candidate(id: i64, due: Option<NaiveDate>) -> Candidate {
        Candidate {
            assignment: Assignment {
                id,
                program_id: 1,
                task_code: format!("1.{id}"),
                agency_code: "BNG".to_owned(),
                role: Role::Lead,
                origins: Vec::new(),
                manual: false,
                due_on: None,
            },
            task_title: "Nhiệm vụ".to_owned(),
            due,
        }
    }

    fn day(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, month, day).unwrap()
    }

    fn keys(reminders: &[NewReminder]) -> Vec<&str> {
        reminders.iter().map(|r| r.dedupe_key.as_str()).collect()
    }

    #[test]
    fn the_nearest_lead_time_that_applies_is_reminded() {
        let all = [
            candidate(1, Some(day(12, 31))),
            candidate(2, Some(day(12, 5))),
            candidate(3, Some(day(11, 30))),
            candidate(4, None),
        ];
        let found = reminders(&all, &HashSet::new(), day(12, 1), &[30, 7]);
        assert_eq!(
            keys(&found),
            [
                "due_soon:1:30:2025-12-31",
                "due_soon:2:7:2025-12-05",
                "overdue:3:2025-11-30"
            ]
        );
        assert_eq!(found[2].kind, OVERDUE);
    }

    #[test]
    fn work_beyond_every_lead_time_or_done_is_not_reminded() {
        let all = [
            candidate(1, Some(day(12, 31))),
            candidate(2, Some(day(11, 1))),
        ];
        assert!(reminders(&all, &HashSet::new(), day(11, 30), &[30, 7]).len() == 1);
        assert!(reminders(&all, &HashSet::from([2]), day(11, 30), &[30, 7]).is_empty());
    }

    #[test]
    fn the_due_date_itself_is_still_due_soon() {
        let all = [candidate(1, Some(day(12, 31)))];
        assert_eq!(
            keys(&reminders(&all, &HashSet::new(), day(12, 31), &[7, 30])),
            ["due_soon:1:7:2025-12-31"]
        );
        assert_eq!(
            keys(&reminders(
                &all,
                &HashSet::new(),
                day(12, 31).succ_opt().unwrap(),
                &[7]
            )),
            ["overdue:1:2025-12-31"]
        );
    }
}
