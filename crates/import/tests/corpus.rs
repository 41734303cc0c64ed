//! The corpus: real task appendices of Government programs the team did not tune the importer
//! for (`tests/fixtures/corpus/`, each naming its source). Every file imports with the shipped
//! directory, and at most 3 % of its agency phrases stay unresolved.
//!
//! A phrase is one thing a lead or coordinating cell names: an agency, a set, a non-state
//! participant or a fragment that matched nothing. The test prints, per file, the tasks,
//! groups, unparsed time frames and what stayed unresolved, so a failure says what to add.

use dongbo_domain::{Directory, Resolution, TimeFrameKind};
use dongbo_import::{Format, import};

/// The most unresolved phrases a file may keep, in percent of its phrases.
const MAX_UNRESOLVED_PERCENT: f64 = 3.0;

fn corpus_files() -> Vec<(String, Vec<u8>)> {
    let folder = format!("{}/tests/fixtures/corpus", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("reading {folder}: {e}"))
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            let name = path
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            let bytes =
                std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            (name, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Phrases a cell names and those of them that stayed unresolved.
fn phrases(resolution: &Resolution) -> (usize, usize) {
    let named = resolution.agencies.len()
        + resolution.sets.len()
        + resolution.participants.len()
        + resolution.unresolved.len();
    (named, resolution.unresolved.len())
}

#[derive(Debug, Default)]
struct Measure {
    tasks: usize,
    groups: usize,
    unparsed_time_frames: usize,
    phrases: usize,
    unresolved: Vec<String>,
    /// Time frames left unparsed, "task: text", printed for the reviewer.
    unparsed: Vec<String>,
    /// Non-state participants, "task role: kind: text", printed for the reviewer.
    participants: Vec<String>,
}

impl Measure {
    fn unresolved_percent(&self) -> f64 {
        if self.phrases == 0 {
            return 0.0;
        }
        100.0 * self.unresolved.len() as f64 / self.phrases as f64
    }
}

fn measure(name: &str, bytes: &[u8], directory: &Directory) -> Result<Measure, String> {
    let imported =
        import(bytes, name, Format::Auto, directory).map_err(|error| error.to_string())?;
    let program = &imported.program;
    let mut measure = Measure {
        tasks: program.tasks.len(),
        groups: program.groups.len(),
        unparsed_time_frames: program
            .tasks
            .iter()
            .filter(|t| t.time_frame.kind == TimeFrameKind::Unparsed)
            .count(),
        ..Measure::default()
    };
    measure.unparsed = program
        .tasks
        .iter()
        .filter(|t| t.time_frame.kind == TimeFrameKind::Unparsed)
        .map(|t| format!("task {}: «{}»", t.code, t.time_frame.text))
        .collect();
    for task in &program.tasks {
        for (role, resolution) in [("lead", &task.lead), ("coordinating", &task.coordinating)] {
            let (named, _) = phrases(resolution);
            measure.phrases += named;
            measure.unresolved.extend(
                resolution
                    .unresolved
                    .iter()
                    .map(|fragment| format!("task {} {role}: {fragment}", task.code)),
            );
            measure.participants.extend(
                resolution
                    .participants
                    .iter()
                    .map(|p| format!("task {} {role}: {}: {}", task.code, p.kind.as_str(), p.text)),
            );
        }
    }
    Ok(measure)
}

#[test]
fn every_corpus_file_names_its_source_before_its_table() {
    let files = corpus_files();
    assert!(!files.is_empty());
    for (name, bytes) in files {
        let text = String::from_utf8(bytes).expect("corpus files are UTF-8");
        let header = text
            .split("-->")
            .next()
            .filter(|_| text.starts_with("<!--"))
            .unwrap_or_else(|| panic!("{name} opens without a comment naming its source"));
        assert!(header.contains("Source:"), "{name}");
        assert!(header.contains("/NQ-CP"), "{name}: the document number");
        assert!(
            header.contains("github") || header.contains("GitHub") || header.contains(".vn"),
            "{name}: where the copy comes from"
        );
    }
}

#[test]
fn the_json_contract_lists_a_task_s_non_state_participants_with_their_kind() {
    let name = "03-NQ-CP-2025-57-NQ-TW.md";
    let (_, bytes) = corpus_files()
        .into_iter()
        .find(|(file, _)| file == name)
        .expect("the 03/NQ-CP appendix is in the corpus");
    let imported = import(&bytes, name, Format::Auto, &Directory::bundled())
        .expect("the 03/NQ-CP appendix imports");
    let json = dongbo_import::to_json_contract(&imported);
    let task = json["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| {
            t["title"]
                .as_str()
                .is_some_and(|title| title.starts_with("Lập các cơ sở nghiên cứu chính sách"))
        })
        .expect("the task led by the technology businesses");
    assert_eq!(task["lead"]["text"], "Tập đoàn, doanh nghiệp công nghệ số");
    assert_eq!(
        task["lead"]["participants"],
        serde_json::json!([
            {"kind": "business", "text": "Tập đoàn"},
            {"kind": "business", "text": "doanh nghiệp công nghệ số"},
        ])
    );
    assert_eq!(task["lead"]["unresolved"], serde_json::json!([]));
    assert_eq!(
        task["coordinating"]["agencies"],
        serde_json::json!(["BKHCN"])
    );
}

#[test]
fn every_corpus_appendix_leaves_at_most_three_percent_of_its_agency_phrases_unresolved() {
    let directory = Directory::bundled();
    let mut failures = Vec::new();
    for (name, bytes) in corpus_files() {
        match measure(&name, &bytes, &directory) {
            Err(error) => {
                // The numbering of tasks straight through Roman groups is mended in table.rs by
                // another change; until then such a file is reported, not measured.
                println!("{name}: DOES NOT IMPORT: {error}");
                failures.push(format!("{name}: does not import: {error}"));
            }
            Ok(measure) => {
                println!(
                    "{name}: {} tasks, {} groups, {} unparsed time frames, {} of {} agency \
                     phrases unresolved ({:.1} %)",
                    measure.tasks,
                    measure.groups,
                    measure.unparsed_time_frames,
                    measure.unresolved.len(),
                    measure.phrases,
                    measure.unresolved_percent(),
                );
                for fragment in &measure.unresolved {
                    println!("    unresolved: {fragment}");
                }
                for frame in &measure.unparsed {
                    println!("    unparsed time frame: {frame}");
                }
                for participant in &measure.participants {
                    println!("    participant: {participant}");
                }
                assert!(measure.tasks > 0, "{name} imported no task");
                if measure.unresolved_percent() > MAX_UNRESOLVED_PERCENT {
                    failures.push(format!(
                        "{name}: {:.1} % unresolved: {:?}",
                        measure.unresolved_percent(),
                        measure.unresolved
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
