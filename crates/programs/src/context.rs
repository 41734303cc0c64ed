//! What every operation is given and what it can answer: the [`Actor`] (who acts, with their
//! grants, in which language, on which day) and the one operation [`Error`].
//!
//! Every write checks in the same order, for pages and API alike: the thing acted on is found
//! ([`Error::NotFound`]), then the caller's right to act on it ([`Error::Forbidden`]), then the
//! input ([`Error::Invalid`], [`Error::Refused`]), then the store decides what the record's
//! state allows ([`Error::WrongState`], [`Error::Conflict`]). Statuses are `web`'s business:
//! this crate never names one.

use chrono::NaiveDate;
use dongbo_domain::access::Action;
use dongbo_domain::lang::Lang;
use dongbo_domain::{Clock, Directory};
use dongbo_store::StoreError;
use dongbo_store::accounts::AccountError;
// `Caller` lives in the store (the library crate, beside this one, needs it too); every path
// that named `programs::context::Caller` still does.
pub use dongbo_store::accounts::Caller;

use crate::Programs;

/// Who acts, on which server, in which language the messages are written, and the server's one
/// clock, by whose day in Vietnam every state is judged.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub programs: &'a Programs,
    pub caller: &'a Caller,
    pub lang: Lang,
    pub clock: Clock,
}

impl Actor<'_> {
    /// Today in Vietnam, by the actor's clock.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The text for the caller's language.
    pub(crate) fn t<'s>(&self, vi: &'s str, en: &'s str) -> &'s str {
        self.lang.pick(vi, en)
    }

    pub(crate) fn username(&self) -> &str {
        &self.caller.user.username
    }

    /// Refuses unless the caller may do `action` on the record of agency `agency_code` (its
    /// reports, its plan): a record the caller may not even read is not found, as an unknown
    /// id is, so that ids tell nothing of other agencies' records; one they may read but not
    /// act on is forbidden.
    pub(crate) fn require_on_record(
        &self,
        action: Action,
        agency_code: &str,
        directory: &Directory,
    ) -> Result<()> {
        if self.caller.can(action, agency_code, directory) {
            Ok(())
        } else if self.caller.can(Action::ViewProgram, agency_code, directory) {
            Err(Error::Forbidden)
        } else {
            Err(Error::NotFound)
        }
    }

    /// Refuses unless the caller may do `action` on `agency_code`.
    pub(crate) fn require(
        &self,
        action: Action,
        agency_code: &str,
        directory: &Directory,
    ) -> Result<()> {
        if self.caller.can(action, agency_code, directory) {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }
}

/// Why an operation did not do what it was asked. Internal causes are kept for the log; what a
/// user may see is the message of the others.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    /// A request that cannot be read as one (an unknown action, a query too long).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The caller's roles do not allow this on that agency.
    #[error("forbidden")]
    Forbidden,
    /// The caller's roles would allow this, but a rule about the record does not, for the
    /// reason told: the author of a report never reviews it (separation of duties).
    #[error("{0}")]
    Denied(String),
    /// Values that do not hold, each with the field it belongs to (named as in the JSON body
    /// and the form).
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A request refused as it was asked, with no one field at fault.
    #[error("{0}")]
    Refused(String),
    /// Someone else changed the record since the caller read it.
    #[error("{0}")]
    Conflict(String),
    /// The record is not in a state that allows the request (accepting a draft, editing an
    /// accepted report, deciding a decided request).
    #[error("{0}")]
    WrongState(String),
    /// The storage refuses writes (read-only or full): nothing was written, reads work.
    #[error("storage refuses writes: {0}")]
    Unavailable(StoreError),
    #[error("storage failed: {0}")]
    Store(StoreError),
    /// Our own failure, not the caller's.
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What is wrong with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field's name in the JSON body (and the form): `progress`, `reason`, `documents[0].number`.
    pub field: String,
    pub message: String,
}

impl Error {
    /// One field's error.
    pub fn field(field: &str, message: impl Into<String>) -> Error {
        Error::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    /// Whether the storage refused for want of space (disk or database full), as against
    /// being read-only.
    pub fn storage_full(&self) -> bool {
        matches!(self, Error::Unavailable(StoreError::Full { .. }))
    }
}

impl From<StoreError> for Error {
    /// What the caller asked for wrongly is theirs to fix; storage that refuses writes is the
    /// operator's; the rest is ours.
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(_) => Error::NotFound,
            StoreError::Invalid(why) => Error::Refused(why),
            StoreError::Conflict(why) => Error::Conflict(why),
            StoreError::WrongState(why) => Error::WrongState(why),
            other if other.refuses_writes() => Error::Unavailable(other),
            other => Error::Store(other),
        }
    }
}

impl From<AccountError> for Error {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Store(store) => Error::from(store),
            other => Error::Refused(other.to_string()),
        }
    }
}
