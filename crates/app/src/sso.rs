//! `dongbo serve`'s flags for signing in with the organisation's account: the directory
//! (LDAP / Active Directory), the mapping file of its groups, and SSO required. Checked whole
//! at start: a setting that cannot work stops the server with its flag's name.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use clap::Args;
use dongbo_domain::Directory;
use dongbo_programs::sso::SignIn;
use dongbo_programs::sso::ldap::{FindPerson, LdapConfig};
use dongbo_programs::sso::mapping::Mapping;

#[derive(Debug, Clone, Args)]
pub struct SsoArgs {
    /// The organisation's LDAP directory or Active Directory (`ldap://host:389`; plain LDAP,
    /// on a trusted network). Without it every login is local.
    #[arg(long, env = "DONGBO_LDAP_URL", value_name = "URL")]
    pub ldap_url: Option<String>,
    /// A person's DN, `{username}` standing for what they type
    /// (`uid={username},ou=people,dc=bo,dc=gov,dc=vn`). Or find them with --ldap-search-base.
    #[arg(long, env = "DONGBO_LDAP_BIND_DN", value_name = "TEMPLATE")]
    pub ldap_bind_dn: Option<String>,
    /// Where people are searched for (instead of --ldap-bind-dn).
    #[arg(long, env = "DONGBO_LDAP_SEARCH_BASE", value_name = "DN")]
    pub ldap_search_base: Option<String>,
    /// The search's filter, `{username}` standing for what they type
    /// (Active Directory: `(sAMAccountName={username})`).
    #[arg(
        long,
        env = "DONGBO_LDAP_SEARCH_FILTER",
        value_name = "FILTER",
        default_value = "(uid={username})"
    )]
    pub ldap_search_filter: String,
    /// The service account the search binds as (anonymous without it).
    #[arg(long, env = "DONGBO_LDAP_SERVICE_DN", value_name = "DN")]
    pub ldap_service_dn: Option<String>,
    /// The service account's password (prefer the environment variable to the flag).
    #[arg(
        long,
        env = "DONGBO_LDAP_SERVICE_PASSWORD",
        value_name = "PASSWORD",
        hide_env_values = true
    )]
    pub ldap_service_password: Option<String>,
    /// Where the groupOfNames are, when the directory keeps no memberOf on people.
    #[arg(long, env = "DONGBO_LDAP_GROUP_BASE", value_name = "DN")]
    pub ldap_group_base: Option<String>,
    /// Seconds a sign-in may wait for the directory.
    #[arg(
        long,
        env = "DONGBO_LDAP_TIMEOUT",
        value_name = "SECONDS",
        default_value = "10",
        value_parser = clap::value_parser!(u64).range(1..=120)
    )]
    pub ldap_timeout: u64,
    /// The mapping file (TOML) of the directory's groups to roles on agencies
    /// (docs/sso-mapping.example.toml). Without it the roles of accounts are kept local, given
    /// by an administrator; with it those it gives are replaced at every sign-in.
    #[arg(long, env = "DONGBO_SSO_MAPPING", value_name = "PATH")]
    pub sso_mapping: Option<PathBuf>,
    /// Local passwords only for the accounts of --local-login-users: everyone else signs in
    /// with the organisation's account.
    #[arg(long, env = "DONGBO_REQUIRE_SSO")]
    pub require_sso: bool,
    /// The accounts that keep their local password when SSO is required (the first
    /// administrator, a break-glass account), comma-separated.
    #[arg(
        long,
        env = "DONGBO_LOCAL_LOGIN_USERS",
        value_name = "USERNAMES",
        value_delimiter = ',',
        default_value = "admin"
    )]
    pub local_login_users: Vec<String>,
}

impl SsoArgs {
    /// The sign-in settings, with the mapping file checked against `directory`.
    pub fn sign_in(&self, directory: &Directory) -> Result<SignIn> {
        let ldap = match &self.ldap_url {
            None => {
                if self.ldap_bind_dn.is_some() || self.ldap_search_base.is_some() {
                    bail!("--ldap-bind-dn and --ldap-search-base need --ldap-url");
                }
                None
            }
            Some(url) => Some(self.ldap(url, directory)?),
        };
        let mut local_users = BTreeSet::new();
        for name in &self.local_login_users {
            if name.trim().is_empty() {
                continue;
            }
            let name = dongbo_store::accounts::normalize_username(name)
                .map_err(|e| anyhow!("--local-login-users: {e}"))?;
            local_users.insert(name);
        }
        let sign_in = SignIn {
            ldap,
            require_sso: self.require_sso,
            local_users,
        };
        sign_in.check().map_err(|e| anyhow!(e))?;
        Ok(sign_in)
    }

    fn ldap(&self, url: &str, directory: &Directory) -> Result<LdapConfig> {
        LdapConfig::check_url(url).map_err(|e| anyhow!("--ldap-url: {e}"))?;
        let find = match (&self.ldap_bind_dn, &self.ldap_search_base) {
            (Some(template), None) if template.contains("{username}") => {
                FindPerson::DnTemplate(template.clone())
            }
            (Some(_), None) => bail!("--ldap-bind-dn must hold {{username}}"),
            (None, Some(base)) => {
                if !self.ldap_search_filter.contains("{username}") {
                    bail!("--ldap-search-filter must hold {{username}}");
                }
                let service = match (&self.ldap_service_dn, &self.ldap_service_password) {
                    (Some(dn), Some(password)) => Some((dn.clone(), password.clone())),
                    (None, None) => None,
                    _ => bail!("--ldap-service-dn and --ldap-service-password go together"),
                };
                FindPerson::Search {
                    base: base.clone(),
                    filter: self.ldap_search_filter.clone(),
                    service,
                }
            }
            (Some(_), Some(_)) => bail!("give --ldap-bind-dn or --ldap-search-base, not both"),
            (None, None) => bail!("--ldap-url needs --ldap-bind-dn or --ldap-search-base"),
        };
        let mapping = match &self.sso_mapping {
            Some(path) => {
                Some(Mapping::load(path, directory).map_err(|e| anyhow!("--sso-mapping: {e}"))?)
            }
            None => None,
        };
        Ok(LdapConfig {
            url: url.to_owned(),
            find,
            group_base: self.ldap_group_base.clone(),
            timeout: Duration::from_secs(self.ldap_timeout),
            mapping,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Flags {
        #[command(flatten)]
        sso: SsoArgs,
    }

    fn sign_in(args: &[&str]) -> Result<SignIn> {
        let flags = Flags::try_parse_from(std::iter::once("dongbo").chain(args.iter().copied()))?;
        flags.sso.sign_in(&Directory::bundled())
    }

    #[test]
    fn settings_that_cannot_work_stop_the_start_naming_the_flag() {
        let cases: [(&[&str], &str); 6] = [
            (&["--require-sso"], "--require-sso"),
            (
                &[
                    "--ldap-url",
                    "ldaps://dir.example:636",
                    "--ldap-bind-dn",
                    "uid={username}",
                ],
                "ldaps://",
            ),
            (
                &["--ldap-url", "ldap://dir.example"],
                "--ldap-bind-dn or --ldap-search-base",
            ),
            (
                &[
                    "--ldap-url",
                    "ldap://dir.example",
                    "--ldap-bind-dn",
                    "uid=x",
                ],
                "{username}",
            ),
            (&["--ldap-bind-dn", "uid={username}"], "need --ldap-url"),
            (
                &[
                    "--ldap-url",
                    "ldap://dir.example",
                    "--ldap-search-base",
                    "dc=x",
                    "--ldap-service-dn",
                    "cn=s",
                ],
                "go together",
            ),
        ];
        for (args, expected) in cases {
            let error = sign_in(args).expect_err(&format!("{args:?}"));
            assert!(error.to_string().contains(expected), "{args:?}: {error}");
        }
        let missing = sign_in(&[
            "--ldap-url",
            "ldap://dir.example",
            "--ldap-bind-dn",
            "uid={username}",
            "--sso-mapping",
            "/không/có/tệp.toml",
        ])
        .expect_err("a missing mapping file");
        assert!(missing.to_string().contains("--sso-mapping"), "{missing}");
    }

    #[test]
    fn sso_required_keeps_the_local_list_normalised() {
        let settings = sign_in(&[
            "--ldap-url",
            "ldap://dir.example:389",
            "--ldap-bind-dn",
            "uid={username},dc=x",
            "--require-sso",
            "--local-login-users",
            "Admin,QuanTri.Du.Phong",
        ])
        .expect("valid settings");
        assert!(settings.require_sso);
        assert_eq!(
            settings.local_users,
            BTreeSet::from(["admin".to_owned(), "quantri.du.phong".to_owned()])
        );
        let default = sign_in(&[]).expect("no SSO");
        assert!(default.ldap.is_none() && !default.require_sso);
        assert_eq!(default.local_users, BTreeSet::from(["admin".to_owned()]));
    }
}
