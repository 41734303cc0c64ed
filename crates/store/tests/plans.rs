//! Agency plans and units on 47/NQ-CP, on SQLite and on PostgreSQL.

use chrono::NaiveDate;
use dongbo_domain::{Directory, DocumentKind, Role};
use dongbo_store::plans::{self, Created, NewTask};
use dongbo_store::{Db, StoreError, assignments, programs};

dongbo_testkit::backend_tests!(
    a_plan_is_prefilled_with_every_task_the_agency_is_assigned,
    creating_a_plan_again_gives_the_same_plan,
    an_agency_without_tasks_in_the_program_gets_no_plan,
    an_agency_adds_its_own_tasks_numbered_under_the_parent_task,
    a_unit_is_handed_a_plan_task_with_a_due_date_and_keeps_it,
    units_are_checked_and_join_the_directory_under_their_agency,
);

async fn setup(db: &Db) -> (i64, Directory) {
    let directory = Directory::bundled();
    let program_id = dongbo_testkit::load_47_assigned(db, &directory).await;
    (program_id, directory)
}

async fn a_plan_is_prefilled_with_every_task_the_agency_is_assigned(db: &Db) {
    let (parent, directory) = setup(db).await;
    let assigned: std::collections::BTreeSet<String> = assignments::for_program(db, parent)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.agency_code == "BVHTTDL")
        .map(|a| a.task_code)
        .collect();
    let created = plans::create(db, &directory, parent, "BVHTTDL")
        .await
        .unwrap();
    let Created::New { program_id, tasks } = created else {
        panic!("a new plan: {created:?}")
    };
    assert_eq!(tasks, assigned.len());

    let plan = programs::get(db, program_id)
        .await
        .unwrap()
        .unwrap()
        .program;
    assert_eq!(plan.document.kind, DocumentKind::Plan);
    assert_eq!(plan.document.issuer.as_deref(), Some("BVHTTDL"));
    assert_eq!(plan.document.implements, ["47/NQ-CP"]);
    assert!(
        plan.document
            .title
            .starts_with("Kế hoạch của Bộ Văn hóa, Thể thao và Du lịch thực hiện 47/NQ-CP")
    );
    let codes: std::collections::BTreeSet<String> =
        plan.tasks.iter().map(|t| t.code.clone()).collect();
    assert_eq!(codes, assigned);
    assert!(plan.tasks.iter().all(|t| t.lead.agencies == ["BVHTTDL"]));

    // Each plan task carries out its parent task, and the agency leads it in its plan.
    assert_eq!(
        plans::derived_tasks(db, parent, "3.4").await.unwrap(),
        [(program_id, "3.4".to_owned())]
    );
    let own = assignments::for_task(db, program_id, "3.4").await.unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(
        (own[0].agency_code.as_str(), own[0].role),
        ("BVHTTDL", Role::Lead)
    );
    let stored = plans::get(db, program_id).await.unwrap().unwrap();
    assert_eq!(stored.parent_program_id, parent);
    assert_eq!(plans::of_agency(db, "BVHTTDL").await.unwrap(), [stored]);
}

async fn creating_a_plan_again_gives_the_same_plan(db: &Db) {
    let (parent, directory) = setup(db).await;
    let first = plans::create(db, &directory, parent, "BNG").await.unwrap();
    let again = plans::create(db, &directory, parent, "BNG").await.unwrap();
    assert_eq!(
        again,
        Created::Existing {
            program_id: first.program_id()
        }
    );
    assert_eq!(
        plans::find(db, parent, "BNG").await.unwrap(),
        Some(first.program_id())
    );
    assert_eq!(plans::find(db, parent, "BQP").await.unwrap(), None);
}

async fn an_agency_without_tasks_in_the_program_gets_no_plan(db: &Db) {
    let (parent, directory) = setup(db).await;
    let before = programs::list(db).await.unwrap().len();
    // Hà Giang ended in 2025: Tuyên Quang carries its tasks.
    let error = plans::create(db, &directory, parent, "T-HA-GIANG")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::Invalid(m) if m.contains("no task")),
        "{error}"
    );
    let error = plans::create(db, &directory, parent, "NO-SUCH")
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error}");
    let error = plans::create(db, &directory, 999, "BNG").await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error}");
    assert_eq!(
        programs::list(db).await.unwrap().len(),
        before,
        "nothing stored"
    );
}

async fn an_agency_adds_its_own_tasks_numbered_under_the_parent_task(db: &Db) {
    let (parent, directory) = setup(db).await;
    let plan = plans::create(db, &directory, parent, "BVHTTDL")
        .await
        .unwrap()
        .program_id();
    let new = |title: &str| NewTask {
        parent_task_code: "3.4".into(),
        // Decomposed "ệ" (e + U+0323 + U+0302): stored in NFC.
        title: title.into(),
        expected_output: Some("Báo cáo".into()),
        time_frame: "Quý III/2025".into(),
    };
    let first = plans::add_task(
        db,
        &directory,
        plan,
        &new("Tổ chức tuần văn hóa Vi\u{0065}\u{0323}\u{0302}t Nam"),
    )
    .await
    .unwrap();
    assert_eq!(first, "3.4.1");
    let second = plans::add_task(db, &directory, plan, &new("Xuất bản ấn phẩm"))
        .await
        .unwrap();
    assert_eq!(second, "3.4.2");

    let task = dongbo_store::tasks::get(db, plan, "3.4.1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(task.title, "Tổ chức tuần văn hóa Việt Nam");
    assert_eq!(task.group, "3");
    assert_eq!(task.lead.agencies, ["BVHTTDL"]);
    assert_eq!(
        task.time_frame.due,
        NaiveDate::from_ymd_opt(2025, 9, 30),
        "the time frame is understood"
    );
    let derived = plans::derived_tasks(db, parent, "3.4").await.unwrap();
    let codes: Vec<&str> = derived.iter().map(|(_, c)| c.as_str()).collect();
    assert_eq!(codes, ["3.4", "3.4.1", "3.4.2"]);
    assert_eq!(
        assignments::for_task(db, plan, "3.4.1").await.unwrap()[0].agency_code,
        "BVHTTDL"
    );

    let mut bad = new(" ");
    let error = plans::add_task(db, &directory, plan, &bad)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error}");
    bad = new("Nhiệm vụ");
    bad.parent_task_code = "9.9".into();
    let error = plans::add_task(db, &directory, plan, &bad)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::Invalid(m) if m.contains("9.9")),
        "{error}"
    );
    assert!(
        dongbo_store::tasks::get(db, plan, "9.9.1")
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_unit_is_handed_a_plan_task_with_a_due_date_and_keeps_it(db: &Db) {
    let (parent, directory) = setup(db).await;
    let plan = plans::create(db, &directory, parent, "BVHTTDL")
        .await
        .unwrap()
        .program_id();
    let unit = plans::create_unit(
        db,
        &directory,
        "BVHTTDL",
        "htqt",
        "Cục Hợp tác quốc tế",
        "International Cooperation Department",
    )
    .await
    .unwrap();
    assert_eq!(unit.code, "BVHTTDL/HTQT");
    let due = NaiveDate::from_ymd_opt(2025, 11, 30);
    plans::assign_unit(db, plan, "3.4", &unit.code, due)
        .await
        .unwrap();
    plans::assign_unit(db, plan, "3.4", &unit.code, due)
        .await
        .unwrap();
    let task = assignments::for_task(db, plan, "3.4").await.unwrap();
    let handed: Vec<_> = task.iter().filter(|a| a.agency_code == unit.code).collect();
    assert_eq!(handed.len(), 1, "handing twice changes nothing");
    assert!(handed[0].manual);
    assert_eq!(handed[0].due_on, due);

    // Keeping the plan's assignments in step leaves what a person decided.
    let directory = directory.with_units([unit.as_agency()]);
    assignments::sync(db, plan, &directory).await.unwrap();
    assert!(
        assignments::for_task(db, plan, "3.4")
            .await
            .unwrap()
            .iter()
            .any(|a| a.agency_code == unit.code)
    );

    let other = plans::create_unit(db, &directory, "BNG", "lanh-su", "Cục Lãnh sự", "")
        .await
        .unwrap();
    let error = plans::assign_unit(db, plan, "3.4", &other.code, None)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error}");
    let error = plans::assign_unit(db, plan, "9.9", &unit.code, None)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error}");
}

async fn units_are_checked_and_join_the_directory_under_their_agency(db: &Db) {
    let (_, directory) = setup(db).await;
    let unit = plans::create_unit(db, &directory, "BVHTTDL", "VP", "Văn phòng Bộ", "")
        .await
        .unwrap();
    assert_eq!(
        unit.name_en, "Văn phòng Bộ",
        "the Vietnamese name stands in"
    );
    for (agency, code, name) in [
        ("BVHTTDL", "VP", "Văn phòng"),
        ("BVHTTDL", "có dấu", "Văn phòng"),
        ("BVHTTDL", "X", " "),
        ("NO-SUCH", "X", "Văn phòng"),
    ] {
        let error = plans::create_unit(db, &directory, agency, code, name, "")
            .await
            .unwrap_err();
        assert!(
            matches!(error, StoreError::Invalid(_)),
            "{agency} {code}: {error}"
        );
    }
    let units = plans::units(db).await.unwrap();
    assert_eq!(units, std::slice::from_ref(&unit));
    // The count servers read to know their directory still holds: one unit, the refused not
    // counted.
    assert_eq!(plans::unit_count(db).await.unwrap(), 1);
    let directory = directory.with_units(units.iter().map(|u| u.as_agency()));
    assert!(directory.is_within("BVHTTDL/VP", "BVHTTDL"));
    assert!(directory.is_within("BVHTTDL/VP", "CP"));
    assert!(!directory.is_within("BVHTTDL/VP", "BNG"));
    assert!(!directory.is_within("BNG", "BVHTTDL/VP"));
}
