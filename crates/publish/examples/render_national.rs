//! Times the three renderers on a national report the size of 47/NQ-CP across the country:
//! 64 agencies × 56 tasks — a body with a section per task, an annex of agencies, one of tasks
//! and one of assignments (each task with five agencies; `--every-pair` gives every agency
//! every task, 3,584 rows). Writes the files to a temporary folder and prints, per format, the
//! first run (the PDF's includes reading the fonts) and the best of three (Typst memoises
//! within a process, so a repeat of the same document is cheaper than a new one). A measuring
//! aid; the recorded benchmark is `cargo xtask bench`.
//!
//! `cargo run -p dongbo-publish --example render_national [-- --every-pair]`

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use dongbo_publish::{
    Annex, Authority, Block, Cell, Column, ColumnKind, Issuer, OfficialDocument, Signature, Table,
    docx, pdf, xlsx,
};

const AGENCIES: usize = 64;
const TASKS: usize = 56;

fn main() {
    let every_pair = std::env::args().any(|arg| arg == "--every-pair");
    let document = national_report(every_pair);
    let folder = std::env::temp_dir().join("dongbo-publish-example");
    std::fs::create_dir_all(&folder).expect("a temporary folder");
    type Renderer = fn(&OfficialDocument) -> Result<Vec<u8>, dongbo_publish::PublishError>;
    let renderers: [(&str, Renderer); 3] = [
        ("docx", docx::render),
        ("xlsx", xlsx::render),
        ("pdf", pdf::render),
    ];
    let (mut first_total, mut best_total) = (Duration::ZERO, Duration::ZERO);
    for (extension, render) in renderers {
        let mut times = Vec::new();
        let mut bytes = Vec::new();
        for _ in 0..3 {
            let started = Instant::now();
            bytes = render(&document).expect("the document renders");
            times.push(started.elapsed());
        }
        let best = *times.iter().min().expect("three runs");
        first_total += times[0];
        best_total += best;
        let path = folder.join(format!("bao-cao.{extension}"));
        std::fs::write(&path, &bytes).expect("the file is written");
        println!(
            "{extension:>4}: first {:>8.1} ms, best {:>8.1} ms, {:>9} bytes  {}",
            times[0].as_secs_f64() * 1000.0,
            best.as_secs_f64() * 1000.0,
            bytes.len(),
            path.display()
        );
    }
    println!(
        "all three: first {:.1} ms, best {:.1} ms",
        first_total.as_secs_f64() * 1000.0,
        best_total.as_secs_f64() * 1000.0
    );
}

fn agency(index: usize) -> String {
    if index < 30 {
        format!("Bộ, cơ quan ngang bộ số {}", index + 1)
    } else {
        format!("Ủy ban nhân dân tỉnh, thành phố số {}", index - 29)
    }
}

fn national_report(every_pair: bool) -> OfficialDocument {
    let date = |month, day| NaiveDate::from_ymd_opt(2026, month, day).expect("a valid date");
    let mut body = vec![Block::Heading {
        level: 1,
        text: "I. TỔNG QUAN TÌNH HÌNH THỰC HIỆN".to_owned(),
    }];
    body.push(Block::Paragraph(
        "Năm 2026, các bộ, ngành, địa phương đã triển khai đồng bộ các nhiệm vụ của Chương trình \
         hành động; tỷ lệ nhiệm vụ hoàn thành đúng hạn tăng so với năm trước."
            .to_owned(),
    ));
    body.push(Block::Heading {
        level: 1,
        text: "II. KẾT QUẢ THỰC HIỆN THEO NHÓM NHIỆM VỤ".to_owned(),
    });
    for task in 0..TASKS {
        body.push(Block::Heading {
            level: 2,
            text: format!("{}. Nhiệm vụ số {}", task + 1, task + 1),
        });
        body.push(Block::Paragraph(format!(
            "{} (chủ trì) đã hoàn thành các nội dung chính, ban hành kế hoạch chi tiết, tổ chức \
             triển khai tại các đơn vị trực thuộc và báo cáo kết quả đúng thời hạn.",
            agency(task % AGENCIES)
        )));
        body.push(Block::Bullet(format!(
            "Các cơ quan phối hợp ({} cơ quan) đã gửi báo cáo; khó khăn chủ yếu về kinh phí và \
             nhân lực.",
            2 + task % 5
        )));
    }
    let agencies = Table {
        title: Some("Tình hình thực hiện theo cơ quan".to_owned()),
        columns: vec![
            Column::new("STT", ColumnKind::Integer),
            Column::new("Cơ quan", ColumnKind::Text),
            Column::new("Đúng hạn", ColumnKind::Integer),
            Column::new("Quá hạn", ColumnKind::Integer),
            Column::new("Chưa hoàn thành", ColumnKind::Integer),
            Column::new("Tỷ lệ đúng hạn", ColumnKind::Percent),
        ],
        rows: (0..AGENCIES)
            .map(|index| {
                let on_time = (index * 7 % 11) as i64;
                vec![
                    Cell::Integer(index as i64 + 1),
                    Cell::Text(agency(index)),
                    Cell::Integer(on_time),
                    Cell::Integer(2),
                    Cell::Integer(3),
                    Cell::Percent(on_time as f64 * 100.0 / (on_time + 5) as f64),
                ]
            })
            .collect(),
    };
    let tasks = Table {
        title: Some("Danh mục nhiệm vụ".to_owned()),
        columns: vec![
            Column::new("STT", ColumnKind::Integer),
            Column::new("Nhiệm vụ", ColumnKind::Text),
            Column::new("Cơ quan chủ trì", ColumnKind::Text),
            Column::new("Thời hạn", ColumnKind::Date),
            Column::new("Tiến độ", ColumnKind::Percent),
        ],
        rows: (0..TASKS)
            .map(|task| {
                vec![
                    Cell::Integer(task as i64 + 1),
                    Cell::Text(format!(
                        "Nhiệm vụ số {}: tăng cường công tác thông tin đối ngoại",
                        task + 1
                    )),
                    Cell::Text(agency(task % AGENCIES)),
                    Cell::Date(date(1 + (task % 12) as u32, 15)),
                    Cell::Percent((task * 17 % 101) as f64),
                ]
            })
            .collect(),
    };
    let per_task = if every_pair { AGENCIES } else { 5 };
    let assignments = Table {
        title: Some("Nhiệm vụ theo cơ quan và tình trạng".to_owned()),
        columns: vec![
            Column::new("Nhiệm vụ", ColumnKind::Integer),
            Column::new("Cơ quan", ColumnKind::Text),
            Column::new("Vai trò", ColumnKind::Text),
            Column::new("Tình trạng", ColumnKind::Text),
            Column::new("Báo cáo", ColumnKind::Date),
        ],
        rows: (0..TASKS)
            .flat_map(|task| {
                (0..per_task).map(move |offset| {
                    let index = (task + offset) % AGENCIES;
                    vec![
                        Cell::Integer(task as i64 + 1),
                        Cell::Text(agency(index)),
                        Cell::Text(
                            if offset == 0 {
                                "Chủ trì"
                            } else {
                                "Phối hợp"
                            }
                            .to_owned(),
                        ),
                        Cell::Text("Hoàn thành đúng hạn".to_owned()),
                        Cell::Date(date(11, 1 + (index % 28) as u32)),
                    ]
                })
            })
            .collect(),
    };
    OfficialDocument {
        issuer: Issuer {
            superior: None,
            name: "Bộ Văn hóa, Thể thao và Du lịch".to_owned(),
            abbreviation: "BVHTTDL".to_owned(),
        },
        number: "     /BC-BVHTTDL".to_owned(),
        place: "Hà Nội".to_owned(),
        date: date(12, 15),
        kind: "Báo cáo".to_owned(),
        title: "Tổng hợp tình hình thực hiện Chương trình hành động năm 2026".to_owned(),
        body,
        recipients: vec![
            "Thủ tướng Chính phủ (để b/c);".to_owned(),
            "Lưu: VT, HTQT.".to_owned(),
        ],
        signature: Signature {
            authority: Some(Authority::Kt),
            on_behalf_of: "Bộ trưởng".to_owned(),
            position: "Thứ trưởng".to_owned(),
            name: "Nguyễn Văn A".to_owned(),
        },
        annexes: vec![
            Annex {
                title: "Phụ lục I. THEO CƠ QUAN".to_owned(),
                tables: vec![agencies],
            },
            Annex {
                title: "Phụ lục II. THEO NHIỆM VỤ".to_owned(),
                tables: vec![tasks, assignments],
            },
        ],
    }
}
