//! Writing a program out as Markdown, CSV or XLSX, in the layout users know from government
//! appendices, and that [`crate::import`] reads back to the same groups and tasks.
//!
//! The layout, the same in the three formats:
//! 1. The document's metadata as "key: value" pairs, one per line or row, with the keys of
//!    [`crate::metadata::Key`]: `Số`, `Loại văn bản`, `Ngày ban hành` (ISO date), `Cơ quan ban
//!    hành`, `Mã cơ quan ban hành` (the directory code), `Người ký`, `Trích yếu`, `Thực hiện văn
//!    bản` (numbers separated by "; "), `Ngôn ngữ`. Markdown writes them as a list under a
//!    heading; CSV and XLSX as two-cell rows above the table, then an empty row.
//! 2. The table, with the columns STT | Tên nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Kết
//!    quả / Sản phẩm | Thời gian thực hiện. Each group is a bold row carrying its code and title
//!    (other cells empty), followed by its tasks; agency and time-frame cells hold the text as
//!    the document wrote it, which import resolves again.
//!
//! XLSX: one sheet "Nhiệm vụ", every cell written as text (so "3.10" stays "3.10"), a bold
//! header row frozen under the metadata, an autofilter over the table. CSV: UTF-8 with a
//! byte-order mark (so Excel reads the diacritics), comma-separated.

use dongbo_domain::{ImportedProgram, Task};

use crate::metadata::{Key, kind_label};

/// A format [`export`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    Markdown,
    Csv,
    Xlsx,
}

impl ExportFormat {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }
}

/// A program could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("writing XLSX: {0}")]
    Xlsx(String),
    #[error("writing CSV: {0}")]
    Csv(String),
}

/// The table's header cells.
pub(crate) const COLUMNS: [&str; 6] = [
    "STT",
    "Tên nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Kết quả / Sản phẩm",
    "Thời gian thực hiện",
];

/// Write `program` as `format`.
pub fn export(program: &ImportedProgram, format: ExportFormat) -> Result<Vec<u8>, ExportError> {
    match format {
        ExportFormat::Markdown => Ok(markdown(program).into_bytes()),
        ExportFormat::Csv => csv(program),
        ExportFormat::Xlsx => xlsx(program),
    }
}

/// The metadata pairs, in the order written.
fn metadata(program: &ImportedProgram) -> Vec<(Key, String)> {
    let document = &program.document;
    let mut pairs = Vec::new();
    if let Some(number) = &document.number {
        pairs.push((Key::Number, number.clone()));
    }
    pairs.push((Key::Kind, kind_label(document.kind).to_owned()));
    if let Some(date) = document.issued_on {
        pairs.push((Key::IssuedOn, date.format("%Y-%m-%d").to_string()));
    }
    if let Some(issuer) = &document.issuer_text {
        pairs.push((Key::Issuer, issuer.clone()));
    }
    if let Some(code) = &document.issuer {
        pairs.push((Key::IssuerCode, code.clone()));
    }
    if let Some(signer) = &document.signer {
        pairs.push((Key::Signer, signer.clone()));
    }
    pairs.push((Key::Title, document.title.clone()));
    if !document.implements.is_empty() {
        pairs.push((Key::Implements, document.implements.join("; ")));
    }
    pairs.push((Key::Language, document.language.clone()));
    pairs
}

/// One row of the table: a group row or a task row, and whether it is bold.
fn table_rows(program: &ImportedProgram) -> Vec<([String; 6], bool)> {
    let task_row = |task: &Task| {
        (
            [
                task.code.clone(),
                task.title.clone(),
                task.lead.text.clone(),
                task.coordinating.text.clone(),
                task.expected_output.clone().unwrap_or_default(),
                task.time_frame.text.clone(),
            ],
            false,
        )
    };
    let mut rows = Vec::new();
    for group in &program.groups {
        // The unnamed group that holds a table's ungrouped tasks has no row of its own.
        if !group.title.is_empty() {
            rows.push((
                [
                    group.code.clone(),
                    group.title.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
                true,
            ));
        }
        rows.extend(
            program
                .tasks
                .iter()
                .filter(|t| t.group == group.code)
                .map(task_row),
        );
    }
    // Tasks whose group is missing from the list still get written.
    rows.extend(
        program
            .tasks
            .iter()
            .filter(|t| !program.groups.iter().any(|g| g.code == t.group))
            .map(task_row),
    );
    rows
}

/// Escape what Markdown would read as markup inside a table cell or list item.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn markdown(program: &ImportedProgram) -> String {
    let document = &program.document;
    let mut out = String::new();
    let heading = match &document.number {
        Some(number) => format!("{} {number}", kind_label(document.kind)),
        None => document.title.clone(),
    };
    out.push_str(&format!("# {}\n\n", escape_markdown(&heading)));
    for (key, value) in metadata(program) {
        out.push_str(&format!("- {}: {}\n", key.label(), escape_markdown(&value)));
    }
    out.push('\n');
    out.push_str(&format!("| {} |\n", COLUMNS.join(" | ")));
    out.push_str(&format!("|{}\n", "---|".repeat(COLUMNS.len())));
    for (cells, bold) in table_rows(program) {
        let cells: Vec<String> = cells
            .iter()
            .map(|cell| match (escape_markdown(cell), bold) {
                (text, true) if !text.is_empty() => format!("**{text}**"),
                (text, _) => text,
            })
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

fn csv(program: &ImportedProgram) -> Result<Vec<u8>, ExportError> {
    let error = |e: csv::Error| ExportError::Csv(e.to_string());
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    // A cell a spreadsheet would run as a formula goes behind an apostrophe (the CSV reader
    // takes it away again): `dongbo_domain::text::csv_cell`.
    let inert = |cell: &str| dongbo_domain::text::csv_cell(cell).into_owned();
    for (key, value) in metadata(program) {
        writer
            .write_record([inert(key.label()), inert(&value)])
            .map_err(error)?;
    }
    writer.write_record([""]).map_err(error)?;
    writer.write_record(COLUMNS).map_err(error)?;
    for (cells, _) in table_rows(program) {
        writer
            .write_record(cells.iter().map(|cell| inert(cell)))
            .map_err(error)?;
    }
    writer
        .into_inner()
        .map_err(|e| ExportError::Csv(e.to_string()))
}

fn xlsx(program: &ImportedProgram) -> Result<Vec<u8>, ExportError> {
    use rust_xlsxwriter::{Format, FormatAlign, Workbook};

    let error = |e: rust_xlsxwriter::XlsxError| ExportError::Xlsx(e.to_string());
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Nhiệm vụ").map_err(error)?;
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let bold_wrap = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top);

    let mut row: u32 = 0;
    for (key, value) in metadata(program) {
        sheet
            .write_string_with_format(row, 0, key.label(), &bold)
            .map_err(error)?;
        sheet.write_string(row, 1, &value).map_err(error)?;
        row += 1;
    }
    row += 1;
    let header_row = row;
    for (column, name) in COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(header_row, column as u16, *name, &header)
            .map_err(error)?;
    }
    for (cells, is_group) in table_rows(program) {
        row += 1;
        for (column, text) in cells.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            let format = if is_group { &bold_wrap } else { &wrap };
            sheet
                .write_string_with_format(row, column as u16, text, format)
                .map_err(error)?;
        }
    }
    sheet.set_freeze_panes(header_row + 1, 0).map_err(error)?;
    sheet
        .autofilter(
            header_row,
            0,
            row.max(header_row),
            (COLUMNS.len() - 1) as u16,
        )
        .map_err(error)?;
    for (column, width) in [8.0, 60.0, 32.0, 40.0, 30.0, 18.0].into_iter().enumerate() {
        sheet
            .set_column_width(column as u16, width)
            .map_err(error)?;
    }
    workbook.save_to_buffer().map_err(error)
}
