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

/// Who issues the evaluation as a document, and how it is numbered, placed, dated and signed
/// (the export's query); every field may be left out.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DocumentQuery {
    /// The issuing agency's code; blank: the program's coordinating ministry
    /// ([`crate::synthesis::issuer_defaults`]).
    pub issuer: Option<String>,
    /// Số, ký hiệu ("15/BC-BVHTTDL"); blank: a draft's "      /BC-`<issuer>`".
    pub number: Option<String>,
    /// Địa danh; blank: the issuer's.
    pub place: Option<String>,
    /// YYYY-MM-DD; blank: today in Vietnam.
    pub date: Option<String>,
    /// "", "TM", "KT", "TL", "Q" or "TUQ".
    pub authority: Option<String>,
    pub on_behalf_of: Option<String>,
    pub position: Option<String>,
    pub signer: Option<String>,
}

/// The issuer, number, place, date and signature of an evaluation document, from what the
/// user chose and, for what they left blank, the program's coordinating ministry and its signer.
async fn document_heading(
    actor: &crate::Actor<'_>,
    id: i64,
    chosen: &DocumentQuery,
    today: NaiveDate,
) -> Result<(String, String, String, NaiveDate, dongbo_publish::Signature)> {
    let programs = actor.programs;
    let lang = actor.lang;
    let defaults = crate::synthesis::issuer_defaults(programs, id).await?;
    let text = |value: &Option<String>| {
        value
            .as_deref()
            .map(|v| dongbo_domain::text::nfc(v.trim()))
            .unwrap_or_default()
    };
    let issuer_code = match text(&chosen.issuer) {
        code if code.is_empty() => defaults
            .issuer_code
            .clone()
            .or_else(|| {
                actor
                    .caller
                    .grants
                    .iter()
                    .map(|g| g.agency_code.clone())
                    .find(|code| code != ROOT_AGENCY)
            })
            .unwrap_or_else(|| ROOT_AGENCY.to_owned()),
        code => {
            if programs.directory.agency(&code).is_none() || code == ROOT_AGENCY {
                return Err(Error::field(
                    "issuer",
                    format!(
                        "{} «{code}»",
                        lang.pick(
                            "Không có cơ quan này trong danh mục:",
                            "No such agency in the directory:"
                        )
                    ),
                ));
            }
            code
        }
    };
    let date = match text(&chosen.date) {
        d if d.is_empty() => today,
        d => NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
            Error::field(
                "date",
                format!(
                    "{} «{d}»",
                    lang.pick(
                        "Ngày không hợp lệ (YYYY-MM-DD):",
                        "Not a date (YYYY-MM-DD):"
                    )
                ),
            )
        })?,
    };
    let place = match text(&chosen.place) {
        p if p.is_empty() => crate::synthesis::place_of(&issuer_code, &programs.directory),
        p => p,
    };
    let number = text(&chosen.number)
        .trim_start_matches("Số:")
        .trim()
        .to_owned();
    // The coordinating ministry's signer when nobody is named, else what the form says.
    let signature = match (text(&chosen.signer).is_empty(), defaults.signature) {
        (true, Some(signature))
            if defaults.issuer_code.as_deref() == Some(issuer_code.as_str()) =>
        {
            signature
        }
        (true, _) => dongbo_publish::Signature {
            authority: Some(dongbo_publish::Authority::Kt),
            on_behalf_of: "BỘ TRƯỞNG".to_owned(),
            position: "THỨ TRƯỞNG".to_owned(),
            name: String::new(),
        },
        (false, _) => crate::synthesis::signature_of(
            chosen.authority.as_deref().unwrap_or(""),
            chosen.on_behalf_of.as_deref().unwrap_or(""),
            chosen.position.as_deref().unwrap_or(""),
            chosen.signer.as_deref().unwrap_or(""),
            lang,
        )?,
    };
    Ok((issuer_code, number, place, date, signature))
}

/// "Nghị quyết số 47/NQ-CP ngày 21/3/2024 của Chính phủ", as a sentence names the program.
fn program_reference(
    document: &dongbo_domain::program::DocumentMeta,
    directory: &dongbo_domain::Directory,
) -> String {
    let mut reference = document.kind.label_vi().to_owned();
    if let Some(number) = &document.number {
        reference.push_str(&format!(" số {number}"));
    }
    if let Some(day) = document.issued_on {
        reference.push_str(&format!(
            " ngày {}/{}/{}",
            day.day(),
            day.month(),
            day.year()
        ));
    }
    let issuer = document
        .issuer
        .as_deref()
        .and_then(|code| directory.agency(code))
        .map(|agency| agency.name_vi.clone())
        .or_else(|| document.issuer_text.clone());
    if let Some(issuer) = issuer {
        reference.push_str(&format!(
            " của {}",
            dongbo_publish::evaluation::sentence_case(&issuer)
        ));
    }
    reference
}

/// The scorecard of program `id` over the phase `query` asks for, as a Decree 30 document in
/// DOCX, XLSX or PDF (`format`: "docx", "xlsx", "pdf"; another is `None`), issued as `chosen`
/// says — by default by the program's coordinating ministry, signed by its latest national
/// report's signer, dated the actor's day: the phase, the file's type and its bytes.
pub async fn export(
    actor: &crate::Actor<'_>,
    id: i64,
    query: &PhaseQuery,
    chosen: &DocumentQuery,
    format: &str,
) -> Result<Option<(Phase, MediaType, Vec<u8>)>> {
    let programs = actor.programs;
    let stored = programs.stored_now(id).await?;
    let stored = Option::as_ref(&stored).ok_or(Error::NotFound)?;
    let today = actor.today();
    let phase = query.phase(program_start(&stored.program, today), actor.lang)?;
    let (issuer_code, number, place, date, signature) =
        document_heading(actor, id, chosen, today).await?;
    let (card, names) = scorecard(programs, id, &phase, today, Lang::Vi).await?;
    let issuer = crate::synthesis::issuer_named(&issuer_code, &programs.directory);
    let heading = dongbo_publish::evaluation::Heading {
        number,
        place,
        date,
        program: program_reference(&stored.program.document, &programs.directory),
        phase: phase.label.clone(),
        recipients: vec![
            "Thủ tướng Chính phủ (để b/c);".to_owned(),
            "Văn phòng Chính phủ;".to_owned(),
            "Các bộ, ngành, địa phương;".to_owned(),
        ],
        signature,
        issuer,
    };
    let document = dongbo_publish::evaluation::document(&heading, &card, &names);
    let format = format.to_owned();
    let rendered = tokio::task::spawn_blocking(move || match format.as_str() {
        "docx" => dongbo_publish::docx::render(&document).map(|b| Some((MediaType::Docx, b))),
        "xlsx" => dongbo_publish::xlsx::render(&document).map(|b| Some((MediaType::Xlsx, b))),
        "pdf" => dongbo_publish::pdf::render(&document).map(|b| Some((MediaType::Pdf, b))),
        _ => Ok(None),
    })
    .await
    .map_err(|e| Error::Internal(format!("exporting the scorecard: {e}")))?
    .map_err(|e| Error::Internal(format!("exporting the scorecard: {e}")))?;
    Ok(rendered.map(|(media, bytes)| (phase, media, bytes)))
}
