//! Đôn đốc sent by hand: a program's coordinating agency reminds the agencies it names.

use dongbo_domain::access::Action;

use crate::context::{Actor, Error, Result};

/// A coordinator's reminder (đôn đốc) with `message` to `agencies` (codes not in the
/// directory are left out); returns how many were queued.
pub async fn send_reminder(
    actor: &Actor<'_>,
    program_id: i64,
    agencies: &[String],
    message: &str,
) -> Result<usize> {
    let directory = actor.programs.directory_with_units().await?;
    let coordinator = crate::views::coordinating_agency_of(actor.programs, program_id).await?;
    actor.require(Action::SendReminder, &coordinator, &directory)?;
    let agencies: Vec<String> = agencies
        .iter()
        .filter(|code| directory.agency(code).is_some())
        .cloned()
        .collect();
    let message = dongbo_domain::text::nfc(message.trim());
    if agencies.is_empty() || message.is_empty() {
        return Err(Error::field(
            if agencies.is_empty() {
                "agencies"
            } else {
                "message"
            },
            actor.t(
                "Chọn ít nhất một cơ quan và nhập nội dung đôn đốc.",
                "Tick at least one agency and write the message.",
            ),
        ));
    }
    let sent =
        dongbo_remind::remind_manually(&actor.programs.db, &agencies, &message, actor.clock.now())
            .await
            .map_err(|e| Error::Refused(e.to_string()))?;
    tracing::info!(
        program.id = program_id,
        agencies = sent,
        "manual reminder queued"
    );
    Ok(sent)
}

// ---------------------------------------------------------------------------------------------

/// The notices of agency `agency_code` (reminders, returned reports), newest first.
pub async fn notices(
    programs: &crate::Programs,
    agency_code: &str,
) -> Result<Vec<dongbo_store::notifications::Notification>> {
    Ok(dongbo_store::notifications::for_agency(&programs.db, agency_code, false).await?)
}
