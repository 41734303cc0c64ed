//! Bulk writes for large generated or migrated datasets (`dongbo gen`): units, units' plan
//! assignments, progress reports with their versions, the dashboard facts they give and
//! indicator values, written as multi-row `INSERT`s inside one large write transaction per
//! batch, on both backends through the same `Any` conventions as every other write.
//!
//! The rows are the ones the one-at-a-time paths would have written ([`crate::reports`],
//! [`crate::plans::assign_unit`], [`crate::indicators::record_value`]); what those paths
//! derive on every write is derived here once per batch:
//! - the dashboard facts (`assignment_progress`) are given by the caller, computed from the
//!   same reports with the same rules (latest accepted progress, the day it reached 100, the
//!   cascade's roll-up), and [`Bulk::stamp_program`] raises each program's dashboard version
//!   once and stamps its facts with it, as the per-write bumps would have ended;
//! - the audit log gets one entry per batch ([`Bulk::audit`]) saying what was generated,
//!   instead of one per report: the chain still verifies;
//! - on PostgreSQL the identity sequences of the tables given explicit ids are moved past
//!   the largest id before the batch commits, so later ordinary inserts do not collide.
//!
//! A batch is all or nothing: dropped without [`Bulk::commit`], it rolls back.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use dongbo_domain::Role;
use dongbo_domain::assignment::Origin;
use dongbo_domain::clock;
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::assignments::{self, Made};
use crate::codec::{col, date_text};
use crate::reports::ReportStatus;
use crate::{Backend, Context, Db, Result};

/// At most this many bound values in one PostgreSQL statement (its limit is 65,535).
const MAX_PARAMETERS: usize = 30_000;
/// At most this many in one SQLite statement, far under its limit (32,766): sqlx binds each
/// value by its name, which SQLite finds by walking the statement's list of names, so binding
/// n values costs n²/2 steps. With 30,000 that walk was 88% of generating a dataset.
const MAX_PARAMETERS_SQLITE: usize = 999;
/// At most this many rows in one statement, whatever its width: a longer `VALUES` list costs
/// more to parse than it saves in round trips.
const MAX_ROWS: usize = 1_000;

/// A column value as the `Any` driver carries it alike on both backends.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

/// The tables a bulk batch gives explicit ids to, whose PostgreSQL identities must move on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IdTable {
    ProgressReports,
    IndicatorValues,
}

impl IdTable {
    fn name(self) -> &'static str {
        match self {
            IdTable::ProgressReports => "progress_reports",
            IdTable::IndicatorValues => "indicator_values",
        }
    }
}

/// Một đơn vị — a unit to create under an agency (see [`crate::plans::create_unit`]); `code`
/// is already the stored one ("HN/SO-GDDT").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    pub code: String,
    pub agency_code: String,
    pub name_vi: String,
    pub name_en: String,
    pub created_at: DateTime<Utc>,
}

/// One version of a report, as [`crate::reports`] writes it on a save, a submission or a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReportVersion {
    /// "save", "submit", "return", "accept" or "reopen".
    pub action: &'static str,
    pub results: String,
    pub progress: u8,
    pub difficulties: String,
    pub recommendations: String,
    pub author: String,
    pub saved_at: DateTime<Utc>,
    pub status_after: ReportStatus,
    pub comment: Option<String>,
}

/// A progress report with its whole history; its row is what the history leaves behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    /// From [`Bulk::next_id`]: ids are given by the caller so versions can name them.
    pub id: i64,
    pub assignment_id: i64,
    /// The period's code ("2025-Y", "2024-Q3") or "once".
    pub period: String,
    pub versions: Vec<NewReportVersion>,
}

/// The dashboard facts of one assignment (`assignment_progress`), as the report writes
/// would have left them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProgress {
    pub assignment_id: i64,
    /// The assignment's program.
    pub program_id: i64,
    pub progress: u8,
    pub started: bool,
    pub done_on: Option<NaiveDate>,
    pub rolled_progress: Option<u8>,
    pub updated_at: DateTime<Utc>,
}

/// One recorded indicator value (see [`crate::indicators::record_value`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewIndicatorValue {
    pub id: i64,
    pub indicator_id: i64,
    pub agency_code: String,
    pub period: String,
    pub value_number: f64,
    pub source: String,
    pub note: String,
    pub author: String,
    pub recorded_at: DateTime<Utc>,
}

/// One bulk batch: a write transaction and what it must settle before committing.
#[derive(Debug)]
pub struct Bulk {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    doing: String,
    ids_given: BTreeSet<IdTable>,
    rows: u64,
}

/// Starts a bulk batch (one write transaction); `doing` names it in errors.
pub async fn begin(db: &Db, doing: &str) -> Result<Bulk> {
    Ok(Bulk {
        tx: db.begin_write(doing).await?,
        backend: db.backend(),
        doing: doing.to_owned(),
        ids_given: BTreeSet::new(),
        rows: 0,
    })
}

/// The stored form of a time: RFC 3339 in UTC to the second, like `codec::now`.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Bulk {
    /// Rows inserted so far in this batch.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The first free id of `table`: one past the largest, 1 when it is empty.
    pub async fn next_id(&mut self, table: IdTable) -> Result<i64> {
        let sql = format!(
            "SELECT COALESCE(MAX(id), 0) + 1 AS next FROM {}",
            table.name()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .fetch_one(&mut *self.tx)
            .await
            .context(|| format!("{}: the next id of {}", self.doing, table.name()))?;
        col(&row, "next", &self.doing)
    }

    /// Creates units under their agencies.
    pub async fn units(&mut self, units: &[NewUnit]) -> Result<()> {
        let rows = units.iter().map(|u| {
            vec![
                Value::Text(Some(u.code.clone())),
                Value::Text(Some(u.agency_code.clone())),
                Value::Text(Some(dongbo_domain::text::nfc(&u.name_vi))),
                Value::Text(Some(dongbo_domain::text::nfc(&u.name_en))),
                Value::Text(Some(stamp(u.created_at))),
            ]
        });
        self.insert(
            "units",
            &["code", "agency_code", "name_vi", "name_en", "created_at"],
            rows,
        )
        .await?;
        let added = i64::try_from(units.len()).unwrap_or(i64::MAX);
        crate::dashboard::count(&mut self.tx, crate::dashboard::UNITS, added).await
    }

    /// Hands tasks of the plan `plan_id` to units (`(task id, unit code)`), each with the
    /// plan agency's due date: the rows [`crate::plans::assign_unit`] writes, through the same
    /// insert (which also raises the plan's dashboard version).
    pub async fn assign_units(
        &mut self,
        plan_id: i64,
        due_on: Option<NaiveDate>,
        handed: &[(i64, String)],
    ) -> Result<()> {
        let wanted: BTreeMap<(i64, String, Role), Vec<Origin>> = handed
            .iter()
            .map(|(task_id, unit)| {
                let origin = Origin {
                    role: Role::Lead,
                    via_set: None,
                    original: unit.clone(),
                };
                ((*task_id, unit.clone(), Role::Lead), vec![origin])
            })
            .collect();
        let made = Made {
            manual: true,
            due_on,
        };
        let count =
            assignments::insert_assignments(&mut self.tx, plan_id, wanted, made, &self.doing)
                .await?;
        self.rows += u64::try_from(count).unwrap_or(0);
        Ok(())
    }

    /// Writes reports with every version of their history.
    pub async fn reports(&mut self, reports: &[NewReport]) -> Result<()> {
        self.ids_given.insert(IdTable::ProgressReports);
        let mut rows = Vec::with_capacity(reports.len());
        for report in reports {
            rows.push(report_row(report, &self.doing)?);
        }
        self.insert(
            "progress_reports",
            &[
                "id",
                "assignment_id",
                "period",
                "status",
                "current_version",
                "created_at",
                "updated_at",
                "submitted_at",
                "accepted_at",
                "reviewed_by",
            ],
            rows.into_iter(),
        )
        .await?;
        let versions = reports.iter().flat_map(|report| {
            report.versions.iter().enumerate().map(|(index, v)| {
                vec![
                    Value::Int(Some(report.id)),
                    Value::Int(Some(i64::try_from(index).unwrap_or(i64::MAX) + 1)),
                    Value::Text(Some(v.action.to_owned())),
                    Value::Text(Some(v.results.clone())),
                    Value::Int(Some(i64::from(v.progress.min(100)))),
                    Value::Text(Some(v.difficulties.clone())),
                    Value::Text(Some(v.recommendations.clone())),
                    Value::Text(Some(v.author.clone())),
                    Value::Text(Some(stamp(v.saved_at))),
                    Value::Text(Some(v.status_after.as_str().to_owned())),
                    Value::Text(v.comment.clone()),
                ]
            })
        });
        self.insert(
            "report_versions",
            &[
                "report_id",
                "version",
                "action",
                "results",
                "progress",
                "difficulties",
                "recommendations",
                "author",
                "saved_at",
                "status_after",
                "comment",
            ],
            versions,
        )
        .await
    }

    /// Writes the dashboard facts of assignments that had none.
    pub async fn progress(&mut self, facts: &[NewProgress]) -> Result<()> {
        let rows = facts.iter().map(|f| {
            vec![
                Value::Int(Some(f.assignment_id)),
                Value::Int(Some(f.program_id)),
                Value::Int(Some(i64::from(f.progress.min(100)))),
                Value::Int(Some(i64::from(f.started))),
                Value::Text(date_text(f.done_on)),
                Value::Int(f.rolled_progress.map(i64::from)),
                Value::Text(Some(stamp(f.updated_at))),
            ]
        });
        self.insert(
            "assignment_progress",
            &[
                "assignment_id",
                "program_id",
                "progress",
                "started",
                "done_on",
                "rolled_progress",
                "updated_at",
            ],
            rows,
        )
        .await
    }

    /// Writes recorded indicator values (numbers, for the program's own scope).
    pub async fn indicator_values(&mut self, values: &[NewIndicatorValue]) -> Result<()> {
        self.ids_given.insert(IdTable::IndicatorValues);
        let rows = values.iter().map(|v| {
            vec![
                Value::Int(Some(v.id)),
                Value::Int(Some(v.indicator_id)),
                Value::Text(Some(v.agency_code.clone())),
                Value::Text(Some(v.period.clone())),
                Value::Text(Some(String::new())),
                // Rust's shortest round-trip form, as `indicators` stores numbers.
                Value::Text(Some(format!("{}", v.value_number))),
                Value::Text(None),
                Value::Text(None),
                Value::Text(Some(v.source.clone())),
                Value::Text(Some(v.note.clone())),
                Value::Text(Some(v.author.clone())),
                Value::Text(Some(stamp(v.recorded_at))),
            ]
        });
        self.insert(
            "indicator_values",
            &[
                "id",
                "indicator_id",
                "agency_code",
                "period",
                "scope",
                "value_number",
                "value_text",
                "judgement",
                "source",
                "note",
                "author",
                "recorded_at",
            ],
            rows,
        )
        .await
    }

    /// Raises the dashboard version of `program_id` once, as a structural change (servers
    /// read all its facts again), and stamps every fact of the program with it.
    pub async fn stamp_program(&mut self, program_id: i64) -> Result<()> {
        let doing = format!("{}: stamping program {program_id}", self.doing);
        let row = sqlx::query(
            "INSERT INTO program_versions (program_id, version, structure) VALUES ($1, 1, 1) \
             ON CONFLICT (program_id) DO UPDATE SET version = program_versions.version + 1, \
                structure = program_versions.structure + 1 \
             RETURNING version",
        )
        .bind(program_id)
        .fetch_one(&mut *self.tx)
        .await
        .context(|| doing.clone())?;
        crate::dashboard::count(&mut self.tx, crate::dashboard::STRUCTURES, 1).await?;
        let version: i64 = col(&row, "version", &doing)?;
        sqlx::query(
            "UPDATE assignment_progress SET changed_at = $2 \
             WHERE program_id = $1",
        )
        .bind(program_id)
        .bind(version)
        .execute(&mut *self.tx)
        .await
        .context(|| doing.clone())?;
        Ok(())
    }

    /// Appends one entry to the audit log for what this batch wrote (`after`: a summary).
    pub async fn audit(
        &mut self,
        actor: &str,
        action: &str,
        after: serde_json::Value,
    ) -> Result<()> {
        let conn: &mut AnyConnection = &mut self.tx;
        crate::audit::append(
            conn,
            clock::now(),
            &crate::audit::AuditEntry {
                actor: actor.to_owned(),
                action: action.to_owned(),
                entity: "dataset".to_owned(),
                entity_id: "gen".to_owned(),
                before: None,
                after: Some(after),
            },
        )
        .await?;
        Ok(())
    }

    /// Commits the batch, first moving PostgreSQL's identities past the ids it gave.
    pub async fn commit(mut self) -> Result<u64> {
        if self.backend == Backend::Postgres {
            for table in &self.ids_given {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), \
                        (SELECT COALESCE(MAX(id), 1) FROM {0}))",
                    table.name()
                );
                sqlx::query(AssertSqlSafe(sql))
                    .execute(&mut *self.tx)
                    .await
                    .context(|| format!("{}: moving the ids of {} on", self.doing, table.name()))?;
            }
        }
        let doing = self.doing.clone();
        self.tx.commit().await.context(|| doing)?;
        Ok(self.rows)
    }

    /// Inserts `rows` into `table` in multi-row statements of the same size (prepared once
    /// per size on each connection), the last one shorter.
    async fn insert(
        &mut self,
        table: &'static str,
        columns: &[&'static str],
        rows: impl Iterator<Item = Vec<Value>>,
    ) -> Result<()> {
        let max_parameters = match self.backend {
            Backend::Sqlite => MAX_PARAMETERS_SQLITE,
            Backend::Postgres => MAX_PARAMETERS,
        };
        let per_statement = (max_parameters / columns.len()).clamp(1, MAX_ROWS);
        let mut chunk: Vec<Vec<Value>> = Vec::with_capacity(per_statement);
        for row in rows {
            chunk.push(row);
            if chunk.len() == per_statement {
                self.insert_chunk(table, columns, &chunk).await?;
                chunk.clear();
            }
        }
        if !chunk.is_empty() {
            self.insert_chunk(table, columns, &chunk).await?;
        }
        Ok(())
    }

    async fn insert_chunk(
        &mut self,
        table: &'static str,
        columns: &[&'static str],
        chunk: &[Vec<Value>],
    ) -> Result<()> {
        let width = columns.len();
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", crate::tasks::placeholders(i * width + 1, width)))
            .collect();
        // The SQL text is built from fixed table and column names and placeholders only.
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            values.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            for value in row {
                query = match value {
                    Value::Int(v) => query.bind(*v),
                    Value::Text(v) => query.bind(v.clone()),
                };
            }
        }
        query
            .execute(&mut *self.tx)
            .await
            .context(|| format!("{}: writing {} rows of {table}", self.doing, chunk.len()))?;
        self.rows += u64::try_from(chunk.len()).unwrap_or(0);
        Ok(())
    }
}

/// The `progress_reports` row a report's history leaves: its status is the last version's,
/// `submitted_at` the latest submission, `accepted_at` and `reviewed_by` from its review.
fn report_row(report: &NewReport, doing: &str) -> Result<Vec<Value>> {
    let (Some(first), Some(last)) = (report.versions.first(), report.versions.last()) else {
        return Err(crate::StoreError::Invalid(format!(
            "{doing}: report {} has no version",
            report.id
        )));
    };
    let submitted_at = report
        .versions
        .iter()
        .rev()
        .find(|v| v.action == "submit")
        .map(|v| stamp(v.saved_at));
    let accepted_at = (last.status_after == ReportStatus::Accepted).then(|| stamp(last.saved_at));
    let reviewed_by = report
        .versions
        .iter()
        .rev()
        .find(|v| matches!(v.action, "accept" | "return"))
        .map(|v| v.author.clone());
    Ok(vec![
        Value::Int(Some(report.id)),
        Value::Int(Some(report.assignment_id)),
        Value::Text(Some(report.period.clone())),
        Value::Text(Some(last.status_after.as_str().to_owned())),
        Value::Int(Some(
            i64::try_from(report.versions.len()).unwrap_or(i64::MAX),
        )),
        Value::Text(Some(stamp(first.saved_at))),
        Value::Text(Some(stamp(last.saved_at))),
        Value::Text(submitted_at),
        Value::Text(accepted_at),
        Value::Text(reviewed_by),
    ])
}

/// The ids of a program's tasks by code (a plan's tasks, to hand them to units).
pub async fn task_ids(db: &Db, program_id: i64) -> Result<BTreeMap<String, i64>> {
    let doing = format!("reading the task ids of program {program_id}");
    let rows = sqlx::query("SELECT code, id FROM tasks WHERE program_id = $1")
        .bind(program_id)
        .fetch_all(db.pool())
        .await
        .context(|| doing.clone())?;
    rows.iter()
        .map(|row| Ok((col(row, "code", &doing)?, col(row, "id", &doing)?)))
        .collect()
}

/// Whether `dongbo gen` already wrote into this database, all of it or (interrupted) some
/// batches: every batch leaves an audit entry whose action starts with "gen.".
pub async fn generated(db: &Db) -> Result<bool> {
    let doing = "looking for a generated dataset";
    let row = sqlx::query("SELECT seq FROM audit_log WHERE action LIKE 'gen.%' LIMIT 1")
        .fetch_optional(db.pool())
        .await
        .context(|| doing.to_owned())?;
    Ok(row.is_some())
}

/// The audit action of the entry a finished `dongbo gen` writes last.
pub const GENERATED_ACTION: &str = "gen.done";
