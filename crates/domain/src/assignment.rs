//! Phân công — from a task's lead and coordinating cells to one assignment per responsible
//! agency and role.
//!
//! The rules, in order:
//!
//! 1. **As the document meant it.** An agency named one by one is assigned as named. A
//!    closed agency set ("các bộ, ngành, địa phương") stands for its members **on the
//!    document's date**: a 2024 resolution speaks to the 63 provinces of 2024. An open set
//!    ("các bộ, ngành liên quan") has no members until a person chooses them: it becomes a
//!    [`PendingChoice`].
//! 2. **Succession.** An agency that has since ended hands its assignment to its successors
//!    for the program's function ([`Directory::successors_for`]): a 2024 external-information
//!    task of the Ministry of Information and Communications goes to Culture, Sports and
//!    Tourism; everything else of that ministry to Science and Technology. The assignment keeps
//!    where it came from in its [`Origin`]s.
//! 3. **One assignment per agency and role.** Several origins can land on one agency (Hà
//!    Giang and Tuyên Quang both became the new Tuyên Quang; a ministry named and also a
//!    member of "các bộ, ngành"): they merge into one assignment that lists every origin.
//! 4. **The lead role wins.** An agency that leads a task is not also assigned as a
//!    coordinator of it (it is a member of "các bộ, ngành, địa phương" in the coordinating
//!    cell of almost every task it leads); its coordinating origins are kept on its lead
//!    assignment.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::directory::Directory;
use crate::program::Task;
use crate::resolver::Resolution;

/// Vai trò — how a task names an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Cơ quan chủ trì — the lead.
    Lead,
    /// Cơ quan phối hợp — a coordinating agency.
    Coordinating,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Lead => "lead",
            Role::Coordinating => "coordinating",
        }
    }

    /// The role stored as [`Role::as_str`] names it.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "lead" => Some(Role::Lead),
            "coordinating" => Some(Role::Coordinating),
            _ => None,
        }
    }
}

/// Where an assignment came from: what the task's cell named, and the agency that stood for
/// it on the document's date.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Origin {
    /// The cell the origin comes from.
    pub role: Role,
    /// The agency set the cell named, when the agency was one of its members.
    pub via_set: Option<String>,
    /// The agency the document meant on its date (before any succession).
    pub original: String,
}

impl Origin {
    /// Whether the agency was handed the assignment by succession.
    pub fn succeeded(&self, agency_code: &str) -> bool {
        self.original != agency_code
    }
}

/// One agency's responsibility for one task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedAssignment {
    pub agency_code: String,
    pub role: Role,
    /// Every way the task reached this agency, in a stable order.
    pub origins: Vec<Origin>,
}

/// An open set named in a cell: a person (the program's coordinator) chooses its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingChoice {
    pub role: Role,
    pub set_code: String,
}

/// What [`expand`] makes of one task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expansion {
    /// Lead assignments first, then coordinating ones, each in the order the cell named them.
    pub assignments: Vec<PlannedAssignment>,
    pub pending: Vec<PendingChoice>,
}

/// The assignments of `task`, a task of a document dated `as_of`, for a program whose work is
/// `function` (a successor function such as `external_information`, or
/// [`crate::directory::ANY_FUNCTION`]). See the module documentation for the rules.
pub fn expand(task: &Task, directory: &Directory, as_of: NaiveDate, function: &str) -> Expansion {
    let mut expansion = Expansion::default();
    let mut found: Vec<(String, Role, Origin)> = Vec::new();
    for (role, cell) in [
        (Role::Lead, &task.lead),
        (Role::Coordinating, &task.coordinating),
    ] {
        for (original, via_set) in meant(cell, directory, as_of, role, &mut expansion.pending) {
            let origin = Origin {
                role,
                via_set,
                original: original.clone(),
            };
            let successors = directory.successors_for(&original, function);
            if successors.is_empty() {
                found.push((original, role, origin));
            } else {
                for successor in successors {
                    found.push((successor.code.clone(), role, origin.clone()));
                }
            }
        }
    }

    let leads: Vec<String> = found
        .iter()
        .filter(|(_, role, _)| *role == Role::Lead)
        .map(|(code, _, _)| code.clone())
        .collect();
    for (agency_code, role, origin) in found {
        // Rule 4: an agency that leads is not also a coordinator.
        let role = if leads.contains(&agency_code) {
            Role::Lead
        } else {
            role
        };
        match expansion
            .assignments
            .iter_mut()
            .find(|a| a.agency_code == agency_code && a.role == role)
        {
            Some(assignment) => {
                if !assignment.origins.contains(&origin) {
                    assignment.origins.push(origin);
                }
            }
            None => expansion.assignments.push(PlannedAssignment {
                agency_code,
                role,
                origins: vec![origin],
            }),
        }
    }
    expansion
        .assignments
        .sort_by_key(|assignment| assignment.role);
    for assignment in &mut expansion.assignments {
        assignment.origins.sort();
    }
    expansion
}

/// The agencies a cell meant on `as_of`, each with the set it came through; open sets go to
/// `pending`. Unresolved fragments name nobody and are left to the import's warnings.
fn meant(
    cell: &Resolution,
    directory: &Directory,
    as_of: NaiveDate,
    role: Role,
    pending: &mut Vec<PendingChoice>,
) -> Vec<(String, Option<String>)> {
    let mut meant: Vec<(String, Option<String>)> = cell
        .agencies
        .iter()
        .map(|code| (code.clone(), None))
        .collect();
    for set_code in &cell.sets {
        match directory.set(set_code) {
            Some(set) if set.open => pending.push(PendingChoice {
                role,
                set_code: set_code.clone(),
            }),
            Some(_) => meant.extend(
                directory
                    .set_members(set_code, as_of)
                    .into_iter()
                    .map(|member| (member.code.clone(), Some(set_code.clone()))),
            ),
            None => {}
        }
    }
    meant
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::ANY_FUNCTION;
    use crate::time_frame::TimeFrame;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn cell(agencies: &[&str], sets: &[&str]) -> Resolution {
        Resolution {
            text: String::new(),
            agencies: agencies.iter().map(|s| (*s).to_owned()).collect(),
            sets: sets.iter().map(|s| (*s).to_owned()).collect(),
            unresolved: Vec::new(),
            participants: Vec::new(),
        }
    }

    fn task(lead: Resolution, coordinating: Resolution) -> Task {
        Task {
            code: "1.1".into(),
            group: "1".into(),
            title: "Nhiệm vụ".into(),
            expected_output: None,
            lead,
            coordinating,
            time_frame: TimeFrame::parse("2024"),
            draft: false,
            language: None,
            source: None,
        }
    }

    fn codes(expansion: &Expansion, role: Role) -> Vec<&str> {
        expansion
            .assignments
            .iter()
            .filter(|a| a.role == role)
            .map(|a| a.agency_code.as_str())
            .collect()
    }

    #[test]
    fn a_named_agency_that_still_exists_is_assigned_as_named() {
        let directory = Directory::bundled();
        let expansion = expand(
            &task(cell(&["BNG"], &[]), cell(&[], &[])),
            &directory,
            date("2024-04-15"),
            ANY_FUNCTION,
        );
        assert_eq!(codes(&expansion, Role::Lead), ["BNG"]);
        assert_eq!(
            expansion.assignments[0].origins,
            [Origin {
                role: Role::Lead,
                via_set: None,
                original: "BNG".into()
            }]
        );
        assert!(expansion.pending.is_empty());
    }

    #[test]
    fn an_ended_ministry_hands_the_task_to_its_successor_for_the_programs_function() {
        let directory = Directory::bundled();
        let t = task(cell(&["BTTTT"], &[]), cell(&[], &[]));
        let external = expand(&t, &directory, date("2024-04-15"), "external_information");
        assert_eq!(codes(&external, Role::Lead), ["BVHTTDL"]);
        assert!(external.assignments[0].origins[0].succeeded("BVHTTDL"));
        assert_eq!(external.assignments[0].origins[0].original, "BTTTT");

        let other = expand(&t, &directory, date("2024-04-15"), ANY_FUNCTION);
        assert_eq!(codes(&other, Role::Lead), ["BKHCN"]);
    }

    #[test]
    fn a_closed_set_stands_for_its_members_on_the_documents_date_then_succession_merges_them() {
        let directory = Directory::bundled();
        let expansion = expand(
            &task(cell(&[], &["dia-phuong"]), cell(&[], &[])),
            &directory,
            date("2024-04-15"),
            ANY_FUNCTION,
        );
        let leads = codes(&expansion, Role::Lead);
        assert_eq!(leads.len(), 34, "63 provinces of 2024 are the 34 of today");
        let tuyen_quang = expansion
            .assignments
            .iter()
            .find(|a| a.agency_code == "T-TUYEN-QUANG")
            .expect("Tuyên Quang is assigned");
        let originals: Vec<&str> = tuyen_quang
            .origins
            .iter()
            .map(|o| o.original.as_str())
            .collect();
        assert!(originals.contains(&"T-HA-GIANG"), "{originals:?}");
        assert!(
            tuyen_quang
                .origins
                .iter()
                .all(|o| o.via_set.as_deref() == Some("dia-phuong"))
        );
    }

    #[test]
    fn an_open_set_waits_for_a_person_to_choose() {
        let directory = Directory::bundled();
        let expansion = expand(
            &task(cell(&["BNG"], &[]), cell(&["BNV"], &["bo-nganh-lien-quan"])),
            &directory,
            date("2024-04-15"),
            ANY_FUNCTION,
        );
        assert_eq!(codes(&expansion, Role::Coordinating), ["BNV"]);
        assert_eq!(
            expansion.pending,
            [PendingChoice {
                role: Role::Coordinating,
                set_code: "bo-nganh-lien-quan".into()
            }]
        );
    }

    #[test]
    fn the_lead_is_not_also_a_coordinator_through_a_set_it_belongs_to() {
        let directory = Directory::bundled();
        let expansion = expand(
            &task(cell(&["BNG"], &[]), cell(&[], &["bo-nganh"])),
            &directory,
            date("2024-04-15"),
            ANY_FUNCTION,
        );
        assert_eq!(codes(&expansion, Role::Lead), ["BNG"]);
        assert!(!codes(&expansion, Role::Coordinating).contains(&"BNG"));
        assert!(codes(&expansion, Role::Coordinating).contains(&"BQP"));
        let lead = &expansion.assignments[0];
        assert_eq!(
            lead.origins.len(),
            2,
            "named as lead, and member of the set"
        );
        assert_eq!(lead.origins[1].role, Role::Coordinating);
    }

    #[test]
    fn an_unknown_set_names_nobody() {
        let directory = Directory::bundled();
        let expansion = expand(
            &task(cell(&[], &["no-such-set"]), cell(&[], &[])),
            &directory,
            date("2024-04-15"),
            ANY_FUNCTION,
        );
        assert_eq!(expansion, Expansion::default());
    }
}
