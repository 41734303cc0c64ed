//! Tình trạng thực hiện — the state of a task or assignment, computed from its due date and its
//! accepted reports, never typed in by a user.
//!
//! [`compute`] gives one of five [`WorkState`]s. The Government Office (Văn phòng Chính phủ)
//! counts tasks in four [`Outcome`]s, which merge the two working states into "not done,
//! within deadline". [`StateCounts`] keeps the figures of a dashboard and can be updated one
//! task at a time as states change.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The state of one task, assignment or — for recurring work — one period's instance of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkState {
    /// Chưa bắt đầu — nothing reported yet, and the due date has not passed.
    NotStarted,
    /// Đang thực hiện — reported on but not done, and the due date has not passed.
    InProgress,
    /// Hoàn thành đúng hạn — done on or before the due date, or done with no due date.
    DoneOnTime,
    /// Hoàn thành quá hạn — done after the due date.
    DoneLate,
    /// Quá hạn, chưa hoàn thành — not done, and the due date has passed.
    OverdueNotDone,
}

impl WorkState {
    pub const ALL: [Self; 5] = [
        Self::NotStarted,
        Self::InProgress,
        Self::DoneOnTime,
        Self::DoneLate,
        Self::OverdueNotDone,
    ];

    /// The serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::InProgress => "in_progress",
            Self::DoneOnTime => "done_on_time",
            Self::DoneLate => "done_late",
            Self::OverdueNotDone => "overdue_not_done",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::NotStarted => "Chưa bắt đầu",
            Self::InProgress => "Đang thực hiện",
            Self::DoneOnTime => "Hoàn thành đúng hạn",
            Self::DoneLate => "Hoàn thành quá hạn",
            Self::OverdueNotDone => "Quá hạn, chưa hoàn thành",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::NotStarted => "Not started",
            Self::InProgress => "In progress",
            Self::DoneOnTime => "Done on time",
            Self::DoneLate => "Done late",
            Self::OverdueNotDone => "Overdue and not done",
        }
    }

    /// Which of the Government Office's four outcomes this state counts as: both working
    /// states are "not done, within deadline".
    pub fn outcome(self) -> Outcome {
        match self {
            Self::NotStarted | Self::InProgress => Outcome::NotDoneWithinDeadline,
            Self::DoneOnTime => Outcome::DoneOnTime,
            Self::DoneLate => Outcome::DoneLate,
            Self::OverdueNotDone => Outcome::OverdueNotDone,
        }
    }

    /// Whether the work is finished, on time or not.
    pub fn is_done(self) -> bool {
        matches!(self, Self::DoneOnTime | Self::DoneLate)
    }
}

impl fmt::Display for WorkState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a [`WorkState`] or an [`Outcome`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown state {0:?}")]
pub struct UnknownState(pub String);

impl FromStr for WorkState {
    type Err = UnknownState;

    /// Reads the serde name ("done_late").
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

/// Kết quả thực hiện — the four outcomes the Government Office counts tasks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Hoàn thành đúng hạn
    DoneOnTime,
    /// Hoàn thành quá hạn
    DoneLate,
    /// Chưa hoàn thành, trong hạn
    NotDoneWithinDeadline,
    /// Quá hạn, chưa hoàn thành
    OverdueNotDone,
}

impl Outcome {
    pub const ALL: [Self; 4] = [
        Self::DoneOnTime,
        Self::DoneLate,
        Self::NotDoneWithinDeadline,
        Self::OverdueNotDone,
    ];

    /// The serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DoneOnTime => "done_on_time",
            Self::DoneLate => "done_late",
            Self::NotDoneWithinDeadline => "not_done_within_deadline",
            Self::OverdueNotDone => "overdue_not_done",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::DoneOnTime => "Hoàn thành đúng hạn",
            Self::DoneLate => "Hoàn thành quá hạn",
            Self::NotDoneWithinDeadline => "Chưa hoàn thành, trong hạn",
            Self::OverdueNotDone => "Quá hạn, chưa hoàn thành",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::DoneOnTime => "Done on time",
            Self::DoneLate => "Done late",
            Self::NotDoneWithinDeadline => "Not done, within deadline",
            Self::OverdueNotDone => "Overdue and not done",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Outcome {
    type Err = UnknownState;

    /// Reads the serde name ("not_done_within_deadline").
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

/// What the state of one piece of work is computed from.
///
/// For recurring work ("Hằng năm", "Thường xuyên") each period is judged on its own: the
/// caller passes that period's submission deadline as `due` and the reports of that period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct StateInput {
    /// Thời hạn hoàn thành — the last day the work may be done on time; `None` when the time
    /// frame gives none.
    pub due: Option<NaiveDate>,
    /// Progress in percent from the latest accepted report, 0–100. Values above 100 count
    /// as 100.
    pub progress: u8,
    /// The day the report that reached 100% was accepted.
    pub done_on: Option<NaiveDate>,
    /// Whether any report has been submitted or accepted.
    pub started: bool,
}

impl StateInput {
    /// The day the work was done, when it is: progress has reached 100 and the accepting day
    /// is known. Progress of 100 without an acceptance day, or an acceptance day left over
    /// after a later report lowered the progress, is not done.
    fn done_on(&self) -> Option<NaiveDate> {
        if self.progress >= 100 {
            self.done_on
        } else {
            None
        }
    }
}

/// The state of the work on `today`. The rules, in order:
///
/// 1. **Done** — progress is 100 and the accepting day is known: [`WorkState::DoneOnTime`]
///    when it was accepted on or before the due date (the due date itself is on time) or
///    there is no due date; otherwise [`WorkState::DoneLate`]. Done work keeps its state
///    whatever `today` is.
/// 2. **Overdue** — not done and the due date is before `today`:
///    [`WorkState::OverdueNotDone`]. On the due date itself the work is still within its
///    deadline.
/// 3. **In progress** — a report has been submitted or accepted, or progress is above 0:
///    [`WorkState::InProgress`].
/// 4. Otherwise [`WorkState::NotStarted`].
pub fn compute(input: &StateInput, today: NaiveDate) -> WorkState {
    if let Some(done_on) = input.done_on() {
        return match input.due {
            Some(due) if done_on > due => WorkState::DoneLate,
            _ => WorkState::DoneOnTime,
        };
    }
    if input.due.is_some_and(|due| due < today) {
        return WorkState::OverdueNotDone;
    }
    if input.started || input.progress > 0 {
        WorkState::InProgress
    } else {
        WorkState::NotStarted
    }
}

/// How many pieces of work are in each state: the figures of a dashboard.
///
/// Built from an iterator of states, or kept up to date with [`add`](Self::add),
/// [`remove`](Self::remove) and [`change`](Self::change) as reports are accepted and days
/// pass, so a dashboard never has to recount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct StateCounts {
    pub not_started: u64,
    pub in_progress: u64,
    pub done_on_time: u64,
    pub done_late: u64,
    pub overdue_not_done: u64,
}

impl StateCounts {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many are in `state`.
    pub fn get(&self, state: WorkState) -> u64 {
        match state {
            WorkState::NotStarted => self.not_started,
            WorkState::InProgress => self.in_progress,
            WorkState::DoneOnTime => self.done_on_time,
            WorkState::DoneLate => self.done_late,
            WorkState::OverdueNotDone => self.overdue_not_done,
        }
    }

    fn slot(&mut self, state: WorkState) -> &mut u64 {
        match state {
            WorkState::NotStarted => &mut self.not_started,
            WorkState::InProgress => &mut self.in_progress,
            WorkState::DoneOnTime => &mut self.done_on_time,
            WorkState::DoneLate => &mut self.done_late,
            WorkState::OverdueNotDone => &mut self.overdue_not_done,
        }
    }

    /// How many count as `outcome` (the Government Office's four).
    pub fn outcome(&self, outcome: Outcome) -> u64 {
        WorkState::ALL
            .into_iter()
            .filter(|state| state.outcome() == outcome)
            .map(|state| self.get(state))
            .sum()
    }

    /// How many are counted in all.
    pub fn total(&self) -> u64 {
        WorkState::ALL
            .into_iter()
            .map(|state| self.get(state))
            .sum()
    }

    /// How many are done, on time or late.
    pub fn done(&self) -> u64 {
        self.done_on_time + self.done_late
    }

    /// Count one more piece of work in `state`.
    pub fn add(&mut self, state: WorkState) {
        *self.slot(state) += 1;
    }

    /// Stop counting one piece of work in `state`. Returns `false`, and changes nothing, when
    /// none is counted in that state: the caller's figures have drifted and should be
    /// recounted.
    #[must_use = "false means the counts were already wrong"]
    pub fn remove(&mut self, state: WorkState) -> bool {
        let slot = self.slot(state);
        match slot.checked_sub(1) {
            Some(less) => {
                *slot = less;
                true
            }
            None => false,
        }
    }

    /// Move one piece of work from state `from` to state `to`. Returns `false`, and changes
    /// nothing, when none is counted in `from`.
    #[must_use = "false means the counts were already wrong"]
    pub fn change(&mut self, from: WorkState, to: WorkState) -> bool {
        if !self.remove(from) {
            return false;
        }
        self.add(to);
        true
    }

    /// The share of work that is done (on time or late), in whole percent; `None` when
    /// nothing is counted.
    ///
    /// Rounds half up (12.5 → 13), except that it never rounds to 100 while something is not
    /// done (999 of 1000 is 99, not 100) nor to 0 once something is done (1 of 1000 is 1):
    /// a reader takes 100% to mean all and 0% to mean none.
    pub fn percent_done(&self) -> Option<u8> {
        percent(u128::from(self.done()), u128::from(self.total()))
    }
}

/// `part` of `whole` in whole percent, rounded half up but kept off 0 and 100 unless `part`
/// is none or all of `whole`. `None` when `whole` is 0. Callers keep `part * 200` within
/// `u128`, which any sum of counts or weighted percentages does.
pub(crate) fn percent(part: u128, whole: u128) -> Option<u8> {
    if whole == 0 {
        return None;
    }
    let part = part.min(whole);
    let rounded = (part * 200 + whole) / (whole * 2);
    let bounded = if part == 0 || part == whole {
        rounded
    } else {
        rounded.clamp(1, 99)
    };
    Some(u8::try_from(bounded).expect("a share of a whole is at most 100"))
}

impl FromIterator<WorkState> for StateCounts {
    fn from_iter<I: IntoIterator<Item = WorkState>>(states: I) -> Self {
        let mut counts = Self::default();
        counts.extend(states);
        counts
    }
}

impl Extend<WorkState> for StateCounts {
    fn extend<I: IntoIterator<Item = WorkState>>(&mut self, states: I) {
        for state in states {
            self.add(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_half_up_and_stays_off_the_ends_unless_exact() {
        assert_eq!(percent(1, 8), Some(13));
        assert_eq!(percent(1, 3), Some(33));
        assert_eq!(percent(2, 3), Some(67));
        assert_eq!(percent(999, 1000), Some(99));
        assert_eq!(percent(1, 1000), Some(1));
        assert_eq!(percent(0, 1000), Some(0));
        assert_eq!(percent(1000, 1000), Some(100));
        assert_eq!(percent(0, 0), None);
        assert_eq!(
            percent(u128::from(u64::MAX - 1), u128::from(u64::MAX)),
            Some(99)
        );
    }

    #[test]
    fn every_state_and_outcome_reads_back_from_its_name() {
        for state in WorkState::ALL {
            assert_eq!(state.as_str().parse(), Ok(state));
        }
        for outcome in Outcome::ALL {
            assert_eq!(outcome.as_str().parse(), Ok(outcome));
        }
        assert!("done".parse::<WorkState>().is_err());
    }
}
