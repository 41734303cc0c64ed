//! Who carries a task out, on documents the team did not tune for (issue 18, point 3): each
//! class of phrase the bundled directory and the resolver must understand — missions abroad,
//! centrally-run cities and the abbreviations of "trung ương", Party bodies, courts and the
//! National Assembly's bodies, names without "Việt Nam", non-state participants of each kind,
//! and qualifiers that leave a choice to a person.

use chrono::NaiveDate;
use dongbo_domain::{
    AgencyResolver, Directory, Participant, ParticipantKind, Resolution, Task, TimeFrame,
    assignment,
};

fn day(text: &str) -> NaiveDate {
    text.parse().expect("a date in the test")
}

fn resolve_on(text: &str, date: &str) -> Resolution {
    AgencyResolver::new(&Directory::bundled()).resolve(text, day(date))
}

/// As a 2025 document after the reorganisation would mean it.
fn resolve(text: &str) -> Resolution {
    resolve_on(text, "2025-09-01")
}

fn participant(kind: ParticipantKind, text: &str) -> Participant {
    Participant {
        kind,
        text: text.to_owned(),
    }
}

fn member_codes(directory: &Directory, set: &str, date: &str) -> Vec<String> {
    directory
        .set_members(set, day(date))
        .iter()
        .map(|a| a.code.clone())
        .collect()
}

#[test]
fn the_representative_missions_abroad_are_a_set_the_foreign_ministry_answers_for() {
    for text in [
        "các cơ quan đại diện Việt Nam ở nước ngoài",
        "Các Cơ quan đại diện Việt Nam tại nước ngoài",
        "các CQĐD",
        "Vietnamese representative missions abroad",
    ] {
        let resolution = resolve(text);
        assert_eq!(resolution.sets, ["co-quan-dai-dien-o-nuoc-ngoai"], "{text}");
        assert!(resolution.unresolved.is_empty(), "{resolution:?}");
    }
    let directory = Directory::bundled();
    assert_eq!(
        member_codes(&directory, "co-quan-dai-dien-o-nuoc-ngoai", "2025-09-01"),
        ["BNG"]
    );
    let resolution = resolve(
        "Các bộ, ngành, địa phương, doanh nghiệp liên quan, các cơ quan đại diện Việt Nam ở nước ngoài",
    );
    assert_eq!(
        resolution.sets,
        ["bo-nganh-dia-phuong", "co-quan-dai-dien-o-nuoc-ngoai"]
    );
    assert_eq!(
        resolution.participants,
        [participant(
            ParticipantKind::Business,
            "doanh nghiệp liên quan"
        )]
    );
}

#[test]
fn the_centrally_run_cities_are_a_set_of_six_from_july_2025() {
    let resolution = resolve("Các thành phố trực thuộc Trung ương");
    assert_eq!(resolution.sets, ["thanh-pho-truc-thuoc-trung-uong"]);
    let directory = Directory::bundled();
    let cities = member_codes(&directory, "thanh-pho-truc-thuoc-trung-uong", "2025-07-01");
    assert_eq!(cities.len(), 6, "{cities:?}");
    assert!(cities.contains(&"T-HA-NOI".to_owned()));
    assert!(cities.contains(&"T-HUE".to_owned()));
}

#[test]
fn tw_tu_and_t_u_read_as_trung_uong_and_tp_ubnd_hdnd_mttq_as_their_long_forms() {
    for text in [
        "Các tỉnh, thành phố trực thuộc TW",
        "các tỉnh, thành phố trực thuộc T.Ư",
        "các tỉnh, thành phố trực thuộc TƯ",
        "các tỉnh, TP trực thuộc Trung ương",
    ] {
        assert_eq!(resolve(text).sets, ["tinh-thanh-pho"], "{text}");
    }
    assert_eq!(
        resolve("UBND các tỉnh, TP. trực thuộc TW").sets,
        ["dia-phuong"]
    );
    assert_eq!(
        resolve("HĐND, UBND các tỉnh, thành phố trực thuộc T.Ư").sets,
        ["dia-phuong"]
    );
    assert_eq!(resolve("UBND TP. Hà Nội").agencies, ["T-HA-NOI"]);
    assert_eq!(resolve("Ủy ban nhân dân TP Huế").agencies, ["T-HUE"]);
    assert_eq!(resolve("Ủy ban TW MTTQ Việt Nam").agencies, ["MTTQ"]);
    assert_eq!(
        resolve_on("Ban Tuyên giáo T.Ư", "2024-04-15").agencies,
        ["BTGTW"]
    );
    // The short forms stand only where the long form does: "Bộ Tư pháp" is not "Bộ TW pháp".
    assert_eq!(resolve("Bộ Tư pháp").agencies, ["BTP"]);
    assert_eq!(resolve("Bộ TW pháp").unresolved, ["Bộ TW pháp"]);
}

#[test]
fn party_bodies_are_a_set_and_courts_procuracy_audit_and_assembly_bodies_are_agencies() {
    let resolution = resolve(
        "Các cơ quan Đảng, Quốc hội, Tòa án nhân dân tối cao, Viện Kiểm sát nhân dân tối cao",
    );
    assert_eq!(resolution.sets, ["co-quan-dang"]);
    assert_eq!(resolution.agencies, ["QH", "TANDTC", "VKSNDTC"]);
    assert!(resolution.unresolved.is_empty(), "{resolution:?}");
    assert_eq!(resolve("các ban Đảng Trung ương").sets, ["co-quan-dang"]);
    assert_eq!(resolve("Kiểm toán Nhà nước").agencies, ["KTNN"]);
    assert_eq!(
        resolve("Ban Tuyên giáo và Dân vận Trung ương").agencies,
        ["BTGDVTW"]
    );
    let party = member_codes(&Directory::bundled(), "co-quan-dang", "2025-09-01");
    assert!(party.contains(&"BTGDVTW".to_owned()), "{party:?}");
    assert!(!party.contains(&"BTGTW".to_owned()), "{party:?}");

    // The Assembly's committees merged in February 2025: the name a document used means the
    // committee of its date.
    assert_eq!(
        resolve_on("Ủy ban Pháp luật của Quốc hội", "2024-04-15").agencies,
        ["UBPL"]
    );
    assert_eq!(resolve("Ủy ban Pháp luật và Tư pháp").agencies, ["UBPLTP"]);
    assert_eq!(
        resolve("Hội đồng Dân tộc, các Ủy ban của Quốc hội").sets,
        ["co-quan-quoc-hoi"]
    );
    assert_eq!(resolve("Hội đồng Dân tộc").agencies, ["HDDT"]);
}

#[test]
fn names_written_without_viet_nam_or_in_short_forms_resolve() {
    let cases = [
        ("Viện Hàn lâm Khoa học và Công nghệ", "VHLKHCN"),
        ("Viện Hàn lâm Khoa học xã hội", "VHLKHXH"),
        ("Thông tấn xã", "TTXVN"),
        ("Liên hiệp các tổ chức hữu nghị", "LHHN"),
        ("Hội Nhà báo", "HNB"),
        ("Tổng Liên đoàn Lao động", "TLDLD"),
        ("Trung ương Đoàn TNCS Hồ Chí Minh", "TWDOAN"),
        ("Mặt trận Tổ quốc", "MTTQ"),
    ];
    for (text, code) in cases {
        let resolution = resolve(text);
        assert_eq!(resolution.agencies, [code], "{text}: {resolution:?}");
        assert!(resolution.participants.is_empty(), "{text}: {resolution:?}");
    }
}

#[test]
fn ministries_listed_after_cac_bo_colon_are_read_with_their_bo() {
    let resolution = resolve_on(
        "Các Bộ: Quốc phòng, Xây dựng, Tài nguyên và Môi trường, Nông nghiệp và PTNT và các đơn vị liên quan",
        "2023-02-07",
    );
    assert_eq!(resolution.agencies, ["BQP", "BXD", "BTNMT", "BNNPTNT"]);
    assert_eq!(resolution.sets, ["co-quan-lien-quan"]);
    assert!(resolution.unresolved.is_empty(), "{resolution:?}");
    // Without the heading the bare names are not ministries.
    assert_eq!(resolve("Quốc phòng").unresolved, ["Quốc phòng"]);
}

#[test]
fn each_kind_of_non_state_participant_is_recorded_with_its_kind() {
    use ParticipantKind::*;
    let cases: &[(&str, &[(ParticipantKind, &str)])] = &[
        ("Tập đoàn Viettel", &[(Business, "Tập đoàn Viettel")]),
        (
            "Tổng công ty Bưu điện Việt Nam",
            &[(Business, "Tổng công ty Bưu điện Việt Nam")],
        ),
        (
            "Tập đoàn, doanh nghiệp công nghệ số",
            &[
                (Business, "Tập đoàn"),
                (Business, "doanh nghiệp công nghệ số"),
            ],
        ),
        (
            "các hiệp hội doanh nghiệp",
            &[(Association, "các hiệp hội doanh nghiệp")],
        ),
        ("các trường đại học", &[(Education, "các trường đại học")]),
        ("các viện nghiên cứu", &[(Research, "các viện nghiên cứu")]),
        (
            "các chuyên gia, nhà khoa học",
            &[(Expert, "các chuyên gia"), (Expert, "nhà khoa học")],
        ),
        (
            "cộng đồng người Việt Nam ở nước ngoài",
            &[(Community, "cộng đồng người Việt Nam ở nước ngoài")],
        ),
        (
            "các tổ chức, cá nhân",
            &[(Organization, "các tổ chức"), (Individual, "cá nhân")],
        ),
        (
            "các tổ chức quốc tế",
            &[(International, "các tổ chức quốc tế")],
        ),
    ];
    for (text, expected) in cases {
        let resolution = resolve(text);
        let expected: Vec<Participant> = expected
            .iter()
            .map(|(kind, text)| participant(*kind, text))
            .collect();
        assert_eq!(resolution.participants, expected, "{text}");
        assert!(resolution.unresolved.is_empty(), "{text}: {resolution:?}");
        assert!(resolution.agencies.is_empty(), "{text}: {resolution:?}");
        assert!(resolution.sets.is_empty(), "{text}: {resolution:?}");
    }
    // A council is not an association.
    assert!(resolve("Hội đồng điều phối vùng").participants.is_empty());
}

#[test]
fn participants_are_never_given_an_assignment() {
    let cell = |text: &str| resolve_on(text, "2025-01-09");
    let task = Task {
        code: "138".to_owned(),
        group: "VII".to_owned(),
        title: "Lập các cơ sở nghiên cứu chính sách về công nghệ số".to_owned(),
        expected_output: None,
        lead: cell("Tập đoàn, doanh nghiệp công nghệ số"),
        coordinating: cell("Bộ Khoa học và Công nghệ, các nhà khoa học"),
        time_frame: TimeFrame::parse("2030"),
        draft: false,
        language: None,
        source: None,
    };
    let expansion = assignment::expand(&task, &Directory::bundled(), day("2025-01-09"), "*");
    let assigned: Vec<&str> = expansion
        .assignments
        .iter()
        .map(|a| a.agency_code.as_str())
        .collect();
    assert_eq!(assigned, ["BKHCN"]);
    assert!(expansion.pending.is_empty(), "{expansion:?}");
}

#[test]
fn a_qualifier_after_any_noun_makes_an_open_set_a_coordinator_completes() {
    let directory = Directory::bundled();
    let cases = [
        // A set the directory knows becomes its open counterpart.
        ("một số địa phương", "dia-phuong-duoc-lua-chon"),
        ("các địa phương đủ điều kiện", "dia-phuong-duoc-lua-chon"),
        (
            "các thành phố trực thuộc trung ương được lựa chọn",
            "dia-phuong-duoc-lua-chon",
        ),
        ("các cơ quan báo chí liên quan", "co-quan-bao-chi-lien-quan"),
        (
            "Các bộ, ngành, địa phương là chủ quản CSDLQG, CSDL chuyên ngành",
            "bo-nganh-dia-phuong-lien-quan",
        ),
        ("các cơ quan Đảng liên quan", "co-quan-lien-quan"),
        // A noun it does not know, whatever it is, becomes the widest open set.
        ("các hội văn học nghệ thuật liên quan", "co-quan-lien-quan"),
        ("các Sở có liên quan", "co-quan-lien-quan"),
        ("một số bệnh viện", "co-quan-lien-quan"),
    ];
    for (text, set) in cases {
        let resolution = resolve(text);
        assert_eq!(resolution.sets, [set], "{text}: {resolution:?}");
        assert!(resolution.unresolved.is_empty(), "{text}: {resolution:?}");
        assert!(resolution.participants.is_empty(), "{text}: {resolution:?}");
        assert!(
            directory.set(set).is_some_and(|s| s.open),
            "{set} is an open set"
        );
    }
    // Without the qualifier the same words are the closed set, or a participant.
    assert_eq!(resolve("các địa phương").sets, ["dia-phuong"]);
    assert_eq!(
        resolve("các hội văn học nghệ thuật").participants,
        [participant(
            ParticipantKind::Association,
            "các hội văn học nghệ thuật"
        )]
    );
}

#[test]
fn the_word_mot_never_names_the_former_ministry_of_transport() {
    // The English acronym "MOT" of the Ministry of Transport folds like the word "một": a
    // 2024 cell that opens with "một" must not be read as that ministry.
    for text in [
        "Một cơ quan do Bộ Ngoại giao chỉ định",
        "một đơn vị thuộc Bộ Ngoại giao",
    ] {
        let resolution = resolve_on(text, "2024-06-01");
        assert!(
            !resolution.agencies.iter().any(|a| a == "BGTVT"),
            "{text}: {resolution:?}"
        );
    }
    assert_eq!(
        resolve_on("Bộ Giao thông vận tải", "2024-06-01").agencies,
        ["BGTVT"]
    );
}
