//! Chỉ tiêu — a program's indicators and the values recorded for them.
//!
//! [`upsert`] stores the indicators of an appendix by program and code, all or nothing: a new
//! code is added, a changed one updated, an unchanged one left alone, so importing the same
//! appendix twice changes nothing. [`record_value`] appends a value; values are never
//! overwritten — a correction is a newer value for the same agency, period and scope, and the
//! history stays. Every write is audited in its transaction. What a value achieves is not
//! stored: it is computed from the value and the target of its year (`dongbo_domain::indicator`).
//! An indicator's targets by year are rows of `indicator_targets`, replaced with the indicator.
//! [`confirm_direction`] records a person's decision on the direction; an import keeps it.

use chrono::Datelike;
use dongbo_domain::clock;
use dongbo_domain::indicator::{Judgement, Value, Verdict, value_period};
use dongbo_domain::{Direction, Indicator, Period, YearTarget};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::codec::{col, now, position};
use crate::{Context, Db, Result, StoreError};

/// An indicator as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredIndicator {
    pub id: i64,
    pub program_id: i64,
    pub indicator: Indicator,
    /// Who confirmed the direction ([`confirm_direction`]); `None` when the importer inferred
    /// it. A direction a person confirmed is kept when the appendix is imported again.
    pub direction_confirmed_by: Option<String>,
}

/// A value recorded for an indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedValue {
    pub id: i64,
    pub agency_code: String,
    pub period: Period,
    /// The goal of a scoped target the value measures ("Đông Nam Á").
    pub scope: Option<String>,
    pub value: Value,
    pub judgement: Option<Judgement>,
    pub source: String,
    pub note: String,
    /// The username of who recorded it.
    pub author: String,
    /// RFC 3339, UTC.
    pub recorded_at: String,
}

/// An indicator with every value recorded for it, oldest period first (and, within a period,
/// in the order recorded).
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorSeries {
    pub stored: StoredIndicator,
    pub values: Vec<RecordedValue>,
}

impl IndicatorSeries {
    /// The latest value of each scope (the one `None` scope for an unscoped target): see
    /// [`IndicatorLatest`].
    pub fn latest(&self) -> IndicatorLatest {
        let mut latest = IndicatorLatest {
            stored: self.stored.clone(),
            latest: Vec::new(),
        };
        for value in &self.values {
            latest.keep(value.clone());
        }
        latest.order();
        latest
    }

    /// Đạt / Chưa đạt / Chờ đánh giá / Chưa có số liệu, from the latest values, against the
    /// target of their year (see [`IndicatorLatest::verdict`]).
    pub fn verdict(&self) -> Verdict {
        self.latest().verdict()
    }
}

/// An indicator with the latest value recorded for each scope: what a list of indicators shows
/// and all its verdict depends on, without the history.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorLatest {
    pub stored: StoredIndicator,
    /// The latest value of each scope (the one `None` scope for an unscoped target): latest by
    /// period, and within a period the one recorded last. In the order of the target's goals;
    /// scopes no goal names come after, oldest first.
    pub latest: Vec<RecordedValue>,
}

impl IndicatorLatest {
    /// Keeps `value` when it is the latest of its scope so far.
    fn keep(&mut self, value: RecordedValue) {
        let newer =
            |old: &RecordedValue| (value.period.end(), value.id) >= (old.period.end(), old.id);
        match self.latest.iter_mut().find(|v| v.scope == value.scope) {
            Some(slot) if newer(slot) => *slot = value,
            Some(_) => {}
            None => self.latest.push(value),
        }
    }

    /// Puts the kept values in the order of the targets' scopes.
    fn order(&mut self) {
        let scopes: Vec<String> = self
            .stored
            .indicator
            .scopes()
            .into_iter()
            .map(dongbo_domain::text::fold)
            .collect();
        let rank = |v: &RecordedValue| {
            let position = v
                .scope
                .as_deref()
                .map(dongbo_domain::text::fold)
                .and_then(|scope| scopes.iter().position(|s| *s == scope));
            (position.unwrap_or(usize::MAX), v.period.end(), v.id)
        };
        self.latest.sort_by_key(rank);
    }

    /// The year the latest values are for: the year of the newest of them; `None` without
    /// values.
    pub fn year(&self) -> Option<i32> {
        self.latest.iter().map(|v| v.period.end().year()).max()
    }

    /// Đạt / Chưa đạt / Chờ đánh giá / Chưa có số liệu — or no verdict while the direction is
    /// unconfirmed — from the latest values, against the target of the year of the newest of
    /// them (the last target when there is no value).
    pub fn verdict(&self) -> Verdict {
        self.verdict_in(self.year())
    }

    /// The verdict from the latest values against the target for `year` (see
    /// [`Indicator::target_for`]): what a report or an evaluation for a period ending in
    /// that year says.
    pub fn verdict_in(&self, year: Option<i32>) -> Verdict {
        // Oldest first: the target judges each goal by the last value that measures it.
        let mut by_time: Vec<&RecordedValue> = self.latest.iter().collect();
        by_time.sort_by_key(|v| (v.period.end(), v.id));
        let latest: Vec<(Option<&str>, &Value, Option<Judgement>)> = by_time
            .iter()
            .map(|v| (v.scope.as_deref(), &v.value, v.judgement))
            .collect();
        self.stored.indicator.verdict(year, &latest)
    }
}

/// What [`upsert`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertOutcome {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// A value to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewValue {
    pub agency_code: String,
    pub period: Period,
    pub scope: Option<String>,
    pub value: Value,
    pub judgement: Option<Judgement>,
    pub source: String,
    pub note: String,
    pub author: String,
}

fn number_text(value: f64) -> String {
    // Rust's shortest form that reads back to the same f64.
    format!("{value}")
}

fn number_from(text: &str, context: &str) -> Result<f64> {
    text.parse().map_err(|_| StoreError::Corrupt {
        context: context.to_owned(),
        message: format!("bad number «{text}»"),
    })
}

fn indicator_json(indicator: &Indicator) -> serde_json::Value {
    json!({
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction.as_str(),
        "direction_confirmed": indicator.direction_confirmed,
        "baseline": indicator.baseline,
        "baseline_year": indicator.baseline_year,
        "targets": indicator
            .targets
            .iter()
            .map(|t| json!({"year": t.year, "target": t.text}))
            .collect::<Vec<_>>(),
        "tracking_agency": indicator.tracking_agency,
        "source": indicator.source,
    })
}

const INDICATOR_COLUMNS: &str = "id, program_id, code, parent_code, name, unit, direction, \
     direction_confirmed, direction_confirmed_by, baseline, baseline_year, tracking_agency, \
     tracking_text, source";

/// An indicator's row, without its targets (see [`with_targets`]).
fn indicator_from_row(row: &AnyRow, doing: &str) -> Result<StoredIndicator> {
    let direction: String = col(row, "direction", doing)?;
    let baseline: Option<String> = col(row, "baseline", doing)?;
    let confirmed: i64 = col(row, "direction_confirmed", doing)?;
    let year = |column: &str| -> Result<Option<i32>> {
        let value: Option<i64> = col(row, column, doing)?;
        Ok(value.and_then(|y| i32::try_from(y).ok()))
    };
    Ok(StoredIndicator {
        id: col(row, "id", doing)?,
        program_id: col(row, "program_id", doing)?,
        indicator: Indicator {
            code: col(row, "code", doing)?,
            parent: col(row, "parent_code", doing)?,
            name: col(row, "name", doing)?,
            unit: col(row, "unit", doing)?,
            direction: Direction::from_name(&direction).ok_or_else(|| StoreError::Corrupt {
                context: doing.to_owned(),
                message: format!("unknown direction «{direction}»"),
            })?,
            direction_confirmed: confirmed != 0,
            baseline: baseline.map(|b| number_from(&b, doing)).transpose()?,
            baseline_year: year("baseline_year")?,
            targets: Vec::new(),
            tracking_agency: col(row, "tracking_agency", doing)?,
            tracking_text: col(row, "tracking_text", doing)?,
            source: col(row, "source", doing)?,
        },
        direction_confirmed_by: col(row, "direction_confirmed_by", doing)?,
    })
}

/// Reads the targets of `indicators` (all of program `program_id`, or the one indicator when
/// there is one) into them, in their stored order.
async fn with_targets(
    conn: &mut AnyConnection,
    program_id: i64,
    indicators: &mut [StoredIndicator],
    doing: &str,
) -> Result<()> {
    let query = match indicators {
        [one] => sqlx::query(
            "SELECT t.indicator_id, t.year, t.target_text FROM indicator_targets t \
             WHERE t.indicator_id = $1 ORDER BY t.indicator_id, t.position",
        )
        .bind(one.id),
        _ => sqlx::query(
            "SELECT t.indicator_id, t.year, t.target_text FROM indicator_targets t \
             JOIN indicators i ON i.id = t.indicator_id WHERE i.program_id = $1 \
             ORDER BY t.indicator_id, t.position",
        )
        .bind(program_id),
    };
    let rows = query
        .fetch_all(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    let position: std::collections::HashMap<i64, usize> = indicators
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, i))
        .collect();
    for row in &rows {
        let indicator_id: i64 = col(row, "indicator_id", doing)?;
        let year: Option<i64> = col(row, "year", doing)?;
        let text: String = col(row, "target_text", doing)?;
        let Some(&i) = position.get(&indicator_id) else {
            continue;
        };
        let target =
            YearTarget::parse(year.and_then(|y| i32::try_from(y).ok()), &text).map_err(|e| {
                StoreError::Corrupt {
                    context: doing.to_owned(),
                    message: format!("target «{text}»: {e}"),
                }
            })?;
        indicators[i].indicator.targets.push(target);
    }
    Ok(())
}

/// One indicator of a program by code, with its targets, in a transaction.
async fn one_indicator(
    conn: &mut AnyConnection,
    program_id: i64,
    code: &str,
    doing: &str,
) -> Result<Option<StoredIndicator>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {INDICATOR_COLUMNS} FROM indicators WHERE program_id = $1 AND code = $2"
    )))
    .bind(program_id)
    .bind(code)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut stored = [indicator_from_row(&row, doing)?];
    with_targets(conn, program_id, &mut stored, doing).await?;
    let [stored] = stored;
    Ok(Some(stored))
}

/// Stores `indicators` for the program, by code, all or nothing (see the module
/// documentation). `actor` is who imports them, for the audit log.
pub async fn upsert(
    db: &Db,
    program_id: i64,
    indicators: &[Indicator],
    actor: &str,
) -> Result<UpsertOutcome> {
    let doing = format!("storing the indicators of program {program_id}");
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
    let mut outcome = UpsertOutcome::default();
    for (index, indicator) in indicators.iter().enumerate() {
        let existing = one_indicator(conn, program_id, &indicator.code, &doing).await?;
        // A direction a person confirmed stays, whatever the file's words suggest.
        let mut indicator = indicator.clone();
        if let Some(stored) = &existing
            && stored.direction_confirmed_by.is_some()
        {
            indicator.direction = stored.indicator.direction;
            indicator.direction_confirmed = stored.indicator.direction_confirmed;
        }
        let indicator = &indicator;
        let before = match existing {
            Some(stored) if stored.indicator == *indicator => {
                outcome.unchanged += 1;
                continue;
            }
            Some(stored) => Some(stored),
            None => None,
        };
        let binds = sqlx::query(if before.is_some() {
            "UPDATE indicators SET parent_code = $3, position = $4, name = $5, unit = $6, \
                direction = $7, direction_confirmed = $8, baseline = $9, baseline_year = $10, \
                tracking_agency = $11, tracking_text = $12, source = $13 \
             WHERE program_id = $1 AND code = $2 RETURNING id"
        } else {
            "INSERT INTO indicators (program_id, code, parent_code, position, name, unit, \
                direction, direction_confirmed, baseline, baseline_year, tracking_agency, \
                tracking_text, source) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id"
        })
        .bind(program_id)
        .bind(&indicator.code)
        .bind(&indicator.parent)
        .bind(position(index))
        .bind(&indicator.name)
        .bind(&indicator.unit)
        .bind(indicator.direction.as_str())
        .bind(i64::from(indicator.direction_confirmed))
        .bind(indicator.baseline.map(number_text))
        .bind(indicator.baseline_year.map(i64::from))
        .bind(&indicator.tracking_agency)
        .bind(&indicator.tracking_text)
        .bind(&indicator.source);
        let row = binds
            .fetch_one(&mut *conn)
            .await
            .context(|| format!("{doing}: indicator {}", indicator.code))?;
        let id: i64 = col(&row, "id", &doing)?;
        sqlx::query("DELETE FROM indicator_targets WHERE indicator_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await
            .context(|| format!("{doing}: the targets of indicator {}", indicator.code))?;
        for (position_of, target) in indicator.targets.iter().enumerate() {
            sqlx::query(
                "INSERT INTO indicator_targets (indicator_id, position, year, target_text) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(position(position_of))
            .bind(target.year.map(i64::from))
            .bind(&target.text)
            .execute(&mut *conn)
            .await
            .context(|| format!("{doing}: the targets of indicator {}", indicator.code))?;
        }
        let before = before.map(|stored| stored.indicator);
        let (action, before_json) = match &before {
            Some(before) => {
                outcome.changed += 1;
                ("indicator.update", Some(indicator_json(before)))
            }
            None => {
                outcome.added += 1;
                ("indicator.create", None)
            }
        };
        crate::audit::append(
            conn,
            clock::now(),
            &crate::audit::AuditEntry {
                actor: actor.to_owned(),
                action: action.to_owned(),
                entity: "indicator".to_owned(),
                entity_id: format!("{program_id}/{}", indicator.code),
                before: before_json,
                after: Some(indicator_json(indicator)),
            },
        )
        .await?;
    }
    // Pages keep a program's indicators per version.
    crate::dashboard::bump_version(&mut tx, program_id).await?;
    tx.commit().await.context(|| doing.clone())?;
    tracing::info!(
        program.id = program_id,
        indicators.added = outcome.added,
        indicators.changed = outcome.changed,
        indicators.unchanged = outcome.unchanged,
        "indicators stored"
    );
    Ok(outcome)
}

/// A program's indicators in appendix order, as stored, without their values.
pub async fn stored_for_program(db: &Db, program_id: i64) -> Result<Vec<StoredIndicator>> {
    let doing = format!("reading the indicators of program {program_id}");
    let mut conn = db.read_one(&doing).await?;
    indicators_of(&mut conn, program_id, &doing).await
}

/// A program's indicators in appendix order, with their targets (as stored, without values).
async fn indicators_of(
    conn: &mut AnyConnection,
    program_id: i64,
    doing: &str,
) -> Result<Vec<StoredIndicator>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {INDICATOR_COLUMNS} FROM indicators WHERE program_id = $1 ORDER BY position, id"
    )))
    .bind(program_id)
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    let mut indicators = rows
        .iter()
        .map(|row| indicator_from_row(row, doing))
        .collect::<Result<Vec<_>>>()?;
    if !indicators.is_empty() {
        with_targets(conn, program_id, &mut indicators, doing).await?;
    }
    Ok(indicators)
}

/// A program's indicators in appendix order, each with every value recorded for it. A
/// national program holds hundreds of thousands of values: lists want [`latest_for_program`].
pub async fn for_program(db: &Db, program_id: i64) -> Result<Vec<IndicatorSeries>> {
    let doing = format!("reading the indicators of program {program_id}");
    let mut tx = db.read(&doing).await?;
    let indicators = indicators_of(&mut tx, program_id, &doing).await?;
    let mut series = Vec::with_capacity(indicators.len());
    for stored in indicators {
        let values = values_of(&mut tx, stored.id, &doing).await?;
        series.push(IndicatorSeries { stored, values });
    }
    Ok(series)
}

/// The values of one indicator, oldest period first (within a period, in the order recorded).
async fn values_of(
    conn: &mut AnyConnection,
    indicator_id: i64,
    doing: &str,
) -> Result<Vec<RecordedValue>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {VALUE_COLUMNS} FROM indicator_values v WHERE v.indicator_id = $1 ORDER BY v.id"
    )))
    .bind(indicator_id)
    .fetch_all(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    let mut values = rows
        .iter()
        .map(|row| value_from_row(row, doing))
        .collect::<Result<Vec<_>>>()?;
    // Stable: values of one period keep the order they were recorded in.
    values.sort_by_key(|v| v.period.end());
    Ok(values)
}

/// A program's indicators in appendix order, each with the latest value of each scope — of
/// the values for periods that start on or before `as_of`, when given (what a report for a
/// period ending then says). The values are read as a stream and only the latest kept, so
/// memory stays by indicator, not by value.
pub async fn latest_for_program(
    db: &Db,
    program_id: i64,
    as_of: Option<chrono::NaiveDate>,
) -> Result<Vec<IndicatorLatest>> {
    use futures_util::TryStreamExt;
    let doing = format!("reading the latest indicator values of program {program_id}");
    let mut tx = db.read(&doing).await?;
    let mut list: Vec<IndicatorLatest> = indicators_of(&mut tx, program_id, &doing)
        .await?
        .into_iter()
        .map(|stored| IndicatorLatest {
            stored,
            latest: Vec::new(),
        })
        .collect();
    let position: std::collections::HashMap<i64, usize> = list
        .iter()
        .enumerate()
        .map(|(i, s)| (s.stored.id, i))
        .collect();
    let sql = format!(
        "SELECT v.indicator_id, {VALUE_COLUMNS} FROM indicator_values v \
         JOIN indicators i ON i.id = v.indicator_id WHERE i.program_id = $1"
    );
    let mut rows = sqlx::query(AssertSqlSafe(sql))
        .bind(program_id)
        .fetch(&mut *tx);
    while let Some(row) = rows.try_next().await.context(|| doing.clone())? {
        let indicator_id: i64 = col(&row, "indicator_id", &doing)?;
        let Some(&i) = position.get(&indicator_id) else {
            continue;
        };
        let value = value_from_row(&row, &doing)?;
        if as_of.is_none_or(|end| value.period.start() <= end) {
            list[i].keep(value);
        }
    }
    drop(rows);
    for indicator in &mut list {
        indicator.order();
    }
    Ok(list)
}

/// One indicator of a program by code, with its values.
pub async fn get(db: &Db, program_id: i64, code: &str) -> Result<Option<IndicatorSeries>> {
    let doing = format!("reading indicator {code} of program {program_id}");
    let mut tx = db.read(&doing).await?;
    let Some(stored) = one_indicator(&mut tx, program_id, code, &doing).await? else {
        return Ok(None);
    };
    let values = values_of(&mut tx, stored.id, &doing).await?;
    Ok(Some(IndicatorSeries { stored, values }))
}

/// Sets the direction of indicator `code` of the program as a person confirms it: from then
/// on its values are judged (and an import of the appendix keeps it). Audited as
/// `indicator.direction.confirm` with the direction before and after.
pub async fn confirm_direction(
    db: &Db,
    program_id: i64,
    code: &str,
    direction: Direction,
    actor: &str,
) -> Result<()> {
    let doing = format!("confirming the direction of indicator {code} of program {program_id}");
    let mut tx = db.begin_write(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    let stored = one_indicator(conn, program_id, code, &doing)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("indicator {code} of program {program_id}")))?;
    sqlx::query(
        "UPDATE indicators SET direction = $1, direction_confirmed = 1, \
            direction_confirmed_by = $2 WHERE id = $3",
    )
    .bind(direction.as_str())
    .bind(actor)
    .bind(stored.id)
    .execute(&mut *conn)
    .await
    .context(|| doing.clone())?;
    let state = |direction: Direction, confirmed: bool, by: Option<&str>| json!({"direction": direction.as_str(), "direction_confirmed": confirmed, "confirmed_by": by});
    crate::audit::append(
        conn,
        clock::now(),
        &crate::audit::AuditEntry {
            actor: actor.to_owned(),
            action: "indicator.direction.confirm".to_owned(),
            entity: "indicator".to_owned(),
            entity_id: format!("{program_id}/{code}"),
            before: Some(state(
                stored.indicator.direction,
                stored.indicator.direction_confirmed,
                stored.direction_confirmed_by.as_deref(),
            )),
            after: Some(state(direction, true, Some(actor))),
        },
    )
    .await?;
    // Pages keep a program's indicators per version.
    crate::dashboard::bump_version(&mut tx, program_id).await?;
    tx.commit().await.context(|| doing.clone())?;
    tracing::info!(
        program.id = program_id,
        indicator.code = code,
        indicator.direction = direction.as_str(),
        "indicator direction confirmed"
    );
    Ok(())
}

const VALUE_COLUMNS: &str = "v.id, v.agency_code, v.period, v.scope, v.value_number, \
     v.value_text, v.judgement, v.source, v.note, v.author, v.recorded_at";

fn value_from_row(row: &AnyRow, doing: &str) -> Result<RecordedValue> {
    let period: String = col(row, "period", doing)?;
    let scope: String = col(row, "scope", doing)?;
    let number: Option<String> = col(row, "value_number", doing)?;
    let text: Option<String> = col(row, "value_text", doing)?;
    let judgement: Option<String> = col(row, "judgement", doing)?;
    let corrupt = |message: String| StoreError::Corrupt {
        context: doing.to_owned(),
        message,
    };
    let value = match (number, text) {
        (Some(number), _) => Value::Number(number_from(&number, doing)?),
        (None, Some(text)) => Value::Text(text),
        (None, None) => return Err(corrupt("a value with neither number nor text".into())),
    };
    Ok(RecordedValue {
        id: col(row, "id", doing)?,
        agency_code: col(row, "agency_code", doing)?,
        period: value_period(&period).map_err(|e| corrupt(e.to_string()))?,
        scope: (!scope.is_empty()).then_some(scope),
        value,
        judgement: judgement
            .map(|j| Judgement::from_name(&j).ok_or_else(|| corrupt(format!("judgement «{j}»"))))
            .transpose()?,
        source: col(row, "source", doing)?,
        note: col(row, "note", doing)?,
        author: col(row, "author", doing)?,
        recorded_at: col(row, "recorded_at", doing)?,
    })
}

/// Records a value for the indicator `code` of the program and audits it; returns the new
/// value's id. The caller has checked the value against the target (see the web's actions);
/// here a scope the target does not name is refused, so no value is stored that no goal
/// measures.
pub async fn record_value(db: &Db, program_id: i64, code: &str, new: &NewValue) -> Result<i64> {
    let doing = format!("recording a value of indicator {code} of program {program_id}");
    let mut tx = db.begin_write(&doing).await?;
    let conn: &mut AnyConnection = &mut tx;
    let stored = one_indicator(conn, program_id, code, &doing)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("indicator {code} of program {program_id}")))?;
    let scope = new.scope.as_deref().map(str::trim).unwrap_or_default();
    let scopes = stored.indicator.scopes();
    // A scope stored as the target writes it, so values of one scope group together.
    let scope = if scopes.is_empty() {
        String::new()
    } else {
        stored.indicator.scope_as_written(scope).ok_or_else(|| {
            StoreError::Invalid(format!(
                "indicator {code} is measured against {}, not «{scope}»",
                scopes.join(", ")
            ))
        })?
    };
    let (number, text) = match &new.value {
        Value::Number(n) => (Some(number_text(*n)), None),
        Value::Text(t) => (None, Some(t.clone())),
    };
    let recorded_at = now();
    let row = sqlx::query(
        "INSERT INTO indicator_values (indicator_id, agency_code, period, scope, value_number, \
            value_text, judgement, source, note, author, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(stored.id)
    .bind(&new.agency_code)
    .bind(new.period.code())
    .bind(&scope)
    .bind(&number)
    .bind(&text)
    .bind(new.judgement.map(Judgement::as_str))
    .bind(&new.source)
    .bind(&new.note)
    .bind(&new.author)
    .bind(&recorded_at)
    .fetch_one(&mut *conn)
    .await
    .context(|| doing.clone())?;
    let id: i64 = col(&row, "id", &doing)?;
    crate::audit::append(
        conn,
        clock::now(),
        &crate::audit::AuditEntry {
            actor: new.author.clone(),
            action: "indicator_value.record".to_owned(),
            entity: "indicator_value".to_owned(),
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({
                "program_id": program_id,
                "indicator": code,
                "agency": new.agency_code,
                "period": new.period.code(),
                "scope": scope,
                "value": new.value,
                "judgement": new.judgement.map(Judgement::as_str),
                "source": new.source,
                "note": new.note,
            })),
        },
    )
    .await?;
    // Pages keep a program's indicators per version.
    crate::dashboard::bump_version(&mut tx, program_id).await?;
    tx.commit().await.context(|| doing.clone())?;
    tracing::info!(
        program.id = program_id,
        indicator.code = code,
        agency.code = %new.agency_code,
        period = %new.period.code(),
        "indicator value recorded"
    );
    Ok(id)
}
