//! Review you can trust, and notices at once (issue 19, points 3 and 4), over real HTTP on
//! every backend: several evidence files sent at once (all or nothing) and one removed from a
//! draft; a resubmission shows its reviewer what changed since the version returned; the two
//! decisions are worded apart, each behind its own confirmation; a comment on acceptance is
//! kept and shown; the agency sees each event at once and the "returned" notice resolved once
//! accepted; a user chooses how they are e-mailed; a đôn đốc says to whom it went.

mod common;

use common::{Browser, TestApp, apps, hidden_value};

const PDF: &[u8] = b"%PDF-1.4\nbien ban hoi nghi\n";

fn kept_files(page: &str) -> Vec<(String, String)> {
    (0..10)
        .filter_map(|i| {
            let name = format!("keep_file_{i}");
            hidden_value(page, &name).map(|v| (name, v))
        })
        .collect()
}

async fn report_path(app: &TestApp) -> String {
    let id = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
    format!("/assignments/{id}/report")
}

#[tokio::test]
async fn several_files_go_at_once_all_or_nothing_and_one_is_removed_from_the_draft() {
    for app in apps().await {
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        let path = report_path(&app).await;
        let mut reporter = app.logged_in("bao.cao").await;
        let page = reporter.text(&path).await;
        assert!(
            page.contains("type=\"file\" name=\"file\" multiple"),
            "{page}"
        );
        let action = Browser::form_action(&page, "report-form");
        let fields = [
            ("action", "save"),
            ("based_on", ""),
            ("results", "Đã tổ chức hội nghị"),
            ("progress", "50"),
        ];
        // Two good files and one that is not what it claims: none of them is kept.
        let before = app.fingerprint().await;
        let response = reporter
            .post_multipart_files(
                &action,
                &fields,
                &[
                    ("bien-ban.pdf", "application/pdf", PDF),
                    ("ghi-chu.txt", "text/plain", "Ghi chú".as_bytes()),
                    ("anh.png", "image/png", b"not a png at all"),
                ],
            )
            .await;
        assert_eq!(response.status(), 422, "{}", app.backend);
        assert_eq!(
            before.changed(&app.fingerprint().await),
            Vec::<String>::new(),
            "one refused file keeps none: {}",
            app.backend
        );
        // The two good ones at once.
        let response = reporter
            .post_multipart_files(
                &action,
                &fields,
                &[
                    ("bien-ban.pdf", "application/pdf", PDF),
                    ("ghi-chu.txt", "text/plain", "Ghi chú".as_bytes()),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "{}", app.backend);
        let page = reporter.text(&format!("{path}?period=once")).await;
        let kept = kept_files(&page);
        assert_eq!(kept.len(), 2, "{page}");
        // The first removed from the draft.
        let version = hidden_value(&page, "based_on").unwrap();
        let action = Browser::form_action(&page, "report-form");
        let mut fields: Vec<(&str, &str)> = vec![
            ("action", "save"),
            ("based_on", &version),
            ("results", "Đã tổ chức hội nghị"),
            ("progress", "50"),
            ("remove_file_0", "1"),
        ];
        fields.extend(kept.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let response = reporter.post_multipart_files(&action, &fields, &[]).await;
        assert_eq!(response.status(), 303, "{}", app.backend);
        let page = reporter.text(&format!("{path}?period=once")).await;
        let kept = kept_files(&page);
        assert_eq!(kept.len(), 1, "{page}");
        assert!(kept[0].1.ends_with(":ghi-chu.txt"), "{kept:?}");
    }
}

#[tokio::test]
async fn a_resubmission_shows_what_changed_and_an_acceptance_keeps_its_comment() {
    for app in apps().await {
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        let path = format!("{}?period=once", report_path(&app).await);
        let mut reporter = app.logged_in("bao.cao").await;
        let page = reporter.text(&path).await;
        let action = Browser::form_action(&page, "report-form");
        let response = reporter
            .post_multipart_files(
                &action,
                &[
                    ("action", "submit"),
                    ("based_on", ""),
                    ("results", "Đã tổ chức 2 hội nghị"),
                    ("progress", "30"),
                ],
                &[("bien-ban.pdf", "application/pdf", PDF)],
            )
            .await;
        assert_eq!(response.status(), 303);

        // The approver sees two decisions worded and coloured apart, each to confirm.
        let mut leader = app.logged_in("lanh.dao").await;
        let page = leader.text(&path).await;
        assert!(
            !page.contains("id=\"changes-since-return\""),
            "never returned yet"
        );
        for part in [
            "details class=\"decision decision-return\"",
            "details class=\"decision decision-accept\"",
            "Trả lại để sửa…",
            "Duyệt báo cáo…",
            "class=\"danger\" id=\"return-report\"",
            "class=\"primary\" id=\"accept-report\"",
        ] {
            assert!(page.contains(part), "{part}: {page}");
        }
        let review = Browser::form_action(&page, "review-form");
        let seen = hidden_value(&page, "seen_version").unwrap();
        let response = leader
            .post(
                &review,
                &[
                    ("action", "return"),
                    ("seen_version", &seen),
                    ("comment", "Bổ sung số đại biểu"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        // The agency sees it at once, no runner needed.
        let my = reporter.text("/my").await;
        assert!(my.contains("Báo cáo nhiệm vụ 2.1 bị trả lại"), "{my}");

        // Fixed: other results and progress, the file replaced by another.
        let page = reporter.text(&path).await;
        let action = Browser::form_action(&page, "report-form");
        let version = hidden_value(&page, "based_on").unwrap();
        let response = reporter
            .post_multipart_files(
                &action,
                &[
                    ("action", "submit"),
                    ("based_on", &version),
                    ("results", "Đã tổ chức 2 hội nghị, 1.200 đại biểu"),
                    ("progress", "60"),
                ],
                &[("danh-sach.txt", "text/plain", "1.200 đại biểu".as_bytes())],
            )
            .await;
        assert_eq!(response.status(), 303);

        let page = leader.text(&path).await;
        assert!(page.contains("id=\"changes-since-return\""), "{page}");
        for part in [
            "<td class=\"before\">Đã tổ chức 2 hội nghị</td>",
            "<td class=\"after\">Đã tổ chức 2 hội nghị, 1.200 đại biểu</td>",
            "<td class=\"before\">30%</td>",
            "<td class=\"after\">60%</td>",
            "«Bổ sung số đại biểu»",
        ] {
            assert!(page.contains(part), "{part}: {page}");
        }
        let added = &page[page.find("id=\"files-added\"").expect("files added")..];
        assert!(added[..added.find("</ul>").unwrap()].contains("danh-sach.txt"));
        let removed = &page[page.find("id=\"files-removed\"").expect("files removed")..];
        assert!(removed[..removed.find("</ul>").unwrap()].contains("bien-ban.pdf"));

        // Accepted with a comment: kept and shown.
        let seen = hidden_value(&page, "seen_version").unwrap();
        let review = Browser::form_action(&page, "review-form");
        let response = leader
            .post(
                &review,
                &[
                    ("action", "accept"),
                    ("seen_version", &seen),
                    ("comment", "Đạt yêu cầu; tiếp tục theo dõi."),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        let page = reporter.text(&path).await;
        assert!(page.contains("data-status=\"accepted\""));
        assert!(
            page.contains("<span id=\"accept-comment\">Đạt yêu cầu; tiếp tục theo dõi.</span>"),
            "{page}"
        );
        // The agency's notices: accepted at once, the return shown resolved.
        let my = reporter.text("/my").await;
        assert!(my.contains("Báo cáo nhiệm vụ 2.1 đã được duyệt"), "{my}");
        let returned = my
            .find("Báo cáo nhiệm vụ 2.1 bị trả lại")
            .expect("the return is still listed");
        let item = &my[my[..returned].rfind("<li").unwrap()..returned];
        assert!(item.contains("data-resolved=\"true\""), "{item}");
    }
}

#[tokio::test]
async fn a_user_chooses_how_they_are_emailed_and_a_reminder_says_to_whom_it_went() {
    for app in apps().await {
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        dongbo_store::notifications::set_contact(&app.db, "BVHTTDL", "vanthu@bvhttdl.gov.vn")
            .await
            .unwrap();
        let mut leader = app.logged_in("lanh.dao").await;
        let page = leader.text("/account").await;
        assert!(page.contains("id=\"email-form\""), "{page}");
        // A bad address is refused next to its field; nothing changes.
        let before = app.fingerprint().await;
        let response = leader
            .post(
                "/account/email",
                &[("email", "không phải địa chỉ"), ("cadence", "daily")],
            )
            .await;
        assert_eq!(response.status(), 422, "{}", app.backend);
        let page = response.text().await.unwrap();
        assert!(page.contains("không phải địa chỉ thư điện tử"), "{page}");
        assert_eq!(
            before.changed(&app.fingerprint().await),
            Vec::<String>::new()
        );
        let response = leader
            .post(
                "/account/email",
                &[("email", "lanh.dao@bvhttdl.gov.vn"), ("cadence", "daily")],
            )
            .await;
        assert_eq!(response.status(), 303);
        let page = leader.text("/account").await;
        assert!(page.contains("lanh.dao@bvhttdl.gov.vn"));
        assert!(page.contains("value=\"daily\" checked"), "{page}");
        let audit = dongbo_store::audit::list(
            &app.db,
            &dongbo_store::audit::AuditFilter {
                action: Some("user.email_setting".to_owned()),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
        assert_eq!(audit.len(), 1, "audited once");

        // A đôn đốc: the answer lists the agency, its address now and the daily reader.
        let mut coordinator = app.logged_in("dieu.phoi").await;
        let response = coordinator
            .post(
                &format!("/programs/{}/reminders", app.program_id),
                &[
                    ("agency", "BVHTTDL"),
                    ("message", "Đề nghị gửi báo cáo quý"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "{}", app.backend);
        let sent = common::location(&response);
        assert!(sent.starts_with(&format!("/programs/{}/reminders/sent?", app.program_id)));
        let page = coordinator.text(&sent).await;
        assert!(page.contains("Đã gửi tới 1 cơ quan"), "{page}");
        let row = &page[page.find("data-agency=\"BVHTTDL\"").expect("the agency")..];
        let row = &row[..row.find("</tr>").unwrap()];
        let (now, daily) = row.split_at(row.find("class=\"daily\"").unwrap());
        assert!(now.contains("vanthu@bvhttdl.gov.vn"), "{row}");
        assert!(
            daily.contains("lanh.dao@bvhttdl.gov.vn"),
            "a daily reader: {row}"
        );
        // Only who may send one sees to whom it went.
        let mut leader = app.logged_in("lanh.dao").await;
        assert_eq!(leader.get(&sent).await.status(), 403);
    }
}
