//! Re-importing a program's document from its page: the file is read, checked to be this
//! program's, and shown with what it would change and where it disagrees with approved change
//! requests; then saved keeping every approved change but those the importer chose to
//! override, each override audited (`program.reimport_override`). Overriding a decision is
//! the power to decide change requests: the program's coordinating agency's
//! (`DecideChangeRequest`), checked as the change-request decisions check it.

use std::collections::BTreeSet;
use std::sync::Arc;

use dongbo_domain::access::Action;
use dongbo_domain::{Directory, ImportedProgram};
use dongbo_store::{Assigning, FileWins, SourceInfo, programs};
pub use dongbo_store::{Conflict, Preview, ProgramDiff, Saved, Settled};

use crate::context::{Actor, Error, Result};

/// A file read and found to be the program's own document.
struct Checked {
    program: ImportedProgram,
    source: SourceInfo,
    directory: Arc<Directory>,
}

/// Whether the caller may re-import program `program_id` (404 for an unknown program).
pub async fn may_reimport(actor: &Actor<'_>, program_id: i64) -> Result<bool> {
    let directory = actor.programs.directory_with_units().await?;
    let decider = crate::views::coordinating_agency_of(actor.programs, program_id).await?;
    Ok(actor
        .caller
        .can(Action::DecideChangeRequest, &decider, &directory))
}

/// Found → permitted → the file read and its number checked against the program's.
async fn checked(
    actor: &Actor<'_>,
    program_id: i64,
    bytes: Vec<u8>,
    file_name: &str,
) -> Result<Checked> {
    let directory = actor.programs.directory_with_units().await?;
    let program = actor.programs.program_now(program_id).await?;
    let decider = crate::views::coordinating_agency_of(actor.programs, program_id).await?;
    actor.require(Action::DecideChangeRequest, &decider, &directory)?;
    if bytes.is_empty() {
        return Err(Error::field(
            "file",
            actor.t("Cần chọn tệp văn bản.", "Choose the document's file."),
        ));
    }
    let name = file_name.to_owned();
    let parse_directory = Arc::clone(&directory);
    // File parsing is CPU work: keep it off the async runtime.
    let imported = tokio::task::spawn_blocking(move || {
        dongbo_import::import(&bytes, &name, dongbo_import::Format::Auto, &parse_directory)
    })
    .await
    .map_err(|e| Error::Internal(format!("reading the file: {e}")))?
    .map_err(|e| Error::field("file", e.to_string()))?;
    let mut imported = imported;
    // A corrected draft that leaves the number blank, or a table that gives none, is re-imported
    // into this program: the page says which document it is, so the number is the program's.
    if imported.program.document.number.is_none()
        && let Some(own) = &program.number
    {
        imported
            .set_number(own)
            .map_err(|e| Error::field("file", e.to_string()))?;
    }
    let number = imported.program.document.number.clone();
    if number != program.number {
        let shown = |n: &Option<String>| n.clone().unwrap_or_else(|| "—".to_owned());
        let (file, own) = (shown(&number), shown(&program.number));
        return Err(Error::field(
            "file",
            format!(
                "{} {file}, {} {own} {}",
                actor.t("Tệp là văn bản số", "The file is document"),
                actor.t("không phải văn bản số", "not document"),
                actor.t("của chương trình này.", "of this program."),
            ),
        ));
    }
    Ok(Checked {
        source: SourceInfo {
            file_name: file_name.to_owned(),
            format: imported.format.to_string(),
            sha256: imported.sha256.clone(),
        },
        program: imported.program,
        directory,
    })
}

/// What re-importing the file would do to program `program_id`, without writing: the diff
/// (approved changes kept) and every conflict with an approved change request.
pub async fn preview_reimport(
    actor: &Actor<'_>,
    program_id: i64,
    bytes: Vec<u8>,
    file_name: &str,
) -> Result<Preview> {
    let checked = checked(actor, program_id, bytes, file_name).await?;
    programs::preview(
        &actor.programs.db,
        &checked.program,
        &checked.source.sha256,
        &FileWins::Never,
    )
    .await?
    .filter(|p| p.program_id == program_id)
    .ok_or(Error::NotFound)
}

/// Re-imports the file into program `program_id`: every approved change is kept but the
/// conflicts named in `take_file` (their [`Conflict::key`]s), which take the file's value and
/// are audited.
pub async fn reimport(
    actor: &Actor<'_>,
    program_id: i64,
    bytes: Vec<u8>,
    file_name: &str,
    take_file: BTreeSet<String>,
) -> Result<Saved> {
    let checked = checked(actor, program_id, bytes, file_name).await?;
    let saved = programs::reimport_with_assignments(
        &actor.programs.db,
        &checked.program,
        &checked.source,
        Assigning::new(&checked.directory),
        &FileWins::For(take_file),
        actor.username(),
    )
    .await?;
    if saved.program_id() != program_id {
        return Err(Error::Internal(format!(
            "the file of program {program_id} was saved as program {}",
            saved.program_id()
        )));
    }
    Ok(saved)
}
