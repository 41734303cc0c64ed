//! Indicator values (chỉ tiêu) recorded by the tracking agency's reporters and approvers; what
//! a value achieves is computed from the target, never typed in.

use chrono::Datelike;
use dongbo_domain::access::{Action, ROOT_AGENCY};
use dongbo_domain::{Direction, Directory};
pub use dongbo_store::indicators::{IndicatorLatest, IndicatorSeries, RecordedValue};

use crate::context::{Actor, Caller, Error, FieldError, Result};

/// A value for an indicator as typed in the form or sent to the API; every field as text, to
/// be checked here. Empty `agency` is the indicator's tracking agency.
#[derive(Debug, Clone, Default)]
pub struct IndicatorValueInput<'a> {
    pub agency: &'a str,
    pub period: &'a str,
    pub scope: &'a str,
    pub value: &'a str,
    pub judgement: &'a str,
    pub source: &'a str,
    pub note: &'a str,
}

/// The longest source or note kept with a value.
const MAX_VALUE_TEXT_CHARS: usize = 2000;

/// Whether the caller may record values for `agency_code`: a reporter or approver of it (or
/// of an agency above it), a coordinator covering it, an admin.
pub fn may_record_indicator(caller: &Caller, agency_code: &str, directory: &Directory) -> bool {
    caller.can(Action::SubmitReport, agency_code, directory)
        || caller.can(Action::ReviewReport, agency_code, directory)
}

/// The agency that answers for an indicator's values: its tracking agency, else the
/// Government (so only those covering every agency record values of an untracked one).
pub fn indicator_agency(indicator: &dongbo_domain::Indicator) -> &str {
    indicator.tracking_agency.as_deref().unwrap_or(ROOT_AGENCY)
}

/// Records a value of indicator `code` of program `program_id`. What it achieves is computed
/// from the target, never typed: a judgement is taken only where a person must give one (a
/// qualitative target, or text against a numeric one). Every fault is told by its field.
pub async fn record_indicator_value(
    actor: &Actor<'_>,
    program_id: i64,
    code: &str,
    input: &IndicatorValueInput<'_>,
) -> Result<i64> {
    use dongbo_domain::indicator::{Judgement, Value, value_period};
    use dongbo_domain::text::nfc;
    use dongbo_store::indicators;

    let db = &actor.programs.db;
    let directory = actor.programs.directory_with_units().await?;
    let series = indicators::get(db, program_id, code)
        .await?
        .ok_or(Error::NotFound)?;
    let indicator = &series.stored.indicator;
    let tracking = indicator_agency(indicator);
    if !may_record_indicator(actor.caller, tracking, &directory) {
        return Err(Error::Forbidden);
    }
    if indicator.is_heading() {
        return Err(Error::Refused(
            actor
                .t(
                    "Đây là dòng tiêu đề: số liệu được ghi ở các chỉ tiêu con.",
                    "This is a heading: values are recorded on its sub-indicators.",
                )
                .to_owned(),
        ));
    }
    let mut errors = Vec::new();
    let mut fault = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_owned(),
            message,
        })
    };

    let agency = match nfc(input.agency.trim()) {
        typed if typed.is_empty() => tracking.to_owned(),
        typed => {
            let code = if directory.agency(&typed).is_some() {
                typed.clone()
            } else {
                typed.to_uppercase()
            };
            if directory.agency(&code).is_none() {
                fault(
                    "agency",
                    format!(
                        "{} «{typed}»",
                        actor.t("Không có cơ quan mã", "No agency has the code")
                    ),
                );
            } else if !may_record_indicator(actor.caller, &code, &directory) {
                fault(
                    "agency",
                    actor
                        .t(
                            "Bạn không ghi số liệu thay cho cơ quan này được.",
                            "You cannot record values for this agency.",
                        )
                        .to_owned(),
                );
            }
            code
        }
    };
    let period = match value_period(input.period) {
        Ok(period) => Some(period),
        Err(e) => {
            fault(
                "period",
                format!(
                    "{} «{}» — {e}",
                    actor.t(
                        "Kỳ không hợp lệ (ví dụ: 2025, 2025-Y, 2025-Q2)",
                        "Not a period (e.g. 2025, 2025-Y, 2025-Q2)"
                    ),
                    input.period.trim()
                ),
            );
            None
        }
    };
    let value = Value::parse(input.value);
    // The target the value is judged against: the one of its period's year.
    let numeric_target = indicator
        .target_for(period.map(|p| p.end().year()))
        .is_some_and(|t| !t.target.goals().is_empty());
    match &value {
        None => fault(
            "value",
            actor
                .t("Cần nhập giá trị.", "Enter the value.")
                .to_owned(),
        ),
        Some(Value::Text(text)) if numeric_target => fault(
            "value",
            format!(
                "{} «{text}»",
                actor.t(
                    "Mục tiêu là một con số: hãy nhập số (dấu phẩy thập phân, ví dụ 0,7), không phải",
                    "The target is a number: enter a number (decimal comma, e.g. 0,7), not"
                )
            ),
        ),
        Some(_) => {}
    }
    let scopes = indicator.scopes();
    let scope = nfc(input.scope.trim());
    let scope = if scopes.is_empty() {
        None
    } else if indicator.scope_as_written(&scope).is_none() {
        fault(
            "scope",
            format!(
                "{} {}",
                actor.t(
                    "Chọn phạm vi so sánh:",
                    "Choose what the value is measured against:"
                ),
                scopes.join(", ")
            ),
        );
        None
    } else {
        Some(scope)
    };
    let judgement = match input.judgement.trim() {
        "" => None,
        name => match Judgement::from_name(name) {
            Some(_) if numeric_target && matches!(value, Some(Value::Number(_))) => {
                fault(
                    "judgement",
                    actor
                        .t(
                            "Mức độ đạt của chỉ tiêu định lượng được tính từ giá trị, không nhập tay.",
                            "A numeric target's achievement is computed from the value, not typed.",
                        )
                        .to_owned(),
                );
                None
            }
            Some(judgement) => Some(judgement),
            None => {
                fault(
                    "judgement",
                    format!(
                        "{} «{name}» (achieved, not_achieved)",
                        actor.t("Không rõ đánh giá", "Unknown judgement")
                    ),
                );
                None
            }
        },
    };
    let source = nfc(input.source.trim());
    let note = nfc(input.note.trim());
    for (field, text) in [("source", &source), ("note", &note)] {
        if text.chars().count() > MAX_VALUE_TEXT_CHARS {
            fault(
                field,
                format!(
                    "{} {MAX_VALUE_TEXT_CHARS} {}",
                    actor.t("Tối đa", "At most"),
                    actor.t("ký tự.", "characters.")
                ),
            );
        }
    }
    let (Some(period), Some(value), true) = (period, value, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let new = indicators::NewValue {
        agency_code: agency,
        period,
        scope,
        value,
        judgement,
        source,
        note,
        author: actor.username().to_owned(),
    };
    Ok(indicators::record_value(db, program_id, code, &new).await?)
}

// ---------------------------------------------------------------------------------------------

/// Whether the caller may confirm the direction of an indicator tracked by `agency_code`: a
/// coordinator covering it or an admin — those who decide on the program's content
/// ([`Action::DecideChangeRequest`]), since the direction decides every verdict on it.
pub fn may_confirm_direction(caller: &Caller, agency_code: &str, directory: &Directory) -> bool {
    caller.can(Action::DecideChangeRequest, agency_code, directory)
}

/// Confirms the direction of indicator `code` of program `program_id` (`direction`:
/// `higher` or `lower`, as [`Direction::as_str`] writes them): from then on its values are
/// judged. 404 when there is no such indicator, 403 for a caller who may not, 422 for a
/// direction that is not one or an indicator that has no number to judge.
pub async fn confirm_indicator_direction(
    actor: &Actor<'_>,
    program_id: i64,
    code: &str,
    direction: &str,
) -> Result<()> {
    use dongbo_store::indicators;

    let db = &actor.programs.db;
    let directory = actor.programs.directory_with_units().await?;
    let series = indicators::get(db, program_id, code)
        .await?
        .ok_or(Error::NotFound)?;
    let indicator = &series.stored.indicator;
    if !may_confirm_direction(actor.caller, indicator_agency(indicator), &directory) {
        return Err(Error::Forbidden);
    }
    if !indicator.is_quantitative() {
        return Err(Error::Refused(
            actor
                .t(
                    "Chỉ tiêu này không có mục tiêu bằng số: không cần chiều đánh giá.",
                    "This indicator has no numeric target: it needs no direction.",
                )
                .to_owned(),
        ));
    }
    let direction = match Direction::from_name(direction.trim()) {
        Some(d @ (Direction::HigherIsBetter | Direction::LowerIsBetter)) => d,
        _ => {
            return Err(Error::field(
                "direction",
                actor.t(
                    "Chọn «Càng cao càng tốt» (higher) hoặc «Càng thấp càng tốt» (lower).",
                    "Choose «Higher is better» (higher) or «Lower is better» (lower).",
                ),
            ));
        }
    };
    indicators::confirm_direction(db, program_id, code, direction, actor.username()).await?;
    Ok(())
}
