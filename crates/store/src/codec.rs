//! How domain values become column values and back: enums by their serde names, dates as ISO
//! text, booleans as 0/1, lists as JSON text. Reading never panics: bad stored data is a
//! [`StoreError::Corrupt`].

use chrono::NaiveDate;
use dongbo_domain::clock;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::any::AnyRow;
use sqlx::{Decode, Row, Type};

use crate::{Result, StoreError};

pub(crate) fn corrupt(context: &str, message: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        context: context.to_owned(),
        message: message.into(),
    }
}

/// The serde name of a unit enum variant ("ministry", "year_range").
pub(crate) fn enum_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        // Only unit variants are stored this way; anything else is a programming error that a
        // round-trip test catches, so keep a readable value rather than panic.
        other => format!("{other:?}"),
    }
}

pub(crate) fn enum_from_text<T: DeserializeOwned>(text: &str, context: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|e| corrupt(context, format!("unknown value «{text}»: {e}")))
}

pub(crate) fn date_text(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.format("%Y-%m-%d").to_string())
}

pub(crate) fn date_from_text(text: Option<String>, context: &str) -> Result<Option<NaiveDate>> {
    text.map(|t| {
        NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .map_err(|e| corrupt(context, format!("bad date «{t}»: {e}")))
    })
    .transpose()
}

pub(crate) fn list_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}

pub(crate) fn list_from_json(text: &str, context: &str) -> Result<Vec<String>> {
    serde_json::from_str(text).map_err(|e| corrupt(context, format!("bad list «{text}»: {e}")))
}

pub(crate) fn flag(value: bool) -> i64 {
    i64::from(value)
}

pub(crate) fn flag_from(value: i64, context: &str) -> Result<bool> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(corrupt(context, format!("flag is {other}, not 0 or 1"))),
    }
}

/// A column of a row, with the context in the error.
pub(crate) fn col<'r, T>(row: &'r AnyRow, column: &str, context: &str) -> Result<T>
where
    T: Decode<'r, sqlx::Any> + Type<sqlx::Any>,
{
    row.try_get(column).map_err(|source| StoreError::Database {
        context: format!("{context}: reading column {column}"),
        source,
    })
}

/// A list position as stored (`i64`), from a Rust index.
pub(crate) fn position(index: usize) -> i64 {
    i64::try_from(index).unwrap_or(i64::MAX)
}

/// The current time as stored: RFC 3339 in UTC, to the second.
pub(crate) fn now() -> String {
    clock::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
