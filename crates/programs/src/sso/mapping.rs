//! The mapping file: which roles, on which agencies, the groups of the organisation's
//! directory give (`--sso-mapping`, TOML; an example with every rule explained is
//! `docs/sso-mapping.example.toml`).
//!
//! ```toml
//! [[group]]
//! name = "bkhcn-bao-cao"   # the group's cn, or its whole DN
//! role = "reporter"        # viewer, reporter, approver, coordinator, librarian, admin
//! agency = "BKHCN"         # an agency code of the directory (the role covers its subtree)
//! ```
//!
//! A group is named by its whole DN (`cn=bkhcn-bao-cao,ou=groups,dc=bo,dc=gov,dc=vn`) or by the
//! value of its DN's first part (`bkhcn-bao-cao`), compared in NFC without regard to case. The
//! file is checked whole when the server starts: an unknown role or agency, an empty name or
//! a duplicate rule stops the start with the rule's number, so a typo never signs anyone in
//! with the wrong roles.

use std::collections::BTreeSet;
use std::path::Path;

use dongbo_domain::Directory;
use dongbo_domain::access::{Grant, Role};
use dongbo_domain::text;
use serde::Deserialize;

/// The rules of a mapping file, checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mapping {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    /// NFC, lower case.
    group: String,
    grant: Grant,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    group: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: String,
    role: String,
    agency: String,
}

impl Mapping {
    /// Reads and checks the mapping file at `path` against `directory`.
    pub fn load(path: &Path, directory: &Directory) -> Result<Mapping, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "«{}»: không đọc được tệp ánh xạ (the mapping file cannot be read): {e}",
                path.display()
            )
        })?;
        Mapping::parse(&text, directory).map_err(|why| format!("«{}»: {why}", path.display()))
    }

    /// Checks the mapping file's text against `directory`; the first fault, said in
    /// Vietnamese and English, with the rule's number.
    pub fn parse(source: &str, directory: &Directory) -> Result<Mapping, String> {
        let file: File = toml::from_str(source).map_err(|e| {
            format!("tệp ánh xạ không đúng cú pháp (the mapping file is not valid TOML): {e}")
        })?;
        let mut rules = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, raw) in file.group.into_iter().enumerate() {
            let n = i + 1;
            let group = text::nfc(raw.name.trim()).to_lowercase();
            if group.is_empty() {
                return Err(format!(
                    "quy tắc {n}: thiếu tên nhóm (rule {n}: the group's name is empty)"
                ));
            }
            let role: Role = raw.role.parse().map_err(|_| {
                format!(
                    "quy tắc {n}: vai trò «{}» không có (rule {n}: no role «{}»; use viewer, reporter, approver, coordinator, librarian or admin)",
                    raw.role, raw.role
                )
            })?;
            let agency_code = text::nfc(raw.agency.trim());
            if directory.agency(&agency_code).is_none() {
                return Err(format!(
                    "quy tắc {n}: không có cơ quan mã «{agency_code}» trong danh mục (rule {n}: no agency coded «{agency_code}» in the directory)"
                ));
            }
            let grant = Grant { role, agency_code };
            if !seen.insert((group.clone(), grant.clone())) {
                return Err(format!(
                    "quy tắc {n} lặp lại một quy tắc trước (rule {n} repeats an earlier one)"
                ));
            }
            rules.push(Rule { group, grant });
        }
        Ok(Mapping { rules })
    }

    /// The grants `groups` (DNs or names, as the directory gives them) are mapped to, sorted
    /// and without repeats.
    pub fn grants_for(&self, groups: &[String]) -> Vec<Grant> {
        let names: BTreeSet<String> = groups.iter().flat_map(|group| group_names(group)).collect();
        let grants: BTreeSet<Grant> = self
            .rules
            .iter()
            .filter(|rule| names.contains(&rule.group))
            .map(|rule| rule.grant.clone())
            .collect();
        grants.into_iter().collect()
    }
}

/// The names a group answers to: its whole DN or name, and the value of its DN's first part
/// (`cn=x,ou=groups,…` → `x`), NFC and lower case.
fn group_names(group: &str) -> Vec<String> {
    let whole = text::nfc(group.trim()).to_lowercase();
    let mut names = vec![whole.clone()];
    if let Some((_, value)) = whole.split(',').next().and_then(|rdn| rdn.split_once('=')) {
        names.push(value.trim().to_owned());
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role, agency: &str) -> Grant {
        Grant {
            role,
            agency_code: agency.to_owned(),
        }
    }

    #[test]
    fn groups_are_matched_by_dn_or_first_part_without_regard_to_case() {
        let mapping = Mapping::parse(
            "[[group]]\nname = \"BKHCN-Bao-Cao\"\nrole = \"reporter\"\nagency = \"BKHCN\"\n\
             [[group]]\nname = \"cn=btc-duyet,ou=groups,dc=dongbo,dc=test\"\nrole = \"Phê duyệt\"\nagency = \"BTC\"\n",
            &Directory::bundled(),
        )
        .expect("a valid mapping");
        assert_eq!(
            mapping.grants_for(&["cn=bkhcn-bao-cao,ou=groups,dc=dongbo,dc=test".into()]),
            vec![grant(Role::Reporter, "BKHCN")]
        );
        assert_eq!(
            mapping.grants_for(&[
                "CN=btc-duyet,OU=groups,DC=dongbo,DC=test".into(),
                "khác".into()
            ]),
            vec![grant(Role::Approver, "BTC")]
        );
        assert_eq!(mapping.grants_for(&["cn=btc-xem,ou=groups".into()]), vec![]);
    }

    /// The example the README points to is a valid mapping of the seed's groups.
    #[test]
    fn the_documented_example_is_valid() {
        let example = include_str!("../../../../docs/sso-mapping.example.toml");
        let mapping = Mapping::parse(example, &Directory::bundled()).expect("the example is valid");
        assert_eq!(
            mapping.grants_for(&["cn=btc-duyet,ou=groups,dc=dongbo,dc=test".into()]),
            vec![grant(Role::Approver, "BTC")]
        );
    }

    #[test]
    fn a_faulty_rule_is_refused_with_its_number() {
        let directory = Directory::bundled();
        let rule = |name: &str, role: &str, agency: &str| {
            format!("[[group]]\nname = \"{name}\"\nrole = \"{role}\"\nagency = \"{agency}\"\n")
        };
        let cases = [
            (rule("x", "chief", "BTC"), "rule 1: no role «chief»"),
            (
                rule("x", "viewer", "KHÔNG-CÓ"),
                "rule 1: no agency coded «KHÔNG-CÓ»",
            ),
            (
                rule(" ", "viewer", "BTC"),
                "rule 1: the group's name is empty",
            ),
            (
                rule("x", "viewer", "BTC") + &rule("X", "viewer", "BTC"),
                "rule 2 repeats",
            ),
            ("[[group]]\nname = \"x\"\n".to_owned(), "not valid TOML"),
            ("[[groups]]\n".to_owned(), "not valid TOML"),
        ];
        for (source, expected) in cases {
            let error = Mapping::parse(&source, &directory).expect_err(&source);
            assert!(error.contains(expected), "{source}: {error}");
        }
    }
}
