//! Countries, territories and regions as Viet Nam's Ministry of Foreign Affairs names them: ISO
//! 3166-1 codes with Vietnamese and English names, the aliases officials type, and — where a
//! source gives them — the date diplomatic relations were established and the partnership
//! frameworks with their upgrades. Loaded from the reviewable files in `data/geo/` (their
//! headers say where every field comes from); a library item is tagged with these codes, and the
//! foreign-relations register will read its partners from them.
//!
//! Loading is where the data is checked: a code that is malformed or used twice, a name or alias
//! that would name two countries, a region member that is no country, a dated fact without its
//! source or a `checked` row without its `name_source` is refused naming the file and the row,
//! so a lookup never has to choose between two answers.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

use crate::text::{fold, nfc};

/// Whether an ISO 3166-1 entry is a state or a territory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountryKind {
    /// A member of the United Nations, the Holy See or Palestine.
    Country,
    /// Any other entry of ISO 3166-1 (Hong Kong, Greenland, Antarctica…).
    Territory,
}

/// Khuôn khổ quan hệ — a partnership framework Viet Nam has with a country, highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnershipLevel {
    /// Đối tác chiến lược toàn diện.
    ComprehensiveStrategic,
    /// Đối tác chiến lược.
    Strategic,
    /// Đối tác toàn diện.
    Comprehensive,
}

impl PartnershipLevel {
    /// The framework's name as Vietnamese texts write it.
    pub fn name_vi(self) -> &'static str {
        match self {
            PartnershipLevel::ComprehensiveStrategic => "Đối tác chiến lược toàn diện",
            PartnershipLevel::Strategic => "Đối tác chiến lược",
            PartnershipLevel::Comprehensive => "Đối tác toàn diện",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            PartnershipLevel::ComprehensiveStrategic => "Comprehensive strategic partnership",
            PartnershipLevel::Strategic => "Strategic partnership",
            PartnershipLevel::Comprehensive => "Comprehensive partnership",
        }
    }
}

/// A date known only as precisely as its source gives it: a year ("2008"), a month ("2025-02")
/// or a day ("1962-09-05"). Sources often say "tháng 11/2024"; writing that as a full date would
/// invent a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
}

impl PartialDate {
    /// Reads "YYYY", "YYYY-MM" or "YYYY-MM-DD"; a day that does not exist is refused.
    pub fn parse(text: &str) -> Result<PartialDate, String> {
        let refuse = || format!("«{text}» is not a date written YYYY, YYYY-MM or YYYY-MM-DD");
        let parts: Vec<&str> = text.split('-').collect();
        let widths_ok = match parts.as_slice() {
            [y] => y.len() == 4,
            [y, m] => y.len() == 4 && m.len() == 2,
            [y, m, d] => y.len() == 4 && m.len() == 2 && d.len() == 2,
            _ => false,
        };
        if !widths_ok || !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(refuse());
        }
        let number = |p: &str| p.parse::<u32>().map_err(|_| refuse());
        let year = parts[0].parse::<i32>().map_err(|_| refuse())?;
        let month = parts.get(1).map(|m| number(m)).transpose()?;
        let day = parts.get(2).map(|d| number(d)).transpose()?;
        let exists = match (month, day) {
            (None, _) => true,
            (Some(m), None) => (1..=12).contains(&m),
            (Some(m), Some(d)) => NaiveDate::from_ymd_opt(year, m, d).is_some(),
        };
        if !exists {
            return Err(format!("«{text}» is not a day of the calendar"));
        }
        Ok(PartialDate { year, month, day })
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn month(&self) -> Option<u32> {
        self.month
    }

    /// The day, when the source gives one (anniversaries are counted from it).
    pub fn date(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month?, self.day?)
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(month) = self.month {
            write!(f, "-{month:02}")?;
        }
        if let Some(day) = self.day {
            write!(f, "-{day:02}")?;
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PartialDate::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A dated fact and where it was read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sourced {
    pub date: PartialDate,
    /// URL and what it says.
    pub source: String,
}

/// One partnership framework, from the date it was established or upgraded to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partnership {
    pub level: PartnershipLevel,
    pub since: PartialDate,
    /// The framework's own longer name, when it has one ("Đối tác hợp tác chiến lược toàn diện").
    pub title_vi: Option<String>,
    /// URL and what it says.
    pub source: String,
}

/// Quốc gia hoặc vùng lãnh thổ — one ISO 3166-1 entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Country {
    /// ISO 3166-1 alpha-2 ("VN").
    pub alpha2: String,
    /// ISO 3166-1 alpha-3 ("VNM").
    pub alpha3: String,
    /// ISO 3166-1 numeric, three digits ("704").
    pub numeric: String,
    pub kind: CountryKind,
    /// The alpha-2 code of the state a territory belongs to or is administered by; absent where
    /// that is disputed.
    pub part_of: Option<String>,
    /// The short name used in running text ("Hoa Kỳ", "Liên bang Nga").
    pub name_vi: String,
    /// The state's full name ("Hợp chúng quốc Hoa Kỳ"), where it has one.
    pub name_vi_full: Option<String>,
    /// The short English name ("United States").
    pub name_en: String,
    /// Other forms officials type ("Mỹ", "Nga", "Ô-xtrây-li-a").
    #[serde(default)]
    pub aliases_vi: Vec<String>,
    /// ISO's English names and common English forms ("Korea, Republic of", "Vietnam", "UK"),
    /// so that a name copied from an English document is found as well.
    #[serde(default)]
    pub aliases_en: Vec<String>,
    pub capital_vi: Option<String>,
    /// Whether `name_vi` was confirmed against an official Vietnamese source (`name_source`).
    pub checked: bool,
    pub name_source: Option<String>,
    /// When Viet Nam and this country established diplomatic relations, where a source says so.
    pub relations_established: Option<Sourced>,
    /// Partnership frameworks in the order they were established.
    #[serde(default)]
    pub partnership: Vec<Partnership>,
}

impl Country {
    /// Every name the country is found by: Vietnamese short and full names and aliases, then
    /// the English name and aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name_vi.as_str())
            .chain(self.name_vi_full.as_deref())
            .chain(self.aliases_vi.iter().map(String::as_str))
            .chain(std::iter::once(self.name_en.as_str()))
            .chain(self.aliases_en.iter().map(String::as_str))
    }

    /// The framework in force now: the latest one established.
    pub fn partnership_level(&self) -> Option<PartnershipLevel> {
        self.partnership.last().map(|p| p.level)
    }
}

/// What kind of grouping a region is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionKind {
    /// An organisation or forum (ASEAN, EU, G20): membership by treaty or decision.
    Group,
    /// A continent (châu Á…), membership by the UN's M49 standard.
    Continent,
    /// A part of a continent (Đông Nam Á, Trung Đông…).
    Subregion,
}

/// Khu vực — a grouping officials tag with, and its members.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Stable code ("ASEAN", "EU", "ASIA", "MIDDLE_EAST").
    pub code: String,
    pub kind: RegionKind,
    pub name_vi: String,
    pub name_en: String,
    #[serde(default)]
    pub aliases_vi: Vec<String>,
    /// False where there is no authoritative membership (Trung Đông).
    pub checked: bool,
    /// Where the membership comes from: URL and what it says.
    pub source: String,
    pub note: Option<String>,
    /// Alpha-2 codes of the members.
    pub members: Vec<String>,
}

impl Region {
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name_vi.as_str())
            .chain(self.aliases_vi.iter().map(String::as_str))
            .chain(std::iter::once(self.name_en.as_str()))
            .chain(std::iter::once(self.code.as_str()))
    }

    pub fn has_member(&self, alpha2: &str) -> bool {
        self.members.iter().any(|m| m == alpha2)
    }
}

/// Why the geographic data could not be loaded; each names the file and, where it can, the row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeoError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    /// `subject` names the row ("country US", "region ASEAN").
    #[error("{file}: {subject}: {message}")]
    Invalid {
        file: String,
        subject: String,
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountriesFile {
    #[serde(default)]
    country: Vec<Country>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionsFile {
    #[serde(default)]
    region: Vec<Region>,
}

const BUNDLED_COUNTRIES: (&str, &str) = (
    "data/geo/countries.toml",
    include_str!("../../../data/geo/countries.toml"),
);
const BUNDLED_REGIONS: (&str, &str) = (
    "data/geo/regions.toml",
    include_str!("../../../data/geo/regions.toml"),
);

/// The countries and regions, with their lookups built once.
#[derive(Debug, Clone)]
pub struct Countries {
    countries: Vec<Country>,
    regions: Vec<Region>,
    /// Alpha-2, alpha-3 and numeric codes → index into `countries`.
    by_code: HashMap<String, usize>,
    /// Every name and alias, folded → index into `countries`.
    by_name: HashMap<String, usize>,
    /// Region codes, names and aliases, folded → index into `regions`.
    region_by_name: HashMap<String, usize>,
}

impl Countries {
    /// The data shipped in `data/geo/`.
    pub fn bundled() -> Self {
        Self::from_toml(BUNDLED_COUNTRIES, BUNDLED_REGIONS)
            .expect("the bundled geo files are valid (checked by tests)")
    }

    /// Reads `(file name, TOML text)` for the countries and for the regions, normalised to NFC,
    /// and checks them (see the module's documentation).
    pub fn from_toml(countries: (&str, &str), regions: (&str, &str)) -> Result<Self, GeoError> {
        let (countries_file, countries_text) = countries;
        let (regions_file, regions_text) = regions;
        let parsed: CountriesFile =
            toml::from_str(&nfc(countries_text)).map_err(|e| GeoError::Parse {
                file: countries_file.to_owned(),
                message: e.to_string(),
            })?;
        let parsed_regions: RegionsFile =
            toml::from_str(&nfc(regions_text)).map_err(|e| GeoError::Parse {
                file: regions_file.to_owned(),
                message: e.to_string(),
            })?;
        let mut geo = Countries {
            countries: parsed.country,
            regions: parsed_regions.region,
            by_code: HashMap::new(),
            by_name: HashMap::new(),
            region_by_name: HashMap::new(),
        };
        geo.index_countries(countries_file)?;
        geo.index_regions(regions_file)?;
        Ok(geo)
    }

    fn index_countries(&mut self, file: &str) -> Result<(), GeoError> {
        for (index, country) in self.countries.iter().enumerate() {
            let invalid = |message: String| GeoError::Invalid {
                file: file.to_owned(),
                subject: format!("country {}", country.alpha2),
                message,
            };
            check_country(country).map_err(invalid)?;
            for code in [&country.alpha2, &country.alpha3, &country.numeric] {
                if let Some(&other) = self.by_code.get(code.as_str()) {
                    return Err(invalid(format!(
                        "code {code} is already used by {}",
                        self.countries[other].alpha2
                    )));
                }
                self.by_code.insert(code.clone(), index);
            }
            for name in country.names() {
                let key = fold(name);
                if key.is_empty() {
                    return Err(invalid("an empty name or alias".to_owned()));
                }
                match self.by_name.get(&key) {
                    Some(&other) if other != index => {
                        return Err(invalid(format!(
                            "the name «{name}» also names {} («{}»): a name must name one country",
                            self.countries[other].alpha2, self.countries[other].name_vi
                        )));
                    }
                    _ => {
                        self.by_name.insert(key, index);
                    }
                }
            }
        }
        for country in &self.countries {
            if let Some(parent) = &country.part_of
                && !self.countries.iter().any(|c| &c.alpha2 == parent)
            {
                return Err(GeoError::Invalid {
                    file: file.to_owned(),
                    subject: format!("country {}", country.alpha2),
                    message: format!("part_of names {parent}, which is not in the file"),
                });
            }
        }
        Ok(())
    }

    fn index_regions(&mut self, file: &str) -> Result<(), GeoError> {
        for (index, region) in self.regions.iter().enumerate() {
            let invalid = |message: String| GeoError::Invalid {
                file: file.to_owned(),
                subject: format!("region {}", region.code),
                message,
            };
            if region.source.trim().is_empty() {
                return Err(invalid(
                    "a region needs the source of its membership".to_owned(),
                ));
            }
            if region.members.is_empty() {
                return Err(invalid("a region needs members".to_owned()));
            }
            for (at, member) in region.members.iter().enumerate() {
                if !self.countries.iter().any(|c| &c.alpha2 == member) {
                    return Err(invalid(format!(
                        "member {member} is not a country in the file"
                    )));
                }
                if region.members[..at].contains(member) {
                    return Err(invalid(format!("member {member} is listed twice")));
                }
            }
            for name in region.names() {
                let key = fold(name);
                match self.region_by_name.get(&key) {
                    Some(&other) if other != index => {
                        return Err(invalid(format!(
                            "the name «{name}» also names region {}",
                            self.regions[other].code
                        )));
                    }
                    _ => {
                        self.region_by_name.insert(key, index);
                    }
                }
            }
        }
        Ok(())
    }

    pub fn countries(&self) -> impl Iterator<Item = &Country> {
        self.countries.iter()
    }

    pub fn regions(&self) -> impl Iterator<Item = &Region> {
        self.regions.iter()
    }

    /// A country by its ISO 3166-1 code: alpha-2, alpha-3 (either case) or numeric.
    pub fn by_code(&self, code: &str) -> Option<&Country> {
        let code = code.trim().to_ascii_uppercase();
        self.by_code.get(&code).map(|&i| &self.countries[i])
    }

    /// A country by a Vietnamese or English name or alias, with or without diacritics and in
    /// any case: "Hàn Quốc", "han quoc" and "South Korea" all find KR.
    pub fn by_name(&self, name: &str) -> Option<&Country> {
        self.by_name
            .get(&fold(&nfc(name)))
            .map(|&i| &self.countries[i])
    }

    /// A country from what a person typed, code or name. Two or three capital letters are read
    /// as a code first, as ISO writes them ("NGA" is Nigeria); anything else as a name first
    /// ("Nga" is Russia, "my" is «Mỹ»), then as a code ("vn").
    pub fn find(&self, text: &str) -> Option<&Country> {
        let text = text.trim();
        let looks_like_code =
            (2..=3).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_uppercase());
        if looks_like_code {
            self.by_code(text).or_else(|| self.by_name(text))
        } else {
            self.by_name(text).or_else(|| self.by_code(text))
        }
    }

    /// A region by its code ("ASEAN") or name ("Liên minh châu Âu", "chau a"), folded.
    pub fn region(&self, name_or_code: &str) -> Option<&Region> {
        self.region_by_name
            .get(&fold(&nfc(name_or_code)))
            .map(|&i| &self.regions[i])
    }

    /// The countries of a region, in the order the region lists them.
    pub fn members<'a>(&'a self, region: &'a Region) -> impl Iterator<Item = &'a Country> + 'a {
        region.members.iter().filter_map(|code| self.by_code(code))
    }

    /// The regions a country belongs to, in file order.
    pub fn regions_of<'a>(&'a self, alpha2: &'a str) -> impl Iterator<Item = &'a Region> + 'a {
        self.regions.iter().filter(move |r| r.has_member(alpha2))
    }
}

/// The rules one row must keep on its own; duplicates across rows are checked while indexing.
fn check_country(country: &Country) -> Result<(), String> {
    let upper = |code: &str, length: usize| {
        code.len() == length && code.bytes().all(|b| b.is_ascii_uppercase())
    };
    if !upper(&country.alpha2, 2) {
        return Err(format!(
            "alpha2 «{}» is not two capital letters",
            country.alpha2
        ));
    }
    if !upper(&country.alpha3, 3) {
        return Err(format!(
            "alpha3 «{}» is not three capital letters",
            country.alpha3
        ));
    }
    if country.numeric.len() != 3 || !country.numeric.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("numeric «{}» is not three digits", country.numeric));
    }
    if country.name_vi.trim().is_empty() || country.name_en.trim().is_empty() {
        return Err("name_vi and name_en are required".to_owned());
    }
    let has_text = |text: &Option<String>| text.as_deref().is_some_and(|t| !t.trim().is_empty());
    if country.checked && !has_text(&country.name_source) {
        return Err("checked = true needs the name_source it was checked against".to_owned());
    }
    if let Some(fact) = &country.relations_established
        && fact.source.trim().is_empty()
    {
        return Err("relations_established has no source".to_owned());
    }
    for partnership in &country.partnership {
        if partnership.source.trim().is_empty() {
            return Err(format!(
                "the partnership of {} has no source",
                partnership.since
            ));
        }
    }
    if country
        .partnership
        .windows(2)
        .any(|pair| pair[0].since > pair[1].since)
    {
        return Err("partnerships are not in the order they were established".to_owned());
    }
    Ok(())
}
