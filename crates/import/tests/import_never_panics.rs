//! `import` returns a value or an error for any bytes, in every format: it never panics.

mod common;

use common::directory;
use dongbo_domain::Directory;
use dongbo_import::{Format, import};
use proptest::prelude::*;

const FORMATS: [Format; 8] = [
    Format::Auto,
    Format::FlatText,
    Format::Markdown,
    Format::Html,
    Format::Csv,
    Format::Xlsx,
    Format::Docx,
    Format::Prose,
];

fn import_all(bytes: &[u8], directory: &Directory) {
    for format in FORMATS {
        let _ = import(bytes, "input", format, directory);
    }
}

/// Text made of the pieces tables are built from, so the readers go past their first check.
fn table_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("STT".to_owned()),
        Just("Tên nhiệm vụ".to_owned()),
        Just("Cơ quan chủ trì".to_owned()),
        Just("Thời gian thực hiện".to_owned()),
        Just("PHỤ LỤC".to_owned()),
        Just("|".to_owned()),
        Just("|---|---|".to_owned()),
        Just("<table><tr><td>".to_owned()),
        Just(",".to_owned()),
        Just(";".to_owned()),
        Just("\n".to_owned()),
        Just("**".to_owned()),
        "(I|II|1|1\\.1|2\\.10|7\\.1|)".prop_map(|s| s),
        "[a-zA-Zà-ỹ ,;|\\-]{0,12}".prop_map(|s| s),
        Just("Hằng năm".to_owned()),
        Just("2024 - 2026".to_owned()),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn import_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        import_all(&bytes, &directory());
    }

    #[test]
    fn import_never_panics_on_table_like_text(text in table_like(), name in "(x\\.md|x\\.csv|x\\.html|x\\.txt)") {
        let directory = directory();
        for format in FORMATS {
            let _ = import(text.as_bytes(), &name, format, &directory);
        }
    }

    #[test]
    fn import_never_panics_on_zip_like_bytes(tail in proptest::collection::vec(any::<u8>(), 0..256)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        import_all(&bytes, &directory());
    }
}
