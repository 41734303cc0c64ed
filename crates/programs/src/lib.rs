//! The core loop of Đồng Bộ — programs carried out and reported on — as operations and reads
//! that the pages and the JSON API (`web`) both call, so that a user sees and changes the same
//! things through either.
//!
//! - [`context`]: who acts ([`Actor`]: the caller with its grants, the language, today) and
//!   the one operation [`Error`];
//! - one module per area of writes: [`reports`] (and their review), [`plans`] (and units),
//!   [`changes`] (change requests), [`regimes`] (reporting regimes), [`indicators`],
//!   [`reminders`], [`synthesis`] (Decree 30 reports), [`evaluation`] (phase scorecards),
//!   [`topics`] (the library topics a task is about);
//!   each checks in the order 404 → 403 → 422 → 409;
//! - [`reads`]: the versioned read model a server keeps ([`Programs`]);
//! - [`views`]: the plain view models, built from it; [`work`]: an agency's assignments with
//!   their state and a program's dashboard, each one read behind page and API.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod agency_reports;
pub mod changes;
pub mod context;
pub mod evaluation;
pub mod focal_points;
pub mod home;
pub mod indicators;
pub mod input;
pub mod plans;
pub mod queues;
pub mod reads;
pub mod regimes;
pub mod reimport;
pub mod reminders;
pub mod reports;
pub mod sso;
pub mod synthesis;
pub mod timeline;
pub mod topics;
pub mod users;
pub mod views;
pub mod work;

pub use context::{Actor, Caller, Error, FieldError, Result};
pub use reads::Programs;
