//! In-app notifications, agency e-mail contacts and the reminder outbox, on SQLite and on
//! PostgreSQL: a dedupe key is notified once, unread ones are listed, reminders wait and are
//! gathered into one digest job per agency.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use dongbo_store::Db;
use dongbo_store::jobs;
use dongbo_store::notifications::{self, NewNotification, NewReminder, Notified};

dongbo_testkit::backend_tests!(
    the_same_dedupe_key_is_notified_once,
    unread_notifications_are_listed_until_read,
    an_agency_has_its_own_email_contacts,
    waiting_reminders_are_gathered_into_one_digest_job_per_agency,
    thousands_of_reminders_are_recorded_once_each_in_several_statements,
    an_event_resolves_the_earlier_notices_on_its_subject_and_is_raised_once,
    a_users_email_setting_is_checked_stored_and_audited,
);

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, hour, 0, 0).unwrap()
}

fn notice(agency: &str, key: &str) -> NewNotification {
    NewNotification {
        agency_code: agency.to_owned(),
        user_id: None,
        kind: "due_soon".to_owned(),
        title: "Nhiệm vụ 3.21 sắp đến hạn".to_owned(),
        body: "Hạn hoàn thành: ngày 31 tháng 12 năm 2026".to_owned(),
        link: Some("/programs/1/tasks/3.21".to_owned()),
        dedupe_key: key.to_owned(),
    }
}

async fn the_same_dedupe_key_is_notified_once(db: &Db) {
    let first = notifications::notify(db, &notice("BNG", "k1"), at(9))
        .await
        .unwrap();
    let Notified::New(id) = first else {
        panic!("{first:?}")
    };
    let again = notifications::notify(db, &notice("BNG", "k1"), at(10))
        .await
        .unwrap();
    assert_eq!(again, Notified::Existing(id));
    let listed = notifications::for_agency(db, "BNG", false).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].title, "Nhiệm vụ 3.21 sắp đến hạn");
    assert_eq!(listed[0].created_at, at(9));
    assert_eq!(listed[0].link.as_deref(), Some("/programs/1/tasks/3.21"));
}

async fn unread_notifications_are_listed_until_read(db: &Db) {
    let mut for_user = notice("BNG", "k2");
    for_user.user_id = Some(42);
    notifications::notify(db, &notice("BNG", "k1"), at(9))
        .await
        .unwrap();
    notifications::notify(db, &for_user, at(10)).await.unwrap();
    notifications::notify(db, &notice("BVHTTDL", "k3"), at(10))
        .await
        .unwrap();

    let all = notifications::for_agency(db, "BNG", false).await.unwrap();
    let keys: Vec<&str> = all.iter().map(|n| n.dedupe_key.as_str()).collect();
    assert_eq!(keys, ["k2", "k1"], "newest first, only this agency's");
    assert_eq!(all[0].user_id, Some(42));

    assert!(
        notifications::mark_read(db, all[1].id, at(11))
            .await
            .unwrap()
    );
    assert!(
        notifications::mark_read(db, all[1].id, at(12))
            .await
            .unwrap()
    );
    let unread = notifications::for_agency(db, "BNG", true).await.unwrap();
    assert_eq!(unread.len(), 1);
    assert_eq!(unread[0].dedupe_key, "k2");
    let read = notifications::for_agency(db, "BNG", false).await.unwrap();
    assert_eq!(read[1].read_at, Some(at(11)), "the first reading is kept");
    assert!(!notifications::mark_read(db, 999_999, at(11)).await.unwrap());
}

async fn an_agency_has_its_own_email_contacts(db: &Db) {
    notifications::set_contact(db, "BNG", "vanphong@mofa.gov.vn")
        .await
        .unwrap();
    notifications::set_contact(db, "BNG", "vanphong@mofa.gov.vn")
        .await
        .unwrap();
    notifications::set_contact(db, "BNG", "ttbc@mofa.gov.vn")
        .await
        .unwrap();
    notifications::set_contacts(db, "BVHTTDL", &[" vp@bvhttdl.gov.vn ".to_owned()])
        .await
        .unwrap();
    assert_eq!(
        notifications::contacts(db, "BNG").await.unwrap(),
        ["ttbc@mofa.gov.vn", "vanphong@mofa.gov.vn"]
    );
    let all = notifications::all_contacts(db).await.unwrap();
    assert_eq!(all["BVHTTDL"], ["vp@bvhttdl.gov.vn"]);
    assert!(
        notifications::set_contacts(db, "BNG", &["not an address".to_owned()])
            .await
            .is_err()
    );
    assert_eq!(
        notifications::contacts(db, "BNG").await.unwrap().len(),
        2,
        "unchanged"
    );
    notifications::set_contacts(db, "BNG", &[]).await.unwrap();
    assert!(notifications::contacts(db, "BNG").await.unwrap().is_empty());
}

fn reminder(agency: &str, key: &str, task: &str) -> NewReminder {
    NewReminder {
        dedupe_key: key.to_owned(),
        agency_code: agency.to_owned(),
        kind: "due_soon".to_owned(),
        program_id: Some(1),
        task_code: Some(task.to_owned()),
        task_title: Some("Tuyên truyền đối ngoại".to_owned()),
        due_on: NaiveDate::from_ymd_opt(2026, 12, 31),
        message: None,
    }
}

async fn waiting_reminders_are_gathered_into_one_digest_job_per_agency(db: &Db) {
    let recorded = notifications::record_reminders(
        db,
        &[
            reminder("BNG", "due_soon:1:7", "1.1"),
            reminder("BNG", "due_soon:2:7", "1.2"),
            reminder("BVHTTDL", "due_soon:3:7", "1.1"),
            reminder("BNG", "due_soon:1:7", "1.1"),
        ],
        at(9),
    )
    .await
    .unwrap();
    assert_eq!(recorded, 3, "a repeated key is recorded once");

    let batched = notifications::batch_reminders(db, "digest", at(9))
        .await
        .unwrap();
    let agencies: Vec<&str> = batched.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(agencies, ["BNG", "BVHTTDL"]);
    let bng_job = batched[0].1;
    let in_digest = notifications::reminders_of_digest(db, bng_job)
        .await
        .unwrap();
    let tasks: Vec<&str> = in_digest
        .iter()
        .filter_map(|r| r.task_code.as_deref())
        .collect();
    assert_eq!(tasks, ["1.1", "1.2"]);
    assert_eq!(in_digest[0].due_on, NaiveDate::from_ymd_opt(2026, 12, 31));
    let job = jobs::get(db, bng_job).await.unwrap().unwrap();
    assert_eq!(job.payload["agency_code"], "BNG");
    assert_eq!(job.run_at, at(9));

    // Nothing waits any more; recording the same reminders again adds nothing.
    assert!(
        notifications::batch_reminders(db, "digest", at(10))
            .await
            .unwrap()
            .is_empty()
    );
    let again =
        notifications::record_reminders(db, &[reminder("BNG", "due_soon:1:7", "1.1")], at(10))
            .await
            .unwrap();
    assert_eq!(again, 0);
    // A new reminder goes into a new digest of its own.
    notifications::record_reminders(db, &[reminder("BNG", "overdue:9", "2.1")], at(10))
        .await
        .unwrap();
    let next = notifications::batch_reminders(db, "digest", at(10))
        .await
        .unwrap();
    assert_eq!(next.len(), 1);
    assert_ne!(next[0].1, bng_job);
    let in_next = notifications::reminders_of_digest(db, next[0].1)
        .await
        .unwrap();
    assert_eq!(in_next.len(), 1);
    assert_eq!(in_next[0].dedupe_key, "overdue:9");
}

async fn thousands_of_reminders_are_recorded_once_each_in_several_statements(db: &Db) {
    // More than two statements' worth, with the same keys again after the first thousand.
    let mut wanted: Vec<NewReminder> = (0..1_000)
        .map(|i| {
            reminder(
                "BNG",
                &format!("overdue:{i}"),
                &format!("{}.{}", i / 100, i % 100),
            )
        })
        .collect();
    wanted.extend((990..1_210).map(|i| reminder("BTC", &format!("overdue:{i}"), "1.1")));
    let recorded = notifications::record_reminders(db, &wanted, at(9))
        .await
        .unwrap();
    assert_eq!(recorded, 1_210, "keys 990-999 come twice and count once");
    let again = notifications::record_reminders(db, &wanted, at(10))
        .await
        .unwrap();
    assert_eq!(again, 0);
    let batched = notifications::batch_reminders(db, "digest", at(10))
        .await
        .unwrap();
    let in_digest = notifications::reminders_of_digest(db, batched[0].1)
        .await
        .unwrap();
    assert_eq!(batched[0].0, "BNG");
    assert_eq!(in_digest.len(), 1_000);
}

fn event(kind: notifications::EventKind, subject: &str, sequence: i64) -> notifications::Event {
    notifications::Event {
        kind,
        subject: subject.to_owned(),
        agency_code: "BNG".to_owned(),
        program_id: 1,
        task_code: Some("3.21".to_owned()),
        task_title: Some("Tuyên truyền về Việt Nam".to_owned()),
        sequence,
        comment: Some("Bổ sung số liệu".to_owned()),
        link: "/assignments/1/report?period=once".to_owned(),
    }
}

async fn an_event_resolves_the_earlier_notices_on_its_subject_and_is_raised_once(db: &Db) {
    use notifications::EventKind;
    notifications::raise(db, &event(EventKind::Returned, "report:1", 2), at(9))
        .await
        .unwrap();
    notifications::raise(db, &event(EventKind::Returned, "report:2", 2), at(9))
        .await
        .unwrap();
    // Raised again (a retried request): nothing new, nothing resolved.
    notifications::raise(db, &event(EventKind::Returned, "report:1", 2), at(10))
        .await
        .unwrap();
    let all = notifications::for_agency(db, "BNG", false).await.unwrap();
    assert_eq!(all.len(), 2, "{all:#?}");
    assert!(all.iter().all(|n| n.resolved_at.is_none()));
    // The urgent event waits for the next digest as a reminder with the same key.
    let gathered = notifications::gather_reminders(
        db,
        "remind.digest",
        at(10),
        notifications::Gathering::Urgent,
    )
    .await
    .unwrap();
    assert_eq!(gathered.len(), 1);
    let waiting = notifications::reminders_of_digest(db, gathered[0].1)
        .await
        .unwrap();
    let keys: Vec<&str> = waiting.iter().map(|r| r.dedupe_key.as_str()).collect();
    assert_eq!(keys, ["returned:report:1:2", "returned:report:2:2"]);

    notifications::raise(db, &event(EventKind::Accepted, "report:1", 4), at(11))
        .await
        .unwrap();
    let all = notifications::for_agency(db, "BNG", false).await.unwrap();
    let by_key = |key: &str| all.iter().find(|n| n.dedupe_key == key).unwrap();
    assert_eq!(by_key("returned:report:1:2").resolved_at, Some(at(11)));
    assert_eq!(
        by_key("returned:report:2:2").resolved_at,
        None,
        "another subject"
    );
    let accepted = by_key("report_accepted:report:1:4");
    assert_eq!(accepted.resolved_at, None);
    assert_eq!(accepted.title, "Báo cáo nhiệm vụ 3.21 đã được duyệt");
    let resolved = notifications::resolved_keys(
        db,
        &[
            "returned:report:1:2".to_owned(),
            "returned:report:2:2".to_owned(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        resolved.into_iter().collect::<Vec<_>>(),
        ["returned:report:1:2"]
    );
    // An acceptance is not e-mailed: nothing new waits.
    assert!(
        notifications::gather_reminders(
            db,
            "remind.digest",
            at(11),
            notifications::Gathering::Urgent
        )
        .await
        .unwrap()
        .is_empty()
    );
}

async fn a_users_email_setting_is_checked_stored_and_audited(db: &Db) {
    use dongbo_domain::access::{PasswordPolicy, Role};
    use dongbo_store::accounts;
    use notifications::{Cadence, EmailSetting};
    // Grants name agencies of the directory.
    dongbo_testkit::load_47_assigned(db, &dongbo_domain::Directory::bundled()).await;
    let user = accounts::create_user(
        db,
        "admin",
        &accounts::NewUser {
            username: "bng.approver".to_owned(),
            display_name: "Nguyễn Văn A".to_owned(),
            password: "một mật khẩu đủ dài 2026".to_owned(),
            must_change_password: false,
        },
        &PasswordPolicy::default(),
    )
    .await
    .unwrap();
    accounts::grant(
        db,
        "admin",
        "bng.approver",
        &dongbo_domain::Grant::new(Role::Approver, "BNG"),
    )
    .await
    .unwrap();
    assert_eq!(
        notifications::email_setting(db, user.id).await.unwrap(),
        None
    );
    let bad = EmailSetting {
        email: "không phải địa chỉ".to_owned(),
        cadence: Cadence::Daily,
    };
    let refused = notifications::set_email_setting(db, "bng.approver", user.id, Some(&bad), at(9))
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("không phải địa chỉ thư điện tử"),
        "{refused}"
    );
    assert_eq!(
        notifications::email_setting(db, user.id).await.unwrap(),
        None
    );

    let daily = EmailSetting {
        email: " a.nguyen@bng.gov.vn ".to_owned(),
        cadence: Cadence::Daily,
    };
    notifications::set_email_setting(db, "bng.approver", user.id, Some(&daily), at(9))
        .await
        .unwrap();
    let stored = notifications::email_setting(db, user.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.email, "a.nguyen@bng.gov.vn");
    assert_eq!(stored.cadence, Cadence::Daily);
    let recipients = notifications::email_recipients(db, "BNG").await.unwrap();
    assert_eq!(recipients.len(), 1);
    assert_eq!(recipients[0].user_id, user.id);
    assert!(
        notifications::email_recipients(db, "BVHTTDL")
            .await
            .unwrap()
            .is_empty(),
        "only the agency the user holds a grant on"
    );
    notifications::set_email_setting(db, "bng.approver", user.id, None, at(10))
        .await
        .unwrap();
    assert!(
        notifications::email_recipients(db, "BNG")
            .await
            .unwrap()
            .is_empty()
    );
    let audited =
        dongbo_store::audit::list(db, &dongbo_store::audit::AuditFilter::default(), 100, 0)
            .await
            .unwrap();
    let changes: Vec<_> = audited
        .iter()
        .filter(|r| r.action == "user.email_setting")
        .collect();
    assert_eq!(changes.len(), 2, "set, then cleared: {changes:#?}");
    assert!(dongbo_store::audit::verify(db).await.unwrap().is_intact());
}
