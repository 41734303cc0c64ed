//! The library topics a task is about: what its page's "items on its topics" are read by. A
//! task is about its group's topics as `data/library/topics.toml` ships them
//! ([`dongbo_domain::library::topics_of_group`]) until its program's coordinator tags it; from
//! then on, about the topics chosen (none, if that was the choice).

use dongbo_domain::access::Action;
use dongbo_domain::library::topics_of_group;

use crate::{Actor, Error, FieldError, Programs, Result};

/// A task's topics and where they come from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TaskTopics {
    /// Topic codes, in the order chosen.
    pub codes: Vec<String>,
    /// They are its group's (no one has tagged the task yet).
    pub from_group: bool,
}

/// The topics of task `code` of program `program_id`; `NotFound` when it has no such task.
pub async fn of_task(programs: &Programs, program_id: i64, code: &str) -> Result<TaskTopics> {
    let program = programs.program_now(program_id).await?;
    let group = program
        .groups
        .iter()
        .find(|g| g.tasks.iter().any(|t| t.code == code))
        .ok_or(Error::NotFound)?;
    Ok(
        match dongbo_store::library::topics::of_task(&programs.db, program_id, code).await? {
            Some(codes) => TaskTopics {
                codes,
                from_group: false,
            },
            None => TaskTopics {
                codes: topics_of_group(program.number.as_deref(), &group.code),
                from_group: true,
            },
        },
    )
}

/// Whether the caller may tag the tasks of program `program_id`: its coordinator (who decides
/// its change requests) or an admin above it.
pub async fn may_tag(programs: &Programs, caller: &crate::Caller, program_id: i64) -> Result<bool> {
    let directory = programs.directory_with_units().await?;
    let coordinator = crate::views::coordinating_agency_of(programs, program_id).await?;
    Ok(caller.can(Action::DecideChangeRequest, &coordinator, &directory))
}

/// Tags task `code` of program `program_id` with `topics` (codes of the library's vocabulary;
/// none is a choice too), replacing its group's or what it had. 404 → 403 → 422, audited.
pub async fn set_for_task(
    actor: &Actor<'_>,
    program_id: i64,
    code: &str,
    topics: &[String],
) -> Result<TaskTopics> {
    of_task(actor.programs, program_id, code).await?;
    if !may_tag(actor.programs, actor.caller, program_id).await? {
        return Err(Error::Forbidden);
    }
    let known: Vec<String> = dongbo_store::library::topics::all(&actor.programs.db)
        .await?
        .into_iter()
        .map(|t| t.topic.code)
        .collect();
    let mut codes: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for topic in topics.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if !known.iter().any(|k| k == topic) {
            errors.push(FieldError {
                field: "topics".to_owned(),
                message: format!(
                    "{} «{topic}» ({})",
                    actor.t("không có chủ đề", "no topic"),
                    actor.t("thư viện không có chủ đề này", "not a topic of the library")
                ),
            });
        } else if !codes.iter().any(|c| c == topic) {
            codes.push(topic.to_owned());
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    dongbo_store::library::topics::set_for_task(
        &actor.programs.db,
        program_id,
        code,
        &codes,
        actor.username(),
        actor.clock.now(),
    )
    .await?;
    tracing::info!(program.id = program_id, task = code, topics = ?codes, "task tagged");
    Ok(TaskTopics {
        codes,
        from_group: false,
    })
}
