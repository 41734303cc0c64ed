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
//! here: its reporting deadlines belong to the reporting calendar.

use std::collections::HashSet;

use chrono::NaiveDate;
use dongbo_store::assignments::Assignment;
use dongbo_store::notifications::NewReminder;

/// The kind of a reminder, as stored.
pub const DUE_SOON: &str = "due_soon";
pub const OVERDUE: &str = "overdue";
pub const RETURNED: &str = "returned";
pub const MANUAL: &str = "manual";

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
    let mut leads: Vec<u32> = lead_days.to_vec();
    leads.sort_unstable();
    leads.dedup();
    let mut out = Vec::new();
    for candidate in candidates {
        let assignment = &candidate.assignment;
        let Some(due) = candidate.due else { continue };
        if done.contains(&assignment.id) {
            continue;
        }
        let days_left = (due - today).num_days();
        let (kind, key) = if days_left < 0 {
            (OVERDUE, format!("{OVERDUE}:{}:{due}", assignment.id))
        } else {
            let Some(lead) = leads.iter().find(|lead| i64::from(**lead) >= days_left) else {
                continue;
            };
            (
                DUE_SOON,
                format!("{DUE_SOON}:{}:{lead}:{due}", assignment.id),
            )
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
