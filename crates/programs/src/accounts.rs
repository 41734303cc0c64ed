//! Signing in and the audit log, as the server reaches them: who a session or an API token
//! belongs to, a login checked, a session begun or ended, a first password changed, the audit
//! log read or exported, and whether the database is ready. The rules (throttle and lockout,
//! timeouts, the password policy, the hash chain) are the store's and the domain's; `web` reads the request
//! and sets the cookies.

use chrono::{DateTime, Utc};
pub use dongbo_domain::access::PasswordPolicy;
pub use dongbo_store::accounts::{
    AccountError, LoginPolicy, NewSession, Session, SessionPolicy, TokenUser, User,
};
pub use dongbo_store::audit::{AuditFilter, AuditRecord, VerifyReport};
use dongbo_store::{accounts, audit};

use crate::Programs;
use crate::context::Result;

/// A new random token (a session's, a CSRF token, an idempotency key): 32 bytes as hex.
pub fn random_token() -> Result<String, AccountError> {
    accounts::random_token()
}

/// The user `username` when `password` is theirs and the account may sign in now from client
/// address `source`: failures are throttled per source and lock the account per (account,
/// source), as `policy` says, and every refusal but the throttle's is the same
/// [`AccountError::BadCredentials`] (see the store's `accounts::verify_login`).
pub async fn verify_login(
    programs: &Programs,
    username: &str,
    password: &str,
    source: std::net::IpAddr,
    policy: &LoginPolicy,
    now: DateTime<Utc>,
) -> Result<User, AccountError> {
    accounts::verify_login(&programs.db, username, password, source, policy, now).await
}

/// A new session for user `user_id`.
pub async fn create_session(
    programs: &Programs,
    user_id: i64,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> Result<NewSession, AccountError> {
    accounts::create_session(&programs.db, user_id, policy, now).await
}

/// The session of `token` with its user and grants, while it holds.
pub async fn session(
    programs: &Programs,
    token: &str,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Option<Session>, AccountError> {
    accounts::get_session(&programs.db, token, policy, now).await
}

/// Ends the session of `token` (signing out).
pub async fn end_session(
    programs: &Programs,
    token: &str,
    now: DateTime<Utc>,
) -> Result<bool, AccountError> {
    accounts::delete_session(&programs.db, token, now).await
}

/// The user an API token acts for, with their grants, while the token holds.
pub async fn token_user(
    programs: &Programs,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<TokenUser>, AccountError> {
    accounts::authenticate_token(&programs.db, token, now).await
}

/// A user's own new password, as `policy` allows it.
pub async fn set_own_password(
    programs: &Programs,
    username: &str,
    password: &str,
    policy: &PasswordPolicy,
) -> Result<(), AccountError> {
    accounts::set_password(&programs.db, username, username, password, false, policy).await
}

/// Ends every session of `username` and revokes every API token they have (a password that
/// may be known to someone else); returns how many tokens were revoked.
pub async fn log_out_everywhere(
    programs: &Programs,
    actor: &str,
    username: &str,
) -> Result<u64, AccountError> {
    accounts::log_out_everywhere(&programs.db, actor, username).await
}

/// Every user's full name by username, for pages that show who did something.
pub async fn display_names(
    programs: &Programs,
) -> Result<std::collections::HashMap<String, String>> {
    Ok(accounts::list_users(&programs.db)
        .await?
        .into_iter()
        .map(|u| (u.user.username, u.user.display_name))
        .collect())
}

/// A page of the audit log, newest first.
pub async fn audit_entries(
    programs: &Programs,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<AuditRecord>> {
    Ok(audit::list(&programs.db, filter, limit, offset).await?)
}

/// Whether the audit log's hash chain holds, and where it first breaks.
pub async fn verify_audit(programs: &Programs) -> Result<VerifyReport> {
    Ok(audit::verify(&programs.db).await?)
}

/// The whole audit log as CSV into `out`; the number of entries.
pub async fn export_audit<W: std::io::Write>(programs: &Programs, out: W) -> Result<i64> {
    Ok(audit::export_csv(&programs.db, out).await?)
}

/// The migrations this build has that the database lacks (none: ready).
pub async fn unapplied_migrations(programs: &Programs) -> Result<Vec<i64>> {
    Ok(programs.db.unapplied_migrations().await?)
}

/// How many background jobs (reminder digests) wait.
pub async fn queued_jobs(programs: &Programs) -> Result<u64> {
    Ok(dongbo_store::jobs::queue_depth(&programs.db).await?)
}

/// How the caller is e-mailed their agency's notices, if they set it.
pub use dongbo_store::notifications::{Cadence, EmailSetting};

/// The caller's own e-mail setting.
pub async fn my_email_setting(actor: &crate::Actor<'_>) -> Result<Option<EmailSetting>> {
    Ok(
        dongbo_store::notifications::email_setting(&actor.programs.db, actor.caller.user.id)
            .await?,
    )
}

/// Sets (or, with `None`, clears) the caller's own e-mail address and cadence, audited. An
/// address that is not one is refused by field (`email`), and nothing changes.
pub async fn set_my_email_setting(
    actor: &crate::Actor<'_>,
    setting: Option<&EmailSetting>,
) -> Result<()> {
    let user = &actor.caller.user;
    match dongbo_store::notifications::set_email_setting(
        &actor.programs.db,
        &user.username,
        user.id,
        setting,
        actor.clock.now(),
    )
    .await
    {
        Ok(()) => Ok(()),
        Err(dongbo_store::StoreError::Invalid(why)) => {
            Err(crate::context::Error::field("email", why))
        }
        Err(other) => Err(other.into()),
    }
}
