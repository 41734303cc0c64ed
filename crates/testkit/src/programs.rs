//! Test data: the bundled agency directory and Resolution 47/NQ-CP, loaded into a test
//! database the way the first run of `dongbo serve` loads them.

use dongbo_domain::Directory;
use dongbo_import::Format;
use dongbo_store::{Assigning, Db, Saved, SourceInfo, directory, programs};

/// The text of Resolution 47/NQ-CP shipped in `data/programs/`.
pub const RESOLUTION_47: &[u8] = include_bytes!("../../../data/programs/47-NQ-CP.txt");

/// Saves `dir` and imports 47/NQ-CP as `dongbo import` does, its tasks assigned with every
/// successor (`*`, the default function); returns the program's id.
pub async fn load_47(db: &Db, dir: &Directory) -> i64 {
    load_47_with(db, dir, Assigning::new(dir))
        .await
        .program_id()
}

/// Saves `dir` and imports 47/NQ-CP as the first run of `dongbo serve` does: the program's
/// work is external information, and its tasks are assigned for it. Returns the program's id.
pub async fn load_47_assigned(db: &Db, dir: &Directory) -> i64 {
    load_47_with(
        db,
        dir,
        Assigning::new(dir).with_successor_function("external_information"),
    )
    .await
    .program_id()
}

/// Saves `dir` and imports 47/NQ-CP, its tasks assigned as `assigning` says; returns what the
/// store did.
pub async fn load_47_with(db: &Db, dir: &Directory, assigning: Assigning<'_>) -> Saved {
    directory::save(db, dir).await.expect("save the directory");
    let imported = dongbo_import::import(RESOLUTION_47, "47-NQ-CP.txt", Format::Auto, dir)
        .expect("the bundled 47/NQ-CP imports");
    let source = SourceInfo {
        file_name: "47-NQ-CP.txt".into(),
        format: imported.format.to_string(),
        sha256: imported.sha256.clone(),
    };
    programs::save_with_assignments(db, &imported.program, &source, assigning)
        .await
        .expect("save 47/NQ-CP with its assignments")
}

/// 47/NQ-CP as `dongbo import` reads it, against `dir`: its groups and tasks, without a
/// database (for the documents built from it).
pub fn program_47(dir: &Directory) -> dongbo_domain::ImportedProgram {
    dongbo_import::import(RESOLUTION_47, "47-NQ-CP.txt", Format::Auto, dir)
        .expect("the bundled 47/NQ-CP imports")
        .program
}
