//! Signing in with the organisation's account (issue 21, point 3): which check a login goes
//! to — the local password or the organisation's directory (LDAP) — and, for the directory,
//! the account made or brought up to date from what it says.
//!
//! **Who goes where.** With no directory configured, every login is local. With one:
//! - an account made by a sign-in through the directory signs in there;
//! - a username the database does not know is asked of the directory (and its account made
//!   when the directory accepts it);
//! - a local account (made here: the first run's `admin`, `dongbo user add`) keeps its local
//!   password — unless SSO is required ([`SignIn::require_sso`]) and the account is not on the
//!   local list ([`SignIn::local_users`], `admin` by default), when its password is the
//!   directory's and the first sign-in there takes the account over.
//!
//! The throttle per address and the lock per account and address hold for both; a wrong
//! password is the same answer for both; a directory that cannot be asked is
//! [`SignInError::DirectoryUnavailable`], never taken for a wrong password.

pub mod ldap;
pub mod mapping;

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use dongbo_store::accounts::sso::{self, AccountKind, SsoIdentity, SsoSource};
use dongbo_store::accounts::{self, AccountError, LoginPolicy, User};

use crate::Programs;

/// How people sign in on this server (`dongbo serve`'s SSO flags).
#[derive(Debug, Clone, Default)]
pub struct SignIn {
    /// The organisation's directory, when logins may be checked there.
    pub ldap: Option<ldap::LdapConfig>,
    /// Local passwords only for the accounts of [`SignIn::local_users`].
    pub require_sso: bool,
    /// The accounts that keep their local password when SSO is required (normalised).
    pub local_users: BTreeSet<String>,
}

/// Why a login did not sign anyone in.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong credentials, throttled, or the store failed: as for a local login.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// The organisation's directory could not be asked (said to the user as such).
    #[error("the organisation's directory cannot be reached: {0}")]
    DirectoryUnavailable(String),
}

impl SignIn {
    /// Checks the settings together: SSO required needs a directory to sign in with.
    pub fn check(&self) -> Result<(), String> {
        if self.require_sso && self.ldap.is_none() {
            return Err(
                "--require-sso cần một cách đăng nhập tổ chức (--ldap-url) (--require-sso needs \
                 a way to sign in with the organisation's account: --ldap-url)"
                    .to_owned(),
            );
        }
        Ok(())
    }

    /// Whether `username` (normalised) may use a local password.
    fn may_use_local_password(&self, username: &str) -> bool {
        !self.require_sso || self.local_users.contains(username)
    }

    /// Whether this server offers signing in with the organisation's account.
    pub fn offers_sso(&self) -> bool {
        self.ldap.is_some()
    }
}

/// Whether `username`'s password is the organisation's (an account that signs in through the
/// directory): it is not changed here.
pub async fn password_is_the_organisations(
    programs: &Programs,
    username: &str,
) -> Result<bool, AccountError> {
    Ok(matches!(
        sso::account_kind(&programs.db, username).await?,
        AccountKind::Sso(_)
    ))
}

/// Signs `username` in with `password` from client address `source`, through the local
/// password or the directory as [`SignIn`] and the account say (see the module documentation).
pub async fn sign_in(
    programs: &Programs,
    settings: &SignIn,
    username: &str,
    password: &str,
    source: IpAddr,
    now: DateTime<Utc>,
) -> Result<User, SignInError> {
    let policy = LoginPolicy::default();
    let local = || accounts::verify_login(&programs.db, username, password, source, &policy, now);
    let Some(directory) = &settings.ldap else {
        return Ok(local().await?);
    };
    let normalised = accounts::normalize_username(username).unwrap_or_default();
    let through_directory = match sso::account_kind(&programs.db, username).await? {
        AccountKind::Local => !settings.may_use_local_password(&normalised),
        AccountKind::Sso(_) => true,
        // A name that cannot be a username gets the local check's one answer.
        AccountKind::Unknown => !normalised.is_empty(),
    };
    if !through_directory {
        return Ok(local().await?);
    }
    sso::start(&programs.db, source, &policy, now).await?;
    match directory.verify(&normalised, password).await {
        Ok(person) => {
            let identity = SsoIdentity {
                source: SsoSource::Ldap,
                username: normalised.clone(),
                display_name: person.name,
                email: person.email,
                grants: directory
                    .mapping
                    .as_ref()
                    .map(|mapping| mapping.grants_for(&person.groups)),
            };
            Ok(sso::finish(
                &programs.db,
                &normalised,
                Some(&identity),
                source,
                &policy,
                now,
            )
            .await?)
        }
        Err(ldap::LdapError::Refused) => {
            Ok(sso::finish(&programs.db, &normalised, None, source, &policy, now).await?)
        }
        Err(ldap::LdapError::Unavailable(why)) => {
            tracing::error!(error = %why, "the organisation's directory could not be asked at a sign-in");
            sso::abandon(&programs.db, source).await?;
            Err(SignInError::DirectoryUnavailable(why))
        }
    }
}
