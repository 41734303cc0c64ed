//! Users, grants, logins, sessions and API tokens, run on SQLite and on PostgreSQL
//! (`sqlite::…` and `postgres::…` test names), like the storage contract suite.

use chrono::{DateTime, Duration, Utc};
use dongbo_domain::access::{Grant, PasswordPolicy, PolicyViolation, Role};
use dongbo_domain::{Agency, AgencyKind, Directory};
use std::net::IpAddr;

use dongbo_store::accounts::{self, AccountError, LoginPolicy, NewUser, SessionPolicy};
use dongbo_store::{Db, audit, directory, login_attempts, notifications};

dongbo_testkit::backend_tests!(
    a_created_user_is_stored_nfc_lower_case_and_logs_in_with_its_password,
    a_taken_username_is_refused_whatever_its_case,
    a_weak_password_is_refused_with_every_rule_it_breaks,
    a_wrong_password_and_an_unknown_user_give_the_same_error,
    five_failed_logins_lock_the_account_for_their_source_until_the_lockout_ends,
    each_lock_in_a_row_lasts_twice_as_long_up_to_an_hour,
    a_successful_login_resets_the_failure_count,
    concurrent_failed_logins_lock_the_account_exactly_once,
    a_source_is_throttled_after_its_allowance_of_failures_whatever_the_account,
    a_lock_is_audited_with_its_source_and_notified_to_each_agency_of_the_user,
    a_password_reset_lifts_the_locks_of_the_account,
    login_counts_of_a_quiet_day_are_forgotten,
    a_disabled_account_is_refused_like_a_wrong_password_and_loses_its_sessions,
    setting_a_password_checks_the_policy_and_sets_must_change_as_asked,
    grants_are_added_once_revoked_and_refused_for_unknown_agencies_and_users,
    users_are_listed_by_username_with_their_grants,
    a_session_gives_its_user_and_grants_and_moves_its_idle_expiry,
    a_session_ends_when_idle_too_long,
    a_session_read_again_within_a_minute_is_not_rewritten,
    a_session_ends_at_its_absolute_expiry_however_active,
    sessions_are_stored_by_hash_and_never_by_token,
    logging_out_ends_the_session,
    removing_expired_sessions_keeps_live_ones,
    changing_the_password_ends_the_users_sessions,
    an_api_token_is_shown_once_stored_hashed_and_stops_working_when_revoked,
    every_account_change_is_audited_without_secrets_and_the_chain_verifies,
    a_failed_change_leaves_no_audit_entry,
    a_session_and_a_token_carry_every_grant_of_their_user_or_none,
);

const PASSWORD: &str = "Sen trắng 2025!";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn agency(code: &str, parent: Option<&str>) -> Agency {
    Agency {
        code: code.to_owned(),
        kind: AgencyKind::Ministry,
        name_vi: code.to_owned(),
        name_en: code.to_owned(),
        aliases: Vec::new(),
        valid_from: None,
        valid_until: None,
        parent: parent.map(str::to_owned),
        successors: Vec::new(),
        source: None,
        source_vi: None,
    }
}

async fn with_directory(db: &Db) {
    let directory = Directory {
        agencies: vec![
            agency("CP", None),
            agency("BNG", Some("CP")),
            agency("HN", None),
        ],
        sets: Vec::new(),
    };
    directory::save(db, &directory).await.unwrap();
}

async fn add_user(db: &Db, username: &str) -> accounts::User {
    accounts::create_user(
        db,
        "cli",
        &NewUser {
            username: username.to_owned(),
            display_name: format!("Người dùng {username}"),
            password: PASSWORD.to_owned(),
            must_change_password: false,
        },
        &PasswordPolicy::default(),
    )
    .await
    .unwrap()
}

/// The address most tests log in from.
const HOME: &str = "192.0.2.1";
/// Another client's.
const STRANGER: &str = "198.51.100.66";

async fn login(
    db: &Db,
    username: &str,
    password: &str,
    at: DateTime<Utc>,
) -> Result<accounts::User, AccountError> {
    login_from(db, username, password, HOME, at).await
}

async fn login_from(
    db: &Db,
    username: &str,
    password: &str,
    source: &str,
    at: DateTime<Utc>,
) -> Result<accounts::User, AccountError> {
    let source: IpAddr = source.parse().unwrap();
    accounts::verify_login(db, username, password, source, &LoginPolicy::default(), at).await
}

/// The locks in force at `at`, as (username, source, until).
async fn locks(db: &Db, at: DateTime<Utc>) -> Vec<(String, String, DateTime<Utc>)> {
    login_attempts::locks(db, at)
        .await
        .unwrap()
        .into_iter()
        .map(|lock| (lock.username, lock.source, lock.locked_until))
        .collect()
}

fn refused(result: &Result<accounts::User, AccountError>) -> bool {
    matches!(result, Err(AccountError::BadCredentials))
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn a_created_user_is_stored_nfc_lower_case_and_logs_in_with_its_password(db: &Db) {
    // "Nguyễn" typed with combining accents, in upper case.
    let decomposed = "NGUYE\u{0302}\u{0303}N.AN";
    let user = add_user(db, decomposed).await;
    assert_eq!(user.username, "nguyễn.an");
    assert!(!user.must_change_password && !user.disabled);
    let stored = accounts::get_user(db, "Nguyễn.An").await.unwrap().unwrap();
    assert_eq!(
        stored, user,
        "what create_user returns is what a read gives"
    );
    let logged_in = login(db, "nguyễn.an", PASSWORD, now()).await.unwrap();
    assert_eq!(logged_in.id, user.id);
    // The password typed in decomposed form is the same password.
    let decomposed_password = "Sen tra\u{0306}\u{0301}ng 2025!";
    assert!(
        login(db, "NGUYỄN.AN", decomposed_password, now())
            .await
            .is_ok()
    );
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
}

async fn a_taken_username_is_refused_whatever_its_case(db: &Db) {
    add_user(db, "lan").await;
    let again = accounts::create_user(
        db,
        "cli",
        &NewUser {
            username: " LAN ".to_owned(),
            display_name: "Lan".to_owned(),
            password: PASSWORD.to_owned(),
            must_change_password: true,
        },
        &PasswordPolicy::default(),
    )
    .await;
    assert!(
        matches!(again, Err(AccountError::UsernameTaken(ref u)) if u == "lan"),
        "{again:?}"
    );
    assert!(matches!(
        accounts::get_user(db, "a b").await,
        Err(AccountError::InvalidUsername(_))
    ));
}

async fn a_weak_password_is_refused_with_every_rule_it_breaks(db: &Db) {
    let result = accounts::create_user(
        db,
        "cli",
        &NewUser {
            username: "lan".to_owned(),
            display_name: "Lan".to_owned(),
            password: "lanlan".to_owned(),
            must_change_password: false,
        },
        &PasswordPolicy::default(),
    )
    .await;
    let Err(AccountError::WeakPassword(violations)) = result else {
        panic!("expected a weak password error, got {result:?}");
    };
    assert_eq!(
        violations,
        [
            PolicyViolation::TooShort { min_chars: 12 },
            PolicyViolation::ContainsUsername,
            PolicyViolation::OneCharacterClass
        ]
    );
    assert_eq!(accounts::count_users(db).await.unwrap(), 0);
}

async fn a_wrong_password_and_an_unknown_user_give_the_same_error(db: &Db) {
    add_user(db, "lan").await;
    assert!(matches!(
        login(db, "lan", "Sai mật khẩu 1", now()).await,
        Err(AccountError::BadCredentials)
    ));
    assert!(matches!(
        login(db, "nobody", PASSWORD, now()).await,
        Err(AccountError::BadCredentials)
    ));
    assert!(matches!(
        login(db, "not a name", PASSWORD, now()).await,
        Err(AccountError::BadCredentials)
    ));
}

async fn five_failed_logins_lock_the_account_for_their_source_until_the_lockout_ends(db: &Db) {
    add_user(db, "lan").await;
    let t = now();
    for attempt in 1..=5 {
        let result = login_from(db, "lan", "Sai mật khẩu 1", STRANGER, t).await;
        assert!(refused(&result), "attempt {attempt}: {result:?}");
    }
    let until = t + Duration::minutes(1);
    assert_eq!(
        locks(db, t).await,
        [("lan".to_owned(), STRANGER.to_owned(), until)]
    );
    // Locked for that source: even the right password is refused, the same way.
    let during = login_from(db, "lan", PASSWORD, STRANGER, t + Duration::seconds(59)).await;
    assert!(refused(&during), "{during:?}");
    // The owner, from their own address, is not locked out.
    login(db, "lan", PASSWORD, t + Duration::seconds(30))
        .await
        .unwrap();
    let after = login_from(db, "lan", PASSWORD, STRANGER, until).await;
    assert!(after.is_ok(), "{after:?}");
    assert_eq!(locks(db, until).await, []);
}

async fn each_lock_in_a_row_lasts_twice_as_long_up_to_an_hour(db: &Db) {
    add_user(db, "lan").await;
    let mut t = now();
    let mut lengths = Vec::new();
    for _ in 0..8 {
        for _ in 0..5 {
            let result = login_from(db, "lan", "Sai mật khẩu 1", STRANGER, t).await;
            assert!(refused(&result), "{result:?}");
        }
        let [(_, _, until)] = locks(db, t).await[..] else {
            panic!("one lock");
        };
        lengths.push((until - t).num_minutes());
        t = until;
    }
    assert_eq!(lengths, [1, 2, 4, 8, 16, 32, 60, 60]);
    // A success from the source ends the back-off.
    login_from(db, "lan", PASSWORD, STRANGER, t).await.unwrap();
    for _ in 0..5 {
        let _ = login_from(db, "lan", "Sai mật khẩu 1", STRANGER, t).await;
    }
    assert_eq!(
        locks(db, t).await,
        [(
            "lan".to_owned(),
            STRANGER.to_owned(),
            t + Duration::minutes(1)
        )]
    );
}

async fn a_successful_login_resets_the_failure_count(db: &Db) {
    add_user(db, "lan").await;
    for _ in 0..4 {
        let _ = login(db, "lan", "Sai mật khẩu 1", now()).await;
    }
    login(db, "lan", PASSWORD, now()).await.unwrap();
    // Four more failures do not lock: the count started again.
    for _ in 0..4 {
        let result = login(db, "lan", "Sai mật khẩu 1", now()).await;
        assert!(refused(&result), "{result:?}");
    }
    assert_eq!(locks(db, now()).await, []);
    login(db, "lan", PASSWORD, now()).await.unwrap();
}

async fn a_source_is_throttled_after_its_allowance_of_failures_whatever_the_account(db: &Db) {
    add_user(db, "lan").await;
    let policy = LoginPolicy::default();
    let t = now();
    // Successes do not use the allowance: an office behind one address logs in all morning.
    for _ in 0..policy.source_failures + 5 {
        login_from(db, "lan", PASSWORD, STRANGER, t).await.unwrap();
    }
    for i in 0..policy.source_failures {
        let result = login_from(db, &format!("ai.do.{i}"), "đoán", STRANGER, t).await;
        assert!(refused(&result), "failure {i}: {result:?}");
    }
    let window_end = t + policy.source_window;
    for (username, password) in [("ai.do", "đoán"), ("lan", PASSWORD)] {
        let result = login_from(db, username, password, STRANGER, t).await;
        assert!(
            matches!(result, Err(AccountError::Throttled { until }) if until == window_end),
            "{result:?}"
        );
    }
    // Another address is not throttled; an IPv6 client is counted by its /64.
    login(db, "lan", PASSWORD, t).await.unwrap();
    for i in 0..policy.source_failures {
        let address = format!("2001:db8:1:2::{i:x}");
        let _ = login_from(db, "ai.do", "đoán", &address, t).await;
    }
    let result = login_from(db, "lan", PASSWORD, "2001:db8:1:2:ffff::1", t).await;
    assert!(
        matches!(result, Err(AccountError::Throttled { .. })),
        "{result:?}"
    );
    // When the window ends, the source starts afresh.
    login_from(db, "lan", PASSWORD, STRANGER, window_end)
        .await
        .unwrap();
}

async fn a_lock_is_audited_with_its_source_and_notified_to_each_agency_of_the_user(db: &Db) {
    with_directory(db).await;
    add_user(db, "lan").await;
    for agency in ["BNG", "HN"] {
        accounts::grant(db, "admin", "lan", &Grant::new(Role::Reporter, agency))
            .await
            .unwrap();
    }
    for _ in 0..5 {
        let _ = login_from(db, "lan", "Sai mật khẩu 1", STRANGER, now()).await;
    }
    let locked = audit::list(
        db,
        &audit::AuditFilter {
            action: Some("user.locked".to_owned()),
            ..Default::default()
        },
        10,
        0,
    )
    .await
    .unwrap();
    assert_eq!(locked.len(), 1);
    let after = locked[0].after_json.as_deref().unwrap_or_default();
    assert!(after.contains(STRANGER), "{after}");
    for agency in ["BNG", "HN"] {
        let notices = notifications::for_agency(db, agency, false).await.unwrap();
        assert_eq!(notices.len(), 1, "{agency}: {notices:?}");
        let user = accounts::get_user(db, "lan").await.unwrap().unwrap();
        assert_eq!(notices[0].user_id, Some(user.id));
        assert_eq!(notices[0].kind, "account_locked");
        assert!(!notices[0].body.contains(STRANGER), "{notices:?}");
    }
    assert!(
        notifications::for_agency(db, "CP", false)
            .await
            .unwrap()
            .is_empty(),
        "only the agencies the user has a role on"
    );
    assert!(audit::verify(db).await.unwrap().is_intact());
}

async fn a_password_reset_lifts_the_locks_of_the_account(db: &Db) {
    add_user(db, "lan").await;
    for _ in 0..5 {
        let _ = login(db, "lan", "Sai mật khẩu 1", now()).await;
    }
    assert_eq!(locks(db, now()).await.len(), 1);
    accounts::set_password(
        db,
        "admin",
        "lan",
        "Mật khẩu tạm 2026",
        true,
        &PasswordPolicy::default(),
    )
    .await
    .unwrap();
    assert_eq!(locks(db, now()).await, []);
    login(db, "lan", "Mật khẩu tạm 2026", now()).await.unwrap();
}

async fn login_counts_of_a_quiet_day_are_forgotten(db: &Db) {
    add_user(db, "lan").await;
    let t = now();
    for _ in 0..5 {
        let _ = login_from(db, "lan", "Sai mật khẩu 1", STRANGER, t).await;
    }
    let _ = login(db, "lan", "Sai mật khẩu 1", t).await;
    assert_eq!(count(db, "SELECT COUNT(*) FROM login_throttle").await, 2);
    assert_eq!(count(db, "SELECT COUNT(*) FROM login_lockouts").await, 2);
    // A failure a day later, from anywhere, prunes what is old and no longer locked.
    let later = t + Duration::days(1) + Duration::minutes(1);
    let _ = login_from(db, "nobody", "x", "203.0.113.9", later).await;
    assert_eq!(count(db, "SELECT COUNT(*) FROM login_throttle").await, 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM login_lockouts").await, 0);
    // The back-off was forgotten with them: the next lock is a first one again.
    for _ in 0..5 {
        let _ = login_from(db, "lan", "Sai mật khẩu 1", STRANGER, later).await;
    }
    assert_eq!(
        locks(db, later).await,
        [(
            "lan".to_owned(),
            STRANGER.to_owned(),
            later + Duration::minutes(1)
        )]
    );
}

async fn a_disabled_account_is_refused_like_a_wrong_password_and_loses_its_sessions(db: &Db) {
    let user = add_user(db, "lan").await;
    let session = accounts::create_session(db, user.id, &SessionPolicy::default(), now())
        .await
        .unwrap();
    assert!(
        accounts::set_disabled(db, "admin", "lan", true)
            .await
            .unwrap()
    );
    assert!(
        !accounts::set_disabled(db, "admin", "lan", true)
            .await
            .unwrap()
    );
    assert!(refused(&login(db, "lan", PASSWORD, now()).await));
    assert!(
        accounts::get_session(db, &session.token, &SessionPolicy::default(), now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        accounts::set_disabled(db, "admin", "lan", false)
            .await
            .unwrap()
    );
    assert!(login(db, "lan", PASSWORD, now()).await.is_ok());
}

async fn setting_a_password_checks_the_policy_and_sets_must_change_as_asked(db: &Db) {
    add_user(db, "lan").await;
    let policy = PasswordPolicy::default();
    let weak = accounts::set_password(db, "lan", "lan", "short", false, &policy).await;
    assert!(
        matches!(weak, Err(AccountError::WeakPassword(_))),
        "{weak:?}"
    );

    // An administrator's reset: the user must change it.
    accounts::set_password(db, "admin", "lan", "Mật khẩu tạm 2026", true, &policy)
        .await
        .unwrap();
    let user = login(db, "lan", "Mật khẩu tạm 2026", now()).await.unwrap();
    assert!(user.must_change_password);
    assert!(matches!(
        login(db, "lan", PASSWORD, now()).await,
        Err(AccountError::BadCredentials)
    ));

    // The user's own choice clears the flag.
    accounts::set_password(db, "lan", "lan", "Mật khẩu của tôi 2026", false, &policy)
        .await
        .unwrap();
    let user = login(db, "lan", "Mật khẩu của tôi 2026", now())
        .await
        .unwrap();
    assert!(!user.must_change_password);

    let unknown = accounts::set_password(db, "admin", "nobody", PASSWORD, false, &policy).await;
    assert!(
        matches!(unknown, Err(AccountError::UnknownUser(_))),
        "{unknown:?}"
    );
}

async fn grants_are_added_once_revoked_and_refused_for_unknown_agencies_and_users(db: &Db) {
    with_directory(db).await;
    let user = add_user(db, "lan").await;
    let reporter_hn = Grant::new(Role::Reporter, "HN");
    let viewer_cp = Grant::new(Role::Viewer, "CP");
    assert!(
        accounts::grant(db, "admin", "lan", &reporter_hn)
            .await
            .unwrap()
    );
    assert!(
        !accounts::grant(db, "admin", "lan", &reporter_hn)
            .await
            .unwrap()
    );
    assert!(
        accounts::grant(db, "admin", "lan", &viewer_cp)
            .await
            .unwrap()
    );
    assert_eq!(
        accounts::grants_of(db, user.id).await.unwrap(),
        [viewer_cp.clone(), reporter_hn.clone()]
    );

    let unknown_agency = accounts::grant(db, "admin", "lan", &Grant::new(Role::Admin, "XYZ")).await;
    assert!(
        matches!(unknown_agency, Err(AccountError::UnknownAgency(ref c)) if c == "XYZ"),
        "{unknown_agency:?}"
    );
    assert_eq!(
        unknown_agency.unwrap_err().to_string(),
        "unknown agency code XYZ"
    );
    let unknown_user = accounts::grant(db, "admin", "nobody", &viewer_cp).await;
    assert!(
        matches!(unknown_user, Err(AccountError::UnknownUser(_))),
        "{unknown_user:?}"
    );

    assert!(
        accounts::revoke(db, "admin", "lan", &reporter_hn)
            .await
            .unwrap()
    );
    assert!(
        !accounts::revoke(db, "admin", "lan", &reporter_hn)
            .await
            .unwrap()
    );
    assert_eq!(accounts::grants_of(db, user.id).await.unwrap(), [viewer_cp]);
}

async fn users_are_listed_by_username_with_their_grants(db: &Db) {
    with_directory(db).await;
    add_user(db, "minh").await;
    add_user(db, "binh").await;
    accounts::grant(db, "cli", "minh", &Grant::new(Role::Approver, "BNG"))
        .await
        .unwrap();
    let users = accounts::list_users(db).await.unwrap();
    let names: Vec<&str> = users.iter().map(|u| u.user.username.as_str()).collect();
    assert_eq!(names, ["binh", "minh"]);
    assert!(users[0].grants.is_empty());
    assert_eq!(users[1].grants, [Grant::new(Role::Approver, "BNG")]);
    assert_eq!(users[1].user.display_name, "Người dùng minh");
}

async fn a_session_gives_its_user_and_grants_and_moves_its_idle_expiry(db: &Db) {
    with_directory(db).await;
    let user = add_user(db, "lan").await;
    accounts::grant(db, "cli", "lan", &Grant::new(Role::Reporter, "HN"))
        .await
        .unwrap();
    let policy = SessionPolicy::default();
    let opened = accounts::create_session(db, user.id, &policy, now())
        .await
        .unwrap();
    assert_eq!(opened.idle_expires_at, now() + Duration::minutes(30));
    assert_eq!(opened.absolute_expires_at, now() + Duration::hours(12));
    assert_ne!(opened.token, opened.csrf_token);

    let later = now() + Duration::minutes(20);
    let session = accounts::get_session(db, &opened.token, &policy, later)
        .await
        .unwrap()
        .expect("a live session");
    assert_eq!(session.user.id, user.id);
    assert_eq!(session.grants, [Grant::new(Role::Reporter, "HN")]);
    assert_eq!(session.csrf_token, opened.csrf_token);
    assert_eq!(session.last_seen_at, later);
    assert_eq!(session.idle_expires_at, later + Duration::minutes(30));
    // 40 minutes after login but 20 after the last request: still alive.
    assert!(
        accounts::get_session(db, &opened.token, &policy, now() + Duration::minutes(40))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        accounts::get_session(db, "not-a-token", &policy, later)
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_session_ends_when_idle_too_long(db: &Db) {
    let user = add_user(db, "lan").await;
    let policy = SessionPolicy::default();
    let opened = accounts::create_session(db, user.id, &policy, now())
        .await
        .unwrap();
    let idle = now() + Duration::minutes(30);
    assert!(
        accounts::get_session(db, &opened.token, &policy, idle)
            .await
            .unwrap()
            .is_none()
    );
    // Gone for good, not only refused, and the end is recorded.
    assert_eq!(count(db, "SELECT COUNT(*) FROM sessions").await, 0);
    let newest = audit::list(db, &Default::default(), 1, 0).await.unwrap();
    assert_eq!(
        (newest[0].action.as_str(), newest[0].entity_id.as_str()),
        ("session.expire", "lan")
    );
    assert!(
        accounts::get_session(db, &opened.token, &policy, now())
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_session_ends_at_its_absolute_expiry_however_active(db: &Db) {
    let user = add_user(db, "lan").await;
    let policy = SessionPolicy::default();
    let opened = accounts::create_session(db, user.id, &policy, now())
        .await
        .unwrap();
    let mut t = now();
    while t < now() + Duration::hours(12) - Duration::minutes(20) {
        t += Duration::minutes(20);
        let session = accounts::get_session(db, &opened.token, &policy, t)
            .await
            .unwrap();
        let session = session.unwrap_or_else(|| panic!("alive at {t}"));
        assert!(session.idle_expires_at <= opened.absolute_expires_at);
    }
    let end = now() + Duration::hours(12);
    assert!(
        accounts::get_session(db, &opened.token, &policy, end)
            .await
            .unwrap()
            .is_none()
    );
}

async fn sessions_are_stored_by_hash_and_never_by_token(db: &Db) {
    let user = add_user(db, "lan").await;
    let opened = accounts::create_session(db, user.id, &SessionPolicy::default(), now())
        .await
        .unwrap();
    let id: String = sqlx::query_scalar("SELECT id FROM sessions")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(id.len(), 64);
    assert_ne!(id, opened.token);
    let audit = audit_text(db).await;
    assert!(!audit.contains(&opened.token) && !audit.contains(&id));
}

async fn logging_out_ends_the_session(db: &Db) {
    let user = add_user(db, "lan").await;
    let policy = SessionPolicy::default();
    let opened = accounts::create_session(db, user.id, &policy, now())
        .await
        .unwrap();
    assert!(
        accounts::delete_session(db, &opened.token, now())
            .await
            .unwrap()
    );
    assert!(
        !accounts::delete_session(db, &opened.token, now())
            .await
            .unwrap()
    );
    assert!(
        accounts::get_session(db, &opened.token, &policy, now())
            .await
            .unwrap()
            .is_none()
    );
}

async fn removing_expired_sessions_keeps_live_ones(db: &Db) {
    let user = add_user(db, "lan").await;
    let policy = SessionPolicy::default();
    let old = accounts::create_session(db, user.id, &policy, now())
        .await
        .unwrap();
    let fresh_at = now() + Duration::minutes(25);
    let fresh = accounts::create_session(db, user.id, &policy, fresh_at)
        .await
        .unwrap();
    let cleanup_at = now() + Duration::minutes(31);
    assert_eq!(
        accounts::delete_expired_sessions(db, cleanup_at)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        accounts::delete_expired_sessions(db, cleanup_at)
            .await
            .unwrap(),
        0
    );
    assert!(
        accounts::get_session(db, &old.token, &policy, cleanup_at)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        accounts::get_session(db, &fresh.token, &policy, cleanup_at)
            .await
            .unwrap()
            .is_some()
    );
}

async fn changing_the_password_ends_the_users_sessions(db: &Db) {
    let user = add_user(db, "lan").await;
    let other = add_user(db, "minh").await;
    let policy = SessionPolicy::default();
    let mine = accounts::create_session(db, user.id, &policy, now())
        .await
        .unwrap();
    let theirs = accounts::create_session(db, other.id, &policy, now())
        .await
        .unwrap();
    accounts::set_password(
        db,
        "lan",
        "lan",
        "Mật khẩu mới 2026",
        false,
        &PasswordPolicy::default(),
    )
    .await
    .unwrap();
    assert!(
        accounts::get_session(db, &mine.token, &policy, now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        accounts::get_session(db, &theirs.token, &policy, now())
            .await
            .unwrap()
            .is_some()
    );
}

async fn an_api_token_is_shown_once_stored_hashed_and_stops_working_when_revoked(db: &Db) {
    with_directory(db).await;
    add_user(db, "lan").await;
    accounts::grant(db, "cli", "lan", &Grant::new(Role::Viewer, "CP"))
        .await
        .unwrap();
    let created = accounts::create_api_token(db, "admin", "lan", "Báo cáo tự động", now())
        .await
        .unwrap();
    assert!(created.token.starts_with("dongbo_"));
    let stored: String = sqlx::query_scalar("SELECT hash FROM api_tokens")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_ne!(stored, created.token);
    assert!(!audit_text(db).await.contains(&created.token));

    let used_at = now() + Duration::hours(1);
    let who = accounts::authenticate_token(db, &created.token, used_at)
        .await
        .unwrap()
        .expect("a live token");
    assert_eq!(who.user.username, "lan");
    assert_eq!(who.grants, [Grant::new(Role::Viewer, "CP")]);
    assert_eq!(who.token_id, created.id);
    let listed = accounts::api_tokens_of(db, "lan").await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Báo cáo tự động");
    assert_eq!(listed[0].last_used_at, Some(used_at));
    assert!(!listed[0].revoked);

    assert!(
        accounts::authenticate_token(db, "dongbo_wrong", now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        accounts::revoke_api_token(db, "admin", created.id)
            .await
            .unwrap()
    );
    assert!(
        !accounts::revoke_api_token(db, "admin", created.id)
            .await
            .unwrap()
    );
    assert!(
        accounts::authenticate_token(db, &created.token, now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(accounts::api_tokens_of(db, "lan").await.unwrap()[0].revoked);

    // A disabled user's live token does not work either.
    let second = accounts::create_api_token(db, "admin", "lan", "khác", now())
        .await
        .unwrap();
    accounts::set_disabled(db, "admin", "lan", true)
        .await
        .unwrap();
    assert!(
        accounts::authenticate_token(db, &second.token, now())
            .await
            .unwrap()
            .is_none()
    );
}

/// Everything the audit log holds, as one text.
async fn audit_text(db: &Db) -> String {
    let mut out = Vec::new();
    audit::export_csv(db, &mut out).await.unwrap();
    String::from_utf8(out).unwrap()
}

async fn every_account_change_is_audited_without_secrets_and_the_chain_verifies(db: &Db) {
    with_directory(db).await;
    let user = add_user(db, "lan").await;
    accounts::grant(db, "admin", "lan", &Grant::new(Role::Reporter, "HN"))
        .await
        .unwrap();
    accounts::revoke(db, "admin", "lan", &Grant::new(Role::Reporter, "HN"))
        .await
        .unwrap();
    accounts::set_password(
        db,
        "admin",
        "lan",
        "Mật khẩu tạm 2026",
        true,
        &PasswordPolicy::default(),
    )
    .await
    .unwrap();
    let _ = login(db, "lan", "wrong password 1", now()).await;
    login(db, "lan", "Mật khẩu tạm 2026", now()).await.unwrap();
    let session = accounts::create_session(db, user.id, &SessionPolicy::default(), now())
        .await
        .unwrap();
    accounts::delete_session(db, &session.token, now())
        .await
        .unwrap();

    let entries = audit::list(db, &Default::default(), 100, 0).await.unwrap();
    let actions: Vec<&str> = entries.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "user.create",
            "user.grant",
            "user.revoke",
            "user.password",
            "user.login_failed",
            "user.login",
            "session.create",
            "session.delete"
        ]
    );
    let grant = entries.iter().find(|e| e.action == "user.grant").unwrap();
    assert_eq!(grant.actor, "admin");
    assert_eq!(grant.entity, "user");
    assert_eq!(grant.entity_id, "lan");
    assert_eq!(
        grant.after_json.as_deref(),
        Some(r#"{"agency_code":"HN","role":"reporter"}"#)
    );
    let text = audit_text(db).await;
    assert!(
        !text.contains("argon2"),
        "no password hash in the audit log"
    );
    assert!(
        !text.contains("Mật khẩu tạm"),
        "no password in the audit log"
    );
    let report = audit::verify(db).await.unwrap();
    assert_eq!(report.entries, 8);
    assert!(report.is_intact(), "{report:?}");
}

async fn a_failed_change_leaves_no_audit_entry(db: &Db) {
    with_directory(db).await;
    add_user(db, "lan").await;
    let _ = accounts::grant(db, "admin", "lan", &Grant::new(Role::Admin, "XYZ")).await;
    let _ = add_user_again(db).await;
    let entries = audit::list(db, &Default::default(), 100, 0).await.unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(audit::verify(db).await.unwrap().is_intact());
}

async fn add_user_again(db: &Db) -> Result<accounts::User, AccountError> {
    accounts::create_user(
        db,
        "cli",
        &NewUser {
            username: "lan".to_owned(),
            display_name: "Lan".to_owned(),
            password: PASSWORD.to_owned(),
            must_change_password: false,
        },
        &PasswordPolicy::default(),
    )
    .await
}

async fn a_session_read_again_within_a_minute_is_not_rewritten(db: &Db) {
    let user = add_user(db, "lan").await;
    let policy = SessionPolicy::default();
    let opened = accounts::create_session(db, user.id, &policy, now())
        .await
        .unwrap();
    let soon = now() + Duration::seconds(30);
    let session = accounts::get_session(db, &opened.token, &policy, soon)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.last_seen_at, now());
    assert_eq!(session.idle_expires_at, opened.idle_expires_at);
    let stored: String = sqlx::query_scalar("SELECT last_seen_at FROM sessions")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(stored, "2026-03-01T08:00:00.000000Z");
}

async fn concurrent_failed_logins_lock_the_account_exactly_once(db: &Db) {
    add_user(db, "lan").await;
    let mut attempts = Vec::new();
    for _ in 0..10 {
        let db = db.clone();
        attempts.push(tokio::spawn(async move {
            login(&db, "lan", "Sai mật khẩu 1", now()).await
        }));
    }
    for attempt in attempts {
        let result = attempt.await.unwrap();
        assert!(refused(&result), "a wrong password gave {result:?}");
    }
    let lock_events = audit::list(
        db,
        &audit::AuditFilter {
            action: Some("user.locked".to_owned()),
            ..Default::default()
        },
        100,
        0,
    )
    .await
    .unwrap();
    assert_eq!(lock_events.len(), 1, "{lock_events:?}");
    let counted = audit::list(
        db,
        &audit::AuditFilter {
            action: Some("user.login_failed".to_owned()),
            ..Default::default()
        },
        100,
        0,
    )
    .await
    .unwrap();
    assert_eq!(counted.len(), 9, "every other failure is audited");
    assert_eq!(locks(db, now()).await.len(), 1);
    assert!(refused(&login(db, "lan", PASSWORD, now()).await));
    login_from(db, "lan", PASSWORD, STRANGER, now())
        .await
        .unwrap();
    assert!(audit::verify(db).await.unwrap().is_intact());
}

/// A session and an API token are read with their user and grants in one statement: a user
/// without a grant still has a session, and one with several has all of them, once each.
async fn a_session_and_a_token_carry_every_grant_of_their_user_or_none(db: &Db) {
    with_directory(db).await;
    let user = add_user(db, "lan").await;
    let policy = SessionPolicy::default();
    let opened = accounts::create_session(db, user.id, &policy, now())
        .await
        .unwrap();
    let token = accounts::create_api_token(db, "admin", "lan", "Tự động", now())
        .await
        .unwrap();
    let session = accounts::get_session(db, &opened.token, &policy, now())
        .await
        .unwrap()
        .expect("a session without grants");
    assert_eq!(session.user.username, "lan");
    assert!(session.grants.is_empty());
    assert_eq!(session.created_at, now());
    let who = accounts::authenticate_token(db, &token.token, now())
        .await
        .unwrap()
        .expect("a token without grants");
    assert!(who.grants.is_empty());

    for grant in [
        Grant::new(Role::Viewer, "CP"),
        Grant::new(Role::Reporter, "HN"),
        Grant::new(Role::Approver, "BNG"),
    ] {
        accounts::grant(db, "cli", "lan", &grant).await.unwrap();
    }
    let mut all = vec![
        Grant::new(Role::Viewer, "CP"),
        Grant::new(Role::Reporter, "HN"),
        Grant::new(Role::Approver, "BNG"),
    ];
    all.sort();
    let session = accounts::get_session(db, &opened.token, &policy, now())
        .await
        .unwrap()
        .expect("a session");
    assert_eq!(session.grants, all);
    assert_eq!(session.user.id, user.id);
    assert_eq!(session.user.created_at, user.created_at);
    let who = accounts::authenticate_token(db, &token.token, now())
        .await
        .unwrap()
        .expect("a token");
    assert_eq!(who.grants, all);
    assert_eq!(who.token_id, token.id);
}
