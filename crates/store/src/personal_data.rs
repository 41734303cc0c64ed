//! Personal data shown to people, each read logged (issue 21, point 2; principle 8 of the
//! design: minimal data, a legal basis per purpose, every read logged): an agency's focal
//! points — a name and the address its reminders go to — edited and read by its
//! administrators. Each read writes who read whose data, when, for which purpose and under
//! which legal basis, in the transaction that reads it; each change is audited.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, AuditEntry};
use crate::codec::col;
use crate::jobs::timestamp;
use crate::notifications::normalize_email;
use crate::{Context, Db, Result, StoreError};

/// A person an agency's reminders go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FocalPoint {
    /// Empty when only the address is known.
    pub name: String,
    pub email: String,
}

/// Why a read happens, as logged with it.
#[derive(Debug, Clone, Copy)]
pub struct ReadReason<'a> {
    /// Who reads (a username).
    pub reader: &'a str,
    /// The purpose's code (`reminders`).
    pub purpose: &'a str,
    /// The legal basis valid on the day, cited: "91/2025/QH15, Điều 19 khoản 1 điểm c".
    pub legal_basis: &'a str,
}

/// The focal points of agency `agency_code`, by address, with the read logged for `reason`.
pub async fn read_focal_points(
    db: &Db,
    agency_code: &str,
    reason: ReadReason<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<FocalPoint>> {
    let doing = format!("reading the focal points of agency {agency_code}");
    let mut tx = db.begin_write(&doing).await?;
    let rows = sqlx::query("SELECT name, email FROM agency_contacts WHERE agency_code = $1")
        .bind(agency_code)
        .fetch_all(&mut *tx)
        .await
        .context(|| doing.clone())?;
    let mut points = rows
        .iter()
        .map(|row| {
            Ok(FocalPoint {
                name: col(row, "name", &doing)?,
                email: col(row, "email", &doing)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    points.sort_by(|a, b| a.email.cmp(&b.email));
    sqlx::query(
        "INSERT INTO personal_data_reads (read_at, reader, purpose, legal_basis, subject) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(timestamp(now))
    .bind(reason.reader)
    .bind(reason.purpose)
    .bind(reason.legal_basis)
    .bind(format!("agency_contacts:{agency_code}"))
    .execute(&mut *tx)
    .await
    .context(|| doing.clone())?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(points)
}

/// Replaces the focal points of agency `agency_code` (addresses checked and made NFC, repeats
/// dropped), audited as `agency.focal_points` by `actor`. A bad address changes nothing.
pub async fn set_focal_points(
    db: &Db,
    actor: &str,
    agency_code: &str,
    points: &[FocalPoint],
    now: DateTime<Utc>,
) -> Result<()> {
    let doing = format!("setting the focal points of agency {agency_code}");
    let mut cleaned: Vec<FocalPoint> = Vec::with_capacity(points.len());
    for point in points {
        let email = normalize_email(&point.email)?;
        if !cleaned.iter().any(|p| p.email == email) {
            cleaned.push(FocalPoint {
                name: dongbo_domain::text::nfc(point.name.trim()),
                email,
            });
        }
    }
    let mut tx = db.begin_write(&doing).await?;
    let before = sqlx::query("SELECT name, email FROM agency_contacts WHERE agency_code = $1")
        .bind(agency_code)
        .fetch_all(&mut *tx)
        .await
        .context(|| doing.clone())?
        .iter()
        .map(|row| Ok(json!({"name": col::<String>(row, "name", &doing)?, "email": col::<String>(row, "email", &doing)?})))
        .collect::<Result<Vec<_>, StoreError>>()?;
    sqlx::query("DELETE FROM agency_contacts WHERE agency_code = $1")
        .bind(agency_code)
        .execute(&mut *tx)
        .await
        .context(|| doing.clone())?;
    for point in &cleaned {
        sqlx::query("INSERT INTO agency_contacts (agency_code, email, name) VALUES ($1, $2, $3)")
            .bind(agency_code)
            .bind(&point.email)
            .bind(&point.name)
            .execute(&mut *tx)
            .await
            .context(|| doing.clone())?;
    }
    audit::append(
        &mut tx,
        now,
        &AuditEntry {
            actor: actor.to_owned(),
            action: "agency.focal_points".to_owned(),
            entity: "agency".to_owned(),
            entity_id: agency_code.to_owned(),
            before: Some(json!(before)),
            after: Some(json!(cleaned)),
        },
    )
    .await?;
    tx.commit().await.context(|| doing.clone())
}

/// One logged read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedRead {
    pub read_at: String,
    pub reader: String,
    pub purpose: String,
    pub legal_basis: String,
    pub subject: String,
}

/// The reads of `subject` ("agency_contacts:BTC"), oldest first.
pub async fn reads_of(db: &Db, subject: &str) -> Result<Vec<LoggedRead>> {
    let doing = format!("reading the log of reads of {subject}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT read_at, reader, purpose, legal_basis, subject FROM personal_data_reads \
         WHERE subject = $1 ORDER BY id",
    )
    .bind(subject)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter()
        .map(|row| {
            Ok(LoggedRead {
                read_at: col(row, "read_at", &doing)?,
                reader: col(row, "reader", &doing)?,
                purpose: col(row, "purpose", &doing)?,
                legal_basis: col(row, "legal_basis", &doing)?,
                subject: col(row, "subject", &doing)?,
            })
        })
        .collect()
}
