//! Thời gian thực hiện — what a document says about when a task is done, and what it means.
//!
//! (Interface fixed here; the parser is being written.)

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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

impl TimeFrame {
    /// Parse what a document wrote. Never fails: text that does not parse is kept with kind
    /// [`TimeFrameKind::Unparsed`]. (Placeholder while the parser is being written.)
    pub fn parse(text: &str) -> Self {
        Self {
            text: crate::text::nfc(text.trim()),
            kind: TimeFrameKind::Unparsed,
            start: None,
            due: None,
            recurrence: Recurrence::None,
        }
    }
}
