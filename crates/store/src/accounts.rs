//! Users, their scoped roles, their sessions and API tokens (issue 3).
//!
//! - **Passwords** are hashed with argon2id (the crate's defaults: 19 MiB, 2 passes — OWASP's
//!   recommendation), with a salt from the operating system's random source, into a PHC
//!   string. Hashing and verifying are CPU-bound on purpose, so they run on
//!   `spawn_blocking`, never on the async runtime. A password is NFC-normalised first, so a
//!   Vietnamese password typed with composed or decomposed accents is the same password.
//! - **Logins** ([`verify_login`]): a wrong password, an unknown user, an account locked for
//!   the client's address and a disabled account are the same [`AccountError::BadCredentials`],
//!   and each costs one argon2 verification, so neither the answer nor its time tells them
//!   apart. Failures are counted per address (a throttle) and per (account, address) (a lock
//!   with back-off), in the database, so every server sees them (`login_attempts`). A lock is
//!   audited and notified to the agencies the user has grants on.
//! - **Sessions** are named by a random token that only the browser keeps: the table holds
//!   its SHA-256. [`get_session`] enforces an idle and an absolute expiry ([`SessionPolicy`])
//!   and refreshes the idle one. Changing a password or disabling a user ends their sessions.
//! - **API tokens** are shown once by [`create_api_token`] and stored as their SHA-256.
//! - **Audit**: every change of state (users, grants, passwords, logins, sessions opened and
//!   closed, tokens) appends to the audit log in the same transaction. Bookkeeping touches —
//!   a session's `last_seen_at`, a token's `last_used_at` — are not audited. Audit entries
//!   never hold password hashes or tokens.
//!
//! Functions whose outcome depends on the time take `now`, so callers (and tests) decide it.

pub mod admin;

use std::fmt;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use dongbo_domain::Directory;
use dongbo_domain::access::{Action, Grant, PasswordPolicy, PolicyViolation, Role, allowed};
use dongbo_domain::clock;
use dongbo_domain::text;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{self, AuditEntry, timestamp, timestamp_from};
use crate::codec::{col, flag, flag_from};
use crate::login_attempts::{self, Failure};
use crate::notifications::{self, NewNotification};
use crate::{Context, Db, StoreError};
use chrono::SubsecRound;
use std::net::IpAddr;

pub mod sso;

/// The longest username accepted.
pub const MAX_USERNAME_CHARS: usize = 64;

/// What can go wrong with accounts, beyond the store itself.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("invalid username «{0}»: use 1 to 64 letters, digits and . _ - @ (no spaces)")]
    InvalidUsername(String),
    #[error("the username «{0}» is taken")]
    UsernameTaken(String),
    #[error("no user «{0}»")]
    UnknownUser(String),
    #[error("unknown agency code {0}")]
    UnknownAgency(String),
    #[error("the password is too weak: {}", Violations(.0))]
    WeakPassword(Vec<PolicyViolation>),
    /// Any refused login — a wrong password, an unknown user, an account locked for the
    /// source, a disabled account: one error, so a login form does not tell which.
    #[error("wrong username or password")]
    BadCredentials,
    /// The source has failed too often (the throttle): refused, whatever the account, until
    /// `until`.
    #[error("too many failed logins from this address; try again after {until}")]
    Throttled { until: DateTime<Utc> },
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// Formats violations one after another.
struct Violations<'a>(&'a [PolicyViolation]);

impl fmt::Display for Violations<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, violation) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{violation}")?;
        }
        Ok(())
    }
}

pub type Result<T, E = AccountError> = std::result::Result<T, E>;

pub use crate::login_attempts::LoginPolicy;

/// How long a session lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Without a request for this long, the session ends (30 minutes).
    pub idle: Duration,
    /// However active, the session ends this long after login (12 hours).
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

/// A user as stored (without the password hash, which never leaves this module).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    /// NFC, lower case.
    pub username: String,
    pub display_name: String,
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The signed-in user of a request with their grants: who every operation (programs, library)
/// is asked for.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub grants: Vec<Grant>,
}

impl Caller {
    /// Whether the caller may do `action` on `agency_code`.
    pub fn can(&self, action: Action, agency_code: &str, directory: &Directory) -> bool {
        allowed(&self.grants, action, agency_code, directory)
    }

    /// The agencies the caller's grants are given on, without repeats, in grant order.
    pub fn agencies(&self) -> Vec<String> {
        let mut codes: Vec<String> = Vec::new();
        for grant in &self.grants {
            if !codes.contains(&grant.agency_code) {
                codes.push(grant.agency_code.clone());
            }
        }
        codes
    }
}

/// A user with their grants, as [`list_users`] gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserWithGrants {
    pub user: User,
    pub grants: Vec<Grant>,
}

/// What [`create_user`] needs.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// Set for a password someone else chose (generated, or given by an administrator).
    pub must_change_password: bool,
}

/// A session just opened: `token` goes into the browser's cookie and is not stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub idle_expires_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
}

/// A live session and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub grants: Vec<Grant>,
    /// To compare with the token a form sends back.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub idle_expires_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
}

/// An API token just created: `token` is shown once and not stored.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub id: i64,
    pub token: String,
}

/// An API token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiTokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

/// Who an API token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUser {
    pub token_id: i64,
    pub user: User,
    pub grants: Vec<Grant>,
}

/// `t` at the precision timestamps are stored with (microseconds), so that what a function
/// returns equals what a later read gives.
fn stored(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// `username` as stored: NFC, trimmed, lower case; 1 to [`MAX_USERNAME_CHARS`] letters,
/// digits and `. _ - @`.
pub fn normalize_username(username: &str) -> Result<String> {
    let normalized = text::nfc(username.trim()).to_lowercase();
    let chars = normalized.chars().count();
    let valid = (1..=MAX_USERNAME_CHARS).contains(&chars)
        && normalized
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if valid {
        Ok(normalized)
    } else {
        Err(AccountError::InvalidUsername(username.trim().to_owned()))
    }
}

/// A strong random password for a first login: 20 characters from letters (without the easily
/// confused `l I O 0 1`) and digits, with at least one of each of lower, upper and digit.
pub fn generate_password() -> Result<String> {
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    loop {
        let alphabet: Vec<u8> = [LOWER, UPPER, DIGITS].concat();
        let mut bytes = [0u8; 20];
        random_fill(&mut bytes)?;
        // 256 is not a multiple of the alphabet's length: reject bytes past the last whole
        // multiple so every character is equally likely.
        let limit = 256 - 256 % alphabet.len();
        if bytes.iter().any(|b| usize::from(*b) >= limit) {
            continue;
        }
        let password: String = bytes
            .iter()
            .map(|b| char::from(alphabet[usize::from(*b) % alphabet.len()]))
            .collect();
        let has = |set: &[u8]| password.bytes().any(|b| set.contains(&b));
        if has(LOWER) && has(UPPER) && has(DIGITS) {
            return Ok(password);
        }
    }
}

fn random_fill(bytes: &mut [u8]) -> Result<()> {
    getrandom::fill(bytes)
        .map_err(|e| AccountError::Hashing(format!("the system's random source failed: {e}")))
}

/// 32 random bytes, hex: a session or API token, or a CSRF token.
pub fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    random_fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// Hex SHA-256 of a token: what the tables hold instead of it.
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

async fn hash_password(password: &str) -> Result<String> {
    let password = text::nfc(password);
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| AccountError::Hashing(e.to_string()))
    })
    .await
    .map_err(|e| AccountError::Hashing(e.to_string()))?
}

/// Whether `password` matches `hash` (argon2's comparison is constant-time).
async fn password_matches(password: &str, hash: String) -> Result<bool> {
    let password = text::nfc(password);
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .map_err(|e| AccountError::Hashing(e.to_string()))
}

/// An argon2id hash of a random password nobody knows, with the default parameters: verified
/// against for unknown users so that they cost as much time as known ones.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$q5Vx0n3h8m4cX2cSpm8+Tw$3Xm2v7aVwzHnqYlEjzMW0tw1L5QH1nXvV3Ak0Pf8ZdQ";

const USER_COLUMNS: &str =
    "id, username, display_name, must_change_password, disabled, created_at, updated_at";

fn user_from(row: &AnyRow, doing: &str) -> Result<User, StoreError> {
    Ok(User {
        id: col(row, "id", doing)?,
        username: col(row, "username", doing)?,
        display_name: col(row, "display_name", doing)?,
        must_change_password: flag_from(col(row, "must_change_password", doing)?, doing)?,
        disabled: flag_from(col(row, "disabled", doing)?, doing)?,
        created_at: timestamp_from(&col::<String>(row, "created_at", doing)?, doing)?,
        updated_at: timestamp_from(&col::<String>(row, "updated_at", doing)?, doing)?,
    })
}

/// A user as the audit log shows them: never the password hash.
fn user_json(user: &User) -> serde_json::Value {
    json!({
        "username": user.username,
        "display_name": user.display_name,
        "must_change_password": user.must_change_password,
        "disabled": user.disabled,
    })
}

fn grant_json(grant: &Grant) -> serde_json::Value {
    json!({"role": grant.role.as_str(), "agency_code": grant.agency_code})
}

async fn audit_user_change(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    actor: &str,
    action: &str,
    username: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), StoreError> {
    audit::append(
        conn,
        now,
        &AuditEntry {
            actor: text::nfc(actor),
            action: action.to_owned(),
            entity: "user".to_owned(),
            entity_id: username.to_owned(),
            before,
            after,
        },
    )
    .await
    .map(|_| ())
}

async fn find_user_in(
    conn: &mut AnyConnection,
    username: &str,
    doing: &str,
) -> Result<Option<(User, String)>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(username)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    row.map(|row| Ok((user_from(&row, doing)?, col(&row, "password_hash", doing)?)))
        .transpose()
}

async fn grants_in(
    conn: &mut AnyConnection,
    user_id: i64,
    doing: &str,
) -> Result<Vec<Grant>, StoreError> {
    let rows = sqlx::query("SELECT role, agency_code FROM user_grants WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    let mut grants = rows
        .iter()
        .map(|row| grant_from(row, doing))
        .collect::<Result<Vec<_>, StoreError>>()?;
    grants.sort();
    Ok(grants)
}

fn grant_from(row: &AnyRow, doing: &str) -> Result<Grant, StoreError> {
    let role: String = col(row, "role", doing)?;
    Ok(Grant {
        role: role.parse::<Role>().map_err(|e| StoreError::Corrupt {
            context: doing.to_owned(),
            message: e.to_string(),
        })?,
        agency_code: col(row, "agency_code", doing)?,
    })
}

/// [`USER_COLUMNS`] of the table aliased `u`, for a join.
const USER_COLUMNS_OF_U: &str = "u.id, u.username, u.display_name, u.must_change_password, \
     u.disabled, u.created_at, u.updated_at";

/// The user and their grants from the rows of a join on a user (`u`, see
/// [`USER_COLUMNS_OF_U`]) and their grants (`g.role`, `g.agency_code`): one row per grant, or
/// one row without a grant; no user when the join found none.
fn user_with_grants(
    rows: &[AnyRow],
    doing: &str,
) -> Result<(Option<User>, Vec<Grant>), StoreError> {
    let Some(first) = rows.first() else {
        return Ok((None, Vec::new()));
    };
    if col::<Option<i64>>(first, "id", doing)?.is_none() {
        return Ok((None, Vec::new()));
    }
    let user = user_from(first, doing)?;
    let mut grants = Vec::new();
    for row in rows {
        if col::<Option<String>>(row, "role", doing)?.is_some() {
            grants.push(grant_from(row, doing)?);
        }
    }
    grants.sort();
    Ok((Some(user), grants))
}

/// Creates a user after checking the password against `policy`; returns it. `actor` is who
/// did it (a username, or `system` / `cli`).
pub async fn create_user(
    db: &Db,
    actor: &str,
    new: &NewUser,
    policy: &PasswordPolicy,
) -> Result<User> {
    let username = normalize_username(&new.username)?;
    let display_name = text::nfc(new.display_name.trim());
    policy
        .check(&new.password, &username)
        .map_err(AccountError::WeakPassword)?;
    let password_hash = hash_password(&new.password).await?;
    let now = stored(clock::now());
    let doing = format!("creating user {username}");
    let mut tx = db.begin_write(&doing).await?;
    let inserted = sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, must_change_password, \
            disabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id",
    )
    .bind(&username)
    .bind(&display_name)
    .bind(&password_hash)
    .bind(flag(new.must_change_password))
    .bind(timestamp(now))
    .fetch_one(&mut *tx)
    .await
    .context(|| doing.clone());
    let id: i64 = match inserted {
        Ok(row) => col(&row, "id", &doing)?,
        Err(e) if e.is_unique_violation() => return Err(AccountError::UsernameTaken(username)),
        Err(e) => return Err(e.into()),
    };
    let user = User {
        id,
        username: username.clone(),
        display_name,
        must_change_password: new.must_change_password,
        disabled: false,
        created_at: now,
        updated_at: now,
    };
    audit_user_change(
        &mut tx,
        now,
        actor,
        "user.create",
        &username,
        None,
        Some(user_json(&user)),
    )
    .await?;
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    tracing::info!(user.id = id, "user created");
    Ok(user)
}

/// The user named `username` (any case, any Unicode form).
pub async fn get_user(db: &Db, username: &str) -> Result<Option<User>> {
    let username = normalize_username(username)?;
    let doing = format!("reading user {username}");
    let mut tx = db.read(&doing).await?;
    Ok(find_user_in(&mut tx, &username, &doing)
        .await?
        .map(|(user, _)| user))
}

/// How many users there are (the first run creates `admin` when none).
pub async fn count_users(db: &Db) -> Result<i64> {
    let doing = "counting users";
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(db.pool())
        .await
        .context(|| doing.to_owned())?;
    Ok(col(&row, "n", doing)?)
}

/// Every user with their grants, ordered by username.
pub async fn list_users(db: &Db) -> Result<Vec<UserWithGrants>> {
    let doing = "listing users";
    let mut tx = db.read(doing).await?;
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    let grant_rows = sqlx::query("SELECT user_id, role, agency_code FROM user_grants")
        .fetch_all(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    let mut grants: std::collections::HashMap<i64, Vec<Grant>> = std::collections::HashMap::new();
    for row in &grant_rows {
        grants
            .entry(col(row, "user_id", doing)?)
            .or_default()
            .push(grant_from(row, doing)?);
    }
    let mut users = rows
        .iter()
        .map(|row| {
            let user = user_from(row, doing)?;
            let mut grants = grants.remove(&user.id).unwrap_or_default();
            grants.sort();
            Ok(UserWithGrants { user, grants })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    // Text order in Rust: the backends' collations differ.
    users.sort_by(|a, b| a.user.username.cmp(&b.user.username));
    Ok(users)
}

/// The grants of user `user_id`, sorted.
pub async fn grants_of(db: &Db, user_id: i64) -> Result<Vec<Grant>> {
    let doing = format!("reading the grants of user {user_id}");
    let mut tx = db.read(&doing).await?;
    Ok(grants_in(&mut tx, user_id, &doing).await?)
}

/// Checks a login of `username` with `password` from client address `source`. On success
/// returns the user, ends the account's failure count and back-off for the source, and records
/// the login. Every refusal but the throttle's is [`AccountError::BadCredentials`], and costs
/// one argon2 verification (against a dummy hash for an unknown user), so neither the answer
/// nor its time tells an unknown user, a wrong password, an account locked for the source and
/// a disabled account apart. An account locked for the source refuses even its right password
/// until the lock ends: letting it in would tell the guesser which password was right. See
/// the module documentation of [`crate::login_attempts`] for the counts.
pub async fn verify_login(
    db: &Db,
    username: &str,
    password: &str,
    source: IpAddr,
    policy: &LoginPolicy,
    now: DateTime<Utc>,
) -> Result<User> {
    let now = stored(now);
    let source = login_attempts::source_key(source);
    if let Some(until) = login_attempts::start_attempt(db, &source, policy, now).await? {
        return Err(AccountError::Throttled { until });
    }
    let username = normalize_username(username).ok();
    let doing = format!(
        "checking the login of {}",
        username.as_deref().unwrap_or("an invalid username")
    );
    let found = match &username {
        Some(username) => {
            let mut tx = db.read(&doing).await?;
            find_user_in(&mut tx, username, &doing).await?
        }
        None => None,
    };
    let hash = found
        .as_ref()
        .map_or_else(|| DUMMY_HASH.to_owned(), |(_, hash)| hash.clone());
    let matches = password_matches(password, hash).await?;

    let mut tx = db.begin_write(&doing).await?;
    login_attempts::prune(&mut tx, policy, now, &doing).await?;
    let outcome = match (found, username) {
        (Some((user, _)), Some(username)) => {
            // Read again after the (slow) verification: a lock or a disabling that happened in
            // between wins.
            let current = find_user_in(&mut tx, &username, &doing).await?;
            let disabled = current.is_none_or(|(user, _)| user.disabled);
            let locked =
                login_attempts::locked_until(&mut tx, user.id, &source, now, &doing).await?;
            let refused = |reason: &str| Some(json!({"source": source, "refused": reason}));
            if disabled {
                audit_login(
                    &mut tx,
                    now,
                    &username,
                    "user.login_failed",
                    refused("disabled"),
                )
                .await?;
                Err(AccountError::BadCredentials)
            } else if let Some(until) = locked {
                let after = Some(json!({
                    "source": source, "refused": "locked", "locked_until": timestamp(until)
                }));
                audit_login(&mut tx, now, &username, "user.login_failed", after).await?;
                Err(AccountError::BadCredentials)
            } else if matches {
                login_attempts::succeeded(&mut tx, user.id, &source, &doing).await?;
                audit_login(&mut tx, now, &username, "user.login", None).await?;
                Ok(user)
            } else {
                failed_password(&mut tx, &user, &source, policy, now, &doing).await?;
                Err(AccountError::BadCredentials)
            }
        }
        _ => Err(AccountError::BadCredentials),
    };
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    outcome
}

async fn audit_login(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    username: &str,
    action: &str,
    after: Option<serde_json::Value>,
) -> Result<(), StoreError> {
    audit_user_change(conn, now, username, action, username, None, after).await
}

/// Counts a wrong password for `user` from `source`; when it locks the account for the
/// source, audits the lock (`user.locked`), notifies the agencies the user has grants on (the
/// notification model is per agency: the user and their agencies' administrators read it
/// there), and logs a warning.
async fn failed_password(
    conn: &mut AnyConnection,
    user: &User,
    source: &str,
    policy: &LoginPolicy,
    now: DateTime<Utc>,
    doing: &str,
) -> Result<(), StoreError> {
    let username = &user.username;
    match login_attempts::failed(conn, user.id, source, policy, now, doing).await? {
        Failure::Counted(failures) => {
            let after = json!({"source": source, "failed_logins": failures});
            audit_login(conn, now, username, "user.login_failed", Some(after)).await
        }
        Failure::AlreadyLocked => {
            let after = json!({"source": source, "refused": "locked"});
            audit_login(conn, now, username, "user.login_failed", Some(after)).await
        }
        Failure::Locked {
            until,
            locks,
            failures,
        } => {
            let after = json!({
                "source": source,
                "failed_logins": failures,
                "locks_in_a_row": locks,
                "locked_until": timestamp(until),
            });
            audit_login(conn, now, username, "user.locked", Some(after)).await?;
            let agencies: std::collections::BTreeSet<String> = grants_in(conn, user.id, doing)
                .await?
                .into_iter()
                .map(|grant| grant.agency_code)
                .collect();
            let local_until = (until + Duration::hours(7)).format("%H:%M %d/%m/%Y");
            let notices: Vec<NewNotification> = agencies
                .into_iter()
                .map(|agency_code| NewNotification {
                    // One per agency and lock.
                    dedupe_key: format!(
                        "account_locked:{}:{}:{agency_code}",
                        user.id,
                        timestamp(until)
                    ),
                    agency_code,
                    user_id: Some(user.id),
                    kind: "account_locked".to_owned(),
                    title: format!(
                        "Tài khoản {username} tạm khóa — account {username} locked"
                    ),
                    body: format!(
                        "Đăng nhập sai {failures} lần liên tiếp từ một địa chỉ: tài khoản bị khóa                          với địa chỉ đó đến {local_until} (giờ Việt Nam); từ địa chỉ khác vẫn                          đăng nhập được. Nếu không phải bạn, hãy báo quản trị viên.                          {failures} failed logins in a row from one address: the account is                          locked for that address until {local_until} (Vietnam time); other                          addresses can still log in. If this was not you, tell an administrator."
                    ),
                    link: None,
                })
                .collect();
            notifications::notify_in(conn, &notices, now, doing).await?;
            // The source is what an operator blocks at the firewall; it is not the user's.
            tracing::warn!(
                user.id = user.id,
                client.source = %source,
                lock.count = locks,
                lock.until = %timestamp(until),
                "account locked for one source after failed logins"
            );
            Ok(())
        }
    }
}

/// Sets `username`'s password after checking it against `policy`. `must_change_password` is
/// what the flag becomes: `false` when users choose their own, `true` when an administrator
/// resets it. Also unlocks the account and ends the user's sessions (a web page that changes
/// its user's own password opens a new session for them afterwards). A reset by an
/// administrator (`must_change_password`) also revokes the user's API tokens: a reset is
/// what one does when a password may be known to someone else. Users changing their own
/// password keep their tokens (other systems go on working); [`log_out_everywhere`] ends both.
pub async fn set_password(
    db: &Db,
    actor: &str,
    username: &str,
    password: &str,
    must_change_password: bool,
    policy: &PasswordPolicy,
) -> Result<()> {
    let username = normalize_username(username)?;
    policy
        .check(password, &username)
        .map_err(AccountError::WeakPassword)?;
    let password_hash = hash_password(password).await?;
    let now = stored(clock::now());
    let doing = format!("setting the password of {username}");
    let mut tx = db.begin_write(&doing).await?;
    let Some((before, _)) = find_user_in(&mut tx, &username, &doing).await? else {
        return Err(AccountError::UnknownUser(username));
    };
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3 \
         WHERE id = $4",
    )
    .bind(&password_hash)
    .bind(flag(must_change_password))
    .bind(timestamp(now))
    .bind(before.id)
    .execute(&mut *tx)
    .await
    .context(|| doing.clone())?;
    // A new password ends every lock on the account: an administrator's reset unlocks it.
    sqlx::query("DELETE FROM login_lockouts WHERE user_id = $1")
        .bind(before.id)
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
    end_sessions_of(&mut tx, before.id, &doing).await?;
    if must_change_password {
        revoke_tokens_of(&mut tx, now, actor, before.id, &username, &doing).await?;
    }
    let after = User {
        must_change_password,
        updated_at: now,
        ..before.clone()
    };
    audit_user_change(
        &mut tx,
        now,
        actor,
        "user.password",
        &username,
        Some(user_json(&before)),
        Some(user_json(&after)),
    )
    .await?;
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    tracing::info!(user.id = before.id, "password set");
    Ok(())
}

/// Disables (`true`) or enables a user; disabling ends their sessions. Returns whether the
/// flag changed.
pub async fn set_disabled(db: &Db, actor: &str, username: &str, disabled: bool) -> Result<bool> {
    let username = normalize_username(username)?;
    let now = stored(clock::now());
    let doing = format!("disabling or enabling {username}");
    let mut tx = db.begin_write(&doing).await?;
    let Some((before, _)) = find_user_in(&mut tx, &username, &doing).await? else {
        return Err(AccountError::UnknownUser(username));
    };
    if before.disabled == disabled {
        return Ok(false);
    }
    sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(flag(disabled))
        .bind(timestamp(now))
        .bind(before.id)
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
    if disabled {
        end_sessions_of(&mut tx, before.id, &doing).await?;
    }
    let after = User {
        disabled,
        updated_at: now,
        ..before.clone()
    };
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    audit_user_change(
        &mut tx,
        now,
        actor,
        action,
        &username,
        Some(user_json(&before)),
        Some(user_json(&after)),
    )
    .await?;
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    Ok(true)
}

async fn end_sessions_of(
    conn: &mut AnyConnection,
    user_id: i64,
    doing: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    Ok(())
}

/// Revokes every live API token of user `user_id`, each audited; returns how many.
async fn revoke_tokens_of(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    actor: &str,
    user_id: i64,
    username: &str,
    doing: &str,
) -> Result<u64, StoreError> {
    let ids = sqlx::query("SELECT id FROM api_tokens WHERE user_id = $1 AND revoked = 0")
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    for row in &ids {
        let id: i64 = col(row, "id", doing)?;
        sqlx::query("UPDATE api_tokens SET revoked = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await
            .context(|| doing.to_owned())?;
        audit::append(
            conn,
            now,
            &AuditEntry {
                actor: text::nfc(actor),
                action: "api_token.revoke".to_owned(),
                entity: "api_token".to_owned(),
                entity_id: id.to_string(),
                before: Some(json!({"revoked": false, "user": username})),
                after: Some(json!({"revoked": true, "user": username})),
            },
        )
        .await?;
    }
    Ok(ids.len() as u64)
}

/// Logs `username` out everywhere, for a password that may be known to someone else: ends
/// every session and revokes every API token, audited as `user.logout_everywhere`. Returns
/// how many tokens were revoked.
pub async fn log_out_everywhere(db: &Db, actor: &str, username: &str) -> Result<u64> {
    let username = normalize_username(username)?;
    let now = stored(clock::now());
    let doing = format!("logging {username} out everywhere");
    let mut tx = db.begin_write(&doing).await?;
    let Some((user, _)) = find_user_in(&mut tx, &username, &doing).await? else {
        return Err(AccountError::UnknownUser(username));
    };
    end_sessions_of(&mut tx, user.id, &doing).await?;
    let revoked = revoke_tokens_of(&mut tx, now, actor, user.id, &username, &doing).await?;
    audit::append(
        &mut tx,
        now,
        &AuditEntry {
            actor: text::nfc(actor),
            action: "user.logout_everywhere".to_owned(),
            entity: "user".to_owned(),
            entity_id: username.clone(),
            before: None,
            after: Some(json!({"sessions_ended": true, "api_tokens_revoked": revoked})),
        },
    )
    .await?;
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    tracing::info!(
        user.id = user.id,
        api_tokens_revoked = revoked,
        "logged out everywhere"
    );
    Ok(revoked)
}

/// Gives `username` the role `grant.role` on `grant.agency_code`'s subtree; the agency must
/// be in the stored directory. Returns `false` when the user already had that grant.
pub async fn grant(db: &Db, actor: &str, username: &str, grant: &Grant) -> Result<bool> {
    change_grant(db, actor, username, grant, true).await
}

/// Takes a grant away; returns `false` when the user did not have it.
pub async fn revoke(db: &Db, actor: &str, username: &str, grant: &Grant) -> Result<bool> {
    change_grant(db, actor, username, grant, false).await
}

async fn change_grant(
    db: &Db,
    actor: &str,
    username: &str,
    grant: &Grant,
    add: bool,
) -> Result<bool> {
    let username = normalize_username(username)?;
    let agency_code = text::nfc(grant.agency_code.trim());
    let grant = Grant {
        role: grant.role,
        agency_code,
    };
    let now = stored(clock::now());
    let verb = if add { "granting" } else { "revoking" };
    let doing = format!(
        "{verb} {} on {} for {username}",
        grant.role, grant.agency_code
    );
    let mut tx = db.begin_write(&doing).await?;
    let Some((user, _)) = find_user_in(&mut tx, &username, &doing).await? else {
        return Err(AccountError::UnknownUser(username));
    };
    let changed = if add {
        let known = sqlx::query("SELECT 1 AS one FROM agencies WHERE code = $1")
            .bind(&grant.agency_code)
            .fetch_optional(&mut *tx)
            .await
            .context(|| doing.clone())?;
        if known.is_none() {
            return Err(AccountError::UnknownAgency(grant.agency_code));
        }
        let existing = sqlx::query(
            "SELECT from_sso FROM user_grants WHERE user_id = $1 AND role = $2 AND agency_code = $3",
        )
        .bind(user.id)
        .bind(grant.role.as_str())
        .bind(&grant.agency_code)
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.clone())?;
        if let Some(row) = existing {
            // A grant the mapping file gave becomes the administrator's: the next sign-in
            // through the directory keeps it (see `sso`).
            let mapped = flag_from(col(&row, "from_sso", &doing)?, &doing)?;
            if mapped {
                sqlx::query(
                    "UPDATE user_grants SET from_sso = 0 \
                     WHERE user_id = $1 AND role = $2 AND agency_code = $3",
                )
                .bind(user.id)
                .bind(grant.role.as_str())
                .bind(&grant.agency_code)
                .execute(&mut *tx)
                .await
                .context(|| doing.clone())?;
            }
            mapped
        } else {
            sqlx::query("INSERT INTO user_grants (user_id, role, agency_code) VALUES ($1, $2, $3)")
                .bind(user.id)
                .bind(grant.role.as_str())
                .bind(&grant.agency_code)
                .execute(&mut *tx)
                .await
                .context(|| doing.clone())?;
            true
        }
    } else {
        let deleted = sqlx::query(
            "DELETE FROM user_grants WHERE user_id = $1 AND role = $2 AND agency_code = $3",
        )
        .bind(user.id)
        .bind(grant.role.as_str())
        .bind(&grant.agency_code)
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
        deleted.rows_affected() > 0
    };
    if !changed {
        return Ok(false);
    }
    let (action, before, after) = if add {
        ("user.grant", None, Some(grant_json(&grant)))
    } else {
        ("user.revoke", Some(grant_json(&grant)), None)
    };
    audit_user_change(&mut tx, now, actor, action, &username, before, after).await?;
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    tracing::info!(
        user.id = user.id,
        role = %grant.role,
        agency.code = %grant.agency_code,
        "{}",
        if add { "role granted" } else { "role revoked" }
    );
    Ok(true)
}

/// Opens a session for `user_id` (after [`verify_login`]); the returned token is not stored.
pub async fn create_session(
    db: &Db,
    user_id: i64,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> Result<NewSession> {
    let now = stored(now);
    let token = random_token()?;
    let csrf_token = random_token()?;
    let absolute_expires_at = now + policy.absolute;
    let idle_expires_at = (now + policy.idle).min(absolute_expires_at);
    let doing = format!("opening a session for user {user_id}");
    let mut tx = db.begin_write(&doing).await?;
    let username: Option<String> = sqlx::query("SELECT username FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.clone())?
        .map(|row| col(&row, "username", &doing))
        .transpose()?;
    let Some(username) = username else {
        return Err(AccountError::UnknownUser(user_id.to_string()));
    };
    sqlx::query(
        "INSERT INTO sessions (id, user_id, csrf_token, created_at, last_seen_at, \
            idle_expires_at, absolute_expires_at) VALUES ($1, $2, $3, $4, $4, $5, $6)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(&csrf_token)
    .bind(timestamp(now))
    .bind(timestamp(idle_expires_at))
    .bind(timestamp(absolute_expires_at))
    .execute(&mut *tx)
    .await
    .context(|| doing.clone())?;
    audit::append(
        &mut tx,
        now,
        &AuditEntry {
            actor: username.clone(),
            action: "session.create".to_owned(),
            entity: "session".to_owned(),
            entity_id: username,
            before: None,
            after: Some(json!({"absolute_expires_at": timestamp(absolute_expires_at)})),
        },
    )
    .await?;
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    Ok(NewSession {
        token,
        csrf_token,
        idle_expires_at,
        absolute_expires_at,
    })
}

/// How often a session's `last_seen_at` (and idle expiry) or a token's `last_used_at` is
/// written: every request would otherwise be a write (an fsync on SQLite) just to move a
/// timestamp. The idle expiry is therefore exact to within this much.
pub const TOUCH_EVERY: Duration = Duration::minutes(1);

/// The live session named by `token`, with its user and grants; its idle expiry moves to
/// `now + policy.idle` (never past the absolute one; written at most every [`TOUCH_EVERY`]).
/// `None` for an unknown or expired session (an expired one is removed) and for a disabled
/// user's.
pub async fn get_session(
    db: &Db,
    token: &str,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Option<Session>> {
    let now = stored(now);
    let id = token_hash(token);
    let doing = "reading a session";
    // Every request reads its session: the session, its user and the user's grants in one
    // statement (a row per grant, or one row without a grant).
    let sql = format!(
        "SELECT s.user_id, s.csrf_token, s.created_at AS session_created_at, s.last_seen_at, \
            s.idle_expires_at, s.absolute_expires_at, {USER_COLUMNS_OF_U}, g.role, g.agency_code \
         FROM sessions s LEFT JOIN users u ON u.id = s.user_id \
         LEFT JOIN user_grants g ON g.user_id = s.user_id WHERE s.id = $1"
    );
    let rows = {
        let mut conn = db.read_one(doing).await?;
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&id)
            .fetch_all(&mut *conn)
            .await
            .context(|| doing.to_owned())?
    };
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let (user, grants) = user_with_grants(&rows, doing)?;
    let csrf_token: String = col(row, "csrf_token", doing)?;
    let stamp = |column: &str| -> Result<DateTime<Utc>> {
        Ok(timestamp_from(&col::<String>(row, column, doing)?, doing)?)
    };
    let created_at = stamp("session_created_at")?;
    let last_seen_at = stamp("last_seen_at")?;
    let idle = stamp("idle_expires_at")?;
    let absolute = stamp("absolute_expires_at")?;
    let username = user
        .as_ref()
        .map(|u| u.username.clone())
        .unwrap_or_default();
    let live_user = user.filter(|u| !u.disabled);
    let (Some(user), true) = (live_user, now < idle && now < absolute) else {
        let mut tx = db.begin_write(doing).await?;
        let removed = sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await
            .context(|| doing.to_owned())?
            .rows_affected();
        // Another request may have removed it first: record the end once.
        if removed > 0 {
            audit::append(
                &mut tx,
                now,
                &AuditEntry {
                    actor: "system".to_owned(),
                    action: "session.expire".to_owned(),
                    entity: "session".to_owned(),
                    entity_id: username,
                    before: None,
                    after: None,
                },
            )
            .await?;
        }
        tx.commit()
            .await
            .context(|| format!("{doing}: committing"))?;
        return Ok(None);
    };
    let (last_seen_at, idle_expires_at) = if now - last_seen_at >= TOUCH_EVERY {
        let idle_expires_at = (now + policy.idle).min(absolute);
        let touched = sqlx::query(
            "UPDATE sessions SET last_seen_at = $1, idle_expires_at = $2 WHERE id = $3",
        )
        .bind(timestamp(now))
        .bind(timestamp(idle_expires_at))
        .bind(&id)
        .execute(db.pool())
        .await
        .context(|| doing.to_owned());
        if !touched_or_refused(touched)? {
            // Not moved on: the session keeps its stored idle expiry.
            (last_seen_at, idle)
        } else {
            (now, idle_expires_at)
        }
    } else {
        (last_seen_at, idle)
    };
    Ok(Some(Session {
        user,
        grants,
        csrf_token,
        created_at,
        last_seen_at,
        idle_expires_at,
        absolute_expires_at: absolute,
    }))
}

/// Ends the session named by `token` (logout); returns whether there was one.
pub async fn delete_session(db: &Db, token: &str, now: DateTime<Utc>) -> Result<bool> {
    let now = stored(now);
    let id = token_hash(token);
    let doing = "ending a session";
    let mut tx = db.begin_write(doing).await?;
    let row = sqlx::query(
        "SELECT u.username FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
    )
    .bind(&id)
    .fetch_optional(&mut *tx)
    .await
    .context(|| doing.to_owned())?;
    let Some(row) = row else {
        return Ok(false);
    };
    let username: String = col(&row, "username", doing)?;
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(&id)
        .execute(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    audit::append(
        &mut tx,
        now,
        &AuditEntry {
            actor: username.clone(),
            action: "session.delete".to_owned(),
            entity: "session".to_owned(),
            entity_id: username,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    Ok(true)
}

/// Removes every session past its idle or absolute expiry at `now`; returns how many.
pub async fn delete_expired_sessions(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    let now = stored(now);
    let doing = "removing expired sessions";
    let mut tx = db.begin_write(doing).await?;
    let now_text = timestamp(now);
    let deleted = sqlx::query(
        "DELETE FROM sessions WHERE idle_expires_at <= $1 OR absolute_expires_at <= $2",
    )
    .bind(&now_text)
    .bind(&now_text)
    .execute(&mut *tx)
    .await
    .context(|| doing.to_owned())?
    .rows_affected();
    if deleted > 0 {
        audit::append(
            &mut tx,
            now,
            &AuditEntry {
                actor: "system".to_owned(),
                action: "session.expire".to_owned(),
                entity: "session".to_owned(),
                entity_id: "*".to_owned(),
                before: None,
                after: Some(json!({"removed": deleted})),
            },
        )
        .await?;
    }
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    Ok(deleted)
}

/// Creates an API token for `username` named `name` (what it is for); the token is in the
/// result and nowhere else.
pub async fn create_api_token(
    db: &Db,
    actor: &str,
    username: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<NewApiToken> {
    let now = stored(now);
    let username = normalize_username(username)?;
    let name = text::nfc(name.trim());
    // A prefix lets secret scanners and people recognise a leaked token.
    let token = format!("dongbo_{}", random_token()?);
    let doing = format!("creating an API token for {username}");
    let mut tx = db.begin_write(&doing).await?;
    let Some((user, _)) = find_user_in(&mut tx, &username, &doing).await? else {
        return Err(AccountError::UnknownUser(username));
    };
    let row = sqlx::query(
        "INSERT INTO api_tokens (hash, user_id, name, created_at, last_used_at, revoked) \
         VALUES ($1, $2, $3, $4, NULL, 0) RETURNING id",
    )
    .bind(token_hash(&token))
    .bind(user.id)
    .bind(&name)
    .bind(timestamp(now))
    .fetch_one(&mut *tx)
    .await
    .context(|| doing.clone())?;
    let id: i64 = col(&row, "id", &doing)?;
    audit::append(
        &mut tx,
        now,
        &AuditEntry {
            actor: text::nfc(actor),
            action: "api_token.create".to_owned(),
            entity: "api_token".to_owned(),
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({"username": username, "name": name})),
        },
    )
    .await?;
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    Ok(NewApiToken { id, token })
}

/// Whether a bookkeeping touch (a session's `last_seen_at`, a token's `last_used_at`) was
/// written. A database that refuses writes (read-only, full) must still let people read, so
/// there the touch is skipped with a warning instead of failing the request.
fn touched_or_refused<T>(touched: crate::Result<T>) -> crate::Result<bool> {
    match touched {
        Ok(_) => Ok(true),
        Err(error) if error.refuses_writes() => {
            tracing::warn!(%error, "not recording the last use: the database refuses writes");
            Ok(false)
        }
        Err(error) => Err(error),
    }
}

/// Who `token` speaks for, when it is a live token of an enabled user; records its use (at
/// most every [`TOUCH_EVERY`]).
pub async fn authenticate_token(
    db: &Db,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<TokenUser>> {
    let now = stored(now);
    let doing = "authenticating an API token";
    // The token, its user and the user's grants in one statement (a row per grant).
    let sql = format!(
        "SELECT t.id AS token_id, t.last_used_at, {USER_COLUMNS_OF_U}, g.role, g.agency_code \
         FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id \
         LEFT JOIN user_grants g ON g.user_id = t.user_id WHERE t.hash = $1 AND t.revoked = 0"
    );
    let rows = {
        let mut conn = db.read_one(doing).await?;
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash(token))
            .fetch_all(&mut *conn)
            .await
            .context(|| doing.to_owned())?
    };
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let token_id: i64 = col(row, "token_id", doing)?;
    let last_used_at = col::<Option<String>>(row, "last_used_at", doing)?
        .map(|t| timestamp_from(&t, doing))
        .transpose()?;
    let (user, grants) = user_with_grants(&rows, doing)?;
    let Some(user) = user.filter(|u| !u.disabled) else {
        return Ok(None);
    };
    if last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY) {
        let touched = sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(timestamp(now))
            .bind(token_id)
            .execute(db.pool())
            .await
            .context(|| doing.to_owned());
        touched_or_refused(touched)?;
    }
    Ok(Some(TokenUser {
        token_id,
        user,
        grants,
    }))
}

/// Revokes API token `token_id`; returns whether it was live.
pub async fn revoke_api_token(db: &Db, actor: &str, token_id: i64) -> Result<bool> {
    let now = stored(clock::now());
    let doing = format!("revoking API token {token_id}");
    let mut tx = db.begin_write(&doing).await?;
    let revoked = sqlx::query("UPDATE api_tokens SET revoked = 1 WHERE id = $1 AND revoked = 0")
        .bind(token_id)
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?
        .rows_affected()
        > 0;
    if revoked {
        audit::append(
            &mut tx,
            now,
            &AuditEntry {
                actor: text::nfc(actor),
                action: "api_token.revoke".to_owned(),
                entity: "api_token".to_owned(),
                entity_id: token_id.to_string(),
                before: Some(json!({"revoked": false})),
                after: Some(json!({"revoked": true})),
            },
        )
        .await?;
        tx.commit()
            .await
            .context(|| format!("{doing}: committing"))?;
    }
    Ok(revoked)
}

/// The API tokens of `username`, oldest first.
pub async fn api_tokens_of(db: &Db, username: &str) -> Result<Vec<ApiTokenInfo>> {
    let username = normalize_username(username)?;
    let doing = format!("listing the API tokens of {username}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT t.id, t.name, t.created_at, t.last_used_at, t.revoked FROM api_tokens t \
         JOIN users u ON u.id = t.user_id WHERE u.username = $1 ORDER BY t.id",
    )
    .bind(&username)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter()
        .map(|row| {
            let last_used: Option<String> = col(row, "last_used_at", &doing)?;
            Ok(ApiTokenInfo {
                id: col(row, "id", &doing)?,
                name: col(row, "name", &doing)?,
                created_at: timestamp_from(&col::<String>(row, "created_at", &doing)?, &doing)?,
                last_used_at: last_used.map(|t| timestamp_from(&t, &doing)).transpose()?,
                revoked: flag_from(col(row, "revoked", &doing)?, &doing)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()
        .map_err(AccountError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash_so_unknown_users_cost_a_full_verification() {
        let parsed = argon2::password_hash::phc::PasswordHash::new(DUMMY_HASH)
            .expect("DUMMY_HASH parses as a PHC string");
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert!(
            Argon2::default()
                .verify_password(b"anything", DUMMY_HASH)
                .is_err()
        );
    }

    #[test]
    fn generated_passwords_pass_the_policy_and_differ() {
        let a = generate_password().unwrap();
        let b = generate_password().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.chars().count(), 20);
        assert_eq!(PasswordPolicy::default().check(&a, "admin"), Ok(()));
    }

    #[test]
    fn usernames_are_trimmed_nfc_lower_case_and_plain() {
        assert_eq!(
            normalize_username("  Lan.Nguyen@BNG ").unwrap(),
            "lan.nguyen@bng"
        );
        assert_eq!(
            normalize_username("NGUYE\u{0302}\u{0303}N").unwrap(),
            "nguyễn"
        );
        for bad in ["", "a b", "x/y", &"a".repeat(65)] {
            assert!(normalize_username(bad).is_err(), "{bad:?}");
        }
    }
}
