//! Fuzzing the readers with damaged real files, not only random bytes: a valid XLSX of
//! 47/NQ-CP (as `dongbo export` writes it), a valid DOCX and XLSX of the indicator appendix
//! fixture, and the Markdown and CSV appendix fixtures, each with bytes flipped, cut short,
//! or changed inside the XML part the reader parses (re-zipped, so the damage gets past the
//! ZIP checks). Program import and indicator import answer a value or an error that says
//! something; they never panic.

mod common;

use std::io::{Read, Write};
use std::sync::LazyLock;

use dongbo_import::{ExportFormat, Format, export, import, import_indicators};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// The rows of the indicator CSV fixture.
fn indicator_rows() -> Vec<Vec<String>> {
    let bytes = fixture("indicators.csv");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(b';')
        .from_reader(bytes.as_slice())
        .records()
        .map(|r| r.expect("a CSV row").iter().map(str::to_owned).collect())
        .collect()
}

/// 47/NQ-CP exported to XLSX: a valid workbook the program reader reads.
static PROGRAM_XLSX: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let imported = common::import_47();
    export(&imported.program, ExportFormat::Xlsx).expect("export 47/NQ-CP to XLSX")
});

/// The indicator fixture as a workbook of text cells.
static INDICATORS_XLSX: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in indicator_rows().iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            sheet
                .write_string(r as u32, c as u16, text)
                .expect("write a cell");
        }
    }
    workbook.save_to_buffer().expect("an XLSX")
});

/// The indicator fixture as a Word document: its first row a title, the rest a table.
static INDICATORS_DOCX: LazyLock<Vec<u8>> = LazyLock::new(|| {
    use docx_rs::{Docx, Paragraph, Run, Table, TableCell, TableRow};
    let rows = indicator_rows();
    let (title, body) = rows.split_first().expect("a title row");
    let cell = |text: &str| {
        TableCell::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text(text)))
    };
    let table = Table::new(
        body.iter()
            .map(|row| TableRow::new(row.iter().map(|t| cell(t)).collect()))
            .collect(),
    );
    let mut buffer = std::io::Cursor::new(Vec::new());
    Docx::new()
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(&title[0])))
        .add_table(table)
        .build()
        .pack(&mut buffer)
        .expect("a DOCX");
    buffer.into_inner()
});

/// The files and the XML part of each the reader parses.
fn office_files() -> [(&'static str, &'static [u8], &'static str); 3] {
    [
        (
            "chuong-trinh.xlsx",
            &PROGRAM_XLSX,
            "xl/worksheets/sheet1.xml",
        ),
        (
            "chi-tieu.xlsx",
            &INDICATORS_XLSX,
            "xl/worksheets/sheet1.xml",
        ),
        ("chi-tieu.docx", &INDICATORS_DOCX, "word/document.xml"),
    ]
}

/// One change to bytes: at a place given as a fraction of the length.
#[derive(Debug, Clone)]
enum Damage {
    Flip { at: f64, mask: u8 },
    Set { at: f64, byte: u8 },
    Delete { at: f64, length: usize },
    Insert { at: f64, bytes: Vec<u8> },
}

fn damage() -> impl Strategy<Value = Damage> {
    let at = 0.0f64..1.0;
    prop_oneof![
        (at.clone(), 1u8..=255).prop_map(|(at, mask)| Damage::Flip { at, mask }),
        (
            at.clone(),
            prop_oneof![
                Just(b'<'),
                Just(b'>'),
                Just(b'"'),
                Just(b'&'),
                Just(0u8),
                any::<u8>()
            ]
        )
            .prop_map(|(at, byte)| Damage::Set { at, byte }),
        (at.clone(), 1usize..64).prop_map(|(at, length)| Damage::Delete { at, length }),
        (
            at,
            prop_oneof![
                Just(b"<c r=\"A1\" t=\"s\"><v>99999</v></c>".to_vec()),
                Just(b"<w:tc><w:p/></w:tc>".to_vec()),
                Just(b"</row>".to_vec()),
                Just("Bộ Ngoại giao; ≥ 80%".as_bytes().to_vec()),
                proptest::collection::vec(any::<u8>(), 1..16),
            ]
        )
            .prop_map(|(at, bytes)| Damage::Insert { at, bytes }),
    ]
}

fn apply(bytes: &mut Vec<u8>, damage: &Damage) {
    let place = |at: f64, len: usize| ((at * len as f64) as usize).min(len.saturating_sub(1));
    if bytes.is_empty() {
        return;
    }
    match damage {
        Damage::Flip { at, mask } => {
            let i = place(*at, bytes.len());
            bytes[i] ^= mask;
        }
        Damage::Set { at, byte } => {
            let i = place(*at, bytes.len());
            bytes[i] = *byte;
        }
        Damage::Delete { at, length } => {
            let i = place(*at, bytes.len());
            let end = (i + length).min(bytes.len());
            bytes.drain(i..end);
        }
        Damage::Insert { at, bytes: new } => {
            let i = place(*at, bytes.len());
            bytes.splice(i..i, new.iter().copied());
        }
    }
}

/// `file` with the part `part` changed by `damages` and packed again (stored, so the
/// reader meets the damage itself and not a checksum error).
fn with_damaged_part(file: &[u8], part: &str, damages: &[Damage]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(file)).expect("a valid ZIP");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("an entry");
        let name = entry.name().expect("an entry name").into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("an entry's bytes");
        if name == part {
            for damage in damages {
                apply(&mut bytes, damage);
            }
        }
        out.start_file(name, options).expect("an entry");
        out.write_all(&bytes).expect("an entry's bytes");
    }
    out.finish().expect("a ZIP").into_inner()
}

/// No reading of a damaged file takes longer than this (the default time budget is 30 s; a
/// damaged file is read in milliseconds).
const SLOWEST: std::time::Duration = std::time::Duration::from_secs(10);

/// Both readers on `bytes`: whatever they answer, an error says something, and soon.
fn read_all_ways(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let directory = common::directory();
    let format = if name.ends_with(".docx") {
        Format::Docx
    } else if name.ends_with(".xlsx") {
        Format::Xlsx
    } else {
        Format::Auto
    };
    for format in [Format::Auto, format] {
        let started = std::time::Instant::now();
        if let Err(error) = import(bytes, name, format, &directory) {
            prop_assert!(error.to_string().trim().len() > 10, "{name}: «{error}»");
        }
        if let Err(error) = import_indicators(bytes, name, format, &directory, None) {
            prop_assert!(error.to_string().trim().len() > 10, "{name}: «{error}»");
        }
        prop_assert!(
            started.elapsed() < SLOWEST,
            "{name}: read in {:?}",
            started.elapsed()
        );
    }
    Ok(())
}

#[test]
fn the_undamaged_files_are_read_also_when_packed_again() {
    // The damage tests mean something only if the files, and their re-packed copies, are read.
    let directory = common::directory();
    for (name, file, part) in office_files() {
        for bytes in [file.to_vec(), with_damaged_part(file, part, &[])] {
            let read = if name.starts_with("chuong-trinh") {
                import(&bytes, name, Format::Auto, &directory).map(|_| ())
            } else {
                import_indicators(&bytes, name, Format::Auto, &directory, None).map(|_| ())
            };
            assert!(read.is_ok(), "{name}: {:?}", read.err());
        }
    }
}

proptest! {
    // Random seeds. The pinned seed hid a hang, not a slow read: damaged XML that leaves an
    // element unclosed (`<w:tblPr>` without its end tag) made docx-rs loop for ever at the end
    // of the part (its readers wait for the end tag and skip the end of the document). One
    // seed in five of the damaged-XML test met it. The package check refused XML whose
    // elements are not closed by their own end tags; a rarer case still got through the rough
    // scan and hung a full run, so a Word document's parts are now parsed strictly before
    // docx-rs sees them (the fixed cases below). A failing case prints its seed;
    // `PROPTEST_RNG_SEED` replays one.
    #![proptest_config(ProptestConfig {
        cases: 48,
        ..ProptestConfig::default()
    })]

    #[test]
    fn office_files_with_flipped_bytes_are_read_or_refused_never_a_panic(
        which in 0usize..3,
        damages in proptest::collection::vec(damage(), 1..6),
    ) {
        let (name, file, _) = office_files()[which];
        let mut bytes = file.to_vec();
        for damage in &damages {
            apply(&mut bytes, damage);
        }
        read_all_ways(name, &bytes)?;
    }

    #[test]
    fn office_files_cut_short_are_refused_never_a_panic(which in 0usize..3, keep in 0.0f64..1.0) {
        let (name, file, _) = office_files()[which];
        let bytes = &file[..(keep * file.len() as f64) as usize];
        read_all_ways(name, bytes)?;
    }

    #[test]
    fn office_files_with_damaged_xml_are_read_or_refused_never_a_panic(
        which in 0usize..3,
        damages in proptest::collection::vec(damage(), 1..6),
    ) {
        let (name, file, part) = office_files()[which];
        let bytes = with_damaged_part(file, part, &damages);
        read_all_ways(name, &bytes)?;
    }

    #[test]
    fn indicator_appendices_in_text_with_damaged_bytes_are_read_or_refused(
        markdown in any::<bool>(),
        damages in proptest::collection::vec(damage(), 1..8),
    ) {
        let (name, fixture_name) = if markdown {
            ("chi-tieu.md", "indicators.md")
        } else {
            ("chi-tieu.csv", "indicators.csv")
        };
        let mut bytes = fixture(fixture_name);
        for damage in &damages {
            apply(&mut bytes, damage);
        }
        read_all_ways(name, &bytes)?;
    }
}

#[test]
fn a_word_document_whose_xml_does_not_parse_is_refused_naming_the_part() {
    // Damage the rough scan lets through (the names open and close in order) but that is not
    // XML: docx-rs must never see it, since some of it makes it loop for ever.
    let directory = common::directory();
    let file: &[u8] = &INDICATORS_DOCX;
    let document = {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(file)).expect("a ZIP");
        let mut entry = archive
            .by_name("word/document.xml")
            .expect("the document part");
        let mut text = String::new();
        entry.read_to_string(&mut text).expect("its XML");
        text
    };
    let at = document.find("<w:tblPr>").expect("a table's properties") + "<w:tblPr>".len();
    for inserted in [
        "&undefined;",
        "<w:tblW w:w=\"1<2\"/>",
        "<w:jc w:val=\"left\" w:val=\"right\"/>",
        "\u{1}",
        "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    ] {
        let damaged = with_damaged_part(
            file,
            "word/document.xml",
            &[Damage::Insert {
                at: at as f64 / document.len() as f64,
                bytes: inserted.as_bytes().to_vec(),
            }],
        );
        let error = import_indicators(&damaged, "chi-tieu.docx", Format::Docx, &directory, None)
            .err()
            .unwrap_or_else(|| panic!("«{inserted}» inside <w:tblPr> was read"));
        let message = error.to_string();
        assert!(
            message.starts_with("chi-tieu.docx: ")
                && message.contains("the XML of entry word/document.xml is damaged"),
            "«{inserted}»: {message}"
        );
    }
}
