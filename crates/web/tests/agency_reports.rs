//! One report per agency and period over real HTTP, on every backend: the Ministry of Culture's
//! reporter fills every task of 47/NQ-CP it answers for in the year on one page and sends it as
//! one; a refused form changes nothing; its leader returns it with a comment on one task, then
//! accepts the fixed report with a comment that is kept; the coordinating office sees the
//! ministry's report sent, and the task reports moved with it.

mod common;

use common::{Browser, apps, hidden_value};

/// The names of the form's fields `t{id}_{suffix}`, in page order.
fn fields(html: &str, suffix: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("name=\"t") {
        let tail = &rest[at + 6..];
        let end = tail.find('"').expect("a closed attribute");
        let name = &tail[..end];
        if name.ends_with(suffix) && !found.iter().any(|n: &String| n == name) {
            found.push(name.to_owned());
        }
        rest = &tail[end..];
    }
    found
}

fn status(html: &str) -> &str {
    let marker = "id=\"agency-report-status\" data-status=\"";
    let at = html
        .find(marker)
        .expect("the page shows the report's status");
    let tail = &html[at + marker.len()..];
    &tail[..tail.find('"').unwrap()]
}

#[tokio::test]
async fn a_ministry_sends_one_report_for_the_year_and_its_leader_returns_then_accepts_it() {
    for app in apps().await {
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        let path = format!("/programs/{}/agencies/BVHTTDL/report", app.program_id);

        let mut reporter = app.logged_in("bao.cao").await;
        let page = reporter.text(&path).await;
        assert_eq!(status(&page), "none", "on {}", app.backend);
        let results = fields(&page, "_results");
        let progress = fields(&page, "_progress");
        assert!(
            results.len() > 20,
            "the ministry answers for many tasks: {}",
            results.len()
        );
        assert!(
            !progress.is_empty() && progress.len() < results.len(),
            "lead tasks ask for progress, coordinating ones only a contribution"
        );
        let period = page
            .split("period=")
            .nth(1)
            .map(|t| t[..t.find('"').unwrap()].to_owned())
            .unwrap();

        // Sent with every task's results empty: refused (422) naming the tasks, nothing stored.
        let response = reporter
            .post(&format!("{path}?period={period}"), &[("action", "submit")])
            .await;
        assert_eq!(response.status(), 422, "on {}", app.backend);
        let refused = response.text().await.unwrap();
        assert!(refused.contains("cần nêu kết quả thực hiện trước khi gửi"));
        assert_eq!(status(&reporter.text(&path).await), "none");

        // Every task filled, sent as one.
        let texts: Vec<(String, String)> = results
            .iter()
            .map(|name| (name.clone(), format!("Đã thực hiện ({name})")))
            .chain(progress.iter().map(|name| (name.clone(), "60".to_owned())))
            .collect();
        let lead = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        let (doc_number, doc_date, link_url) = (
            format!("t{lead}_doc_number"),
            format!("t{lead}_doc_date"),
            format!("t{lead}_link_url"),
        );
        let mut form: Vec<(&str, &str)> = vec![("action", "submit"), ("based_on", "")];
        form.extend(texts.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        // Task 2.1 cites a document issued and a link, on the same page.
        form.push((&doc_number, "123/BC-BVHTTDL"));
        form.push((&link_url, "https://bvhttdl.gov.vn/tin-tuc"));
        // A date that is not one is refused, naming the task, and nothing is stored.
        let mut bad = form.clone();
        bad.push((&doc_date, "20/11/2026"));
        let response = reporter
            .post(&format!("{path}?period={period}"), &bad)
            .await;
        assert_eq!(response.status(), 422, "on {}", app.backend);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Nhiệm vụ 2.1: «20/11/2026» không phải một ngày")
        );
        assert_eq!(status(&reporter.text(&path).await), "none");
        form.push((&doc_date, "2026-11-20"));
        let response = reporter
            .post(&format!("{path}?period={period}"), &form)
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        let sent = reporter.text(&path).await;
        let task = sent
            .split(&format!("id=\"task-{lead}\""))
            .nth(1)
            .expect("task 2.1 on the report");
        assert!(
            task.contains(
                "<span class=\"doc-number\">123/BC-BVHTTDL</span> \
                 (<time datetime=\"2026-11-20\">20/11/2026</time>)"
            ),
            "the document is cited"
        );
        assert!(
            task.contains("href=\"https://bvhttdl.gov.vn/tin-tuc\""),
            "the link is cited"
        );
        assert_eq!(status(&sent), "submitted");
        assert!(
            !sent.contains("id=\"agency-report-form\""),
            "sent: no longer editable"
        );

        // A lead task's own report moved with it.
        let task_page = reporter
            .text(&format!("/assignments/{lead}/report?period={period}"))
            .await;
        assert!(
            task_page.contains("data-status=\"submitted\""),
            "task 2.1 was sent with it"
        );

        // The reporter may not review it; the leader returns it with a comment on one task.
        assert!(!sent.contains("id=\"agency-review-form\""));
        let mut leader = app.logged_in("lanh.dao").await;
        // The leader's home lists it among the reports waiting for review, with its link.
        let home = leader.text("/").await;
        let queue = home
            .split("id=\"to-review\"")
            .nth(1)
            .expect("a review queue");
        assert!(
            queue.contains(&format!("{path}?period={period}")),
            "{queue}"
        );
        let review_page = leader.text(&path).await;
        assert!(review_page.contains("id=\"agency-review-form\""));
        let action = Browser::form_action(&review_page, "agency-review-form");
        let seen = hidden_value(&review_page, "seen_version").unwrap();
        let comment_field = format!("c{lead}");
        // A return without the overall comment is refused.
        let response = leader
            .post(&action, &[("action", "return"), ("seen_version", &seen)])
            .await;
        assert_eq!(response.status(), 422);
        let response = leader
            .post(
                &action,
                &[
                    ("action", "return"),
                    ("seen_version", &seen),
                    ("comment", "Bổ sung số liệu"),
                    (&comment_field, "Nêu rõ số hội nghị đã tổ chức"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        let returned = reporter.text(&path).await;
        assert_eq!(status(&returned), "returned");
        assert!(returned.contains("Bổ sung số liệu"));
        assert!(returned.contains("Nêu rõ số hội nghị đã tổ chức"));
        let home = reporter.text("/").await;
        assert!(
            home.contains("id=\"returned-reports\""),
            "the reporter's home lists it returned"
        );
        assert!(
            !leader.text("/").await.contains("id=\"to-review\""),
            "no longer waiting"
        );

        // Fixed and sent again, then accepted with a comment that is kept and shown.
        let based_on = hidden_value(&returned, "based_on").unwrap();
        let mut based: Vec<(String, String)> = Vec::new();
        for name in fields(&returned, "_based_on") {
            based.push((
                name.clone(),
                hidden_value(&returned, &name).unwrap_or_default(),
            ));
        }
        // Only task 2.1's results change, as the comment asked.
        let fixed_field = format!("t{lead}_results");
        let mut form: Vec<(&str, &str)> = vec![("action", "submit"), ("based_on", &based_on)];
        form.extend(
            texts
                .iter()
                .filter(|(k, _)| *k != fixed_field)
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        form.push((&fixed_field, "Đã tổ chức 3 hội nghị"));
        form.extend(based.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let response = reporter
            .post(&format!("{path}?period={period}"), &form)
            .await;
        assert_eq!(response.status(), 303, "resent on {}", app.backend);
        let review_page = leader.text(&path).await;
        // The leader sees what changed since the return: one task, old and new side by side.
        let changes = review_page
            .split("id=\"changes-since-return\"")
            .nth(1)
            .expect("the review page says what changed");
        assert!(
            changes.starts_with(">Sau lần trả lại, đã sửa <strong>1</strong>"),
            "{}",
            &changes[..120]
        );
        assert!(review_page.contains("<ins>Đã tổ chức 3 hội nghị</ins>"));
        assert!(review_page.contains(&format!("<del>Đã thực hiện ({fixed_field})</del>")));
        let seen = hidden_value(&review_page, "seen_version").unwrap();
        let response = leader
            .post(
                &action,
                &[
                    ("action", "accept"),
                    ("seen_version", &seen),
                    ("comment", "Đạt yêu cầu"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        let accepted = reporter.text(&path).await;
        assert_eq!(status(&accepted), "accepted");
        assert!(accepted.contains("id=\"agency-accept-comment\">Đạt yêu cầu"));
        // Its versions in words, by full name, in Vietnam's time.
        let versions = &accepted[accepted.find("id=\"agency-report-history\"").unwrap()..];
        let versions = &versions[..versions.find("</section>").unwrap()];
        for said in [
            "Gửi duyệt",
            "Trả lại",
            "Duyệt",
            "Cán bộ bao.cao",
            "Cán bộ lanh.dao",
            " ngày ",
        ] {
            assert!(versions.contains(said), "{said} in {versions}");
        }
        assert!(!versions.contains("+00:00"), "{versions}");

        // The coordinating office sees the ministry's report sent, on time, and complete.
        let mut coordinator = app.logged_in("dieu.phoi").await;
        let home = coordinator.text("/").await;
        assert!(
            home.contains("id=\"program-watch\""),
            "the coordinator watches the program"
        );
        assert!(home.contains("cơ quan chưa gửi đủ báo cáo"));
        let completeness = coordinator
            .text(&format!("/programs/{}/completeness", app.program_id))
            .await;
        let row = completeness
            .split("<tr data-agency=\"BVHTTDL\"")
            .nth(1)
            .expect("the ministry has a line");
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains("data-complete=\"true\""), "{row}");
        assert!(row.contains("Gửi đúng hạn"), "{row}");
    }
}

/// A task row of the template: assignment id, task code, whether it is a lead task.
type TaskRow = (i64, String, bool);

/// The template's key pairs (rows 2–4) and its task rows.
fn template_rows(bytes: &[u8]) -> (Vec<(String, String)>, Vec<TaskRow>) {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let mut workbook: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), ["Báo cáo"]);
    let range = workbook.worksheet_range("Báo cáo").unwrap();
    let text = |r: u32, c: u32| {
        range
            .get_value((r, c))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    let keys = (1..4).map(|r| (text(r, 0), text(r, 1))).collect();
    assert_eq!(text(5, 0), "Mã phân công");
    assert_eq!(text(5, 5), "Tiến độ (%)");
    let mut rows = Vec::new();
    let mut r = 6;
    while !text(r, 0).is_empty() {
        rows.push((
            text(r, 0).parse().unwrap(),
            text(r, 1),
            text(r, 3) == "Chủ trì",
        ));
        r += 1;
    }
    (keys, rows)
}

fn filled(key: &dongbo_import::report_sheet::SheetKey, rows: &[TaskRow], progress: u8) -> Vec<u8> {
    use dongbo_import::report_sheet::{SheetRow, write_template};
    let rows: Vec<SheetRow> = rows
        .iter()
        .map(|(id, code, lead)| SheetRow {
            assignment_id: *id,
            task_code: code.clone(),
            lead: *lead,
            results: format!("Kết quả nhiệm vụ {code} (điền trong Excel)"),
            progress: lead.then_some(progress),
            ..SheetRow::default()
        })
        .collect();
    write_template(key, "Bộ VHTTDL", &rows).unwrap()
}

#[tokio::test]
async fn a_ministry_fills_its_report_in_excel_offline_and_uploads_it_as_the_draft() {
    for app in apps().await {
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        let path = format!("/programs/{}/agencies/BVHTTDL/report", app.program_id);
        let mut reporter = app.logged_in("bao.cao").await;
        let page = reporter.text(&path).await;
        let tasks = fields(&page, "_results").len();
        let period = page
            .split("report.xlsx?period=")
            .nth(1)
            .map(|t| t[..t.find('"').unwrap()].to_owned())
            .unwrap();

        let response = reporter.get(&format!("{path}.xlsx?period={period}")).await;
        assert_eq!(response.status(), 200, "on {}", app.backend);
        assert_eq!(
            response.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let template = response.bytes().await.unwrap();
        let (keys, rows) = template_rows(&template);
        assert_eq!(rows.len(), tasks, "one row per task on the form");
        assert_eq!(keys[1], ("Cơ quan".to_owned(), "BVHTTDL".to_owned()));
        let key = dongbo_import::report_sheet::SheetKey {
            program_id: app.program_id,
            agency_code: "BVHTTDL".to_owned(),
            period: period.clone(),
        };
        let upload = Browser::form_action(&page, "agency-upload-form");

        // A progress of 120 is refused with its row and cell; nothing is written.
        let bad = filled(&key, &rows, 120);
        let response = reporter
            .post_multipart(
                &upload,
                &[],
                Some(("bao-cao.xlsx", "application/octet-stream", &bad)),
            )
            .await;
        assert_eq!(response.status(), 422, "on {}", app.backend);
        let refused = response.text().await.unwrap();
        assert!(
            refused.contains("row 7, cell F «Tiến độ (%)»"),
            "the cell is named"
        );
        assert_eq!(status(&reporter.text(&path).await), "none");

        // Another agency's template is refused as such.
        let other = dongbo_import::report_sheet::SheetKey {
            agency_code: "HN".to_owned(),
            ..key.clone()
        };
        let response = reporter
            .post_multipart(
                &upload,
                &[],
                Some((
                    "hn.xlsx",
                    "application/octet-stream",
                    &filled(&other, &rows, 50),
                )),
            )
            .await;
        assert_eq!(response.status(), 422);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Tệp là mẫu của cơ quan HN")
        );

        // The right file becomes the draft, every task filled; it is then sent as usual.
        let good = filled(&key, &rows, 50);
        let response = reporter
            .post_multipart(
                &upload,
                &[],
                Some(("bao-cao.xlsx", "application/octet-stream", &good)),
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        let draft = reporter.text(&path).await;
        assert_eq!(status(&draft), "draft");
        let first_code = &rows[0].1;
        assert!(draft.contains(&format!("Kết quả nhiệm vụ {first_code} (điền trong Excel)")));
        let based_on = hidden_value(&draft, "based_on").unwrap();
        let mut based: Vec<(String, String)> = Vec::new();
        for name in fields(&draft, "_based_on") {
            based.push((
                name.clone(),
                hidden_value(&draft, &name).unwrap_or_default(),
            ));
        }
        let mut form: Vec<(&str, &str)> = vec![("action", "submit"), ("based_on", &based_on)];
        form.extend(based.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let response = reporter
            .post(&format!("{path}?period={period}"), &form)
            .await;
        assert_eq!(response.status(), 303, "sent on {}", app.backend);
        assert_eq!(status(&reporter.text(&path).await), "submitted");
        // The downloaded template now carries what was sent.
        let again = reporter.get(&format!("{path}.xlsx?period={period}")).await;
        let again = again.bytes().await.unwrap();
        let text = {
            use calamine::{Reader, Xlsx, open_workbook_from_rs};
            let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(&again[..])).unwrap();
            wb.worksheet_range("Báo cáo")
                .unwrap()
                .get_value((6, 4))
                .unwrap()
                .to_string()
        };
        assert_eq!(
            text,
            format!("Kết quả nhiệm vụ {first_code} (điền trong Excel)")
        );
    }
}
