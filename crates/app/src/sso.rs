//! `dongbo serve`'s flags for signing in with the organisation's account: the directory
//! (LDAP / Active Directory), the OpenID Connect provider, the mapping file of their groups,
//! and SSO required. Checked whole at start: a setting that cannot work stops the server with
//! its flag's name.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use clap::Args;
use dongbo_domain::Directory;
use dongbo_programs::sso::SignIn;
use dongbo_programs::sso::ldap::{FindPerson, LdapConfig};
use dongbo_programs::sso::mapping::Mapping;
use dongbo_programs::sso::oidc::{OidcConfig, OidcSettings};

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
    /// The organisation's OpenID Connect provider: its issuer identifier
    /// (`https://id.bo.gov.vn/realms/bo`; `http://` only on loopback). Its metadata and keys
    /// are read at the first sign-in. Without it there is no «sign in with» button.
    #[arg(long, env = "DONGBO_OIDC_ISSUER", value_name = "URL")]
    pub oidc_issuer: Option<String>,
    /// This server's client id at the provider.
    #[arg(long, env = "DONGBO_OIDC_CLIENT_ID", value_name = "ID")]
    pub oidc_client_id: Option<String>,
    /// The client's secret (prefer the environment variable to the flag); without it the
    /// client is public and PKCE alone binds the code to the browser.
    #[arg(
        long,
        env = "DONGBO_OIDC_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub oidc_client_secret: Option<String>,
    /// This server's callback as registered at the provider: its public address followed by
    /// `/login/oidc/callback`.
    #[arg(long, env = "DONGBO_OIDC_REDIRECT_URL", value_name = "URL")]
    pub oidc_redirect_url: Option<String>,
    /// The scopes asked for besides `openid`, comma-separated.
    #[arg(
        long,
        env = "DONGBO_OIDC_SCOPES",
        value_name = "SCOPES",
        value_delimiter = ',',
        default_value = "profile,email"
    )]
    pub oidc_scopes: Vec<String>,
    /// The claim that is the account's username: an account of that username is signed in,
    /// or made (`email` matches accounts made from a list of focal points).
    #[arg(
        long,
        env = "DONGBO_OIDC_USERNAME_CLAIM",
        value_name = "CLAIM",
        default_value = "preferred_username"
    )]
    pub oidc_username_claim: String,
    /// The claim listing the person's groups, mapped to roles by --sso-mapping.
    #[arg(
        long,
        env = "DONGBO_OIDC_GROUPS_CLAIM",
        value_name = "CLAIM",
        default_value = "groups"
    )]
    pub oidc_groups_claim: String,
    /// What the login page's button says (the provider's name as officials know it);
    /// «Đăng nhập bằng tài khoản định danh của cơ quan» without it.
    #[arg(
        long,
        env = "DONGBO_OIDC_LABEL",
        value_name = "TEXT",
        default_value = ""
    )]
    pub oidc_label: String,
    /// A PEM file of certificate authorities the provider's address is trusted by, besides
    /// the operating system's store (a ministry's own CA).
    #[arg(long, env = "DONGBO_OIDC_CA_FILE", value_name = "PATH")]
    pub oidc_ca_file: Option<PathBuf>,
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
        let mapping = match &self.sso_mapping {
            Some(path) => {
                Some(Mapping::load(path, directory).map_err(|e| anyhow!("--sso-mapping: {e}"))?)
            }
            None => None,
        };
        let ldap = match &self.ldap_url {
            None => {
                if self.ldap_bind_dn.is_some() || self.ldap_search_base.is_some() {
                    bail!("--ldap-bind-dn and --ldap-search-base need --ldap-url");
                }
                None
            }
            Some(url) => Some(self.ldap(url, mapping.clone())?),
        };
        let oidc = match &self.oidc_issuer {
            None => {
                if self.oidc_client_id.is_some() || self.oidc_redirect_url.is_some() {
                    bail!("--oidc-client-id and --oidc-redirect-url need --oidc-issuer");
                }
                None
            }
            Some(issuer) => Some(self.oidc(issuer, mapping)?),
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
            oidc,
            require_sso: self.require_sso,
            local_users,
        };
        sign_in.check().map_err(|e| anyhow!(e))?;
        Ok(sign_in)
    }

    fn oidc(&self, issuer: &str, mapping: Option<Mapping>) -> Result<OidcConfig> {
        let Some(client_id) = &self.oidc_client_id else {
            bail!("--oidc-issuer needs --oidc-client-id");
        };
        let Some(redirect_url) = &self.oidc_redirect_url else {
            bail!(
                "--oidc-issuer needs --oidc-redirect-url (this server's public address followed by /login/oidc/callback)"
            );
        };
        let trust = dongbo_library::http::Trust::load(self.oidc_ca_file.as_deref())
            .map_err(|e| anyhow!("--oidc-ca-file: {e}"))?;
        // Redirects are not followed: a token request that is redirected is refused, not
        // re-sent elsewhere (the provider's addresses come from its own metadata).
        let http = dongbo_library::http::client_builder(&trust)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| anyhow!("the identity provider's HTTP client: {e}"))?;
        let settings = OidcSettings {
            issuer: issuer.to_owned(),
            client_id: client_id.clone(),
            client_secret: self.oidc_client_secret.clone().unwrap_or_default(),
            redirect_url: redirect_url.clone(),
            scopes: self
                .oidc_scopes
                .iter()
                .map(|scope| scope.trim().to_owned())
                .filter(|scope| !scope.is_empty() && scope != "openid")
                .collect(),
            username_claim: self.oidc_username_claim.clone(),
            groups_claim: self.oidc_groups_claim.clone(),
            label: self.oidc_label.trim().to_owned(),
        };
        OidcConfig::new(settings, mapping, http).map_err(|e| anyhow!("--oidc-issuer: {e}"))
    }

    fn ldap(&self, url: &str, mapping: Option<Mapping>) -> Result<LdapConfig> {
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
        let cases: [(&[&str], &str); 9] = [
            (
                &[
                    "--oidc-issuer",
                    "http://id.bo.gov.vn",
                    "--oidc-client-id",
                    "dongbo",
                    "--oidc-redirect-url",
                    "https://dongbo.bo.gov.vn/login/oidc/callback",
                ],
                "https://",
            ),
            (
                &["--oidc-issuer", "https://id.bo.gov.vn"],
                "--oidc-client-id",
            ),
            (
                &[
                    "--oidc-issuer",
                    "https://id.bo.gov.vn",
                    "--oidc-client-id",
                    "dongbo",
                ],
                "--oidc-redirect-url",
            ),
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
        assert!(default.ldap.is_none() && default.oidc.is_none() && !default.require_sso);
        let oidc = sign_in(&[
            "--oidc-issuer",
            "https://id.bo.gov.vn/realms/bo",
            "--oidc-client-id",
            "dongbo",
            "--oidc-redirect-url",
            "https://dongbo.bo.gov.vn/login/oidc/callback",
            "--oidc-scopes",
            "openid, profile,email,groups",
            "--require-sso",
        ])
        .expect("SSO required through the provider alone");
        let provider = oidc.oidc.expect("a provider");
        assert_eq!(provider.settings.scopes, ["profile", "email", "groups"]);
        assert_eq!(provider.settings.username_claim, "preferred_username");
        assert!(oidc.require_sso && oidc.ldap.is_none());
        assert_eq!(default.local_users, BTreeSet::from(["admin".to_owned()]));
    }
}
