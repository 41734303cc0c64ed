//! The phase scorecard as a document: the program's line in the body, one line per agency
//! (by name) and the course over time in the annexes.

#[path = "common/office.rs"]
mod office;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use dongbo_domain::Role;
use dongbo_domain::dashboard::Fact;
use dongbo_domain::scorecard::{Scorecard, evaluate};
use dongbo_publish::evaluation::{Heading, document};
use dongbo_publish::{Authority, Block, Cell, Issuer, OfficialDocument, Signature, docx, pdf};
use dongbo_testkit::documents::{pdf_pages, zip_entry};

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn fact(agency: &str, due: &str, done: Option<&str>) -> Fact {
    Fact {
        agency_code: agency.into(),
        role: Role::Lead,
        task_code: "1.1".into(),
        group_code: "1".into(),
        due: Some(day(due)),
        recurring: false,
        start: Some(day("2024-01-01")),
        progress: 0,
        started: false,
        done_on: done.map(day),
    }
}

fn card_and_names() -> (Scorecard, BTreeMap<String, String>) {
    let facts = [
        fact("HN", "2025-06-30", Some("2025-05-01")),
        fact("BNG", "2025-06-30", None),
        fact("BNG", "2025-09-30", Some("2025-10-01")),
    ];
    let card = evaluate(
        &facts,
        day("2024-01-01"),
        day("2026-12-31"),
        day("2026-11-23"),
        &[],
        &[],
    );
    let names = BTreeMap::from([
        ("HN".to_owned(), "Thành phố Hà Nội".to_owned()),
        ("BNG".to_owned(), "Bộ Ngoại giao".to_owned()),
    ]);
    (card, names)
}

/// Issued by the coordinating ministry, numbered, signed KT. BỘ TRƯỞNG / THỨ TRƯỞNG, about a
/// program whose title was written in capitals.
fn heading() -> Heading {
    Heading {
        issuer: Issuer {
            superior: None,
            name: "Bộ Văn hóa, Thể thao và Du lịch".into(),
            abbreviation: "BVHTTDL".into(),
        },
        number: "15/BC-BVHTTDL".into(),
        place: "Hà Nội".into(),
        date: day("2026-11-23"),
        program: "NGHỊ QUYẾT SỐ 47/NQ-CP CỦA CHÍNH PHỦ".into(),
        phase: "giai đoạn 2024–2026".into(),
        recipients: vec!["Thủ tướng Chính phủ (để b/c);".into()],
        signature: Signature {
            authority: Some(Authority::Kt),
            on_behalf_of: "BỘ TRƯỞNG".into(),
            position: "THỨ TRƯỞNG".into(),
            name: "Trần Thị Bình".into(),
        },
    }
}

fn evaluation() -> OfficialDocument {
    let (card, names) = card_and_names();
    document(&heading(), &card, &names)
}

#[test]
fn the_scorecard_document_has_the_program_line_and_one_line_per_agency_by_name() {
    let doc = evaluation();
    doc.validate().unwrap();
    let program_row = doc
        .body
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t.rows[0].clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(program_row[1], Cell::Integer(3));
    assert_eq!(
        program_row[2],
        Cell::Percent(33.3),
        "one of three done on time"
    );
    assert_eq!(program_row[3], Cell::Percent(33.3), "one done late");
    assert_eq!(program_row[4], Cell::Percent(33.3), "one not done");
    let agencies = &doc.annexes[0].tables[0].rows;
    assert_eq!(
        agencies[0][0],
        Cell::Text("Bộ Ngoại giao".into()),
        "by name, accents ignored"
    );
    assert_eq!(agencies[0][1], Cell::Integer(2));
    assert_eq!(agencies[1][2], Cell::Percent(100.0));
    let series = &doc.annexes[1].tables[0].rows;
    assert_eq!(series.last().unwrap()[0], Cell::Date(day("2026-11-23")));
    assert_eq!(series.last().unwrap()[1], Cell::Percent(66.7));
}

#[test]
fn the_evaluation_is_a_decree_30_document_of_its_issuer() {
    let doc = evaluation();
    assert_eq!(
        doc.issuer.lines(),
        (None, "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH".to_owned())
    );
    assert_eq!(doc.number_line(), "Số: 15/BC-BVHTTDL");
    assert_eq!(doc.place_date_line(), "Hà Nội, ngày 23 tháng 11 năm 2026");
    // The title in sentence case, never the capitals pasted mid-sentence.
    assert_eq!(
        doc.title,
        "Đánh giá kết quả thực hiện Nghị quyết số 47/NQ-CP của Chính phủ giai đoạn 2024–2026"
    );
    assert_eq!(
        doc.recipients,
        ["Thủ tướng Chính phủ (để b/c);", "Lưu: VT, BVHTTDL."]
    );
    assert_eq!(doc.signature.title_lines(), ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"]);
    // A draft keeps the blank for the registry's number, with the issuer's symbol.
    let (card, names) = card_and_names();
    let mut draft = heading();
    draft.number = String::new();
    assert_eq!(
        document(&draft, &card, &names).number_line(),
        "Số:       /BC-BVHTTDL"
    );
}

#[test]
fn the_docx_keeps_the_last_paragraph_with_nơi_nhận_and_the_signature() {
    let xml = zip_entry(&docx::render(&evaluation()).unwrap(), "word/document.xml");
    let document = roxmltree::Document::parse(&xml).unwrap();
    let body = document
        .descendants()
        .find(|n| n.tag_name().name() == "body")
        .unwrap();
    let blocks: Vec<_> = body.children().filter(|n| n.is_element()).collect();
    // The closing block: the first table after the body's paragraphs that holds "Nơi nhận:".
    let closing = blocks
        .iter()
        .position(|n| {
            n.tag_name().name() == "tbl"
                && dongbo_testkit::documents::w_text(*n).contains("Nơi nhận:")
        })
        .expect("the closing block");
    let keeps_next = |node: &roxmltree::Node| {
        node.descendants()
            .any(|n| n.tag_name().name() == "keepNext")
    };
    // The two paragraphs before it (the body's last and the gap) keep with it …
    assert!(
        keeps_next(&blocks[closing - 1]),
        "the gap keeps with the closing block"
    );
    assert!(
        keeps_next(&blocks[closing - 2]),
        "the last paragraph keeps with it"
    );
    // … and its one row is never split across pages.
    assert!(
        blocks[closing]
            .descendants()
            .any(|n| n.tag_name().name() == "cantSplit")
    );
}

/// The evaluation with `padding` more paragraphs before its last one, so that its closing block
/// meets the end of a page at one padding or another.
fn padded(padding: usize) -> OfficialDocument {
    let mut doc = evaluation();
    let last = doc.body.len() - 1;
    for index in 0..padding {
        doc.body.insert(
            last,
            Block::Paragraph(format!("Đoạn văn thêm số {} của báo cáo.", index + 1)),
        );
    }
    doc
}

/// "Nơi nhận", the signer and the end of the body's last paragraph are on one page.
fn kept_together(pages: &[String], doc: &OfficialDocument, by: &str) {
    let last = match doc.body.last() {
        Some(Block::Paragraph(text)) => text.clone(),
        other => panic!("{other:?}"),
    };
    let recipients = office::page_of(pages, "Nơi nhận").expect("Nơi nhận");
    assert_eq!(
        office::page_of(pages, "Trần Thị Bình"),
        Some(recipients),
        "{by}"
    );
    assert_eq!(
        office::page_of(pages, &last),
        Some(recipients),
        "{by}: «{last}»"
    );
    assert!(pages[0].contains("Số: 15/BC-BVHTTDL"), "{by}");
}

#[test]
fn the_pdf_keeps_nơi_nhận_with_the_signature_and_the_last_paragraph_wherever_the_page_ends() {
    let mut page_counts = std::collections::BTreeSet::new();
    // A page holds about 30 lines: the closing block meets a page's end somewhere in 0..40.
    for padding in 0..40 {
        let doc = padded(padding);
        let pages = pdf_pages(&pdf::render(&doc).unwrap());
        page_counts.insert(pages.iter().position(|p| p.contains("Nơi nhận")));
        kept_together(&pages, &doc, &format!("Typst, {padding} more paragraphs"));
    }
    assert!(
        page_counts.len() > 1,
        "the closing block moved to another page: {page_counts:?}"
    );
}

#[test]
fn libreoffice_opens_the_evaluation_and_keeps_nơi_nhận_with_the_signature() {
    for padding in (0..40).step_by(5) {
        let doc = padded(padding);
        let Some(converted) = office::docx_to_pdf(&docx::render(&doc).unwrap()) else {
            return;
        };
        let pages = pdf_pages(&converted);
        assert!(pages[0].contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
        kept_together(
            &pages,
            &doc,
            &format!("LibreOffice, {padding} more paragraphs"),
        );
    }
}
