//! A progress report from draft to acceptance, with an evidence file, as the reporter, her
//! leader and the coordinating ministry do it over real HTTP, on every backend; and the
//! dashboard right after each write.

mod common;

use common::{Browser, apps, hidden_value, location};

/// A small real PDF: the header is what the evidence store checks.
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test]
async fn a_report_is_submitted_with_a_file_returned_fixed_and_accepted_and_the_dashboard_follows() {
    for app in apps().await {
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        // 2.1 (2024, due 31/12/2024) is led by Culture, Sports and Tourism after the 2025
        // reorganisation.
        let assignment = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        let report_path = format!("/assignments/{assignment}/report");

        let mut reporter = app.logged_in("bao.cao").await;
        let my = reporter.text("/my").await;
        assert!(
            my.contains(&format!("href=\"{report_path}\"")),
            "My work links the report"
        );
        let page = reporter.text(&report_path).await;
        assert!(page.contains("id=\"report-form\""));
        let action = Browser::form_action(&page, "report-form");
        let key = hidden_value(&page, "idempotency_key").unwrap();

        // Without the CSRF token in the form's address the upload is refused.
        let response = reporter
            .post_multipart(
                &format!("{report_path}?period=once"),
                &[("action", "submit"), ("results", "x"), ("progress", "10")],
                None,
            )
            .await;
        assert_eq!(response.status(), 403, "on {}", app.backend);

        let fields = [
            ("action", "submit"),
            ("based_on", ""),
            ("idempotency_key", key.as_str()),
            ("results", "Đã tổ chức tổng kết Nghị định 72/2015/NĐ-CP"),
            ("progress", "80"),
            ("doc_number_0", "123/BC-BVHTTDL"),
            ("doc_date_0", "2024-11-20"),
            ("doc_title_0", "Báo cáo tổng kết"),
            ("difficulties", "Thiếu kinh phí"),
            ("recommendations", "Bổ sung dự toán"),
        ];
        let response = reporter
            .post_multipart(
                &action,
                &fields,
                Some(("tong-ket.pdf", "application/pdf", PDF)),
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        // A retried submission (same key) creates nothing new.
        let again = reporter
            .post_multipart(
                &action,
                &fields,
                Some(("tong-ket.pdf", "application/pdf", PDF)),
            )
            .await;
        assert_eq!(again.status(), 303);
        let page = reporter.text(&location(&response)).await;
        assert!(page.contains("data-status=\"submitted\""));
        assert!(page.contains("tong-ket.pdf"));
        // The history says who by full name, when in Vietnam's time and what in words.
        assert_eq!(
            page.matches("data-step=\"submit\"").count(),
            1,
            "one submission in the history"
        );
        let history = &page[page.find("id=\"history\"").expect("a history")..];
        let submitted = &history[history.find("data-step=\"submit\"").unwrap()..];
        let submitted = &submitted[..submitted.find("</li>").unwrap()];
        assert!(submitted.contains("Cán bộ bao.cao"), "{submitted}");
        assert!(submitted.contains("(bao.cao)"));
        assert!(submitted.contains("Gửi duyệt"), "{submitted}");
        assert!(
            submitted.contains(" ngày "),
            "a Vietnamese moment: {submitted}"
        );
        assert!(!submitted.contains("+00:00") && !submitted.contains("submit →"));
        assert!(
            !page.contains("id=\"review-form\""),
            "a reporter does not review"
        );

        // A file that is not what it says is refused with a clear message.
        let response = reporter
            .post_multipart(
                &action,
                &[("action", "save"), ("progress", "80"), ("results", "x")],
                Some(("virus.pdf", "application/pdf", b"MZ\x90\x00 not a pdf")),
            )
            .await;
        assert_eq!(response.status(), 422);

        // The leader finds it in the queue on the home page and returns it with a comment.
        let mut leader = app.logged_in("lanh.dao").await;
        let home = leader.text("/").await;
        let queue = home
            .split("id=\"tasks-to-review\"")
            .nth(1)
            .expect("the leader's home lists the task reports waiting");
        assert!(
            queue.contains(&format!("href=\"{report_path}?period=")),
            "{queue}"
        );
        let page = leader.text(&report_path).await;
        assert!(page.contains("id=\"review-form\""));
        let csrf = hidden_value(&page, "csrf").unwrap();
        let seen = hidden_value(&page, "seen_version").unwrap();
        let review = Browser::form_action(&page, "review-form");
        let response = leader
            .post_raw(
                &review,
                &[
                    ("csrf", &csrf),
                    ("seen_version", &seen),
                    ("action", "return"),
                    ("comment", "Bổ sung số liệu cụ thể"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        // A second, stale decision on the same version is a conflict.
        let response = leader
            .post_raw(
                &review,
                &[
                    ("csrf", &csrf),
                    ("seen_version", &seen),
                    ("action", "accept"),
                ],
            )
            .await;
        assert_eq!(response.status(), 409);

        // The reporter sees the comment, fixes and resubmits.
        let page = reporter.text(&report_path).await;
        assert!(page.contains("data-status=\"returned\""));
        assert!(page.contains("Bổ sung số liệu cụ thể"));
        let action = Browser::form_action(&page, "report-form");
        let based_on = hidden_value(&page, "based_on").unwrap();
        let kept = hidden_value(&page, "keep_file_0").unwrap();
        let response = reporter
            .post_multipart(
                &action,
                &[
                    ("action", "submit"),
                    ("based_on", &based_on),
                    ("results", "Đã tổng kết; 63 tỉnh gửi báo cáo"),
                    ("progress", "100"),
                    ("keep_file_0", &kept),
                ],
                None,
            )
            .await;
        assert_eq!(response.status(), 303);

        // Another ministry's leader may not accept it, nor even see it.
        app.user("ngoai.giao", "approver", "BNG", false).await;
        let mut other = app.logged_in("ngoai.giao").await;
        let page = leader.text(&report_path).await;
        let seen = hidden_value(&page, "seen_version").unwrap();
        let other_csrf = {
            let my = other.text("/my").await;
            hidden_value(&my, "csrf").unwrap()
        };
        let response = other
            .post_raw(
                &review,
                &[
                    ("csrf", &other_csrf),
                    ("seen_version", &seen),
                    ("action", "accept"),
                ],
            )
            .await;
        // Another agency's report is not found to those who may not read it (issue 17).
        assert_eq!(response.status(), 404);
        assert_eq!(other.get(&report_path).await.status(), 404);

        // Before acceptance the coordinator's dashboard shows 2.1 overdue …
        let mut coordinator = app.logged_in("dieu.phoi").await;
        let dashboard = format!("/programs/{}/dashboard?on=2025-01-10", app.program_id);
        let before = coordinator.text(&dashboard).await;
        assert!(before.contains("data-task=\"2.1\" data-state=\"overdue_not_done\""));

        // … the leader accepts …
        let response = leader
            .post_raw(
                &review,
                &[
                    ("csrf", &csrf),
                    ("seen_version", &seen),
                    ("action", "accept"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        let page = reporter.text(&report_path).await;
        assert!(page.contains("data-status=\"accepted\""));
        assert!(
            !page.contains("id=\"report-form\""),
            "accepted data is locked"
        );

        // … and the dashboard shows it done at once (late: accepted after 31/12/2024).
        let after = coordinator.text(&dashboard).await;
        assert!(
            after.contains("data-task=\"2.1\" data-state=\"done_late\""),
            "on {}",
            app.backend
        );
        assert!(
            after.contains("id=\"percent-done\">1%") || after.contains("id=\"percent-done\">2%")
        );

        // The coordinator may reopen it, with a reason; that unlocks it.
        let page = coordinator.text(&report_path).await;
        assert!(page.contains("id=\"reopen-form\""));
        let csrf = hidden_value(&page, "csrf").unwrap();
        let seen = hidden_value(&page, "seen_version").unwrap();
        let response = coordinator
            .post_raw(
                &review,
                &[
                    ("csrf", &csrf),
                    ("seen_version", &seen),
                    ("action", "reopen"),
                    ("comment", "Sai số liệu"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        let reopened = coordinator.text(&dashboard).await;
        assert!(reopened.contains("data-task=\"2.1\" data-state=\"overdue_not_done\""));

        // The evidence file downloads as it was uploaded.
        let sha = kept.split(':').next().unwrap();
        let file = reporter.get(&format!("/files/{sha}")).await;
        assert_eq!(file.status(), 200);
        assert_eq!(file.bytes().await.unwrap().as_ref(), PDF);
        // Only to those who may read the report citing it: not to another ministry's viewer,
        // nor for a file no report cites.
        app.user("xem.btc", "viewer", "BTC", false).await;
        let mut outsider = app.logged_in("xem.btc").await;
        assert_eq!(outsider.get(&format!("/files/{sha}")).await.status(), 404);
        app.user("xem.bvhttdl", "viewer", "BVHTTDL", false).await;
        let mut insider = app.logged_in("xem.bvhttdl").await;
        assert_eq!(insider.get(&format!("/files/{sha}")).await.status(), 200);
        let loose = app
            .evidence()
            .put(
                &app.db,
                b"%PDF-1.4\nloose",
                "loose.pdf",
                Some("application/pdf"),
            )
            .await
            .unwrap();
        let response = insider.get(&format!("/files/{}", loose.sha256)).await;
        assert_eq!(response.status(), 404, "a file no report cites");
    }
}

#[tokio::test]
async fn the_dashboard_needs_a_login_and_filters_by_group_and_state() {
    for app in apps().await {
        app.user("xem", "viewer", "BNG", false).await;
        let mut anonymous = app.browser();
        let path = format!("/programs/{}/dashboard", app.program_id);
        assert_eq!(anonymous.get(&path).await.status(), 303);
        let mut viewer = app.logged_in("xem").await;
        let all = viewer.text(&format!("{path}?on=2025-06-01")).await;
        assert_eq!(
            all.matches("<tr data-task=").count(),
            56,
            "on {}",
            app.backend
        );
        let group = viewer.text(&format!("{path}?on=2025-06-01&group=1")).await;
        assert_eq!(group.matches("<tr data-task=").count(), 2);
        let overdue = viewer
            .text(&format!("{path}?on=2025-06-01&state=overdue_not_done"))
            .await;
        let count = overdue.matches("<tr data-task=").count();
        assert!(count > 0 && count < 56, "{count}");
        assert!(all.contains("<svg"), "charts are drawn in the page");
        // The bars' tooltips name the states as the page does, not by their codes.
        assert!(
            all.contains("<title>Chưa bắt đầu: ") && !all.contains("<title>not_started"),
            "{}",
            app.backend
        );
        assert!(!all.contains("<script"), "no script, no CDN");

        // The program re-imported with task 1.1 renamed: the dashboard shows the new title
        // at once (the server keeps the program between requests while nothing changes).
        let renamed = "Phổ biến, quán triệt nội dung Nghị quyết tới cán bộ, công chức";
        assert!(!all.contains(renamed));
        let text = String::from_utf8(dongbo_testkit::programs::RESOLUTION_47.to_vec())
            .unwrap()
            .replace("Phổ biến, quán triệt nội dung Nghị quyết", renamed);
        let directory = dongbo_domain::Directory::bundled();
        let imported = dongbo_import::import(
            text.as_bytes(),
            "47-NQ-CP.txt",
            dongbo_import::Format::Auto,
            &directory,
        )
        .unwrap();
        let source = dongbo_store::SourceInfo {
            file_name: "47-NQ-CP.txt".into(),
            format: imported.format.to_string(),
            sha256: imported.sha256.clone(),
        };
        let directory = dongbo_domain::Directory::bundled();
        let saved = dongbo_store::programs::save_with_assignments(
            &app.db,
            &imported.program,
            &source,
            dongbo_store::Assigning::new(&directory),
        )
        .await
        .unwrap()
        .program;
        assert!(
            matches!(saved, dongbo_store::SaveOutcome::Updated { .. }),
            "{saved:?}"
        );
        let after = viewer.text(&format!("{path}?on=2025-06-01")).await;
        assert!(after.contains(renamed), "the new title on {}", app.backend);
    }
}

#[tokio::test]
async fn coordinators_remind_agencies_override_progress_and_admins_read_the_audit_log() {
    for app in apps().await {
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        app.user("quan.tri", "admin", "CP", false).await;
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;

        // A manual reminder from the dashboard reaches the agency's notices.
        let mut coordinator = app.logged_in("dieu.phoi").await;
        let dashboard = format!("/programs/{}/dashboard", app.program_id);
        let page = coordinator.text(&dashboard).await;
        assert!(page.contains("id=\"remind-form\""));
        // The ticks have a heading, and nothing is ticked until the coordinator chooses: all,
        // those with overdue work, or none.
        assert!(page.contains("id=\"remind-heading\""), "on {}", app.backend);
        // The agency boxes whose tag says `checked`.
        let ticked = |page: &str| {
            page.split("form=\"remind-form\" name=\"agency\"")
                .skip(1)
                .filter(|rest| rest[..rest.find('>').unwrap()].contains("checked"))
                .count()
        };
        let rows = page.matches("form=\"remind-form\" name=\"agency\"").count();
        assert!(rows > 1, "on {}", app.backend);
        assert_eq!(
            ticked(&page),
            0,
            "nothing ticked at first on {}",
            app.backend
        );
        let all = coordinator.text(&format!("{dashboard}?remind=all")).await;
        assert_eq!(ticked(&all), rows, "all on {}", app.backend);
        let overdue = coordinator
            .text(&format!("{dashboard}?remind=overdue"))
            .await;
        assert!(
            (1..=rows).contains(&ticked(&overdue)),
            "those with overdue work on {}",
            app.backend
        );
        let reminders = format!("/programs/{}/reminders", app.program_id);
        let response = coordinator
            .post(
                &reminders,
                &[
                    ("agency", "BVHTTDL"),
                    ("message", "Đề nghị gửi báo cáo trước ngày 14"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        // The reminder runner `dongbo serve` keeps going turns the queued reminder into the
        // agency's notices (and, with an SMTP server, its e-mail digest).
        dongbo_remind::Runner::new(app.db.clone(), dongbo_remind::RemindConfig::default())
            .with_done_source(dongbo_remind::AcceptedReports)
            .drain()
            .await
            .unwrap();
        let mut leader = app.logged_in("lanh.dao").await;
        let my = leader.text("/my").await;
        assert!(my.contains("id=\"notices-BVHTTDL\""), "on {}", app.backend);
        assert!(my.contains("Đề nghị gửi báo cáo trước ngày 14"));
        // A reporter may not send reminders.
        let mut reporter = app.logged_in("bao.cao").await;
        let response = reporter
            .post(&reminders, &[("agency", "BNG"), ("message", "x")])
            .await;
        assert_eq!(response.status(), 403);

        // The leader overrides the progress of the agency's assignment, with a reason.
        let task = format!("/programs/{}/tasks/3.4", app.program_id);
        let page = leader.text(&task).await;
        let assignment = app.lead_of(app.program_id, "3.4", "BVHTTDL").await;
        assert!(page.contains(&format!("action=\"/assignments/{assignment}/progress\"")));
        let response = leader
            .post(
                &format!("/assignments/{assignment}/progress"),
                &[("progress", "70"), ("reason", "Theo báo cáo giao ban")],
            )
            .await;
        assert_eq!(response.status(), 303);
        let page = leader.text(&task).await;
        assert!(page.contains("Theo báo cáo giao ban"));
        let response = reporter
            .post(
                &format!("/assignments/{assignment}/progress"),
                &[("progress", "100"), ("reason", "x")],
            )
            .await;
        assert_eq!(response.status(), 403, "a reporter does not override");

        // The admin reads the audit log, with the override in it, and exports it.
        assert_eq!(coordinator.get("/admin/audit").await.status(), 403);
        let mut admin = app.logged_in("quan.tri").await;
        let log = admin.text("/admin/audit").await;
        assert!(log.contains("Chuỗi băm toàn vẹn"), "the chain holds");
        assert!(log.contains("assignment.override_progress"));
        let csv = admin.get("/admin/audit.csv").await;
        assert_eq!(csv.status(), 200);
        assert!(
            csv.text()
                .await
                .unwrap()
                .contains("assignment.override_progress")
        );
    }
}

/// Near a deadline an agency gets dozens of automatic reminders; a coordinator's message sent
/// before them still heads its notices, and the list says how many more there are.
#[tokio::test]
async fn a_coordinators_message_is_not_pushed_off_my_work_by_automatic_reminders() {
    use dongbo_store::notifications::{NewNotification, notify, notify_many};
    for app in apps().await {
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        let now = dongbo_domain::clock::now();
        let notice = |kind: &str, title: String, key: String| NewNotification {
            agency_code: "BVHTTDL".to_owned(),
            user_id: None,
            kind: kind.to_owned(),
            title,
            body: String::new(),
            link: None,
            dedupe_key: key,
        };
        notify(
            &app.db,
            &notice(
                "manual",
                "Đề nghị gửi báo cáo năm trước ngày 14/12".to_owned(),
                "manual-1".to_owned(),
            ),
            now,
        )
        .await
        .unwrap();
        let automatic: Vec<NewNotification> = (0..30)
            .map(|i| {
                notice(
                    "due_soon",
                    format!("Nhiệm vụ T{i} sắp đến hạn"),
                    format!("due-{i}"),
                )
            })
            .collect();
        notify_many(&app.db, &automatic, now).await.unwrap();

        let mut leader = app.logged_in("lanh.dao").await;
        let my = leader.text("/my").await;
        let message = my.find("Đề nghị gửi báo cáo năm trước ngày 14/12");
        let first_automatic = my.find("sắp đến hạn");
        assert!(
            message.is_some() && message < first_automatic,
            "the message heads the notices on {}",
            app.backend
        );
        assert!(my.contains("… và 11 thông báo khác."), "on {}", app.backend);
    }
}

/// The `<main>` of a page: what the dashboard shares between viewers, without the site's frame.
fn main_of(page: &str) -> &str {
    let start = page.find("<main>").expect("a <main>");
    let end = page.find("</main>").expect("a </main>");
    &page[start..end]
}

/// Viewers who may not send reminders share one rendering of a dashboard version, yet each
/// gets their own frame (name, CSRF token) and language, and every write is shown at once; a
/// coordinator's page, with the reminder form and its token, is their own.
#[tokio::test]
async fn viewers_share_one_rendering_of_a_dashboard_version_and_see_each_write_at_once() {
    use dongbo_store::reports::{self, ReportPeriod};
    for app in apps().await {
        app.user("xem", "viewer", "BNG", false).await;
        app.user("doc", "viewer", "BVHTTDL", false).await;
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        let path = format!("/programs/{}/dashboard", app.program_id);
        let mut first = app.logged_in("xem").await;
        let mut second = app.logged_in("doc").await;
        let mut coordinator = app.logged_in("dieu.phoi").await;

        let a = first.text(&path).await;
        let b = second.text(&path).await;
        assert_eq!(main_of(&a), main_of(&b), "one rendering on {}", app.backend);
        assert!(a.contains("Cán bộ xem") && !a.contains("Cán bộ doc"));
        assert!(b.contains("Cán bộ doc") && !b.contains("Cán bộ xem"));
        let (token_a, token_b) = (
            hidden_value(&a, "csrf").unwrap(),
            hidden_value(&b, "csrf").unwrap(),
        );
        assert_ne!(token_a, token_b);
        assert!(!a.contains("id=\"remind-form\"") && !b.contains("id=\"remind-form\""));
        let c = coordinator.text(&path).await;
        assert!(c.contains("id=\"remind-form\""));
        assert!(!c.contains(&token_a) && !c.contains(&token_b));
        let token_c = hidden_value(&c, "csrf").unwrap();
        assert_eq!(
            c.matches(&token_c).count(),
            2,
            "the logout and reminder forms"
        );
        let english = first.text(&format!("{path}?lang=en")).await;
        assert_ne!(main_of(&english), main_of(&a));
        assert!(main_of(&english).contains("Dashboard"));
        // The language is kept for the session: back to Vietnamese.
        let vietnamese = first.text(&format!("{path}?lang=vi")).await;
        assert_eq!(main_of(&vietnamese), main_of(&a));

        // 2.1 (due 31/12/2024) reported done and accepted: every viewer sees it at once.
        let done = "data-task=\"2.1\" data-state=\"done";
        assert!(!a.contains(done), "{}", app.backend);
        let assignment = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        let (report, version) = app
            .submitted(
                assignment,
                ReportPeriod::Once,
                100,
                "Đã hoàn thành",
                "fixture",
            )
            .await;
        reports::accept(&app.db, report, version, "fixture", None)
            .await
            .unwrap();
        let a = first.text(&path).await;
        let b = second.text(&path).await;
        assert!(a.contains(done), "shown done at once on {}", app.backend);
        assert_eq!(main_of(&a), main_of(&b));
        assert!(coordinator.text(&path).await.contains(done));
    }
}
