//! The bundled agency directory (`data/agencies/*.toml`) against the facts it records: the
//! 2025 reorganisation of the Government (Resolution 176/2025/QH15), the 63 → 34 provinces
//! (Resolution 202/2025/QH15) and the names the seed documents use.

use chrono::NaiveDate;
use dongbo_domain::text::{fold, nfc};
use dongbo_domain::{Agency, AgencyKind, Directory};

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a test date")
}

fn count(directory: &Directory, day: &str, kinds: &[AgencyKind]) -> usize {
    directory
        .valid_on(date(day))
        .filter(|a| kinds.contains(&a.kind))
        .count()
}

/// Codes of the agencies valid on `day` that go by `name` (compared folded).
fn named(directory: &Directory, name: &str, day: &str) -> Vec<String> {
    let wanted = fold(name);
    directory
        .valid_on(date(day))
        .filter(|a| a.names().any(|n| fold(n) == wanted))
        .map(|a| a.code.clone())
        .collect()
}

fn codes(agencies: &[&Agency]) -> Vec<String> {
    agencies.iter().map(|a| a.code.clone()).collect()
}

const PROVINCIAL: &[AgencyKind] = &[AgencyKind::Province, AgencyKind::CentralCity];

#[test]
fn the_bundled_directory_contradicts_itself_nowhere() {
    let errors: Vec<String> = Directory::bundled()
        .validate()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors, Vec::<String>::new());
}

#[test]
fn sixty_three_provincial_units_until_the_end_of_june_2025() {
    let directory = Directory::bundled();
    assert_eq!(count(&directory, "2024-04-15", PROVINCIAL), 63);
    assert_eq!(count(&directory, "2025-06-30", PROVINCIAL), 63);
}

#[test]
fn thirty_four_provincial_units_from_july_2025_six_of_them_cities() {
    let directory = Directory::bundled();
    assert_eq!(count(&directory, "2025-07-01", PROVINCIAL), 34);
    assert_eq!(
        count(&directory, "2025-07-01", &[AgencyKind::CentralCity]),
        6
    );
    assert_eq!(count(&directory, "2025-07-01", &[AgencyKind::Province]), 28);
    let cities: Vec<&str> = directory
        .valid_on(date("2025-07-01"))
        .filter(|a| a.kind == AgencyKind::CentralCity)
        .map(|a| a.code.as_str())
        .collect();
    assert_eq!(
        cities,
        [
            "T-HA-NOI",
            "T-HUE",
            "T-HAI-PHONG",
            "T-DA-NANG",
            "T-HO-CHI-MINH",
            "T-CAN-THO"
        ]
    );
}

#[test]
fn every_absorbed_province_ends_on_june_30_and_goes_to_one_unit_that_continues() {
    let directory = Directory::bundled();
    let absorbed: Vec<&Agency> = directory
        .agencies
        .iter()
        .filter(|a| PROVINCIAL.contains(&a.kind) && a.valid_until == Some(date("2025-06-30")))
        .collect();
    assert_eq!(absorbed.len(), 29);
    for agency in absorbed {
        let successors = directory.successors_for(&agency.code, "*");
        assert_eq!(successors.len(), 1, "{}", agency.code);
        assert!(
            successors[0].valid_on(date("2025-07-01")),
            "{} → {}",
            agency.code,
            successors[0].code
        );
        assert!(PROVINCIAL.contains(&successors[0].kind));
    }
}

#[test]
fn ha_giang_merges_into_tuyen_quang() {
    let directory = Directory::bundled();
    assert_eq!(
        codes(&directory.successors_for("T-HA-GIANG", "*")),
        ["T-TUYEN-QUANG"]
    );
    let answers = directory.answerable_codes("T-TUYEN-QUANG", date("2024-04-15"));
    assert!(answers.contains(&"T-HA-GIANG".to_owned()), "{answers:?}");
}

#[test]
fn the_merges_follow_resolution_202() {
    let directory = Directory::bundled();
    for (absorbed, into) in [
        ("T-YEN-BAI", "T-LAO-CAI"),
        ("T-BAC-KAN", "T-THAI-NGUYEN"),
        ("T-VINH-PHUC", "T-PHU-THO"),
        ("T-HOA-BINH", "T-PHU-THO"),
        ("T-BAC-GIANG", "T-BAC-NINH"),
        ("T-THAI-BINH", "T-HUNG-YEN"),
        ("T-HAI-DUONG", "T-HAI-PHONG"),
        ("T-HA-NAM", "T-NINH-BINH"),
        ("T-NAM-DINH", "T-NINH-BINH"),
        ("T-QUANG-BINH", "T-QUANG-TRI"),
        ("T-QUANG-NAM", "T-DA-NANG"),
        ("T-KON-TUM", "T-QUANG-NGAI"),
        ("T-BINH-DINH", "T-GIA-LAI"),
        ("T-NINH-THUAN", "T-KHANH-HOA"),
        ("T-DAK-NONG", "T-LAM-DONG"),
        ("T-BINH-THUAN", "T-LAM-DONG"),
        ("T-PHU-YEN", "T-DAK-LAK"),
        ("T-BINH-DUONG", "T-HO-CHI-MINH"),
        ("T-BA-RIA-VUNG-TAU", "T-HO-CHI-MINH"),
        ("T-BINH-PHUOC", "T-DONG-NAI"),
        ("T-LONG-AN", "T-TAY-NINH"),
        ("T-SOC-TRANG", "T-CAN-THO"),
        ("T-HAU-GIANG", "T-CAN-THO"),
        ("T-BEN-TRE", "T-VINH-LONG"),
        ("T-TRA-VINH", "T-VINH-LONG"),
        ("T-TIEN-GIANG", "T-DONG-THAP"),
        ("T-BAC-LIEU", "T-CA-MAU"),
        ("T-KIEN-GIANG", "T-AN-GIANG"),
    ] {
        assert_eq!(
            codes(&directory.successors_for(absorbed, "*")),
            [into],
            "{absorbed}"
        );
    }
}

#[test]
fn thua_thien_hue_became_the_city_of_hue_in_2025() {
    let directory = Directory::bundled();
    assert_eq!(
        codes(&directory.successors_for("T-THUA-THIEN-HUE", "*")),
        ["T-HUE"]
    );
    assert_eq!(named(&directory, "Huế", "2025-07-01"), ["T-HUE"]);
    assert_eq!(
        named(&directory, "Thừa Thiên Huế", "2024-04-15"),
        ["T-THUA-THIEN-HUE"]
    );
}

#[test]
fn provinces_go_by_their_bare_names_and_their_peoples_committees() {
    let directory = Directory::bundled();
    for (name, code) in [
        ("Hà Nội", "T-HA-NOI"),
        ("Hanoi", "T-HA-NOI"),
        ("Ha Noi", "T-HA-NOI"),
        ("UBND thành phố Hà Nội", "T-HA-NOI"),
        ("Tỉnh Tuyên Quang", "T-TUYEN-QUANG"),
        ("UBND tỉnh Tuyên Quang", "T-TUYEN-QUANG"),
        ("Uỷ ban nhân dân tỉnh Tuyên Quang", "T-TUYEN-QUANG"),
        ("Tuyen Quang", "T-TUYEN-QUANG"),
        ("TP.HCM", "T-HO-CHI-MINH"),
        ("Ho Chi Minh City", "T-HO-CHI-MINH"),
        ("Bà Rịa - Vũng Tàu", "T-BA-RIA-VUNG-TAU"),
        ("Hà Tĩnh", "T-HA-TINH"),
    ] {
        let day = if code == "T-BA-RIA-VUNG-TAU" {
            "2024-04-15"
        } else {
            "2025-07-01"
        };
        assert_eq!(named(&directory, name, day), [code], "{name}");
    }
}

#[test]
fn fourteen_ministries_and_three_ministerial_agencies_from_march_2025() {
    let directory = Directory::bundled();
    assert_eq!(count(&directory, "2025-03-01", &[AgencyKind::Ministry]), 14);
    assert_eq!(
        count(&directory, "2025-03-01", &[AgencyKind::MinisterialAgency]),
        3
    );
    // Before the reorganisation: 18 ministries and 4 ministerial-level agencies.
    assert_eq!(count(&directory, "2025-02-28", &[AgencyKind::Ministry]), 18);
    assert_eq!(
        count(&directory, "2025-02-28", &[AgencyKind::MinisterialAgency]),
        4
    );
}

#[test]
fn external_information_passed_to_culture_and_the_rest_of_information_to_science() {
    let directory = Directory::bundled();
    for function in [
        "external_information",
        "press",
        "publishing",
        "grassroots_information",
    ] {
        assert_eq!(
            codes(&directory.successors_for("BTTTT", function)),
            ["BVHTTDL"],
            "{function}"
        );
    }
    for function in ["telecommunications", "digital_transformation", "*"] {
        assert_eq!(
            codes(&directory.successors_for("BTTTT", function)),
            ["BKHCN"],
            "{function}"
        );
    }
}

#[test]
fn the_labour_ministry_ended_and_its_work_was_split() {
    let directory = Directory::bundled();
    let labour = directory.agency("BLDTBXH").expect("BLDTBXH");
    assert_eq!(labour.valid_until, Some(date("2025-02-28")));
    for (function, to) in [
        ("labour", "BNV"),
        ("social_insurance", "BNV"),
        ("merits", "BNV"),
        ("children", "BYT"),
        ("social_protection", "BYT"),
        ("vocational_education", "BGDDT"),
        ("anything_else", "BNV"),
    ] {
        assert_eq!(
            codes(&directory.successors_for("BLDTBXH", function)),
            [to],
            "{function}"
        );
    }
}

#[test]
fn every_succession_ends_at_an_agency_that_still_exists() {
    let directory = Directory::bundled();
    for agency in directory
        .agencies
        .iter()
        .filter(|a| !a.successors.is_empty())
    {
        let functions = agency
            .successors
            .iter()
            .flat_map(|s| s.functions.iter().map(String::as_str));
        for function in functions.chain(["unlisted"]) {
            let now = directory.successors_for(&agency.code, function);
            assert!(!now.is_empty(), "{} {function}", agency.code);
            for successor in now {
                assert_eq!(
                    successor.valid_until, None,
                    "{} {function} → {}",
                    agency.code, successor.code
                );
            }
        }
    }
}

#[test]
fn every_ended_agency_cites_a_source() {
    let directory = Directory::bundled();
    for agency in directory
        .agencies
        .iter()
        .filter(|a| a.valid_until.is_some())
    {
        assert!(agency.source.is_some(), "{}", agency.code);
    }
}

#[test]
fn culture_answers_for_the_information_ministry_in_2024_documents() {
    let directory = Directory::bundled();
    let as_of = date("2024-04-15");
    let answers = directory.answerable_codes("BVHTTDL", as_of);
    assert_eq!(answers[..2], ["BVHTTDL".to_owned(), "BTTTT".to_owned()]);
    // And every closed set that had the information ministry as a member then.
    for set in directory.sets.iter().filter(|s| !s.open) {
        let had_it = directory
            .set_members(&set.code, as_of)
            .iter()
            .any(|a| a.code == "BTTTT");
        assert_eq!(answers.contains(&set.code), had_it, "{}", set.code);
    }
}

#[test]
fn the_agencies_named_in_resolution_47_are_in_the_directory_on_its_date() {
    let directory = Directory::bundled();
    for (name, code) in [
        ("Bộ Thông tin và Truyền thông", "BTTTT"),
        ("Bộ TT&TT", "BTTTT"),
        ("Bộ Ngoại giao", "BNG"),
        ("Bộ Văn hóa, Thể thao và Du lịch", "BVHTTDL"),
        ("Bộ Quốc phòng", "BQP"),
        ("Bộ Công an", "BCA"),
        ("Bộ Công Thương", "BCT"),
        ("Bộ Tài chính", "BTC"),
        ("Bộ Nội vụ", "BNV"),
        ("Bộ Giáo dục và Đào tạo", "BGDDT"),
        ("Bộ Lao động - Thương binh và Xã hội", "BLDTBXH"),
        ("Bộ Nông nghiệp và Phát triển nông thôn", "BNNPTNT"),
        ("Bộ Kế hoạch và Đầu tư", "BKHDT"),
        ("Ủy ban Dân tộc", "UBDT"),
        ("Ngân hàng Nhà nước Việt Nam", "NHNN"),
        ("Văn phòng Chính phủ", "VPCP"),
        ("Thông tấn xã Việt Nam", "TTXVN"),
        ("Đài Truyền hình Việt Nam", "VTV"),
        ("Đài Tiếng nói Việt Nam", "VOV"),
        ("Tiếng nói Việt Nam", "VOV"),
        ("Báo Nhân Dân", "BAONHANDAN"),
        ("Ban Tuyên giáo Trung ương", "BTGTW"),
        ("Ban Đối ngoại Trung ương", "BDNTW"),
        ("Ban Chỉ đạo Công tác thông tin đối ngoại", "BCDTTDN"),
        ("Quốc hội", "QH"),
        ("Văn phòng Quốc hội", "VPQH"),
        ("Ủy ban trung ương Mặt trận Tổ quốc Việt Nam", "MTTQ"),
        ("Toà án nhân dân tối cao", "TANDTC"),
        ("Viện kiểm sát nhân dân tối cao", "VKSNDTC"),
        ("Kiểm toán nhà nước", "KTNN"),
        ("Ủy ban Giám sát tài chính quốc gia", "UBGSTCQG"),
        ("Ngân hàng Chính sách xã hội", "NHCSXH"),
        ("Ngân hàng Phát triển Việt Nam", "VDB"),
        ("Bảo hiểm xã hội Việt Nam", "BHXH-CP"),
    ] {
        assert_eq!(named(&directory, name, "2024-04-15"), [code], "{name}");
    }
}

#[test]
fn english_acronyms_name_one_agency_each() {
    let directory = Directory::bundled();
    for (acronym, code, day) in [
        ("MIC", "BTTTT", "2024-04-15"),
        ("MPI", "BKHDT", "2024-04-15"),
        ("MOLISA", "BLDTBXH", "2024-04-15"),
        ("MONRE", "BTNMT", "2024-04-15"),
        ("MARD", "BNNPTNT", "2024-04-15"),
        ("MOFA", "BNG", "2025-07-01"),
        ("MCST", "BVHTTDL", "2025-07-01"),
        ("MOIT", "BCT", "2025-07-01"),
        ("MOET", "BGDDT", "2025-07-01"),
        ("MOH", "BYT", "2025-07-01"),
        ("MOF", "BTC", "2025-07-01"),
        ("MOD", "BQP", "2025-07-01"),
        ("MPS", "BCA", "2025-07-01"),
        ("MOJ", "BTP", "2025-07-01"),
        ("MOHA", "BNV", "2025-07-01"),
        ("MOST", "BKHCN", "2025-07-01"),
        ("VNA", "TTXVN", "2025-07-01"),
        ("VTV", "VTV", "2025-07-01"),
        ("VOV", "VOV", "2025-07-01"),
        ("SBV", "NHNN", "2025-07-01"),
        ("Ministry of Foreign Affairs", "BNG", "2025-07-01"),
    ] {
        assert_eq!(named(&directory, acronym, day), [code], "{acronym}");
    }
}

#[test]
fn the_party_commissions_ended_in_2025_with_successors() {
    let directory = Directory::bundled();
    assert_eq!(codes(&directory.successors_for("BTGTW", "*")), ["BTGDVTW"]);
    assert_eq!(codes(&directory.successors_for("BDNTW", "*")), ["BNG"]);
}

#[test]
fn the_data_files_are_nfc() {
    for (file, text) in [
        (
            "central.toml",
            include_str!("../../../data/agencies/central.toml"),
        ),
        (
            "former.toml",
            include_str!("../../../data/agencies/former.toml"),
        ),
        (
            "provinces.toml",
            include_str!("../../../data/agencies/provinces.toml"),
        ),
    ] {
        assert!(nfc(text) == text, "{file} is not NFC");
    }
}

/// The agency page's «Nguồn» line is Vietnamese on the Vietnamese pages: every agency whose
/// facts have a source has it in Vietnamese too, in NFC, citing the same instruments, and not
/// left in English.
#[test]
fn every_source_has_its_vietnamese_wording() {
    let english = [
        "Resolution ",
        "Decree ",
        "Decision ",
        "merged into",
        " from 20",
        "not verified",
    ];
    for agency in &Directory::bundled().agencies {
        let Some(source) = &agency.source else {
            assert_eq!(
                agency.source_vi, None,
                "{}: a translation of no source",
                agency.code
            );
            continue;
        };
        let vi = agency
            .source_vi
            .as_deref()
            .unwrap_or_else(|| panic!("{}: «{source}» has no source_vi", agency.code));
        assert_eq!(vi, nfc(vi), "{}: source_vi is not NFC", agency.code);
        for word in english {
            assert!(
                !vi.contains(word),
                "{}: «{word}» left in English: {vi}",
                agency.code
            );
        }
        // The instruments cited ("202/2025/QH15", "391/QĐ-BTC", "60-NQ/TW": a slash and
        // letters, unlike a date) are the same in both.
        let numbers = |text: &str| -> Vec<String> {
            let mut found: Vec<String> = text
                .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ';' | ',' | ':'))
                .filter(|word| word.contains('/') && word.chars().any(char::is_alphabetic))
                .map(str::to_owned)
                .collect();
            found.sort();
            found.dedup();
            found
        };
        assert_eq!(
            numbers(vi),
            numbers(source),
            "{}: the instruments cited differ",
            agency.code
        );
    }
}
