//! Reads behind both a page and its API, so that the two cannot disagree: an agency's
//! assignments with their state ([`for_agency`], [`my_assignments`]: `/my` and
//! `/api/v1/my/assignments`) and a program's dashboard ([`dashboard`]: the page and
//! `/api/v1/programs/{id}/dashboard`), each judged on the [`Actor`]'s day.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use dongbo_domain::access::ROOT_AGENCY;
use dongbo_domain::dashboard::{
    Fact, ProgramFigures, assignment_state, missing_reports, program_figures, report_covers,
};
use dongbo_domain::period::periods_overlapping;
use dongbo_domain::{DeadlineRule, Period, PeriodKind, RegimePeriod, Role, WorkState};
use dongbo_store::assignments;
pub use dongbo_store::assignments::AgencyAssignment;
use dongbo_store::dashboard::Stamp;
use dongbo_store::reports::ReportPeriod;
use serde::Serialize;
use utoipa::ToSchema;

use crate::Programs;
use crate::context::{Actor, Error, Result};

/// An agency's assignments with their tasks, and the dashboard facts of every program they are
/// in, as of each program's version now.
#[derive(Debug, Clone)]
pub struct AgencyWork {
    /// In the store's order: by program, then task.
    pub assigned: Vec<AgencyAssignment>,
    /// Each program's facts.
    pub facts: BTreeMap<i64, Arc<Vec<Fact>>>,
}

impl AgencyWork {
    /// The fact of assignment `a` (its state's inputs and progress), when its program has one.
    pub fn fact_of(&self, a: &AgencyAssignment) -> Option<&Fact> {
        self.facts.get(&a.assignment.program_id)?.iter().find(|f| {
            f.agency_code == a.assignment.agency_code
                && f.task_code == a.assignment.task_code
                && f.role == a.assignment.role
        })
    }

    /// The state of assignment `a` on `today`, and its progress.
    pub fn state_of(&self, a: &AgencyAssignment, today: NaiveDate) -> (WorkState, u8) {
        self.fact_of(a).map_or((WorkState::NotStarted, 0), |f| {
            (assignment_state(f, today), f.progress)
        })
    }
}

/// The assignments of agency `code` with the facts of their programs.
pub async fn for_agency(programs: &Programs, code: &str) -> Result<AgencyWork> {
    let assigned = assignments::for_agency(&programs.db, code).await?;
    let mut facts = BTreeMap::new();
    for a in &assigned {
        let program_id = a.assignment.program_id;
        if let std::collections::btree_map::Entry::Vacant(slot) = facts.entry(program_id) {
            slot.insert(programs.dashboard_facts(program_id).await?);
        }
    }
    Ok(AgencyWork { assigned, facts })
}

/// One assignment of one of the caller's agencies, with its state today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyAssignment {
    /// The assignment's id: reports are written under `/api/v1/assignments/{id}/reports`.
    pub id: i64,
    pub program_id: i64,
    pub program_number: Option<String>,
    pub task_code: String,
    pub task_title: String,
    pub agency_code: String,
    /// `lead` or `coordinating`.
    pub role: String,
    /// The time frame as the document wrote it.
    pub time_frame: String,
    /// The assignment's own due date, else its task's.
    pub due_on: Option<NaiveDate>,
    /// not_started, in_progress, done_on_time, done_late or overdue_not_done.
    pub state: String,
    /// Percent done, from the latest accepted report.
    pub progress: u8,
}

/// The assignments of every agency the caller has a role on (not the whole government), with
/// their state on the actor's day.
pub async fn my_assignments(actor: &Actor<'_>) -> Result<Vec<MyAssignment>> {
    let mut found = Vec::new();
    for code in actor.caller.agencies() {
        if code == ROOT_AGENCY {
            continue;
        }
        let work = for_agency(actor.programs, &code).await?;
        for a in &work.assigned {
            let (state, progress) = work.state_of(a, actor.today());
            found.push(MyAssignment {
                id: a.assignment.id,
                program_id: a.assignment.program_id,
                program_number: a.program_number.clone(),
                task_code: a.assignment.task_code.clone(),
                task_title: a.task.title.clone(),
                agency_code: a.assignment.agency_code.clone(),
                role: a.assignment.role.as_str().to_owned(),
                time_frame: a.task.time_frame.text.clone(),
                due_on: a.assignment.due_on.or(a.task.time_frame.due),
                state: state.as_str().to_owned(),
                progress,
            });
        }
    }
    Ok(found)
}

/// The facts of `group`'s tasks: a group narrows every figure to its tasks; without one the
/// kept facts serve as they are.
pub fn in_group<'f>(facts: &'f [Fact], group: Option<&str>) -> Cow<'f, [Fact]> {
    match group {
        Some(g) => Cow::Owned(
            facts
                .iter()
                .filter(|f| f.group_code == g)
                .cloned()
                .collect(),
        ),
        None => Cow::Borrowed(facts),
    }
}

/// What a program's dashboard shows for a day, a reporting period and a group, read once per
/// version of the program for all its viewers, page and API alike.
pub async fn dashboard(
    programs: &Programs,
    id: i64,
    stamp: Stamp,
    group: Option<&str>,
    today: NaiveDate,
    period: Period,
) -> Result<Arc<Computed>> {
    let version = stamp.version;
    let facts = programs.dashboard_facts_at(id, version).await?;
    let scoped = in_group(&facts, group);
    let regimes = programs.regimes(id, stamp).await?;
    programs
        .dashboard_computed(
            (id, group.map(str::to_owned), today, period.code()),
            version,
            compute(programs, id, version, &scoped, today, period, &regimes),
        )
        .await
}

/// The period whose missing reports the dashboard counts (the dashboard's period filter). Reports
/// missing are judged by `dongbo_domain::dashboard::missing_reports`: open work that had begun
/// by the period's end and has no submitted or accepted report covering it.
pub fn missing_period(asked: Option<&str>, today: NaiveDate) -> Result<Period> {
    let asked = asked.map(str::trim).filter(|a| !a.is_empty());
    let kind = match asked {
        None => PeriodKind::Annual,
        Some(text) => match text.parse::<PeriodKind>() {
            Ok(kind) => kind,
            Err(_) => {
                return text.parse::<Period>().map_err(|e| {
                    Error::BadRequest(format!(
                        "Kỳ báo cáo «{text}» không hợp lệ (ví dụ: annual, quarterly, 2026-Q3, \
                         2026-Y) — {e}"
                    ))
                });
            }
        },
    };
    // The period holding the day; for the nine-month report outside its window, the last one.
    Period::containing(kind, today)
        .or_else(|| periods_overlapping(kind, today - chrono::Duration::days(366), today).pop())
        .ok_or_else(|| Error::BadRequest("no reporting period on that day".into()))
}

/// What a dashboard computes from a program's facts and reports for a day, a reporting period
/// and a group: kept per program version (see [`dashboard`]), since every
/// viewer between two writes sees the same.
#[derive(Debug)]
pub struct Computed {
    pub figures: ProgramFigures,
    /// The completeness of the default regime's current period, when it has one.
    pub completeness: Option<(RegimePeriod, dongbo_domain::completeness::Completeness)>,
    /// Per agency, the work (task code, role) still owing the period's report.
    pub missing: BTreeMap<String, Vec<(String, Role)>>,
}

/// [`Computed`] for the facts `scoped` of program `id` at `version`.
async fn compute(
    state: &Programs,
    id: i64,
    version: i64,
    scoped: &[Fact],
    today: NaiveDate,
    period: Period,
    regimes: &dongbo_domain::regime::Regimes,
) -> Result<Computed> {
    let figures = program_figures(scoped, today);
    let rule = regimes
        .get(period.kind().as_str())
        .map_or_else(DeadlineRule::default, |r| r.rule);
    // Completeness of the default regime's current period (the page
    // `/programs/{id}/completeness` has the rest).
    let regime = regimes.default_regime();
    let completeness = match regime.current_period(today) {
        Some(current) => {
            let records = state.report_records(id, version, Some(&current)).await?;
            let figures = dongbo_domain::completeness::completeness(
                regime,
                &current,
                scoped,
                records.rows(),
                &[],
            );
            Some((current, figures))
        }
        None => None,
    };
    let sent = state.sent_for_period(id, version, period).await?;
    let covered: HashSet<(&str, &str, Role)> = sent
        .rows()
        .iter()
        .filter(|r| {
            let of = match r.period {
                ReportPeriod::Period(p) => Some(p),
                ReportPeriod::Once => None,
            };
            report_covers(&RegimePeriod::Decree09(period), &rule, of, r.submitted_on)
        })
        .map(|r| (r.agency_code.as_str(), r.task_code.as_str(), r.role))
        .collect();
    let missing = missing_reports(scoped, period, today, |f| {
        covered.contains(&(f.agency_code.as_str(), f.task_code.as_str(), f.role))
    })
    .into_iter()
    .map(|(agency, owing)| {
        let owing = owing
            .into_iter()
            .map(|f| (f.task_code.clone(), f.role))
            .collect();
        (agency.to_owned(), owing)
    })
    .collect();
    Ok(Computed {
        figures,
        completeness,
        missing,
    })
}
