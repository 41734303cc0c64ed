//! Indicator appendices in every table format read to the same indicators; bad cells are
//! named by file, row and column.

mod common;

use dongbo_domain::indicator::{Comparison, Target};
use dongbo_domain::{Direction, Indicator};
use dongbo_import::{Format, ImportError, ImportedIndicators, import_indicators};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn import(bytes: &[u8], file: &str) -> Result<ImportedIndicators, ImportError> {
    import_indicators(bytes, file, Format::Auto, &common::directory(), None)
}

/// The rows of the CSV fixture, from which the XLSX and DOCX fixtures are written.
fn fixture_rows() -> Vec<Vec<String>> {
    let bytes = fixture("indicators.csv");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(b';')
        .from_reader(bytes.as_slice())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn xlsx_bytes(rows: &[Vec<String>]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            // Numbers as Excel stores them: "85" and "2030" as numbers, "09" stays text.
            match text.parse::<f64>() {
                Ok(n) if !text.starts_with('0') => {
                    sheet.write_number(r as u32, c as u16, n).unwrap();
                }
                _ => {
                    sheet.write_string(r as u32, c as u16, text).unwrap();
                }
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

fn docx_bytes(rows: &[Vec<String>]) -> Vec<u8> {
    use docx_rs::{Docx, Paragraph, Run, Table, TableCell, TableRow};
    let cell = |text: &str| {
        TableCell::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text(text)))
    };
    let (title, table_rows) = rows.split_first().unwrap();
    let table = Table::new(
        table_rows
            .iter()
            .map(|row| TableRow::new(row.iter().map(|t| cell(t)).collect()))
            .collect(),
    );
    let mut buffer = std::io::Cursor::new(Vec::new());
    Docx::new()
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(&title[0]).bold()))
        .add_table(table)
        .build()
        .pack(&mut buffer)
        .unwrap();
    buffer.into_inner()
}

fn find<'a>(imported: &'a ImportedIndicators, code: &str) -> &'a Indicator {
    imported
        .indicators
        .iter()
        .find(|i| i.code == code)
        .unwrap_or_else(|| panic!("indicator {code} is missing"))
}

fn check_fixture(imported: &ImportedIndicators) {
    let codes: Vec<&str> = imported
        .indicators
        .iter()
        .map(|i| i.code.as_str())
        .collect();
    assert_eq!(codes, ["1", "2", "3", "4", "5", "5.1", "5.2", "6"]);

    let plans = find(imported, "1");
    assert_eq!(plans.unit, "%");
    assert_eq!(plans.target_text, "100%");
    assert!(plans.target.goals()[0].percent);
    assert_eq!(
        (plans.baseline, plans.baseline_year),
        (Some(85.0), Some(2024))
    );
    assert_eq!(plans.target_year, Some(2026));
    assert_eq!(plans.tracking_agency.as_deref(), Some("BNG"));
    assert_eq!(plans.direction, Direction::HigherIsBetter);

    let channels = find(imported, "2");
    assert_eq!(channels.target.goals()[0].value, 9.0);
    assert_eq!(channels.tracking_agency.as_deref(), Some("VTV"));

    let reprinted = find(imported, "3");
    assert_eq!(reprinted.baseline, Some(0.5));
    assert_eq!(reprinted.target.goals()[0].comparison, Comparison::MoreThan);
    assert_eq!(reprinted.tracking_agency.as_deref(), Some("TTXVN"));

    let events = find(imported, "4");
    assert_eq!(events.target.goals()[0].comparison, Comparison::Between);

    let heading = find(imported, "5");
    assert!(heading.target_text.is_empty());
    assert_eq!(heading.parent, None);

    let soft_power = find(imported, "5.1");
    assert_eq!(soft_power.parent.as_deref(), Some("5"));
    assert_eq!(soft_power.direction, Direction::LowerIsBetter);
    assert_eq!(soft_power.source, "Global Soft Power Index (Brand Finance)");

    let brand = find(imported, "5.2");
    assert_eq!(brand.target.scopes(), ["Đông Nam Á", "Thế giới"]);
    assert_eq!(brand.direction, Direction::LowerIsBetter);
    assert_eq!(brand.tracking_agency.as_deref(), Some("BVHTTDL"));

    let image = find(imported, "6");
    assert!(matches!(image.target, Target::Qualitative(_)));
    assert_eq!(image.direction, Direction::Qualitative);
}

#[test]
fn markdown_appendix_imports_as_indicators() {
    let imported = import(&fixture("indicators.md"), "indicators.md").unwrap();
    assert_eq!(imported.format, Format::Markdown);
    check_fixture(&imported);
}

#[test]
fn csv_appendix_with_semicolons_imports_as_indicators() {
    let imported = import(&fixture("indicators.csv"), "indicators.csv").unwrap();
    assert_eq!(imported.format, Format::Csv);
    check_fixture(&imported);
}

#[test]
fn xlsx_appendix_with_numeric_cells_imports_as_indicators() {
    let imported = import(&xlsx_bytes(&fixture_rows()), "chi-tieu.xlsx").unwrap();
    assert_eq!(imported.format, Format::Xlsx);
    check_fixture(&imported);
}

#[test]
fn docx_appendix_imports_as_indicators() {
    let imported = import(&docx_bytes(&fixture_rows()), "chi-tieu.docx").unwrap();
    assert_eq!(imported.format, Format::Docx);
    check_fixture(&imported);
}

#[test]
fn every_format_gives_the_same_indicators() {
    let markdown = import(&fixture("indicators.md"), "indicators.md").unwrap();
    let rows = fixture_rows();
    for other in [
        import(&fixture("indicators.csv"), "indicators.csv").unwrap(),
        import(&xlsx_bytes(&rows), "chi-tieu.xlsx").unwrap(),
        import(&docx_bytes(&rows), "chi-tieu.docx").unwrap(),
    ] {
        assert_eq!(other.indicators, markdown.indicators, "{}", other.format);
    }
}

#[test]
fn a_target_year_in_the_header_is_every_rows_year() {
    let text = "| STT | Chỉ tiêu | Đơn vị | Chỉ tiêu đến năm 2030 |\n|---|---|---|---|\n\
                | 1 | Số kênh đối ngoại | kênh | ≥ 09 |\n";
    let imported = import(text.as_bytes(), "a.md").unwrap();
    assert_eq!(imported.indicators[0].target_year, Some(2030));
}

fn rows_with(change: impl Fn(&mut Vec<Vec<String>>)) -> Vec<u8> {
    let mut rows = fixture_rows();
    change(&mut rows);
    xlsx_bytes(&rows)
}

#[test]
fn a_target_that_does_not_parse_names_the_file_row_and_cell() {
    let bytes = rows_with(|rows| rows[4][5] = ">= abc".into());
    let error = import(&bytes, "chi-tieu.xlsx").unwrap_err();
    assert_eq!(
        error.to_string(),
        "chi-tieu.xlsx: row 5, column F «Kết quả / Mục tiêu»: the target «>= abc» cannot be \
         read: character 4: expected a number after «>=», found «abc»"
    );
}

#[test]
fn bad_cells_are_refused_with_their_place() {
    // (row index in the fixture, column index, new text, where the error points)
    let cases = [
        (5, 5, "40 - ", "row 6, column F «Kết quả / Mục tiêu»"),
        (4, 3, "bảy", "row 5, column D «Giá trị cơ sở»"),
        (
            4,
            7,
            "Bộ Không Tồn Tại",
            "row 5, column H «Cơ quan chủ trì theo dõi, đánh giá»",
        ),
        (5, 0, "1", "row 6, column A «STT»"),
        (9, 0, "7.1", "row 10, column A «STT»"),
        (4, 5, "", "row 5, column F «Kết quả / Mục tiêu»"),
        (4, 6, "sau này", "row 5, column G «Năm»"),
    ];
    for (row, column, text, location) in cases {
        let bytes = rows_with(|rows| rows[row][column] = text.to_owned());
        let error = import(&bytes, "chi-tieu.xlsx").unwrap_err();
        match &error {
            ImportError::Invalid {
                file, location: at, ..
            } => {
                assert_eq!(file, "chi-tieu.xlsx");
                assert_eq!(at, location, "{error}");
            }
            other => panic!("{other}"),
        }
    }
}

#[test]
fn a_file_without_an_indicator_table_says_what_it_expected() {
    let error = import(b"| A | B |\n|---|---|\n| 1 | 2 |\n", "x.md").unwrap_err();
    assert!(
        matches!(&error, ImportError::NoTable { message, .. } if message.contains("Chỉ tiêu")),
        "{error}"
    );
    let prose = import_indicators(
        b"Some prose.",
        "x.txt",
        Format::Auto,
        &common::directory(),
        None,
    )
    .unwrap_err();
    assert!(matches!(prose, ImportError::NoTable { .. }), "{prose}");
}

#[test]
fn importing_is_deterministic() {
    let a = import(&fixture("indicators.md"), "indicators.md").unwrap();
    let b = import(&fixture("indicators.md"), "indicators.md").unwrap();
    assert_eq!(a, b);
}

#[test]
fn html_appendix_imports_as_indicators() {
    let rows = fixture_rows();
    let mut html = String::from("<html><body><h1>Phụ lục II</h1><table>");
    for row in &rows[1..] {
        html.push_str("<tr>");
        for cell in row {
            let cell = cell
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            html.push_str(&format!("<td>{cell}</td>"));
        }
        html.push_str("</tr>");
    }
    html.push_str("</table></body></html>");
    let imported = import(html.as_bytes(), "chi-tieu.html").unwrap();
    assert_eq!(imported.format, Format::Html);
    check_fixture(&imported);
}

proptest::proptest! {
    #[test]
    fn importing_indicators_never_panics_on_table_like_text(
        cells in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("≥ 09".to_owned()),
                proptest::strategy::Just("40 -".to_owned()),
                proptest::strategy::Just("11.1".to_owned()),
                proptest::strategy::Just("Bộ Ngoại giao".to_owned()),
                proptest::strategy::Just("".to_owned()),
                "\\PC{0,8}",
            ],
            0..30,
        )
    ) {
        let mut text = String::from("STT,Chỉ tiêu,Đơn vị,Mục tiêu,Năm,Cơ quan chủ trì theo dõi\n");
        for row in cells.chunks(6) {
            text.push_str(&row.join(","));
            text.push('\n');
        }
        let _ = import(text.as_bytes(), "x.csv");
    }
}
