//! Thời gian thực hiện — what a document says about when a task is done, and what it means.
//!
//! [`TimeFrame::parse`] reads the cell as written ("Quý II/2025", "2024 - 2026", "Hằng năm",
//! "by 2030") and yields its kind, the first and last day it covers and whether it recurs.
//! Matching works on [`fold`]ed text, so case, diacritics and dash variants do not matter;
//! the text itself is kept in NFC. Anything that is not a recognised form — or names an
//! impossible date — is kept as [`TimeFrameKind::Unparsed`] so a person can look at it.
//!
//! The recognised forms are a table of small patterns (`PATTERNS`): adding a form is adding
//! a line, and every line is covered by `tests/time_frames.rs`.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::text::{fold, nfc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeFrameKind {
    /// "2024"
    Year,
    /// "2024 - 2026"
    YearRange,
    /// "06/2025", "Tháng 10/2025", "June 2025"
    Month,
    /// "Quý II/2025", "Q2 2025"
    Quarter,
    /// "Đến năm 2030", "by 2030"
    ByYear,
    /// "Hằng năm", "annually"
    Annual,
    /// "2025 và những năm tiếp theo"
    FromYear,
    /// "Thường xuyên", "ongoing"
    Ongoing,
    /// "15/4/2025"
    Date,
    /// Text that did not parse: kept and flagged.
    Unparsed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    None,
    Annual,
    Continuous,
}

/// A parsed time frame. Serialises with the fields of the import JSON contract
/// (`text`, `kind`, `due`) plus `start` and `recurrence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeFrame {
    pub text: String,
    pub kind: TimeFrameKind,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub recurrence: Recurrence,
}

/// Years outside this window are typing mistakes ("20224"), not plans.
const EARLIEST_YEAR: i32 = 1900;
const LATEST_YEAR: i32 = 2200;

/// Each recognised form, as a pattern over the tokens of the folded text.
///
/// A pattern is a list of space-separated elements, each matching one token:
/// a literal word or symbol (`quy`, `/`), alternatives (`den|truoc`), or a slot —
/// `{y}` a year, `{y2}` the last year of a range, `{m}` a month number, `{mn}` a month name,
/// `{d}` a day, `{q}` a quarter (1–4 or I–IV), `{qn}` a quarter as an ordinal word ("second"),
/// `{sep}` one of `/`, `-`, `.`. A trailing `?` makes an element optional. Commas are
/// dropped before matching ("April 15, 2025"), and so are the suffixes of "2nd", "15th".
const PATTERNS: &[(TimeFrameKind, &str)] = &[
    // Recurring and ongoing work: the most common cells after plain years.
    (TimeFrameKind::Annual, "nhiem? vu? hang|moi nam"),
    (TimeFrameKind::Annual, "annually|yearly|annual"),
    (TimeFrameKind::Annual, "every|each year"),
    (TimeFrameKind::Ongoing, "nhiem? vu? thuong xuyen lien? tuc?"),
    // "Thường xuyên, hằng năm": continuous work already covers every year.
    (TimeFrameKind::Ongoing, "nhiem? vu? thuong xuyen hang nam"),
    (TimeFrameKind::Ongoing, "hang nam thuong xuyen"),
    (TimeFrameKind::Ongoing, "lien tuc"),
    (
        TimeFrameKind::Ongoing,
        "ongoing|continuous|continuously|continual|regularly|regular",
    ),
    (TimeFrameKind::Ongoing, "on - going"),
    // Dates.
    (
        TimeFrameKind::Date,
        "truoc|den? ngay? {d} {sep} {m} {sep} {y}",
    ),
    (
        TimeFrameKind::Date,
        "truoc|den? ngay? {d} thang {m} nam {y}",
    ),
    (TimeFrameKind::Date, "{y} - {m} - {d}"),
    (TimeFrameKind::Date, "by|on? {mn} {d} {y}"),
    (TimeFrameKind::Date, "by|on? the? {d} of? {mn} {y}"),
    // Months.
    (TimeFrameKind::Month, "trong? thang {m} {sep} {y}"),
    (TimeFrameKind::Month, "{m} {sep} {y}"),
    (TimeFrameKind::Month, "trong? thang {m} nam {y}"),
    (TimeFrameKind::Month, "{y} - {m}"),
    (TimeFrameKind::Month, "in? {mn} of? {y}"),
    // Quarters.
    (TimeFrameKind::Quarter, "trong? quy {q} {sep}? {y}"),
    (TimeFrameKind::Quarter, "trong? quy {q} nam {y}"),
    (TimeFrameKind::Quarter, "q {q} {sep}? {y}"),
    (TimeFrameKind::Quarter, "{y} {sep}? q {q}"),
    (TimeFrameKind::Quarter, "in? the? {qn} quarter of? {y}"),
    (TimeFrameKind::Quarter, "quarter {q} {sep}? of? {y}"),
    // Ranges of years; "2024 - 2026" and its spelled-out forms.
    (
        TimeFrameKind::YearRange,
        "trong? giai? doan? nam? {y} - nam? {y2}",
    ),
    (
        TimeFrameKind::YearRange,
        "giai? doan? tu nam? {y} den nam? {y2}",
    ),
    (TimeFrameKind::YearRange, "nam? {y} den nam? {y2}"),
    (
        TimeFrameKind::YearRange,
        "from? {y} to|until|through|till {y2}",
    ),
    (TimeFrameKind::YearRange, "between {y} and {y2}"),
    // Deadlines given as a year.
    (TimeFrameKind::ByYear, "den|truoc het? nam? {y}"),
    (TimeFrameKind::ByYear, "cham nhat|muon nhat nam? {y}"),
    (TimeFrameKind::ByYear, "cuoi nam {y}"),
    (
        TimeFrameKind::ByYear,
        "by|until|till|before the? end? of? {y}",
    ),
    (TimeFrameKind::ByYear, "no later than the? end? of? {y}"),
    // Work that starts in a year and then recurs.
    (
        TimeFrameKind::FromYear,
        "nam? {y} va nhung|cac nam tiep theo|sau",
    ),
    (TimeFrameKind::FromYear, "tu nam? {y} tro di|ve? sau?"),
    (TimeFrameKind::FromYear, "tu nam? {y}"),
    (
        TimeFrameKind::FromYear,
        "{y} and the? following|subsequent|later years",
    ),
    (TimeFrameKind::FromYear, "from|since {y} onwards|onward|on?"),
    (TimeFrameKind::FromYear, "{y} onwards|onward"),
    // A single year.
    (TimeFrameKind::Year, "trong? nam? {y}"),
    (TimeFrameKind::Year, "in? {y}"),
];

/// One element of a pattern.
#[derive(Debug)]
enum Element {
    Literal(Vec<&'static str>),
    Year,
    EndYear,
    Month,
    MonthName,
    Day,
    Quarter,
    QuarterOrdinal,
    Separator,
}

#[derive(Debug)]
struct Pattern {
    kind: TimeFrameKind,
    elements: Vec<(Element, bool)>,
}

/// The patterns, split once; [`PATTERNS`] stays readable as text.
static COMPILED: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .map(|(kind, text)| Pattern {
            kind: *kind,
            elements: text.split_whitespace().map(compile_element).collect(),
        })
        .collect()
});

fn compile_element(text: &'static str) -> (Element, bool) {
    let (text, optional) = match text.strip_suffix('?') {
        Some(text) => (text, true),
        None => (text, false),
    };
    let element = match text {
        "{y}" => Element::Year,
        "{y2}" => Element::EndYear,
        "{m}" => Element::Month,
        "{mn}" => Element::MonthName,
        "{d}" => Element::Day,
        "{q}" => Element::Quarter,
        "{qn}" => Element::QuarterOrdinal,
        "{sep}" => Element::Separator,
        literal => Element::Literal(literal.split('|').collect()),
    };
    (element, optional)
}

/// What the slots of a matched pattern captured.
#[derive(Debug, Clone, Copy, Default)]
struct Captures {
    year: Option<i32>,
    end_year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    quarter: Option<u32>,
}

impl TimeFrame {
    /// Parse what a document wrote. Never fails: text that does not parse is kept with kind
    /// [`TimeFrameKind::Unparsed`].
    pub fn parse(text: &str) -> Self {
        let text = nfc(trim_cell(text));
        let folded = fold(&text);
        let tokens = tokenize(&folded);
        for pattern in COMPILED.iter() {
            let Some(captures) = match_elements(&pattern.elements, &tokens, Captures::default())
            else {
                continue;
            };
            if let Some(frame) = build(pattern.kind, captures, &text) {
                return frame;
            }
        }
        Self::unparsed(text)
    }

    fn unparsed(text: String) -> Self {
        Self {
            text,
            kind: TimeFrameKind::Unparsed,
            start: None,
            due: None,
            recurrence: Recurrence::None,
        }
    }

    /// Whether the text was understood.
    pub fn is_parsed(&self) -> bool {
        self.kind != TimeFrameKind::Unparsed
    }
}

/// The cell without surrounding white space and the trailing punctuation that table cells
/// often end with ("2024.", "Hằng năm;").
fn trim_cell(text: &str) -> &str {
    text.trim()
        .trim_end_matches(['.', ',', ';', ':', '…'])
        .trim_end()
}

/// Folded text as words, numbers and single symbols. Commas are dropped because they only
/// ever separate parts of a date ("April 15, 2025", "Thường xuyên, hằng năm"); the English
/// ordinal suffix of a number is dropped so "2nd" reads as "2".
fn tokenize(folded: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut characters = folded.char_indices().peekable();
    let mut previous_was_number = false;
    while let Some((start, character)) = characters.next() {
        if character.is_whitespace() || character == ',' {
            previous_was_number = false;
            continue;
        }
        let class = |c: char| {
            if c.is_ascii_digit() {
                1
            } else if c.is_alphabetic() {
                2
            } else {
                0
            }
        };
        let this_class = class(character);
        let mut end = start + character.len_utf8();
        if this_class != 0 {
            while let Some(&(index, next)) = characters.peek() {
                if class(next) != this_class {
                    break;
                }
                end = index + next.len_utf8();
                characters.next();
            }
        }
        let token = &folded[start..end];
        let is_ordinal_suffix = previous_was_number && matches!(token, "st" | "nd" | "rd" | "th");
        if !is_ordinal_suffix {
            tokens.push(token);
        }
        previous_was_number = this_class == 1;
    }
    tokens
}

/// Match the whole token list against the pattern, trying optional elements both ways.
fn match_elements(
    elements: &[(Element, bool)],
    tokens: &[&str],
    captures: Captures,
) -> Option<Captures> {
    let Some(((element, optional), rest)) = elements.split_first() else {
        return tokens.is_empty().then_some(captures);
    };
    if let Some((token, remaining)) = tokens.split_first()
        && let Some(captured) = match_element(element, token, captures)
        && let Some(done) = match_elements(rest, remaining, captured)
    {
        return Some(done);
    }
    if *optional {
        return match_elements(rest, tokens, captures);
    }
    None
}

fn match_element(element: &Element, token: &str, mut captures: Captures) -> Option<Captures> {
    match element {
        Element::Literal(alternatives) => {
            return alternatives.contains(&token).then_some(captures);
        }
        Element::Year => captures.year = Some(year(token)?),
        Element::EndYear => captures.end_year = Some(year(token)?),
        Element::Month => captures.month = Some(small_number(token, 1, 12)?),
        Element::MonthName => captures.month = Some(month_name(token)?),
        Element::Day => captures.day = Some(small_number(token, 1, 31)?),
        Element::Quarter => {
            let quarter = match token {
                "i" => 1,
                "ii" => 2,
                "iii" => 3,
                "iv" => 4,
                number => small_number(number, 1, 4)?,
            };
            captures.quarter = Some(quarter);
        }
        Element::QuarterOrdinal => {
            let quarter = match token {
                "first" | "1" => 1,
                "second" | "2" => 2,
                "third" | "3" => 3,
                "fourth" | "last" | "4" => 4,
                _ => return None,
            };
            captures.quarter = Some(quarter);
        }
        Element::Separator => {
            return matches!(token, "/" | "-" | ".").then_some(captures);
        }
    }
    Some(captures)
}

/// A four-digit year in the window plans are written for.
fn year(token: &str) -> Option<i32> {
    if token.len() != 4 || !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = token.parse().ok()?;
    (EARLIEST_YEAR..=LATEST_YEAR)
        .contains(&year)
        .then_some(year)
}

/// A one- or two-digit number within `low..=high` ("6", "06").
fn small_number(token: &str, low: u32, high: u32) -> Option<u32> {
    if token.is_empty() || token.len() > 2 || !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u32 = token.parse().ok()?;
    (low..=high).contains(&number).then_some(number)
}

fn month_name(token: &str) -> Option<u32> {
    let month = match token {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    };
    Some(month)
}

/// The time frame a matched pattern means, or `None` when the captured values name no real
/// period (31/02, a range that ends before it starts).
fn build(kind: TimeFrameKind, captures: Captures, text: &str) -> Option<TimeFrame> {
    let first_day = |year: i32| NaiveDate::from_ymd_opt(year, 1, 1);
    let last_day = |year: i32| NaiveDate::from_ymd_opt(year, 12, 31);
    let (start, due, recurrence) = match kind {
        TimeFrameKind::Year => {
            let year = captures.year?;
            (first_day(year), last_day(year), Recurrence::None)
        }
        TimeFrameKind::YearRange => {
            let (first, last) = (captures.year?, captures.end_year?);
            if last < first {
                return None;
            }
            (first_day(first), last_day(last), Recurrence::None)
        }
        TimeFrameKind::Month => {
            let (year, month) = (captures.year?, captures.month?);
            let start = NaiveDate::from_ymd_opt(year, month, 1)?;
            (Some(start), last_day_of_month(start), Recurrence::None)
        }
        TimeFrameKind::Quarter => {
            let (year, quarter) = (captures.year?, captures.quarter?);
            let start = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1)?;
            let last_month = NaiveDate::from_ymd_opt(year, quarter * 3, 1)?;
            (Some(start), last_day_of_month(last_month), Recurrence::None)
        }
        TimeFrameKind::ByYear => (None, last_day(captures.year?), Recurrence::None),
        TimeFrameKind::Annual => (None, None, Recurrence::Annual),
        TimeFrameKind::FromYear => (first_day(captures.year?), None, Recurrence::Annual),
        TimeFrameKind::Ongoing => (None, None, Recurrence::Continuous),
        TimeFrameKind::Date => {
            let date = NaiveDate::from_ymd_opt(captures.year?, captures.month?, captures.day?)?;
            (None, Some(date), Recurrence::None)
        }
        TimeFrameKind::Unparsed => return None,
    };
    Some(TimeFrame {
        text: text.to_owned(),
        kind,
        start,
        due,
        recurrence,
    })
}

fn last_day_of_month(first: NaiveDate) -> Option<NaiveDate> {
    let (year, month) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1)?.pred_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_splits_letters_from_digits_and_drops_commas_and_ordinal_suffixes() {
        assert_eq!(tokenize("q2/2025"), ["q", "2", "/", "2025"]);
        assert_eq!(tokenize("april 15th, 2025"), ["april", "15", "2025"]);
        assert_eq!(tokenize("2024 - 2026"), ["2024", "-", "2026"]);
    }

    #[test]
    fn every_pattern_compiles_to_at_least_one_element() {
        assert_eq!(COMPILED.len(), PATTERNS.len());
        assert!(COMPILED.iter().all(|pattern| !pattern.elements.is_empty()));
    }

    #[test]
    fn optional_elements_may_be_present_or_absent() {
        assert_eq!(TimeFrame::parse("năm 2024").kind, TimeFrameKind::Year);
        assert_eq!(TimeFrame::parse("2024").kind, TimeFrameKind::Year);
    }

    #[test]
    fn last_day_of_december_is_the_thirty_first() {
        let first = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
        assert_eq!(
            last_day_of_month(first),
            NaiveDate::from_ymd_opt(2025, 12, 31)
        );
    }
}
