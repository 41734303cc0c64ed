//! Plans written as prose, in any language (seeds 000 Norwegian, 003 English, 004 Polish):
//! each paragraph that reads as a task becomes a **draft** task for a person to review.
//!
//! The heuristic, in order:
//! 1. The text is cut at the first line of page furniture ("Kilde:", "Źródło", "Nguồn:",
//!    "Source:", "Best regards", "Related posts", "Kommentar"…).
//! 2. Paragraphs are lines; a line that starts in lower case after a line without closing
//!    punctuation continues it (text wrapped by hand).
//! 3. The first paragraph is the title. If a short line or a line ending in ":" names the tasks
//!    ("Planen identifiserer hovedoppgavene:", "Nhiệm vụ:", "1. Breakthrough solutions",
//!    "Zadania"), the tasks are the paragraphs after the first such line; otherwise every
//!    paragraph after the title may be one.
//! 4. A task is a paragraph (bullet markers "- ", "+ ", "• ", "a)" stripped) of at least 8
//!    words that is not a question, not a lead-in ending in ":" and not a link.
//!
//! Draft tasks are coded P1, P2… in group "P"; their time frame is a period the paragraph names
//! ("2025–2030" → "2025 - 2030", "to 2030" / "til 2030" / "đến năm 2030" → "Đến năm 2030") or
//! empty; their agencies are left for the reviewer. Languages are detected by `whatlang`.

use dongbo_domain::text::fold;
use dongbo_domain::{
    Directory, DocumentKind, ImportedProgram, Resolution, Task, TaskGroup, TimeFrame,
};

use crate::ImportError;
use crate::limits::{Budget, Limit};
use crate::metadata::{MetaDraft, document_numbers, kind_from_words};
use crate::table::file_stem;

/// The code of the group that holds draft tasks.
const DRAFT_GROUP: &str = "P";

/// Fewer words than this is a heading, a caption or a signature, not a task.
const MIN_TASK_WORDS: usize = 8;

/// ISO 639-1 code of the language `text` is written in, when whatlang can tell.
pub fn language_of(text: &str) -> Option<String> {
    let info = whatlang::detect(text)?;
    Some(iso_639_1(info.lang().code()).to_owned())
}

/// whatlang names languages by ISO 639-3; documents and the store use ISO 639-1.
fn iso_639_1(code: &'static str) -> &'static str {
    match code {
        "epo" => "eo",
        "eng" => "en",
        "rus" => "ru",
        "cmn" => "zh",
        "spa" => "es",
        "por" => "pt",
        "ita" => "it",
        "ben" => "bn",
        "fra" => "fr",
        "deu" => "de",
        "ukr" => "uk",
        "kat" => "ka",
        "ara" => "ar",
        "hin" => "hi",
        "jpn" => "ja",
        "heb" => "he",
        "yid" => "yi",
        "pol" => "pl",
        "amh" => "am",
        "jav" => "jv",
        "kor" => "ko",
        "nob" => "nb",
        "dan" => "da",
        "swe" => "sv",
        "fin" => "fi",
        "tur" => "tr",
        "nld" => "nl",
        "hun" => "hu",
        "ces" => "cs",
        "ell" => "el",
        "bul" => "bg",
        "bel" => "be",
        "mar" => "mr",
        "kan" => "kn",
        "ron" => "ro",
        "slv" => "sl",
        "hrv" => "hr",
        "srp" => "sr",
        "mkd" => "mk",
        "lit" => "lt",
        "lav" => "lv",
        "est" => "et",
        "tam" => "ta",
        "vie" => "vi",
        "urd" => "ur",
        "tha" => "th",
        "guj" => "gu",
        "uzb" => "uz",
        "pan" => "pa",
        "aze" => "az",
        "ind" => "id",
        "tel" => "te",
        "pes" => "fa",
        "mal" => "ml",
        "ori" => "or",
        "mya" => "my",
        "nep" => "ne",
        "sin" => "si",
        "khm" => "km",
        "tuk" => "tk",
        "aka" => "ak",
        "zul" => "zu",
        "sna" => "sn",
        "afr" => "af",
        "lat" => "la",
        "slk" => "sk",
        "cat" => "ca",
        "tgl" => "tl",
        "hye" => "hy",
        "cym" => "cy",
        other => other,
    }
}

/// Folded beginnings of the lines where an article's body ends.
const FURNITURE: &[&str] = &[
    "kilde:",
    "zrod",
    "nguon:",
    "nguon tin",
    "source:",
    "best regards",
    "related posts",
    "kommentar",
    "komentarz",
    "binh luan",
    "tin lien quan",
    "read more",
    "les mer",
];

/// Folded words that mark a heading as introducing the tasks.
const TASK_WORDS: &[&str] = &[
    "nhiem vu",
    "giai phap",
    "task",
    "solution",
    "action",
    "measure",
    "oppgave",
    "tiltak",
    "zadani",
    "dzialani",
];

fn is_closed(line: &str) -> bool {
    line.ends_with(['.', ';', ':', '!', '?', '…', '"', '”', ')'])
}

/// Paragraphs with their 1-based first line, within the limits on paragraphs, on a
/// paragraph's length (a task's title is one) and on time.
fn paragraphs(text: &str, budget: &Budget) -> Result<Vec<(usize, String)>, ImportError> {
    let limits = budget.limits;
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open = false;
    for (i, line) in text.lines().enumerate() {
        let place = || format!("line {}", i + 1);
        budget.check_time(place)?;
        let line = line.trim();
        if line.is_empty() {
            open = false;
            continue;
        }
        let folded = fold(line);
        if FURNITURE.iter().any(|f| folded.starts_with(f)) {
            break;
        }
        let continues = open && line.starts_with(char::is_lowercase);
        match out.last_mut() {
            Some((_, paragraph)) if continues => {
                paragraph.push(' ');
                paragraph.push_str(line);
            }
            _ => {
                // The paragraph before is complete: check its length once.
                if let Some((first, last)) = out.last() {
                    budget.check_cell_text(last, || format!("line {first}"))?;
                }
                out.push((i + 1, line.to_owned()));
            }
        }
        open = !is_closed(line);
        budget.check_count(
            Limit::Paragraphs,
            out.len() as u64,
            limits.paragraphs as u64,
            place,
        )?;
    }
    if let Some((line, last)) = out.last() {
        budget.check_cell_text(last, || format!("line {line}"))?;
    }
    Ok(out)
}

/// The paragraph without its bullet or enumeration marker.
fn strip_marker(paragraph: &str) -> &str {
    let trimmed = paragraph.trim_start_matches(['-', '+', '•', '*', '–', '—', ' ']);
    // "a) ", "1. ", "dd) "
    if let Some((marker, rest)) = trimmed.split_once(' ')
        && marker.len() <= 4
        && (marker.ends_with(')') || marker.ends_with('.'))
        && marker[..marker.len() - 1]
            .chars()
            .all(|c| c.is_alphanumeric())
    {
        return rest.trim_start();
    }
    trimmed
}

fn is_task_heading(paragraph: &str) -> bool {
    let words = paragraph.split_whitespace().count();
    let folded = fold(paragraph);
    (words <= 6 || (paragraph.ends_with(':') && words <= 12))
        && TASK_WORDS.iter().any(|w| folded.contains(w))
}

fn is_task(paragraph: &str) -> bool {
    let text = strip_marker(paragraph);
    text.split_whitespace().count() >= MIN_TASK_WORDS
        && !text.ends_with('?')
        && !text.ends_with(':')
        && !text.contains("http://")
        && !text.contains("https://")
}

/// A period the paragraph names, written as the time-frame parser reads it.
fn period(text: &str) -> Option<String> {
    let spaced = text.replace(['–', '—'], " - ").replace('-', " - ");
    let words: Vec<&str> = spaced
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '.'))
        .filter(|w| !w.is_empty())
        .collect();
    let year = |w: &str| {
        (w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()))
            .then(|| w.parse::<u32>().ok())
            .flatten()
            .filter(|y| (1990..=2100).contains(y))
    };
    for window in words.windows(3) {
        if let [from, "-", to] = window
            && let (Some(from), Some(to)) = (year(from), year(to))
            && from < to
        {
            return Some(format!("{from} - {to}"));
        }
    }
    const BY: &[&str] = &["den", "to", "by", "until", "til", "innen", "do"];
    const FILLER: &[&str] = &["nam", "roku", "ar", "the", "year"];
    for (i, word) in words.iter().enumerate() {
        if !BY.contains(&fold(word).as_str()) {
            continue;
        }
        let mut next = i + 1;
        while words
            .get(next)
            .is_some_and(|w| FILLER.contains(&fold(w).as_str()))
        {
            next += 1;
        }
        if let Some(y) = words.get(next).and_then(|w| year(w)) {
            return Some(format!("Đến năm {y}"));
        }
    }
    None
}

pub(crate) fn import(
    text: &str,
    budget: &Budget,
    _directory: &Directory,
) -> Result<ImportedProgram, ImportError> {
    let file = budget.file;
    let paragraphs = paragraphs(text, budget)?;
    let body: String = paragraphs
        .iter()
        .map(|(_, p)| p.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let language = language_of(&body).unwrap_or_else(|| "vi".into());
    let title = paragraphs.first().map(|(_, p)| p.clone());
    let first_task_line = paragraphs
        .iter()
        .skip(1)
        .position(|(_, p)| is_task_heading(p))
        .map_or(1, |i| i + 2);

    let mut tasks = Vec::new();
    for (line, paragraph) in paragraphs.iter().skip(first_task_line) {
        budget.check_time(|| format!("line {line}"))?;
        if !is_task(paragraph) {
            continue;
        }
        let text = strip_marker(paragraph);
        let task_language = whatlang::detect(text)
            .filter(whatlang::Info::is_reliable)
            .map_or_else(
                || language.clone(),
                |i| iso_639_1(i.lang().code()).to_owned(),
            );
        let time_frame = TimeFrame::parse(&period(text).unwrap_or_default());
        tasks.push(Task {
            code: format!("{DRAFT_GROUP}{}", tasks.len() + 1),
            group: DRAFT_GROUP.into(),
            title: text.to_owned(),
            expected_output: None,
            lead: Resolution::default(),
            coordinating: Resolution::default(),
            time_frame,
            draft: true,
            language: Some(task_language),
            source: Some(format!("line {line}")),
        });
    }
    if tasks.is_empty() {
        return Err(ImportError::NoTable {
            file: file.to_owned(),
            message: format!(
                "no task table, and no paragraph reads as a task (a line of {MIN_TASK_WORDS} \
                 words or more after the title)"
            ),
        });
    }

    let intro: Vec<&str> = paragraphs
        .iter()
        .take(first_task_line)
        .map(|(_, p)| p.as_str())
        .collect();
    let mut draft = MetaDraft::read_prose(&intro);
    draft.implements = intro.iter().flat_map(|p| document_numbers(p)).collect();
    draft.implements.dedup();
    draft.kind = draft
        .kind
        .or_else(|| title.as_deref().and_then(kind_from_words))
        .or(Some(DocumentKind::Other));
    draft.title = draft.title.or_else(|| title.map(|t| shorten(&t, 200)));
    let count = tasks.len();
    let document = dongbo_domain::DocumentMeta {
        number: draft.number,
        kind: draft.kind.unwrap_or(DocumentKind::Other),
        issued_on: draft.issued_on,
        issuer: None,
        issuer_text: draft.issuer_text,
        signer: draft.signer,
        title: draft.title.unwrap_or_else(|| file_stem(file).to_owned()),
        implements: draft.implements,
        language: language.clone(),
    };
    Ok(ImportedProgram {
        document,
        groups: vec![TaskGroup {
            code: DRAFT_GROUP.into(),
            title: "Nhiệm vụ dự thảo (cần rà soát)".into(),
        }],
        tasks,
        warnings: vec![format!(
            "{count} tasks (P1–P{count}) were drafted from prose in «{language}»: they are \
             drafts for review — check each one, name its lead and coordinating agencies and \
             its time frame before approving it"
        )],
    })
}

/// At most `max` characters, cut at a word.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_read_in_several_languages() {
        assert_eq!(
            period("for perioden 2025–2030."),
            Some("2025 - 2030".into())
        );
        assert_eq!(
            period("fra nå og frem til 2030."),
            Some("Đến năm 2030".into())
        );
        assert_eq!(
            period("strategy to 2030 in Vietnam"),
            Some("Đến năm 2030".into())
        );
        assert_eq!(period("datert 22. oktober 2018"), None);
    }

    #[test]
    fn markers_are_stripped_and_short_lines_are_not_tasks() {
        assert_eq!(strip_marker("- Continue to promote"), "Continue to promote");
        assert_eq!(
            strip_marker("a) Strengthen research"),
            "Strengthen research"
        );
        assert!(!is_task("a) Strengthen research and policy advice"));
        assert!(!is_task(
            "What are breakthrough solutions on the Cultural Diplomacy strategy?"
        ));
    }
}
