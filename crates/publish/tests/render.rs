//! Publishing a realistic report in every format and reading each one back: the DOCX's
//! structure (Decree 30 layout), the XLSX's cell types, the PDF's pages and text, LibreOffice
//! opening the DOCX, and snapshots of the text.

mod common;

use std::process::Command;

use calamine::{Data, Reader, Xlsx};
use common::{AGENCIES, TITLE, report};
use dongbo_publish::{
    Authority, Cell, MOTTO, NATIONAL_TITLE, PublishError, Signature, docx, pdf, plain_text, xlsx,
};
use dongbo_testkit::documents::{docx_text, is_w, pdf_pages, w_attr, w_text, zip_entry};

fn document_xml(document: &dongbo_publish::OfficialDocument) -> String {
    let bytes = docx::render(document).expect("the DOCX renders");
    zip_entry(&bytes, "word/document.xml")
}

#[test]
fn docx_pages_are_a4_with_the_decree_30_margins() {
    let xml = document_xml(&report());
    let parsed = roxmltree::Document::parse(&xml).unwrap();
    let sections: Vec<_> = parsed
        .descendants()
        .filter(|n| is_w(*n, "sectPr"))
        .collect();
    // The document and its two annexes.
    assert_eq!(sections.len(), 3);
    for (index, section) in sections.iter().enumerate() {
        let size = section.children().find(|n| is_w(*n, "pgSz")).unwrap();
        let (width, height) = (w_attr(size, "w").unwrap(), w_attr(size, "h").unwrap());
        // The main part is portrait; the second annex's wide task table turns its pages.
        if index == 2 {
            assert_eq!((width, height), ("16838", "11906"));
            assert_eq!(w_attr(size, "orient"), Some("landscape"));
        } else {
            assert_eq!((width, height), ("11906", "16838"), "section {index}");
        }
        let margin = section.children().find(|n| is_w(*n, "pgMar")).unwrap();
        let twips = |side| w_attr(margin, side).unwrap().parse::<i32>().unwrap();
        // 20 mm, 20 mm, 30 mm, 15 mm (1 mm = 56.7 twips).
        assert_eq!(twips("top"), 1134);
        assert_eq!(twips("bottom"), 1134);
        assert_eq!(twips("left"), 1701);
        assert_eq!(twips("right"), 850);
    }
}

#[test]
fn docx_writes_every_run_in_times_new_roman() {
    let bytes = docx::render(&report()).unwrap();
    let xml = zip_entry(&bytes, "word/document.xml");
    let parsed = roxmltree::Document::parse(&xml).unwrap();
    let runs: Vec<_> = parsed.descendants().filter(|n| is_w(*n, "r")).collect();
    assert!(runs.len() > 500, "{} runs", runs.len());
    for run in runs.iter().filter(|run| !w_text(**run).is_empty()) {
        let fonts = run
            .descendants()
            .find(|n| is_w(*n, "rFonts"))
            .unwrap_or_else(|| panic!("run {:?} has no fonts", w_text(*run)));
        for slot in ["ascii", "hAnsi", "cs", "eastAsia"] {
            assert_eq!(w_attr(fonts, slot), Some("Times New Roman"), "{slot}");
        }
    }
    let styles = zip_entry(&bytes, "word/styles.xml");
    assert!(styles.contains(r#"w:ascii="Times New Roman""#), "{styles}");
    // The font table gives the PDF's embedded font as Times New Roman's alternative.
    let table = zip_entry(&bytes, "word/fontTable.xml");
    let parsed = roxmltree::Document::parse(&table).unwrap();
    let times = parsed
        .descendants()
        .find(|n| is_w(*n, "font") && w_attr(*n, "name") == Some("Times New Roman"))
        .expect("Times New Roman in the font table");
    let first = times.children().find(|n| n.is_element()).expect("a child");
    assert!(is_w(first, "altName"), "altName comes first: {table}");
    assert_eq!(w_attr(first, "val"), Some("Liberation Serif"));
}

/// The rows of the document's `index`-th table (in body order), each row's cells with their
/// paragraphs' texts.
fn table_rows(xml: &str, index: usize) -> Vec<Vec<Vec<String>>> {
    let parsed = roxmltree::Document::parse(xml).unwrap();
    let table = parsed
        .descendants()
        .filter(|n| is_w(*n, "tbl"))
        .nth(index)
        .expect("the table");
    table
        .children()
        .filter(|n| is_w(*n, "tr"))
        .map(|row| {
            row.children()
                .filter(|n| is_w(*n, "tc"))
                .map(|cell| {
                    cell.children()
                        .filter(|n| is_w(*n, "p"))
                        .map(w_text)
                        .filter(|text| !text.is_empty())
                        .collect()
                })
                .collect()
        })
        .collect()
}

#[test]
fn docx_header_block_holds_the_issuer_and_number_left_and_the_national_title_right() {
    let xml = document_xml(&report());
    let rows = table_rows(&xml, 0);
    assert_eq!(rows.len(), 1);
    let [left, right] = rows[0].as_slice() else {
        panic!("two columns: {rows:?}")
    };
    assert_eq!(
        left,
        &["BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "Số: 125/BC-BVHTTDL"]
    );
    assert_eq!(
        right,
        &[NATIONAL_TITLE, MOTTO, "Hà Nội, ngày 05 tháng 12 năm 2026"]
    );
    // The header block has no borders.
    let parsed = roxmltree::Document::parse(&xml).unwrap();
    let header = parsed.descendants().find(|n| is_w(*n, "tbl")).unwrap();
    let borders = header
        .descendants()
        .find(|n| is_w(*n, "tblBorders"))
        .unwrap();
    for border in borders.children().filter(|n| n.is_element()) {
        assert!(
            matches!(w_attr(border, "val"), Some("nil" | "none")),
            "{:?}",
            border.tag_name()
        );
    }
}

#[test]
fn docx_header_block_shows_the_superior_agency_above_the_issuer() {
    let mut document = report();
    document.issuer.superior = Some("Ủy ban nhân dân tỉnh Lào Cai".to_owned());
    document.issuer.name = "Sở Văn hóa, Thể thao và Du lịch".to_owned();
    let rows = table_rows(&document_xml(&document), 0);
    assert_eq!(
        rows[0][0],
        [
            "ỦY BAN NHÂN DÂN TỈNH LÀO CAI",
            "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
            "Số: 125/BC-BVHTTDL"
        ]
    );
}

/// The runs whose text is `text`, with their properties.
fn run_properties<'a>(
    parsed: &'a roxmltree::Document<'a>,
    text: &str,
) -> Vec<roxmltree::Node<'a, 'a>> {
    parsed
        .descendants()
        .filter(|n| is_w(*n, "r") && w_text(*n) == text)
        .filter_map(|run| run.children().find(|n| is_w(*n, "rPr")))
        .collect()
}

fn has(properties: roxmltree::Node, name: &str) -> bool {
    properties.children().any(|n| is_w(n, name))
}

fn size<'a>(properties: roxmltree::Node<'a, '_>) -> Option<&'a str> {
    properties
        .children()
        .find(|n| is_w(*n, "sz"))
        .and_then(|n| w_attr(n, "val"))
}

#[test]
fn docx_styles_the_header_block_kind_and_title_as_the_decree_sets() {
    let xml = document_xml(&report());
    let parsed = roxmltree::Document::parse(&xml).unwrap();
    let one = |text: &str| {
        let found = run_properties(&parsed, text);
        assert_eq!(found.len(), 1, "{text}");
        found[0]
    };
    let issuer = one("BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH");
    assert!(has(issuer, "b"));
    assert_eq!(size(issuer), Some("26"));
    let title = one(NATIONAL_TITLE);
    assert!(has(title, "b"));
    assert_eq!(size(title), Some("26"));
    let motto = one(MOTTO);
    assert!(has(motto, "b"));
    assert_eq!(size(motto), Some("28"));
    let date = one("Hà Nội, ngày 05 tháng 12 năm 2026");
    assert!(has(date, "i") && !has(date, "b"));
    let kind = one("BÁO CÁO");
    assert!(has(kind, "b"));
    assert!(has(one(TITLE), "b"));
    let label = one("Nơi nhận:");
    assert!(has(label, "b") && has(label, "i"));
    assert_eq!(size(label), Some("24"));
    assert_eq!(size(one("- Lưu: VT, HTQT.")), Some("22"));

    // The kind and the title are centred.
    let kind_paragraph = parsed
        .descendants()
        .find(|n| is_w(*n, "p") && w_text(*n) == "BÁO CÁO")
        .unwrap();
    let jc = kind_paragraph
        .descendants()
        .find(|n| is_w(*n, "jc"))
        .unwrap();
    assert_eq!(w_attr(jc, "val"), Some("center"));

    // Body paragraphs are justified with a first-line indent.
    let body = parsed
        .descendants()
        .find(|n| is_w(*n, "p") && w_text(*n).starts_with("Việc tổng hợp, báo cáo định kỳ"))
        .unwrap();
    let jc = body.descendants().find(|n| is_w(*n, "jc")).unwrap();
    assert_eq!(w_attr(jc, "val"), Some("both"));
    let indent = body.descendants().find(|n| is_w(*n, "ind")).unwrap();
    assert_eq!(w_attr(indent, "firstLine"), Some("720"));
}

#[test]
fn docx_closes_with_the_recipients_left_and_the_signature_right() {
    let xml = document_xml(&report());
    // Tables in body order: header block, the body's table, the closing block, the annexes'.
    let rows = table_rows(&xml, 2);
    let [left, right] = rows[0].as_slice() else {
        panic!("two columns: {rows:?}")
    };
    assert_eq!(
        left,
        &[
            "Nơi nhận:",
            "- Thủ tướng Chính phủ (để b/c);",
            "- Các Phó Thủ tướng Chính phủ (để b/c);",
            "- Văn phòng Chính phủ;",
            "- Các bộ, cơ quan ngang bộ;",
            "- Bộ trưởng (để b/c);",
            "- Lưu: VT, HTQT.",
        ]
    );
    assert_eq!(right, &["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Nguyễn Văn Hùng"]);
}

#[test]
fn docx_signature_block_follows_each_authority() {
    let cases = [
        (None, "", "Bộ trưởng", vec!["BỘ TRƯỞNG"]),
        (
            Some(Authority::Tm),
            "Ủy ban nhân dân",
            "Chủ tịch",
            vec!["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
        ),
        (
            Some(Authority::Kt),
            "Bộ trưởng",
            "Thứ trưởng",
            vec!["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"],
        ),
        (
            Some(Authority::Tl),
            "Bộ trưởng",
            "Chánh Văn phòng",
            vec!["TL. BỘ TRƯỞNG", "CHÁNH VĂN PHÒNG"],
        ),
        (
            Some(Authority::Q),
            "Bộ trưởng",
            "Thứ trưởng",
            vec!["Q. BỘ TRƯỞNG"],
        ),
        (
            Some(Authority::Tuq),
            "Bộ trưởng",
            "Vụ trưởng Vụ Hợp tác quốc tế",
            vec!["TUQ. BỘ TRƯỞNG", "VỤ TRƯỞNG VỤ HỢP TÁC QUỐC TẾ"],
        ),
    ];
    for (authority, on_behalf_of, position, expected) in cases {
        let mut document = report();
        document.signature = Signature {
            authority,
            on_behalf_of: on_behalf_of.to_owned(),
            position: position.to_owned(),
            name: "Trần Thị Mai".to_owned(),
        };
        let xml = document_xml(&document);
        let rows = table_rows(&xml, 2);
        let mut lines = expected.clone();
        lines.push("Trần Thị Mai");
        assert_eq!(rows[0][1], lines, "{authority:?}");
        // Authority and position lines are bold capitals; so is the name.
        let parsed = roxmltree::Document::parse(&xml).unwrap();
        for line in lines {
            let runs = run_properties(&parsed, line);
            assert!(
                !runs.is_empty() && runs.iter().all(|r| has(*r, "b")),
                "{line}"
            );
        }
    }
}

#[test]
fn docx_annex_tables_hold_every_row_with_a_repeated_bold_header() {
    let document = report();
    let xml = document_xml(&document);
    for (index, table) in document.annexes.iter().flat_map(|a| &a.tables).enumerate() {
        let rows = table_rows(&xml, 3 + index);
        assert_eq!(rows.len(), table.rows.len() + 1, "table {index}");
        let headers: Vec<String> = table.columns.iter().map(|c| c.header.clone()).collect();
        let header_cells: Vec<String> = rows[0].iter().map(|cell| cell.join(" ")).collect();
        assert_eq!(header_cells, headers);
        for (row, expected) in rows[1..].iter().zip(&table.rows) {
            let cells: Vec<String> = row.iter().map(|cell| cell.join(" ")).collect();
            let expected: Vec<String> = expected.iter().map(Cell::display).collect();
            assert_eq!(cells, expected);
        }
    }
    let agencies = table_rows(&xml, 3);
    assert_eq!(
        agencies[1],
        [
            ["1"],
            ["Bộ Ngoại giao"],
            ["10"],
            ["10"],
            ["100%"],
            ["01/11/2026"]
        ]
        .map(|c| c.map(String::from).to_vec())
    );
    assert_eq!(agencies[9][5], Vec::<String>::new(), "an empty date cell");

    // Only the annex and body tables' first rows repeat as headers, and they are bold.
    let parsed = roxmltree::Document::parse(&xml).unwrap();
    let tables: Vec<_> = parsed.descendants().filter(|n| is_w(*n, "tbl")).collect();
    let repeated: Vec<usize> = tables
        .iter()
        .enumerate()
        .filter(|(_, table)| {
            let first = table.children().find(|n| is_w(*n, "tr")).unwrap();
            first.descendants().any(|n| is_w(n, "tblHeader"))
        })
        .map(|(index, _)| index)
        .collect();
    assert_eq!(repeated, [1, 3, 4, 5]);
    let header_rows = parsed
        .descendants()
        .filter(|n| is_w(*n, "tblHeader"))
        .count();
    assert_eq!(header_rows, 4, "one header row per table");
    for run in run_properties(&parsed, "Tỷ lệ hoàn thành") {
        assert!(has(run, "b"));
    }
}

#[test]
fn docx_numbers_pages_from_the_second_page() {
    let bytes = docx::render(&report()).unwrap();
    let xml = zip_entry(&bytes, "word/document.xml");
    let parsed = roxmltree::Document::parse(&xml).unwrap();
    let first = parsed.descendants().find(|n| is_w(*n, "sectPr")).unwrap();
    assert!(first.children().any(|n| is_w(n, "titlePg")));
    let references: Vec<_> = first
        .children()
        .filter(|n| is_w(*n, "headerReference"))
        .map(|n| w_attr(n, "type"))
        .collect();
    // A title page with no first-page header: the first page's header is blank.
    assert_eq!(references, [Some("default")]);
    let header = zip_entry(&bytes, "word/header1.xml");
    assert!(
        header.contains("<w:instrText>PAGE</w:instrText>"),
        "{header}"
    );
    // The annexes number their pages from 1, their first page unnumbered too.
    let annexes: Vec<_> = parsed
        .descendants()
        .filter(|n| is_w(*n, "sectPr"))
        .skip(1)
        .collect();
    assert_eq!(annexes.len(), 2);
    for annex in annexes {
        assert!(annex.children().any(|n| is_w(n, "titlePg")));
        let numbering = annex.children().find(|n| is_w(*n, "pgNumType")).unwrap();
        assert_eq!(w_attr(numbering, "start"), Some("1"));
    }
}

#[test]
fn every_format_gives_the_same_bytes_for_the_same_document() {
    let document = report();
    // Through JSON, as a stored report's input is regenerated.
    let stored: dongbo_publish::OfficialDocument =
        serde_json::from_str(&serde_json::to_string(&document).unwrap()).unwrap();
    assert_eq!(stored, document);
    assert_eq!(
        docx::render(&document).unwrap(),
        docx::render(&stored).unwrap()
    );
    assert_eq!(
        xlsx::render(&document).unwrap(),
        xlsx::render(&stored).unwrap()
    );
    let first_pdf = pdf::render(&document).unwrap();
    // Typst memoises within a process: start the second PDF from nothing.
    typst::comemo::evict(0);
    assert_eq!(first_pdf, pdf::render(&stored).unwrap());

    let mut later = document.clone();
    later.date = common::date(2026, 12, 6);
    assert_ne!(
        docx::render(&document).unwrap(),
        docx::render(&later).unwrap()
    );
    let bytes = docx::render(&document).unwrap();
    let core = zip_entry(&bytes, "docProps/core.xml");
    assert!(core.contains("2026-12-05T00:00:00Z"), "{core}");
    let mut package = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let part = package.by_name("word/document.xml").unwrap();
    assert_eq!(part.compression(), zip::CompressionMethod::Deflated);
    assert!(part.compressed_size() * 5 < part.size(), "deflated");
    let stamp = part.last_modified().unwrap();
    assert_eq!((stamp.year(), stamp.month(), stamp.day()), (2026, 12, 5));
}

#[test]
fn a_row_missing_a_cell_is_refused_by_every_format() {
    let mut document = report();
    document.annexes[1].tables[1].rows[4].pop();
    let expected = PublishError::RowLength {
        table: "Kết quả thực hiện các chỉ tiêu".to_owned(),
        row: 5,
        expected: 6,
        found: 5,
    };
    assert_eq!(docx::render(&document), Err(expected.clone()));
    assert_eq!(xlsx::render(&document), Err(expected.clone()));
    assert_eq!(pdf::render(&document), Err(expected));
}

#[test]
fn xlsx_has_a_sheet_per_annex_table_with_real_cell_types() {
    let document = report();
    let bytes = xlsx::render(&document).unwrap();
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        ["Phụ lục I", "Phụ lục II.1", "Phụ lục II.2"]
    );

    let agencies = workbook.worksheet_range("Phụ lục I").unwrap();
    let cell = |row: u32, column: u32| agencies.get_value((row, column)).cloned();
    assert_eq!(
        cell(0, 0),
        Some(Data::String(
            "Phụ lục I. TÌNH HÌNH THỰC HIỆN THEO CƠ QUAN".into()
        ))
    );
    assert_eq!(cell(2, 1), Some(Data::String("Cơ quan".into())));
    // Row 4 of the sheet: the first agency.
    assert_eq!(cell(3, 0), Some(Data::Float(1.0)));
    assert_eq!(cell(3, 1), Some(Data::String("Bộ Ngoại giao".into())));
    assert_eq!(cell(3, 2), Some(Data::Float(10.0)));
    // 100% is stored as 1 with a % format.
    assert_eq!(cell(3, 4), Some(Data::Float(1.0)));
    let Some(Data::DateTime(reported)) = cell(3, 5) else {
        panic!("a date: {:?}", cell(3, 5))
    };
    assert!(reported.is_datetime());
    let serial = (common::date(2026, 11, 1) - common::date(1899, 12, 30)).num_days() as f64;
    assert_eq!(reported.as_f64(), serial);
    // The ninth agency has no report yet: an empty cell, not a zero.
    assert_eq!(cell(11, 5), Some(Data::Empty));
    // Every agency, in order.
    for (index, agency) in AGENCIES.iter().enumerate() {
        assert_eq!(
            cell(3 + index as u32, 1),
            Some(Data::String((*agency).into()))
        );
    }
    assert_eq!(agencies.end(), Some((2 + AGENCIES.len() as u32, 5)));

    let tasks = workbook.worksheet_range("Phụ lục II.1").unwrap();
    assert_eq!(tasks.get_value((3, 5)), Some(&Data::Float(1250.5)));
    assert_eq!(tasks.get_value((4, 4)), Some(&Data::Float(0.13)));
    let indicators = workbook.worksheet_range("Phụ lục II.2").unwrap();
    // "1.1" stays text.
    assert_eq!(
        indicators.get_value((3, 0)),
        Some(&Data::String("1.1".into()))
    );
    assert_eq!(
        indicators.get_value((3, 3)),
        Some(&Data::String("≥ 80".into()))
    );
}

#[test]
fn xlsx_freezes_and_filters_the_header_row() {
    let bytes = xlsx::render(&report()).unwrap();
    let workbook = zip_entry(&bytes, "xl/workbook.xml");
    for (sheet, last) in [(1, "F35"), (2, "F33"), (3, "F29")] {
        let xml = zip_entry(&bytes, &format!("xl/worksheets/sheet{sheet}.xml"));
        assert!(
            xml.contains(
                r#"<pane ySplit="3" topLeftCell="A4" activePane="bottomLeft" state="frozen"/>"#
            ),
            "sheet {sheet}: {xml}"
        );
        assert!(
            xml.contains(&format!(r#"<autoFilter ref="A3:{last}"/>"#)),
            "sheet {sheet}"
        );
    }
    assert!(workbook.contains("_xlnm._FilterDatabase"), "{workbook}");
    // Percentages and dates carry their formats; the header row is bold.
    let styles = zip_entry(&bytes, "xl/styles.xml");
    for format in [
        r#"formatCode="0.0%""#,
        r#"formatCode="dd/mm/yyyy""#,
        r##"formatCode="#,##0""##,
    ] {
        assert!(styles.contains(format), "{format} in {styles}");
    }
    assert!(styles.contains("<b/>"), "{styles}");
    let core = zip_entry(&bytes, "docProps/core.xml");
    assert!(core.contains("2026-12-05T00:00:00Z"), "{core}");
}

#[test]
fn pdf_has_several_pages_and_all_the_text_in_vietnamese() {
    let document = report();
    let bytes = pdf::render(&document).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let pages = pdf_pages(&bytes);
    assert!(pages.len() > 3, "{} pages", pages.len());
    let all = pages.join(" ");
    for expected in [
        TITLE,
        NATIONAL_TITLE,
        MOTTO,
        "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
        "Số: 125/BC-BVHTTDL",
        "Hà Nội, ngày 05 tháng 12 năm 2026",
        // Not "Nơi nhận:": in bold italic the font draws "ơ" as two glyphs, and both map back
        // to "ơ", so text extraction reads "Nơơi" (the page shows "Nơi").
        "- Thủ tướng Chính phủ (để b/c);",
        "KT. BỘ TRƯỞNG",
        "Nguyễn Văn Hùng",
        "(Kèm theo Báo cáo số 125/BC-BVHTTDL ngày 05/12/2026)",
    ] {
        assert!(
            all.contains(expected),
            "{expected:?} not in the PDF:\n{all}"
        );
    }
    assert!(all.contains('ệ'));
    for agency in AGENCIES {
        assert!(all.contains(agency), "{agency:?} not in the PDF");
    }
    // The first page carries no number; the second does; an annex starts again from 1.
    assert!(pages[1].starts_with("2 "), "{}", pages[1]);
    let annex = pages
        .iter()
        .position(|page| page.starts_with("Phụ lục I."))
        .expect("the first annex starts a page, unnumbered");
    assert!(pages[annex + 1].starts_with("2 "), "{}", pages[annex + 1]);
    // Fonts are embedded.
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains("/FontFile"), "embedded font programs");
}

/// `soffice` as `cargo xtask test` passes it, or Debian's; under CI a missing one fails.
fn soffice() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("DONGBO_TEST_SOFFICE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/soffice".into());
    if path.exists() {
        return Some(path);
    }
    dongbo_testkit::skip::skip(
        "the DOCX conversion test needs /usr/bin/soffice (cargo xtask test installs libreoffice-writer-nogui)",
    );
    None
}

#[test]
fn libreoffice_converts_the_docx_to_pdf() {
    let Some(soffice) = soffice() else { return };
    let folder = tempfile::tempdir().unwrap();
    let docx_path = folder.path().join("bao-cao.docx");
    std::fs::write(&docx_path, docx::render(&report()).unwrap()).unwrap();
    let profile = folder.path().join("profile");
    let output = Command::new(&soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(folder.path())
        .arg(&docx_path)
        .output()
        .expect("soffice runs");
    assert!(
        output.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let converted = std::fs::read(folder.path().join("bao-cao.pdf")).expect("a PDF came out");
    let pages = pdf_pages(&converted);
    assert!(pages.len() > 3, "{} pages", pages.len());
    let all = pages.join(" ");
    assert!(all.contains(MOTTO), "{all}");
    assert!(all.contains("Bộ Ngoại giao"), "{all}");
}

#[test]
fn plain_text_reads_the_whole_document() {
    insta::assert_snapshot!(plain_text(&report()));
}

#[test]
fn docx_text_reads_back_as_the_document() {
    insta::assert_snapshot!(docx_text(&document_xml(&report())));
}

#[test]
fn markup_characters_in_user_text_are_printed_as_written() {
    let mut document = report();
    let title = r#"Báo cáo #set *đậm* _nghiêng_ $x$ [a] \ <nhãn> @ref `mã` & "trích" 100%"#;
    document.title = title.to_owned();
    document
        .recipients
        .push("Lưu: VT, <HTQT> & #KH.".to_owned());

    let pdf_text = pdf_pages(&pdf::render(&document).unwrap()).join(" ");
    assert!(pdf_text.contains(title), "{pdf_text}");
    assert!(pdf_text.contains("- Lưu: VT, <HTQT> & #KH."), "{pdf_text}");

    let xml = document_xml(&document);
    assert!(docx_text(&xml).contains(&format!("\n{title}\n")));
    assert!(table_rows(&xml, 2)[0][0].contains(&"- Lưu: VT, <HTQT> & #KH.".to_owned()));
}

#[test]
fn a_document_without_annexes_renders_in_every_format() {
    let mut document = report();
    document.annexes.clear();
    let xml = document_xml(&document);
    let parsed = roxmltree::Document::parse(&xml).unwrap();
    let sections: Vec<_> = parsed
        .descendants()
        .filter(|n| is_w(*n, "sectPr"))
        .collect();
    assert_eq!(sections.len(), 1);
    assert!(sections[0].children().any(|n| is_w(n, "headerReference")));

    let bytes = xlsx::render(&document).unwrap();
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheets = workbook.sheet_names();
    assert_eq!(sheets.len(), 1);
    let range = workbook.worksheet_range(&sheets[0]).unwrap();
    assert_eq!(range.get_value((0, 0)), Some(&Data::String(TITLE.into())));

    let pages = pdf_pages(&pdf::render(&document).unwrap());
    assert!(!pages.join(" ").contains("Phụ lục"));
}
