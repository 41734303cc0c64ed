//! Signing in with the organisation's account (issue 21, point 3): which check a login goes
//! to — the local password or the organisation's directory (LDAP) — and, for the directory
//! and the organisation's OpenID Connect provider, the account made or brought up to date
//! from what they say.
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
//! Without a directory, an account whose password is the organisation's (made by a sign-in
//! through the provider) or one SSO requires has no password here: the form refuses it as a
//! wrong password.
//!
//! **Through the OpenID Connect provider** ([`sign_in_oidc`]): the provider vouches for the
//! person, and the account is the one whose username is the configured claim's value — made
//! at the first sign-in, or an existing account, which the provider then takes over (its
//! password becomes the organisation's). The accounts of [`SignIn::local_users`] (the first
//! administrator, a break-glass account) are never signed in by the provider.
//!
//! The throttle per address and the lock per account and address hold for all; a wrong
//! password is the same answer for both forms of password; a directory that cannot be asked
//! is [`SignInError::DirectoryUnavailable`], never taken for a wrong password.

pub mod ldap;
pub mod mapping;
pub mod oidc;

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use dongbo_store::accounts::sso::{self, AccountKind, SsoIdentity, SsoSource};
use dongbo_store::accounts::{self, AccountError, LoginPolicy, User};
use dongbo_store::sign_in_settings::{self, SignInSettings};

use crate::Programs;

/// How people sign in on this server (`dongbo serve`'s SSO flags).
#[derive(Debug, Clone, Default)]
pub struct SignIn {
    /// The organisation's directory, when logins may be checked there.
    pub ldap: Option<ldap::LdapConfig>,
    /// The organisation's OpenID Connect provider, when people may sign in through it.
    pub oidc: Option<oidc::OidcConfig>,
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
    /// The OpenID Connect provider did not vouch for anyone: the sign-in was not the one
    /// begun, the provider refused it or could not be asked, or what it sent does not hold.
    #[error(transparent)]
    Provider(#[from] oidc::OidcError),
    /// The provider vouched for an account that signs in with its local password only.
    #[error("the account «{0}» signs in with its local password only")]
    LocalOnly(String),
}

impl SignIn {
    /// Checks the settings together: SSO required needs a directory to sign in with.
    pub fn check(&self) -> Result<(), String> {
        if self.require_sso && self.ldap.is_none() && self.oidc.is_none() {
            return Err(
                "--require-sso cần một cách đăng nhập tổ chức (--ldap-url hoặc --oidc-issuer) \
                 (--require-sso needs a way to sign in with the organisation's account: \
                 --ldap-url or --oidc-issuer)"
                    .to_owned(),
            );
        }
        Ok(())
    }

    /// Whether the login form's password is checked in the organisation's directory.
    pub fn offers_sso(&self) -> bool {
        self.ldap.is_some()
    }
}

/// The sign-in rules in force: the server's flags, with what an administrator saved on the
/// page (`/admin/sign-in`) on top — SSO is required when either says so, and the local list
/// is both lists together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub require_sso: bool,
    /// Required by `--require-sso`: the page cannot lift it.
    pub required_by_flag: bool,
    pub local_users: BTreeSet<String>,
}

impl Policy {
    /// Whether `username` (normalised) may use a local password.
    fn may_use_local_password(&self, username: &str) -> bool {
        !self.require_sso || self.local_users.contains(username)
    }
}

/// The rules in force now (see [`Policy`]).
pub async fn rules(programs: &Programs, settings: &SignIn) -> Result<Policy, AccountError> {
    Ok(combine(
        settings,
        sign_in_settings::get(&programs.db).await?,
    ))
}

/// The rules of the server's `settings` with what the page saved (`stored`) on top.
pub fn combine(settings: &SignIn, stored: Option<SignInSettings>) -> Policy {
    let mut local_users = settings.local_users.clone();
    let mut require_sso = settings.require_sso;
    if let Some(stored) = stored {
        require_sso |= stored.require_sso;
        local_users.extend(stored.local_users);
    }
    Policy {
        require_sso,
        required_by_flag: settings.require_sso,
        local_users,
    }
}

/// The settings an administrator saved on the page, if ever.
pub async fn stored_settings(programs: &Programs) -> Result<Option<SignInSettings>, AccountError> {
    Ok(sign_in_settings::get(&programs.db).await?)
}

/// Why the sign-in settings were not saved: said next to the field.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Account(#[from] AccountError),
    /// SSO cannot be required: the server has no way to sign in with the organisation's account.
    #[error("no way to sign in with the organisation's account is configured")]
    NoSso,
    /// A line of the local list is not a username.
    #[error("«{0}» is not a username")]
    BadUsername(String),
    /// Requiring SSO would leave the administrator saving it without a way in: their account
    /// signs in with a local password and is not on the list.
    #[error("«{0}» would lock itself out")]
    LocksOut(String),
}

/// Saves the page's sign-in settings for `actor` (an administrator of the whole system, checked
/// by the caller): the usernames normalised, SSO required only when the server has a way to
/// sign in with the organisation's account, and never so that the administrator saving it
/// loses their own way in. Audited; a refusal changes nothing.
pub async fn save_settings(
    programs: &Programs,
    settings: &SignIn,
    actor: &str,
    require_sso: bool,
    local_users: &str,
    now: DateTime<Utc>,
) -> Result<(), SettingsError> {
    let mut names = BTreeSet::new();
    for line in local_users.lines().flat_map(|line| line.split(',')) {
        if line.trim().is_empty() {
            continue;
        }
        let name = accounts::normalize_username(line)
            .map_err(|_| SettingsError::BadUsername(line.trim().to_owned()))?;
        names.insert(name);
    }
    if require_sso && settings.ldap.is_none() && settings.oidc.is_none() {
        return Err(SettingsError::NoSso);
    }
    let actor_name = accounts::normalize_username(actor).unwrap_or_default();
    let will_require = require_sso || settings.require_sso;
    if will_require
        && matches!(
            sso::account_kind(&programs.db, actor).await?,
            AccountKind::Local
        )
        && !names.contains(&actor_name)
        && !settings.local_users.contains(&actor_name)
    {
        return Err(SettingsError::LocksOut(actor_name));
    }
    let stored = SignInSettings {
        require_sso,
        local_users: names.into_iter().collect(),
    };
    sign_in_settings::set(&programs.db, actor, &stored, now)
        .await
        .map_err(AccountError::from)?;
    Ok(())
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
    let normalised = accounts::normalize_username(username).unwrap_or_default();
    let in_force = rules(programs, settings).await?;
    let password_here = match sso::account_kind(&programs.db, username).await? {
        AccountKind::Local => in_force.may_use_local_password(&normalised),
        AccountKind::Sso(_) => false,
        // Asked of the directory when there is one; a name that cannot be a username gets the
        // local check's one answer.
        AccountKind::Unknown => settings.ldap.is_none() || normalised.is_empty(),
    };
    if password_here {
        return Ok(local().await?);
    }
    sso::start(&programs.db, source, &policy, now).await?;
    let Some(directory) = &settings.ldap else {
        // Its password is the organisation's and no directory can check it here: the provider
        // is the way in. Refused as a wrong password, and counted as one.
        return Ok(sso::finish(&programs.db, &normalised, None, source, &policy, now).await?);
    };
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

/// Ends a sign-in through the OpenID Connect provider: the browser came back with `code` and
/// `state` to the sign-in `pending` it began. The person the provider vouches for is signed in
/// to the account named by the username claim, made or brought up to date from the claims
/// (see the module documentation); counted against the client address's allowance like a
/// password, and given back when the provider could not be asked.
pub async fn sign_in_oidc(
    programs: &Programs,
    settings: &SignIn,
    pending: &oidc::Pending,
    (code, state): (&str, &str),
    source: IpAddr,
    now: DateTime<Utc>,
) -> Result<User, SignInError> {
    let Some(provider) = &settings.oidc else {
        return Err(SignInError::Account(AccountError::BadCredentials));
    };
    let policy = LoginPolicy::default();
    sso::start(&programs.db, source, &policy, now).await?;
    let person = match provider.finish(pending, code, state).await {
        Ok(person) => person,
        Err(oidc::OidcError::Unavailable(why)) => {
            tracing::error!(error = %why, "the identity provider could not be asked at a sign-in");
            sso::abandon(&programs.db, source).await?;
            return Err(oidc::OidcError::Unavailable(why).into());
        }
        Err(error) => {
            tracing::warn!(%error, "a sign-in through the identity provider was refused");
            return Err(error.into());
        }
    };
    let username = accounts::normalize_username(&person.username).map_err(|_| {
        oidc::OidcError::Invalid(format!(
            "«{}» (claim «{}») cannot be a username",
            person.username, provider.settings.username_claim
        ))
    })?;
    if rules(programs, settings)
        .await?
        .local_users
        .contains(&username)
    {
        tracing::warn!(user = %username, "the identity provider vouched for a local-only account: refused");
        return Err(SignInError::LocalOnly(username));
    }
    let identity = SsoIdentity {
        source: SsoSource::Oidc,
        username: username.clone(),
        display_name: person.name,
        email: person.email,
        grants: provider
            .mapping
            .as_ref()
            .map(|mapping| mapping.grants_for(&person.groups)),
    };
    Ok(sso::finish(
        &programs.db,
        &username,
        Some(&identity),
        source,
        &policy,
        now,
    )
    .await?)
}
