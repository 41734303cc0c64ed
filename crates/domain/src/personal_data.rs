//! Why Đồng Bộ may hold and show personal data: each purpose with the legal bases that allow
//! it, each valid for a span of days (law as data: the Law on Personal Data Protection of
//! 2025 replaced Decree 13/2023 on 1 January 2026, and will be amended in turn). The shipped
//! rules are `data/law/personal_data.toml`; every read of personal data shown to someone is
//! logged with the purpose and the basis valid on the day (see the store's
//! `personal_data` module).

use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::Deserialize;

/// A use of personal data, as the data file names it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Purpose {
    /// `reminders`.
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    /// The kinds of data the purpose needs (kept to these: data minimisation).
    pub data: Vec<String>,
    /// Oldest first, without overlaps.
    pub basis: Vec<LegalBasis>,
}

/// One legal basis of a purpose: the instrument and article that allow it, and the days on
/// which they do.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LegalBasis {
    /// The instrument's number and symbol: "91/2025/QH15".
    pub instrument: String,
    /// "Điều 19 khoản 1 điểm c".
    pub article: String,
    pub valid_from: NaiveDate,
    /// The last day it applies; `None` while it does.
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    pub summary_vi: String,
    pub summary_en: String,
}

impl LegalBasis {
    /// Whether it applies on `day`.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }

    /// How a log or a page cites it: "91/2025/QH15, Điều 19 khoản 1 điểm c".
    pub fn citation(&self) -> String {
        format!("{}, {}", self.instrument, self.article)
    }
}

impl Purpose {
    /// The basis that applies on `day`, if any.
    pub fn basis_on(&self, day: NaiveDate) -> Option<&LegalBasis> {
        self.basis.iter().find(|b| b.valid_on(day))
    }
}

#[derive(Debug, Deserialize)]
struct File {
    purpose: Vec<Purpose>,
}

/// The purposes `data/law/personal_data.toml` ships, read once.
pub fn purposes() -> &'static [Purpose] {
    static PURPOSES: LazyLock<Vec<Purpose>> = LazyLock::new(|| {
        toml::from_str::<File>(include_str!("../../../data/law/personal_data.toml"))
            .expect("data/law/personal_data.toml is checked by its test")
            .purpose
    });
    &PURPOSES
}

/// The purpose named `code`.
pub fn purpose(code: &str) -> Option<&'static Purpose> {
    purposes().iter().find(|p| p.code == code)
}

/// Sending notices and reminders of tasks and reporting duties (agencies' focal points).
pub const REMINDERS: &str = "reminders";

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_shipped_purposes_have_one_basis_a_day_from_their_first() {
        assert!(!purposes().is_empty());
        for purpose in purposes() {
            assert!(!purpose.data.is_empty(), "{}: what data", purpose.code);
            for pair in purpose.basis.windows(2) {
                let ended = pair[0].valid_to.expect("only the last basis is open-ended");
                assert_eq!(
                    ended.succ_opt(),
                    Some(pair[1].valid_from),
                    "{}: no gap and no overlap between {} and {}",
                    purpose.code,
                    pair[0].instrument,
                    pair[1].instrument
                );
            }
            assert!(purpose.basis.last().unwrap().valid_to.is_none());
        }
    }

    #[test]
    fn reminders_rest_on_the_decree_until_2025_and_on_the_law_from_2026() {
        let reminders = purpose(REMINDERS).expect("the reminders purpose");
        let before = reminders.basis_on(day("2025-12-31")).unwrap();
        assert_eq!(before.instrument, "13/2023/NĐ-CP");
        let after = reminders.basis_on(day("2026-01-01")).unwrap();
        assert_eq!(after.citation(), "91/2025/QH15, Điều 19 khoản 1 điểm c");
        assert!(reminders.basis_on(day("2023-06-30")).is_none());
    }
}
