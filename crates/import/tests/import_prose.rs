//! Prose plans in Norwegian, Polish and English become draft tasks for review, with the
//! document's and each task's language detected.

mod common;

use common::{directory, seed};
use dongbo_import::{Format, Imported, import};

fn import_seed(name: &str) -> Imported {
    import(&seed(name), name, Format::Auto, &directory()).expect("the seed imports")
}

fn assert_drafts(imported: &Imported, language: &str) {
    assert_eq!(imported.format, Format::Prose);
    assert_eq!(imported.program.document.language, language);
    assert_eq!(imported.program.groups.len(), 1);
    assert_eq!(imported.program.groups[0].code, "P");
    assert!(imported.program.tasks.len() >= 5);
    for (i, task) in imported.program.tasks.iter().enumerate() {
        assert!(task.draft);
        assert_eq!(task.code, format!("P{}", i + 1));
        assert_eq!(task.group, "P");
        assert!(task.title.split_whitespace().count() >= 8, "{}", task.title);
        assert!(task.lead.agencies.is_empty());
    }
    assert!(
        imported
            .program
            .warnings
            .iter()
            .any(|w| w.contains("draft")),
        "{:?}",
        imported.program.warnings
    );
}

#[test]
fn the_norwegian_plan_gives_norwegian_bokmal_drafts_after_its_task_heading() {
    let imported = import_seed("000_c183a8c13868d0ab.txt");
    assert_drafts(&imported, "nb");
    let tasks = &imported.program.tasks;
    assert!(
        tasks[0]
            .title
            .starts_with("Organisere og implementere et program")
    );
    let norwegian = tasks
        .iter()
        .filter(|t| t.language.as_deref() == Some("nb"))
        .count();
    assert!(
        norwegian * 10 >= tasks.len() * 8,
        "{norwegian} of {} tasks detected as nb",
        tasks.len()
    );
    // The plan carries out Resolution 59-NQ/TW; it is not that resolution.
    assert_eq!(imported.program.document.number, None);
    assert_eq!(
        imported.program.document.implements,
        vec!["59-NQ/TW".to_owned()]
    );
    // A period named in a paragraph becomes its time frame.
    let task = tasks
        .iter()
        .find(|t| t.title.contains("2025–2035"))
        .unwrap();
    assert_eq!(task.time_frame.text, "2025 - 2035");
    assert!(!tasks.iter().any(|t| t.title.starts_with("Kilde")));
}

#[test]
fn the_polish_plan_gives_polish_drafts() {
    let imported = import_seed("004_f82839ca2ee82d1e.txt");
    assert_drafts(&imported, "pl");
    assert!(
        imported
            .program
            .tasks
            .iter()
            .any(|t| t.title.starts_with("Regularnie publikować"))
    );
    assert!(
        !imported
            .program
            .tasks
            .iter()
            .any(|t| t.title.starts_with("Więcej szczegółów"))
    );
}

#[test]
fn the_english_guidance_gives_english_drafts_from_its_bullets_only() {
    let imported = import_seed("003_2aec8bf5872187a5.txt");
    assert_drafts(&imported, "en");
    let tasks = &imported.program.tasks;
    assert!(
        tasks[0]
            .title
            .starts_with("Continue to promote research work")
    );
    assert!(
        tasks
            .iter()
            .all(|t| !t.title.starts_with('-') && !t.title.starts_with('+'))
    );
    assert!(tasks.iter().all(|t| !t.title.ends_with('?')));
    assert!(
        !tasks
            .iter()
            .any(|t| t.title.contains("LawNet") || t.title.contains("conscription"))
    );
}

#[test]
fn vietnamese_news_without_a_table_gives_vietnamese_drafts() {
    let imported = import_seed("001_b35ca742d8998c4f.txt");
    assert_drafts(&imported, "vi");
}
