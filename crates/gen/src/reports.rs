//! Progress reports over 2020–2025 with their review, and the dashboard facts they leave:
//! what `dongbo_store::reports` and `dongbo_store::dashboard` would have written had every
//! save, submission, return and acceptance been made one at a time, in time order.
//!
//! Each assignment reports for every period its task owes under its program's regime
//! (`dongbo_domain::period::obligations`) up to the end of 2025. Of a thousand such reports,
//! about 70 are missing, 30 stay drafts, 30 wait for review, 30 are returned and not yet sent
//! again, 120 are returned and accepted after a second submission, the rest accepted; 150 are
//! sent after the deadline. About 45% of assignments reach 100%; the others stall short of
//! it, so tasks past their due date are overdue.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use dongbo_domain::period::obligations;
use dongbo_domain::{Period, PeriodKind, Role, RollupRule, TimeFrame};
use dongbo_store::assignments::{self, Assignment};
use dongbo_store::bulk::{self, NewProgress, NewReport, NewReportVersion};
use dongbo_store::{Db, ReportStatus, programs};

use crate::{
    Context, GenError, GeneratedPlan, GeneratedProgram, Progress, Rng, Summary, World, at,
    horizon_end, names, person, stream,
};

/// One change to an assignment's dashboard facts, as the report writes make them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Submitted,
    /// The report (by id) and its progress. Of acceptances in the same second, the store
    /// counts the one with the highest report id, so they apply in id order.
    Accepted(i64, u8),
}

/// The facts of one assignment as its events leave them.
#[derive(Debug, Clone, Default)]
struct Facts {
    /// The program (or plan) of the assignment.
    program_id: i64,
    row: Option<Row>,
    /// The latest acceptance among the assignment's reports, for the roll-up.
    accepted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
struct Row {
    progress: u8,
    started: bool,
    done_on: Option<NaiveDate>,
    rolled: Option<u8>,
    updated_at: DateTime<Utc>,
}

impl Facts {
    /// Applies events in time order, as `dashboard::record_submitted` and
    /// `dashboard::record_accepted` do.
    /// `by_year`: whether the work is judged year by year
    /// (`dongbo_domain::dashboard::judged_by_year`).
    fn apply(&mut self, events: &mut [(DateTime<Utc>, Event)], by_year: bool) {
        events.sort();
        for (time, event) in events.iter() {
            let before = self.row.take();
            let (progress, done_on) = match (event, &before) {
                (Event::Accepted(_, progress), _) => {
                    let done = (*progress >= 100).then(|| {
                        let before = before.as_ref().and_then(|row| row.done_on);
                        dongbo_domain::dashboard::done_on(before, vietnam_day(*time), by_year)
                    });
                    self.accepted_at = Some(*time);
                    (*progress, done)
                }
                (Event::Submitted, Some(row)) => (row.progress, row.done_on),
                (Event::Submitted, None) => (0, None),
            };
            self.row = Some(Row {
                progress,
                started: true,
                done_on,
                rolled: before.as_ref().and_then(|row| row.rolled),
                updated_at: *time,
            });
        }
    }
}

/// Whether the assignment's work is judged year by year, as the store judges it.
fn by_year(assignment: &Assignment, frame: &TimeFrame) -> bool {
    dongbo_domain::dashboard::judged_by_year(
        frame.recurrence != dongbo_domain::Recurrence::None,
        assignment.due_on.or(frame.due),
    )
}

/// The day in Vietnam (UTC+7) of a time.
fn vietnam_day(time: DateTime<Utc>) -> NaiveDate {
    dongbo_domain::period::vietnam_day(time)
}

/// The plan tasks carrying a national task out, by (agency, task code): the furthest
/// progress of their assignments and their latest acceptance.
type Children = BTreeMap<(String, String), (u8, Option<DateTime<Utc>>)>;

/// How a program's reports are due.
struct Due {
    issued_on: NaiveDate,
    period: PeriodKind,
    rule: dongbo_domain::DeadlineRule,
}

pub(crate) async fn write(
    db: &Db,
    world: &World,
    programs_made: &[GeneratedProgram],
    plans: &[GeneratedPlan],
    progress: &dyn Progress,
    summary: &mut Summary,
) -> Result<(), GenError> {
    let started = Instant::now();
    progress.start("reports", u64::try_from(programs_made.len()).unwrap_or(0));
    let (mut reports_written, mut versions_written, mut facts_written) = (0u64, 0u64, 0u64);
    for (index, program) in programs_made.iter().enumerate() {
        let mut rng = stream(world.seed, "reports", u64::try_from(index).unwrap_or(0));
        let mut batch = bulk::begin(
            db,
            &format!("generating the reports of program {}", program.id),
        )
        .await
        .doing(|| "generating reports".to_owned())?;
        let mut next = batch
            .next_id(bulk::IdTable::ProgressReports)
            .await
            .doing(|| "generating reports".to_owned())?;
        let mut reports = Vec::new();
        let mut facts: BTreeMap<i64, Facts> = BTreeMap::new();
        let national = assignments::for_program(db, program.id)
            .await
            .doing(|| format!("reading the assignments of program {}", program.id))?;
        let due = Due {
            issued_on: program.issued_on,
            period: program.period,
            rule: program.rule,
        };
        let frames = time_frames(db, program.id).await?;
        // Plans first: their acceptances roll up into the national assignments.
        let mut children = Children::new();
        for plan in plans.iter().filter(|p| p.parent == program.id) {
            let plan_due = Due {
                issued_on: program.issued_on,
                period: PeriodKind::Annual,
                rule: dongbo_domain::DeadlineRule::default(),
            };
            let plan_frames = time_frames(db, plan.id).await?;
            let plan_assignments = assignments::for_program(db, plan.id)
                .await
                .doing(|| format!("reading the assignments of plan {}", plan.id))?;
            for assignment in &plan_assignments {
                let Some(frame) = plan_frames.get(&assignment.task_code) else {
                    continue;
                };
                let mut events = Vec::new();
                reports.extend(reports_of(
                    assignment,
                    frame,
                    &plan_due,
                    &mut rng,
                    &mut next,
                    &mut events,
                ));
                let entry = facts.entry(assignment.id).or_default();
                entry.program_id = assignment.program_id;
                entry.apply(&mut events, by_year(assignment, frame));
                // A plan task's progress is the furthest of its assignments'.
                let child = children
                    .entry((plan.agency.clone(), assignment.task_code.clone()))
                    .or_insert((0, None));
                if let Some(row) = &entry.row {
                    child.0 = child.0.max(row.progress);
                }
                child.1 = child.1.max(entry.accepted_at);
            }
            batch
                .stamp_program(plan.id)
                .await
                .doing(|| format!("stamping plan {}", plan.id))?;
        }
        for assignment in &national {
            let Some(frame) = frames.get(&assignment.task_code) else {
                continue;
            };
            let mut events = Vec::new();
            reports.extend(reports_of(
                assignment,
                &frame.clone(),
                &due,
                &mut rng,
                &mut next,
                &mut events,
            ));
            let entry = facts.entry(assignment.id).or_default();
            entry.program_id = assignment.program_id;
            entry.apply(&mut events, by_year(assignment, frame));
        }
        roll_up(&national, &children, &mut facts);

        let rows: Vec<NewProgress> = facts
            .iter()
            .filter_map(|(id, facts)| {
                facts.row.as_ref().map(|row| NewProgress {
                    assignment_id: *id,
                    program_id: facts.program_id,
                    progress: row.progress,
                    started: row.started,
                    done_on: row.done_on,
                    rolled_progress: row.rolled,
                    updated_at: row.updated_at,
                })
            })
            .collect();
        for chunk in reports.chunks(5_000) {
            batch
                .reports(chunk)
                .await
                .doing(|| format!("writing the reports of program {}", program.id))?;
        }
        batch
            .progress(&rows)
            .await
            .doing(|| format!("writing the dashboard facts of program {}", program.id))?;
        batch
            .stamp_program(program.id)
            .await
            .doing(|| format!("stamping program {}", program.id))?;
        let versions: usize = reports.iter().map(|r| r.versions.len()).sum();
        batch
            .audit(
                crate::ACTOR,
                "gen.reports",
                serde_json::json!({
                    "program_id": program.id,
                    "reports": reports.len(),
                    "versions": versions,
                }),
            )
            .await
            .doing(|| "generating reports".to_owned())?;
        batch
            .commit()
            .await
            .doing(|| format!("committing the reports of program {}", program.id))?;
        reports_written += u64::try_from(reports.len()).unwrap_or(0);
        versions_written += u64::try_from(versions).unwrap_or(0);
        facts_written += u64::try_from(rows.len()).unwrap_or(0);
        progress.advance(1);
    }
    progress.finish();
    let elapsed = started.elapsed();
    summary.add("progress_reports", reports_written, elapsed);
    summary.add("report_versions", versions_written, elapsed);
    summary.add("assignment_progress", facts_written, elapsed);
    Ok(())
}

/// The time frame of each task of a program, by code.
async fn time_frames(db: &Db, program_id: i64) -> Result<BTreeMap<String, TimeFrame>, GenError> {
    let program = programs::get(db, program_id)
        .await
        .doing(|| format!("reading program {program_id}"))?
        .ok_or_else(|| GenError::Store {
            context: format!("reading program {program_id}"),
            source: dongbo_store::StoreError::NotFound(format!("program {program_id}")),
        })?;
    Ok(program
        .program
        .tasks
        .into_iter()
        .map(|task| (task.code, task.time_frame))
        .collect())
}

/// Rolls the plan tasks' progress up into the agencies' national assignments, as
/// `dashboard::roll_up_from` does after each acceptance of a plan task's report: each national
/// task has one plan task per agency carrying it out (its copy, weight 1).
fn roll_up(national: &[Assignment], children: &Children, facts: &mut BTreeMap<i64, Facts>) {
    for ((agency, task), (progress, accepted_at)) in children {
        let Some(accepted_at) = accepted_at else {
            continue;
        };
        // The lead assignment when the agency has both roles (`ORDER BY role DESC`).
        let parent = national
            .iter()
            .filter(|a| &a.agency_code == agency && &a.task_code == task)
            .min_by_key(|a| match a.role {
                Role::Lead => 0,
                Role::Coordinating => 1,
            });
        let Some(parent) = parent else { continue };
        let rolled = dongbo_domain::rollup::roll_up(
            RollupRule::Weighted,
            &[dongbo_domain::rollup::Child {
                progress: *progress,
                weight: 1,
            }],
        );
        let entry = facts.entry(parent.id).or_default();
        entry.program_id = parent.program_id;
        match &mut entry.row {
            Some(row) => {
                row.rolled = rolled;
                row.updated_at = row.updated_at.max(*accepted_at);
            }
            None => {
                entry.row = Some(Row {
                    progress: 0,
                    started: false,
                    done_on: None,
                    rolled,
                    updated_at: *accepted_at,
                });
            }
        }
    }
}

/// The reports of one assignment, and the events they make on its facts.
fn reports_of(
    assignment: &Assignment,
    frame: &TimeFrame,
    due: &Due,
    rng: &mut Rng,
    next: &mut i64,
    events: &mut Vec<(DateTime<Utc>, Event)>,
) -> Vec<NewReport> {
    let end = horizon_end();
    let periods: Vec<Period> = obligations(frame, due.period, due.issued_on..=end)
        .into_iter()
        .filter(|p| p.end() <= end)
        .collect();
    if periods.is_empty() {
        return Vec::new();
    }
    let goal: u8 = if rng.chance(450) {
        100
    } else {
        u8::try_from(20 + rng.below(75)).unwrap_or(50)
    };
    let author = person(rng);
    let reviewer = person(rng);
    let count = periods.len();
    let mut reports = Vec::new();
    for (k, period) in periods.iter().enumerate() {
        let share = (usize::from(goal) * (k + 1)) / count;
        let progress = u8::try_from(share.min(100)).unwrap_or(100);
        if let Some(versions) = story(
            *period, *next, due, progress, &author, &reviewer, rng, events,
        ) {
            reports.push(NewReport {
                id: *next,
                assignment_id: assignment.id,
                period: period.code(),
                versions,
            });
            *next += 1;
        }
    }
    reports
}

/// What happened to one period's report, version by version; `None` when it was never written.
#[expect(
    clippy::too_many_arguments,
    reason = "one report's story, its parts named"
)]
fn story(
    period: Period,
    report_id: i64,
    due: &Due,
    progress: u8,
    author: &str,
    reviewer: &str,
    rng: &mut Rng,
    events: &mut Vec<(DateTime<Utc>, Event)>,
) -> Option<Vec<NewReportVersion>> {
    let deadline = period.deadline(&due.rule, &[]);
    let fate = rng.below(1000);
    if fate < 70 {
        return None;
    }
    let late = rng.chance(150);
    let sent_on = if late {
        deadline + days(1 + rng.below(40))
    } else {
        deadline - days(rng.below(12))
    };
    let content = Content {
        results: format!(
            "{}; đạt khoảng {progress}% khối lượng công việc của kỳ {}.",
            rng.pick(names::RESULTS),
            period
        ),
        progress,
        difficulties: (*rng.pick(names::DIFFICULTIES)).to_owned(),
        recommendations: (*rng.pick(names::RECOMMENDATIONS)).to_owned(),
    };
    let mut versions = Vec::new();
    let mut time = at(sent_on - days(2 + rng.below(5)), rng);
    if fate < 100 || rng.chance(200) {
        versions.push(content.version("save", author, time, ReportStatus::Draft, None));
        if fate < 100 {
            return Some(versions);
        }
    }
    time = time.max(at(sent_on, rng));
    versions.push(content.version("submit", author, time, ReportStatus::Submitted, None));
    events.push((time, Event::Submitted));
    if fate < 130 {
        return Some(versions);
    }
    if fate < 280 {
        time += days(1 + rng.below(6));
        let comment = (*rng.pick(names::RETURN_COMMENTS)).to_owned();
        versions.push(content.version(
            "return",
            reviewer,
            time,
            ReportStatus::Returned,
            Some(comment),
        ));
        if fate < 160 {
            return Some(versions);
        }
        time += days(1 + rng.below(8));
        let mut again = content.clone();
        again.results.push_str(" Đã bổ sung số liệu theo yêu cầu.");
        versions.push(again.version("submit", author, time, ReportStatus::Submitted, None));
        events.push((time, Event::Submitted));
        time += days(1 + rng.below(5));
        versions.push(again.version("accept", reviewer, time, ReportStatus::Accepted, None));
        events.push((time, Event::Accepted(report_id, progress)));
        return Some(versions);
    }
    time += days(1 + rng.below(10));
    versions.push(content.version("accept", reviewer, time, ReportStatus::Accepted, None));
    events.push((time, Event::Accepted(report_id, progress)));
    Some(versions)
}

fn days(n: usize) -> Duration {
    Duration::days(i64::try_from(n).unwrap_or(0))
}

/// What a report says; a review copies it into its version.
#[derive(Debug, Clone)]
struct Content {
    results: String,
    progress: u8,
    difficulties: String,
    recommendations: String,
}

impl Content {
    fn version(
        &self,
        action: &'static str,
        author: &str,
        saved_at: DateTime<Utc>,
        status_after: ReportStatus,
        comment: Option<String>,
    ) -> NewReportVersion {
        NewReportVersion {
            action,
            results: dongbo_domain::text::nfc(&self.results),
            progress: self.progress,
            difficulties: dongbo_domain::text::nfc(&self.difficulties),
            recommendations: dongbo_domain::text::nfc(&self.recommendations),
            author: author.to_owned(),
            saved_at,
            status_after,
            comment: comment.map(|c| dongbo_domain::text::nfc(&c)),
        }
    }
}
