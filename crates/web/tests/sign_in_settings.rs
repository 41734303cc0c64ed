//! Requiring the organisation's account from the page (`/admin/sign-in`, issue 21, point 3),
//! on every backend: only an administrator of the whole system sets it; it cannot be required
//! where the server has no way to sign in with the organisation's account, nor so that the
//! administrator saving it locks themselves out, nor with a list holding what is not a
//! username — each refused next to its field, in the page's language, changing nothing; once
//! saved it holds at the next login (a local account off the list refused, the lists' accounts
//! let in), is audited, and is lifted the same way. The server's flags hold on top of it.

mod common;

use std::collections::BTreeSet;

use common::{Browser, PASSWORD, TestApp, apps};
use dongbo_domain::Directory;
use dongbo_programs::sso::SignIn;
use dongbo_programs::sso::oidc::{OidcConfig, OidcSettings};
use dongbo_store::sign_in_settings;

/// A server on `app`'s database with an identity provider configured (never asked here: the
/// settings do not need it to answer) and `admin` on the flag's local list.
async fn with_a_provider(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let provider = OidcSettings {
        issuer: "https://id.bo.gov.vn/realms/bo".into(),
        client_id: "dongbo".into(),
        client_secret: String::new(),
        redirect_url: format!("{base}/login/oidc/callback"),
        scopes: vec![],
        username_claim: "preferred_username".into(),
        groups_claim: "groups".into(),
        label: String::new(),
    };
    let http = dongbo_library::http::client_builder(&dongbo_library::http::Trust::system())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let sign_in = SignIn {
        oidc: Some(OidcConfig::new(provider, None, http).unwrap()),
        local_users: BTreeSet::from(["admin".to_owned()]),
        ..SignIn::default()
    };
    let state = dongbo_web::AppState::new(app.db.clone(), Directory::bundled(), app.files.clone())
        .with_sign_in(sign_in);
    tokio::spawn(dongbo_web::serve(listener, state, std::future::pending()));
    base
}

/// `username` logged in at `base` with [`PASSWORD`]: the login's status and the browser.
async fn log_in(app: &TestApp, base: &str, username: &str) -> (u16, Browser) {
    let mut browser = app.browser();
    browser.base = base.to_owned();
    let status = browser.login(username, PASSWORD).await.status().as_u16();
    (status, browser)
}

#[tokio::test]
async fn an_administrator_requires_the_organisations_account_from_the_page() {
    for app in apps().await {
        let backend = app.backend.clone();
        app.user("quan.tri", "admin", "CP", false).await;
        app.user("admin", "admin", "CP", false).await;
        app.user("quan.tri.btc", "admin", "BTC", false).await;
        app.user("bao.cao", "reporter", "BTC", false).await;

        // Without a way to sign in with the organisation's account it cannot be required.
        let mut root = app.logged_in("quan.tri").await;
        let users = root.text("/admin/users").await;
        assert!(
            users.contains("href=\"/admin/sign-in\""),
            "linked from the users' page"
        );
        let before = app.fingerprint().await;
        let response = root
            .post(
                "/admin/sign-in",
                &[("require_sso", "on"), ("local_users", "quan.tri")],
            )
            .await;
        assert_eq!(response.status(), 422, "on {backend}");
        let page = response.text().await.unwrap();
        assert!(page.contains("nên không thể bắt buộc"), "{page}");
        assert!(page.contains("aria-invalid=\"true\""), "beside its field");
        assert!(before.changed(&app.fingerprint().await).is_empty());

        let base = with_a_provider(&app).await;
        let (status, mut root) = log_in(&app, &base, "quan.tri").await;
        assert_eq!(status, 303);
        let page = root.text("/admin/sign-in").await;
        assert!(page.contains("id=\"way-oidc\""), "{page}");
        assert!(page.contains("tài khoản tại đây vẫn đăng nhập bằng mật khẩu"));

        // Only an administrator of the whole system.
        let (_, mut ministry) = log_in(&app, &base, "quan.tri.btc").await;
        assert_eq!(ministry.get("/admin/sign-in").await.status(), 403);
        let response = ministry
            .post(
                "/admin/sign-in",
                &[("require_sso", "on"), ("local_users", "quan.tri.btc")],
            )
            .await;
        assert_eq!(response.status(), 403, "on {backend}");
        let (_, mut reporter) = log_in(&app, &base, "bao.cao").await;
        assert_eq!(reporter.get("/admin/sign-in").await.status(), 403);

        // Not so that the administrator saving it locks themselves out, nor with a bad line.
        let before = app.fingerprint().await;
        let response = root
            .post(
                "/admin/sign-in",
                &[("require_sso", "on"), ("local_users", "du.phong")],
            )
            .await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains("Tài khoản của bạn («quan.tri»)"), "{page}");
        assert!(page.contains("du.phong"), "what was typed is kept");
        let response = root
            .post(
                "/admin/sign-in?lang=en",
                &[
                    ("require_sso", "on"),
                    ("local_users", "quan.tri\ncó dấu cách"),
                ],
            )
            .await;
        assert_eq!(response.status(), 422);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("«có dấu cách» is not a username."),
            "in the page's language, on {backend}"
        );
        root.get("/admin/sign-in?lang=vi").await;
        assert!(before.changed(&app.fingerprint().await).is_empty());
        assert_eq!(sign_in_settings::get(&app.db).await.unwrap(), None);

        // Saved: normalised, audited, and in force at the next login.
        let response = root
            .post(
                "/admin/sign-in",
                &[
                    ("require_sso", "on"),
                    ("local_users", "Quan.Tri\n\nquan.tri, Du.Phong"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "on {backend}");
        assert_eq!(common::location(&response), "/admin/sign-in?saved=1");
        assert_eq!(
            sign_in_settings::get(&app.db).await.unwrap(),
            Some(sign_in_settings::SignInSettings {
                require_sso: true,
                local_users: vec!["du.phong".into(), "quan.tri".into()],
            })
        );
        let page = root.text("/admin/sign-in?saved=1").await;
        assert!(
            page.contains("bắt buộc đăng nhập bằng tài khoản cơ quan"),
            "{page}"
        );
        let audit = root.text("/admin/audit?action=sign_in.settings").await;
        assert!(audit.contains("sign_in.settings"), "audited, on {backend}");
        assert!(audit.contains("Cách đăng nhập — đổi thiết lập"), "in words");
        let login = app.browser();
        let mut at_base = login;
        at_base.base = base.clone();
        let page = at_base.text("/login").await;
        assert!(
            page.contains("chỉ dành cho tài khoản quản trị dự phòng"),
            "{page}"
        );
        assert_eq!(log_in(&app, &base, "bao.cao").await.0, 401, "off the list");
        assert_eq!(
            log_in(&app, &base, "quan.tri").await.0,
            303,
            "the page's list"
        );
        assert_eq!(log_in(&app, &base, "admin").await.0, 303, "the flag's list");

        // Lifted the same way.
        let response = root
            .post("/admin/sign-in", &[("local_users", "quan.tri")])
            .await;
        assert_eq!(response.status(), 303);
        assert_eq!(log_in(&app, &base, "bao.cao").await.0, 303, "on {backend}");
    }
}
