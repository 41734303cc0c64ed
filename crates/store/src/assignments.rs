//! Assignments (phân công): one agency's responsibility for one task, kept in step with the
//! program's tasks and the agency directory by [`sync`]. The rules that turn a task's cells
//! into assignments are `dongbo_domain::assignment`'s; this module stores their result.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use dongbo_domain::assignment::{self, Origin, PendingChoice, Role};
use dongbo_domain::clock;
use dongbo_domain::{Directory, Task};
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::AssertSqlSafe;

use crate::codec::{col, date_from_text, date_text, flag, flag_from, now};
use crate::tasks::{load_by_ids, placeholders};
use crate::{Context, Db, Result, StoreError};

/// How many rows one multi-row `INSERT` carries (SQLite allows 32766 parameters).
const ROWS_PER_INSERT: usize = 200;

/// What [`sync`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SyncOutcome {
    /// Assignments created.
    pub created: usize,
    /// Assignments whose origins changed.
    pub updated: usize,
    /// Assignments no longer called for, removed.
    pub removed: usize,
    /// Assignments left as they were.
    pub unchanged: usize,
    /// Open sets still waiting for a person to choose their members.
    pub pending: usize,
}

/// A stored assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub id: i64,
    pub program_id: i64,
    pub task_code: String,
    pub agency_code: String,
    pub role: Role,
    pub origins: Vec<Origin>,
    /// Made by a person (a unit given a plan task, a member chosen for an open set) rather
    /// than called for by the task's cells; [`sync`] keeps it.
    pub manual: bool,
    /// The due date the assigning agency set, when it set one; otherwise the task's.
    pub due_on: Option<NaiveDate>,
}

/// An assignment of an agency, with the task it is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyAssignment {
    pub assignment: Assignment,
    /// The program's document number ("47/NQ-CP"), when it has one.
    pub program_number: Option<String>,
    pub task: Task,
}

/// An open set of a task waiting for its members to be chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredPendingChoice {
    pub id: i64,
    pub task_code: String,
    pub role: Role,
    pub set_code: String,
    /// When its members were chosen; `None` while it waits.
    pub chosen_at: Option<String>,
}

/// Sets the function of the program's work that successions follow (see
/// `dongbo_domain::assignment`); takes effect at the next [`sync`].
pub async fn set_successor_function(db: &Db, program_id: i64, function: &str) -> Result<()> {
    let doing = format!("setting the successor function of program {program_id}");
    let mut tx = db.begin_write(&doing).await?;
    set_successor_function_in(&mut tx, program_id, function, &doing).await?;
    tx.commit().await.context(|| doing.clone())
}

/// [`set_successor_function`] inside the caller's write transaction; returns whether the
/// function changed (nothing is written when it did not).
pub(crate) async fn set_successor_function_in(
    conn: &mut AnyConnection,
    program_id: i64,
    function: &str,
    doing: &str,
) -> Result<bool> {
    let row = sqlx::query("SELECT successor_function FROM programs WHERE id = $1")
        .bind(program_id)
        .fetch_optional(&mut *conn)
        .await
        .context(|| format!("{doing}: the successor function"))?
        .ok_or_else(|| StoreError::NotFound(format!("program {program_id}")))?;
    let stored: String = col(&row, "successor_function", doing)?;
    if stored == function {
        return Ok(false);
    }
    sqlx::query("UPDATE programs SET successor_function = $1 WHERE id = $2")
        .bind(function)
        .bind(program_id)
        .execute(&mut *conn)
        .await
        .context(|| format!("{doing}: setting the successor function"))?;
    // The successors its tasks name changed.
    crate::dashboard::bump_program(conn, program_id).await?;
    Ok(true)
}

/// Brings the assignments of `program_id` in step with its tasks and `directory`: creates
/// those its tasks call for, rewrites the origins of those whose origins changed, and removes
/// those no longer called for; records the open sets waiting for a choice. Sets stand for
/// their members on the document's date (today when the document has none). All or nothing;
/// running it again changes nothing.
///
/// Assignments a person made ([`Assignment::manual`]) are kept.
pub async fn sync(db: &Db, program_id: i64, directory: &Directory) -> Result<SyncOutcome> {
    let doing = format!("assigning the tasks of program {program_id}");
    let mut tx = db.begin_write(&doing).await?;
    let outcome = sync_in(&mut tx, program_id, directory, &doing).await?;
    tx.commit().await.context(|| doing.clone())?;
    tracing::info!(
        program.id = program_id,
        created = outcome.created,
        updated = outcome.updated,
        removed = outcome.removed,
        unchanged = outcome.unchanged,
        pending = outcome.pending,
        "assignments in step with the program"
    );
    Ok(outcome)
}

/// [`sync`] inside the caller's write transaction.
pub(crate) async fn sync_in(
    conn: &mut AnyConnection,
    program_id: i64,
    directory: &Directory,
    doing: &str,
) -> Result<SyncOutcome> {
    let doing = doing.to_owned();

    let row = sqlx::query(
        "SELECT d.issued_on, p.successor_function FROM programs p \
         JOIN documents d ON d.id = p.document_id WHERE p.id = $1",
    )
    .bind(program_id)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.clone())?
    .ok_or_else(|| StoreError::NotFound(format!("program {program_id}")))?;
    let as_of: NaiveDate =
        date_from_text(col(&row, "issued_on", &doing)?, &doing)?.unwrap_or_else(clock::today);
    let function: String = col(&row, "successor_function", &doing)?;

    let task_ids = task_ids(conn, program_id, &doing).await?;
    let ids: Vec<i64> = task_ids.keys().copied().collect();
    let tasks = load_by_ids(conn, &ids, &doing).await?;

    // What the tasks call for, keyed by (task, agency, role).
    let mut wanted: BTreeMap<(i64, String, Role), Vec<Origin>> = BTreeMap::new();
    let mut pending: Vec<(i64, PendingChoice)> = Vec::new();
    for (task_id, task) in &tasks {
        let expansion = assignment::expand(task, directory, as_of, &function);
        for planned in expansion.assignments {
            wanted.insert(
                (*task_id, planned.agency_code, planned.role),
                planned.origins,
            );
        }
        pending.extend(expansion.pending.into_iter().map(|p| (*task_id, p)));
    }

    let existing = load(conn, Key::Program(program_id), &doing).await?;
    let mut outcome = SyncOutcome::default();
    let mut stale: Vec<i64> = Vec::new();
    let mut rewrite: Vec<(i64, Vec<Origin>)> = Vec::new();
    for stored in existing {
        let task_id = task_ids
            .iter()
            .find(|(_, code)| **code == stored.task_code)
            .map(|(id, _)| *id);
        let key = task_id.map(|id| (id, stored.agency_code.clone(), stored.role));
        match key.and_then(|key| wanted.remove(&key)) {
            Some(origins) if origins == stored.origins => outcome.unchanged += 1,
            Some(origins) => rewrite.push((stored.id, origins)),
            None if stored.manual => outcome.unchanged += 1,
            None => stale.push(stored.id),
        }
    }

    for chunk in stale.chunks(ROWS_PER_INSERT) {
        sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM assignments WHERE id IN ({})",
            placeholders(1, chunk.len())
        )))
        .bind_all(chunk)
        .execute(&mut *conn)
        .await
        .context(|| format!("{doing}: removing assignments"))?;
    }
    outcome.removed = stale.len();

    for (id, origins) in &rewrite {
        sqlx::query("DELETE FROM assignment_origins WHERE assignment_id = $1")
            .bind(*id)
            .execute(&mut *conn)
            .await
            .context(|| format!("{doing}: rewriting origins"))?;
        insert_origins(conn, &[(*id, origins)], &doing).await?;
    }
    outcome.updated = rewrite.len();

    let created = insert_assignments(conn, program_id, wanted, Made::default(), &doing).await?;
    outcome.created = created;

    // Open sets: add the newly named, drop those no longer named.
    sqlx::query(
        "DELETE FROM pending_choices WHERE task_id IN \
         (SELECT id FROM tasks WHERE program_id = $1)",
    )
    .bind(program_id)
    .execute(&mut *conn)
    .await
    .context(|| format!("{doing}: open sets"))?;
    for (task_id, choice) in &pending {
        sqlx::query("INSERT INTO pending_choices (task_id, role, set_code) VALUES ($1, $2, $3)")
            .bind(*task_id)
            .bind(choice.role.as_str())
            .bind(&choice.set_code)
            .execute(&mut *conn)
            .await
            .context(|| format!("{doing}: open sets"))?;
    }
    outcome.pending = pending.len();
    crate::dashboard::bump_program(conn, program_id).await?;
    Ok(outcome)
}

/// The assignments of a task, lead first, then by agency code.
pub async fn for_task(db: &Db, program_id: i64, task_code: &str) -> Result<Vec<Assignment>> {
    let doing = format!("reading the assignments of task {task_code} of program {program_id}");
    let mut tx = db.read(&doing).await?;
    // By the task's id: a task page reads its own few assignments, not the program's thousands.
    let task = sqlx::query("SELECT id FROM tasks WHERE program_id = $1 AND code = $2")
        .bind(program_id)
        .bind(task_code)
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.clone())?;
    match task {
        Some(row) => load(&mut tx, Key::Task(col(&row, "id", &doing)?), &doing).await,
        None => Ok(Vec::new()),
    }
}

/// The assignments of every task of a program.
pub async fn for_program(db: &Db, program_id: i64) -> Result<Vec<Assignment>> {
    let doing = format!("reading the assignments of program {program_id}");
    let mut tx = db.read(&doing).await?;
    load(&mut tx, Key::Program(program_id), &doing).await
}

/// [`for_program`] inside the caller's transaction.
pub(crate) async fn for_program_in(
    conn: &mut AnyConnection,
    program_id: i64,
    doing: &str,
) -> Result<Vec<Assignment>> {
    load(conn, Key::Program(program_id), doing).await
}

/// The open sets of a task, with whether their members were chosen.
pub async fn pending_for_task(
    db: &Db,
    program_id: i64,
    task_code: &str,
) -> Result<Vec<StoredPendingChoice>> {
    let doing = format!("reading the open sets of task {task_code} of program {program_id}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT pc.id, pc.role, pc.set_code, pc.chosen_at FROM pending_choices pc \
         JOIN tasks t ON t.id = pc.task_id \
         WHERE t.program_id = $1 AND t.code = $2 ORDER BY pc.id",
    )
    .bind(program_id)
    .bind(task_code)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter()
        .map(|row| {
            Ok(StoredPendingChoice {
                id: col(row, "id", &doing)?,
                task_code: task_code.to_owned(),
                role: role_from(&col::<String>(row, "role", &doing)?, &doing)?,
                set_code: col(row, "set_code", &doing)?,
                chosen_at: col(row, "chosen_at", &doing)?,
            })
        })
        .collect()
}

/// The open sets of every task of a program, by task code, each task's in the order they
/// were named. One statement.
pub async fn pending_for_program(
    db: &Db,
    program_id: i64,
) -> Result<BTreeMap<String, Vec<StoredPendingChoice>>> {
    let doing = format!("reading the open sets of program {program_id}");
    let mut conn = db.read_one(&doing).await?;
    let rows = sqlx::query(
        "SELECT pc.id, t.code, pc.role, pc.set_code, pc.chosen_at FROM pending_choices pc \
         JOIN tasks t ON t.id = pc.task_id WHERE t.program_id = $1 ORDER BY pc.id",
    )
    .bind(program_id)
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.clone())?;
    let mut by_task: BTreeMap<String, Vec<StoredPendingChoice>> = BTreeMap::new();
    for row in &rows {
        let choice = StoredPendingChoice {
            id: col(row, "id", &doing)?,
            task_code: col(row, "code", &doing)?,
            role: role_from(&col::<String>(row, "role", &doing)?, &doing)?,
            set_code: col(row, "set_code", &doing)?,
            chosen_at: col(row, "chosen_at", &doing)?,
        };
        by_task
            .entry(choice.task_code.clone())
            .or_default()
            .push(choice);
    }
    Ok(by_task)
}

/// The program and task code of an open set, by its id.
pub async fn open_set_task(db: &Db, pending_id: i64) -> Result<Option<(i64, String)>> {
    let doing = format!("finding open set {pending_id}");
    let mut tx = db.read(&doing).await?;
    let row = sqlx::query(
        "SELECT t.program_id, t.code FROM pending_choices pc JOIN tasks t ON t.id = pc.task_id \
         WHERE pc.id = $1",
    )
    .bind(pending_id)
    .fetch_optional(&mut *tx)
    .await
    .context(|| doing.clone())?;
    row.map(|row| Ok((col(&row, "program_id", &doing)?, col(&row, "code", &doing)?)))
        .transpose()
}

/// The members a person chose for an open set of a task: each becomes a manual assignment
/// coming through that set, and the set stops waiting. Agencies already assigned in that role keep
/// their assignment and gain the origin.
pub async fn choose(
    db: &Db,
    pending_id: i64,
    agency_codes: &[String],
    directory: &Directory,
) -> Result<usize> {
    let doing = format!("choosing the members of open set {pending_id}");
    if let Some(unknown) = agency_codes.iter().find(|c| directory.agency(c).is_none()) {
        return Err(StoreError::Invalid(format!(
            "unknown agency code {unknown}"
        )));
    }
    let mut tx = db.begin_write(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    let row = sqlx::query(
        "SELECT pc.task_id, pc.role, pc.set_code, t.program_id FROM pending_choices pc \
         JOIN tasks t ON t.id = pc.task_id WHERE pc.id = $1",
    )
    .bind(pending_id)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.clone())?
    .ok_or_else(|| StoreError::NotFound(format!("open set {pending_id}")))?;
    let task_id: i64 = col(&row, "task_id", &doing)?;
    let program_id: i64 = col(&row, "program_id", &doing)?;
    let role = role_from(&col::<String>(&row, "role", &doing)?, &doing)?;
    let set_code: String = col(&row, "set_code", &doing)?;

    let existing = load(conn, Key::Task(task_id), &doing).await?;
    let mut wanted: BTreeMap<(i64, String, Role), Vec<Origin>> = BTreeMap::new();
    for code in agency_codes {
        let origin = Origin {
            role,
            via_set: Some(set_code.clone()),
            original: code.clone(),
        };
        match existing
            .iter()
            .find(|a| &a.agency_code == code && a.role == role)
        {
            Some(stored) if stored.origins.contains(&origin) => {}
            Some(stored) => {
                let mut origins = stored.origins.clone();
                origins.push(origin);
                origins.sort();
                sqlx::query("DELETE FROM assignment_origins WHERE assignment_id = $1")
                    .bind(stored.id)
                    .execute(&mut *conn)
                    .await
                    .context(|| doing.clone())?;
                insert_origins(conn, &[(stored.id, &origins)], &doing).await?;
            }
            None => {
                wanted.insert((task_id, code.clone(), role), vec![origin]);
            }
        }
    }
    let manual = Made {
        manual: true,
        due_on: None,
    };
    let created = insert_assignments(conn, program_id, wanted, manual, &doing).await?;
    sqlx::query("UPDATE pending_choices SET chosen_at = $1 WHERE id = $2")
        .bind(now())
        .bind(pending_id)
        .execute(&mut *conn)
        .await
        .context(|| doing.clone())?;
    // The set stopped waiting and origins may have changed with no assignment added: what
    // servers keep of the program's structure (its assignments, its open sets) is old.
    crate::dashboard::bump_program(conn, program_id).await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(created)
}

/// The assignments of an agency across every program, in program and task order.
pub async fn for_agency(db: &Db, agency_code: &str) -> Result<Vec<AgencyAssignment>> {
    let doing = format!("reading the assignments of agency {agency_code}");
    let mut tx = db.read(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    let rows = sqlx::query(
        "SELECT a.id, a.task_id, d.number FROM assignments a \
         JOIN tasks t ON t.id = a.task_id \
         JOIN programs p ON p.id = a.program_id \
         JOIN documents d ON d.id = p.document_id \
         WHERE a.agency_code = $1 ORDER BY a.program_id, t.position, a.role",
    )
    .bind(agency_code)
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.clone())?;
    let mut order: Vec<(i64, i64, Option<String>)> = Vec::with_capacity(rows.len());
    for row in &rows {
        order.push((
            col(row, "id", &doing)?,
            col(row, "task_id", &doing)?,
            col(row, "number", &doing)?,
        ));
    }
    let mut assignments: HashMap<i64, Assignment> = load(conn, Key::Agency(agency_code), &doing)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let task_ids: Vec<i64> = order.iter().map(|(_, task_id, _)| *task_id).collect();
    let tasks = load_by_ids(conn, &task_ids, &doing).await?;
    Ok(order
        .into_iter()
        .filter_map(|(id, task_id, program_number)| {
            let task = tasks.get(&task_id)?;
            Some(AgencyAssignment {
                assignment: assignments.remove(&id)?,
                program_number,
                task: task.clone(),
            })
        })
        .collect())
}

/// One assignment with its task, by id.
pub async fn get(db: &Db, id: i64) -> Result<Option<AgencyAssignment>> {
    let doing = format!("reading assignment {id}");
    let mut tx = db.read(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    let Some(row) = sqlx::query(
        "SELECT a.task_id, d.number FROM assignments a \
         JOIN programs p ON p.id = a.program_id JOIN documents d ON d.id = p.document_id \
         WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.clone())?
    else {
        return Ok(None);
    };
    let task_id: i64 = col(&row, "task_id", &doing)?;
    let program_number: Option<String> = col(&row, "number", &doing)?;
    let assignment = load(conn, Key::Task(task_id), &doing)
        .await?
        .into_iter()
        .find(|a| a.id == id);
    let mut tasks = load_by_ids(conn, &[task_id], &doing).await?;
    Ok(assignment.and_then(|assignment| {
        Some(AgencyAssignment {
            assignment,
            program_number,
            task: tasks.remove(&task_id)?,
        })
    }))
}

/// Where assignment `id` is: its program, its task's code and where the program stands now
/// (`crate::dashboard::stamp`). One statement.
pub async fn placement(db: &Db, id: i64) -> Result<Option<Placement>> {
    let doing = format!("finding assignment {id}");
    let mut conn = db.read_one(&doing).await?;
    let row = sqlx::query(
        "SELECT a.program_id, t.code, v.version, v.structure \
         FROM assignments a JOIN tasks t ON t.id = a.task_id \
         LEFT JOIN program_versions v ON v.program_id = a.program_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.clone())?;
    row.map(|row| {
        let version: Option<i64> = col(&row, "version", &doing)?;
        let structure: Option<i64> = col(&row, "structure", &doing)?;
        Ok(Placement {
            program_id: col(&row, "program_id", &doing)?,
            task_code: col(&row, "code", &doing)?,
            stamp: crate::dashboard::Stamp {
                version: version.unwrap_or_default(),
                structure: structure.unwrap_or_default(),
            },
        })
    })
    .transpose()
}

/// Where an assignment is ([`placement`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub program_id: i64,
    pub task_code: String,
    /// The program's stamp as it was read with it.
    pub stamp: crate::dashboard::Stamp,
}

/// Task ids of a program with their codes.
async fn task_ids(
    conn: &mut AnyConnection,
    program_id: i64,
    doing: &str,
) -> Result<BTreeMap<i64, String>> {
    let rows = sqlx::query("SELECT id, code FROM tasks WHERE program_id = $1")
        .bind(program_id)
        .fetch_all(&mut *conn)
        .await
        .context(|| format!("{doing}: tasks"))?;
    rows.iter()
        .map(|row| Ok((col(row, "id", doing)?, col(row, "code", doing)?)))
        .collect()
}

/// The assignments matching `key`, each with its
/// origins, ordered by task position, role (lead first) and agency code.
async fn load(conn: &mut AnyConnection, key: Key<'_>, doing: &str) -> Result<Vec<Assignment>> {
    let condition = key.condition();
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT a.id, a.program_id, t.code, a.agency_code, a.role, a.manual, a.due_on \
         FROM assignments a \
         JOIN tasks t ON t.id = a.task_id WHERE {condition} \
         ORDER BY t.position, a.role DESC, a.agency_code"
    )))
    .bind_key(key)
    .fetch_all(&mut *conn)
    .await
    .context(|| format!("{doing}: assignments"))?;
    let origin_rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT o.assignment_id, o.role, o.via_set, o.original FROM assignment_origins o \
         JOIN assignments a ON a.id = o.assignment_id \
         JOIN tasks t ON t.id = a.task_id WHERE {condition} \
         ORDER BY o.assignment_id, o.position"
    )))
    .bind_key(key)
    .fetch_all(&mut *conn)
    .await
    .context(|| format!("{doing}: assignment origins"))?;
    let mut origins: HashMap<i64, Vec<Origin>> = HashMap::new();
    for row in &origin_rows {
        origins
            .entry(col(row, "assignment_id", doing)?)
            .or_default()
            .push(Origin {
                role: role_from(&col::<String>(row, "role", doing)?, doing)?,
                via_set: col(row, "via_set", doing)?,
                original: col(row, "original", doing)?,
            });
    }
    rows.iter()
        .map(|row| {
            let id: i64 = col(row, "id", doing)?;
            Ok(Assignment {
                id,
                program_id: col(row, "program_id", doing)?,
                task_code: col(row, "code", doing)?,
                agency_code: col(row, "agency_code", doing)?,
                role: role_from(&col::<String>(row, "role", doing)?, doing)?,
                origins: origins.remove(&id).unwrap_or_default(),
                manual: flag_from(col(row, "manual", doing)?, doing)?,
                due_on: date_from_text(col(row, "due_on", doing)?, doing)?,
            })
        })
        .collect()
}

/// How the assignments [`insert_assignments`] writes were made.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Made {
    pub manual: bool,
    pub due_on: Option<NaiveDate>,
}

/// Inserts the assignments of `wanted` with their origins; returns how many.
pub(crate) async fn insert_assignments(
    conn: &mut AnyConnection,
    program_id: i64,
    wanted: BTreeMap<(i64, String, Role), Vec<Origin>>,
    made: Made,
    doing: &str,
) -> Result<usize> {
    let created_at = now();
    let wanted: Vec<((i64, String, Role), Vec<Origin>)> = wanted.into_iter().collect();
    for chunk in wanted.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(i * 7 + 1, 7)))
            .collect();
        let mut insert = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO assignments \
             (program_id, task_id, agency_code, role, created_at, manual, due_on) \
             VALUES {} RETURNING id, task_id, agency_code, role",
            values.join(", ")
        )));
        for ((task_id, agency_code, role), _) in chunk {
            insert = insert
                .bind(program_id)
                .bind(*task_id)
                .bind(agency_code.clone())
                .bind(role.as_str())
                .bind(created_at.clone())
                .bind(flag(made.manual))
                .bind(date_text(made.due_on));
        }
        let rows = insert
            .fetch_all(&mut *conn)
            .await
            .context(|| format!("{doing}: adding assignments"))?;
        let mut ids: HashMap<(i64, String, String), i64> = HashMap::new();
        for row in &rows {
            ids.insert(
                (
                    col(row, "task_id", doing)?,
                    col(row, "agency_code", doing)?,
                    col(row, "role", doing)?,
                ),
                col(row, "id", doing)?,
            );
        }
        let mut with_ids: Vec<(i64, &Vec<Origin>)> = Vec::with_capacity(chunk.len());
        for ((task_id, agency_code, role), origins) in chunk {
            let id = ids
                .get(&(*task_id, agency_code.clone(), role.as_str().to_owned()))
                .copied()
                .ok_or_else(|| StoreError::Corrupt {
                    context: doing.to_owned(),
                    message: "an inserted assignment has no id".to_owned(),
                })?;
            with_ids.push((id, origins));
        }
        insert_origins(conn, &with_ids, doing).await?;
    }
    if !wanted.is_empty() {
        crate::dashboard::bump_program(conn, program_id).await?;
    }
    Ok(wanted.len())
}

/// Inserts the origins of each assignment, numbered from 0 in the order given.
async fn insert_origins(
    conn: &mut AnyConnection,
    assignments: &[(i64, &Vec<Origin>)],
    doing: &str,
) -> Result<()> {
    let rows: Vec<(i64, usize, &Origin)> = assignments
        .iter()
        .flat_map(|(id, origins)| {
            origins
                .iter()
                .enumerate()
                .map(move |(position, origin)| (*id, position, origin))
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(i * 5 + 1, 5)))
            .collect();
        let mut insert = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO assignment_origins (assignment_id, position, role, via_set, original) \
             VALUES {}",
            values.join(", ")
        )));
        for (id, position, origin) in chunk {
            insert = insert
                .bind(*id)
                .bind(crate::codec::position(*position))
                .bind(origin.role.as_str())
                .bind(origin.via_set.clone())
                .bind(origin.original.clone());
        }
        insert
            .execute(&mut *conn)
            .await
            .context(|| format!("{doing}: adding assignment origins"))?;
    }
    Ok(())
}

fn role_from(text: &str, doing: &str) -> Result<Role> {
    Role::parse(text).ok_or_else(|| StoreError::Corrupt {
        context: doing.to_owned(),
        message: format!("unknown role {text}"),
    })
}

/// Which assignments [`load`] reads.
#[derive(Clone, Copy)]
enum Key<'a> {
    Program(i64),
    Task(i64),
    Agency(&'a str),
}

impl Key<'_> {
    /// The condition on `assignments a`, with the key as `$1`.
    fn condition(self) -> &'static str {
        match self {
            Key::Program(_) => "a.program_id = $1",
            Key::Task(_) => "a.task_id = $1",
            Key::Agency(_) => "a.agency_code = $1",
        }
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binding helpers for the queries of this module.
trait Bind<'q> {
    fn bind_all(self, ids: &'q [i64]) -> Self;
    fn bind_key(self, key: Key<'q>) -> Self;
}

impl<'q> Bind<'q> for AnyQuery<'q> {
    fn bind_all(self, ids: &'q [i64]) -> Self {
        ids.iter().fold(self, |query, id| query.bind(*id))
    }

    fn bind_key(self, key: Key<'q>) -> Self {
        match key {
            Key::Program(id) | Key::Task(id) => self.bind(id),
            Key::Agency(code) => self.bind(code),
        }
    }
}
