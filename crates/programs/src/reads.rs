//! The versioned read model: what a server keeps of each program between writes, and when it
//! reads it again. Every write that changes what a program's pages or dashboard show raises
//! the program's dashboard version (and, for its text, assignments, regimes and sets, its
//! structure counter) in its own transaction; a value is read after the version and kept under
//! it, so a kept value is never older than the version a request read. After a write, only what
//! it changed is read again (facts, reports sent, completeness records, by the index on each
//! row's program and version stamp), and one request reads it while the others wait
//! (single-flight), instead of all reading it at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use dongbo_domain::Directory;
use dongbo_domain::completeness::ReportRecord;
use dongbo_store::Db;
use dongbo_store::dashboard::Snapshot;
pub use dongbo_store::dashboard::{PerAssignment, ProgressDetail, Stamp};
pub use dongbo_store::programs::StoredProgram;
use dongbo_store::reports::SentReport;

use crate::context::Error;

/// The core loop's state, shared by every request of a server: the database, the agency
/// directory read at start, the evidence files, and the versioned read model.
///
/// | kept | key | held while | raised by |
/// |---|---|---|---|
/// | `facts` | program | its version | every write of a figure, report or review |
/// | `sent`, `records` | program, period | its version (only changed assignments read again) | report writes |
/// | `programs`, `stored`, `regimes`, `assignments`, `open_sets`, `plans` | program | its structure counter | the program's text, assignments, regimes, sets |
/// | `dashboard_computed`, `completeness`, `task_progress`, `indicators`, `changes` | program (and day, period, group, task) | its version | any write to the program |
/// | `agencies`, `program_list` | agency / one key | the sum of every structure counter | any program's structure |
/// | `with_units` | one | the number of units | a unit created |
#[derive(Debug)]
pub struct Programs {
    pub db: Db,
    pub directory: Arc<Directory>,
    /// Where evidence files are kept, by content.
    pub evidence: Arc<dongbo_store::EvidenceStore>,
    /// Dashboard facts per program, each as of its program's dashboard version.
    facts: Arc<Mutex<HashMap<i64, Snapshot>>>,
    /// Held while facts are brought up to date, so that after a write one request reads
    /// what changed and the others wait for it instead of all reading it at once.
    facts_refresh: Arc<tokio::sync::Mutex<()>>,
    /// The reports sent for a program's period (by program and period code).
    sent: Arc<Kept<SentReport>>,
    /// Programs as their pages show them, by their dashboard's structure counter.
    programs: Arc<ByVersion<i64, crate::views::ProgramDetail>>,
    /// A program's reporting regimes, by its dashboard's structure counter (a regime's
    /// change raises it).
    regimes: Arc<ByVersion<i64, dongbo_domain::regime::Regimes>>,
    /// A program's assignments by task code, by its dashboard's structure counter (every
    /// write of an assignment raises it).
    assignments: Arc<ByVersion<i64, ByTask>>,
    /// The directory with the units agencies created, with how many there were: units are
    /// only ever added, so it holds while their number does.
    with_units: Arc<Mutex<Option<UnitsDirectory>>>,
    /// The reports completeness reads for a program's period (by program and period code,
    /// "*" for every period).
    records: Arc<Kept<ReportRecord>>,
    /// What a program's dashboard computes, by program, group, day and reporting period, at
    /// the program's version.
    dashboard_computed: Arc<ByVersion<DashboardKey, crate::work::Computed>>,
    /// A program's indicators with their values, at the program's version (an indicator or
    /// value written raises it).
    indicators: Arc<ByVersion<i64, Vec<dongbo_store::indicators::IndicatorLatest>>>,
    /// How the progress of a task's assignments is made up, by program and task code, at the
    /// program's version (every write of a figure raises it).
    task_progress: Arc<ByVersion<(i64, String), TaskProgress>>,
    /// Agencies' pages (their tasks in every program), by agency code, at the sum of every
    /// program's structure counter.
    agencies: Arc<ByVersion<String, crate::views::AgencyDetail>>,
    /// Every program, at the sum of every program's structure counter (a program stored or
    /// changed raises its own); one key.
    program_list: Arc<ByVersion<(), Vec<crate::views::ProgramSummary>>>,
    /// A program as stored (its document and tasks, as the domain has them), at its
    /// structure.
    stored: Arc<ByVersion<i64, Option<StoredProgram>>>,
    /// A program's open sets by task code, at its structure (a set named or chosen raises it).
    open_sets: Arc<ByVersion<i64, OpenSets>>,
    /// Whether a program is an agency's plan, and whose, at its structure (a plan is made with
    /// its program).
    plans: Arc<ByVersion<i64, Option<dongbo_store::plans::Plan>>>,
    /// A program's change requests and task history by task code, at its version (a proposal
    /// or decision raises it).
    changes: Arc<ByVersion<i64, ChangesByTask>>,
    /// Completeness figures by program, regime, period and day, at the program's version.
    completeness: Arc<ByVersion<(i64, String, String, chrono::NaiveDate), crate::views::Figures>>,
}

/// A dashboard's computation: program, group, day and reporting period code.
type DashboardKey = (i64, Option<String>, chrono::NaiveDate, String);

/// The progress details of a task's assignments, by assignment id.
pub type TaskProgress = HashMap<i64, ProgressDetail>;

/// A program's open sets by task code.
pub type OpenSets =
    std::collections::BTreeMap<String, Vec<dongbo_store::assignments::StoredPendingChoice>>;

/// A program's change requests and task history by task code.
pub type ChangesByTask = std::collections::BTreeMap<String, dongbo_store::changes::TaskChanges>;

/// The directory with the units, and how many units it was read with.
type UnitsDirectory = (i64, Arc<Directory>);

/// A program's assignments by task code, in the store's order.
pub type ByTask = HashMap<String, Vec<dongbo_store::assignments::Assignment>>;

/// Reports kept per program and period, each as of the program's dashboard stamp it was read
/// at, and brought up to date by reading only the assignments whose reports changed since
/// (`dongbo_store::dashboard::PerAssignment`).
#[derive(Debug)]
pub struct Kept<T> {
    values: Mutex<HashMap<(i64, String), PerAssignment<T>>>,
    /// Held while one of them is brought up to date, so that after a write one request reads
    /// what changed and the others wait for it instead of all reading it at once.
    refresh: tokio::sync::Mutex<()>,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept {
            values: Mutex::new(HashMap::new()),
            refresh: tokio::sync::Mutex::new(()),
        }
    }
}

impl<T: Clone> Kept<T> {
    /// The reports kept under `key` when they are as of `version` (read just before) or
    /// later, else `read`'s, given what is kept, and kept.
    async fn get_or_refresh(
        &self,
        key: (i64, String),
        version: i64,
        read: impl AsyncFnOnce(Option<&PerAssignment<T>>) -> dongbo_store::Result<PerAssignment<T>>,
    ) -> Result<PerAssignment<T>, Error> {
        let kept = |values: &Self| {
            let values = values.values.lock().ok()?;
            values.get(&key).cloned()
        };
        if let Some(kept) = kept(self)
            && kept.stamp().version >= version
        {
            return Ok(kept);
        }
        let _refreshing = self.refresh.lock().await;
        // Another request may have brought them up to date while this one waited.
        let old = kept(self);
        if let Some(old) = &old
            && old.stamp().version >= version
        {
            return Ok(old.clone());
        }
        let new = read(old.as_ref()).await?;
        if let Ok(mut values) = self.values.lock() {
            values.insert(key, new.clone());
        }
        Ok(new)
    }
}

/// At most this many values are kept in one [`ByVersion`].
const BY_VERSION_MAX: usize = 1024;

/// Values read from the store, each kept with the program's dashboard version it was read at
/// and reused while that version holds. Every write that changes what a program's pages or
/// dashboard show raises the version in its transaction; a value is read after the version,
/// so it is at least as new as the version it is kept under, and never stale when reused.
/// Versions only rise (programs are never deleted, counters never lowered), so a value kept at
/// a later version than a request read also serves it: under a stream of writes a request that
/// read its version just before another request kept the next one does not read (or render)
/// the older one again, and an older value never replaces a newer one.
#[derive(Debug)]
pub struct ByVersion<K, V> {
    values: Mutex<HashMap<K, (i64, Arc<V>)>>,
    /// At most this many values are kept ([`BY_VERSION_MAX`] unless made [`ByVersion::holding`]).
    limit: usize,
    /// Held while a missing value is read, so that the requests wanting it at once (64
    /// viewers after a start or a write) wait for one read instead of all reading it.
    reading: tokio::sync::Mutex<()>,
}

impl<K, V> Default for ByVersion<K, V> {
    fn default() -> Self {
        ByVersion::holding(BY_VERSION_MAX)
    }
}

impl<K, V> ByVersion<K, V> {
    /// One that keeps at most `limit` values, for values too large to keep a thousand of.
    pub fn holding(limit: usize) -> Self {
        ByVersion {
            values: Mutex::new(HashMap::new()),
            limit,
            reading: tokio::sync::Mutex::new(()),
        }
    }
}

impl<K: std::hash::Hash + Eq, V> ByVersion<K, V> {
    /// The value of `key` kept at `version` or a later one, else `read`'s, kept.
    pub async fn get_or_read<E>(
        &self,
        key: K,
        version: i64,
        read: impl Future<Output = Result<V, E>>,
    ) -> Result<Arc<V>, E> {
        let kept = |values: &Self| {
            let values = values.values.lock().ok()?;
            let (seen, value) = values.get(&key)?;
            (*seen >= version).then(|| Arc::clone(value))
        };
        if let Some(value) = kept(self) {
            return Ok(value);
        }
        let _reading = self.reading.lock().await;
        // Another request may have read it while this one waited.
        if let Some(value) = kept(self) {
            return Ok(value);
        }
        let value = Arc::new(read.await?);
        if let Ok(mut values) = self.values.lock() {
            // Keys can come from a request (a day, a period): forget them all rather than grow
            // without bound; what is in use is read again once.
            if values.len() >= self.limit {
                values.clear();
            }
            match values.get(&key) {
                Some((seen, _)) if *seen > version => {}
                _ => {
                    values.insert(key, (version, Arc::clone(&value)));
                }
            }
        }
        Ok(value)
    }
}

impl Programs {
    /// The state of a server on `db` whose evidence files live in `evidence_dir`.
    pub fn new(db: Db, directory: Directory, evidence_dir: std::path::PathBuf) -> Programs {
        Programs {
            db,
            directory: Arc::new(directory),
            evidence: Arc::new(dongbo_store::EvidenceStore::new(
                evidence_dir,
                dongbo_store::EvidenceLimits::default(),
            )),
            facts: Arc::default(),
            facts_refresh: Arc::default(),
            sent: Arc::default(),
            programs: Arc::default(),
            regimes: Arc::default(),
            records: Arc::default(),
            completeness: Arc::default(),
            dashboard_computed: Arc::default(),
            task_progress: Arc::default(),
            indicators: Arc::default(),
            agencies: Arc::default(),
            open_sets: Arc::default(),
            program_list: Arc::default(),
            stored: Arc::default(),
            plans: Arc::default(),
            changes: Arc::default(),
            assignments: Arc::default(),
            with_units: Arc::default(),
        }
    }

    /// The reporting regimes of a program at its dashboard `stamp` (read just before): read
    /// again only when its structure changes, as a regime change raises it.
    pub async fn regimes(
        &self,
        program_id: i64,
        stamp: Stamp,
    ) -> Result<Arc<dongbo_domain::regime::Regimes>, Error> {
        let read = async {
            dongbo_store::regimes::for_program(&self.db, program_id)
                .await
                .map_err(Error::from)
        };
        self.regimes
            .get_or_read(program_id, stamp.structure, read)
            .await
    }

    /// The report records completeness reads for a program's `period` (every period with
    /// `None`), as of its dashboard `version` (read just before) or later: after a report
    /// write only the records of the assignment it changed are read again.
    pub async fn report_records(
        &self,
        program_id: i64,
        version: i64,
        period: Option<&dongbo_domain::regime::RegimePeriod>,
    ) -> Result<PerAssignment<ReportRecord>, Error> {
        let read = async |kept: Option<&PerAssignment<ReportRecord>>| {
            dongbo_store::regimes::report_records_kept(&self.db, program_id, period, kept).await
        };
        let key = period.map_or_else(|| "*".to_owned(), |p| p.code());
        self.records
            .get_or_refresh((program_id, key), version, read)
            .await
    }

    /// A program's completeness for one regime (by key) and period on `today`, with the
    /// series over `periods`, as of its dashboard `stamp` (read just before): computed once
    /// per version and kept.
    pub async fn completeness(
        &self,
        program_id: i64,
        stamp: Stamp,
        regime: &dongbo_domain::ReportingRegime,
        period: &dongbo_domain::RegimePeriod,
        periods: &[dongbo_domain::RegimePeriod],
        today: chrono::NaiveDate,
    ) -> Result<Arc<crate::views::Figures>, Error> {
        let key = (program_id, regime.key(), period.code(), today);
        let compute = async {
            let facts = self.dashboard_facts_at(program_id, stamp.version).await?;
            let records = self.report_records(program_id, stamp.version, None).await?;
            let records = records.rows();
            Ok::<_, Error>(crate::views::Figures {
                figures: dongbo_domain::completeness::completeness(
                    regime,
                    period,
                    &facts,
                    records,
                    &[],
                ),
                series: dongbo_domain::completeness::series(regime, periods, &facts, records, &[]),
            })
        };
        self.completeness
            .get_or_read(key, stamp.version, compute)
            .await
    }

    /// The program's dashboard stamp now: what [`Programs::dashboard_facts_at`],
    /// [`Programs::sent_for_period`], [`Programs::report_records`] and
    /// [`Programs::program_detail`] are read at, so that a page using several of them reads it
    /// once.
    pub async fn dashboard_stamp(&self, program_id: i64) -> Result<Stamp, Error> {
        Ok(dongbo_store::dashboard::stamp(&self.db, program_id).await?)
    }

    /// The dashboard facts of a program, as of its dashboard version now or later.
    pub async fn dashboard_facts(
        &self,
        program_id: i64,
    ) -> Result<Arc<Vec<dongbo_domain::dashboard::Fact>>, Error> {
        let stamp = self.dashboard_stamp(program_id).await?;
        self.dashboard_facts_at(program_id, stamp.version).await
    }

    /// The dashboard facts of a program as of `version` (read just before) or later. Kept in
    /// memory; after a write only the facts it changed are read again (`Snapshot::refresh`).
    pub async fn dashboard_facts_at(
        &self,
        program_id: i64,
        version: i64,
    ) -> Result<Arc<Vec<dongbo_domain::dashboard::Fact>>, Error> {
        if let Some(snapshot) = self.cached_facts(program_id)
            && snapshot.version() >= version
        {
            return Ok(Arc::clone(snapshot.facts()));
        }
        let _refreshing = self.facts_refresh.lock().await;
        // Another request may have brought them up to date while this one waited.
        let snapshot = match self.cached_facts(program_id) {
            Some(snapshot) if snapshot.version() >= version => snapshot,
            Some(snapshot) => snapshot.refresh(&self.db).await?,
            None => Snapshot::read(&self.db, program_id).await?,
        };
        if let Ok(mut cache) = self.facts.lock() {
            cache.insert(program_id, snapshot.clone());
        }
        Ok(Arc::clone(snapshot.facts()))
    }

    /// The reports of a program sent for `period` (for the reports missing on its dashboard),
    /// as of its dashboard `version` (read just before) or later: after a report write only the
    /// reports of the assignment it changed are read again.
    pub async fn sent_for_period(
        &self,
        program_id: i64,
        version: i64,
        period: dongbo_domain::Period,
    ) -> Result<PerAssignment<SentReport>, Error> {
        let read = async |kept: Option<&PerAssignment<SentReport>>| {
            dongbo_store::reports::sent_for_period(&self.db, program_id, period, kept).await
        };
        self.sent
            .get_or_refresh((program_id, period.code()), version, read)
            .await
    }

    /// A program as its pages show it, at its dashboard `stamp` (read just before): read again
    /// only when its structure moved (reports and reviews leave it as it is).
    pub async fn program_detail(
        &self,
        program_id: i64,
        stamp: Stamp,
    ) -> Result<Arc<crate::views::ProgramDetail>, Error> {
        let read = async {
            let stored = self.stored_program(program_id, stamp).await?;
            let stored = Option::as_ref(&stored).ok_or(Error::NotFound)?;
            // A unit appears in a program only through an assignment, which raises the
            // structure: the units read now are all those the program can name.
            let directory = self.directory_with_units().await?;
            Ok::<_, Error>(crate::views::program_view(&directory, stored))
        };
        self.programs
            .get_or_read(program_id, stamp.structure, read)
            .await
    }

    /// The assignments of task `code` of a program now, in the store's order: read once per
    /// structure of the program for all its tasks, and kept.
    pub async fn task_assignments(
        &self,
        program_id: i64,
        code: &str,
    ) -> Result<Vec<dongbo_store::assignments::Assignment>, Error> {
        let stamp = self.dashboard_stamp(program_id).await?;
        let by_task = self.program_assignments(program_id, stamp).await?;
        Ok(by_task.get(code).cloned().unwrap_or_default())
    }

    async fn read_assignments(&self, program_id: i64) -> Result<ByTask, Error> {
        let mut by_task = ByTask::new();
        for assignment in dongbo_store::assignments::for_program(&self.db, program_id).await? {
            by_task
                .entry(assignment.task_code.clone())
                .or_default()
                .push(assignment);
        }
        Ok(by_task)
    }

    /// The assignments of a program by task code, at its dashboard `stamp` (read just
    /// before): read once per structure and kept.
    pub async fn program_assignments(
        &self,
        program_id: i64,
        stamp: Stamp,
    ) -> Result<Arc<ByTask>, Error> {
        let read = self.read_assignments(program_id);
        self.assignments
            .get_or_read(program_id, stamp.structure, read)
            .await
    }

    /// Assignment `id` with its task and its program's number, as the server keeps them
    /// (`None` when there is no such assignment): one statement finds its program, whose kept
    /// structure gives the rest.
    pub async fn placed_assignment(
        &self,
        id: i64,
    ) -> Result<Option<dongbo_store::assignments::AgencyAssignment>, Error> {
        let Some(placement) = dongbo_store::assignments::placement(&self.db, id).await? else {
            return Ok(None);
        };
        let (program_id, code, stamp) =
            (placement.program_id, placement.task_code, placement.stamp);
        let by_task = self.program_assignments(program_id, stamp).await?;
        let Some(assignment) = by_task
            .get(&code)
            .into_iter()
            .flatten()
            .find(|a| a.id == id)
        else {
            return Ok(None);
        };
        let stored = self.stored_program(program_id, stamp).await?;
        let Some(stored) = stored.as_ref() else {
            return Ok(None);
        };
        let Some(task) = stored.program.tasks.iter().find(|t| t.code == code) else {
            return Ok(None);
        };
        Ok(Some(dongbo_store::assignments::AgencyAssignment {
            assignment: assignment.clone(),
            program_number: stored.program.document.number.clone(),
            task: task.clone(),
        }))
    }

    /// A program as stored now (`None`: there is none): see [`Programs::stored_program`].
    pub async fn stored_now(&self, program_id: i64) -> Result<Arc<Option<StoredProgram>>, Error> {
        let stamp = self.dashboard_stamp(program_id).await?;
        self.stored_program(program_id, stamp).await
    }

    /// A program as stored (`None`: there is none), at its dashboard `stamp` (read just
    /// before): read once per structure and kept; what its pages show is made from it.
    pub async fn stored_program(
        &self,
        program_id: i64,
        stamp: Stamp,
    ) -> Result<Arc<Option<StoredProgram>>, Error> {
        let read = async {
            dongbo_store::programs::get(&self.db, program_id)
                .await
                .map_err(Error::from)
        };
        self.stored
            .get_or_read(program_id, stamp.structure, read)
            .await
    }

    /// The open sets of a program by task code, at its dashboard `stamp` (read just before):
    /// read once per structure and kept.
    pub async fn open_sets(&self, program_id: i64, stamp: Stamp) -> Result<Arc<OpenSets>, Error> {
        let read = async {
            dongbo_store::assignments::pending_for_program(&self.db, program_id)
                .await
                .map_err(Error::from)
        };
        self.open_sets
            .get_or_read(program_id, stamp.structure, read)
            .await
    }

    /// The plan a program is, if it is one, at its dashboard `stamp` (read just before): read
    /// once per structure and kept.
    pub async fn plan(
        &self,
        program_id: i64,
        stamp: Stamp,
    ) -> Result<Option<dongbo_store::plans::Plan>, Error> {
        let read = async {
            dongbo_store::plans::get(&self.db, program_id)
                .await
                .map_err(Error::from)
        };
        let plan = self
            .plans
            .get_or_read(program_id, stamp.structure, read)
            .await?;
        Ok(Option::clone(&plan))
    }

    /// The plan a program is, if it is one, now (see [`Programs::plan`]).
    pub async fn plan_now(
        &self,
        program_id: i64,
    ) -> Result<Option<dongbo_store::plans::Plan>, Error> {
        let stamp = self.dashboard_stamp(program_id).await?;
        self.plan(program_id, stamp).await
    }

    /// The change requests and history of task `code` of a program, at its dashboard
    /// `version` (read just before): read once per version for all its tasks and kept.
    pub async fn task_changes(
        &self,
        program_id: i64,
        code: &str,
        version: i64,
    ) -> Result<dongbo_store::changes::TaskChanges, Error> {
        let read = async {
            dongbo_store::changes::by_task(&self.db, program_id)
                .await
                .map_err(Error::from)
        };
        let all = self.changes.get_or_read(program_id, version, read).await?;
        Ok(all.get(code).cloned().unwrap_or_default())
    }

    /// How the progress of the assignments of task `code` is made up, at the program's
    /// dashboard `version` (read just before): read once per version and kept.
    pub async fn task_progress(
        &self,
        program_id: i64,
        code: &str,
        version: i64,
    ) -> Result<Arc<TaskProgress>, Error> {
        let read = async {
            dongbo_store::dashboard::progress_of_task(&self.db, program_id, code)
                .await
                .map_err(Error::from)
        };
        self.task_progress
            .get_or_read((program_id, code.to_owned()), version, read)
            .await
    }

    /// The indicators of a program with their latest values, at its dashboard `version` (read
    /// just before): read once per version and kept. Only the latest values are kept: a
    /// national program's whole history is hundreds of thousands of values.
    pub async fn indicators(
        &self,
        program_id: i64,
        version: i64,
    ) -> Result<Arc<Vec<dongbo_store::indicators::IndicatorLatest>>, Error> {
        let read = async {
            dongbo_store::indicators::latest_for_program(&self.db, program_id, None)
                .await
                .map_err(Error::from)
        };
        self.indicators.get_or_read(program_id, version, read).await
    }

    /// Indicator `code` of a program with all its values now, when it has one: read each
    /// time, not kept (one indicator's history is read by its key).
    pub async fn indicator(
        &self,
        program_id: i64,
        code: &str,
    ) -> Result<Option<dongbo_store::indicators::IndicatorSeries>, Error> {
        Ok(dongbo_store::indicators::get(&self.db, program_id, code).await?)
    }

    /// Agency `code` with its tasks in every program, as its page shows it: built once per
    /// state of the programs' structure (see [`dongbo_store::dashboard::structures`]).
    pub async fn agency_detail(
        &self,
        code: &str,
    ) -> Result<Arc<crate::views::AgencyDetail>, Error> {
        let structures = dongbo_store::dashboard::structures(&self.db).await?;
        let read = crate::views::agency_detail(self, &self.directory, code);
        self.agencies
            .get_or_read(code.to_owned(), structures, read)
            .await
    }

    /// Every program (agencies' plans too), as the list shows them: read once per state of
    /// the programs' structure (see [`dongbo_store::dashboard::structures`]).
    pub async fn program_list(&self) -> Result<Arc<Vec<crate::views::ProgramSummary>>, Error> {
        let structures = dongbo_store::dashboard::structures(&self.db).await?;
        let read = crate::views::program_list(&self.db);
        self.program_list.get_or_read((), structures, read).await
    }

    /// A program as its pages show it now (see [`Programs::program_detail`]).
    pub async fn program_now(
        &self,
        program_id: i64,
    ) -> Result<Arc<crate::views::ProgramDetail>, Error> {
        let stamp = self.dashboard_stamp(program_id).await?;
        self.program_detail(program_id, stamp).await
    }

    /// What a program's dashboard computes under `key`, at `version` (read just before) or
    /// later: `compute`d once per version and kept (see [`crate::work::dashboard`]).
    pub(crate) async fn dashboard_computed(
        &self,
        key: DashboardKey,
        version: i64,
        compute: impl Future<Output = Result<crate::work::Computed, Error>>,
    ) -> Result<Arc<crate::work::Computed>, Error> {
        self.dashboard_computed
            .get_or_read(key, version, compute)
            .await
    }

    fn cached_facts(&self, program_id: i64) -> Option<Snapshot> {
        let cache = self.facts.lock().ok()?;
        cache.get(&program_id).cloned()
    }

    /// The directory with the units agencies created since start: counted on every call, read
    /// again only when their number changed.
    pub async fn directory_with_units(&self) -> Result<Arc<Directory>, Error> {
        let count = dongbo_store::plans::unit_count(&self.db).await?;
        if let Ok(kept) = self.with_units.lock()
            && let Some((seen, directory)) = kept.as_ref()
            && *seen == count
        {
            return Ok(Arc::clone(directory));
        }
        let units = dongbo_store::plans::units(&self.db).await?;
        let read = i64::try_from(units.len()).unwrap_or(i64::MAX);
        let directory = Arc::new(
            Directory::clone(&self.directory).with_units(units.iter().map(|u| u.as_agency())),
        );
        if let Ok(mut kept) = self.with_units.lock() {
            *kept = Some((read, Arc::clone(&directory)));
        }
        Ok(directory)
    }
}

#[cfg(test)]
mod tests {
    use super::ByVersion;

    /// Reads `value` for `key` at `version` unless a kept value serves it; says which.
    async fn get(kept: &ByVersion<&'static str, i64>, version: i64, value: i64) -> (i64, bool) {
        let mut read = false;
        let got = kept
            .get_or_read("program", version, async {
                read = true;
                Ok::<_, ()>(value)
            })
            .await
            .expect("reads never fail here");
        (*got, read)
    }

    #[tokio::test]
    async fn a_value_kept_at_a_later_version_serves_an_earlier_one_and_is_never_replaced_by_it() {
        let kept = ByVersion::default();
        assert_eq!(get(&kept, 5, 50).await, (50, true));
        assert_eq!(get(&kept, 5, 0).await, (50, false), "same version: kept");
        assert_eq!(get(&kept, 7, 70).await, (70, true), "later version: read");
        assert_eq!(
            get(&kept, 6, 0).await,
            (70, false),
            "a request that read version 6 before the write of 7 is served the newer value"
        );
        assert_eq!(get(&kept, 8, 80).await, (80, true));
    }

    #[tokio::test]
    async fn an_older_value_read_late_does_not_replace_a_newer_one() {
        let kept = ByVersion::holding(4);
        // A slow request read version 3, then another kept version 4 before the slow one ends.
        let slow = kept.get_or_read("program", 3, async {
            kept.values
                .lock()
                .expect("not poisoned")
                .insert("program", (4, std::sync::Arc::new(40)));
            Ok::<_, ()>(30)
        });
        assert_eq!(
            *slow.await.expect("read"),
            30,
            "the slow request gets what it read"
        );
        assert_eq!(
            get(&kept, 4, 0).await,
            (40, false),
            "the newer value stayed"
        );
    }
}
