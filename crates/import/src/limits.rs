//! The limits every reader works within, declared once.
//!
//! A file to import comes from a person (the command line, an upload): it may be damaged, or
//! made to hurt — a 1.6 KB workbook whose two cells are A1 and XFD1048576, a 1 MB Word file
//! that unpacks to 1 GiB, a CSV of a million rows. Every reader ([`crate::import`] and
//! [`crate::import_indicators`], for every format) is given one [`Budget`]: the [`Limits`] and
//! the time reading started. It refuses a file at the first limit passed, with an
//! [`ImportError::TooLarge`] naming the file, the limit and its value, and where it was reached
//! (entry, row, cell or line); nothing is stored. Where the format allows, readers stream and
//! check as they go, so memory stays bounded by the limits, not by the file:
//!
//! - OOXML packages (XLSX, DOCX) are inspected with the `zip` crate before calamine or
//!   docx-rs see them ([`check_package`]): the number of entries, the bytes each entry
//!   *actually* unpacks to (decompressed into a counter, stopping at the cap: declared sizes
//!   can lie), the compression ratio, and a count of the XML elements, their nesting, and the
//!   paragraphs, table rows and cells. Those parsers hold whole parts in memory; the counts
//!   bound what they build.
//! - Worksheets are read cell by cell (calamine's cell reader), never as a dense range sized
//!   from the cells' bounding box: a cell past the row or column limit is refused at once.
//! - CSV, Markdown and text are read record by record, event by event or line by line.
//! - HTML is checked for nesting before html5ever builds its tree (whose scope checks cost
//!   time proportional to the depth for every element).
//! - Every table, whatever its format, goes through [`check_blocks`] before it is read as a
//!   program: rows, columns, cells and the length of each cell.
//!
//! The time budget is checked in the readers' loops; the work a library does in one call
//! (docx-rs parsing a part, html5ever building a tree) is bounded by the sizes checked before
//! it, not by the clock. Time is measured with [`Instant`], a monotonic duration — not the
//! date, which comes from `dongbo_domain::clock`.
//!
//! The defaults are generous for real documents — a national program has about 100 tasks; the
//! largest appendix we know has a few hundred rows — and far below what hurts. They are listed,
//! with what each stops, in the README ("Limits on imported files").

use std::io::Read;
use std::time::{Duration, Instant};

use crate::ImportError;
use crate::table::{Block, ColumnNames, Table, column_letters};

/// How much a file may hold before the importer refuses it. [`Limits::default`] is what the
/// command line and the server use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the file as given. Default 20 MiB: the server's upload limit is 21 MiB with
    /// the form around it; a 100-task program is a few hundred KB in any format.
    pub file_bytes: u64,
    /// Bytes all entries of an XLSX or DOCX package unpack to, together. Default 100 MiB.
    pub unpacked_bytes: u64,
    /// Entries in an XLSX or DOCX package. Default 1,000 (a Word document has 10–30 parts,
    /// more with images).
    pub archive_entries: usize,
    /// How many times its packed size one entry may unpack to, once past 1 MiB. Default 200
    /// (XML deflates 5–20 times, a sheet of repeated empty styled cells about 100 times; a zip
    /// bomb 1,000 times).
    pub compression_ratio: u64,
    /// Rows of a table: in a sheet, no row numbered past it; in a DOCX package, all its
    /// tables' rows together. Default 10,000.
    pub rows: usize,
    /// Columns of a table: no cell in a column past it (column IV for 256). Default 256.
    pub columns: usize,
    /// Non-empty cells of all the tables of a file together (and strings in a workbook's
    /// shared-string table). Default 200,000.
    pub cells: usize,
    /// Paragraphs of a Word document, or non-empty lines of a text file. Default 100,000.
    pub paragraphs: usize,
    /// XML elements in all the parts of an XLSX or DOCX package. Default 1,000,000 (a 100-page
    /// document has about 100,000; a sheet of 10,000 rows and 20 columns about 400,000).
    pub xml_elements: u64,
    /// Characters of one cell. Default 32,767, Excel's own limit for a cell.
    pub cell_chars: usize,
    /// Nesting of XML or HTML elements, or of Markdown blocks. Default 100 (a Word table cell
    /// is about 10 deep; a web page 20–40).
    pub depth: usize,
    /// Time to read one file. Default 30 s (a 100-task program reads in milliseconds).
    pub time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            file_bytes: 20 * MIB,
            unpacked_bytes: 100 * MIB,
            archive_entries: 1_000,
            compression_ratio: 200,
            rows: 10_000,
            columns: 256,
            cells: 200_000,
            paragraphs: 100_000,
            xml_elements: 1_000_000,
            cell_chars: 32_767,
            depth: 100,
            time: Duration::from_secs(30),
        }
    }
}

const MIB: u64 = 1024 * 1024;

/// An entry this small is never refused for its compression ratio: a few hundred KB of
/// repeated markup harms no one, however well it packs.
const RATIO_FREE_BYTES: u64 = MIB;

/// Which of the [`Limits`] a file passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    FileBytes,
    UnpackedBytes,
    ArchiveEntries,
    CompressionRatio,
    Rows,
    Columns,
    Cells,
    Paragraphs,
    XmlElements,
    CellChars,
    Depth,
    Time,
}

impl Limits {
    /// Whether a file of `size` bytes is within [`Limits::file_bytes`]: for a caller that
    /// knows the size before reading the file (the command line reads it from the file's
    /// metadata).
    pub fn check_file_size(&self, file: &str, size: u64) -> Result<(), ImportError> {
        Budget::new(self, file).check_file_size(size)
    }

    /// "the limit of 10,000 rows": the limit and its value, as an error says it.
    pub fn describe(&self, limit: Limit) -> String {
        match limit {
            Limit::FileBytes => format!(
                "the limit of {} on a file's size",
                byte_size(self.file_bytes)
            ),
            Limit::UnpackedBytes => format!(
                "the limit of {} unpacked from a package",
                byte_size(self.unpacked_bytes)
            ),
            Limit::ArchiveEntries => format!(
                "the limit of {} entries in a package",
                thousands(self.archive_entries as u64)
            ),
            Limit::CompressionRatio => format!(
                "the limit of a compression ratio of {} to 1 (a zip bomb?)",
                self.compression_ratio
            ),
            Limit::Rows => format!("the limit of {} rows", thousands(self.rows as u64)),
            Limit::Columns => format!("the limit of {} columns", thousands(self.columns as u64)),
            Limit::Cells => format!("the limit of {} cells", thousands(self.cells as u64)),
            Limit::Paragraphs => format!(
                "the limit of {} paragraphs or lines",
                thousands(self.paragraphs as u64)
            ),
            Limit::XmlElements => {
                format!("the limit of {} XML elements", thousands(self.xml_elements))
            }
            Limit::CellChars => format!(
                "the limit of {} characters in a cell",
                thousands(self.cell_chars as u64)
            ),
            Limit::Depth => format!("the limit of {} levels of nesting", self.depth),
            Limit::Time => format!("the limit of {} s to read a file", self.time.as_secs_f64()),
        }
    }
}

/// "20 MiB (20,971,520 bytes)"
fn byte_size(n: u64) -> String {
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB ({} bytes)", n / MIB, thousands(n))
    } else {
        format!("{} bytes", thousands(n))
    }
}

/// "10,000"
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The limits of one reading: the [`Limits`], the file they are applied to (for errors) and
/// when reading started (for the time budget).
#[derive(Debug)]
pub(crate) struct Budget<'a> {
    pub limits: &'a Limits,
    pub file: &'a str,
    started: Instant,
}

impl<'a> Budget<'a> {
    pub(crate) fn new(limits: &'a Limits, file: &'a str) -> Self {
        Self {
            limits,
            file,
            started: Instant::now(),
        }
    }

    /// The error for `limit` passed at `location` ("row 10,001", "entry word/document.xml").
    pub(crate) fn exceeded(&self, limit: Limit, location: impl Into<String>) -> ImportError {
        ImportError::TooLarge {
            file: self.file.to_owned(),
            location: location.into(),
            limit,
            message: format!(
                "past {}; the file was not read further",
                self.limits.describe(limit)
            ),
        }
    }

    /// Whether the file's size is within the limit.
    pub(crate) fn check_file_size(&self, size: u64) -> Result<(), ImportError> {
        if size > self.limits.file_bytes {
            return Err(self.exceeded(
                Limit::FileBytes,
                format!("the file has {}", byte_size(size)),
            ));
        }
        Ok(())
    }

    /// Whether reading is still within its time; `location` says where it would stop.
    pub(crate) fn check_time(&self, location: impl FnOnce() -> String) -> Result<(), ImportError> {
        if self.started.elapsed() > self.limits.time {
            return Err(self.exceeded(Limit::Time, location()));
        }
        Ok(())
    }

    /// Whether `count` (of what `limit` counts) is within `max`.
    pub(crate) fn check_count(
        &self,
        limit: Limit,
        count: u64,
        max: u64,
        location: impl FnOnce() -> String,
    ) -> Result<(), ImportError> {
        if count > max {
            return Err(self.exceeded(limit, location()));
        }
        Ok(())
    }

    /// Whether a cell's text is within the length limit.
    pub(crate) fn check_cell_text(
        &self,
        text: &str,
        location: impl FnOnce() -> String,
    ) -> Result<(), ImportError> {
        // Bytes bound characters from above: count only when it could matter.
        if text.len() > self.limits.cell_chars && text.chars().count() > self.limits.cell_chars {
            return Err(self.exceeded(Limit::CellChars, location()));
        }
        Ok(())
    }
}

/// Every table of `blocks` within the limits on rows, columns, cells and cell length, and the
/// text lines within the limit on paragraphs: the check every format's tables go through.
pub(crate) fn check_blocks(blocks: &[Block], budget: &Budget) -> Result<(), ImportError> {
    let limits = budget.limits;
    let (mut cells, mut lines) = (0u64, 0u64);
    for block in blocks {
        match block {
            Block::Lines(text) => {
                lines += text.len() as u64;
                budget.check_count(Limit::Paragraphs, lines, limits.paragraphs as u64, || {
                    "the text before or between the tables".to_owned()
                })?;
                for line in text {
                    budget.check_cell_text(line, || {
                        format!("the line «{}…»", line.chars().take(40).collect::<String>())
                    })?;
                }
            }
            Block::Table(table) => check_table(table, budget, &mut cells)?,
        }
    }
    Ok(())
}

/// One table within the limits on rows, columns and cell length; `cells` counts the
/// non-empty cells of the file's tables so far.
pub(crate) fn check_table(
    table: &Table,
    budget: &Budget,
    cells: &mut u64,
) -> Result<(), ImportError> {
    let limits = budget.limits;
    budget.check_count(
        Limit::Rows,
        table.rows.len() as u64,
        limits.rows as u64,
        || {
            table
                .rows
                .get(limits.rows)
                .map_or_else(String::new, |row| row.label.clone())
        },
    )?;
    for row in &table.rows {
        budget.check_time(|| row.label.clone())?;
        budget.check_count(
            Limit::Columns,
            row.cells.len() as u64,
            limits.columns as u64,
            || {
                format!(
                    "{}, column {}",
                    row.label,
                    column_name(table, limits.columns)
                )
            },
        )?;
        for (index, cell) in row.cells.iter().enumerate() {
            if cell.text.is_empty() {
                continue;
            }
            let location = || format!("{}, column {}", row.label, column_name(table, index));
            *cells += 1;
            budget.check_count(Limit::Cells, *cells, limits.cells as u64, location)?;
            budget.check_cell_text(&cell.text, location)?;
        }
    }
    Ok(())
}

/// "D" in a spreadsheet, "4" elsewhere.
fn column_name(table: &Table, index: usize) -> String {
    match table.columns {
        ColumnNames::Letters => column_letters(index),
        ColumnNames::Numbers => (index + 1).to_string(),
    }
}

/// An XLSX or DOCX package within the limits, checked before its parser reads it: entries,
/// bytes actually unpacked, compression ratio, and the XML of every part (elements, nesting,
/// paragraphs, table rows, cells). A package the `zip` crate cannot open is left to the
/// format's parser, which says what is wrong with it in its own words.
///
/// The scan also requires every element to be closed by its own end tag: docx-rs waits for
/// the end of an element in loops that do not stop at the end of the file, so a damaged part
/// with an unclosed `<w:tblPr>` made it spin for ever (finding 17, found by the damaged-XML
/// property test with random seeds).
pub(crate) fn check_package(
    bytes: &[u8],
    budget: &Budget,
    format: &'static str,
) -> Result<(), ImportError> {
    let limits = budget.limits;
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return Ok(());
    };
    budget.check_count(
        Limit::ArchiveEntries,
        archive.len() as u64,
        limits.archive_entries as u64,
        || {
            format!(
                "the package has {} entries",
                thousands(archive.len() as u64)
            )
        },
    )?;
    let mut unpacked = 0u64;
    let mut xml = XmlCounts::default();
    let mut buffer = vec![0u8; 64 * 1024];
    for index in 0..archive.len() {
        let Ok(mut entry) = archive.by_index(index) else {
            // A damaged entry: the parser reports it (or never needs it).
            continue;
        };
        let name = entry
            .name()
            .map_or_else(|_| format!("entry {}", index + 1), |n| n.into_owned());
        let where_ = || format!("entry {name}");
        let packed = entry.compressed_size();
        let ratio_cap = packed
            .saturating_mul(limits.compression_ratio)
            .max(RATIO_FREE_BYTES);
        let is_xml = name.ends_with(".xml") || name.ends_with(".rels");
        // docx-rs (over xml-rs) loops for ever on some damaged markup, so a Word document's
        // parts are also parsed strictly before it reads them; calamine's quick-xml answers an
        // error instead, and a workbook's sheets are too large to hold whole for the check.
        let strict = is_xml && format == "DOCX";
        let mut scanner = XmlScanner::default();
        let mut entry_bytes = 0u64;
        // A part to check strictly is kept whole (the unpacked limit bounds it; docx-rs reads
        // it whole anyway).
        let mut part = Vec::new();
        loop {
            budget.check_time(where_)?;
            let read = match entry.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(read) => read,
            };
            entry_bytes += read as u64;
            unpacked += read as u64;
            budget.check_count(
                Limit::UnpackedBytes,
                unpacked,
                limits.unpacked_bytes,
                where_,
            )?;
            budget.check_count(Limit::CompressionRatio, entry_bytes, ratio_cap, || {
                format!(
                    "entry {name} ({} packed, more than {} unpacked)",
                    byte_size(packed),
                    byte_size(entry_bytes)
                )
            })?;
            if is_xml {
                scanner.feed(&buffer[..read], &mut xml, budget, &name)?;
                if strict {
                    part.extend_from_slice(&buffer[..read]);
                }
            }
        }
        if let Some(fault) = scanner
            .fault
            .take()
            .or_else(|| {
                (is_xml && !scanner.open.is_empty()).then(|| {
                    format!(
                        "<{}> is not closed",
                        String::from_utf8_lossy(scanner.open.last().map_or(&[][..], |n| &n[..]))
                    )
                })
            })
            .or_else(|| strict.then(|| well_formed(&part, limits).err()).flatten())
        {
            return Err(ImportError::InvalidFile {
                file: budget.file.to_owned(),
                format,
                message: format!("the XML of entry {name} is damaged: {fault}"),
            });
        }
    }
    Ok(())
}

/// Whether an XML part is well-formed, parsed strictly (no DTD, so no entity expansion) after
/// the scan has bounded its size, depth and elements. The parsers behind (docx-rs over xml-rs)
/// loop for ever on some damaged markup that the rough scan lets through — an element closed by
/// nothing inside a table's properties was one — so they only ever see XML that parses.
fn well_formed(part: &[u8], limits: &Limits) -> Result<(), String> {
    let text = std::str::from_utf8(part).map_err(|e| format!("it is not UTF-8 ({e})"))?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: u32::try_from(limits.xml_elements.saturating_mul(4)).unwrap_or(u32::MAX),
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// What the XML scan has counted over all the parts of a package.
#[derive(Debug, Default)]
struct XmlCounts {
    elements: u64,
    paragraphs: u64,
    rows: u64,
    cells: u64,
}

/// Where the scanner is in the markup.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum ScanState {
    #[default]
    Text,
    /// After `<`.
    Open,
    /// In a start tag's name.
    Name,
    /// In a start tag after its name; `Some(quote)` inside an attribute value.
    Attributes(Option<u8>),
    /// In an end tag.
    End,
    /// In `<?…?>`, `<!…>`, a comment or CDATA: skipped up to the terminator.
    Skip(&'static [u8]),
}

/// A rough, streaming tally of XML: start tags, nesting and the local names that matter
/// (`p` paragraphs, `tr`/`row` rows, `tc` table cells and `si` shared strings). Not a parser: on
/// odd markup it errs towards counting more, which only refuses sooner.
#[derive(Debug, Default)]
struct XmlScanner {
    state: ScanState,
    name: Vec<u8>,
    /// The names of the elements open, innermost last (as many as the depth limit allows).
    open: Vec<Vec<u8>>,
    /// The first element closed by another's end tag, said as an error.
    fault: Option<String>,
    depth: usize,
    previous: u8,
    /// The last bytes seen in a skipped section, to find its terminator across chunks.
    tail: Vec<u8>,
}

impl XmlScanner {
    fn feed(
        &mut self,
        chunk: &[u8],
        counts: &mut XmlCounts,
        budget: &Budget,
        part: &str,
    ) -> Result<(), ImportError> {
        for &byte in chunk {
            self.state = match self.state {
                ScanState::Text if byte == b'<' => ScanState::Open,
                ScanState::Text => ScanState::Text,
                ScanState::Open => match byte {
                    b'/' => {
                        self.name.clear();
                        ScanState::End
                    }
                    b'?' => ScanState::Skip(b"?>"),
                    b'!' => ScanState::Skip(b">"),
                    _ => {
                        self.name.clear();
                        self.name.push(byte);
                        ScanState::Name
                    }
                },
                ScanState::Name => match byte {
                    b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n' => {
                        self.start_element(counts, budget, part)?;
                        if byte == b'>' {
                            ScanState::Text
                        } else {
                            ScanState::Attributes(None)
                        }
                    }
                    _ => {
                        if self.name.len() < 32 {
                            self.name.push(byte);
                        }
                        ScanState::Name
                    }
                },
                ScanState::Attributes(None) => match byte {
                    b'"' | b'\'' => ScanState::Attributes(Some(byte)),
                    b'>' => {
                        if self.previous == b'/' {
                            self.depth = self.depth.saturating_sub(1);
                            self.open.pop();
                        }
                        ScanState::Text
                    }
                    _ => ScanState::Attributes(None),
                },
                ScanState::Attributes(Some(quote)) if byte == quote => ScanState::Attributes(None),
                ScanState::Attributes(Some(quote)) => ScanState::Attributes(Some(quote)),
                ScanState::End if byte == b'>' => {
                    self.depth = self.depth.saturating_sub(1);
                    let closed = self.open.pop();
                    if self.fault.is_none() && closed.as_deref() != Some(&self.name[..]) {
                        self.fault = Some(format!(
                            "</{}> closes <{}>",
                            String::from_utf8_lossy(&self.name),
                            String::from_utf8_lossy(closed.as_deref().unwrap_or_default())
                        ));
                    }
                    ScanState::Text
                }
                ScanState::End => {
                    if !byte.is_ascii_whitespace() && self.name.len() < 32 {
                        self.name.push(byte);
                    }
                    ScanState::End
                }
                ScanState::Skip(terminator) => {
                    // "<!--" and "<![CDATA[" end at "-->" and "]]>", other declarations at ">".
                    if self.tail.is_empty() && terminator == b">" {
                        if byte == b'-' {
                            self.tail.push(byte);
                            self.state = ScanState::Skip(b"-->");
                            self.previous = byte;
                            continue;
                        }
                        if byte == b'[' {
                            self.tail.push(byte);
                            self.state = ScanState::Skip(b"]]>");
                            self.previous = byte;
                            continue;
                        }
                    }
                    self.tail.push(byte);
                    if self.tail.len() > 3 {
                        self.tail.remove(0);
                    }
                    if self.tail.ends_with(terminator) {
                        self.tail.clear();
                        ScanState::Text
                    } else {
                        ScanState::Skip(terminator)
                    }
                }
            };
            self.previous = byte;
        }
        Ok(())
    }

    /// A start tag's name is complete: count it.
    fn start_element(
        &mut self,
        counts: &mut XmlCounts,
        budget: &Budget,
        part: &str,
    ) -> Result<(), ImportError> {
        let limits = budget.limits;
        let location = || format!("entry {part}");
        self.depth += 1;
        budget.check_count(
            Limit::Depth,
            self.depth as u64,
            limits.depth as u64,
            location,
        )?;
        self.open.push(self.name.clone());
        counts.elements += 1;
        budget.check_count(
            Limit::XmlElements,
            counts.elements,
            limits.xml_elements,
            location,
        )?;
        let local = match self.name.iter().rposition(|&b| b == b':') {
            Some(colon) => &self.name[colon + 1..],
            None => &self.name[..],
        };
        match local {
            b"p" => {
                counts.paragraphs += 1;
                budget.check_count(
                    Limit::Paragraphs,
                    counts.paragraphs,
                    limits.paragraphs as u64,
                    || format!("entry {part}, paragraph {}", thousands(counts.paragraphs)),
                )?;
            }
            b"tr" => {
                counts.rows += 1;
                budget.check_count(Limit::Rows, counts.rows, limits.rows as u64, || {
                    format!("entry {part}, table row {}", thousands(counts.rows))
                })?;
            }
            b"tc" | b"si" => {
                counts.cells += 1;
                budget.check_count(Limit::Cells, counts.cells, limits.cells as u64, || {
                    format!("entry {part}, cell {}", thousands(counts.cells))
                })?;
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &str, limits: &Limits) -> Result<XmlCounts, ImportError> {
        let budget = Budget::new(limits, "test.docx");
        let mut counts = XmlCounts::default();
        let mut scanner = XmlScanner::default();
        // In small chunks, so state carries across them as it does across 64 KiB reads.
        for chunk in xml.as_bytes().chunks(3) {
            scanner.feed(chunk, &mut counts, &budget, "word/document.xml")?;
        }
        Ok(counts)
    }

    #[test]
    fn the_scanner_counts_elements_paragraphs_rows_and_cells_but_not_comments() {
        let xml = r#"<?xml version="1.0"?><w:document a="x>y"><!-- <w:p> --><w:body>
            <w:p/><w:p><w:r><w:t><![CDATA[<w:p>]]></w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl></w:body></w:document>"#;
        let counts = scan(xml, &Limits::default()).unwrap();
        assert_eq!(counts.paragraphs, 3);
        assert_eq!(counts.rows, 1);
        assert_eq!(counts.cells, 1);
        assert_eq!(counts.elements, 10);
    }

    #[test]
    fn the_scanner_follows_nesting_through_self_closing_and_end_tags() {
        let limits = Limits {
            depth: 3,
            ..Limits::default()
        };
        assert!(scan("<a><b/><b><c/></b><b></b></a>", &limits).is_ok());
        let error = scan("<a><b><c><d/></c></b></a>", &limits).unwrap_err();
        assert!(matches!(
            error,
            ImportError::TooLarge {
                limit: Limit::Depth,
                ..
            }
        ));
    }

    #[test]
    fn the_scanner_finds_an_element_closed_by_another_end_tag_or_not_closed() {
        let limits = Limits::default();
        let budget = Budget::new(&limits, "test.docx");
        let mut counts = XmlCounts::default();
        let mut scanner = XmlScanner::default();
        scanner
            .feed(b"<w:tbl><w:tblPr></w:tbl>", &mut counts, &budget, "part")
            .unwrap();
        assert_eq!(scanner.fault.as_deref(), Some("</w:tbl> closes <w:tblPr>"));
        let mut scanner = XmlScanner::default();
        scanner
            .feed(b"<a><b/><c x='/'></c>", &mut counts, &budget, "part")
            .unwrap();
        assert_eq!(scanner.fault, None);
        assert_eq!(scanner.open, vec![b"a".to_vec()]);
    }

    #[test]
    fn figures_are_written_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(byte_size(20 * MIB), "20 MiB (20,971,520 bytes)");
    }
}
