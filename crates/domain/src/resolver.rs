//! Agency resolution: the text of a "lead" or "coordinating" cell → agencies, agency sets and
//! the fragments that matched nothing, as of the document's date.
//!
//! (Interface fixed here; the matcher is being written: this placeholder resolves nothing.)

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Directory;

/// What a cell of agencies resolved to. Serialises to the import JSON contract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// The cell as the document wrote it (NFC).
    pub text: String,
    /// Codes of the agencies named one by one, in order of appearance.
    pub agencies: Vec<String>,
    /// Codes of the agency sets named.
    pub sets: Vec<String>,
    /// Fragments that matched nothing in the directory.
    pub unresolved: Vec<String>,
}

/// Resolves agency text against a directory.
#[derive(Debug, Clone)]
pub struct AgencyResolver {
    _directory: Directory,
}

impl AgencyResolver {
    pub fn new(directory: &Directory) -> Self {
        Self {
            _directory: directory.clone(),
        }
    }

    /// Resolve `text` as a document dated `as_of` would mean it.
    pub fn resolve(&self, text: &str, _as_of: NaiveDate) -> Resolution {
        let text = crate::text::nfc(text.trim());
        Resolution {
            unresolved: vec![text.clone()],
            text,
            ..Resolution::default()
        }
    }
}
