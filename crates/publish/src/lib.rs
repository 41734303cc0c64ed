//! Official documents (văn bản hành chính) in the format of Decree 30/2020/NĐ-CP, Appendix I:
//! a plain-data [`OfficialDocument`] that the synthesis reports and the phase scorecard build,
//! and its renderings — reading text ([`plain_text`]), DOCX, XLSX annexes and PDF.
//!
//! The model is serde data so that the input of a generated report can be stored as JSON and
//! rendered again to the same bytes: every renderer is a pure function of the document (no
//! clock, no system fonts, nothing from the network).
#![forbid(unsafe_code)]

pub mod docx;
pub mod evaluation;
pub mod model;
pub mod pdf;
pub mod synthesis;
pub mod template;
pub mod xlsx;

pub use model::{
    Align, Annex, Authority, Block, Cell, Column, ColumnKind, Issuer, MOTTO, NATIONAL_TITLE,
    OfficialDocument, RECIPIENTS_LABEL, Signature, Table, plain_text,
};

/// A document could not be published.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PublishError {
    /// A table row has not as many cells as the table has columns.
    #[error("table {table:?}, row {row}: {found} cells for {expected} columns")]
    RowLength {
        /// The table's title, or where it is when it has none ("annex 2, table 1").
        table: String,
        /// The row's number, from 1.
        row: usize,
        expected: usize,
        found: usize,
    },
    /// A table has no columns.
    #[error("table {table:?} has no columns")]
    NoColumns { table: String },
    #[error("writing DOCX: {0}")]
    Docx(String),
    #[error("writing XLSX: {0}")]
    Xlsx(String),
    #[error("writing PDF: {0}")]
    Pdf(String),
}
