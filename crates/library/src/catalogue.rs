//! Bulk import (`dongbo library import`): a catalogue — CSV, XLSX or JSON Lines, one item per
//! row, with the columns of `docs/LIBRARY.md` — or a folder of documents, each file an item
//! with its text and title read from the file.
//!
//! **All or nothing.** Every row is read and checked, and every file's text extracted, before
//! anything is written; any error (each naming the file, the row and the column) stores
//! nothing, and the items are then written in one transaction.
//!
//! **Idempotent.** Each row has a key — (`system`, `external_id`) when given; else its `url`;
//! else its file's SHA-256; else a hash of its title, kind, agency and date — so importing the
//! same catalogue again finds the same items and changes nothing. A file in a folder is keyed
//! by its bytes' SHA-256. The same text from two sources is one item with two provenances.
//!
//! **Dry run.** The same batch is written in a transaction that is rolled back: the counts are
//! what a real run would give at that moment; no file is stored.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use dongbo_domain::text;
use dongbo_store::library::{
    Attachment, Incoming, ItemData, Outcome, PendingFile, Provenance, TextStatus, items,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::extract::{self, ExtractLimits, Extracted, FileKind};
use crate::input::ItemInput;
use crate::{Error, FieldError, Library, encoding};

/// The largest catalogue file read (a catalogue is text; its files are read one by one).
const MAX_CATALOGUE_BYTES: u64 = 64 * 1024 * 1024;
/// The most rows (or files) one import takes.
const MAX_ROWS: usize = 100_000;

/// The columns of a catalogue, in the order `docs/LIBRARY.md` lists them.
pub const COLUMNS: [&str; 20] = [
    "title",
    "summary",
    "body",
    "language",
    "kind",
    "topics",
    "countries",
    "audiences",
    "agency",
    "author",
    "published_on",
    "event_on",
    "rights",
    "licence",
    "visibility",
    "visible_to",
    "url",
    "file",
    "external_id",
    "system",
];

/// The columns whose cells are lists (separated by `;` in CSV and XLSX, arrays or `;` strings
/// in JSON Lines).
const LIST_COLUMNS: [&str; 5] = ["topics", "countries", "audiences", "visible_to", "file"];

/// How the source is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// By the path: a folder is `files`; `.csv`, `.xlsx`, `.jsonl`/`.ndjson` their format; a
    /// single document (PDF, DOCX, HTML, TXT, Markdown) `files`.
    Auto,
    Csv,
    Xlsx,
    Jsonl,
    Files,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Format::Auto,
            "csv" => Format::Csv,
            "xlsx" => Format::Xlsx,
            "jsonl" | "ndjson" => Format::Jsonl,
            "files" => Format::Files,
            other => {
                return Err(format!(
                    "unknown format «{other}»: use auto, csv, xlsx, jsonl or files"
                ));
            }
        })
    }
}

/// How to import.
#[derive(Debug, Clone)]
pub struct Options {
    pub format: Format,
    pub dry_run: bool,
    /// Who imports, as the audit log names them (`cli` from the command line).
    pub actor: String,
    pub limits: ExtractLimits,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            format: Format::Auto,
            dry_run: false,
            actor: "cli".to_owned(),
            limits: ExtractLimits::default(),
        }
    }
}

/// One item of an import and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// "row 3" of the catalogue, or the file's path in the folder.
    pub source: String,
    pub title: String,
    /// The item's id (`None` for an item a dry run would create).
    pub id: Option<i64>,
    pub outcome: Outcome,
    /// A text converted from a legacy Vietnamese encoding ("TCVN3 (ABC)").
    pub converted_from: Option<String>,
    /// A file whose text could not be read (kept, marked `no_text`).
    pub no_text: bool,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub format: Format,
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Items whose text was already in the library: their source was added to that item.
    pub duplicates_merged: usize,
    pub items: Vec<Imported>,
    /// Files of a folder that are not documents (images, spreadsheets), with why.
    pub skipped: Vec<String>,
}

/// A fault at one place of the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub file: String,
    /// "row 7" (CSV and XLSX, the header is row 1), "line 3" (JSON Lines); `None` for the
    /// file as a whole.
    pub row: Option<String>,
    /// The column at fault, by its name.
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(row) = &self.row {
            write!(f, ": {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column «{column}»")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} error(s); nothing was imported:\n{}", .0.len(), lines(.0))]
    Rows(Vec<RowError>),
    #[error(transparent)]
    Library(#[from] Error),
}

fn lines(errors: &[RowError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn whole_file(file: &str, message: impl Into<String>) -> ImportError {
    ImportError::Rows(vec![RowError {
        file: file.to_owned(),
        row: None,
        column: None,
        message: message.into(),
    }])
}

/// A row of a catalogue: its label and its cells by column.
#[derive(Debug, Default)]
struct Row {
    label: String,
    cells: HashMap<&'static str, Cell>,
}

#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    List(Vec<String>),
}

impl Row {
    fn text(&self, column: &str) -> Option<String> {
        match self.cells.get(column)? {
            Cell::Text(t) => Some(t.clone()).filter(|t| !t.trim().is_empty()),
            Cell::List(list) => Some(list.join("; ")).filter(|t| !t.trim().is_empty()),
        }
    }

    fn list(&self, column: &str) -> Vec<String> {
        match self.cells.get(column) {
            Some(Cell::List(list)) => list.clone(),
            Some(Cell::Text(t)) => t
                .split(';')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect(),
            None => Vec::new(),
        }
    }
}

/// Imports `path` into the library (see the module documentation).
pub async fn import(
    library: &Library,
    path: &Path,
    options: &Options,
) -> Result<Report, ImportError> {
    let shown = path.display().to_string();
    let metadata =
        std::fs::metadata(path).map_err(|e| whole_file(&shown, format!("cannot be read: {e}")))?;
    let format = match options.format {
        Format::Auto => auto_format(path, metadata.is_dir()),
        chosen => chosen,
    };
    if !options.dry_run {
        library.seed_topics().await?;
    }
    let mut topics = library.topic_codes().await?;
    if topics.is_empty() {
        // A dry run on a new database: the vocabulary a real run would seed.
        topics = dongbo_domain::library::bundled_topics()
            .into_iter()
            .map(|t| t.code)
            .collect();
    }
    let prepared = match format {
        Format::Files => prepare_files(library, path, options)?,
        catalogue => {
            let rows = read_catalogue(path, catalogue)?;
            prepare_rows(library, path, &rows, &topics, options)?
        }
    };
    write(library, format, prepared, options).await
}

fn auto_format(path: &Path, is_dir: bool) -> Format {
    if is_dir {
        return Format::Files;
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "csv" | "tsv" => Format::Csv,
        "xlsx" => Format::Xlsx,
        "jsonl" | "ndjson" => Format::Jsonl,
        _ => Format::Files,
    }
}

/// What is ready to write: the items, the files to store first, and what each came from.
struct Prepared {
    batch: Vec<Incoming>,
    files: Vec<(PendingFile, Vec<u8>)>,
    sources: Vec<(String, Option<String>, bool)>,
    skipped: Vec<String>,
}

async fn write(
    library: &Library,
    format: Format,
    prepared: Prepared,
    options: &Options,
) -> Result<Report, ImportError> {
    let Prepared {
        batch,
        files,
        sources,
        skipped,
    } = prepared;
    let now = library.now();
    let written = if options.dry_run {
        let pending: Vec<PendingFile> = files.iter().map(|(p, _)| p.clone()).collect();
        items::preview_batch(library.db(), &batch, &pending, &options.actor, now)
            .await
            .map_err(Error::from)?
    } else {
        // Files first (kept by content: a file stored for a batch that then fails is only an
        // unused file), then every item in one transaction.
        for (file, bytes) in &files {
            // Kept by content: a file stored before (a second import) is not written again.
            let known = library
                .files()
                .info(library.db(), &file.sha256)
                .await
                .map_err(Error::from)?;
            if known.is_some() {
                continue;
            }
            library
                .files()
                .put_as(library.db(), bytes, &file.name, None, Some(&options.actor))
                .await
                .map_err(|e| whole_file(&file.name, e.to_string()))?;
        }
        items::write_batch(library.db(), &batch, &options.actor, now)
            .await
            .map_err(Error::from)?
    };
    let mut report = Report {
        format,
        dry_run: options.dry_run,
        created: 0,
        updated: 0,
        unchanged: 0,
        duplicates_merged: 0,
        items: Vec::with_capacity(written.len()),
        skipped,
    };
    for ((written, incoming), (source, converted_from, no_text)) in
        written.iter().zip(&batch).zip(sources)
    {
        match written.outcome {
            Outcome::Created => report.created += 1,
            Outcome::Updated => report.updated += 1,
            Outcome::Unchanged => report.unchanged += 1,
            Outcome::Merged => report.duplicates_merged += 1,
        }
        let rolled_back = options.dry_run && written.outcome == Outcome::Created;
        report.items.push(Imported {
            source,
            title: incoming.data.title.clone(),
            id: (!rolled_back).then_some(written.id),
            outcome: written.outcome,
            converted_from,
            no_text,
        });
    }
    Ok(report)
}

// ---- catalogues ---------------------------------------------------------------------------

/// Reads a catalogue's rows from `bytes` without a database, as an import would, and says
/// how many there are: for checking a file, and for the parsers' never-panic tests.
pub fn count_rows(bytes: &[u8], format: Format, file: &str) -> Result<usize, ImportError> {
    let rows = match format {
        Format::Csv => read_csv(bytes, file)?,
        Format::Xlsx => read_xlsx(bytes, file)?,
        Format::Jsonl => read_jsonl(bytes, file)?,
        Format::Auto | Format::Files => return Err(whole_file(file, "not a catalogue format")),
    };
    Ok(rows.len())
}

fn read_catalogue(path: &Path, format: Format) -> Result<Vec<Row>, ImportError> {
    let shown = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|e| whole_file(&shown, format!("cannot be read: {e}")))?
        .len();
    if size > MAX_CATALOGUE_BYTES {
        return Err(whole_file(
            &shown,
            format!("the file has {size} bytes, over the limit of {MAX_CATALOGUE_BYTES}"),
        ));
    }
    let bytes =
        std::fs::read(path).map_err(|e| whole_file(&shown, format!("cannot be read: {e}")))?;
    let rows = match format {
        Format::Csv => read_csv(&bytes, &shown)?,
        Format::Xlsx => read_xlsx(&bytes, &shown)?,
        Format::Jsonl => read_jsonl(&bytes, &shown)?,
        Format::Auto | Format::Files => Vec::new(),
    };
    if rows.len() > MAX_ROWS {
        return Err(whole_file(
            &shown,
            format!("{} rows, over the limit of {MAX_ROWS}", rows.len()),
        ));
    }
    Ok(rows)
}

/// The column a header names (case, spaces and diacritics ignored; `owner` for `agency`).
fn column_of(header: &str) -> Option<&'static str> {
    let folded = text::fold(header).replace([' ', '-'], "_");
    let folded = match folded.as_str() {
        "owner" => "agency",
        "license" => "licence",
        other => other,
    };
    COLUMNS.into_iter().find(|c| *c == folded)
}

/// The columns of a header row, or the errors naming the unknown ones.
fn header_columns(
    headers: &[String],
    file: &str,
    place: &str,
) -> Result<Vec<Option<&'static str>>, ImportError> {
    let mut columns = Vec::new();
    let mut errors = Vec::new();
    for header in headers {
        if header.trim().is_empty() {
            columns.push(None);
            continue;
        }
        match column_of(header) {
            Some(column) if columns.contains(&Some(column)) => errors.push(RowError {
                file: file.to_owned(),
                row: Some(place.to_owned()),
                column: Some(header.clone()),
                message: "this column is given twice".to_owned(),
            }),
            Some(column) => columns.push(Some(column)),
            None => errors.push(RowError {
                file: file.to_owned(),
                row: Some(place.to_owned()),
                column: Some(header.clone()),
                message: format!("unknown column; the columns are {}", COLUMNS.join(", ")),
            }),
        }
    }
    for required in ["title", "kind"] {
        if !columns.contains(&Some(required)) {
            errors.push(RowError {
                file: file.to_owned(),
                row: Some(place.to_owned()),
                column: Some(required.to_owned()),
                message: "this column is required".to_owned(),
            });
        }
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(ImportError::Rows(errors))
    }
}

fn read_csv(bytes: &[u8], file: &str) -> Result<Vec<Row>, ImportError> {
    let decoded = encoding::decode(bytes).map_err(|e| whole_file(file, e.to_string()))?;
    let first_line = decoded.text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains('\t') {
        b'\t'
    } else if first_line.contains(';') && !first_line.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(decoded.text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(record)) => record.iter().map(str::to_owned).collect(),
        Some(Err(e)) => return Err(whole_file(file, format!("row 1: {e}"))),
        None => return Ok(Vec::new()),
    };
    let columns = header_columns(&header, file, "row 1")?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (index, record) in records.enumerate() {
        let label = format!("row {}", index + 2);
        if index >= MAX_ROWS {
            return Err(whole_file(file, format!("more than {MAX_ROWS} rows")));
        }
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                errors.push(RowError {
                    file: file.to_owned(),
                    row: Some(label),
                    column: None,
                    message: e.to_string(),
                });
                continue;
            }
        };
        if record.len() > columns.len()
            && record
                .iter()
                .skip(columns.len())
                .any(|c| !c.trim().is_empty())
        {
            errors.push(RowError {
                file: file.to_owned(),
                row: Some(label.clone()),
                column: None,
                message: format!(
                    "{} cells, but the header names {} columns",
                    record.len(),
                    columns.len()
                ),
            });
            continue;
        }
        let cells = columns
            .iter()
            .zip(record.iter())
            .filter_map(|(column, cell)| {
                column.map(|c| (c, Cell::Text(text::from_csv_cell(cell).to_owned())))
            })
            .collect();
        rows.push(Row { label, cells });
    }
    if errors.is_empty() {
        Ok(rows.into_iter().filter(|r| !is_blank(r)).collect())
    } else {
        Err(ImportError::Rows(errors))
    }
}

fn is_blank(row: &Row) -> bool {
    row.cells.values().all(|cell| match cell {
        Cell::Text(t) => t.trim().is_empty(),
        Cell::List(l) => l.is_empty(),
    })
}

fn read_xlsx(bytes: &[u8], file: &str) -> Result<Vec<Row>, ImportError> {
    let limits = dongbo_import::Limits {
        rows: MAX_ROWS + 1,
        cells: MAX_ROWS * COLUMNS.len(),
        ..dongbo_import::Limits::default()
    };
    let sheet = dongbo_import::raw::xlsx_rows(bytes, file, &limits)
        .map_err(|e| whole_file(file, e.to_string()))?;
    let mut sheet = sheet.into_iter();
    let Some(header) = sheet.next() else {
        return Ok(Vec::new());
    };
    let columns = header_columns(&header.cells, file, &header.label)?;
    let mut rows = Vec::new();
    for row in sheet {
        let cells = columns
            .iter()
            .zip(row.cells)
            .filter_map(|(column, cell)| column.map(|c| (c, Cell::Text(cell))))
            .collect();
        let row = Row {
            label: row.label,
            cells,
        };
        if !is_blank(&row) {
            rows.push(row);
        }
    }
    Ok(rows)
}

fn read_jsonl(bytes: &[u8], file: &str) -> Result<Vec<Row>, ImportError> {
    let decoded = encoding::decode(bytes).map_err(|e| whole_file(file, e.to_string()))?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in decoded.text.lines().enumerate() {
        let label = format!("line {}", index + 1);
        if line.trim().is_empty() {
            continue;
        }
        let error = |column: Option<String>, message: String| RowError {
            file: file.to_owned(),
            row: Some(label.clone()),
            column,
            message,
        };
        let object = match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(object)) => object,
            Ok(_) => {
                errors.push(error(None, "a line must be one JSON object".to_owned()));
                continue;
            }
            Err(e) => {
                errors.push(error(None, format!("not JSON: {e}")));
                continue;
            }
        };
        let mut row = Row {
            label: label.clone(),
            cells: HashMap::new(),
        };
        for (key, value) in object {
            let Some(column) = column_of(&key) else {
                errors.push(error(
                    Some(key),
                    format!("unknown field; the fields are {}", COLUMNS.join(", ")),
                ));
                continue;
            };
            let cell = match value {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => Cell::Text(s),
                serde_json::Value::Number(n) => Cell::Text(n.to_string()),
                serde_json::Value::Array(values) if LIST_COLUMNS.contains(&column) => {
                    let mut list = Vec::new();
                    for value in values {
                        match value {
                            serde_json::Value::String(s) => list.push(s),
                            other => errors.push(error(
                                Some(key.clone()),
                                format!("a list of strings was expected, not {other}"),
                            )),
                        }
                    }
                    Cell::List(list)
                }
                other => {
                    errors.push(error(
                        Some(key),
                        format!("a string was expected, not {other}"),
                    ));
                    continue;
                }
            };
            row.cells.insert(column, cell);
        }
        for required in ["title", "kind"] {
            if row.text(required).is_none() && !row.cells.contains_key(required) {
                errors.push(error(Some(required.to_owned()), "required".to_owned()));
            }
        }
        rows.push(row);
    }
    if rows.len() > MAX_ROWS {
        return Err(whole_file(file, format!("more than {MAX_ROWS} lines")));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(ImportError::Rows(errors))
    }
}

/// A catalogue's rows made items: every row checked and every file read before any is
/// written; all errors reported together.
fn prepare_rows(
    library: &Library,
    path: &Path,
    rows: &[Row],
    topics: &[String],
    options: &Options,
) -> Result<Prepared, ImportError> {
    let file = path.display().to_string();
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut prepared = Prepared {
        batch: Vec::new(),
        files: Vec::new(),
        sources: Vec::new(),
        skipped: Vec::new(),
    };
    let mut errors = Vec::new();
    let mut keys: HashMap<(String, String), String> = HashMap::new();
    let now = library.now();
    for row in rows {
        let error = |column: Option<&str>, message: String| RowError {
            file: file.clone(),
            row: Some(row.label.clone()),
            column: column.map(str::to_owned),
            message,
        };
        let input = ItemInput {
            title: row.text("title").unwrap_or_default(),
            summary: row.text("summary"),
            body: row.text("body"),
            language: row.text("language"),
            kind: row.text("kind").unwrap_or_default(),
            topics: row.list("topics"),
            countries: row.list("countries"),
            audiences: row.list("audiences"),
            owner: row.text("agency"),
            author: row.text("author"),
            published_on: row.text("published_on"),
            event_on: row.text("event_on"),
            rights: row.text("rights"),
            licence: row.text("licence"),
            visibility: row.text("visibility"),
            visible_to: row.list("visible_to"),
            url: row.text("url"),
            work_id: None,
        };
        // The row's files: read, extracted, their text the body when the row gives none.
        let mut attachments = Vec::new();
        let mut extracted_body = None;
        let mut converted_from = None;
        let mut no_text = false;
        let mut file_hashes = Vec::new();
        for name in row.list("file") {
            match read_attached(folder, &name, &options.limits) {
                Ok((bytes, extracted)) => {
                    let sha256 = hex::encode(Sha256::digest(&bytes));
                    file_hashes.push(sha256.clone());
                    if extracted.status == TextStatus::NoText {
                        no_text = true;
                    }
                    converted_from = converted_from.or(extracted.converted_from);
                    if extracted_body.is_none() && extracted.status == TextStatus::Text {
                        extracted_body = Some(extracted.text.clone());
                    }
                    if let Err(why) = library.files().accepts(&bytes, &name, None) {
                        prepared.skipped.push(format!(
                            "{}: {name}: its text kept, not the file: {why}",
                            row.label
                        ));
                        continue;
                    }
                    attachments.push(attachment(&name, &sha256, &extracted));
                    prepared.files.push((
                        PendingFile {
                            sha256,
                            size: bytes.len() as u64,
                            media_type: extracted.kind.media_type().to_owned(),
                            name: name.clone(),
                        },
                        bytes,
                    ));
                }
                Err(message) => errors.push(error(Some("file"), message)),
            }
        }
        let mut input = input;
        if input.body.is_none() {
            input.body = extracted_body;
        }
        let mut data = match input.validate(library.directory(), topics) {
            Ok(data) => data,
            Err(Error::Invalid(fields)) => {
                errors.extend(fields.into_iter().map(|f| {
                    let column = if f.field == "owner" {
                        "agency"
                    } else {
                        f.field.as_str()
                    };
                    error(Some(column), f.message)
                }));
                continue;
            }
            Err(other) => return Err(other.into()),
        };
        data.attachments = attachments;
        let (system, external_id) = row_key(row, &data, &file_hashes);
        if let Some(first) = keys.insert((system.clone(), external_id.clone()), row.label.clone()) {
            errors.push(error(
                Some("external_id"),
                format!("the same item as {first} (key {system}:{external_id}): give each row its own external_id"),
            ));
            continue;
        }
        prepared.sources.push((
            row.label.clone(),
            converted_from.map(|l| l.name().to_owned()),
            no_text,
        ));
        prepared.batch.push(Incoming {
            data,
            provenance: Some(Provenance {
                system,
                external_id: Some(external_id),
                url: row.text("url"),
                file_name: Some(file_name_of(path)),
                received_at: now,
            }),
        });
    }
    if errors.is_empty() {
        Ok(prepared)
    } else {
        Err(ImportError::Rows(errors))
    }
}

/// The key a row is known by (see the module documentation).
fn row_key(row: &Row, data: &ItemData, file_hashes: &[String]) -> (String, String) {
    let system = row
        .text("system")
        .or_else(|| data.owner.clone())
        .map(|s| text::clean(&s))
        .unwrap_or_else(|| "catalogue".to_owned());
    let external_id = row
        .text("external_id")
        .map(|e| text::clean(&e))
        .or_else(|| data.link_url.clone())
        .or_else(|| file_hashes.first().map(|h| format!("sha256:{h}")))
        .unwrap_or_else(|| {
            let identity = format!(
                "{}\u{1f}{}\u{1f}{}\u{1f}{}",
                text::fold(&data.title),
                data.kind,
                data.owner.as_deref().unwrap_or_default(),
                data.published_on.map(|d| d.to_string()).unwrap_or_default()
            );
            format!(
                "row:{}",
                &hex::encode(Sha256::digest(identity.as_bytes()))[..32]
            )
        });
    (system, external_id)
}

fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A file a catalogue row names, relative to the catalogue's folder (never outside it).
fn read_attached(
    folder: &Path,
    name: &str,
    limits: &ExtractLimits,
) -> Result<(Vec<u8>, Extracted), String> {
    let relative = Path::new(name);
    let inside = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !inside {
        return Err(format!(
            "«{name}» must be a path inside the catalogue's folder (no .., no absolute path)"
        ));
    }
    let path = folder.join(relative);
    let bytes = read_limited(&path, limits)?;
    let extracted = extract::extract(&bytes, name, limits).map_err(|e| e.to_string())?;
    Ok((bytes, extracted))
}

fn read_limited(path: &Path, limits: &ExtractLimits) -> Result<Vec<u8>, String> {
    let shown = path.display();
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{shown}: cannot be read: {e}"))?
        .len();
    if size > limits.file_bytes {
        return Err(format!(
            "{shown}: the file has {size} bytes, over the limit of {} bytes",
            limits.file_bytes
        ));
    }
    std::fs::read(path).map_err(|e| format!("{shown}: cannot be read: {e}"))
}

fn attachment(name: &str, sha256: &str, extracted: &Extracted) -> Attachment {
    Attachment {
        sha256: sha256.to_owned(),
        name: text::nfc(name),
        media_type: extracted.kind.media_type().to_owned(),
        text_status: extracted.status,
    }
}

// ---- folders ------------------------------------------------------------------------------

/// Every file under `path` (or `path` itself), in name order, hidden ones left out.
fn files_under(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let mut found = Vec::new();
    let mut folders = vec![path.to_owned()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| format!("{}: cannot be read: {e}", folder.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", folder.display()))?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry
                .file_type()
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
            if kind.is_dir() {
                folders.push(entry.path());
            } else if kind.is_file() {
                found.push(entry.path());
            }
            if found.len() > MAX_ROWS {
                return Err(format!("more than {MAX_ROWS} files"));
            }
        }
    }
    found.sort();
    Ok(found)
}

fn prepare_files(
    library: &Library,
    path: &Path,
    options: &Options,
) -> Result<Prepared, ImportError> {
    let shown = path.display().to_string();
    let files = files_under(path).map_err(|e| whole_file(&shown, e))?;
    let base = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(Path::new("."))
    };
    let mut prepared = Prepared {
        batch: Vec::new(),
        files: Vec::new(),
        sources: Vec::new(),
        skipped: Vec::new(),
    };
    let mut errors = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    let now = library.now();
    for file in files {
        let relative = file
            .strip_prefix(base)
            .unwrap_or(&file)
            .to_string_lossy()
            .into_owned();
        let relative = text::nfc(&relative);
        let fail = |message: String| RowError {
            file: relative.clone(),
            row: None,
            column: None,
            message,
        };
        let bytes = match read_limited(&file, &options.limits) {
            Ok(bytes) => bytes,
            Err(message) => {
                errors.push(fail(message));
                continue;
            }
        };
        if FileKind::of(&bytes, &relative).is_none() {
            prepared.skipped.push(format!(
                "{relative}: not a document (PDF, DOCX, HTML, TXT, Markdown)"
            ));
            continue;
        }
        let extracted = match extract::extract(&bytes, &relative, &options.limits) {
            Ok(extracted) => extracted,
            Err(e) => {
                errors.push(fail(e.to_string()));
                continue;
            }
        };
        let sha256 = hex::encode(Sha256::digest(&bytes));
        if let Some(first) = seen.insert(sha256.clone(), relative.clone()) {
            prepared
                .skipped
                .push(format!("{relative}: the same file as {first}"));
            continue;
        }
        let stem = Path::new(&relative)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| relative.clone());
        let kind = match extracted.kind {
            FileKind::Html => "article",
            _ => "publication",
        };
        let input = ItemInput {
            title: extracted.title.clone().unwrap_or(stem),
            body: Some(extracted.text.clone()),
            language: extracted.language.clone(),
            kind: kind.to_owned(),
            ..ItemInput::default()
        };
        let mut data = match input.validate(library.directory(), &[]) {
            Ok(data) => data,
            Err(Error::Invalid(fields)) => {
                errors.extend(
                    fields
                        .into_iter()
                        .map(|f| fail(format!("{}: {}", f.field, f.message))),
                );
                continue;
            }
            Err(other) => return Err(other.into()),
        };
        // Detected, not typed by a person.
        data.language_overridden = false;
        prepared.sources.push((
            relative.clone(),
            extracted.converted_from.map(|l| l.name().to_owned()),
            extracted.status == TextStatus::NoText,
        ));
        // The evidence store keeps the kinds it knows (UTF-8 text among them): a legacy-encoded
        // text keeps its converted text and not its bytes.
        match library.files().accepts(&bytes, &relative, None) {
            Ok(_) => {
                data.attachments = vec![attachment(&relative, &sha256, &extracted)];
                prepared.files.push((
                    PendingFile {
                        sha256: sha256.clone(),
                        size: bytes.len() as u64,
                        media_type: extracted.kind.media_type().to_owned(),
                        name: relative.clone(),
                    },
                    bytes,
                ));
            }
            Err(why) => prepared
                .skipped
                .push(format!("{relative}: its text kept, not the file: {why}")),
        }
        prepared.batch.push(Incoming {
            data,
            provenance: Some(Provenance {
                system: "file".to_owned(),
                external_id: Some(format!("sha256:{sha256}")),
                url: None,
                file_name: Some(relative),
                received_at: now,
            }),
        });
    }
    if errors.is_empty() {
        Ok(prepared)
    } else {
        Err(ImportError::Rows(errors))
    }
}

/// The reason a [`FieldError`] gives, for callers that print one.
pub fn field_message(error: &FieldError) -> String {
    format!("{}: {}", error.field, error.message)
}
