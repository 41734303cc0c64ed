//! What the API returns and the pages show: one set of view types, built from the store and
//! the directory, serialised as JSON under `/api/v1` and rendered as HTML by `pages`.

use chrono::NaiveDate;
use dongbo_domain::{Directory, Resolution, Task, TimeFrame};
use serde::Serialize;
use utoipa::ToSchema;

/// An agency as other views refer to it, with what became of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyRef {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    /// Last day the agency existed, when it has ended.
    pub ended_on: Option<NaiveDate>,
    /// Who carries its work on, per function, when it has ended.
    pub successors: Vec<SuccessorRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuccessorRef {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub functions: Vec<String>,
}

/// A collective phrase resolved to an agency set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SetRef {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    /// An open set waits for a person to choose its members.
    pub open: bool,
}

/// A cell of agencies: what the document wrote and what it resolved to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyCell {
    pub text: String,
    pub agencies: Vec<AgencyRef>,
    pub sets: Vec<SetRef>,
    pub unresolved: Vec<String>,
    /// Non-state participants (businesses, associations, schools, experts…): named, never
    /// assigned.
    pub participants: Vec<ParticipantView>,
}

/// A non-state participant of a cell, with its kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantView {
    /// business, association, education, research, expert, community, individual,
    /// international or organization.
    pub kind: String,
    /// The kind as pages name it in Vietnamese ("Doanh nghiệp").
    pub kind_vi: String,
    /// The kind as pages name it in English ("Business").
    pub kind_en: String,
    /// The words of the cell that name it.
    pub text: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimeFrameView {
    pub text: String,
    /// One of year, year_range, month, quarter, by_year, annual, from_year, ongoing, date, unparsed.
    pub kind: String,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    /// none, annual or continuous.
    pub recurrence: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskView {
    pub program_id: i64,
    pub code: String,
    pub group: String,
    pub title: String,
    pub expected_output: Option<String>,
    pub lead: AgencyCell,
    pub coordinating: AgencyCell,
    pub time_frame: TimeFrameView,
    /// A draft came from prose and waits for review.
    pub draft: bool,
    pub language: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgramSummary {
    pub id: i64,
    pub number: Option<String>,
    pub kind: String,
    pub title: String,
    pub issued_on: Option<NaiveDate>,
    pub issuer: Option<String>,
    pub group_count: i64,
    pub task_count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupView {
    pub code: String,
    pub title: String,
    pub tasks: Vec<TaskView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgramDetail {
    pub id: i64,
    pub number: Option<String>,
    pub kind: String,
    pub title: String,
    pub issued_on: Option<NaiveDate>,
    pub issuer: Option<AgencyRef>,
    pub issuer_text: Option<String>,
    pub signer: Option<String>,
    pub implements: Vec<String>,
    pub language: String,
    pub groups: Vec<GroupView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyDetail {
    pub code: String,
    pub kind: String,
    pub name_vi: String,
    pub name_en: String,
    pub aliases: Vec<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub successors: Vec<SuccessorRef>,
    /// Agencies whose work this one carries on.
    pub predecessors: Vec<AgencyRef>,
    /// Where the directory's facts about it come from (English).
    pub source: Option<String>,
    /// The same in Vietnamese.
    pub source_vi: Option<String>,
    /// The programs it has tasks in, in program order, with how many it leads and
    /// coordinates in each.
    pub programs: Vec<AgencyProgram>,
    /// How many tasks it answers for in all.
    pub task_count: usize,
    /// The tasks it leads or coordinates, directly, through an agency set or as a successor,
    /// in program and task order: every one, or (through the API) the part asked for.
    pub tasks: Vec<AgencyTask>,
}

/// A program an agency has tasks in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyProgram {
    pub program_id: i64,
    pub program_number: Option<String>,
    pub lead: usize,
    pub coordinating: usize,
}

/// A task an agency answers for, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyTask {
    pub program_number: Option<String>,
    /// "lead" or "coordinating".
    pub role: String,
    pub via: Via,
    pub task: TaskView,
}

/// How a task reaches an agency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Via {
    /// "direct", "set" or "predecessor".
    pub kind: String,
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyListItem {
    pub code: String,
    pub kind: String,
    pub name_vi: String,
    pub name_en: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

/// A task with who carries it out: its assignments and the open sets waiting for a choice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskDetail {
    #[serde(flatten)]
    pub task: TaskView,
    /// Lead assignments first, then coordinating ones.
    pub assignments: Vec<AssignmentView>,
    pub open_sets: Vec<OpenSetView>,
}

/// One agency's responsibility for a task.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignmentView {
    pub id: i64,
    pub agency: AgencyRef,
    /// lead or coordinating.
    pub role: String,
    pub origins: Vec<OriginView>,
}

/// How a task reached an assigned agency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OriginView {
    /// The cell that named it: lead or coordinating.
    pub role: String,
    /// The agency set it came through, if any.
    pub via_set: Option<SetRef>,
    /// The agency the document meant on its date; another one than the assigned agency
    /// after a succession.
    pub original: AgencyRef,
    pub succeeded: bool,
}

/// An open agency set named by a task ("các bộ, ngành liên quan").
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenSetView {
    pub id: i64,
    pub set: SetRef,
    pub role: String,
    /// Whether the program's coordinator has chosen its members.
    pub chosen: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    pub program_number: Option<String>,
    pub task: TaskView,
}

pub fn agency_ref(directory: &Directory, code: &str) -> AgencyRef {
    match directory.agency(code) {
        Some(agency) => AgencyRef {
            code: agency.code.clone(),
            name_vi: agency.name_vi.clone(),
            name_en: agency.name_en.clone(),
            ended_on: agency.valid_until,
            successors: successor_refs(directory, &agency.successors),
        },
        None => AgencyRef {
            code: code.to_owned(),
            name_vi: code.to_owned(),
            name_en: code.to_owned(),
            ended_on: None,
            successors: Vec::new(),
        },
    }
}

pub fn successor_refs(
    directory: &Directory,
    successors: &[dongbo_domain::Succession],
) -> Vec<SuccessorRef> {
    successors
        .iter()
        .map(|s| {
            let (name_vi, name_en) = directory
                .agency(&s.code)
                .map(|a| (a.name_vi.clone(), a.name_en.clone()))
                .unwrap_or_else(|| (s.code.clone(), s.code.clone()));
            SuccessorRef {
                code: s.code.clone(),
                name_vi,
                name_en,
                functions: s.functions.clone(),
            }
        })
        .collect()
}

pub fn set_ref(directory: &Directory, code: &str) -> SetRef {
    match directory.set(code) {
        Some(set) => SetRef {
            code: set.code.clone(),
            name_vi: set.name_vi.clone(),
            name_en: set.name_en.clone(),
            open: set.open,
        },
        None => SetRef {
            code: code.to_owned(),
            name_vi: code.to_owned(),
            name_en: code.to_owned(),
            open: false,
        },
    }
}

pub fn agency_cell(directory: &Directory, resolution: &Resolution) -> AgencyCell {
    AgencyCell {
        text: resolution.text.clone(),
        agencies: resolution
            .agencies
            .iter()
            .map(|c| agency_ref(directory, c))
            .collect(),
        sets: resolution
            .sets
            .iter()
            .map(|c| set_ref(directory, c))
            .collect(),
        unresolved: resolution.unresolved.clone(),
        participants: resolution
            .participants
            .iter()
            .map(|p| ParticipantView {
                kind: p.kind.as_str().to_owned(),
                kind_vi: p.kind.label_vi().to_owned(),
                kind_en: p.kind.label_en().to_owned(),
                text: p.text.clone(),
            })
            .collect(),
    }
}

pub fn time_frame_view(time_frame: &TimeFrame) -> TimeFrameView {
    TimeFrameView {
        text: time_frame.text.clone(),
        kind: enum_name(&time_frame.kind),
        start: time_frame.start,
        due: time_frame.due,
        recurrence: enum_name(&time_frame.recurrence),
    }
}

/// The snake_case name serde gives a unit enum variant.
fn enum_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn task_view(directory: &Directory, program_id: i64, task: &Task) -> TaskView {
    TaskView {
        program_id,
        code: task.code.clone(),
        group: task.group.clone(),
        title: task.title.clone(),
        expected_output: task.expected_output.clone(),
        lead: agency_cell(directory, &task.lead),
        coordinating: agency_cell(directory, &task.coordinating),
        time_frame: time_frame_view(&task.time_frame),
        draft: task.draft,
        language: task.language.clone(),
    }
}

mod load;
pub use load::*;
