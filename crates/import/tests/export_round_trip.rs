//! Exporting 47/NQ-CP to Markdown, CSV and XLSX and importing the result gives the same
//! document number and date, groups and tasks (codes, titles, cell texts, resolved agencies,
//! time frames).

mod common;

use common::{directory, import_47};
use dongbo_domain::ImportedProgram;
use dongbo_import::{ExportFormat, Format, Imported, export, import};

fn round_trip(format: ExportFormat, file: &str) -> (Imported, Imported) {
    let original = import_47();
    let bytes = export(&original.program, format).expect("export");
    let again = import(&bytes, file, Format::Auto, &directory())
        .unwrap_or_else(|e| panic!("re-importing the {format:?} export: {e}"));
    (original, again)
}

/// Everything but where each task was read from (line numbers differ between formats).
fn comparable(program: &ImportedProgram) -> ImportedProgram {
    let mut program = program.clone();
    for task in &mut program.tasks {
        task.source = None;
    }
    program
}

fn assert_same_program(original: &Imported, again: &Imported) {
    let (before, after) = (comparable(&original.program), comparable(&again.program));
    assert_eq!(after.groups, before.groups);
    assert_eq!(after.tasks.len(), before.tasks.len());
    for (a, b) in after.tasks.iter().zip(&before.tasks) {
        assert_eq!(a, b, "task {}", b.code);
    }
    assert_eq!(after.document, before.document);
}

#[test]
fn markdown_export_imports_back_to_the_same_program() {
    let (original, again) = round_trip(ExportFormat::Markdown, "47.md");
    assert_eq!(again.format, Format::Markdown);
    assert_same_program(&original, &again);
}

#[test]
fn csv_export_imports_back_to_the_same_program() {
    let (original, again) = round_trip(ExportFormat::Csv, "47.csv");
    assert_eq!(again.format, Format::Csv);
    assert_same_program(&original, &again);
}

#[test]
fn xlsx_export_imports_back_to_the_same_program() {
    let (original, again) = round_trip(ExportFormat::Xlsx, "47.xlsx");
    assert_eq!(again.format, Format::Xlsx);
    assert_same_program(&original, &again);
}

#[test]
fn markdown_export_starts_with_the_metadata_and_bold_group_rows() {
    let bytes = export(&import_47().program, ExportFormat::Markdown).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.starts_with("# Nghị quyết 47/NQ\\-CP") || text.starts_with("# Nghị quyết 47/NQ-CP"),
        "{}",
        &text[..80]
    );
    assert!(text.contains("- Số: 47/NQ-CP\n"));
    assert!(text.contains("- Ngày ban hành: 2024-04-15\n"));
    assert!(text.contains(
        "| STT | Tên nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Kết quả / Sản phẩm | Thời gian thực hiện |"
    ));
    assert!(text.contains(
        "| **1** | **Quán triệt, phổ biến thông tin và triển khai thực hiện Nghị quyết** |"
    ));
    assert!(text.contains("| 1.1 | Phổ biến, quán triệt nội dung Nghị quyết | Các bộ, ngành, địa phương |  |  | 2024 |"));
}

#[test]
fn csv_export_has_a_byte_order_mark_metadata_rows_and_the_header() {
    let bytes = export(&import_47().program, ExportFormat::Csv).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("Số,47/NQ-CP\n"));
    assert!(text.contains("\nSTT,Tên nhiệm vụ,Cơ quan chủ trì,Cơ quan phối hợp,Kết quả / Sản phẩm,Thời gian thực hiện\n"));
    assert!(text.contains("\n3.6,"));
}

#[test]
fn xlsx_export_has_a_bold_frozen_header_and_text_cells() {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    let bytes = export(&import_47().program, ExportFormat::Xlsx).unwrap();
    let mut workbook: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), vec!["Nhiệm vụ".to_owned()]);
    let range = workbook.worksheet_range("Nhiệm vụ").unwrap();
    let header_row = range
        .rows()
        .position(|row| row.first() == Some(&Data::String("STT".into())))
        .expect("a header row");
    let styles = workbook.worksheet_style("Nhiệm vụ").unwrap();
    let header_font = styles
        .get((header_row as u32, 0))
        .and_then(|s| s.font.clone())
        .unwrap();
    assert!(header_font.is_bold());
    // "2.10" is text, not the number 2.1.
    assert!(
        range
            .rows()
            .any(|row| row.first() == Some(&Data::String("2.10".into())))
    );
}

/// 47/NQ-CP with a task title and a cell a spreadsheet would run as formulas.
fn with_formulas() -> ImportedProgram {
    let mut program = import_47().program;
    program.tasks[0].title = "=HYPERLINK(\"http://evil.example\",\"Mở\")".to_owned();
    program.tasks[1].title = "-2+3 nhiệm vụ".to_owned();
    program
}

#[test]
fn a_csv_export_writes_no_cell_a_spreadsheet_would_run_and_reads_back_the_same() {
    let program = with_formulas();
    let bytes = export(&program, ExportFormat::Csv).expect("export");
    let text = String::from_utf8(bytes.clone()).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?}"
            );
        }
    }
    assert!(text.contains("'=HYPERLINK"), "{text}");
    let again = import(&bytes, "47.csv", Format::Auto, &directory()).unwrap();
    assert_eq!(again.program.tasks[0].title, program.tasks[0].title);
    assert_eq!(again.program.tasks[1].title, program.tasks[1].title);
}

#[test]
fn an_xlsx_export_writes_text_cells_never_formulas() {
    let program = with_formulas();
    let bytes = export(&program, ExportFormat::Xlsx).expect("export");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert!(
        !sheet.contains("<f>") && !sheet.contains("<f "),
        "a formula cell: {sheet}"
    );
    let again = import(&bytes, "47.xlsx", Format::Auto, &directory()).unwrap();
    assert_eq!(again.program.tasks[0].title, program.tasks[0].title);
}
