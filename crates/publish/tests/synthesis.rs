//! The synthesis report built from a small program: its sections, figures and annexes follow
//! the input, and the wording template is checked before use.

#[path = "common/national.rs"]
mod national;
#[path = "common/office.rs"]
mod office;

use chrono::NaiveDate;
use dongbo_domain::state::WorkState;
use dongbo_publish::synthesis::{
    AssignmentLine, CitedLine, GroupInfo, Level, PeriodInfo, ProgramInfo, ReportFigures,
    ReportText, SynthesisInput, TaskInfo, build,
};
use dongbo_publish::template::{SHIPPED_SYNTHESIS, SynthesisTemplate, TemplateError};
use dongbo_publish::{Block, Cell, Issuer, Signature, docx, pdf, plain_text, render_all};
use dongbo_testkit::documents::{docx_text, pdf_pages, zip_entry};

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
        cited_items: Vec::new(),
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
fn a_national_report_gives_the_leads_words_and_counts_the_coordinators() {
    let texts = texts(&build(&input()).unwrap().body);
    let lead = texts
        .iter()
        .position(|t| t == "Bộ Ngoại giao (chủ trì): Đã ban hành kế hoạch.")
        .unwrap();
    assert_eq!(
        texts[lead + 1],
        "1/1 cơ quan phối hợp đã báo cáo kết quả (chi tiết tại Phụ lục III)."
    );
    // The coordinator's own words are in the detail annex, not the body.
    assert!(
        !texts
            .iter()
            .any(|t| t.contains("Đã phối hợp tổ chức hội thảo"))
    );
    // A task nobody reported on says so.
    let task = texts
        .iter()
        .position(|t| t.starts_with("2.1 Nhiệm vụ 2.1 (chủ trì: Thành phố Hà Nội)."))
        .unwrap();
    assert_eq!(texts[task + 1], "Chưa có báo cáo được chấp nhận trong kỳ.");
}

#[test]
fn an_agency_report_gives_every_line_of_its_own() {
    let mut input = input();
    input.level = Level::Agency;
    let texts = texts(&build(&input).unwrap().body);
    let lead = texts
        .iter()
        .position(|t| t == "Bộ Ngoại giao (chủ trì): Đã ban hành kế hoạch.")
        .unwrap();
    assert_eq!(
        texts[lead + 1],
        "Bộ Văn hóa, Thể thao và Du lịch (phối hợp): Đã phối hợp tổ chức hội thảo."
    );
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
fn a_national_report_sums_up_per_agency_and_group_and_keeps_every_assignment_in_a_detail_annex() {
    let doc = build(&input()).unwrap();
    doc.validate().expect("every row has every column");
    let titles: Vec<&str> = doc.annexes.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Phụ lục I. TỔNG HỢP KẾT QUẢ THEO CƠ QUAN",
            "Phụ lục II. TỔNG HỢP KẾT QUẢ THEO NHÓM NHIỆM VỤ",
            "Phụ lục III. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ THEO CƠ QUAN",
        ]
    );
    let details: Vec<bool> = doc.annexes.iter().map(|a| a.detail).collect();
    assert_eq!(details, [false, false, true]);

    let agencies = &doc.annexes[0].tables[0];
    assert_eq!(agencies.rows.len(), 3);
    // Hà Nội: one task as lead, overdue, no accepted report.
    let hanoi = &agencies.rows[2];
    assert_eq!(hanoi[1], Cell::Text("Thành phố Hà Nội".into()));
    assert_eq!(
        (&hanoi[2], &hanoi[3]),
        (&Cell::Integer(1), &Cell::Integer(0))
    );
    assert_eq!(hanoi[7], Cell::Integer(1), "overdue");
    assert_eq!(hanoi[10], Cell::Integer(0), "no accepted report");

    let groups = &doc.annexes[1].tables[0];
    let names: Vec<&Cell> = groups.rows.iter().map(|r| &r[0]).collect();
    assert_eq!(
        names,
        [
            &Cell::Text("Nhóm một".into()),
            &Cell::Text("Nhóm hai".into()),
            &Cell::Text("Tổng cộng".into())
        ]
    );
    // Group one: one task, two agencies, two assignments, two accepted reports.
    assert_eq!(
        groups.rows[0][1..4],
        [Cell::Integer(1), Cell::Integer(2), Cell::Integer(2)]
    );
    assert_eq!(groups.rows[0][10], Cell::Integer(2));
    assert_eq!(groups.rows[2][3], Cell::Integer(3));

    let detail = &doc.annexes[2].tables[0];
    let agencies: Vec<&Cell> = detail.rows.iter().map(|r| &r[1]).collect();
    assert_eq!(
        agencies,
        [
            &Cell::Text("Bộ Ngoại giao".into()),
            &Cell::Text("Bộ Văn hóa, Thể thao và Du lịch".into()),
            &Cell::Text("Thành phố Hà Nội".into())
        ]
    );
    assert_eq!(detail.rows[0][5], Cell::Date(day(2026, 6, 30)));
    assert_eq!(detail.rows[0][7], Cell::Percent(100.0));
    // What each reported, the coordinator's words included.
    assert_eq!(
        detail.rows[1][9],
        Cell::Text("Đã phối hợp tổ chức hội thảo.".into())
    );
    assert_eq!(detail.rows[0][10], Cell::Text("Thiếu kinh phí.".into()));
    assert_eq!(detail.rows[2][9], Cell::Empty);
}

#[test]
fn the_library_items_the_reports_cite_are_listed_in_an_annex_of_their_own_by_task() {
    let mut input = input();
    let cited = |task: &str, agency: &str, id: i64, title: &str| CitedLine {
        task_code: task.into(),
        agency_name: agency.into(),
        item_id: id,
        title: title.into(),
        kind: "Sách trắng".into(),
        published_on: Some(day(2026, 3, 1)),
        owner: Some("Bộ Ngoại giao".into()),
    };
    input.cited_items = vec![
        cited("2.1", "Thành phố Hà Nội", 7, "Quảng bá Hà Nội"),
        cited("1.1", "Bộ Ngoại giao", 12, "Sách trắng ngoại giao văn hóa"),
    ];
    let doc = build(&input).unwrap();
    doc.validate().expect("every row has every column");
    let annex = doc.annexes.last().unwrap();
    assert_eq!(
        annex.title,
        "Phụ lục IV. TÀI LIỆU MINH CHỨNG TỪ THƯ VIỆN THÔNG TIN ĐỐI NGOẠI"
    );
    assert!(!annex.detail, "printed with the report");
    let rows = &annex.tables[0].rows;
    // In program order: task 1.1 before 2.1, whatever order the reports came in.
    assert_eq!(rows[0][1], Cell::Text("1.1".into()));
    assert_eq!(
        rows[0][3],
        Cell::Text("Sách trắng ngoại giao văn hóa".into())
    );
    assert_eq!(rows[1][2], Cell::Text("Thành phố Hà Nội".into()));
    assert_eq!(rows[1][7], Cell::Text("7".into()));
    // No citation, no annex.
    assert_eq!(build(&self::input()).unwrap().annexes.len(), 3);
}

#[test]
fn each_annex_is_tied_to_the_report_once_and_the_sheets_are_named_phu_luc() {
    let doc = build(&input()).unwrap();
    let note =
        "(Kèm theo Báo cáo số     /BC-BVHTTDL ngày 20/12/2026 của Bộ Văn hóa, Thể thao và Du lịch)";
    for annex in &doc.annexes {
        assert_eq!(annex.note.as_deref(), Some(note));
        assert!(
            annex.tables.iter().all(|t| t.title.is_none()),
            "{}",
            annex.title
        );
    }
    // Printed: the two summary annexes, each with its note once.
    let printed = docx_text(&zip_entry(
        &docx::render(&doc).unwrap(),
        "word/document.xml",
    ));
    assert_eq!(
        printed.matches("(Kèm theo Báo cáo số").count(),
        2,
        "{printed}"
    );
    assert!(
        !printed.contains("Phụ lục III. TÌNH HÌNH"),
        "the detail annex is not printed"
    );
    let text = plain_text(&doc);
    assert_eq!(text.matches("(Kèm theo Báo cáo số").count(), 3);

    let files = render_all(&doc).unwrap();
    let workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(files.xlsx)).unwrap();
    assert_eq!(
        calamine::Reader::sheet_names(&workbook),
        ["Phụ lục I", "Phụ lục II", "Phụ lục III"]
    );
}

#[test]
fn an_agency_report_is_worded_as_the_agencys_own() {
    let mut input = input();
    input.level = Level::Agency;
    input.coordinator = Some("Bộ Ngoại giao".into());
    input.assignments.retain(|a| a.agency_code == "BVHTTDL");
    input.tasks.retain(|t| t.code == "1.1");
    input.holding_back.clear();
    let doc = build(&input).unwrap();
    let texts = texts(&doc.body);
    assert!(
        texts.iter().any(|t| t.starts_with(
            "Tính đến hết năm 2026, Bộ Văn hóa, Thể thao và Du lịch được giao chủ trì 0 nhiệm vụ \
             và phối hợp thực hiện 1 nhiệm vụ."
        )),
        "{texts:#?}"
    );
    assert!(
        texts.iter().any(|t| t.starts_with(
            "Trong kỳ, 1/1 báo cáo về từng nhiệm vụ của Bộ Văn hóa, Thể thao và Du lịch đã được chấp nhận."
        )),
        "{texts:#?}"
    );
    let all = plain_text(&doc);
    assert!(!all.contains("/1 cơ quan"), "{all}");
    assert!(!all.contains("cơ quan, đơn vị chủ trì, phối hợp"), "{all}");
    // Its one annex, its own assignments, printed.
    assert_eq!(doc.annexes.len(), 1);
    assert_eq!(
        doc.annexes[0].title,
        "Phụ lục I. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ THEO CƠ QUAN"
    );
    assert!(!doc.annexes[0].detail);
    assert_eq!(doc.annexes[0].tables[0].rows.len(), 1);
}

#[test]
fn a_template_saved_with_numbered_annex_titles_is_numbered_by_the_report() {
    let mut input = input();
    input.template = SHIPPED_SYNTHESIS
        .replace(
            r#"annex_agencies = "TỔNG HỢP"#,
            r#"annex_agencies = "Phụ lục II. TỔNG HỢP"#,
        )
        .replace("annex_groups = ", "# annex_groups = ");
    let doc = build(&input).unwrap();
    assert_eq!(
        doc.annexes[0].title,
        "Phụ lục I. TỔNG HỢP KẾT QUẢ THEO CƠ QUAN"
    );
    assert_eq!(
        doc.annexes[1].title,
        "Phụ lục II. TỔNG HỢP KẾT QUẢ THEO NHÓM NHIỆM VỤ"
    );
}

/// The national report of 47/NQ-CP with every agency reporting: what a leader reads fits in 40
/// pages (it was 298 when annex I listed every assignment), every assignment is in the XLSX,
/// and the detailed print has them all.
#[test]
fn the_national_report_of_47_with_every_agency_reporting_prints_in_at_most_40_pages() {
    let input = national::input(0);
    let assignments = input.assignments.len();
    let agencies: std::collections::BTreeSet<&str> = input
        .assignments
        .iter()
        .map(|a| a.agency_code.as_str())
        .collect();
    // The round the issue counts: every ministry and province on about 45 tasks.
    assert!(assignments > 2500, "{assignments} assignments");
    assert!(agencies.len() > 50, "{} agencies", agencies.len());
    let doc = build(&input).unwrap();
    let files = render_all(&doc).unwrap();
    let pages = pdf_pages(&files.pdf);
    assert!(pages.len() <= 40, "{} pages", pages.len());
    assert!(
        pages.len() >= 10,
        "{} pages: the body is there",
        pages.len()
    );
    let all = pages.join(" ");
    assert!(all.contains("Phụ lục II. TỔNG HỢP KẾT QUẢ THEO NHÓM NHIỆM VỤ"));
    assert!(
        !all.contains("Phụ lục III. TÌNH HÌNH"),
        "the detail annex is not printed"
    );
    eprintln!(
        "47/NQ-CP, {assignments} assignments, {} agencies: {} PDF pages",
        agencies.len(),
        pages.len()
    );
    assert!(all.contains("Nguyễn Văn Hùng"));

    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(files.xlsx)).unwrap();
    let detail = calamine::Reader::worksheet_range(&mut workbook, "Phụ lục III").unwrap();
    assert_eq!(
        detail.height(),
        3 + assignments,
        "three title rows and every assignment"
    );

    let detailed = pdf_pages(&pdf::render_detailed(&doc).unwrap());
    assert!(
        detailed.len() > pages.len() + 50,
        "{} pages",
        detailed.len()
    );
    assert!(
        detailed
            .join(" ")
            .contains("Phụ lục III. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ")
    );

    // Word processors agree: LibreOffice lays the DOCX out in at most 40 pages too.
    if let Some(converted) = office::docx_to_pdf(&files.docx) {
        let converted = pdf_pages(&converted);
        eprintln!("LibreOffice: {} pages", converted.len());
        assert!(
            converted.len() <= 40,
            "{} pages in LibreOffice",
            converted.len()
        );
    }
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
    // LibreOffice opens it, and "Nơi nhận" stands with the signature and the last paragraph.
    if let Some(converted) = office::docx_to_pdf(&docx::render(&doc).unwrap()) {
        let pages = pdf_pages(&converted);
        let recipients = office::page_of(&pages, "Nơi nhận").expect("Nơi nhận");
        assert_eq!(office::page_of(&pages, "Nguyễn Văn A"), Some(recipients));
        let last = match doc.body.last() {
            Some(Block::Paragraph(text) | Block::Bullet(text)) => text.clone(),
            other => panic!("{other:?}"),
        };
        let words: Vec<&str> = last.split_whitespace().collect();
        let tail = words[words.len().saturating_sub(3)..].join(" ");
        assert!(
            pages[recipients].contains(&tail),
            "«{tail}» on page {}",
            recipients + 1
        );
    }
}
