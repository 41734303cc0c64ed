//! Đánh giá theo giai đoạn on the server: the phase a user asks for ([`Phase`]), and the
//! scorecard gathered for it ([`scorecard`]) from the program's facts, the timeliness of the
//! reports each of its regimes expected in the phase, and the verdicts on its indicators.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use dongbo_domain::access::ROOT_AGENCY;
use dongbo_domain::completeness::{Timeliness, timeliness};
use dongbo_domain::lang::Lang;
use dongbo_domain::period::periods_overlapping;
use dongbo_domain::regime::{RegimeKind, RegimePeriod};
use dongbo_domain::scorecard::{IndicatorResult, Scorecard, evaluate};
use dongbo_store::MediaType;
use serde::Deserialize;

use crate::Programs;
use crate::context::{Error, Result};

/// The lengths of the phases 47/NQ-CP §III evaluates over, in years.
pub const PRESET_YEARS: [i32; 3] = [3, 5, 10];

/// What the query asks for: `years` from the program's first year, or `from` and `to`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PhaseQuery {
    /// A phase of 3, 5 or 10 years from the start of the program's year.
    pub years: Option<i32>,
    /// The first day (YYYY-MM-DD), with `to`: any range.
    pub from: Option<String>,
    /// The last day (YYYY-MM-DD).
    pub to: Option<String>,
}

/// A phase: its first and last day, and how it reads in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub label: String,
}

impl PhaseQuery {
    /// The phase asked for; three years from the program's first year when nothing is asked.
    pub fn phase(&self, program_start: NaiveDate, lang: Lang) -> Result<Phase> {
        let day = |field: &str, text: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                Error::field(
                    field,
                    format!(
                        "{} «{text}»",
                        lang.pick(
                            "Ngày không hợp lệ (YYYY-MM-DD):",
                            "Not a date (YYYY-MM-DD):"
                        )
                    ),
                )
            })
        };
        if let (Some(from), Some(to)) = (given(&self.from), given(&self.to)) {
            let (from, to) = (day("from", from)?, day("to", to)?);
            if to < from {
                return Err(Error::field(
                    "to",
                    lang.pick(
                        "Ngày kết thúc phải sau ngày bắt đầu.",
                        "The last day must come after the first.",
                    ),
                ));
            }
            return Ok(Phase {
                from,
                to,
                label: format!(
                    "từ {} đến {}",
                    from.format("%d/%m/%Y"),
                    to.format("%d/%m/%Y")
                ),
            });
        }
        let years = self.years.unwrap_or(3);
        if !PRESET_YEARS.contains(&years) {
            return Err(Error::field(
                "years",
                lang.pick(
                    "Giai đoạn đánh giá là 3, 5 hoặc 10 năm, hoặc chọn ngày bắt đầu và kết thúc.",
                    "A phase is 3, 5 or 10 years, or choose its first and last day.",
                ),
            ));
        }
        let first = program_start.year();
        let last = first + years - 1;
        Ok(Phase {
            from: NaiveDate::from_ymd_opt(first, 1, 1).ok_or(Error::NotFound)?,
            to: NaiveDate::from_ymd_opt(last, 12, 31).ok_or(Error::NotFound)?,
            label: format!("giai đoạn {first}–{last}"),
        })
    }
}

/// A query value, unless blank.
fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().filter(|t| !t.trim().is_empty())
}

/// The day a program's phases count from: its date, else the earliest start of its work.
pub fn program_start(program: &dongbo_domain::ImportedProgram, today: NaiveDate) -> NaiveDate {
    program
        .document
        .issued_on
        .or_else(|| {
            program
                .tasks
                .iter()
                .filter_map(|t| t.time_frame.start)
                .min()
        })
        .unwrap_or(today)
}

/// The timeliness of every report the program's regimes expected with a deadline in the phase.
async fn expected_reports(
    state: &Programs,
    program_id: i64,
    facts: &[dongbo_domain::dashboard::Fact],
    phase: &Phase,
) -> Result<Vec<Timeliness>> {
    let regimes = dongbo_store::regimes::for_program(&state.db, program_id).await?;
    let records = dongbo_store::regimes::report_records(&state.db, program_id, None).await?;
    let mut expected = Vec::new();
    for regime in regimes.iter() {
        let periods: Vec<RegimePeriod> = match &regime.kind {
            RegimeKind::Periodic { period } => periods_overlapping(*period, phase.from, phase.to)
                .into_iter()
                .map(RegimePeriod::Decree09)
                .collect(),
            RegimeKind::Phase(p) => vec![RegimePeriod::Phase(p.clone())],
        };
        for period in periods {
            let deadline = period.deadline(&regime.rule, &[]);
            if deadline < phase.from || deadline > phase.to {
                continue;
            }
            expected.extend(timeliness(regime, &period, facts, &records, &[]));
        }
    }
    Ok(expected)
}

/// The scorecard of program `program_id` over `phase` on `today`, and the name of every agency
/// in it (in `lang`).
pub async fn scorecard(
    state: &Programs,
    program_id: i64,
    phase: &Phase,
    today: NaiveDate,
    lang: Lang,
) -> Result<(Scorecard, BTreeMap<String, String>)> {
    let facts = state.dashboard_facts(program_id).await?;
    let expected = expected_reports(state, program_id, &facts, phase).await?;
    let indicators: Vec<IndicatorResult> = indicator_results(state, program_id, phase).await?;
    let card = evaluate(&facts, phase.from, phase.to, today, &expected, &indicators);
    let names = card
        .agencies
        .iter()
        .map(|a| {
            let name = state.directory.agency(&a.agency_code).map_or_else(
                || a.agency_code.clone(),
                |agency| lang.pick(&agency.name_vi, &agency.name_en).to_owned(),
            );
            (a.agency_code.clone(), name)
        })
        .collect();
    Ok((card, names))
}

/// The verdict on each indicator of the program with a tracking agency, from its latest
/// values up to the phase's last day, against its target for the phase's last year — the
/// nearest target year at or after it (`IndicatorLatest::verdict_in`): met, not met, or
/// pending (no value yet, a qualitative target not judged, or a direction no person has
/// confirmed: those are counted apart, never judged).
async fn indicator_results(
    state: &Programs,
    program_id: i64,
    phase: &Phase,
) -> Result<Vec<IndicatorResult>> {
    use dongbo_domain::indicator::Verdict;
    let series =
        dongbo_store::indicators::latest_for_program(&state.db, program_id, Some(phase.to)).await?;
    let year = Some(phase.to.year());
    Ok(series
        .iter()
        .filter_map(|s| {
            let indicator = &s.stored.indicator;
            let agency = indicator.tracking_agency.clone()?;
            Some(IndicatorResult {
                agency_code: agency,
                indicator_code: indicator.code.clone(),
                met: match s.verdict_in(year) {
                    Verdict::Met => Some(true),
                    Verdict::NotMet => Some(false),
                    Verdict::NeedsJudgement | Verdict::Pending | Verdict::DirectionUnconfirmed => {
                        None
                    }
                },
                direction_unconfirmed: s.verdict_in(year) == Verdict::DirectionUnconfirmed,
            })
        })
        .collect())
}

/// The scorecard of program `id` over the phase `query` asks for, as a DOCX or XLSX document
/// (`format`: "docx", "xlsx"; another is `None`), in the name of the caller's own agency (the
/// first of their roles), else the program's issuer, dated the actor's day: the phase, the
/// file's type and its bytes.
pub async fn export(
    actor: &crate::Actor<'_>,
    id: i64,
    query: &PhaseQuery,
    format: &str,
) -> Result<Option<(Phase, MediaType, Vec<u8>)>> {
    let programs = actor.programs;
    let stored = programs.stored_now(id).await?;
    let stored = Option::as_ref(&stored).ok_or(Error::NotFound)?;
    let today = actor.today();
    let phase = query.phase(program_start(&stored.program, today), actor.lang)?;
    let (card, names) = scorecard(programs, id, &phase, today, Lang::Vi).await?;
    let issuer_code = actor
        .caller
        .grants
        .iter()
        .map(|g| g.agency_code.clone())
        .find(|code| code != ROOT_AGENCY)
        .or_else(|| stored.program.document.issuer.clone())
        .unwrap_or_else(|| ROOT_AGENCY.to_owned());
    let issuer = crate::synthesis::issuer_named(&issuer_code, &programs.directory);
    let program = match &stored.program.document.number {
        Some(number) => format!("{} ({number})", stored.program.document.title),
        None => stored.program.document.title.clone(),
    };
    let heading = dongbo_publish::evaluation::Heading {
        place: crate::synthesis::place_of(&issuer_code, &programs.directory),
        issuer,
        date: today,
        program,
        phase: phase.label.clone(),
        signature: dongbo_publish::Signature {
            authority: None,
            on_behalf_of: String::new(),
            position: String::new(),
            name: String::new(),
        },
    };
    let document = dongbo_publish::evaluation::document(&heading, &card, &names);
    let format = format.to_owned();
    let rendered = tokio::task::spawn_blocking(move || match format.as_str() {
        "docx" => dongbo_publish::docx::render(&document).map(|b| Some((MediaType::Docx, b))),
        "xlsx" => dongbo_publish::xlsx::render(&document).map(|b| Some((MediaType::Xlsx, b))),
        _ => Ok(None),
    })
    .await
    .map_err(|e| Error::Internal(format!("exporting the scorecard: {e}")))?
    .map_err(|e| Error::Internal(format!("exporting the scorecard: {e}")))?;
    Ok(rendered.map(|(media, bytes)| (phase, media, bytes)))
}
