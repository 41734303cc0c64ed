//! `/admin/sign-in`: how people sign in, for the administrators of the whole system — the ways
//! in this server has (the organisation's directory, its identity provider), and whether the
//! organisation's account is required, with the accounts that keep a local password. The
//! server's flags hold on top of what is saved here (`programs::sso::rules`).

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use dongbo_domain::access::{Action, ROOT_AGENCY};
use dongbo_programs::sso::{self, SettingsError};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{self, Refusal};
use crate::AppState;
use crate::error::{Error, FieldError, Result};

const FORM: &str = "sign-in-settings";

#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    require_sso: Option<String>,
    #[serde(default)]
    local_users: String,
}

/// Only an administrator of the whole system sets how everyone signs in.
async fn check(page: &Page, state: &AppState) -> Result<()> {
    let caller = page.caller()?;
    let directory = state.programs.directory_with_units().await?;
    if caller.can(Action::ManageUsers, ROOT_AGENCY, &directory) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

pub async fn show(
    page: Page,
    State(state): State<AppState>,
    Query(query): Query<SavedQuery>,
) -> Result<Markup> {
    check(&page, &state).await?;
    markup(&page, &state, query.saved.is_some(), None).await
}

pub async fn save(
    page: Page,
    State(state): State<AppState>,
    Form(form): Form<SettingsForm>,
) -> Result<Response> {
    check(&page, &state).await?;
    let caller = page.caller()?;
    let require = form.require_sso.is_some();
    let outcome = sso::save_settings(
        &state.programs,
        &state.sign_in,
        &caller.user.username,
        require,
        &form.local_users,
        state.clock.now(),
    )
    .await;
    let (field, message) = match outcome {
        Ok(()) => return Ok(Redirect::to("/admin/sign-in?saved=1").into_response()),
        Err(SettingsError::NoSso) => (
            "require_sso",
            page.t(
                "Máy chủ chưa có cách đăng nhập bằng tài khoản cơ quan (thư mục LDAP hoặc cổng định danh OpenID Connect) nên không thể bắt buộc.",
                "The server has no way to sign in with the organisation's account (an LDAP directory or an OpenID Connect provider), so it cannot be required.",
            )
            .to_owned(),
        ),
        Err(SettingsError::BadUsername(name)) => (
            "local_users",
            match page.lang {
                crate::i18n::Lang::Vi => format!("«{name}» không phải là một tên đăng nhập."),
                crate::i18n::Lang::En => format!("«{name}» is not a username."),
            },
        ),
        Err(SettingsError::LocksOut(name)) => (
            "local_users",
            match page.lang {
                crate::i18n::Lang::Vi => format!(
                    "Tài khoản của bạn («{name}») đăng nhập bằng mật khẩu tại đây: hãy giữ nó trong danh sách, nếu không bạn sẽ tự khoá mình."
                ),
                crate::i18n::Lang::En => format!(
                    "Your account («{name}») signs in with a password here: keep it on the list, or you would lock yourself out."
                ),
            },
        ),
        Err(SettingsError::Account(error)) => return Err(error.into()),
    };
    let mut values = vec![("local_users".to_owned(), form.local_users.clone())];
    if require {
        values.push(("require_sso".to_owned(), "on".to_owned()));
    }
    let refusal = Refusal::of(
        FORM,
        values,
        Error::Invalid(vec![FieldError {
            field: field.to_owned(),
            message,
        }]),
    )?;
    Ok(Refusal::answer(
        markup(&page, &state, false, Some(&refusal)).await?,
    ))
}

async fn markup(
    page: &Page,
    state: &AppState,
    saved: bool,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let stored = sso::stored_settings(&state.programs).await?;
    let rules = sso::combine(&state.sign_in, stored.clone());
    let settings = &state.sign_in;
    let kept = Refusal::of_form(refusal, FORM);
    let required = match kept {
        Some(kept) => kept.value("require_sso").is_some(),
        None => stored.as_ref().is_some_and(|s| s.require_sso),
    };
    let stored_list = stored
        .as_ref()
        .map(|s| s.local_users.join("\n"))
        .unwrap_or_default();
    let flag_list: Vec<&str> = settings.local_users.iter().map(String::as_str).collect();
    let title = page.t("Cách đăng nhập", "Signing in");
    Ok(page.render(
        title,
        html! {
            h1 { (title) }
            @if saved { p.notice #done role="status" { (page.t("Đã lưu.", "Saved.")) } }
            (form::summary(page, refusal))
            h2 { (page.t("Các cách đăng nhập của máy chủ", "The server's ways to sign in")) }
            ul #ways {
                li { (page.t("Mật khẩu tại đây (luôn có, cho tài khoản quản trị dự phòng)", "A password here (always, for the break-glass accounts)")) }
                @if let Some(ldap) = &settings.ldap {
                    li #way-ldap { (page.t("Thư mục của cơ quan (LDAP): ", "The organisation's directory (LDAP): ")) code { (ldap.url) } }
                }
                @if let Some(oidc) = &settings.oidc {
                    li #way-oidc { (page.t("Cổng định danh (OpenID Connect): ", "The identity provider (OpenID Connect): ")) code { (oidc.settings.issuer) } }
                }
            }
            @if settings.ldap.is_none() && settings.oidc.is_none() {
                p.hint { (page.t(
                    "Chưa cấu hình cách đăng nhập bằng tài khoản cơ quan: quản trị máy chủ khởi động với --ldap-url hoặc --oidc-issuer (xem README).",
                    "No way to sign in with the organisation's account is configured: the server's operator starts it with --ldap-url or --oidc-issuer (see the README).")) }
            }
            p #in-force {
                (page.t("Hiện hành: ", "In force: "))
                @if rules.require_sso {
                    strong { (page.t("bắt buộc đăng nhập bằng tài khoản cơ quan", "the organisation's account is required")) }
                } @else {
                    strong { (page.t("tài khoản tại đây vẫn đăng nhập bằng mật khẩu", "accounts made here still sign in with their password")) }
                }
                @if rules.required_by_flag {
                    " " small.muted { (page.t("(do cờ --require-sso của máy chủ; trang này không bỏ được)", "(by the server's --require-sso flag; this page cannot lift it)")) }
                }
            }
            form #(FORM) method="post" action="/admin/sign-in" {
                (page.csrf_field())
                label.check {
                    input #require_sso type="checkbox" name="require_sso" checked[required]
                        aria-invalid=[form::invalid(kept, "require_sso")] aria-describedby=[form::described_by(kept, "require_sso")];
                    " " (page.t("Bắt buộc đăng nhập bằng tài khoản cơ quan", "Require the organisation's account"))
                }
                (form::error(kept, "require_sso"))
                label for="local_users" { (page.t("Tài khoản giữ mật khẩu tại đây (mỗi dòng một tên đăng nhập)", "Accounts that keep a password here (one username per line)")) }
                textarea #local_users name="local_users" rows="4"
                    aria-invalid=[form::invalid(kept, "local_users")] aria-describedby=[form::described_by(kept, "local_users")] {
                    (form::typed(kept, "local_users", &stored_list))
                }
                (form::error(kept, "local_users"))
                @if !flag_list.is_empty() {
                    p.hint { (page.t("Ngoài ra, theo cờ --local-login-users của máy chủ: ", "Also, by the server's --local-login-users flag: ")) (flag_list.join(", ")) }
                }
                button type="submit" { (page.t("Lưu", "Save")) }
            }
        },
    ))
}
