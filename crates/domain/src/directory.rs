//! The agency directory: agencies with names, aliases, validity dates and successors, and the
//! agency sets that collective phrases name. Loaded from the reviewable TOML files in `data/agencies/`.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The function name that stands for "every function not listed for another successor".
pub const ANY_FUNCTION: &str = "*";

/// What kind of body an agency is; agency sets select their members by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// Chính phủ, Thủ tướng Chính phủ
    Government,
    /// Bộ
    Ministry,
    /// Cơ quan ngang bộ (Văn phòng Chính phủ, Thanh tra Chính phủ, Ngân hàng Nhà nước, Ủy ban Dân tộc)
    MinisterialAgency,
    /// Cơ quan thuộc Chính phủ (VTV, VOV, TTXVN, the Academies…)
    GovernmentAgency,
    /// Tỉnh
    Province,
    /// Thành phố trực thuộc trung ương
    CentralCity,
    /// Cơ quan của Đảng (Ban Tuyên giáo Trung ương…)
    PartyBody,
    /// Cơ quan báo chí (Báo Nhân Dân…)
    Press,
    /// Quốc hội and its bodies
    NationalAssembly,
    /// Mặt trận Tổ quốc and socio-political organisations
    Front,
    /// Courts, procuracy, audit, state banks and other bodies
    Other,
    /// Đơn vị — a unit inside an agency (a department of a ministry, a provincial
    /// department), created by its agency in Đồng Bộ rather than shipped in the data files.
    Unit,
}

/// A successor of an ended agency for some of its functions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Succession {
    /// Code of the successor agency.
    pub code: String,
    /// Functions it took over ("press", "publishing", "external_information"…); `["*"]` means
    /// every function not listed for another successor.
    pub functions: Vec<String>,
}

/// Cơ quan — one node of the government tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    /// Stable code ("BTTTT", "BVHTTDL", "HN").
    pub code: String,
    pub kind: AgencyKind,
    pub name_vi: String,
    pub name_en: String,
    /// Other names, abbreviations and short forms ("Bộ TT&TT", "BTTTT", "MIC").
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    /// Last day the agency existed; `None` while it exists.
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub successors: Vec<Succession>,
    /// Where the facts come from (in English, as gathered).
    #[serde(default)]
    pub source: Option<String>,
    /// The same in Vietnamese, for the Vietnamese pages.
    #[serde(default)]
    pub source_vi: Option<String>,
}

impl Agency {
    /// Whether the agency existed on `date`.
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|from| from <= date)
            && self.valid_until.is_none_or(|until| date <= until)
    }

    /// Whether the agency existed on some day on which `other` existed too.
    pub fn overlaps(&self, other: &Agency) -> bool {
        let starts_before_other_ends = match (self.valid_from, other.valid_until) {
            (Some(from), Some(until)) => from <= until,
            _ => true,
        };
        let other_starts_before_this_ends = match (other.valid_from, self.valid_until) {
            (Some(from), Some(until)) => from <= until,
            _ => true,
        };
        starts_before_other_ends && other_starts_before_this_ends
    }

    /// Every name the agency goes by: Vietnamese and English names and the aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        [self.name_vi.as_str(), self.name_en.as_str()]
            .into_iter()
            .chain(self.aliases.iter().map(String::as_str))
    }

    /// The successors that took over `function`; those for [`ANY_FUNCTION`] when none is
    /// named for it.
    fn direct_successors_for(&self, function: &str) -> impl Iterator<Item = &Succession> {
        let named = self
            .successors
            .iter()
            .any(|s| s.functions.iter().any(|f| f == function));
        let wanted = if named { function } else { ANY_FUNCTION };
        self.successors
            .iter()
            .filter(move |s| s.functions.iter().any(|f| f == wanted))
    }
}

/// Một nhóm cơ quan — a collective phrase such as "các bộ, ngành, địa phương".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencySet {
    /// Stable code ("bo-nganh-dia-phuong").
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    /// Phrases that name the set in documents.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Kinds of agency that belong to the set, as of a date.
    #[serde(default)]
    pub member_kinds: Vec<AgencyKind>,
    /// Agencies named one by one.
    #[serde(default)]
    pub member_codes: Vec<String>,
    /// An open set needs a person to choose its members ("các bộ, ngành liên quan").
    #[serde(default)]
    pub open: bool,
}

/// The whole directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub agencies: Vec<Agency>,
    pub sets: Vec<AgencySet>,
}

/// A directory file could not be read, or the directory contradicts itself.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    /// Found by [`Directory::validate`]: `subject` names the agency or set ("agency BTTTT").
    #[error("{subject}: {message}")]
    Inconsistent { subject: String, message: String },
}

/// The layout of one TOML file under `data/agencies/`: any number of `[[agency]]` and `[[set]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectoryFile {
    #[serde(default)]
    agency: Vec<Agency>,
    #[serde(default)]
    set: Vec<AgencySet>,
}

/// The directory files shipped in the repository, in load order.
const BUNDLED: &[(&str, &str)] = &[
    (
        "data/agencies/central.toml",
        include_str!("../../../data/agencies/central.toml"),
    ),
    (
        "data/agencies/former.toml",
        include_str!("../../../data/agencies/former.toml"),
    ),
    (
        "data/agencies/provinces.toml",
        include_str!("../../../data/agencies/provinces.toml"),
    ),
    (
        "data/agencies/sets.toml",
        include_str!("../../../data/agencies/sets.toml"),
    ),
];

impl Directory {
    /// The directory shipped in `data/agencies/`.
    pub fn bundled() -> Self {
        Self::from_toml_files(BUNDLED)
            .expect("the bundled directory files are valid (checked by tests)")
    }

    /// Read a directory from `(file name, TOML text)` pairs. Text is normalised to NFC.
    pub fn from_toml_files(files: &[(&str, &str)]) -> Result<Self, DirectoryError> {
        let mut directory = Directory::default();
        for (file, text) in files {
            let parsed: DirectoryFile =
                toml::from_str(&crate::text::nfc(text)).map_err(|e| DirectoryError::Parse {
                    file: (*file).to_owned(),
                    message: e.to_string(),
                })?;
            directory.agencies.extend(parsed.agency);
            directory.sets.extend(parsed.set);
        }
        Ok(directory)
    }

    /// The directory with the units agencies created added, each under its agency.
    pub fn with_units(mut self, units: impl IntoIterator<Item = Agency>) -> Directory {
        self.agencies.extend(units);
        self
    }

    /// Whether `code` is `root` or lies under it through the parent chain (a unit under its
    /// ministry, a ministry under the Government).
    pub fn is_within(&self, code: &str, root: &str) -> bool {
        let mut current = Some(code);
        // The chain is short; the bound only keeps a cycle in bad data from looping.
        for _ in 0..32 {
            match current {
                Some(c) if c == root => return true,
                Some(c) => current = self.agency(c).and_then(|a| a.parent.as_deref()),
                None => return false,
            }
        }
        false
    }

    pub fn agency(&self, code: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.code == code)
    }

    pub fn set(&self, code: &str) -> Option<&AgencySet> {
        self.sets.iter().find(|s| s.code == code)
    }

    /// The agencies that existed on `date`, in directory order.
    pub fn valid_on(&self, date: NaiveDate) -> impl Iterator<Item = &Agency> {
        self.agencies.iter().filter(move |a| a.valid_on(date))
    }

    /// The agencies that carry `function` of the ended agency `code` today: its successors for
    /// that function (or its [`ANY_FUNCTION`] successors when none is named for it), followed
    /// through later successions to agencies that have no successor themselves. Empty when
    /// `code` is unknown or has no successors (it still exists).
    pub fn successors_for(&self, code: &str, function: &str) -> Vec<&Agency> {
        let mut found: Vec<&Agency> = Vec::new();
        let mut seen = HashSet::from([code]);
        let mut queue: VecDeque<&str> = VecDeque::new();
        if let Some(agency) = self.agency(code) {
            queue.extend(
                agency
                    .direct_successors_for(function)
                    .map(|s| s.code.as_str()),
            );
        }
        while let Some(next) = queue.pop_front() {
            // A cycle or a diamond would otherwise visit an agency twice; `validate` reports
            // cycles, this only keeps the walk finite.
            if !seen.insert(next) {
                continue;
            }
            let Some(agency) = self.agency(next) else {
                continue;
            };
            if agency.successors.is_empty() {
                found.push(agency);
            } else {
                queue.extend(
                    agency
                        .direct_successors_for(function)
                        .map(|s| s.code.as_str()),
                );
            }
        }
        found
    }

    /// The agencies a set stood for on `as_of`: those of its member kinds and those it names,
    /// that existed on that day, in directory order. Empty for an open set (a person chooses
    /// its members) and for an unknown code.
    pub fn set_members(&self, set_code: &str, as_of: NaiveDate) -> Vec<&Agency> {
        let Some(set) = self.set(set_code).filter(|s| !s.open) else {
            return Vec::new();
        };
        self.valid_on(as_of)
            .filter(|a| set.member_kinds.contains(&a.kind) || set.member_codes.contains(&a.code))
            .collect()
    }

    /// Every code a task of a document dated `as_of` may name that `agency_code` answers for
    /// now: the agency itself, its predecessors (agencies whose successors include it, and
    /// theirs, for any function), and every non-open set that had the agency or one of those
    /// predecessors as a member on `as_of`. Agencies first, then sets in directory order.
    pub fn answerable_codes(&self, agency_code: &str, as_of: NaiveDate) -> Vec<String> {
        let mut agencies = vec![agency_code];
        let mut queue = VecDeque::from([agency_code]);
        while let Some(code) = queue.pop_front() {
            for predecessor in &self.agencies {
                if predecessor.successors.iter().any(|s| s.code == code)
                    && !agencies.contains(&predecessor.code.as_str())
                {
                    agencies.push(&predecessor.code);
                    queue.push_back(&predecessor.code);
                }
            }
        }
        let sets = self.sets.iter().filter(|set| {
            !set.open
                && self
                    .set_members(&set.code, as_of)
                    .iter()
                    .any(|member| agencies.contains(&member.code.as_str()))
        });
        agencies
            .iter()
            .map(|code| (*code).to_owned())
            .chain(sets.map(|set| set.code.clone()))
            .collect()
    }

    /// Everything that makes the directory contradict itself; empty when it is sound. Checks:
    /// codes unique (agencies and sets); parents, successors and set members name existing
    /// agencies; no agency ends before it starts; an ended agency has successors, and every
    /// succession chain ends without a cycle; an agency with successors has one for
    /// [`ANY_FUNCTION`]; no name or alias (folded) is shared by two agencies that existed on
    /// the same day.
    pub fn validate(&self) -> Vec<DirectoryError> {
        let mut errors = Vec::new();
        let mut report = |subject: String, message: String| {
            errors.push(DirectoryError::Inconsistent { subject, message });
        };

        let mut codes = HashSet::new();
        for agency in &self.agencies {
            if !codes.insert(agency.code.as_str()) {
                report(
                    format!("agency {}", agency.code),
                    "code used twice".to_owned(),
                );
            }
        }
        let mut set_codes = HashSet::new();
        for set in &self.sets {
            if !set_codes.insert(set.code.as_str()) {
                report(format!("set {}", set.code), "code used twice".to_owned());
            }
            for member in &set.member_codes {
                if !codes.contains(member.as_str()) {
                    report(
                        format!("set {}", set.code),
                        format!("unknown member {member}"),
                    );
                }
            }
        }

        for agency in &self.agencies {
            let subject = || format!("agency {}", agency.code);
            if let Some(parent) = &agency.parent
                && !codes.contains(parent.as_str())
            {
                report(subject(), format!("unknown parent {parent}"));
            }
            for succession in &agency.successors {
                if !codes.contains(succession.code.as_str()) {
                    report(subject(), format!("unknown successor {}", succession.code));
                }
                if succession.functions.is_empty() {
                    report(
                        subject(),
                        format!("successor {} takes over no function", succession.code),
                    );
                }
            }
            if let (Some(from), Some(until)) = (agency.valid_from, agency.valid_until)
                && until < from
            {
                report(
                    subject(),
                    format!("ends ({until}) before it starts ({from})"),
                );
            }
            if agency.valid_until.is_some() && agency.successors.is_empty() {
                report(subject(), "ended without a successor".to_owned());
            }
            if !agency.successors.is_empty()
                && !agency
                    .successors
                    .iter()
                    .any(|s| s.functions.iter().any(|f| f == ANY_FUNCTION))
            {
                report(
                    subject(),
                    format!("no successor carries the other functions (\"{ANY_FUNCTION}\")"),
                );
            }
            if let Some(cycle_at) = self.succession_cycle_from(agency) {
                report(
                    subject(),
                    format!("its succession comes back to {cycle_at}"),
                );
            }
        }

        // Two agencies may share a name only if they never existed on the same day (a body
        // and the body that replaced it under the same name).
        let mut by_name: HashMap<String, Vec<&Agency>> = HashMap::new();
        for agency in &self.agencies {
            let mut own = HashSet::new();
            for name in agency.names() {
                let folded = crate::text::fold(name);
                if !folded.is_empty() && own.insert(folded.clone()) {
                    by_name.entry(folded).or_default().push(agency);
                }
            }
        }
        let mut clashes: Vec<(&str, &str, &String)> = Vec::new();
        for (name, holders) in &by_name {
            for (i, a) in holders.iter().enumerate() {
                for b in &holders[i + 1..] {
                    if a.code != b.code && a.overlaps(b) {
                        clashes.push((&a.code, &b.code, name));
                    }
                }
            }
        }
        // HashMap order is arbitrary; sorted, the report reads the same on every run.
        clashes.sort();
        for (a, b, name) in clashes {
            report(
                format!("agency {a}"),
                format!("name \"{name}\" also belongs to {b}, valid at the same time"),
            );
        }
        errors
    }

    /// The first agency met twice when following every succession from `agency`, if any.
    fn succession_cycle_from(&self, agency: &Agency) -> Option<String> {
        // Depth-first over the succession graph, tracking the current path: an edge back into
        // the path is a cycle. The graph is small (hundreds of agencies, few successions).
        fn visit<'a>(
            directory: &'a Directory,
            agency: &'a Agency,
            path: &mut Vec<&'a str>,
            done: &mut HashSet<&'a str>,
        ) -> Option<String> {
            if path.contains(&agency.code.as_str()) {
                return Some(agency.code.clone());
            }
            if !done.insert(&agency.code) {
                return None;
            }
            path.push(&agency.code);
            for succession in &agency.successors {
                if let Some(next) = directory.agency(&succession.code)
                    && let Some(code) = visit(directory, next, path, done)
                {
                    return Some(code);
                }
            }
            path.pop();
            None
        }
        visit(self, agency, &mut Vec::new(), &mut HashSet::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("a test date")
    }

    fn directory(toml: &str) -> Directory {
        Directory::from_toml_files(&[("test.toml", toml)]).expect("the test directory parses")
    }

    /// A small 2025-shaped directory: a split ministry, a chained merger, a province merge and
    /// three sets.
    const SMALL: &str = r#"
[[agency]]
code = "CP"
kind = "government"
name_vi = "Chính phủ"
name_en = "Government"

[[agency]]
code = "BVHTTDL"
kind = "ministry"
name_vi = "Bộ Văn hóa, Thể thao và Du lịch"
name_en = "Ministry of Culture, Sports and Tourism"
aliases = ["MCST"]
parent = "CP"

[[agency]]
code = "BKHCN"
kind = "ministry"
name_vi = "Bộ Khoa học và Công nghệ"
name_en = "Ministry of Science and Technology"
parent = "CP"

[[agency]]
code = "BTTTT"
kind = "ministry"
name_vi = "Bộ Thông tin và Truyền thông"
name_en = "Ministry of Information and Communications"
aliases = ["Bộ TT&TT", "MIC"]
valid_until = "2025-02-28"
parent = "CP"

[[agency.successors]]
code = "BVHTTDL"
functions = ["press", "external_information"]

[[agency.successors]]
code = "BKHCN"
functions = ["*"]

[[agency]]
code = "OLD"
kind = "government_agency"
name_vi = "Cơ quan cũ"
name_en = "Old body"
valid_until = "2020-12-31"
successors = [{ code = "MID", functions = ["*"] }]

[[agency]]
code = "MID"
kind = "government_agency"
name_vi = "Cơ quan giữa"
name_en = "Middle body"
valid_from = "2021-01-01"
valid_until = "2024-12-31"
successors = [{ code = "BKHCN", functions = ["*"] }]

[[agency]]
code = "T-TUYEN-QUANG"
kind = "province"
name_vi = "Tỉnh Tuyên Quang"
name_en = "Tuyen Quang Province"
aliases = ["Tuyên Quang"]

[[agency]]
code = "T-HA-GIANG"
kind = "province"
name_vi = "Tỉnh Hà Giang"
name_en = "Ha Giang Province"
aliases = ["Hà Giang"]
valid_until = "2025-06-30"
successors = [{ code = "T-TUYEN-QUANG", functions = ["*"] }]

[[set]]
code = "bo-nganh-dia-phuong"
name_vi = "Các bộ, ngành, địa phương"
name_en = "All ministries, sectors and localities"
member_kinds = ["ministry", "ministerial_agency", "government_agency", "province", "central_city"]

[[set]]
code = "dia-phuong"
name_vi = "Các địa phương"
name_en = "All localities"
member_kinds = ["province", "central_city"]
member_codes = ["CP"]

[[set]]
code = "bo-nganh-lien-quan"
name_vi = "Các bộ, ngành liên quan"
name_en = "The relevant ministries"
member_kinds = ["ministry"]
open = true
"#;

    fn codes(agencies: &[&Agency]) -> Vec<String> {
        agencies.iter().map(|a| a.code.clone()).collect()
    }

    fn messages(directory: &Directory) -> Vec<String> {
        directory
            .validate()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_consistent_directory_validates_clean() {
        assert_eq!(messages(&directory(SMALL)), Vec::<String>::new());
    }

    #[test]
    fn the_bundled_directory_validates_clean() {
        let bundled = Directory::bundled();
        assert!(!bundled.agencies.is_empty());
        assert_eq!(messages(&bundled), Vec::<String>::new());
    }

    #[test]
    fn a_code_used_twice_is_reported() {
        let text = format!(
            "{SMALL}\n[[agency]]\ncode = \"CP\"\nkind = \"other\"\nname_vi = \"Khác\"\nname_en = \"Other\"\n"
        );
        assert_eq!(messages(&directory(&text)), ["agency CP: code used twice"]);
    }

    #[test]
    fn unknown_parents_successors_and_set_members_are_reported() {
        let text = SMALL
            .replace(
                "parent = \"CP\"\n\n[[agency.successors]]",
                "parent = \"XX\"\n\n[[agency.successors]]",
            )
            .replace(
                "code = \"T-TUYEN-QUANG\", functions",
                "code = \"T-NOWHERE\", functions",
            )
            .replace("member_codes = [\"CP\"]", "member_codes = [\"ZZ\"]");
        let found = messages(&directory(&text));
        assert!(
            found.contains(&"agency BTTTT: unknown parent XX".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"agency T-HA-GIANG: unknown successor T-NOWHERE".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"set dia-phuong: unknown member ZZ".to_owned()),
            "{found:?}"
        );
    }

    #[test]
    fn an_agency_ending_before_it_starts_is_reported() {
        let text = SMALL.replace("valid_from = \"2021-01-01\"", "valid_from = \"2025-01-01\"");
        assert_eq!(
            messages(&directory(&text)),
            ["agency MID: ends (2024-12-31) before it starts (2025-01-01)"]
        );
    }

    #[test]
    fn an_ended_agency_without_successors_is_reported() {
        let text = SMALL.replace(
            "valid_until = \"2025-06-30\"\nsuccessors = [{ code = \"T-TUYEN-QUANG\", functions = [\"*\"] }]",
            "valid_until = \"2025-06-30\"",
        );
        assert_eq!(
            messages(&directory(&text)),
            ["agency T-HA-GIANG: ended without a successor"]
        );
    }

    #[test]
    fn successors_without_a_catch_all_are_reported() {
        let text = SMALL.replace(
            "functions = [\"*\"]\n\n[[agency]]\ncode = \"OLD\"",
            "functions = [\"publishing\"]\n\n[[agency]]\ncode = \"OLD\"",
        );
        assert_eq!(
            messages(&directory(&text)),
            ["agency BTTTT: no successor carries the other functions (\"*\")"]
        );
    }

    #[test]
    fn a_succession_cycle_is_reported() {
        let text = SMALL.replace(
            "successors = [{ code = \"BKHCN\", functions = [\"*\"] }]",
            "successors = [{ code = \"OLD\", functions = [\"*\"] }]",
        );
        let found = messages(&directory(&text));
        assert!(
            found.contains(&"agency OLD: its succession comes back to OLD".to_owned()),
            "{found:?}"
        );
        assert!(
            found.contains(&"agency MID: its succession comes back to MID".to_owned()),
            "{found:?}"
        );
    }

    #[test]
    fn an_alias_shared_by_agencies_of_the_same_time_is_reported_after_folding() {
        let text = SMALL.replace("aliases = [\"MCST\"]", "aliases = [\"MCST\", \"BỘ TT&TT\"]");
        assert_eq!(
            messages(&directory(&text)),
            ["agency BVHTTDL: name \"bo tt&tt\" also belongs to BTTTT, valid at the same time"]
        );
    }

    #[test]
    fn a_name_may_pass_to_a_body_that_starts_after_the_first_ended() {
        // OLD ended 2020-12-31, MID started 2021-01-01: they never coexisted.
        let text = SMALL.replace("name_vi = \"Cơ quan giữa\"", "name_vi = \"Cơ quan cũ\"");
        assert_eq!(messages(&directory(&text)), Vec::<String>::new());
        // BKHCN has no dates, so it coexisted with both.
        let clash = SMALL.replace(
            "name_en = \"Middle body\"",
            "name_en = \"Ministry of Science and Technology\"",
        );
        assert_eq!(
            messages(&directory(&clash)),
            [
                "agency BKHCN: name \"ministry of science and technology\" also belongs to MID, valid at the same time"
            ]
        );
    }

    #[test]
    fn valid_on_lists_the_agencies_that_existed_that_day() {
        let directory = directory(SMALL);
        let on = |day: &str| {
            directory
                .valid_on(date(day))
                .map(|a| a.code.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            on("2025-06-30"),
            ["CP", "BVHTTDL", "BKHCN", "T-TUYEN-QUANG", "T-HA-GIANG"]
        );
        assert_eq!(
            on("2025-07-01"),
            ["CP", "BVHTTDL", "BKHCN", "T-TUYEN-QUANG"]
        );
        assert!(on("2024-04-15").contains(&"BTTTT"));
        assert!(on("2024-04-15").contains(&"MID"));
    }

    #[test]
    fn external_information_of_the_information_ministry_goes_to_culture() {
        let directory = directory(SMALL);
        assert_eq!(
            codes(&directory.successors_for("BTTTT", "external_information")),
            ["BVHTTDL"]
        );
        assert_eq!(
            codes(&directory.successors_for("BTTTT", "press")),
            ["BVHTTDL"]
        );
    }

    #[test]
    fn a_function_named_for_no_successor_goes_to_the_catch_all() {
        let directory = directory(SMALL);
        assert_eq!(
            codes(&directory.successors_for("BTTTT", "telecommunications")),
            ["BKHCN"]
        );
        assert_eq!(codes(&directory.successors_for("BTTTT", "*")), ["BKHCN"]);
    }

    #[test]
    fn successions_are_followed_to_an_agency_that_still_exists() {
        let directory = directory(SMALL);
        assert_eq!(
            codes(&directory.successors_for("OLD", "anything")),
            ["BKHCN"]
        );
    }

    #[test]
    fn an_existing_or_unknown_agency_has_no_successors() {
        let directory = directory(SMALL);
        assert!(directory.successors_for("BVHTTDL", "press").is_empty());
        assert!(directory.successors_for("NOPE", "press").is_empty());
    }

    #[test]
    fn ha_giang_merges_into_tuyen_quang() {
        let directory = directory(SMALL);
        assert_eq!(
            codes(&directory.successors_for("T-HA-GIANG", "*")),
            ["T-TUYEN-QUANG"]
        );
    }

    #[test]
    fn set_members_are_the_agencies_of_its_kinds_and_codes_on_the_day() {
        let directory = directory(SMALL);
        assert_eq!(
            codes(&directory.set_members("dia-phuong", date("2025-06-30"))),
            ["CP", "T-TUYEN-QUANG", "T-HA-GIANG"]
        );
        assert_eq!(
            codes(&directory.set_members("dia-phuong", date("2025-07-01"))),
            ["CP", "T-TUYEN-QUANG"]
        );
        let in_2024 = codes(&directory.set_members("bo-nganh-dia-phuong", date("2024-04-15")));
        assert_eq!(
            in_2024,
            [
                "BVHTTDL",
                "BKHCN",
                "BTTTT",
                "MID",
                "T-TUYEN-QUANG",
                "T-HA-GIANG"
            ]
        );
    }

    #[test]
    fn an_open_or_unknown_set_has_no_members() {
        let directory = directory(SMALL);
        assert!(
            directory
                .set_members("bo-nganh-lien-quan", date("2024-04-15"))
                .is_empty()
        );
        assert!(
            directory
                .set_members("khong-co", date("2024-04-15"))
                .is_empty()
        );
    }

    #[test]
    fn culture_answers_for_the_information_ministry_and_the_sets_it_was_in() {
        let directory = directory(SMALL);
        assert_eq!(
            directory.answerable_codes("BVHTTDL", date("2024-04-15")),
            ["BVHTTDL", "BTTTT", "bo-nganh-dia-phuong"]
        );
    }

    #[test]
    fn a_successor_answers_for_predecessors_of_its_predecessors() {
        let directory = directory(SMALL);
        assert_eq!(
            directory.answerable_codes("BKHCN", date("2019-06-01")),
            ["BKHCN", "BTTTT", "MID", "OLD", "bo-nganh-dia-phuong"]
        );
    }

    #[test]
    fn tuyen_quang_answers_for_ha_giang_and_the_localities() {
        let directory = directory(SMALL);
        assert_eq!(
            directory.answerable_codes("T-TUYEN-QUANG", date("2024-04-15")),
            [
                "T-TUYEN-QUANG",
                "T-HA-GIANG",
                "bo-nganh-dia-phuong",
                "dia-phuong"
            ]
        );
    }

    #[test]
    fn a_set_named_member_counts_like_a_member_by_kind() {
        // The Government is in "dia-phuong" by its code only, and in no set by its kind.
        let directory = directory(SMALL);
        assert_eq!(
            directory.answerable_codes("CP", date("2024-04-15")),
            ["CP", "dia-phuong"]
        );
    }
}
