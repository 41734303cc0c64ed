//! The facts dashboards are computed from (`dongbo_domain::dashboard`): one per assignment,
//! its due date and the progress its reports give. Report writes keep them up to date with
//! `record_sent_and_audit` (a report submitted or returned; [`record_submitted`] without
//! the audit entry), [`record_accepted`] and [`record_reopened`] inside their own
//! transactions.
//!
//! # Roll-up along the cascade
//!
//! An agency's plan task carries out a parent task (`task_links`). Whenever a report of a
//! plan task's assignment is accepted or reopened, the progress of every plan task carrying
//! out the same parent task is rolled up with the parent program's rule
//! (`dongbo_domain::rollup`: weighted by `task_links.weight`, or the plain average) into the
//! agency's assignment on the parent task (`rolled_progress`), and on up if that task is
//! itself a plan task. A plan task's progress is the furthest of its assignments' (the
//! agency's own report, or a unit's).
//!
//! An assignment's **effective progress** is a person's override when there is one
//! ([`set_manual`], with who and why, shown beside it), else the further of its own accepted
//! report and its rolled-up progress. Only the assignment's own accepted report at 100% marks
//! it done: plan tasks all done bring it to 100%, and the agency still reports to close it.

use chrono::NaiveDate;
use dongbo_domain::clock;
use dongbo_domain::dashboard::Fact;
use dongbo_domain::{Recurrence, Role};
use sqlx::AnyConnection;

use crate::codec::{col, date_from_text, date_text, enum_from_text, flag, flag_from, now};
use crate::{Context, Db, Result, StoreError};

/// The facts of every assignment of a program, in task order (lead first).
pub async fn facts(db: &Db, program_id: i64) -> Result<Vec<Fact>> {
    let doing = format!("reading the dashboard facts of program {program_id}");
    let mut tx = db.read(&doing).await?;
    let rows = read_facts(&mut tx, program_id, None, &doing).await?;
    Ok(rows.into_iter().map(|(_, fact)| fact).collect())
}

/// The facts of a program's assignments as `(assignment id, fact)`, in task order; only those
/// whose figures changed after version `since` when it is given.
async fn read_facts(
    conn: &mut AnyConnection,
    program_id: i64,
    since: Option<i64>,
    doing: &str,
) -> Result<Vec<(i64, Fact)>> {
    let changed = if since.is_some() {
        "AND p.program_id = $1 AND p.changed_at > $2 "
    } else {
        ""
    };
    let sql = format!(
        "SELECT a.id, a.agency_code, a.role, a.due_on AS assigned_due, t.code, t.group_code, \
            t.due_on AS task_due, t.start_on, t.recurrence, d.issued_on, \
            COALESCE(p.progress, 0) AS progress, COALESCE(p.started, 0) AS started, \
            p.done_on, p.rolled_progress, p.manual_progress \
         FROM assignments a \
         JOIN tasks t ON t.id = a.task_id \
         JOIN programs g ON g.id = a.program_id \
         JOIN documents d ON d.id = g.document_id \
         LEFT JOIN assignment_progress p ON p.assignment_id = a.id \
         WHERE a.program_id = $1 {changed}\
         ORDER BY t.position, a.role DESC, a.agency_code"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(program_id);
    if let Some(since) = since {
        query = query.bind(since);
    }
    let rows = query
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    rows.iter()
        .map(|row| {
            let role: String = col(row, "role", doing)?;
            let recurrence: Recurrence =
                enum_from_text(&col::<String>(row, "recurrence", doing)?, doing)?;
            let assigned = date_from_text(col(row, "assigned_due", doing)?, doing)?;
            let task_due = date_from_text(col(row, "task_due", doing)?, doing)?;
            let start = date_from_text(col(row, "start_on", doing)?, doing)?
                .or(date_from_text(col(row, "issued_on", doing)?, doing)?);
            let own: i64 = col(row, "progress", doing)?;
            let rolled: Option<i64> = col(row, "rolled_progress", doing)?;
            let manual: Option<i64> = col(row, "manual_progress", doing)?;
            let progress = effective(own, rolled, manual);
            let fact = Fact {
                agency_code: col(row, "agency_code", doing)?,
                role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt {
                    context: doing.to_owned(),
                    message: format!("unknown role {role}"),
                })?,
                task_code: col(row, "code", doing)?,
                group_code: col(row, "group_code", doing)?,
                due: assigned.or(task_due),
                recurring: recurrence != Recurrence::None,
                start,
                progress: u8::try_from(progress.clamp(0, 100)).unwrap_or(0),
                started: flag_from(col(row, "started", doing)?, doing)?,
                done_on: date_from_text(col(row, "done_on", doing)?, doing)?,
            };
            Ok((col(row, "id", doing)?, fact))
        })
        .collect()
}

/// The program's dashboard version: it changes in the same transaction as every write that
/// changes what the dashboard shows, so facts read at one version stay right until it moves.
pub async fn version(db: &Db, program_id: i64) -> Result<i64> {
    Ok(stamp(db, program_id).await?.version)
}

/// Where a program's dashboard stands. `version` moves in the same transaction as every write
/// that changes what its pages or dashboard show; `structure` only when its program, tasks,
/// assignments or reporting regimes change (an import, a change request, a plan, an
/// assignment's date, a regime set or removed), so what is read from those alone stays right
/// while `structure` holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stamp {
    pub version: i64,
    pub structure: i64,
}

/// How many times any program's structure changed: it rises with any change to any program's
/// text, assignments or regimes (each raises its program's structure counter and this one in
/// the same transaction), so what is read from all programs' structure alone (an agency's
/// tasks across programs, the program list) stays right while it holds. One row read by key.
pub async fn structures(db: &Db) -> Result<i64> {
    counter(db, STRUCTURES).await
}

/// The `counters` row that [`structures`] reads.
pub(crate) const STRUCTURES: &str = "structures";
/// The `counters` row that counts units.
pub(crate) const UNITS: &str = "units";

/// The value of the counter `name`. One statement.
pub(crate) async fn counter(db: &Db, name: &str) -> Result<i64> {
    let doing = format!("reading the counter of {name}");
    let mut conn = db.read_one(&doing).await?;
    let row = sqlx::query("SELECT value FROM counters WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.clone())?;
    row.map_or(Ok(0), |row| col(&row, "value", &doing))
}

/// Adds `by` to the counter `name`, in the caller's transaction.
pub(crate) async fn count(conn: &mut AnyConnection, name: &str, by: i64) -> Result<()> {
    sqlx::query("UPDATE counters SET value = value + $2 WHERE name = $1")
        .bind(name)
        .bind(by)
        .execute(&mut *conn)
        .await
        .context(|| format!("raising the counter of {name}"))?;
    Ok(())
}

/// The program's [`Stamp`] now.
pub async fn stamp(db: &Db, program_id: i64) -> Result<Stamp> {
    let doing = format!("reading the dashboard version of program {program_id}");
    let mut conn = db.read_one(&doing).await?;
    stamp_in(&mut conn, program_id, &doing).await
}

async fn stamp_in(conn: &mut AnyConnection, program_id: i64, doing: &str) -> Result<Stamp> {
    let row = sqlx::query("SELECT version, structure FROM program_versions WHERE program_id = $1")
        .bind(program_id)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    match row {
        Some(row) => Ok(Stamp {
            version: col(&row, "version", doing)?,
            structure: col(&row, "structure", doing)?,
        }),
        None => Ok(Stamp::default()),
    }
}

/// A program's dashboard facts as of one [`version`], for a server to keep in memory and
/// bring up to date with [`Snapshot::refresh`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Snapshot {
    program_id: i64,
    version: i64,
    /// The version's `structure` counter: while it holds, the program has the same
    /// assignments in the same order, and only figures move.
    structure: i64,
    facts: std::sync::Arc<Vec<Fact>>,
    /// Where each assignment's fact is in `facts`.
    positions: std::sync::Arc<std::collections::HashMap<i64, usize>>,
}

impl Snapshot {
    /// Reads every fact of a program.
    pub async fn read(db: &Db, program_id: i64) -> Result<Snapshot> {
        Self::read_after(db, program_id, None).await
    }

    /// This program's facts as of now: `self` when nothing changed, else `self` with only the
    /// facts whose figures changed since read again, else (assignments were added, removed or
    /// re-timed) every fact read again. Reads the version and the facts in one snapshot of the
    /// database, so the result is exactly the data of the version it carries.
    pub async fn refresh(&self, db: &Db) -> Result<Snapshot> {
        Self::read_after(db, self.program_id, Some(self)).await
    }

    async fn read_after(db: &Db, program_id: i64, old: Option<&Snapshot>) -> Result<Snapshot> {
        let doing = format!("reading the dashboard facts of program {program_id}");
        let mut tx = db.read(&doing).await?;
        let Stamp { version, structure } = stamp_in(&mut tx, program_id, &doing).await?;
        match old {
            Some(old) if old.version == version => return Ok(old.clone()),
            Some(old) if old.structure == structure => {
                let changed = read_facts(&mut tx, program_id, Some(old.version), &doing).await?;
                let mut facts = Vec::clone(&old.facts);
                for (id, fact) in changed {
                    let Some(&at) = old.positions.get(&id) else {
                        return Err(StoreError::Corrupt {
                            context: doing,
                            message: format!(
                                "assignment {id} changed without its structure version moving"
                            ),
                        });
                    };
                    facts[at] = fact;
                }
                return Ok(Snapshot {
                    version,
                    facts: std::sync::Arc::new(facts),
                    ..old.clone()
                });
            }
            _ => {}
        }
        let rows = read_facts(&mut tx, program_id, None, &doing).await?;
        let positions = rows
            .iter()
            .enumerate()
            .map(|(at, (id, _))| (*id, at))
            .collect();
        Ok(Snapshot {
            program_id,
            version,
            structure,
            facts: std::sync::Arc::new(rows.into_iter().map(|(_, fact)| fact).collect()),
            positions: std::sync::Arc::new(positions),
        })
    }

    pub fn version(&self) -> i64 {
        self.version
    }

    pub fn facts(&self) -> &std::sync::Arc<Vec<Fact>> {
        &self.facts
    }
}

/// Rows a server keeps per assignment of a program — the reports its dashboard reads for a
/// period — as of one [`Stamp`], brought up to date like [`Snapshot`]: every report write
/// that changes what they hold (a submission, a return, an acceptance, a reopening) stamps its
/// assignment's figures with the new version, so after the version moves only the rows of the
/// assignments stamped since are read again. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PerAssignment<T> {
    stamp: Stamp,
    by_assignment: std::sync::Arc<std::collections::BTreeMap<i64, Vec<T>>>,
    /// Every row, by assignment id.
    rows: std::sync::Arc<Vec<T>>,
}

impl<T: Clone> PerAssignment<T> {
    /// The stamp of the program these rows are exactly the data of.
    pub fn stamp(&self) -> Stamp {
        self.stamp
    }

    /// Every row, by assignment id.
    pub fn rows(&self) -> &[T] {
        &self.rows
    }

    fn new(stamp: Stamp, by_assignment: std::collections::BTreeMap<i64, Vec<T>>) -> Self {
        let rows = by_assignment.values().flatten().cloned().collect();
        PerAssignment {
            stamp,
            by_assignment: std::sync::Arc::new(by_assignment),
            rows: std::sync::Arc::new(rows),
        }
    }
}

/// Groups `(assignment id, row)` pairs by assignment.
fn grouped<T>(
    rows: Vec<(i64, T)>,
    mut into: std::collections::BTreeMap<i64, Vec<T>>,
) -> std::collections::BTreeMap<i64, Vec<T>> {
    for (assignment, row) in rows {
        into.entry(assignment).or_default().push(row);
    }
    into
}

/// The rows `read` gives for program `program_id` as of now: `kept` when the program's version
/// has not moved, else `kept` with the rows of the assignments stamped since read again (`read`
/// is given `Some(kept version)` and must return only those), else (the structure moved, or
/// nothing is kept) every row read again (`read` is given `None`). The stamp and the rows are
/// read in one snapshot of the database.
pub(crate) async fn per_assignment<T: Clone>(
    db: &Db,
    program_id: i64,
    kept: Option<&PerAssignment<T>>,
    doing: &str,
    read: impl AsyncFnOnce(&mut AnyConnection, Option<i64>) -> Result<Vec<(i64, T)>>,
) -> Result<PerAssignment<T>> {
    let mut tx = db.read(doing).await?;
    let stamp = stamp_in(&mut tx, program_id, doing).await?;
    match kept {
        Some(kept) if kept.stamp == stamp => Ok(kept.clone()),
        Some(kept) if kept.stamp.structure == stamp.structure => {
            let since = kept.stamp.version;
            let changed = sqlx::query(
                "SELECT assignment_id FROM assignment_progress \
                 WHERE program_id = $1 AND changed_at > $2",
            )
            .bind(program_id)
            .bind(since)
            .fetch_all(&mut *tx)
            .await
            .context(|| doing.to_owned())?;
            let mut by_assignment = std::collections::BTreeMap::clone(&kept.by_assignment);
            for row in &changed {
                by_assignment.remove(&col::<i64>(row, "assignment_id", doing)?);
            }
            let rows = read(&mut tx, Some(since)).await?;
            Ok(PerAssignment::new(stamp, grouped(rows, by_assignment)))
        }
        _ => {
            let rows = read(&mut tx, None).await?;
            Ok(PerAssignment::new(stamp, grouped(rows, Default::default())))
        }
    }
}

/// The SQL condition narrowing a program's reports (`r`) to the assignments of the program
/// bound as `$program` stamped after a version bound as `$since` (see [`per_assignment`]): the
/// few rows the index on `(program_id, changed_at)` finds, then their reports by key.
pub(crate) fn stamped_after(program: usize, since: usize) -> String {
    format!(
        "r.assignment_id IN (SELECT assignment_id FROM assignment_progress \
         WHERE program_id = ${program} AND changed_at > ${since})"
    )
}

/// Raises the dashboard version and the structure of a program whose assignments were added,
/// removed or re-timed, or whose reporting regimes changed: servers read all its facts, its
/// text and its regimes again (see [`Snapshot`]).
pub(crate) async fn bump_program(conn: &mut AnyConnection, program_id: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO program_versions (program_id, version, structure) VALUES ($1, 1, 1) \
         ON CONFLICT (program_id) DO UPDATE SET version = program_versions.version + 1, \
            structure = program_versions.structure + 1",
    )
    .bind(program_id)
    .execute(&mut *conn)
    .await
    .context(|| format!("raising the dashboard version of program {program_id}"))?;
    count(conn, STRUCTURES, 1).await
}

/// Raises the dashboard version of a program after a write that changes what its pages show
/// but no assignment's figures and not its structure (its indicators and their values):
/// servers compute again what they keep per version, and read no fact again.
pub(crate) async fn bump_version(conn: &mut AnyConnection, program_id: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO program_versions (program_id, version, structure) VALUES ($1, 1, 0) \
         ON CONFLICT (program_id) DO UPDATE SET version = program_versions.version + 1",
    )
    .bind(program_id)
    .execute(&mut *conn)
    .await
    .context(|| format!("raising the dashboard version of program {program_id}"))?;
    Ok(())
}

/// Raises the program's version for assignment `$1` (the row lock this takes on PostgreSQL,
/// and the write lock on SQLite, orders the program's writers, so versions are stamped in
/// commit order); no row when there is no such assignment. (`WHERE` before `ON CONFLICT` keeps
/// SQLite from reading the upsert as a join.)
const BUMP: &str = "INSERT INTO program_versions (program_id, version, structure) \
     SELECT program_id, 1, 0 FROM assignments WHERE id = $1 \
     ON CONFLICT (program_id) DO UPDATE SET version = program_versions.version + 1 \
     RETURNING version";

/// [`BUMP`] and the assignment stamped with the new version, for the assignment in parameter
/// `id` (`$1`, or [`crate::audit::PRECEDING_ID`]), as `WITH` queries for PostgreSQL, the last
/// named `stamped` (see [`crate::audit::Preceding`]).
fn stamp_ctes(id: &str) -> String {
    format!(
        "bumped AS ({}), stamped AS (UPDATE assignment_progress SET changed_at = bumped.version \
         FROM bumped WHERE assignment_id = {id} RETURNING 1)",
        BUMP.replace("$1", id)
    )
}

/// Raises the dashboard version of the program of an assignment whose figures changed, and
/// stamps its figures with the new version (see [`Snapshot::refresh`]). Every write to
/// `assignment_progress` ends with this call, or with [`record_sent_and_audit`], which does
/// the same.
async fn bump_for(conn: &mut AnyConnection, assignment_id: i64) -> Result<()> {
    let doing = format!("raising the dashboard version for assignment {assignment_id}");
    if crate::on_postgres(conn) {
        // One round trip while holding the program's row, which every writer of the program
        // waits for: the assignment is stamped in the same statement.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "WITH {} SELECT count(*) FROM stamped",
            stamp_ctes("$1")
        )))
        .bind(assignment_id)
        .fetch_one(&mut *conn)
        .await
        .context(|| doing.clone())?;
        return Ok(());
    }
    let row = sqlx::query(BUMP)
        .bind(assignment_id)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.clone())?;
    let Some(row) = row else { return Ok(()) };
    let version: i64 = col(&row, "version", &doing)?;
    sqlx::query("UPDATE assignment_progress SET changed_at = $2 WHERE assignment_id = $1")
        .bind(assignment_id)
        .bind(version)
        .execute(&mut *conn)
        .await
        .context(|| doing.clone())?;
    Ok(())
}

/// A report of the assignment was sent (`submitted`) or returned: raises the program's
/// version, stamps the assignment, then appends `entry` to the audit log, on PostgreSQL in
/// one statement (the program's row and the audit head, which every writer waits for, are
/// held for one round trip fewer). A sent report's figures row is held first.
pub(crate) async fn record_sent_and_audit(
    conn: &mut AnyConnection,
    assignment_id: i64,
    submitted: bool,
    entry: &crate::audit::AuditEntry,
) -> Result<()> {
    if submitted {
        let doing = format!("recording a submitted report of assignment {assignment_id}");
        hold(conn, assignment_id, &doing).await?;
    }
    let preceding = if crate::on_postgres(conn) {
        Some(crate::audit::Preceding {
            ctes: stamp_ctes(crate::audit::PRECEDING_ID),
            last: "stamped",
            id: assignment_id,
        })
    } else {
        bump_for(conn, assignment_id).await?;
        None
    };
    crate::audit::append_after(conn, clock::now(), entry, preceding).await?;
    Ok(())
}

/// The children of a roll-up from each plan task's `(weight, effective progress)` (the
/// progress clamped to 0–100).
pub(crate) fn rollup_children<'a>(
    tasks: impl Iterator<Item = &'a (u32, i64)>,
) -> Vec<dongbo_domain::rollup::Child> {
    tasks
        .map(|(weight, progress)| dongbo_domain::rollup::Child {
            progress: u8::try_from((*progress).clamp(0, 100)).unwrap_or(0),
            weight: *weight,
        })
        .collect()
}

/// An assignment's effective progress (see the module documentation).
fn effective(own: i64, rolled: Option<i64>, manual: Option<i64>) -> i64 {
    manual.unwrap_or_else(|| own.max(rolled.unwrap_or(0)))
}

/// How an assignment's progress is made up, for the task page.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProgressDetail {
    /// From its own latest accepted report.
    pub own: u8,
    /// Rolled up from the agency's plan tasks, when it has some.
    pub rolled: Option<u8>,
    /// A person's override: progress, by whom, why.
    pub manual: Option<(u8, String, String)>,
    /// What counts.
    pub effective: u8,
}

/// The progress details of the assignments of a task, by assignment id.
pub async fn progress_of_task(
    db: &Db,
    program_id: i64,
    task_code: &str,
) -> Result<std::collections::HashMap<i64, ProgressDetail>> {
    let doing = format!("reading the progress of task {task_code} of program {program_id}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT a.id, p.progress, p.rolled_progress, p.manual_progress, p.manual_by, \
            p.manual_reason FROM assignments a JOIN tasks t ON t.id = a.task_id \
         JOIN assignment_progress p ON p.assignment_id = a.id \
         WHERE t.program_id = $1 AND t.code = $2",
    )
    .bind(program_id)
    .bind(task_code)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    let percent = |v: i64| u8::try_from(v.clamp(0, 100)).unwrap_or(0);
    rows.iter()
        .map(|row| {
            let own: i64 = col(row, "progress", &doing)?;
            let rolled: Option<i64> = col(row, "rolled_progress", &doing)?;
            let manual: Option<i64> = col(row, "manual_progress", &doing)?;
            let by: Option<String> = col(row, "manual_by", &doing)?;
            let reason: Option<String> = col(row, "manual_reason", &doing)?;
            Ok((
                col(row, "id", &doing)?,
                ProgressDetail {
                    own: percent(own),
                    rolled: rolled.map(percent),
                    manual: manual.map(|m| {
                        (
                            percent(m),
                            by.unwrap_or_default(),
                            reason.unwrap_or_default(),
                        )
                    }),
                    effective: percent(effective(own, rolled, manual)),
                },
            ))
        })
        .collect()
}

/// Sets (or, with `None`, clears) a person's override of an assignment's progress, with the
/// reason; audited.
pub async fn set_manual(
    db: &Db,
    assignment_id: i64,
    progress: Option<u8>,
    by: &str,
    reason: &str,
) -> Result<()> {
    let doing = format!("overriding the progress of assignment {assignment_id}");
    let reason = dongbo_domain::text::nfc(reason.trim());
    if progress.is_some_and(|p| p > 100) {
        return Err(StoreError::Invalid("progress must be 0–100".into()));
    }
    if progress.is_some() && reason.is_empty() {
        return Err(StoreError::Invalid(
            "Cần nêu lý do điều chỉnh (a reason is required)".into(),
        ));
    }
    let mut tx = db.begin_write(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    ensure_row(conn, assignment_id, &doing).await?;
    sqlx::query(
        "UPDATE assignment_progress SET manual_progress = $2, manual_by = $3, \
            manual_reason = $4, updated_at = $5 WHERE assignment_id = $1",
    )
    .bind(assignment_id)
    .bind(progress.map(i64::from))
    .bind(progress.map(|_| by.to_owned()))
    .bind(progress.map(|_| reason.clone()))
    .bind(now())
    .execute(&mut *conn)
    .await
    .context(|| doing.clone())?;
    bump_for(conn, assignment_id).await?;
    // An override of a plan task's assignment moves what its parent rolls up to.
    roll_up_from(conn, assignment_id).await?;
    crate::audit::append(
        conn,
        clock::now(),
        &crate::audit::AuditEntry {
            actor: by.to_owned(),
            action: "assignment.override_progress".to_owned(),
            entity: "assignment".to_owned(),
            entity_id: assignment_id.to_string(),
            before: None,
            after: Some(serde_json::json!({"progress": progress, "reason": reason})),
        },
    )
    .await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(())
}

/// Makes sure the assignment has its row of figures.
async fn ensure_row(conn: &mut AnyConnection, assignment_id: i64, doing: &str) -> Result<()> {
    let exists =
        sqlx::query("SELECT assignment_id FROM assignment_progress WHERE assignment_id = $1")
            .bind(assignment_id)
            .fetch_optional(&mut *conn)
            .await
            .context(|| doing.to_owned())?;
    if exists.is_none() {
        let known = sqlx::query("SELECT program_id FROM assignments WHERE id = $1")
            .bind(assignment_id)
            .fetch_optional(&mut *conn)
            .await
            .context(|| doing.to_owned())?;
        let Some(known) = known else {
            return Err(StoreError::NotFound(format!("assignment {assignment_id}")));
        };
        let program_id: i64 = col(&known, "program_id", doing)?;
        sqlx::query(
            "INSERT INTO assignment_progress \
                (assignment_id, program_id, progress, started, updated_at) \
             VALUES ($1, $2, 0, 0, $3)",
        )
        .bind(assignment_id)
        .bind(program_id)
        .bind(now())
        .execute(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    }
    Ok(())
}

/// Rolls the progress of the plan tasks carrying out the same parent task as the task of
/// `assignment_id` up into the agency's assignment on that parent task, and on up the
/// cascade. Does nothing for an assignment that is not on a plan task.
pub(crate) async fn roll_up_from(conn: &mut AnyConnection, assignment_id: i64) -> Result<()> {
    let doing = format!("rolling up progress from assignment {assignment_id}");
    let mut current = assignment_id;
    // A cascade is a few levels deep; the bound keeps bad data from looping.
    for _ in 0..8 {
        let Some(link) = sqlx::query(
            "SELECT l.parent_task_id, a.program_id, pl.agency_code, g.rollup_rule \
             FROM assignments a JOIN task_links l ON l.task_id = a.task_id \
             JOIN plans pl ON pl.program_id = a.program_id \
             JOIN programs g ON g.id = pl.parent_program_id \
             WHERE a.id = $1",
        )
        .bind(current)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.clone())?
        else {
            return Ok(());
        };
        let parent_task: i64 = col(&link, "parent_task_id", &doing)?;
        let plan: i64 = col(&link, "program_id", &doing)?;
        let agency: String = col(&link, "agency_code", &doing)?;
        let rule: dongbo_domain::RollupRule =
            enum_from_text(&col::<String>(&link, "rollup_rule", &doing)?, &doing)?;
        // Each plan task carrying the parent out: the furthest progress of its assignments.
        let rows = sqlx::query(
            "SELECT l.task_id, l.weight, a.id AS assignment_id, COALESCE(p.progress, 0) AS progress, \
                p.rolled_progress, p.manual_progress \
             FROM task_links l JOIN tasks t ON t.id = l.task_id AND t.program_id = $2 \
             JOIN assignments a ON a.task_id = l.task_id \
             LEFT JOIN assignment_progress p ON p.assignment_id = a.id \
             WHERE l.parent_task_id = $1",
        )
        .bind(parent_task)
        .bind(plan)
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.clone())?;
        let mut children: std::collections::BTreeMap<i64, (u32, i64)> = Default::default();
        for row in &rows {
            let task: i64 = col(row, "task_id", &doing)?;
            let weight: i64 = col(row, "weight", &doing)?;
            let own: i64 = col(row, "progress", &doing)?;
            let progress = effective(
                own,
                col(row, "rolled_progress", &doing)?,
                col(row, "manual_progress", &doing)?,
            );
            let entry = children
                .entry(task)
                .or_insert((u32::try_from(weight.max(0)).unwrap_or(0), 0));
            entry.1 = entry.1.max(progress);
        }
        let children = rollup_children(children.values());
        let rolled = dongbo_domain::rollup::roll_up(rule, &children);
        let Some(parent) = sqlx::query(
            "SELECT id FROM assignments WHERE task_id = $1 AND agency_code = $2 \
             ORDER BY role DESC LIMIT 1",
        )
        .bind(parent_task)
        .bind(&agency)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.clone())?
        else {
            return Ok(());
        };
        let parent: i64 = col(&parent, "id", &doing)?;
        ensure_row(conn, parent, &doing).await?;
        sqlx::query(
            "UPDATE assignment_progress SET rolled_progress = $2, updated_at = $3 \
             WHERE assignment_id = $1",
        )
        .bind(parent)
        .bind(rolled.map(i64::from))
        .bind(now())
        .execute(&mut *conn)
        .await
        .context(|| doing.clone())?;
        bump_for(conn, parent).await?;
        current = parent;
    }
    Ok(())
}

/// The ids among `ids` whose own accepted report reached 100%: the work is done.
pub async fn done_assignments(db: &Db, ids: &[i64]) -> Result<std::collections::HashSet<i64>> {
    let doing = "reading which assignments are done";
    let mut tx = db.read(doing).await?;
    let mut done = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT assignment_id FROM assignment_progress WHERE progress >= 100 \
             AND done_on IS NOT NULL AND assignment_id IN ({})",
            crate::tasks::placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query
            .fetch_all(&mut *tx)
            .await
            .context(|| doing.to_owned())?
        {
            done.insert(col::<i64>(&row, "assignment_id", doing)?);
        }
    }
    Ok(done)
}

/// A report of the assignment was submitted: its work has started.
pub async fn record_submitted(conn: &mut AnyConnection, assignment_id: i64) -> Result<()> {
    let doing = format!("recording a submitted report of assignment {assignment_id}");
    upsert(conn, assignment_id, None, &doing).await
}

/// A report of the assignment was accepted on `accepted_on` with `progress`: the figures
/// take its progress, and reaching 100 records the day the work was done (a later report
/// below 100 clears it).
pub async fn record_accepted(
    conn: &mut AnyConnection,
    assignment_id: i64,
    progress: u8,
    accepted_on: NaiveDate,
) -> Result<()> {
    let doing = format!("recording an accepted report of assignment {assignment_id}");
    upsert(conn, assignment_id, Some((progress, accepted_on)), &doing).await
}

/// An accepted report of the assignment was reopened: the figures fall back to the latest
/// report still accepted (`latest`: its progress and acceptance day), or to none.
pub async fn record_reopened(
    conn: &mut AnyConnection,
    assignment_id: i64,
    latest: Option<(u8, NaiveDate)>,
) -> Result<()> {
    let doing = format!("recording a reopened report of assignment {assignment_id}");
    sqlx::query("DELETE FROM assignment_progress WHERE assignment_id = $1")
        .bind(assignment_id)
        .execute(&mut *conn)
        .await
        .context(|| doing.clone())?;
    upsert(conn, assignment_id, latest, &doing).await
}

/// Takes the assignment's figures row for the rest of the transaction, creating it (started)
/// when missing. On PostgreSQL (read committed, writers race) this statement waits for another
/// transaction writing the same assignment, and what is read after it sees what that one
/// committed; reading first and writing after would put back the progress read before the
/// other's acceptance (a lost update the crash harness found: a submission racing an
/// acceptance of the same assignment).
pub(crate) async fn hold(conn: &mut AnyConnection, assignment_id: i64, doing: &str) -> Result<()> {
    // (`WHERE` before `ON CONFLICT` keeps SQLite from reading the upsert as a join.)
    let held = sqlx::query(
        "INSERT INTO assignment_progress \
            (assignment_id, program_id, progress, started, updated_at) \
         SELECT id, program_id, 0, $2, $3 FROM assignments WHERE id = $1 \
         ON CONFLICT (assignment_id) DO UPDATE SET started = $2, updated_at = $3",
    )
    .bind(assignment_id)
    .bind(flag(true))
    .bind(now())
    .execute(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    if held.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("assignment {assignment_id}")));
    }
    Ok(())
}

/// The day the assignment counts as done after a report at 100% accepted on `on`: the day it
/// was done before, as `dongbo_domain::dashboard::done_on` keeps it for the assignment's kind
/// of work. Its figures row exists (held).
async fn done_day(
    conn: &mut AnyConnection,
    assignment_id: i64,
    on: NaiveDate,
    doing: &str,
) -> Result<NaiveDate> {
    let row = sqlx::query(
        "SELECT p.done_on, t.recurrence, a.due_on AS assigned_due, t.due_on AS task_due \
         FROM assignment_progress p JOIN assignments a ON a.id = p.assignment_id \
         JOIN tasks t ON t.id = a.task_id WHERE p.assignment_id = $1",
    )
    .bind(assignment_id)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    let Some(row) = row else {
        return Ok(on);
    };
    let before = date_from_text(col(&row, "done_on", doing)?, doing)?;
    let recurrence: Recurrence = enum_from_text(&col::<String>(&row, "recurrence", doing)?, doing)?;
    let due = date_from_text(col(&row, "assigned_due", doing)?, doing)?
        .or(date_from_text(col(&row, "task_due", doing)?, doing)?);
    let by_year = dongbo_domain::dashboard::judged_by_year(recurrence != Recurrence::None, due);
    Ok(dongbo_domain::dashboard::done_on(before, on, by_year))
}

async fn upsert(
    conn: &mut AnyConnection,
    assignment_id: i64,
    accepted: Option<(u8, NaiveDate)>,
    doing: &str,
) -> Result<()> {
    hold(conn, assignment_id, doing).await?;
    let Some(accepted) = accepted else {
        // A report sent: the row is started (and touched) by holding it; its figures stay.
        return bump_for(conn, assignment_id).await;
    };
    let (progress, on) = accepted;
    let progress = progress.min(100);
    let done_on = if progress >= 100 {
        Some(done_day(conn, assignment_id, on, doing).await?)
    } else {
        None
    };
    let progress = i64::from(progress);
    sqlx::query(
        "UPDATE assignment_progress SET progress = $2, started = $3, done_on = $4, \
            updated_at = $5 WHERE assignment_id = $1",
    )
    .bind(assignment_id)
    .bind(progress)
    .bind(flag(true))
    .bind(date_text(done_on))
    .bind(now())
    .execute(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    bump_for(conn, assignment_id).await
}
