//! Reading back what the publishers wrote, as a Word, spreadsheet or PDF reader would: a zip
//! part as text, Word's body as lines, a PDF's text by page. Shared by the `publish` tests and
//! the web tests of generated reports.

use std::io::Read;

use unicode_normalization::UnicodeNormalization;

/// One file of a zip archive (DOCX, XLSX) as text.
pub fn zip_entry(archive: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).expect("a zip archive");
    let mut entry = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the archive"));
    let mut text = String::new();
    entry.read_to_string(&mut text).expect("UTF-8 XML");
    text
}

pub const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// The element's `w:` attribute.
pub fn w_attr<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attribute((W, name))
}

pub fn is_w(node: roxmltree::Node, name: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(W) && node.tag_name().name() == name
}

/// The text of a paragraph or cell: its `w:t`, in order.
pub fn w_text(node: roxmltree::Node) -> String {
    node.descendants()
        .filter(|n| is_w(*n, "t"))
        .filter_map(|n| n.text())
        .collect()
}

/// Word's body read back as text: each paragraph a line; each table row a line of its cells
/// separated by " | ", a cell's paragraphs by " / " (empty ones left out).
pub fn docx_text(document_xml: &str) -> String {
    let xml = roxmltree::Document::parse(document_xml).expect("well-formed document.xml");
    let body = xml
        .descendants()
        .find(|n| is_w(*n, "body"))
        .expect("w:body");
    let mut out = String::new();
    let mut walk = |node: roxmltree::Node| {
        if is_w(node, "p") {
            out.push_str(&w_text(node));
            out.push('\n');
        } else if is_w(node, "tbl") {
            for row in node.children().filter(|n| is_w(*n, "tr")) {
                let cells: Vec<String> = row
                    .children()
                    .filter(|n| is_w(*n, "tc"))
                    .map(|cell| {
                        cell.children()
                            .filter(|n| is_w(*n, "p"))
                            .map(w_text)
                            .filter(|t| !t.is_empty())
                            .collect::<Vec<_>>()
                            .join(" / ")
                    })
                    .collect();
                out.push_str(&cells.join(" | "));
                out.push('\n');
            }
        }
    };
    for child in body.children() {
        walk(child);
    }
    out
}

/// The PDF's text, page by page, NFC and with runs of white space made one space.
pub fn pdf_pages(bytes: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(bytes)
        .expect("the PDF's text")
        .into_iter()
        .map(|page| {
            page.nfc()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}
