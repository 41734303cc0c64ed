//! Test helpers: temporary databases on both backends (`db`).
#![forbid(unsafe_code)]

pub mod db;

pub use db::{TestDb, all_backends, in_ci, postgres_database_url};
