//! Stored tasks: one task by code, the tasks whose lead or coordinating cell names some
//! agencies or sets, and diacritic-insensitive search. Also the row ↔ [`Task`] mapping that
//! [`crate::programs`] writes and reads with.

use std::collections::{HashMap, HashSet};

use dongbo_domain::text::fold;
use dongbo_domain::{Participant, ParticipantKind, Resolution, Task, TimeFrame};
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

use crate::codec::{
    col, date_from_text, date_text, enum_from_text, enum_text, flag, flag_from, position,
};
use crate::{Context, Db, Result};

pub use dongbo_domain::Role;

/// A task found by search, with the program it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskRef {
    pub program_id: i64,
    /// The program's document number ("47/NQ-CP"), when it has one.
    pub program_number: Option<String>,
    pub task: Task,
}

/// A task whose lead or coordinating cell names one of the asked-for codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedTask {
    pub program_id: i64,
    pub program_number: Option<String>,
    pub task: Task,
    /// The cell that names it.
    pub role: Role,
    /// The agency or set code the cell names (one of the codes asked for).
    pub via_code: String,
}

/// The task of `program_id` with code `code`.
pub async fn get(db: &Db, program_id: i64, code: &str) -> Result<Option<Task>> {
    let doing = format!("reading task {code} of program {program_id}");
    let mut tx = db.read(&doing).await?;
    let row = sqlx::query("SELECT id FROM tasks WHERE program_id = $1 AND code = $2")
        .bind(program_id)
        .bind(code)
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.clone())?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = col(&row, "id", &doing)?;
    let mut tasks = load_by_ids(&mut tx, &[id], &doing).await?;
    Ok(tasks.remove(&id))
}

/// Tasks whose lead or coordinating cell names any of `codes` (agency or set codes, as the
/// caller computed what an agency answers for), in program and document order, lead before
/// coordinating. A task naming two of the codes appears once per code and role.
pub async fn naming(db: &Db, codes: &[String]) -> Result<Vec<NamedTask>> {
    let codes: Vec<&String> = {
        let mut seen = HashSet::new();
        codes.iter().filter(|c| seen.insert(*c)).collect()
    };
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let doing = format!("finding the tasks that name {}", join(&codes));
    let mut tx = db.read(&doing).await?;
    let mut hits = Vec::new();
    // Bounded IN lists: SQLite allows 32 766 parameters, PostgreSQL 65 535.
    for chunk in codes.chunks(500) {
        // The SQL text is built from placeholders only; the codes are bound.
        let sql = format!(
            "SELECT ta.task_id, ta.role, ta.code_or_text, t.program_id, d.number, t.position, \
                    CASE ta.role WHEN 'lead' THEN 0 ELSE 1 END AS role_order, \
                    CASE ta.target WHEN 'agency' THEN 0 ELSE 1 END AS target_order, \
                    ta.position AS named_at \
             FROM task_agencies ta \
             JOIN tasks t ON t.id = ta.task_id \
             JOIN programs p ON p.id = t.program_id \
             JOIN documents d ON d.id = p.document_id \
             WHERE ta.target IN ('agency', 'set') AND ta.code_or_text IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for code in chunk {
            query = query.bind(*code);
        }
        for row in query.fetch_all(&mut *tx).await.context(|| doing.clone())? {
            let role: String = col(&row, "role", &doing)?;
            hits.push((
                (
                    col::<i64>(&row, "program_id", &doing)?,
                    col::<i64>(&row, "position", &doing)?,
                    col::<i64>(&row, "role_order", &doing)?,
                    col::<i64>(&row, "target_order", &doing)?,
                    col::<i64>(&row, "named_at", &doing)?,
                ),
                col::<i64>(&row, "task_id", &doing)?,
                col::<Option<String>>(&row, "number", &doing)?,
                enum_from_text::<Role>(&role, &doing)?,
                col::<String>(&row, "code_or_text", &doing)?,
            ));
        }
    }
    hits.sort_by_key(|hit| hit.0);
    let mut seen = HashSet::new();
    hits.retain(|(_, task_id, _, role, via)| seen.insert((*task_id, *role, via.clone())));

    let ids: Vec<i64> = hits.iter().map(|h| h.1).collect();
    let tasks = load_by_ids(&mut tx, &ids, &doing).await?;
    Ok(hits
        .into_iter()
        .filter_map(
            |((program_id, ..), task_id, program_number, role, via_code)| {
                Some(NamedTask {
                    program_id,
                    program_number,
                    task: tasks.get(&task_id)?.clone(),
                    role,
                    via_code,
                })
            },
        )
        .collect())
}

/// Tasks whose code, title, expected output or agency cells contain every word of `query`,
/// ignoring case and diacritics ("thong tin doi ngoai" finds "thông tin đối ngoại"), in
/// program and document order, at most `limit`.
pub async fn search(db: &Db, query: &str, limit: u32) -> Result<Vec<TaskRef>> {
    let folded = fold(query);
    // Ten words are plenty for a task title and keep the statement small.
    let words: Vec<&str> = folded.split_whitespace().take(10).collect();
    if words.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let doing = format!("searching tasks for «{query}»");
    let conditions: Vec<String> = (1..=words.len())
        .map(|i| format!("t.search_text LIKE ${i} ESCAPE '\\'"))
        .collect();
    // The SQL text is built from placeholders only; the words are bound.
    let sql = format!(
        "SELECT t.id, t.program_id, d.number \
         FROM tasks t \
         JOIN programs p ON p.id = t.program_id \
         JOIN documents d ON d.id = p.document_id \
         WHERE {} \
         ORDER BY t.program_id, t.position \
         LIMIT ${}",
        conditions.join(" AND "),
        words.len() + 1
    );
    let mut tx = db.read(&doing).await?;
    let mut statement = sqlx::query(AssertSqlSafe(sql));
    for word in &words {
        statement = statement.bind(format!("%{}%", escape_like(word)));
    }
    let rows = statement
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .context(|| doing.clone())?;
    let mut hits = Vec::with_capacity(rows.len());
    for row in &rows {
        hits.push((
            col::<i64>(row, "id", &doing)?,
            col::<i64>(row, "program_id", &doing)?,
            col::<Option<String>>(row, "number", &doing)?,
        ));
    }
    let ids: Vec<i64> = hits.iter().map(|h| h.0).collect();
    let tasks = load_by_ids(&mut tx, &ids, &doing).await?;
    Ok(hits
        .into_iter()
        .filter_map(|(id, program_id, program_number)| {
            Some(TaskRef {
                program_id,
                program_number,
                task: tasks.get(&id)?.clone(),
            })
        })
        .collect())
}

/// `word` with LIKE's wildcards made literal (the statements say `ESCAPE '\'`).
fn escape_like(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Whether program `program_id` has the task group `group`.
pub(crate) async fn group_exists(
    conn: &mut AnyConnection,
    program_id: i64,
    group: &str,
    doing: &str,
) -> Result<bool> {
    Ok(
        sqlx::query("SELECT code FROM task_groups WHERE program_id = $1 AND code = $2")
            .bind(program_id)
            .bind(group)
            .fetch_optional(&mut *conn)
            .await
            .context(|| doing.to_owned())?
            .is_some(),
    )
}

/// `$first, $first+1, …` for `count` parameters.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn join(codes: &[&String]) -> String {
    codes
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What search matches a task against: its code, title, expected output and agency cells,
/// folded (lower case, no diacritics).
pub(crate) fn search_text(task: &Task) -> String {
    fold(&format!(
        "{} {} {} {} {}",
        task.code,
        task.title,
        task.expected_output.as_deref().unwrap_or_default(),
        task.lead.text,
        task.coordinating.text
    ))
}

/// The columns [`task_from_row`] reads, for `SELECT … FROM tasks t`.
macro_rules! task_columns {
    () => {
        "t.id, t.group_code, t.code, t.title, t.expected_output, t.lead_text, \
         t.coordinating_text, t.time_frame_text, t.time_frame_kind, t.start_on, t.due_on, \
         t.recurrence, t.draft, t.language, t.source"
    };
}
pub(crate) use task_columns;

/// The task columns [`insert`] and [`update`] write, bound as `$1`…`$15` by [`bind_task`].
const WRITTEN_COLUMNS: [&str; 15] = [
    "group_code",
    "title",
    "expected_output",
    "lead_text",
    "coordinating_text",
    "time_frame_text",
    "time_frame_kind",
    "start_on",
    "due_on",
    "recurrence",
    "draft",
    "language",
    "source",
    "position",
    "search_text",
];

/// Binds the values of [`WRITTEN_COLUMNS`] for `task` at `index`, in that order.
fn bind_task<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    index: usize,
    task: &'q Task,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    query
        .bind(&task.group)
        .bind(&task.title)
        .bind(&task.expected_output)
        .bind(&task.lead.text)
        .bind(&task.coordinating.text)
        .bind(&task.time_frame.text)
        .bind(enum_text(&task.time_frame.kind))
        .bind(date_text(task.time_frame.start))
        .bind(date_text(task.time_frame.due))
        .bind(enum_text(&task.time_frame.recurrence))
        .bind(flag(task.draft))
        .bind(&task.language)
        .bind(&task.source)
        .bind(position(index))
        .bind(search_text(task))
}

/// Inserts `task` at `index` of its program with its agency rows; returns its id.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    program_id: i64,
    index: usize,
    task: &Task,
    doing: &str,
) -> Result<i64> {
    let ctx = || format!("{doing}: task {}", task.code);
    let n = WRITTEN_COLUMNS.len();
    let sql = format!(
        "INSERT INTO tasks ({}, program_id, code) VALUES ({}) RETURNING id",
        WRITTEN_COLUMNS.join(", "),
        placeholders(1, n + 2)
    );
    let row = bind_task(sqlx::query(AssertSqlSafe(sql)), index, task)
        .bind(program_id)
        .bind(&task.code)
        .fetch_one(&mut *conn)
        .await
        .context(ctx)?;
    let id: i64 = col(&row, "id", &ctx())?;
    insert_agencies(conn, id, task, doing).await?;
    Ok(id)
}

/// Rewrites the stored task `id` (same program, same code) to `task` at `index`.
pub(crate) async fn update(
    conn: &mut AnyConnection,
    id: i64,
    index: usize,
    task: &Task,
    doing: &str,
) -> Result<()> {
    let ctx = || format!("{doing}: task {}", task.code);
    let assignments: Vec<String> = WRITTEN_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, column)| format!("{column} = ${}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE tasks SET {} WHERE id = ${}",
        assignments.join(", "),
        WRITTEN_COLUMNS.len() + 1
    );
    bind_task(sqlx::query(AssertSqlSafe(sql)), index, task)
        .bind(id)
        .execute(&mut *conn)
        .await
        .context(ctx)?;
    sqlx::query("DELETE FROM task_agencies WHERE task_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .context(ctx)?;
    insert_agencies(conn, id, task, doing).await
}

async fn insert_agencies(
    conn: &mut AnyConnection,
    id: i64,
    task: &Task,
    doing: &str,
) -> Result<()> {
    let ctx = || format!("{doing}: agencies of task {}", task.code);
    for (role, resolution) in [
        (Role::Lead, &task.lead),
        (Role::Coordinating, &task.coordinating),
    ] {
        // A participant is stored as "kind:text": kinds hold no colon, so the first one splits.
        let participants: Vec<String> = resolution
            .participants
            .iter()
            .map(|p| format!("{}:{}", p.kind.as_str(), p.text))
            .collect();
        for (target, values) in [
            ("agency", &resolution.agencies),
            ("set", &resolution.sets),
            ("unresolved", &resolution.unresolved),
            ("participant", &participants),
        ] {
            for (i, value) in values.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO task_agencies (task_id, role, target, position, code_or_text) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(role.as_str())
                .bind(target)
                .bind(position(i))
                .bind(value)
                .execute(&mut *conn)
                .await
                .context(ctx)?;
            }
        }
    }
    Ok(())
}

/// The resolved parts of a task's two cells, gathered from `task_agencies` rows.
#[derive(Default)]
pub(crate) struct Cells {
    lead: Resolution,
    coordinating: Resolution,
}

/// Reads `task_agencies` rows (`task_id, role, target, code_or_text`, ordered by position) into
/// cells per task id.
pub(crate) fn gather_cells(rows: &[AnyRow], doing: &str) -> Result<HashMap<i64, Cells>> {
    let mut cells: HashMap<i64, Cells> = HashMap::new();
    for row in rows {
        let task_id: i64 = col(row, "task_id", doing)?;
        let role: String = col(row, "role", doing)?;
        let target: String = col(row, "target", doing)?;
        let value: String = col(row, "code_or_text", doing)?;
        let entry = cells.entry(task_id).or_default();
        let resolution = match enum_from_text::<Role>(&role, doing)? {
            Role::Lead => &mut entry.lead,
            Role::Coordinating => &mut entry.coordinating,
        };
        match target.as_str() {
            "agency" => resolution.agencies.push(value),
            "set" => resolution.sets.push(value),
            "unresolved" => resolution.unresolved.push(value),
            "participant" => {
                let participant = value
                    .split_once(':')
                    .and_then(|(kind, text)| {
                        Some(Participant {
                            kind: ParticipantKind::parse(kind)?,
                            text: text.to_owned(),
                        })
                    })
                    .ok_or_else(|| crate::StoreError::Corrupt {
                        context: doing.to_owned(),
                        message: format!("task participant «{value}»"),
                    })?;
                resolution.participants.push(participant);
            }
            other => {
                return Err(crate::StoreError::Corrupt {
                    context: doing.to_owned(),
                    message: format!("task agency target «{other}»"),
                });
            }
        }
    }
    Ok(cells)
}

/// The order `gather_cells` needs, for `… FROM task_agencies ta`.
macro_rules! cells_order {
    () => {
        " ORDER BY ta.task_id, ta.role, ta.target, ta.position"
    };
}
pub(crate) use cells_order;

/// A [`Task`] from a row of [`task_columns!`] and its cells; returns the row's id with it.
pub(crate) fn task_from_row(
    row: &AnyRow,
    cells: &mut HashMap<i64, Cells>,
    doing: &str,
) -> Result<(i64, Task)> {
    let id: i64 = col(row, "id", doing)?;
    let code: String = col(row, "code", doing)?;
    let ctx = format!("{doing}: task {code}");
    let Cells {
        mut lead,
        mut coordinating,
    } = cells.remove(&id).unwrap_or_default();
    lead.text = col(row, "lead_text", &ctx)?;
    coordinating.text = col(row, "coordinating_text", &ctx)?;
    let kind: String = col(row, "time_frame_kind", &ctx)?;
    let recurrence: String = col(row, "recurrence", &ctx)?;
    let task = Task {
        group: col(row, "group_code", &ctx)?,
        title: col(row, "title", &ctx)?,
        expected_output: col(row, "expected_output", &ctx)?,
        lead,
        coordinating,
        time_frame: TimeFrame {
            text: col(row, "time_frame_text", &ctx)?,
            kind: enum_from_text(&kind, &ctx)?,
            start: date_from_text(col(row, "start_on", &ctx)?, &ctx)?,
            due: date_from_text(col(row, "due_on", &ctx)?, &ctx)?,
            recurrence: enum_from_text(&recurrence, &ctx)?,
        },
        draft: flag_from(col(row, "draft", &ctx)?, &ctx)?,
        language: col(row, "language", &ctx)?,
        source: col(row, "source", &ctx)?,
        code,
    };
    Ok((id, task))
}

/// The tasks with the given ids, by id.
pub(crate) async fn load_by_ids(
    conn: &mut AnyConnection,
    ids: &[i64],
    doing: &str,
) -> Result<HashMap<i64, Task>> {
    let ids: Vec<i64> = {
        let mut seen = HashSet::new();
        ids.iter().copied().filter(|id| seen.insert(*id)).collect()
    };
    let mut tasks = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let list = placeholders(1, chunk.len());
        let mut cell_query = sqlx::query(AssertSqlSafe(
            format!(
                "SELECT ta.task_id, ta.role, ta.target, ta.code_or_text FROM task_agencies ta \
             WHERE ta.task_id IN ({list})"
            ) + cells_order!(),
        ));
        let mut task_query = sqlx::query(AssertSqlSafe(format!(
            concat!(
                "SELECT ",
                task_columns!(),
                " FROM tasks t WHERE t.id IN ({})"
            ),
            list
        )));
        for id in chunk {
            cell_query = cell_query.bind(*id);
            task_query = task_query.bind(*id);
        }
        let cell_rows = cell_query
            .fetch_all(&mut *conn)
            .await
            .context(|| format!("{doing}: task agencies"))?;
        let mut cells = gather_cells(&cell_rows, doing)?;
        for row in task_query
            .fetch_all(&mut *conn)
            .await
            .context(|| format!("{doing}: tasks"))?
        {
            let (id, task) = task_from_row(&row, &mut cells, doing)?;
            tasks.insert(id, task);
        }
    }
    Ok(tasks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_a_query_are_taken_literally() {
        assert_eq!(escape_like("100%_a\\b"), "100\\%\\_a\\\\b");
    }

    #[test]
    fn placeholders_are_numbered_from_the_first() {
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
    }
}
