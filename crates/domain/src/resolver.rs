//! Agency resolution: the text of a "lead" or "coordinating" cell → agencies, agency sets and
//! the fragments that matched nothing, as of the document's date.
//!
//! Agency names contain commas ("Bộ Văn hóa, Thể thao và Du lịch") and hyphens ("Bộ Lao
//! động - Thương binh và Xã hội"), and the words that join names ("và") occur inside names
//! too ("Bộ Giáo dục và Đào tạo"). So a cell is never split first: it is scanned left to
//! right for the longest name, alias or set phrase of the directory that starts at each word,
//! comparing folded words and ignoring the punctuation between them. Between names only
//! separators may stand (punctuation, and "và", "cùng", "các"… when a name follows); a run of
//! words that names nothing is reported whole, in the document's own spelling, up to the next
//! comma.
//!
//! Every phrase of the directory is put into a word trie once, in [`AgencyResolver::new`], so
//! resolving a cell costs one hash lookup per word it reads. The words of the directory are
//! also remembered with their folded forms, because cells spell them the same way and a
//! lookup is several times cheaper than folding (NFD decomposition) each word again.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use unicode_normalization::{IsNormalized, is_nfc_quick};

use crate::Directory;
use crate::text::{fold, nfc};

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

impl Resolution {
    /// Whether every part of the cell named an agency or a set.
    pub fn is_fully_resolved(&self) -> bool {
        self.unresolved.is_empty()
    }
}

/// Folded words that join names in a cell ("Bộ Ngoại giao và các bộ, ngành, địa phương").
/// They are skipped only when a name follows them, because they also occur inside names.
const JOINING_WORDS: &[&str] = &[
    "va", "cung", "cac", "hoac", "voi", "and", "or", "with", "the", "all",
];

/// Resolves agency text against a directory.
#[derive(Debug, Clone)]
pub struct AgencyResolver {
    /// A trie over folded words; node 0 is the root.
    nodes: Vec<TrieNode>,
    /// Words of the directory's phrases as written (and in lower case and capitalised), with
    /// their folded forms.
    known_spellings: HashMap<String, String>,
}

#[derive(Debug, Clone, Default)]
struct TrieNode {
    children: HashMap<String, usize>,
    /// What a phrase ending at this node names; several when agencies share a name over time.
    candidates: Vec<Candidate>,
}

/// One thing a phrase may name.
#[derive(Debug, Clone)]
struct Candidate {
    code: String,
    is_set: bool,
    valid_from: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
}

impl Candidate {
    /// How many days `date` lies outside the candidate's life; 0 when it existed then.
    /// Sets are timeless.
    fn days_away_from(&self, date: NaiveDate) -> i64 {
        if let Some(from) = self.valid_from
            && date < from
        {
            return (from - date).num_days();
        }
        if let Some(until) = self.valid_until
            && date > until
        {
            return (date - until).num_days();
        }
        0
    }
}

impl AgencyResolver {
    pub fn new(directory: &Directory) -> Self {
        let mut resolver = Self {
            nodes: vec![TrieNode::default()],
            known_spellings: HashMap::new(),
        };
        for agency in &directory.agencies {
            let candidate = Candidate {
                code: agency.code.clone(),
                is_set: false,
                valid_from: agency.valid_from,
                valid_until: agency.valid_until,
            };
            let names = [&agency.name_vi, &agency.name_en]
                .into_iter()
                .chain(&agency.aliases);
            for name in names {
                resolver.insert(name, &candidate);
            }
        }
        for set in &directory.sets {
            let candidate = Candidate {
                code: set.code.clone(),
                is_set: true,
                valid_from: None,
                valid_until: None,
            };
            let names = [&set.name_vi, &set.name_en].into_iter().chain(&set.phrases);
            for name in names {
                resolver.insert(name, &candidate);
            }
        }
        resolver
    }

    fn insert(&mut self, phrase: &str, candidate: &Candidate) {
        let no_spellings = HashMap::new();
        let tokens = tokenize(phrase, &no_spellings);
        for word in tokens.iter().filter(|t| t.kind == TokenKind::Word) {
            let spelling = &phrase[word.start..word.end];
            let lower = spelling.to_lowercase();
            let mut characters = lower.chars();
            let capitalised: String = characters
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .chain(characters)
                .collect();
            for variant in [spelling.to_owned(), lower, capitalised] {
                // Folded again rather than copied: a capital can fold differently ("ß").
                if let Entry::Vacant(entry) = self.known_spellings.entry(variant) {
                    let folded = fold(entry.key());
                    entry.insert(folded);
                }
            }
        }
        let mut words = tokens
            .iter()
            .filter(|token| token.kind == TokenKind::Word)
            .peekable();
        if words.peek().is_none() {
            return;
        }
        let mut node = 0;
        for word in words {
            node = match self.nodes[node].children.get(word.folded.as_ref()) {
                Some(&child) => child,
                None => {
                    let child = self.nodes.len();
                    self.nodes.push(TrieNode::default());
                    self.nodes[node]
                        .children
                        .insert(word.folded.to_string(), child);
                    child
                }
            };
        }
        let candidates = &mut self.nodes[node].candidates;
        if !candidates
            .iter()
            .any(|c| c.code == candidate.code && c.is_set == candidate.is_set)
        {
            candidates.push(candidate.clone());
        }
    }

    /// Resolve `text` as a document dated `as_of` would mean it.
    pub fn resolve(&self, text: &str, as_of: NaiveDate) -> Resolution {
        let text = to_nfc(text.trim());
        let tokens = tokenize(&text, &self.known_spellings);
        let mut resolution = Resolution::default();
        let mut index = 0;
        while index < tokens.len() {
            if tokens[index].kind != TokenKind::Word {
                index += 1;
                continue;
            }
            if let Some((end, chosen)) = self
                .longest_match(&tokens, index)
                .and_then(|(end, node)| Some((end, self.choose(node, as_of)?)))
            {
                let list = if chosen.is_set {
                    &mut resolution.sets
                } else {
                    &mut resolution.agencies
                };
                push_once(list, &chosen.code);
                index = end;
                continue;
            }
            if let Some(next) = self.name_after_joining_words(&tokens, index) {
                index = next;
                continue;
            }
            let (fragment, next) = self.unresolved_run(&text, &tokens, index);
            if !fragment.is_empty() {
                push_once(&mut resolution.unresolved, &fragment);
            }
            index = next;
        }
        resolution.text = text;
        resolution
    }

    /// The longest phrase starting at word `start`: the index after its last word and its
    /// trie node. Punctuation between the words is passed over, so "Bộ Văn hóa Thể thao và Du
    /// lịch" and "Bộ Văn hóa, Thể thao và Du lịch" match alike.
    fn longest_match(&self, tokens: &[Token], start: usize) -> Option<(usize, usize)> {
        let mut node = 0;
        let mut best = None;
        let mut index = start;
        while let Some(token) = tokens.get(index) {
            if token.kind != TokenKind::Word {
                index += 1;
                continue;
            }
            let Some(&child) = self.nodes[node].children.get(token.folded.as_ref()) else {
                break;
            };
            node = child;
            index += 1;
            if !self.nodes[node].candidates.is_empty() {
                best = Some((index, node));
            }
        }
        best
    }

    /// When word `start` is a joining word ("và", "các") and a name follows it, possibly after
    /// more joining words, the index where that name starts.
    fn name_after_joining_words(&self, tokens: &[Token], start: usize) -> Option<usize> {
        if !is_joining_word(&tokens[start]) {
            return None;
        }
        // "và các", "cùng với các": a few tokens at most. The bound keeps a cell of nothing
        // but joining words linear instead of quadratic.
        const LOOKAHEAD: usize = 6;
        for (index, token) in tokens.iter().enumerate().skip(start + 1).take(LOOKAHEAD) {
            match token.kind {
                TokenKind::Soft => {}
                TokenKind::Word if self.longest_match(tokens, index).is_some() => {
                    return Some(index);
                }
                TokenKind::Word if is_joining_word(token) => {}
                _ => return None,
            }
        }
        None
    }

    /// The words from `start` that name nothing, up to the next comma or hard break or the
    /// next joining word that leads to a name: the fragment as the document spelled it, and
    /// where to go on.
    fn unresolved_run(&self, text: &str, tokens: &[Token], start: usize) -> (String, usize) {
        let mut first = start;
        let mut last = start;
        let mut index = start + 1;
        while let Some(token) = tokens.get(index) {
            match token.kind {
                TokenKind::Comma | TokenKind::Hard => break,
                TokenKind::Soft => {}
                TokenKind::Word => {
                    if is_joining_word(token)
                        && (self.longest_match(tokens, index).is_some()
                            || self.name_after_joining_words(tokens, index).is_some())
                    {
                        break;
                    }
                    // A conjunction that opens the run ("cùng các đơn vị trực thuộc") joins it
                    // to what came before; it is not part of what the document failed to name.
                    if first == last && is_conjunction(&tokens[first]) {
                        first = index;
                    }
                    last = index;
                }
            }
            index += 1;
        }
        let fragment = text[tokens[first].start..tokens[last].end].trim();
        (nfc(fragment), index)
    }

    /// Among the things a phrase names, the one a document dated `as_of` meant: an agency that
    /// existed that day, else the one nearest in time; an agency before a set of the same
    /// name; else the first in directory order.
    fn choose(&self, node: usize, as_of: NaiveDate) -> Option<&Candidate> {
        self.nodes[node]
            .candidates
            .iter()
            .min_by_key(|c| (c.days_away_from(as_of), c.is_set))
    }
}

/// The text in NFC; most cells already are, and checking is much cheaper than composing.
fn to_nfc(text: &str) -> String {
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text.to_owned()
    } else {
        nfc(text)
    }
}

fn push_once(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|existing| existing == value) {
        list.push(value.to_owned());
    }
}

/// Joining words that only join ("và", "cùng"), unlike "các" which also begins a phrase.
fn is_conjunction(token: &Token) -> bool {
    token.kind == TokenKind::Word
        && matches!(
            token.folded.as_ref(),
            "va" | "cung" | "hoac" | "voi" | "and" | "or" | "with"
        )
}

fn is_joining_word(token: &Token) -> bool {
    token.kind == TokenKind::Word && JOINING_WORDS.contains(&token.folded.as_ref())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    /// A run of letters, digits and other symbols; compared folded.
    Word,
    /// A comma: may stand inside a name, ends an unresolved fragment.
    Comma,
    /// Punctuation that may stand inside a name and inside a fragment (hyphens, "&", ".").
    Soft,
    /// A line break, semicolon or bracket: ends a fragment.
    Hard,
}

#[derive(Debug, Clone)]
struct Token<'spellings> {
    kind: TokenKind,
    /// The folded word; empty for punctuation.
    folded: Cow<'spellings, str>,
    /// Byte range in the text.
    start: usize,
    end: usize,
}

fn classify(character: char) -> Option<TokenKind> {
    let kind = match character {
        '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' => TokenKind::Hard,
        c if c.is_whitespace() => return None,
        ',' | '，' | '、' => TokenKind::Comma,
        ';' | '；' | ':' | '(' | ')' | '[' | ']' | '{' | '}' | '|' => TokenKind::Hard,
        '-'
        | '\u{2010}'..='\u{2015}'
        | '\u{2212}'
        | '.'
        | '/'
        | '\\'
        | '&'
        | '+'
        | '*'
        | '•'
        | '·'
        | '…'
        | '!'
        | '?'
        | '"'
        | '\''
        | '“'
        | '”'
        | '‘'
        | '’'
        | '«'
        | '»' => TokenKind::Soft,
        _ => TokenKind::Word,
    };
    Some(kind)
}

/// Words (runs of anything that is not white space or punctuation) and single punctuation
/// marks, with their byte ranges in `text`.
fn tokenize<'spellings>(
    text: &str,
    known_spellings: &'spellings HashMap<String, String>,
) -> Vec<Token<'spellings>> {
    let mut tokens = Vec::new();
    let mut characters = text.char_indices().peekable();
    while let Some((start, character)) = characters.next() {
        let Some(kind) = classify(character) else {
            continue;
        };
        let mut end = start + character.len_utf8();
        if kind == TokenKind::Word {
            while let Some(&(index, next)) = characters.peek() {
                if classify(next) != Some(TokenKind::Word) {
                    break;
                }
                end = index + next.len_utf8();
                characters.next();
            }
        }
        let folded = if kind == TokenKind::Word {
            let word = &text[start..end];
            match known_spellings.get(word) {
                Some(folded) => Cow::Borrowed(folded.as_str()),
                None => Cow::Owned(fold(word)),
            }
        } else {
            Cow::Borrowed("")
        };
        // A word of nothing but combining marks folds to nothing; it cannot match a name,
        // but it is still text the cell holds.
        let kind = if kind == TokenKind::Word && folded.is_empty() {
            TokenKind::Soft
        } else {
            kind
        };
        tokens.push(Token {
            kind,
            folded,
            start,
            end,
        });
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> Directory {
        Directory::from_toml_files(&[(
            "inline.toml",
            r#"
[[agency]]
code = "BNG"
kind = "ministry"
name_vi = "Bộ Ngoại giao"
name_en = "Ministry of Foreign Affairs"
aliases = ["MOFA"]

[[agency]]
code = "BVHTTDL"
kind = "ministry"
name_vi = "Bộ Văn hóa, Thể thao và Du lịch"
name_en = "Ministry of Culture, Sports and Tourism"

[[agency]]
code = "BGDDT"
kind = "ministry"
name_vi = "Bộ Giáo dục và Đào tạo"
name_en = "Ministry of Education and Training"

[[agency]]
code = "OLD"
kind = "ministry"
name_vi = "Bộ Tài chính"
name_en = "Ministry of Finance"
valid_until = "2025-02-28"
successors = [{ code = "NEW", functions = ["*"] }]

[[agency]]
code = "NEW"
kind = "ministry"
name_vi = "Bộ Tài chính"
name_en = "Ministry of Finance"
valid_from = "2025-03-01"

[[set]]
code = "bo-nganh-dia-phuong"
name_vi = "Các bộ, ngành, địa phương"
name_en = "All ministries, sectors and localities"
phrases = ["bộ, ngành, địa phương"]
member_kinds = ["ministry", "province", "central_city"]

[[set]]
code = "bo-nganh"
name_vi = "Các bộ, ngành"
name_en = "All ministries and sectors"
member_kinds = ["ministry"]
"#,
        )])
        .expect("the inline directory parses")
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("a date in the test")
    }

    #[test]
    fn a_comma_inside_a_ministry_name_does_not_split_it() {
        let resolver = AgencyResolver::new(&directory());
        let resolution = resolver.resolve(
            "Bộ Ngoại giao, Bộ Văn hóa, Thể thao và Du lịch, Bộ Giáo dục và Đào tạo",
            day("2024-04-15"),
        );
        assert_eq!(resolution.agencies, ["BNG", "BVHTTDL", "BGDDT"]);
        assert!(resolution.is_fully_resolved(), "{resolution:?}");
    }

    #[test]
    fn the_longest_set_phrase_wins_over_a_shorter_one() {
        let resolver = AgencyResolver::new(&directory());
        let resolution = resolver.resolve(
            "Bộ Ngoại giao và các bộ, ngành, địa phương",
            day("2024-04-15"),
        );
        assert_eq!(resolution.agencies, ["BNG"]);
        assert_eq!(resolution.sets, ["bo-nganh-dia-phuong"]);
        assert!(resolution.is_fully_resolved(), "{resolution:?}");
    }

    #[test]
    fn a_shared_name_means_the_agency_that_existed_on_the_document_date() {
        let resolver = AgencyResolver::new(&directory());
        assert_eq!(
            resolver.resolve("Bộ Tài chính", day("2024-04-15")).agencies,
            ["OLD"]
        );
        assert_eq!(
            resolver.resolve("Bộ Tài chính", day("2025-06-01")).agencies,
            ["NEW"]
        );
    }

    #[test]
    fn words_that_name_nothing_are_kept_whole_up_to_the_next_comma() {
        let resolver = AgencyResolver::new(&directory());
        let resolution = resolver.resolve(
            "Bộ Ngoại giao, Cục Khoa học và Công nghệ, Bộ Không Tồn Tại và Bộ Giáo dục và Đào \
             tạo cùng các đơn vị trực thuộc",
            day("2024-04-15"),
        );
        assert_eq!(resolution.agencies, ["BNG", "BGDDT"]);
        assert_eq!(
            resolution.unresolved,
            [
                "Cục Khoa học và Công nghệ",
                "Bộ Không Tồn Tại",
                "các đơn vị trực thuộc"
            ]
        );
    }

    #[test]
    fn a_name_repeated_in_a_cell_is_listed_once() {
        let resolver = AgencyResolver::new(&directory());
        let resolution = resolver.resolve("MOFA, Bộ Ngoại giao", day("2024-04-15"));
        assert_eq!(resolution.agencies, ["BNG"]);
    }

    #[test]
    fn tokens_keep_byte_ranges_of_the_original_spelling() {
        let no_spellings = HashMap::new();
        let tokens = tokenize("Bộ TT&TT, Hà Nội", &no_spellings);
        let words: Vec<_> = tokens.iter().map(|t| t.folded.as_ref()).collect();
        assert_eq!(words, ["bo", "tt", "", "tt", "", "ha", "noi"]);
        assert_eq!(
            &"Bộ TT&TT, Hà Nội"[tokens[5].start..tokens[6].end],
            "Hà Nội"
        );
    }
}
