//! Excel workbooks, read with calamine: the first sheet with a recognisable header row is the
//! task table; the rows above it (and any sheet before it) carry the metadata ("Số |
//! 47/NQ-CP"). Rows and columns are named as Excel shows them ("row 7, column D"); bold comes
//! from the cell styles. A code stored as a number (3.1 for "3.10") is marked so the table
//! reader can restore the trailing zero from the sequence.

use std::io::Cursor;

use calamine::{Data, Reader, StyleRange, Xlsx, open_workbook_from_rs};
use dongbo_domain::{Directory, ImportedProgram};

use crate::ImportError;
use crate::table::{Block, Cell, ColumnNames, Row, Table, import_packaged};

pub(crate) fn import(
    bytes: &[u8],
    file: &str,
    directory: &Directory,
) -> Result<ImportedProgram, ImportError> {
    import_packaged(bytes, file, "XLSX", directory, read_workbook)
}

pub(crate) fn read_workbook(bytes: &[u8]) -> Result<Vec<Block>, String> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| e.to_string())?;
    let names = workbook.sheet_names();
    let several = names.len() > 1;
    let mut blocks = Vec::new();
    for name in names {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| format!("sheet «{name}»: {e}"))?;
        // Styles only decide boldness; a workbook whose styles cannot be read is still read.
        let styles = workbook.worksheet_style(&name).ok();
        let Some((first_row, first_column)) = range.start() else {
            continue;
        };
        let mut rows = Vec::new();
        for (offset, values) in range.rows().enumerate() {
            let row_index = first_row + offset as u32;
            // Pad to the sheet's own columns, so column letters in errors match Excel's.
            let mut cells = vec![Cell::default(); first_column as usize];
            for (column, value) in values.iter().enumerate() {
                let column_index = first_column + column as u32;
                let mut cell = cell(value);
                cell.bold = is_bold(styles.as_ref(), row_index, column_index);
                cells.push(cell);
            }
            let label = if several {
                format!("sheet «{name}», row {}", row_index + 1)
            } else {
                format!("row {}", row_index + 1)
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

fn is_bold(styles: Option<&StyleRange>, row: u32, column: u32) -> bool {
    styles
        .and_then(|s| s.get((row, column)))
        .and_then(|style| style.font.as_ref())
        .is_some_and(|font| font.is_bold())
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
