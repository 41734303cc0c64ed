//! Seed 002 — Resolution 47/NQ-CP as scraped from a web page, its appendix flattened to one
//! cell per line — imports to its 56 tasks in 5 groups, with the document's metadata and the
//! cells exactly as written.

mod common;

use chrono::NaiveDate;
use common::{group_sizes, import_47, task};
use dongbo_domain::DocumentKind;
use dongbo_import::{Format, to_json_contract};

#[test]
fn seed_002_is_recognised_as_flattened_text() {
    assert_eq!(import_47().format, Format::FlatText);
}

#[test]
fn the_document_header_gives_number_kind_date_issuer_signer_and_implemented_conclusion() {
    let imported = import_47();
    let document = &imported.program.document;
    assert_eq!(document.number.as_deref(), Some("47/NQ-CP"));
    assert_eq!(document.kind, DocumentKind::Resolution);
    assert_eq!(document.issued_on, NaiveDate::from_ymd_opt(2024, 4, 15));
    assert_eq!(document.issuer.as_deref(), Some("CP"));
    assert_eq!(document.issuer_text.as_deref(), Some("CHÍNH PHỦ"));
    assert_eq!(document.signer.as_deref(), Some("Trần Lưu Quang"));
    assert_eq!(document.implements, vec!["57-KL/TW".to_owned()]);
    assert_eq!(document.language, "vi");
    assert!(
        document
            .title
            .starts_with("VỀ CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ ĐẾN NĂM 2030"),
        "{}",
        document.title
    );
}

#[test]
fn the_appendix_has_56_tasks_in_5_groups_of_2_13_21_5_15() {
    let imported = import_47();
    assert_eq!(imported.program.tasks.len(), 56);
    let sizes: Vec<(String, usize)> = [("1", 2), ("2", 13), ("3", 21), ("4", 5), ("5", 15)]
        .iter()
        .map(|(code, n)| ((*code).to_owned(), *n))
        .collect();
    assert_eq!(group_sizes(&imported), sizes);
    assert_eq!(
        imported.program.groups[2].title,
        "Đổi mới tư duy, nội dung, phương thức thông tin đối ngoại"
    );
}

#[test]
fn the_view_counter_after_the_table_is_not_a_task() {
    let imported = import_47();
    assert!(imported.program.tasks.iter().all(|t| t.code != "2.534"));
    let last = imported.program.tasks.last().unwrap();
    assert_eq!(last.code, "5.15");
    assert_eq!(last.time_frame.text, "Hằng năm");
    assert_eq!(
        last.coordinating.text,
        "Bộ Nội vụ và các bộ, ngành, địa phương"
    );
}

#[test]
fn task_codes_run_in_order_within_each_group() {
    let imported = import_47();
    for (group, size) in group_sizes(&imported) {
        let codes: Vec<String> = imported
            .program
            .tasks
            .iter()
            .filter(|t| t.group == group)
            .map(|t| t.code.clone())
            .collect();
        let expected: Vec<String> = (1..=size).map(|n| format!("{group}.{n}")).collect();
        assert_eq!(codes, expected);
    }
}

#[test]
fn task_1_1_has_an_empty_coordinating_cell_and_time_frame_2024() {
    let imported = import_47();
    let task = task(&imported, "1.1");
    assert_eq!(task.title, "Phổ biến, quán triệt nội dung Nghị quyết");
    assert_eq!(task.lead.text, "Các bộ, ngành, địa phương");
    assert_eq!(task.coordinating.text, "");
    assert_eq!(task.time_frame.text, "2024");
    assert_eq!(task.source.as_deref(), Some("line 250"));
}

#[test]
fn task_3_18_has_an_empty_coordinating_cell() {
    let imported = import_47();
    let task = task(&imported, "3.18");
    assert_eq!(task.lead.text, "Các bộ, ngành, địa phương");
    assert_eq!(task.coordinating.text, "");
    assert_eq!(task.time_frame.text, "Hằng năm");
}

#[test]
fn cells_keep_their_text_exactly_commas_and_all() {
    let imported = import_47();
    let t = task(&imported, "3.6");
    assert_eq!(
        t.title,
        "Thực hiện Đề án Ngày Tôn vinh tiếng Việt trong cộng đồng người Việt Nam ở nước ngoài giai đoạn 2023 - 2030"
    );
    assert_eq!(t.lead.text, "Bộ Ngoại giao");
    assert_eq!(
        t.coordinating.text,
        "Bộ Giáo dục và Đào tạo, Bộ Thông tin và Truyền thông, Bộ Văn hóa, Thể thao và Du lịch, các bộ, ngành, địa phương, Đài Truyền hình Việt Nam, Đài Tiếng nói Việt Nam, Thông tấn xã Việt Nam, Báo Nhân Dân"
    );
    assert_eq!(t.time_frame.text, "2024 - 2030");

    let t = task(&imported, "2.7");
    assert_eq!(t.lead.text, "Bộ Lao động - Thương binh và Xã hội");
    assert_eq!(t.time_frame.text, "Hằng năm");

    let t = task(&imported, "4.3");
    assert_eq!(t.lead.text, "Bộ Ngoại giao, Bộ Quốc phòng, Bộ Công an");
    assert_eq!(
        t.coordinating.text,
        "Bộ Thông tin và Truyền thông và các bộ, ngành, địa phương"
    );

    let t = task(&imported, "5.2");
    assert_eq!(
        t.title,
        "Xây dựng hạ tầng số, nền tảng, cơ sở dữ liệu về thông tin đối ngoại"
    );
    assert_eq!(t.time_frame.text, "Đến năm 2030");
    assert_eq!(t.expected_output, None);
    assert!(!t.draft);
}

#[test]
fn the_json_contract_has_the_agreed_field_names() {
    let imported = import_47();
    let json = to_json_contract(&imported);
    assert_eq!(json["document"]["number"], "47/NQ-CP");
    assert_eq!(json["document"]["kind"], "resolution");
    assert_eq!(json["document"]["issued_on"], "2024-04-15");
    assert_eq!(json["document"]["issuer"], "CP");
    assert!(json["document"]["title"].is_string());
    assert_eq!(json["groups"][0]["code"], "1");
    assert_eq!(json["groups"][0]["task_count"], 2);
    assert_eq!(json["groups"].as_array().unwrap().len(), 5);
    let task = json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "3.21")
        .expect("task 3.21");
    assert_eq!(task["group"], "3");
    assert!(task["expected_output"].is_null());
    for role in ["lead", "coordinating"] {
        for field in ["text", "agencies", "sets", "unresolved"] {
            assert!(!task[role][field].is_null(), "{role}.{field}");
        }
    }
    assert_eq!(task["time_frame"]["text"], "Hằng năm");
    assert!(task["time_frame"]["kind"].is_string());
    assert!(task["time_frame"].get("due").is_some());
    assert!(json["warnings"].is_array());
    assert_eq!(json["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn importing_twice_gives_the_same_result() {
    assert_eq!(import_47(), import_47());
}
