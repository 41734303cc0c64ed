//! What changes between two versions of a program: document fields, groups, and tasks added,
//! removed or changed (matched by code), with field-level before/after. A plain function of
//! its inputs; the store uses it to report what a re-import changed.

use std::collections::{HashMap, HashSet};
use std::fmt;

use dongbo_domain::{ImportedProgram, Resolution, Task, TimeFrame};
use serde::Serialize;

use crate::codec::enum_text;

/// One field that differs, both sides rendered as text ("—" for nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// "title", "lead.agencies", "time_frame.due"…
    pub field: String,
    pub before: String,
    pub after: String,
}

/// A group added (`before` is `None`), removed (`after` is `None`) or retitled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupChange {
    pub code: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A task present in both versions whose fields differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskChange {
    pub code: String,
    pub fields: Vec<FieldChange>,
}

/// The difference from a stored program to a newly imported one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProgramDiff {
    /// Document metadata and program-level fields (including the import warnings).
    pub document: Vec<FieldChange>,
    pub groups: Vec<GroupChange>,
    /// Tasks whose code is new, in the new document's order.
    pub added: Vec<Task>,
    /// Tasks whose code is gone, in the old document's order.
    pub removed: Vec<Task>,
    /// Tasks kept with changed fields, in the new document's order.
    pub changed: Vec<TaskChange>,
    /// The kept groups or tasks come in a different order.
    pub reordered: bool,
}

impl ProgramDiff {
    pub fn is_empty(&self) -> bool {
        self.document.is_empty()
            && self.groups.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && !self.reordered
    }
}

/// The changes that turn `before` into `after`.
pub fn compute(before: &ImportedProgram, after: &ImportedProgram) -> ProgramDiff {
    let mut diff = ProgramDiff::default();

    let (b, a) = (&before.document, &after.document);
    let document = &mut diff.document;
    field(document, "number", opt(&b.number), opt(&a.number));
    field(document, "kind", enum_text(&b.kind), enum_text(&a.kind));
    field(document, "issued_on", date(b.issued_on), date(a.issued_on));
    field(document, "issuer", opt(&b.issuer), opt(&a.issuer));
    field(
        document,
        "issuer_text",
        opt(&b.issuer_text),
        opt(&a.issuer_text),
    );
    field(document, "signer", opt(&b.signer), opt(&a.signer));
    field(document, "title", b.title.clone(), a.title.clone());
    field(
        document,
        "implements",
        list(&b.implements),
        list(&a.implements),
    );
    field(document, "language", b.language.clone(), a.language.clone());
    field(
        document,
        "warnings",
        list(&before.warnings),
        list(&after.warnings),
    );

    let old_groups: HashMap<&str, &str> = before
        .groups
        .iter()
        .map(|g| (g.code.as_str(), g.title.as_str()))
        .collect();
    let new_groups: HashSet<&str> = after.groups.iter().map(|g| g.code.as_str()).collect();
    for group in &after.groups {
        match old_groups.get(group.code.as_str()) {
            Some(title) if *title == group.title => {}
            old => diff.groups.push(GroupChange {
                code: group.code.clone(),
                before: old.map(|t| (*t).to_owned()),
                after: Some(group.title.clone()),
            }),
        }
    }
    for group in &before.groups {
        if !new_groups.contains(group.code.as_str()) {
            diff.groups.push(GroupChange {
                code: group.code.clone(),
                before: Some(group.title.clone()),
                after: None,
            });
        }
    }

    let old_tasks: HashMap<&str, &Task> = before
        .tasks
        .iter()
        .rev() // the first of duplicate codes wins
        .map(|t| (t.code.as_str(), t))
        .collect();
    let new_codes: HashSet<&str> = after.tasks.iter().map(|t| t.code.as_str()).collect();
    for task in &after.tasks {
        match old_tasks.get(task.code.as_str()) {
            None => diff.added.push(task.clone()),
            Some(old) => {
                let fields = task_fields(old, task);
                if !fields.is_empty() {
                    diff.changed.push(TaskChange {
                        code: task.code.clone(),
                        fields,
                    });
                }
            }
        }
    }
    diff.removed = before
        .tasks
        .iter()
        .filter(|t| !new_codes.contains(t.code.as_str()))
        .cloned()
        .collect();

    diff.reordered = kept_order_differs(
        before.groups.iter().map(|g| g.code.as_str()),
        after.groups.iter().map(|g| g.code.as_str()),
    ) || kept_order_differs(
        before.tasks.iter().map(|t| t.code.as_str()),
        after.tasks.iter().map(|t| t.code.as_str()),
    );
    diff
}

/// Whether the codes present in both sequences appear in a different order.
fn kept_order_differs<'a>(
    before: impl Iterator<Item = &'a str> + Clone,
    after: impl Iterator<Item = &'a str> + Clone,
) -> bool {
    let in_before: HashSet<&str> = before.clone().collect();
    let in_after: HashSet<&str> = after.clone().collect();
    let kept_before = before.filter(|c| in_after.contains(c));
    let kept_after = after.filter(|c| in_before.contains(c));
    !kept_before.eq(kept_after)
}

fn task_fields(before: &Task, after: &Task) -> Vec<FieldChange> {
    let mut out = Vec::new();
    field(&mut out, "group", before.group.clone(), after.group.clone());
    field(&mut out, "title", before.title.clone(), after.title.clone());
    field(
        &mut out,
        "expected_output",
        opt(&before.expected_output),
        opt(&after.expected_output),
    );
    resolution(&mut out, "lead", &before.lead, &after.lead);
    resolution(
        &mut out,
        "coordinating",
        &before.coordinating,
        &after.coordinating,
    );
    time_frame(&mut out, &before.time_frame, &after.time_frame);
    field(
        &mut out,
        "draft",
        before.draft.to_string(),
        after.draft.to_string(),
    );
    field(
        &mut out,
        "language",
        opt(&before.language),
        opt(&after.language),
    );
    field(&mut out, "source", opt(&before.source), opt(&after.source));
    out
}

fn resolution(out: &mut Vec<FieldChange>, name: &str, before: &Resolution, after: &Resolution) {
    field(out, name, before.text.clone(), after.text.clone());
    field(
        out,
        &format!("{name}.agencies"),
        list(&before.agencies),
        list(&after.agencies),
    );
    field(
        out,
        &format!("{name}.sets"),
        list(&before.sets),
        list(&after.sets),
    );
    field(
        out,
        &format!("{name}.unresolved"),
        list(&before.unresolved),
        list(&after.unresolved),
    );
    let participants = |resolution: &Resolution| -> Vec<String> {
        resolution
            .participants
            .iter()
            .map(|p| format!("{}:{}", p.kind.as_str(), p.text))
            .collect()
    };
    field(
        out,
        &format!("{name}.participants"),
        list(&participants(before)),
        list(&participants(after)),
    );
}

fn time_frame(out: &mut Vec<FieldChange>, before: &TimeFrame, after: &TimeFrame) {
    field(out, "time_frame", before.text.clone(), after.text.clone());
    field(
        out,
        "time_frame.kind",
        enum_text(&before.kind),
        enum_text(&after.kind),
    );
    field(
        out,
        "time_frame.start",
        date(before.start),
        date(after.start),
    );
    field(out, "time_frame.due", date(before.due), date(after.due));
    field(
        out,
        "time_frame.recurrence",
        enum_text(&before.recurrence),
        enum_text(&after.recurrence),
    );
}

fn field(out: &mut Vec<FieldChange>, name: &str, before: String, after: String) {
    if before != after {
        out.push(FieldChange {
            field: name.to_owned(),
            before,
            after,
        });
    }
}

const NOTHING: &str = "—";

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| NOTHING.to_owned())
}

fn date(value: Option<chrono::NaiveDate>) -> String {
    value.map_or_else(|| NOTHING.to_owned(), |d| d.to_string())
}

fn list(values: &[String]) -> String {
    if values.is_empty() {
        NOTHING.to_owned()
    } else {
        values.join("; ")
    }
}

/// One line per change, for the command line and logs:
/// `~ task 1.2 title: «old» → «new»`, `+ task 5.3: title`, `- task 2.1: title`.
impl fmt::Display for ProgramDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("no changes");
        }
        let mut lines = Vec::new();
        for change in &self.document {
            lines.push(format!(
                "~ document {}: «{}» → «{}»",
                change.field, change.before, change.after
            ));
        }
        for group in &self.groups {
            lines.push(match (&group.before, &group.after) {
                (None, Some(after)) => format!("+ group {}: {after}", group.code),
                (Some(before), None) => format!("- group {}: {before}", group.code),
                (before, after) => format!(
                    "~ group {} title: «{}» → «{}»",
                    group.code,
                    before.as_deref().unwrap_or(NOTHING),
                    after.as_deref().unwrap_or(NOTHING)
                ),
            });
        }
        for task in &self.added {
            lines.push(format!("+ task {}: {}", task.code, task.title));
        }
        for task in &self.removed {
            lines.push(format!("- task {}: {}", task.code, task.title));
        }
        for task in &self.changed {
            for change in &task.fields {
                lines.push(format!(
                    "~ task {} {}: «{}» → «{}»",
                    task.code, change.field, change.before, change.after
                ));
            }
        }
        if self.reordered {
            lines.push("~ order of groups or tasks changed".to_owned());
        }
        f.write_str(&lines.join("\n"))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use dongbo_domain::{DocumentKind, DocumentMeta, Recurrence, TaskGroup, TimeFrameKind};

    use super::*;

    /// A task of group 1 led by the Ministry of Foreign Affairs in 2024 (shared with the
    /// re-import tests).
    pub(crate) fn task(code: &str, title: &str) -> Task {
        Task {
            code: code.to_owned(),
            group: "1".to_owned(),
            title: title.to_owned(),
            expected_output: None,
            lead: Resolution {
                text: "Bộ Ngoại giao".to_owned(),
                agencies: vec!["BNG".to_owned()],
                ..Resolution::default()
            },
            coordinating: Resolution::default(),
            time_frame: TimeFrame {
                text: "2024".to_owned(),
                kind: TimeFrameKind::Year,
                start: None,
                due: None,
                recurrence: Recurrence::None,
            },
            draft: false,
            language: None,
            source: None,
        }
    }

    /// Program 47/NQ-CP with one group and `tasks`.
    pub(crate) fn program(tasks: Vec<Task>) -> ImportedProgram {
        ImportedProgram {
            document: DocumentMeta {
                number: Some("47/NQ-CP".to_owned()),
                kind: DocumentKind::Resolution,
                issued_on: None,
                issuer: None,
                issuer_text: None,
                signer: None,
                title: "Chương trình hành động".to_owned(),
                implements: vec![],
                language: "vi".to_owned(),
            },
            groups: vec![TaskGroup {
                code: "1".to_owned(),
                title: "Nhóm 1".to_owned(),
            }],
            tasks,
            warnings: vec![],
        }
    }

    #[test]
    fn identical_programs_have_an_empty_diff() {
        let p = program(vec![task("1.1", "A"), task("1.2", "B")]);
        let diff = compute(&p, &p.clone());
        assert!(diff.is_empty(), "{diff:?}");
        assert_eq!(diff.to_string(), "no changes");
    }

    #[test]
    fn tasks_are_matched_by_code_into_added_removed_and_changed() {
        let before = program(vec![task("1.1", "A"), task("1.2", "B")]);
        let after = program(vec![task("1.1", "A changed"), task("1.3", "C")]);
        let diff = compute(&before, &after);
        assert_eq!(
            diff.added
                .iter()
                .map(|t| t.code.as_str())
                .collect::<Vec<_>>(),
            ["1.3"]
        );
        assert_eq!(
            diff.removed
                .iter()
                .map(|t| t.code.as_str())
                .collect::<Vec<_>>(),
            ["1.2"]
        );
        assert_eq!(
            diff.changed,
            [TaskChange {
                code: "1.1".to_owned(),
                fields: vec![FieldChange {
                    field: "title".to_owned(),
                    before: "A".to_owned(),
                    after: "A changed".to_owned(),
                }],
            }]
        );
        assert!(!diff.reordered);
    }

    #[test]
    fn a_changed_resolution_and_due_date_are_reported_field_by_field() {
        let before = program(vec![task("1.1", "A")]);
        let mut changed = task("1.1", "A");
        changed.lead.agencies = vec!["BVHTTDL".to_owned()];
        changed.time_frame.due = chrono::NaiveDate::from_ymd_opt(2024, 12, 31);
        let diff = compute(&before, &program(vec![changed]));
        let fields: Vec<(&str, &str, &str)> = diff.changed[0]
            .fields
            .iter()
            .map(|f| (f.field.as_str(), f.before.as_str(), f.after.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("lead.agencies", "BNG", "BVHTTDL"),
                ("time_frame.due", "—", "2024-12-31"),
            ]
        );
    }

    #[test]
    fn document_fields_and_group_titles_are_compared() {
        let before = program(vec![task("1.1", "A")]);
        let mut after = before.clone();
        after.document.signer = Some("Phạm Minh Chính".to_owned());
        after.groups[0].title = "Nhóm một".to_owned();
        after.groups.push(TaskGroup {
            code: "2".to_owned(),
            title: "Nhóm 2".to_owned(),
        });
        after.warnings.push("dòng 12: thiếu thời gian".to_owned());
        let diff = compute(&before, &after);
        assert_eq!(
            diff.document
                .iter()
                .map(|f| f.field.as_str())
                .collect::<Vec<_>>(),
            ["signer", "warnings"]
        );
        assert_eq!(diff.groups.len(), 2);
        assert_eq!(diff.groups[0].before.as_deref(), Some("Nhóm 1"));
        assert_eq!(diff.groups[1].before, None);
        let text = diff.to_string();
        assert!(
            text.contains("~ document signer: «—» → «Phạm Minh Chính»"),
            "{text}"
        );
        assert!(text.contains("+ group 2: Nhóm 2"), "{text}");
    }

    #[test]
    fn moving_a_task_is_a_reorder_not_an_edit() {
        let before = program(vec![task("1.1", "A"), task("1.2", "B")]);
        let after = program(vec![task("1.2", "B"), task("1.1", "A")]);
        let diff = compute(&before, &after);
        assert!(diff.reordered);
        assert!(diff.changed.is_empty() && diff.added.is_empty() && diff.removed.is_empty());
        assert!(!diff.is_empty());
    }

    #[test]
    fn adding_a_task_in_the_middle_is_not_a_reorder() {
        let before = program(vec![task("1.1", "A"), task("1.3", "C")]);
        let after = program(vec![task("1.1", "A"), task("1.2", "B"), task("1.3", "C")]);
        let diff = compute(&before, &after);
        assert!(!diff.reordered);
        assert_eq!(diff.to_string(), "+ task 1.2: B");
    }
}
