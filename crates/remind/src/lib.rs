//! Đôn đốc — reminders. Rules plan what each agency must be reminded of, the persistent job
//! queue (`dongbo_store::jobs`) sends it, and nobody is reminded of the same thing twice.
//!
//! # How a reminder travels
//!
//! 1. **Planning** ([`Runner::plan`]) reads every assignment, works out its due date (the
//!    assignment's own, else its task's) and applies the rules of [`plan`]: due soon within the
//!    configured lead times, overdue once. [`report_returned`] and [`remind_manually`] add
//!    reminders from people. Each reminder has a dedupe key (rule + assignment + lead time or
//!    date) and is recorded in the store's reminder outbox only when the key is new.
//! 2. **Batching** gathers the reminders waiting for each agency into one digest job.
//! 3. **Sending**: the digest job's handler records one in-app notification per reminder and
//!    sends the agency ONE e-mail listing them all, over SMTP. A send that fails is retried
//!    with back-off (`jobs::fail`), and the notifications are not duplicated on the retry.
//!
//! Delivery is at least once: a worker that crashes after the SMTP server accepted a digest
//! but before the job was marked done sends it again when the job's lease expires.
//!
//! Time comes from the runner's [`Clock`] (`Runner::with_clock`): the system clock in
//! `dongbo serve`, an instant pinned by a test, so [`Runner::tick`] and [`Runner::drain`] run
//! the queue as of any instant. Every day the rules count in is the Vietnam day of that
//! instant (UTC+7, `dongbo_domain::clock`): from 17:00 UTC it is already tomorrow in Hà Nội.
//! [`report_returned`] and [`remind_manually`] are told the instant by their caller.
#![forbid(unsafe_code)]

pub mod digest;
pub mod plan;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use dongbo_domain::{Clock, Directory};
use dongbo_store::assignments::{self, Assignment};
use dongbo_store::jobs::{self, FailOutcome, Job};
use dongbo_store::notifications::{self, Cadence, Gathering, NewReminder, Reminder};
use dongbo_store::{Db, StoreError, programs, tasks};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sha2::{Digest as _, Sha256};

/// The job kind of a digest e-mail.
pub const DIGEST_JOB: &str = "remind.digest";

/// What went wrong while reminding.
#[derive(Debug, thiserror::Error)]
pub enum RemindError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An address in the configuration or the contacts does not parse.
    #[error("«{address}» is not a usable e-mail address: {message}")]
    Address { address: String, message: String },
    /// The e-mail could not be built.
    #[error("building the e-mail: {0}")]
    Message(String),
    /// The SMTP server could not be reached or refused the message.
    #[error("sending the e-mail through {server}: {message}")]
    Send { server: String, message: String },
}

pub type Result<T, E = RemindError> = std::result::Result<T, E>;

/// Where e-mail goes: plain SMTP, for a relay on loopback or on the intranet (no TLS, no
/// login; a relay that needs them sits in front).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// The sender ("Đồng Bộ <dongbo@bo.gov.vn>").
    pub from: String,
    /// How long one SMTP conversation may take.
    pub timeout: Duration,
}

impl SmtpConfig {
    pub fn new(host: impl Into<String>, port: u16, from: impl Into<String>) -> Self {
        SmtpConfig {
            host: host.into(),
            port,
            from: from.into(),
            timeout: Duration::from_secs(30),
        }
    }
}

/// The lead times of "due soon" reminders by default: 30 and 7 days before the due date.
pub const DEFAULT_LEAD_DAYS: [u32; 2] = [30, 7];

/// The longest lead time accepted: a year. A reminder further ahead would be noise.
pub const MAX_LEAD_DAYS: u32 = 366;

/// A list of lead times that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeadDaysError {
    #[error("no lead time given (expected days before the due date, e.g. 7,1)")]
    Empty,
    #[error("«{0}» is not a number of days (expected e.g. 7,1)")]
    NotANumber(String),
    #[error("{0} days is more than the {MAX_LEAD_DAYS} days a lead time may be")]
    TooLong(u32),
    #[error("{0} days is given twice")]
    Repeated(u32),
}

/// The lead times of "due soon" reminders, as `dongbo serve --remind-before` takes them:
/// days before the due date separated by commas ("7,1", "30, 7, 0"; 0 is the due date
/// itself). Each is 0–[`MAX_LEAD_DAYS`] and given once; the order does not matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadDays(Vec<u32>);

impl LeadDays {
    /// The days, as written.
    pub fn days(&self) -> &[u32] {
        &self.0
    }
}

impl Default for LeadDays {
    fn default() -> Self {
        LeadDays(DEFAULT_LEAD_DAYS.to_vec())
    }
}

impl std::str::FromStr for LeadDays {
    type Err = LeadDaysError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut days = Vec::new();
        for part in text.split(',').map(str::trim) {
            if part.is_empty() {
                continue;
            }
            let day: u32 = part
                .parse()
                .map_err(|_| LeadDaysError::NotANumber(part.to_owned()))?;
            if day > MAX_LEAD_DAYS {
                return Err(LeadDaysError::TooLong(day));
            }
            if days.contains(&day) {
                return Err(LeadDaysError::Repeated(day));
            }
            days.push(day);
        }
        if days.is_empty() {
            return Err(LeadDaysError::Empty);
        }
        Ok(LeadDays(days))
    }
}

/// How reminders are made and sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemindConfig {
    /// Days before a due date to remind ([`DEFAULT_LEAD_DAYS`] by default); each lead time is
    /// reminded once per assignment and due date (see [`plan`]).
    pub lead_days: Vec<u32>,
    /// `None`: reminders are shown in the application only.
    pub smtp: Option<SmtpConfig>,
    /// Addresses per agency code, besides those stored with `notifications::set_contacts`.
    pub agency_emails: BTreeMap<String, Vec<String>>,
    /// Prefix that makes the links in e-mails absolute (`https://dongbo.bo.gov.vn`).
    pub base_url: Option<String>,
    /// How long a worker holds a job before another may take it over.
    pub lease: chrono::Duration,
    /// How often [`Runner::run_forever`] sends what is due (it plans once a day).
    pub interval: Duration,
    /// Whether agencies are reminded of the periodic reports their programs' reporting
    /// regimes call for (see [`plan`]); on by default.
    pub report_deadlines: bool,
}

impl Default for RemindConfig {
    fn default() -> Self {
        RemindConfig {
            lead_days: LeadDays::default().days().to_vec(),
            smtp: None,
            agency_emails: BTreeMap::new(),
            base_url: None,
            lease: chrono::Duration::minutes(5),
            interval: Duration::from_secs(60),
            report_deadlines: true,
        }
    }
}

/// Which assignments are done, so that they are not reminded. The reports work plugs its
/// accepted reports in here; until then [`NothingDone`] says that nothing is.
pub trait DoneSource: Send + Sync {
    /// The ids among `assignments` that are done as of `today`.
    fn done(
        &self,
        db: &Db,
        assignments: &[Assignment],
        today: chrono::NaiveDate,
    ) -> impl Future<Output = Result<HashSet<i64>, StoreError>> + Send;
}

/// A [`DoneSource`] reading the accepted reports: an assignment is done when its own accepted
/// report reached 100% (`dongbo_store::dashboard::done_assignments`).
#[derive(Debug, Clone, Copy, Default)]
pub struct AcceptedReports;

impl DoneSource for AcceptedReports {
    async fn done(
        &self,
        db: &Db,
        assignments: &[Assignment],
        _today: chrono::NaiveDate,
    ) -> Result<HashSet<i64>, StoreError> {
        let ids: Vec<i64> = assignments.iter().map(|a| a.id).collect();
        dongbo_store::dashboard::done_assignments(db, &ids).await
    }
}

/// A [`DoneSource`] for which nothing is done.
#[derive(Debug, Clone, Copy, Default)]
pub struct NothingDone;

impl DoneSource for NothingDone {
    async fn done(
        &self,
        _db: &Db,
        _assignments: &[Assignment],
        _today: chrono::NaiveDate,
    ) -> Result<HashSet<i64>, StoreError> {
        Ok(HashSet::new())
    }
}

/// What one [`Runner::tick`] or [`Runner::drain`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Reminders newly recorded by planning.
    pub reminders: usize,
    /// Digest jobs created.
    pub digests: usize,
    /// Jobs run to completion.
    pub jobs_done: usize,
    /// Jobs whose attempt failed and that wait for a retry.
    pub jobs_retrying: usize,
    /// Jobs given up.
    pub jobs_failed: usize,
    /// E-mails the SMTP server accepted.
    pub emails_sent: usize,
}

impl TickReport {
    fn add(&mut self, other: TickReport) {
        self.reminders += other.reminders;
        self.digests += other.digests;
        self.jobs_done += other.jobs_done;
        self.jobs_retrying += other.jobs_retrying;
        self.jobs_failed += other.jobs_failed;
        self.emails_sent += other.emails_sent;
    }

    fn did_nothing(&self) -> bool {
        *self == TickReport::default()
    }
}

/// How a reminder reached its agency: a notice in the application, or an e-mail digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    InApp,
    Email,
}

impl Channel {
    /// The channel's name in metrics: `in_app`, `email`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::InApp => "in_app",
            Channel::Email => "email",
        }
    }
}

/// Told how many reminders went out on a channel, each time some do: how the server counts
/// them for its metrics without this crate knowing about metrics.
#[derive(Clone)]
pub struct SentCounter(Arc<dyn Fn(Channel, u64) + Send + Sync>);

impl SentCounter {
    pub fn new(count: impl Fn(Channel, u64) + Send + Sync + 'static) -> Self {
        SentCounter(Arc::new(count))
    }
}

impl std::fmt::Debug for SentCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SentCounter")
    }
}

/// Plans reminders and runs the reminder jobs, as of the time its [`Clock`] reads.
#[derive(Debug, Clone)]
pub struct Runner<D = NothingDone> {
    db: Db,
    config: RemindConfig,
    done: D,
    sent: Option<SentCounter>,
    clock: Clock,
}

impl Runner<NothingDone> {
    /// A runner on the system clock.
    pub fn new(db: Db, config: RemindConfig) -> Self {
        Runner {
            db,
            config,
            done: NothingDone,
            sent: None,
            clock: Clock::system(),
        }
    }
}

impl<D: DoneSource> Runner<D> {
    /// The same runner, asking `done` which assignments are done.
    pub fn with_done_source<E: DoneSource>(self, done: E) -> Runner<E> {
        Runner {
            db: self.db,
            config: self.config,
            done,
            sent: self.sent,
            clock: self.clock,
        }
    }

    /// The same runner, taking its time from `clock` (a test pins it to an instant).
    pub fn with_clock(self, clock: Clock) -> Self {
        Runner { clock, ..self }
    }

    /// The clock the runner takes its time from.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// The same runner, telling `counter` of every reminder sent.
    pub fn with_sent_counter(self, counter: SentCounter) -> Self {
        Runner {
            sent: Some(counter),
            ..self
        }
    }

    fn count_sent(&self, channel: Channel, how_many: usize) {
        if let Some(counter) = &self.sent
            && how_many > 0
        {
            (counter.0)(channel, u64::try_from(how_many).unwrap_or(u64::MAX));
        }
    }

    pub fn config(&self) -> &RemindConfig {
        &self.config
    }

    /// The agencies of program `program_id` whose periodic reports are missing on `today`:
    /// for each of the program's reporting regimes, its current period and (for Decree 09
    /// periods) the one before, whose deadline may have just passed.
    async fn owed_reports(
        &self,
        program_id: i64,
        today: chrono::NaiveDate,
    ) -> Result<Vec<plan::OwedReports>> {
        use dongbo_domain::RegimePeriod;
        let regimes = dongbo_store::regimes::for_program(&self.db, program_id).await?;
        let facts = dongbo_store::dashboard::facts(&self.db, program_id).await?;
        let records = dongbo_store::regimes::report_records(&self.db, program_id, None).await?;
        let mut owed = Vec::new();
        for regime in regimes.iter() {
            let Some(current) = regime.current_period(today) else {
                continue;
            };
            let previous = match &current {
                RegimePeriod::Decree09(period) => period.previous().map(RegimePeriod::Decree09),
                RegimePeriod::Phase(_) => None,
            };
            for period in std::iter::once(current).chain(previous) {
                owed.extend(plan::owed_reports(
                    program_id, regime, &period, &facts, &records,
                ));
            }
        }
        Ok(owed)
    }

    /// Records the reminders the rules call for now (by the runner's clock) and gathers every
    /// waiting reminder into one digest job per agency.
    pub async fn plan(&self) -> Result<TickReport> {
        self.plan_at(self.clock.now()).await
    }

    /// [`plan`](Self::plan) as of `now`. Goes a program at a time, recording each program's
    /// reminders before reading the next: at national scale every program together is over a
    /// million assignments, which held at once took the server to 1.7 GB.
    async fn plan_at(&self, now: DateTime<Utc>) -> Result<TickReport> {
        let today = dongbo_domain::clock::vietnam_day(now);
        let mut reminders = 0;
        for program in &programs::list(&self.db).await? {
            let Some(stored) = programs::get(&self.db, program.id).await? else {
                continue;
            };
            let by_code: HashMap<&str, &dongbo_domain::Task> = stored
                .program
                .tasks
                .iter()
                .map(|t| (t.code.as_str(), t))
                .collect();
            let mut candidates = Vec::new();
            for assignment in assignments::for_program(&self.db, program.id).await? {
                let Some(task) = by_code.get(assignment.task_code.as_str()) else {
                    continue;
                };
                candidates.push(plan::Candidate {
                    due: assignment.due_on.or(task.time_frame.due),
                    task_title: task.title.clone(),
                    assignment,
                });
            }
            let assignments: Vec<Assignment> =
                candidates.iter().map(|c| c.assignment.clone()).collect();
            let done = self.done.done(&self.db, &assignments, today).await?;
            let mut wanted = plan::reminders(&candidates, &done, today, &self.config.lead_days);
            if self.config.report_deadlines {
                let owed = self.owed_reports(program.id, today).await?;
                wanted.extend(plan::report_reminders(&owed, today, &self.config.lead_days));
            }
            reminders += notifications::record_reminders(&self.db, &wanted, now).await?;
        }
        let day_start = dongbo_domain::clock::vietnam_day_start(today);
        let digests = notifications::gather_reminders(
            &self.db,
            DIGEST_JOB,
            now,
            Gathering::Daily { day_start },
        )
        .await?
        .len();
        if reminders > 0 || digests > 0 {
            tracing::info!(reminders, digests, "reminders planned");
        }
        Ok(TickReport {
            reminders,
            digests,
            ..TickReport::default()
        })
    }

    /// Runs every reminder job due now (by the runner's clock), one after the other, until none
    /// is left to claim.
    pub async fn run_due_jobs(&self) -> Result<TickReport> {
        self.run_due_jobs_at(self.clock.now()).await
    }

    /// [`run_due_jobs`](Self::run_due_jobs) as of `now`.
    async fn run_due_jobs_at(&self, now: DateTime<Utc>) -> Result<TickReport> {
        // Urgent reminders (a report returned, a change request decided, a đôn đốc) go at
        // the next tick, not with tomorrow's plan: each tick gathers the agency's waiting ones.
        let gathered =
            notifications::gather_reminders(&self.db, DIGEST_JOB, now, Gathering::Urgent).await?;
        let mut report = TickReport {
            digests: gathered.len(),
            ..TickReport::default()
        };
        let mut directory: Option<Directory> = None;
        while let Some(job) =
            jobs::claim_of(&self.db, &[DIGEST_JOB], now, self.config.lease).await?
        {
            if directory.is_none() {
                directory = Some(dongbo_store::directory::load(&self.db).await?);
            }
            let outcome = self.send_digest(&job, directory.as_ref(), now).await;
            match outcome {
                Ok(sent) => {
                    jobs::complete(&self.db, &job, now).await?;
                    report.jobs_done += 1;
                    report.emails_sent += usize::from(sent);
                }
                Err(error) => {
                    let retry_at = now + jobs::backoff(job.attempts);
                    let message = error.to_string();
                    match jobs::fail(&self.db, &job, &message, retry_at, now).await? {
                        FailOutcome::Retrying(at) => {
                            report.jobs_retrying += 1;
                            tracing::warn!(job.id = job.id, job.attempt = job.attempts, retry_at = %at, error = %message, "reminder digest not sent; will retry");
                        }
                        FailOutcome::Failed => {
                            report.jobs_failed += 1;
                            tracing::error!(job.id = job.id, job.attempt = job.attempts, error = %message, "reminder digest given up");
                        }
                        FailOutcome::Stale => {}
                    }
                }
            }
        }
        Ok(report)
    }

    /// [`plan`](Self::plan), then [`run_due_jobs`](Self::run_due_jobs), both as of one
    /// reading of the clock.
    pub async fn tick(&self) -> Result<TickReport> {
        self.tick_at(self.clock.now()).await
    }

    async fn tick_at(&self, now: DateTime<Utc>) -> Result<TickReport> {
        // The urgent reminders first, as between plans, so that they reach only whom they
        // would in `run_forever` (the day's plan gathers for everyone).
        let urgent =
            notifications::gather_reminders(&self.db, DIGEST_JOB, now, Gathering::Urgent).await?;
        let mut report = self.plan_at(now).await?;
        report.digests += urgent.len();
        report.add(self.run_due_jobs_at(now).await?);
        Ok(report)
    }

    /// Ticks until a pass finds nothing to do as of now (one reading of the clock): every
    /// reminder planned and every job due run. Jobs waiting for a retry after now stay queued.
    /// For tests.
    pub async fn drain(&self) -> Result<TickReport> {
        let now = self.clock.now();
        let mut total = TickReport::default();
        loop {
            let report = self.tick_at(now).await?;
            if report.did_nothing() {
                return Ok(total);
            }
            total.add(report);
        }
    }

    /// Runs until `shutdown` completes: plans the day's reminders at the first tick of each
    /// day (Vietnam time) and sends what is due every [`RemindConfig::interval`]. Reminders
    /// are about days (due soon, overdue, a report owed), so one plan a day is enough, and it
    /// reads every assignment of every program: at national scale that is over a million rows,
    /// too much to read every minute. An error is logged and the next tick tries again. For
    /// `dongbo serve` to spawn.
    pub async fn run_forever(&self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        tracing::info!(
            lead_days = ?self.config.lead_days,
            interval_s = self.config.interval.as_secs(),
            "reminder runner started"
        );
        let mut planned_on: Option<chrono::NaiveDate> = None;
        loop {
            let now = self.clock.now();
            let today = dongbo_domain::clock::vietnam_day(now);
            if planned_on != Some(today) {
                let started = std::time::Instant::now();
                match self.plan_at(now).await {
                    Ok(report) => {
                        planned_on = Some(today);
                        tracing::info!(
                            day = %today,
                            reminders = report.reminders,
                            digests = report.digests,
                            elapsed_ms = started.elapsed().as_millis(),
                            "the day's reminders planned"
                        );
                    }
                    Err(error) => tracing::error!(error = %error, "planning reminders failed"),
                }
            }
            if let Err(error) = self.run_due_jobs_at(now).await {
                tracing::error!(error = %error, "sending reminders failed");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(self.config.interval) => {}
            }
        }
    }

    /// The digest job's handler: notifications for each reminder, then the e-mail. Returns
    /// whether an e-mail was sent. Idempotent: a rerun records no notification twice.
    ///
    /// Who is e-mailed: the agency's contacts and configured addresses, and its users who set
    /// an address (`notifications::email_recipients`) — every one of them for the daily
    /// digest, only those who chose [`Cadence::Immediate`] for an urgent one gathered between
    /// plans; for those who chose [`Cadence::Daily`], the urgent reminders are kept for their
    /// next daily digest, which goes to them alone. A reminder whose notice a later event
    /// resolved (a returned report since accepted) is not e-mailed.
    async fn send_digest(
        &self,
        job: &Job,
        directory: Option<&Directory>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let today = dongbo_domain::clock::vietnam_day(now);
        let reminders: Vec<Reminder> = notifications::reminders_of_digest(&self.db, job.id).await?;
        let Some(agency_code) = reminders.first().map(|r| r.agency_code.clone()) else {
            return Ok(false);
        };
        // Jobs gathered before cadences existed have no "daily": they were the day's digest.
        let daily = job
            .payload
            .get("daily")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(true);
        let for_user = job
            .payload
            .get("user_id")
            .and_then(serde_json::Value::as_i64);
        if for_user.is_none() {
            let notices: Vec<_> = reminders
                .iter()
                .map(|r| digest::notification(r, today))
                .collect();
            let recorded = notifications::notify_many(&self.db, &notices, now).await?;
            // A rerun of the job records nothing twice, and counts nothing twice.
            let new = recorded
                .iter()
                .filter(|n| matches!(n, notifications::Notified::New(_)))
                .count();
            self.count_sent(Channel::InApp, new);
        }

        let Some(smtp) = &self.config.smtp else {
            return Ok(false);
        };
        // Only the reminders of events can be resolved (a national daily digest holds hundreds
        // of deadline reminders, not worth a look each).
        let keys: Vec<String> = reminders
            .iter()
            .filter(|r| matches!(r.kind.as_str(), plan::RETURNED | plan::CHANGE_DECIDED))
            .map(|r| r.dedupe_key.clone())
            .collect();
        let resolved = notifications::resolved_keys(&self.db, &keys).await?;
        let reminders: Vec<Reminder> = reminders
            .into_iter()
            .filter(|r| !resolved.contains(&r.dedupe_key))
            .collect();
        if reminders.is_empty() {
            tracing::info!(agency.code = %agency_code, job.id = job.id, "every reminder of the digest was resolved meanwhile; no e-mail");
            return Ok(false);
        }
        let users = notifications::email_recipients(&self.db, &agency_code).await?;
        let mut addresses = Vec::new();
        match for_user {
            Some(user_id) => addresses.extend(
                users
                    .iter()
                    .filter(|u| u.user_id == user_id)
                    .map(|u| u.email.clone()),
            ),
            None => {
                addresses.extend(notifications::contacts(&self.db, &agency_code).await?);
                addresses.extend(
                    self.config
                        .agency_emails
                        .get(&agency_code)
                        .into_iter()
                        .flatten()
                        .cloned(),
                );
                for user in &users {
                    if daily || user.cadence == Cadence::Immediate {
                        addresses.push(user.email.clone());
                    } else {
                        notifications::keep_for_daily_digest(
                            &self.db,
                            &reminders,
                            user.user_id,
                            now,
                        )
                        .await?;
                    }
                }
            }
        }
        addresses.sort();
        addresses.dedup();
        if addresses.is_empty() {
            tracing::info!(agency.code = %agency_code, job.id = job.id, "no e-mail address for the agency; reminders shown in the application only");
            return Ok(false);
        }
        let name = directory
            .and_then(|d| d.agency(&agency_code))
            .map_or_else(|| agency_code.clone(), |a| a.name_vi.clone());
        let text = digest::digest(&name, &reminders, today, self.config.base_url.as_deref());
        send(smtp, &addresses, &text).await?;
        self.count_sent(Channel::Email, 1);
        tracing::info!(
            agency.code = %agency_code,
            job.id = job.id,
            reminders = reminders.len(),
            recipients = addresses.len(),
            "reminder digest sent"
        );
        Ok(true)
    }
}

/// Sends one e-mail to `to` (all in the `To` header).
async fn send(smtp: &SmtpConfig, to: &[String], text: &digest::Digest) -> Result<()> {
    let mailbox = |address: &str| -> Result<Mailbox> {
        address
            .parse()
            .map_err(|e: lettre::address::AddressError| RemindError::Address {
                address: address.to_owned(),
                message: e.to_string(),
            })
    };
    let mut builder = Message::builder()
        .from(mailbox(&smtp.from)?)
        .subject(text.subject.clone())
        .header(ContentType::TEXT_PLAIN);
    for address in to {
        builder = builder.to(mailbox(address)?);
    }
    let message = builder
        .body(text.body.clone())
        .map_err(|e| RemindError::Message(e.to_string()))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
        .port(smtp.port)
        .timeout(Some(smtp.timeout))
        .build();
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| RemindError::Send {
            server: format!("{}:{}", smtp.host, smtp.port),
            message: e.to_string(),
        })
}

/// What [`report_returned`] needs to know of the returned report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedReport {
    /// The agency whose report was returned.
    pub agency_code: String,
    pub program_id: i64,
    pub task_code: String,
    /// The reviewer's comment.
    pub comment: String,
}

/// Records the notice that a progress report was returned to its agency, for the agency's next
/// digest. Returning the same report at the same instant twice records it once. Returns whether
/// it was new.
pub async fn report_returned(
    db: &Db,
    returned: &ReturnedReport,
    now: DateTime<Utc>,
) -> Result<bool> {
    let task_title = tasks::get(db, returned.program_id, &returned.task_code)
        .await?
        .map(|t| t.title);
    let reminder = NewReminder {
        dedupe_key: format!(
            "{}:{}:{}:{}:{}",
            plan::RETURNED,
            returned.agency_code,
            returned.program_id,
            returned.task_code,
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
        agency_code: returned.agency_code.clone(),
        kind: plan::RETURNED.to_owned(),
        program_id: Some(returned.program_id),
        task_code: Some(returned.task_code.clone()),
        task_title,
        due_on: None,
        message: Some(returned.comment.clone()),
    };
    Ok(notifications::record_reminders(db, &[reminder], now).await? == 1)
}

/// Records a coordinator's reminder with `message` for each of `agency_codes`, for their next
/// digests. The same message to the same agency at the same instant is recorded once. Returns
/// how many were new.
pub async fn remind_manually(
    db: &Db,
    agency_codes: &[String],
    message: &str,
    now: DateTime<Utc>,
) -> Result<usize> {
    let hash = Sha256::digest(message.as_bytes());
    let short = hex::encode(&hash[..8]);
    let at = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let reminders: Vec<NewReminder> = agency_codes
        .iter()
        .map(|agency_code| NewReminder {
            dedupe_key: format!("{}:{agency_code}:{at}:{short}", plan::MANUAL),
            agency_code: agency_code.clone(),
            kind: plan::MANUAL.to_owned(),
            program_id: None,
            task_code: None,
            task_title: None,
            due_on: None,
            message: Some(message.to_owned()),
        })
        .collect();
    Ok(notifications::record_reminders(db, &reminders, now).await?)
}
