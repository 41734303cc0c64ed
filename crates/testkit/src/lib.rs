//! Test helpers: temporary databases on both backends (`db`) and the bundled test data loaded
//! into them (`programs`).
#![forbid(unsafe_code)]

pub mod db;
pub mod programs;

pub use db::{TestDb, all_backends, in_ci, postgres_database_url};
pub use programs::load_47;
