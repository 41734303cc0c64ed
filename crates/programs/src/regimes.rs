//! A program's reporting regimes (chế độ báo cáo): Decree 09 periods or a phase, who reports,
//! the working days after the cut-off — set and removed by the program's coordinator.

use chrono::NaiveDate;
use dongbo_domain::Directory;
use dongbo_domain::access::Action;

use crate::context::{Actor, Caller, Error, FieldError, Result};
use crate::input::parse_date;

/// A reporting regime as a form or the API sends it, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegimeInput {
    /// `monthly`, `quarterly`, `six_monthly`, `nine_monthly`, `annual` or `phase`.
    pub kind: String,
    /// `every` or `leads`.
    pub reporters: String,
    /// Working days after the cut-off, 1–60.
    pub working_days: String,
    /// A phase's name and range (YYYY-MM-DD); ignored for the other kinds.
    pub phase_label: String,
    pub phase_start: String,
    pub phase_end: String,
}

/// Whether the caller may change the reporting regimes of a program coordinated by
/// `coordinator`: whoever decides its change requests (coordinators and admins over it).
pub fn may_set_regimes(caller: &Caller, coordinator: &str, directory: &Directory) -> bool {
    caller.can(Action::DecideChangeRequest, coordinator, directory)
}

/// Checks `input` into a regime: every field at fault is told, next to it.
pub fn parse_regime(
    actor: &Actor<'_>,
    input: &RegimeInput,
) -> Result<dongbo_domain::ReportingRegime> {
    use dongbo_domain::{DeadlineRule, PeriodKind, Phase, Reporters, ReportingRegime};
    let mut errors = Vec::new();
    let mut wrong = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_owned(),
            message,
        })
    };
    let kind = input.kind.trim();
    let period = match kind {
        "phase" => None,
        other => match other.parse::<PeriodKind>() {
            Ok(kind) => Some(kind),
            Err(_) => {
                wrong(
                    "kind",
                    actor
                        .t(
                            "Chọn loại kỳ báo cáo: tháng, quý, 6 tháng, 9 tháng, năm hoặc giai đoạn.",
                            "Choose the kind of period: monthly, quarterly, six-monthly, nine-monthly, annual or a phase.",
                        )
                        .to_owned(),
                );
                None
            }
        },
    };
    let reporters = Reporters::parse(input.reporters.trim())
        .map_err(|_| {
            wrong(
                "reporters",
                actor
                    .t(
                        "Chọn cơ quan phải báo cáo: mọi cơ quan được giao hoặc chỉ cơ quan chủ trì.",
                        "Choose who reports: every assignee or the lead agencies only.",
                    )
                    .to_owned(),
            )
        })
        .ok();
    let rule = input
        .working_days
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|days| DeadlineRule::new(days).ok())
        .or_else(|| {
            wrong(
                "working_days",
                actor
                    .t(
                        "Thời hạn gửi báo cáo là từ 1 đến 60 ngày làm việc sau ngày chốt số liệu.",
                        "A report is due 1 to 60 working days after the cut-off.",
                    )
                    .to_owned(),
            );
            None
        });
    let mut phase = None;
    if kind == "phase" {
        let start = parse_date("phase_start", &input.phase_start);
        let end = parse_date("phase_end", &input.phase_end);
        let label = dongbo_domain::text::nfc(input.phase_label.trim());
        let mut day = |field: &str, parsed: Result<Option<NaiveDate>>| match parsed {
            Ok(Some(day)) => Some(day),
            Ok(None) => {
                wrong(
                    field,
                    actor
                        .t(
                            "Cần nhập ngày (YYYY-MM-DD).",
                            "A date is needed (YYYY-MM-DD).",
                        )
                        .to_owned(),
                );
                None
            }
            Err(Error::Invalid(mut found)) => {
                wrong(field, found.pop().map(|e| e.message).unwrap_or_default());
                None
            }
            Err(other) => {
                wrong(field, other.to_string());
                None
            }
        };
        let (start, end) = (day("phase_start", start), day("phase_end", end));
        if label.is_empty() {
            wrong(
                "phase_label",
                actor
                    .t(
                        "Cần nhập tên giai đoạn (ví dụ: Giai đoạn 2024–2026).",
                        "The phase needs a name (e.g. Giai đoạn 2024–2026).",
                    )
                    .to_owned(),
            );
        } else if let (Some(start), Some(end)) = (start, end) {
            match Phase::new(&label, start, end) {
                Ok(found) => phase = Some(found),
                Err(dongbo_domain::RegimeError::PhaseEndsBeforeStart { .. }) => wrong(
                    "phase_end",
                    actor
                        .t(
                            "Ngày kết thúc giai đoạn phải sau ngày bắt đầu.",
                            "The phase must end after it starts.",
                        )
                        .to_owned(),
                ),
                Err(dongbo_domain::RegimeError::YearOutOfRange(_)) => wrong(
                    "phase_start",
                    actor
                        .t(
                            "Năm của giai đoạn phải trong khoảng 1900–2200.",
                            "The phase's years must be within 1900–2200.",
                        )
                        .to_owned(),
                ),
                Err(other) => wrong("phase_label", other.to_string()),
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    match (period, phase, reporters, rule) {
        (Some(period), _, Some(reporters), Some(rule)) => {
            Ok(ReportingRegime::periodic(period, reporters, rule))
        }
        (None, Some(phase), Some(reporters), Some(rule)) => {
            Ok(ReportingRegime::phase(phase, reporters, rule))
        }
        _ => Err(Error::field("kind", "incomplete regime")),
    }
}

/// Sets (adds or changes) a reporting regime of program `program_id`.
pub async fn set_regime(
    actor: &Actor<'_>,
    program_id: i64,
    input: &RegimeInput,
) -> Result<dongbo_domain::ReportingRegime> {
    let directory = actor.programs.directory_with_units().await?;
    let coordinator = crate::views::coordinating_agency_of(actor.programs, program_id).await?;
    actor.require(Action::DecideChangeRequest, &coordinator, &directory)?;
    let regime = parse_regime(actor, input)?;
    dongbo_store::regimes::set(&actor.programs.db, program_id, &regime, actor.username()).await?;
    tracing::info!(
        program.id = program_id,
        regime.key = %regime.key(),
        "reporting regime set"
    );
    Ok(regime)
}

/// Removes program `program_id`'s own regime `key` (an annual one falls back to the Decree 09
/// default).
pub async fn remove_regime(actor: &Actor<'_>, program_id: i64, key: &str) -> Result<()> {
    let directory = actor.programs.directory_with_units().await?;
    let coordinator = crate::views::coordinating_agency_of(actor.programs, program_id).await?;
    actor.require(Action::DecideChangeRequest, &coordinator, &directory)?;
    dongbo_store::regimes::remove(&actor.programs.db, program_id, key, actor.username()).await?;
    tracing::info!(program.id = program_id, regime.key = %key, "reporting regime removed");
    Ok(())
}

// ---------------------------------------------------------------------------------------------

/// The reporting regimes of program `program_id` now.
pub async fn of_program(
    programs: &crate::Programs,
    program_id: i64,
) -> Result<dongbo_domain::Regimes> {
    Ok(dongbo_store::regimes::for_program(&programs.db, program_id).await?)
}
