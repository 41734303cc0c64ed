//! Vietnamese text at the boundaries: NFC normalisation, the folding used for
//! diacritic-insensitive matching and search (đ → d), and [`Text`], a message for users in
//! both languages.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A message for a user in the two languages of Đồng Bộ: Vietnamese first, English beside it.
/// Rules that refuse something say why with one of these, so that every layer above words
/// the refusal the same way in either language.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text {
    pub vi: String,
    pub en: String,
}

impl Text {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            vi: vi.into(),
            en: en.into(),
        }
    }
}

/// Both languages in one line, "Vietnamese (English)": the form the store's error messages
/// have always had, for a reader who has only one string to show.
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.vi, self.en)
    }
}

/// The first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV
/// injection"): `=`, `+`, `-`, `@`, a tab or a carriage return.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as every CSV Đồng Bộ writes it: behind an apostrophe when a spreadsheet would run it
/// as a formula (a username starting with `-`, a task title starting with `=`), which
/// spreadsheets show as text. [`from_csv_cell`] reads it back.
pub fn csv_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A cell of a CSV as [`csv_cell`] wrote it: the apostrophe before a formula's first character
/// taken away.
pub fn from_csv_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// The text in Unicode NFC, the one form Đồng Bộ stores and compares.
pub fn nfc(text: &str) -> String {
    // Most text already is NFC; the quick check skips the composing pass for it.
    if unicode_normalization::is_nfc_quick(text.chars()) == unicode_normalization::IsNormalized::Yes
    {
        return text.to_owned();
    }
    text.nfc().collect()
}

/// Text as stored from a form: without surrounding white space, in NFC.
pub fn clean(text: &str) -> String {
    nfc(text.trim())
}

/// The text folded for matching: lower case, without diacritics (đ → d), dashes made `-`,
/// runs of white space made one space, trimmed. "Bộ Văn hóa, Thể thao và Du lịch" and
/// "BO VAN HOA, THE THAO VA DU LICH" fold to the same string.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c if c.is_whitespace() => {
                pending_space = !out.is_empty();
                continue;
            }
            c => c,
        };
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_csv_cell_that_a_spreadsheet_would_run_is_written_as_text_and_read_back() {
        for formula in ["=1+1", "+84", "-5", "@SUM(A1)", "\tx", "\rx"] {
            let written = csv_cell(formula);
            assert_eq!(written, format!("'{formula}"));
            assert_eq!(from_csv_cell(&written), formula);
        }
        for plain in ["Bộ Ngoại giao", "1.2", "'trích dẫn'", ""] {
            assert_eq!(csv_cell(plain), plain);
            assert_eq!(from_csv_cell(plain), plain);
        }
    }

    use super::*;

    #[test]
    fn fold_removes_diacritics_and_maps_d_with_stroke() {
        assert_eq!(
            fold("Bộ Văn hóa, Thể thao và Du lịch"),
            "bo van hoa, the thao va du lich"
        );
        assert_eq!(fold("ĐÀI TIẾNG NÓI VIỆT NAM"), "dai tieng noi viet nam");
        assert_eq!(fold("Đắk Lắk"), "dak lak");
    }

    #[test]
    fn fold_treats_decomposed_and_composed_forms_alike() {
        let composed = "Thường xuyên";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(fold(composed), fold(&decomposed));
    }

    #[test]
    fn fold_collapses_white_space_and_unifies_dashes() {
        assert_eq!(fold("  2024\u{2013}2026 \n "), "2024-2026");
        assert_eq!(fold("Lao động  -\tThương binh"), "lao dong - thuong binh");
    }

    #[test]
    fn a_text_in_one_line_is_the_vietnamese_with_the_english_in_brackets() {
        let text = Text::new("Báo cáo trống", "the report is empty");
        assert_eq!(text.to_string(), "Báo cáo trống (the report is empty)");
    }

    #[test]
    fn nfc_composes_decomposed_vietnamese() {
        let decomposed: String = "Hà Nội".nfd().collect();
        assert_eq!(nfc(&decomposed), "Hà Nội");
    }
}
