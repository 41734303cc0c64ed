//! The facts dashboards are computed from (`dongbo_domain::dashboard`): one per assignment,
//! its due date and the progress its reports give. Report writes keep them up to date with
//! [`record_submitted`] and [`record_accepted`] inside their own transactions.

use chrono::NaiveDate;
use dongbo_domain::dashboard::Fact;
use dongbo_domain::{Recurrence, Role};
use sqlx::AnyConnection;

use crate::codec::{col, date_from_text, date_text, enum_from_text, flag, flag_from, now};
use crate::{Context, Db, Result, StoreError};

/// The facts of every assignment of a program, in task order (lead first).
pub async fn facts(db: &Db, program_id: i64) -> Result<Vec<Fact>> {
    let doing = format!("reading the dashboard facts of program {program_id}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT a.agency_code, a.role, a.due_on AS assigned_due, t.code, t.group_code, \
            t.due_on AS task_due, t.start_on, t.recurrence, d.issued_on, \
            COALESCE(p.progress, 0) AS progress, COALESCE(p.started, 0) AS started, \
            p.done_on \
         FROM assignments a \
         JOIN tasks t ON t.id = a.task_id \
         JOIN programs g ON g.id = a.program_id \
         JOIN documents d ON d.id = g.document_id \
         LEFT JOIN assignment_progress p ON p.assignment_id = a.id \
         WHERE a.program_id = $1 \
         ORDER BY t.position, a.role DESC, a.agency_code",
    )
    .bind(program_id)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter()
        .map(|row| {
            let role: String = col(row, "role", &doing)?;
            let recurrence: Recurrence =
                enum_from_text(&col::<String>(row, "recurrence", &doing)?, &doing)?;
            let assigned = date_from_text(col(row, "assigned_due", &doing)?, &doing)?;
            let task_due = date_from_text(col(row, "task_due", &doing)?, &doing)?;
            let start = date_from_text(col(row, "start_on", &doing)?, &doing)?
                .or(date_from_text(col(row, "issued_on", &doing)?, &doing)?);
            let progress: i64 = col(row, "progress", &doing)?;
            Ok(Fact {
                agency_code: col(row, "agency_code", &doing)?,
                role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt {
                    context: doing.clone(),
                    message: format!("unknown role {role}"),
                })?,
                task_code: col(row, "code", &doing)?,
                group_code: col(row, "group_code", &doing)?,
                due: assigned.or(task_due),
                recurring: recurrence != Recurrence::None,
                start,
                progress: u8::try_from(progress.clamp(0, 100)).unwrap_or(0),
                started: flag_from(col(row, "started", &doing)?, &doing)?,
                done_on: date_from_text(col(row, "done_on", &doing)?, &doing)?,
            })
        })
        .collect()
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

async fn upsert(
    conn: &mut AnyConnection,
    assignment_id: i64,
    accepted: Option<(u8, NaiveDate)>,
    doing: &str,
) -> Result<()> {
    let existing =
        sqlx::query("SELECT progress, done_on FROM assignment_progress WHERE assignment_id = $1")
            .bind(assignment_id)
            .fetch_optional(&mut *conn)
            .await
            .context(|| doing.to_owned())?;
    let (progress, done_on) = match (accepted, &existing) {
        (Some((progress, on)), _) => {
            let progress = progress.min(100);
            let done_on = if progress >= 100 {
                // Done on the first day it reached 100; a re-acceptance keeps that day.
                let before = existing
                    .as_ref()
                    .map(|row| date_from_text(col(row, "done_on", doing)?, doing))
                    .transpose()?
                    .flatten();
                Some(before.unwrap_or(on))
            } else {
                None
            };
            (i64::from(progress), done_on)
        }
        (None, Some(row)) => (
            col::<i64>(row, "progress", doing)?,
            date_from_text(col(row, "done_on", doing)?, doing)?,
        ),
        (None, None) => (0, None),
    };
    let statement = if existing.is_some() {
        "UPDATE assignment_progress SET progress = $2, started = $3, done_on = $4, \
            updated_at = $5 WHERE assignment_id = $1"
    } else {
        "INSERT INTO assignment_progress (assignment_id, progress, started, done_on, updated_at) \
         VALUES ($1, $2, $3, $4, $5)"
    };
    sqlx::query(statement)
        .bind(assignment_id)
        .bind(progress)
        .bind(flag(true))
        .bind(date_text(done_on))
        .bind(now())
        .execute(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    Ok(())
}
