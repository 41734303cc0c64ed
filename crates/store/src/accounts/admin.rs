//! What an administrator does to other people's accounts, beyond what the parent module
//! already offers (a password reset, disabling, a grant): create accounts with their grants
//! and e-mail address in one transaction (one person, or a whole sheet of focal points, all
//! or nothing), list a user's live sessions and end one, and lift the locks that failed logins
//! put on an account. Every change is audited in its transaction.

use chrono::{DateTime, Utc};
use dongbo_domain::access::{Grant, PasswordPolicy};
use dongbo_domain::clock;
use dongbo_domain::text;
use serde::Serialize;
use serde_json::json;

use super::{
    AccountError, Result, User, audit_user_change, find_user_in, grant_json, hash_password,
    normalize_username, stored, user_json,
};
use crate::audit::{self, AuditEntry, timestamp, timestamp_from};
use crate::codec::{col, flag};
use crate::notifications::{Cadence, normalize_email};
use crate::{Context, Db, StoreError};

/// One account to create, with what the person is given from the start.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// Set for a password someone else chose (generated, or given by an administrator).
    pub must_change_password: bool,
    /// Where the person's agencies' notices are e-mailed (daily), if given.
    pub email: Option<String>,
    pub grants: Vec<Grant>,
}

/// Which account of a batch was refused, and why; nothing of the batch was created.
#[derive(Debug, thiserror::Error)]
#[error("account {index}: {error}")]
pub struct BatchError {
    /// Its place in the batch, from 0.
    pub index: usize,
    #[source]
    pub error: AccountError,
}

/// Creates every account of `accounts` with its grants and e-mail address, in one
/// transaction: all or none. Passwords are checked against `policy` and hashed before the
/// transaction opens (hashing is slow on purpose). Audited as `user.create`, `user.grant` and
/// `user.email_setting`, as the one-by-one functions are.
pub async fn create_accounts(
    db: &Db,
    actor: &str,
    accounts: &[NewAccount],
    policy: &PasswordPolicy,
) -> Result<Vec<User>, BatchError> {
    let at = |index: usize| move |error: AccountError| BatchError { index, error };
    let mut prepared = Vec::with_capacity(accounts.len());
    for (index, account) in accounts.iter().enumerate() {
        let username = normalize_username(&account.username).map_err(at(index))?;
        policy
            .check(&account.password, &username)
            .map_err(|v| at(index)(AccountError::WeakPassword(v)))?;
        let email = account
            .email
            .as_deref()
            .map(normalize_email)
            .transpose()
            .map_err(|e| at(index)(e.into()))?;
        let hash = hash_password(&account.password).await.map_err(at(index))?;
        prepared.push((username, email, hash));
    }
    let now = stored(clock::now());
    let doing = format!("creating {} accounts", accounts.len());
    let mut tx = db.begin_write(&doing).await.map_err(|e| at(0)(e.into()))?;
    let mut created = Vec::with_capacity(accounts.len());
    for (index, (account, (username, email, hash))) in accounts.iter().zip(prepared).enumerate() {
        let user = insert_account(&mut tx, now, actor, account, &username, email, &hash)
            .await
            .map_err(at(index))?;
        created.push(user);
    }
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))
        .map_err(|e| at(0)(e.into()))?;
    tracing::info!(accounts = created.len(), "accounts created");
    Ok(created)
}

async fn insert_account(
    tx: &mut sqlx::AnyConnection,
    now: DateTime<Utc>,
    actor: &str,
    account: &NewAccount,
    username: &str,
    email: Option<String>,
    password_hash: &str,
) -> Result<User> {
    let doing = format!("creating user {username}");
    let display_name = text::nfc(account.display_name.trim());
    let inserted = sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, must_change_password, \
            disabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id",
    )
    .bind(username)
    .bind(&display_name)
    .bind(password_hash)
    .bind(flag(account.must_change_password))
    .bind(timestamp(now))
    .fetch_one(&mut *tx)
    .await
    .context(|| doing.clone());
    let id: i64 = match inserted {
        Ok(row) => col(&row, "id", &doing)?,
        Err(e) if e.is_unique_violation() => {
            return Err(AccountError::UsernameTaken(username.to_owned()));
        }
        Err(e) => return Err(e.into()),
    };
    let user = User {
        id,
        username: username.to_owned(),
        display_name,
        must_change_password: account.must_change_password,
        disabled: false,
        created_at: now,
        updated_at: now,
    };
    audit_user_change(
        tx,
        now,
        actor,
        "user.create",
        username,
        None,
        Some(user_json(&user)),
    )
    .await?;
    let mut grants = account.grants.clone();
    grants.sort();
    grants.dedup();
    for grant in &grants {
        let agency_code = text::nfc(grant.agency_code.trim());
        let known = sqlx::query("SELECT 1 AS one FROM agencies WHERE code = $1")
            .bind(&agency_code)
            .fetch_optional(&mut *tx)
            .await
            .context(|| doing.clone())?;
        if known.is_none() {
            return Err(AccountError::UnknownAgency(agency_code));
        }
        sqlx::query("INSERT INTO user_grants (user_id, role, agency_code) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(grant.role.as_str())
            .bind(&agency_code)
            .execute(&mut *tx)
            .await
            .context(|| doing.clone())?;
        let grant = Grant {
            role: grant.role,
            agency_code,
        };
        audit_user_change(
            tx,
            now,
            actor,
            "user.grant",
            username,
            None,
            Some(grant_json(&grant)),
        )
        .await?;
    }
    if let Some(email) = email {
        sqlx::query(
            "INSERT INTO user_email_settings (user_id, email, cadence, updated_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(&email)
        .bind(Cadence::Daily.as_str())
        .bind(timestamp(now))
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
        audit::append(
            tx,
            now,
            &AuditEntry {
                actor: text::nfc(actor),
                action: "user.email_setting".to_owned(),
                entity: "user".to_owned(),
                entity_id: id.to_string(),
                before: None,
                after: Some(json!({"email": email, "cadence": Cadence::Daily.as_str()})),
            },
        )
        .await?;
    }
    Ok(user)
}

/// A live session as an administrator sees it: named by the SHA-256 of its token (what the
/// table keys it by; the token itself is only in the user's browser).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub idle_expires_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
}

/// The sessions of `username` still live at `now`, newest first.
pub async fn sessions_of(db: &Db, username: &str, now: DateTime<Utc>) -> Result<Vec<SessionInfo>> {
    let username = normalize_username(username)?;
    let doing = format!("listing the sessions of {username}");
    let now_text = timestamp(stored(now));
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT s.id, s.created_at, s.last_seen_at, s.idle_expires_at, s.absolute_expires_at \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE u.username = $1 AND s.idle_expires_at > $2 AND s.absolute_expires_at > $2",
    )
    .bind(&username)
    .bind(&now_text)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    let stamp = |row: &sqlx::any::AnyRow, column: &str| -> Result<DateTime<Utc>, StoreError> {
        timestamp_from(&col::<String>(row, column, &doing)?, &doing)
    };
    let mut sessions = rows
        .iter()
        .map(|row| {
            Ok(SessionInfo {
                id: col(row, "id", &doing)?,
                created_at: stamp(row, "created_at")?,
                last_seen_at: stamp(row, "last_seen_at")?,
                idle_expires_at: stamp(row, "idle_expires_at")?,
                absolute_expires_at: stamp(row, "absolute_expires_at")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    sessions.sort_by_key(|s| std::cmp::Reverse(s.created_at));
    Ok(sessions)
}

/// Ends session `session_id` of `username` (an administrator's act, audited as
/// `session.end`); `false` when that user has no such session.
pub async fn end_session(db: &Db, actor: &str, username: &str, session_id: &str) -> Result<bool> {
    let username = normalize_username(username)?;
    let now = stored(clock::now());
    let doing = format!("ending a session of {username}");
    let mut tx = db.begin_write(&doing).await?;
    let Some((user, _)) = find_user_in(&mut tx, &username, &doing).await? else {
        return Err(AccountError::UnknownUser(username));
    };
    let deleted = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(session_id)
        .bind(user.id)
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
    if deleted.rows_affected() == 0 {
        return Ok(false);
    }
    audit::append(
        &mut tx,
        now,
        &AuditEntry {
            actor: text::nfc(actor),
            action: "session.end".to_owned(),
            entity: "session".to_owned(),
            entity_id: username.clone(),
            before: Some(json!({"session": short(session_id)})),
            after: None,
        },
    )
    .await?;
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    Ok(true)
}

/// The first characters of a session's hash: enough to tell sessions apart in the audit log.
fn short(session_id: &str) -> &str {
    session_id.get(..12).unwrap_or(session_id)
}

/// Lifts every lock that failed logins put on `username` (from any address) and forgets the
/// failures counted towards the next one; audited as `user.unlock`. Returns how many
/// (account, address) records were cleared.
pub async fn unlock(db: &Db, actor: &str, username: &str) -> Result<u64> {
    let username = normalize_username(username)?;
    let now = stored(clock::now());
    let doing = format!("unlocking {username}");
    let mut tx = db.begin_write(&doing).await?;
    let Some((user, _)) = find_user_in(&mut tx, &username, &doing).await? else {
        return Err(AccountError::UnknownUser(username));
    };
    let deleted = sqlx::query("DELETE FROM login_lockouts WHERE user_id = $1")
        .bind(user.id)
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?
        .rows_affected();
    if deleted == 0 {
        return Ok(0);
    }
    audit_user_change(
        &mut tx,
        now,
        actor,
        "user.unlock",
        &username,
        None,
        Some(json!({"sources_cleared": deleted})),
    )
    .await?;
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    Ok(deleted)
}
