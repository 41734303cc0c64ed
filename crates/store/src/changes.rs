//! Change requests (đề xuất điều chỉnh) — an agency proposes to add, amend, drop or re-time a
//! task of a program, with a reason; the coordinator approves or rejects it with a note; an
//! approval changes the program's tasks, re-syncs its assignments, writes the task's history
//! and appends to the audit log, all in one transaction.
//!
//! Two deciders at once: a decision reads the request first and then sets its status with a
//! compare-and-set (`… WHERE status = 'pending'`) inside the write transaction. A request that
//! was already decided when read is [`StoreError::WrongState`]; one decided by someone else
//! between the read and the write is [`StoreError::Conflict`], and nothing of the loser's
//! decision is applied.

use std::collections::BTreeMap;

use dongbo_domain::clock;
use dongbo_domain::text::nfc;
use dongbo_domain::{Directory, Resolution, Task, TimeFrame};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::codec::{col, enum_from_text, now};
use crate::{Context, Db, Result, StoreError};

/// What a change request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Thêm — a new task in a group.
    Add,
    /// Sửa — a new title or expected output.
    Amend,
    /// Bỏ — the task is removed, with its assignments.
    Drop,
    /// Điều chỉnh thời gian — a new time frame.
    Retime,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 4] = [
        ChangeKind::Add,
        ChangeKind::Amend,
        ChangeKind::Drop,
        ChangeKind::Retime,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Add => "add",
            ChangeKind::Amend => "amend",
            ChangeKind::Drop => "drop",
            ChangeKind::Retime => "retime",
        }
    }

    pub fn parse(text: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// Where a change request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    Pending,
    Approved,
    Rejected,
    Withdrawn,
}

impl ChangeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeStatus::Pending => "pending",
            ChangeStatus::Approved => "approved",
            ChangeStatus::Rejected => "rejected",
            ChangeStatus::Withdrawn => "withdrawn",
        }
    }
}

/// The new values a request asks for; which ones count depends on its [`ChangeKind`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// New title (amend, add).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New expected output (amend, add).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_output: Option<String>,
    /// New time frame as a person writes it (retime, add).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_frame: Option<String>,
    /// The group a new task goes in (add).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A request as a proposer makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChange {
    pub program_id: i64,
    /// The task concerned; `None` for an add.
    pub task_code: Option<String>,
    pub kind: ChangeKind,
    /// The agency that proposes (and, for an add, leads the new task).
    pub proposed_by_agency: String,
    /// The username of the person who proposes.
    pub proposed_by: String,
    pub reason: String,
    pub proposal: Proposal,
}

/// A form field a validation message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Task,
    Title,
    ExpectedOutput,
    TimeFrame,
    Group,
    Reason,
}

/// Why a proposal is refused, by field (Vietnamese, then English in brackets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

/// A stored change request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeRequest {
    pub id: i64,
    pub program_id: i64,
    /// The task concerned; for an add, `None` until approved, then the new task's code.
    pub task_code: Option<String>,
    pub kind: ChangeKind,
    pub proposed_by_agency: String,
    pub proposed_by: String,
    pub reason: String,
    pub proposal: Proposal,
    pub status: ChangeStatus,
    pub decided_by: Option<String>,
    /// RFC 3339, UTC.
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// What an approved change did to a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub program_id: i64,
    pub task_code: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub change_request_id: i64,
    /// The task before (`None` for an add).
    pub before: Option<Task>,
    /// The task after (`None` for a drop).
    pub after: Option<Task>,
}

/// A task's requests (newest first) and its history (oldest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TaskChanges {
    pub requests: Vec<ChangeRequest>,
    pub history: Vec<HistoryEntry>,
}

fn trimmed(text: Option<&str>) -> Option<String> {
    text.map(|t| nfc(t.trim())).filter(|t| !t.is_empty())
}

/// The request with its text trimmed and in NFC, and empty values dropped.
fn normalised(new: &NewChange) -> NewChange {
    NewChange {
        program_id: new.program_id,
        task_code: trimmed(new.task_code.as_deref()),
        kind: new.kind,
        proposed_by_agency: new.proposed_by_agency.trim().to_owned(),
        proposed_by: new.proposed_by.trim().to_owned(),
        reason: nfc(new.reason.trim()),
        proposal: Proposal {
            title: trimmed(new.proposal.title.as_deref()),
            expected_output: trimmed(new.proposal.expected_output.as_deref()),
            time_frame: trimmed(new.proposal.time_frame.as_deref()),
            group: trimmed(new.proposal.group.as_deref()),
        },
    }
}

/// What is wrong with `new` on its own (without looking at the stored program): the fields a
/// form should mark. Empty when it may be proposed.
pub fn validate(new: &NewChange) -> Vec<FieldError> {
    let new = normalised(new);
    let mut errors = Vec::new();
    let mut error = |field, message: &str| {
        errors.push(FieldError {
            field,
            message: message.to_owned(),
        });
    };
    if new.reason.is_empty() {
        error(
            Field::Reason,
            "Cần nêu lý do đề xuất (a reason is required)",
        );
    }
    match new.kind {
        ChangeKind::Add => {
            if new.proposal.title.is_none() {
                error(
                    Field::Title,
                    "Nhiệm vụ mới cần có tên (a new task needs a title)",
                );
            }
            if new.proposal.group.is_none() {
                error(
                    Field::Group,
                    "Cần chọn nhóm nhiệm vụ (choose the task group)",
                );
            }
        }
        ChangeKind::Amend => {
            if new.task_code.is_none() {
                error(Field::Task, "Cần chọn nhiệm vụ (choose a task)");
            }
            if new.proposal.title.is_none() && new.proposal.expected_output.is_none() {
                error(
                    Field::Title,
                    "Cần nêu tên mới hoặc kết quả mới (give a new title or expected output)",
                );
            }
        }
        ChangeKind::Drop => {
            if new.task_code.is_none() {
                error(Field::Task, "Cần chọn nhiệm vụ (choose a task)");
            }
        }
        ChangeKind::Retime => {
            if new.task_code.is_none() {
                error(Field::Task, "Cần chọn nhiệm vụ (choose a task)");
            }
        }
    }
    if matches!(new.kind, ChangeKind::Add | ChangeKind::Retime) {
        match &new.proposal.time_frame {
            None => error(
                Field::TimeFrame,
                "Cần nêu thời gian thực hiện (a time frame is required)",
            ),
            Some(text) if !TimeFrame::parse(text).is_parsed() => error(
                Field::TimeFrame,
                "Không hiểu thời gian này; viết ví dụ «2025», «Quý II/2025», «2024 - 2026», \
                 «Đến năm 2030», «Hằng năm» (time frame not understood; write e.g. 2025, \
                 Q2 2025, 2024 - 2026, by 2030, annually)",
            ),
            Some(_) => {}
        }
    }
    errors
}

fn invalid(errors: &[FieldError]) -> StoreError {
    StoreError::Invalid(
        errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// Records `new` as a pending request and returns its id. Refused, changing nothing, when
/// [`validate`] finds something wrong, the program or (for amend, drop, retime) the task does
/// not exist, or (for add) the group does not exist.
pub async fn propose(db: &Db, new: &NewChange) -> Result<i64> {
    let errors = validate(new);
    if !errors.is_empty() {
        return Err(invalid(&errors));
    }
    let new = normalised(new);
    if new.proposed_by_agency.is_empty() || new.proposed_by.is_empty() {
        return Err(StoreError::Invalid(
            "a change request needs the proposing agency and person".to_owned(),
        ));
    }
    let doing = format!(
        "proposing to {} {} in program {}",
        new.kind.as_str(),
        new.task_code.as_deref().unwrap_or("a task"),
        new.program_id
    );
    let mut tx = db.begin_write(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    let program = sqlx::query("SELECT id FROM programs WHERE id = $1")
        .bind(new.program_id)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.clone())?;
    if program.is_none() {
        return Err(StoreError::NotFound(format!("program {}", new.program_id)));
    }
    let task_code = match new.kind {
        ChangeKind::Add => {
            let group = new.proposal.group.as_deref().unwrap_or_default();
            if !crate::tasks::group_exists(conn, new.program_id, group, &doing).await? {
                return Err(StoreError::Invalid(format!(
                    "Chương trình không có nhóm nhiệm vụ {group} (the program has no task \
                     group {group})"
                )));
            }
            None
        }
        _ => {
            let code = new.task_code.clone().unwrap_or_default();
            if task_in(conn, new.program_id, &code, &doing)
                .await?
                .is_none()
            {
                return Err(StoreError::Invalid(format!(
                    "Chương trình không có nhiệm vụ {code} (the program has no task {code})"
                )));
            }
            Some(code)
        }
    };
    let proposal = serde_json::to_string(&new.proposal).unwrap_or_else(|_| "{}".to_owned());
    let created_at = now();
    let row = sqlx::query(
        "INSERT INTO change_requests (program_id, task_code, kind, proposed_by_agency, \
            proposed_by, reason, proposal, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8) RETURNING id",
    )
    .bind(new.program_id)
    .bind(&task_code)
    .bind(new.kind.as_str())
    .bind(&new.proposed_by_agency)
    .bind(&new.proposed_by)
    .bind(&new.reason)
    .bind(&proposal)
    .bind(&created_at)
    .fetch_one(&mut *conn)
    .await
    .context(|| doing.clone())?;
    let id: i64 = col(&row, "id", &doing)?;
    crate::audit::append(
        conn,
        clock::now(),
        &crate::audit::AuditEntry {
            actor: new.proposed_by.clone(),
            action: "change_request.propose".to_owned(),
            entity: "change_request".to_owned(),
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "program_id": new.program_id,
                "task_code": task_code,
                "kind": new.kind.as_str(),
                "agency": new.proposed_by_agency,
                "reason": new.reason,
                "proposal": new.proposal,
                "status": "pending",
            })),
        },
    )
    .await?;
    // The program's pages show its requests: servers read them again.
    crate::dashboard::bump_version(conn, new.program_id).await?;
    tx.commit().await.context(|| doing.clone())?;
    tracing::info!(
        change_request.id = id,
        program.id = new.program_id,
        task.code = task_code.as_deref().unwrap_or(""),
        change_request.kind = new.kind.as_str(),
        agency.code = %new.proposed_by_agency,
        "change request proposed"
    );
    Ok(id)
}

/// Approves the pending request `id`: applies it to the program's tasks, keeps the task's
/// history, re-syncs the program's assignments and appends to the audit log, all or nothing.
/// A drop is refused while the task has progress reports or plan tasks carrying it out: those
/// would go with it, and nothing is lost silently.
pub async fn approve(
    db: &Db,
    id: i64,
    decided_by: &str,
    note: &str,
    directory: &Directory,
) -> Result<ChangeRequest> {
    let doing = format!("approving change request {id}");
    let request = pending(db, id, &doing).await?;
    let note = trimmed(Some(note));
    let mut tx = db.begin_write(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    // A re-import of the program waits for this decision, or this one for it.
    crate::programs::lock_program(conn, request.program_id, &doing).await?;
    let decided_at = now();
    decide(
        conn,
        id,
        ChangeStatus::Approved,
        decided_by,
        &decided_at,
        note.as_deref(),
        &doing,
    )
    .await?;
    let (code, before, after) = apply(conn, &request, directory, &doing).await?;
    if request.kind == ChangeKind::Add {
        sqlx::query("UPDATE change_requests SET task_code = $1 WHERE id = $2")
            .bind(&code)
            .bind(id)
            .execute(&mut *conn)
            .await
            .context(|| doing.clone())?;
    }
    sqlx::query(
        "INSERT INTO task_history (program_id, task_code, at, change_request_id, before_json, \
            after_json) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(request.program_id)
    .bind(&code)
    .bind(&decided_at)
    .bind(id)
    .bind(before.as_ref().map(task_json))
    .bind(after.as_ref().map(task_json))
    .execute(&mut *conn)
    .await
    .context(|| format!("{doing}: the task's history"))?;
    crate::assignments::sync_in(conn, request.program_id, directory, &doing).await?;
    crate::audit::append(
        conn,
        clock::now(),
        &crate::audit::AuditEntry {
            actor: decided_by.to_owned(),
            action: "change_request.approve".to_owned(),
            entity: "change_request".to_owned(),
            entity_id: id.to_string(),
            before: Some(serde_json::json!({
                "status": "pending",
                "program_id": request.program_id,
                "task_code": code,
                "kind": request.kind.as_str(),
                "task": before,
            })),
            after: Some(serde_json::json!({
                "status": "approved",
                "note": note,
                "task": after,
            })),
        },
    )
    .await?;
    let decided = load(conn, id, &doing)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("change request {id}")))?;
    let title = after.as_ref().or(before.as_ref()).map(|t| t.title.clone());
    raise_decision(conn, &decided, title, &doing).await?;
    tx.commit().await.context(|| doing.clone())?;
    tracing::info!(
        change_request.id = id,
        program.id = request.program_id,
        task.code = %code,
        change_request.kind = request.kind.as_str(),
        "change request approved"
    );
    Ok(decided)
}

/// Rejects the pending request `id`; a note saying why is required.
pub async fn reject(db: &Db, id: i64, decided_by: &str, note: &str) -> Result<ChangeRequest> {
    let note = trimmed(Some(note)).ok_or_else(|| {
        StoreError::Invalid("Cần nêu lý do từ chối (a note saying why is required)".to_owned())
    })?;
    close(db, id, ChangeStatus::Rejected, decided_by, Some(&note)).await
}

/// Withdraws the pending request `id` (its proposer changed their mind).
pub async fn withdraw(db: &Db, id: i64, by: &str) -> Result<ChangeRequest> {
    close(db, id, ChangeStatus::Withdrawn, by, None).await
}

/// Ends a pending request without applying it.
async fn close(
    db: &Db,
    id: i64,
    status: ChangeStatus,
    by: &str,
    note: Option<&str>,
) -> Result<ChangeRequest> {
    let verb = match status {
        ChangeStatus::Withdrawn => "withdraw",
        _ => "reject",
    };
    let doing = format!("{verb}ing change request {id}");
    let request = pending(db, id, &doing).await?;
    let mut tx = db.begin_write(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    decide(conn, id, status, by, &now(), note, &doing).await?;
    crate::audit::append(
        conn,
        clock::now(),
        &crate::audit::AuditEntry {
            actor: by.to_owned(),
            action: format!("change_request.{verb}"),
            entity: "change_request".to_owned(),
            entity_id: id.to_string(),
            before: Some(serde_json::json!({
                "status": "pending",
                "program_id": request.program_id,
                "task_code": request.task_code,
                "kind": request.kind.as_str(),
            })),
            after: Some(serde_json::json!({ "status": status.as_str(), "note": note })),
        },
    )
    .await?;
    crate::dashboard::bump_version(conn, request.program_id).await?;
    let decided = load(conn, id, &doing)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("change request {id}")))?;
    raise_decision(conn, &decided, None, &doing).await?;
    tx.commit().await.context(|| doing.clone())?;
    tracing::info!(
        change_request.id = id,
        change_request.status = status.as_str(),
        "change request closed"
    );
    Ok(decided)
}

/// Tells the proposing agency of a decision on its request, at once and in the decision's
/// transaction (`notifications::raise_in`); a withdrawal, its own act, tells no one.
async fn raise_decision(
    conn: &mut AnyConnection,
    decided: &ChangeRequest,
    task_title: Option<String>,
    doing: &str,
) -> Result<()> {
    use crate::notifications::{Event, EventKind};
    let kind = match decided.status {
        ChangeStatus::Approved => EventKind::ChangeApproved,
        ChangeStatus::Rejected => EventKind::ChangeRejected,
        ChangeStatus::Pending | ChangeStatus::Withdrawn => return Ok(()),
    };
    let event = Event {
        kind,
        subject: format!("change:{}", decided.id),
        agency_code: decided.proposed_by_agency.clone(),
        program_id: decided.program_id,
        task_code: decided.task_code.clone(),
        task_title,
        sequence: 1,
        comment: decided.decision_note.clone(),
        link: format!("/programs/{}/changes", decided.program_id),
    };
    crate::notifications::raise_in(conn, &event, clock::now(), doing).await
}

/// The request `id`, which must still be pending.
async fn pending(db: &Db, id: i64, doing: &str) -> Result<ChangeRequest> {
    let request = get(db, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("change request {id}")))?;
    if request.status != ChangeStatus::Pending {
        return Err(StoreError::WrongState(format!(
            "Đề xuất {id} đã được xử lý («{}»), không quyết định lại được ({doing}: the request \
             is already {})",
            status_vi(request.status),
            request.status.as_str()
        )));
    }
    Ok(request)
}

fn status_vi(status: ChangeStatus) -> &'static str {
    match status {
        ChangeStatus::Pending => "chờ quyết định",
        ChangeStatus::Approved => "đã chấp thuận",
        ChangeStatus::Rejected => "đã từ chối",
        ChangeStatus::Withdrawn => "đã rút",
    }
}

/// Sets the decision if the request is still pending; otherwise someone decided first.
async fn decide(
    conn: &mut AnyConnection,
    id: i64,
    status: ChangeStatus,
    by: &str,
    at: &str,
    note: Option<&str>,
    doing: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE change_requests SET status = $1, decided_by = $2, decided_at = $3, \
            decision_note = $4 WHERE id = $5 AND status = 'pending'",
    )
    .bind(status.as_str())
    .bind(by)
    .bind(at)
    .bind(note)
    .bind(id)
    .execute(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "Đề xuất {id} vừa được người khác xử lý; hãy tải lại trang (someone else decided \
             change request {id} first; reload the page)"
        )));
    }
    Ok(())
}

fn task_json(task: &Task) -> String {
    serde_json::to_string(task).unwrap_or_else(|_| "null".to_owned())
}

/// Applies an approved request to the tasks; returns the task's code and the task before and
/// after.
async fn apply(
    conn: &mut AnyConnection,
    request: &ChangeRequest,
    directory: &Directory,
    doing: &str,
) -> Result<(String, Option<Task>, Option<Task>)> {
    let program_id = request.program_id;
    let proposal = &request.proposal;
    let code = request.task_code.clone().unwrap_or_default();
    let still_there = |found: Option<(i64, usize, Task)>| {
        found.ok_or_else(|| {
            StoreError::Invalid(format!(
                "Nhiệm vụ {code} không còn trong chương trình (task {code} is no longer in the \
                 program)"
            ))
        })
    };
    match request.kind {
        ChangeKind::Add => {
            let task = add_task(conn, request, directory, doing).await?;
            Ok((task.code.clone(), None, Some(task)))
        }
        ChangeKind::Drop => {
            let (task_id, _, before) = still_there(task_in(conn, program_id, &code, doing).await?)?;
            refuse_losing_work(conn, task_id, &code, doing).await?;
            sqlx::query("DELETE FROM tasks WHERE id = $1")
                .bind(task_id)
                .execute(&mut *conn)
                .await
                .context(|| format!("{doing}: removing task {code}"))?;
            Ok((code, Some(before), None))
        }
        ChangeKind::Amend | ChangeKind::Retime => {
            let (task_id, index, before) =
                still_there(task_in(conn, program_id, &code, doing).await?)?;
            let mut after = before.clone();
            if let Some(title) = &proposal.title {
                after.title.clone_from(title);
            }
            if let Some(output) = &proposal.expected_output {
                after.expected_output = Some(output.clone());
            }
            if request.kind == ChangeKind::Retime {
                after.time_frame =
                    TimeFrame::parse(proposal.time_frame.as_deref().unwrap_or_default());
            }
            crate::tasks::update(conn, task_id, index, &after, doing).await?;
            Ok((code, Some(before), Some(after)))
        }
    }
}

/// Refuses to drop a task that has progress reports or plan tasks carrying it out.
async fn refuse_losing_work(
    conn: &mut AnyConnection,
    task_id: i64,
    code: &str,
    doing: &str,
) -> Result<()> {
    let reports: i64 = col(
        &sqlx::query(
            "SELECT COUNT(*) AS n FROM progress_reports r \
             JOIN assignments a ON a.id = r.assignment_id WHERE a.task_id = $1",
        )
        .bind(task_id)
        .fetch_one(&mut *conn)
        .await
        .context(|| doing.to_owned())?,
        "n",
        doing,
    )?;
    let derived: i64 = col(
        &sqlx::query("SELECT COUNT(*) AS n FROM task_links WHERE parent_task_id = $1")
            .bind(task_id)
            .fetch_one(&mut *conn)
            .await
            .context(|| doing.to_owned())?,
        "n",
        doing,
    )?;
    if reports > 0 || derived > 0 {
        return Err(StoreError::Invalid(format!(
            "Nhiệm vụ {code} đã có {reports} báo cáo tiến độ và {derived} nhiệm vụ trong kế \
             hoạch của các cơ quan; không bỏ được (task {code} has {reports} progress reports \
             and {derived} plan tasks carrying it out; it cannot be dropped)"
        )));
    }
    Ok(())
}

/// Inserts the task an approved "add" asks for: the next free code of its group, after the
/// group's last task, led by the proposing agency.
async fn add_task(
    conn: &mut AnyConnection,
    request: &ChangeRequest,
    directory: &Directory,
    doing: &str,
) -> Result<Task> {
    let program_id = request.program_id;
    let group = request.proposal.group.clone().unwrap_or_default();
    if !crate::tasks::group_exists(conn, program_id, &group, doing).await? {
        return Err(StoreError::Invalid(format!(
            "Chương trình không còn nhóm nhiệm vụ {group} (the program no longer has task group \
             {group})"
        )));
    }
    let rows = sqlx::query("SELECT code, group_code, position FROM tasks WHERE program_id = $1")
        .bind(program_id)
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    let mut taken = std::collections::HashSet::new();
    let mut in_group = Vec::new();
    let mut last_position: i64 = -1;
    let mut group_last: Option<i64> = None;
    for row in &rows {
        let code: String = col(row, "code", doing)?;
        let group_code: String = col(row, "group_code", doing)?;
        let position: i64 = col(row, "position", doing)?;
        last_position = last_position.max(position);
        if group_code == group {
            group_last = Some(group_last.map_or(position, |p| p.max(position)));
            in_group.push(code.clone());
        }
        taken.insert(code);
    }
    let code = next_code(&group, &in_group, &taken);
    let index = group_last.unwrap_or(last_position) + 1;
    sqlx::query(
        "UPDATE tasks SET position = position + 1 WHERE program_id = $1 AND position >= $2",
    )
    .bind(program_id)
    .bind(index)
    .execute(&mut *conn)
    .await
    .context(|| format!("{doing}: making room for task {code}"))?;
    let agency = &request.proposed_by_agency;
    let lead_text = directory
        .agency(agency)
        .map_or_else(|| agency.clone(), |a| a.name_vi.clone());
    let task = Task {
        code,
        group,
        title: request.proposal.title.clone().unwrap_or_default(),
        expected_output: request.proposal.expected_output.clone(),
        lead: Resolution {
            text: lead_text,
            agencies: vec![agency.clone()],
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
        time_frame: TimeFrame::parse(request.proposal.time_frame.as_deref().unwrap_or_default()),
        draft: false,
        language: None,
        source: Some(format!("change request {}", request.id)),
    };
    crate::tasks::insert(
        conn,
        program_id,
        usize::try_from(index).unwrap_or(0),
        &task,
        doing,
    )
    .await?;
    Ok(task)
}

/// The next free code in a group: its tasks' common prefix ("3" for "3.1"…"3.21") and one
/// more than their highest number ("3.22"); the group's code and ".1" for an empty group.
fn next_code(
    group: &str,
    in_group: &[String],
    taken: &std::collections::HashSet<String>,
) -> String {
    let numbered: Vec<(&str, u32)> = in_group
        .iter()
        .filter_map(|c| {
            let (prefix, number) = c.rsplit_once('.')?;
            Some((prefix, number.parse::<u32>().ok()?))
        })
        .collect();
    let prefix = numbered.first().map_or(group, |(p, _)| p);
    let mut next = numbered
        .iter()
        .filter(|(p, _)| *p == prefix)
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(0)
        + 1;
    loop {
        let code = format!("{prefix}.{next}");
        if !taken.contains(&code) {
            return code;
        }
        next += 1;
    }
}

/// The task `code` of `program_id`: its id, its index in the program and the task.
async fn task_in(
    conn: &mut AnyConnection,
    program_id: i64,
    code: &str,
    doing: &str,
) -> Result<Option<(i64, usize, Task)>> {
    let row = sqlx::query("SELECT id, position FROM tasks WHERE program_id = $1 AND code = $2")
        .bind(program_id)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = col(&row, "id", doing)?;
    let position: i64 = col(&row, "position", doing)?;
    let mut tasks = crate::tasks::load_by_ids(conn, &[id], doing).await?;
    let task = tasks
        .remove(&id)
        .ok_or_else(|| StoreError::NotFound(format!("task {code} of program {program_id}")))?;
    Ok(Some((id, usize::try_from(position).unwrap_or(0), task)))
}

const REQUEST_COLUMNS: &str = "id, program_id, task_code, kind, proposed_by_agency, proposed_by, \
     reason, proposal, status, decided_by, decided_at, decision_note, created_at";

fn request_from_row(row: &AnyRow, doing: &str) -> Result<ChangeRequest> {
    let kind: String = col(row, "kind", doing)?;
    let status: String = col(row, "status", doing)?;
    let proposal: String = col(row, "proposal", doing)?;
    Ok(ChangeRequest {
        id: col(row, "id", doing)?,
        program_id: col(row, "program_id", doing)?,
        task_code: col(row, "task_code", doing)?,
        kind: enum_from_text(&kind, doing)?,
        proposed_by_agency: col(row, "proposed_by_agency", doing)?,
        proposed_by: col(row, "proposed_by", doing)?,
        reason: col(row, "reason", doing)?,
        proposal: serde_json::from_str(&proposal).map_err(|e| StoreError::Corrupt {
            context: doing.to_owned(),
            message: format!("bad proposal «{proposal}»: {e}"),
        })?,
        status: enum_from_text(&status, doing)?,
        decided_by: col(row, "decided_by", doing)?,
        decided_at: col(row, "decided_at", doing)?,
        decision_note: col(row, "decision_note", doing)?,
        created_at: col(row, "created_at", doing)?,
    })
}

async fn load(conn: &mut AnyConnection, id: i64, doing: &str) -> Result<Option<ChangeRequest>> {
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM change_requests WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.to_owned())?
        .map(|row| request_from_row(&row, doing))
        .transpose()
}

/// The change request `id`.
pub async fn get(db: &Db, id: i64) -> Result<Option<ChangeRequest>> {
    let doing = format!("reading change request {id}");
    let mut tx = db.read(&doing).await?;
    load(&mut tx, id, &doing).await
}

/// The requests of a program, pending first, then newest first; only those with `status`
/// when given.
pub async fn for_program(
    db: &Db,
    program_id: i64,
    status: Option<ChangeStatus>,
) -> Result<Vec<ChangeRequest>> {
    let doing = format!("reading the change requests of program {program_id}");
    let mut tx = db.read(&doing).await?;
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM change_requests \
         WHERE program_id = $1 AND ($2 = '' OR status = $2) \
         ORDER BY CASE status WHEN 'pending' THEN 0 ELSE 1 END, id DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(program_id)
        .bind(status.map_or("", ChangeStatus::as_str))
        .fetch_all(&mut *tx)
        .await
        .context(|| doing.clone())?;
    rows.iter()
        .map(|row| request_from_row(row, &doing))
        .collect()
}

/// The requests about task `code` of `program_id` (newest first) and what approved ones did
/// to it (oldest first).
pub async fn for_task(db: &Db, program_id: i64, code: &str) -> Result<TaskChanges> {
    let doing = format!("reading the changes of task {code} of program {program_id}");
    Ok(read_by_task(db, program_id, Some(code), &doing)
        .await?
        .remove(code)
        .unwrap_or_default())
}

/// [`for_task`] of every task of `program_id` with a request or a history, by task code, in
/// one read (requests that add a task have no code until approved, and are left out).
pub async fn by_task(db: &Db, program_id: i64) -> Result<BTreeMap<String, TaskChanges>> {
    let doing = format!("reading the changes of the tasks of program {program_id}");
    read_by_task(db, program_id, None, &doing).await
}

async fn read_by_task(
    db: &Db,
    program_id: i64,
    code: Option<&str>,
    doing: &str,
) -> Result<BTreeMap<String, TaskChanges>> {
    let mut tx = db.read(doing).await?;
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM change_requests \
         WHERE program_id = $1 AND task_code IS NOT NULL AND ($2 = '' OR task_code = $2) \
         ORDER BY id DESC"
    );
    let requests = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(program_id)
        .bind(code.unwrap_or(""))
        .fetch_all(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    let rows = sqlx::query(
        "SELECT id, program_id, task_code, at, change_request_id, before_json, after_json \
         FROM task_history WHERE program_id = $1 AND ($2 = '' OR task_code = $2) ORDER BY id",
    )
    .bind(program_id)
    .bind(code.unwrap_or(""))
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.to_owned())?;
    let task = |text: Option<String>| -> Result<Option<Task>> {
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| StoreError::Corrupt {
                context: doing.to_owned(),
                message: format!("bad task in history: {e}"),
            })
        })
        .transpose()
    };
    let mut by_task: BTreeMap<String, TaskChanges> = BTreeMap::new();
    for row in &requests {
        let request = request_from_row(row, doing)?;
        let code = request.task_code.clone().unwrap_or_default();
        by_task.entry(code).or_default().requests.push(request);
    }
    for row in &rows {
        let entry = HistoryEntry {
            id: col(row, "id", doing)?,
            program_id: col(row, "program_id", doing)?,
            task_code: col(row, "task_code", doing)?,
            at: col(row, "at", doing)?,
            change_request_id: col(row, "change_request_id", doing)?,
            before: task(col(row, "before_json", doing)?)?,
            after: task(col(row, "after_json", doing)?)?,
        };
        by_task
            .entry(entry.task_code.clone())
            .or_default()
            .history
            .push(entry);
    }
    Ok(by_task)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::enum_text;

    #[test]
    fn kinds_are_stored_by_their_serde_names() {
        for kind in ChangeKind::ALL {
            assert_eq!(enum_text(&kind), kind.as_str());
            assert_eq!(ChangeKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn the_next_code_follows_the_highest_of_the_group() {
        let in_group: Vec<String> = ["3.1", "3.2", "3.21", "3.9"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let taken = in_group.iter().cloned().collect();
        assert_eq!(next_code("3", &in_group, &taken), "3.22");
        assert_eq!(
            next_code("6", &[], &std::collections::HashSet::new()),
            "6.1"
        );
    }

    #[test]
    fn a_retime_that_does_not_parse_is_refused_on_the_time_frame_field() {
        let new = NewChange {
            program_id: 1,
            task_code: Some("3.21".into()),
            kind: ChangeKind::Retime,
            proposed_by_agency: "BNG".into(),
            proposed_by: "a".into(),
            reason: "  ".into(),
            proposal: Proposal {
                time_frame: Some("sớm nhất có thể".into()),
                ..Proposal::default()
            },
        };
        let fields: Vec<Field> = validate(&new).iter().map(|e| e.field).collect();
        assert_eq!(fields, [Field::Reason, Field::TimeFrame]);
    }
}
