//! Logging in, the first password, CSRF, permissions by role and subtree, and the cascade of
//! plans, over real HTTP on every backend.

mod common;

use common::{PASSWORD, apps, hidden_value, location};
use dongbo_store::{assignments, plans};

#[tokio::test]
async fn a_wrong_password_keeps_the_username_and_says_what_is_wrong() {
    for app in apps().await {
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        let mut browser = app.browser();
        let response = browser.login("bao.cao", "not the password").await;
        assert_eq!(response.status(), 401, "on {}", app.backend);
        let page = response.text().await.unwrap();
        assert!(page.contains("Sai tên đăng nhập hoặc mật khẩu."));
        assert!(page.contains("value=\"bao.cao\""), "the username is kept");

        // Without the login form's cookie, a login is refused.
        let mut stranger = app.browser();
        let response = stranger
            .post_raw(
                "/login",
                &[
                    ("csrf", "forged"),
                    ("username", "bao.cao"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status(), 403);
        assert!(!stranger.cookies.iter().any(|(n, _)| n == "dongbo_session"));
    }
}

#[tokio::test]
async fn a_session_cookie_is_http_only_and_lax_and_logging_out_ends_it() {
    for app in apps().await {
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        let mut browser = app.browser();
        let page = browser.text("/login").await;
        let csrf = hidden_value(&page, "csrf").unwrap();
        let response = browser
            .post_raw(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("next", "/programs/1"),
                    ("username", "Lanh.Dao"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        assert_eq!(
            location(&response),
            "/programs/1",
            "back where the user was"
        );
        let cookie = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("dongbo_session="))
            .unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));

        let my = browser.text("/my").await;
        assert!(my.contains("Công việc của tôi"));
        assert!(my.contains("Cán bộ lanh.dao"));

        let response = browser.post("/logout", &[]).await;
        assert_eq!(response.status(), 303);
        let response = browser.get("/my").await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/login?next=/my");
    }
}

#[tokio::test]
async fn a_first_password_must_be_changed_before_anything_else() {
    for app in apps().await {
        app.user("moi", "reporter", "BNG", true).await;
        let mut browser = app.browser();
        let response = browser.login("moi", PASSWORD).await;
        assert_eq!(location(&response), "/account/password");
        let response = browser.get("/my").await;
        assert_eq!(location(&response), "/account/password", "every page waits");

        let page = browser.text("/account/password").await;
        let csrf = hidden_value(&page, "csrf").unwrap();
        let old_cookies = browser.cookies.clone();
        let response = browser
            .post_raw(
                "/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", PASSWORD),
                    ("new", "ngan"),
                    ("confirm", "khac"),
                ],
            )
            .await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains("class=\"field-error\""));
        assert!(page.contains("Hai mật khẩu mới không giống nhau."));

        let new = "Đồng bộ nhanh chóng 2025";
        let response = browser
            .post_raw(
                "/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", PASSWORD),
                    ("new", new),
                    ("confirm", new),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/my");
        assert_eq!(browser.get("/my").await.status(), 200, "a new session");

        // The old session ended with the password change.
        let mut old = app.browser();
        old.cookies = old_cookies;
        assert_eq!(old.get("/my").await.status(), 303);
    }
}

#[tokio::test]
async fn posts_without_the_csrf_token_are_refused_and_change_nothing() {
    for app in apps().await {
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        let mut browser = app.logged_in("lanh.dao").await;
        let program = app.program_id.to_string();
        let response = browser
            .post_raw("/agencies/BVHTTDL/plans", &[("program_id", &program)])
            .await;
        assert_eq!(response.status(), 403, "on {}", app.backend);
        let response = browser
            .post_raw(
                "/agencies/BVHTTDL/plans",
                &[("csrf", "wrong"), ("program_id", &program)],
            )
            .await;
        assert_eq!(response.status(), 403);
        assert_eq!(
            plans::find(&app.db, app.program_id, "BVHTTDL")
                .await
                .unwrap(),
            None
        );
        let response = browser
            .post("/agencies/BVHTTDL/plans", &[("program_id", &program)])
            .await;
        assert_eq!(response.status(), 303);
        assert!(
            plans::find(&app.db, app.program_id, "BVHTTDL")
                .await
                .unwrap()
                .is_some()
        );
    }
}

#[tokio::test]
async fn roles_and_subtrees_decide_who_may_plan_and_refusals_change_nothing() {
    for app in apps().await {
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        app.user("ngoai.giao", "approver", "BNG", false).await;
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        let program = app.program_id.to_string();

        // Not logged in: sent to the login page.
        let mut anonymous = app.browser();
        let response = anonymous
            .post_raw("/agencies/BVHTTDL/plans", &[("program_id", &program)])
            .await;
        assert_eq!(response.status(), 303);
        assert!(location(&response).starts_with("/login?next="));

        // A viewer does not write the plan; an approver of another ministry neither.
        app.user("xem", "viewer", "BVHTTDL", false).await;
        for user in ["xem", "ngoai.giao"] {
            let mut browser = app.logged_in(user).await;
            let response = browser
                .post("/agencies/BVHTTDL/plans", &[("program_id", &program)])
                .await;
            assert_eq!(response.status(), 403, "{user} on {}", app.backend);
        }
        assert_eq!(
            plans::find(&app.db, app.program_id, "BVHTTDL")
                .await
                .unwrap(),
            None
        );

        let mut leader = app.logged_in("lanh.dao").await;
        let response = leader
            .post("/agencies/BVHTTDL/plans", &[("program_id", &program)])
            .await;
        assert_eq!(response.status(), 303);
        let plan = plans::find(&app.db, app.program_id, "BVHTTDL")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(location(&response), format!("/programs/{plan}"));

        // The other ministry cannot add tasks to it.
        let mut other = app.logged_in("ngoai.giao").await;
        let response = other
            .post(
                &format!("/plans/{plan}/tasks"),
                &[
                    ("parent_task_code", "3.4"),
                    ("title", "Không được phép"),
                    ("time_frame", "2025"),
                ],
            )
            .await;
        // Another agency's plan is not found to those who may not act for it (issue 17: ids
        // tell nothing of other agencies' records).
        assert_eq!(response.status(), 404);
        assert!(
            dongbo_store::tasks::get(&app.db, plan, "3.4.1")
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn an_agency_plans_its_work_adds_its_own_task_and_hands_it_to_a_unit() {
    for app in apps().await {
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        let mut leader = app.logged_in("lanh.dao").await;
        let my = leader.text("/my").await;
        assert!(my.contains("Bộ Văn hóa, Thể thao và Du lịch"));
        assert!(my.contains("Lập kế hoạch thực hiện"));
        assert!(my.contains("href=\"/programs/1/tasks/3.4\""));

        // The agency's page, kept by the server, gains the plan's tasks at once.
        let tasks_of = |agency: &serde_json::Value| agency["tasks"].as_array().unwrap().len();
        let before = tasks_of(&app.json("/api/v1/agencies/BVHTTDL").await);
        let program = app.program_id.to_string();
        let response = leader
            .post("/agencies/BVHTTDL/plans", &[("program_id", &program)])
            .await;
        let plan_path = location(&response);
        let after = tasks_of(&app.json("/api/v1/agencies/BVHTTDL").await);
        assert!(
            after > before,
            "{before} tasks before the plan, {after} after"
        );
        let plan_page = leader.text(&plan_path).await;
        assert!(plan_page.contains("Kế hoạch thực hiện"));
        assert!(plan_page.contains("id=\"plan-tools\""));
        // A visitor sees the plan but not its tools.
        assert!(!app.page(&plan_path).await.contains("id=\"plan-tools\""));

        let response = leader
            .post(
                &format!("{}/tasks", plan_path.replace("/programs/", "/plans/")),
                &[
                    ("parent_task_code", "3.4"),
                    ("title", "Tuần văn hóa <script>alert(1)</script>"),
                    ("expected_output", "Báo cáo kết quả"),
                    ("time_frame", "Quý IV/2025"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        let task_path = location(&response);
        assert!(task_path.ends_with("/tasks/3.4.1"), "{task_path}");
        let task_page = leader.text(&task_path).await;
        assert!(task_page.contains("Tuần văn hóa &lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(
            !task_page.contains("<script>alert(1)"),
            "user text is escaped"
        );
        assert!(task_page.contains("Cơ quan chưa có đơn vị"));

        let response = leader
            .post(
                "/agencies/BVHTTDL/units",
                &[
                    ("code", "htqt"),
                    ("name_vi", "Cục Hợp tác quốc tế"),
                    ("name_en", ""),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        let response = leader
            .post(
                &format!("{}/units", task_path.replace("/programs/", "/plans/")),
                &[("unit_code", "BVHTTDL/HTQT"), ("due_on", "2025-12-15")],
            )
            .await;
        assert_eq!(response.status(), 303);
        let plan_id: i64 = plan_path.trim_start_matches("/programs/").parse().unwrap();
        let handed = assignments::for_task(&app.db, plan_id, "3.4.1")
            .await
            .unwrap();
        let unit = handed
            .iter()
            .find(|a| a.agency_code == "BVHTTDL/HTQT")
            .expect("the unit has the task");
        assert_eq!(unit.due_on, chrono::NaiveDate::from_ymd_opt(2025, 12, 15));
        let task_page = leader.text(&task_path).await;
        assert!(task_page.contains("Cục Hợp tác quốc tế"));

        // A bad date is refused and changes nothing.
        let response = leader
            .post(
                &format!("{}/units", task_path.replace("/programs/", "/plans/")),
                &[("unit_code", "BVHTTDL/HTQT"), ("due_on", "15/12/2025")],
            )
            .await;
        assert_eq!(response.status(), 422);
    }
}

#[tokio::test]
async fn the_coordinator_chooses_the_members_of_an_open_set() {
    for app in apps().await {
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        // 5.7: "Bộ Ngoại giao, Bộ Nội vụ và các bộ, ngành liên quan" coordinate.
        let pending = assignments::pending_for_task(&app.db, app.program_id, "5.7")
            .await
            .unwrap();
        let path = format!("/open-sets/{}", pending[0].id);
        let task = format!("/programs/{}/tasks/5.7", app.program_id);

        let mut leader = app.logged_in("lanh.dao").await;
        assert!(
            !leader
                .text(&task)
                .await
                .contains(&format!("action=\"{path}\""))
        );
        let response = leader.post(&path, &[("agency", "BTC")]).await;
        assert_eq!(response.status(), 403, "on {}", app.backend);

        let mut coordinator = app.logged_in("dieu.phoi").await;
        assert!(
            coordinator
                .text(&task)
                .await
                .contains(&format!("action=\"{path}\""))
        );
        let response = coordinator.post(&path, &[]).await;
        assert_eq!(response.status(), 422, "nothing chosen");
        let response = coordinator
            .post(&path, &[("agency", "BTC"), ("agency", "BYT")])
            .await;
        assert_eq!(response.status(), 303);
        let assigned: Vec<String> = assignments::for_task(&app.db, app.program_id, "5.7")
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.agency_code)
            .collect();
        assert!(assigned.contains(&"BTC".to_owned()) && assigned.contains(&"BYT".to_owned()));
        let page = coordinator.text(&task).await;
        assert!(page.contains("đã chọn"));
    }
}

#[tokio::test]
async fn choosing_only_agencies_already_assigned_still_closes_the_set_on_the_task_page() {
    for app in apps().await {
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        // 5.7's coordinators: "Bộ Ngoại giao, Bộ Nội vụ và các bộ, ngành liên quan". The
        // Ministry of Foreign Affairs is already assigned by name.
        let pending = assignments::pending_for_task(&app.db, app.program_id, "5.7")
            .await
            .unwrap();
        let path = format!("/open-sets/{}", pending[0].id);
        let task = format!("/programs/{}/tasks/5.7", app.program_id);
        let mut coordinator = app.logged_in("dieu.phoi").await;
        let before = coordinator.text(&task).await;
        assert!(
            before.contains(&format!("action=\"{path}\"")),
            "on {}",
            app.backend
        );

        let response = coordinator.post(&path, &[("agency", "BNG")]).await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        // No assignment was added, but the set stopped waiting and the ministry's assignment
        // now also comes through it: the page the server keeps shows both at once.
        let page = coordinator.text(&task).await;
        assert!(page.contains("đã chọn"), "on {}", app.backend);
        let origins = assignments::for_task(&app.db, app.program_id, "5.7")
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.agency_code == "BNG" && a.role == dongbo_domain::Role::Coordinating)
            .unwrap()
            .origins;
        assert!(origins.iter().any(|o| o.via_set.is_some()), "{origins:?}");
        let api = app
            .json(&format!("/api/v1/programs/{}/tasks/5.7", app.program_id))
            .await;
        assert_eq!(api["open_sets"][0]["chosen"], true, "on {}", app.backend);
    }
}
