//! Cells come from Word and Excel files written by hand: whatever they hold, parsing a time
//! frame and resolving agencies must answer, never panic, and keep the text in NFC.

use std::sync::LazyLock;

use chrono::NaiveDate;
use dongbo_domain::{AgencyResolver, Directory, TimeFrame};
use proptest::prelude::*;
use unicode_normalization::{UnicodeNormalization, is_nfc};

static RESOLVER: LazyLock<AgencyResolver> =
    LazyLock::new(|| AgencyResolver::new(&Directory::bundled()));

/// Text near what cells hold: Vietnamese words with and without their marks, decomposed
/// marks, digits, dashes and the punctuation resolvers and parsers split on.
fn cell_like_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("Bộ".to_owned()),
        Just("Bô\u{323}".to_owned()),
        Just("các".to_owned()),
        Just("bộ, ngành".to_owned()),
        Just("địa phương".to_owned()),
        Just("liên quan".to_owned()),
        Just("Văn hóa, Thể thao và Du lịch".to_owned()),
        Just("Lao động - Thương binh".to_owned()),
        Just("và".to_owned()),
        Just("Quý".to_owned()),
        Just("Tháng".to_owned()),
        Just("năm".to_owned()),
        Just("đến".to_owned()),
        Just("Hằng năm".to_owned()),
        Just("Q".to_owned()),
        "[0-9]{1,6}",
        "[,;/.()&\\-–— \n\t]",
        "\\PC{1,4}",
    ];
    proptest::collection::vec(pieces, 0..12).prop_map(|pieces| pieces.join(" "))
}

fn any_day() -> impl Strategy<Value = NaiveDate> {
    (1900i32..2200, 1u32..=365).prop_map(|(year, ordinal)| {
        NaiveDate::from_yo_opt(year, ordinal).expect("day 1..=365 exists every year")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsing_any_unicode_time_frame_answers_with_its_text_in_nfc(text in any::<String>()) {
        let frame = TimeFrame::parse(&text);
        prop_assert!(is_nfc(&frame.text));
        if let (Some(start), Some(due)) = (frame.start, frame.due) {
            prop_assert!(start <= due);
        }
    }

    #[test]
    fn parsing_cell_like_time_frames_never_panics(text in cell_like_text()) {
        let frame = TimeFrame::parse(&text);
        prop_assert!(is_nfc(&frame.text));
    }

    #[test]
    fn resolving_any_unicode_answers_with_its_text_in_nfc(
        text in any::<String>(),
        as_of in any_day(),
    ) {
        let resolution = RESOLVER.resolve(&text, as_of);
        prop_assert!(is_nfc(&resolution.text));
        prop_assert!(resolution.unresolved.iter().all(|fragment| is_nfc(fragment)));
    }

    #[test]
    fn resolving_cell_like_text_keeps_every_fragment_from_the_text(
        text in cell_like_text(),
        as_of in any_day(),
    ) {
        let resolution = RESOLVER.resolve(&text, as_of);
        prop_assert!(is_nfc(&resolution.text));
        for fragment in &resolution.unresolved {
            prop_assert!(!fragment.is_empty());
            prop_assert!(resolution.text.contains(fragment.as_str()));
        }
    }

    #[test]
    fn decomposed_text_resolves_like_composed_text(text in cell_like_text(), as_of in any_day()) {
        let decomposed: String = text.nfd().collect();
        prop_assert_eq!(RESOLVER.resolve(&decomposed, as_of), RESOLVER.resolve(&text, as_of));
    }
}
