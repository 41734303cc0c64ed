//! A realistic report to publish, and readers that open what the renderers wrote.

use chrono::NaiveDate;
use dongbo_publish::{
    Annex, Authority, Block, Cell, Column, ColumnKind, Issuer, OfficialDocument, Signature, Table,
};

/// Agencies reporting on the program, as the annexes name them (commas inside names stay).
pub const AGENCIES: [&str; 32] = [
    "Bộ Ngoại giao",
    "Bộ Quốc phòng",
    "Bộ Công an",
    "Bộ Tư pháp",
    "Bộ Tài chính",
    "Bộ Công Thương",
    "Bộ Nông nghiệp và Môi trường",
    "Bộ Xây dựng",
    "Bộ Nội vụ",
    "Bộ Y tế",
    "Bộ Giáo dục và Đào tạo",
    "Bộ Khoa học và Công nghệ",
    "Bộ Văn hóa, Thể thao và Du lịch",
    "Bộ Dân tộc và Tôn giáo",
    "Ngân hàng Nhà nước Việt Nam",
    "Thanh tra Chính phủ",
    "Văn phòng Chính phủ",
    "Đài Truyền hình Việt Nam",
    "Đài Tiếng nói Việt Nam",
    "Thông tấn xã Việt Nam",
    "Ủy ban nhân dân thành phố Hà Nội",
    "Ủy ban nhân dân Thành phố Hồ Chí Minh",
    "Ủy ban nhân dân thành phố Hải Phòng",
    "Ủy ban nhân dân thành phố Đà Nẵng",
    "Ủy ban nhân dân thành phố Cần Thơ",
    "Ủy ban nhân dân thành phố Huế",
    "Ủy ban nhân dân tỉnh Quảng Ninh",
    "Ủy ban nhân dân tỉnh Lào Cai",
    "Ủy ban nhân dân tỉnh Nghệ An",
    "Ủy ban nhân dân tỉnh Khánh Hòa",
    "Ủy ban nhân dân tỉnh Lâm Đồng",
    "Ủy ban nhân dân tỉnh An Giang",
];

pub const TITLE: &str = "Tình hình thực hiện Nghị quyết số 47/NQ-CP ngày 04 tháng 4 năm 2024 của Chính phủ về công tác thông tin đối ngoại năm 2026";

pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid date")
}

fn text(value: &str) -> Cell {
    Cell::Text(value.to_owned())
}

/// The yearly report of a ministry on 47/NQ-CP: a long body, three annex tables of 32, 30
/// and 26 rows, signed KT. BỘ TRƯỞNG / THỨ TRƯỞNG.
pub fn report() -> OfficialDocument {
    let mut body = Vec::new();
    let sections = [
        "I. TỔNG QUAN TÌNH HÌNH TRIỂN KHAI",
        "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ",
        "III. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
        "IV. KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ",
        "V. ĐỀ XUẤT NHIỆM VỤ TRỌNG TÂM NĂM 2027",
    ];
    for (index, heading) in sections.into_iter().enumerate() {
        body.push(Block::Heading {
            level: 1,
            text: heading.to_owned(),
        });
        body.push(Block::Paragraph(format!(
            "Thực hiện Nghị quyết số 47/NQ-CP, trong năm 2026 các bộ, ngành, địa phương đã chủ \
             động triển khai nhiệm vụ được giao, bảo đảm tiến độ và chất lượng; công tác thông \
             tin đối ngoại được đổi mới về nội dung và phương thức, gắn với chuyển đổi số và \
             nâng cao hiệu quả phối hợp giữa các cơ quan (phần {}).",
            index + 1
        )));
        body.push(Block::Heading {
            level: 2,
            text: format!("{}.1. Kết quả nổi bật", index + 1),
        });
        for item in 1..=3 {
            body.push(Block::Bullet(format!(
                "Nội dung thứ {item}: tổ chức thành công các hoạt động quảng bá hình ảnh đất nước, \
                 con người Việt Nam; tăng cường thông tin về đường lối, chính sách; đấu tranh, \
                 phản bác thông tin sai lệch."
            )));
        }
        body.push(Block::Paragraph(
            "Việc tổng hợp, báo cáo định kỳ được thực hiện đúng chế độ theo Nghị định số \
             09/2019/NĐ-CP; số liệu được cập nhật đầy đủ trên hệ thống, đúng hạn và thống nhất."
                .to_owned(),
        ));
    }
    body.insert(
        2,
        Block::Table(Table {
            title: Some("Bảng 1. Tổng hợp theo tình trạng".to_owned()),
            columns: vec![
                Column::new("Tình trạng", ColumnKind::Text),
                Column::new("Số nhiệm vụ", ColumnKind::Integer),
                Column::new("Tỷ lệ", ColumnKind::Percent),
            ],
            rows: vec![
                vec![
                    text("Hoàn thành đúng hạn"),
                    Cell::Integer(38),
                    Cell::Percent(67.86),
                ],
                vec![
                    text("Hoàn thành quá hạn"),
                    Cell::Integer(6),
                    Cell::Percent(10.71),
                ],
                vec![
                    text("Đang thực hiện"),
                    Cell::Integer(12),
                    Cell::Percent(21.43),
                ],
            ],
        }),
    );

    let by_agency = Table {
        title: Some("Tình hình thực hiện nhiệm vụ theo cơ quan chủ trì".to_owned()),
        columns: vec![
            Column::new("STT", ColumnKind::Integer),
            Column::new("Cơ quan", ColumnKind::Text),
            Column::new("Số nhiệm vụ", ColumnKind::Integer),
            Column::new("Hoàn thành", ColumnKind::Integer),
            Column::new("Tỷ lệ hoàn thành", ColumnKind::Percent),
            Column::new("Báo cáo gần nhất", ColumnKind::Date),
        ],
        rows: AGENCIES
            .iter()
            .enumerate()
            .map(|(index, agency)| {
                let tasks = 10 + (index as i64 * 7) % 23;
                let done = tasks - (index as i64 % 5);
                vec![
                    Cell::Integer(index as i64 + 1),
                    text(agency),
                    Cell::Integer(tasks),
                    Cell::Integer(done),
                    Cell::Percent(done as f64 * 100.0 / tasks as f64),
                    if index % 9 == 8 {
                        Cell::Empty
                    } else {
                        Cell::Date(date(2026, 11, 1 + (index as u32 % 28)))
                    },
                ]
            })
            .collect(),
    };
    let tasks = Table {
        title: Some("Danh mục nhiệm vụ và tiến độ".to_owned()),
        columns: vec![
            Column::new("STT", ColumnKind::Integer),
            Column {
                header: "Nhiệm vụ".to_owned(),
                kind: ColumnKind::Text,
                width: Some(48.0),
            },
            Column {
                header: "Cơ quan chủ trì".to_owned(),
                kind: ColumnKind::Text,
                width: Some(30.0),
            },
            Column::new("Thời hạn", ColumnKind::Date),
            Column::new("Tiến độ", ColumnKind::Percent),
            Column::new("Kinh phí (triệu đồng)", ColumnKind::Decimal),
        ],
        rows: (0..30)
            .map(|index| {
                vec![
                    Cell::Integer(index + 1),
                    text(&format!(
                        "Xây dựng, triển khai kế hoạch thông tin đối ngoại chuyên đề số {} năm 2026",
                        index + 1
                    )),
                    text(AGENCIES[(index as usize * 5) % AGENCIES.len()]),
                    Cell::Date(date(2026, 1 + (index as u32 % 12), 15)),
                    Cell::Percent(((index * 13) % 101) as f64),
                    Cell::Decimal(1250.5 + index as f64 * 100.25),
                ]
            })
            .collect(),
    };
    let indicators = Table {
        title: Some("Kết quả thực hiện các chỉ tiêu".to_owned()),
        columns: vec![
            Column::new("STT", ColumnKind::Text),
            Column {
                header: "Chỉ tiêu".to_owned(),
                kind: ColumnKind::Text,
                width: Some(40.0),
            },
            Column::new("Đơn vị", ColumnKind::Text),
            Column::new("Mục tiêu", ColumnKind::Text),
            Column::new("Kết quả", ColumnKind::Decimal),
            Column::new("Mức đạt", ColumnKind::Percent),
        ],
        rows: (0..26)
            .map(|index| {
                vec![
                    text(&format!("{}.{}", index / 5 + 1, index % 5 + 1)),
                    text(&format!(
                        "Tỷ lệ người dân được tiếp cận thông tin chính thống, nhóm {}",
                        index + 1
                    )),
                    text("%"),
                    text("≥ 80"),
                    Cell::Decimal(70.0 + index as f64 * 0.75),
                    Cell::Percent((70.0 + index as f64 * 0.75) / 80.0 * 100.0),
                ]
            })
            .collect(),
    };

    OfficialDocument {
        issuer: Issuer {
            superior: None,
            name: "Bộ Văn hóa, Thể thao và Du lịch".to_owned(),
            abbreviation: "BVHTTDL".to_owned(),
        },
        number: "125/BC-BVHTTDL".to_owned(),
        place: "Hà Nội".to_owned(),
        date: date(2026, 12, 5),
        kind: "Báo cáo".to_owned(),
        title: TITLE.to_owned(),
        body,
        recipients: vec![
            "Thủ tướng Chính phủ (để b/c);".to_owned(),
            "Các Phó Thủ tướng Chính phủ (để b/c);".to_owned(),
            "Văn phòng Chính phủ;".to_owned(),
            "Các bộ, cơ quan ngang bộ;".to_owned(),
            "Bộ trưởng (để b/c);".to_owned(),
            "Lưu: VT, HTQT.".to_owned(),
        ],
        signature: Signature {
            authority: Some(Authority::Kt),
            on_behalf_of: "Bộ trưởng".to_owned(),
            position: "Thứ trưởng".to_owned(),
            name: "Nguyễn Văn Hùng".to_owned(),
        },
        annexes: vec![
            Annex::new(
                "Phụ lục I. TÌNH HÌNH THỰC HIỆN THEO CƠ QUAN",
                vec![by_agency],
            ),
            Annex::new("Phụ lục II. NHIỆM VỤ VÀ CHỈ TIÊU", vec![tasks, indicators]),
        ],
    }
}
