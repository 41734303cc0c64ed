//! The agency directory: agencies with names, aliases, validity dates and successors, and the
//! agency sets that collective phrases name. Loaded from the reviewable TOML files in `data/agencies/`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
    /// Where the facts come from.
    #[serde(default)]
    pub source: Option<String>,
}

impl Agency {
    /// Whether the agency existed on `date`.
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|from| from <= date)
            && self.valid_until.is_none_or(|until| date <= until)
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

/// A directory file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
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

    pub fn agency(&self, code: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.code == code)
    }

    pub fn set(&self, code: &str) -> Option<&AgencySet> {
        self.sets.iter().find(|s| s.code == code)
    }
}
