//! A generated report read back as Word, a spreadsheet program and a PDF reader see it, checked
//! against the document it was built from.

use calamine::{Data, Reader, Xlsx};
use dongbo_publish::{Block, Cell, MOTTO, NATIONAL_TITLE, OfficialDocument, RECIPIENTS_LABEL};
use dongbo_testkit::documents::{docx_text, is_w, pdf_pages, w_attr, zip_entry};

/// The DOCX: A4 with the margins of Decree 30, Times New Roman, the header block, number,
/// place and date, kind and title, "Nơi nhận:" with its entries, the signature block, and
/// every row of the annex tables; and each agency of `names` named in it.
pub fn check_docx(bytes: &[u8], document: &OfficialDocument, names: &[String]) {
    let xml = zip_entry(bytes, "word/document.xml");
    let parsed = roxmltree::Document::parse(&xml).expect("well-formed document.xml");
    let sections: Vec<_> = parsed
        .descendants()
        .filter(|n| is_w(*n, "sectPr"))
        .collect();
    assert!(!sections.is_empty());
    for section in &sections {
        let size = section
            .children()
            .find(|n| is_w(*n, "pgSz"))
            .expect("w:pgSz");
        let (w, h) = (w_attr(size, "w").unwrap(), w_attr(size, "h").unwrap());
        assert!(
            (w, h) == ("11906", "16838") || (w, h) == ("16838", "11906"),
            "A4, portrait or landscape: {w} × {h}"
        );
    }
    // The first section (the report itself) is portrait with 20/20/30/15 mm margins.
    let first = sections.last().expect("the body's section properties");
    let margins = first
        .children()
        .find(|n| is_w(*n, "pgMar"))
        .expect("w:pgMar");
    let twips = |mm: f64| format!("{}", (mm * 1440.0 / 25.4).round());
    let body_section = sections
        .iter()
        .find(|s| {
            s.children()
                .find(|n| is_w(*n, "pgSz"))
                .and_then(|n| w_attr(n, "w"))
                == Some("11906")
        })
        .unwrap_or(first);
    let margins = body_section
        .children()
        .find(|n| is_w(*n, "pgMar"))
        .unwrap_or(margins);
    assert_eq!(w_attr(margins, "top"), Some(twips(20.0).as_str()));
    assert_eq!(w_attr(margins, "bottom"), Some(twips(20.0).as_str()));
    assert_eq!(w_attr(margins, "left"), Some(twips(30.0).as_str()));
    assert_eq!(w_attr(margins, "right"), Some(twips(15.0).as_str()));
    let fonts: Vec<&str> = parsed
        .descendants()
        .filter(|n| is_w(*n, "rFonts"))
        .filter_map(|n| w_attr(n, "ascii"))
        .collect();
    assert!(!fonts.is_empty());
    assert!(fonts.iter().all(|f| *f == "Times New Roman"), "{fonts:?}");

    let text = docx_text(&xml);
    let lines: Vec<&str> = text.lines().collect();
    let has = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    let (_, issuer) = document.issuer.lines();
    for wanted in [
        issuer.as_str(),
        NATIONAL_TITLE,
        MOTTO,
        &document.number_line(),
        &document.place_date_line(),
        &document.kind,
        &document.title,
        RECIPIENTS_LABEL,
        &document.signature.name,
    ] {
        assert!(has(wanted), "the DOCX shows «{wanted}»");
    }
    for line in document.signature.title_lines() {
        assert!(has(&line), "the signature block shows «{line}»");
    }
    for recipient in &document.recipients {
        assert!(has(recipient), "Nơi nhận: «{recipient}»");
    }
    for block in &document.body {
        if let Block::Heading { text, .. } = block {
            assert!(has(text), "heading «{text}»");
        }
    }
    // Every printed annex row, as a row of the Word table (a detail annex is in the XLSX only).
    for annex in document.annexes.iter().filter(|annex| !annex.detail) {
        assert!(has(&annex.title), "annex «{}»", annex.title);
        for table in &annex.tables {
            for row in &table.rows {
                let cells: Vec<String> = row.iter().map(Cell::display).collect();
                let wanted = cells.join(" | ");
                assert!(
                    lines.iter().any(|line| *line == wanted),
                    "the annex row «{wanted}»"
                );
            }
        }
    }
    for name in names {
        assert!(has(name), "the agency «{name}»");
    }
}

/// The XLSX: one sheet per annex table, whose cells hold the table's values with their types
/// (numbers as numbers, percents as fractions, dates as dates, text as text).
pub fn check_xlsx(bytes: &[u8], document: &OfficialDocument, names: &[String]) {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX");
    let sheets = book.sheet_names().to_vec();
    let tables: Vec<_> = document.annexes.iter().flat_map(|a| &a.tables).collect();
    assert_eq!(sheets.len(), tables.len());
    let mut seen_names = Vec::new();
    for (sheet, table) in sheets.iter().zip(tables) {
        let range = book.worksheet_range(sheet).expect("the sheet");
        let rows: Vec<&[Data]> = range.rows().collect();
        let header = rows
            .iter()
            .position(|r| {
                r.iter()
                    .zip(&table.columns)
                    .all(|(cell, column)| *cell == Data::String(column.header.clone()))
            })
            .expect("the header row");
        let body = &rows[header + 1..];
        assert_eq!(body.len(), table.rows.len(), "sheet {sheet}");
        for (got, want) in body.iter().zip(&table.rows) {
            for (cell, value) in got.iter().zip(want) {
                match value {
                    Cell::Text(text) => {
                        assert_eq!(*cell, Data::String(text.clone()));
                        seen_names.push(text.clone());
                    }
                    Cell::Integer(n) => assert_eq!(number(cell), Some(*n as f64), "{sheet}"),
                    Cell::Percent(p) => {
                        let got = number(cell).expect("a number");
                        assert!((got - p / 100.0).abs() < 1e-9, "{sheet}: {got} for {p}%");
                    }
                    Cell::Decimal(d) => assert_eq!(number(cell), Some(*d)),
                    Cell::Date(day) => {
                        let Data::DateTime(serial) = cell else {
                            panic!("{sheet}: a date cell, not {cell:?}");
                        };
                        let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
                        assert_eq!(serial.as_f64(), (*day - epoch).num_days() as f64);
                    }
                    Cell::Empty => assert_eq!(*cell, Data::Empty),
                }
            }
        }
    }
    for name in names {
        assert!(seen_names.contains(name), "the agency «{name}» in the XLSX");
    }
}

/// A number cell's value.
fn number(cell: &Data) -> Option<f64> {
    match cell {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

/// The PDF: more than one page, and its text holds the title and every agency of `names`.
pub fn check_pdf(bytes: &[u8], document: &OfficialDocument, names: &[String]) {
    assert!(bytes.starts_with(b"%PDF-"));
    let pages = pdf_pages(bytes);
    assert!(pages.len() > 1, "{} pages", pages.len());
    let all = pages.join(" ");
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    for wanted in [&document.title, MOTTO, &document.signature.name] {
        assert!(all.contains(&words(wanted)), "the PDF shows «{wanted}»");
    }
    for name in names {
        assert!(all.contains(&words(name)), "the agency «{name}» in the PDF");
    }
}

/// A snapshot of the document's text up to its first annex (for a national report, one line
/// per agency, checked row by row instead), and its second annex (per task group); the detail
/// annex of every assignment is checked row by row in the XLSX.
pub fn snapshot_text(name: &str, document: &OfficialDocument) {
    let text = dongbo_publish::plain_text(document);
    let first_annex = document
        .annexes
        .first()
        .map(|a| a.title.as_str())
        .unwrap_or("\u{0}");
    let (body, _) = text.split_once(first_annex).unwrap_or((&text, ""));
    let second = document
        .annexes
        .get(1)
        .map(|a| {
            let start = text.find(&a.title).unwrap_or(text.len());
            let end = document
                .annexes
                .get(2)
                .and_then(|next| text.find(&next.title))
                .unwrap_or(text.len())
                .max(start);
            &text[start..end]
        })
        .unwrap_or("");
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, format!("{body}\n…\n{second}"));
    });
}
