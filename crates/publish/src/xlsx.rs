//! The annexes as an XLSX workbook: one sheet per annex table, for those who go on computing
//! with the figures.
//!
//! Each sheet: the annex's title (row 1) and the table's title or the note tying the annex to
//! the document (row 2), then the header row (row 3, bold, frozen, with an autofilter over the
//! table), then the rows with real cell types — integers and decimals as numbers, percentages
//! as fractions with a % format (the model's 85.5 is 0.855), dates as dates (dd/mm/yyyy), text
//! as text. Sheets are named after their annex ("Phụ lục I"; "Phụ lục II.1", "Phụ lục II.2"
//! when an annex has several tables), made valid: at most 31 characters, none of
//! `[ ] : * ? / \`, unique regardless of case.
//!
//! The bytes depend only on the document: the workbook's creation date is the document's date.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::PublishError;
use crate::model::{Annex, Cell, ColumnKind, OfficialDocument, Table};

/// The row (from 0) of each sheet's header row; the rows above hold the titles.
pub const HEADER_ROW: u32 = 2;
/// Excel's limit on a sheet name's length, in characters.
const SHEET_NAME_LIMIT: usize = 31;

/// Renders the document's annex tables as a workbook. A document without annex tables gives a
/// workbook with one sheet holding the document's title.
pub fn render(document: &OfficialDocument) -> Result<Vec<u8>, PublishError> {
    document.validate()?;
    let error = |e: XlsxError| PublishError::Xlsx(e.to_string());
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        u16::try_from(chrono::Datelike::year(&document.date)).unwrap_or(1970),
        chrono::Datelike::month(&document.date) as u8,
        chrono::Datelike::day(&document.date) as u8,
    )
    .map_err(error)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&document.title)
            .set_author(&document.issuer.name)
            .set_creation_datetime(&created),
    );

    let tables: Vec<(&Annex, &Table)> = document
        .annexes
        .iter()
        .flat_map(|annex| annex.tables.iter().map(move |table| (annex, table)))
        .collect();
    if tables.is_empty() {
        let sheet = workbook.add_worksheet();
        sheet
            .write_string_with_format(0, 0, &document.title, &Format::new().set_bold())
            .map_err(error)?;
        return workbook.save_to_buffer().map_err(error);
    }

    let labels: Vec<String> = document
        .annexes
        .iter()
        .flat_map(|annex| {
            let several = annex.tables.len() > 1;
            (1..=annex.tables.len()).map(move |index| {
                if several {
                    format!("{}.{index}", annex.label())
                } else {
                    annex.label().to_owned()
                }
            })
        })
        .collect();
    let names = sheet_names(labels.iter().map(String::as_str));
    let formats = Formats::new();
    for ((annex, table), name) in tables.into_iter().zip(names) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).map_err(error)?;
        write_table(sheet, document, annex, table, &formats).map_err(error)?;
    }
    workbook.save_to_buffer().map_err(error)
}

/// The cell formats every sheet shares.
struct Formats {
    title: Format,
    subtitle: Format,
    header: Format,
    text: Format,
    integer: Format,
    decimal: Format,
    percent: Format,
    date: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Self {
            title: Format::new().set_bold().set_font_size(13),
            subtitle: Format::new().set_italic(),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color("E7E6E6"),
            text: cell.clone().set_text_wrap(),
            integer: cell.clone().set_num_format("#,##0"),
            decimal: cell.clone().set_num_format("#,##0.00"),
            percent: cell.clone().set_num_format("0.0%"),
            date: cell
                .set_num_format("dd/mm/yyyy")
                .set_align(FormatAlign::Center),
        }
    }

    /// The format of an empty cell: the column's, so borders and alignment stay even.
    fn for_kind(&self, kind: ColumnKind) -> &Format {
        match kind {
            ColumnKind::Text => &self.text,
            ColumnKind::Integer => &self.integer,
            ColumnKind::Decimal => &self.decimal,
            ColumnKind::Percent => &self.percent,
            ColumnKind::Date => &self.date,
        }
    }
}

fn write_table(
    sheet: &mut Worksheet,
    document: &OfficialDocument,
    annex: &Annex,
    table: &Table,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(0, 0, &annex.title, &formats.title)?;
    let subtitle = table
        .title
        .clone()
        .unwrap_or_else(|| document.note_of(annex));
    sheet.write_string_with_format(1, 0, &subtitle, &formats.subtitle)?;

    for (index, column) in table.columns.iter().enumerate() {
        let col = column_index(index)?;
        sheet.write_string_with_format(HEADER_ROW, col, &column.header, &formats.header)?;
        sheet.set_column_width(col, column.width_or_default().clamp(6.0, 60.0))?;
    }
    for (row_index, row) in table.rows.iter().enumerate() {
        let excel_row = HEADER_ROW + 1 + u32::try_from(row_index).unwrap_or(u32::MAX - HEADER_ROW);
        for ((index, cell), column) in row.iter().enumerate().zip(&table.columns) {
            let col = column_index(index)?;
            match cell {
                Cell::Text(text) => {
                    sheet.write_string_with_format(excel_row, col, text, &formats.text)?;
                }
                Cell::Integer(value) => {
                    sheet.write_number_with_format(
                        excel_row,
                        col,
                        *value as f64,
                        &formats.integer,
                    )?;
                }
                Cell::Decimal(value) => {
                    sheet.write_number_with_format(excel_row, col, *value, &formats.decimal)?;
                }
                Cell::Percent(value) => {
                    sheet.write_number_with_format(
                        excel_row,
                        col,
                        value / 100.0,
                        &formats.percent,
                    )?;
                }
                Cell::Date(date) => {
                    let date = ExcelDateTime::from_ymd(
                        u16::try_from(chrono::Datelike::year(date)).unwrap_or(1900),
                        chrono::Datelike::month(date) as u8,
                        chrono::Datelike::day(date) as u8,
                    )?;
                    sheet.write_datetime_with_format(excel_row, col, &date, &formats.date)?;
                }
                Cell::Empty => {
                    sheet.write_blank(excel_row, col, formats.for_kind(column.kind))?;
                }
            }
        }
    }

    let last_row = HEADER_ROW + u32::try_from(table.rows.len()).unwrap_or(u32::MAX - HEADER_ROW);
    let last_col = column_index(table.columns.len() - 1)?;
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    sheet.autofilter(HEADER_ROW, 0, last_row, last_col)?;
    // Printing: landscape A4, one page wide, the header row on every page.
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    Ok(())
}

fn column_index(index: usize) -> Result<u16, XlsxError> {
    u16::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)
}

/// Valid, unique sheet names from the tables' titles: forbidden characters become "-", names
/// are cut to 31 characters and a repeated name gets " (2)", " (3)"… (Excel compares names
/// regardless of case); a name that would be empty is "Bảng N".
pub fn sheet_names<'a>(titles: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (index, title) in titles.into_iter().enumerate() {
        let cleaned: String = title
            .chars()
            .map(|c| match c {
                '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
                c if c.is_control() => ' ',
                c => c,
            })
            .collect();
        let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
        let cleaned = cleaned.trim_matches('\'').trim().to_owned();
        let base = if cleaned.is_empty() {
            format!("Bảng {}", index + 1)
        } else {
            cleaned
        };
        let taken = |name: &str| {
            names
                .iter()
                .any(|other| other.to_lowercase() == name.to_lowercase())
        };
        let mut name = truncate(&base, SHEET_NAME_LIMIT);
        let mut copy = 2;
        while taken(&name) {
            let suffix = format!(" ({copy})");
            name = format!(
                "{}{suffix}",
                truncate(&base, SHEET_NAME_LIMIT - suffix.chars().count()).trim_end()
            );
            copy += 1;
        }
        names.push(name);
    }
    names
}

fn truncate(text: &str, limit: usize) -> String {
    text.chars()
        .take(limit)
        .collect::<String>()
        .trim_end()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_short_valid_and_unique() {
        let names = sheet_names([
            "Phụ lục I: Tình hình thực hiện nhiệm vụ theo cơ quan chủ trì",
            "Phụ lục I: Tình hình thực hiện nhiệm vụ theo cơ quan phối hợp",
            "Tổng hợp [2026] / Quý I",
            "tổng hợp [2026] / quý i",
            "   ",
            "'Chỉ tiêu'",
        ]);
        assert_eq!(
            names,
            [
                "Phụ lục I- Tình hình thực hiện",
                "Phụ lục I- Tình hình thực h (2)",
                "Tổng hợp -2026- - Quý I",
                "tổng hợp -2026- - quý i (2)",
                "Bảng 5",
                "Chỉ tiêu",
            ]
        );
        for name in &names {
            assert!(name.chars().count() <= SHEET_NAME_LIMIT, "{name}");
        }
    }
}
