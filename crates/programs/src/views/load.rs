//! Builds the view models from the store and the directory. Pages and API handlers both call
//! these, so the HTML and the JSON always say the same thing.

use std::collections::HashSet;
use std::sync::Arc;

use dongbo_domain::Directory;
use dongbo_store::{Db, assignments, programs, tasks};

use super::*;
use crate::context::{Error, Result};

pub async fn program_list(db: &Db) -> Result<Vec<ProgramSummary>> {
    Ok(programs::list(db)
        .await?
        .into_iter()
        .map(|p| ProgramSummary {
            id: p.id,
            number: p.number,
            kind: p.kind.as_str().to_owned(),
            title: p.title,
            issued_on: p.issued_on,
            issuer: p.issuer,
            group_count: p.group_count,
            task_count: p.task_count,
        })
        .collect())
}

/// The agency that coordinates a program — decides its change requests, chooses the members
/// of its open sets, sends its reminders: its issuer ("CP" for 47/NQ-CP), or the Government
/// when the document names none.
pub fn coordinating_agency(program: &ProgramDetail) -> String {
    program.issuer.as_ref().map_or_else(
        || dongbo_domain::access::ROOT_AGENCY.to_owned(),
        |issuer| issuer.code.clone(),
    )
}

/// [`coordinating_agency`] of program `id` now (`Error::NotFound` when there is none).
pub async fn coordinating_agency_of(state: &crate::Programs, id: i64) -> Result<String> {
    Ok(coordinating_agency(&*state.program_now(id).await?))
}

/// A stored program as its pages show it, agencies resolved in `directory`.
pub fn program_view(directory: &Directory, stored: &programs::StoredProgram) -> ProgramDetail {
    let id = stored.id;
    let program = &stored.program;
    let document = program.document.clone();
    let groups = program
        .groups_shown()
        .into_iter()
        .map(|group| GroupView {
            tasks: program
                .tasks
                .iter()
                .filter(|t| program.shown_group_of(t) == group.code)
                .map(|t| task_view(directory, id, t))
                .collect(),
            code: group.code,
            title: group.title,
        })
        .collect();
    ProgramDetail {
        id,
        number: document.number,
        kind: document.kind.as_str().to_owned(),
        title: document.title,
        issued_on: document.issued_on,
        issuer: document.issuer.as_deref().map(|c| agency_ref(directory, c)),
        issuer_text: document.issuer_text,
        signer: document.signer,
        implements: document.implements,
        language: document.language,
        groups,
    }
}

pub async fn task(
    state: &crate::Programs,
    directory: &Directory,
    program_id: i64,
    code: &str,
    stamp: dongbo_store::dashboard::Stamp,
) -> Result<TaskDetail> {
    let db = &state.db;
    // The program, its assignments and its open sets as the server keeps them at `stamp`.
    let by_task = state.program_assignments(program_id, stamp).await?;
    // The task as the kept program shows it; read alone only if it is not there (a task
    // outside every group).
    let kept = state
        .program_detail(program_id, stamp)
        .await?
        .groups
        .iter()
        .flat_map(|g| &g.tasks)
        .find(|t| t.code == code)
        .cloned();
    let task = match kept {
        Some(task) => task,
        None => {
            let task = tasks::get(db, program_id, code)
                .await?
                .ok_or(Error::NotFound)?;
            task_view(directory, program_id, &task)
        }
    };
    let assignments = by_task
        .get(code)
        .into_iter()
        .flatten()
        .map(|a| AssignmentView {
            id: a.id,
            agency: agency_ref(directory, &a.agency_code),
            role: a.role.as_str().to_owned(),
            origins: a
                .origins
                .iter()
                .map(|o| OriginView {
                    role: o.role.as_str().to_owned(),
                    via_set: o.via_set.as_deref().map(|s| set_ref(directory, s)),
                    original: agency_ref(directory, &o.original),
                    succeeded: o.succeeded(&a.agency_code),
                })
                .collect(),
        })
        .collect();
    let open_sets = state
        .open_sets(program_id, stamp)
        .await?
        .get(code)
        .into_iter()
        .flatten()
        .map(|p| OpenSetView {
            id: p.id,
            set: set_ref(directory, &p.set_code),
            role: p.role.as_str().to_owned(),
            chosen: p.chosen_at.is_some(),
        })
        .collect();
    Ok(TaskDetail {
        task,
        assignments,
        open_sets,
    })
}

pub fn agency_list(directory: &Directory) -> Vec<AgencyListItem> {
    let mut list: Vec<AgencyListItem> = directory
        .agencies
        .iter()
        .map(|a| AgencyListItem {
            code: a.code.clone(),
            kind: kind_name(a.kind),
            name_vi: a.name_vi.clone(),
            name_en: a.name_en.clone(),
            valid_from: a.valid_from,
            valid_until: a.valid_until,
        })
        .collect();
    list.sort_by_cached_key(|a| dongbo_domain::text::fold(&a.name_vi));
    list
}

pub fn kind_name(kind: dongbo_domain::AgencyKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub async fn agency_detail(
    state: &crate::Programs,
    directory: &Directory,
    code: &str,
) -> Result<AgencyDetail> {
    let db = &state.db;
    let agency = directory.agency(code).ok_or(Error::NotFound)?;
    let predecessors = directory
        .agencies
        .iter()
        .filter(|a| a.successors.iter().any(|s| s.code == agency.code))
        .map(|a| agency_ref(directory, &a.code))
        .collect();

    // An agency that exists answers for its assignments. One that has ended has none left (its
    // successors carry them): its page lists the tasks documents named it for, as they meant it.
    let mut found = Vec::new();
    if agency.valid_until.is_none() {
        // Its assignments with their tasks, read by the agency's index: a few statements for
        // its thousands of tasks, where reading each program it works in (two hundred at
        // national scale, 700,000 assignments) took seconds. The page itself is kept.
        for placed in assignments::for_agency(db, code).await? {
            found.push(AgencyTask {
                program_number: placed.program_number.clone(),
                role: placed.assignment.role.as_str().to_owned(),
                via: assignment_via(directory, &placed.assignment),
                task: task_view(directory, placed.assignment.program_id, &placed.task),
            });
        }
    } else {
        let mut seen = HashSet::new();
        for program in programs::list(db).await? {
            let as_of = program
                .issued_on
                .unwrap_or_else(dongbo_domain::clock::today);
            let codes = directory.answerable_codes(code, as_of);
            for hit in tasks::naming(db, &codes).await? {
                if hit.program_id != program.id {
                    continue;
                }
                let role = hit.role.as_str().to_owned();
                if !seen.insert((hit.program_id, hit.task.code.clone(), role.clone())) {
                    continue;
                }
                let via = via(directory, code, &hit.via_code);
                found.push(AgencyTask {
                    program_number: hit.program_number.clone(),
                    role,
                    via,
                    task: task_view(directory, hit.program_id, &hit.task),
                });
            }
        }
    }
    let mut programs: Vec<AgencyProgram> = Vec::new();
    for task in &found {
        let id = task.task.program_id;
        // Tasks come in program order, so the program is nearly always the last one.
        let at = match programs.iter().rposition(|p| p.program_id == id) {
            Some(at) => at,
            None => {
                programs.push(AgencyProgram {
                    program_id: id,
                    program_number: task.program_number.clone(),
                    lead: 0,
                    coordinating: 0,
                });
                programs.len() - 1
            }
        };
        match task.role.as_str() {
            "lead" => programs[at].lead += 1,
            _ => programs[at].coordinating += 1,
        }
    }
    Ok(AgencyDetail {
        programs,
        task_count: found.len(),
        code: agency.code.clone(),
        kind: kind_name(agency.kind),
        name_vi: agency.name_vi.clone(),
        name_en: agency.name_en.clone(),
        aliases: agency.aliases.clone(),
        valid_from: agency.valid_from,
        valid_until: agency.valid_until,
        successors: successor_refs(directory, &agency.successors),
        predecessors,
        source: agency.source.clone(),
        source_vi: agency.source_vi.clone(),
        tasks: found,
    })
}

/// How an assignment reached its agency, told by its most telling origin: named by its own
/// name first, then the predecessor a document named, then the agency set.
fn assignment_via(directory: &Directory, assignment: &assignments::Assignment) -> Via {
    let code = &assignment.agency_code;
    let named = |own: bool| {
        assignment
            .origins
            .iter()
            .find(|o| o.via_set.is_none() && o.succeeded(code) != own)
            .map(|o| o.original.as_str())
    };
    let telling = named(true)
        .or_else(|| named(false))
        .or_else(|| assignment.origins.iter().find_map(|o| o.via_set.as_deref()))
        .unwrap_or(code);
    via(directory, code, telling)
}

fn via(directory: &Directory, agency: &str, named: &str) -> Via {
    if named == agency {
        let a = agency_ref(directory, named);
        return Via {
            kind: "direct".into(),
            code: a.code,
            name_vi: a.name_vi,
            name_en: a.name_en,
        };
    }
    if let Some(set) = directory.set(named) {
        return Via {
            kind: "set".into(),
            code: set.code.clone(),
            name_vi: set.name_vi.clone(),
            name_en: set.name_en.clone(),
        };
    }
    let a = agency_ref(directory, named);
    Via {
        kind: "predecessor".into(),
        code: a.code,
        name_vi: a.name_vi,
        name_en: a.name_en,
    }
}

pub async fn search(db: &Db, directory: &Directory, query: &str) -> Result<Vec<SearchHit>> {
    let query = query.trim();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    if query.chars().count() > 200 {
        return Err(Error::BadRequest("query longer than 200 characters".into()));
    }
    Ok(tasks::search(db, query, 100)
        .await?
        .into_iter()
        .map(|hit| SearchHit {
            program_number: hit.program_number.clone(),
            task: task_view(directory, hit.program_id, &hit.task),
        })
        .collect())
}

/// How many periods the completeness page offers and charts: the current one and those before,
/// none ended before the program was issued.
pub const COMPLETENESS_PERIODS: usize = 8;

/// A program's completeness and timeliness for one regime and period (the page
/// `/programs/{id}/completeness` and its API), with what the choices offer.
#[derive(Debug, Clone)]
pub struct CompletenessView {
    pub regimes: Arc<dongbo_domain::Regimes>,
    pub regime: dongbo_domain::ReportingRegime,
    pub period: dongbo_domain::RegimePeriod,
    /// The regime's recent periods, oldest first, with the one asked for.
    pub periods: Vec<dongbo_domain::RegimePeriod>,
    /// The figures of the period, and the series over the periods.
    pub computed: Arc<Figures>,
}

/// What [`completeness`] computes, kept per program version (see
/// [`crate::Programs::completeness`]).
#[derive(Debug, Clone)]
pub struct Figures {
    pub figures: dongbo_domain::completeness::Completeness,
    /// The program's counts over [`CompletenessView::periods`].
    pub series: Vec<dongbo_domain::completeness::SeriesPoint>,
}

/// The completeness of program `id` under the regime `regime` (a key: "annual", "quarterly",
/// a phase's range; the default regime when absent) for `period` (a code of that regime; its
/// current period on `today` when absent). A key or code the program does not have is refused
/// next to its field.
pub async fn completeness(
    state: &crate::Programs,
    id: i64,
    regime: Option<&str>,
    period: Option<&str>,
    today: NaiveDate,
) -> Result<CompletenessView> {
    // One stamp for every read below; the program must exist.
    let stamp = state.dashboard_stamp(id).await?;
    let issued_on = state.program_detail(id, stamp).await?.issued_on;
    let regimes = state.regimes(id, stamp).await?;
    let regime = match regime.map(str::trim).filter(|k| !k.is_empty()) {
        None => regimes.default_regime().clone(),
        Some(key) => regimes.get(key).cloned().ok_or_else(|| {
            Error::field(
                "regime",
                format!(
                    "Chương trình không có chế độ báo cáo «{key}» — the program has no reporting \
                     regime «{key}»"
                ),
            )
        })?,
    };
    let mut periods = regime.recent_periods_since(today, COMPLETENESS_PERIODS, issued_on);
    let period = match period.map(str::trim).filter(|c| !c.is_empty()) {
        None => periods
            .last()
            .cloned()
            .ok_or_else(|| Error::BadRequest("no reporting period on that day".into()))?,
        Some(code) => regime.period(code).ok_or_else(|| {
            Error::field(
                "period",
                format!(
                    "«{code}» không phải một kỳ của chế độ báo cáo này (ví dụ: {}) — is not a \
                     period of this regime",
                    periods.last().map(|p| p.code()).unwrap_or_default()
                ),
            )
        })?,
    };
    if !periods.contains(&period) {
        periods.push(period.clone());
        periods.sort_by_key(|p| p.window());
    }
    let computed = state
        .completeness(id, stamp, &regime, &period, &periods, today)
        .await?;
    Ok(CompletenessView {
        regimes,
        regime,
        period,
        periods,
        computed,
    })
}
