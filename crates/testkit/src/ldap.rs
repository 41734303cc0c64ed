//! The test LDAP directory (Debian's slapd with `xtask/ldap/seed.ldif`), started by
//! `cargo xtask test`, which passes `DONGBO_TEST_LDAP_URL` and `DONGBO_TEST_LDAP_BASE`.
//! Without them [`url`] skips loudly, and panics under `CI=true`.
//!
//! The people, groups and passwords below are the seed's: change both together.

/// `ldap://127.0.0.1:PORT` of the test directory.
pub const LDAP_URL_VAR: &str = "DONGBO_TEST_LDAP_URL";

/// The directory's suffix.
pub const BASE: &str = "dc=dongbo,dc=test";
/// Where people are.
pub const PEOPLE: &str = "ou=people,dc=dongbo,dc=test";
/// Where groups are.
pub const GROUPS: &str = "ou=groups,dc=dongbo,dc=test";
/// The service account that may search the directory, and its password.
pub const SERVICE_DN: &str = "cn=dongbo,ou=services,dc=dongbo,dc=test";
pub const SERVICE_PASSWORD: &str = "Dịch vụ đọc thư mục 1";

/// A person of the seed: uid, name as the directory holds it (NFC), mail, password.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    pub uid: &'static str,
    pub name: &'static str,
    pub mail: Option<&'static str>,
    pub password: &'static str,
}

/// In groups `bkhcn-bao-cao` and `btc-xem`.
pub const AN: Person = Person {
    uid: "nguyen.van.an",
    name: "Nguyễn Văn An",
    mail: Some("an.nv@most.gov.vn"),
    password: "Mật khẩu của An 2026",
};
/// In groups `btc-duyet` and `btc-xem`.
pub const BINH: Person = Person {
    uid: "tran.thi.binh",
    name: "Trần Thị Bình",
    mail: Some("binh.tt@mof.gov.vn"),
    password: "Mật khẩu của Bình 2026",
};
/// In no group.
pub const CUONG: Person = Person {
    uid: "le.van.cuong",
    name: "Lê Văn Cường",
    mail: None,
    password: "Mật khẩu của Cường 2026",
};

/// The test directory's URL; `None` after a loud skip when there is none (a panic under CI).
pub fn url() -> Option<String> {
    match std::env::var(LDAP_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            crate::skip::skip(&format!(
                "LDAP: {LDAP_URL_VAR} is not set, so the LDAP sign-in checks did not run \
                 (`cargo xtask test` installs slapd and starts the test directory)"
            ));
            None
        }
    }
}
