//! Near-duplicates (issue 20): the pairs of items whose texts share most of their 3-syllable
//! runs (`dongbo_domain::near_duplicate`, computed at each write in the store), proposed to the
//! librarians and administrators who may edit both items, who merge them (one item kept, the
//! other's provenances, topics, countries and citations moved to it, the other removed) or
//! dismiss them (the pair is never proposed again).

use dongbo_domain::access::Role;
use dongbo_store::accounts::Caller;
use dongbo_store::library::duplicates::{self as store, Proposal};
use serde::Serialize;

use crate::{Error, Item, Library, Result};

/// The most proposals a page lists.
pub const MAX_LISTED: i64 = 500;

/// A proposal with its two items, as the page and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalView {
    #[serde(flatten)]
    pub proposal: Proposal,
    pub a: Item,
    pub b: Item,
    /// The first passage (sentence or line) where their texts differ, from each.
    pub difference: Option<(String, String)>,
}

impl Library {
    /// The open proposals whose two items `caller` may edit, the most similar first; only
    /// for librarians and administrators (others are refused).
    pub async fn duplicate_proposals(&self, caller: &Caller) -> Result<Vec<ProposalView>> {
        let keeper = caller
            .grants
            .iter()
            .any(|g| matches!(g.role, Role::Librarian | Role::Admin));
        if !keeper {
            return Err(Error::Forbidden);
        }
        let mut views = Vec::new();
        for proposal in store::open(self.db(), MAX_LISTED).await? {
            let Some((a, b)) = self.editable_pair(caller, &proposal).await? else {
                continue;
            };
            let difference = first_difference(&a.data.body, &b.data.body);
            views.push(ProposalView {
                proposal,
                a,
                b,
                difference,
            });
        }
        Ok(views)
    }

    /// Proposal `id` with its items, when the caller may edit both (else not found or
    /// forbidden, as for an item).
    pub async fn duplicate_proposal(&self, caller: &Caller, id: i64) -> Result<ProposalView> {
        let proposal = store::get(self.db(), id).await?.ok_or(Error::NotFound)?;
        let (a, b) = self.decidable_pair(caller, &proposal).await?;
        let difference = first_difference(&a.data.body, &b.data.body);
        Ok(ProposalView {
            proposal,
            a,
            b,
            difference,
        })
    }

    /// Merges proposal `id`'s pair into `keep` (one of its items). See the module's
    /// documentation.
    pub async fn merge_duplicates(&self, caller: &Caller, id: i64, keep: i64) -> Result<()> {
        let proposal = store::get(self.db(), id).await?.ok_or(Error::NotFound)?;
        self.decidable_pair(caller, &proposal).await?;
        if keep != proposal.item_a && keep != proposal.item_b {
            return Err(Error::Invalid(vec![crate::FieldError::new(
                "keep",
                format!(
                    "giữ lại mục {} hoặc {} (keep item {} or {})",
                    proposal.item_a, proposal.item_b, proposal.item_a, proposal.item_b
                ),
            )]));
        }
        store::merge(self.db(), id, keep, &caller.user.username, self.now()).await?;
        self.catch_up().await.ok();
        Ok(())
    }

    /// Dismisses proposal `id`: its pair is never proposed again.
    pub async fn dismiss_duplicates(&self, caller: &Caller, id: i64) -> Result<()> {
        let proposal = store::get(self.db(), id).await?.ok_or(Error::NotFound)?;
        self.decidable_pair(caller, &proposal).await?;
        store::dismiss(self.db(), id, &caller.user.username, self.now()).await?;
        Ok(())
    }

    /// Computes the signatures of items written before near-duplicates were kept (at most
    /// `limit`); how many were done.
    pub async fn fingerprint_missing(&self, limit: i64) -> Result<usize> {
        Ok(store::backfill(self.db(), limit, self.now()).await?)
    }

    /// Both items of `proposal` when the caller may edit both; `None` otherwise (a listing
    /// leaves the pair out).
    async fn editable_pair(
        &self,
        caller: &Caller,
        proposal: &Proposal,
    ) -> Result<Option<(Item, Item)>> {
        match self.decidable_pair(caller, proposal).await {
            Ok(pair) => Ok(Some(pair)),
            Err(Error::NotFound | Error::Forbidden) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Both items of `proposal`: not found when the caller may not read one, forbidden when
    /// they may not edit one.
    async fn decidable_pair(&self, caller: &Caller, proposal: &Proposal) -> Result<(Item, Item)> {
        let a = self.get(Some(caller), proposal.item_a).await?;
        let b = self.get(Some(caller), proposal.item_b).await?;
        if self.may_edit(caller, &a) && self.may_edit(caller, &b) {
            Ok((a, b))
        } else {
            Err(Error::Forbidden)
        }
    }
}

/// The longest passage shown of a difference.
const PASSAGE: usize = 300;

/// The first passage (sentence or line) where `a` and `b` differ, from each (empty where one
/// has ended); `None` when they do not differ.
pub fn first_difference(a: &str, b: &str) -> Option<(String, String)> {
    let passages = |text: &str| -> Vec<String> {
        text.split_inclusive(['.', '!', '?', '\n'])
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect()
    };
    let (a, b) = (passages(a), passages(b));
    let index = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i))?;
    let shown = |list: &[String]| -> String {
        list.get(index)
            .map(|p| p.chars().take(PASSAGE).collect())
            .unwrap_or_default()
    };
    Some((shown(&a), shown(&b)))
}

#[cfg(test)]
mod tests {
    use super::first_difference;

    #[test]
    fn the_first_differing_sentence_is_shown_from_each_text() {
        assert_eq!(
            first_difference("Một câu. Hai câu. Ba.", "Một câu.  Hai  câu! Ba."),
            Some(("Hai câu.".to_owned(), "Hai câu!".to_owned()))
        );
        assert_eq!(
            first_difference("Một câu.", "Một câu. Thêm đoạn."),
            Some((String::new(), "Thêm đoạn.".to_owned()))
        );
        assert_eq!(first_difference("Giống nhau.", "Giống  nhau."), None);
    }
}
