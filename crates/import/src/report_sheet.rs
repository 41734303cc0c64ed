//! The Excel form of an agency's report for a period (báo cáo của cơ quan): written as a
//! template an agency fills offline, read back when it is uploaded.
//!
//! The sheet «Báo cáo»:
//! - rows 1–4 name what the file is for, as "key | value" pairs: `Chương trình` (the program's
//!   id in Đồng Bộ), `Cơ quan` (the agency's code), `Kỳ báo cáo` (the period's code, "2026-Y")
//!   and a line for people; an upload for another program, agency or period is refused;
//! - row 6 is the header, then one row per task: `Mã phân công` (the assignment's id),
//!   `Nhiệm vụ` (the task's code), `Tên nhiệm vụ`, `Vai trò`, then what the agency fills:
//!   `Kết quả thực hiện / Phần phối hợp`, `Tiến độ (%)` (lead tasks only: a whole number 0–100,
//!   checked by Excel's data validation), `Khó khăn, vướng mắc`, `Kiến nghị, đề xuất`.
//!
//! The sheet is protected without a password: the key columns are locked, the cells to fill
//! are not (protection guards against slips, not against a determined user, so the upload
//! checks every key again). Reading goes through the same package checks and limits as every
//! import ([`crate::Limits`]); an error names the row and the cell.

use std::io::Cursor;

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::{DataValidation, Format, FormatBorder, ProtectionOptions, Workbook};

use crate::ImportError;
use crate::limits::{Budget, Limits};
use crate::table::{Block, PackageError, read_packaged};

const SHEET: &str = "Báo cáo";
const HEADER_ROW: u32 = 5;
const KEY_PROGRAM: &str = "Chương trình";
const KEY_AGENCY: &str = "Cơ quan";
const KEY_PERIOD: &str = "Kỳ báo cáo";
const HEADERS: [&str; 8] = [
    "Mã phân công",
    "Nhiệm vụ",
    "Tên nhiệm vụ",
    "Vai trò",
    "Kết quả thực hiện / Phần phối hợp",
    "Tiến độ (%)",
    "Khó khăn, vướng mắc",
    "Kiến nghị, đề xuất",
];

/// What the file is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetKey {
    pub program_id: i64,
    pub agency_code: String,
    pub period: String,
}

/// One task's row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SheetRow {
    pub assignment_id: i64,
    pub task_code: String,
    pub task_title: String,
    pub lead: bool,
    pub results: String,
    /// `None` for a coordinating task (no progress asked) or a cell left empty.
    pub progress: Option<u8>,
    pub difficulties: String,
    pub recommendations: String,
}

/// The template, filled with what is stored so far. `heading` is the line people read
/// ("Bộ Văn hóa, Thể thao và Du lịch — Báo cáo năm 2026 — 47/NQ-CP").
pub fn write_template(
    key: &SheetKey,
    heading: &str,
    rows: &[SheetRow],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET)?;
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDE6F0");
    let locked = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let open = Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_unlocked()
        .set_background_color("#FFFBE6");
    sheet.write_string_with_format(0, 0, heading, &bold)?;
    sheet.write_string(1, 0, KEY_PROGRAM)?;
    sheet.write_string(1, 1, key.program_id.to_string())?;
    sheet.write_string(2, 0, KEY_AGENCY)?;
    sheet.write_string(2, 1, &key.agency_code)?;
    sheet.write_string(3, 0, KEY_PERIOD)?;
    sheet.write_string(3, 1, &key.period)?;
    for (column, name) in (0u16..).zip(HEADERS) {
        sheet.write_string_with_format(HEADER_ROW, column, name, &header)?;
    }
    for (row, task) in (HEADER_ROW + 1..).zip(rows) {
        sheet.write_string_with_format(row, 0, task.assignment_id.to_string(), &locked)?;
        sheet.write_string_with_format(row, 1, &task.task_code, &locked)?;
        sheet.write_string_with_format(row, 2, &task.task_title, &locked)?;
        sheet.write_string_with_format(
            row,
            3,
            if task.lead {
                "Chủ trì"
            } else {
                "Phối hợp"
            },
            &locked,
        )?;
        sheet.write_string_with_format(row, 4, &task.results, &open)?;
        if task.lead {
            match task.progress {
                Some(p) => sheet.write_number_with_format(row, 5, f64::from(p), &open)?,
                None => sheet.write_blank(row, 5, &open)?,
            };
        } else {
            sheet.write_string_with_format(row, 5, "", &locked)?;
        }
        sheet.write_string_with_format(row, 6, &task.difficulties, &open)?;
        sheet.write_string_with_format(row, 7, &task.recommendations, &open)?;
    }
    if let Some(last) = (rows.len() as u32).checked_sub(1) {
        let progress = DataValidation::new()
            .allow_whole_number(rust_xlsxwriter::DataValidationRule::Between(0, 100))
            .set_error_title("Tiến độ")?
            .set_error_message("Tiến độ là một số nguyên từ 0 đến 100.")?;
        sheet.add_data_validation(HEADER_ROW + 1, 5, HEADER_ROW + 1 + last, 5, &progress)?;
    }
    for (column, width) in [
        (0u16, 10.0),
        (1, 9.0),
        (2, 45.0),
        (3, 10.0),
        (4, 50.0),
        (5, 10.0),
        (6, 30.0),
        (7, 30.0),
    ] {
        sheet.set_column_width(column, width)?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    let options = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    };
    sheet.protect_with_options(&options);
    workbook.save_to_buffer()
}

/// The rows of an uploaded sheet, checked against `expected` (what the page it was uploaded
/// to is for) and the limits every import keeps. Only the cells an agency fills are read
/// from a row; the key columns say which task it is.
pub fn read_filled(
    bytes: &[u8],
    file_name: &str,
    expected: &SheetKey,
    limits: &Limits,
) -> Result<Vec<SheetRow>, ImportError> {
    let budget = Budget::new(limits, file_name);
    budget.check_file_size(bytes.len() as u64)?;
    let blocks = read_packaged(bytes, &budget, "XLSX", read_sheet)?;
    let Some(Block::Table(table)) = blocks.into_iter().next() else {
        return Err(no_sheet(file_name));
    };
    let invalid = |location: String, message: String| ImportError::Invalid {
        file: file_name.to_owned(),
        location,
        message,
    };
    let cell = |row: &crate::table::Row, column: usize| -> String {
        row.cells
            .get(column)
            .map(|c| c.text.trim().to_owned())
            .unwrap_or_default()
    };
    let value_of = |key: &str| {
        table
            .rows
            .iter()
            .take(HEADER_ROW as usize)
            .find(|r| cell(r, 0) == key)
            .map(|r| cell(r, 1))
    };
    let found = (
        value_of(KEY_PROGRAM),
        value_of(KEY_AGENCY),
        value_of(KEY_PERIOD),
    );
    let (Some(program), Some(agency), Some(period)) = found else {
        return Err(invalid(
            "rows 2–4".to_owned(),
            "Không phải mẫu báo cáo của Đồng Bộ: thiếu dòng «Chương trình», «Cơ quan», «Kỳ báo cáo» \
             (not a report template of this system)"
                .to_owned(),
        ));
    };
    if program != expected.program_id.to_string()
        || agency != expected.agency_code
        || period != expected.period
    {
        return Err(invalid(
            "rows 2–4".to_owned(),
            format!(
                "Tệp là mẫu của cơ quan {agency}, kỳ {period}, chương trình {program}; trang này là \
                 của cơ quan {}, kỳ {} (the file is another agency's, period's or program's template)",
                expected.agency_code, expected.period
            ),
        ));
    }
    let header_at = table
        .rows
        .iter()
        .position(|r| cell(r, 0) == HEADERS[0] && cell(r, 1) == HEADERS[1])
        .ok_or_else(|| {
            invalid(
                "row 6".to_owned(),
                "Thiếu dòng tiêu đề «Mã phân công | Nhiệm vụ | …» (the header row is missing)"
                    .to_owned(),
            )
        })?;
    let mut rows = Vec::new();
    for row in &table.rows[header_at + 1..] {
        let id_text = cell(row, 0);
        if id_text.is_empty() && row.cells.iter().all(|c| c.text.trim().is_empty()) {
            continue;
        }
        let at = |column: usize| {
            let letter = crate::table::column_letters(column);
            format!("{}, cell {letter} «{}»", row.label, HEADERS[column])
        };
        let assignment_id: i64 = id_text.parse().map_err(|_| {
            invalid(
                at(0),
                format!("«{id_text}» không phải mã phân công (not an assignment id)"),
            )
        })?;
        let lead = cell(row, 3) == "Chủ trì";
        let progress_text = cell(row, 5);
        let progress = if !lead || progress_text.is_empty() {
            None
        } else {
            let value: f64 = progress_text.replace(',', ".").parse().map_err(|_| {
                invalid(
                    at(5),
                    format!(
                        "«{progress_text}» không phải số từ 0 đến 100 (progress must be 0–100)"
                    ),
                )
            })?;
            if !(0.0..=100.0).contains(&value) || value.fract() != 0.0 {
                return Err(invalid(
                    at(5),
                    format!(
                        "«{progress_text}» không phải số nguyên từ 0 đến 100 (progress must be a whole number 0–100)"
                    ),
                ));
            }
            Some(value as u8)
        };
        rows.push(SheetRow {
            assignment_id,
            task_code: cell(row, 1),
            task_title: cell(row, 2),
            lead,
            results: cell(row, 4),
            progress,
            difficulties: cell(row, 6),
            recommendations: cell(row, 7),
        });
    }
    Ok(rows)
}

fn no_sheet(file: &str) -> ImportError {
    ImportError::NoTable {
        file: file.to_owned(),
        message: format!("Không có trang tính «{SHEET}» (no «{SHEET}» sheet)"),
    }
}

/// The sheet «Báo cáo» alone, through the workbook reader every import uses (its limits per
/// cell, row and column).
fn read_sheet(bytes: &[u8], budget: &Budget) -> Result<Vec<Block>, PackageError> {
    let workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| PackageError::Invalid(e.to_string()))?;
    if !workbook.sheet_names().iter().any(|n| n == SHEET) {
        return Ok(Vec::new());
    }
    let blocks = crate::xlsx::read_workbook(bytes, budget)?;
    Ok(blocks.into_iter().take(1).collect())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn key() -> SheetKey {
        SheetKey {
            program_id: 7,
            agency_code: "BVHTTDL".to_owned(),
            period: "2026-Y".to_owned(),
        }
    }

    fn rows() -> Vec<SheetRow> {
        vec![
            SheetRow {
                assignment_id: 11,
                task_code: "2.1".to_owned(),
                task_title: "Tăng cường thông tin đối ngoại".to_owned(),
                lead: true,
                results: "Đã tổ chức hội nghị".to_owned(),
                progress: Some(40),
                ..SheetRow::default()
            },
            SheetRow {
                assignment_id: 12,
                task_code: "2.2".to_owned(),
                lead: false,
                results: "Phối hợp cung cấp tư liệu".to_owned(),
                ..SheetRow::default()
            },
        ]
    }

    #[test]
    fn the_template_is_protected_with_its_progress_validated_and_reads_back() {
        let bytes = write_template(&key(), "Bộ VHTTDL — Năm 2026", &rows()).unwrap();
        let mut package = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
        let mut sheet = String::new();
        package
            .by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut sheet)
            .unwrap();
        assert!(
            sheet.contains("<sheetProtection"),
            "the key columns are locked"
        );
        assert!(
            sheet.contains("<dataValidation type=\"whole\"") && sheet.contains("F7:F8"),
            "progress is a whole number, checked on every task row"
        );
        let read = read_filled(&bytes, "mau.xlsx", &key(), &Limits::default()).unwrap();
        assert_eq!(read, rows());
    }

    #[test]
    fn a_damaged_or_foreign_file_is_refused_with_its_place() {
        let refused = read_filled(b"not a workbook", "x.xlsx", &key(), &Limits::default())
            .unwrap_err()
            .to_string();
        assert!(
            refused.starts_with("x.xlsx: not a valid XLSX file"),
            "{refused}"
        );
        let mut bad = rows();
        bad[0].progress = None;
        let bytes = write_template(&key(), "", &bad).unwrap();
        let other = SheetKey {
            period: "2025-Y".to_owned(),
            ..key()
        };
        let refused = read_filled(&bytes, "y.xlsx", &other, &Limits::default())
            .unwrap_err()
            .to_string();
        assert!(refused.contains("kỳ 2026-Y"), "{refused}");
        let tiny = Limits {
            file_bytes: 100,
            ..Limits::default()
        };
        assert!(read_filled(&bytes, "y.xlsx", &key(), &tiny).is_err());
    }
    #[test]
    fn a_hostile_workbook_is_refused_by_the_limits_every_import_keeps() {
        // A cell far down the sheet: refused at that cell, before any row is laid out.
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name(SHEET).unwrap();
        sheet.write_string(1_000_000, 0, "x").unwrap();
        let far = workbook.save_to_buffer().unwrap();
        match read_filled(&far, "xa.xlsx", &key(), &Limits::default()) {
            Err(ImportError::TooLarge { location, .. }) => {
                assert!(location.contains("A1000001"), "{location}")
            }
            other => panic!("expected a limit, got {other:?}"),
        }
        // What a package unpacks to is checked before its parser runs: a workbook that
        // unpacks past the limit is refused as such, whatever its cells.
        let many: Vec<SheetRow> = (0..3_000)
            .map(|i| SheetRow {
                assignment_id: i,
                task_code: format!("{i}"),
                results: format!("Kết quả thực hiện nhiệm vụ số {i}"),
                ..SheetRow::default()
            })
            .collect();
        let big = write_template(&key(), "", &many).unwrap();
        let tight = Limits {
            unpacked_bytes: 100_000,
            ..Limits::default()
        };
        let refused = read_filled(&big, "lon.xlsx", &key(), &tight).unwrap_err();
        assert!(matches!(refused, ImportError::TooLarge { .. }), "{refused}");
        assert!(read_filled(&big, "lon.xlsx", &key(), &Limits::default()).is_ok());
    }
}
