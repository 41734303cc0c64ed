//! Users and roles as administrators manage them in the browser and through the API: list and
//! search, create (a generated first password shown once), disable and enable, reset a
//! password, grant and revoke roles, see and end sessions and API tokens, lift login locks,
//! and create a whole sheet of focal points at once.
//!
//! # Delegated administration
//!
//! An administrator is whoever holds [`Role::Admin`] on some agency: on the Government (`CP`),
//! over everyone; on a ministry or a province, over its subtree only. Such an administrator
//!
//! - sees and manages a user only when **every** grant the user holds lies inside the
//!   subtrees it administers (a user who also reports for another ministry is that ministry's
//!   business too, so only an administrator over both may change them). A user with no grant
//!   at all is managed from the Government only;
//! - gives a role on an agency only inside its subtree and only a role whose every permission
//!   it holds there itself: it can never grant more than it holds;
//! - does not disable itself, reset its own password here, or take its own roles away (the
//!   account page changes one's own password; another administrator does the rest), so no one
//!   locks themselves out by a click.
//!
//! A user outside the caller's reach is not found (as an unknown username is), so usernames
//! tell nothing of other ministries' staff. Every change is audited by the store in its
//! transaction.

use chrono::{DateTime, NaiveDate, Utc};
use dongbo_domain::Directory;
use dongbo_domain::access::{Action, Grant, PasswordPolicy, ROOT_AGENCY, Role};
use dongbo_domain::text;
use dongbo_store::accounts::admin::{self as store_admin, NewAccount};
use dongbo_store::accounts::{self, AccountError};
use serde::Serialize;

pub use dongbo_store::accounts::admin::SessionInfo;
pub use dongbo_store::accounts::{ApiTokenInfo, User};
pub use dongbo_store::login_attempts::LoginLock;

use crate::{Actor, Caller, Error, FieldError, Result};

pub mod sheet;

/// The most users one sheet of focal points may create.
pub const MAX_SHEET_ROWS: usize = 1000;
/// The largest sheet accepted (a thousand rows of four short cells is far less).
pub const MAX_SHEET_BYTES: usize = 5 * 1024 * 1024;

/// A user as the list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRow {
    pub user: User,
    pub grants: Vec<Grant>,
    pub email: Option<String>,
    /// The latest end of a login lock in force (from some address), if any.
    pub locked_until: Option<DateTime<Utc>>,
}

/// One user with everything an administrator acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserDetail {
    #[serde(flatten)]
    pub row: UserRow,
    pub sessions: Vec<SessionInfo>,
    pub tokens: Vec<ApiTokenInfo>,
    pub locks: Vec<LockInfo>,
}

/// A login lock on the account from one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockInfo {
    pub source: String,
    pub locked_until: DateTime<Utc>,
}

/// A user just created, with the first password to hand over once (it is not stored, only
/// its hash; the user must change it at first login).
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    pub user: User,
    pub password: String,
    pub email: Option<String>,
    pub grants: Vec<Grant>,
}

/// What an administrator fills in to create one user.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewUserInput {
    /// 1 to 64 letters, digits and `. _ - @`; the e-mail address works well.
    pub username: String,
    /// The person's full name, as Vietnamese writes it.
    pub display_name: String,
    /// Where their agencies' reminders are e-mailed; optional.
    #[serde(default)]
    pub email: Option<String>,
    /// A first role; both or neither.
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub agency: Option<String>,
}

/// Whether the caller administers anyone at all (holds the admin role somewhere).
pub fn is_administrator(caller: &Caller) -> bool {
    caller
        .grants
        .iter()
        .any(|g| g.role.permits(Action::ManageUsers))
}

/// The agencies of `directory` that exist on `today` inside the caller's administration, in
/// directory order: where it may give roles.
pub fn administered_agencies<'d>(
    caller: &Caller,
    directory: &'d Directory,
    today: NaiveDate,
) -> Vec<&'d dongbo_domain::directory::Agency> {
    directory
        .valid_on(today)
        .filter(|a| caller.can(Action::ManageUsers, &a.code, directory))
        .collect()
}

/// Whether the caller manages a user holding `grants` (see the module documentation).
fn manages(caller: &Caller, grants: &[Grant], directory: &Directory) -> bool {
    if grants.is_empty() {
        caller.can(Action::ManageUsers, ROOT_AGENCY, directory)
    } else {
        grants
            .iter()
            .all(|g| caller.can(Action::ManageUsers, &g.agency_code, directory))
    }
}

/// Whether the caller may give `grant`: inside its administration, and a role whose every
/// permission it holds itself on that agency.
fn may_give(caller: &Caller, grant: &Grant, directory: &Directory) -> bool {
    caller.can(Action::ManageUsers, &grant.agency_code, directory)
        && Action::ALL
            .iter()
            .filter(|action| grant.role.permits(**action))
            .all(|action| caller.can(*action, &grant.agency_code, directory))
}

fn require_administrator(actor: &Actor<'_>) -> Result<()> {
    if is_administrator(actor.caller) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// The users the caller manages whose username, name, e-mail or agency matches `query`
/// (diacritics and case ignored; empty: all), by username.
pub async fn list(actor: &Actor<'_>, query: &str) -> Result<Vec<UserRow>> {
    require_administrator(actor)?;
    let directory = actor.programs.directory_with_units().await?;
    let db = &actor.programs.db;
    let users = accounts::list_users(db).await?;
    let emails = dongbo_store::notifications::all_email_addresses(db).await?;
    let locks = dongbo_store::login_attempts::locks(db, actor.clock.now()).await?;
    let needle = text::fold(query.trim());
    Ok(users
        .into_iter()
        .filter(|u| manages(actor.caller, &u.grants, &directory))
        .map(|u| {
            let locked_until = locks
                .iter()
                .filter(|l| l.username == u.user.username)
                .map(|l| l.locked_until)
                .max();
            UserRow {
                email: emails.get(&u.user.id).cloned(),
                user: u.user,
                grants: u.grants,
                locked_until,
            }
        })
        .filter(|row| needle.is_empty() || matches_query(row, &needle, &directory))
        .collect())
}

fn matches_query(row: &UserRow, needle: &str, directory: &Directory) -> bool {
    let agency_names = row.grants.iter().flat_map(|g| {
        let names: Vec<&str> = directory
            .agency(&g.agency_code)
            .map(|a| a.names().collect())
            .unwrap_or_default();
        names.into_iter().chain([g.agency_code.as_str()])
    });
    [row.user.username.as_str(), row.user.display_name.as_str()]
        .into_iter()
        .chain(row.email.as_deref())
        .chain(agency_names)
        .any(|field| text::fold(field).contains(needle))
}

/// The user `username` with their sessions, tokens and locks; not found when unknown or
/// outside the caller's administration.
pub async fn detail(actor: &Actor<'_>, username: &str) -> Result<UserDetail> {
    let (row, _) = managed(actor, username).await?;
    let db = &actor.programs.db;
    let now = actor.clock.now();
    let sessions = store_admin::sessions_of(db, &row.user.username, now).await?;
    let tokens = accounts::api_tokens_of(db, &row.user.username).await?;
    let locks = dongbo_store::login_attempts::locks(db, now)
        .await?
        .into_iter()
        .filter(|l| l.username == row.user.username)
        .map(|l| LockInfo {
            source: l.source,
            locked_until: l.locked_until,
        })
        .collect();
    Ok(UserDetail {
        row,
        sessions,
        tokens,
        locks,
    })
}

/// The user `username` when the caller manages them, with the directory it was judged by.
async fn managed(
    actor: &Actor<'_>,
    username: &str,
) -> Result<(UserRow, std::sync::Arc<Directory>)> {
    require_administrator(actor)?;
    let directory = actor.programs.directory_with_units().await?;
    let Ok(username) = accounts::normalize_username(username) else {
        return Err(Error::NotFound);
    };
    let db = &actor.programs.db;
    let Some(user) = accounts::get_user(db, &username).await? else {
        return Err(Error::NotFound);
    };
    let grants = accounts::grants_of(db, user.id).await?;
    if !manages(actor.caller, &grants, &directory) {
        return Err(Error::NotFound);
    }
    let email = dongbo_store::notifications::email_setting(db, user.id)
        .await?
        .map(|s| s.email);
    let locked_until = dongbo_store::login_attempts::locks(db, actor.clock.now())
        .await?
        .into_iter()
        .filter(|l| l.username == user.username)
        .map(|l| l.locked_until)
        .max();
    Ok((
        UserRow {
            user,
            grants,
            email,
            locked_until,
        },
        directory,
    ))
}

/// Refuses an act on the caller's own account that would lock them out.
fn not_self(actor: &Actor<'_>, row: &UserRow) -> Result<()> {
    if row.user.id == actor.caller.user.id {
        Err(Error::Refused(
            actor
                .t(
                    "Không tự thực hiện thao tác này trên tài khoản của chính mình; \
                     nhờ một quản trị viên khác.",
                    "You cannot do this to your own account; ask another administrator.",
                )
                .to_owned(),
        ))
    } else {
        Ok(())
    }
}

/// `role` and `agency` read into a grant the caller may give, or the fields' errors.
fn parse_grant(
    actor: &Actor<'_>,
    role: &str,
    agency: &str,
    directory: &Directory,
    errors: &mut Vec<FieldError>,
) -> Option<Grant> {
    let role_found = find_role(role);
    if role_found.is_none() {
        errors.push(FieldError {
            field: "role".to_owned(),
            message: format!(
                "{} «{}» ({})",
                actor.t("Không có vai trò", "No role"),
                role.trim(),
                role_choices(actor)
            ),
        });
    }
    let agency_found = find_agency(agency, directory, actor.today());
    if agency_found.is_none() {
        errors.push(FieldError {
            field: "agency".to_owned(),
            message: format!(
                "{} «{}»",
                actor.t("Danh bạ không có cơ quan", "The directory has no agency"),
                agency.trim()
            ),
        });
    }
    let grant = Grant {
        role: role_found?,
        agency_code: agency_found?,
    };
    if may_give(actor.caller, &grant, directory) {
        Some(grant)
    } else {
        errors.push(FieldError {
            field: "agency".to_owned(),
            message: format!(
                "{} {} {} {}",
                actor.t("Bạn không được giao vai trò", "You may not give the role"),
                role_label(actor, grant.role),
                actor.t("tại", "on"),
                grant.agency_code
            ) + actor.t(
                ": chỉ giao trong phạm vi mình quản trị.",
                ": only inside what you administer.",
            ),
        });
        None
    }
}

fn role_label(actor: &Actor<'_>, role: Role) -> &'static str {
    actor.lang.pick(role.label_vi(), role.label_en())
}

fn role_choices(actor: &Actor<'_>) -> String {
    Role::ALL
        .iter()
        .map(|r| format!("{} = {}", r.as_str(), role_label(actor, *r)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A role by its code ("reporter") or its Vietnamese or English label, diacritics ignored.
pub fn find_role(text: &str) -> Option<Role> {
    let folded = text::fold(text.trim());
    Role::ALL.into_iter().find(|role| {
        [role.as_str(), role.label_vi(), role.label_en()]
            .iter()
            .any(|name| text::fold(name) == folded)
    })
}

/// An agency by its code (any case) or one of its names, diacritics ignored; a name that an
/// ended agency and its successor share (Bảo hiểm xã hội Việt Nam, under the Government until
/// 2025, under the Ministry of Finance since) is the agency that exists on `today`.
pub fn find_agency(text: &str, directory: &Directory, today: NaiveDate) -> Option<String> {
    let trimmed = text::nfc(text.trim());
    if trimmed.is_empty() {
        return None;
    }
    if let Some(agency) = directory
        .agencies
        .iter()
        .find(|a| a.code.eq_ignore_ascii_case(&trimmed))
    {
        return Some(agency.code.clone());
    }
    let folded = text::fold(&trimmed);
    let named = |a: &&dongbo_domain::directory::Agency| a.names().any(|n| text::fold(n) == folded);
    directory
        .valid_on(today)
        .find(named)
        .or_else(|| directory.agencies.iter().find(named))
        .map(|a| a.code.clone())
}

/// An account error as the user's language says it, on its field.
fn account_error(actor: &Actor<'_>, error: AccountError) -> Error {
    let field = |field: &str, vi: String, en: String| {
        Error::field(field, actor.lang.pick(&vi, &en).to_owned())
    };
    match error {
        AccountError::InvalidUsername(name) => field(
            "username",
            format!(
                "Tên đăng nhập «{name}» không hợp lệ: 1 đến 64 chữ cái, chữ số và . _ - @ \
                 (không có dấu cách)."
            ),
            format!(
                "Invalid username «{name}»: use 1 to 64 letters, digits and . _ - @ (no spaces)."
            ),
        ),
        AccountError::UsernameTaken(name) => field(
            "username",
            format!("Tên đăng nhập «{name}» đã có người dùng."),
            format!("The username «{name}» is taken."),
        ),
        AccountError::UnknownAgency(code) => field(
            "agency",
            format!("Danh bạ không có cơ quan «{code}»."),
            format!("The directory has no agency «{code}»."),
        ),
        AccountError::WeakPassword(violations) => field(
            "password",
            violations
                .iter()
                .map(|v| v.message_vi())
                .collect::<Vec<_>>()
                .join(" "),
            violations
                .iter()
                .map(|v| v.message_en())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        AccountError::Store(dongbo_store::StoreError::Invalid(why)) => Error::field("email", why),
        other => Error::from(other),
    }
}

/// Creates a user with a generated first password (which they must change at first login),
/// their e-mail address and a first role, all or nothing.
pub async fn create(actor: &Actor<'_>, input: &NewUserInput) -> Result<Created> {
    require_administrator(actor)?;
    let directory = actor.programs.directory_with_units().await?;
    let mut errors = Vec::new();
    let account = account_from(actor, input, &directory, &mut errors)?;
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let mut created = create_all(actor, vec![account])
        .await
        .map_err(|(_, e)| account_error(actor, e))?;
    Ok(created.remove(0))
}

/// The account `input` asks for, with a generated password; its errors pushed on `errors`.
fn account_from(
    actor: &Actor<'_>,
    input: &NewUserInput,
    directory: &Directory,
    errors: &mut Vec<FieldError>,
) -> Result<NewAccount> {
    let username = match accounts::normalize_username(&input.username) {
        Ok(username) => username,
        Err(e) => {
            if let Error::Invalid(mut field) = account_error(actor, e) {
                errors.append(&mut field);
            }
            String::new()
        }
    };
    let display_name = text::nfc(input.display_name.trim());
    if display_name.is_empty() {
        errors.push(FieldError {
            field: "display_name".to_owned(),
            message: actor
                .t("Cần họ và tên.", "The full name is required.")
                .to_owned(),
        });
    }
    let email = input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| {
            dongbo_store::notifications::normalize_email(e).map_err(|_| FieldError {
                field: "email".to_owned(),
                message: format!(
                    "«{e}» {}",
                    actor.t(
                        "không phải địa chỉ thư điện tử.",
                        "is not an e-mail address."
                    )
                ),
            })
        })
        .transpose()
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
    let role = input.role.as_deref().unwrap_or("").trim();
    let agency = input.agency.as_deref().unwrap_or("").trim();
    let grants = match (role.is_empty(), agency.is_empty()) {
        (true, true) => Vec::new(),
        _ => parse_grant(actor, role, agency, directory, errors)
            .into_iter()
            .collect(),
    };
    if grants.is_empty()
        && !actor
            .caller
            .can(Action::ManageUsers, ROOT_AGENCY, directory)
    {
        // Without a grant the new user would be outside the caller's reach at once.
        if role.is_empty() && agency.is_empty() {
            errors.push(FieldError {
                field: "agency".to_owned(),
                message: actor
                    .t(
                        "Cần một vai trò tại một cơ quan bạn quản trị.",
                        "A role on an agency you administer is required.",
                    )
                    .to_owned(),
            });
        }
    }
    Ok(NewAccount {
        username,
        display_name,
        password: accounts::generate_password().map_err(Error::from)?,
        must_change_password: true,
        email,
        grants,
    })
}

async fn create_all(
    actor: &Actor<'_>,
    accounts: Vec<NewAccount>,
) -> std::result::Result<Vec<Created>, (usize, AccountError)> {
    let users = store_admin::create_accounts(
        &actor.programs.db,
        actor.username(),
        &accounts,
        &PasswordPolicy::default(),
    )
    .await
    .map_err(|e| (e.index, e.error))?;
    Ok(users
        .into_iter()
        .zip(accounts)
        .map(|(user, account)| Created {
            user,
            password: account.password,
            email: account.email,
            grants: account.grants,
        })
        .collect())
}

/// Disables (`true`) or enables a user; disabling ends their sessions. Whether it changed.
pub async fn set_disabled(actor: &Actor<'_>, username: &str, disabled: bool) -> Result<bool> {
    let (row, _) = managed(actor, username).await?;
    not_self(actor, &row)?;
    accounts::set_disabled(
        &actor.programs.db,
        actor.username(),
        &row.user.username,
        disabled,
    )
    .await
    .map_err(|e| account_error(actor, e))
}

/// A new generated password for the user, which they must change at next login; their
/// sessions end, their API tokens are revoked and their locks lifted. The password is
/// returned to be handed over once.
pub async fn reset_password(actor: &Actor<'_>, username: &str) -> Result<String> {
    let (row, _) = managed(actor, username).await?;
    not_self(actor, &row)?;
    let password = accounts::generate_password()?;
    accounts::set_password(
        &actor.programs.db,
        actor.username(),
        &row.user.username,
        &password,
        true,
        &PasswordPolicy::default(),
    )
    .await
    .map_err(|e| account_error(actor, e))?;
    Ok(password)
}

/// Gives the user `role` on `agency` (a code or a name). Whether it was new.
pub async fn grant(actor: &Actor<'_>, username: &str, role: &str, agency: &str) -> Result<bool> {
    let (row, directory) = managed(actor, username).await?;
    let mut errors = Vec::new();
    let Some(grant) = parse_grant(actor, role, agency, &directory, &mut errors) else {
        return Err(Error::Invalid(errors));
    };
    accounts::grant(
        &actor.programs.db,
        actor.username(),
        &row.user.username,
        &grant,
    )
    .await
    .map_err(|e| account_error(actor, e))
}

/// Takes `role` on `agency` from the user. Whether they had it.
pub async fn revoke(actor: &Actor<'_>, username: &str, role: &str, agency: &str) -> Result<bool> {
    let (row, directory) = managed(actor, username).await?;
    not_self(actor, &row)?;
    let mut errors = Vec::new();
    let Some(grant) = parse_grant(actor, role, agency, &directory, &mut errors) else {
        return Err(Error::Invalid(errors));
    };
    accounts::revoke(
        &actor.programs.db,
        actor.username(),
        &row.user.username,
        &grant,
    )
    .await
    .map_err(|e| account_error(actor, e))
}

/// Ends one session of the user. Whether there was such a session.
pub async fn end_session(actor: &Actor<'_>, username: &str, session_id: &str) -> Result<bool> {
    let (row, _) = managed(actor, username).await?;
    Ok(store_admin::end_session(
        &actor.programs.db,
        actor.username(),
        &row.user.username,
        session_id,
    )
    .await?)
}

/// Ends every session of the user and revokes every API token; how many tokens.
pub async fn log_out_everywhere(actor: &Actor<'_>, username: &str) -> Result<u64> {
    let (row, _) = managed(actor, username).await?;
    Ok(
        accounts::log_out_everywhere(&actor.programs.db, actor.username(), &row.user.username)
            .await?,
    )
}

/// Revokes the user's API token `token_id`; not found when it is not theirs.
pub async fn revoke_token(actor: &Actor<'_>, username: &str, token_id: i64) -> Result<bool> {
    let (row, _) = managed(actor, username).await?;
    let db = &actor.programs.db;
    let tokens = accounts::api_tokens_of(db, &row.user.username).await?;
    if !tokens.iter().any(|t| t.id == token_id) {
        return Err(Error::NotFound);
    }
    Ok(accounts::revoke_api_token(db, actor.username(), token_id).await?)
}

/// Lifts the login locks on the user's account; how many addresses were cleared.
pub async fn unlock(actor: &Actor<'_>, username: &str) -> Result<u64> {
    let (row, _) = managed(actor, username).await?;
    Ok(store_admin::unlock(&actor.programs.db, actor.username(), &row.user.username).await?)
}
