//! Re-importing 47/NQ-CP after change requests were approved — one kind of change at a time
//! (add, amend, drop, retime): by default the approved change is kept and the conflict is
//! reported; taking the file's value overrides it and is audited. On SQLite and PostgreSQL.

use std::collections::BTreeSet;

use dongbo_domain::{Directory, ImportedProgram, TimeFrameKind};
use dongbo_store::changes::{self, ChangeKind, ChangeRequest, NewChange, Proposal};
use dongbo_store::{
    Assigning, Backend, Conflict, Db, FileWins, SaveOutcome, Saved, Settled, SourceInfo, audit,
    programs, tasks,
};

dongbo_testkit::backend_tests!(
    a_reimport_keeps_an_approved_amend_and_applies_the_rest_of_the_file,
    a_reimport_keeps_an_approved_retime,
    a_reimport_keeps_a_task_an_approved_drop_removed_out_of_the_program,
    a_reimport_keeps_a_task_an_approved_add_created,
    accept_file_takes_the_files_title_over_an_approved_amend_and_audits_it,
    accept_file_takes_the_files_time_frame_over_an_approved_retime_and_audits_it,
    accept_file_brings_back_a_task_an_approved_drop_removed_and_audits_it,
    accept_file_removes_a_task_an_approved_add_created_and_audits_it,
    a_choice_per_conflict_overrides_only_the_chosen_conflicts,
    the_preview_lists_the_conflicts_and_writes_nothing,
    importing_the_same_file_again_changes_nothing_and_an_override_is_asked_once,
    a_reimport_and_an_approval_wait_while_another_writer_holds_the_program,
);

const FUNCTION: &str = "external_information";
const DECISION: &str = "Quyết định số 12/QĐ-BVHTTDL";

struct Setup {
    program: i64,
    directory: Directory,
    /// 47/NQ-CP as its file says, before any change.
    file: ImportedProgram,
}

async fn setup(db: &Db) -> Setup {
    let directory = Directory::bundled();
    let program = dongbo_testkit::load_47_assigned(db, &directory).await;
    let file = programs::get(db, program).await.unwrap().unwrap().program;
    Setup {
        program,
        directory,
        file,
    }
}

/// The file as a ministry corrects it: task 2.1's title reworded (not a decided field).
fn corrected(file: &ImportedProgram) -> ImportedProgram {
    let mut file = file.clone();
    let task = file.tasks.iter_mut().find(|t| t.code == "2.1").unwrap();
    task.title = format!("{} (bản sửa)", task.title);
    file
}

fn source() -> SourceInfo {
    SourceInfo {
        file_name: "47-NQ-CP-ban-sua.txt".into(),
        format: "text".into(),
        sha256: "b".repeat(64),
    }
}

/// Imports `file` as `dongbo import` does without `--accept-file`.
async fn import(db: &Db, s: &Setup, file: &ImportedProgram) -> Saved {
    programs::save_with_assignments(
        db,
        file,
        &source(),
        Assigning::new(&s.directory).with_successor_function(FUNCTION),
    )
    .await
    .unwrap()
}

async fn import_taking_file(db: &Db, s: &Setup, file: &ImportedProgram, wins: FileWins) -> Saved {
    programs::reimport_with_assignments(
        db,
        file,
        &source(),
        Assigning::new(&s.directory).with_successor_function(FUNCTION),
        &wins,
        "cp.importer",
    )
    .await
    .unwrap()
}

async fn approved(db: &Db, s: &Setup, new: NewChange) -> ChangeRequest {
    let id = changes::propose(db, &new).await.unwrap();
    changes::approve(db, id, "cp.coordinator", DECISION, &s.directory)
        .await
        .unwrap()
}

fn change(s: &Setup, code: Option<&str>, kind: ChangeKind, proposal: Proposal) -> NewChange {
    NewChange {
        program_id: s.program,
        task_code: code.map(str::to_owned),
        kind,
        proposed_by_agency: "BNG".to_owned(),
        proposed_by: "bng.planner".to_owned(),
        reason: "Điều chỉnh theo tình hình thực tế".to_owned(),
        proposal,
    }
}

async fn amend_1_1(db: &Db, s: &Setup) -> ChangeRequest {
    let proposal = Proposal {
        title: Some("Tổ chức quán triệt, phổ biến Chương trình hành động (đã sửa)".into()),
        ..Proposal::default()
    };
    approved(db, s, change(s, Some("1.1"), ChangeKind::Amend, proposal)).await
}

async fn retime_3_21(db: &Db, s: &Setup) -> ChangeRequest {
    let proposal = Proposal {
        time_frame: Some("Quý II/2027".into()),
        ..Proposal::default()
    };
    approved(db, s, change(s, Some("3.21"), ChangeKind::Retime, proposal)).await
}

async fn drop_5_2(db: &Db, s: &Setup) -> ChangeRequest {
    approved(
        db,
        s,
        change(s, Some("5.2"), ChangeKind::Drop, Proposal::default()),
    )
    .await
}

async fn add_to_3(db: &Db, s: &Setup) -> ChangeRequest {
    let proposal = Proposal {
        title: Some("Xây dựng mạng lưới cộng tác viên thông tin đối ngoại".into()),
        time_frame: Some("2026".into()),
        group: Some("3".into()),
        ..Proposal::default()
    };
    approved(db, s, change(s, None, ChangeKind::Add, proposal)).await
}

async fn task(db: &Db, s: &Setup, code: &str) -> Option<dongbo_domain::Task> {
    tasks::get(db, s.program, code).await.unwrap()
}

fn keys(conflicts: &[Conflict]) -> Vec<String> {
    conflicts.iter().map(Conflict::key).collect()
}

/// The conflict names its decision, and both values.
fn assert_names_decision(conflict: &Conflict, request: &ChangeRequest, file: &str, decided: &str) {
    assert_eq!(conflict.change_request_id, request.id);
    assert_eq!(conflict.kind, request.kind);
    assert_eq!(Some(&conflict.decided_at), request.decided_at.as_ref());
    assert_eq!(conflict.decision_note.as_deref(), Some(DECISION));
    assert_eq!(conflict.decided_by.as_deref(), Some("cp.coordinator"));
    assert_eq!(conflict.file, file);
    assert_eq!(conflict.decided, decided);
}

async fn overrides(db: &Db, s: &Setup) -> Vec<serde_json::Value> {
    audit::list(
        db,
        &audit::AuditFilter {
            action: Some("program.reimport_override".to_owned()),
            entity: Some("program".to_owned()),
            entity_id: Some(s.program.to_string()),
            ..audit::AuditFilter::default()
        },
        100,
        0,
    )
    .await
    .unwrap()
    .iter()
    .map(|e| {
        assert_eq!(e.actor, "cp.importer");
        serde_json::json!({
            "before": serde_json::from_str::<serde_json::Value>(e.before_json.as_deref().unwrap()).unwrap(),
            "after": serde_json::from_str::<serde_json::Value>(e.after_json.as_deref().unwrap()).unwrap(),
        })
    })
    .collect()
}

fn assert_one_override(entries: &[serde_json::Value], request: &ChangeRequest, field: &str) {
    assert_eq!(entries.len(), 1, "{entries:?}");
    let before = &entries[0]["before"];
    assert_eq!(before["change_request_id"], request.id);
    assert_eq!(before["task_code"], request.task_code.clone().unwrap());
    assert_eq!(before["field"], field);
    assert_eq!(before["decision_note"], DECISION);
    assert_eq!(entries[0]["after"]["source_file"], "47-NQ-CP-ban-sua.txt");
}

// ---------------------------------------------------------------------------------------------
// The approved change is kept by default

async fn a_reimport_keeps_an_approved_amend_and_applies_the_rest_of_the_file(db: &Db) {
    let s = setup(db).await;
    let request = amend_1_1(db, &s).await;
    let amended = task(db, &s, "1.1").await.unwrap();

    let saved = import(db, &s, &corrected(&s.file)).await;
    assert_eq!(keys(&saved.conflicts), ["1.1#title"]);
    let original_title = &s.file.tasks.iter().find(|t| t.code == "1.1").unwrap().title;
    assert_names_decision(
        &saved.conflicts[0],
        &request,
        original_title,
        &amended.title,
    );
    assert_eq!(saved.conflicts[0].settled, Settled::KeptDecision);
    assert_eq!(task(db, &s, "1.1").await.unwrap(), amended);
    // The rest of the file applies.
    assert!(
        task(db, &s, "2.1")
            .await
            .unwrap()
            .title
            .ends_with("(bản sửa)")
    );
    let SaveOutcome::Updated { diff, .. } = &saved.program else {
        panic!("{:?}", saved.program)
    };
    assert_eq!(diff.changed.len(), 1, "{diff}");
    assert_eq!(diff.changed[0].code, "2.1");
    assert!(overrides(db, &s).await.is_empty());
}

async fn a_reimport_keeps_an_approved_retime(db: &Db) {
    let s = setup(db).await;
    let request = retime_3_21(db, &s).await;
    let saved = import(db, &s, &corrected(&s.file)).await;
    assert_eq!(keys(&saved.conflicts), ["3.21#time_frame"]);
    let old = &s.file.tasks.iter().find(|t| t.code == "3.21").unwrap();
    assert_names_decision(
        &saved.conflicts[0],
        &request,
        &old.time_frame.text,
        "Quý II/2027",
    );
    let kept = task(db, &s, "3.21").await.unwrap();
    assert_eq!(kept.time_frame.text, "Quý II/2027");
    assert_eq!(kept.time_frame.kind, TimeFrameKind::Quarter);
}

async fn a_reimport_keeps_a_task_an_approved_drop_removed_out_of_the_program(db: &Db) {
    let s = setup(db).await;
    let request = drop_5_2(db, &s).await;
    let saved = import(db, &s, &corrected(&s.file)).await;
    assert_eq!(keys(&saved.conflicts), ["5.2#task"]);
    let old = &s.file.tasks.iter().find(|t| t.code == "5.2").unwrap();
    assert_names_decision(&saved.conflicts[0], &request, &old.title, "—");
    assert_eq!(task(db, &s, "5.2").await, None);
    let stored = programs::get(db, s.program).await.unwrap().unwrap().program;
    assert_eq!(stored.tasks.len(), s.file.tasks.len() - 1);
}

async fn a_reimport_keeps_a_task_an_approved_add_created(db: &Db) {
    let s = setup(db).await;
    let request = add_to_3(db, &s).await;
    let code = request.task_code.clone().unwrap();
    let added = task(db, &s, &code).await.unwrap();
    let before = programs::get(db, s.program).await.unwrap().unwrap().program;

    let saved = import(db, &s, &corrected(&s.file)).await;
    assert_eq!(keys(&saved.conflicts), [format!("{code}#task")]);
    assert_names_decision(&saved.conflicts[0], &request, "—", &added.title);
    assert_eq!(task(db, &s, &code).await.unwrap(), added);
    // In its place, after the group's last task.
    let after = programs::get(db, s.program).await.unwrap().unwrap().program;
    let codes = |p: &ImportedProgram| p.tasks.iter().map(|t| t.code.clone()).collect::<Vec<_>>();
    assert_eq!(codes(&after), codes(&before));
}

// ---------------------------------------------------------------------------------------------
// The file's value, when the importer takes it, is audited

async fn accept_file_takes_the_files_title_over_an_approved_amend_and_audits_it(db: &Db) {
    let s = setup(db).await;
    let request = amend_1_1(db, &s).await;
    let saved = import_taking_file(db, &s, &corrected(&s.file), FileWins::Always).await;
    assert_eq!(keys(&saved.conflicts), ["1.1#title"]);
    assert_eq!(saved.conflicts[0].settled, Settled::TookFile);
    let original = s.file.tasks.iter().find(|t| t.code == "1.1").unwrap();
    assert_eq!(task(db, &s, "1.1").await.unwrap().title, original.title);
    let entries = overrides(db, &s).await;
    assert_one_override(&entries, &request, "title");
    assert_eq!(entries[0]["after"]["value"], original.title.as_str());
    assert!(audit::verify(db).await.unwrap().is_intact());
}

async fn accept_file_takes_the_files_time_frame_over_an_approved_retime_and_audits_it(db: &Db) {
    let s = setup(db).await;
    let request = retime_3_21(db, &s).await;
    import_taking_file(db, &s, &corrected(&s.file), FileWins::Always).await;
    let original = s.file.tasks.iter().find(|t| t.code == "3.21").unwrap();
    assert_eq!(
        task(db, &s, "3.21").await.unwrap().time_frame,
        original.time_frame
    );
    let entries = overrides(db, &s).await;
    assert_one_override(&entries, &request, "time_frame");
    assert_eq!(entries[0]["before"]["value"], "Quý II/2027");
}

async fn accept_file_brings_back_a_task_an_approved_drop_removed_and_audits_it(db: &Db) {
    let s = setup(db).await;
    let request = drop_5_2(db, &s).await;
    import_taking_file(db, &s, &corrected(&s.file), FileWins::Always).await;
    let original = s.file.tasks.iter().find(|t| t.code == "5.2").unwrap();
    assert_eq!(task(db, &s, "5.2").await.as_ref(), Some(original));
    assert_one_override(&overrides(db, &s).await, &request, "task");
}

async fn accept_file_removes_a_task_an_approved_add_created_and_audits_it(db: &Db) {
    let s = setup(db).await;
    let request = add_to_3(db, &s).await;
    let code = request.task_code.clone().unwrap();
    import_taking_file(db, &s, &corrected(&s.file), FileWins::Always).await;
    assert_eq!(task(db, &s, &code).await, None);
    assert_one_override(&overrides(db, &s).await, &request, "task");
}

async fn a_choice_per_conflict_overrides_only_the_chosen_conflicts(db: &Db) {
    let s = setup(db).await;
    let amend = amend_1_1(db, &s).await;
    retime_3_21(db, &s).await;
    drop_5_2(db, &s).await;
    let amended = task(db, &s, "1.1").await.unwrap();
    let chosen = FileWins::For(BTreeSet::from([
        "3.21#time_frame".to_owned(),
        "5.2#task".to_owned(),
    ]));
    let saved = import_taking_file(db, &s, &corrected(&s.file), chosen).await;
    let settled: Vec<(String, Settled)> = saved
        .conflicts
        .iter()
        .map(|c| (c.key(), c.settled))
        .collect();
    assert_eq!(
        settled,
        [
            ("1.1#title".to_owned(), Settled::KeptDecision),
            ("3.21#time_frame".to_owned(), Settled::TookFile),
            ("5.2#task".to_owned(), Settled::TookFile),
        ]
    );
    assert_eq!(task(db, &s, "1.1").await.unwrap(), amended);
    let original = |code: &str| {
        s.file
            .tasks
            .iter()
            .find(|t| t.code == code)
            .unwrap()
            .clone()
    };
    assert_eq!(
        task(db, &s, "3.21").await.unwrap().time_frame,
        original("3.21").time_frame
    );
    assert_eq!(task(db, &s, "5.2").await, Some(original("5.2")));
    let entries = overrides(db, &s).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert!(
        entries
            .iter()
            .all(|e| e["before"]["task_code"] != amend.task_code.clone().unwrap())
    );
}

async fn the_preview_lists_the_conflicts_and_writes_nothing(db: &Db) {
    let s = setup(db).await;
    retime_3_21(db, &s).await;
    let before = programs::get(db, s.program).await.unwrap().unwrap();
    let file = corrected(&s.file);
    let preview = programs::preview(db, &file, &source().sha256, &FileWins::Never)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(preview.program_id, s.program);
    assert_eq!(keys(&preview.conflicts), ["3.21#time_frame"]);
    // The diff is what saving would do: the retime is not undone.
    assert_eq!(preview.diff.changed.len(), 1, "{}", preview.diff);
    assert_eq!(preview.diff.changed[0].code, "2.1");
    let taking = programs::preview(db, &file, &source().sha256, &FileWins::Always)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taking.conflicts[0].settled, Settled::TookFile);
    assert!(taking.diff.changed.iter().any(|c| c.code == "3.21"));
    assert_eq!(programs::get(db, s.program).await.unwrap().unwrap(), before);
}

async fn importing_the_same_file_again_changes_nothing_and_an_override_is_asked_once(db: &Db) {
    let s = setup(db).await;
    retime_3_21(db, &s).await;
    amend_1_1(db, &s).await;
    let file = corrected(&s.file);
    import(db, &s, &file).await;
    let again = import(db, &s, &file).await;
    assert!(
        matches!(again.program, SaveOutcome::Unchanged { .. }),
        "{again:?}"
    );
    // Still listed, still kept.
    assert_eq!(keys(&again.conflicts), ["1.1#title", "3.21#time_frame"]);

    let taken = import_taking_file(db, &s, &file, FileWins::Always).await;
    assert!(matches!(taken.program, SaveOutcome::Updated { .. }));
    // Once the file's values are taken, the same file raises no conflict and writes nothing.
    let after = import(db, &s, &file).await;
    assert!(
        matches!(after.program, SaveOutcome::Unchanged { .. }),
        "{after:?}"
    );
    assert!(after.conflicts.is_empty(), "{:?}", after.conflicts);
    assert_eq!(overrides(db, &s).await.len(), 2);
}

/// On PostgreSQL a re-import and an approval hold the program's row from the start of their
/// transaction, so neither reads the program while the other is half-way (SQLite lets one
/// writer at a time anyway): while a transaction holds the row, both wait.
async fn a_reimport_and_an_approval_wait_while_another_writer_holds_the_program(db: &Db) {
    let s = setup(db).await;
    let request = changes::propose(
        db,
        &change(
            &s,
            Some("3.21"),
            ChangeKind::Retime,
            Proposal {
                time_frame: Some("Quý II/2027".into()),
                ..Proposal::default()
            },
        ),
    )
    .await
    .unwrap();
    let mut holder = match db.backend() {
        Backend::Postgres => {
            let mut tx = db.pool().begin().await.unwrap();
            sqlx::query("SELECT id FROM programs WHERE id = $1 FOR NO KEY UPDATE")
                .bind(s.program)
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            tx
        }
        Backend::Sqlite => db.pool().begin_with("BEGIN IMMEDIATE").await.unwrap(),
    };
    // Something for the holder to write, so that its transaction is a writer's.
    sqlx::query("UPDATE programs SET title = title WHERE id = $1")
        .bind(s.program)
        .execute(&mut *holder)
        .await
        .unwrap();

    let reimport = {
        let (db, directory, file) = (db.clone(), s.directory.clone(), corrected(&s.file));
        tokio::spawn(async move {
            programs::save_with_assignments(&db, &file, &source(), Assigning::new(&directory))
                .await
                .unwrap()
        })
    };
    let approval = {
        let (db, directory) = (db.clone(), s.directory.clone());
        tokio::spawn(async move {
            changes::approve(&db, request, "cp.coordinator", DECISION, &directory)
                .await
                .unwrap()
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !reimport.is_finished(),
        "the re-import waits for the holder"
    );
    assert!(!approval.is_finished(), "the approval waits for the holder");
    holder.commit().await.unwrap();
    let saved = reimport.await.unwrap();
    approval.await.unwrap();
    // Whichever went first, the decision stands.
    assert_eq!(
        task(db, &s, "3.21").await.unwrap().time_frame.text,
        "Quý II/2027"
    );
    assert!(
        task(db, &s, "2.1")
            .await
            .unwrap()
            .title
            .ends_with("(bản sửa)")
    );
    assert!(
        saved
            .conflicts
            .iter()
            .all(|c| c.settled == Settled::KeptDecision)
    );
}
