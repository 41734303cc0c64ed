//! `dongbo check`: everything the store keeps besides its base rows, recomputed from those rows
//! and compared — so an operator (or a crash test) learns whether the data still holds
//! together, and where it does not.
//!
//! What is derived and stored (everything else is computed on read):
//! - the audit log's hash chain and its head (`audit_head`, see [`crate::audit`]);
//! - a report's `status`, `current_version` and `accepted_at`, which must agree with its
//!   versions (`report_versions` is the history; the report row is its summary);
//! - an assignment's dashboard figures (`assignment_progress`: progress, started, done_on and
//!   the progress rolled up from plan tasks), kept by every report write (see
//!   [`crate::dashboard`]);
//! - the dashboard version counters (`program_versions`) that stamp those figures;
//! - the library's change feed (`library_changes`, numbered from `library_head` without gaps,
//!   each item's last change an upsert: what the search index and syncing instances follow)
//!   and each item's `content_hash`, the SHA-256 of its normalised body;
//! - evidence and generated files, named by the SHA-256 of their bytes.
//!
//! Besides, the database's own checks: SQLite's `integrity_check` and `foreign_key_check`; on
//! PostgreSQL (which enforces foreign keys as it writes) no index or constraint left invalid.
//!
//! The database rows are read in one read transaction, so a server may keep writing while the
//! check runs: what is compared is one state of the data.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::codec::col;
use crate::{Backend, Context, Db, Result, StoreError};

/// At most this many problems are listed per check; the rest are counted.
const LISTED: usize = 20;

/// What [`run`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    pub backend: String,
    pub checks: Vec<Check>,
}

/// One kind of check: how many records it looked at, and what does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `database`, `audit`, `reports`, `progress`, `versions`, `library` or `files`.
    pub name: &'static str,
    /// How many records were checked.
    pub checked: u64,
    /// The first problems found, each naming the record.
    pub problems: Vec<String>,
    /// Problems found beyond those listed.
    pub more: u64,
}

impl Check {
    fn new(name: &'static str) -> Check {
        Check {
            name,
            checked: 0,
            problems: Vec::new(),
            more: 0,
        }
    }

    fn problem(&mut self, problem: String) {
        if self.problems.len() < LISTED {
            self.problems.push(problem);
        } else {
            self.more += 1;
        }
    }
}

impl CheckReport {
    /// Whether every check passed.
    pub fn is_clean(&self) -> bool {
        self.checks.iter().all(|c| c.problems.is_empty())
    }

    /// Every problem listed, with the name of its check.
    pub fn problems(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.checks
            .iter()
            .flat_map(|c| c.problems.iter().map(move |p| (c.name, p.as_str())))
    }
}

/// Checks the database of `db` and the files under `files_dir` (`<data-dir>/files`).
pub async fn run(db: &Db, files_dir: &Path) -> Result<CheckReport> {
    let mut checks = vec![database(db).await?, audit(db).await?];
    let doing = "checking the stored derived data";
    let mut tx = db.read(doing).await?;
    checks.push(reports(&mut tx).await?);
    checks.push(agency_reports(&mut tx).await?);
    checks.push(progress(&mut tx).await?);
    checks.push(versions(&mut tx).await?);
    checks.push(library(&mut tx).await?);
    let files_wanted = evidence_rows(&mut tx).await?;
    drop(tx);
    checks.push(files(files_dir.to_owned(), files_wanted).await?);
    Ok(CheckReport {
        backend: db.backend().as_str().to_owned(),
        checks,
    })
}

/// The database engine's own consistency checks.
async fn database(db: &Db) -> Result<Check> {
    let mut check = Check::new("database");
    let doing = "checking the database's integrity";
    match db.backend() {
        Backend::Sqlite => {
            let rows = sqlx::query("PRAGMA integrity_check")
                .fetch_all(db.pool())
                .await
                .context(|| doing.to_owned())?;
            for row in &rows {
                let line: String = row.try_get(0).context(|| doing.to_owned())?;
                if line != "ok" {
                    check.problem(format!("SQLite integrity_check: {line}"));
                }
            }
            let rows = sqlx::query("PRAGMA foreign_key_check")
                .fetch_all(db.pool())
                .await
                .context(|| doing.to_owned())?;
            for row in &rows {
                let table: Option<String> = row.try_get(0).context(|| doing.to_owned())?;
                let rowid: Option<i64> = row.try_get(1).context(|| doing.to_owned())?;
                let parent: Option<String> = row.try_get(2).context(|| doing.to_owned())?;
                check.problem(format!(
                    "row {} of {} refers to a row of {} that does not exist",
                    rowid.map_or("?".to_owned(), |r| r.to_string()),
                    table.unwrap_or_default(),
                    parent.unwrap_or_default()
                ));
            }
            check.checked = count(db.pool(), "sqlite_master", doing).await?;
        }
        Backend::Postgres => {
            // PostgreSQL enforces foreign keys on every write; what can be left half-done is
            // an index build or a constraint added NOT VALID.
            let rows = sqlx::query(
                "SELECT c.relname::text AS name FROM pg_index i \
                 JOIN pg_class c ON c.oid = i.indexrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready)",
            )
            .fetch_all(db.pool())
            .await
            .context(|| doing.to_owned())?;
            for row in &rows {
                let name: String = col(row, "name", doing)?;
                check.problem(format!("index {name} is not valid"));
            }
            let rows = sqlx::query(
                "SELECT c.conname::text AS name FROM pg_constraint c \
                 JOIN pg_namespace n ON n.oid = c.connamespace \
                 WHERE n.nspname = current_schema() AND NOT c.convalidated",
            )
            .fetch_all(db.pool())
            .await
            .context(|| doing.to_owned())?;
            for row in &rows {
                let name: String = col(row, "name", doing)?;
                check.problem(format!("constraint {name} is not validated"));
            }
            let row = sqlx::query(
                "SELECT COUNT(*) AS n FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema()",
            )
            .fetch_one(db.pool())
            .await
            .context(|| doing.to_owned())?;
            check.checked = u64::try_from(col::<i64>(&row, "n", doing)?).unwrap_or(0);
        }
    }
    Ok(check)
}

async fn count<'c, E>(executor: E, table: &str, doing: &str) -> Result<u64>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    // `table` is one of this module's constants, never input.
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_one(executor)
        .await
        .context(|| doing.to_owned())?;
    Ok(u64::try_from(col::<i64>(&row, "n", doing)?).unwrap_or(0))
}

/// The audit chain verifies, and its head is its last entry.
async fn audit(db: &Db) -> Result<Check> {
    let mut check = Check::new("audit");
    let doing = "checking the audit log's head";
    // One snapshot for the head and the last entry: a writer may append meanwhile.
    let mut tx = db.read(doing).await?;
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    drop(tx);
    let pair = |row: &sqlx::any::AnyRow| -> Result<(i64, String)> {
        Ok((col(row, "seq", doing)?, col(row, "hash", doing)?))
    };
    let last = match last {
        Some(row) => pair(&row)?,
        None => (0, crate::audit::GENESIS_HASH.to_owned()),
    };
    match head {
        None => check.problem("the audit log has no head row (audit_head)".to_owned()),
        Some(row) => {
            let head = pair(&row)?;
            if head != last {
                check.problem(format!(
                    "the audit log's head says entry {} with hash {}, but its last entry is {} \
                     with hash {}",
                    head.0, head.1, last.0, last.1
                ));
            }
        }
    }
    let verified = crate::audit::verify(db).await?;
    check.checked = u64::try_from(verified.entries).unwrap_or(0);
    if let Some(seq) = verified.first_broken {
        check.problem(format!(
            "audit entry {seq} breaks the hash chain: {}",
            verified.problem.unwrap_or_default()
        ));
    }
    Ok(check)
}

/// A report's summary row agrees with its versions.
async fn reports(conn: &mut AnyConnection) -> Result<Check> {
    let mut check = Check::new("reports");
    let doing = "checking the reports against their versions";
    let rows = sqlx::query(
        "SELECT r.id, r.status, r.current_version, r.accepted_at, \
            (SELECT MAX(v.version) FROM report_versions v WHERE v.report_id = r.id) AS latest, \
            (SELECT COUNT(*) FROM report_versions v WHERE v.report_id = r.id) AS versions, \
            (SELECT v.status_after FROM report_versions v \
             WHERE v.report_id = r.id AND v.version = r.current_version) AS status_after \
         FROM progress_reports r ORDER BY r.id",
    )
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    for row in &rows {
        check.checked += 1;
        let id: i64 = col(row, "id", doing)?;
        let status: String = col(row, "status", doing)?;
        let current: i64 = col(row, "current_version", doing)?;
        let accepted_at: Option<String> = col(row, "accepted_at", doing)?;
        let latest: Option<i64> = col(row, "latest", doing)?;
        let versions: i64 = col(row, "versions", doing)?;
        let status_after: Option<String> = col(row, "status_after", doing)?;
        if latest != Some(current) {
            check.problem(format!(
                "report {id} says its current version is {current}, but its latest version is {}",
                latest.map_or("none".to_owned(), |v| v.to_string())
            ));
        } else if versions != current {
            check.problem(format!(
                "report {id} has {versions} versions numbered up to {current}: some are missing"
            ));
        }
        if let Some(after) = status_after
            && after != status
        {
            check.problem(format!(
                "report {id} is «{status}», but its version {current} left it «{after}»"
            ));
        }
        if (status == "accepted") != accepted_at.is_some() {
            check.problem(format!(
                "report {id} is «{status}» with acceptance time {}",
                accepted_at.as_deref().unwrap_or("none")
            ));
        }
    }
    Ok(check)
}

/// Each agency report against its versions, and each version against the task reports it
/// holds: its status is its current version's, and every task version it names exists, was
/// written by the same act and left its task report in the same status.
async fn agency_reports(conn: &mut AnyConnection) -> Result<Check> {
    let mut check = Check::new("agency reports");
    let doing = "checking the agency reports against their versions and tasks";
    let rows = sqlx::query(
        "SELECT r.id, r.status, r.current_version, v.version, v.action, v.status_after, v.items \
         FROM agency_reports r JOIN agency_report_versions v ON v.agency_report_id = r.id \
         ORDER BY r.id, v.version",
    )
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    let tasks = sqlx::query("SELECT report_id, version, action, status_after FROM report_versions")
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    let mut task_versions: BTreeMap<(i64, i64), (String, String)> = BTreeMap::new();
    for row in &tasks {
        task_versions.insert(
            (col(row, "report_id", doing)?, col(row, "version", doing)?),
            (col(row, "action", doing)?, col(row, "status_after", doing)?),
        );
    }
    let mut latest: BTreeMap<i64, (String, i64, i64, String)> = BTreeMap::new();
    for row in &rows {
        check.checked += 1;
        let id: i64 = col(row, "id", doing)?;
        let version: i64 = col(row, "version", doing)?;
        let action: String = col(row, "action", doing)?;
        let after: String = col(row, "status_after", doing)?;
        let items: String = col(row, "items", doing)?;
        let items: Vec<crate::agency_reports::Item> = serde_json::from_str(&items)
            .map_err(|e| crate::codec::corrupt(doing, format!("agency report {id}: {e}")))?;
        for item in items {
            match task_versions.get(&(item.report_id, item.report_version)) {
                None => check.problem(format!(
                    "agency report {id} version {version} holds version {} of report {}, which \
                     does not exist",
                    item.report_version, item.report_id
                )),
                Some((task_action, task_after))
                    if *task_action != action || *task_after != after =>
                {
                    check.problem(format!(
                        "agency report {id} version {version} ({action}, «{after}») holds version \
                         {} of report {} ({task_action}, «{task_after}»)",
                        item.report_version, item.report_id
                    ))
                }
                Some(_) => {}
            }
        }
        latest.insert(
            id,
            (
                col(row, "status", doing)?,
                col(row, "current_version", doing)?,
                version,
                after,
            ),
        );
    }
    for (id, (status, current, version, after)) in latest {
        if current != version {
            check.problem(format!(
                "agency report {id} says its current version is {current}, but its latest is {version}"
            ));
        } else if status != after {
            check.problem(format!(
                "agency report {id} is «{status}», but its version {current} left it «{after}»"
            ));
        }
    }
    Ok(check)
}

/// One assignment's stored figures.
struct Stored {
    progress: i64,
    started: bool,
    done: bool,
    rolled: Option<i64>,
    manual: Option<i64>,
}

/// The dashboard figures of every assignment equal a recomputation from its reports (and, for
/// rolled-up progress, from its plan tasks' figures).
async fn progress(conn: &mut AnyConnection) -> Result<Check> {
    let mut check = Check::new("progress");
    let doing = "checking the dashboard figures against the reports";
    let stored = stored_figures(conn, doing).await?;
    // Own progress: the latest report still accepted (by acceptance time, then id), at its
    // current version; 0 without one.
    let rows = sqlx::query(
        "SELECT r.assignment_id, r.id, r.accepted_at, v.progress FROM progress_reports r \
         JOIN report_versions v ON v.report_id = r.id AND v.version = r.current_version \
         WHERE r.status = 'accepted'",
    )
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    let mut accepted: HashMap<i64, (String, i64, i64)> = HashMap::new();
    for row in &rows {
        let assignment: i64 = col(row, "assignment_id", doing)?;
        let key = (
            col::<Option<String>>(row, "accepted_at", doing)?.unwrap_or_default(),
            col::<i64>(row, "id", doing)?,
            col::<i64>(row, "progress", doing)?,
        );
        let entry = accepted.entry(assignment).or_insert_with(|| key.clone());
        if (&key.0, key.1) > (&entry.0, entry.1) {
            *entry = key;
        }
    }
    // Started: some report of the assignment was submitted.
    let rows = sqlx::query(
        "SELECT DISTINCT r.assignment_id FROM progress_reports r \
         JOIN report_versions v ON v.report_id = r.id WHERE v.action = 'submit'",
    )
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    let submitted: HashSet<i64> = rows
        .iter()
        .map(|row| col(row, "assignment_id", doing))
        .collect::<Result<_>>()?;
    for id in &submitted {
        if !stored.contains_key(id) {
            check.problem(format!(
                "assignment {id} has a submitted report but no dashboard figures"
            ));
        }
    }
    for (id, figures) in &stored {
        check.checked += 1;
        let own = accepted.get(id).map_or(0, |(_, _, progress)| *progress);
        if figures.progress != own {
            check.problem(format!(
                "assignment {id} shows progress {}%, but its latest accepted report gives {own}%",
                figures.progress
            ));
        }
        if figures.started != submitted.contains(id) {
            check.problem(format!(
                "assignment {id} is marked {}, but {} of its reports was submitted",
                if figures.started {
                    "started"
                } else {
                    "not started"
                },
                if submitted.contains(id) {
                    "one"
                } else {
                    "none"
                }
            ));
        }
        if figures.done != (figures.progress >= 100) {
            check.problem(format!(
                "assignment {id} at {}% {} a day it was done",
                figures.progress,
                if figures.done { "has" } else { "lacks" }
            ));
        }
    }
    rolled(conn, &stored, &mut check, doing).await?;
    Ok(check)
}

async fn stored_figures(conn: &mut AnyConnection, doing: &str) -> Result<BTreeMap<i64, Stored>> {
    let rows = sqlx::query(
        "SELECT p.assignment_id, p.progress, p.started, p.done_on, \
            p.rolled_progress, p.manual_progress \
         FROM assignment_progress p JOIN assignments a ON a.id = p.assignment_id",
    )
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    rows.iter()
        .map(|row| {
            Ok((
                col(row, "assignment_id", doing)?,
                Stored {
                    progress: col(row, "progress", doing)?,
                    started: col::<i64>(row, "started", doing)? != 0,
                    done: col::<Option<String>>(row, "done_on", doing)?.is_some(),
                    rolled: col(row, "rolled_progress", doing)?,
                    manual: col(row, "manual_progress", doing)?,
                },
            ))
        })
        .collect()
}

/// The progress rolled up into an agency's assignment on a parent task equals the roll-up of
/// its plan tasks' progress now (see `crate::dashboard::roll_up_from`).
async fn rolled(
    conn: &mut AnyConnection,
    stored: &BTreeMap<i64, Stored>,
    check: &mut Check,
    doing: &str,
) -> Result<()> {
    let effective = |id: i64| {
        stored.get(&id).map_or(0, |s| {
            s.manual
                .unwrap_or_else(|| s.progress.max(s.rolled.unwrap_or(0)))
        })
    };
    // Each plan task carrying out a parent task, with its weight, the parent program's rule
    // and each of the plan task's assignments.
    let rows = sqlx::query(
        "SELECT l.parent_task_id, pl.agency_code, g.rollup_rule, l.task_id, l.weight, \
            a.id AS assignment_id \
         FROM task_links l JOIN tasks t ON t.id = l.task_id \
         JOIN plans pl ON pl.program_id = t.program_id \
         JOIN programs g ON g.id = pl.parent_program_id \
         JOIN assignments a ON a.task_id = l.task_id",
    )
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    // (parent task, agency) → (rule, plan task → (weight, furthest progress)).
    type Children = BTreeMap<i64, (u32, i64)>;
    let mut parents: BTreeMap<(i64, String), (String, Children)> = BTreeMap::new();
    for row in &rows {
        let parent: i64 = col(row, "parent_task_id", doing)?;
        let agency: String = col(row, "agency_code", doing)?;
        let rule: String = col(row, "rollup_rule", doing)?;
        let task: i64 = col(row, "task_id", doing)?;
        let weight: i64 = col(row, "weight", doing)?;
        let assignment: i64 = col(row, "assignment_id", doing)?;
        let (_, children) = parents
            .entry((parent, agency))
            .or_insert_with(|| (rule, BTreeMap::new()));
        let child = children
            .entry(task)
            .or_insert((u32::try_from(weight.max(0)).unwrap_or(0), 0));
        child.1 = child.1.max(effective(assignment));
    }
    for ((parent_task, agency), (rule, children)) in parents {
        let rule: dongbo_domain::RollupRule = crate::codec::enum_from_text(&rule, doing)?;
        let children = crate::dashboard::rollup_children(children.values());
        let expected = dongbo_domain::rollup::roll_up(rule, &children).map(i64::from);
        let row = sqlx::query(
            "SELECT id FROM assignments WHERE task_id = $1 AND agency_code = $2 \
             ORDER BY role DESC LIMIT 1",
        )
        .bind(parent_task)
        .bind(&agency)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
        let Some(row) = row else { continue };
        let id: i64 = col(&row, "id", doing)?;
        check.checked += 1;
        let actual = stored.get(&id).and_then(|s| s.rolled);
        // Nothing is rolled up before a plan task first moves: no figure is then right when
        // the plan's tasks are all at 0.
        let untouched = actual.is_none() && children.iter().all(|c| c.progress == 0);
        if actual != expected && !untouched {
            check.problem(format!(
                "assignment {id} of agency {agency} shows {} rolled up from its plan, but its plan \
                 tasks give {}",
                percent_text(actual),
                percent_text(expected)
            ));
        }
    }
    Ok(())
}

fn percent_text(value: Option<i64>) -> String {
    value.map_or("nothing".to_owned(), |v| format!("{v}%"))
}

/// Every figure is stamped with a dashboard version its program has reached.
/// The library's change feed and content hashes (see the module documentation).
async fn library(conn: &mut AnyConnection) -> Result<Check> {
    let mut check = Check::new("library");
    let doing = "checking the library's change feed";
    let row = sqlx::query(
        "SELECT (SELECT last_seq FROM library_head WHERE id = 1) AS head, \
            (SELECT COUNT(*) FROM library_changes) AS n, \
            (SELECT COALESCE(MAX(seq), 0) FROM library_changes) AS last",
    )
    .fetch_one(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    let head: i64 = col(&row, "head", doing)?;
    let n: i64 = col(&row, "n", doing)?;
    let last: i64 = col(&row, "last", doing)?;
    if head != last || n != last {
        check.problem(format!(
            "the library's change feed is numbered up to {last} with {n} changes, and its head \
             says {head}: a follower would miss changes"
        ));
    }
    let rows = sqlx::query(
        "SELECT i.id, i.body, i.content_hash, \
            (SELECT c.op FROM library_changes c WHERE c.item_id = i.id \
             ORDER BY c.seq DESC LIMIT 1) AS last_op \
         FROM library_items i ORDER BY i.id",
    )
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    for row in &rows {
        check.checked += 1;
        let id: i64 = col(row, "id", doing)?;
        let body: String = col(row, "body", doing)?;
        let stored: Option<String> = col(row, "content_hash", doing)?;
        if stored != crate::library::content_hash(&body) {
            check.problem(format!(
                "library item {id}: its content hash is not that of its text"
            ));
        }
        let last_op: Option<String> = col(row, "last_op", doing)?;
        if last_op.as_deref() != Some("upsert") {
            check.problem(format!(
                "library item {id}: its last change is {}, not an upsert: the search index \
                 would not have it",
                last_op.as_deref().unwrap_or("missing")
            ));
        }
    }
    Ok(check)
}

async fn versions(conn: &mut AnyConnection) -> Result<Check> {
    let mut check = Check::new("versions");
    let doing = "checking the dashboard versions";
    let rows = sqlx::query(
        "SELECT a.program_id, p.program_id AS figures_program, p.assignment_id, p.changed_at, \
            v.version, v.structure \
         FROM assignment_progress p JOIN assignments a ON a.id = p.assignment_id \
         LEFT JOIN program_versions v ON v.program_id = a.program_id",
    )
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    for row in &rows {
        check.checked += 1;
        let program: i64 = col(row, "program_id", doing)?;
        let assignment: i64 = col(row, "assignment_id", doing)?;
        let changed_at: i64 = col(row, "changed_at", doing)?;
        let version: Option<i64> = col(row, "version", doing)?;
        let figures_program: i64 = col(row, "figures_program", doing)?;
        if figures_program != program {
            // A server would look for the figures' changes under the wrong program.
            check.problem(format!(
                "the figures of assignment {assignment} are kept under program \
                 {figures_program}, but the assignment is of program {program}"
            ));
        }
        if changed_at > version.unwrap_or(0) {
            check.problem(format!(
                "the figures of assignment {assignment} are stamped with dashboard version \
                 {changed_at}, but program {program} is at version {}",
                version.unwrap_or(0)
            ));
        }
    }
    let rows = sqlx::query(
        "SELECT program_id, version, structure FROM program_versions WHERE structure > version",
    )
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    for row in &rows {
        let program: i64 = col(row, "program_id", doing)?;
        check.problem(format!(
            "program {program}'s dashboard structure counter is ahead of its version"
        ));
    }
    // The counters servers read on every page: the units there are, and at least every
    // structure change counted (a program's own counter never falls, so the total is a floor).
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM units) AS units, \
            (SELECT value FROM counters WHERE name = 'units') AS counted_units, \
            (SELECT CAST(COALESCE(SUM(structure), 0) AS BIGINT) FROM program_versions) \
                AS structures, \
            (SELECT value FROM counters WHERE name = 'structures') AS counted_structures",
    )
    .fetch_one(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    let units: i64 = col(&row, "units", doing)?;
    let counted_units: Option<i64> = col(&row, "counted_units", doing)?;
    if counted_units != Some(units) {
        check.problem(format!(
            "the units counter says {}, but there are {units} units",
            counted_units.map_or("nothing".to_owned(), |n| n.to_string())
        ));
    }
    let structures: i64 = col(&row, "structures", doing)?;
    let counted: Option<i64> = col(&row, "counted_structures", doing)?;
    if counted.is_none_or(|counted| counted < structures) {
        check.problem(format!(
            "the structures counter says {}, under the {structures} structure changes of the \
             programs",
            counted.map_or("nothing".to_owned(), |n| n.to_string())
        ));
    }
    Ok(check)
}

/// The files the database describes: SHA-256 → size.
async fn evidence_rows(conn: &mut AnyConnection) -> Result<Vec<(String, i64)>> {
    let doing = "reading the evidence files the database describes";
    let rows = sqlx::query("SELECT sha256, size FROM evidence_files ORDER BY sha256")
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    rows.iter()
        .map(|row| Ok((col(row, "sha256", doing)?, col(row, "size", doing)?)))
        .collect()
}

/// Each file the database describes is there, of its size, with its SHA-256.
async fn files(dir: PathBuf, wanted: Vec<(String, i64)>) -> Result<Check> {
    tokio::task::spawn_blocking(move || {
        let mut check = Check::new("files");
        for (sha256, size) in wanted {
            check.checked += 1;
            if !crate::evidence::is_sha256(&sha256) {
                check.problem(format!(
                    "evidence file «{sha256}» is not named by a SHA-256"
                ));
                continue;
            }
            let path = dir.join(&sha256[..2]).join(&sha256);
            match file_digest(&path) {
                Ok((actual_size, _)) if i64::try_from(actual_size) != Ok(size) => {
                    check.problem(format!(
                        "evidence file {sha256} has {actual_size} bytes, the database says {size}"
                    ));
                }
                Ok((_, actual)) if actual != sha256 => check.problem(format!(
                    "evidence file {sha256} has changed: its content's SHA-256 is {actual}"
                )),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    check.problem(format!(
                        "evidence file {sha256} is missing ({})",
                        path.display()
                    ));
                }
                Err(e) => check.problem(format!(
                    "evidence file {sha256} cannot be read ({}): {e}",
                    path.display()
                )),
            }
        }
        check
    })
    .await
    .map_err(|e| StoreError::Io {
        context: "checking the evidence files".to_owned(),
        source: std::io::Error::other(e),
    })
}

/// The size and lower-case hex SHA-256 of a file, read in pieces (files may be large).
pub(crate) fn file_digest(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        size += read as u64;
        hasher.update(&buffer[..read]);
    }
    Ok((size, hex::encode(hasher.finalize())))
}
