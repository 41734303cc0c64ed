//! The national synthesis report of 47/NQ-CP with every agency reporting: the resolution's own
//! groups and tasks (as `dongbo import` reads the shipped text), every assignment its cells
//! give on its date (`assignment::expand`, the program's work being external information, as
//! the first run of `dongbo serve` assigns it — the agency sets "các bộ, ngành, địa phương"
//! included), and an accepted report on each. Shared by the page-count test
//! (`tests/synthesis.rs`) and the bench (`benches/documents.rs`).

use chrono::NaiveDate;
use dongbo_domain::assignment::expand;
use dongbo_domain::state::WorkState;
use dongbo_domain::{Directory, Role};
use dongbo_publish::synthesis::{
    AssignmentLine, GroupInfo, IndicatorLine, Level, PeriodInfo, ProgramInfo, ReportFigures,
    ReportText, SynthesisInput, TaskInfo,
};
use dongbo_publish::template::SHIPPED_SYNTHESIS;
use dongbo_publish::{Authority, Issuer, Signature};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

fn state(i: usize) -> WorkState {
    WorkState::ALL[i % WorkState::ALL.len()]
}

/// What agencies write as a difficulty: a few common texts (said by many, in varied case and
/// spacing) and one of the agency's own now and then.
fn difficulty(agency: &str, index: usize) -> String {
    match index % 9 {
        0 | 4 => "Kinh phí cho hoạt động thông tin đối ngoại còn hạn chế.".to_owned(),
        1 => "kinh phí  cho hoạt động thông tin đối ngoại còn hạn chế".to_owned(),
        2 => "Đội ngũ cán bộ làm công tác thông tin đối ngoại còn thiếu, chưa chuyên trách."
            .to_owned(),
        6 => format!("Cơ sở dữ liệu thông tin đối ngoại của {agency} chưa được kết nối, chia sẻ."),
        _ => String::new(),
    }
}

fn recommendation(agency: &str, index: usize) -> String {
    match index % 11 {
        0 => "Đề nghị bố trí kinh phí riêng cho công tác thông tin đối ngoại.".to_owned(),
        5 => format!("Đề nghị hỗ trợ đào tạo cán bộ làm thông tin đối ngoại của {agency}."),
        _ => String::new(),
    }
}

/// The input; `run` varies the states and the reports' words, as the next period's report of
/// the same program would.
pub fn input(run: usize) -> SynthesisInput {
    let directory = Directory::bundled();
    let program = dongbo_testkit::programs::program_47(&directory);
    let as_of = program.document.issued_on.unwrap_or(day(2024, 3, 21));
    let name = |code: &str| {
        directory
            .agency(code)
            .map_or_else(|| code.to_owned(), |a| a.name_vi.clone())
    };
    let mut assignments = Vec::new();
    let mut tasks = Vec::new();
    for (t, task) in program.tasks.iter().enumerate() {
        tasks.push(TaskInfo {
            code: task.code.clone(),
            group_code: task.group.clone(),
            title: task.title.clone(),
            state: state(t + run),
            progress: u8::try_from((t * 7 + run) % 101).unwrap_or(0),
            due: Some(day(2026, 12, 31)),
        });
        for planned in expand(task, &directory, as_of, "external_information").assignments {
            let index = assignments.len() + run;
            let agency_name = name(&planned.agency_code);
            let progress = u8::try_from(40 + index % 61).unwrap_or(0);
            assignments.push(AssignmentLine {
                agency_code: planned.agency_code.clone(),
                lead: planned.role == Role::Lead,
                task_code: task.code.clone(),
                state: state(index),
                progress,
                due: Some(day(2026, 12, 31)),
                done_on: None,
                report: Some(ReportText {
                    progress,
                    results: format!(
                        "{agency_name} đã tổ chức {} hội nghị, hội thảo, phát hành ấn phẩm thông tin đối ngoại bằng tiếng Anh, tiếng Pháp, tiếng Trung; cập nhật cổng thông tin điện tử.",
                        index % 17 + 1
                    ),
                    difficulties: difficulty(&agency_name, index),
                    recommendations: recommendation(&agency_name, index),
                    accepted_on: Some(day(2026, 12, 16)),
                }),
                agency_name,
            });
        }
    }
    let agencies: std::collections::BTreeSet<&str> =
        assignments.iter().map(|a| a.agency_code.as_str()).collect();
    let expected = u32::try_from(assignments.len()).unwrap_or(u32::MAX);
    let agencies = u32::try_from(agencies.len()).unwrap_or(u32::MAX);
    SynthesisInput {
        level: Level::National,
        program: ProgramInfo {
            number: program.document.number.clone(),
            kind: program.document.kind.label_vi().to_owned(),
            title: program.document.title.clone(),
            issuer: Some("Chính phủ".into()),
            issued_on: program.document.issued_on,
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
        number: "125/BC-BVHTTDL".into(),
        place: "Hà Nội".into(),
        date: day(2026, 12, 20),
        signature: Signature {
            authority: Some(Authority::Kt),
            on_behalf_of: "BỘ TRƯỞNG".into(),
            position: "THỨ TRƯỞNG".into(),
            name: "Nguyễn Văn Hùng".into(),
        },
        groups: program
            .groups_shown()
            .into_iter()
            .map(|g| GroupInfo {
                code: g.code,
                title: g.title,
            })
            .collect(),
        tasks,
        assignments,
        indicators: (0..12)
            .map(|i| IndicatorLine {
                code: format!("{}", i + 1),
                name: format!("Chỉ tiêu {}", i + 1),
                unit: "%".into(),
                target: "≥ 80".into(),
                value: Some(format!("{}", 70 + i)),
                achievement: if 70 + i >= 80 {
                    "Đạt"
                } else {
                    "Chưa đạt"
                }
                .into(),
                tracked_by: "Bộ Văn hóa, Thể thao và Du lịch".into(),
            })
            .collect(),
        reports: ReportFigures {
            expected,
            on_time: expected - expected / 8,
            late: expected / 8,
            missing: 0,
            accepted: expected,
            agencies_expected: agencies,
            agencies_complete: agencies,
        },
        holding_back: Vec::new(),
        cited_items: Vec::new(),
        template: SHIPPED_SYNTHESIS.into(),
    }
}
