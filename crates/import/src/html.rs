//! HTML: `<table>` elements read with scraper. Cells spanning columns (`colspan`) leave empty
//! cells after them, so a group title spanning the row still has empty agency cells; cells
//! spanning rows (`rowspan`) repeat their text in the rows they cover, as a reader sees it. A
//! cell whose text is all inside `<b>`/`<strong>` is bold. The text before the table (headings,
//! paragraphs) carries the metadata.
//!
//! Before html5ever builds its tree, the markup is scanned for its element count and nesting
//! ([`check_markup`]): html5ever's scope checks cost time in proportion to the depth for each
//! element, so 200,000 nested `<div>`s would take minutes, and our walk of the tree recurses.

use dongbo_domain::{Directory, ImportedProgram};
use scraper::{ElementRef, Html};

use crate::ImportError;
use crate::limits::{Budget, Limit};
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
    budget: &Budget,
    directory: &Directory,
) -> Result<ImportedProgram, ImportError> {
    import_blocks(&blocks(text, budget)?, budget, directory)
}

/// The document as runs of lines and tables.
pub(crate) fn blocks(text: &str, budget: &Budget) -> Result<Vec<Block>, ImportError> {
    check_markup(text, budget)?;
    let document = Html::parse_document(text);
    let mut walker = Walker {
        budget,
        blocks: Vec::new(),
        lines: Vec::new(),
        line: String::new(),
        cells: 0,
    };
    walker.walk(document.root_element())?;
    walker.flush_line();
    walker.flush_lines();
    Ok(walker.blocks)
}

/// Elements without an end tag, or whose end tag may be left out (`<p>`, `<li>`, `<td>`,
/// `<tr>` close when the next one starts): they do not nest, so they are not counted as
/// nesting.
const UNNESTED: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "td", "th", "tr", "dt", "dd", "option", "optgroup", "thead",
    "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rp", "html", "head", "body",
];

/// The markup within the limits on elements and nesting, from its tags alone: start tags
/// minus end tags of the elements that nest. A rough count, not a parser: unclosed `<div>`s
/// count as nested, which only refuses sooner.
fn check_markup(text: &str, budget: &Budget) -> Result<(), ImportError> {
    let limits = budget.limits;
    let line_of = |offset: usize| 1 + text[..offset].bytes().filter(|&b| b == b'\n').count();
    let (mut depth, mut elements) = (0usize, 0u64);
    let mut at = 0;
    while let Some(found) = text[at..].find('<') {
        let start = at + found;
        let rest = &text[start + 1..];
        at = start + 1;
        if rest.starts_with("!--") {
            at = text[at..]
                .find("-->")
                .map_or(text.len(), |end| at + end + 3);
            continue;
        }
        let closing = rest.starts_with('/');
        let name: String = rest[usize::from(closing)..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        let tag_end = text[at..].find('>').map_or(text.len(), |end| at + end);
        let self_closing = text[..tag_end].ends_with('/');
        if !closing {
            elements += 1;
            budget.check_count(Limit::XmlElements, elements, limits.xml_elements, || {
                format!("line {}", line_of(start))
            })?;
            if elements.is_multiple_of(1024) {
                budget.check_time(|| format!("line {}", line_of(start)))?;
            }
        }
        if UNNESTED.contains(&name.as_str()) || self_closing {
            // Neither opens nor closes a level.
        } else if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            budget.check_count(Limit::Depth, depth as u64, limits.depth as u64, || {
                format!("line {}", line_of(start))
            })?;
        }
        // Script and style hold text, not markup.
        if !closing && matches!(name.as_str(), "script" | "style") && !self_closing {
            let lower_end = format!("</{name}");
            at = find_ignoring_case(text, tag_end, &lower_end).unwrap_or(text.len());
        } else {
            at = tag_end.max(at);
        }
    }
    Ok(())
}

/// Where `needle` (lower case ASCII) is in `text` from `from`, whatever the case of `text`.
fn find_ignoring_case(text: &str, from: usize, needle: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let needle = needle.as_bytes();
    (from..bytes.len().saturating_sub(needle.len() - 1))
        .find(|&i| bytes[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

struct Walker<'b> {
    budget: &'b Budget<'b>,
    blocks: Vec<Block>,
    lines: Vec<String>,
    line: String,
    /// Cells of every table so far, empty ones and those a span repeats included.
    cells: u64,
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

impl Walker<'_> {
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

    fn walk(&mut self, element: ElementRef<'_>) -> Result<(), ImportError> {
        let name = element.value().name();
        if SKIPPED.contains(&name) {
            return Ok(());
        }
        if name == "table" {
            self.flush_line();
            self.flush_lines();
            let table = read_table(element, self.budget, &mut self.cells)?;
            self.blocks.push(Block::Table(table));
            return Ok(());
        }
        let block = BLOCK_ELEMENTS.contains(&name);
        if block {
            self.flush_line();
        }
        for child in element.children() {
            if let Some(text) = child.value().as_text() {
                self.line.push_str(text);
            } else if let Some(child) = ElementRef::wrap(child) {
                self.walk(child)?;
            }
        }
        if block {
            self.flush_line();
        }
        let limits = self.budget.limits;
        self.budget.check_count(
            Limit::Paragraphs,
            self.lines.len() as u64,
            limits.paragraphs as u64,
            || format!("the text before table {}", self.blocks.len() + 1),
        )?;
        self.budget.check_time(|| format!("the element <{name}>"))
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

/// A table's rows and cells, each spanned cell repeated where it spans; `cells` counts every
/// cell made, so spans (up to 100 each way) cannot multiply a small file into a huge table.
fn read_table(
    table: ElementRef<'_>,
    budget: &Budget,
    cells_made: &mut u64,
) -> Result<Table, ImportError> {
    let limits = budget.limits;
    let mut rows = Vec::new();
    // Cells spanning down: column → (rows still covered, cell).
    let mut spans: Vec<Option<(usize, Cell)>> = Vec::new();
    for (index, tr) in table_rows(table).into_iter().enumerate() {
        let place = || format!("row {}", index + 1);
        budget.check_time(place)?;
        budget.check_count(Limit::Rows, index as u64 + 1, limits.rows as u64, place)?;
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
            budget.check_count(
                Limit::Columns,
                cells.len() as u64,
                limits.columns as u64,
                place,
            )?;
        }
        take_spans(&mut cells, &mut spans);
        *cells_made += cells.len() as u64;
        budget.check_count(Limit::Cells, *cells_made, limits.cells as u64, place)?;
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
    Ok(Table {
        rows,
        columns: ColumnNames::Numbers,
        lines,
    })
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
