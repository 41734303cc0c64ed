//! Chỉ tiêu — the indicators of a program, their target expressions and the achievement of a
//! value against a target.
//!
//! An indicator's target is written as text in the program's appendix ("≥ 80", "≤ 3 Đông Nam
//! Á; ≤ 50 Thế giới", "100%", "Hoàn thành") and parsed once, here, by [`Target::parse`]. What a
//! value achieves is always computed from the value and the target ([`Target::assess`]),
//! never typed; only a qualitative target is judged by a person ([`Judgement`]). An
//! [`Indicator`] has a target per year ([`YearTarget`]); a value is judged against the target of
//! its year ([`Indicator::target_for`]), and never by a direction that is only a guess
//! ([`Indicator::direction_confirmed`], [`Verdict::DirectionUnconfirmed`]).
//!
//! **Numbers** are read the Vietnamese way: the comma is the decimal separator ("0,7" = 0.7)
//! and the dot separates thousands ("1.000" = 1000, "1.234,5" = 1234.5). A dot that cannot be
//! a thousands separator — not followed by exactly three digits, or after a leading "0"
//! ("0.7", "2.5") — is read as a decimal point, as documents copied from English write it.
//! Leading zeros mean nothing ("09" = 9).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::{fold, nfc};

/// Which way an indicator improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// More is better (a share, a count of channels).
    HigherIsBetter,
    /// Less is better: a place in a ranking (an international index names it, see
    /// [`Indicator::source`]), a number of incidents.
    LowerIsBetter,
    /// Not measured by a number: a person judges whether the target is met.
    Qualitative,
}

impl Direction {
    /// The name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HigherIsBetter => "higher",
            Self::LowerIsBetter => "lower",
            Self::Qualitative => "qualitative",
        }
    }

    /// Reads [`Direction::as_str`] back.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "higher" => Some(Self::HigherIsBetter),
            "lower" => Some(Self::LowerIsBetter),
            "qualitative" => Some(Self::Qualitative),
            _ => None,
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::HigherIsBetter => "Càng cao càng tốt",
            Self::LowerIsBetter => "Càng thấp càng tốt",
            Self::Qualitative => "Định tính",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::HigherIsBetter => "Higher is better",
            Self::LowerIsBetter => "Lower is better",
            Self::Qualitative => "Qualitative",
        }
    }

    /// The direction an indicator's unit and targets imply, and whether that is sure enough to
    /// judge values by (see [`Inferred`]). The name's words never set the direction: "Tỷ lệ …
    /// bố trí vị trí việc làm" is a rate, "Số tổ chức được xếp hạng" a count, whatever
    /// "vị trí" or "xếp hạng" suggest.
    ///
    /// - every target qualitative → [`Direction::Qualitative`], sure;
    /// - a rank — the unit is a place in a ranking ("Thứ bậc", "Thứ hạng", "bậc", "hạng") or a
    ///   target says "Top 50", "trong nhóm 3 nước dẫn đầu" — is lower-is-better, sure;
    /// - targets of only upper bounds ("≤ 3", "< 5", "không quá 5%", "dưới 10%") are
    ///   lower-is-better, sure;
    /// - targets whose every goal is an explicit comparison ("≥ 80", "40 - 50") are judged by
    ///   the comparison itself, higher-is-better for the record, sure;
    /// - a plain number ("100%", "50") is reached in the direction of the unit: a share ("%",
    ///   "% GDP"), a rate per population ("Người/vạn dân"), an amount or a count ("Tổ chức",
    ///   "kênh") is higher-is-better, sure — unless the name speaks of a reduction ("giảm"),
    ///   then only a guess. Any other unit (days, incidents, an empty one) gives a guess,
    ///   higher-is-better, that a person must confirm before any value is judged.
    pub fn infer(name: &str, unit: &str, targets: &[YearTarget]) -> Inferred {
        let goals: Vec<&Goal> = targets.iter().flat_map(|t| t.target.goals()).collect();
        if goals.is_empty() {
            return Inferred::sure(Self::Qualitative);
        }
        let rank = unit_is_rank(unit) || targets.iter().any(|t| text_names_rank(&t.text));
        if rank {
            return Inferred::sure(Self::LowerIsBetter);
        }
        if goals
            .iter()
            .all(|g| matches!(g.comparison, Comparison::AtMost | Comparison::LessThan))
        {
            return Inferred::sure(Self::LowerIsBetter);
        }
        if !goals.iter().any(|g| g.comparison == Comparison::Reach) {
            return Inferred::sure(Self::HigherIsBetter);
        }
        let percent = goals.iter().any(|g| g.percent);
        let quantity = unit_is_quantity(unit) || unit.trim().is_empty() && percent;
        let reduction = {
            let name = fold(name);
            ["giam", "ha thap", "reduce", "decrease"]
                .iter()
                .any(|w| format!(" {name} ").contains(&format!(" {w} ")))
        };
        Inferred {
            direction: Self::HigherIsBetter,
            confirmed: quantity && !reduction,
        }
    }
}

/// What [`Direction::infer`] made of an indicator: a direction, and whether it is sure. An
/// unsure one is a guess kept for the person who confirms it; no value is judged by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inferred {
    pub direction: Direction,
    pub confirmed: bool,
}

impl Inferred {
    fn sure(direction: Direction) -> Self {
        Self {
            direction,
            confirmed: true,
        }
    }
}

/// Whether a unit is a place in a ranking: "Thứ bậc", "Thứ hạng", "bậc", "hạng", "Xếp hạng",
/// "Vị thứ", "rank". Compared with its diacritics, since "hạng" folds to "hàng" (goods).
fn unit_is_rank(unit: &str) -> bool {
    let unit = nfc(unit).to_lowercase();
    let first = unit.split(['/', '(', ',']).next().unwrap_or("").trim();
    matches!(
        first,
        "thứ bậc" | "thứ hạng" | "bậc" | "hạng" | "xếp hạng" | "vị thứ" | "rank" | "ranking"
    )
}

/// Whether a target's words name a place in a ranking: "Top 50", "trong nhóm 3 nước dẫn đầu".
fn text_names_rank(text: &str) -> bool {
    let text = format!(" {} ", fold(text));
    text.contains(" top ") || text.contains(" nhom ") && text.contains(" dan dau ")
}

/// Whether a unit measures a share, a rate, an amount or a count — all better when higher.
fn unit_is_quantity(unit: &str) -> bool {
    let folded = fold(unit);
    let folded = folded.trim_matches(|c: char| c.is_ascii_punctuation() && c != '%' && c != '$');
    if folded.is_empty() {
        return false;
    }
    let first_word = folded.split([' ', '/']).next().unwrap_or("");
    // Time and incidents: fewer days may be the aim as well as more; a person says which.
    if matches!(
        first_word,
        "ngay" | "gio" | "phut" | "giay" | "tuan" | "thang" | "nam" | "vu" | "lan" | "ca"
    ) {
        return false;
    }
    if folded.starts_with('%') || folded.starts_with("phan tram") || folded.starts_with("percent") {
        return true;
    }
    // A rate per population or per unit: "Người/vạn dân", "USD/người".
    if folded.contains('/') {
        return true;
    }
    let money = ["dong", "vnd", "usd", "$", "ty", "trieu", "nghin", "ngan"];
    if folded.split([' ', '/']).any(|w| money.contains(&w)) {
        return true;
    }
    COUNT_UNITS
        .iter()
        .any(|u| folded == *u || folded.starts_with(&format!("{u} ")))
}

/// Units that count things (folded): more of them is the aim of every appendix we have read.
const COUNT_UNITS: &[&str] = &[
    "to chuc",
    "kenh",
    "su kien",
    "nguoi",
    "luot",
    "doanh nghiep",
    "co quan",
    "don vi",
    "san pham",
    "bai",
    "tin",
    "tin bai",
    "chuong trinh",
    "du an",
    "hoat dong",
    "cuoc",
    "van ban",
    "truong",
    "co so",
    "hoi nghi",
    "an pham",
    "quoc gia",
    "nuoc",
    "dau moi",
    "tac pham",
    "di san",
    "trang",
    "tai khoan",
    "giai thuong",
    "bang",
    "sang che",
    "cong trinh",
    "nhiem vu",
    "de tai",
    "phong thi nghiem",
    "trung tam",
    "mo hinh",
    "thiet che",
    "hiep dinh",
    "thoa thuan",
    "doan",
    "dia phuong",
    "tinh",
    "xa",
    "ho",
    "lao dong",
    "hoc sinh",
    "sinh vien",
    "nha khoa hoc",
    "chuyen gia",
    "cong bo",
    "bai bao",
    "dich vu",
    "thu tuc",
    "nen tang",
    "ung dung",
    "co so du lieu",
    "km",
    "ha",
    "mw",
    "tan",
    "diem",
    "cai",
    "chiec",
    "ban",
    "cuon",
    "dau sach",
    "buoi",
    "khoa",
    "lop",
    "suat",
    "so",
    "ky",
    "hang muc",
    "giai phap",
    "cong nghe",
    "startup",
    "vuon uom",
    "quy",
    "mang",
    "website",
    "kenh truyen hinh",
    "phim",
    "chuong trinh truyen hinh",
];

/// How a goal compares a value with its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// "≥ 80", ">= 80"
    AtLeast,
    /// "> 0,7"
    MoreThan,
    /// "≤ 3", "<= 3"
    AtMost,
    /// "< 5"
    LessThan,
    /// "= 100"
    Equal,
    /// "40 - 50", "40–50": both bounds included.
    Between,
    /// A plain number ("09", "100%"): reach it, in the indicator's direction.
    Reach,
}

impl Comparison {
    fn symbol(self) -> &'static str {
        match self {
            Self::AtLeast => "≥",
            Self::MoreThan => ">",
            Self::AtMost => "≤",
            Self::LessThan => "<",
            Self::Equal => "=",
            Self::Between | Self::Reach => "",
        }
    }
}

/// One comparison of a target, optionally against a named scope ("Đông Nam Á").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    pub comparison: Comparison,
    pub value: f64,
    /// The upper bound of a [`Comparison::Between`] range.
    pub upper: Option<f64>,
    /// Written with "%": the values are percentages.
    pub percent: bool,
    /// What the goal is measured against ("Đông Nam Á", "Thế giới"), when the target names it.
    pub scope: Option<String>,
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = if self.percent { "%" } else { "" };
        match (self.comparison, self.upper) {
            (Comparison::Between, Some(upper)) => {
                write!(f, "{}{pct}–{}{pct}", number(self.value), number(upper))?
            }
            (Comparison::Reach, _) | (Comparison::Between, None) => {
                write!(f, "{}{pct}", number(self.value))?
            }
            (comparison, _) => write!(f, "{} {}{pct}", comparison.symbol(), number(self.value))?,
        }
        if let Some(scope) = &self.scope {
            write!(f, " {scope}")?;
        }
        Ok(())
    }
}

/// A number written the Vietnamese way: decimal comma, no thousands separator.
pub fn number(value: f64) -> String {
    let text = if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        let text = format!("{value:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    text.replace('.', ",")
}

/// Mục tiêu — a parsed target expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Target {
    /// One goal, or several against named scopes ("≤ 3 Đông Nam Á; ≤ 50 Thế giới").
    Quantitative(Vec<Goal>),
    /// Text that is not a comparison, kept as written, judged by a person.
    Qualitative(String),
}

/// What is wrong with a target expression, and where: `at` is the 1-based position of the
/// character where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("character {at}: {kind}")]
pub struct TargetError {
    pub at: usize,
    pub kind: TargetErrorKind,
}

/// The kinds of [`TargetError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetErrorKind {
    #[error("the target is empty")]
    Empty,
    #[error("expected a number after «{after}», found {found}")]
    ExpectedNumber { after: String, found: String },
    #[error("the range starting at {low} has no upper bound")]
    RangeWithoutEnd { low: String },
    #[error("the range {low} - {high} runs backwards (the lower bound comes first)")]
    RangeBackwards { low: String, high: String },
    #[error(
        "«{0}» is not a number: dots separate thousands in groups of three (1.000), the comma is the decimal separator (0,7)"
    )]
    BadNumber(String),
    #[error("part {part} of the target is empty (between two «;»)")]
    EmptyPart { part: usize },
    #[error("part {part} «{text}» is not a comparison such as «≤ 3 Đông Nam Á»")]
    NotAComparison { part: usize, text: String },
}

impl Target {
    /// Parse a target as written in an appendix. Text that neither starts with a digit nor holds
    /// a comparison sign is qualitative; anything else must be well-formed comparisons,
    /// or the error says what is wrong and where. The input is NFC-normalised first.
    pub fn parse(text: &str) -> Result<Self, TargetError> {
        let text = nfc(text);
        let chars: Vec<char> = text.chars().collect();
        let first = chars.iter().position(|c| !c.is_whitespace());
        let Some(first) = first else {
            return Err(TargetError {
                at: 1,
                kind: TargetErrorKind::Empty,
            });
        };
        let has_sign = chars.iter().any(|c| COMPARISON_SIGNS.contains(*c));
        if !starts_comparison(&chars[first..])
            && !has_sign
            && word_comparison(&chars[first..]).is_none()
        {
            return Ok(Self::Qualitative(
                text.split_whitespace().collect::<Vec<_>>().join(" "),
            ));
        }
        let mut goals = Vec::new();
        let mut start = 0;
        let mut part = 1;
        loop {
            let end = chars[start..]
                .iter()
                .position(|&c| c == ';')
                .map_or(chars.len(), |i| start + i);
            goals.push(parse_goal(&chars, start, end, part)?);
            if end == chars.len() {
                break;
            }
            start = end + 1;
            part += 1;
        }
        Ok(Self::Quantitative(goals))
    }

    /// The target of an indicator row as written: an empty text is a heading's (a row such as
    /// "11 Thứ hạng quốc tế" whose sub-rows 11.1, 11.2 carry the targets), kept as an empty
    /// qualitative target; anything else is [`Target::parse`]d.
    pub fn parse_row(text: &str) -> Result<Self, TargetError> {
        if text.trim().is_empty() {
            Ok(Self::Qualitative(String::new()))
        } else {
            Self::parse(text)
        }
    }

    /// The goals of a quantitative target (none for a qualitative one).
    pub fn goals(&self) -> &[Goal] {
        match self {
            Self::Quantitative(goals) => goals,
            Self::Qualitative(_) => &[],
        }
    }

    /// Whether the target names scopes, so values must say which one they measure.
    pub fn scopes(&self) -> Vec<&str> {
        self.goals()
            .iter()
            .filter_map(|g| g.scope.as_deref())
            .collect()
    }

    /// The goal a value for `scope` is measured against: the one whose scope folds to the same
    /// text, or the only goal when there is one and the value names no other scope.
    pub fn goal_for(&self, scope: Option<&str>) -> Option<&Goal> {
        let goals = self.goals();
        let wanted = scope.map(fold).filter(|s| !s.is_empty());
        match wanted {
            Some(wanted) => goals
                .iter()
                .find(|g| g.scope.as_deref().map(fold).as_deref() == Some(wanted.as_str()))
                .or_else(|| match goals {
                    [only] if only.scope.is_none() => Some(only),
                    _ => None,
                }),
            None => match goals {
                [only] => Some(only),
                _ => None,
            },
        }
    }

    /// What `value` (for `scope`) achieves against this target. `judgement` counts only for
    /// a qualitative target; `baseline` adds the progress made from it.
    pub fn assess(
        &self,
        direction: Direction,
        scope: Option<&str>,
        value: Option<&Value>,
        baseline: Option<f64>,
        judgement: Option<Judgement>,
    ) -> Achievement {
        if let Self::Qualitative(_) = self {
            return match (value, judgement) {
                (_, Some(judgement)) => Achievement::Judged {
                    met: judgement == Judgement::Achieved,
                },
                (None, None) => Achievement::Pending,
                (Some(_), None) => Achievement::NeedsJudgement,
            };
        }
        let Some(value) = value else {
            return Achievement::Pending;
        };
        let Value::Number(value) = *value else {
            // Text recorded against a numeric target: a person must say what it means.
            return match judgement {
                Some(judgement) => Achievement::Judged {
                    met: judgement == Judgement::Achieved,
                },
                None => Achievement::NeedsJudgement,
            };
        };
        match self.goal_for(scope) {
            Some(goal) => Achievement::Measured(goal.measure(direction, value, baseline)),
            None => Achievement::Pending,
        }
    }

    /// The verdict over every goal, each judged by the latest value recorded for its scope
    /// (`latest` pairs a scope with its value and judgement): met when every goal is met, not
    /// met when a measured goal is not, otherwise pending or waiting for a judgement.
    pub fn verdict(
        &self,
        direction: Direction,
        latest: &[(Option<&str>, &Value, Option<Judgement>)],
        baseline: Option<f64>,
    ) -> Verdict {
        let assess = |entry: Option<&(Option<&str>, &Value, Option<Judgement>)>| match entry {
            Some((scope, value, judgement)) => {
                self.assess(direction, *scope, Some(value), baseline, *judgement)
            }
            None => Achievement::Pending,
        };
        let achievements: Vec<Achievement> = match self {
            Self::Qualitative(_) => vec![assess(latest.last())],
            Self::Quantitative(goals) => goals
                .iter()
                .map(|goal| {
                    assess(latest.iter().rev().find(|(scope, _, _)| {
                        self.goal_for(*scope).is_some_and(|g| std::ptr::eq(g, goal))
                    }))
                })
                .collect(),
        };
        if achievements.iter().any(|a| a.met() == Some(false)) {
            Verdict::NotMet
        } else if achievements.iter().all(|a| a.met() == Some(true)) {
            Verdict::Met
        } else if achievements
            .iter()
            .any(|a| matches!(a, Achievement::NeedsJudgement))
        {
            Verdict::NeedsJudgement
        } else {
            Verdict::Pending
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Qualitative(text) => f.write_str(text),
            Self::Quantitative(goals) => {
                for (i, goal) in goals.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{goal}")?;
                }
                Ok(())
            }
        }
    }
}

/// The signs that make a text a comparison.
const COMPARISON_SIGNS: &str = "≥≤<>=";

fn starts_comparison(chars: &[char]) -> bool {
    matches!(chars.first(), Some('≥' | '≤' | '>' | '<' | '=' | '0'..='9'))
}

/// One goal from `chars[start..end]` (part number `part`, for errors).
fn parse_goal(chars: &[char], start: usize, end: usize, part: usize) -> Result<Goal, TargetError> {
    let mut at = skip_spaces(chars, start, end);
    if at == end {
        return Err(TargetError {
            at: at + 1,
            kind: TargetErrorKind::EmptyPart { part },
        });
    }
    let rest: String = chars[at..end].iter().collect();
    // A comparison in words: "không quá 5%", "Top 50", "trên 80%".
    let worded = word_comparison(&chars[at..end]);
    if let Some((_, length)) = worded {
        at = skip_spaces(chars, at + length, end);
    }
    // A scope written before the comparison: "Đông Nam Á: ≤ 3".
    let mut scope_before = None;
    if worded.is_none() && !starts_comparison(&chars[at..end]) {
        match chars[at..end]
            .iter()
            .position(|c| COMPARISON_SIGNS.contains(*c))
        {
            Some(offset) => {
                let name: String = chars[at..at + offset].iter().collect();
                scope_before = Some(name.trim().trim_end_matches(':').trim().to_owned());
                at += offset;
            }
            None => {
                return Err(TargetError {
                    at: at + 1,
                    kind: TargetErrorKind::NotAComparison {
                        part,
                        text: rest.trim().to_owned(),
                    },
                });
            }
        }
    }
    let (comparison, sign_len) = match (chars[at], chars.get(at + 1).filter(|_| at + 1 < end)) {
        ('>', Some('=')) => (Comparison::AtLeast, 2),
        ('<', Some('=')) => (Comparison::AtMost, 2),
        ('≥', _) => (Comparison::AtLeast, 1),
        ('≤', _) => (Comparison::AtMost, 1),
        ('>', _) => (Comparison::MoreThan, 1),
        ('<', _) => (Comparison::LessThan, 1),
        ('=', _) => (Comparison::Equal, 1),
        _ => (worded.map_or(Comparison::Reach, |(c, _)| c), 0),
    };
    let sign: String = chars[at..at + sign_len].iter().collect();
    at = skip_spaces(chars, at + sign_len, end);
    let (value, after_value) = read_number(chars, at, end, &sign)?;
    at = skip_spaces(chars, after_value, end);
    let mut percent = false;
    if at < end && chars[at] == '%' {
        percent = true;
        at = skip_spaces(chars, at + 1, end);
    }
    let mut goal = Goal {
        comparison,
        value,
        upper: None,
        percent,
        scope: None,
    };
    if comparison == Comparison::Reach && at < end && matches!(chars[at], '-' | '–' | '—') {
        let dash = at;
        at = skip_spaces(chars, at + 1, end);
        if at == end || !chars[at].is_ascii_digit() {
            return Err(TargetError {
                at: at + 1,
                kind: TargetErrorKind::RangeWithoutEnd { low: number(value) },
            });
        }
        let (upper, after_upper) = read_number(chars, at, end, "-")?;
        if upper < value {
            return Err(TargetError {
                at: dash + 1,
                kind: TargetErrorKind::RangeBackwards {
                    low: number(value),
                    high: number(upper),
                },
            });
        }
        at = skip_spaces(chars, after_upper, end);
        if at < end && chars[at] == '%' {
            goal.percent = true;
            at = skip_spaces(chars, at + 1, end);
        }
        goal.comparison = Comparison::Between;
        goal.upper = Some(upper);
    }
    let scope_after: String = chars[at..end].iter().collect();
    let scope_after = scope_after.split_whitespace().collect::<Vec<_>>().join(" ");
    goal.scope = scope_before
        .filter(|s| !s.is_empty())
        .or((!scope_after.is_empty()).then_some(scope_after));
    Ok(goal)
}

/// Comparisons written in words at the start of a goal, longest first, each followed by a
/// number: "không quá 5%" is "≤ 5%", "Top 50" and "trong nhóm 3 nước dẫn đầu" are "≤" a
/// place in a ranking, "trên 80%" is "> 80%"; "đạt" and "khoảng" only introduce the number.
const WORD_COMPARISONS: &[(&str, Comparison)] = &[
    ("không vượt quá", Comparison::AtMost),
    ("không thấp hơn", Comparison::AtLeast),
    ("không quá", Comparison::AtMost),
    ("không dưới", Comparison::AtLeast),
    ("thuộc nhóm", Comparison::AtMost),
    ("trong nhóm", Comparison::AtMost),
    ("đạt trên", Comparison::MoreThan),
    ("đạt khoảng", Comparison::Reach),
    ("ít nhất", Comparison::AtLeast),
    ("tối thiểu", Comparison::AtLeast),
    ("tối đa", Comparison::AtMost),
    ("nhóm", Comparison::AtMost),
    ("dưới", Comparison::LessThan),
    ("trên", Comparison::MoreThan),
    ("top", Comparison::AtMost),
    ("khoảng", Comparison::Reach),
    ("đạt", Comparison::Reach),
];

/// The comparison and the number of characters of a worded comparison at the start of
/// `chars`, when a number follows it.
fn word_comparison(chars: &[char]) -> Option<(Comparison, usize)> {
    let lower: Vec<char> = chars
        .iter()
        .take(20)
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    WORD_COMPARISONS.iter().find_map(|(words, comparison)| {
        let words: Vec<char> = words.chars().collect();
        let after = words.len();
        let starts = lower.len() > after && lower[..after] == words[..];
        let mut next = after;
        while next < chars.len() && chars[next].is_whitespace() {
            next += 1;
        }
        (starts && next > after && chars.get(next).is_some_and(|c| c.is_ascii_digit()))
            .then_some((*comparison, after))
    })
}

fn skip_spaces(chars: &[char], mut at: usize, end: usize) -> usize {
    while at < end && chars[at].is_whitespace() {
        at += 1;
    }
    at
}

/// A number at `chars[at..]`: digits with dots and at most one comma. Returns the value and
/// where it ends.
fn read_number(
    chars: &[char],
    at: usize,
    end: usize,
    after: &str,
) -> Result<(f64, usize), TargetError> {
    let mut stop = at;
    while stop < end && (chars[stop].is_ascii_digit() || matches!(chars[stop], '.' | ',')) {
        stop += 1;
    }
    // A trailing "." or "," ends a sentence, not the number.
    let mut number_end = stop;
    while number_end > at && matches!(chars[number_end - 1], '.' | ',') {
        number_end -= 1;
    }
    if number_end == at || !chars[at].is_ascii_digit() {
        let found = if at == end {
            "nothing".to_owned()
        } else {
            let word: String = chars[at..end]
                .iter()
                .take_while(|c| !c.is_whitespace())
                .collect();
            format!("«{word}»")
        };
        return Err(TargetError {
            at: at + 1,
            kind: TargetErrorKind::ExpectedNumber {
                after: after.to_owned(),
                found,
            },
        });
    }
    let written: String = chars[at..number_end].iter().collect();
    let value = parse_number(&written).ok_or_else(|| TargetError {
        at: at + 1,
        kind: TargetErrorKind::BadNumber(written.clone()),
    })?;
    Ok((value, number_end))
}

/// A number written the Vietnamese way (see the module documentation): "09", "0,7",
/// "1.000", "1.234,5", and "2.5" from English documents. `None` for anything else.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty()
        || !text
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let (whole, fraction) = match text.split_once(',') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    if fraction.is_some_and(|f| f.is_empty() || !f.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let groups: Vec<&str> = whole.split('.').collect();
    let thousands = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[0] != "0"
        && groups[1..].iter().all(|g| g.len() == 3);
    let digits = if thousands {
        groups.concat()
    } else if groups.len() == 2 && fraction.is_none() && !groups[1].is_empty() {
        // "2.5", "0.7": a decimal point.
        return format!("{}.{}", groups[0], groups[1]).parse().ok();
    } else if groups.len() == 1 {
        whole.to_owned()
    } else {
        return None;
    };
    if digits.is_empty() {
        return None;
    }
    let text = match fraction {
        Some(fraction) => format!("{digits}.{fraction}"),
        None => digits,
    };
    text.parse().ok().filter(|v: &f64| v.is_finite())
}

/// Số liệu — a value recorded for an indicator: a number, or text for a qualitative target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Number(f64),
    Text(String),
}

impl Value {
    /// A value as typed: a number when it reads as one ("0,7", "1.000", "45", "95%", "-2"),
    /// otherwise the text, NFC-normalised and trimmed. `None` when blank.
    pub fn parse(text: &str) -> Option<Self> {
        let text = nfc(text.trim());
        if text.is_empty() {
            return None;
        }
        let numeric = text.trim_end_matches('%').trim();
        // A value may be negative (a growth rate that fell): "-2", "−2,5".
        let (sign, digits) = match numeric.strip_prefix(['-', '−']) {
            Some(rest) => (-1.0, rest.trim_start()),
            None => (1.0, numeric),
        };
        Some(match parse_number(digits) {
            Some(number) => Self::Number(sign * number),
            None => Self::Text(text.split_whitespace().collect::<Vec<_>>().join(" ")),
        })
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(_) => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => f.write_str(&number(*n)),
            Self::Text(text) => f.write_str(text),
        }
    }
}

/// A person's judgement of a qualitative target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    /// Đạt
    Achieved,
    /// Chưa đạt
    NotAchieved,
}

impl Judgement {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Achieved => "achieved",
            Self::NotAchieved => "not_achieved",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "achieved" => Some(Self::Achieved),
            "not_achieved" => Some(Self::NotAchieved),
            _ => None,
        }
    }
}

/// How far a number is from a goal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub met: bool,
    /// How much of the goal is reached, in percent, direction-aware: value/target when higher
    /// is better, target/value when lower is better (a rank of 50 against "≤ 40" is 80%).
    /// `None` when the goal's number is zero and the ratio means nothing.
    pub percent: Option<f64>,
    /// How far the value still is from the goal, in the indicator's unit (0 when met).
    pub distance: f64,
    /// Progress from the baseline towards the goal, in percent (100 = the goal), when a
    /// baseline exists and differs from the goal.
    pub progress: Option<f64>,
}

/// Mức độ đạt — what a value achieves against a target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Achievement {
    /// No value yet.
    Pending,
    /// A qualitative target with a value but no judgement yet.
    NeedsJudgement,
    /// A person judged a qualitative target.
    Judged { met: bool },
    /// A number against a numeric goal.
    Measured(Measure),
    /// A number that cannot be judged: the indicator's direction is a guess no person has
    /// confirmed yet (see [`Indicator::direction_confirmed`]).
    DirectionUnconfirmed,
}

impl Achievement {
    /// Met or not, when known.
    pub fn met(&self) -> Option<bool> {
        match self {
            Self::Pending | Self::NeedsJudgement | Self::DirectionUnconfirmed => None,
            Self::Judged { met } => Some(*met),
            Self::Measured(measure) => Some(measure.met),
        }
    }
}

/// The verdict on an indicator: Đạt / Chưa đạt / Chờ đánh giá / Chưa có số liệu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    NotMet,
    NeedsJudgement,
    Pending,
    /// Chưa xác định chiều đánh giá: the direction is a guess, so no value is judged until a
    /// person confirms it.
    DirectionUnconfirmed,
}

impl Verdict {
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Met => "Đạt",
            Self::NotMet => "Chưa đạt",
            Self::NeedsJudgement => "Chờ đánh giá",
            Self::Pending => "Chưa có số liệu",
            Self::DirectionUnconfirmed => "Chưa xác định chiều đánh giá — cần xác nhận",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Met => "Met",
            Self::NotMet => "Not met",
            Self::NeedsJudgement => "Awaiting judgement",
            Self::Pending => "No value yet",
            Self::DirectionUnconfirmed => "Direction not yet set — needs confirmation",
        }
    }
}

impl Goal {
    /// Whether `value` meets this goal and how far it is from it. A plain number is reached
    /// in the indicator's direction (a qualitative direction reads it as higher-is-better).
    pub fn measure(&self, direction: Direction, value: f64, baseline: Option<f64>) -> Measure {
        let target = self.value;
        let lower_is_better = match self.comparison {
            Comparison::AtMost | Comparison::LessThan => true,
            Comparison::AtLeast | Comparison::MoreThan => false,
            Comparison::Equal | Comparison::Between => false,
            Comparison::Reach => direction == Direction::LowerIsBetter,
        };
        let ratio = |numerator: f64, denominator: f64| {
            (denominator != 0.0).then(|| numerator / denominator * 100.0)
        };
        let (met, percent, distance, aim) = match self.comparison {
            Comparison::Between => {
                let upper = self.upper.unwrap_or(target);
                if value < target {
                    (false, ratio(value, target), target - value, target)
                } else if value > upper {
                    (false, ratio(upper, value), value - upper, upper)
                } else {
                    (true, Some(100.0), 0.0, value)
                }
            }
            Comparison::Equal => {
                let met = (value - target).abs() < 1e-9;
                (met, ratio(value, target), (value - target).abs(), target)
            }
            _ if lower_is_better => {
                let met = if self.comparison == Comparison::LessThan {
                    value < target
                } else {
                    value <= target
                };
                let percent = if value == 0.0 {
                    Some(100.0)
                } else {
                    ratio(target, value)
                };
                (met, percent, (value - target).max(0.0), target)
            }
            _ => {
                let met = if self.comparison == Comparison::MoreThan {
                    value > target
                } else {
                    value >= target
                };
                (met, ratio(value, target), (target - value).max(0.0), target)
            }
        };
        let progress = baseline
            .filter(|b| (aim - b).abs() > 1e-9)
            .map(|b| (value - b) / (aim - b) * 100.0);
        Measure {
            met,
            percent,
            distance,
            progress,
        }
    }
}

/// One target of an indicator: what is to be reached by a year. An appendix split into
/// sections by year ("I. Đến năm 2025", "II. Đến năm 2030") gives one indicator a target per
/// section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearTarget {
    /// Năm mục tiêu — the year the target is for (the end year of a period "2026–2030");
    /// `None` when the appendix names none.
    pub year: Option<i32>,
    /// The target as written in the appendix.
    pub text: String,
    pub target: Target,
}

impl YearTarget {
    /// The target of `text` for `year`, [`Target::parse`]d.
    pub fn parse(year: Option<i32>, text: &str) -> Result<Self, TargetError> {
        Ok(Self {
            year,
            text: text.to_owned(),
            target: Target::parse(text)?,
        })
    }
}

/// Chỉ tiêu — one indicator of a program: one identity (code, name, unit) and its targets by
/// year, so values of every year are kept together and each is judged against the target of
/// its year ([`Indicator::target_for`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// "11", "11.1"
    pub code: String,
    /// The code of the row this one is numbered under (11 for 11.1).
    pub parent: Option<String>,
    pub name: String,
    /// Đơn vị tính — as written: "%", "% GDP", "Người/vạn dân", "Tổ chức", "Thứ bậc".
    pub unit: String,
    pub direction: Direction,
    /// Whether the direction is sure — inferred from the unit and targets without doubt, or
    /// confirmed by a person. An unconfirmed direction is a guess: no value is judged by it
    /// ([`Verdict::DirectionUnconfirmed`]).
    pub direction_confirmed: bool,
    /// Giá trị cơ sở and its year.
    pub baseline: Option<f64>,
    pub baseline_year: Option<i32>,
    /// The targets, earliest year first (a target without a year last); none for a heading.
    pub targets: Vec<YearTarget>,
    /// Cơ quan chủ trì theo dõi, đánh giá — the tracking agency's code, when the text
    /// resolved to one agency.
    pub tracking_agency: Option<String>,
    /// The tracking agency as written.
    pub tracking_text: String,
    /// Nguồn / chỉ số quốc tế — where values come from (the international index of a ranking).
    pub source: String,
}

impl Indicator {
    /// A heading row: no target of its own, its sub-rows carry them.
    pub fn is_heading(&self) -> bool {
        self.targets.is_empty()
    }

    /// The parent code of a numbered sub-row: "11" for "11.1", none for "11".
    pub fn parent_code(code: &str) -> Option<String> {
        code.rsplit_once('.')
            .map(|(parent, _)| parent.to_owned())
            .filter(|p| !p.is_empty())
    }

    /// Puts the targets in order: by year, a target without a year last.
    pub fn sort_targets(&mut self) {
        self.targets
            .sort_by_key(|t| (t.year.is_none(), t.year.unwrap_or(i32::MAX)));
    }

    /// The target a value of `year` is judged against: the one of the nearest target year at
    /// or after it; past the last target year, or when no year is given, the last target.
    /// `None` for a heading.
    pub fn target_for(&self, year: Option<i32>) -> Option<&YearTarget> {
        year.and_then(|year| {
            self.targets
                .iter()
                .find(|t| t.year.is_some_and(|y| y >= year))
        })
        .or_else(|| self.targets.last())
    }

    /// The last target (the one the appendix aims at in the end).
    pub fn final_target(&self) -> Option<&YearTarget> {
        self.targets.last()
    }

    /// Whether any target is a number, so the direction matters.
    pub fn is_quantitative(&self) -> bool {
        self.targets.iter().any(|t| !t.target.goals().is_empty())
    }

    /// The scopes the targets name ("Đông Nam Á", "Thế giới"), each once, in the order first
    /// written.
    pub fn scopes(&self) -> Vec<&str> {
        let mut scopes: Vec<&str> = Vec::new();
        for scope in self.targets.iter().flat_map(|t| t.target.scopes()) {
            if !scopes.iter().any(|s| fold(s) == fold(scope)) {
                scopes.push(scope);
            }
        }
        scopes
    }

    /// `scope` as a target writes it, when some target names it (compared folded), so values
    /// of one scope are stored alike.
    pub fn scope_as_written(&self, scope: &str) -> Option<String> {
        let wanted = fold(scope);
        self.scopes()
            .into_iter()
            .find(|s| !wanted.is_empty() && fold(s) == wanted)
            .map(str::to_owned)
    }

    /// What `value` (of a period in `year`, for `scope`) achieves against the target of that
    /// year. Never a measure from an unconfirmed direction.
    pub fn assess(
        &self,
        year: Option<i32>,
        scope: Option<&str>,
        value: Option<&Value>,
        judgement: Option<Judgement>,
    ) -> Achievement {
        let Some(target) = self.target_for(year) else {
            return Achievement::Pending;
        };
        let achievement =
            target
                .target
                .assess(self.direction, scope, value, self.baseline, judgement);
        match achievement {
            Achievement::Measured(_) if !self.direction_confirmed => {
                Achievement::DirectionUnconfirmed
            }
            other => other,
        }
    }

    /// The verdict on the indicator in `year` (its target for that year; the last target when
    /// `None`) from the latest value of each scope: see [`Target::verdict`]. A quantitative
    /// indicator whose direction is unconfirmed has no verdict but
    /// [`Verdict::DirectionUnconfirmed`], whatever its values.
    pub fn verdict(
        &self,
        year: Option<i32>,
        latest: &[(Option<&str>, &Value, Option<Judgement>)],
    ) -> Verdict {
        let Some(target) = self.target_for(year) else {
            return Verdict::Pending;
        };
        if !self.direction_confirmed && !target.target.goals().is_empty() {
            return Verdict::DirectionUnconfirmed;
        }
        target.target.verdict(self.direction, latest, self.baseline)
    }
}

/// The period a value is for, as typed: a period code ("2025-Q2", see
/// [`Period::code`](crate::Period::code)) or a bare year ("2025"), which is the annual period
/// of that year — rankings and yearly indicators are measured once a year.
pub fn value_period(text: &str) -> Result<crate::Period, crate::PeriodError> {
    let text = text.trim();
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        let year: i32 = text
            .parse()
            .map_err(|_| crate::PeriodError::UnknownCode(text.to_owned()))?;
        return crate::Period::new(crate::PeriodKind::Annual, year, 1);
    }
    text.parse()
}
