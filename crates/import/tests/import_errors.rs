//! Bad input gives an error that names the file and the place, and what is wrong.

mod common;

use common::{directory, seed};
use dongbo_import::{Format, ImportError, import};

fn error(bytes: &[u8], file: &str, format: Format) -> ImportError {
    match import(bytes, file, format, &directory()) {
        Ok(imported) => panic!("{file} imported: {:?}", imported.program.tasks),
        Err(error) => error,
    }
}

#[test]
fn a_csv_task_row_without_a_title_names_the_row_and_the_column() {
    let text = "STT,Tên nhiệm vụ,Cơ quan chủ trì,Cơ quan phối hợp,Thời gian thực hiện\n\
                1,Nhóm một,,,\n\
                1.1,Việc một,Bộ Ngoại giao,,2025\n\
                1.2,,Bộ Ngoại giao,,2025\n";
    let message = error(text.as_bytes(), "plan.csv", Format::Auto).to_string();
    assert_eq!(
        message,
        "plan.csv: row 4, column B «Tên nhiệm vụ»: task 1.2 has no title"
    );
}

#[test]
fn a_duplicate_task_code_names_both_rows() {
    let text = "STT,Tên nhiệm vụ,Cơ quan chủ trì,Thời gian thực hiện\n1,Nhóm,,\n1.1,Một,Bộ Ngoại giao,2025\n1.1,Hai,Bộ Ngoại giao,2025\n";
    let message = error(text.as_bytes(), "plan.csv", Format::Csv).to_string();
    assert_eq!(
        message,
        "plan.csv: row 4, column A «STT»: duplicate task code 1.1 (first used at row 3)"
    );
}

#[test]
fn a_task_code_whose_group_does_not_exist_is_refused() {
    let text = "| STT | Tên nhiệm vụ | Cơ quan chủ trì | Thời hạn |\n|---|---|---|---|\n| 1 | Nhóm | | |\n| 7.1 | Việc | Bộ Ngoại giao | 2025 |\n";
    let message = error(text.as_bytes(), "plan.md", Format::Auto).to_string();
    assert_eq!(
        message,
        "plan.md: line 4, column 1 «STT»: task code 7.1: its group 7 does not exist"
    );
}

#[test]
fn a_table_without_a_recognisable_header_is_refused() {
    let text = "Mã,Việc,Ai\n1,Một,Bộ Ngoại giao\n";
    let error = error(text.as_bytes(), "plan.csv", Format::Csv);
    assert!(matches!(error, ImportError::NoTable { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("plan.csv: no table with a recognisable header row")
    );
}

#[test]
fn a_truncated_xlsx_is_not_a_valid_file() {
    let bytes = dongbo_import::export(
        &import(&seed(common::SEED_47), "47.txt", Format::Auto, &directory())
            .unwrap()
            .program,
        dongbo_import::ExportFormat::Xlsx,
    )
    .unwrap();
    let error = error(&bytes[..bytes.len() / 2], "47.xlsx", Format::Auto);
    assert!(
        matches!(&error, ImportError::InvalidFile { file, format: "XLSX", .. } if file == "47.xlsx"),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("47.xlsx: not a valid XLSX file: ")
    );
}

#[test]
fn a_truncated_docx_is_not_a_valid_file() {
    let mut buffer = std::io::Cursor::new(Vec::new());
    docx_rs::Docx::new()
        .add_paragraph(docx_rs::Paragraph::new().add_run(docx_rs::Run::new().add_text("Số: 1/KH")))
        .build()
        .pack(&mut buffer)
        .unwrap();
    let bytes = buffer.into_inner();
    let error = error(&bytes[..bytes.len() - 40], "plan.docx", Format::Auto);
    assert!(
        matches!(&error, ImportError::InvalidFile { format: "DOCX", .. }),
        "{error:?}"
    );
}

#[test]
fn a_docx_without_a_task_table_says_so() {
    let mut buffer = std::io::Cursor::new(Vec::new());
    docx_rs::Docx::new()
        .add_paragraph(docx_rs::Paragraph::new().add_run(docx_rs::Run::new().add_text("Số: 1/KH")))
        .build()
        .pack(&mut buffer)
        .unwrap();
    let error = error(&buffer.into_inner(), "plan.docx", Format::Docx);
    assert!(matches!(error, ImportError::NoTable { .. }), "{error:?}");
}

#[test]
fn text_that_is_not_utf8_names_the_line() {
    // "Hà Nội" in Windows-1258 is not UTF-8.
    let bytes = b"STT\nT\xean nhi\xeam v\xf5\n";
    let message = error(bytes, "plan.txt", Format::Auto).to_string();
    assert_eq!(
        message,
        "plan.txt: line 2: the text is not UTF-8 (invalid byte at offset 5); save the file as UTF-8"
    );
}

#[test]
fn flat_text_without_an_appendix_table_says_what_it_expected() {
    let error = error("Chỉ một dòng.".as_bytes(), "x.txt", Format::FlatText);
    assert!(error.to_string().contains("«PHỤ LỤC»"), "{error}");
}

#[test]
fn an_old_binary_excel_file_is_told_to_be_saved_as_xlsx() {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(512, 0);
    let message = error(&bytes, "ke-hoach.xls", Format::Auto).to_string();
    assert!(
        message.starts_with(
            "ke-hoach.xls: not a valid XLSX or DOCX file: this is an old binary Excel (.xls)"
        ),
        "{message}"
    );
}

#[test]
fn unknown_format_names_are_refused() {
    assert!("pdf".parse::<Format>().is_err());
    assert_eq!("md".parse::<Format>().unwrap(), Format::Markdown);
    assert_eq!("text".parse::<Format>().unwrap(), Format::FlatText);
    assert_eq!(Format::FlatText.to_string(), "text");
}

#[test]
fn a_markdown_row_with_a_cell_more_than_its_header_names_the_line() {
    // pulldown-cmark, following GitHub, drops the cells past the header without a word: the
    // agency «Bộ Ngoại giao» would be lost from task 1.2.
    let text = "| STT | Tên nhiệm vụ | Cơ quan chủ trì | Thời gian thực hiện |\n\
                |---|---|---|---|\n\
                | 1 | Nhóm một | | |\n\
                | 1.1 | Việc một | Bộ Ngoại giao | 2025 |\n\
                | 1.2 | Việc hai | Bộ Tư pháp | 2025 | Bộ Ngoại giao |\n";
    let message = error(text.as_bytes(), "plan.md", Format::Auto).to_string();
    assert!(
        message.starts_with("plan.md: line 5: the row has 5 cells but the header has 4"),
        "{message}"
    );
}

#[test]
fn a_markdown_row_with_fewer_cells_than_its_header_is_read_with_empty_cells() {
    // As GitHub shows it, and as `export` writes group rows.
    let text = "| STT | Tên nhiệm vụ | Cơ quan chủ trì | Thời gian thực hiện |\n\
                |---|---|---|---|\n\
                | **1** | **Nhóm một** |\n\
                | 1.1 | Việc một \\| phần hai | Bộ Ngoại giao | 2025 |\n";
    let imported = import(text.as_bytes(), "plan.md", Format::Auto, &directory()).unwrap();
    assert_eq!(imported.program.groups.len(), 1);
    assert_eq!(imported.program.tasks[0].title, "Việc một | phần hai");
}
