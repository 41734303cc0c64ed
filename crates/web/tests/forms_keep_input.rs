//! Every form of the pages, refused: the same page again (422) with what the user typed kept,
//! the message right after the field it is about (linked by `aria-describedby`) and a summary
//! at the top (`role="alert"`), nothing changed in the database; then the corrected form goes
//! through. On SQLite and PostgreSQL.

mod common;

use common::{Browser, TestApp, apps, location};
use dongbo_store::{assignments, reports};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// The opening tag of the first form field named `name` (input, textarea or select).
fn field_tag<'a>(html: &'a str, name: &str) -> (usize, &'a str) {
    let marker = format!("name=\"{name}\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("a field named {name}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap() + 1;
    (start, &html[start..end])
}

fn attribute<'a>(tag: &'a str, attribute: &str) -> Option<&'a str> {
    let marker = format!(" {attribute}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

/// The value the field named `name` shows: its `value`, or a text area's text.
fn shown(html: &str, name: &str) -> String {
    let (start, tag) = field_tag(html, name);
    if tag.starts_with("<textarea") {
        let text = start + tag.len();
        let end = text + html[text..].find("</textarea>").unwrap();
        return html[text..end].to_owned();
    }
    attribute(tag, "value").unwrap_or_default().to_owned()
}

/// The message about `field` shown right after the form field named `name` (nothing but other
/// fields of the same row and their messages in between: no label, no other row), the field
/// marked invalid and described by it.
fn message_next_to(html: &str, name: &str, field: &str) -> String {
    let (start, tag) = field_tag(html, name);
    assert_eq!(
        attribute(tag, "aria-invalid"),
        Some("true"),
        "{name} is marked: {tag}"
    );
    let described = attribute(tag, "aria-describedby").expect("described by its message");
    let after = &html[start + tag.len()..];
    let marker = format!("data-field=\"{field}\"");
    let at = after
        .find(&marker)
        .unwrap_or_else(|| panic!("a message about {field} after {name}"));
    let p_start = after[..at].rfind("<p").unwrap();
    let between = &after[..p_start];
    assert!(
        !between.contains("<label")
            && !between.contains("<fieldset")
            && !between.contains("class=\"row\""),
        "the message about {field} follows {name}: {between}"
    );
    let p_end = at + after[at..].find('>').unwrap() + 1;
    let p_tag = &after[p_start..p_end];
    assert!(p_tag.contains("class=\"field-error\""), "{p_tag}");
    assert_eq!(attribute(p_tag, "id"), Some(described), "{p_tag}");
    let text_end = p_end + after[p_end..].find("</p>").unwrap();
    after[p_end..text_end].to_owned()
}

/// The summary at the top of a refused form's page, with every message.
fn summary(html: &str) -> &str {
    let start = html
        .find("id=\"error-summary\"")
        .expect("a summary of what is wrong");
    let tag_start = html[..start].rfind('<').unwrap();
    let tag_end = start + html[start..].find('>').unwrap();
    assert!(
        html[tag_start..tag_end].contains("role=\"alert\""),
        "read out by screen readers"
    );
    let end = start + html[start..].find("</div>").unwrap();
    &html[start..end]
}

/// Sends `send` (a request not yet made: futures run when awaited) and asserts it was refused
/// as a form: 422, a page with a summary, nothing changed. Returns the page.
async fn refused(
    app: &TestApp,
    what: &str,
    send: impl Future<Output = reqwest::Response>,
) -> String {
    let before = app.fingerprint().await;
    let response = send.await;
    assert_eq!(response.status(), 422, "{what} on {}", app.backend);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("<!DOCTYPE html>"),
        "{what}: the whole page again"
    );
    summary(&page);
    assert_eq!(
        before.changed(&app.fingerprint().await),
        Vec::<String>::new(),
        "{what} on {}: nothing changed",
        app.backend
    );
    page
}

/// The reporter of BVHTTDL on its report page for task 2.1: the browser, the form's action
/// and the page's path.
async fn reporter(app: &TestApp) -> (Browser, String, String) {
    app.user("bao.cao", "reporter", "BVHTTDL", false).await;
    let id = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
    let path = format!("/assignments/{id}/report");
    let mut reporter = app.logged_in("bao.cao").await;
    let page = reporter.text(&path).await;
    let action = Browser::form_action(&page, "report-form");
    (reporter, action, path)
}

#[tokio::test]
async fn a_refused_report_is_shown_again_with_everything_typed_and_each_fault_at_its_field() {
    for app in apps().await {
        let (mut reporter, action, path) = reporter(&app).await;
        let typed = [
            ("action", "submit"),
            ("based_on", ""),
            ("results", "Đã tổ chức hội nghị tập huấn cho cán bộ"),
            ("progress", "150"),
            ("doc_number_0", ""),
            ("doc_date_0", "2025-13-40"),
            ("doc_title_0", "Kế hoạch truyền thông đối ngoại"),
            ("doc_number_1", "12/KH-BVHTTDL"),
            ("doc_date_1", "2025-03-01"),
            ("doc_title_1", "Kế hoạch năm"),
            ("link_url_0", "ftp://bộ.vn/tài-liệu"),
            ("link_title_0", "Tài liệu hội nghị"),
            ("difficulties", "Thiếu kinh phí tổ chức"),
            ("recommendations", "Đề nghị bổ sung ngân sách"),
        ];
        let page = refused(
            &app,
            "a report with faults",
            reporter.post_multipart(
                &action,
                &typed,
                Some(("biên-bản.pdf", "application/pdf", PDF)),
            ),
        )
        .await;
        for (name, value) in &typed[2..] {
            if *name == "doc_date_0" {
                continue;
            }
            assert_eq!(shown(&page, name), *value, "{name} kept on {}", app.backend);
        }
        assert_eq!(shown(&page, "doc_date_0"), "2025-13-40");
        assert!(message_next_to(&page, "progress", "progress").contains("0–100"));
        assert!(
            message_next_to(&page, "doc_number_0", "documents[0].number")
                .contains("thiếu số, ký hiệu")
        );
        assert!(
            message_next_to(&page, "doc_date_0", "documents[0].issued_on")
                .contains("«2025-13-40» không phải một ngày")
        );
        assert!(
            message_next_to(&page, "link_url_0", "links[0].url").contains("http:// hoặc https://")
        );
        assert!(!page.contains("data-field=\"documents[1].number\""));
        // The file was not kept: the page says to choose it again, next to the file field.
        let (file_at, _) = field_tag(&page, "file");
        let again = page.find("class=\"field-error choose-again\"").unwrap();
        assert!(again > file_at, "the note follows the file field");
        assert!(
            page[again..]
                .starts_with("class=\"field-error choose-again\" data-file=\"biên-bản.pdf\"")
        );
        assert!(page.contains("hãy chọn lại tệp"));
        let all = summary(&page);
        assert!(all.contains("Chưa lưu được") && all.contains("thiếu số, ký hiệu"));
        // The language switch leads to the report page, not to where the form was sent.
        assert!(page.contains(&format!("href=\"{path}?period=once&amp;lang=en\"")));

        // In English, the summary says so in English.
        let english = refused(
            &app,
            "a report with faults, in English",
            reporter.post_multipart(&format!("{action}&lang=en"), &typed, None),
        )
        .await;
        assert!(summary(&english).contains("Not saved"));
        assert!(english.contains("Difficulties"));

        // Corrected, it is submitted.
        let response = reporter
            .post_multipart(
                &action,
                &[
                    ("action", "submit"),
                    ("based_on", ""),
                    ("results", "Đã tổ chức hội nghị tập huấn cho cán bộ"),
                    ("progress", "60"),
                    ("doc_number_0", "15/KH-BVHTTDL"),
                    ("doc_date_0", "2025-04-30"),
                    ("doc_title_0", "Kế hoạch truyền thông đối ngoại"),
                    ("link_url_0", "https://bvhttdl.gov.vn/tai-lieu"),
                    ("link_title_0", "Tài liệu hội nghị"),
                ],
                Some(("biên-bản.pdf", "application/pdf", PDF)),
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        let report =
            reports::for_assignment(&app.db, app.lead_of(app.program_id, "2.1", "BVHTTDL").await)
                .await
                .unwrap();
        assert_eq!(report.len(), 1);
        assert_eq!(report[0].progress, 60);
    }
}

#[tokio::test]
async fn a_refused_file_is_named_next_to_the_file_field_and_attached_files_stay() {
    for app in apps().await {
        let (mut reporter, action, path) = reporter(&app).await;
        // A draft with one file attached.
        let response = reporter
            .post_multipart(
                &action,
                &[
                    ("action", "save"),
                    ("based_on", ""),
                    ("results", "Bản nháp"),
                    ("progress", "10"),
                ],
                Some(("kế-hoạch.pdf", "application/pdf", PDF)),
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        let page = reporter.text(&path).await;
        let action = Browser::form_action(&page, "report-form");
        let based_on = common::hidden_value(&page, "based_on").unwrap();
        let kept = common::hidden_value(&page, "keep_file_0").unwrap();
        assert!(kept.ends_with(":kế-hoạch.pdf"));

        let fields = [
            ("action", "save"),
            ("based_on", based_on.as_str()),
            ("keep_file_0", kept.as_str()),
            ("results", "Đã hoàn thành dự thảo đề án"),
            ("progress", "40"),
            ("difficulties", "Chưa có ý kiến góp ý của các bộ"),
        ];
        let page = refused(
            &app,
            "a file of a refused kind",
            reporter.post_multipart(
                &action,
                &fields,
                Some(("cài-đặt.exe", "application/octet-stream", b"MZ\x90\x00\x03")),
            ),
        )
        .await;
        assert!(message_next_to(&page, "file", "file").contains("không thuộc loại được chấp nhận"));
        assert_eq!(shown(&page, "results"), "Đã hoàn thành dự thảo đề án");
        assert_eq!(
            shown(&page, "difficulties"),
            "Chưa có ý kiến góp ý của các bộ"
        );
        assert_eq!(shown(&page, "progress"), "40");
        assert_eq!(
            common::hidden_value(&page, "keep_file_0").as_deref(),
            Some(kept.as_str())
        );
        assert!(
            page.contains(">kế-hoạch.pdf</a>"),
            "the attached file is still listed"
        );

        // A file far over the limit cuts the form off, but the fields before it are kept.
        let big = vec![b'0'; 24 * 1024 * 1024];
        let page = refused(
            &app,
            "a file far over the limit",
            reporter.post_multipart(
                &action,
                &fields,
                Some(("video.pdf", "application/pdf", &big)),
            ),
        )
        .await;
        assert!(message_next_to(&page, "file", "file").contains("Tệp quá lớn"));
        assert_eq!(shown(&page, "results"), "Đã hoàn thành dự thảo đề án");

        // Without the bad file, the draft is saved with the file it had.
        let response = reporter.post_multipart(&action, &fields, None).await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        let page = reporter.text(&path).await;
        assert_eq!(shown(&page, "results"), "Đã hoàn thành dự thảo đề án");
        assert_eq!(
            common::hidden_value(&page, "keep_file_0").as_deref(),
            Some(kept.as_str())
        );
    }
}

#[tokio::test]
async fn a_return_without_comment_and_a_reopening_without_reason_are_refused_at_their_field() {
    for app in apps().await {
        let (mut reporter, action, path) = reporter(&app).await;
        let response = reporter
            .post_multipart(
                &action,
                &[
                    ("action", "submit"),
                    ("based_on", ""),
                    ("results", "Đã xong"),
                    ("progress", "100"),
                ],
                None,
            )
            .await;
        assert_eq!(response.status(), 303);
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        let mut leader = app.logged_in("lanh.dao").await;
        let page = leader.text(&path).await;
        let seen = common::hidden_value(&page, "seen_version").unwrap();
        let review = Browser::form_action(&page, "review-form");
        let page = refused(
            &app,
            "a return without comment",
            leader.post(
                &review,
                &[
                    ("seen_version", &seen),
                    ("action", "return"),
                    ("comment", "  "),
                ],
            ),
        )
        .await;
        assert!(message_next_to(&page, "comment", "comment").contains("Cần ghi ý kiến"));
        assert!(
            page.contains("id=\"review-form\""),
            "the review form is there again"
        );

        // Accepted, then reopened without a reason: refused next to the reason.
        let response = leader
            .post(&review, &[("seen_version", &seen), ("action", "accept")])
            .await;
        assert_eq!(response.status(), 303);
        // Only a coordinator reopens.
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        let mut leader = app.logged_in("dieu.phoi").await;
        let page = leader.text(&path).await;
        let seen = common::hidden_value(&page, "seen_version").unwrap();
        let page = refused(
            &app,
            "a reopening without reason",
            leader.post(
                &review,
                &[
                    ("seen_version", &seen),
                    ("action", "reopen"),
                    ("comment", ""),
                ],
            ),
        )
        .await;
        let (reopen_at, _) = field_tag(&page, "action");
        assert!(page[..reopen_at].contains("id=\"reopen-form\""));
        assert!(message_next_to(&page, "comment", "reason").contains("lý do mở lại"));

        // With a reason it is reopened.
        let response = leader
            .post(
                &review,
                &[
                    ("seen_version", &seen),
                    ("action", "reopen"),
                    ("comment", "Số liệu cần cập nhật"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
    }
}

#[tokio::test]
async fn the_plan_unit_and_hand_over_forms_keep_what_was_typed() {
    for app in apps().await {
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        let mut leader = app.logged_in("lanh.dao").await;
        let response = leader
            .post(
                "/agencies/BVHTTDL/plans",
                &[("program_id", &app.program_id.to_string())],
            )
            .await;
        let plan_path = location(&response);
        let add = format!("{}/tasks", plan_path.replace("/programs/", "/plans/"));

        // A plan task without a title.
        let page = refused(
            &app,
            "a plan task without a title",
            leader.post(
                &add,
                &[
                    ("parent_task_code", "3.4"),
                    ("title", ""),
                    ("expected_output", "Báo cáo kết quả tuần lễ"),
                    ("time_frame", "Quý IV/2025"),
                ],
            ),
        )
        .await;
        assert!(message_next_to(&page, "title", "title").contains("Cần nhập tên nhiệm vụ"));
        assert_eq!(shown(&page, "expected_output"), "Báo cáo kết quả tuần lễ");
        assert_eq!(shown(&page, "time_frame"), "Quý IV/2025");
        assert!(page.contains("<option value=\"3.4\" selected>"));
        let response = leader
            .post(
                &add,
                &[
                    ("parent_task_code", "3.4"),
                    ("title", "Tuần văn hóa Việt Nam"),
                    ("expected_output", "Báo cáo kết quả tuần lễ"),
                    ("time_frame", "Quý IV/2025"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        let task_path = location(&response);

        // A unit without a name, then with a code that is not one: the store's word, in the
        // summary.
        let page = refused(
            &app,
            "a unit without a name",
            leader.post(
                "/agencies/BVHTTDL/units",
                &[
                    ("code", "htqt"),
                    ("name_vi", " "),
                    ("name_en", "International Cooperation"),
                ],
            ),
        )
        .await;
        assert!(message_next_to(&page, "name_vi", "name_vi").contains("Cần nhập tên đơn vị"));
        assert_eq!(shown(&page, "code"), "htqt");
        assert_eq!(shown(&page, "name_en"), "International Cooperation");
        let page = refused(
            &app,
            "a unit with a bad code",
            leader.post(
                "/agencies/BVHTTDL/units",
                &[("code", "hợp tác"), ("name_vi", "Cục Hợp tác quốc tế")],
            ),
        )
        .await;
        assert!(summary(&page).contains("a unit code is letters"));
        assert_eq!(shown(&page, "code"), "hợp tác");
        assert_eq!(shown(&page, "name_vi"), "Cục Hợp tác quốc tế");
        let response = leader
            .post(
                "/agencies/BVHTTDL/units",
                &[("code", "htqt"), ("name_vi", "Cục Hợp tác quốc tế")],
            )
            .await;
        assert_eq!(response.status(), 303);

        // A hand-over with a date that is not one.
        let units = format!("{}/units", task_path.replace("/programs/", "/plans/"));
        let page = refused(
            &app,
            "a hand-over with a bad date",
            leader.post(
                &units,
                &[("unit_code", "BVHTTDL/HTQT"), ("due_on", "15/12/2025")],
            ),
        )
        .await;
        assert!(
            message_next_to(&page, "due_on", "due_on").contains("«15/12/2025» không phải một ngày")
        );
        assert_eq!(shown(&page, "due_on"), "15/12/2025");
        assert!(page.contains("<option value=\"BVHTTDL/HTQT\" selected>"));
        let response = leader
            .post(
                &units,
                &[("unit_code", "BVHTTDL/HTQT"), ("due_on", "2025-12-15")],
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
    }
}

#[tokio::test]
async fn the_coordinators_forms_keep_what_was_typed() {
    for app in apps().await {
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        let mut coordinator = app.logged_in("dieu.phoi").await;

        // An open set's choice with no agency.
        let pending = assignments::pending_for_task(&app.db, app.program_id, "5.7")
            .await
            .unwrap()[0]
            .id;
        let page = refused(
            &app,
            "an open set with nothing chosen",
            coordinator.post(&format!("/open-sets/{pending}"), &[]),
        )
        .await;
        assert!(message_next_to(&page, "agency", "agencies").contains("Chọn ít nhất một cơ quan"));
        let response = coordinator
            .post(&format!("/open-sets/{pending}"), &[("agency", "BTC")])
            .await;
        assert_eq!(response.status(), 303);

        // A reminder without a message keeps the agencies ticked.
        let dashboard = format!("/programs/{}/dashboard", app.program_id);
        let reminders = format!("/programs/{}/reminders", app.program_id);
        let page = refused(
            &app,
            "a reminder without a message",
            coordinator.post(
                &reminders,
                &[("agency", "BVHTTDL"), ("agency", "BNG"), ("message", "")],
            ),
        )
        .await;
        assert!(message_next_to(&page, "message", "message").contains("nhập nội dung đôn đốc"));
        for code in ["BVHTTDL", "BNG"] {
            assert!(
                page.contains(&format!("name=\"agency\" value=\"{code}\" checked")),
                "{code} still ticked"
            );
        }
        assert!(page.contains(&format!("href=\"{dashboard}?lang=en\"")));
        let response = coordinator
            .post(
                &reminders,
                &[
                    ("agency", "BVHTTDL"),
                    ("message", "Đề nghị khẩn trương báo cáo"),
                ],
            )
            .await;
        // Sent: the page it leads to confirms to whom (issue 19).
        assert_eq!(response.status(), 303);
        let confirmation = coordinator.text(&location(&response)).await;
        assert!(confirmation.contains("id=\"reminded\""), "{confirmation}");
        assert!(confirmation.contains("data-agency=\"BVHTTDL\""));

        // A progress override: a number that is not one, then no reason.
        let mut leader = app.logged_in("lanh.dao").await;
        let id = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        let path = format!("/assignments/{id}/progress");
        let page = refused(
            &app,
            "an override that is not a number",
            leader.post(
                &path,
                &[("progress", "nửa"), ("reason", "Đã hoàn thành một nửa")],
            ),
        )
        .await;
        assert!(message_next_to(&page, "progress", "progress").contains("0 đến 100"));
        assert_eq!(shown(&page, "reason"), "Đã hoàn thành một nửa");
        assert!(page.contains("<details class=\"override\" open><summary>"));
        let page = refused(
            &app,
            "an override without a reason",
            leader.post(&path, &[("progress", "50"), ("reason", "")]),
        )
        .await;
        assert!(message_next_to(&page, "reason", "reason").contains("lý do điều chỉnh"));
        assert_eq!(shown(&page, "progress"), "50");
        let response = leader
            .post(
                &path,
                &[("progress", "50"), ("reason", "Đã hoàn thành một nửa")],
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
    }
}

#[tokio::test]
async fn the_password_form_says_what_is_wrong_next_to_each_field() {
    for app in apps().await {
        app.user("can.bo", "viewer", "BVHTTDL", false).await;
        let mut officer = app.logged_in("can.bo").await;
        // Checking the current password is audited as a login; nothing else may change.
        let before = app.fingerprint().await;
        let response = officer
            .post(
                "/account/password",
                &[
                    ("current", common::PASSWORD),
                    ("new", "ngắnquá"),
                    ("confirm", "khác"),
                ],
            )
            .await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        summary(&page);
        let changed = before.changed(&app.fingerprint().await);
        assert!(
            changed.iter().all(|t| t.starts_with("audit_")),
            "{changed:?} on {}",
            app.backend
        );
        assert!(message_next_to(&page, "new", "new").contains("12"));
        assert!(message_next_to(&page, "confirm", "confirm").contains("không giống nhau"));
        assert!(!page.contains("ngắnquá"), "passwords are never sent back");
        // A wrong current password (which counts as a failed login, so the store changes).
        let response = officer
            .post(
                "/account/password",
                &[
                    ("current", "sai mật khẩu"),
                    ("new", "Mật khẩu mới đủ dài 2026"),
                    ("confirm", "Mật khẩu mới đủ dài 2026"),
                ],
            )
            .await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        summary(&page);
        assert!(message_next_to(&page, "current", "current").contains("không đúng"));
        assert!(
            !page.contains("sai mật khẩu"),
            "passwords are never sent back"
        );
        let new = "Mật khẩu mới đủ dài 2026";
        let response = officer
            .post(
                "/account/password",
                &[
                    ("current", common::PASSWORD),
                    ("new", new),
                    ("confirm", new),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
    }
}
