//! The storage contract: every storage function, written once and run on SQLite and on
//! PostgreSQL (`sqlite::…` and `postgres::…` test names). Programs are saved as every caller
//! saves them, with their assignments (`programs::save_with_assignments`).

use chrono::NaiveDate;
use dongbo_domain::{
    Agency, AgencyKind, AgencySet, Directory, DocumentKind, DocumentMeta, ImportedProgram,
    Participant, ParticipantKind, Recurrence, Resolution, Succession, Task, TaskGroup, TimeFrame,
    TimeFrameKind,
};
use dongbo_store::{
    Assigning, Backend, Db, Role, SaveOutcome, SourceInfo, StoreError, assignments, directory,
    programs, tasks,
};

dongbo_testkit::backend_tests!(
    an_empty_store_has_an_empty_directory,
    the_directory_round_trips_exactly_in_code_order,
    saving_a_directory_replaces_the_previous_one,
    a_saved_program_reads_back_exactly,
    saving_the_same_program_twice_changes_nothing,
    a_changed_program_is_updated_in_place_with_its_diff,
    a_program_without_a_number_is_matched_by_the_files_sha256,
    a_program_without_a_number_and_another_file_is_a_new_program,
    a_failing_save_leaves_nothing_behind,
    a_failing_update_leaves_the_stored_program_as_it_was,
    diff_against_stored_shows_changes_without_writing,
    programs_are_listed_with_their_counts,
    programs_are_found_by_number_and_unknown_ones_are_none,
    a_task_is_read_by_program_and_code,
    naming_finds_tasks_through_agency_and_set_codes_with_their_role,
    search_ignores_case_and_diacritics,
    search_needs_every_word_and_takes_wildcards_literally,
    search_respects_the_limit_and_ignores_an_empty_query,
    concurrent_saves_of_different_programs_all_succeed,
    a_failure_assigning_the_tasks_leaves_nothing_of_the_program_behind,
    importing_again_after_a_failed_assignment_brings_the_program_and_its_assignments_in,
    an_unchanged_program_stored_without_its_assignments_gets_them_when_imported_again,
    an_unchanged_program_with_its_assignments_in_step_writes_nothing,
    a_task_s_non_state_participants_are_stored_with_their_kind_and_diffed,
);

// ---------------------------------------------------------------------------------------------
// Fixtures

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn agency(code: &str, kind: AgencyKind, name_vi: &str) -> Agency {
    Agency {
        code: code.to_owned(),
        kind,
        name_vi: name_vi.to_owned(),
        name_en: format!("{code} (en)"),
        aliases: Vec::new(),
        valid_from: None,
        valid_until: None,
        parent: None,
        successors: Vec::new(),
        source: None,
        source_vi: None,
    }
}

/// A directory out of code order, using every field.
fn sample_directory() -> Directory {
    let mut btttt = agency(
        "BTTTT",
        AgencyKind::Ministry,
        "Bộ Thông tin và Truyền thông",
    );
    btttt.aliases = strings(&["Bộ TT&TT", "MIC"]);
    btttt.valid_from = date(2007, 8, 1);
    btttt.valid_until = date(2025, 2, 28);
    btttt.successors = vec![
        Succession {
            code: "BVHTTDL".to_owned(),
            functions: strings(&["press", "external_information"]),
        },
        Succession {
            code: "BKHCN".to_owned(),
            functions: strings(&["*"]),
        },
        Succession {
            code: "OTHER".to_owned(),
            functions: Vec::new(),
        },
    ];
    btttt.source = Some("Nghị quyết 176/2025/QH15".to_owned());
    let mut hn = agency("HN", AgencyKind::CentralCity, "Thành phố Hà Nội");
    hn.parent = Some("CP".to_owned());
    Directory {
        agencies: vec![
            agency(
                "BVHTTDL",
                AgencyKind::Ministry,
                "Bộ Văn hóa, Thể thao và Du lịch",
            ),
            btttt,
            hn,
            agency("BNG", AgencyKind::Ministry, "Bộ Ngoại giao"),
            agency("BKHCN", AgencyKind::Ministry, "Bộ Khoa học và Công nghệ"),
        ],
        sets: vec![
            AgencySet {
                code: "dia-phuong".to_owned(),
                name_vi: "các địa phương".to_owned(),
                name_en: "provinces".to_owned(),
                phrases: strings(&["các địa phương", "UBND các tỉnh, thành phố"]),
                member_kinds: vec![AgencyKind::Province, AgencyKind::CentralCity],
                member_codes: Vec::new(),
                open: false,
            },
            AgencySet {
                code: "bo-nganh-lien-quan".to_owned(),
                name_vi: "các bộ, ngành liên quan".to_owned(),
                name_en: "relevant ministries and sectors".to_owned(),
                phrases: strings(&["các bộ, ngành liên quan"]),
                member_kinds: Vec::new(),
                member_codes: strings(&["BNG", "BVHTTDL"]),
                open: true,
            },
        ],
    }
}

fn sorted(mut directory: Directory) -> Directory {
    directory.agencies.sort_by(|a, b| a.code.cmp(&b.code));
    directory.sets.sort_by(|a, b| a.code.cmp(&b.code));
    directory
}

fn resolution(text: &str, agencies: &[&str], sets: &[&str], unresolved: &[&str]) -> Resolution {
    Resolution {
        text: text.to_owned(),
        agencies: strings(agencies),
        sets: strings(sets),
        unresolved: strings(unresolved),
        participants: Vec::new(),
    }
}

fn task(code: &str, group: &str, title: &str) -> Task {
    Task {
        code: code.to_owned(),
        group: group.to_owned(),
        title: title.to_owned(),
        expected_output: None,
        lead: resolution("Bộ Ngoại giao", &["BNG"], &[], &[]),
        coordinating: Resolution::default(),
        time_frame: TimeFrame {
            text: "Thường xuyên".to_owned(),
            kind: TimeFrameKind::Ongoing,
            start: None,
            due: None,
            recurrence: Recurrence::Continuous,
        },
        draft: false,
        language: None,
        source: None,
    }
}

/// A program shaped like 47/NQ-CP, using every field.
fn sample_program(number: Option<&str>) -> ImportedProgram {
    let mut t11 = task(
        "1.1",
        "1",
        "Tổ chức quán triệt Kết luận số 57-KL/TW về công tác thông tin đối ngoại",
    );
    t11.expected_output = Some("Hội nghị, văn bản hướng dẫn".to_owned());
    t11.lead = resolution("Bộ Thông tin và Truyền thông", &["BTTTT"], &[], &[]);
    t11.coordinating = resolution(
        "Các bộ, ngành, địa phương; Ban Tuyên giáo Trung ương; cơ quan X",
        &["BTGTW"],
        &["bo-nganh-dia-phuong"],
        &["cơ quan X"],
    );
    t11.time_frame = TimeFrame {
        text: "Quý II/2024".to_owned(),
        kind: TimeFrameKind::Quarter,
        start: date(2024, 4, 1),
        due: date(2024, 6, 30),
        recurrence: Recurrence::None,
    };
    t11.source = Some("line 120".to_owned());

    let mut t12 = task(
        "1.2",
        "1",
        "Tăng cường sự lãnh đạo của Đảng đối với công tác này",
    );
    t12.time_frame = TimeFrame {
        text: "Hằng năm".to_owned(),
        kind: TimeFrameKind::Annual,
        start: None,
        due: None,
        recurrence: Recurrence::Annual,
    };
    t12.coordinating = resolution("Bộ Văn hóa, Thể thao và Du lịch", &["BVHTTDL"], &[], &[]);

    let mut t21 = task("2.1", "2", "Xây dựng cơ sở dữ liệu về thông tin đối ngoại");
    t21.lead = resolution("Bộ Văn hóa, Thể thao và Du lịch", &["BVHTTDL"], &[], &[]);
    t21.draft = true;
    t21.language = Some("en".to_owned());
    t21.time_frame = TimeFrame {
        text: "chưa rõ".to_owned(),
        kind: TimeFrameKind::Unparsed,
        start: None,
        due: None,
        recurrence: Recurrence::None,
    };

    ImportedProgram {
        document: DocumentMeta {
            number: number.map(str::to_owned),
            kind: DocumentKind::Resolution,
            issued_on: date(2024, 4, 5),
            issuer: Some("CP".to_owned()),
            issuer_text: Some("CHÍNH PHỦ".to_owned()),
            signer: Some("Trần Lưu Quang".to_owned()),
            title: "Chương trình hành động về công tác thông tin đối ngoại".to_owned(),
            implements: strings(&["57-KL/TW"]),
            language: "vi".to_owned(),
        },
        groups: vec![
            TaskGroup {
                code: "1".to_owned(),
                title: "Nâng cao nhận thức".to_owned(),
            },
            TaskGroup {
                code: "2".to_owned(),
                title: "Cơ sở dữ liệu".to_owned(),
            },
        ],
        tasks: vec![t11, t12, t21],
        warnings: strings(&["line 200: time frame «chưa rõ» not understood"]),
    }
}

fn source(file_name: &str, sha256: &str) -> SourceInfo {
    SourceInfo {
        file_name: file_name.to_owned(),
        format: "flat_text".to_owned(),
        sha256: sha256.to_owned(),
    }
}

/// Saves `program` from `source` with its assignments against [`sample_directory`]; what
/// happened to the program.
async fn save(
    db: &Db,
    program: &ImportedProgram,
    source: &SourceInfo,
) -> Result<SaveOutcome, StoreError> {
    let directory = sample_directory();
    programs::save_with_assignments(db, program, source, Assigning::new(&directory))
        .await
        .map(|saved| saved.program)
}

async fn save_new(db: &Db, program: &ImportedProgram, sha256: &str) -> i64 {
    match save(db, program, &source("plan.txt", sha256))
        .await
        .expect("saving a program")
    {
        SaveOutcome::Created { program_id } => program_id,
        other => panic!("expected a new program, got {other:?}"),
    }
}

/// Row counts of every program table and of its assignments, to show that nothing was
/// written.
async fn row_counts(db: &Db) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for (table, sql) in [
        ("documents", "SELECT COUNT(*) FROM documents"),
        ("programs", "SELECT COUNT(*) FROM programs"),
        ("task_groups", "SELECT COUNT(*) FROM task_groups"),
        ("tasks", "SELECT COUNT(*) FROM tasks"),
        ("task_agencies", "SELECT COUNT(*) FROM task_agencies"),
        ("assignments", "SELECT COUNT(*) FROM assignments"),
        (
            "assignment_origins",
            "SELECT COUNT(*) FROM assignment_origins",
        ),
        ("pending_choices", "SELECT COUNT(*) FROM pending_choices"),
        ("program_versions", "SELECT COUNT(*) FROM program_versions"),
    ] {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await.unwrap();
        counts.push((table, n));
    }
    counts
}

/// What a re-import must not touch: the whole document row and the task ids.
async fn stored_state(db: &Db) -> (Vec<(String, String, String)>, Vec<(i64, String)>) {
    let documents =
        sqlx::query_as("SELECT source_file, source_sha256, imported_at FROM documents ORDER BY id")
            .fetch_all(db.pool())
            .await
            .unwrap();
    let tasks = sqlx::query_as("SELECT id, code FROM tasks ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    (documents, tasks)
}

// ---------------------------------------------------------------------------------------------
// Directory

async fn an_empty_store_has_an_empty_directory(db: &Db) {
    assert!(directory::is_empty(db).await.unwrap());
    assert_eq!(directory::load(db).await.unwrap(), Directory::default());
}

async fn the_directory_round_trips_exactly_in_code_order(db: &Db) {
    let sample = sample_directory();
    directory::save(db, &sample).await.unwrap();
    assert!(!directory::is_empty(db).await.unwrap());
    let loaded = directory::load(db).await.unwrap();
    assert_eq!(loaded, sorted(sample));
    let codes: Vec<&str> = loaded.agencies.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes, ["BKHCN", "BNG", "BTTTT", "BVHTTDL", "HN"]);
}

async fn saving_a_directory_replaces_the_previous_one(db: &Db) {
    let sample = sample_directory();
    directory::save(db, &sample).await.unwrap();
    directory::save(db, &sample).await.unwrap();
    assert_eq!(directory::load(db).await.unwrap(), sorted(sample.clone()));

    let mut smaller = sample;
    smaller.agencies.retain(|a| a.code != "BTTTT");
    smaller.sets.truncate(1);
    smaller.agencies[0].aliases = strings(&["Bộ VHTTDL"]);
    directory::save(db, &smaller).await.unwrap();
    assert_eq!(directory::load(db).await.unwrap(), sorted(smaller));
}

// ---------------------------------------------------------------------------------------------
// Programs

async fn a_saved_program_reads_back_exactly(db: &Db) {
    let program = sample_program(Some("47/NQ-CP"));
    let id = save_new(db, &program, "aa").await;
    let stored = programs::get(db, id)
        .await
        .unwrap()
        .expect("the saved program");
    assert_eq!(stored.id, id);
    assert_eq!(stored.program, program);
}

async fn saving_the_same_program_twice_changes_nothing(db: &Db) {
    let program = sample_program(Some("47/NQ-CP"));
    let id = save_new(db, &program, "aa").await;
    let before = (row_counts(db).await, stored_state(db).await);
    // Another file with the same content (a re-saved copy): still the same program.
    let outcome = save(db, &program, &source("copy.docx", "bb"))
        .await
        .unwrap();
    assert_eq!(outcome, SaveOutcome::Unchanged { program_id: id });
    assert_eq!((row_counts(db).await, stored_state(db).await), before);
    assert_eq!(programs::list(db).await.unwrap().len(), 1);
}

async fn a_changed_program_is_updated_in_place_with_its_diff(db: &Db) {
    let original = sample_program(Some("47/NQ-CP"));
    let id = save_new(db, &original, "aa").await;
    let (_, ids_before) = stored_state(db).await;

    let mut changed = original.clone();
    changed.tasks[0].title = "Quán triệt Kết luận 57-KL/TW".to_owned();
    changed.tasks[0].lead = resolution("Bộ Văn hóa, Thể thao và Du lịch", &["BVHTTDL"], &[], &[]);
    changed.tasks.remove(1); // 1.2 dropped
    changed
        .tasks
        .push(task("2.2", "2", "Mạng lưới xử lý thông tin sai lệch"));
    changed.groups[1].title = "Dữ liệu".to_owned();
    changed.warnings.clear();

    let outcome = save(db, &changed, &source("plan-v2.txt", "cc"))
        .await
        .unwrap();
    let SaveOutcome::Updated { program_id, diff } = outcome else {
        panic!("expected an update, got {outcome:?}");
    };
    assert_eq!(program_id, id);
    assert_eq!(
        diff.added
            .iter()
            .map(|t| t.code.as_str())
            .collect::<Vec<_>>(),
        ["2.2"]
    );
    assert_eq!(
        diff.removed
            .iter()
            .map(|t| t.code.as_str())
            .collect::<Vec<_>>(),
        ["1.2"]
    );
    assert_eq!(diff.changed.len(), 1);
    assert_eq!(diff.changed[0].code, "1.1");
    let fields: Vec<&str> = diff.changed[0]
        .fields
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert_eq!(fields, ["title", "lead", "lead.agencies"]);
    assert_eq!(diff.groups.len(), 1);
    assert_eq!(diff.document.len(), 1, "warnings: {:?}", diff.document);
    assert!(!diff.reordered);

    let stored = programs::get(db, id).await.unwrap().unwrap();
    assert_eq!(stored.program, changed);
    assert_eq!(programs::list(db).await.unwrap().len(), 1);

    // Kept tasks keep their ids (later records point at them); the removed one is gone.
    let (documents, ids_after) = stored_state(db).await;
    assert_eq!(documents[0].0, "plan-v2.txt");
    assert_eq!(documents[0].1, "cc");
    let id_of =
        |ids: &[(i64, String)], code: &str| ids.iter().find(|(_, c)| c == code).map(|(id, _)| *id);
    assert_eq!(id_of(&ids_before, "1.1"), id_of(&ids_after, "1.1"));
    assert_eq!(id_of(&ids_before, "2.1"), id_of(&ids_after, "2.1"));
    assert_eq!(id_of(&ids_after, "1.2"), None);
    // Search sees the new title, not the old one.
    let hits = tasks::search(db, "quan triet ket luan 57", 10)
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert!(
        tasks::search(db, "to chuc quan triet", 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_program_without_a_number_is_matched_by_the_files_sha256(db: &Db) {
    let program = sample_program(None);
    let id = save_new(db, &program, "same-file").await;
    let outcome = save(db, &program, &source("plan.txt", "same-file"))
        .await
        .unwrap();
    assert_eq!(outcome, SaveOutcome::Unchanged { program_id: id });

    // The same file read differently (a better importer) updates that program.
    let mut reread = program.clone();
    reread.tasks[2].draft = false;
    let outcome = save(db, &reread, &source("plan.txt", "same-file"))
        .await
        .unwrap();
    assert!(
        matches!(outcome, SaveOutcome::Updated { program_id, .. } if program_id == id),
        "{outcome:?}"
    );
    assert_eq!(
        programs::get(db, id).await.unwrap().unwrap().program,
        reread
    );
}

async fn a_program_without_a_number_and_another_file_is_a_new_program(db: &Db) {
    let program = sample_program(None);
    let first = save_new(db, &program, "file-1").await;
    let second = save_new(db, &program, "file-2").await;
    assert_ne!(first, second);
    assert_eq!(programs::list(db).await.unwrap().len(), 2);
}

async fn a_failing_save_leaves_nothing_behind(db: &Db) {
    let mut program = sample_program(Some("47/NQ-CP"));
    // The second 1.1 fails on the unique (program, code) constraint after the document, the
    // program, the groups and three tasks were written.
    program.tasks.push(task("1.1", "2", "Trùng mã"));
    let error = save(db, &program, &source("plan.txt", "aa"))
        .await
        .expect_err("a program with a task code twice is refused");
    assert!(error.is_unique_violation(), "{error}");
    assert!(error.to_string().contains("task 1.1"), "{error}");
    assert!(
        row_counts(db).await.iter().all(|(_, n)| *n == 0),
        "{:?}",
        row_counts(db).await
    );
    assert_eq!(
        programs::find_by_number(db, "47/NQ-CP").await.unwrap(),
        None
    );

    // And the store still works afterwards.
    program.tasks.pop();
    save_new(db, &program, "aa").await;
}

async fn a_failing_update_leaves_the_stored_program_as_it_was(db: &Db) {
    let original = sample_program(Some("47/NQ-CP"));
    let id = save_new(db, &original, "aa").await;
    let before = (row_counts(db).await, stored_state(db).await);

    let mut broken = original.clone();
    broken.tasks[0].title = "Sửa đổi".to_owned();
    broken.tasks.push(task("9.9", "2", "Mới"));
    broken.tasks.push(task("9.9", "2", "Mới, trùng mã"));
    let error = save(db, &broken, &source("plan-v2.txt", "bb"))
        .await
        .expect_err("an update with a task code twice is refused");
    assert!(error.is_unique_violation(), "{error}");
    assert_eq!((row_counts(db).await, stored_state(db).await), before);
    assert_eq!(
        programs::get(db, id).await.unwrap().unwrap().program,
        original
    );
}

async fn diff_against_stored_shows_changes_without_writing(db: &Db) {
    let original = sample_program(Some("47/NQ-CP"));
    assert_eq!(
        programs::diff_against_stored(db, &original).await.unwrap(),
        None
    );
    let id = save_new(db, &original, "aa").await;

    let (same_id, diff) = programs::diff_against_stored(db, &original)
        .await
        .unwrap()
        .expect("a stored program with that number");
    assert_eq!(same_id, id);
    assert!(diff.is_empty(), "{diff}");

    let mut changed = original.clone();
    changed.tasks[1].time_frame.due = date(2026, 12, 31);
    let before = (row_counts(db).await, stored_state(db).await);
    let (_, diff) = programs::diff_against_stored(db, &changed)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        diff.to_string(),
        "~ task 1.2 time_frame.due: «—» → «2026-12-31»"
    );
    assert_eq!((row_counts(db).await, stored_state(db).await), before);
    assert_eq!(
        programs::get(db, id).await.unwrap().unwrap().program,
        original
    );

    assert_eq!(
        programs::diff_against_stored(db, &sample_program(None))
            .await
            .unwrap(),
        None,
        "a program without a number has nothing to compare with by number"
    );
}

async fn programs_are_listed_with_their_counts(db: &Db) {
    assert!(programs::list(db).await.unwrap().is_empty());
    let first = save_new(db, &sample_program(Some("47/NQ-CP")), "aa").await;
    let mut plan = sample_program(Some("123/KH-BVHTTDL"));
    plan.document.kind = DocumentKind::Plan;
    plan.document.issued_on = None;
    plan.document.issuer = None;
    plan.groups.truncate(1);
    plan.tasks.truncate(2);
    let second = save_new(db, &plan, "bb").await;

    let list = programs::list(db).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].id, first);
    assert_eq!(list[0].number.as_deref(), Some("47/NQ-CP"));
    assert_eq!(list[0].kind, DocumentKind::Resolution);
    assert_eq!(
        list[0].title,
        "Chương trình hành động về công tác thông tin đối ngoại"
    );
    assert_eq!(list[0].issued_on, date(2024, 4, 5));
    assert_eq!(list[0].issuer.as_deref(), Some("CP"));
    assert_eq!((list[0].group_count, list[0].task_count), (2, 3));
    assert_eq!(list[1].id, second);
    assert_eq!(list[1].kind, DocumentKind::Plan);
    assert_eq!((list[1].issued_on, list[1].issuer.as_deref()), (None, None));
    assert_eq!((list[1].group_count, list[1].task_count), (1, 2));
}

async fn programs_are_found_by_number_and_unknown_ones_are_none(db: &Db) {
    let id = save_new(db, &sample_program(Some("47/NQ-CP")), "aa").await;
    assert_eq!(
        programs::find_by_number(db, "47/NQ-CP").await.unwrap(),
        Some(id)
    );
    assert_eq!(
        programs::find_by_number(db, " 47/NQ-CP ").await.unwrap(),
        Some(id)
    );
    assert_eq!(
        programs::find_by_number(db, "48/NQ-CP").await.unwrap(),
        None
    );
    assert_eq!(programs::get(db, id + 1000).await.unwrap(), None);
}

// ---------------------------------------------------------------------------------------------
// Tasks

async fn a_task_is_read_by_program_and_code(db: &Db) {
    let program = sample_program(Some("47/NQ-CP"));
    let id = save_new(db, &program, "aa").await;
    assert_eq!(
        tasks::get(db, id, "1.1").await.unwrap().as_ref(),
        Some(&program.tasks[0])
    );
    assert_eq!(
        tasks::get(db, id, "2.1").await.unwrap().as_ref(),
        Some(&program.tasks[2])
    );
    assert_eq!(tasks::get(db, id, "9.9").await.unwrap(), None);
    assert_eq!(tasks::get(db, id + 1000, "1.1").await.unwrap(), None);
}

async fn naming_finds_tasks_through_agency_and_set_codes_with_their_role(db: &Db) {
    let first = save_new(db, &sample_program(Some("47/NQ-CP")), "aa").await;
    let second = save_new(db, &sample_program(Some("99/NQ-CP")), "bb").await;

    let found = tasks::naming(db, &strings(&["BVHTTDL", "bo-nganh-dia-phuong"]))
        .await
        .unwrap();
    let summary: Vec<(i64, Option<&str>, &str, Role, &str)> = found
        .iter()
        .map(|hit| {
            (
                hit.program_id,
                hit.program_number.as_deref(),
                hit.task.code.as_str(),
                hit.role,
                hit.via_code.as_str(),
            )
        })
        .collect();
    let expected = |id: i64, number: &'static str| {
        [
            (
                id,
                Some(number),
                "1.1",
                Role::Coordinating,
                "bo-nganh-dia-phuong",
            ),
            (id, Some(number), "1.2", Role::Coordinating, "BVHTTDL"),
            (id, Some(number), "2.1", Role::Lead, "BVHTTDL"),
        ]
    };
    let mut all = expected(first, "47/NQ-CP").to_vec();
    all.extend(expected(second, "99/NQ-CP"));
    assert_eq!(summary, all);
    assert_eq!(found[0].task, sample_program(None).tasks[0]);
    assert_eq!(Role::Lead.as_str(), "lead");

    // Unresolved text is not a code; unknown codes and no codes find nothing.
    assert!(
        tasks::naming(db, &strings(&["cơ quan X", "NOPE"]))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(tasks::naming(db, &[]).await.unwrap().is_empty());
    // A code asked for twice does not double the hits.
    let twice = tasks::naming(db, &strings(&["BTTTT", "BTTTT"]))
        .await
        .unwrap();
    assert_eq!(twice.len(), 2);
    assert!(
        twice
            .iter()
            .all(|hit| hit.role == Role::Lead && hit.task.code == "1.1")
    );
}

async fn search_ignores_case_and_diacritics(db: &Db) {
    let id = save_new(db, &sample_program(Some("47/NQ-CP")), "aa").await;
    let codes = |hits: Vec<dongbo_store::TaskRef>| -> Vec<String> {
        hits.into_iter().map(|h| h.task.code).collect()
    };
    assert_eq!(codes(tasks::search(db, "dang", 10).await.unwrap()), ["1.2"]);
    assert_eq!(codes(tasks::search(db, "ĐẢNG", 10).await.unwrap()), ["1.2"]);
    assert_eq!(
        codes(tasks::search(db, "thong tin doi ngoai", 10).await.unwrap()),
        ["1.1", "2.1"]
    );
    // Agency cells, expected outputs and codes are searched too.
    assert_eq!(
        codes(tasks::search(db, "ban tuyen giao", 10).await.unwrap()),
        ["1.1"]
    );
    assert_eq!(
        codes(tasks::search(db, "hội nghị", 10).await.unwrap()),
        ["1.1"]
    );
    assert_eq!(codes(tasks::search(db, "2.1", 10).await.unwrap()), ["2.1"]);
    let hit = &tasks::search(db, "co so du lieu", 10).await.unwrap()[0];
    assert_eq!(
        (hit.program_id, hit.program_number.as_deref()),
        (id, Some("47/NQ-CP"))
    );
    assert_eq!(hit.task, sample_program(None).tasks[2]);
}

async fn search_needs_every_word_and_takes_wildcards_literally(db: &Db) {
    let mut program = sample_program(Some("47/NQ-CP"));
    program.tasks[2].title = "Đạt 100% mục tiêu số_hoá".to_owned();
    save_new(db, &program, "aa").await;
    let codes = |hits: Vec<dongbo_store::TaskRef>| -> Vec<String> {
        hits.into_iter().map(|h| h.task.code).collect()
    };
    assert_eq!(
        codes(tasks::search(db, "doi ngoai quan triet", 10).await.unwrap()),
        ["1.1"]
    );
    assert!(
        tasks::search(db, "doi ngoai xyz", 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Taken as wildcards, "%" and "_" would match every task.
    assert_eq!(codes(tasks::search(db, "%", 10).await.unwrap()), ["2.1"]);
    assert_eq!(codes(tasks::search(db, "_", 10).await.unwrap()), ["2.1"]);
    assert_eq!(codes(tasks::search(db, "100%", 10).await.unwrap()), ["2.1"]);
    assert_eq!(
        codes(tasks::search(db, "so_hoa", 10).await.unwrap()),
        ["2.1"]
    );
    assert!(tasks::search(db, "s_hoa", 10).await.unwrap().is_empty());
    assert!(tasks::search(db, "\\", 10).await.unwrap().is_empty());
}

async fn search_respects_the_limit_and_ignores_an_empty_query(db: &Db) {
    save_new(db, &sample_program(Some("47/NQ-CP")), "aa").await;
    save_new(db, &sample_program(Some("99/NQ-CP")), "bb").await;
    let all = tasks::search(db, "bo", 100).await.unwrap();
    assert_eq!(all.len(), 6, "every task names a ministry (Bộ)");
    let numbers: Vec<Option<&str>> = all.iter().map(|h| h.program_number.as_deref()).collect();
    assert_eq!(numbers[..3], [Some("47/NQ-CP"); 3]);
    let first_two = tasks::search(db, "bo", 2).await.unwrap();
    assert_eq!(first_two, all[..2]);
    assert!(tasks::search(db, "   ", 10).await.unwrap().is_empty());
    assert!(tasks::search(db, "bo", 0).await.unwrap().is_empty());
}

async fn concurrent_saves_of_different_programs_all_succeed(db: &Db) {
    // On SQLite the writers queue on BEGIN IMMEDIATE and the busy timeout instead of failing.
    let saves = (0..6).map(|i| {
        let db = db.clone();
        tokio::spawn(async move {
            let program = sample_program(Some(&format!("{i}/NQ-CP")));
            save(&db, &program, &source("plan.txt", &format!("sha-{i}"))).await
        })
    });
    let mut ids = Vec::new();
    for save in saves.collect::<Vec<_>>() {
        match save.await.unwrap().expect("a concurrent save") {
            SaveOutcome::Created { program_id } => ids.push(program_id),
            other => panic!("expected a new program, got {other:?}"),
        }
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 6);
    assert_eq!(programs::list(db).await.unwrap().len(), 6);
}

// ---------------------------------------------------------------------------------------------
// A program and its assignments: one transaction

/// Makes the database refuse every new assignment, as a failure (or a crash) between storing
/// a program and assigning its tasks would: a trigger, so the refusal is the database's own.
async fn refuse_assignments(db: &Db) {
    let statements: &[&str] = match db.backend() {
        Backend::Sqlite => &[
            "CREATE TRIGGER refuse_assignments BEFORE INSERT ON assignments \
             BEGIN SELECT RAISE(ABORT, 'assignments refused by the test'); END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION refuse_assignments() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'assignments refused by the test'; END $$",
            "CREATE TRIGGER refuse_assignments BEFORE INSERT ON assignments \
             FOR EACH ROW EXECUTE FUNCTION refuse_assignments()",
        ],
    };
    for statement in statements {
        sqlx::query(*statement).execute(db.pool()).await.unwrap();
    }
}

/// Undoes [`refuse_assignments`].
async fn accept_assignments(db: &Db) {
    let statement = match db.backend() {
        Backend::Sqlite => "DROP TRIGGER refuse_assignments",
        Backend::Postgres => "DROP TRIGGER refuse_assignments ON assignments",
    };
    sqlx::query(statement).execute(db.pool()).await.unwrap();
}

/// Whether the stored assignments of `program_id` are all its tasks call for: bringing them in
/// step again creates, changes and removes nothing.
async fn assignments_in_step(db: &Db, program_id: i64) -> bool {
    let again = assignments::sync(db, program_id, &sample_directory())
        .await
        .unwrap();
    again.created + again.updated + again.removed == 0
}

async fn a_failure_assigning_the_tasks_leaves_nothing_of_the_program_behind(db: &Db) {
    refuse_assignments(db).await;
    let program = sample_program(Some("47/NQ-CP"));
    save(db, &program, &source("plan.txt", "aa"))
        .await
        .expect_err("assigning the tasks fails");
    accept_assignments(db).await;

    // Either nothing of the program, or the program with every assignment: never the program
    // alone, which a re-import (the same content, "unchanged") would leave as it is.
    match programs::find_by_number(db, "47/NQ-CP").await.unwrap() {
        None => assert!(
            row_counts(db).await.iter().all(|(_, n)| *n == 0),
            "{:?}",
            row_counts(db).await
        ),
        Some(id) => {
            assert!(
                !assignments::for_program(db, id).await.unwrap().is_empty(),
                "program {id} was stored without its assignments"
            );
            assert!(assignments_in_step(db, id).await);
        }
    }
}

async fn importing_again_after_a_failed_assignment_brings_the_program_and_its_assignments_in(
    db: &Db,
) {
    let program = sample_program(Some("47/NQ-CP"));
    refuse_assignments(db).await;
    save(db, &program, &source("plan.txt", "aa"))
        .await
        .expect_err("assigning the tasks fails");
    accept_assignments(db).await;

    let outcome = save(db, &program, &source("plan.txt", "aa")).await.unwrap();
    let SaveOutcome::Created { program_id } = outcome else {
        panic!("the failed import left the program behind: {outcome:?}");
    };
    let stored = assignments::for_program(db, program_id).await.unwrap();
    let leads: Vec<(&str, &str)> = stored
        .iter()
        .filter(|a| a.role == Role::Lead)
        .map(|a| (a.task_code.as_str(), a.agency_code.as_str()))
        .collect();
    assert!(leads.contains(&("1.2", "BNG")), "{leads:?}");
    assert!(leads.contains(&("2.1", "BVHTTDL")), "{leads:?}");
    assert!(assignments_in_step(db, program_id).await);
}

async fn an_unchanged_program_stored_without_its_assignments_gets_them_when_imported_again(
    db: &Db,
) {
    // What an older version left after a crash between its two transactions: the program
    // stored, its assignments not.
    let program = sample_program(Some("47/NQ-CP"));
    let id = save_new(db, &program, "aa").await;
    let expected = assignments::for_program(db, id).await.unwrap();
    assert!(!expected.is_empty());
    for table in ["assignment_origins", "assignments", "pending_choices"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(db.pool())
            .await
            .unwrap();
    }

    let outcome = save(db, &program, &source("plan.txt", "aa")).await.unwrap();
    assert_eq!(outcome, SaveOutcome::Unchanged { program_id: id });
    let again = assignments::for_program(db, id).await.unwrap();
    let key = |a: &assignments::Assignment| (a.task_code.clone(), a.agency_code.clone(), a.role);
    assert_eq!(
        again.iter().map(key).collect::<Vec<_>>(),
        expected.iter().map(key).collect::<Vec<_>>()
    );
}

async fn an_unchanged_program_with_its_assignments_in_step_writes_nothing(db: &Db) {
    let mut program = sample_program(Some("47/NQ-CP"));
    // An open set waiting for its members: bringing assignments in step rewrites open sets.
    program.tasks[1]
        .coordinating
        .sets
        .push("bo-nganh-lien-quan".to_owned());
    let id = save_new(db, &program, "aa").await;
    let stamps = "SELECT version, structure FROM program_versions WHERE program_id = $1";
    let before: (i64, i64) = sqlx::query_as(stamps)
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let pending_before: Vec<(i64,)> = sqlx::query_as("SELECT id FROM pending_choices ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert!(!pending_before.is_empty());

    let outcome = save(db, &program, &source("plan.txt", "aa")).await.unwrap();
    assert_eq!(outcome, SaveOutcome::Unchanged { program_id: id });
    let after: (i64, i64) = sqlx::query_as(stamps)
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(after, before, "the dashboard's stamps did not move");
    let pending_after: Vec<(i64,)> = sqlx::query_as("SELECT id FROM pending_choices ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert_eq!(
        pending_after, pending_before,
        "the open sets were not rewritten"
    );
}

async fn a_task_s_non_state_participants_are_stored_with_their_kind_and_diffed(db: &Db) {
    let mut program = sample_program(Some("03/NQ-CP"));
    program.tasks[2].lead.text = "Tập đoàn, doanh nghiệp công nghệ số".to_owned();
    program.tasks[2].lead.participants = vec![
        Participant {
            kind: ParticipantKind::Business,
            text: "Tập đoàn".to_owned(),
        },
        Participant {
            kind: ParticipantKind::Business,
            text: "doanh nghiệp công nghệ số".to_owned(),
        },
    ];
    // A colon in the text stays in the text: only the first one ends the kind.
    program.tasks[0].coordinating.participants = vec![Participant {
        kind: ParticipantKind::Association,
        text: "VINASA: Hiệp hội Phần mềm và Dịch vụ CNTT Việt Nam".to_owned(),
    }];
    let id = save_new(db, &program, "pp").await;
    let stored = programs::get(db, id)
        .await
        .unwrap()
        .expect("the saved program");
    assert_eq!(stored.program, program);

    let mut changed = program.clone();
    changed.tasks[2].lead.participants.pop();
    let outcome = save(db, &changed, &source("plan-v2.md", "pq"))
        .await
        .unwrap();
    let SaveOutcome::Updated { diff, .. } = outcome else {
        panic!("expected an update, got {outcome:?}");
    };
    let fields: Vec<&str> = diff.changed[0]
        .fields
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert_eq!(fields, ["lead.participants"]);
    assert_eq!(
        programs::get(db, id).await.unwrap().unwrap().program,
        changed
    );
}
