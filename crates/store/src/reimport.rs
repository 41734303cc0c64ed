//! Re-imports against decided changes: which approved change requests (đề xuất điều chỉnh) a
//! newly imported file would undo — its **conflicts** — and the program to save: the file's,
//! with every conflict kept as the approved change left it unless the importer chose the
//! file's value. [`reconcile`] is a plain function of its inputs; the store reads the approved
//! history (`approved_history`) inside the transaction that saves the program.
//!
//! A conflict is raised only while the stored program still holds what the decision made:
//! once an importer took the file's value (or a later decision changed it again), the stored
//! value is no longer the decided one and the next re-import of that field is an ordinary
//! change. So a choice is asked for once, and importing the same file twice changes nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use dongbo_domain::{ImportedProgram, Task};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::changes::ChangeKind;
use crate::codec::{col, enum_from_text};
use crate::{Context, Result, StoreError};

/// What one approved change request did to one task, with its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decided {
    pub change_request_id: i64,
    pub kind: ChangeKind,
    pub task_code: String,
    /// RFC 3339, UTC.
    pub decided_at: String,
    pub decided_by: Option<String>,
    /// The decision's note (where a coordinator writes the decision's number).
    pub decision_note: Option<String>,
    /// The task before (`None` for an add).
    pub before: Option<Task>,
    /// The task after (`None` for a drop).
    pub after: Option<Task>,
}

/// Which conflicts take the file's value instead of the approved change's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FileWins {
    /// None: every approved change is kept (the default).
    #[default]
    Never,
    /// Every conflict (`dongbo import --accept-file`).
    Always,
    /// The conflicts with these [`Conflict::key`]s (the import page's choice per conflict).
    For(BTreeSet<String>),
}

impl FileWins {
    fn wins(&self, key: &str) -> bool {
        match self {
            FileWins::Never => false,
            FileWins::Always => true,
            FileWins::For(keys) => keys.contains(key),
        }
    }

    /// Whether any conflict may take the file's value (and so needs an actor to audit).
    pub fn any(&self) -> bool {
        match self {
            FileWins::Never => false,
            FileWins::Always => true,
            FileWins::For(keys) => !keys.is_empty(),
        }
    }
}

/// Which value a conflict was settled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Settled {
    /// The approved change stays; the file's value is not applied.
    KeptDecision,
    /// The file's value replaces the approved change (audited as `program.reimport_override`).
    TookFile,
}

/// The file says `file`; an approved change made it `decided` on `decided_at` by decision
/// `change_request_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub task_code: String,
    /// "task" (the task's existence: an add or a drop), "title", "expected_output", "lead",
    /// "coordinating" or "time_frame".
    pub field: String,
    /// The kind of the change request that set the value.
    pub kind: ChangeKind,
    /// What the file says ("—" when the file lacks the task).
    pub file: String,
    /// What the approved change made it ("—" when it dropped the task).
    pub decided: String,
    pub change_request_id: i64,
    /// RFC 3339, UTC.
    pub decided_at: String,
    /// The day of the decision in Vietnam.
    pub decided_on: Option<NaiveDate>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    pub settled: Settled,
}

impl Conflict {
    /// The conflict's name in a choice: `"{task code}#{field}"`.
    pub fn key(&self) -> String {
        key(&self.task_code, &self.field)
    }
}

fn key(code: &str, field: &str) -> String {
    format!("{code}#{field}")
}

const NOTHING: &str = "—";

/// A task's fields an approved change can set, by the name a conflict gives them.
const FIELDS: [&str; 5] = [
    "title",
    "expected_output",
    "lead",
    "coordinating",
    "time_frame",
];

/// The field `name` of `task`, to compare (as JSON, so every part of it counts) and to show.
fn field_value(task: &Task, name: &str) -> (serde_json::Value, String) {
    match name {
        "title" => (json(&task.title), task.title.clone()),
        "expected_output" => (
            json(&task.expected_output),
            task.expected_output
                .clone()
                .unwrap_or_else(|| NOTHING.to_owned()),
        ),
        "lead" => (json(&task.lead), resolution_text(&task.lead)),
        "coordinating" => (
            json(&task.coordinating),
            resolution_text(&task.coordinating),
        ),
        _ => (json(&task.time_frame), task.time_frame.text.clone()),
    }
}

fn set_field(task: &mut Task, name: &str, from: &Task) {
    match name {
        "title" => task.title.clone_from(&from.title),
        "expected_output" => task.expected_output.clone_from(&from.expected_output),
        "lead" => task.lead.clone_from(&from.lead),
        "coordinating" => task.coordinating.clone_from(&from.coordinating),
        _ => task.time_frame.clone_from(&from.time_frame),
    }
}

fn resolution_text(resolution: &dongbo_domain::Resolution) -> String {
    if !resolution.text.is_empty() {
        resolution.text.clone()
    } else if !resolution.agencies.is_empty() {
        resolution.agencies.join("; ")
    } else {
        NOTHING.to_owned()
    }
}

/// A field as JSON, to compare every part of it (a `Task`'s parts always serialise).
fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// The program to save when `file` is imported over `stored`, whose approved changes are
/// `decided` (oldest first), and the conflicts between the file and those changes, each
/// settled as `file_wins` says.
///
/// - **drop**: the decision dropped the task and the file still has it — kept out;
/// - **add**: the decision added the task and the file lacks it — kept, after the task that
///   precedes it in the stored program;
/// - **amend**, **retime** (any field a decision changed, and every field of a task a decision
///   added): the stored task still holds the decided value and the file says otherwise — the
///   decided value is kept.
pub fn reconcile(
    stored: &ImportedProgram,
    decided: &[Decided],
    file: &ImportedProgram,
    file_wins: &FileWins,
) -> (ImportedProgram, Vec<Conflict>) {
    let mut merged = file.clone();
    let mut conflicts = Vec::new();
    let mut by_task: BTreeMap<&str, Vec<&Decided>> = BTreeMap::new();
    for entry in decided {
        by_task.entry(&entry.task_code).or_default().push(entry);
    }
    let stored_tasks: HashMap<&str, &Task> =
        stored.tasks.iter().map(|t| (t.code.as_str(), t)).collect();
    let mut keep_out: BTreeSet<String> = BTreeSet::new();
    let mut keep_in: Vec<(String, &Task)> = Vec::new();

    for (code, entries) in &by_task {
        let Some(last) = entries.last() else { continue };
        let in_store = stored_tasks.get(code).copied();
        let in_file = file.tasks.iter().position(|t| t.code == *code);
        let mut conflict = |entry: &Decided, field: &str, file: String, decided: String| {
            let settled = if file_wins.wins(&key(code, field)) {
                Settled::TookFile
            } else {
                Settled::KeptDecision
            };
            conflicts.push(Conflict {
                task_code: (*code).to_owned(),
                field: field.to_owned(),
                kind: entry.kind,
                file,
                decided,
                change_request_id: entry.change_request_id,
                decided_at: entry.decided_at.clone(),
                decided_on: chrono::DateTime::parse_from_rfc3339(&entry.decided_at)
                    .ok()
                    .map(|at| dongbo_domain::clock::vietnam_day(at.to_utc())),
                decided_by: entry.decided_by.clone(),
                decision_note: entry.decision_note.clone(),
                settled,
            });
            settled
        };
        if last.after.is_none() {
            // Dropped by the decision, and still out of the program.
            if let (None, Some(index)) = (in_store, in_file) {
                let shown = file.tasks[index].title.clone();
                if conflict(last, "task", shown, NOTHING.to_owned()) == Settled::KeptDecision {
                    keep_out.insert((*code).to_owned());
                }
            }
            continue;
        }
        let Some(current) = in_store else { continue };
        let Some(index) = in_file else {
            // The file lacks the task: a conflict if a decision added it.
            if let Some(added) = entries.iter().rev().find(|e| e.before.is_none()) {
                let shown = current.title.clone();
                if conflict(added, "task", NOTHING.to_owned(), shown) == Settled::KeptDecision {
                    keep_in.push(((*code).to_owned(), current));
                }
            }
            continue;
        };
        for name in FIELDS {
            // The latest decision that set this field: an amend or retime that changed it, or
            // the add that created the task (which the file may now hold, worded otherwise).
            let Some((entry, after)) = entries.iter().rev().find_map(|e| {
                let after = e.after.as_ref()?;
                match &e.before {
                    None => Some((e, after)),
                    Some(before) => (field_value(before, name).0 != field_value(after, name).0)
                        .then_some((e, after)),
                }
            }) else {
                continue;
            };
            let (decided_value, decided_shown) = field_value(after, name);
            let (file_value, file_shown) = field_value(&file.tasks[index], name);
            if field_value(current, name).0 != decided_value || file_value == decided_value {
                continue;
            }
            if conflict(entry, name, file_shown, decided_shown) == Settled::KeptDecision {
                set_field(&mut merged.tasks[index], name, after);
            }
        }
    }

    merged.tasks.retain(|t| !keep_out.contains(&t.code));
    // Added tasks go back after the task that precedes them in the stored program.
    for (code, task) in keep_in {
        let at = stored
            .tasks
            .iter()
            .take_while(|t| t.code != code)
            .filter_map(|t| merged.tasks.iter().position(|m| m.code == t.code))
            .max()
            .map_or(0, |i| i + 1);
        merged.tasks.insert(at, task.clone());
    }
    (merged, conflicts)
}

/// What approved change requests did to the tasks of `program_id`, oldest first.
pub(crate) async fn approved_history(
    conn: &mut AnyConnection,
    program_id: i64,
    doing: &str,
) -> Result<Vec<Decided>> {
    let rows = sqlx::query(
        "SELECT h.task_code, h.before_json, h.after_json, c.id, c.kind, c.decided_at, \
            c.decided_by, c.decision_note \
         FROM task_history h JOIN change_requests c ON c.id = h.change_request_id \
         WHERE h.program_id = $1 AND c.status = 'approved' ORDER BY h.id",
    )
    .bind(program_id)
    .fetch_all(&mut *conn)
    .await
    .context(|| format!("{doing}: reading the approved changes"))?;
    let task = |text: Option<String>| -> Result<Option<Task>> {
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| StoreError::Corrupt {
                context: doing.to_owned(),
                message: format!("bad task in history: {e}"),
            })
        })
        .transpose()
    };
    rows.iter()
        .map(|row| {
            let kind: String = col(row, "kind", doing)?;
            let decided_at: Option<String> = col(row, "decided_at", doing)?;
            Ok(Decided {
                change_request_id: col(row, "id", doing)?,
                kind: enum_from_text(&kind, doing)?,
                task_code: col(row, "task_code", doing)?,
                decided_at: decided_at.unwrap_or_default(),
                decided_by: col(row, "decided_by", doing)?,
                decision_note: col(row, "decision_note", doing)?,
                before: task(col(row, "before_json", doing)?)?,
                after: task(col(row, "after_json", doing)?)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::tests::{program, task};

    fn decided(id: i64, kind: ChangeKind, before: Option<Task>, after: Option<Task>) -> Decided {
        Decided {
            change_request_id: id,
            kind,
            task_code: before.as_ref().or(after.as_ref()).unwrap().code.clone(),
            decided_at: "2026-11-02T03:00:00Z".to_owned(),
            decided_by: Some("cp.coordinator".to_owned()),
            decision_note: Some("Quyết định số 12/QĐ-BVHTTDL".to_owned()),
            before,
            after,
        }
    }

    #[test]
    fn an_amended_title_is_kept_and_other_changes_of_the_file_apply() {
        let file = program(vec![task("1.1", "A"), task("1.2", "B from the file")]);
        let stored = program(vec![task("1.1", "A amended"), task("1.2", "B")]);
        let history = [decided(
            7,
            ChangeKind::Amend,
            Some(task("1.1", "A")),
            Some(task("1.1", "A amended")),
        )];
        let (merged, conflicts) = reconcile(&stored, &history, &file, &FileWins::Never);
        assert_eq!(merged.tasks[0].title, "A amended");
        assert_eq!(merged.tasks[1].title, "B from the file");
        assert_eq!(conflicts.len(), 1);
        let c = &conflicts[0];
        assert_eq!(
            (c.key().as_str(), c.file.as_str(), c.decided.as_str()),
            ("1.1#title", "A", "A amended")
        );
        assert_eq!((c.change_request_id, c.settled), (7, Settled::KeptDecision));

        let (merged, conflicts) = reconcile(&stored, &history, &file, &FileWins::Always);
        assert_eq!(merged, file);
        assert_eq!(conflicts[0].settled, Settled::TookFile);
    }

    #[test]
    fn a_value_already_overridden_is_no_longer_a_conflict() {
        let file = program(vec![task("1.1", "A")]);
        let history = [decided(
            7,
            ChangeKind::Amend,
            Some(task("1.1", "A")),
            Some(task("1.1", "A amended")),
        )];
        let (merged, conflicts) = reconcile(&file, &history, &file, &FileWins::Never);
        assert!(conflicts.is_empty(), "{conflicts:?}");
        assert_eq!(merged, file);
    }

    #[test]
    fn a_task_added_by_a_decision_that_the_file_now_holds_keeps_its_decided_fields() {
        let mut added = task("1.2", "B as decided");
        added.lead.agencies = vec!["BVHTTDL".to_owned()];
        let stored = program(vec![task("1.1", "A"), added.clone()]);
        let file = program(vec![task("1.1", "A"), task("1.2", "B as the file says")]);
        let history = [decided(9, ChangeKind::Add, None, Some(added.clone()))];
        let (merged, conflicts) = reconcile(&stored, &history, &file, &FileWins::Never);
        assert_eq!(keys(&conflicts), ["1.2#title", "1.2#lead"]);
        assert_eq!(merged.tasks[1].title, "B as decided");
        assert_eq!(merged.tasks[1].lead, added.lead);
    }

    fn keys(conflicts: &[Conflict]) -> Vec<String> {
        conflicts.iter().map(Conflict::key).collect()
    }

    #[test]
    fn a_dropped_task_stays_out_and_an_added_one_stays_in_its_place() {
        let file = program(vec![task("1.1", "A"), task("1.2", "B"), task("1.3", "C")]);
        let mut added = task("1.4", "D added");
        added.source = Some("change request 9".to_owned());
        let stored = program(vec![task("1.1", "A"), added.clone(), task("1.3", "C")]);
        let history = [
            decided(8, ChangeKind::Drop, Some(task("1.2", "B")), None),
            decided(9, ChangeKind::Add, None, Some(added.clone())),
        ];
        let (merged, conflicts) = reconcile(&stored, &history, &file, &FileWins::Never);
        let codes: Vec<&str> = merged.tasks.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(codes, ["1.1", "1.4", "1.3"]);
        let keys: Vec<String> = conflicts.iter().map(Conflict::key).collect();
        assert_eq!(keys, ["1.2#task", "1.4#task"]);
        assert_eq!(conflicts[0].kind, ChangeKind::Drop);
        assert_eq!(conflicts[1].kind, ChangeKind::Add);

        let only_drop = FileWins::For(BTreeSet::from(["1.2#task".to_owned()]));
        let (merged, _) = reconcile(&stored, &history, &file, &only_drop);
        let codes: Vec<&str> = merged.tasks.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(codes, ["1.1", "1.4", "1.2", "1.3"]);
    }
}
