//! The phase scorecard as a document: the program's line in the body, one line per agency
//! (by name) and the course over time in the annexes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use dongbo_domain::Role;
use dongbo_domain::dashboard::Fact;
use dongbo_domain::scorecard::evaluate;
use dongbo_publish::evaluation::{Heading, document};
use dongbo_publish::{Block, Cell, Issuer, Signature};

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

#[test]
fn the_scorecard_document_has_the_program_line_and_one_line_per_agency_by_name() {
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
    let heading = Heading {
        issuer: Issuer {
            superior: None,
            name: "Bộ Văn hóa, Thể thao và Du lịch".into(),
            abbreviation: "BVHTTDL".into(),
        },
        place: "Hà Nội".into(),
        date: day("2026-11-23"),
        program: "Chương trình hành động (47/NQ-CP)".into(),
        phase: "giai đoạn 2024–2026".into(),
        signature: Signature {
            authority: None,
            on_behalf_of: String::new(),
            position: "BỘ TRƯỞNG".into(),
            name: String::new(),
        },
    };
    let doc = document(&heading, &card, &names);
    doc.validate().unwrap();
    assert_eq!(
        doc.title,
        "Đánh giá kết quả thực hiện Chương trình hành động (47/NQ-CP) giai đoạn 2024–2026"
    );
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
