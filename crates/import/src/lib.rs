//! Reading action programs from documents and writing them back out.
//!
//! [`import`] turns the bytes of one file — the flattened appendix of a resolution as scraped
//! from a web page, a Markdown/HTML/CSV/XLSX/DOCX table, or a prose plan in any language — into
//! an [`ImportedProgram`]: document metadata, task groups and tasks with their lead and
//! coordinating agencies resolved against the [`Directory`] and their time frames parsed, as of
//! the document's date. It is a pure function of its inputs: no I/O, no clock except "today"
//! when a document carries no date. Every table format goes through one reader
//! (`table::rows_to_program`), so a header or a group row means the same thing everywhere.
//!
//! [`import_indicators`] reads an indicator appendix (chỉ tiêu) from the same table formats.
//!
//! Every reader works within [`Limits`] (file size, unpacked bytes, rows, cells, nesting,
//! time…), declared once in the `limits` module; a file past one is refused with
//! [`ImportError::TooLarge`] naming the limit and where it was reached.
//!
//! [`export`] writes a program as Markdown, CSV or XLSX in a layout that [`import`] reads back
//! to the same groups and tasks (see the `export` module for the layout).
#![forbid(unsafe_code)]

mod assemble;
mod csv;
mod docx;
mod export;
mod flat_text;
mod html;
mod indicators;
mod limits;
mod markdown;
mod metadata;
mod prose;
pub mod raw;
pub mod report_sheet;
mod table;
mod xlsx;

use std::fmt;
use std::str::FromStr;

use dongbo_domain::{Directory, ImportedProgram};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub use export::{ExportError, ExportFormat, export};
pub use indicators::{ImportedIndicators, import_indicators, import_indicators_with_limits};
pub use limits::{Limit, Limits};
/// The language a text is written in (ISO 639-1, detected by whatlang): for the library too.
pub use prose::language_of;

use limits::Budget;

/// The format of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Decide from the file name and the content.
    Auto,
    /// A document whose appendix table was flattened to one cell per line (text scraped from a
    /// web page, seed 002).
    FlatText,
    /// A Markdown pipe table.
    Markdown,
    /// An HTML `<table>`.
    Html,
    /// CSV, comma- or semicolon-separated.
    Csv,
    /// An Excel workbook.
    Xlsx,
    /// A Word document.
    Docx,
    /// A plan written as prose, in any language: tasks become drafts for review.
    Prose,
}

impl Format {
    /// The name used on the command line and in the store ("text", "md", …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::FlatText => "text",
            Self::Markdown => "md",
            Self::Html => "html",
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Docx => "docx",
            Self::Prose => "prose",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A format name that is not one of "auto", "text", "md", "html", "csv", "xlsx", "docx",
/// "prose".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format «{0}» (expected auto, text, md, html, csv, xlsx, docx or prose)")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Self::Auto,
            "text" | "txt" | "flat" | "flat-text" => Self::FlatText,
            "md" | "markdown" => Self::Markdown,
            "html" | "htm" => Self::Html,
            "csv" => Self::Csv,
            "xlsx" => Self::Xlsx,
            "docx" => Self::Docx,
            "prose" => Self::Prose,
            _ => return Err(UnknownFormat(s.to_owned())),
        })
    }
}

/// What [`import`] made of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub program: ImportedProgram,
    /// The format actually used (never [`Format::Auto`]).
    pub format: Format,
    /// SHA-256 of the bytes, in lower-case hex: identifies the exact file imported.
    pub sha256: String,
    /// The file gives the place of the document's number but leaves it blank (a draft's
    /// "Nghị quyết số      /NQ-CP"): the importing user must give the number
    /// ([`Imported::set_number`]) before the program is stored, never a guess.
    pub number_left_blank: bool,
}

/// A number given for a document that is not one ("47/NQ-CP", "57-KL/TW", "1234/QĐ-TTg").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("«{0}» is not a document number (such as 47/NQ-CP, 1234/QĐ-TTg or 57-KL/TW)")]
    NotANumber(String),
    #[error("the file gives the document's number as {file}, not {given}")]
    Differs { file: String, given: String },
}

impl Imported {
    /// Give the document's number where the file leaves it blank or says nothing
    /// (`dongbo import --number`). A number the file does give cannot be replaced by another.
    pub fn set_number(&mut self, number: &str) -> Result<(), NumberError> {
        let number = dongbo_domain::text::nfc(number.trim());
        if metadata::document_numbers(&number) != [number.clone()] {
            return Err(NumberError::NotANumber(number));
        }
        let document = &mut self.program.document;
        match &document.number {
            Some(file) if *file != number => {
                return Err(NumberError::Differs {
                    file: file.clone(),
                    given: number,
                });
            }
            _ => {}
        }
        if document.kind == dongbo_domain::DocumentKind::Other
            && let Some(kind) = metadata::kind_from_number(&number)
        {
            document.kind = kind;
        }
        document.implements.retain(|n| *n != number);
        document.number = Some(number);
        self.program.warnings.retain(|w| {
            !w.starts_with(metadata::NUMBER_LEFT_BLANK) && !w.starts_with(metadata::NUMBER_MISSING)
        });
        self.number_left_blank = false;
        Ok(())
    }
}

/// Why a file could not be imported. Every variant names the file, and where the fault is
/// local, the line (text formats) or the row and column (tables).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Text that is not UTF-8.
    #[error(
        "{file}: line {line}: the text is not UTF-8 (invalid byte at offset {offset}); save the file as UTF-8"
    )]
    NotUtf8 {
        file: String,
        line: usize,
        offset: usize,
    },
    /// An XLSX or DOCX file that cannot be opened.
    #[error("{file}: not a valid {format} file: {message}")]
    InvalidFile {
        file: String,
        format: &'static str,
        message: String,
    },
    /// No table (or appendix) with a header the importer recognises.
    #[error("{file}: {message}")]
    NoTable { file: String, message: String },
    /// A fault at one place in the file: `location` is "line 250" or "row 7, column D «Cơ
    /// quan chủ trì»".
    #[error("{file}: {location}: {message}")]
    Invalid {
        file: String,
        location: String,
        message: String,
    },
    /// A file past one of the [`Limits`]: `location` says where the limit was reached ("sheet
    /// «Sheet1», cell XFD1048576", "entry word/document.xml"), `message` names the limit and
    /// its value. Nothing of the file is kept.
    #[error("{file}: {location}: {message}")]
    TooLarge {
        file: String,
        location: String,
        limit: Limit,
        message: String,
    },
}

/// Import one file. `file_name` names the file in errors and chooses the format when `format`
/// is [`Format::Auto`]. Deterministic for a given directory, except that a document without a
/// date has its agencies resolved as of today.
pub fn import(
    bytes: &[u8],
    file_name: &str,
    format: Format,
    directory: &Directory,
) -> Result<Imported, ImportError> {
    import_with_limits(bytes, file_name, format, directory, &Limits::default())
}

/// [`import`] within `limits` instead of the defaults.
pub fn import_with_limits(
    bytes: &[u8],
    file_name: &str,
    format: Format,
    directory: &Directory,
    limits: &Limits,
) -> Result<Imported, ImportError> {
    let budget = Budget::new(limits, file_name);
    budget.check_file_size(bytes.len() as u64)?;
    let sha256 = hex::encode(Sha256::digest(bytes));
    let format = match format {
        Format::Auto => detect_format(bytes, file_name, limits),
        other => other,
    };
    // Word 97 and Excel 97 files are compound documents, not OOXML zips: say so rather than
    // calling them damaged or not UTF-8.
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ImportError::InvalidFile {
            file: file_name.to_owned(),
            format: "XLSX or DOCX",
            message: "this is an old binary Excel (.xls) or Word (.doc) file; save it as .xlsx \
                      or .docx and import that"
                .to_owned(),
        });
    }
    let text = || decode_text(bytes, file_name);
    let program = match format {
        Format::Auto | Format::FlatText => flat_text::import(&text()?, &budget, directory)?,
        Format::Markdown => markdown::import(&text()?, &budget, directory)?,
        Format::Html => html::import(&text()?, &budget, directory)?,
        Format::Csv => csv::import(&text()?, &budget, directory)?,
        Format::Xlsx => xlsx::import(bytes, &budget, directory)?,
        Format::Docx => docx::import(bytes, &budget, directory)?,
        Format::Prose => prose::import(&text()?, &budget, directory)?,
    };
    let number_left_blank = program
        .warnings
        .iter()
        .any(|w| w.starts_with(metadata::NUMBER_LEFT_BLANK));
    Ok(Imported {
        program,
        format,
        sha256,
        number_left_blank,
    })
}

/// Choose a format from the file name's extension and, for plain text, from the content.
fn detect_format(bytes: &[u8], file_name: &str, limits: &Limits) -> Format {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "md" | "markdown" => return Format::Markdown,
        "html" | "htm" | "xhtml" => return Format::Html,
        "csv" | "tsv" => return Format::Csv,
        "xlsx" | "xlsm" => return Format::Xlsx,
        "docx" => return Format::Docx,
        _ => {}
    }
    // An OOXML package whatever its name: the part names are stored uncompressed in the zip.
    if bytes.starts_with(b"PK\x03\x04") {
        if contains(bytes, b"word/document.xml") {
            return Format::Docx;
        }
        return Format::Xlsx;
    }
    let Ok(text) = std::str::from_utf8(strip_bom(bytes)) else {
        // Let the flat-text reader report the encoding error with its line.
        return Format::FlatText;
    };
    if flat_text::looks_like_flat_table(text, limits) {
        Format::FlatText
    } else if markdown::has_pipe_table(text) {
        Format::Markdown
    } else if html::looks_like_html_table(text) {
        Format::Html
    } else {
        Format::Prose
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Bytes → text at the boundary: UTF-8 with or without a byte-order mark, line endings made
/// `\n`, normalised to NFC.
fn decode_text(bytes: &[u8], file_name: &str) -> Result<String, ImportError> {
    let bytes = strip_bom(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        ImportError::NotUtf8 {
            file: file_name.to_owned(),
            line: 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count(),
            offset,
        }
    })?;
    // One copy of the text, not two: a file may be 20 MiB.
    if text.contains('\r') {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        Ok(dongbo_domain::text::nfc(&text))
    } else {
        Ok(dongbo_domain::text::nfc(text))
    }
}

/// The JSON printed by `dongbo import FILE --dry-run --json`. The field names of the contract
/// (`document.number`, `groups[].task_count`, `tasks[].lead.agencies`, `tasks[].time_frame.kind`
/// …) are fixed; fields may be added, never renamed.
pub fn to_json_contract(imported: &Imported) -> Value {
    let program = &imported.program;
    let document = &program.document;
    let groups: Vec<Value> = program
        .groups
        .iter()
        .map(|group| {
            let task_count = program
                .tasks
                .iter()
                .filter(|t| t.group == group.code)
                .count();
            json!({"code": group.code, "title": group.title, "task_count": task_count})
        })
        .collect();
    let tasks: Vec<Value> = program
        .tasks
        .iter()
        .map(|task| {
            json!({
                "code": task.code,
                "group": task.group,
                "parent": parent_of(program, &task.code),
                "title": task.title,
                "expected_output": task.expected_output,
                "lead": task.lead,
                "coordinating": task.coordinating,
                "time_frame": task.time_frame,
                "draft": task.draft,
                "language": task.language,
                "source": task.source,
            })
        })
        .collect();
    json!({
        "document": {
            "number": document.number,
            "kind": document.kind.as_str(),
            "issued_on": document.issued_on.map(|d| d.format("%Y-%m-%d").to_string()),
            "issuer": document.issuer,
            "issuer_text": document.issuer_text,
            "signer": document.signer,
            "title": document.title,
            "implements": document.implements,
            "language": document.language,
        },
        "format": imported.format.as_str(),
        "sha256": imported.sha256,
        "groups": groups,
        "tasks": tasks,
        "warnings": program.warnings,
        "number_left_blank": imported.number_left_blank,
    })
}

/// The task a sub-task belongs to: "2.1" for "2.1.a" and for "2.1-2", when the program has
/// it.
pub fn parent_of<'p>(program: &'p ImportedProgram, code: &str) -> Option<&'p str> {
    let (parent, rest) = code.rsplit_once(['.', '-'])?;
    let mut chars = rest.chars();
    let sub = match (code.as_bytes()[parent.len()], chars.next(), chars.next()) {
        (b'.', Some(c), None) => c.is_lowercase(),
        (b'-', Some(_), _) => rest.chars().all(|c| c.is_ascii_digit()),
        _ => false,
    };
    if !sub {
        return None;
    }
    program
        .tasks
        .iter()
        .find(|t| t.code == parent)
        .map(|t| t.code.as_str())
}
