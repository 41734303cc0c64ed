//! Tổng hợp tiến độ — how progress rolls up the cascade of plans: a task of an agency's plan
//! feeds the agency's assignment on the parent task, and the assignments feed the national
//! task.
//!
//! A parent's progress is computed from its children by a [`RollupRule`], the way Decidim
//! (accountability results) and OpenProject (work packages) do it: a weighted mean by
//! default, a plain mean when a program asks for it. A person with the right may override
//! the computed figure ([`ManualOverride`]); the override wins and stays visible as one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::state::percent;

/// How a parent's progress follows from its children's.
///
/// - [`Weighted`](Self::Weighted) (the default): Σ(progress × weight) / Σ weight. A child's
///   weight is 1 unless the plan gives another, so with no weights set it is the plain mean.
/// - [`Average`](Self::Average): the plain mean of the children's progress, whatever their
///   weights.
///
/// Under both rules a child of weight 0 is left out (it is listed but does not count), and a
/// parent with no counted child has no computed progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RollupRule {
    /// Trung bình cộng — the plain mean.
    Average,
    /// Bình quân gia quyền — the mean weighted by each child's weight.
    #[default]
    Weighted,
}

impl RollupRule {
    pub const ALL: [Self; 2] = [Self::Average, Self::Weighted];

    /// The serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Average => "average",
            Self::Weighted => "weighted",
        }
    }
}

impl fmt::Display for RollupRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RollupRule {
    type Err = RollupError;

    /// Reads the serde name ("weighted").
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|rule| rule.as_str() == s)
            .ok_or_else(|| RollupError::UnknownRule(s.to_owned()))
    }
}

/// A roll-up rule or a manual override was given wrongly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RollupError {
    #[error("unknown roll-up rule {0:?}")]
    UnknownRule(String),
    #[error("progress is a percentage from 0 to 100, not {0}")]
    ProgressOutOfRange(u8),
    #[error("a manual override must say who made it")]
    MissingAuthor,
    #[error("a manual override must give its reason")]
    MissingReason,
}

/// One child's part in its parent's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Child {
    /// Progress in percent, 0–100; values above 100 count as 100.
    pub progress: u8,
    /// How much the child counts under [`RollupRule::Weighted`]; 0 leaves it out.
    #[serde(default = "default_weight")]
    pub weight: u32,
}

fn default_weight() -> u32 {
    1
}

impl Child {
    /// A child of weight 1.
    pub fn new(progress: u8) -> Self {
        Self {
            progress,
            weight: default_weight(),
        }
    }

    pub fn weighted(progress: u8, weight: u32) -> Self {
        Self { progress, weight }
    }
}

/// The parent's progress under `rule`, in whole percent; `None` when no child counts (none
/// given, or all of weight 0).
///
/// Rounds half up (62.5 → 63), except that a parent never rounds to 100 while a counted child
/// is short of it, nor to 0 while a counted child has made progress: 100% means done, and a
/// roll-up must not finish a national task that an agency has not.
pub fn roll_up(rule: RollupRule, children: &[Child]) -> Option<u8> {
    let counted = children.iter().filter(|child| child.weight > 0);
    let (sum, total_weight) = counted.fold((0u128, 0u128), |(sum, total_weight), child| {
        let progress = u128::from(child.progress.min(100));
        let weight = match rule {
            RollupRule::Average => 1,
            RollupRule::Weighted => u128::from(child.weight),
        };
        (sum + progress * weight, total_weight + weight)
    });
    percent(sum, total_weight * 100)
}

/// Điều chỉnh thủ công — a progress figure set by a person in place of the computed one.
///
/// Built through [`ManualOverride::new`]: the figure is a percentage and the override names
/// who made it and why, since a reader sees it in place of the figure the reports give.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ManualOverrideFields")]
pub struct ManualOverride {
    progress: u8,
    by: String,
    reason: String,
}

impl ManualOverride {
    /// An override to `progress` percent, made by `by` (the account that set it) for
    /// `reason`. Surrounding white space is trimmed; neither may be blank.
    pub fn new(
        progress: u8,
        by: impl Into<String>,
        reason: impl Into<String>,
    ) -> Result<Self, RollupError> {
        if progress > 100 {
            return Err(RollupError::ProgressOutOfRange(progress));
        }
        let by = trimmed(by.into()).ok_or(RollupError::MissingAuthor)?;
        let reason = trimmed(reason.into()).ok_or(RollupError::MissingReason)?;
        Ok(Self {
            progress,
            by,
            reason,
        })
    }

    pub fn progress(&self) -> u8 {
        self.progress
    }

    pub fn by(&self) -> &str {
        &self.by
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// The text without surrounding white space, or `None` when nothing is left.
fn trimmed(text: String) -> Option<String> {
    let inner = text.trim();
    if inner.is_empty() {
        None
    } else if inner.len() == text.len() {
        Some(text)
    } else {
        Some(inner.to_owned())
    }
}

/// The serialised form of a [`ManualOverride`], checked by [`ManualOverride::new`] on the way
/// in.
#[derive(Deserialize)]
struct ManualOverrideFields {
    progress: u8,
    by: String,
    reason: String,
}

impl TryFrom<ManualOverrideFields> for ManualOverride {
    type Error = RollupError;

    fn try_from(fields: ManualOverrideFields) -> Result<Self, Self::Error> {
        Self::new(fields.progress, fields.by, fields.reason)
    }
}

/// A parent's progress as computed from its children, and as a person may have overridden it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Rolled {
    /// What [`roll_up`] gives; `None` when no child counts.
    pub computed: Option<u8>,
    pub manual: Option<ManualOverride>,
}

impl Rolled {
    /// The roll-up of `children` under `rule`, with no override.
    pub fn compute(rule: RollupRule, children: &[Child]) -> Self {
        Self {
            computed: roll_up(rule, children),
            manual: None,
        }
    }

    /// The progress to show and to roll further up: the override when there is one,
    /// otherwise the computed figure.
    pub fn effective(&self) -> Option<u8> {
        match &self.manual {
            Some(manual) => Some(manual.progress),
            None => self.computed,
        }
    }

    /// Whether a person has overridden the computed figure, so pages can say so.
    pub fn is_overridden(&self) -> bool {
        self.manual.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_at_the_top_of_their_range_do_not_overflow() {
        let children = [
            Child::weighted(100, u32::MAX),
            Child::weighted(0, u32::MAX),
            Child::weighted(50, u32::MAX),
        ];
        assert_eq!(roll_up(RollupRule::Weighted, &children), Some(50));
    }

    #[test]
    fn trimmed_keeps_inner_text_and_rejects_blank() {
        assert_eq!(trimmed("  a b ".to_owned()), Some("a b".to_owned()));
        assert_eq!(trimmed("ab".to_owned()), Some("ab".to_owned()));
        assert_eq!(trimmed(" \t".to_owned()), None);
    }
}
