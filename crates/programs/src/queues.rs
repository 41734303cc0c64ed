//! Hàng chờ — what waits for the caller, for their home page: an approver's agency reports to
//! review (oldest first, with their deadline) and the returned ones being fixed; a
//! coordinator's agencies late with their report, change requests to decide and the next
//! synthesis due, per program; an administrator's tools. Each count links to its list.

use chrono::NaiveDate;
use dongbo_domain::RegimePeriod;
use dongbo_domain::access::{Action, Role};
use dongbo_store::changes::ChangeStatus;
use dongbo_store::reports::ReportStatus;
use serde::Serialize;

use crate::agency_reports::{self, AgencyReportSummary};
use crate::context::{Actor, Result};

/// An agency report in a queue, with what the line shows.
#[derive(Debug, Clone, Serialize)]
pub struct Queued {
    pub report: AgencyReportSummary,
    pub program_number: Option<String>,
    pub agency_name: String,
    /// The period's deadline.
    pub deadline: Option<NaiveDate>,
}

/// One program as its coordinator sees it on the home page.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramWatch {
    pub program_id: i64,
    pub program_number: Option<String>,
    /// The current period of the program's default regime ("2026-Y") and its deadline: the
    /// next synthesis is due once it has passed.
    pub period: String,
    pub deadline: NaiveDate,
    /// Agencies whose report for the period is not whole, and whether the deadline passed.
    pub agencies_not_sent: usize,
    pub late: bool,
    /// Change requests waiting for a decision.
    pub changes_pending: usize,
}

/// What waits for the caller.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Queues {
    pub to_review: Vec<Queued>,
    /// Task reports sent on their own (not within an agency report) waiting for review.
    pub tasks_to_review: Vec<dongbo_store::reports::AwaitingReview>,
    pub returned: Vec<Queued>,
    pub programs: Vec<ProgramWatch>,
    /// The caller administers something: the page links the administrators' tools.
    pub admin: bool,
}

impl Queues {
    pub fn is_empty(&self) -> bool {
        self.to_review.is_empty()
            && self.tasks_to_review.is_empty()
            && self.returned.is_empty()
            && self.programs.is_empty()
            && !self.admin
    }
}

/// The caller's queues on `actor`'s day.
pub async fn for_caller(actor: &Actor<'_>) -> Result<Queues> {
    let programs = actor.programs;
    let directory = programs.directory_with_units().await?;
    let mut queues = Queues {
        admin: actor.caller.grants.iter().any(|g| g.role == Role::Admin),
        ..Queues::default()
    };
    let review = agency_reports::queue(actor, &[ReportStatus::Submitted], Action::ReviewReport);
    let fix = agency_reports::queue(actor, &[ReportStatus::Returned], Action::SubmitReport);
    let (review, fix) = (review.await?, fix.await?);
    let list = programs.program_list().await?;
    let describe = |report: AgencyReportSummary| {
        let program = list.iter().find(|p| p.id == report.program_id);
        let deadline = report
            .period
            .parse::<dongbo_domain::Period>()
            .ok()
            .map(|p| {
                RegimePeriod::Decree09(p).deadline(&dongbo_domain::DeadlineRule::default(), &[])
            });
        Queued {
            program_number: program.and_then(|p| p.number.clone()),
            agency_name: directory.agency(&report.agency_code).map_or_else(
                || report.agency_code.clone(),
                |a| actor.t(&a.name_vi, &a.name_en).to_owned(),
            ),
            deadline,
            report,
        }
    };
    queues.to_review = review.into_iter().map(describe).collect();
    // Task reports sent on their own: those an agency report sent are reviewed with it.
    let in_agency_reports: Vec<(i64, &str, &str)> = queues
        .to_review
        .iter()
        .map(|q| {
            (
                q.report.program_id,
                q.report.agency_code.as_str(),
                q.report.period.as_str(),
            )
        })
        .collect();
    queues.tasks_to_review = dongbo_store::reports::awaiting_review(&programs.db)
        .await?
        .into_iter()
        .filter(|r| {
            actor
                .caller
                .can(Action::ReviewReport, &r.agency_code, &directory)
        })
        .filter(|r| {
            !in_agency_reports.iter().any(|(p, a, period)| {
                *p == r.program_id && *a == r.agency_code && *period == r.period
            })
        })
        .collect();
    queues.returned = fix.into_iter().map(describe).collect();

    let coordinates = actor
        .caller
        .grants
        .iter()
        .any(|g| g.role.permits(Action::DecideChangeRequest));
    if coordinates {
        let today = actor.today();
        for program in list.iter().filter(|p| p.kind != "plan") {
            let view = crate::views::completeness(programs, program.id, None, None, today).await?;
            let figures = &view.computed.figures;
            let deadline = figures.deadline;
            let pending = crate::changes::for_program(programs, program.id)
                .await?
                .iter()
                .filter(|c| c.status == ChangeStatus::Pending)
                .count();
            queues.programs.push(ProgramWatch {
                program_id: program.id,
                program_number: program.number.clone(),
                period: figures.period.clone(),
                deadline,
                agencies_not_sent: figures.agency_reports.missing as usize,
                late: today > deadline,
                changes_pending: pending,
            });
        }
    }
    Ok(queues)
}
