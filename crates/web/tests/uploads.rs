//! Evidence files sent with a report over real HTTP, on every backend: a file over the size
//! limit, of a kind not accepted, or not the kind it claims to be is refused with a message
//! saying why, and nothing is stored — no file, no report; nor is a file sent with a form
//! refused for another field.

mod common;

use common::{Browser, TestApp, apps};
use dongbo_store::assignments;

/// A file's header the evidence store takes for a PDF.
const PDF_HEADER: &[u8] = b"%PDF-1.4\n";
const MIB: usize = 1024 * 1024;

async fn report_form(app: &TestApp) -> (Browser, String, String) {
    app.user("bao.cao", "reporter", "BVHTTDL", false).await;
    let assignment = assignments::for_task(&app.db, app.program_id, "2.1")
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.agency_code == "BVHTTDL" && a.role == dongbo_domain::Role::Lead)
        .unwrap()
        .id;
    let report_path = format!("/assignments/{assignment}/report");
    let mut reporter = app.logged_in("bao.cao").await;
    let page = reporter.text(&report_path).await;
    let action = Browser::form_action(&page, "report-form");
    (reporter, action, report_path)
}

/// Sends the report form with `file`; asserts it is refused with a message containing each
/// of `says`, and that the database did not change.
async fn refused(
    app: &TestApp,
    reporter: &mut Browser,
    action: &str,
    fields: &[(&str, &str)],
    file: (&str, &str, &[u8]),
    says: &[&str],
) {
    let before = app.fingerprint().await;
    let response = reporter.post_multipart(action, fields, Some(file)).await;
    let what = format!("{} ({} bytes) on {}", file.0, file.2.len(), app.backend);
    assert_eq!(response.status(), 422, "{what}");
    let page = response.text().await.unwrap();
    for words in says {
        assert!(
            page.contains(words),
            "{what}: the message says «{words}»: {page}"
        );
    }
    assert_eq!(
        before.changed(&app.fingerprint().await),
        Vec::<String>::new(),
        "{what}: nothing stored"
    );
}

const FIELDS: &[(&str, &str)] = &[
    ("action", "submit"),
    ("based_on", ""),
    ("results", "Đã tổ chức hội nghị"),
    ("progress", "50"),
];

#[tokio::test]
async fn a_file_over_the_size_limit_is_refused_with_the_limit_named_and_nothing_stored() {
    for app in apps().await {
        let (mut reporter, action, report_path) = report_form(&app).await;
        // One byte over the store's limit of 20 MiB, within what the server reads.
        let mut big = PDF_HEADER.to_vec();
        big.resize(20 * MIB + 1, b'0');
        refused(
            &app,
            &mut reporter,
            &action,
            FIELDS,
            ("bien-ban.pdf", "application/pdf", &big),
            &["vượt giới hạn 20", "larger than the limit"],
        )
        .await;
        // Far over: the server stops reading.
        big.resize(24 * MIB, b'0');
        refused(
            &app,
            &mut reporter,
            &action,
            FIELDS,
            ("bien-ban.pdf", "application/pdf", &big),
            &["Tệp quá lớn", "at most 20 MB"],
        )
        .await;
        let page = reporter.text(&report_path).await;
        assert!(
            page.contains("data-status=\"none\""),
            "no report was started"
        );
    }
}

#[tokio::test]
async fn a_file_of_a_kind_not_accepted_is_refused_with_the_kinds_named_and_nothing_stored() {
    for app in apps().await {
        let (mut reporter, action, report_path) = report_form(&app).await;
        let kinds = "PDF, DOCX, XLSX, PNG, JPEG, TXT";
        for (name, declared, bytes, says) in [
            (
                "setup.exe",
                "application/octet-stream",
                &b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"[..],
                ["không thuộc loại được chấp nhận", "not of an accepted kind"],
            ),
            (
                "bao-cao.doc",
                "application/msword",
                &b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00"[..],
                ["không thuộc loại được chấp nhận", "not of an accepted kind"],
            ),
            (
                "trang.html",
                "text/html",
                &b"<html><script>alert(1)</script></html>"[..],
                ["khai báo là «text/html»", "declared as another kind"],
            ),
            (
                "virus.pdf",
                "application/pdf",
                &b"MZ\x90\x00 not a pdf"[..],
                ["không thuộc loại được chấp nhận", "not of an accepted kind"],
            ),
        ] {
            refused(
                &app,
                &mut reporter,
                &action,
                FIELDS,
                (name, declared, bytes),
                &[says[0], says[1], name],
            )
            .await;
        }
        let response = reporter
            .post_multipart(
                &action,
                FIELDS,
                Some(("setup.exe", "application/octet-stream", b"MZ\x90\x00")),
            )
            .await;
        assert!(
            response.text().await.unwrap().contains(kinds),
            "the kinds accepted are named"
        );
        let page = reporter.text(&report_path).await;
        assert!(
            page.contains("data-status=\"none\""),
            "no report was started"
        );
    }
}

#[tokio::test]
async fn a_good_file_sent_with_a_form_refused_for_another_field_is_not_stored() {
    for app in apps().await {
        let (mut reporter, action, _) = report_form(&app).await;
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
        for (fields, says) in [
            (
                [
                    ("progress", "50"),
                    ("link_url_0", "javascript:alert(1)"),
                    ("link_title_0", "x"),
                ],
                "http:// hoặc https://",
            ),
            (
                [
                    ("progress", "50"),
                    ("doc_number_0", ""),
                    ("doc_title_0", "Báo cáo"),
                ],
                "thiếu số, ký hiệu",
            ),
            (
                [("progress", "500"), ("results", "x"), ("difficulties", "")],
                "progress",
            ),
        ] {
            let mut all = vec![("action", "submit"), ("based_on", "")];
            all.extend(fields);
            refused(
                &app,
                &mut reporter,
                &action,
                &all,
                ("bien-ban.pdf", "application/pdf", pdf),
                &[says],
            )
            .await;
        }
    }
}
