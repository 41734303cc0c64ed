//! Markdown: pipe tables read with pulldown-cmark's table extension (GitHub syntax, escaped
//! pipes `\|` inside cells, `**bold**` group rows); the headings, paragraphs and list items
//! before the table carry the metadata ("# Nghị quyết 47/NQ-CP", "- Số: 47/NQ-CP"). A row
//! with more cells than the header is refused (pulldown-cmark, following GitHub, would drop
//! the extra cells without a word); a row with fewer is padded with empty cells, as GitHub
//! shows it and as `export` writes group rows.

use dongbo_domain::{Directory, ImportedProgram};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::ImportError;
use crate::limits::{Budget, Limit};
use crate::table::{Block, Cell, ColumnNames, Row, Table, import_blocks};

/// Whether the text has a pipe table: a delimiter row such as `|---|:---:|`.
pub(crate) fn has_pipe_table(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim();
        line.contains('|')
            && line.contains("---")
            && line
                .chars()
                .all(|c| matches!(c, '|' | ':' | '-' | ' ' | '\t'))
    })
}

pub(crate) fn import(
    text: &str,
    budget: &Budget,
    directory: &Directory,
) -> Result<ImportedProgram, ImportError> {
    import_blocks(&blocks(text, budget)?, budget, directory)
}

/// Line numbers of byte offsets, counted forward as the parser moves through the text (no
/// table of every line's start, whose size would follow the file's line count).
struct LineCounter<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
}

impl LineCounter<'_> {
    /// The 1-based line of `offset`.
    fn line_of(&mut self, offset: usize) -> usize {
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        let offset = offset.min(self.text.len());
        self.line += self.text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

/// How many cells a table row's source line has: its unescaped pipes separate them, and a
/// pipe at either end only borders them.
fn source_cells(line: &str) -> usize {
    let line = line.trim();
    let mut pipes = Vec::new();
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '|' => pipes.push(i),
            _ => {}
        }
    }
    let mut cells = pipes.len() + 1;
    if pipes.first() == Some(&0) {
        cells -= 1;
    }
    if line.len() > 1 && pipes.last() == Some(&(line.len() - 1)) {
        cells -= 1;
    }
    cells
}

/// The document as runs of lines and tables.
pub(crate) fn blocks(text: &str, budget: &Budget) -> Result<Vec<Block>, ImportError> {
    let limits = budget.limits;
    let mut lines_seen = LineCounter {
        text,
        offset: 0,
        line: 1,
    };
    let mut depth = 0usize;
    let mut header_cells = 0usize;
    // Counted as they are read, so a file of a million one-word paragraphs or one-cell tables
    // is refused before it is all in memory.
    let (mut earlier_lines, mut all_cells) = (0usize, 0usize);

    let mut blocks = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut table: Option<Table> = None;
    let mut row: Option<Row> = None;
    let mut cell = String::new();
    let mut strong = 0usize;
    let (mut bold_chars, mut plain_chars) = (0usize, 0usize);

    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    for (event, range) in parser.into_offset_iter() {
        match &event {
            Event::Start(_) => {
                depth += 1;
                budget.check_count(Limit::Depth, depth as u64, limits.depth as u64, || {
                    format!("line {}", lines_seen.line_of(range.start))
                })?;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        budget.check_time(|| format!("line {}", lines_seen.line_of(range.start)))?;
        match event {
            Event::Start(Tag::Table(_)) => {
                flush_line(&mut line, &mut lines);
                earlier_lines += lines.len();
                if !lines.is_empty() {
                    blocks.push(Block::Lines(std::mem::take(&mut lines)));
                }
                table = Some(Table {
                    rows: Vec::new(),
                    columns: ColumnNames::Numbers,
                    lines: Vec::new(),
                });
            }
            Event::End(TagEnd::Table) => {
                if let Some(mut finished) = table.take() {
                    finished.lines = finished
                        .rows
                        .iter()
                        .map(|r| {
                            r.cells
                                .iter()
                                .map(|c| c.text.as_str())
                                .collect::<Vec<_>>()
                                .join(" ")
                        })
                        .collect();
                    blocks.push(Block::Table(finished));
                }
            }
            Event::Start(tag @ (Tag::TableHead | Tag::TableRow)) => {
                let line_number = lines_seen.line_of(range.start);
                let source = text[range.start..].lines().next().unwrap_or_default();
                let cells = source_cells(source);
                if matches!(tag, Tag::TableHead) {
                    header_cells = cells;
                } else if cells > header_cells {
                    return Err(ImportError::Invalid {
                        file: budget.file.to_owned(),
                        location: format!("line {line_number}"),
                        message: format!(
                            "the row has {cells} cells but the header has {header_cells}: the \
                             cells past the header would be lost (write a «|» inside a cell as \
                             «\\|»)"
                        ),
                    });
                }
                if let Some(table) = &table {
                    budget.check_count(
                        Limit::Rows,
                        table.rows.len() as u64 + 1,
                        limits.rows as u64,
                        || format!("line {line_number}"),
                    )?;
                }
                row = Some(Row {
                    cells: Vec::new(),
                    label: format!("line {line_number}"),
                });
            }
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                if let (Some(finished), Some(table)) = (row.take(), table.as_mut()) {
                    table.rows.push(finished);
                }
            }
            Event::Start(Tag::TableCell) => {
                cell.clear();
                bold_chars = 0;
                plain_chars = 0;
            }
            Event::End(TagEnd::TableCell) => {
                all_cells += 1;
                budget.check_count(Limit::Cells, all_cells as u64, limits.cells as u64, || {
                    format!("line {}", lines_seen.line_of(range.start))
                })?;
                if let Some(row) = row.as_mut() {
                    row.cells
                        .push(Cell::new(&cell).bold(bold_chars > 0 && plain_chars == 0));
                }
            }
            Event::Start(Tag::Strong) => strong += 1,
            Event::End(TagEnd::Strong) => strong = strong.saturating_sub(1),
            Event::Text(t) | Event::Code(t) => {
                let counted = t.chars().filter(|c| !c.is_whitespace()).count();
                if row.is_some() {
                    if strong > 0 {
                        bold_chars += counted;
                    } else {
                        plain_chars += counted;
                    }
                    cell.push_str(&t);
                } else {
                    line.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if row.is_some() {
                    cell.push(' ');
                } else {
                    flush_line(&mut line, &mut lines);
                }
            }
            Event::InlineHtml(html) if row.is_some() && html.trim().starts_with("<br") => {
                cell.push(' ');
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                flush_line(&mut line, &mut lines);
            }
            Event::Start(Tag::Item) => flush_line(&mut line, &mut lines),
            _ => {}
        }
        budget.check_count(
            Limit::Paragraphs,
            (earlier_lines + lines.len()) as u64,
            limits.paragraphs as u64,
            || format!("line {}", lines_seen.line_of(range.start)),
        )?;
    }
    flush_line(&mut line, &mut lines);
    if !lines.is_empty() {
        blocks.push(Block::Lines(lines));
    }
    Ok(blocks)
}

fn flush_line(line: &mut String, lines: &mut Vec<String>) {
    let text = line.trim();
    if !text.is_empty() {
        lines.push(text.to_owned());
    }
    line.clear();
}
