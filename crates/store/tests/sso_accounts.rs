//! The local side of signing in through the organisation's directory (`accounts::sso`), on
//! both backends: the account made at the first sign-in signs in nowhere else, the mapped
//! grants are kept apart from an administrator's, and an attempt the directory could not judge
//! gives its throttle count back.

use std::net::IpAddr;

use dongbo_domain::access::{Grant, PasswordPolicy, Role};
use dongbo_domain::{Agency, AgencyKind, Directory, clock};
use dongbo_store::accounts::sso::{self, AccountKind, SsoIdentity, SsoSource};
use dongbo_store::accounts::{self, AccountError, LoginPolicy, NewUser};
use dongbo_store::{Db, directory};

dongbo_testkit::backend_tests!(
    an_account_made_at_sign_in_reports_its_kind_and_takes_no_local_password,
    mapped_grants_are_replaced_and_unknown_agencies_left_out,
    an_attempt_the_directory_could_not_judge_gives_its_count_back,
);

const PASSWORD: &str = "Mật khẩu đủ dài 2025";

fn source() -> IpAddr {
    "192.0.2.7".parse().unwrap()
}

fn agency(code: &str) -> Agency {
    Agency {
        code: code.to_owned(),
        kind: AgencyKind::Ministry,
        name_vi: code.to_owned(),
        name_en: code.to_owned(),
        aliases: Vec::new(),
        valid_from: None,
        valid_until: None,
        parent: None,
        successors: Vec::new(),
        source: None,
        source_vi: None,
    }
}

async fn with_directory(db: &Db) {
    let directory = Directory {
        agencies: vec![agency("BTC"), agency("BKHCN")],
        sets: Vec::new(),
    };
    directory::save(db, &directory).await.unwrap();
}

fn grant(role: Role, agency: &str) -> Grant {
    Grant {
        role,
        agency_code: agency.to_owned(),
    }
}

fn identity(username: &str, grants: Option<Vec<Grant>>) -> SsoIdentity {
    SsoIdentity {
        source: SsoSource::Ldap,
        username: username.to_owned(),
        display_name: " Nguyễn Văn An ".to_owned(),
        email: Some("an.nv@most.gov.vn".to_owned()),
        grants,
    }
}

async fn finish(
    db: &Db,
    username: &str,
    accepted: Option<&SsoIdentity>,
) -> Result<accounts::User, AccountError> {
    sso::finish(
        db,
        username,
        accepted,
        source(),
        &LoginPolicy::default(),
        clock::now(),
    )
    .await
}

async fn an_account_made_at_sign_in_reports_its_kind_and_takes_no_local_password(db: &Db) {
    with_directory(db).await;
    assert_eq!(
        sso::account_kind(db, "nguyen.van.an").await.unwrap(),
        AccountKind::Unknown
    );
    assert_eq!(
        sso::account_kind(db, "không hợp lệ!").await.unwrap(),
        AccountKind::Unknown
    );
    // Refused by the directory, unknown here: nothing is made.
    assert!(matches!(
        finish(db, "nguyen.van.an", None).await,
        Err(AccountError::BadCredentials)
    ));
    assert!(
        accounts::get_user(db, "nguyen.van.an")
            .await
            .unwrap()
            .is_none()
    );

    let user = finish(db, "Nguyen.Van.An", Some(&identity("nguyen.van.an", None)))
        .await
        .unwrap();
    assert_eq!(user.username, "nguyen.van.an");
    assert_eq!(user.display_name, "Nguyễn Văn An");
    assert_eq!(
        sso::account_kind(db, "nguyen.van.an").await.unwrap(),
        AccountKind::Sso("ldap".to_owned())
    );
    for password in [sso::NO_PASSWORD, "", PASSWORD] {
        let local = accounts::verify_login(
            db,
            "nguyen.van.an",
            password,
            source(),
            &LoginPolicy::default(),
            clock::now(),
        )
        .await;
        assert!(
            matches!(local, Err(AccountError::BadCredentials)),
            "{password:?}"
        );
    }

    accounts::create_user(
        db,
        "cli",
        &NewUser {
            username: "quantri".to_owned(),
            display_name: "Quản trị".to_owned(),
            password: PASSWORD.to_owned(),
            must_change_password: false,
        },
        &PasswordPolicy::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        sso::account_kind(db, "QuanTri").await.unwrap(),
        AccountKind::Local
    );
}

async fn mapped_grants_are_replaced_and_unknown_agencies_left_out(db: &Db) {
    with_directory(db).await;
    let first = identity(
        "an",
        Some(vec![
            grant(Role::Reporter, "BKHCN"),
            grant(Role::Viewer, "KHÔNG-CÓ"),
        ]),
    );
    let user = finish(db, "an", Some(&first)).await.unwrap();
    let grants = |id| async move { accounts::grants_of(db, id).await.unwrap() };
    assert_eq!(grants(user.id).await, vec![grant(Role::Reporter, "BKHCN")]);
    accounts::grant(db, "cli", "an", &grant(Role::Viewer, "BTC"))
        .await
        .unwrap();

    let second = identity("an", Some(vec![grant(Role::Approver, "BTC")]));
    finish(db, "an", Some(&second)).await.unwrap();
    assert_eq!(
        grants(user.id).await,
        vec![grant(Role::Viewer, "BTC"), grant(Role::Approver, "BTC")]
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>(),
        "the administrator's kept, the mapped one replaced"
    );
    // Without a mapping, nothing changes.
    finish(db, "an", Some(&identity("an", None))).await.unwrap();
    assert_eq!(grants(user.id).await.len(), 2);
}

async fn an_attempt_the_directory_could_not_judge_gives_its_count_back(db: &Db) {
    let policy = LoginPolicy::default();
    let now = clock::now();
    for _ in 0..policy.source_failures + 5 {
        sso::start(db, source(), &policy, now).await.unwrap();
        sso::abandon(db, source()).await.unwrap();
    }
    for _ in 0..policy.source_failures {
        sso::start(db, source(), &policy, now).await.unwrap();
    }
    assert!(matches!(
        sso::start(db, source(), &policy, now).await,
        Err(AccountError::Throttled { .. })
    ));
}
