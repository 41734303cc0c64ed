//! Seed 002 with the domain's agency resolver and time-frame parser: every agency cell of
//! 47/NQ-CP resolves with nothing left over, every time frame parses, as of 15 April 2024.

mod common;

use chrono::NaiveDate;
use common::{import_47, task};
use dongbo_domain::TimeFrameKind;

#[test]
fn no_agency_cell_of_47_leaves_an_unresolved_fragment() {
    let imported = import_47();
    for task in &imported.program.tasks {
        assert!(
            task.lead.unresolved.is_empty(),
            "task {} lead: {:?}",
            task.code,
            task.lead
        );
        assert!(
            task.coordinating.unresolved.is_empty(),
            "task {} coordinating: {:?}",
            task.code,
            task.coordinating
        );
        assert!(
            !task.lead.agencies.is_empty() || !task.lead.sets.is_empty(),
            "task {} has no lead",
            task.code
        );
    }
}

#[test]
fn no_time_frame_of_47_is_left_unparsed() {
    let imported = import_47();
    for task in &imported.program.tasks {
        assert_ne!(
            task.time_frame.kind,
            TimeFrameKind::Unparsed,
            "task {}",
            task.code
        );
    }
}

#[test]
fn the_import_of_47_carries_no_review_warnings() {
    assert_eq!(import_47().program.warnings, Vec::<String>::new());
}

#[test]
fn task_3_6_names_the_culture_ministry_among_its_coordinators_once() {
    let imported = import_47();
    let coordinators = &task(&imported, "3.6").coordinating.agencies;
    assert_eq!(
        coordinators.iter().filter(|c| *c == "BVHTTDL").count(),
        1,
        "{coordinators:?}"
    );
}

#[test]
fn task_2_7_is_led_by_the_labour_ministry() {
    let imported = import_47();
    assert_eq!(
        task(&imported, "2.7").lead.agencies,
        vec!["BLDTBXH".to_owned()]
    );
}

#[test]
fn task_5_2_is_due_at_the_end_of_2030() {
    let imported = import_47();
    let frame = &task(&imported, "5.2").time_frame;
    assert_eq!(frame.kind, TimeFrameKind::ByYear);
    assert_eq!(frame.due, NaiveDate::from_ymd_opt(2030, 12, 31));
}

#[test]
fn task_1_2_is_annual_and_task_2_2_spans_2025_to_2026() {
    let imported = import_47();
    assert_eq!(
        task(&imported, "1.2").time_frame.kind,
        TimeFrameKind::Annual
    );
    let frame = &task(&imported, "2.2").time_frame;
    assert_eq!(frame.kind, TimeFrameKind::YearRange);
    assert_eq!(frame.due, NaiveDate::from_ymd_opt(2026, 12, 31));
}
