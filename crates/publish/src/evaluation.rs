//! Đánh giá theo giai đoạn as a document: the phase scorecard
//! ([`dongbo_domain::scorecard::Scorecard`]) as an official document, so that it exports to
//! DOCX, XLSX and PDF like the synthesis reports — a Decree 30 document with its issuer,
//! number, place and date, a title in sentence case, the program's figures in the body, "Nơi
//! nhận" and the signature, one line per agency and the course over time in the annexes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use dongbo_domain::scorecard::{Score, Scorecard};

use crate::model::{
    Annex, Block, Cell, Column, ColumnKind, Issuer, OfficialDocument, Signature, Table,
};

/// Who issues the evaluation, under which number, and about what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub issuer: Issuer,
    /// Số, ký hiệu without "Số: " ("15/BC-BVHTTDL"); blank: a draft's "      /BC-`<issuer>`".
    pub number: String,
    pub place: String,
    pub date: NaiveDate,
    /// The program as a sentence names it ("Nghị quyết số 47/NQ-CP ngày 21/3/2024 của Chính
    /// phủ"); a title written in capitals is put in sentence case ([`sentence_case`]).
    pub program: String,
    /// The phase as it reads in a sentence ("giai đoạn 2024–2026").
    pub phase: String,
    /// Nơi nhận, before "Lưu: VT, `<issuer>`." which is always last.
    pub recipients: Vec<String>,
    pub signature: Signature,
}

/// A text written in capitals ("CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ") in sentence case
/// ("Chương trình hành động của Chính phủ"): lower case but the first letter, and the words
/// Vietnamese writes with a capital inside a sentence ("Chính phủ", "Nhà nước", "Việt Nam",
/// "Đảng"), and document numbers. A text already in mixed case is kept as written.
pub fn sentence_case(text: &str) -> String {
    let letters = text.chars().filter(|c| c.is_alphabetic());
    let upper = letters.clone().filter(|c| c.is_uppercase()).count();
    let total = letters.count();
    if total == 0 || upper * 10 < total * 9 {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for (index, word) in text.split(' ').enumerate() {
        if index > 0 {
            out.push(' ');
        }
        // A number or symbol ("47/NQ-CP", "XIII") stays as written.
        if word.chars().any(|c| c.is_ascii_digit() || c == '/') {
            out.push_str(word);
            continue;
        }
        let lower = word.to_lowercase();
        if index == 0 {
            let mut chars = lower.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push_str(&lower);
        }
    }
    for (lower, proper) in [
        ("chính phủ", "Chính phủ"),
        ("việt nam", "Việt Nam"),
        ("nhà nước", "Nhà nước"),
        ("quốc hội", "Quốc hội"),
        ("thủ tướng", "Thủ tướng"),
        ("trung ương", "Trung ương"),
        (" đảng", " Đảng"),
    ] {
        out = out.replace(lower, proper);
    }
    out
}

fn share(value: Option<f64>) -> Cell {
    value.map_or(Cell::Empty, Cell::Percent)
}

fn count(value: u32) -> Cell {
    Cell::Integer(i64::from(value))
}

fn score_columns(first: &str) -> Vec<Column> {
    vec![
        Column::new(first, ColumnKind::Text),
        Column::new("Nhiệm vụ đến hạn", ColumnKind::Integer),
        Column::new("Hoàn thành đúng hạn", ColumnKind::Percent),
        Column::new("Hoàn thành quá hạn", ColumnKind::Percent),
        Column::new("Chưa hoàn thành", ColumnKind::Percent),
        Column::new("Báo cáo phải gửi", ColumnKind::Integer),
        Column::new("Báo cáo đúng hạn", ColumnKind::Percent),
        Column::new("Báo cáo muộn", ColumnKind::Percent),
        Column::new("Báo cáo thiếu", ColumnKind::Percent),
        Column::new("Chỉ tiêu theo dõi", ColumnKind::Integer),
        Column::new("Chỉ tiêu đạt", ColumnKind::Percent),
    ]
}

fn score_row(name: &str, score: &Score) -> Vec<Cell> {
    vec![
        Cell::Text(name.to_owned()),
        count(score.work.due),
        share(score.work.done_on_time_percent()),
        share(score.work.done_late_percent()),
        share(score.work.not_done_percent()),
        count(score.reports.expected),
        share(score.reports.on_time_percent()),
        share(score.reports.late_percent()),
        share(score.reports.missing_percent()),
        count(score.indicators.tracked),
        share(score.indicators.met_percent()),
    ]
}

fn percent_text(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| Cell::Percent(v).display())
}

/// The scorecard as a document; `names` gives each agency code's name.
pub fn document(
    heading: &Heading,
    card: &Scorecard,
    names: &BTreeMap<String, String>,
) -> OfficialDocument {
    let p = &card.program;
    let name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_owned());
    let day = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
    let program = sentence_case(heading.program.trim());
    let body = vec![
        Block::Paragraph(format!(
            "{} đánh giá kết quả thực hiện {} {}, từ ngày {} đến ngày {}, số liệu tính đến ngày {}, \
             như sau:",
            heading.issuer.name,
            program,
            heading.phase,
            day(card.from),
            day(card.to),
            day(card.as_of)
        )),
        Block::Heading {
            level: 1,
            text: "I. KẾT QUẢ CHUNG".to_owned(),
        },
        Block::Paragraph(format!(
            "Có {} nhiệm vụ đến hạn trong giai đoạn: hoàn thành đúng hạn {}, hoàn thành quá hạn {}, \
             chưa hoàn thành {}.",
            p.work.due,
            percent_text(p.work.done_on_time_percent()),
            percent_text(p.work.done_late_percent()),
            percent_text(p.work.not_done_percent()),
        )),
        Block::Paragraph(format!(
            "Có {} báo cáo phải gửi: đúng hạn {}, muộn {}, không gửi {}.",
            p.reports.expected,
            percent_text(p.reports.on_time_percent()),
            percent_text(p.reports.late_percent()),
            percent_text(p.reports.missing_percent()),
        )),
        Block::Paragraph(format!(
            "Có {} chỉ tiêu được theo dõi: đạt {}, chưa đạt {}, chưa đánh giá {}{}.",
            p.indicators.tracked,
            p.indicators.met,
            p.indicators.not_met,
            p.indicators.pending,
            match p.indicators.direction_unconfirmed {
                0 => String::new(),
                n =>
                    format!(" (trong đó {n} chỉ tiêu chưa xác định chiều đánh giá — cần xác nhận)"),
            },
        )),
        Block::Table(Table {
            title: None,
            columns: score_columns(""),
            rows: vec![score_row("Toàn chương trình", p)],
        }),
        Block::Heading {
            level: 1,
            text: "II. KẾT QUẢ THEO CƠ QUAN".to_owned(),
        },
        Block::Paragraph("Chi tiết tại Phụ lục I và Phụ lục II kèm theo.".to_owned()),
    ];
    let mut agencies: Vec<(String, &Score)> = card
        .agencies
        .iter()
        .map(|a| (name(&a.agency_code), &a.score))
        .collect();
    agencies.sort_by_cached_key(|(n, _)| dongbo_domain::text::fold(n));
    let number = match heading.number.trim() {
        "" => format!("      /BC-{}", heading.issuer.abbreviation),
        number => number.to_owned(),
    };
    let mut recipients = heading.recipients.clone();
    recipients.push(format!("Lưu: VT, {}.", heading.issuer.abbreviation));
    OfficialDocument {
        issuer: heading.issuer.clone(),
        number,
        place: heading.place.clone(),
        date: heading.date,
        kind: "BÁO CÁO".to_owned(),
        title: format!("Đánh giá kết quả thực hiện {program} {}", heading.phase),
        body,
        recipients,
        signature: heading.signature.clone(),
        annexes: vec![
            Annex::new(
                "Phụ lục I. KẾT QUẢ THEO CƠ QUAN",
                vec![Table {
                    title: None,
                    columns: score_columns("Cơ quan"),
                    rows: agencies.iter().map(|(n, s)| score_row(n, s)).collect(),
                }],
            ),
            Annex::new(
                "Phụ lục II. DIỄN BIẾN THEO THỜI GIAN",
                vec![Table {
                    title: None,
                    columns: vec![
                        Column::new("Ngày", ColumnKind::Date),
                        Column::new("Nhiệm vụ đã hoàn thành", ColumnKind::Percent),
                        Column::new("Báo cáo đúng hạn", ColumnKind::Percent),
                    ],
                    rows: card
                        .series
                        .iter()
                        .map(|point| {
                            vec![
                                Cell::Date(point.date),
                                share(point.done_percent),
                                share(point.reports_on_time_percent),
                            ]
                        })
                        .collect(),
                }],
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::sentence_case;

    #[test]
    fn a_title_in_capitals_reads_in_sentence_case() {
        assert_eq!(
            sentence_case("CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ VỀ CÔNG TÁC THÔNG TIN ĐỐI NGOẠI"),
            "Chương trình hành động của Chính phủ về công tác thông tin đối ngoại"
        );
        assert_eq!(
            sentence_case("NGHỊ QUYẾT SỐ 47/NQ-CP VỀ NHÀ NƯỚC VIỆT NAM"),
            "Nghị quyết số 47/NQ-CP về Nhà nước Việt Nam"
        );
        let mixed = "Nghị quyết số 47/NQ-CP ngày 21/3/2024 của Chính phủ";
        assert_eq!(sentence_case(mixed), mixed);
    }
}
