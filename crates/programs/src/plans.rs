//! An agency's plan (kế hoạch thực hiện) for a program, its tasks and its units: a plan made,
//! a task added, a unit created and handed a task, an open agency set's members chosen.

use chrono::NaiveDate;
use dongbo_domain::Directory;
use dongbo_domain::access::Action;
pub use dongbo_store::plans::{Created, NewTask, Plan, Unit};
use dongbo_store::{assignments, plans};

use crate::Programs;
use crate::context::{Actor, Error, Result};

/// Refuses an empty `value` as field `field`'s fault, with the message in the caller's
/// language (the store refuses it too, but without naming the field).
fn required(actor: &Actor<'_>, field: &str, value: &str, vi: &str, en: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::field(field, actor.t(vi, en)));
    }
    Ok(())
}

/// Creates the plan of `agency_code` for program `program_id` (or finds the one it has).
pub async fn create_plan(actor: &Actor<'_>, agency_code: &str, program_id: i64) -> Result<Created> {
    let directory = actor.programs.directory_with_units().await?;
    actor.require(Action::EditPlan, agency_code, &directory)?;
    Ok(plans::create(&actor.programs.db, &directory, program_id, agency_code).await?)
}

/// Creates a unit of `agency_code`.
pub async fn create_unit(
    actor: &Actor<'_>,
    agency_code: &str,
    code: &str,
    name_vi: &str,
    name_en: &str,
) -> Result<Unit> {
    let directory = actor.programs.directory_with_units().await?;
    actor.require(Action::EditPlan, agency_code, &directory)?;
    required(
        actor,
        "name_vi",
        name_vi,
        "Cần nhập tên đơn vị.",
        "The unit needs a name.",
    )?;
    Ok(plans::create_unit(
        &actor.programs.db,
        &directory,
        agency_code,
        code,
        name_vi,
        name_en,
    )
    .await?)
}

/// The plan `id` if the caller may edit it, with the directory it was checked against.
pub async fn editable_plan(
    actor: &Actor<'_>,
    id: i64,
) -> Result<(Plan, std::sync::Arc<Directory>)> {
    let plan = plans::get(&actor.programs.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let directory = actor.programs.directory_with_units().await?;
    actor.require_on_record(Action::EditPlan, &plan.agency_code, &directory)?;
    Ok((plan, directory))
}

/// Adds the agency's own task to plan `plan_id`; returns its code.
pub async fn add_plan_task(actor: &Actor<'_>, plan_id: i64, task: &NewTask) -> Result<String> {
    let (_, directory) = editable_plan(actor, plan_id).await?;
    required(
        actor,
        "title",
        &task.title,
        "Cần nhập tên nhiệm vụ.",
        "The task needs a title.",
    )?;
    Ok(plans::add_task(&actor.programs.db, &directory, plan_id, task).await?)
}

/// Hands task `task_code` of plan `plan_id` to a unit, with an optional due date.
pub async fn assign_unit(
    actor: &Actor<'_>,
    plan_id: i64,
    task_code: &str,
    unit_code: &str,
    due_on: Option<NaiveDate>,
) -> Result<()> {
    editable_plan(actor, plan_id).await?;
    plans::assign_unit(&actor.programs.db, plan_id, task_code, unit_code, due_on).await?;
    Ok(())
}

/// The coordinator's choice of members for an open set of a task; returns the program and
/// task it belongs to.
pub async fn choose_open_set(
    actor: &Actor<'_>,
    pending_id: i64,
    agencies: &[String],
) -> Result<(i64, String)> {
    let directory = actor.programs.directory_with_units().await?;
    let (program_id, task_code) = assignments::open_set_task(&actor.programs.db, pending_id)
        .await?
        .ok_or(Error::NotFound)?;
    let coordinator = crate::views::coordinating_agency_of(actor.programs, program_id).await?;
    actor.require(Action::DecideChangeRequest, &coordinator, &directory)?;
    if agencies.is_empty() {
        return Err(Error::field(
            "agencies",
            actor.t("Chọn ít nhất một cơ quan.", "Choose at least one agency."),
        ));
    }
    assignments::choose(&actor.programs.db, pending_id, agencies, &directory).await?;
    Ok((program_id, task_code))
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Reads

/// The plan agency `agency_code` made for program `program_id`, when it has made one.
pub async fn plan_of(
    programs: &Programs,
    program_id: i64,
    agency_code: &str,
) -> Result<Option<i64>> {
    Ok(plans::find(&programs.db, program_id, agency_code).await?)
}

/// Every unit agencies created (the directory holds the others).
pub async fn units(programs: &Programs) -> Result<Vec<Unit>> {
    Ok(plans::units(&programs.db).await?)
}

/// The program and task of open set choice `pending_id`, when there is one.
pub async fn open_set_task(programs: &Programs, pending_id: i64) -> Result<Option<(i64, String)>> {
    Ok(assignments::open_set_task(&programs.db, pending_id).await?)
}
