//! Chế độ báo cáo — a program's own reporting regimes (laid over the Decree 09 default, see
//! [`dongbo_domain::regime`]), and the report records completeness and timeliness are computed
//! from ([`dongbo_domain::completeness`]).
//!
//! A program without rows here has the default alone. Every change is audited in its
//! transaction (`program.regime_set`, `program.regime_remove`).

use chrono::NaiveDate;
use dongbo_domain::clock;
use dongbo_domain::completeness::ReportRecord;
use dongbo_domain::regime::RegimeKind;
use dongbo_domain::{
    DeadlineRule, Period, PeriodKind, Phase, RegimePeriod, Regimes, Reporters, ReportingRegime,
};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::codec::{col, corrupt, now};
use crate::dashboard::PerAssignment;
use crate::reports::{ReportPeriod, vietnam_day};
use crate::{Context, Db, Result, StoreError};

/// The regimes program `program_id` set itself, in the order [`Regimes`] keeps them.
pub async fn overrides(db: &Db, program_id: i64) -> Result<Vec<ReportingRegime>> {
    let doing = format!("reading the reporting regimes of program {program_id}");
    let mut tx = db.read(&doing).await?;
    let rows = sqlx::query(
        "SELECT regime_key, kind, reporters, working_days, phase_label, phase_start, phase_end \
         FROM program_regimes WHERE program_id = $1",
    )
    .bind(program_id)
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.clone())?;
    rows.iter().map(|row| regime_from(row, &doing)).collect()
}

/// The regimes of program `program_id`: the Decree 09 default with its own overrides.
pub async fn for_program(db: &Db, program_id: i64) -> Result<Regimes> {
    let doing = format!("reading the reporting regimes of program {program_id}");
    Regimes::with_overrides(overrides(db, program_id).await?)
        .map_err(|e| corrupt(&doing, e.to_string()))
}

fn regime_from(row: &AnyRow, doing: &str) -> Result<ReportingRegime> {
    let kind: String = col(row, "kind", doing)?;
    let reporters: String = col(row, "reporters", doing)?;
    let days: i64 = col(row, "working_days", doing)?;
    let reporters = Reporters::parse(&reporters).map_err(|e| corrupt(doing, e.to_string()))?;
    let rule = u32::try_from(days)
        .ok()
        .and_then(|d| DeadlineRule::new(d).ok())
        .ok_or_else(|| corrupt(doing, format!("{days} working days")))?;
    if kind == "phase" {
        let label: Option<String> = col(row, "phase_label", doing)?;
        let start: Option<String> = col(row, "phase_start", doing)?;
        let end: Option<String> = col(row, "phase_end", doing)?;
        let day = |text: Option<String>| -> Result<NaiveDate> {
            let text = text.unwrap_or_default();
            text.parse()
                .map_err(|_| corrupt(doing, format!("bad phase date «{text}»")))
        };
        let phase = Phase::new(&label.unwrap_or_default(), day(start)?, day(end)?)
            .map_err(|e| corrupt(doing, e.to_string()))?;
        return Ok(ReportingRegime::phase(phase, reporters, rule));
    }
    let period: PeriodKind = kind
        .parse()
        .map_err(|e: dongbo_domain::PeriodError| corrupt(doing, e.to_string()))?;
    Ok(ReportingRegime::periodic(period, reporters, rule))
}

/// Sets program `program_id`'s regime of the same key as `regime` (adding it, or changing the
/// one there); audited as `actor`.
pub async fn set(db: &Db, program_id: i64, regime: &ReportingRegime, actor: &str) -> Result<()> {
    let key = regime.key();
    let doing = format!("setting the reporting regime {key} of program {program_id}");
    let mut tx = db.begin_write(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    let program = sqlx::query("SELECT id FROM programs WHERE id = $1")
        .bind(program_id)
        .fetch_optional(&mut *conn)
        .await
        .context(|| doing.clone())?;
    if program.is_none() {
        return Err(StoreError::NotFound(format!("program {program_id}")));
    }
    let before = current(conn, program_id, &key, &doing).await?;
    let (kind, phase) = match &regime.kind {
        RegimeKind::Periodic { period } => (period.as_str(), None),
        RegimeKind::Phase(phase) => ("phase", Some(phase)),
    };
    if before.is_some() {
        sqlx::query("DELETE FROM program_regimes WHERE program_id = $1 AND regime_key = $2")
            .bind(program_id)
            .bind(&key)
            .execute(&mut *conn)
            .await
            .context(|| doing.clone())?;
    }
    sqlx::query(
        "INSERT INTO program_regimes (program_id, regime_key, kind, reporters, working_days, \
            phase_label, phase_start, phase_end, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(program_id)
    .bind(&key)
    .bind(kind)
    .bind(regime.reporters.as_str())
    .bind(i64::from(regime.rule.working_days_after_cutoff()))
    .bind(phase.map(|p| p.label().to_owned()))
    .bind(phase.map(|p| p.start().to_string()))
    .bind(phase.map(|p| p.end().to_string()))
    .bind(now())
    .bind(actor)
    .execute(&mut *conn)
    .await
    .context(|| doing.clone())?;
    // What the regime decides (deadlines, who is expected) is part of the program's
    // structure: servers keep it until the structure changes.
    crate::dashboard::bump_program(conn, program_id).await?;
    audit(
        conn,
        actor,
        "program.regime_set",
        program_id,
        before.as_ref(),
        Some(regime),
    )
    .await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(())
}

/// Removes program `program_id`'s own regime `key` (an annual one falls back to the Decree 09
/// default); audited as `actor`. [`StoreError::NotFound`] when the program has no such regime.
pub async fn remove(db: &Db, program_id: i64, key: &str, actor: &str) -> Result<()> {
    let doing = format!("removing the reporting regime {key} of program {program_id}");
    let mut tx = db.begin_write(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    let Some(before) = current(conn, program_id, key, &doing).await? else {
        return Err(StoreError::NotFound(format!(
            "the reporting regime {key} of program {program_id}"
        )));
    };
    sqlx::query("DELETE FROM program_regimes WHERE program_id = $1 AND regime_key = $2")
        .bind(program_id)
        .bind(key)
        .execute(&mut *conn)
        .await
        .context(|| doing.clone())?;
    // What the regime decides (deadlines, who is expected) is part of the program's
    // structure: servers keep it until the structure changes.
    crate::dashboard::bump_program(conn, program_id).await?;
    audit(
        conn,
        actor,
        "program.regime_remove",
        program_id,
        Some(&before),
        None,
    )
    .await?;
    tx.commit().await.context(|| doing.clone())?;
    Ok(())
}

async fn current(
    conn: &mut AnyConnection,
    program_id: i64,
    key: &str,
    doing: &str,
) -> Result<Option<ReportingRegime>> {
    let row = sqlx::query(
        "SELECT regime_key, kind, reporters, working_days, phase_label, phase_start, phase_end \
         FROM program_regimes WHERE program_id = $1 AND regime_key = $2",
    )
    .bind(program_id)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    row.map(|row| regime_from(&row, doing)).transpose()
}

async fn audit(
    conn: &mut AnyConnection,
    actor: &str,
    action: &str,
    program_id: i64,
    before: Option<&ReportingRegime>,
    after: Option<&ReportingRegime>,
) -> Result<()> {
    let json = |regime: Option<&ReportingRegime>| {
        regime.map(|r| serde_json::json!({"key": r.key(), "regime": r}))
    };
    crate::audit::append(
        conn,
        clock::now(),
        &crate::audit::AuditEntry {
            actor: actor.to_owned(),
            action: action.to_owned(),
            entity: "program".to_owned(),
            entity_id: program_id.to_string(),
            before: json(before),
            after: json(after),
        },
    )
    .await?;
    Ok(())
}

/// The reports of program `program_id` that may bear on `period` (those for the period, or
/// for the annual period holding a phase's end, and one-off reports), or with `None` every
/// report of the program, as completeness reads them: each with the Vietnamese day of its
/// **first** submission — `progress_reports.submitted_at` is the latest, so the first comes
/// from the report's versions — and whether it is accepted now. Drafts never submitted are
/// left out: they count as no report. One query.
pub async fn report_records(
    db: &Db,
    program_id: i64,
    period: Option<&RegimePeriod>,
) -> Result<Vec<ReportRecord>> {
    let doing = records_doing(program_id, period);
    let mut tx = db.read(&doing).await?;
    let rows = read_records(&mut tx, program_id, period, None, &doing).await?;
    Ok(rows.into_iter().map(|(_, record)| record).collect())
}

/// [`report_records`] of one period (or of every period) for a server to keep: given the
/// records `kept` from an earlier call, reads only what changed since (see
/// [`crate::dashboard::PerAssignment`]).
pub async fn report_records_kept(
    db: &Db,
    program_id: i64,
    period: Option<&RegimePeriod>,
    kept: Option<&PerAssignment<ReportRecord>>,
) -> Result<PerAssignment<ReportRecord>> {
    let doing = records_doing(program_id, period);
    crate::dashboard::per_assignment(db, program_id, kept, &doing, async |conn, since| {
        read_records(conn, program_id, period, since, &doing).await
    })
    .await
}

fn records_doing(program_id: i64, period: Option<&RegimePeriod>) -> String {
    format!(
        "reading the reports of program {program_id} for {}",
        period.map_or_else(|| "every period".to_owned(), RegimePeriod::code)
    )
}

/// The records of [`report_records`] with their assignment ids; with `since`, only those of
/// the assignments stamped after that version.
async fn read_records(
    conn: &mut AnyConnection,
    program_id: i64,
    period: Option<&RegimePeriod>,
    since: Option<i64>,
    doing: &str,
) -> Result<Vec<(i64, ReportRecord)>> {
    let code = period.map(|period| match period {
        RegimePeriod::Decree09(p) => p.code(),
        RegimePeriod::Phase(phase) => Period::containing(PeriodKind::Annual, phase.end())
            .map(Period::code)
            .unwrap_or_default(),
    });
    let changed = match since {
        Some(_) => format!("AND {}", crate::dashboard::stamped_after(1, 3)),
        None => String::new(),
    };
    let sql = format!(
        "SELECT r.assignment_id, a.agency_code, a.role, t.code, r.period, r.status, \
            (SELECT MIN(v.saved_at) FROM report_versions v \
               WHERE v.report_id = r.id AND v.action = 'submit') AS first_submitted_at \
         FROM progress_reports r JOIN assignments a ON a.id = r.assignment_id \
         JOIN tasks t ON t.id = a.task_id \
         WHERE a.program_id = $1 AND ($2 IS NULL OR r.period = $2 OR r.period = 'once') {changed}"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(program_id)
        .bind(code);
    if let Some(since) = since {
        query = query.bind(since);
    }
    let rows = query
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    let mut records = Vec::with_capacity(rows.len());
    for row in &rows {
        let role: String = col(row, "role", doing)?;
        let period: String = col(row, "period", doing)?;
        let status: String = col(row, "status", doing)?;
        let first: Option<String> = col(row, "first_submitted_at", doing)?;
        let period: ReportPeriod = period
            .parse()
            .map_err(|e| corrupt(doing, format!("bad period «{period}»: {e}")))?;
        let record = ReportRecord {
            agency_code: col(row, "agency_code", doing)?,
            task_code: col(row, "code", doing)?,
            role: dongbo_domain::Role::parse(&role)
                .ok_or_else(|| corrupt(doing, format!("unknown role «{role}»")))?,
            period: match period {
                ReportPeriod::Period(p) => Some(p),
                ReportPeriod::Once => None,
            },
            first_submitted_on: first.map(|text| vietnam_day(&text, doing)).transpose()?,
            accepted: status == "accepted",
        };
        if record.first_submitted_on.is_some() || record.accepted {
            records.push((col(row, "assignment_id", doing)?, record));
        }
    }
    Ok(records)
}
