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

/// A document rendered in the three formats it is published in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    pub docx: Vec<u8>,
    pub xlsx: Vec<u8>,
    pub pdf: Vec<u8>,
}

/// Renders `document` as DOCX, XLSX and PDF: the DOCX and the PDF as printed (without detail
/// annexes), the XLSX with every annex. Typesetting the PDF takes longest, so it runs on
/// a thread of its own while the DOCX and the XLSX are written on the caller's: on two cores
/// the three take about as long as the PDF alone.
pub fn render_all(document: &OfficialDocument) -> Result<Files, PublishError> {
    std::thread::scope(|scope| {
        let pdf = scope.spawn(|| pdf::render(document));
        let docx = docx::render(document);
        let xlsx = xlsx::render(document);
        let pdf = pdf
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok(Files {
            docx: docx?,
            xlsx: xlsx?,
            pdf: pdf?,
        })
    })
}
