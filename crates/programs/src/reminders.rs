//! Đôn đốc sent by hand: a program's coordinating agency reminds the agencies it names.

use dongbo_domain::access::Action;
use dongbo_store::notifications;
pub use dongbo_store::notifications::Notification;

use crate::context::{Actor, Error, Result};

/// A coordinator's reminder (đôn đốc) with `message` to `agencies` (codes not in the
/// directory are left out); returns how many were queued. [`send_reminder_to`] says to whom.
pub async fn send_reminder(
    actor: &Actor<'_>,
    program_id: i64,
    agencies: &[String],
    message: &str,
) -> Result<usize> {
    Ok(send_reminder_to(actor, program_id, agencies, message)
        .await?
        .queued)
}

/// One agency a đôn đốc went to, and where it is e-mailed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reminded {
    pub agency_code: String,
    pub agency_name: String,
    /// E-mailed at the reminder runner's next tick: the agency's contacts and its users who
    /// chose immediate e-mail.
    pub addresses: Vec<String>,
    /// Its users who chose a daily e-mail: told in tomorrow's digest.
    pub daily_addresses: Vec<String>,
}

/// What a đôn đốc did: how many reminders were queued (an agency reminded of the same message
/// in the same second counts once), and to whom.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RemindersSent {
    pub queued: usize,
    pub agencies: Vec<Reminded>,
}

/// [`send_reminder`], saying which agencies were reminded and at which addresses, for the
/// coordinator's confirmation. The notice is in each agency's application at the runner's next
/// tick (a minute), and so is the e-mail. (`RemindConfig::agency_emails`, addresses a
/// runner is built with rather than stored, are not listed: `dongbo serve` sets none.)
pub async fn send_reminder_to(
    actor: &Actor<'_>,
    program_id: i64,
    agencies: &[String],
    message: &str,
) -> Result<RemindersSent> {
    let directory = actor.programs.directory_with_units().await?;
    let coordinator = crate::views::coordinating_agency_of(actor.programs, program_id).await?;
    actor.require(Action::SendReminder, &coordinator, &directory)?;
    let mut agencies: Vec<String> = agencies
        .iter()
        .filter(|code| directory.agency(code).is_some())
        .cloned()
        .collect();
    agencies.sort();
    agencies.dedup();
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
    let queued =
        dongbo_remind::remind_manually(&actor.programs.db, &agencies, &message, actor.clock.now())
            .await
            .map_err(|e| Error::Refused(e.to_string()))?;
    tracing::info!(
        program.id = program_id,
        agencies = queued,
        "manual reminder queued"
    );
    Ok(RemindersSent {
        queued,
        agencies: recipients_of(actor, &directory, agencies).await?,
    })
}

/// The agencies of `agencies` (codes not in the directory left out) a đôn đốc of program
/// `program_id` reaches, each with the addresses it is e-mailed at: what the confirmation of
/// a sending shows. Only for who may send one.
pub async fn reminder_recipients(
    actor: &Actor<'_>,
    program_id: i64,
    agencies: &[String],
) -> Result<Vec<Reminded>> {
    let directory = actor.programs.directory_with_units().await?;
    let coordinator = crate::views::coordinating_agency_of(actor.programs, program_id).await?;
    actor.require(Action::SendReminder, &coordinator, &directory)?;
    let mut agencies: Vec<String> = agencies
        .iter()
        .filter(|code| directory.agency(code).is_some())
        .cloned()
        .collect();
    agencies.sort();
    agencies.dedup();
    recipients_of(actor, &directory, agencies).await
}

async fn recipients_of(
    actor: &Actor<'_>,
    directory: &dongbo_domain::Directory,
    agencies: Vec<String>,
) -> Result<Vec<Reminded>> {
    let db = &actor.programs.db;
    let mut reminded = Vec::with_capacity(agencies.len());
    for code in agencies {
        let mut addresses = notifications::contacts(db, &code).await?;
        let mut daily_addresses = Vec::new();
        for user in notifications::email_recipients(db, &code).await? {
            match user.cadence {
                notifications::Cadence::Immediate => addresses.push(user.email),
                notifications::Cadence::Daily => daily_addresses.push(user.email),
            }
        }
        addresses.sort();
        addresses.dedup();
        daily_addresses.retain(|a| !addresses.contains(a));
        daily_addresses.dedup();
        let agency_name = directory.agency(&code).map_or_else(
            || code.clone(),
            |a| actor.lang.pick(&a.name_vi, &a.name_en).to_owned(),
        );
        reminded.push(Reminded {
            agency_code: code,
            agency_name,
            addresses,
            daily_addresses,
        });
    }
    Ok(reminded)
}

// ---------------------------------------------------------------------------------------------

/// The notices of agency `agency_code` (reminders, returned reports), newest first.
pub async fn notices(programs: &crate::Programs, agency_code: &str) -> Result<Vec<Notification>> {
    Ok(notifications::for_agency(&programs.db, agency_code, false).await?)
}
