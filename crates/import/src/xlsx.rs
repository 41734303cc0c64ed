//! Excel workbooks, read with calamine: the first sheet with a recognisable header row is the
//! task table; the rows above it (and any sheet before it) carry the metadata ("Số |
//! 47/NQ-CP"). Rows and columns are named as Excel shows them ("row 7, column D"); bold comes
//! from the cell styles. A code stored as a number (3.1 for "3.10") is marked so the table
//! reader can restore the trailing zero from the sequence.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, XlsxError, open_workbook_from_rs};
use dongbo_domain::{Directory, ImportedProgram};

use crate::ImportError;
use crate::limits::{Budget, Limit};
use crate::table::{
    Block, Cell, ColumnNames, PackageError, Row, Table, column_letters, import_packaged,
};

pub(crate) fn import(
    bytes: &[u8],
    budget: &Budget,
    directory: &Directory,
) -> Result<ImportedProgram, ImportError> {
    import_packaged(bytes, budget, "XLSX", directory, read_workbook)
}

/// Every sheet as a table. Cells are read one by one in the order the sheet stores them and
/// kept only when they hold a value: a sheet is never laid out as a dense range sized from
/// its cells' bounding box (two cells at A1 and XFD1048576 would make that 17 billion
/// cells). A value in a row or column past the limits is refused at once, naming the cell.
pub(crate) fn read_workbook(bytes: &[u8], budget: &Budget) -> Result<Vec<Block>, PackageError> {
    let limits = budget.limits;
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: XlsxError| PackageError::Invalid(e.to_string()))?;
    let names = workbook.sheet_names();
    let several = names.len() > 1;
    let mut blocks = Vec::new();
    let mut cell_count = 0u64;
    for name in names {
        let invalid = |e: XlsxError| PackageError::Invalid(format!("sheet «{name}»: {e}"));
        let mut reader = match workbook.worksheet_cells_reader(&name) {
            Ok(reader) => reader,
            // A chart sheet or a dialog sheet: no cells.
            Err(XlsxError::NotAWorksheet(_)) => continue,
            Err(e) => return Err(invalid(e)),
        };
        // The non-empty cells of each row, by column.
        let mut sheet: BTreeMap<u32, BTreeMap<u32, Cell>> = BTreeMap::new();
        while let Some((found, style)) = reader.next_cell_with_style_id().map_err(invalid)? {
            let (row, column) = found.get_position();
            let place = || {
                format!(
                    "sheet «{name}», cell {}{}",
                    column_letters(column as usize),
                    u64::from(row) + 1
                )
            };
            budget.check_time(place)?;
            let value: Data = found.get_value().clone().into();
            if matches!(value, Data::Empty) {
                continue;
            }
            budget.check_count(Limit::Rows, u64::from(row) + 1, limits.rows as u64, place)?;
            budget.check_count(
                Limit::Columns,
                u64::from(column) + 1,
                limits.columns as u64,
                place,
            )?;
            cell_count += 1;
            budget.check_count(Limit::Cells, cell_count, limits.cells as u64, place)?;
            if let Data::String(text) = &value {
                budget.check_cell_text(text, place)?;
            }
            let mut cell = cell(&value);
            // Style 0 is the workbook's default format, never a mark of a group row.
            cell.bold = style > 0
                && reader
                    .styles()
                    .get(style)
                    .and_then(|style| style.font.as_ref())
                    .is_some_and(|font| font.is_bold());
            sheet.entry(row).or_default().insert(column, cell);
        }
        let (Some(&first_row), Some(&last_row)) = (sheet.keys().next(), sheet.keys().next_back())
        else {
            continue;
        };
        let mut rows = Vec::new();
        for row_index in first_row..=last_row {
            // Pad to the sheet's own columns, so column letters in errors match Excel's.
            let mut cells = Vec::new();
            for (column, cell) in sheet.remove(&row_index).unwrap_or_default() {
                cells.resize(column as usize, Cell::default());
                cells.push(cell);
            }
            let label = if several {
                format!("sheet «{name}», row {}", u64::from(row_index) + 1)
            } else {
                format!("row {}", u64::from(row_index) + 1)
            };
            rows.push(Row { cells, label });
        }
        let lines = rows
            .iter()
            .map(|r: &Row| {
                r.cells
                    .iter()
                    .map(|c| c.text.as_str())
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
                    .join(": ")
            })
            .collect();
        blocks.push(Block::Table(Table {
            rows,
            columns: ColumnNames::Letters,
            lines,
        }));
    }
    Ok(blocks)
}

fn cell(value: &Data) -> Cell {
    match value {
        Data::Empty | Data::Error(_) => Cell::default(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            Cell::new(&dongbo_domain::text::nfc(s))
        }
        Data::Int(i) => numeric(i.to_string()),
        Data::Float(f) => numeric(if f.fract() == 0.0 && f.abs() < 1e15 {
            format!("{}", *f as i64)
        } else {
            format!("{f}")
        }),
        Data::Bool(b) => Cell::new(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(date) => {
            // Excel's serial day 0 is 1899-12-30 (counting its phantom 29 February 1900).
            let days = date.as_f64().floor();
            let text = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|epoch| {
                    epoch.checked_add_signed(chrono::Duration::days(days.clamp(0.0, 3e6) as i64))
                })
                .map_or_else(
                    || date.as_f64().to_string(),
                    |d| d.format("%d/%m/%Y").to_string(),
                );
            Cell::new(&text)
        }
    }
}

fn numeric(text: String) -> Cell {
    Cell {
        numeric: true,
        ..Cell::new(&text)
    }
}
