//! `dongbo gen`: a deterministic synthetic dataset of national shape — the real agency
//! directory, generated departments, vụ/cục, communes and public service units (stored as
//! units), programs with their tasks cascaded to agency plans and handed to units, progress
//! reports over six years (2020–2025) with their review, and indicator values.
//!
//! The same seed gives the same data: every random choice comes from a ChaCha8 stream (whose
//! output is fixed by its specification, not by a crate version) seeded from the seed and the
//! name of what is being drawn, and everything is visited in a fixed order. Only the times
//! the ordinary write paths stamp with the wall clock (an import's time, a plan's creation)
//! and the audit log's times differ between two runs.
//!
//! Programs, their assignments, plans, regimes and indicator definitions go through the
//! ordinary store functions (the same rows an import or an agency would write); the large
//! tables (units, units' assignments, reports, dashboard facts, indicator values) through
//! `dongbo_store::bulk`, one transaction per program and phase, each with an audit entry.
//! An interrupted run leaves whole batches behind and no "gen.done" entry; a later run
//! refuses that database (see [`GenError::NotEmpty`]).
#![forbid(unsafe_code)]

pub mod library;
mod names;
mod reports;
mod shape;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use dongbo_domain::indicator::{Direction, Indicator, Target, YearTarget};
use dongbo_domain::text::nfc;
use dongbo_domain::{
    AgencyKind, DeadlineRule, Directory, DocumentKind, DocumentMeta, ImportedProgram, PeriodKind,
    Reporters, ReportingRegime, Resolution, Task, TaskGroup, TimeFrame,
};
use dongbo_store::bulk::{self, NewIndicatorValue, NewUnit};
use dongbo_store::{
    Assigning, Db, SourceInfo, StoreError, assignments, indicators, plans, programs, regimes,
};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use sha2::Digest;

pub use shape::{Scale, Shape};

/// Who the generated rows are written by, in the audit log and as authors of values.
pub const ACTOR: &str = "dongbo gen";

/// The last day of the generated six years.
fn horizon_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub scale: Scale,
    pub seed: u64,
    /// Generate even though the database holds programs other than the bundled 47/NQ-CP
    /// (document numbers must still not collide).
    pub force: bool,
    /// Library items instead of the scale's (the library bench through the server).
    pub library_items: Option<u64>,
}

/// Why generating failed.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// The database already holds data the generator would mix with.
    #[error(
        "the database already holds {0}; dongbo gen writes into a database that holds only \
         the bundled 47/NQ-CP program (use a new data folder or database, or --force)"
    )]
    NotEmpty(String),
    #[error("{context}: {source}")]
    Store {
        context: String,
        #[source]
        source: StoreError,
    },
}

trait Context<T> {
    fn doing(self, context: impl FnOnce() -> String) -> Result<T, GenError>;
}

impl<T> Context<T> for Result<T, StoreError> {
    fn doing(self, context: impl FnOnce() -> String) -> Result<T, GenError> {
        self.map_err(|source| GenError::Store {
            context: context(),
            source,
        })
    }
}

/// How a caller shows progress: one bar per phase.
pub trait Progress {
    /// A phase starts with `total` steps.
    fn start(&self, phase: &str, total: u64);
    /// `steps` more are done.
    fn advance(&self, steps: u64);
    /// The phase is over.
    fn finish(&self);
}

/// Shows nothing (tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _phase: &str, _total: u64) {}
    fn advance(&self, _steps: u64) {}
    fn finish(&self) {}
}

/// What one table received and how long the phase that wrote it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: &'static str,
    pub rows: u64,
    pub elapsed: Duration,
}

/// What a run wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub tables: Vec<TableCount>,
    pub elapsed: Duration,
}

impl Summary {
    /// Rows written to `table`, 0 when none.
    pub fn rows(&self, table: &str) -> u64 {
        self.tables
            .iter()
            .filter(|t| t.table == table)
            .map(|t| t.rows)
            .sum()
    }

    fn add(&mut self, table: &'static str, rows: u64, elapsed: Duration) {
        self.tables.push(TableCount {
            table,
            rows,
            elapsed,
        });
    }
}

/// A random stream for one named part of the dataset: the same seed and name give the same
/// numbers, and one part drawing more does not shift another.
pub(crate) fn stream(seed: u64, name: &str, index: u64) -> Rng {
    let mut hash = sha2::Sha256::new();
    hash.update(seed.to_le_bytes());
    hash.update(name.as_bytes());
    hash.update(index.to_le_bytes());
    let digest: [u8; 32] = hash.finalize().into();
    Rng(ChaCha8Rng::from_seed(digest))
}

/// The generator's random numbers.
#[derive(Debug)]
pub(crate) struct Rng(ChaCha8Rng);

impl Rng {
    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        usize::try_from(self.0.next_u64() % n).unwrap_or(0)
    }

    /// True `per_mille` times in a thousand.
    pub(crate) fn chance(&mut self, per_mille: usize) -> bool {
        self.below(1000) < per_mille
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Generates the dataset of `options` into `db`, whose directory is `directory` (the bundled
/// one, loaded by the first run).
pub async fn generate(
    db: &Db,
    directory: &Directory,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Summary, GenError> {
    let started = Instant::now();
    if !options.force {
        refuse_filled(db).await?;
    }
    let mut shape = options.scale.shape();
    if let Some(items) = options.library_items {
        shape.library_items = items;
    }
    let world = World::new(directory, &shape, options.seed);
    let mut summary = Summary::default();

    let units = write_units(db, &world, progress, &mut summary).await?;
    let programs = write_programs(db, directory, &world, progress, &mut summary).await?;
    let plans = write_plans(
        db,
        directory,
        &world,
        &units,
        &programs,
        progress,
        &mut summary,
    )
    .await?;
    reports::write(db, &world, &programs, &plans, progress, &mut summary).await?;
    write_indicators(db, &world, &programs, progress, &mut summary).await?;
    library::write(
        db,
        shape.library_items,
        options.seed,
        progress,
        &mut summary,
    )
    .await?;

    summary.elapsed = started.elapsed();
    let mut done = bulk::begin(db, "finishing the generated dataset")
        .await
        .doing(|| "finishing".to_owned())?;
    let counts: serde_json::Map<String, serde_json::Value> = summary
        .tables
        .iter()
        .map(|t| (t.table.to_owned(), serde_json::json!(summary.rows(t.table))))
        .collect();
    done.audit(
        ACTOR,
        bulk::GENERATED_ACTION,
        serde_json::json!({
            "scale": options.scale.name(),
            "seed": options.seed,
            "rows": counts,
        }),
    )
    .await
    .doing(|| "recording the generated dataset".to_owned())?;
    done.commit()
        .await
        .doing(|| "finishing the generated dataset".to_owned())?;
    Ok(summary)
}

/// Refuses a database that holds generated data or programs other than 47/NQ-CP.
async fn refuse_filled(db: &Db) -> Result<(), GenError> {
    if bulk::generated(db)
        .await
        .doing(|| "checking the database".to_owned())?
    {
        return Err(GenError::NotEmpty("a generated dataset".to_owned()));
    }
    let others: Vec<String> = programs::list(db)
        .await
        .doing(|| "listing the programs".to_owned())?
        .into_iter()
        .filter(|p| p.number.as_deref() != Some("47/NQ-CP"))
        .map(|p| p.number.unwrap_or(p.title))
        .collect();
    if let Some(first) = others.first() {
        return Err(GenError::NotEmpty(format!(
            "{} other program(s) (first: {first})",
            others.len()
        )));
    }
    let units = plans::units(db)
        .await
        .doing(|| "listing the units".to_owned())?;
    if let Some(unit) = units.first() {
        return Err(GenError::NotEmpty(format!(
            "{} unit(s) (first: {})",
            units.len(),
            unit.code
        )));
    }
    Ok(())
}

/// The agencies the dataset is made of, chosen once from the directory.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) seed: u64,
    pub(crate) shape: Shape,
    /// Ministries and ministerial agencies that exist from 2020 to today: they lead tasks.
    pub(crate) ministries: Vec<(String, String)>,
    /// Provinces and centrally-run cities that exist today (code, name), the first
    /// `shape.provinces` of them get units, plans and indicator values.
    pub(crate) provinces: Vec<(String, String)>,
}

impl World {
    fn new(directory: &Directory, shape: &Shape, seed: u64) -> World {
        let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or(NaiveDate::MIN);
        let ministries = directory
            .agencies
            .iter()
            .filter(|a| matches!(a.kind, AgencyKind::Ministry | AgencyKind::MinisterialAgency))
            .filter(|a| a.valid_on(start) && a.valid_until.is_none())
            .map(|a| (a.code.clone(), a.name_vi.clone()))
            .collect();
        let provinces: Vec<(String, String)> = directory
            .agencies
            .iter()
            .filter(|a| matches!(a.kind, AgencyKind::Province | AgencyKind::CentralCity))
            .filter(|a| a.valid_until.is_none())
            .map(|a| (a.code.clone(), a.name_vi.clone()))
            .collect();
        World {
            seed,
            shape: shape.clone(),
            ministries,
            provinces,
        }
    }

    /// The provinces whose share of the country is generated.
    pub(crate) fn provinces_in_scope(&self) -> &[(String, String)] {
        &self.provinces[..self.shape.provinces.min(self.provinces.len())]
    }

    /// Whether `agency` makes plans and has units in this dataset.
    pub(crate) fn in_scope(&self, agency: &str) -> bool {
        self.ministries.iter().any(|(code, _)| code == agency)
            || self
                .provinces_in_scope()
                .iter()
                .any(|(code, _)| code == agency)
    }
}

/// A day and time (Vietnam's office hours) as stored, UTC.
pub(crate) fn at(day: NaiveDate, rng: &mut Rng) -> chrono::DateTime<Utc> {
    // 08:00–16:59 in Vietnam is 01:00–09:59 UTC the same day.
    let hour = 1 + u32::try_from(rng.below(9)).unwrap_or(0);
    let minute = u32::try_from(rng.below(60)).unwrap_or(0);
    let time = day.and_hms_opt(hour, minute, 0).unwrap_or_default();
    Utc.from_utc_datetime(&time)
}

/// A person's full name.
pub(crate) fn person(rng: &mut Rng) -> String {
    nfc(&format!(
        "{} {} {}",
        rng.pick(names::FAMILY),
        rng.pick(names::MIDDLE),
        rng.pick(names::GIVEN)
    ))
}

/// "tỉnh Nghệ An" from "Tỉnh Nghệ An": a name as it follows another.
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The units of each agency in scope, by agency code.
pub(crate) type UnitsByAgency = BTreeMap<String, Vec<String>>;

async fn write_units(
    db: &Db,
    world: &World,
    progress: &dyn Progress,
    summary: &mut Summary,
) -> Result<UnitsByAgency, GenError> {
    let started = Instant::now();
    let shape = &world.shape;
    let mut rng = stream(world.seed, "units", 0);
    let created = |rng: &mut Rng| {
        let day = NaiveDate::from_ymd_opt(2020, 1, 2).unwrap_or_default()
            + chrono::Duration::days(i64::try_from(rng.below(60)).unwrap_or(0));
        at(day, rng)
    };
    let mut units = Vec::new();
    for (code, name) in &world.ministries {
        for (own, unit_name) in names::MINISTRY_UNITS.iter().take(shape.units_per_ministry) {
            units.push(NewUnit {
                code: format!("{code}/{own}"),
                agency_code: code.clone(),
                name_vi: nfc(&format!("{unit_name} ({name})")),
                name_en: String::new(),
                created_at: created(&mut rng),
            });
        }
    }
    for (index, (code, name)) in world.provinces_in_scope().iter().enumerate() {
        let of = lower_first(name);
        for (own, department) in names::DEPARTMENTS
            .iter()
            .take(shape.departments_per_province)
        {
            units.push(NewUnit {
                code: format!("{code}/{own}"),
                agency_code: code.clone(),
                name_vi: nfc(&format!("{department} {of}")),
                name_en: String::new(),
                created_at: created(&mut rng),
            });
        }
        let communes = shape.communes_of(index);
        let mut taken = std::collections::BTreeSet::new();
        for number in 1..=communes {
            let kind = if rng.chance(250) { "Phường" } else { "Xã" };
            let mut place = format!(
                "{} {}",
                rng.pick(names::PLACE_FIRST),
                rng.pick(names::PLACE_SECOND)
            );
            if !taken.insert(place.clone()) {
                place = format!("{place} {number}");
                taken.insert(place.clone());
            }
            let own = if kind == "Xã" { "XA" } else { "PHUONG" };
            units.push(NewUnit {
                code: format!("{code}/{own}-{number:03}"),
                agency_code: code.clone(),
                name_vi: nfc(&format!("Ủy ban nhân dân {} {place}", lower_first(kind))),
                name_en: String::new(),
                created_at: created(&mut rng),
            });
        }
        for number in 1..=shape.public_units_per_province {
            let (prefix, unit_name) = rng.pick(names::PUBLIC_UNITS);
            let place = format!(
                "{} {}",
                rng.pick(names::PLACE_FIRST),
                rng.pick(names::PLACE_SECOND)
            );
            units.push(NewUnit {
                code: format!("{code}/{prefix}-{number:03}"),
                agency_code: code.clone(),
                name_vi: nfc(&format!("{unit_name} {place}")),
                name_en: String::new(),
                created_at: created(&mut rng),
            });
        }
    }
    // A unit's English name is its Vietnamese one until someone translates it, as
    // `plans::create_unit` stores it.
    for unit in &mut units {
        unit.name_en = unit.name_vi.clone();
    }
    progress.start("units", u64::try_from(units.len()).unwrap_or(0));
    let mut batch = bulk::begin(db, "generating units")
        .await
        .doing(|| "generating units".to_owned())?;
    for chunk in units.chunks(1_000) {
        batch
            .units(chunk)
            .await
            .doing(|| "generating units".to_owned())?;
        progress.advance(u64::try_from(chunk.len()).unwrap_or(0));
    }
    batch
        .audit(
            ACTOR,
            "gen.units",
            serde_json::json!({ "units": units.len() }),
        )
        .await
        .doing(|| "generating units".to_owned())?;
    batch
        .commit()
        .await
        .doing(|| "generating units".to_owned())?;
    progress.finish();
    summary.add(
        "units",
        u64::try_from(units.len()).unwrap_or(0),
        started.elapsed(),
    );
    let mut by_agency = UnitsByAgency::new();
    for unit in units {
        by_agency
            .entry(unit.agency_code)
            .or_default()
            .push(unit.code);
    }
    Ok(by_agency)
}

/// A generated program as stored.
#[derive(Debug, Clone)]
pub(crate) struct GeneratedProgram {
    pub(crate) id: i64,
    pub(crate) issued_on: NaiveDate,
    /// The period kind its reports follow.
    pub(crate) period: PeriodKind,
    pub(crate) rule: DeadlineRule,
}

async fn write_programs(
    db: &Db,
    directory: &Directory,
    world: &World,
    progress: &dyn Progress,
    summary: &mut Summary,
) -> Result<Vec<GeneratedProgram>, GenError> {
    let started = Instant::now();
    let count = world.shape.programs;
    progress.start("programs", u64::try_from(count).unwrap_or(0));
    let mut stored = Vec::with_capacity(count);
    let mut tasks = 0u64;
    let mut assignments_made = 0u64;
    for index in 0..count {
        let mut rng = stream(world.seed, "program", u64::try_from(index).unwrap_or(0));
        let program = program(world, index, &mut rng);
        tasks += u64::try_from(program.tasks.len()).unwrap_or(0);
        let number = program.document.number.clone().unwrap_or_default();
        let issued_on = program.document.issued_on.unwrap_or_else(horizon_end);
        let digest = sha2::Sha256::digest(format!("dongbo gen {} {index}", world.seed));
        let source = SourceInfo {
            file_name: format!("gen-{}-{index:03}.txt", world.seed),
            format: "gen".to_owned(),
            sha256: hex::encode(digest),
        };
        let saved =
            programs::save_with_assignments(db, &program, &source, Assigning::new(directory))
                .await
                .doing(|| format!("storing the generated program {number} with its assignments"))?;
        let id = saved.program_id();
        assignments_made += u64::try_from(saved.assignments.created).unwrap_or(0);
        let (period, working_days) = match rng.below(20) {
            0..=11 => (PeriodKind::Annual, 1),
            12..=16 => (PeriodKind::SixMonthly, 5),
            _ => (PeriodKind::Quarterly, 5),
        };
        let rule = DeadlineRule::new(working_days).unwrap_or_default();
        if period != PeriodKind::Annual {
            let regime = ReportingRegime::periodic(period, Reporters::Every, rule);
            regimes::set(db, id, &regime, ACTOR)
                .await
                .doing(|| format!("setting the reporting regime of {number}"))?;
        }
        stored.push(GeneratedProgram {
            id,
            issued_on,
            period,
            rule,
        });
        progress.advance(1);
    }
    progress.finish();
    summary.add("tasks", tasks, started.elapsed());
    summary.add("assignments", assignments_made, started.elapsed());
    Ok(stored)
}

/// The document of program `index`: its number, groups and tasks.
fn program(world: &World, index: usize, rng: &mut Rng) -> ImportedProgram {
    let (kind_code, head, issuer) = rng.pick(names::PROGRAM_KINDS);
    let subject = rng.pick(names::PROGRAM_SUBJECTS);
    // Numbers grow with the index (unique) but not evenly, as real registers do.
    let number = format!("{}/{kind_code}", 101 + index * 4 + rng.below(4));
    let year = 2020 + i32::try_from(rng.below(5)).unwrap_or(0);
    let issued_on = NaiveDate::from_ymd_opt(
        year,
        1 + u32::try_from(rng.below(12)).unwrap_or(0),
        1 + u32::try_from(rng.below(28)).unwrap_or(0),
    )
    .unwrap_or_else(horizon_end);
    let kind = match *kind_code {
        "NQ-CP" => DocumentKind::Resolution,
        "QĐ-TTg" => DocumentKind::Decision,
        _ => DocumentKind::Directive,
    };
    let groups: Vec<TaskGroup> = names::GROUPS
        .iter()
        .enumerate()
        .map(|(i, title)| TaskGroup {
            code: roman(i + 1).to_owned(),
            title: nfc(title),
        })
        .collect();
    let mut tasks = Vec::with_capacity(world.shape.tasks_per_program);
    for i in 0..world.shape.tasks_per_program {
        let group = i % groups.len();
        let within = i / groups.len() + 1;
        tasks.push(task(
            world,
            &groups[group].code,
            group + 1,
            within,
            issued_on,
            rng,
        ));
    }
    ImportedProgram {
        document: DocumentMeta {
            number: Some(nfc(&number)),
            kind,
            issued_on: Some(issued_on),
            issuer: Some((*issuer).to_owned()),
            issuer_text: Some(
                if *issuer == "CP" {
                    "CHÍNH PHỦ"
                } else {
                    "THỦ TƯỚNG CHÍNH PHỦ"
                }
                .to_owned(),
            ),
            signer: Some(person(rng)),
            title: nfc(&format!("{head} {subject}")),
            implements: Vec::new(),
            language: "vi".to_owned(),
        },
        groups,
        tasks,
        warnings: Vec::new(),
    }
}

fn roman(n: usize) -> &'static str {
    ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
        .get(n.saturating_sub(1))
        .copied()
        .unwrap_or("X")
}

/// One task: led by a ministry or by every province, with up to two coordinating ministries.
fn task(
    world: &World,
    group: &str,
    group_number: usize,
    within: usize,
    issued_on: NaiveDate,
    rng: &mut Rng,
) -> Task {
    let title = nfc(&format!(
        "{} {}",
        rng.pick(names::TASK_VERBS),
        rng.pick(names::TASK_OBJECTS)
    ));
    let lead = if rng.chance(world.shape.province_led_per_mille) {
        Resolution {
            text: "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương".to_owned(),
            agencies: Vec::new(),
            sets: vec!["tinh-thanh-pho".to_owned()],
            unresolved: Vec::new(),
            participants: Vec::new(),
        }
    } else {
        let (code, name) = rng.pick(&world.ministries);
        Resolution {
            text: name.clone(),
            agencies: vec![code.clone()],
            sets: Vec::new(),
            unresolved: Vec::new(),
            participants: Vec::new(),
        }
    };
    let mut coordinating: Vec<&(String, String)> = Vec::new();
    for _ in 0..rng.below(3) {
        let candidate = rng.pick(&world.ministries);
        if !lead.agencies.contains(&candidate.0) && !coordinating.contains(&candidate) {
            coordinating.push(candidate);
        }
    }
    // Time frames that start before the document was issued are moved to its year.
    let mut text = (*rng.pick(names::TIME_FRAMES)).to_owned();
    let mut time_frame = TimeFrame::parse(&text);
    if time_frame.due.is_some_and(|due| due < issued_on) {
        text = format!("{} - 2025", issued_on.format("%Y"));
        time_frame = TimeFrame::parse(&text);
    }
    Task {
        code: format!("{group_number}.{within}"),
        group: group.to_owned(),
        title,
        expected_output: Some(nfc(rng.pick::<&str>(names::OUTPUTS))),
        lead,
        coordinating: Resolution {
            text: coordinating
                .iter()
                .map(|(_, name)| name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            agencies: coordinating.iter().map(|(code, _)| code.clone()).collect(),
            sets: Vec::new(),
            unresolved: Vec::new(),
            participants: Vec::new(),
        },
        time_frame,
        draft: false,
        language: None,
        source: None,
    }
}

/// A plan of an agency for a generated program.
#[derive(Debug, Clone)]
pub(crate) struct GeneratedPlan {
    pub(crate) id: i64,
    pub(crate) parent: i64,
    pub(crate) agency: String,
}

async fn write_plans(
    db: &Db,
    directory: &Directory,
    world: &World,
    units: &UnitsByAgency,
    programs_made: &[GeneratedProgram],
    progress: &dyn Progress,
    summary: &mut Summary,
) -> Result<Vec<GeneratedPlan>, GenError> {
    let started = Instant::now();
    progress.start("plans", u64::try_from(programs_made.len()).unwrap_or(0));
    let mut made = Vec::new();
    let mut plan_tasks = 0u64;
    let mut handed_count = 0u64;
    for (index, program) in programs_made.iter().enumerate() {
        let mut rng = stream(world.seed, "plans", u64::try_from(index).unwrap_or(0));
        let agencies: std::collections::BTreeSet<String> = assignments::for_program(db, program.id)
            .await
            .doing(|| format!("reading the assignments of program {}", program.id))?
            .into_iter()
            .map(|a| a.agency_code)
            .filter(|code| world.in_scope(code))
            .collect();
        // Plans first (each in its own transaction, as agencies make them), then one batch
        // handing their tasks to units.
        let mut created_here = Vec::new();
        for agency in agencies {
            if !rng.chance(world.shape.plans_per_mille) {
                continue;
            }
            let created = plans::create(db, directory, program.id, &agency)
                .await
                .doing(|| format!("creating the plan of {agency} for program {}", program.id))?;
            let plans::Created::New { program_id, tasks } = created else {
                continue;
            };
            plan_tasks += u64::try_from(tasks).unwrap_or(0);
            created_here.push(GeneratedPlan {
                id: program_id,
                parent: program.id,
                agency: agency.clone(),
            });
        }
        let mut batch = bulk::begin(
            db,
            &format!("handing plan tasks of program {} to units", program.id),
        )
        .await
        .doing(|| "handing plan tasks to units".to_owned())?;
        let mut handed_here = 0u64;
        for plan in &created_here {
            let Some(own_units) = units.get(&plan.agency) else {
                continue;
            };
            let task_ids = bulk::task_ids(db, plan.id)
                .await
                .doing(|| format!("reading the tasks of plan {}", plan.id))?;
            let mut handed = Vec::new();
            for task_id in task_ids.values() {
                let mut chosen = std::collections::BTreeSet::new();
                for _ in 0..=rng.below(world.shape.units_per_task) {
                    chosen.insert(rng.pick(own_units).clone());
                }
                handed.extend(chosen.into_iter().map(|unit| (*task_id, unit)));
            }
            handed_here += u64::try_from(handed.len()).unwrap_or(0);
            batch
                .assign_units(plan.id, None, &handed)
                .await
                .doing(|| format!("handing the tasks of plan {} to units", plan.id))?;
        }
        made.extend(created_here);
        batch
            .audit(
                ACTOR,
                "gen.plans",
                serde_json::json!({ "program_id": program.id, "unit_assignments": handed_here }),
            )
            .await
            .doing(|| "handing plan tasks to units".to_owned())?;
        batch
            .commit()
            .await
            .doing(|| "handing plan tasks to units".to_owned())?;
        handed_count += handed_here;
        progress.advance(1);
    }
    progress.finish();
    summary.add("tasks", plan_tasks, started.elapsed());
    summary.add("assignments", plan_tasks + handed_count, started.elapsed());
    Ok(made)
}

async fn write_indicators(
    db: &Db,
    world: &World,
    programs_made: &[GeneratedProgram],
    progress: &dyn Progress,
    summary: &mut Summary,
) -> Result<(), GenError> {
    let started = Instant::now();
    progress.start(
        "indicators",
        u64::try_from(programs_made.len()).unwrap_or(0),
    );
    let mut values_written = 0u64;
    for (index, program) in programs_made.iter().enumerate() {
        let mut rng = stream(world.seed, "indicators", u64::try_from(index).unwrap_or(0));
        let defined: Vec<Indicator> = (0..world.shape.indicators_per_program)
            .map(|i| indicator(world, i, program.issued_on, &mut rng))
            .collect();
        indicators::upsert(db, program.id, &defined, ACTOR)
            .await
            .doing(|| format!("storing the indicators of program {}", program.id))?;
        let stored = indicators::stored_for_program(db, program.id)
            .await
            .doing(|| format!("reading the indicators of program {}", program.id))?;
        let mut batch = bulk::begin(
            db,
            &format!("recording indicator values of program {}", program.id),
        )
        .await
        .doing(|| "recording indicator values".to_owned())?;
        let mut next = batch
            .next_id(bulk::IdTable::IndicatorValues)
            .await
            .doing(|| "recording indicator values".to_owned())?;
        let mut written = 0u64;
        for stored in &stored {
            let values = indicator_values(world, stored, program.issued_on, &mut next, &mut rng);
            written += u64::try_from(values.len()).unwrap_or(0);
            batch
                .indicator_values(&values)
                .await
                .doing(|| format!("recording values of indicator {}", stored.indicator.code))?;
        }
        batch
            .audit(
                ACTOR,
                "gen.indicator_values",
                serde_json::json!({ "program_id": program.id, "values": written }),
            )
            .await
            .doing(|| "recording indicator values".to_owned())?;
        batch
            .commit()
            .await
            .doing(|| "recording indicator values".to_owned())?;
        values_written += written;
        progress.advance(1);
    }
    progress.finish();
    summary.add("indicator_values", values_written, started.elapsed());
    Ok(())
}

fn indicator(world: &World, index: usize, issued_on: NaiveDate, rng: &mut Rng) -> Indicator {
    let (name, unit, target, baseline) = names::INDICATORS[index % names::INDICATORS.len()];
    let round = index / names::INDICATORS.len();
    let name = if round == 0 {
        nfc(name)
    } else {
        nfc(&format!("{name} (nhóm {})", round + 1))
    };
    let targets: Vec<YearTarget> = (!target.trim().is_empty())
        .then(|| YearTarget {
            year: Some(2025),
            text: nfc(target),
            target: Target::parse_row(target).unwrap_or(Target::Qualitative(String::new())),
        })
        .into_iter()
        .collect();
    // Generated data is judged: its direction counts as confirmed.
    let direction = if target.starts_with('≤') {
        Direction::LowerIsBetter
    } else {
        Direction::HigherIsBetter
    };
    let (tracker, tracker_name) = rng.pick(&world.ministries);
    Indicator {
        code: (index + 1).to_string(),
        parent: None,
        name,
        unit: nfc(unit),
        direction,
        direction_confirmed: true,
        baseline: Some(baseline),
        baseline_year: Some(issued_on.format("%Y").to_string().parse().unwrap_or(2020) - 1),
        targets,
        tracking_agency: Some(tracker.clone()),
        tracking_text: tracker_name.clone(),
        source: String::new(),
    }
}

/// Values of one indicator: every province in scope, monthly and yearly from the program's
/// year to 2025, moving from the baseline toward the target; a few corrected later.
fn indicator_values(
    world: &World,
    stored: &indicators::StoredIndicator,
    issued_on: NaiveDate,
    next: &mut i64,
    rng: &mut Rng,
) -> Vec<NewIndicatorValue> {
    let indicator = &stored.indicator;
    let baseline = indicator.baseline.unwrap_or(0.0);
    let goal = indicator
        .final_target()
        .and_then(|t| t.target.goals().first())
        .map_or(baseline, |g| g.value);
    let first_year: i32 = issued_on.format("%Y").to_string().parse().unwrap_or(2020);
    let mut periods = Vec::new();
    for year in first_year..=2025 {
        for month in 1..=12 {
            if let Ok(period) = dongbo_domain::Period::new(PeriodKind::Monthly, year, month) {
                periods.push(period);
            }
        }
        if let Ok(period) = dongbo_domain::Period::new(PeriodKind::Annual, year, 1) {
            periods.push(period);
        }
    }
    let span = f64::from(2026 - first_year).max(1.0);
    let mut values = Vec::new();
    for (agency, _) in world.provinces_in_scope() {
        let pace = 0.6 + f64::from(u32::try_from(rng.below(60)).unwrap_or(0)) / 100.0;
        for period in &periods {
            let elapsed = f64::from(period.year() - first_year)
                + f64::from(period.index().saturating_sub(1)) / 12.0;
            let share = (elapsed / span * pace).min(1.0);
            let noise = f64::from(u32::try_from(rng.below(200)).unwrap_or(0)) / 100.0 - 1.0;
            let value = ((baseline + (goal - baseline) * share + noise) * 10.0).round() / 10.0;
            let recorded = period.end()
                + chrono::Duration::days(3 + i64::try_from(rng.below(20)).unwrap_or(0));
            let corrected = rng.chance(world.shape.corrections_per_mille);
            let mut push = |value: f64, day: NaiveDate, note: &str, rng: &mut Rng| {
                values.push(NewIndicatorValue {
                    id: *next,
                    indicator_id: stored.id,
                    agency_code: agency.clone(),
                    period: period.code(),
                    value_number: value.max(0.0),
                    source: "Báo cáo thống kê".to_owned(),
                    note: note.to_owned(),
                    author: ACTOR.to_owned(),
                    recorded_at: at(day, rng),
                });
                *next += 1;
            };
            push(value, recorded, "", rng);
            if corrected {
                push(
                    value + 0.5,
                    recorded + chrono::Duration::days(15),
                    "Điều chỉnh theo số liệu chính thức",
                    rng,
                );
            }
        }
    }
    values
}
