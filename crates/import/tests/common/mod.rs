//! Helpers shared by the import tests: the seed files and the bundled directory.
#![allow(dead_code, reason = "each test file uses some of the helpers")]

use dongbo_domain::{Directory, Task};
use dongbo_import::{Format, Imported, import};

pub const SEED_47: &str = "002_00add635214326df.txt";

/// The bytes of a seed under `tests/fixtures/seeds/`.
pub fn seed(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/seeds/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

pub fn directory() -> Directory {
    Directory::bundled()
}

/// Seed 002 (Resolution 47/NQ-CP) imported with the format chosen automatically.
pub fn import_47() -> Imported {
    import(&seed(SEED_47), SEED_47, Format::Auto, &directory()).expect("seed 002 imports")
}

/// The task with `code`.
pub fn task<'a>(imported: &'a Imported, code: &str) -> &'a Task {
    imported
        .program
        .tasks
        .iter()
        .find(|t| t.code == code)
        .unwrap_or_else(|| panic!("task {code} is missing"))
}

/// Task counts per group, in group order.
pub fn group_sizes(imported: &Imported) -> Vec<(String, usize)> {
    imported
        .program
        .groups
        .iter()
        .map(|g| {
            let count = imported
                .program
                .tasks
                .iter()
                .filter(|t| t.group == g.code)
                .count();
            (g.code.clone(), count)
        })
        .collect()
}
