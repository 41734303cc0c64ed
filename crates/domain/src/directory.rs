//! The agency directory: agencies with names, aliases, validity dates and successors, and the
//! agency sets that collective phrases name. Loaded from the reviewable TOML files in `data/agencies/`.
//!
//! (Interface fixed here; the loader and its validation are being written.)

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
