//! Never panics: every parser of the library — text extraction of each kind of file, and each
//! catalogue format — is given arbitrary bytes (and damaged real files) and must answer with
//! text or an error, within its time limit.

mod common;

use std::time::Duration;

use dongbo_library::catalogue::{Format, count_rows};
use dongbo_library::encoding;
use dongbo_library::extract::{ExtractLimits, extract};
use proptest::prelude::*;

fn limits() -> ExtractLimits {
    ExtractLimits {
        time: Duration::from_secs(10),
        ..ExtractLimits::default()
    }
}

/// Bytes that are a real file of the kind with some bytes changed, or random ones.
fn damaged(original: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = original.len();
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        prop::collection::vec((0..len, any::<u8>()), 1..20).prop_map(move |changes| {
            let mut bytes = original.clone();
            for (at, byte) in changes {
                bytes[at] = byte;
            }
            bytes
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn pdf_extraction_never_panics(bytes in damaged(common::image_only_pdf())) {
        let _ = extract(&bytes, "f.pdf", &limits());
    }

    #[test]
    fn docx_extraction_never_panics(bytes in damaged(common::docx(&["Tiêu đề", "Nội dung."]))) {
        let _ = extract(&bytes, "f.docx", &limits());
    }

    #[test]
    fn html_extraction_never_panics(text in ".{0,400}", bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = extract(format!("<html><title>{text}</title><p>{text}</p>").as_bytes(), "f.html", &limits());
        let _ = extract(&bytes, "f.html", &limits());
    }

    #[test]
    fn text_and_markdown_extraction_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = extract(&bytes, "f.txt", &limits());
        let _ = extract(&bytes, "f.md", &limits());
    }

    #[test]
    fn legacy_decoding_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = encoding::decode(&bytes);
        for legacy in encoding::Legacy::ALL {
            let _ = legacy.decode(&bytes);
        }
    }

    #[test]
    fn csv_catalogues_never_panic(text in "[a-z_,;\"\n\t ]{0,300}", bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = count_rows(format!("title,kind\n{text}").as_bytes(), Format::Csv, "c.csv");
        let _ = count_rows(&bytes, Format::Csv, "c.csv");
    }

    #[test]
    fn json_lines_catalogues_never_panic(text in "[{}\\[\\]\":,a-z0-9 \n]{0,300}") {
        let _ = count_rows(text.as_bytes(), Format::Jsonl, "c.jsonl");
    }

    #[test]
    fn xlsx_catalogues_never_panic(bytes in damaged(xlsx())) {
        let _ = count_rows(&bytes, Format::Xlsx, "c.xlsx");
    }
}

fn xlsx() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "title").unwrap();
    sheet.write_string(0, 1, "kind").unwrap();
    sheet.write_string(1, 0, "Báo cáo").unwrap();
    sheet.write_string(1, 1, "report").unwrap();
    workbook.save_to_buffer().unwrap()
}
