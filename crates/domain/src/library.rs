//! The external-information library (issue 20): what an item is ([`ItemKind`]), who may see it
//! ([`Visibility`]) and what a caller may read ([`Readership`]).
//!
//! Readership is computed once per caller from their grants and the directory, so that every
//! reader — an item page, the search index's filter, a change feed — asks the same question
//! ([`Readership::may_read`]) and a search can put the same rule inside its query.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::access::{Grant, ROOT_AGENCY, Role, in_subtree};
use crate::directory::Directory;
use crate::text;

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Văn bản quy phạm pháp luật, văn bản chỉ đạo.
    LegalText,
    Report,
    Publication,
    WhitePaper,
    Speech,
    Article,
    Video,
    Audio,
    ImageSet,
    Infographic,
    Dataset,
}

/// The four families items are shown and filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemFamily {
    Document,
    Article,
    Media,
    Dataset,
}

impl ItemKind {
    pub const ALL: [ItemKind; 11] = [
        ItemKind::LegalText,
        ItemKind::Report,
        ItemKind::Publication,
        ItemKind::WhitePaper,
        ItemKind::Speech,
        ItemKind::Article,
        ItemKind::Video,
        ItemKind::Audio,
        ItemKind::ImageSet,
        ItemKind::Infographic,
        ItemKind::Dataset,
    ];

    /// The stored and typed name ("white_paper").
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::LegalText => "legal_text",
            ItemKind::Report => "report",
            ItemKind::Publication => "publication",
            ItemKind::WhitePaper => "white_paper",
            ItemKind::Speech => "speech",
            ItemKind::Article => "article",
            ItemKind::Video => "video",
            ItemKind::Audio => "audio",
            ItemKind::ImageSet => "image_set",
            ItemKind::Infographic => "infographic",
            ItemKind::Dataset => "dataset",
        }
    }

    pub fn family(self) -> ItemFamily {
        match self {
            ItemKind::LegalText
            | ItemKind::Report
            | ItemKind::Publication
            | ItemKind::WhitePaper
            | ItemKind::Speech => ItemFamily::Document,
            ItemKind::Article => ItemFamily::Article,
            ItemKind::Video | ItemKind::Audio | ItemKind::ImageSet | ItemKind::Infographic => {
                ItemFamily::Media
            }
            ItemKind::Dataset => ItemFamily::Dataset,
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ItemKind::LegalText => "Văn bản",
            ItemKind::Report => "Báo cáo",
            ItemKind::Publication => "Ấn phẩm",
            ItemKind::WhitePaper => "Sách trắng",
            ItemKind::Speech => "Bài phát biểu",
            ItemKind::Article => "Bài viết",
            ItemKind::Video => "Video",
            ItemKind::Audio => "Âm thanh",
            ItemKind::ImageSet => "Bộ ảnh",
            ItemKind::Infographic => "Đồ họa thông tin",
            ItemKind::Dataset => "Bộ dữ liệu",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ItemKind::LegalText => "Legal text",
            ItemKind::Report => "Report",
            ItemKind::Publication => "Publication",
            ItemKind::WhitePaper => "White paper",
            ItemKind::Speech => "Speech",
            ItemKind::Article => "Article",
            ItemKind::Video => "Video",
            ItemKind::Audio => "Audio",
            ItemKind::ImageSet => "Image set",
            ItemKind::Infographic => "Infographic",
            ItemKind::Dataset => "Dataset",
        }
    }
}

impl ItemFamily {
    pub fn label_vi(self) -> &'static str {
        match self {
            ItemFamily::Document => "Tài liệu",
            ItemFamily::Article => "Bài viết",
            ItemFamily::Media => "Sản phẩm đa phương tiện",
            ItemFamily::Dataset => "Dữ liệu",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ItemFamily::Document => "Document",
            ItemFamily::Article => "Article",
            ItemFamily::Media => "Media",
            ItemFamily::Dataset => "Dataset",
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind name that is not one of [`ItemKind::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown kind «{0}»: kind must be one of legal_text, report, publication, white_paper, \
     speech, article, video, audio, image_set, infographic, dataset"
)]
pub struct UnknownKind(pub String);

impl FromStr for ItemKind {
    type Err = UnknownKind;

    /// Accepts the stored names in any case (with `-` or space for `_`) and both labels,
    /// with or without diacritics.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded = text::fold(s).replace(['-', ' '], "_");
        ItemKind::ALL
            .into_iter()
            .find(|kind| {
                folded == kind.as_str()
                    || folded == text::fold(kind.label_vi()).replace(' ', "_")
                    || folded == text::fold(kind.label_en()).replace(' ', "_")
            })
            .ok_or_else(|| UnknownKind(s.trim().to_owned()))
    }
}

/// Who may see an item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "scope", content = "agencies", rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone, without signing in (the public portal).
    Public,
    /// Anyone signed in with a role on some agency (nội bộ Chính phủ).
    Government,
    /// Only the people of these agencies (and of the agencies under them), and the owner's.
    Agencies(Vec<String>),
}

impl Visibility {
    /// The stored name of the scope: `public`, `government`, `agencies`.
    pub fn scope(&self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Government => "government",
            Visibility::Agencies(_) => "agencies",
        }
    }

    /// The visibility of a stored scope and agency list; `None` for an unknown scope or a
    /// restriction to no agency at all.
    pub fn from_parts(scope: &str, agencies: Vec<String>) -> Option<Visibility> {
        match text::fold(scope).as_str() {
            "public" | "cong khai" => Some(Visibility::Public),
            "government" | "internal" | "noi bo" => Some(Visibility::Government),
            "agencies" | "restricted" | "han che" if !agencies.is_empty() => {
                Some(Visibility::Agencies(agencies))
            }
            _ => None,
        }
    }

    /// The agencies an item is restricted to (empty for the other scopes).
    pub fn agencies(&self) -> &[String] {
        match self {
            Visibility::Agencies(codes) => codes,
            _ => &[],
        }
    }
}

/// What a caller may read of the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum Readership {
    /// No one signed in (or a user without any role): public items only.
    Public,
    /// A signed-in user with roles: public and government items, and items restricted to (or
    /// owned by) one of `agencies` — every agency their grants cover, as the directory
    /// resolves them, sorted.
    Government { agencies: Vec<String> },
    /// An admin on the Government: every item.
    Everything,
}

impl Readership {
    /// What a caller holding `grants` may read. A grant covers its agency and every agency
    /// under it; a grant on [`ROOT_AGENCY`] covers every agency of the directory.
    pub fn of(grants: &[Grant], directory: &Directory) -> Readership {
        if grants.is_empty() {
            return Readership::Public;
        }
        if grants
            .iter()
            .any(|g| g.role == Role::Admin && g.agency_code == ROOT_AGENCY)
        {
            return Readership::Everything;
        }
        let mut agencies: Vec<String> = Vec::new();
        for grant in grants {
            // The grant's own code counts even when the directory does not know it (a unit
            // added since), so that its people still read what they own.
            agencies.push(grant.agency_code.clone());
            agencies.extend(
                directory
                    .agencies
                    .iter()
                    .filter(|a| in_subtree(&grant.agency_code, &a.code, directory))
                    .map(|a| a.code.clone()),
            );
        }
        agencies.sort();
        agencies.dedup();
        Readership::Government { agencies }
    }

    /// Whether this reader may read an item of `visibility` owned by `owner`: the owner
    /// agency's people always read it.
    pub fn may_read(&self, visibility: &Visibility, owner: Option<&str>) -> bool {
        match self {
            Readership::Everything => true,
            Readership::Public => matches!(visibility, Visibility::Public),
            Readership::Government { agencies } => {
                let covers =
                    |code: &str| agencies.binary_search_by(|a| a.as_str().cmp(code)).is_ok();
                match visibility {
                    Visibility::Public | Visibility::Government => true,
                    Visibility::Agencies(codes) => {
                        codes.iter().any(|c| covers(c)) || owner.is_some_and(covers)
                    }
                }
            }
        }
    }
}

/// A topic of the library's vocabulary (chủ đề): a tree by `parent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    /// Stable code ("doi-moi.chuyen-doi-so"): items and the index name topics by it.
    pub code: String,
    pub parent: Option<String>,
    pub name_vi: String,
    pub name_en: String,
}

#[derive(Deserialize)]
struct TopicsFile {
    topic: Vec<Topic>,
}

/// The starting vocabulary shipped in `data/library/topics.toml`, in file order.
pub fn bundled_topics() -> Vec<Topic> {
    topics_from_toml(include_str!("../../../data/library/topics.toml"))
        .expect("the bundled topics file is valid (checked by tests)")
}

/// Reads a topics file (NFC), refusing a repeated code or a parent that is not listed before
/// its children.
pub fn topics_from_toml(text: &str) -> Result<Vec<Topic>, String> {
    let file: TopicsFile = toml::from_str(&text::nfc(text)).map_err(|e| e.to_string())?;
    let mut seen: Vec<&str> = Vec::new();
    for topic in &file.topic {
        if seen.contains(&topic.code.as_str()) {
            return Err(format!("topic «{}» is listed twice", topic.code));
        }
        if let Some(parent) = &topic.parent
            && !seen.contains(&parent.as_str())
        {
            return Err(format!(
                "topic «{}» names the parent «{parent}», not listed before it",
                topic.code
            ));
        }
        seen.push(&topic.code);
    }
    Ok(file.topic)
}

/// The topics a program's task group is about (`[[group_topics]]` in the topics file): a task
/// shows the library's items on them until its program's coordinator tags the task itself.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GroupTopics {
    /// The program's number ("47/NQ-CP").
    pub program: String,
    /// The group's code in the program ("1").
    pub group: String,
    pub topics: Vec<String>,
}

#[derive(Deserialize)]
struct GroupTopicsFile {
    #[serde(default)]
    group_topics: Vec<GroupTopics>,
}

/// The shipped topics of the programs' task groups, from `data/library/topics.toml`, read once
/// (a task's page asks at every view).
pub fn bundled_group_topics() -> &'static [GroupTopics] {
    static GROUP_TOPICS: std::sync::LazyLock<Vec<GroupTopics>> = std::sync::LazyLock::new(|| {
        let file: GroupTopicsFile =
            toml::from_str(include_str!("../../../data/library/topics.toml"))
                .expect("the bundled topics file is valid (checked by tests)");
        file.group_topics
    });
    &GROUP_TOPICS
}

/// The shipped topics of group `group` of the program numbered `number` (none for a program or
/// group the file does not name).
pub fn topics_of_group(number: Option<&str>, group: &str) -> Vec<String> {
    let Some(number) = number else {
        return Vec::new();
    };
    bundled_group_topics()
        .iter()
        .filter(|g| g.program == number && g.group == group)
        .flat_map(|g| g.topics.iter().cloned())
        .collect()
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

    /// CP ─ BNG ─ BNG-VP ; BTTTT under CP ; HN with no parent.
    fn directory() -> Directory {
        Directory {
            agencies: vec![
                agency("CP", None),
                agency("BNG", Some("CP")),
                agency("BNG-VP", Some("BNG")),
                agency("BTTTT", Some("CP")),
                agency("HN", None),
            ],
            sets: Vec::new(),
        }
    }

    fn restricted(codes: &[&str]) -> Visibility {
        Visibility::Agencies(codes.iter().map(|c| (*c).to_owned()).collect())
    }

    #[test]
    fn every_kind_has_a_family_labels_and_parses_back_from_its_names() {
        for kind in ItemKind::ALL {
            assert_eq!(kind.as_str().parse::<ItemKind>(), Ok(kind));
            assert_eq!(kind.label_vi().parse::<ItemKind>(), Ok(kind), "{kind}");
            assert_eq!(kind.label_en().parse::<ItemKind>(), Ok(kind), "{kind}");
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
        assert_eq!(ItemKind::WhitePaper.family(), ItemFamily::Document);
        assert_eq!(ItemKind::Infographic.family(), ItemFamily::Media);
        assert_eq!(ItemKind::Dataset.family(), ItemFamily::Dataset);
        assert_eq!("sach trang".parse::<ItemKind>(), Ok(ItemKind::WhitePaper));
        assert_eq!("White-Paper".parse::<ItemKind>(), Ok(ItemKind::WhitePaper));
        let error = "memo".parse::<ItemKind>().unwrap_err().to_string();
        assert!(
            error.contains("«memo»") && error.contains("white_paper"),
            "{error}"
        );
    }

    #[test]
    fn visibility_reads_back_from_its_stored_parts_and_a_restriction_needs_agencies() {
        for visibility in [
            Visibility::Public,
            Visibility::Government,
            restricted(&["BNG"]),
        ] {
            let back = Visibility::from_parts(visibility.scope(), visibility.agencies().to_vec());
            assert_eq!(back, Some(visibility));
        }
        assert_eq!(Visibility::from_parts("agencies", Vec::new()), None);
        assert_eq!(Visibility::from_parts("secret", Vec::new()), None);
        assert_eq!(
            Visibility::from_parts("Công khai", Vec::new()),
            Some(Visibility::Public)
        );
    }

    #[test]
    fn an_anonymous_reader_reads_public_items_only() {
        let reader = Readership::of(&[], &directory());
        assert_eq!(reader, Readership::Public);
        assert!(reader.may_read(&Visibility::Public, Some("BNG")));
        assert!(!reader.may_read(&Visibility::Government, Some("BNG")));
        assert!(!reader.may_read(&restricted(&["BNG"]), Some("BNG")));
    }

    #[test]
    fn a_grant_on_a_ministry_reads_government_items_and_those_of_its_units_not_others() {
        let directory = directory();
        let reader = Readership::of(&[Grant::new(Role::Viewer, "BNG")], &directory);
        assert_eq!(
            reader,
            Readership::Government {
                agencies: vec!["BNG".to_owned(), "BNG-VP".to_owned()]
            }
        );
        assert!(reader.may_read(&Visibility::Public, None));
        assert!(reader.may_read(&Visibility::Government, Some("HN")));
        assert!(reader.may_read(&restricted(&["BNG-VP"]), Some("BTTTT")));
        assert!(!reader.may_read(&restricted(&["BTTTT", "HN"]), Some("BTTTT")));
        // The owner's people read what their agency owns, whatever it is restricted to.
        assert!(reader.may_read(&restricted(&["HN"]), Some("BNG-VP")));
        // A grant on a unit does not reach up to its ministry.
        let unit = Readership::of(&[Grant::new(Role::Reporter, "BNG-VP")], &directory);
        assert!(!unit.may_read(&restricted(&["BNG"]), Some("BNG")));
    }

    #[test]
    fn an_admin_on_the_government_reads_everything_an_admin_on_a_ministry_does_not() {
        let directory = directory();
        let root = Readership::of(&[Grant::new(Role::Admin, ROOT_AGENCY)], &directory);
        assert_eq!(root, Readership::Everything);
        assert!(root.may_read(&restricted(&["HN"]), Some("HN")));
        let ministry = Readership::of(&[Grant::new(Role::Admin, "BNG")], &directory);
        assert!(!ministry.may_read(&restricted(&["HN"]), Some("HN")));
        // A viewer on the root covers every agency of the directory, provinces included.
        let viewer = Readership::of(&[Grant::new(Role::Viewer, ROOT_AGENCY)], &directory);
        assert!(viewer.may_read(&restricted(&["HN"]), None));
        assert_ne!(viewer, Readership::Everything);
    }

    #[test]
    fn the_bundled_topics_are_a_tree_under_the_five_groups_of_47_nq_cp() {
        let topics = bundled_topics();
        let roots: Vec<&str> = topics
            .iter()
            .filter(|t| t.parent.is_none())
            .map(|t| t.code.as_str())
            .collect();
        assert_eq!(roots.len(), 5, "{roots:?}");
        assert!(topics.iter().any(|t| t.name_vi.contains("Chuyển đổi số")));
        let twice = "[[topic]]\ncode = \"a\"\nname_vi = \"A\"\nname_en = \"A\"\n";
        assert!(
            topics_from_toml(&format!("{twice}{twice}"))
                .unwrap_err()
                .contains("twice")
        );
        let orphan = "[[topic]]\ncode = \"a\"\nparent = \"b\"\nname_vi = \"A\"\nname_en = \"A\"\n";
        assert!(topics_from_toml(orphan).unwrap_err().contains("«b»"));
    }

    #[test]
    fn each_group_of_47_is_about_topics_of_the_shipped_vocabulary() {
        let codes: Vec<String> = bundled_topics().into_iter().map(|t| t.code).collect();
        for group in ["1", "2", "3", "4", "5"] {
            let topics = topics_of_group(Some("47/NQ-CP"), group);
            assert!(!topics.is_empty(), "group {group}");
            for topic in topics {
                assert!(codes.contains(&topic), "group {group}: «{topic}»");
            }
        }
        assert!(topics_of_group(Some("47/NQ-CP"), "9").is_empty());
        assert!(topics_of_group(None, "1").is_empty());
        assert!(topics_of_group(Some("99/NQ-CP"), "1").is_empty());
    }
}
