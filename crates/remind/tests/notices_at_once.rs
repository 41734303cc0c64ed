//! Notices at once (issue 19, point 3), on SQLite and on PostgreSQL, with e-mail at a real SMTP
//! server on loopback (aiosmtpd writing a maildir): a report's events are in the application
//! the moment they happen (written in the event's transaction), a returned report is e-mailed
//! at the runner's very next tick — not with tomorrow's plan — to the agency and to its users
//! who chose immediate e-mail, and to those who chose a daily one in the next day's digest;
//! a notice that a later event made moot (returned, then accepted) is shown resolved and not
//! e-mailed. The runner's clock is pinned: nothing sleeps.

use std::collections::HashSet;

use chrono::{DateTime, TimeZone, Utc};
use dongbo_domain::access::PasswordPolicy;
use dongbo_domain::access::Role;
use dongbo_domain::{Clock, Directory, Grant, Period, PeriodKind};
use dongbo_remind::{DoneSource, RemindConfig, Runner, SmtpConfig};
use dongbo_store::accounts::{self, NewUser};
use dongbo_store::assignments::{self, Assignment};
use dongbo_store::notifications::{self, Cadence, EmailSetting, Notification};
use dongbo_store::reports;
use dongbo_store::{Db, Edit, ReportContent, ReportPeriod, StoreError};
use dongbo_testkit::smtp::TestSmtp;

dongbo_testkit::backend_tests!(
    a_returned_report_is_noticed_at_once_emailed_at_the_next_tick_and_resolved_when_accepted,
    a_change_request_decision_is_noticed_at_once,
);

/// Every assignment done: only people's events are sent, no deadline reminders.
#[derive(Debug, Clone, Copy)]
struct AllDone;

impl DoneSource for AllDone {
    async fn done(
        &self,
        _db: &Db,
        assignments: &[Assignment],
        _today: chrono::NaiveDate,
    ) -> Result<HashSet<i64>, StoreError> {
        Ok(assignments.iter().map(|a| a.id).collect())
    }
}

/// 2 June 2025, 15:00 in Hà Nội.
fn june_2() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 8, 0, 0).unwrap()
}

/// 3 June 2025, 00:30 in Hà Nội: the next day's plan.
fn june_3_after_midnight() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 17, 30, 0).unwrap()
}

fn people_only(smtp: &TestSmtp) -> RemindConfig {
    RemindConfig {
        smtp: Some(SmtpConfig::new(
            smtp.host.clone(),
            smtp.port,
            "Đồng Bộ <dongbo@example.test>",
        )),
        lead_days: vec![],
        report_deadlines: false,
        ..RemindConfig::default()
    }
}

/// A user of `agency` with `role` who wants e-mail at `email`, `cadence`.
async fn user(db: &Db, name: &str, agency: &str, role: Role, email: &str, cadence: Cadence) {
    let created = accounts::create_user(
        db,
        "admin",
        &NewUser {
            username: name.to_owned(),
            display_name: name.to_owned(),
            password: "một mật khẩu đủ dài 2025".to_owned(),
            must_change_password: false,
        },
        &PasswordPolicy::default(),
    )
    .await
    .unwrap();
    accounts::grant(db, "admin", name, &Grant::new(role, agency))
        .await
        .unwrap();
    let setting = EmailSetting {
        email: email.to_owned(),
        cadence,
    };
    notifications::set_email_setting(db, name, created.id, Some(&setting), june_2())
        .await
        .unwrap();
}

fn content(results: &str) -> ReportContent {
    ReportContent {
        library_items: Vec::new(),
        results: results.to_owned(),
        progress: 40,
        ..ReportContent::default()
    }
}

fn quarter() -> ReportPeriod {
    Period::new(PeriodKind::Quarterly, 2025, 2).unwrap().into()
}

/// Submits a new report on `assignment` and returns it with `comment`; (report id, version).
async fn submitted_then_returned(db: &Db, assignment: i64, comment: &str) -> (i64, i64) {
    let body = content("Đã tổ chức 3 hội nghị");
    let sent = reports::submit(
        db,
        &Edit {
            assignment_id: assignment,
            period: quarter(),
            content: &body,
            author: "bvhttdl.reporter",
            based_on: None,
            idempotency_key: None,
        },
    )
    .await
    .unwrap();
    let returned = reports::return_report(
        db,
        sent.report_id,
        sent.version,
        "bvhttdl.approver",
        comment,
        None,
    )
    .await
    .unwrap();
    (returned.report_id, returned.version)
}

fn notice<'a>(all: &'a [Notification], kind: &str, subject: &str) -> &'a Notification {
    all.iter()
        .find(|n| n.kind == kind && n.subject.as_deref() == Some(subject))
        .unwrap_or_else(|| panic!("no {kind} notice on {subject}: {all:#?}"))
}

async fn a_returned_report_is_noticed_at_once_emailed_at_the_next_tick_and_resolved_when_accepted(
    db: &Db,
) {
    let Some(smtp) = TestSmtp::get() else { return };
    let program_id = dongbo_testkit::load_47_assigned(db, &Directory::bundled()).await;
    let contact = TestSmtp::unique_address("bvhttdl");
    let at_once = TestSmtp::unique_address("approver");
    let daily = TestSmtp::unique_address("daily");
    notifications::set_contact(db, "BVHTTDL", &contact)
        .await
        .unwrap();
    user(
        db,
        "bvhttdl.approver",
        "BVHTTDL",
        Role::Approver,
        &at_once,
        Cadence::Immediate,
    )
    .await;
    user(
        db,
        "bvhttdl.lead",
        "BVHTTDL",
        Role::Reporter,
        &daily,
        Cadence::Daily,
    )
    .await;
    let mine: Vec<i64> = assignments::for_program(db, program_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.agency_code == "BVHTTDL")
        .map(|a| a.id)
        .take(2)
        .collect();
    let (first, second) = (mine[0], mine[1]);
    let runner = Runner::new(db.clone(), people_only(&smtp))
        .with_done_source(AllDone)
        .with_clock(Clock::pinned(june_2()));

    // Sent, then returned: both notices are there at once, the first resolved by the second.
    let (report, version) =
        submitted_then_returned(db, first, "Đề nghị bổ sung số liệu hội nghị.").await;
    let (other, _) = submitted_then_returned(db, second, "Thiếu văn bản đã ban hành.").await;
    let subject = format!("report:{report}");
    let shown = notifications::for_agency(db, "BVHTTDL", false)
        .await
        .unwrap();
    let sent = notice(&shown, notifications::kinds::REPORT_SENT, &subject);
    assert!(
        sent.resolved_at.is_some(),
        "the review settled it: {sent:?}"
    );
    let returned = notice(&shown, notifications::kinds::REPORT_RETURNED, &subject);
    assert!(returned.resolved_at.is_none());
    assert!(returned.title.contains("bị trả lại"), "{returned:?}");
    assert!(
        returned.body.contains("Đề nghị bổ sung số liệu hội nghị."),
        "{returned:?}"
    );
    assert!(
        smtp.messages_to(&contact).is_empty(),
        "no e-mail before a tick"
    );

    // One tick (not tomorrow's plan): the agency and the user who wants it at once get one
    // e-mail listing both returns; the user who reads e-mail daily does not, yet.
    let ticked = runner.tick().await.unwrap();
    assert_eq!(ticked.emails_sent, 1, "{ticked:?}");
    for address in [&contact, &at_once] {
        let mails = smtp.messages_to(address);
        assert_eq!(mails.len(), 1, "{address}");
        assert_eq!(
            mails[0].subject,
            "[Đồng Bộ] Nhắc việc: 2 báo cáo bị trả lại"
        );
        assert!(mails[0].body.contains("Đề nghị bổ sung số liệu hội nghị."));
    }
    assert!(smtp.messages_to(&daily).is_empty());
    assert_eq!(
        runner.drain().await.unwrap(),
        Default::default(),
        "nothing twice"
    );

    // The first report fixed, sent again and accepted with a comment: its "returned" notice
    // is resolved, the acceptance shown with the comment.
    let fixed = content("Đã tổ chức 3 hội nghị, 1.200 đại biểu");
    let resent = reports::submit(
        db,
        &Edit {
            assignment_id: first,
            period: quarter(),
            content: &fixed,
            author: "bvhttdl.reporter",
            based_on: Some(version),
            idempotency_key: None,
        },
    )
    .await
    .unwrap();
    reports::accept_with_comment(
        db,
        report,
        resent.version,
        "bvhttdl.approver",
        Some("Số liệu đầy đủ, đề nghị tiếp tục."),
        None,
    )
    .await
    .unwrap();
    let shown = notifications::for_agency(db, "BVHTTDL", false)
        .await
        .unwrap();
    assert!(
        notice(&shown, notifications::kinds::REPORT_RETURNED, &subject)
            .resolved_at
            .is_some()
    );
    let accepted = notice(&shown, notifications::kinds::REPORT_ACCEPTED, &subject);
    assert!(accepted.resolved_at.is_none());
    assert!(
        accepted
            .body
            .contains("Ý kiến của người duyệt: Số liệu đầy đủ, đề nghị tiếp tục."),
        "{accepted:?}"
    );
    let other_returned = notice(
        &shown,
        notifications::kinds::REPORT_RETURNED,
        &format!("report:{other}"),
    );
    assert!(
        other_returned.resolved_at.is_none(),
        "another report's notice stays"
    );
    assert_eq!(
        runner.drain().await.unwrap().emails_sent,
        0,
        "an acceptance is not e-mailed"
    );

    // The next day's digest: the daily reader is told of the return still open, not of the
    // one since accepted.
    let next_day = runner
        .clone()
        .with_clock(Clock::pinned(june_3_after_midnight()));
    let report = next_day.drain().await.unwrap();
    assert_eq!(report.emails_sent, 1, "{report:?}");
    let mails = smtp.messages_to(&daily);
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].to,
        std::slice::from_ref(&daily),
        "to the daily reader alone"
    );
    assert_eq!(
        mails[0].subject,
        "[Đồng Bộ] Nhắc việc: 1 báo cáo bị trả lại"
    );
    assert!(mails[0].body.contains("Thiếu văn bản đã ban hành."));
    assert!(!mails[0].body.contains("Đề nghị bổ sung số liệu hội nghị."));
    assert_eq!(
        smtp.messages_to(&contact).len(),
        1,
        "the agency is not told twice"
    );
}

async fn a_change_request_decision_is_noticed_at_once(db: &Db) {
    use dongbo_store::changes::{self, ChangeKind, NewChange, Proposal};
    let Some(smtp) = TestSmtp::get() else { return };
    let directory = Directory::bundled();
    let program_id = dongbo_testkit::load_47_assigned(db, &directory).await;
    let contact = TestSmtp::unique_address("bng-changes");
    notifications::set_contact(db, "BNG", &contact)
        .await
        .unwrap();
    let id = changes::propose(
        db,
        &NewChange {
            program_id,
            task_code: Some("3.21".to_owned()),
            kind: ChangeKind::Retime,
            proposed_by_agency: "BNG".to_owned(),
            proposed_by: "bng.reporter".to_owned(),
            reason: "Cần thêm thời gian".to_owned(),
            proposal: Proposal {
                time_frame: Some("2026".to_owned()),
                ..Proposal::default()
            },
        },
    )
    .await
    .unwrap();
    changes::reject(db, id, "vpcp.coordinator", "Không đủ căn cứ.")
        .await
        .unwrap();
    let shown = notifications::for_agency(db, "BNG", false).await.unwrap();
    let decided = notice(
        &shown,
        notifications::kinds::CHANGE_DECIDED,
        &format!("change:{id}"),
    );
    assert!(decided.title.contains("bị từ chối"), "{decided:?}");
    assert!(decided.body.contains("Không đủ căn cứ."));
    let runner = Runner::new(db.clone(), people_only(&smtp))
        .with_done_source(AllDone)
        .with_clock(Clock::pinned(june_2()));
    assert_eq!(runner.tick().await.unwrap().emails_sent, 1);
    let mails = smtp.messages_to(&contact);
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].subject,
        "[Đồng Bộ] Nhắc việc: 1 đề xuất điều chỉnh đã được quyết định"
    );
    assert!(
        mails[0].body.contains("Bị từ chối. Không đủ căn cứ."),
        "{}",
        mails[0].body
    );
}
