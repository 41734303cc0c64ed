//! A refused form shown again: the page it belongs to is rendered anew (422) with what the
//! user typed in it, each message next to the field it is about and every message in a
//! summary at the top (`role="alert"`, read out by screen readers). The messages are the ones
//! `actions` and the store give (field names as in the JSON API: `progress`,
//! `documents[0].number`); the pages never check values themselves.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::Page;
use crate::error::{Error, FieldError, Result};

/// What was sent in a refused form, and why it was refused.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The id of the form on its page (`report-form`, `override-12`…): only that form is
    /// filled again, the others of the page show what is stored.
    form: String,
    /// The values sent, by the form's field names, in order (a multiple choice sends one pair
    /// per value).
    values: Vec<(String, String)>,
    /// What is wrong, by field; a message that is no one field's has an empty field name.
    errors: Vec<FieldError>,
}

impl Refusal {
    /// The refusal of form `form` sent with `values`, when `error` is one the user can put
    /// right by changing what they typed (a value refused by `actions` or by the store, or a
    /// record's state that does not allow it); any other error is given back as it is.
    pub fn of(
        form: impl Into<String>,
        values: Vec<(String, String)>,
        error: impl Into<Error>,
    ) -> Result<Self> {
        let errors = match error.into() {
            Error::Invalid(errors) => errors,
            Error::Refused(message) | Error::WrongState(message) => vec![FieldError {
                field: String::new(),
                message,
            }],
            other => return Err(other),
        };
        Ok(Refusal {
            form: form.into(),
            values,
            errors,
        })
    }

    /// The messages that are no one field's, placed at `field` instead (a store refusal of an
    /// uploaded file is the file field's).
    pub fn placed_at(mut self, field: &str) -> Self {
        for error in &mut self.errors {
            if error.field.is_empty() {
                field.clone_into(&mut error.field);
            }
        }
        self
    }

    /// This refusal if it is of form `form`.
    pub fn of_form<'a>(refusal: Option<&'a Refusal>, form: &str) -> Option<&'a Self> {
        refusal.filter(|r| r.form == form)
    }

    /// The first value sent as `name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value sent as `name` (the ticked boxes, the chosen options).
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.values
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value sent, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.values
    }

    /// Whether a message is about `field`.
    pub fn is_wrong(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// The id of the message about `field`, for `aria-describedby`.
    fn error_id(&self, field: &str) -> String {
        let field: String = field
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!("{}-{field}-error", self.form)
    }

    /// The page again, as a refused form's answer (422).
    pub fn answer(markup: Markup) -> Response {
        (StatusCode::UNPROCESSABLE_ENTITY, markup).into_response()
    }
}

/// The value typed in `field` of a refused form, else `stored` (what the page shows when no
/// form was refused).
pub fn typed<'a>(refusal: Option<&'a Refusal>, field: &str, stored: &'a str) -> &'a str {
    refusal.map_or(stored, |r| r.value(field).unwrap_or(""))
}

/// `aria-invalid` of a field: set when a message is about it.
pub fn invalid(refusal: Option<&Refusal>, field: &str) -> Option<&'static str> {
    refusal.filter(|r| r.is_wrong(field)).map(|_| "true")
}

/// `aria-describedby` of a field: its message, when there is one.
pub fn described_by(refusal: Option<&Refusal>, field: &str) -> Option<String> {
    refusal
        .filter(|r| r.is_wrong(field))
        .map(|r| r.error_id(field))
}

/// The messages about `field`, to be placed right after it.
pub fn error(refusal: Option<&Refusal>, field: &str) -> Markup {
    html! {
        @if let Some(r) = refusal.filter(|r| r.is_wrong(field)) {
            p.field-error id=(r.error_id(field)) data-field=(field) {
                @for (i, e) in r.errors.iter().filter(|e| e.field == field).enumerate() {
                    @if i > 0 { br; }
                    (e.message)
                }
            }
        }
    }
}

/// At the top of the page: that the form was not saved, and every message.
pub fn summary(page: &Page, refusal: Option<&Refusal>) -> Markup {
    html! {
        @if let Some(r) = refusal {
            div.error-summary #error-summary role="alert" data-form=(r.form) {
                p.error { strong { (page.t(
                    "Chưa lưu được: hãy sửa những chỗ dưới đây (các giá trị bạn đã nhập vẫn được giữ).",
                    "Not saved: please correct what is below (what you typed is kept).")) } }
                ul { @for e in &r.errors { li { (e.message) } } }
            }
        }
    }
}
