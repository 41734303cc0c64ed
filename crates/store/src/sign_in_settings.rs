//! How people sign in, as an administrator set it on the page (`/admin/sign-in`): whether the
//! organisation's account is required, and which accounts keep a local password. One row,
//! none until the page is first saved; each change audited as `sign_in.settings`. The server's
//! flags still hold on top of it (`programs::sso` combines them).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, AuditEntry};
use crate::codec::{col, flag, flag_from};
use crate::jobs::timestamp;
use crate::{Context, Db, Result};

/// What the page saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SignInSettings {
    /// Only the accounts of `local_users` keep a local password.
    pub require_sso: bool,
    /// The accounts that keep their local password (normalised usernames, sorted).
    pub local_users: Vec<String>,
}

/// The settings saved on the page, if they ever were.
pub async fn get(db: &Db) -> Result<Option<SignInSettings>> {
    let doing = "reading the sign-in settings";
    let mut tx = db.read(doing).await?;
    let row = sqlx::query("SELECT require_sso, local_users FROM sign_in_settings WHERE id = 1")
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.to_owned())?;
    row.map(|row| {
        let local: String = col(&row, "local_users", doing)?;
        Ok(SignInSettings {
            require_sso: flag_from(col(&row, "require_sso", doing)?, doing)?,
            local_users: local.lines().map(str::to_owned).collect(),
        })
    })
    .transpose()
}

/// Saves `settings` (the usernames already checked and normalised by the caller), audited as
/// `sign_in.settings` by `actor` with the settings before and after.
pub async fn set(
    db: &Db,
    actor: &str,
    settings: &SignInSettings,
    now: DateTime<Utc>,
) -> Result<()> {
    let doing = "saving the sign-in settings";
    let before = get(db).await?;
    let mut local = settings.local_users.clone();
    local.sort();
    local.dedup();
    let mut tx = db.begin_write(doing).await?;
    sqlx::query(
        "INSERT INTO sign_in_settings (id, require_sso, local_users, updated_at, updated_by) \
         VALUES (1, $1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET require_sso = excluded.require_sso, \
         local_users = excluded.local_users, updated_at = excluded.updated_at, \
         updated_by = excluded.updated_by",
    )
    .bind(flag(settings.require_sso))
    .bind(local.join("\n"))
    .bind(timestamp(now))
    .bind(actor)
    .execute(&mut *tx)
    .await
    .context(|| doing.to_owned())?;
    let after = SignInSettings {
        require_sso: settings.require_sso,
        local_users: local,
    };
    audit::append(
        &mut tx,
        now,
        &AuditEntry {
            actor: actor.to_owned(),
            action: "sign_in.settings".to_owned(),
            entity: "sign_in".to_owned(),
            entity_id: "settings".to_owned(),
            before: before.map(|b| json!(b)),
            after: Some(json!(after)),
        },
    )
    .await?;
    tx.commit().await.context(|| doing.to_owned())
}
