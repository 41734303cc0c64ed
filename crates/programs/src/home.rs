//! Trang chủ — how things stand, on one screen. Signed in ([`for_caller`]): the work of the
//! caller's agencies due within [`DUE_THIS_WEEK_DAYS`] and overdue, the reports waiting for the
//! caller's review, the returned reports to fix, the notices, and the caller's [`Queues`].
//! Anonymous ([`public_progress`]): each action program's progress, overall and per group, and
//! the day of its last accepted report.
//!
//! Nothing is judged here a second time: the work comes from `dongbo_domain::dashboard::
//! agency_work` over the kept facts (as `/my` has it), the progress from the program's
//! dashboard ([`crate::work::dashboard`]), the queues from [`crate::queues`].

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use dongbo_domain::access::ROOT_AGENCY;
use dongbo_domain::dashboard::{AgencyLine, agency_work};
use dongbo_domain::state::StateCounts;
use dongbo_domain::{Role, WorkState};
use dongbo_store::notifications::Notification;
use dongbo_store::reports::{ReportStatus, WaitingReport};
use serde::Serialize;

use crate::Programs;
use crate::context::{Actor, Result};
use crate::queues::{self, Queues};
use crate::work;

/// How many days ahead open work counts as "due this week".
pub const DUE_THIS_WEEK_DAYS: i64 = 7;

/// How many notices the home page lists (the agency's page on `/my` has them all).
pub const SHOWN_NOTICES: usize = 10;

/// One assignment of the caller's agencies, as a line of the home page.
#[derive(Debug, Clone, Serialize)]
pub struct WorkItem {
    /// Where its report is written: `/assignments/{id}/report`.
    pub assignment_id: i64,
    pub program_id: i64,
    pub program_number: Option<String>,
    pub task_code: String,
    pub task_title: String,
    pub agency_code: String,
    pub role: Role,
    pub state: WorkState,
    /// The day it is judged against (for recurring work, its period's deadline).
    pub due: Option<NaiveDate>,
}

/// A notice of one of the caller's agencies.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub agency_code: String,
    pub notification: Notification,
}

/// The signed-in home page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Home {
    /// Open work due within [`DUE_THIS_WEEK_DAYS`] days, soonest first.
    pub due_this_week: Vec<WorkItem>,
    /// Open work past its due day, longest overdue first.
    pub overdue: Vec<WorkItem>,
    /// Task reports of the caller's agencies returned to be fixed, most recent first.
    pub returned: Vec<WaitingReport>,
    /// Unresolved notices of the caller's agencies, newest first, at most [`SHOWN_NOTICES`].
    pub notices: Vec<Notice>,
    /// How many unresolved notices there are in all.
    pub notice_count: usize,
    /// Agency reports to review and returned, task reports to review, programs watched.
    pub queues: Queues,
}

/// Whether `line` is due within the week after `today`.
fn due_this_week(line: &AgencyLine<'_>, today: NaiveDate) -> bool {
    line.due
        .is_some_and(|due| due >= today && (due - today).num_days() <= DUE_THIS_WEEK_DAYS)
}

/// The caller's home page on the actor's day.
pub async fn for_caller(actor: &Actor<'_>) -> Result<Home> {
    let today = actor.today();
    let mut home = Home {
        queues: queues::for_caller(actor).await?,
        ..Home::default()
    };
    for code in actor.caller.agencies() {
        if code == ROOT_AGENCY {
            continue;
        }
        let agency = work::for_agency(actor.programs, &code).await?;
        let assignments: HashMap<(i64, &str, Role), &work::AgencyAssignment> = agency
            .assigned
            .iter()
            .map(|a| {
                let key = (
                    a.assignment.program_id,
                    a.assignment.task_code.as_str(),
                    a.assignment.role,
                );
                (key, a)
            })
            .collect();
        for (program_id, facts) in &agency.facts {
            let lines = agency_work(facts, &code, today);
            let item = |line: &AgencyLine<'_>| {
                let key = (*program_id, line.fact.task_code.as_str(), line.fact.role);
                assignments.get(&key).map(|a| WorkItem {
                    assignment_id: a.assignment.id,
                    program_id: *program_id,
                    program_number: a.program_number.clone(),
                    task_code: line.fact.task_code.clone(),
                    task_title: a.task.title.clone(),
                    agency_code: code.clone(),
                    role: line.fact.role,
                    state: line.state,
                    due: line.due,
                })
            };
            home.due_this_week.extend(
                lines
                    .due_soon
                    .iter()
                    .filter(|l| due_this_week(l, today))
                    .filter_map(item),
            );
            home.overdue.extend(lines.overdue.iter().filter_map(item));
        }
        home.returned.extend(
            crate::reports::waiting_for_agency(actor.programs, &code)
                .await?
                .into_iter()
                .filter(|r| r.status == ReportStatus::Returned),
        );
        for notification in crate::reminders::notices(actor.programs, &code).await? {
            if notification.resolved_at.is_none() {
                home.notices.push(Notice {
                    agency_code: code.clone(),
                    notification,
                });
            }
        }
    }
    home.due_this_week.sort_by_key(|w| w.due);
    home.overdue.sort_by_key(|w| w.due);
    home.notices
        .sort_by_key(|n| std::cmp::Reverse(n.notification.created_at));
    home.notice_count = home.notices.len();
    home.notices.truncate(SHOWN_NOTICES);
    Ok(home)
}

/// One group's line of a program's progress.
#[derive(Debug, Clone, Serialize)]
pub struct GroupProgress {
    pub code: String,
    pub title: String,
    pub counts: StateCounts,
}

/// A program's progress as anyone may see it.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramProgress {
    pub program_id: i64,
    pub number: Option<String>,
    pub title: String,
    /// One count per task, as its dashboard counts them on the day.
    pub tasks: StateCounts,
    pub groups: Vec<GroupProgress>,
    /// The day (in Vietnam) of its latest task report still accepted.
    pub last_accepted: Option<NaiveDate>,
}

/// A share of `total` in whole percent (rounded down), 0 of none.
pub fn percent(part: u64, total: u64) -> u64 {
    part.checked_mul(100)
        .and_then(|p| p.checked_div(total))
        .unwrap_or(0)
}

/// Each action program (not an agency's implementation plan) with its progress on `today`:
/// what the public home page shows. Programs and their task states are public in Đồng Bộ (the
/// program pages are); the dashboard's per-agency figures, reports and reminders are not, and
/// are not here.
pub async fn public_progress(
    programs: &Programs,
    today: NaiveDate,
) -> Result<Vec<ProgramProgress>> {
    let list = programs.program_list().await?;
    let last_accepted: BTreeMap<i64, NaiveDate> =
        dongbo_store::reports::last_accepted_by_program(&programs.db).await?;
    let period = work::missing_period(None, today)?;
    let mut shown = Vec::new();
    for summary in list.iter().filter(|p| p.kind != "plan") {
        let stamp = programs.dashboard_stamp(summary.id).await?;
        let program = programs.program_detail(summary.id, stamp).await?;
        let computed = work::dashboard(programs, summary.id, stamp, None, today, period).await?;
        let figures = &computed.figures;
        let groups = figures
            .groups
            .iter()
            .map(|(code, counts)| GroupProgress {
                code: code.clone(),
                title: program
                    .groups
                    .iter()
                    .find(|g| &g.code == code)
                    .map(|g| g.title.clone())
                    .unwrap_or_default(),
                counts: *counts,
            })
            .collect();
        shown.push(ProgramProgress {
            program_id: summary.id,
            number: summary.number.clone(),
            title: summary.title.clone(),
            tasks: figures.tasks,
            groups,
            last_accepted: last_accepted.get(&summary.id).copied(),
        });
    }
    Ok(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_whole_percents_and_nothing_of_nothing_is_zero() {
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(3, 3), 100);
        assert_eq!(percent(0, 0), 0);
    }
}
