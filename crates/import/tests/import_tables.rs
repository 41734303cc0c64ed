//! Task tables in Markdown, HTML, CSV, XLSX and DOCX, with Vietnamese headers: agency names
//! that contain commas stay whole, Roman and Arabic group rows (bold or not) become groups, and
//! tasks numbered "1", "2" under a Roman group get the group's number in front.

mod common;

use chrono::NaiveDate;
use common::{directory, group_sizes, task};
use dongbo_domain::DocumentKind;
use dongbo_import::{Format, Imported, import};

fn import_as(bytes: &[u8], file: &str) -> Imported {
    import(bytes, file, Format::Auto, &directory())
        .unwrap_or_else(|e| panic!("{file} imports: {e}"))
}

fn sizes(pairs: &[(&str, usize)]) -> Vec<(String, usize)> {
    pairs.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect()
}

const MARKDOWN: &str = "\
# Kế hoạch 12/KH-UBND

- Ngày ban hành: 03/11/2023
- Cơ quan ban hành: Ủy ban nhân dân tỉnh Hà Tĩnh
- Trích yếu: Triển khai công tác thông tin đối ngoại năm 2024

| TT | Nội dung | Đơn vị chủ trì | Đơn vị phối hợp | Sản phẩm | Thời hạn |
|:--:|---|---|---|---|---|
| **I** | **Tuyên truyền** | | | | |
| 1 | Quán triệt Nghị quyết | Sở Thông tin và Truyền thông | Bộ Văn hóa, Thể thao và Du lịch | Hội nghị | Quý II/2024 |
| 2 | Xuất bản ấn phẩm \\| song ngữ | Sở Ngoại vụ | | Ấn phẩm | 2024 |
| II. | Hợp tác quốc tế | | | | |
| 1 | Đón đoàn vào | Sở Ngoại vụ | Bộ Văn hóa, Thể thao và Du lịch, các sở, ngành | | Hằng năm |
| 2.2 | Tổ chức đoàn ra | Sở Ngoại vụ | | | Thường xuyên |
";

#[test]
fn markdown_table_with_roman_groups_numbers_tasks_under_the_group() {
    let imported = import_as(MARKDOWN.as_bytes(), "ke-hoach.md");
    assert_eq!(imported.format, Format::Markdown);
    assert_eq!(group_sizes(&imported), sizes(&[("I", 2), ("II", 2)]));
    assert_eq!(imported.program.groups[0].title, "Tuyên truyền");
    let codes: Vec<&str> = imported
        .program
        .tasks
        .iter()
        .map(|t| t.code.as_str())
        .collect();
    assert_eq!(codes, ["1.1", "1.2", "2.1", "2.2"]);
    assert_eq!(task(&imported, "2.2").group, "II");
}

#[test]
fn markdown_keeps_a_comma_inside_a_ministry_name_and_an_escaped_pipe() {
    let imported = import_as(MARKDOWN.as_bytes(), "ke-hoach.md");
    let first = task(&imported, "1.1");
    assert_eq!(first.coordinating.text, "Bộ Văn hóa, Thể thao và Du lịch");
    assert_eq!(first.expected_output.as_deref(), Some("Hội nghị"));
    assert_eq!(first.time_frame.text, "Quý II/2024");
    assert_eq!(task(&imported, "1.2").title, "Xuất bản ấn phẩm | song ngữ");
    assert_eq!(
        task(&imported, "2.1").coordinating.text,
        "Bộ Văn hóa, Thể thao và Du lịch, các sở, ngành"
    );
}

#[test]
fn markdown_metadata_lines_before_the_table_are_read() {
    let document = import_as(MARKDOWN.as_bytes(), "ke-hoach.md")
        .program
        .document;
    assert_eq!(document.number.as_deref(), Some("12/KH-UBND"));
    assert_eq!(document.kind, DocumentKind::Plan);
    assert_eq!(document.issued_on, NaiveDate::from_ymd_opt(2023, 11, 3));
    assert_eq!(
        document.title,
        "Triển khai công tác thông tin đối ngoại năm 2024"
    );
    assert_eq!(
        document.issuer_text.as_deref(),
        Some("Ủy ban nhân dân tỉnh Hà Tĩnh")
    );
}

const HTML: &str = r#"<!doctype html>
<html><head><title>Kế hoạch</title></head><body>
<h1>KẾ HOẠCH</h1>
<p>Số: 5/KH-BVHTTDL</p>
<p>Hà Nội, ngày 2 tháng 1 năm 2025</p>
<table>
  <thead><tr><th>STT</th><th>Tên nhiệm vụ</th><th>Cơ quan chủ trì</th><th>Cơ quan phối hợp</th><th>Thời gian thực hiện</th></tr></thead>
  <tbody>
    <tr><td><b>1</b></td><td colspan="4"><strong>Thông tin đối ngoại</strong></td></tr>
    <tr><td>1.1</td><td>Xây dựng cơ sở dữ liệu</td><td>Cục Hợp tác quốc tế</td><td>Bộ Văn hóa,<br> Thể thao và Du lịch</td><td>2025</td></tr>
    <tr><td>1.2</td><td>Tổ chức tuần văn hóa</td><td rowspan="2">Cục Hợp tác quốc tế</td><td></td><td>Hằng năm</td></tr>
    <tr><td>1.3</td><td>Quảng bá du lịch</td><td>Các địa phương</td><td>2025 - 2026</td></tr>
    <tr><td>2</td><td>Hội nhập quốc tế</td><td></td><td></td><td></td></tr>
    <tr><td>2.1</td><td>Rà soát điều ước quốc tế</td><td>Vụ Pháp chế</td><td></td><td>Quý IV/2025</td></tr>
  </tbody>
</table>
</body></html>"#;

#[test]
fn html_table_with_bold_and_plain_arabic_groups_and_spanning_cells() {
    let imported = import_as(HTML.as_bytes(), "ke-hoach.html");
    assert_eq!(imported.format, Format::Html);
    assert_eq!(group_sizes(&imported), sizes(&[("1", 3), ("2", 1)]));
    assert_eq!(imported.program.groups[0].title, "Thông tin đối ngoại");
    assert_eq!(
        task(&imported, "1.1").coordinating.text,
        "Bộ Văn hóa, Thể thao và Du lịch"
    );
    // A cell spanning two rows is the lead of both.
    assert_eq!(task(&imported, "1.3").lead.text, "Cục Hợp tác quốc tế");
    assert_eq!(task(&imported, "1.3").coordinating.text, "Các địa phương");
    assert_eq!(task(&imported, "2.1").time_frame.text, "Quý IV/2025");
    let document = &imported.program.document;
    assert_eq!(document.number.as_deref(), Some("5/KH-BVHTTDL"));
    assert_eq!(document.kind, DocumentKind::Plan);
    assert_eq!(document.issued_on, NaiveDate::from_ymd_opt(2025, 1, 2));
}

const CSV: &str = "\
Số;47/NQ-CP
Ngày ban hành;15/04/2024

STT;Tên nhiệm vụ;Cơ quan chủ trì;Cơ quan phối hợp;Thời gian thực hiện
I;Quán triệt Nghị quyết;;;
1;Phổ biến nội dung Nghị quyết;Các bộ, ngành, địa phương;;2024
2;\"Tuyên truyền; bồi dưỡng\";Bộ Thông tin và Truyền thông;\"Bộ Văn hóa, Thể thao và Du lịch\";Hằng năm
II;Hoàn thiện cơ chế;;;
2.1;Tổng kết Nghị định 72/2015/NĐ-CP;Bộ Thông tin và Truyền thông;Các bộ, ngành, địa phương;2024
";

#[test]
fn csv_with_semicolons_keeps_commas_inside_cells_and_reads_metadata_rows() {
    let imported = import_as(CSV.as_bytes(), "47.csv");
    assert_eq!(imported.format, Format::Csv);
    assert_eq!(group_sizes(&imported), sizes(&[("I", 2), ("II", 1)]));
    assert_eq!(
        task(&imported, "1.1").lead.text,
        "Các bộ, ngành, địa phương"
    );
    assert_eq!(task(&imported, "1.2").title, "Tuyên truyền; bồi dưỡng");
    assert_eq!(
        task(&imported, "1.2").coordinating.text,
        "Bộ Văn hóa, Thể thao và Du lịch"
    );
    assert_eq!(task(&imported, "2.1").time_frame.text, "2024");
    let document = &imported.program.document;
    assert_eq!(document.number.as_deref(), Some("47/NQ-CP"));
    assert_eq!(document.kind, DocumentKind::Resolution);
    assert_eq!(document.issued_on, NaiveDate::from_ymd_opt(2024, 4, 15));
}

#[test]
fn csv_with_commas_and_a_byte_order_mark_is_read() {
    let text = "\u{feff}TT,Nhiệm vụ,Cơ quan chủ trì,Thời hạn\r\n1,Nhóm một,,\r\n1.1,Việc một,\"Bộ Văn hóa, Thể thao và Du lịch\",2025\r\n";
    let imported = import_as(text.as_bytes(), "plan.csv");
    assert_eq!(group_sizes(&imported), sizes(&[("1", 1)]));
    assert_eq!(
        task(&imported, "1.1").lead.text,
        "Bộ Văn hóa, Thể thao và Du lịch"
    );
    assert_eq!(task(&imported, "1.1").source.as_deref(), Some("row 3"));
}

#[test]
fn xlsx_written_by_rust_xlsxwriter_is_read_back_with_bold_groups_and_numeric_codes() {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ke-hoach.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let bold = CellFormat::new().set_bold();
    sheet.write_string(0, 1, "Số: 3/KH-BNG").unwrap();
    let header = [
        "STT",
        "Tên đề án/nhiệm vụ",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Kết quả, sản phẩm",
        "Tiến độ",
    ];
    for (column, text) in header.iter().enumerate() {
        sheet
            .write_string_with_format(2, column as u16 + 1, *text, &bold)
            .unwrap();
    }
    // Group 1: bold, numbered in Arabic, code stored as a number.
    sheet.write_number_with_format(3, 1, 1.0, &bold).unwrap();
    sheet
        .write_string_with_format(3, 2, "Ngoại giao văn hóa", &bold)
        .unwrap();
    for n in 1..=10u32 {
        let row = 3 + n;
        // 1.1 … 1.9, then 1.10 — which a number cell holds as 1.1.
        sheet
            .write_number(row, 1, format!("1.{n}").parse::<f64>().unwrap())
            .unwrap();
        sheet.write_string(row, 2, format!("Nhiệm vụ {n}")).unwrap();
        sheet.write_string(row, 3, "Bộ Ngoại giao").unwrap();
        sheet
            .write_string(row, 4, "Bộ Văn hóa, Thể thao và Du lịch")
            .unwrap();
        sheet.write_number(row, 6, 2025.0).unwrap();
    }
    workbook.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();

    let imported = import_as(&bytes, "ke-hoach.xlsx");
    assert_eq!(imported.format, Format::Xlsx);
    assert_eq!(group_sizes(&imported), sizes(&[("1", 10)]));
    let last = imported.program.tasks.last().unwrap();
    assert_eq!(last.code, "1.10");
    assert_eq!(last.title, "Nhiệm vụ 10");
    assert_eq!(last.coordinating.text, "Bộ Văn hóa, Thể thao và Du lịch");
    assert_eq!(last.time_frame.text, "2025");
    assert_eq!(last.source.as_deref(), Some("row 14"));
    assert_eq!(
        imported.program.document.number.as_deref(),
        Some("3/KH-BNG")
    );
}

fn docx_bytes() -> Vec<u8> {
    use docx_rs::{Docx, Paragraph, Run, Table, TableCell, TableRow};

    let text_cell = |text: &str| {
        TableCell::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text(text)))
    };
    let bold_cell = |text: &str| {
        TableCell::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text(text).bold()))
    };
    let header = TableRow::new(
        [
            "STT",
            "Tên nhiệm vụ",
            "Cơ quan chủ trì",
            "Cơ quan phối hợp",
            "Thời gian hoàn thành",
        ]
        .into_iter()
        .map(bold_cell)
        .collect(),
    );
    let group = |code: &str, title: &str| {
        TableRow::new(vec![bold_cell(code), bold_cell(title).grid_span(4)])
    };
    let task = |cells: [&str; 5]| TableRow::new(cells.into_iter().map(text_cell).collect());
    let table = Table::new(vec![
        header,
        group("I", "Nhiệm vụ chung"),
        task([
            "1",
            "Xây dựng kế hoạch",
            "Sở Ngoại vụ",
            "Bộ Văn hóa, Thể thao và Du lịch",
            "Quý I/2025",
        ]),
        task(["2", "Báo cáo sơ kết", "Sở Ngoại vụ", "", "Tháng 12/2025"]),
        group("II", "Nhiệm vụ cụ thể"),
        task(["1", "Đón đoàn", "Sở Ngoại vụ", "Các sở, ngành", "Hằng năm"]),
    ]);
    let mut buffer = std::io::Cursor::new(Vec::new());
    Docx::new()
        .add_paragraph(
            Paragraph::new().add_run(Run::new().add_text("ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH")),
        )
        .add_paragraph(
            Paragraph::new().add_run(Run::new().add_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
        )
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("Số: 88/KH-UBND")))
        .add_paragraph(
            Paragraph::new().add_run(Run::new().add_text("Hà Tĩnh, ngày 20 tháng 3 năm 2025")),
        )
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("KẾ HOẠCH").bold()))
        .add_paragraph(
            Paragraph::new().add_run(Run::new().add_text("Công tác đối ngoại nhân dân năm 2025")),
        )
        .add_table(table)
        .build()
        .pack(&mut buffer)
        .unwrap();
    buffer.into_inner()
}

#[test]
fn docx_table_with_merged_bold_group_rows_and_a_decree_30_header() {
    let imported = import_as(&docx_bytes(), "ke-hoach.docx");
    assert_eq!(imported.format, Format::Docx);
    assert_eq!(group_sizes(&imported), sizes(&[("I", 2), ("II", 1)]));
    let codes: Vec<&str> = imported
        .program
        .tasks
        .iter()
        .map(|t| t.code.as_str())
        .collect();
    assert_eq!(codes, ["1.1", "1.2", "2.1"]);
    assert_eq!(
        task(&imported, "1.1").coordinating.text,
        "Bộ Văn hóa, Thể thao và Du lịch"
    );
    assert_eq!(task(&imported, "1.2").coordinating.text, "");
    assert_eq!(task(&imported, "1.2").time_frame.text, "Tháng 12/2025");
    let document = &imported.program.document;
    assert_eq!(document.number.as_deref(), Some("88/KH-UBND"));
    assert_eq!(document.kind, DocumentKind::Plan);
    assert_eq!(document.issued_on, NaiveDate::from_ymd_opt(2025, 3, 20));
    assert_eq!(document.title, "Công tác đối ngoại nhân dân năm 2025");
    assert_eq!(
        document.issuer_text.as_deref(),
        Some("ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH")
    );
}

#[test]
fn a_text_file_with_a_pipe_table_is_read_as_markdown() {
    let imported = import_as(MARKDOWN.as_bytes(), "ke-hoach.txt");
    assert_eq!(imported.format, Format::Markdown);
    assert_eq!(imported.program.tasks.len(), 4);
}

#[test]
fn a_table_without_groups_invents_no_group() {
    let text = "STT,Nhiệm vụ,Chủ trì,Thời hạn\n1,Việc một,Bộ Ngoại giao,2025\n2,Việc hai,Bộ Ngoại giao,2026\n";
    let imported = import_as(text.as_bytes(), "flat.csv");
    assert!(imported.program.groups.is_empty());
    let codes: Vec<(&str, &str)> = imported
        .program
        .tasks
        .iter()
        .map(|t| (t.code.as_str(), t.group.as_str()))
        .collect();
    assert_eq!(codes, [("1", ""), ("2", "")]);
    assert!(
        !imported
            .program
            .warnings
            .iter()
            .any(|w| w.contains("group"))
    );
}
