//! The facets of a search: each facet's values counted over every matching document, in the
//! same pass that finds the hits. Each segment counts a value by its number in the segment's
//! column (an array per facet, no hashing per document) and names the values it counted once,
//! at the end. tantivy's general terms aggregation did the same work through a hash map per
//! document and value.

use std::collections::{BTreeMap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::FACETS;

/// A facet shows at most this many values.
const FACET_VALUES: usize = 50;
/// The facet counted over a number column (the others are text columns).
const YEAR: &str = "year";

/// Each facet's values with their numbers of matching documents, most first.
pub(crate) type FacetCounts = BTreeMap<String, Vec<(String, u64)>>;

/// Counts the facets of [`FACETS`] over the documents a query matches.
pub(crate) struct FacetCollector;

/// One segment's counts: per text facet its column and a count per value number; the years.
pub(crate) struct SegmentFacets {
    texts: Vec<(&'static str, StrColumn, Vec<u32>)>,
    years: Option<(Column<u64>, BTreeMap<u64, u64>)>,
    /// The value numbers of the document being counted (a value is counted once per document).
    seen: Vec<u64>,
}

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        let fast = segment.fast_fields();
        let mut texts = Vec::new();
        for facet in FACETS.into_iter().filter(|f| *f != YEAR) {
            // A segment where no document has the field has no column: nothing to count.
            if let Some(column) = fast.str(facet)? {
                let counts = vec![0; column.num_terms()];
                texts.push((facet, column, counts));
            }
        }
        let years = fast.u64(YEAR).ok().map(|column| (column, BTreeMap::new()));
        Ok(SegmentFacets {
            texts,
            years,
            seen: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segments: Vec<HashMap<String, HashMap<String, u64>>>,
    ) -> tantivy::Result<FacetCounts> {
        let mut merged: HashMap<String, HashMap<String, u64>> = HashMap::new();
        for segment in segments {
            for (facet, values) in segment {
                let counts = merged.entry(facet).or_default();
                for (value, n) in values {
                    *counts.entry(value).or_default() += n;
                }
            }
        }
        Ok(merged
            .into_iter()
            .map(|(facet, values)| {
                let mut values: Vec<(String, u64)> = values.into_iter().collect();
                // Most first; among equals, by value, so the order never depends on segments.
                values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                values.truncate(FACET_VALUES);
                (facet, values)
            })
            .collect())
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = HashMap<String, HashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (_, column, counts) in &mut self.texts {
            self.seen.clear();
            for ordinal in column.term_ords(doc) {
                if !self.seen.contains(&ordinal) {
                    self.seen.push(ordinal);
                    if let Some(count) = counts.get_mut(ordinal as usize) {
                        *count += 1;
                    }
                }
            }
        }
        if let Some((column, years)) = &mut self.years {
            self.seen.clear();
            for year in column.values_for_doc(doc) {
                if !self.seen.contains(&year) {
                    self.seen.push(year);
                    *years.entry(year).or_default() += 1;
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut fruit = HashMap::new();
        let mut name = String::new();
        for (facet, column, counts) in self.texts {
            let mut values = HashMap::new();
            for (ordinal, &count) in counts.iter().enumerate() {
                name.clear();
                if count > 0 && matches!(column.ord_to_str(ordinal as u64, &mut name), Ok(true)) {
                    values.insert(name.clone(), u64::from(count));
                }
            }
            fruit.insert(facet.to_owned(), values);
        }
        if let Some((_, years)) = self.years {
            let values = years
                .into_iter()
                .map(|(year, n)| (year.to_string(), n))
                .collect();
            fruit.insert(YEAR.to_owned(), values);
        }
        fruit
    }
}
