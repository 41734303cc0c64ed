//! Accounts that sign in through the organisation's directory (LDAP) or its OpenID Connect
//! provider: the password is checked there, not here; this module keeps the local side of such a sign-in, with the same
//! throttle, lock and audit as a local one.
//!
//! - **Which accounts.** An account whose `sso_source` is set signs in through the directory;
//!   one without (made by `dongbo user add`, the first run or an administrator) is *local*
//!   and uses its password here — unless the server requires SSO and the account is not on
//!   its local list, when it goes to the directory too and is taken over by it (the caller,
//!   `programs::sso`, decides; [`account_kind`] tells it what the account is).
//! - **The password** of an account made here by a sign-in is [`NO_PASSWORD`], which is not
//!   a PHC string: no password typed at the local form matches it.
//! - **Grants.** Those the mapping file gives are marked `from_sso` and replaced at every
//!   sign-in; those an administrator gave are kept. A sign-in without a mapping file leaves
//!   every grant as it is (roles kept local).
//! - **Throttle and lock.** A sign-in counts against its client address's allowance before
//!   the directory is asked ([`start`]); a refusal by the directory counts against the
//!   account's lock for that address like a wrong local password, and an account locked for
//!   the address is refused even when the directory accepts the password ([`finish`]).
//! - **Audit.** The account made (`user.create`), what the directory changed in it
//!   (`user.sso_update`: name, e-mail, the mapped grants, before and after) and the sign-in
//!   (`user.login` with `via`) in the transaction that writes them.

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use dongbo_domain::access::Grant;
use dongbo_domain::text;
use serde_json::json;
use sqlx::AnyConnection;

use super::{
    AccountError, LoginPolicy, Result, USER_COLUMNS, User, audit_login, audit_user_change,
    failed_password, find_user_in, grant_json, normalize_username, stored, user_from, user_json,
};
use crate::audit::timestamp;
use crate::codec::col;
use crate::login_attempts;
use crate::{Context, StoreError};

/// The stored "hash" of an account whose password is the directory's: not a PHC string, so
/// the local check never matches it.
pub const NO_PASSWORD: &str = "!sso";

/// Where a person's password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoSource {
    /// The organisation's LDAP directory or Active Directory.
    Ldap,
    /// The organisation's OpenID Connect provider.
    Oidc,
}

impl SsoSource {
    /// As stored in `users.sso_source` and shown in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            SsoSource::Ldap => "ldap",
            SsoSource::Oidc => "oidc",
        }
    }
}

/// What an account is, for choosing how it signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountKind {
    /// No account by that name (or a name that cannot be one).
    Unknown,
    /// A local account: its password is checked here.
    Local,
    /// An account whose password the directory checks.
    Sso(String),
}

/// What the directory said about a person whose password it accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoIdentity {
    pub source: SsoSource,
    /// As typed at the login form (normalised here).
    pub username: String,
    /// The directory's name for them (`cn`, `displayName`).
    pub display_name: String,
    /// The directory's address for them, if it has one.
    pub email: Option<String>,
    /// The grants the mapping file gives for their groups; `None` when there is no mapping
    /// file (roles kept local: the account's grants are left as they are).
    pub grants: Option<Vec<Grant>>,
}

/// What `username` is: unknown, local or signing in through the directory.
pub async fn account_kind(db: &crate::Db, username: &str) -> Result<AccountKind> {
    let Ok(username) = normalize_username(username) else {
        return Ok(AccountKind::Unknown);
    };
    let doing = format!("reading how {username} signs in");
    let mut tx = db.read(&doing).await?;
    let row = sqlx::query("SELECT sso_source FROM users WHERE username = $1")
        .bind(&username)
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.clone())?;
    Ok(match row {
        None => AccountKind::Unknown,
        Some(row) => match col::<Option<String>>(&row, "sso_source", &doing)? {
            None => AccountKind::Local,
            Some(source) => AccountKind::Sso(source),
        },
    })
}

/// Counts a sign-in through the directory that is starting against the client address's
/// allowance: [`AccountError::Throttled`] when it is used up (the directory is then not asked).
pub async fn start(
    db: &crate::Db,
    source: IpAddr,
    policy: &LoginPolicy,
    now: DateTime<Utc>,
) -> Result<()> {
    let source = login_attempts::source_key(source);
    match login_attempts::start_attempt(db, &source, policy, stored(now)).await? {
        Some(until) => Err(AccountError::Throttled { until }),
        None => Ok(()),
    }
}

/// Gives back the count [`start`] took when the directory could not be asked (an outage is
/// not the client's failure, and must not throttle a whole office behind one address).
pub async fn abandon(db: &crate::Db, source: IpAddr) -> Result<()> {
    let source = login_attempts::source_key(source);
    let doing = "giving back a login attempt the directory could not answer";
    let mut tx = db.begin_write(doing).await?;
    login_attempts::give_back(&mut tx, &source, doing).await?;
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    Ok(())
}

/// Ends a sign-in through the directory. With `accepted` (the directory took the password):
/// the account is made or brought up to date and returned, unless it is disabled or locked
/// for the client's address. Without (the directory refused): the failure counts against the
/// account's lock for the address, as a wrong local password does. Every refusal is
/// [`AccountError::BadCredentials`], audited.
pub async fn finish(
    db: &crate::Db,
    username: &str,
    accepted: Option<&SsoIdentity>,
    source: IpAddr,
    policy: &LoginPolicy,
    now: DateTime<Utc>,
) -> Result<User> {
    let now = stored(now);
    let source = login_attempts::source_key(source);
    let Ok(username) = normalize_username(username) else {
        return Err(AccountError::BadCredentials);
    };
    let doing = format!("signing {username} in through the directory");
    let mut tx = db.begin_write(&doing).await?;
    login_attempts::prune(&mut tx, policy, now, &doing).await?;
    let found = find_user_in(&mut tx, &username, &doing).await?;
    let refused = |reason: &str| Some(json!({"source": source, "refused": reason}));
    let outcome = match (found, accepted) {
        (None, None) => Err(AccountError::BadCredentials),
        (Some((user, _)), None) => {
            failed_password(&mut tx, &user, &source, policy, now, &doing).await?;
            Err(AccountError::BadCredentials)
        }
        (Some((user, _)), Some(_)) if user.disabled => {
            audit_login(
                &mut tx,
                now,
                &username,
                "user.login_failed",
                refused("disabled"),
            )
            .await?;
            Err(AccountError::BadCredentials)
        }
        (found, Some(identity)) => {
            let locked = match &found {
                Some((user, _)) => {
                    login_attempts::locked_until(&mut tx, user.id, &source, now, &doing).await?
                }
                None => None,
            };
            if let Some(until) = locked {
                let after = Some(json!({
                    "source": source, "refused": "locked", "locked_until": timestamp(until)
                }));
                audit_login(&mut tx, now, &username, "user.login_failed", after).await?;
                Err(AccountError::BadCredentials)
            } else {
                let user = match found {
                    Some((user, _)) => user,
                    None => create_in(&mut tx, &username, identity, now, &doing).await?,
                };
                let user = update_in(&mut tx, &user, identity, now, &doing).await?;
                login_attempts::succeeded(&mut tx, user.id, &source, &doing).await?;
                let via = Some(json!({"via": identity.source.as_str()}));
                audit_login(&mut tx, now, &username, "user.login", via).await?;
                Ok(user)
            }
        }
    };
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    outcome
}

/// Makes the account of a person the directory accepted, audited (`user.create`).
async fn create_in(
    conn: &mut AnyConnection,
    username: &str,
    identity: &SsoIdentity,
    now: DateTime<Utc>,
    doing: &str,
) -> Result<User> {
    let display_name = display_name(identity, username);
    // Two first sign-ins of one person at once: the second finds the account the first made
    // (on PostgreSQL it waits for the first's commit; SQLite's writers take turns).
    let row = sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, must_change_password, \
            disabled, created_at, updated_at, sso_source) \
         VALUES ($1, $2, $3, 0, 0, $4, $4, $5) ON CONFLICT (username) DO NOTHING RETURNING id",
    )
    .bind(username)
    .bind(&display_name)
    .bind(NO_PASSWORD)
    .bind(timestamp(now))
    .bind(identity.source.as_str())
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    let Some(row) = row else {
        return match find_user_in(conn, username, doing).await? {
            Some((user, _)) => Ok(user),
            None => Err(AccountError::UsernameTaken(username.to_owned())),
        };
    };
    let user = User {
        id: col(&row, "id", doing)?,
        username: username.to_owned(),
        display_name,
        must_change_password: false,
        disabled: false,
        created_at: now,
        updated_at: now,
    };
    let mut after = user_json(&user);
    after["sso_source"] = json!(identity.source.as_str());
    audit_user_change(
        conn,
        now,
        username,
        "user.create",
        username,
        None,
        Some(after),
    )
    .await?;
    tracing::info!(
        user.id = user.id,
        via = identity.source.as_str(),
        "user created at sign-in"
    );
    Ok(user)
}

/// Brings the account up to date with what the directory says (name, the e-mail address when
/// the user has set none, the mapped grants, and its source), auditing what changed
/// (`user.sso_update`). Returns the account as it is now.
async fn update_in(
    conn: &mut AnyConnection,
    user: &User,
    identity: &SsoIdentity,
    now: DateTime<Utc>,
    doing: &str,
) -> Result<User> {
    let mut before = serde_json::Map::new();
    let mut after = serde_json::Map::new();
    let name = display_name(identity, &user.username);
    let row = sqlx::query("SELECT sso_source FROM users WHERE id = $1")
        .bind(user.id)
        .fetch_one(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    let old_source: Option<String> = col(&row, "sso_source", doing)?;
    if name != user.display_name || old_source.as_deref() != Some(identity.source.as_str()) {
        sqlx::query(
            "UPDATE users SET display_name = $1, sso_source = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(&name)
        .bind(identity.source.as_str())
        .bind(timestamp(now))
        .bind(user.id)
        .execute(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
        if name != user.display_name {
            before.insert("display_name".into(), json!(user.display_name));
            after.insert("display_name".into(), json!(name));
        }
        if old_source.as_deref() != Some(identity.source.as_str()) {
            before.insert("sso_source".into(), json!(old_source));
            after.insert("sso_source".into(), json!(identity.source.as_str()));
        }
    }
    if let Some(email) = identity.email.as_deref().and_then(email_address) {
        let inserted = sqlx::query(
            "INSERT INTO user_email_settings (user_id, email, cadence, updated_at) \
             VALUES ($1, $2, 'immediate', $3) ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(user.id)
        .bind(&email)
        .bind(timestamp(now))
        .execute(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
        if inserted.rows_affected() > 0 {
            before.insert("email".into(), serde_json::Value::Null);
            after.insert("email".into(), json!(email));
        }
    }
    if let Some(grants) = &identity.grants {
        let (old, new) = replace_sso_grants(conn, user.id, grants, doing).await?;
        if old != new {
            let list = |grants: &BTreeSet<Grant>| grants.iter().map(grant_json).collect::<Vec<_>>();
            before.insert("sso_grants".into(), json!(list(&old)));
            after.insert("sso_grants".into(), json!(list(&new)));
        }
    }
    if !after.is_empty() {
        audit_user_change(
            conn,
            now,
            &user.username,
            "user.sso_update",
            &user.username,
            Some(before.into()),
            Some(after.into()),
        )
        .await?;
    }
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user.id)
        .fetch_one(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    Ok(user_from(&row, doing)?)
}

/// Replaces the account's grants from the mapping file by `grants` (those on an agency the
/// database does not know are left out, with a warning: the mapping file is checked against
/// the directory when the server starts). A grant an administrator gave stays theirs. Returns
/// the mapped grants before and after.
async fn replace_sso_grants(
    conn: &mut AnyConnection,
    user_id: i64,
    grants: &[Grant],
    doing: &str,
) -> Result<(BTreeSet<Grant>, BTreeSet<Grant>), StoreError> {
    let rows = sqlx::query(
        "SELECT role, agency_code FROM user_grants WHERE user_id = $1 AND from_sso = 1",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    let old = rows
        .iter()
        .map(|row| super::grant_from(row, doing))
        .collect::<Result<BTreeSet<_>, StoreError>>()?;
    sqlx::query("DELETE FROM user_grants WHERE user_id = $1 AND from_sso = 1")
        .bind(user_id)
        .execute(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    let mut new = BTreeSet::new();
    for grant in grants {
        let known = sqlx::query("SELECT 1 AS one FROM agencies WHERE code = $1")
            .bind(&grant.agency_code)
            .fetch_optional(&mut *conn)
            .await
            .context(|| doing.to_owned())?;
        if known.is_none() {
            tracing::warn!(agency.code = %grant.agency_code, "a mapped grant names an agency the database does not know: left out");
            continue;
        }
        let inserted = sqlx::query(
            "INSERT INTO user_grants (user_id, role, agency_code, from_sso) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (user_id, role, agency_code) DO NOTHING",
        )
        .bind(user_id)
        .bind(grant.role.as_str())
        .bind(&grant.agency_code)
        .execute(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
        if inserted.rows_affected() > 0 {
            new.insert(grant.clone());
        }
    }
    Ok((old, new))
}

/// The directory's name for the person, NFC and trimmed; their username when it has none.
fn display_name(identity: &SsoIdentity, username: &str) -> String {
    let name = text::nfc(identity.display_name.trim());
    if name.is_empty() {
        username.to_owned()
    } else {
        name
    }
}

/// The directory's e-mail address when it looks like one (as `/account` checks it).
fn email_address(email: &str) -> Option<String> {
    let email = text::nfc(email.trim());
    let (local, domain) = email.split_once('@')?;
    (!local.is_empty() && domain.contains('.') && !email.chars().any(char::is_whitespace))
        .then_some(email)
}
