//! Reporting periods over real HTTP, on every backend: the reporter chooses any Decree 09
//! period on the report page, a recurring task gets one report per period, the program
//! dashboard counts each agency's reports missing for a period (with its filters working
//! together), and an agency's own dashboard on `/my`.

mod common;

use chrono::Duration;
use dongbo_domain::{Directory, Period, PeriodKind};
use dongbo_store::{Edit, ReportContent, ReportPeriod, plans, reports};

use common::{Browser, TestApp, apps, hidden_value, location};

fn today() -> chrono::NaiveDate {
    dongbo_domain::clock::today()
}

fn current(kind: PeriodKind) -> Period {
    Period::containing(kind, today()).expect("a period holds today")
}

/// Submits a report for `period` straight through the store.
async fn submit(app: &TestApp, assignment_id: i64, period: ReportPeriod) -> i64 {
    let content = ReportContent {
        library_items: Vec::new(),
        results: "Đã triển khai".to_owned(),
        progress: 40,
        ..ReportContent::default()
    };
    reports::submit(
        &app.db,
        &Edit {
            assignment_id,
            period,
            content: &content,
            author: "bao.cao",
            based_on: None,
            idempotency_key: None,
        },
    )
    .await
    .unwrap()
    .report_id
}

/// The number in an agency's "reports missing" cell of the dashboard.
fn missing_count(html: &str, agency: &str) -> usize {
    let row = html
        .find(&format!("<tr data-agency=\"{agency}\""))
        .unwrap_or_else(|| panic!("a line for {agency}"));
    let cell = row + html[row..].find("class=\"num missing\"").unwrap();
    let text: String = html[cell..]
        .split('<')
        .flat_map(|part| part.split('>').nth(1))
        .find(|t| !t.trim().is_empty())
        .unwrap()
        .trim()
        .to_owned();
    text.parse()
        .unwrap_or_else(|_| panic!("a count, not «{text}»"))
}

/// The `data-task` codes of the rows of the table with id `id`, or of the first table in the
/// element with that id; none when the element is a paragraph ("None.").
fn rows_of(html: &str, id: &str) -> Vec<String> {
    let Some(start) = html.find(&format!("id=\"{id}\"")) else {
        return Vec::new();
    };
    let tag = html[..start].rfind('<').unwrap();
    if html[tag..].starts_with("<p") {
        return Vec::new();
    }
    let table = &html[start..];
    let table = &table[..table.find("</table>").unwrap_or(table.len())];
    table
        .split("data-task=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn a_reporter_chooses_any_decree_period_and_a_recurring_task_gets_one_report_per_period() {
    for app in apps().await {
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        let mut reporter = app.logged_in("bao.cao").await;
        // 1.2 is "Hằng năm": by default the current annual period.
        let yearly = app.lead_of(app.program_id, "1.2", "BVHTTDL").await;
        let path = format!("/assignments/{yearly}/report");
        let page = reporter.text(&path).await;
        let year = current(PeriodKind::Annual);
        assert!(
            page.contains(&format!(
                "id=\"report-period\" data-period=\"{}\"",
                year.code()
            )),
            "on {}",
            app.backend
        );
        assert!(
            !page.contains("value=\"once\""),
            "recurring work is not reported once"
        );
        // Every kind of period is offered, with its window and deadline.
        for kind in PeriodKind::ALL {
            let period = Period::containing(kind, today())
                .or_else(|| Period::new(kind, year.year() - 1, 1).ok())
                .unwrap();
            let (start, end) = period.window();
            assert!(
                page.contains(&format!("value=\"{}\"", period.code())),
                "{kind} offered"
            );
            assert!(page.contains(&format!(
                "{period}: {} – {}",
                start.format("%d/%m/%Y"),
                end.format("%d/%m/%Y")
            )));
        }

        // The reporter submits for the year through the form, then for the current quarter.
        let action = Browser::form_action(&page, "report-form");
        assert!(
            action.contains(&format!("period={}", year.code())),
            "{action}"
        );
        let key = hidden_value(&page, "idempotency_key").unwrap();
        let response = reporter
            .post_multipart(
                &action,
                &[
                    ("action", "submit"),
                    ("idempotency_key", &key),
                    ("results", "Đã tổ chức tuyên truyền"),
                    ("progress", "50"),
                ],
                None,
            )
            .await;
        assert_eq!(response.status(), 303);
        assert!(location(&response).ends_with(&format!("period={}", year.code())));
        let quarter = current(PeriodKind::Quarterly);
        let page = reporter
            .text(&format!("{path}?period={}", quarter.code()))
            .await;
        assert!(page.contains(&format!("data-period=\"{}\"", quarter.code())));
        assert!(
            page.contains("data-status=\"none\""),
            "a new period starts empty"
        );
        let action = Browser::form_action(&page, "report-form");
        let response = reporter
            .post_multipart(
                &action,
                &[
                    ("action", "save"),
                    ("results", "Quý này"),
                    ("progress", "20"),
                ],
                None,
            )
            .await;
        assert_eq!(response.status(), 303);

        // One report per period, each with its status, listed on the page.
        let page = reporter.text(&path).await;
        assert!(page.contains(&format!(
            "data-period=\"{}\" data-status=\"submitted\"",
            year.code()
        )));
        assert!(page.contains(&format!(
            "data-period=\"{}\" data-status=\"draft\"",
            quarter.code()
        )));
        let stored = reports::for_assignment(&app.db, yearly).await.unwrap();
        assert_eq!(stored.len(), 2, "on {}", app.backend);

        // A past period is shown with its Decree 09 window and deadline (Monday 15 September
        // 2025, the cut-off being a Sunday), in both languages.
        let page = reporter.text(&format!("{path}?period=2025-Q3")).await;
        assert!(page.contains(
            "id=\"report-window\"><time datetime=\"2025-06-15\">15/06/2025</time> – \
             <time datetime=\"2025-09-14\">14/09/2025</time>"
        ));
        assert!(
            page.contains("id=\"report-deadline\"><time datetime=\"2025-09-15\">15/09/2025</time>")
        );
        assert!(page.contains("Quý III/2025: 15/06/2025 – 14/09/2025 (hạn gửi 15/09/2025)"));
        let english = reporter
            .text(&format!("{path}?period=2025-Q3&lang=en"))
            .await;
        assert!(english.contains("Reporting period"));
        assert!(english.contains("Q3 2025: 2025-06-15 – 2025-09-14 (due 2025-09-15)"));

        // A one-off task defaults to its one-off report.
        let once = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        let page = reporter
            .text(&format!("/assignments/{once}/report?lang=vi"))
            .await;
        assert!(page.contains("data-period=\"once\""));
        assert!(page.contains("value=\"once\" selected"));

        // A code that names no period is refused with a clear message (422, the period being
        // a field of the report as in the API), not a 500, and writes nothing.
        for bad in ["2026-Q5", "abc", "2026-M1", "1800-Y"] {
            let response = reporter.get(&format!("{path}?period={bad}")).await;
            assert_eq!(response.status(), 422, "{bad}");
            let text = response.text().await.unwrap();
            assert!(
                text.contains(&format!("Kỳ báo cáo «{bad}» không hợp lệ")),
                "{text}"
            );
        }
        let bad_action = action.replace(&format!("period={}", quarter.code()), "period=abc");
        assert_ne!(bad_action, action);
        let response = reporter
            .post_multipart(
                &bad_action,
                &[("action", "save"), ("results", "x"), ("progress", "1")],
                None,
            )
            .await;
        assert_eq!(response.status(), 422);
        assert_eq!(
            reports::for_assignment(&app.db, yearly)
                .await
                .unwrap()
                .len(),
            2
        );
    }
}

#[tokio::test]
async fn the_dashboard_counts_each_agencys_reports_missing_for_the_period_and_lists_them() {
    for app in apps().await {
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        let mut coordinator = app.logged_in("dieu.phoi").await;
        let path = format!("/programs/{}/dashboard", app.program_id);
        let year = current(PeriodKind::Annual);
        let before = coordinator.text(&path).await;
        assert!(before.contains(&format!("id=\"missing-heading\">Thiếu báo cáo {}", year)));
        let owed = missing_count(&before, "BVHTTDL");
        assert!(
            owed > 0,
            "open work owes this year's report on {}",
            app.backend
        );

        // Which ones: the link lists them, 1.2 ("Hằng năm") among them.
        let listing = format!("{path}?agency=BVHTTDL&period={}&missing=1", year.code());
        let listed = rows_of(&coordinator.text(&listing).await, "tasks");
        assert_eq!(listed.len(), owed);
        assert!(listed.contains(&"1.2".to_owned()), "{listed:?}");
        assert!(before.contains(&format!(
            "href=\"/programs/{}/dashboard?agency=BVHTTDL&amp;period={}&amp;missing=1#tasks\"",
            app.program_id,
            year.code()
        )));

        // A report submitted for the year covers 1.2; a draft or another period does not.
        let yearly = app.lead_of(app.program_id, "1.2", "BVHTTDL").await;
        let report = submit(&app, yearly, year.into()).await;
        let after = coordinator.text(&path).await;
        assert_eq!(missing_count(&after, "BVHTTDL"), owed - 1);
        // Returned, it is missing again at once; submitted again, it is not.
        let returned = reports::return_report(&app.db, report, 1, "lanh.dao", "Bổ sung", None)
            .await
            .unwrap();
        let again = coordinator.text(&path).await;
        assert_eq!(
            missing_count(&again, "BVHTTDL"),
            owed,
            "returned is missing"
        );
        let content = ReportContent {
            library_items: Vec::new(),
            results: "Đã bổ sung".to_owned(),
            progress: 50,
            ..ReportContent::default()
        };
        reports::submit(
            &app.db,
            &Edit {
                assignment_id: yearly,
                period: year.into(),
                content: &content,
                author: "bao.cao",
                based_on: Some(returned.version),
                idempotency_key: None,
            },
        )
        .await
        .unwrap();
        let after = coordinator.text(&path).await;
        assert_eq!(missing_count(&after, "BVHTTDL"), owed - 1);
        let listed = rows_of(&coordinator.text(&listing).await, "tasks");
        assert!(!listed.contains(&"1.2".to_owned()));
        // For the quarter the annual report does not count.
        let quarterly = coordinator.text(&format!("{path}?period=quarterly")).await;
        assert_eq!(missing_count(&quarterly, "BVHTTDL"), owed);
        let quarter = current(PeriodKind::Quarterly);
        assert!(quarterly.contains(&format!("value=\"{}\" selected", quarter.code())));

        // The filters work together: group 1, the agency, a state and the period.
        let combined = coordinator
            .text(&format!(
                "{path}?group=1&agency=BVHTTDL&state=overdue_not_done&period={}",
                year.code()
            ))
            .await;
        assert_eq!(combined.matches("<tr data-agency=").count(), 1);
        let rows = rows_of(&combined, "tasks");
        assert!(rows.iter().all(|code| code.starts_with("1.")), "{rows:?}");
        assert!(combined.contains("data-task=\"1.1\" data-state=\"overdue_not_done\""));
        // The count in group 1 is the number of group 1 assignments its link lists.
        let in_group = missing_count(&combined, "BVHTTDL");
        let listed_in_group = rows_of(
            &coordinator
                .text(&format!("{path}?group=1&agency=BVHTTDL&missing=1"))
                .await,
            "tasks",
        );
        assert_eq!(listed_in_group.len(), in_group);
        assert!(listed_in_group.iter().all(|c| c.starts_with("1.")));
        assert!(in_group < owed - 1, "group 1 is a part of the program");
        let group_two = coordinator
            .text(&format!("{path}?group=2&agency=BVHTTDL"))
            .await;
        let rows = rows_of(&group_two, "tasks");
        assert!(
            !rows.is_empty() && rows.iter().all(|c| c.starts_with("2.")),
            "{rows:?}"
        );

        // A period code that names no period is a 400.
        let response = coordinator.get(&format!("{path}?period=2026-X")).await;
        assert_eq!(response.status(), 400);
    }
}

#[tokio::test]
async fn an_officer_sees_her_agencys_to_do_due_soon_overdue_returned_reports_and_drafts() {
    for app in apps().await {
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        // The ministry's plan has its own task due in ten days.
        let directory = Directory::bundled();
        let plan = plans::create(&app.db, &directory, app.program_id, "BVHTTDL")
            .await
            .unwrap()
            .program_id();
        let soon = today() + Duration::days(10);
        plans::add_task(
            &app.db,
            &directory,
            plan,
            &plans::NewTask {
                parent_task_code: "1.1".to_owned(),
                title: "Tập huấn cán bộ".to_owned(),
                expected_output: None,
                time_frame: soon.format("%d/%m/%Y").to_string(),
            },
        )
        .await
        .unwrap();
        // A report returned with a comment, and a draft.
        let returned_on = app.lead_of(app.program_id, "3.4", "BVHTTDL").await;
        let returned = submit(&app, returned_on, ReportPeriod::Once).await;
        reports::return_report(&app.db, returned, 1, "lanh.dao", "Bổ sung số liệu", None)
            .await
            .unwrap();
        let drafted = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        reports::save_draft(
            &app.db,
            &Edit {
                assignment_id: drafted,
                period: ReportPeriod::Once,
                content: &ReportContent {
                    library_items: Vec::new(),
                    results: "Đang viết".to_owned(),
                    ..ReportContent::default()
                },
                author: "bao.cao",
                based_on: None,
                idempotency_key: None,
            },
        )
        .await
        .unwrap();

        let mut reporter = app.logged_in("bao.cao").await;
        let my = reporter.text("/my").await;
        assert!(
            my.contains("id=\"dashboard-BVHTTDL\""),
            "on {}",
            app.backend
        );
        let due_soon = rows_of(&my, "due-soon-BVHTTDL");
        assert!(due_soon.contains(&"1.1.1".to_owned()), "{due_soon:?}");
        let overdue = rows_of(&my, "overdue-BVHTTDL");
        assert!(
            overdue.contains(&"2.1".to_owned()),
            "2.1 was due in 2024: {overdue:?}"
        );
        assert!(!overdue.contains(&"1.1.1".to_owned()));
        let to_do = rows_of(&my, "to-do-BVHTTDL");
        for code in overdue.iter().chain(&due_soon) {
            assert!(to_do.contains(code), "{code} is to do");
        }
        // The returned report with the reviewer's comment and the link to fix it; the draft.
        let returned_list = &my[my.find("id=\"returned-BVHTTDL\"").unwrap()..];
        let returned_list = &returned_list[..returned_list.find("</ul>").unwrap()];
        assert!(returned_list.contains("Bổ sung số liệu"));
        assert!(returned_list.contains(&format!(
            "href=\"/assignments/{returned_on}/report?period=once\""
        )));
        let drafts = &my[my.find("id=\"drafts-BVHTTDL\"").unwrap()..];
        assert!(drafts[..drafts.find("</ul>").unwrap()].contains(&format!(
            "href=\"/assignments/{drafted}/report?period=once\""
        )));

        // Filters: by state, by program and by group.
        let overdue_only = reporter.text("/my?state=overdue_not_done").await;
        let mut rows = rows_of(&overdue_only, "to-do-BVHTTDL");
        let mut overdue_rows = rows_of(&overdue_only, "overdue-BVHTTDL");
        rows.sort();
        overdue_rows.sort();
        assert!(!rows.is_empty());
        assert_eq!(rows, overdue_rows);
        assert!(rows_of(&overdue_only, "due-soon-BVHTTDL").is_empty());
        let plan_only = reporter.text(&format!("/my?program={plan}")).await;
        assert!(rows_of(&plan_only, "due-soon-BVHTTDL").contains(&"1.1.1".to_owned()));
        // The agency's notices (the return among them, told at once) are not filtered; the
        // lists of work are.
        let without_notices = |page: &str| match page.find("id=\"notices-BVHTTDL\"") {
            Some(start) => {
                let end = start + page[start..].find("</section>").unwrap();
                format!("{}{}", &page[..start], &page[end..])
            }
            None => page.to_owned(),
        };
        assert!(
            !without_notices(&plan_only).contains("Bổ sung số liệu"),
            "the returned report is of 47/NQ-CP"
        );
        let program_only = reporter
            .text(&format!("/my?program={}", app.program_id))
            .await;
        assert!(!rows_of(&program_only, "to-do-BVHTTDL").contains(&"1.1.1".to_owned()));
        assert!(program_only.contains("Bổ sung số liệu"));
        let group_two = reporter
            .text(&format!("/my?program={}&group=2", app.program_id))
            .await;
        let rows = rows_of(&group_two, "to-do-BVHTTDL");
        assert!(
            !rows.is_empty() && rows.iter().all(|c| c.starts_with("2.")),
            "{rows:?}"
        );
        let english = reporter.text("/my?lang=en").await;
        assert!(
            english.contains("The agency&#39;s dashboard")
                || english.contains("The agency's dashboard")
        );
        assert!(english.contains("Due soon (next 30 days)"));
    }
}
