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
    assert_eq!(plans.targets[0].text, "100%");
    assert!(plans.targets[0].target.goals()[0].percent);
    assert_eq!(
        (plans.baseline, plans.baseline_year),
        (Some(85.0), Some(2024))
    );
    assert_eq!(plans.targets[0].year, Some(2026));
    assert_eq!(plans.tracking_agency.as_deref(), Some("BNG"));
    assert_eq!(plans.direction, Direction::HigherIsBetter);
    assert!(plans.direction_confirmed);

    let channels = find(imported, "2");
    assert_eq!(channels.targets[0].target.goals()[0].value, 9.0);
    assert_eq!(channels.tracking_agency.as_deref(), Some("VTV"));

    let reprinted = find(imported, "3");
    assert_eq!(reprinted.baseline, Some(0.5));
    assert_eq!(
        reprinted.targets[0].target.goals()[0].comparison,
        Comparison::MoreThan
    );
    assert_eq!(reprinted.tracking_agency.as_deref(), Some("TTXVN"));

    let events = find(imported, "4");
    assert_eq!(
        events.targets[0].target.goals()[0].comparison,
        Comparison::Between
    );

    let heading = find(imported, "5");
    assert!(heading.targets.is_empty());
    assert_eq!(heading.parent, None);

    let soft_power = find(imported, "5.1");
    assert_eq!(soft_power.parent.as_deref(), Some("5"));
    assert_eq!(soft_power.direction, Direction::LowerIsBetter);
    assert_eq!(soft_power.source, "Global Soft Power Index (Brand Finance)");

    let brand = find(imported, "5.2");
    assert_eq!(brand.scopes(), ["Đông Nam Á", "Thế giới"]);
    assert_eq!(brand.direction, Direction::LowerIsBetter);
    assert_eq!(brand.tracking_agency.as_deref(), Some("BVHTTDL"));

    let image = find(imported, "6");
    assert!(matches!(image.targets[0].target, Target::Qualitative(_)));
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
    assert_eq!(imported.indicators[0].targets[0].year, Some(2030));
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

/// Imports a Markdown table of "| STT | Chỉ tiêu | Đơn vị tính | Mục tiêu |" rows.
fn import_rows(rows: &str) -> Result<ImportedIndicators, ImportError> {
    let text = format!("| STT | Chỉ tiêu | Đơn vị tính | Mục tiêu |\n|---|---|---|---|\n{rows}");
    import(text.as_bytes(), "sections.md")
}

fn years(indicator: &Indicator) -> Vec<Option<i32>> {
    indicator.targets.iter().map(|t| t.year).collect()
}

#[test]
fn section_rows_set_the_target_year_of_the_rows_under_them() {
    let cases = [
        ("| I | Đến năm 2030 | | |", 2030),
        ("| II. | **Giai đoạn 2026–2030** | | |", 2030),
        ("| | Giai đoạn 2026 - 2030 | | |", 2030),
        ("| III | Tầm nhìn đến năm 2045 | | |", 2045),
        ("| A | Mục tiêu đến năm 2025 | | |", 2025),
        ("| I | Từ năm 2026 đến năm 2030 | | |", 2030),
        (
            "| I | Mục tiêu đến năm 2030, tầm nhìn đến năm 2045 | | |",
            2030,
        ),
    ];
    for (section, year) in cases {
        let imported = import_rows(&format!(
            "{section}\n| 1 | Tỷ lệ xã có điểm bưu điện | % | 100% |\n"
        ))
        .unwrap_or_else(|e| panic!("{section}: {e}"));
        assert_eq!(years(&imported.indicators[0]), [Some(year)], "{section}");
    }
    // A group title without a year keeps the section's year.
    let imported = import_rows(
        "| I | Đến năm 2030 | | |\n| A | Về kinh tế số | | |\n| 1 | Tỷ trọng kinh tế số | % GDP | 30 |\n",
    )
    .unwrap();
    assert_eq!(years(&imported.indicators[0]), [Some(2030)]);
}

#[test]
fn the_same_indicator_in_two_sections_is_one_indicator_with_a_target_for_each_year() {
    let imported = import_rows(
        "| I | Đến năm 2025 | | |\n\
         | 1 | Tỷ trọng kinh tế số | % GDP | 20 |\n\
         | 2 | Số doanh nghiệp công nghệ số | Doanh nghiệp | 100.000 |\n\
         | II | Đến năm 2030 | | |\n\
         | 1 | Tỷ trọng kinh tế số | % GDP | 30 |\n\
         | 2 | Chỉ số GII | Thứ bậc | Top 40 |\n\
         | III | Tầm nhìn đến năm 2045 | | |\n\
         | 1 | Tỷ trọng kinh tế số | % GDP | 50 |\n",
    )
    .unwrap();
    let codes: Vec<&str> = imported
        .indicators
        .iter()
        .map(|i| i.code.as_str())
        .collect();
    // The second section numbers from 1 again: its new indicator is told apart by section.
    assert_eq!(codes, ["1", "2", "II.2"]);
    let share = &imported.indicators[0];
    assert_eq!(years(share), [Some(2025), Some(2030), Some(2045)]);
    let texts: Vec<&str> = share.targets.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(texts, ["20", "30", "50"]);
    assert_eq!(share.unit, "% GDP");
    assert_eq!(years(&imported.indicators[2]), [Some(2030)]);

    // Twice in one section is a mistake, named with both rows.
    let error = import_rows(
        "| I | Đến năm 2030 | | |\n| 1 | Tỷ trọng kinh tế số | % GDP | 20 |\n\
         | 2 | Tỷ trọng kinh tế số | % GDP | 30 |\n",
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("already has a target for 2030 (at line 4)"),
        "{error}"
    );
    // The same name measured in another unit is not the same indicator.
    let error = import_rows(
        "| I | Đến năm 2025 | | |\n| 1 | Tỷ trọng kinh tế số | % GDP | 20 |\n\
         | II | Đến năm 2030 | | |\n| 1 | Tỷ trọng kinh tế số | % | 30 |\n",
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("«Đơn vị tính»") && error.to_string().contains("% GDP"),
        "{error}"
    );
}

#[test]
fn directions_come_from_units_and_targets_and_a_guess_is_marked_with_a_warning() {
    let imported = import_rows(
        "| 1 | Tỷ lệ cơ quan hoàn thành bố trí vị trí việc làm | % | 100% |\n\
         | 2 | Số tổ chức khoa học và công nghệ được xếp hạng khu vực và thế giới | Tổ chức | 40 - 50 |\n\
         | 3 | Số tổ chức được xếp hạng quốc tế | Tổ chức | 10 |\n\
         | 4 | Chỉ số Đổi mới sáng tạo toàn cầu | Thứ bậc | 40 |\n\
         | 5 | Chi cho nghiên cứu và phát triển | % GDP | 2 |\n\
         | 6 | Nhân lực nghiên cứu | Người/vạn dân | 12 |\n\
         | 7 | Nợ công | % GDP | không quá 60 |\n\
         | 8 | Thời gian xử lý hồ sơ | ngày | 5 |\n",
    )
    .unwrap();
    let direction = |code: &str| {
        let i = find(&imported, code);
        (i.direction, i.direction_confirmed)
    };
    assert_eq!(direction("1"), (Direction::HigherIsBetter, true));
    assert_eq!(direction("2"), (Direction::HigherIsBetter, true));
    assert_eq!(direction("3"), (Direction::HigherIsBetter, true));
    assert_eq!(direction("4"), (Direction::LowerIsBetter, true));
    assert_eq!(direction("5"), (Direction::HigherIsBetter, true));
    assert_eq!(direction("6"), (Direction::HigherIsBetter, true));
    assert_eq!(direction("7"), (Direction::LowerIsBetter, true));
    assert_eq!(direction("8"), (Direction::HigherIsBetter, false));
    // Units are kept as written.
    assert_eq!(find(&imported, "6").unit, "Người/vạn dân");
    assert_eq!(find(&imported, "3").unit, "Tổ chức");
    assert_eq!(imported.warnings.len(), 1, "{:?}", imported.warnings);
    assert!(
        imported.warnings[0].starts_with("line 10: indicator 8 «Thời gian xử lý hồ sơ»")
            && imported.warnings[0].contains("confirm"),
        "{:?}",
        imported.warnings
    );
}

#[test]
fn an_appendix_from_111_nq_cp_imports_with_its_years_directions_and_units() {
    let name = "indicators-111-nq-cp-2024.md";
    let imported = import(&fixture(name), name).unwrap();
    let codes: Vec<&str> = imported
        .indicators
        .iter()
        .map(|i| i.code.as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "1", "2", "3", "4", "5", "6", "7", "8", "II.2", "II.3", "II.4", "II.5", "II.6", "II.7",
            "II.8", "II.9", "II.10", "II.11", "II.12", "II.13"
        ]
    );
    // GDP per capita is in both sections: one indicator, a target for each year.
    let gdp = find(&imported, "1");
    assert_eq!(gdp.name, "GDP bình quân đầu người");
    assert_eq!(years(gdp), [Some(2025), Some(2030)]);
    assert_eq!(
        gdp.targets[0].target.goals()[0].comparison,
        Comparison::Between
    );
    assert_eq!(gdp.targets[1].target.goals()[0].value, 7500.0);
    assert_eq!(
        (gdp.direction, gdp.direction_confirmed),
        (Direction::HigherIsBetter, true)
    );
    for code in ["2", "3", "4", "5", "6", "8"] {
        assert_eq!(years(find(&imported, code)), [Some(2025)], "{code}");
    }
    for code in ["II.2", "II.9", "II.13"] {
        assert_eq!(years(find(&imported, code)), [Some(2030)], "{code}");
    }
    let expect = |code: &str, unit: &str, direction: Direction, confirmed: bool| {
        let i = find(&imported, code);
        assert_eq!(
            (i.unit.as_str(), i.direction, i.direction_confirmed),
            (unit, direction, confirmed),
            "{code} {}",
            i.name
        );
    };
    expect("2", "% GDP", Direction::HigherIsBetter, true);
    expect("4", "%/năm", Direction::HigherIsBetter, true);
    expect("7", "%", Direction::Qualitative, true);
    // Years of life: the unit does not say which way is better — a person confirms it.
    expect("8", "tuổi", Direction::HigherIsBetter, false);
    expect("II.4", "Thứ bậc", Direction::LowerIsBetter, true);
    expect("II.5", "%", Direction::LowerIsBetter, true);
    expect("II.8", "Sinh viên/vạn dân", Direction::HigherIsBetter, true);
    expect("II.9", "Thứ hạng", Direction::LowerIsBetter, true);
    expect("II.11", "% GDP", Direction::HigherIsBetter, true);
    let gii = find(&imported, "II.4");
    assert_eq!(
        gii.targets[0].target.goals()[0].comparison,
        Comparison::AtMost
    );
    assert_eq!(gii.targets[0].target.goals()[0].value, 40.0);
    assert_eq!(imported.warnings.len(), 1, "{:?}", imported.warnings);
    assert!(
        imported.warnings[0].contains("Tuổi thọ"),
        "{:?}",
        imported.warnings
    );
}
