//! Logging in and out, and choosing one's own password. Forms keep what the user typed and
//! say what is wrong next to the field.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use dongbo_domain::access::PasswordPolicy;
use dongbo_programs::accounts::{self, AccountError, LoginPolicy, SessionPolicy};
use dongbo_programs::sso::oidc::{self, OidcError, Pending};
use dongbo_programs::sso::{self, SignIn, SignInError};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{self, Refusal};
use crate::AppState;
use crate::auth::{self, LOGIN_CSRF_COOKIE, OIDC_COOKIE, SESSION_COOKIE};
use crate::error::{Error, FieldError, Result};

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
    csrf: String,
}

pub async fn login_form(
    page: Page,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let token = auth::cookie(&headers, LOGIN_CSRF_COOKIE)
        .or_else(|| accounts::random_token().ok())
        .unwrap_or_default();
    let markup = login_page(
        &page,
        &SignInView::of(&state).await,
        "",
        q.next.as_deref(),
        None,
        &token,
    );
    let cookie = auth::set_cookie(LOGIN_CSRF_COOKIE, &token, None, auth::is_https(&headers));
    ([(header::SET_COOKIE, cookie)], markup).into_response()
}

fn login_page(
    page: &Page,
    sign_in: &SignInView<'_>,
    username: &str,
    next: Option<&str>,
    error: Option<&str>,
    csrf: &str,
) -> Markup {
    page.render(
        page.t("Đăng nhập", "Log in"),
        html! {
            h1 { (page.t("Đăng nhập", "Log in")) }
            @if let Some(provider) = &sign_in.settings.oidc {
                p #oidc-sign-in {
                    a.button href={ "/login/oidc?next=" (crate::error::urlencode(next.unwrap_or(""))) } {
                        @if provider.settings.label.is_empty() {
                            (page.t("Đăng nhập bằng tài khoản định danh của cơ quan", "Sign in with your organisation's identity provider"))
                        } @else {
                            (provider.settings.label)
                        }
                    }
                }
                @if sign_in.required {
                    p.hint { (page.t(
                        "Mật khẩu dưới đây chỉ dành cho tài khoản quản trị dự phòng; mọi người khác đăng nhập bằng tài khoản của cơ quan.",
                        "The password below is for the break-glass administrator accounts only; everyone else signs in with the organisation's account.")) }
                }
            }
            form.login method="post" action="/login" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="next" value=(next.unwrap_or(""));
                @if let Some(error) = error { p.error role="alert" { (error) } }
                @if sign_in.settings.offers_sso() {
                    p.hint #organisation-account { (page.t(
                        "Đăng nhập bằng tài khoản cơ quan: tên đăng nhập và mật khẩu bạn dùng trên mạng của cơ quan.",
                        "Sign in with your organisation's account: the username and password of your organisation's network.")) }
                }
                label for="username" { (page.t("Tên đăng nhập", "Username")) }
                input #username type="text" name="username" value=(username) autocomplete="username" required autofocus;
                label for="password" { (page.t("Mật khẩu", "Password")) }
                input #password type="password" name="password" autocomplete="current-password" required;
                button type="submit" { (page.t("Đăng nhập", "Log in")) }
            }
        },
    )
}

/// What the login page shows of how people sign in: the server's ways, and whether the
/// organisation's account is required now (by the flag or the page).
struct SignInView<'a> {
    settings: &'a SignIn,
    required: bool,
}

impl<'a> SignInView<'a> {
    async fn of(state: &'a AppState) -> SignInView<'a> {
        let required = match sso::rules(&state.programs, &state.sign_in).await {
            Ok(rules) => rules.require_sso,
            Err(error) => {
                tracing::warn!(%error, "the sign-in settings could not be read for the login page");
                state.sign_in.require_sso
            }
        };
        SignInView {
            settings: &state.sign_in,
            required,
        }
    }
}

pub async fn login(
    page: Page,
    State(state): State<AppState>,
    headers: HeaderMap,
    request_extensions: axum::http::Extensions,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let view = SignInView::of(&state).await;
    let expected = auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || expected != form.csrf {
        let token = accounts::random_token()?;
        let markup = login_page(
            &page,
            &view,
            &form.username,
            form.next.as_deref(),
            Some(page.t(
                "Phiên đăng nhập đã hết hạn, vui lòng thử lại.",
                "The login form expired; please try again.",
            )),
            &token,
        );
        let cookie = auth::set_cookie(LOGIN_CSRF_COOKIE, &token, None, auth::is_https(&headers));
        return Ok((
            StatusCode::FORBIDDEN,
            [(header::SET_COOKIE, cookie)],
            markup,
        )
            .into_response());
    }
    let again = |status: StatusCode, message: &str| {
        (
            status,
            login_page(
                &page,
                &view,
                &form.username,
                form.next.as_deref(),
                Some(message),
                &form.csrf,
            ),
        )
            .into_response()
    };
    let source = auth::client_address(&state, &request_extensions, &headers);
    let now = state.clock.now();
    let user = match sso::sign_in(
        &state.programs,
        &state.sign_in,
        &form.username,
        &form.password,
        source,
        now,
    )
    .await
    {
        Ok(user) => user,
        // One answer for every refusal (see `verify_login`): nothing tells an unknown user, a
        // wrong password, a lock or a disabled account apart, nor a local account from one of
        // the organisation's directory.
        Err(SignInError::Account(AccountError::BadCredentials)) => {
            return Ok(again(
                StatusCode::UNAUTHORIZED,
                page.t(
                    "Sai tên đăng nhập hoặc mật khẩu.",
                    "Wrong username or password.",
                ),
            ));
        }
        // About the address, not the account.
        Err(SignInError::Account(AccountError::Throttled { until })) => {
            let mut response = again(
                StatusCode::TOO_MANY_REQUESTS,
                page.t(
                    "Quá nhiều lần đăng nhập sai từ máy này; vui lòng đợi vài phút.",
                    "Too many failed logins from this computer; please wait a few minutes.",
                ),
            );
            let wait = (until - now).num_seconds().max(1);
            if let Ok(value) = header::HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return Ok(response);
        }
        // The directory's outage is said as such: the password may well be right.
        Err(SignInError::DirectoryUnavailable(_)) => {
            return Ok(again(
                StatusCode::SERVICE_UNAVAILABLE,
                page.t(
                    "Không kết nối được với hệ thống tài khoản của cơ quan; vui lòng thử lại sau ít phút.",
                    "The organisation's account system cannot be reached; please try again in a few minutes.",
                ),
            ));
        }
        Err(SignInError::Account(other)) => return Err(other.into()),
        // Not from this form.
        Err(SignInError::Provider(_) | SignInError::LocalOnly(_)) => {
            return Ok(again(
                StatusCode::UNAUTHORIZED,
                page.t(
                    "Sai tên đăng nhập hoặc mật khẩu.",
                    "Wrong username or password.",
                ),
            ));
        }
    };
    let session =
        accounts::create_session(&state.programs, user.id, &SessionPolicy::default(), now).await?;
    let next = if user.must_change_password {
        "/account/password".to_owned()
    } else {
        auth::safe_next(form.next.as_deref())
    };
    Ok(with_session(&headers, &session.token, Redirect::to(&next)))
}

#[derive(Debug, Deserialize)]
pub struct OidcCallback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Begins a sign-in at the organisation's OpenID Connect provider: the browser keeps the
/// pending sign-in in a cookie for ten minutes and goes to the provider.
pub async fn oidc_start(
    page: Page,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response> {
    let Some(provider) = &state.sign_in.oidc else {
        return Err(Error::NotFound);
    };
    let next = auth::safe_next(q.next.as_deref());
    match provider.begin(&next).await {
        Ok((address, pending)) => {
            let cookie = auth::set_cookie(
                OIDC_COOKIE,
                &pending.to_cookie(),
                Some(oidc::PENDING_SECONDS),
                auth::is_https(&headers),
            );
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&address)).into_response())
        }
        Err(error) => {
            tracing::error!(%error, "a sign-in through the identity provider could not begin");
            Ok(login_again(
                &page,
                &SignInView::of(&state).await,
                &headers,
                StatusCode::SERVICE_UNAVAILABLE,
                &next,
                page.t(
                    "Không kết nối được với cổng định danh của cơ quan; vui lòng thử lại sau ít phút.",
                    "The organisation's identity provider cannot be reached; please try again in a few minutes.",
                ),
            ))
        }
    }
}

/// Where the provider sends the browser back: the sign-in ends here, with a session, or with
/// the login page saying why not. The pending sign-in's cookie is gone either way.
pub async fn oidc_callback(
    page: Page,
    State(state): State<AppState>,
    headers: HeaderMap,
    request_extensions: axum::http::Extensions,
    Query(q): Query<OidcCallback>,
) -> Result<Response> {
    if state.sign_in.oidc.is_none() {
        return Err(Error::NotFound);
    }
    let view = SignInView::of(&state).await;
    let pending = auth::cookie(&headers, OIDC_COOKIE).and_then(|c| Pending::from_cookie(&c));
    let next = pending
        .as_ref()
        .map(|p| auth::safe_next(Some(&p.next)))
        .unwrap_or_else(|| auth::safe_next(None));
    let refuse = |status: StatusCode, message: &str| {
        let mut response = login_again(&page, &view, &headers, status, &next, message);
        response.headers_mut().append(
            header::SET_COOKIE,
            auth::set_cookie(OIDC_COOKIE, "", Some(0), auth::is_https(&headers)),
        );
        response
    };
    let expired = page.t(
        "Lượt đăng nhập này đã hết hạn hoặc được mở ở trình duyệt khác; vui lòng đăng nhập lại.",
        "This sign-in expired or was begun in another browser; please sign in again.",
    );
    if let Some(error) = &q.error {
        tracing::info!(%error, "the identity provider sent the browser back without a sign-in");
        let message = if error == "access_denied" {
            page.t(
                "Cổng định danh không cho đăng nhập (bạn đã huỷ, hoặc tài khoản không được dùng ứng dụng này).",
                "The identity provider did not sign you in (you cancelled, or the account may not use this application).",
            )
        } else {
            page.t(
                "Cổng định danh không cho đăng nhập; vui lòng thử lại.",
                "The identity provider did not sign you in; please try again.",
            )
        };
        return Ok(refuse(StatusCode::UNAUTHORIZED, message));
    }
    let (Some(pending), Some(code), Some(given_state)) = (pending, &q.code, &q.state) else {
        return Ok(refuse(StatusCode::BAD_REQUEST, expired));
    };
    let source = auth::client_address(&state, &request_extensions, &headers);
    let now = state.clock.now();
    let user = match sso::sign_in_oidc(
        &state.programs,
        &state.sign_in,
        &pending,
        (code, given_state),
        source,
        now,
    )
    .await
    {
        Ok(user) => user,
        Err(SignInError::Provider(OidcError::StateMismatch)) => {
            return Ok(refuse(StatusCode::BAD_REQUEST, expired));
        }
        Err(
            SignInError::Provider(OidcError::Unavailable(_)) | SignInError::DirectoryUnavailable(_),
        ) => {
            return Ok(refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                page.t(
                    "Không kết nối được với cổng định danh của cơ quan; vui lòng thử lại sau ít phút.",
                    "The organisation's identity provider cannot be reached; please try again in a few minutes.",
                ),
            ));
        }
        Err(SignInError::Provider(_)) => {
            return Ok(refuse(
                StatusCode::UNAUTHORIZED,
                page.t(
                    "Cổng định danh không xác nhận được lượt đăng nhập này; vui lòng thử lại hoặc báo quản trị.",
                    "The identity provider's answer could not be accepted; please try again or tell the administrator.",
                ),
            ));
        }
        Err(SignInError::LocalOnly(_)) => {
            return Ok(refuse(
                StatusCode::FORBIDDEN,
                page.t(
                    "Tài khoản này chỉ đăng nhập bằng mật khẩu tại đây, không qua cổng định danh.",
                    "This account signs in with its password here only, not through the identity provider.",
                ),
            ));
        }
        Err(SignInError::Account(AccountError::Throttled { .. })) => {
            return Ok(refuse(
                StatusCode::TOO_MANY_REQUESTS,
                page.t(
                    "Quá nhiều lần đăng nhập sai từ máy này; vui lòng đợi vài phút.",
                    "Too many failed logins from this computer; please wait a few minutes.",
                ),
            ));
        }
        // Disabled, or locked for this address: one answer, as for a password.
        Err(SignInError::Account(AccountError::BadCredentials)) => {
            return Ok(refuse(
                StatusCode::UNAUTHORIZED,
                page.t(
                    "Tài khoản này hiện không đăng nhập được tại đây; vui lòng báo quản trị của cơ quan.",
                    "This account cannot sign in here at present; please tell your organisation's administrator.",
                ),
            ));
        }
        Err(SignInError::Account(other)) => return Err(other.into()),
    };
    let session =
        accounts::create_session(&state.programs, user.id, &SessionPolicy::default(), now).await?;
    let mut response = with_session(&headers, &session.token, Redirect::to(&next));
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(OIDC_COOKIE, "", Some(0), auth::is_https(&headers)),
    );
    Ok(response)
}

/// The login page again with `message`, answered with `status`, and a fresh login form cookie.
fn login_again(
    page: &Page,
    view: &SignInView<'_>,
    headers: &HeaderMap,
    status: StatusCode,
    next: &str,
    message: &str,
) -> Response {
    let token = auth::cookie(headers, LOGIN_CSRF_COOKIE)
        .or_else(|| accounts::random_token().ok())
        .unwrap_or_default();
    let markup = login_page(page, view, "", Some(next), Some(message), &token);
    let cookie = auth::set_cookie(LOGIN_CSRF_COOKIE, &token, None, auth::is_https(headers));
    (status, [(header::SET_COOKIE, cookie)], markup).into_response()
}

/// `response` with the session cookie set and the login form's cookie gone.
fn with_session(headers: &HeaderMap, token: &str, response: impl IntoResponse) -> Response {
    let secure = auth::is_https(headers);
    let mut response = response.into_response();
    let cookies = response.headers_mut();
    cookies.append(
        header::SET_COOKIE,
        auth::set_cookie(SESSION_COOKIE, token, None, secure),
    );
    cookies.append(
        header::SET_COOKIE,
        auth::set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), secure),
    );
    response
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    if let Some(token) = auth::cookie(&headers, SESSION_COOKIE) {
        accounts::end_session(&state.programs, &token, state.clock.now()).await?;
    }
    let cookie = auth::set_cookie(SESSION_COOKIE, "", Some(0), auth::is_https(&headers));
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn password_form(page: Page, State(state): State<AppState>) -> Result<Markup> {
    let username = page.caller()?.user.username.clone();
    if sso::password_is_the_organisations(&state.programs, &username).await? {
        return Ok(organisation_password_page(&page));
    }
    Ok(password_page(&page, None))
}

/// What the password page says to someone who signs in with the organisation's account: the
/// password is that account's, changed where the organisation keeps it.
fn organisation_password_page(page: &Page) -> Markup {
    page.render(
        page.t("Đổi mật khẩu", "Change password"),
        html! {
            h1 { (page.t("Đổi mật khẩu", "Change password")) }
            p.notice #organisation-password { (page.t(
                "Bạn đăng nhập bằng tài khoản cơ quan: mật khẩu là mật khẩu của tài khoản đó, đổi trên hệ thống tài khoản của cơ quan.",
                "You sign in with your organisation's account: your password is that account's, changed in your organisation's account system.")) }
            form #logout-everywhere-form method="post" action="/account/logout-everywhere" {
                (page.csrf_field())
                button type="submit" { (page.t("Đăng xuất khỏi mọi nơi", "Log out everywhere")) }
            }
        },
    )
}

/// The form to choose one's password; after a refusal, each message is next to its field (the
/// passwords themselves are never sent back).
fn password_page(page: &Page, refusal: Option<&Refusal>) -> Markup {
    let must = page
        .caller
        .as_ref()
        .is_some_and(|c| c.user.must_change_password);
    let attrs = |field: &str| {
        (
            form::invalid(refusal, field),
            form::described_by(refusal, field),
        )
    };
    page.render(
        page.t("Đổi mật khẩu", "Change password"),
        html! {
            h1 { (page.t("Đổi mật khẩu", "Change password")) }
            @if must {
                p.notice { (page.t(
                    "Mật khẩu này do người khác đặt: hãy chọn mật khẩu của riêng bạn trước khi tiếp tục.",
                    "Someone else chose this password: choose your own before you go on.")) }
            }
            (form::summary(page, refusal))
            form.password #password-form method="post" action="/account/password" {
                (page.csrf_field())
                label for="current" { (page.t("Mật khẩu hiện tại", "Current password")) }
                @let (bad, about) = attrs("current");
                input #current type="password" name="current" autocomplete="current-password" required aria-invalid=[bad] aria-describedby=[about];
                (form::error(refusal, "current"))
                label for="new" { (page.t("Mật khẩu mới", "New password")) }
                @let (bad, about) = attrs("new");
                input #new type="password" name="new" autocomplete="new-password" required aria-invalid=[bad] aria-describedby=[about];
                p.hint { (page.t(
                    "Ít nhất 12 ký tự, có ít nhất hai loại: chữ thường, chữ hoa, chữ số, ký hiệu; không chứa tên đăng nhập.",
                    "At least 12 characters of at least two kinds (lower case, upper case, digits, symbols), without the username.")) }
                (form::error(refusal, "new"))
                label for="confirm" { (page.t("Nhập lại mật khẩu mới", "New password again")) }
                @let (bad, about) = attrs("confirm");
                input #confirm type="password" name="confirm" autocomplete="new-password" required aria-invalid=[bad] aria-describedby=[about];
                (form::error(refusal, "confirm"))
                button type="submit" { (page.t("Đổi mật khẩu", "Change password")) }
            }
            @if !must {
                h2 { (page.t("Đăng xuất khỏi mọi nơi", "Log out everywhere")) }
                p { (page.t(
                    "Đổi mật khẩu kết thúc mọi phiên đăng nhập nhưng giữ các mã API của bạn. Nếu nghi ngờ người khác biết mật khẩu hoặc mã API, hãy đăng xuất khỏi mọi nơi: mọi phiên kết thúc và mọi mã API bị thu hồi.",
                    "Changing your password ends every session but keeps your API tokens. If someone else may know your password or a token, log out everywhere: every session ends and every API token is revoked.")) }
                form #logout-everywhere-form method="post" action="/account/logout-everywhere" {
                    (page.csrf_field())
                    button type="submit" { (page.t("Đăng xuất khỏi mọi nơi", "Log out everywhere")) }
                }
            }
        },
    )
}

/// `POST /account/logout-everywhere`: ends every session of the caller (this one too) and
/// revokes their API tokens, then goes to the login page.
pub async fn log_out_everywhere(
    page: Page,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response> {
    let username = page.caller()?.user.username.clone();
    accounts::log_out_everywhere(&state.programs, &username, &username).await?;
    let cookie = auth::set_cookie(SESSION_COOKIE, "", Some(0), auth::is_https(&headers));
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}

pub async fn change_password(
    page: Page,
    State(state): State<AppState>,
    headers: HeaderMap,
    request_extensions: axum::http::Extensions,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    let caller = page.caller()?.clone();
    let username = caller.user.username.clone();
    if sso::password_is_the_organisations(&state.programs, &username).await? {
        return Ok((StatusCode::CONFLICT, organisation_password_page(&page)).into_response());
    }
    let mut errors: Vec<FieldError> = Vec::new();
    let mut wrong = |field: &str, message: &str| {
        errors.push(FieldError {
            field: field.to_owned(),
            message: message.to_owned(),
        });
    };
    let policy = PasswordPolicy::default();
    if let Err(violations) = policy.check(&form.new, &username) {
        for v in &violations {
            let message = match page.lang {
                crate::i18n::Lang::Vi => v.message_vi(),
                crate::i18n::Lang::En => v.message_en(),
            };
            wrong("new", &message);
        }
    }
    if form.new == form.current {
        wrong(
            "new",
            page.t(
                "Mật khẩu mới phải khác mật khẩu hiện tại.",
                "The new password must differ from the current one.",
            ),
        );
    }
    if form.new != form.confirm {
        wrong(
            "confirm",
            page.t(
                "Hai mật khẩu mới không giống nhau.",
                "The two new passwords differ.",
            ),
        );
    }
    let now = state.clock.now();
    // Checking the current password is a login: counted, throttled and locked alike.
    let source = auth::client_address(&state, &request_extensions, &headers);
    match accounts::verify_login(
        &state.programs,
        &username,
        &form.current,
        source,
        &LoginPolicy::default(),
        now,
    )
    .await
    {
        Ok(_) => {}
        Err(AccountError::BadCredentials) => {
            wrong(
                "current",
                page.t(
                    "Mật khẩu hiện tại không đúng.",
                    "The current password is wrong.",
                ),
            );
        }
        Err(AccountError::Throttled { .. }) => {
            wrong(
                "current",
                page.t(
                    "Quá nhiều lần nhập sai mật khẩu từ máy này; vui lòng đợi vài phút.",
                    "Too many wrong passwords from this computer; please wait a few minutes.",
                ),
            );
        }
        Err(other) => return Err(Error::from(other)),
    }
    if !errors.is_empty() {
        // Passwords are not sent back to be shown: only the messages are.
        let refusal = Refusal::of("password-form", Vec::new(), Error::Invalid(errors))?;
        return Ok(Refusal::answer(password_page(&page, Some(&refusal))));
    }
    accounts::set_own_password(&state.programs, &username, &form.new, &policy).await?;
    // Changing the password ended every session of the user: open a new one here.
    let session = accounts::create_session(
        &state.programs,
        caller.user.id,
        &SessionPolicy::default(),
        now,
    )
    .await?;
    Ok(with_session(&headers, &session.token, Redirect::to("/my")))
}

// ---------------------------------------------------------------------------------------------
// The account page: how one is e-mailed one's agency's notices

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    cadence: String,
}

/// `GET /account`: the caller's e-mail address and how often they are e-mailed (immediately
/// for urgent events, or once a day), and the way to change their password.
pub async fn account_page(page: Page, State(state): State<AppState>) -> Result<Markup> {
    let actor = page.actor(&state)?;
    let setting = accounts::my_email_setting(&actor).await?;
    Ok(account_markup(&page, setting.as_ref(), None))
}

fn account_markup(
    page: &Page,
    setting: Option<&accounts::EmailSetting>,
    refusal: Option<&Refusal>,
) -> Markup {
    let email = setting.map_or("", |s| s.email.as_str());
    let daily = setting.is_some_and(|s| s.cadence == accounts::Cadence::Daily);
    let typed_email = form::typed(refusal, "email", email);
    page.render(
        page.t("Tài khoản", "Account"),
        html! {
            h1 { (page.t("Tài khoản", "Account")) }
            h2 { (page.t("Nhận thông báo qua thư điện tử", "Notices by e-mail")) }
            p { (page.t(
                "Thông báo của cơ quan bạn luôn hiện ngay trong ứng dụng. Nhập địa chỉ để nhận cả qua thư điện tử: ngay (báo cáo bị trả lại, đề xuất được quyết định, đôn đốc — trong vòng một phút; sắp đến hạn, quá hạn — thư tổng hợp hằng ngày) hoặc chỉ một thư tổng hợp mỗi ngày. Để trống địa chỉ để thôi nhận.",
                "Your agency's notices always appear in the application at once. Give an address to get them by e-mail too: immediately (a report returned, a change request decided, a reminder — within a minute; due soon and overdue in the daily digest) or only in one digest a day. Leave the address empty to stop.")) }
            (form::summary(page, refusal))
            form #email-form method="post" action="/account/email" {
                (page.csrf_field())
                label for="email" { (page.t("Địa chỉ thư điện tử", "E-mail address")) }
                input #email type="email" name="email" value=(typed_email) autocomplete="email"
                    aria-invalid=[form::invalid(refusal, "email")] aria-describedby=[form::described_by(refusal, "email")];
                (form::error(refusal, "email"))
                fieldset {
                    legend { (page.t("Gửi thư", "Send e-mail")) }
                    label { input type="radio" name="cadence" value="immediate" checked[!daily]; " " (page.t("Ngay khi có việc cần xử lý", "As soon as something needs doing")) }
                    label { input type="radio" name="cadence" value="daily" checked[daily]; " " (page.t("Một thư tổng hợp mỗi ngày", "One digest a day")) }
                }
                button type="submit" { (page.t("Lưu", "Save")) }
            }
            @if let Some(s) = setting {
                p #email-saved.muted {
                    (page.t("Đang nhận tại ", "Now sent to ")) (s.email) " — "
                    @if daily { (page.t("mỗi ngày một thư", "one digest a day")) } @else { (page.t("ngay", "immediately")) }
                }
            }
            h2 { (page.t("Mật khẩu", "Password")) }
            p { a href="/account/password" { (page.t("Đổi mật khẩu", "Change password")) } }
        },
    )
}

/// `POST /account/email`: saves the caller's e-mail setting (audited); an address that is
/// not one is refused next to its field, and nothing changes.
pub async fn set_email(
    page: Page,
    State(state): State<AppState>,
    Form(form): Form<EmailForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let cadence = match form.cadence.as_str() {
        "daily" => accounts::Cadence::Daily,
        "immediate" | "" => accounts::Cadence::Immediate,
        other => return Err(Error::BadRequest(format!("unknown cadence {other}"))),
    };
    let email = form.email.trim();
    let setting = (!email.is_empty()).then(|| accounts::EmailSetting {
        email: email.to_owned(),
        cadence,
    });
    match accounts::set_my_email_setting(&actor, setting.as_ref()).await {
        Ok(()) => Ok(Redirect::to("/account").into_response()),
        Err(error) => {
            let refusal = Refusal::of(
                "email-form",
                vec![
                    ("email".to_owned(), form.email.clone()),
                    ("cadence".to_owned(), form.cadence.clone()),
                ],
                error,
            )?;
            let stored = accounts::my_email_setting(&actor).await?;
            Ok(Refusal::answer(account_markup(
                &page,
                stored.as_ref(),
                Some(&refusal),
            )))
        }
    }
}
