//! What a writer gives for an item ([`ItemInput`], as typed: text, NFC at the boundary) and
//! the checks that make it an item's data. Field names are the catalogue's columns and the
//! API's JSON fields alike.

use chrono::NaiveDate;
use dongbo_domain::Directory;
use dongbo_domain::library::{ItemKind, Topic, Visibility};
use dongbo_domain::text;
use dongbo_store::library::ItemData;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name: `title`, `visible_to`, `published_on`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// An item as a writer gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ItemInput {
    pub title: String,
    pub summary: Option<String>,
    pub body: Option<String>,
    /// ISO 639-1 ("vi", "en"); detected from the text when not given.
    pub language: Option<String>,
    /// One of the kinds (`white_paper`) or its label ("Sách trắng").
    pub kind: String,
    pub topics: Vec<String>,
    /// ISO 3166-1 alpha-2 codes ("VN", "FR").
    pub countries: Vec<String>,
    pub audiences: Vec<String>,
    /// The owner agency's code.
    pub owner: Option<String>,
    pub author: Option<String>,
    /// `YYYY-MM-DD` or `DD/MM/YYYY`.
    pub published_on: Option<String>,
    pub event_on: Option<String>,
    pub rights: Option<String>,
    pub licence: Option<String>,
    /// `public`, `government` (the default) or `agencies`.
    pub visibility: Option<String>,
    /// The agencies an `agencies` item is visible to.
    pub visible_to: Vec<String>,
    pub url: Option<String>,
    /// The work (an item id) this item is a translation of.
    pub work_id: Option<i64>,
}

/// The longest title kept.
const MAX_TITLE: usize = 1_000;
/// The longest summary kept.
const MAX_SUMMARY: usize = 20_000;
/// The longest body kept (characters): a long book.
const MAX_BODY: usize = 10_000_000;
/// The longest of the other short fields.
const MAX_SHORT: usize = 2_000;

impl ItemInput {
    /// The item's data, or every field that does not hold. `topics` are the codes of the
    /// vocabulary.
    pub fn validate(&self, directory: &Directory, topics: &[String]) -> Result<ItemData> {
        let mut errors = Vec::new();
        let title = text::clean(&self.title);
        if title.is_empty() {
            errors.push(FieldError::new(
                "title",
                "Cần có tiêu đề (a title is required)",
            ));
        }
        too_long(&mut errors, "title", &title, MAX_TITLE);
        let summary = optional(&self.summary).unwrap_or_default();
        too_long(&mut errors, "summary", &summary, MAX_SUMMARY);
        let body = self
            .body
            .as_deref()
            .map(|b| text::nfc(b.trim()))
            .unwrap_or_default();
        too_long(&mut errors, "body", &body, MAX_BODY);
        let kind = match self.kind.trim() {
            "" => {
                errors.push(FieldError::new("kind", "Cần có loại (a kind is required)"));
                None
            }
            typed => typed
                .parse::<ItemKind>()
                .map_err(|e| errors.push(FieldError::new("kind", e.to_string())))
                .ok(),
        };
        let (language, overridden) = match optional(&self.language) {
            Some(code) => {
                let code = code.to_ascii_lowercase();
                if !(2..=3).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_lowercase()) {
                    errors.push(FieldError::new(
                        "language",
                        format!("«{code}» is not a language code such as vi or en (ISO 639-1)"),
                    ));
                }
                (code, true)
            }
            None => (detect_language(&title, &summary, &body), false),
        };
        let owner = optional(&self.owner).map(|o| o.to_uppercase());
        if let Some(code) = &owner {
            known_agency(&mut errors, "owner", code, directory);
        }
        let visibility = visibility(&mut errors, &self.visibility, &self.visible_to, directory);
        let item_topics = clean_list(&self.topics);
        for topic in &item_topics {
            if !topics.contains(topic) {
                errors.push(FieldError::new(
                    "topics",
                    format!("«{topic}» is not a topic of the library"),
                ));
            }
        }
        let countries: Vec<String> = clean_list(&self.countries)
            .into_iter()
            .map(|c| c.to_uppercase())
            .collect();
        for country in &countries {
            if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
                errors.push(FieldError::new(
                    "countries",
                    format!("«{country}» is not a two-letter country code (ISO 3166-1)"),
                ));
            }
        }
        let published_on = date(&mut errors, "published_on", &self.published_on);
        let event_on = date(&mut errors, "event_on", &self.event_on);
        let link_url = optional(&self.url);
        if let Some(url) = &link_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            errors.push(FieldError::new(
                "url",
                format!("«{url}» is not a web address (http:// or https://)"),
            ));
        }
        let author = optional(&self.author);
        let rights = optional(&self.rights);
        let licence = optional(&self.licence);
        for (field, value) in [
            ("author", &author),
            ("rights", &rights),
            ("licence", &licence),
            ("url", &link_url),
        ] {
            if let Some(value) = value {
                too_long(&mut errors, field, value, MAX_SHORT);
            }
        }
        if self.work_id.is_some_and(|id| id <= 0) {
            errors.push(FieldError::new(
                "work_id",
                "an item id is a positive number",
            ));
        }
        let (Some(kind), Some(visibility), true) = (kind, visibility, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        Ok(ItemData {
            title,
            summary,
            body,
            language,
            language_overridden: overridden,
            kind,
            owner,
            author,
            published_on,
            event_on,
            rights,
            licence,
            visibility,
            topics: item_topics,
            countries,
            audiences: clean_list(&self.audiences),
            link_url,
            work_id: self.work_id,
            attachments: Vec::new(),
        })
    }
}

/// The language of an item's text (ISO 639-1), or `und` when it cannot be told.
/// The visibility typed as `scope` (`public`, `government` — the default —, or `agencies`)
/// with the `visible_to` agencies of an `agencies` one, the same for an item and for a source;
/// `None` with its errors pushed when it is not one.
pub(crate) fn visibility(
    errors: &mut Vec<FieldError>,
    scope: &Option<String>,
    visible_to: &[String],
    directory: &Directory,
) -> Option<Visibility> {
    let visible_to: Vec<String> = clean_list(visible_to)
        .into_iter()
        .map(|c| c.to_uppercase())
        .collect();
    for code in &visible_to {
        known_agency(errors, "visible_to", code, directory);
    }
    let scope = optional(scope).unwrap_or_else(|| "government".to_owned());
    match Visibility::from_parts(&scope, visible_to.clone()) {
        Some(Visibility::Government | Visibility::Public) if !visible_to.is_empty() => {
            errors.push(FieldError::new(
                "visible_to",
                "Chỉ mục hạn chế (agencies) mới liệt kê cơ quan (only an item restricted to \
                 agencies lists them)",
            ));
            None
        }
        Some(v) => Some(v),
        None => {
            errors.push(FieldError::new(
                "visibility",
                format!(
                    "«{scope}»: visibility must be public, government, or agencies with the \
                     agencies in visible_to"
                ),
            ));
            None
        }
    }
}

pub(crate) fn detect_language(title: &str, summary: &str, body: &str) -> String {
    let sample: String = [title, summary, body]
        .join("\n")
        .chars()
        .take(20_000)
        .collect();
    dongbo_import::language_of(&sample).unwrap_or_else(|| "und".to_owned())
}

/// A (system, external id) key, cleaned; both are required.
pub(crate) fn key(system: &str, external_id: &str) -> Result<(String, String)> {
    let system = text::clean(system);
    let external_id = text::clean(external_id);
    let mut errors = Vec::new();
    for (field, value) in [("system", &system), ("external_id", &external_id)] {
        if value.is_empty() {
            errors.push(FieldError::new(field, "required"));
        }
        too_long(&mut errors, field, value, 500);
    }
    if errors.is_empty() {
        Ok((system, external_id))
    } else {
        Err(Error::Invalid(errors))
    }
}

/// A topic as an admin typed it, cleaned and checked.
pub(crate) fn topic(topic: &Topic) -> Result<Topic> {
    let cleaned = Topic {
        code: text::clean(&topic.code).to_lowercase(),
        parent: topic
            .parent
            .as_deref()
            .map(|p| text::clean(p).to_lowercase())
            .filter(|p| !p.is_empty()),
        name_vi: text::clean(&topic.name_vi),
        name_en: text::clean(&topic.name_en),
    };
    let mut errors = Vec::new();
    let code_ok = !cleaned.code.is_empty()
        && cleaned.code.len() <= 100
        && cleaned
            .code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    if !code_ok {
        errors.push(FieldError::new(
            "code",
            "a code is 1 to 100 of a-z, 0-9, - and . (\"doi-moi.chuyen-doi-so\")",
        ));
    }
    for (field, value) in [("name_vi", &cleaned.name_vi), ("name_en", &cleaned.name_en)] {
        if value.is_empty() {
            errors.push(FieldError::new(field, "required"));
        }
        too_long(&mut errors, field, value, 300);
    }
    if errors.is_empty() {
        Ok(cleaned)
    } else {
        Err(Error::Invalid(errors))
    }
}

fn optional(value: &Option<String>) -> Option<String> {
    value.as_deref().map(text::clean).filter(|v| !v.is_empty())
}

fn clean_list(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for value in values.iter().map(|v| text::clean(v)) {
        if !value.is_empty() && !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

fn too_long(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    let chars = value.chars().count();
    if chars > max {
        errors.push(FieldError::new(
            field,
            format!("{chars} characters, more than the {max} allowed"),
        ));
    }
}

fn known_agency(errors: &mut Vec<FieldError>, field: &str, code: &str, directory: &Directory) {
    if directory.agency(code).is_none() {
        errors.push(FieldError::new(
            field,
            format!("«{code}» is not an agency code of the directory"),
        ));
    }
}

/// A date typed as `YYYY-MM-DD` or `DD/MM/YYYY` (the Vietnamese way, and what a spreadsheet's
/// date cell reads as).
pub(crate) fn parse_date(typed: &str) -> Option<NaiveDate> {
    let typed = typed.trim();
    NaiveDate::parse_from_str(typed, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(typed, "%d/%m/%Y"))
        .ok()
}

fn date(errors: &mut Vec<FieldError>, field: &str, typed: &Option<String>) -> Option<NaiveDate> {
    let typed = optional(typed)?;
    let parsed = parse_date(&typed);
    if parsed.is_none() {
        errors.push(FieldError::new(
            field,
            format!("«{typed}» is not a date (YYYY-MM-DD or DD/MM/YYYY)"),
        ));
    }
    parsed
}
