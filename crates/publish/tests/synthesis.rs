//! The synthesis report built from a small program: its sections, figures and annexes follow
//! the input, and the wording template is checked before use.

use chrono::NaiveDate;
use dongbo_domain::state::WorkState;
use dongbo_publish::synthesis::{
    AssignmentLine, GroupInfo, Level, PeriodInfo, ProgramInfo, ReportFigures, ReportText,
    SynthesisInput, TaskInfo, build,
};
use dongbo_publish::template::{SHIPPED_SYNTHESIS, SynthesisTemplate, TemplateError};
use dongbo_publish::{Block, Cell, Issuer, Signature, plain_text};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn line(agency: &str, name: &str, lead: bool, task: &str, state: WorkState) -> AssignmentLine {
    AssignmentLine {
        agency_code: agency.into(),
        agency_name: name.into(),
        lead,
        task_code: task.into(),
        state,
        progress: if state.is_done() { 100 } else { 40 },
        due: Some(day(2026, 6, 30)),
        done_on: state.is_done().then(|| day(2026, 5, 2)),
        report: None,
    }
}

fn report(results: &str, difficulties: &str, recommendations: &str) -> Option<ReportText> {
    Some(ReportText {
        progress: 100,
        results: results.into(),
        difficulties: difficulties.into(),
        recommendations: recommendations.into(),
        accepted_on: Some(day(2026, 12, 16)),
    })
}

fn input() -> SynthesisInput {
    let task = |code: &str, group: &str, state| TaskInfo {
        code: code.into(),
        group_code: group.into(),
        title: format!("Nhiệm vụ {code}"),
        state,
        progress: 50,
        due: Some(day(2026, 6, 30)),
    };
    let mut a = line("BNG", "Bộ Ngoại giao", true, "1.1", WorkState::DoneOnTime);
    a.report = report(
        "Đã ban hành kế hoạch.",
        "Thiếu kinh phí.",
        "Bổ sung kinh phí.",
    );
    let mut b = line(
        "BVHTTDL",
        "Bộ Văn hóa, Thể thao và Du lịch",
        false,
        "1.1",
        WorkState::InProgress,
    );
    b.report = report("Đã phối hợp tổ chức hội thảo.", "thiếu  kinh phí", "");
    let c = line(
        "HN",
        "Thành phố Hà Nội",
        true,
        "2.1",
        WorkState::OverdueNotDone,
    );
    SynthesisInput {
        level: Level::National,
        program: ProgramInfo {
            number: Some("47/NQ-CP".into()),
            kind: "Nghị quyết".into(),
            title: "Chương trình hành động của Chính phủ về thông tin đối ngoại".into(),
            issuer: Some("Chính phủ".into()),
            issued_on: Some(day(2024, 3, 21)),
        },
        period: PeriodInfo {
            code: "2026-Y".into(),
            label: "năm 2026".into(),
            start: day(2025, 12, 15),
            end: day(2026, 12, 14),
            deadline: day(2026, 12, 15),
        },
        issuer: Issuer {
            superior: None,
            name: "Bộ Văn hóa, Thể thao và Du lịch".into(),
            abbreviation: "BVHTTDL".into(),
        },
        coordinator: None,
        number: "    /BC-BVHTTDL".into(),
        place: "Hà Nội".into(),
        date: day(2026, 12, 20),
        signature: Signature {
            authority: None,
            on_behalf_of: "BỘ TRƯỞNG".into(),
            position: "BỘ TRƯỞNG".into(),
            name: "Nguyễn Văn A".into(),
        },
        groups: vec![
            GroupInfo {
                code: "1".into(),
                title: "Nhóm một".into(),
            },
            GroupInfo {
                code: "2".into(),
                title: "Nhóm hai".into(),
            },
        ],
        tasks: vec![
            task("1.1", "1", WorkState::DoneOnTime),
            task("2.1", "2", WorkState::OverdueNotDone),
        ],
        assignments: vec![c, b, a],
        indicators: Vec::new(),
        reports: ReportFigures {
            expected: 3,
            on_time: 1,
            late: 1,
            missing: 1,
            accepted: 2,
            agencies_expected: 3,
            agencies_complete: 1,
        },
        holding_back: vec!["Thành phố Hà Nội".into()],
        template: SHIPPED_SYNTHESIS.into(),
    }
}

fn texts(blocks: &[Block]) -> Vec<String> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { text, .. } | Block::Paragraph(text) | Block::Bullet(text) => {
                Some(text.clone())
            }
            Block::Table(_) => None,
        })
        .collect()
}

#[test]
fn the_shipped_template_parses() {
    SynthesisTemplate::shipped().expect("the shipped template is valid");
}

#[test]
fn the_report_has_its_five_sections_and_figures() {
    let doc = build(&input()).expect("builds");
    let texts = texts(&doc.body);
    let headings: Vec<&String> = texts
        .iter()
        .filter(|t| {
            ["I. ", "II. ", "III. ", "IV. ", "V. "]
                .iter()
                .any(|p| t.starts_with(p))
        })
        .collect();
    assert_eq!(headings.len(), 5, "{headings:?}");
    assert!(texts[0].contains("Nghị quyết số 47/NQ-CP ngày 21/3/2024 của Chính phủ"));
    let summary = texts
        .iter()
        .find(|t| t.starts_with("Tính đến hết năm 2026"))
        .unwrap();
    assert!(
        summary.contains("2 nhiệm vụ được giao cho 3 cơ quan"),
        "{summary}"
    );
    assert!(
        summary.contains("Đã hoàn thành 1 nhiệm vụ (50%)"),
        "{summary}"
    );
    assert!(
        summary.contains("1 nhiệm vụ quá hạn chưa hoàn thành"),
        "{summary}"
    );
    assert!(texts.iter().any(|t| t.starts_with(
        "Có 2/3 cơ quan có báo cáo được chấp nhận trong kỳ, với 2 báo cáo về từng nhiệm vụ."
    )));
    assert_eq!(
        doc.title,
        "Tình hình thực hiện Nghị quyết số 47/NQ-CP ngày 21/3/2024 của Chính phủ năm 2026"
    );
    assert_eq!(doc.recipients.last().unwrap(), "Lưu: VT, BVHTTDL.");
}

#[test]
fn results_come_from_the_lead_first_then_the_coordinators() {
    let texts = texts(&build(&input()).unwrap().body);
    let lead = texts
        .iter()
        .position(|t| t == "Bộ Ngoại giao (chủ trì): Đã ban hành kế hoạch.")
        .unwrap();
    let coordinator = texts
        .iter()
        .position(|t| {
            t == "Bộ Văn hóa, Thể thao và Du lịch (phối hợp): Đã phối hợp tổ chức hội thảo."
        })
        .unwrap();
    assert!(lead < coordinator);
    // A task nobody reported on says so.
    let task = texts
        .iter()
        .position(|t| t.starts_with("2.1 Nhiệm vụ 2.1 (chủ trì: Thành phố Hà Nội)."))
        .unwrap();
    assert_eq!(texts[task + 1], "Chưa có báo cáo được chấp nhận trong kỳ.");
}

#[test]
fn the_same_difficulty_from_two_agencies_is_said_once_with_both_names() {
    let texts = texts(&build(&input()).unwrap().body);
    let said: Vec<&String> = texts
        .iter()
        .filter(|t| t.to_lowercase().contains("thiếu kinh phí"))
        .collect();
    assert_eq!(
        said,
        ["Thiếu kinh phí (Bộ Ngoại giao; Bộ Văn hóa, Thể thao và Du lịch)."]
    );
    assert!(
        texts
            .iter()
            .any(|t| t == "Bổ sung kinh phí (Bộ Ngoại giao).")
    );
    // The overdue task is proposed for attention.
    assert!(
        texts
            .iter()
            .any(|t| t == "2.1 Nhiệm vụ 2.1 (thời hạn 30/6/2026)")
    );
}

#[test]
fn the_annexes_list_every_assignment_by_agency_and_sum_per_agency() {
    let doc = build(&input()).unwrap();
    let tasks = &doc.annexes[0].tables[0];
    let agencies: Vec<&Cell> = tasks.rows.iter().map(|r| &r[1]).collect();
    assert_eq!(
        agencies,
        [
            &Cell::Text("Bộ Ngoại giao".into()),
            &Cell::Text("Bộ Văn hóa, Thể thao và Du lịch".into()),
            &Cell::Text("Thành phố Hà Nội".into())
        ]
    );
    assert_eq!(tasks.rows[0][5], Cell::Date(day(2026, 6, 30)));
    assert_eq!(tasks.rows[0][7], Cell::Percent(100.0));
    let summary = &doc.annexes[1].tables[0];
    assert_eq!(summary.rows.len(), 3);
    // Hà Nội: one task, overdue, no accepted report.
    assert_eq!(summary.rows[2][2], Cell::Integer(1));
    assert_eq!(summary.rows[2][6], Cell::Integer(1));
    assert_eq!(summary.rows[2][9], Cell::Integer(0));
    doc.validate().expect("every row has every column");
    assert!(plain_text(&doc).contains("Phụ lục I. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ THEO CƠ QUAN"));
}

#[test]
fn building_twice_gives_the_same_document_and_the_input_survives_json() {
    let input = input();
    let json = serde_json::to_string(&input).unwrap();
    let back: SynthesisInput = serde_json::from_str(&json).unwrap();
    assert_eq!(build(&input).unwrap(), build(&back).unwrap());
}

#[test]
fn a_template_with_a_mistake_is_refused_naming_the_key_and_line() {
    let unknown =
        SHIPPED_SYNTHESIS.replace("{{ period.label }} như sau", "{{ period.lable }} như sau");
    match SynthesisTemplate::parse(&unknown) {
        Err(TemplateError::Text { key, message }) => {
            assert_eq!(key, "national.opening");
            assert!(message.contains("undefined"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let syntax = SHIPPED_SYNTHESIS.replace("đã quá hạn{% endif %}", "đã quá hạn");
    match SynthesisTemplate::parse(&syntax) {
        Err(TemplateError::Text { key, message }) => {
            assert_eq!(key, "sections.proposals_text");
            assert!(message.contains("line"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let missing = SHIPPED_SYNTHESIS.replace("no_report = ", "no_reports = ");
    assert!(matches!(
        SynthesisTemplate::parse(&missing),
        Err(TemplateError::Toml(_))
    ));
    // And a report built with a broken template fails instead of printing nonsense.
    let mut input = input();
    input.template = unknown;
    assert!(build(&input).is_err());
}

#[test]
fn an_agency_report_goes_to_the_coordinator() {
    let mut input = input();
    input.level = Level::Agency;
    input.coordinator = Some("Bộ Văn hóa, Thể thao và Du lịch".into());
    let doc = build(&input).unwrap();
    assert_eq!(
        doc.recipients[0],
        "Bộ Văn hóa, Thể thao và Du lịch (để tổng hợp);"
    );
    assert!(doc.title.starts_with("Kết quả thực hiện"));
}
