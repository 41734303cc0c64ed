//! Change requests over real HTTP on every backend: a ministry proposes, the coordinator
//! decides, the task page shows the result and its history.

mod common;

use common::{TestApp, apps, location};
use dongbo_domain::Role;
use dongbo_store::changes::{self, ChangeStatus};
use dongbo_store::{assignments, tasks};

/// A task `agency` leads in 47/NQ-CP that `other` is not assigned to.
async fn task_led_by(app: &TestApp, agency: &str, other: &str) -> String {
    let all = assignments::for_program(&app.db, app.program_id)
        .await
        .unwrap();
    all.iter()
        .filter(|a| a.agency_code == agency && a.role == Role::Lead)
        .map(|a| a.task_code.clone())
        .find(|code| {
            !all.iter()
                .any(|a| a.task_code == *code && a.agency_code == other)
        })
        .expect("a task the agency leads alone of the two")
}

async fn pending_ids(app: &TestApp) -> Vec<i64> {
    changes::for_program(&app.db, app.program_id, Some(ChangeStatus::Pending))
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect()
}

#[tokio::test]
async fn a_ministry_proposes_a_retime_the_coordinator_approves_it_and_the_task_shows_it() {
    for app in apps().await {
        let program = app.program_id;
        let code = task_led_by(&app, "BVHTTDL", "BNG").await;
        let task_path = format!("/programs/{program}/tasks/{code}");
        let propose_path = format!("{task_path}/changes");
        app.user("bvh.lanh.dao", "approver", "BVHTTDL", false).await;
        app.user("bvh.xem", "viewer", "BVHTTDL", false).await;
        app.user("bng.lanh.dao", "approver", "BNG", false).await;
        app.user("cp.dieu.phoi", "coordinator", "CP", false).await;
        let retime = [
            ("kind", "retime"),
            ("agency", "BVHTTDL"),
            ("time_frame", "Quý IV/2027"),
            ("reason", "Cần thêm thời gian để hoàn thiện cơ sở dữ liệu"),
        ];

        // The approver of the lead ministry sees the form; a viewer does not.
        let mut approver = app.logged_in("bvh.lanh.dao").await;
        let page = approver.text(&task_path).await;
        assert!(
            page.contains("Đề xuất điều chỉnh nhiệm vụ"),
            "on {}",
            app.backend
        );
        assert!(page.contains("id=\"propose-change\""));
        let mut reporter = app.logged_in("bvh.xem").await;
        assert!(
            !reporter
                .text(&task_path)
                .await
                .contains("id=\"propose-change\"")
        );

        // A viewer, another ministry and a request without its CSRF token are refused.
        let response = reporter.post(&propose_path, &retime).await;
        assert_eq!(response.status(), 403, "a viewer on {}", app.backend);
        let mut other = app.logged_in("bng.lanh.dao").await;
        let response = other.post(&propose_path, &retime).await;
        assert_eq!(
            response.status(),
            403,
            "another ministry on {}",
            app.backend
        );
        let response = other
            .post(
                &propose_path,
                &[
                    ("kind", "retime"),
                    ("agency", "BNG"),
                    ("time_frame", "2027"),
                    ("reason", "x"),
                ],
            )
            .await;
        assert_eq!(response.status(), 403, "naming an agency not assigned");
        let response = approver.post_raw(&propose_path, &retime).await;
        assert_eq!(response.status(), 403, "no CSRF token on {}", app.backend);
        assert!(pending_ids(&app).await.is_empty());

        // A time frame that does not parse: 422, the typed values kept, the field marked.
        let response = approver
            .post(
                &propose_path,
                &[
                    ("kind", "retime"),
                    ("agency", "BVHTTDL"),
                    ("time_frame", "khi nào xong"),
                    ("reason", "Lý do đã gõ"),
                ],
            )
            .await;
        assert_eq!(response.status(), 422, "on {}", app.backend);
        let page = response.text().await.unwrap();
        assert!(page.contains("class=\"field-error\""));
        assert!(page.contains("Không hiểu thời gian này"));
        assert!(page.contains("value=\"khi nào xong\""));
        assert!(page.contains("Lý do đã gõ"));
        assert!(pending_ids(&app).await.is_empty());

        let response = approver.post(&propose_path, &retime).await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        assert_eq!(location(&response), format!("{task_path}#changes"));
        let ids = pending_ids(&app).await;
        assert_eq!(ids.len(), 1);
        let request = ids[0];
        let decision_path = format!("/programs/{program}/changes/{request}/decision");

        // Only the coordinator decides.
        let page = approver.text(&format!("/programs/{program}/changes")).await;
        assert!(page.contains(&format!("id=\"request-{request}\"")));
        assert!(!page.contains(&format!("id=\"decide-{request}\"")));
        let response = approver
            .post(&decision_path, &[("decision", "approve"), ("note", "")])
            .await;
        assert_eq!(response.status(), 403, "an approver does not decide");

        let mut coordinator = app.logged_in("cp.dieu.phoi").await;
        let page = coordinator
            .text(&format!("/programs/{program}/changes"))
            .await;
        assert!(page.contains(&format!("id=\"decide-{request}\"")));
        let response = coordinator
            .post_raw(&decision_path, &[("decision", "approve"), ("note", "")])
            .await;
        assert_eq!(response.status(), 403, "no CSRF token");
        let response = coordinator
            .post(
                &decision_path,
                &[("decision", "approve"), ("note", "Đồng ý điều chỉnh")],
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        let task = tasks::get(&app.db, program, &code).await.unwrap().unwrap();
        assert_eq!(task.time_frame.text, "Quý IV/2027");

        // Deciding again is refused: the request is no longer pending.
        let response = coordinator
            .post(&decision_path, &[("decision", "reject"), ("note", "Muộn")])
            .await;
        assert_eq!(response.status(), 422, "on {}", app.backend);

        // A second request shows on the task's page as soon as it is made, and its rejection
        // as soon as it is decided (the page was read, and kept, before each).
        approver.text(&task_path).await;
        let again = [
            ("kind", "retime"),
            ("agency", "BVHTTDL"),
            ("time_frame", "2028"),
            ("reason", "Lùi thêm một năm nữa"),
        ];
        let response = approver.post(&propose_path, &again).await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        let page = approver.text(&task_path).await;
        assert!(page.contains("Lùi thêm một năm nữa"), "on {}", app.backend);
        assert!(page.contains("Chờ quyết định"), "on {}", app.backend);
        let second = pending_ids(&app).await[0];
        let response = coordinator
            .post(
                &format!("/programs/{program}/changes/{second}/decision"),
                &[("decision", "reject"), ("note", "Không có căn cứ lùi tiếp")],
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        let page = approver.text(&task_path).await;
        assert!(
            page.contains("Không có căn cứ lùi tiếp"),
            "on {}",
            app.backend
        );
        assert!(!page.contains("Chờ quyết định"), "on {}", app.backend);

        // The task page shows the new time frame and its history, to anyone.
        let page = app.page(&task_path).await;
        assert!(page.contains("Quý IV/2027"));
        assert!(page.contains("id=\"task-history\""));
        assert!(page.contains("Đã chấp thuận"));
        assert!(page.contains("Đồng ý điều chỉnh"));
        assert!(page.contains("Cần thêm thời gian để hoàn thiện cơ sở dữ liệu"));
        let page = app.page(&format!("{task_path}?lang=en")).await;
        assert!(page.contains("History"));
        assert!(page.contains("Approved"));
        assert!(
            dongbo_store::audit::verify(&app.db)
                .await
                .unwrap()
                .is_intact()
        );
    }
}

#[tokio::test]
async fn a_new_task_is_proposed_on_the_program_page_and_a_rejection_needs_a_note() {
    for app in apps().await {
        let program = app.program_id;
        let changes_path = format!("/programs/{program}/changes");
        app.user("bvh.lanh.dao", "approver", "BVHTTDL", false).await;
        app.user("cp.dieu.phoi", "coordinator", "CP", false).await;
        let mut approver = app.logged_in("bvh.lanh.dao").await;
        let page = approver.text(&format!("/programs/{program}")).await;
        assert!(page.contains(&format!("href=\"{changes_path}\"")));
        let page = approver.text(&changes_path).await;
        assert!(page.contains("id=\"propose-add\""), "on {}", app.backend);

        // No title: 422 with the typed values kept.
        let response = approver
            .post(
                &changes_path,
                &[
                    ("kind", "add"),
                    ("agency", "BVHTTDL"),
                    ("group", "3"),
                    ("title", ""),
                    ("time_frame", "2026"),
                    ("reason", "Nhiệm vụ mới theo chỉ đạo"),
                ],
            )
            .await;
        assert_eq!(response.status(), 422, "on {}", app.backend);
        let page = response.text().await.unwrap();
        assert!(page.contains("class=\"field-error\""));
        assert!(page.contains("Nhiệm vụ mới theo chỉ đạo"));
        assert!(pending_ids(&app).await.is_empty());

        let response = approver
            .post(
                &changes_path,
                &[
                    ("kind", "add"),
                    ("agency", "BVHTTDL"),
                    ("group", "3"),
                    ("title", "Quảng bá văn hóa Việt Nam trên nền tảng số"),
                    ("expected_output", "Chương trình quảng bá"),
                    ("time_frame", "2026"),
                    ("reason", "Nhiệm vụ mới theo chỉ đạo"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        let ids = pending_ids(&app).await;
        assert_eq!(ids.len(), 1);
        let request = ids[0];
        assert!(location(&response).ends_with(&format!("#request-{request}")));
        let decision_path = format!("/programs/{program}/changes/{request}/decision");

        let mut coordinator = app.logged_in("cp.dieu.phoi").await;
        let response = coordinator
            .post(&decision_path, &[("decision", "reject"), ("note", "  ")])
            .await;
        assert_eq!(response.status(), 422, "a rejection needs a note");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Cần nêu lý do từ chối.")
        );
        let response = coordinator
            .post(
                &decision_path,
                &[("decision", "reject"), ("note", "Đã có trong nhiệm vụ 3.4")],
            )
            .await;
        assert_eq!(response.status(), 303);
        let stored = changes::get(&app.db, request).await.unwrap().unwrap();
        assert_eq!(stored.status, ChangeStatus::Rejected);
        let page = app.page(&changes_path).await;
        assert!(page.contains("Đã có trong nhiệm vụ 3.4"));
        assert!(page.contains("Đã từ chối"));

        // The proposer withdraws a second proposal.
        let response = approver
            .post(
                &changes_path,
                &[
                    ("kind", "add"),
                    ("agency", "BVHTTDL"),
                    ("group", "3"),
                    ("title", "Nhiệm vụ thứ hai"),
                    ("time_frame", "2027"),
                    ("reason", "Thử lại"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        let second = pending_ids(&app).await[0];
        let response = approver
            .post(
                &format!("/programs/{program}/changes/{second}/withdraw"),
                &[],
            )
            .await;
        assert_eq!(response.status(), 303);
        let stored = changes::get(&app.db, second).await.unwrap().unwrap();
        assert_eq!(stored.status, ChangeStatus::Withdrawn);
    }
}
