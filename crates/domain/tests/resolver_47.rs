//! Resolution 47/NQ-CP (15 April 2024) against the bundled directory: every lead and
//! coordinating cell of its appendix resolves with nothing left over, names keep their commas
//! and hyphens, and every time frame of the appendix parses.
//!
//! The cells are copied here, as printed, so the domain's tests need no importer.

use chrono::NaiveDate;
use dongbo_domain::{AgencyResolver, Directory, Resolution, TimeFrame, TimeFrameKind};

/// The appendix of Resolution 47/NQ-CP as printed: task, lead agencies, coordinating
/// agencies (tasks 1.1, 1.2 and 3.18 have none) and time frame.
const APPENDIX: &[(&str, &str, Option<&str>, &str)] = &[
    ("1.1", "Các bộ, ngành, địa phương", None, "2024"),
    (
        "1.2",
        "Bộ Thông tin và Truyền thông, các bộ, ngành, địa phương",
        None,
        "Hằng năm",
    ),
    (
        "2.1",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương"),
        "2024",
    ),
    (
        "2.2",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương"),
        "2025 - 2026",
    ),
    (
        "2.3",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương, các cơ quan báo chí"),
        "2024 - 2026",
    ),
    (
        "2.4",
        "Bộ Thông tin và Truyền thông",
        Some("Văn phòng Chính phủ, các bộ, ngành, địa phương"),
        "2024",
    ),
    (
        "2.5",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương, các cơ quan báo chí"),
        "Hằng năm",
    ),
    (
        "2.6",
        "Bộ Ngoại giao",
        Some("Các bộ, ngành, địa phương"),
        "2024 - 2026",
    ),
    (
        "2.7",
        "Bộ Lao động - Thương binh và Xã hội",
        Some(
            "Bộ Thông tin và Truyền thông, Thông tấn xã Việt Nam, Đài Truyền hình Việt Nam, Đài Tiếng nói Việt Nam",
        ),
        "Hằng năm",
    ),
    (
        "2.8",
        "Bộ Thông tin và Truyền thông",
        Some(
            "Bộ Ngoại giao, Thông tấn xã Việt Nam, Đài Truyền hình Việt Nam, Đài Tiếng nói Việt Nam",
        ),
        "2024 - 2025",
    ),
    (
        "2.9",
        "Bộ Thông tin và Truyền thông",
        Some("Bộ Ngoại giao, các bộ, ngành, địa phương"),
        "2024 - 2025",
    ),
    (
        "2.10",
        "Bộ Thông tin và Truyền thông",
        Some("Bộ Tài chính, các cơ quan báo chí"),
        "2024 - 2025",
    ),
    (
        "2.11",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương"),
        "Hằng năm",
    ),
    (
        "2.12",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương"),
        "Hằng năm",
    ),
    (
        "2.13",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương"),
        "Đến năm 2030",
    ),
    (
        "3.1",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương"),
        "2024",
    ),
    (
        "3.2",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương"),
        "2024 - 2026",
    ),
    (
        "3.3",
        "Bộ Công Thương",
        Some("Các bộ, ngành, địa phương"),
        "Hằng năm",
    ),
    (
        "3.4",
        "Bộ Văn hóa, Thể thao và Du lịch",
        Some("Các bộ, ngành, địa phương"),
        "2024 - 2030",
    ),
    (
        "3.5",
        "Bộ Ngoại giao",
        Some("Các bộ, ngành, địa phương"),
        "2024 - 2030",
    ),
    (
        "3.6",
        "Bộ Ngoại giao",
        Some(
            "Bộ Giáo dục và Đào tạo, Bộ Thông tin và Truyền thông, Bộ Văn hóa, Thể thao và Du lịch, các bộ, ngành, địa phương, Đài Truyền hình Việt Nam, Đài Tiếng nói Việt Nam, Thông tấn xã Việt Nam, Báo Nhân Dân",
        ),
        "2024 - 2030",
    ),
    (
        "3.7",
        "Bộ Giáo dục và Đào tạo",
        Some(
            "Bộ Ngoại giao, Bộ Thông tin và Truyền thông, Bộ Văn hóa, Thể thao và Du lịch, Đài Truyền hình Việt Nam, Đài Tiếng nói Việt Nam, Thông tấn xã Việt Nam và các cơ sở giáo dục, đào tạo",
        ),
        "Hằng năm",
    ),
    (
        "3.8",
        "Bộ Thông tin và Truyền thông",
        Some(
            "Bộ Ngoại giao và các bộ, ngành, địa phương, Đài Truyền hình Việt Nam, Đài Tiếng nói Việt Nam, Thông tấn xã Việt Nam",
        ),
        "2024 - 2030",
    ),
    (
        "3.9",
        "Bộ Nông nghiệp và Phát triển nông thôn",
        Some(
            "Bộ Công Thương, Bộ Ngoại giao và các bộ, ngành, địa phương, các cơ quan báo chí có văn phòng đại diện ở nước ngoài",
        ),
        "Hằng năm",
    ),
    (
        "3.10",
        "Bộ Tài chính",
        Some("Các bộ, ngành, địa phương"),
        "Hằng năm",
    ),
    (
        "3.11",
        "Bộ Tài chính",
        Some("Bộ Thông tin và Truyền thông"),
        "2024 - 2025",
    ),
    (
        "3.12",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương"),
        "2024 - 2025",
    ),
    (
        "3.13",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương"),
        "2024 - 2030",
    ),
    (
        "3.14",
        "Bộ Thông tin và Truyền thông",
        Some(
            "Bộ Ngoại giao, Bộ Công Thương, Bộ Lao động - Thương binh và Xã hội và các bộ, ngành, địa phương, các Đài Truyền hình Việt Nam, Tiếng nói Việt Nam, Thông tấn xã Việt Nam",
        ),
        "Hằng năm",
    ),
    (
        "3.15",
        "Đài Truyền hình Việt Nam",
        Some("Bộ Thông tin và Truyền thông và các cơ quan liên quan"),
        "2024 - 2028",
    ),
    (
        "3.16",
        "Bộ Thông tin và Truyền thông",
        Some("Bộ Ngoại giao, Bộ Quốc phòng, các bộ, ngành, địa phương liên quan"),
        "2024 - 2025",
    ),
    (
        "3.17",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương"),
        "2024 - 2026",
    ),
    ("3.18", "Các bộ, ngành, địa phương", None, "Hằng năm"),
    (
        "3.19",
        "Các bộ, ngành, địa phương",
        Some(
            "Bộ Thông tin và Truyền thông, Bộ Văn hóa, Thể thao và Du lịch và các bộ, ngành liên quan",
        ),
        "Hằng năm",
    ),
    (
        "3.20",
        "Các địa phương",
        Some(
            "Bộ Văn hóa, Thể thao và Du lịch, Bộ Thông tin và Truyền thông và các bộ, ngành có liên quan",
        ),
        "Hằng năm",
    ),
    (
        "3.21",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương"),
        "Hằng năm",
    ),
    (
        "4.1",
        "Bộ Thông tin và Truyền thông",
        Some(
            "Bộ Công an, Bộ Ngoại giao, Bộ Lao động - Thương binh và Xã hội và các bộ, ngành, địa phương",
        ),
        "2024 - 2025",
    ),
    (
        "4.2",
        "Bộ Công an",
        Some(
            "Bộ Thông tin và Truyền thông, Bộ Ngoại giao, Bộ Quốc phòng, Ngân hàng Nhà nước Việt Nam và các bộ, ngành, địa phương",
        ),
        "2024 - 2025",
    ),
    (
        "4.3",
        "Bộ Ngoại giao, Bộ Quốc phòng, Bộ Công an",
        Some("Bộ Thông tin và Truyền thông và các bộ, ngành, địa phương"),
        "2024 - 2030",
    ),
    (
        "4.4",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương"),
        "2024 - 2025",
    ),
    (
        "4.5",
        "Ủy ban Dân tộc",
        Some("Các bộ, ngành, địa phương"),
        "2024 - 2030",
    ),
    (
        "5.1",
        "Bộ Thông tin và Truyền thông, Đài Truyền hình Việt Nam, Đài Tiếng nói Việt Nam, Thông tấn xã Việt Nam",
        Some("Bộ Quốc phòng và các bộ, ngành liên quan"),
        "Hằng năm",
    ),
    (
        "5.2",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương"),
        "Đến năm 2030",
    ),
    (
        "5.3",
        "Các bộ, ngành, địa phương",
        Some("Bộ Thông tin và Truyền thông, Bộ Nội vụ"),
        "2024",
    ),
    (
        "5.4",
        "Bộ Thông tin và Truyền thông, các địa phương",
        Some("Các bộ, ngành và các cơ sở đào tạo có liên quan"),
        "Hằng năm",
    ),
    (
        "5.5",
        "Bộ Quốc phòng",
        Some("Bộ Thông tin và Truyền thông và các bộ, ngành, địa phương"),
        "2024 - 2025",
    ),
    (
        "5.6",
        "Bộ Ngoại giao",
        Some("Các bộ, ngành, địa phương"),
        "Hằng năm",
    ),
    (
        "5.7",
        "Bộ Quốc phòng, Bộ Công Thương, Bộ Văn hóa, Thể thao và Du lịch, Bộ Nông nghiệp và Phát triển nông thôn, Bộ Thông tin và Truyền thông",
        Some("Bộ Ngoại giao, Bộ Nội vụ và các bộ, ngành liên quan"),
        "Đến năm 2030",
    ),
    (
        "5.8",
        "Bộ Kế hoạch và Đầu tư",
        Some("Các bộ, ngành, địa phương"),
        "2024 - 2025",
    ),
    (
        "5.9",
        "Bộ Thông tin và Truyền thông",
        Some("Bộ Ngoại giao và các bộ, ngành, địa phương"),
        "2024 - 2026",
    ),
    (
        "5.10",
        "Bộ Nội vụ",
        Some("Bộ Thông tin và Truyền thông, Bộ Ngoại giao và các bộ, ngành, địa phương"),
        "Hằng năm",
    ),
    (
        "5.11",
        "Bộ Thông tin và Truyền thông",
        Some("Các bộ, ngành, địa phương"),
        "Đến năm 2030",
    ),
    (
        "5.12",
        "Bộ Thông tin và Truyền thông",
        Some(
            "Bộ Ngoại giao, Bộ Văn hóa, Thể thao và Du lịch, Bộ Giáo dục và Đào tạo, Bộ Lao động - Thương binh và Xã hội và các bộ, ngành liên quan",
        ),
        "Đến năm 2030",
    ),
    (
        "5.13",
        "Bộ Văn hóa, Thể thao và Du lịch, Thông tấn xã Việt Nam, Đài Truyền hình Việt Nam, Đài Tiếng nói Việt Nam",
        Some("Bộ Thông tin và Truyền thông, Bộ Ngoại giao"),
        "Đến năm 2030",
    ),
    (
        "5.14",
        "Các địa phương",
        Some("Bộ Thông tin và Truyền thông, Bộ Quốc phòng và các bộ, ngành liên quan"),
        "Hằng năm",
    ),
    (
        "5.15",
        "Bộ Thông tin và Truyền thông",
        Some("Bộ Nội vụ và các bộ, ngành, địa phương"),
        "Hằng năm",
    ),
];

fn issued_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 4, 15).expect("the resolution's date")
}

fn resolver() -> AgencyResolver {
    AgencyResolver::new(&Directory::bundled())
}

/// Every lead and coordinating cell, with the task it belongs to.
fn agency_cells() -> impl Iterator<Item = (&'static str, &'static str)> {
    APPENDIX.iter().flat_map(|(task, lead, coordinating, _)| {
        std::iter::once((*task, *lead)).chain(coordinating.map(|cell| (*task, cell)))
    })
}

fn coordinating(task: &str) -> &'static str {
    APPENDIX
        .iter()
        .find(|(code, ..)| *code == task)
        .and_then(|(_, _, coordinating, _)| *coordinating)
        .expect("the task has a coordinating cell")
}

fn lead(task: &str) -> &'static str {
    APPENDIX
        .iter()
        .find(|(code, ..)| *code == task)
        .map(|(_, lead, ..)| *lead)
        .expect("the task is in the appendix")
}

fn resolve(text: &str) -> Resolution {
    resolver().resolve(text, issued_on())
}

#[test]
fn the_appendix_has_fifty_six_tasks_in_five_groups() {
    assert_eq!(APPENDIX.len(), 56);
    let mut groups: Vec<&str> = APPENDIX
        .iter()
        .map(|(task, ..)| task.split('.').next().unwrap_or_default())
        .collect();
    groups.dedup();
    assert_eq!(groups, ["1", "2", "3", "4", "5"]);
}

#[test]
fn every_lead_and_coordinating_cell_resolves_without_leftovers() {
    let resolver = resolver();
    let mut failures = Vec::new();
    let mut cells = 0;
    for (task, cell) in agency_cells() {
        cells += 1;
        let resolution = resolver.resolve(cell, issued_on());
        if !resolution.unresolved.is_empty()
            || (resolution.agencies.is_empty() && resolution.sets.is_empty())
        {
            failures.push(format!("{task}: {cell:?} → {resolution:?}"));
        }
    }
    assert_eq!(cells, 109);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn task_3_6_keeps_the_culture_ministry_whole_and_names_every_coordinator() {
    let resolution = resolve(coordinating("3.6"));
    assert_eq!(
        resolution.agencies,
        [
            "BGDDT",
            "BTTTT",
            "BVHTTDL",
            "VTV",
            "VOV",
            "TTXVN",
            "BAONHANDAN"
        ]
    );
    assert_eq!(
        resolution
            .agencies
            .iter()
            .filter(|code| *code == "BVHTTDL")
            .count(),
        1
    );
    assert_eq!(resolution.sets, ["bo-nganh-dia-phuong"]);
    assert!(resolution.unresolved.is_empty());
}

#[test]
fn the_labour_ministry_keeps_the_hyphen_inside_its_name() {
    let resolution = resolve("Bộ Lao động - Thương binh và Xã hội");
    assert_eq!(resolution.agencies, ["BLDTBXH"]);
    assert_eq!(resolve(lead("2.7")).agencies, ["BLDTBXH"]);
}

#[test]
fn three_ministries_separated_by_commas_resolve_to_three_codes() {
    let resolution = resolve("Bộ Ngoại giao, Bộ Quốc phòng, Bộ Công an");
    assert_eq!(resolution.agencies, ["BNG", "BQP", "BCA"]);
    assert_eq!(resolve(lead("4.3")), resolution);
}

#[test]
fn case_and_diacritics_do_not_matter() {
    for spelling in [
        "BỘ NGOẠI GIAO",
        "Bo Ngoai giao",
        "bộ ngoại giao",
        "BO NGOAI GIAO",
    ] {
        assert_eq!(resolve(spelling).agencies, ["BNG"], "{spelling}");
    }
}

#[test]
fn an_unknown_ministry_stays_unresolved_in_its_own_spelling() {
    let resolution = resolve("Bộ Không Tồn Tại");
    assert!(resolution.agencies.is_empty());
    assert!(resolution.sets.is_empty());
    assert_eq!(resolution.unresolved, ["Bộ Không Tồn Tại"]);

    let resolution = resolve("Bộ Ngoại giao, Bộ Không Tồn Tại và các bộ, ngành liên quan");
    assert_eq!(resolution.agencies, ["BNG"]);
    assert_eq!(resolution.sets, ["bo-nganh-lien-quan"]);
    assert_eq!(resolution.unresolved, ["Bộ Không Tồn Tại"]);
}

#[test]
fn task_3_14_reads_voice_of_viet_nam_without_its_station_word() {
    let resolution = resolve(coordinating("3.14"));
    assert_eq!(
        resolution.agencies,
        ["BNG", "BCT", "BLDTBXH", "VTV", "VOV", "TTXVN"]
    );
    assert_eq!(resolution.sets, ["bo-nganh-dia-phuong"]);
}

#[test]
fn ministries_that_ended_in_2025_resolve_to_their_own_codes_in_a_2024_text() {
    assert_eq!(resolve(lead("3.9")).agencies, ["BNNPTNT"]);
    assert_eq!(resolve(lead("4.5")).agencies, ["UBDT"]);
    assert_eq!(resolve(lead("5.8")).agencies, ["BKHDT"]);
    assert_eq!(resolve(lead("2.1")).agencies, ["BTTTT"]);
}

#[test]
fn collective_phrases_resolve_to_their_sets() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "Bộ Ngoại giao và các bộ, ngành, địa phương",
            &["BNG"],
            &["bo-nganh-dia-phuong"],
        ),
        (
            "các bộ, ngành, địa phương liên quan",
            &[],
            &["bo-nganh-dia-phuong-lien-quan"],
        ),
        ("các cơ quan liên quan", &[], &["co-quan-lien-quan"]),
        (
            "các cơ quan báo chí có văn phòng đại diện ở nước ngoài",
            &[],
            &["co-quan-bao-chi-o-nuoc-ngoai"],
        ),
        (
            "Các bộ, ngành và các cơ sở đào tạo có liên quan",
            &[],
            &["bo-nganh", "co-so-dao-tao"],
        ),
        ("các bộ, ngành có liên quan", &[], &["bo-nganh-lien-quan"]),
        ("Các địa phương", &[], &["dia-phuong"]),
        (
            "Bộ Thông tin và Truyền thông, các địa phương",
            &["BTTTT"],
            &["dia-phuong"],
        ),
        (
            "UBND các tỉnh, thành phố trực thuộc trung ương",
            &[],
            &["dia-phuong"],
        ),
        (
            "các tỉnh, thành phố trực thuộc trung ương",
            &[],
            &["tinh-thanh-pho"],
        ),
        (
            "Bộ Tài chính, các cơ quan báo chí",
            &["BTC"],
            &["co-quan-bao-chi"],
        ),
        (
            "các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
            &[],
            &["bo-nganh"],
        ),
        (
            "địa phương được lựa chọn",
            &[],
            &["dia-phuong-duoc-lua-chon"],
        ),
        (
            "all ministries, sectors and localities",
            &[],
            &["bo-nganh-dia-phuong"],
        ),
        (
            "Ministry of Foreign Affairs and relevant ministries and agencies",
            &["BNG"],
            &["bo-nganh-lien-quan"],
        ),
        ("localities", &[], &["dia-phuong"]),
    ];
    for (text, agencies, sets) in cases {
        let resolution = resolve(text);
        assert_eq!(resolution.agencies, *agencies, "{text}");
        assert_eq!(resolution.sets, *sets, "{text}");
        assert!(resolution.unresolved.is_empty(), "{text}: {resolution:?}");
    }
}

#[test]
fn every_time_frame_of_the_appendix_parses() {
    let unparsed: Vec<_> = APPENDIX
        .iter()
        .filter(|(.., frame)| TimeFrame::parse(frame).kind == TimeFrameKind::Unparsed)
        .map(|(task, .., frame)| format!("{task}: {frame}"))
        .collect();
    assert!(unparsed.is_empty(), "{unparsed:?}");
}

#[test]
fn task_5_2_is_due_at_the_end_of_2030() {
    let (.., frame) = APPENDIX
        .iter()
        .find(|(task, ..)| *task == "5.2")
        .expect("task 5.2");
    let frame = TimeFrame::parse(frame);
    assert_eq!(frame.kind, TimeFrameKind::ByYear);
    assert_eq!(frame.due, NaiveDate::from_ymd_opt(2030, 12, 31));
}

#[test]
fn schools_named_without_a_qualifier_are_education_participants_not_a_set() {
    // Task 3.7 ends "… Thông tấn xã Việt Nam và các cơ sở giáo dục, đào tạo": the schools take
    // part but get no assignment (issue 18); "… có liên quan" (task 5.4's coordinators) is still the open set a
    // coordinator completes.
    let resolution = resolve("các cơ sở giáo dục, đào tạo");
    assert!(resolution.sets.is_empty(), "{resolution:?}");
    assert!(resolution.unresolved.is_empty(), "{resolution:?}");
    assert_eq!(
        resolution.participants,
        [dongbo_domain::Participant {
            kind: dongbo_domain::ParticipantKind::Education,
            text: "các cơ sở giáo dục, đào tạo".to_owned(),
        }]
    );
    assert_eq!(
        resolve("Các bộ, ngành và các cơ sở đào tạo có liên quan").sets,
        ["bo-nganh", "co-so-dao-tao"]
    );
}
