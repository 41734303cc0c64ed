//! Every reader works within the declared limits (`dongbo_import::Limits`): files made to
//! hurt — a tiny workbook with a cell at XFD1048576, zip bombs, a million rows, a cell of
//! megabytes, deep nesting — are refused with an error that names the file, the limit and
//! where it was reached, quickly and in bounded memory. The bombs are built here, small on
//! disk and in memory; the peak of live heap bytes while the importer runs is measured by a
//! counting global allocator, and must stay within 64 MiB above what was live before.

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dongbo_domain::Directory;
use dongbo_import::{
    Format, ImportError, Limit, Limits, import, import_indicators, import_with_limits,
};
use peak_alloc::PeakAlloc;
use proptest::prelude::*;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

/// The allocator counts every thread: tests that measure run one at a time.
static MEASURING: Mutex<()> = Mutex::new(());

/// How far above the live bytes before it an import may go.
const MEMORY_BOUND: usize = 64 * 1024 * 1024;

/// `read` run alone, with the peak of live heap bytes above those live before it.
fn measured<T>(read: impl FnOnce() -> T) -> (T, usize, Duration) {
    let _alone = MEASURING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let before = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let started = Instant::now();
    let value = read();
    let elapsed = started.elapsed();
    let peak = ALLOCATOR.peak_usage().saturating_sub(before);
    (value, peak, elapsed)
}

/// Import `bytes` as `file` with the default limits; it must be refused for `limit`, in
/// bounded memory. Returns the error's text.
fn refused(bytes: &[u8], file: &str, limit: Limit) -> String {
    let directory = Directory::bundled();
    let (result, peak, elapsed) = measured(|| import(bytes, file, Format::Auto, &directory));
    let error = match result {
        Ok(imported) => panic!(
            "{file} was imported ({} tasks), not refused for {limit:?}",
            imported.program.tasks.len()
        ),
        Err(error) => error,
    };
    eprintln!(
        "{file}: {} bytes, peak {:.1} MiB, {:.0} ms: {error}",
        bytes.len(),
        peak as f64 / 1024.0 / 1024.0,
        elapsed.as_secs_f64() * 1000.0
    );
    match &error {
        ImportError::TooLarge { limit: found, .. } => assert_eq!(*found, limit, "{error}"),
        other => panic!("{file}: refused, but not for a limit: {other}"),
    }
    assert!(
        peak < MEMORY_BOUND,
        "{file}: the import's heap peaked at {peak} bytes above the start"
    );
    let message = error.to_string();
    assert!(message.starts_with(&format!("{file}: ")), "{message}");
    assert!(message.contains("the limit of"), "{message}");
    message
}

/// One part of a package: `head`, then `unit` `count` times, then `tail`, written as it is
/// packed (a part of many megabytes is never whole in memory).
struct Part<'a> {
    name: &'a str,
    head: &'a str,
    unit: &'a str,
    count: usize,
    tail: &'a str,
}

impl<'a> Part<'a> {
    fn whole(name: &'a str, text: &'a str) -> Self {
        Part {
            name,
            head: text,
            unit: "",
            count: 0,
            tail: "",
        }
    }
}

/// A ZIP package of `parts`, deflated.
fn package(parts: &[Part]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for part in parts {
        zip.start_file(part.name, options).expect("an entry");
        zip.write_all(part.head.as_bytes()).expect("the head");
        // Units are written a thousand at a time.
        let batch = part.unit.repeat(part.count.min(1000));
        let mut left = part.count;
        while left > 0 {
            let n = left.min(1000);
            zip.write_all(&batch.as_bytes()[..n * part.unit.len()])
                .expect("the units");
            left -= n;
        }
        zip.write_all(part.tail.as_bytes()).expect("the tail");
    }
    zip.finish().expect("a ZIP").into_inner()
}

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// A workbook of one sheet «Sheet1» whose `sheetData` is `head`, `unit` × `count`, `tail`.
fn workbook(head: &str, unit: &str, count: usize, tail: &str) -> Vec<u8> {
    let head = format!("{SHEET_HEAD}{head}");
    let tail = format!("{tail}{SHEET_TAIL}");
    package(&[
        Part::whole(
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        Part::whole(
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        Part::whole(
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        Part::whole(
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        Part {
            name: "xl/worksheets/sheet1.xml",
            head: &head,
            unit,
            count,
            tail: &tail,
        },
    ])
}

/// A Word document whose `body` is `head`, `unit` × `count`, `tail`.
fn document(head: &str, unit: &str, count: usize, tail: &str) -> Vec<u8> {
    let head = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{head}"#
    );
    let tail = format!("{tail}</w:body></w:document>");
    package(&[
        Part::whole(
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
        ),
        Part::whole(
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
        ),
        Part {
            name: "word/document.xml",
            head: &head,
            unit,
            count,
            tail: &tail,
        },
    ])
}

const TASK_HEADER: &str = "STT,Tên nhiệm vụ,Cơ quan chủ trì,Thời gian thực hiện\n1,Nhóm một,,\n";

#[test]
fn a_tiny_workbook_with_a_cell_at_xfd1048576_is_refused_naming_the_sheet_the_cell_and_the_limit() {
    let bytes = workbook(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>STT</t></is></c></row>"#,
        "",
        0,
        r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#,
    );
    assert!(bytes.len() < 2000, "{} bytes", bytes.len());
    let message = refused(&bytes, "xa.xlsx", Limit::Rows);
    assert_eq!(
        message,
        "xa.xlsx: sheet «Sheet1», cell XFD1048576: past the limit of 10,000 rows; the file \
         was not read further"
    );
}

#[test]
fn a_workbook_cell_past_the_last_column_is_refused_naming_the_cell() {
    let bytes = workbook(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>STT</t></is></c><c r="IW1" t="inlineStr"><is><t>x</t></is></c></row>"#,
        "",
        0,
        "",
    );
    let message = refused(&bytes, "wide.xlsx", Limit::Columns);
    assert!(
        message.contains("cell IW1: past the limit of 256 columns"),
        "{message}"
    );
}

#[test]
fn a_workbook_of_hundreds_of_thousands_of_rows_is_refused_at_the_row_past_the_limit() {
    // Rows without a number: calamine counts them, as Excel would.
    let bytes = workbook(
        "",
        r#"<row><c t="inlineStr"><is><t>việc</t></is></c><c><v>1</v></c></row>"#,
        150_000,
        "",
    );
    let message = refused(&bytes, "rows.xlsx", Limit::Rows);
    assert!(message.contains("cell A10001"), "{message}");
}

#[test]
fn a_word_document_of_high_compression_ratio_is_refused_before_it_is_unpacked() {
    // 16 MiB of spaces pack into about 16 KB: a ratio of about 1,000.
    let bytes = document(
        "<w:p><w:r><w:t>",
        " ",
        16 * 1024 * 1024,
        "</w:t></w:r></w:p>",
    );
    assert!(bytes.len() < 100_000, "{} bytes", bytes.len());
    let message = refused(&bytes, "bomb.docx", Limit::CompressionRatio);
    assert!(message.contains("entry word/document.xml"), "{message}");
}

#[test]
fn a_word_document_that_lies_about_its_unpacked_size_is_measured_by_what_it_unpacks_to() {
    let mut bytes = document(
        "<w:p><w:r><w:t>",
        " ",
        16 * 1024 * 1024,
        "</w:t></w:r></w:p>",
    );
    // Declare 100 bytes for every entry, in the local headers and the central directory.
    let declare = |bytes: &mut Vec<u8>, signature: &[u8; 4], offset: usize| {
        let mut at = 0;
        while let Some(found) = bytes[at..].windows(4).position(|w| w == signature) {
            let field = at + found + offset;
            bytes[field..field + 4].copy_from_slice(&100u32.to_le_bytes());
            at = at + found + 4;
        }
    };
    declare(&mut bytes, b"PK\x03\x04", 22);
    declare(&mut bytes, b"PK\x01\x02", 24);
    let directory = Directory::bundled();
    let (result, peak, _) = measured(|| import(&bytes, "lies.docx", Format::Auto, &directory));
    let error = result.expect_err("a lying bomb is refused");
    assert!(peak < MEMORY_BOUND, "peak {peak}");
    assert!(
        matches!(
            error,
            ImportError::TooLarge { .. } | ImportError::InvalidFile { .. }
        ),
        "{error}"
    );
}

#[test]
fn a_word_document_unpacking_past_the_total_limit_is_refused() {
    // Text that does not pack well (a ratio of about 3), past a limit of 4 MiB.
    let limits = Limits {
        unpacked_bytes: 4 * 1024 * 1024,
        ..Limits::default()
    };
    let text: String = (0..400_000u32)
        .map(|i| format!("{:08x} ", i.wrapping_mul(2_654_435_761)))
        .collect();
    let bytes = document("<w:p><w:r><w:t>", &text, 2, "</w:t></w:r></w:p>");
    let directory = Directory::bundled();
    let (result, peak, _) =
        measured(|| import_with_limits(&bytes, "big.docx", Format::Auto, &directory, &limits));
    let error = result.expect_err("refused");
    assert!(
        matches!(
            error,
            ImportError::TooLarge {
                limit: Limit::UnpackedBytes,
                ..
            }
        ),
        "{error}"
    );
    assert!(peak < MEMORY_BOUND, "peak {peak}");
}

#[test]
fn a_word_document_of_millions_of_paragraphs_is_refused_at_the_paragraph_past_the_limit() {
    let bytes = document("", "<w:p/>", 1_000_000, "");
    let message = refused(&bytes, "paragraphs.docx", Limit::Paragraphs);
    assert!(
        message.contains("entry word/document.xml, paragraph 100,001"),
        "{message}"
    );
}

#[test]
fn a_word_table_of_too_many_rows_is_refused() {
    let bytes = document(
        "<w:tbl>",
        "<w:tr><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc></w:tr>",
        20_000,
        "</w:tbl>",
    );
    let message = refused(&bytes, "rows.docx", Limit::Rows);
    assert!(message.contains("table row 10,001"), "{message}");
}

#[test]
fn a_word_document_nested_too_deep_is_refused() {
    let bytes = document(
        "",
        "<w:tbl><w:tr><w:tc>",
        10_000,
        &"</w:tc></w:tr></w:tbl>".repeat(10_000),
    );
    refused(&bytes, "deep.docx", Limit::Depth);
}

#[test]
fn a_package_of_too_many_entries_is_refused() {
    let names: Vec<String> = (0..1_001).map(|i| format!("word/media/{i}.xml")).collect();
    let mut parts = vec![Part::whole("word/document.xml", "<w:document/>")];
    parts.extend(names.iter().map(|name| Part::whole(name, "<a/>")));
    let bytes = package(&parts);
    let message = refused(&bytes, "entries.docx", Limit::ArchiveEntries);
    assert!(message.contains("1,002 entries"), "{message}");
}

#[test]
fn a_csv_of_half_a_million_rows_is_refused_at_the_row_past_the_limit() {
    // 17 MB: within the limit on a file's size (a larger one is refused for that).
    let mut text = String::from(TASK_HEADER);
    for i in 0..500_000 {
        text.push_str(&format!("1.{i},Việc,Bộ Ngoại giao,2025\n"));
    }
    let message = refused(text.as_bytes(), "rows.csv", Limit::Rows);
    assert!(message.contains("rows.csv: row 10001:"), "{message}");
}

#[test]
fn a_cell_of_megabytes_is_not_a_task_title() {
    let text = format!(
        "{TASK_HEADER}1.1,{},Bộ Ngoại giao,2025\n",
        "Nhiệm vụ ".repeat(400_000)
    );
    let message = refused(text.as_bytes(), "cell.csv", Limit::CellChars);
    assert!(message.contains("row 3, column B"), "{message}");
    assert!(message.contains("32,767 characters"), "{message}");

    let cell = "x".repeat(40_000);
    let bytes = workbook(
        "",
        "",
        0,
        &format!(r#"<row r="1"><c r="B1" t="inlineStr"><is><t>{cell}</t></is></c></row>"#),
    );
    let message = refused(&bytes, "cell.xlsx", Limit::CellChars);
    assert!(message.contains("cell B1"), "{message}");
}

#[test]
fn html_nested_two_hundred_thousand_deep_is_refused_at_once() {
    let text = format!(
        "<html><body>{}<table><tr><td>STT</td></tr></table></body></html>",
        "<div>".repeat(200_000)
    );
    let message = refused(text.as_bytes(), "deep.html", Limit::Depth);
    assert!(message.contains("deep.html: line 1:"), "{message}");
}

#[test]
fn markdown_nested_deep_is_refused() {
    let text = format!(
        "{} STT\n\n| STT | Tên nhiệm vụ | Cơ quan chủ trì |\n|---|---|---|\n| 1.1 | Việc | Bộ Ngoại giao |\n",
        ">".repeat(50_000)
    );
    refused(text.as_bytes(), "deep.md", Limit::Depth);
}

#[test]
fn text_of_a_million_lines_is_refused_at_the_line_past_the_limit() {
    let text = "Một dòng\n".repeat(200_000);
    let message = refused(text.as_bytes(), "lines.txt", Limit::Paragraphs);
    assert!(message.contains("line 100001"), "{message}");
}

#[test]
fn a_file_past_the_size_limit_is_refused_before_it_is_read() {
    let bytes = vec![b' '; 20 * 1024 * 1024 + 1];
    let message = refused(&bytes, "big.csv", Limit::FileBytes);
    assert!(message.contains("20 MiB"), "{message}");
}

#[test]
fn reading_stops_when_its_time_is_spent() {
    let limits = Limits {
        time: Duration::ZERO,
        ..Limits::default()
    };
    let text = format!("{TASK_HEADER}1.1,Việc,Bộ Ngoại giao,2025\n");
    let error = import_with_limits(
        text.as_bytes(),
        "slow.csv",
        Format::Auto,
        &Directory::bundled(),
        &limits,
    )
    .expect_err("no time at all");
    assert!(
        matches!(
            error,
            ImportError::TooLarge {
                limit: Limit::Time,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("the limit of 0 s"), "{error}");
}

#[test]
fn indicator_appendices_are_read_within_the_same_limits() {
    let bytes = workbook(
        "",
        "",
        0,
        r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#,
    );
    let (result, peak, _) = measured(|| {
        import_indicators(&bytes, "xa.xlsx", Format::Auto, &Directory::bundled(), None)
    });
    let error = result.expect_err("refused");
    assert!(peak < MEMORY_BOUND, "peak {peak}");
    assert!(
        error
            .to_string()
            .starts_with("xa.xlsx: sheet «Sheet1», cell XFD1048576: past the limit of 10,000 rows"),
        "{error}"
    );
}

/// The shapes of bombs the property test draws.
#[derive(Debug, Clone)]
enum Bomb {
    FarCell { row: u32, column: u32 },
    SheetRows(usize),
    DocxParagraphs(usize),
    DocxRatio(usize),
    CsvRows(usize),
    HtmlDepth(usize),
}

fn bomb() -> impl Strategy<Value = Bomb> {
    prop_oneof![
        (10_000u32..1_048_576, 0u32..16_384)
            .prop_map(|(row, column)| Bomb::FarCell { row, column }),
        (10_001usize..150_000).prop_map(Bomb::SheetRows),
        (100_001usize..1_000_000).prop_map(Bomb::DocxParagraphs),
        (2usize..32).prop_map(|mib| Bomb::DocxRatio(mib * 1024 * 1024)),
        (10_001usize..400_000).prop_map(Bomb::CsvRows),
        (101usize..300_000).prop_map(Bomb::HtmlDepth),
    ]
}

/// "XFD" for column 16383 (0-based).
fn letters(column: u32) -> String {
    let mut n = column + 1;
    let mut out = Vec::new();
    while n > 0 {
        out.push(char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn bombs_of_any_shape_are_refused_for_a_limit_in_bounded_memory(bomb in bomb()) {
        let (bytes, file) = match &bomb {
            Bomb::FarCell { row, column } => {
                let cell = format!("{}{}", letters(*column), row + 1);
                let far = format!(
                    r#"<row r="{}"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row>"#,
                    row + 1
                );
                (workbook(r#"<row r="1"><c r="A1"><v>1</v></c></row>"#, "", 0, &far), "far.xlsx")
            }
            Bomb::SheetRows(rows) => (workbook("", "<row><c><v>1</v></c></row>", *rows, ""), "rows.xlsx"),
            Bomb::DocxParagraphs(count) => (document("", "<w:p/>", *count, ""), "p.docx"),
            Bomb::DocxRatio(spaces) => (document("<w:p><w:r><w:t>", " ", *spaces, "</w:t></w:r></w:p>"), "bomb.docx"),
            Bomb::CsvRows(rows) => (format!("{TASK_HEADER}{}", "1.1,Việc,Bộ,2025\n".repeat(*rows)).into_bytes(), "rows.csv"),
            Bomb::HtmlDepth(depth) => (format!("<html><body>{}</body></html>", "<section>".repeat(*depth)).into_bytes(), "deep.html"),
        };
        let directory = Directory::bundled();
        let (result, peak, elapsed) = measured(|| import(&bytes, file, Format::Auto, &directory));
        prop_assert!(
            matches!(result, Err(ImportError::TooLarge { .. })),
            "{bomb:?}: {:?}", result.map(|i| i.program.tasks.len())
        );
        prop_assert!(peak < MEMORY_BOUND, "{bomb:?}: peak {peak}");
        prop_assert!(elapsed < Duration::from_secs(10), "{bomb:?}: {elapsed:?}");
    }
}
