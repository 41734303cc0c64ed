//! The PDF's font: every Vietnamese letter, in regular, bold, italic and bold italic, comes back
//! out of the PDF as it went in, and a page looks like the reference image (Liberation Serif,
//! embedded; Times New Roman's metrics).

use std::process::Command;

use chrono::NaiveDate;
use dongbo_publish::{Block, Issuer, OfficialDocument, Signature, pdf};
use unicode_normalization::UnicodeNormalization;

/// The twelve vowels, each with no tone and the five tones (huyền, sắc, hỏi, ngã, nặng), and đ.
const VOWELS: [[&str; 6]; 12] = [
    ["a", "à", "á", "ả", "ã", "ạ"],
    ["ă", "ằ", "ắ", "ẳ", "ẵ", "ặ"],
    ["â", "ầ", "ấ", "ẩ", "ẫ", "ậ"],
    ["e", "è", "é", "ẻ", "ẽ", "ẹ"],
    ["ê", "ề", "ế", "ể", "ễ", "ệ"],
    ["i", "ì", "í", "ỉ", "ĩ", "ị"],
    ["o", "ò", "ó", "ỏ", "õ", "ọ"],
    ["ô", "ồ", "ố", "ổ", "ỗ", "ộ"],
    ["ơ", "ờ", "ớ", "ở", "ỡ", "ợ"],
    ["u", "ù", "ú", "ủ", "ũ", "ụ"],
    ["ư", "ừ", "ứ", "ử", "ữ", "ự"],
    ["y", "ỳ", "ý", "ỷ", "ỹ", "ỵ"],
];

/// Every lower-case letter with a diacritic: the 60 toned vowels, the six toneless ă â ê ô ơ
/// ư, and đ — 67; with their capitals, 134.
fn letters() -> Vec<String> {
    let mut lower: Vec<String> = Vec::new();
    for row in VOWELS {
        for (tone, letter) in row.iter().enumerate() {
            // The bare vowel counts only when it carries a mark of its own (ă, â, ê, ô, ơ, ư).
            if tone > 0 || !letter.is_ascii() {
                lower.push((*letter).to_owned());
            }
        }
    }
    lower.push("đ".to_owned());
    let upper: Vec<String> = lower.iter().map(|l| l.to_uppercase()).collect();
    lower.into_iter().chain(upper).collect()
}

#[test]
fn there_are_134_letters_with_diacritics_each_one_character() {
    let letters = letters();
    assert_eq!(letters.len(), 134);
    let unique: std::collections::BTreeSet<&String> = letters.iter().collect();
    assert_eq!(unique.len(), 134);
    for letter in &letters {
        let nfc: String = letter.nfc().collect();
        assert_eq!(
            nfc.chars().count(),
            1,
            "«{letter}» is one precomposed letter"
        );
        assert!(!letter.is_ascii());
    }
}

/// A style's name and the block that sets a text in it.
type Style = (&'static str, fn(String) -> Block);

/// The four styles the documents use, as the block that sets each (`pdf.typ`: level 1 headings
/// bold, level 2 bold italic, level 3 italic; paragraphs regular).
fn styles() -> [Style; 4] {
    [
        ("regular", Block::Paragraph),
        ("bold", |text| Block::Heading { level: 1, text }),
        ("bold italic", |text| Block::Heading { level: 2, text }),
        ("italic", |text| Block::Heading { level: 3, text }),
    ]
}

fn document(body: Vec<Block>) -> OfficialDocument {
    OfficialDocument {
        issuer: Issuer {
            superior: None,
            name: "Bộ Văn hóa, Thể thao và Du lịch".into(),
            abbreviation: "BVHTTDL".into(),
        },
        number: "1/BC-BVHTTDL".into(),
        place: "Hà Nội".into(),
        date: NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
        kind: "Báo cáo".into(),
        title: "Chữ tiếng Việt".into(),
        body,
        recipients: vec!["Lưu: VT.".into()],
        signature: Signature {
            authority: None,
            on_behalf_of: String::new(),
            position: "BỘ TRƯỞNG".into(),
            name: "Nguyễn Văn A".into(),
        },
        annexes: Vec::new(),
    }
}

/// `pdftotext`/`pdftoppm` as Debian's poppler-utils installs them (`cargo xtask test` installs
/// it); under CI a missing one fails.
fn poppler(tool: &str) -> Option<std::path::PathBuf> {
    let path = std::path::PathBuf::from(format!("/usr/bin/{tool}"));
    if path.exists() {
        return Some(path);
    }
    assert!(
        !dongbo_testkit::in_ci(),
        "the PDF font tests need {tool} (cargo xtask test installs poppler-utils)"
    );
    dongbo_testkit::skip::skip(&format!("{tool} is not installed (poppler-utils)"));
    None
}

fn pdftotext(bytes: &[u8]) -> Option<String> {
    let tool = poppler("pdftotext")?;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, bytes).unwrap();
    let output = Command::new(tool)
        .arg("-enc")
        .arg("UTF-8")
        .arg(&input)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(output.status.success(), "{output:?}");
    Some(
        String::from_utf8(output.stdout)
            .expect("UTF-8")
            .nfc()
            .collect(),
    )
}

#[test]
fn every_vietnamese_letter_comes_back_out_of_the_pdf_in_every_style() {
    let letters = letters();
    assert_eq!(letters.len(), 134);
    let line = letters.join(" ");
    for (style, block) in styles() {
        // The letters alone in the style, between two markers of the same style.
        let bytes = pdf::render(&document(vec![block(format!("«{line}»"))])).unwrap();
        let Some(text) = pdftotext(&bytes) else {
            return;
        };
        // Letters, not spacing: justified lines of single letters may come back with a space
        // dropped between two of them, which is the text extractor's guess, not the font's.
        let start = text.find('«').expect("the opening marker") + '«'.len_utf8();
        let end = text.rfind('»').expect("the closing marker");
        let got: Vec<char> = text[start..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let want: Vec<char> = letters.iter().flat_map(|l| l.nfc()).collect();
        assert_eq!(got.len(), 134, "{style}: {}", &text[start..end]);
        for (want, got) in want.iter().zip(&got) {
            assert_eq!(got, want, "{style}: «{want}» came back as «{got}»");
        }
    }
}

#[test]
fn the_pdf_embeds_liberation_serif_in_its_four_faces_and_nothing_else() {
    let letters = letters().join(" ");
    let body = styles().map(|(_, block)| block(letters.clone())).to_vec();
    let bytes = pdf::render(&document(body)).unwrap();
    let Some(tool) = poppler("pdffonts") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, bytes).unwrap();
    let output = Command::new(tool)
        .arg(&input)
        .output()
        .expect("pdffonts runs");
    assert!(output.status.success(), "{output:?}");
    let listing = String::from_utf8(output.stdout).unwrap();
    // name, type, encoding, emb, sub, uni, object, ID — after two heading lines.
    let fonts: Vec<Vec<&str>> = listing
        .lines()
        .skip(2)
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert!(
        fonts
            .iter()
            .all(|f| f.len() >= 8 && f[f.len() - 5] == "yes"),
        "every font embedded: {listing}"
    );
    let mut names: Vec<&str> = fonts
        .iter()
        .map(|f| f[0].split_once('+').map_or(f[0], |(_, face)| face))
        .collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names,
        [
            "LiberationSerif",
            "LiberationSerif-Bold",
            "LiberationSerif-BoldItalic",
            "LiberationSerif-Italic"
        ],
        "{names:?}"
    );
}

/// The page the reference image shows: the 134 letters in the four styles.
fn reference_document() -> OfficialDocument {
    let letters = letters().join(" ");
    document(styles().map(|(_, block)| block(letters.clone())).to_vec())
}

/// Where the reference image is kept; `DONGBO_WRITE_REFERENCE=1` writes it again (after a
/// deliberate change of the layout, looked at by a person before it is committed).
const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/letters.png");
/// 150 dpi: a dot below a letter (the nặng tone, the smallest mark) is about 3 × 3 pixels.
const DPI: &str = "150";

/// The first page of `document`, as `pdftoppm` draws it in grey levels.
fn first_page(document: &OfficialDocument) -> Option<Vec<u8>> {
    let tool = poppler("pdftoppm")?;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, pdf::render(document).unwrap()).unwrap();
    let status = Command::new(tool)
        .args([
            "-png",
            "-gray",
            "-r",
            DPI,
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
        ])
        .arg(&input)
        .arg(dir.path().join("page"))
        .status()
        .expect("pdftoppm runs");
    assert!(status.success());
    Some(std::fs::read(dir.path().join("page.png")).unwrap())
}

/// Width, height and one grey level per pixel.
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut pixels).expect("a frame");
    pixels.truncate(info.buffer_size());
    let grey = match info.color_type {
        png::ColorType::Grayscale => pixels,
        png::ColorType::GrayscaleAlpha => pixels.chunks(2).map(|p| p[0]).collect(),
        png::ColorType::Rgb => pixels.chunks(3).map(|p| p[1]).collect(),
        png::ColorType::Rgba => pixels.chunks(4).map(|p| p[1]).collect(),
        other => panic!("an unexpected PNG colour type {other:?}"),
    };
    (info.width, info.height, grey)
}

/// Pixels whose grey level differs by more than this are counted as different: less than the
/// difference between ink and paper at a glyph's edge, more than anti-aliasing noise.
const INK: u8 = 96;
/// At most this many different pixels. The smallest mark a wrong or incomplete font would lose
/// — the dot below «ạ» — is about 9 pixels at 150 dpi, a wrong font moves whole lines of
/// glyphs (thousands), and the same PDF drawn by the same pdftoppm differs by none: the
/// negative checks below show both mistakes fail.
const TOLERANCE: usize = 4;

/// How many pixels differ between two images of the same size (`None`: not the same size).
fn different_pixels(a: &[u8], b: &[u8]) -> Option<usize> {
    let (aw, ah, a) = decode(a);
    let (bw, bh, b) = decode(b);
    ((aw, ah) == (bw, bh)).then(|| {
        a.iter()
            .zip(&b)
            .filter(|(x, y)| x.abs_diff(**y) > INK)
            .count()
    })
}

#[test]
fn a_page_looks_like_the_reference_image() {
    let Some(page) = first_page(&reference_document()) else {
        return;
    };
    if std::env::var_os("DONGBO_WRITE_REFERENCE").is_some() {
        std::fs::create_dir_all(std::path::Path::new(REFERENCE).parent().unwrap()).unwrap();
        std::fs::write(REFERENCE, &page).unwrap();
    }
    let reference = std::fs::read(REFERENCE).expect("the committed reference image");
    let differing = different_pixels(&page, &reference).expect("the reference's size");
    assert!(
        differing <= TOLERANCE,
        "{differing} pixels differ from {REFERENCE}"
    );

    // The tolerance catches a lost mark: the dot below one «ạ» (same width as «a», so nothing
    // else on the page moves) ...
    let mut without_dot = reference_document();
    if let Block::Paragraph(text) = &mut without_dot.body[0] {
        *text = text.replacen('ạ', "a", 1);
    }
    let page = first_page(&without_dot).unwrap();
    let differing = different_pixels(&page, &reference).unwrap();
    assert!(
        differing > TOLERANCE,
        "a lost dot below: {differing} pixels"
    );

    // ... and another face: the regular line set in bold, as a wrong font would set it.
    let mut other_face = reference_document();
    if let Block::Paragraph(text) = other_face.body[0].clone() {
        other_face.body[0] = Block::Heading { level: 1, text };
    }
    let page = first_page(&other_face).unwrap();
    let differing = different_pixels(&page, &reference).map_or(usize::MAX, |n| n);
    assert!(differing > 1000, "another face: {differing} pixels");
}
