//! Re-importing a program's document on its page, over real HTTP on every backend: the
//! preview lists each conflict with an approved change request, with a box to take the file's
//! value; only the ticked conflicts are overridden (and audited), the others keep the approved
//! change; only who may decide the program's change requests may re-import it.

mod common;

use common::{Browser, TestApp, apps, hidden_value, location};
use dongbo_domain::Directory;
use dongbo_store::changes::{self, ChangeKind, NewChange, Proposal};
use dongbo_store::{audit, tasks};

const DECISION: &str = "Quyết định số 12/QĐ-BVHTTDL";
const AMENDED: &str = "Quán triệt Chương trình hành động (đã điều chỉnh)";

/// Approves a retime of 3.21 and an amend of 1.1's title, as the coordinator would.
async fn approve_changes(app: &TestApp) {
    let directory = Directory::bundled();
    let proposals = [
        (
            "3.21",
            ChangeKind::Retime,
            Proposal {
                time_frame: Some("Quý II/2027".into()),
                ..Proposal::default()
            },
        ),
        (
            "1.1",
            ChangeKind::Amend,
            Proposal {
                title: Some(AMENDED.into()),
                ..Proposal::default()
            },
        ),
    ];
    for (code, kind, proposal) in proposals {
        let id = changes::propose(
            &app.db,
            &NewChange {
                program_id: app.program_id,
                task_code: Some(code.to_owned()),
                kind,
                proposed_by_agency: "BNG".to_owned(),
                proposed_by: "bng.lanh.dao".to_owned(),
                reason: "Điều chỉnh theo tình hình thực tế".to_owned(),
                proposal,
            },
        )
        .await
        .unwrap();
        changes::approve(&app.db, id, "cp.dieu.phoi", DECISION, &directory)
            .await
            .unwrap();
    }
}

async fn overrides(app: &TestApp) -> Vec<audit::AuditRecord> {
    audit::list(
        &app.db,
        &audit::AuditFilter {
            action: Some("program.reimport_override".to_owned()),
            ..audit::AuditFilter::default()
        },
        100,
        0,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn the_import_page_shows_each_conflict_and_overrides_only_the_ticked_ones() {
    for app in apps().await {
        let program = app.program_id;
        let page_path = format!("/programs/{program}/import");
        app.user("cp.dieu.phoi", "coordinator", "CP", false).await;
        app.user("bng.lanh.dao", "approver", "BNG", false).await;
        let original = |code: &str| {
            let db = app.db.clone();
            let code = code.to_owned();
            async move { tasks::get(&db, program, &code).await.unwrap().unwrap() }
        };
        let file_time_frame = original("3.21").await.time_frame;
        let file_title = original("1.1").await.title;
        approve_changes(&app).await;

        // Who may not decide the program's change requests may not re-import it either.
        let mut approver = app.logged_in("bng.lanh.dao").await;
        assert_eq!(
            approver.get(&page_path).await.status(),
            403,
            "on {}",
            app.backend
        );

        let mut coordinator = app.logged_in("cp.dieu.phoi").await;
        let changes_page = coordinator
            .text(&format!("/programs/{program}/changes"))
            .await;
        assert!(changes_page.contains(&format!("href=\"{page_path}\"")));
        let form = coordinator.text(&page_path).await;
        let choose = Browser::form_action(&form, "reimport-choose");
        let response = coordinator
            .post_multipart(
                &choose,
                &[("step", "preview")],
                Some((
                    "47-NQ-CP.txt",
                    "text/plain",
                    dongbo_testkit::programs::RESOLUTION_47,
                )),
            )
            .await;
        assert_eq!(response.status(), 200, "on {}", app.backend);
        let preview = response.text().await.unwrap();
        // Each conflict: both values, the decision and a box of its own.
        for key in ["1.1#title", "3.21#time_frame"] {
            assert!(
                preview.contains(&format!("data-conflict=\"{key}\"")),
                "{key} on {}",
                app.backend
            );
            assert!(preview.contains(&format!("name=\"take_file\" value=\"{key}\"")));
        }
        assert!(preview.contains("Quý II/2027") && preview.contains(&file_time_frame.text));
        assert!(preview.contains(AMENDED) && preview.contains(&file_title));
        assert!(preview.contains(DECISION));
        // Previewing writes nothing.
        assert_eq!(original("3.21").await.time_frame.text, "Quý II/2027");

        // Take the file's time frame for 3.21; keep the approved title of 1.1.
        let apply = Browser::form_action(&preview, "reimport-apply");
        let content = hidden_value(&preview, "content").expect("the file carried back");
        let response = coordinator
            .post_multipart(
                &apply,
                &[
                    ("step", "import"),
                    ("file_name", "47-NQ-CP.txt"),
                    ("content", &content),
                    ("take_file", "3.21#time_frame"),
                ],
                None,
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        assert_eq!(location(&response), format!("/programs/{program}"));
        assert_eq!(original("3.21").await.time_frame, file_time_frame);
        assert_eq!(original("1.1").await.title, AMENDED);
        let entries = overrides(&app).await;
        assert_eq!(entries.len(), 1, "on {}", app.backend);
        assert_eq!(entries[0].actor, "cp.dieu.phoi");
        let before = entries[0].before_json.as_deref().unwrap();
        assert!(
            before.contains("\"task_code\":\"3.21\"")
                && before.contains("\"field\":\"time_frame\""),
            "{before}"
        );

        // The approver can neither preview nor import; nothing changes.
        let approver_csrf = hidden_value(&approver.text("/my").await, "csrf").unwrap();
        let approver_action = format!("{page_path}?csrf={approver_csrf}");
        let response = approver
            .post_multipart(
                &approver_action,
                &[
                    ("step", "import"),
                    ("file_name", "47-NQ-CP.txt"),
                    ("content", &content),
                    ("take_file", "1.1#title"),
                ],
                None,
            )
            .await;
        assert_eq!(response.status(), 403, "on {}", app.backend);
        assert_eq!(original("1.1").await.title, AMENDED);
        assert_eq!(overrides(&app).await.len(), 1);
    }
}

#[tokio::test]
async fn the_import_page_refuses_another_programs_file_and_changes_nothing() {
    for app in apps().await {
        let program = app.program_id;
        app.user("cp.dieu.phoi", "coordinator", "CP", false).await;
        let mut coordinator = app.logged_in("cp.dieu.phoi").await;
        let page_path = format!("/programs/{program}/import");
        let form = coordinator.text(&page_path).await;
        let choose = Browser::form_action(&form, "reimport-choose");
        let other = "# Kế hoạch số 12/KH-UBND\n\n| STT | Tên nhiệm vụ | Cơ quan chủ trì | Thời gian thực hiện |\n|---|---|---|---|\n| I | Tuyên truyền | | |\n| 1 | Phổ biến Nghị quyết | Bộ Ngoại giao | 2025 |\n";
        let before = dongbo_store::programs::get(&app.db, program).await.unwrap();
        let response = coordinator
            .post_multipart(
                &choose,
                &[("step", "import")],
                Some(("ke-hoach.md", "text/markdown", other.as_bytes())),
            )
            .await;
        assert_eq!(response.status(), 422, "on {}", app.backend);
        let page = response.text().await.unwrap();
        assert!(
            page.contains("Tệp là văn bản số 12/KH-UBND, không phải văn bản số 47/NQ-CP"),
            "{page}"
        );
        assert_eq!(
            dongbo_store::programs::get(&app.db, program).await.unwrap(),
            before
        );
        assert_eq!(
            dongbo_store::programs::find_by_number(&app.db, "12/KH-UBND")
                .await
                .unwrap(),
            None
        );
    }
}

#[tokio::test]
async fn a_corrected_draft_that_leaves_the_number_blank_is_read_as_the_programs_document() {
    for app in apps().await {
        let program = app.program_id;
        app.user("cp.dieu.phoi", "coordinator", "CP", false).await;
        let mut coordinator = app.logged_in("cp.dieu.phoi").await;
        let form = coordinator
            .text(&format!("/programs/{program}/import"))
            .await;
        let choose = Browser::form_action(&form, "reimport-choose");
        // The appendix alone, as a draft: its host line leaves the number blank.
        let draft = "PHỤ LỤC\n\
            CHƯƠNG TRÌNH HÀNH ĐỘNG THỰC HIỆN KẾT LUẬN SỐ 57-KL/TW\n\
            (Kèm theo Nghị quyết số     /NQ-CP ngày    tháng    năm 2024 của Chính phủ)\n\n\
            | STT | Tên nhiệm vụ | Cơ quan chủ trì | Thời gian thực hiện |\n|---|---|---|---|\n\
            | I | Tuyên truyền | | |\n\
            | 1.1 | Phổ biến Nghị quyết | Bộ Ngoại giao | 2025 |\n";
        let before = dongbo_store::programs::get(&app.db, program).await.unwrap();
        let response = coordinator
            .post_multipart(
                &choose,
                &[("step", "preview")],
                Some(("du-thao.md", "text/markdown", draft.as_bytes())),
            )
            .await;
        assert_eq!(response.status(), 200, "on {}", app.backend);
        let page = response.text().await.unwrap();
        assert!(!page.contains("Tệp là văn bản số"), "{page}");
        assert!(page.contains("47/NQ-CP"), "{page}");
        // A preview writes nothing.
        assert_eq!(
            dongbo_store::programs::get(&app.db, program).await.unwrap(),
            before
        );
    }
}
