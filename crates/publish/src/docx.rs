//! DOCX in the layout of Decree 30/2020/NĐ-CP, Appendix I (thể thức văn bản hành chính):
//!
//! - A4 portrait (11906 × 16838 twips); margins top 20 mm, bottom 20 mm, left 30 mm, right
//!   15 mm (the decree allows 20–25, 20–25, 30–35 and 15–20 mm: we take the smallest, so a
//!   long report keeps the most text per page);
//! - Times New Roman in every run (ascii, hAnsi, cs, eastAsia) and in the document defaults;
//!   body 14 pt, justified, first line indented 1.27 cm, 6 pt between paragraphs, line
//!   spacing 1.15;
//! - the header block as a borderless two-column table: left the superior agency (capitals,
//!   13 pt), the issuer (capitals, bold, 13 pt) with a short line under it, then "Số: …"
//!   (13 pt); right the national title (capitals, bold, 13 pt), the motto (bold, 14 pt) with a
//!   line under it as long as the motto, then the place and date line (italic, 14 pt);
//! - the kind (bold, centred, 14 pt), the title (bold, centred) and a short line under it;
//! - the body; then a borderless two-column table: "Nơi nhận:" (bold italic, 12 pt) and its
//!   entries (11 pt, after "- ") on the left, the signature block on the right (authority and
//!   position in bold capitals, space for the signature and seal, the name in bold);
//! - page numbers centred in the header from the second page;
//! - each annex in a section of its own, starting a new page, landscape when its tables are
//!   wide, its pages numbered from 1 (the decree numbers an annex's pages on their own); tables
//!   bordered, the header row bold and repeated on every page.
//!
//! The bytes depend only on the document: the package's created and modified dates and its
//! zip entries' dates are the document's date.

use docx_rs::{
    AlignmentType, BorderType, Docx, Header, HeightRule, LineSpacing, LineSpacingType, PageMargin,
    PageNum, PageNumType, PageOrientationType, PageSize, Paragraph, ParagraphBorder,
    ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, Section, Shading, ShdType,
    SpecialIndentType, Table as DocxTable, TableCell, TableLayoutType, TableRow, VAlignType,
    WidthType,
};

use chrono::Datelike;

use crate::PublishError;
use crate::model::{
    Align, Annex, Block, MOTTO, NATIONAL_TITLE, OfficialDocument, RECIPIENTS_LABEL, Table,
};

/// The font Decree 30 sets (Art. 8: "phông chữ tiếng Việt Times New Roman").
pub const FONT: &str = "Times New Roman";
/// The font a reader without Times New Roman should use instead: the family the PDF embeds,
/// with the same metrics, so the document breaks its lines and pages the same way.
pub const FALLBACK_FONT: &str = crate::pdf::FONT_FAMILY;

/// A4 in twips (1/20 pt).
pub const A4_WIDTH: u32 = 11906;
pub const A4_HEIGHT: u32 = 16838;
/// 20 mm, 20 mm, 30 mm, 15 mm in twips.
pub const MARGIN_TOP: i32 = 1134;
pub const MARGIN_BOTTOM: i32 = 1134;
pub const MARGIN_LEFT: i32 = 1701;
pub const MARGIN_RIGHT: i32 = 850;
/// Where the header (the page number) sits: 10 mm from the top edge.
const HEADER_DISTANCE: i32 = 567;

/// Font sizes in half-points, as DOCX counts them.
const BODY_SIZE: usize = 28;
const HEADER_SIZE: usize = 26;
const LABEL_SIZE: usize = 24;
const RECIPIENT_SIZE: usize = 22;
const TABLE_SIZE: usize = 24;
/// 1.27 cm.
const FIRST_LINE_INDENT: i32 = 720;
/// 6 pt.
const PARAGRAPH_GAP: u32 = 120;
/// 1.15 lines (240 is single).
const LINE: i32 = 276;

/// The header block's columns: about 6.35 cm for the agency, the rest for the national title.
const HEADER_LEFT: usize = 3600;

/// The text width of a page in twips.
fn text_width(landscape: bool) -> usize {
    let width = if landscape { A4_HEIGHT } else { A4_WIDTH };
    (width as i32 - MARGIN_LEFT - MARGIN_RIGHT) as usize
}

/// Renders the document as a DOCX package, without its detail annexes
/// ([`OfficialDocument::printed`]; the XLSX holds them).
pub fn render(document: &OfficialDocument) -> Result<Vec<u8>, PublishError> {
    document.validate()?;
    let document = &*document.printed(false);
    // docx-rs numbers paragraphs (`w14:paraId`) from a counter per thread that it never resets
    // between documents; a thread of its own starts every document at 1, so the same document
    // always gives the same bytes.
    std::thread::scope(|scope| {
        scope
            .spawn(|| package(document))
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn package(document: &OfficialDocument) -> Result<Vec<u8>, PublishError> {
    let mut parts = vec![Part {
        landscape: false,
        numbered_from_one: false,
        children: main_part(document),
    }];
    for annex in &document.annexes {
        parts.push(annex_part(document, annex));
    }

    // The document's date, as the package's created and modified dates, keeps the bytes
    // independent of the clock.
    let stamp = format!("{}T00:00:00Z", document.date.format("%Y-%m-%d"));
    let mut docx = Docx::new()
        .default_fonts(fonts())
        .default_size(BODY_SIZE)
        .created_at(&stamp)
        .updated_at(&stamp);

    let last = parts.pop().expect("the main part is always there");
    let only_part = parts.is_empty();
    for (index, part) in parts.into_iter().enumerate() {
        let mut section = Section::new()
            .page_size(page_size(part.landscape))
            .page_margin(page_margin())
            .title_pg();
        if index == 0 {
            // The first page of a section with a title page but no first-page header gets a
            // blank one; later sections inherit the page number (ECMA-376 §17.10.5).
            section = section.header(page_number_header());
        }
        if part.numbered_from_one {
            section = section.page_num_type(PageNumType::new().start(1));
        }
        for child in part.children {
            section = match child {
                Child::Paragraph(paragraph) => section.add_paragraph(*paragraph),
                Child::Table(table) => section.add_table(*table),
            };
        }
        docx = docx.add_section(section);
    }
    let (page_width, page_height) = page_dimensions(last.landscape);
    docx = docx
        .page_size(page_width, page_height)
        .page_margin(page_margin())
        .title_pg();
    if last.landscape {
        docx = docx.page_orient(PageOrientationType::Landscape);
    }
    if only_part {
        docx = docx.header(page_number_header());
    }
    if last.numbered_from_one {
        docx = docx.page_num_type(PageNumType::new().start(1));
    }
    for child in last.children {
        docx = match child {
            Child::Paragraph(paragraph) => docx.add_paragraph(*paragraph),
            Child::Table(table) => docx.add_table(*table),
        };
    }

    let mut package = docx.build();
    package.document = repeat_header_rows(&package.document);
    package.font_table = name_the_fallback(&package.font_table);
    let mut stored = std::io::Cursor::new(Vec::new());
    package
        .pack(&mut stored)
        .map_err(|error| PublishError::Docx(error.to_string()))?;
    compress(&stored.into_inner(), document)
}

/// docx-rs stores the package's parts uncompressed (a national report's annexes make a 9 MB
/// file); the same parts, in the same order, deflated — dated the document's date, so the
/// bytes stay the same.
fn compress(stored: &[u8], document: &OfficialDocument) -> Result<Vec<u8>, PublishError> {
    use std::io::{Read, Write};
    use zip::write::SimpleFileOptions;

    let error = |error: zip::result::ZipError| PublishError::Docx(error.to_string());
    let date = &document.date;
    let stamp = zip::DateTime::from_date_and_time(
        u16::try_from(date.year()).unwrap_or(1980),
        date.month() as u8,
        date.day() as u8,
        0,
        0,
        0,
    )
    .unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(stored)).map_err(error)?;
    let mut packed = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut content = Vec::new();
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).map_err(error)?;
        let name = part.name().map_err(error)?.into_owned();
        if part.is_dir() {
            packed.add_directory(name, options).map_err(error)?;
            continue;
        }
        content.clear();
        part.read_to_end(&mut content)
            .map_err(|e| PublishError::Docx(e.to_string()))?;
        packed.start_file(name, options).map_err(error)?;
        packed
            .write_all(&content)
            .map_err(|e| PublishError::Docx(e.to_string()))?;
    }
    Ok(packed.finish().map_err(error)?.into_inner())
}

/// A run of pages: the document itself, or one annex.
struct Part {
    landscape: bool,
    /// Whether its pages are numbered from 1 (annexes).
    numbered_from_one: bool,
    children: Vec<Child>,
}

enum Child {
    Paragraph(Box<Paragraph>),
    Table(Box<DocxTable>),
}

/// Width and height in twips.
fn page_dimensions(landscape: bool) -> (u32, u32) {
    if landscape {
        (A4_HEIGHT, A4_WIDTH)
    } else {
        (A4_WIDTH, A4_HEIGHT)
    }
}

fn page_size(landscape: bool) -> PageSize {
    let (width, height) = page_dimensions(landscape);
    let size = PageSize::new().size(width, height);
    if landscape {
        size.orient(PageOrientationType::Landscape)
    } else {
        size
    }
}

fn page_margin() -> PageMargin {
    PageMargin::new()
        .top(MARGIN_TOP)
        .bottom(MARGIN_BOTTOM)
        .left(MARGIN_LEFT)
        .right(MARGIN_RIGHT)
        .header(HEADER_DISTANCE)
        .footer(HEADER_DISTANCE)
}

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT)
}

/// The page number, centred, 14 pt (Decree 30 Art. 8: from the second page).
fn page_number_header() -> Header {
    Header::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .fonts(fonts())
            .size(BODY_SIZE)
            .add_page_num(PageNum::new()),
    )
}

/// A run of `text` in Times New Roman at `size` half-points.
fn run(text: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts()).size(size)
}

/// A paragraph with no gaps and single spacing (inside the header block and tables).
fn tight(align: AlignmentType) -> Paragraph {
    Paragraph::new().align(align).line_spacing(
        LineSpacing::new()
            .before(0)
            .after(0)
            .line(240)
            .line_rule(LineSpacingType::Auto),
    )
}

fn centred(run: Run) -> Paragraph {
    tight(AlignmentType::Center).add_run(run)
}

/// A solid line of `length` twips, centred in a space of `within` twips: an empty, tiny
/// paragraph with a bottom border, indented on both sides.
fn rule(length: usize, within: usize) -> Paragraph {
    let side = within.saturating_sub(length) as i32 / 2;
    tight(AlignmentType::Center)
        .size(4)
        .indent(Some(side), None, Some(side), None)
        .set_borders(
            ParagraphBorders::with_empty().set(
                ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                    .val(BorderType::Single)
                    .size(6)
                    .space(1)
                    .color("000000"),
            ),
        )
}

/// The width of a line of bold capitals at `size` half-points, roughly: Times New Roman's
/// bold capitals average about 0.7 em.
fn approximate_width(text: &str, size: usize) -> usize {
    let em = size * 10; // twips per em: size/2 pt × 20
    text.chars().count() * em * 7 / 10
}

fn main_part(document: &OfficialDocument) -> Vec<Child> {
    let width = text_width(false);
    let mut children = vec![Child::Table(Box::new(header_block(document, width)))];
    children.push(Child::Paragraph(Box::new(
        centred(run(&document.kind.to_uppercase(), BODY_SIZE).bold())
            .line_spacing(LineSpacing::new().before(480).after(0)),
    )));
    children.push(Child::Paragraph(Box::new(centred(
        run(&document.title, BODY_SIZE).bold(),
    ))));
    children.push(Child::Paragraph(Box::new(rule(width / 4, width))));
    let last = document.body.len().saturating_sub(1);
    for (index, block) in document.body.iter().enumerate() {
        let mut blocks = body_block(block, width);
        // The last paragraph is kept with the closing block, so "Nơi nhận" and the signature
        // never stand alone at the top of a page.
        if index == last {
            blocks = blocks
                .into_iter()
                .map(|child| match child {
                    Child::Paragraph(paragraph) => {
                        Child::Paragraph(Box::new(paragraph.keep_next(true)))
                    }
                    table => table,
                })
                .collect();
        }
        children.extend(blocks);
    }
    children.push(Child::Paragraph(Box::new(
        Paragraph::new()
            .line_spacing(LineSpacing::new().before(PARAGRAPH_GAP))
            .keep_next(true),
    )));
    children.push(Child::Table(Box::new(closing_block(document, width))));
    children
}

/// The header block: the issuing agency and the number on the left, the national title, the
/// motto and the place and date on the right.
fn header_block(document: &OfficialDocument, width: usize) -> DocxTable {
    let right_width = width - HEADER_LEFT;
    let (superior, issuer) = document.issuer.lines();
    let mut left = TableCell::new().width(HEADER_LEFT, WidthType::Dxa);
    if let Some(superior) = &superior {
        left = left.add_paragraph(centred(run(superior, HEADER_SIZE)));
    }
    left = left.add_paragraph(centred(run(&issuer, HEADER_SIZE).bold()));
    // Decree 30: a line a third to a half as long as the agency's name.
    let issuer_width = approximate_width(&issuer, HEADER_SIZE).min(HEADER_LEFT);
    left = left
        .add_paragraph(rule((issuer_width * 2 / 5).max(800), HEADER_LEFT))
        .add_paragraph(
            centred(run(&document.number_line(), HEADER_SIZE))
                .line_spacing(LineSpacing::new().before(PARAGRAPH_GAP).after(0)),
        );

    let right = TableCell::new()
        .width(right_width, WidthType::Dxa)
        .add_paragraph(centred(run(NATIONAL_TITLE, HEADER_SIZE).bold()))
        .add_paragraph(centred(run(MOTTO, BODY_SIZE).bold()))
        // Decree 30: a line as long as the motto.
        .add_paragraph(rule(
            approximate_width(MOTTO, BODY_SIZE) * 7 / 10,
            right_width,
        ))
        .add_paragraph(
            tight(AlignmentType::Center)
                .line_spacing(LineSpacing::new().before(PARAGRAPH_GAP).after(0))
                .add_run(run(&document.place_date_line(), BODY_SIZE).italic()),
        );

    DocxTable::without_borders(vec![TableRow::new(vec![left, right])])
        .set_grid(vec![HEADER_LEFT, right_width])
        .width(width, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

/// "Nơi nhận:" and its entries on the left, the signature block on the right.
fn closing_block(document: &OfficialDocument, width: usize) -> DocxTable {
    let left_width = width * 45 / 100;
    let right_width = width - left_width;
    let mut left = TableCell::new()
        .width(left_width, WidthType::Dxa)
        .add_paragraph(
            tight(AlignmentType::Left).add_run(run(RECIPIENTS_LABEL, LABEL_SIZE).bold().italic()),
        );
    for recipient in &document.recipients {
        left = left.add_paragraph(
            tight(AlignmentType::Left).add_run(run(&format!("- {recipient}"), RECIPIENT_SIZE)),
        );
    }

    let mut right = TableCell::new().width(right_width, WidthType::Dxa);
    for line in document.signature.title_lines() {
        right = right.add_paragraph(centred(run(&line, BODY_SIZE).bold()));
    }
    // Space for the signature and the seal.
    for _ in 0..4 {
        right = right.add_paragraph(centred(run("", BODY_SIZE)));
    }
    right = right.add_paragraph(centred(run(&document.signature.name, BODY_SIZE).bold()));

    // Kept on one page: the recipients and the signature are read together (and the body's
    // last paragraph keeps with them, see `main_part`).
    DocxTable::without_borders(vec![TableRow::new(vec![left, right]).cant_split()])
        .set_grid(vec![left_width, right_width])
        .width(width, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

/// A body paragraph of `run`: justified, first line indented, 6 pt before.
fn running(run: Run) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(FIRST_LINE_INDENT)),
            None,
            None,
        )
        .line_spacing(
            LineSpacing::new()
                .before(PARAGRAPH_GAP)
                .after(0)
                .line(LINE)
                .line_rule(LineSpacingType::Auto),
        )
        .add_run(run)
}

fn body_block(block: &Block, width: usize) -> Vec<Child> {
    let paragraph = match block {
        Block::Heading { level, text } => {
            let heading = run(text, BODY_SIZE);
            let heading = match level {
                0 | 1 => heading.bold(),
                2 => heading.bold().italic(),
                _ => heading.italic(),
            };
            running(heading)
                .keep_next(true)
                .outline_lvl(usize::from(*level).saturating_sub(1).min(8))
        }
        Block::Paragraph(text) => running(run(text, BODY_SIZE)),
        Block::Bullet(text) => running(run(&format!("- {text}"), BODY_SIZE)),
        Block::Table(table) => return titled_table(table, width),
    };
    vec![Child::Paragraph(Box::new(paragraph))]
}

/// A table's title (bold, centred, kept with the table) or a gap, then the table.
fn titled_table(table: &Table, width: usize) -> Vec<Child> {
    let spacing = match &table.title {
        Some(_) => LineSpacing::new().before(240).after(PARAGRAPH_GAP),
        None => LineSpacing::new().before(PARAGRAPH_GAP).after(0),
    };
    let title = table.title.as_deref().unwrap_or("");
    vec![
        Child::Paragraph(Box::new(
            centred(run(title, HEADER_SIZE).bold())
                .line_spacing(spacing)
                .keep_next(true),
        )),
        Child::Table(Box::new(bordered_table(table, width))),
    ]
}

fn annex_part(document: &OfficialDocument, annex: &Annex) -> Part {
    let landscape = annex.is_wide();
    let width = text_width(landscape);
    let mut children = vec![
        Child::Paragraph(Box::new(centred(run(&annex.title, BODY_SIZE).bold()))),
        Child::Paragraph(Box::new(
            tight(AlignmentType::Center).add_run(run(&document.note_of(annex), BODY_SIZE).italic()),
        )),
    ];
    for table in &annex.tables {
        children.extend(titled_table(table, width));
    }
    Part {
        landscape,
        numbered_from_one: true,
        children,
    }
}

/// A table with borders; its header row is bold, shaded, kept whole and repeated on every
/// page; each column's share of `width` follows its width hint.
fn bordered_table(table: &Table, width: usize) -> DocxTable {
    let hints: Vec<f64> = table.columns.iter().map(|c| c.width_or_default()).collect();
    let total: f64 = hints.iter().sum();
    let grid: Vec<usize> = hints
        .iter()
        .map(|hint| (hint / total * width as f64).floor() as usize)
        .collect();

    let header = TableRow::new(
        table
            .columns
            .iter()
            .zip(&grid)
            .map(|(column, &cell_width)| {
                TableCell::new()
                    .width(cell_width, WidthType::Dxa)
                    .vertical_align(VAlignType::Center)
                    .shading(Shading::new().shd_type(ShdType::Clear).fill("E7E6E6"))
                    .add_paragraph(centred(run(&column.header, TABLE_SIZE).bold()))
            })
            .collect(),
    )
    .cant_split()
    // The mark [`repeat_header_rows`] finds: "at least 1 twip" high changes nothing on the page.
    .row_height(1.0)
    .height_rule(HeightRule::AtLeast);

    let mut rows = vec![header];
    for row in &table.rows {
        rows.push(
            TableRow::new(
                row.iter()
                    .zip(&table.columns)
                    .zip(&grid)
                    .map(|((cell, column), &cell_width)| {
                        let align = match column.kind.align() {
                            Align::Left => AlignmentType::Left,
                            Align::Center => AlignmentType::Center,
                            Align::Right => AlignmentType::Right,
                        };
                        TableCell::new()
                            .width(cell_width, WidthType::Dxa)
                            .vertical_align(VAlignType::Center)
                            .add_paragraph(tight(align).add_run(run(&cell.display(), TABLE_SIZE)))
                    })
                    .collect(),
            )
            // A row stays on one page.
            .cant_split(),
        );
    }
    DocxTable::new(rows)
        .set_grid(grid)
        .width(width, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

/// How docx-rs writes Times New Roman's entry in the font table (`word/fontTable.xml`).
const FONT_ENTRY: &str = r#"<w:font w:name="Times New Roman">"#;

/// docx-rs writes a fixed font table; Times New Roman's entry gets the embedded PDF font as
/// its alternative name (`w:altName`, the first child ECMA-376 §17.8.3.1 allows), which a word
/// processor without Times New Roman looks for before substituting a font of its own.
fn name_the_fallback(font_table_xml: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(font_table_xml)
        .replacen(
            FONT_ENTRY,
            &format!(r#"{FONT_ENTRY}<w:altName w:val="{FALLBACK_FONT}" />"#),
            1,
        )
        .into_bytes()
}

/// How docx-rs writes the height that marks a header row (see [`bordered_table`]).
const HEADER_ROW_MARK: &str = r#"<w:trHeight w:val="1" w:hRule="atLeast" />"#;

/// docx-rs 0.4 cannot write `w:tblHeader` (repeat the row at the top of every page); header
/// rows carry [`HEADER_ROW_MARK`], and the element goes in right after it, its place in the
/// schema's order (cantSplit, trHeight, tblHeader).
fn repeat_header_rows(document_xml: &[u8]) -> Vec<u8> {
    let xml = String::from_utf8_lossy(document_xml);
    xml.replace(
        HEADER_ROW_MARK,
        &format!("{HEADER_ROW_MARK}<w:tblHeader />"),
    )
    .into_bytes()
}
