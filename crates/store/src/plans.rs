//! Agency plans — the cascade. An agency turns a national program into its own plan: a
//! program derived from the parent, pre-filled with every task the agency is assigned (as
//! lead or coordinator), to which it adds its own tasks, each carrying out a parent task, and
//! hands them to its units with due dates. Progress of a plan's tasks rolls up along the
//! parent-task links (`dongbo_domain::rollup`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use dongbo_domain::assignment::Origin;
use dongbo_domain::clock;
use dongbo_domain::text::nfc;
use dongbo_domain::{
    Agency, AgencyKind, Directory, DocumentKind, DocumentMeta, ImportedProgram, Resolution, Role,
    Task, TaskGroup, TimeFrame,
};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::assignments::{self, Made};
use crate::codec::{col, now, position};
use crate::{Context, Db, Result, SourceInfo, StoreError, programs};

/// Đơn vị — a unit an agency created under itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    /// The unit's code: its agency's code, a slash and the unit's own ("BVHTTDL/HTQT").
    pub code: String,
    pub agency_code: String,
    pub name_vi: String,
    pub name_en: String,
}

impl Unit {
    /// The unit as a directory agency under its agency, so that scopes, names and
    /// assignments treat it like any other.
    pub fn as_agency(&self) -> Agency {
        Agency {
            code: self.code.clone(),
            kind: AgencyKind::Unit,
            name_vi: self.name_vi.clone(),
            name_en: self.name_en.clone(),
            aliases: Vec::new(),
            valid_from: None,
            valid_until: None,
            parent: Some(self.agency_code.clone()),
            successors: Vec::new(),
            source: None,
            source_vi: None,
        }
    }
}

/// A stored plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The plan's own program.
    pub program_id: i64,
    pub parent_program_id: i64,
    pub agency_code: String,
}

/// What [`create`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Created {
    /// A new plan with this many tasks.
    New { program_id: i64, tasks: usize },
    /// The agency already had a plan for that program.
    Existing { program_id: i64 },
}

impl Created {
    pub fn program_id(self) -> i64 {
        match self {
            Created::New { program_id, .. } | Created::Existing { program_id } => program_id,
        }
    }
}

/// A task an agency adds to its plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    /// The code of the parent program's task it carries out ("3.21").
    pub parent_task_code: String,
    pub title: String,
    pub expected_output: Option<String>,
    /// As a person would write it ("Quý III/2025", "2025").
    pub time_frame: String,
}

/// A unit `agency_code` creates under itself. `code` is the unit's own short code ("HTQT");
/// the stored code is prefixed with the agency's ("BVHTTDL/HTQT").
pub async fn create_unit(
    db: &Db,
    directory: &Directory,
    agency_code: &str,
    code: &str,
    name_vi: &str,
    name_en: &str,
) -> Result<Unit> {
    if directory.agency(agency_code).is_none() {
        return Err(StoreError::Invalid(format!(
            "unknown agency code {agency_code}"
        )));
    }
    let own = code.trim();
    if own.is_empty()
        || !own
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(StoreError::Invalid(format!(
            "a unit code is letters, digits, '-' or '_' (got «{code}»)"
        )));
    }
    let name_vi = nfc(name_vi.trim());
    if name_vi.is_empty() {
        return Err(StoreError::Invalid("a unit needs a Vietnamese name".into()));
    }
    let name_en = match nfc(name_en.trim()) {
        name if name.is_empty() => name_vi.clone(),
        name => name,
    };
    let unit = Unit {
        code: format!("{agency_code}/{}", own.to_ascii_uppercase()),
        agency_code: agency_code.to_owned(),
        name_vi,
        name_en,
    };
    let doing = format!("creating unit {}", unit.code);
    let mut tx = db.begin_write(&doing).await?;
    let inserted = sqlx::query(
        "INSERT INTO units (code, agency_code, name_vi, name_en, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&unit.code)
    .bind(&unit.agency_code)
    .bind(&unit.name_vi)
    .bind(&unit.name_en)
    .bind(now())
    .execute(&mut *tx)
    .await
    .context(|| doing.clone());
    match inserted {
        Err(error) if error.is_unique_violation() => {
            return Err(StoreError::Invalid(format!(
                "unit {} already exists",
                unit.code
            )));
        }
        other => other?,
    };
    crate::dashboard::count(&mut tx, crate::dashboard::UNITS, 1).await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(unit)
}

/// How many units there are. Units are only ever added, so the number tells whether the units
/// read earlier are still all of them.
pub async fn unit_count(db: &Db) -> Result<i64> {
    crate::dashboard::counter(db, crate::dashboard::UNITS).await
}

/// Every unit, by code.
pub async fn units(db: &Db) -> Result<Vec<Unit>> {
    let doing = "reading the units";
    let mut tx = db.read(doing).await?;
    let rows = sqlx::query("SELECT code, agency_code, name_vi, name_en FROM units ORDER BY code")
        .fetch_all(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    rows.iter()
        .map(|row| {
            Ok(Unit {
                code: col(row, "code", doing)?,
                agency_code: col(row, "agency_code", doing)?,
                name_vi: col(row, "name_vi", doing)?,
                name_en: col(row, "name_en", doing)?,
            })
        })
        .collect()
}

/// The plan of `agency_code` for the program `parent_program_id`: created pre-filled with
/// every task of the parent program the agency is assigned, each linked to its parent task
/// and led by the agency; or the one it already has. All or nothing.
pub async fn create(
    db: &Db,
    directory: &Directory,
    parent_program_id: i64,
    agency_code: &str,
) -> Result<Created> {
    let doing = format!("creating the plan of {agency_code} for program {parent_program_id}");
    let agency = directory
        .agency(agency_code)
        .ok_or_else(|| StoreError::Invalid(format!("unknown agency code {agency_code}")))?
        .clone();
    let mut tx = db.begin_write(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    if let Some(program_id) = find_in(conn, parent_program_id, agency_code, &doing).await? {
        return Ok(Created::Existing { program_id });
    }
    let parent = programs::load(conn, parent_program_id, &doing)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("program {parent_program_id}")))?;
    let assigned: Vec<String> = assignments::for_program_in(conn, parent_program_id, &doing)
        .await?
        .into_iter()
        .filter(|a| a.agency_code == agency_code)
        .map(|a| a.task_code)
        .collect();
    if assigned.is_empty() {
        return Err(StoreError::Invalid(format!(
            "{} has no task in program {}",
            agency.name_vi,
            parent
                .document
                .number
                .as_deref()
                .unwrap_or(&parent.document.title)
        )));
    }

    let lead = Resolution {
        text: agency.name_vi.clone(),
        agencies: vec![agency.code.clone()],
        sets: Vec::new(),
        unresolved: Vec::new(),
        participants: Vec::new(),
    };
    let parent_label = parent
        .document
        .number
        .clone()
        .unwrap_or_else(|| parent.document.title.clone());
    let tasks: Vec<Task> = parent
        .tasks
        .iter()
        .filter(|t| assigned.contains(&t.code))
        .map(|t| Task {
            code: t.code.clone(),
            group: t.group.clone(),
            title: t.title.clone(),
            expected_output: t.expected_output.clone(),
            lead: lead.clone(),
            coordinating: Resolution {
                text: String::new(),
                agencies: Vec::new(),
                sets: Vec::new(),
                unresolved: Vec::new(),
                participants: Vec::new(),
            },
            time_frame: t.time_frame.clone(),
            draft: false,
            language: t.language.clone(),
            source: Some(format!("{parent_label} {}", t.code)),
        })
        .collect();
    let groups: Vec<TaskGroup> = parent
        .groups
        .iter()
        .filter(|g| tasks.iter().any(|t| t.group == g.code))
        .cloned()
        .collect();
    let plan = ImportedProgram {
        document: DocumentMeta {
            number: None,
            kind: DocumentKind::Plan,
            issued_on: Some(clock::today()),
            issuer: Some(agency.code.clone()),
            issuer_text: Some(agency.name_vi.clone()),
            signer: None,
            title: format!("Kế hoạch của {} thực hiện {parent_label}", agency.name_vi),
            implements: parent.document.number.iter().cloned().collect(),
            language: "vi".into(),
        },
        groups,
        tasks,
        warnings: Vec::new(),
    };
    let source = SourceInfo {
        file_name: format!("plan of {agency_code}"),
        format: "plan".into(),
        sha256: format!("plan:{parent_program_id}:{agency_code}"),
    };
    let program_id = programs::insert(conn, &plan, &source, &doing).await?;
    sqlx::query("UPDATE programs SET parent_program_id = $1 WHERE id = $2")
        .bind(parent_program_id)
        .bind(program_id)
        .execute(&mut *conn)
        .await
        .context(|| doing.clone())?;
    sqlx::query(
        "INSERT INTO plans (program_id, parent_program_id, agency_code, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(program_id)
    .bind(parent_program_id)
    .bind(agency_code)
    .bind(now())
    .execute(&mut *conn)
    .await
    .context(|| doing.clone())?;
    sqlx::query(
        "INSERT INTO task_links (task_id, parent_task_id) \
         SELECT c.id, p.id FROM tasks c JOIN tasks p ON p.code = c.code \
         WHERE c.program_id = $1 AND p.program_id = $2",
    )
    .bind(program_id)
    .bind(parent_program_id)
    .execute(&mut *conn)
    .await
    .context(|| format!("{doing}: linking tasks"))?;
    assignments::sync_in(conn, program_id, directory, &doing).await?;
    let count = plan.tasks.len();
    tx.commit().await.context(|| doing.clone())?;
    tracing::info!(
        plan.id = program_id,
        agency.code = agency_code,
        task.count = count,
        "agency plan created"
    );
    Ok(Created::New {
        program_id,
        tasks: count,
    })
}

/// The plan of `agency_code` for `parent_program_id`, if it has one.
pub async fn find(db: &Db, parent_program_id: i64, agency_code: &str) -> Result<Option<i64>> {
    let doing = format!("finding the plan of {agency_code} for program {parent_program_id}");
    let mut tx = db.read(&doing).await?;
    find_in(&mut tx, parent_program_id, agency_code, &doing).await
}

async fn find_in(
    conn: &mut AnyConnection,
    parent_program_id: i64,
    agency_code: &str,
    doing: &str,
) -> Result<Option<i64>> {
    let row = sqlx::query(
        "SELECT program_id FROM plans WHERE parent_program_id = $1 AND agency_code = $2",
    )
    .bind(parent_program_id)
    .bind(agency_code)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    row.map(|row| col(&row, "program_id", doing)).transpose()
}

/// The plan stored as program `program_id`, if that program is a plan.
pub async fn get(db: &Db, program_id: i64) -> Result<Option<Plan>> {
    let doing = format!("reading plan {program_id}");
    let mut tx = db.read(&doing).await?;
    get_in(&mut tx, program_id, &doing).await
}

async fn get_in(conn: &mut AnyConnection, program_id: i64, doing: &str) -> Result<Option<Plan>> {
    let row = sqlx::query(
        "SELECT program_id, parent_program_id, agency_code FROM plans WHERE program_id = $1",
    )
    .bind(program_id)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    row.map(|row| {
        Ok(Plan {
            program_id: col(&row, "program_id", doing)?,
            parent_program_id: col(&row, "parent_program_id", doing)?,
            agency_code: col(&row, "agency_code", doing)?,
        })
    })
    .transpose()
}

/// Every plan of an agency.
pub async fn of_agency(db: &Db, agency_code: &str) -> Result<Vec<Plan>> {
    let doing = format!("reading the plans of {agency_code}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT program_id, parent_program_id, agency_code FROM plans \
         WHERE agency_code = $1 ORDER BY program_id",
    )
    .bind(agency_code)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter()
        .map(|row| {
            Ok(Plan {
                program_id: col(row, "program_id", &doing)?,
                parent_program_id: col(row, "parent_program_id", &doing)?,
                agency_code: col(row, "agency_code", &doing)?,
            })
        })
        .collect()
}

/// Adds the agency's own task to its plan, carrying out the parent task `parent_task_code`.
/// Its code is the parent's followed by the next free number ("3.21.1", "3.21.2"…); it is
/// led by the plan's agency. Returns the new task's code.
pub async fn add_task(
    db: &Db,
    directory: &Directory,
    plan_id: i64,
    new: &NewTask,
) -> Result<String> {
    let doing = format!("adding a task to plan {plan_id}");
    let title = nfc(new.title.trim());
    if title.is_empty() {
        return Err(StoreError::Invalid("a task needs a title".into()));
    }
    let time_frame = TimeFrame::parse(&nfc(new.time_frame.trim()));
    let mut tx = db.begin_write(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    let plan = get_in(conn, plan_id, &doing)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("plan {plan_id}")))?;
    let row = sqlx::query(
        "SELECT t.id, t.group_code FROM tasks t WHERE t.program_id = $1 AND t.code = $2",
    )
    .bind(plan.parent_program_id)
    .bind(&new.parent_task_code)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.clone())?
    .ok_or_else(|| {
        StoreError::Invalid(format!(
            "the parent program has no task {}",
            new.parent_task_code
        ))
    })?;
    let parent_task_id: i64 = col(&row, "id", &doing)?;
    let group: String = col(&row, "group_code", &doing)?;

    let codes: Vec<String> = sqlx::query("SELECT code FROM tasks WHERE program_id = $1")
        .bind(plan_id)
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.clone())?
        .iter()
        .map(|row| col(row, "code", &doing))
        .collect::<Result<_>>()?;
    let prefix = format!("{}.", new.parent_task_code);
    let next = codes
        .iter()
        .filter_map(|c| c.strip_prefix(&prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    let code = format!("{prefix}{next}");
    if !crate::tasks::group_exists(conn, plan_id, &group, &doing).await? {
        copy_group(conn, plan.parent_program_id, plan_id, &group, &doing).await?;
    }
    let agency = directory.agency(&plan.agency_code);
    let task = Task {
        code: code.clone(),
        group,
        title,
        expected_output: new
            .expected_output
            .as_deref()
            .map(|o| nfc(o.trim()))
            .filter(|o| !o.is_empty()),
        lead: Resolution {
            text: agency.map_or(plan.agency_code.clone(), |a| a.name_vi.clone()),
            agencies: vec![plan.agency_code.clone()],
            sets: Vec::new(),
            unresolved: Vec::new(),
            participants: Vec::new(),
        },
        coordinating: Resolution {
            text: String::new(),
            agencies: Vec::new(),
            sets: Vec::new(),
            unresolved: Vec::new(),
            participants: Vec::new(),
        },
        time_frame,
        draft: false,
        language: None,
        source: None,
    };
    let task_id = crate::tasks::insert(conn, plan_id, codes.len(), &task, &doing).await?;
    sqlx::query("INSERT INTO task_links (task_id, parent_task_id) VALUES ($1, $2)")
        .bind(task_id)
        .bind(parent_task_id)
        .execute(&mut *conn)
        .await
        .context(|| doing.clone())?;
    assignments::sync_in(conn, plan_id, directory, &doing).await?;
    // A new plan task at 0% changes what the parent's assignment rolls up to (`dongbo check`
    // recomputes it): roll up now rather than at the plan's next accepted report.
    let assignment = sqlx::query("SELECT id FROM assignments WHERE task_id = $1 LIMIT 1")
        .bind(task_id)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.clone())?;
    if let Some(row) = assignment {
        let assignment_id: i64 = col(&row, "id", &doing)?;
        crate::dashboard::roll_up_from(conn, assignment_id).await?;
    }
    tx.commit().await.context(|| doing.clone())?;
    Ok(code)
}

/// Copies the parent's group `group` into the plan, after the plan's last group.
async fn copy_group(
    conn: &mut AnyConnection,
    parent_program_id: i64,
    plan_id: i64,
    group: &str,
    doing: &str,
) -> Result<()> {
    let count: i64 = col(
        &sqlx::query("SELECT COUNT(*) AS n FROM task_groups WHERE program_id = $1")
            .bind(plan_id)
            .fetch_one(&mut *conn)
            .await
            .context(|| doing.to_owned())?,
        "n",
        doing,
    )?;
    sqlx::query(
        "INSERT INTO task_groups (program_id, code, title, position) \
         SELECT $1, code, title, $2 FROM task_groups WHERE program_id = $3 AND code = $4",
    )
    .bind(plan_id)
    .bind(position(usize::try_from(count).unwrap_or(0)))
    .bind(parent_program_id)
    .bind(group)
    .execute(&mut *conn)
    .await
    .context(|| format!("{doing}: copying group {group}"))?;
    Ok(())
}

/// Hands the plan's task `task_code` to `unit_code`, a unit of the plan's agency, with an
/// optional due date of the agency's own. Handing it twice changes nothing.
pub async fn assign_unit(
    db: &Db,
    plan_id: i64,
    task_code: &str,
    unit_code: &str,
    due_on: Option<NaiveDate>,
) -> Result<()> {
    let doing = format!("handing task {task_code} of plan {plan_id} to {unit_code}");
    let mut tx = db.begin_write(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    let plan = get_in(conn, plan_id, &doing)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("plan {plan_id}")))?;
    let unit = sqlx::query("SELECT agency_code FROM units WHERE code = $1")
        .bind(unit_code)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.clone())?
        .ok_or_else(|| StoreError::Invalid(format!("unknown unit {unit_code}")))?;
    let unit_agency: String = col(&unit, "agency_code", &doing)?;
    if unit_agency != plan.agency_code {
        return Err(StoreError::Invalid(format!(
            "{unit_code} is not a unit of {}",
            plan.agency_code
        )));
    }
    let task = sqlx::query("SELECT id FROM tasks WHERE program_id = $1 AND code = $2")
        .bind(plan_id)
        .bind(task_code)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.clone())?
        .ok_or_else(|| StoreError::NotFound(format!("task {task_code} of plan {plan_id}")))?;
    let task_id: i64 = col(&task, "id", &doing)?;
    let taken = sqlx::query(
        "SELECT id FROM assignments WHERE task_id = $1 AND agency_code = $2 AND role = 'lead'",
    )
    .bind(task_id)
    .bind(unit_code)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.clone())?;
    if taken.is_none() {
        let origin = Origin {
            role: Role::Lead,
            via_set: None,
            original: unit_code.to_owned(),
        };
        let wanted = BTreeMap::from([((task_id, unit_code.to_owned(), Role::Lead), vec![origin])]);
        let made = Made {
            manual: true,
            due_on,
        };
        assignments::insert_assignments(conn, plan_id, wanted, made, &doing).await?;
    }
    tx.commit().await.context(|| doing.clone())?;
    Ok(())
}

/// The tasks of plans that carry out the task `task_code` of `program_id`, as
/// (plan program id, task code) pairs in plan and task order.
pub async fn derived_tasks(
    db: &Db,
    program_id: i64,
    task_code: &str,
) -> Result<Vec<(i64, String)>> {
    let doing = format!("reading the tasks derived from {task_code} of program {program_id}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT c.program_id, c.code FROM task_links l \
         JOIN tasks c ON c.id = l.task_id JOIN tasks p ON p.id = l.parent_task_id \
         WHERE p.program_id = $1 AND p.code = $2 ORDER BY c.program_id, c.position",
    )
    .bind(program_id)
    .bind(task_code)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter()
        .map(|row| Ok((col(row, "program_id", &doing)?, col(row, "code", &doing)?)))
        .collect()
}
