//! Text files at the boundary: UTF-8 (with or without a byte-order mark), and the legacy
//! Vietnamese encodings still met in agencies' archives — TCVN3 (ABC, the `.Vn` fonts), VNI
//! (the `VNI-` fonts) and VISCII — detected and converted to Unicode.
//!
//! A legacy text reaches us two ways: as bytes that are not UTF-8 (a `.txt` saved in the old
//! code page), or as UTF-8 whose characters are the legacy bytes read as Latin-1 (a Word file
//! typed in a `.VnTime` font: "Céng hßa x· héi chñ nghÜa ViÖt Nam"). Both are decoded with
//! each legacy table and the decoding that makes the most well-formed Vietnamese syllables
//! wins ([`best_legacy`]); a text that reads better as it is stays as it is.
//!
//! The VISCII and TCVN3 tables below were derived from glibc's `iconv` (`VISCII` and
//! `TCVN5712-1`, one byte at a time; TCVN3 is the lower-case half of TCVN 5712 VN1, which
//! `iconv` implements); the VNI scheme — a base letter followed by a mark byte — is written
//! out in `vni_marks`. The tests encode known sentences with the tables and decode them back.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// A legacy Vietnamese encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Legacy {
    /// TCVN 5712:1993 VN3, "ABC" (the `.VnTime` fonts).
    Tcvn3,
    /// VNI Windows (the `VNI-Times` fonts).
    Vni,
    Viscii,
}

impl Legacy {
    pub const ALL: [Legacy; 3] = [Legacy::Tcvn3, Legacy::Vni, Legacy::Viscii];

    /// The name users know it by.
    pub fn name(self) -> &'static str {
        match self {
            Legacy::Tcvn3 => "TCVN3 (ABC)",
            Legacy::Vni => "VNI",
            Legacy::Viscii => "VISCII",
        }
    }

    /// Decodes `bytes` (or characters up to U+00FF taken as bytes) in this encoding, NFC.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Legacy::Tcvn3 => bytes
                .iter()
                .map(|&b| table_char(&TCVN3, b))
                .collect::<String>(),
            Legacy::Viscii => bytes
                .iter()
                .map(|&b| table_char(&VISCII, b))
                .collect::<String>(),
            Legacy::Vni => vni_decode(bytes),
        }
        .nfc()
        .collect()
    }
}

impl fmt::Display for Legacy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why bytes are not text we keep.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error(
        "line {line}: the text is not UTF-8 (invalid byte at offset {offset}), nor a legacy \
         Vietnamese encoding we recognise; save the file as UTF-8"
    )]
    NotUtf8 { line: usize, offset: usize },
}

/// What [`decode`] made of some bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// NFC, line endings `\n`.
    pub text: String,
    /// The legacy encoding the text was converted from, if it was.
    pub converted_from: Option<Legacy>,
}

/// Bytes of a text file → Unicode text: UTF-8 as is, a legacy Vietnamese text (bytes, or
/// Latin-1 letters standing for legacy bytes) converted; anything else refused naming the
/// first bad byte.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(repair(&normalise_lines(text))),
        Err(error) => {
            if let Some(legacy) = best_legacy(bytes, None) {
                return Ok(Decoded {
                    text: normalise_lines(&legacy.decode(bytes)),
                    converted_from: Some(legacy),
                });
            }
            let offset = error.valid_up_to();
            Err(DecodeError::NotUtf8 {
                line: 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count(),
                offset,
            })
        }
    }
}

/// Unicode text that may be a legacy text read as Latin-1 (a document typed in a legacy
/// font): converted when a legacy decoding reads better; else the text, NFC.
pub fn repair(text: &str) -> Decoded {
    let text: String = text.nfc().collect();
    // Only a text whose every character fits in a byte can be legacy bytes in disguise.
    let bytes: Option<Vec<u8>> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect();
    if let Some(bytes) = bytes
        && let Some(legacy) = best_legacy(&bytes, Some(&text))
    {
        return Decoded {
            text: legacy.decode(&bytes),
            converted_from: Some(legacy),
        };
    }
    Decoded {
        text,
        converted_from: None,
    }
}

/// The legacy encoding `bytes` read best in, if one reads as Vietnamese: at least three words
/// with letters beyond ASCII, most of them well-formed syllables, and better than `as_is`
/// (the text as the file gave it, when it was valid Unicode).
pub fn best_legacy(bytes: &[u8], as_is: Option<&str>) -> Option<Legacy> {
    if bytes.iter().all(u8::is_ascii) {
        return None;
    }
    let baseline = as_is.map_or(i64::MIN, |text| syllable_score(text).score());
    Legacy::ALL
        .into_iter()
        .map(|legacy| (legacy, syllable_score(&legacy.decode(bytes))))
        .filter(|(_, s)| s.good >= 3 && s.good * 10 >= (s.good + s.bad) * 7)
        .filter(|(_, s)| s.score() > baseline)
        .max_by_key(|(_, s)| s.score())
        .map(|(legacy, _)| legacy)
}

/// Words with letters beyond ASCII that are, or are not, well-formed Vietnamese syllables.
#[derive(Debug, Clone, Copy, Default)]
struct Score {
    good: i64,
    bad: i64,
}

impl Score {
    fn score(self) -> i64 {
        self.good - 2 * self.bad
    }
}

fn syllable_score(text: &str) -> Score {
    let mut score = Score::default();
    // A word is what lies between spaces, with its punctuation: a legacy byte that became a
    // symbol ("Vi®t") spoils its word.
    for word in text.split_whitespace() {
        let word = word.trim_matches(|c: char| c.is_ascii_punctuation());
        if word.is_empty() || word.is_ascii() {
            continue;
        }
        if is_syllable(word) {
            score.good += 1;
        } else {
            score.bad += 1;
        }
    }
    score
}

/// Whether `word` is one Vietnamese syllable: at most 7 letters, each an ASCII letter or a
/// Vietnamese one, with at most one tone mark, and marks only on vowels.
fn is_syllable(word: &str) -> bool {
    let mut letters = 0;
    let mut tones = 0;
    let mut previous: Option<char> = None;
    for c in word.nfd() {
        match c {
            '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}' => {
                tones += 1;
                if !previous.is_some_and(is_vowel) {
                    return false;
                }
            }
            '\u{0302}' | '\u{0306}' | '\u{031B}' => {
                if !previous.is_some_and(is_vowel) {
                    return false;
                }
            }
            'đ' | 'Đ' => {
                letters += 1;
                previous = Some(c);
            }
            c if c.is_ascii_alphabetic() => {
                letters += 1;
                previous = Some(c);
            }
            _ => return false,
        }
    }
    (1..=7).contains(&letters) && tones <= 1
}

fn is_vowel(c: char) -> bool {
    matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

fn normalise_lines(text: &str) -> String {
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_owned()
    };
    text.nfc().collect()
}

fn table_char(table: &[u16; 256], byte: u8) -> char {
    char::from_u32(u32::from(table[usize::from(byte)])).unwrap_or('\u{FFFD}')
}

/// The combining marks a VNI mark byte (read as Latin-1) adds to the vowel before it, and
/// which vowels take it: tones on any vowel, the circumflex group on a/e/o, the breve group
/// on a.
fn vni_marks(mark: char) -> Option<(&'static [char], &'static str)> {
    const ACUTE: char = '\u{0301}';
    const GRAVE: char = '\u{0300}';
    const HOOK: char = '\u{0309}';
    const TILDE: char = '\u{0303}';
    const DOT: char = '\u{0323}';
    const CIRC: char = '\u{0302}';
    const BREVE: char = '\u{0306}';
    const TONED: &str = "aeouyAEOUYơưƠƯ";
    Some(match mark {
        'ù' | 'Ù' => (&[ACUTE], TONED),
        'ø' | 'Ø' => (&[GRAVE], TONED),
        'û' | 'Û' => (&[HOOK], TONED),
        'õ' | 'Õ' => (&[TILDE], TONED),
        'ï' | 'Ï' => (&[DOT], TONED),
        'â' | 'Â' => (&[CIRC], "aeoAEO"),
        'á' | 'Á' => (&[CIRC, ACUTE], "aeoAEO"),
        'à' | 'À' => (&[CIRC, GRAVE], "aeoAEO"),
        'å' | 'Å' => (&[CIRC, HOOK], "aeoAEO"),
        'ã' | 'Ã' => (&[CIRC, TILDE], "aeoAEO"),
        'ä' | 'Ä' => (&[CIRC, DOT], "aeoAEO"),
        'ê' | 'Ê' => (&[BREVE], "aA"),
        'é' | 'É' => (&[BREVE, ACUTE], "aA"),
        'è' | 'È' => (&[BREVE, GRAVE], "aA"),
        'ú' | 'Ú' => (&[BREVE, HOOK], "aA"),
        'ü' | 'Ü' => (&[BREVE, TILDE], "aA"),
        'ë' | 'Ë' => (&[BREVE, DOT], "aA"),
        _ => return None,
    })
}

/// A VNI letter that stands alone (not a mark): ơ, ư, the i's with a tone, ỵ, đ.
fn vni_letter(c: char) -> Option<char> {
    Some(match c {
        'ô' => 'ơ',
        'Ô' => 'Ơ',
        'ö' => 'ư',
        'Ö' => 'Ư',
        'æ' => 'ỉ',
        'Æ' => 'Ỉ',
        'ó' => 'ĩ',
        'Ó' => 'Ĩ',
        'ò' => 'ị',
        'Ò' => 'Ị',
        'î' => 'ỵ',
        'Î' => 'Ỵ',
        'ñ' => 'đ',
        'Ñ' => 'Đ',
        _ => return None,
    })
}

fn vni_decode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    // The last base letter written, while marks may still follow it.
    let mut base: Option<char> = None;
    for &byte in bytes {
        let c = char::from(byte);
        if let Some(b) = base
            && let Some((marks, bases)) = vni_marks(c)
            && bases.contains(b)
        {
            out.extend(marks);
            // A tone may follow ơ/ư's horn, never a second tone: one mark byte per letter.
            base = None;
            continue;
        }
        let letter = vni_letter(c).unwrap_or(c);
        out.push(letter);
        base = Some(letter);
    }
    out
}

const VISCII: [u16; 256] = [
    0x0000, 0x0001, 0x1eb2, 0x0003, 0x0004, 0x1eb4, 0x1eaa, 0x0007, 0x0008, 0x0009, 0x000a, 0x000b,
    0x000c, 0x000d, 0x000e, 0x000f, 0x0010, 0x0011, 0x0012, 0x0013, 0x1ef6, 0x0015, 0x0016, 0x0017,
    0x0018, 0x1ef8, 0x001a, 0x001b, 0x001c, 0x001d, 0x1ef4, 0x001f, 0x0020, 0x0021, 0x0022, 0x0023,
    0x0024, 0x0025, 0x0026, 0x0027, 0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f,
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, 0x0038, 0x0039, 0x003a, 0x003b,
    0x003c, 0x003d, 0x003e, 0x003f, 0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
    0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f, 0x0050, 0x0051, 0x0052, 0x0053,
    0x0054, 0x0055, 0x0056, 0x0057, 0x0058, 0x0059, 0x005a, 0x005b, 0x005c, 0x005d, 0x005e, 0x005f,
    0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067, 0x0068, 0x0069, 0x006a, 0x006b,
    0x006c, 0x006d, 0x006e, 0x006f, 0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
    0x0078, 0x0079, 0x007a, 0x007b, 0x007c, 0x007d, 0x007e, 0x007f, 0x1ea0, 0x1eae, 0x1eb0, 0x1eb6,
    0x1ea4, 0x1ea6, 0x1ea8, 0x1eac, 0x1ebc, 0x1eb8, 0x1ebe, 0x1ec0, 0x1ec2, 0x1ec4, 0x1ec6, 0x1ed0,
    0x1ed2, 0x1ed4, 0x1ed6, 0x1ed8, 0x1ee2, 0x1eda, 0x1edc, 0x1ede, 0x1eca, 0x1ece, 0x1ecc, 0x1ec8,
    0x1ee6, 0x0168, 0x1ee4, 0x1ef2, 0x00d5, 0x1eaf, 0x1eb1, 0x1eb7, 0x1ea5, 0x1ea7, 0x1ea9, 0x1ead,
    0x1ebd, 0x1eb9, 0x1ebf, 0x1ec1, 0x1ec3, 0x1ec5, 0x1ec7, 0x1ed1, 0x1ed3, 0x1ed5, 0x1ed7, 0x1ee0,
    0x01a0, 0x1ed9, 0x1edd, 0x1edf, 0x1ecb, 0x1ef0, 0x1ee8, 0x1eea, 0x1eec, 0x01a1, 0x1edb, 0x01af,
    0x00c0, 0x00c1, 0x00c2, 0x00c3, 0x1ea2, 0x0102, 0x1eb3, 0x1eb5, 0x00c8, 0x00c9, 0x00ca, 0x1eba,
    0x00cc, 0x00cd, 0x0128, 0x1ef3, 0x0110, 0x1ee9, 0x00d2, 0x00d3, 0x00d4, 0x1ea1, 0x1ef7, 0x1eeb,
    0x1eed, 0x00d9, 0x00da, 0x1ef9, 0x1ef5, 0x00dd, 0x1ee1, 0x01b0, 0x00e0, 0x00e1, 0x00e2, 0x00e3,
    0x1ea3, 0x0103, 0x1eef, 0x1eab, 0x00e8, 0x00e9, 0x00ea, 0x1ebb, 0x00ec, 0x00ed, 0x0129, 0x1ec9,
    0x0111, 0x1ef1, 0x00f2, 0x00f3, 0x00f4, 0x00f5, 0x1ecf, 0x1ecd, 0x1ee5, 0x00f9, 0x00fa, 0x0169,
    0x1ee7, 0x00fd, 0x1ee3, 0x1eee,
];

const TCVN3: [u16; 256] = [
    0x0000, 0x00da, 0x1ee4, 0x0003, 0x1eea, 0x1eec, 0x1eee, 0x0007, 0x0008, 0x0009, 0x000a, 0x000b,
    0x000c, 0x000d, 0x000e, 0x000f, 0x0010, 0x1ee8, 0x1ef0, 0x1ef2, 0x1ef6, 0x1ef8, 0x00dd, 0x1ef4,
    0x0018, 0x0019, 0x001a, 0x001b, 0x001c, 0x001d, 0x001e, 0x001f, 0x0020, 0x0021, 0x0022, 0x0023,
    0x0024, 0x0025, 0x0026, 0x0027, 0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f,
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, 0x0038, 0x0039, 0x003a, 0x003b,
    0x003c, 0x003d, 0x003e, 0x003f, 0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
    0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f, 0x0050, 0x0051, 0x0052, 0x0053,
    0x0054, 0x0055, 0x0056, 0x0057, 0x0058, 0x0059, 0x005a, 0x005b, 0x005c, 0x005d, 0x005e, 0x005f,
    0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067, 0x0068, 0x0069, 0x006a, 0x006b,
    0x006c, 0x006d, 0x006e, 0x006f, 0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
    0x0078, 0x0079, 0x007a, 0x007b, 0x007c, 0x007d, 0x007e, 0x007f, 0x00c0, 0x1ea2, 0x00c3, 0x00c1,
    0x1ea0, 0x1eb6, 0x1eac, 0x00c8, 0x1eba, 0x1ebc, 0x00c9, 0x1eb8, 0x1ec6, 0x00cc, 0x1ec8, 0x0128,
    0x00cd, 0x1eca, 0x00d2, 0x1ece, 0x00d5, 0x00d3, 0x1ecc, 0x1ed8, 0x1edc, 0x1ede, 0x1ee0, 0x1eda,
    0x1ee2, 0x00d9, 0x1ee6, 0x0168, 0x00a0, 0x0102, 0x00c2, 0x00ca, 0x00d4, 0x01a0, 0x01af, 0x0110,
    0x0103, 0x00e2, 0x00ea, 0x00f4, 0x01a1, 0x01b0, 0x0111, 0x1eb0, 0x0300, 0x0309, 0x0303, 0x0301,
    0x0323, 0x00e0, 0x1ea3, 0x00e3, 0x00e1, 0x1ea1, 0x1eb2, 0x1eb1, 0x1eb3, 0x1eb5, 0x1eaf, 0x1eb4,
    0x1eae, 0x1ea6, 0x1ea8, 0x1eaa, 0x1ea4, 0x1ec0, 0x1eb7, 0x1ea7, 0x1ea9, 0x1eab, 0x1ea5, 0x1ead,
    0x00e8, 0x1ec2, 0x1ebb, 0x1ebd, 0x00e9, 0x1eb9, 0x1ec1, 0x1ec3, 0x1ec5, 0x1ebf, 0x1ec7, 0x00ec,
    0x1ec9, 0x1ec4, 0x1ebe, 0x1ed2, 0x0129, 0x00ed, 0x1ecb, 0x00f2, 0x1ed4, 0x1ecf, 0x00f5, 0x00f3,
    0x1ecd, 0x1ed3, 0x1ed5, 0x1ed7, 0x1ed1, 0x1ed9, 0x1edd, 0x1edf, 0x1ee1, 0x1edb, 0x1ee3, 0x00f9,
    0x1ed6, 0x1ee7, 0x0169, 0x00fa, 0x1ee5, 0x1eeb, 0x1eed, 0x1eef, 0x1ee9, 0x1ef1, 0x1ef3, 0x1ef7,
    0x1ef9, 0x00fd, 0x1ef5, 0x1ed0,
];

#[cfg(test)]
mod tests {
    use super::*;

    const SENTENCE: &str = "Cộng hòa xã hội chủ nghĩa Việt Nam, độc lập tự do hạnh phúc: \
                            đường dương ướt ỷ lại Thừa Thiên Huế";

    /// The bytes of `text` in `table`'s encoding, for each character the table has.
    fn encode(table: &[u16; 256], text: &str) -> Vec<u8> {
        text.chars()
            .map(|c| {
                (0..=255u8)
                    .find(|&b| u32::from(table[usize::from(b)]) == u32::from(c))
                    .unwrap_or_else(|| panic!("«{c}» is not in the table"))
            })
            .collect()
    }

    /// VNI bytes written by hand from the scheme: base letter, then its mark byte.
    fn vni(text: &str) -> Vec<u8> {
        text.chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap())
            .collect()
    }

    #[test]
    fn tcvn3_and_viscii_bytes_are_detected_and_converted() {
        // TCVN3 has no capitals of its own: its fonts show them from a second font.
        let lower = SENTENCE.to_lowercase();
        let bytes = encode(&TCVN3, &lower);
        assert!(std::str::from_utf8(&bytes).is_err());
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.converted_from, Some(Legacy::Tcvn3));
        assert_eq!(decoded.text, lower);

        let bytes = encode(&VISCII, SENTENCE);
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.converted_from, Some(Legacy::Viscii));
        assert_eq!(decoded.text, SENTENCE);
    }

    #[test]
    fn vni_bytes_are_detected_and_converted() {
        let bytes = vni("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam, ñoäc laäp töï do haïnh phuùc");
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.converted_from, Some(Legacy::Vni));
        assert_eq!(
            decoded.text,
            "Cộng hòa xã hội chủ nghĩa Việt Nam, độc lập tự do hạnh phúc"
        );
        assert_eq!(Legacy::Vni.decode(&vni("Ñöôøng")), "Đường");
        assert_eq!(Legacy::Vni.decode(&vni("naêm ñaàu")), "năm đầu");
    }

    #[test]
    fn a_legacy_text_read_as_latin_1_is_repaired() {
        // What a Word file typed in .VnTime holds: the TCVN3 bytes as Latin-1 letters.
        let shown: String = encode(&TCVN3, &SENTENCE.to_lowercase())
            .into_iter()
            .map(char::from)
            .collect();
        assert!(shown.starts_with("céng hßa x· héi"), "{shown}");
        let repaired = repair(&shown);
        assert_eq!(repaired.converted_from, Some(Legacy::Tcvn3));
        assert_eq!(repaired.text, SENTENCE.to_lowercase());
    }

    #[test]
    fn unicode_vietnamese_and_other_languages_are_left_as_they_are() {
        for text in [
            SENTENCE,
            "Hoá đơn, thuý, hoà bình, khoẻ: tiếng Việt viết đúng.",
            "L'été à Paris, déjà vu, über straße, año niño, Zürich — crème brûlée.",
            "Polska: zażółć gęślą jaźń. Norsk: blåbærsyltetøy.",
            "Plain ASCII text without anything else.",
        ] {
            let decoded = decode(text.as_bytes()).unwrap();
            assert_eq!(decoded.converted_from, None, "{text}");
            assert_eq!(decoded.text, text.nfc().collect::<String>());
        }
    }

    #[test]
    fn bytes_that_are_neither_utf_8_nor_legacy_vietnamese_are_refused_with_their_place() {
        let error = decode(b"line one\nline two \xff\xfe\x00 end").unwrap_err();
        assert_eq!(
            error,
            DecodeError::NotUtf8 {
                line: 2,
                offset: 18
            }
        );
        assert!(error.to_string().contains("save the file as UTF-8"));
    }

    #[test]
    fn a_byte_order_mark_and_carriage_returns_are_dropped() {
        let decoded = decode(b"\xEF\xBB\xBFa\r\nb\rc").unwrap();
        assert_eq!(decoded.text, "a\nb\nc");
    }
}
