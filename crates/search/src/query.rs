//! A [`Query`] in our terms made into tantivy's: each word a clause of its exact and folded
//! forms (or its exact form only, if typed with diacritics), every word required, adjacent
//! words scored higher, the reader's visibility and the filters required without scoring.

use std::collections::BTreeMap;
use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query as TantivyQuery,
    RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{self, Form, Stems, Syllables};
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
    snippet_terms: BTreeMap<String, f32>,
}

impl Built {
    /// The passage of `body` (or of `summary`, if the body has no word asked for) around the
    /// words asked for; the beginning of the text if neither has one.
    pub(crate) fn snippet(&self, summary: &str, body: &str, chars: usize) -> Snippet {
        let generator = SnippetGenerator::new(
            self.snippet_terms.clone(),
            TextAnalyzer::from(Syllables(Form::Folded)),
            // The field is only named, for `snippet_from_doc`, which is not used.
            Field::from_field_id(0),
            chars,
        );
        for text in [body, summary] {
            let found = generator.snippet(text);
            if !found.highlighted().is_empty() {
                let fragment = found.fragment();
                return Snippet {
                    text: fragment.to_owned(),
                    highlights: found.highlighted().to_vec(),
                };
            }
        }
        let text = if summary.trim().is_empty() {
            body
        } else {
            summary
        };
        let end = text
            .char_indices()
            .nth(chars)
            .map_or(text.len(), |(at, _)| at);
        Snippet {
            text: text[..end].to_owned(),
            highlights: Vec::new(),
        }
    }
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

/// The clause of one word: its exact form only if typed with diacritics (unless `fold_all`),
/// else its exact, folded and stemmed forms; a beginning matches titles' word beginnings.
fn word_clause(
    fields: &Fields,
    stems: &mut Stems,
    word: &str,
    fold_all: bool,
    beginning: bool,
) -> Box<dyn TantivyQuery> {
    let exact = analysis::term(word, Form::Exact);
    let folded = analysis::term(word, Form::Folded);
    let mut clauses = Vec::new();
    clauses.push(term_query(fields.title, &exact, TITLE * EXACT));
    clauses.push(term_query(fields.text, &exact, EXACT));
    if fold_all || !analysis::is_accented(word) {
        clauses.push(term_query(fields.title_folded, &folded, TITLE * FOLDED));
        clauses.push(term_query(fields.text_folded, &folded, FOLDED));
        for stem in stems.every_term(word) {
            clauses.push(term_query(fields.stemmed, &stem, STEM));
        }
        if beginning {
            clauses.push(term_query(fields.title_prefixes, &folded, TITLE * PREFIX));
        }
    }
    any_of(clauses)
}

/// The words' forms the snippets highlight (folded, so a folded match is highlighted too).
fn snippet_terms(pieces: &[Piece]) -> BTreeMap<String, f32> {
    let mut terms = BTreeMap::new();
    for piece in pieces {
        let words = match piece {
            Piece::Word(word) => std::slice::from_ref(word),
            Piece::Phrase(words) => &words[..],
        };
        for word in words {
            terms.insert(analysis::term(word, Form::Folded), 1.0);
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
                clauses.push((
                    Occur::Must,
                    word_clause(fields, &mut stems, word, fold_all, beginning),
                ));
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
                clauses.push((
                    Occur::Must,
                    any_of(vec![
                        phrase_query(title, &terms, TITLE),
                        phrase_query(text, &terms, 1.0),
                    ]),
                ));
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
        clauses.push((
            Occur::Should,
            phrase_query(fields.text_folded, &folded, ADJACENT),
        ));
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
            Some(Box::new(TermSetQuery::new(terms)))
        }
    }
}
