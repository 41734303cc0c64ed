//! Checking a password against the organisation's directory (LDAP, Active Directory) and
//! reading who the person is: their name, e-mail address and groups.
//!
//! The person is found by a DN template (`uid={username},ou=people,dc=bo,dc=gov,dc=vn`; AD
//! accepts `{username}@bo.gov.vn` as well) or by a search (`(sAMAccountName={username})`
//! under a base, as a service account or anonymously); the password is checked by binding as
//! them. Their groups are the `memberOf` values of their entry, or, with a group base, the
//! `groupOfNames` there that list them as `member`. The username is escaped for the DN
//! (RFC 4514) and the filter (RFC 4515); an empty password is refused before the directory
//! is asked, since a bind with an empty password is an anonymous bind that succeeds.
//!
//! Plain LDAP only (`ldap://`): the client's TLS would bring a second certificate stack, so
//! the directory is reached on a trusted network (or through a local TLS tunnel).

use std::time::Duration;

use ldap3::{LdapConnAsync, LdapConnSettings, Scope, SearchEntry, dn_escape, ldap_escape};

use super::mapping::Mapping;

/// Where and how to find the people of the directory.
#[derive(Debug, Clone)]
pub struct LdapConfig {
    /// `ldap://host:389`.
    pub url: String,
    pub find: FindPerson,
    /// Where the `groupOfNames` are, when the directory keeps no `memberOf` on people.
    pub group_base: Option<String>,
    /// How long one sign-in may wait for the directory, all steps together.
    pub timeout: Duration,
    /// The groups' roles; `None`: roles are kept local (given by an administrator).
    pub mapping: Option<Mapping>,
}

/// How the person who signs in is found.
#[derive(Debug, Clone)]
pub enum FindPerson {
    /// Their DN is the template with `{username}` replaced.
    DnTemplate(String),
    /// Searched for under `base` with `filter` (`{username}` replaced), bound as `service`
    /// (DN, password) or anonymously.
    Search {
        base: String,
        filter: String,
        service: Option<(String, String)>,
    },
}

/// A person whose password the directory accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub dn: String,
    /// `displayName`, else `cn` (empty when neither).
    pub name: String,
    pub email: Option<String>,
    /// The DNs of their groups.
    pub groups: Vec<String>,
}

/// Why the directory did not accept a sign-in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LdapError {
    /// No such person, a wrong password, or a person found twice.
    #[error("the directory refused the credentials")]
    Refused,
    /// The directory could not be reached or answered with an error.
    #[error("the directory could not be asked: {0}")]
    Unavailable(String),
}

/// invalidCredentials (RFC 4511): a wrong password or an unknown DN.
const INVALID_CREDENTIALS: u32 = 49;

/// The attributes read from a person's entry.
const ATTRIBUTES: [&str; 4] = ["displayName", "cn", "mail", "memberOf"];

impl LdapConfig {
    /// Checks the URL: plain `ldap://` with a host.
    pub fn check_url(url: &str) -> Result<(), String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("«{url}»: {e}"))?;
        match parsed.scheme() {
            "ldap" if parsed.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
            "ldaps" => Err(format!(
                "«{url}»: ldaps:// chưa được hỗ trợ; dùng ldap:// trên mạng tin cậy (ldaps:// is \
                 not supported: use ldap:// on a trusted network, or a local TLS tunnel)"
            )),
            _ => Err(format!(
                "«{url}»: cần địa chỉ ldap://máy:cổng (expected ldap://host:port)"
            )),
        }
    }

    /// The person `username` is when `password` is theirs.
    pub async fn verify(&self, username: &str, password: &str) -> Result<Person, LdapError> {
        if password.is_empty() || username.is_empty() {
            return Err(LdapError::Refused);
        }
        match tokio::time::timeout(self.timeout, self.ask(username, password)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(LdapError::Unavailable(format!(
                "no answer within {} s",
                self.timeout.as_secs_f32()
            ))),
        }
    }

    async fn ask(&self, username: &str, password: &str) -> Result<Person, LdapError> {
        let settings = LdapConnSettings::new().set_conn_timeout(self.timeout);
        let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &self.url)
            .await
            .map_err(unavailable)?;
        let driver = tokio::spawn(async move {
            if let Err(error) = conn.drive().await {
                tracing::warn!(%error, "the LDAP connection ended with an error");
            }
        });
        let outcome = self.bind_and_read(&mut ldap, username, password).await;
        let _ = ldap.unbind().await;
        driver.abort();
        outcome
    }

    async fn bind_and_read(
        &self,
        ldap: &mut ldap3::Ldap,
        username: &str,
        password: &str,
    ) -> Result<Person, LdapError> {
        let dn = match &self.find {
            FindPerson::DnTemplate(template) => {
                template.replace("{username}", &dn_escape(username))
            }
            FindPerson::Search {
                base,
                filter,
                service,
            } => {
                if let Some((service_dn, service_password)) = service {
                    ldap.simple_bind(service_dn, service_password)
                        .await
                        .and_then(|result| result.success())
                        .map_err(|error| {
                            LdapError::Unavailable(format!(
                                "binding as the service account: {error}"
                            ))
                        })?;
                }
                let filter = filter.replace("{username}", &ldap_escape(username));
                let (entries, _) = ldap
                    .search(base, Scope::Subtree, &filter, vec!["1.1"])
                    .await
                    .and_then(|result| result.success())
                    .map_err(unavailable)?;
                match entries.as_slice() {
                    [entry] => SearchEntry::construct(entry.clone()).dn,
                    [] => return Err(LdapError::Refused),
                    _ => {
                        tracing::warn!(
                            found = entries.len(),
                            "an LDAP search for one sign-in found several people: refused"
                        );
                        return Err(LdapError::Refused);
                    }
                }
            }
        };
        match ldap.simple_bind(&dn, password).await.map_err(unavailable)? {
            result if result.rc == 0 => {}
            result if result.rc == INVALID_CREDENTIALS => return Err(LdapError::Refused),
            result => return Err(LdapError::Unavailable(result.to_string())),
        }
        let (entries, _) = ldap
            .search(&dn, Scope::Base, "(objectClass=*)", ATTRIBUTES.to_vec())
            .await
            .and_then(|result| result.success())
            .map_err(unavailable)?;
        let entry = entries
            .into_iter()
            .next()
            .map(SearchEntry::construct)
            .ok_or_else(|| LdapError::Unavailable(format!("the entry {dn} cannot be read")))?;
        let first = |attribute: &str| {
            entry
                .attrs
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(attribute))
                .and_then(|(_, values)| values.first().cloned())
        };
        let name = first("displayName")
            .or_else(|| first("cn"))
            .unwrap_or_default();
        let email = first("mail");
        let groups = match &self.group_base {
            Some(base) => self.groups_listing(ldap, base, &entry.dn).await?,
            None => entry
                .attrs
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("memberOf"))
                .map(|(_, values)| values.clone())
                .unwrap_or_default(),
        };
        Ok(Person {
            dn: entry.dn,
            name,
            email,
            groups,
        })
    }

    /// The DNs of the `groupOfNames` under `base` listing `dn` as a member.
    async fn groups_listing(
        &self,
        ldap: &mut ldap3::Ldap,
        base: &str,
        dn: &str,
    ) -> Result<Vec<String>, LdapError> {
        let filter = format!("(&(objectClass=groupOfNames)(member={}))", ldap_escape(dn));
        let (entries, _) = ldap
            .search(base, Scope::Subtree, &filter, vec!["1.1"])
            .await
            .and_then(|result| result.success())
            .map_err(unavailable)?;
        Ok(entries
            .into_iter()
            .map(|entry| SearchEntry::construct(entry).dn)
            .collect())
    }
}

fn unavailable(error: ldap3::LdapError) -> LdapError {
    LdapError::Unavailable(error.to_string())
}
