//! The content of packaged documents for readers of other things than programs (the library's
//! text extraction and catalogue import), read under the same [`Limits`] and package checks
//! as an imported program: a zip bomb, a damaged part or a sheet past the limits is refused
//! the same way, naming the file.

use crate::limits::{Budget, Limits};
use crate::table::{Block, read_packaged};
use crate::{ImportError, csv, decode_text, docx, xlsx};

/// A row of a worksheet: its label in errors ("row 7") and its cells' text by column (empty
/// cells kept, so the column of a cell is its index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    pub label: String,
    pub cells: Vec<String>,
}

/// The text of a Word document: its paragraphs, and each table row as one line of its cells
/// joined by ": ", in document order (NFC).
pub fn docx_text(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
) -> Result<Vec<String>, ImportError> {
    let budget = Budget::new(limits, file_name);
    budget.check_file_size(bytes.len() as u64)?;
    let blocks = read_packaged(bytes, &budget, "DOCX", docx::read_document)?;
    Ok(blocks
        .into_iter()
        .flat_map(|block| match block {
            Block::Lines(lines) => lines,
            Block::Table(table) => table.lines,
        })
        .filter(|line| !line.is_empty())
        .collect())
}

/// The rows of a workbook's first worksheet that has cells, from its first row with a value.
pub fn xlsx_rows(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
) -> Result<Vec<SheetRow>, ImportError> {
    let budget = Budget::new(limits, file_name);
    budget.check_file_size(bytes.len() as u64)?;
    let blocks = read_packaged(bytes, &budget, "XLSX", xlsx::read_workbook)?;
    Ok(blocks
        .into_iter()
        .find_map(|block| match block {
            Block::Table(table) => Some(table.rows),
            Block::Lines(_) => None,
        })
        .unwrap_or_default()
        .into_iter()
        .map(|row| SheetRow {
            label: row.label,
            cells: row.cells.into_iter().map(|cell| cell.text).collect(),
        })
        .collect())
}

/// The rows of a CSV file (UTF-8; comma, semicolon or tab separated, as Excel saves it in any
/// locale), read under the same limits as an imported program. The separator is the one
/// under which `header_width` (how many known columns a header row names) is largest.
pub fn csv_rows(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
    header_width: impl Fn(&[String]) -> usize,
) -> Result<Vec<SheetRow>, ImportError> {
    let budget = Budget::new(limits, file_name);
    budget.check_file_size(bytes.len() as u64)?;
    let text = decode_text(bytes, file_name)?;
    let table = csv::best_table(&text, &budget, |table| {
        table.rows.first().map_or(0, |row| {
            let cells: Vec<String> = row.cells.iter().map(|c| c.text.clone()).collect();
            header_width(&cells)
        })
    })?;
    Ok(table
        .rows
        .into_iter()
        .map(|row| SheetRow {
            label: row.label,
            cells: row.cells.into_iter().map(|cell| cell.text).collect(),
        })
        .collect())
}
