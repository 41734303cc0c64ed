//! Types and rules of Đồng Bộ, with no I/O but reading the clock (`clock`, the one place that
//! does): Vietnamese text handling, time frames, the agency directory and agency resolution,
//! the shape of an action program, and a progress report's workflow.
#![forbid(unsafe_code)]

pub mod access;
pub mod assignment;
pub mod clock;
pub mod completeness;
pub mod dashboard;
pub mod directory;
pub mod geo;
pub mod indicator;
pub mod lang;
pub mod library;
pub mod near_duplicate;
pub mod period;
pub mod personal_data;
pub mod program;
pub mod regime;
pub mod report;
pub mod resolver;
pub mod rollup;
pub mod scorecard;
pub mod state;
pub mod text;
pub mod time_frame;

// `Role` at the root is how a task names an agency (lead or coordinating); the role a user
// holds is `access::Role`.
pub use access::{Action, Grant, PasswordPolicy, PolicyViolation};
pub use assignment::{Expansion, Origin, PendingChoice, PlannedAssignment, Role};
pub use clock::Clock;
pub use directory::{Agency, AgencyKind, AgencySet, Directory, Succession};
pub use indicator::{
    Achievement, Direction, Indicator, Judgement, Target, TargetError, Value as IndicatorValue,
    Verdict, YearTarget,
};
pub use period::{DeadlineRule, Period, PeriodError, PeriodKind};
pub use program::{DocumentKind, DocumentMeta, ImportedProgram, Task, TaskGroup};
pub use regime::{Phase, RegimeError, RegimePeriod, Regimes, Reporters, ReportingRegime};
pub use resolver::{AgencyResolver, Participant, ParticipantKind, Resolution};
pub use rollup::{Child, ManualOverride, Rolled, RollupError, RollupRule};
pub use state::{Outcome, StateCounts, StateInput, WorkState};
pub use time_frame::{Recurrence, TimeFrame, TimeFrameKind};
