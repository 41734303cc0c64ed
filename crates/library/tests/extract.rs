//! Text extraction from real files and from bad ones: Vietnamese PDF text, an image-only PDF
//! kept with no text, an encrypted PDF and a DOCX zip bomb refused naming the file, HTML
//! without its scripts and navigation, legacy encodings converted, limits.

mod common;

use std::io::Write;

use dongbo_library::extract::{ExtractError, ExtractLimits, FileKind, extract};
use dongbo_store::library::TextStatus;

fn limits() -> ExtractLimits {
    ExtractLimits::default()
}

#[test]
fn a_vietnamese_pdf_gives_its_text_title_and_language() {
    let pdf = common::vietnamese_pdf(
        "Tăng cường thông tin đối ngoại",
        "Đường lối đối ngoại độc lập, tự chủ, hòa bình, hữu nghị.",
    );
    let extracted = extract(&pdf, "bao-cao.pdf", &limits()).unwrap();
    assert_eq!(extracted.kind, FileKind::Pdf);
    assert_eq!(extracted.status, TextStatus::Text);
    assert!(
        extracted.text.contains("Đường lối đối ngoại độc lập"),
        "{}",
        extracted.text
    );
    assert_eq!(extracted.language.as_deref(), Some("vi"));
    assert!(extracted.title.is_some());
}

#[test]
fn an_image_only_pdf_is_kept_with_no_text() {
    let extracted = extract(&common::image_only_pdf(), "scan.pdf", &limits()).unwrap();
    assert_eq!(extracted.status, TextStatus::NoText);
    assert!(extracted.text.is_empty());
    assert_eq!(extracted.title, None);
}

#[test]
fn an_encrypted_pdf_is_refused_naming_the_file() {
    let encrypted = b"%PDF-1.6\n1 0 obj << /Type /Catalog >> endobj\n\
                      trailer << /Root 1 0 R /Encrypt 5 0 R /ID [<00><00>] >>\n%%EOF";
    let error = extract(encrypted, "mat.pdf", &limits()).unwrap_err();
    assert_eq!(
        error,
        ExtractError::Encrypted {
            file: "mat.pdf".to_owned()
        }
    );
    assert!(error.to_string().contains("mat.pdf: the PDF is encrypted"));
}

#[test]
fn a_pdf_with_more_pages_than_allowed_is_refused() {
    let pdf = common::vietnamese_pdf("Tiêu đề", "Một đoạn.");
    let tight = ExtractLimits {
        pages: 0,
        ..limits()
    };
    let error = extract(&pdf, "dai.pdf", &tight).unwrap_err();
    assert!(matches!(error, ExtractError::TooLarge { .. }), "{error}");
    assert!(error.to_string().contains("pages"), "{error}");
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let tight = ExtractLimits {
        file_bytes: 10,
        ..limits()
    };
    let error = extract(b"Mot van ban dai hon muoi byte.", "a.txt", &tight).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("a.txt: the file has 30 bytes"),
        "{error}"
    );
}

#[test]
fn a_docx_gives_its_paragraphs_and_a_zip_bomb_is_refused() {
    let docx = common::docx(&["Tiêu đề tài liệu", "Đoạn thứ nhất.", "Đoạn thứ hai."]);
    let extracted = extract(&docx, "tai-lieu.docx", &limits()).unwrap();
    assert_eq!(extracted.title.as_deref(), Some("Tiêu đề tài liệu"));
    assert_eq!(
        extracted.text,
        "Tiêu đề tài liệu\n\nĐoạn thứ nhất.\n\nĐoạn thứ hai."
    );

    // A package whose document part unpacks to 300 MiB of zeros from a few hundred KB.
    let mut bomb = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut bomb);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("[Content_Types].xml", options).unwrap();
        zip.write_all(b"<Types/>").unwrap();
        zip.start_file("word/document.xml", options).unwrap();
        let zeros = vec![b' '; 1024 * 1024];
        for _ in 0..300 {
            zip.write_all(&zeros).unwrap();
        }
        zip.finish().unwrap();
    }
    let bomb = bomb.into_inner();
    assert!(bomb.len() < 2 * 1024 * 1024);
    let error = extract(&bomb, "bom.docx", &limits()).unwrap_err();
    assert!(matches!(error, ExtractError::TooLarge { .. }), "{error}");
    assert!(error.to_string().contains("bom.docx"), "{error}");
}

#[test]
fn html_loses_scripts_styles_and_navigation_and_keeps_its_title() {
    let page = "<!doctype html><html><head><title> Hội nghị   thông tin đối ngoại </title>\
                <style>p { color: red }</style></head><body><header>Cổng thông tin</header>\
                <nav><a>Trang chủ</a></nav><main><h1>Hội nghị</h1><p>Đại biểu   thảo luận.</p>\
                <script>alert('x')</script></main><footer>Bản quyền</footer></body></html>";
    let extracted = extract(page.as_bytes(), "trang.html", &limits()).unwrap();
    assert_eq!(
        extracted.title.as_deref(),
        Some("Hội nghị thông tin đối ngoại")
    );
    assert_eq!(extracted.text, "Hội nghị\n\nĐại biểu thảo luận.");
}

#[test]
fn a_page_typed_in_a_vni_font_is_converted() {
    // The VNI bytes of the text, as a page written in a VNI font carries them.
    let vni = "<p>Thoâng tin ñoái ngoaïi cuûa Vieät Nam trong tình hình môùi</p>";
    let extracted = extract(vni.as_bytes(), "vni.html", &limits()).unwrap();
    assert_eq!(
        extracted.text,
        "Thông tin đối ngoại của Việt Nam trong tình hình mới"
    );
    assert_eq!(extracted.converted_from.map(|l| l.name()), Some("VNI"));
}

#[test]
fn text_that_is_not_utf_8_nor_vietnamese_is_refused_with_its_place() {
    let error = extract(b"abc\n\xff\xfe\x01", "hong.txt", &limits()).unwrap_err();
    assert!(matches!(error, ExtractError::Encoding { .. }), "{error}");
    assert!(error.to_string().contains("hong.txt: line 2"), "{error}");
}

#[test]
fn a_markdown_file_is_titled_by_its_first_heading() {
    let extracted = extract(
        "Lời nói đầu\n\n# Đề án\n\nNội dung.".as_bytes(),
        "de-an.md",
        &limits(),
    )
    .unwrap();
    assert_eq!(extracted.title.as_deref(), Some("Đề án"));
    assert_eq!(extracted.kind, FileKind::Markdown);
}

#[test]
fn other_files_are_not_documents() {
    let error = extract(b"\x89PNG\r\n\x1a\n", "anh.png", &limits()).unwrap_err();
    assert_eq!(
        error,
        ExtractError::Unsupported {
            file: "anh.png".to_owned()
        }
    );
}
