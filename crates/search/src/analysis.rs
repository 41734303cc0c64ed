//! How texts become terms: syllables exactly and folded, beginnings of folded syllables for
//! search-as-you-type, and stems for the languages tantivy stems.

use dongbo_domain::text::fold;
use tantivy::tokenizer::{
    Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// The names the analyzers are registered under in the index.
pub(crate) const EXACT: &str = "dongbo_exact";
pub(crate) const FOLDED: &str = "dongbo_folded";
pub(crate) const PREFIXES: &str = "dongbo_prefixes";
pub(crate) const STEMMED: &str = "dongbo_stemmed";
pub(crate) const PAIRS: &str = "dongbo_pairs";

/// A word longer than this (in characters) is not indexed: no one types it, and a file of one
/// endless "word" must not make a term of it.
const LONGEST_WORD: usize = 40;
/// Beginnings of a word are indexed from this many characters…
const SHORTEST_PREFIX: usize = 2;
/// …up to this many (a longer beginning is matched as the whole word).
const LONGEST_PREFIX: usize = 16;

/// Separates a text's language code from the text in the stemmed field's value.
pub(crate) const LANGUAGE_MARK: char = '\u{1f}';

/// What a syllable becomes as a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// Lower case, diacritics kept ("đường").
    Exact,
    /// Lower case, without diacritics, đ → d ("duong").
    Folded,
    /// Every beginning of the folded syllable ("du", "duo", "duon", "duong").
    Prefixes,
    /// Each folded syllable with the next one ("da nang" of "Đà Nẵng"): two words side by side
    /// found by one term, without reading positions (most Vietnamese words are two syllables).
    Pairs,
}

/// The words of `text`: runs of letters and digits (a Vietnamese syllable, an English word, a
/// number), with their byte ranges. The text is NFC, so a letter with its diacritics is one
/// character.
pub(crate) fn words(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

/// The iterator of [`words`]: `(start, word)`, words longer than [`LONGEST_WORD`] left out.
pub(crate) struct Words<'a> {
    text: &'a str,
    /// Where the next word is looked for.
    at: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        loop {
            let rest = &self.text[self.at..];
            let start = self.at + rest.find(is_word_char)?;
            let length = self.text[start..]
                .find(|c: char| !is_word_char(c))
                .unwrap_or(self.text.len() - start);
            self.at = start + length;
            let word = &self.text[start..self.at];
            // A word is never longer in characters than in bytes: count only the long ones.
            if word.len() <= LONGEST_WORD || word.chars().count() <= LONGEST_WORD {
                return Some((start, word));
            }
        }
    }
}

/// Whether `c` belongs to a word: a letter or a digit. The Latin letters Vietnamese and the
/// European languages use are answered by their ranges, without the general Unicode lookup
/// (which showed as 7 % of the library bench's profile).
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '\u{00C0}'..='\u{00D6}' | '\u{00D8}'..='\u{00F6}' | '\u{00F8}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
        || (!c.is_ascii() && c.is_alphanumeric())
}

/// The two blocks of precomposed Latin letters the table covers: Latin-1 Supplement to Latin
/// Extended-B, and Latin Extended Additional (where Vietnamese's toned vowels are).
const LATIN: std::ops::RangeInclusive<u32> = 0x00C0..=0x024F;
const LATIN_ADDITIONAL: std::ops::RangeInclusive<u32> = 0x1E00..=0x1EFF;

/// The folded form of each precomposed Latin letter that folds to one ASCII letter ("ữ" →
/// "u", "Đ" → "d"), made once from [`fold`] itself, so that folding a word is a lookup per
/// letter instead of a decomposition (the folding showed as a fifth of the bench's profile).
/// Indexed by the letter's distance from the start of its block; 0 where it does not fold so.
fn folded_letters() -> &'static [Vec<u8>; 2] {
    static LETTERS: std::sync::OnceLock<[Vec<u8>; 2]> = std::sync::OnceLock::new();
    LETTERS.get_or_init(|| {
        [LATIN, LATIN_ADDITIONAL].map(|block| {
            block
                .map(|code| {
                    let Some(c) = char::from_u32(code) else {
                        return 0;
                    };
                    let folded = fold(&c.to_string());
                    let mut chars = folded.chars();
                    match (chars.next(), chars.next()) {
                        (Some(one), None) if one.is_ascii_alphanumeric() => one as u8,
                        _ => 0,
                    }
                })
                .collect()
        })
    })
}

/// The ASCII letter a precomposed Latin letter folds to, if it folds to one.
fn folded_letter(c: char) -> Option<char> {
    let code = u32::from(c);
    let [latin, additional] = folded_letters();
    let letter = if LATIN.contains(&code) {
        latin[(code - LATIN.start()) as usize]
    } else if LATIN_ADDITIONAL.contains(&code) {
        additional[(code - LATIN_ADDITIONAL.start()) as usize]
    } else {
        0
    };
    (letter != 0).then_some(char::from(letter))
}

/// [`fold`] of one word: ASCII letters lower-cased, precomposed Latin letters by table, and
/// the general folding for a word holding any other character.
fn fold_word(word: &str) -> String {
    let mut folded = String::with_capacity(word.len());
    fold_into(word, &mut folded);
    folded
}

/// [`fold_word`] appended to `out` (a token's text is reused from word to word).
pub(crate) fn fold_into(word: &str, out: &mut String) {
    if word.is_ascii() {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        return;
    }
    let start = out.len();
    for c in word.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(letter) = folded_letter(c) {
            out.push(letter);
        } else {
            out.truncate(start);
            out.push_str(&fold(word));
            return;
        }
    }
}

/// A word lower-cased, appended to `out`: the exact form, the same at indexing and in queries.
fn lower_into(word: &str, out: &mut String) {
    if word.is_ascii() {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.push_str(&word.to_lowercase());
    }
}

/// A word as a term of `form` (for `Prefixes`, the whole folded word; for `Pairs`, the word's
/// own folded form, which [`pair`] joins with the next).
pub(crate) fn term(word: &str, form: Form) -> String {
    let mut term = String::with_capacity(word.len());
    match form {
        Form::Exact => lower_into(word, &mut term),
        Form::Folded | Form::Prefixes | Form::Pairs => fold_into(word, &mut term),
    }
    term
}

/// The term of two folded words side by side, as [`Form::Pairs`] indexes it.
pub(crate) fn pair(first: &str, second: &str) -> String {
    format!("{first} {second}")
}

/// Whether a typed word carries diacritics (or đ): then it means exactly what it says.
pub(crate) fn is_accented(word: &str) -> bool {
    fold_word(word) != word.to_lowercase()
}

/// The tokenizer of one [`Form`].
#[derive(Debug, Clone)]
pub(crate) struct Syllables(pub(crate) Form);

/// Tokens made up front (the stems, whose analyzers are tantivy's own).
pub(crate) struct Tokens {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// The syllables of a text as they are read, one token at a time in one reused token: a body
/// of a thousand words costs no allocation per word (allocation was a tenth of the indexing
/// profile when every token was made up front).
pub(crate) struct SyllableStream<'a> {
    form: Form,
    words: std::iter::Enumerate<Words<'a>>,
    token: Token,
    /// Pairs: the previous word's folded form and where it started, and the current word's.
    previous: String,
    previous_start: Option<usize>,
    current: String,
    /// Prefixes: the current word's folded letters and the length of the next beginning.
    letters: Vec<char>,
    next_length: usize,
}

impl TokenStream for SyllableStream<'_> {
    fn advance(&mut self) -> bool {
        if self.form == Form::Prefixes && self.next_beginning() {
            return true;
        }
        loop {
            let Some((position, (start, word))) = self.words.next() else {
                return false;
            };
            let token = &mut self.token;
            token.text.clear();
            token.offset_from = start;
            token.offset_to = start + word.len();
            token.position = position;
            match self.form {
                Form::Exact => lower_into(word, &mut token.text),
                Form::Folded => fold_into(word, &mut token.text),
                Form::Prefixes => {
                    self.letters.clear();
                    self.letters.extend(term(word, Form::Folded).chars());
                    self.next_length = SHORTEST_PREFIX.min(self.letters.len());
                    if self.next_beginning() {
                        return true;
                    }
                    continue;
                }
                Form::Pairs => {
                    self.current.clear();
                    fold_into(word, &mut self.current);
                    let before = self.previous_start.replace(start);
                    if let Some(before_start) = before {
                        token.text.push_str(&self.previous);
                        token.text.push(' ');
                        token.text.push_str(&self.current);
                        token.offset_from = before_start;
                        // A pair's position is its first word's.
                        token.position = position - 1;
                    }
                    std::mem::swap(&mut self.previous, &mut self.current);
                    if before.is_none() {
                        continue;
                    }
                }
            }
            return true;
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

impl SyllableStream<'_> {
    /// Puts the current word's next beginning in the token, if it has one left.
    fn next_beginning(&mut self) -> bool {
        let longest = self.letters.len().min(LONGEST_PREFIX);
        if self.letters.is_empty() || self.next_length > longest {
            return false;
        }
        self.token.text.clear();
        self.token
            .text
            .extend(self.letters[..self.next_length].iter());
        self.next_length += 1;
        true
    }
}

impl Tokenizer for Syllables {
    type TokenStream<'a> = SyllableStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SyllableStream<'a> {
        SyllableStream {
            form: self.0,
            words: words(text).enumerate(),
            token: Token {
                position_length: 1,
                ..Token::default()
            },
            previous: String::new(),
            previous_start: None,
            current: String::new(),
            letters: Vec::new(),
            next_length: 0,
        }
    }
}

/// The languages indexed stemmed, by ISO 639-1 code.
pub(crate) const STEMMED_LANGUAGES: [(&str, Language); 18] = [
    ("ar", Language::Arabic),
    ("da", Language::Danish),
    ("nl", Language::Dutch),
    ("en", Language::English),
    ("fi", Language::Finnish),
    ("fr", Language::French),
    ("de", Language::German),
    ("el", Language::Greek),
    ("hu", Language::Hungarian),
    ("it", Language::Italian),
    ("no", Language::Norwegian),
    ("pt", Language::Portuguese),
    ("ro", Language::Romanian),
    ("ru", Language::Russian),
    ("es", Language::Spanish),
    ("sv", Language::Swedish),
    ("ta", Language::Tamil),
    ("tr", Language::Turkish),
];

/// The stemmer's language for an ISO 639-1 code (Norwegian Bokmål and Nynorsk as Norwegian).
pub(crate) fn stemmed_language(code: &str) -> Option<(&'static str, Language)> {
    let code = match code {
        "nb" | "nn" => "no",
        other => other,
    };
    STEMMED_LANGUAGES.iter().copied().find(|(c, _)| *c == code)
}

/// The stemmed field's value for a text in `language`, if tantivy stems that language.
pub(crate) fn stemmed_value(language: &str, text: &str) -> Option<String> {
    let (code, _) = stemmed_language(language)?;
    Some(format!("{code}{LANGUAGE_MARK}{text}"))
}

/// Stems the words of a value made by [`stemmed_value`], each term marked with its language
/// ("en:agreement"), so that the languages' stems never meet.
#[derive(Clone)]
pub(crate) struct Stems {
    analyzers: Vec<(&'static str, TextAnalyzer)>,
}

impl Stems {
    pub(crate) fn new() -> Stems {
        Stems {
            analyzers: STEMMED_LANGUAGES
                .iter()
                .map(|&(code, language)| {
                    let analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
                        .filter(LowerCaser)
                        .filter(Stemmer::new(language))
                        .build();
                    (code, analyzer)
                })
                .collect(),
        }
    }

    /// The term for `word` in the language `code`.
    pub(crate) fn term(&mut self, code: &str, word: &str) -> Option<String> {
        let (code, analyzer) = self.analyzers.iter_mut().find(|(c, _)| *c == code)?;
        let mut stream = analyzer.token_stream(word);
        stream.next().map(|token| format!("{code}:{}", token.text))
    }

    /// Every language's term for `word`, without repeats.
    pub(crate) fn every_term(&mut self, word: &str) -> Vec<String> {
        let codes: Vec<&'static str> = self.analyzers.iter().map(|(c, _)| *c).collect();
        let mut terms: Vec<String> = codes
            .into_iter()
            .filter_map(|code| self.term(code, word))
            .collect();
        terms.dedup();
        terms
    }
}

impl Tokenizer for Stems {
    type TokenStream<'a> = Tokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        let mut tokens = Vec::new();
        if let Some((code, rest)) = text.split_once(LANGUAGE_MARK)
            && let Some((code, analyzer)) = self.analyzers.iter_mut().find(|(c, _)| *c == code)
        {
            let skipped = code.len() + LANGUAGE_MARK.len_utf8();
            let mut stream = analyzer.token_stream(rest);
            while let Some(token) = stream.next() {
                // A word its stem leaves as it is needs no stem: the folded field finds it,
                // and a query's stem term then exists only where a text inflects the word.
                let word = &rest[token.offset_from..token.offset_to];
                let unchanged = word
                    .chars()
                    .flat_map(char::to_lowercase)
                    .eq(token.text.chars());
                if unchanged || token.text.chars().count() > LONGEST_WORD {
                    continue;
                }
                tokens.push(Token {
                    offset_from: token.offset_from + skipped,
                    offset_to: token.offset_to + skipped,
                    position: token.position,
                    text: format!("{code}:{}", token.text),
                    position_length: 1,
                });
            }
        }
        Tokens { tokens, next: 0 }
    }
}

/// The analyzers every index registers.
pub(crate) fn analyzers() -> [(&'static str, TextAnalyzer); 5] {
    [
        (EXACT, TextAnalyzer::from(Syllables(Form::Exact))),
        (FOLDED, TextAnalyzer::from(Syllables(Form::Folded))),
        (PREFIXES, TextAnalyzer::from(Syllables(Form::Prefixes))),
        (PAIRS, TextAnalyzer::from(Syllables(Form::Pairs))),
        (STEMMED, TextAnalyzer::from(Stems::new())),
    ]
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        /// The fast paths fold and split as the general rules do, on any text.
        #[test]
        fn fast_folding_and_splitting_agree_with_the_general_rules(text in "\\PC{0,40}") {
            for c in text.chars() {
                proptest::prop_assert_eq!(is_word_char(c), c.is_alphanumeric(), "{:?}", c);
            }
            for (_, word) in words(&text) {
                proptest::prop_assert_eq!(fold_word(word), fold(word));
            }
        }
    }

    #[test]
    fn vietnamese_letters_fold_by_table_as_fold_does() {
        for word in [
            "Đường",
            "dương",
            "ĐƯƠNG",
            "Nẵng",
            "bão",
            "bảo",
            "Ưu",
            "ỷ",
            "Ø",
            "ß",
            "İ",
        ] {
            assert_eq!(fold_word(word), fold(word), "{word}");
        }
        assert_eq!(fold_word("Đà"), "da");
        for c in ('\u{00C0}'..='\u{024F}').chain('\u{1E00}'..='\u{1EFF}') {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
            let word = c.to_string();
            assert_eq!(fold_word(&word), fold(&word), "{c:?}");
        }
    }

    use super::*;

    fn terms(form: Form, text: &str) -> Vec<String> {
        let mut analyzer = TextAnalyzer::from(Syllables(form));
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            // Offsets point at the word (a beginning's at its whole word, a pair's at both).
            let pointed: Vec<String> = words(&text[token.offset_from..token.offset_to])
                .map(|(_, word)| fold(word))
                .collect();
            assert!(
                pointed.join(" ").starts_with(&fold(&token.text)),
                "{token:?} in «{text}»"
            );
            out.push(token.text.clone());
        }
        out
    }

    #[test]
    fn syllables_are_terms_exactly_and_folded() {
        let text = "Thông tin đối ngoại: Đà Nẵng, 2025-2030";
        assert_eq!(
            terms(Form::Exact, text),
            ["thông", "tin", "đối", "ngoại", "đà", "nẵng", "2025", "2030"]
        );
        assert_eq!(
            terms(Form::Folded, text),
            ["thong", "tin", "doi", "ngoai", "da", "nang", "2025", "2030"]
        );
    }

    #[test]
    fn beginnings_of_words_are_terms_for_search_as_you_type() {
        assert_eq!(
            terms(Form::Prefixes, "Đường"),
            ["du", "duo", "duon", "duong"]
        );
        assert_eq!(terms(Form::Prefixes, "Hà x"), ["ha", "x"]);
    }

    #[test]
    fn words_side_by_side_are_one_term_each_pair() {
        assert_eq!(
            terms(Form::Pairs, "Thông tin đối ngoại, Đà Nẵng"),
            ["thong tin", "tin doi", "doi ngoai", "ngoai da", "da nang"]
        );
        assert_eq!(terms(Form::Pairs, "Huế"), Vec::<String>::new());
        assert_eq!(
            pair(&term("Đà", Form::Pairs), &term("Nẵng", Form::Pairs)),
            "da nang"
        );
    }

    #[test]
    fn minimal_pairs_differ_exactly_and_meet_folded() {
        for word in ["đường", "dương", "đương"] {
            assert_eq!(term(word, Form::Folded), "duong");
        }
        assert_ne!(term("đường", Form::Exact), term("dương", Form::Exact));
        assert!(is_accented("Đà") && is_accented("dương") && !is_accented("Da"));
    }

    #[test]
    fn an_endless_word_is_not_a_term() {
        let long = "a".repeat(LONGEST_WORD + 1);
        assert_eq!(terms(Form::Exact, &format!("x {long} y")), ["x", "y"]);
    }

    #[test]
    fn english_and_norwegian_are_stemmed_apart() {
        let mut stems = Stems::new();
        assert_eq!(
            stems.term("en", "agreements").as_deref(),
            Some("en:agreement")
        );
        assert_eq!(stems.term("no", "avtalene").as_deref(), Some("no:avtal"));
        let value = stemmed_value("nb", "Avtalene").expect("Bokmål is stemmed as Norwegian");
        let mut analyzer = TextAnalyzer::from(Stems::new());
        let mut stream = analyzer.token_stream(&value);
        let token = stream.next().expect("a stem");
        assert_eq!(token.text, "no:avtal");
        assert_eq!(&value[token.offset_from..token.offset_to], "Avtalene");
        assert_eq!(stemmed_value("vi", "Việt Nam"), None);
        assert_eq!(stemmed_value("pl", "umowy"), None);
    }
}
