//! Reminders end to end on Resolution 47/NQ-CP, on SQLite and on PostgreSQL, delivered through
//! a real SMTP server on loopback (aiosmtpd writing a maildir): one digest e-mail per agency in
//! Vietnamese, nothing sent twice, returned reports and coordinators' messages, and a retry
//! when the SMTP server is down. The runner's clock is pinned in every run: nothing waits for
//! the clock.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use dongbo_domain::{Clock, Directory};
use dongbo_remind::{
    DoneSource, RemindConfig, ReturnedReport, Runner, SmtpConfig, remind_manually, report_returned,
};
use dongbo_store::assignments::{self, Assignment};
use dongbo_store::jobs::{self, JobStatus};
use dongbo_store::notifications;
use dongbo_store::{Db, StoreError};
use dongbo_testkit::smtp::{Delivered, TestSmtp};

dongbo_testkit::backend_tests!(
    due_soon_and_overdue_tasks_arrive_as_one_vietnamese_digest_per_agency,
    running_again_sends_nothing_new_and_a_nearer_lead_time_sends_once_more,
    a_returned_report_and_a_coordinators_message_arrive,
    an_smtp_server_that_is_down_leads_to_a_retry_and_later_delivery,
    done_assignments_are_not_reminded,
);

/// 10 December 2025: tasks of "2024 - 2025" and "2025" are due in 21 days, those of "2024"
/// are overdue.
fn december_10() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 10, 8, 0, 0).unwrap()
}

/// 26 December 2025: 5 days before the end of the year.
fn december_26() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 26, 8, 0, 0).unwrap()
}

/// The runner as it runs at `now`: the same runner on a clock pinned there.
fn at<D: DoneSource + Clone>(runner: &Runner<D>, now: DateTime<Utc>) -> Runner<D> {
    runner.clone().with_clock(Clock::pinned(now))
}

struct Setup {
    program_id: i64,
    /// Agency code → the test's own address for it.
    addresses: BTreeMap<String, String>,
}

/// 47/NQ-CP loaded and assigned; the Ministry of Foreign Affairs reached through a stored
/// contact, Culture, Sports and Tourism through the configuration.
async fn setup(db: &Db) -> Setup {
    let directory = Directory::bundled();
    let program_id = dongbo_testkit::load_47_assigned(db, &directory).await;
    let bng = TestSmtp::unique_address("bng");
    let bvhttdl = TestSmtp::unique_address("bvhttdl");
    notifications::set_contact(db, "BNG", &bng).await.unwrap();
    Setup {
        program_id,
        addresses: BTreeMap::from([("BNG".to_owned(), bng), ("BVHTTDL".to_owned(), bvhttdl)]),
    }
}

fn config(setup: &Setup, smtp: Option<&TestSmtp>) -> RemindConfig {
    RemindConfig {
        smtp: smtp
            .map(|s| SmtpConfig::new(s.host.clone(), s.port, "Đồng Bộ <dongbo@example.test>")),
        agency_emails: BTreeMap::from([(
            "BVHTTDL".to_owned(),
            vec![setup.addresses["BVHTTDL"].clone()],
        )]),
        base_url: Some("https://dongbo.example.test".to_owned()),
        // This suite counts the reminders of task deadlines; those of periodic reports have
        // their own (`report_deadlines.rs`).
        report_deadlines: false,
        ..RemindConfig::default()
    }
}

/// The task codes of an agency's assignments, split into due within `days` of `today` and
/// overdue, as the rules see them.
async fn expected(
    db: &Db,
    agency: &str,
    today: NaiveDate,
    days: i64,
) -> (Vec<String>, Vec<String>) {
    let mut due_soon = Vec::new();
    let mut overdue = Vec::new();
    for a in assignments::for_agency(db, agency).await.unwrap() {
        let Some(due) = a.assignment.due_on.or(a.task.time_frame.due) else {
            continue;
        };
        let left = (due - today).num_days();
        if left < 0 {
            overdue.push(a.task.code.clone());
        } else if left <= days {
            due_soon.push(a.task.code.clone());
        }
    }
    (due_soon, overdue)
}

fn subject(due_soon: usize, overdue: usize) -> String {
    let mut parts = Vec::new();
    if due_soon > 0 {
        parts.push(format!("{due_soon} nhiệm vụ sắp đến hạn"));
    }
    if overdue > 0 {
        parts.push(format!("{overdue} nhiệm vụ quá hạn"));
    }
    format!("[Đồng Bộ] Nhắc việc: {}", parts.join(", "))
}

fn assert_lists_tasks(mail: &Delivered, codes: &[String]) {
    for code in codes {
        assert!(
            mail.body.contains(&format!("Nhiệm vụ {code}: ")),
            "task {code} missing from the digest:\n{}",
            mail.body
        );
    }
}

async fn due_soon_and_overdue_tasks_arrive_as_one_vietnamese_digest_per_agency(db: &Db) {
    let Some(smtp) = TestSmtp::get() else { return };
    let setup = setup(db).await;
    let runner = Runner::new(db.clone(), config(&setup, Some(&smtp)));
    let report = at(&runner, december_10()).drain().await.unwrap();
    assert!(report.reminders > 0 && report.digests > 0, "{report:?}");
    assert_eq!(report.jobs_retrying + report.jobs_failed, 0, "{report:?}");
    assert_eq!(
        report.emails_sent, 2,
        "only two agencies have addresses: {report:?}"
    );
    assert_eq!(jobs::queue_depth(db).await.unwrap(), 0);

    let today = dongbo_domain::clock::vietnam_day(december_10());
    for (agency, name) in [
        ("BNG", "Bộ Ngoại giao"),
        ("BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch"),
    ] {
        let (due_soon, overdue) = expected(db, agency, today, 30).await;
        assert!(
            !due_soon.is_empty() && !overdue.is_empty(),
            "{agency}: {due_soon:?} {overdue:?}"
        );
        let mails = smtp.messages_to(&setup.addresses[agency]);
        assert_eq!(mails.len(), 1, "{agency}: one digest, not a flood");
        let mail = &mails[0];
        assert_eq!(mail.subject, subject(due_soon.len(), overdue.len()));
        assert_eq!(mail.from, "dongbo@example.test");
        assert_eq!(mail.to, [setup.addresses[agency].clone()]);
        assert!(
            mail.body.starts_with(&format!("Kính gửi: {name}")),
            "{}",
            mail.body
        );
        assert!(mail.body.contains("NHIỆM VỤ QUÁ HẠN"));
        assert!(mail.body.contains("NHIỆM VỤ SẮP ĐẾN HẠN"));
        assert!(
            mail.body
                .contains("Hạn hoàn thành: ngày 31 tháng 12 năm 2025 (còn 21 ngày).")
        );
        assert!(mail.body.contains("https://dongbo.example.test/programs/"));
        assert_lists_tasks(mail, &due_soon);
        assert_lists_tasks(mail, &overdue);

        // In the application: one notification per task.
        let shown = notifications::for_agency(db, agency, true).await.unwrap();
        assert_eq!(shown.len(), due_soon.len() + overdue.len(), "{agency}");
        let code = &overdue[0];
        let notice = shown
            .iter()
            .find(|n| n.title == format!("Nhiệm vụ {code} đã quá hạn"))
            .unwrap_or_else(|| panic!("{agency}: no overdue notice for {code}"));
        assert_eq!(
            notice.link.as_deref(),
            Some(format!("/programs/{}/tasks/{code}", setup.program_id).as_str())
        );
    }

    // An agency without an address is reminded in the application only.
    let (due_soon, overdue) = expected(db, "BNV", today, 30).await;
    let shown = notifications::for_agency(db, "BNV", false).await.unwrap();
    assert_eq!(shown.len(), due_soon.len() + overdue.len());
}

async fn running_again_sends_nothing_new_and_a_nearer_lead_time_sends_once_more(db: &Db) {
    let Some(smtp) = TestSmtp::get() else { return };
    let setup = setup(db).await;
    let bng = &setup.addresses["BNG"];
    let runner = Runner::new(db.clone(), config(&setup, Some(&smtp)));
    at(&runner, december_10()).drain().await.unwrap();
    let notices = notifications::for_agency(db, "BNG", false)
        .await
        .unwrap()
        .len();

    // Again the same day, and a week later: nothing new is due.
    for now in [december_10(), december_10() + chrono::Duration::days(7)] {
        let again = at(&runner, now).drain().await.unwrap();
        assert_eq!(again, dongbo_remind::TickReport::default(), "{now}");
    }
    assert_eq!(smtp.messages_to(bng).len(), 1);
    assert_eq!(
        notifications::for_agency(db, "BNG", false)
            .await
            .unwrap()
            .len(),
        notices
    );

    // Five days before the end of the year the 7-day lead time applies: one more digest with
    // the tasks due then, and no overdue task reminded again.
    let report = at(&runner, december_26()).drain().await.unwrap();
    assert_eq!(report.emails_sent, 2, "{report:?}");
    let mails = smtp.messages_to(bng);
    assert_eq!(mails.len(), 2);
    let (due_soon, _) = expected(
        db,
        "BNG",
        dongbo_domain::clock::vietnam_day(december_26()),
        7,
    )
    .await;
    let second = mails
        .iter()
        .find(|m| m.body.contains("còn 5 ngày"))
        .expect("the 7-day digest");
    assert_eq!(second.subject, subject(due_soon.len(), 0));
    assert!(!second.body.contains("NHIỆM VỤ QUÁ HẠN"));
    assert_lists_tasks(second, &due_soon);

    assert_eq!(
        at(&runner, december_26()).drain().await.unwrap(),
        Default::default()
    );
    assert_eq!(smtp.messages_to(bng).len(), 2);
}

async fn a_returned_report_and_a_coordinators_message_arrive(db: &Db) {
    let Some(smtp) = TestSmtp::get() else { return };
    let setup = setup(db).await;
    let bng = &setup.addresses["BNG"];
    let now = Utc.with_ymd_and_hms(2025, 6, 2, 8, 0, 0).unwrap();
    // No lead times, and every assignment done (the "2024" tasks would be overdue): only the
    // people's reminders are sent.
    let mut people_only = config(&setup, Some(&smtp));
    people_only.lead_days = vec![];
    let runner = Runner::new(db.clone(), people_only).with_done_source(AllDone);

    let returned = ReturnedReport {
        agency_code: "BNG".to_owned(),
        program_id: setup.program_id,
        task_code: "3.21".to_owned(),
        comment: "Đề nghị bổ sung số liệu về các bài viết đã phản bác.".to_owned(),
    };
    assert!(report_returned(db, &returned, now).await.unwrap());
    assert!(
        !report_returned(db, &returned, now).await.unwrap(),
        "recorded once"
    );
    let message = "Đề nghị các cơ quan gửi báo cáo 6 tháng trước ngày 15/6/2025.";
    let agencies = ["BNG".to_owned(), "BVHTTDL".to_owned()];
    assert_eq!(
        remind_manually(db, &agencies, message, now).await.unwrap(),
        2
    );
    assert_eq!(
        remind_manually(db, &agencies, message, now).await.unwrap(),
        0
    );

    let report = at(&runner, now).drain().await.unwrap();
    assert_eq!(report.emails_sent, 2, "{report:?}");
    let mails = smtp.messages_to(bng);
    assert_eq!(mails.len(), 1, "both notices in one digest");
    let mail = &mails[0];
    assert_eq!(
        mail.subject,
        "[Đồng Bộ] Nhắc việc: 1 báo cáo bị trả lại, 1 nhắc việc của cơ quan điều phối"
    );
    assert!(mail.body.contains("BÁO CÁO BỊ TRẢ LẠI"));
    assert!(mail.body.contains("Nhiệm vụ 3.21: "));
    assert!(
        mail.body
            .contains("Ý kiến của người xem xét: Đề nghị bổ sung số liệu")
    );
    assert!(mail.body.contains(message));

    let culture = smtp.messages_to(&setup.addresses["BVHTTDL"]);
    assert_eq!(culture.len(), 1);
    assert_eq!(
        culture[0].subject,
        "[Đồng Bộ] Nhắc việc: 1 nhắc việc của cơ quan điều phối"
    );

    let shown = notifications::for_agency(db, "BNG", true).await.unwrap();
    let titles: Vec<&str> = shown.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Nhắc việc của cơ quan điều phối",
            "Báo cáo nhiệm vụ 3.21 bị trả lại"
        ]
    );
    assert_eq!(at(&runner, now).drain().await.unwrap(), Default::default());
}

async fn an_smtp_server_that_is_down_leads_to_a_retry_and_later_delivery(db: &Db) {
    let Some(smtp) = TestSmtp::get() else { return };
    let setup = setup(db).await;
    let bng = &setup.addresses["BNG"];
    // A port nobody listens on: the connection is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut down = config(&setup, Some(&smtp));
    down.smtp.as_mut().unwrap().port = closed_port;
    let runner = Runner::new(db.clone(), down);
    let report = at(&runner, december_10()).drain().await.unwrap();
    assert_eq!(report.emails_sent, 0);
    assert!(report.jobs_retrying > 0, "{report:?}");
    assert!(smtp.messages_to(bng).is_empty());
    let waiting = jobs::of_kind(db, dongbo_remind::DIGEST_JOB).await.unwrap();
    let bng_job = waiting
        .iter()
        .find(|j| j.payload["agency_code"] == "BNG")
        .unwrap();
    assert_eq!(bng_job.status, JobStatus::Queued);
    assert_eq!(bng_job.attempts, 1);
    assert!(
        bng_job
            .last_error
            .as_deref()
            .unwrap()
            .contains("sending the e-mail")
    );
    assert_eq!(bng_job.run_at, december_10() + jobs::backoff(1));
    // The notifications were recorded on the first attempt, and are not repeated.
    let notices = notifications::for_agency(db, "BNG", false)
        .await
        .unwrap()
        .len();
    assert!(notices > 0);

    // The server is back (the runner is configured with it again) and the back-off is over.
    let runner = Runner::new(db.clone(), config(&setup, Some(&smtp)));
    assert_eq!(
        at(&runner, december_10())
            .drain()
            .await
            .unwrap()
            .emails_sent,
        0,
        "still backing off"
    );
    let report = at(&runner, bng_job.run_at).drain().await.unwrap();
    assert_eq!(report.emails_sent, 2, "{report:?}");
    assert_eq!(report.reminders, 0, "nothing planned twice");
    let mails = smtp.messages_to(bng);
    assert_eq!(mails.len(), 1);
    assert!(mails[0].subject.starts_with("[Đồng Bộ] Nhắc việc: "));
    assert_eq!(
        notifications::for_agency(db, "BNG", false)
            .await
            .unwrap()
            .len(),
        notices
    );
    assert_eq!(
        jobs::get(db, bng_job.id).await.unwrap().unwrap().status,
        JobStatus::Done
    );
    assert_eq!(jobs::queue_depth(db).await.unwrap(), 0);
}

/// Every assignment of the Ministry of Foreign Affairs is done.
#[derive(Clone, Copy)]
struct ForeignAffairsDone;

impl DoneSource for ForeignAffairsDone {
    async fn done(
        &self,
        _db: &Db,
        assignments: &[Assignment],
        _today: NaiveDate,
    ) -> Result<HashSet<i64>, StoreError> {
        Ok(assignments
            .iter()
            .filter(|a| a.agency_code == "BNG")
            .map(|a| a.id)
            .collect())
    }
}

#[derive(Clone, Copy)]
struct AllDone;

impl DoneSource for AllDone {
    async fn done(
        &self,
        _db: &Db,
        assignments: &[Assignment],
        _today: NaiveDate,
    ) -> Result<HashSet<i64>, StoreError> {
        Ok(assignments.iter().map(|a| a.id).collect())
    }
}

async fn done_assignments_are_not_reminded(db: &Db) {
    let setup = setup(db).await;
    // In the application only (no SMTP): the rule is what is tested here.
    let runner = Runner::new(db.clone(), config(&setup, None)).with_done_source(ForeignAffairsDone);
    let report = at(&runner, december_10()).drain().await.unwrap();
    assert!(report.reminders > 0);
    assert!(
        notifications::for_agency(db, "BNG", false)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !notifications::for_agency(db, "BVHTTDL", false)
            .await
            .unwrap()
            .is_empty()
    );
}
