//! Which document a task table belongs to: the line under an appendix's title ("(Kèm theo
//! Nghị quyết số 03/NQ-CP …)") names it; the numbers in the title ("… THỰC HIỆN NGHỊ QUYẾT SỐ
//! 57-NQ/TW …") are what it implements, never its own number; a number left blank is a
//! warning and a field to fill, never a guess. The same for the headers of whole documents:
//! resolutions, decisions, plans and the Party's documents.

mod common;

use chrono::NaiveDate;
use common::directory;
use dongbo_domain::DocumentKind;
use dongbo_import::{Format, Imported, NumberError, import, to_json_contract};

/// A small task table, the same under every header below.
const TABLE: &str = "
| STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |
|---|---|---|---|---|
| I | HOÀN THIỆN THỂ CHẾ | | | |
| 1 | Xây dựng Luật Khoa học, công nghệ và đổi mới sáng tạo | Bộ Khoa học và Công nghệ | Bộ Tư pháp | Năm 2025 |
| 2 | Sửa đổi Luật Giáo dục đại học | Bộ Giáo dục và Đào tạo | Các bộ, ngành, địa phương | Năm 2025 |
";

fn import_md(preamble: &str) -> Imported {
    let text = format!("{preamble}\n{TABLE}");
    import(
        text.as_bytes(),
        "phu-luc.md",
        Format::Markdown,
        &directory(),
    )
    .unwrap_or_else(|e| panic!("imports: {e}"))
}

fn has_warning(imported: &Imported, part: &str) -> bool {
    imported.program.warnings.iter().any(|w| w.contains(part))
}

#[test]
fn the_host_line_names_the_document_and_the_title_what_it_implements() {
    let imported = import_md(
        "**PHỤ LỤC**\n\n\
         **CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ THỰC HIỆN NGHỊ QUYẾT SỐ 57-NQ/TW NGÀY 22 THÁNG 12 \
         NĂM 2024 CỦA BỘ CHÍNH TRỊ VỀ ĐỘT PHÁ PHÁT TRIỂN KHOA HỌC, CÔNG NGHỆ, ĐỔI MỚI SÁNG TẠO VÀ \
         CHUYỂN ĐỔI SỐ QUỐC GIA**\n\n\
         *(Kèm theo Nghị quyết số 03/NQ-CP ngày 09 tháng 01 năm 2025 của Chính phủ)*\n",
    );
    let document = &imported.program.document;
    assert_eq!(document.number.as_deref(), Some("03/NQ-CP"));
    assert_eq!(document.kind, DocumentKind::Resolution);
    assert_eq!(document.issued_on, NaiveDate::from_ymd_opt(2025, 1, 9));
    assert_eq!(document.issuer_text.as_deref(), Some("Chính phủ"));
    assert_eq!(document.issuer.as_deref(), Some("CP"));
    assert_eq!(document.implements, ["57-NQ/TW"]);
    assert!(
        document
            .title
            .starts_with("CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ THỰC HIỆN NGHỊ QUYẾT SỐ 57-NQ/TW"),
        "{}",
        document.title
    );
    assert!(document.title.ends_with("CHUYỂN ĐỔI SỐ QUỐC GIA"));
    assert!(!imported.number_left_blank);
    assert!(!has_warning(&imported, "number"));
}

#[test]
fn a_host_line_without_so_before_the_number_is_read_too() {
    let imported = import_md(
        "PHỤ LỤC\n\
         NHIỆM VỤ, DỰ ÁN CỤ THỂ CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ TRIỂN KHAI THỰC HIỆN NGHỊ \
         QUYẾT 15-NQ/TW CỦA BỘ CHÍNH TRỊ\n\
         (Kèm theo Nghị quyết 12/NQ-CP ngày 07 tháng 02 năm 2023 của Chính phủ)\n",
    );
    let document = &imported.program.document;
    assert_eq!(document.number.as_deref(), Some("12/NQ-CP"));
    assert_eq!(document.kind, DocumentKind::Resolution);
    assert_eq!(document.issued_on, NaiveDate::from_ymd_opt(2023, 2, 7));
    assert_eq!(document.implements, ["15-NQ/TW"]);
}

#[test]
fn a_host_line_over_two_lines_with_a_spaced_number_and_a_title_on_the_heading_line_is_read() {
    let imported = import_md(
        "PHỤ LỤC I. KẾ HOẠCH TRIỂN KHAI NGHỊ QUYẾT SỐ 57-NQ/TW TRÊN ĐỊA BÀN XÃ\n\
         (Ban hành kèm theo Kế hoạch số: 148 /KH-UBND ngày 05 tháng 3 năm 2026\n\
         của Ủy ban nhân dân xã An Thới Đông)\n",
    );
    let document = &imported.program.document;
    assert_eq!(document.number.as_deref(), Some("148/KH-UBND"));
    assert_eq!(document.kind, DocumentKind::Plan);
    assert_eq!(document.issued_on, NaiveDate::from_ymd_opt(2026, 3, 5));
    assert_eq!(
        document.issuer_text.as_deref(),
        Some("Ủy ban nhân dân xã An Thới Đông")
    );
    assert_eq!(
        document.title,
        "KẾ HOẠCH TRIỂN KHAI NGHỊ QUYẾT SỐ 57-NQ/TW TRÊN ĐỊA BÀN XÃ"
    );
    assert_eq!(document.implements, ["57-NQ/TW"]);
}

#[test]
fn a_decision_of_the_prime_minister_is_the_host_of_its_plan() {
    let imported = import_md(
        "PHỤ LỤC I\n\
         KẾ HOẠCH TRIỂN KHAI KẾT LUẬN SỐ 61-KL/TW CỦA BAN BÍ THƯ\n\
         (Ban hành kèm theo Quyết định số 1234/QĐ-TTg ngày 5/3/2025 của Thủ tướng Chính phủ)\n",
    );
    let document = &imported.program.document;
    assert_eq!(document.number.as_deref(), Some("1234/QĐ-TTg"));
    assert_eq!(document.kind, DocumentKind::Decision);
    assert_eq!(document.issued_on, NaiveDate::from_ymd_opt(2025, 3, 5));
    assert_eq!(document.issuer.as_deref(), Some("TTG"));
    assert_eq!(document.implements, ["61-KL/TW"]);
    assert_eq!(
        document.title,
        "KẾ HOẠCH TRIỂN KHAI KẾT LUẬN SỐ 61-KL/TW CỦA BAN BÍ THƯ"
    );
}

#[test]
fn a_program_inside_a_resolution_belongs_to_the_resolution() {
    let imported = import_md(
        "PHỤ LỤC\n\
         Chương trình hành động thực hiện Kết luận số 57-KL/TW ngày 15 tháng 6 năm 2023 của Bộ \
         Chính trị\n\
         (Kèm theo Chương trình hành động tại Nghị quyết số 47/NQ-CP ngày 15 tháng 4 năm 2024 \
         của Chính phủ)\n",
    );
    let document = &imported.program.document;
    assert_eq!(document.number.as_deref(), Some("47/NQ-CP"));
    assert_eq!(document.kind, DocumentKind::Resolution);
    assert_eq!(document.issued_on, NaiveDate::from_ymd_opt(2024, 4, 15));
    assert_eq!(document.implements, ["57-KL/TW"]);
}

#[test]
fn a_number_left_blank_is_a_warning_never_the_implemented_number() {
    let imported = import_md(
        "PHỤ LỤC\n\
         CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ THỰC HIỆN NGHỊ QUYẾT SỐ 66-NQ/TW NGÀY 30 THÁNG 4 NĂM \
         2025 CỦA BỘ CHÍNH TRỊ\n\
         (Kèm theo Nghị quyết số        /NQ-CP ngày     tháng     năm 2025 của Chính phủ)\n",
    );
    let document = &imported.program.document;
    assert_eq!(document.number, None);
    assert_eq!(document.kind, DocumentKind::Resolution);
    assert_eq!(document.issued_on, None);
    assert_eq!(document.implements, ["66-NQ/TW"]);
    assert!(imported.number_left_blank);
    assert!(has_warning(&imported, "number is left blank"));
    assert!(has_warning(&imported, "--number"));
    let json = to_json_contract(&imported);
    assert_eq!(json["document"]["number"], serde_json::Value::Null);
    assert_eq!(json["number_left_blank"], true);
}

#[test]
fn the_importing_user_fills_a_blank_number_and_cannot_replace_a_given_one() {
    let mut blank = import_md(
        "PHỤ LỤC\nKẾ HOẠCH THỰC HIỆN NGHỊ QUYẾT SỐ 66-NQ/TW\n\
         (Ban hành kèm theo Quyết định số …/QĐ-TTg ngày … tháng … năm 2025 của Thủ tướng Chính \
         phủ)\n",
    );
    assert!(blank.number_left_blank);
    assert_eq!(
        blank.set_number("66-NQ/TW"),
        Ok(()),
        "any well-formed number may be given"
    );
    assert_eq!(blank.program.document.number.as_deref(), Some("66-NQ/TW"));
    assert!(
        blank.program.document.implements.is_empty(),
        "a number is never both the document's own and what it implements"
    );
    assert!(!blank.number_left_blank);
    assert!(!has_warning(&blank, "number"));

    let mut given = import_md("(Kèm theo Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ)\n");
    assert_eq!(
        given.set_number("04/NQ-CP"),
        Err(NumberError::Differs {
            file: "03/NQ-CP".into(),
            given: "04/NQ-CP".into()
        })
    );
    assert_eq!(
        given.set_number("số ba"),
        Err(NumberError::NotANumber("số ba".into()))
    );
    assert_eq!(given.set_number("03/NQ-CP"), Ok(()));
}

#[test]
fn a_table_without_any_number_says_so() {
    let imported = import_md("DANH MỤC NHIỆM VỤ NĂM 2026\n");
    assert_eq!(imported.program.document.number, None);
    assert!(!imported.number_left_blank);
    assert!(has_warning(&imported, "number is missing"));
}

#[test]
fn a_whole_decision_takes_its_number_from_its_header_and_its_title_from_the_summary() {
    let imported = import_md(
        "THỦ TƯỚNG CHÍNH PHỦ\n-------\n\
         CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n---------------\n\
         Số: 1234/QĐ-TTg\nHà Nội, ngày 05 tháng 3 năm 2025\n\
         QUYẾT ĐỊNH\n\
         Ban hành Kế hoạch thực hiện Kết luận số 61-KL/TW ngày 17 tháng 8 năm 2023 của Ban Bí thư\n\
         THỦ TƯỚNG CHÍNH PHỦ\n\
         Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;\n\
         Căn cứ Kết luận số 61-KL/TW ngày 17 tháng 8 năm 2023 của Ban Bí thư;\n\
         KT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\n\nTrần Hồng Hà\n\
         PHỤ LỤC\n\
         KẾ HOẠCH THỰC HIỆN KẾT LUẬN SỐ 61-KL/TW\n\
         (Ban hành kèm theo Quyết định số 1234/QĐ-TTg ngày 05 tháng 3 năm 2025 của Thủ tướng \
         Chính phủ)\n",
    );
    let document = &imported.program.document;
    assert_eq!(document.number.as_deref(), Some("1234/QĐ-TTg"));
    assert_eq!(document.kind, DocumentKind::Decision);
    assert_eq!(document.issuer.as_deref(), Some("TTG"));
    assert_eq!(
        document.title,
        "Ban hành Kế hoạch thực hiện Kết luận số 61-KL/TW ngày 17 tháng 8 năm 2023 của Ban Bí thư"
    );
    assert_eq!(document.signer.as_deref(), Some("Trần Hồng Hà"));
    assert_eq!(document.implements, ["61-KL/TW"]);
}

#[test]
fn a_ministry_plan_keeps_its_issuer_whole_and_its_bold_number_line_out_of_the_title() {
    let imported = import_md(
        "**BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH**\n\n\
         **CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**\n**Độc lập - Tự do - Hạnh phúc**\n\n\
         **Số: 1520/KH-BVHTTDL**\n\n*Hà Nội, ngày 22 tháng 4 năm 2024*\n\n\
         **KẾ HOẠCH**\n\n\
         **Triển khai Nghị quyết số 47/NQ-CP ngày 15 tháng 4 năm 2024 của Chính phủ**\n",
    );
    let document = &imported.program.document;
    assert_eq!(document.number.as_deref(), Some("1520/KH-BVHTTDL"));
    assert_eq!(document.kind, DocumentKind::Plan);
    assert_eq!(document.issued_on, NaiveDate::from_ymd_opt(2024, 4, 22));
    assert_eq!(document.issuer.as_deref(), Some("BVHTTDL"));
    assert_eq!(
        document.issuer_text.as_deref(),
        Some("BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH")
    );
    assert_eq!(
        document.title,
        "Triển khai Nghị quyết số 47/NQ-CP ngày 15 tháng 4 năm 2024 của Chính phủ"
    );
}

#[test]
fn a_province_plan_is_read_from_its_header() {
    let imported = import_md(
        "ỦY BAN NHÂN DÂN\nTỈNH HÀ TĨNH\n-------\n\
         CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\
         Số: 45/KH-UBND\nHà Tĩnh, ngày 20 tháng 3 năm 2025\n\
         KẾ HOẠCH\nCông tác đối ngoại nhân dân năm 2025\n",
    );
    let document = &imported.program.document;
    assert_eq!(document.number.as_deref(), Some("45/KH-UBND"));
    assert_eq!(document.kind, DocumentKind::Plan);
    assert_eq!(
        document.issuer_text.as_deref(),
        Some("ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH")
    );
    assert_eq!(document.title, "Công tác đối ngoại nhân dân năm 2025");
}

#[test]
fn a_party_document_has_its_number_beside_the_issuer_and_its_body_under_the_kind() {
    for (number, kind_word, kind) in [
        ("57-KL/TW", "KẾT LUẬN", DocumentKind::Conclusion),
        ("59-NQ/TW", "NGHỊ QUYẾT", DocumentKind::Resolution),
        ("25-CT/TW", "CHỈ THỊ", DocumentKind::Directive),
        ("190-QĐ/TW", "QUY ĐỊNH", DocumentKind::Regulation),
    ] {
        let imported = import_md(&format!(
            "BAN CHẤP HÀNH TRUNG ƯƠNG\n*\nSố {number}\n\
             ĐẢNG CỘNG SẢN VIỆT NAM\nHà Nội, ngày 15 tháng 6 năm 2023\n\
             {kind_word}\nCỦA BỘ CHÍNH TRỊ\n\
             về tiếp tục nâng cao chất lượng, hiệu quả công tác thông tin đối ngoại trong tình \
             hình mới\n"
        ));
        let document = &imported.program.document;
        assert_eq!(document.number.as_deref(), Some(number), "{number}");
        assert_eq!(document.kind, kind, "{number}");
        assert_eq!(document.issued_on, NaiveDate::from_ymd_opt(2023, 6, 15));
        assert_eq!(document.issuer_text.as_deref(), Some("BỘ CHÍNH TRỊ"));
        assert_eq!(
            document.title,
            "về tiếp tục nâng cao chất lượng, hiệu quả công tác thông tin đối ngoại trong tình \
             hình mới"
        );
        assert!(document.implements.is_empty(), "{number}");
    }
}

#[test]
fn a_heading_that_mentions_an_implemented_number_does_not_give_the_document_its_number() {
    let imported = import_md("# Kế hoạch thực hiện Nghị quyết số 59-NQ/TW\n");
    assert_eq!(imported.program.document.number, None);
    let own = import_md("# Kế hoạch 12/KH-UBND về thông tin đối ngoại\n");
    assert_eq!(own.program.document.number.as_deref(), Some("12/KH-UBND"));
    assert_eq!(own.program.document.kind, DocumentKind::Plan);
}
