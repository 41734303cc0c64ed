//! A [`Query`] in our terms made into tantivy's: each word a clause of its exact and folded
//! forms (or its exact form only, if typed with diacritics), every word required, adjacent
//! words scored higher, the reader's visibility and the filters required without scoring.

use std::collections::HashSet;
use std::ops::{Bound, Range};

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query as TantivyQuery,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::analysis::{self, Form, Stems};
use crate::tantivy_index::{Fields, date_time};
use crate::{Query, Reader, Snippet};

/// Weights: a word in the title counts more than in the text, and an exact match more than a
/// folded one, so "Đà Nẵng" typed either way ranks the items titled with it first.
const TITLE: f32 = 3.0;
const EXACT: f32 = 1.5;
const FOLDED: f32 = 1.0;
const STEM: f32 = 0.6;
const PREFIX: f32 = 1.0;
/// Adjacent words (a Vietnamese word is often two or three syllables: "thông tin").
const ADJACENT: f32 = 2.0;

/// The tantivy query and what the snippets highlight.
pub(crate) struct Built {
    pub(crate) query: Box<dyn TantivyQuery>,
    /// The text asked for nothing: every readable document matches.
    pub(crate) matches_everything: bool,
    snippet_terms: HashSet<String>,
    /// The folded words, when every word was typed without diacritics (and no phrase).
    plain_typed: Option<Vec<String>>,
}

impl Built {
    /// The passage of `body` (or of `summary`, if the body has no word asked for) around the
    /// words asked for; the beginning of the text if neither has one. `length` is in bytes of
    /// UTF-8, as tantivy's snippets count it (240 bytes are about 100 Vietnamese letters).
    pub(crate) fn snippet(&self, summary: &str, body: &str, length: usize) -> Snippet {
        for text in [body, summary] {
            if let Some(found) = passage(text, &self.snippet_terms, length) {
                return found;
            }
        }
        let text = if summary.trim().is_empty() {
            body
        } else {
            summary
        };
        let end = text
            .char_indices()
            .nth(length)
            .map_or(text.len(), |(at, _)| at);
        Snippet {
            text: text[..end].to_owned(),
            highlights: Vec::new(),
        }
    }
}

/// At most this many readings are offered.
const READINGS: usize = 3;

impl Built {
    /// How the hits' snippets write the words typed without diacritics: runs of highlighted
    /// words side by side whose folded forms are the typed ones, kept where they carry
    /// diacritics, most frequent first (the first seen first among equals).
    pub(crate) fn readings(&self, hits: &[crate::Hit]) -> Vec<String> {
        let Some(typed) = &self.plain_typed else {
            return Vec::new();
        };
        let mut counted: Vec<(String, usize)> = Vec::new();
        for hit in hits {
            let snippet = &hit.snippet;
            for run in snippet.highlights.windows(typed.len()) {
                // Side by side: only spaces between one highlighted word and the next.
                let together = run
                    .windows(2)
                    .all(|two| snippet.text[two[0].end..two[1].start].trim().is_empty());
                let words = run.iter().map(|r| &snippet.text[r.clone()]);
                let folded = words.clone().map(|w| analysis::term(w, Form::Folded));
                if !together || !folded.eq(typed.iter().cloned()) {
                    continue;
                }
                let reading = words.collect::<Vec<_>>().join(" ");
                if !analysis::is_accented(&reading) {
                    continue;
                }
                let lower = reading.to_lowercase();
                match counted.iter_mut().find(|(r, _)| r.to_lowercase() == lower) {
                    Some((_, n)) => *n += 1,
                    None => counted.push((reading, 1)),
                }
            }
        }
        // A stable sort keeps the first seen first among readings as frequent.
        counted.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        counted.into_iter().take(READINGS).map(|(r, _)| r).collect()
    }
}

/// The passage of `text` with the most words of `terms` (folded), the first of those as good:
/// the text cut, from the start, into passages of at most `length` bytes ending at a word's end,
/// each scored by the words asked for it holds; `None` if no passage holds one. What tantivy's
/// snippet generator does, read word by word without making a string of each word (its
/// lower-casing of every word of every hit's text was a fifth of a search's time).
fn passage(text: &str, terms: &HashSet<String>, length: usize) -> Option<Snippet> {
    struct Passage {
        start: usize,
        stop: usize,
        found: Vec<Range<usize>>,
    }
    let mut best: Option<Passage> = None;
    let mut current = Passage {
        start: 0,
        stop: 0,
        found: Vec::new(),
    };
    let mut keep = |passage: &mut Passage, next_start: usize| {
        let better = best
            .as_ref()
            .is_none_or(|b| passage.found.len() > b.found.len());
        let done = std::mem::replace(
            passage,
            Passage {
                start: next_start,
                stop: next_start,
                found: Vec::new(),
            },
        );
        if !done.found.is_empty() && better {
            best = Some(done);
        }
    };
    let mut folded = String::new();
    for (from, word) in analysis::words(text) {
        let to = from + word.len();
        if to - current.start > length {
            keep(&mut current, from);
        }
        current.stop = to;
        folded.clear();
        analysis::fold_into(word, &mut folded);
        if terms.contains(folded.as_str()) {
            current.found.push(from..to);
        }
    }
    keep(&mut current, text.len());
    let best = best?;
    Some(Snippet {
        text: text[best.start..best.stop].to_owned(),
        highlights: best
            .found
            .into_iter()
            .map(|r| r.start - best.start..r.end - best.start)
            .collect(),
    })
}

/// One piece of what was typed.
enum Piece {
    Word(String),
    /// Words in double quotes.
    Phrase(Vec<String>),
}

fn pieces(text: &str) -> Vec<Piece> {
    let text = dongbo_domain::text::nfc(text);
    let mut pieces = Vec::new();
    for (index, part) in text.split('"').enumerate() {
        let words: Vec<String> = analysis::words(part).map(|(_, w)| w.to_owned()).collect();
        if index % 2 == 1 && words.len() > 1 {
            pieces.push(Piece::Phrase(words));
        } else {
            pieces.extend(words.into_iter().map(Piece::Word));
        }
    }
    pieces
}

/// Whether any word typed carries diacritics.
pub(crate) fn has_accented_words(text: &str) -> bool {
    analysis::words(&dongbo_domain::text::nfc(text)).any(|(_, w)| analysis::is_accented(w))
}

fn term_query(field: Field, text: &str, boost: f32) -> Box<dyn TantivyQuery> {
    let query = TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    );
    Box::new(BoostQuery::new(Box::new(query), boost))
}

fn phrase_query(field: Field, terms: &[String], boost: f32) -> Box<dyn TantivyQuery> {
    let terms = terms
        .iter()
        .map(|t| Term::from_field_text(field, t))
        .collect();
    Box::new(BoostQuery::new(Box::new(PhraseQuery::new(terms)), boost))
}

fn any_of(clauses: Vec<Box<dyn TantivyQuery>>) -> Box<dyn TantivyQuery> {
    Box::new(BooleanQuery::new(
        clauses.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// Required, without adding to the score.
fn filter(query: Box<dyn TantivyQuery>) -> (Occur, Box<dyn TantivyQuery>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

/// What one word asks of a document: the clause it must match and the one that scores it
/// higher where it stands in the title.
struct WordClauses {
    must: Box<dyn TantivyQuery>,
    title: Box<dyn TantivyQuery>,
}

/// The clauses of one word. Typed with diacritics (unless `fold_all`), its exact form;
/// without, its folded form, its stems where a text in another language is inflected, and
/// its title beginnings if it is still being typed. Each text field holds the title too, so
/// a word's match is usually one term's postings, which an intersection skips through, not a
/// union of fields that reads every posting of each (the unions were a quarter of a search's
/// time).
fn word_clauses(
    fields: &Fields,
    stems: &mut Stems,
    word: &str,
    fold_all: bool,
    beginning: bool,
) -> WordClauses {
    // A word typed with diacritics means exactly that. One typed without them has no exact
    // form to prefer: "da nang" means Đà Nẵng as much as the English "Da Nang", and rewarding
    // text written without diacritics would put foreign text before Vietnamese.
    if analysis::is_accented(word) && !fold_all {
        let exact = analysis::term(word, Form::Exact);
        return WordClauses {
            must: term_query(fields.text, &exact, EXACT),
            title: term_query(fields.title, &exact, TITLE * EXACT),
        };
    }
    let folded = analysis::term(word, Form::Folded);
    let mut matches = vec![term_query(fields.text_folded, &folded, FOLDED)];
    for stem in stems.every_term(word) {
        matches.push(term_query(fields.stemmed, &stem, STEM));
    }
    if beginning {
        matches.push(term_query(fields.title_prefixes, &folded, TITLE * PREFIX));
    }
    WordClauses {
        must: any_of(matches),
        title: term_query(fields.title_folded, &folded, TITLE * FOLDED),
    }
}

/// The folded words typed, if all were typed without diacritics and outside quotes.
fn plain_typed(pieces: &[Piece]) -> Option<Vec<String>> {
    let mut words = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Word(word) if !analysis::is_accented(word) => {
                words.push(analysis::term(word, Form::Folded));
            }
            _ => return None,
        }
    }
    (!words.is_empty()).then_some(words)
}

/// The words' forms the snippets highlight (folded, so a folded match is highlighted too).
fn snippet_terms(pieces: &[Piece]) -> HashSet<String> {
    let mut terms = HashSet::new();
    for piece in pieces {
        let words = match piece {
            Piece::Word(word) => std::slice::from_ref(word),
            Piece::Phrase(words) => &words[..],
        };
        for word in words {
            terms.insert(analysis::term(word, Form::Folded));
        }
    }
    terms
}

pub(crate) fn build(fields: &Fields, query: &Query, fold_all: bool) -> Built {
    let pieces = pieces(&query.text);
    let mut stems = Stems::new();
    let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
    // The last word is a beginning only while the user is still typing it.
    let typing = query.prefix && !query.text.ends_with(char::is_whitespace);
    let last_word = pieces.iter().rposition(|p| matches!(p, Piece::Word(_)));
    let mut plain_words: Vec<&String> = Vec::new();
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Word(word) => {
                let beginning = typing && Some(index) == last_word && index + 1 == pieces.len();
                let asked = word_clauses(fields, &mut stems, word, fold_all, beginning);
                clauses.push((Occur::Must, asked.must));
                clauses.push((Occur::Should, asked.title));
                if !beginning {
                    plain_words.push(word);
                }
            }
            Piece::Phrase(words) => {
                let accented = !fold_all && words.iter().any(|w| analysis::is_accented(w));
                let (form, title, text) = if accented {
                    (Form::Exact, fields.title, fields.text)
                } else {
                    (Form::Folded, fields.title_folded, fields.text_folded)
                };
                let terms: Vec<String> = words.iter().map(|w| analysis::term(w, form)).collect();
                clauses.push((Occur::Must, phrase_query(text, &terms, 1.0)));
                clauses.push((Occur::Should, phrase_query(title, &terms, TITLE)));
            }
        }
    }
    // Words typed side by side score higher where they stand side by side.
    if plain_words.len() > 1 {
        let folded: Vec<String> = plain_words
            .iter()
            .map(|w| analysis::term(w, Form::Folded))
            .collect();
        clauses.push((
            Occur::Should,
            phrase_query(fields.title_folded, &folded, TITLE * ADJACENT),
        ));
        // In the text, each pair of words side by side is one term: no positions to read
        // for every match (reading them was a sixth of the search's time).
        let pairs = folded
            .windows(2)
            .map(|two| {
                term_query(
                    fields.text_pairs,
                    &analysis::pair(&two[0], &two[1]),
                    ADJACENT,
                )
            })
            .collect();
        clauses.push((Occur::Should, any_of(pairs)));
    }
    let matches_everything = !clauses.iter().any(|(occur, _)| *occur == Occur::Must);
    if matches_everything {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    if let Some(readers) = readers(fields, &query.reader) {
        clauses.push(filter(readers));
    }
    let f = &query.filters;
    for (field, value) in [
        (fields.kind, &f.kind),
        (fields.language, &f.language),
        (fields.topic, &f.topic),
        (fields.country, &f.country),
        (fields.agency, &f.agency),
    ] {
        if let Some(value) = value {
            clauses.push(filter(Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))));
        }
    }
    if f.from.is_some() || f.to.is_some() {
        let bound = |date: Option<chrono::NaiveDate>| match date {
            Some(date) => Bound::Included(Term::from_field_date(fields.published, date_time(date))),
            None => Bound::Unbounded,
        };
        clauses.push(filter(Box::new(RangeQuery::new(
            bound(f.from),
            bound(f.to),
        ))));
    }
    Built {
        query: Box::new(BooleanQuery::new(clauses)),
        matches_everything,
        snippet_terms: snippet_terms(&pieces),
        plain_typed: plain_typed(&pieces),
    }
}

/// What the reader may read, as a query; `None` for everything.
fn readers(fields: &Fields, reader: &Reader) -> Option<Box<dyn TantivyQuery>> {
    let term = |text: &str| Term::from_field_text(fields.readers, text);
    match reader {
        Reader::Everything => None,
        Reader::Public => Some(Box::new(TermQuery::new(
            term("public"),
            IndexRecordOption::Basic,
        ))),
        Reader::Government { agencies } => {
            let mut terms = vec![term("public"), term("government")];
            for code in agencies {
                terms.push(term(&format!("agency:{code}")));
                terms.push(term(&format!("owner:{code}")));
            }
            // A handful of terms: a union of term queries (a term set builds an automaton
            // per segment for each search).
            let terms = terms
                .into_iter()
                .map(|term| {
                    let query: Box<dyn TantivyQuery> =
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                    (Occur::Should, query)
                })
                .collect();
            Some(Box::new(BooleanQuery::new(terms)))
        }
    }
}
