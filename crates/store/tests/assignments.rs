//! Assignments on the 47/NQ-CP program, on SQLite and on PostgreSQL: generated from the
//! tasks and the real directory, kept in step idempotently, open sets chosen by a person.

use dongbo_domain::{Directory, Role};
use dongbo_store::assignments::{self, Assignment, SyncOutcome};
use dongbo_store::{Assigning, Db, StoreError};

dongbo_testkit::backend_tests!(
    every_task_gets_its_assignments_with_successors_for_the_programs_function,
    syncing_again_changes_nothing,
    another_successor_function_moves_the_ended_ministrys_tasks,
    a_merged_province_carries_the_tasks_of_the_provinces_it_absorbed,
    an_open_set_waits_and_its_chosen_members_are_kept,
    an_agency_sees_its_assignments_in_task_order,
    an_unknown_program_or_open_set_is_not_found,
    an_assignment_is_placed_with_its_program_task_and_stamp_in_one_read,
);

/// 47/NQ-CP saved with its assignments for `function`: its id, the directory, and what
/// assigning its tasks did.
async fn load(db: &Db, function: &str) -> (i64, Directory, SyncOutcome) {
    let directory = Directory::bundled();
    let assigning = Assigning::new(&directory).with_successor_function(function);
    let saved = dongbo_testkit::load_47_with(db, &directory, assigning).await;
    (saved.program_id(), directory, saved.assignments)
}

fn agencies(assignments: &[Assignment], role: Role) -> Vec<&str> {
    assignments
        .iter()
        .filter(|a| a.role == role)
        .map(|a| a.agency_code.as_str())
        .collect()
}

async fn every_task_gets_its_assignments_with_successors_for_the_programs_function(db: &Db) {
    let (program_id, _, outcome) = load(db, "external_information").await;
    let all = assignments::for_program(db, program_id).await.unwrap();
    assert_eq!(outcome.created, all.len());
    assert_eq!(outcome.removed + outcome.updated + outcome.unchanged, 0);
    let tasks: std::collections::BTreeSet<&str> =
        all.iter().map(|a| a.task_code.as_str()).collect();
    assert_eq!(tasks.len(), 56, "every task has at least one assignment");

    // 2.1: led by the Ministry of Information and Communications in 2024; its external
    // information went to Culture, Sports and Tourism.
    let task = assignments::for_task(db, program_id, "2.1").await.unwrap();
    assert_eq!(agencies(&task, Role::Lead), ["BVHTTDL"]);
    assert_eq!(task[0].origins[0].original, "BTTTT");
    // Its coordinators are "các bộ, ngành, địa phương" as of 15 April 2024, now: the 34
    // provinces among them, and not the lead again.
    let coordinators = agencies(&task, Role::Coordinating);
    assert!(coordinators.contains(&"T-TUYEN-QUANG"));
    assert!(
        !coordinators.contains(&"T-HA-GIANG"),
        "ended provinces pass on"
    );
    assert!(
        !coordinators.contains(&"BVHTTDL"),
        "the lead is not also a coordinator"
    );
    assert!(!coordinators.contains(&"BTTTT"), "ended ministries pass on");

    // 2.7: the Ministry of Labour, Invalids and Social Affairs had no external-information
    // successor named, so its catch-all successor, Home Affairs, carries it.
    let task = assignments::for_task(db, program_id, "2.7").await.unwrap();
    assert_eq!(agencies(&task, Role::Lead), ["BNV"]);
    assert_eq!(task[0].origins[0].original, "BLDTBXH");
}

async fn syncing_again_changes_nothing(db: &Db) {
    let (program_id, directory, first) = load(db, "external_information").await;
    let before = assignments::for_program(db, program_id).await.unwrap();
    let again = assignments::sync(db, program_id, &directory).await.unwrap();
    assert_eq!(
        again,
        SyncOutcome {
            created: 0,
            updated: 0,
            removed: 0,
            unchanged: first.created,
            pending: first.pending,
        }
    );
    assert_eq!(
        assignments::for_program(db, program_id).await.unwrap(),
        before
    );
}

async fn another_successor_function_moves_the_ended_ministrys_tasks(db: &Db) {
    let (program_id, directory, _) = load(db, "external_information").await;
    assignments::set_successor_function(db, program_id, "*")
        .await
        .unwrap();
    let outcome = assignments::sync(db, program_id, &directory).await.unwrap();
    assert!(outcome.created > 0 && outcome.removed > 0, "{outcome:?}");
    let task = assignments::for_task(db, program_id, "2.1").await.unwrap();
    assert_eq!(agencies(&task, Role::Lead), ["BKHCN"]);
}

async fn a_merged_province_carries_the_tasks_of_the_provinces_it_absorbed(db: &Db) {
    let (program_id, _, _) = load(db, "external_information").await;
    // 1.1 is led by "Các bộ, ngành, địa phương".
    let task = assignments::for_task(db, program_id, "1.1").await.unwrap();
    let tuyen_quang = task
        .iter()
        .find(|a| a.agency_code == "T-TUYEN-QUANG" && a.role == Role::Lead)
        .expect("Tuyên Quang leads 1.1");
    let originals: Vec<&str> = tuyen_quang
        .origins
        .iter()
        .map(|o| o.original.as_str())
        .collect();
    assert_eq!(originals, ["T-HA-GIANG", "T-TUYEN-QUANG"]);
    assert!(
        tuyen_quang
            .origins
            .iter()
            .all(|o| o.via_set.as_deref() == Some("bo-nganh-dia-phuong"))
    );
    let provinces = task
        .iter()
        .filter(|a| a.agency_code.starts_with("T-") || a.agency_code.starts_with("TP-"))
        .count();
    assert_eq!(
        provinces, 34,
        "the 63 provinces of 2024 are the 34 of today"
    );
}

async fn an_open_set_waits_and_its_chosen_members_are_kept(db: &Db) {
    let (program_id, directory, outcome) = load(db, "external_information").await;
    assert!(outcome.pending > 0);
    // 5.7: "Bộ Ngoại giao, Bộ Nội vụ và các bộ, ngành liên quan" coordinate.
    let pending = assignments::pending_for_task(db, program_id, "5.7")
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].set_code, "bo-nganh-lien-quan");
    assert_eq!(pending[0].role, Role::Coordinating);
    assert!(pending[0].chosen_at.is_none());

    let chosen = ["BTC".to_owned(), "BNG".to_owned()];
    let created = assignments::choose(db, pending[0].id, &chosen, &directory)
        .await
        .unwrap();
    assert_eq!(created, 1, "BNG was already a coordinator; BTC is new");
    let task = assignments::for_task(db, program_id, "5.7").await.unwrap();
    let btc = task.iter().find(|a| a.agency_code == "BTC").unwrap();
    assert_eq!(
        btc.origins[0].via_set.as_deref(),
        Some("bo-nganh-lien-quan")
    );
    let bng = task.iter().find(|a| a.agency_code == "BNG").unwrap();
    assert_eq!(bng.origins.len(), 2, "named, and chosen for the set");
    let pending = assignments::pending_for_task(db, program_id, "5.7")
        .await
        .unwrap();
    assert!(pending[0].chosen_at.is_some());

    // A later sync keeps what a person chose.
    assignments::sync(db, program_id, &directory).await.unwrap();
    let again = assignments::for_task(db, program_id, "5.7").await.unwrap();
    assert!(again.iter().any(|a| a.agency_code == "BTC"));

    let unknown = ["NO-SUCH".to_owned()];
    let error = assignments::choose(db, pending[0].id, &unknown, &directory)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error}");
}

async fn an_agency_sees_its_assignments_in_task_order(db: &Db) {
    let (_, _, _) = load(db, "external_information").await;
    let culture = assignments::for_agency(db, "BVHTTDL").await.unwrap();
    let codes: Vec<&str> = culture
        .iter()
        .map(|a| a.assignment.task_code.as_str())
        .collect();
    assert!(codes.starts_with(&["1.1", "1.2", "2.1"]), "{codes:?}");
    let first = &culture[0];
    assert_eq!(first.program_number.as_deref(), Some("47/NQ-CP"));
    assert_eq!(first.task.title, "Phổ biến, quán triệt nội dung Nghị quyết");
    assert!(
        assignments::for_agency(db, "NO-SUCH")
            .await
            .unwrap()
            .is_empty()
    );
}

async fn an_unknown_program_or_open_set_is_not_found(db: &Db) {
    let directory = Directory::bundled();
    let error = assignments::sync(db, 999, &directory).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error}");
    let error = assignments::choose(db, 999, &[], &directory)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error}");
    let error = assignments::set_successor_function(db, 999, "*")
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error}");
}

async fn an_assignment_is_placed_with_its_program_task_and_stamp_in_one_read(db: &Db) {
    let (program_id, _, _) = load(db, "external_information").await;
    let lead = assignments::for_task(db, program_id, "2.1")
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.role == Role::Lead)
        .unwrap();
    let placed = assignments::placement(db, lead.id).await.unwrap().unwrap();
    assert_eq!(placed.program_id, program_id);
    assert_eq!(placed.task_code, "2.1");
    assert_eq!(
        placed.stamp,
        dongbo_store::dashboard::stamp(db, program_id)
            .await
            .unwrap()
    );
    assert!(
        placed.stamp.structure > 0,
        "syncing assignments raised the structure"
    );
    assert_eq!(assignments::placement(db, -1).await.unwrap(), None);
}
