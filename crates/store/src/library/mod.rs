//! The external-information library's tables (issue 20): [`items`] (an item with its
//! provenances and attachments, written with its change row and audit entry in one
//! transaction), [`changes`] (the outbox and change feed the search index and a syncing
//! instance follow), [`topics`] (the vocabulary, a tree), [`sources`] (the pull sources:
//! feeds and sitemaps polled on a schedule, with their health), [`sync`] (the instances this
//! one follows, their cursors, a page of their changes applied) and [`duplicates`]
//! (near-duplicate signatures and the pairs proposed for a person to merge).
//!
//! Permission checks and input rules are the `library` crate's; this module keeps what the
//! database must: one item per (system, external id), one item per normalised text, and a
//! change row for every item write in its transaction, numbered in commit order.

pub mod changes;
pub mod duplicates;
pub mod items;
pub mod sources;
pub mod sync;
pub mod topics;

pub use changes::{Change, ChangeOp};
pub use items::{
    Attachment, Incoming, Item, ItemData, Outcome, PendingFile, Provenance, TextStatus, Written,
    content_hash,
};
pub use sources::{NewSource, PollRecord, Source, SourceKind};
pub use topics::StoredTopic;
