//! One clock: between 00:00 and 07:00 in Hà Nội the UTC date is still the day before. The
//! pages, the API and the reminder plan must all judge a task on the Vietnam day, and so show
//! it in the same state.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use dongbo_domain::Clock;
use dongbo_remind::{RemindConfig, Runner};
use dongbo_store::{accounts, assignments, notifications};
use serde_json::Value;

use common::{Browser, TestApp};

/// The Ministry of Foreign Affairs, which coordinates tasks of 47/NQ-CP due at the end of 2025.
const AGENCY: &str = "BNG";

/// A browser with a session of `username` opened at the clock's instant (a session opened at
/// the machine's real time would lie in the pinned server's future).
async fn session_at(app: &TestApp, username: &str, clock: Clock) -> Browser {
    let user = accounts::get_user(&app.db, username)
        .await
        .expect("read a user")
        .expect("the user exists");
    let session = accounts::create_session(
        &app.db,
        user.id,
        &accounts::SessionPolicy::default(),
        clock.now(),
    )
    .await
    .expect("open a session");
    let mut browser = app.browser();
    browser
        .cookies
        .push(("dongbo_session".to_owned(), session.token));
    browser
}

/// The `data-state` of the row of task `code` in the element `id` of `html`.
fn row_state<'h>(html: &'h str, id: &str, code: &str) -> Option<&'h str> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let table = &html[start..];
    let end = table.find("</table>").unwrap_or(table.len());
    let table = &table[..end];
    let row = table.find(&format!("data-task=\"{code}\" data-state=\""))?;
    let state = &table[row + format!("data-task=\"{code}\" data-state=\"").len()..];
    state.split('"').next()
}

#[tokio::test]
async fn between_midnight_and_seven_in_hanoi_pages_api_and_reminders_agree_on_the_day() {
    // 31 December 2025 at 18:00 UTC is 1 January 2026 at 01:00 in Hà Nội: work due at the end
    // of 2025 is overdue there, while the UTC date still says it is due today.
    let new_years_night = Utc.with_ymd_and_hms(2025, 12, 31, 18, 0, 0).unwrap();
    let vietnam_day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let end_of_2025 = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let clock = Clock::pinned(new_years_night);
    assert_eq!(clock.today(), vietnam_day);

    for db in dongbo_testkit::all_backends().await {
        let app = TestApp::start_at(db, clock).await;
        let due: Vec<_> = assignments::for_agency(&app.db, AGENCY)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.assignment.due_on.or(a.task.time_frame.due) == Some(end_of_2025))
            .collect();
        assert!(
            !due.is_empty(),
            "47/NQ-CP has tasks of {AGENCY} due at the end of 2025"
        );
        let one = &due[0];
        let code = one.assignment.task_code.clone();
        app.user("bng.bao.cao", "reporter", AGENCY, false).await;
        let mut browser = session_at(&app, "bng.bao.cao", clock).await;

        // The API: my assignments, judged on the Vietnam day.
        let response = browser.get("/api/v1/my/assignments").await;
        assert_eq!(response.status(), 200, "on {}", app.backend);
        let mine: Value = response.json().await.unwrap();
        let states: Vec<(&str, &str)> = mine
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["due_on"] == "2025-12-31")
            .map(|a| {
                (
                    a["task_code"].as_str().unwrap(),
                    a["state"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(states.len(), due.len(), "on {}", app.backend);
        for (task, state) in &states {
            assert_eq!(
                *state, "overdue_not_done",
                "task {task} in the API's my assignments, on {}",
                app.backend
            );
        }

        // The API: the program's dashboard, as of the Vietnam day.
        let path = format!("/api/v1/programs/{}/dashboard", app.program_id);
        let dashboard: Value = browser.get(&path).await.json().await.unwrap();
        assert_eq!(dashboard["as_of"], "2026-01-01", "on {}", app.backend);
        let line = dashboard["task_lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["task_code"] == code.as_str())
            .expect("the task's line");
        assert_eq!(line["state"], "overdue_not_done", "on {}", app.backend);

        // The pages: "my work" lists the task as overdue, the dashboard shows it so.
        let my = browser.text("/my").await;
        assert_eq!(
            row_state(&my, &format!("overdue-{AGENCY}"), &code),
            Some("overdue_not_done"),
            "task {code} among the overdue on /my, on {}",
            app.backend
        );
        let page = browser
            .text(&format!("/programs/{}/dashboard", app.program_id))
            .await;
        let row = format!("data-task=\"{code}\" data-state=\"overdue_not_done\"");
        assert!(
            page.contains(&row),
            "task {code} overdue on the dashboard page, on {}",
            app.backend
        );

        // The reminder plan, on the same clock: the work due at the end of 2025 is overdue.
        let runner = Runner::new(app.db.clone(), RemindConfig::default()).with_clock(clock);
        runner.drain().await.unwrap();
        let notices = notifications::for_agency(&app.db, AGENCY, false)
            .await
            .unwrap();
        let about_it: Vec<_> = notices
            .iter()
            .filter(|n| n.dedupe_key.ends_with(":2025-12-31"))
            .collect();
        assert!(
            !about_it.is_empty(),
            "reminders about the work due at the end of 2025, on {}",
            app.backend
        );
        for notice in &about_it {
            assert_eq!(
                notice.kind, "overdue",
                "{} on {}",
                notice.dedupe_key, app.backend
            );
        }
    }
}
