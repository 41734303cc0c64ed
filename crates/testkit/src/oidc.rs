//! The test OpenID provider (npm's `oidc-provider` run from `xtask/oidc/provider.mjs`),
//! started by `cargo xtask test`, which passes `DONGBO_TEST_OIDC_ISSUER`. Without it [`issuer`]
//! skips loudly, and panics under `CI=true`.
//!
//! The people and passwords below are `provider.mjs`'s: change both together.

/// `http://127.0.0.1:PORT` of the test provider.
pub const ISSUER_VAR: &str = "DONGBO_TEST_OIDC_ISSUER";

/// A person of the test provider: username, name (NFC), e-mail as the provider gives it,
/// password at the provider.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    pub username: &'static str,
    pub name: &'static str,
    pub email: Option<&'static str>,
    pub password: &'static str,
}

/// In group `bkhcn-bao-cao`, e-mail verified.
pub const DUC: Person = Person {
    username: "hoang.minh.duc",
    name: "Hoàng Minh Đức",
    email: Some("duc.hm@most.gov.vn"),
    password: "Mật khẩu định danh của Đức 2026",
};
/// In groups `btc-duyet` and `nhom-khong-anh-xa`; the provider says her e-mail address
/// (`ha.vt@mof.gov.vn`) is not verified.
pub const HA: Person = Person {
    username: "vu.thu.ha",
    name: "Vũ Thu Hà",
    email: None,
    password: "Mật khẩu định danh của Hà 2026",
};
/// The provider's own "admin", which must never sign in the server's break-glass account.
pub const ADMIN: Person = Person {
    username: "admin",
    name: "Quản trị cổng định danh",
    email: None,
    password: "Mật khẩu định danh của admin 2026",
};

/// The test provider's issuer; `None` after a loud skip when there is none (a panic under CI).
pub fn issuer() -> Option<String> {
    match std::env::var(ISSUER_VAR) {
        Ok(issuer) if !issuer.trim().is_empty() => Some(issuer),
        _ => {
            crate::skip::skip(&format!(
                "OpenID Connect: {ISSUER_VAR} is not set, so the OpenID Connect sign-in checks \
                 did not run (`cargo xtask test` installs and starts the test provider)"
            ));
            None
        }
    }
}
