//! Báo cáo tổng hợp on the server: what a user asks for ([`Request`]), the data gathered for it
//! from the store ([`gather`]), and the three files rendered from it ([`render`]).
//!
//! The national report is the coordinating ministry's, on every assignment of the program; an
//! agency's report covers its own assignments. Both are built from the accepted reports that
//! cover the period (`store::synthesis::accepted_for_period`) and the state of each assignment
//! on the document's date, judged as the dashboard judges it. The gathered
//! [`SynthesisInput`] is stored with the version, and building it again gives the same files
//! (`publish` renders deterministically), which [`render`]'s callers check on demand.

use std::collections::HashMap;

use chrono::NaiveDate;
use dongbo_domain::access::{Action, ROOT_AGENCY};
use dongbo_domain::dashboard::{assignment_state, program_figures};
use dongbo_domain::lang::Lang;
use dongbo_domain::regime::{RegimePeriod, Regimes, Reporters, ReportingRegime};
use dongbo_domain::{AgencyKind, DeadlineRule, Directory, Period, Role};
use dongbo_publish::synthesis::{
    AssignmentLine, CitedLine, GroupInfo, IndicatorLine, Level as DocLevel, PeriodInfo,
    ProgramInfo, ReportFigures, ReportText, SynthesisInput, TaskInfo,
};
use dongbo_publish::{Authority, Issuer, OfficialDocument, Signature};
use dongbo_store::synthesis::Level;
pub use dongbo_store::synthesis::{StoredTemplate, Version};
use serde::Deserialize;

use crate::Programs;
use crate::context::{Actor, Error, Result};

/// What a user asks to generate. Text fields are NFC-normalised and trimmed when checked.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Request {
    /// "national" or "agency".
    pub level: String,
    /// A period of one of the program's reporting regimes: a Decree 09 period code ("2026-Y",
    /// "2026-H1", "2026-N9", "2026-Q4", "2026-M12") or a phase's ("2024-01-01..2026-12-31").
    pub period: String,
    /// The issuing agency's code ("BVHTTDL").
    pub issuer: String,
    /// Số, ký hiệu, without "Số:" ("12/BC-BVHTTDL"); blank for the default "    /BC-…".
    #[serde(default)]
    pub number: String,
    /// Địa danh ("Hà Nội"); blank for the issuer's.
    #[serde(default)]
    pub place: String,
    /// The document's date (YYYY-MM-DD); blank for today in Vietnam.
    #[serde(default)]
    pub date: String,
    /// Thẩm quyền ký: "", "TM", "KT", "TL", "Q" or "TUQ".
    #[serde(default)]
    pub authority: String,
    /// The head the signer signs for ("BỘ TRƯỞNG", "ỦY BAN NHÂN DÂN").
    #[serde(default)]
    pub on_behalf_of: String,
    /// The signer's position ("THỨ TRƯỞNG").
    #[serde(default)]
    pub position: String,
    /// The signer's full name.
    pub signer: String,
}

/// A request once checked.
#[derive(Debug, Clone)]
pub struct Checked {
    pub level: Level,
    pub period: RegimePeriod,
    /// The regime the period is of (who reports, and the deadline rule).
    pub regime: ReportingRegime,
    pub issuer_code: String,
    pub number: String,
    pub place: String,
    pub date: NaiveDate,
    pub signature: Signature,
}

fn nfc(text: &str) -> String {
    dongbo_domain::text::nfc(text.trim())
}

/// Checks a request's fields; each refusal names its field, in the caller's language.
pub fn check(
    request: &Request,
    directory: &Directory,
    regimes: &Regimes,
    today: NaiveDate,
    lang: Lang,
) -> Result<Checked> {
    let level = Level::parse(request.level.trim()).ok_or_else(|| {
        Error::field(
            "level",
            lang.pick(
                "Chọn loại báo cáo: tổng hợp chung (national) hoặc của cơ quan (agency).",
                "Choose a national or an agency report.",
            ),
        )
    })?;
    let (period, regime) = period_of(request.period.trim(), regimes).ok_or_else(|| {
        Error::field(
            "period",
            format!(
                "{} «{}»",
                lang.pick(
                    "Không phải kỳ báo cáo của chương trình (ví dụ 2026-Y, 2026-H1, 2026-N9, 2026-Q4, 2026-M12, hoặc một giai đoạn):",
                    "Not a reporting period of the program (e.g. 2026-Y, 2026-H1, 2026-N9, 2026-Q4, 2026-M12, or a phase):",
                ),
                request.period.trim()
            ),
        )
    })?;
    let issuer_code = request.issuer.trim().to_owned();
    let issuer = directory
        .agency(&issuer_code)
        .filter(|_| issuer_code != ROOT_AGENCY)
        .ok_or_else(|| {
            Error::field(
                "issuer",
                format!(
                    "{} «{issuer_code}»",
                    lang.pick(
                        "Không có cơ quan này trong danh mục:",
                        "No such agency in the directory:"
                    )
                ),
            )
        })?;
    let date = match request.date.trim() {
        "" => today,
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            Error::field(
                "date",
                format!(
                    "{} «{text}»",
                    lang.pick(
                        "Ngày không hợp lệ (YYYY-MM-DD):",
                        "Not a date (YYYY-MM-DD):"
                    )
                ),
            )
        })?,
    };
    let signature = signature_of(
        &request.authority,
        &request.on_behalf_of,
        &request.position,
        &request.signer,
        lang,
    )?;
    let number = match nfc(&request.number) {
        n if n.is_empty() => format!("      /BC-{}", abbreviation(issuer)),
        n => n.trim_start_matches("Số:").trim().to_owned(),
    };
    let place = match nfc(&request.place) {
        p if p.is_empty() => default_place(issuer),
        p => p,
    };
    Ok(Checked {
        level,
        period,
        regime,
        issuer_code,
        number,
        place,
        date,
        signature,
    })
}

/// The signature block from the form's four fields (thẩm quyền ký, in whose name, position,
/// name), checked; each refusal names its field.
pub fn signature_of(
    authority: &str,
    on_behalf_of: &str,
    position: &str,
    signer: &str,
    lang: Lang,
) -> Result<Signature> {
    let authority = match authority
        .trim()
        .trim_end_matches('.')
        .to_uppercase()
        .as_str()
    {
        "" => None,
        "TM" => Some(Authority::Tm),
        "KT" => Some(Authority::Kt),
        "TL" => Some(Authority::Tl),
        "Q" => Some(Authority::Q),
        "TUQ" => Some(Authority::Tuq),
        other => {
            return Err(Error::field(
                "authority",
                format!(
                    "{} «{other}»",
                    lang.pick(
                        "Thẩm quyền ký để trống hoặc là TM, KT, TL, Q, TUQ, không phải",
                        "The signing authority is blank or TM, KT, TL, Q, TUQ, not",
                    )
                ),
            ));
        }
    };
    let signer = nfc(signer);
    if signer.is_empty() {
        return Err(Error::field(
            "signer",
            lang.pick("Nhập họ và tên người ký.", "Enter the signer's full name."),
        ));
    }
    let on_behalf_of = nfc(on_behalf_of);
    if authority.is_some() && on_behalf_of.is_empty() {
        return Err(Error::field(
            "on_behalf_of",
            lang.pick(
                "Nhập người đứng đầu hoặc tập thể mà người ký ký thay (ví dụ BỘ TRƯỞNG).",
                "Enter the head or body the signer signs for (e.g. BỘ TRƯỞNG).",
            ),
        ));
    }
    let position = nfc(position);
    if authority != Some(Authority::Q) && position.is_empty() {
        return Err(Error::field(
            "position",
            lang.pick(
                "Nhập chức vụ người ký (ví dụ THỨ TRƯỞNG).",
                "Enter the signer's position (e.g. THỨ TRƯỞNG).",
            ),
        ));
    }
    Ok(Signature {
        authority,
        on_behalf_of,
        position,
        name: signer,
    })
}

/// Who issues a program's documents unless the user chooses another, and who signs for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerDefaults {
    /// The coordinating ministry's code; none when no agency can be told.
    pub issuer_code: Option<String>,
    /// Who signed its latest national report, if it issued one.
    pub signature: Option<Signature>,
}

/// The program's coordinating ministry, the default issuer of its national report and phase
/// evaluation, with the signer of its latest national report:
/// - the issuer of the program's latest national report;
/// - else the program's issuer, unless it is the Government itself (the root);
/// - else the ministry that leads the most of its tasks (the one that follows the program up
///   for the Government), the first by code on a tie.
pub async fn issuer_defaults(state: &Programs, program_id: i64) -> Result<IssuerDefaults> {
    let latest = dongbo_store::synthesis::list(&state.db, program_id)
        .await?
        .into_iter()
        .find(|v| v.level == Level::National);
    if let Some(latest) = latest {
        let signature = dongbo_store::synthesis::get(&state.db, latest.report_id, latest.version)
            .await?
            .and_then(|(_, input)| serde_json::from_str::<SynthesisInput>(&input).ok())
            .map(|input| input.signature);
        return Ok(IssuerDefaults {
            issuer_code: Some(latest.issuer_code),
            signature,
        });
    }
    let program = state.program_now(program_id).await?;
    let issuer = program
        .issuer
        .as_ref()
        .map(|issuer| issuer.code.clone())
        .filter(|code| code != ROOT_AGENCY && state.directory.agency(code).is_some());
    if issuer.is_some() {
        return Ok(IssuerDefaults {
            issuer_code: issuer,
            signature: None,
        });
    }
    let facts = state.dashboard_facts(program_id).await?;
    let mut leads: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for fact in facts.iter().filter(|f| f.role == Role::Lead) {
        let ministry = state
            .directory
            .agency(&fact.agency_code)
            .is_some_and(|a| a.kind == AgencyKind::Ministry);
        if ministry {
            *leads.entry(fact.agency_code.as_str()).or_default() += 1;
        }
    }
    let most = leads
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(code, _)| (*code).to_owned());
    Ok(IssuerDefaults {
        issuer_code: most,
        signature: None,
    })
}

/// The period `code` names among the program's regimes, with its regime; any Decree 09 period
/// is accepted, under a regime of every assignee and the default rule when no regime has its
/// kind.
pub fn period_of(code: &str, regimes: &Regimes) -> Option<(RegimePeriod, ReportingRegime)> {
    regimes
        .iter()
        .find_map(|regime| regime.period(code).map(|p| (p, regime.clone())))
        .or_else(|| {
            code.parse::<Period>().ok().map(|p| {
                let regime =
                    ReportingRegime::periodic(p.kind(), Reporters::Every, DeadlineRule::default());
                (RegimePeriod::Decree09(p), regime)
            })
        })
}

/// The abbreviation in a number's symbol: a province's people's committee signs as "UBND",
/// anyone else by their code ("BVHTTDL").
fn abbreviation(agency: &dongbo_domain::Agency) -> String {
    match agency.kind {
        AgencyKind::Province | AgencyKind::CentralCity => "UBND".to_owned(),
        _ => agency.code.clone(),
    }
}

/// Where a document is issued: a province's own name, Hà Nội for central agencies.
fn default_place(agency: &dongbo_domain::Agency) -> String {
    match agency.kind {
        AgencyKind::Province | AgencyKind::CentralCity => agency
            .name_vi
            .trim_start_matches("Thành phố ")
            .trim_start_matches("Tỉnh ")
            .to_owned(),
        _ => "Hà Nội".to_owned(),
    }
}

/// The issuing agency as the header block names it: a province by its people's committee,
/// a unit under its parent.
fn issuer_of(agency: &dongbo_domain::Agency, directory: &Directory) -> Issuer {
    let name = match agency.kind {
        AgencyKind::Province | AgencyKind::CentralCity => {
            format!("Ủy ban nhân dân {}", lower_first(&agency.name_vi))
        }
        _ => agency.name_vi.clone(),
    };
    let superior = agency
        .parent
        .as_deref()
        .filter(|parent| *parent != ROOT_AGENCY)
        .and_then(|parent| directory.agency(parent))
        .map(|parent| parent.name_vi.clone());
    Issuer {
        superior,
        name,
        abbreviation: abbreviation(agency),
    }
}

/// The agency `code` as the header block of a document it issues names it (the Government when
/// the directory does not know it).
pub fn issuer_named(code: &str, directory: &Directory) -> Issuer {
    directory.agency(code).map_or_else(
        || Issuer {
            superior: None,
            name: "Chính phủ".to_owned(),
            abbreviation: code.to_owned(),
        },
        |agency| issuer_of(agency, directory),
    )
}

/// Where agency `code` issues its documents.
pub fn place_of(code: &str, directory: &Directory) -> String {
    directory
        .agency(code)
        .map_or_else(|| "Hà Nội".to_owned(), default_place)
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The period as it reads in a sentence: "năm 2026", "6 tháng đầu năm 2026", "quý IV năm 2026",
/// a phase by its name ("giai đoạn 2024–2026").
pub fn period_in_words(period: &RegimePeriod) -> String {
    use dongbo_domain::PeriodKind::*;
    let period = match period {
        RegimePeriod::Decree09(period) => *period,
        RegimePeriod::Phase(phase) => return lower_first(phase.label()),
    };
    let year = period.year();
    match period.kind() {
        Annual => format!("năm {year}"),
        NineMonthly => format!("9 tháng đầu năm {year}"),
        SixMonthly if period.index() == 1 => format!("6 tháng đầu năm {year}"),
        SixMonthly => format!("6 tháng cuối năm {year}"),
        Quarterly => {
            let roman = ["I", "II", "III", "IV"];
            let index = usize::try_from(period.index()).unwrap_or(1).clamp(1, 4) - 1;
            format!("quý {} năm {year}", roman[index])
        }
        Monthly => format!("tháng {} năm {year}", period.index()),
    }
}

/// The library items the reports the document draws on cite, one line per task, agency and
/// item. The document goes to whoever the Government sends it to, so an item restricted to
/// named agencies is listed by its number only, never its title.
async fn cited_lines(
    state: &Programs,
    reports: &HashMap<(&str, &str, Role), &dongbo_store::synthesis::AcceptedContent>,
    name_of: &impl Fn(&str) -> String,
) -> Result<Vec<CitedLine>> {
    let mut lines = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut items: HashMap<i64, Option<dongbo_store::library::Item>> = HashMap::new();
    for report in reports.values() {
        for &item_id in &report.library_items {
            if !seen.insert((
                report.task_code.as_str(),
                report.agency_code.as_str(),
                item_id,
            )) {
                continue;
            }
            // One read per item, however many agencies cite it.
            if let std::collections::hash_map::Entry::Vacant(slot) = items.entry(item_id) {
                let item = dongbo_store::library::items::get(&state.db, item_id)
                    .await?
                    .filter(|item| {
                        dongbo_domain::library::Readership::Government {
                            agencies: Vec::new(),
                        }
                        .may_read(&item.data.visibility, None)
                    });
                slot.insert(item);
            }
            let shown = items.get(&item_id).cloned().flatten();
            lines.push(match shown {
                Some(item) => CitedLine {
                    task_code: report.task_code.clone(),
                    agency_name: name_of(&report.agency_code),
                    item_id,
                    title: item.data.title,
                    kind: item.data.kind.label_vi().to_owned(),
                    published_on: item.data.published_on,
                    owner: item.data.owner.as_deref().map(name_of),
                },
                None => CitedLine {
                    task_code: report.task_code.clone(),
                    agency_name: name_of(&report.agency_code),
                    item_id,
                    title: format!("Tài liệu số {item_id} (hạn chế hoặc đã gỡ)"),
                    kind: String::new(),
                    published_on: None,
                    owner: None,
                },
            });
        }
    }
    Ok(lines)
}

/// Gathers everything the report is built from. `template` is the wording text in force.
pub async fn gather(
    state: &Programs,
    program_id: i64,
    request: &Checked,
    template: String,
) -> Result<SynthesisInput> {
    let directory = &state.directory;
    let stored = dongbo_store::programs::get(&state.db, program_id)
        .await?
        .ok_or(Error::NotFound)?;
    let program = stored.program;
    // The facts the dashboard keeps in memory, brought up to date (no second read of them).
    let facts = state.dashboard_facts(program_id).await?;
    let accepted = dongbo_store::synthesis::accepted_for_period(
        &state.db,
        program_id,
        &request.period,
        &request.regime.rule,
    )
    .await?;
    let day = request.date;
    let issuer_agency = directory
        .agency(&request.issuer_code)
        .ok_or(Error::NotFound)?;
    let name_of = |code: &str| {
        directory
            .agency(code)
            .map_or_else(|| code.to_owned(), |a| a.name_vi.clone())
    };
    let mut reports: HashMap<(&str, &str, Role), &dongbo_store::synthesis::AcceptedContent> =
        HashMap::new();
    for report in &accepted {
        let key = (
            report.agency_code.as_str(),
            report.task_code.as_str(),
            report.role,
        );
        // Rows come in task order; a later acceptance of the same assignment (a period report
        // after a one-off one) wins.
        let later = reports.get(&key).is_none_or(|seen| {
            (seen.accepted_on, seen.assignment_id) <= (report.accepted_on, report.assignment_id)
        });
        if later {
            reports.insert(key, report);
        }
    }
    let national = request.level == Level::National;
    let facts: Vec<_> = facts
        .iter()
        .filter(|f| national || f.agency_code == request.issuer_code)
        .cloned()
        .collect();
    let assignments: Vec<AssignmentLine> = facts
        .iter()
        .map(|fact| AssignmentLine {
            agency_code: fact.agency_code.clone(),
            agency_name: name_of(&fact.agency_code),
            lead: fact.role == Role::Lead,
            task_code: fact.task_code.clone(),
            state: assignment_state(fact, day),
            progress: fact.progress,
            due: fact.due,
            done_on: fact.done_on,
            report: reports
                .get(&(
                    fact.agency_code.as_str(),
                    fact.task_code.as_str(),
                    fact.role,
                ))
                .map(|r| ReportText {
                    progress: r.progress,
                    results: r.results.clone(),
                    difficulties: r.difficulties.clone(),
                    recommendations: r.recommendations.clone(),
                    accepted_on: r.accepted_on,
                }),
        })
        .collect();
    let cited_items = cited_lines(state, &reports, &name_of).await?;
    let tasks: Vec<TaskInfo> = if national {
        let figures = program_figures(&facts, day);
        let lines: HashMap<&str, _> = figures
            .task_lines
            .iter()
            .map(|t| (t.task_code.as_str(), t))
            .collect();
        program
            .tasks
            .iter()
            .filter_map(|task| {
                let line = lines.get(task.code.as_str())?;
                Some(TaskInfo {
                    code: task.code.clone(),
                    group_code: program.shown_group_of(task).to_owned(),
                    title: task.title.clone(),
                    state: line.state,
                    progress: line.progress,
                    due: line.due,
                })
            })
            .collect()
    } else {
        // The agency's own work on each task: its lead assignment if it leads, else its part.
        program
            .tasks
            .iter()
            .filter_map(|task| {
                let mine = assignments
                    .iter()
                    .filter(|a| a.task_code == task.code)
                    .min_by_key(|a| !a.lead)?;
                Some(TaskInfo {
                    code: task.code.clone(),
                    group_code: program.shown_group_of(task).to_owned(),
                    title: task.title.clone(),
                    state: mine.state,
                    progress: mine.progress,
                    due: mine.due,
                })
            })
            .collect()
    };
    let records =
        dongbo_store::regimes::report_records(&state.db, program_id, Some(&request.period)).await?;
    let completeness = dongbo_domain::completeness::completeness(
        &request.regime,
        &request.period,
        &facts,
        &records,
        &[],
    );
    let total = completeness.total;
    let reports = ReportFigures {
        expected: total.expected,
        on_time: total.on_time,
        late: total.late,
        missing: total.missing,
        accepted: total.accepted,
        agencies_expected: u32::try_from(completeness.agencies.len()).unwrap_or(u32::MAX),
        agencies_complete: u32::try_from(
            completeness.agencies.iter().filter(|a| a.complete).count(),
        )
        .unwrap_or(u32::MAX),
    };
    let mut holding_back: Vec<String> = completeness
        .holding_back()
        .map(|a| name_of(&a.agency_code))
        .collect();
    holding_back.sort_by_cached_key(|name| dongbo_domain::text::fold(name));
    let indicators = indicator_lines(state, program_id, request, &name_of).await?;
    // An agency reports to whoever issues the program's national report (the coordinating
    // ministry, once it has issued one), else to the program's issuer.
    let national_issuer = dongbo_store::synthesis::list(&state.db, program_id)
        .await?
        .into_iter()
        .find(|v| v.level == Level::National)
        .map(|v| v.issuer_code);
    let coordinator_name = national_issuer
        .or_else(|| program.document.issuer.clone())
        .map(|code| name_of(&code));
    Ok(SynthesisInput {
        level: if national {
            DocLevel::National
        } else {
            DocLevel::Agency
        },
        program: ProgramInfo {
            number: program.document.number.clone(),
            kind: program.document.kind.label_vi().to_owned(),
            title: program.document.title.clone(),
            issuer: program
                .document
                .issuer
                .as_deref()
                .map(name_of)
                .or_else(|| program.document.issuer_text.clone()),
            issued_on: program.document.issued_on,
        },
        period: PeriodInfo {
            code: request.period.code(),
            label: period_in_words(&request.period),
            start: request.period.window().0,
            end: request.period.end(),
            deadline: request.period.deadline(&request.regime.rule, &[]),
        },
        issuer: issuer_of(issuer_agency, directory),
        coordinator: coordinator_name,
        number: request.number.clone(),
        place: request.place.clone(),
        date: day,
        signature: request.signature.clone(),
        groups: program
            .groups_shown()
            .into_iter()
            .map(|g| GroupInfo {
                code: g.code,
                title: g.title,
            })
            .collect(),
        tasks,
        assignments,
        indicators,
        reports,
        holding_back,
        cited_items,
        template,
    })
}

/// Section III: each indicator of the program (for an agency's report, those it tracks) with
/// its latest value up to the period's end and the verdict on it. Heading rows (no target of
/// their own) are left out.
async fn indicator_lines(
    state: &Programs,
    program_id: i64,
    request: &Checked,
    name_of: &(dyn Fn(&str) -> String + Sync),
) -> Result<Vec<IndicatorLine>> {
    let end = request.period.end();
    let mut lines = Vec::new();
    // The values as they stood at the period's end.
    let as_of = Some(end);
    for series in dongbo_store::indicators::latest_for_program(&state.db, program_id, as_of).await?
    {
        let indicator = &series.stored.indicator;
        if indicator.is_heading() {
            continue;
        }
        if request.level == Level::Agency
            && indicator.tracking_agency.as_deref() != Some(request.issuer_code.as_str())
        {
            continue;
        }
        let values: Vec<String> = series
            .latest
            .iter()
            .map(|v| {
                let value = match &v.value {
                    dongbo_domain::IndicatorValue::Number(n) => format!(
                        "{} {}",
                        dongbo_domain::indicator::number(*n),
                        indicator.unit
                    )
                    .trim_end()
                    .to_owned(),
                    other => other.to_string(),
                };
                match &v.scope {
                    Some(scope) => format!("{value} ({scope})"),
                    None => value,
                }
            })
            .collect();
        let indicator = &series.stored.indicator;
        // The target of the period's year: the nearest target year at or after it.
        let year = Some(chrono::Datelike::year(&end));
        let target = indicator
            .target_for(year)
            .map_or_else(String::new, |t| match t.year {
                Some(by) => format!("{} (năm {by})", t.text),
                None => t.text.clone(),
            });
        lines.push(IndicatorLine {
            code: indicator.code.clone(),
            name: indicator.name.clone(),
            unit: indicator.unit.clone(),
            target,
            value: (!values.is_empty()).then(|| values.join("; ")),
            // Never a verdict from a direction no person confirmed: the label says so.
            achievement: series.verdict_in(year).label_vi().to_owned(),
            tracked_by: indicator
                .tracking_agency
                .as_deref()
                .map_or_else(|| indicator.tracking_text.clone(), name_of),
        });
    }
    Ok(lines)
}

/// Whether `caller` may see a version: a national report, or one issued by an agency the
/// caller may view. Pages and API alike.
pub fn may_see(caller: &crate::Caller, directory: &Directory, version: &Version) -> bool {
    version.level == Level::National
        || caller.can(Action::ViewProgram, &version.issuer_code, directory)
}

/// The SHA-256 and media type of a version's file named `docx`, `xlsx` or `pdf`.
pub fn file_of<'a>(version: &'a Version, name: &str) -> Option<(&'a str, dongbo_store::MediaType)> {
    let files = &version.files;
    match name {
        "docx" => Some((&files.docx_sha256, dongbo_store::MediaType::Docx)),
        "xlsx" => Some((&files.xlsx_sha256, dongbo_store::MediaType::Xlsx)),
        "pdf" => Some((&files.pdf_sha256, dongbo_store::MediaType::Pdf)),
        _ => None,
    }
}

/// A report's document and its three files.
#[derive(Debug)]
pub struct Rendered {
    pub document: OfficialDocument,
    pub docx: Vec<u8>,
    pub xlsx: Vec<u8>,
    pub pdf: Vec<u8>,
}

/// Builds and renders a report from its input; the work is CPU-bound, so it runs off the
/// async runtime.
pub async fn render(input: SynthesisInput) -> Result<Rendered> {
    let _turn = BUILDS
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("waiting to build the report: {e}")))?;
    BUILDS_STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    tokio::task::spawn_blocking(move || {
        let document = dongbo_publish::synthesis::build(&input)
            .map_err(|e| Error::Internal(format!("building the report: {e}")))?;
        let dongbo_publish::Files { docx, xlsx, pdf } = dongbo_publish::render_all(&document)
            .map_err(|e| Error::Internal(format!("rendering the report: {e}")))?;
        Ok(Rendered {
            document,
            docx,
            xlsx,
            pdf,
        })
    })
    .await
    .map_err(|e| Error::Internal(format!("rendering the report: {e}")))?
}

/// The detailed print of version `version` of generated report `report_id` of program
/// `program_id`: the report's PDF with its detail annex (every agency on every task, what each
/// reported), for who needs the whole table on paper. It is built on demand from the data the
/// version keeps — the same bytes every time, so it is not stored. Only a national report has
/// one; who may not see the version is told it is not found.
pub async fn detailed_pdf(
    actor: &Actor<'_>,
    program_id: i64,
    report_id: i64,
    version: i64,
) -> Result<Vec<u8>> {
    let (found, input) = dongbo_store::synthesis::get(&actor.programs.db, report_id, version)
        .await?
        .ok_or(Error::NotFound)?;
    if found.program_id != program_id || !may_see(actor.caller, &actor.programs.directory, &found) {
        return Err(Error::NotFound);
    }
    let input: SynthesisInput = serde_json::from_str(&input)
        .map_err(|e| Error::Internal(format!("reading the stored input: {e}")))?;
    if found.level != Level::National {
        return Err(Error::NotFound);
    }
    let _turn = BUILDS
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("waiting to build the report: {e}")))?;
    BUILDS_STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    tokio::task::spawn_blocking(move || {
        let document = dongbo_publish::synthesis::build(&input)
            .map_err(|e| Error::Internal(format!("building the report: {e}")))?;
        dongbo_publish::pdf::render_detailed(&document)
            .map_err(|e| Error::Internal(format!("rendering the detailed PDF: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("rendering the detailed PDF: {e}")))?
}

/// Reports are built (DOCX, XLSX and PDF: about a second of one core) at most one per core at
/// a time, process-wide; further builds wait their turn, so that many requests at once (a
/// generation, checks of old versions) cannot take every core from the pages.
static BUILDS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
});

/// How many report builds this process has started.
static BUILDS_STARTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many report builds this process has started (a generation or a check each): for the
/// metrics, and for the tests that a refused check builds nothing.
pub fn builds_started() -> u64 {
    BUILDS_STARTED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Warms the PDF typesetter on a thread of its own (`dongbo_publish::pdf::warm_up`: the
/// fonts, Typst's standard library and the template), so that the first report a server
/// renders takes no longer than the next ones. Called once at start; the server does not wait.
pub fn warm_up_in_background() {
    let spawned = std::thread::Builder::new()
        .name("pdf-warm-up".to_owned())
        .spawn(|| {
            if let Err(error) = dongbo_publish::pdf::warm_up() {
                tracing::warn!(%error, "warming up the PDF typesetter");
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "starting the PDF typesetter's warm-up");
    }
}
// Synthesis reports and their wording

/// The wording template of synthesis reports in force: the one an administrator saved, else
/// the one shipped with the program.
pub async fn synthesis_template(state: &Programs) -> Result<String> {
    let saved =
        dongbo_store::synthesis::template(&state.db, dongbo_publish::template::SYNTHESIS).await?;
    Ok(saved.map_or_else(
        || dongbo_publish::template::SHIPPED_SYNTHESIS.to_owned(),
        |t| t.body,
    ))
}

/// Generates a synthesis report of program `program_id` as `request` asks, in the issuing
/// agency's name, and records it as a new version of its series: gathers the data, builds and
/// renders the DOCX, XLSX and PDF, keeps the files by content, then records the version with
/// the data it was built from. The caller must be allowed to publish for the issuing agency.
pub async fn generate_synthesis(
    actor: &Actor<'_>,
    program_id: i64,
    request: &Request,
) -> Result<Version> {
    let state = actor.programs;
    dongbo_store::programs::get(&state.db, program_id)
        .await?
        .ok_or(Error::NotFound)?;
    let directory = &state.directory;
    // 403 before 422: who may issue no report at all is refused before the form is read; who
    // may issue some is then refused one in another agency's name once the issuer is known.
    let caller = actor.caller;
    if !caller
        .agencies()
        .iter()
        .any(|agency| caller.can(Action::PublishReport, agency, directory))
    {
        return Err(Error::Forbidden);
    }
    let regimes = dongbo_store::regimes::for_program(&state.db, program_id).await?;
    let checked = check(request, directory, &regimes, actor.today(), actor.lang)?;
    actor.require(Action::PublishReport, &checked.issuer_code, directory)?;
    let template = synthesis_template(state).await?;
    let input = gather(state, program_id, &checked, template).await?;
    let json = serde_json::to_string(&input)
        .map_err(|e| Error::Internal(format!("writing the report's input: {e}")))?;
    let rendered = render(input).await?;
    let stem = format!(
        "BC-{}-{}-{}",
        checked.issuer_code,
        checked.period.code(),
        checked.level.as_str()
    );
    let mut hashes = Vec::with_capacity(3);
    for (bytes, extension, mime) in [
        (&rendered.docx, "docx", dongbo_store::MediaType::Docx),
        (&rendered.xlsx, "xlsx", dongbo_store::MediaType::Xlsx),
        (&rendered.pdf, "pdf", dongbo_store::MediaType::Pdf),
    ] {
        let stored = state
            .evidence
            .put(
                &state.db,
                bytes,
                &format!("{stem}.{extension}"),
                Some(mime.mime()),
            )
            .await?;
        hashes.push(stored.sha256);
    }
    let [docx_sha256, xlsx_sha256, pdf_sha256]: [String; 3] = hashes
        .try_into()
        .map_err(|_| Error::Internal("three files were stored".to_owned()))?;
    let version = dongbo_store::synthesis::record(
        &state.db,
        &dongbo_store::synthesis::NewVersion {
            program_id,
            level: checked.level,
            issuer_code: &checked.issuer_code,
            period: &checked.period.code(),
            number: &rendered.document.number,
            title: &rendered.document.title,
            input: &json,
            files: dongbo_store::synthesis::Files {
                docx_sha256,
                xlsx_sha256,
                pdf_sha256,
            },
            created_by: actor.username(),
        },
    )
    .await?;
    Ok(version)
}

/// Whether each file of a stored version of program `program_id` comes out the same when built
/// again from the data the version keeps: (DOCX, XLSX, PDF). Who may not see the version is
/// told it is not found before anything is built (a build takes a core for about a second).
pub async fn rebuild_synthesis(
    actor: &Actor<'_>,
    program_id: i64,
    report_id: i64,
    version: i64,
) -> Result<(Version, [bool; 3])> {
    let (found, input) = dongbo_store::synthesis::get(&actor.programs.db, report_id, version)
        .await?
        .ok_or(Error::NotFound)?;
    if found.program_id != program_id || !may_see(actor.caller, &actor.programs.directory, &found) {
        return Err(Error::NotFound);
    }
    let input: SynthesisInput = serde_json::from_str(&input)
        .map_err(|e| Error::Internal(format!("reading the stored input: {e}")))?;
    let rendered = render(input).await?;
    let same = |bytes: &[u8], sha: &str| dongbo_store::evidence::sha256_hex(bytes) == sha;
    let checks = [
        same(&rendered.docx, &found.files.docx_sha256),
        same(&rendered.xlsx, &found.files.xlsx_sha256),
        same(&rendered.pdf, &found.files.pdf_sha256),
    ];
    Ok((found, checks))
}

/// Saves the wording template of synthesis reports (administrators on the root only), after
/// checking that it parses and renders; `None` goes back to the shipped wording.
pub async fn save_synthesis_template(actor: &Actor<'_>, body: Option<&str>) -> Result<()> {
    actor.require(
        Action::EditTemplates,
        ROOT_AGENCY,
        &actor.programs.directory,
    )?;
    if let Some(body) = body {
        dongbo_publish::template::SynthesisTemplate::parse(body)
            .map_err(|e| Error::field("body", e.to_string()))?;
    }
    dongbo_store::synthesis::save_template(
        &actor.programs.db,
        dongbo_publish::template::SYNTHESIS,
        body,
        actor.username(),
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reads

/// The generated reports of program `program_id`, every version.
pub async fn versions(programs: &Programs, program_id: i64) -> Result<Vec<Version>> {
    Ok(dongbo_store::synthesis::list(&programs.db, program_id).await?)
}

/// Version `version` of generated report `report_id`, with the input it was built from (JSON).
pub async fn version(
    programs: &Programs,
    report_id: i64,
    version: i64,
) -> Result<Option<(Version, String)>> {
    Ok(dongbo_store::synthesis::get(&programs.db, report_id, version).await?)
}

/// The wording an administrator saved for synthesis reports, with who saved it and when, when
/// one did (the shipped one serves otherwise: [`synthesis_template`]).
pub async fn saved_template(programs: &Programs) -> Result<Option<StoredTemplate>> {
    Ok(
        dongbo_store::synthesis::template(&programs.db, dongbo_publish::template::SYNTHESIS)
            .await?,
    )
}
