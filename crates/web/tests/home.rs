//! The home page and a program's timeline over real HTTP, on every backend: a signed-in
//! officer's week (due within seven days, overdue, waiting for review, returned, notices), the
//! public progress of each program (the dashboard's counts as shares, the last accepted
//! report) and the timeline's SVG (one bar per task, in time order, today's line).

mod common;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use dongbo_domain::Directory;
use dongbo_store::{ReportPeriod, plans, reports};

use common::TestApp;

/// The element with `id="{id}"` up to the end of its list or paragraph.
fn part<'h>(html: &'h str, id: &str) -> &'h str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("an element #{id}"));
    let rest = &html[start..];
    let end = ["</ul>", "</ol>", "</p>"]
        .iter()
        .filter_map(|close| rest.find(close))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The `data-task` codes of the lines of the list `id`.
fn tasks_in(html: &str, id: &str) -> Vec<String> {
    part(html, id)
        .split("data-task=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

/// The section with `id="{id}"` up to its end.
fn section<'h>(html: &'h str, id: &str) -> &'h str {
    let start = html
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("a section #{id}"));
    let rest = &html[start..];
    &rest[..rest.find("</section>").unwrap()]
}

/// Adds a task to `agency`'s plan under program `program` with the time frame `time_frame`.
async fn plan_task(app: &TestApp, plan: i64, title: &str, time_frame: &str) -> String {
    plans::add_task(
        &app.db,
        &Directory::bundled(),
        plan,
        &plans::NewTask {
            parent_task_code: "1.1".to_owned(),
            title: title.to_owned(),
            expected_output: None,
            time_frame: time_frame.to_owned(),
        },
    )
    .await
    .unwrap()
}

async fn new_plan(app: &TestApp, agency: &str) -> i64 {
    plans::create(&app.db, &Directory::bundled(), app.program_id, agency)
        .await
        .unwrap()
        .program_id()
}

#[tokio::test]
async fn the_signed_in_home_shows_the_week_the_reviews_the_returned_reports_and_notices() {
    for app in common::apps().await {
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        app.user("khac", "reporter", "BTC", false).await;
        let today = dongbo_domain::clock::today();
        let plan = new_plan(&app, "BVHTTDL").await;
        let fmt = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
        let in_five = plan_task(
            &app,
            plan,
            "Tập huấn cán bộ",
            &fmt(today + Duration::days(5)),
        )
        .await;
        let in_ten = plan_task(&app, plan, "Tổng kết", &fmt(today + Duration::days(10))).await;
        // A report sent for review, and one returned with a comment.
        let sent_on = app.lead_of(app.program_id, "3.21", "BVHTTDL").await;
        let (sent, _) = app
            .submitted(sent_on, ReportPeriod::Once, 40, "Đã triển khai", "bao.cao")
            .await;
        let returned_on = app.lead_of(app.program_id, "3.4", "BVHTTDL").await;
        let (returned, version) = app
            .submitted(returned_on, ReportPeriod::Once, 30, "Sơ bộ", "bao.cao")
            .await;
        reports::return_report(
            &app.db,
            returned,
            version,
            "lanh.dao",
            "Bổ sung số liệu",
            None,
        )
        .await
        .unwrap();

        let mut reporter = app.logged_in("bao.cao").await;
        let home = reporter.text("/").await;
        let week = tasks_in(&home, "due-this-week-list");
        assert!(
            week.contains(&in_five),
            "due in 5 days: {week:?} on {}",
            app.backend
        );
        assert!(
            !week.contains(&in_ten),
            "10 days is not this week: {week:?}"
        );
        let overdue = tasks_in(&home, "overdue-list");
        assert!(
            overdue.contains(&"2.1".to_owned()),
            "2.1 was due in 2024: {overdue:?}"
        );
        assert!(!overdue.contains(&in_five));
        assert!(!week.contains(&"2.1".to_owned()));
        // Each line links to the assignment's report page.
        let plan_assignment = app.lead_of(plan, &in_five, "BVHTTDL").await;
        assert!(
            part(&home, "due-this-week-list")
                .contains(&format!("href=\"/assignments/{plan_assignment}/report\"")),
            "{}",
            part(&home, "due-this-week-list")
        );
        // The returned report, with the reviewer's comment and where to fix it.
        let to_fix = section(&home, "to-fix");
        assert!(
            to_fix.contains(&format!("data-report=\"{returned}\"")),
            "{to_fix}"
        );
        assert!(to_fix.contains("Bổ sung số liệu"));
        assert!(to_fix.contains(&format!(
            "href=\"/assignments/{returned_on}/report?period=once\""
        )));
        // The return is a notice of the agency.
        let notices = section(&home, "home-notices");
        assert!(notices.contains("data-kind=\"returned\""), "{notices}");
        // Nothing waits for a reporter's review.
        assert!(section(&home, "awaiting-review").contains("class=\"muted empty\""));
        // The programs are still listed below.
        assert!(home.contains("<table class=\"programs\""));

        // The approver has the sent report waiting, linked to its review.
        let mut approver = app.logged_in("lanh.dao").await;
        let home = approver.text("/").await;
        let waiting = section(&home, "awaiting-review");
        assert!(
            waiting.contains(&format!("data-report=\"{sent}\"")),
            "{waiting}"
        );
        assert!(waiting.contains(&format!(
            "href=\"/assignments/{sent_on}/report?period=once\""
        )));
        assert!(
            !waiting.contains(&format!("data-report=\"{returned}\"")),
            "returned is not waiting"
        );

        // Another agency's officer sees none of it, and each empty section says so.
        let mut other = app.logged_in("khac").await;
        let home = other.text("/").await;
        for id in ["awaiting-review", "to-fix", "home-notices"] {
            let part = section(&home, id);
            assert!(
                part.contains("class=\"muted empty\""),
                "#{id} is empty: {part}"
            );
        }
        assert!(!home.contains(&format!("data-report=\"{returned}\"")));
        assert!(!tasks_in(&home, "due-this-week-list").contains(&in_five));
    }
}

/// The share and count of `state` in program `program`'s line of the anonymous home page.
fn share(html: &str, program: i64, state: &str) -> (u64, u64) {
    let article = &html[html
        .find(&format!("data-program=\"{program}\""))
        .expect("the program's progress")..];
    let line = &article[article
        .find(&format!("<li class=\"share\" data-state=\"{state}\""))
        .unwrap_or_else(|| panic!("a share for {state}"))..];
    let count = line.split("data-count=\"").nth(1).unwrap();
    let count = count[..count.find('"').unwrap()].parse().unwrap();
    let percent = line.split("class=\"percent\">").nth(1).unwrap();
    let percent = percent[..percent.find('%').unwrap()].parse().unwrap();
    (count, percent)
}

/// The count of `state` in the dashboard's legend.
fn dashboard_count(html: &str, state: &str) -> u64 {
    let item = &html[html
        .find(&format!("<li data-state=\"{state}\""))
        .unwrap_or_else(|| panic!("a legend line for {state}"))..];
    let count = item.split("class=\"count\">").nth(1).unwrap();
    count[..count.find('<').unwrap()].parse().unwrap()
}

#[tokio::test]
async fn the_anonymous_home_shows_each_programs_shares_as_its_dashboard_counts_them() {
    for app in common::apps().await {
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        let anonymous = app.page("/").await;
        assert!(
            anonymous.contains("Chưa có báo cáo nào được chấp nhận."),
            "on {}",
            app.backend
        );
        // One task done: its lead's report at 100% accepted today.
        let done = app.lead_of(app.program_id, "3.21", "BVHTTDL").await;
        let (report, version) = app
            .submitted(done, ReportPeriod::Once, 100, "Hoàn thành", "bao.cao")
            .await;
        reports::accept(&app.db, report, version, "lanh.dao", None)
            .await
            .unwrap();

        let home = app.page("/").await;
        let mut coordinator = app.logged_in("dieu.phoi").await;
        let dashboard = coordinator
            .text(&format!("/programs/{}/dashboard", app.program_id))
            .await;
        let total: u64 = [
            "not_started",
            "in_progress",
            "done_on_time",
            "done_late",
            "overdue_not_done",
        ]
        .iter()
        .map(|s| dashboard_count(&dashboard, s))
        .sum();
        assert!(total > 0);
        let mut shares = 0;
        for state in ["done_on_time", "done_late", "overdue_not_done"] {
            let expected = dashboard_count(&dashboard, state);
            let (count, percent) = share(&home, app.program_id, state);
            assert_eq!(count, expected, "{state} on {}", app.backend);
            assert_eq!(
                percent,
                expected * 100 / total,
                "{state}: {expected} of {total}"
            );
            shares += count;
        }
        let (other, _) = share(&home, app.program_id, "other");
        assert_eq!(other + shares, total, "the shares cover every task");
        assert!(
            share(&home, app.program_id, "done_on_time").0 >= 1,
            "3.21 is done"
        );
        // A bar per group, and the day of the last accepted report.
        assert!(home.matches("<tr data-group=").count() >= 2);
        let today = dongbo_domain::clock::today();
        assert!(
            home.contains(&format!("class=\"last-accepted\">Báo cáo được chấp nhận gần nhất: <time datetime=\"{today}\"")),
            "the last accepted report is today's"
        );
        // Nothing of the dashboard's per-agency figures is public.
        assert!(!home.contains("data-agency="));
    }
}

/// The SVG drawings of a timeline page (one per group), each as its own text.
fn timeline_svgs(html: &str) -> Vec<String> {
    html.split("<svg class=\"timeline\"")
        .skip(1)
        .map(|rest| {
            format!(
                "<svg class=\"timeline\"{}</svg>",
                &rest[..rest.find("</svg>").unwrap()]
            )
        })
        .collect()
}

fn attr(node: roxmltree::Node, name: &str) -> f64 {
    node.attribute(name)
        .unwrap_or_else(|| panic!("{name} on {node:?}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_timeline_has_a_bar_per_task_in_time_order_and_todays_line_where_today_is() {
    // 2 July 2026, 10:00 in Hà Nội.
    let clock = dongbo_domain::Clock::pinned(Utc.with_ymd_and_hms(2026, 7, 2, 3, 0, 0).unwrap());
    let today = NaiveDate::from_ymd_opt(2026, 7, 2).unwrap();
    for db in dongbo_testkit::all_backends().await {
        let app = TestApp::start_at(db, clock).await;
        let plan = new_plan(&app, "BVHTTDL").await;
        let of_2026 = plan_task(&app, plan, "Việc năm 2026", "2026").await;
        let of_2027 = plan_task(
            &app,
            plan,
            "Việc năm 2027 có tên rất dài để thấy tên được rút gọn bên cạnh thanh tiến độ",
            "2027",
        )
        .await;
        let ongoing = plan_task(&app, plan, "Việc thường xuyên", "Thường xuyên").await;

        let program_page = app.page(&format!("/programs/{plan}")).await;
        assert!(program_page.contains(&format!("href=\"/programs/{plan}/timeline\"")));
        let html = app.page(&format!("/programs/{plan}/timeline")).await;
        let svgs = timeline_svgs(&html);
        let docs: Vec<roxmltree::Document> = svgs
            .iter()
            .map(|svg| {
                roxmltree::Document::parse(svg)
                    .unwrap_or_else(|e| panic!("the timeline is valid XML on {}: {e}", app.backend))
            })
            .collect();
        let every = || docs.iter().flat_map(|d| d.descendants());
        let tasks: Vec<roxmltree::Node> = every()
            .filter(|n| n.has_tag_name("g") && n.attribute("class") == Some("task"))
            .collect();
        let codes: Vec<&str> = tasks
            .iter()
            .map(|t| t.attribute("data-task").unwrap())
            .collect();
        // A plan shows its parent's tasks with its own.
        for code in [&of_2026, &of_2027, &ongoing] {
            assert_eq!(
                codes.iter().filter(|c| *c == code).count(),
                1,
                "{code} in {codes:?}"
            );
        }
        let bar = |code: &str| {
            let task = tasks
                .iter()
                .find(|t| t.attribute("data-task") == Some(code))
                .unwrap();
            let bars: Vec<_> = task
                .children()
                .filter(|n| n.has_tag_name("rect") && n.attribute("class") == Some("bar"))
                .collect();
            assert_eq!(bars.len(), 1, "one bar for {code}");
            bars[0]
        };
        let (a, b, c) = (bar(&of_2026), bar(&of_2027), bar(&ongoing));
        let end = |n: roxmltree::Node| attr(n, "x") + attr(n, "width");
        assert!(end(a) < end(b), "2026 ends left of 2027");
        assert!(end(a) <= attr(b, "x") + 0.5, "2027 starts where 2026 ends");
        // The 2027 task's name is cut beside its bar, whole in its tooltip.
        let title = b
            .children()
            .find(|n| n.has_tag_name("title"))
            .unwrap()
            .text()
            .unwrap();
        assert!(title.contains("thanh tiến độ"));
        // Open-ended work runs to the axis's end, marked as such.
        assert_eq!(c.attribute("data-open"), Some("true"));
        let furthest = every()
            .filter(|n| n.attribute("class") == Some("bar"))
            .map(end)
            .fold(f64::MIN, f64::max);
        assert!(
            (end(c) - furthest).abs() < 0.5,
            "ongoing work reaches the axis end"
        );
        assert!(
            end(b) < furthest,
            "the axis runs to 47's last year, after 2027"
        );
        // Today's line, at 2 July's place within 2026's bar.
        // The drawing holding the 2026 task has today's line (each drawing has one).
        let holding = docs
            .iter()
            .find(|d| {
                d.descendants()
                    .any(|n| n.attribute("data-task") == Some(of_2026.as_str()))
            })
            .unwrap();
        let lines: Vec<_> = every()
            .filter(|n| n.attribute("class") == Some("today"))
            .collect();
        assert_eq!(lines.len(), docs.len(), "a line per drawing");
        let line = holding
            .descendants()
            .find(|n| n.attribute("class") == Some("today"))
            .expect("today's line");
        assert_eq!(line.attribute("data-date"), Some("2026-07-02"));
        let into_year = (today - NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).num_days() as f64
            / f64::from(if today.leap_year() { 366 } else { 365 });
        let expected = attr(a, "x") + attr(a, "width") * into_year;
        assert!(
            (attr(line, "x1") - expected).abs() < 0.2,
            "today at {} not {expected}",
            attr(line, "x1")
        );
        // Scaled to the page, not a fixed width.
        for doc in &docs {
            let root = doc.root_element();
            assert!(root.attribute("viewBox").is_some() && root.attribute("width").is_none());
        }

        // 47/NQ-CP: a row per task of the program page, each with its bar or its undated note.
        let program = app.page(&format!("/programs/{}", app.program_id)).await;
        let listed = program.matches("<tr id=\"task-").count();
        let html = app
            .page(&format!("/programs/{}/timeline", app.program_id))
            .await;
        let svgs = timeline_svgs(&html);
        let docs: Vec<roxmltree::Document> = svgs
            .iter()
            .map(|svg| roxmltree::Document::parse(svg).expect("valid XML"))
            .collect();
        let every = || docs.iter().flat_map(|d| d.descendants());
        let rows: Vec<_> = every()
            .filter(|n| n.has_tag_name("g") && n.attribute("class") == Some("task"))
            .collect();
        assert_eq!(rows.len(), listed, "one row per task on {}", app.backend);
        for row in &rows {
            let marks = row
                .children()
                .filter(|n| {
                    n.attribute("class") == Some("bar") || n.attribute("class") == Some("no-span")
                })
                .count();
            assert_eq!(marks, 1, "{:?}", row.attribute("data-task"));
        }
        let dated = rows
            .iter()
            .filter(|r| r.children().any(|n| n.attribute("class") == Some("bar")))
            .count();
        assert!(
            dated * 10 >= listed * 9,
            "most of 47's tasks have dates: {dated}/{listed}"
        );
        let groups = program.matches("<section class=\"group\"").count();
        assert_eq!(
            every()
                .filter(|n| n.attribute("class") == Some("group"))
                .count(),
            groups
        );
        assert_eq!(docs.len(), groups, "a drawing per group");
    }
}
