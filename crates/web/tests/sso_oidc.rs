//! Signing in through the organisation's OpenID Connect provider (issue 21, point 3), on every
//! backend, against the real provider `cargo xtask test` starts (npm's `oidc-provider`, with
//! the people of `xtask/oidc/provider.mjs`; `dongbo_testkit::oidc`). The browser is played
//! request by request: the button, the provider's own login form, the way back with a code.
//! Each test server registers itself at the provider as a client (RFC 7591), with its own
//! callback address.
//!
//! What is checked: the account made from the ID token's claims (name, verified e-mail, the
//! groups' roles from the mapping file) and the session; an existing account matched by the
//! username claim and taken over; the break-glass account never signed in by the provider;
//! and the flow's own checks, each on a real answer of the provider — the state against the
//! browser's pending sign-in, the nonce in the ID token, the PKCE verifier at the token
//! endpoint, a code used twice — every refusal leaving no session and saying why.

mod common;

use std::collections::BTreeSet;

use common::{Browser, TestApp, apps};
use dongbo_domain::Directory;
use dongbo_domain::access::{Grant, Role};
use dongbo_programs::sso::SignIn;
use dongbo_programs::sso::mapping::Mapping;
use dongbo_programs::sso::oidc::{OidcConfig, OidcSettings};
use dongbo_store::accounts;
use dongbo_testkit::oidc::{self as provider, ADMIN, DUC, HA, Person};

/// The provider's groups mapped to roles.
const MAPPING: &str = r#"
[[group]]
name = "bkhcn-bao-cao"
role = "reporter"
agency = "BKHCN"

[[group]]
name = "btc-duyet"
role = "approver"
agency = "BTC"
"#;

const LABEL: &str = "Đăng nhập bằng Cổng định danh Bộ (thử)";

fn http() -> reqwest::Client {
    dongbo_library::http::client_builder(&dongbo_library::http::Trust::system())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Registers a client whose callback is `redirect` at the provider: its id and secret.
async fn register(issuer: &str, redirect: &str) -> (String, String) {
    let answer: serde_json::Value = http()
        .post(format!("{issuer}/reg"))
        .json(&serde_json::json!({
            "redirect_uris": [redirect],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "client_name": "Đồng Bộ (thử)",
        }))
        .send()
        .await
        .expect("registration")
        .json()
        .await
        .expect("a registered client");
    (
        answer["client_id"].as_str().unwrap().to_owned(),
        answer["client_secret"].as_str().unwrap().to_owned(),
    )
}

/// Another server on `app`'s database and files, registered at the provider at `issuer` and
/// signing people in through it (and `require_sso` as given): its base address.
async fn server(app: &TestApp, issuer: &str, require_sso: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let redirect = format!("{base}/login/oidc/callback");
    let (client_id, client_secret) = register(issuer, &redirect).await;
    let settings = OidcSettings {
        issuer: issuer.to_owned(),
        client_id,
        client_secret,
        redirect_url: redirect,
        scopes: vec!["profile".into(), "email".into(), "groups".into()],
        username_claim: "preferred_username".into(),
        groups_claim: "groups".into(),
        label: LABEL.into(),
    };
    let mapping = Mapping::parse(MAPPING, &Directory::bundled()).unwrap();
    let sign_in = SignIn {
        oidc: Some(OidcConfig::new(settings, Some(mapping), http()).expect("valid settings")),
        require_sso,
        local_users: BTreeSet::from(["admin".to_owned()]),
        ..SignIn::default()
    };
    let state = dongbo_web::AppState::new(app.db.clone(), Directory::bundled(), app.files.clone())
        .with_sign_in(sign_in);
    tokio::spawn(dongbo_web::serve(listener, state, std::future::pending()));
    base
}

/// A browser that goes wherever it is sent (the server and the provider share its cookies, as
/// a browser's would on one host).
fn browser() -> Browser {
    Browser {
        base: String::new(),
        client: http(),
        cookies: Vec::new(),
    }
}

/// Where a redirect from `from` leads, made absolute.
fn next_address(from: &str, response: &reqwest::Response) -> String {
    let location = common::location(response);
    assert!(!location.is_empty(), "a redirect from {from}");
    if location.starts_with("http") {
        return location;
    }
    let origin: String = from.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
    format!("{origin}{location}")
}

/// From the button on `base`'s login page to the provider's answer at our callback, signing
/// in there as `person`: the callback's address, not yet visited.
async fn to_the_callback(browser: &mut Browser, base: &str, person: &Person) -> String {
    let start = format!("{base}/login/oidc?next=%2Fprograms");
    let response = browser.get(&start).await;
    assert_eq!(response.status(), 303, "the button sends the browser away");
    let authorize = next_address(&start, &response);
    for part in [
        "code_challenge_method=S256",
        "code_challenge=",
        "state=",
        "nonce=",
    ] {
        assert!(authorize.contains(part), "{part} in {authorize}");
    }
    assert!(
        browser
            .cookies
            .iter()
            .any(|(name, _)| name == "dongbo_oidc"),
        "the pending sign-in is kept by the browser"
    );
    let response = browser.get(&authorize).await;
    assert_eq!(response.status(), 303, "to the provider's login");
    let form = next_address(&authorize, &response);
    let page = browser.get(&form).await.text().await.unwrap();
    assert!(page.contains("Cổng định danh của Bộ"), "{page}");
    let response = browser
        .post_raw(
            &format!("{form}/login"),
            &[("login", person.username), ("password", person.password)],
        )
        .await;
    assert_eq!(
        response.status(),
        303,
        "{} signs in at the provider",
        person.username
    );
    let mut address = next_address(&form, &response);
    while !address.starts_with(base) {
        let response = browser.get(&address).await;
        assert_eq!(response.status(), 303, "GET {address}");
        address = next_address(&address, &response);
    }
    assert!(
        address.starts_with(&format!("{base}/login/oidc/callback?code=")),
        "{address}"
    );
    address
}

/// The callback's status, where it leads and its page.
async fn come_back(browser: &mut Browser, callback: &str) -> (u16, String, String) {
    let response = browser.get(callback).await;
    let status = response.status().as_u16();
    let location = common::location(&response);
    (status, location, response.text().await.unwrap())
}

fn has_session(browser: &Browser) -> bool {
    browser
        .cookies
        .iter()
        .any(|(name, _)| name == "dongbo_session")
}

/// The cookie of the pending sign-in with its part `index` (state, nonce, verifier, next)
/// replaced by `value`.
fn tamper(browser: &mut Browser, index: usize, value: &str) {
    let cookie = browser
        .cookies
        .iter_mut()
        .find(|(name, _)| name == "dongbo_oidc")
        .expect("a pending sign-in");
    let mut parts: Vec<String> = cookie.1.split('.').map(str::to_owned).collect();
    parts[index] = value.to_owned();
    cookie.1 = parts.join(".");
}

fn grant(role: Role, agency: &str) -> Grant {
    Grant {
        role,
        agency_code: agency.to_owned(),
    }
}

#[tokio::test]
async fn a_person_signs_in_through_the_provider_and_gets_an_account_with_the_roles_of_their_groups()
{
    let Some(issuer) = provider::issuer() else {
        return;
    };
    for app in apps().await {
        let backend = app.backend.clone();
        let base = server(&app, &issuer, false).await;
        let mut browser = browser();
        let login = browser
            .get(&format!("{base}/login"))
            .await
            .text()
            .await
            .unwrap();
        assert!(login.contains(LABEL), "the button, on {backend}: {login}");
        assert!(
            !app.page("/login").await.contains("/login/oidc"),
            "no button on a server without a provider"
        );

        // A wrong password at the provider is the provider's to refuse: nothing comes back.
        let start = format!("{base}/login/oidc");
        let response = browser.get(&start).await;
        let authorize = next_address(&start, &response);
        let response = browser.get(&authorize).await;
        let form = next_address(&authorize, &response);
        let response = browser
            .post_raw(
                &format!("{form}/login"),
                &[("login", DUC.username), ("password", "sai mật khẩu")],
            )
            .await;
        assert_eq!(response.status(), 401);
        assert!(response.text().await.unwrap().contains("Sai tên đăng nhập"));

        let callback = to_the_callback(&mut browser, &base, &DUC).await;
        let (status, location, page) = come_back(&mut browser, &callback).await;
        assert_eq!(
            (status, location.as_str()),
            (303, "/programs"),
            "signed in and sent where the user was going, on {backend}: {page}"
        );
        assert!(has_session(&browser));
        assert!(
            !browser
                .cookies
                .iter()
                .any(|(name, _)| name == "dongbo_oidc"),
            "the pending sign-in is gone"
        );
        let my = browser
            .get(&format!("{base}/my"))
            .await
            .text()
            .await
            .unwrap();
        assert!(my.contains(DUC.name), "the session is Đức's, on {backend}");

        let user = accounts::get_user(&app.db, DUC.username)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(user.display_name, DUC.name);
        assert!(!user.must_change_password);
        assert_eq!(
            app.grants_of(DUC.username).await,
            BTreeSet::from([grant(Role::Reporter, "BKHCN")]),
            "on {backend}"
        );
        let email = dongbo_store::notifications::email_setting(&app.db, user.id)
            .await
            .unwrap()
            .expect("the provider's verified address is kept");
        assert_eq!(Some(email.email.as_str()), DUC.email);
        let entries = app.user_audit(DUC.username).await;
        let actions: Vec<&str> = entries.iter().map(|(action, _)| action.as_str()).collect();
        assert_eq!(
            actions,
            ["user.create", "user.sso_update", "user.login"],
            "on {backend}"
        );
        assert!(
            entries[0]
                .1
                .as_deref()
                .unwrap()
                .contains("\"sso_source\":\"oidc\"")
        );
        assert!(
            entries[2]
                .1
                .as_deref()
                .unwrap()
                .contains("\"via\":\"oidc\"")
        );

        // Its password is the organisation's: the password form refuses it (there is no
        // directory to ask), as a wrong password.
        let mut form = app.browser();
        form.base = base.clone();
        assert_eq!(form.login(DUC.username, DUC.password).await.status(), 401);

        // An account an administrator made (a focal point, local) is matched by the username
        // claim and taken over; the provider's unverified e-mail is not kept; the roles its
        // groups map to are added to those the administrator gave.
        app.user(HA.username, "viewer", "BTC", false).await;
        let before = accounts::get_user(&app.db, HA.username)
            .await
            .unwrap()
            .unwrap();
        let mut browser = self::browser();
        let callback = to_the_callback(&mut browser, &base, &HA).await;
        let (status, _, page) = come_back(&mut browser, &callback).await;
        assert_eq!(status, 303, "Hà signs in, on {backend}: {page}");
        let after = accounts::get_user(&app.db, HA.username)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.id, before.id, "the same account");
        assert_eq!(after.display_name, HA.name);
        assert_eq!(
            app.grants_of(HA.username).await,
            BTreeSet::from([grant(Role::Viewer, "BTC"), grant(Role::Approver, "BTC")]),
            "on {backend}"
        );
        assert!(
            dongbo_store::notifications::email_setting(&app.db, after.id)
                .await
                .unwrap()
                .is_none(),
            "an unverified address is not taken, on {backend}"
        );
        assert_eq!(
            accounts::sso::account_kind(&app.db, HA.username)
                .await
                .unwrap(),
            accounts::sso::AccountKind::Sso("oidc".into())
        );
    }
}

#[tokio::test]
async fn every_check_of_the_flow_refuses_on_a_real_answer_and_leaves_no_session() {
    let Some(issuer) = provider::issuer() else {
        return;
    };
    for app in apps().await {
        let backend = app.backend.clone();
        let base = server(&app, &issuer, false).await;
        app.user("admin", "admin", "CP", false).await;
        let expired = "Lượt đăng nhập này đã hết hạn hoặc được mở ở trình duyệt khác";
        let not_accepted = "Cổng định danh không xác nhận được lượt đăng nhập này";

        // The state: a callback that is not the sign-in this browser began.
        let mut browser = browser();
        let callback = to_the_callback(&mut browser, &base, &DUC).await;
        tamper(&mut browser, 0, "another-state");
        let (status, _, page) = come_back(&mut browser, &callback).await;
        assert_eq!(status, 400, "state, on {backend}");
        assert!(page.contains(expired), "{page}");
        assert!(!has_session(&browser));
        // Nor with no pending sign-in at all (another browser, or a forged link).
        let mut stranger = self::browser();
        let (status, _, page) = come_back(&mut stranger, &callback).await;
        assert_eq!(status, 400, "no pending sign-in, on {backend}");
        assert!(page.contains(expired));

        // The nonce: the ID token the provider signs carries the one this browser began with.
        let mut browser = self::browser();
        let callback = to_the_callback(&mut browser, &base, &DUC).await;
        tamper(&mut browser, 1, "a-nonce-the-provider-never-saw");
        let (status, _, page) = come_back(&mut browser, &callback).await;
        assert_eq!(status, 401, "nonce, on {backend}");
        assert!(page.contains(not_accepted), "{page}");
        assert!(!has_session(&browser));

        // The PKCE verifier: the provider gives no tokens for the code without the right one.
        let mut browser = self::browser();
        let callback = to_the_callback(&mut browser, &base, &DUC).await;
        let pending = browser
            .cookies
            .iter()
            .find(|(name, _)| name == "dongbo_oidc")
            .unwrap()
            .1
            .clone();
        tamper(&mut browser, 2, &"v".repeat(64));
        let (status, _, _) = come_back(&mut browser, &callback).await;
        assert_eq!(status, 401, "verifier, on {backend}");
        assert!(!has_session(&browser));

        // A code is good once: signed in with it, then the same callback again is refused.
        let mut browser = self::browser();
        let callback = to_the_callback(&mut browser, &base, &DUC).await;
        let cookie = browser
            .cookies
            .iter()
            .find(|(name, _)| name == "dongbo_oidc")
            .unwrap()
            .1
            .clone();
        assert_ne!(
            cookie, pending,
            "each sign-in has its own state, nonce and verifier"
        );
        let (status, _, _) = come_back(&mut browser, &callback).await;
        assert_eq!(status, 303, "on {backend}");
        let mut replay = self::browser();
        replay.cookies.push(("dongbo_oidc".into(), cookie));
        let (status, _, page) = come_back(&mut replay, &callback).await;
        assert_eq!(status, 401, "a code used twice, on {backend}");
        assert!(page.contains(not_accepted));
        assert!(!has_session(&replay));

        // The user cancelled at the provider.
        let mut browser = self::browser();
        let (status, _, page) = come_back(
            &mut browser,
            &format!("{base}/login/oidc/callback?error=access_denied&state=x"),
        )
        .await;
        assert_eq!(status, 401);
        assert!(
            page.contains("Cổng định danh không cho đăng nhập"),
            "{page}"
        );

        // The break-glass account is never signed in by the provider, though it vouches for
        // a person named "admin"; the account stays local.
        let mut browser = self::browser();
        let callback = to_the_callback(&mut browser, &base, &ADMIN).await;
        let (status, _, page) = come_back(&mut browser, &callback).await;
        assert_eq!(status, 403, "admin, on {backend}");
        assert!(page.contains("chỉ đăng nhập bằng mật khẩu"), "{page}");
        assert!(!has_session(&browser));
        assert_eq!(
            accounts::sso::account_kind(&app.db, "admin").await.unwrap(),
            accounts::sso::AccountKind::Local
        );

        // A provider that cannot be reached is said as such, and nothing is begun.
        let unreachable = OidcSettings {
            issuer: "http://127.0.0.1:9".into(),
            client_id: "dongbo".into(),
            client_secret: String::new(),
            redirect_url: "http://127.0.0.1:9/login/oidc/callback".into(),
            scopes: vec![],
            username_claim: "preferred_username".into(),
            groups_claim: "groups".into(),
            label: String::new(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let down = format!("http://{}", listener.local_addr().unwrap());
        let sign_in = SignIn {
            oidc: Some(OidcConfig::new(unreachable, None, http()).unwrap()),
            ..SignIn::default()
        };
        let state =
            dongbo_web::AppState::new(app.db.clone(), Directory::bundled(), app.files.clone())
                .with_sign_in(sign_in);
        tokio::spawn(dongbo_web::serve(listener, state, std::future::pending()));
        let mut browser = self::browser();
        let response = browser.get(&format!("{down}/login/oidc")).await;
        assert_eq!(response.status(), 503, "on {backend}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Không kết nối được với cổng định danh")
        );
        assert!(
            !browser
                .cookies
                .iter()
                .any(|(name, _)| name == "dongbo_oidc")
        );
    }
}

#[tokio::test]
async fn with_sso_required_only_the_local_list_keeps_a_password() {
    let Some(issuer) = provider::issuer() else {
        return;
    };
    for app in apps().await {
        let backend = app.backend.clone();
        let base = server(&app, &issuer, true).await;
        app.user("admin", "admin", "CP", false).await;
        app.user("dau.moi.btc", "reporter", "BTC", false).await;
        let mut form = app.browser();
        form.base = base.clone();
        let login = form.text("/login").await;
        assert!(
            login.contains("chỉ dành cho tài khoản quản trị dự phòng"),
            "{login}"
        );
        assert_eq!(
            form.login("dau.moi.btc", common::PASSWORD).await.status(),
            401,
            "a local account off the list, on {backend}"
        );
        let mut admin = app.browser();
        admin.base = base.clone();
        assert_eq!(
            admin.login("admin", common::PASSWORD).await.status(),
            303,
            "the break-glass account, on {backend}"
        );
    }
}
