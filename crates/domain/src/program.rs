//! The shape of an action program as a document sets it out: document metadata, task groups
//! and tasks. Importers produce an [`ImportedProgram`]; the store keeps it; pages show it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Resolution, TimeFrame};

/// Loại văn bản — the kind of a legal or administrative document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Nghị quyết
    Resolution,
    /// Quyết định
    Decision,
    /// Kế hoạch
    Plan,
    /// Kết luận
    Conclusion,
    /// Chỉ thị
    Directive,
    /// Chương trình
    Program,
    /// Chiến lược
    Strategy,
    /// Quy định — a regulation (the Party's "QĐ/TW" are regulations or decisions).
    Regulation,
    /// Báo cáo
    Report,
    /// Công văn
    OfficialLetter,
    Other,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resolution => "resolution",
            Self::Decision => "decision",
            Self::Plan => "plan",
            Self::Conclusion => "conclusion",
            Self::Directive => "directive",
            Self::Program => "program",
            Self::Strategy => "strategy",
            Self::Regulation => "regulation",
            Self::Report => "report",
            Self::OfficialLetter => "official_letter",
            Self::Other => "other",
        }
    }

    /// The Vietnamese name, as a reference to the document reads: "Nghị quyết số 47/NQ-CP".
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Resolution => "Nghị quyết",
            Self::Decision => "Quyết định",
            Self::Plan => "Kế hoạch",
            Self::Conclusion => "Kết luận",
            Self::Directive => "Chỉ thị",
            Self::Program => "Chương trình",
            Self::Strategy => "Chiến lược",
            Self::Regulation => "Quy định",
            Self::Report => "Báo cáo",
            Self::OfficialLetter => "Công văn",
            Self::Other => "Văn bản",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "resolution" => Self::Resolution,
            "decision" => Self::Decision,
            "plan" => Self::Plan,
            "conclusion" => Self::Conclusion,
            "directive" => Self::Directive,
            "program" => Self::Program,
            "strategy" => Self::Strategy,
            "regulation" => Self::Regulation,
            "report" => Self::Report,
            "official_letter" => Self::OfficialLetter,
            _ => Self::Other,
        }
    }
}

/// What a document's header says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentMeta {
    /// Số, ký hiệu — "47/NQ-CP"; `None` when the document does not say.
    pub number: Option<String>,
    pub kind: DocumentKind,
    pub issued_on: Option<NaiveDate>,
    /// Code of the issuing agency in the directory, when resolved.
    pub issuer: Option<String>,
    /// The issuer as the document writes it ("CHÍNH PHỦ").
    pub issuer_text: Option<String>,
    pub signer: Option<String>,
    pub title: String,
    /// Numbers of the documents this one implements ("57-KL/TW").
    pub implements: Vec<String>,
    /// ISO 639-1 code of the document's language ("vi", "en", "nb", "pl").
    pub language: String,
}

/// Nhóm nhiệm vụ — a task group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskGroup {
    pub code: String,
    pub title: String,
}

impl TaskGroup {
    /// The title of the group pages and reports show for the tasks of a table without group
    /// rows; its code is "" (no number is invented).
    pub const UNGROUPED_TITLE: &'static str = "Nhiệm vụ";
}

/// Nhiệm vụ — one task of a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// "3.21"
    pub code: String,
    /// Code of the task's group.
    pub group: String,
    pub title: String,
    /// Kết quả / Sản phẩm — the expected output.
    pub expected_output: Option<String>,
    /// Cơ quan chủ trì — the lead agencies.
    pub lead: Resolution,
    /// Cơ quan phối hợp — the coordinating agencies.
    pub coordinating: Resolution,
    pub time_frame: TimeFrame,
    /// A draft task came from prose and waits for a person to review it.
    pub draft: bool,
    /// ISO 639-1 code of the task's text when it differs from Vietnamese or was detected.
    pub language: Option<String>,
    /// Where the task came from in the source file ("line 312", "row 7").
    pub source: Option<String>,
}

/// What an importer makes of a document: its metadata, groups and tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedProgram {
    pub document: DocumentMeta,
    pub groups: Vec<TaskGroup>,
    pub tasks: Vec<Task>,
    pub warnings: Vec<String>,
}

impl ImportedProgram {
    /// The groups as pages and reports list them: the document's own, then, when some tasks
    /// belong to none of them (a table without group rows), an untitled group with code ""
    /// that holds those — so no task is left off a page, and no group number is invented.
    pub fn groups_shown(&self) -> Vec<TaskGroup> {
        let mut groups = self.groups.clone();
        let grouped = |task: &Task| self.groups.iter().any(|g| g.code == task.group);
        if self.tasks.iter().any(|t| !grouped(t)) {
            groups.push(TaskGroup {
                code: String::new(),
                title: TaskGroup::UNGROUPED_TITLE.to_owned(),
            });
        }
        groups
    }

    /// The group a task is shown under: its own, or "" when the program has no such group.
    pub fn shown_group_of<'a>(&self, task: &'a Task) -> &'a str {
        if self.groups.iter().any(|g| g.code == task.group) {
            &task.group
        } else {
            ""
        }
    }
}
