//! The external-information library (issue 20): items (documents, articles, media, datasets)
//! that agencies publish and receive, with who may read each, kept in the store's library
//! tables. [`Library`] holds the operations pages, the API and the command line share; each
//! is found → permitted → validated → one store transaction (the item, its change row for the
//! search index and syncing instances, and its audit entry), in that order:
//! [`Error::NotFound`], [`Error::Forbidden`], [`Error::Invalid`], [`Error::Conflict`].
//!
//! - [`extract`]: the text of a PDF, DOCX, HTML, TXT or Markdown file, within limits;
//! - [`encoding`]: UTF-8 and the legacy Vietnamese encodings (TCVN3, VNI, VISCII);
//! - [`catalogue`]: bulk import of a CSV / XLSX / JSON Lines catalogue or a folder of files;
//! - [`feeds`]: pull sources, an agency's feed or sitemap polled on a schedule;
//! - [`sync`]: following another Đồng Bộ's change feed (`dongbo library sync`);
//! - [`http`]: the one place reqwest clients are made (TLS with rustls and ring, the trust
//!   store and an optional CA file), for both and for the workspace's tests;
//! - [`duplicates`]: near-duplicates proposed, merged or dismissed.
//!
//! Who may read what is [`Readership`] (from `dongbo_domain::library`); who may write is
//! [`Action::EditLibrary`] on the item's owner agency (a librarian's or an admin's).
#![forbid(unsafe_code)]

pub mod catalogue;
pub mod duplicates;
pub mod encoding;
pub mod extract;
pub mod feeds;
pub mod files;
pub mod http;
mod input;
pub mod search;
pub mod sync;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use dongbo_domain::access::{Action, ROOT_AGENCY, Role};
use dongbo_domain::library::{Readership, Topic};
use dongbo_domain::{Clock, Directory};
use dongbo_store::accounts::Caller;
use dongbo_store::library::{self as store, Change, ChangeOp, Incoming};
use dongbo_store::{Db, EvidenceLimits, EvidenceStore, StoreError};

pub use dongbo_store::library::{
    Item, ItemData, Outcome, Provenance, StoredTopic, TextStatus, Written,
};
pub use input::{FieldError, ItemInput};

/// The library on one server: its database, the agency directory (whose subtrees grants
/// cover), the folder its files are kept in, and the server's clock.
#[derive(Clone)]
pub struct Library {
    db: Db,
    directory: Directory,
    files: EvidenceStore,
    clock: Clock,
    /// The server's full-text index (`search`); `None` where nothing searches (an import
    /// from the command line), and searching answers that it is unavailable.
    index: Option<std::sync::Arc<dyn dongbo_search::Engine>>,
    /// The ranges pull sources may reach besides public addresses (`feeds::address`).
    address_policy: std::sync::Arc<feeds::address::AddressPolicy>,
    /// The certificate authorities https sources and followed instances are checked against.
    trust: http::Trust,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("files", &self.files)
            .field("indexed", &self.index.is_some())
            .finish_non_exhaustive()
    }
}

/// Why an operation did not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such item, or one the caller may not read (ids tell nothing of others' items).
    #[error("not found")]
    NotFound,
    /// The caller may read it but not change it.
    #[error("forbidden")]
    Forbidden,
    /// Values that do not hold, each with its field.
    #[error("invalid input: {}", describe(.0))]
    Invalid(Vec<FieldError>),
    /// The item's state does not allow it (another item has the same text).
    #[error("{0}")]
    Conflict(String),
    /// The storage refuses writes (read-only or full): nothing was written.
    #[error("storage refuses writes: {0}")]
    Unavailable(StoreError),
    #[error("storage failed: {0}")]
    Store(StoreError),
}

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(_) => Error::NotFound,
            StoreError::Invalid(why) => Error::Invalid(vec![FieldError::new("", why)]),
            StoreError::Conflict(why) | StoreError::WrongState(why) => Error::Conflict(why),
            other if other.refuses_writes() => Error::Unavailable(other),
            other => Error::Store(other),
        }
    }
}

/// The largest page of changes [`Library::changes_after`] gives.
pub const MAX_CHANGES: i64 = 1_000;

impl Library {
    /// The library over `db`, keeping files under `files_dir` (the evidence files' folder:
    /// one store of files by content for the whole server).
    pub fn new(db: Db, directory: Directory, files_dir: impl Into<PathBuf>, clock: Clock) -> Self {
        Library {
            db,
            directory,
            files: EvidenceStore::new(files_dir, EvidenceLimits::default()),
            clock,
            index: None,
            address_policy: std::sync::Arc::default(),
            trust: http::Trust::system(),
        }
    }

    /// This library trusting `trust` for https (the system's store and `--library-ca-file`).
    pub fn with_trust(self, trust: http::Trust) -> Self {
        Library { trust, ..self }
    }

    /// What https sources and followed instances are checked against.
    pub fn trust(&self) -> &http::Trust {
        &self.trust
    }

    /// This library on `clock` (a test's pinned day).
    pub fn with_clock(self, clock: Clock) -> Self {
        Library { clock, ..self }
    }

    /// This library searching with `index`, kept in step by [`search::Indexer`].
    pub fn with_index(self, index: std::sync::Arc<dyn dongbo_search::Engine>) -> Self {
        Library {
            index: Some(index),
            ..self
        }
    }

    /// Whether `caller` may change or remove `item` (a librarian or admin of its owner).
    pub fn may_edit(&self, caller: &Caller, item: &Item) -> bool {
        self.require_edit_found(caller, item.data.owner.as_deref())
            .is_ok()
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    pub(crate) fn files(&self) -> &EvidenceStore {
        &self.files
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// What `caller` may read (`None`: no one signed in).
    pub fn readership(&self, caller: Option<&Caller>) -> Readership {
        match caller {
            Some(caller) => Readership::of(&caller.grants, &self.directory),
            None => Readership::Public,
        }
    }

    /// Item `id`, when the caller may read it; an item they may not read is not found.
    pub async fn get(&self, caller: Option<&Caller>, id: i64) -> Result<Item> {
        let item = store::items::get(&self.db, id)
            .await?
            .ok_or(Error::NotFound)?;
        let reader = self.readership(caller);
        if reader.may_read(&item.data.visibility, item.data.owner.as_deref()) {
            Ok(item)
        } else {
            Err(Error::NotFound)
        }
    }

    /// Adds an item (or, when another item has the same text, records nothing new and answers
    /// that item: the same text is one item).
    pub async fn create(&self, caller: &Caller, input: &ItemInput) -> Result<Written> {
        let topics = self.topic_codes().await?;
        let data = input.validate(&self.directory, &topics)?;
        self.require_edit(caller, data.owner.as_deref())?;
        let incoming = Incoming {
            data,
            provenance: None,
        };
        Ok(store::items::upsert(&self.db, &incoming, &caller.user.username, self.now()).await?)
    }

    /// Replaces what item `id` says. The caller must be able to edit it where it is and where
    /// it goes (a change of owner).
    pub async fn update(&self, caller: &Caller, id: i64, input: &ItemInput) -> Result<Written> {
        let current = self.get(Some(caller), id).await?;
        self.require_edit_found(caller, current.data.owner.as_deref())?;
        let topics = self.topic_codes().await?;
        let mut data = input.validate(&self.directory, &topics)?;
        self.require_edit(caller, data.owner.as_deref())?;
        // Files are attached by imports and uploads, not by a form's fields: they stay.
        data.attachments = current.data.attachments;
        Ok(store::items::update(&self.db, id, &data, &caller.user.username, self.now()).await?)
    }

    /// Removes item `id`.
    pub async fn delete(&self, caller: &Caller, id: i64) -> Result<()> {
        let current = self.get(Some(caller), id).await?;
        self.require_edit_found(caller, current.data.owner.as_deref())?;
        Ok(store::items::delete(&self.db, id, &caller.user.username, self.now()).await?)
    }

    /// An item another system sends (the push API): the pair (`system`, `external_id`) names
    /// it, so a retry or a re-send updates the same item, never a second one. The owner is
    /// the input's, else `system` when it is an agency's code.
    pub async fn push(
        &self,
        caller: &Caller,
        system: &str,
        external_id: &str,
        input: &ItemInput,
    ) -> Result<Written> {
        let (system, external_id) = input::key(system, external_id)?;
        let mut input = input.clone();
        if input.owner.as_deref().is_none_or(str::is_empty)
            && self.directory.agency(&system).is_some()
        {
            input.owner = Some(system.clone());
        }
        let topics = self.topic_codes().await?;
        let data = input.validate(&self.directory, &topics)?;
        self.require_edit(caller, data.owner.as_deref())?;
        if let Some(id) = store::items::find_by_key(&self.db, &system, &external_id).await? {
            // A re-send may not move another agency's item.
            let current = self.get(Some(caller), id).await?;
            self.require_edit_found(caller, current.data.owner.as_deref())?;
            let mut data = data;
            data.attachments = current.data.attachments;
            return self.push_write(caller, system, external_id, data).await;
        }
        self.push_write(caller, system, external_id, data).await
    }

    async fn push_write(
        &self,
        caller: &Caller,
        system: String,
        external_id: String,
        data: ItemData,
    ) -> Result<Written> {
        let incoming = Incoming {
            data,
            provenance: Some(Provenance {
                system,
                external_id: Some(external_id),
                url: None,
                file_name: None,
                received_at: self.now(),
            }),
        };
        Ok(store::items::upsert(&self.db, &incoming, &caller.user.username, self.now()).await?)
    }

    /// Removes the item a (system, external id) pair names.
    pub async fn delete_pushed(
        &self,
        caller: &Caller,
        system: &str,
        external_id: &str,
    ) -> Result<()> {
        let (system, external_id) = input::key(system, external_id)?;
        let id = store::items::find_by_key(&self.db, &system, &external_id)
            .await?
            .ok_or(Error::NotFound)?;
        self.delete(caller, id).await
    }

    /// The topic vocabulary, parents before children.
    pub async fn topics(&self) -> Result<Vec<StoredTopic>> {
        Ok(store::topics::all(&self.db).await?)
    }

    /// Whether `caller` may add and rename topics: an admin on the Government only (the
    /// vocabulary is every agency's).
    pub fn may_edit_topics(&self, caller: &Caller) -> bool {
        caller
            .grants
            .iter()
            .any(|g| g.role == Role::Admin && g.agency_code == ROOT_AGENCY)
    }

    /// Adds or renames a topic (see [`Self::may_edit_topics`]).
    pub async fn save_topic(&self, caller: &Caller, topic: &Topic) -> Result<()> {
        if !self.may_edit_topics(caller) {
            return Err(Error::Forbidden);
        }
        let topic = input::topic(topic)?;
        Ok(store::topics::save(&self.db, &topic, &caller.user.username, self.now()).await?)
    }

    /// Fills an empty vocabulary with the shipped topics (`data/library/topics.toml`);
    /// returns how many were added (none when the vocabulary has any topic).
    pub async fn seed_topics(&self) -> Result<usize> {
        let shipped = dongbo_domain::library::bundled_topics();
        Ok(store::topics::seed(&self.db, &shipped, "system", self.now()).await?)
    }

    /// The changes after `after`, at most `limit` (capped at [`MAX_CHANGES`]), as `reader`
    /// sees them: an item the reader may not read is a delete for them (it may have become
    /// restricted since they copied it), with no data.
    pub async fn changes_after(
        &self,
        reader: &Readership,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Change>> {
        let mut changes =
            store::changes::changes_after(&self.db, after, limit.clamp(0, MAX_CHANGES)).await?;
        for change in &mut changes {
            let readable = change.item.as_ref().is_some_and(|item| {
                reader.may_read(&item.data.visibility, item.data.owner.as_deref())
            });
            if change.op == ChangeOp::Upsert && !readable {
                change.op = ChangeOp::Delete;
                change.item = None;
            }
        }
        Ok(changes)
    }

    /// The sequence number of the last change.
    pub async fn last_seq(&self) -> Result<i64> {
        Ok(store::changes::last_seq(&self.db).await?)
    }

    pub(crate) async fn topic_codes(&self) -> Result<Vec<String>> {
        Ok(self
            .topics()
            .await?
            .into_iter()
            .map(|t| t.topic.code)
            .collect())
    }

    /// Refuses unless the caller may edit items owned by `owner` (an item with no owner is the
    /// Government's: only a grant on the root covers it).
    fn require_edit(&self, caller: &Caller, owner: Option<&str>) -> Result<()> {
        let agency = owner.unwrap_or(ROOT_AGENCY);
        if caller.can(Action::EditLibrary, agency, &self.directory) {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// [`Self::require_edit`] on an item the caller has found (and may read).
    fn require_edit_found(&self, caller: &Caller, owner: Option<&str>) -> Result<()> {
        self.require_edit(caller, owner)
    }
}
