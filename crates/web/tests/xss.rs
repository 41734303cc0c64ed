//! User text is escaped everywhere: a script probe typed into every text field the pages
//! accept comes back inert on every page that shows it; an evidence link can only be an http
//! or https address; and the audit CSV export cannot carry a spreadsheet formula. Over real
//! HTTP on every backend.

mod common;

use common::{Browser, TestApp, apps, hidden_value, location};
use dongbo_store::{accounts, assignments};

/// What an attacker types: a script, then an attempt to leave a quoted attribute and add an
/// element with a handler.
const PROBE: &str = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>";

/// The probe behind a marker naming the field it was typed into.
fn probe(field: &str) -> String {
    format!("XSS-{field}{PROBE}")
}

/// How the probe of `field` reads once escaped in HTML text or a quoted attribute.
fn escaped(field: &str) -> String {
    format!(
        "XSS-{field}&lt;script&gt;alert(1)&lt;/script&gt;&quot;'&gt;&lt;img src=x onerror=alert(1)&gt;"
    )
}

/// Fails when the page holds any part of a probe as markup: a script, an image element with
/// a handler, or a quoted attribute left early.
fn assert_inert(html: &str, page: &str) {
    for live in [
        "<script>alert(1)",
        "<img src=x",
        "<img/src=x",
        "\"'>",
        "onerror=alert(1)>",
    ] {
        let escaped_form = live.replace('<', "&lt;").replace('>', "&gt;");
        let raw = html.matches(live).count();
        assert_eq!(
            raw, 0,
            "{page} shows «{live}» as markup ({escaped_form} expected)"
        );
    }
}

/// Fetches `path` as `browser`, checks that every probe on it is inert, and returns it.
async fn inert_page(browser: &mut Browser, path: &str, backend: &str) -> String {
    let html = browser.text(path).await;
    assert_inert(&html, &format!("{path} on {backend}"));
    html
}

fn assert_shows(html: &str, field: &str, page: &str) {
    assert!(
        html.contains(&escaped(field)),
        "{page} shows what was typed in {field}, escaped"
    );
}

/// Runs the reminder jobs due now, as `dongbo serve`'s runner does.
async fn drain_reminders(app: &TestApp) {
    dongbo_remind::Runner::new(app.db.clone(), dongbo_remind::RemindConfig::default())
        .with_done_source(dongbo_remind::AcceptedReports)
        .drain()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_script_typed_into_any_field_is_shown_inert_on_every_page() {
    for app in apps().await {
        let backend = app.backend.clone();
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        app.user("quan.tri", "admin", "CP", false).await;
        let program = app.program_id;
        let mut reporter = app.logged_in("bao.cao").await;
        let mut leader = app.logged_in("lanh.dao").await;
        let mut coordinator = app.logged_in("dieu.phoi").await;
        let mut admin = app.logged_in("quan.tri").await;

        // The reminders already due (overdue tasks) are sent first: the notices this test
        // makes come on top of My work's list.
        drain_reminders(&app).await;

        // The agency's plan, a unit and a task of its own handed to the unit.
        let response = reporter
            .post(
                "/agencies/BVHTTDL/plans",
                &[("program_id", &program.to_string())],
            )
            .await;
        assert_eq!(response.status(), 303, "on {backend}");
        let plan_page = location(&response);
        let plan: i64 = plan_page.rsplit('/').next().unwrap().parse().unwrap();
        let response = reporter
            .post(
                "/agencies/BVHTTDL/units",
                &[
                    ("code", "HTQT"),
                    ("name_vi", &probe("unit-vi")),
                    ("name_en", &probe("unit-en")),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        let response = reporter
            .post(
                &format!("/plans/{plan}/tasks"),
                &[
                    ("parent_task_code", "2.1"),
                    ("title", &probe("plan-title")),
                    ("expected_output", &probe("plan-output")),
                    ("time_frame", &probe("plan-time-frame")),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "on {backend}");
        let plan_task_page = location(&response);
        let plan_task = plan_task_page.rsplit('/').next().unwrap().to_owned();
        let response = reporter
            .post(
                &format!("/plans/{plan}/tasks/{plan_task}/units"),
                &[("unit_code", "BVHTTDL/HTQT"), ("due_on", "")],
            )
            .await;
        assert_eq!(response.status(), 303);

        // A report with every field and an uploaded file whose name is a probe.
        let assignment = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        let report_path = format!("/assignments/{assignment}/report");
        let page = inert_page(&mut reporter, &report_path, &backend).await;
        let action = Browser::form_action(&page, "report-form");
        let file_name = "XSS-file<script>alert(1)</script><img src=x onerror=alert(1)>.txt";
        let response = reporter
            .post_multipart(
                &action,
                &[
                    ("action", "submit"),
                    ("based_on", ""),
                    ("results", &probe("results")),
                    ("progress", "50"),
                    ("doc_number_0", &probe("doc-number")),
                    ("doc_date_0", "2024-11-20"),
                    ("doc_title_0", &probe("doc-title")),
                    (
                        "link_url_0",
                        "https://example.org/\"'><img/src=x/onerror=alert(1)>",
                    ),
                    ("link_title_0", &probe("link-title")),
                    ("difficulties", &probe("difficulties")),
                    ("recommendations", &probe("recommendations")),
                ],
                Some((file_name, "text/plain", b"bien ban hop")),
            )
            .await;
        assert_eq!(response.status(), 303, "on {backend}");
        let page = inert_page(&mut leader, &report_path, &backend).await;
        for field in [
            "results",
            "doc-number",
            "doc-title",
            "link-title",
            "difficulties",
            "recommendations",
        ] {
            assert_shows(&page, field, "the report as its reviewer reads it");
        }
        assert!(
            page.contains("XSS-file&lt;script&gt;"),
            "the file's name, escaped"
        );
        assert!(
            page.contains(
                "href=\"https://example.org/&quot;'&gt;&lt;img/src=x/onerror=alert(1)&gt;\""
            ),
            "the link stays inside its attribute"
        );

        // Returned with a comment, resubmitted, accepted and reopened with a reason.
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
                    ("comment", &probe("return-comment")),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        let page = inert_page(&mut reporter, &report_path, &backend).await;
        for field in [
            "return-comment",
            "results",
            "difficulties",
            "recommendations",
        ] {
            assert_shows(&page, field, "the returned report's form");
        }
        let action = Browser::form_action(&page, "report-form");
        let based_on = hidden_value(&page, "based_on").unwrap();
        let kept = hidden_value(&page, "keep_file_0").unwrap();
        let response = reporter
            .post_multipart(
                &action,
                &[
                    ("action", "submit"),
                    ("based_on", &based_on),
                    ("results", &probe("results")),
                    ("progress", "100"),
                    ("keep_file_0", &unescape(&kept)),
                ],
                None,
            )
            .await;
        assert_eq!(response.status(), 303);
        let page = leader.text(&report_path).await;
        let seen = hidden_value(&page, "seen_version").unwrap();
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
        let page = coordinator.text(&report_path).await;
        let response = coordinator
            .post_raw(
                &review,
                &[
                    ("csrf", &hidden_value(&page, "csrf").unwrap()),
                    (
                        "seen_version",
                        &hidden_value(&page, "seen_version").unwrap(),
                    ),
                    ("action", "reopen"),
                    ("comment", &probe("reopen-reason")),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        let page = inert_page(&mut coordinator, &report_path, &backend).await;
        assert_shows(&page, "reopen-reason", "the report's history");
        assert_shows(&page, "return-comment", "the report's history");

        // A progress override with a reason.
        let overridden = app.lead_of(app.program_id, "3.4", "BVHTTDL").await;
        let response = leader
            .post(
                &format!("/assignments/{overridden}/progress"),
                &[("progress", "70"), ("reason", &probe("override-reason"))],
            )
            .await;
        assert_eq!(response.status(), 303);

        // Change requests: amend a task, propose a new one, and one refused for its time
        // frame (the form comes back with what was typed).
        let response = reporter
            .post(
                &format!("/programs/{program}/tasks/2.1/changes"),
                &[
                    ("agency", "BVHTTDL"),
                    ("kind", "amend"),
                    ("title", &probe("change-title")),
                    ("expected_output", &probe("change-output")),
                    ("reason", &probe("change-reason")),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "on {backend}");
        let response = reporter
            .post(
                &format!("/programs/{program}/changes"),
                &[
                    ("kind", "add"),
                    ("agency", "BVHTTDL"),
                    ("group", "1"),
                    ("title", &probe("add-title")),
                    ("expected_output", &probe("add-output")),
                    ("time_frame", "2026"),
                    ("reason", &probe("add-reason")),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        let response = reporter
            .post(
                &format!("/programs/{program}/tasks/3.4/changes"),
                &[
                    ("agency", "BVHTTDL"),
                    ("kind", "retime"),
                    ("time_frame", &probe("retime")),
                    ("reason", &probe("retime-reason")),
                ],
            )
            .await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert_inert(&page, "the refused change request's form");
        assert_shows(&page, "retime", "the refused change request's form");
        assert_shows(&page, "retime-reason", "the refused change request's form");
        let response = reporter
            .post(
                &format!("/programs/{program}/changes"),
                &[
                    ("kind", "add"),
                    ("agency", "BVHTTDL"),
                    ("group", "1"),
                    ("title", &probe("add-title-kept")),
                    ("time_frame", &probe("add-time-frame")),
                    ("reason", &probe("add-reason-kept")),
                ],
            )
            .await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert_inert(&page, "the refused new task's form");
        for field in ["add-title-kept", "add-time-frame", "add-reason-kept"] {
            assert_shows(&page, field, "the refused new task's form");
        }

        // The coordinator rejects the amendment with a note, and reminds the agency.
        let changes = dongbo_store::changes::for_program(&app.db, program, None)
            .await
            .unwrap();
        let amendment = changes
            .iter()
            .find(|r| r.task_code.as_deref() == Some("2.1"))
            .unwrap()
            .id;
        let response = coordinator
            .post(
                &format!("/programs/{program}/changes/{amendment}/decision"),
                &[("decision", "reject"), ("note", &probe("decision-note"))],
            )
            .await;
        assert_eq!(response.status(), 303);
        let response = coordinator
            .post(
                &format!("/programs/{program}/reminders"),
                &[("agency", "BVHTTDL"), ("message", &probe("reminder"))],
            )
            .await;
        assert_eq!(response.status(), 303);
        drain_reminders(&app).await;

        // A choice of agencies for an open set that names no agency is refused, inertly.
        let pending = assignments::pending_for_task(&app.db, program, "3.19")
            .await
            .unwrap()[0]
            .id;
        let response = coordinator
            .post(
                &format!("/open-sets/{pending}"),
                &[("agency", &probe("open-set"))],
            )
            .await;
        assert_eq!(response.status(), 422, "on {backend}");
        assert_inert(
            &response.text().await.unwrap(),
            "the refused open-set choice",
        );

        // Every page that shows what was typed.
        let page = inert_page(&mut reporter, "/my", &backend).await;
        for field in ["unit-vi", "return-comment", "reminder"] {
            assert_shows(&page, field, "My work");
        }
        let page = inert_page(
            &mut leader,
            &format!("/programs/{program}/tasks/2.1"),
            &backend,
        )
        .await;
        for field in ["change-reason", "decision-note"] {
            assert_shows(&page, field, "the task page");
        }
        let page = inert_page(
            &mut leader,
            &format!("/programs/{program}/tasks/3.4"),
            &backend,
        )
        .await;
        assert_shows(&page, "override-reason", "the task page");
        let page = inert_page(&mut reporter, &plan_task_page, &backend).await;
        for field in ["plan-title", "plan-output", "plan-time-frame", "unit-vi"] {
            assert_shows(&page, field, "the plan task's page");
        }
        let page = inert_page(&mut reporter, &plan_page, &backend).await;
        assert_shows(&page, "plan-title", "the plan's page");
        let page = inert_page(
            &mut reporter,
            &format!("/programs/{plan}/tasks/{plan_task}?lang=en"),
            &backend,
        )
        .await;
        assert_shows(&page, "unit-en", "the plan task's page in English");
        let page = inert_page(
            &mut coordinator,
            &format!("/programs/{plan}/dashboard"),
            &backend,
        )
        .await;
        assert_shows(&page, "plan-title", "the plan's dashboard");
        inert_page(
            &mut coordinator,
            &format!("/programs/{program}/dashboard"),
            &backend,
        )
        .await;
        let page = inert_page(
            &mut coordinator,
            &format!("/programs/{program}/changes"),
            &backend,
        )
        .await;
        for field in [
            "change-title",
            "change-output",
            "change-reason",
            "decision-note",
            "add-title",
            "add-output",
            "add-reason",
        ] {
            assert_shows(&page, field, "the program's change requests");
        }
        inert_page(&mut reporter, &format!("/programs/{program}"), &backend).await;
        let page = inert_page(&mut admin, "/admin/audit", &backend).await;
        assert!(
            page.contains("XSS-override-reason&lt;script&gt;alert(1)&lt;/script&gt;"),
            "the audit log shows the override's reason, escaped"
        );
        let page = inert_page(
            &mut admin,
            &format!(
                "/admin/audit?actor={}&action={}&entity={}",
                common::urlencode(&probe("actor")),
                common::urlencode(&probe("action")),
                common::urlencode(&probe("entity"))
            ),
            &backend,
        )
        .await;
        for field in ["actor", "action", "entity"] {
            assert_shows(&page, field, "the audit log's filters");
        }
        let page = inert_page(
            &mut reporter,
            &format!("/search?q={}", common::urlencode(&probe("search"))),
            &backend,
        )
        .await;
        assert_shows(&page, "search", "the search page");
        let page = inert_page(
            &mut reporter,
            &format!("/search?q={}", common::urlencode(&probe("plan-title"))),
            &backend,
        )
        .await;
        assert_shows(&page, "plan-title", "a search hit");

        // The login form keeps a mistyped username and the page to come back to, inertly.
        let mut stranger = app.browser();
        let page = inert_page(
            &mut stranger,
            &format!("/login?next={}", common::urlencode(&probe("next"))),
            &backend,
        )
        .await;
        assert_shows(&page, "next", "the login form");
        let response = stranger.login(&probe("username"), "wrong password").await;
        assert_eq!(response.status(), 401);
        let page = response.text().await.unwrap();
        assert_inert(&page, "the refused login");
        assert_shows(&page, "username", "the refused login");
    }
}

#[tokio::test]
async fn an_evidence_link_must_be_an_http_address_and_nothing_is_stored_otherwise() {
    for app in apps().await {
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        let assignment = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        let report_path = format!("/assignments/{assignment}/report");
        let mut reporter = app.logged_in("bao.cao").await;
        let page = reporter.text(&report_path).await;
        let action = Browser::form_action(&page, "report-form");
        for url in [
            "javascript:alert(1)",
            "JavaScript:alert(document.cookie)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "//evil.example/x",
        ] {
            let before = app.fingerprint().await;
            let response = reporter
                .post_multipart(
                    &action,
                    &[
                        ("action", "save"),
                        ("based_on", ""),
                        ("results", "Đã làm"),
                        ("progress", "10"),
                        ("link_url_0", url),
                        ("link_title_0", "Xem"),
                    ],
                    None,
                )
                .await;
            assert_eq!(response.status(), 422, "{url} on {}", app.backend);
            let page = response.text().await.unwrap();
            assert!(
                page.contains("cần bắt đầu bằng http:// hoặc https://")
                    && page.contains("a link must be an http or https address"),
                "{url}: a clear message"
            );
            assert_inert(&page, url);
            assert!(!page.contains("href=\"javascript") && !page.contains("href=\"data:"));
            assert_eq!(
                before.changed(&app.fingerprint().await),
                Vec::<String>::new(),
                "{url}: nothing stored"
            );
        }
        let page = reporter.text(&report_path).await;
        assert!(
            page.contains("data-status=\"none\""),
            "no report was started"
        );
    }
}

#[tokio::test]
async fn the_audit_export_neutralises_cells_a_spreadsheet_would_run_as_formulas() {
    for app in apps().await {
        app.user("quan.tri", "admin", "CP", false).await;
        // Names an administrator may give accounts, each read by a spreadsheet as a formula.
        for username in ["-a1", "@a1", "=a1"] {
            let created = accounts::create_user(
                &app.db,
                "quan.tri",
                &accounts::NewUser {
                    username: username.into(),
                    display_name: format!("=HYPERLINK(\"http://evil.example\";\"{username}\")"),
                    password: common::PASSWORD.into(),
                    must_change_password: false,
                },
                &dongbo_domain::access::PasswordPolicy::default(),
            )
            .await;
            if created.is_err() {
                // Refused as a username: it cannot reach the log.
                continue;
            }
        }
        let mut admin = app.logged_in("quan.tri").await;
        let response = admin.get("/admin/audit.csv").await;
        assert_eq!(response.status(), 200);
        let csv = response.text().await.unwrap();
        let cells = csv_cells(&csv);
        for cell in &cells {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell} (on {})",
                app.backend
            );
        }
        assert!(cells.len() > 10);
        assert!(
            cells.iter().any(|c| c == "'-a1") && cells.iter().any(|c| c == "'@a1"),
            "the names are kept, behind a quote"
        );
    }
}

/// Every cell of a CSV text (RFC 4180: quoted cells, doubled quotes inside).
fn csv_cells(csv: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = csv.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',' | '\n', false) => cells.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            (c, _) => cell.push(c),
        }
    }
    if !cell.is_empty() {
        cells.push(cell);
    }
    cells
}

/// An attribute's value as a browser reads it.
fn unescape(value: &str) -> String {
    value
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// A field of a form as the page renders it.
#[derive(Debug, Clone)]
struct Field {
    name: String,
    /// Typed by a person: an `<input>` of no type, `text`, `search`, `url` or `email`, or a
    /// `<textarea>`. The others (hidden, date, number, radio, checkbox, select) take a value
    /// the page chose.
    text: bool,
    /// The value the page put there: an input's `value`, a select's selected (else first)
    /// option, a checked radio's value; entities undone.
    value: String,
}

/// The value of attribute `name` in the opening tag `tag`.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// The fields of the form with id `form_id` on `html`, in order, read from its markup: what a
/// browser would send (a radio group once, by its checked button).
fn form_fields(html: &str, form_id: &str) -> Vec<Field> {
    let start = html
        .find(&format!("<form id=\"{form_id}\""))
        .unwrap_or_else(|| panic!("no form {form_id}"));
    let end = html[start..].find("</form>").expect("the form's end") + start;
    let form = &html[start..end];
    let mut fields: Vec<Field> = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find(['<']) {
        rest = &rest[at..];
        let element = ["<input", "<textarea", "<select"]
            .into_iter()
            .find(|e| rest.starts_with(e));
        let Some(element) = element else {
            rest = &rest[1..];
            continue;
        };
        let tag_end = rest.find('>').expect("a tag's end");
        let tag = &rest[..tag_end];
        rest = &rest[tag_end..];
        let Some(name) = attribute(tag, "name") else {
            continue;
        };
        let kind = attribute(tag, "type").unwrap_or_default();
        let (text, value) = match element {
            "<textarea" => {
                let close = rest.find("</textarea>").expect("the textarea's end");
                (true, unescape(&rest[1..close]))
            }
            "<select" => {
                let close = rest.find("</select>").expect("the select's end");
                let options: Vec<&str> = rest[..close].split("<option").skip(1).collect();
                let chosen = options
                    .iter()
                    .find(|o| o.split('>').next().unwrap_or("").contains(" selected"))
                    .or(options.first())
                    .map(|o| attribute(o, "value").unwrap_or_default())
                    .unwrap_or_default();
                (false, chosen)
            }
            _ if kind == "radio" || kind == "checkbox" => {
                if !tag.contains(" checked") {
                    continue;
                }
                (false, attribute(tag, "value").unwrap_or_default())
            }
            _ => (
                matches!(kind.as_str(), "" | "text" | "search" | "url" | "email"),
                attribute(tag, "value").unwrap_or_default(),
            ),
        };
        if fields.iter().any(|f| f.name == name) {
            continue;
        }
        fields.push(Field { name, text, value });
    }
    fields
}

/// Fills every text field of form `form_id` on `page` with a probe naming the field (as
/// `{prefix}-{field}`), except those of `keep` that must hold a valid value for the form to be
/// accepted, posts it to its action, and checks it was. Returns the probes' markers.
async fn sweep(
    browser: &mut Browser,
    page: &str,
    form_id: &str,
    prefix: &str,
    keep: &[(&str, &str)],
) -> Vec<String> {
    let html = browser.text(page).await;
    let action = Browser::form_action(&html, form_id);
    let fields = form_fields(&html, form_id);
    let mut markers = Vec::new();
    let mut form: Vec<(String, String)> = Vec::new();
    for field in &fields {
        let value = match keep.iter().find(|(name, _)| *name == field.name) {
            Some((_, value)) => (*value).to_owned(),
            None if field.text => {
                let marker = format!("{prefix}-{}", field.name);
                let typed = probe(&marker);
                markers.push(marker);
                typed
            }
            None => field.value.clone(),
        };
        form.push((field.name.clone(), value));
    }
    // A choice the page leaves unmade (a radio group with none checked) is made here.
    for (name, value) in keep {
        if !fields.iter().any(|f| f.name == *name) {
            form.push(((*name).to_owned(), (*value).to_owned()));
        }
    }
    assert!(
        fields.iter().any(|f| f.text),
        "{form_id} on {page} has text fields to sweep: {fields:?}"
    );
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = browser.post_raw(&action, &pairs).await;
    let status = response.status();
    let answer = response.text().await.unwrap_or_default();
    assert_eq!(
        status, 303,
        "{form_id} with every text field but {keep:?} a probe is accepted ({markers:?}): {answer}"
    );
    markers
}

#[tokio::test]
async fn every_text_field_of_the_indicator_regime_synthesis_and_template_forms_is_shown_inert() {
    for app in apps().await {
        let backend = app.backend.clone();
        let program = app.program_id;
        with_indicators(&app).await;
        app.user("ngoai.giao", "reporter", "BNG", false).await;
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        app.user("quan.tri", "admin", "CP", false).await;
        let (mut reporter, _) = app.session("ngoai.giao").await;
        let (mut coordinator, _) = app.session("dieu.phoi").await;
        let (mut admin, _) = app.session("quan.tri").await;

        // A value of indicator 6 (qualitative: its value is text, judged by a person).
        let indicator = format!("/programs/{program}/indicators/6");
        let values = sweep(
            &mut reporter,
            &indicator,
            "indicator-value-form",
            "indicator",
            &[
                ("period", "2025"),
                ("agency", ""),
                ("judgement", "achieved"),
            ],
        )
        .await;
        // A phase of the program's reporting, named by the coordinator.
        let completeness = format!("/programs/{program}/completeness");
        let regimes = sweep(
            &mut coordinator,
            &completeness,
            "regime-form",
            "regime",
            &[
                ("kind", "phase"),
                ("working_days", "5"),
                ("phase_start", "2024-01-01"),
                ("phase_end", "2026-12-31"),
            ],
        )
        .await;
        // The wording of synthesis reports, with a probe in each kind's title (TOML text, so
        // its quote is escaped), then a synthesis report with a probe in every text field.
        let template = dongbo_publish::template::SHIPPED_SYNTHESIS.replace(
            "\ntitle = \"",
            "\ntitle = \"XSS-template<script>alert(1)</script>\\\"'><img src=x onerror=alert(1)> ",
        );
        assert_ne!(template, dongbo_publish::template::SHIPPED_SYNTHESIS);
        sweep(
            &mut admin,
            "/admin/templates/synthesis",
            "template-form",
            "template",
            &[("body", template.as_str())],
        )
        .await;
        let synthesis = format!("/programs/{program}/synthesis");
        let syntheses = sweep(
            &mut coordinator,
            &synthesis,
            "synthesis-form",
            "synthesis",
            &[
                ("level", "agency"),
                ("issuer", "BVHTTDL"),
                ("date", "2026-12-05"),
            ],
        )
        .await;

        // Every page that shows them.
        let page = inert_page(&mut reporter, &indicator, &backend).await;
        for field in &values {
            assert_shows(&page, field, "the indicator's page");
        }
        let page = inert_page(
            &mut reporter,
            &format!("/programs/{program}/indicators"),
            &backend,
        )
        .await;
        assert_shows(&page, "indicator-value", "the indicators' list");
        let page = inert_page(&mut coordinator, &completeness, &backend).await;
        for field in &regimes {
            assert_shows(&page, field, "the completeness page");
        }
        let page = inert_page(&mut coordinator, &synthesis, &backend).await;
        assert!(
            page.contains("XSS-template&lt;script&gt;alert(1)&lt;/script&gt;"),
            "the synthesis list shows the title the template made, escaped"
        );
        assert_shows(&page, "synthesis-number", "the synthesis list");
        assert!(
            syntheses.contains(&"synthesis-signer".to_owned()),
            "the signer was swept: {syntheses:?}"
        );
        let page = inert_page(&mut admin, "/admin/templates/synthesis", &backend).await;
        assert!(
            page.contains("XSS-template&lt;script&gt;alert(1)&lt;/script&gt;"),
            "the template form shows the saved wording, escaped"
        );
        // The evaluation's scorecard counts the values (no text of theirs), the dashboard
        // and the audit log show the rest: inert whatever they show.
        for path in [
            format!("/programs/{program}/evaluation"),
            format!("/programs/{program}/dashboard"),
            "/admin/audit".to_owned(),
        ] {
            inert_page(&mut admin, &path, &backend).await;
        }
    }
}

/// The indicators of the import fixture stored in the app's 47/NQ-CP.
async fn with_indicators(app: &TestApp) {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../import/tests/fixtures/indicators.md"
    ))
    .unwrap();
    let imported = dongbo_import::import_indicators(
        &bytes,
        "indicators.md",
        dongbo_import::Format::Auto,
        &dongbo_domain::Directory::bundled(),
        None,
    )
    .unwrap();
    dongbo_store::indicators::upsert(&app.db, app.program_id, &imported.indicators, "test")
        .await
        .unwrap();
}
