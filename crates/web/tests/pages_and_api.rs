//! The pages and the JSON API over real HTTP, on every backend.

mod common;

use common::apps;

#[tokio::test]
async fn healthz_answers_ok() {
    for app in apps().await {
        assert_eq!(app.page("/healthz").await, "ok");
    }
}

#[tokio::test]
async fn program_page_shows_56_tasks_in_5_groups_with_agencies_and_time_frames() {
    for app in apps().await {
        let list = app.page("/").await;
        assert!(list.contains("47/NQ-CP"), "program list on {}", app.backend);
        assert!(list.contains("Chương trình hành động"));

        let page = app.page(&format!("/programs/{}", app.program_id)).await;
        assert_eq!(
            page.matches("<tr id=\"task-").count(),
            56,
            "on {}",
            app.backend
        );
        assert_eq!(page.matches("<section class=\"group\"").count(), 5);
        assert!(page.contains("Cơ quan chủ trì"));
        // 3.6's coordinators include the ministry whose name has a comma, as one link.
        assert!(page.contains("href=\"/agencies/BVHTTDL\">Bộ Văn hóa, Thể thao và Du lịch</a>"));
        assert!(
            !page.contains("class=\"unresolved\""),
            "no unresolved agency or time frame"
        );
        assert!(page.contains("ngày 15 tháng 4 năm 2024"));
    }
}

#[tokio::test]
async fn task_page_shows_an_ended_lead_with_its_successors() {
    for app in apps().await {
        let page = app
            .page(&format!("/programs/{}/tasks/2.7", app.program_id))
            .await;
        assert!(page.contains("Bộ Lao động - Thương binh và Xã hội"));
        assert!(
            page.contains("href=\"/agencies/BNV\""),
            "successor for labour shown"
        );
        let missing = app
            .get(&format!("/programs/{}/tasks/9.99", app.program_id))
            .await;
        assert_eq!(missing.status(), 404);
    }
}

#[tokio::test]
async fn agency_page_lists_tasks_named_directly_through_sets_and_through_a_predecessor() {
    for app in apps().await {
        let agency = app.json("/api/v1/agencies/BVHTTDL").await;
        let tasks = agency["tasks"].as_array().unwrap();
        let find = |code: &str, role: &str| {
            tasks
                .iter()
                .find(|t| t["task"]["code"] == code && t["role"] == role)
                .cloned()
        };
        let direct = find("3.4", "lead").expect("3.4 led by the culture ministry");
        assert_eq!(direct["via"]["kind"], "direct");
        let inherited = find("2.1", "lead").expect("2.1 led by Information and Communications");
        assert_eq!(inherited["via"]["kind"], "predecessor");
        assert_eq!(inherited["via"]["code"], "BTTTT");
        let through_set =
            find("1.1", "lead").expect("1.1 led by all ministries, sectors and localities");
        assert_eq!(through_set["via"]["kind"], "set");

        let page = app.page("/agencies/BVHTTDL").await;
        assert!(page.contains("Nhiệm vụ chủ trì"));
        assert!(page.contains("href=\"/agencies/BTTTT\""));

        // Where the facts come from, in the page's language.
        let vi = app.page("/agencies/BTTTT").await;
        assert!(
            vi.contains("Nghị quyết số 176/2025/QH15 (hợp nhất vào Khoa học và Công nghệ)"),
            "on {}",
            app.backend
        );
        assert!(
            !vi.contains("merged into"),
            "no English on the Vietnamese page"
        );
        let en = app.page("/agencies/BTTTT?lang=en").await;
        assert!(en.contains("Resolution 176/2025/QH15 (merged into Khoa học và Công nghệ)"));
    }
}

#[tokio::test]
async fn a_merged_province_answers_for_tasks_of_all_localities() {
    for app in apps().await {
        let agency = app.json("/api/v1/agencies/T-TUYEN-QUANG").await;
        let codes: Vec<&str> = agency["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["role"] == "lead")
            .map(|t| t["task"]["code"].as_str().unwrap())
            .collect();
        for code in ["1.1", "3.18", "3.20", "5.14"] {
            assert!(codes.contains(&code), "{code} in {codes:?}");
        }
        let absorbed = app.json("/api/v1/agencies/T-HA-GIANG").await;
        assert!(absorbed["valid_until"].is_string());
        assert_eq!(absorbed["successors"][0]["code"], "T-TUYEN-QUANG");
    }
}

#[tokio::test]
async fn search_ignores_diacritics_and_case() {
    for app in apps().await {
        let hits = app
            .json("/api/v1/search?q=MANG%20LUOI%20XU%20LY%20TIN%20GIA")
            .await;
        let codes: Vec<&str> = hits
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["task"]["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["4.4"], "on {}", app.backend);
        let page = app
            .page("/search?q=c%C6%A1%20s%E1%BB%9F%20d%E1%BB%AF%20li%E1%BB%87u")
            .await; // "cơ sở dữ liệu"
        assert!(page.contains("/tasks/5.2\""));
        let nothing = app.json("/api/v1/search?q=zzzzqqq").await;
        assert_eq!(nothing.as_array().unwrap().len(), 0);
    }
}

#[tokio::test]
async fn api_serves_programs_tasks_and_the_openapi_document() {
    for app in apps().await {
        let programs = app.json("/api/v1/programs").await;
        let p = programs
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["number"] == "47/NQ-CP")
            .expect("47 listed");
        assert_eq!(p["task_count"], 56);
        assert_eq!(p["group_count"], 5);

        let program = app
            .json(&format!("/api/v1/programs/{}", app.program_id))
            .await;
        let sizes: Vec<usize> = program["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["tasks"].as_array().unwrap().len())
            .collect();
        assert_eq!(sizes, [2, 13, 21, 5, 15]);
        assert_eq!(program["issued_on"], "2024-04-15");

        let task = app
            .json(&format!("/api/v1/programs/{}/tasks/5.2", app.program_id))
            .await;
        assert_eq!(task["time_frame"]["kind"], "by_year");
        assert_eq!(task["time_frame"]["due"], "2030-12-31");

        let openapi = app.json("/api/v1/openapi.json").await;
        assert!(openapi["openapi"].as_str().unwrap().starts_with("3."));
        for path in [
            "/api/v1/programs",
            "/api/v1/programs/{id}",
            "/api/v1/agencies/{code}",
            "/api/v1/search",
        ] {
            assert!(openapi["paths"][path].is_object(), "{path} documented");
        }
        assert_eq!(app.get("/api/v1/programs/999999").await.status(), 404);
    }
}

#[tokio::test]
async fn english_switch_is_remembered_in_a_cookie() {
    for app in apps().await {
        let response = app.get("/?lang=en").await;
        let cookie = response
            .headers()
            .get("set-cookie")
            .expect("cookie set")
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cookie.starts_with("lang=en"));
        let body = response.text().await.unwrap();
        assert!(body.contains("Action programs"));
        assert!(body.contains("<html lang=\"en\">"));

        let again = app
            .client
            .get(format!("{}/agencies", app.base))
            .header("cookie", "lang=en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(again.contains("Ministries"));
        let default = app.page("/agencies").await;
        assert!(default.contains("Cơ quan ngang bộ"));
    }
}

#[tokio::test]
async fn a_task_shows_its_assignments_with_where_each_came_from() {
    for app in apps().await {
        let task = app
            .json(&format!("/api/v1/programs/{}/tasks/2.1", app.program_id))
            .await;
        assert_eq!(
            task["code"], "2.1",
            "the task's own fields stay at the top level"
        );
        let assignments = task["assignments"].as_array().unwrap();
        let lead: Vec<&serde_json::Value> =
            assignments.iter().filter(|a| a["role"] == "lead").collect();
        assert_eq!(lead.len(), 1, "on {}", app.backend);
        assert_eq!(lead[0]["agency"]["code"], "BVHTTDL");
        assert_eq!(lead[0]["origins"][0]["original"]["code"], "BTTTT");
        assert_eq!(lead[0]["origins"][0]["succeeded"], true);
        let coordinating = assignments
            .iter()
            .filter(|a| a["role"] == "coordinating")
            .count();
        assert!(
            coordinating > 34,
            "every ministry and province coordinates 2.1"
        );

        let page = app
            .page(&format!("/programs/{}/tasks/2.1", app.program_id))
            .await;
        assert!(page.contains("<section id=\"assignments\">"));
        assert!(page.contains("data-agency=\"BVHTTDL\" data-role=\"lead\""));
        assert!(page.contains("kế nhiệm"));

        // 5.7 names an open set: it waits for the coordinator.
        let task = app
            .json(&format!("/api/v1/programs/{}/tasks/5.7", app.program_id))
            .await;
        assert_eq!(task["open_sets"][0]["set"]["code"], "bo-nganh-lien-quan");
        assert_eq!(task["open_sets"][0]["chosen"], false);
        let page = app
            .page(&format!("/programs/{}/tasks/5.7", app.program_id))
            .await;
        assert!(page.contains("chờ cơ quan điều phối chọn"));
    }
}

#[tokio::test]
async fn an_agency_lists_the_tasks_assigned_to_it_not_those_of_another_successor() {
    for app in apps().await {
        // Science and Technology took over Information and Communications, but not its
        // external information: 47/NQ-CP's tasks led by that ministry went to Culture.
        let science = app.json("/api/v1/agencies/BKHCN").await;
        let led: Vec<&str> = science["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["role"] == "lead")
            .map(|t| t["task"]["code"].as_str().unwrap())
            .collect();
        assert!(!led.contains(&"2.1"), "{led:?} on {}", app.backend);
        assert!(led.contains(&"1.1"), "all ministries lead 1.1");

        // The programs it has tasks in, and its tasks a page at a time.
        assert_eq!(science["programs"][0]["program_id"], app.program_id);
        let total = science["task_count"].as_u64().unwrap();
        assert_eq!(total as usize, science["tasks"].as_array().unwrap().len());
        let programs = &science["programs"][0];
        assert_eq!(
            programs["lead"].as_u64().unwrap() + programs["coordinating"].as_u64().unwrap(),
            total
        );
        let page = app.json("/api/v1/agencies/BKHCN?offset=1&limit=2").await;
        assert_eq!(page["task_count"], science["task_count"]);
        assert_eq!(page["tasks"].as_array().unwrap().len(), 2);
        assert_eq!(page["tasks"][0], science["tasks"][1]);
        let other = app
            .json(&format!(
                "/api/v1/agencies/BKHCN?program={}",
                app.program_id + 1000
            ))
            .await;
        assert!(other["tasks"].as_array().unwrap().is_empty());
        let response = app.get("/api/v1/agencies/BKHCN?limit=0").await;
        assert_eq!(response.status(), 422, "on {}", app.backend);

        // An ended agency still shows what documents named it for.
        let ended = app.json("/api/v1/agencies/BTTTT").await;
        let named: Vec<&str> = ended["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["task"]["code"].as_str().unwrap())
            .collect();
        assert!(named.contains(&"2.1"), "{named:?}");
    }
}

/// Imports `text` (Markdown) into the app's store and gives the new program's id.
async fn import_markdown(app: &common::TestApp, text: &str) -> i64 {
    let directory = dongbo_domain::Directory::bundled();
    let imported = dongbo_import::import(
        text.as_bytes(),
        "phu-luc.md",
        dongbo_import::Format::Markdown,
        &directory,
    )
    .unwrap();
    let source = dongbo_store::SourceInfo {
        file_name: "phu-luc.md".into(),
        format: imported.format.to_string(),
        sha256: imported.sha256.clone(),
    };
    match dongbo_store::programs::save_with_assignments(
        &app.db,
        &imported.program,
        &source,
        dongbo_store::Assigning::new(&directory),
    )
    .await
    .unwrap()
    .program
    {
        dongbo_store::SaveOutcome::Created { program_id } => program_id,
        other => panic!("expected a new program, got {other:?}"),
    }
}

#[tokio::test]
async fn pages_cite_the_documents_own_task_numbers_and_invent_no_group() {
    for app in apps().await {
        let straight = import_markdown(
            &app,
            "(Kèm theo Nghị quyết số 71/NQ-CP ngày 01 tháng 4 năm 2025 của Chính phủ)\n\n\
             | STT | Nhiệm vụ | Cơ quan chủ trì | Thời gian hoàn thành |\n|---|---|---|---|\n\
             | I | THỂ CHẾ | | |\n\
             | 1. | Rà soát văn bản | Bộ Tư pháp | Năm 2025 |\n\
             | II | NGUỒN LỰC | | |\n\
             | 2. | Bố trí kinh phí | Bộ Tài chính | Năm 2026 |\n",
        )
        .await;
        let page = app.page(&format!("/programs/{straight}")).await;
        assert!(page.contains("71/NQ-CP"), "on {}", app.backend);
        assert!(
            page.contains("<tr id=\"task-2\""),
            "task 2 keeps its number"
        );
        assert!(!page.contains("task-2.2"), "no group number in front");
        assert!(page.contains("II. NGUỒN LỰC"));
        let task = app.page(&format!("/programs/{straight}/tasks/2")).await;
        assert!(task.contains("Bố trí kinh phí"));

        let flat = import_markdown(
            &app,
            "# Kế hoạch 15/KH-UBND về thông tin đối ngoại\n\n\
             | STT | Nhiệm vụ | Cơ quan chủ trì | Thời gian hoàn thành |\n|---|---|---|---|\n\
             | 1 | Cập nhật trang thông tin đối ngoại | Bộ Ngoại giao | Năm 2025 |\n\
             | 2 | Tổ chức hội nghị | Bộ Ngoại giao | Năm 2025 |\n",
        )
        .await;
        let page = app.page(&format!("/programs/{flat}")).await;
        assert_eq!(
            page.matches("<tr id=\"task-").count(),
            2,
            "on {}",
            app.backend
        );
        assert_eq!(page.matches("<section class=\"group\"").count(), 1);
        assert!(!page.contains("0. "), "no invented group 0");
        assert!(page.contains("<h2>Nhiệm vụ</h2>"));
    }
}
