//! Test data: the bundled agency directory and Resolution 47/NQ-CP, loaded into a test
//! database the way the first run of `dongbo serve` loads them.

use dongbo_domain::Directory;
use dongbo_import::Format;
use dongbo_store::{Db, SaveOutcome, SourceInfo, assignments, directory, programs};

/// The text of Resolution 47/NQ-CP shipped in `data/programs/`.
pub const RESOLUTION_47: &[u8] = include_bytes!("../../../data/programs/47-NQ-CP.txt");

/// Saves `dir` and imports 47/NQ-CP; returns the program's id.
pub async fn load_47(db: &Db, dir: &Directory) -> i64 {
    directory::save(db, dir).await.expect("save the directory");
    let imported = dongbo_import::import(RESOLUTION_47, "47-NQ-CP.txt", Format::Auto, dir)
        .expect("the bundled 47/NQ-CP imports");
    let source = SourceInfo {
        file_name: "47-NQ-CP.txt".into(),
        format: imported.format.to_string(),
        sha256: imported.sha256.clone(),
    };
    match programs::save(db, &imported.program, &source)
        .await
        .expect("save 47/NQ-CP")
    {
        SaveOutcome::Created { program_id }
        | SaveOutcome::Unchanged { program_id }
        | SaveOutcome::Updated { program_id, .. } => program_id,
    }
}

/// [`load_47`], then what the first run of `dongbo serve` does next: the program's work is
/// external information, and its tasks are assigned. Returns the program's id.
pub async fn load_47_assigned(db: &Db, dir: &Directory) -> i64 {
    let program_id = load_47(db, dir).await;
    assignments::set_successor_function(db, program_id, "external_information")
        .await
        .expect("set the successor function");
    assignments::sync(db, program_id, dir)
        .await
        .expect("assign the tasks of 47/NQ-CP");
    program_id
}
