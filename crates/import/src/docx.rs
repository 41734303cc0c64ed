//! Word documents, read with docx-rs: the first table with a recognisable header is the task
//! table; the paragraphs and tables before it carry the metadata (a Decree 30 document puts
//! issuer, national title, number and date in a two-column header table). Cells spanning
//! columns (`gridSpan`) leave empty cells after them; cells merged down (`vMerge`) repeat the
//! text of the cell that starts the merge; a cell whose runs are all bold is bold. Rows are
//! named "table 2, row 7".

use docx_rs::{
    DocumentChild, InsertChild, Paragraph, ParagraphChild, Run, RunChild, TableCellContent,
    TableChild, TableRowChild,
};
use dongbo_domain::{Directory, ImportedProgram};

use crate::ImportError;
use crate::limits::{Budget, Limit};
use crate::table::{Block, Cell, ColumnNames, PackageError, Row, Table, import_packaged};

pub(crate) fn import(
    bytes: &[u8],
    budget: &Budget,
    directory: &Directory,
) -> Result<ImportedProgram, ImportError> {
    import_packaged(bytes, budget, "DOCX", directory, read_document)
}

/// The document's paragraphs and tables as blocks. docx-rs reads the whole package at once:
/// the package was checked against the limits before (entries, unpacked bytes, paragraphs,
/// rows, cells, nesting), which bounds what it builds.
pub(crate) fn read_document(bytes: &[u8], budget: &Budget) -> Result<Vec<Block>, PackageError> {
    let docx = docx_rs::read_docx(bytes).map_err(|e| PackageError::Invalid(e.to_string()))?;
    let mut blocks = Vec::new();
    let mut lines = Vec::new();
    let mut table_number = 0;
    let mut cells_made = 0u64;
    for (index, child) in docx.document.children.iter().enumerate() {
        budget.check_time(|| format!("paragraph or table {}", index + 1))?;
        match child {
            DocumentChild::Paragraph(paragraph) => {
                let (text, _) = paragraph_text(paragraph);
                let text = dongbo_domain::text::nfc(text.trim());
                if !text.is_empty() {
                    lines.push(text);
                }
            }
            DocumentChild::Table(table) => {
                if !lines.is_empty() {
                    blocks.push(Block::Lines(std::mem::take(&mut lines)));
                }
                table_number += 1;
                let table = read_table(table, table_number, budget, &mut cells_made)?;
                blocks.push(Block::Table(table));
            }
            _ => {}
        }
    }
    if !lines.is_empty() {
        blocks.push(Block::Lines(lines));
    }
    Ok(blocks)
}

/// A table's rows; `cells_made` counts the cells made in every table so far, the empty ones a
/// span leaves included, so spans cannot multiply a small file into a huge table.
fn read_table(
    table: &docx_rs::Table,
    number: usize,
    budget: &Budget,
    cells_made: &mut u64,
) -> Result<Table, ImportError> {
    let limits = budget.limits;
    let mut rows: Vec<Row> = Vec::new();
    let mut lines = Vec::new();
    for (index, TableChild::TableRow(row)) in table.rows.iter().enumerate() {
        let place = || format!("table {number}, row {}", index + 1);
        budget.check_time(place)?;
        let mut cells: Vec<Cell> = Vec::new();
        for TableRowChild::TableCell(cell) in &row.cells {
            let mut text = String::new();
            let (mut bold, mut plain) = (0, 0);
            for content in &cell.children {
                if let TableCellContent::Paragraph(paragraph) = content {
                    let (paragraph_text, counts) = paragraph_text(paragraph);
                    let paragraph_text = dongbo_domain::text::nfc(paragraph_text.trim());
                    if !paragraph_text.is_empty() {
                        lines.push(paragraph_text.clone());
                    }
                    text.push(' ');
                    text.push_str(&paragraph_text);
                    bold += counts.0;
                    plain += counts.1;
                }
            }
            // The span and merge of a cell are private fields of docx-rs; its serialised form
            // (camelCase, as in its JSON output) is the public way to read them.
            let property = serde_json::to_value(&cell.property).unwrap_or_default();
            let span = property
                .get("gridSpan")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(1)
                .clamp(1, 100) as usize;
            let merged_down = property
                .get("verticalMerge")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|m| m.eq_ignore_ascii_case("continue"));
            let column = cells.len();
            let cell = if merged_down {
                rows.last()
                    .and_then(|above| above.cells.get(column).cloned())
                    .unwrap_or_default()
            } else {
                Cell::new(&text).bold(bold > 0 && plain == 0)
            };
            cells.push(cell);
            for _ in 1..span {
                cells.push(Cell::default());
            }
            budget.check_count(
                Limit::Columns,
                cells.len() as u64,
                limits.columns as u64,
                place,
            )?;
        }
        *cells_made += cells.len() as u64;
        budget.check_count(Limit::Cells, *cells_made, limits.cells as u64, place)?;
        rows.push(Row {
            cells,
            label: format!("table {number}, row {}", index + 1),
        });
    }
    Ok(Table {
        rows,
        columns: ColumnNames::Numbers,
        lines,
    })
}

/// A paragraph's text, and how many of its characters are bold and not bold.
fn paragraph_text(paragraph: &Paragraph) -> (String, (usize, usize)) {
    let mut text = String::new();
    let mut counts = (0, 0);
    collect_children(&paragraph.children, &mut text, &mut counts);
    (text, counts)
}

fn collect_children(children: &[ParagraphChild], text: &mut String, counts: &mut (usize, usize)) {
    for child in children {
        match child {
            ParagraphChild::Run(run) => collect_run(run, text, counts),
            ParagraphChild::Hyperlink(link) => collect_children(&link.children, text, counts),
            ParagraphChild::Insert(insert) => {
                for child in &insert.children {
                    if let InsertChild::Run(run) = child {
                        collect_run(run, text, counts);
                    }
                }
            }
            _ => {}
        }
    }
}

fn collect_run(run: &Run, text: &mut String, counts: &mut (usize, usize)) {
    // `Bold` keeps its value private; it serialises to it.
    let bold = run
        .run_property
        .bold
        .as_ref()
        .and_then(|b| serde_json::to_value(b).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    for child in &run.children {
        match child {
            RunChild::Text(t) => {
                let visible = t.text.chars().filter(|c| !c.is_whitespace()).count();
                if bold {
                    counts.0 += visible;
                } else {
                    counts.1 += visible;
                }
                text.push_str(&t.text);
            }
            RunChild::Tab(_) | RunChild::Break(_) | RunChild::CarriageReturn(_) => text.push(' '),
            _ => {}
        }
    }
}
