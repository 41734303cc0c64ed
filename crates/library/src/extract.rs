//! Text out of a file: PDF (`pdf-extract`), DOCX (the import crate's checked reader: a zip bomb
//! or a damaged part is refused before docx-rs reads it), HTML (`scraper`, without scripts,
//! styles and navigation; the `<title>`), TXT and Markdown — with a title guess, the language,
//! and whether any text was found ([`TextStatus`]: an image-only PDF is kept as `no_text`).
//!
//! Every parser runs on a thread of its own, within [`ExtractLimits`]: the file's size, the
//! pages of a PDF, the unpacked size of a package (the import crate's [`Limits`]) and the time.
//! A parser that panics on a damaged file, or takes longer than the time allowed, gives an
//! error naming the file; it never takes the caller down. (A parser past its time is left to
//! finish on its thread: Rust cannot stop a thread, and the caller has moved on.)

use std::time::Duration;

use dongbo_import::Limits;
use dongbo_store::library::TextStatus;
use scraper::{Html, Node};

use crate::encoding::{self, Legacy};

/// What a file may be before it is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractLimits {
    /// Bytes of the file. Default 20 MiB, the evidence store's limit.
    pub file_bytes: u64,
    /// Pages of a PDF. Default 2,000.
    pub pages: usize,
    /// Characters of text kept from one file. Default 10 million.
    pub text_chars: usize,
    /// Time to read one file. Default 30 s.
    pub time: Duration,
    /// What a DOCX package may hold (entries, unpacked bytes, ratio, elements).
    pub package: Limits,
}

impl Default for ExtractLimits {
    fn default() -> Self {
        ExtractLimits {
            file_bytes: 20 * 1024 * 1024,
            pages: 2_000,
            text_chars: 10_000_000,
            time: Duration::from_secs(30),
            package: Limits::default(),
        }
    }
}

/// The kinds of file text is extracted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Docx,
    Html,
    Text,
    Markdown,
}

impl FileKind {
    /// The IANA media type the file is kept under.
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Html => "text/html",
            FileKind::Text => "text/plain",
            FileKind::Markdown => "text/markdown",
        }
    }

    /// The kind a file is, by its first bytes, else by its name's extension; `None` for
    /// anything else (an image, a spreadsheet).
    pub fn of(bytes: &[u8], file_name: &str) -> Option<FileKind> {
        if bytes.starts_with(b"%PDF-") {
            return Some(FileKind::Pdf);
        }
        let extension = file_name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_lowercase())
            .unwrap_or_default();
        if bytes.starts_with(b"PK\x03\x04") {
            return (extension == "docx").then_some(FileKind::Docx);
        }
        match extension.as_str() {
            "pdf" => Some(FileKind::Pdf),
            "docx" => Some(FileKind::Docx),
            "html" | "htm" | "xhtml" => Some(FileKind::Html),
            "md" | "markdown" => Some(FileKind::Markdown),
            "txt" | "text" => Some(FileKind::Text),
            _ => None,
        }
    }
}

/// The text of a file, and what it says of itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub kind: FileKind,
    /// NFC, paragraphs separated by blank lines; empty when status is `NoText`.
    pub text: String,
    /// The document's own title (`<title>`, a Markdown `# ` heading, the first line).
    pub title: Option<String>,
    /// ISO 639-1, detected from the text.
    pub language: Option<String>,
    pub status: TextStatus,
    /// The legacy encoding the text was converted from.
    pub converted_from: Option<Legacy>,
}

/// Why a file's text could not be read. Each names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("{file}: not a file whose text can be read (PDF, DOCX, HTML, TXT or Markdown)")]
    Unsupported { file: String },
    #[error("{file}: {message}")]
    TooLarge { file: String, message: String },
    #[error(
        "{file}: the PDF is encrypted (password-protected); save an unprotected copy and \
         import that"
    )]
    Encrypted { file: String },
    #[error("{file}: not a valid {format} file: {message}")]
    Invalid {
        file: String,
        format: &'static str,
        message: String,
    },
    #[error("{file}: {message}")]
    Encoding { file: String, message: String },
    #[error("{file}: reading took longer than {seconds} s; the file was not kept")]
    TimedOut { file: String, seconds: u64 },
}

/// Extracts the text of `bytes`, a file named `file_name` (which names it in errors and, for
/// text files, says its kind).
pub fn extract(
    bytes: &[u8],
    file_name: &str,
    limits: &ExtractLimits,
) -> Result<Extracted, ExtractError> {
    let file = file_name.to_owned();
    if bytes.len() as u64 > limits.file_bytes {
        return Err(ExtractError::TooLarge {
            file,
            message: format!(
                "the file has {} bytes, over the limit of {} bytes",
                bytes.len(),
                limits.file_bytes
            ),
        });
    }
    let kind =
        FileKind::of(bytes, file_name).ok_or(ExtractError::Unsupported { file: file.clone() })?;
    let owned = bytes.to_vec();
    let thread_limits = limits.clone();
    let thread_file = file.clone();
    let (send, receive) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("extract".to_owned())
        .spawn(move || {
            let _ = send.send(read(kind, &owned, &thread_file, &thread_limits));
        });
    if let Err(e) = spawned {
        return Err(invalid(
            &file,
            kind,
            format!("no thread to read it on: {e}"),
        ));
    }
    match receive.recv_timeout(limits.time) {
        Ok(result) => result.map(|raw| finish(kind, raw, limits)),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            tracing::warn!(file = %file, "text extraction timed out; the file is refused");
            Err(ExtractError::TimedOut {
                file,
                seconds: limits.time.as_secs(),
            })
        }
        // The reader panicked: its sender was dropped without a result.
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(invalid(
            &file,
            kind,
            "the file is damaged (its reader failed on it)".to_owned(),
        )),
    }
}

/// A file's text as its reader gives it, before it is tidied.
struct Raw {
    text: String,
    title: Option<String>,
    converted_from: Option<Legacy>,
}

fn format_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Pdf => "PDF",
        FileKind::Docx => "DOCX",
        FileKind::Html => "HTML",
        FileKind::Text => "text",
        FileKind::Markdown => "Markdown",
    }
}

fn invalid(file: &str, kind: FileKind, message: String) -> ExtractError {
    ExtractError::Invalid {
        file: file.to_owned(),
        format: format_name(kind),
        message,
    }
}

fn read(
    kind: FileKind,
    bytes: &[u8],
    file: &str,
    limits: &ExtractLimits,
) -> Result<Raw, ExtractError> {
    match kind {
        FileKind::Pdf => read_pdf(bytes, file, limits),
        FileKind::Docx => read_docx(bytes, file, limits),
        FileKind::Html => read_html(&decode(bytes, file)?),
        FileKind::Markdown => Ok(read_markdown(decode(bytes, file)?)),
        FileKind::Text => {
            let decoded = decode(bytes, file)?;
            let title = first_line(&decoded.text);
            Ok(Raw {
                text: decoded.text,
                title,
                converted_from: decoded.converted_from,
            })
        }
    }
}

fn decode(bytes: &[u8], file: &str) -> Result<encoding::Decoded, ExtractError> {
    encoding::decode(bytes).map_err(|e| ExtractError::Encoding {
        file: file.to_owned(),
        message: e.to_string(),
    })
}

fn read_pdf(bytes: &[u8], file: &str, limits: &ExtractLimits) -> Result<Raw, ExtractError> {
    if contains(bytes, b"/Encrypt") {
        return Err(ExtractError::Encrypted {
            file: file.to_owned(),
        });
    }
    // A first count before parsing: page objects ("/Type /Page", not "/Pages").
    let pages = count_pages(bytes);
    if pages > limits.pages {
        return Err(ExtractError::TooLarge {
            file: file.to_owned(),
            message: format!(
                "the PDF has {pages} pages, over the limit of {}",
                limits.pages
            ),
        });
    }
    let text = pdf_extract::extract_text_from_mem(bytes)
        .map_err(|e| invalid(file, FileKind::Pdf, e.to_string()))?;
    let repaired = encoding::repair(&text);
    let title = first_line(&repaired.text);
    Ok(Raw {
        text: repaired.text,
        title,
        converted_from: repaired.converted_from,
    })
}

fn count_pages(bytes: &[u8]) -> usize {
    let mut count = 0;
    for pattern in [&b"/Type /Page"[..], b"/Type/Page"] {
        let mut rest = bytes;
        while let Some(at) = find(rest, pattern) {
            let after = rest.get(at + pattern.len()).copied();
            if after != Some(b's') {
                count += 1;
            }
            rest = &rest[at + pattern.len()..];
        }
    }
    count
}

fn read_docx(bytes: &[u8], file: &str, limits: &ExtractLimits) -> Result<Raw, ExtractError> {
    let lines =
        dongbo_import::raw::docx_text(bytes, file, &limits.package).map_err(|e| match e {
            dongbo_import::ImportError::TooLarge { .. } => ExtractError::TooLarge {
                file: file.to_owned(),
                message: e.to_string(),
            },
            other => invalid(file, FileKind::Docx, other.to_string()),
        })?;
    let repaired = encoding::repair(&lines.join("\n\n"));
    let title = first_line(&repaired.text);
    Ok(Raw {
        text: repaired.text,
        title,
        converted_from: repaired.converted_from,
    })
}

/// Elements whose text is not the page's content.
const SKIPPED: [&str; 9] = [
    "script", "style", "nav", "noscript", "template", "header", "footer", "aside", "head",
];

/// Elements that end a block of text.
const BLOCKS: [&str; 16] = [
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "blockquote",
    "pre",
    "table",
];

/// An HTML page's nesting is refused past this depth before the tree is walked (html5ever
/// itself copes; our walk is recursive).
const MAX_DEPTH: usize = 200;

fn read_html(decoded: &encoding::Decoded) -> Result<Raw, ExtractError> {
    let document = Html::parse_document(&decoded.text);
    let title = document
        .select(
            &scraper::Selector::parse("title").map_err(|_| ExtractError::Unsupported {
                file: String::new(),
            })?,
        )
        .next()
        .map(|t| collapse(&t.text().collect::<String>()))
        .filter(|t| !t.is_empty());
    let mut text = String::new();
    walk(document.tree.root(), &mut text, 0);
    let repaired = encoding::repair(&text);
    let title = title.map(|t| encoding::repair(&t).text);
    Ok(Raw {
        text: repaired.text,
        title,
        converted_from: decoded.converted_from.or(repaired.converted_from),
    })
}

fn walk(node: ego_tree::NodeRef<'_, Node>, out: &mut String, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match node.value() {
        Node::Text(text) => out.push_str(text),
        Node::Element(element) => {
            let name = element.name();
            if SKIPPED.contains(&name) {
                return;
            }
            let block = BLOCKS.contains(&name);
            if block {
                out.push_str("\n\n");
            }
            for child in node.children() {
                walk(child, out, depth + 1);
            }
            if block {
                out.push_str("\n\n");
            }
        }
        _ => {
            for child in node.children() {
                walk(child, out, depth + 1);
            }
        }
    }
}

fn read_markdown(decoded: encoding::Decoded) -> Raw {
    let title = decoded
        .text
        .lines()
        .find_map(|line| line.trim().strip_prefix("# ").map(collapse))
        .or_else(|| first_line(&decoded.text));
    Raw {
        text: decoded.text,
        title,
        converted_from: decoded.converted_from,
    }
}

/// Tidies a reader's text: paragraphs with their white space collapsed, separated by one blank
/// line; cut at the character limit; the language detected.
fn finish(kind: FileKind, raw: Raw, limits: &ExtractLimits) -> Extracted {
    let paragraphs: Vec<String> = raw
        .text
        .split("\n\n")
        .flat_map(|block| {
            // A PDF's or a text's lines within a paragraph are one paragraph.
            if matches!(kind, FileKind::Html | FileKind::Docx) {
                vec![collapse(block)]
            } else {
                block.split('\n').map(collapse).collect()
            }
        })
        .filter(|p| !p.is_empty())
        .collect();
    let mut text = paragraphs.join("\n\n");
    if let Some((cut, _)) = text.char_indices().nth(limits.text_chars) {
        text.truncate(cut);
    }
    let text = dongbo_domain::text::nfc(&text);
    let status = if text.chars().any(char::is_alphanumeric) {
        TextStatus::Text
    } else {
        TextStatus::NoText
    };
    let text = if status == TextStatus::Text {
        text
    } else {
        String::new()
    };
    let title = raw
        .title
        .map(|t| dongbo_domain::text::nfc(&collapse(&t)))
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .map(|t| t.chars().take(300).collect());
    let language = (status == TextStatus::Text)
        .then(|| dongbo_import::language_of(&text))
        .flatten();
    Extracted {
        kind,
        text,
        title,
        language,
        status,
        converted_from: raw.converted_from,
    }
}

fn first_line(text: &str) -> Option<String> {
    text.lines()
        .map(collapse)
        .find(|line| line.chars().any(char::is_alphanumeric))
}

/// White space runs made one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
