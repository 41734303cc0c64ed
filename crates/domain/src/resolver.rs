//! Agency resolution: the text of a "lead" or "coordinating" cell → agencies, agency sets,
//! non-state participants and the fragments that matched nothing, as of the document's date.
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
//! Three readings follow what real appendices write (issue 18, measured on the corpus in
//! `crates/import/tests/corpus.rs`):
//! - a run that opens with the noun of a non-state participant ("Tập đoàn", "doanh nghiệp",
//!   "hiệp hội", "trường đại học", "chuyên gia"…) is a [`Participant`] of its kind: named,
//!   shown, never assigned, never unresolved;
//! - a qualifier ("liên quan", "được lựa chọn", "đủ điều kiện", "một số" before, "là …" after
//!   a set) leaves the members to a person: a set becomes its open counterpart, an unknown noun
//!   the widest open set — except the participants no coordinator could assign (businesses,
//!   experts, communities, individuals, foreign partners), which stay participants;
//! - abbreviations ("TW", "T.Ư", "TP", "UBND", "HĐND", "MTTQ", "PTNT") are entered beside the
//!   long forms of every name, and "các Bộ: Quốc phòng, Xây dựng" reads each item with its
//!   "Bộ".
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
use crate::directory::AgencySet;
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
    /// Non-state participants named (businesses, associations, schools, experts…): recorded
    /// with their kind, never assigned a task and never counted as unresolved.
    #[serde(default)]
    pub participants: Vec<Participant>,
}

/// A non-state participant a cell names ("Tập đoàn Viettel", "các hiệp hội doanh nghiệp"): not
/// in the directory, given no assignment, shown with its kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Participant {
    pub kind: ParticipantKind,
    /// The words of the cell that name it, as the document wrote them (NFC).
    pub text: String,
}

/// What kind of non-state participant a phrase names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantKind {
    /// Doanh nghiệp, tập đoàn, tổng công ty, công ty — businesses.
    Business,
    /// Hiệp hội, hội — associations.
    Association,
    /// Trường đại học, cơ sở giáo dục — universities and schools.
    Education,
    /// Viện nghiên cứu, tổ chức khoa học và công nghệ — research institutions.
    Research,
    /// Chuyên gia, nhà khoa học, trí thức — experts and scientists.
    Expert,
    /// Cộng đồng, người dân, Nhân dân — communities and the public.
    Community,
    /// Cá nhân — individuals.
    Individual,
    /// Tổ chức quốc tế, đối tác nước ngoài — international organisations and foreign partners.
    International,
    /// Tổ chức (xã hội, phi chính phủ…) named by no more precise word.
    Organization,
}

impl ParticipantKind {
    /// Every kind, in the order pages list them.
    pub const ALL: [ParticipantKind; 9] = [
        Self::Business,
        Self::Association,
        Self::Education,
        Self::Research,
        Self::Expert,
        Self::Community,
        Self::Individual,
        Self::International,
        Self::Organization,
    ];

    /// The snake_case name used in JSON and in the store ("business").
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Business => "business",
            Self::Association => "association",
            Self::Education => "education",
            Self::Research => "research",
            Self::Expert => "expert",
            Self::Community => "community",
            Self::Individual => "individual",
            Self::International => "international",
            Self::Organization => "organization",
        }
    }

    /// The kind named by [`ParticipantKind::as_str`].
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// Whether a qualifier leaves the participant a participant ("doanh nghiệp liên quan"):
    /// businesses, experts, communities, individuals and foreign partners are never given an
    /// assignment, so no coordinator could choose them as members of an open set. Associations,
    /// schools, research bodies and other organisations may receive tasks ("các hội văn học
    /// nghệ thuật liên quan" is a choice a coordinator completes).
    pub fn never_assigned(self) -> bool {
        matches!(
            self,
            Self::Business
                | Self::Expert
                | Self::Community
                | Self::Individual
                | Self::International
        )
    }

    /// How a page labels the kind, in Vietnamese ("Doanh nghiệp").
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Business => "Doanh nghiệp",
            Self::Association => "Hội, hiệp hội",
            Self::Education => "Cơ sở giáo dục",
            Self::Research => "Tổ chức nghiên cứu",
            Self::Expert => "Chuyên gia, nhà khoa học",
            Self::Community => "Cộng đồng",
            Self::Individual => "Cá nhân",
            Self::International => "Tổ chức quốc tế, đối tác nước ngoài",
            Self::Organization => "Tổ chức",
        }
    }

    /// How a page labels the kind, in English ("Business").
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Business => "Business",
            Self::Association => "Association",
            Self::Education => "Education institution",
            Self::Research => "Research institution",
            Self::Expert => "Experts and scientists",
            Self::Community => "Community",
            Self::Individual => "Individuals",
            Self::International => "International organisation or foreign partner",
            Self::Organization => "Organisation",
        }
    }
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
    /// For each set, the open set a qualified mention of it means ("các địa phương được lựa
    /// chọn" → the selected localities): itself when open, else the narrowest open set that
    /// holds all its members.
    open_counterparts: HashMap<String, String>,
    /// The open set with the most member kinds ("các cơ quan liên quan"): what a qualified
    /// noun the directory does not know means ("các đơn vị liên quan").
    widest_open_set: Option<String>,
    /// The trie node after "bộ", which the items of "các Bộ: Quốc phòng, Xây dựng…" continue.
    ministry_node: Option<usize>,
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
            open_counterparts: open_counterparts(directory),
            widest_open_set: directory
                .sets
                .iter()
                .filter(|set| set.open)
                // The first of the widest, in directory order.
                .min_by_key(|set| std::cmp::Reverse(set.member_kinds.len()))
                .map(|set| set.code.clone()),
            ministry_node: None,
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
        resolver.ministry_node = resolver.nodes[0].children.get("bo").copied();
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
        let words: Vec<String> = tokens
            .iter()
            .filter(|token| token.kind == TokenKind::Word)
            .map(|token| token.folded.to_string())
            .collect();
        if words.is_empty() {
            return;
        }
        for spelling in abbreviated_spellings(&words) {
            self.insert_words(&spelling, candidate);
        }
    }

    fn insert_words(&mut self, words: &[String], candidate: &Candidate) {
        let mut node = 0;
        for word in words {
            node = match self.nodes[node].children.get(word.as_str()) {
                Some(&child) => child,
                None => {
                    let child = self.nodes.len();
                    self.nodes.push(TrieNode::default());
                    self.nodes[node].children.insert(word.clone(), child);
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
        // Inside "các Bộ: Quốc phòng, Xây dựng…": the trie node each item continues.
        let mut listed_under: Option<usize> = None;
        while index < tokens.len() {
            let token = &tokens[index];
            if token.kind != TokenKind::Word {
                if token.kind == TokenKind::Hard && &text[token.start..token.end] != ":" {
                    listed_under = None;
                }
                index += 1;
                continue;
            }
            if let Some(after) = self.ministry_list_heading(&text, &tokens, index) {
                listed_under = self.ministry_node;
                index = after;
                continue;
            }
            // "một số địa phương": the name after "một số" is a choice left to a person. Read
            // first, so the noun after it is read as the choice it is.
            if let Some(name) = words_after(&tokens, index, &["mot", "so"])
                && let Some((end, node)) = self.longest_match(&tokens, name)
                && let Some(chosen) = self.choose(node, as_of)
            {
                let (end, _) = qualifier_after(&text, &tokens, end, chosen.is_set);
                self.record(&mut resolution, chosen, true);
                index = end;
                continue;
            }
            let here = if words_at(&tokens, index, "mot so").is_some() {
                // "một số" before a noun the directory does not know: a run, read below.
                None
            } else {
                listed_under
                    .and_then(|node| self.longest_match_from(&tokens, index, node))
                    .or_else(|| self.longest_match(&tokens, index))
            };
            // A phrase that starts with a joining word ("các cơ quan đại diện") must not hide a
            // longer one after it ("cơ quan đại diện Việt Nam tại nước ngoài").
            let after_joining = self
                .name_after_joining_words(&tokens, index)
                .and_then(|name| self.longest_match(&tokens, name));
            let found = match (here, after_joining) {
                (Some(here), Some(after)) if after.0 > here.0 => Some(after),
                (None, after) => after,
                (here, _) => here,
            }
            .and_then(|(end, node)| Some((end, self.choose(node, as_of)?)));
            if let Some((end, chosen)) = found {
                let (end, qualified) = qualifier_after(&text, &tokens, end, chosen.is_set);
                self.record(&mut resolution, chosen, qualified);
                index = end;
                continue;
            }
            if let Some(next) = self.name_after_joining_words(&tokens, index) {
                index = next;
                continue;
            }
            let run = match participant_noun_end(&tokens, index) {
                // A participant's noun may hold a comma ("các cơ sở giáo dục, đào tạo"): the run
                // goes on from the noun's last word.
                Some((first, noun_end)) => {
                    let mut run = self.unresolved_run(&text, &tokens, noun_end);
                    run.first = first;
                    run.fragment = nfc(text[tokens[first].start..tokens[run.last].end].trim());
                    run
                }
                None => self.unresolved_run(&text, &tokens, index),
            };
            index = run.next;
            if run.fragment.is_empty() {
                continue;
            }
            let words: Vec<&str> = tokens[run.first..=run.last]
                .iter()
                .filter(|t| t.kind == TokenKind::Word)
                .map(|t| t.folded.as_ref())
                .collect();
            let qualified = is_qualified(&words);
            match (participant_kind(&words), &self.widest_open_set) {
                (Some(kind), _) if kind.never_assigned() || !qualified => {
                    let participant = Participant {
                        kind,
                        text: run.fragment,
                    };
                    if !resolution.participants.contains(&participant) {
                        resolution.participants.push(participant);
                    }
                }
                (_, Some(open)) if qualified => push_once(&mut resolution.sets, open),
                _ => push_once(&mut resolution.unresolved, &run.fragment),
            }
        }
        resolution.text = text;
        resolution
    }

    /// Add what a phrase named; a qualified set becomes the open set a person completes.
    fn record(&self, resolution: &mut Resolution, chosen: &Candidate, qualified: bool) {
        if chosen.is_set {
            let code = if qualified {
                self.open_counterparts
                    .get(&chosen.code)
                    .unwrap_or(&chosen.code)
            } else {
                &chosen.code
            };
            push_once(&mut resolution.sets, code);
        } else {
            push_once(&mut resolution.agencies, &chosen.code);
        }
    }

    /// When the words at `start` are "Bộ:" or "các Bộ:" — a list of ministries written without
    /// their "Bộ" ("Các Bộ: Quốc phòng, Xây dựng, Tài nguyên và Môi trường") — the index after
    /// the colon.
    fn ministry_list_heading(&self, text: &str, tokens: &[Token], start: usize) -> Option<usize> {
        self.ministry_node?;
        let mut index = start;
        if tokens[index].folded == "cac" {
            index += 1;
        }
        let word = tokens.get(index)?;
        let colon = tokens.get(index + 1)?;
        (word.kind == TokenKind::Word
            && word.folded == "bo"
            && colon.kind == TokenKind::Hard
            && &text[colon.start..colon.end] == ":")
            .then_some(index + 2)
    }

    /// The longest phrase starting at word `start`: the index after its last word and its
    /// trie node. Punctuation between the words is passed over, so "Bộ Văn hóa Thể thao và Du
    /// lịch" and "Bộ Văn hóa, Thể thao và Du lịch" match alike.
    fn longest_match(&self, tokens: &[Token], start: usize) -> Option<(usize, usize)> {
        self.longest_match_from(tokens, start, 0)
    }

    /// [`Self::longest_match`] continuing the phrases that pass through trie node `node`.
    fn longest_match_from(
        &self,
        tokens: &[Token],
        start: usize,
        node: usize,
    ) -> Option<(usize, usize)> {
        let mut node = node;
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
    fn unresolved_run(&self, text: &str, tokens: &[Token], start: usize) -> Run {
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
        Run {
            fragment: nfc(fragment),
            first,
            last,
            next: index,
        }
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

/// A run of words that named nothing in the directory: the fragment as written, its first and
/// last token, and where to go on.
struct Run {
    fragment: String,
    first: usize,
    last: usize,
    next: usize,
}

/// Abbreviations documents use for words of names, long form first: each name is also entered
/// with each short form ("Ủy ban nhân dân thành phố Hà Nội" → "UBND TP Hà Nội", "các tỉnh,
/// thành phố trực thuộc Trung ương" → "… trực thuộc TW"), so no alias has to spell them all.
/// Folded words; "T.Ư" is the two words "t u" (the dot is punctuation), "TƯ" the one word "tu".
const ABBREVIATIONS: &[&[&str]] = &[
    &["trung uong", "tw", "tu", "t u"],
    &["thanh pho", "tp"],
    &["uy ban nhan dan", "ubnd"],
    &["hoi dong nhan dan", "hdnd"],
    &["mat tran to quoc", "mttq"],
    &["phat trien nong thon", "ptnt"],
];

/// More spellings than this of one phrase are not generated (a phrase would need many long
/// forms to reach it).
const MAX_SPELLINGS: usize = 64;

/// The folded words of a phrase as written and with every combination of the short forms of
/// [`ABBREVIATIONS`] in place of their long forms.
fn abbreviated_spellings(words: &[String]) -> Vec<Vec<String>> {
    let mut spellings: Vec<Vec<String>> = vec![Vec::new()];
    let mut index = 0;
    while index < words.len() {
        let class = ABBREVIATIONS.iter().find(|class| {
            let long: Vec<&str> = class[0].split(' ').collect();
            words.len() - index >= long.len()
                && long.iter().zip(&words[index..]).all(|(l, w)| l == w)
        });
        match class {
            Some(class) if spellings.len() * class.len() <= MAX_SPELLINGS => {
                spellings = spellings
                    .into_iter()
                    .flat_map(|spelling| {
                        class.iter().map(move |form| {
                            let mut spelling = spelling.clone();
                            spelling.extend(form.split(' ').map(str::to_owned));
                            spelling
                        })
                    })
                    .collect();
                index += class[0].split(' ').count();
            }
            _ => {
                for spelling in &mut spellings {
                    spelling.push(words[index].clone());
                }
                index += 1;
            }
        }
    }
    spellings
}

/// For each set, the open set a qualified mention of it means: the set itself when open; else
/// the open set with the fewest members that holds all of the set's members (by kind, or by
/// code); the first of those in directory order.
fn open_counterparts(directory: &Directory) -> HashMap<String, String> {
    let holds_all = |open: &AgencySet, set: &AgencySet| {
        set.member_kinds
            .iter()
            .all(|kind| open.member_kinds.contains(kind))
            && set.member_codes.iter().all(|code| {
                open.member_codes.contains(code)
                    || directory
                        .agency(code)
                        .is_some_and(|agency| open.member_kinds.contains(&agency.kind))
            })
    };
    directory
        .sets
        .iter()
        .filter_map(|set| {
            if set.open {
                return Some((set.code.clone(), set.code.clone()));
            }
            directory
                .sets
                .iter()
                .filter(|open| {
                    open.open
                        && !(open.member_kinds.is_empty() && open.member_codes.is_empty())
                        && holds_all(open, set)
                })
                .min_by_key(|open| open.member_kinds.len() + open.member_codes.len())
                .map(|open| (set.code.clone(), open.code.clone()))
        })
        .collect()
}

/// Words that, after a noun, leave the choice of members to a person: "liên quan", "được lựa
/// chọn", "đủ điều kiện" (folded).
const QUALIFIERS: &[&str] = &[
    "co lien quan",
    "lien quan",
    "duoc lua chon",
    "duoc chon",
    "co du dieu kien",
    "du dieu kien",
    "co nhu cau",
    "concerned",
    "relevant",
    "selected",
];

/// The index after the words `words` (folded, space-separated) when they stand at `start`,
/// punctuation other than commas and breaks passed over.
fn words_at(tokens: &[Token], start: usize, words: &str) -> Option<usize> {
    let mut index = start;
    for word in words.split(' ') {
        while tokens.get(index)?.kind == TokenKind::Soft {
            index += 1;
        }
        let token = tokens.get(index)?;
        if token.kind != TokenKind::Word || token.folded != word {
            return None;
        }
        index += 1;
    }
    Some(index)
}

/// When `words` stand at `start`, the index of the word after them.
fn words_after(tokens: &[Token], start: usize, words: &[&str]) -> Option<usize> {
    let mut index = words_at(tokens, start, &words.join(" "))?;
    while tokens.get(index)?.kind == TokenKind::Soft {
        index += 1;
    }
    (tokens[index].kind == TokenKind::Word).then_some(index)
}

/// After a name that ends at `end`: whether a qualifier follows ("các địa phương liên quan"),
/// and the index after it. After a set, "là …" ("các bộ, ngành, địa phương là chủ quản cơ sở
/// dữ liệu quốc gia") restricts it too, up to the end of the cell or the next break.
fn qualifier_after(text: &str, tokens: &[Token], end: usize, is_set: bool) -> (usize, bool) {
    if let Some(after) = QUALIFIERS
        .iter()
        .find_map(|qualifier| words_at(tokens, end, qualifier))
    {
        return (after, true);
    }
    if is_set && words_at(tokens, end, "la").is_some() {
        let stop = tokens[end..]
            .iter()
            .position(|t| t.kind == TokenKind::Hard && &text[t.start..t.end] != ":")
            .map_or(tokens.len(), |offset| end + offset);
        return (stop, true);
    }
    (end, false)
}

/// Whether the folded words of a run carry a qualifier or open with "một số".
fn is_qualified(words: &[&str]) -> bool {
    let opening = words
        .iter()
        .position(|w| !matches!(*w, "cac" | "nhung"))
        .unwrap_or(words.len());
    if words[opening..].starts_with(&["mot", "so"]) {
        return true;
    }
    QUALIFIERS.iter().any(|qualifier| {
        let qualifier: Vec<&str> = qualifier.split(' ').collect();
        words.windows(qualifier.len()).any(|w| w == qualifier)
    })
}

/// Nouns that open the name of a non-state participant (folded), and its kind; `None` marks a
/// longer noun that names no participant though it begins with one ("hội đồng" is a council,
/// not an association). The longest that fits wins. The words are those the corpus appendices
/// and the seed documents use ("Tập đoàn, doanh nghiệp công nghệ số", "doanh nghiệp liên
/// quan", "các nhà khoa học", "cộng đồng người Việt Nam ở nước ngoài").
const PARTICIPANT_NOUNS: &[(&str, Option<ParticipantKind>)] = &[
    ("tap doan", Some(ParticipantKind::Business)),
    ("tong cong ty", Some(ParticipantKind::Business)),
    ("cong ty", Some(ParticipantKind::Business)),
    ("doanh nghiep", Some(ParticipantKind::Business)),
    ("doanh nhan", Some(ParticipantKind::Business)),
    ("hop tac xa", Some(ParticipantKind::Business)),
    ("nha dau tu", Some(ParticipantKind::Business)),
    ("businesses", Some(ParticipantKind::Business)),
    ("enterprises", Some(ParticipantKind::Business)),
    ("companies", Some(ParticipantKind::Business)),
    ("corporations", Some(ParticipantKind::Business)),
    ("hiep hoi", Some(ParticipantKind::Association)),
    ("hoi", Some(ParticipantKind::Association)),
    ("hoi dong", None),
    ("lien hiep cac hoi", Some(ParticipantKind::Association)),
    ("associations", Some(ParticipantKind::Association)),
    ("truong dai hoc", Some(ParticipantKind::Education)),
    ("truong cao dang", Some(ParticipantKind::Education)),
    ("truong hoc", Some(ParticipantKind::Education)),
    ("dai hoc", Some(ParticipantKind::Education)),
    ("co so giao duc", Some(ParticipantKind::Education)),
    ("co so giao duc dao tao", Some(ParticipantKind::Education)),
    (
        "co so giao duc va dao tao",
        Some(ParticipantKind::Education),
    ),
    ("co so dao tao", Some(ParticipantKind::Education)),
    ("universities", Some(ParticipantKind::Education)),
    ("schools", Some(ParticipantKind::Education)),
    ("vien nghien cuu", Some(ParticipantKind::Research)),
    (
        "to chuc khoa hoc va cong nghe",
        Some(ParticipantKind::Research),
    ),
    ("to chuc nghien cuu", Some(ParticipantKind::Research)),
    ("research institutes", Some(ParticipantKind::Research)),
    ("chuyen gia", Some(ParticipantKind::Expert)),
    ("nha khoa hoc", Some(ParticipantKind::Expert)),
    ("nha nghien cuu", Some(ParticipantKind::Expert)),
    ("tri thuc", Some(ParticipantKind::Expert)),
    ("experts", Some(ParticipantKind::Expert)),
    ("scientists", Some(ParticipantKind::Expert)),
    ("cong dong", Some(ParticipantKind::Community)),
    ("nguoi dan", Some(ParticipantKind::Community)),
    ("nhan dan", Some(ParticipantKind::Community)),
    ("kieu bao", Some(ParticipantKind::Community)),
    ("communities", Some(ParticipantKind::Community)),
    ("ca nhan", Some(ParticipantKind::Individual)),
    ("individuals", Some(ParticipantKind::Individual)),
    ("to chuc quoc te", Some(ParticipantKind::International)),
    ("doi tac nuoc ngoai", Some(ParticipantKind::International)),
    ("doi tac quoc te", Some(ParticipantKind::International)),
    ("nha tai tro", Some(ParticipantKind::International)),
    (
        "international organisations",
        Some(ParticipantKind::International),
    ),
    (
        "international organizations",
        Some(ParticipantKind::International),
    ),
    ("to chuc", Some(ParticipantKind::Organization)),
    ("to chuc xa hoi", Some(ParticipantKind::Organization)),
    ("to chuc phi chinh phu", Some(ParticipantKind::Organization)),
    ("organisations", Some(ParticipantKind::Organization)),
    ("organizations", Some(ParticipantKind::Organization)),
];

/// When a participant's noun opens the words at `start` (after "và", "cùng"…), with commas
/// passed over inside it ("cơ sở giáo dục, đào tạo"): the index of the first word after the
/// conjunctions and of the noun's last word.
fn participant_noun_end(tokens: &[Token], start: usize) -> Option<(usize, usize)> {
    let mut first = start;
    while tokens.get(first).is_some_and(is_conjunction) {
        first += 1;
        while tokens.get(first)?.kind == TokenKind::Soft {
            first += 1;
        }
    }
    let mut index = first;
    while let Some(token) = tokens.get(index) {
        match token.folded.as_ref() {
            "cac" | "nhung" | "moi" => index += 1,
            "mot" if words_at(tokens, index, "mot so").is_some() => {
                index = words_at(tokens, index, "mot so")?;
            }
            _ if token.kind != TokenKind::Word => index += 1,
            _ => break,
        }
    }
    PARTICIPANT_NOUNS
        .iter()
        .filter(|(noun, kind)| kind.is_some() && noun.contains(' '))
        .filter_map(|(noun, _)| {
            let mut at = index;
            let mut last = index;
            for word in noun.split(' ') {
                while matches!(tokens.get(at)?.kind, TokenKind::Soft | TokenKind::Comma) {
                    at += 1;
                }
                let token = tokens.get(at)?;
                if token.kind != TokenKind::Word || token.folded != word {
                    return None;
                }
                last = at;
                at += 1;
            }
            Some(last)
        })
        .max()
        .map(|last| (first, last))
}

/// The kind of participant a run of folded words names, from the noun that opens it (after
/// "các", "những", "một số").
fn participant_kind(words: &[&str]) -> Option<ParticipantKind> {
    let mut start = 0;
    while let Some(word) = words.get(start) {
        match *word {
            "cac" | "nhung" | "moi" => start += 1,
            "mot" if words.get(start + 1) == Some(&"so") => start += 2,
            _ => break,
        }
    }
    let rest = &words[start..];
    PARTICIPANT_NOUNS
        .iter()
        .filter(|(noun, _)| {
            let noun: Vec<&str> = noun.split(' ').collect();
            rest.starts_with(&noun)
        })
        .max_by_key(|(noun, _)| noun.split(' ').count())
        .and_then(|(_, kind)| *kind)
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
    fn participants_serialise_with_snake_case_kinds_and_old_json_still_reads() {
        let resolution = Resolution {
            text: "Tập đoàn Viettel".to_owned(),
            participants: vec![Participant {
                kind: ParticipantKind::Business,
                text: "Tập đoàn Viettel".to_owned(),
            }],
            ..Resolution::default()
        };
        let json = serde_json::to_value(&resolution).expect("a resolution serialises");
        assert_eq!(json["participants"][0]["kind"], "business");
        assert_eq!(json["participants"][0]["text"], "Tập đoàn Viettel");
        let old: Resolution = serde_json::from_str(
            r#"{"text": "Bộ Ngoại giao", "agencies": ["BNG"], "sets": [], "unresolved": []}"#,
        )
        .expect("JSON written before participants existed reads");
        assert!(old.participants.is_empty());
        for kind in ParticipantKind::ALL {
            assert_eq!(ParticipantKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_value(kind).expect("a kind serialises");
            assert_eq!(json, kind.as_str());
        }
    }

    #[test]
    fn abbreviations_are_entered_beside_the_long_forms_they_shorten() {
        let words = |text: &str| -> Vec<String> { text.split(' ').map(str::to_owned).collect() };
        let spellings = abbreviated_spellings(&words("uy ban nhan dan thanh pho ha noi"));
        assert_eq!(spellings.len(), 4);
        assert!(spellings.contains(&words("ubnd tp ha noi")));
        assert!(spellings.contains(&words("uy ban nhan dan thanh pho ha noi")));
        // Only long forms are replaced: a lone "tu" ("Tư pháp") is not "trung ương".
        assert_eq!(
            abbreviated_spellings(&words("bo tu phap")),
            [words("bo tu phap")]
        );
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
