//! HTML: `<table>` elements read with scraper. Cells spanning columns (`colspan`) leave empty
//! cells after them, so a group title spanning the row still has empty agency cells; cells
//! spanning rows (`rowspan`) repeat their text in the rows they cover, as a reader sees it. A
//! cell whose text is all inside `<b>`/`<strong>` is bold. The text before the table (headings,
//! paragraphs) carries the metadata.

use dongbo_domain::{Directory, ImportedProgram};
use scraper::{ElementRef, Html};

use crate::ImportError;
use crate::table::{Block, Cell, ColumnNames, Row, Table, import_blocks};

/// Whether the text is HTML with a table (for [`crate::Format::Auto`] on `.txt`).
pub(crate) fn looks_like_html_table(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(2000)
        .collect::<String>()
        .to_ascii_lowercase();
    head.trim_start().starts_with('<') && text.to_ascii_lowercase().contains("<table")
}

pub(crate) fn import(
    text: &str,
    file: &str,
    directory: &Directory,
) -> Result<ImportedProgram, ImportError> {
    import_blocks(&blocks(text), file, directory)
}

/// The document as runs of lines and tables.
pub(crate) fn blocks(text: &str) -> Vec<Block> {
    let document = Html::parse_document(text);
    let mut walker = Walker::default();
    walker.walk(document.root_element());
    walker.flush_line();
    walker.flush_lines();
    walker.blocks
}

#[derive(Default)]
struct Walker {
    blocks: Vec<Block>,
    lines: Vec<String>,
    line: String,
}

/// Elements that start a new line of text.
const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "br",
    "section",
    "article",
    "header",
    "footer",
    "title",
    "tr",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "td",
    "th",
];

/// Elements whose text is not content.
const SKIPPED: &[&str] = &["script", "style", "noscript", "template", "head"];

impl Walker {
    fn flush_line(&mut self) {
        let text = self.line.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            self.lines.push(text);
        }
        self.line.clear();
    }

    fn flush_lines(&mut self) {
        if !self.lines.is_empty() {
            self.blocks
                .push(Block::Lines(std::mem::take(&mut self.lines)));
        }
    }

    fn walk(&mut self, element: ElementRef<'_>) {
        let name = element.value().name();
        if SKIPPED.contains(&name) {
            return;
        }
        if name == "table" {
            self.flush_line();
            self.flush_lines();
            self.blocks.push(Block::Table(read_table(element)));
            return;
        }
        let block = BLOCK_ELEMENTS.contains(&name);
        if block {
            self.flush_line();
        }
        for child in element.children() {
            if let Some(text) = child.value().as_text() {
                self.line.push_str(text);
            } else if let Some(child) = ElementRef::wrap(child) {
                self.walk(child);
            }
        }
        if block {
            self.flush_line();
        }
    }
}

/// The rows of a table: `tr` children of the table and of its `thead`/`tbody`/`tfoot`.
fn table_rows(table: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    let mut rows = Vec::new();
    for child in table.children().filter_map(ElementRef::wrap) {
        match child.value().name() {
            "tr" => rows.push(child),
            "thead" | "tbody" | "tfoot" => rows.extend(
                child
                    .children()
                    .filter_map(ElementRef::wrap)
                    .filter(|e| e.value().name() == "tr"),
            ),
            _ => {}
        }
    }
    rows
}

fn read_table(table: ElementRef<'_>) -> Table {
    let mut rows = Vec::new();
    // Cells spanning down: column → (rows still covered, cell).
    let mut spans: Vec<Option<(usize, Cell)>> = Vec::new();
    for (index, tr) in table_rows(table).into_iter().enumerate() {
        let mut cells: Vec<Cell> = Vec::new();
        let take_spans = |cells: &mut Vec<Cell>, spans: &mut Vec<Option<(usize, Cell)>>| {
            while let Some(Some((left, cell))) = spans.get_mut(cells.len()) {
                cells.push(cell.clone());
                *left -= 1;
                if *left == 0 {
                    spans[cells.len() - 1] = None;
                }
            }
        };
        for td in tr
            .children()
            .filter_map(ElementRef::wrap)
            .filter(|e| matches!(e.value().name(), "td" | "th"))
        {
            take_spans(&mut cells, &mut spans);
            let cell = read_cell(td);
            let number = |attribute: &str| {
                td.value()
                    .attr(attribute)
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 100)
            };
            let (colspan, rowspan) = (number("colspan"), number("rowspan"));
            if rowspan > 1 {
                if spans.len() <= cells.len() {
                    spans.resize(cells.len() + 1, None);
                }
                spans[cells.len()] = Some((rowspan - 1, cell.clone()));
            }
            cells.push(cell);
            for _ in 1..colspan {
                cells.push(Cell::default());
            }
        }
        take_spans(&mut cells, &mut spans);
        rows.push(Row {
            cells,
            label: format!("row {}", index + 1),
        });
    }
    let lines = rows
        .iter()
        .map(|r| {
            r.cells
                .iter()
                .map(|c| c.text.as_str())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    Table {
        rows,
        columns: ColumnNames::Numbers,
        lines,
    }
}

/// A cell's text, and whether all of it is inside `<b>`/`<strong>`.
fn read_cell(td: ElementRef<'_>) -> Cell {
    let mut text = String::new();
    let (mut bold, mut plain) = (0usize, 0usize);
    collect_text(td, false, &mut text, &mut bold, &mut plain);
    Cell::new(&text).bold(bold > 0 && plain == 0)
}

fn collect_text(
    element: ElementRef<'_>,
    in_bold: bool,
    text: &mut String,
    bold: &mut usize,
    plain: &mut usize,
) {
    let name = element.value().name();
    let in_bold = in_bold || matches!(name, "b" | "strong");
    for child in element.children() {
        if let Some(t) = child.value().as_text() {
            let counted = t.chars().filter(|c| !c.is_whitespace()).count();
            if in_bold {
                *bold += counted;
            } else {
                *plain += counted;
            }
            text.push_str(t);
        } else if let Some(child) = ElementRef::wrap(child) {
            if matches!(child.value().name(), "br" | "p" | "div" | "li") {
                text.push(' ');
            }
            collect_text(child, in_bold, text, bold, plain);
        }
    }
}
