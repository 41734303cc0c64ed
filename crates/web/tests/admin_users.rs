//! Users and roles managed in the browser (issue 21, point 1), on every backend: a ministry's
//! administrator sets up its people (create with a first password shown once, roles, disable,
//! reset, sessions, tokens, locks) and reaches no one outside its ministry, never grants more
//! than it holds, and creates a whole sheet of focal points all or nothing, errors named by
//! row and column. Every change is in the audit log.

mod common;

use common::{Browser, PASSWORD, TestApp, apps, location};

/// The first password on a creation's answer page.
fn shown_password(page: &str) -> String {
    let marker = "<code class=\"password\">";
    let start = page.find(marker).expect("a password is shown") + marker.len();
    let end = page[start..].find('<').unwrap() + start;
    page[start..end].to_owned()
}

/// The table of a user's roles on their page.
fn grants_shown(page: &str) -> &str {
    let start = page.find("id=\"grants\"").expect("the roles table");
    let end = page[start..].find("</table>").unwrap() + start;
    &page[start..end]
}

fn shown_passwords(page: &str) -> Vec<String> {
    page.split("<code class=\"password\">")
        .skip(1)
        .map(|rest| rest[..rest.find('<').unwrap()].to_owned())
        .collect()
}

async fn audited(app: &TestApp, action: &str, actor: &str) -> Vec<String> {
    dongbo_store::audit::list(
        &app.db,
        &dongbo_store::AuditFilter {
            action: Some(action.to_owned()),
            actor: Some(actor.to_owned()),
            ..Default::default()
        },
        100,
        0,
    )
    .await
    .unwrap()
    .into_iter()
    .map(|r| r.entity_id)
    .collect()
}

async fn people(app: &TestApp) {
    app.user("root", "admin", "CP", false).await;
    app.user("btc_admin", "admin", "BTC", false).await;
    app.user("bhxh_lan", "reporter", "BHXH", false).await;
    app.user("bct_minh", "reporter", "BCT", false).await;
}

#[tokio::test]
async fn a_ministry_administrator_manages_its_own_people_and_no_one_else() {
    for app in apps().await {
        let backend = app.backend.clone();
        people(&app).await;
        let mut admin = app.logged_in("btc_admin").await;

        // The list: the ministry's people only, found by their agency's name typed plain.
        let list = admin.text("/admin/users").await;
        assert!(list.contains("bhxh_lan"), "{backend}");
        assert!(list.contains("btc_admin"), "{backend}");
        assert!(
            !list.contains("bct_minh"),
            "another ministry's reporter: {backend}"
        );
        assert!(
            !list.contains(">root<"),
            "the Government's admin: {backend}"
        );
        let found = admin.text("/admin/users?q=bao%20hiem%20xa%20hoi").await;
        assert!(
            found.contains("bhxh_lan") && !found.contains(">btc_admin<"),
            "{backend}"
        );
        // Outside the ministry: not found, as an unknown username is.
        assert_eq!(
            admin.get("/admin/users/bct_minh").await.status(),
            404,
            "{backend}"
        );
        assert_eq!(
            admin.get("/admin/users/no_such").await.status(),
            404,
            "{backend}"
        );

        // Refused: a role on another ministry, a role above the ministry, a bad e-mail.
        // Nothing changes.
        let before = app.fingerprint().await;
        let refused = admin
            .post(
                "/admin/users",
                &[
                    ("username", "hoa@bct.gov.vn"),
                    ("display_name", "Lê Thị Hoa"),
                    ("email", "hoa@bct.gov.vn"),
                    ("role", "reporter"),
                    ("agency", "BCT"),
                ],
            )
            .await;
        assert_eq!(refused.status(), 422, "{backend}");
        let page = refused.text().await.unwrap();
        assert!(
            page.contains("chỉ giao trong phạm vi mình quản trị"),
            "{backend}: {page}"
        );
        assert!(
            page.contains("value=\"Lê Thị Hoa\""),
            "what was typed is kept: {backend}"
        );
        let refused = admin
            .post(
                "/admin/users",
                &[
                    ("username", "hoa"),
                    ("display_name", "Lê Thị Hoa"),
                    ("email", "không phải thư"),
                    ("role", "admin"),
                    ("agency", "CP"),
                ],
            )
            .await;
        assert_eq!(refused.status(), 422, "{backend}");
        let page = refused.text().await.unwrap();
        assert!(page.contains("không phải địa chỉ thư điện tử"), "{backend}");
        assert!(
            page.contains("chỉ giao trong phạm vi mình quản trị"),
            "{backend}"
        );
        let refused = admin
            .post(
                "/admin/users/bhxh_lan/grant",
                &[("role", "admin"), ("agency", "CP")],
            )
            .await;
        assert_eq!(refused.status(), 422, "{backend}");
        assert!(
            app.fingerprint().await.changed(&before).is_empty(),
            "{backend}"
        );

        // Created: the first password shown once works, and must be changed.
        let created = admin
            .post(
                "/admin/users",
                &[
                    ("username", "hoa@btc.gov.vn"),
                    ("display_name", "Lê Thị Hoa"),
                    ("email", "hoa@btc.gov.vn"),
                    ("role", "approver"),
                    ("agency", "BHXH"),
                ],
            )
            .await;
        assert_eq!(created.status(), 200, "{backend}");
        let page = created.text().await.unwrap();
        let password = shown_password(&page);
        assert_eq!(password.chars().count(), 20, "{backend}");
        let mut hoa = app.browser();
        let login = hoa.login("hoa@btc.gov.vn", &password).await;
        assert_eq!(login.status(), 303, "{backend}");
        assert!(
            location(&login).starts_with("/account/password"),
            "{backend}"
        );
        let detail = admin.text("/admin/users/hoa@btc.gov.vn").await;
        assert!(
            detail.contains("hoa@btc.gov.vn") && detail.contains("Phê duyệt"),
            "{backend}"
        );
        assert!(
            !detail.contains(&password),
            "the password is shown once: {backend}"
        );
        assert!(
            detail.contains("id=\"sessions\""),
            "her session is listed: {backend}"
        );

        // Ends her session; she is signed out.
        let session = common::hidden_value(&detail, "session").expect("a session form");
        let ended = admin
            .post(
                "/admin/users/hoa@btc.gov.vn/sessions/end",
                &[("session", &session)],
            )
            .await;
        assert_eq!(ended.status(), 303, "{backend}");
        let after = hoa.get("/my").await;
        assert_eq!(after.status(), 303, "her session is over: {backend}");

        // Disable, then enable: a disabled account cannot sign in.
        let disabled = admin
            .post("/admin/users/bhxh_lan/disabled", &[("disabled", "true")])
            .await;
        assert_eq!(disabled.status(), 303, "{backend}");
        let mut lan = app.browser();
        assert_eq!(
            lan.login("bhxh_lan", PASSWORD).await.status(),
            401,
            "{backend}"
        );
        admin
            .post("/admin/users/bhxh_lan/disabled", &[("disabled", "false")])
            .await;
        assert_eq!(
            lan.login("bhxh_lan", PASSWORD).await.status(),
            303,
            "{backend}"
        );

        // A reset: the new password works, the old does not.
        let reset = admin.post("/admin/users/bhxh_lan/password", &[]).await;
        assert_eq!(reset.status(), 200, "{backend}");
        let new_password = shown_password(&reset.text().await.unwrap());
        assert_eq!(
            app.browser().login("bhxh_lan", PASSWORD).await.status(),
            401
        );
        assert_eq!(
            app.browser()
                .login("bhxh_lan", &new_password)
                .await
                .status(),
            303,
            "{backend}"
        );

        // Grant and revoke inside the ministry.
        let granted = admin
            .post(
                "/admin/users/bhxh_lan/grant",
                &[("role", "librarian"), ("agency", "BHXH")],
            )
            .await;
        assert_eq!(granted.status(), 303, "{backend}");
        assert!(grants_shown(&admin.text("/admin/users/bhxh_lan").await).contains("Thủ thư"));
        let revoked = admin
            .post(
                "/admin/users/bhxh_lan/revoke",
                &[("role", "librarian"), ("agency", "BHXH")],
            )
            .await;
        assert_eq!(revoked.status(), 303, "{backend}");
        assert!(!grants_shown(&admin.text("/admin/users/bhxh_lan").await).contains("Thủ thư"));

        // No one locks themselves out.
        let own = admin
            .post("/admin/users/btc_admin/disabled", &[("disabled", "true")])
            .await;
        assert_eq!(own.status(), 422, "{backend}");

        // Not an administrator: refused.
        let mut reporter = app.logged_in("bct_minh").await;
        assert_eq!(
            reporter.get("/admin/users").await.status(),
            403,
            "{backend}"
        );

        // Every change is audited, by whom.
        assert!(
            audited(&app, "user.create", "btc_admin")
                .await
                .contains(&"hoa@btc.gov.vn".to_owned())
        );
        assert!(
            audited(&app, "user.disable", "btc_admin")
                .await
                .contains(&"bhxh_lan".to_owned())
        );
        assert!(
            audited(&app, "user.password", "btc_admin")
                .await
                .contains(&"bhxh_lan".to_owned())
        );
        assert_eq!(
            audited(&app, "user.revoke", "btc_admin").await,
            vec!["bhxh_lan"]
        );
        assert_eq!(
            audited(&app, "session.end", "btc_admin").await,
            vec!["hoa@btc.gov.vn"]
        );
    }
}

#[tokio::test]
async fn a_locked_account_is_unlocked_and_tokens_revoked_by_its_administrator() {
    for app in apps().await {
        let backend = app.backend.clone();
        people(&app).await;
        // Five wrong passwords lock lan's account from this address.
        for _ in 0..5 {
            app.browser().login("bhxh_lan", "đoán sai mật khẩu").await;
        }
        assert_eq!(
            app.browser().login("bhxh_lan", PASSWORD).await.status(),
            401
        );
        let token = dongbo_store::accounts::create_api_token(
            &app.db,
            "test",
            "bhxh_lan",
            "hệ thống báo cáo",
            dongbo_domain::clock::now(),
        )
        .await
        .unwrap();
        let mut admin = app.logged_in("btc_admin").await;
        let detail = admin.text("/admin/users/bhxh_lan").await;
        assert!(detail.contains("Bị khoá đăng nhập đến"), "{backend}");
        assert!(detail.contains("hệ thống báo cáo"), "{backend}");
        let unlocked = admin.post("/admin/users/bhxh_lan/unlock", &[]).await;
        assert_eq!(unlocked.status(), 303, "{backend}");
        assert_eq!(
            app.browser().login("bhxh_lan", PASSWORD).await.status(),
            303,
            "{backend}"
        );
        let revoked = admin
            .post(
                &format!("/admin/users/bhxh_lan/tokens/{}/revoke", token.id),
                &[],
            )
            .await;
        assert_eq!(revoked.status(), 303, "{backend}");
        let api = app
            .browser()
            .client
            .get(format!("{}/api/v1/programs", app.base))
            .bearer_auth(&token.token)
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), 401, "the revoked token: {backend}");
        // Another user's token id under this user: not found.
        let other = dongbo_store::accounts::create_api_token(
            &app.db,
            "test",
            "bct_minh",
            "x",
            dongbo_domain::clock::now(),
        )
        .await
        .unwrap();
        let wrong = admin
            .post(
                &format!("/admin/users/bhxh_lan/tokens/{}/revoke", other.id),
                &[],
            )
            .await;
        assert_eq!(wrong.status(), 404, "{backend}");
        assert_eq!(
            audited(&app, "user.unlock", "btc_admin").await,
            vec!["bhxh_lan"]
        );
    }
}

/// A CSV of focal points as Excel saves it in a Vietnamese locale: semicolons, a BOM.
fn sheet(rows: &[[&str; 4]]) -> Vec<u8> {
    let mut text = String::from("\u{feff}Họ và tên;E-mail;Cơ quan;Vai trò\r\n");
    for row in rows {
        text.push_str(&row.join(";"));
        text.push_str("\r\n");
    }
    text.into_bytes()
}

async fn upload(admin: &mut Browser, name: &str, bytes: &[u8]) -> reqwest::Response {
    let page = admin.text("/admin/users").await;
    let action = Browser::form_action(&page, "bulk-users");
    let kind = if name.ends_with(".xlsx") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv"
    };
    admin
        .post_multipart(&action, &[], Some((name, kind, bytes)))
        .await
}

#[tokio::test]
async fn a_sheet_of_focal_points_is_created_all_or_nothing() {
    for app in apps().await {
        let backend = app.backend.clone();
        people(&app).await;
        let mut admin = app.logged_in("btc_admin").await;
        let template = admin.get("/admin/users/template.csv").await;
        assert_eq!(template.status(), 200, "{backend}");
        let template = template.text().await.unwrap();
        assert!(
            template.starts_with("\u{feff}Họ và tên,E-mail,Cơ quan,Vai trò"),
            "{backend}"
        );

        // Three wrong cells on two rows, and a name repeated: nothing is created, each error
        // names its row and column.
        let before = app.fingerprint().await;
        let bad = sheet(&[
            [
                "Phạm Văn Đức",
                "duc@btc.gov.vn",
                "Bảo hiểm xã hội Việt Nam",
                "Báo cáo viên",
            ],
            ["Vũ Thị Mai", "mai-at-btc", "Bộ Công Thương", "reporter"],
            ["Đỗ Văn Hùng", "hung@btc.gov.vn", "BHXH", "thư ký"],
            ["Phạm Văn Đức", "duc@btc.gov.vn", "BTC", "viewer"],
        ]);
        let refused = upload(&mut admin, "dau-moi.csv", &bad).await;
        assert_eq!(refused.status(), 422, "{backend}");
        let page = refused.text().await.unwrap();
        for expected in [
            "dau-moi.csv, row 3, «E-mail»",
            "dau-moi.csv, row 3, «Cơ quan»",
            "dau-moi.csv, row 4, «Vai trò»",
            "dau-moi.csv, row 5, «Tên đăng nhập»",
        ] {
            assert!(page.contains(expected), "{backend}: {expected} in {page}");
        }
        assert!(
            !page.contains("row 2,"),
            "the good row has no error: {backend}: {page}"
        );
        assert!(
            app.fingerprint().await.changed(&before).is_empty(),
            "{backend}"
        );

        // Put right: every person is created with their role, address and a first password.
        let good = sheet(&[
            [
                "Phạm Văn Đức",
                "duc@btc.gov.vn",
                "Bảo hiểm xã hội Việt Nam",
                "Báo cáo viên",
            ],
            ["Vũ Thị Mai", "mai@btc.gov.vn", "BTC", "approver"],
        ]);
        let created = upload(&mut admin, "dau-moi.csv", &good).await;
        assert_eq!(created.status(), 200, "{backend}");
        let passwords = shown_passwords(&created.text().await.unwrap());
        assert_eq!(passwords.len(), 2, "{backend}");
        assert_eq!(
            app.browser()
                .login("duc@btc.gov.vn", &passwords[0])
                .await
                .status(),
            303,
            "{backend}"
        );
        let duc = dongbo_store::accounts::get_user(&app.db, "duc@btc.gov.vn")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(duc.display_name, "Phạm Văn Đức");
        let grants = dongbo_store::accounts::grants_of(&app.db, duc.id)
            .await
            .unwrap();
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].agency_code, "BHXH");
        let recipients = dongbo_store::notifications::email_recipients(&app.db, "BHXH")
            .await
            .unwrap();
        assert!(
            recipients.iter().any(|r| r.email == "duc@btc.gov.vn"),
            "{backend}"
        );

        // The same sheet again: the usernames are taken, nothing more is created.
        let before = app.fingerprint().await;
        let again = upload(&mut admin, "dau-moi.csv", &good).await;
        assert_eq!(again.status(), 422, "{backend}");
        assert!(
            again.text().await.unwrap().contains("đã có người dùng"),
            "{backend}"
        );
        assert!(
            app.fingerprint().await.changed(&before).is_empty(),
            "{backend}"
        );

        // An Excel workbook works the same.
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (row, cells) in [
            ["Họ và tên", "E-mail", "Cơ quan", "Vai trò"],
            ["Ngô Thị Thu", "thu@btc.gov.vn", "btc", "Xem"],
        ]
        .iter()
        .enumerate()
        {
            for (col, cell) in cells.iter().enumerate() {
                sheet.write_string(row as u32, col as u16, *cell).unwrap();
            }
        }
        let bytes = workbook.save_to_buffer().unwrap();
        let created = upload(&mut admin, "dau-moi.xlsx", &bytes).await;
        assert_eq!(created.status(), 200, "{backend}");
        assert!(
            dongbo_store::accounts::get_user(&app.db, "thu@btc.gov.vn")
                .await
                .unwrap()
                .is_some(),
            "{backend}"
        );
    }
}

/// Issue 21, rough edges: the audit log reads as a person would say it — when in Vietnam's
/// time, who by full name, what in words (the code kept small beside), on what, and only what
/// changed, not raw JSON.
#[tokio::test]
async fn the_audit_log_says_who_did_what_when_in_words() {
    for app in apps().await {
        let backend = app.backend.clone();
        people(&app).await;
        let mut admin = app.logged_in("btc_admin").await;
        admin
            .post("/admin/users/bhxh_lan/disabled", &[("disabled", "true")])
            .await;
        let mut root = app.logged_in("root").await;
        let page = root.text("/admin/audit?action=user.disable").await;
        assert!(
            page.contains("Người dùng — vô hiệu hoá"),
            "{backend}: {page}"
        );
        assert!(
            page.contains("Cán bộ btc_admin"),
            "the full name: {backend}"
        );
        assert!(
            page.contains("disabled: </span>false → true"),
            "only what changed: {backend}: {page}"
        );
        assert!(!page.contains("{&quot;"), "no raw JSON: {backend}");
        // The moment as Vietnam reads it: "HH:MM ngày DD/MM/YYYY", seven hours ahead of UTC.
        let record = dongbo_store::audit::list(
            &app.db,
            &dongbo_store::AuditFilter {
                action: Some("user.disable".to_owned()),
                ..Default::default()
            },
            1,
            0,
        )
        .await
        .unwrap()
        .remove(0);
        let at = chrono::DateTime::parse_from_rfc3339(&record.at)
            .unwrap()
            .to_utc();
        let local = (at + chrono::Duration::hours(7))
            .format("%H:%M ngày %d/%m/%Y")
            .to_string();
        assert!(page.contains(&local), "{backend}: {local}");
        let english = root.text("/admin/audit?action=user.disable&lang=en").await;
        assert!(english.contains("User — disabled"), "{backend}");
    }
}

/// The sheet reader's limits: no file, too many people, and a workbook of a few kilobytes
/// that unpacks to megabytes are each refused naming the file, and change nothing.
#[tokio::test]
async fn a_sheet_past_the_limits_is_refused_and_changes_nothing() {
    for app in apps().await {
        let backend = app.backend.clone();
        people(&app).await;
        let mut admin = app.logged_in("btc_admin").await;
        admin.text("/my").await;
        let before = app.fingerprint().await;

        let empty = upload(&mut admin, "dau-moi.csv", b"").await;
        assert_eq!(empty.status(), 422, "{backend}");
        assert!(
            empty
                .text()
                .await
                .unwrap()
                .contains("Chọn một tệp danh sách")
        );

        let rows: Vec<[String; 4]> = (0..1001)
            .map(|i| {
                [
                    format!("Người {i}"),
                    format!("nguoi{i}@btc.gov.vn"),
                    "BTC".to_owned(),
                    "viewer".to_owned(),
                ]
            })
            .collect();
        let rows: Vec<[&str; 4]> = rows
            .iter()
            .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str()])
            .collect();
        let many = upload(&mut admin, "dau-moi.csv", &sheet(&rows)).await;
        assert_eq!(many.status(), 422, "{backend}");
        assert!(
            many.text().await.unwrap().contains("dau-moi.csv"),
            "{backend}"
        );

        // 200 distinct cells of 32,000 letters: a few kilobytes packed, megabytes unpacked.
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let bomb = workbook.add_worksheet();
        for row in 0..200u32 {
            let text = format!("{}{row}", "a".repeat(32_000));
            bomb.write_string(row, 0, &text).unwrap();
        }
        let bytes = workbook.save_to_buffer().unwrap();
        assert!(bytes.len() < 100_000, "packed: {} bytes", bytes.len());
        let refused = upload(&mut admin, "dau-moi.xlsx", &bytes).await;
        assert_eq!(refused.status(), 422, "{backend}");
        assert!(
            refused.text().await.unwrap().contains("dau-moi.xlsx"),
            "{backend}"
        );

        assert!(
            app.fingerprint().await.changed(&before).is_empty(),
            "{backend}"
        );
    }
}
