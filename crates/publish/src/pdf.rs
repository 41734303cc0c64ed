//! PDF of the same document, typeset by Typst used as a library.
//!
//! The layout is a Typst template (`pdf.typ`, compiled into the binary) that reads the document
//! as data — a JSON file it loads with `json(...)` — so no user text is ever parsed as Typst
//! markup and nothing needs escaping. The JSON is the document already put into words by the
//! model (the number line, the place and date line, the signature lines, each cell's text), so
//! the PDF says exactly what the DOCX and [`crate::plain_text`] say.
//!
//! The compiler sees only a small [`World`]: the template, the JSON, and the four faces of
//! Liberation Serif compiled into the binary ([`FONT_FILES`], from `crates/publish/fonts/`, SIL
//! OFL 1.1). Decree 30 sets Times New Roman, which cannot be shipped; Liberation Serif has its
//! metrics (every letter as wide), so lines and pages break where they would in Times New
//! Roman, and it draws every Vietnamese letter in regular, bold, italic and bold italic — the
//! serif of `typst-assets` this replaced lost the combined diacritics of its bold italic
//! ("Tăng cư`ng"). No package is downloaded, no system font is looked up, nothing comes from
//! the network. The PDF's creation date and document identifier come from the document, so the
//! same document gives the same bytes.

use std::sync::LazyLock;

use serde::Serialize;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::PublishError;
use crate::model::{
    Align, Block, Cell, MOTTO, NATIONAL_TITLE, OfficialDocument, RECIPIENTS_LABEL, Table,
};

/// The template: page, header block, body, closing block, annexes.
const TEMPLATE: &str = include_str!("pdf.typ");
/// Where the template finds the document.
const DATA_PATH: &str = "/document.json";

/// Renders the document as a PDF, without its detail annexes ([`OfficialDocument::printed`];
/// the XLSX holds them).
pub fn render(document: &OfficialDocument) -> Result<Vec<u8>, PublishError> {
    render_printed(document, false)
}

/// Renders the document as a PDF with its detail annexes: the detailed print of a national
/// report, every agency on every task.
pub fn render_detailed(document: &OfficialDocument) -> Result<Vec<u8>, PublishError> {
    render_printed(document, true)
}

fn render_printed(document: &OfficialDocument, detailed: bool) -> Result<Vec<u8>, PublishError> {
    document.validate()?;
    let document = &*document.printed(detailed);
    let data = serde_json::to_vec(&View::of(document))
        .map_err(|error| PublishError::Pdf(format!("preparing the data: {error}")))?;
    let world = DocumentWorld::new(data, document);
    let compiled = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| PublishError::Pdf(describe(&errors)))?;
    let datetime = world.date;
    let options = PdfOptions {
        ident: Smart::Custom(format!(
            "dongbo/{}/{}/{}",
            document.issuer.abbreviation,
            document.number.trim(),
            document.date
        )),
        timestamp: Some(Timestamp::new_utc(datetime)),
        ..PdfOptions::default()
    };
    let pdf =
        typst_pdf::pdf(&compiled, &options).map_err(|errors| PublishError::Pdf(describe(&errors)));
    // Typst memoises what it computes in a process-wide cache; a server renders document after
    // document, so results unused for the last few renders are dropped to bound its memory.
    typst::comemo::evict(CACHE_RENDERS);
    pdf
}

/// Reads the fonts and typesets a one-page document with a table, so that the first report a
/// server renders does not pay for what every render shares (the fonts, the standard library,
/// the template's evaluation, the shaping of common words). A server calls it at start, on a
/// thread of its own.
pub fn warm_up() -> Result<(), PublishError> {
    use crate::model::{Annex, Column, ColumnKind, Issuer, Signature};
    let table = Table {
        title: Some("Bảng".to_owned()),
        columns: vec![
            Column {
                header: "TT".to_owned(),
                kind: ColumnKind::Integer,
                width: None,
            },
            Column {
                header: "Nhiệm vụ".to_owned(),
                kind: ColumnKind::Text,
                width: None,
            },
            Column {
                header: "Tỷ lệ".to_owned(),
                kind: ColumnKind::Percent,
                width: None,
            },
        ],
        rows: vec![vec![
            Cell::Integer(1),
            Cell::Text("Đã hoàn thành đúng hạn".to_owned()),
            Cell::Percent(100.0),
        ]],
    };
    let document = OfficialDocument {
        issuer: Issuer {
            superior: None,
            name: "BỘ NGOẠI GIAO".to_owned(),
            abbreviation: "BNG".to_owned(),
        },
        number: "1/BC-BNG".to_owned(),
        place: "Hà Nội".to_owned(),
        date: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default(),
        kind: "Báo cáo".to_owned(),
        title: "Kết quả thực hiện chương trình hành động".to_owned(),
        body: vec![
            Block::Heading {
                level: 1,
                text: "I. TỔNG QUAN".to_owned(),
            },
            Block::Paragraph("Các bộ, ngành, địa phương đã triển khai nhiệm vụ.".to_owned()),
            Block::Table(table.clone()),
        ],
        recipients: vec!["Thủ tướng Chính phủ;".to_owned(), "Lưu: VT.".to_owned()],
        signature: Signature {
            authority: None,
            on_behalf_of: String::new(),
            position: "BỘ TRƯỞNG".to_owned(),
            name: "Nguyễn Văn A".to_owned(),
        },
        annexes: vec![Annex::new("Phụ lục I", vec![table])],
    };
    render(&document).map(drop)
}

/// How many renders a memoised result outlives without being used.
const CACHE_RENDERS: usize = 10;

/// The compiler's messages, for an error that should never reach a user (the template is
/// ours; the data cannot break it).
fn describe(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|error| error.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The family the template sets (`pdf.typ`), as the font files name it.
pub const FONT_FAMILY: &str = "Liberation Serif";

/// Liberation Serif 2.1.5 (Debian's `fonts-liberation2`; licence and provenance in
/// `crates/publish/fonts/`): regular, bold, italic and bold italic.
pub const FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf"),
];

/// The fonts, read once per process.
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES
        .into_iter()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

/// The standard library, built once per process.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// Everything the compiler may see: the template, the data, the bundled fonts.
struct DocumentWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
    date: Datetime,
}

impl DocumentWorld {
    fn new(data: Vec<u8>, document: &OfficialDocument) -> Self {
        let main_id = file_id("/main.typ");
        let date = Datetime::from_ymd(
            chrono::Datelike::year(&document.date),
            chrono::Datelike::month(&document.date) as u8,
            chrono::Datelike::day(&document.date) as u8,
        )
        .unwrap_or_else(|| Datetime::from_ymd(1970, 1, 1).expect("a valid date"));
        Self {
            main: Source::new(main_id, TEMPLATE.to_owned()),
            data_id: file_id(DATA_PATH),
            data: Bytes::new(data),
            date,
        }
    }
}

fn file_id(path: &str) -> FileId {
    let path = VirtualPath::new(path).expect("a valid virtual path");
    FileId::new(RootedPath::new(VirtualRoot::Project, path))
}

impl World for DocumentWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    /// "Today" is the document's date, so `datetime.today()` cannot change the output.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.date)
    }
}

/// The document as the template reads it: every text already worded by the model.
#[derive(Serialize)]
struct View {
    superior: Option<String>,
    issuer: String,
    number: String,
    national_title: &'static str,
    motto: &'static str,
    place_date: String,
    kind: String,
    title: String,
    body: Vec<ViewBlock>,
    recipients_label: &'static str,
    recipients: Vec<String>,
    signature_lines: Vec<String>,
    signer: String,
    annexes: Vec<ViewAnnex>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ViewBlock {
    Heading { level: u8, text: String },
    Paragraph { text: String },
    Table { table: ViewTable },
}

#[derive(Serialize)]
struct ViewAnnex {
    title: String,
    note: String,
    landscape: bool,
    tables: Vec<ViewTable>,
}

#[derive(Serialize)]
struct ViewTable {
    title: Option<String>,
    headers: Vec<String>,
    /// Each column's share of the width (they add up to 1).
    widths: Vec<f64>,
    /// "left", "right" or "center", per column.
    align: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl View {
    fn of(document: &OfficialDocument) -> Self {
        let (superior, issuer) = document.issuer.lines();
        Self {
            superior,
            issuer,
            number: document.number_line(),
            national_title: NATIONAL_TITLE,
            motto: MOTTO,
            place_date: document.place_date_line(),
            kind: document.kind.to_uppercase(),
            title: document.title.clone(),
            body: document
                .body
                .iter()
                .map(|block| match block {
                    Block::Heading { level, text } => ViewBlock::Heading {
                        level: *level,
                        text: text.clone(),
                    },
                    Block::Paragraph(text) => ViewBlock::Paragraph { text: text.clone() },
                    Block::Bullet(text) => ViewBlock::Paragraph {
                        text: format!("- {text}"),
                    },
                    Block::Table(table) => ViewBlock::Table {
                        table: ViewTable::of(table),
                    },
                })
                .collect(),
            recipients_label: RECIPIENTS_LABEL,
            recipients: document
                .recipients
                .iter()
                .map(|recipient| format!("- {recipient}"))
                .collect(),
            signature_lines: document.signature.title_lines(),
            signer: document.signature.name.clone(),
            annexes: document
                .annexes
                .iter()
                .map(|annex| ViewAnnex {
                    title: annex.title.clone(),
                    note: document.note_of(annex),
                    landscape: annex.is_wide(),
                    tables: annex.tables.iter().map(ViewTable::of).collect(),
                })
                .collect(),
        }
    }
}

impl ViewTable {
    fn of(table: &Table) -> Self {
        let hints: Vec<f64> = table.columns.iter().map(|c| c.width_or_default()).collect();
        let total: f64 = hints.iter().sum();
        Self {
            title: table.title.clone(),
            headers: table.columns.iter().map(|c| c.header.clone()).collect(),
            widths: hints.iter().map(|hint| hint / total).collect(),
            align: table
                .columns
                .iter()
                .map(|column| match column.kind.align() {
                    Align::Left => "left",
                    Align::Right => "right",
                    Align::Center => "center",
                })
                .collect(),
            rows: table
                .rows
                .iter()
                .map(|row| row.iter().map(Cell::display).collect())
                .collect(),
        }
    }
}
