//! Configurable lead times of "due soon" reminders (`dongbo serve --remind-before`): how they
//! are read, and that the runner reminds at each configured lead time once, counting days in
//! Vietnam's day, on SQLite and on PostgreSQL. In-app only (no SMTP): the notices are what the
//! agency sees.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use dongbo_domain::{Clock, Directory};
use dongbo_remind::{LeadDays, LeadDaysError, RemindConfig, Runner};
use dongbo_store::{Db, notifications};

dongbo_testkit::backend_tests!(
    a_due_soon_reminder_is_planned_at_each_configured_lead_time_and_never_twice,
    between_17_and_24_utc_reminders_are_planned_for_the_day_it_already_is_in_vietnam,
);

/// The runner as it runs at `now`: the same runner on a clock pinned there.
fn at(runner: &Runner, now: DateTime<Utc>) -> Runner {
    runner.clone().with_clock(Clock::pinned(now))
}

#[test]
fn lead_times_are_read_from_days_separated_by_commas() {
    assert_eq!("7,1".parse::<LeadDays>().unwrap().days(), [7, 1]);
    assert_eq!(" 30, 7 ,0 ".parse::<LeadDays>().unwrap().days(), [30, 7, 0]);
    assert_eq!(LeadDays::default().days(), [30, 7]);
    assert_eq!(
        RemindConfig::default().lead_days,
        LeadDays::default().days(),
        "the runner's default is the flag's"
    );
}

#[test]
fn bad_lead_times_are_refused_with_the_reason() {
    assert_eq!("".parse::<LeadDays>(), Err(LeadDaysError::Empty));
    assert_eq!(" , ".parse::<LeadDays>(), Err(LeadDaysError::Empty));
    assert_eq!(
        "7,x".parse::<LeadDays>(),
        Err(LeadDaysError::NotANumber("x".into()))
    );
    assert_eq!(
        "-1".parse::<LeadDays>(),
        Err(LeadDaysError::NotANumber("-1".into()))
    );
    assert_eq!("367".parse::<LeadDays>(), Err(LeadDaysError::TooLong(367)));
    assert_eq!("7,1,7".parse::<LeadDays>(), Err(LeadDaysError::Repeated(7)));
    assert!(
        LeadDaysError::NotANumber("x".into())
            .to_string()
            .contains("«x» is not a number of days")
    );
}

/// The lead time of each "due soon" notice of `agency` for `due`, by task: the notice's key is
/// `due_soon:{assignment}:{lead}:{due}`.
async fn due_soon_leads(db: &Db, agency: &str, due: NaiveDate) -> BTreeMap<String, Vec<u32>> {
    let mut leads: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for notice in notifications::for_agency(db, agency, false).await.unwrap() {
        if notice.kind != "due_soon" {
            continue;
        }
        let parts: Vec<&str> = notice.dedupe_key.split(':').collect();
        assert_eq!(parts.len(), 4, "{}", notice.dedupe_key);
        if parts[3] != due.to_string() {
            continue;
        }
        leads
            .entry(parts[1].to_owned())
            .or_default()
            .push(parts[2].parse().unwrap());
    }
    for days in leads.values_mut() {
        days.sort_unstable();
    }
    leads
}

async fn a_due_soon_reminder_is_planned_at_each_configured_lead_time_and_never_twice(db: &Db) {
    let directory = Directory::bundled();
    dongbo_testkit::load_47_assigned(db, &directory).await;
    let config = RemindConfig {
        lead_days: "7,1".parse::<LeadDays>().unwrap().days().to_vec(),
        ..RemindConfig::default()
    };
    let runner = Runner::new(db.clone(), config);
    let end_of_2025 = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let day = |d: u32| Utc.with_ymd_and_hms(2025, 12, d, 8, 0, 0).unwrap();

    // Eight days before the end of the year no lead time applies yet.
    at(&runner, day(23)).drain().await.unwrap();
    assert!(due_soon_leads(db, "BNG", end_of_2025).await.is_empty());

    // Seven days before: the 7-day reminder, for every task of the ministry due then.
    at(&runner, day(24)).drain().await.unwrap();
    let at_seven = due_soon_leads(db, "BNG", end_of_2025).await;
    assert!(
        !at_seven.is_empty(),
        "47/NQ-CP has tasks of BNG due in 2025"
    );
    assert!(at_seven.values().all(|leads| leads == &[7]), "{at_seven:?}");

    // Every day up to the due date, twice a day: the 1-day reminder comes once, on the 30th,
    // and nothing else.
    for d in 25..=31 {
        for hour in [0, 6] {
            let report = at(&runner, day(d) + Duration::hours(hour))
                .drain()
                .await
                .unwrap();
            if d != 30 || hour != 0 {
                assert_eq!(report.reminders, 0, "on {d} December (+{hour} h)");
            }
        }
        if d == 29 {
            assert_eq!(due_soon_leads(db, "BNG", end_of_2025).await, at_seven);
        }
    }
    let at_the_end = due_soon_leads(db, "BNG", end_of_2025).await;
    assert_eq!(
        at_the_end.keys().collect::<Vec<_>>(),
        at_seven.keys().collect::<Vec<_>>()
    );
    assert!(
        at_the_end.values().all(|leads| leads == &[1, 7]),
        "one reminder per lead time: {at_the_end:?}"
    );
}

async fn between_17_and_24_utc_reminders_are_planned_for_the_day_it_already_is_in_vietnam(db: &Db) {
    dongbo_testkit::load_47_assigned(db, &Directory::bundled()).await;
    let config = RemindConfig {
        lead_days: vec![7],
        report_deadlines: false,
        ..RemindConfig::default()
    };
    // 31 December 2025 at 18:00 UTC is 1 January 2026 at 01:00 in Hà Nội: work due at the end
    // of 2025 is overdue there, while the UTC date still says it is due today.
    let new_years_night = Utc.with_ymd_and_hms(2025, 12, 31, 18, 0, 0).unwrap();
    let runner = Runner::new(db.clone(), config).with_clock(Clock::pinned(new_years_night));
    runner.drain().await.unwrap();

    let end_of_2025: Vec<_> = notifications::for_agency(db, "BNG", false)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.dedupe_key.ends_with(":2025-12-31"))
        .collect();
    assert!(
        !end_of_2025.is_empty(),
        "47/NQ-CP has tasks of BNG due at the end of 2025"
    );
    for notice in &end_of_2025 {
        assert_eq!(notice.kind, "overdue", "{}", notice.dedupe_key);
        assert!(
            notice.body.contains("quá hạn 1 ngày"),
            "counted from 1 January in Vietnam: {}",
            notice.body
        );
    }
    assert!(
        !notifications::for_agency(db, "BNG", false)
            .await
            .unwrap()
            .iter()
            .any(|n| n.kind == "due_soon"),
        "nothing is still due soon on 1 January 2026"
    );
}
