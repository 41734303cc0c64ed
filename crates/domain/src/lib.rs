//! Types and rules of Đồng Bộ, with no I/O: Vietnamese text handling, time frames, the agency
//! directory and agency resolution, and the shape of an action program.
#![forbid(unsafe_code)]

pub mod access;
pub mod directory;
pub mod period;
pub mod program;
pub mod resolver;
pub mod rollup;
pub mod state;
pub mod text;
pub mod time_frame;

pub use access::{Action, Grant, PasswordPolicy, PolicyViolation, Role};
pub use directory::{Agency, AgencyKind, AgencySet, Directory, Succession};
pub use program::{DocumentKind, DocumentMeta, ImportedProgram, Task, TaskGroup};
pub use resolver::{AgencyResolver, Resolution};
pub use time_frame::{Recurrence, TimeFrame, TimeFrameKind};
