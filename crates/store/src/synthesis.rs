//! Báo cáo tổng hợp — generated synthesis reports, kept as immutable versions, and the
//! templates of their wording.
//!
//! A **series** is one program's report at one level (the national report of the coordinating
//! ministry, or one agency's report on its own work), by one issuing agency, for one period.
//! Each generation appends a **version** to its series: the data the report was built from
//! (`input`, JSON, including the wording template it used) and the SHA-256 of the DOCX, XLSX
//! and PDF it produced. The files themselves are kept by content with the evidence files
//! ([`crate::evidence::EvidenceStore`]), so a version names files that cannot change. Nothing
//! here is ever updated: a corrected report is a new version.
//!
//! **Templates** hold the wording an administrator may change without a rebuild. A template
//! without a stored row is the one shipped with the program; saving one stores the new text,
//! and both acts are audited.
//!
//! [`accepted_for_period`] reads what a synthesis is built from: the content of every accepted
//! report of a program that covers a period.

use chrono::NaiveDate;
use dongbo_domain::clock;
use dongbo_domain::dashboard::report_covers;
use dongbo_domain::regime::RegimePeriod;
use dongbo_domain::{DeadlineRule, Period, PeriodKind, Role};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

use crate::codec::{col, enum_from_text, now};
use crate::reports::ReportPeriod;
use crate::{Context, Db, Result, StoreError};

/// Whose report a synthesis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Báo cáo chung — the coordinating ministry's report on the whole program.
    National,
    /// Báo cáo của cơ quan — one agency's report on its own assignments.
    Agency,
}

impl Level {
    pub const ALL: [Level; 2] = [Level::National, Level::Agency];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::National => "national",
            Level::Agency => "agency",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == text)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Level::National => "Báo cáo tổng hợp chung",
            Level::Agency => "Báo cáo của cơ quan",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Level::National => "national synthesis report",
            Level::Agency => "agency report",
        }
    }
}

/// The SHA-256 of the files one version produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Files {
    pub docx_sha256: String,
    pub xlsx_sha256: String,
    pub pdf_sha256: String,
}

/// A version to record.
#[derive(Debug, Clone)]
pub struct NewVersion<'a> {
    pub program_id: i64,
    pub level: Level,
    pub issuer_code: &'a str,
    /// The period's code ("2026-Y", or a phase's code).
    pub period: &'a str,
    /// The number and symbol as printed ("12/BC-BVHTTDL").
    pub number: &'a str,
    pub title: &'a str,
    /// The data the report was built from, as JSON.
    pub input: &'a str,
    pub files: Files,
    pub created_by: &'a str,
}

/// A recorded version, without its input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// The series' id.
    pub report_id: i64,
    pub version: i64,
    pub program_id: i64,
    pub level: Level,
    pub issuer_code: String,
    pub period: String,
    pub number: String,
    pub title: String,
    pub input_sha256: String,
    pub files: Files,
    pub created_by: String,
    pub created_at: String,
}

/// Records a new version of the series `new` belongs to (creating the series on its first
/// version), audited in the same transaction. The files must already be stored.
pub async fn record(db: &Db, new: &NewVersion<'_>) -> Result<Version> {
    let doing = format!(
        "recording a {} of program {} for {}",
        new.level.label_en(),
        new.program_id,
        new.period
    );
    let mut tx = db.begin_write(&doing).await?;
    sqlx::query(
        "INSERT INTO synthesis_reports (program_id, level, issuer_code, period) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (program_id, level, issuer_code, period) DO NOTHING",
    )
    .bind(new.program_id)
    .bind(new.level.as_str())
    .bind(new.issuer_code)
    .bind(new.period)
    .execute(&mut *tx)
    .await
    .context(|| doing.clone())?;
    let series = sqlx::query(
        "SELECT s.id, (SELECT COALESCE(MAX(v.version), 0) FROM synthesis_versions v \
                       WHERE v.report_id = s.id) AS latest \
         FROM synthesis_reports s \
         WHERE s.program_id = $1 AND s.level = $2 AND s.issuer_code = $3 AND s.period = $4",
    )
    .bind(new.program_id)
    .bind(new.level.as_str())
    .bind(new.issuer_code)
    .bind(new.period)
    .fetch_one(&mut *tx)
    .await
    .context(|| doing.clone())?;
    let report_id: i64 = col(&series, "id", &doing)?;
    let latest: i64 = col(&series, "latest", &doing)?;
    let version = latest + 1;
    let input_sha256 = crate::evidence::sha256_hex(new.input.as_bytes());
    let created_at = now();
    sqlx::query(
        "INSERT INTO synthesis_versions (report_id, version, number, title, input, input_sha256, \
           docx_sha256, xlsx_sha256, pdf_sha256, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(report_id)
    .bind(version)
    .bind(new.number)
    .bind(new.title)
    .bind(new.input)
    .bind(&input_sha256)
    .bind(&new.files.docx_sha256)
    .bind(&new.files.xlsx_sha256)
    .bind(&new.files.pdf_sha256)
    .bind(new.created_by)
    .bind(&created_at)
    .execute(&mut *tx)
    .await
    .context(|| doing.clone())?;
    crate::audit::append(
        &mut tx,
        clock::now(),
        &crate::audit::AuditEntry {
            actor: new.created_by.to_owned(),
            action: "synthesis.generate".to_owned(),
            entity: "synthesis_report".to_owned(),
            entity_id: format!("{report_id}/{version}"),
            before: None,
            after: Some(serde_json::json!({
                "program_id": new.program_id,
                "level": new.level.as_str(),
                "issuer": new.issuer_code,
                "period": new.period,
                "number": new.number,
                "input_sha256": input_sha256,
                "files": new.files,
            })),
        },
    )
    .await?;
    tx.commit().await.context(|| doing.clone())?;
    tracing::info!(
        synthesis.id = report_id,
        synthesis.version = version,
        program.id = new.program_id,
        period = new.period,
        "synthesis report generated"
    );
    Ok(Version {
        report_id,
        version,
        program_id: new.program_id,
        level: new.level,
        issuer_code: new.issuer_code.to_owned(),
        period: new.period.to_owned(),
        number: new.number.to_owned(),
        title: new.title.to_owned(),
        input_sha256,
        files: new.files.clone(),
        created_by: new.created_by.to_owned(),
        created_at,
    })
}

/// The columns [`version_from`] reads; a constant, so the queries built with it are fixed text.
const VERSION_COLUMNS: &str = "s.id, v.version, s.program_id, s.level, s.issuer_code, s.period, \
     v.number, v.title, v.input_sha256, v.docx_sha256, v.xlsx_sha256, v.pdf_sha256, \
     v.created_by, v.created_at";

/// Every version of a program's synthesis reports, newest first.
pub async fn list(db: &Db, program_id: i64) -> Result<Vec<Version>> {
    let doing = format!("listing the synthesis reports of program {program_id}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {VERSION_COLUMNS} FROM synthesis_versions v \
         JOIN synthesis_reports s ON s.id = v.report_id \
         WHERE s.program_id = $1 ORDER BY v.created_at DESC, s.id DESC, v.version DESC"
    )))
    .bind(program_id)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter().map(|row| version_from(row, &doing)).collect()
}

/// One version and the data it was built from.
pub async fn get(db: &Db, report_id: i64, version: i64) -> Result<Option<(Version, String)>> {
    let doing = format!("reading version {version} of synthesis report {report_id}");
    let mut tx = db.read(&doing).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {VERSION_COLUMNS}, v.input FROM synthesis_versions v \
         JOIN synthesis_reports s ON s.id = v.report_id \
         WHERE v.report_id = $1 AND v.version = $2"
    )))
    .bind(report_id)
    .bind(version)
    .fetch_optional(&mut *tx)
    .await
    .context(|| doing.clone())?;
    row.map(|row| {
        let input: String = col(&row, "input", &doing)?;
        let found = version_from(&row, &doing)?;
        if crate::evidence::sha256_hex(input.as_bytes()) != found.input_sha256 {
            return Err(StoreError::Corrupt {
                context: doing.clone(),
                message: "the stored input does not match its SHA-256".to_owned(),
            });
        }
        Ok((found, input))
    })
    .transpose()
}

fn version_from(row: &AnyRow, doing: &str) -> Result<Version> {
    let level: String = col(row, "level", doing)?;
    Ok(Version {
        report_id: col(row, "id", doing)?,
        version: col(row, "version", doing)?,
        program_id: col(row, "program_id", doing)?,
        level: enum_from_text(&level, doing)?,
        issuer_code: col(row, "issuer_code", doing)?,
        period: col(row, "period", doing)?,
        number: col(row, "number", doing)?,
        title: col(row, "title", doing)?,
        input_sha256: col(row, "input_sha256", doing)?,
        files: Files {
            docx_sha256: col(row, "docx_sha256", doing)?,
            xlsx_sha256: col(row, "xlsx_sha256", doing)?,
            pdf_sha256: col(row, "pdf_sha256", doing)?,
        },
        created_by: col(row, "created_by", doing)?,
        created_at: col(row, "created_at", doing)?,
    })
}

/// Whether `sha256` is a file of some synthesis version of a program (what lets a reader of
/// that program download it).
pub async fn program_of_file(db: &Db, sha256: &str) -> Result<Option<i64>> {
    let doing = format!("finding the synthesis report of file {sha256}");
    let mut tx = db.read(&doing).await?;
    let row = sqlx::query(
        "SELECT s.program_id FROM synthesis_versions v \
         JOIN synthesis_reports s ON s.id = v.report_id \
         WHERE v.docx_sha256 = $1 OR v.xlsx_sha256 = $1 OR v.pdf_sha256 = $1 LIMIT 1",
    )
    .bind(sha256)
    .fetch_optional(&mut *tx)
    .await
    .context(|| doing.clone())?;
    row.map(|row| col(&row, "program_id", &doing)).transpose()
}

// ---------------------------------------------------------------------------------------------
// Templates

/// A template's text as an administrator saved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredTemplate {
    pub name: String,
    pub body: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// The saved text of template `name`, or `None` when the shipped one applies.
pub async fn template(db: &Db, name: &str) -> Result<Option<StoredTemplate>> {
    let doing = format!("reading template {name}");
    let mut tx = db.read(&doing).await?;
    let row = sqlx::query(
        "SELECT name, body, updated_by, updated_at FROM document_templates WHERE name = $1",
    )
    .bind(name)
    .fetch_optional(&mut *tx)
    .await
    .context(|| doing.clone())?;
    row.map(|row| {
        Ok(StoredTemplate {
            name: col(&row, "name", &doing)?,
            body: col(&row, "body", &doing)?,
            updated_by: col(&row, "updated_by", &doing)?,
            updated_at: col(&row, "updated_at", &doing)?,
        })
    })
    .transpose()
}

/// Saves the text of template `name` (the caller has checked it), or with `body` `None` goes
/// back to the shipped one; audited with the text before and after.
pub async fn save_template(db: &Db, name: &str, body: Option<&str>, actor: &str) -> Result<()> {
    let doing = format!("saving template {name}");
    let mut tx = db.begin_write(&doing).await?;
    let before = sqlx::query("SELECT body FROM document_templates WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut *tx)
        .await
        .context(|| doing.clone())?
        .map(|row| col::<String>(&row, "body", &doing))
        .transpose()?;
    match body {
        Some(body) => {
            sqlx::query(
                "INSERT INTO document_templates (name, body, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE \
                 SET body = excluded.body, updated_by = excluded.updated_by, \
                     updated_at = excluded.updated_at",
            )
            .bind(name)
            .bind(dongbo_domain::text::nfc(body))
            .bind(actor)
            .bind(now())
            .execute(&mut *tx)
            .await
            .context(|| doing.clone())?;
        }
        None => {
            sqlx::query("DELETE FROM document_templates WHERE name = $1")
                .bind(name)
                .execute(&mut *tx)
                .await
                .context(|| doing.clone())?;
        }
    }
    crate::audit::append(
        &mut tx,
        clock::now(),
        &crate::audit::AuditEntry {
            actor: actor.to_owned(),
            action: if body.is_some() {
                "template.save"
            } else {
                "template.reset"
            }
            .to_owned(),
            entity: "template".to_owned(),
            entity_id: name.to_owned(),
            before: before.map(serde_json::Value::String),
            after: body.map(|b| serde_json::Value::String(dongbo_domain::text::nfc(b))),
        },
    )
    .await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// What a synthesis is built from

/// The content of one accepted report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedContent {
    pub assignment_id: i64,
    pub agency_code: String,
    pub role: Role,
    pub task_code: String,
    pub period: ReportPeriod,
    pub submitted_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub progress: u8,
    pub results: String,
    pub difficulties: String,
    pub recommendations: String,
    /// The library items the report cites as evidence, in its order.
    pub library_items: Vec<i64>,
}

/// The accepted reports of program `program_id` that cover `period`, whose deadline follows
/// `rule` (a report for the period — for a phase, its last year's annual report — or a one-off
/// report sent within it or by its deadline, as [`dongbo_domain::dashboard::report_covers`]
/// says), with the content of their current version, by task and agency. One query.
pub async fn accepted_for_period(
    db: &Db,
    program_id: i64,
    period: &RegimePeriod,
    rule: &DeadlineRule,
) -> Result<Vec<AcceptedContent>> {
    let doing = format!(
        "reading the accepted reports of program {program_id} for {}",
        period.code()
    );
    // The one Decree 09 period whose reports may cover it.
    let covering: Option<Period> = match period {
        RegimePeriod::Decree09(p) => Some(*p),
        RegimePeriod::Phase(phase) => Period::containing(PeriodKind::Annual, phase.end()),
    };
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT r.assignment_id, a.agency_code, a.role, t.code, t.position, r.period, \
                r.submitted_at, r.accepted_at, v.progress, v.results, v.difficulties, \
                v.recommendations \
         FROM progress_reports r \
         JOIN report_versions v ON v.report_id = r.id AND v.version = r.current_version \
         JOIN assignments a ON a.id = r.assignment_id \
         JOIN tasks t ON t.id = a.task_id \
         WHERE a.program_id = $1 AND r.status = 'accepted' \
           AND (r.period = $2 OR r.period = 'once') \
         ORDER BY t.position, a.role, a.agency_code",
    )
    .bind(program_id)
    .bind(covering.map(Period::code).unwrap_or_default())
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    let mut accepted = Vec::with_capacity(rows.len());
    for row in &rows {
        let role: String = col(row, "role", &doing)?;
        let report_period: String = col(row, "period", &doing)?;
        let report_period: ReportPeriod =
            report_period.parse().map_err(|e| StoreError::Corrupt {
                context: doing.clone(),
                message: format!("bad period «{report_period}»: {e}"),
            })?;
        let submitted: Option<String> = col(row, "submitted_at", &doing)?;
        let submitted_on = submitted
            .map(|t| crate::reports::vietnam_day(&t, &doing))
            .transpose()?;
        let report_period_of = match report_period {
            ReportPeriod::Period(p) => Some(p),
            ReportPeriod::Once => None,
        };
        let within = report_covers(period, rule, report_period_of, submitted_on);
        if !within {
            continue;
        }
        let accepted_at: Option<String> = col(row, "accepted_at", &doing)?;
        let progress: i64 = col(row, "progress", &doing)?;
        accepted.push(AcceptedContent {
            assignment_id: col(row, "assignment_id", &doing)?,
            agency_code: col(row, "agency_code", &doing)?,
            role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt {
                context: doing.clone(),
                message: format!("unknown role «{role}»"),
            })?,
            task_code: col(row, "code", &doing)?,
            period: report_period,
            submitted_on,
            accepted_on: accepted_at
                .map(|t| crate::reports::vietnam_day(&t, &doing))
                .transpose()?,
            progress: u8::try_from(progress.clamp(0, 100)).unwrap_or(100),
            results: col(row, "results", &doing)?,
            difficulties: col(row, "difficulties", &doing)?,
            recommendations: col(row, "recommendations", &doing)?,
            library_items: Vec::new(),
        });
    }
    // The library items they cite, in the same read.
    let cited = sqlx::query(
        "SELECT r.assignment_id, r.period, c.item_id \
         FROM report_library_items c \
         JOIN progress_reports r ON r.id = c.report_id AND r.current_version = c.version \
         JOIN assignments a ON a.id = r.assignment_id \
         WHERE a.program_id = $1 AND r.status = 'accepted' \
           AND (r.period = $2 OR r.period = 'once') \
         ORDER BY r.assignment_id, c.position",
    )
    .bind(program_id)
    .bind(covering.map(Period::code).unwrap_or_default())
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    let by_report: std::collections::HashMap<(i64, String), usize> = accepted
        .iter()
        .enumerate()
        .map(|(index, r)| ((r.assignment_id, r.period.code()), index))
        .collect();
    for row in &cited {
        let assignment_id: i64 = col(row, "assignment_id", &doing)?;
        let period: String = col(row, "period", &doing)?;
        let item_id: i64 = col(row, "item_id", &doing)?;
        if let Some(&index) = by_report.get(&(assignment_id, period)) {
            accepted[index].library_items.push(item_id);
        }
    }
    Ok(accepted)
}
