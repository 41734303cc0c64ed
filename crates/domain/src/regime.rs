//! Chế độ báo cáo — a program's reporting regimes: which reports are due, from whom, and by when.
//!
//! A [`ReportingRegime`] names a kind of period — one of the Decree 09/2019 periods
//! ([`PeriodKind`]) or a [`Phase`], a named range of dates such as "Giai đoạn 2024–2026" for
//! the 3-, 5- and 10-year evaluations —, who reports ([`Reporters`]: every assignee or the
//! leads only) and the [`DeadlineRule`] (working days after the cut-off, at least one).
//!
//! The periods a regime reports on are [`RegimePeriod`]s: a Decree 09 [`Period`] with its data
//! window (15th to 14th), or the phase itself, whose window is its range and whose cut-off is
//! its last day.
//!
//! [`Regimes`] are a program's regimes: the Decree 09 default (see [`Regimes::decree_09`]) with
//! the program's overrides laid over it. Decree 09 (Art. 12) lets the body that sets a regime
//! choose the deadline; Đồng Bộ's default is the earliest it allows — one working day after the
//! cut-off —, which is how the dashboards already judged recurring work.

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::period::{DeadlineRule, Period, PeriodError, PeriodKind, YEARS, periods_overlapping};

/// The longest label a phase may have, in characters.
pub const MAX_PHASE_LABEL_CHARS: usize = 200;

/// A regime or a phase was described wrongly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegimeError {
    #[error("a phase needs a name (e.g. «Giai đoạn 2024–2026»)")]
    EmptyPhaseLabel,
    #[error("a phase's name has at most {MAX_PHASE_LABEL_CHARS} characters")]
    PhaseLabelTooLong,
    #[error("a phase ends ({end}) before it starts ({start})")]
    PhaseEndsBeforeStart { start: NaiveDate, end: NaiveDate },
    #[error("year {0} is outside the supported years 1900–2200")]
    YearOutOfRange(i32),
    #[error("{0:?} is not a phase code (expected e.g. 2024-01-01..2026-12-31)")]
    UnknownPhaseCode(String),
    #[error(
        "unknown kind of regime {0:?} (expected monthly, quarterly, six_monthly, nine_monthly, annual or phase)"
    )]
    UnknownKind(String),
    #[error("unknown reporters {0:?} (expected every or leads)")]
    UnknownReporters(String),
    #[error("the regime {0} is given twice")]
    Repeated(String),
    #[error(transparent)]
    Period(#[from] PeriodError),
}

/// Giai đoạn — a named range of dates reported on as a whole (both ends included).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Phase {
    label: String,
    start: NaiveDate,
    end: NaiveDate,
}

impl Phase {
    /// A phase named `label` (NFC-normalised by the caller, trimmed here) from `start` to `end`.
    pub fn new(label: &str, start: NaiveDate, end: NaiveDate) -> Result<Self, RegimeError> {
        let label = label.trim();
        if label.is_empty() {
            return Err(RegimeError::EmptyPhaseLabel);
        }
        if label.chars().count() > MAX_PHASE_LABEL_CHARS {
            return Err(RegimeError::PhaseLabelTooLong);
        }
        for day in [start, end] {
            let year = chrono::Datelike::year(&day);
            if !YEARS.contains(&year) {
                return Err(RegimeError::YearOutOfRange(year));
            }
        }
        if end < start {
            return Err(RegimeError::PhaseEndsBeforeStart { start, end });
        }
        Ok(Self {
            label: label.to_owned(),
            start,
            end,
        })
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// The code of the range, used in URLs and storage: "2024-01-01..2026-12-31".
    pub fn code(&self) -> String {
        phase_code(self.start, self.end)
    }
}

fn phase_code(start: NaiveDate, end: NaiveDate) -> String {
    format!("{start}..{end}")
}

/// Reads a phase code ("2024-01-01..2026-12-31") into its first and last day.
pub fn parse_phase_code(code: &str) -> Result<(NaiveDate, NaiveDate), RegimeError> {
    let unknown = || RegimeError::UnknownPhaseCode(code.to_owned());
    let (start, end) = code.split_once("..").ok_or_else(unknown)?;
    let start: NaiveDate = start.parse().map_err(|_| unknown())?;
    let end: NaiveDate = end.parse().map_err(|_| unknown())?;
    Ok((start, end))
}

/// Kỳ của chế độ báo cáo — one period a regime reports on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RegimePeriod {
    /// A Decree 09 period ("Quý II/2025").
    Decree09(Period),
    /// A phase, reported on as a whole.
    Phase(Phase),
}

impl RegimePeriod {
    /// The code used in URLs: the period's ("2025-Q2") or the phase's ("2024-01-01..2026-12-31").
    pub fn code(&self) -> String {
        match self {
            Self::Decree09(period) => period.code(),
            Self::Phase(phase) => phase.code(),
        }
    }

    /// The first and last day (both included) of the data reported on.
    pub fn window(&self) -> (NaiveDate, NaiveDate) {
        match self {
            Self::Decree09(period) => period.window(),
            Self::Phase(phase) => (phase.start, phase.end),
        }
    }

    /// The last day of the window: the cut-off.
    pub fn end(&self) -> NaiveDate {
        self.window().1
    }

    /// The day the report is due: `rule`'s working days after the cut-off, where Saturdays,
    /// Sundays and `holidays` are not working days (as [`Period::deadline`] counts).
    pub fn deadline(&self, rule: &DeadlineRule, holidays: &[NaiveDate]) -> NaiveDate {
        match self {
            Self::Decree09(period) => period.deadline(rule, holidays),
            Self::Phase(phase) => crate::period::working_days_after(phase.end, rule, holidays),
        }
    }

    /// The Vietnamese label: "Quý II/2025", or the phase's name.
    pub fn label_vi(&self) -> String {
        match self {
            Self::Decree09(period) => period.to_string(),
            Self::Phase(phase) => phase.label.clone(),
        }
    }

    /// The English label: "Q2 2025", or "phase «name» (start – end)".
    pub fn label_en(&self) -> String {
        match self {
            Self::Decree09(period) => period.label_en(),
            Self::Phase(phase) => {
                format!("phase «{}» ({} – {})", phase.label, phase.start, phase.end)
            }
        }
    }
}

impl fmt::Display for RegimePeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label_vi())
    }
}

/// Which kind of period a regime reports on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RegimeKind {
    /// Every period of a Decree 09 kind.
    Periodic { period: PeriodKind },
    /// One phase.
    Phase(Phase),
}

/// Đối tượng báo cáo — who owes the regime's reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reporters {
    /// Every assignee: the lead and the coordinating agencies.
    Every,
    /// Only the lead agencies (cơ quan chủ trì).
    Leads,
    /// The lead agencies report upward; the coordinating agencies send their contribution to
    /// the lead (it appears on the lead's report form for the task) and owe no report upward.
    ThroughLead,
}

impl Reporters {
    pub const ALL: [Self; 3] = [Self::Every, Self::Leads, Self::ThroughLead];

    /// The serde name, also used in forms and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Every => "every",
            Self::Leads => "leads",
            Self::ThroughLead => "through_lead",
        }
    }

    pub fn parse(text: &str) -> Result<Self, RegimeError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| RegimeError::UnknownReporters(text.to_owned()))
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Every => "Mọi cơ quan được giao (chủ trì và phối hợp)",
            Self::Leads => "Chỉ cơ quan chủ trì",
            Self::ThroughLead => {
                "Cơ quan chủ trì; cơ quan phối hợp gửi phần phối hợp cho cơ quan chủ trì"
            }
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Every => "Every assignee (lead and coordinating)",
            Self::Leads => "Lead agencies only",
            Self::ThroughLead => {
                "Lead agencies; coordinating agencies send their contribution to the lead"
            }
        }
    }

    /// Whether an assignment in `role` owes the regime's reports upward.
    pub fn include(self, role: crate::Role) -> bool {
        self == Self::Every || role == crate::Role::Lead
    }

    /// Whether an assignment in `role` has a part in its agency's report: every assignment
    /// that reports upward, and a coordinating one that sends its contribution to the lead.
    pub fn on_agency_report(self, role: crate::Role) -> bool {
        self != Self::Leads || role == crate::Role::Lead
    }
}

/// Chế độ báo cáo — one reporting regime of a program.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ReportingRegime {
    pub kind: RegimeKind,
    pub reporters: Reporters,
    pub rule: DeadlineRule,
}

impl ReportingRegime {
    /// A regime for every period of `kind`.
    pub fn periodic(kind: PeriodKind, reporters: Reporters, rule: DeadlineRule) -> Self {
        Self {
            kind: RegimeKind::Periodic { period: kind },
            reporters,
            rule,
        }
    }

    /// A regime for `phase`.
    pub fn phase(phase: Phase, reporters: Reporters, rule: DeadlineRule) -> Self {
        Self {
            kind: RegimeKind::Phase(phase),
            reporters,
            rule,
        }
    }

    /// What names the regime among a program's: its period kind ("annual") or its phase's code
    /// ("2024-01-01..2026-12-31"). A program has at most one regime per key.
    pub fn key(&self) -> String {
        match &self.kind {
            RegimeKind::Periodic { period } => period.as_str().to_owned(),
            RegimeKind::Phase(phase) => phase.code(),
        }
    }

    /// The Vietnamese name: "Báo cáo năm", or "Báo cáo giai đoạn — Giai đoạn 2024–2026".
    pub fn label_vi(&self) -> String {
        match &self.kind {
            RegimeKind::Periodic { period } => period.label_vi().to_owned(),
            RegimeKind::Phase(phase) => format!("Báo cáo giai đoạn — {}", phase.label),
        }
    }

    pub fn label_en(&self) -> String {
        match &self.kind {
            RegimeKind::Periodic { period } => period.label_en().to_owned(),
            RegimeKind::Phase(phase) => format!("phase report — {}", phase.label),
        }
    }

    /// The period the regime reports on as of `today`: for a Decree 09 kind, the period whose
    /// window holds the day (for the nine-month report outside its window, the last one); for
    /// a phase, the phase.
    pub fn current_period(&self, today: NaiveDate) -> Option<RegimePeriod> {
        match &self.kind {
            RegimeKind::Periodic { period } => Period::containing(*period, today)
                .or_else(|| {
                    periods_overlapping(*period, today - chrono::Duration::days(366), today).pop()
                })
                .map(RegimePeriod::Decree09),
            RegimeKind::Phase(phase) => Some(RegimePeriod::Phase(phase.clone())),
        }
    }

    /// [`Self::recent_periods`] without those that ended before `start` — a program's first
    /// reporting period is the one running on the day it was issued, so its lists do not
    /// reach back to years before it existed. The current period stays, whatever `start`.
    pub fn recent_periods_since(
        &self,
        today: NaiveDate,
        count: usize,
        start: Option<NaiveDate>,
    ) -> Vec<RegimePeriod> {
        let mut periods = self.recent_periods(today, count);
        if let Some(start) = start {
            let current = periods.last().cloned();
            periods.retain(|p| p.window().1 >= start);
            if periods.is_empty() {
                periods.extend(current);
            }
        }
        periods
    }

    /// The `count` most recent periods as of `today`, oldest first, ending with
    /// [`Self::current_period`]. A phase has one.
    pub fn recent_periods(&self, today: NaiveDate, count: usize) -> Vec<RegimePeriod> {
        let Some(current) = self.current_period(today) else {
            return Vec::new();
        };
        let RegimePeriod::Decree09(mut period) = current else {
            return vec![current];
        };
        let mut periods = vec![period];
        while periods.len() < count {
            match period.previous() {
                Some(previous) => period = previous,
                None => break,
            }
            periods.push(period);
        }
        periods.reverse();
        periods.into_iter().map(RegimePeriod::Decree09).collect()
    }

    /// The regime's period named by `code`: a period code of the regime's kind, or its phase's
    /// code. `None` for a code of another regime.
    pub fn period(&self, code: &str) -> Option<RegimePeriod> {
        match &self.kind {
            RegimeKind::Periodic { period } => code
                .parse::<Period>()
                .ok()
                .filter(|p| p.kind() == *period)
                .map(RegimePeriod::Decree09),
            RegimeKind::Phase(phase) => {
                (phase.code() == code).then(|| RegimePeriod::Phase(phase.clone()))
            }
        }
    }
}

/// The regimes of a program: the Decree 09 default with the program's overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Regimes {
    regimes: Vec<ReportingRegime>,
    /// The keys of the regimes the program set itself.
    overridden: Vec<String>,
}

impl Regimes {
    /// The default of Decree 09/2019 for a program that sets no regime of its own (so for
    /// 47/NQ-CP, whose §III asks for a yearly report): an annual report from every assignee,
    /// due one working day after the 14 December cut-off.
    pub fn decree_09() -> Self {
        Self {
            regimes: vec![Self::default_annual()],
            overridden: Vec::new(),
        }
    }

    fn default_annual() -> ReportingRegime {
        ReportingRegime::periodic(
            PeriodKind::Annual,
            Reporters::Every,
            DeadlineRule::default(),
        )
    }

    /// The default with `overrides` laid over it: an override of the annual regime replaces
    /// the default one (the annual report is always due; a program may change who sends it
    /// and when), any other is added. Refused when two overrides have the same key.
    pub fn with_overrides(overrides: Vec<ReportingRegime>) -> Result<Self, RegimeError> {
        let mut keys: Vec<String> = Vec::new();
        for regime in &overrides {
            let key = regime.key();
            if keys.contains(&key) {
                return Err(RegimeError::Repeated(key));
            }
            keys.push(key);
        }
        let mut regimes = Vec::with_capacity(overrides.len() + 1);
        if !keys.iter().any(|k| k == PeriodKind::Annual.as_str()) {
            regimes.push(Self::default_annual());
        }
        regimes.extend(overrides);
        // The annual regime first, then the other kinds from the longest period down, then
        // phases by their start.
        regimes.sort_by_key(|r| match &r.kind {
            RegimeKind::Periodic { period } => (0, Some(std::cmp::Reverse(*period)), None),
            RegimeKind::Phase(phase) => (1, None, Some((phase.start, phase.end))),
        });
        Ok(Self {
            regimes,
            overridden: keys,
        })
    }

    /// Every regime, the annual one first.
    pub fn iter(&self) -> impl Iterator<Item = &ReportingRegime> {
        self.regimes.iter()
    }

    /// The regime named `key` (see [`ReportingRegime::key`]).
    pub fn get(&self, key: &str) -> Option<&ReportingRegime> {
        self.regimes.iter().find(|r| r.key() == key)
    }

    /// The deadline rule for reports of `kind`: its regime's, else the Decree 09 default.
    pub fn rule_for(&self, kind: PeriodKind) -> DeadlineRule {
        self.regimes
            .iter()
            .find(|r| r.kind == RegimeKind::Periodic { period: kind })
            .map_or_else(DeadlineRule::default, |r| r.rule)
    }

    /// The regime dashboards show: the annual one.
    pub fn default_regime(&self) -> &ReportingRegime {
        self.regimes
            .iter()
            .find(|r| {
                r.kind
                    == (RegimeKind::Periodic {
                        period: PeriodKind::Annual,
                    })
            })
            .expect("a program's regimes always hold the annual one")
    }

    /// Whether the program set the regime named `key` itself (else it is Decree 09's default).
    pub fn is_overridden(&self, key: &str) -> bool {
        self.overridden.iter().any(|k| k == key)
    }
}

impl Default for Regimes {
    fn default() -> Self {
        Self::decree_09()
    }
}
