//! Never panics: every parser of the library — text extraction of each kind of file, each
//! catalogue format, and the pull sources' feeds (RSS, Atom, JSON Feed) and sitemaps — is
//! given arbitrary bytes (and damaged real files) and must answer with text or an error,
//! within its time limit.

mod common;

use std::time::Duration;

use dongbo_library::catalogue::{Format, count_rows};
use dongbo_library::encoding;
use dongbo_library::extract::{ExtractLimits, extract};
use dongbo_library::feeds::parse::parse;
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

    #[test]
    fn feed_parsing_never_panics(
        rss in damaged(RSS.as_bytes().to_vec()),
        atom in damaged(ATOM.as_bytes().to_vec()),
        json in damaged(JSON_FEED.as_bytes().to_vec()),
        markup in "[<>/a-z =\"&;!\\[\\]{}:,0-9]{0,300}",
        keep in 0usize..5,
    ) {
        for bytes in [&rss, &atom, &json, markup.as_bytes()] {
            if let Ok(parsed) = parse(bytes, keep) {
                prop_assert!(parsed.entries.len() <= keep);
            }
        }
    }

    #[test]
    fn sitemap_parsing_never_panics(
        sitemap in damaged(SITEMAP.as_bytes().to_vec()),
        index in damaged(SITEMAP_INDEX.as_bytes().to_vec()),
        date in ".{0,40}",
    ) {
        for bytes in [&sitemap, &index] {
            let _ = parse(bytes, 3);
        }
        let _ = dongbo_library::feeds::parse::date(&date);
    }
}

const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Tin</title><item><title>Một</title><link>https://a.vn/1</link><guid>1</guid><pubDate>Tue, 01 Dec 2026 08:00:00 +0700</pubDate><description>&lt;p&gt;Tóm tắt&lt;/p&gt;</description><content:encoded><![CDATA[<p>Toàn văn</p>]]></content:encoded></item></channel></rss>"#;
const ATOM: &str = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>urn:1</id><title type="html">Hai</title><link rel="alternate" href="https://a.vn/2"/><updated>2026-12-03T01:00:00Z</updated><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Ba</p></div></content></entry></feed>"#;
const JSON_FEED: &str = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://a.vn/j","title":"J","content_html":"<b>x</b>","date_published":"2026-12-04T00:00:00+07:00"},{"id":2,"content_text":"y"}]}"#;
const SITEMAP: &str = r#"<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.vn/p1</loc><lastmod>2026-12-01</lastmod></url><url><loc>https://a.vn/p2</loc><lastmod>2026-12-02T10:00:00+07:00</lastmod></url></urlset>"#;
const SITEMAP_INDEX: &str = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://a.vn/s1.xml</loc><lastmod>2026-12-01</lastmod></sitemap></sitemapindex>"#;

fn xlsx() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "title").unwrap();
    sheet.write_string(0, 1, "kind").unwrap();
    sheet.write_string(1, 0, "Báo cáo").unwrap();
    sheet.write_string(1, 1, "report").unwrap();
    workbook.save_to_buffer().unwrap()
}
