//! Turning the texts of cells into task fields: agency cells resolved against the directory
//! and time-frame cells parsed, both as of the document's date. One [`Assembler`] serves a
//! whole import, so the resolver is built once and a cell text repeated across rows ("Các bộ,
//! ngành, địa phương" appears in most rows of 47/NQ-CP) is resolved once.

use std::collections::HashMap;

use chrono::NaiveDate;
use dongbo_domain::text::fold;
use dongbo_domain::{AgencyResolver, Directory, Resolution, Task, TimeFrame, TimeFrameKind};

/// Builds task fields for one import.
#[derive(Debug)]
pub(crate) struct Assembler {
    resolver: AgencyResolver,
    as_of: NaiveDate,
    resolved: HashMap<String, Resolution>,
}

impl Assembler {
    pub(crate) fn new(directory: &Directory, as_of: Option<NaiveDate>) -> Self {
        Self {
            resolver: AgencyResolver::new(directory),
            // A document without a date means what its words mean today.
            as_of: as_of.unwrap_or_else(dongbo_domain::clock::today),
            resolved: HashMap::new(),
        }
    }

    /// The agencies a cell names. An empty cell resolves to nothing (not to an unresolved "").
    pub(crate) fn agencies(&mut self, text: &str) -> Resolution {
        let text = text.trim();
        if text.is_empty() {
            return Resolution::default();
        }
        if let Some(found) = self.resolved.get(text) {
            return found.clone();
        }
        let resolution = self.resolver.resolve(text, self.as_of);
        self.resolved.insert(text.to_owned(), resolution.clone());
        resolution
    }

    /// Resolve a document's issuer ("CHÍNH PHỦ", "BỘ NGOẠI GIAO") to an agency code: first by
    /// name or alias in the directory (an issuer line is a single name), then by the resolver.
    pub(crate) fn issuer(&mut self, directory: &Directory, text: &str) -> Option<String> {
        let wanted = fold(text);
        if wanted.is_empty() {
            return None;
        }
        let by_name = directory.agencies.iter().find(|agency| {
            agency.valid_on(self.as_of)
                && (fold(&agency.name_vi) == wanted
                    || fold(&agency.name_en) == wanted
                    || agency.code.eq_ignore_ascii_case(text.trim())
                    || agency.aliases.iter().any(|alias| fold(alias) == wanted))
        });
        if let Some(agency) = by_name {
            return Some(agency.code.clone());
        }
        let resolution = self.agencies(text);
        match resolution.agencies.as_slice() {
            [only] if resolution.sets.is_empty() && resolution.unresolved.is_empty() => {
                Some(only.clone())
            }
            _ => None,
        }
    }
}

/// Parse a time-frame cell. Never fails: text that does not parse stays, flagged `Unparsed`.
pub(crate) fn time_frame(text: &str) -> TimeFrame {
    TimeFrame::parse(text.trim())
}

/// Whether a cell reads as a time frame — used to find where a row ends in flattened text. The
/// domain parser decides first; the word-shape check below keeps rows apart for the forms
/// documents use even where the parser leaves a form unparsed.
pub(crate) fn looks_like_time_frame(text: &str) -> bool {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 60 {
        return false;
    }
    if time_frame(text).kind != TimeFrameKind::Unparsed {
        return true;
    }
    let folded = fold(text);
    const RECURRING: &[&str] = &[
        "hang nam",
        "thuong xuyen",
        "hang quy",
        "hang thang",
        "dinh ky",
        "lien tuc",
        "annually",
        "annual",
        "ongoing",
        "every year",
        "continuous",
        "regularly",
    ];
    if RECURRING
        .iter()
        .any(|r| folded == *r || folded.starts_with(&format!("{r} ")))
    {
        return true;
    }
    // Otherwise: a date-ish phrase — it names a year and every word is a time word or a number.
    const TIME_WORDS: &[&str] = &[
        "den", "nam", "quy", "thang", "giai", "doan", "va", "nhung", "cac", "tiep", "theo",
        "truoc", "ngay", "tu", "hang", "sau", "cuoi", "dau", "trong", "hoan", "thanh", "nua", "by",
        "from", "to", "until", "before", "end", "of", "and", "onwards", "q", "quarter", "half",
        "year", "the", "in",
    ];
    let has_year = folded
        .split(|c: char| !c.is_ascii_digit())
        .any(|digits| digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20")));
    has_year
        && folded
            .split(|c: char| {
                c.is_whitespace() || matches!(c, '-' | '/' | ',' | '.' | '(' | ')' | ':')
            })
            .filter(|w| !w.is_empty())
            .all(|w| {
                w.chars().all(|c| c.is_ascii_digit())
                    || TIME_WORDS.contains(&w)
                    || is_roman_numeral(&w.to_ascii_uppercase())
            })
}

/// "I", "II", "IV", "XII": an upper-case Roman numeral up to 39 (group numbering never goes
/// further), with its value.
pub(crate) fn roman_value(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 6 || !text.chars().all(|c| matches!(c, 'I' | 'V' | 'X')) {
        return None;
    }
    let value = |c| match c {
        'I' => 1,
        'V' => 5,
        _ => 10,
    };
    let chars: Vec<u32> = text.chars().map(value).collect();
    let mut total = 0;
    for (i, &v) in chars.iter().enumerate() {
        if chars.get(i + 1).is_some_and(|&next| next > v) {
            total -= v as i32;
        } else {
            total += v as i32;
        }
    }
    let total = u32::try_from(total).ok().filter(|&t| t > 0 && t < 40)?;
    // Reject non-canonical spellings ("IIII", "VX") by writing the value back.
    (to_roman(total) == text).then_some(total)
}

pub(crate) fn is_roman_numeral(text: &str) -> bool {
    roman_value(text).is_some()
}

fn to_roman(mut n: u32) -> String {
    let mut out = String::new();
    for (value, digits) in [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")] {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// A task with the fields every importer fills the same way.
pub(crate) struct TaskFields<'a> {
    pub code: String,
    pub group: String,
    pub title: &'a str,
    pub lead: &'a str,
    pub coordinating: &'a str,
    pub expected_output: &'a str,
    pub time_frame: &'a str,
    pub source: String,
}

impl Assembler {
    pub(crate) fn task(&mut self, fields: TaskFields<'_>) -> Task {
        let expected_output = fields.expected_output.trim();
        Task {
            code: fields.code,
            group: fields.group,
            title: fields.title.trim().to_owned(),
            expected_output: (!expected_output.is_empty()).then(|| expected_output.to_owned()),
            lead: self.agencies(fields.lead),
            coordinating: self.agencies(fields.coordinating),
            time_frame: time_frame(fields.time_frame),
            draft: false,
            language: None,
            source: Some(fields.source),
        }
    }
}

/// Warnings about what a reviewer must look at: agency fragments that matched nothing and time
/// frames that did not parse.
pub(crate) fn review_warnings(tasks: &[Task]) -> Vec<String> {
    let mut warnings = Vec::new();
    for task in tasks {
        for (role, resolution) in [("lead", &task.lead), ("coordinating", &task.coordinating)] {
            if !resolution.unresolved.is_empty() {
                let fragments: Vec<String> = resolution
                    .unresolved
                    .iter()
                    .map(|f| format!("«{f}»"))
                    .collect();
                warnings.push(format!(
                    "task {}: {role} agencies not found in the directory: {}",
                    task.code,
                    fragments.join(", ")
                ));
            }
        }
        let frame = &task.time_frame;
        if frame.kind == TimeFrameKind::Unparsed && !frame.text.is_empty() {
            warnings.push(format!(
                "task {}: time frame «{}» not understood; kept as written",
                task.code, frame.text
            ));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roman_numerals_are_read_and_non_canonical_ones_refused() {
        assert_eq!(roman_value("I"), Some(1));
        assert_eq!(roman_value("IV"), Some(4));
        assert_eq!(roman_value("XIV"), Some(14));
        assert_eq!(roman_value("IIII"), None);
        assert_eq!(roman_value("i"), None);
        assert_eq!(roman_value(""), None);
    }

    #[test]
    fn time_frame_shapes_of_the_appendix_are_recognised() {
        for text in [
            "2024",
            "2024 - 2026",
            "Hằng năm",
            "Đến năm 2030",
            "Thường xuyên",
            "Quý II/2025",
            "Tháng 10/2025",
            "2025 và những năm tiếp theo",
        ] {
            assert!(looks_like_time_frame(text), "{text}");
        }
        for text in [
            "Bộ Thông tin và Truyền thông",
            "Các bộ, ngành, địa phương",
            "Văn bản này chưa cập nhật nội dung Tiếng Anh",
            "Sửa đổi, bổ sung Luật Báo chí 2016",
        ] {
            assert!(!looks_like_time_frame(text), "{text}");
        }
    }
}
