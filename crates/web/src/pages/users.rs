//! The administrators' pages for users and roles (`/admin/users`): the list with a search,
//! one user's page with every act on the account, creating one user or a whole sheet of focal
//! points. What an administrator may do, and to whom, is `dongbo_programs::users`'s business;
//! these pages read forms, show answers and never decide.
//!
//! A first password is shown once, on the answer to the act that made it, and never again:
//! every answer here is `Cache-Control: no-store` (the server's default), so the browser keeps
//! no copy of it.

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{self, Refusal};
use crate::AppState;
use crate::error::{Error, Result, urlencode};
use dongbo_domain::access::{Grant, Role};
use dongbo_programs::users::{self, Created, NewUserInput, UserDetail, UserRow};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
}

/// `GET /admin/users`: the users the caller manages, searched by name, e-mail or agency.
pub async fn list(
    page: Page,
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Markup> {
    let actor = page.actor(&state)?;
    let rows = users::list(&actor, &query.q).await?;
    list_markup(&page, &state, &rows, &query.q, None).await
}

async fn list_markup(
    page: &Page,
    state: &AppState,
    rows: &[UserRow],
    q: &str,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let title = page.t("Người dùng và vai trò", "Users and roles");
    let directory = state.programs.directory_with_units().await?;
    let caller = page.caller()?;
    let agencies = users::administered_agencies(&caller.who, &directory, state.clock.today());
    let new_user = Refusal::of_form(refusal, "new-user");
    let bulk = Refusal::of_form(refusal, "bulk-users");
    let csrf = caller.csrf.clone().unwrap_or_default();
    Ok(page.render(
        title,
        html! {
            h1 { (title) }
            form.filters #user-search method="get" action="/admin/users" role="search" {
                label for="q" { (page.t("Tìm theo tên, tên đăng nhập, thư điện tử hoặc cơ quan", "Search by name, username, e-mail or agency")) }
                input #q type="search" name="q" value=(q);
                button type="submit" { (page.t("Tìm", "Search")) }
            }
            p.muted #user-count { (rows.len()) " " (page.t("người dùng", "users")) }
            p { a #sign-in-settings href="/admin/sign-in" { (page.t("Cách đăng nhập (tài khoản cơ quan, bắt buộc đăng nhập tập trung)", "Signing in (the organisation's account, requiring single sign-on)")) } }
            table.users #users {
                thead { tr {
                    th { (page.t("Tên đăng nhập", "Username")) }
                    th { (page.t("Họ và tên", "Full name")) }
                    th { (page.t("Thư điện tử", "E-mail")) }
                    th { (page.t("Vai trò", "Roles")) }
                    th { (page.t("Trạng thái", "State")) }
                } }
                tbody {
                    @for row in rows {
                        tr {
                            td data-label=(page.t("Tên đăng nhập", "Username")) { a href={ "/admin/users/" (urlencode(&row.user.username)) } { (row.user.username) } }
                            td data-label=(page.t("Họ và tên", "Full name")) { (row.user.display_name) }
                            td data-label=(page.t("Thư điện tử", "E-mail")) { (row.email.as_deref().unwrap_or("—")) }
                            td data-label=(page.t("Vai trò", "Roles")) { (grants_text(page, &directory, &row.grants)) }
                            td data-label=(page.t("Trạng thái", "State")) { (state_text(page, row)) }
                        }
                    }
                }
            }
            h2 #new { (page.t("Tạo người dùng", "Create a user")) }
            p.muted { (page.t(
                "Hệ thống tạo một mật khẩu đầu tiên, hiện một lần duy nhất sau khi tạo; người dùng phải đổi mật khẩu khi đăng nhập lần đầu.",
                "The system makes a first password, shown once after creating; the user must change it at first login.")) }
            (form::summary(page, new_user))
            form #new-user method="post" action="/admin/users" {
                (page.csrf_field())
                (text_field(new_user, "username", page.t("Tên đăng nhập", "Username"), "text"))
                (text_field(new_user, "display_name", page.t("Họ và tên", "Full name"), "text"))
                (text_field(new_user, "email", page.t("Thư điện tử (nhận đôn đốc)", "E-mail (for reminders)"), "email"))
                (role_select(page, new_user))
                (agency_select(page, new_user, &agencies))
                button type="submit" { (page.t("Tạo người dùng", "Create the user")) }
            }
            h2 #bulk { (page.t("Tạo hàng loạt từ danh sách đầu mối", "Create many from a list of focal points")) }
            p { (page.t(
                "Tệp CSV hoặc Excel (XLSX), mỗi người một dòng, có các cột: Họ và tên, E-mail, Cơ quan (mã hoặc tên), Vai trò. Tên đăng nhập là địa chỉ thư điện tử (hoặc cột «Tên đăng nhập» nếu có). Nếu có dòng sai thì không tạo ai cả, và mọi lỗi được chỉ theo dòng và cột.",
                "A CSV or Excel (XLSX) file, one person a row, with the columns Họ và tên (name), E-mail, Cơ quan (agency code or name), Vai trò (role). The username is the e-mail address (or a «Tên đăng nhập» column if there is one). If any row is wrong no one is created, and every error is named by row and column.")) " "
                a #user-template href="/admin/users/template.csv" download { (page.t("Tải tệp mẫu (CSV)", "Download the template (CSV)")) }
            }
            (form::summary(page, bulk))
            form #bulk-users method="post" enctype="multipart/form-data" action={ "/admin/users/bulk?csrf=" (csrf) } {
                label for="file" { (page.t("Tệp danh sách", "The list file")) }
                input #file type="file" name="file" accept=".csv,.xlsx,text/csv"
                    aria-invalid=[form::invalid(bulk, "file")] aria-describedby=[form::described_by(bulk, "file")];
                (form::error(bulk, "file"))
                button type="submit" { (page.t("Tạo tất cả", "Create them all")) }
            }
        },
    ))
}

fn text_field(refusal: Option<&Refusal>, name: &str, label: &str, kind: &str) -> Markup {
    let id = format!("new-{name}");
    html! {
        label for=(id) { (label) }
        input id=(id) type=(kind) name=(name) value=(form::typed(refusal, name, ""))
            aria-invalid=[form::invalid(refusal, name)] aria-describedby=[form::described_by(refusal, name)];
        (form::error(refusal, name))
    }
}

fn role_select(page: &Page, refusal: Option<&Refusal>) -> Markup {
    let chosen = form::typed(refusal, "role", "");
    html! {
        label for="new-role" { (page.t("Vai trò", "Role")) }
        select #new-role name="role" aria-invalid=[form::invalid(refusal, "role")] aria-describedby=[form::described_by(refusal, "role")] {
            option value="" { "—" }
            @for role in Role::ALL {
                option value=(role.as_str()) selected[chosen == role.as_str()] { (page.t(role.label_vi(), role.label_en())) }
            }
        }
        (form::error(refusal, "role"))
    }
}

fn agency_select(
    page: &Page,
    refusal: Option<&Refusal>,
    agencies: &[&dongbo_domain::directory::Agency],
) -> Markup {
    let chosen = form::typed(refusal, "agency", "");
    html! {
        label for="new-agency" { (page.t("Tại cơ quan (và các đơn vị trực thuộc)", "On the agency (and the units under it)")) }
        select #new-agency name="agency" aria-invalid=[form::invalid(refusal, "agency")] aria-describedby=[form::described_by(refusal, "agency")] {
            option value="" { "—" }
            @for agency in agencies {
                option value=(agency.code) selected[chosen == agency.code] { (page.t(&agency.name_vi, &agency.name_en)) " (" (agency.code) ")" }
            }
        }
        (form::error(refusal, "agency"))
    }
}

fn agency_label(page: &Page, directory: &dongbo_domain::Directory, code: &str) -> String {
    directory.agency(code).map_or_else(
        || code.to_owned(),
        |a| page.t(&a.name_vi, &a.name_en).to_owned(),
    )
}

fn grants_text(page: &Page, directory: &dongbo_domain::Directory, grants: &[Grant]) -> Markup {
    html! {
        @if grants.is_empty() { span.muted { (page.t("chưa có vai trò", "no role")) } }
        @for (i, grant) in grants.iter().enumerate() {
            @if i > 0 { br; }
            (page.t(grant.role.label_vi(), grant.role.label_en())) " — " (agency_label(page, directory, &grant.agency_code))
        }
    }
}

fn state_text(page: &Page, row: &UserRow) -> Markup {
    html! {
        @if row.user.disabled { span.status-refused { (page.t("Đã vô hiệu hoá", "Disabled")) } }
        @else if let Some(until) = row.locked_until {
            span.status-late { (page.t("Bị khoá đăng nhập đến ", "Login locked until ")) (page.lang.moment(until)) }
        }
        @else if row.user.must_change_password { span.muted { (page.t("Chưa đổi mật khẩu đầu tiên", "First password not yet changed")) } }
        @else { (page.t("Đang hoạt động", "Active")) }
    }
}

/// `POST /admin/users`: creates one user; the answer shows the first password once.
pub async fn create(
    page: Page,
    State(state): State<AppState>,
    Form(input): Form<NewUserForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let wanted = NewUserInput {
        username: input.username.clone(),
        display_name: input.display_name.clone(),
        email: Some(input.email.clone()),
        role: Some(input.role.clone()),
        agency: Some(input.agency.clone()),
    };
    match users::create(&actor, &wanted).await {
        Ok(created) => Ok(created_markup(&page, &state, &[created])
            .await?
            .into_response()),
        Err(error) => {
            let refusal = Refusal::of(
                "new-user",
                vec![
                    ("username".to_owned(), input.username),
                    ("display_name".to_owned(), input.display_name),
                    ("email".to_owned(), input.email),
                    ("role".to_owned(), input.role),
                    ("agency".to_owned(), input.agency),
                ],
                error,
            )?
            .placed_at("username");
            let rows = users::list(&actor, "").await?;
            let shown = page.showing("/admin/users".to_owned(), String::new());
            Ok(Refusal::answer(
                list_markup(&shown, &state, &rows, "", Some(&refusal)).await?,
            ))
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    agency: String,
}

/// The answer to a creation: each new user with their first password, shown this once.
async fn created_markup(page: &Page, state: &AppState, created: &[Created]) -> Result<Markup> {
    let directory = state.programs.directory_with_units().await?;
    let title = page.t("Đã tạo người dùng", "Users created");
    Ok(page.render(
        title,
        html! {
            h1 { (title) }
            p.notice role="status" #passwords-once {
                (page.t(
                    "Mật khẩu đầu tiên chỉ hiện một lần, ngay bây giờ: hãy chuyển cho từng người qua kênh an toàn. Họ phải đổi mật khẩu khi đăng nhập lần đầu.",
                    "The first passwords are shown this once only: hand each to its person over a safe channel. They must change it at first login."))
            }
            table #created {
                thead { tr {
                    th { (page.t("Tên đăng nhập", "Username")) }
                    th { (page.t("Họ và tên", "Full name")) }
                    th { (page.t("Vai trò", "Roles")) }
                    th { (page.t("Mật khẩu đầu tiên", "First password")) }
                } }
                tbody {
                    @for c in created {
                        tr {
                            td data-label=(page.t("Tên đăng nhập", "Username")) { a href={ "/admin/users/" (urlencode(&c.user.username)) } { (c.user.username) } }
                            td data-label=(page.t("Họ và tên", "Full name")) { (c.user.display_name) }
                            td data-label=(page.t("Vai trò", "Roles")) { (grants_text(page, &directory, &c.grants)) }
                            td data-label=(page.t("Mật khẩu đầu tiên", "First password")) { code.password { (c.password) } }
                        }
                    }
                }
            }
            p { a href="/admin/users" { (page.t("Về danh sách người dùng", "Back to the users")) } }
        },
    ))
}

/// `POST /admin/users/bulk?csrf=…` (multipart, `file`): creates every person of a sheet of
/// focal points, all or none.
pub async fn bulk(
    page: Page,
    State(state): State<AppState>,
    mut form: Multipart,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    let mut file_name = String::new();
    let mut bytes = Vec::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| Error::BadRequest(format!("the form could not be read: {e}")))?
    {
        if field.name() == Some("file") {
            file_name = field.file_name().unwrap_or("file").to_owned();
            bytes = field
                .bytes()
                .await
                .map_err(|_| Error::BadRequest("the file is too large or was cut off".to_owned()))?
                .to_vec();
        }
    }
    match users::sheet::create_from_sheet(&actor, &bytes, &file_name).await {
        Ok(created) => Ok(created_markup(&page, &state, &created)
            .await?
            .into_response()),
        Err(error) => {
            let refusal = Refusal::of("bulk-users", Vec::new(), error)?.placed_at("file");
            let rows = users::list(&actor, "").await?;
            let shown = page.showing("/admin/users".to_owned(), String::new());
            Ok(Refusal::answer(
                list_markup(&shown, &state, &rows, "", Some(&refusal)).await?,
            ))
        }
    }
}

/// `GET /admin/users/template.csv`: the sheet of focal points to fill in, with one example
/// row (UTF-8 with a byte-order mark, so Excel reads the Vietnamese right).
pub async fn template(page: Page) -> Result<Response> {
    page.caller()?;
    let mut body = String::from("\u{feff}");
    body.push_str(&users::sheet::TEMPLATE_HEADERS.join(","));
    body.push_str("\r\nNguyễn Văn An,an.nguyen@example.gov.vn,BTC,reporter\r\n");
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"dau-moi.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// What the user page says after an act (`?done=`).
#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    #[serde(default)]
    done: String,
}

/// `GET /admin/users/{username}`: the user, their roles, sessions, tokens and locks, with a
/// form for every act.
pub async fn detail(
    page: Page,
    State(state): State<AppState>,
    Path(username): Path<String>,
    Query(query): Query<DetailQuery>,
) -> Result<Markup> {
    let actor = page.actor(&state)?;
    let detail = users::detail(&actor, &username).await?;
    detail_markup(&page, &state, &detail, &query.done, None).await
}

async fn detail_markup(
    page: &Page,
    state: &AppState,
    detail: &UserDetail,
    done: &str,
    refusal: Option<&Refusal>,
) -> Result<Markup> {
    let directory = state.programs.directory_with_units().await?;
    let caller = page.caller()?;
    let agencies = users::administered_agencies(&caller.who, &directory, state.clock.today());
    let user = &detail.row.user;
    let base = format!("/admin/users/{}", urlencode(&user.username));
    let grant_form = Refusal::of_form(refusal, "grant");
    let done_text = match done {
        "disabled" => Some(page.t(
            "Đã vô hiệu hoá tài khoản và kết thúc các phiên.",
            "The account is disabled and its sessions ended.",
        )),
        "enabled" => Some(page.t(
            "Đã kích hoạt lại tài khoản.",
            "The account is enabled again.",
        )),
        "granted" => Some(page.t("Đã giao vai trò.", "The role is given.")),
        "revoked" => Some(page.t("Đã thu hồi vai trò.", "The role is taken away.")),
        "session" => Some(page.t("Đã kết thúc phiên.", "The session is ended.")),
        "everywhere" => Some(page.t(
            "Đã đăng xuất khỏi mọi nơi và thu hồi mọi mã API.",
            "Logged out everywhere; every API token revoked.",
        )),
        "token" => Some(page.t("Đã thu hồi mã API.", "The API token is revoked.")),
        "unlocked" => Some(page.t("Đã mở khoá đăng nhập.", "Login is unlocked.")),
        _ => None,
    };
    Ok(page.render(
        &user.display_name,
        html! {
            p { a href="/admin/users" { "← " (page.t("Người dùng và vai trò", "Users and roles")) } }
            h1 { (user.display_name) " " small.muted { "(" (user.username) ")" } }
            @if let Some(text) = done_text { p.notice #done role="status" { (text) } }
            (form::summary(page, refusal))
            dl.facts {
                dt { (page.t("Thư điện tử", "E-mail")) } dd #user-email { (detail.row.email.as_deref().unwrap_or("—")) }
                dt { (page.t("Trạng thái", "State")) } dd #user-state { (state_text(page, &detail.row)) }
                dt { (page.t("Tạo lúc", "Created")) } dd { (page.lang.moment(user.created_at)) }
            }
            h2 { (page.t("Vai trò", "Roles")) }
            table #grants {
                thead { tr { th { (page.t("Vai trò", "Role")) } th { (page.t("Cơ quan", "Agency")) } th { span.visually-hidden { (page.t("Thao tác", "Action")) } } } }
                tbody {
                    @for grant in &detail.row.grants {
                        tr {
                            td data-label=(page.t("Vai trò", "Role")) { (page.t(grant.role.label_vi(), grant.role.label_en())) }
                            td data-label=(page.t("Cơ quan", "Agency")) { (agency_label(page, &directory, &grant.agency_code)) " (" (grant.agency_code) ")" }
                            td {
                                form.inline method="post" action={ (base) "/revoke" } {
                                    (page.csrf_field())
                                    input type="hidden" name="role" value=(grant.role.as_str());
                                    input type="hidden" name="agency" value=(grant.agency_code);
                                    button type="submit" { (page.t("Thu hồi", "Revoke")) }
                                }
                            }
                        }
                    }
                }
            }
            form #grant method="post" action={ (base) "/grant" } {
                (page.csrf_field())
                (role_select(page, grant_form))
                (agency_select(page, grant_form, &agencies))
                button type="submit" { (page.t("Giao vai trò", "Give the role")) }
            }
            h2 { (page.t("Tài khoản", "Account")) }
            div.actions {
                form #disable method="post" action={ (base) "/disabled" } {
                    (page.csrf_field())
                    @if user.disabled {
                        input type="hidden" name="disabled" value="false";
                        button type="submit" { (page.t("Kích hoạt lại", "Enable")) }
                    } @else {
                        input type="hidden" name="disabled" value="true";
                        button type="submit" { (page.t("Vô hiệu hoá", "Disable")) }
                    }
                }
                form #reset-password method="post" action={ (base) "/password" } {
                    (page.csrf_field())
                    button type="submit" { (page.t("Đặt lại mật khẩu", "Reset the password")) }
                }
                @if !detail.locks.is_empty() {
                    form #unlock method="post" action={ (base) "/unlock" } {
                        (page.csrf_field())
                        button type="submit" { (page.t("Mở khoá đăng nhập", "Unlock login")) }
                    }
                }
                form #logout-everywhere method="post" action={ (base) "/logout-everywhere" } {
                    (page.csrf_field())
                    button type="submit" { (page.t("Đăng xuất khỏi mọi nơi", "Log out everywhere")) }
                }
            }
            @if !detail.locks.is_empty() {
                ul #locks {
                    @for lock in &detail.locks {
                        li { (page.t("Bị khoá từ địa chỉ ", "Locked from address ")) code { (lock.source) } (page.t(" đến ", " until ")) (page.lang.moment(lock.locked_until)) }
                    }
                }
            }
            h2 { (page.t("Phiên đăng nhập", "Sessions")) }
            @if detail.sessions.is_empty() { p.muted #no-sessions { (page.t("Không có phiên nào đang mở.", "No open session.")) } }
            @else {
                table #sessions {
                    thead { tr { th { (page.t("Bắt đầu", "Started")) } th { (page.t("Lần cuối", "Last seen")) } th { span.visually-hidden { (page.t("Thao tác", "Action")) } } } }
                    tbody {
                        @for session in &detail.sessions {
                            tr {
                                td data-label=(page.t("Bắt đầu", "Started")) { (page.lang.moment(session.created_at)) }
                                td data-label=(page.t("Lần cuối", "Last seen")) { (page.lang.moment(session.last_seen_at)) }
                                td {
                                    form.inline method="post" action={ (base) "/sessions/end" } {
                                        (page.csrf_field())
                                        input type="hidden" name="session" value=(session.id);
                                        button type="submit" { (page.t("Kết thúc", "End")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (page.t("Mã API", "API tokens")) }
            @if detail.tokens.iter().all(|t| t.revoked) { p.muted #no-tokens { (page.t("Không có mã API nào còn hiệu lực.", "No live API token.")) } }
            @else {
                table #tokens {
                    thead { tr { th { (page.t("Tên", "Name")) } th { (page.t("Tạo lúc", "Created")) } th { (page.t("Dùng lần cuối", "Last used")) } th { span.visually-hidden { (page.t("Thao tác", "Action")) } } } }
                    tbody {
                        @for token in detail.tokens.iter().filter(|t| !t.revoked) {
                            tr {
                                td data-label=(page.t("Tên", "Name")) { (token.name) }
                                td data-label=(page.t("Tạo lúc", "Created")) { (page.lang.moment(token.created_at)) }
                                td data-label=(page.t("Dùng lần cuối", "Last used")) { (token.last_used_at.map(|t| page.lang.moment(t)).unwrap_or_else(|| "—".to_owned())) }
                                td {
                                    form.inline method="post" action={ (base) "/tokens/" (token.id) "/revoke" } {
                                        (page.csrf_field())
                                        button type="submit" { (page.t("Thu hồi", "Revoke")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// The user page again with the refusal of `form_id` (422).
async fn refused_on_detail(
    page: &Page,
    state: &AppState,
    username: &str,
    form_id: &str,
    values: Vec<(String, String)>,
    error: dongbo_programs::Error,
) -> Result<Response> {
    let refusal = Refusal::of(form_id, values, error)?;
    let actor = page.actor(state)?;
    let detail = users::detail(&actor, username).await?;
    let shown = page.showing(
        format!("/admin/users/{}", urlencode(username)),
        String::new(),
    );
    Ok(Refusal::answer(
        detail_markup(&shown, state, &detail, "", Some(&refusal)).await?,
    ))
}

fn back(username: &str, done: &str) -> Response {
    Redirect::to(&format!("/admin/users/{}?done={done}", urlencode(username))).into_response()
}

#[derive(Debug, Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    agency: String,
}

/// `POST /admin/users/{username}/grant`.
pub async fn grant(
    page: Page,
    State(state): State<AppState>,
    Path(username): Path<String>,
    Form(form): Form<GrantForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    match users::grant(&actor, &username, &form.role, &form.agency).await {
        Ok(_) => Ok(back(&username, "granted")),
        Err(error) => {
            let values = vec![
                ("role".to_owned(), form.role),
                ("agency".to_owned(), form.agency),
            ];
            refused_on_detail(&page, &state, &username, "grant", values, error).await
        }
    }
}

/// `POST /admin/users/{username}/revoke`.
pub async fn revoke(
    page: Page,
    State(state): State<AppState>,
    Path(username): Path<String>,
    Form(form): Form<GrantForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    match users::revoke(&actor, &username, &form.role, &form.agency).await {
        Ok(_) => Ok(back(&username, "revoked")),
        Err(error) => refused_on_detail(&page, &state, &username, "grant", Vec::new(), error).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct DisabledForm {
    disabled: bool,
}

/// `POST /admin/users/{username}/disabled` (`disabled=true|false`).
pub async fn set_disabled(
    page: Page,
    State(state): State<AppState>,
    Path(username): Path<String>,
    Form(form): Form<DisabledForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    match users::set_disabled(&actor, &username, form.disabled).await {
        Ok(_) => Ok(back(
            &username,
            if form.disabled { "disabled" } else { "enabled" },
        )),
        Err(error) => {
            refused_on_detail(&page, &state, &username, "disable", Vec::new(), error).await
        }
    }
}

/// `POST /admin/users/{username}/password`: a new generated password, shown once.
pub async fn reset_password(
    page: Page,
    State(state): State<AppState>,
    Path(username): Path<String>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    match users::reset_password(&actor, &username).await {
        Ok(password) => {
            let detail = users::detail(&actor, &username).await?;
            let created = Created {
                user: detail.row.user,
                password,
                email: detail.row.email,
                grants: detail.row.grants,
            };
            Ok(created_markup(&page, &state, &[created])
                .await?
                .into_response())
        }
        Err(error) => {
            refused_on_detail(
                &page,
                &state,
                &username,
                "reset-password",
                Vec::new(),
                error,
            )
            .await
        }
    }
}

/// `POST /admin/users/{username}/unlock`.
pub async fn unlock(
    page: Page,
    State(state): State<AppState>,
    Path(username): Path<String>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    users::unlock(&actor, &username).await?;
    Ok(back(&username, "unlocked"))
}

/// `POST /admin/users/{username}/logout-everywhere`.
pub async fn log_out_everywhere(
    page: Page,
    State(state): State<AppState>,
    Path(username): Path<String>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    users::log_out_everywhere(&actor, &username).await?;
    Ok(back(&username, "everywhere"))
}

#[derive(Debug, Deserialize)]
pub struct SessionForm {
    session: String,
}

/// `POST /admin/users/{username}/sessions/end`.
pub async fn end_session(
    page: Page,
    State(state): State<AppState>,
    Path(username): Path<String>,
    Form(form): Form<SessionForm>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    if users::end_session(&actor, &username, &form.session).await? {
        Ok(back(&username, "session"))
    } else {
        Err(Error::NotFound)
    }
}

/// `POST /admin/users/{username}/tokens/{id}/revoke`.
pub async fn revoke_token(
    page: Page,
    State(state): State<AppState>,
    Path((username, id)): Path<(String, i64)>,
) -> Result<Response> {
    let actor = page.actor(&state)?;
    users::revoke_token(&actor, &username, id).await?;
    Ok(back(&username, "token"))
}
