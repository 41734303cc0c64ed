//! Roles scoped to an agency subtree and what each may do (issue 3), and the password policy.
//!
//! # Scope
//!
//! A [`Grant`] gives a [`Role`] on one agency. It covers that agency and every agency whose
//! `parent` chain in the [`Directory`] reaches it. A grant on the Government, [`ROOT_AGENCY`]
//! ("CP"), covers every agency, including those the directory does not hang under it (the
//! provinces have no parent): the Government is the top of the whole tree. Actions that
//! concern no agency ([`Action::ManageUsers`], [`Action::ViewAudit`] system-wide) are asked
//! about [`ROOT_AGENCY`], so only a grant on the root allows them everywhere.
//!
//! # Matrix
//!
//! | action                 | viewer | reporter | approver | coordinator | librarian | admin |
//! |------------------------|:------:|:--------:|:--------:|:-----------:|:---------:|:-----:|
//! | `ViewProgram`          |   ✓    |    ✓     |    ✓     |      ✓      |     ✓     |   ✓   |
//! | `SubmitReport`         |        |    ✓     |    ✓     |             |           |   ✓   |
//! | `EditPlan`             |        |    ✓     |    ✓     |             |           |   ✓   |
//! | `ReviewReport`         |        |          |    ✓     |      ✓      |           |   ✓   |
//! | `ReopenReport`         |        |          |          |      ✓      |           |   ✓   |
//! | `DecideChangeRequest`  |        |          |          |      ✓      |           |   ✓   |
//! | `SendReminder`         |        |          |          |      ✓      |           |   ✓   |
//! | `PublishReport`        |        |          |    ✓     |      ✓      |           |   ✓   |
//! | `EditLibrary`          |        |          |          |             |     ✓     |   ✓   |
//! | `EditTemplates`        |        |          |          |             |           |   ✓   |
//! | `ManageUsers`          |        |          |          |             |           |   ✓   |
//! | `ViewAudit`            |        |          |          |             |           |   ✓   |
//!
//! Why: a reporter (báo cáo viên) is the officer who drafts the agency's plan from the
//! national program and writes its reports; the approver (the agency's leader) returns or
//! accepts the reports, and can do what the officer does. The coordinator is the coordinating ministry's office: it reviews what reaches it,
//! decides on change requests, chases late agencies, and is the one who may reopen accepted
//! (locked) data — an explicit, audited act — but it does not write other agencies' reports.
//! A synthesis report (báo cáo tổng hợp) is issued in an agency's name: its approver
//! (leader) issues the agency's own report, the coordinating ministry's coordinator the
//! national one. The wording of generated documents is the system's, so only an administrator
//! on the root changes it ([`Action::EditTemplates`] is asked about [`ROOT_AGENCY`]).
//! The librarian (thủ thư, cán bộ quản lý thư viện) keeps the items of the external-information
//! library an agency owns: creates, edits and removes them, and pushes them from the agency's
//! systems ([`Action::EditLibrary`] on the item's owner agency). It is a role of its own rather
//! than the reporter's because the people who publish an agency's articles and white papers
//! (its press office) are not those who report on its tasks; it sees the agency's programs
//! (to tag items with the tasks they serve) and nothing of their reports' workflow. The topic
//! vocabulary is shared by every agency, so only an admin changes it.
//! Admin may do everything within its scope.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::directory::Directory;
use crate::text;

/// The Government's code: a grant on it covers every agency.
pub const ROOT_AGENCY: &str = "CP";

/// Vai trò — what a user is to an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Reporter,
    Approver,
    Coordinator,
    /// Keeps the agency's library items (see the module documentation).
    Librarian,
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Viewer,
        Role::Reporter,
        Role::Approver,
        Role::Coordinator,
        Role::Librarian,
        Role::Admin,
    ];

    /// The stored and typed name ("reporter").
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Reporter => "reporter",
            Role::Approver => "approver",
            Role::Coordinator => "coordinator",
            Role::Librarian => "librarian",
            Role::Admin => "admin",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Viewer => "Xem",
            Role::Reporter => "Báo cáo viên",
            Role::Approver => "Phê duyệt",
            Role::Coordinator => "Điều phối",
            Role::Librarian => "Thủ thư",
            Role::Admin => "Quản trị",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::Viewer => "Viewer",
            Role::Reporter => "Reporter",
            Role::Approver => "Approver",
            Role::Coordinator => "Coordinator",
            Role::Librarian => "Librarian",
            Role::Admin => "Administrator",
        }
    }

    /// Whether this role may do `action` on an agency it covers (the matrix above).
    pub fn permits(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Viewer => matches!(action, ViewProgram),
            Role::Reporter => matches!(action, ViewProgram | SubmitReport | EditPlan),
            Role::Approver => matches!(
                action,
                ViewProgram | SubmitReport | EditPlan | ReviewReport | PublishReport
            ),
            Role::Coordinator => matches!(
                action,
                ViewProgram
                    | ReviewReport
                    | ReopenReport
                    | DecideChangeRequest
                    | SendReminder
                    | PublishReport
            ),
            Role::Librarian => matches!(action, ViewProgram | EditLibrary),
            Role::Admin => true,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role «{0}»: role must be one of viewer, reporter, approver, coordinator, librarian, admin"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    /// Accepts the English names in any case and the Vietnamese labels.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded = text::fold(s);
        Role::ALL
            .into_iter()
            .find(|role| {
                folded == role.as_str()
                    || folded == text::fold(role.label_vi())
                    || folded == text::fold(role.label_en())
            })
            .ok_or_else(|| UnknownRole(s.trim().to_owned()))
    }
}

/// A role on an agency's subtree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub agency_code: String,
}

impl Grant {
    pub fn new(role: Role, agency_code: impl Into<String>) -> Grant {
        Grant {
            role,
            agency_code: agency_code.into(),
        }
    }

    /// Whether this grant's scope includes `agency_code` (see the module documentation).
    pub fn covers(&self, agency_code: &str, directory: &Directory) -> bool {
        in_subtree(&self.agency_code, agency_code, directory)
    }
}

/// Whether `agency_code` is `root` or below it through `parent` links; a `root` of
/// [`ROOT_AGENCY`] contains everything. A cycle in bad data ends the walk instead of looping.
pub fn in_subtree(root: &str, agency_code: &str, directory: &Directory) -> bool {
    if root == ROOT_AGENCY {
        return true;
    }
    let mut current = agency_code;
    // A chain longer than the directory has a cycle.
    for _ in 0..=directory.agencies.len() {
        if current == root {
            return true;
        }
        match directory.agency(current).and_then(|a| a.parent.as_deref()) {
            Some(parent) => current = parent,
            None => return false,
        }
    }
    false
}

/// What a user does, asked about one agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    ViewProgram,
    /// Write or change the agency's own plan.
    EditPlan,
    SubmitReport,
    /// Return or accept a submitted report.
    ReviewReport,
    /// Unlock accepted data (an explicit, audited act).
    ReopenReport,
    DecideChangeRequest,
    SendReminder,
    /// Generate a synthesis report issued in the agency's name.
    PublishReport,
    /// Create, change, remove or push the library items an agency owns.
    EditLibrary,
    /// Change the wording templates of generated documents.
    EditTemplates,
    ManageUsers,
    ViewAudit,
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::ViewProgram,
        Action::EditPlan,
        Action::SubmitReport,
        Action::ReviewReport,
        Action::ReopenReport,
        Action::DecideChangeRequest,
        Action::SendReminder,
        Action::PublishReport,
        Action::EditLibrary,
        Action::EditTemplates,
        Action::ManageUsers,
        Action::ViewAudit,
    ];
}

/// Whether any of `grants` lets its holder do `action` on `agency_code`.
pub fn allowed(grants: &[Grant], action: Action, agency_code: &str, directory: &Directory) -> bool {
    grants
        .iter()
        .any(|grant| grant.role.permits(action) && grant.covers(agency_code, directory))
}

/// The rules a new password must meet.
///
/// - at least `min_chars` characters (Unicode scalar values after NFC; 12 by default): length
///   is what makes a password hard to guess;
/// - at most `max_chars` (1024): hashing cost grows with length, and no one types more;
/// - it must not be the username nor contain it (ignoring case and diacritics);
/// - it must mix at least two character classes of lower-case letters, upper-case letters,
///   digits and everything else (symbols, spaces, letters without case): "aaaaaaaaaaaa" and
///   "123456789012" are out, a long passphrase with one capital or one space is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_chars: usize,
    pub max_chars: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_chars: 12,
            max_chars: 1024,
        }
    }
}

/// One rule a password breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum PolicyViolation {
    TooShort { min_chars: usize },
    TooLong { max_chars: usize },
    ContainsUsername,
    OneCharacterClass,
}

impl PolicyViolation {
    pub fn message_vi(&self) -> String {
        match self {
            PolicyViolation::TooShort { min_chars } => {
                format!("Mật khẩu phải có ít nhất {min_chars} ký tự.")
            }
            PolicyViolation::TooLong { max_chars } => {
                format!("Mật khẩu không được dài quá {max_chars} ký tự.")
            }
            PolicyViolation::ContainsUsername => {
                "Mật khẩu không được trùng hoặc chứa tên đăng nhập.".to_owned()
            }
            PolicyViolation::OneCharacterClass => "Mật khẩu phải kết hợp ít nhất hai loại ký tự \
                 (chữ thường, chữ hoa, chữ số, ký hiệu)."
                .to_owned(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            PolicyViolation::TooShort { min_chars } => {
                format!("The password must have at least {min_chars} characters.")
            }
            PolicyViolation::TooLong { max_chars } => {
                format!("The password must not be longer than {max_chars} characters.")
            }
            PolicyViolation::ContainsUsername => {
                "The password must not be or contain the username.".to_owned()
            }
            PolicyViolation::OneCharacterClass => "The password must mix at least two kinds of \
                 characters (lower case, upper case, digits, symbols)."
                .to_owned(),
        }
    }
}

impl fmt::Display for PolicyViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.message_vi(), self.message_en())
    }
}

impl PasswordPolicy {
    /// Every rule `password` breaks for `username`; `Ok` when none.
    pub fn check(&self, password: &str, username: &str) -> Result<(), Vec<PolicyViolation>> {
        let password = text::nfc(password);
        let chars = password.chars().count();
        let mut violations = Vec::new();
        if chars < self.min_chars {
            violations.push(PolicyViolation::TooShort {
                min_chars: self.min_chars,
            });
        }
        if chars > self.max_chars {
            violations.push(PolicyViolation::TooLong {
                max_chars: self.max_chars,
            });
        }
        let folded_username = text::fold(username);
        if !folded_username.is_empty() && text::fold(&password).contains(&folded_username) {
            violations.push(PolicyViolation::ContainsUsername);
        }
        if character_classes(&password) < 2 {
            violations.push(PolicyViolation::OneCharacterClass);
        }
        if violations.is_empty() {
            Ok(())
        } else {
            Err(violations)
        }
    }
}

/// How many of lower case, upper case, digits, other a text uses.
fn character_classes(password: &str) -> usize {
    let mut seen = [false; 4];
    for c in password.chars() {
        let class = if c.is_lowercase() {
            0
        } else if c.is_uppercase() {
            1
        } else if c.is_numeric() {
            2
        } else {
            3
        };
        seen[class] = true;
    }
    seen.iter().filter(|s| **s).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::{Agency, AgencyKind};

    fn agency(code: &str, parent: Option<&str>) -> Agency {
        Agency {
            code: code.to_owned(),
            kind: AgencyKind::Ministry,
            name_vi: code.to_owned(),
            name_en: code.to_owned(),
            aliases: Vec::new(),
            valid_from: None,
            valid_until: None,
            parent: parent.map(str::to_owned),
            successors: Vec::new(),
            source: None,
            source_vi: None,
        }
    }

    /// CP ─ BNG ─ BNG-VP (a department) ; BVHTTDL under CP ; HN with no parent (a province).
    fn directory() -> Directory {
        Directory {
            agencies: vec![
                agency("CP", None),
                agency("BNG", Some("CP")),
                agency("BNG-VP", Some("BNG")),
                agency("BVHTTDL", Some("CP")),
                agency("HN", None),
            ],
            sets: Vec::new(),
        }
    }

    /// The matrix of the module documentation, row by row.
    fn expected(role: Role, action: Action) -> bool {
        use Action::*;
        let row: &[Action] = match role {
            Role::Viewer => &[ViewProgram],
            Role::Reporter => &[ViewProgram, SubmitReport, EditPlan],
            Role::Approver => &[
                ViewProgram,
                SubmitReport,
                EditPlan,
                ReviewReport,
                PublishReport,
            ],
            Role::Coordinator => &[
                ViewProgram,
                ReviewReport,
                ReopenReport,
                DecideChangeRequest,
                SendReminder,
                PublishReport,
            ],
            Role::Librarian => &[ViewProgram, EditLibrary],
            Role::Admin => &Action::ALL,
        };
        row.contains(&action)
    }

    #[test]
    fn every_role_and_action_follows_the_matrix_inside_its_subtree_and_nothing_outside() {
        let directory = directory();
        for role in Role::ALL {
            let grants = [Grant::new(role, "BNG")];
            for action in Action::ALL {
                let want = expected(role, action);
                for inside in ["BNG", "BNG-VP"] {
                    assert_eq!(
                        allowed(&grants, action, inside, &directory),
                        want,
                        "{role} on BNG, {action:?} on {inside}"
                    );
                }
                for outside in ["BVHTTDL", "HN", "CP", "UNKNOWN"] {
                    assert!(
                        !allowed(&grants, action, outside, &directory),
                        "{role} on BNG must not do {action:?} on {outside}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_grant_on_a_department_does_not_reach_up_to_its_ministry() {
        let directory = directory();
        let grants = [Grant::new(Role::Approver, "BNG-VP")];
        assert!(allowed(&grants, Action::ReviewReport, "BNG-VP", &directory));
        assert!(!allowed(&grants, Action::ReviewReport, "BNG", &directory));
    }

    #[test]
    fn an_admin_on_the_government_may_do_everything_everywhere_even_without_a_parent_chain() {
        let directory = directory();
        let grants = [Grant::new(Role::Admin, ROOT_AGENCY)];
        for action in Action::ALL {
            for code in ["CP", "BNG", "BNG-VP", "HN", "NOT-IN-DIRECTORY"] {
                assert!(
                    allowed(&grants, action, code, &directory),
                    "{action:?} {code}"
                );
            }
        }
    }

    #[test]
    fn an_admin_on_a_ministry_cannot_manage_users_system_wide() {
        let directory = directory();
        let grants = [Grant::new(Role::Admin, "BNG")];
        assert!(allowed(&grants, Action::ManageUsers, "BNG-VP", &directory));
        assert!(!allowed(
            &grants,
            Action::ManageUsers,
            ROOT_AGENCY,
            &directory
        ));
    }

    #[test]
    fn several_grants_add_up() {
        let directory = directory();
        let grants = [
            Grant::new(Role::Viewer, ROOT_AGENCY),
            Grant::new(Role::Reporter, "HN"),
        ];
        assert!(allowed(&grants, Action::ViewProgram, "BNG", &directory));
        assert!(allowed(&grants, Action::SubmitReport, "HN", &directory));
        assert!(!allowed(&grants, Action::SubmitReport, "BNG", &directory));
        assert!(!allowed(&[], Action::ViewProgram, "HN", &directory));
    }

    #[test]
    fn a_parent_cycle_in_bad_data_ends_instead_of_looping() {
        let directory = Directory {
            agencies: vec![agency("A", Some("B")), agency("B", Some("A"))],
            sets: Vec::new(),
        };
        assert!(!in_subtree("X", "A", &directory));
        assert!(in_subtree("B", "A", &directory));
    }

    #[test]
    fn roles_parse_from_their_names_and_labels_and_reject_others_with_the_list() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(role.label_vi().parse::<Role>(), Ok(role));
            assert_eq!(role.as_str().to_uppercase().parse::<Role>(), Ok(role));
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
        }
        assert_eq!("bao cao vien".parse::<Role>(), Ok(Role::Reporter));
        let error = "owner".parse::<Role>().unwrap_err().to_string();
        assert!(error.contains(
            "role must be one of viewer, reporter, approver, coordinator, librarian, admin"
        ));
    }

    #[test]
    fn a_long_mixed_password_passes_the_policy() {
        let policy = PasswordPolicy::default();
        assert_eq!(policy.check("hoa sen trắng 2025", "lan"), Ok(()));
        assert_eq!(policy.check("correcthorseBattery", "lan"), Ok(()));
    }

    #[test]
    fn a_short_password_is_too_short() {
        let violations = PasswordPolicy::default().check("Ab1!", "lan").unwrap_err();
        assert_eq!(violations, [PolicyViolation::TooShort { min_chars: 12 }]);
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // 11 Vietnamese characters are more than 12 bytes, and still too short.
        let violations = PasswordPolicy::default()
            .check("Đường dài1", "lan")
            .unwrap_err();
        assert_eq!(violations, [PolicyViolation::TooShort { min_chars: 12 }]);
    }

    #[test]
    fn a_password_equal_to_or_containing_the_username_is_refused_ignoring_case_and_diacritics() {
        let policy = PasswordPolicy::default();
        assert_eq!(
            policy.check("Nguyen.Van.An", "nguyễn.văn.an"),
            Err(vec![PolicyViolation::ContainsUsername])
        );
        assert_eq!(
            policy.check("my-NGUYEN.VAN.AN-2025", "nguyen.van.an"),
            Err(vec![PolicyViolation::ContainsUsername])
        );
    }

    #[test]
    fn a_password_of_one_character_class_is_refused() {
        let policy = PasswordPolicy::default();
        for password in [
            "aaaaaaaaaaaaaaa",
            "123456789012345",
            "ABCDEFGHIJKLMN",
            "!!!!!!!!!!!!!!",
        ] {
            assert_eq!(
                policy.check(password, "lan"),
                Err(vec![PolicyViolation::OneCharacterClass]),
                "{password}"
            );
        }
    }

    #[test]
    fn every_broken_rule_is_reported_with_both_languages() {
        let violations = PasswordPolicy::default().check("lan", "lan").unwrap_err();
        assert_eq!(
            violations,
            [
                PolicyViolation::TooShort { min_chars: 12 },
                PolicyViolation::ContainsUsername,
                PolicyViolation::OneCharacterClass
            ]
        );
        let text = violations[0].to_string();
        assert!(text.contains("ít nhất 12 ký tự") && text.contains("at least 12 characters"));
    }

    #[test]
    fn an_overlong_password_is_refused() {
        let password = format!("A{}", "a".repeat(1024));
        assert_eq!(
            PasswordPolicy::default().check(&password, "lan"),
            Err(vec![PolicyViolation::TooLong { max_chars: 1024 }])
        );
    }
}
