//! `dongbo user …` and `dongbo audit …` as an operator runs them, and the first run's
//! administrator.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use dongbo_domain::clock;
use dongbo_store::Db;
use dongbo_store::accounts::{self, LoginPolicy};

/// Runs `dongbo` on the SQLite database in `data_dir` (or `database_url`), with `stdin`.
fn run(data_dir: &Path, database_url: Option<&str>, args: &[&str], stdin: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dongbo"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DONGBO_DATABASE_URL")
        .env("DONGBO_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    let mut child = command.spawn().expect("run dongbo");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn dongbo(data_dir: &Path, args: &[&str]) -> Output {
    run(data_dir, None, args, "")
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "dongbo failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn failed(output: &Output) -> String {
    assert!(
        !output.status.success(),
        "dongbo should have failed: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Whether `username` can log in with `password`, checked through the store.
fn can_log_in(url: &str, username: &str, password: &str) -> Result<accounts::User, String> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = Db::connect(url).await.unwrap();
        let result = accounts::verify_login(
            &db,
            username,
            password,
            std::net::IpAddr::from([127, 0, 0, 1]),
            &LoginPolicy::default(),
            clock::now(),
        )
        .await
        .map_err(|e| e.to_string());
        db.close().await;
        result
    })
}

fn sqlite_url(data_dir: &Path) -> String {
    Db::default_url(data_dir)
}

/// The line after the "shown only this once" line.
fn password_after_notice(text: &str) -> String {
    let mut lines = text.lines();
    lines
        .by_ref()
        .find(|l| l.contains("shown only this once"))
        .unwrap_or_else(|| panic!("no password notice in {text}"));
    lines.next().unwrap().trim().to_owned()
}

const PASSWORD: &str = "Sen trắng 2025!";

#[test]
fn the_first_run_creates_an_admin_with_a_password_shown_once_that_must_be_changed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = dongbo(&data, &["migrate"]);
    ok(&first);
    let stderr = String::from_utf8(first.stderr.clone()).unwrap();
    let password = password_after_notice(&stderr);
    assert_eq!(password.chars().count(), 20, "{stderr}");

    let admin = can_log_in(&sqlite_url(&data), "admin", &password).unwrap();
    assert!(admin.must_change_password);
    let list = ok(&dongbo(&data, &["user", "list"]));
    assert!(
        list.contains("admin\tQuản trị hệ thống\tadmin on CP\tmust change password"),
        "{list}"
    );

    let second = dongbo(&data, &["migrate"]);
    ok(&second);
    assert!(
        !String::from_utf8_lossy(&second.stderr).contains("shown only this once"),
        "the password is shown on the first run only"
    );
}

#[test]
fn a_user_added_with_a_password_on_stdin_and_a_role_is_listed_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = ok(&run(
        &data,
        None,
        &[
            "user",
            "add",
            "Lan",
            "--name",
            "Nguyễn Thị Lan",
            "--role",
            "reporter",
            "--agency",
            "t-ha-noi",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    ));
    assert!(out.contains("created user lan"), "{out}");
    assert!(!out.contains(PASSWORD), "a typed password is not echoed");
    let user = can_log_in(&sqlite_url(&data), "lan", PASSWORD).unwrap();
    assert!(!user.must_change_password);
    let list = ok(&dongbo(&data, &["user", "list"]));
    assert!(
        list.contains("lan\tNguyễn Thị Lan\treporter on T-HA-NOI\t"),
        "{list}"
    );
}

#[test]
fn a_user_added_without_a_password_gets_a_generated_one_that_must_be_changed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = ok(&dongbo(
        &data,
        &["user", "add", "minh", "--name", "Trần Minh"],
    ));
    let password = password_after_notice(&out);
    let user = can_log_in(&sqlite_url(&data), "minh", &password).unwrap();
    assert!(user.must_change_password);
}

#[test]
fn an_unknown_agency_or_role_is_refused_clearly_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let stderr = failed(&dongbo(
        &data,
        &[
            "user", "add", "lan", "--name", "Lan", "--role", "reporter", "--agency", "XYZ",
        ],
    ));
    assert!(stderr.contains("unknown agency code XYZ"), "{stderr}");
    let stderr = failed(&dongbo(
        &data,
        &[
            "user", "add", "lan", "--name", "Lan", "--role", "owner", "--agency", "BNG",
        ],
    ));
    assert!(
        stderr.contains(
            "role must be one of viewer, reporter, approver, coordinator, librarian, admin"
        ),
        "{stderr}"
    );
    let stderr = failed(&dongbo(
        &data,
        &["user", "add", "lan", "--name", "Lan", "--role", "viewer"],
    ));
    assert!(stderr.contains("--agency"), "{stderr}");
    let list = ok(&dongbo(&data, &["user", "list"]));
    assert!(!list.contains("lan"), "{list}");
}

#[test]
fn roles_are_granted_and_revoked_by_role_and_agency() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&run(
        &data,
        None,
        &["user", "add", "lan", "--name", "Lan", "--password-stdin"],
        PASSWORD,
    ));
    let out = ok(&dongbo(
        &data,
        &["user", "role", "lan", "grant", "approver", "BNG"],
    ));
    assert_eq!(out.trim(), "granted approver on BNG to lan");
    let out = ok(&dongbo(
        &data,
        &["user", "role", "lan", "grant", "Phê duyệt", "bng"],
    ));
    assert_eq!(out.trim(), "lan already has approver on BNG");
    assert!(ok(&dongbo(&data, &["user", "list"])).contains("approver on BNG"));
    let out = ok(&dongbo(
        &data,
        &["user", "role", "lan", "revoke", "approver", "BNG"],
    ));
    assert_eq!(out.trim(), "revoked approver on BNG from lan");
    assert!(!ok(&dongbo(&data, &["user", "list"])).contains("approver on BNG"));
    let stderr = failed(&dongbo(
        &data,
        &["user", "role", "nobody", "grant", "viewer", "CP"],
    ));
    assert!(stderr.contains("no user «nobody»"), "{stderr}");
}

#[test]
fn passwd_refuses_a_weak_password_with_the_rules_and_sets_a_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&run(
        &data,
        None,
        &["user", "add", "lan", "--name", "Lan", "--password-stdin"],
        PASSWORD,
    ));
    let stderr = failed(&run(
        &data,
        None,
        &["user", "passwd", "lan", "--password-stdin"],
        "short\n",
    ));
    assert!(stderr.contains("at least 12 characters"), "{stderr}");
    assert!(stderr.contains("ít nhất 12 ký tự"), "{stderr}");
    assert!(
        !stderr.contains("short"),
        "the password is not echoed: {stderr}"
    );

    ok(&run(
        &data,
        None,
        &["user", "passwd", "lan", "--password-stdin"],
        "Mật khẩu mới 2026\r\n",
    ));
    let user = can_log_in(&sqlite_url(&data), "lan", "Mật khẩu mới 2026").unwrap();
    assert!(!user.must_change_password);
    assert!(can_log_in(&sqlite_url(&data), "lan", PASSWORD).is_err());
}

#[test]
fn audit_verify_passes_then_names_the_tampered_entry_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&run(
        &data,
        None,
        &["user", "add", "lan", "--name", "Lan", "--password-stdin"],
        PASSWORD,
    ));
    ok(&dongbo(
        &data,
        &["user", "role", "lan", "grant", "viewer", "CP"],
    ));
    let out = ok(&dongbo(&data, &["audit", "verify"]));
    assert_eq!(out.trim(), "audit log intact: 2 entries");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = Db::connect(&sqlite_url(&data)).await.unwrap();
        sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
            .execute(db.pool())
            .await
            .unwrap();
        db.close().await;
    });
    let stderr = failed(&dongbo(&data, &["audit", "verify"]));
    assert!(stderr.contains("audit log broken at entry 2"), "{stderr}");
}

#[test]
fn audit_export_writes_every_entry_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&run(
        &data,
        None,
        &["user", "add", "lan", "--name", "Lan", "--password-stdin"],
        PASSWORD,
    ));
    let file = dir.path().join("audit.csv");
    ok(&dongbo(
        &data,
        &["audit", "export", "-o", file.to_str().unwrap()],
    ));
    let csv = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("seq,at,actor,action"), "{csv}");
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].contains(",cli,user.create,user,lan,"), "{csv}");
    assert!(!csv.contains(PASSWORD) && !csv.contains("argon2"));
    let stdout = ok(&dongbo(&data, &["audit", "export"]));
    assert_eq!(stdout, csv);
}

#[test]
fn users_and_the_audit_log_work_on_postgresql() {
    let Some(url) = dongbo_testkit::postgres_database_url() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let unused = dir.path().join("unused");
    let first = run(&unused, Some(&url), &["migrate"], "");
    ok(&first);
    let admin_password = password_after_notice(&String::from_utf8_lossy(&first.stderr));
    assert!(can_log_in(&url, "admin", &admin_password).is_ok());
    ok(&run(
        &unused,
        Some(&url),
        &[
            "user",
            "add",
            "lan",
            "--name",
            "Lan",
            "--role",
            "coordinator",
            "--agency",
            "BNG",
            "--password-stdin",
        ],
        PASSWORD,
    ));
    let list = ok(&run(&unused, Some(&url), &["user", "list"], ""));
    assert!(list.contains("lan\tLan\tcoordinator on BNG"), "{list}");
    let out = ok(&run(&unused, Some(&url), &["audit", "verify"], ""));
    // admin created and granted, lan created and granted, admin's login above.
    assert_eq!(out.trim(), "audit log intact: 5 entries");
    assert!(!unused.exists());
}

#[test]
fn a_disabled_user_cannot_log_in_until_enabled_again() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&run(
        &data,
        None,
        &["user", "add", "lan", "--name", "Lan", "--password-stdin"],
        PASSWORD,
    ));
    assert_eq!(
        ok(&dongbo(&data, &["user", "disable", "LAN"])).trim(),
        "lan disabled"
    );
    assert_eq!(
        ok(&dongbo(&data, &["user", "disable", "lan"])).trim(),
        "lan was already disabled"
    );
    assert!(ok(&dongbo(&data, &["user", "list"])).contains("\tdisabled"));
    let refused = can_log_in(&sqlite_url(&data), "lan", PASSWORD).unwrap_err();
    // Refused as any other login is, so that the form does not tell the account's state.
    assert_eq!(refused, "wrong username or password");
    assert_eq!(
        ok(&dongbo(&data, &["user", "enable", "lan"])).trim(),
        "lan enabled"
    );
    assert!(can_log_in(&sqlite_url(&data), "lan", PASSWORD).is_ok());
}

/// Who `token` speaks for, checked through the store.
fn token_user(url: &str, token: &str) -> Option<String> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = Db::connect(url).await.unwrap();
        let found = accounts::authenticate_token(&db, token, clock::now())
            .await
            .unwrap()
            .map(|t| t.user.username);
        db.close().await;
        found
    })
}

#[test]
fn an_api_token_is_printed_once_listed_without_itself_and_stops_working_when_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&dongbo(&data, &["migrate"]));
    ok(&run(
        &data,
        None,
        &["user", "add", "lan", "--name", "Lan", "--password-stdin"],
        PASSWORD,
    ));
    let out = ok(&dongbo(
        &data,
        &["user", "token", "Lan", "--name", "hệ thống của Bộ"],
    ));
    let token = password_after_notice(&out);
    assert!(token.starts_with("dongbo_"), "{out}");
    let url = sqlite_url(&data);
    assert_eq!(token_user(&url, &token).as_deref(), Some("lan"));

    let list = ok(&dongbo(&data, &["user", "tokens", "lan"]));
    assert!(list.contains("hệ thống của Bộ"), "{list}");
    assert!(list.contains("\tlive"), "{list}");
    assert!(
        !list.contains(&token),
        "the token itself is never shown again"
    );
    let id = list.split('\t').next().unwrap().to_owned();

    let out = ok(&dongbo(&data, &["user", "revoke-token", &id]));
    assert!(out.contains(&format!("API token {id} revoked")), "{out}");
    assert_eq!(token_user(&url, &token), None);
    let list = ok(&dongbo(&data, &["user", "tokens", "lan"]));
    assert!(list.contains("\trevoked"), "{list}");
    let out = ok(&dongbo(&data, &["user", "revoke-token", &id]));
    assert!(out.contains("was not live"), "{out}");
    failed(&dongbo(&data, &["user", "token", "nobody"]));
}
