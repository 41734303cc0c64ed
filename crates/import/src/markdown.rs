//! Markdown: pipe tables read with pulldown-cmark's table extension (GitHub syntax, escaped
//! pipes `\|` inside cells, `**bold**` group rows); the headings, paragraphs and list items
//! before the table carry the metadata ("# Nghị quyết 47/NQ-CP", "- Số: 47/NQ-CP").

use dongbo_domain::{Directory, ImportedProgram};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::ImportError;
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
    file: &str,
    directory: &Directory,
) -> Result<ImportedProgram, ImportError> {
    import_blocks(&blocks(text), file, directory)
}

/// The document as runs of lines and tables.
pub(crate) fn blocks(text: &str) -> Vec<Block> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&start| start <= offset);

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
        match event {
            Event::Start(Tag::Table(_)) => {
                flush_line(&mut line, &mut lines);
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
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                row = Some(Row {
                    cells: Vec::new(),
                    label: format!("line {}", line_of(range.start)),
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
    }
    flush_line(&mut line, &mut lines);
    if !lines.is_empty() {
        blocks.push(Block::Lines(lines));
    }
    blocks
}

fn flush_line(line: &mut String, lines: &mut Vec<String>) {
    let text = line.trim();
    if !text.is_empty() {
        lines.push(text.to_owned());
    }
    line.clear();
}
