//! Task codes are the document's own: tasks numbered within their groups ("3.21") keep that
//! code; tasks numbered straight through a table ("1." … "98.") keep "1" … "98", with the group
//! a field of its own; sub-tasks ("2.1.a", "a)", "-") keep their parent. Export and import
//! round-trip every form.

mod common;

use common::directory;
use dongbo_import::{ExportFormat, Format, Imported, export, import, parent_of, to_json_contract};

fn import_md(table: &str) -> Imported {
    let text = format!(
        "(Kèm theo Nghị quyết số 12/NQ-CP ngày 10 tháng 2 năm 2025 của Chính phủ)\n\n\
         | STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời hạn |\n|---|---|---|---|---|\n{table}"
    );
    import(
        text.as_bytes(),
        "phu-luc.md",
        Format::Markdown,
        &directory(),
    )
    .unwrap_or_else(|e| panic!("imports: {e}"))
}

/// (code, group) of every task, in order.
fn codes(imported: &Imported) -> Vec<(String, String)> {
    imported
        .program
        .tasks
        .iter()
        .map(|t| (t.code.clone(), t.group.clone()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(c, g)| ((*c).to_owned(), (*g).to_owned()))
        .collect()
}

/// Every format export writes reads back to the same codes, groups and titles.
fn assert_round_trip(imported: &Imported) {
    for format in [
        ExportFormat::Markdown,
        ExportFormat::Csv,
        ExportFormat::Xlsx,
    ] {
        let bytes = export(&imported.program, format).expect("exports");
        let name = format!("export.{}", format.extension());
        let again = import(&bytes, &name, Format::Auto, &directory())
            .unwrap_or_else(|e| panic!("{name} imports again: {e}"));
        assert_eq!(codes(&again), codes(imported), "{name}");
        assert_eq!(again.program.groups, imported.program.groups, "{name}");
        assert_eq!(
            again.program.document.number, imported.program.document.number,
            "{name}"
        );
    }
}

#[test]
fn tasks_numbered_straight_through_roman_groups_keep_their_numbers() {
    let imported = import_md(
        "| I | THỂ CHẾ | | | |\n\
         | 1. | Việc một | Bộ Tư pháp | | 2025 |\n\
         | 2. | Việc hai | Bộ Nội vụ | | 2025 |\n\
         | II | NGUỒN LỰC | | | |\n\
         | 3. | Việc ba | Bộ Tài chính | | 2026 |\n\
         | 123. | Việc một trăm hai mươi ba | Bộ Ngoại giao | | 2026 |\n",
    );
    assert_eq!(
        codes(&imported),
        pairs(&[("1", "I"), ("2", "I"), ("3", "II"), ("123", "II")])
    );
    let json = to_json_contract(&imported);
    assert_eq!(json["tasks"][3]["code"], "123");
    assert_eq!(json["tasks"][3]["group"], "II");
    assert_eq!(json["groups"][1]["task_count"], 2);
    assert_round_trip(&imported);
}

#[test]
fn tasks_numbered_again_in_each_group_carry_their_groups_number() {
    let imported = import_md(
        "| I | THỂ CHẾ | | | |\n\
         | 1 | Việc một | Bộ Tư pháp | | 2025 |\n\
         | 2 | Việc hai | Bộ Nội vụ | | 2025 |\n\
         | II | NGUỒN LỰC | | | |\n\
         | 1 | Việc ba | Bộ Tài chính | | 2026 |\n",
    );
    assert_eq!(
        codes(&imported),
        pairs(&[("1.1", "I"), ("1.2", "I"), ("2.1", "II")])
    );
    assert_round_trip(&imported);
}

#[test]
fn tasks_numbered_within_groups_keep_their_dotted_codes() {
    let imported = import_md(
        "| 1 | Nhóm một | | | |\n\
         | 1.1 | Việc một | Bộ Tư pháp | | 2025 |\n\
         | 3 | Nhóm ba | | | |\n\
         | 3.21 | Việc hai mốt | Bộ Nội vụ | | 2025 |\n",
    );
    assert_eq!(codes(&imported), pairs(&[("1.1", "1"), ("3.21", "3")]));
    assert_round_trip(&imported);
}

#[test]
fn sub_tasks_keep_their_parent() {
    let imported = import_md(
        "| I | THỂ CHẾ | | | |\n\
         | 1. | Việc một | Bộ Tư pháp | | 2025 |\n\
         | a) | Phần a của việc một | Bộ Tư pháp | | 2025 |\n\
         | b) | Phần b của việc một | | | |\n\
         | 2. | Việc hai | Bộ Nội vụ | | 2025 |\n\
         | - | Gạch đầu dòng một | Bộ Nội vụ | | 2025 |\n\
         | - | Gạch đầu dòng hai | | | |\n\
         | II | NGUỒN LỰC | | | |\n\
         | 3. | Việc ba | Bộ Tài chính | | 2026 |\n",
    );
    assert_eq!(
        codes(&imported),
        pairs(&[
            ("1", "I"),
            ("1.a", "I"),
            ("1.b", "I"),
            ("2", "I"),
            ("2-1", "I"),
            ("2-2", "I"),
            ("3", "II")
        ])
    );
    let program = &imported.program;
    assert_eq!(parent_of(program, "1.b"), Some("1"));
    assert_eq!(parent_of(program, "2-2"), Some("2"));
    assert!(
        program.tasks[5].lead.agencies.is_empty(),
        "a sub-task's empty cells stay empty"
    );
    assert_eq!(parent_of(program, "3"), None);
    let json = to_json_contract(&imported);
    assert_eq!(json["tasks"][1]["parent"], "1");
    assert_eq!(json["tasks"][0]["parent"], serde_json::Value::Null);
    assert_round_trip(&imported);
}

#[test]
fn sub_tasks_written_with_their_parents_number_keep_it() {
    let imported = import_md(
        "| 2 | Nhóm hai | | | |\n\
         | 2.1 | Việc một | Bộ Tư pháp | | 2025 |\n\
         | 2.1.a | Phần a | Bộ Tư pháp | | 2025 |\n\
         | 2.1.b | Phần b | | | |\n",
    );
    assert_eq!(
        codes(&imported),
        pairs(&[("2.1", "2"), ("2.1.a", "2"), ("2.1.b", "2")])
    );
    assert_eq!(parent_of(&imported.program, "2.1.b"), Some("2.1"));
    assert_round_trip(&imported);
}

#[test]
fn a_flat_list_without_groups_round_trips_without_a_group() {
    let imported = import_md(
        "| 1 | Việc một | Bộ Tư pháp | | 2025 |\n\
         | 2 | Việc hai | Bộ Nội vụ | | 2025 |\n",
    );
    assert_eq!(codes(&imported), pairs(&[("1", ""), ("2", "")]));
    assert!(imported.program.groups.is_empty());
    assert_round_trip(&imported);
}

#[test]
fn a_flattened_appendix_numbered_straight_through_keeps_three_digit_numbers() {
    let mut text = String::from(
        "PHỤ LỤC\nCHƯƠNG TRÌNH HÀNH ĐỘNG THỰC HIỆN NGHỊ QUYẾT SỐ 57-NQ/TW\n\
         (Kèm theo Nghị quyết số 71/NQ-CP ngày 01 tháng 4 năm 2025 của Chính phủ)\n\
         STT\nNhiệm vụ\nCơ quan chủ trì\nCơ quan phối hợp\nThời gian hoàn thành\n\
         I\nTHỂ CHẾ\n",
    );
    for n in 1..=120 {
        if n == 61 {
            text.push_str("II\nNGUỒN LỰC\n");
        }
        text.push_str(&format!(
            "{n}\nNhiệm vụ số {n} về chuyển đổi số\nBộ Khoa học và Công nghệ\nBộ Tài chính\nNăm 2026\n"
        ));
    }
    let imported = import(text.as_bytes(), "71.txt", Format::FlatText, &directory())
        .unwrap_or_else(|e| panic!("imports: {e}"));
    let program = &imported.program;
    assert_eq!(program.document.number.as_deref(), Some("71/NQ-CP"));
    assert_eq!(program.document.implements, ["57-NQ/TW"]);
    assert_eq!(program.tasks.len(), 120);
    assert_eq!(program.tasks[119].code, "120");
    assert_eq!(program.tasks[119].group, "II");
    assert_eq!(program.tasks[59].code, "60");
    assert_eq!(program.tasks[59].group, "I");
    assert!(program.tasks.iter().all(|t| !t.code.contains('.')));
}
