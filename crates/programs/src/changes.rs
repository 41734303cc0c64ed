//! Change requests: an agency proposes to add, amend, drop or re-time a task; the program's
//! coordinating agency decides; the proposer may withdraw it while it is open.

use dongbo_domain::Directory;
use dongbo_domain::access::{Action, ROOT_AGENCY};
use dongbo_store::assignments;
use dongbo_store::changes::{self, NewChange, Proposal};
pub use dongbo_store::changes::{ChangeKind, ChangeRequest};
pub use dongbo_store::changes::{ChangeStatus, Field, TaskChanges};

use crate::context::{Actor, Caller, Error, FieldError, Result};

/// Of the agencies `assigned` to a task, those on whose behalf the caller may propose a change
/// to it.
pub fn proposing_agencies(
    caller: &Caller,
    directory: &Directory,
    assigned: &[assignments::Assignment],
) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for a in assigned {
        if !codes.contains(&a.agency_code)
            && caller.can(Action::EditPlan, &a.agency_code, directory)
        {
            codes.push(a.agency_code.clone());
        }
    }
    codes
}

/// The agencies on whose behalf the caller may propose a new task in any program.
pub fn adding_agencies(caller: &Caller, directory: &Directory) -> Vec<String> {
    caller
        .agencies()
        .into_iter()
        .filter(|code| code != ROOT_AGENCY && caller.can(Action::EditPlan, code, directory))
        .collect()
}

/// Whether the caller may withdraw `request`: its proposer, or whoever plans for its agency.
pub fn may_withdraw(caller: &Caller, request: &ChangeRequest, directory: &Directory) -> bool {
    caller.user.username == request.proposed_by
        || caller.can(Action::EditPlan, &request.proposed_by_agency, directory)
}

/// What a proposer sends; which values count depends on the kind.
#[derive(Debug, Clone, Default)]
pub struct ProposalInput {
    pub kind: String,
    pub agency: String,
    pub title: String,
    pub expected_output: String,
    pub time_frame: String,
    pub group: String,
    pub reason: String,
}

/// The name a change request's field has in the form and the JSON body.
pub fn change_field_name(field: Field) -> &'static str {
    match field {
        Field::Task => "task",
        Field::Title => "title",
        Field::ExpectedOutput => "expected_output",
        Field::TimeFrame => "time_frame",
        Field::Group => "group",
        Field::Reason => "reason",
    }
}

fn new_change(
    program_id: i64,
    task_code: Option<String>,
    kind: ChangeKind,
    username: &str,
    input: &ProposalInput,
) -> NewChange {
    let some = |text: &str| Some(text.to_owned()).filter(|t| !t.trim().is_empty());
    NewChange {
        program_id,
        task_code,
        kind,
        proposed_by_agency: input.agency.clone(),
        proposed_by: username.to_owned(),
        reason: input.reason.clone(),
        proposal: Proposal {
            title: some(&input.title)
                .filter(|_| matches!(kind, ChangeKind::Add | ChangeKind::Amend)),
            expected_output: some(&input.expected_output)
                .filter(|_| matches!(kind, ChangeKind::Add | ChangeKind::Amend)),
            time_frame: some(&input.time_frame)
                .filter(|_| matches!(kind, ChangeKind::Add | ChangeKind::Retime)),
            group: some(&input.group).filter(|_| kind == ChangeKind::Add),
        },
    }
}

fn field_errors(list: Vec<changes::FieldError>) -> Vec<FieldError> {
    list.into_iter()
        .map(|e| FieldError {
            field: change_field_name(e.field).to_owned(),
            message: e.message,
        })
        .collect()
}

/// Proposes to amend, re-time or drop task `code` on behalf of `input.agency`, which must be
/// assigned to it; returns the request's id.
pub async fn propose_task_change(
    actor: &Actor<'_>,
    program_id: i64,
    code: &str,
    input: &ProposalInput,
) -> Result<i64> {
    let directory = actor.programs.directory_with_units().await?;
    dongbo_store::tasks::get(&actor.programs.db, program_id, code)
        .await?
        .ok_or(Error::NotFound)?;
    let assigned = actor.programs.task_assignments(program_id, code).await?;
    let agencies = proposing_agencies(actor.caller, &directory, &assigned);
    if !agencies.contains(&input.agency) {
        return Err(Error::Forbidden);
    }
    let kind = match ChangeKind::parse(&input.kind) {
        Some(kind @ (ChangeKind::Amend | ChangeKind::Retime | ChangeKind::Drop)) => kind,
        _ => return Err(Error::BadRequest(format!("unknown kind «{}»", input.kind))),
    };
    let new = new_change(
        program_id,
        Some(code.to_owned()),
        kind,
        actor.username(),
        input,
    );
    let errors = field_errors(changes::validate(&new));
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Ok(changes::propose(&actor.programs.db, &new).await?)
}

/// Proposes a new task in group `input.group` of program `program_id`, on behalf of
/// `input.agency`; returns the request's id.
pub async fn propose_new_task(
    actor: &Actor<'_>,
    program_id: i64,
    input: &ProposalInput,
) -> Result<i64> {
    let directory = actor.programs.directory_with_units().await?;
    if !adding_agencies(actor.caller, &directory).contains(&input.agency) {
        return Err(Error::Forbidden);
    }
    let new = new_change(program_id, None, ChangeKind::Add, actor.username(), input);
    let mut errors = field_errors(changes::validate(&new));
    let program = actor.programs.program_now(program_id).await?;
    if !input.group.is_empty() && !program.groups.iter().any(|g| g.code == input.group) {
        errors.retain(|e| e.field != "group");
        errors.push(FieldError {
            field: "group".to_owned(),
            message: actor
                .t(
                    "Chương trình không có nhóm này.",
                    "The program has no such group.",
                )
                .to_owned(),
        });
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Ok(changes::propose(&actor.programs.db, &new).await?)
}

/// The coordinator's decision on a change request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    /// "approve" or "reject".
    pub fn parse(text: &str) -> Result<Decision> {
        match text {
            "approve" => Ok(Decision::Approve),
            "reject" => Ok(Decision::Reject),
            other => Err(Error::BadRequest(format!("unknown decision «{other}»"))),
        }
    }
}

/// The change request `request_id` of program `program_id`.
async fn request_of(actor: &Actor<'_>, program_id: i64, request_id: i64) -> Result<ChangeRequest> {
    changes::get(&actor.programs.db, request_id)
        .await?
        .filter(|r| r.program_id == program_id)
        .ok_or(Error::NotFound)
}

/// Approves or rejects a change request (a rejection says why, in `note`).
pub async fn decide_change(
    actor: &Actor<'_>,
    program_id: i64,
    request_id: i64,
    decision: &str,
    note: &str,
) -> Result<ChangeRequest> {
    let directory = actor.programs.directory_with_units().await?;
    let request = request_of(actor, program_id, request_id).await?;
    let decider = crate::views::coordinating_agency_of(actor.programs, program_id).await?;
    actor.require(Action::DecideChangeRequest, &decider, &directory)?;
    let db = &actor.programs.db;
    let username = actor.username();
    let decided = match Decision::parse(decision)? {
        Decision::Approve => changes::approve(db, request.id, username, note, &directory).await?,
        Decision::Reject => {
            if note.trim().is_empty() {
                return Err(Error::field(
                    "note",
                    actor.t("Cần nêu lý do từ chối.", "Say why the request is rejected."),
                ));
            }
            changes::reject(db, request.id, username, note).await?
        }
    };
    Ok(decided)
}

/// The proposer (or whoever plans for the proposing agency) takes a request back.
pub async fn withdraw_change(
    actor: &Actor<'_>,
    program_id: i64,
    request_id: i64,
) -> Result<ChangeRequest> {
    let directory = actor.programs.directory_with_units().await?;
    let request = request_of(actor, program_id, request_id).await?;
    if !may_withdraw(actor.caller, &request, &directory) {
        return Err(Error::Forbidden);
    }
    Ok(changes::withdraw(&actor.programs.db, request_id, actor.username()).await?)
}

// ---------------------------------------------------------------------------------------------

/// The change requests of program `program_id`, newest first.
pub async fn for_program(
    programs: &crate::Programs,
    program_id: i64,
) -> Result<Vec<ChangeRequest>> {
    Ok(changes::for_program(&programs.db, program_id, None).await?)
}
