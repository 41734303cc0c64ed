//! Values typed as text — in a form, a query or a JSON string — read the way every operation
//! reads them, each fault named by its field.

use chrono::NaiveDate;

use crate::context::{Error, Result};

/// A date typed in a form: empty for none, else YYYY-MM-DD.
pub fn parse_date(field: &str, text: &str) -> Result<Option<NaiveDate>> {
    match text.trim() {
        "" => Ok(None),
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                Error::field(
                    field,
                    format!(
                        "«{text}» không phải một ngày (năm-tháng-ngày, YYYY-MM-DD) — is not a \
                         date (YYYY-MM-DD)"
                    ),
                )
            }),
    }
}

/// The progress percentage typed in a form: empty for none, else 0–100.
pub fn parse_progress(text: &str) -> Result<Option<u8>> {
    match text.trim() {
        "" => Ok(None),
        text => text.parse::<u8>().map(Some).map_err(|_| {
            Error::field(
                "progress",
                "Tiến độ là một số từ 0 đến 100 — progress is a number from 0 to 100",
            )
        }),
    }
}
