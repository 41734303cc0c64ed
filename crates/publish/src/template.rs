//! Mẫu lời văn — the wording of generated documents, which an administrator may change without
//! a rebuild.
//!
//! A template is TOML text (the shipped one is `data/templates/synthesis.toml`): named strings,
//! each a [MiniJinja](https://docs.rs/minijinja) template filled from the report's figures.
//! [`SynthesisTemplate::parse`] checks a text completely before anyone stores it — the TOML,
//! every key, the syntax of every string, and that every string renders against a sample
//! report with no unknown value — so a saved template can always be used, and a mistake is
//! named by its key and line.

use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};

/// The name templates are stored under.
pub const SYNTHESIS: &str = "synthesis";

/// The synthesis template shipped with the program.
pub const SHIPPED_SYNTHESIS: &str = include_str!("../../../data/templates/synthesis.toml");

/// A template text that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The text is not TOML, or a key is missing or unknown.
    #[error("the template is not valid: {0}")]
    Toml(String),
    /// One string of the template does not parse or does not render.
    #[error("template key «{key}»: {message}")]
    Text { key: String, message: String },
}

/// The wording of one level of report (national or agency).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelWording {
    pub kind: String,
    pub title: String,
    pub opening: String,
    pub recipients: Vec<String>,
    /// This level's own wording of `sections.overview_summary` (an agency counts its own
    /// assignments, not "tasks given to 1 agency"); none: the sections'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overview_summary: Option<String>,
    /// This level's own wording of `sections.overview_reports`; none: the sections'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overview_reports: Option<String>,
}

/// The title of the annex of totals per task group, for templates saved before it existed.
fn default_annex_groups() -> String {
    "TỔNG HỢP KẾT QUẢ THEO NHÓM NHIỆM VỤ".to_owned()
}

/// The title of the annex of library items cited as evidence, for templates saved before it
/// existed.
fn default_annex_evidence() -> String {
    "TÀI LIỆU MINH CHỨNG TỪ THƯ VIỆN THÔNG TIN ĐỐI NGOẠI".to_owned()
}

/// The wording of the sections, the same at every level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionWording {
    pub overview: String,
    pub overview_summary: String,
    pub overview_reports: String,
    pub results: String,
    pub no_report: String,
    pub indicators: String,
    pub no_indicators: String,
    pub difficulties: String,
    pub difficulties_heading: String,
    pub recommendations_heading: String,
    pub none_reported: String,
    pub proposals: String,
    pub proposals_text: String,
    pub holding_back: String,
    pub overdue: String,
    /// The annexes' titles; the builder numbers them ("Phụ lục I. …"), so a numbering written
    /// here is replaced.
    pub annex_tasks: String,
    pub annex_agencies: String,
    #[serde(default = "default_annex_groups")]
    pub annex_groups: String,
    #[serde(default = "default_annex_evidence")]
    pub annex_evidence: String,
    pub annex_note: String,
}

/// The wording of synthesis reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynthesisTemplate {
    pub national: LevelWording,
    pub agency: LevelWording,
    pub sections: SectionWording,
}

impl SynthesisTemplate {
    /// Reads and checks a template text (NFC-normalised first). Every string must parse and
    /// render against a sample report using only the documented values.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let text = nfc(text);
        let template: SynthesisTemplate =
            toml::from_str(&text).map_err(|e| TemplateError::Toml(e.to_string()))?;
        let sample = crate::synthesis::sample_context();
        for (key, source) in template.strings() {
            render(&key, source, &sample)?;
        }
        Ok(template)
    }

    /// The shipped template (a test checks that it parses).
    pub fn shipped() -> Result<Self, TemplateError> {
        Self::parse(SHIPPED_SYNTHESIS)
    }

    /// Every string with its dotted key, for checking.
    fn strings(&self) -> Vec<(String, &str)> {
        let mut all = Vec::new();
        for (level, wording) in [("national", &self.national), ("agency", &self.agency)] {
            all.push((format!("{level}.kind"), wording.kind.as_str()));
            all.push((format!("{level}.title"), wording.title.as_str()));
            all.push((format!("{level}.opening"), wording.opening.as_str()));
            for (i, r) in wording.recipients.iter().enumerate() {
                all.push((format!("{level}.recipients[{}]", i + 1), r.as_str()));
            }
            if let Some(text) = &wording.overview_summary {
                all.push((format!("{level}.overview_summary"), text.as_str()));
            }
            if let Some(text) = &wording.overview_reports {
                all.push((format!("{level}.overview_reports"), text.as_str()));
            }
        }
        let s = &self.sections;
        for (key, text) in [
            ("overview", &s.overview),
            ("overview_summary", &s.overview_summary),
            ("overview_reports", &s.overview_reports),
            ("results", &s.results),
            ("no_report", &s.no_report),
            ("indicators", &s.indicators),
            ("no_indicators", &s.no_indicators),
            ("difficulties", &s.difficulties),
            ("difficulties_heading", &s.difficulties_heading),
            ("recommendations_heading", &s.recommendations_heading),
            ("none_reported", &s.none_reported),
            ("proposals", &s.proposals),
            ("proposals_text", &s.proposals_text),
            ("holding_back", &s.holding_back),
            ("overdue", &s.overdue),
            ("annex_tasks", &s.annex_tasks),
            ("annex_agencies", &s.annex_agencies),
            ("annex_groups", &s.annex_groups),
            ("annex_evidence", &s.annex_evidence),
            ("annex_note", &s.annex_note),
        ] {
            all.push((format!("sections.{key}"), text.as_str()));
        }
        all
    }
}

/// Renders one template string with `context`; unknown values are errors.
pub(crate) fn render(
    key: &str,
    source: &str,
    context: &minijinja::Value,
) -> Result<String, TemplateError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Text, not HTML: nothing is escaped.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    let error = |e: minijinja::Error| TemplateError::Text {
        key: key.to_owned(),
        message: describe(&e),
    };
    let template = env.template_from_str(source).map_err(error)?;
    let text = template.render(context).map_err(error)?;
    Ok(nfc(text.trim()))
}

fn describe(error: &minijinja::Error) -> String {
    let mut message = error
        .detail()
        .map_or_else(|| error.kind().to_string(), str::to_owned);
    if let Some(line) = error.line() {
        message = format!("line {line}: {message}");
    }
    message
}

fn nfc(text: &str) -> String {
    dongbo_domain::text::nfc(text)
}
