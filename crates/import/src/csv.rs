//! CSV, as Excel and LibreOffice save it: comma-, semicolon- or tab-separated (Excel in a
//! Vietnamese or European locale writes ";"), quoted fields may hold the separator and line
//! breaks. The separator is the one under which a recognisable header row has the most
//! columns. Rows are named by their line ("row 7", as a spreadsheet numbers them) and columns
//! by letter. Rows before the header carry the metadata ("Số,47/NQ-CP").

use dongbo_domain::{Directory, ImportedProgram};

use crate::ImportError;
use crate::limits::{Budget, Limit};
use crate::table::{Block, Cell, ColumnNames, Header, Row, Table, import_blocks};

pub(crate) fn import(
    text: &str,
    budget: &Budget,
    directory: &Directory,
) -> Result<ImportedProgram, ImportError> {
    let table = best_table(text, budget, |table| {
        table
            .rows
            .iter()
            .enumerate()
            .find_map(|(i, row)| Header::recognise(row, i))
            .map_or(0, |header| header.width())
    })?;
    import_blocks(&[Block::Table(table)], budget, directory)
}

/// The file read with the separator under which `width` (how many columns the table's
/// header names) is largest.
pub(crate) fn best_table(
    text: &str,
    budget: &Budget,
    width: impl Fn(&Table) -> usize,
) -> Result<Table, ImportError> {
    let mut best: Option<(usize, Table)> = None;
    for delimiter in [b',', b';', b'\t'] {
        let table = read(text, delimiter, budget)?;
        let width = width(&table);
        if best
            .as_ref()
            .is_none_or(|(best_width, _)| width > *best_width)
        {
            best = Some((width, table));
        }
    }
    Ok(best.map(|(_, table)| table).unwrap_or_else(|| Table {
        rows: Vec::new(),
        columns: ColumnNames::Letters,
        lines: Vec::new(),
    }))
}

/// The file's records as rows, one at a time: a row past the limit on rows, a record past the
/// limit on columns or a field past the limit on a cell's length stops the reading there.
fn read(text: &str, delimiter: u8, budget: &Budget) -> Result<Table, ImportError> {
    let (file, limits) = (budget.file, budget.limits);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ImportError::Invalid {
            file: file.to_owned(),
            location: e
                .position()
                .map_or_else(|| "somewhere".to_owned(), |p| format!("row {}", p.line())),
            message: format!("not readable as CSV: {e}"),
        })?;
        let line = record
            .position()
            .map_or(rows.len() as u64 + 1, |p| p.line());
        let place = || format!("row {line}");
        budget.check_time(place)?;
        budget.check_count(
            Limit::Rows,
            rows.len() as u64 + 1,
            limits.rows as u64,
            place,
        )?;
        budget.check_count(
            Limit::Columns,
            record.len() as u64,
            limits.columns as u64,
            place,
        )?;
        for (column, field) in record.iter().enumerate() {
            budget.check_cell_text(field, || {
                format!(
                    "row {line}, column {}",
                    crate::table::column_letters(column)
                )
            })?;
        }
        rows.push(Row {
            // A cell written behind an apostrophe so that no spreadsheet runs it as a formula
            // (as Đồng Bộ's own exports do) is read without it.
            cells: record
                .iter()
                .map(|cell| Cell::new(dongbo_domain::text::from_csv_cell(cell)))
                .collect(),
            label: format!("row {line}"),
        });
    }
    Ok(Table {
        rows,
        columns: ColumnNames::Letters,
        lines: Vec::new(),
    })
}
