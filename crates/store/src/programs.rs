//! Stored programs: saving an imported program (created, unchanged or updated) together with
//! its assignments, all or nothing in one transaction; listing them, reading one back whole,
//! and the diff a re-import would make. A re-import keeps what approved change requests
//! decided unless the importer takes the file's value (`reimport`).

use std::collections::HashMap;

use chrono::NaiveDate;
use dongbo_domain::{Directory, DocumentKind, DocumentMeta, ImportedProgram, TaskGroup};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::assignments::{self, SyncOutcome};
use crate::codec::{
    col, date_from_text, date_text, enum_from_text, enum_text, list_from_json, list_json, now,
    position,
};
use crate::diff::{self, ProgramDiff};
use crate::reimport::{self, Conflict, FileWins, Settled};
use crate::tasks::{self, cells_order, task_columns};
use crate::{Context, Db, Result};

/// Where an imported program came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceInfo {
    pub file_name: String,
    /// The importer's name for the format ("markdown", "xlsx"…).
    pub format: String,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// What [`save_with_assignments`] did to the program itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SaveOutcome {
    /// A new program.
    Created { program_id: i64 },
    /// The program was already stored with the same content: nothing of it was written.
    Unchanged { program_id: i64 },
    /// The stored program was brought up to date; `diff` says what changed.
    Updated { program_id: i64, diff: ProgramDiff },
}

impl SaveOutcome {
    pub fn program_id(&self) -> i64 {
        match self {
            SaveOutcome::Created { program_id }
            | SaveOutcome::Unchanged { program_id }
            | SaveOutcome::Updated { program_id, .. } => *program_id,
        }
    }
}

/// One line of the list of programs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgramSummary {
    pub id: i64,
    pub number: Option<String>,
    pub kind: DocumentKind,
    pub title: String,
    pub issued_on: Option<NaiveDate>,
    /// Code of the issuing agency.
    pub issuer: Option<String>,
    pub group_count: i64,
    pub task_count: i64,
}

/// A program as stored, with its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredProgram {
    pub id: i64,
    pub program: ImportedProgram,
}

/// How [`save_with_assignments`] assigns the tasks of the program it saves.
#[derive(Debug, Clone, Copy)]
pub struct Assigning<'a> {
    /// The agency directory the tasks' cells are expanded against.
    pub directory: &'a Directory,
    /// The function of the program's work that successions follow
    /// (`dongbo_domain::assignment`), set before its tasks are assigned; `None` keeps the one
    /// stored (every function, `*`, for a new program).
    pub successor_function: Option<&'a str>,
}

impl<'a> Assigning<'a> {
    /// Assigning against `directory`, keeping the program's successor function.
    pub fn new(directory: &'a Directory) -> Self {
        Assigning {
            directory,
            successor_function: None,
        }
    }

    /// The same, setting the program's successor function to `function` first.
    pub fn with_successor_function(self, function: &'a str) -> Self {
        Assigning {
            successor_function: Some(function),
            ..self
        }
    }
}

/// What [`save_with_assignments`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Saved {
    /// What happened to the program itself.
    pub program: SaveOutcome,
    /// What bringing its assignments in step changed.
    pub assignments: SyncOutcome,
    /// Where the file disagreed with approved change requests, and how each was settled.
    pub conflicts: Vec<Conflict>,
}

/// What re-importing a program would do, without writing: see [`preview`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    pub program_id: i64,
    /// From the stored program to the one that would be saved (approved changes kept).
    pub diff: ProgramDiff,
    pub conflicts: Vec<Conflict>,
}

impl Saved {
    pub fn program_id(&self) -> i64 {
        self.program.program_id()
    }
}

/// Stores `program` and brings its assignments in step with its tasks and
/// `assigning.directory` ([`assignments::sync`]), in ONE transaction: a program is never
/// stored without its assignments, so a failure (or a crash) on the way leaves nothing behind
/// and importing the same file again brings it all in.
///
/// A program is the same as a stored one when its document number is the same, or — for a
/// document without a number — when the file's SHA-256 is. The same program with the same
/// content is [`SaveOutcome::Unchanged`]; with other content it is updated in place, keeping
/// the ids of tasks whose code remains (later records refer to them), and the diff is
/// returned. An unchanged program still has its assignments brought in step, which repairs a
/// program stored without them by an older version (that saved the two in two transactions);
/// when that changes nothing, nothing is written.
///
/// A re-import never undoes an approved change request silently: where the file disagrees
/// with one (`reimport::reconcile`), the approved change is kept and the conflict is returned
/// in [`Saved::conflicts`]; [`reimport_with_assignments`] lets the importer take the file's
/// value instead.
pub async fn save_with_assignments(
    db: &Db,
    program: &ImportedProgram,
    source: &SourceInfo,
    assigning: Assigning<'_>,
) -> Result<Saved> {
    reimport_with_assignments(db, program, source, assigning, &FileWins::Never, "system").await
}

/// [`save_with_assignments`], where the conflicts `file_wins` names take the file's value
/// over the approved change request's; each such override is appended to the audit log as
/// `program.reimport_override` by `actor`, in the same transaction.
pub async fn reimport_with_assignments(
    db: &Db,
    program: &ImportedProgram,
    source: &SourceInfo,
    assigning: Assigning<'_>,
    file_wins: &FileWins,
    actor: &str,
) -> Result<Saved> {
    let doing = format!("saving program {} with its assignments", label(program));
    let mut tx = db.begin_write(&doing).await?;
    let (outcome, conflicts) = save_in(&mut tx, program, source, file_wins, actor, &doing).await?;
    let program_id = outcome.program_id();
    let function_changed = match assigning.successor_function {
        Some(function) => {
            assignments::set_successor_function_in(&mut tx, program_id, function, &doing).await?
        }
        None => false,
    };
    let assigned = assignments::sync_in(&mut tx, program_id, assigning.directory, &doing).await?;
    let saved = Saved {
        program: outcome,
        assignments: assigned,
        conflicts,
    };
    let changed_assignments = assigned.created + assigned.updated + assigned.removed > 0;
    if matches!(saved.program, SaveOutcome::Unchanged { .. })
        && !function_changed
        && !changed_assignments
    {
        // Dropping the transaction rolls it back: nothing was written (the sync rewrote the
        // open sets and stamps as they were; rolling back keeps them untouched).
        return Ok(saved);
    }
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    tracing::info!(
        program.id = program_id,
        program.number = program.document.number.as_deref().unwrap_or_default(),
        task.count = program.tasks.len(),
        outcome = outcome_name(&saved.program),
        assignments.created = assigned.created,
        assignments.updated = assigned.updated,
        assignments.removed = assigned.removed,
        assignments.unchanged = assigned.unchanged,
        assignments.pending = assigned.pending,
        conflicts.kept = saved
            .conflicts
            .iter()
            .filter(|c| c.settled == Settled::KeptDecision)
            .count(),
        conflicts.overridden = saved
            .conflicts
            .iter()
            .filter(|c| c.settled == Settled::TookFile)
            .count(),
        "program saved with its assignments"
    );
    Ok(saved)
}

/// The program part of [`reimport_with_assignments`], inside its transaction: writes nothing
/// for an unchanged program.
async fn save_in(
    conn: &mut AnyConnection,
    program: &ImportedProgram,
    source: &SourceInfo,
    file_wins: &FileWins,
    actor: &str,
    doing: &str,
) -> Result<(SaveOutcome, Vec<Conflict>)> {
    let existing = match &program.document.number {
        Some(number) => find_by_number_in(conn, number, doing).await?,
        None => find_unnumbered_by_sha256(conn, &source.sha256, doing).await?,
    };
    let (outcome, conflicts) = match existing {
        None => {
            let program_id = insert(conn, program, source, doing).await?;
            (SaveOutcome::Created { program_id }, Vec::new())
        }
        Some(program_id) => {
            lock_program(conn, program_id, doing).await?;
            let (stored, merged, conflicts) =
                reconciled(conn, program_id, program, file_wins, doing).await?;
            if stored == merged {
                return Ok((SaveOutcome::Unchanged { program_id }, conflicts));
            }
            let diff = diff::compute(&stored, &merged);
            update(conn, program_id, &stored, &merged, source, doing).await?;
            audit_overrides(conn, program_id, &conflicts, source, actor).await?;
            (SaveOutcome::Updated { program_id, diff }, conflicts)
        }
    };
    // Created or changed: what its pages and dashboard show changed.
    crate::dashboard::bump_program(conn, outcome.program_id()).await?;
    Ok((outcome, conflicts))
}

/// Holds the program's row until the transaction ends, so that a re-import and an approval of
/// its change requests never interleave: on PostgreSQL a writer reads what the other
/// committed, not a version from before it (a re-import would otherwise compute its conflicts
/// without a decision that then lands under it, or overwrite it). SQLite's `BEGIN IMMEDIATE`
/// already lets one writer at a time. `NO KEY UPDATE`: rows that refer to the program (a new
/// change request, a report) are not held up by it.
pub(crate) async fn lock_program(
    conn: &mut AnyConnection,
    program_id: i64,
    doing: &str,
) -> Result<()> {
    if crate::on_postgres(conn) {
        sqlx::query("SELECT id FROM programs WHERE id = $1 FOR NO KEY UPDATE")
            .bind(program_id)
            .fetch_optional(&mut *conn)
            .await
            .context(|| format!("{doing}: locking program {program_id}"))?;
    }
    Ok(())
}

/// The stored program `program_id`, the program to save in its place when `program` is
/// imported over it, and their conflicts with its approved changes.
async fn reconciled(
    conn: &mut AnyConnection,
    program_id: i64,
    program: &ImportedProgram,
    file_wins: &FileWins,
    doing: &str,
) -> Result<(ImportedProgram, ImportedProgram, Vec<Conflict>)> {
    let stored =
        load(conn, program_id, doing)
            .await?
            .ok_or_else(|| crate::StoreError::Corrupt {
                context: doing.to_owned(),
                message: format!("program {program_id} vanished inside its transaction"),
            })?;
    let decided = reimport::approved_history(conn, program_id, doing).await?;
    let (merged, conflicts) = reimport::reconcile(&stored, &decided, program, file_wins);
    Ok((stored, merged, conflicts))
}

/// One audit entry per conflict settled with the file's value: which task, field and decision
/// the re-import overrode, and with what.
async fn audit_overrides(
    conn: &mut AnyConnection,
    program_id: i64,
    conflicts: &[Conflict],
    source: &SourceInfo,
    actor: &str,
) -> Result<()> {
    for conflict in conflicts.iter().filter(|c| c.settled == Settled::TookFile) {
        crate::audit::append(
            conn,
            dongbo_domain::clock::now(),
            &crate::audit::AuditEntry {
                actor: actor.to_owned(),
                action: "program.reimport_override".to_owned(),
                entity: "program".to_owned(),
                entity_id: program_id.to_string(),
                before: Some(serde_json::json!({
                    "task_code": conflict.task_code,
                    "field": conflict.field,
                    "value": conflict.decided,
                    "change_request_id": conflict.change_request_id,
                    "kind": conflict.kind.as_str(),
                    "decided_at": conflict.decided_at,
                    "decided_by": conflict.decided_by,
                    "decision_note": conflict.decision_note,
                })),
                after: Some(serde_json::json!({
                    "task_code": conflict.task_code,
                    "field": conflict.field,
                    "value": conflict.file,
                    "source_file": source.file_name,
                    "source_sha256": source.sha256,
                })),
            },
        )
        .await?;
        tracing::info!(
            program.id = program_id,
            task.code = %conflict.task_code,
            change_request.id = conflict.change_request_id,
            field = %conflict.field,
            "re-import took the file's value over an approved change"
        );
    }
    Ok(())
}

fn outcome_name(outcome: &SaveOutcome) -> &'static str {
    match outcome {
        SaveOutcome::Created { .. } => "created",
        SaveOutcome::Unchanged { .. } => "unchanged",
        SaveOutcome::Updated { .. } => "updated",
    }
}

/// The stored program with the same document number as `program`, and what saving `program`
/// would change in it (empty when nothing; approved changes kept), without writing. `None`
/// when no program has that number, or `program` has no number.
pub async fn diff_against_stored(
    db: &Db,
    program: &ImportedProgram,
) -> Result<Option<(i64, ProgramDiff)>> {
    if program.document.number.is_none() {
        return Ok(None);
    }
    Ok(preview(db, program, "", &FileWins::Never)
        .await?
        .map(|p| (p.program_id, p.diff)))
}

/// What re-importing `program` (from a file whose SHA-256 is `sha256`) would do, without
/// writing: the stored program it would update (matched as [`save_with_assignments`] matches
/// it), the diff and the conflicts with approved change requests, settled as `file_wins` says.
/// `None` when it would be a new program.
pub async fn preview(
    db: &Db,
    program: &ImportedProgram,
    sha256: &str,
    file_wins: &FileWins,
) -> Result<Option<Preview>> {
    let doing = format!("comparing program {} with the stored one", label(program));
    let mut tx = db.read(&doing).await?;
    let existing = match &program.document.number {
        Some(number) => find_by_number_in(&mut tx, number, &doing).await?,
        None => find_unnumbered_by_sha256(&mut tx, sha256, &doing).await?,
    };
    let Some(program_id) = existing else {
        return Ok(None);
    };
    let (stored, merged, conflicts) =
        reconciled(&mut tx, program_id, program, file_wins, &doing).await?;
    Ok(Some(Preview {
        program_id,
        diff: diff::compute(&stored, &merged),
        conflicts,
    }))
}

/// Every program, in the order they were first stored.
pub async fn list(db: &Db) -> Result<Vec<ProgramSummary>> {
    let doing = "listing programs";
    let mut tx = db.read(doing).await?;
    let rows = sqlx::query(
        "SELECT p.id, d.number, d.kind, p.title, d.issued_on, d.issuer, \
            (SELECT COUNT(*) FROM task_groups g WHERE g.program_id = p.id) AS group_count, \
            (SELECT COUNT(*) FROM tasks t WHERE t.program_id = p.id) AS task_count \
         FROM programs p JOIN documents d ON d.id = p.document_id \
         ORDER BY p.id",
    )
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.to_owned())?;
    rows.iter()
        .map(|row| {
            let kind: String = col(row, "kind", doing)?;
            Ok(ProgramSummary {
                id: col(row, "id", doing)?,
                number: col(row, "number", doing)?,
                kind: enum_from_text(&kind, doing)?,
                title: col(row, "title", doing)?,
                issued_on: date_from_text(col(row, "issued_on", doing)?, doing)?,
                issuer: col(row, "issuer", doing)?,
                group_count: col(row, "group_count", doing)?,
                task_count: col(row, "task_count", doing)?,
            })
        })
        .collect()
}

/// The program with id `id`, groups and tasks in document order.
pub async fn get(db: &Db, id: i64) -> Result<Option<StoredProgram>> {
    let doing = format!("reading program {id}");
    let mut tx = db.read(&doing).await?;
    Ok(load(&mut tx, id, &doing)
        .await?
        .map(|program| StoredProgram { id, program }))
}

/// The id of the program whose document is numbered `number` ("47/NQ-CP").
pub async fn find_by_number(db: &Db, number: &str) -> Result<Option<i64>> {
    let doing = format!("finding program {number}");
    let mut tx = db.read(&doing).await?;
    find_by_number_in(&mut tx, number, &doing).await
}

fn label(program: &ImportedProgram) -> String {
    match &program.document.number {
        Some(number) => number.clone(),
        None => format!("«{}»", program.document.title),
    }
}

async fn find_by_number_in(
    conn: &mut AnyConnection,
    number: &str,
    doing: &str,
) -> Result<Option<i64>> {
    let number = dongbo_domain::text::nfc(number.trim());
    let row = sqlx::query(
        "SELECT p.id FROM programs p JOIN documents d ON d.id = p.document_id WHERE d.number = $1",
    )
    .bind(&number)
    .fetch_optional(&mut *conn)
    .await
    .context(|| format!("{doing}: looking up the number"))?;
    row.map(|row| col(&row, "id", doing)).transpose()
}

async fn find_unnumbered_by_sha256(
    conn: &mut AnyConnection,
    sha256: &str,
    doing: &str,
) -> Result<Option<i64>> {
    let row = sqlx::query(
        "SELECT p.id FROM programs p JOIN documents d ON d.id = p.document_id \
         WHERE d.number IS NULL AND d.source_sha256 = $1 ORDER BY p.id LIMIT 1",
    )
    .bind(sha256)
    .fetch_optional(&mut *conn)
    .await
    .context(|| format!("{doing}: looking up the file's SHA-256"))?;
    row.map(|row| col(&row, "id", doing)).transpose()
}

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    program: &ImportedProgram,
    source: &SourceInfo,
    doing: &str,
) -> Result<i64> {
    let document = &program.document;
    let row = sqlx::query(
        "INSERT INTO documents (number, kind, issued_on, issuer, issuer_text, signer, title, \
            language, implements, source_file, source_format, source_sha256, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(&document.number)
    .bind(enum_text(&document.kind))
    .bind(date_text(document.issued_on))
    .bind(&document.issuer)
    .bind(&document.issuer_text)
    .bind(&document.signer)
    .bind(&document.title)
    .bind(&document.language)
    .bind(list_json(&document.implements))
    .bind(&source.file_name)
    .bind(&source.format)
    .bind(&source.sha256)
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .context(|| format!("{doing}: storing the document"))?;
    let document_id: i64 = col(&row, "id", doing)?;

    let row = sqlx::query(
        "INSERT INTO programs (document_id, title, parent_program_id, warnings) \
         VALUES ($1, $2, NULL, $3) RETURNING id",
    )
    .bind(document_id)
    .bind(&document.title)
    .bind(list_json(&program.warnings))
    .fetch_one(&mut *conn)
    .await
    .context(|| format!("{doing}: storing the program"))?;
    let program_id: i64 = col(&row, "id", doing)?;

    insert_groups(conn, program_id, &program.groups, doing).await?;
    for (index, task) in program.tasks.iter().enumerate() {
        tasks::insert(conn, program_id, index, task, doing).await?;
    }
    Ok(program_id)
}

async fn insert_groups(
    conn: &mut AnyConnection,
    program_id: i64,
    groups: &[TaskGroup],
    doing: &str,
) -> Result<()> {
    for (index, group) in groups.iter().enumerate() {
        sqlx::query(
            "INSERT INTO task_groups (program_id, code, title, position) VALUES ($1, $2, $3, $4)",
        )
        .bind(program_id)
        .bind(&group.code)
        .bind(&group.title)
        .bind(position(index))
        .execute(&mut *conn)
        .await
        .context(|| format!("{doing}: group {}", group.code))?;
    }
    Ok(())
}

/// Brings the stored program `program_id` (whose content is `stored`) to `program`.
async fn update(
    conn: &mut AnyConnection,
    program_id: i64,
    stored: &ImportedProgram,
    program: &ImportedProgram,
    source: &SourceInfo,
    doing: &str,
) -> Result<()> {
    let document = &program.document;
    sqlx::query(
        "UPDATE documents SET number = $2, kind = $3, issued_on = $4, issuer = $5, \
            issuer_text = $6, signer = $7, title = $8, language = $9, implements = $10, \
            source_file = $11, source_format = $12, source_sha256 = $13, imported_at = $14 \
         WHERE id = (SELECT document_id FROM programs WHERE id = $1)",
    )
    .bind(program_id)
    .bind(&document.number)
    .bind(enum_text(&document.kind))
    .bind(date_text(document.issued_on))
    .bind(&document.issuer)
    .bind(&document.issuer_text)
    .bind(&document.signer)
    .bind(&document.title)
    .bind(&document.language)
    .bind(list_json(&document.implements))
    .bind(&source.file_name)
    .bind(&source.format)
    .bind(&source.sha256)
    .bind(now())
    .execute(&mut *conn)
    .await
    .context(|| format!("{doing}: updating the document"))?;
    sqlx::query("UPDATE programs SET title = $2, warnings = $3 WHERE id = $1")
        .bind(program_id)
        .bind(&document.title)
        .bind(list_json(&program.warnings))
        .execute(&mut *conn)
        .await
        .context(|| format!("{doing}: updating the program"))?;

    // Groups carry no ids anything refers to: replace them.
    sqlx::query("DELETE FROM task_groups WHERE program_id = $1")
        .bind(program_id)
        .execute(&mut *conn)
        .await
        .context(|| format!("{doing}: replacing the groups"))?;
    insert_groups(conn, program_id, &program.groups, doing).await?;

    // Tasks keep their ids by code.
    let mut stored_ids: HashMap<String, (i64, usize)> = HashMap::new();
    for row in sqlx::query("SELECT id, code, position FROM tasks WHERE program_id = $1")
        .bind(program_id)
        .fetch_all(&mut *conn)
        .await
        .context(|| format!("{doing}: reading the stored task ids"))?
    {
        let id: i64 = col(&row, "id", doing)?;
        let index: i64 = col(&row, "position", doing)?;
        stored_ids.insert(
            col(&row, "code", doing)?,
            (id, usize::try_from(index).unwrap_or(usize::MAX)),
        );
    }
    let kept: std::collections::HashSet<&str> =
        program.tasks.iter().map(|t| t.code.as_str()).collect();
    for (code, (id, _)) in &stored_ids {
        if !kept.contains(code.as_str()) {
            sqlx::query("DELETE FROM tasks WHERE id = $1")
                .bind(*id)
                .execute(&mut *conn)
                .await
                .context(|| format!("{doing}: removing task {code}"))?;
        }
    }
    for (index, task) in program.tasks.iter().enumerate() {
        // `remove`: a code that appears twice in `program` is inserted the second time, and
        // the unique constraint on (program, code) refuses it.
        match stored_ids.remove(&task.code) {
            Some((id, old_index)) => {
                let unchanged = old_index == index && stored.tasks.get(index) == Some(task);
                if !unchanged {
                    tasks::update(conn, id, index, task, doing).await?;
                }
            }
            None => {
                tasks::insert(conn, program_id, index, task, doing).await?;
            }
        }
    }
    Ok(())
}

/// The stored program `id`, read with `conn` (inside the caller's transaction).
pub(crate) async fn load(
    conn: &mut AnyConnection,
    id: i64,
    doing: &str,
) -> Result<Option<ImportedProgram>> {
    let Some(row) = sqlx::query(
        "SELECT d.number, d.kind, d.issued_on, d.issuer, d.issuer_text, d.signer, d.title, \
            d.language, d.implements, p.warnings \
         FROM programs p JOIN documents d ON d.id = p.document_id WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .context(|| format!("{doing}: the document"))?
    else {
        return Ok(None);
    };
    let kind: String = col(&row, "kind", doing)?;
    let implements: String = col(&row, "implements", doing)?;
    let warnings: String = col(&row, "warnings", doing)?;
    let document = DocumentMeta {
        number: col(&row, "number", doing)?,
        kind: enum_from_text(&kind, doing)?,
        issued_on: date_from_text(col(&row, "issued_on", doing)?, doing)?,
        issuer: col(&row, "issuer", doing)?,
        issuer_text: col(&row, "issuer_text", doing)?,
        signer: col(&row, "signer", doing)?,
        title: col(&row, "title", doing)?,
        implements: list_from_json(&implements, doing)?,
        language: col(&row, "language", doing)?,
    };

    let groups =
        sqlx::query("SELECT code, title FROM task_groups WHERE program_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut *conn)
            .await
            .context(|| format!("{doing}: the groups"))?
            .iter()
            .map(|row| {
                Ok(TaskGroup {
                    code: col(row, "code", doing)?,
                    title: col(row, "title", doing)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;

    let cell_rows = sqlx::query(concat!(
        "SELECT ta.task_id, ta.role, ta.target, ta.code_or_text \
         FROM task_agencies ta JOIN tasks t ON t.id = ta.task_id WHERE t.program_id = $1",
        cells_order!()
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .context(|| format!("{doing}: the task agencies"))?;
    let mut cells = tasks::gather_cells(&cell_rows, doing)?;
    let tasks = sqlx::query(concat!(
        "SELECT ",
        task_columns!(),
        " FROM tasks t WHERE t.program_id = $1 ORDER BY t.position"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .context(|| format!("{doing}: the tasks"))?
    .iter()
    .map(|row| tasks::task_from_row(row, &mut cells, doing).map(|(_, task)| task))
    .collect::<Result<Vec<_>>>()?;

    Ok(Some(ImportedProgram {
        document,
        groups,
        tasks,
        warnings: list_from_json(&warnings, doing)?,
    }))
}
