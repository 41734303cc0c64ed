//! Test data: the bundled agency directory and Resolution 47/NQ-CP, loaded into a test
//! database the way the first run of `dongbo serve` loads them.

use dongbo_domain::Directory;
use dongbo_import::Format;
use dongbo_store::{Db, SaveOutcome, SourceInfo, directory, programs};

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
