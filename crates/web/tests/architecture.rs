//! The architecture's invariants, kept by tests rather than by memory (see
//! `docs/ARCHITECTURE.md`):
//!
//! - `web` is HTTP only: it never calls the store, and names it only where it sets up its
//!   state (`AppState::new`); every read and write goes through a capability crate.
//! - Crates depend only inward: domain ← store ← tools ← capabilities ← portal ← web ← app.

use std::path::{Path, PathBuf};

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/web has a parent")
        .to_path_buf()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn web_never_calls_the_store_outside_its_state_set_up() {
    let src = crates_dir().join("web/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 10, "the web sources were found");
    let mut offending = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable source");
        // The one place allowed: the state's constructor, which takes the database (from its
        // signature to the end of its body).
        let set_up = file.ends_with("lib.rs").then(|| {
            let start = text.find("pub fn new(").expect("AppState::new in lib.rs");
            let end = start
                + text[start..]
                    .find("\n    }\n")
                    .expect("the end of AppState::new");
            text[..start].lines().count()..=text[..end].lines().count()
        });
        for (number, line) in text.lines().enumerate() {
            let allowed = set_up.as_ref().is_some_and(|lines| lines.contains(&number));
            if !line.contains("dongbo_store") || allowed {
                continue;
            }
            offending.push(format!(
                "{}:{}: {}",
                file.strip_prefix(&src).unwrap_or(file).display(),
                number + 1,
                line.trim()
            ));
        }
    }
    assert!(
        offending.is_empty(),
        "web calls the store directly; go through dongbo_programs (or the capability's crate):\n{}",
        offending.join("\n")
    );
}

/// How far out a crate stands: a crate may depend only on crates of a lower layer.
fn layer(name: &str) -> Option<u8> {
    Some(match name {
        "dongbo-domain" => 0,
        "dongbo-store" => 1,
        "dongbo-import" | "dongbo-publish" | "dongbo-remind" | "dongbo-search" | "dongbo-gen" => 2,
        "dongbo-programs" | "dongbo-library" | "dongbo-relations" | "dongbo-monitor" => 3,
        "dongbo-portal" => 4,
        "dongbo-web" => 5,
        // The binary wires everything; the test kit stands beside it.
        "dongbo" | "dongbo-testkit" => 6,
        _ => return None,
    })
}

#[test]
fn every_crate_depends_only_on_crates_further_in() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(crates_dir()).expect("the crates folder") {
        let manifest = entry.expect("a folder entry").path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let parsed: toml::Table = text.parse().expect("a valid manifest");
        let name = parsed["package"]["name"]
            .as_str()
            .expect("a package name")
            .to_owned();
        let own = layer(&name).unwrap_or_else(|| {
            panic!("{name} has no layer: place it in this test and in ARCHITECTURE.md")
        });
        checked += 1;
        let Some(dependencies) = parsed.get("dependencies").and_then(|d| d.as_table()) else {
            continue;
        };
        for dependency in dependencies.keys() {
            if let Some(theirs) = layer(dependency)
                && theirs >= own
            {
                wrong.push(format!(
                    "{name} (layer {own}) depends on {dependency} (layer {theirs})"
                ));
            }
        }
    }
    assert!(checked >= 9, "every crate was read ({checked})");
    assert!(
        wrong.is_empty(),
        "dependencies that point outward or sideways:\n{}",
        wrong.join("\n")
    );
}
