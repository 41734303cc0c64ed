//! Signing in with the organisation's account through its LDAP directory (issue 21, point 3),
//! on every backend, against the real slapd `cargo xtask test` starts with the seed of
//! `xtask/ldap/seed.ldif` (`dongbo_testkit::ldap`): the password checked by the directory, the
//! account made from its entry (name, e-mail), its groups' roles from the mapping file, the
//! lock and the one answer for a wrong password kept, an outage said as such, and SSO required
//! leaving local passwords to the local list.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{PASSWORD, TestApp, apps};
use dongbo_domain::Directory;
use dongbo_domain::access::{Grant, Role};
use dongbo_programs::sso::SignIn;
use dongbo_programs::sso::ldap::{FindPerson, LdapConfig};
use dongbo_programs::sso::mapping::Mapping;
use dongbo_store::accounts;
use dongbo_testkit::ldap::{self as directory, AN, BINH, CUONG, Person};

const WRONG: &str = "Sai tên đăng nhập hoặc mật khẩu.";

/// The groups of the seed mapped to roles: the shape of `docs/sso-mapping.example.toml`.
const MAPPING: &str = r#"
[[group]]
name = "bkhcn-bao-cao"
role = "reporter"
agency = "BKHCN"

[[group]]
name = "cn=btc-duyet,ou=groups,dc=dongbo,dc=test"
role = "approver"
agency = "BTC"

[[group]]
name = "btc-xem"
role = "viewer"
agency = "BTC"
"#;

fn grant(role: Role, agency: &str) -> Grant {
    Grant {
        role,
        agency_code: agency.to_owned(),
    }
}

/// The directory found by DN template, groups from memberOf, with `mapping`.
fn by_template(url: &str, mapping: Option<&str>) -> LdapConfig {
    LdapConfig {
        url: url.to_owned(),
        find: FindPerson::DnTemplate(format!("uid={{username}},{}", directory::PEOPLE)),
        group_base: None,
        timeout: Duration::from_secs(5),
        mapping: mapping.map(|text| Mapping::parse(text, &Directory::bundled()).unwrap()),
    }
}

/// The directory found by a search as the service account, groups searched under the base.
fn by_search(url: &str) -> LdapConfig {
    LdapConfig {
        url: url.to_owned(),
        find: FindPerson::Search {
            base: directory::PEOPLE.to_owned(),
            filter: "(&(objectClass=inetOrgPerson)(uid={username}))".to_owned(),
            service: Some((
                directory::SERVICE_DN.to_owned(),
                directory::SERVICE_PASSWORD.to_owned(),
            )),
        },
        group_base: Some(directory::GROUPS.to_owned()),
        timeout: Duration::from_secs(5),
        mapping: Some(Mapping::parse(MAPPING, &Directory::bundled()).unwrap()),
    }
}

fn signing_in_with(ldap: LdapConfig) -> SignIn {
    SignIn {
        ldap: Some(ldap),
        ..SignIn::default()
    }
}

/// Another server on `app`'s database and files, signing people in as `sign_in` says.
async fn server(app: &TestApp, sign_in: SignIn) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = dongbo_web::AppState::new(app.db.clone(), Directory::bundled(), app.files.clone())
        .with_sign_in(sign_in);
    tokio::spawn(dongbo_web::serve(listener, state, std::future::pending()));
    base
}

/// One login through the form at `base`: its status, where it leads and its page.
async fn login(base: &str, username: &str, password: &str) -> (u16, String, String) {
    let client = dongbo_library::http::client_builder(&dongbo_library::http::Trust::system())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let body = format!(
        "csrf=t0k3n&next=%2Fmy&username={}&password={}",
        common::urlencode(username),
        common::urlencode(password)
    );
    let response = client
        .post(format!("{base}/login"))
        .header(reqwest::header::COOKIE, "dongbo_login_csrf=t0k3n")
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .await
        .expect("a login request");
    let status = response.status().as_u16();
    let location = common::location(&response);
    (status, location, response.text().await.unwrap())
}

fn signed_in(outcome: &(u16, String, String), who: &Person, backend: &str) {
    assert_eq!(
        (outcome.0, outcome.1.as_str()),
        (303, "/my"),
        "{} signs in on {backend}: {}",
        who.uid,
        outcome.2
    );
}

#[tokio::test]
async fn a_directory_person_signs_in_and_gets_an_account_with_the_roles_of_their_groups() {
    let Some(url) = directory::url() else { return };
    for app in apps().await {
        let base = server(&app, signing_in_with(by_template(&url, Some(MAPPING)))).await;
        let login_page = app
            .client
            .get(format!("{base}/login"))
            .send()
            .await
            .unwrap();
        assert!(
            login_page
                .text()
                .await
                .unwrap()
                .contains("Đăng nhập bằng tài khoản cơ quan"),
            "the login page says the organisation's account works, on {}",
            app.backend
        );
        assert!(
            !app.page("/login")
                .await
                .contains("Đăng nhập bằng tài khoản cơ quan"),
            "not on a server without the directory"
        );
        // Typed in capitals and decomposed: the same person.
        let outcome = login(&base, "Nguyen.Van.An", AN.password).await;
        signed_in(&outcome, &AN, &app.backend);

        let user = accounts::get_user(&app.db, AN.uid).await.unwrap().unwrap();
        assert_eq!(user.display_name, AN.name, "on {}", app.backend);
        assert!(!user.must_change_password);
        assert_eq!(
            app.grants_of(AN.uid).await,
            BTreeSet::from([grant(Role::Reporter, "BKHCN"), grant(Role::Viewer, "BTC")]),
            "on {}",
            app.backend
        );
        let email = dongbo_store::notifications::email_setting(&app.db, user.id)
            .await
            .unwrap()
            .expect("the directory's address is kept");
        assert_eq!(Some(email.email.as_str()), AN.mail);
        let actions: Vec<String> = app
            .user_audit(AN.uid)
            .await
            .into_iter()
            .map(|(action, _)| action)
            .collect();
        assert_eq!(
            actions,
            ["user.create", "user.sso_update", "user.login"],
            "on {}",
            app.backend
        );
        let (_, login_entry) = app.user_audit(AN.uid).await.pop().unwrap();
        assert!(login_entry.unwrap().contains("\"via\":\"ldap\""));

        // Its password is the organisation's: the password page says so and changes nothing.
        let mut browser = app.browser();
        browser.base = base.clone();
        let response = browser.login(AN.uid, AN.password).await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        let page = browser.text("/account/password").await;
        assert!(
            page.contains("Bạn đăng nhập bằng tài khoản cơ quan"),
            "{page}"
        );
        assert!(
            !page.contains("name=\"current\""),
            "no password form: {page}"
        );
        let response = browser
            .post(
                "/account/password",
                &[
                    ("current", AN.password),
                    ("new", "Mật khẩu mới dài 2027"),
                    ("confirm", "Mật khẩu mới dài 2027"),
                ],
            )
            .await;
        assert_eq!(response.status(), 409, "on {}", app.backend);

        // The account does not take a local password: the same sign-in on a server without
        // the directory is refused.
        let local_only = server(&app, SignIn::default()).await;
        let (status, _, page) = login(&local_only, AN.uid, AN.password).await;
        assert_eq!(status, 401, "on {}", app.backend);
        assert!(page.contains(WRONG));

        // A disabled account is refused though the directory takes the password.
        accounts::set_disabled(&app.db, "admin", AN.uid, true)
            .await
            .unwrap();
        let (status, _, page) = login(&base, AN.uid, AN.password).await;
        assert_eq!(status, 401, "disabled, on {}", app.backend);
        assert!(page.contains(WRONG));
        let (_, refused) = app.user_audit(AN.uid).await.pop().unwrap();
        assert!(refused.unwrap().contains("disabled"));

        // A person in no mapped group signs in with no role.
        let outcome = login(&base, CUONG.uid, CUONG.password).await;
        signed_in(&outcome, &CUONG, &app.backend);
        assert!(app.grants_of(CUONG.uid).await.is_empty());
        let cuong = accounts::get_user(&app.db, CUONG.uid)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(cuong.display_name, CUONG.name);
    }
}

#[tokio::test]
async fn a_wrong_directory_password_reads_as_a_wrong_local_one_and_locks_the_account() {
    let Some(url) = directory::url() else { return };
    for app in apps().await {
        let base = server(&app, signing_in_with(by_template(&url, Some(MAPPING)))).await;
        // Unknown to the directory, wrong password, empty password (an anonymous bind would
        // succeed), a filter or DN trick: one answer, and no account made.
        for (username, password) in [
            ("khong.co.ai", "Mật khẩu gì đó 1"),
            (BINH.uid, "Sai mật khẩu rồi 1"),
            (BINH.uid, ""),
            ("*", "Sai mật khẩu rồi 1"),
            ("nguyen.van.an,ou=people", AN.password),
        ] {
            let (status, _, page) = login(&base, username, password).await;
            assert_eq!(status, 401, "{username} on {}", app.backend);
            assert!(page.contains(WRONG), "{username}: {page}");
        }
        assert!(
            accounts::get_user(&app.db, BINH.uid)
                .await
                .unwrap()
                .is_none(),
            "a refused sign-in makes no account, on {}",
            app.backend
        );

        // Once the account exists, wrong passwords count toward its lock as local ones do,
        // and a locked account is refused even the right password.
        signed_in(
            &login(&base, BINH.uid, BINH.password).await,
            &BINH,
            &app.backend,
        );
        for i in 0..5 {
            let (status, ..) = login(&base, BINH.uid, "Sai mật khẩu rồi 1").await;
            assert_eq!(status, 401, "failure {i} on {}", app.backend);
        }
        let (status, _, page) = login(&base, BINH.uid, BINH.password).await;
        assert_eq!(status, 401, "locked, on {}", app.backend);
        assert!(page.contains(WRONG));
        let actions: Vec<String> = app
            .user_audit(BINH.uid)
            .await
            .into_iter()
            .map(|(action, _)| action)
            .collect();
        assert!(actions.contains(&"user.locked".to_owned()), "{actions:?}");
    }
}

#[tokio::test]
async fn mapped_roles_are_replaced_at_each_sign_in_and_an_administrators_are_kept() {
    let Some(url) = directory::url() else { return };
    for app in apps().await {
        // Found by a search as the service account; groups searched under their base.
        let base = server(&app, signing_in_with(by_search(&url))).await;
        signed_in(
            &login(&base, BINH.uid, BINH.password).await,
            &BINH,
            &app.backend,
        );
        assert_eq!(
            app.grants_of(BINH.uid).await,
            BTreeSet::from([grant(Role::Approver, "BTC"), grant(Role::Viewer, "BTC")]),
            "on {}",
            app.backend
        );
        accounts::grant(
            &app.db,
            "admin",
            BINH.uid,
            &grant(Role::Coordinator, "BKHCN"),
        )
        .await
        .unwrap();

        // An administrator giving a grant the mapping gave makes it theirs.
        assert!(
            accounts::grant(&app.db, "admin", BINH.uid, &grant(Role::Viewer, "BTC"))
                .await
                .unwrap(),
            "on {}",
            app.backend
        );

        // The mapping changes: approvers of BTC become its coordinators, and btc-xem no
        // longer gives a role.
        let changed = MAPPING
            .replace("role = \"approver\"", "role = \"coordinator\"")
            .replace("name = \"btc-xem\"", "name = \"nhóm-khác\"");
        let mut ldap = by_search(&url);
        ldap.mapping = Some(Mapping::parse(&changed, &Directory::bundled()).unwrap());
        let base = server(&app, signing_in_with(ldap)).await;
        signed_in(
            &login(&base, BINH.uid, BINH.password).await,
            &BINH,
            &app.backend,
        );
        assert_eq!(
            app.grants_of(BINH.uid).await,
            BTreeSet::from([
                grant(Role::Coordinator, "BTC"),
                grant(Role::Viewer, "BTC"),
                grant(Role::Coordinator, "BKHCN"),
            ]),
            "the mapped grants replaced, the administrator's (given or taken over) kept, on {}",
            app.backend
        );
        let (_, update) = app
            .user_audit(BINH.uid)
            .await
            .into_iter()
            .rfind(|(action, _)| action == "user.sso_update")
            .unwrap();
        assert!(update.unwrap().contains("coordinator"));

        // Without a mapping file, roles are kept local: nothing changes.
        let base = server(&app, signing_in_with(by_template(&url, None))).await;
        signed_in(
            &login(&base, BINH.uid, BINH.password).await,
            &BINH,
            &app.backend,
        );
        assert_eq!(app.grants_of(BINH.uid).await.len(), 3, "on {}", app.backend);
    }
}

#[tokio::test]
async fn a_directory_that_cannot_be_reached_is_said_as_such_and_changes_nothing() {
    for app in apps().await {
        // A port nothing listens on.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("ldap://{}", closed.local_addr().unwrap());
        drop(closed);
        let base = server(&app, signing_in_with(by_template(&url, Some(MAPPING)))).await;
        let before = app.fingerprint().await;
        let (status, _, page) = login(&base, AN.uid, AN.password).await;
        assert_eq!(status, 503, "on {}", app.backend);
        assert!(
            page.contains("Không kết nối được với hệ thống tài khoản của cơ quan"),
            "{page}"
        );
        assert!(
            accounts::get_user(&app.db, AN.uid).await.unwrap().is_none(),
            "on {}",
            app.backend
        );
        assert!(app.fingerprint().await.changed(&before).is_empty());
        // A local account still signs in locally meanwhile.
        app.user("can.bo.dia.phuong", "viewer", "BTC", false).await;
        let (status, location, _) = login(&base, "can.bo.dia.phuong", PASSWORD).await;
        assert_eq!(
            (status, location.as_str()),
            (303, "/my"),
            "on {}",
            app.backend
        );
    }
}

#[tokio::test]
async fn with_sso_required_only_the_local_list_keeps_local_passwords() {
    let Some(url) = directory::url() else { return };
    for app in apps().await {
        app.user("admin", "admin", "CP", false).await;
        // An account made locally before the directory was connected, named as in it.
        app.user(BINH.uid, "viewer", "BTC", false).await;

        let optional = server(&app, signing_in_with(by_template(&url, Some(MAPPING)))).await;
        let (status, location, _) = login(&optional, BINH.uid, PASSWORD).await;
        assert_eq!(
            (status, location.as_str()),
            (303, "/my"),
            "SSO not required: a local account keeps its password, on {}",
            app.backend
        );

        let required = SignIn {
            require_sso: true,
            local_users: BTreeSet::from(["admin".to_owned()]),
            ..signing_in_with(by_template(&url, Some(MAPPING)))
        };
        let required = server(&app, required).await;
        let (status, location, _) = login(&required, "admin", PASSWORD).await;
        assert_eq!(
            (status, location.as_str()),
            (303, "/my"),
            "the local list keeps its password, on {}",
            app.backend
        );
        let (status, _, page) = login(&required, BINH.uid, PASSWORD).await;
        assert_eq!(
            status, 401,
            "the local password no longer works, on {}",
            app.backend
        );
        assert!(page.contains(WRONG));
        signed_in(
            &login(&required, BINH.uid, BINH.password).await,
            &BINH,
            &app.backend,
        );
        assert_eq!(
            app.grants_of(BINH.uid).await,
            BTreeSet::from([grant(Role::Approver, "BTC"), grant(Role::Viewer, "BTC")]),
            "the directory took the account over; the administrator's viewer grant is the \
             mapping's too, on {}",
            app.backend
        );
        let binh = accounts::get_user(&app.db, BINH.uid)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(binh.display_name, BINH.name);
        let (status, ..) = login(&optional, BINH.uid, PASSWORD).await;
        assert_eq!(
            status, 401,
            "once taken over, the account's password is the directory's, on {}",
            app.backend
        );
    }
}

#[tokio::test]
async fn first_sign_ins_of_one_person_at_once_make_one_account() {
    let Some(url) = directory::url() else { return };
    for app in apps().await {
        let base = server(&app, signing_in_with(by_template(&url, Some(MAPPING)))).await;
        let mut attempts = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let base = base.clone();
            attempts.spawn(async move { login(&base, CUONG.uid, CUONG.password).await });
        }
        while let Some(outcome) = attempts.join_next().await {
            signed_in(&outcome.unwrap(), &CUONG, &app.backend);
        }
        let creations = app
            .user_audit(CUONG.uid)
            .await
            .into_iter()
            .filter(|(action, _)| action == "user.create")
            .count();
        assert_eq!(creations, 1, "on {}", app.backend);
    }
}
