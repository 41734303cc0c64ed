//! Báo cáo tổng hợp — the synthesis report of a program for a period, built from the accepted
//! reports and the figures of its assignments.
//!
//! [`SynthesisInput`] is everything a report is built from, as plain data: the program, the
//! period, the issuing agency, number, place, date and signer, each task and assignment with
//! its state and the content of its accepted report, the indicators, and the text of the
//! wording template. It is stored with every generated version, and [`build`] is a pure
//! function of it, so a stored version can be built again to the same document.
//!
//! The document follows the usual shape of a report on an action program:
//! I. overview of implementation (counts and shares by state, by task group, and how many
//! agencies reported); II. results by task group, each task with what its lead and
//! coordinating agencies reported; III. indicators against their targets; IV. difficulties and
//! recommendations gathered from every report, grouped by task group, the same text from
//! several agencies said once with its first agencies' names, the most said first; V. proposals.
//!
//! A national report is what a leader reads: each task names what its lead agencies reported
//! and how many coordinating agencies reported, and its annexes sum the assignments up per
//! agency (I) and per task group (II). Every agency on every task — thousands of rows for a
//! program every ministry and province takes part in — is annex III, a *detail* annex: a sheet
//! of the XLSX with what each report said, printed in DOCX and PDF only on demand
//! ([`crate::pdf::render_detailed`]). An agency's report, short, prints its assignments as its
//! one annex.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use dongbo_domain::state::{StateCounts, WorkState};
use dongbo_domain::text::fold;
use serde::{Deserialize, Serialize};

use crate::model::{
    Annex, Block, Cell, Column, ColumnKind, Issuer, OfficialDocument, Signature, Table,
};
use crate::template::{SynthesisTemplate, TemplateError, render};

/// Whose report it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The coordinating ministry's report on the whole program, to the Prime Minister.
    National,
    /// One agency's report on its own assignments, to the coordinating ministry.
    Agency,
}

/// Everything a synthesis report is built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthesisInput {
    pub level: Level,
    pub program: ProgramInfo,
    pub period: PeriodInfo,
    pub issuer: Issuer,
    /// The name of the agency an agency's report goes to (the coordinating ministry).
    pub coordinator: Option<String>,
    /// Số, ký hiệu without "Số: " ("12/BC-BVHTTDL").
    pub number: String,
    pub place: String,
    pub date: NaiveDate,
    pub signature: Signature,
    pub groups: Vec<GroupInfo>,
    /// The tasks reported on, in program order, with their state on the day the report was
    /// built (for an agency's report: the state of the agency's own assignment).
    pub tasks: Vec<TaskInfo>,
    /// Every assignment reported on.
    pub assignments: Vec<AssignmentLine>,
    pub indicators: Vec<IndicatorLine>,
    /// How the reports expected for the period came in, under the program's regime.
    #[serde(default)]
    pub reports: ReportFigures,
    /// The agencies whose reports for the period are not complete, by name.
    #[serde(default)]
    pub holding_back: Vec<String>,
    /// The library items the accepted reports cite as evidence, by task and agency.
    #[serde(default)]
    pub cited_items: Vec<CitedLine>,
    /// The text of the wording template used (see [`crate::template`]).
    pub template: String,
}

/// A library item an accepted report cites as its evidence, as the evidence annex lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitedLine {
    pub task_code: String,
    /// The agency whose report cites it.
    pub agency_name: String,
    /// Its number in the library (its page is `/library/items/{id}`).
    pub item_id: i64,
    pub title: String,
    /// Its kind, in Vietnamese ("Bài viết", "Sách trắng"…).
    pub kind: String,
    pub published_on: Option<NaiveDate>,
    /// The agency that owns it, by name.
    pub owner: Option<String>,
}

/// The reports the program's regime expected for the period (one per assignment due to
/// report), as `dongbo_domain::completeness` counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFigures {
    pub expected: u32,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
    pub accepted: u32,
    /// Agencies expected to report, and those whose every expected report is accepted.
    pub agencies_expected: u32,
    pub agencies_complete: u32,
}

/// The program as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramInfo {
    /// "47/NQ-CP".
    pub number: Option<String>,
    /// "Nghị quyết".
    pub kind: String,
    pub title: String,
    /// "Chính phủ".
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
}

/// The period reported on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodInfo {
    /// "2026-Y".
    pub code: String,
    /// As it reads in a sentence: "năm 2026", "6 tháng đầu năm 2026".
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub deadline: NaiveDate,
}

/// A task group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfo {
    pub code: String,
    pub title: String,
}

/// A task and its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInfo {
    pub code: String,
    pub group_code: String,
    pub title: String,
    pub state: WorkState,
    pub progress: u8,
    pub due: Option<NaiveDate>,
}

/// One assignment and the content of its accepted report in the period, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentLine {
    pub agency_code: String,
    pub agency_name: String,
    /// Chủ trì (true) or phối hợp.
    pub lead: bool,
    pub task_code: String,
    pub state: WorkState,
    pub progress: u8,
    pub due: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub report: Option<ReportText>,
}

/// What an accepted report said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportText {
    pub progress: u8,
    pub results: String,
    pub difficulties: String,
    pub recommendations: String,
    pub accepted_on: Option<NaiveDate>,
}

/// An indicator against its target, as the report shows it (achievement already judged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorLine {
    pub code: String,
    pub name: String,
    pub unit: String,
    /// The target as written ("≤ 3 Đông Nam Á; ≤ 50 Thế giới").
    pub target: String,
    /// The latest value in the period, as written.
    pub value: Option<String>,
    /// "Đạt", "Chưa đạt", "Chờ đánh giá".
    pub achievement: String,
    pub tracked_by: String,
}

/// The figures templates may use (documented in `data/templates/synthesis.toml`).
#[derive(Debug, Clone, Serialize)]
struct Context<'a> {
    program: ProgramContext<'a>,
    period: PeriodContext<'a>,
    issuer: &'a Issuer,
    coordinator: NameContext<'a>,
    number: &'a str,
    date: DateContext,
    tasks: TaskCounts,
    agencies: AgencyCounts,
    reports: ReportCounts,
    own: OwnCounts,
}

/// The assignments reported on by role, and those with an accepted report (an agency's
/// report counts its own).
#[derive(Debug, Clone, Serialize)]
struct OwnCounts {
    lead: usize,
    coordinating: usize,
    reported: usize,
}

#[derive(Debug, Clone, Serialize)]
struct ProgramContext<'a> {
    number: &'a str,
    kind: &'a str,
    title: &'a str,
    issuer: &'a str,
    issued_on: String,
    reference: String,
}

#[derive(Debug, Clone, Serialize)]
struct PeriodContext<'a> {
    code: &'a str,
    label: &'a str,
    start: String,
    end: String,
    deadline: String,
}

#[derive(Debug, Clone, Serialize)]
struct NameContext<'a> {
    name: &'a str,
}

#[derive(Debug, Clone, Serialize)]
struct DateContext {
    day: String,
    month: String,
    year: i32,
}

#[derive(Debug, Clone, Serialize)]
struct TaskCounts {
    total: u64,
    done: u64,
    done_on_time: u64,
    done_late: u64,
    in_progress: u64,
    not_started: u64,
    overdue: u64,
    percent_done: u8,
}

#[derive(Debug, Clone, Serialize)]
struct AgencyCounts {
    total: usize,
    reported: usize,
}

#[derive(Debug, Clone, Serialize)]
struct ReportCounts {
    accepted: usize,
    expected: u32,
    on_time: u32,
    late: u32,
    missing: u32,
    agencies_expected: u32,
    agencies_complete: u32,
}

/// "21/3/2024", as dates read in running text.
fn short_date(date: NaiveDate) -> String {
    format!("{}/{}/{}", date.day(), date.month(), date.year())
}

fn counts(tasks: &[TaskInfo]) -> StateCounts {
    let mut counts = StateCounts::new();
    for task in tasks {
        counts.add(task.state);
    }
    counts
}

fn task_counts(counts: &StateCounts) -> TaskCounts {
    TaskCounts {
        total: counts.total(),
        done: counts.done(),
        done_on_time: counts.done_on_time,
        done_late: counts.done_late,
        in_progress: counts.in_progress,
        not_started: counts.not_started,
        overdue: counts.overdue_not_done,
        percent_done: counts.percent_done().unwrap_or(0),
    }
}

impl SynthesisInput {
    fn context(&self) -> minijinja::Value {
        let program = &self.program;
        let number = program.number.as_deref().unwrap_or("");
        let issuer = program.issuer.as_deref().unwrap_or("");
        let mut reference = program.kind.clone();
        if !number.is_empty() {
            reference.push_str(&format!(" số {number}"));
        }
        if let Some(day) = program.issued_on {
            reference.push_str(&format!(" ngày {}", short_date(day)));
        }
        if !issuer.is_empty() {
            reference.push_str(&format!(" của {issuer}"));
        }
        let agencies: std::collections::BTreeSet<&str> = self
            .assignments
            .iter()
            .map(|a| a.agency_code.as_str())
            .collect();
        let reported: std::collections::BTreeSet<&str> = self
            .assignments
            .iter()
            .filter(|a| a.report.is_some())
            .map(|a| a.agency_code.as_str())
            .collect();
        minijinja::Value::from_serialize(Context {
            program: ProgramContext {
                number,
                kind: &program.kind,
                title: &program.title,
                issuer,
                issued_on: program.issued_on.map(short_date).unwrap_or_default(),
                reference,
            },
            period: PeriodContext {
                code: &self.period.code,
                label: &self.period.label,
                start: short_date(self.period.start),
                end: short_date(self.period.end),
                deadline: short_date(self.period.deadline),
            },
            issuer: &self.issuer,
            coordinator: NameContext {
                name: self.coordinator.as_deref().unwrap_or(""),
            },
            number: &self.number,
            date: DateContext {
                day: format!("{:02}", self.date.day()),
                month: format!("{:02}", self.date.month()),
                year: self.date.year(),
            },
            tasks: task_counts(&counts(&self.tasks)),
            agencies: AgencyCounts {
                total: agencies.len(),
                reported: reported.len(),
            },
            reports: ReportCounts {
                accepted: self
                    .assignments
                    .iter()
                    .filter(|a| a.report.is_some())
                    .count(),
                expected: self.reports.expected,
                on_time: self.reports.on_time,
                late: self.reports.late,
                missing: self.reports.missing,
                agencies_expected: self.reports.agencies_expected,
                agencies_complete: self.reports.agencies_complete,
            },
            own: OwnCounts {
                lead: self.assignments.iter().filter(|a| a.lead).count(),
                coordinating: self.assignments.iter().filter(|a| !a.lead).count(),
                reported: self
                    .assignments
                    .iter()
                    .filter(|a| a.report.is_some())
                    .count(),
            },
        })
    }
}

/// A small report that every template string must render against (see
/// [`SynthesisTemplate::parse`]).
pub(crate) fn sample_context() -> minijinja::Value {
    let day = NaiveDate::from_ymd_opt(2026, 12, 20).unwrap_or_default();
    SynthesisInput {
        level: Level::National,
        program: ProgramInfo {
            number: Some("47/NQ-CP".to_owned()),
            kind: "Nghị quyết".to_owned(),
            title: "Chương trình hành động".to_owned(),
            issuer: Some("Chính phủ".to_owned()),
            issued_on: Some(day),
        },
        period: PeriodInfo {
            code: "2026-Y".to_owned(),
            label: "năm 2026".to_owned(),
            start: day,
            end: day,
            deadline: day,
        },
        issuer: Issuer {
            superior: None,
            name: "Bộ Văn hóa, Thể thao và Du lịch".to_owned(),
            abbreviation: "BVHTTDL".to_owned(),
        },
        coordinator: None,
        number: "/BC-BVHTTDL".to_owned(),
        place: "Hà Nội".to_owned(),
        date: day,
        signature: Signature {
            authority: None,
            on_behalf_of: String::new(),
            position: String::new(),
            name: String::new(),
        },
        groups: Vec::new(),
        tasks: Vec::new(),
        assignments: Vec::new(),
        indicators: Vec::new(),
        reports: ReportFigures::default(),
        holding_back: Vec::new(),
        cited_items: Vec::new(),
        template: String::new(),
    }
    .context()
}

const ROMAN: [&str; 5] = ["I", "II", "III", "IV", "V"];

/// The most lead agencies a task's line names; beyond, it gives their number.
const MAX_LEADS_NAMED: usize = 5;
/// The most agencies named after a difficulty or a recommendation many said; the others are
/// counted ("và 12 cơ quan khác").
const MAX_SAYERS_NAMED: usize = 5;
/// The most difficulties (or recommendations) a national report lists per task group, the most
/// said first; the others are counted and left to the detail annex.
const MAX_POINTS_PER_GROUP: usize = 8;

/// Builds the report. Fails only when the template text does not parse or render.
pub fn build(input: &SynthesisInput) -> Result<OfficialDocument, TemplateError> {
    let template = SynthesisTemplate::parse(&input.template)?;
    let context = input.context();
    let text = |key: &str, source: &str| render(key, source, &context);
    let (level_key, wording) = match input.level {
        Level::National => ("national", &template.national),
        Level::Agency => ("agency", &template.agency),
    };
    let s = &template.sections;
    let national = input.level == Level::National;
    let mut body = Vec::new();
    for paragraph in paragraphs(&text(&format!("{level_key}.opening"), &wording.opening)?) {
        body.push(Block::Paragraph(paragraph));
    }
    let mut section = 0;
    let mut heading = |title: String| {
        let numeral = ROMAN.get(section).copied().unwrap_or("");
        section += 1;
        Block::Heading {
            level: 1,
            text: format!("{numeral}. {title}"),
        }
    };

    // I. Overview.
    body.push(heading(text("sections.overview", &s.overview)?));
    let own = |key: &str, level: &Option<String>, sections: &str| match level {
        Some(source) => text(&format!("{level_key}.{key}"), source),
        None => text(&format!("sections.{key}"), sections),
    };
    body.push(Block::Paragraph(own(
        "overview_summary",
        &wording.overview_summary,
        &s.overview_summary,
    )?));
    body.push(Block::Paragraph(own(
        "overview_reports",
        &wording.overview_reports,
        &s.overview_reports,
    )?));
    body.push(Block::Table(group_table(input)));

    // II. Results by task group.
    body.push(heading(text("sections.results", &s.results)?));
    let no_report = text("sections.no_report", &s.no_report)?;
    for (index, group) in input.groups.iter().enumerate() {
        let tasks: Vec<&TaskInfo> = input
            .tasks
            .iter()
            .filter(|t| t.group_code == group.code)
            .collect();
        if tasks.is_empty() {
            continue;
        }
        body.push(Block::Heading {
            level: 2,
            text: format!("{}. {}", index + 1, group.title),
        });
        for task in tasks {
            body.extend(task_results(input, task, &no_report, national));
        }
    }

    // III. Indicators.
    body.push(heading(text("sections.indicators", &s.indicators)?));
    if input.indicators.is_empty() {
        body.push(Block::Paragraph(text(
            "sections.no_indicators",
            &s.no_indicators,
        )?));
    } else {
        body.push(Block::Table(indicator_table(&input.indicators)));
    }

    // IV. Difficulties and recommendations.
    body.push(heading(text("sections.difficulties", &s.difficulties)?));
    let none = text("sections.none_reported", &s.none_reported)?;
    for (number, (key, source, pick)) in [
        (
            "sections.difficulties_heading",
            &s.difficulties_heading,
            (|r: &ReportText| r.difficulties.as_str()) as fn(&ReportText) -> &str,
        ),
        (
            "sections.recommendations_heading",
            &s.recommendations_heading,
            |r: &ReportText| r.recommendations.as_str(),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        body.push(Block::Heading {
            level: 2,
            text: format!("{}. {}", number + 1, text(key, source)?),
        });
        let gathered = gather(input, pick, national);
        if gathered.is_empty() {
            body.push(Block::Paragraph(none.clone()));
        }
        body.extend(gathered);
    }

    // V. Proposals.
    body.push(heading(text("sections.proposals", &s.proposals)?));
    for paragraph in paragraphs(&text("sections.proposals_text", &s.proposals_text)?) {
        body.push(Block::Paragraph(paragraph));
    }
    if !input.holding_back.is_empty() {
        // One paragraph: a national round may wait on tens of agencies.
        body.push(Block::Paragraph(format!(
            "{} {}.",
            text("sections.holding_back", &s.holding_back)?,
            input.holding_back.join("; ")
        )));
    }
    let overdue: Vec<&TaskInfo> = input
        .tasks
        .iter()
        .filter(|t| t.state == WorkState::OverdueNotDone)
        .collect();
    if !overdue.is_empty() {
        body.push(Block::Paragraph(text("sections.overdue", &s.overdue)?));
    }
    for task in overdue {
        body.push(Block::Bullet(format!(
            "{} {}{}",
            task.code,
            task.title,
            task.due
                .map(|d| format!(" (thời hạn {})", short_date(d)))
                .unwrap_or_default()
        )));
    }

    let recipients = wording
        .recipients
        .iter()
        .enumerate()
        .map(|(i, r)| text(&format!("{level_key}.recipients[{}]", i + 1), r))
        .collect::<Result<Vec<_>, _>>()?;
    let note = text("sections.annex_note", &s.annex_note)?;
    let annex = |number: usize, key: &str, source: &str, table: Table, detail: bool| {
        Ok::<_, TemplateError>(Annex {
            note: Some(note.clone()),
            detail,
            ..Annex::new(
                format!(
                    "Phụ lục {}. {}",
                    ROMAN.get(number).copied().unwrap_or("I"),
                    unnumbered(&text(key, source)?)
                ),
                vec![table],
            )
        })
    };
    let mut annexes = if national {
        vec![
            annex(
                0,
                "sections.annex_agencies",
                &s.annex_agencies,
                agency_table(input),
                false,
            )?,
            annex(
                1,
                "sections.annex_groups",
                &s.annex_groups,
                group_annex_table(input),
                false,
            )?,
            annex(
                2,
                "sections.annex_tasks",
                &s.annex_tasks,
                assignment_table(input),
                true,
            )?,
        ]
    } else {
        vec![annex(
            0,
            "sections.annex_tasks",
            &s.annex_tasks,
            assignment_table(input),
            false,
        )?]
    };
    // The evidence the reports cite from the library, when they cite any: always printed
    // (a reader checks the report against it).
    if !input.cited_items.is_empty() {
        annexes.push(annex(
            annexes.len(),
            "sections.annex_evidence",
            &s.annex_evidence,
            evidence_table(input),
            false,
        )?);
    }
    Ok(OfficialDocument {
        issuer: input.issuer.clone(),
        number: input.number.clone(),
        place: input.place.clone(),
        date: input.date,
        kind: text(&format!("{level_key}.kind"), &wording.kind)?,
        title: text(&format!("{level_key}.title"), &wording.title)?,
        body,
        recipients,
        signature: input.signature.clone(),
        annexes,
    })
}

/// An annex title without the numbering a template saved before the builder numbered annexes
/// carries ("Phụ lục II. TỔNG HỢP…" → "TỔNG HỢP…").
fn unnumbered(title: &str) -> &str {
    let Some(rest) = title.trim().strip_prefix("Phụ lục ") else {
        return title.trim();
    };
    let numeral = rest
        .find(|c: char| !matches!(c, 'I' | 'V' | 'X' | 'L'))
        .unwrap_or(rest.len());
    if numeral == 0 {
        return title.trim();
    }
    rest[numeral..].trim_start_matches(['.', ':', ' '])
}

/// Splits a rendered text into paragraphs at blank lines.
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// A column with a width hint (in characters, see [`Column::width_or_default`]).
fn sized(header: &str, kind: ColumnKind, width: f64) -> Column {
    Column {
        width: Some(width),
        ..Column::new(header, kind)
    }
}

fn percent(done: u64, total: u64) -> Cell {
    if total == 0 {
        Cell::Empty
    } else {
        Cell::Percent((done as f64 * 1000.0 / total as f64).round() / 10.0)
    }
}

fn count(value: u64) -> Cell {
    Cell::Integer(i64::try_from(value).unwrap_or(i64::MAX))
}

fn state_columns() -> Vec<Column> {
    vec![
        Column::new("Hoàn thành đúng hạn", ColumnKind::Integer),
        Column::new("Hoàn thành quá hạn", ColumnKind::Integer),
        Column::new("Đang thực hiện", ColumnKind::Integer),
        Column::new("Quá hạn, chưa hoàn thành", ColumnKind::Integer),
        Column::new("Chưa bắt đầu", ColumnKind::Integer),
        Column::new("Tỷ lệ hoàn thành", ColumnKind::Percent),
    ]
}

fn state_cells(counts: &StateCounts) -> Vec<Cell> {
    vec![
        count(counts.done_on_time),
        count(counts.done_late),
        count(counts.in_progress),
        count(counts.overdue_not_done),
        count(counts.not_started),
        percent(counts.done(), counts.total()),
    ]
}

/// Tasks by group and state, with a total row.
fn group_table(input: &SynthesisInput) -> Table {
    let mut columns = vec![
        Column::new("Nhóm nhiệm vụ", ColumnKind::Text),
        Column::new("Số nhiệm vụ", ColumnKind::Integer),
    ];
    columns.extend(state_columns());
    let mut rows = Vec::new();
    for group in &input.groups {
        let tasks: Vec<TaskInfo> = input
            .tasks
            .iter()
            .filter(|t| t.group_code == group.code)
            .cloned()
            .collect();
        if tasks.is_empty() {
            continue;
        }
        let counts = counts(&tasks);
        let mut row = vec![Cell::Text(group.title.clone()), count(counts.total())];
        row.extend(state_cells(&counts));
        rows.push(row);
    }
    let total = counts(&input.tasks);
    let mut row = vec![Cell::Text("Tổng cộng".to_owned()), count(total.total())];
    row.extend(state_cells(&total));
    rows.push(row);
    Table {
        title: Some("Tình hình thực hiện nhiệm vụ theo nhóm".to_owned()),
        columns,
        rows,
    }
}

/// One task: its line, then what its agencies reported. An agency's report gives every line
/// (its own); a national report gives its lead agencies' (at most [`MAX_LEADS_NAMED`]) and
/// counts the coordinating agencies that reported — their words are in the detail annex.
fn task_results(
    input: &SynthesisInput,
    task: &TaskInfo,
    no_report: &str,
    national: bool,
) -> Vec<Block> {
    let mut lines: Vec<&AssignmentLine> = input
        .assignments
        .iter()
        .filter(|a| a.task_code == task.code)
        .collect();
    lines.sort_by_key(|a| !a.lead);
    let leads: Vec<&str> = lines
        .iter()
        .filter(|a| a.lead)
        .map(|a| a.agency_name.as_str())
        .collect();
    let mut blocks = vec![Block::Paragraph(format!(
        "{} {}{} Tình trạng: {}, tiến độ {}%.",
        task.code,
        task.title.trim_end_matches('.'),
        match leads.len() {
            0 => ".".to_owned(),
            // A task led by "the ministries, sectors and provinces" names too many to list here;
            // the annexes list them.
            n if n > MAX_LEADS_NAMED => format!(" (chủ trì: {n} cơ quan)."),
            _ => format!(" (chủ trì: {}).", leads.join("; ")),
        },
        task.state.label_vi().to_lowercase(),
        task.progress
    ))];
    let reported: Vec<(&AssignmentLine, &ReportText)> = lines
        .iter()
        .filter_map(|line| Some((*line, line.report.as_ref()?)))
        .filter(|(_, report)| !report.results.trim().is_empty())
        .collect();
    let said = |line: &AssignmentLine, report: &ReportText| {
        Block::Bullet(format!(
            "{} ({}): {}",
            line.agency_name,
            if line.lead {
                "chủ trì"
            } else {
                "phối hợp"
            },
            one_line(&report.results)
        ))
    };
    if !national {
        blocks.extend(reported.iter().map(|(line, report)| said(line, report)));
    } else {
        let (lead, coordinating): (Vec<_>, Vec<_>) =
            reported.iter().partition(|(line, _)| line.lead);
        if lead.len() > MAX_LEADS_NAMED {
            blocks.push(Block::Bullet(format!(
                "{}/{} cơ quan chủ trì đã báo cáo kết quả (chi tiết tại Phụ lục III).",
                lead.len(),
                leads.len()
            )));
        } else {
            blocks.extend(lead.iter().map(|(line, report)| said(line, report)));
        }
        if !coordinating.is_empty() {
            blocks.push(Block::Bullet(format!(
                "{}/{} cơ quan phối hợp đã báo cáo kết quả (chi tiết tại Phụ lục III).",
                coordinating.len(),
                lines.len() - leads.len()
            )));
        }
    }
    if reported.is_empty() {
        blocks.push(Block::Bullet(no_report.to_owned()));
    }
    blocks
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the reports said under one heading (difficulties or recommendations), by task group;
/// the same text (compared without case, accents or spacing) from several agencies is said
/// once, followed by every agency that said it.
fn gather(input: &SynthesisInput, pick: fn(&ReportText) -> &str, national: bool) -> Vec<Block> {
    let group_of: BTreeMap<&str, &str> = input
        .tasks
        .iter()
        .map(|t| (t.code.as_str(), t.group_code.as_str()))
        .collect();
    let lines = by_agency(input);
    let mut blocks = Vec::new();
    for group in &input.groups {
        // (text as first written, agencies in order of first mention), found by folded text.
        let mut said: Vec<(String, Vec<&str>)> = Vec::new();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for line in &lines {
            if group_of.get(line.task_code.as_str()) != Some(&group.code.as_str()) {
                continue;
            }
            let Some(report) = &line.report else {
                continue;
            };
            let text = one_line(pick(report));
            if text.is_empty() {
                continue;
            }
            let key = fold(text.trim_end_matches(['.', ';', ',', ' ']));
            match index.get(&key) {
                Some(&at) => {
                    let agencies = &mut said[at].1;
                    if !agencies.contains(&line.agency_name.as_str()) {
                        agencies.push(&line.agency_name);
                    }
                }
                None => {
                    index.insert(key, said.len());
                    said.push((text, vec![&line.agency_name]));
                }
            }
        }
        if said.is_empty() {
            continue;
        }
        blocks.push(Block::Paragraph(format!("{}:", group.title)));
        if !national {
            for (text, agencies) in said {
                blocks.push(Block::Bullet(format!(
                    "{} ({}).",
                    text.trim_end_matches('.'),
                    agencies.join("; ")
                )));
            }
            continue;
        }
        // What most agencies said first (a stable sort keeps the first said first on a tie).
        said.sort_by_key(|(_, agencies)| std::cmp::Reverse(agencies.len()));
        let left = said.len().saturating_sub(MAX_POINTS_PER_GROUP);
        for (text, agencies) in said.into_iter().take(MAX_POINTS_PER_GROUP) {
            let named = agencies
                .iter()
                .take(MAX_SAYERS_NAMED)
                .copied()
                .collect::<Vec<_>>()
                .join("; ");
            let others = match agencies.len().saturating_sub(MAX_SAYERS_NAMED) {
                0 => String::new(),
                n => format!(" và {n} cơ quan khác"),
            };
            blocks.push(Block::Bullet(format!(
                "{} ({named}{others}).",
                text.trim_end_matches('.')
            )));
        }
        if left > 0 {
            blocks.push(Block::Bullet(format!(
                "Và {left} ý kiến khác (chi tiết tại Phụ lục III)."
            )));
        }
    }
    blocks
}

fn indicator_table(indicators: &[IndicatorLine]) -> Table {
    Table {
        title: None,
        columns: vec![
            Column::new("Mã", ColumnKind::Text),
            Column::new("Chỉ tiêu", ColumnKind::Text),
            Column::new("Đơn vị", ColumnKind::Text),
            Column::new("Mục tiêu", ColumnKind::Text),
            Column::new("Kết quả", ColumnKind::Text),
            Column::new("Đánh giá", ColumnKind::Text),
            Column::new("Cơ quan theo dõi", ColumnKind::Text),
        ],
        rows: indicators
            .iter()
            .map(|i| {
                vec![
                    Cell::Text(i.code.clone()),
                    Cell::Text(i.name.clone()),
                    Cell::Text(i.unit.clone()),
                    Cell::Text(i.target.clone()),
                    i.value.clone().map_or(Cell::Empty, Cell::Text),
                    Cell::Text(i.achievement.clone()),
                    Cell::Text(i.tracked_by.clone()),
                ]
            })
            .collect(),
    }
}

/// The assignments in the order of the annex: by agency name (accents ignored), then task order.
fn by_agency(input: &SynthesisInput) -> Vec<&AssignmentLine> {
    let order: BTreeMap<&str, usize> = input
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.code.as_str(), i))
        .collect();
    let mut lines: Vec<&AssignmentLine> = input.assignments.iter().collect();
    lines.sort_by_cached_key(|a| {
        (
            fold(&a.agency_name),
            a.agency_code.clone(),
            order
                .get(a.task_code.as_str())
                .copied()
                .unwrap_or(usize::MAX),
            !a.lead,
        )
    });
    lines
}

/// Every assignment with what its report said: annex III of a national report (a detail
/// annex), the one annex of an agency's.
fn assignment_table(input: &SynthesisInput) -> Table {
    let titles: BTreeMap<&str, &str> = input
        .tasks
        .iter()
        .map(|t| (t.code.as_str(), t.title.as_str()))
        .collect();
    let said = |a: &AssignmentLine, pick: fn(&ReportText) -> &str| {
        a.report
            .as_ref()
            .map(|r| one_line(pick(r)))
            .filter(|t| !t.is_empty())
            .map_or(Cell::Empty, Cell::Text)
    };
    let rows = by_agency(input)
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            vec![
                count(i as u64 + 1),
                Cell::Text(a.agency_name.clone()),
                Cell::Text(if a.lead { "Chủ trì" } else { "Phối hợp" }.to_owned()),
                Cell::Text(a.task_code.clone()),
                Cell::Text(
                    titles
                        .get(a.task_code.as_str())
                        .copied()
                        .unwrap_or_default()
                        .to_owned(),
                ),
                a.due.map_or(Cell::Empty, Cell::Date),
                Cell::Text(a.state.label_vi().to_owned()),
                Cell::Percent(f64::from(a.progress)),
                a.done_on.map_or(Cell::Empty, Cell::Date),
                said(a, |r| &r.results),
                said(a, |r| &r.difficulties),
                said(a, |r| &r.recommendations),
            ]
        })
        .collect();
    Table {
        title: None,
        // The task's name and the reports' words take the room they need; the short columns
        // only theirs.
        columns: vec![
            sized("STT", ColumnKind::Integer, 7.0),
            sized("Cơ quan", ColumnKind::Text, 20.0),
            sized("Vai trò", ColumnKind::Text, 9.0),
            sized("Mã nhiệm vụ", ColumnKind::Text, 8.0),
            sized("Nhiệm vụ", ColumnKind::Text, 40.0),
            sized("Thời hạn", ColumnKind::Date, 11.0),
            sized("Tình trạng", ColumnKind::Text, 14.0),
            sized("Tiến độ", ColumnKind::Percent, 8.0),
            sized("Ngày hoàn thành", ColumnKind::Date, 11.0),
            sized("Kết quả", ColumnKind::Text, 40.0),
            sized("Khó khăn, vướng mắc", ColumnKind::Text, 24.0),
            sized("Kiến nghị", ColumnKind::Text, 24.0),
        ],
        rows,
    }
}

/// The library items the accepted reports cite, by task (in program order) and agency.
fn evidence_table(input: &SynthesisInput) -> Table {
    let order: BTreeMap<&str, usize> = input
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.code.as_str(), i))
        .collect();
    let mut lines: Vec<&CitedLine> = input.cited_items.iter().collect();
    lines.sort_by_key(|l| {
        (
            order
                .get(l.task_code.as_str())
                .copied()
                .unwrap_or(usize::MAX),
            l.agency_name.clone(),
            l.item_id,
        )
    });
    let rows = lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            vec![
                count(i as u64 + 1),
                Cell::Text(l.task_code.clone()),
                Cell::Text(l.agency_name.clone()),
                Cell::Text(l.title.clone()),
                Some(l.kind.clone())
                    .filter(|k| !k.is_empty())
                    .map_or(Cell::Empty, Cell::Text),
                l.owner.clone().map_or(Cell::Empty, Cell::Text),
                l.published_on.map_or(Cell::Empty, Cell::Date),
                Cell::Text(l.item_id.to_string()),
            ]
        })
        .collect();
    Table {
        title: None,
        columns: vec![
            sized("STT", ColumnKind::Integer, 7.0),
            sized("Mã nhiệm vụ", ColumnKind::Text, 8.0),
            sized("Cơ quan báo cáo", ColumnKind::Text, 20.0),
            sized("Tài liệu", ColumnKind::Text, 40.0),
            sized("Loại", ColumnKind::Text, 12.0),
            sized("Cơ quan sở hữu", ColumnKind::Text, 20.0),
            sized("Ngày phát hành", ColumnKind::Date, 11.0),
            sized("Số trong thư viện", ColumnKind::Text, 10.0),
        ],
        rows,
    }
}

/// Annex I of a national report: per agency, its assignments as lead and as coordinator, by
/// state, and its accepted reports.
fn agency_table(input: &SynthesisInput) -> Table {
    struct Sums<'a> {
        code: &'a str,
        name: &'a str,
        lead: u64,
        counts: StateCounts,
        reports: u64,
    }
    let mut agencies: Vec<Sums> = Vec::new();
    for line in by_agency(input) {
        if agencies
            .last()
            .is_none_or(|sums| sums.code != line.agency_code)
        {
            agencies.push(Sums {
                code: &line.agency_code,
                name: &line.agency_name,
                lead: 0,
                counts: StateCounts::new(),
                reports: 0,
            });
        }
        if let Some(sums) = agencies.last_mut() {
            sums.counts.add(line.state);
            sums.lead += u64::from(line.lead);
            sums.reports += u64::from(line.report.is_some());
        }
    }
    let mut columns = vec![
        Column::new("STT", ColumnKind::Integer),
        sized("Cơ quan", ColumnKind::Text, 26.0),
        Column::new("Chủ trì", ColumnKind::Integer),
        Column::new("Phối hợp", ColumnKind::Integer),
    ];
    columns.extend(state_columns());
    columns.push(Column::new("Báo cáo được chấp nhận", ColumnKind::Integer));
    let rows = agencies
        .into_iter()
        .enumerate()
        .map(|(i, sums)| {
            let mut row = vec![
                count(i as u64 + 1),
                Cell::Text(sums.name.to_owned()),
                count(sums.lead),
                count(sums.counts.total() - sums.lead),
            ];
            row.extend(state_cells(&sums.counts));
            row.push(count(sums.reports));
            row
        })
        .collect();
    Table {
        title: None,
        columns,
        rows,
    }
}

/// Annex II of a national report: per task group, its tasks, its assignments by state and the
/// reports accepted on them, with a total row.
fn group_annex_table(input: &SynthesisInput) -> Table {
    let group_of: BTreeMap<&str, &str> = input
        .tasks
        .iter()
        .map(|t| (t.code.as_str(), t.group_code.as_str()))
        .collect();
    let sums = |group: Option<&str>| {
        let mut counts = StateCounts::new();
        let mut agencies = std::collections::BTreeSet::new();
        let mut reports = 0u64;
        for line in &input.assignments {
            let in_group = group_of.get(line.task_code.as_str()).copied();
            if group.is_some() && in_group != group {
                continue;
            }
            counts.add(line.state);
            agencies.insert(line.agency_code.as_str());
            reports += u64::from(line.report.is_some());
        }
        let tasks = input
            .tasks
            .iter()
            .filter(|t| group.is_none_or(|g| t.group_code == g))
            .count();
        (tasks as u64, agencies.len() as u64, counts, reports)
    };
    let row = |name: &str, (tasks, agencies, counts, reports): (u64, u64, StateCounts, u64)| {
        let mut row = vec![
            Cell::Text(name.to_owned()),
            count(tasks),
            count(agencies),
            count(counts.total()),
        ];
        row.extend(state_cells(&counts));
        row.push(count(reports));
        row
    };
    let mut rows: Vec<Vec<Cell>> = input
        .groups
        .iter()
        .filter(|g| input.tasks.iter().any(|t| t.group_code == g.code))
        .map(|g| row(&g.title, sums(Some(&g.code))))
        .collect();
    rows.push(row("Tổng cộng", sums(None)));
    let mut columns = vec![
        sized("Nhóm nhiệm vụ", ColumnKind::Text, 26.0),
        Column::new("Số nhiệm vụ", ColumnKind::Integer),
        Column::new("Số cơ quan", ColumnKind::Integer),
        Column::new("Lượt giao", ColumnKind::Integer),
    ];
    columns.extend(state_columns());
    columns.push(Column::new("Báo cáo được chấp nhận", ColumnKind::Integer));
    Table {
        title: None,
        columns,
        rows,
    }
}
